/* land.c - phase 11: land sales and the land price index (docs/model.md 13).
 *
 * Land sales ("land finance"): a firm buys land for each worker it hired this
 * month (fm->hires, labour.c): land_price_n * price_level * cost_per_hire yuan
 * a hire, paid to the node's local government (FLOW_LAND; not GDP: land is not
 * produced). Target firms of the incentives (FF_TARGET) get
 * incentives.land_discount off; what the government forgoes is counted as a
 * subsidy. Farms buy no land for their hires (family farm land is not sold).
 * A firm pays at most its deposits; what it cannot pay is forgone too (the
 * government lets the land go rather than lose the jobs) and counted with the
 * discounts. Everything is computed per firm in fen:
 *   full = floor(P_n * price_level * cost_per_hire * 100 * hires)
 *   due  = full for other firms, floor(full * (1 - land_discount)) for targets
 *   paid = min(due, deposits),  forgone = full - paid.
 *
 * The index: d ln P_n = (g_pop + share_firm * g_firm) / elasticity_n, with
 * g_pop the log growth of the node's residents and g_firm that of its non-farm
 * firm employment (the proxy for firms' land demand: land per worker is fixed)
 * since the last land_run, both counted now. The monthly change is clamped to
 * +-LAND_MAX_STEP log points so that a burst of migration or a mass exit cannot
 * move rents by more than about 5% in a month. Rents (finance.c, goods.c,
 * migration utility) and next month's land sales use the new index. */
#include "phases.h"
#include <math.h>
#include <string.h>
#include <omp.h>

/* Largest monthly change of ln P (a safeguard, not a calibrated value). */
#define LAND_MAX_STEP 0.05

/* Per-node slots of thread_scratch.node_sum: LD_* of scratch.h. */

/* Log growth from prev to now, 0 when either is not positive (first month,
 * empty node). */
static double log_growth(int64_t now, int64_t prev)
{
    return (now > 0 && prev > 0) ? log((double)now / (double)prev) : 0.0;
}

void land_run(world *w)
{
    const firms_t *fm = &w->fm;
    nodes_t *nd = &w->nd;
    const sc_params *p = w->p;
    const int N = w->n_nodes;
    const long nw = (long)w->wk.n, nf = (long)fm->n;
    const double per_hire = p->land_cost_per_hire * 100.0 * w->price_level; /* fen at index 1 */
    const double keep = 1.0 - p->incentives_land_discount;
    for (int k = 0; k < w->n_threads; k++) memset(w->ts[k].node_sum, 0, sizeof(int64_t) * (size_t)N * LD_SLOTS);

#pragma omp parallel num_threads(w->n_threads)
    {
        int64_t *ns = w->ts[omp_get_thread_num()].node_sum;
        ledger_thread *lt = ledger_thread_self(w);
#pragma omp for schedule(static)
        for (long i = 0; i < nw; i++) ns[w->wk.node[i] * LD_SLOTS + LD_RESIDENTS]++;
#pragma omp for schedule(static)
        for (long fi = 0; fi < nf; fi++) {
            const int32_t f = (int32_t)fi;
            if (!(fm->flags[f] & FF_ALIVE) || w->sc->sectors[fm->sector[f]].agriculture) continue;
            const int n = fm->node[f];
            int64_t *a = ns + n * LD_SLOTS;
            a[LD_FIRM_EMP] += fm->employees[f];
            if (fm->hires[f] <= 0) continue;
            int64_t full = fen_floor(nd->land_price[n] * per_hire * (double)fm->hires[f]);
            int64_t due = (fm->flags[f] & FF_TARGET) ? fen_floor((double)full * keep) : full;
            int64_t dep = fm->deposits[f];
            int64_t paid = due < dep ? due : (dep > 0 ? dep : 0);
            ledger_move(w, lt, acct_firm(f), acct_localgov(w, n), paid, FLOW_LAND);
            a[LD_PAID] += paid;
            a[LD_FORGONE] += full - paid;
        }
    }
    ledger_flush(w);

    const double share_firm = p->land_share_firm;
    for (int n = 0; n < N; n++) {
        int64_t v[LD_SLOTS] = {0};
        for (int k = 0; k < w->n_threads; k++)
            for (int j = 0; j <= LD_FORGONE; j++) v[j] += w->ts[k].node_sum[n * LD_SLOTS + j];
        nd->land_sales[n] = v[LD_PAID];
        nd->land_discounts[n] = v[LD_FORGONE];
        nd->lg_revenue[n] += v[LD_PAID];
        nd->subsidies[n] += v[LD_FORGONE];
        double g_pop = log_growth(v[LD_RESIDENTS], nd->residents_prev[n]);
        double g_firm = log_growth(v[LD_FIRM_EMP], nd->firm_emp_prev[n]);
        double d = (g_pop + share_firm * g_firm) / w->sc->nodes[n].land_elasticity;
        if (d > LAND_MAX_STEP) d = LAND_MAX_STEP;
        if (d < -LAND_MAX_STEP) d = -LAND_MAX_STEP;
        nd->land_price[n] *= exp(d);
        nd->residents_prev[n] = v[LD_RESIDENTS];
        nd->firm_emp_prev[n] = v[LD_FIRM_EMP];
    }
}
