/* test_sanity.c - economic sanity of the 204-month baseline (the issue: "GDP,
 * wages, prices and capital stay positive and finite; unemployment stays in
 * [0, 1] and is not pinned at 0 or 1; firms are born and die; no variable
 * grows or shrinks without bound").
 *
 * Runs the real program, $INCUBATOR_BIN/incubator-sim scenarios/baseline.ini
 * --months 204, at the scenario's own scale (about 3 million worker agents),
 * or with --workers $INCUBATOR_SANITY_WORKERS when that is set (the sanitizer
 * build uses a smaller world), reads the file back with the HDF5 C API and
 * checks, printing every checked quantity with its value:
 *  - checks of the write path (they cannot fail through the model: the
 *    monthly audit stops a run with a non-finite aggregate or a stock-flow
 *    residual other than 0 before anything is written): every F64 output
 *    dataset (national, node, node-sector) read back is finite in every month
 *    and /national/sfc_residual reads back 0 fen in every month;
 *  - GDP, real GDP, the mean wage, the price index, capital and employment
 *    are positive in every month;
 *  - the unemployment rate is in [0, 1] in every month, not pinned (it moves,
 *    reaches above UNEMP_MAX_FLOOR and below UNEMP_MIN_CEIL), and its mean
 *    over the last year is below UNEMP_LAST_YEAR_MAX;
 *  - firms enter and exit over the run;
 *  - boundedness: year-on-year real GDP growth, the price index, firm, LGFV
 *    and central debt relative to annualised GDP, the labour share and the
 *    number of firms stay within the bounds below. */
#include "testutil.h"
#include "stats.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#define MONTHS 204
#define RUN_TIMEOUT_S 3600 /* the default scale takes about a minute on 2 cores; generous for slow machines */

/* The bounds, and why each is sane. */
/* Real GDP growth between consecutive calendar years (12-month sums): China's
 * worst year since 1978 was 2.2% (2020), its best 15%; an economy model that
 * moves by a quarter in a year without a scenario shock is running away. */
#define GROWTH_MIN (-0.25)
#define GROWTH_MAX 0.25
/* Price index (start = 1): 5 is 10% inflation a year for 17 years, 0.2 a
 * deflation never seen outside collapse; either is a runaway price loop. */
#define PRICE_MIN 0.2
#define PRICE_MAX 5.0
/* Debt / annualised GDP: China's non-financial corporate debt is ~1.5 GDP,
 * LGFV ~0.5, central ~0.2 (2019); five times GDP in any of them is a debt
 * spiral (Japan's total public debt, the world's highest, is ~2.5). */
#define DEBT_GDP_MAX 5.0
/* Labour share (wage bill / GDP): ~0.5 in China's national accounts; below 0.2
 * or above 0.9 wages have decoupled from output (firms' profits vanish or
 * swallow everything). */
#define LABOUR_SHARE_MIN 0.2
#define LABOUR_SHARE_MAX 0.9
/* Firms alive relative to the first month: births and deaths should roughly
 * balance with the workforce fixed; a factor 3 either way is a runaway
 * entry or exit process. */
#define FIRMS_RATIO_MIN 0.3
#define FIRMS_RATIO_MAX 3.0
/* Unemployment is not pinned: it must exceed 0.5% in some month (an economy
 * with no frictional unemployment at all has a broken labour market) and
 * fall below 50% in some month, and move (standard deviation > 0). */
#define UNEMP_MAX_FLOOR 0.005
#define UNEMP_MIN_CEIL 0.5
/* Mean urban unemployment over the last year: China's surveyed rate is ~5%;
 * half the urban labour force out of work is a collapse. */
#define UNEMP_LAST_YEAR_MAX 0.5

/* A check: counted as a passed assertion, or a failure with the message. */
#define CHECKF(cond, ...)                                                                    \
    do {                                                                                     \
        if (cond) CU_assertImplementation(CU_TRUE, __LINE__, #cond, __FILE__, "", CU_FALSE); \
        else FAILF(__VA_ARGS__);                                                             \
    } while (0)

static char out_path[512];
static int run_ok; /* the run exited 0 and wrote its file */

/* Run incubator-sim on the baseline for MONTHS months from the repository
 * root; messages to TMP/s.log. */
static void test_run(void)
{
    char exe[512], scen[512], log[512], months[16];
    if (tu_program_path("incubator-sim", exe, sizeof exe) != 0) return;
    const char *workers = getenv("INCUBATOR_SANITY_WORKERS");
    if (workers && !*workers) workers = NULL;
    snprintf(scen, sizeof scen, "%s/scenarios/baseline.ini", tu_srcdir());
    snprintf(out_path, sizeof out_path, "%s/s.h5", tu_tmpdir());
    snprintf(log, sizeof log, "%s/s.log", tu_tmpdir());
    snprintf(months, sizeof months, "%d", MONTHS);
    const char *argv[16];
    int n = 0;
    argv[n++] = exe;
    argv[n++] = scen;
    argv[n++] = "--months";
    argv[n++] = months;
    if (workers) {
        argv[n++] = "--workers";
        argv[n++] = workers;
    }
    argv[n++] = "--quiet";
    argv[n++] = "--force";
    argv[n++] = "--out";
    argv[n++] = out_path;
    argv[n] = NULL;
    printf("\n    %s baseline.ini --months %d%s%s (%s)\n", exe, MONTHS, workers ? " --workers " : "",
           workers ? workers : "", workers ? "INCUBATOR_SANITY_WORKERS" : "the scenario's own scale");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = tu_run_program(exe, argv, log, RUN_TIMEOUT_S, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("    run took %.1f s\n", (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    if (rc != 0) {
        if (rc > 0) FAILF("incubator-sim exited with %d; log %s", rc, log); /* -1 is reported already */
        tu_show_log(log);
        return;
    }
    if (access(out_path, R_OK) != 0) {
        FAILF("incubator-sim exited 0 but %s is missing", out_path);
        return;
    }
    run_ok = 1;
    CU_PASS("incubator-sim exited 0 and wrote its file");
}

/* The national series, MONTHS values each. */
typedef struct {
    double *gdp, *gdp_real, *mean_wage, *price, *capital, *employment, *unemp, *entries, *exits, *firm_loans,
        *lgfv, *central, *labour_share, *firms;
    int64_t *sfc;
    int ok;
} series;
static series se;

static double *national(hid_t f, const char *name)
{
    char path[128];
    size_t n = 0;
    int rank = 0;
    hsize_t dims[H5S_MAX_RANK];
    snprintf(path, sizeof path, "/national/%s", name);
    double *v = tu_h5_read(f, out_path, path, H5T_NATIVE_DOUBLE, &n, &rank, dims);
    if (v && (rank < 1 || n != MONTHS || dims[0] != MONTHS)) {
        FAILF("%s: %zu values, expected %d months", path, n, MONTHS);
        free(v);
        return NULL;
    }
    return v;
}

static int load(void)
{
    if (se.ok) return 1;
    if (!run_ok) {
        FAILF("the run did not finish (see the first test)");
        return 0;
    }
    hid_t f = H5Fopen(out_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        FAILF("cannot open %s with HDF5", out_path);
        return 0;
    }
    se.gdp = national(f, "gdp");
    se.gdp_real = national(f, "gdp_real");
    se.mean_wage = national(f, "mean_wage");
    se.price = national(f, "price_index");
    se.capital = national(f, "capital");
    se.employment = national(f, "employment");
    se.unemp = national(f, "unemployment_rate");
    se.entries = national(f, "entries");
    se.exits = national(f, "exits");
    se.firm_loans = national(f, "firm_loans");
    se.lgfv = national(f, "lgfv_debt");
    se.central = national(f, "central_debt");
    se.labour_share = national(f, "labour_share");
    se.firms = national(f, "firms_alive");
    size_t n = 0;
    int rank = 0;
    hsize_t dims[H5S_MAX_RANK];
    se.sfc = tu_h5_read(f, out_path, "/national/sfc_residual", H5T_NATIVE_INT64, &n, &rank, dims);
    if (se.sfc && n != MONTHS) {
        FAILF("/national/sfc_residual: %zu values, expected %d", n, MONTHS);
        free(se.sfc);
        se.sfc = NULL;
    }
    H5Fclose(f);
    se.ok = se.gdp && se.gdp_real && se.mean_wage && se.price && se.capital && se.employment && se.unemp &&
            se.entries && se.exits && se.firm_loans && se.lgfv && se.central && se.labour_share && se.firms && se.sfc;
    return se.ok;
}

static void series_free(void)
{
    double **d[] = {&se.gdp, &se.gdp_real, &se.mean_wage, &se.price, &se.capital, &se.employment, &se.unemp,
                    &se.entries, &se.exits, &se.firm_loans, &se.lgfv, &se.central, &se.labour_share, &se.firms};
    for (size_t k = 0; k < sizeof d / sizeof d[0]; k++) {
        free(*d[k]);
        *d[k] = NULL;
    }
    free(se.sfc);
    se.sfc = NULL;
    se.ok = 0;
}

/* Min and max of a series and the month of each. */
static void range(const double *v, double *lo, int *ilo, double *hi, int *ihi)
{
    *lo = *hi = v[0];
    *ilo = *ihi = 0;
    for (int t = 1; t < MONTHS; t++) {
        if (v[t] < *lo) { *lo = v[t]; *ilo = t; }
        if (v[t] > *hi) { *hi = v[t]; *ihi = t; }
    }
}

/* A check of the write path, not of the model: the monthly audit already
 * stops a run with a non-finite aggregate or a non-zero stock-flow residual,
 * so this finds only values corrupted between the audit and the file. Every
 * F64 dataset of the output table read back finite in every month; sfc 0. */
static void test_finite_and_sfc(void)
{
    if (!run_ok) {
        FAILF("the run did not finish");
        return;
    }
    hid_t f = H5Fopen(out_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        FAILF("cannot open %s", out_path);
        return;
    }
    int checked = 0, nonfinite = 0;
    long values = 0;
    for (int k = 0; k < OUT_COUNT; k++) {
        if (stats_table[k].type != OUT_F64) continue;
        char path[128];
        snprintf(path, sizeof path, "/%s/%s", stats_group_name(stats_table[k].group), stats_table[k].name);
        size_t n = 0;
        int rank = 0;
        hsize_t dims[H5S_MAX_RANK];
        double *v = tu_h5_read(f, out_path, path, H5T_NATIVE_DOUBLE, &n, &rank, dims);
        if (v && rank < 1) {
            FAILF("%s: %s has no month dimension", out_path, path);
            free(v);
            v = NULL;
        }
        if (!v) continue;
        size_t months = (size_t)dims[0];
        if (months != MONTHS) FAILF("%s has %zu months, expected %d", path, months, MONTHS);
        size_t per = months ? n / months : 1;
        size_t j = 0;
        while (j < n && isfinite(v[j])) j++;
        CHECKF(j == n, "%s is not finite (%g) in month %zu, cell %zu", path, j < n ? v[j] : 0.0, j / per, j % per);
        if (j < n) nonfinite++;
        checked++;
        values += (long)n;
        free(v);
    }
    H5Fclose(f);
    printf("\n    write path (the audit checked the values before writing): %d F64 datasets read back, %ld values:"
           " %d datasets with a non-finite value\n", checked, values, nonfinite);
    CU_ASSERT(checked > 0);
    if (!load()) return;
    int64_t worst = 0;
    int at = -1;
    for (int t = 0; t < MONTHS; t++)
        if (se.sfc[t] != 0 && at < 0) {
            worst = se.sfc[t];
            at = t;
        }
    printf("    write path: sfc_residual read back: %s\n", at < 0 ? "0 fen in every month" : "NOT 0");
    CHECKF(at < 0, "/national/sfc_residual = %" PRId64 " fen in month %d", worst, at);
}

/* Positive in every month. */
static void test_positive(void)
{
    if (!load()) return;
    struct {
        const char *name;
        const double *v;
    } s[] = {{"gdp", se.gdp},       {"gdp_real", se.gdp_real}, {"mean_wage", se.mean_wage},
             {"price_index", se.price}, {"capital", se.capital},   {"employment", se.employment}};
    printf("\n");
    for (size_t k = 0; k < sizeof s / sizeof s[0]; k++) {
        double lo, hi;
        int ilo, ihi;
        range(s[k].v, &lo, &ilo, &hi, &ihi);
        printf("    %-12s min %.6g (month %d), max %.6g (month %d), last %.6g\n", s[k].name, lo, ilo, hi, ihi,
               s[k].v[MONTHS - 1]);
        CHECKF(lo > 0, "/national/%s is %g in month %d, not positive", s[k].name, lo, ilo);
    }
}

/* Unemployment in [0, 1], not pinned, not collapsed at the end. */
static void test_unemployment(void)
{
    if (!load()) return;
    double lo, hi, mean = 0, var = 0, last = 0;
    int ilo, ihi;
    range(se.unemp, &lo, &ilo, &hi, &ihi);
    for (int t = 0; t < MONTHS; t++) mean += se.unemp[t] / MONTHS;
    for (int t = 0; t < MONTHS; t++) var += (se.unemp[t] - mean) * (se.unemp[t] - mean) / MONTHS;
    for (int t = MONTHS - 12; t < MONTHS; t++) last += se.unemp[t] / 12;
    printf("\n    unemployment_rate: min %.4g (month %d), max %.4g (month %d), mean %.4g, sd %.4g, last-year mean "
           "%.4g\n",
           lo, ilo, hi, ihi, mean, sqrt(var), last);
    CHECKF(lo >= 0 && hi <= 1, "unemployment rate outside [0, 1]: min %g, max %g", lo, hi);
    CHECKF(hi > UNEMP_MAX_FLOOR, "unemployment never exceeds %g (max %g): pinned at 0", UNEMP_MAX_FLOOR, hi);
    CHECKF(lo < UNEMP_MIN_CEIL, "unemployment never falls below %g (min %g): pinned high", UNEMP_MIN_CEIL, lo);
    CHECKF(var > 0, "unemployment is constant at %g", mean);
    CHECKF(last < UNEMP_LAST_YEAR_MAX, "last-year mean unemployment %g >= %g", last, UNEMP_LAST_YEAR_MAX);
}

/* Firms are born and die. */
static void test_entry_exit(void)
{
    if (!load()) return;
    double en = 0, ex = 0;
    for (int t = 0; t < MONTHS; t++) {
        en += se.entries[t];
        ex += se.exits[t];
    }
    printf("\n    entries over the run %.6g firms, exits %.6g firms\n", en, ex);
    CHECKF(en > 0, "no firm entered in %d months", MONTHS);
    CHECKF(ex > 0, "no firm exited in %d months", MONTHS);
}

/* Nothing grows or shrinks without bound. */
static void test_bounded(void)
{
    if (!load()) return;
    printf("\n");
    /* Year-on-year real GDP growth. */
    double gmin = INFINITY, gmax = -INFINITY, prev = 0;
    int ygmin = 0, ygmax = 0;
    for (int y = 0; y < MONTHS / 12; y++) {
        double sum = 0;
        for (int t = 12 * y; t < 12 * y + 12; t++) sum += se.gdp_real[t];
        if (y > 0) {
            double g = sum / prev - 1;
            printf("    real GDP growth, year %d of the run over year %d: %+.2f%%\n", y + 1, y, 100 * g);
            if (g < gmin) { gmin = g; ygmin = y; }
            if (g > gmax) { gmax = g; ygmax = y; }
            CHECKF(g >= GROWTH_MIN && g <= GROWTH_MAX,
                   "real GDP growth of year %d of the run over year %d is %.2f%%, outside [%g%%, %g%%]", y + 1, y,
                   100 * g, 100 * GROWTH_MIN, 100 * GROWTH_MAX);
        }
        prev = sum;
    }
    printf("    real GDP growth: min %+.2f%% (year %d), max %+.2f%% (year %d); bounds [%g%%, %g%%]\n", 100 * gmin,
           ygmin + 1, 100 * gmax, ygmax + 1, 100 * GROWTH_MIN, 100 * GROWTH_MAX);

    double lo, hi;
    int ilo, ihi;
    range(se.price, &lo, &ilo, &hi, &ihi);
    printf("    price_index: min %.4g (month %d), max %.4g (month %d); bounds [%g, %g]\n", lo, ilo, hi, ihi,
           PRICE_MIN, PRICE_MAX);
    CHECKF(lo >= PRICE_MIN && hi <= PRICE_MAX, "price index leaves [%g, %g]: %g to %g", PRICE_MIN, PRICE_MAX, lo, hi);

    struct {
        const char *name;
        const double *v;
    } debts[] = {{"firm_loans", se.firm_loans}, {"lgfv_debt", se.lgfv}, {"central_debt", se.central}};
    for (size_t k = 0; k < sizeof debts / sizeof debts[0]; k++) {
        double rmax = -INFINITY, rfirst = debts[k].v[0] / (12 * se.gdp[0]);
        int at = 0;
        for (int t = 0; t < MONTHS; t++) {
            double r = debts[k].v[t] / (12 * se.gdp[t]);
            if (!isnan(rmax) && (isnan(r) || r > rmax)) { /* a NaN sticks */
                rmax = r;
                at = t;
            }
        }
        double rlast = debts[k].v[MONTHS - 1] / (12 * se.gdp[MONTHS - 1]);
        printf("    %s / annualised GDP: first %.3f, max %.3f (month %d), last %.3f; bound %g\n", debts[k].name,
               rfirst, rmax, at, rlast, DEBT_GDP_MAX);
        CHECKF(rmax < DEBT_GDP_MAX, "%s / annualised GDP reaches %g in month %d (bound %g)", debts[k].name, rmax, at,
               DEBT_GDP_MAX);
    }

    range(se.labour_share, &lo, &ilo, &hi, &ihi);
    printf("    labour_share: min %.4g (month %d), max %.4g (month %d); bounds [%g, %g]\n", lo, ilo, hi, ihi,
           LABOUR_SHARE_MIN, LABOUR_SHARE_MAX);
    CHECKF(lo >= LABOUR_SHARE_MIN && hi <= LABOUR_SHARE_MAX,
           "labour share leaves [%g, %g]: %g (month %d) to %g (month %d)", LABOUR_SHARE_MIN, LABOUR_SHARE_MAX, lo, ilo,
           hi, ihi);

    range(se.firms, &lo, &ilo, &hi, &ihi);
    double f0 = se.firms[0];
    printf("    firms_alive: first %.6g, min %.6g (x%.3f, month %d), max %.6g (x%.3f, month %d); bounds x[%g, %g]\n",
           f0, lo, lo / f0, ilo, hi, hi / f0, ihi, FIRMS_RATIO_MIN, FIRMS_RATIO_MAX);
    CHECKF(f0 > 0 && lo >= FIRMS_RATIO_MIN * f0 && hi <= FIRMS_RATIO_MAX * f0,
           "firms alive leave [%g, %g] x the first month's %g: %g to %g", FIRMS_RATIO_MIN, FIRMS_RATIO_MAX, f0, lo, hi);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* our messages name file and dataset */
    static const tu_test tests[] = {
        {"run the baseline for 204 months", test_run},
        {"write path: every F64 output read back finite, stock-flow residual 0", test_finite_and_sfc},
        {"GDP, real GDP, wages, prices, capital, employment positive", test_positive},
        {"unemployment in [0, 1], not pinned, not collapsed", test_unemployment},
        {"firms are born and die", test_entry_exit},
        {"growth, prices, debts, labour share and firm counts bounded", test_bounded},
        {NULL, NULL},
    };
    int rc = tu_run_suite("sanity", tests);
    series_free();
    return rc;
}
