/* checkpoint.c - checkpoints of a run (see checkpoint.h).
 *
 * Why raw bytes: the state has some 150 arrays and scalars of half a dozen
 * types; storing each as the bytes it holds, named after its registry entry
 * (state.def, registered by world.c), keeps this file independent of the
 * model's fields (a line added to state.def is saved without a change here)
 * and makes a restore an exact copy. */
#include "checkpoint.h"
#include "migration.h"
#include "h5err.h"
#include "publish.h"
#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ckpt_history *ckpt_history_alloc(int n_nodes, int n_sectors, int months)
{
    ckpt_history *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->n_nodes = n_nodes;
    h->n_sectors = n_sectors;
    h->capacity = months;
    for (int k = 0; k < OUT_COUNT; k++) {
        size_t n = stats_row_len(stats_table[k].group, n_nodes, n_sectors);
        if (stats_table[k].type == OUT_F64) h->len_f += n;
        else h->len_i += n;
    }
    int ymax = months / 12 + 2;
    h->f = calloc((size_t)months * h->len_f + 1, sizeof(double));
    h->i = calloc((size_t)months * h->len_i + 1, sizeof(int64_t));
    h->od_year = calloc((size_t)ymax, sizeof(int));
    h->od_months = calloc((size_t)ymax, sizeof(int));
    h->od = calloc((size_t)ymax * (size_t)n_nodes * (size_t)n_nodes, sizeof(int64_t));
    if (!h->f || !h->i || !h->od_year || !h->od_months || !h->od) {
        ckpt_history_free(h);
        return NULL;
    }
    return h;
}

void ckpt_history_free(ckpt_history *h)
{
    if (!h) return;
    free(h->f); free(h->i); free(h->od_year); free(h->od_months); free(h->od);
    free(h);
}

/* Copy month t between s and the history (to_history selects the direction). */
static void history_copy(ckpt_history *h, stats_t *s, int t, int to_history)
{
    double *f = h->f + (size_t)t * h->len_f;
    int64_t *iv = h->i + (size_t)t * h->len_i;
    for (int k = 0; k < OUT_COUNT; k++) {
        size_t n = stats_row_len(stats_table[k].group, h->n_nodes, h->n_sectors);
        if (stats_table[k].type == OUT_F64) {
            if (to_history) memcpy(f, s->f[k], n * sizeof(double));
            else memcpy(s->f[k], f, n * sizeof(double));
            f += n;
        } else {
            if (to_history) memcpy(iv, s->i[k], n * sizeof(int64_t));
            else memcpy(s->i[k], iv, n * sizeof(int64_t));
            iv += n;
        }
    }
}

inc_status ckpt_history_add(ckpt_history *h, const stats_t *s, inc_err *e)
{
    if (h->months >= h->capacity)
        return inc_fail(e, INC_ERR_RANGE, "checkpoint history: month %d is beyond the %d months it was allocated for",
                        h->months, h->capacity);
    history_copy(h, (stats_t *)s, h->months, 1);
    h->months++;
    return INC_OK;
}

void ckpt_history_get(const ckpt_history *h, int t, stats_t *s)
{
    history_copy((ckpt_history *)h, s, t, 0);
}

inc_status ckpt_history_add_od(ckpt_history *h, int year, int months, const int64_t *od, inc_err *e)
{
    if (h->years >= h->capacity / 12 + 2)
        return inc_fail(e, INC_ERR_RANGE, "checkpoint history: year %d is beyond the %d years it was allocated for", year,
                        h->capacity / 12 + 2);
    size_t nn = (size_t)h->n_nodes * (size_t)h->n_nodes;
    h->od_year[h->years] = year;
    h->od_months[h->years] = months;
    memcpy(h->od + (size_t)h->years * nn, od, nn * sizeof(int64_t));
    h->years++;
    return INC_OK;
}

/* Write `bytes` bytes as a 1-D uint8 dataset `name` (slashes make groups). */
static int put_bytes(hid_t file, const char *name, const void *data, size_t bytes)
{
    hsize_t dims[1] = {(hsize_t)bytes};
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t ds = H5Dcreate2(file, name, H5T_NATIVE_UINT8, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    int rc = ds < 0 ? -1 : 0;
    if (ds >= 0 && bytes > 0 && H5Dwrite(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) rc = -1;
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(space);
    H5Pclose(lcpl);
    return rc;
}

/* Read dataset `name` of exactly `bytes` bytes into data; -1 when missing or
 * of another size. */
static int get_bytes(hid_t file, const char *name, void *data, size_t bytes)
{
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0) return -1;
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    if (ds < 0) return -1;
    hid_t space = H5Dget_space(ds);
    hssize_t n = H5Sget_simple_extent_npoints(space);
    H5Sclose(space);
    int rc = (n == (hssize_t)bytes) ? 0 : -1;
    if (rc == 0 && bytes > 0 && H5Dread(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) rc = -1;
    H5Dclose(ds);
    return rc;
}

static int put_text(hid_t file, const char *name, const char *text)
{
    return put_bytes(file, name, text, strlen(text) + 1);
}

/* Identity of a run: a checkpoint only resumes the run that wrote it. */
static void identity(const world *w, char *buf, size_t n)
{
    snprintf(buf, n, "incubator %s %s | seed %llu | workers %zu | nodes %d | sectors %d | months %d | world %zu",
             INCUBATOR_VERSION, INCUBATOR_GIT_REV, (unsigned long long)w->p->run_seed, w->wk.n, w->n_nodes,
             w->n_sectors, w->months, sizeof(world));
}

inc_status ckpt_write(const world *w, const ckpt_history *h, const char *path, inc_err *e)
{
    /* Published by publish_file (PATH.tmp, fsync, rename, folder fsync); the
     * watch keeps the errno of the first failing HDF5 call, so a full disk
     * is reported as one. */
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    h5err_watch watch;
    h5err_watch_begin(&watch);
    errno = 0;
    hid_t file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) {
        int en = watch.err_no ? watch.err_no : errno ? errno : EIO;
        h5err_watch_end(&watch);
        publish_discard(tmp);
        return publish_io_fail(e, en, "create checkpoint", tmp, "no checkpoint was written");
    }
    int rc = 0;
    char id[512];
    identity(w, id, sizeof id);
    rc |= put_text(file, "identity", id);
    rc |= put_text(file, "scenario", w->sc->resolved);
    /* Every registered entry of state.def, scalars and columns, by name. */
    for (int k = 0; k < w->reg.n && !rc; k++) {
        const state_array *a = &w->reg.a[k];
        rc |= put_bytes(file, a->name, world_state_data(a), world_state_count(w, a) * a->elem);
    }
    rc |= put_bytes(file, "ledger/agg", w->L.agg, (size_t)w->L.n_agg * sizeof(int64_t));
    rc |= put_bytes(file, "ledger/lgfv_debt", w->L.lgfv_debt, (size_t)w->n_nodes * sizeof(int64_t));
    const int64_t *res;
    int table_year = migration_table_state(w, &res);
    rc |= put_bytes(file, "migration/table_year", &table_year, sizeof table_year);
    rc |= put_bytes(file, "migration/table_residents", res, (size_t)w->n_nodes * sizeof(int64_t));
    int meta[2] = {h->months, h->years};
    rc |= put_bytes(file, "history/counts", meta, sizeof meta);
    rc |= put_bytes(file, "history/f", h->f, (size_t)h->months * h->len_f * sizeof(double));
    rc |= put_bytes(file, "history/i", h->i, (size_t)h->months * h->len_i * sizeof(int64_t));
    size_t nn = (size_t)h->n_nodes * (size_t)h->n_nodes;
    rc |= put_bytes(file, "history/od_year", h->od_year, (size_t)h->years * sizeof(int));
    rc |= put_bytes(file, "history/od_months", h->od_months, (size_t)h->years * sizeof(int));
    rc |= put_bytes(file, "history/od", h->od, (size_t)h->years * nn * sizeof(int64_t));
    if (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0) rc = -1;
    if (H5Fclose(file) < 0) rc = -1;
    int en = watch.err_no;
    h5err_watch_end(&watch);
    if (rc) {
        /* The message first: it quotes the free space with the .tmp in place. */
        const char *kept = access(path, F_OK) == 0 ? "the previous checkpoint is kept" : "no checkpoint was written";
        inc_status fst = publish_is_disk_errno(en) ? publish_io_fail(e, en, "write checkpoint", tmp, kept)
                                                   : inc_fail(e, INC_ERR_HDF5, "cannot write checkpoint %s: HDF5 error: %s; %s", tmp,
                                                              watch.detail[0] ? watch.detail : "(no detail)", kept);
        publish_discard(tmp);
        return fst;
    }
    return publish_file(tmp, path, 1, e);
}

inc_status ckpt_read(world *w, ckpt_history *h, const char *path, inc_err *e)
{
    if (access(path, R_OK) != 0) return inc_fail(e, INC_ERR_IO, "cannot read checkpoint %s", path);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) return inc_fail(e, INC_ERR_IO, "%s is not an HDF5 checkpoint", path);
    inc_status st = INC_OK;
    char id[512], have[512];
    identity(w, id, sizeof id);
    memset(have, 0, sizeof have);
    if (get_bytes(file, "identity", have, strlen(id) + 1) != 0 || strcmp(have, id) != 0) {
        st = inc_fail(e, INC_ERR_USAGE,
                      "%s was written by another run or program version: it holds '%s', this run is '%s' (resume with "
                      "the same program, scenario, --seed and --workers)",
                      path, have[0] ? have : "?", id);
    }
    size_t tl = strlen(w->sc->resolved) + 1;
    char *text = st == INC_OK ? calloc(tl, 1) : NULL;
    if (st == INC_OK && (!text || get_bytes(file, "scenario", text, tl) != 0 || strcmp(text, w->sc->resolved) != 0))
        st = inc_fail(e, INC_ERR_USAGE, "%s was written for another scenario (the resolved scenario text differs): "
                      "resume with the same scenario file and --set options", path);
    free(text);
    /* Every registered entry by name, in registry order: the scalars first,
     * so fm.n is known (and the firm arrays grown to hold it) before the
     * firm columns are read. */
    for (int k = 0; k < w->reg.n && st == INC_OK; k++) {
        const state_array *a = &w->reg.a[k];
        if (a->per_firm && w->fm.n > w->fm.cap && world_firms_reserve(w, w->fm.n) != 0) {
            st = inc_fail(e, INC_ERR_NOMEM, "%s: out of memory for its %zu firm slots", path, w->fm.n);
            break;
        }
        if (get_bytes(file, a->name, world_state_data(a), world_state_count(w, a) * a->elem) != 0)
            st = inc_fail(e, INC_ERR_IO, "%s: %s is missing or of another size", path, a->name);
    }
    if (st == INC_OK && (get_bytes(file, "ledger/agg", w->L.agg, (size_t)w->L.n_agg * sizeof(int64_t)) != 0 ||
                         get_bytes(file, "ledger/lgfv_debt", w->L.lgfv_debt, (size_t)w->n_nodes * sizeof(int64_t)) != 0))
        st = inc_fail(e, INC_ERR_IO, "%s: the ledger is missing or of another size", path);
    int64_t *res = calloc((size_t)w->n_nodes, sizeof(int64_t));
    int table_year = -1;
    if (st == INC_OK && (!res || get_bytes(file, "migration/table_year", &table_year, sizeof table_year) != 0 ||
                         get_bytes(file, "migration/table_residents", res, (size_t)w->n_nodes * sizeof(int64_t)) != 0))
        st = inc_fail(e, INC_ERR_IO, "%s: the migration tables are missing", path);
    if (st == INC_OK) migration_restore_tables(w, table_year, res);
    free(res);
    int meta[2] = {0, 0};
    if (st == INC_OK && get_bytes(file, "history/counts", meta, sizeof meta) != 0)
        st = inc_fail(e, INC_ERR_IO, "%s: the output history is missing", path);
    if (st == INC_OK && (meta[0] > h->capacity || meta[1] > h->capacity / 12 + 2))
        st = inc_fail(e, INC_ERR_USAGE, "%s: holds %d months, more than this run's %d", path, meta[0], h->capacity);
    size_t nn = (size_t)h->n_nodes * (size_t)h->n_nodes;
    if (st == INC_OK && (get_bytes(file, "history/f", h->f, (size_t)meta[0] * h->len_f * sizeof(double)) != 0 ||
                         get_bytes(file, "history/i", h->i, (size_t)meta[0] * h->len_i * sizeof(int64_t)) != 0 ||
                         get_bytes(file, "history/od_year", h->od_year, (size_t)meta[1] * sizeof(int)) != 0 ||
                         get_bytes(file, "history/od_months", h->od_months, (size_t)meta[1] * sizeof(int)) != 0 ||
                         get_bytes(file, "history/od", h->od, (size_t)meta[1] * nn * sizeof(int64_t)) != 0))
        st = inc_fail(e, INC_ERR_IO, "%s: the output history is damaged", path);
    if (st == INC_OK) {
        h->months = meta[0];
        h->years = meta[1];
        /* Rebuild what is derived, exactly as the month that wrote the
         * checkpoint left it: the world's search lists are rebuilt by the
         * next labour phase; the node aggregates were saved. */
    }
    H5Fclose(file);
    return st;
}

/* HDF5 type of a registered array's elements. */
static hid_t native_type(const state_array *a)
{
    switch (a->kind) {
    case 'f': return a->elem == 4 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    case 'u':
        return a->elem == 1 ? H5T_NATIVE_UINT8 : a->elem == 2 ? H5T_NATIVE_UINT16 : a->elem == 4 ? H5T_NATIVE_UINT32
                                                                                                    : H5T_NATIVE_UINT64;
    default:
        return a->elem == 1 ? H5T_NATIVE_INT8 : a->elem == 2 ? H5T_NATIVE_INT16 : a->elem == 4 ? H5T_NATIVE_INT32
                                                                                                 : H5T_NATIVE_INT64;
    }
}

inc_status ckpt_snapshot(const world *w, const char *path, inc_err *e)
{
    /* A write that fails half-way leaves a damaged HDF5 file: it is removed,
     * and a full disk is named (the watch keeps the first errno). */
    h5err_watch watch;
    h5err_watch_begin(&watch);
    errno = 0;
    hid_t file = access(path, F_OK) == 0 ? H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT)
                                         : H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) {
        int en = watch.err_no ? watch.err_no : errno ? errno : EIO;
        h5err_watch_end(&watch);
        return publish_io_fail(e, en, "open snapshot file", path, "no snapshot was written");
    }
    char month[16];
    month_format(w->calendar - 1, month, sizeof month); /* the month just simulated */
    int rc = 0;
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    for (int k = 0; k < w->reg.n && !rc; k++) {
        const state_array *a = &w->reg.a[k];
        if (!a->column) continue; /* worker and firm columns only */
        size_t count = world_state_count(w, a);
        char name[160];
        snprintf(name, sizeof name, "/%s/%s", month, a->name);
        if (H5Lexists(file, "/", H5P_DEFAULT) > 0) {
            char grp[32];
            snprintf(grp, sizeof grp, "/%s", month);
            if (H5Lexists(file, grp, H5P_DEFAULT) > 0 && H5Lexists(file, name, H5P_DEFAULT) > 0) H5Ldelete(file, name, H5P_DEFAULT);
        }
        hsize_t dims[1] = {(hsize_t)count}, chunk[1] = {(hsize_t)(count < 65536 ? (count ? count : 1) : 65536)};
        hid_t space = H5Screate_simple(1, dims, NULL);
        hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        if (count > 0) {
            H5Pset_chunk(dcpl, 1, chunk);
            H5Pset_shuffle(dcpl);
            H5Pset_deflate(dcpl, 4);
        }
        hid_t ds = H5Dcreate2(file, name, native_type(a), space, lcpl, dcpl, H5P_DEFAULT);
        if (ds < 0 || (count > 0 && H5Dwrite(ds, native_type(a), H5S_ALL, H5S_ALL, H5P_DEFAULT, world_state_data(a)) < 0)) rc = -1;
        if (ds >= 0) H5Dclose(ds);
        H5Pclose(dcpl);
        H5Sclose(space);
    }
    H5Pclose(lcpl);
    if (!rc) {
        char grp[32];
        snprintf(grp, sizeof grp, "/%s", month);
        hid_t g = H5Gopen2(file, grp, H5P_DEFAULT);
        if (g >= 0) {
            const char *note = "money columns in fen per agent (a worker agent's wage and savings are one person's); "
                               "reals in 2019 yuan; one row per worker agent or firm slot (flags & 1 = alive); "
                               "persons per agent in the trajectory file";
            hid_t st = H5Tcopy(H5T_C_S1);
            hid_t sp = H5Screate(H5S_SCALAR);
            hid_t at = H5I_INVALID_HID;
            if (st < 0 || sp < 0 || H5Tset_size(st, strlen(note) + 1) < 0 ||
                (at = H5Acreate2(g, "units", st, sp, H5P_DEFAULT, H5P_DEFAULT)) < 0 || H5Awrite(at, st, note) < 0)
                rc = -1; /* a snapshot without its units is a failed snapshot */
            if (at >= 0 && H5Aclose(at) < 0) rc = -1;
            if (sp >= 0) H5Sclose(sp);
            if (st >= 0) H5Tclose(st);
            if (H5Gclose(g) < 0) rc = -1;
        } else {
            rc = -1;
        }
    }
    if (H5Fclose(file) < 0) rc = -1;
    h5err_watch_end(&watch);
    if (!rc) return INC_OK;
    char action[64];
    snprintf(action, sizeof action, "write the %s snapshot to", month);
    inc_status fst = publish_is_disk_errno(watch.err_no)
                         ? publish_io_fail(e, watch.err_no, action, path, "the damaged snapshot file was removed")
                         : inc_fail(e, INC_ERR_HDF5, "cannot %s %s: HDF5 error: %s; the damaged snapshot file was removed",
                                    action, path, watch.detail[0] ? watch.detail : "(no detail)");
    publish_discard(path);
    return fst;
}
