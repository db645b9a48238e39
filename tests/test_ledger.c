/* test_ledger.c - money moves and the monthly audit (ledger.h, docs/design.md "Money").
 *
 * On a small world of the baseline scenario (3000 worker agents):
 *  - serial moves between workers, firms and aggregate accounts change the
 *    balances by exactly the amounts and keep the audit at 0;
 *  - parallel booking (every worker pays 1 fen to its node's owners and 1 fen
 *    to its employer) is exact and gives the same balances for 1, 2 and 3
 *    threads;
 *  - lending, repayment, write-off, payments to and from the bank, LGFV
 *    lending and repayment and bond issues keep the audit at 0, serially and
 *    from a parallel loop;
 *  - planted leaks (money created outside the ledger) make the audit fail with
 *    a message naming the month, the identity and amounts 1 fen apart, both
 *    directly and through sim_month (the leak of the issue: 1 fen added to a
 *    worker's savings before month 3 stops the run in 2019-03);
 *  - every month of a 12-month run has a stock-flow residual of 0. */
#include "testutil.h"
#include "phases.h"
#include "scenario.h"
#include "stats.h"
#include "world.h"
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_WORKERS 3000
#define MAX_THREADS 3

/* A small world of the baseline scenario built for `threads` threads. */
typedef struct {
    scenario sc;
    world w;
    stats_t *st;
} fixture;

static int fixture_open(fixture *fx, int threads, int64_t workers)
{
    inc_err e = {0};
    char path[1024];
    memset(fx, 0, sizeof *fx);
    snprintf(path, sizeof path, "%s/scenarios/baseline.ini", tu_srcdir());
    if (scenario_load(&fx->sc, path, NULL, 0, &e) != INC_OK) {
        fprintf(stderr, "\n  scenario_load: %s\n", e.msg);
        return 0;
    }
    if (world_init(&fx->w, &fx->sc, threads, workers, &e) != INC_OK) {
        fprintf(stderr, "\n  world_init: %s\n", e.msg);
        scenario_free(&fx->sc);
        return 0;
    }
    /* The kernel's parallel regions use the OpenMP default team size and
     * index per-thread scratch by thread number: never more threads than the
     * world was built for. */
    omp_set_num_threads(threads);
    stats_aggregate(&fx->w);
    fx->st = stats_alloc(fx->w.n_nodes, fx->w.n_sectors);
    if (!fx->st) {
        world_free(&fx->w);
        scenario_free(&fx->sc);
        return 0;
    }
    return 1;
}

static void fixture_close(fixture *fx)
{
    stats_free(fx->st);
    world_free(&fx->w);
    scenario_free(&fx->sc);
}

/* A live firm with loans, employees and deposits, or -1. */
static int32_t some_live_firm(const world *w)
{
    for (size_t f = 0; f < w->fm.n; f++)
        if ((w->fm.flags[f] & FF_ALIVE) && w->fm.loans[f] > 0 && w->fm.employees[f] > 0 && w->fm.deposits[f] > 0)
            return (int32_t)f;
    return -1;
}

/* Run the audit; assert it passes with residual 0. */
static void assert_audit_ok(world *w, const char *after)
{
    inc_err e = {0};
    int64_t residual = -1;
    inc_status s = ledger_audit(w, &residual, &e);
    if (s != INC_OK || residual != 0) fprintf(stderr, "\n  after %s: %s (residual %lld)\n", after, e.msg, (long long)residual);
    CU_ASSERT_EQUAL(s, INC_OK);
    CU_ASSERT_EQUAL(residual, 0);
}

/* The two amounts of an audit message "...: A fen vs B fen (difference D fen)". */
static int msg_amounts(const char *msg, long long *a, long long *b)
{
    const char *vs = strstr(msg, " fen vs ");
    if (!vs) return 0;
    const char *p = vs;
    while (p > msg && p[-1] != ' ') p--;
    return sscanf(p, "%lld fen vs %lld fen", a, b) == 2;
}

/* Assert an audit failure whose message names the month and the identity
 * and whose amounts differ by `diff` fen. */
static void assert_audit_msg(inc_status s, const inc_err *e, const char *month, const char *identity, long long diff)
{
    CU_ASSERT_EQUAL(s, INC_ERR_AUDIT);
    CU_ASSERT_EQUAL(e->code, INC_ERR_AUDIT);
    if (!strstr(e->msg, month) || !strstr(e->msg, identity))
        fprintf(stderr, "\n  expected \"%s\" and \"%s\" in: %s\n", month, identity, e->msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(e->msg, month));
    CU_ASSERT_PTR_NOT_NULL(strstr(e->msg, identity));
    long long a = 0, b = 0;
    int parsed = msg_amounts(e->msg, &a, &b);
    CU_ASSERT(parsed);
    if (parsed && a - b != diff) fprintf(stderr, "\n  amounts %lld and %lld, expected difference %lld: %s\n", a, b, diff, e->msg);
    CU_ASSERT_EQUAL(a - b, diff);
}

/* ---- Serial moves --------------------------------------------------------- */

static void test_sector_of(void)
{
    fixture fx;
    CU_ASSERT_FATAL(fixture_open(&fx, 1, SMALL_WORKERS));
    world *w = &fx.w;
    CU_ASSERT_EQUAL(ledger_sector_of(w, acct_worker(5)), SEC_WORKERS);
    CU_ASSERT_EQUAL(ledger_sector_of(w, acct_firm(5)), SEC_FIRMS);
    for (int n = 0; n < w->n_nodes; n++) {
        CU_ASSERT_EQUAL(ledger_sector_of(w, acct_owners(w, n)), SEC_OWNERS);
        CU_ASSERT_EQUAL(ledger_sector_of(w, acct_localgov(w, n)), SEC_LOCALGOV);
    }
    CU_ASSERT_EQUAL(ledger_sector_of(w, acct_central(w)), SEC_CENTRAL);
    CU_ASSERT_EQUAL(ledger_sector_of(w, acct_row(w)), SEC_ROW);
    for (int m = 0; m < w->mk.n_markets; m++) CU_ASSERT_EQUAL(ledger_sector_of(w, acct_clearing(w, m)), SEC_CLEARING);
    CU_ASSERT_EQUAL(w->acc.count, w->L.n_agg);
    /* The initial state is consistent: the audit of an untouched world is 0. */
    ledger_begin_month(w);
    assert_audit_ok(w, "world_init");
    fixture_close(&fx);
}

static void test_serial_moves(void)
{
    fixture fx;
    CU_ASSERT_FATAL(fixture_open(&fx, 1, SMALL_WORKERS));
    world *w = &fx.w;
    ledger_thread *lt = ledger_serial(w);
    int32_t f = some_live_firm(w);
    CU_ASSERT_FATAL(f >= 0);
    const int n = w->fm.node[f];
    const size_t i = 11;
    acct acc[] = {acct_worker(i), acct_firm(f), acct_owners(w, n), acct_localgov(w, n), acct_central(w), acct_row(w),
                  acct_clearing(w, 0)};
    enum { NA = sizeof acc / sizeof acc[0] };
    ledger_begin_month(w);
    ledger_baseline(w);
    int64_t before[NA], delta[NA] = {0};
    for (int k = 0; k < NA; k++) before[k] = ledger_balance(w, acc[k]);
    /* Every ordered pair of accounts exchanges a distinct amount. */
    int64_t moved = 0, amt = 1;
    for (int a = 0; a < NA; a++)
        for (int b = 0; b < NA; b++) {
            if (a == b) continue;
            ledger_move(w, lt, acc[a], acc[b], amt, FLOW_OTHER);
            delta[a] -= amt;
            delta[b] += amt;
            moved += amt;
            amt = amt * 3 + 1;
            if (amt > 100000) amt = amt % 997 + 1;
        }
    /* A zero move is a no-op. */
    ledger_move(w, lt, acc[0], acc[1], 0, FLOW_WAGES);
    ledger_flush(w);
    for (int k = 0; k < NA; k++) CU_ASSERT_EQUAL(ledger_balance(w, acc[k]) - before[k], delta[k]);
    assert_audit_ok(w, "serial moves");
    CU_ASSERT_EQUAL(w->L.flow[FLOW_OTHER], moved);
    CU_ASSERT_EQUAL(w->L.flow[FLOW_WAGES], 0);
    /* Sector tallies: what workers paid and received. */
    CU_ASSERT_EQUAL(w->L.sec_in[SEC_WORKERS] - w->L.sec_out[SEC_WORKERS], delta[0]);
    int64_t sum_in = 0, sum_out = 0;
    for (int s = 0; s < SEC_COUNT; s++) { sum_in += w->L.sec_in[s]; sum_out += w->L.sec_out[s]; }
    CU_ASSERT_EQUAL(sum_in, moved);
    CU_ASSERT_EQUAL(sum_out, moved);
    fixture_close(&fx);
}

/* ---- Parallel booking ----------------------------------------------------- */

/* Every worker pays 1 fen to its node's owners and 1 fen to its employer, in
 * an OpenMP loop with `threads` threads. Checks exact totals and the audit;
 * returns the owners' balances and firm deposits after the loop for
 * comparison across thread counts (caller frees). */
static void pay_one_fen_each(int threads, int64_t **owners_out, int64_t **deposits_out, int64_t **savings_out)
{
    fixture fx;
    CU_ASSERT_FATAL(fixture_open(&fx, MAX_THREADS, SMALL_WORKERS));
    world *w = &fx.w;
    omp_set_num_threads(threads);
    const int N = w->n_nodes;
    const size_t nf = w->fm.n, nw = w->wk.n;
    int64_t *own0 = malloc(sizeof(int64_t) * (size_t)N), *dep0 = malloc(sizeof(int64_t) * nf);
    int64_t *sav0 = malloc(sizeof(int64_t) * nw);
    int64_t *res = calloc((size_t)N, sizeof(int64_t)), *emp = calloc(nf, sizeof(int64_t));
    CU_ASSERT_FATAL(own0 && dep0 && sav0 && res && emp);
    for (int n = 0; n < N; n++) own0[n] = ledger_balance(w, acct_owners(w, n));
    for (size_t f = 0; f < nf; f++) dep0[f] = w->fm.deposits[f];
    memcpy(sav0, w->wk.savings, sizeof(int64_t) * nw);
    int64_t employed = 0;
    for (size_t i = 0; i < nw; i++) {
        res[w->wk.node[i]]++;
        if (w->wk.employer[i] >= 0) { emp[w->wk.employer[i]]++; employed++; }
    }

    ledger_begin_month(w);
    int used = 0;
    const long nwl = (long)nw;
#pragma omp parallel
    {
        ledger_thread *lt = ledger_thread_self(w);
#pragma omp single
        used = omp_get_num_threads();
#pragma omp for schedule(static)
        for (long li = 0; li < nwl; li++) {
            size_t i = (size_t)li;
            ledger_move(w, lt, acct_worker(i), acct_owners(w, w->wk.node[i]), 1, FLOW_OTHER);
            int32_t f = w->wk.employer[i];
            if (f >= 0) ledger_move(w, lt, acct_worker(i), acct_firm(f), 1, FLOW_OTHER);
        }
    }
    CU_ASSERT_EQUAL(used, threads);
    /* Before the flush the owners' credits wait in the threads' partials. */
    int64_t pending = 0;
    for (int t = 0; t < w->L.n_threads; t++)
        for (int n = 0; n < N; n++) pending += w->L.th[t].pending[w->acc.owners + n];
    CU_ASSERT_EQUAL(pending, (int64_t)nw);
    ledger_flush(w);
    for (int n = 0; n < N; n++) CU_ASSERT_EQUAL(ledger_balance(w, acct_owners(w, n)) - own0[n], res[n]);
    int firms_ok = 1, workers_ok = 1;
    for (size_t f = 0; f < nf; f++)
        if (w->fm.deposits[f] - dep0[f] != emp[f]) firms_ok = 0;
    for (size_t i = 0; i < nw; i++)
        if (sav0[i] - w->wk.savings[i] != (w->wk.employer[i] >= 0 ? 2 : 1)) workers_ok = 0;
    CU_ASSERT(firms_ok);
    CU_ASSERT(workers_ok);
    assert_audit_ok(w, "parallel booking");
    CU_ASSERT_EQUAL(w->L.flow[FLOW_OTHER], (int64_t)nw + employed);
    CU_ASSERT_EQUAL(w->L.sec_out[SEC_WORKERS], (int64_t)nw + employed);
    CU_ASSERT_EQUAL(w->L.sec_in[SEC_OWNERS], (int64_t)nw);
    CU_ASSERT_EQUAL(w->L.sec_in[SEC_FIRMS], employed);

    for (int n = 0; n < N; n++) own0[n] = ledger_balance(w, acct_owners(w, n));
    memcpy(dep0, w->fm.deposits, sizeof(int64_t) * nf);
    memcpy(sav0, w->wk.savings, sizeof(int64_t) * nw);
    *owners_out = own0;
    *deposits_out = dep0;
    *savings_out = sav0;
    free(res);
    free(emp);
    fixture_close(&fx);
}

static void test_parallel_booking(void)
{
    int64_t *own[MAX_THREADS], *dep[MAX_THREADS], *sav[MAX_THREADS];
    for (int t = 1; t <= MAX_THREADS; t++) pay_one_fen_each(t, &own[t - 1], &dep[t - 1], &sav[t - 1]);
    /* The same world with 1, 2 or 3 threads ends in the same balances. */
    fixture fx;
    CU_ASSERT_FATAL(fixture_open(&fx, 1, SMALL_WORKERS));
    const size_t N = (size_t)fx.w.n_nodes, nf = fx.w.fm.n, nw = fx.w.wk.n;
    fixture_close(&fx);
    for (int t = 1; t < MAX_THREADS; t++) {
        CU_ASSERT_EQUAL(memcmp(own[0], own[t], N * sizeof(int64_t)), 0);
        CU_ASSERT_EQUAL(memcmp(dep[0], dep[t], nf * sizeof(int64_t)), 0);
        CU_ASSERT_EQUAL(memcmp(sav[0], sav[t], nw * sizeof(int64_t)), 0);
    }
    for (int t = 0; t < MAX_THREADS; t++) { free(own[t]); free(dep[t]); free(sav[t]); }
    omp_set_num_threads(1);
}

/* ---- Credit --------------------------------------------------------------- */

static void test_credit_operations(void)
{
    fixture fx;
    CU_ASSERT_FATAL(fixture_open(&fx, 1, SMALL_WORKERS));
    world *w = &fx.w;
    ledger *L = &w->L;
    ledger_thread *lt = ledger_serial(w);
    int32_t f = some_live_firm(w);
    CU_ASSERT_FATAL(f >= 0);
    int node = -1;
    for (int n = 0; n < w->n_nodes; n++)
        if (L->lgfv_debt[n] > 0) { node = n; break; }
    CU_ASSERT_FATAL(node >= 0);
    const size_t i = 5;

    /* Each operation is one "month": begin, operate, flush, audit. */
    int64_t loans0 = w->fm.loans[f], dep0 = w->fm.deposits[f], bl0 = L->bank_firm_loans, bd0 = L->bank_deposits;
    ledger_begin_month(w);
    ledger_lend_firm(w, lt, f, 1000000);
    ledger_flush(w);
    CU_ASSERT_EQUAL(w->fm.loans[f] - loans0, 1000000);
    CU_ASSERT_EQUAL(w->fm.deposits[f] - dep0, 1000000);
    CU_ASSERT_EQUAL(L->bank_firm_loans - bl0, 1000000);
    CU_ASSERT_EQUAL(L->bank_deposits - bd0, 1000000);
    assert_audit_ok(w, "ledger_lend_firm");
    CU_ASSERT_EQUAL(L->flow[FLOW_LOANS_NEW], 1000000);

    ledger_begin_month(w);
    ledger_repay_firm(w, lt, f, 300000);
    ledger_flush(w);
    CU_ASSERT_EQUAL(w->fm.loans[f] - loans0, 700000);
    CU_ASSERT_EQUAL(w->fm.deposits[f] - dep0, 700000);
    CU_ASSERT_EQUAL(L->bank_firm_loans - bl0, 700000);
    CU_ASSERT_EQUAL(L->bank_deposits - bd0, 700000);
    assert_audit_ok(w, "ledger_repay_firm");
    CU_ASSERT_EQUAL(L->flow[FLOW_LOANS_REPAID], 300000);

    int64_t bank_nfw0 = L->sec_nfw[SEC_BANK], firm_nfw0 = L->sec_nfw[SEC_FIRMS];
    ledger_begin_month(w);
    ledger_write_off_firm(w, lt, f, 200000);
    ledger_flush(w);
    CU_ASSERT_EQUAL(w->fm.loans[f] - loans0, 500000);
    CU_ASSERT_EQUAL(w->fm.deposits[f] - dep0, 700000);
    CU_ASSERT_EQUAL(L->bank_firm_loans - bl0, 500000);
    assert_audit_ok(w, "ledger_write_off_firm");
    CU_ASSERT_EQUAL(L->sec_nfw[SEC_BANK] - bank_nfw0, -200000);
    CU_ASSERT_EQUAL(L->sec_nfw[SEC_FIRMS] - firm_nfw0, 200000);
    CU_ASSERT_EQUAL(L->flow[FLOW_LOANS_WRITTEN_OFF], 200000);

    int64_t sav0 = w->wk.savings[i];
    bd0 = L->bank_deposits;
    bank_nfw0 = L->sec_nfw[SEC_BANK];
    ledger_begin_month(w);
    ledger_pay_bank(w, lt, acct_worker(i), 500, FLOW_INTEREST_LOANS);
    ledger_flush(w);
    CU_ASSERT_EQUAL(sav0 - w->wk.savings[i], 500);
    CU_ASSERT_EQUAL(bd0 - L->bank_deposits, 500);
    assert_audit_ok(w, "ledger_pay_bank");
    CU_ASSERT_EQUAL(L->sec_nfw[SEC_BANK] - bank_nfw0, 500);

    int64_t own0 = ledger_balance(w, acct_owners(w, node));
    bd0 = L->bank_deposits;
    ledger_begin_month(w);
    ledger_bank_pays(w, lt, acct_owners(w, node), 700, FLOW_INTEREST_DEPOSITS);
    ledger_bank_pays(w, lt, acct_firm(f), 300, FLOW_INTEREST_DEPOSITS);
    ledger_flush(w);
    CU_ASSERT_EQUAL(ledger_balance(w, acct_owners(w, node)) - own0, 700);
    CU_ASSERT_EQUAL(L->bank_deposits - bd0, 1000);
    assert_audit_ok(w, "ledger_bank_pays");
    CU_ASSERT_EQUAL(L->flow[FLOW_INTEREST_DEPOSITS], 1000);

    int64_t debt0 = L->lgfv_debt[node], blg0 = L->bank_lgfv, lg0 = ledger_balance(w, acct_localgov(w, node));
    bd0 = L->bank_deposits;
    ledger_begin_month(w);
    ledger_lend_lgfv(w, node, 2000000);
    ledger_flush(w);
    CU_ASSERT_EQUAL(L->lgfv_debt[node] - debt0, 2000000);
    CU_ASSERT_EQUAL(L->bank_lgfv - blg0, 2000000);
    CU_ASSERT_EQUAL(ledger_balance(w, acct_localgov(w, node)) - lg0, 2000000);
    CU_ASSERT_EQUAL(L->bank_deposits - bd0, 2000000);
    assert_audit_ok(w, "ledger_lend_lgfv");

    ledger_begin_month(w);
    ledger_repay_lgfv(w, node, 1500000);
    ledger_flush(w);
    CU_ASSERT_EQUAL(L->lgfv_debt[node] - debt0, 500000);
    CU_ASSERT_EQUAL(L->bank_lgfv - blg0, 500000);
    CU_ASSERT_EQUAL(ledger_balance(w, acct_localgov(w, node)) - lg0, 500000);
    CU_ASSERT_EQUAL(L->bank_deposits - bd0, 500000);
    assert_audit_ok(w, "ledger_repay_lgfv");

    int64_t bonds0 = L->central_bonds, bb0 = L->bank_bonds, c0 = ledger_balance(w, acct_central(w));
    bd0 = L->bank_deposits;
    ledger_begin_month(w);
    ledger_issue_bonds(w, 3000000);
    ledger_flush(w);
    CU_ASSERT_EQUAL(L->central_bonds - bonds0, 3000000);
    CU_ASSERT_EQUAL(L->bank_bonds - bb0, 3000000);
    CU_ASSERT_EQUAL(ledger_balance(w, acct_central(w)) - c0, 3000000);
    CU_ASSERT_EQUAL(L->bank_deposits - bd0, 3000000);
    assert_audit_ok(w, "ledger_issue_bonds");

    /* All of it in one month, too. */
    ledger_begin_month(w);
    ledger_lend_firm(w, lt, f, 12345);
    ledger_repay_firm(w, lt, f, 2345);
    ledger_write_off_firm(w, lt, f, 1000);
    ledger_pay_bank(w, lt, acct_firm(f), 77, FLOW_INTEREST_LOANS);
    ledger_bank_pays(w, lt, acct_worker(i), 33, FLOW_INTEREST_DEPOSITS);
    ledger_lend_lgfv(w, node, 999);
    ledger_repay_lgfv(w, node, 111);
    ledger_issue_bonds(w, 4242);
    ledger_move(w, lt, acct_central(w), acct_localgov(w, node), 4000, FLOW_TRANSFERS);
    ledger_flush(w);
    assert_audit_ok(w, "all credit operations in one month");
    fixture_close(&fx);
}

/* Firms borrow, pay interest and repay inside a parallel loop (firm deposits
 * change atomically, the bank's books through per-thread deltas). */
static void test_parallel_credit(void)
{
    fixture fx;
    CU_ASSERT_FATAL(fixture_open(&fx, 2, SMALL_WORKERS));
    world *w = &fx.w;
    omp_set_num_threads(2);
    const long nf = (long)w->fm.n;
    int64_t bl0 = w->L.bank_firm_loans, bd0 = w->L.bank_deposits;
    int64_t live = 0;
    for (long f = 0; f < nf; f++) live += (w->fm.flags[f] & FF_ALIVE) != 0;
    ledger_begin_month(w);
#pragma omp parallel
    {
        ledger_thread *lt = ledger_thread_self(w);
#pragma omp for schedule(static)
        for (long fi = 0; fi < nf; fi++) {
            int32_t f = (int32_t)fi;
            if (!(w->fm.flags[f] & FF_ALIVE)) continue;
            ledger_lend_firm(w, lt, f, 100);
            ledger_pay_bank(w, lt, acct_firm(f), 7, FLOW_INTEREST_LOANS);
            ledger_repay_firm(w, lt, f, 40);
            ledger_move(w, lt, acct_firm(f), acct_owners(w, w->fm.node[f]), 3, FLOW_DIVIDENDS);
        }
    }
    ledger_flush(w);
    CU_ASSERT_EQUAL(w->L.bank_firm_loans - bl0, 60 * live);
    CU_ASSERT_EQUAL(w->L.bank_deposits - bd0, 53 * live);
    assert_audit_ok(w, "parallel credit");
    CU_ASSERT_EQUAL(w->L.flow[FLOW_LOANS_NEW], 100 * live);
    CU_ASSERT_EQUAL(w->L.flow[FLOW_LOANS_REPAID], 40 * live);
    CU_ASSERT_EQUAL(w->L.flow[FLOW_DIVIDENDS], 3 * live);
    omp_set_num_threads(1);
    fixture_close(&fx);
}

/* ---- Planted leaks, caught by the audit directly --------------------------- */

static void test_audit_detects_direct_leaks(void)
{
    fixture fx;
    inc_err e;
    int64_t residual;
    inc_status s;
    char mon[16];

    /* 1 fen of deposits created in a worker's account. */
    CU_ASSERT_FATAL(fixture_open(&fx, 1, SMALL_WORKERS));
    month_format(fx.w.calendar, mon, sizeof mon);
    CU_ASSERT_STRING_EQUAL(mon, "2019-01");
    ledger_begin_month(&fx.w);
    fx.w.wk.savings[17] += 1;
    memset(&e, 0, sizeof e);
    s = ledger_audit(&fx.w, &residual, &e);
    assert_audit_msg(s, &e, "2019-01", "deposits", 1);
    CU_ASSERT(residual > 0);
    fixture_close(&fx);

    /* A firm's loan not on the bank's books. */
    CU_ASSERT_FATAL(fixture_open(&fx, 1, SMALL_WORKERS));
    ledger_begin_month(&fx.w);
    fx.w.fm.loans[some_live_firm(&fx.w)] += 1;
    memset(&e, 0, sizeof e);
    s = ledger_audit(&fx.w, &residual, &e);
    assert_audit_msg(s, &e, "2019-01", "firm loans", 1);
    fixture_close(&fx);

    /* LGFV debt and bonds not on the bank's books. */
    CU_ASSERT_FATAL(fixture_open(&fx, 1, SMALL_WORKERS));
    ledger_begin_month(&fx.w);
    fx.w.L.lgfv_debt[0] += 1;
    memset(&e, 0, sizeof e);
    s = ledger_audit(&fx.w, &residual, &e);
    assert_audit_msg(s, &e, "2019-01", "LGFV", 1);
    fixture_close(&fx);

    CU_ASSERT_FATAL(fixture_open(&fx, 1, SMALL_WORKERS));
    ledger_begin_month(&fx.w);
    fx.w.L.central_bonds -= 1;
    memset(&e, 0, sizeof e);
    s = ledger_audit(&fx.w, &residual, &e);
    assert_audit_msg(s, &e, "2019-01", "central bonds", -1);
    fixture_close(&fx);

    /* 1 fen moved from owners to a worker without the ledger: the totals hold,
     * but the workers' deposits changed without a booked flow. */
    CU_ASSERT_FATAL(fixture_open(&fx, 1, SMALL_WORKERS));
    ledger_begin_month(&fx.w);
    fx.w.wk.savings[17] += 1;
    fx.w.L.agg[fx.w.acc.owners + fx.w.wk.node[17]] -= 1;
    memset(&e, 0, sizeof e);
    s = ledger_audit(&fx.w, &residual, &e);
    assert_audit_msg(s, &e, "2019-01", "flows: change in workers' deposits", 1);
    CU_ASSERT_EQUAL(residual, 2); /* workers +1 and owners -1 */
    fixture_close(&fx);
}

/* ---- Planted leaks through sim_month (the issue's leak) -------------------- */

static void run_month_ok(fixture *fx, const char *label)
{
    inc_err e = {0};
    inc_status s = sim_month(&fx->w, fx->st, &e);
    if (s != INC_OK) fprintf(stderr, "\n  %s: %s\n", label, e.msg);
    CU_ASSERT_EQUAL_FATAL(s, INC_OK);
    CU_ASSERT_EQUAL(fx->st->i[OUT_NATIONAL_sfc_residual][0], 0);
}

static void test_planted_leak_worker_savings(void)
{
    fixture fx;
    CU_ASSERT_FATAL(fixture_open(&fx, 2, SMALL_WORKERS));
    run_month_ok(&fx, "2019-01");
    run_month_ok(&fx, "2019-02");
    /* The leak: 1 fen appears in a worker's savings, bypassing the ledger. */
    fx.w.wk.savings[17] += 1;
    inc_err e = {0};
    inc_status s = sim_month(&fx.w, fx.st, &e);
    assert_audit_msg(s, &e, "2019-03", "deposits", 1);
    fprintf(stderr, "\n  (expected failure) %s\n", e.msg);
    fixture_close(&fx);
}

static void test_planted_leak_firm_loans(void)
{
    fixture fx;
    CU_ASSERT_FATAL(fixture_open(&fx, 2, SMALL_WORKERS));
    int32_t f = some_live_firm(&fx.w);
    CU_ASSERT_FATAL(f >= 0);
    fx.w.fm.loans[f] += 1;
    inc_err e = {0};
    inc_status s = sim_month(&fx.w, fx.st, &e);
    assert_audit_msg(s, &e, "2019-01", "firm loans", 1);
    fixture_close(&fx);
}

static void test_planted_leak_aggregate(void)
{
    fixture fx;
    CU_ASSERT_FATAL(fixture_open(&fx, 2, SMALL_WORKERS));
    run_month_ok(&fx, "2019-01");
    fx.w.L.agg[fx.w.acc.owners + 0] -= 1;
    inc_err e = {0};
    inc_status s = sim_month(&fx.w, fx.st, &e);
    assert_audit_msg(s, &e, "2019-02", "deposits", -1);
    fixture_close(&fx);
}

/* ---- A year without leaks ------------------------------------------------- */

static void test_twelve_months_residual_zero(void)
{
    fixture fx;
    CU_ASSERT_FATAL(fixture_open(&fx, 2, SMALL_WORKERS));
    for (int t = 0; t < 12; t++) {
        char mon[16];
        month_format(fx.w.calendar, mon, sizeof mon);
        run_month_ok(&fx, mon);
        CU_ASSERT_EQUAL(fx.w.t, t + 1);
        /* The bank's books equal the sums over agents after every month. */
        int64_t loans = 0;
        for (size_t f = 0; f < fx.w.fm.n; f++) loans += fx.w.fm.loans[f];
        CU_ASSERT_EQUAL(loans, fx.w.L.bank_firm_loans);
        int64_t nfw = 0;
        for (int k = 0; k < SEC_COUNT; k++) nfw += fx.w.L.sec_nfw[k];
        CU_ASSERT_EQUAL(nfw, 0);
    }
    char mon[16];
    month_format(fx.w.calendar, mon, sizeof mon);
    CU_ASSERT_STRING_EQUAL(mon, "2020-01");
    fixture_close(&fx);
}

int main(void)
{
    static const tu_test tests[] = {
        {"account sectors; the initial world audits to 0", test_sector_of},
        {"serial moves change balances exactly, audit 0", test_serial_moves},
        {"parallel booking exact and identical for 1, 2, 3 threads", test_parallel_booking},
        {"lend, repay, write off, pay bank, bank pays, LGFV, bonds: audit 0", test_credit_operations},
        {"credit operations in a parallel loop: audit 0", test_parallel_credit},
        {"audit names the identity of planted leaks (direct)", test_audit_detects_direct_leaks},
        {"planted leak in a worker's savings stops month 2019-03", test_planted_leak_worker_savings},
        {"planted leak in a firm's loans names firm loans", test_planted_leak_firm_loans},
        {"planted leak in an aggregate account names deposits", test_planted_leak_aggregate},
        {"12 months: every month's residual is 0", test_twelve_months_residual_zero},
        {NULL, NULL},
    };
    return tu_run_suite("ledger", tests);
}
