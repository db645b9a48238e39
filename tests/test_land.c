/* test_land.c - the land price index and land sales (docs/model.md 13, land.c).
 *
 * On small worlds of the baseline scenario (20000 worker agents):
 *  - the index follows residents: after a land_run that records the node
 *    counts, unemployed workers are moved from Rest of East to Hefei; the
 *    next land_run raises Hefei's index by exactly exp(ln(R1/R0) /
 *    elasticity), lowers Rest of East's likewise and leaves every other
 *    node's index unchanged; more firm employment raises a node's index by
 *    exp(share_firm ln(E1/E0) / elasticity); a jump larger than the band is
 *    clamped to exactly +5% (exp(0.05));
 *  - land sales are exact in fen: with hires set on every firm, a share of
 *    them flagged FF_TARGET and incentives.land_discount = 0.3, every firm's
 *    deposits fall by min(due, deposits) with due = floor(P_n x price level
 *    x cost_per_hire x 100 x hires) (times 1 - discount, floored, for target
 *    firms), farms pay nothing, each local government receives the sum over
 *    its firms (also in lg_revenue and land_sales), the forgone revenue
 *    (discounts, and what a drained firm could not pay) is added to
 *    subsidies and land_discounts exactly, the FLOW_LAND tally equals the
 *    revenue, and the audit passes; identical with 1 and 2 threads;
 *  - a 12-month run with target firms and a land discount: the audit passes
 *    every month, land revenue and discounts are positive and match the
 *    flow tally, and no node's index moves by more than the band in a month. */
#include "testutil.h"
#include "phases.h"
#include "scenario.h"
#include "stats.h"
#include "world.h"
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS 20000
#define BAND 0.05 /* land.c LAND_MAX_STEP */

#define FAIL_SOME(counter, ...)                  \
    do {                                         \
        if ((counter)++ < 5) FAILF(__VA_ARGS__); \
    } while (0)

typedef tu_world fixture;

static int fixture_open(fixture *fx, int threads, const char *const *sets, int n_sets, int months)
{
    return tu_world_open(fx, "baseline.ini", sets, n_sets, threads, WORKERS, months);
}

static void fixture_close(fixture *fx) { tu_world_close(fx); }

static int node_named(const world *w, const char *name)
{
    for (int n = 0; n < w->n_nodes; n++)
        if (!strcmp(w->sc->nodes[n].name, name)) return n;
    return -1;
}

static int is_farm(const world *w, size_t f) { return w->sc->sectors[w->fm.sector[f]].agriculture; }

/* Residents and non-farm firm employment per node, counted naively. */
static void count_nodes(const world *w, int64_t *res, int64_t *emp)
{
    memset(res, 0, sizeof(int64_t) * (size_t)w->n_nodes);
    memset(emp, 0, sizeof(int64_t) * (size_t)w->n_nodes);
    for (size_t i = 0; i < w->wk.n; i++) res[w->wk.node[i]]++;
    for (size_t f = 0; f < w->fm.n; f++)
        if ((w->fm.flags[f] & FF_ALIVE) && !is_farm(w, f)) emp[w->fm.node[f]] += w->fm.employees[f];
}

/* Expected index after a land_run from recorded counts and prices. */
static double expected_price(const world *w, int n, double p0, int64_t r0, int64_t r1, int64_t e0, int64_t e1)
{
    double g = log((double)r1 / (double)r0) + w->p->land_share_firm * log((double)e1 / (double)e0);
    double d = g / w->sc->nodes[n].land_elasticity;
    if (d > BAND) d = BAND;
    if (d < -BAND) d = -BAND;
    return p0 * exp(d);
}

/* Check every node's index against the reference; returns violations. */
static int check_prices(const world *w, const double *p0, const int64_t *r0, const int64_t *r1, const int64_t *e0,
                        const int64_t *e1)
{
    int bad = 0;
    for (int n = 0; n < w->n_nodes; n++) {
        double ex = expected_price(w, n, p0[n], r0[n], r1[n], e0[n], e1[n]);
        int same = r0[n] == r1[n] && e0[n] == e1[n];
        if ((same && w->nd.land_price[n] != p0[n]) || fabs(w->nd.land_price[n] - ex) > 1e-12 * ex)
            FAIL_SOME(bad, "node %s: index %.15g, expected %.15g (was %.15g; residents %" PRId64 " -> %" PRId64
                      ", firm employment %" PRId64 " -> %" PRId64 ")",
                      w->sc->nodes[n].name, w->nd.land_price[n], ex, p0[n], r0[n], r1[n], e0[n], e1[n]);
    }
    return bad;
}

static void test_price_follows_residents(void)
{
    fixture fx;
    if (!fixture_open(&fx, 2, NULL, 0, 3)) return;
    world *w = &fx.w;
    const int N = w->n_nodes;
    const int A = node_named(w, "Hefei"), B = node_named(w, "Rest of East"), C = node_named(w, "Wuhan"),
              D = node_named(w, "Shenyang");
    CU_ASSERT_FATAL(A >= 0 && B >= 0 && C >= 0 && D >= 0);
    for (size_t f = 0; f < w->fm.n; f++) w->fm.hires[f] = 0; /* no land sales: prices only */
    land_run(w); /* records this month's counts */
    int64_t r0[SC_MAX_NODES], e0[SC_MAX_NODES], r1[SC_MAX_NODES], e1[SC_MAX_NODES];
    double p0[SC_MAX_NODES];
    count_nodes(w, r0, e0);
    for (int n = 0; n < N; n++) {
        p0[n] = w->nd.land_price[n];
        if (w->nd.residents_prev[n] != r0[n] || w->nd.firm_emp_prev[n] != e0[n])
            FAILF("node %d: land_run recorded %" PRId64 " residents and %" PRId64 " firm employment, counted %" PRId64
                  " and %" PRId64, n, w->nd.residents_prev[n], w->nd.firm_emp_prev[n], r0[n], e0[n]);
    }

    /* 1. Residents of Rest of East move to Hefei: 3% more residents there. */
    int64_t move = r0[A] * 3 / 100, moved = 0;
    for (size_t i = 0; i < w->wk.n && moved < move; i++)
        if (w->wk.node[i] == B && w->wk.employer[i] < 0) { w->wk.node[i] = (uint16_t)A; moved++; }
    CU_ASSERT_FATAL(moved == move && move > 0);
    land_run(w);
    count_nodes(w, r1, e1);
    check_prices(w, p0, r0, r1, e0, e1);
    printf("\n    %" PRId64 " residents moved: Hefei %.6f -> %.6f, Rest of East %.6f -> %.6f\n", moved, p0[A],
           w->nd.land_price[A], p0[B], w->nd.land_price[B]);
    CU_ASSERT_TRUE(w->nd.land_price[A] > p0[A]);
    CU_ASSERT_TRUE(w->nd.land_price[B] < p0[B]);

    /* 2. Firm employment in Wuhan rises by 8% (a direct edit: the world is
     * only used for land_run from here on). */
    for (int n = 0; n < N; n++) { p0[n] = w->nd.land_price[n]; r0[n] = r1[n]; e0[n] = e1[n]; }
    int64_t add = e0[C] * 8 / 100;
    for (size_t f = 0; f < w->fm.n && add > 0; f++)
        if ((w->fm.flags[f] & FF_ALIVE) && w->fm.node[f] == C && !is_farm(w, f)) {
            w->fm.employees[f] += (int32_t)add;
            add = 0;
        }
    land_run(w);
    count_nodes(w, r1, e1);
    check_prices(w, p0, r0, r1, e0, e1);
    printf("    Wuhan firm employment %" PRId64 " -> %" PRId64 ": index %.6f -> %.6f\n", e0[C], e1[C], p0[C],
           w->nd.land_price[C]);
    CU_ASSERT_TRUE(w->nd.land_price[C] > p0[C]);

    /* 3. A jump beyond the band: 40% more residents in Shenyang. */
    for (int n = 0; n < N; n++) { p0[n] = w->nd.land_price[n]; r0[n] = r1[n]; e0[n] = e1[n]; }
    move = r0[D] * 40 / 100;
    moved = 0;
    for (size_t i = 0; i < w->wk.n && moved < move; i++)
        if (w->wk.node[i] == B && w->wk.employer[i] < 0) { w->wk.node[i] = (uint16_t)D; moved++; }
    CU_ASSERT_FATAL(moved == move);
    land_run(w);
    count_nodes(w, r1, e1);
    check_prices(w, p0, r0, r1, e0, e1);
    if (w->nd.land_price[D] != p0[D] * exp(BAND))
        FAILF("Shenyang: index %.17g after a 40%% jump in residents, expected the band's %.17g", w->nd.land_price[D],
              p0[D] * exp(BAND));
    fixture_close(&fx);
}

/* Land sales on a world after 4 months, with hires and target flags set by
 * the test. Leaves the world open in *fx. */
static int sales_case(fixture *fx, int threads)
{
    const char *sets[] = {"incentives.land_discount=0.3"};
    if (!fixture_open(fx, threads, sets, 1, 4)) return 0;
    world *w = &fx->w;
    firms_t *fm = &w->fm;
    const int N = w->n_nodes;
    const double d = w->p->incentives_land_discount;
    CU_ASSERT_EQUAL(d, 0.3);
    ledger_begin_month(w);
    int32_t drained_target = -1, drained_other = -1;
    for (size_t f = 0; f < fm->n; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        fm->hires[f] = (int32_t)(1 + f % 3);
        if (is_farm(w, f)) continue;
        if (f % 4 == 0) fm->flags[f] |= FF_TARGET;
        /* One target and one other firm left with 1 and 0 fen. */
        int target = (fm->flags[f] & FF_TARGET) != 0;
        if ((target ? drained_target : drained_other) < 0 && fm->deposits[f] > 1000000) {
            int64_t keep = target ? 1 : 0;
            ledger_move(w, ledger_serial(w), acct_firm((int32_t)f), acct_owners(w, fm->node[f]),
                        fm->deposits[f] - keep, FLOW_OTHER);
            if (target) drained_target = (int32_t)f;
            else drained_other = (int32_t)f;
        }
    }
    ledger_flush(w);
    CU_ASSERT_FATAL(drained_target >= 0 && drained_other >= 0);

    int64_t *dep0 = malloc(sizeof(int64_t) * fm->n);
    memcpy(dep0, fm->deposits, sizeof(int64_t) * fm->n);
    int64_t lg0[SC_MAX_NODES], rev0[SC_MAX_NODES], sub0[SC_MAX_NODES];
    for (int n = 0; n < N; n++) {
        lg0[n] = w->L.agg[w->acc.localgov + n];
        rev0[n] = w->nd.lg_revenue[n];
        sub0[n] = w->nd.subsidies[n];
    }
    double price[SC_MAX_NODES];
    memcpy(price, w->nd.land_price, sizeof(double) * (size_t)N);
    land_run(w);

    /* Reference, serial. */
    const double per_hire = w->p->land_cost_per_hire * 100.0 * w->price_level;
    int64_t paid_n[SC_MAX_NODES] = {0}, forgone_n[SC_MAX_NODES] = {0}, paid_all = 0, discount_only = 0;
    int bad = 0;
    for (size_t f = 0; f < fm->n; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        int n = fm->node[f];
        int64_t full = 0, due = 0;
        if (!is_farm(w, f)) {
            full = fen_floor(price[n] * per_hire * (double)fm->hires[f]);
            due = (fm->flags[f] & FF_TARGET) ? fen_floor((double)full * (1.0 - d)) : full;
            if (fm->flags[f] & FF_TARGET) discount_only += full - due;
        }
        int64_t paid = due < dep0[f] ? due : dep0[f];
        if (dep0[f] - fm->deposits[f] != paid)
            FAIL_SOME(bad, "firm %zu (%s%s): paid %" PRId64 " fen, expected %" PRId64 " (full %" PRId64 ", due %" PRId64
                      ", deposits %" PRId64 ")", f, is_farm(w, f) ? "farm" : "non-farm",
                      (fm->flags[f] & FF_TARGET) ? ", target" : "", dep0[f] - fm->deposits[f], paid, full, due, dep0[f]);
        paid_n[n] += paid;
        forgone_n[n] += full - paid;
        paid_all += paid;
    }
    if (fm->deposits[drained_target] != 0 || fm->deposits[drained_other] != 0)
        FAILF("drained firms left with %" PRId64 " and %" PRId64 " fen", fm->deposits[drained_target],
              fm->deposits[drained_other]);
    for (int n = 0; n < N; n++) {
        int64_t got = w->L.agg[w->acc.localgov + n] - lg0[n];
        if (got != paid_n[n] || w->nd.lg_revenue[n] - rev0[n] != paid_n[n] || w->nd.land_sales[n] != paid_n[n])
            FAIL_SOME(bad, "node %d: local government received %" PRId64 " (lg_revenue +%" PRId64 ", land_sales %" PRId64
                      "), reference %" PRId64, n, got, w->nd.lg_revenue[n] - rev0[n], w->nd.land_sales[n], paid_n[n]);
        if (w->nd.subsidies[n] - sub0[n] != forgone_n[n] || w->nd.land_discounts[n] != forgone_n[n])
            FAIL_SOME(bad, "node %d: subsidies +%" PRId64 ", land_discounts %" PRId64 ", reference forgone %" PRId64, n,
                      w->nd.subsidies[n] - sub0[n], w->nd.land_discounts[n], forgone_n[n]);
    }
    int64_t res;
    inc_err e = {0};
    if (ledger_audit(w, &res, &e) != INC_OK) FAILF("audit after land_run: %s", e.msg);
    if (w->L.flow[FLOW_LAND] != paid_all)
        FAILF("FLOW_LAND %" PRId64 " fen, land revenue %" PRId64, w->L.flow[FLOW_LAND], paid_all);
    printf("\n    %d threads: land revenue %" PRId64 " fen, discounts %" PRId64 " fen\n", threads, paid_all, discount_only);
    CU_ASSERT_TRUE(paid_all > 0 && discount_only > 0);
    free(dep0);
    return 1;
}

static void test_land_sales_exact(void)
{
    fixture a, b;
    int ok_a = sales_case(&a, 1), ok_b = sales_case(&b, 2);
    if (ok_a && ok_b) {
        if (a.w.fm.n != b.w.fm.n || memcmp(a.w.fm.deposits, b.w.fm.deposits, sizeof(int64_t) * a.w.fm.n))
            FAILF("firm deposits differ between 1 and 2 threads");
        if (memcmp(a.w.L.agg, b.w.L.agg, sizeof(int64_t) * (size_t)a.w.L.n_agg))
            FAILF("aggregate accounts differ between 1 and 2 threads");
        if (memcmp(a.w.nd.land_price, b.w.nd.land_price, sizeof(double) * (size_t)a.w.n_nodes))
            FAILF("land prices differ between 1 and 2 threads");
    }
    if (ok_a) fixture_close(&a);
    if (ok_b) fixture_close(&b);
}

static void test_land_full_run(void)
{
    const char *sets[] = {"incentives.land_discount=0.5"};
    fixture fx;
    if (!fixture_open(&fx, 2, sets, 1, 0)) return;
    world *w = &fx.w;
    for (size_t f = 0; f < w->fm.n; f++)
        if ((w->fm.flags[f] & FF_ALIVE) && !is_farm(w, f) && f % 5 == 0) w->fm.flags[f] |= FF_TARGET;
    int64_t sales = 0, disc = 0;
    int bad = 0;
    for (int m = 0; m < 12; m++) {
        double p0[SC_MAX_NODES];
        memcpy(p0, w->nd.land_price, sizeof(double) * (size_t)w->n_nodes);
        inc_err e = {0};
        if (sim_month(w, fx.st, &e) != INC_OK) {
            FAILF("month %d: %s", m, e.msg);
            break;
        }
        int64_t s = 0;
        for (int n = 0; n < w->n_nodes; n++) {
            s += w->nd.land_sales[n];
            disc += w->nd.land_discounts[n];
            if (w->nd.land_discounts[n] < 0 || w->nd.subsidies[n] < w->nd.land_discounts[n])
                FAIL_SOME(bad, "month %d node %d: land discounts %" PRId64 ", subsidies %" PRId64, m, n,
                          w->nd.land_discounts[n], w->nd.subsidies[n]);
            double step = log(w->nd.land_price[n] / p0[n]);
            if (!(fabs(step) <= BAND + 1e-12))
                FAIL_SOME(bad, "month %d node %d: ln index moved by %g", m, n, step);
        }
        if (s != w->L.flow[FLOW_LAND]) FAIL_SOME(bad, "month %d: land sales %" PRId64 " but FLOW_LAND %" PRId64, m, s,
                                                 w->L.flow[FLOW_LAND]);
        sales += s;
    }
    printf("\n    12 months: land revenue %.4g yuan, forgone %.4g yuan (model scale)\n", (double)sales / 100,
           (double)disc / 100);
    CU_ASSERT_TRUE(sales > 0 && disc > 0);
    fixture_close(&fx);
}

int main(void)
{
    const tu_test tests[] = {
        {"the land price index follows residents and firm employment", test_price_follows_residents},
        {"land sales and discounts are exact in fen, 1 and 2 threads", test_land_sales_exact},
        {"12 months with target firms: audit, flows, band", test_land_full_run},
        {NULL, NULL},
    };
    return tu_run_suite("land", tests);
}
