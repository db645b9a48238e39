/* csvtab.c - the CSV reader of the scenario's data tables (see csvtab.h). */
#include "csvtab.h"

#include "strutil.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void csv_close(csv_reader *r)
{
    free(r->text);
    free(r->buf);
    r->text = r->buf = NULL;
}

/* Split a line in place into fields: comma separated, blanks around fields
 * dropped, "double quoted" fields with "" for a quote. Returns the count,
 * -1 for an unterminated quote, -2 for text after a closing quote, -3 for
 * too many fields. */
static int csv_split(char *s, char **f, int max)
{
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t') s++;
        if (n == max) return -3;
        char *out = s;
        f[n++] = s;
        if (*s == '"') {
            char *in = s + 1;
            for (;;) {
                if (!*in) return -1;
                if (*in == '"') {
                    if (in[1] == '"') { *out++ = '"'; in += 2; continue; }
                    in++;
                    break;
                }
                *out++ = *in++;
            }
            while (*in == ' ' || *in == '\t') in++;
            if (*in && *in != ',') return -2;
            int more = *in == ',';
            *out = '\0';
            if (!more) return n;
            s = in + 1;
        } else {
            char *c = strchr(s, ',');
            char *end = c ? c : s + strlen(s);
            while (end > s && (end[-1] == ' ' || end[-1] == '\t')) end--;
            int more = c != NULL;
            *end = '\0';
            if (!more) return n;
            s = c + 1;
        }
    }
}

/* Next data line into r->f; skips blank and '#' lines. 1 = a row, 0 = end,
 * otherwise an error status was recorded (returns -1). */
static int csv_next_line(csv_reader *r, inc_err *e)
{
    while (r->pos < r->len) {
        const char *s = r->text + r->pos;
        const char *nl = memchr(s, '\n', r->len - r->pos);
        size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
        r->pos += n + (nl ? 1 : 0);
        r->line++;
        const char *t = s;
        size_t tn = n;
        su_trim_span(&t, &tn);
        if (tn == 0 || t[0] == '#') continue;
        memcpy(r->buf, t, tn);
        r->buf[tn] = '\0';
        int nf = csv_split(r->buf, r->f, CSV_MAX_FIELDS);
        if (nf < 0) {
            const char *why = nf == -1 ? "unterminated double quote" : nf == -2 ? "text after a closing quote"
                                                                                 : "too many fields";
            inc_fail(e, INC_ERR_PARSE, "%s:%d: %s", r->file, r->line, why);
            return -1;
        }
        r->nf = nf;
        return 1;
    }
    return 0;
}

/* Open a CSV file and map its header to the required columns (any order,
 * extra columns ignored). `ctx` prefixes I/O errors (who named the file). */
inc_status csv_open(csv_reader *r, const char *path, const char *ctx, const char *const *names, int ncol,
                    inc_err *e)
{
    memset(r, 0, sizeof *r);
    r->file = path;
    r->names = names;
    r->ncol = ncol;
    inc_status st = su_read_text(path, ctx, &r->text, &r->len, e);
    if (st) return st;
    r->buf = malloc(r->len + 1);
    if (!r->buf) return su_nomem(e);
    int got = csv_next_line(r, e);
    if (got < 0) return e ? e->code : INC_ERR_PARSE;
    su_buf need = {0};
    for (int k = 0; k < ncol; k++) su_add(&need, "%s%s", k ? "," : "", names[k]);
    char *needs = su_take(&need);
    if (!needs) return su_nomem(e);
    if (got == 0) {
        st = inc_fail(e, INC_ERR_PARSE, "%s: no header line: expected the columns %s", path, needs);
        free(needs);
        return st;
    }
    r->n_header = r->nf;
    r->header_line = r->line;
    for (int k = 0; k < ncol; k++) {
        r->col[k] = -1;
        for (int j = 0; j < r->nf; j++) {
            if (strcasecmp(r->f[j], names[k])) continue;
            if (r->col[k] >= 0) {
                st = inc_fail(e, INC_ERR_PARSE, "%s:%d:%d: column '%s' appears twice in the header", path, r->line,
                              j + 1, names[k]);
                free(needs);
                return st;
            }
            r->col[k] = j;
        }
        if (r->col[k] < 0) {
            st = inc_fail(e, INC_ERR_PARSE, "%s:%d: missing column '%s': the header must have the columns %s%s", path,
                          r->line, names[k], needs,
                          strcmp(names[k], "source") ? "" : " (every row needs a source for its numbers)");
            free(needs);
            return st;
        }
    }
    free(needs);
    return INC_OK;
}

/* Next data row: 1 = a row, 0 = end, -1 = error (recorded in e). */
int csv_row(csv_reader *r, inc_err *e)
{
    int got = csv_next_line(r, e);
    if (got <= 0) return got;
    if (r->nf != r->n_header) {
        inc_fail(e, INC_ERR_PARSE, "%s:%d: %d fields, but the header on line %d has %d", r->file, r->line, r->nf,
                 r->header_line, r->n_header);
        return -1;
    }
    return 1;
}

const char *csv_get(const csv_reader *r, int k) { return r->f[r->col[k]]; }

/* A number in column k within [lo, hi] (bounds excluded when lo_open /
 * hi_open); `accepted` describes the range for the message. */
inc_status csv_real(const csv_reader *r, int k, double lo, double hi, int lo_open, int hi_open,
                    const char *accepted, double *out, inc_err *e)
{
    const char *s = csv_get(r, k);
    double v;
    int rc = su_parse_double(s, &v);
    if (rc == SU_NOT_NUMBER)
        return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: %s = '%s' is not a number: accepted %s", r->file, r->line,
                        r->col[k] + 1, r->names[k], s, accepted);
    if (rc != 0)
        return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: %s = %s %s a double (it would become %s): accepted %s", r->file,
                        r->line, r->col[k] + 1, r->names[k], s, rc == SU_UNDERFLOW ? "underflows" : "overflows",
                        rc == SU_UNDERFLOW ? "0" : "inf", accepted);
    if (!isfinite(v) || v < lo || v > hi || (lo_open && v == lo) || (hi_open && v == hi))
        return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: %s = %s is out of range: accepted %s", r->file, r->line,
                        r->col[k] + 1, r->names[k], s, accepted);
    *out = v;
    return INC_OK;
}

inc_status csv_int(const csv_reader *r, int k, int lo, int hi, const char *accepted, int *out, inc_err *e)
{
    const char *s = csv_get(r, k);
    int64_t v;
    if (su_parse_int64(s, &v) || v < lo || v > hi)
        return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: %s = '%s' is not accepted: expected %s", r->file, r->line,
                        r->col[k] + 1, r->names[k], s, accepted);
    *out = (int)v;
    return INC_OK;
}

/* One of a fixed list of words (case-insensitive): *out is its index. */
inc_status csv_word(const csv_reader *r, int k, const char *const *words, int nw, const char *accepted, int *out,
                    inc_err *e)
{
    const char *s = csv_get(r, k);
    for (int i = 0; i < nw; i++)
        if (!strcasecmp(s, words[i])) { *out = i; return INC_OK; }
    return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: %s = '%s' is not accepted: expected %s", r->file, r->line,
                    r->col[k] + 1, r->names[k], s, accepted);
}

inc_status csv_name(const csv_reader *r, int k, char *dst, size_t cap, const char *prev, size_t stride, int nprev,
                    inc_err *e)
{
    const char *s = csv_get(r, k);
    size_t n = strlen(s);
    if (n == 0 || n >= cap)
        return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: name '%s': accepted 1 to %d characters", r->file, r->line,
                        r->col[k] + 1, s, (int)cap - 1);
    for (int i = 0; i < nprev; i++)
        if (!strcmp(prev + (size_t)i * stride, s))
            return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: name '%s' is used twice: names must be unique", r->file,
                            r->line, r->col[k] + 1, s);
    memcpy(dst, s, n + 1);
    return INC_OK;
}

inc_status csv_source(const csv_reader *r, int k, inc_err *e)
{
    if (!csv_get(r, k)[0])
        return inc_fail(e, INC_ERR_PARSE, "%s:%d:%d: empty source: every row must say where its numbers come from",
                        r->file, r->line, r->col[k] + 1);
    return INC_OK;
}
