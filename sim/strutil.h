/* strutil.h - string, path and number utilities of the scenario reader: a
 * growing string buffer, whole-file reads, folder and path joins, and strict
 * whole-string number parsing (a bad, overflowing or underflowing number is
 * an error, never a silent 0 or inf). No state outside the caller's. */
#ifndef INC_STRUTIL_H
#define INC_STRUTIL_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

/* A growing NUL-terminated string; start with su_buf b = {0}. */
typedef struct {
    char *s;
    size_t len, cap;
    int failed; /* an allocation failed: s is incomplete */
} su_buf;

/* Append n bytes of s / a printf-formatted string. An allocation failure
 * marks b failed (later appends do nothing; su_take returns NULL). */
void su_addn(su_buf *b, const char *s, size_t n);
void su_add(su_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Hand over the built string (the caller frees it; "" when nothing was added)
 * and empty b. NULL if an allocation failed. */
char *su_take(su_buf *b);

/* Record INC_ERR_NOMEM ("out of memory while loading the scenario") in e. */
inc_status su_nomem(inc_err *e);

/* Read a whole text file into *out (NUL-terminated, *len bytes, caller
 * frees); a UTF-8 byte order mark is dropped. Returns INC_ERR_IO (cannot
 * read), INC_ERR_PARSE (a NUL byte: not text) or INC_ERR_NOMEM; the message
 * starts with `ctx` (who asked for the file) when ctx is not NULL. */
inc_status su_read_text(const char *path, const char *ctx, char **out, size_t *len, inc_err *e);

/* Folder part of a path ("." when none), newly allocated; NULL if out of memory. */
char *su_dir_of(const char *path);

/* rel resolved against dir (rel itself when absolute; leading "./" dropped),
 * newly allocated; NULL if out of memory. */
char *su_path_join(const char *dir, const char *rel);

/* Narrow [*s, *s + *n) to drop blanks at both ends. */
void su_trim_span(const char **s, size_t *n);

/* Parse a whole string (blanks around allowed) as a double. Returns 0 ok,
 * SU_NOT_NUMBER, SU_OVERFLOW (the written value is too large for a double:
 * it would become +-inf) or SU_UNDERFLOW (a nonzero written value is smaller
 * in magnitude than DBL_MIN: it would become 0 or lose precision). "inf" and
 * "nan" parse (the caller's range check refuses them). */
enum { SU_NOT_NUMBER = -1, SU_OVERFLOW = -2, SU_UNDERFLOW = -3 };
int su_parse_double(const char *s, double *out);

/* Parse a whole string (blanks around allowed) as a base-10 int64. Returns 0
 * ok, SU_NOT_NUMBER (malformed) or SU_OVERFLOW (outside int64). */
int su_parse_int64(const char *s, int64_t *out);

/* Levenshtein distance of two strings, case-insensitive; strings longer than
 * 63 characters count as far apart (1000). For "did you mean" hints. */
int su_edit_distance(const char *a, const char *b);

#endif
