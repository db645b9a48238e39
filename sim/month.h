/* month.h - months as integers and as "YYYY-MM" text: the one parser and the
 * one formatter of the program (scenario files, messages, the output's
 * time_label; docs/output.md).
 *
 * A month is an int: months since 0000-01, i.e. 12*year + month-1. */
#ifndef INC_MONTH_H
#define INC_MONTH_H

#include <stddef.h>
#include <stdint.h>

/* "YYYY-MM" (exactly 7 characters, 0000-01 to 9999-12) -> month index;
 * -1 on a malformed string or NULL. */
int month_parse(const char *s);

/* Month index -> "YYYY-MM" in buf (n bytes; 8 hold the whole label, fewer
 * truncate it like snprintf). A month outside 0000-01..9999-12 is written as
 * "????-??", which month_parse refuses. Does nothing if buf is NULL or n 0. */
void month_format(int month, char *buf, size_t n);

/* The month index of a YYYYMM number (params.def writes month ranges so,
 * e.g. 190001); no check. */
int month_from_yyyymm(int64_t yyyymm);

#endif
