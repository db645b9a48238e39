/* stats.c - steps 14 and 16 of sim_month: the aggregates the next month reads
 * (stats_aggregate) and the month's outputs (stats_compute; docs/model.md 16).
 *
 * Worker reductions are exact integer partials per thread (counts, fen, wage
 * histogram bins). Firm reductions run serially in firm-id order, a fixed
 * summation order, so floating sums never depend on the thread count.
 * Everything written is at real-world scale: counts times persons per agent,
 * money in yuan (fen / 100 times persons per agent). */
#include "stats.h"
#include "world.h"
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

/* The node_sum slots (AG_*) are named in scratch.h; per-tier partials live
 * in thread_scratch.tier_sum (3 x 4 per node): see stats_aggregate. */

/* Wage histogram for the Gini: GINI_BINS (stats.h) log-spaced bins of 1%
 * width from 1 yuan. */
static int wage_bin(int64_t wage_fen)
{
    if (wage_fen < 100) return 0;
    int b = (int)(log((double)wage_fen / 100.0) / log(1.01));
    return b < GINI_BINS ? b : GINI_BINS - 1;
}

/* wage_bin without the log, for wages in fen up to INT32_MAX (a wage is an
 * int32). Exact: over the integers wage_bin is non-decreasing (neighbouring
 * wages differ by at least 5e-8 bins in exact arithmetic, far more than the
 * rounding error of log and the division), so it is known from the smallest
 * wage of each bin, first[b], found by bisection on wage_bin itself. A guide
 * table over 256 slices of each power of two (each slice spans 0.39 bins at
 * most) gives the bin of a slice's smallest wage; a wage is in that bin or the
 * next. */
#define WB_SLICES 256
struct wage_bins {
    int64_t first[GINI_BINS + 1];     /* smallest wage with wage_bin >= b; INT64_MAX if none */
    uint16_t guide[31 * WB_SLICES];   /* bin of the smallest wage >= 100 of each slice */
};

/* Slice of wage x >= 1: the power of two (bit length - 1) and the next 8 bits. */
static inline int wb_slice(uint32_t x)
{
    int oct = 31 - __builtin_clz(x);
    uint32_t sub = oct >= 8 ? (x >> (oct - 8)) & 255u : (x << (8 - oct)) & 255u;
    return oct * WB_SLICES + (int)sub;
}

wage_bins *stats_wage_bins_alloc(void)
{
    wage_bins *wb = malloc(sizeof *wb);
    if (!wb) return NULL;
    wb->first[0] = INT64_MIN;
    for (int b = 1; b <= GINI_BINS; b++) {
        int64_t lo = 100, hi = (int64_t)INT32_MAX + 1; /* answer in [lo, hi]; hi = none */
        if (b < GINI_BINS) {
            while (lo < hi) {
                int64_t mid = lo + (hi - lo) / 2;
                if (wage_bin(mid) >= b) hi = mid;
                else lo = mid + 1;
            }
        }
        wb->first[b] = (b < GINI_BINS && lo <= INT32_MAX) ? lo : INT64_MAX;
    }
    for (int k = 0; k < 31 * WB_SLICES; k++) {
        int oct = k / WB_SLICES, sub = k % WB_SLICES;
        /* Smallest integer of the slice: ceil((256 + sub) * 2^oct / 256). */
        int64_t x = (((int64_t)(WB_SLICES + sub) << oct) + WB_SLICES - 1) / WB_SLICES;
        if (x < 100) x = 100;
        wb->guide[k] = (uint16_t)wage_bin(x);
    }
    return wb;
}

void stats_wage_bins_free(wage_bins *wb) { free(wb); }

/* wage_bin(wage) through the tables (wage >= 0). */
static inline int wage_bin_fast(const wage_bins *wb, int32_t wage)
{
    if (wage < 100) return 0;
    int g = wb->guide[wb_slice((uint32_t)wage)];
    int b = g + (wage >= wb->first[g + 1]);
    assert(b == wage_bin(wage));
    return b;
}

void stats_aggregate(world *w)
{
    const int N = w->n_nodes;
    const long nw = (long)w->wk.n;
    for (int t = 0; t < w->n_threads; t++) memset(w->ts[t].node_sum, 0, sizeof(int64_t) * (size_t)N * AG_SLOTS);
    for (int t = 0; t < w->n_threads; t++) memset(w->ts[t].tier_sum, 0, sizeof(int64_t) * (size_t)N * 3 * SC_TIERS);
    for (int t = 0; t < w->n_threads; t++) memset(w->ts[t].hist, 0, sizeof(int64_t) * 2 * GINI_BINS);
    const wage_bins *wb = w->wbins;
#pragma omp parallel num_threads(w->n_threads)
    {
        int64_t *ns = w->ts[omp_get_thread_num()].node_sum;
        int64_t *tiers = w->ts[omp_get_thread_num()].tier_sum;
        /* The wage Gini's histogram (wage_gini) is filled in the same pass. */
        int64_t *hc = w->ts[omp_get_thread_num()].hist, *hs = hc + GINI_BINS;
#pragma omp for schedule(static, WORLD_CHUNK)
        for (long i = 0; i < nw; i++) {
            int n = w->wk.node[i], e = w->wk.tier[i];
            int64_t *a = ns + n * AG_SLOTS;
            int64_t *tier = tiers + (size_t)n * 3 * SC_TIERS;
            a[AG_RES]++;
            tier[e]++;                                   /* residents by tier */
            if (w->wk.hukou[i] == n) a[AG_HUKOU]++;
            else a[AG_MIGR]++;
            if (w->wk.employer[i] >= 0) {
                a[AG_EMP]++;
                a[AG_WAGE] += w->wk.wage[i];
                a[AG_EMP_TIER + e]++;
                tier[2 * SC_TIERS + e] += w->wk.wage[i]; /* wage sum by tier */
                if (w->wk.hukou[i] != n) {
                    a[AG_MIGR_EMP]++;
                    a[AG_MIGR_WAGE] += w->wk.wage[i];
                }
                int b = wage_bin_fast(wb, w->wk.wage[i]);
                hc[b]++;
                hs[b] += w->wk.wage[i];
            } else if (w->wk.training_left[i] > 0) {
                a[AG_TRAIN]++;
            } else {
                a[AG_UNEMP]++;
                tier[SC_TIERS + e]++;                    /* unemployed by tier */
            }
        }
    }
    nodes_t *nd = &w->nd;
    double wsum = 0, wcnt = 0, w0sum = 0;
    for (int n = 0; n < N; n++) {
        int64_t v[AG_SLOTS] = {0};
        for (int t = 0; t < w->n_threads; t++)
            for (int k = 0; k < AG_SLOTS; k++) v[k] += w->ts[t].node_sum[n * AG_SLOTS + k];
        nd->residents[n] = v[AG_RES];
        nd->employed[n] = v[AG_EMP];
        nd->unemployed[n] = v[AG_UNEMP];
        nd->hukou_residents[n] = v[AG_HUKOU];
        nd->wage_sum[n] = v[AG_WAGE];
        nd->migrant_employed[n] = v[AG_MIGR_EMP];
        nd->migrant_wage_sum[n] = v[AG_MIGR_WAGE];
        int64_t emp_skilled = 0;
        for (int e = 0; e < SC_TIERS; e++) {
            int64_t r = 0, u = 0, ws = 0;
            for (int t = 0; t < w->n_threads; t++) {
                const int64_t *tier = w->ts[t].tier_sum + (size_t)n * 3 * SC_TIERS;
                r += tier[e];
                u += tier[SC_TIERS + e];
                ws += tier[2 * SC_TIERS + e];
            }
            nd->employed_tier[n * SC_TIERS + e] = v[AG_EMP_TIER + e];
            nd->residents_tier[n * SC_TIERS + e] = r;
            nd->unemployed_tier[n * SC_TIERS + e] = u;
            nd->wage_sum_tier[n * SC_TIERS + e] = ws;
            if (e >= 2) emp_skilled += v[AG_EMP_TIER + e];
        }
        nd->skilled_share[n] = v[AG_EMP] > 0 ? (double)emp_skilled / (double)v[AG_EMP] : 0.0;
        nd->trainees[n] = (int32_t)v[AG_TRAIN];
        nd->unemployment_rate[n] = v[AG_RES] > 0 ? (double)v[AG_UNEMP] / (double)v[AG_RES] : 0.0;
        nd->weighted_residents[n] = (double)v[AG_HUKOU] + w->p->government_phi_services * (double)v[AG_MIGR];
        double mean_wage = v[AG_EMP] > 0 ? (double)v[AG_WAGE] / (double)v[AG_EMP] : nd->wage0[n];
        nd->wage_index[n] = nd->wage0[n] > 0 ? mean_wage / nd->wage0[n] : 1.0;
        nd->agglomeration[n] = pow(((double)v[AG_EMP] > 0 ? (double)v[AG_EMP] : 1.0) / nd->employment_ref[n],
                                   w->p->firms_gamma_agg);
        wsum += (double)v[AG_WAGE];
        wcnt += (double)v[AG_EMP];
        w0sum += nd->wage0[n] * (double)v[AG_EMP];
    }
    w->wage_index = w0sum > 0 ? wsum / w0sum : 1.0;
    /* Mean ln A of alive firms per node-sector (spillovers, entrants' start),
     * serial over firms in id order. */
    const int S = w->n_sectors;
    double *cnt = w->ts[0].ns_real;
    for (int k = 0; k < N * S; k++) { nd->mean_ln_a[k] = 0; cnt[k] = 0; }
    for (size_t f = 0; f < w->fm.n; f++) {
        if (!(w->fm.flags[f] & FF_ALIVE)) continue;
        int k = w->fm.node[f] * S + w->fm.sector[f];
        nd->mean_ln_a[k] += w->fm.ln_a[f];
        cnt[k] += 1;
    }
    for (int k = 0; k < N * S; k++) nd->mean_ln_a[k] = cnt[k] > 0 ? nd->mean_ln_a[k] / cnt[k] : 0.0;
    /* Price level: current over start-of-run prices, weighted by output. */
    double num = 0, den = 0;
    for (int m = 0; m < w->mk.n_markets; m++) {
        num += w->mk.price[m] * w->mk.output[m];
        den += w->mk.price0[m] * w->mk.output[m];
    }
    if (den > 0) w->price_level = num / den;
}

/* Gini coefficient of employed workers' wages from a histogram of exact
 * counts and fen sums per bin (each bin's members at the bin mean). The
 * per-thread histograms are those stats_aggregate filled from the same state
 * (sim_month changes no wage or employer in between). */
static double wage_gini(world *w)
{
    int64_t *cnt = w->hist, *sum = w->hist + GINI_BINS;
    memset(cnt, 0, sizeof(int64_t) * GINI_BINS);
    memset(sum, 0, sizeof(int64_t) * GINI_BINS);
    for (int t = 0; t < w->n_threads; t++)
        for (int b = 0; b < GINI_BINS; b++) {
            cnt[b] += w->ts[t].hist[b];
            sum[b] += w->ts[t].hist[GINI_BINS + b];
        }
    /* G = 1 - sum_k f_k (S_{k-1} + S_k), S cumulative income shares. */
    double n = 0, total = 0;
    for (int b = 0; b < GINI_BINS; b++) { n += (double)cnt[b]; total += (double)sum[b]; }
    if (n <= 0 || total <= 0) return 0.0;
    double g = 0, s_prev = 0;
    for (int b = 0; b < GINI_BINS; b++) {
        if (!cnt[b]) continue;
        double s = s_prev + (double)sum[b] / total;
        g += (double)cnt[b] / n * (s_prev + s);
        s_prev = s;
    }
    return 1.0 - g;
}

#define NAT(name) s->f[OUT_NATIONAL_##name][0]
#define NODE(name) s->f[OUT_NODE_##name]
#define NS(name) s->f[OUT_NODE_SECTOR_##name]

void stats_compute(world *w, stats_t *s, int64_t residual)
{
    const int N = w->n_nodes, S = w->n_sectors;
    const double sc = w->scale, yuan = w->scale / 100.0;
    const firms_t *fm = &w->fm;
    const ledger *L = &w->L;
    stats_clear(s);

    /* Value added from the goods market (includes firms that exited since). */
    double gdp_prod = 0, inv_change = w->inventory_change_value, gdp_real = 0;
    for (int n = 0; n < N; n++)
        for (int sct = 0; sct < S; sct++) {
            int k = n * S + sct;
            gdp_prod += w->nd.value_added[k];
            gdp_real += w->nd.value_added_real[k] / 100.0;
            NODE(gdp)[n] += w->nd.value_added[k] * yuan;
            NS(sales)[k] = w->nd.value_added[k] * yuan;
        }
    /* Firms alive at month end, serial in id order. */
    double capital = 0, alpha_w = 0, skill = 0, ya = 0, yw = 0;
    /* Firm size tail: the discrete-data approximation of the power-law MLE
     * (Clauset, Shalizi and Newman 2009, eq. 3.7) over firms with at least
     * x_min employees, x_min = init.workers_per_firm (the mean start size):
     * CCDF exponent = k / sum ln(L / (x_min - 1/2)). Sizes are in worker
     * agents; the exponent does not depend on persons_per_agent. */
    const double tail_xmin = ceil(w->p->init_workers_per_firm);
    double tail_k = 0, tail_sum = 0;
    for (size_t f = 0; f < fm->n; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        const int n = fm->node[f], sct = fm->sector[f], k = n * S + sct;
        const sc_sector *sec = &w->sc->sectors[sct];
        capital += fm->capital[f];
        skill += (double)fm->skill[f] / SKILL_ONE;
        alpha_w += sec->alpha * fm->employees[f];
        ya += fm->output[f] * fm->ln_a[f];
        yw += fm->output[f];
        NODE(firms_alive)[n] += sc;
        if (fm->birth[f] == w->t - 36) {
            if (fm->flags[f] & FF_TARGET) NAT(target_survivors_36m) += sc;
            if (fm->flags[f] & FF_WANNABE) NAT(wannabe_survivors_36m) += sc;
            else if (!(fm->flags[f] & FF_SHELL)) NAT(other_survivors_36m) += sc;
        }
        if (fm->birth[f] == w->t) {
            if (fm->flags[f] & FF_TARGET) NAT(target_entries) += sc;
            if (!(fm->flags[f] & (FF_WANNABE | FF_SHELL))) NAT(other_entries) += sc;
        }
        if (fm->flags[f] & FF_ZOMBIE) NODE(zombies)[n] += sc;
        if (fm->giant_until[f] > w->t) NAT(little_giants) += sc;
        NODE(vacancies)[n] += fm->vacancies[f] * sc;
        NS(firms)[k] += sc;
        NS(employment)[k] += fm->employees[f] * sc;
        NS(output)[k] += fm->output[f] * sc;
        NS(mean_ln_tfp)[k] += fm->ln_a[f];
        if (fm->employees[f] >= tail_xmin) {
            tail_k += 1;
            tail_sum += log(fm->employees[f] / (tail_xmin - 0.5));
        }
    }
    NAT(firm_size_tail) = tail_sum > 0 ? tail_k / tail_sum : 0;
    /* Accrued sales: money paid into clearing accounts and not yet passed on
     * is the sellers' (docs/model.md 7), so GDP by production counts it. */
    int64_t clearing_now = 0;
    for (int k = w->acc.clearing; k < w->acc.count; k++) clearing_now += L->agg[k];
    gdp_prod += (double)(clearing_now - w->clearing_prev);
    w->clearing_prev = clearing_now;

    const int64_t *fl = L->flow;
    double C = (double)(fl[FLOW_CONSUMPTION] + fl[FLOW_IMPORTS_CONSUMPTION]);
    double Ih = (double)(fl[FLOW_HOUSING] + fl[FLOW_IMPORTS_HOUSING]);
    double Ig = (double)fl[FLOW_PUBLIC_INVESTMENT];
    double I = (double)(fl[FLOW_INVESTMENT] + fl[FLOW_IMPORTS_INVESTMENT]) + Ih + Ig;
    double G = (double)fl[FLOW_GOVERNMENT];
    double X = (double)fl[FLOW_EXPORTS];
    double Mi = (double)(fl[FLOW_IMPORTS_CONSUMPTION] + fl[FLOW_IMPORTS_INVESTMENT] + fl[FLOW_IMPORTS_HOUSING]);
    double gdp_exp = C + I + G + X - Mi + inv_change;
    w->gdp_gap = gdp_exp != 0 ? fabs(gdp_prod - gdp_exp) / fabs(gdp_exp) : 0;

    int64_t emp = 0, unemp_urban = 0, res_urban = 0, res = 0, wage_sum = 0;
    int64_t migr_emp = 0, migr_east = 0, migr_wage = 0;
    for (int n = 0; n < N; n++) {
        emp += w->nd.employed[n];
        migr_emp += w->nd.migrant_employed[n];
        migr_wage += w->nd.migrant_wage_sum[n];
        if (w->sc->nodes[n].region == REGION_EAST) migr_east += w->nd.migrant_employed[n];
        res += w->nd.residents[n];
        wage_sum += w->nd.wage_sum[n];
        if (w->sc->nodes[n].kind != NODE_RURAL) {
            unemp_urban += w->nd.unemployed[n];
            res_urban += w->nd.residents[n];
        }
    }
    double alpha = emp > 0 ? alpha_w / (double)emp : 0.4;

    NAT(gdp) = gdp_prod * yuan;
    NAT(gdp_expenditure) = gdp_exp * yuan;
    NAT(gdp_real) = gdp_real * sc;
    NAT(consumption) = C * yuan;
    NAT(investment) = I * yuan;
    NAT(residential_investment) = Ih * yuan;
    NAT(public_investment) = Ig * yuan;
    NAT(government_spending) = G * yuan;
    NAT(exports) = X * yuan;
    NAT(imports) = Mi * yuan;
    NAT(inventory_change) = inv_change * yuan;
    NAT(price_index) = w->price_level;
    NAT(capital) = capital * sc;
    NAT(labour_force) = (double)res * sc;
    NAT(employment) = (double)emp * sc;
    NAT(unemployment_rate) = res_urban > 0 ? (double)unemp_urban / (double)res_urban : 0;
    NAT(mean_wage) = emp > 0 ? (double)wage_sum / (double)emp / 100.0 : 0;
    NAT(migrant_wage) = migr_emp > 0 ? (double)migr_wage / (double)migr_emp / 100.0 : 0;
    NAT(migrant_east_share) = migr_emp > 0 ? (double)migr_east / (double)migr_emp : 0;
    NAT(labour_share) = gdp_prod > 0 ? (double)fl[FLOW_WAGES] / gdp_prod : 0;
    NAT(ln_tfp) = (gdp_real > 0 && capital > 0 && skill > 0)
                      ? log(gdp_real * sc) - alpha * log(capital * sc) - (1 - alpha) * log(skill * sc)
                      : 0;
    NAT(mean_ln_a) = yw > 0 ? ya / yw : 0;
    NAT(skill_units) = skill * sc;
    NAT(capital_share) = alpha;
    NAT(firm_loans) = (double)L->bank_firm_loans * yuan;
    NAT(lgfv_debt) = (double)L->bank_lgfv * yuan;
    NAT(central_debt) = (double)L->central_bonds * yuan;
    NAT(bank_equity) = (double)(L->bank_firm_loans + L->bank_lgfv + L->bank_bonds - L->bank_deposits) * yuan;
    NAT(deposits) = (double)L->bank_deposits * yuan;
    s->i[OUT_NATIONAL_sfc_residual][0] = residual;
    NAT(wage_gini) = wage_gini(w);
    NAT(pit) = (double)fl[FLOW_PIT] * yuan;
    NAT(cit) = (double)fl[FLOW_CIT] * yuan;
    NAT(central_deficit) = (double)(w->central_spending - w->central_revenue) * yuan;
    NAT(policy_rate) = w->r_policy;
    NAT(inflation) = w->inflation;
    NAT(sanction) = w->sanction;
    int64_t tier2 = 0, all = 0;
    for (int n = 0; n < N; n++)
        for (int e = 0; e < SC_TIERS; e++) {
            all += w->nd.residents_tier[n * SC_TIERS + e];
            if (e >= 2) tier2 += w->nd.residents_tier[n * SC_TIERS + e];
        }
    NAT(tier2plus_share) = all > 0 ? (double)tier2 / (double)all : 0;

    double entries = 0, exits = 0, bankr = 0;
    for (int n = 0; n < N; n++) {
        double r = (double)w->nd.residents[n];
        NODE(population)[n] = r * sc;
        NODE(employed)[n] = (double)w->nd.employed[n] * sc;
        NODE(unemployed)[n] = (double)w->nd.unemployed[n] * sc;
        NODE(unemployment_rate)[n] = w->nd.unemployment_rate[n];
        NODE(migrants)[n] = (double)(w->nd.residents[n] - w->nd.hukou_residents[n]) * sc;
        NODE(mean_wage)[n] = w->nd.employed[n] > 0 ? (double)w->nd.wage_sum[n] / (double)w->nd.employed[n] / 100.0 : 0;
        NODE(land_price)[n] = w->nd.land_price[n];
        NODE(lg_revenue)[n] = (double)w->nd.lg_revenue[n] * yuan;
        NODE(lg_spending)[n] = (double)w->nd.lg_spending[n] * yuan;
        NODE(lgfv_debt)[n] = (double)L->lgfv_debt[n] * yuan;
        NODE(in_migrants)[n] = w->nd.in_migrants[n] * sc;
        NODE(out_migrants)[n] = w->nd.out_migrants[n] * sc;
        NODE(trainees)[n] = w->nd.trainees[n] * sc;
        NODE(subsidies)[n] = (double)w->nd.subsidies[n] * yuan;
        NODE(skilled_share)[n] = w->nd.skilled_share[n];
        NAT(movers) += w->nd.in_migrants[n] * sc;
        NAT(subsidies) += (double)w->nd.subsidies[n] * yuan;
        for (int sct = 0; sct < S; sct++) {
            int k = n * S + sct;
            NS(entries)[k] = w->nd.entries[k] * sc;
            NS(exits)[k] = w->nd.exits[k] * sc;
            NS(wannabe_entries)[k] = w->nd.wannabe_entries[k] * sc;
            NS(shell_entries)[k] = w->nd.shell_entries[k] * sc;
            NODE(entries)[n] += w->nd.entries[k] * sc;
            NODE(exits)[n] += w->nd.exits[k] * sc;
            entries += w->nd.entries[k];
            exits += w->nd.exits[k];
            bankr += w->nd.bankruptcies[k];
            double nfirms = NS(firms)[k] / sc;
            NS(mean_ln_tfp)[k] = nfirms > 0 ? NS(mean_ln_tfp)[k] / nfirms : 0;
        }
    }
    double alive = 0;
    for (int n = 0; n < N; n++) alive += NODE(firms_alive)[n];
    NAT(firms_alive) = alive;
    NAT(entries) = entries * sc;
    NAT(exits) = exits * sc;
    NAT(bankruptcies) = bankr * sc;
}
