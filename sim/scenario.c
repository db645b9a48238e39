/* scenario.c - loading a scenario (see scenario.h): the INI chain
 * (inichain.c), then the --set overrides (params.c), then the node and sector
 * tables (tables.c); the checks that need both parameters and tables (lists of
 * names, policy dates within the run); the monthly copy of the parameters; and
 * the fully resolved text written into every output. Everything a run depends
 * on is checked here, once, with messages that name the file, line, key and the
 * accepted range, so that the kernel can trust its inputs. */
#include "scenario.h"

#include "inichain.h"
#include "strutil.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SC_MISSING_SHOWN 5 /* missing keys named in the message */

/* ---- the resolved text -------------------------------------------------- */

#define DATA_MARK "; ==== data.nodes: "

/* A REAL as the shortest of %.15g / %.17g that reads back exactly. */
static void format_real(double v, char *buf, size_t n)
{
    snprintf(buf, n, "%.15g", v);
    if (strtod(buf, NULL) != v) snprintf(buf, n, "%.17g", v);
}

static void add_commented(su_buf *b, const char *text)
{
    const char *s = text;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        size_t m = n;
        if (m > 0 && s[m - 1] == '\r') m--;
        if (m) {
            su_addn(b, "; ", 2);
            su_addn(b, s, m);
            su_addn(b, "\n", 1);
        } else {
            su_addn(b, ";\n", 2);
        }
        s += n + (nl ? 1 : 0);
    }
}

static char *data_block(const sc_params *p, const sc_tables *t)
{
    su_buf b = {0};
    su_add(&b, "%s%s ====\n", DATA_MARK, p->data_nodes);
    add_commented(&b, t->nodes_text);
    su_add(&b, "; ==== data.sectors: %s ====\n", p->data_sectors);
    add_commented(&b, t->sectors_text);
    su_add(&b, "; ==== end of data ====\n");
    return su_take(&b);
}

/* head (comments and description, ending in a newline), then every key, then
 * the data block. */
static char *build_resolved(const char *head, const sc_params *p, const char *data)
{
    su_buf b = {0};
    su_add(&b, "%s", head);
    for (int i = 0; i < PARAMS_COUNT; i++) {
        if (i == 0 || strcmp(params_at(i)->sec, params_at(i - 1)->sec)) su_add(&b, "\n[%s]\n", params_at(i)->sec);
        char v[64];
        const char *f = params_cfield(p, i);
        switch (params_at(i)->type) {
        case PT_REAL:
        case PT_RATE_Y: {
            double x;
            memcpy(&x, f, sizeof x);
            format_real(x, v, sizeof v);
            su_add(&b, "%s = %s\n", params_at(i)->key, v);
            break;
        }
        case PT_INT: {
            int64_t x;
            memcpy(&x, f, sizeof x);
            su_add(&b, "%s = %" PRId64 "\n", params_at(i)->key, x);
            break;
        }
        case PT_MONTH:
        case PT_SCHED: {
            int x;
            memcpy(&x, f, sizeof x);
            month_format(x, v, sizeof v);
            su_add(&b, "%s = %s\n", params_at(i)->key, v);
            break;
        }
        case PT_PATH:
        case PT_NODES:
        case PT_SECTORS: su_add(&b, "%s = %s\n", params_at(i)->key, f); break;
        }
    }
    su_add(&b, "\n%s", data);
    return su_take(&b);
}

static char *build_head(const char *name, const inichain *L, const char *const *sets, int n_sets)
{
    su_buf b = {0};
    su_add(&b, "; scenario '%s', fully resolved: every key of params.def, then the node and\n", name);
    su_add(&b, "; sector CSV files verbatim. Loading this text gives the same parameters.\n");
    if (L->description) su_add(&b, "description = %s\n", L->description);
    su_add(&b, "; files, base first:\n");
    for (int i = 0; i < L->n_chain; i++) su_add(&b, ";   %s\n", L->chain[i]);
    for (int i = 0; i < n_sets; i++) su_add(&b, "; --set %s\n", sets[i]);
    return su_take(&b);
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
static inc_status check_lists(const sc_params *p, const sc_tables *t, const char *const *origin, const char *where,
                              inc_err *e)
{
    int last = p->run_start + (int)p->run_months - 1;
    for (int i = 0; i < PARAMS_COUNT; i++) {
        const char *from = origin && origin[i] ? origin[i] : where;
        if (params_at(i)->type == PT_SCHED && sched_active(p, params_at(i)->full)) {
            int v;
            memcpy(&v, params_cfield(p, i), sizeof v);
            if (v < p->run_start || v > last) {
                char a[16], b[16], c[16];
                month_format(v, a, sizeof a);
                month_format(p->run_start, b, sizeof b);
                month_format(last, c, sizeof c);
                return inc_fail(e, INC_ERR_RANGE,
                                "%s: %s = %s is outside the run: accepted a month from %s to %s (run.start and "
                                "run.months)",
                                from, params_at(i)->full, a, b, c);
            }
        }
        if (params_at(i)->type != PT_NODES && params_at(i)->type != PT_SECTORS) continue;
        int nodes = params_at(i)->type == PT_NODES;
        const char *names = nodes ? t->nodes[0].name : t->sectors[0].name;
        size_t stride = nodes ? sizeof(sc_node) : sizeof(sc_sector);
        int n = nodes ? t->n_nodes : t->n_sectors;
        char bad[SC_NAME_LEN + 16];
        if (tables_match_list(names, stride, n, params_cfield(p, i), NULL, bad, sizeof bad) < 0) {
            const char *near = tables_nearest_name(names, stride, n, bad);
            char hint[SC_NAME_LEN + 32] = "";
            if (near) snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
            return inc_fail(e, INC_ERR_KEY, "%s: %s: '%s' is not a %s of %s%s", from, params_at(i)->full, bad,
                            nodes ? "node" : "sector", nodes ? p->data_nodes : p->data_sectors, hint);
        }
    }
    return INC_OK;
}

int scenario_nodes_mask(const scenario *sc, const char *list, uint8_t *mask)
{
    memset(mask, 0, (size_t)sc->n_nodes);
    if (sc->n_nodes == 0) return 0;
    return tables_match_list(sc->nodes[0].name, sizeof(sc_node), sc->n_nodes, list, mask, NULL, 0);
}

int scenario_sectors_mask(const scenario *sc, const char *list, uint8_t *mask)
{
    memset(mask, 0, (size_t)sc->n_sectors);
    if (sc->n_sectors == 0) return 0;
    return tables_match_list(sc->sectors[0].name, sizeof(sc_sector), sc->n_sectors, list, mask, NULL, 0);
}

inc_status scenario_load(scenario *sc, const char *path, const char *const *sets, int n_sets, inc_err *e)
{
    if (!sc) return inc_fail(e, INC_ERR_USAGE, "scenario_load: no scenario given");
    memset(sc, 0, sizeof *sc);
    if (!path || !path[0]) return inc_fail(e, INC_ERR_USAGE, "no scenario file given");
    inichain *L = calloc(1, sizeof *L);
    if (!L) return su_nomem(e);
    L->e = e;
    sc_tables t = {0};
    char *head = NULL, *data = NULL;
    inc_status st = inichain_load(L, path);
    for (int i = 0; st == INC_OK && i < n_sets; i++) {
        int idx;
        st = params_apply_set(&L->p, sets[i], &idx, e);
        if (st == INC_OK) {
            char *o = malloc(strlen(sets[i]) + 7);
            if (!o) { st = su_nomem(e); break; }
            sprintf(o, "--set %s", sets[i]);
            free(L->origin[idx]);
            L->origin[idx] = o;
        }
    }
    if (st == INC_OK) {
        su_buf miss = {0};
        int n_miss = 0;
        for (int i = 0; i < PARAMS_COUNT; i++) {
            if (L->origin[i]) continue;
            if (n_miss < SC_MISSING_SHOWN) su_add(&miss, "%s%s", n_miss ? ", " : "", params_at(i)->full);
            n_miss++;
        }
        if (n_miss) {
            char *list = su_take(&miss);
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
    if (st == INC_OK) st = params_check_consistency(&L->p, path, e);
    if (st == INC_OK) {
        int in = PARAM_ID_data_nodes, is = PARAM_ID_data_sectors;
        char cn[1100], cs[1100];
        snprintf(cn, sizeof cn, "%s: data.nodes", L->origin[in]);
        snprintf(cs, sizeof cs, "%s: data.sectors", L->origin[is]);
        st = tables_load(&t, L->p.data_nodes, L->p.data_sectors, cn, cs, e);
    }
    if (st == INC_OK) st = check_lists(&L->p, &t, (const char *const *)L->origin, path, e);
    if (st == INC_OK) {
        sc->name = scenario_name(path);
        sc->path = strdup(path);
        head = sc->name ? build_head(sc->name, L, sets, n_sets) : NULL;
        data = data_block(&L->p, &t);
        sc->resolved = head && data ? build_resolved(head, &L->p, data) : NULL;
        if (!sc->name || !sc->path || !sc->resolved) st = su_nomem(e);
    }
    if (st == INC_OK) {
        sc->p = L->p;
        sc->m = L->p;
        params_to_monthly(&sc->m);
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
    inichain_free(L);
    free(L);
    return st;
}

inc_status scenario_set(scenario *sc, const char *assignment, inc_err *e)
{
    if (!sc || !sc->resolved) return inc_fail(e, INC_ERR_USAGE, "scenario_set: the scenario is not loaded");
    if (!assignment) return inc_fail(e, INC_ERR_KEY, "--set: no assignment given");
    sc_params *p = malloc(sizeof *p);
    if (!p) return su_nomem(e);
    *p = sc->p;
    sc_tables t = {0};
    char *head = NULL, *data = NULL, *res = NULL;
    char where[1100];
    snprintf(where, sizeof where, "--set %s", assignment);
    inc_status st = params_apply_set(p, assignment, NULL, e);
    if (st == INC_OK) st = params_check_consistency(p, where, e);
    int reload = strcmp(p->data_nodes, sc->p.data_nodes) || strcmp(p->data_sectors, sc->p.data_sectors);
    if (st == INC_OK && reload) {
        char cn[1200], cs[1200];
        snprintf(cn, sizeof cn, "%s: data.nodes", where);
        snprintf(cs, sizeof cs, "%s: data.sectors", where);
        st = tables_load(&t, p->data_nodes, p->data_sectors, cn, cs, e);
    }
    if (st == INC_OK) {
        sc_tables cur = {sc->nodes, sc->n_nodes, sc->sectors, sc->n_sectors, NULL, NULL};
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
            su_buf h = {0};
            size_t hn = (size_t)(sec - sc->resolved);
            if (hn > 0 && sc->resolved[hn - 1] == '\n') hn--; /* the blank line before [run] */
            su_addn(&h, sc->resolved, hn + 1);
            su_add(&h, "; --set %s\n", assignment);
            head = su_take(&h);
            data = reload ? data_block(p, &t) : strdup(dat + 1);
            res = head && data ? build_resolved(head, p, data) : NULL;
            if (!res) st = su_nomem(e);
        }
    }
    if (st == INC_OK) {
        sc->p = *p;
        sc->m = *p;
        params_to_monthly(&sc->m);
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

