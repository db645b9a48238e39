/* integrity.c - `check FILE` (integrity.h).
 *
 * The checks read every dataset once; a default-size file (204 months x 16
 * nodes x 10 sectors) is a few MB, so this takes a fraction of a second. The
 * expected datasets come from the simulator's own output table (stats_table,
 * built from sim/outputs.def), so `check` knows every output this build
 * writes without a second list to keep in step. */
#include "integrity.h"
#include "runfile.h"
#include "stats.h" /* sim/stats.h: the simulator's output table */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    FILE *out;
    int ran, failed;
} tally;

static void report(tally *t, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(tally *t, int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(t->out, "  %-5s ", ok ? "ok" : "FAIL");
    vfprintf(t->out, fmt, ap);
    fputc('\n', t->out);
    va_end(ap);
    t->ran++;
    if (!ok) t->failed++;
}

/* Read dataset path as doubles (or int64 when as_int): allocates *buf, sets
 * dims and rank. Returns 0, -1 when missing or unreadable. */
static int read_all(hid_t file, const char *path, int as_int, void **buf, hsize_t *dims, int *rank, size_t *count)
{
    *buf = NULL;
    if (!runfile_link_exists(file, path)) return -1;
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) return -1;
    int rc = -1;
    hid_t sp = H5Dget_space(d);
    int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (nd >= 0 && nd <= 3 && H5Sget_simple_extent_dims(sp, dims, NULL) == nd) {
        size_t n = 1;
        for (int k = 0; k < nd; k++) n *= (size_t)dims[k];
        *buf = malloc((n ? n : 1) * 8);
        if (*buf && (n == 0 || H5Dread(d, as_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                                       H5P_DEFAULT, *buf) >= 0)) {
            *rank = nd;
            *count = n;
            rc = 0;
        } else {
            free(*buf);
            *buf = NULL;
        }
    }
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(d);
    return rc;
}

/* ---- every floating-point dataset is finite ------------------------------ */

typedef struct {
    long datasets;
    long long values;
    int bad;              /* a non-finite value or an unreadable dataset was found */
    char where[512];      /* the first one */
} finite_scan;

static herr_t visit_finite(hid_t obj, const char *name, const H5O_info_t *info, void *op)
{
    finite_scan *fs = op;
    if (info->type != H5O_TYPE_DATASET) return 0;
    hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
    if (d < 0) return 0;
    hid_t ft = H5Dget_type(d);
    int is_float = ft >= 0 && H5Tget_class(ft) == H5T_FLOAT;
    if (ft >= 0) H5Tclose(ft);
    H5Dclose(d);
    if (!is_float) return 0;
    char path[300];
    snprintf(path, sizeof path, "/%s", name);
    void *buf;
    hsize_t dims[3];
    int rank;
    size_t n;
    fs->datasets++;
    if (read_all(obj, path, 0, &buf, dims, &rank, &n) != 0) {
        if (!fs->bad) snprintf(fs->where, sizeof fs->where, "%s cannot be read", path);
        fs->bad = 1;
        return 0;
    }
    const double *x = buf;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) {
            if (!fs->bad)
                snprintf(fs->where, sizeof fs->where, "%s holds %s at element %zu (month %zu)", path,
                         isnan(x[i]) ? "NaN" : "infinity", i, rank > 1 ? i / (n / (size_t)dims[0]) : i);
            fs->bad = 1;
            break;
        }
    fs->values += (long long)n;
    free(buf);
    return 0;
}

/* ---- bounds ------------------------------------------------------------- */

/* Whether every value of path lies in [lo, hi]; *what describes the first
 * one outside. Returns 1 ok, 0 violated, -1 missing. */
static int within(hid_t file, const char *path, double lo, double hi, char *what, size_t cap)
{
    void *buf;
    hsize_t dims[3];
    int rank;
    size_t n;
    if (read_all(file, path, 0, &buf, dims, &rank, &n) != 0) return -1;
    const double *x = buf;
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        if (!(x[i] >= lo && x[i] <= hi)) {
            snprintf(what, cap, "%s = %g at element %zu (month %zu)", path, x[i], i,
                     rank > 1 ? i / (n / (size_t)dims[0]) : i);
            ok = 0;
            break;
        }
    free(buf);
    return ok;
}

static int is_count_unit(const char *u)
{
    return !strcmp(u, "persons") || !strcmp(u, "firms") || !strcmp(u, "persons/month") || !strcmp(u, "firms/month");
}

an_status integrity_check(const char *path, FILE *out, int *n_failed, an_err *e)
{
    tally t = {out, 0, 0};
    *n_failed = 0;
    hid_t file;
    an_status st = runfile_h5open(path, 1, &file, e);
    if (st != AN_OK) return st;
    fprintf(out, "check %s\n", path);

    runfile rf;
    memset(&rf, 0, sizeof rf);
    an_err me;
    if (runfile_read_meta(file, path, &rf, &me) != AN_OK) {
        /* Without the root attributes nothing else can be judged. */
        const char *m = me.msg;
        size_t pl = strlen(path);
        if (!strncmp(m, path, pl) && m[pl] == ':') m += pl + 2;
        report(&t, 0, "incubator-sim output: %s", m);
        goto done;
    }
    report(&t, 1, "incubator-sim output: model %s, scenario '%s', seed %llu, policy start %s", rf.model_version,
           rf.scenario_name, (unsigned long long)rf.seed, rf.policy_start);
    size_t pl = strlen(path);
    report(&t, !(pl >= 8 && !strcmp(path + pl - 8, ".partial")), "name: %s",
           pl >= 8 && !strcmp(path + pl - 8, ".partial") ? "a .partial file: its run is running or was killed"
                                                           : "not a .partial file");
    report(&t, !strcmp(rf.status, "complete"), "status: '%s'%s", rf.status,
           strcmp(rf.status, "complete") ? ", expected 'complete'" : "");
    report(&t, rf.months_written == rf.months_planned && rf.T == rf.months_written,
           "months: written %d, planned %d, length of /time %d", rf.months_written, rf.months_planned, rf.T);

    /* Completeness: every row of the simulator's output table. */
    {
        int missing = 0, shaped = 0;
        char first[400] = "";
        for (int k = 0; k < OUT_COUNT; k++) {
            char p[256];
            snprintf(p, sizeof p, "/%s/%s", stats_group_name(stats_table[k].group), stats_table[k].name);
            int rank = stats_table[k].group == OUT_NATIONAL ? 1 : stats_table[k].group == OUT_NODE ? 2 : 3;
            hsize_t want[3] = {(hsize_t)rf.T, (hsize_t)rf.N, (hsize_t)rf.S}, dims[3] = {0, 0, 0};
            if (!runfile_link_exists(file, p)) {
                if (!missing++ && !shaped) snprintf(first, sizeof first, "%s is missing", p);
                continue;
            }
            hid_t d = H5Dopen2(file, p, H5P_DEFAULT);
            hid_t sp = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
            int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
            int ok = nd == rank && H5Sget_simple_extent_dims(sp, dims, NULL) == rank;
            for (int j = 0; ok && j < rank; j++) ok = dims[j] == want[j];
            if (!ok && !shaped++ && !missing) snprintf(first, sizeof first, "%s does not have shape %s", p,
                                                       rank == 1 ? "(time)" : rank == 2 ? "(time, node)"
                                                                                        : "(time, node, sector)");
            if (sp >= 0) H5Sclose(sp);
            if (d >= 0) H5Dclose(d);
        }
        if (missing || shaped)
            report(&t, 0, "outputs: %d of the %d datasets of this build's output table missing, %d misshapen; first: %s",
                   missing, (int)OUT_COUNT, shaped, first);
        else
            report(&t, 1, "outputs: all %d datasets of this build's output table present, shaped (time[, node[, sector]])",
                   (int)OUT_COUNT);
    }
    /* The analysis: its datasets, including the node and sector attributes. */
    {
        an_err de;
        if (runfile_read_data(file, &rf, &de) == AN_OK) {
            report(&t, 1, "analysis datasets: all %d present and shaped (incubator-analyze can summarise this file)",
                   (int)RF_COUNT);
        } else {
            const char *m = de.msg;
            if (!strncmp(m, path, pl) && m[pl] == ':') m += pl + 2;
            report(&t, 0, "analysis datasets: %s", m);
        }
    }
    /* Every chunk's Fletcher32 checksum: a corrupted byte names its dataset. */
    {
        long n = 0;
        an_err ce;
        memset(&ce, 0, sizeof ce);
        if (runfile_verify_checksums(file, path, &n, &ce) != AN_OK) {
            const char *m = ce.msg;
            size_t plen = strlen(path);
            if (!strncmp(m, path, plen) && m[plen] == ':') m += plen + 2;
            report(&t, 0, "checksums: %s", m);
        } else {
            report(&t, 1, "checksums: every chunk of %ld checksummed datasets matches", n);
        }
    }
    /* No NaN or infinity anywhere. */
    {
        finite_scan fs;
        memset(&fs, 0, sizeof fs);
        if (H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, visit_finite, &fs, H5O_INFO_BASIC) < 0 && !fs.bad) {
            fs.bad = 1;
            snprintf(fs.where, sizeof fs.where, "the file's objects cannot be listed (damaged file?)");
        }
        if (fs.bad) report(&t, 0, "finite: %s", fs.where);
        else report(&t, 1, "finite: no NaN or infinity in %ld floating-point datasets (%lld values)", fs.datasets,
                    fs.values);
    }
    /* The audit's residual. */
    {
        void *buf;
        hsize_t dims[3];
        int rank;
        size_t n;
        if (read_all(file, "/national/sfc_residual", 1, &buf, dims, &rank, &n) != 0) {
            report(&t, 0, "stock-flow residual: /national/sfc_residual missing or unreadable");
        } else {
            const int64_t *r = buf;
            size_t bad = n;
            for (size_t i = 0; i < n && bad == n; i++)
                if (r[i] != 0) bad = i;
            if (bad < n) report(&t, 0, "stock-flow residual: %lld fen in month %zu, expected 0 in every month",
                                (long long)r[bad], bad);
            else report(&t, 1, "stock-flow residual: 0 fen in all %zu months", n);
            free(buf);
        }
    }
    /* Bounds. */
    {
        const char *shares[] = {"/national/unemployment_rate", "/node/unemployment_rate", "/national/wage_gini"};
        int okall = 1;
        char what[400] = "";
        for (size_t k = 0; k < sizeof shares / sizeof *shares; k++) {
            char w[400];
            int r = within(file, shares[k], 0, 1, w, sizeof w);
            if (r == 0 && okall) snprintf(what, sizeof what, "%s", w);
            if (r == -1 && okall) snprintf(what, sizeof what, "%s missing or unreadable", shares[k]);
            if (r != 1) okall = 0;
        }
        if (okall) report(&t, 1, "bounds: unemployment rates (national, nodes) and wage Gini in [0, 1]");
        else report(&t, 0, "bounds: %s, expected in [0, 1]", what);
    }
    {
        int okall = 1, n_checked = 0;
        char what[400] = "";
        for (int k = 0; k < OUT_COUNT; k++) {
            if (!is_count_unit(stats_table[k].units)) continue;
            char p[256], w[400];
            snprintf(p, sizeof p, "/%s/%s", stats_group_name(stats_table[k].group), stats_table[k].name);
            int r = within(file, p, 0, INFINITY, w, sizeof w);
            if (r == -1) continue; /* reported as missing above */
            n_checked++;
            if (r == 0 && okall) {
                snprintf(what, sizeof what, "%s", w);
                okall = 0;
            }
        }
        if (okall) report(&t, 1, "bounds: %d counts of persons and firms not negative", n_checked);
        else report(&t, 0, "bounds: %s, expected not negative", what);
    }

done:
    runfile_free(&rf);
    H5Fclose(file);
    *n_failed = t.failed;
    if (t.failed) fprintf(out, "FAIL: %d of %d checks failed\n", t.failed, t.ran);
    else fprintf(out, "PASS: all %d checks passed\n", t.ran);
    return AN_OK;
}
