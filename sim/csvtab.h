/* csvtab.h - a small CSV reader for the scenario's data tables: comma
 * separated, "double quoted" fields with "" for a quote, blanks around fields
 * dropped, blank and '#' lines skipped, a header line naming the columns
 * (matched case-insensitively, in any order; extra columns ignored). Every
 * error names file:line (and :column for a value) and what is accepted. */
#ifndef INC_CSVTAB_H
#define INC_CSVTAB_H

#include <stddef.h>
#include "status.h"

#define CSV_MAX_FIELDS 64

typedef struct {
    const char *file;
    char *text;           /* contents, owned (csv_close frees it unless taken) */
    size_t len, pos;
    int line;             /* number of the current line */
    char *buf;            /* the current line, split in place */
    char *f[CSV_MAX_FIELDS];
    int nf;
    int n_header, header_line;
    const char *const *names; /* required columns */
    int ncol;
    int col[CSV_MAX_FIELDS];  /* header position of each required column */
} csv_reader;

/* Read file `path` and map its header to the ncol required columns `names`
 * (which must outlive r). `ctx` (may be NULL) prefixes I/O errors: who named
 * the file. Returns INC_OK, INC_ERR_IO, INC_ERR_PARSE (no header, a column
 * missing or twice, a malformed line) or INC_ERR_NOMEM. Close with csv_close
 * whatever it returns. */
inc_status csv_open(csv_reader *r, const char *path, const char *ctx, const char *const *names, int ncol,
                    inc_err *e);

/* Free what r holds (r->text too, unless the caller took it and set it NULL). */
void csv_close(csv_reader *r);

/* Next data row: 1 = a row, 0 = end, -1 = error (a malformed line or a field
 * count unlike the header's; recorded in e). */
int csv_row(csv_reader *r, inc_err *e);

/* The text of required column k in the current row. */
const char *csv_get(const csv_reader *r, int k);

/* A number in column k within [lo, hi] (a bound excluded when lo_open /
 * hi_open); `accepted` describes the range for the message. A nonzero value
 * that underflows to 0 or overflows to inf as a double is refused.
 * INC_ERR_RANGE on a bad value. */
inc_status csv_real(const csv_reader *r, int k, double lo, double hi, int lo_open, int hi_open,
                    const char *accepted, double *out, inc_err *e);

/* An integer in column k within [lo, hi]. INC_ERR_RANGE on a bad value. */
inc_status csv_int(const csv_reader *r, int k, int lo, int hi, const char *accepted, int *out, inc_err *e);

/* One of nw words (case-insensitive) in column k: *out is its index.
 * INC_ERR_RANGE otherwise. */
inc_status csv_word(const csv_reader *r, int k, const char *const *words, int nw, const char *accepted, int *out,
                    inc_err *e);

/* A name in column k: 1 to cap-1 characters, unlike the nprev names at prev,
 * prev + stride, ... (the name fields of the rows before); copied to dst
 * (cap bytes). INC_ERR_RANGE otherwise. */
inc_status csv_name(const csv_reader *r, int k, char *dst, size_t cap, const char *prev, size_t stride, int nprev,
                    inc_err *e);

/* Column k (the source of the row's numbers) is not empty. INC_ERR_PARSE otherwise. */
inc_status csv_source(const csv_reader *r, int k, inc_err *e);

#endif
