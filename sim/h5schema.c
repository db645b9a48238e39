/* h5schema.c - the HDF5 building blocks of the trajectory file (h5schema.h):
 * string types, attributes, creation properties, growing and name datasets.
 * Split from h5out.c, which decides what the file holds; this file decides how
 * each object is stored (docs/output.md). */
#include "h5schema.h"

#include <stdlib.h>
#include <string.h>

/* A fixed-length ASCII string type of len bytes (at least 1). Such strings read
 * back as plain bytes/str in h5py, h5netcdf and netCDF-C. */
hid_t h5s_str_type(size_t len)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, len ? len : 1) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 ||
        H5Tset_cset(t, H5T_CSET_ASCII) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

hid_t h5s_vlen_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* Scalar attribute `name` = value of file type ftype on loc. */
herr_t h5s_attr_put(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *value)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    if (sp < 0) return -1;
    hid_t a = H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t r = a < 0 ? -1 : H5Awrite(a, mtype, value);
    if (a >= 0 && H5Aclose(a) < 0) r = -1;
    H5Sclose(sp);
    return r;
}

/* String attribute: size strlen(s) (1 for ""), NUL-terminated on read by h5py
 * and netCDF, which trim at the declared size. */
herr_t h5s_attr_text(hid_t loc, const char *name, const char *s)
{
    if (!s) s = "";
    hid_t t = h5s_str_type(strlen(s));
    if (t < 0) return -1;
    herr_t r = h5s_attr_put(loc, name, t, t, s);
    if (H5Tclose(t) < 0) r = -1;
    return r;
}

/* Units and description on a dataset: the file describes itself (docs/design.md). */
herr_t h5s_describe(hid_t d, const char *units, const char *description)
{
    if (h5s_attr_text(d, "units", units) < 0) return -1;
    return h5s_attr_text(d, "description", description);
}

/* Creation properties shared by every object: no timestamps (identical runs,
 * identical bytes), and attribute creation order kept as netCDF-4 does. */
static herr_t h5s_ocpl_common(hid_t pl)
{
    if (H5Pset_obj_track_times(pl, 0) < 0) return -1;
    return H5Pset_attr_creation_order(pl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
}

/* Creation properties of a group (or the root): links in creation order, which
 * netCDF-4 readers use to order variables. */
hid_t h5s_gcpl_new(hid_t cls)
{
    hid_t pl = H5Pcreate(cls);
    if (pl < 0) return pl;
    if (h5s_ocpl_common(pl) < 0 ||
        H5Pset_link_creation_order(pl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0) {
        H5Pclose(pl);
        return H5I_INVALID_HID;
    }
    return pl;
}

/* Dataset creation properties; chunk == NULL for a contiguous dataset. */
hid_t h5s_dcpl_new(int rank, const hsize_t *chunk)
{
    hid_t pl = H5Pcreate(H5P_DATASET_CREATE);
    if (pl < 0) return pl;
    /* Fletcher32 on every chunk: a corrupted byte then makes the read of its
     * chunk fail (incubator-analyze check names the dataset) instead of
     * returning a wrong number. */
    if (h5s_ocpl_common(pl) < 0 || (chunk && (H5Pset_chunk(pl, rank, chunk) < 0 || H5Pset_fletcher32(pl) < 0))) {
        H5Pclose(pl);
        return H5I_INVALID_HID;
    }
    return pl;
}

/* Months per chunk for a row of row_bytes per month. */
static hsize_t h5s_chunk_months(size_t row_bytes)
{
    size_t m = row_bytes ? H5S_CHUNK_BYTES / row_bytes : H5S_CHUNK_MAX_MONTHS;
    if (m < 1) m = 1;
    if (m > H5S_CHUNK_MAX_MONTHS) m = H5S_CHUNK_MAX_MONTHS;
    return (hsize_t)m;
}

/* A dataset of rank 1..3 shaped (0[, n1[, n2]]) growing in time. */
hid_t h5s_create_timeseries(hid_t loc, const char *name, hid_t ftype, int rank, hsize_t n1,
                               hsize_t n2, size_t elem_bytes)
{
    hsize_t dims[3] = {0, n1, n2}, maxdims[3] = {H5S_UNLIMITED, n1, n2};
    size_t row = elem_bytes * (rank > 1 ? (size_t)n1 : 1) * (rank > 2 ? (size_t)n2 : 1);
    hsize_t chunk[3] = {h5s_chunk_months(row), n1, n2};
    hid_t sp = H5Screate_simple(rank, dims, maxdims);
    if (sp < 0) return sp;
    hid_t pl = h5s_dcpl_new(rank, chunk);
    /* HDF5 refuses filters on variable-length data (the strings live in the
     * global heap, outside the chunk): time_label goes without a checksum. */
    if (pl >= 0 && H5Tis_variable_str(ftype) > 0 && H5Premove_filter(pl, H5Z_FILTER_FLETCHER32) < 0) {
        H5Pclose(pl);
        pl = H5I_INVALID_HID;
    }
    hid_t d = pl < 0 ? H5I_INVALID_HID : H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
    if (pl >= 0) H5Pclose(pl);
    H5Sclose(sp);
    return d;
}

hid_t h5s_create_names(hid_t loc, const char *dsname, const char *const *names, int n)
{
    hsize_t dim = (hsize_t)n;
    hid_t t = h5s_vlen_str_type(), sp = H5Screate_simple(1, &dim, NULL), pl = h5s_dcpl_new(1, NULL), d = H5I_INVALID_HID;
    if (t >= 0 && sp >= 0 && pl >= 0) {
        d = H5Dcreate2(loc, dsname, t, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
        if (d >= 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) < 0) {
            H5Dclose(d);
            d = H5I_INVALID_HID;
        }
    }
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    if (pl >= 0) H5Pclose(pl);
    return d;
}

/* Long text as a scalar string dataset /name (see H5S_MAX_ATTR_TEXT). */
herr_t h5s_text_dataset(hid_t loc, const char *name, const char *s)
{
    hid_t t = h5s_vlen_str_type(), sp = H5Screate(H5S_SCALAR), pl = h5s_dcpl_new(0, NULL);
    herr_t r = -1;
    if (t >= 0 && sp >= 0 && pl >= 0) {
        hid_t d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
        if (d >= 0) {
            r = H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s);
            if (r >= 0) r = h5s_describe(d, "", "text too long for a root attribute; the attribute of the same name points here");
            if (H5Dclose(d) < 0) r = -1;
        }
    }
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    if (pl >= 0) H5Pclose(pl);
    return r;
}

/* Root text attribute, or a dataset when too long for one. */
herr_t h5s_root_text(hid_t file, const char *name, const char *s)
{
    if (!s) s = "";
    if (strlen(s) <= H5S_MAX_ATTR_TEXT) return h5s_attr_text(file, name, s);
    char note[96];
    snprintf(note, sizeof note, "(longer than 60 KB: stored in dataset /%s)", name);
    if (h5s_text_dataset(file, name, s) < 0) return -1;
    return h5s_attr_text(file, name, note);
}

