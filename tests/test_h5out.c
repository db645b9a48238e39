/* test_h5out.c - the HDF5 trajectory writer (sim/h5out.c).
 *
 * Writes small files (3 nodes, 2 sectors, 5 months) whose every value is a
 * known formula of (row, month, cell), reads them back with the plain HDF5 C
 * API, and checks the file-safety rules of docs/design.md "Output": a name without
 * .partial is complete, existing results are not overwritten without force,
 * two running jobs cannot write the same file (fork), and a killed job leaves a
 * readable partial that the next run replaces. */
#include "testutil.h"
#include "h5out.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#define N_NODES 3
#define N_SECTORS 2
#define N_MONTHS 5
#define START_MONTH (2019 * 12 + 10) /* November 2019: the labels cross a year */
#define SEED UINT64_C(0xDEADBEEFCAFEF00D) /* above 2^63: must stay unsigned */

static const char *const node_names[N_NODES] = {"Beijing", "Shanghai", "rest of country"};
static const char *const sector_names[N_SECTORS] = {"agriculture", "manufacturing"};
static const char *const labels[N_MONTHS] = {"2019-11", "2019-12", "2020-01", "2020-02", "2020-03"};

/* The value of row k, month t, cell j (j = node * N_SECTORS + sector for
 * node-sector rows): distinct everywhere, exact in double. */
static double value_f(int k, int t, size_t j) { return 1000.0 * k + 100.0 * t + (double)j + 0.25; }
static int64_t value_i(int k, int t, size_t j) { return (int64_t)1000 * k + 100 * t + (int64_t)j - 7; }

static void fill(stats_t *s, int t)
{
    for (int k = 0; k < OUT_COUNT; k++) {
        size_t n = stats_row_len(stats_table[k].group, s->n_nodes, s->n_sectors);
        for (size_t j = 0; j < n; j++) {
            if (s->f[k]) s->f[k][j] = value_f(k, t, j);
            if (s->i[k]) s->i[k][j] = value_i(k, t, j);
        }
    }
}

static h5out_meta make_meta(const char *path, int force, const char *scenario_text)
{
    h5out_meta m;
    memset(&m, 0, sizeof m);
    m.path = path;
    m.force = force;
    m.n_nodes = N_NODES;
    m.n_sectors = N_SECTORS;
    m.n_months = N_MONTHS;
    m.start_month = START_MONTH;
    m.node_names = node_names;
    m.sector_names = sector_names;
    m.scenario_name = "baseline";
    m.scenario_text = scenario_text ? scenario_text : "[run]\nmonths = 5\nseed = 42\n";
    m.command_line = "incubator-sim run scenarios/baseline.ini --out x.h5";
    m.seed = SEED;
    m.threads = 4;
    m.persons_per_agent = 1234.5;
    return m;
}

static char *path_in_tmp(const char *name)
{
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 512, "%s/%s", tu_tmpdir(), name);
    return p;
}

static char *with_suffix(const char *path, const char *suffix)
{
    static char buf[4][600];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 600, "%s%s", path, suffix);
    return p;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Whole file into a malloc'd buffer (NULL if unreadable). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, r;
    do {
        if (n == cap) {
            cap = cap ? 2 * cap : 65536;
            char *nb = realloc(buf, cap);
            if (!nb) { free(buf); fclose(f); return NULL; }
            buf = nb;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    *len = n;
    return buf;
}

static int copy_file(const char *from, const char *to)
{
    size_t n;
    char *buf = slurp(from, &n);
    if (!buf) return -1;
    FILE *f = fopen(to, "wb");
    int ok = f && fwrite(buf, 1, n, f) == n;
    if (f && fclose(f) != 0) ok = 0;
    free(buf);
    return ok ? 0 : -1;
}

/* Whether this process has a descriptor open on path (Linux /proc; 0 elsewhere). */
static int fd_open_to(const char *path)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) return 0;
    int found = 0;
    struct dirent *de;
    while (!found && (de = readdir(d))) {
        char link[600], target[700] = "";
        snprintf(link, sizeof link, "/proc/self/fd/%s", de->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n > 0) {
            target[n] = '\0';
            found = strncmp(target, path, strlen(path)) == 0;
        }
    }
    closedir(d);
    return found;
}

/* Open, append `months` months, and close (if close_it) or leave open in *keep. */
static inc_status write_run(const h5out_meta *m, int months, int close_it, h5out **keep, inc_err *e)
{
    h5out *o = NULL;
    inc_status st = h5out_open(&o, m, e);
    if (st != INC_OK) return st;
    stats_t *s = stats_alloc(m->n_nodes, m->n_sectors);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    for (int t = 0; t < months && st == INC_OK; t++) {
        fill(s, t);
        st = h5out_append(o, s, t, e);
    }
    stats_free(s);
    if (st != INC_OK) {
        h5out_abort(o);
        return st;
    }
    if (!close_it) {
        *keep = o;
        return INC_OK;
    }
    return h5out_close(o, e);
}

/* ---- readers with the plain HDF5 API ------------------------------------------ */

static char *attr_str(hid_t loc, const char *obj, const char *name)
{
    hid_t a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return NULL;
    hid_t t = H5Aget_type(a);
    char *buf = NULL;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t)) {
        size_t n = H5Tget_size(t);
        buf = calloc(n + 1, 1);
        if (buf && H5Aread(a, t, buf) < 0) { free(buf); buf = NULL; }
    }
    if (t >= 0) H5Tclose(t);
    H5Aclose(a);
    return buf;
}

static int attr_num(hid_t loc, const char *name, hid_t mtype, void *out)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return -1;
    int r = H5Aread(a, mtype, out) < 0 ? -1 : 0;
    H5Aclose(a);
    return r;
}

static long long attr_ll(hid_t loc, const char *name)
{
    long long v = -999;
    CU_ASSERT_EQUAL(attr_num(loc, name, H5T_NATIVE_LLONG, &v), 0);
    return v;
}

static void check_attr_str(hid_t loc, const char *obj, const char *name, const char *want)
{
    char *got = attr_str(loc, obj, name);
    CU_ASSERT_PTR_NOT_NULL(got);
    if (got && strcmp(got, want) != 0) {
        fprintf(stderr, "\n%s@%s: got '%s', want '%s'\n", obj, name, got, want);
        CU_FAIL("attribute value");
    }
    free(got);
}

/* Dataset dims into dims[3]; returns rank (-1 on error). */
static int dims_of(hid_t d, hsize_t dims[3])
{
    hid_t sp = H5Dget_space(d);
    if (sp < 0) return -1;
    int r = H5Sget_simple_extent_ndims(sp);
    if (r >= 0 && r <= 3) H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    return r;
}

/* Strings of a 1-D fixed-length string dataset, n entries of at most 63 chars. */
/* Read the n strings of dataset ds, which must be variable-length UTF-8
 * (docs/output.md: netCDF-C reads those; fixed-length arrays crash it). */
static int read_names(hid_t file, const char *ds, int n, char out[][64])
{
    hid_t d = H5Dopen2(file, ds, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t t = H5Dget_type(d);
    int r = -1;
    char **p = calloc((size_t)n, sizeof *p);
    if (p && H5Tis_variable_str(t) > 0 && H5Tget_cset(t) == H5T_CSET_UTF8 &&
        H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, p) >= 0) {
        r = 0;
        for (int i = 0; i < n; i++) {
            if (!p[i] || strlen(p[i]) >= 64) r = -1;
            else snprintf(out[i], 64, "%s", p[i]);
        }
        hid_t sp = H5Dget_space(d);
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, p);
        H5Sclose(sp);
    }
    free(p);
    H5Tclose(t);
    H5Dclose(d);
    return r;
}

/* Check every output dataset of an open file: shape (months, N, S), values,
 * units and description, and the scales on every dimension. */
static void check_datasets(hid_t f, int months)
{
    /* Each group's own scales: time, node, sector (docs/output.md). */
    static const char *const dim_name[3] = {"time", "node", "sector"};
    hid_t scale[3][3];
    for (int g = 0; g < 3; g++)
        for (int dim = 0; dim < 3; dim++) {
            char sname[64];
            snprintf(sname, sizeof sname, "/%s/%s", stats_group_name((out_group)g), dim_name[dim]);
            scale[g][dim] = dim <= g ? H5Dopen2(f, sname, H5P_DEFAULT) : H5I_INVALID_HID;
            if (dim <= g) {
                CU_ASSERT_FATAL(scale[g][dim] >= 0);
                char buf[32] = "";
                CU_ASSERT(H5DSis_scale(scale[g][dim]) > 0);
                CU_ASSERT(H5DSget_scale_name(scale[g][dim], buf, sizeof buf) > 0);
                CU_ASSERT_STRING_EQUAL(buf, dim_name[dim]);
            }
        }
    size_t bad_values = 0;
    for (int k = 0; k < OUT_COUNT; k++) {
        const out_info *r = &stats_table[k];
        char name[160];
        snprintf(name, sizeof name, "/%s/%s", stats_group_name(r->group), r->name);
        hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
        CU_ASSERT_FATAL(d >= 0);
        hsize_t dims[3] = {0, 0, 0};
        int rank = dims_of(d, dims);
        CU_ASSERT_EQUAL(rank, (int)r->group + 1);
        CU_ASSERT_EQUAL(dims[0], (hsize_t)months);
        if (rank > 1) CU_ASSERT_EQUAL(dims[1], N_NODES);
        if (rank > 2) CU_ASSERT_EQUAL(dims[2], N_SECTORS);

        hid_t t = H5Dget_type(d);
        CU_ASSERT_EQUAL(H5Tget_class(t), r->type == OUT_F64 ? H5T_FLOAT : H5T_INTEGER);
        CU_ASSERT_EQUAL(H5Tget_size(t), 8);
        H5Tclose(t);

        size_t row = stats_row_len(r->group, N_NODES, N_SECTORS), n = row * (size_t)months;
        if (r->type == OUT_F64) {
            double *v = calloc(n ? n : 1, sizeof *v);
            CU_ASSERT_FATAL(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
            for (size_t i = 0; i < n; i++)
                if (v[i] != value_f(k, (int)(i / row), i % row)) bad_values++;
            free(v);
        } else {
            int64_t *v = calloc(n ? n : 1, sizeof *v);
            CU_ASSERT_FATAL(H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
            for (size_t i = 0; i < n; i++)
                if (v[i] != value_i(k, (int)(i / row), i % row)) bad_values++;
            free(v);
        }
        hid_t pl = H5Dget_create_plist(d);
        CU_ASSERT(H5Pget_filter_by_id2(pl, H5Z_FILTER_FLETCHER32, NULL, NULL, NULL, 0, NULL, NULL) >= 0);
        H5Pclose(pl);
        check_attr_str(d, ".", "units", r->units);
        check_attr_str(d, ".", "description", r->description);
        for (int dim = 0; dim < rank; dim++) {
            CU_ASSERT(H5DSis_attached(d, scale[r->group][dim], (unsigned)dim) > 0);
            CU_ASSERT_EQUAL(H5DSget_num_scales(d, (unsigned)dim), 1);
        }
        H5Dclose(d);
    }
    CU_ASSERT_EQUAL(bad_values, 0);
    for (int g = 0; g < 3; g++)
        for (int dim = 0; dim <= g; dim++) H5Dclose(scale[g][dim]);
}

/* The coordinates and scale names. */
static void check_scales(hid_t f, int months)
{
    hid_t time = H5Dopen2(f, "/time", H5P_DEFAULT), label = H5Dopen2(f, "/time_label", H5P_DEFAULT);
    hid_t node = H5Dopen2(f, "/node_name", H5P_DEFAULT), sector = H5Dopen2(f, "/sector_name", H5P_DEFAULT);
    CU_ASSERT_FATAL(time >= 0 && label >= 0 && node >= 0 && sector >= 0);
    const struct {
        hid_t d;
        const char *name;
    } scales[] = {{time, "time"}, {node, "node"}, {sector, "sector"}};
    for (size_t i = 0; i < 3; i++) {
        char buf[32] = "";
        CU_ASSERT(H5DSis_scale(scales[i].d) > 0);
        CU_ASSERT(H5DSget_scale_name(scales[i].d, buf, sizeof buf) > 0);
        CU_ASSERT_STRING_EQUAL(buf, scales[i].name);
        char *u = attr_str(scales[i].d, ".", "units"), *desc = attr_str(scales[i].d, ".", "description");
        CU_ASSERT(u != NULL && desc != NULL && desc[0]);
        free(u);
        free(desc);
    }
    CU_ASSERT(H5DSis_scale(label) <= 0);
    CU_ASSERT(H5DSis_attached(label, time, 0) > 0);

    hsize_t dims[3];
    CU_ASSERT_EQUAL(dims_of(time, dims), 1);
    CU_ASSERT_EQUAL(dims[0], (hsize_t)months);
    int tv[N_MONTHS] = {-1, -1, -1, -1, -1};
    CU_ASSERT(H5Dread(time, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, tv) >= 0);
    for (int t = 0; t < months; t++) CU_ASSERT_EQUAL(tv[t], t);

    char lab[N_MONTHS][64];
    CU_ASSERT_EQUAL(read_names(f, "/time_label", months, lab), 0);
    /* CF time: whole months since the first day of the start month, in the
     * one calendar cftime accepts "months since" with. */
    char units[64];
    snprintf(units, sizeof units, "months since %s-01", labels[0]);
    check_attr_str(time, ".", "units", units);
    check_attr_str(time, ".", "calendar", "360_day");
    for (int g = 0; g < 3; g++) {
        char gt[64];
        snprintf(gt, sizeof gt, "/%s/time", stats_group_name((out_group)g));
        hid_t d = H5Dopen2(f, gt, H5P_DEFAULT);
        CU_ASSERT_FATAL(d >= 0);
        check_attr_str(d, ".", "units", units);
        check_attr_str(d, ".", "calendar", "360_day");
        int gv[N_MONTHS] = {-1, -1, -1, -1, -1};
        CU_ASSERT(H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, gv) >= 0);
        for (int t = 0; t < months; t++) CU_ASSERT_EQUAL(gv[t], t);
        H5Dclose(d);
    }
    for (int t = 0; t < months; t++) CU_ASSERT_STRING_EQUAL(lab[t], labels[t]);

    char names[N_NODES][64];
    CU_ASSERT_EQUAL(read_names(f, "/node_name", N_NODES, names), 0);
    for (int i = 0; i < N_NODES; i++) CU_ASSERT_STRING_EQUAL(names[i], node_names[i]);
    CU_ASSERT_EQUAL(read_names(f, "/sector_name", N_SECTORS, names), 0);
    for (int i = 0; i < N_SECTORS; i++) CU_ASSERT_STRING_EQUAL(names[i], sector_names[i]);
    /* The groups' name coordinates hold the same names. */
    static const char *const node_scales[] = {"/node/node", "/node_sector/node", "/migration/node", "/migration/node_dest"};
    for (size_t k = 0; k < sizeof node_scales / sizeof node_scales[0]; k++) {
        CU_ASSERT_EQUAL(read_names(f, node_scales[k], N_NODES, names), 0);
        for (int i = 0; i < N_NODES; i++) CU_ASSERT_STRING_EQUAL(names[i], node_names[i]);
    }
    CU_ASSERT_EQUAL(read_names(f, "/node_sector/sector", N_SECTORS, names), 0);
    for (int i = 0; i < N_SECTORS; i++) CU_ASSERT_STRING_EQUAL(names[i], sector_names[i]);
    H5Dclose(time);
    H5Dclose(label);
    H5Dclose(node);
    H5Dclose(sector);
}

static void check_root(hid_t f, const char *status, int months)
{
#ifdef INCUBATOR_VERSION
    check_attr_str(f, "/", "model_version", INCUBATOR_VERSION);
#endif
#ifdef INCUBATOR_GIT_REV
    check_attr_str(f, "/", "git_revision", INCUBATOR_GIT_REV);
#endif
    char *rev = attr_str(f, "/", "git_revision");
    CU_ASSERT(rev && rev[0]);
    free(rev);
    check_attr_str(f, "/", "scenario_name", "baseline");
    check_attr_str(f, "/", "command_line", "incubator-sim run scenarios/baseline.ini --out x.h5");
    check_attr_str(f, "/", "scenario", "[run]\nmonths = 5\nseed = 42\n");
    check_attr_str(f, "/", "start_month", "2019-11");
    check_attr_str(f, "/", "status", status);
    uint64_t seed = 0;
    CU_ASSERT_EQUAL(attr_num(f, "seed", H5T_NATIVE_UINT64, &seed), 0);
    CU_ASSERT(seed == SEED);
    hid_t a = H5Aopen(f, "seed", H5P_DEFAULT), t = H5Aget_type(a);
    CU_ASSERT_EQUAL(H5Tget_sign(t), H5T_SGN_NONE);
    H5Tclose(t);
    H5Aclose(a);
    double ppa = 0;
    CU_ASSERT_EQUAL(attr_num(f, "persons_per_agent", H5T_NATIVE_DOUBLE, &ppa), 0);
    CU_ASSERT_EQUAL(ppa, 1234.5);
    CU_ASSERT_EQUAL(attr_ll(f, "threads"), 4);
    CU_ASSERT_EQUAL(attr_ll(f, "months_planned"), N_MONTHS);
    CU_ASSERT_EQUAL(attr_ll(f, "months_written"), months);
}

/* h5out must release every HDF5 handle on every path: with none left open in
 * this process, the count of open objects is 0. */
static void no_open_hdf5_objects(void)
{
    CU_ASSERT_EQUAL(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
}

/* ---- tests -------------------------------------------------------------------- */

static void test_roundtrip(void)
{
    const char *path = path_in_tmp("roundtrip.h5");
    h5out_meta m = make_meta(path, 0, NULL);
    inc_err e = {0};
    inc_status st = write_run(&m, N_MONTHS, 1, NULL, &e);
    if (st != INC_OK) fprintf(stderr, "\n%s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    CU_ASSERT(exists(path));
    CU_ASSERT(!exists(with_suffix(path, ".partial")));
    CU_ASSERT(!exists(with_suffix(path, ".lock")));

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    check_root(f, "complete", N_MONTHS);
    check_scales(f, N_MONTHS);
    check_datasets(f, N_MONTHS);
    CU_ASSERT_EQUAL(H5Fclose(f), 0);
    no_open_hdf5_objects();
}

static void test_partial_readable_midrun(void)
{
    /* A copy of the partial taken mid-run is what a killed run leaves: it must
     * open and say how far it got. (A copy, because this process has the
     * original open and HDF5 would share that handle.) */
    const char *path = path_in_tmp("midrun.h5"), *copy = path_in_tmp("midrun-copy.h5");
    h5out_meta m = make_meta(path, 0, NULL);
    inc_err e = {0};
    h5out *o = NULL;
    CU_ASSERT_EQUAL_FATAL(write_run(&m, 2, 0, &o, &e), INC_OK);
    CU_ASSERT(!exists(path));
    CU_ASSERT(exists(with_suffix(path, ".partial")));
    CU_ASSERT_EQUAL_FATAL(copy_file(with_suffix(path, ".partial"), copy), 0);
    hid_t f = H5Fopen(copy, H5F_ACC_RDONLY, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    check_root(f, "incomplete", 2);
    check_scales(f, 2);
    check_datasets(f, 2);
    H5Fclose(f);
    h5out_abort(o);
    CU_ASSERT(!exists(path));
    CU_ASSERT(!exists(with_suffix(path, ".partial")));
    CU_ASSERT(!exists(with_suffix(path, ".lock")));
}

static void test_refuse_overwrite(void)
{
    const char *path = path_in_tmp("existing.h5");
    const char *precious = "precious results\n";
    CU_ASSERT_EQUAL_FATAL(tu_write_file(path, precious), 0);
    h5out_meta m = make_meta(path, 0, NULL);
    inc_err e = {0};
    h5out *o = (h5out *)&e; /* must be reset to NULL */
    CU_ASSERT_EQUAL(h5out_open(&o, &m, &e), INC_ERR_IO);
    CU_ASSERT_PTR_NULL(o);
    char want[700];
    snprintf(want, sizeof want, "%s exists; choose another --out or pass --force to overwrite", path);
    CU_ASSERT_STRING_EQUAL(e.msg, want);
    size_t n = 0;
    char *bytes = slurp(path, &n);
    CU_ASSERT(bytes && n == strlen(precious) && memcmp(bytes, precious, n) == 0);
    free(bytes);
    CU_ASSERT(!exists(with_suffix(path, ".partial")));
    CU_ASSERT(!exists(with_suffix(path, ".lock")));
}

static void test_force_overwrites(void)
{
    const char *path = path_in_tmp("forced.h5");
    CU_ASSERT_EQUAL_FATAL(tu_write_file(path, "old results\n"), 0);
    h5out_meta m = make_meta(path, 1, NULL);
    inc_err e = {0};
    inc_status st = write_run(&m, N_MONTHS, 1, NULL, &e);
    if (st != INC_OK) fprintf(stderr, "\n%s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    check_root(f, "complete", N_MONTHS);
    check_datasets(f, N_MONTHS);
    H5Fclose(f);
    CU_ASSERT(!exists(with_suffix(path, ".partial")));
    CU_ASSERT(!exists(with_suffix(path, ".lock")));
}

static void test_abort_leaves_nothing(void)
{
    const char *path = path_in_tmp("aborted.h5");
    h5out_meta m = make_meta(path, 0, NULL);
    inc_err e = {0};
    h5out *o = NULL;
    CU_ASSERT_EQUAL_FATAL(write_run(&m, 2, 0, &o, &e), INC_OK);
    h5out_abort(o);
    h5out_abort(NULL);
    no_open_hdf5_objects();
    CU_ASSERT(!exists(path));
    CU_ASSERT(!exists(with_suffix(path, ".partial")));
    CU_ASSERT(!exists(with_suffix(path, ".lock")));
}

static void test_bad_folder(void)
{
    inc_err e = {0};
    h5out *o = NULL;
    /* A folder that does not exist. */
    const char *path = path_in_tmp("no/such/folder/run.h5");
    h5out_meta m = make_meta(path, 0, NULL);
    CU_ASSERT_EQUAL(h5out_open(&o, &m, &e), INC_ERR_IO);
    CU_ASSERT_PTR_NULL(o);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, with_suffix(path, ".partial")));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no/such/folder"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "No such file or directory"));

    /* A "folder" that is a file. */
    const char *file = path_in_tmp("plainfile");
    CU_ASSERT_EQUAL_FATAL(tu_write_file(file, "x"), 0);
    path = path_in_tmp("plainfile/run.h5");
    m = make_meta(path, 0, NULL);
    CU_ASSERT_EQUAL(h5out_open(&o, &m, &e), INC_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, with_suffix(path, ".partial")));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "Not a directory"));

    /* A read-only folder (root ignores permissions, so only as a normal user). */
    if (geteuid() != 0) {
        const char *dir = path_in_tmp("readonly");
        CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0555), 0);
        path = path_in_tmp("readonly/run.h5");
        m = make_meta(path, 0, NULL);
        CU_ASSERT_EQUAL(h5out_open(&o, &m, &e), INC_ERR_IO);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, with_suffix(path, ".partial")));
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "Permission denied"));
        chmod(dir, 0755);
    }
}

/* Another process (fork) trying to write the same path is refused while we
 * hold it, and does not disturb our file; so is a second h5out in this process. */
static void test_lock_held_by_running_job(void)
{
    const char *path = path_in_tmp("locked.h5");
    h5out_meta m = make_meta(path, 0, NULL);
    inc_err e = {0};
    h5out *o = NULL;
    CU_ASSERT_EQUAL_FATAL(write_run(&m, 2, 0, &o, &e), INC_OK);

    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        /* Child: _exit, never exit(): atexit handlers (the temp folder's removal,
         * HDF5's shutdown) belong to the parent. */
        inc_err ce = {0};
        h5out *co = NULL;
        h5out_meta cm = make_meta(path, 1, NULL);
        inc_status cst = h5out_open(&co, &cm, &ce);
        int ok = cst == INC_ERR_IO && co == NULL && strstr(ce.msg, "being written by another running job") &&
                 strstr(ce.msg, with_suffix(path, ".lock")) && exists(with_suffix(path, ".partial")) &&
                 exists(with_suffix(path, ".lock"));
        if (!ok) fprintf(stderr, "child: status %d: %s\n", (int)cst, ce.msg);
        _exit(ok ? 0 : 1);
    }
    int ws = 0;
    CU_ASSERT_EQUAL(waitpid(pid, &ws, 0), pid);
    CU_ASSERT(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);

    /* Same process, second writer: refused as well (open-file-description lock). */
    h5out *o2 = NULL;
    h5out_meta m2 = make_meta(path, 1, NULL);
    CU_ASSERT_EQUAL(h5out_open(&o2, &m2, &e), INC_ERR_IO);
    CU_ASSERT_PTR_NULL(o2);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "another running job"));

    /* The first writer is undisturbed. */
    stats_t *s = stats_alloc(N_NODES, N_SECTORS);
    for (int t = 2; t < N_MONTHS; t++) {
        fill(s, t);
        CU_ASSERT_EQUAL(h5out_append(o, s, t, &e), INC_OK);
    }
    stats_free(s);
    CU_ASSERT_EQUAL_FATAL(h5out_close(o, &e), INC_OK);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    check_root(f, "complete", N_MONTHS);
    check_datasets(f, N_MONTHS);
    H5Fclose(f);
    CU_ASSERT(!exists(with_suffix(path, ".lock")));
}

/* A job killed mid-run leaves PATH.partial (readable, status "incomplete") and a
 * lock file nobody holds; the next run replaces both. */
static void test_killed_run_leaves_stale_partial(void)
{
    const char *path = path_in_tmp("killed.h5");
    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        h5out_meta cm = make_meta(path, 0, NULL);
        inc_err ce = {0};
        h5out *co = NULL;
        if (write_run(&cm, 2, 0, &co, &ce) != INC_OK) _exit(1);
        raise(SIGKILL);
        _exit(2);
    }
    int ws = 0;
    CU_ASSERT_EQUAL(waitpid(pid, &ws, 0), pid);
    CU_ASSERT(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    CU_ASSERT_FATAL(exists(with_suffix(path, ".partial")));
    CU_ASSERT(exists(with_suffix(path, ".lock")));
    CU_ASSERT(!exists(path));

    hid_t f = H5Fopen(with_suffix(path, ".partial"), H5F_ACC_RDONLY, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    check_root(f, "incomplete", 2);
    check_datasets(f, 2);
    H5Fclose(f);

    h5out_meta m = make_meta(path, 0, NULL);
    inc_err e = {0};
    inc_status st = write_run(&m, N_MONTHS, 1, NULL, &e);
    if (st != INC_OK) fprintf(stderr, "\n%s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    check_root(f, "complete", N_MONTHS);
    check_datasets(f, N_MONTHS);
    H5Fclose(f);
    CU_ASSERT(!exists(with_suffix(path, ".partial")));
    CU_ASSERT(!exists(with_suffix(path, ".lock")));
}

/* Without force, a PATH that appears while the run writes is not replaced. */
static void test_close_keeps_path_that_appeared(void)
{
    const char *path = path_in_tmp("appeared.h5");
    h5out_meta m = make_meta(path, 0, NULL);
    inc_err e = {0};
    h5out *o = NULL;
    CU_ASSERT_EQUAL_FATAL(write_run(&m, N_MONTHS, 0, &o, &e), INC_OK);
    CU_ASSERT_EQUAL_FATAL(tu_write_file(path, "someone else's\n"), 0);
    CU_ASSERT_EQUAL(h5out_close(o, &e), INC_ERR_IO);
    no_open_hdf5_objects();
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "--force"));
    size_t n = 0;
    char *bytes = slurp(path, &n);
    CU_ASSERT(bytes && n == 15 && memcmp(bytes, "someone else's\n", 15) == 0);
    free(bytes);
    CU_ASSERT(!exists(with_suffix(path, ".partial")));
    CU_ASSERT(!exists(with_suffix(path, ".lock")));
}

/* Months are appended in order, within the plan; closing early is an error. */
static void test_append_order_and_completeness(void)
{
    const char *path = path_in_tmp("order.h5");
    h5out_meta m = make_meta(path, 0, NULL);
    inc_err e = {0};
    h5out *o = NULL;
    CU_ASSERT_EQUAL_FATAL(h5out_open(&o, &m, &e), INC_OK);
    stats_t *s = stats_alloc(N_NODES, N_SECTORS), *wrong = stats_alloc(N_NODES + 1, N_SECTORS);
    fill(s, 0);
    CU_ASSERT_EQUAL(h5out_append(o, s, 1, &e), INC_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "month 1"));
    CU_ASSERT_EQUAL(h5out_append(o, wrong, 0, &e), INC_ERR_IO);
    CU_ASSERT_EQUAL(h5out_append(o, s, 0, &e), INC_OK);
    CU_ASSERT_EQUAL(h5out_append(o, s, 0, &e), INC_ERR_IO);
    CU_ASSERT_EQUAL(h5out_close(o, &e), INC_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "1 of 5"));
    CU_ASSERT(!exists(path));
    CU_ASSERT(!exists(with_suffix(path, ".partial")));
    CU_ASSERT(!exists(with_suffix(path, ".lock")));
    no_open_hdf5_objects();

    /* Beyond the plan. */
    CU_ASSERT_EQUAL_FATAL(write_run(&m, N_MONTHS, 0, &o, &e), INC_OK);
    CU_ASSERT_EQUAL(h5out_append(o, s, N_MONTHS, &e), INC_ERR_IO);
    CU_ASSERT_EQUAL(h5out_close(o, &e), INC_OK);
    no_open_hdf5_objects();
    stats_free(s);
    stats_free(wrong);
}

/* A write error from the disk is an I/O error naming the file, and abort then
 * cleans up. The disk is "full" through a file size limit (EFBIG) in a child. */
static void test_disk_full(void)
{
    const char *path = path_in_tmp("full.h5");
    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        h5out_meta cm = make_meta(path, 0, NULL);
        cm.n_months = 12000;
        cm.start_month = 2000 * 12;
        inc_err ce = {0};
        h5out *co = NULL;
        if (h5out_open(&co, &cm, &ce) != INC_OK) _exit(1);
        struct stat st;
        if (stat(with_suffix(path, ".partial"), &st) != 0) _exit(2);
        struct rlimit rl = {(rlim_t)st.st_size + 16384, (rlim_t)st.st_size + 16384};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(3);
        stats_t *s = stats_alloc(N_NODES, N_SECTORS);
        inc_status cst = INC_OK;
        int t;
        for (t = 0; t < cm.n_months && cst == INC_OK; t++) {
            fill(s, t % N_MONTHS);
            cst = h5out_append(co, s, t, &ce);
        }
        int ok = cst == INC_ERR_IO && strstr(ce.msg, with_suffix(path, ".partial")) && strstr(ce.msg, "File too large");
        if (!ok) fprintf(stderr, "child: month %d status %d: %s\n", t, (int)cst, ce.msg);
        /* A failed file cannot be continued or published. */
        if (h5out_append(co, s, t, &ce) == INC_OK) ok = 0;
        stats_free(s);
        h5out_abort(co);
        if (exists(with_suffix(path, ".partial")) || exists(with_suffix(path, ".lock"))) ok = 0;
        /* HDF5 cannot fully release a file whose final flush fails (its id stays
         * valid until exit), but it must close the descriptor, or the space of
         * the removed partial would stay in use. */
        if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_DATASET | H5F_OBJ_ATTR | H5F_OBJ_GROUP) != 0) ok = 0;
        if (fd_open_to(with_suffix(path, ".partial"))) ok = 0;
        _exit(ok ? 0 : 4);
    }
    int ws = 0;
    CU_ASSERT_EQUAL(waitpid(pid, &ws, 0), pid);
    CU_ASSERT(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    CU_ASSERT(!exists(path));
}

/* Text over 60 KB goes to a dataset; the attribute says where. */
static void test_long_scenario(void)
{
    const char *path = path_in_tmp("long.h5");
    size_t n = 70000;
    char *text = malloc(n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (size_t i = 0; i < n; i++) text[i] = (i % 61 == 60) ? '\n' : (char)('a' + i % 26);
    text[n] = '\0';
    h5out_meta m = make_meta(path, 0, text);
    inc_err e = {0};
    inc_status st = write_run(&m, N_MONTHS, 1, NULL, &e);
    if (st != INC_OK) fprintf(stderr, "\n%s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    char *note = attr_str(f, "/", "scenario");
    CU_ASSERT(note && strstr(note, "dataset /scenario"));
    free(note);
    hid_t d = H5Dopen2(f, "/scenario", H5P_DEFAULT);
    CU_ASSERT_FATAL(d >= 0);
    hid_t t = H5Dget_type(d);
    CU_ASSERT(H5Tis_variable_str(t) > 0);
    char *back = NULL;
    CU_ASSERT(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &back) >= 0);
    CU_ASSERT(back && strlen(back) == n && memcmp(back, text, n + 1) == 0);
    hid_t sp = H5Dget_space(d);
    H5Dvlen_reclaim(t, sp, H5P_DEFAULT, &back);
    H5Sclose(sp);
    H5Tclose(t);
    H5Dclose(d);
    H5Fclose(f);
    free(text);
}

/* The same run writes the same bytes (no timestamps in the file). */
static void test_reproducible_bytes(void)
{
    const char *a = path_in_tmp("same-a.h5"), *b = path_in_tmp("same-b.h5");
    inc_err e = {0};
    h5out_meta ma = make_meta(a, 0, NULL), mb = make_meta(b, 0, NULL);
    CU_ASSERT_EQUAL_FATAL(write_run(&ma, N_MONTHS, 1, NULL, &e), INC_OK);
    CU_ASSERT_EQUAL_FATAL(write_run(&mb, N_MONTHS, 1, NULL, &e), INC_OK);
    size_t na = 0, nb = 0;
    char *ba = slurp(a, &na), *bb = slurp(b, &nb);
    CU_ASSERT(ba && bb && na == nb && memcmp(ba, bb, na) == 0);
    free(ba);
    free(bb);
}

/* docs/output.md lists every row of outputs.def exactly as its regeneration
 * command prints it. */
static void test_docs_match_table(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/docs/output.md", tu_srcdir());
    size_t n = 0;
    char *doc = slurp(path, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    char *z = realloc(doc, n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    doc = z;
    doc[n] = '\0';
    static const char *const shape[3] = {"(time)", "(time, node)", "(time, node, sector)"};
    for (int k = 0; k < OUT_COUNT; k++) {
        const out_info *r = &stats_table[k];
        char line[1200];
        snprintf(line, sizeof line, "| `/%s/%s` | %s | %s | %s | %s |\n", stats_group_name(r->group), r->name,
                 shape[r->group], r->type == OUT_F64 ? "float64" : "int64", r->units, r->description);
        if (!strstr(doc, line)) {
            fprintf(stderr, "\ndocs/output.md lacks: %s", line);
            CU_FAIL("docs/output.md is out of date; regenerate its table");
        }
    }
    free(doc);
}

int main(void)
{
    h5out_quiet();
    static const tu_test tests[] = {
        {"round trip: shapes, values, attributes, scales", test_roundtrip},
        {"partial file is readable mid-run", test_partial_readable_midrun},
        {"refuses to overwrite an existing file", test_refuse_overwrite},
        {"force overwrites", test_force_overwrites},
        {"abort leaves nothing", test_abort_leaves_nothing},
        {"missing or unwritable folder", test_bad_folder},
        {"lock held by a running job", test_lock_held_by_running_job},
        {"killed run: readable stale partial, replaced", test_killed_run_leaves_stale_partial},
        {"close keeps a PATH that appeared", test_close_keeps_path_that_appeared},
        {"append order and completeness", test_append_order_and_completeness},
        {"disk full is an I/O error", test_disk_full},
        {"long scenario text goes to a dataset", test_long_scenario},
        {"same run, same bytes", test_reproducible_bytes},
        {"docs/output.md matches outputs.def", test_docs_match_table},
        {NULL, NULL},
    };
    return tu_run_suite("h5out", tests);
}
