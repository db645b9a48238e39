/* init.c - the initial state of the economy (docs/model.md 1-3, 15 initial
 * conditions); world.c allocates the state it fills.
 *
 * The initial state is built from the scenario's node and sector tables so that
 * the first month reproduces the data it was given: workers per node from
 * population shares, hukou and education from the migrant survey shares, firms
 * sized by a Pareto law, wages that give each node its GDP per capita at the
 * sectors' labour shares, and money stocks that close the balance sheet
 * (owners hold the deposits the bank's equity target leaves). */
#include "world.h"
#include "phases.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

/* Fill w->skill_of: h = exp(0.09 * (years - 9)) in SKILL_ONE units, with 6, 9,
 * 12 and 15.5 years of schooling for tiers 0..3 (docs/model.md 3). */
static void init_skills(world *w)
{
    const double years[SC_TIERS] = {6.0, 9.0, 12.0, 15.5};
    for (int e = 0; e < SC_TIERS; e++) w->skill_of[e] = (int64_t)llround(exp(0.09 * (years[e] - 9.0)) * SKILL_ONE);
}

/* Draw a tier from four shares with uniform u. */
static int draw_tier(const double sh[4], double u)
{
    double c = 0;
    for (int k = 0; k < 3; k++) { c += sh[k]; if (u < c) return k; }
    return 3;
}

/* Place workers: node, hukou, tier, employment status (docs/model.md 3). */
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

/* Give employed workers (flag WF_HIRED_NOW set by init_workers) to sectors and
 * firms. Sectors with the highest minimum tier are filled first from eligible
 * workers, so the talent constraint of docs/model.md 12 holds from the start. */
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
         * share; urban nodes split all by employment share (docs/model.md 2). */
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
                    if (f < 0) { free(assigned); return inc_fail(e, INC_ERR_NOMEM, "out of memory growing the firm arrays at start"); }
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
                if (f < 0) { free(assigned); return inc_fail(e, INC_ERR_NOMEM, "out of memory growing the firm arrays at start"); }
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
    const sc_params *p = &sc->p;
    const int N = sc->n_nodes, S = sc->n_sectors;
    int64_t total_workers = workers > 0 ? workers : llround(p->scale_labour_force / p->scale_persons_per_agent);
    if (total_workers < 1) {
        memset(w, 0, sizeof *w);
        return inc_fail(e, INC_ERR_RANGE, "scale.labour_force / scale.persons_per_agent gives no worker agents");
    }
    /* Firm slots: the initial firms plus room for entry (more are added when
     * they fill, world_firm_new). */
    size_t cap = (size_t)(2.5 * (double)total_workers / (p->init_workers_per_firm > 1 ? p->init_workers_per_firm : 1)) + 64 + (size_t)N * (size_t)S * 16;
    inc_status st = world_alloc(w, sc, threads, (size_t)total_workers, cap, e);
    if (st != INC_OK) return st;
    w->months = (int)p->run_months;
    w->calendar = p->run_start;
    rng_keys_init(&w->rk, (uint64_t)p->run_seed);
    init_skills(w);
    w->scale = p->scale_labour_force / (double)total_workers;

    double pop[SC_MAX_NODES] = {0};
    for (int n = 0; n < N; n++) pop[n] = sc->nodes[n].population;
    int64_t per_node[SC_MAX_NODES];
    tables_apportion(total_workers, pop, N, per_node);
    size_t node_first[SC_MAX_NODES + 1];
    node_first[0] = 0;
    for (int n = 0; n < N; n++) node_first[n + 1] = node_first[n] + (size_t)per_node[n];


    init_workers(w, per_node);
    st = init_firms(w, node_first, e);
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
     * capita at the employment-weighted labour share 1 - alpha (docs/model.md 5). */
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
     * docs/model.md 5, so the economy starts near its steady state. r_f depends on
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
     * assets; the owners hold what the other sectors do not (docs/model.md 3). */
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
    tables_apportion(owners_total, gdp_w, N, owners);
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

    /* Targets of the incentives (docs/model.md 10, 17). */
    scenario_nodes_mask(sc, p->incentives_nodes, w->nd.target);
    scenario_sectors_mask(sc, p->incentives_sectors, w->sector_target);
    for (int s = 0; s < S; s++) w->export_base[s] = w->mk.export_real[s];

    w->fm.n_free = 0;
    ledger_baseline(w);
    return INC_OK;
}
