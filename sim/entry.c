/* entry.c - phase 8: entry of new firms (MODEL.md 10).
 *
 * Each node-sector draws Poisson(rate * (pop_n / pop_ref)^0.5) potential
 * entrants. An entrant draws quality q ~ LogNormal(0, sigma_q) and starts with
 * ln A = ln q + the mean ln A of its node-sector (entrants start below
 * incumbents when q < 1). Its owners fund it with equity: equity_months of the
 * wage bill of initial_workers hires plus the price of its capital. Entrants
 * take the node's spare capital first (owners contribute it in kind). The
 * entry decision under incentives (expected profit against entry cost, with
 * subsidies), wannabes and shells come with the incubator mechanisms; here
 * every potential entrant the owners can fund enters.
 * Serial over node-sectors in a fixed order, so firm ids are deterministic. */
#include "phases.h"
#include <math.h>
#include <gsl/gsl_randist.h>

void entry_run(world *w)
{
    const sc_params *p = w->p;
    const scenario *sc = w->sc;
    firms_t *fm = &w->fm;
    const int N = w->n_nodes, S = w->n_sectors;
    const double pk = w->mk.invest_basket_price;
    ledger_thread *lt = ledger_serial(w);
    /* Mean ln A per node-sector of the firms alive (serial: fixed order). */
    double *sum = w->ts[0].ns_real, *cnt = w->ts[0].ns_real + N * S;
    for (int k = 0; k < N * S; k++) { sum[k] = 0; cnt[k] = 0; }
    for (size_t f = 0; f < fm->n; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        int k = fm->node[f] * S + fm->sector[f];
        sum[k] += fm->ln_a[f];
        cnt[k] += 1;
    }
    for (int n = 0; n < N; n++) {
        double pop = (double)w->nd.residents[n] * w->scale;
        for (int s = 0; s < S; s++) {
            const sc_sector *sec = &sc->sectors[s];
            if (!world_node_hosts(w, n, s)) continue;
            int k = n * S + s;
            if (cnt[k] == 0) continue; /* no incumbent to learn from: no entry in the core */
            double mean_ln_a = sum[k] / cnt[k];
            /* entry.rate counts real-world firms; one firm agent stands for
             * `scale` of them (MODEL.md 0). */
            double lambda = p->entry_rate * sec->employment_share * sqrt(pop / p->entry_pop_ref) / w->scale;
            gsl_rng *g = rng_gsl_at(w->ts[0].gsl, &w->rk, RNG_ENTRY, (uint64_t)k, (uint32_t)w->t, 0);
            unsigned count = gsl_ran_poisson(g, lambda);
            gsl_rng *gq = NULL;
            for (unsigned j = 0; j < count; j++) {
                gq = rng_gsl_at(w->ts[0].gsl, &w->rk, RNG_QUALITY, (uint64_t)k, (uint32_t)w->t, j & 0xffu);
                double q = gsl_ran_lognormal(gq, 0.0, p->entry_sigma_q);
                double h = (double)world_skill_of_tier(w, sec->min_tier > 0 ? sec->min_tier : 1) / SKILL_ONE;
                double offer = w->nd.mean_offer[n];
                double wb = p->entry_initial_workers * offer * h;      /* fen/month */
                double price = w->mk.price[world_market(w, n, s)], net = 1.0 - p->tax_vat_rate;
                double y0 = wb / ((1.0 - sec->alpha) * net) / 100.0 / price;
                double k0 = sec->alpha * net * price * y0 / ((finance_loan_rate(w, 0.0) + w->m->firms_delta) * pk); /* K*, 2019 yuan */
                double from_spare = w->nd.spare_capital[n] < k0 ? w->nd.spare_capital[n] : k0;
                int64_t equity = fen_floor(p->entry_equity_months * wb + (k0 - from_spare) * pk * 100.0);
                int64_t owners = w->L.agg[w->acc.owners + n] + lt->pending[w->acc.owners + n];
                if (equity > owners) break; /* the owners cannot fund more entrants */
                int32_t f = world_firm_new(w);
                if (f < 0) break;
                fm->node[f] = (uint16_t)n;
                fm->sector[f] = (uint8_t)s;
                fm->flags[f] = FF_ALIVE | FF_NEW;
                fm->birth[f] = w->t;
                fm->q[f] = q;
                fm->ln_a[f] = log(q) + mean_ln_a;
                fm->capital[f] = from_spare > 0 ? from_spare : 1e-3 * k0;
                w->nd.spare_capital[n] -= from_spare;
                fm->expected[f] = y0;
                fm->offer[f] = offer;
                ledger_move(w, lt, acct_owners(w, n), acct_firm(f), equity, FLOW_EQUITY);
                w->nd.entries[k]++;
            }
        }
    }
    ledger_flush(w);
}
