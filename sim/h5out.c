/* h5out.c - the HDF5 trajectory file of one run (h5out.h; schema in
 * docs/output.md).
 *
 * Why it is built this way:
 * - One loop over stats_table creates every dataset and one loop appends to
 *   them (SWIFT style), so a new row of outputs.def reaches the file, with its
 *   units and description, without touching this file.
 * - The file is written as PATH.partial and renamed only by h5out_close, so a
 *   file named PATH is always complete. A lock on PATH.lock, not the mere
 *   existence of the partial, says "a job is writing this": the kernel drops the
 *   lock when the job dies, so a partial left by a killed job is just replaced.
 * - Every month is flushed and months_written updated, so a killed run leaves a
 *   readable partial that says how far it got (status "incomplete").
 * - Object timestamps are off, so the same run writes the same bytes.
 * - HDF5 failures are turned into one-line messages naming the file and the
 *   dataset; an errno from the disk (full, quota, file size limit) is reported
 *   as an I/O error, since that is what the user has to fix.
 */
/* F_OFD_SETLK: open-file-description locks (POSIX.1-2024; glibc shows them only
 * under _GNU_SOURCE). Unlike classic fcntl locks they are owned by the open file,
 * so a second h5out on the same path in the same process is refused too, and
 * closing some other descriptor of the lock file cannot drop the lock. */
#define _GNU_SOURCE
#include "h5out.h"
#include "month.h"
#include "h5err.h"
#include "h5schema.h"
#include "publish.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#ifndef INCUBATOR_VERSION
#define INCUBATOR_VERSION "unknown"
#endif
#ifndef INCUBATOR_GIT_REV
#define INCUBATOR_GIT_REV "unknown"
#endif

#define H5OUT_LABEL_LEN 8 /* "YYYY-MM" and its terminating NUL */

struct h5out {
    char *path;     /* final name */
    char *partial;  /* PATH.partial, written until close */
    char *lockpath; /* PATH.lock, locked while we write */
    char *dir;      /* folder of path, for messages and the fsync after rename */
    int force;
    int n_nodes, n_sectors, n_months, start_month;
    int months_written;
    int broken;  /* a write failed half-way: the file must not be published */
    int lock_fd; /* >= 0 once we hold the lock; the partial is ours only then */
    hid_t file;
    hid_t time, time_label, node_name, sector_name;
    hid_t attr_written;              /* root attribute months_written */
    hid_t label_type;                /* variable-length UTF-8 string for time_label */
    /* Each group's own coordinates (docs/output.md "Coordinates"): xarray and
     * netCDF show a group's dimensions with values only when the scales are in
     * the group. gtime grows with the months; the name scales are static. */
    hid_t gtime[3];
    hid_t mspace[3];                 /* memory space of one month, per group */
    hid_t dset[OUT_COUNT];
    /* The annual origin-destination matrix (docs/model.md 16): /migration/od, its
     * scale /migration/year and /migration/months. */
    hid_t od, od_year, od_months, od_mspace;
    int years_written;
    int last_year;                   /* calendar year of the last row written */
    double *od_buf;                  /* [n_nodes^2] one year in persons */
};

/* ---- error reporting ---------------------------------------------------- */

/* Record the failure of HDF5 call `what` on object `obj` of the partial file.
 * Must be called right after the failing call: the next API call clears the
 * error stack. `en` is errno as it was just after the call. A disk errno is
 * reported by publish_io_fail (naming the full disk). */
static inc_status h5_fail(const h5out *o, inc_err *e, int en, const char *what, const char *obj)
{
    char detail[400];
    int stack_en = h5err_read(H5E_DEFAULT, detail, sizeof detail);
    if (!publish_is_disk_errno(en) && publish_is_disk_errno(stack_en)) en = stack_en;
    if (publish_is_disk_errno(en)) {
        char action[300];
        snprintf(action, sizeof action, "write (%s %s)", what, obj);
        return publish_io_fail(e, en, action, o->partial, "free space or choose another --out");
    }
    return inc_fail(e, INC_ERR_HDF5, "%s: HDF5 error %s %s: %s", o->partial, what, obj,
                    detail[0] ? detail : "(no detail)");
}

/* Run an HDF5 call with errno cleared first, so a disk errno seen afterwards
 * belongs to this call. Evaluates to the call's result; the errno is left in en. */
#define H5CALL(en, call) (errno = 0, (en) = 0, h5call_keep((call), &(en)))
static long long h5call_keep(long long r, int *en)
{
    *en = errno;
    return r;
}

/* ---- small helpers -------------------------------------------------------- */

static char *str_cat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (!s) return NULL;
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    return s;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return str_cat(".", "");
    if (slash == path) return str_cat("/", "");
    size_t n = (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

/* Close every HDF5 handle; the file last. Returns INC_OK, or the first failure
 * (the file close is where a full disk shows up: it writes the metadata). */
static inc_status close_handles(h5out *o, inc_err *e)
{
    inc_status st = INC_OK;
    int en;
    hid_t *objs[] = {&o->time,     &o->time_label, &o->node_name, &o->sector_name, &o->od,
                     &o->od_year,  &o->od_months,  &o->gtime[0],  &o->gtime[1],    &o->gtime[2]};
    for (int k = 0; k < OUT_COUNT; k++) {
        if (o->dset[k] >= 0 && H5CALL(en, H5Dclose(o->dset[k])) < 0 && st == INC_OK)
            st = h5_fail(o, e, en, "closing", stats_table[k].name);
        o->dset[k] = H5I_INVALID_HID;
    }
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
        if (*objs[i] >= 0 && H5CALL(en, H5Dclose(*objs[i])) < 0 && st == INC_OK)
            st = h5_fail(o, e, en, "closing", "a scale dataset");
        *objs[i] = H5I_INVALID_HID;
    }
    if (o->attr_written >= 0 && H5Aclose(o->attr_written) < 0 && st == INC_OK)
        st = h5_fail(o, e, 0, "closing attribute", "months_written");
    o->attr_written = H5I_INVALID_HID;
    if (o->label_type >= 0) H5Tclose(o->label_type);
    o->label_type = H5I_INVALID_HID;
    for (int g = 0; g < 3; g++) {
        if (o->mspace[g] >= 0) H5Sclose(o->mspace[g]);
        o->mspace[g] = H5I_INVALID_HID;
    }
    if (o->od_mspace >= 0) H5Sclose(o->od_mspace);
    o->od_mspace = H5I_INVALID_HID;
    if (o->file >= 0 && H5CALL(en, H5Fclose(o->file)) < 0 && st == INC_OK)
        st = h5_fail(o, e, en, "closing", "the file");
    o->file = H5I_INVALID_HID;
    return st;
}

/* Release everything; remove the partial and the lock when they are ours. */
static void destroy(h5out *o, int remove_partial)
{
    close_handles(o, NULL);
    if (o->lock_fd >= 0) {
        if (remove_partial) unlink(o->partial);
        /* Unlink before unlocking: a job waiting on this name then finds the
         * name gone or a fresh file, never a lock that is about to vanish. */
        unlink(o->lockpath);
        close(o->lock_fd);
    }
    free(o->path);
    free(o->partial);
    free(o->lockpath);
    free(o->dir);
    free(o->od_buf);
    free(o);
}

/* ---- the lock --------------------------------------------------------------- */

/* Read the pid a lock holder wrote into the lock file (0 if unknown). */
static long lock_holder(int fd)
{
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return 0;
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

static int set_lock(int fd)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
#ifdef F_OFD_SETLK
    if (fcntl(fd, F_OFD_SETLK, &fl) == 0) return 0;
    if (errno != EINVAL) return -1; /* EINVAL: kernel without OFD locks */
#endif
    return fcntl(fd, F_SETLK, &fl);
}

/* Take the exclusive lock on PATH.lock. A holder that closes unlinks the file
 * first, so after locking we check that the name still refers to our file and
 * retry if not: otherwise two jobs could each lock a different inode. */
static inc_status lock_acquire(h5out *o, inc_err *e)
{
    for (int attempt = 0; attempt < 10; attempt++) {
        int fd = open(o->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return publish_io_fail(e, errno, "write", o->lockpath, "choose another --out");
        if (set_lock(fd) < 0) {
            int en = errno;
            long pid = lock_holder(fd);
            close(fd);
            if (en == EACCES || en == EAGAIN) {
                if (pid > 0)
                    return inc_fail(e, INC_ERR_IO, "%s is being written by another running job (lock %s, pid %ld)",
                                    o->path, o->lockpath, pid);
                return inc_fail(e, INC_ERR_IO, "%s is being written by another running job (lock %s)", o->path,
                                o->lockpath);
            }
            return inc_fail(e, INC_ERR_IO, "cannot lock %s: %s", o->lockpath, strerror(en));
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(o->lockpath, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
            char pid[32];
            int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
            /* The pid is only for the message another job prints: best effort. */
            if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0) { /* ignored */
            }
            o->lock_fd = fd;
            return INC_OK;
        }
        close(fd); /* the holder removed the file between our open and lock */
    }
    return inc_fail(e, INC_ERR_IO, "cannot lock %s: it keeps being replaced by another job", o->lockpath);
}

/* ---- open ------------------------------------------------------------------- */

static inc_status check_meta(const h5out_meta *m, inc_err *e)
{
    if (!m || !m->path || !m->path[0]) return inc_fail(e, INC_ERR_IO, "h5out_open: no output path given");
    if (m->n_nodes < 1 || m->n_sectors < 1 || m->n_months < 0)
        return inc_fail(e, INC_ERR_IO, "%s: invalid dimensions: %d nodes, %d sectors, %d months (need >= 1, >= 1, >= 0)",
                        m->path, m->n_nodes, m->n_sectors, m->n_months);
    if (!m->node_names || !m->sector_names)
        return inc_fail(e, INC_ERR_IO, "%s: node and sector names are required", m->path);
    for (int i = 0; i < m->n_nodes; i++)
        if (!m->node_names[i]) return inc_fail(e, INC_ERR_IO, "%s: node %d has no name", m->path, i);
    for (int i = 0; i < m->n_sectors; i++)
        if (!m->sector_names[i]) return inc_fail(e, INC_ERR_IO, "%s: sector %d has no name", m->path, i);
    /* Labels are "YYYY-MM": years 0..9999 for every month of the run. */
    if (m->start_month < 0 || m->start_month > 12 * 10000 - m->n_months)
        return inc_fail(e, INC_ERR_IO, "%s: start month %d plus %d months is outside years 0..9999", m->path,
                        m->start_month, m->n_months);
    return INC_OK;
}

static inc_status refuse_existing(const h5out *o, inc_err *e)
{
    struct stat st;
    if (!o->force && lstat(o->path, &st) == 0)
        return inc_fail(e, INC_ERR_IO, "%s exists; choose another --out or pass --force to overwrite", o->path);
    return INC_OK;
}

static inc_status check_folder(const h5out *o, inc_err *e)
{
    struct stat st;
    if (stat(o->dir, &st) != 0)
        return inc_fail(e, INC_ERR_IO, "cannot write %s: %s (folder %s)", o->partial, strerror(errno), o->dir);
    if (!S_ISDIR(st.st_mode))
        return inc_fail(e, INC_ERR_IO, "cannot write %s: %s (folder %s)", o->partial, strerror(ENOTDIR), o->dir);
    if (access(o->dir, W_OK | X_OK) != 0)
        return inc_fail(e, INC_ERR_IO, "cannot write %s: %s (folder %s)", o->partial, strerror(errno), o->dir);
    return INC_OK;
}

/* CF time of a time scale: months since the first day of start_month, with the
 * 360_day calendar, the only one in which CF (and cftime) accept "months
 * since": whole months then decode to the first day of each calendar month
 * (docs/output.md "Time"). */
static herr_t describe_time(hid_t d, int start_month)
{
    char units[48], start[H5OUT_LABEL_LEN];
    month_format(start_month, start, sizeof start);
    snprintf(units, sizeof units, "months since %s-01", start);
    if (h5s_describe(d, units, "months since start_month (root attribute); 0 is the first simulated month") < 0)
        return -1;
    if (h5s_attr_text(d, "calendar", "360_day") < 0) return -1;
    return h5s_attr_text(d, "long_name", "time");
}

/* Root attributes: who made the file, from what, and how far it got. */
static inc_status write_root_attrs(h5out *o, const h5out_meta *m, inc_err *e)
{
    char start[H5OUT_LABEL_LEN];
    month_format(m->start_month, start, sizeof start);
    int threads = m->threads, planned = m->n_months, written = 0;
    struct {
        const char *name, *text;
    } texts[] = {
        {"model_version", INCUBATOR_VERSION}, {"git_revision", INCUBATOR_GIT_REV},
        {"scenario_name", m->scenario_name},  {"command_line", m->command_line},
        {"scenario", m->scenario_text},       {"start_month", start},
        {"status", "incomplete"},
    };
    int en;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (H5CALL(en, h5s_root_text(o->file, texts[i].name, texts[i].text)) < 0)
            return h5_fail(o, e, en, "writing root attribute", texts[i].name);
    if (H5CALL(en, h5s_attr_put(o->file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &m->seed)) < 0)
        return h5_fail(o, e, en, "writing root attribute", "seed");
    if (H5CALL(en, h5s_attr_put(o->file, "threads", H5T_STD_I32LE, H5T_NATIVE_INT, &threads)) < 0)
        return h5_fail(o, e, en, "writing root attribute", "threads");
    if (H5CALL(en, h5s_attr_put(o->file, "months_planned", H5T_STD_I32LE, H5T_NATIVE_INT, &planned)) < 0)
        return h5_fail(o, e, en, "writing root attribute", "months_planned");
    if (H5CALL(en, h5s_attr_put(o->file, "months_written", H5T_STD_I32LE, H5T_NATIVE_INT, &written)) < 0)
        return h5_fail(o, e, en, "writing root attribute", "months_written");
    if (H5CALL(en, h5s_attr_put(o->file, "persons_per_agent", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                            &m->persons_per_agent)) < 0)
        return h5_fail(o, e, en, "writing root attribute", "persons_per_agent");
    /* Kept open: it is rewritten every month. */
    if ((o->attr_written = H5Aopen(o->file, "months_written", H5P_DEFAULT)) < 0)
        return h5_fail(o, e, 0, "opening root attribute", "months_written");
    return INC_OK;
}

/* The coordinates: /time (months since start), /time_label, /node_name,
 * /sector_name. Scales are what netCDF-4 and xarray read as dimensions. */
/* A static (time-independent) dataset along the node or sector dimension:
 * ints (int8 on disk) or doubles, attached to the scale. */
static inc_status write_static(h5out *o, const char *name, hid_t scale, int n, const int *iv, const double *dv,
                               const char *units, const char *desc, inc_err *e)
{
    char path[96];
    snprintf(path, sizeof path, "/%s", name);
    hsize_t dims[1] = {(hsize_t)n};
    hid_t space = H5Screate_simple(1, dims, NULL);
    if (space < 0) return h5_fail(o, e, 0, "creating dataspace of", path);
    hid_t ds = H5Dcreate2(o->file, name, iv ? H5T_STD_I8LE : H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                          H5P_DEFAULT);
    H5Sclose(space);
    if (ds < 0) return h5_fail(o, e, 0, "creating dataset", path);
    herr_t rc = iv ? H5Dwrite(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, iv)
                   : H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, dv);
    if (rc >= 0) rc = h5s_describe(ds, units, desc);
    if (rc >= 0) rc = H5DSattach_scale(ds, scale, 0);
    H5Dclose(ds);
    return rc < 0 ? h5_fail(o, e, 0, "writing", path) : INC_OK;
}

/* Node and sector attributes (h5out_meta), for tools that classify nodes
 * (inland, coastal) and sectors (hard tech) without the scenario text. */
static inc_status write_attributes(h5out *o, const h5out_meta *m, inc_err *e)
{
    inc_status st = INC_OK;
    int en;
    const struct { const char *name; const char *const *v; int n; hid_t scale; const char *desc; } strs[] = {
        {"node_kind", m->node_kind, m->n_nodes, o->node_name, "kind of each node: city, rest (rest of region, urban) or rural"},
        {"node_region", m->node_region, m->n_nodes, o->node_name, "NBS region of each node: East, Central, West, Northeast"},
    };
    for (size_t k = 0; k < sizeof strs / sizeof strs[0] && st == INC_OK; k++) {
        if (!strs[k].v) continue;
        hid_t ds;
        char path[64];
        snprintf(path, sizeof path, "/%s", strs[k].name);
        if (H5CALL(en, ds = h5s_create_names(o->file, strs[k].name, strs[k].v, strs[k].n)) < 0)
            return h5_fail(o, e, en, "creating dataset", path);
        if (h5s_describe(ds, "", strs[k].desc) < 0 || H5DSattach_scale(ds, strs[k].scale, 0) < 0)
            st = h5_fail(o, e, 0, "describing", path);
        H5Dclose(ds);
    }
    if (st == INC_OK && m->node_coastal)
        st = write_static(o, "node_coastal", o->node_name, m->n_nodes, m->node_coastal, NULL, "0/1",
                          "1 if the node is coastal (docs/model.md 1); inland = 0", e);
    if (st == INC_OK && m->sector_hard_tech)
        st = write_static(o, "sector_hard_tech", o->sector_name, m->n_sectors, m->sector_hard_tech, NULL, "0/1",
                          "1 for the six hard-tech sectors (docs/model.md 2)", e);
    if (st == INC_OK && m->sector_tradable)
        st = write_static(o, "sector_tradable", o->sector_name, m->n_sectors, m->sector_tradable, NULL, "0/1",
                          "1 if the sector's goods trade nationally; 0 for local services", e);
    if (st == INC_OK && m->sector_alpha)
        st = write_static(o, "sector_alpha", o->sector_name, m->n_sectors, NULL, m->sector_alpha, "share",
                          "capital share alpha of the sector's production function (docs/model.md 2)", e);
    return st;
}

static inc_status write_scales(h5out *o, const h5out_meta *m, inc_err *e)
{
    int en;
    if ((o->label_type = h5s_vlen_str_type()) < 0) return h5_fail(o, e, 0, "creating type", "time_label");
    if (H5CALL(en, o->time = h5s_create_timeseries(o->file, "time", H5T_STD_I32LE, 1, 0, 0, 4)) < 0)
        return h5_fail(o, e, en, "creating dataset", "/time");
    if (H5CALL(en, o->time_label = h5s_create_timeseries(o->file, "time_label", o->label_type, 1, 0, 0,
                                                     H5OUT_LABEL_LEN)) < 0)
        return h5_fail(o, e, en, "creating dataset", "/time_label");
    if (H5CALL(en, o->node_name = h5s_create_names(o->file, "node_name", m->node_names, m->n_nodes)) < 0)
        return h5_fail(o, e, en, "creating dataset", "/node_name");
    if (H5CALL(en, o->sector_name = h5s_create_names(o->file, "sector_name", m->sector_names, m->n_sectors)) < 0)
        return h5_fail(o, e, en, "creating dataset", "/sector_name");
    if (describe_time(o->time, o->start_month) < 0) return h5_fail(o, e, 0, "describing", "/time");
    if (h5s_describe(o->time_label, "YYYY-MM", "calendar month of each time step") < 0)
        return h5_fail(o, e, 0, "describing", "/time_label");
    if (h5s_describe(o->node_name, "", "name of each node (the node dimension)") < 0)
        return h5_fail(o, e, 0, "describing", "/node_name");
    if (h5s_describe(o->sector_name, "", "name of each sector (the sector dimension)") < 0)
        return h5_fail(o, e, 0, "describing", "/sector_name");
    if (H5DSset_scale(o->time, "time") < 0) return h5_fail(o, e, 0, "making a dimension scale of", "/time");
    if (H5DSset_scale(o->node_name, "node") < 0) return h5_fail(o, e, 0, "making a dimension scale of", "/node_name");
    if (H5DSset_scale(o->sector_name, "sector") < 0)
        return h5_fail(o, e, 0, "making a dimension scale of", "/sector_name");
    /* time_label is a coordinate of the time dimension, not a second scale:
     * netCDF expects one scale per dimension. */
    if (H5DSattach_scale(o->time_label, o->time, 0) < 0) return h5_fail(o, e, 0, "attaching /time to", "/time_label");
    return INC_OK;
}

/* A dimension scale `dim` in group loc holding names (dataset `name`). */
static inc_status name_scale(h5out *o, hid_t loc, const char *name, const char *dim, const char *const *names, int n,
                             const char *desc, hid_t *out, inc_err *e)
{
    int en;
    char path[96];
    snprintf(path, sizeof path, "%s (a coordinate)", name);
    if (H5CALL(en, *out = h5s_create_names(loc, name, names, n)) < 0) return h5_fail(o, e, en, "creating dataset", path);
    if (h5s_describe(*out, "", desc) < 0) return h5_fail(o, e, 0, "describing", path);
    if (H5DSset_scale(*out, dim) < 0) return h5_fail(o, e, 0, "making a dimension scale of", path);
    return INC_OK;
}

/* The coordinates of group g (0 national, 1 node, 2 node_sector): time, and
 * node and sector as the group's dimensions need, in sc[0..2]. */
static inc_status group_scales(h5out *o, hid_t grp, int g, const h5out_meta *m, hid_t sc[3], inc_err *e)
{
    int en;
    const char *gname = stats_group_name((out_group)g);
    char path[64];
    snprintf(path, sizeof path, "/%s/time", gname);
    if (H5CALL(en, sc[0] = h5s_create_timeseries(grp, "time", H5T_STD_I32LE, 1, 0, 0, 4)) < 0)
        return h5_fail(o, e, en, "creating dataset", path);
    if (describe_time(sc[0], o->start_month) < 0) return h5_fail(o, e, 0, "describing", path);
    if (H5DSset_scale(sc[0], "time") < 0) return h5_fail(o, e, 0, "making a dimension scale of", path);
    inc_status st = INC_OK;
    if (g >= 1) st = name_scale(o, grp, "node", "node", m->node_names, m->n_nodes, "name of each node (the node dimension)", &sc[1], e);
    if (st == INC_OK && g >= 2)
        st = name_scale(o, grp, "sector", "sector", m->sector_names, m->n_sectors,
                        "name of each sector (the sector dimension)", &sc[2], e);
    return st;
}

/* One group per out_group and one dataset per stats_table row. */
static inc_status write_datasets(h5out *o, const h5out_meta *m, inc_err *e)
{
    static const char *const group_desc[3] = {
        "national aggregates, shaped (time)",
        "per node, shaped (time, node)",
        "per node and sector, shaped (time, node, sector)",
    };
    hid_t grp[3] = {H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID};
    hid_t scale[3][3]; /* [group][dimension]: the group's own time, node, sector */
    for (int g = 0; g < 3; g++) scale[g][0] = scale[g][1] = scale[g][2] = H5I_INVALID_HID;
    inc_status st = INC_OK;
    int en;
    hid_t pl = h5s_gcpl_new(H5P_GROUP_CREATE);
    if (pl < 0) return h5_fail(o, e, 0, "creating", "group properties");
    for (int g = 0; g < 3 && st == INC_OK; g++) {
        const char *gname = stats_group_name((out_group)g);
        if (H5CALL(en, grp[g] = H5Gcreate2(o->file, gname, H5P_DEFAULT, pl, H5P_DEFAULT)) < 0)
            st = h5_fail(o, e, en, "creating group", gname);
        else if (h5s_attr_text(grp[g], "description", group_desc[g]) < 0)
            st = h5_fail(o, e, 0, "describing group", gname);
        hsize_t n = (hsize_t)stats_row_len((out_group)g, o->n_nodes, o->n_sectors);
        if (st == INC_OK && (o->mspace[g] = H5Screate_simple(1, &n, NULL)) < 0)
            st = h5_fail(o, e, 0, "creating a memory space for", gname);
        if (st == INC_OK) st = group_scales(o, grp[g], g, m, scale[g], e);
        o->gtime[g] = scale[g][0];
    }
    H5Pclose(pl);

    for (int k = 0; k < OUT_COUNT && st == INC_OK; k++) {
        const out_info *r = &stats_table[k];
        int rank = (int)r->group + 1;
        char name[160];
        snprintf(name, sizeof name, "/%s/%s", stats_group_name(r->group), r->name);
        hid_t ftype = r->type == OUT_F64 ? H5T_IEEE_F64LE : H5T_STD_I64LE;
        if (H5CALL(en, o->dset[k] = h5s_create_timeseries(grp[r->group], r->name, ftype, rank, (hsize_t)o->n_nodes,
                                                      (hsize_t)o->n_sectors, 8)) < 0) {
            st = h5_fail(o, e, en, "creating dataset", name);
            break;
        }
        if (h5s_describe(o->dset[k], r->units, r->description) < 0) {
            st = h5_fail(o, e, 0, "describing", name);
            break;
        }
        /* Scales only, no H5DSset_label: labels are a variable-length string
         * attribute that netCDF readers would show as clutter on every variable. */
        for (int d = 0; d < rank && st == INC_OK; d++)
            if (H5DSattach_scale(o->dset[k], scale[r->group][d], (unsigned)d) < 0)
                st = h5_fail(o, e, 0, "attaching dimension scales to", name);
    }
    for (int g = 0; g < 3; g++) {
        for (int d = 1; d < 3; d++)
            if (scale[g][d] >= 0) H5Dclose(scale[g][d]);
        if (grp[g] >= 0 && H5Gclose(grp[g]) < 0 && st == INC_OK)
            st = h5_fail(o, e, 0, "closing group", stats_group_name((out_group)g));
    }
    return st;
}

/* The /migration group: /migration/od shaped (year, node, node), growing by
 * one calendar year at a time, with the scale /migration/year and the
 * coordinate /migration/months (months of the run in each year). Created
 * empty, so a file of a run that wrote no year still closes normally. */
static inc_status write_migration(h5out *o, const h5out_meta *m, inc_err *e)
{
    int en;
    hsize_t nn = (hsize_t)o->n_nodes, cells = nn * nn;
    hid_t pl = h5s_gcpl_new(H5P_GROUP_CREATE);
    if (pl < 0) return h5_fail(o, e, 0, "creating", "group properties");
    hid_t grp = H5Gcreate2(o->file, "migration", H5P_DEFAULT, pl, H5P_DEFAULT);
    H5Pclose(pl);
    if (grp < 0) return h5_fail(o, e, 0, "creating group", "migration");
    inc_status st = INC_OK;
    if (h5s_attr_text(grp, "description", "annual origin-destination migration matrix, shaped (year, node, node)") < 0)
        st = h5_fail(o, e, 0, "describing group", "migration");
    /* create_timeseries sizes chunks from the bytes of one row: 4096 per
     * year label gives 16 years a chunk; a matrix gets one year a chunk. */
    if (st == INC_OK && H5CALL(en, o->od_year = h5s_create_timeseries(grp, "year", H5T_STD_I32LE, 1, 0, 0, 4096)) < 0)
        st = h5_fail(o, e, en, "creating dataset", "/migration/year");
    if (st == INC_OK &&
        H5CALL(en, o->od_months = h5s_create_timeseries(grp, "months", H5T_STD_I32LE, 1, 0, 0, 4096)) < 0)
        st = h5_fail(o, e, en, "creating dataset", "/migration/months");
    if (st == INC_OK &&
        H5CALL(en, o->od = h5s_create_timeseries(grp, "od", H5T_IEEE_F64LE, 3, nn, nn, H5S_CHUNK_BYTES)) < 0)
        st = h5_fail(o, e, en, "creating dataset", "/migration/od");
    if (st == INC_OK && h5s_describe(o->od_year, "year", "calendar year of each migration matrix") < 0)
        st = h5_fail(o, e, 0, "describing", "/migration/year");
    if (st == INC_OK &&
        h5s_describe(o->od_months, "months",
                 "months of the run in each year: 12, or fewer in a partial first or last year") < 0)
        st = h5_fail(o, e, 0, "describing", "/migration/months");
    if (st == INC_OK &&
        h5s_describe(o->od, "persons/year",
                 "workers who moved from node (row, dim 1: origin) to node (column, dim 2: destination) during the "
                 "year's simulated months; diagonal 0") < 0)
        st = h5_fail(o, e, 0, "describing", "/migration/od");
    if (st == INC_OK && H5DSset_scale(o->od_year, "year") < 0)
        st = h5_fail(o, e, 0, "making a dimension scale of", "/migration/year");
    /* Origin and destination are two dimensions: netCDF and xarray need two
     * names (node, node_dest), so two scales with the same node names. */
    hid_t origin = H5I_INVALID_HID, dest = H5I_INVALID_HID;
    if (st == INC_OK) st = name_scale(o, grp, "node", "node", m->node_names, m->n_nodes,
                                      "name of each origin node (dimension 1 of od)", &origin, e);
    if (st == INC_OK) st = name_scale(o, grp, "node_dest", "node_dest", m->node_names, m->n_nodes,
                                      "name of each destination node (dimension 2 of od)", &dest, e);
    if (st == INC_OK && (H5DSattach_scale(o->od, o->od_year, 0) < 0 || H5DSattach_scale(o->od, origin, 1) < 0 ||
                         H5DSattach_scale(o->od, dest, 2) < 0))
        st = h5_fail(o, e, 0, "attaching dimension scales to", "/migration/od");
    if (origin >= 0) H5Dclose(origin);
    if (dest >= 0) H5Dclose(dest);
    if (st == INC_OK && H5DSattach_scale(o->od_months, o->od_year, 0) < 0)
        st = h5_fail(o, e, 0, "attaching dimension scales to", "/migration/months");
    if (st == INC_OK && (o->od_mspace = H5Screate_simple(1, &cells, NULL)) < 0)
        st = h5_fail(o, e, 0, "creating a memory space for", "/migration/od");
    if (H5Gclose(grp) < 0 && st == INC_OK) st = h5_fail(o, e, 0, "closing group", "migration");
    return st;
}

static inc_status create_file(h5out *o, const h5out_meta *m, inc_err *e)
{
    int en;
    hid_t fcpl = h5s_gcpl_new(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fcpl < 0 || fapl < 0 || H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) {
        if (fcpl >= 0) H5Pclose(fcpl);
        if (fapl >= 0) H5Pclose(fapl);
        return h5_fail(o, e, 0, "creating", "file properties");
    }
    /* EXCL: a stale partial was unlinked just before, so this is a new inode; a
     * reader still holding the old one keeps reading it undisturbed. */
    H5CALL(en, o->file = H5Fcreate(o->partial, H5F_ACC_EXCL, fcpl, fapl));
    H5Pclose(fcpl);
    H5Pclose(fapl);
    if (o->file < 0) return h5_fail(o, e, en, "creating", "the file");
    inc_status st = write_root_attrs(o, m, e);
    if (st == INC_OK) st = write_scales(o, m, e);
    if (st == INC_OK) st = write_attributes(o, m, e);
    if (st == INC_OK) st = write_datasets(o, m, e);
    if (st == INC_OK) st = write_migration(o, m, e);
    if (st == INC_OK && H5CALL(en, H5Fflush(o->file, H5F_SCOPE_LOCAL)) < 0)
        st = h5_fail(o, e, en, "flushing", "the file");
    return st;
}

inc_status h5out_open(h5out **out, const h5out_meta *meta, inc_err *e)
{
    if (!out) return inc_fail(e, INC_ERR_IO, "h5out_open: no place for the result");
    *out = NULL;
    inc_status st = check_meta(meta, e);
    if (st != INC_OK) return st;
    h5out *o = calloc(1, sizeof *o);
    if (!o) return inc_fail(e, INC_ERR_NOMEM, "%s: out of memory opening the output", meta->path);
    o->lock_fd = -1;
    o->file = o->time = o->time_label = o->node_name = o->sector_name = H5I_INVALID_HID;
    o->attr_written = o->label_type = H5I_INVALID_HID;
    for (int g = 0; g < 3; g++) o->mspace[g] = o->gtime[g] = H5I_INVALID_HID;
    for (int k = 0; k < OUT_COUNT; k++) o->dset[k] = H5I_INVALID_HID;
    o->od = o->od_year = o->od_months = o->od_mspace = H5I_INVALID_HID;
    o->last_year = -1;
    o->force = meta->force;
    o->n_nodes = meta->n_nodes;
    o->n_sectors = meta->n_sectors;
    o->n_months = meta->n_months;
    o->start_month = meta->start_month;
    o->path = str_cat(meta->path, "");
    o->partial = str_cat(meta->path, ".partial");
    o->lockpath = str_cat(meta->path, ".lock");
    o->dir = dir_of(meta->path);
    o->od_buf = calloc((size_t)meta->n_nodes * (size_t)meta->n_nodes, sizeof(double));
    if (!o->path || !o->partial || !o->lockpath || !o->dir || !o->od_buf) {
        destroy(o, 0);
        return inc_fail(e, INC_ERR_NOMEM, "%s: out of memory opening the output", meta->path);
    }

    /* Refuse an existing result before anything else, without creating files;
     * check again once locked, in case another job just finished it. */
    st = refuse_existing(o, e);
    if (st == INC_OK) st = check_folder(o, e);
    if (st == INC_OK) st = lock_acquire(o, e);
    if (st == INC_OK) st = refuse_existing(o, e);
    if (st == INC_OK && unlink(o->partial) != 0 && errno != ENOENT)
        st = inc_fail(e, INC_ERR_IO, "cannot replace stale %s: %s", o->partial, strerror(errno));
    if (st == INC_OK) st = create_file(o, meta, e);
    if (st != INC_OK) {
        destroy(o, 1); /* removes the partial and lock only if we held the lock */
        return st;
    }
    *out = o;
    return INC_OK;
}

/* ---- append ----------------------------------------------------------------- */

/* Grow d to t+1 months and write month t from buf (one month's slab). Only the
 * first rank entries of the (time, n1, n2) arrays are read by HDF5. */
static herr_t write_month(hid_t d, hsize_t t, hsize_t n1, hsize_t n2, hid_t mspace, hid_t mtype,
                          const void *buf)
{
    hsize_t dims[3] = {t + 1, n1, n2}, start[3] = {t, 0, 0}, count[3] = {1, n1, n2};
    if (H5Dset_extent(d, dims) < 0) return -1;
    hid_t fs = H5Dget_space(d);
    if (fs < 0) return -1;
    herr_t r = H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    if (r >= 0) r = H5Dwrite(d, mtype, mspace, fs, H5P_DEFAULT, buf);
    if (H5Sclose(fs) < 0) r = -1;
    return r;
}

static inc_status append_month(h5out *o, const stats_t *s, int t, inc_err *e)
{
    int en;
    hsize_t tt = (hsize_t)t, nn = (hsize_t)o->n_nodes, ns = (hsize_t)o->n_sectors;
    for (int k = 0; k < OUT_COUNT; k++) {
        const out_info *r = &stats_table[k];
        const void *buf = r->type == OUT_F64 ? (const void *)s->f[k] : (const void *)s->i[k];
        hid_t mtype = r->type == OUT_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
        if (!buf)
            return inc_fail(e, INC_ERR_IO, "%s: month %d: no values for /%s/%s", o->partial, t,
                            stats_group_name(r->group), r->name);
        if (H5CALL(en, write_month(o->dset[k], tt, nn, ns, o->mspace[r->group], mtype, buf)) < 0) {
            char name[160];
            snprintf(name, sizeof name, "/%s/%s (month %d)", stats_group_name(r->group), r->name, t);
            return h5_fail(o, e, en, "writing", name);
        }
    }
    char label[H5OUT_LABEL_LEN];
    month_format(o->start_month + t, label, sizeof label);
    const char *label_p = label; /* a variable-length string is written from its pointer */
    int months = t + 1;
    if (H5CALL(en, write_month(o->time, tt, 0, 0, o->mspace[OUT_NATIONAL], H5T_NATIVE_INT, &t)) < 0)
        return h5_fail(o, e, en, "writing", "/time");
    if (H5CALL(en, write_month(o->time_label, tt, 0, 0, o->mspace[OUT_NATIONAL], o->label_type, &label_p)) < 0)
        return h5_fail(o, e, en, "writing", "/time_label");
    for (int g = 0; g < 3; g++)
        if (H5CALL(en, write_month(o->gtime[g], tt, 0, 0, o->mspace[OUT_NATIONAL], H5T_NATIVE_INT, &t)) < 0) {
            char name[64];
            snprintf(name, sizeof name, "/%s/time", stats_group_name((out_group)g));
            return h5_fail(o, e, en, "writing", name);
        }
    if (H5CALL(en, H5Awrite(o->attr_written, H5T_NATIVE_INT, &months)) < 0)
        return h5_fail(o, e, en, "writing root attribute", "months_written");
    /* Flushed every month so a killed run leaves a readable partial file; the
     * cost is a few small writes per month. */
    if (H5CALL(en, H5Fflush(o->file, H5F_SCOPE_LOCAL)) < 0) return h5_fail(o, e, en, "flushing", "the file");
    return INC_OK;
}

inc_status h5out_append(h5out *o, const stats_t *s, int t, inc_err *e)
{
    if (!o || !s) return inc_fail(e, INC_ERR_IO, "h5out_append: no open output or no values");
    if (o->broken)
        return inc_fail(e, INC_ERR_IO, "%s: an earlier write failed; the file cannot be continued", o->partial);
    if (t != o->months_written)
        return inc_fail(e, INC_ERR_IO, "%s: month %d appended after %d months; months must be appended in order from 0",
                        o->partial, t, o->months_written);
    if (t >= o->n_months)
        return inc_fail(e, INC_ERR_IO, "%s: month %d is beyond the %d months planned", o->partial, t, o->n_months);
    if (s->n_nodes != o->n_nodes || s->n_sectors != o->n_sectors)
        return inc_fail(e, INC_ERR_IO, "%s: values for %d nodes x %d sectors, file has %d x %d", o->partial,
                        s->n_nodes, s->n_sectors, o->n_nodes, o->n_sectors);
    inc_status st = append_month(o, s, t, e);
    if (st != INC_OK) {
        o->broken = 1; /* some datasets may have the month and others not */
        return st;
    }
    o->months_written = t + 1;
    return INC_OK;
}

inc_status h5out_append_od(h5out *o, int year, int months, const int64_t *od, double persons_per_agent, inc_err *e)
{
    if (!o || !od) return inc_fail(e, INC_ERR_IO, "h5out_append_od: no open output or no matrix");
    if (o->broken)
        return inc_fail(e, INC_ERR_IO, "%s: an earlier write failed; the file cannot be continued", o->partial);
    if (year <= o->last_year)
        return inc_fail(e, INC_ERR_IO, "%s: migration matrix of %d appended after that of %d; years must increase",
                        o->partial, year, o->last_year);
    if (months < 1 || months > 12)
        return inc_fail(e, INC_ERR_IO, "%s: migration matrix of %d covers %d months (expected 1 to 12)", o->partial,
                        year, months);
    size_t cells = (size_t)o->n_nodes * (size_t)o->n_nodes;
    for (size_t k = 0; k < cells; k++) o->od_buf[k] = (double)od[k] * persons_per_agent;
    int en;
    hsize_t y = (hsize_t)o->years_written, nn = (hsize_t)o->n_nodes;
    const char *what = NULL;
    if (H5CALL(en, write_month(o->od, y, nn, nn, o->od_mspace, H5T_NATIVE_DOUBLE, o->od_buf)) < 0)
        what = "/migration/od";
    else if (H5CALL(en, write_month(o->od_year, y, 0, 0, o->mspace[OUT_NATIONAL], H5T_NATIVE_INT, &year)) < 0)
        what = "/migration/year";
    else if (H5CALL(en, write_month(o->od_months, y, 0, 0, o->mspace[OUT_NATIONAL], H5T_NATIVE_INT, &months)) < 0)
        what = "/migration/months";
    else if (H5CALL(en, H5Fflush(o->file, H5F_SCOPE_LOCAL)) < 0)
        what = "the file";
    if (what) {
        char name[96];
        snprintf(name, sizeof name, "%s (year %d)", what, year);
        o->broken = 1;
        return h5_fail(o, e, en, "writing", name);
    }
    o->years_written++;
    o->last_year = year;
    return INC_OK;
}

/* ---- close ------------------------------------------------------------------ */

/* Replace the status attribute (its string size changes, so it is recreated). */
static inc_status mark_complete(h5out *o, inc_err *e)
{
    int en;
    if (H5CALL(en, H5Adelete(o->file, "status")) < 0) return h5_fail(o, e, en, "updating root attribute", "status");
    if (H5CALL(en, h5s_attr_text(o->file, "status", "complete")) < 0)
        return h5_fail(o, e, en, "updating root attribute", "status");
    return INC_OK;
}

inc_status h5out_close(h5out *o, inc_err *e)
{
    if (!o) return inc_fail(e, INC_ERR_IO, "h5out_close: no open output");
    inc_status st = INC_OK;
    int en;
    if (o->broken)
        st = inc_fail(e, INC_ERR_IO, "%s: an earlier write failed; removed instead of publishing %s", o->partial,
                      o->path);
    else if (o->months_written != o->n_months)
        st = inc_fail(e, INC_ERR_IO, "%s: only %d of %d planned months written; removed instead of publishing %s",
                      o->partial, o->months_written, o->n_months, o->path);
    if (st == INC_OK) st = mark_complete(o, e);
    if (st == INC_OK && H5CALL(en, H5Fflush(o->file, H5F_SCOPE_LOCAL)) < 0)
        st = h5_fail(o, e, en, "flushing", "the file");
    inc_status cst = close_handles(o, st == INC_OK ? e : NULL);
    if (st == INC_OK) st = cst;
    /* fsync, rename (link without --force), fsync of the folder; the
     * partial is removed on failure. */
    if (st == INC_OK) st = publish_file(o->partial, o->path, o->force, e);
    destroy(o, st != INC_OK);
    return st;
}

void h5out_abort(h5out *o)
{
    if (o) destroy(o, 1);
}

void h5out_quiet(void)
{
    /* No library shutdown at exit: after a failed close (disk full) HDF5
     * keeps the file in its tables and closing it again at exit crashes;
     * every file is closed explicitly, so the atexit handler has nothing
     * left to do. Must come before any other HDF5 call. */
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}
