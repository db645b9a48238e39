/* runmeta.c - the metadata that decides whether files may be pooled or paired
 * (runmeta.h). */
#include "runmeta.h"

#include "runfile.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

/* Read a scalar string dataset (the long scenario text, docs/output.md) into a
 * malloc'ed copy. Returns 0, or -1 on failure. */
static int dataset_text(hid_t file, const char *name, char **out)
{
    *out = NULL;
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t ft = H5Dget_type(d), mt = H5Tcopy(H5T_C_S1);
    int rc = -1;
    if (ft >= 0 && mt >= 0 && H5Tget_class(ft) == H5T_STRING) {
        if (H5Tis_variable_str(ft) > 0) {
            char *p = NULL;
            if (H5Tset_size(mt, H5T_VARIABLE) >= 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) >= 0) {
                *out = strdup(p ? p : "");
                rc = *out ? 0 : -1;
            }
            if (p) H5free_memory(p);
        } else {
            size_t sz = H5Tget_size(ft);
            char *buf = malloc(sz + 1);
            if (buf && H5Tset_size(mt, sz + 1) >= 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
                buf[sz] = '\0';
                *out = buf;
                buf = NULL;
                rc = 0;
            }
            free(buf);
        }
    }
    if (mt >= 0) H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    H5Dclose(d);
    return rc;
}

/* A numeric root attribute read as double. Returns 0 or -1. */
static int root_number(hid_t file, const char *name, double *v)
{
    if (H5Aexists_by_name(file, "/", name, H5P_DEFAULT) <= 0) return -1;
    hid_t a = H5Aopen_by_name(file, "/", name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return -1;
    int rc = H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0 ? 0 : -1;
    H5Aclose(a);
    return rc;
}

/* Value of key `key` in section `section` of INI text ("" when absent). */
static void ini_value(const char *text, const char *section, const char *key, char *val, size_t cap)
{
    char sec[64] = "";
    val[0] = '\0';
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && isspace((unsigned char)*p)) p++, len--;
        if (len && *p == '[') {
            const char *c = memchr(p, ']', len);
            size_t n = c ? (size_t)(c - p - 1) : 0;
            if (n >= sizeof sec) n = sizeof sec - 1;
            memcpy(sec, p + 1, n);
            sec[n] = '\0';
        } else if (len && *p != ';' && *p != '#' && !strcmp(sec, section)) {
            size_t kl = strlen(key);
            if (len > kl && !strncmp(p, key, kl) && (p[kl] == ' ' || p[kl] == '=')) {
                const char *v = memchr(p, '=', len);
                if (v) {
                    v++;
                    size_t vl = len - (size_t)(v - p);
                    while (vl && isspace((unsigned char)*v)) v++, vl--;
                    while (vl && isspace((unsigned char)v[vl - 1])) vl--;
                    if (vl >= cap) vl = cap - 1;
                    memcpy(val, v, vl);
                    val[vl] = '\0';
                }
            }
        }
        p = end ? end + 1 : NULL;
    }
}

an_status runmeta_read(const char *path, runmeta *m, an_err *e)
{
    memset(m, 0, sizeof *m);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return an_fail(e, AN_ERR_INPUT, "%s: cannot open as HDF5", path);
    an_status st = AN_OK;
    double months = 0;
    if (root_number(f, "persons_per_agent", &m->persons_per_agent) != 0 || !(m->persons_per_agent > 0))
        st = an_fail(e, AN_ERR_INPUT, "%s: root attribute persons_per_agent missing or not positive", path);
    else if (root_number(f, "months_planned", &months) != 0)
        st = an_fail(e, AN_ERR_INPUT, "%s: root attribute months_planned missing", path);
    else if (runfile_root_text(f, "start_month", &m->start) != 0)
        st = an_fail(e, AN_ERR_INPUT, "%s: root attribute start_month missing", path);
    else if (runfile_root_text(f, "scenario", &m->scenario_text) != 0)
        st = an_fail(e, AN_ERR_INPUT, "%s: root attribute scenario missing", path);
    if (st == AN_OK && !strncmp(m->scenario_text, "(longer than", 12)) {
        free(m->scenario_text);
        if (dataset_text(f, "/scenario", &m->scenario_text) != 0)
            st = an_fail(e, AN_ERR_INPUT, "%s: dataset /scenario (the resolved scenario) cannot be read", path);
    }
    H5Fclose(f);
    if (st == AN_OK) {
        char v[64];
        ini_value(m->scenario_text, "scale", "labour_force", v, sizeof v);
        m->labour_force = strtod(v, NULL);
        m->months = (int)months;
        m->workers = m->labour_force > 0 ? lround(m->labour_force / m->persons_per_agent) : -1;
    }
    if (st != AN_OK) runmeta_free(m);
    return st;
}

void runmeta_free(runmeta *m)
{
    free(m->start);
    free(m->scenario_text);
    m->start = m->scenario_text = NULL;
}

/* The next line of the scenario text that takes part in the comparison, with
 * its section; *p advances. Skipped: blank lines, comments before the first
 * table ("; ==== data.X: PATH ===="), run.seed (files of one scenario differ
 * in it by design) and the data.* keys (paths; the tables' text that follows
 * is compared instead, with its header line reduced to "; ==== data.X"). */
static int next_line(const char **p, char *sec, size_t sec_cap, int *in_tables, const char **line, size_t *len)
{
    while (*p && **p) {
        const char *s = *p, *end = strchr(s, '\n');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        *p = end ? end + 1 : NULL;
        while (n && isspace((unsigned char)*s)) s++, n--;
        while (n && isspace((unsigned char)s[n - 1])) n--;
        if (!n) continue;
        if (!strncmp(s, "; ==== data.", 12)) {
            *in_tables = 1;
            const char *c = memchr(s, ':', n);
            if (c) n = (size_t)(c - s);
        } else if (*s == ';' || *s == '#') {
            if (!*in_tables) continue;
        } else if (*s == '[') {
            size_t k = n > 2 ? n - 2 : 0;
            if (k >= sec_cap) k = sec_cap - 1;
            memcpy(sec, s + 1, k);
            sec[k] = '\0';
            continue;
        } else if ((!strcmp(sec, "run") && !strncmp(s, "seed", 4) && (s[4] == ' ' || s[4] == '=')) ||
                   !strcmp(sec, "data")) {
            continue;
        }
        *line = s;
        *len = n;
        return 1;
    }
    return 0;
}

/* The next "; --set KEY=VALUE" line of a resolved scenario text at *p (the
 * command-line overrides, docs/output.md), skipping run.seed: returns 1 with
 * the assignment in *line, *len, or 0 at the end. */
static int next_set(const char **p, const char **line, size_t *len)
{
    static const char tag[] = "; --set ";
    while (**p) {
        const char *s = *p, *eol = strchr(s, '\n');
        size_t n = eol ? (size_t)(eol - s) : strlen(s);
        *p = eol ? eol + 1 : s + n;
        if (n <= sizeof tag - 1 || strncmp(s, tag, sizeof tag - 1)) continue;
        s += sizeof tag - 1;
        n -= sizeof tag - 1;
        if (!strncmp(s, "run.seed=", 9)) continue;
        *line = s;
        *len = n;
        return 1;
    }
    return 0;
}

int runmeta_mismatch(const runmeta *a, const runmeta *b, int same_scenario, char *why, size_t cap)
{
    if (a->workers != b->workers || a->persons_per_agent != b->persons_per_agent) {
        snprintf(why, cap, "worker count %ld vs %ld (persons_per_agent %.6g vs %.6g)", a->workers, b->workers,
                 a->persons_per_agent, b->persons_per_agent);
        return 1;
    }
    if (a->months != b->months) {
        snprintf(why, cap, "months %d vs %d", a->months, b->months);
        return 1;
    }
    if (strcmp(a->start, b->start)) {
        snprintf(why, cap, "start month %s vs %s", a->start, b->start);
        return 1;
    }
    /* Across scenarios: the same command-line overrides (a baseline run with
     * --set firms.chi=0.3 is not the counterfactual of a stock incubator run).
     * Within one scenario the whole text is compared below. */
    if (!same_scenario) {
        const char *pa = a->scenario_text, *pb = b->scenario_text;
        for (;;) {
            const char *la = NULL, *lb = NULL;
            size_t na = 0, nb = 0;
            int ha = next_set(&pa, &la, &na), hb = next_set(&pb, &lb, &nb);
            if (!ha && !hb) break;
            if (ha && hb && na == nb && !memcmp(la, lb, na)) continue;
            int wa = na > 120 ? 120 : (int)na, wb = nb > 120 ? 120 : (int)nb;
            snprintf(why, cap, "command-line overrides: '--set %.*s' vs '--set %.*s'", ha ? wa : 6,
                     ha ? la : "(none)", hb ? wb : 6, hb ? lb : "(none)");
            return 1;
        }
        return 0;
    }
    const char *pa = a->scenario_text, *pb = b->scenario_text;
    char sa[64] = "", sb[64] = "";
    int ta = 0, tb = 0;
    for (;;) {
        const char *la = NULL, *lb = NULL;
        size_t na = 0, nb = 0;
        int ha = next_line(&pa, sa, sizeof sa, &ta, &la, &na), hb = next_line(&pb, sb, sizeof sb, &tb, &lb, &nb);
        if (!ha && !hb) return 0;
        if (ha && hb && na == nb && !memcmp(la, lb, na) && !strcmp(sa, sb)) continue;
        int wa = na > 120 ? 120 : (int)na, wb = nb > 120 ? 120 : (int)nb;
        snprintf(why, cap, "scenario text: [%s] '%.*s' vs [%s] '%.*s'", ha ? sa : "", ha ? wa : 3,
                 ha ? la : "end", hb ? sb : "", hb ? wb : 3, hb ? lb : "end");
        return 1;
    }
}
