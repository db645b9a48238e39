/* tables.c - the node and sector tables (see tables.h). */
#include "tables.h"

#include "csvtab.h"
#include "strutil.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHARE_TOL 1e-6 /* tolerance of shares that must sum to 1 */

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
    if ((st = csv_name(r, NC_NAME, nd->name, sizeof nd->name, prev ? prev->name : NULL, sizeof *nd, nprev, e))) return st;
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
    if ((st = csv_name(r, SC_NAME, s->name, sizeof s->name, prev ? prev->name : NULL, sizeof *s, nprev, e))) return st;
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

void tables_free(sc_tables *t)
{
    free(t->nodes);
    free(t->sectors);
    free(t->nodes_text);
    free(t->sectors_text);
    memset(t, 0, sizeof *t);
}

static inc_status load_nodes(sc_tables *t, const char *path, const char *ctx, inc_err *e)
{
    csv_reader r;
    inc_status st = csv_open(&r, path, ctx, NODE_COLS, NC_COUNT, e);
    if (st == INC_OK) {
        t->nodes = calloc(SC_MAX_NODES, sizeof *t->nodes);
        if (!t->nodes) st = su_nomem(e);
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

static inc_status load_sectors(sc_tables *t, const char *path, const char *ctx, inc_err *e)
{
    csv_reader r;
    inc_status st = csv_open(&r, path, ctx, SECTOR_COLS, SC_COUNT, e);
    if (st == INC_OK) {
        t->sectors = calloc(SC_MAX_SECTORS, sizeof *t->sectors);
        if (!t->sectors) st = su_nomem(e);
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

inc_status tables_load(sc_tables *t, const char *nodes_path, const char *sectors_path, const char *nodes_ctx,
                       const char *sectors_ctx, inc_err *e)
{
    memset(t, 0, sizeof *t);
    inc_status st = load_nodes(t, nodes_path, nodes_ctx, e);
    if (st == INC_OK) st = load_sectors(t, sectors_path, sectors_ctx, e);
    if (st) tables_free(t);
    return st;
}


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

const char *tables_nearest_name(const char *names, size_t stride, int n, const char *bad)
{
    const char *best = NULL;
    int bestd = 4;
    for (int k = 0; k < n; k++) {
        int d = su_edit_distance(bad, names + (size_t)k * stride);
        if (d < bestd) { bestd = d; best = names + (size_t)k * stride; }
    }
    return best;
}

int tables_match_list(const char *names, size_t stride, int n, const char *list, uint8_t *mask, char *bad,
                      size_t badn)
{
    name_match m = {names, stride, n, mask, "", 0};
    if (for_each_name(list, match_name, &m)) {
        if (bad && badn) snprintf(bad, badn, "%s", m.bad);
        return -1;
    }
    return m.count;
}

/* The one apportionment rule: world_init (init.c) gives worker agents and
 * owners to nodes with it, and tables_min_workers inverts it. n <= SC_MAX_NODES
 * (the node table's limit). */
void tables_apportion(int64_t total, const double *weights, int n, int64_t *out)
{
    double sum = 0;
    for (int k = 0; k < n; k++) sum += weights[k];
    int64_t given = 0;
    double rem[SC_MAX_NODES];
    for (int k = 0; k < n; k++) {
        double x = sum > 0 ? (double)total * weights[k] / sum : 0;
        out[k] = (int64_t)floor(x);
        rem[k] = x - (double)out[k];
        given += out[k];
    }
    while (given < total && n > 0) {
        int best = 0;
        for (int k = 1; k < n; k++)
            if (rem[k] > rem[best]) best = k;
        out[best]++;
        rem[best] = -1;
        given++;
    }
}

/* Every node gets at least one agent when W >= hi, hi chosen so that each
 * node's floor(W * share) is already >= 1 (floor of a product monotone in W);
 * below hi the largest remainders may still give the small nodes one each, so
 * the count goes down from hi while the apportionment leaves no node empty. */
int64_t tables_min_workers(const sc_node *nodes, int n, int *smallest)
{
    if (smallest) *smallest = 0;
    if (n <= 0) return 1;
    if (n > SC_MAX_NODES) n = SC_MAX_NODES; /* the node table never holds more */
    double pop[SC_MAX_NODES];
    int64_t per[SC_MAX_NODES];
    double sum = 0;
    int least = 0;
    for (int k = 0; k < n; k++) {
        pop[k] = nodes[k].population;
        sum += pop[k];
        if (pop[k] < pop[least]) least = k;
    }
    if (smallest) *smallest = least;
    int64_t hi = (int64_t)ceil(sum / pop[least]) + 1;
    for (;;) { /* rounding: make sure every floor part is >= 1 at hi */
        int ok = 1;
        for (int k = 0; k < n && ok; k++) ok = floor((double)hi * pop[k] / sum) >= 1;
        if (ok) break;
        hi++;
    }
    int64_t w = hi;
    while (w > n) {
        tables_apportion(w - 1, pop, n, per);
        int ok = 1;
        for (int k = 0; k < n && ok; k++) ok = per[k] >= 1;
        if (!ok) break;
        w--;
    }
    return w;
}
