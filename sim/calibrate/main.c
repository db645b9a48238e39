/* incubator-calibrate - a repeatable calibration of the baseline's free
 * parameters to the targets of docs/model.md 15 (simulated method of moments).
 *
 * Each evaluation runs the model in memory (no output file) from 2019-01 for
 * `--months` months (default 204, to 2035) at `--workers` agents (default
 * 300,000; smaller runs are more volatile, and their moments differ from
 * those of the default scale) for `--seeds` seeds (default 3, run in parallel, one thread each)
 * and computes the moments of sim/moments.c, averaged over the seeds;
 * the distance is the sum over targets of z^2, z = (moment - band centre) /
 * half band width (so 1 per target means "at the edge of its band"), plus a
 * steep wall for |z| beyond 0.8 (distance() below).
 * GSL's Nelder-Mead simplex (gsl_multimin_fminimizer_nmsimplex2) searches the
 * free parameters in a logit transform of their ranges, with common random
 * numbers (the same seeds for every evaluation). The result is written as a
 * record to docs/calibration.md (--record) and, with --write, the tuned
 * values replace those in the scenario file (comments kept).
 *
 * The free parameters are the table below, the targets that of moments.c:
 * change them there. */
#include "phases.h"
#include "moments.h"
#include <gsl/gsl_errno.h>
#include "strutil.h"
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <signal.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Free parameters: scenario key, lower and upper bound, and the target it
 * mainly moves (the search moves all together). */
typedef struct { const char *key; double lo, hi; } free_param;
static const free_param FREE[] = {
    {"labour.mu", 0.2, 0.9},                      /* unemployment */
    {"productivity.frontier_gap", 0.0, 0.6},      /* TFP growth */
    {"entry.rate", 20000, 600000},                /* firm turnover */
    {"firms.loan_share", 0.0, 1.0},               /* corporate debt */
    {"firms.invest_cap", 0.008, 0.05},            /* investment / GDP */
    {"labour.reservation_share", 0.5, 0.95},      /* labour share */
    {"labour.hukou_wage_gap", 0.0, 0.7},          /* migrant wage */
    {"firms.wage_up_unemployment", 0.0, 0.08},    /* wage pressure: long-run unemployment (0 = offers never rise for unfilled vacancies) */
    {"entry.initial_workers", 2.0, 10.0},         /* entrants' size: job creation, exits */
    {"firms.expected_growth", 0.0, 0.12},         /* investment from the start: the first years' transient */
    {"init.firm_size_tail", 0.8, 2.0},            /* initial firm sizes: the size tail of 2023 */
};
#define N_FREE ((int)(sizeof FREE / sizeof FREE[0]))
#define N_MOM MOM_COUNT

typedef struct {
    const char *scenario;
    int months, seeds, threads;
    long workers;
    double x[N_FREE];      /* parameter values of the last evaluation */
    double mom[N_MOM];     /* mean moments over seeds of the last evaluation */
    int evals;
    int failed;            /* a run failed (its message is on stderr): stop, write nothing */
    /* Every point evaluated so far (search vector, distance, moments): the
     * minimiser asks for the starting point again and the program asks for
     * the best one at the end, and a run costs seconds to minutes. */
    double (*memo_v)[N_FREE], *memo_d, (*memo_m)[MOM_COUNT];
    int n_memo, cap_memo;
} problem;

/* Run one seed with the given parameter values (single-threaded: seeds run
 * in parallel); moments into m. Returns 0 on success. */
static int run_once(const problem *pb, const double *x, int seed, double m[N_MOM])
{
    char sets[N_FREE + 2][128];
    const char *sp[N_FREE + 2];
    for (int k = 0; k < N_FREE; k++) {
        snprintf(sets[k], sizeof sets[k], "%s=%.10g", FREE[k].key, x[k]);
        sp[k] = sets[k];
    }
    snprintf(sets[N_FREE], sizeof sets[0], "run.seed=%d", seed);
    snprintf(sets[N_FREE + 1], sizeof sets[0], "run.months=%d", pb->months);
    sp[N_FREE] = sets[N_FREE];
    sp[N_FREE + 1] = sets[N_FREE + 1];
    inc_err e = {0};
    if (moments_of_run(pb->scenario, sp, N_FREE + 2, pb->months, pb->workers, m, NULL, &e) != INC_OK) {
        fprintf(stderr, "incubator-calibrate: seed %d: %s\n", seed, e.msg);
        return -1;
    }
    return 0;
}

/* Parameter values from the unconstrained search vector (logit transform). */
static void from_search(const gsl_vector *v, double *x)
{
    for (int k = 0; k < N_FREE; k++) {
        double z = gsl_vector_get(v, (size_t)k);
        x[k] = FREE[k].lo + (FREE[k].hi - FREE[k].lo) / (1.0 + exp(-z));
    }
}

static double to_search(int k, double x)
{
    double p = (x - FREE[k].lo) / (FREE[k].hi - FREE[k].lo);
    if (p < 1e-6) p = 1e-6;
    if (p > 1 - 1e-6) p = 1 - 1e-6;
    return log(p / (1 - p));
}

/* The targets are bands, and the band test asks for every one: besides the
 * squared distance to the band centre, a moment beyond BAND_INNER of its half
 * band pays BAND_WALL times the square of the excess (in half band widths).
 * Without this wall the search settles where the squared distances balance,
 * which can leave one row just outside its band while others sit near their
 * centres (stage E: growth 7.0003 %/yr against a band ending at 7); the
 * margin of 0.2 half band widths keeps the fit's rows clear of the edges. */
#define BAND_INNER 0.8
#define BAND_WALL 50.0

/* Distance of the moments m[MOM_COUNT] to their bands (dimensionless): the sum
 * over targets of z^2 + BAND_WALL * max(0, |z| - BAND_INNER)^2, z the moment's
 * distance from its band centre in half band widths (moments_z). */
static double distance(const double *m)
{
    double d = 0;
    for (int k = 0; k < N_MOM; k++) {
        double z = moments_z((moment_id)k, m[k]);
        double out = fabs(z) - BAND_INNER;
        d += z * z + (out > 0 ? BAND_WALL * out * out : 0.0);
    }
    return d;
}

static double objective(const gsl_vector *v, void *params)
{
    problem *pb = params;
    double x[N_FREE], sum[N_MOM] = {0}, vs[N_FREE];
    for (int k = 0; k < N_FREE; k++) vs[k] = gsl_vector_get(v, (size_t)k);
    from_search(v, x);
    for (int j = 0; j < pb->n_memo; j++)
        if (!memcmp(pb->memo_v[j], vs, sizeof vs)) {
            memcpy(pb->x, x, sizeof x);
            memcpy(pb->mom, pb->memo_m[j], sizeof pb->mom);
            return pb->memo_d[j];
        }
    double m[64][N_MOM];
    int fail = 0;
    /* Seeds in parallel, one thread each; summed in seed order. */
#pragma omp parallel for schedule(dynamic) num_threads(pb->threads) reduction(| : fail)
    for (int s = 1; s <= pb->seeds; s++)
        if (run_once(pb, x, s, m[s - 1]) != 0) fail = 1;
    if (fail) {
        pb->failed = 1;
        return 1e6;
    }
    for (int s = 0; s < pb->seeds; s++)
        for (int k = 0; k < N_MOM; k++) sum[k] += m[s][k] / pb->seeds;
    memcpy(pb->x, x, sizeof x);
    memcpy(pb->mom, sum, sizeof sum);
    pb->evals++;
    double d = distance(sum);
    fprintf(stderr, "  eval %3d  distance %8.3f ", pb->evals, d);
    for (int k = 0; k < N_FREE; k++) fprintf(stderr, " %s=%.4g", FREE[k].key, x[k]);
    fprintf(stderr, "\n");
    if (pb->n_memo == pb->cap_memo) {
        int cap = pb->cap_memo ? 2 * pb->cap_memo : 64;
        void *a = realloc(pb->memo_v, (size_t)cap * sizeof *pb->memo_v), *b = NULL, *c = NULL;
        if (a) pb->memo_v = a;
        if (a && (b = realloc(pb->memo_d, (size_t)cap * sizeof *pb->memo_d))) pb->memo_d = b;
        if (b && (c = realloc(pb->memo_m, (size_t)cap * sizeof *pb->memo_m))) pb->memo_m = c;
        if (!c) return d; /* out of memory: no memo, the search still works */
        pb->cap_memo = cap;
    }
    memcpy(pb->memo_v[pb->n_memo], vs, sizeof vs);
    memcpy(pb->memo_m[pb->n_memo], sum, sizeof sum);
    pb->memo_d[pb->n_memo++] = d;
    return d;
}

/* Free what a search holds: the minimiser (NULL before it exists), its
 * vectors, the scenario text and the memo of evaluated points. */
static void search_free(problem *pb, gsl_multimin_fminimizer *mz, gsl_vector *v, gsl_vector *step, char *text)
{
    gsl_multimin_fminimizer_free(mz);
    gsl_vector_free(v);
    gsl_vector_free(step);
    free(text);
    free(pb->memo_v);
    free(pb->memo_d);
    free(pb->memo_m);
}

/* Current value of a key in the scenario text (first "key =" line in its
 * section), or NAN. */
static double ini_value(const char *text, const char *full_key)
{
    char sec[64], key[64];
    const char *dot = strchr(full_key, '.');
    snprintf(sec, sizeof sec, "[%.*s]", (int)(dot - full_key), full_key);
    snprintf(key, sizeof key, "%s", dot + 1);
    const char *s = strstr(text, sec);
    if (!s) return NAN;
    for (const char *l = strchr(s, '\n'); l && l[1] && l[1] != '['; l = strchr(l + 1, '\n')) {
        const char *a = l + 1;
        size_t kl = strlen(key);
        if (!strncmp(a, key, kl) && (a[kl] == ' ' || a[kl] == '=')) {
            const char *eq = strchr(a, '=');
            return eq ? strtod(eq + 1, NULL) : NAN;
        }
    }
    return NAN;
}

/* Replace the value of full_key in the INI text (comments kept). Returns a
 * new string, or NULL when the key is not found. */
static char *ini_replace(const char *text, const char *full_key, double v)
{
    char sec[64], key[64];
    const char *dot = strchr(full_key, '.');
    snprintf(sec, sizeof sec, "[%.*s]", (int)(dot - full_key), full_key);
    snprintf(key, sizeof key, "%s", dot + 1);
    const char *s = strstr(text, sec);
    if (!s) return NULL;
    for (const char *l = strchr(s, '\n'); l && l[1] && l[1] != '['; l = strchr(l + 1, '\n')) {
        const char *a = l + 1;
        size_t kl = strlen(key);
        if (strncmp(a, key, kl) || (a[kl] != ' ' && a[kl] != '=')) continue;
        const char *eq = strchr(a, '=');
        const char *val = eq + 1;
        while (*val == ' ') val++;
        const char *end = val;
        while (*end && *end != ' ' && *end != ';' && *end != '\n') end++;
        char num[64];
        /* Ten significant digits, as the evaluations pass them (run_once):
         * the written baseline is the point whose moments the record shows
         * (at four digits the noisy objective scored differently). */
        snprintf(num, sizeof num, "%.10g", v);
        size_t n = strlen(text) - (size_t)(end - val) + strlen(num) + 1;
        char *out = malloc(n);
        if (!out) return NULL;
        snprintf(out, n, "%.*s%s%s", (int)(val - text), text, num, end);
        return out;
    }
    return NULL;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
    if (b) b[n] = 0;
    fclose(f);
    return b;
}

/* Set by SIGINT/SIGTERM: stop the search after the current iteration and
 * write the record of the best point so far (the only static state). */
static volatile sig_atomic_t stop_requested;
static void on_stop(int sig) { (void)sig; stop_requested = 1; }

static void usage(FILE *f)
{
    fputs("usage: incubator-calibrate [SCENARIO.ini] [--iterations N] [--workers N] [--months N]\n"
          "                           [--seeds N] [--record FILE.md] [--write]\n"
          "Tunes the free parameters of the scenario (default scenarios/baseline.ini) to the\n"
          "targets of docs/model.md 15 by simulated method of moments (GSL Nelder-Mead); prints the\n"
          "fit, writes a record (--record, default docs/calibration.md) and with --write puts\n"
          "the tuned values into the scenario file.\n"
          "\n"
          "  --iterations N  Nelder-Mead iterations at most (default 40)\n"
          "  --workers N     worker agents per run (default 300000: the moments of smaller runs\n"
          "                  differ from those at the default scale, 2.96 million)\n"
          "  --months N      months per run from the scenario's start, at least 60 (default\n"
          "                  204; the long-run unemployment needs >= 72)\n"
          "  --seeds N       seeds 1..N per evaluation, averaged (default 3)\n"
          "  --record FILE   the record to write (default docs/calibration.md); a section\n"
          "                  from a line '## Notes' to the end of the old record is kept\n"
          "  --write         write the tuned values into the scenario file\n"
          "  --step X        initial simplex step in the logit of each parameter's range\n"
          "                  (default 0.7; smaller to refine a point that is nearly there)\n"
          "  --balance-sectors  instead of fitting: print the initial employment shares\n"
          "                  that the model's first-month demand employs (manufacturing,\n"
          "                  local services and the other non-farm, non-hard-tech sectors;\n"
          "                  docs/calibration.md \"Initial employment by sector\")\n"
          "Each evaluation takes about (seeds / cores) x 1.5 s per 10,000 agents over 204\n"
          "months; progress (one line per evaluation) goes to stderr. Ctrl-C (SIGINT) or\n"
          "SIGTERM ends the search after the current iteration and writes the record of the\n"
          "best point so far (a second one kills the program).\n",
          f);
}

/* --balance-sectors: the initial employment shares that the model's own
 * final demand employs (docs/calibration.md "Initial employment by sector").
 * The model has no intermediate inputs, so a sector's value added is what
 * final buyers spend on it; NBS employment by industry counts with services
 * the trade, transport and business services that manufacturing buys as
 * inputs. Starting from the scenario's employment_share column, each
 * iteration builds the initial state (seed 1, `workers` agents), runs its
 * first month and multiplies the share of every balanced sector (neither
 * agriculture, whose employment the rural farm share sets, nor hard tech,
 * whose size the scenarios are about) by (its share of sales) / (its share
 * of output), renormalised so the balanced sectors keep their total; it
 * stops when every ratio is within 0.5% of 1 (at most 20 iterations). Prints
 * the shares (fractions) per sector; returns 0, or 3 if a run fails. */
static int balance_sectors(const char *path, long workers, int threads)
{
    scenario sc;
    inc_err e = {0};
    if (scenario_load(&sc, path, NULL, 0, &e) != INC_OK) { fprintf(stderr, "incubator-calibrate: %s\n", e.msg); return 3; }
    const int S = sc.n_sectors;
    double share[SC_MAX_SECTORS], start[SC_MAX_SECTORS];
    int balanced[SC_MAX_SECTORS];
    char names[SC_MAX_SECTORS][64];
    for (int s = 0; s < S; s++) {
        share[s] = start[s] = sc.sectors[s].employment_share;
        balanced[s] = !sc.sectors[s].agriculture && !sc.sectors[s].hard_tech && share[s] > 0;
        snprintf(names[s], sizeof names[s], "%s", sc.sectors[s].name);
    }
    scenario_free(&sc);
    double worst = 1.0;
    for (int it = 1; it <= 20 && worst > 0.005; it++) {
        world w;
        if (scenario_load(&sc, path, NULL, 0, &e) != INC_OK) { fprintf(stderr, "incubator-calibrate: %s\n", e.msg); return 3; }
        for (int s = 0; s < S; s++) sc.sectors[s].employment_share = share[s];
        if (world_init(&w, &sc, threads, workers, &e) != INC_OK) {
            fprintf(stderr, "incubator-calibrate: %s\n", e.msg);
            scenario_free(&sc);
            return 3;
        }
        stats_aggregate(&w);
        stats_t *st = stats_alloc(w.n_nodes, w.n_sectors);
        inc_status rc = st ? sim_month(&w, st, &e) : inc_fail(&e, INC_ERR_NOMEM, "out of memory for the month's outputs");
        double out[SC_MAX_SECTORS] = {0}, sales[SC_MAX_SECTORS] = {0}, out_all = 0, sales_all = 0;
        if (rc == INC_OK)
            for (int n = 0; n < w.n_nodes; n++)
                for (int s = 0; s < S; s++) {
                    out[s] += st->f[OUT_NODE_SECTOR_output][(size_t)n * S + s];
                    sales[s] += st->f[OUT_NODE_SECTOR_sales][(size_t)n * S + s];
                }
        stats_free(st);
        world_free(&w);
        scenario_free(&sc);
        if (rc != INC_OK) { fprintf(stderr, "incubator-calibrate: %s\n", e.msg); return 3; }
        for (int s = 0; s < S; s++) { out_all += out[s]; sales_all += sales[s]; }
        double before = 0, after = 0;
        worst = 0;
        for (int s = 0; s < S; s++) {
            if (!balanced[s]) continue;
            double r = out[s] > 0 ? (sales[s] / sales_all) / (out[s] / out_all) : 1.0;
            if (fabs(r - 1.0) > worst) worst = fabs(r - 1.0);
            before += share[s];
            share[s] *= r;
            after += share[s];
        }
        for (int s = 0; s < S; s++) if (balanced[s]) share[s] *= before / after;
        fprintf(stderr, "  iteration %2d: largest |sales share / output share - 1| of the balanced sectors %.4f\n", it, worst);
    }
    printf("sector,employment_share (scenario),balanced\n");
    for (int s = 0; s < S; s++) printf("%s,%.9g,%.9f%s\n", names[s], start[s], share[s], balanced[s] ? "" : " (kept)");
    return 0;
}

/* An error for a bad number of option opt, naming the accepted range; returns
 * the exit code 2 (bad input). */
static int bad_number(const char *opt, const char *text, double lo, double hi)
{
    fprintf(stderr, "incubator-calibrate: %s %s: accepted a number in (%g, %g]\n", opt, text, lo, hi);
    return 2;
}

/* Parse the integer argument of option opt into *v, in [lo, hi]. Returns 0,
 * or 1 after printing an error that names the option and the range. */
static int int_arg(const char *opt, const char *text, int64_t lo, int64_t hi, int64_t *v)
{
    if (su_parse_int64(text, v) == 0 && *v >= lo && *v <= hi) return 0;
    fprintf(stderr, "incubator-calibrate: %s %s: accepted an integer in [%lld, %lld]\n", opt, text, (long long)lo,
            (long long)hi);
    return 1;
}

int main(int argc, char **argv)
{
    problem pb = {.scenario = INCUBATOR_SOURCE_DIR "/scenarios/baseline.ini", .months = 204, .seeds = 3, .workers = 300000};
    const char *record = INCUBATOR_SOURCE_DIR "/docs/calibration.md";
    int iterations = 40, write = 0, balance = 0;
    double step0 = 0.7; /* initial simplex step, in the logit of each range */
    int64_t opt_num = 0;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--help")) { usage(stdout); return 0; }
        else if (!strcmp(argv[a], "--write")) write = 1;
        else if (!strcmp(argv[a], "--balance-sectors")) balance = 1;
        else if (!strcmp(argv[a], "--step") && a + 1 < argc) {
            if (su_parse_double(argv[++a], &step0) != 0 || !(step0 > 0 && step0 <= 10)) return bad_number("--step", argv[a], 0, 10);
        } else if (!strcmp(argv[a], "--iterations") && a + 1 < argc) {
            if (int_arg("--iterations", argv[++a], 1, 100000, &opt_num)) return 2;
            iterations = (int)opt_num;
        } else if (!strcmp(argv[a], "--workers") && a + 1 < argc) {
            if (int_arg("--workers", argv[++a], 1000, INT32_MAX, &opt_num)) return 2;
            pb.workers = (long)opt_num;
        } else if (!strcmp(argv[a], "--months") && a + 1 < argc) {
            if (int_arg("--months", argv[++a], 13, 1200, &opt_num)) return 2;
            pb.months = (int)opt_num;
        } else if (!strcmp(argv[a], "--seeds") && a + 1 < argc) {
            if (int_arg("--seeds", argv[++a], 1, 64, &opt_num)) return 2;
            pb.seeds = (int)opt_num;
        }
        else if (!strcmp(argv[a], "--record") && a + 1 < argc) record = argv[++a];
        else if (argv[a][0] != '-') pb.scenario = argv[a];
        else { usage(stderr); return 2; }
    }
    /* The moments need the first five years (moments.h). */
    if (iterations < 1 || pb.workers < 1000 || pb.months < 60 || pb.seeds < 1 || pb.seeds > 64 || !(step0 > 0 && step0 <= 5)) {
        fprintf(stderr, "incubator-calibrate: --iterations >= 1, --workers >= 1000, --months >= 60, --seeds 1 to 64, --step in (0, 5]\n");
        return 2;
    }
    gsl_set_error_handler_off();
    pb.threads = omp_get_max_threads();
    if (balance) return balance_sectors(pb.scenario, pb.workers, pb.threads);
    char *text = read_all(pb.scenario);
    if (!text) { fprintf(stderr, "incubator-calibrate: cannot read %s\n", pb.scenario); return 3; }
    double x0[N_FREE];
    for (int k = 0; k < N_FREE; k++) {
        x0[k] = ini_value(text, FREE[k].key);
        if (!isfinite(x0[k])) { fprintf(stderr, "incubator-calibrate: %s: no value for %s\n", pb.scenario, FREE[k].key); free(text); return 2; }
    }
    /* The starting point's fit, for the record. */
    gsl_vector *v = gsl_vector_alloc(N_FREE), *step = gsl_vector_alloc(N_FREE);
    for (int k = 0; k < N_FREE; k++) { gsl_vector_set(v, (size_t)k, to_search(k, x0[k])); gsl_vector_set(step, (size_t)k, step0); }
    double d0 = objective(v, &pb);
    /* A run that fails is not a bad point of the search but a broken
     * scenario or program (every free parameter stays inside its accepted
     * range): stop at once and write neither the record nor the scenario. */
    if (pb.failed) {
        fprintf(stderr, "incubator-calibrate: the run at the starting point failed (above); nothing written\n");
        search_free(&pb, NULL, v, step, text);
        return 3;
    }
    double mom0[N_MOM];
    memcpy(mom0, pb.mom, sizeof mom0);
    gsl_multimin_function fn = {objective, N_FREE, &pb};
    gsl_multimin_fminimizer *mz = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, N_FREE);
    gsl_multimin_fminimizer_set(mz, &fn, v, step);
    int it = 0, status = GSL_CONTINUE;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sa.sa_flags = SA_RESETHAND; /* a second signal kills */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    while (status == GSL_CONTINUE && it < iterations && !stop_requested) {
        it++;
        if (pb.failed || gsl_multimin_fminimizer_iterate(mz)) break;
        status = gsl_multimin_test_size(gsl_multimin_fminimizer_size(mz), 1e-2);
    }
    double x[N_FREE], best[N_MOM];
    from_search(gsl_multimin_fminimizer_x(mz), x);
    /* The scenario gets ten significant digits, as the evaluations pass
     * them: the record's moments are those of the values as written (one
     * more evaluation: the rounded point's search vector is not the
     * memo's), which are the best point's up to the tenth digit. */
    gsl_vector *xr = gsl_vector_alloc(N_FREE);
    for (int k = 0; k < N_FREE; k++) {
        char num[64];
        snprintf(num, sizeof num, "%.10g", x[k]);
        x[k] = strtod(num, NULL);
        gsl_vector_set(xr, (size_t)k, to_search(k, x[k]));
    }
    double d = pb.failed ? 0 : objective(xr, &pb); /* the written point's moments */
    gsl_vector_free(xr);
    if (pb.failed) {
        fprintf(stderr, "incubator-calibrate: a run failed (above) after %d evaluations; nothing written\n", pb.evals);
        search_free(&pb, mz, v, step, text);
        return 3;
    }
    memcpy(best, pb.mom, sizeof best);
    printf("calibration of %s: %d iterations, %d evaluations, distance %.3f -> %.3f\n", pb.scenario, it, pb.evals, d0, d);
    printf("%-42s %10s %10s %14s\n", "target", "start", "tuned", "band");
    for (int k = 0; k < N_MOM; k++)
        printf("%-42s %10.3f %10.3f   [%g, %g] %s\n", moments_targets[k].name, mom0[k], best[k], moments_targets[k].lo, moments_targets[k].hi, moments_targets[k].unit);
    for (int k = 0; k < N_FREE; k++) printf("%-42s %10.4g %10.4g\n", FREE[k].key, x0[k], x[k]);
    /* The record's hand-written part, from a line "## Notes" to the end, is
     * kept: the program writes the fit, people write what it means. */
    char *old = read_all(record), *notes = NULL;
    if (old) {
        char *at = strstr(old, "\n## Notes");
        if (at) notes = at + 1;
    }
    /* Written beside the record and renamed over it when complete, so a
     * failed write leaves the old record (and its notes) as it was. */
    char tmp_record[4096];
    snprintf(tmp_record, sizeof tmp_record, "%s.partial", record);
    FILE *f = fopen(tmp_record, "w");
    if (!f) { fprintf(stderr, "incubator-calibrate: cannot write %s\n", tmp_record); free(old); free(text); return 3; }
    /* No date: the record is a function of the program (git revision) and
     * its options, so the same command writes the same record. */
    fprintf(f, "# Calibration record\n\nWritten by `incubator-calibrate` (sim/calibrate/main.c; run it with `./run.sh calibrate`)"
               ", git %s.\n\n", INCUBATOR_GIT_REV);
    fprintf(f, "Procedure: simulated method of moments. Each evaluation runs `%s` from its start for %d months at %ld worker"
               " agents, seeds 1 to %d (common random numbers), and computes the moments below; the distance is the sum of"
               " z^2 + %g max(0, |z| - %g)^2 over the targets, z = (moment - band centre) / half band width (|z| = 1 at the"
               " edge of the band): the second term keeps every row inside its band with a margin. GSL's Nelder-Mead"
               " simplex (nmsimplex2) searches the free parameters in a logit transform of their ranges; %d iterations, %d"
               " evaluations (%s)%s.\n\n",
            pb.scenario, pb.months, pb.workers, pb.seeds, BAND_WALL, BAND_INNER, it, pb.evals,
            stop_requested ? "stopped by a signal" : status == GSL_SUCCESS ? "the simplex converged" : "the iteration limit was reached",
            write ? "; the tuned values were written into the scenario" : "; the tuned values were NOT written into the scenario (run with --write)");
    fprintf(f, "| target | unit | band | source | start | tuned |\n|---|---|---|---|---|---|\n");
    for (int k = 0; k < N_MOM; k++)
        fprintf(f, "| %s | %s | %g to %g | %s | %.3f | %.3f |\n", moments_targets[k].name, moments_targets[k].unit, moments_targets[k].lo, moments_targets[k].hi,
                moments_targets[k].source, mom0[k], best[k]);
    fprintf(f, "\nDistance: %.3f at the start, %.3f tuned.\n\n| free parameter | range | start | tuned |\n|---|---|---|---|\n", d0, d);
    for (int k = 0; k < N_FREE; k++) fprintf(f, "| `%s` | %g to %g | %.10g | %.10g |\n", FREE[k].key, FREE[k].lo, FREE[k].hi, x0[k], x[k]);
    fprintf(f, "\nEvery target of docs/model.md 15 is in the distance except the stock-flow residual, which is 0 fen by"
               " construction (the monthly audit stops any run where it is not). The moments are defined in sim/moments.c;"
               " tests/test_bands.c checks the baseline against the same bands.\n");
    if (notes) fprintf(f, "\n%s", notes);
    free(old);
    if (fclose(f) != 0 || rename(tmp_record, record) != 0) {
        fprintf(stderr, "incubator-calibrate: cannot write %s (the old record is unchanged)\n", record);
        remove(tmp_record);
        free(text);
        return 3;
    }
    if (write) {
        for (int k = 0; k < N_FREE; k++) {
            char *t2 = ini_replace(text, FREE[k].key, x[k]);
            if (t2) { free(text); text = t2; }
        }
        /* Same as the record: complete beside it, then renamed over it. */
        char tmp_scenario[4096];
        snprintf(tmp_scenario, sizeof tmp_scenario, "%s.partial", pb.scenario);
        FILE *g = fopen(tmp_scenario, "w");
        int bad = !g || fputs(text, g) < 0;
        if (g && fclose(g) != 0) bad = 1;
        if (bad || rename(tmp_scenario, pb.scenario) != 0) {
            fprintf(stderr, "incubator-calibrate: cannot write %s (the scenario is unchanged)\n", pb.scenario);
            remove(tmp_scenario);
            free(text);
            return 3;
        }
    }
    search_free(&pb, mz, v, step, text);
    return 0;
}
