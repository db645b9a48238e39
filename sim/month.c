/* month.c - month parsing and formatting (see month.h). */
#include "month.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int month_parse(const char *s)
{
    if (!s || strlen(s) != 7 || s[4] != '-') return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && !isdigit((unsigned char)s[i])) return -1;
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int month = (s[5] - '0') * 10 + (s[6] - '0');
    if (month < 1 || month > 12) return -1;
    return 12 * year + month - 1;
}

void month_format(int month, char *buf, size_t n)
{
    if (!buf || n == 0) return;
    if (month < 0 || month / 12 > 9999) {
        snprintf(buf, n, "\?\?\?\?-\?\?"); /* no month month_parse returns */
        return;
    }
    snprintf(buf, n, "%04d-%02d", month / 12, month % 12 + 1);
}

int month_from_yyyymm(int64_t v) { return (int)(12 * (v / 100) + v % 100 - 1); }
