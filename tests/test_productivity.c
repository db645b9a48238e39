/* test_productivity.c - productivity under sanctions (docs/model.md 9; issue: "A
 * sanctions schedule lowers hard-tech TFP growth relative to no sanctions,
 * most in the most exposed sector").
 *
 * Same seeds, with and without sanctions (full cut-off of foreign technology
 * transfer, level 1, ramping from 2019-01 to 2019-12; export cuts off so the
 * comparison isolates technology). TFP growth of a sector = the within-firm
 * growth of its initial firms: the mean over firm-months of the change of
 * ln A of an initial firm alive at both ends of the month (same slot, same
 * birth), times the months of the run
 * (so entry and exit do not change the composition, and firms that close
 * before the end still count for the months they lived: with the 2019
 * sectors.csv the hard-tech sectors are so small that few initial firms
 * survive four years at test scale).
 * Asserted in every seed: lower growth with sanctions in every hard-tech
 * sector; pooled over seeds, the proportional loss of growth is largest in
 * the sector with the highest exposure. Non-hard-tech sectors are not
 * sanctioned: their growth may differ only through general equilibrium, and
 * the test prints it. */
#include "testutil.h"
#include "phases.h"
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS 300000 /* hard-tech sectors are 0.06-0.5% of employment (sectors.csv): ~15 firms in the smallest */
#define MONTHS 48


/* Growth of ln A per sector (initial surviving firms) over MONTHS months.
 * Returns the number of sectors, 0 on failure; fills growth[], exposure[],
 * hard[] and names. */
static int sector_growth(int seed, double level, double growth[SC_MAX_SECTORS], double exposure[SC_MAX_SECTORS],
                         int hard[SC_MAX_SECTORS], char names[SC_MAX_SECTORS][SC_NAME_LEN])
{
    char s_seed[64], s_level[64];
    snprintf(s_seed, sizeof s_seed, "run.seed=%d", seed);
    snprintf(s_level, sizeof s_level, "sanctions.level=%g", level);
    const char *sets[] = {s_seed, s_level, "sanctions.start=2019-01", "sanctions.full=2019-12",
                          "sanctions.export_cut=0"};
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/baseline.ini", tu_srcdir());
    scenario sc;
    world w;
    inc_err e = {0};
    if (scenario_load(&sc, path, sets, 5, &e) != INC_OK) { FAILF("scenario_load: %s", e.msg); return 0; }
    if (world_init(&w, &sc, 2, WORKERS, &e) != INC_OK) { FAILF("world_init: %s", e.msg); scenario_free(&sc); return 0; }
    omp_set_num_threads(2);
    stats_aggregate(&w);
    stats_t *st = stats_alloc(w.n_nodes, w.n_sectors);
    const int S = w.n_sectors;
    double sum[SC_MAX_SECTORS] = {0}, cnt[SC_MAX_SECTORS] = {0};
    size_t cap = w.fm.cap;
    double *a0 = malloc(cap * sizeof *a0);
    int32_t *b0 = malloc(cap * sizeof *b0);
    uint8_t *alive0 = malloc(cap);
    CU_ASSERT_FATAL(st != NULL && a0 != NULL && b0 != NULL && alive0 != NULL);
    int ok = 1;
    for (int t = 0; t < MONTHS && ok; t++) {
        size_t n0 = w.fm.n;
        for (size_t f = 0; f < n0; f++) {
            a0[f] = w.fm.ln_a[f];
            b0[f] = w.fm.birth[f];
            /* Initial firms only: entrants start below their node-sector's
             * mean and catch up through spillovers, growth that sanctions
             * do not touch and that swamps the transfer term. */
            alive0[f] = (w.fm.flags[f] & FF_ALIVE) && !(w.fm.flags[f] & FF_SHELL) && w.fm.birth[f] < 0;
        }
        if (sim_month(&w, st, &e) != INC_OK) { FAILF("sim_month: %s", e.msg); ok = 0; break; }
        for (size_t f = 0; f < n0 && f < w.fm.n; f++) {
            /* The same firm at both ends of the month. */
            if (!alive0[f] || !(w.fm.flags[f] & FF_ALIVE) || w.fm.birth[f] != b0[f]) continue;
            sum[w.fm.sector[f]] += w.fm.ln_a[f] - a0[f];
            cnt[w.fm.sector[f]] += 1;
        }
    }
    free(b0);
    free(alive0);
    for (int s = 0; s < S; s++) {
        growth[s] = cnt[s] > 0 ? MONTHS * sum[s] / cnt[s] : NAN;
        exposure[s] = sc.sectors[s].exposure;
        hard[s] = sc.sectors[s].hard_tech;
        snprintf(names[s], SC_NAME_LEN, "%s", sc.sectors[s].name);
    }
    free(a0);
    stats_free(st);
    world_free(&w);
    scenario_free(&sc);
    return ok ? S : 0;
}

static void test_sanctions_lower_hard_tech_tfp(void)
{
    double g0[SC_MAX_SECTORS], g1[SC_MAX_SECTORS], exp_[SC_MAX_SECTORS];
    double pool0[SC_MAX_SECTORS] = {0}, pool1[SC_MAX_SECTORS] = {0};
    int hard[SC_MAX_SECTORS], S = 0;
    char names[SC_MAX_SECTORS][SC_NAME_LEN];
    for (int seed = 1; seed <= 3; seed++) {
        S = sector_growth(seed, 0.0, g0, exp_, hard, names);
        int S1 = sector_growth(seed, 1.0, g1, exp_, hard, names);
        CU_ASSERT_FATAL(S > 0 && S == S1);
        printf("\n    seed %d: ln A growth over %d months, no sanctions -> full cut-off (exposure)\n", seed, MONTHS);
        for (int s = 0; s < S; s++) {
            printf("      %-26s %8.4f -> %8.4f  (%.2f)%s\n", names[s], g0[s], g1[s], exp_[s], hard[s] ? "  hard tech" : "");
            pool0[s] += g0[s] / 3;
            pool1[s] += g1[s] / 3;
            if (hard[s] && exp_[s] > 0 && !(g1[s] < g0[s]))
                FAILF("seed %d: %s (exposure %.2f): sanctions did not lower TFP growth (%.4f -> %.4f)", seed, names[s],
                      exp_[s], g0[s], g1[s]);
        }
    }
    /* Proportional loss of growth, pooled over seeds; the most exposed hard-
     * tech sector must lose the largest share. */
    int most_exposed = -1, most_lost = -1;
    double best_loss = -1e300;
    printf("    pooled over seeds: share of TFP growth lost\n");
    for (int s = 0; s < S; s++) {
        if (!hard[s]) continue;
        double loss = pool0[s] > 0 ? (pool0[s] - pool1[s]) / pool0[s] : NAN;
        printf("      %-26s exposure %.2f: %.3f\n", names[s], exp_[s], loss);
        if (most_exposed < 0 || exp_[s] > exp_[most_exposed]) most_exposed = s;
        if (loss > best_loss) { best_loss = loss; most_lost = s; }
    }
    CU_ASSERT_FATAL(most_exposed >= 0);
    if (most_lost != most_exposed)
        FAILF("the largest share of TFP growth was lost in %s, not in the most exposed sector %s", names[most_lost],
              names[most_exposed]);
}

int main(void)
{
    static const tu_test tests[] = {
        {"sanctions lower hard-tech TFP growth, most in the most exposed sector", test_sanctions_lower_hard_tech_tfp},
        {NULL, NULL}};
    return tu_run_suite("productivity", tests);
}
