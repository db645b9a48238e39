/* inichain.c - a scenario's chain of INI files (see inichain.h).
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
#include "inichain.h"

#include "strutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

/* Pseudo-indices of the two non-parameter keys of a scenario file. */
enum { KEY_EXTENDS = -1, KEY_DESCRIPTION = -2 };

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
    su_trim_span(&s, &n);
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
        su_trim_span(&rest, &rn);
        if (rn > 0 && rest[0] != ';' && rest[0] != '#') {
            f->st = inc_fail(f->e, INC_ERR_PARSE, "%s:%d: text after the section header: '%.*s'", f->file, f->line,
                             (int)(rn > 80 ? 80 : rn), rest);
            return NULL;
        }
        const char *name = s + 1;
        size_t nn = (size_t)(close - name);
        su_trim_span(&name, &nn);
        char sec[64];
        if (nn >= sizeof sec) nn = sizeof sec - 1;
        memcpy(sec, name, nn);
        sec[nn] = '\0';
        if (!params_known_section(sec)) {
            const char *sg = params_suggest_section(sec);
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
    su_trim_span(&v, &n);
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
        idx = strcmp(section, "scenario") ? params_find(section, name) : -1;
        if (idx < 0) {
            int at = params_find_full(name);
            if (!section[0] && at >= 0) {
                f->st = inc_fail(f->e, INC_ERR_KEY, "%s:%d: key '%s' outside its section: write '%s = ...' under [%s]",
                                 f->file, f->line, name, params_at(at)->key, params_at(at)->sec);
                return 0;
            }
            const char *sg = params_suggest_key(full);
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
            const char *what = idx >= 0 ? params_at(idx)->full : idx == KEY_EXTENDS ? "extends" : "description";
            f->st = inc_fail(f->e, INC_ERR_PARSE, "%s:%d: %s is set twice in this file (first on line %d)", f->file,
                             f->line, what, f->ent[i].line);
            return 0;
        }
    }
    if (f->n_ent == f->cap_ent) {
        int cap = f->cap_ent ? 2 * f->cap_ent : 64;
        entry *t = realloc(f->ent, (size_t)cap * sizeof *t);
        if (!t) { f->st = su_nomem(f->e); return 0; }
        f->ent = t;
        f->cap_ent = cap;
    }
    char *v = f->long_line ? raw_value(f) : strdup(value);
    if (!v) { f->st = su_nomem(f->e); return 0; }
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
    su_trim_span(&s, &len);
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
    if (rc < 0) return f->st = su_nomem(f->e);
    return INC_OK;
}

/* ---- the extends chain -------------------------------------------------- */

void inichain_free(inichain *L)
{
    for (int i = 0; i < PARAMS_COUNT; i++) free(L->origin[i]);
    for (int i = 0; i < L->n_chain; i++) free(L->chain[i]);
    for (int i = 0; i < L->depth; i++) { free(L->stack_real[i]); free(L->stack_disp[i]); }
    free(L->description);
    memset(L, 0, sizeof *L);
}

static inc_status load_file(inichain *L, const char *disp, const char *from, int from_line);

/* Parse one file already read, load the file it extends, then apply its keys
 * on top. `absdir` is the absolute folder of the file (for PATH values). */
static inc_status load_body(inichain *L, const char *disp, const char *text, size_t len, const char *absdir)
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
        char *ddir = su_dir_of(disp);
        char *base = ddir ? su_path_join(ddir, v) : NULL;
        free(ddir);
        st = base ? load_file(L, base, disp, f.ent[i].line) : su_nomem(e);
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
        if (!origin) { st = su_nomem(e); break; }
        sprintf(origin, "%s:%d", disp, en->line);
        st = params_apply_value(&L->p, en->param, en->value, origin, absdir, e);
        free(L->origin[en->param]);
        L->origin[en->param] = origin;
    }
    ini_file_free(&f);
    return st;
}

/* Load file `disp` (a path as the user or an extends line wrote it, relative
 * to the cwd), its bases first, and apply its keys. `from`/`from_line` name
 * the extends line that asked for it (NULL for the top file). */
static inc_status load_file(inichain *L, const char *disp, const char *from, int from_line)
{
    inc_err *e = L->e;
    char ctx[1200] = "";
    if (from) snprintf(ctx, sizeof ctx, "%s:%d: extends", from, from_line);
    char *text;
    size_t len;
    inc_status st = su_read_text(disp, from ? ctx : NULL, &text, &len, e);
    if (st) return st;
    char *real = realpath(disp, NULL);
    char *dir = su_dir_of(disp);
    char *absdir = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    if (!real || !absdir)
        st = inc_fail(e, INC_ERR_IO, "%s%scannot resolve the path '%s': %s", ctx, from ? ": " : "", disp,
                      strerror(errno));
    for (int i = 0; st == INC_OK && i < L->depth; i++) {
        if (strcmp(L->stack_real[i], real)) continue;
        su_buf b = {0};
        for (int k = i; k < L->depth; k++) su_add(&b, "%s -> ", L->stack_disp[k]);
        su_add(&b, "%s", disp);
        char *cyc = su_take(&b);
        st = inc_fail(e, INC_ERR_PARSE, "%s:%d: extends cycle: %s", from, from_line, cyc ? cyc : disp);
        free(cyc);
    }
    if (st == INC_OK && L->depth == INICHAIN_MAX)
        st = inc_fail(e, INC_ERR_PARSE, "%s:%d: extends chain longer than %d files", from, from_line, INICHAIN_MAX);
    if (st == INC_OK) {
        int d = L->depth++;
        L->stack_real[d] = real;
        L->stack_disp[d] = strdup(disp);
        real = NULL;
        st = L->stack_disp[d] ? load_body(L, disp, text, len, absdir) : su_nomem(e);
        L->depth--;
        if (st == INC_OK)
            L->chain[L->n_chain++] = L->stack_real[d]; /* distinct files, at most INICHAIN_MAX */
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


inc_status inichain_load(inichain *L, const char *path) { return load_file(L, path, NULL, 0); }
