/* finance.c - phase 6: income and finance (docs/model.md 8).
 *
 * Firms first (parallel): borrow when deposits fall below the wage bill plus
 * debt service plus a buffer, up to the leverage cap; a firm that still cannot
 * pay is bankrupt. Solvent firms pay interest, amortisation, corporate income
 * tax and dividends; a firm with negative net worth closes. Then exits are settled serially in firm-id order (they
 * touch the owners' accounts and the free list). Then workers (parallel): the
 * employees of exited firms become unemployed this month; the employed are
 * paid and pay income tax; the unemployed with local urban hukou draw the
 * benefit; everyone pays rent to the node's owners and earns deposit interest.
 *
 * Incentives (docs/model.md 8, 10; docs/model.md "Incentive taxes and credit" and
 * "Soft budget constraint"): target firms within cit_until and little giants
 * pay their incentive CIT rate, and the tax forgone is counted (not moved) as
 * a subsidy; they and state-linked firms borrow at the directed-credit
 * discount. A state-linked firm that would exit is kept alive by its local
 * government with probability beta_bail (a draw keyed by firm and month, so
 * the loop stays deterministic) and becomes a zombie; if it cannot pay, the
 * government pays the shortfall. Owners close dormant firms (no workers and
 * no sales for DORMANT_MONTHS) and firms that have made losses for
 * firms.loss_exit_months in a row. Shells pay their grant out to the node's
 * owners over shell_months and then close. */
#include "phases.h"
#include <math.h>
#include <string.h>
#include <omp.h>

/* Per-thread node partials: thread_scratch.node_sum, FN_SLOTS per node (scratch.h). */

/* Months without workers and sales after which owners close a firm. */
#define DORMANT_MONTHS 12

void finance_update_inflation(world *w, double price_prev)
{
    if (price_prev > 0 && w->price_level > 0)
        w->inflation += (12.0 * log(w->price_level / price_prev) - w->inflation) / w->p->bank_inflation_months;
}

void finance_policy_rates(world *w)
{
    const sc_params *p = w->p;
    double gap = p->bank_taylor_inflation * (w->inflation - p->bank_inflation_target);
    double r = p->bank_r_base + gap, rd = p->bank_r_deposit + gap;
    if (r < 0) r = 0;
    if (rd < 0) rd = 0;
    if (rd > r) rd = r;
    w->r_policy = r;
    w->r_loan_m = expm1(log1p(r) / 12.0);
    w->r_deposit_m = expm1(log1p(rd) / 12.0);
}

double finance_loan_rate(const world *w, int32_t f, double leverage)
{
    if (leverage < 0) leverage = 0;
    if (leverage > 10) leverage = 10;
    double r = w->r_loan_m + w->m->bank_spread_slope * leverage;
    if (f >= 0 && ((w->fm.flags[f] & (FF_TARGET | FF_STATE)) || w->fm.giant_until[f] > w->t)) {
        r -= w->m->incentives_directed_credit;
        if (r < 0) r = 0;
    }
    return r;
}

double finance_cit_normal(const world *w, int n, int s)
{
    const sc_params *p = w->p;
    const sc_sector *sec = &w->sc->sectors[s];
    if (sec->agriculture) return 0.0; /* agricultural income is exempt */
    double tau = sec->hard_tech ? p->tax_cit_hightech : p->tax_cit_standard;
    if (w->sc->nodes[n].region == REGION_WEST && p->tax_cit_west < tau) tau = p->tax_cit_west;
    return tau;
}

double finance_cit_rate(const world *w, int32_t f)
{
    const sc_params *p = w->p;
    double tau = finance_cit_normal(w, w->fm.node[f], w->fm.sector[f]);
    if ((w->fm.flags[f] & FF_TARGET) && w->fm.cit_until[f] > w->t && p->incentives_cit_rate < tau)
        tau = p->incentives_cit_rate;
    if (w->fm.giant_until[f] > w->t && p->little_giants_cit_rate < tau) tau = p->little_giants_cit_rate;
    return tau;
}

/* A shell (docs/model.md 10) does nothing but pay its grant out to the node's
 * owners, an equal share over shell_months (the last payment takes what is
 * left), and closes when the grant is gone. Booked as FLOW_OTHER: it is
 * neither a dividend (there is no profit) nor production. */
static void shell_month(world *w, ledger_thread *lt, int32_t f)
{
    firms_t *fm = &w->fm;
    int64_t per = (int64_t)ceil((double)fm->subsidies[f] / w->p->entry_shell_months);
    int64_t amt = per < fm->grant_left[f] ? per : fm->grant_left[f];
    if (amt > fm->deposits[f]) amt = fm->deposits[f];
    if (amt < 0) amt = 0;
    ledger_move(w, lt, acct_firm(f), acct_owners(w, fm->node[f]), amt, FLOW_OTHER);
    fm->grant_left[f] -= amt;
    if (fm->grant_left[f] <= 0 || fm->deposits[f] <= 0) fm->flags[f] |= FF_CLOSING;
}

/* Split a tax between the node's local government and the centre. */
static void pay_tax(world *w, ledger_thread *lt, int64_t *ns, acct from, int n, int64_t tax, double local_share,
                    ledger_flow flow)
{
    int64_t local = fen_floor((double)tax * local_share);
    ledger_move(w, lt, from, acct_localgov(w, n), local, flow);
    ledger_move(w, lt, from, acct_central(w), tax - local, flow);
    ns[n * FN_SLOTS + FN_LG_REVENUE] += local;
    ns[n * FN_SLOTS + FN_CENTRAL_REVENUE] += tax - local;
}

/* Settle an exiting firm (serial): deposits repay the loan; if a loan remains,
 * the node's owners buy the capital at recovery_rate of its value and that
 * repays more; the rest is written off. Any deposits left go to the owners,
 * who keep the capital as spare capital for the node's next entrants. */
static void settle_exit(world *w, int32_t f)
{
    firms_t *fm = &w->fm;
    ledger_thread *lt = ledger_serial(w);
    const int n = fm->node[f], s = fm->sector[f];
    int64_t repay = fm->deposits[f] < fm->loans[f] ? fm->deposits[f] : fm->loans[f];
    ledger_repay_firm(w, lt, f, repay);
    if (fm->loans[f] > 0) {
        double value = w->p->firms_recovery_rate * w->mk.invest_basket_price * fm->capital[f] * 100.0;
        int64_t rec = fen_floor(value);
        int64_t owners = w->L.agg[w->acc.owners + n] + lt->pending[w->acc.owners + n];
        if (rec > fm->loans[f]) rec = fm->loans[f];
        if (rec > owners) rec = owners > 0 ? owners : 0;
        ledger_move(w, lt, acct_owners(w, n), acct_firm(f), rec, FLOW_LIQUIDATION);
        ledger_repay_firm(w, lt, f, rec);
        ledger_write_off_firm(w, lt, f, fm->loans[f]);
    }
    ledger_move(w, lt, acct_firm(f), acct_owners(w, n), fm->deposits[f], FLOW_LIQUIDATION);
    w->nd.spare_capital[n] += fm->capital[f];
    w->nd.exits[n * w->n_sectors + s]++;
    if (fm->flags[f] & FF_BANKRUPT) w->nd.bankruptcies[n * w->n_sectors + s]++;
    world_firm_release(w, f);
}

void finance_run(world *w)
{
    firms_t *fm = &w->fm;
    workers_t *wk = &w->wk;
    const sc_params *p = w->p, *m = w->m;
    const double pk = w->mk.invest_basket_price;
    const long nf = (long)fm->n, nw = (long)wk->n;
    const int N = w->n_nodes;
    for (int t = 0; t < w->n_threads; t++) memset(w->ts[t].node_sum, 0, sizeof(int64_t) * (size_t)N * FN_SLOTS);

#pragma omp parallel num_threads(w->n_threads)
    {
        ledger_thread *lt = ledger_thread_self(w);
        int64_t *ns = w->ts[omp_get_thread_num()].node_sum;
#pragma omp for schedule(static)
        for (long fi = 0; fi < nf; fi++) {
            int32_t f = (int32_t)fi;
            if (!(fm->flags[f] & FF_ALIVE)) continue;
            if (fm->flags[f] & FF_SHELL) {
                shell_month(w, lt, f);
                continue;
            }
            const int n = fm->node[f];
            const int64_t W = fm->wage_bill[f];
            const double value_k = pk * fm->capital[f] * 100.0;
            const double lev = value_k > 0 ? (double)fm->loans[f] / value_k : 10.0;
            int64_t interest = fen_floor((double)fm->loans[f] * finance_loan_rate(w, f, lev));
            int64_t amort = (int64_t)ceil((double)fm->loans[f] / p->firms_amortisation_months);
            if (amort > fm->loans[f]) amort = fm->loans[f];
            /* VAT on this month's sales, due with the wages. */
            const int64_t vat = fen_floor((double)fm->revenue[f] * p->tax_vat_rate);
            const int64_t need = W + interest + amort + vat;
            const int64_t buffer = (int64_t)(p->firms_buffer_months * (double)W);
            if (fm->deposits[f] < need + buffer) {
                int64_t room = fen_floor(p->firms_lev_max * w->lev_factor * value_k) - (fm->loans[f] - amort);
                int64_t want = need + buffer - fm->deposits[f];
                int64_t borrow = want < room ? want : room;
                if (borrow > 0) ledger_lend_firm(w, lt, f, borrow);
            }
            /* Soft budget constraint (docs/model.md 8): a state-linked firm that
             * would exit this month is kept alive by its local government
             * with probability beta_bail (one draw per firm and month). */
            const int rescued = (fm->flags[f] & FF_STATE) && p->incentives_beta_bail > 0 &&
                                rng_u01(&w->rk, RNG_BAILOUT, (uint64_t)f, (uint32_t)w->t, 0, 0) < p->incentives_beta_bail;
            if (fm->deposits[f] < need) {
                /* Bankrupt: the government pays the shortfall, and the firm
                 * lives on as a zombie. */
                if (rescued) {
                    int64_t gap = need - fm->deposits[f];
                    ledger_move(w, lt, acct_localgov(w, n), acct_firm(f), gap, FLOW_SUBSIDIES);
                    fm->subsidies[f] += gap;
                    fm->flags[f] |= FF_ZOMBIE;
                    ns[n * FN_SLOTS + FN_SUBSIDIES] += gap;
                    ns[n * FN_SLOTS + FN_LG_SPENDING] += gap;
                } else {
                    fm->flags[f] |= FF_BANKRUPT;
                    continue;
                }
            }
            pay_tax(w, lt, ns, acct_firm(f), n, vat, p->tax_vat_local_share, FLOW_VAT);
            ledger_pay_bank(w, lt, acct_firm(f), interest, FLOW_INTEREST_LOANS);
            ledger_repay_firm(w, lt, f, amort);
            /* Profit: sales and inventory build-up less wages, interest and
             * depreciation at replacement cost. */
            double depreciation = m->firms_delta * value_k;
            /* R&D is expensed (it bought no tangible capital). */
            double profit = (double)(fm->revenue[f] - vat) + fm->inv_change_value[f] - (double)W - (double)interest -
                            depreciation - (double)fm->rd_spend[f];
            fm->profit[f] = fen_floor(profit);
            int64_t avail = fm->deposits[f] - W;
            const double tau = finance_cit_rate(w, f);
            int64_t cit = profit > 0 ? fen_floor(tau * profit) : 0;
            if (profit > 0) {
                /* Tax expenditure: the tax forgone at the incentive rate is a
                 * subsidy, counted (no money moves). */
                double tau_normal = finance_cit_normal(w, n, fm->sector[f]);
                if (tau_normal > tau) {
                    int64_t te = fen_floor((tau_normal - tau) * profit);
                    fm->subsidies[f] += te;
                    ns[n * FN_SLOTS + FN_SUBSIDIES] += te;
                }
            }
            if (cit > avail) cit = avail > 0 ? avail : 0;
            pay_tax(w, lt, ns, acct_firm(f), n, cit, p->tax_local_share, FLOW_CIT);
            avail -= cit;
            int64_t div = profit > 0 ? fen_floor(p->firms_dividend_share * (profit - (double)cit)) : 0;
            if (div > avail - buffer) div = avail - buffer > 0 ? avail - buffer : 0;
            /* Cash above the target goes to the owners too: firms do not hoard
             * deposits (they borrow when they invest). */
            int64_t target = (int64_t)(p->firms_cash_target_months * (double)W) + W;
            int64_t excess = fm->deposits[f] - div - target;
            if (excess > 0) div += excess;
            ledger_move(w, lt, acct_firm(f), acct_owners(w, n), div, FLOW_DIVIDENDS);
            int64_t di = fen_floor((double)fm->deposits[f] * w->r_deposit_m);
            if (di > 0) ledger_bank_pays(w, lt, acct_firm(f), di, FLOW_INTEREST_DEPOSITS);
            /* Limited liability: owners walk away from a firm whose net worth
             * (deposits + value of capital - loans) has turned negative.
             * Dormancy: they also close a firm that has had neither workers
             * nor sales for DORMANT_MONTHS months in a row (it cannot hire at
             * the wage its productivity pays), rather than let its capital
             * idle for ever. A rescued state-linked firm stays open as a
             * zombie instead (it can still pay its bills: no money moves). */
            if (fm->employees[f] == 0 && fm->revenue[f] == 0) {
                if (fm->idle_months[f] < INT16_MAX) fm->idle_months[f]++;
            } else {
                fm->idle_months[f] = 0;
            }
            const int dormant = fm->idle_months[f] >= DORMANT_MONTHS;
            /* Persistent losses: a firm that has lost money (after
             * depreciation and interest) for loss_exit_months months in a
             * row is worth less as a going concern than its capital is as
             * scrap, so its owners close it even while its book net worth,
             * capital at replacement cost, is still positive (the exit rule
             * of Hopenhayn 1992: continue only while the value of
             * continuing is positive). Without it a firm's capital, valued
             * at replacement cost, would carry a loss-making firm for years,
             * and a subsidised firm of low quality would outlive better
             * ones (docs/model.md, "Exit"). */
            if (fm->profit[f] < 0) {
                if (fm->loss_months[f] < INT16_MAX) fm->loss_months[f]++;
            } else {
                fm->loss_months[f] = 0;
            }
            const int losing = p->firms_loss_exit_months > 0 && fm->loss_months[f] >= p->firms_loss_exit_months;
            if (dormant || losing || (double)fm->deposits[f] + value_k - (double)fm->loans[f] < 0) {
                if (rescued) fm->flags[f] |= FF_ZOMBIE;
                else fm->flags[f] |= FF_CLOSING;
            }
        }
    }
    ledger_flush(w);
    for (long fi = 0; fi < nf; fi++)
        if ((fm->flags[fi] & FF_ALIVE) && (fm->flags[fi] & (FF_BANKRUPT | FF_CLOSING))) settle_exit(w, (int32_t)fi);
    ledger_flush(w);

    /* The node's rent by tenure and its benefit are the same for every worker
     * of the node: computed once here, by the same expressions. */
    int64_t rent_own[SC_MAX_NODES], rent_other[SC_MAX_NODES], benefit[SC_MAX_NODES];
    uint8_t urban[SC_MAX_NODES];
    for (int n = 0; n < N; n++) {
        rent_own[n] = fen_floor(p->households_theta_own * 100.0 * w->nd.land_price[n] * w->price_level);
        rent_other[n] = fen_floor(p->households_theta_rent * 100.0 * w->nd.land_price[n] * w->price_level);
        urban[n] = w->sc->nodes[n].kind != NODE_RURAL;
        benefit[n] = fen_floor(p->households_benefit_replacement * w->nd.min_wage[n]);
    }
    const double pit_threshold = p->tax_pit_threshold * 100.0, pit_rate = p->tax_pit_rate;
    const double local_share = p->tax_local_share, r_deposit = w->r_deposit_m;

#pragma omp parallel num_threads(w->n_threads)
    {
        ledger_thread *lt = ledger_thread_self(w);
        int64_t *ns = w->ts[omp_get_thread_num()].node_sum;
#pragma omp for schedule(static, WORLD_CHUNK)
        for (long li = 0; li < nw; li++) {
            size_t i = (size_t)li;
            const long ahead = world_ahead(li, nw);
            if (ahead >= 0 && wk->employer[ahead] >= 0) {
                __builtin_prefetch(&fm->flags[wk->employer[ahead]]);
                __builtin_prefetch(&lt->firm_pending[wk->employer[ahead]], 1);
            }
            const int n = wk->node[i];
            const int local = wk->hukou[i] == n;
            int32_t f = wk->employer[i];
            if (f >= 0 && !(fm->flags[f] & FF_ALIVE)) {
                wk->employer[i] = -1;
                wk->months_unemployed[i] = 0;
                f = -1;
            }
            if (f >= 0) {
                int64_t wage = wk->wage[i];
                /* Nobody reads firm deposits in this loop: the debit waits for the flush. */
                ledger_move_firm_deferred(w, lt, f, acct_worker(i), wage, FLOW_WAGES);
                double taxable = (double)wage - pit_threshold;
                if (taxable > 0) pay_tax(w, lt, ns, acct_worker(i), n, fen_floor(taxable * pit_rate), local_share, FLOW_PIT);
            } else {
                if (wk->months_unemployed[i] < 255) wk->months_unemployed[i]++;
                if (local && urban[n]) {
                    int64_t b = benefit[n];
                    ledger_move(w, lt, acct_localgov(w, n), acct_worker(i), b, FLOW_BENEFITS);
                    ns[n * FN_SLOTS + FN_LG_SPENDING] += b;
                }
            }
            int64_t rent = local ? rent_own[n] : rent_other[n];
            if (rent > wk->savings[i]) rent = wk->savings[i] > 0 ? wk->savings[i] : 0;
            ledger_move(w, lt, acct_worker(i), acct_owners(w, n), rent, FLOW_RENT);
            int64_t di = fen_floor((double)wk->savings[i] * r_deposit);
            if (di > 0) ledger_bank_pays(w, lt, acct_worker(i), di, FLOW_INTEREST_DEPOSITS);
        }
    }
    ledger_flush(w);
    for (int t = 0; t < w->n_threads; t++)
        for (int n = 0; n < N; n++) {
            const int64_t *ns = w->ts[t].node_sum;
            w->nd.lg_revenue[n] += ns[n * FN_SLOTS + FN_LG_REVENUE];
            w->nd.lg_spending[n] += ns[n * FN_SLOTS + FN_LG_SPENDING];
            w->central_revenue += ns[n * FN_SLOTS + FN_CENTRAL_REVENUE];
            w->nd.subsidies[n] += ns[n * FN_SLOTS + FN_SUBSIDIES];
        }
}
