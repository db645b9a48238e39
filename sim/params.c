/* params.c - the parameter table of params.def and setting one value from
 * text (see params.h). Adding a line to params.def is all it takes to add a
 * key: the struct field, the table line, the range check, the resolved text
 * and --list-params follow from it. */
#include "params.h"

#include "month.h"
#include "strutil.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SHARE_TOL 1e-6 /* tolerance of shares that must sum to 1 */

#define PR_REAL(lo, hi) (double)(lo), (double)(hi), 0, 0
#define PR_RATE_Y(lo, hi) (double)(lo), (double)(hi), 0, 0
#define PR_INT(lo, hi) 0.0, 0.0, (int64_t)(lo), (int64_t)(hi)
#define PR_MONTH(lo, hi) 0.0, 0.0, (int64_t)(lo), (int64_t)(hi)
#define PR_PATH(lo, hi) 0.0, 0.0, (int64_t)(lo), (int64_t)(hi)
#define PR_NODES(lo, hi) 0.0, 0.0, (int64_t)(lo), (int64_t)(hi)
#define PR_SECTORS(lo, hi) 0.0, 0.0, (int64_t)(lo), (int64_t)(hi)
#define PR_SCHED(lo, hi) 0.0, 0.0, (int64_t)(lo), (int64_t)(hi)

static const params_info PARAMS[] = {
#define PARAM(sec, key, type, lo, hi, unit, desc) \
    {#sec, #key, #sec "." #key, PT_##type, PR_##type(lo, hi), unit, desc, offsetof(sc_params, sec##_##key)},
#include "params.def"
#undef PARAM
};
#define N_PARAMS ((int)(sizeof PARAMS / sizeof PARAMS[0]))
_Static_assert(N_PARAMS == PARAMS_COUNT, "params.def read twice into different tables");

const params_info *params_at(int i) { return &PARAMS[i]; }

void *params_field(sc_params *p, int i) { return (char *)p + PARAMS[i].off; }

const void *params_cfield(const sc_params *p, int i) { return (const char *)p + PARAMS[i].off; }

#define FIELD(p, i) ((char *)params_field((p), (i)))

int params_find(const char *sec, const char *key)
{
    for (int i = 0; i < N_PARAMS; i++)
        if (!strcmp(PARAMS[i].sec, sec) && !strcmp(PARAMS[i].key, key)) return i;
    return -1;
}

int params_find_full(const char *full)
{
    for (int i = 0; i < N_PARAMS; i++)
        if (!strcmp(PARAMS[i].full, full)) return i;
    return -1;
}

int params_known_section(const char *sec)
{
    if (!strcmp(sec, "scenario")) return 1;
    for (int i = 0; i < N_PARAMS; i++)
        if (!strcmp(PARAMS[i].sec, sec)) return 1;
    return 0;
}

/* Edit distance <= 3, else the same key under another section. */
const char *params_suggest_key(const char *full)
{
    const char *best = NULL;
    int bestd = 4;
    for (int i = 0; i < N_PARAMS; i++) {
        int d = su_edit_distance(full, PARAMS[i].full);
        if (d < bestd) { bestd = d; best = PARAMS[i].full; }
    }
    if (!strchr(full, '.')) {
        static const char *const top[] = {"extends", "description"};
        for (int k = 0; k < 2; k++) {
            int d = su_edit_distance(full, top[k]);
            if (d < bestd) { bestd = d; best = top[k]; }
        }
    }
    if (best) return best;
    const char *dot = strrchr(full, '.');
    const char *key = dot ? dot + 1 : full;
    for (int i = 0; i < N_PARAMS; i++)
        if (!strcasecmp(PARAMS[i].key, key)) return PARAMS[i].full;
    return NULL;
}

const char *params_suggest_section(const char *sec)
{
    const char *best = NULL;
    int bestd = 4;
    if (su_edit_distance(sec, "scenario") < bestd) { bestd = su_edit_distance(sec, "scenario"); best = "scenario"; }
    for (int i = 0; i < N_PARAMS; i++) {
        if (i > 0 && !strcmp(PARAMS[i].sec, PARAMS[i - 1].sec)) continue;
        int d = su_edit_distance(sec, PARAMS[i].sec);
        if (d < bestd) { bestd = d; best = PARAMS[i].sec; }
    }
    return best;
}

/* In the units the parameter is written in. */
void params_format_range(const params_info *pi, char *buf, size_t n)
{
    char a[16], b[16];
    switch (pi->type) {
    case PT_REAL:
    case PT_RATE_Y: snprintf(buf, n, "[%g, %g]", pi->lo, pi->hi); break;
    case PT_INT: snprintf(buf, n, "[%" PRId64 ", %" PRId64 "]", pi->ilo, pi->ihi); break;
    case PT_MONTH:
    case PT_SCHED:
        month_format(month_from_yyyymm(pi->ilo), a, sizeof a);
        month_format(month_from_yyyymm(pi->ihi), b, sizeof b);
        snprintf(buf, n, pi->type == PT_SCHED ? "[%s, %s], within the run" : "[%s, %s]", a, b);
        break;
    case PT_PATH: snprintf(buf, n, "path"); break;
    case PT_NODES: snprintf(buf, n, "node names, comma separated, or none"); break;
    case PT_SECTORS: snprintf(buf, n, "sector names, comma separated, or none"); break;
    }
}


inc_status params_apply_value(sc_params *p, int i, const char *val, const char *origin, const char *dir, inc_err *e)
{
    const params_info *pi = &PARAMS[i];
    char range[96];
    params_format_range(pi, range, sizeof range);
    switch (pi->type) {
    case PT_REAL:
    case PT_RATE_Y: {
        double v;
        int rc = su_parse_double(val, &v);
        if (rc == SU_NOT_NUMBER)
            return inc_fail(e, INC_ERR_PARSE, "%s: %s = '%s' is not a number: accepted a real number in %s (%s)",
                            origin, pi->full, val, range, pi->unit);
        /* A nonzero number too small or too large for a double would be read
         * as 0 or inf without a word: refused (docs/design.md "Input and errors"). */
        if (rc == SU_UNDERFLOW)
            return inc_fail(e, INC_ERR_RANGE,
                            "%s: %s = %s underflows: a double cannot hold a nonzero number this small (it would "
                            "become 0): accepted 0 or a real number in %s of magnitude at least %g (%s)",
                            origin, pi->full, val, range, DBL_MIN, pi->unit);
        if (rc == SU_OVERFLOW)
            return inc_fail(e, INC_ERR_RANGE,
                            "%s: %s = %s overflows: a double cannot hold a number this large (it would become "
                            "inf): accepted a real number in %s (%s)",
                            origin, pi->full, val, range, pi->unit);
        if (!isfinite(v) || v < pi->lo || v > pi->hi)
            return inc_fail(e, INC_ERR_RANGE, "%s: %s = %s is out of range: accepted %s (%s)", origin, pi->full, val,
                            range, pi->unit);
        memcpy(FIELD(p, i), &v, sizeof v);
        break;
    }
    case PT_INT: {
        int64_t v = 0;
        int rc = su_parse_int64(val, &v);
        if (rc == SU_NOT_NUMBER)
            return inc_fail(e, INC_ERR_PARSE, "%s: %s = '%s' is not an integer: accepted an integer in %s (%s)",
                            origin, pi->full, val, range, pi->unit);
        if (rc == SU_OVERFLOW || v < pi->ilo || v > pi->ihi)
            return inc_fail(e, INC_ERR_RANGE, "%s: %s = %s is out of range: accepted %s (%s)", origin, pi->full, val,
                            range, pi->unit);
        memcpy(FIELD(p, i), &v, sizeof v);
        break;
    }
    case PT_MONTH:
    case PT_SCHED: {
        int v = month_parse(val);
        if (v < 0)
            return inc_fail(e, INC_ERR_PARSE, "%s: %s = '%s' is not a month: accepted YYYY-MM in %s", origin,
                            pi->full, val, range);
        if (v < month_from_yyyymm(pi->ilo) || v > month_from_yyyymm(pi->ihi))
            return inc_fail(e, INC_ERR_RANGE, "%s: %s = %s is out of range: accepted %s (%s)", origin, pi->full, val,
                            range, pi->unit);
        memcpy(FIELD(p, i), &v, sizeof v);
        break;
    }
    case PT_NODES:
    case PT_SECTORS: {
        /* Names are checked against the tables once they are loaded
         * (check_lists); here only the length and the comment rule. */
        char *field = FIELD(p, i);
        size_t cap = sizeof p->data_nodes;
        if (strlen(val) >= cap)
            return inc_fail(e, INC_ERR_RANGE, "%s: %s: the list is longer than %zu characters", origin, pi->full, cap - 1);
        for (const char *c = val + 1; *c; c++)
            if (*c == ';' && isspace((unsigned char)c[-1]))
                return inc_fail(e, INC_ERR_PARSE, "%s: %s = %s: a name may not contain a blank followed by ';'", origin,
                                pi->full, val);
        memset(field, 0, cap);
        memcpy(field, val, strlen(val));
        break;
    }
    case PT_PATH: {
        char *field = FIELD(p, i);
        size_t cap = sizeof p->data_nodes;
        if (!val[0])
            return inc_fail(e, INC_ERR_PARSE, "%s: %s is empty: accepted a file path", origin, pi->full);
        for (const char *c = val + 1; *c; c++)
            if (*c == ';' && isspace((unsigned char)c[-1])) /* would be read back as a comment */
                return inc_fail(e, INC_ERR_PARSE, "%s: %s = %s: a path may not contain a blank followed by ';'",
                                origin, pi->full, val);
        char *full = su_path_join(dir, val);
        if (!full) return su_nomem(e);
        if (strlen(full) >= cap) {
            inc_status st = inc_fail(e, INC_ERR_RANGE, "%s: %s = %s: the resolved path is longer than %zu characters",
                                     origin, pi->full, val, cap - 1);
            free(full);
            return st;
        }
        memset(field, 0, cap);
        memcpy(field, full, strlen(full));
        free(full);
        break;
    }
    }
    return INC_OK;
}

inc_status params_apply_set(sc_params *p, const char *a, int *idx, inc_err *e)
{
    for (const char *c = a; *c; c++)
        if ((unsigned char)*c < 0x20 && *c != '\t')
            return inc_fail(e, INC_ERR_KEY, "--set: the assignment contains a control character: expected section.key=value");
    const char *eq = strchr(a, '=');
    if (!eq) return inc_fail(e, INC_ERR_KEY, "--set %s: expected section.key=value", a);
    const char *k = a;
    size_t kn = (size_t)(eq - a);
    su_trim_span(&k, &kn);
    const char *v = eq + 1;
    size_t vn = strlen(v);
    su_trim_span(&v, &vn);
    char key[128];
    if (kn == 0 || kn >= sizeof key || !memchr(k, '.', kn))
        return inc_fail(e, INC_ERR_KEY, "--set %s: expected section.key=value (e.g. firms.chi=0.5)", a);
    memcpy(key, k, kn);
    key[kn] = '\0';
    int i = params_find_full(key);
    if (i < 0) {
        const char *s = params_suggest_key(key);
        if (s) return inc_fail(e, INC_ERR_KEY, "--set %s: unknown key (did you mean '%s'?)", a, s);
        return inc_fail(e, INC_ERR_KEY, "--set %s: unknown key (not in params.def)", a);
    }
    char *val = strndup(v, vn);
    char *origin = malloc(strlen(a) + 7);
    char cwd[4096];
    inc_status st;
    if (!val || !origin) {
        st = su_nomem(e);
    } else if (!getcwd(cwd, sizeof cwd)) {
        st = inc_fail(e, INC_ERR_IO, "--set %s: cannot get the current folder: %s", a, strerror(errno));
    } else {
        sprintf(origin, "--set %s", a);
        st = params_apply_value(p, i, val, origin, cwd, e);
    }
    free(val);
    free(origin);
    if (st == INC_OK && idx) *idx = i;
    return st;
}

inc_status params_check_consistency(const sc_params *p, const char *where, inc_err *e)
{
    const double mig[4] = {p->init_edu_migrant_0, p->init_edu_migrant_1, p->init_edu_migrant_2, p->init_edu_migrant_3};
    const double loc[4] = {p->init_edu_local_0, p->init_edu_local_1, p->init_edu_local_2, p->init_edu_local_3};
    const double coh[4] = {p->skills_cohort_edu_0, p->skills_cohort_edu_1, p->skills_cohort_edu_2, p->skills_cohort_edu_3};
    const double *sets[3] = {mig, loc, coh};
    const char *names[3] = {"init.edu_migrant", "init.edu_local", "skills.cohort_edu"};
    for (int k = 0; k < 3; k++) {
        const double *x = sets[k];
        double sum = x[0] + x[1] + x[2] + x[3];
        if (fabs(sum - 1) > SHARE_TOL)
            return inc_fail(e, INC_ERR_RANGE,
                            "%s: %s_0 + %s_1 + %s_2 + %s_3 = %g + %g + %g + %g = %.10g: accepted a sum of 1 (within %g)",
                            where, names[k], names[k], names[k], names[k], x[0], x[1], x[2], x[3], sum, SHARE_TOL);
    }
    if (p->sanctions_full < p->sanctions_start) {
        char a[16], b[16];
        month_format(p->sanctions_start, a, sizeof a);
        month_format(p->sanctions_full, b, sizeof b);
        return inc_fail(e, INC_ERR_RANGE, "%s: sanctions.full = %s is before sanctions.start = %s: accepted a month on or after it",
                        where, b, a);
    }
    return INC_OK;
}

/* The one place annual rates become monthly (docs/model.md 0): by type, never by
 * the unit text. */
void params_to_monthly(sc_params *m)
{
    for (int i = 0; i < N_PARAMS; i++) {
        if (PARAMS[i].type != PT_RATE_Y) continue;
        double x;
        memcpy(&x, FIELD(m, i), sizeof x);
        x = expm1(log1p(x) / 12.0);
        memcpy(FIELD(m, i), &x, sizeof x);
    }
}


void params_print_table(FILE *f)
{
    fprintf(f, "| key | unit | range | description |\n");
    fprintf(f, "|---|---|---|---|\n");
    for (int i = 0; i < N_PARAMS; i++) {
        char range[96];
        params_format_range(&PARAMS[i], range, sizeof range);
        fprintf(f, "| %s | %s | %s | ", PARAMS[i].full, PARAMS[i].unit, range);
        for (const char *c = PARAMS[i].desc; *c; c++) {
            if (*c == '|') fputc('\\', f);
            fputc(*c, f);
        }
        fprintf(f, " |\n");
    }
}
