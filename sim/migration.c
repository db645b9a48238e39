/* migration.c - phase 9: workers reconsider where to live (docs/model.md 11).
 *
 * Harris-Todaro with random utility. Each month a worker not in training
 * reconsiders with probability m_u (unemployed) or m_e (employed). Its
 * candidates are its node, its hukou node and `candidates` draws from the
 * gravity distribution of its node (weight residents_j / distance^2, GSL alias
 * tables). It takes the candidate of highest
 *   V_j = beta_w ln E[w]_{j,e} - beta_h ln rent_j - kappa_hukou [j != hukou]
 *         - kappa_d ln(1 + km_nj) + amenity_j + gumbel_scale * Gumbel,
 * with E[w]_{j,e} = mean wage of tier e in j * (1 - u_{j,e}) + benefit * u_{j,e}.
 * A mover pays c_move + c_dist * km from its savings to the transport services
 * of its origin (the origin's local-services market, as consumption), and
 * quits its job, so a firm's workers always live in the firm's node. A worker
 * who cannot pay stays.
 *
 * Why it is built this way:
 * - Everything that does not depend on the worker (the deterministic part of
 *   V per node, tier and hukou status; distances; moving costs) is computed
 *   serially before the loop, from last month's aggregates (stats_aggregate),
 *   so the loop only reads. Most workers draw one uniform and go on.
 * - The loop is a parallel map over workers: each iteration writes only its
 *   own worker's columns; firm counts change through labour_leave_firm's
 *   integer atomics, node counts and the origin-destination matrix through
 *   integer atomics, money through the thread's ledger_thread. Every draw is
 *   keyed by (worker id, month), so the result does not depend on threads.
 * - The gravity tables are rebuilt from residents in January (and at the
 *   first call): populations move slowly. They are GSL alias tables
 *   (gsl_ran_discrete_t, drawn by gsl_ran_discrete) whose arrays are
 *   allocated once by migration_alloc, before the monthly loop, and filled
 *   in place by migration_alias_fill (GSL's preprocessing allocates anew at
 *   every call, and could fail in the middle of a run). */
#include "phases.h"
#include "migration.h"
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#define MIG_EARTH_RADIUS_KM 6371.0
#define MIG_DEG 0.017453292519943295 /* radians per degree */
/* Two distinct nodes are at least this far apart (guards 1/d^2 and a node
 * table with duplicated coordinates). */
#define MIG_MIN_KM 10.0
/* Expected wages and rents below one yuan/month are taken as one, so the
 * logarithms stay finite. */
#define MIG_FLOOR_YUAN 1.0
/* Current node, hukou node and at most 16 gravity draws (params.def). */
#define MIG_MAX_CAND 18

struct migration_state {
    int n;                      /* nodes */
    double *km;                 /* [n*n] great-circle distance, km (0 on the diagonal) */
    double *ln_km;              /* [n*n] ln(1 + km) */
    int64_t *cost;              /* [n*n] moving cost from i to j, fen */
    int *market;                /* [n] clearing market of the origin's transport services */
    double *weight;             /* [n] scratch: one gravity row */
    gsl_ran_discrete_t **alias; /* [n] gravity table of each origin (into tables); NULL: no other node to draw */
    gsl_ran_discrete_t *tables; /* [n] the tables, arrays allocated once: */
    size_t *table_a;            /* [n*n] alias of each cell */
    double *table_f;            /* [n*n] cut-off of each cell */
    double *alias_e;            /* [n] scratch of migration_alias_fill */
    size_t *alias_stack;        /* [2n] scratch of migration_alias_fill */
    int table_year;             /* calendar year of the tables; -1 before the first build */
    int64_t *table_residents;   /* [n] the residents the tables were built from (checkpoints) */
    double *v_own;              /* [n*4] V without distance and noise, for a worker whose hukou is j */
    double *v_other;            /* [n*4] the same for a worker whose hukou is elsewhere */
};

/* Great-circle distance in km (haversine). */
static double haversine_km(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = MIG_DEG;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double s1 = sin(dlat / 2), s2 = sin(dlon / 2);
    double a = s1 * s1 + cos(lat1 * rad) * cos(lat2 * rad) * s2 * s2;
    if (a > 1) a = 1;
    return 2.0 * MIG_EARTH_RADIUS_KM * asin(sqrt(a));
}

void migration_free(world *w)
{
    struct migration_state *ms = w->mig;
    if (!ms) return;
    free(ms->alias); free(ms->tables); free(ms->table_a); free(ms->table_f); free(ms->alias_e); free(ms->alias_stack);
    free(ms->km); free(ms->ln_km); free(ms->cost); free(ms->market); free(ms->weight);
    free(ms->v_own); free(ms->v_other); free(ms->table_residents);
    free(ms);
    w->mig = NULL;
}

inc_status migration_alloc(world *w, inc_err *e)
{
    const int N = w->n_nodes;
    const size_t NN = (size_t)N * (size_t)N;
    struct migration_state *ms = calloc(1, sizeof *ms);
    w->mig = ms;
    if (ms) {
        ms->n = N;
        ms->table_year = -1;
        ms->km = calloc(NN, sizeof(double));
        ms->ln_km = calloc(NN, sizeof(double));
        ms->cost = calloc(NN, sizeof(int64_t));
        ms->market = calloc((size_t)N, sizeof(int));
        ms->weight = calloc((size_t)N, sizeof(double));
        ms->alias = calloc((size_t)N, sizeof *ms->alias);
        ms->tables = calloc((size_t)N, sizeof *ms->tables);
        ms->table_a = calloc(NN, sizeof(size_t));
        ms->table_f = calloc(NN, sizeof(double));
        ms->alias_e = calloc((size_t)N, sizeof(double));
        ms->alias_stack = calloc(2 * (size_t)N, sizeof(size_t));
        ms->v_own = calloc((size_t)N * SC_TIERS, sizeof(double));
        ms->v_other = calloc((size_t)N * SC_TIERS, sizeof(double));
        ms->table_residents = calloc((size_t)N, sizeof(int64_t));
    }
    if (!ms || !ms->km || !ms->ln_km || !ms->cost || !ms->market || !ms->weight || !ms->alias || !ms->tables ||
        !ms->table_a || !ms->table_f || !ms->alias_e || !ms->alias_stack || !ms->v_own ||
        !ms->v_other || !ms->table_residents) {
        migration_free(w);
        return inc_fail(e, INC_ERR_NOMEM, "out of memory (migration tables of %d nodes)", N);
    }
    for (int n = 0; n < N; n++) {
        ms->tables[n].K = (size_t)N;
        ms->tables[n].A = ms->table_a + (size_t)n * (size_t)N;
        ms->tables[n].F = ms->table_f + (size_t)n * (size_t)N;
    }
    /* Transport services are local services: the first non-tradable sector
     * (params.c checks its range). */
    int local = 0;
    for (int s = w->n_sectors - 1; s >= 0; s--)
        if (!w->sc->sectors[s].tradable) local = s;
    const sc_params *p = w->p;
    for (int i = 0; i < N; i++) {
        const sc_node *a = &w->sc->nodes[i];
        ms->market[i] = world_market(w, i, local);
        for (int j = 0; j < N; j++) {
            const sc_node *b = &w->sc->nodes[j];
            double km = 0;
            if (i != j) {
                km = haversine_km(a->lat, a->lon, b->lat, b->lon);
                if (!(km >= MIG_MIN_KM)) km = MIG_MIN_KM;
            }
            size_t k = (size_t)i * (size_t)N + (size_t)j;
            ms->km[k] = km;
            ms->ln_km[k] = log1p(km);
            ms->cost[k] = i == j ? 0 : fen_floor((p->migration_c_move + p->migration_c_dist * km) * 100.0);
        }
    }
    return INC_OK;
}

double migration_distance_km(const world *w, int i, int j)
{
    return w->mig->km[(size_t)i * (size_t)w->n_nodes + (size_t)j];
}

int64_t migration_cost_fen(const world *w, int i, int j)
{
    return w->mig->cost[(size_t)i * (size_t)w->n_nodes + (size_t)j];
}

double migration_gravity_p(const world *w, int n, int j)
{
    const struct migration_state *ms = w->mig;
    if (ms->table_year < 0) return -1.0;
    return ms->alias[n] ? gsl_ran_discrete_pdf((size_t)j, ms->alias[n]) : 0.0;
}

void migration_alias_fill(gsl_ran_discrete_t *g, const double *p, double *e, size_t *stack)
{
    /* Walker's alias method as GSL's gsl_ran_discrete_preproc sets it up
     * (the same tables to the bit, so gsl_ran_discrete draws the same):
     * probabilities normalised by their sum in index order; cells below
     * the mean 1/K ("small") and the others ("large") kept on two stacks
     * filled in index order and taken from the top; each small cell takes
     * its alias from the top large one, which moves to the small stack when
     * it falls below the mean, leaves both at exactly the mean, else goes
     * back on the large stack; cells left over are their own alias; the
     * cut-offs finally become (k + F[k]) / K. */
    const size_t K = g->K;
    size_t *small = stack, *large = stack + K, n_small = 0, n_large = 0;
    double total = 0.0;
    for (size_t k = 0; k < K; k++) total += p[k];
    for (size_t k = 0; k < K; k++) e[k] = p[k] / total;
    const double mean = 1.0 / (double)K;
    for (size_t k = 0; k < K; k++) {
        if (e[k] < mean) small[n_small++] = k;
        else large[n_large++] = k;
    }
    while (n_small > 0) {
        size_t s = small[--n_small];
        if (n_large == 0) {
            g->A[s] = s;
            g->F[s] = 1.0;
            continue;
        }
        size_t b = large[--n_large];
        g->A[s] = b;
        g->F[s] = (double)K * e[s];
        double d = mean - e[s];
        e[s] += d;
        e[b] -= d;
        if (e[b] < mean) small[n_small++] = b;
        else if (e[b] > mean) large[n_large++] = b;
        else {
            g->A[b] = b;
            g->F[b] = 1.0;
        }
    }
    while (n_large > 0) {
        size_t b = large[--n_large];
        g->A[b] = b;
        g->F[b] = 1.0;
    }
    for (size_t k = 0; k < K; k++) {
        g->F[k] += (double)k;
        g->F[k] /= (double)K;
    }
}

/* Gravity tables from this month's residents (last month's aggregates):
 * origin n draws j != n with probability proportional to residents_j / km^2.
 * Serial, in node order. */
static void build_gravity(world *w, struct migration_state *ms, const int64_t *residents)
{
    const int N = ms->n;
    for (int j = 0; j < N; j++) ms->table_residents[j] = residents[j];
    for (int n = 0; n < N; n++) {
        double total = 0;
        for (int j = 0; j < N; j++) {
            double km = ms->km[(size_t)n * (size_t)N + (size_t)j];
            double x = j == n ? 0.0 : (double)ms->table_residents[j] / (km * km);
            ms->weight[j] = x;
            total += x;
        }
        if (!(total > 0)) { /* a lone node, or no one lives anywhere else */
            ms->alias[n] = NULL;
            continue;
        }
        migration_alias_fill(&ms->tables[n], ms->weight, ms->alias_e, ms->alias_stack);
        ms->alias[n] = &ms->tables[n];
    }
    ms->table_year = w->calendar / 12;
}

/* The deterministic part of V for every node and tier, both hukou statuses,
 * from last month's aggregates (docs/model.md 11). */
static void node_utilities(world *w, struct migration_state *ms)
{
    const sc_params *p = w->p;
    const nodes_t *nd = &w->nd;
    for (int j = 0; j < ms->n; j++) {
        const sc_node *node = &w->sc->nodes[j];
        /* Housing in yuan/month, as finance.c charges it. */
        double rent_other = p->households_theta_rent * nd->land_price[j] * w->price_level;
        double rent_own = p->households_theta_own * nd->land_price[j] * w->price_level;
        double benefit = node->kind != NODE_RURAL ? p->households_benefit_replacement * nd->min_wage[j] / 100.0 : 0.0;
        double node_wage = nd->employed[j] > 0 ? (double)nd->wage_sum[j] / (double)nd->employed[j] / 100.0
                                               : nd->min_wage[j] / 100.0;
        double base = node->amenity;
        double h_other = base - p->migration_beta_h * log(fmax(rent_other, MIG_FLOOR_YUAN)) - p->migration_kappa_hukou;
        double h_own = base - p->migration_beta_h * log(fmax(rent_own, MIG_FLOOR_YUAN));
        for (int e = 0; e < SC_TIERS; e++) {
            int64_t emp = nd->employed_tier[j * SC_TIERS + e], un = nd->unemployed_tier[j * SC_TIERS + e];
            double wage = emp > 0 ? (double)nd->wage_sum_tier[j * SC_TIERS + e] / (double)emp / 100.0 : node_wage;
            double u = emp + un > 0 ? (double)un / (double)(emp + un) : nd->unemployment_rate[j];
            double ew_other = wage * (1.0 - u);
            double ew_own = ew_other + benefit * u; /* only locals draw the benefit (docs/model.md 6) */
            ms->v_other[j * SC_TIERS + e] = h_other + p->migration_beta_w * log(fmax(ew_other, MIG_FLOOR_YUAN));
            ms->v_own[j * SC_TIERS + e] = h_own + p->migration_beta_w * log(fmax(ew_own, MIG_FLOOR_YUAN));
        }
    }
}

/* Worker i (employer f, or -1) reconsiders: candidates, utilities, the
 * choice, and the move if it can pay. Called from the parallel loop: writes
 * only worker i's columns, firm counts through labour_leave_firm's atomics,
 * node counts through integer atomics, money through lt. */
static void reconsider(world *w, const struct migration_state *ms, ledger_thread *lt, rng_gsl *g, size_t i,
                       int32_t f, uint32_t t)
{
    workers_t *wk = &w->wk;
    const sc_params *p = w->p;
    const int N = ms->n;
    const int n = wk->node[i], h = wk->hukou[i], e = wk->tier[i];
    /* The worker's own GSL draws (sub-counter 1): gravity candidates, then
     * one taste shock per distinct candidate. */
    gsl_rng *r = rng_gsl_at(g, &w->rk, RNG_MIGRATION, i, t, 1);
    int cand[MIG_MAX_CAND], nc = 0;
    cand[nc++] = n;
    if (h != n) cand[nc++] = h;
    const gsl_ran_discrete_t *tab = ms->alias[n];
    for (int k = 0; tab && k < (int)p->migration_candidates && nc < MIG_MAX_CAND; k++) {
        int j = (int)gsl_ran_discrete(r, tab);
        int seen = 0;
        for (int c = 0; c < nc; c++) seen |= cand[c] == j;
        if (!seen) cand[nc++] = j; /* one taste shock per distinct node */
    }
    const double kappa_d = p->migration_kappa_d, gs = p->migration_gumbel_scale;
    const double *lk = ms->ln_km + (size_t)n * (size_t)N;
    int best = n;
    double vbest = -INFINITY;
    for (int c = 0; c < nc; c++) {
        int j = cand[c];
        double v = (j == h ? ms->v_own : ms->v_other)[j * SC_TIERS + e] - kappa_d * lk[j];
        if (gs > 0) v += gs * gsl_ran_gumbel1(r, 1.0, 1.0);
        if (v > vbest) { vbest = v; best = j; } /* ties keep the earlier: staying */
    }
    if (best == n) return;
    int64_t cost = ms->cost[(size_t)n * (size_t)N + (size_t)best];
    if (wk->savings[i] < cost) return; /* cannot pay: stays */
    ledger_move(w, lt, acct_worker(i), acct_clearing(w, ms->market[n]), cost, FLOW_CONSUMPTION);
    if (f >= 0) {
        labour_leave_firm(w, i, f);
        wk->employer[i] = -1;
        wk->months_unemployed[i] = 0;
    }
    wk->node[i] = (uint16_t)best;
    __atomic_fetch_add(&w->nd.out_migrants[n], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&w->nd.in_migrants[best], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&w->nd.od[(size_t)n * (size_t)N + (size_t)best], 1, __ATOMIC_RELAXED);
}

void migration_run(world *w)
{
    struct migration_state *ms = w->mig;
    workers_t *wk = &w->wk;
    const sc_params *p = w->p;
    const double m_u = p->migration_m_u, m_e = p->migration_m_e;
    if (!(m_u > 0) && !(m_e > 0)) return;
    if (ms->table_year < 0 || (w->calendar % 12 == 0 && ms->table_year != w->calendar / 12)) build_gravity(w, ms, w->nd.residents);
    node_utilities(w, ms);
    const uint32_t t = (uint32_t)w->t;
    const size_t nw = wk->n;
    /* The reconsideration draw: one Philox block (sub-counter 0) serves four
     * consecutive workers, worker i taking 32-bit word i % 4 of block i / 4
     * as a uniform on (0, 1); still a pure function of (worker id, month),
     * at a quarter of the cost, which matters because every worker draws it
     * every month and few act on it. */
    const long nb = (long)((nw + 3) / 4);

#pragma omp parallel
    {
        ledger_thread *lt = ledger_thread_self(w);
        rng_gsl *g = w->ts[omp_get_thread_num()].gsl;
#pragma omp for schedule(static, WORLD_CHUNK / 4)
        for (long b = 0; b < nb; b++) {
            philox4x32_ctr_t u4 = rng_block(&w->rk, RNG_MIGRATION, (uint64_t)b, t, 0, 0);
            for (size_t k = 0; k < 4; k++) {
                size_t i = 4 * (size_t)b + k;
                if (i >= nw) break;
                if (wk->training_left[i] > 0) continue; /* trainees stay (docs/model.md 12) */
                int32_t f = wk->employer[i];
                double pr = f >= 0 ? m_e : m_u;
                if (((double)u4.v[k] + 0.5) * 0x1p-32 >= pr) continue;
                reconsider(w, ms, lt, g, i, f, t);
            }
        }
    }
    ledger_flush(w);
}

int migration_table_state(const world *w, const int64_t **residents)
{
    *residents = w->mig->table_residents;
    return w->mig->table_year;
}

void migration_restore_tables(world *w, int year, const int64_t *residents)
{
    struct migration_state *ms = w->mig;
    if (year < 0) {
        ms->table_year = -1;
        return;
    }
    build_gravity(w, ms, residents);
    ms->table_year = year;
}
