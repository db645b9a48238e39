/* common.c - the error record of incubator-analyze (common.h). */
#include "common.h"

#include <stdio.h>

an_status an_fail(an_err *e, an_status code, const char *fmt, ...)
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
