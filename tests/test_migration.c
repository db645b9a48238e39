/* test_migration.c - phase 9, migration (sim/migration.c, docs/model.md 11), and
 * the annual origin-destination matrix in the HDF5 file (sim/h5out.c).
 *
 * Small worlds of the baseline scenario (20000 worker agents):
 *  - geometry: haversine distances (Shanghai-Beijing about 1067 km),
 *    symmetric, 0 on the diagonal; moving costs c_move + c_dist km in fen;
 *    the gravity tables give p(j | n) = residents_j / km^2 normalised over
 *    j != n (1e-12), built at the first call and rebuilt only in January;
 *  - one direct call of migration_run on a world after a few months, with
 *    high reconsideration rates: every mover's savings fell by exactly its
 *    moving cost and every stayer's not at all; movers are unemployed; nobody
 *    in training and nobody who cannot pay moves; the origins' transport
 *    markets received exactly the costs; firms' employees, skill units and
 *    wage bills fell by exactly the movers' own; in, out and od counts equal
 *    the moves; world_check holds;
 *  - a naive reference of the utility (written from docs/model.md 11, not from
 *    migration.c): without taste shocks and gravity draws (and kappa_hukou
 *    2.5, so that both outcomes are common), a worker moves to its hukou node
 *    exactly when that node's V is higher and it can pay; with
 *    gravity draws, a mover's destination is at least as good as its node
 *    and its hukou node, and a stayer's node at least as good as its hukou
 *    node;
 *  - the same moves with 1 and 2 threads;
 *  - 24 months of the model, baseline and with five (unemployed) and ten
 *    (employed) times the reconsideration rates: the
 *    audit holds every month (sim_month returns INC_OK), firm employee counts
 *    equal their workers every month, the year's od matrix has a zero
 *    diagonal, its row sums equal the year's out-migrants of each node and its
 *    column sums the in-migrants; and a run starting in July closes a
 *    six-month year in December and a two-month one at its end;
 *  - statistical experiments, seeds 1-3, 24 months, same seed with and
 *    without the change, the migration keys of the control pinned to the first specification's rates (docs/model.md 11) and the present baseline's utility weights (EXPERIMENT_SETS,
 *    so that a recalibration of the baseline does not move the margins):
 *    raising inland cities' amenity by 1 raises the
 *    inland urban share of residents by more than INLAND_MARGIN in every
 *    seed; lowering kappa_hukou from 1 to 0 raises the share of workers living
 *    outside their hukou node by more than HUKOU_MARGIN in every seed;
 *  - the real program ($INCUBATOR_BIN/incubator-sim, 20000 workers): a
 *    24-month run from January writes /migration/od shaped (2, N, N) with
 *    years 2019, 2020 and 12 months each, every year's total (and each row and
 *    column) equal to the sums of /node/out_migrants (in_migrants) over the
 *    year's months, a zero diagonal, units and scales attached; a run from
 *    July 2019 for 20 months writes years 2019, 2020, 2021 with 6, 12, 2
 *    months. */
#include "testutil.h"
#include "migration.h"
#include "phases.h"
#include "scenario.h"
#include "stats.h"
#include "world.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#define WORKERS 20000
#define WORKERS_S "20000"
#define EXPERIMENT_MONTHS 24
#define INLAND_MARGIN 0.01  /* inland urban share of residents, absolute */
#define HUKOU_MARGIN 0.02   /* share of workers outside their hukou node, absolute */
#define V_TIE 1e-9          /* utilities closer than this are not compared */
#define RUN_TIMEOUT_S 900
/* The control of the statistical experiments. */
static const char *const EXPERIMENT_SETS[] = {
    "migration.m_u=0.10",        "migration.m_e=0.01",         "migration.candidates=3",
    "migration.beta_w=2.0",      "migration.beta_h=0.5",       "migration.kappa_hukou=1.0",
    "migration.kappa_d=0.2",     "migration.gumbel_scale=1.0", "migration.c_move=1000",
    "migration.c_dist=0.5",
};
#define N_EXPERIMENT_SETS ((int)(sizeof EXPERIMENT_SETS / sizeof EXPERIMENT_SETS[0]))


/* ---- fixture ----------------------------------------------------------- */

typedef tu_world fixture;

/* The baseline scenario with overrides, a world of WORKERS agents for
 * `threads` threads, aggregated as main.c does. Returns 1 on success. */
static int fx_open(fixture *fx, const char *const *sets, int n_sets, int threads)
{
    return tu_world_open(fx, "baseline.ini", sets, n_sets, threads, WORKERS, 0);
}

static void fx_close(fixture *fx) { tu_world_close(fx); }

/* One month of the model; reports a failure naming the month. */
static int fx_month(fixture *fx)
{
    inc_err e = {0};
    int t = fx->w.t;
    inc_status s = sim_month(&fx->w, fx->st, &e);
    if (s != INC_OK) {
        FAILF("sim_month %d (seed %lld): %s", t, (long long)fx->sc.p.run_seed, e.msg);
        return 0;
    }
    return 1;
}

static int fx_run(fixture *fx, int months)
{
    for (int m = 0; m < months; m++)
        if (!fx_month(fx)) return 0;
    return 1;
}

/* Every live firm's employees, tier-2+ employees and skill units equal the
 * exact sums over the workers it employs. Returns the number of mismatches. */
static int firm_counts_mismatch(const world *w, const char *when)
{
    size_t nf = w->fm.n;
    int64_t *emp = calloc(nf ? nf : 1, sizeof *emp), *sk = calloc(nf ? nf : 1, sizeof *sk),
            *hi = calloc(nf ? nf : 1, sizeof *hi);
    int bad = 0;
    if (!emp || !sk || !hi) {
        FAILF("out of memory");
        free(emp); free(sk); free(hi);
        return 1;
    }
    for (size_t i = 0; i < w->wk.n; i++) {
        int32_t f = w->wk.employer[i];
        if (f < 0) continue;
        emp[f]++;
        sk[f] += world_skill_of_tier(w, w->wk.tier[i]);
        hi[f] += w->wk.tier[i] >= 2;
    }
    for (size_t f = 0; f < nf; f++) {
        if (!(w->fm.flags[f] & FF_ALIVE)) continue;
        if (emp[f] != w->fm.employees[f] || sk[f] != w->fm.skill[f] || hi[f] != w->fm.skilled[f]) {
            if (bad < 3)
                FAILF("%s: firm %zu counts %d employees, %lld skill units, %d skilled; its workers give %lld, "
                      "%lld, %lld",
                      when, f, w->fm.employees[f], (long long)w->fm.skill[f], w->fm.skilled[f], (long long)emp[f],
                      (long long)sk[f], (long long)hi[f]);
            bad++;
        }
    }
    free(emp); free(sk); free(hi);
    return bad;
}

static int inland_urban(const world *w, int n)
{
    return !w->sc->nodes[n].coastal && w->sc->nodes[n].kind != NODE_RURAL;
}

/* Share of residents in inland urban nodes (coastal 0, kind city or rest). */
static double inland_share(const world *w)
{
    int64_t in = 0, all = 0;
    for (int n = 0; n < w->n_nodes; n++) {
        all += w->nd.residents[n];
        if (inland_urban(w, n)) in += w->nd.residents[n];
    }
    return all > 0 ? (double)in / (double)all : 0;
}

/* Share of workers living outside their hukou node. */
static double away_share(const world *w)
{
    size_t away = 0;
    for (size_t i = 0; i < w->wk.n; i++) away += w->wk.node[i] != w->wk.hukou[i];
    return w->wk.n ? (double)away / (double)w->wk.n : 0;
}

/* ---- geometry and gravity ------------------------------------------------ */

static int node_index(const world *w, const char *name)
{
    for (int n = 0; n < w->n_nodes; n++)
        if (!strcmp(w->sc->nodes[n].name, name)) return n;
    return -1;
}

static void test_geometry(void)
{
    fixture fx;
    if (!fx_open(&fx, NULL, 0, 1)) return;
    world *w = &fx.w;
    const int N = w->n_nodes;
    int sh = node_index(w, "Shanghai"), bj = node_index(w, "Beijing"), cd = node_index(w, "Chengdu");
    CU_ASSERT_FATAL(sh >= 0 && bj >= 0 && cd >= 0);
    double d = migration_distance_km(w, sh, bj);
    /* Great-circle Shanghai (31.23 N, 121.47 E) - Beijing (39.90 N, 116.40 E). */
    if (fabs(d - 1067.0) > 5.0) FAILF("Shanghai-Beijing %.1f km, expected about 1067 km", d);
    d = migration_distance_km(w, sh, cd);
    if (fabs(d - 1660.0) > 15.0) FAILF("Shanghai-Chengdu %.1f km, expected about 1660 km", d);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double a = migration_distance_km(w, i, j), b = migration_distance_km(w, j, i);
            if (a != b) FAILF("distance %d-%d %.17g differs from %d-%d %.17g", i, j, a, j, i, b);
            if (i == j && (a != 0 || migration_cost_fen(w, i, j) != 0)) FAILF("node %d: distance or cost to itself", i);
            if (i != j && !(a >= 10.0)) FAILF("distance %d-%d = %g below the 10 km floor", i, j, a);
            if (i == j) continue;
            int64_t want = (int64_t)floor((w->p->migration_c_move + w->p->migration_c_dist * a) * 100.0);
            if (migration_cost_fen(w, i, j) != want)
                FAILF("cost %d->%d: %lld fen, expected %lld", i, j, (long long)migration_cost_fen(w, i, j),
                      (long long)want);
        }
    fx_close(&fx);
}

/* p(j | n) against residents_j / km^2 normalised over j != n. */
static void check_gravity(const world *w, const int64_t *residents, const char *when)
{
    const int N = w->n_nodes;
    int bad = 0;
    for (int n = 0; n < N && bad < 3; n++) {
        double total = 0, psum = 0;
        for (int j = 0; j < N; j++) {
            if (j == n) continue;
            double km = migration_distance_km(w, n, j);
            total += (double)residents[j] / (km * km);
        }
        for (int j = 0; j < N; j++) {
            double p = migration_gravity_p(w, n, j);
            double want = 0;
            if (j != n) {
                double km = migration_distance_km(w, n, j);
                want = (double)residents[j] / (km * km) / total;
            }
            psum += p;
            if (!(fabs(p - want) <= 1e-12)) {
                FAILF("%s: gravity p(%d | %d) = %.15g, expected %.15g", when, j, n, p, want);
                bad++;
            }
        }
        if (fabs(psum - 1) > 1e-12) FAILF("%s: gravity of node %d sums to %.15g", when, n, psum);
    }
}

static void test_gravity_tables(void)
{
    fixture fx;
    if (!fx_open(&fx, NULL, 0, 1)) return;
    world *w = &fx.w;
    const int N = w->n_nodes;
    int64_t *res = malloc(sizeof(int64_t) * (size_t)N);
    double *p0 = malloc(sizeof(double) * (size_t)N * (size_t)N);
    CU_ASSERT_FATAL(res && p0);
    if (migration_gravity_p(w, 0, 1) != -1.0) FAILF("gravity tables exist before the first migration_run");
    memcpy(res, w->nd.residents, sizeof(int64_t) * (size_t)N);
    if (fx_month(&fx)) { /* January 2019: the first call builds the tables */
        check_gravity(w, res, "January 2019");
        for (int k = 0; k < N * N; k++) p0[k] = migration_gravity_p(w, k / N, k % N);
        /* February to December: the same tables. */
        for (int m = 1; m < 12 && fx_month(&fx); m++)
            for (int k = 0; k < N * N; k++)
                if (migration_gravity_p(w, k / N, k % N) != p0[k]) {
                    FAILF("gravity tables changed in month %d (only January rebuilds them)", m);
                    break;
                }
        memcpy(res, w->nd.residents, sizeof(int64_t) * (size_t)N); /* end of December */
        if (fx_month(&fx)) check_gravity(w, res, "January 2020");
        int differs = 0;
        for (int k = 0; k < N * N; k++) differs |= migration_gravity_p(w, k / N, k % N) != p0[k];
        if (!differs) FAILF("January 2020 did not rebuild the gravity tables (populations moved during 2019)");
    }
    free(res);
    free(p0);
    fx_close(&fx);
}

/* ---- one direct call ------------------------------------------------------- */

typedef struct {
    size_t n;
    uint16_t *node;
    int32_t *employer, *wage;
    int64_t *savings;
    uint8_t *months_unemployed;
    int64_t *wage_bill, *employees, *skill;
    int64_t *clearing; /* per aggregate account */
    int64_t *od;
    int32_t *in, *out;
} snapshot;

static int snap_take(const world *w, snapshot *s)
{
    const size_t n = w->wk.n, nf = w->fm.n, N = (size_t)w->n_nodes;
    memset(s, 0, sizeof *s);
    s->n = n;
    s->node = malloc(n * sizeof *s->node);
    s->employer = malloc(n * sizeof *s->employer);
    s->wage = malloc(n * sizeof *s->wage);
    s->savings = malloc(n * sizeof *s->savings);
    s->months_unemployed = malloc(n);
    s->wage_bill = malloc((nf + 1) * sizeof(int64_t));
    s->employees = malloc((nf + 1) * sizeof(int64_t));
    s->skill = malloc((nf + 1) * sizeof(int64_t));
    s->clearing = malloc((size_t)w->L.n_agg * sizeof(int64_t));
    s->od = malloc(N * N * sizeof(int64_t));
    s->in = malloc(N * sizeof(int32_t));
    s->out = malloc(N * sizeof(int32_t));
    if (!s->node || !s->employer || !s->wage || !s->savings || !s->months_unemployed || !s->wage_bill ||
        !s->employees || !s->skill || !s->clearing || !s->od || !s->in || !s->out) {
        FAILF("out of memory");
        return 0;
    }
    memcpy(s->node, w->wk.node, n * sizeof *s->node);
    memcpy(s->employer, w->wk.employer, n * sizeof *s->employer);
    memcpy(s->wage, w->wk.wage, n * sizeof *s->wage);
    memcpy(s->savings, w->wk.savings, n * sizeof *s->savings);
    memcpy(s->months_unemployed, w->wk.months_unemployed, n);
    for (size_t f = 0; f < nf; f++) {
        s->wage_bill[f] = w->fm.wage_bill[f];
        s->employees[f] = w->fm.employees[f];
        s->skill[f] = w->fm.skill[f];
    }
    memcpy(s->clearing, w->L.agg, (size_t)w->L.n_agg * sizeof(int64_t));
    memcpy(s->od, w->nd.od, N * N * sizeof(int64_t));
    memcpy(s->in, w->nd.in_migrants, N * sizeof(int32_t));
    memcpy(s->out, w->nd.out_migrants, N * sizeof(int32_t));
    return 1;
}

static void snap_free(snapshot *s)
{
    free(s->node); free(s->employer); free(s->wage); free(s->savings); free(s->months_unemployed);
    free(s->wage_bill); free(s->employees); free(s->skill); free(s->clearing); free(s->od); free(s->in);
    free(s->out);
    memset(s, 0, sizeof *s);
}

/* First non-tradable sector: transport services are local services. */
static int local_sector(const world *w)
{
    for (int s = 0; s < w->n_sectors; s++)
        if (!w->sc->sectors[s].tradable) return s;
    return -1;
}

static void test_direct_call(void)
{
    fixture fx;
    if (!fx_open(&fx, NULL, 0, 2)) return;
    world *w = &fx.w;
    const int N = w->n_nodes;
    if (!fx_run(&fx, 4)) { fx_close(&fx); return; }
    /* Many reconsiderations in one call. */
    fx.sc.p.migration_m_u = 0.6;
    fx.sc.p.migration_m_e = 0.3;
    /* Every 11th worker in training, every 13th unable to afford any move. */
    int64_t min_cost[SC_MAX_NODES];
    for (int n = 0; n < N; n++) {
        min_cost[n] = INT64_MAX;
        for (int j = 0; j < N; j++)
            if (j != n && migration_cost_fen(w, n, j) < min_cost[n]) min_cost[n] = migration_cost_fen(w, n, j);
    }
    for (size_t i = 0; i < w->wk.n; i++) {
        if (i % 11 == 0) w->wk.training_left[i] = 2;
        else if (i % 13 == 0) w->wk.savings[i] = min_cost[w->wk.node[i]] - 1;
    }
    snapshot s;
    if (!snap_take(w, &s)) { snap_free(&s); fx_close(&fx); return; }
    migration_run(w);

    int64_t paid_from[SC_MAX_NODES] = {0};
    int64_t *od = calloc((size_t)N * (size_t)N, sizeof(int64_t));
    CU_ASSERT_FATAL(od != NULL);
    int64_t *left_bill = calloc(w->fm.n + 1, sizeof(int64_t)), *left_emp = calloc(w->fm.n + 1, sizeof(int64_t)),
            *left_skill = calloc(w->fm.n + 1, sizeof(int64_t));
    CU_ASSERT_FATAL(left_bill && left_emp && left_skill);
    long movers = 0, employed_movers = 0, bad = 0;
    for (size_t i = 0; i < w->wk.n && bad < 5; i++) {
        int a = s.node[i], b = w->wk.node[i];
        int64_t paid = s.savings[i] - w->wk.savings[i];
        if (a == b) {
            if (paid != 0 || w->wk.employer[i] != s.employer[i]) {
                FAILF("stayer %zu: savings fell by %lld fen, employer %d -> %d", i, (long long)paid, s.employer[i],
                      w->wk.employer[i]);
                bad++;
            }
            continue;
        }
        movers++;
        int64_t cost = migration_cost_fen(w, a, b);
        if (paid != cost) {
            FAILF("mover %zu (%d -> %d) paid %lld fen, its cost is %lld", i, a, b, (long long)paid, (long long)cost);
            bad++;
        }
        if (s.savings[i] < cost) {
            FAILF("mover %zu had %lld fen for a cost of %lld", i, (long long)s.savings[i], (long long)cost);
            bad++;
        }
        if (i % 11 == 0) { FAILF("worker %zu moved while in training", i); bad++; }
        if (w->wk.employer[i] != -1) { FAILF("mover %zu still employed by %d", i, w->wk.employer[i]); bad++; }
        if (s.employer[i] >= 0) {
            employed_movers++;
            if (w->wk.months_unemployed[i] != 0) {
                FAILF("employed mover %zu: months_unemployed %d", i, w->wk.months_unemployed[i]);
                bad++;
            }
            int32_t f = s.employer[i];
            left_bill[f] += s.wage[i];
            left_emp[f]++;
            left_skill[f] += world_skill_of_tier(w, w->wk.tier[i]);
        } else if (w->wk.months_unemployed[i] != s.months_unemployed[i]) {
            FAILF("unemployed mover %zu: months_unemployed changed", i);
            bad++;
        }
        paid_from[a] += paid;
        od[(size_t)a * (size_t)N + (size_t)b]++;
    }
    if (movers < 500) FAILF("only %ld movers among %zu workers: the test says little", movers, w->wk.n);
    if (employed_movers < 50) FAILF("only %ld employed movers", employed_movers);
    /* Firms lost exactly their movers. */
    for (size_t f = 0; f < w->fm.n; f++) {
        if (!(w->fm.flags[f] & FF_ALIVE)) continue;
        if (w->fm.wage_bill[f] != s.wage_bill[f] - left_bill[f] || w->fm.employees[f] != s.employees[f] - left_emp[f] ||
            w->fm.skill[f] != s.skill[f] - left_skill[f]) {
            FAILF("firm %zu: employees %lld -> %d, wage bill %lld -> %lld, skill %lld -> %lld; its movers: %lld, "
                  "%lld, %lld",
                  f, (long long)s.employees[f], w->fm.employees[f], (long long)s.wage_bill[f],
                  (long long)w->fm.wage_bill[f], (long long)s.skill[f], (long long)w->fm.skill[f],
                  (long long)left_emp[f], (long long)left_bill[f], (long long)left_skill[f]);
            break;
        }
    }
    /* Transport services of the origin received the costs, nothing else moved
     * into clearing accounts. */
    int ls = local_sector(w);
    for (int k = 0; k < w->L.n_agg; k++) {
        int64_t want = s.clearing[k];
        for (int n = 0; n < N; n++)
            if (k == w->acc.clearing + world_market(w, n, ls)) want += paid_from[n];
        if (w->L.agg[k] != want) {
            FAILF("aggregate account %d: %lld fen after the call, expected %lld", k, (long long)w->L.agg[k],
                  (long long)want);
            break;
        }
    }
    /* Counts. */
    for (int a = 0; a < N; a++) {
        int64_t out = 0, in = 0;
        for (int b = 0; b < N; b++) {
            size_t k = (size_t)a * (size_t)N + (size_t)b;
            if (w->nd.od[k] - s.od[k] != od[k])
                FAILF("od[%d][%d] rose by %lld, %lld moves", a, b, (long long)(w->nd.od[k] - s.od[k]),
                      (long long)od[k]);
            out += od[k];
            in += od[(size_t)b * (size_t)N + (size_t)a];
        }
        if (w->nd.out_migrants[a] - s.out[a] != out)
            FAILF("out_migrants[%d] rose by %d, %lld moves", a, w->nd.out_migrants[a] - s.out[a], (long long)out);
        if (w->nd.in_migrants[a] - s.in[a] != in)
            FAILF("in_migrants[%d] rose by %d, %lld moves", a, w->nd.in_migrants[a] - s.in[a], (long long)in);
    }
    firm_counts_mismatch(w, "after a direct migration_run");
    inc_err e = {0};
    stats_aggregate(w);
    if (world_check(w, &e) != INC_OK) FAILF("world_check after migration_run: %s", e.msg);
    free(od); free(left_bill); free(left_emp); free(left_skill);
    snap_free(&s);
    fx_close(&fx);
}

/* ---- a naive reference of the utility -------------------------------------- */

/* V of node j for worker i living in node n (docs/model.md 11), without the taste
 * shock: written from the model text with last month's aggregates. */
static double v_ref(const world *w, size_t i, int j)
{
    const sc_params *p = w->p;
    const nodes_t *nd = &w->nd;
    const int n = w->wk.node[i], h = w->wk.hukou[i], e = w->wk.tier[i];
    const int k = j * SC_TIERS + e;
    double mean;
    if (nd->employed_tier[k] > 0) mean = (double)nd->wage_sum_tier[k] / (double)nd->employed_tier[k];
    else if (nd->employed[j] > 0) mean = (double)nd->wage_sum[j] / (double)nd->employed[j];
    else mean = nd->min_wage[j];
    mean /= 100.0; /* yuan */
    int64_t lab = nd->employed_tier[k] + nd->unemployed_tier[k];
    double u = lab > 0 ? (double)nd->unemployed_tier[k] / (double)lab : nd->unemployment_rate[j];
    double benefit = (j == h && w->sc->nodes[j].kind != NODE_RURAL)
                         ? p->households_benefit_replacement * nd->min_wage[j] / 100.0
                         : 0.0;
    double ew = mean * (1 - u) + benefit * u;
    double theta = j == h ? p->households_theta_own : p->households_theta_rent;
    double rent = theta * nd->land_price[j] * w->price_level;
    if (ew < 1) ew = 1;
    if (rent < 1) rent = 1;
    double km = migration_distance_km(w, n, j);
    return p->migration_beta_w * log(ew) - p->migration_beta_h * log(rent) - (j != h ? p->migration_kappa_hukou : 0) -
           p->migration_kappa_d * log(1 + km) + w->sc->nodes[j].amenity;
}

static void test_reference_choice(void)
{
    /* Without shocks and gravity draws: node vs hukou node, deterministic. */
    fixture fx;
    if (!fx_open(&fx, NULL, 0, 2)) return;
    world *w = &fx.w;
    if (!fx_run(&fx, 4)) { fx_close(&fx); return; }
    fx.sc.p.migration_m_u = 1.0;
    fx.sc.p.migration_m_e = 1.0;
    fx.sc.p.migration_gumbel_scale = 0.0;
    fx.sc.p.migration_candidates = 0;
    fx.sc.p.migration_kappa_hukou = 2.5; /* both outcomes common (baseline: few go home) */
    size_t n = w->wk.n;
    uint16_t *node = malloc(n * sizeof *node);
    int64_t *sav = malloc(n * sizeof *sav);
    double *vn = malloc(n * sizeof *vn), *vh = malloc(n * sizeof *vh);
    CU_ASSERT_FATAL(node && sav && vn && vh);
    for (size_t i = 0; i < n; i++) {
        node[i] = w->wk.node[i];
        sav[i] = w->wk.savings[i];
        vn[i] = v_ref(w, i, node[i]);
        vh[i] = v_ref(w, i, w->wk.hukou[i]);
    }
    migration_run(w);
    long home = 0, stay = 0, bad = 0;
    for (size_t i = 0; i < n && bad < 5; i++) {
        int h = w->wk.hukou[i];
        int moved = w->wk.node[i] != node[i];
        if (node[i] == h || w->wk.training_left[i] > 0) {
            if (moved) { FAILF("worker %zu moved though its only candidate was its node", i); bad++; }
            continue;
        }
        if (fabs(vh[i] - vn[i]) < V_TIE) continue;
        int want = vh[i] > vn[i] && sav[i] >= migration_cost_fen(w, node[i], h);
        if (moved != want || (moved && w->wk.node[i] != h)) {
            FAILF("worker %zu in node %d, hukou %d: V(node) %.6f, V(hukou) %.6f, savings %lld, cost %lld: moved to %d",
                  i, node[i], h, vn[i], vh[i], (long long)sav[i], (long long)migration_cost_fen(w, node[i], h),
                  w->wk.node[i]);
            bad++;
        }
        if (want) home++;
        else stay++;
    }
    fprintf(stderr, "\n    node vs hukou node, no shocks: %ld should go home, %ld should stay; all agreed", home, stay);
    if (home < 10 || stay < 10)
        FAILF("reference comparison one-sided: %ld went home, %ld stayed (need both to test the choice)", home, stay);
    fx_close(&fx);

    /* With gravity draws, still no shocks: never a worse node. */
    if (!fx_open(&fx, NULL, 0, 2)) goto out;
    w = &fx.w;
    if (!fx_run(&fx, 4)) { fx_close(&fx); goto out; }
    fx.sc.p.migration_m_u = 1.0;
    fx.sc.p.migration_m_e = 1.0;
    fx.sc.p.migration_gumbel_scale = 0.0;
    fx.sc.p.migration_candidates = 3;
    /* The utility weights of the time the test was written, so that enough
     * workers move for the check to bite whatever the baseline's values. */
    fx.sc.p.migration_beta_w = fx.sc.m.migration_beta_w = 2.0;
    fx.sc.p.migration_kappa_hukou = fx.sc.m.migration_kappa_hukou = 1.0;
    for (size_t i = 0; i < n; i++) {
        node[i] = w->wk.node[i];
        sav[i] = w->wk.savings[i];
    }
    /* The most expensive move from each node: a worker who can pay it could
     * have taken any candidate. */
    int64_t max_cost[SC_MAX_NODES];
    for (int a = 0; a < w->n_nodes; a++) {
        max_cost[a] = 0;
        for (int b = 0; b < w->n_nodes; b++)
            if (migration_cost_fen(w, a, b) > max_cost[a]) max_cost[a] = migration_cost_fen(w, a, b);
    }
    /* migration_run changes no aggregate v_ref reads (no stats_aggregate
     * here), so V can be evaluated afterwards. */
    migration_run(w);
    long movers = 0;
    bad = 0;
    for (size_t i = 0; i < n && bad < 5; i++) {
        int a = node[i], b = w->wk.node[i], h = w->wk.hukou[i];
        /* v_ref uses the worker's current node for the distance: put it back. */
        w->wk.node[i] = (uint16_t)a;
        double va = v_ref(w, i, a), vh2 = v_ref(w, i, h), vb = v_ref(w, i, b);
        w->wk.node[i] = (uint16_t)b;
        if (a != b) {
            movers++;
            if (vb < va - V_TIE || vb < vh2 - V_TIE) {
                FAILF("worker %zu moved %d -> %d: V %.6f, but V(node) %.6f, V(hukou %d) %.6f", i, a, b, vb, va, h, vh2);
                bad++;
            }
        } else if (w->wk.training_left[i] == 0 && h != a && sav[i] >= max_cost[a] && va < vh2 - V_TIE) {
            FAILF("worker %zu stayed in %d (V %.6f) though its hukou node %d is better (V %.6f) and it could pay any "
                  "move", i, a, va, h, vh2);
            bad++;
        }
    }
    if (movers < 100) FAILF("only %ld movers with everyone reconsidering", movers);
    fx_close(&fx);
out:
    free(node); free(sav); free(vn); free(vh);
}

/* ---- threads ------------------------------------------------------------- */

static void test_threads(void)
{
    fixture a, b;
    if (!fx_open(&a, NULL, 0, 1)) return;
    if (!fx_run(&a, 3)) { fx_close(&a); return; }
    if (!fx_open(&b, NULL, 0, 2)) { fx_close(&a); return; }
    omp_set_num_threads(2);
    if (!fx_run(&b, 3)) { fx_close(&a); fx_close(&b); return; }
    a.sc.p.migration_m_u = b.sc.p.migration_m_u = 0.5;
    a.sc.p.migration_m_e = b.sc.p.migration_m_e = 0.2;
    omp_set_num_threads(1);
    migration_run(&a.w);
    omp_set_num_threads(2);
    migration_run(&b.w);
    size_t n = a.w.wk.n, moved = 0;
    for (size_t i = 0; i < n; i++) moved += a.w.wk.node[i] != b.w.wk.node[i];
    if (moved) FAILF("%zu workers live in different nodes with 1 and 2 threads", moved);
    if (memcmp(a.w.wk.savings, b.w.wk.savings, n * sizeof(int64_t)) ||
        memcmp(a.w.wk.employer, b.w.wk.employer, n * sizeof(int32_t)))
        FAILF("savings or employers differ with 1 and 2 threads");
    if (memcmp(a.w.nd.od, b.w.nd.od, sizeof(int64_t) * (size_t)a.w.n_nodes * (size_t)a.w.n_nodes) ||
        memcmp(a.w.L.agg, b.w.L.agg, sizeof(int64_t) * (size_t)a.w.L.n_agg))
        FAILF("od matrix or aggregate accounts differ with 1 and 2 threads");
    fx_close(&a);
    fx_close(&b);
}

/* ---- months of the model: audit, counts, the year's matrix ---------------- */

/* Run `months` months; every month firm counts must match, and at each
 * closed year the od matrix must match the months' in- and out-migrants. */
static void run_checked(const char *const *sets, int n_sets, int months, int expect_years, const int *expect_months)
{
    fixture fx;
    if (!fx_open(&fx, sets, n_sets, 2)) return;
    world *w = &fx.w;
    const int N = w->n_nodes;
    int64_t in[SC_MAX_NODES] = {0}, out[SC_MAX_NODES] = {0};
    int months_in_year = 0, years = 0;
    long total_moves = 0;
    for (int m = 0; m < months; m++) {
        if (w->calendar % 12 == 0) {
            memset(in, 0, sizeof in);
            memset(out, 0, sizeof out);
            months_in_year = 0;
        }
        if (!fx_month(&fx)) break;
        char when[64];
        snprintf(when, sizeof when, "month %d", m);
        if (firm_counts_mismatch(w, when)) break;
        months_in_year++;
        for (int n = 0; n < N; n++) {
            in[n] += w->nd.in_migrants[n];
            out[n] += w->nd.out_migrants[n];
            total_moves += w->nd.in_migrants[n];
        }
        if (!w->year_closed) continue;
        if (years < expect_years && months_in_year != expect_months[years])
            FAILF("year %d closed after %d months, expected %d", years, months_in_year, expect_months[years]);
        years++;
        int64_t sum = 0, sum_in = 0;
        for (int a = 0; a < N; a++) {
            int64_t row = 0, col = 0;
            for (int b = 0; b < N; b++) {
                row += w->nd.od[(size_t)a * (size_t)N + (size_t)b];
                col += w->nd.od[(size_t)b * (size_t)N + (size_t)a];
            }
            if (w->nd.od[(size_t)a * (size_t)N + (size_t)a] != 0) FAILF("od diagonal of node %d is not 0", a);
            if (row != out[a] || col != in[a])
                FAILF("month %d, node %d: od row sum %lld vs out-migrants %lld; column sum %lld vs in-migrants %lld", m,
                      a, (long long)row, (long long)out[a], (long long)col, (long long)in[a]);
            sum += row;
            sum_in += in[a];
        }
        if (sum != sum_in) FAILF("od total %lld, movers %lld", (long long)sum, (long long)sum_in);
    }
    if (years != expect_years) FAILF("%d years closed, expected %d", years, expect_years);
    if (total_moves < 20) FAILF("only %ld moves in %d months", total_moves, months);
    fx_close(&fx);
}

static void test_months_baseline(void)
{
    static const int m[] = {12, 12};
    run_checked(NULL, 0, 24, 2, m);
}

static void test_months_high_rates(void)
{
    static const char *const sets[] = {"migration.m_u=0.5", "migration.m_e=0.1"};
    static const int m[] = {12, 12};
    run_checked(sets, 2, 24, 2, m);
}

static void test_months_mid_year(void)
{
    static const char *const sets[] = {"run.start=2019-07", "run.months=8"};
    static const int m[] = {6, 2};
    run_checked(sets, 2, 8, 2, m);
}

/* ---- statistical experiments -------------------------------------------- */

/* Copy of the baseline node table with inland urban amenities + delta. */
static int write_inland_nodes(const char *out, double delta)
{
    char src[1024];
    snprintf(src, sizeof src, "%s/scenarios/data/nodes.csv", tu_srcdir());
    FILE *in = fopen(src, "r"), *o = fopen(out, "w");
    if (!in || !o) {
        if (in) fclose(in);
        if (o) fclose(o);
        return -1;
    }
    char line[4096];
    int header = 1, changed = 0;
    while (fgets(line, sizeof line, in)) {
        if (line[0] == '#' || header) {
            if (line[0] != '#') header = 0;
            fputs(line, o);
            continue;
        }
        /* name,kind,region,coastal,lat,lon,population,gdp_per_capita,min_wage,amenity,... */
        char *f[11];
        char *p = line;
        int k = 0;
        for (; k < 10; k++) {
            f[k] = p;
            char *c = strchr(p, ',');
            if (!c) break;
            *c = 0;
            p = c + 1;
        }
        if (k < 10) { fclose(in); fclose(o); return -1; }
        f[10] = p;
        double amen = atof(f[9]);
        if (strcmp(f[1], "rural") != 0 && strcmp(f[3], "0") == 0) {
            amen += delta;
            changed++;
        }
        fprintf(o, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%.17g,%s", f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], amen,
                f[10]);
    }
    fclose(in);
    return fclose(o) == 0 && changed > 0 ? 0 : -1;
}

/* The end-of-run value of metric after `months` months of the baseline with
 * seed and extra overrides; NAN on failure. */
static double experiment(int seed, const char *extra, double (*metric)(const world *), double *start)
{
    char seed_set[32];
    snprintf(seed_set, sizeof seed_set, "run.seed=%d", seed);
    const char *sets[N_EXPERIMENT_SETS + 2];
    int n = 0;
    for (int k = 0; k < N_EXPERIMENT_SETS; k++) sets[n++] = EXPERIMENT_SETS[k];
    sets[n++] = seed_set;
    if (extra) sets[n++] = extra; /* last: overrides the control */
    fixture fx;
    if (!fx_open(&fx, sets, n, 2)) return NAN;
    if (start) *start = metric(&fx.w);
    double v = fx_run(&fx, EXPERIMENT_MONTHS) ? metric(&fx.w) : NAN;
    fx_close(&fx);
    return v;
}

static void test_inland_amenity(void)
{
    char csv[1024], set[1100 + 1024];
    snprintf(csv, sizeof csv, "%s/nodes_inland.csv", tu_tmpdir());
    if (write_inland_nodes(csv, 1.0) != 0) {
        FAILF("cannot write %s", csv);
        return;
    }
    snprintf(set, sizeof set, "data.nodes=%s", csv);
    for (int seed = 1; seed <= 3; seed++) {
        double s0 = NAN;
        double base = experiment(seed, NULL, inland_share, &s0);
        double high = experiment(seed, set, inland_share, NULL);
        fprintf(stderr, "\n    seed %d: inland urban share %.4f at start, %.4f control, %.4f with inland amenity + 1",
                seed, s0, base, high);
        if (!(high - base > INLAND_MARGIN))
            FAILF("seed %d: inland amenity + 1 gives inland urban share %.4f, control %.4f: not higher by %.3f", seed,
                  high, base, INLAND_MARGIN);
    }
}

static void test_hukou_penalty(void)
{
    for (int seed = 1; seed <= 3; seed++) {
        double s0 = NAN;
        double base = experiment(seed, NULL, away_share, &s0);
        double low = experiment(seed, "migration.kappa_hukou=0", away_share, NULL);
        fprintf(stderr,
                "\n    seed %d: share outside hukou node %.4f at start, %.4f control (kappa_hukou 1), %.4f with "
                "kappa_hukou 0",
                seed, s0, base, low);
        if (!(low - base > HUKOU_MARGIN))
            FAILF("seed %d: kappa_hukou = 0 gives %.4f of workers outside their hukou node, control %.4f: not higher "
                  "by %.3f",
                  seed, low, base, HUKOU_MARGIN);
    }
}

/* ---- the real program's HDF5 file ------------------------------------------ */

/* Run incubator-sim into TMP/name.h5 with extra arguments; 0 on success. */
static int run_sim(const char *name, const char *const *extra, int n_extra, char *out, size_t out_len)
{
    char exe[512], scen[512], log[512];
    if (tu_program_path("incubator-sim", exe, sizeof exe) != 0) return -1;
    snprintf(scen, sizeof scen, "%s/scenarios/baseline.ini", tu_srcdir());
    snprintf(out, out_len, "%s/%s.h5", tu_tmpdir(), name);
    snprintf(log, sizeof log, "%s/%s.log", tu_tmpdir(), name);
    const char *argv[32];
    int n = 0;
    argv[n++] = exe;
    argv[n++] = scen;
    argv[n++] = "--workers";
    argv[n++] = WORKERS_S;
    argv[n++] = "--quiet";
    argv[n++] = "--force";
    argv[n++] = "--out";
    argv[n++] = out;
    for (int k = 0; k < n_extra && n < 31; k++) argv[n++] = extra[k];
    argv[n] = NULL;
    int rc = tu_run_program(exe, argv, log, RUN_TIMEOUT_S, NULL);
    if (rc != 0) {
        if (rc > 0) FAILF("incubator-sim for %s failed (exit code %d); log %s", name, rc, log);
        return -1; /* -1 is reported already */
    }
    return 0;
}

static int read_attr_text(hid_t obj, const char *name, char *out, size_t len)
{
    out[0] = 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    hid_t t = H5Aget_type(a);
    size_t sz = H5Tget_size(t);
    char *buf = calloc(sz + 1, 1);
    int r = buf && H5Aread(a, t, buf) >= 0 ? 0 : -1;
    if (!r) snprintf(out, len, "%s", buf);
    free(buf);
    H5Tclose(t);
    H5Aclose(a);
    return r;
}

/* Check the file's /migration against its monthly /node series. */
static void check_file(const char *path, int start_month, int n_years, const int *years, const int *months)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        FAILF("cannot open %s", path);
        return;
    }
    hsize_t d_od[H5S_MAX_RANK], d_in[H5S_MAX_RANK], d_out[H5S_MAX_RANK], d_y[H5S_MAX_RANK], d_m[H5S_MAX_RANK];
    int r_od, r_in, r_out, r_y, r_m;
    size_t n_od, n_in, n_out, n_y, n_m;
    double *od = tu_h5_read(f, path, "/migration/od", H5T_NATIVE_DOUBLE, &n_od, &r_od, d_od);
    double *in = tu_h5_read(f, path, "/node/in_migrants", H5T_NATIVE_DOUBLE, &n_in, &r_in, d_in);
    double *out = tu_h5_read(f, path, "/node/out_migrants", H5T_NATIVE_DOUBLE, &n_out, &r_out, d_out);
    int *yr = tu_h5_read(f, path, "/migration/year", H5T_NATIVE_INT, &n_y, &r_y, d_y);
    int *mo = tu_h5_read(f, path, "/migration/months", H5T_NATIVE_INT, &n_m, &r_m, d_m);
    if (!od || !in || !out || !yr || !mo) goto done;
    /* The monthly node series are (month, node): N below is their dimension 1. */
    if (r_in != 2 || r_out != 2) {
        FAILF("%s: /node/in_migrants has rank %d, /node/out_migrants rank %d; expected 2", path, r_in, r_out);
        goto done;
    }
    const hsize_t N = d_in[1];
    if (r_od != 3 || d_od[0] != (hsize_t)n_years || d_od[1] != N || d_od[2] != N) {
        FAILF("%s: /migration/od has rank %d, shape (%llu, %llu, %llu); expected (%d, %llu, %llu)", path, r_od,
              (unsigned long long)d_od[0], (unsigned long long)(r_od > 1 ? d_od[1] : 0),
              (unsigned long long)(r_od > 2 ? d_od[2] : 0), n_years, (unsigned long long)N, (unsigned long long)N);
        goto done;
    }
    if (n_y != (size_t)n_years || n_m != (size_t)n_years) {
        FAILF("%s: %zu years and %zu month counts, expected %d", path, n_y, n_m, n_years);
        goto done;
    }
    double total_all = 0;
    int t0 = 0;
    for (int y = 0; y < n_years; y++) {
        if (yr[y] != years[y] || mo[y] != months[y])
            FAILF("%s: row %d is year %d with %d months, expected %d with %d", path, y, yr[y], mo[y], years[y],
                  months[y]);
        /* The months of this year in the monthly series. */
        int t1 = t0;
        while (t1 < (int)d_in[0] && (start_month + t1) / 12 == years[y]) t1++;
        if (t1 - t0 != months[y])
            FAILF("%s: %d months of %d in /node series, expected %d", path, t1 - t0, years[y], months[y]);
        double tot = 0, tot_in = 0;
        for (hsize_t a = 0; a < N; a++) {
            double row = 0, col = 0, sin = 0, sout = 0;
            for (hsize_t b = 0; b < N; b++) {
                row += od[((size_t)y * N + a) * N + b];
                col += od[((size_t)y * N + b) * N + a];
            }
            if (od[((size_t)y * N + a) * N + a] != 0)
                FAILF("%s: year %d: diagonal of node %llu not 0", path, years[y], (unsigned long long)a);
            for (int t = t0; t < t1; t++) {
                sin += in[(size_t)t * N + a];
                sout += out[(size_t)t * N + a];
            }
            if (fabs(row - sout) > 1e-9 * (sout + 1) || fabs(col - sin) > 1e-9 * (sin + 1))
                FAILF("%s: year %d, node %llu: od row %.17g vs out-migrants %.17g, column %.17g vs in-migrants %.17g",
                      path, years[y], (unsigned long long)a, row, sout, col, sin);
            tot += row;
            tot_in += sin;
        }
        if (fabs(tot - tot_in) > 1e-9 * (tot_in + 1))
            FAILF("%s: year %d: od total %.17g persons, in-migrants %.17g", path, years[y], tot, tot_in);
        total_all += tot;
        t0 = t1;
    }
    if (!(total_all > 0)) FAILF("%s: nobody moved", path);
    /* Self-description: units, scales. */
    /* The group's own coordinates (netCDF-4 wants them in the group):
     * year, origin node, destination node (docs/output.md). */
    hid_t d = H5Dopen2(f, "/migration/od", H5P_DEFAULT), ys = H5Dopen2(f, "/migration/year", H5P_DEFAULT),
          nn = H5Dopen2(f, "/migration/node", H5P_DEFAULT), nd = H5Dopen2(f, "/migration/node_dest", H5P_DEFAULT);
    if (d >= 0 && ys >= 0 && nn >= 0 && nd >= 0) {
        char units[64];
        if (read_attr_text(d, "units", units, sizeof units) != 0 || strcmp(units, "persons/year") != 0)
            FAILF("%s: /migration/od units '%s'", path, units);
        if (H5DSis_scale(ys) <= 0) FAILF("%s: /migration/year is not a dimension scale", path);
        if (H5DSis_attached(d, ys, 0) <= 0 || H5DSis_attached(d, nn, 1) <= 0 || H5DSis_attached(d, nd, 2) <= 0)
            FAILF("%s: /migration/od scales not attached (year, node, node_dest)", path);
    } else {
        FAILF("%s: cannot open the migration datasets", path);
    }
    if (d >= 0) H5Dclose(d);
    if (ys >= 0) H5Dclose(ys);
    if (nn >= 0) H5Dclose(nn);
    if (nd >= 0) H5Dclose(nd);
done:
    free(od); free(in); free(out); free(yr); free(mo);
    H5Fclose(f);
}

static void test_file_january(void)
{
    static const char *const extra[] = {"--months", "24"};
    char path[1024];
    if (run_sim("jan", extra, 2, path, sizeof path) != 0) return;
    static const int years[] = {2019, 2020}, months[] = {12, 12};
    check_file(path, 2019 * 12, 2, years, months);
}

static void test_file_mid_year(void)
{
    static const char *const extra[] = {"--months", "20", "--set", "run.start=2019-07"};
    char path[1024];
    if (run_sim("jul", extra, 4, path, sizeof path) != 0) return;
    static const int years[] = {2019, 2020, 2021}, months[] = {6, 12, 2};
    check_file(path, 2019 * 12 + 6, 3, years, months);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    static const tu_test tests[] = {
        {"distances, moving costs", test_geometry},
        {"gravity tables: residents / km^2, rebuilt each January", test_gravity_tables},
        {"one call: exact moving costs, movers quit, trainees and the poor stay, counts", test_direct_call},
        {"choices agree with a naive reference of the utility", test_reference_choice},
        {"same moves with 1 and 2 threads", test_threads},
        {"24 months, baseline: audit, firm counts, od = in/out-migrants", test_months_baseline},
        {"24 months, 5-10 times the rates: audit, firm counts, od", test_months_high_rates},
        {"a run from July: partial years of 6 and 2 months", test_months_mid_year},
        {"inland amenity + 1 raises the inland urban share (seeds 1-3)", test_inland_amenity},
        {"kappa_hukou 0 raises the share living outside the hukou node (seeds 1-3)", test_hukou_penalty},
        {"HDF5: /migration/od of a 24-month run from January", test_file_january},
        {"HDF5: /migration/od of a run from July 2019 (partial years)", test_file_mid_year},
        {NULL, NULL},
    };
    return tu_run_suite("migration", tests);
}
