/* common.h - what every module of incubator-analyze shares: the status codes
 * (which are also the program's exit codes, docs/analysis.md "Exit codes") and
 * the one-line error record.
 *
 * Library code of the analysis never exits and never prints errors: it fills an
 * an_err with one line that names the file (and the dataset, when there is
 * one) and returns a status; only main() prints and decides the exit code. */
#ifndef AN_COMMON_H
#define AN_COMMON_H

#include <stdarg.h>

typedef enum {
    AN_OK = 0,
    AN_ERR_CHECK = 1, /* `check`: the file failed an integrity check */
    AN_ERR_INPUT = 2, /* a file cannot be analysed: not HDF5, not ours, partial, missing dataset */
    AN_ERR_USAGE = 3, /* bad command line */
    AN_ERR_PAIR = 4,  /* `compare`: the files cannot be paired by seed */
    AN_ERR_OUTPUT = 5, /* output cannot be written: gnuplot missing or failing, folder or stdout not writable */
    AN_ERR_NOMEM = 6  /* allocation failed */
} an_status;

typedef struct {
    an_status code;
    char msg[1024];
} an_err;

/* Record an error: sets e->code and formats e->msg (printf-style, one line, no
 * trailing newline). Returns code so callers can `return an_fail(e, ...)`.
 * e may be NULL. */
an_status an_fail(an_err *e, an_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
