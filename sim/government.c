/* government.c - phase 12: government budgets and debt; the bank's capital
 * (docs/model.md 8, 14).
 *
 * Governments pay interest on their debt; the centre transfers transfer_share
 * of its tax revenue to local governments by weighted population (inland
 * residents weigh inland_transfer_weight); then each government borrows from
 * the bank (LGFV debt, central bonds) when its deposits fall below
 * deposit_months of this month's spending, and repays debt from deposits above
 * twice that. The bank pays deposit interest on the aggregate accounts; when
 * its equity exceeds equity_target of its assets, it pays the excess to the
 * owners as dividends; when its equity falls below car_min of its loans,
 * lending tightens (lev_factor);
 * when equity turns negative, the centre recapitalises it with bonds. */
#include "phases.h"
#include <math.h>

/* Borrow or repay so that deposits sit between target and twice target. */
static void manage_local(world *w, int n, int64_t target)
{
    int64_t dep = w->L.agg[w->acc.localgov + n];
    if (dep < target) ledger_lend_lgfv(w, n, target - dep);
    else if (dep > 2 * target) {
        int64_t r = dep - 2 * target;
        if (r > w->L.lgfv_debt[n]) r = w->L.lgfv_debt[n];
        ledger_repay_lgfv(w, n, r);
    }
}

void government_run(world *w)
{
    const sc_params *p = w->p, *m = w->m;
    const int N = w->n_nodes;
    ledger_thread *lt = ledger_serial(w);
    ledger *L = &w->L;

    /* Interest on public debt. Governments pay even from an overdraft; the
     * borrowing below restores their deposits (overdrafts last within a month). */
    for (int n = 0; n < N; n++) {
        int64_t i = fen_floor((double)L->lgfv_debt[n] * m->bank_r_lgfv);
        ledger_pay_bank(w, lt, acct_localgov(w, n), i, FLOW_INTEREST_LGFV);
        w->nd.lg_spending[n] += i;
    }
    int64_t ic = fen_floor((double)L->central_bonds * m->bank_r_central);
    ledger_pay_bank(w, lt, acct_central(w), ic, FLOW_INTEREST_CENTRAL);
    w->central_spending += ic;

    /* Central transfers to local governments (equalisation towards inland). */
    int64_t pool = fen_floor((double)w->central_revenue * p->government_transfer_share);
    if (pool > 0) {
        double weight[SC_MAX_NODES], sum = 0;
        for (int n = 0; n < N; n++) {
            weight[n] = (double)w->nd.residents[n] * (w->sc->nodes[n].coastal ? 1.0 : p->government_inland_transfer_weight);
            if (w->sc->nodes[n].kind == NODE_RURAL) weight[n] = 0;
            sum += weight[n];
        }
        int64_t given = 0;
        for (int n = 0; n < N && sum > 0; n++) {
            int64_t amt = fen_floor((double)pool * weight[n] / sum);
            ledger_move(w, lt, acct_central(w), acct_localgov(w, n), amt, FLOW_TRANSFERS);
            w->nd.lg_revenue[n] += amt;
            given += amt;
        }
        w->central_spending += given;
    }

    /* Deposit interest on aggregate accounts with positive balances
     * (owners, governments, rest of world; clearing accounts earn none). */
    ledger_flush(w);
    for (int k = 0; k < w->acc.clearing; k++) {
        int64_t bal = L->agg[k];
        if (bal > 0) ledger_bank_pays(w, lt, acct_agg(k), fen_floor((double)bal * w->r_deposit_m), FLOW_INTEREST_DEPOSITS);
    }
    ledger_flush(w);

    /* Borrowing and repayment. Rural nodes have no LGFV: their local
     * government is funded by the centre's transfers only; an overdraft there
     * is covered by the centre. */
    for (int n = 0; n < N; n++) {
        int64_t target = fen_floor(p->government_deposit_months * (double)w->nd.lg_spending[n]);
        if (w->sc->nodes[n].kind == NODE_RURAL) {
            int64_t dep = L->agg[w->acc.localgov + n];
            if (dep < target) {
                ledger_move(w, lt, acct_central(w), acct_localgov(w, n), target - dep, FLOW_TRANSFERS);
                w->central_spending += target - dep;
                w->nd.lg_revenue[n] += target - dep;
            }
            ledger_flush(w);
            continue;
        }
        manage_local(w, n, target);
    }
    ledger_flush(w);
    int64_t ctarget = fen_floor(p->government_deposit_months * (double)w->central_spending);
    int64_t cdep = L->agg[w->acc.central];
    if (cdep < ctarget) ledger_issue_bonds(w, ctarget - cdep);
    else if (cdep > 2 * ctarget) {
        /* Redeem bonds with deposits above twice the target. */
        int64_t r = cdep - 2 * ctarget;
        if (r > L->central_bonds) r = L->central_bonds;
        ledger_redeem_bonds(w, r);
    }
    ledger_flush(w);

    /* Bank capital (docs/model.md 8). */
    int64_t assets = L->bank_firm_loans + L->bank_lgfv + L->bank_bonds;
    int64_t equity = assets - L->bank_deposits;
    if (equity < 0) {
        int64_t recap = -equity + fen_floor(p->bank_car_min * (double)L->bank_firm_loans);
        ledger_issue_bonds(w, recap);
        ledger_pay_bank(w, lt, acct_central(w), recap, FLOW_OTHER);
        w->central_spending += recap;
        ledger_flush(w);
        equity += recap;
    }
    /* Dividends: equity above equity_target of assets goes to the owners, by
     * node GDP at start (the first specification (docs/model.md 8) keeps all profits as equity; retained
     * forever, the interest margin would drain demand from the economy). */
    int64_t excess = equity - fen_floor(p->bank_equity_target * (double)assets);
    if (excess > 0) {
        double total = 0;
        for (int n = 0; n < N; n++) total += w->nd.gdp0[n];
        for (int n = 0; n < N && total > 0; n++)
            ledger_bank_pays(w, lt, acct_owners(w, n), fen_floor((double)excess * w->nd.gdp0[n] / total), FLOW_DIVIDENDS);
        ledger_flush(w);
        equity = L->bank_firm_loans + L->bank_lgfv + L->bank_bonds - L->bank_deposits;
    }
    double car = L->bank_firm_loans > 0 ? (double)equity / (double)L->bank_firm_loans : 1.0;
    if (car < p->bank_car_min) w->lev_factor *= 0.98;
    else if (w->lev_factor < 1.0) w->lev_factor = fmin(1.0, w->lev_factor * 1.02);
}
