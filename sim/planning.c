/* planning.c - phase 2: firms plan the month (docs/model.md 5).
 *
 * Each firm updates its sales expectation, sets desired output, the labour it
 * needs for it (vacancies or layoff probability), its wage offer and its
 * investment, borrowing for investment when its deposits fall short. Firms
 * only read their own state and last month's node aggregates, so the loop is
 * an independent map over firms. */
#include "phases.h"
#include <math.h>

/* Notional real demand a firm faced last month: its sales scaled up by the
 * buyers' rationing, so that firms see demand they could not serve. */
static double notional_demand(const world *w, int32_t f)
{
    int m = world_market(w, w->fm.node[f], w->fm.sector[f]);
    double fill = w->mk.fill[m];
    return fill > 0.05 ? w->fm.sold[f] / fill : w->fm.sold[f] / 0.05;
}

void planning_run(world *w)
{
    firms_t *fm = &w->fm;
    const sc_params *p = w->p, *m = w->m;
    const scenario *sc = w->sc;
    const double pk = goods_invest_price(w);
    w->mk.invest_basket_price = pk;
    const long nf = (long)fm->n;
    /* The offers' price pass-through is the same for every firm of a market:
     * one pow per market, not per firm. */
    double *wage_pass = w->mk.wage_pass;
    for (int k = 0; k < w->mk.n_markets; k++)
        wage_pass[k] = pow(w->mk.price[k] / w->mk.price_prev[k], p->firms_wage_productivity_passthrough);
#pragma omp parallel for schedule(static) num_threads(w->n_threads)
    for (long fi = 0; fi < nf; fi++) {
        int32_t f = (int32_t)fi;
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        ledger_thread *lt = ledger_thread_self(w);
        const int n = fm->node[f], s = fm->sector[f];
        const sc_sector *sec = &sc->sectors[s];
        const double alpha = sec->alpha;
        const int mk = world_market(w, n, s);
        const double price = w->mk.price[mk];
        const int rural_farm = sec->agriculture;

        /* Expectations and desired output (docs/model.md 5). */
        /* A firm that had nothing on offer (an entrant that has not produced
         * yet) learns nothing about demand from selling nothing. */
        if (w->t > 0 && fm->output[f] + fm->inventory[f] > 0) {
            const double nd = notional_demand(w, f);
            fm->expected[f] += p->firms_chi * (nd - fm->expected[f]);
            /* Desired capital follows a slower expectation of the same sales
             * (firms.chi_capital): capital lasts years, and a plan that
             * follows four months of sales makes investment an accelerator
             * of every swing in demand (docs/model.md "Desired capital"). */
            fm->expected_k[f] += p->firms_chi_capital * (nd - fm->expected_k[f]);
        }
        double ystar = sec->tradable ? fm->expected[f] * (1.0 + p->firms_b_inv) - fm->inventory[f]
                                     : fm->expected[f];
        if (ystar < 0) ystar = 0;
        if (fm->flags[f] & FF_SHELL) ystar = 0;
        fm->planned[f] = ystar;

        /* Capital plan first: labour demand of a new firm uses the capital it is
         * buying this month, not the token stock it starts with. */
        double K = fm->capital[f] > 1e-9 ? fm->capital[f] : 1e-9;
        double value_k = pk * K * 100.0;
        double lev = value_k > 0 ? (double)fm->loans[f] / value_k : 0.0;
        double rf = finance_loan_rate(w, f, lev);
        /* Desired capital follows expected sales, not this month's output plan
         * (which includes inventory rebuilding), so one month's swing in sales
         * does not become a swing in investment (the first specification (docs/model.md 5) uses Y*; see
         * docs/model.md). */
        const double net_price = price * (1.0 - p->tax_vat_rate); /* producer price after VAT */
        double kstar = alpha * net_price * fm->expected_k[f] / ((rf + m->firms_delta) * pk);
        double k_plan = (fm->flags[f] & FF_NEW) && kstar > K ? kstar : K;

        /* Labour demand. Above capacity, H* solves Y* = A G K^a H*^(1-a)
         * (docs/model.md 5). Below capacity the firm idles capital rather than run
         * it with too little labour: it keeps the cost-minimising ratio
         * K/H = a/(1-a) * w/c (c the user cost of capital) on the capital it
         * uses, so labour demand is proportional to output. Without this,
         * labour demand would move 1/(1-a) times as much as demand (a
         * 2x amplifier of every downturn; see docs/model.md). */
        double AG = exp(fm->ln_a[f]) * w->nd.agglomeration[n];
        double user_cost = (rf + m->firms_delta) * pk;            /* yuan per unit of K per month */
        double wage_unit = fm->offer[f] / 100.0;                  /* yuan per skill unit per month */
        double h_eff = wage_unit > 0 ? k_plan * (1.0 - alpha) * user_cost / (alpha * wage_unit) : 0.0;
        double y_full = h_eff > 0 ? AG * pow(k_plan, alpha) * pow(h_eff, 1.0 - alpha) : 0.0;
        double hstar = 0.0;
        if (ystar > 0 && y_full > 0 && ystar <= y_full) hstar = h_eff * ystar / y_full;
        else if (ystar > 0) hstar = pow(ystar / (AG * pow(k_plan, alpha)), 1.0 / (1.0 - alpha));
        fm->h_eff[f] = h_eff;
        int L = fm->employees[f];
        double hbar = L > 0 ? (double)fm->skill[f] / SKILL_ONE / L
                            : (double)world_skill_of_tier(w, sec->min_tier > 0 ? sec->min_tier : 1) / SKILL_ONE;
        double lstar = hstar / hbar;
        int unfilled = fm->vacancies[f] > fm->hires[f];
        fm->layoff_p[f] = 0;
        if (rural_farm) {
            fm->vacancies[f] = 0; /* the family farm takes everyone who asks (labour.c) */
        } else {
            /* A firm can at most double (or add 10 hires) in a month. */
            double v = ceil(lstar - L), vmax = L > 10 ? L : 10;
            fm->vacancies[f] = v > 0 ? (int32_t)(v < vmax ? v : vmax) : 0;
            if (L > p->firms_layoff_slack * lstar && L > 0) fm->layoff_p[f] = (L - lstar) / L;
        }

        /* Wage offer per skill unit (docs/model.md 5). The farm pays its workers
         * their marginal product (family income). */
        double H = (double)fm->skill[f] / SKILL_ONE;
        double offer = fm->offer[f];
        if (rural_farm) {
            /* Family income: the labour share of what the farm produced. */
            if (H > 0 && fm->output[f] > 0) offer = (1.0 - alpha) * net_price * fm->output[f] * 100.0 / H;
        } else {
            /* Offers follow the firm's own output price (and, in
             * productivity.c, its TFP): nominal pay per skill unit keeps pace
             * with the value it produces. The cap is the marginal product of a
             * skill unit (after VAT) at the cost-minimising capital ratio, so
             * idle labour does not depress it, fen/month. */
            offer *= wage_pass[mk];
            double mpl = h_eff > 0 ? (1.0 - alpha) * net_price * 100.0 * AG * pow(k_plan / h_eff, alpha) : offer;
            /* Raise offers for unfilled vacancies only where the local labour
             * market is tight: with many unemployed, unfilled vacancies mean
             * mismatch, not a shortage that higher pay would cure (and, with
             * offers already indexed to price and TFP, raises in a slack
             * market push pay past productivity and squeeze profits). */
            if (unfilled && fm->vacancies[f] > 0 && w->nd.unemployment_rate[n] < p->firms_wage_up_unemployment)
                offer *= 1.0 + p->firms_wage_up;
            else if (fm->layoff_p[f] > 0 && w->nd.unemployment_rate[n] > p->firms_wage_cut_unemployment)
                offer *= 1.0 - p->firms_wage_down;
            if (offer > mpl) offer = mpl;
            /* Workers do not take much less than the going rate: a firm whose
             * marginal product is below reservation_share of the node's mean
             * offer must still pay that much, and makes losses (so quality q
             * decides survival, docs/model.md 10). */
            double reservation = p->labour_reservation_share * w->nd.mean_offer[n];
            if (offer < reservation) offer = reservation;
            double floor_offer = w->nd.min_wage[n] / ((double)world_skill_of_tier(w, sec->min_tier) / SKILL_ONE);
            if (offer < floor_offer) offer = floor_offer;
        }
        fm->offer[f] = offer;

        /* Investment: K* = alpha p Y* / ((r_f + delta) p_K), clamped (docs/model.md 5). */
        /* Close the capital gap over invest_adjust_months (1 = the one-step
         * rule of docs/model.md 5); new firms buy their capital at once. */
        double adjust = (fm->flags[f] & FF_NEW) ? 1.0 : p->firms_invest_adjust_months;
        /* Replacement, the expansion that expected trend growth calls for
         * (firms.expected_growth; 0 = the first specification (docs/model.md 5)), and the closing of the
         * gap: on a growth path at that rate, K stays at K*. */
        double inv = (m->firms_delta + m->firms_expected_growth) * fm->capital[f] + (kstar - fm->capital[f]) / adjust;
        double cap = (fm->flags[f] & FF_NEW) ? 1e300 : p->firms_invest_cap * fm->capital[f] + p->firms_k_min;
        if (inv > cap) inv = cap;
        if (inv < 0 || (fm->flags[f] & FF_SHELL)) inv = 0;
        if ((fm->flags[f] & FF_NEW) && fm->capital[f] >= 0.9 * kstar) fm->flags[f] &= (uint16_t)~FF_NEW;
        int64_t spend = fen_floor(inv * pk * 100.0);
        /* Borrow for investment up to the leverage cap; keep a wage buffer. */
        /* The wage buffer counts the wages the firm plans to pay, not only
         * those it pays now: an entrant must not sink all its equity into
         * capital before it has hired anyone. */
        double planned_wages = hstar * offer;
        int64_t buffer = (int64_t)(p->firms_buffer_months *
                                   ((double)fm->wage_bill[f] > planned_wages ? (double)fm->wage_bill[f] : planned_wages));
        int64_t need = spend + buffer - fm->deposits[f];
        /* Firms finance firms.loan_share of their investment with new bank
         * loans even when their deposits would cover it (Chinese fixed
         * investment is largely bank-financed; the first specification's rule (docs/model.md 8), borrowing
         * only what deposits lack, is loan_share 0), within the cap. */
        int64_t by_loan = fen_floor(p->firms_loan_share * (double)spend);
        if (by_loan > need) need = by_loan;
        if (need > 0) {
            int64_t room = fen_floor(p->firms_lev_max * w->lev_factor * value_k) - fm->loans[f];
            int64_t borrow = need < room ? need : room;
            if (borrow > 0) ledger_lend_firm(w, lt, f, borrow);
        }
        int64_t avail = fm->deposits[f] - buffer;
        if (spend > avail) spend = avail > 0 ? avail : 0;
        fm->invest[f] = (double)spend; /* fen, spent in the goods market */
        /* R&D: the sector's rd_share of last month's sales (docs/model.md 9), from
         * what is left after investment and the buffer; shells do none. */
        int64_t rd = (fm->flags[f] & FF_SHELL) ? 0 : fen_floor(sec->rd_share * (double)fm->revenue[f]);
        int64_t left = avail - spend;
        fm->rd_spend[f] = rd < left ? rd : (left > 0 ? left : 0);
    }
    ledger_flush(w);
}
