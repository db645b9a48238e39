/* productivity.c - phase 7: productivity (docs/model.md 9).
 *
 * Each month ln A of every firm changes by
 *  - technology transfer: lambda_s T_s(t) max(0, ln A*_s - ln A), with the
 *    transfer factor T_s(t) = 1 - sanction(t) exposure_s for hard-tech sectors
 *    (1 for the others; sanction(t) from policy.c);
 *  - domestic R&D: the firm spends its sector's rd_share of revenue (planning.c
 *    budgets it, goods.c buys it, finance.c expenses it); it innovates with
 *    probability 1 - exp(-zeta rd_share skilled_share q) and an innovation adds
 *    an exponential draw of mean mu_inn (RNG_INNOVATION, keyed by firm and
 *    month, so the draw does not depend on threads);
 *  - spillovers: eta skilled_share_n max(0, mean ln A of its node-sector -
 *    ln A), with last month's node-sector mean (stats_aggregate).
 * Agglomeration enters production through G_n (production.c). Firms pass
 * their productivity gains on to their wage offers (elasticity
 * firms.wage_productivity_passthrough to the labour-augmenting gain
 * d ln A / (1 - alpha)), so a skill unit's pay keeps pace with what it
 * produces on the balanced growth path. Shells do no R&D and learn nothing. */
#include "phases.h"
#include <math.h>

void productivity_run(world *w)
{
    firms_t *fm = &w->fm;
    const sc_params *p = w->p;
    const int S = w->n_sectors;
    const uint32_t t = (uint32_t)w->t;
    double transfer[SC_MAX_SECTORS], inv_labour_elast[SC_MAX_SECTORS];
    for (int s = 0; s < S; s++) {
        const sc_sector *sec = &w->sc->sectors[s];
        inv_labour_elast[s] = 1.0 / (1.0 - sec->alpha);
        transfer[s] = sec->lambda * (sec->hard_tech ? 1.0 - w->sanction * sec->exposure : 1.0);
    }
    const long nf = (long)fm->n;
#pragma omp parallel for schedule(static) num_threads(w->n_threads)
    for (long f = 0; f < nf; f++) {
        if (!(fm->flags[f] & FF_ALIVE) || (fm->flags[f] & FF_SHELL)) continue;
        const int s = fm->sector[f], n = fm->node[f];
        double d = 0;
        double gap = w->frontier_ln_a[s] - fm->ln_a[f];
        if (gap > 0) d += transfer[s] * gap;
        const int L = fm->employees[f];
        double skilled = L > 0 ? (double)fm->skilled[f] / L : 0.0;
        double rd = w->sc->sectors[s].rd_share;
        if (rd > 0 && skilled > 0 && fm->rd_spend[f] > 0) {
            double u[2];
            rng_u01x2(&w->rk, RNG_INNOVATION, (uint64_t)f, t, 0, 0, u);
            double hazard = 1.0 - exp(-p->productivity_zeta * rd * skilled * fm->q[f]);
            if (u[0] < hazard) d += -p->productivity_mu_inn * log(u[1]);
        }
        double local = w->nd.mean_ln_a[n * S + s] - fm->ln_a[f];
        if (local > 0) d += p->productivity_eta * w->nd.skilled_share[n] * local;
        if (d != 0) {
            fm->ln_a[f] += d;
            /* Harrod-neutral indexation: with the capital-output ratio held
             * by the investment rule, output per skill unit grows at
             * d / (1 - alpha) when ln A grows by d, so pay keeps its share
             * of value added at passthrough 1 (balanced growth). */
            fm->offer[f] *= exp(p->firms_wage_productivity_passthrough * d * inv_labour_elast[s]);
        }
    }
}
