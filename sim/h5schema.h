/* h5schema.h - how the trajectory file stores its objects (docs/output.md):
 * the HDF5 building blocks h5out.c assembles. Every function returns a
 * negative value (herr_t) or H5I_INVALID_HID on an HDF5 failure, with the
 * library's error stack left for the caller to read (h5err.h). */
#ifndef INC_H5SCHEMA_H
#define INC_H5SCHEMA_H

#include <stddef.h>
#include <hdf5.h>

/* Text longer than this goes to a dataset instead of an attribute: the default
 * (oldest-format) object header cannot hold an attribute of 64 KiB or more. */
#define H5S_MAX_ATTR_TEXT (60 * 1024)
/* Target size of a chunk: small outputs get up to a year of months per chunk
 * (one-value chunks would cost more index than data); a large node x sector
 * slab gets one month per chunk, which is what one append writes. */
#define H5S_CHUNK_BYTES 65536
#define H5S_CHUNK_MAX_MONTHS 12

/* A fixed-length ASCII string type of len bytes (at least 1), NUL-terminated:
 * used for attributes (netCDF reads them as text). */
hid_t h5s_str_type(size_t len);
/* A variable-length UTF-8 string type: used for every string dataset, which
 * netCDF-C reads as NC_STRING (fixed-length string arrays crash netCDF-C
 * 4.9.0 when xarray opens them). */
hid_t h5s_vlen_str_type(void);
/* Scalar attribute `name` = *value, file type ftype, memory type mtype. */
herr_t h5s_attr_put(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *value);
/* Scalar text attribute (s NULL = ""). */
herr_t h5s_attr_text(hid_t loc, const char *name, const char *s);
/* `units` and `description` attributes: the file describes itself. */
herr_t h5s_describe(hid_t d, const char *units, const char *description);
/* Group (cls H5P_GROUP_CREATE) or file (H5P_FILE_CREATE) creation properties:
 * no timestamps, links and attributes in creation order (as netCDF-4). */
hid_t h5s_gcpl_new(hid_t cls);
/* Dataset creation properties, no timestamps; chunk == NULL for a contiguous
 * dataset, otherwise chunked with rank dims and Fletcher32 checksums. */
hid_t h5s_dcpl_new(int rank, const hsize_t *chunk);
/* A dataset of rank 1..3 shaped (0[, n1[, n2]]), unlimited in dimension 0,
 * chunked by whole rows (up to H5S_CHUNK_BYTES, at most
 * H5S_CHUNK_MAX_MONTHS rows) of elem_bytes elements, with checksums. */
hid_t h5s_create_timeseries(hid_t loc, const char *name, hid_t ftype, int rank, hsize_t n1, hsize_t n2,
                            size_t elem_bytes);
/* A 1-D variable-length UTF-8 string dataset holding names[0..n-1]. */
hid_t h5s_create_names(hid_t loc, const char *dsname, const char *const *names, int n);
/* Long text as a scalar variable-length string dataset `name`. */
herr_t h5s_text_dataset(hid_t loc, const char *name, const char *s);
/* Root text attribute, or a dataset when longer than H5S_MAX_ATTR_TEXT
 * (the attribute then points to it). */
herr_t h5s_root_text(hid_t file, const char *name, const char *s);

#endif
