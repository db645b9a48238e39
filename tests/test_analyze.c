/* test_analyze.c - incubator-analyze (analysis/, docs/analysis.md).
 *
 * Writes small HDF5 files shaped like the simulator's (4 nodes, 3 sectors,
 * 72 months from 2019-01, policy 2021-01) whose every series is a known
 * pseudo-random array, runs the real program $INCUBATOR_BIN/incubator-analyze
 * on them, parses its --format csv (or json, text) output and compares each
 * outcome with the value recomputed here, independently, from the same arrays
 * by the definitions of docs/analysis.md (to 6 significant digits). Also:
 * one seed gives an n/a interval; the 95% t interval covers the true mean of
 * a normal sample in 95% +- 3% of 400 ensembles (ensemble.c called directly);
 * compare pairs by seed and refuses what cannot be paired; every bad-input
 * case is a one-line error naming the file with exit 2, and --keep-going
 * analyses the others; check passes a sound file and fails a broken one; plot
 * writes five non-trivial PNGs and fails clearly without gnuplot. */
#include "testutil.h"
#include "ensemble.h"
#include "stats.h" /* sim/stats.h: the simulator's output table, to write complete files */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <hdf5.h>

#define CHECKF(cond, ...)                                                                    \
    do {                                                                                     \
        if (cond) CU_assertImplementation(CU_TRUE, __LINE__, #cond, __FILE__, "", CU_FALSE); \
        else FAILF(__VA_ARGS__);                                                             \
    } while (0)

/* ---- the synthetic run -------------------------------------------------- */

#define NN 4 /* nodes: 0, 1 coastal; 2, 3 inland */
#define NS 3 /* sectors: 0 not hard tech; 1, 2 hard tech */
#define START_YM (2019 * 12)
#define POLICY_YM (2021 * 12)

/* National series (T). */
enum { N_GDP, N_GDP_REAL, N_CAPITAL, N_SKILL, N_EMP, N_LOANS, N_LGFV, N_CENTRAL, N_SUBS, N_PRICE, N_TENT,
       N_TSURV, N_ALIVE, N_GINI, N_UNEMP, N_COUNT };
static const char *const nat_name[N_COUNT] = {
    "gdp", "gdp_real", "capital", "skill_units", "employment", "firm_loans", "lgfv_debt", "central_debt",
    "subsidies", "price_index", "target_entries", "target_survivors_36m", "firms_alive", "wage_gini",
    "unemployment_rate"};
/* Node series (T, N). */
enum { D_GDP, D_EMPLOYED, D_IN, D_OUT, D_ZOMBIES, D_UNEMP, D_COUNT };
static const char *const node_name_[D_COUNT] = {"gdp", "employed", "in_migrants", "out_migrants", "zombies",
                                                "unemployment_rate"};
/* Node-sector series (T, N, S). */
enum { S_ENTRIES, S_WANNABE, S_SHELL, S_EMP, S_COUNT };
static const char *const ns_name[S_COUNT] = {"entries", "wannabe_entries", "shell_entries", "employment"};

static const int coastal[NN] = {1, 1, 0, 0};
static const int hard[NS] = {0, 1, 1};
static const double alpha[NS] = {0.30, 0.45, 0.55};

typedef struct {
    int T;
    char scenario[64];
    uint64_t seed;
    int policy_ym;
    double *nat[N_COUNT];
    double *node[D_COUNT];
    double *ns[S_COUNT];
    /* How to write it (the bad-input cases). */
    const char *status;    /* default "complete" */
    int months_planned;    /* default T */
    int months_written;    /* default T */
    const char *omit;      /* a dataset path left out, or NULL */
    int foreign;           /* no simulator root attributes: "another program" */
    int long_scenario;     /* scenario text in dataset /scenario */
    long long sfc_bad;     /* a non-zero residual in month 3 */
    int nan_gdp;           /* a NaN in /national/gdp month 5 */
} run_t;

static double *alloc_d(size_t n)
{
    double *p = calloc(n, sizeof *p);
    if (!p) abort();
    return p;
}

/* A run of T months with values drawn from (name, seed); subsidy_scale
 * sets the size of the policy's subsidies (the compared scenarios differ). */
static run_t *run_make(const char *name, uint64_t seed, int T, double subsidy_scale)
{
    run_t *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->T = T;
    snprintf(r->scenario, sizeof r->scenario, "%s", name);
    r->seed = seed;
    r->policy_ym = POLICY_YM;
    r->status = "complete";
    r->months_planned = r->months_written = T;
    unsigned long key = seed * 7919u;
    for (const char *c = name; *c; c++) key = key * 31u + (unsigned char)*c;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, key);
    const int p = r->policy_ym - START_YM;
    for (int k = 0; k < N_COUNT; k++) r->nat[k] = alloc_d((size_t)T);
    for (int k = 0; k < D_COUNT; k++) r->node[k] = alloc_d((size_t)T * NN);
    for (int k = 0; k < S_COUNT; k++) r->ns[k] = alloc_d((size_t)T * NN * NS);
    for (int t = 0; t < T; t++) {
#define U gsl_rng_uniform(g)
        double price = 1 + 0.002 * t + 0.01 * U;
        r->nat[N_PRICE][t] = price;
        r->nat[N_GDP_REAL][t] = 7e12 * (1 + 0.003 * t) * (0.95 + 0.1 * U);
        r->nat[N_GDP][t] = r->nat[N_GDP_REAL][t] * price * (0.98 + 0.04 * U);
        r->nat[N_CAPITAL][t] = 3e14 * (1 + 0.002 * t) * (0.99 + 0.02 * U);
        r->nat[N_SKILL][t] = 7e8 * (1 + 0.001 * t) * (0.99 + 0.02 * U);
        r->nat[N_EMP][t] = 6.5e8 * (1 + 0.0005 * t) * (0.99 + 0.02 * U);
        r->nat[N_LOANS][t] = 1.4e14 * (1 + 0.004 * t) * (0.99 + 0.02 * U);
        r->nat[N_LGFV][t] = 4e13 * (1 + 0.006 * t) * (0.99 + 0.02 * U);
        r->nat[N_CENTRAL][t] = 1.6e13 * (1 + 0.003 * t) * (0.99 + 0.02 * U);
        r->nat[N_SUBS][t] = t >= p ? subsidy_scale * 5e10 * (1 + U) : 1e9 * U;
        r->nat[N_TENT][t] = t >= p ? 1000 * (1 + U) : 0;
        r->nat[N_TSURV][t] = t >= p + 36 ? 600 * (1 + U) : 0;
        r->nat[N_ALIVE][t] = 4e7 * (1 + 0.1 * U);
        r->nat[N_GINI][t] = 0.4 + 0.05 * U;
        r->nat[N_UNEMP][t] = 0.05 + 0.01 * U;
        for (int n = 0; n < NN; n++) {
            size_t i = (size_t)t * NN + n;
            r->node[D_GDP][i] = 1e12 * (1 + n + (coastal[n] ? 0 : 0.004 * t)) * (0.9 + 0.2 * U);
            r->node[D_EMPLOYED][i] = 1e8 * (1 + 0.5 * n) * (0.95 + 0.1 * U);
            r->node[D_IN][i] = 1e5 * (coastal[n] ? 1 : 1.3) * U;
            r->node[D_OUT][i] = 1e5 * U;
            r->node[D_ZOMBIES][i] = 1e4 * U;
            r->node[D_UNEMP][i] = 0.04 + 0.02 * U;
            for (int s = 0; s < NS; s++) {
                size_t j = i * NS + s;
                double e = 100 + 1000 * U * (hard[s] && !coastal[n] && t >= p ? 3 : 1);
                r->ns[S_ENTRIES][j] = e;
                r->ns[S_WANNABE][j] = e * 0.2 * U;
                r->ns[S_SHELL][j] = e * 0.1 * U;
                r->ns[S_EMP][j] = 1e6 * (1 + s + n) * (0.9 + 0.2 * U);
            }
        }
#undef U
    }
    gsl_rng_free(g);
    return r;
}

static void run_free(run_t *r)
{
    if (!r) return;
    for (int k = 0; k < N_COUNT; k++) free(r->nat[k]);
    for (int k = 0; k < D_COUNT; k++) free(r->node[k]);
    for (int k = 0; k < S_COUNT; k++) free(r->ns[k]);
    free(r);
}

/* ---- writing the HDF5 file ---------------------------------------------- */

static void attr_text(hid_t loc, const char *name, const char *text)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(text) + 1);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, t, text);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
}

static void attr_num(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, mtype, v);
    H5Aclose(a);
    H5Sclose(sp);
}

static void dset(hid_t file, const char *path, hid_t ftype, hid_t mtype, int rank, const hsize_t *dims,
                 const void *buf)
{
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t d = H5Dcreate2(file, path, ftype, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(d);
    H5Pclose(lcpl);
    H5Sclose(sp);
}

static void dset_strings(hid_t file, const char *path, const char *const *s, int n)
{
    char buf[16][24];
    memset(buf, 0, sizeof buf);
    for (int i = 0; i < n; i++) snprintf(buf[i], sizeof buf[i], "%s", s[i]);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 24);
    hsize_t dims[1] = {(hsize_t)n};
    dset(file, path, t, t, 1, dims, buf);
    H5Tclose(t);
}

/* The series of r named /group/name, or NULL. */
static const double *series_of(const run_t *r, const char *group, const char *name)
{
    if (!strcmp(group, "national")) {
        for (int k = 0; k < N_COUNT; k++)
            if (!strcmp(nat_name[k], name)) return r->nat[k];
    } else if (!strcmp(group, "node")) {
        for (int k = 0; k < D_COUNT; k++)
            if (!strcmp(node_name_[k], name)) return r->node[k];
    } else {
        for (int k = 0; k < S_COUNT; k++)
            if (!strcmp(ns_name[k], name)) return r->ns[k];
    }
    return NULL;
}

/* Write r to path: root attributes, coordinates, every dataset of the
 * simulator's output table (our series where we have them, 0.25 elsewhere),
 * and the node and sector attributes. Returns 0. */
static int run_write(const run_t *r, const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return -1;
    const int T = r->T;
    char scen[512];
    snprintf(scen, sizeof scen,
             "; scenario '%s', fully resolved\ndescription = test\n\n[run]\nstart = 2019-01\nmonths = %d\n\n"
             "[policy]\nstart = %04d-%02d   ; a comment\n\n[init]\nunemployment = 0.05\n",
             r->scenario, T, r->policy_ym / 12, r->policy_ym % 12 + 1);
    if (!r->foreign) {
        int32_t planned = r->months_planned, written = r->months_written, threads = 1;
        double ppa = 250;
        attr_text(f, "model_version", "0.1.0");
        attr_text(f, "git_revision", "test");
        attr_text(f, "scenario_name", r->scenario);
        attr_num(f, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &r->seed);
        attr_num(f, "threads", H5T_STD_I32LE, H5T_NATIVE_INT32, &threads);
        attr_text(f, "command_line", "test_analyze");
        if (r->long_scenario) {
            attr_text(f, "scenario", "(longer than 60 KB: stored in dataset /scenario)");
            hid_t t = H5Tcopy(H5T_C_S1);
            H5Tset_size(t, strlen(scen) + 1);
            hid_t sp = H5Screate(H5S_SCALAR);
            hid_t d = H5Dcreate2(f, "/scenario", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, scen);
            H5Dclose(d);
            H5Sclose(sp);
            H5Tclose(t);
        } else {
            attr_text(f, "scenario", scen);
        }
        attr_text(f, "start_month", "2019-01");
        attr_num(f, "months_planned", H5T_STD_I32LE, H5T_NATIVE_INT32, &planned);
        attr_num(f, "months_written", H5T_STD_I32LE, H5T_NATIVE_INT32, &written);
        attr_num(f, "persons_per_agent", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &ppa);
        attr_text(f, "status", r->status);
    }
    int32_t *time = malloc((size_t)T * sizeof *time);
    for (int t = 0; t < T; t++) time[t] = t;
    hsize_t dims[3] = {(hsize_t)T, NN, NS};
    if (!r->omit || strcmp(r->omit, "/time")) dset(f, "/time", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, dims, time);
    free(time);
    static const char *const nodes[NN] = {"Shanghai", "Shenzhen", "Hefei", "Chengdu"};
    static const char *const sectors[NS] = {"manufacturing", "robotics", "semiconductors"};
    dset_strings(f, "/node_name", nodes, NN);
    dset_strings(f, "/sector_name", sectors, NS);
    double *fill = alloc_d((size_t)T * NN * NS);
    int64_t *zeros = calloc((size_t)T, sizeof *zeros);
    for (size_t i = 0; i < (size_t)T * NN * NS; i++) fill[i] = 0.25;
    if (r->sfc_bad) zeros[3] = r->sfc_bad;
    for (int k = 0; k < OUT_COUNT; k++) {
        const char *g = stats_group_name(stats_table[k].group);
        char p[256];
        snprintf(p, sizeof p, "/%s/%s", g, stats_table[k].name);
        if (r->omit && !strcmp(r->omit, p)) continue;
        int rank = stats_table[k].group == OUT_NATIONAL ? 1 : stats_table[k].group == OUT_NODE ? 2 : 3;
        if (stats_table[k].type == OUT_I64) {
            dset(f, p, H5T_STD_I64LE, H5T_NATIVE_INT64, 1, dims, zeros);
            continue;
        }
        const double *x = series_of(r, g, stats_table[k].name);
        double *copy = NULL;
        if (x && r->nan_gdp && !strcmp(p, "/national/gdp")) {
            copy = alloc_d((size_t)T);
            memcpy(copy, x, (size_t)T * sizeof *copy);
            copy[5] = NAN;
            x = copy;
        }
        dset(f, p, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims, x ? x : fill);
        free(copy);
    }
    free(fill);
    free(zeros);
    int8_t c8[NN], h8[NS];
    for (int n = 0; n < NN; n++) c8[n] = (int8_t)coastal[n];
    for (int s = 0; s < NS; s++) h8[s] = (int8_t)hard[s];
    hsize_t dn[1] = {NN}, ds[1] = {NS};
    if (!r->omit || strcmp(r->omit, "/node_coastal")) dset(f, "/node_coastal", H5T_STD_I8LE, H5T_NATIVE_INT8, 1, dn, c8);
    if (!r->omit || strcmp(r->omit, "/sector_hard_tech"))
        dset(f, "/sector_hard_tech", H5T_STD_I8LE, H5T_NATIVE_INT8, 1, ds, h8);
    if (!r->omit || strcmp(r->omit, "/sector_alpha"))
        dset(f, "/sector_alpha", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, ds, alpha);
    return H5Fclose(f) < 0 ? -1 : 0;
}

/* ---- the outcomes, recomputed from the arrays by docs/analysis.md -------- */

/* sum over months a..b of national series k. */
static double nsum(const run_t *r, int k, int a, int b)
{
    double s = 0;
    for (int t = a; t <= b; t++) s += r->nat[k][t];
    return s;
}

/* sum over months a..b and nodes (inland only if asked) of node series k. */
static double dsum(const run_t *r, int k, int a, int b, int inland_only)
{
    double s = 0;
    for (int t = a; t <= b; t++)
        for (int n = 0; n < NN; n++)
            if (!inland_only || !coastal[n]) s += r->node[k][t * NN + n];
    return s;
}

static double ssum(const run_t *r, int k, int a, int b, int inland_only, int hard_only)
{
    double s = 0;
    for (int t = a; t <= b; t++)
        for (int n = 0; n < NN; n++)
            for (int j = 0; j < NS; j++)
                if ((!inland_only || !coastal[n]) && (!hard_only || hard[j])) s += r->ns[k][(t * NN + n) * NS + j];
    return s;
}

static double alpha_w(const run_t *r, int a, int b)
{
    double num = 0, den = 0;
    for (int t = a; t <= b; t++)
        for (int n = 0; n < NN; n++)
            for (int j = 0; j < NS; j++) {
                double e = r->ns[S_EMP][(t * NN + n) * NS + j];
                num += e * alpha[j];
                den += e;
            }
    return num / den;
}

/* The 20 summary outcomes in the order of docs/analysis.md, NaN where n/a. */
#define N_OUT 20
static const char *const out_key[N_OUT + 1] = {
    "gdp_last_year", "gdp_growth", "tfp_growth", "labour_productivity_growth", "debt_corporate_gdp",
    "debt_local_gdp", "debt_central_gdp", "debt_total_gdp", "inland_gdp_share", "inland_gdp_share_change",
    "inland_employment_share", "inland_employment_share_change", "inland_net_migration",
    "inland_hardtech_registration_ratio", "target_survival_3y", "wannabe_share", "shell_share", "zombie_share",
    "subsidy_cost", "wage_gini", "gdp_per_subsidy_yuan"};

static void expected(const run_t *r, double *o)
{
    const int T = r->T, p = r->policy_ym - START_YM;
    const int La = T - 12, Lb = T - 1, Ba = p - 12, Bb = p - 1, Fa = p, Fb = p + 11;
    const int L_ok = La >= 0, B_ok = Ba >= 0 && Bb <= T - 1, F_ok = Fa >= 0 && Fb <= T - 1;
    const int growth = L_ok && B_ok && T - 12 >= p, P_ok = p >= 0 && p <= T - 1;
    const double years = (T - p) / 12.0;
    for (int k = 0; k < N_OUT; k++) o[k] = NAN;
    if (L_ok) {
        double yl = nsum(r, N_GDP_REAL, La, Lb), gdp = nsum(r, N_GDP, La, Lb);
        o[0] = yl / 1e12;
        o[4] = 100 * r->nat[N_LOANS][T - 1] / gdp;
        o[5] = 100 * r->nat[N_LGFV][T - 1] / gdp;
        o[6] = 100 * r->nat[N_CENTRAL][T - 1] / gdp;
        o[7] = 100 * (r->nat[N_LOANS][T - 1] + r->nat[N_LGFV][T - 1] + r->nat[N_CENTRAL][T - 1]) / gdp;
        o[8] = 100 * dsum(r, D_GDP, La, Lb, 1) / dsum(r, D_GDP, La, Lb, 0);
        o[10] = 100 * dsum(r, D_EMPLOYED, La, Lb, 1) / dsum(r, D_EMPLOYED, La, Lb, 0);
        o[19] = nsum(r, N_GINI, La, Lb) / 12;
    }
    if (growth) {
        double yb = nsum(r, N_GDP_REAL, Ba, Bb), yl = nsum(r, N_GDP_REAL, La, Lb);
        o[1] = 100 * (pow(yl / yb, 1 / years) - 1);
        double kb = nsum(r, N_CAPITAL, Ba, Bb) / 12, kl = nsum(r, N_CAPITAL, La, Lb) / 12;
        double hb = nsum(r, N_SKILL, Ba, Bb) / 12, hl = nsum(r, N_SKILL, La, Lb) / 12;
        double ab = (alpha_w(r, Ba, Bb) + alpha_w(r, La, Lb)) / 2;
        double d = log(yl / yb) - ab * log(kl / kb) - (1 - ab) * log(hl / hb);
        o[2] = 100 * (exp(d / years) - 1);
        double eb = nsum(r, N_EMP, Ba, Bb) / 12, el = nsum(r, N_EMP, La, Lb) / 12;
        o[3] = 100 * (pow((yl / el) / (yb / eb), 1 / years) - 1);
        o[9] = o[8] - 100 * dsum(r, D_GDP, Ba, Bb, 1) / dsum(r, D_GDP, Ba, Bb, 0);
        o[11] = o[10] - 100 * dsum(r, D_EMPLOYED, Ba, Bb, 1) / dsum(r, D_EMPLOYED, Ba, Bb, 0);
    }
    if (P_ok) {
        o[12] = (dsum(r, D_IN, p, T - 1, 1) - dsum(r, D_OUT, p, T - 1, 1)) / 1e6;
        double all = ssum(r, S_ENTRIES, p, T - 1, 0, 0);
        o[15] = 100 * ssum(r, S_WANNABE, p, T - 1, 0, 0) / all;
        o[16] = 100 * ssum(r, S_SHELL, p, T - 1, 0, 0) / all;
        o[18] = nsum(r, N_SUBS, p, T - 1) / 1e12;
    }
    if (F_ok && B_ok) o[13] = ssum(r, S_ENTRIES, Fa, Fb, 1, 1) / ssum(r, S_ENTRIES, Ba, Bb, 1, 1);
    if (p >= 0 && T - 37 >= p) o[14] = 100 * nsum(r, N_TSURV, p + 36, T - 1) / nsum(r, N_TENT, p, T - 37);
    double z = 0;
    for (int n = 0; n < NN; n++) z += r->node[D_ZOMBIES][(T - 1) * NN + n];
    o[17] = 100 * z / r->nat[N_ALIVE][T - 1];
}

/* GDP gained per yuan of subsidy of s against r (docs/analysis.md "compare"). */
static double gdp_per_subsidy(const run_t *s, const run_t *r)
{
    const int p = s->policy_ym - START_YM, T = s->T;
    double dg = 0, ds = 0;
    for (int t = p; t < T; t++) {
        dg += s->nat[N_GDP_REAL][t] - r->nat[N_GDP_REAL][t];
        ds += s->nat[N_SUBS][t] / s->nat[N_PRICE][t] - r->nat[N_SUBS][t] / r->nat[N_PRICE][t];
    }
    return dg / ds;
}

/* ---- running the program and reading its output ------------------------- */

static char bin_path[512];

static int have_bin(void)
{
    const char *bin = getenv("INCUBATOR_BIN");
    if (!bin || !*bin) {
        FAILF("INCUBATOR_BIN is not set (the folder holding incubator-analyze; CTest sets it)");
        return 0;
    }
    snprintf(bin_path, sizeof bin_path, "%s/incubator-analyze", bin);
    struct stat st;
    if (stat(bin_path, &st) != 0) {
        FAILF("%s does not exist (build incubator-analyze first)", bin_path);
        return 0;
    }
    return 1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return calloc(1, 1);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = calloc((size_t)n + 1, 1);
    if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) buf[0] = '\0';
    fclose(f);
    return buf;
}

/* Run `[env] incubator-analyze ARGS` with stdout and stderr captured (malloc'ed
 * into *out and *err when not NULL). Returns the exit code (-1 if killed). */
static int run_prog(const char *env, const char *args, char **out, char **err)
{
    char cmd[8192], o[600], e[600];
    snprintf(o, sizeof o, "%s/stdout", tu_tmpdir());
    snprintf(e, sizeof e, "%s/stderr", tu_tmpdir());
    snprintf(cmd, sizeof cmd, "%s %s %s >%s 2>%s", env ? env : "", bin_path, args, o, e);
    int st = system(cmd);
    if (out) *out = slurp(o);
    if (err) *err = slurp(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A path in the temporary folder. */
static const char *tmp(const char *name)
{
    static char buf[8][600];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tu_tmpdir(), name);
    return buf[k];
}

/* Split a CSV line (no quoted fields in our tests) into at most cap fields. */
static int split(char *line, char **f, int cap)
{
    int n = 0;
    char *p = line;
    while (n < cap) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c) break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

/* The value of column `col` in the CSV row whose first field is `name`;
 * NaN when the field is empty; *found = 0 when the row or column is missing. */
static double csv_value(const char *csv, const char *name, const char *col, int *found)
{
    *found = 0;
    char *copy = strdup(csv);
    char *save = NULL, *line = strtok_r(copy, "\n", &save);
    if (!line) {
        free(copy);
        return NAN;
    }
    char *head[256];
    int nh = split(line, head, 256), ci = -1;
    for (int i = 0; i < nh; i++)
        if (!strcmp(head[i], col)) ci = i;
    double v = NAN;
    while ((line = strtok_r(NULL, "\n", &save))) {
        char *fld[256];
        int nf = split(line, fld, 256);
        if (nf > 0 && !strcmp(fld[0], name) && ci >= 0 && ci < nf) {
            *found = 1;
            v = fld[ci][0] ? strtod(fld[ci], NULL) : NAN;
        }
    }
    free(copy);
    return v;
}

/* Equal to 6 significant digits (both NaN counts as equal). */
static int same6(double got, double want)
{
    if (isnan(want) || isnan(got)) return isnan(want) && isnan(got);
    double scale = fmax(fabs(want), fabs(got));
    return fabs(got - want) <= 5e-7 * scale + 1e-300;
}

static int lines_of(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* ---- tests -------------------------------------------------------------- */

/* Every summary outcome of one file equals the independent recomputation. */
static void test_summary_outcomes(void)
{
    if (!have_bin()) return;
    run_t *r = run_make("gamble", 11, 72, 1.0);
    CHECKF(run_write(r, tmp("one.h5")) == 0, "cannot write one.h5");
    char *out, *err, args[1024];
    snprintf(args, sizeof args, "summary --format csv %s", tmp("one.h5"));
    int rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 0, "summary exit %d, stderr: %s", rc, err);
    double want[N_OUT];
    expected(r, want);
    for (int k = 0; k < N_OUT; k++) {
        int found;
        double got = csv_value(out, "gamble", out_key[k], &found);
        CHECKF(found, "column %s missing from the CSV:\n%s", out_key[k], out);
        CHECKF(isfinite(want[k]), "test data leave %s undefined (the test must cover it)", out_key[k]);
        CHECKF(same6(got, want[k]), "%s: printed %.10g, recomputed %.10g", out_key[k], got, want[k]);
        char ncol[128];
        snprintf(ncol, sizeof ncol, "%s_n", out_key[k]);
        CHECKF(csv_value(out, "gamble", ncol, &found) == 1, "%s_n is not 1 for one file", out_key[k]);
    }
    CHECKF(strstr(out, "scenario,files,seeds") == out, "CSV header does not start with scenario,files,seeds");
    free(out);
    free(err);

    /* The same through JSON, and the scenario text stored in /scenario. */
    r->long_scenario = 1;
    CHECKF(run_write(r, tmp("one_long.h5")) == 0, "cannot write one_long.h5");
    snprintf(args, sizeof args, "summary --format json %s", tmp("one_long.h5"));
    rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 0, "summary (scenario text in /scenario) exit %d: %s", rc, err);
    char pat[128];
    snprintf(pat, sizeof pat, "\"gdp_last_year\": {\"mean\": %.12g,", want[0]);
    CHECKF(strstr(out, pat) != NULL, "JSON lacks '%s':\n%.600s", pat, out);
    CHECKF(strstr(out, "\"lo\": null, \"hi\": null, \"n\": 1") != NULL, "JSON: one seed must give null bounds");
    /* The program prints exactly the outcomes this test recomputes, and
     * docs/analysis.md defines each of them. */
    int n_keys = 0;
    for (const char *q = out; (q = strstr(q, "{\"key\": ")); q++) n_keys++;
    CHECKF(n_keys == N_OUT, "summary lists %d outcomes, the test knows %d", n_keys, N_OUT);
    char docs_path[600];
    snprintf(docs_path, sizeof docs_path, "%s/docs/analysis.md", tu_srcdir());
    char *docs = slurp(docs_path);
    for (int k = 0; k <= N_OUT; k++) {
        char key[128];
        snprintf(key, sizeof key, "{\"key\": \"%s\"", out_key[k]);
        CHECKF(k == N_OUT || strstr(out, key), "summary JSON lacks outcome %s", out_key[k]);
        snprintf(key, sizeof key, "`%s`", out_key[k]);
        CHECKF(strstr(docs, key) != NULL, "docs/analysis.md does not define %s", out_key[k]);
    }
    free(docs);
    free(out);
    free(err);
    run_free(r);
}

/* Outcomes whose windows the run does not cover are n/a, not zero. */
static void test_summary_short_run(void)
{
    if (!have_bin()) return;
    run_t *r = run_make("short", 1, 30, 1.0); /* L = 18..29, B = 12..23: growth needs T-12 >= p = 24 */
    CHECKF(run_write(r, tmp("short.h5")) == 0, "cannot write short.h5");
    char *out, *err, args[1024];
    snprintf(args, sizeof args, "summary --format csv %s", tmp("short.h5"));
    int rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 0, "summary exit %d: %s", rc, err);
    double want[N_OUT];
    expected(r, want);
    int n_na = 0;
    for (int k = 0; k < N_OUT; k++) {
        int found;
        double got = csv_value(out, "short", out_key[k], &found);
        CHECKF(same6(got, want[k]), "%s: printed %.10g, recomputed %.10g", out_key[k], got, want[k]);
        n_na += isnan(want[k]);
    }
    CHECKF(n_na >= 6, "expected growth, survival and registrations to be n/a in a 30-month run (%d n/a)", n_na);
    free(out);
    free(err);
    run_free(r);
}

/* One seed: the interval is n/a in every format, never zero width. */
static void test_one_seed_na(void)
{
    if (!have_bin()) return;
    run_t *r = run_make("solo", 5, 72, 1.0);
    run_write(r, tmp("solo.h5"));
    char *out, *err, args[1024];
    snprintf(args, sizeof args, "summary --format csv %s", tmp("solo.h5"));
    run_prog(NULL, args, &out, &err);
    int found;
    for (int k = 0; k < N_OUT; k++) {
        char lo[128], hi[128];
        snprintf(lo, sizeof lo, "%s_lo", out_key[k]);
        snprintf(hi, sizeof hi, "%s_hi", out_key[k]);
        CHECKF(isnan(csv_value(out, "solo", lo, &found)) && found, "%s must be empty with one seed", lo);
        CHECKF(isnan(csv_value(out, "solo", hi, &found)) && found, "%s must be empty with one seed", hi);
    }
    free(out);
    free(err);
    snprintf(args, sizeof args, "summary %s", tmp("solo.h5"));
    run_prog(NULL, args, &out, &err);
    CHECKF(strstr(out, "[n/a]") != NULL, "text table must show [n/a] intervals with one seed:\n%s", out);
    free(out);
    free(err);
    snprintf(args, sizeof args, "summary --format markdown %s", tmp("solo.h5"));
    run_prog(NULL, args, &out, &err);
    CHECKF(strstr(out, "| solo | 1 |") != NULL && strstr(out, "[n/a]") != NULL, "markdown table:\n%s", out);
    free(out);
    free(err);
    run_free(r);
}

/* Three seeds: mean and 95% t interval of the per-seed values. */
static void test_ensemble_interval(void)
{
    if (!have_bin()) return;
    run_t *r[3];
    char args[2048] = "summary --format csv";
    for (int i = 0; i < 3; i++) {
        char name[32];
        r[i] = run_make("trio", (uint64_t)(100 + i), 72, 1.0);
        snprintf(name, sizeof name, "trio%d.h5", i);
        run_write(r[i], tmp(name));
        size_t len = strlen(args);
        snprintf(args + len, sizeof args - len, " %s", tmp(name));
    }
    char *out, *err;
    int rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 0, "summary exit %d: %s", rc, err);
    const double t975 = 4.302652729749464; /* Student t, 2 degrees of freedom, 0.975 quantile */
    CHECKF(fabs(gsl_cdf_tdist_Pinv(0.975, 2) - t975) < 1e-9, "t quantile table disagrees with GSL");
    for (int k = 0; k < N_OUT; k++) {
        double v[3], w[N_OUT];
        for (int i = 0; i < 3; i++) {
            expected(r[i], w);
            v[i] = w[k];
        }
        double m = (v[0] + v[1] + v[2]) / 3;
        double sd = sqrt(((v[0] - m) * (v[0] - m) + (v[1] - m) * (v[1] - m) + (v[2] - m) * (v[2] - m)) / 2);
        double half = t975 * sd / sqrt(3.0);
        char lo[128], hi[128];
        snprintf(lo, sizeof lo, "%s_lo", out_key[k]);
        snprintf(hi, sizeof hi, "%s_hi", out_key[k]);
        int found;
        double gm = csv_value(out, "trio", out_key[k], &found), gl = csv_value(out, "trio", lo, &found),
               gh = csv_value(out, "trio", hi, &found);
        CHECKF(same6(gm, m), "%s mean: printed %.10g, recomputed %.10g", out_key[k], gm, m);
        /* The bounds to 6 digits of the half-width (they may straddle 0). */
        CHECKF(fabs(gl - (m - half)) <= 1e-6 * fmax(half, fabs(m)) && fabs(gh - (m + half)) <= 1e-6 * fmax(half, fabs(m)),
               "%s interval: printed [%.10g, %.10g], recomputed [%.10g, %.10g]", out_key[k], gl, gh, m - half, m + half);
    }
    CHECKF(strstr(out, "trio,3,100;101;102,") != NULL, "row must list 3 files and seeds 100;101;102:\n%.300s", out);
    free(out);
    free(err);
    for (int i = 0; i < 3; i++) run_free(r[i]);
}

/* The 95% interval covers the true mean in 95% +- 3% of 400 ensembles of 5
 * normal draws; n = 1 gives no interval; non-finite values are skipped. */
static void test_interval_coverage(void)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 20240601);
    const double mu = 3.0, sigma = 2.0;
    int covered = 0;
    const int reps = 400;
    for (int i = 0; i < reps; i++) {
        double x[5];
        for (int j = 0; j < 5; j++) x[j] = mu + gsl_ran_gaussian(g, sigma);
        ens_ci c = ens_interval(x, 5, 0.95);
        covered += c.lo <= mu && mu <= c.hi;
    }
    gsl_rng_free(g);
    double share = (double)covered / reps;
    printf("\n    coverage of the 95%% interval: %.3f over %d ensembles of 5\n", share, reps);
    CHECKF(share >= 0.92 && share <= 0.98, "coverage %.3f outside 0.95 +- 0.03", share);

    double one[1] = {4.5};
    ens_ci c1 = ens_interval(one, 1, 0.95);
    CHECKF(c1.n == 1 && c1.mean == 4.5 && isnan(c1.lo) && isnan(c1.hi), "one value: mean 4.5, no interval");
    ens_ci c0 = ens_interval(NULL, 0, 0.95);
    CHECKF(c0.n == 0 && isnan(c0.mean), "no value: mean n/a");
    double mixed[4] = {1, NAN, 3, INFINITY};
    ens_ci cm = ens_interval(mixed, 4, 0.95);
    CHECKF(cm.n == 2 && cm.mean == 2, "non-finite values must be skipped (n %d, mean %g)", cm.n, cm.mean);
    double h = gsl_cdf_tdist_Pinv(0.975, 1) * sqrt(2.0) / sqrt(2.0);
    CHECKF(fabs(cm.lo - (2 - h)) < 1e-12 && fabs(cm.hi - (2 + h)) < 1e-12, "interval of {1, 3}");
}

/* compare: differences paired by seed (files given in any order). */
static void test_compare_pairs(void)
{
    if (!have_bin()) return;
    run_t *ref[3], *alt[3];
    const uint64_t seeds[3] = {7, 8, 9};
    char args[4096] = "compare --format csv --reference base";
    for (int i = 0; i < 3; i++) {
        ref[i] = run_make("base", seeds[i], 72, 0.2);
        alt[i] = run_make("push", seeds[i], 72, 1.0);
    }
    /* Alternate and shuffle: push 9, base 7, push 7, base 9, base 8, push 8. */
    const int order[6][2] = {{1, 2}, {0, 0}, {1, 0}, {0, 2}, {0, 1}, {1, 1}};
    for (int k = 0; k < 6; k++) {
        char name[32];
        snprintf(name, sizeof name, "%s%d.h5", order[k][0] ? "push" : "base", order[k][1]);
        run_write(order[k][0] ? alt[order[k][1]] : ref[order[k][1]], tmp(name));
        size_t len = strlen(args);
        snprintf(args + len, sizeof args - len, " %s", tmp(name));
    }
    char *out, *err;
    int rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 0, "compare exit %d: %s", rc, err);
    const double t975 = 4.302652729749464;
    for (int k = 0; k <= N_OUT; k++) {
        double d[3];
        for (int i = 0; i < 3; i++) {
            double a[N_OUT], b[N_OUT];
            expected(alt[i], a);
            expected(ref[i], b);
            d[i] = k < N_OUT ? a[k] - b[k] : gdp_per_subsidy(alt[i], ref[i]);
        }
        double m = (d[0] + d[1] + d[2]) / 3;
        double sd = sqrt(((d[0] - m) * (d[0] - m) + (d[1] - m) * (d[1] - m) + (d[2] - m) * (d[2] - m)) / 2);
        double half = t975 * sd / sqrt(3.0);
        char lo[128];
        snprintf(lo, sizeof lo, "%s_lo", out_key[k]);
        int found;
        double gm = csv_value(out, "push", out_key[k], &found), gl = csv_value(out, "push", lo, &found);
        CHECKF(found, "compare CSV lacks %s for push", out_key[k]);
        /* A difference of two 12-digit numbers: compare to 6 digits of the
         * larger of the difference and its spread. */
        double scale = fmax(fabs(m), half);
        CHECKF(fabs(gm - m) <= 1e-6 * scale, "%s difference: printed %.10g, recomputed %.10g", out_key[k], gm, m);
        CHECKF(fabs(gl - (m - half)) <= 1e-6 * scale, "%s lower bound: printed %.10g, recomputed %.10g", out_key[k],
               gl, m - half);
    }
    CHECKF(strstr(out, "push,base,3,7;8;9,") != NULL, "compare row must read push,base,3,7;8;9:\n%.300s", out);
    CHECKF(strstr(out, "\nbase,") == NULL, "the reference must not be a row of compare");
    free(out);
    free(err);
    for (int i = 0; i < 3; i++) {
        run_free(ref[i]);
        run_free(alt[i]);
    }
}

/* compare refuses what cannot be paired, with a message that says why. */
static void test_compare_refusals(void)
{
    if (!have_bin()) return;
    const char *names[] = {"cb1.h5", "cb2.h5", "cb3.h5", "cp1.h5", "cp2.h5"};
    for (int i = 0; i < 5; i++) {
        run_t *r = run_make(i < 3 ? "base" : "push", (uint64_t)(i < 3 ? i + 1 : i - 2), 72, i < 3 ? 0.2 : 1.0);
        run_write(r, tmp(names[i]));
        run_free(r);
    }
    char all[2048], args[4096], *out, *err;
    snprintf(all, sizeof all, "%s %s %s %s %s", tmp(names[0]), tmp(names[1]), tmp(names[2]), tmp(names[3]),
             tmp(names[4]));

    snprintf(args, sizeof args, "compare --reference base %s", all);
    int rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 4, "seed sets differ: exit %d, expected 4", rc);
    CHECKF(strstr(err, "cannot pair scenario 'push'") && strstr(err, "seed(s) 3 of the reference"),
           "message must name the scenario and the missing seed: %s", err);
    CHECKF(out[0] == '\0', "nothing on stdout when compare refuses");
    free(out);
    free(err);

    snprintf(args, sizeof args, "compare --keep-going --format csv --reference base %s", all);
    rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 4, "--keep-going with a missing seed: exit %d, expected 4", rc);
    CHECKF(strstr(out, "push,base,2,1;2,") != NULL, "--keep-going pairs the common seeds 1;2:\n%.300s", out);
    free(out);
    free(err);

    snprintf(args, sizeof args, "compare --reference nope %s", all);
    rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 4 && strstr(err, "reference scenario 'nope' is not among the files"), "absent reference: %d %s", rc,
           err);
    free(out);
    free(err);

    snprintf(args, sizeof args, "compare --reference base %s %s", tmp(names[0]), tmp(names[1]));
    rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 4 && strstr(err, "only the reference"), "only the reference: %d %s", rc, err);
    free(out);
    free(err);

    /* Runs of a pair must cover the same months. */
    run_t *r = run_make("push", 3, 60, 1.0);
    run_write(r, tmp("cp3_short.h5"));
    run_free(r);
    snprintf(args, sizeof args, "compare --reference base %s %s", all, tmp("cp3_short.h5"));
    rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 4 && strstr(err, "differ in months 72 vs 60") && strstr(err, "--allow-mismatch"),
           "files of different lengths: %d %s", rc, err);
    free(out);
    free(err);
    /* --allow-mismatch lets the files in, but a pair must still cover the same months. */
    snprintf(args, sizeof args, "compare --allow-mismatch --reference base %s %s", all, tmp("cp3_short.h5"));
    rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 4 && strstr(err, "warning: compare:") && strstr(err, "same months"), "pair of different lengths: %d %s",
           rc, err);
    free(out);
    free(err);

    /* The same scenario and seed twice is bad input. */
    snprintf(args, sizeof args, "summary %s %s", tmp(names[0]), tmp(names[0]));
    rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 2 && strstr(err, "is also in"), "duplicate scenario and seed: %d %s", rc, err);
    free(out);
    free(err);
}

/* Every bad input: one line on stderr naming the file, exit 2, nothing on
 * stdout; with --keep-going the good file is still summarised. */
static void test_bad_inputs(void)
{
    if (!have_bin()) return;
    run_t *good = run_make("fine", 1, 72, 1.0);
    run_write(good, tmp("good.h5"));

    tu_write_file(tmp("text.h5"), "this is not HDF5\n");
    run_t *r = run_make("x", 1, 72, 1.0);
    r->foreign = 1;
    run_write(r, tmp("foreign.h5"));
    r->foreign = 0;
    r->status = "incomplete";
    run_write(r, tmp("incomplete.h5"));
    r->status = "complete";
    r->months_written = 40;
    run_write(r, tmp("short_written.h5"));
    r->months_written = 72;
    r->omit = "/node_coastal";
    run_write(r, tmp("no_coastal.h5"));
    r->omit = "/node_sector/entries";
    run_write(r, tmp("no_entries.h5"));
    r->omit = NULL;
    run_write(r, tmp("run.h5.partial"));
    run_free(r);
    /* Truncated: the first half of a good file. */
    {
        char *all = NULL;
        FILE *f = fopen(tmp("good.h5"), "rb");
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        all = malloc((size_t)n);
        CHECKF(fread(all, 1, (size_t)n, f) == (size_t)n, "read good.h5");
        fclose(f);
        f = fopen(tmp("truncated.h5"), "wb");
        fwrite(all, 1, (size_t)n / 2, f);
        fclose(f);
        free(all);
    }
    struct {
        const char *file, *words;
    } cases[] = {
        {"text.h5", "not an HDF5 file"},
        {"foreign.h5", "not an incubator-sim output"},
        {"truncated.h5", "truncated"},
        {"run.h5.partial", "partial file"},
        {"incomplete.h5", "status is 'incomplete'"},
        {"short_written.h5", "40 of the 72 planned months"},
        {"no_coastal.h5", "missing dataset /node_coastal"},
        {"no_entries.h5", "missing dataset /node_sector/entries"},
        {"absent.h5", "No such file"},
    };
    const int nc = (int)(sizeof cases / sizeof *cases);
    for (int i = 0; i < nc; i++) {
        const char *path = tmp(cases[i].file);
        char args[2048], *out, *err, want[800];
        snprintf(args, sizeof args, "summary %s %s", tmp("good.h5"), path);
        int rc = run_prog(NULL, args, &out, &err);
        snprintf(want, sizeof want, "incubator-analyze: %s: ", path);
        CHECKF(rc == 2, "%s: exit %d, expected 2", cases[i].file, rc);
        CHECKF(strstr(err, want) == err && strstr(err, cases[i].words) && lines_of(err) == 1,
               "%s: expected one line starting '%s' and saying '%s', got: %s", cases[i].file, want, cases[i].words,
               err);
        CHECKF(out[0] == '\0', "%s: without --keep-going nothing goes to stdout", cases[i].file);
        free(out);
        free(err);
        for (int k = 0; k < 3; k++) { /* every command refuses it the same way */
            const char *cmd = k == 0 ? "compare --reference fine" : k == 1 ? "plot --out" : "summary --format json";
            snprintf(args, sizeof args, "%s %s %s", cmd, k == 1 ? tmp("plots_bad") : "", path);
            rc = run_prog(NULL, args, NULL, &err);
            CHECKF(rc == 2 && strstr(err, cases[i].words), "%s with %s: exit %d: %s", cmd, cases[i].file, rc, err);
            free(err);
        }
    }
    /* --keep-going: all the bad ones reported, the good one analysed, exit 2. */
    char args[8192] = "summary --format csv --keep-going";
    for (int i = 0; i < nc; i++) {
        size_t len = strlen(args);
        snprintf(args + len, sizeof args - len, " %s", tmp(cases[i].file));
        if (i == 3) {
            len = strlen(args);
            snprintf(args + len, sizeof args - len, " %s", tmp("good.h5"));
        }
    }
    char *out, *err;
    int rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 2, "--keep-going with bad files: exit %d, expected 2", rc);
    CHECKF(lines_of(err) == nc, "--keep-going: %d error lines, expected %d:\n%s", lines_of(err), nc, err);
    int found;
    double want[N_OUT];
    expected(good, want);
    CHECKF(same6(csv_value(out, "fine", "gdp_last_year", &found), want[0]) && found,
           "--keep-going must still summarise the good file:\n%.300s", out);
    free(out);
    free(err);
    /* Only bad files: nothing to analyse. */
    snprintf(args, sizeof args, "summary --keep-going %s %s", tmp("text.h5"), tmp("foreign.h5"));
    rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 2 && strstr(err, "no file could be analysed"), "only bad files: %d %s", rc, err);
    free(out);
    free(err);
    run_free(good);
}

/* The command line: usage errors are exit 3. */
static void test_usage(void)
{
    if (!have_bin()) return;
    struct {
        const char *args;
        int rc;
    } cases[] = {
        {"", 3}, {"frobnicate x.h5", 3}, {"summary", 3}, {"compare x.h5", 3}, {"plot x.h5", 3},
        {"summary --format xml x.h5", 3}, {"summary --bogus x.h5", 3}, {"--help", 0}, {"--version", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *err;
        int rc = run_prog(NULL, cases[i].args, NULL, &err);
        CHECKF(rc == cases[i].rc, "'%s': exit %d, expected %d (%s)", cases[i].args, rc, cases[i].rc, err);
        free(err);
    }
}

/* check: a sound file passes; a broken one fails with exit 1. */
static void test_check(void)
{
    if (!have_bin()) return;
    run_t *r = run_make("chk", 1, 72, 1.0);
    run_write(r, tmp("chk_ok.h5"));
    char args[1024], *out, *err;
    snprintf(args, sizeof args, "check %s", tmp("chk_ok.h5"));
    int rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 0 && strstr(out, "PASS"), "check of a sound file: exit %d\n%s%s", rc, out, err);
    CHECKF(strstr(out, "stock-flow residual") && strstr(out, "finite") && strstr(out, "bounds"),
           "check must say what it checked:\n%s", out);
    free(out);
    free(err);

    struct {
        const char *file, *words;
    } cases[] = {{"chk_sfc.h5", "stock-flow residual: 17 fen in month 3"},
                 {"chk_nan.h5", "/national/gdp holds NaN"},
                 {"chk_unemp.h5", "/national/unemployment_rate = 1.5"},
                 {"chk_incomplete.h5", "status: 'incomplete'"},
                 {"chk_missing.h5", "/national/wage_gini is missing"}};
    r->sfc_bad = 17;
    run_write(r, tmp("chk_sfc.h5"));
    r->sfc_bad = 0;
    r->nan_gdp = 1;
    run_write(r, tmp("chk_nan.h5"));
    r->nan_gdp = 0;
    double keep = r->nat[N_UNEMP][10];
    r->nat[N_UNEMP][10] = 1.5;
    run_write(r, tmp("chk_unemp.h5"));
    r->nat[N_UNEMP][10] = keep;
    r->status = "incomplete";
    run_write(r, tmp("chk_incomplete.h5"));
    r->status = "complete";
    r->omit = "/national/wage_gini";
    run_write(r, tmp("chk_missing.h5"));
    r->omit = NULL;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(args, sizeof args, "check %s", tmp(cases[i].file));
        rc = run_prog(NULL, args, &out, &err);
        CHECKF(rc == 1 && strstr(out, "FAIL") && strstr(out, cases[i].words), "check %s: exit %d, want 1 and '%s':\n%s",
               cases[i].file, rc, cases[i].words, out);
        free(out);
        free(err);
    }
    tu_write_file(tmp("chk_text.h5"), "plain text\n");
    snprintf(args, sizeof args, "check %s", tmp("chk_text.h5"));
    rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 2 && strstr(err, "not an HDF5 file"), "check of a text file: exit %d: %s", rc, err);
    free(out);
    free(err);
    run_free(r);
}

static int png_ok(const char *path, long *size)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char head[8];
    FILE *f = fopen(path, "rb");
    *size = 0;
    if (!f) return 0;
    int ok = fread(head, 1, 8, f) == 8 && !memcmp(head, sig, 8);
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    fclose(f);
    return ok;
}

/* plot: five PNGs; without gnuplot a clear error. */
static void test_plot(void)
{
    if (!have_bin()) return;
    char args[4096] = "plot", *out, *err;
    for (int i = 0; i < 4; i++) {
        char name[32];
        run_t *r = run_make(i < 2 ? "base" : "push", (uint64_t)(i % 2 + 1), 72, i < 2 ? 0.2 : 1.0);
        snprintf(name, sizeof name, "pl%d.h5", i);
        run_write(r, tmp(name));
        run_free(r);
        size_t len = strlen(args);
        snprintf(args + len, sizeof args - len, " %s", tmp(name));
    }
    size_t len = strlen(args);
    snprintf(args + len, sizeof args - len, " --out %s", tmp("plots/sub"));
    int rc = run_prog(NULL, args, &out, &err);
    CHECKF(rc == 0, "plot exit %d: %s", rc, err);
    const char *pngs[] = {"gdp.png", "tfp.png", "debt.png", "inland.png", "registrations.png"};
    for (int i = 0; i < 5; i++) {
        char p[700];
        long size;
        snprintf(p, sizeof p, "%s/%s", tmp("plots/sub"), pngs[i]);
        CHECKF(png_ok(p, &size) && size > 8000, "%s: not a PNG of more than 8 KB (%ld bytes)", p, size);
    }
    free(out);
    free(err);
    rc = run_prog("PATH=/nonexistent", args, &out, &err);
    CHECKF(rc == 5 && strstr(err, "gnuplot is not installed"), "plot without gnuplot: exit %d: %s", rc, err);
    free(out);
    free(err);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    static const tu_test tests[] = {
        {"summary: every outcome equals its definition (6 digits)", test_summary_outcomes},
        {"summary: windows outside the run are n/a", test_summary_short_run},
        {"summary: one seed gives an n/a interval", test_one_seed_na},
        {"summary: mean and t interval over seeds", test_ensemble_interval},
        {"ensemble: 95% interval coverage", test_interval_coverage},
        {"compare: paired differences by seed", test_compare_pairs},
        {"compare: refusals", test_compare_refusals},
        {"bad input and --keep-going", test_bad_inputs},
        {"command line", test_usage},
        {"check", test_check},
        {"plot", test_plot},
        {NULL, NULL},
    };
    return tu_run_suite("analyze", tests);
}
