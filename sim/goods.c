/* goods.c - phase 5: the goods market (docs/model.md 7).
 *
 * Buyers: workers and owners (consumer basket, local services in their own
 * node; and households.housing_share of their budget on new housing, the
 * investment basket), firms (investment basket), local governments (public services: the
 * local services of their node), the central government (procurement basket)
 * and the rest of the world (exports). Consumers and investors send a share
 * import_share abroad. Tradable sectors clear nationally, local services per
 * node.
 *
 * Payments are exact (docs/model.md 7): pass 1 sums every buyer's planned spending
 * per market in integer fen; the market's fill ratio follows; pass 2 has each
 * buyer pay floor(planned * fill) into the market's clearing account; sellers
 * then receive floor(R * q_f / Q) of the clearing balance R, with q_f their
 * goods on offer in integer milli-units, and the residue (below one fen per
 * seller) stays in the clearing account for next month. Both passes compute
 * a buyer's plan by the same function, so they agree to the fen. */
#include "phases.h"
#include <math.h>
#include <string.h>
#include <omp.h>

enum { BASKET_CONSUMER = 0, BASKET_INVEST, BASKET_PUBLIC, BASKET_CENTRAL, BASKET_COUNT };

typedef struct {
    double share[BASKET_COUNT][SC_MAX_SECTORS];
} baskets;

/* Sector weights of each basket, normalised to 1. Public services buy the
 * node's local services; central procurement buys tradables. */
static void make_baskets(const world *w, baskets *b)
{
    const scenario *sc = w->sc;
    for (int k = 0; k < BASKET_COUNT; k++) {
        double sum = 0;
        for (int s = 0; s < w->n_sectors; s++) {
            const sc_sector *x = &sc->sectors[s];
            double v = 0;
            switch (k) {
            case BASKET_CONSUMER: v = x->consumer_share; break;
            case BASKET_INVEST: v = x->investment_share; break;
            case BASKET_PUBLIC: v = x->tradable ? 0 : (x->consumer_share > 0 ? x->consumer_share : 1); break;
            case BASKET_CENTRAL: v = x->tradable ? x->procurement_share : 0; break;
            }
            b->share[k][s] = v;
            sum += v;
        }
        for (int s = 0; s < w->n_sectors; s++) b->share[k][s] = sum > 0 ? b->share[k][s] / sum : 0;
    }
}

double goods_invest_price(const world *w)
{
    double num = 0, den = 0;
    for (int s = 0; s < w->n_sectors; s++) {
        const sc_sector *x = &w->sc->sectors[s];
        if (!x->tradable) continue;
        num += x->investment_share * w->mk.price[s];
        den += x->investment_share;
    }
    return den > 0 ? num / den : 1.0;
}

/* What a worker's budget needs of its node, the same for every worker of the
 * node this month: computed once per node by the expressions worker_budget
 * used per worker, so the budgets are unchanged. */
typedef struct {
    double rent_own[SC_MAX_NODES];   /* theta_own * 100 * land price * price level */
    double rent_other[SC_MAX_NODES]; /* the same with theta_rent */
    double benefit[SC_MAX_NODES];    /* unemployment benefit of a local resident (0 in rural nodes) */
} budget_terms;

static void budget_terms_fill(const world *w, budget_terms *bt)
{
    const sc_params *p = w->p;
    for (int n = 0; n < w->n_nodes; n++) {
        bt->rent_own[n] = p->households_theta_own * 100.0 * w->nd.land_price[n] * w->price_level;
        bt->rent_other[n] = p->households_theta_rent * 100.0 * w->nd.land_price[n] * w->price_level;
        bt->benefit[n] = w->sc->nodes[n].kind != NODE_RURAL ? p->households_benefit_replacement * w->nd.min_wage[n] : 0;
    }
}

/* A worker's consumption budget this month, fen (docs/model.md 7): c_y times
 * disposable income plus c_w times savings, never more than its savings. */
static int64_t worker_budget(const world *w, const budget_terms *bt, size_t i)
{
    const sc_params *p = w->p;
    int n = w->wk.node[i];
    int local = w->wk.hukou[i] == n;
    double income;
    if (w->wk.employer[i] >= 0) {
        double wage = w->wk.wage[i];
        double pit = wage > p->tax_pit_threshold * 100.0 ? (wage - p->tax_pit_threshold * 100.0) * p->tax_pit_rate : 0;
        income = wage - pit;
    } else {
        income = local ? bt->benefit[n] : 0;
    }
    income -= local ? bt->rent_own[n] : bt->rent_other[n];
    double b = p->households_c_y * (income > 0 ? income : 0) + p->households_c_w * (double)w->wk.savings[i];
    int64_t budget = fen_floor(b);
    return budget < w->wk.savings[i] ? budget : (w->wk.savings[i] > 0 ? w->wk.savings[i] : 0);
}

/* The housing part of a household budget, fen: floor(budget *
 * housing_share); the rest is consumption (docs/model.md "Residential
 * investment"). 0 when housing_share is 0, which gives back the first specification (docs/model.md 7). */
static inline int64_t housing_of(const world *w, int64_t budget)
{
    return fen_floor((double)budget * w->p->households_housing_share);
}

/* Imports of a budget (consumers and investors). */
static int64_t imports_of(const world *w, int64_t budget)
{
    return fen_floor((double)budget * w->p->goods_import_share);
}

/* Planned spending of a domestic budget on sector s. */
static inline int64_t plan_of(int64_t domestic, double share)
{
    return fen_floor((double)domestic * share);
}

/* Pass 1 for one buyer: add its planned spending per market to sums. */
static void plan_add(const world *w, const baskets *b, int basket, int node, int64_t domestic, int64_t *sums)
{
    for (int s = 0; s < w->n_sectors; s++) {
        double sh = b->share[basket][s];
        if (sh <= 0) continue;
        sums[world_market(w, node, s)] += plan_of(domestic, sh);
    }
}

/* Pass 2 for one buyer: pay floor(plan * fill) per market (fen). Of each
 * market's payment, floor(share2 * payment) is tallied as flow2 and the rest
 * as flow (share2 in [0, 1]); the amounts paid do not depend on share2.
 * Returns the real goods bought (2019 yuan), used for investment. */
static double pay_classed(world *w, ledger_thread *lt, const baskets *b, int basket, int node, int64_t domestic,
                          acct from, ledger_flow flow, double share2, ledger_flow flow2)
{
    double real = 0;
    int to[SC_MAX_SECTORS];
    int64_t amt[SC_MAX_SECTORS], amt2[SC_MAX_SECTORS];
    int k = 0;
    for (int s = 0; s < w->n_sectors; s++) {
        double sh = b->share[basket][s];
        if (sh <= 0) continue;
        int m = world_market(w, node, s);
        amt[k] = fen_floor((double)plan_of(domestic, sh) * w->mk.fill[m]);
        to[k] = w->acc.clearing + m;
        real += (double)amt[k] / 100.0 / w->mk.price[m];
        k++;
    }
    if (share2 > 0) {
        /* Same payments per market, two national-accounts classes: the
         * markets are paid exactly what one call would pay them. */
        for (int j = 0; j < k; j++) {
            amt2[j] = fen_floor((double)amt[j] * share2);
            amt[j] -= amt2[j];
        }
        ledger_move_split(w, lt, from, to, amt2, k, flow2);
    }
    ledger_move_split(w, lt, from, to, amt, k, flow);
    return real;
}

static double pay(world *w, ledger_thread *lt, const baskets *b, int basket, int node, int64_t domestic,
                  acct from, ledger_flow flow)
{
    return pay_classed(w, lt, b, basket, node, domestic, from, flow, 0.0, flow);
}

/* Fill ratio of a basket bought in node n: sum over sectors of share_s *
 * fill_m (the share of a budget on it that the markets can serve). */
static double basket_fill_at(const world *w, const double *share, int n)
{
    double f = 0;
    for (int s = 0; s < w->n_sectors; s++) f += share[s] * w->mk.fill[world_market(w, n, s)];
    return f;
}

/* Split a pot (aggregate account k) across the markets of node n in
 * proportion to share_s * fill_m, with basket_fill = sum of share_s * fill_m;
 * the residue (under one fen per market) stays in the pot for next month. */
static void pot_split(world *w, ledger_thread *ls, int k, const double *share, int n, double basket_fill)
{
    const int64_t pot = w->L.agg[k];
    if (pot <= 0 || basket_fill <= 0) return;
    int to[SC_MAX_SECTORS];
    int64_t amt[SC_MAX_SECTORS];
    int c = 0;
    for (int s = 0; s < w->n_sectors; s++) {
        if (share[s] <= 0) continue;
        int m = world_market(w, n, s);
        amt[c] = fen_floor((double)pot * (share[s] * w->mk.fill[m] / basket_fill));
        to[c] = w->acc.clearing + m;
        c++;
    }
    ledger_move_split(w, ls, acct_agg(k), to, amt, c, FLOW_CLEARING);
}

/* Budgets of the aggregate buyers, computed once per month (fen). */
typedef struct {
    int64_t owners[SC_MAX_NODES];
    int64_t localgov[SC_MAX_NODES];
    int64_t central;
} agg_budgets;

static void aggregate_budgets(const world *w, agg_budgets *ab)
{
    const sc_params *p = w->p;
    for (int n = 0; n < w->n_nodes; n++) {
        int64_t dep = w->L.agg[w->acc.owners + n];
        ab->owners[n] = dep > 0 ? fen_floor(p->households_c_o * (double)dep) : 0;
        double spend = w->nd.services0[n] * w->nd.weighted_residents[n] * w->nd.wage_index[n];
        int64_t lg = w->L.agg[w->acc.localgov + n];
        int64_t want = fen_floor(spend);
        ab->localgov[n] = want < lg ? want : (lg > 0 ? lg : 0);
    }
    int64_t want = fen_floor(w->central_purchases0 * w->wage_index);
    int64_t cd = w->L.agg[w->acc.central];
    ab->central = want < cd ? want : (cd > 0 ? cd : 0);
}

void goods_run(world *w)
{
    baskets b;
    make_baskets(w, &b);
    agg_budgets ab;
    aggregate_budgets(w, &ab);
    budget_terms bt;
    budget_terms_fill(w, &bt);
    market_t *mk = &w->mk;
    firms_t *fm = &w->fm;
    const int M = mk->n_markets, N = w->n_nodes, S = w->n_sectors;
    const long nw = (long)w->wk.n, nf = (long)fm->n;

    /* Pass 1: planned domestic spending, integer partials: workers'
     * consumption per node (their basket is the node's) and their housing
     * in node_sum[N] (one national pot: the investment basket is all
     * tradable), firms' per market. */
    for (int t = 0; t < w->n_threads; t++) {
        memset(w->ts[t].market_sum, 0, sizeof(int64_t) * (size_t)M);
        memset(w->ts[t].node_sum, 0, sizeof(int64_t) * (size_t)(N + 1)); /* [N]: housing */
    }
#pragma omp parallel num_threads(w->n_threads)
    {
        int64_t *sums = w->ts[omp_get_thread_num()].market_sum;
        int64_t *dom = w->ts[omp_get_thread_num()].node_sum;
#pragma omp for schedule(static, WORLD_CHUNK)
        for (long i = 0; i < nw; i++) {
            int64_t B = worker_budget(w, &bt, (size_t)i);
            if (B <= 0) continue;
            int64_t H = housing_of(w, B), Bc = B - H;
            dom[w->wk.node[i]] += Bc - imports_of(w, Bc);
            dom[N] += H - imports_of(w, H);
        }
#pragma omp for schedule(static)
        for (long f = 0; f < nf; f++) {
            if (!(fm->flags[f] & FF_ALIVE)) continue;
            int64_t B = (int64_t)fm->invest[f] + fm->rd_spend[f];
            if (B > 0) plan_add(w, &b, BASKET_INVEST, fm->node[f], B - imports_of(w, B), sums);
        }
    }
    int64_t *demand = mk->demand;
    memset(demand, 0, sizeof(int64_t) * (size_t)M);
    for (int t = 0; t < w->n_threads; t++)
        for (int m = 0; m < M; m++) demand[m] += w->ts[t].market_sum[m];
    int64_t workers_dom[SC_MAX_NODES] = {0}, housing_dom = 0;
    for (int t = 0; t < w->n_threads; t++) {
        for (int n = 0; n < N; n++) workers_dom[n] += w->ts[t].node_sum[n];
        housing_dom += w->ts[t].node_sum[N];
    }
    plan_add(w, &b, BASKET_INVEST, 0, housing_dom, demand);
    for (int n = 0; n < N; n++) {
        const int64_t oh = housing_of(w, ab.owners[n]), oc = ab.owners[n] - oh;
        plan_add(w, &b, BASKET_CONSUMER, n, workers_dom[n], demand);
        plan_add(w, &b, BASKET_CONSUMER, n, oc - imports_of(w, oc), demand);
        plan_add(w, &b, BASKET_INVEST, n, oh - imports_of(w, oh), demand);
        plan_add(w, &b, BASKET_PUBLIC, n, ab.localgov[n], demand);
    }
    plan_add(w, &b, BASKET_CENTRAL, 0, ab.central, demand);
    int64_t exports[SC_MAX_SECTORS];
    for (int s = 0; s < S; s++) {
        exports[s] = w->sc->sectors[s].tradable ? fen_floor(mk->export_real[s] * mk->price[s] * 100.0) : 0;
        demand[s] += exports[s];
    }

    /* Supply per market (serial over firms: a fixed summation order). */
    double *output_m = mk->output;
    for (int m = 0; m < M; m++) { mk->supply[m] = 0; output_m[m] = 0; }
    for (long f = 0; f < nf; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        int m = world_market(w, fm->node[f], fm->sector[f]);
        mk->supply[m] += fm->output[f] + fm->inventory[f];
        output_m[m] += fm->output[f];
    }
    for (int m = 0; m < M; m++) {
        double value = mk->supply[m] * mk->price[m] * 100.0;
        double d = (double)demand[m];
        mk->fill[m] = d <= value ? 1.0 : value / d;
        mk->sell[m] = d >= value ? 1.0 : (value > 0 ? d / value : 0.0);
    }

    /* Fill ratio of each node's consumer basket: the share of a worker's
     * domestic budget it can spend. */
    double basket_fill[SC_MAX_NODES];
    for (int n = 0; n < N; n++) basket_fill[n] = basket_fill_at(w, b.share[BASKET_CONSUMER], n);
    /* The same for the housing pot (the investment basket, national). */
    const double housing_fill = basket_fill_at(w, b.share[BASKET_INVEST], 0);

    /* Pass 2: payments. A worker pays floor(domestic budget * basket fill)
     * into its node's consumer pot (one move per worker) and the same for
     * its housing budget into the housing pot; the pots are split across
     * markets below. */
#pragma omp parallel num_threads(w->n_threads)
    {
        ledger_thread *lt = ledger_thread_self(w);
#pragma omp for schedule(static, WORLD_CHUNK)
        for (long i = 0; i < nw; i++) {
            int64_t B = worker_budget(w, &bt, (size_t)i);
            if (B <= 0) continue;
            int64_t H = housing_of(w, B), Bc = B - H;
            int64_t imp = imports_of(w, Bc);
            int n = w->wk.node[i];
            ledger_move(w, lt, acct_worker((size_t)i), acct_row(w), imp, FLOW_IMPORTS_CONSUMPTION);
            ledger_move(w, lt, acct_worker((size_t)i), acct_agg(w->acc.pot + n),
                        fen_floor((double)(Bc - imp) * basket_fill[n]), FLOW_CONSUMPTION);
            if (H > 0) {
                int64_t ih = imports_of(w, H);
                ledger_move(w, lt, acct_worker((size_t)i), acct_row(w), ih, FLOW_IMPORTS_HOUSING);
                ledger_move(w, lt, acct_worker((size_t)i), acct_agg(w->acc.housing),
                            fen_floor((double)(H - ih) * housing_fill), FLOW_HOUSING);
            }
        }
#pragma omp for schedule(static)
        for (long f = 0; f < nf; f++) {
            if (!(fm->flags[f] & FF_ALIVE)) continue;
            /* Investment and R&D buy the investment basket (R&D is capital
             * formation in the SNA 2008); only investment adds to K. */
            int64_t B = (int64_t)fm->invest[f] + fm->rd_spend[f];
            if (B <= 0) continue;
            int64_t imp = imports_of(w, B);
            ledger_move(w, lt, acct_firm((int32_t)f), acct_row(w), imp, FLOW_IMPORTS_INVESTMENT);
            double real = pay(w, lt, &b, BASKET_INVEST, fm->node[f], B - imp, acct_firm((int32_t)f), FLOW_INVESTMENT);
            double tangible = fm->invest[f] / (double)B;
            fm->capital[f] += tangible * (real + (double)imp / 100.0 / mk->invest_basket_price);
        }
    }
    ledger_thread *ls = ledger_serial(w);
    for (int n = 0; n < N; n++) {
        const int64_t oh = housing_of(w, ab.owners[n]), oc = ab.owners[n] - oh;
        int64_t imp = imports_of(w, oc);
        ledger_move(w, ls, acct_owners(w, n), acct_row(w), imp, FLOW_IMPORTS_CONSUMPTION);
        pay(w, ls, &b, BASKET_CONSUMER, n, oc - imp, acct_owners(w, n), FLOW_CONSUMPTION);
        if (oh > 0) {
            int64_t ih = imports_of(w, oh);
            ledger_move(w, ls, acct_owners(w, n), acct_row(w), ih, FLOW_IMPORTS_HOUSING);
            pay(w, ls, &b, BASKET_INVEST, n, oh - ih, acct_owners(w, n), FLOW_HOUSING);
        }
        pay(w, ls, &b, BASKET_PUBLIC, n, ab.localgov[n], acct_localgov(w, n), FLOW_GOVERNMENT);
        w->nd.lg_spending[n] += ab.localgov[n];
    }
    /* Central purchases of works (construction) are government fixed
     * investment in the national accounts (SNA 2008 10.34), not government
     * consumption: government.works_share of each payment is classed so
     * (docs/model.md "Public investment"). */
    pay_classed(w, ls, &b, BASKET_CENTRAL, 0, ab.central, acct_central(w), FLOW_GOVERNMENT,
                w->p->government_works_share, FLOW_PUBLIC_INVESTMENT);
    w->central_spending += ab.central;
    for (int s = 0; s < S; s++) {
        int64_t amt = fen_floor((double)exports[s] * mk->fill[s]);
        ledger_move(w, ls, acct_row(w), acct_clearing(w, s), amt, FLOW_EXPORTS);
    }
    ledger_flush(w);
    /* Split each consumer pot across its node's markets, and the housing
     * pot across the investment basket's (national) markets. */
    for (int n = 0; n < N; n++)
        pot_split(w, ls, w->acc.pot + n, b.share[BASKET_CONSUMER], n, basket_fill[n]);
    pot_split(w, ls, w->acc.housing, b.share[BASKET_INVEST], 0, housing_fill);
    ledger_flush(w);

    /* Sellers: exact shares of each clearing balance, by goods on offer. */
    int64_t *Q = w->ts[0].market_sum;
    memset(Q, 0, sizeof(int64_t) * (size_t)M);
    for (long f = 0; f < nf; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        Q[world_market(w, fm->node[f], fm->sector[f])] += fen_floor((fm->output[f] + fm->inventory[f]) * 1000.0);
    }
    int64_t *R = mk->receipts;
    for (int m = 0; m < M; m++) R[m] = w->L.agg[w->acc.clearing + m];
#pragma omp parallel num_threads(w->n_threads)
    {
        ledger_thread *lt = ledger_thread_self(w);
#pragma omp for schedule(static)
        for (long f = 0; f < nf; f++) {
            fm->revenue[f] = 0;
            if (!(fm->flags[f] & FF_ALIVE)) continue;
            const int m = world_market(w, fm->node[f], fm->sector[f]);
            const double avail = fm->output[f] + fm->inventory[f];
            int64_t q = fen_floor(avail * 1000.0);
            int64_t amt = (Q[m] > 0 && R[m] > 0) ? (int64_t)((__int128)R[m] * q / Q[m]) : 0;
            ledger_move(w, lt, acct_clearing(w, m), acct_firm((int32_t)f), amt, FLOW_SALES);
            fm->revenue[f] = amt;
            double sold = mk->sell[m] * avail;
            fm->sold[f] = sold;
            double inv = w->sc->sectors[fm->sector[f]].tradable ? avail - sold : 0.0;
            fm->inv_change_value[f] = (inv - fm->inventory[f]) * mk->price[m] * 100.0;
            fm->inventory[f] = inv;
        }
    }
    ledger_flush(w);
    /* Value added per node-sector, serial in firm order (a fixed summation
     * order). Counted here, not at month end, so firms that exit this month
     * still count. Real value added: tradables' output, services' sales (the
     * rest perishes), at start-of-run prices. */
    const int NS = N * S;
    for (int k = 0; k < NS; k++) { w->nd.value_added[k] = 0; w->nd.value_added_real[k] = 0; }
    w->inventory_change_value = 0;
    for (long f = 0; f < nf; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        int k = fm->node[f] * S + fm->sector[f];
        int m = world_market(w, fm->node[f], fm->sector[f]);
        int tradable = w->sc->sectors[fm->sector[f]].tradable;
        w->nd.value_added[k] += (double)fm->revenue[f] + fm->inv_change_value[f];
        w->inventory_change_value += fm->inv_change_value[f];
        w->nd.value_added_real[k] += mk->price0[m] * 100.0 * (tradable ? fm->output[f] : fm->sold[f]);
    }

    /* Prices: p <- p (1 + kappa clamp((d - Y) / Y)) (docs/model.md 7). */
    for (int m = 0; m < M; m++) {
        double y = output_m[m];
        double d = (double)demand[m] / 100.0 / mk->price[m];
        mk->sold_real[m] = mk->sell[m] * mk->supply[m];
        if (y <= 0) continue;
        mk->price_prev[m] = mk->price[m];
        double x = (d - y) / y;
        double c = w->p->goods_max_excess;
        if (x > c) x = c;
        if (x < -c) x = -c;
        mk->price[m] *= 1.0 + w->p->goods_kappa * x;
    }
}
