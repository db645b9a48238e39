/* status.c - formatting of error records (see status.h). */
#include "status.h"
#include <stdio.h>

inc_status inc_fail(inc_err *e, inc_status code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        e->code = code;
    }
    return code;
}

int inc_exit_code(inc_status s)
{
    switch (s) {
    case INC_OK: return 0;
    case INC_ERR_USAGE: case INC_ERR_PARSE: case INC_ERR_KEY: case INC_ERR_RANGE: return 2;
    case INC_ERR_IO: case INC_ERR_HDF5: return 3;
    case INC_ERR_AUDIT: case INC_ERR_NUMERIC: return 4;
    case INC_ERR_NOMEM: return 5;
    case INC_ERR_INTERRUPTED: return 75;
    }
    return 1;
}
