/* ledger.c - money moves and the monthly audit (see ledger.h).
 *
 * Why per-thread partials: aggregate accounts (a government, an owners'
 * account, a clearing account) are credited by millions of workers in one
 * loop; atomics on one cache line would serialise the threads. Each thread
 * keeps exact int64 partials and ledger_flush adds them; integer addition is
 * associative, so the totals are the same for any thread count. */
#include "ledger.h"
#include "world.h"
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

inc_status ledger_alloc(ledger *L, int n_agg, int n_nodes, size_t firm_cap, int n_threads, inc_err *e)
{
    memset(L, 0, sizeof *L);
    L->n_agg = n_agg;
    L->firm_cap = firm_cap;
    L->n_threads = n_threads;
    L->agg = calloc((size_t)n_agg, sizeof(int64_t));
    L->agg_sector = calloc((size_t)n_agg, 1);
    L->lgfv_debt = calloc((size_t)n_nodes, sizeof(int64_t));
    L->th = aligned_alloc(64, ((sizeof(ledger_thread) * (size_t)n_threads + 63) / 64) * 64);
    if (!L->agg || !L->agg_sector || !L->lgfv_debt || !L->th) {
        ledger_free(L);
        return inc_fail(e, INC_ERR_NOMEM, "out of memory allocating the ledger (%d accounts)", n_agg);
    }
    memset(L->th, 0, sizeof(ledger_thread) * (size_t)n_threads);
    for (int t = 0; t < n_threads; t++) {
        L->th[t].pending = calloc((size_t)n_agg, sizeof(int64_t));
        L->th[t].firm_pending = calloc(firm_cap ? firm_cap : 1, sizeof(int64_t));
        if (!L->th[t].pending || !L->th[t].firm_pending) {
            ledger_free(L);
            return inc_fail(e, INC_ERR_NOMEM, "out of memory allocating ledger scratch");
        }
    }
    return INC_OK;
}

int ledger_grow_firms(ledger *L, size_t firm_cap)
{
    if (firm_cap <= L->firm_cap) return 0;
    for (int t = 0; t < L->n_threads; t++) {
        int64_t *p = realloc(L->th[t].firm_pending, firm_cap * sizeof(int64_t));
        if (!p) return -1; /* threads done so far keep their longer (zero-tailed) arrays */
        memset(p + L->firm_cap, 0, (firm_cap - L->firm_cap) * sizeof(int64_t));
        L->th[t].firm_pending = p;
    }
    L->firm_cap = firm_cap;
    return 0;
}

void ledger_free(ledger *L)
{
    if (L->th)
        for (int t = 0; t < L->n_threads; t++) {
            free(L->th[t].pending);
            free(L->th[t].firm_pending);
        }
    free(L->th);
    free(L->agg);
    free(L->agg_sector);
    free(L->lgfv_debt);
    memset(L, 0, sizeof *L);
}

/* Sector of an aggregate account from the world's layout (fills agg_sector). */
static ledger_sector agg_sector_of(const world *w, int k)
{
    if (k >= w->acc.clearing) return SEC_CLEARING;
    if (k == w->acc.row) return SEC_ROW;
    if (k == w->acc.central) return SEC_CENTRAL;
    if (k >= w->acc.localgov) return SEC_LOCALGOV;
    return SEC_OWNERS;
}

void ledger_index_sectors(world *w)
{
    for (int k = 0; k < w->L.n_agg; k++) w->L.agg_sector[k] = (uint8_t)agg_sector_of(w, k);
}

ledger_sector ledger_sector_of(const world *w, acct a)
{
    if (a.kind == ACC_WORKER) return SEC_WORKERS;
    if (a.kind == ACC_FIRM) return SEC_FIRMS;
    return (ledger_sector)w->L.agg_sector[a.idx];
}

/* Add amt to an account's balance under the threading rules of ledger.h. */
static inline void book(world *w, ledger_thread *lt, acct a, int64_t amt)
{
    switch (a.kind) {
    case ACC_WORKER: w->wk.savings[a.idx] += amt; break;
    case ACC_FIRM: __atomic_fetch_add(&w->fm.deposits[a.idx], amt, __ATOMIC_RELAXED); break;
    default: lt->pending[a.idx] += amt; break;
    }
}

void ledger_move(world *w, ledger_thread *lt, acct from, acct to, int64_t amt, ledger_flow f)
{
    assert(amt >= 0);
    if (amt == 0) return;
    book(w, lt, from, -amt);
    book(w, lt, to, amt);
    lt->sec_out[ledger_sector_of(w, from)] += amt;
    lt->sec_in[ledger_sector_of(w, to)] += amt;
    lt->flow[f] += amt;
}

void ledger_move_split(world *w, ledger_thread *lt, acct from, const int *to, const int64_t *amounts, int n,
                       ledger_flow f)
{
    int64_t total = 0;
    for (int k = 0; k < n; k++) {
        assert(amounts[k] >= 0);
        lt->pending[to[k]] += amounts[k];
        lt->sec_in[w->L.agg_sector[to[k]]] += amounts[k];
        total += amounts[k];
    }
    if (total == 0) return;
    book(w, lt, from, -total);
    lt->sec_out[ledger_sector_of(w, from)] += total;
    lt->flow[f] += total;
}

void ledger_move_firm_deferred(world *w, ledger_thread *lt, int32_t firm, acct to, int64_t amt, ledger_flow f)
{
    assert(amt >= 0 && (size_t)firm < w->L.firm_cap);
    if (amt == 0) return;
    lt->firm_pending[firm] -= amt;
    lt->firm_dirty = 1;
    book(w, lt, to, amt);
    lt->sec_out[SEC_FIRMS] += amt;
    lt->sec_in[ledger_sector_of(w, to)] += amt;
    lt->flow[f] += amt;
}

void ledger_lend_firm(world *w, ledger_thread *lt, int32_t firm, int64_t amt)
{
    assert(amt >= 0);
    if (amt == 0) return;
    w->fm.loans[firm] += amt;
    book(w, lt, acct_firm(firm), amt);
    lt->d_bank_firm_loans += amt;
    lt->d_bank_deposits += amt;
    lt->sec_in[SEC_FIRMS] += amt;
    lt->sec_out[SEC_BANK] += amt;
    lt->flow[FLOW_LOANS_NEW] += amt;
}

void ledger_repay_firm(world *w, ledger_thread *lt, int32_t firm, int64_t amt)
{
    assert(amt >= 0 && amt <= w->fm.loans[firm]);
    if (amt == 0) return;
    w->fm.loans[firm] -= amt;
    book(w, lt, acct_firm(firm), -amt);
    lt->d_bank_firm_loans -= amt;
    lt->d_bank_deposits -= amt;
    lt->sec_out[SEC_FIRMS] += amt;
    lt->sec_in[SEC_BANK] += amt;
    lt->flow[FLOW_LOANS_REPAID] += amt;
}

void ledger_write_off_firm(world *w, ledger_thread *lt, int32_t firm, int64_t amt)
{
    assert(amt >= 0 && amt <= w->fm.loans[firm]);
    w->fm.loans[firm] -= amt;
    lt->d_bank_firm_loans -= amt;
    lt->flow[FLOW_LOANS_WRITTEN_OFF] += amt;
}

void ledger_pay_bank(world *w, ledger_thread *lt, acct from, int64_t amt, ledger_flow f)
{
    assert(amt >= 0);
    if (amt == 0) return;
    book(w, lt, from, -amt);
    lt->d_bank_deposits -= amt;
    lt->sec_out[ledger_sector_of(w, from)] += amt;
    lt->sec_in[SEC_BANK] += amt;
    lt->flow[f] += amt;
}

void ledger_bank_pays(world *w, ledger_thread *lt, acct to, int64_t amt, ledger_flow f)
{
    assert(amt >= 0);
    if (amt == 0) return;
    book(w, lt, to, amt);
    lt->d_bank_deposits += amt;
    lt->sec_in[ledger_sector_of(w, to)] += amt;
    lt->sec_out[SEC_BANK] += amt;
    lt->flow[f] += amt;
}

void ledger_lend_lgfv(world *w, int node, int64_t amt)
{
    ledger_thread *lt = ledger_serial(w);
    assert(amt >= 0);
    if (amt == 0) return;
    w->L.lgfv_debt[node] += amt;
    w->L.bank_lgfv += amt;
    book(w, lt, acct_localgov(w, node), amt);
    lt->d_bank_deposits += amt;
    lt->sec_in[SEC_LOCALGOV] += amt;
    lt->sec_out[SEC_BANK] += amt;
    lt->flow[FLOW_LOANS_NEW] += amt;
}

void ledger_repay_lgfv(world *w, int node, int64_t amt)
{
    ledger_thread *lt = ledger_serial(w);
    assert(amt >= 0 && amt <= w->L.lgfv_debt[node]);
    if (amt == 0) return;
    w->L.lgfv_debt[node] -= amt;
    w->L.bank_lgfv -= amt;
    book(w, lt, acct_localgov(w, node), -amt);
    lt->d_bank_deposits -= amt;
    lt->sec_out[SEC_LOCALGOV] += amt;
    lt->sec_in[SEC_BANK] += amt;
    lt->flow[FLOW_LOANS_REPAID] += amt;
}

void ledger_issue_bonds(world *w, int64_t amt)
{
    ledger_thread *lt = ledger_serial(w);
    assert(amt >= 0);
    if (amt == 0) return;
    w->L.central_bonds += amt;
    w->L.bank_bonds += amt;
    book(w, lt, acct_central(w), amt);
    lt->d_bank_deposits += amt;
    lt->sec_in[SEC_CENTRAL] += amt;
    lt->sec_out[SEC_BANK] += amt;
    lt->flow[FLOW_LOANS_NEW] += amt;
}

void ledger_redeem_bonds(world *w, int64_t amt)
{
    ledger_thread *lt = ledger_serial(w);
    assert(amt >= 0 && amt <= w->L.central_bonds);
    if (amt == 0) return;
    w->L.central_bonds -= amt;
    w->L.bank_bonds -= amt;
    book(w, lt, acct_central(w), -amt);
    lt->d_bank_deposits -= amt;
    lt->sec_out[SEC_CENTRAL] += amt;
    lt->sec_in[SEC_BANK] += amt;
    lt->flow[FLOW_LOANS_REPAID] += amt;
}

ledger_thread *ledger_thread_self(world *w) { return &w->L.th[omp_get_thread_num()]; }
ledger_thread *ledger_serial(world *w) { return &w->L.th[0]; }

void ledger_flush(world *w)
{
    ledger *L = &w->L;
    for (int t = 0; t < L->n_threads; t++) {
        ledger_thread *lt = &L->th[t];
        for (int k = 0; k < L->n_agg; k++) {
            L->agg[k] += lt->pending[k];
            lt->pending[k] = 0;
        }
        if (lt->firm_dirty) {
            /* Only slots in use can have been booked (ids < fm.n). */
            int64_t *fp = lt->firm_pending;
            for (size_t f = 0; f < w->fm.n; f++) {
                w->fm.deposits[f] += fp[f];
                fp[f] = 0;
            }
            lt->firm_dirty = 0;
        }
        L->bank_deposits += lt->d_bank_deposits;
        L->bank_firm_loans += lt->d_bank_firm_loans;
        lt->d_bank_deposits = 0;
        lt->d_bank_firm_loans = 0;
    }
}

int64_t ledger_balance(const world *w, acct a)
{
    switch (a.kind) {
    case ACC_WORKER: return w->wk.savings[a.idx];
    case ACC_FIRM: return w->fm.deposits[a.idx];
    default: return w->L.agg[a.idx];
    }
}

void ledger_begin_month(world *w)
{
    for (int t = 0; t < w->L.n_threads; t++) {
        ledger_thread *lt = &w->L.th[t];
        memset(lt->sec_in, 0, sizeof lt->sec_in);
        memset(lt->sec_out, 0, sizeof lt->sec_out);
        memset(lt->flow, 0, sizeof lt->flow);
    }
}

/* Deposits held by each sector, fen. Workers and firms are summed in parallel
 * with integer partials (exact in any order). */
static void sector_deposits(const world *w, int64_t dep[SEC_COUNT])
{
    memset(dep, 0, sizeof(int64_t) * SEC_COUNT);
    int64_t sw = 0, sf = 0;
    const int64_t *sav = w->wk.savings;
    const size_t nw = w->wk.n;
#pragma omp parallel for schedule(static) num_threads(w->n_threads) reduction(+ : sw)
    for (size_t i = 0; i < nw; i++) sw += sav[i];
    for (size_t f = 0; f < w->fm.n; f++)
        if (w->fm.flags[f] & FF_ALIVE) sf += w->fm.deposits[f];
        else assert(w->fm.deposits[f] == 0);
    dep[SEC_WORKERS] = sw;
    dep[SEC_FIRMS] = sf;
    for (int k = 0; k < w->L.n_agg; k++)
        dep[ledger_sector_of(w, acct_agg(k))] += w->L.agg[k];
}

void ledger_baseline(world *w)
{
    sector_deposits(w, w->L.sec_deposits_prev);
}

static int64_t iabs64(int64_t x) { return x < 0 ? -x : x; }

inc_status ledger_audit(world *w, int64_t *residual, inc_err *e)
{
    ledger *L = &w->L;
    char mon[16];
    month_format(w->calendar, mon, sizeof mon);
    /* Close the month's tallies. */
    memset(L->flow, 0, sizeof L->flow);
    memset(L->sec_in, 0, sizeof L->sec_in);
    memset(L->sec_out, 0, sizeof L->sec_out);
    for (int t = 0; t < L->n_threads; t++) {
        for (int k = 0; k < FLOW_COUNT; k++) L->flow[k] += L->th[t].flow[k];
        for (int k = 0; k < SEC_COUNT; k++) {
            L->sec_in[k] += L->th[t].sec_in[k];
            L->sec_out[k] += L->th[t].sec_out[k];
        }
    }
    int64_t dep[SEC_COUNT];
    sector_deposits(w, dep);
    int64_t total_dep = 0;
    for (int k = 0; k < SEC_COUNT; k++) total_dep += dep[k];
    int64_t firm_loans = 0;
    for (size_t f = 0; f < w->fm.n; f++) firm_loans += w->fm.loans[f];
    int64_t lgfv = 0;
    for (int n = 0; n < w->n_nodes; n++) lgfv += L->lgfv_debt[n];

    int64_t r = 0;
    const char *first = NULL;
    int64_t a_val = 0, b_val = 0;
    char what[96] = "";
#define AUDIT_EQ(name, a, b)                                  \
    do {                                                      \
        int64_t a_ = (a), b_ = (b);                           \
        if (a_ != b_) {                                       \
            r += iabs64(a_ - b_);                             \
            if (!first) { first = name; a_val = a_; b_val = b_; } \
        }                                                     \
    } while (0)
    AUDIT_EQ("deposits: sum of all deposits = bank deposit liabilities", total_dep, L->bank_deposits);
    AUDIT_EQ("firm loans: sum of firms' loans = bank loans to firms", firm_loans, L->bank_firm_loans);
    AUDIT_EQ("LGFV debt: sum of local debts = bank LGFV holdings", lgfv, L->bank_lgfv);
    AUDIT_EQ("central bonds: bonds issued = bank bond holdings", L->central_bonds, L->bank_bonds);
    static const char *const sec_names[SEC_COUNT] = {"workers", "firms", "owners", "local governments",
                                                     "central government", "rest of world",
                                                     "clearing accounts", "bank"};
    for (int k = 0; k < SEC_COUNT; k++) {
        if (k == SEC_BANK) continue; /* the bank holds no deposits */
        int64_t change = dep[k] - L->sec_deposits_prev[k];
        int64_t net = L->sec_in[k] - L->sec_out[k];
        if (change != net && !first)
            snprintf(what, sizeof what, "flows: change in %s' deposits = their net flows", sec_names[k]);
        AUDIT_EQ(what[0] ? what : "flows", change, net);
    }
    /* Net financial worth by sector; the bank's is its equity. */
    int64_t nfw[SEC_COUNT];
    memcpy(nfw, dep, sizeof nfw);
    nfw[SEC_FIRMS] -= firm_loans;
    nfw[SEC_LOCALGOV] -= lgfv;
    nfw[SEC_CENTRAL] -= L->central_bonds;
    nfw[SEC_BANK] = L->bank_firm_loans + L->bank_lgfv + L->bank_bonds - L->bank_deposits;
    int64_t sum_nfw = 0;
    for (int k = 0; k < SEC_COUNT; k++) sum_nfw += nfw[k];
    /* Implied by the first two identities (ledger.h): cannot fail alone. */
    AUDIT_EQ("net financial worth of all sectors sums to zero", sum_nfw, 0);
#undef AUDIT_EQ
    memcpy(L->sec_nfw, nfw, sizeof nfw);
    memcpy(L->sec_deposits_prev, dep, sizeof dep);
    *residual = r;
    if (first)
        return inc_fail(e, INC_ERR_AUDIT,
                        "audit failed in %s: %s: %" PRId64 " fen vs %" PRId64 " fen (difference %" PRId64
                        " fen)",
                        mon, first, a_val, b_val, a_val - b_val);
    return INC_OK;
}
