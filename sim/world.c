/* world.c - allocation and the initial state of the economy (MODEL.md 1-3).
 *
 * The initial state is built from the scenario's node and sector tables so that
 * the first month reproduces the data it was given: workers per node from
 * population shares, hukou and education from the migrant survey shares, firms
 * sized by a Pareto law, wages that give each node its GDP per capita at the
 * sectors' labour shares, and money stocks that close the balance sheet
 * (owners hold the deposits the bank's equity target leaves). */
#include "world.h"
#include "phases.h"
#include "migration.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

/* Fill w->skill_of: h = exp(0.09 * (years - 9)) in SKILL_ONE units, with 6, 9,
 * 12 and 15.5 years of schooling for tiers 0..3 (MODEL.md 3). */
static void init_skills(world *w)
{
    const double years[SC_TIERS] = {6.0, 9.0, 12.0, 15.5};
    for (int e = 0; e < SC_TIERS; e++) w->skill_of[e] = (int64_t)llround(exp(0.09 * (years[e] - 9.0)) * SKILL_ONE);
}

/* calloc of n elements of size sz, recording failure in *ok. */
static void *zalloc(size_t n, size_t sz, int *ok)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p) *ok = 0;
    return p;
}

/* Record one state array for checkpoints (checkpoint.c): its name, where its
 * pointer lives, the element size and count (per_firm: the count is the
 * firms in use, fm.n, at save time). */
static void reg(state_registry *r, const char *name, void *pptr, size_t elem, size_t count, int per_firm, char kind)
{
    if (r->n >= WORLD_MAX_ARRAYS) return; /* world_init checks r->n < WORLD_MAX_ARRAYS */
    state_array *a = &r->a[r->n++];
    a->name = name;
    a->ptr = (void **)pptr;
    a->elem = elem;
    a->count = count;
    a->per_firm = per_firm;
    a->kind = kind;
}

static int workers_alloc(workers_t *wk, size_t n)
{
    int ok = 1;
    wk->n = n;
    wk->node = zalloc(n, sizeof *wk->node, &ok);
    wk->hukou = zalloc(n, sizeof *wk->hukou, &ok);
    wk->tier = zalloc(n, sizeof *wk->tier, &ok);
    wk->flags = zalloc(n, sizeof *wk->flags, &ok);
    wk->months_unemployed = zalloc(n, sizeof *wk->months_unemployed, &ok);
    wk->training_left = zalloc(n, sizeof *wk->training_left, &ok);
    wk->employer = zalloc(n, sizeof *wk->employer, &ok);
    wk->applied = zalloc(n, sizeof *wk->applied, &ok);
    wk->wage = zalloc(n, sizeof *wk->wage, &ok);
    wk->savings = zalloc(n, sizeof *wk->savings, &ok);
    return ok;
}

static void workers_free(workers_t *wk)
{
    free(wk->node); free(wk->hukou); free(wk->tier); free(wk->flags);
    free(wk->months_unemployed); free(wk->training_left); free(wk->employer);
    free(wk->applied); free(wk->wage); free(wk->savings);
    memset(wk, 0, sizeof *wk);
}

double world_bytes_per_worker(const world *w)
{
    (void)w;
    return (double)(sizeof(uint16_t) * 2 + sizeof(uint8_t) * 4 + sizeof(int32_t) * 3 + sizeof(int64_t));
}

#define FIRM_COLUMNS(X)                                                                            \
    X(node) X(sector) X(flags) X(birth) X(q) X(ln_a) X(capital) X(expected) X(expected_k) \
    X(inventory) X(planned) X(output) X(sold) X(offer) X(layoff_p) X(h_eff) X(invest) X(rd_spend) X(inv_change_value) X(employees) X(vacancies)        \
    X(applications) X(hires) X(idle_months) X(loss_months) X(skilled) X(giant_until) X(cit_until) X(grant_left) X(skill) X(deposits) X(loans) X(subsidies) X(wage_bill) X(revenue)    \
    X(profit)

static void workers_register(workers_t *wk, state_registry *r)
{
#define REG_WK(c) reg(r, "workers/" #c, &wk->c, sizeof *wk->c, wk->n, 0, STATE_KIND(*wk->c));
    REG_WK(node) REG_WK(hukou) REG_WK(tier) REG_WK(flags) REG_WK(months_unemployed) REG_WK(training_left)
    REG_WK(employer) REG_WK(applied) REG_WK(wage) REG_WK(savings)
#undef REG_WK
}

static int firms_alloc(firms_t *fm, size_t cap)
{
    int ok = 1;
    fm->cap = cap;
#define ALLOC_COL(c) fm->c = zalloc(cap, sizeof *fm->c, &ok);
    FIRM_COLUMNS(ALLOC_COL)
#undef ALLOC_COL
    fm->free_list = zalloc(cap, sizeof *fm->free_list, &ok);
    return ok;
}

static void firms_free(firms_t *fm)
{
#define FREE_COL(c) free(fm->c);
    FIRM_COLUMNS(FREE_COL)
#undef FREE_COL
    free(fm->free_list);
    memset(fm, 0, sizeof *fm);
}

int32_t world_firm_new(world *w)
{
    firms_t *fm = &w->fm;
    int32_t f;
    if (fm->n_free > 0) f = fm->free_list[--fm->n_free];
    else if (fm->n < fm->cap) f = (int32_t)fm->n++;
    else return -1;
#define ZERO_COL(c) memset(&fm->c[f], 0, sizeof fm->c[f]);
    FIRM_COLUMNS(ZERO_COL)
#undef ZERO_COL
    return f;
}

void world_firm_release(world *w, int32_t f)
{
    w->fm.flags[f] = 0;
    w->fm.free_list[w->fm.n_free++] = f;
}

static int cmp_desc_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x < y) - (x > y);
}

void world_firm_slots_sort(world *w)
{
    qsort(w->fm.free_list, w->fm.n_free, sizeof(int32_t), cmp_desc_i32);
}

static void firms_register(firms_t *fm, state_registry *r)
{
#define REG_COL(c) reg(r, "firms/" #c, &fm->c, sizeof *fm->c, 0, 1, STATE_KIND(*fm->c));
    FIRM_COLUMNS(REG_COL)
#undef REG_COL
    reg(r, "firms/free_list", &fm->free_list, sizeof *fm->free_list, fm->cap, 0, 'i');
}

static int nodes_alloc(nodes_t *nd, state_registry *r, int N, int S)
{
    int ok = 1;
    size_t n = (size_t)N;
    nd->residents = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/residents", &nd->residents, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->employed = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/employed", &nd->employed, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->unemployed = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/unemployed", &nd->unemployed, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->hukou_residents = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/hukou_residents", &nd->hukou_residents, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->employed_tier = zalloc(n * SC_TIERS, sizeof(int64_t), &ok);
    reg(r, "nodes/employed_tier", &nd->employed_tier, sizeof(int64_t), n * SC_TIERS, 0, STATE_KIND((int64_t)0));
    nd->wage_sum = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/wage_sum", &nd->wage_sum, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->migrant_employed = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/migrant_employed", &nd->migrant_employed, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->migrant_wage_sum = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/migrant_wage_sum", &nd->migrant_wage_sum, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->unemployment_rate = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/unemployment_rate", &nd->unemployment_rate, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->mean_offer = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/mean_offer", &nd->mean_offer, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->employment_ref = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/employment_ref", &nd->employment_ref, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->agglomeration = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/agglomeration", &nd->agglomeration, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->min_wage = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/min_wage", &nd->min_wage, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->land_price = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/land_price", &nd->land_price, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->gdp0 = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/gdp0", &nd->gdp0, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->wage0 = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/wage0", &nd->wage0, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->wage_index = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/wage_index", &nd->wage_index, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->services0 = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/services0", &nd->services0, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->spare_capital = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/spare_capital", &nd->spare_capital, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->weighted_residents = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/weighted_residents", &nd->weighted_residents, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->lg_revenue = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/lg_revenue", &nd->lg_revenue, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->lg_spending = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/lg_spending", &nd->lg_spending, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->value_added = zalloc(n * (size_t)S, sizeof(double), &ok);
    reg(r, "nodes/value_added", &nd->value_added, sizeof(double), n * (size_t)S, 0, STATE_KIND((double)0));
    nd->value_added_real = zalloc(n * (size_t)S, sizeof(double), &ok);
    reg(r, "nodes/value_added_real", &nd->value_added_real, sizeof(double), n * (size_t)S, 0, STATE_KIND((double)0));
    nd->unemployed_tier = zalloc(n * SC_TIERS, sizeof(int64_t), &ok);
    reg(r, "nodes/unemployed_tier", &nd->unemployed_tier, sizeof(int64_t), n * SC_TIERS, 0, STATE_KIND((int64_t)0));
    nd->wage_sum_tier = zalloc(n * SC_TIERS, sizeof(int64_t), &ok);
    reg(r, "nodes/wage_sum_tier", &nd->wage_sum_tier, sizeof(int64_t), n * SC_TIERS, 0, STATE_KIND((int64_t)0));
    nd->residents_tier = zalloc(n * SC_TIERS, sizeof(int64_t), &ok);
    reg(r, "nodes/residents_tier", &nd->residents_tier, sizeof(int64_t), n * SC_TIERS, 0, STATE_KIND((int64_t)0));
    nd->skilled_share = zalloc(n, sizeof(double), &ok);
    reg(r, "nodes/skilled_share", &nd->skilled_share, sizeof(double), n, 0, STATE_KIND((double)0));
    nd->mean_ln_a = zalloc(n * (size_t)S, sizeof(double), &ok);
    reg(r, "nodes/mean_ln_a", &nd->mean_ln_a, sizeof(double), n * (size_t)S, 0, STATE_KIND((double)0));
    nd->target = zalloc(n, sizeof(uint8_t), &ok);
    reg(r, "nodes/target", &nd->target, sizeof(uint8_t), n, 0, STATE_KIND((uint8_t)0));
    nd->in_migrants = zalloc(n, sizeof(int32_t), &ok);
    reg(r, "nodes/in_migrants", &nd->in_migrants, sizeof(int32_t), n, 0, STATE_KIND((int32_t)0));
    nd->out_migrants = zalloc(n, sizeof(int32_t), &ok);
    reg(r, "nodes/out_migrants", &nd->out_migrants, sizeof(int32_t), n, 0, STATE_KIND((int32_t)0));
    nd->od = zalloc(n * n, sizeof(int64_t), &ok);
    reg(r, "nodes/od", &nd->od, sizeof(int64_t), n * n, 0, STATE_KIND((int64_t)0));
    nd->trainees = zalloc(n, sizeof(int32_t), &ok);
    reg(r, "nodes/trainees", &nd->trainees, sizeof(int32_t), n, 0, STATE_KIND((int32_t)0));
    nd->subsidies = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/subsidies", &nd->subsidies, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->wannabe_entries = zalloc(n * (size_t)S, sizeof(int32_t), &ok);
    reg(r, "nodes/wannabe_entries", &nd->wannabe_entries, sizeof(int32_t), n * (size_t)S, 0, STATE_KIND((int32_t)0));
    nd->shell_entries = zalloc(n * (size_t)S, sizeof(int32_t), &ok);
    reg(r, "nodes/shell_entries", &nd->shell_entries, sizeof(int32_t), n * (size_t)S, 0, STATE_KIND((int32_t)0));
    nd->entries = zalloc(n * (size_t)S, sizeof(int32_t), &ok);
    reg(r, "nodes/entries", &nd->entries, sizeof(int32_t), n * (size_t)S, 0, STATE_KIND((int32_t)0));
    nd->exits = zalloc(n * (size_t)S, sizeof(int32_t), &ok);
    reg(r, "nodes/exits", &nd->exits, sizeof(int32_t), n * (size_t)S, 0, STATE_KIND((int32_t)0));
    nd->bankruptcies = zalloc(n * (size_t)S, sizeof(int32_t), &ok);
    reg(r, "nodes/bankruptcies", &nd->bankruptcies, sizeof(int32_t), n * (size_t)S, 0, STATE_KIND((int32_t)0));
    nd->enrolments = zalloc(n, sizeof(int32_t), &ok);
    reg(r, "nodes/enrolments", &nd->enrolments, sizeof(int32_t), n, 0, STATE_KIND((int32_t)0));
    nd->upgrades = zalloc(n, sizeof(int32_t), &ok);
    reg(r, "nodes/upgrades", &nd->upgrades, sizeof(int32_t), n, 0, STATE_KIND((int32_t)0));
    nd->entrants_tier = zalloc(n * SC_TIERS, sizeof(int32_t), &ok);
    reg(r, "nodes/entrants_tier", &nd->entrants_tier, sizeof(int32_t), n * SC_TIERS, 0, STATE_KIND((int32_t)0));
    nd->training_spending = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/training_spending", &nd->training_spending, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->residents_prev = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/residents_prev", &nd->residents_prev, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->firm_emp_prev = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/firm_emp_prev", &nd->firm_emp_prev, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->land_sales = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/land_sales", &nd->land_sales, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->land_discounts = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/land_discounts", &nd->land_discounts, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    nd->lg_revenue_prev = zalloc(n, sizeof(int64_t), &ok);
    reg(r, "nodes/lg_revenue_prev", &nd->lg_revenue_prev, sizeof(int64_t), n, 0, STATE_KIND((int64_t)0));
    return ok;
}

static void nodes_free(nodes_t *nd)
{
    free(nd->residents); free(nd->employed); free(nd->unemployed); free(nd->hukou_residents);
    free(nd->employed_tier); free(nd->wage_sum); free(nd->migrant_employed); free(nd->migrant_wage_sum); free(nd->unemployment_rate); free(nd->mean_offer);
    free(nd->employment_ref); free(nd->agglomeration); free(nd->min_wage); free(nd->land_price);
    free(nd->gdp0); free(nd->wage0); free(nd->wage_index); free(nd->services0);
    free(nd->spare_capital); free(nd->weighted_residents);
    free(nd->lg_revenue); free(nd->lg_spending);
    free(nd->value_added); free(nd->value_added_real);
    free(nd->unemployed_tier); free(nd->wage_sum_tier); free(nd->residents_tier); free(nd->skilled_share);
    free(nd->mean_ln_a); free(nd->target); free(nd->in_migrants); free(nd->out_migrants); free(nd->od);
    free(nd->trainees); free(nd->subsidies); free(nd->wannabe_entries); free(nd->shell_entries);
    free(nd->entries); free(nd->exits); free(nd->bankruptcies);
    free(nd->enrolments); free(nd->upgrades); free(nd->entrants_tier); free(nd->training_spending);
    free(nd->residents_prev); free(nd->firm_emp_prev); free(nd->land_sales); free(nd->land_discounts);
    free(nd->lg_revenue_prev);
    memset(nd, 0, sizeof *nd);
}

static int market_alloc(market_t *mk, state_registry *r, int n)
{
    int ok = 1;
    mk->n_markets = n;
    mk->price = zalloc((size_t)n, sizeof(double), &ok);
    reg(r, "market/price", &mk->price, sizeof(double), (size_t)n, 0, STATE_KIND((double)0));
    mk->price0 = zalloc((size_t)n, sizeof(double), &ok);
    reg(r, "market/price0", &mk->price0, sizeof(double), (size_t)n, 0, STATE_KIND((double)0));
    mk->price_prev = zalloc((size_t)n, sizeof(double), &ok);
    reg(r, "market/price_prev", &mk->price_prev, sizeof(double), (size_t)n, 0, STATE_KIND((double)0));
    mk->demand = zalloc((size_t)n, sizeof(int64_t), &ok);
    reg(r, "market/demand", &mk->demand, sizeof(int64_t), (size_t)n, 0, STATE_KIND((int64_t)0));
    mk->supply = zalloc((size_t)n, sizeof(double), &ok);
    reg(r, "market/supply", &mk->supply, sizeof(double), (size_t)n, 0, STATE_KIND((double)0));
    mk->fill = zalloc((size_t)n, sizeof(double), &ok);
    reg(r, "market/fill", &mk->fill, sizeof(double), (size_t)n, 0, STATE_KIND((double)0));
    mk->sell = zalloc((size_t)n, sizeof(double), &ok);
    reg(r, "market/sell", &mk->sell, sizeof(double), (size_t)n, 0, STATE_KIND((double)0));
    mk->receipts = zalloc((size_t)n, sizeof(int64_t), &ok);
    reg(r, "market/receipts", &mk->receipts, sizeof(int64_t), (size_t)n, 0, STATE_KIND((int64_t)0));
    mk->sold_real = zalloc((size_t)n, sizeof(double), &ok);
    reg(r, "market/sold_real", &mk->sold_real, sizeof(double), (size_t)n, 0, STATE_KIND((double)0));
    mk->output = zalloc((size_t)n, sizeof(double), &ok);
    reg(r, "market/output", &mk->output, sizeof(double), (size_t)n, 0, STATE_KIND((double)0));
    mk->wage_pass = zalloc((size_t)n, sizeof(double), &ok); /* scratch: not state */
    return ok;
}

static void market_free(market_t *mk)
{
    free(mk->price); free(mk->price0); free(mk->price_prev); free(mk->demand); free(mk->supply); free(mk->fill);
    free(mk->sell); free(mk->receipts); free(mk->sold_real); free(mk->output);
    free(mk->wage_pass);
    memset(mk, 0, sizeof *mk);
}

void world_free(world *w)
{
    workers_free(&w->wk);
    firms_free(&w->fm);
    nodes_free(&w->nd);
    market_free(&w->mk);
    ledger_free(&w->L);
    migration_free(w);
    free(w->hist);
    stats_wage_bins_free(w->wbins);
    free(w->pick);
    free(w->sl.firms); free(w->sl.cum); free(w->sl.start); free(w->sl.tier_end);
    free(w->sl.firm_bits); free(w->sl.guide); free(w->sl.guide_scale);
    if (w->ts) {
        for (int t = 0; t < w->n_threads; t++) {
            free(w->ts[t].market_sum);
            free(w->ts[t].node_sum);
            free(w->ts[t].ns_real);
            free(w->ts[t].hist);
            free(w->ts[t].tier_sum);
            free(w->ts[t].firm_sum);
            free(w->ts[t].firm_count);
            rng_gsl_free(w->ts[t].gsl);
        }
        free(w->ts);
    }
    memset(w, 0, sizeof *w);
}

/* Split total into parts proportional to weights (largest remainder), so the
 * parts sum exactly to total. out has n entries. */
static void apportion(int64_t total, const double *weights, int n, int64_t *out)
{
    double sum = 0;
    for (int k = 0; k < n; k++) sum += weights[k];
    int64_t given = 0;
    double rem[SC_MAX_NODES];
    for (int k = 0; k < n; k++) {
        double x = sum > 0 ? (double)total * weights[k] / sum : 0;
        out[k] = fen_floor(x);
        rem[k] = x - (double)out[k];
        given += out[k];
    }
    while (given < total) {
        int best = 0;
        for (int k = 1; k < n; k++) if (rem[k] > rem[best]) best = k;
        out[best]++;
        rem[best] = -1;
        given++;
    }
}

/* Draw a tier from four shares with uniform u. */
static int draw_tier(const double sh[4], double u)
{
    double c = 0;
    for (int k = 0; k < 3; k++) { c += sh[k]; if (u < c) return k; }
    return 3;
}

/* Place workers: node, hukou, tier, employment status (MODEL.md 3). */
static void init_workers(world *w, const int64_t *per_node)
{
    const scenario *sc = w->sc;
    const sc_params *p = w->p;
    const int N = w->n_nodes;
    double edu_m[4] = {p->init_edu_migrant_0, p->init_edu_migrant_1, p->init_edu_migrant_2, p->init_edu_migrant_3};
    double edu_l[4] = {p->init_edu_local_0, p->init_edu_local_1, p->init_edu_local_2, p->init_edu_local_3};
    int rural_of_region[REGION_COUNT];
    int n_rural = 0;
    int rural_list[SC_MAX_NODES];
    for (int r = 0; r < REGION_COUNT; r++) rural_of_region[r] = -1;
    for (int n = 0; n < N; n++)
        if (sc->nodes[n].kind == NODE_RURAL) {
            if (rural_of_region[sc->nodes[n].region] < 0) rural_of_region[sc->nodes[n].region] = n;
            rural_list[n_rural++] = n;
        }
    size_t i = 0;
    for (int n = 0; n < N; n++) {
        const sc_node *nd = &sc->nodes[n];
        int rural = nd->kind == NODE_RURAL;
        for (int64_t k = 0; k < per_node[n]; k++, i++) {
            double u[2], v[2];
            rng_u01x2(&w->rk, RNG_INIT_WORKER, i, 0, 0, 0, u);
            rng_u01x2(&w->rk, RNG_INIT_WORKER, i, 0, 0, 1, v);
            w->wk.node[i] = (uint16_t)n;
            int migrant = !rural && n_rural > 0 && u[0] < nd->migrant_share;
            int hk = n;
            if (migrant) {
                int own = rural_of_region[nd->region];
                if (own >= 0 && (v[0] < p->init_migrant_same_region || n_rural == 1)) hk = own;
                else {
                    hk = rural_list[(int)(v[1] * n_rural) % n_rural];
                    if (hk == own) hk = rural_list[((int)(v[1] * n_rural) + 1) % n_rural];
                }
            }
            w->wk.hukou[i] = (uint16_t)hk;
            w->wk.tier[i] = (uint8_t)draw_tier((migrant || rural) ? edu_m : edu_l, u[1]);
            w->wk.employer[i] = -1;
            w->wk.applied[i] = -1;
            /* Rural workers all work on the family farm; urban workers are
             * unemployed at the initial rate. */
            w->wk.flags[i] = (!rural && v[1] < p->init_unemployment) ? 0 : WF_HIRED_NOW;
        }
    }
}

int world_node_hosts(const world *w, int n, int s)
{
    const sc_sector *sec = &w->sc->sectors[s];
    if (w->sc->nodes[n].kind == NODE_RURAL) return sec->agriculture || !sec->tradable;
    return !sec->agriculture;
}

/* Give employed workers (flag WF_HIRED_NOW set by init_workers) to sectors and
 * firms. Sectors with the highest minimum tier are filled first from eligible
 * workers, so the talent constraint of MODEL.md 12 holds from the start. */
static inc_status init_firms(world *w, size_t node_first[], inc_err *e)
{
    const scenario *sc = w->sc;
    const int N = w->n_nodes, S = w->n_sectors;
    const double tail = w->p->init_firm_size_tail;
    const double mean = w->p->init_workers_per_firm;
    const double xm = tail > 1 ? mean * (tail - 1) / tail : mean * 0.2;
    int order[SC_MAX_SECTORS];
    for (int s = 0; s < S; s++) order[s] = s;
    for (int a = 0; a < S; a++)
        for (int b = a + 1; b < S; b++)
            if (sc->sectors[order[b]].min_tier > sc->sectors[order[a]].min_tier) {
                int t = order[a]; order[a] = order[b]; order[b] = t;
            }
    uint8_t *assigned = calloc(w->wk.n ? w->wk.n : 1, 1);
    if (!assigned) return inc_fail(e, INC_ERR_NOMEM, "out of memory placing workers in firms");
    uint64_t firm_draw = 0;
    for (int n = 0; n < N; n++) {
        size_t lo = node_first[n], hi = node_first[n + 1];
        int64_t employed = 0;
        for (size_t i = lo; i < hi; i++) employed += (w->wk.flags[i] & WF_HIRED_NOW) != 0;
        /* Rural nodes put init.rural_farm_share of their workers on the farm
         * and split the rest over the other hosted sectors by employment
         * share; urban nodes split all by employment share (MODEL.md 2). */
        const int rural = sc->nodes[n].kind == NODE_RURAL;
        double share_sum = 0, farm_sum = 0;
        for (int s = 0; s < S; s++) {
            if (!world_node_hosts(w, n, s)) continue;
            if (rural && sc->sectors[s].agriculture) farm_sum += sc->sectors[s].employment_share;
            else share_sum += sc->sectors[s].employment_share;
        }
        if (!rural) farm_sum = 0;
        if (share_sum <= 0 && farm_sum <= 0) { free(assigned); return inc_fail(e, INC_ERR_RANGE, "node %s hosts no sector with a positive employment_share", sc->nodes[n].name); }
        size_t cursor[SC_TIERS] = {lo, lo, lo, lo};
        int last_hosted = -1;
        for (int oi = 0; oi < S; oi++) {
            int s = order[oi];
            if (!world_node_hosts(w, n, s)) continue;
            last_hosted = s;
            double share;
            if (rural && sc->sectors[s].agriculture)
                share = w->p->init_rural_farm_share * sc->sectors[s].employment_share / farm_sum;
            else if (share_sum > 0)
                share = (farm_sum > 0 ? 1.0 - w->p->init_rural_farm_share : 1.0) * sc->sectors[s].employment_share / share_sum;
            else
                share = 0;
            int64_t target = llround((double)employed * share);
            int mt = sc->sectors[s].min_tier;
            int32_t f = -1;
            int64_t room = 0;
            for (size_t i = cursor[mt]; i < hi && target > 0; i++) {
                cursor[mt] = i + 1;
                if (assigned[i] || !(w->wk.flags[i] & WF_HIRED_NOW) || w->wk.tier[i] < mt) continue;
                if (room == 0) {
                    f = world_firm_new(w);
                    if (f < 0) { free(assigned); return inc_fail(e, INC_ERR_NOMEM, "firm capacity exhausted at start"); }
                    double u = rng_u01(&w->rk, RNG_INIT_FIRM, firm_draw++, 0, 0, 0);
                    double size = xm * pow(u, -1.0 / tail);
                    room = (int64_t)ceil(size);
                    if (room < 1) room = 1;
                    w->fm.node[f] = (uint16_t)n;
                    w->fm.sector[f] = (uint8_t)s;
                    w->fm.flags[f] = FF_ALIVE;
                    w->fm.birth[f] = -1;
                }
                assigned[i] = 1;
                w->wk.employer[i] = f;
                room--;
                target--;
            }
        }
        /* Workers left over (rounding, or too few eligible for hard tech) join
         * the hosted sector with the lowest minimum tier. */
        int fallback = last_hosted;
        for (int s = 0; s < S; s++)
            if (world_node_hosts(w, n, s) && sc->sectors[s].min_tier < sc->sectors[fallback].min_tier) fallback = s;
        int32_t f = -1;
        int64_t room = 0;
        for (size_t i = lo; i < hi; i++) {
            if (assigned[i] || !(w->wk.flags[i] & WF_HIRED_NOW)) continue;
            if (room == 0) {
                f = world_firm_new(w);
                if (f < 0) { free(assigned); return inc_fail(e, INC_ERR_NOMEM, "firm capacity exhausted at start"); }
                double u = rng_u01(&w->rk, RNG_INIT_FIRM, firm_draw++, 0, 0, 0);
                room = (int64_t)ceil(xm * pow(u, -1.0 / tail));
                w->fm.node[f] = (uint16_t)n;
                w->fm.sector[f] = (uint8_t)fallback;
                w->fm.flags[f] = FF_ALIVE;
                w->fm.birth[f] = -1;
            }
            assigned[i] = 1;
            w->wk.employer[i] = f;
            room--;
        }
    }
    free(assigned);
    return INC_OK;
}

inc_status world_init(world *w, const scenario *sc, int threads, int64_t workers, inc_err *e)
{
    memset(w, 0, sizeof *w);
    w->sc = sc;
    w->p = &sc->p;
    w->m = &sc->m;
    const sc_params *p = w->p;
    const int N = sc->n_nodes, S = sc->n_sectors;
    w->n_nodes = N;
    w->n_sectors = S;
    w->months = (int)p->run_months;
    w->calendar = p->run_start;
    w->n_threads = threads > 0 ? threads : 1;
    rng_keys_init(&w->rk, (uint64_t)p->run_seed);
    init_skills(w);

    int64_t total_workers = workers > 0 ? workers : llround(p->scale_labour_force / p->scale_persons_per_agent);
    if (total_workers < 1)
        return inc_fail(e, INC_ERR_RANGE, "scale.labour_force / scale.persons_per_agent gives no worker agents");
    w->scale = p->scale_labour_force / (double)total_workers;

    double pop[SC_MAX_NODES] = {0};
    for (int n = 0; n < N; n++) pop[n] = sc->nodes[n].population;
    int64_t per_node[SC_MAX_NODES];
    apportion(total_workers, pop, N, per_node);
    size_t node_first[SC_MAX_NODES + 1];
    node_first[0] = 0;
    for (int n = 0; n < N; n++) node_first[n + 1] = node_first[n] + (size_t)per_node[n];

    int ok = workers_alloc(&w->wk, (size_t)total_workers);
    /* Firm slots: the initial firms plus room for entry. */
    size_t cap = (size_t)(2.5 * (double)total_workers / (p->init_workers_per_firm > 1 ? p->init_workers_per_firm : 1)) + 64 + (size_t)N * (size_t)S * 16;
    ok = ok && firms_alloc(&w->fm, cap);
    ok = ok && nodes_alloc(&w->nd, &w->reg, N, S);
    ok = ok && market_alloc(&w->mk, &w->reg, S + N * S);
    if (ok) {
        workers_register(&w->wk, &w->reg);
        firms_register(&w->fm, &w->reg);
        if (w->reg.n >= WORLD_MAX_ARRAYS) ok = 0; /* raise WORLD_MAX_ARRAYS */
    }
    if (ok) {
        w->sl.firms = zalloc(cap, sizeof(int32_t), &ok);
        w->sl.cum = zalloc(cap, sizeof(double), &ok);
        w->sl.start = zalloc((size_t)N + 1, sizeof(int32_t), &ok);
        w->sl.tier_end = zalloc((size_t)N * SC_TIERS, sizeof(int32_t), &ok);
        w->sl.firm_bits = zalloc(cap, sizeof(uint8_t), &ok);
        w->sl.guide = zalloc(cap + (size_t)N + 1, sizeof(int32_t), &ok);
        w->sl.guide_scale = zalloc((size_t)N, sizeof(double), &ok);
    }
    w->acc.owners = 0;
    w->acc.localgov = N;
    w->acc.central = 2 * N;
    w->acc.row = 2 * N + 1;
    w->acc.clearing = 2 * N + 2;
    w->acc.pot = w->acc.clearing + S + N * S;
    w->acc.housing = w->acc.pot + N;
    w->acc.count = w->acc.housing + 1;
    if (!ok || ledger_alloc(&w->L, w->acc.count, N, cap, w->n_threads, e) != INC_OK) {
        world_free(w);
        return inc_fail(e, INC_ERR_NOMEM, "out of memory building a world of %lld workers", (long long)total_workers);
    }
    w->hist = calloc(2 * 1600, sizeof(int64_t));
    w->wbins = stats_wage_bins_alloc();
    w->pick = calloc(cap, sizeof(firm_score));
    ledger_index_sectors(w);
    w->ts = calloc((size_t)w->n_threads, sizeof *w->ts);
    if (!w->ts || !w->hist || !w->wbins || !w->pick) { world_free(w); return inc_fail(e, INC_ERR_NOMEM, "out of memory (thread scratch)"); }
    for (int t = 0; t < w->n_threads; t++) {
        w->ts[t].market_sum = calloc((size_t)w->mk.n_markets, sizeof(int64_t));
        w->ts[t].node_sum = calloc((size_t)N * 16, sizeof(int64_t));
        w->ts[t].gsl = rng_gsl_alloc();
        w->ts[t].ns_real = calloc((size_t)N * (size_t)S * 2, sizeof(double));
        w->ts[t].hist = calloc(2 * 1600, sizeof(int64_t));
        w->ts[t].tier_sum = calloc((size_t)N * 3 * SC_TIERS, sizeof(int64_t));
        w->ts[t].firm_sum = calloc(cap, sizeof(int64_t));
        w->ts[t].firm_count = calloc(cap, sizeof(int32_t));
        if (!w->ts[t].firm_sum || !w->ts[t].firm_count || !w->ts[t].ns_real || !w->ts[t].hist || !w->ts[t].tier_sum || !w->ts[t].market_sum || !w->ts[t].node_sum || !w->ts[t].gsl) {
            world_free(w);
            return inc_fail(e, INC_ERR_NOMEM, "out of memory (thread scratch)");
        }
    }
    if (migration_alloc(w, e) != INC_OK) { world_free(w); return INC_ERR_NOMEM; }

    init_workers(w, per_node);
    inc_status st = init_firms(w, node_first, e);
    if (st != INC_OK) { world_free(w); return st; }

    /* Prices start at init.price everywhere. */
    for (int k = 0; k < w->mk.n_markets; k++) w->mk.price[k] = w->mk.price0[k] = w->mk.price_prev[k] = p->init_price;
    w->mk.invest_basket_price = p->init_price;
    w->price_level = 1.0;
    w->inflation = p->bank_inflation_target; /* the run starts at the target */
    finance_policy_rates(w);
    w->lev_factor = 1.0;
    w->wage_index = 1.0;

    /* Wages: each node's labour income per skill unit gives the node its GDP per
     * capita at the employment-weighted labour share 1 - alpha (MODEL.md 5). */
    int64_t *skill_node = calloc((size_t)N, sizeof(int64_t));
    double *labour_share = calloc((size_t)N, sizeof(double));
    double *emp_node = calloc((size_t)N, sizeof(double));
    if (!skill_node || !labour_share || !emp_node) {
        free(skill_node); free(labour_share); free(emp_node); world_free(w);
        return inc_fail(e, INC_ERR_NOMEM, "out of memory (initial wages)");
    }
    for (size_t i = 0; i < w->wk.n; i++) {
        int32_t f = w->wk.employer[i];
        int n = w->wk.node[i];
        w->wk.flags[i] = 0;
        if (f < 0) continue;
        int64_t h = world_skill_of_tier(w, w->wk.tier[i]);
        skill_node[n] += h;
        labour_share[n] += 1.0 - sc->sectors[w->fm.sector[f]].alpha;
        emp_node[n] += 1.0;
        w->fm.employees[f]++;
        w->fm.skill[f] += h;
        if (w->wk.tier[i] >= 2) w->fm.skilled[f]++;
    }
    for (int n = 0; n < N; n++) {
        const sc_node *nd = &sc->nodes[n];
        double gdp_month = nd->population * nd->gdp_per_capita / 12.0 * 100.0 / w->scale; /* fen */
        w->nd.gdp0[n] = gdp_month;
        double ls = emp_node[n] > 0 ? labour_share[n] / emp_node[n] : 0.5;
        /* offer per skill unit (fen/month per SKILL_ONE) */
        w->nd.mean_offer[n] = skill_node[n] > 0 ? ls * (1.0 - p->tax_vat_rate) * gdp_month / ((double)skill_node[n] / SKILL_ONE) : 0;
        w->nd.min_wage[n] = nd->min_wage * 100.0;
        w->nd.land_price[n] = nd->land_price;
        w->nd.employment_ref[n] = emp_node[n] > 0 ? emp_node[n] : 1;
        w->nd.agglomeration[n] = 1.0;
        w->nd.wage_index[n] = 1.0;
    }
    free(skill_node); free(labour_share); free(emp_node);

    /* Firms: offers, wage bills, output, capital, TFP, expectations.
     * Capital sits at the desired stock K* = alpha p Y / ((r_f + delta) p_K) of
     * MODEL.md 5, so the economy starts near its steady state. r_f depends on
     * leverage, which depends on K (loans are corporate_debt_gdp of GDP spread
     * in proportion to K): a few fixed-point steps settle both. */
    gsl_rng *g = rng_gsl_at(w->ts[0].gsl, &w->rk, RNG_INIT_FIRM, 0, 0, 1);
    double gdp_month_total = 0; /* fen per month, model scale */
    for (int n = 0; n < N; n++) gdp_month_total += w->nd.gdp0[n];
    double lev = 0, total_k = 0;
    for (int iter = 0; iter < 4; iter++) {
        double rf = finance_loan_rate(w, -1, lev);
        total_k = 0;
        for (size_t f = 0; f < w->fm.n; f++) {
            const sc_sector *sec = &sc->sectors[w->fm.sector[f]];
            double H = (double)w->fm.skill[f] / SKILL_ONE;
            double y = w->nd.mean_offer[w->fm.node[f]] * H / ((1.0 - sec->alpha) * (1.0 - p->tax_vat_rate)) / p->init_price / 100.0;
            w->fm.capital[f] = sec->alpha * (1.0 - p->tax_vat_rate) * y / (rf + w->m->firms_delta);
            total_k += w->fm.capital[f];
        }
        lev = p->init_corporate_debt_gdp * 12.0 * gdp_month_total / (total_k * p->init_price * 100.0);
    }
    for (size_t f = 0; f < w->fm.n; f++) {
        int n = w->fm.node[f];
        const sc_sector *sec = &sc->sectors[w->fm.sector[f]];
        w->fm.offer[f] = w->nd.mean_offer[n];
        w->fm.q[f] = 1.0;
        double H = (double)w->fm.skill[f] / SKILL_ONE;
        double y = w->fm.offer[f] * H / ((1.0 - sec->alpha) * (1.0 - p->tax_vat_rate)) / p->init_price / 100.0; /* 2019 yuan/month */
        double K = w->fm.capital[f];
        double base_ln_a = log(y) - sec->alpha * log(K) - (1.0 - sec->alpha) * log(H);
        w->fm.ln_a[f] = base_ln_a + p->productivity_sigma_a * gsl_ran_ugaussian(g)
                        - 0.5 * p->productivity_sigma_a * p->productivity_sigma_a;
        w->fm.expected[f] = y;
        w->fm.expected_k[f] = y;
        w->fm.output[f] = y;
        w->fm.planned[f] = y;
        w->fm.h_eff[f] = H;
        w->fm.sold[f] = y;
        w->fm.inventory[f] = sec->tradable ? p->firms_b_inv * y : 0.0;
    }
    /* Worker wages at their firm's offer, floored at the node's minimum wage. */
    for (size_t i = 0; i < w->wk.n; i++) {
        int32_t f = w->wk.employer[i];
        if (f < 0) continue;
        int n = w->wk.node[i];
        double wage = w->fm.offer[f] * (double)world_skill_of_tier(w, w->wk.tier[i]) / SKILL_ONE;
        if (w->wk.hukou[i] != n) wage *= 1.0 - p->labour_hukou_wage_gap; /* as labour.c wage_at */
        if (sc->nodes[n].kind != NODE_RURAL && wage < w->nd.min_wage[n]) wage = w->nd.min_wage[n];
        w->wk.wage[i] = (int32_t)llround(wage);
        w->fm.wage_bill[f] += w->wk.wage[i];
    }
    /* Technology frontier: frontier_gap above each sector's output-weighted mean. */
    double sum_y[SC_MAX_SECTORS] = {0}, sum_ya[SC_MAX_SECTORS] = {0};
    for (size_t f = 0; f < w->fm.n; f++) {
        sum_y[w->fm.sector[f]] += w->fm.output[f];
        sum_ya[w->fm.sector[f]] += w->fm.output[f] * w->fm.ln_a[f];
    }
    for (int s = 0; s < S; s++)
        w->frontier_ln_a[s] = (sum_y[s] > 0 ? sum_ya[s] / sum_y[s] : 0.0) + p->productivity_frontier_gap;
    /* Foreign demand: export_gdp of GDP, split by sector export shares. */
    for (int s = 0; s < S; s++)
        w->mk.export_real[s] = p->goods_export_gdp * gdp_month_total / 100.0 / p->init_price * sc->sectors[s].export_share;

    /* Money stocks (fen). */
    ledger *L = &w->L;
    double annual_gdp = 12.0 * gdp_month_total;
    for (size_t i = 0; i < w->wk.n; i++) {
        int n = w->wk.node[i];
        double income = w->wk.employer[i] >= 0 ? w->wk.wage[i] : w->nd.min_wage[n];
        w->wk.savings[i] = llround(p->init_savings_months * income);
    }
    for (size_t f = 0; f < w->fm.n; f++) {
        w->fm.deposits[f] = llround(p->init_firm_deposit_months * (double)w->fm.wage_bill[f]);
        w->fm.loans[f] = llround(p->init_corporate_debt_gdp * annual_gdp * w->fm.capital[f] / total_k);
    }
    double gdp_urban = 0, weighted_residents[SC_MAX_NODES] = {0};
    for (int n = 0; n < N; n++) if (sc->nodes[n].kind != NODE_RURAL) gdp_urban += w->nd.gdp0[n];
    for (size_t i = 0; i < w->wk.n; i++) {
        int n = w->wk.node[i];
        weighted_residents[n] += w->wk.hukou[i] == n ? 1.0 : p->government_phi_services;
    }
    for (int n = 0; n < N; n++) w->nd.weighted_residents[n] = weighted_residents[n];
    double services_total = 0;
    for (int n = 0; n < N; n++) {
        double spend = p->government_services_gdp * w->nd.gdp0[n];
        w->nd.services0[n] = weighted_residents[n] > 0 ? spend / weighted_residents[n] : 0;
        services_total += spend;
        if (sc->nodes[n].kind != NODE_RURAL && gdp_urban > 0)
            L->lgfv_debt[n] = llround(p->init_lgfv_debt_gdp * annual_gdp * w->nd.gdp0[n] / gdp_urban);
        L->agg[w->acc.localgov + n] = llround(p->government_deposit_months * spend);
    }
    w->central_purchases0 = p->government_central_gdp * gdp_month_total;
    L->central_bonds = llround(p->init_central_debt_gdp * annual_gdp);
    L->agg[w->acc.central] = llround(p->government_deposit_months * (w->central_purchases0 + p->government_transfer_share * services_total));

    /* The bank's books close the balance sheet: deposits = (1 - equity share) *
     * assets; the owners hold what the other sectors do not (MODEL.md 3). */
    int64_t loans = 0, lgfv = 0, deposits_other = 0;
    for (size_t f = 0; f < w->fm.n; f++) { loans += w->fm.loans[f]; deposits_other += w->fm.deposits[f]; }
    for (int n = 0; n < N; n++) lgfv += L->lgfv_debt[n];
    for (size_t i = 0; i < w->wk.n; i++) deposits_other += w->wk.savings[i];
    for (int k = 0; k < w->acc.count; k++) deposits_other += L->agg[k];
    int64_t assets = loans + lgfv + L->central_bonds;
    int64_t deposits_target = llround((1.0 - p->bank_equity_loans) * (double)assets);
    int64_t owners_total = deposits_target - deposits_other;
    if (owners_total < 0) {
        world_free(w);
        return inc_fail(e, INC_ERR_RANGE,
                        "initial balance sheet does not close: other sectors' deposits exceed (1 - bank.equity_loans) "
                        "times the bank's assets, leaving owners %.3g yuan; lower init.savings_months or "
                        "init.firm_deposit_months, or raise the init.*_debt_gdp ratios",
                        (double)owners_total / 100.0 * w->scale);
    }
    double gdp_w[SC_MAX_NODES];
    for (int n = 0; n < N; n++) gdp_w[n] = w->nd.gdp0[n];
    int64_t owners[SC_MAX_NODES];
    apportion(owners_total, gdp_w, N, owners);
    for (int n = 0; n < N; n++) L->agg[w->acc.owners + n] = owners[n];
    L->bank_firm_loans = loans;
    L->bank_lgfv = lgfv;
    L->bank_bonds = L->central_bonds;
    L->bank_deposits = deposits_target;

    /* Mean wages at start (indexation of public spending and rents). */
    double wsum[SC_MAX_NODES] = {0}, wcnt[SC_MAX_NODES] = {0};
    for (size_t i = 0; i < w->wk.n; i++)
        if (w->wk.employer[i] >= 0) { wsum[w->wk.node[i]] += w->wk.wage[i]; wcnt[w->wk.node[i]] += 1; }
    for (int n = 0; n < N; n++) w->nd.wage0[n] = wcnt[n] > 0 ? wsum[n] / wcnt[n] : w->nd.min_wage[n];

    /* Targets of the incentives (MODEL.md 10, 17). */
    scenario_nodes_mask(sc, p->incentives_nodes, w->nd.target);
    scenario_sectors_mask(sc, p->incentives_sectors, w->sector_target);
    for (int s = 0; s < S; s++) w->export_base[s] = w->mk.export_real[s];

    w->fm.n_free = 0;
    ledger_baseline(w);
    return INC_OK;
}

inc_status world_check(const world *w, inc_err *e)
{
    char mon[16];
    month_format(w->calendar, mon, sizeof mon);
    /* Employee and skill counts: the firms' totals equal the sums over their
     * workers (exact integers). */
    int64_t emp_workers = 0, skill_workers = 0, emp_firms = 0, skill_firms = 0;
    /* Parallel over workers (a serial pass would leave the other threads
     * idle); integer sums and the lowest failing worker do not depend on the
     * thread count, so the message names the same worker as a serial scan. */
    const long nw = (long)w->wk.n;
    long bad = nw;
#pragma omp parallel for schedule(static, WORLD_CHUNK) num_threads(w->n_threads) reduction(+ : emp_workers, skill_workers) reduction(min : bad)
    for (long i = 0; i < nw; i++) {
        int32_t f = w->wk.employer[i];
        if (f < 0) continue;
        emp_workers++;
        skill_workers += world_skill_of_tier(w, w->wk.tier[i]);
        if ((size_t)f >= w->fm.n || !(w->fm.flags[f] & FF_ALIVE) || w->fm.node[f] != w->wk.node[i])
            if (i < bad) bad = i;
    }
    if (bad < nw) {
        size_t i = (size_t)bad;
        int32_t f = w->wk.employer[i];
        if ((size_t)f >= w->fm.n || !(w->fm.flags[f] & FF_ALIVE))
            return inc_fail(e, INC_ERR_NUMERIC, "%s: worker %zu is employed by firm %d, which is not alive", mon, i, f);
        return inc_fail(e, INC_ERR_NUMERIC, "%s: worker %zu lives in node %d but its employer %d is in node %d",
                        mon, i, w->wk.node[i], f, w->fm.node[f]);
    }
    for (size_t f = 0; f < w->fm.n; f++) {
        if (!(w->fm.flags[f] & FF_ALIVE)) continue;
        emp_firms += w->fm.employees[f];
        skill_firms += w->fm.skill[f];
        double v[] = {w->fm.ln_a[f], w->fm.capital[f], w->fm.expected[f], w->fm.expected_k[f], w->fm.inventory[f], w->fm.output[f], w->fm.offer[f]};
        const char *names[] = {"ln_a", "capital", "expected", "expected_k", "inventory", "output", "offer"};
        for (int k = 0; k < (int)(sizeof v / sizeof v[0]); k++)
            if (!isfinite(v[k]))
                return inc_fail(e, INC_ERR_NUMERIC, "%s: firm %zu has a non-finite %s", mon, f, names[k]);
        if (w->fm.deposits[f] < 0)
            return inc_fail(e, INC_ERR_NUMERIC, "%s: firm %zu has negative deposits (%lld fen)", mon, f, (long long)w->fm.deposits[f]);
    }
    if (emp_workers != emp_firms || skill_workers != skill_firms)
        return inc_fail(e, INC_ERR_NUMERIC,
                        "%s: firms count %lld employees with %lld skill units but %lld workers with %lld skill units are employed",
                        mon, (long long)emp_firms, (long long)skill_firms, (long long)emp_workers, (long long)skill_workers);
    for (int k = 0; k < w->mk.n_markets; k++)
        if (!isfinite(w->mk.price[k]) || w->mk.price[k] <= 0)
            return inc_fail(e, INC_ERR_NUMERIC, "%s: market %d has price %g", mon, k, w->mk.price[k]);
    for (int n = 0; n < w->n_nodes; n++) {
        double u = w->nd.unemployment_rate[n];
        if (!(u >= 0 && u <= 1))
            return inc_fail(e, INC_ERR_NUMERIC, "%s: node %s has unemployment rate %g", mon, w->sc->nodes[n].name, u);
    }
    return INC_OK;
}
