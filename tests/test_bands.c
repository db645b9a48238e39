/* test_bands.c - the baseline lands inside every band of docs/model.md 15 (issue:
 * "The baseline, over at least three seeds, lands inside every band ... a
 * test checks each band and prints the simulated value next to the target").
 *
 * Three seeds of scenarios/baseline.ini, each its full 204 months (2019-2035)
 * at 300,000 worker agents (a tenth of the default scale, the scale
 * incubator-calibrate fits at: smaller runs are more volatile and their
 * moments drift away from those of the default scale; docs/calibration.md
 * compares the two), in memory. The moments are those of sim/moments.c, the ones the
 * calibration fits: for each target the test prints every seed's value, the
 * mean over seeds and the band, and asserts that the mean over the three
 * seeds lies inside the band. The stock-flow residual is not asserted: the
 * monthly audit (sim_month) stops any run whose residual is not 0 fen, so
 * moments_of_run would already have failed; it is printed for the record. */
#include "testutil.h"
#include "moments.h"
#include "phases.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define SEEDS 3
#define WORKERS 300000
#define MONTHS 204 /* the baseline's run, 2019-01 to 2035-12 */

static double mom[SEEDS][MOM_COUNT];
static int64_t residual[SEEDS]; /* largest |monthly stock-flow residual| of each seed, fen */
static int runs_ok;

/* Run seed s of the baseline; moments into mom[s - 1]. Returns 0 on success. */
static int run_seed(int seed)
{
    char path[1024], set_seed[64];
    snprintf(path, sizeof path, "%s/scenarios/baseline.ini", tu_srcdir());
    snprintf(set_seed, sizeof set_seed, "run.seed=%d", seed);
    const char *sets[] = {set_seed};
    inc_err e = {0};
    if (moments_of_run(path, sets, 1, MONTHS, WORKERS, mom[seed - 1], &residual[seed - 1], &e) != INC_OK) {
        fprintf(stderr, "seed %d: %s\n", seed, e.msg);
        return -1;
    }
    return 0;
}

/* Run the seeds; sets mom and runs_ok. */
static void run_all(void)
{
    int fail = 0;
    /* Seeds in parallel, one thread each (the result does not depend on it). */
#pragma omp parallel for schedule(dynamic) reduction(| : fail)
    for (int s = 0; s < SEEDS; s++)
        if (run_seed(s + 1) != 0) fail = 1;
    runs_ok = !fail;
}

static void test_bands(void)
{
    run_all();
    CU_ASSERT_FATAL(runs_ok);
    printf("\n    %-50s %10s %10s %10s %10s   %s\n", "target (docs/model.md 15)", "seed 1", "seed 2", "seed 3", "mean", "band");
    for (int k = 0; k < MOM_COUNT; k++) {
        const moment_target *t = &moments_targets[k];
        double mean = 0;
        for (int s = 0; s < SEEDS; s++) mean += mom[s][k] / SEEDS;
        int in = mean >= t->lo && mean <= t->hi;
        printf("    %-50s %10.4g %10.4g %10.4g %10.4g   [%g, %g] %s%s\n", t->name, mom[0][k], mom[1][k], mom[2][k], mean,
               t->lo, t->hi, t->unit, in ? "" : "   OUT");
        if (!in) FAILF("%s: %.4g %s over %d seeds, outside [%g, %g] (%s)", t->name, mean, t->unit, SEEDS, t->lo, t->hi, t->source);
        else CU_PASS(t->name);
    }
    int64_t worst = 0;
    for (int s = 0; s < SEEDS; s++) worst = residual[s] > worst ? residual[s] : worst;
    printf("    %-50s %43lld   (0 by the monthly audit, not asserted)\n", "stock-flow residual, largest |monthly| value",
           (long long)worst);
}

int main(void)
{
    const tu_test tests[] = {{"the baseline lands in every band of docs/model.md 15 (mean of 3 seeds)", test_bands}, {NULL, NULL}};
    return tu_run_suite("bands", tests);
}
