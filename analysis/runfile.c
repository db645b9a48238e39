/* runfile.c - open, validate and read one incubator-sim output (runfile.h).
 *
 * The checks run from cheapest to dearest and stop at the first failure, so a
 * wrong file costs a stat and an 8-byte read, not a scan: the name (.partial),
 * the HDF5 signature, the simulator's root attributes, completeness, and only
 * then the datasets. Messages name the file first ("FILE: what is wrong"). */
#include "runfile.h"
#include "month.h"
#include "h5err.h" /* sim/h5err.h: what HDF5 said */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
    const char *path;
    runfile_shape shape;
} dataset_table[RF_COUNT] = {
#define RF_ROW(id, path, shape) {path, shape},
    RUNFILE_DATASETS(RF_ROW)
#undef RF_ROW
};

const char *runfile_dataset_path(runfile_dataset id) { return dataset_table[id].path; }
runfile_shape runfile_dataset_shape(runfile_dataset id) { return dataset_table[id].shape; }

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

an_status runfile_h5open(const char *path, int allow_partial, hid_t *file, an_err *e)
{
    *file = H5I_INVALID_HID;
    if (!allow_partial && ends_with(path, ".partial"))
        return an_fail(e, AN_ERR_INPUT,
                       "%s: a partial file (its run is still writing it or was killed); only finished runs are analysed",
                       path);
    struct stat st;
    if (stat(path, &st) != 0) return an_fail(e, AN_ERR_INPUT, "%s: cannot read: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) return an_fail(e, AN_ERR_INPUT, "%s: not a regular file", path);
    FILE *f = fopen(path, "rb");
    if (!f) return an_fail(e, AN_ERR_INPUT, "%s: cannot read: %s", path, strerror(errno));
    fclose(f);
    htri_t is = H5Fis_hdf5(path);
    if (is == 0) return an_fail(e, AN_ERR_INPUT, "%s: not an HDF5 file", path);
    if (is < 0) return an_fail(e, AN_ERR_INPUT, "%s: cannot read the HDF5 signature (damaged file?)", path);
    hid_t fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fid < 0)
        return an_fail(e, AN_ERR_INPUT,
                       "%s: HDF5 cannot open it (truncated or damaged file, or locked by a running writer)", path);
    *file = fid;
    return AN_OK;
}

int runfile_link_exists(hid_t file, const char *path)
{
    char buf[512];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, path, n + 1);
    /* Check "/a", then "/a/b", ...: H5Lexists fails on a missing parent. */
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char c = buf[i];
        buf[i] = '\0';
        htri_t ex = H5Lexists(file, buf, H5P_DEFAULT);
        buf[i] = c;
        if (ex <= 0) return 0;
    }
    return 1;
}

/* Read a scalar string from attribute or dataset obj of type ft (fixed or
 * variable length) into a malloc'ed copy. is_attr selects H5Aread/H5Dread. */
static int read_text(hid_t obj, hid_t ft, int is_attr, char **out)
{
    int rc = -2;
    hid_t mt = H5Tcopy(H5T_C_S1);
    if (mt < 0) return -2;
    if (H5Tis_variable_str(ft) > 0) {
        char *p = NULL;
        if (H5Tset_size(mt, H5T_VARIABLE) >= 0 &&
            (is_attr ? H5Aread(obj, mt, &p) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p)) >= 0) {
            *out = strdup(p ? p : "");
            rc = *out ? 0 : -2;
        }
        if (p) H5free_memory(p);
    } else {
        size_t sz = H5Tget_size(ft);
        char *buf = sz > 0 ? malloc(sz + 1) : NULL;
        if (buf && H5Tset_size(mt, sz + 1) >= 0 && H5Tset_strpad(mt, H5T_STR_NULLTERM) >= 0 &&
            (is_attr ? H5Aread(obj, mt, buf) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)) >= 0) {
            buf[sz] = '\0';
            *out = buf;
            buf = NULL;
            rc = 0;
        }
        free(buf);
    }
    H5Tclose(mt);
    return rc;
}

int runfile_root_text(hid_t file, const char *name, char **out)
{
    *out = NULL;
    if (H5Aexists_by_name(file, "/", name, H5P_DEFAULT) <= 0) return -1;
    hid_t a = H5Aopen_by_name(file, "/", name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return -2;
    hid_t ft = H5Aget_type(a);
    int rc = -2;
    if (ft >= 0) {
        rc = H5Tget_class(ft) == H5T_STRING ? read_text(a, ft, 1, out) : 1;
        H5Tclose(ft);
    }
    H5Aclose(a);
    return rc;
}

/* Read a scalar integer root attribute into *v as the native type mt. */
static int root_int(hid_t file, const char *name, hid_t mt, void *v)
{
    if (H5Aexists_by_name(file, "/", name, H5P_DEFAULT) <= 0) return -1;
    hid_t a = H5Aopen_by_name(file, "/", name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return -2;
    int rc = -2;
    hid_t ft = H5Aget_type(a), sp = H5Aget_space(a);
    if (ft >= 0 && sp >= 0) {
        if (H5Tget_class(ft) != H5T_INTEGER || H5Sget_simple_extent_npoints(sp) != 1) rc = 1;
        else if (H5Aread(a, mt, v) >= 0) rc = 0;
    }
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    H5Aclose(a);
    return rc;
}

/* The resolved scenario: the root attribute, or the dataset /scenario when the
 * text was too long for an attribute (docs/output.md "Root attributes"). */
static int scenario_text(hid_t file, char **out)
{
    int rc = runfile_root_text(file, "scenario", out);
    if (rc != 0 || strncmp(*out, "(longer than", 12) != 0) return rc;
    free(*out);
    *out = NULL;
    if (!runfile_link_exists(file, "/scenario")) return -1;
    hid_t d = H5Dopen2(file, "/scenario", H5P_DEFAULT);
    if (d < 0) return -2;
    hid_t ft = H5Dget_type(d);
    rc = -2;
    if (ft >= 0) {
        rc = H5Tget_class(ft) == H5T_STRING ? read_text(d, ft, 0, out) : 1;
        H5Tclose(ft);
    }
    H5Dclose(d);
    return rc;
}

/* Find `start = YYYY-MM` in section [policy] of INI text; copies the value
 * (without comment and blanks) into val. Returns 0 when found. */
static int find_policy_start(const char *text, char *val, size_t cap)
{
    int in_policy = 0, found = -1;
    const char *line = text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        while (len > 0 && isspace((unsigned char)*line)) { line++; len--; }
        while (len > 0 && isspace((unsigned char)line[len - 1])) len--;
        if (len > 0 && line[0] == '[') {
            const char *close = memchr(line, ']', len);
            size_t n = close ? (size_t)(close - line - 1) : 0;
            in_policy = close && n == 6 && strncmp(line + 1, "policy", 6) == 0;
        } else if (in_policy && len > 0 && line[0] != ';' && line[0] != '#') {
            const char *eq = memchr(line, '=', len);
            if (eq) {
                size_t klen = (size_t)(eq - line);
                while (klen > 0 && isspace((unsigned char)line[klen - 1])) klen--;
                if (klen == 5 && strncmp(line, "start", 5) == 0) {
                    const char *v = eq + 1, *vend = line + len;
                    const char *semi = memchr(v, ';', (size_t)(vend - v));
                    if (semi) vend = semi;
                    while (v < vend && isspace((unsigned char)*v)) v++;
                    while (vend > v && isspace((unsigned char)vend[-1])) vend--;
                    size_t vlen = (size_t)(vend - v);
                    if (vlen < cap) {
                        memcpy(val, v, vlen);
                        val[vlen] = '\0';
                        found = 0;
                    }
                }
            }
        }
        line = end ? end + 1 : NULL;
    }
    return found;
}

/* Length of the one-dimensional dataset path, or -1. */
static long long dataset_length(hid_t file, const char *path)
{
    if (!runfile_link_exists(file, path)) return -1;
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    if (d < 0) return -1;
    long long n = -1;
    hid_t sp = H5Dget_space(d);
    if (sp >= 0) {
        hsize_t dims[1];
        if (H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, dims, NULL) == 1)
            n = (long long)dims[0];
        H5Sclose(sp);
    }
    H5Dclose(d);
    return n;
}

static an_status text_attr(hid_t file, const char *path, const char *name, char **out, an_err *e)
{
    int rc = runfile_root_text(file, name, out);
    if (rc == -1) return an_fail(e, AN_ERR_INPUT, "%s: missing root attribute %s", path, name);
    if (rc == 1) return an_fail(e, AN_ERR_INPUT, "%s: root attribute %s is not a string", path, name);
    if (rc != 0) return an_fail(e, AN_ERR_INPUT, "%s: cannot read root attribute %s (damaged file?)", path, name);
    return AN_OK;
}

static an_status int_attr(hid_t file, const char *path, const char *name, hid_t mt, void *v, an_err *e)
{
    int rc = root_int(file, name, mt, v);
    if (rc == -1) return an_fail(e, AN_ERR_INPUT, "%s: missing root attribute %s", path, name);
    if (rc == 1) return an_fail(e, AN_ERR_INPUT, "%s: root attribute %s is not a scalar integer", path, name);
    if (rc != 0) return an_fail(e, AN_ERR_INPUT, "%s: cannot read root attribute %s (damaged file?)", path, name);
    return AN_OK;
}

an_status runfile_read_meta(hid_t file, const char *path, runfile *rf, an_err *e)
{
    rf->path = strdup(path);
    if (!rf->path) return an_fail(e, AN_ERR_NOMEM, "%s: out of memory", path);
    /* A file with neither of the simulator's signature attributes was written
     * by something else: say so rather than list what it lacks. */
    if (H5Aexists_by_name(file, "/", "model_version", H5P_DEFAULT) <= 0 &&
        H5Aexists_by_name(file, "/", "scenario_name", H5P_DEFAULT) <= 0)
        return an_fail(e, AN_ERR_INPUT,
                       "%s: not an incubator-sim output (an HDF5 file without the root attributes model_version "
                       "and scenario_name)",
                       path);
    an_status st;
    if ((st = text_attr(file, path, "model_version", &rf->model_version, e)) != AN_OK) return st;
    if ((st = text_attr(file, path, "scenario_name", &rf->scenario_name, e)) != AN_OK) return st;
    if ((st = text_attr(file, path, "status", &rf->status, e)) != AN_OK) return st;
    if ((st = text_attr(file, path, "start_month", &rf->start_month, e)) != AN_OK) return st;
    if ((st = int_attr(file, path, "seed", H5T_NATIVE_UINT64, &rf->seed, e)) != AN_OK) return st;
    if ((st = int_attr(file, path, "months_planned", H5T_NATIVE_INT, &rf->months_planned, e)) != AN_OK) return st;
    if ((st = int_attr(file, path, "months_written", H5T_NATIVE_INT, &rf->months_written, e)) != AN_OK) return st;
    if (rf->scenario_name[0] == '\0') return an_fail(e, AN_ERR_INPUT, "%s: root attribute scenario_name is empty", path);
    if ((rf->start_ym = month_parse(rf->start_month)) < 0)
        return an_fail(e, AN_ERR_INPUT, "%s: root attribute start_month '%s' is not YYYY-MM", path, rf->start_month);

    char *text = NULL;
    int rc = scenario_text(file, &text);
    if (rc != 0) {
        free(text);
        return an_fail(e, AN_ERR_INPUT, "%s: %s", path,
                       rc == -1 ? "missing root attribute scenario (the resolved scenario text)"
                                : "cannot read the resolved scenario text (root attribute scenario)");
    }
    char val[64];
    rc = find_policy_start(text, val, sizeof val);
    free(text);
    if (rc != 0) return an_fail(e, AN_ERR_INPUT, "%s: the resolved scenario has no policy.start ([policy] start = YYYY-MM)", path);
    int pym;
    if ((pym = month_parse(val)) < 0)
        return an_fail(e, AN_ERR_INPUT, "%s: policy.start '%s' in the resolved scenario is not YYYY-MM", path, val);
    rf->policy_start = strdup(val);
    if (!rf->policy_start) return an_fail(e, AN_ERR_NOMEM, "%s: out of memory", path);
    rf->policy = pym - rf->start_ym;

    long long T = dataset_length(file, "/time");
    long long N = dataset_length(file, "/node_name");
    long long S = dataset_length(file, "/sector_name");
    if (T < 0) return an_fail(e, AN_ERR_INPUT, "%s: missing dataset /time (or it is not one-dimensional)", path);
    if (N < 1) return an_fail(e, AN_ERR_INPUT, "%s: missing dataset /node_name (or it is empty)", path);
    if (S < 1) return an_fail(e, AN_ERR_INPUT, "%s: missing dataset /sector_name (or it is empty)", path);
    if (T > 1000000 || N > 100000 || S > 10000)
        return an_fail(e, AN_ERR_INPUT, "%s: implausible sizes: %lld months, %lld nodes, %lld sectors", path, T, N, S);
    rf->T = (int)T;
    rf->N = (int)N;
    rf->S = (int)S;
    return AN_OK;
}

an_status runfile_check_complete(const runfile *rf, an_err *e)
{
    if (strcmp(rf->status, "complete") != 0)
        return an_fail(e, AN_ERR_INPUT, "%s: status is '%s', not 'complete' (the run did not finish)", rf->path,
                       rf->status);
    if (rf->months_written != rf->months_planned)
        return an_fail(e, AN_ERR_INPUT, "%s: holds %d of the %d planned months (months_written < months_planned)",
                       rf->path, rf->months_written, rf->months_planned);
    if (rf->T != rf->months_written)
        return an_fail(e, AN_ERR_INPUT, "%s: /time has %d months but months_written is %d", rf->path, rf->T,
                       rf->months_written);
    if (rf->T < 1) return an_fail(e, AN_ERR_INPUT, "%s: holds no month", rf->path);
    return AN_OK;
}

/* Read one dataset of the table, checking class and shape. */
static an_status read_dataset(hid_t file, runfile *rf, runfile_dataset id, an_err *e)
{
    const char *p = dataset_table[id].path;
    hsize_t want[3];
    int rank;
    switch (dataset_table[id].shape) {
    case RF_TIME: rank = 1; want[0] = (hsize_t)rf->T; break;
    case RF_TIME_NODE: rank = 2; want[0] = (hsize_t)rf->T; want[1] = (hsize_t)rf->N; break;
    case RF_TIME_NODE_SECTOR:
        rank = 3;
        want[0] = (hsize_t)rf->T;
        want[1] = (hsize_t)rf->N;
        want[2] = (hsize_t)rf->S;
        break;
    case RF_NODE: rank = 1; want[0] = (hsize_t)rf->N; break;
    default: rank = 1; want[0] = (hsize_t)rf->S; break;
    }
    if (!runfile_link_exists(file, p)) return an_fail(e, AN_ERR_INPUT, "%s: missing dataset %s", rf->path, p);
    hid_t d = H5Dopen2(file, p, H5P_DEFAULT);
    if (d < 0) return an_fail(e, AN_ERR_INPUT, "%s: cannot open dataset %s (damaged file?)", rf->path, p);
    an_status st = AN_OK;
    hid_t sp = H5Dget_space(d), ft = H5Dget_type(d);
    hsize_t dims[3] = {0, 0, 0};
    int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    H5T_class_t cls = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
    if (nd != rank || H5Sget_simple_extent_dims(sp, dims, NULL) != rank) {
        st = an_fail(e, AN_ERR_INPUT, "%s: dataset %s has %d dimensions, expected %d", rf->path, p, nd, rank);
    } else if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
        st = an_fail(e, AN_ERR_INPUT, "%s: dataset %s is not numeric", rf->path, p);
    } else {
        for (int k = 0; k < rank && st == AN_OK; k++)
            if (dims[k] != want[k])
                st = an_fail(e, AN_ERR_INPUT, "%s: dataset %s has %llu entries in dimension %d, expected %llu",
                             rf->path, p, (unsigned long long)dims[k], k, (unsigned long long)want[k]);
    }
    if (st == AN_OK) {
        size_t n = 1;
        for (int k = 0; k < rank; k++) n *= (size_t)want[k];
        rf->d[id] = malloc((n ? n : 1) * sizeof(double));
        if (!rf->d[id]) st = an_fail(e, AN_ERR_NOMEM, "%s: out of memory reading %s", rf->path, p);
        else if (n > 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, rf->d[id]) < 0) {
            char detail[256];
            h5err_read(H5E_DEFAULT, detail, sizeof detail);
            if (strstr(detail, "checksum"))
                st = an_fail(e, AN_ERR_INPUT, "%s: dataset %s is corrupted: a chunk's checksum does not match its data",
                             rf->path, p);
            else
                st = an_fail(e, AN_ERR_INPUT, "%s: cannot read dataset %s (truncated or damaged file)", rf->path, p);
        }
    }
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(d);
    return st;
}

an_status runfile_read_data(hid_t file, runfile *rf, an_err *e)
{
    for (int id = 0; id < RF_COUNT; id++) {
        an_status st = read_dataset(file, rf, (runfile_dataset)id, e);
        if (st != AN_OK) return st;
    }
    return AN_OK;
}

/* ---- checksums ------------------------------------------------------------ */

typedef struct {
    long checked;
    an_status st;
    an_err *e;
    const char *path;
} verify_ctx;

/* Read dataset `name` whole in its own type: HDF5 checks the Fletcher32 sum
 * of every chunk on the way (h5out.c writes one on every chunked dataset). */
static herr_t verify_one(hid_t obj, const char *name, const H5O_info_t *info, void *op)
{
    verify_ctx *c = op;
    if (info->type != H5O_TYPE_DATASET) return 0;
    hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
    if (d < 0) {
        c->st = an_fail(c->e, AN_ERR_INPUT, "%s: dataset /%s cannot be opened (damaged file)", c->path, name);
        return 1;
    }
    hid_t ft = H5Dget_type(d), sp = H5Dget_space(d), pl = H5Dget_create_plist(d);
    int has_sum = pl >= 0 && H5Pget_nfilters(pl) > 0 && H5Pget_filter_by_id2(pl, H5Z_FILTER_FLETCHER32, NULL, NULL, NULL, 0, NULL, NULL) >= 0;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (has_sum && ft >= 0 && n > 0 && H5Tis_variable_str(ft) <= 0) {
        hid_t mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
        size_t sz = mt >= 0 ? H5Tget_size(mt) : 0;
        void *buf = sz ? malloc(sz * (size_t)n) : NULL;
        if (!buf) c->st = an_fail(c->e, AN_ERR_NOMEM, "%s: out of memory reading /%s", c->path, name);
        else if (H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
            char detail[256];
            h5err_read(H5E_DEFAULT, detail, sizeof detail);
            int sum = strstr(detail, "checksum") || strstr(detail, "Fletcher") || strstr(detail, "filter");
            c->st = an_fail(c->e, AN_ERR_INPUT, "%s: dataset /%s is corrupted: %s (%s)", c->path, name,
                            sum ? "a chunk's checksum does not match its data" : "a chunk cannot be read",
                            detail[0] ? detail : "no detail");
        }
        free(buf);
        if (mt >= 0) H5Tclose(mt);
        c->checked++;
    }
    if (pl >= 0) H5Pclose(pl);
    if (sp >= 0) H5Sclose(sp);
    if (ft >= 0) H5Tclose(ft);
    H5Dclose(d);
    return c->st == AN_OK ? 0 : 1;
}

an_status runfile_verify_checksums(hid_t file, const char *path, long *checked, an_err *e)
{
    verify_ctx c = {0, AN_OK, e, path};
    if (H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, verify_one, &c, H5O_INFO_BASIC) < 0 && c.st == AN_OK)
        c.st = an_fail(e, AN_ERR_INPUT, "%s: the file's objects cannot be listed (damaged file)", path);
    if (checked) *checked = c.checked;
    return c.st;
}

an_status runfile_open(const char *path, runfile *rf, an_err *e)
{
    hid_t file;
    an_status st = runfile_h5open(path, 0, &file, e);
    if (st != AN_OK) return st;
    st = runfile_read_meta(file, path, rf, e);
    if (st == AN_OK) st = runfile_check_complete(rf, e);
    if (st == AN_OK) st = runfile_read_data(file, rf, e);
    /* Every checksum, not only those of the datasets read above: a file with
     * a corrupted byte anywhere is not summarised. */
    if (st == AN_OK) st = runfile_verify_checksums(file, path, NULL, e);
    if (H5Fclose(file) < 0 && st == AN_OK) st = an_fail(e, AN_ERR_INPUT, "%s: error closing the file", path);
    return st;
}

void runfile_free(runfile *rf)
{
    free(rf->path);
    free(rf->scenario_name);
    free(rf->model_version);
    free(rf->status);
    free(rf->start_month);
    free(rf->policy_start);
    for (int id = 0; id < RF_COUNT; id++) free(rf->d[id]);
    memset(rf, 0, sizeof *rf);
}
