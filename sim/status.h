/* status.h - error codes and the error record every fallible function fills.
 *
 * Library code never exits (docs/design.md "Input and errors"): it returns a status
 * and writes a one-line message that names the file, line, key or month and says
 * what is accepted. Only main() turns a status into an exit code. */
#ifndef INC_STATUS_H
#define INC_STATUS_H

#include <stdarg.h>

typedef enum {
    INC_OK = 0,
    INC_ERR_USAGE,      /* bad command line */
    INC_ERR_IO,         /* a file cannot be read or written */
    INC_ERR_PARSE,      /* malformed input file */
    INC_ERR_KEY,        /* unknown or missing key */
    INC_ERR_RANGE,      /* value outside its accepted range */
    INC_ERR_NOMEM,      /* allocation failed */
    INC_ERR_AUDIT,      /* an accounting identity failed */
    INC_ERR_NUMERIC,    /* NaN, infinity or a bound violated in the state */
    INC_ERR_HDF5,       /* the HDF5 library reported an error */
    INC_ERR_INTERRUPTED /* stopped by a signal */
} inc_status;

typedef struct {
    inc_status code;
    char msg[1024];
} inc_err;

/* Record an error: sets e->code and formats e->msg (printf-style). Returns code,
 * so callers can write `return inc_fail(e, INC_ERR_IO, "...", ...)`. e may be NULL. */
inc_status inc_fail(inc_err *e, inc_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Exit code main() uses for a status: 0 ok, 2 usage/input, 3 io/hdf5, 4 audit or
 * numeric failure, 5 nomem, 75 interrupted (EX_TEMPFAIL: requeue). */
int inc_exit_code(inc_status s);

#endif
