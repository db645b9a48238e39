/* scenario.c - reading and validating scenarios (see scenario.h).
 *
 * A scenario is a chain of INI files (`extends`), then `--set` overrides, then
 * the node and sector CSV files the scalar keys name. Everything a run depends
 * on is checked here, once, with messages that name the file, line, key and the
 * accepted range, so that the kernel can trust its inputs. The parameter table
 * comes from params.def (X-macro): adding a line there is all it takes to add a
 * key. The one conversion of annual rates to monthly ones also lives here.
 *
 * inih parses the INI syntax. Debian's build passes no line number to the
 * handler and uses a 200-byte line buffer, so the text is fed to inih through
 * our own reader (read_ini_line): it counts lines, strips leading blanks (no
 * continuation lines), validates section headers, and lets key = value lines
 * longer than the buffer through by handing inih only the key; the handler
 * then takes the value from the raw line. No state outside the caller's
 * structures: two scenarios may be loaded in one process. */
/* realpath() is X/Open in glibc's headers; the build defines only POSIX. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#define SC_MAX_CHAIN 32      /* files in one extends chain */
#define SC_MISSING_SHOWN 5   /* missing keys named in the message */
#define CSV_MAX_FIELDS 64
#define SHARE_TOL 1e-6

/* ---- the parameter table ------------------------------------------------ */

typedef enum { T_REAL, T_INT, T_MONTH, T_PATH, T_NODES, T_SECTORS, T_SCHED } ptype;

typedef struct {
    const char *sec, *key, *full; /* "firms", "chi", "firms.chi" */
    ptype type;
    double lo, hi;                /* REAL range */
    int64_t ilo, ihi;             /* INT range; MONTH range as YYYYMM */
    const char *unit, *desc;
    size_t off;                   /* offset of the field in sc_params */
} pinfo;

#define PR_REAL(lo, hi) (double)(lo), (double)(hi), 0, 0
#define PR_INT(lo, hi) 0.0, 0.0, (int64_t)(lo), (int64_t)(hi)
#define PR_MONTH(lo, hi) 0.0, 0.0, (int64_t)(lo), (int64_t)(hi)
#define PR_PATH(lo, hi) 0.0, 0.0, (int64_t)(lo), (int64_t)(hi)
#define PR_NODES(lo, hi) 0.0, 0.0, (int64_t)(lo), (int64_t)(hi)
#define PR_SECTORS(lo, hi) 0.0, 0.0, (int64_t)(lo), (int64_t)(hi)
#define PR_SCHED(lo, hi) 0.0, 0.0, (int64_t)(lo), (int64_t)(hi)

static const pinfo PARAMS[] = {
#define PARAM(sec, key, type, lo, hi, unit, desc) \
    {#sec, #key, #sec "." #key, T_##type, PR_##type(lo, hi), unit, desc, offsetof(sc_params, sec##_##key)},
#include "params.def"
#undef PARAM
};
#define N_PARAMS ((int)(sizeof PARAMS / sizeof PARAMS[0]))

/* Pseudo-indices of the two non-parameter keys of a scenario file. */
enum { KEY_EXTENDS = -1, KEY_DESCRIPTION = -2 };

#define FIELD(p, i) ((char *)(p) + PARAMS[i].off)
#define CFIELD(p, i) ((const char *)(p) + PARAMS[i].off)

static int yyyymm_to_month(int64_t v) { return (int)(12 * (v / 100) + v % 100 - 1); }

static int find_param(const char *sec, const char *key)
{
    for (int i = 0; i < N_PARAMS; i++)
        if (!strcmp(PARAMS[i].sec, sec) && !strcmp(PARAMS[i].key, key)) return i;
    return -1;
}

static int find_param_full(const char *full)
{
    for (int i = 0; i < N_PARAMS; i++)
        if (!strcmp(PARAMS[i].full, full)) return i;
    return -1;
}

static int known_section(const char *sec)
{
    if (!strcmp(sec, "scenario")) return 1;
    for (int i = 0; i < N_PARAMS; i++)
        if (!strcmp(PARAMS[i].sec, sec)) return 1;
    return 0;
}

/* Levenshtein distance, case-insensitive; long strings count as far apart. */
static int edit_distance(const char *a, const char *b)
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

/* The known key nearest to an unknown `full` name ("sec.key" or a top-level
 * name): edit distance <= 3, else the same key under another section. */
static const char *suggest_key(const char *full)
{
    const char *best = NULL;
    int bestd = 4;
    for (int i = 0; i < N_PARAMS; i++) {
        int d = edit_distance(full, PARAMS[i].full);
        if (d < bestd) { bestd = d; best = PARAMS[i].full; }
    }
    if (!strchr(full, '.')) {
        static const char *const top[] = {"extends", "description"};
        for (int k = 0; k < 2; k++) {
            int d = edit_distance(full, top[k]);
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

static const char *suggest_section(const char *sec)
{
    const char *best = NULL;
    int bestd = 4;
    if (edit_distance(sec, "scenario") < bestd) { bestd = edit_distance(sec, "scenario"); best = "scenario"; }
    for (int i = 0; i < N_PARAMS; i++) {
        if (i > 0 && !strcmp(PARAMS[i].sec, PARAMS[i - 1].sec)) continue;
        int d = edit_distance(sec, PARAMS[i].sec);
        if (d < bestd) { bestd = d; best = PARAMS[i].sec; }
    }
    return best;
}

/* "[lo, hi]" of a parameter, in the units it is written in. */
static void format_range(const pinfo *pi, char *buf, size_t n)
{
    char a[16], b[16];
    switch (pi->type) {
    case T_REAL: snprintf(buf, n, "[%g, %g]", pi->lo, pi->hi); break;
    case T_INT: snprintf(buf, n, "[%" PRId64 ", %" PRId64 "]", pi->ilo, pi->ihi); break;
    case T_MONTH:
    case T_SCHED:
        month_format(yyyymm_to_month(pi->ilo), a, sizeof a);
        month_format(yyyymm_to_month(pi->ihi), b, sizeof b);
        snprintf(buf, n, pi->type == T_SCHED ? "[%s, %s], within the run" : "[%s, %s]", a, b);
        break;
    case T_PATH: snprintf(buf, n, "path"); break;
    case T_NODES: snprintf(buf, n, "node names, comma separated, or none"); break;
    case T_SECTORS: snprintf(buf, n, "sector names, comma separated, or none"); break;
    }
}

/* ---- small utilities ---------------------------------------------------- */

typedef struct {
    char *s;
    size_t len, cap;
    int failed; /* an allocation failed: s is incomplete */
} sbuf;

static void sb_addn(sbuf *b, const char *s, size_t n)
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

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) { b->failed = 1; return; }
    if ((size_t)n < sizeof small) { sb_addn(b, small, (size_t)n); return; }
    char *big = malloc((size_t)n + 1);
    if (!big) { b->failed = 1; return; }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_addn(b, big, (size_t)n);
    free(big);
}

/* Hand over the built string (NULL if an allocation failed). */
static char *sb_take(sbuf *b)
{
    if (b->failed) { free(b->s); b->s = NULL; return NULL; }
    char *s = b->s ? b->s : strdup("");
    b->s = NULL;
    return s;
}

static inc_status nomem(inc_err *e) { return inc_fail(e, INC_ERR_NOMEM, "out of memory while loading the scenario"); }

/* Read a whole file; a UTF-8 byte order mark is dropped. The message of a
 * failure starts with `ctx` (who asked for the file) when given. */
static inc_status read_text(const char *path, const char *ctx, char **out, size_t *len, inc_err *e)
{
    *out = NULL;
    *len = 0;
    const char *sep = ctx ? ": " : "";
    if (!ctx) ctx = "";
    FILE *f = fopen(path, "rb");
    if (!f) return inc_fail(e, INC_ERR_IO, "%s%scannot read '%s': %s", ctx, sep, path, strerror(errno));
    sbuf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sb_addn(&b, chunk, n);
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        free(b.s);
        return inc_fail(e, INC_ERR_IO, "%s%scannot read '%s': %s", ctx, sep, path, strerror(err));
    }
    size_t total = b.len;
    char *s = sb_take(&b);
    if (!s) return nomem(e);
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
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* rel resolved against dir (rel unchanged when absolute), newly allocated. */
static char *path_join(const char *dir, const char *rel)
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

static void trim_span(const char **s, size_t *n)
{
    while (*n > 0 && isspace((unsigned char)**s)) { (*s)++; (*n)--; }
    while (*n > 0 && isspace((unsigned char)(*s)[*n - 1])) (*n)--;
}

/* Parse a whole string as a double (leading/trailing blanks allowed).
 * Returns 0 ok, -1 not a number. Non-finite values parse (caller checks). */
static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    while (isspace((unsigned char)*s)) s++;
    if (!*s) return -1;
    double v = strtod(s, &end);
    if (end == s) return -1;
    while (isspace((unsigned char)*end)) end++;
    if (*end) return -1;
    *out = v;
    return 0;
}

/* Parse a whole string as a base-10 int64. Returns 0 ok, -1 malformed,
 * -2 outside int64. */
static int parse_int64(const char *s, int64_t *out)
{
    char *end;
    while (isspace((unsigned char)*s)) s++;
    if (!*s) return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s) return -1;
    while (isspace((unsigned char)*end)) end++;
    if (*end) return -1;
    if (errno == ERANGE) return -2;
    *out = (int64_t)v;
    return 0;
}

/* ---- months ------------------------------------------------------------- */

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

/* ---- setting one value -------------------------------------------------- */

/* Parse `val` as parameter i, check its range and store it in p. `origin`
 * starts the message ("FILE:LINE" or "--set a=b"); relative paths are
 * resolved against `dir`. */
static inc_status apply_value(sc_params *p, int i, const char *val, const char *origin, const char *dir, inc_err *e)
{
    const pinfo *pi = &PARAMS[i];
    char range[96];
    format_range(pi, range, sizeof range);
    switch (pi->type) {
    case T_REAL: {
        double v;
        if (parse_double(val, &v))
            return inc_fail(e, INC_ERR_PARSE, "%s: %s = '%s' is not a number: accepted a real number in %s (%s)",
                            origin, pi->full, val, range, pi->unit);
        if (!isfinite(v) || v < pi->lo || v > pi->hi)
            return inc_fail(e, INC_ERR_RANGE, "%s: %s = %s is out of range: accepted %s (%s)", origin, pi->full, val,
                            range, pi->unit);
        memcpy(FIELD(p, i), &v, sizeof v);
        break;
    }
    case T_INT: {
        int64_t v = 0;
        int rc = parse_int64(val, &v);
        if (rc == -1)
            return inc_fail(e, INC_ERR_PARSE, "%s: %s = '%s' is not an integer: accepted an integer in %s (%s)",
                            origin, pi->full, val, range, pi->unit);
        if (rc == -2 || v < pi->ilo || v > pi->ihi)
            return inc_fail(e, INC_ERR_RANGE, "%s: %s = %s is out of range: accepted %s (%s)", origin, pi->full, val,
                            range, pi->unit);
        memcpy(FIELD(p, i), &v, sizeof v);
        break;
    }
    case T_MONTH:
    case T_SCHED: {
        int v = month_parse(val);
        if (v < 0)
            return inc_fail(e, INC_ERR_PARSE, "%s: %s = '%s' is not a month: accepted YYYY-MM in %s", origin,
                            pi->full, val, range);
        if (v < yyyymm_to_month(pi->ilo) || v > yyyymm_to_month(pi->ihi))
            return inc_fail(e, INC_ERR_RANGE, "%s: %s = %s is out of range: accepted %s (%s)", origin, pi->full, val,
                            range, pi->unit);
        memcpy(FIELD(p, i), &v, sizeof v);
        break;
    }
    case T_NODES:
    case T_SECTORS: {
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
    case T_PATH: {
        char *field = FIELD(p, i);
        size_t cap = sizeof p->data_nodes;
        if (!val[0])
            return inc_fail(e, INC_ERR_PARSE, "%s: %s is empty: accepted a file path", origin, pi->full);
        for (const char *c = val + 1; *c; c++)
            if (*c == ';' && isspace((unsigned char)c[-1])) /* would be read back as a comment */
                return inc_fail(e, INC_ERR_PARSE, "%s: %s = %s: a path may not contain a blank followed by ';'",
                                origin, pi->full, val);
        char *full = path_join(dir, val);
        if (!full) return nomem(e);
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

/* Apply one "section.key=value"; on success *idx is the parameter set. */
static inc_status apply_set(sc_params *p, const char *a, int *idx, inc_err *e)
{
    for (const char *c = a; *c; c++)
        if ((unsigned char)*c < 0x20 && *c != '\t')
            return inc_fail(e, INC_ERR_KEY, "--set: the assignment contains a control character: expected section.key=value");
    const char *eq = strchr(a, '=');
    if (!eq) return inc_fail(e, INC_ERR_KEY, "--set %s: expected section.key=value", a);
    const char *k = a;
    size_t kn = (size_t)(eq - a);
    trim_span(&k, &kn);
    const char *v = eq + 1;
    size_t vn = strlen(v);
    trim_span(&v, &vn);
    char key[128];
    if (kn == 0 || kn >= sizeof key || !memchr(k, '.', kn))
        return inc_fail(e, INC_ERR_KEY, "--set %s: expected section.key=value (e.g. firms.chi=0.5)", a);
    memcpy(key, k, kn);
    key[kn] = '\0';
    int i = find_param_full(key);
    if (i < 0) {
        const char *s = suggest_key(key);
        if (s) return inc_fail(e, INC_ERR_KEY, "--set %s: unknown key (did you mean '%s'?)", a, s);
        return inc_fail(e, INC_ERR_KEY, "--set %s: unknown key (not in params.def)", a);
    }
    char *val = strndup(v, vn);
    char *origin = malloc(strlen(a) + 7);
    char cwd[4096];
    inc_status st;
    if (!val || !origin) {
        st = nomem(e);
    } else if (!getcwd(cwd, sizeof cwd)) {
        st = inc_fail(e, INC_ERR_IO, "--set %s: cannot get the current folder: %s", a, strerror(errno));
    } else {
        sprintf(origin, "--set %s", a);
        st = apply_value(p, i, val, origin, cwd, e);
    }
    free(val);
    free(origin);
    if (st == INC_OK && idx) *idx = i;
    return st;
}

/* Rules that tie several keys together. */
static inc_status check_consistency(const sc_params *p, const char *where, inc_err *e)
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

/* The one place annual rates become monthly (MODEL.md 0). */
static void to_monthly(sc_params *m)
{
    for (int i = 0; i < N_PARAMS; i++) {
        if (PARAMS[i].type != T_REAL || strcmp(PARAMS[i].unit, "share/year")) continue;
        double x;
        memcpy(&x, FIELD(m, i), sizeof x);
        x = expm1(log1p(x) / 12.0);
        memcpy(FIELD(m, i), &x, sizeof x);
    }
}

/* ---- one INI file ------------------------------------------------------- */

typedef struct {
    int param; /* index into PARAMS, KEY_EXTENDS or KEY_DESCRIPTION */
    int line;
    char *value;
} entry;

typedef struct {
    const char *file;        /* path for messages */
    const char *text;        /* contents */
    size_t len, pos;         /* reader position */
    int line;                /* number of the line last handed to inih */
    const char *raw;         /* that line, blanks stripped both ends */
    size_t raw_len;
    int long_line;           /* inih got the key only: take the value from raw */
    entry *ent;
    int n_ent, cap_ent;
    inc_status st;           /* first error, reported in *e */
    inc_err *e;
} ini_file;

static void ini_file_free(ini_file *f)
{
    for (int i = 0; i < f->n_ent; i++) free(f->ent[i].value);
    free(f->ent);
    f->ent = NULL;
    f->n_ent = f->cap_ent = 0;
}

/* inih's reader: hands over one line per call (so inih's line count is ours),
 * see the file comment. Returns NULL at the end or after an error. */
static char *read_ini_line(char *str, int num, void *stream)
{
    ini_file *f = stream;
    if (f->st != INC_OK || f->pos >= f->len || num < 16) return NULL;
    const char *s = f->text + f->pos;
    const char *nl = memchr(s, '\n', f->len - f->pos);
    size_t n = nl ? (size_t)(nl - s) : f->len - f->pos;
    f->pos += n + (nl ? 1 : 0);
    f->line++;
    trim_span(&s, &n);
    f->raw = s;
    f->raw_len = n;
    f->long_line = 0;
    size_t cap = (size_t)num - 3; /* inih wants room for "\r\n\0" */

    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close) {
            f->st = inc_fail(f->e, INC_ERR_PARSE, "%s:%d: malformed section header '%.*s': expected [name]", f->file,
                             f->line, (int)(n > 80 ? 80 : n), s);
            return NULL;
        }
        const char *rest = close + 1;
        size_t rn = n - (size_t)(rest - s);
        trim_span(&rest, &rn);
        if (rn > 0 && rest[0] != ';' && rest[0] != '#') {
            f->st = inc_fail(f->e, INC_ERR_PARSE, "%s:%d: text after the section header: '%.*s'", f->file, f->line,
                             (int)(rn > 80 ? 80 : rn), rest);
            return NULL;
        }
        const char *name = s + 1;
        size_t nn = (size_t)(close - name);
        trim_span(&name, &nn);
        char sec[64];
        if (nn >= sizeof sec) nn = sizeof sec - 1;
        memcpy(sec, name, nn);
        sec[nn] = '\0';
        if (!known_section(sec)) {
            const char *sg = suggest_section(sec);
            if (sg)
                f->st = inc_fail(f->e, INC_ERR_KEY, "%s:%d: unknown section [%s] (did you mean [%s]?)", f->file,
                                 f->line, sec, sg);
            else
                f->st = inc_fail(f->e, INC_ERR_KEY, "%s:%d: unknown section [%s]", f->file, f->line, sec);
            return NULL;
        }
        snprintf(str, (size_t)num, "[%s]", sec);
        return str;
    }
    if (n <= cap) {
        memcpy(str, s, n);
        str[n] = '\0';
        return str;
    }
    if (s[0] == ';' || s[0] == '#') {
        strcpy(str, ";");
        return str;
    }
    size_t k = 0;
    while (k < n && s[k] != '=' && s[k] != ':') k++;
    if (k == n || k + 2 > cap) {
        f->st = inc_fail(f->e, INC_ERR_PARSE, "%s:%d: line of %zu characters with no key = value in its first %zu",
                         f->file, f->line, n, cap);
        return NULL;
    }
    memcpy(str, s, k + 1);
    str[k + 1] = 'x';
    str[k + 2] = '\0';
    f->long_line = 1;
    return str;
}

/* The value of the current raw line as inih would see it: after the first
 * '=' or ':', an inline "<blank>;" comment removed, blanks trimmed. */
static char *raw_value(const ini_file *f)
{
    const char *s = f->raw, *end = f->raw + f->raw_len;
    while (s < end && *s != '=' && *s != ':') s++;
    if (s < end) s++;
    const char *v = s;
    int was_space = 0;
    while (s < end && !(was_space && *s == ';')) {
        was_space = isspace((unsigned char)*s);
        s++;
    }
    size_t n = (size_t)(s - v);
    trim_span(&v, &n);
    return strndup(v, n);
}

/* inih's handler: validate the key and record (key, line, value). */
static int on_ini_value(void *user, const char *section, const char *name, const char *value)
{
    ini_file *f = user;
    if (f->st != INC_OK) return 0;
    int idx;
    int top = !section[0] || !strcmp(section, "scenario");
    if (top && !strcmp(name, "extends")) {
        idx = KEY_EXTENDS;
    } else if (top && !strcmp(name, "description")) {
        idx = KEY_DESCRIPTION;
    } else {
        char full[160];
        if (section[0])
            snprintf(full, sizeof full, "%s.%s", section, name);
        else
            snprintf(full, sizeof full, "%s", name);
        idx = strcmp(section, "scenario") ? find_param(section, name) : -1;
        if (idx < 0) {
            int at = find_param_full(name);
            if (!section[0] && at >= 0) {
                f->st = inc_fail(f->e, INC_ERR_KEY, "%s:%d: key '%s' outside its section: write '%s = ...' under [%s]",
                                 f->file, f->line, name, PARAMS[at].key, PARAMS[at].sec);
                return 0;
            }
            const char *sg = suggest_key(full);
            if (sg)
                f->st = inc_fail(f->e, INC_ERR_KEY, "%s:%d: unknown key '%s' (did you mean '%s'?)", f->file, f->line,
                                 full, sg);
            else
                f->st = inc_fail(f->e, INC_ERR_KEY, "%s:%d: unknown key '%s' (not in params.def)", f->file, f->line,
                                 full);
            return 0;
        }
    }
    for (int i = 0; i < f->n_ent; i++) {
        if (f->ent[i].param == idx) {
            const char *what = idx >= 0 ? PARAMS[idx].full : idx == KEY_EXTENDS ? "extends" : "description";
            f->st = inc_fail(f->e, INC_ERR_PARSE, "%s:%d: %s is set twice in this file (first on line %d)", f->file,
                             f->line, what, f->ent[i].line);
            return 0;
        }
    }
    if (f->n_ent == f->cap_ent) {
        int cap = f->cap_ent ? 2 * f->cap_ent : 64;
        entry *t = realloc(f->ent, (size_t)cap * sizeof *t);
        if (!t) { f->st = nomem(f->e); return 0; }
        f->ent = t;
        f->cap_ent = cap;
    }
    char *v = f->long_line ? raw_value(f) : strdup(value);
    if (!v) { f->st = nomem(f->e); return 0; }
    f->ent[f->n_ent++] = (entry){idx, f->line, v};
    return 1;
}

/* Text of line `line` (1-based) of s, for messages. */
static void line_text(const char *s, int line, const char **out, int *n)
{
    for (int k = 1; k < line && s; k++) {
        s = strchr(s, '\n');
        if (s) s++;
    }
    if (!s) s = "";
    const char *nl = strchr(s, '\n');
    size_t len = nl ? (size_t)(nl - s) : strlen(s);
    trim_span(&s, &len);
    *out = s;
    *n = (int)(len > 80 ? 80 : len);
}

static inc_status parse_ini(ini_file *f)
{
    int rc = ini_parse_stream(read_ini_line, f, on_ini_value, f);
    if (f->st != INC_OK) return f->st;
    if (rc > 0) {
        const char *t;
        int n;
        line_text(f->text, rc, &t, &n);
        return f->st = inc_fail(f->e, INC_ERR_PARSE,
                                "%s:%d: malformed line '%.*s': expected key = value, [section] or a ; comment", f->file,
                                rc, n, t);
    }
    if (rc < 0) return f->st = nomem(f->e);
    return INC_OK;
}

/* ---- the extends chain -------------------------------------------------- */

typedef struct {
    sc_params p;
    char *origin[N_PARAMS ? N_PARAMS : 1]; /* where each key was last set */
    char *description;
    char *chain[SC_MAX_CHAIN];             /* absolute paths, base first */
    int n_chain;
    char *stack_real[SC_MAX_CHAIN];        /* files being loaded, top first */
    char *stack_disp[SC_MAX_CHAIN];
    int depth;
    inc_err *e;
} loader;

static void loader_free(loader *L)
{
    for (int i = 0; i < N_PARAMS; i++) free(L->origin[i]);
    for (int i = 0; i < L->n_chain; i++) free(L->chain[i]);
    for (int i = 0; i < L->depth; i++) { free(L->stack_real[i]); free(L->stack_disp[i]); }
    free(L->description);
    memset(L, 0, sizeof *L);
}

static inc_status load_file(loader *L, const char *disp, const char *from, int from_line);

/* Parse one file already read, load the file it extends, then apply its keys
 * on top. `absdir` is the absolute folder of the file (for PATH values). */
static inc_status load_body(loader *L, const char *disp, const char *text, size_t len, const char *absdir)
{
    inc_err *e = L->e;
    ini_file f = {.file = disp, .text = text, .len = len, .e = e};
    inc_status st = parse_ini(&f);
    for (int i = 0; st == INC_OK && i < f.n_ent; i++) {
        if (f.ent[i].param != KEY_EXTENDS) continue;
        const char *v = f.ent[i].value;
        if (!v[0]) {
            st = inc_fail(e, INC_ERR_PARSE, "%s:%d: extends is empty: accepted a scenario file path", disp,
                          f.ent[i].line);
            break;
        }
        char *ddir = dir_of(disp);
        char *base = ddir ? path_join(ddir, v) : NULL;
        free(ddir);
        st = base ? load_file(L, base, disp, f.ent[i].line) : nomem(e);
        free(base);
    }
    for (int i = 0; st == INC_OK && i < f.n_ent; i++) {
        entry *en = &f.ent[i];
        if (en->param == KEY_EXTENDS) continue;
        if (en->param == KEY_DESCRIPTION) {
            free(L->description);
            L->description = en->value;
            en->value = NULL;
            continue;
        }
        char *origin = malloc(strlen(disp) + 16);
        if (!origin) { st = nomem(e); break; }
        sprintf(origin, "%s:%d", disp, en->line);
        st = apply_value(&L->p, en->param, en->value, origin, absdir, e);
        free(L->origin[en->param]);
        L->origin[en->param] = origin;
    }
    ini_file_free(&f);
    return st;
}

/* Load file `disp` (a path as the user or an extends line wrote it, relative
 * to the cwd), its bases first, and apply its keys. `from`/`from_line` name
 * the extends line that asked for it (NULL for the top file). */
static inc_status load_file(loader *L, const char *disp, const char *from, int from_line)
{
    inc_err *e = L->e;
    char ctx[1200] = "";
    if (from) snprintf(ctx, sizeof ctx, "%s:%d: extends", from, from_line);
    char *text;
    size_t len;
    inc_status st = read_text(disp, from ? ctx : NULL, &text, &len, e);
    if (st) return st;
    char *real = realpath(disp, NULL);
    char *dir = dir_of(disp);
    char *absdir = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    if (!real || !absdir)
        st = inc_fail(e, INC_ERR_IO, "%s%scannot resolve the path '%s': %s", ctx, from ? ": " : "", disp,
                      strerror(errno));
    for (int i = 0; st == INC_OK && i < L->depth; i++) {
        if (strcmp(L->stack_real[i], real)) continue;
        sbuf b = {0};
        for (int k = i; k < L->depth; k++) sb_add(&b, "%s -> ", L->stack_disp[k]);
        sb_add(&b, "%s", disp);
        char *cyc = sb_take(&b);
        st = inc_fail(e, INC_ERR_PARSE, "%s:%d: extends cycle: %s", from, from_line, cyc ? cyc : disp);
        free(cyc);
    }
    if (st == INC_OK && L->depth == SC_MAX_CHAIN)
        st = inc_fail(e, INC_ERR_PARSE, "%s:%d: extends chain longer than %d files", from, from_line, SC_MAX_CHAIN);
    if (st == INC_OK) {
        int d = L->depth++;
        L->stack_real[d] = real;
        L->stack_disp[d] = strdup(disp);
        real = NULL;
        st = L->stack_disp[d] ? load_body(L, disp, text, len, absdir) : nomem(e);
        L->depth--;
        if (st == INC_OK)
            L->chain[L->n_chain++] = L->stack_real[d]; /* distinct files, at most SC_MAX_CHAIN */
        else
            free(L->stack_real[d]);
        free(L->stack_disp[d]);
        L->stack_real[d] = L->stack_disp[d] = NULL;
    }
    free(real);
    free(absdir);
    free(text);
    return st;
}

/* ---- CSV tables --------------------------------------------------------- */

typedef struct {
    const char *file;
    char *text;           /* contents, owned */
    size_t len, pos;
    int line;             /* number of the current line */
    char *buf;            /* the current line, split in place */
    char *f[CSV_MAX_FIELDS];
    int nf;
    int n_header, header_line;
    const char *const *names; /* required columns */
    int ncol;
    int col[CSV_MAX_FIELDS];  /* header position of each required column */
} csv_reader;

static void csv_close(csv_reader *r)
{
    free(r->text);
    free(r->buf);
    r->text = r->buf = NULL;
}

/* Split a line in place into fields: comma separated, blanks around fields
 * dropped, "double quoted" fields with "" for a quote. Returns the count,
 * -1 for an unterminated quote, -2 for text after a closing quote, -3 for
 * too many fields. */
static int csv_split(char *s, char **f, int max)
{
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t') s++;
        if (n == max) return -3;
        char *out = s;
        f[n++] = s;
        if (*s == '"') {
            char *in = s + 1;
            for (;;) {
                if (!*in) return -1;
                if (*in == '"') {
                    if (in[1] == '"') { *out++ = '"'; in += 2; continue; }
                    in++;
                    break;
                }
                *out++ = *in++;
            }
            while (*in == ' ' || *in == '\t') in++;
            if (*in && *in != ',') return -2;
            int more = *in == ',';
            *out = '\0';
            if (!more) return n;
            s = in + 1;
        } else {
            char *c = strchr(s, ',');
            char *end = c ? c : s + strlen(s);
            while (end > s && (end[-1] == ' ' || end[-1] == '\t')) end--;
            int more = c != NULL;
            *end = '\0';
            if (!more) return n;
            s = c + 1;
        }
    }
}

/* Next data line into r->f; skips blank and '#' lines. 1 = a row, 0 = end,
 * otherwise an error status was recorded (returns -1). */
static int csv_next_line(csv_reader *r, inc_err *e)
{
    while (r->pos < r->len) {
        const char *s = r->text + r->pos;
        const char *nl = memchr(s, '\n', r->len - r->pos);
        size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
        r->pos += n + (nl ? 1 : 0);
        r->line++;
        const char *t = s;
        size_t tn = n;
        trim_span(&t, &tn);
        if (tn == 0 || t[0] == '#') continue;
        memcpy(r->buf, t, tn);
        r->buf[tn] = '\0';
        int nf = csv_split(r->buf, r->f, CSV_MAX_FIELDS);
        if (nf < 0) {
            const char *why = nf == -1 ? "unterminated double quote" : nf == -2 ? "text after a closing quote"
                                                                                 : "too many fields";
            inc_fail(e, INC_ERR_PARSE, "%s:%d: %s", r->file, r->line, why);
            return -1;
        }
        r->nf = nf;
        return 1;
    }
    return 0;
}

/* Open a CSV file and map its header to the required columns (any order,
 * extra columns ignored). `ctx` prefixes I/O errors (who named the file). */
static inc_status csv_open(csv_reader *r, const char *path, const char *ctx, const char *const *names, int ncol,
                           inc_err *e)
{
    memset(r, 0, sizeof *r);
    r->file = path;
    r->names = names;
    r->ncol = ncol;
    inc_status st = read_text(path, ctx, &r->text, &r->len, e);
    if (st) return st;
    r->buf = malloc(r->len + 1);
    if (!r->buf) return nomem(e);
    int got = csv_next_line(r, e);
    if (got < 0) return e ? e->code : INC_ERR_PARSE;
    sbuf need = {0};
    for (int k = 0; k < ncol; k++) sb_add(&need, "%s%s", k ? "," : "", names[k]);
    char *needs = sb_take(&need);
    if (!needs) return nomem(e);
    if (got == 0) {
        st = inc_fail(e, INC_ERR_PARSE, "%s: no header line: expected the columns %s", path, needs);
        free(needs);
        return st;
    }
    r->n_header = r->nf;
    r->header_line = r->line;
    for (int k = 0; k < ncol; k++) {
        r->col[k] = -1;
        for (int j = 0; j < r->nf; j++) {
            if (strcasecmp(r->f[j], names[k])) continue;
            if (r->col[k] >= 0) {
                st = inc_fail(e, INC_ERR_PARSE, "%s:%d:%d: column '%s' appears twice in the header", path, r->line,
                              j + 1, names[k]);
                free(needs);
                return st;
            }
            r->col[k] = j;
        }
        if (r->col[k] < 0) {
            st = inc_fail(e, INC_ERR_PARSE, "%s:%d: missing column '%s': the header must have the columns %s%s", path,
                          r->line, names[k], needs,
                          strcmp(names[k], "source") ? "" : " (every row needs a source for its numbers)");
            free(needs);
            return st;
        }
    }
    free(needs);
    return INC_OK;
}

/* Next data row: 1 = a row, 0 = end, -1 = error (recorded in e). */
static int csv_row(csv_reader *r, inc_err *e)
{
    int got = csv_next_line(r, e);
    if (got <= 0) return got;
    if (r->nf != r->n_header) {
        inc_fail(e, INC_ERR_PARSE, "%s:%d: %d fields, but the header on line %d has %d", r->file, r->line, r->nf,
                 r->header_line, r->n_header);
        return -1;
    }
    return 1;
}

static const char *csv_get(const csv_reader *r, int k) { return r->f[r->col[k]]; }

/* A number in column k within [lo, hi] (bounds excluded when lo_open /
 * hi_open); `accepted` describes the range for the message. */
static inc_status csv_real(const csv_reader *r, int k, double lo, double hi, int lo_open, int hi_open,
                           const char *accepted, double *out, inc_err *e)
{
    const char *s = csv_get(r, k);
    double v;
    if (parse_double(s, &v))
        return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: %s = '%s' is not a number: accepted %s", r->file, r->line,
                        r->col[k] + 1, r->names[k], s, accepted);
    if (!isfinite(v) || v < lo || v > hi || (lo_open && v == lo) || (hi_open && v == hi))
        return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: %s = %s is out of range: accepted %s", r->file, r->line,
                        r->col[k] + 1, r->names[k], s, accepted);
    *out = v;
    return INC_OK;
}

static inc_status csv_int(const csv_reader *r, int k, int lo, int hi, const char *accepted, int *out, inc_err *e)
{
    const char *s = csv_get(r, k);
    int64_t v;
    if (parse_int64(s, &v) || v < lo || v > hi)
        return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: %s = '%s' is not accepted: expected %s", r->file, r->line,
                        r->col[k] + 1, r->names[k], s, accepted);
    *out = (int)v;
    return INC_OK;
}

/* One of a fixed list of words (case-insensitive): *out is its index. */
static inc_status csv_word(const csv_reader *r, int k, const char *const *words, int nw, const char *accepted, int *out,
                           inc_err *e)
{
    const char *s = csv_get(r, k);
    for (int i = 0; i < nw; i++)
        if (!strcasecmp(s, words[i])) { *out = i; return INC_OK; }
    return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: %s = '%s' is not accepted: expected %s", r->file, r->line,
                    r->col[k] + 1, r->names[k], s, accepted);
}

/* The name column: non-empty, short enough, unique among `prev` names. */
static inc_status csv_name(const csv_reader *r, int k, char *dst, const char *prev, size_t stride, int nprev,
                           inc_err *e)
{
    const char *s = csv_get(r, k);
    size_t n = strlen(s);
    if (n == 0 || n >= SC_NAME_LEN)
        return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: name '%s': accepted 1 to %d characters", r->file, r->line,
                        r->col[k] + 1, s, SC_NAME_LEN - 1);
    for (int i = 0; i < nprev; i++)
        if (!strcmp(prev + (size_t)i * stride, s))
            return inc_fail(e, INC_ERR_RANGE, "%s:%d:%d: name '%s' is used twice: names must be unique", r->file,
                            r->line, r->col[k] + 1, s);
    memcpy(dst, s, n + 1);
    return INC_OK;
}

static inc_status csv_source(const csv_reader *r, int k, inc_err *e)
{
    if (!csv_get(r, k)[0])
        return inc_fail(e, INC_ERR_PARSE, "%s:%d:%d: empty source: every row must say where its numbers come from",
                        r->file, r->line, r->col[k] + 1);
    return INC_OK;
}

enum {
    NC_NAME, NC_KIND, NC_REGION, NC_COASTAL, NC_LAT, NC_LON, NC_POPULATION, NC_GDP, NC_MIN_WAGE, NC_AMENITY,
    NC_LAND_PRICE, NC_LAND_ELASTICITY, NC_MIGRANT_SHARE, NC_SOURCE, NC_COUNT
};
static const char *const NODE_COLS[NC_COUNT] = {
    "name", "kind", "region", "coastal", "lat", "lon", "population", "gdp_per_capita", "min_wage", "amenity",
    "land_price", "land_elasticity", "migrant_share", "source"};

enum {
    SC_NAME, SC_ALPHA, SC_MIN_TIER, SC_RD_SHARE, SC_LAMBDA, SC_EXPOSURE, SC_EXPORT, SC_CONSUMER, SC_INVESTMENT,
    SC_PROCUREMENT, SC_EMPLOYMENT, SC_TRADABLE, SC_HARD_TECH, SC_AGRICULTURE, SC_SOURCE, SC_COUNT
};
static const char *const SECTOR_COLS[SC_COUNT] = {
    "name", "alpha", "min_tier", "rd_share", "lambda", "exposure", "export_share", "consumer_share",
    "investment_share", "procurement_share", "employment_share", "tradable", "hard_tech", "agriculture", "source"};

static inc_status parse_node(const csv_reader *r, sc_node *nd, const sc_node *prev, int nprev, inc_err *e)
{
    static const char *const kinds[] = {"city", "rest", "rural"};
    static const char *const regions[] = {"East", "Central", "West", "Northeast"};
    inc_status st;
    memset(nd, 0, sizeof *nd);
    if ((st = csv_name(r, NC_NAME, nd->name, prev ? prev->name : NULL, sizeof *nd, nprev, e))) return st;
    if ((st = csv_word(r, NC_KIND, kinds, 3, "city, rest or rural", &nd->kind, e))) return st;
    if ((st = csv_word(r, NC_REGION, regions, 4, "East, Central, West or Northeast", &nd->region, e))) return st;
    if ((st = csv_int(r, NC_COASTAL, 0, 1, "0 or 1", &nd->coastal, e))) return st;
    if ((st = csv_real(r, NC_LAT, -90, 90, 0, 0, "[-90, 90] (degrees)", &nd->lat, e))) return st;
    if ((st = csv_real(r, NC_LON, -180, 180, 0, 0, "[-180, 180] (degrees)", &nd->lon, e))) return st;
    if ((st = csv_real(r, NC_POPULATION, 0, INFINITY, 1, 0, "a number > 0 (persons)", &nd->population, e))) return st;
    if ((st = csv_real(r, NC_GDP, 0, INFINITY, 1, 0, "a number > 0 (yuan/year)", &nd->gdp_per_capita, e))) return st;
    if ((st = csv_real(r, NC_MIN_WAGE, 0, INFINITY, 1, 0, "a number > 0 (yuan/month)", &nd->min_wage, e))) return st;
    if ((st = csv_real(r, NC_AMENITY, -INFINITY, INFINITY, 0, 0, "a finite number (utility units)", &nd->amenity, e)))
        return st;
    if ((st = csv_real(r, NC_LAND_PRICE, 0, INFINITY, 1, 0, "a number > 0 (index, 1 = national reference)",
                       &nd->land_price, e)))
        return st;
    if ((st = csv_real(r, NC_LAND_ELASTICITY, 0, INFINITY, 1, 0, "a number > 0 (-)", &nd->land_elasticity, e)))
        return st;
    if ((st = csv_real(r, NC_MIGRANT_SHARE, 0, 1, 0, 0, "[0, 1] (share)", &nd->migrant_share, e))) return st;
    return csv_source(r, NC_SOURCE, e);
}

static inc_status parse_sector(const csv_reader *r, sc_sector *s, const sc_sector *prev, int nprev, inc_err *e)
{
    inc_status st;
    memset(s, 0, sizeof *s);
    if ((st = csv_name(r, SC_NAME, s->name, prev ? prev->name : NULL, sizeof *s, nprev, e))) return st;
    if ((st = csv_real(r, SC_ALPHA, 0, 1, 1, 1, "(0, 1) (capital share)", &s->alpha, e))) return st;
    if ((st = csv_int(r, SC_MIN_TIER, 0, SC_TIERS - 1, "an integer 0..3 (education tier)", &s->min_tier, e))) return st;
    if ((st = csv_real(r, SC_RD_SHARE, 0, 1, 0, 0, "[0, 1] (share of revenue)", &s->rd_share, e))) return st;
    if ((st = csv_real(r, SC_LAMBDA, 0, 1, 0, 0, "[0, 1] (1/month)", &s->lambda, e))) return st;
    if ((st = csv_real(r, SC_EXPOSURE, 0, 1, 0, 0, "[0, 1] (share)", &s->exposure, e))) return st;
    if ((st = csv_real(r, SC_EXPORT, 0, 1, 0, 0, "[0, 1] (share)", &s->export_share, e))) return st;
    if ((st = csv_real(r, SC_CONSUMER, 0, 1, 0, 0, "[0, 1] (share)", &s->consumer_share, e))) return st;
    if ((st = csv_real(r, SC_INVESTMENT, 0, 1, 0, 0, "[0, 1] (share)", &s->investment_share, e))) return st;
    if ((st = csv_real(r, SC_PROCUREMENT, 0, 1, 0, 0, "[0, 1] (share)", &s->procurement_share, e))) return st;
    if ((st = csv_real(r, SC_EMPLOYMENT, 0, 1, 0, 0, "[0, 1] (share)", &s->employment_share, e))) return st;
    if ((st = csv_int(r, SC_TRADABLE, 0, 1, "0 or 1", &s->tradable, e))) return st;
    if ((st = csv_int(r, SC_HARD_TECH, 0, 1, "0 or 1", &s->hard_tech, e))) return st;
    if ((st = csv_int(r, SC_AGRICULTURE, 0, 1, "0 or 1", &s->agriculture, e))) return st;
    return csv_source(r, SC_SOURCE, e);
}

/* The CSV tables of a scenario and their verbatim text. */
typedef struct {
    sc_node *nodes;
    int n_nodes;
    sc_sector *sectors;
    int n_sectors;
    char *nodes_text, *sectors_text;
} tables;

static void tables_free(tables *t)
{
    free(t->nodes);
    free(t->sectors);
    free(t->nodes_text);
    free(t->sectors_text);
    memset(t, 0, sizeof *t);
}

static inc_status load_nodes(tables *t, const char *path, const char *ctx, inc_err *e)
{
    csv_reader r;
    inc_status st = csv_open(&r, path, ctx, NODE_COLS, NC_COUNT, e);
    if (st == INC_OK) {
        t->nodes = calloc(SC_MAX_NODES, sizeof *t->nodes);
        if (!t->nodes) st = nomem(e);
    }
    int got;
    while (st == INC_OK && (got = csv_row(&r, e)) != 0) {
        if (got < 0) { st = e ? e->code : INC_ERR_PARSE; break; }
        if (t->n_nodes == SC_MAX_NODES) {
            st = inc_fail(e, INC_ERR_RANGE, "%s:%d: more than %d nodes (SC_MAX_NODES)", path, r.line, SC_MAX_NODES);
            break;
        }
        st = parse_node(&r, &t->nodes[t->n_nodes], t->nodes, t->n_nodes, e);
        if (st == INC_OK) t->n_nodes++;
    }
    if (st == INC_OK && t->n_nodes == 0)
        st = inc_fail(e, INC_ERR_PARSE, "%s: no node rows: accepted 1 to %d", path, SC_MAX_NODES);
    t->nodes_text = r.text; /* kept for the resolved text; tables_free frees it */
    r.text = NULL;
    csv_close(&r);
    return st;
}

static inc_status load_sectors(tables *t, const char *path, const char *ctx, inc_err *e)
{
    csv_reader r;
    inc_status st = csv_open(&r, path, ctx, SECTOR_COLS, SC_COUNT, e);
    if (st == INC_OK) {
        t->sectors = calloc(SC_MAX_SECTORS, sizeof *t->sectors);
        if (!t->sectors) st = nomem(e);
    }
    int got;
    while (st == INC_OK && (got = csv_row(&r, e)) != 0) {
        if (got < 0) { st = e ? e->code : INC_ERR_PARSE; break; }
        if (t->n_sectors == SC_MAX_SECTORS) {
            st = inc_fail(e, INC_ERR_RANGE, "%s:%d: more than %d sectors (SC_MAX_SECTORS)", path, r.line,
                          SC_MAX_SECTORS);
            break;
        }
        st = parse_sector(&r, &t->sectors[t->n_sectors], t->sectors, t->n_sectors, e);
        if (st == INC_OK) t->n_sectors++;
    }
    t->sectors_text = r.text; /* kept for the resolved text; tables_free frees it */
    r.text = NULL;
    csv_close(&r);
    if (st) return st;
    if (t->n_sectors == 0) return inc_fail(e, INC_ERR_PARSE, "%s: no sector rows: accepted 1 to %d", path, SC_MAX_SECTORS);
    static const size_t share_off[] = {
        offsetof(sc_sector, consumer_share), offsetof(sc_sector, investment_share),
        offsetof(sc_sector, procurement_share), offsetof(sc_sector, employment_share),
        offsetof(sc_sector, export_share)};
    static const int share_col[] = {SC_CONSUMER, SC_INVESTMENT, SC_PROCUREMENT, SC_EMPLOYMENT, SC_EXPORT};
    for (int k = 0; k < 5; k++) {
        double sum = 0;
        for (int i = 0; i < t->n_sectors; i++) {
            double v;
            memcpy(&v, (const char *)&t->sectors[i] + share_off[k], sizeof v);
            sum += v;
        }
        if (fabs(sum - 1) > SHARE_TOL)
            return inc_fail(e, INC_ERR_RANGE, "%s: column '%s' sums to %.10g over %d sectors: accepted a sum of 1 (within %g)",
                            path, SECTOR_COLS[share_col[k]], sum, t->n_sectors, SHARE_TOL);
    }
    int local = 0;
    for (int i = 0; i < t->n_sectors; i++) {
        local += !t->sectors[i].tradable;
        /* The investment basket clears nationally (its price, goods.c
         * goods_invest_price, and the households' housing pot). */
        if (!t->sectors[i].tradable && t->sectors[i].investment_share > 0)
            return inc_fail(e, INC_ERR_RANGE,
                            "%s: sector '%s' has tradable = 0 and investment_share %g: accepted investment_share 0 for local sectors (the investment basket is tradable goods)",
                            path, t->sectors[i].name, t->sectors[i].investment_share);
    }
    if (!local)
        return inc_fail(e, INC_ERR_RANGE,
                        "%s: every sector is tradable: accepted at least one with tradable = 0 (local services)", path);
    return INC_OK;
}

/* Load both tables named by p; `*_ctx` say where the paths were set. */
static inc_status tables_load(tables *t, const sc_params *p, const char *nodes_ctx, const char *sectors_ctx, inc_err *e)
{
    memset(t, 0, sizeof *t);
    inc_status st = load_nodes(t, p->data_nodes, nodes_ctx, e);
    if (st == INC_OK) st = load_sectors(t, p->data_sectors, sectors_ctx, e);
    if (st) tables_free(t);
    return st;
}

/* ---- the resolved text -------------------------------------------------- */

#define DATA_MARK "; ==== data.nodes: "

/* A REAL as the shortest of %.15g / %.17g that reads back exactly. */
static void format_real(double v, char *buf, size_t n)
{
    snprintf(buf, n, "%.15g", v);
    if (strtod(buf, NULL) != v) snprintf(buf, n, "%.17g", v);
}

static void add_commented(sbuf *b, const char *text)
{
    const char *s = text;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        size_t m = n;
        if (m > 0 && s[m - 1] == '\r') m--;
        if (m) {
            sb_addn(b, "; ", 2);
            sb_addn(b, s, m);
            sb_addn(b, "\n", 1);
        } else {
            sb_addn(b, ";\n", 2);
        }
        s += n + (nl ? 1 : 0);
    }
}

static char *data_block(const sc_params *p, const tables *t)
{
    sbuf b = {0};
    sb_add(&b, "%s%s ====\n", DATA_MARK, p->data_nodes);
    add_commented(&b, t->nodes_text);
    sb_add(&b, "; ==== data.sectors: %s ====\n", p->data_sectors);
    add_commented(&b, t->sectors_text);
    sb_add(&b, "; ==== end of data ====\n");
    return sb_take(&b);
}

/* head (comments and description, ending in a newline), then every key, then
 * the data block. */
static char *build_resolved(const char *head, const sc_params *p, const char *data)
{
    sbuf b = {0};
    sb_add(&b, "%s", head);
    for (int i = 0; i < N_PARAMS; i++) {
        if (i == 0 || strcmp(PARAMS[i].sec, PARAMS[i - 1].sec)) sb_add(&b, "\n[%s]\n", PARAMS[i].sec);
        char v[64];
        const char *f = CFIELD(p, i);
        switch (PARAMS[i].type) {
        case T_REAL: {
            double x;
            memcpy(&x, f, sizeof x);
            format_real(x, v, sizeof v);
            sb_add(&b, "%s = %s\n", PARAMS[i].key, v);
            break;
        }
        case T_INT: {
            int64_t x;
            memcpy(&x, f, sizeof x);
            sb_add(&b, "%s = %" PRId64 "\n", PARAMS[i].key, x);
            break;
        }
        case T_MONTH:
        case T_SCHED: {
            int x;
            memcpy(&x, f, sizeof x);
            month_format(x, v, sizeof v);
            sb_add(&b, "%s = %s\n", PARAMS[i].key, v);
            break;
        }
        case T_PATH:
        case T_NODES:
        case T_SECTORS: sb_add(&b, "%s = %s\n", PARAMS[i].key, f); break;
        }
    }
    sb_add(&b, "\n%s", data);
    return sb_take(&b);
}

static char *build_head(const char *name, const loader *L, const char *const *sets, int n_sets)
{
    sbuf b = {0};
    sb_add(&b, "; scenario '%s', fully resolved: every key of params.def, then the node and\n", name);
    sb_add(&b, "; sector CSV files verbatim. Loading this text gives the same parameters.\n");
    if (L->description) sb_add(&b, "description = %s\n", L->description);
    sb_add(&b, "; files, base first:\n");
    for (int i = 0; i < L->n_chain; i++) sb_add(&b, ";   %s\n", L->chain[i]);
    for (int i = 0; i < n_sets; i++) sb_add(&b, "; --set %s\n", sets[i]);
    return sb_take(&b);
}

/* ---- public interface --------------------------------------------------- */

void scenario_free(scenario *sc)
{
    if (!sc) return;
    free(sc->nodes);
    free(sc->sectors);
    free(sc->name);
    free(sc->path);
    free(sc->resolved);
    memset(sc, 0, sizeof *sc);
}

static char *scenario_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && !strcmp(base + n - 4, ".ini")) n -= 4;
    return strndup(base, n);
}

/* ---- lists of names and policy dates ------------------------------------ */

/* Call fn(name, len, ctx) for each comma-separated name of list, blanks
 * trimmed; "none" or an empty list has no names. Returns the first non-zero
 * value fn returns, else 0. */
static int for_each_name(const char *list, int (*fn)(const char *, size_t, void *), void *ctx)
{
    const char *c = list;
    while (isspace((unsigned char)*c)) c++;
    if (!*c || !strcmp(c, "none")) return 0;
    while (*c) {
        const char *a = c;
        while (*c && *c != ',') c++;
        const char *b = c;
        while (a < b && isspace((unsigned char)*a)) a++;
        while (b > a && isspace((unsigned char)b[-1])) b--;
        int r = fn(a, (size_t)(b - a), ctx);
        if (r) return r;
        if (*c == ',') c++;
    }
    return 0;
}

typedef struct {
    const char *names;  /* first name field */
    size_t stride;      /* bytes between names */
    int n;
    uint8_t *mask;      /* may be NULL */
    char bad[SC_NAME_LEN + 16];
    int count;
} name_match;

static int match_name(const char *a, size_t len, void *vctx)
{
    name_match *m = vctx;
    for (int k = 0; k < m->n; k++) {
        const char *nm = m->names + (size_t)k * m->stride;
        if (strlen(nm) == len && !strncmp(nm, a, len)) {
            if (m->mask) m->mask[k] = 1;
            m->count++;
            return 0;
        }
    }
    snprintf(m->bad, sizeof m->bad, "%.*s", (int)(len < SC_NAME_LEN ? len : SC_NAME_LEN), a);
    return 1;
}

/* The name of the table closest to bad (for "did you mean"). */
static const char *nearest_name(const char *names, size_t stride, int n, const char *bad)
{
    const char *best = NULL;
    int bestd = 4;
    for (int k = 0; k < n; k++) {
        int d = edit_distance(bad, names + (size_t)k * stride);
        if (d < bestd) { bestd = d; best = names + (size_t)k * stride; }
    }
    return best;
}

/* Whether the policy a SCHED date times is switched on: a date that times
 * nothing may lie outside the run (a short run of a scenario without the
 * policy), a date that times a policy in force must not. */
static int sched_active(const sc_params *p, const char *key)
{
    if (!strncmp(key, "sanctions.", 10)) return p->sanctions_level > 0 || p->sanctions_export_cut > 0;
    if (!strcmp(key, "policy.start")) {
        int lists = strcmp(p->incentives_nodes, "none") && p->incentives_nodes[0] &&
                    strcmp(p->incentives_sectors, "none") && p->incentives_sectors[0];
        return lists || p->little_giants_count > 0 || p->skills_training_share > 0;
    }
    return 1;
}

/* Every NODES / SECTORS list names rows of the tables, and every SCHED date
 * of a policy in force lies within the run. origin(i) says where key i was set. */
static inc_status check_lists(const sc_params *p, const tables *t, const char *const *origin, const char *where,
                              inc_err *e)
{
    int last = p->run_start + (int)p->run_months - 1;
    for (int i = 0; i < N_PARAMS; i++) {
        const char *from = origin && origin[i] ? origin[i] : where;
        if (PARAMS[i].type == T_SCHED && sched_active(p, PARAMS[i].full)) {
            int v;
            memcpy(&v, CFIELD(p, i), sizeof v);
            if (v < p->run_start || v > last) {
                char a[16], b[16], c[16];
                month_format(v, a, sizeof a);
                month_format(p->run_start, b, sizeof b);
                month_format(last, c, sizeof c);
                return inc_fail(e, INC_ERR_RANGE,
                                "%s: %s = %s is outside the run: accepted a month from %s to %s (run.start and "
                                "run.months)",
                                from, PARAMS[i].full, a, b, c);
            }
        }
        if (PARAMS[i].type != T_NODES && PARAMS[i].type != T_SECTORS) continue;
        int nodes = PARAMS[i].type == T_NODES;
        name_match m = {nodes ? t->nodes[0].name : t->sectors[0].name, nodes ? sizeof(sc_node) : sizeof(sc_sector),
                        nodes ? t->n_nodes : t->n_sectors, NULL, "", 0};
        if (for_each_name(CFIELD(p, i), match_name, &m)) {
            const char *near = nearest_name(m.names, m.stride, m.n, m.bad);
            char hint[SC_NAME_LEN + 32] = "";
            if (near) snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
            return inc_fail(e, INC_ERR_KEY, "%s: %s: '%s' is not a %s of %s%s", from, PARAMS[i].full, m.bad,
                            nodes ? "node" : "sector", nodes ? p->data_nodes : p->data_sectors, hint);
        }
    }
    return INC_OK;
}

int scenario_nodes_mask(const scenario *sc, const char *list, uint8_t *mask)
{
    memset(mask, 0, (size_t)sc->n_nodes);
    if (sc->n_nodes == 0) return 0;
    name_match m = {sc->nodes[0].name, sizeof(sc_node), sc->n_nodes, mask, "", 0};
    return for_each_name(list, match_name, &m) ? -1 : m.count;
}

int scenario_sectors_mask(const scenario *sc, const char *list, uint8_t *mask)
{
    memset(mask, 0, (size_t)sc->n_sectors);
    if (sc->n_sectors == 0) return 0;
    name_match m = {sc->sectors[0].name, sizeof(sc_sector), sc->n_sectors, mask, "", 0};
    return for_each_name(list, match_name, &m) ? -1 : m.count;
}

inc_status scenario_load(scenario *sc, const char *path, const char *const *sets, int n_sets, inc_err *e)
{
    if (!sc) return inc_fail(e, INC_ERR_USAGE, "scenario_load: no scenario given");
    memset(sc, 0, sizeof *sc);
    if (!path || !path[0]) return inc_fail(e, INC_ERR_USAGE, "no scenario file given");
    loader *L = calloc(1, sizeof *L);
    if (!L) return nomem(e);
    L->e = e;
    tables t = {0};
    char *head = NULL, *data = NULL;
    inc_status st = load_file(L, path, NULL, 0);
    for (int i = 0; st == INC_OK && i < n_sets; i++) {
        int idx;
        st = apply_set(&L->p, sets[i], &idx, e);
        if (st == INC_OK) {
            char *o = malloc(strlen(sets[i]) + 7);
            if (!o) { st = nomem(e); break; }
            sprintf(o, "--set %s", sets[i]);
            free(L->origin[idx]);
            L->origin[idx] = o;
        }
    }
    if (st == INC_OK) {
        sbuf miss = {0};
        int n_miss = 0;
        for (int i = 0; i < N_PARAMS; i++) {
            if (L->origin[i]) continue;
            if (n_miss < SC_MISSING_SHOWN) sb_add(&miss, "%s%s", n_miss ? ", " : "", PARAMS[i].full);
            n_miss++;
        }
        if (n_miss) {
            char *list = sb_take(&miss);
            char more[48] = "";
            if (n_miss > SC_MISSING_SHOWN) snprintf(more, sizeof more, " and %d more", n_miss - SC_MISSING_SHOWN);
            const char *root = L->n_chain ? L->chain[0] : path;
            if (L->n_chain > 1)
                st = inc_fail(e, INC_ERR_KEY,
                              "%s: missing key%s %s%s: every key of params.def must be set; define %s in %s (the base "
                              "of the extends chain) or in %s",
                              path, n_miss > 1 ? "s" : "", list ? list : "", more, n_miss > 1 ? "them" : "it", root,
                              path);
            else
                st = inc_fail(e, INC_ERR_KEY, "%s: missing key%s %s%s: every key of params.def must be set; define %s in %s",
                              path, n_miss > 1 ? "s" : "", list ? list : "", more, n_miss > 1 ? "them" : "it", path);
            free(list);
        } else {
            free(miss.s);
        }
    }
    if (st == INC_OK) st = check_consistency(&L->p, path, e);
    if (st == INC_OK) {
        int in = find_param_full("data.nodes"), is = find_param_full("data.sectors");
        char cn[1100], cs[1100];
        snprintf(cn, sizeof cn, "%s: data.nodes", L->origin[in]);
        snprintf(cs, sizeof cs, "%s: data.sectors", L->origin[is]);
        st = tables_load(&t, &L->p, cn, cs, e);
    }
    if (st == INC_OK) st = check_lists(&L->p, &t, (const char *const *)L->origin, path, e);
    if (st == INC_OK) {
        sc->name = scenario_name(path);
        sc->path = strdup(path);
        head = sc->name ? build_head(sc->name, L, sets, n_sets) : NULL;
        data = data_block(&L->p, &t);
        sc->resolved = head && data ? build_resolved(head, &L->p, data) : NULL;
        if (!sc->name || !sc->path || !sc->resolved) st = nomem(e);
    }
    if (st == INC_OK) {
        sc->p = L->p;
        sc->m = L->p;
        to_monthly(&sc->m);
        sc->nodes = t.nodes;
        sc->n_nodes = t.n_nodes;
        sc->sectors = t.sectors;
        sc->n_sectors = t.n_sectors;
        t.nodes = NULL;
        t.sectors = NULL;
    } else {
        scenario_free(sc);
    }
    tables_free(&t);
    free(head);
    free(data);
    loader_free(L);
    free(L);
    return st;
}

inc_status scenario_set(scenario *sc, const char *assignment, inc_err *e)
{
    if (!sc || !sc->resolved) return inc_fail(e, INC_ERR_USAGE, "scenario_set: the scenario is not loaded");
    if (!assignment) return inc_fail(e, INC_ERR_KEY, "--set: no assignment given");
    sc_params *p = malloc(sizeof *p);
    if (!p) return nomem(e);
    *p = sc->p;
    tables t = {0};
    char *head = NULL, *data = NULL, *res = NULL;
    char where[1100];
    snprintf(where, sizeof where, "--set %s", assignment);
    inc_status st = apply_set(p, assignment, NULL, e);
    if (st == INC_OK) st = check_consistency(p, where, e);
    int reload = strcmp(p->data_nodes, sc->p.data_nodes) || strcmp(p->data_sectors, sc->p.data_sectors);
    if (st == INC_OK && reload) {
        char cn[1200], cs[1200];
        snprintf(cn, sizeof cn, "%s: data.nodes", where);
        snprintf(cs, sizeof cs, "%s: data.sectors", where);
        st = tables_load(&t, p, cn, cs, e);
    }
    if (st == INC_OK) {
        tables cur = {sc->nodes, sc->n_nodes, sc->sectors, sc->n_sectors, NULL, NULL};
        st = check_lists(p, reload ? &t : &cur, NULL, where, e);
    }
    if (st == INC_OK) {
        /* The head ends where the first section starts; the data block is
         * kept unless the tables were reloaded. */
        const char *sec = strstr(sc->resolved, "\n[");
        const char *dat = strstr(sc->resolved, "\n" DATA_MARK);
        if (!sec || !dat) {
            st = inc_fail(e, INC_ERR_PARSE, "scenario_set: the resolved text of '%s' is not in the expected form", sc->name);
        } else {
            sbuf h = {0};
            size_t hn = (size_t)(sec - sc->resolved);
            if (hn > 0 && sc->resolved[hn - 1] == '\n') hn--; /* the blank line before [run] */
            sb_addn(&h, sc->resolved, hn + 1);
            sb_add(&h, "; --set %s\n", assignment);
            head = sb_take(&h);
            data = reload ? data_block(p, &t) : strdup(dat + 1);
            res = head && data ? build_resolved(head, p, data) : NULL;
            if (!res) st = nomem(e);
        }
    }
    if (st == INC_OK) {
        sc->p = *p;
        sc->m = *p;
        to_monthly(&sc->m);
        free(sc->resolved);
        sc->resolved = res;
        res = NULL;
        if (reload) {
            free(sc->nodes);
            free(sc->sectors);
            sc->nodes = t.nodes;
            sc->n_nodes = t.n_nodes;
            sc->sectors = t.sectors;
            sc->n_sectors = t.n_sectors;
            t.nodes = NULL;
            t.sectors = NULL;
        }
    }
    tables_free(&t);
    free(head);
    free(data);
    free(res);
    free(p);
    return st;
}

void scenario_print_params(FILE *f)
{
    fprintf(f, "| key | unit | range | description |\n");
    fprintf(f, "|---|---|---|---|\n");
    for (int i = 0; i < N_PARAMS; i++) {
        char range[96];
        format_range(&PARAMS[i], range, sizeof range);
        fprintf(f, "| %s | %s | %s | ", PARAMS[i].full, PARAMS[i].unit, range);
        for (const char *c = PARAMS[i].desc; *c; c++) {
            if (*c == '|') fputc('\\', f);
            fputc(*c, f);
        }
        fprintf(f, " |\n");
    }
}
