/* test_determinism.c - the same seed gives bit-identical output for any number
 * of OpenMP threads (docs/design.md "Randomness" and "Parallelism and determinism").
 *
 * Runs the real program, $INCUBATOR_BIN/incubator-sim, on scenarios/baseline.ini
 * (20000 worker agents, 24 months) with 1, 2 and 3 threads (3: an odd count,
 * so blocks do not split evenly), then reads the files back with the HDF5 C
 * API and compares every output dataset of the table (stats_table:
 * /national/NAME, /node/NAME, /node_sector/NAME) plus the coordinates /time,
 * /time_label, /node_name and /sector_name, and the yearly migration matrix
 * /migration/od with /migration/year and /migration/months: same type, same shape and the same
 * bytes. A failure names the first differing dataset, month and cell.
 * A second, larger pair (120000 workers, 12 months, 1 and 3 threads) has more
 * firm agents than one block of WORLD_BLOCK agents, so the block-ordered
 * floating-point sums over firms are exercised too (the small runs have fewer
 * firms than one block); the test checks that it still has.
 *
 * Two guards keep the comparison from being vacuous: the files must record
 * different `threads` root attributes (the runs really used 1, 2 and 3
 * threads), and a run with another seed must give a different /national/gdp. */
#include "testutil.h"
#include "stats.h"
#include "world.h" /* WORLD_BLOCK */

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#define WORKERS "20000"
#define MONTHS "24"
#define BIG_WORKERS "120000"
#define BIG_MONTHS "12"
#define RUN_TIMEOUT_S 900 /* per run; generous for the sanitizer build */


/* The runs: name, --threads (0: none, OMP_NUM_THREADS=1 instead), seed,
 * worker agents, months. */
typedef struct {
    const char *name;
    int threads;
    int seed;
    const char *workers, *months;
    char path[512];
    int ok; /* the run exited 0 and wrote its file */
} run_t;

static run_t runs[] = {
    {"a", 0, 1, WORKERS, MONTHS, "", 0},         /* OMP_NUM_THREADS=1 */
    {"b", 2, 1, WORKERS, MONTHS, "", 0},         /* --threads 2 */
    {"c", 3, 1, WORKERS, MONTHS, "", 0},         /* --threads 3 */
    {"d", 2, 2, WORKERS, MONTHS, "", 0},         /* --seed 2 */
    {"e", 0, 1, BIG_WORKERS, BIG_MONTHS, "", 0}, /* larger: OMP_NUM_THREADS=1 */
    {"f", 3, 1, BIG_WORKERS, BIG_MONTHS, "", 0}, /* larger: --threads 3 */
};
enum { RUN_A, RUN_B, RUN_C, RUN_D, RUN_E, RUN_F, N_RUNS };

static int ran; /* test_runs has run */

/* Run incubator-sim for r from the repository root, output and messages to
 * TMP/NAME.log. Returns 0 if it exited 0. */
static int run_sim(run_t *r)
{
    char exe[512], scen[512], log[512], seed[32], threads[32];
    if (tu_program_path("incubator-sim", exe, sizeof exe) != 0) return -1;
    snprintf(scen, sizeof scen, "%s/scenarios/baseline.ini", tu_srcdir());
    snprintf(r->path, sizeof r->path, "%s/%s.h5", tu_tmpdir(), r->name);
    snprintf(log, sizeof log, "%s/%s.log", tu_tmpdir(), r->name);
    snprintf(seed, sizeof seed, "%d", r->seed);
    snprintf(threads, sizeof threads, "%d", r->threads);

    const char *argv[20];
    int n = 0;
    argv[n++] = exe;
    argv[n++] = scen;
    argv[n++] = "--workers";
    argv[n++] = r->workers;
    argv[n++] = "--months";
    argv[n++] = r->months;
    argv[n++] = "--seed";
    argv[n++] = seed;
    if (r->threads > 0) {
        argv[n++] = "--threads";
        argv[n++] = threads;
        /* 3 threads on a 2-core machine: the point is an odd team size, so
         * the cap at the processor count must not apply. */
        argv[n++] = "--force-threads";
    }
    argv[n++] = "--quiet";
    argv[n++] = "--force";
    argv[n++] = "--out";
    argv[n++] = r->path;
    argv[n] = NULL;

    /* Thread count comes from OMP_NUM_THREADS=1 for run a, from --threads
     * otherwise; a fixed team size either way. */
    const char *const env[] = {r->threads > 0 ? "OMP_NUM_THREADS" : "OMP_NUM_THREADS=1", "OMP_DYNAMIC=false", NULL};
    int rc = tu_run_program(exe, argv, log, RUN_TIMEOUT_S, env);
    if (rc != 0) {
        /* -1 (killed, or not run) is reported already. */
        if (rc > 0)
            FAILF("run %s (seed %d, threads %d) exited with %d; log %s", r->name, r->seed, r->threads, rc, log);
        tu_show_log(log);
        return -1;
    }
    if (access(r->path, R_OK) != 0) {
        FAILF("run %s exited 0 but %s is missing", r->name, r->path);
        return -1;
    }
    return 0;
}

static void test_runs(void)
{
    ran = 1;
    for (int k = 0; k < N_RUNS; k++) runs[k].ok = run_sim(&runs[k]) == 0;
}

/* Both runs done, else fail. */
static int need(int i, int j)
{
    if (!ran) {
        FAILF("the runs have not been made");
        return 0;
    }
    if (!runs[i].ok || !runs[j].ok) {
        FAILF("run %s or %s failed (see above)", runs[i].name, runs[j].name);
        return 0;
    }
    return 1;
}

static hid_t open_file(const run_t *r)
{
    hid_t f = H5Fopen(r->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) FAILF("cannot open %s with HDF5", r->path);
    return f;
}

/* Root attribute `name` as an int (native int conversion); -1 on error. */
static long long read_int_attr(hid_t f, const char *name)
{
    int v = -1;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    if (a < 0) return -1;
    if (H5Aread(a, H5T_NATIVE_INT, &v) < 0) v = -1;
    H5Aclose(a);
    return v;
}

/* A dataset read as raw bytes in its file type. */
typedef struct {
    int rank;
    hsize_t dims[H5S_MAX_RANK];
    size_t n;        /* elements */
    size_t size;     /* bytes per element */
    H5T_class_t cls; /* H5T_FLOAT, H5T_INTEGER, H5T_STRING, ... */
    hid_t type;      /* file type, for comparing types; closed by ds_free */
    unsigned char *buf;
} ds_t;

static void ds_free(ds_t *d)
{
    if (d->type >= 0) H5Tclose(d->type);
    free(d->buf);
    memset(d, 0, sizeof *d);
    d->type = -1;
}

/* Read dataset `path` of file f (named `fname` in messages). 0 on success. */
static int ds_read(hid_t f, const char *fname, const char *path, ds_t *d)
{
    memset(d, 0, sizeof *d);
    d->type = -1;
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    if (ds < 0) {
        FAILF("%s: no dataset %s", fname, path);
        return -1;
    }
    hid_t sp = H5Dget_space(ds);
    d->rank = H5Sget_simple_extent_ndims(sp);
    if (d->rank < 0 || d->rank > H5S_MAX_RANK) d->rank = 0;
    H5Sget_simple_extent_dims(sp, d->dims, NULL);
    H5Sclose(sp);
    d->n = 1;
    for (int k = 0; k < d->rank; k++) d->n *= (size_t)d->dims[k];
    d->type = H5Dget_type(ds);
    d->size = H5Tget_size(d->type);
    d->cls = H5Tget_class(d->type);
    if (d->cls == H5T_STRING && H5Tis_variable_str(d->type) > 0) {
        /* Variable-length UTF-8 strings (docs/output.md): read as char
         * pointers, then laid out as fixed-width NUL-padded bytes, so the
         * comparison below is of the strings' contents. */
        char **v = calloc(d->n ? d->n : 1, sizeof *v);
        int ok = v && (d->n == 0 || H5Dread(ds, d->type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
        size_t w = 1;
        for (size_t k = 0; ok && k < d->n; k++)
            if (v[k] && strlen(v[k]) + 1 > w) w = strlen(v[k]) + 1;
        d->size = w;
        d->buf = ok ? calloc(d->n ? d->n : 1, w) : NULL;
        for (size_t k = 0; d->buf && k < d->n; k++)
            if (v[k]) memcpy(d->buf + k * w, v[k], strlen(v[k]));
        if (ok && d->n) {
            hid_t sp2 = H5Dget_space(ds);
            H5Dvlen_reclaim(d->type, sp2, H5P_DEFAULT, v);
            H5Sclose(sp2);
        }
        free(v);
        H5Dclose(ds);
        if (!d->buf) {
            FAILF("%s: cannot read %s", fname, path);
            return -1;
        }
        return 0;
    }
    d->buf = calloc(d->n ? d->n : 1, d->size ? d->size : 1);
    /* Read in the file's own type: no conversion, the stored bytes. */
    if (!d->buf || (d->n && H5Dread(ds, d->type, H5S_ALL, H5S_ALL, H5P_DEFAULT, d->buf) < 0)) {
        FAILF("%s: cannot read %s", fname, path);
        H5Dclose(ds);
        return -1;
    }
    H5Dclose(ds);
    return 0;
}

/* Describe element j of d: its coordinates and its two values. */
static void describe(const ds_t *x, const ds_t *y, size_t j, const ds_t *labels, char *out, size_t len)
{
    hsize_t idx[H5S_MAX_RANK];
    size_t rest = j;
    for (int k = x->rank - 1; k >= 0; k--) {
        idx[k] = rest % x->dims[k];
        rest /= x->dims[k];
    }
    int w = snprintf(out, len, "index %zu", j);
    if (!labels && x->rank >= 1 && (size_t)w < len) { /* a yearly dataset: (year, origin, destination) */
        w += snprintf(out + w, len - (size_t)w, " = year %" PRIuMAX, (uintmax_t)idx[0]);
        if (x->rank >= 3 && (size_t)w < len)
            w += snprintf(out + w, len - (size_t)w, ", from node %" PRIuMAX " to node %" PRIuMAX, (uintmax_t)idx[1],
                          (uintmax_t)idx[2]);
    } else if (x->rank >= 1 && (size_t)w < len) {
        char month[16] = "?";
        if (labels && labels->buf && idx[0] < labels->n) {
            size_t ls = labels->size < sizeof month ? labels->size : sizeof month - 1;
            memcpy(month, labels->buf + idx[0] * labels->size, ls);
            month[ls] = 0;
        }
        w += snprintf(out + w, len - (size_t)w, " = month %" PRIuMAX " (%s)", (uintmax_t)idx[0], month);
        if (x->rank >= 2 && (size_t)w < len) w += snprintf(out + w, len - (size_t)w, ", node %" PRIuMAX, (uintmax_t)idx[1]);
        if (x->rank >= 3 && (size_t)w < len) w += snprintf(out + w, len - (size_t)w, ", sector %" PRIuMAX, (uintmax_t)idx[2]);
    }
    if ((size_t)w >= len) return;
    const unsigned char *a = x->buf + j * x->size, *b = y->buf + j * y->size;
    if (x->cls == H5T_FLOAT && x->size == sizeof(double)) {
        double va, vb;
        memcpy(&va, a, sizeof va);
        memcpy(&vb, b, sizeof vb);
        snprintf(out + w, len - (size_t)w, ": %.17g vs %.17g", va, vb);
    } else if (x->cls == H5T_INTEGER && x->size == sizeof(int64_t)) {
        int64_t va, vb;
        memcpy(&va, a, sizeof va);
        memcpy(&vb, b, sizeof vb);
        snprintf(out + w, len - (size_t)w, ": %" PRId64 " vs %" PRId64, va, vb);
    } else if (x->cls == H5T_INTEGER && x->size == sizeof(int32_t)) {
        int32_t va, vb;
        memcpy(&va, a, sizeof va);
        memcpy(&vb, b, sizeof vb);
        snprintf(out + w, len - (size_t)w, ": %" PRId32 " vs %" PRId32, va, vb);
    }
}

#define MAX_REPORTED 5 /* differing datasets reported in full per comparison */

/* Compare dataset `path` of runs x and y: type, shape, bytes. Returns -1 if
 * identical, the month (dimension-0 index) of the first differing value, or
 * INT_MAX when the datasets cannot be compared (type or shape differ, read
 * error). Reports the difference when `report` is set. */
static int compare_dataset(hid_t fx, const run_t *rx, hid_t fy, const run_t *ry, const char *path,
                           const ds_t *labels, int report)
{
    ds_t x = {.type = -1}, y = {.type = -1};
    int result = INT_MAX;
    int tx = rx->threads ? rx->threads : 1, ty = ry->threads ? ry->threads : 1;
    if (ds_read(fx, rx->path, path, &x) == 0 && ds_read(fy, ry->path, path, &y) == 0) {
        if (H5Tequal(x.type, y.type) <= 0) {
            if (report) FAILF("%s: different datatypes in runs %s and %s", path, rx->name, ry->name);
        } else if (x.rank != y.rank || memcmp(x.dims, y.dims, sizeof(hsize_t) * (size_t)x.rank) != 0) {
            if (report)
                FAILF("%s: shape differs: rank %d, %" PRIuMAX " months (%d threads) vs rank %d, %" PRIuMAX
                      " months (%d threads)",
                      path, x.rank, (uintmax_t)(x.rank ? x.dims[0] : 0), tx, y.rank,
                      (uintmax_t)(y.rank ? y.dims[0] : 0), ty);
        } else if (memcmp(x.buf, y.buf, x.n * x.size) != 0) {
            size_t j = 0;
            while (j < x.n && memcmp(x.buf + j * x.size, y.buf + j * y.size, x.size) == 0) j++;
            size_t per_month = 1;
            for (int k = 1; k < x.rank; k++) per_month *= (size_t)x.dims[k];
            result = x.rank ? (int)(j / per_month) : 0;
            if (report) {
                char where[400];
                describe(&x, &y, j, labels, where, sizeof where);
                FAILF("%s differs between %d and %d threads (runs %s, %s): first at %s", path, tx, ty, rx->name,
                      ry->name, where);
            }
        } else {
            result = -1;
        }
    }
    ds_free(&x);
    ds_free(&y);
    return result;
}

/* Every output dataset and coordinate of runs i and j must be bit-identical. */
static void compare_runs(int i, int j)
{
    if (!need(i, j)) return;
    hid_t fx = open_file(&runs[i]), fy = open_file(&runs[j]);
    if (fx < 0 || fy < 0) {
        if (fx >= 0) H5Fclose(fx);
        if (fy >= 0) H5Fclose(fy);
        return;
    }
    ds_t labels = {.type = -1};
    if (ds_read(fx, runs[i].path, "/time_label", &labels) != 0) ds_free(&labels);

    /* The run must have written every month: a comparison of empty files
     * would prove nothing. */
    if (labels.n != (size_t)atoi(runs[i].months))
        FAILF("%s: /time_label has %zu months, expected %s", runs[i].path, labels.n, runs[i].months);

    /* The coordinates, then the table in outputs.def order. */
    enum { N_COORDS = 4 };
    static const char *const coords[N_COORDS] = {"/time", "/time_label", "/node_name", "/sector_name"};
    int differing = 0, compared = 0, earliest = INT_MAX;
    char earliest_path[256] = "";
    for (int k = 0; k < N_COORDS + OUT_COUNT; k++) {
        char path[256];
        if (k < N_COORDS)
            snprintf(path, sizeof path, "%s", coords[k]);
        else
            snprintf(path, sizeof path, "/%s/%s", stats_group_name(stats_table[k - N_COORDS].group),
                     stats_table[k - N_COORDS].name);
        int m = compare_dataset(fx, &runs[i], fy, &runs[j], path, &labels, differing < MAX_REPORTED);
        compared++;
        if (m == -1) continue;
        differing++;
        if (m < earliest) {
            earliest = m;
            snprintf(earliest_path, sizeof earliest_path, "%s", path);
        }
    }
    /* The yearly origin-destination matrix and its coordinates (dimension 0
     * is the year, not the month: no month labels). */
    static const char *const yearly[] = {"/migration/year", "/migration/months", "/migration/od"};
    for (size_t k = 0; k < sizeof yearly / sizeof yearly[0]; k++) {
        int m = compare_dataset(fx, &runs[i], fy, &runs[j], yearly[k], NULL, differing < MAX_REPORTED);
        compared++;
        if (m != -1) differing++;
    }
    if (differing > MAX_REPORTED)
        FAILF("... and %d more datasets differ (%d of %d in all)", differing - MAX_REPORTED, differing, compared);
    if (differing && earliest != INT_MAX) {
        char month[16] = "?";
        if (labels.buf && (size_t)earliest < labels.n) {
            size_t ls = labels.size < sizeof month ? labels.size : sizeof month - 1;
            memcpy(month, labels.buf + (size_t)earliest * labels.size, ls);
            month[ls] = 0;
        }
        FAILF("earliest difference between runs %s and %s: month %d (%s), in %s", runs[i].name, runs[j].name,
              earliest, month, earliest_path);
    }
    ds_free(&labels);
    H5Fclose(fx);
    H5Fclose(fy);
}

static void test_threads_attribute(void)
{
    static const int expected[] = {1, 2, 3};
    for (int k = RUN_A; k <= RUN_C; k++) {
        if (!need(k, k)) return;
        hid_t f = open_file(&runs[k]);
        if (f < 0) return;
        long long t = read_int_attr(f, "threads");
        H5Fclose(f);
        if (t != expected[k])
            FAILF("%s: root attribute threads = %lld, expected %d (so the runs did not use different thread counts)",
                  runs[k].path, t, expected[k]);
    }
}

static void test_1_vs_2_threads(void) { compare_runs(RUN_A, RUN_B); }
static void test_1_vs_3_threads(void) { compare_runs(RUN_A, RUN_C); }

/* Root attribute `name` as a double; NAN on error. */
static double read_double_attr(hid_t f, const char *name)
{
    double v = NAN;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    if (a < 0) return NAN;
    if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) v = NAN;
    H5Aclose(a);
    return v;
}

/* The larger pair: more firm agents than one block, 1 and 3 threads. */
static void test_large_1_vs_3_threads(void)
{
    if (!need(RUN_E, RUN_F)) return;
    hid_t f = open_file(&runs[RUN_E]);
    if (f < 0) return;
    long long t_e = read_int_attr(f, "threads");
    double ppa = read_double_attr(f, "persons_per_agent");
    ds_t firms = {.type = -1};
    double firm_agents = NAN;
    if (ds_read(f, runs[RUN_E].path, "/national/firms_alive", &firms) == 0 && firms.n > 0 &&
        firms.cls == H5T_FLOAT && firms.size == sizeof(double)) {
        double v;
        memcpy(&v, firms.buf, sizeof v);
        firm_agents = v / ppa;
    }
    ds_free(&firms);
    H5Fclose(f);
    f = open_file(&runs[RUN_F]);
    if (f < 0) return;
    long long t_f = read_int_attr(f, "threads");
    H5Fclose(f);
    if (t_e != 1 || t_f != 3)
        FAILF("large runs: root attribute threads = %lld and %lld, expected 1 and 3", t_e, t_f);
    if (!(firm_agents > WORLD_BLOCK))
        FAILF("large runs: %.0f firm agents in the first month, not more than WORLD_BLOCK = %d: raise "
              "BIG_WORKERS so that sums over firms span several blocks",
              firm_agents, WORLD_BLOCK);
    compare_runs(RUN_E, RUN_F);
}

/* Another seed must change the trajectory, else identical files prove nothing. */
static void test_seed_changes_gdp(void)
{
    if (!need(RUN_B, RUN_D)) return;
    hid_t fb = open_file(&runs[RUN_B]), fd = open_file(&runs[RUN_D]);
    if (fb >= 0 && fd >= 0) {
        ds_t b = {.type = -1}, d = {.type = -1};
        if (ds_read(fb, runs[RUN_B].path, "/national/gdp", &b) == 0 &&
            ds_read(fd, runs[RUN_D].path, "/national/gdp", &d) == 0) {
            int nonzero = 0;
            for (size_t j = 0; j < b.n * b.size; j++) nonzero |= b.buf[j];
            CU_ASSERT(nonzero);
            if (b.n != d.n || b.size != d.size)
                FAILF("/national/gdp: %zu values with seed 1 but %zu with seed 2", b.n, d.n);
            else if (memcmp(b.buf, d.buf, b.n * b.size) == 0)
                FAILF("/national/gdp is identical for seeds 1 and 2: the seed has no effect, so the thread "
                      "comparison is vacuous");
        }
        ds_free(&b);
        ds_free(&d);
    }
    if (fb >= 0) H5Fclose(fb);
    if (fd >= 0) H5Fclose(fd);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* our messages name file and dataset */
    static const tu_test tests[] = {
        {"runs with 1, 2 and 3 threads, another seed, a larger size", test_runs},
        {"threads attribute records 1, 2, 3", test_threads_attribute},
        {"1 and 2 threads: every dataset bit-identical", test_1_vs_2_threads},
        {"1 and 3 threads: every dataset bit-identical", test_1_vs_3_threads},
        {"seed 2 changes /national/gdp", test_seed_changes_gdp},
        {"larger run (firms span several blocks), 1 and 3 threads: bit-identical", test_large_1_vs_3_threads},
        {NULL, NULL},
    };
    return tu_run_suite("determinism", tests);
}
