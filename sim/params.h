/* params.h - the table of scalar parameters (params.def): the struct that
 * holds their values, their types and ranges, and setting one value from text
 * with a message that names where it came from, the key and what is accepted.
 *
 * Types (params.def's third column):
 *   REAL    double, range [min, max], in the unit written
 *   RATE_Y  double, an annual rate ("share/year"): stored as written in
 *           scenario.p and converted to the monthly rate (1+x)^(1/12)-1 in
 *           scenario.m by params_to_monthly, the one place rates become
 *           monthly (docs/model.md 0)
 *   INT     int64_t, range [min, max]
 *   MONTH   int, months since 0000-01 (12*year + month-1), written YYYY-MM;
 *           range as YYYYMM numbers
 *   SCHED   like MONTH, and the month must lie within the run when the
 *           policy it times is in force (a policy date; scenario.c checks it)
 *   PATH    char[512], a file path resolved against the folder of the file
 *           that set it (or the cwd for --set)
 *   NODES / SECTORS  char[512], a comma-separated list of names from the node
 *           or sector table ("none" or empty for no name; scenario.c checks
 *           the names against the tables)
 * The struct field of PARAM(sec, key, ...) is sec_key. */
#ifndef INC_PARAMS_H
#define INC_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "status.h"

typedef struct {
#define PARAM(sec, key, type, lo, hi, unit, desc) PARAM_FIELD_##type(sec##_##key);
#define PARAM_FIELD_REAL(f) double f
#define PARAM_FIELD_RATE_Y(f) double f
#define PARAM_FIELD_INT(f) int64_t f
#define PARAM_FIELD_MONTH(f) int f
#define PARAM_FIELD_PATH(f) char f[512]
#define PARAM_FIELD_NODES(f) char f[512]
#define PARAM_FIELD_SECTORS(f) char f[512]
#define PARAM_FIELD_SCHED(f) int f
#include "params.def"
#undef PARAM
} sc_params;

/* Index of each parameter in the table (PARAM_ID_firms_chi, ...), and their count. */
enum {
#define PARAM(sec, key, type, lo, hi, unit, desc) PARAM_ID_##sec##_##key,
#include "params.def"
#undef PARAM
    PARAMS_COUNT
};

typedef enum { PT_REAL, PT_RATE_Y, PT_INT, PT_MONTH, PT_PATH, PT_NODES, PT_SECTORS, PT_SCHED } params_type;

/* One line of params.def. */
typedef struct {
    const char *sec, *key, *full; /* "firms", "chi", "firms.chi" */
    params_type type;
    double lo, hi;                /* REAL and RATE_Y range */
    int64_t ilo, ihi;             /* INT range; MONTH and SCHED range as YYYYMM */
    const char *unit, *desc;
    size_t off;                   /* offset of the field in sc_params */
} params_info;

/* Line i (0 <= i < PARAMS_COUNT) of the table. */
const params_info *params_at(int i);

/* The field of parameter i in p (its type as params_at(i)->type says). */
void *params_field(sc_params *p, int i);
const void *params_cfield(const sc_params *p, int i);

/* Index of a parameter by section and key / by "section.key"; -1 if unknown. */
int params_find(const char *sec, const char *key);
int params_find_full(const char *full);

/* 1 if sec is a section of the table or "scenario", else 0. */
int params_known_section(const char *sec);

/* The known name nearest an unknown key ("sec.key" or a top-level name such
 * as "extend"), or section; NULL when nothing is near. For "did you mean". */
const char *params_suggest_key(const char *full);
const char *params_suggest_section(const char *sec);

/* The accepted range of a parameter as text ("[0, 1]", "[1900-01, 2100-12]",
 * "path", ...), the form --list-params prints. */
void params_format_range(const params_info *pi, char *buf, size_t n);

/* Parse `val` as parameter i, check it against its type and range and store
 * it in p. `origin` starts the message ("FILE:LINE" or "--set a=b"); relative
 * paths are resolved against `dir`. Returns INC_OK, INC_ERR_PARSE (not a
 * number, month or path), INC_ERR_RANGE (outside the range; a nonzero number
 * that underflows to 0 or overflows to inf as a double; a list or path too
 * long) or INC_ERR_NOMEM; p is unchanged on error. */
inc_status params_apply_value(sc_params *p, int i, const char *val, const char *origin, const char *dir, inc_err *e);

/* Apply one "section.key=value" (a --set; relative paths against the cwd); on
 * success *idx (if not NULL) is the index set. Errors as params_apply_value,
 * plus INC_ERR_KEY for a malformed assignment or an unknown key (with a "did
 * you mean"), INC_ERR_IO if the cwd cannot be read. */
inc_status params_apply_set(sc_params *p, const char *a, int *idx, inc_err *e);

/* Rules that tie several keys together (education shares sum to 1,
 * sanctions.full not before sanctions.start). INC_ERR_RANGE with a message
 * starting with `where` if one fails. */
inc_status params_check_consistency(const sc_params *p, const char *where, inc_err *e);

/* Convert every RATE_Y field of m from annual to monthly, (1+x)^(1/12)-1;
 * every other field is left as it is. */
void params_to_monthly(sc_params *m);

/* Print the table (key, unit, range, description) as a markdown table to f:
 * incubator-sim --list-params, the source of docs/model.md's parameter list. */
void params_print_table(FILE *f);

#endif
