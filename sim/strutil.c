/* strutil.c - string, path and number utilities (see strutil.h). */
#include "strutil.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void su_addn(su_buf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap) cap *= 2;
        char *t = realloc(b->s, cap);
        if (!t) { b->failed = 1; return; }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void su_add(su_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) { b->failed = 1; return; }
    if ((size_t)n < sizeof small) { su_addn(b, small, (size_t)n); return; }
    char *big = malloc((size_t)n + 1);
    if (!big) { b->failed = 1; return; }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    su_addn(b, big, (size_t)n);
    free(big);
}

/* Hand over the built string (NULL if an allocation failed). */
char *su_take(su_buf *b)
{
    if (b->failed) { free(b->s); b->s = NULL; return NULL; }
    char *s = b->s ? b->s : strdup("");
    b->s = NULL;
    return s;
}

inc_status su_nomem(inc_err *e)
{
    return inc_fail(e, INC_ERR_NOMEM, "out of memory while loading the scenario");
}

/* Read a whole file; a UTF-8 byte order mark is dropped. The message of a
 * failure starts with `ctx` (who asked for the file) when given. */
inc_status su_read_text(const char *path, const char *ctx, char **out, size_t *len, inc_err *e)
{
    *out = NULL;
    *len = 0;
    const char *sep = ctx ? ": " : "";
    if (!ctx) ctx = "";
    FILE *f = fopen(path, "rb");
    if (!f) return inc_fail(e, INC_ERR_IO, "%s%scannot read '%s': %s", ctx, sep, path, strerror(errno));
    su_buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) su_addn(&b, chunk, n);
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        free(b.s);
        return inc_fail(e, INC_ERR_IO, "%s%scannot read '%s': %s", ctx, sep, path, strerror(err));
    }
    size_t total = b.len;
    char *s = su_take(&b);
    if (!s) return su_nomem(e);
    if (memchr(s, '\0', total)) {
        free(s);
        return inc_fail(e, INC_ERR_PARSE, "%s%s'%s' contains a NUL byte: expected a text file", ctx, sep, path);
    }
    if (total >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF) {
        memmove(s, s + 3, total - 2);
        total -= 3;
    }
    *out = s;
    *len = total;
    return INC_OK;
}

/* Folder part of a path ("." when none), newly allocated. */
char *su_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* rel resolved against dir (rel unchanged when absolute), newly allocated. */
char *su_path_join(const char *dir, const char *rel)
{
    if (rel[0] == '/') return strdup(rel);
    while (rel[0] == '.' && rel[1] == '/') {
        rel += 2;
        while (*rel == '/') rel++;
    }
    size_t nd = strlen(dir), nr = strlen(rel);
    char *s = malloc(nd + nr + 2);
    if (!s) return NULL;
    memcpy(s, dir, nd);
    size_t k = nd;
    if (k == 0 || s[k - 1] != '/') s[k++] = '/';
    memcpy(s + k, rel, nr + 1);
    return s;
}

void su_trim_span(const char **s, size_t *n)
{
    while (*n > 0 && isspace((unsigned char)**s)) { (*s)++; (*n)--; }
    while (*n > 0 && isspace((unsigned char)(*s)[*n - 1])) (*n)--;
}

/* strtod's ERANGE tells an overflow (result +-HUGE_VAL) from an underflow
 * (result of magnitude at most DBL_MIN); "0e-999" is an exact zero, no error. */
int su_parse_double(const char *s, double *out)
{
    char *end;
    while (isspace((unsigned char)*s)) s++;
    if (!*s) return SU_NOT_NUMBER;
    errno = 0;
    double v = strtod(s, &end);
    int range = errno == ERANGE;
    if (end == s) return SU_NOT_NUMBER;
    while (isspace((unsigned char)*end)) end++;
    if (*end) return SU_NOT_NUMBER;
    if (range) return fabs(v) > 1 ? SU_OVERFLOW : SU_UNDERFLOW;
    *out = v;
    return 0;
}

int su_parse_int64(const char *s, int64_t *out)
{
    char *end;
    while (isspace((unsigned char)*s)) s++;
    if (!*s) return SU_NOT_NUMBER;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s) return SU_NOT_NUMBER;
    while (isspace((unsigned char)*end)) end++;
    if (*end) return SU_NOT_NUMBER;
    if (errno == ERANGE) return SU_OVERFLOW;
    *out = (int64_t)v;
    return 0;
}

/* Levenshtein distance, case-insensitive; long strings count as far apart. */
int su_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 1000;
    int row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int sub = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            int best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            diag = up;
        }
    }
    return row[lb];
}
