/* entry.c - phase 8: entry of new firms under incentives (docs/model.md 10).
 *
 * For each node n and hosted sector s, in a fixed order, potential entrants
 * ~ Poisson(nu_s (workforce_n / pop_ref)^0.5 (1 + epsilon_sub SV_ns / E0) /
 * scale), nu_s = entry.rate * employment_share_s (entry.rate counts
 * real-world firms; a firm agent stands for `scale` of them). Each draws a
 * quality q ~ LogNormal(0, sigma_q) and compares its expected profit without
 * support P(q) plus the value of support SV to the entry cost; those that
 * enter only because of support are wannabes. Among target entrants under an
 * unconditional grant a share shell_s0 G / (G + g_half) are shells that
 * register only to collect the grant (finance.c pays it out to the owners
 * and closes them). Entrants are funded by the node's owners (equity, plus
 * the node's spare capital in kind), the local government's grant, the
 * state fund (central) and private VC that follows the state's money (from
 * the richest owners); state and VC money make the firm larger. Grants paid
 * per hire are paid here, month by month, as target firms hire.
 *
 * Every formula, unit and choice is in docs/model.md, "8. Entry under
 * incentives". Serial over node-sectors in a fixed order and the free list
 * sorted first, so firm ids (lowest free slot first) and draws (keyed by
 * node-sector, month and draw number) never depend on threads. */
#include "phases.h"
#include <math.h>
#include <gsl/gsl_randist.h>

/* What an entrant of quality q in one node-sector expects (docs/model.md). */
typedef struct {
    double wb;    /* wage bill of initial_workers at the node's mean offer, fen/month */
    double ys1;   /* expected sales at q = 1: the market's sold share of Y(1), 2019 yuan/month */
    double k0;    /* cost-minimising capital for the plan, 2019 yuan */
    double cost;  /* monthly cost at that size: wages + user cost of capital, yuan */
    double rev1;  /* expected monthly sales net of VAT at q = 1, yuan */
    double tau;   /* normal CIT rate of the node-sector */
} cell_econ;

/* Expected monthly operating profit of an entrant of quality q, yuan (before
 * corporate income tax). */
static double entrant_profit(const cell_econ *c, double q)
{
    return c->rev1 * q - c->cost;
}

/* Expected profit over the horizon without support, after normal CIT, yuan. */
static double entrant_value(const world *w, const cell_econ *c, double q)
{
    double pi = entrant_profit(c, q);
    return w->p->entry_horizon_months * (pi > 0 ? (1.0 - c->tau) * pi : pi);
}

/* Present value of the CIT incentive (incentives.cit_rate instead of the
 * normal rate over cit_years, within the horizon), yuan. */
static double tax_value(const world *w, const cell_econ *c, double q)
{
    const sc_params *p = w->p;
    double pi = entrant_profit(c, q), gap = c->tau - p->incentives_cit_rate;
    if (pi <= 0 || gap <= 0) return 0.0;
    double months = 12.0 * p->incentives_cit_years;
    if (months > p->entry_horizon_months) months = p->entry_horizon_months;
    return months * gap * pi;
}

/* The entrant's economics in node n, sector s (docs/model.md): Cobb-Douglas
 * at the cost-minimising capital for initial_workers of the sector's minimum
 * tier at the node's mean offer, productivity q exp(mean ln A) G_n. */
static void cell_economics(const world *w, int n, int s, cell_econ *c)
{
    const sc_params *p = w->p;
    const sc_sector *sec = &w->sc->sectors[s];
    const int m = world_market(w, n, s);
    const double alpha = sec->alpha, net = 1.0 - p->tax_vat_rate, price = w->mk.price[m];
    const double pk = w->mk.invest_basket_price;
    const double h = (double)world_skill_of_tier(w, sec->min_tier > 0 ? sec->min_tier : 1) / SKILL_ONE;
    const double H0 = p->entry_initial_workers * h;        /* skill units */
    const double wunit = w->nd.mean_offer[n] / 100.0;       /* yuan per skill unit and month */
    const double uc = (finance_loan_rate(w, -1, 0.0) + w->m->firms_delta) * pk; /* user cost, yuan per unit K */
    c->wb = H0 * w->nd.mean_offer[n];
    c->k0 = alpha / (1.0 - alpha) * wunit * H0 / uc;
    c->cost = wunit * H0 / (1.0 - alpha);
    /* Sales: what the market sold of its output last month (at most all). */
    double sold = w->mk.output[m] > 0 ? w->mk.sold_real[m] / w->mk.output[m] : 1.0;
    if (!(sold <= 1.0)) sold = 1.0;
    double A = exp(w->nd.mean_ln_a[n * w->n_sectors + s]) * w->nd.agglomeration[n];
    double y1 = A * pow(c->k0, alpha) * pow(H0, 1.0 - alpha);
    c->ys1 = sold * y1;
    c->rev1 = net * price * c->ys1;
    c->tau = finance_cit_normal(w, n, s);
}

/* Grants paid per hire (incentives.grant_per_hire = 1): a target firm with
 * grant left receives grant / initial_workers for each worker hired this
 * month from its local government, until the grant is used up. Commitments
 * are honoured even when the government has stopped making new ones. */
static void pay_hire_grants(world *w, ledger_thread *lt)
{
    firms_t *fm = &w->fm;
    const int64_t per_hire = fen_floor(w->p->incentives_grant * 100.0 / w->p->entry_initial_workers);
    for (size_t fi = 0; fi < fm->n; fi++) {
        int32_t f = (int32_t)fi;
        if ((fm->flags[f] & (FF_ALIVE | FF_TARGET | FF_SHELL)) != (FF_ALIVE | FF_TARGET)) continue;
        if (fm->grant_left[f] <= 0 || fm->hires[f] <= 0) continue;
        int64_t amt = per_hire * fm->hires[f];
        if (amt > fm->grant_left[f] || per_hire <= 0) amt = fm->grant_left[f];
        const int n = fm->node[f];
        ledger_move(w, lt, acct_localgov(w, n), acct_firm(f), amt, FLOW_SUBSIDIES);
        fm->grant_left[f] -= amt;
        fm->subsidies[f] += amt;
        w->nd.subsidies[n] += amt;
        w->nd.lg_spending[n] += amt;
    }
}

/* Balance of aggregate account k including this thread's pending moves. */
static int64_t agg_balance(const world *w, const ledger_thread *lt, int k)
{
    return w->L.agg[k] + lt->pending[k];
}

void entry_run(world *w)
{
    const sc_params *p = w->p;
    const scenario *sc = w->sc;
    firms_t *fm = &w->fm;
    nodes_t *nd = &w->nd;
    const int N = w->n_nodes, S = w->n_sectors;
    const double pk = w->mk.invest_basket_price;
    ledger_thread *lt = ledger_serial(w);
    world_firm_slots_sort(w); /* exits this month joined the free list: lowest slot first again */
    pay_hire_grants(w, lt);

    /* Census (serial, firm order): firms alive per node-sector, hard-tech
     * firms (little-giant odds), and per node and minimum tier the vacancies
     * posted and filled this month (the fill rate a per-hire grant is valued
     * at). */
    double *alive = w->ts[0].ns_real;            /* [N*S] */
    int64_t *vac = w->ts[0].node_sum;            /* [N*4] vacancies, then [N*4] hires: ENTRY_SLOTS (scratch.h) */
    int64_t *hired = vac + (size_t)N * SC_TIERS;
    for (int k = 0; k < N * S; k++) alive[k] = 0;
    for (int k = 0; k < N * ENTRY_SLOTS; k++) vac[k] = 0;
    double hard = 0;
    for (size_t f = 0; f < fm->n; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        const sc_sector *sec = &sc->sectors[fm->sector[f]];
        alive[fm->node[f] * S + fm->sector[f]] += 1;
        if (sec->hard_tech && !(fm->flags[f] & FF_SHELL)) hard += 1;
        if (!sec->agriculture && fm->vacancies[f] > 0) {
            vac[fm->node[f] * SC_TIERS + sec->min_tier] += fm->vacancies[f];
            hired[fm->node[f] * SC_TIERS + sec->min_tier] += fm->hires[f];
        }
    }

    /* The incentive regime this month. A local government makes no new grant
     * commitments while last month's LGFV interest exceeds debt_service_cap
     * of last month's revenue (docs/model.md 14). */
    const int regime = w->policy_on;
    const double G = p->incentives_grant;                  /* yuan per firm */
    const int per_hire = p->incentives_grant_per_hire != 0;
    uint8_t grants_ok[SC_MAX_NODES];
    for (int n = 0; n < N; n++) {
        double service = (double)w->L.lgfv_debt[n] * w->m->bank_r_lgfv;
        double revenue = (double)nd->lg_revenue_prev[n];
        grants_ok[n] = regime && nd->target[n] && G > 0 && service <= p->incentives_debt_service_cap * revenue;
    }
    const double shell_share = per_hire ? 0.0 : p->entry_shell_s0 * G / (G + p->entry_shell_g_half);
    /* Little-giant odds of an entrant over its horizon: picks per year / firms. */
    double lg_value = 0;
    if (p->little_giants_count > 0 && hard > 0) {
        double odds = p->little_giants_count / w->scale * (p->entry_horizon_months / 12.0) / hard;
        lg_value = (odds < 1 ? odds : 1) * p->little_giants_grant;
    }
    /* Private VC comes from the richest owners (lowest node on ties). */
    int vc_node = 0;
    for (int n = 1; n < N; n++)
        if (w->L.agg[w->acc.owners + n] > w->L.agg[w->acc.owners + vc_node]) vc_node = n;

    /* Entry costs are paid at local prices and today's wages: entry.cost is
     * in yuan at the national mean wage of the first month; it scales with
     * the node's mean wage relative to the national one and with the
     * national wage index (last month's). Held fixed in nominal yuan, it
     * would shrink as wages rise and let ever more entrants in. */
    double wage_all = 0, emp_all = 0;
    for (int n = 0; n < N; n++) {
        wage_all += (double)nd->wage_sum[n];
        emp_all += (double)nd->employed[n];
    }
    const double mean_wage = emp_all > 0 ? wage_all / emp_all : 0;

    for (int n = 0; n < N; n++) {
        const double workforce = (double)nd->residents[n] * w->scale;
        if (nd->mean_offer[n] <= 0) continue;
        const double cost = w->wage_index *
                            ((mean_wage > 0 && nd->employed[n] > 0)
                                 ? p->entry_cost * ((double)nd->wage_sum[n] / (double)nd->employed[n]) / mean_wage
                                 : p->entry_cost);
        for (int s = 0; s < S; s++) {
            const sc_sector *sec = &sc->sectors[s];
            if (!world_node_hosts(w, n, s)) continue;
            const int k = n * S + s;
            if (alive[k] == 0) continue; /* no incumbent to learn from: no entry */
            cell_econ c;
            cell_economics(w, n, s, &c);
            const int target = regime && nd->target[n] && w->sector_target[s];
            /* Value of support (yuan per firm; docs/model.md): the parts
             * that do not depend on q, then the tax incentive at q = 1 for
             * the Poisson rate. */
            double sv_fixed = 0, grant_value = 0;
            if (target) {
                if (grants_ok[n]) {
                    double fill = 1.0;
                    if (per_hire) {
                        int64_t v = vac[n * SC_TIERS + sec->min_tier];
                        fill = v > 0 ? (double)hired[n * SC_TIERS + sec->min_tier] / (double)v : 1.0;
                        if (fill > 1) fill = 1;
                    }
                    grant_value = G * fill;
                }
                double land = p->incentives_land_discount * nd->land_price[n] * w->price_level * p->land_cost_per_hire *
                              p->entry_initial_workers;
                sv_fixed = grant_value + land + (sec->hard_tech ? lg_value : 0.0) + p->incentives_state_fund;
            }
            const double sv1 = target ? sv_fixed + tax_value(w, &c, 1.0) : 0.0;
            double lambda = p->entry_rate * sec->employment_share * sqrt(workforce / p->entry_pop_ref) *
                            (1.0 + p->entry_epsilon_sub * sv1 / p->entry_e0) / w->scale;
            gsl_rng *g = rng_gsl_at(w->ts[0].gsl, &w->rk, RNG_ENTRY, (uint64_t)k, (uint32_t)w->t, 0);
            const unsigned count = gsl_ran_poisson(g, lambda);
            const int shells_possible = target && grants_ok[n] && shell_share > 0;
            for (unsigned j = 0; j < count; j++) {
                const uint64_t id = ((uint64_t)j << 32) | (uint32_t)k;
                double u[2];
                rng_u01x2(&w->rk, RNG_QUALITY, id, (uint32_t)w->t, 1, 0, u);
                if (shells_possible && u[0] < shell_share) {
                    /* A shell: registers, takes the grant, never hires. It
                     * would not exist without support, so it is a wannabe
                     * too (shell_entries are part of wannabe_entries). */
                    int32_t f = world_firm_new(w);
                    if (f < 0) break; /* out of memory: fm.grow_failed stops the run (sim_month) */
                    int64_t grant = fen_floor(G * 100.0);
                    fm->node[f] = (uint16_t)n;
                    fm->sector[f] = (uint8_t)s;
                    fm->flags[f] = FF_ALIVE | FF_SHELL | FF_WANNABE | FF_TARGET;
                    fm->birth[f] = w->t;
                    fm->q[f] = 0;
                    fm->ln_a[f] = nd->mean_ln_a[k];
                    fm->offer[f] = nd->mean_offer[n];
                    fm->grant_left[f] = grant;
                    fm->subsidies[f] = grant;
                    ledger_move(w, lt, acct_localgov(w, n), acct_firm(f), grant, FLOW_SUBSIDIES);
                    nd->subsidies[n] += grant;
                    nd->lg_spending[n] += grant;
                    nd->entries[k]++;
                    nd->shell_entries[k]++;
                    nd->wannabe_entries[k]++;
                    continue;
                }
                gsl_rng *gq = rng_gsl_at(w->ts[0].gsl, &w->rk, RNG_QUALITY, id, (uint32_t)w->t, 0);
                const double q = gsl_ran_lognormal(gq, 0.0, p->entry_sigma_q);
                const double P = entrant_value(w, &c, q);
                const double sv = target ? sv_fixed + tax_value(w, &c, q) : 0.0;
                if (P + sv < cost) continue;
                const int wannabe = P < cost;
                /* Funding: owners' equity for equity_months of wage bill and
                 * the capital (spare capital in kind first); state fund and
                 * VC money scale the firm up in proportion. */
                const double from_spare = nd->spare_capital[n] < c.k0 ? nd->spare_capital[n] : c.k0;
                const double base = p->entry_equity_months * c.wb + c.k0 * pk * 100.0; /* fen */
                const int64_t equity = fen_floor(p->entry_equity_months * c.wb + (c.k0 - from_spare) * pk * 100.0);
                if (equity > agg_balance(w, lt, w->acc.owners + n)) break; /* the owners cannot fund more */
                int64_t fund = 0, vc = 0;
                if (target && p->incentives_state_fund > 0) {
                    fund = fen_floor(p->incentives_state_fund * 100.0);
                    vc = fen_floor(p->incentives_vc_multiple * (double)fund);
                    int64_t room = agg_balance(w, lt, w->acc.owners + vc_node) - (vc_node == n ? equity : 0);
                    if (vc > room) vc = room > 0 ? room : 0;
                }
                int32_t f = world_firm_new(w);
                if (f < 0) break; /* out of memory: fm.grow_failed stops the run (sim_month) */
                const double scale_up = 1.0 + (double)(fund + vc) / base;
                fm->node[f] = (uint16_t)n;
                fm->sector[f] = (uint8_t)s;
                fm->flags[f] = FF_ALIVE | FF_NEW;
                fm->birth[f] = w->t;
                fm->q[f] = q;
                fm->ln_a[f] = log(q) + nd->mean_ln_a[k];
                fm->capital[f] = from_spare > 0 ? from_spare : 1e-3 * c.k0;
                nd->spare_capital[n] -= from_spare;
                /* It expects to sell what its entry decision counted on,
                 * sigma_m Y(q): so every entrant plans L0 workers (scaled
                 * up), whatever its q, and quality shows in its profit
                 * rather than in a smaller workforce. */
                fm->expected[f] = q * c.ys1 * scale_up;
                fm->expected_k[f] = fm->expected[f];
                fm->offer[f] = nd->mean_offer[n];
                ledger_move(w, lt, acct_owners(w, n), acct_firm(f), equity, FLOW_EQUITY);
                if (target) {
                    fm->flags[f] |= FF_TARGET;
                    fm->cit_until[f] = w->t + (int32_t)lround(12.0 * p->incentives_cit_years);
                    if (u[1] < p->incentives_state_linked_share) fm->flags[f] |= FF_STATE;
                    if (grants_ok[n]) {
                        int64_t grant = fen_floor(G * 100.0);
                        if (per_hire) {
                            fm->grant_left[f] = grant;
                        } else {
                            ledger_move(w, lt, acct_localgov(w, n), acct_firm(f), grant, FLOW_SUBSIDIES);
                            fm->subsidies[f] += grant;
                            nd->subsidies[n] += grant;
                            nd->lg_spending[n] += grant;
                        }
                    }
                    if (fund > 0) {
                        ledger_move(w, lt, acct_central(w), acct_firm(f), fund, FLOW_EQUITY);
                        w->central_spending += fund;
                        ledger_move(w, lt, acct_owners(w, vc_node), acct_firm(f), vc, FLOW_EQUITY);
                    }
                }
                if (wannabe) {
                    fm->flags[f] |= FF_WANNABE;
                    nd->wannabe_entries[k]++;
                }
                nd->entries[k]++;
            }
        }
    }
    ledger_flush(w);
}
