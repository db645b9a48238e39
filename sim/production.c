/* production.c - phase 4: production (docs/model.md 5).
 * Y = A G_n (uK)^alpha H^(1-alpha), with utilisation u = min(1, H / h_eff)
 * (planning.c), where G_n = (employment_n / employment_ref_n)
 * ^gamma_agg is the node's agglomeration effect (computed from last month's
 * employment in stats.c). A firm produces what it plans (Y*), not more: labour
 * it keeps above need (layoffs start only at layoff_slack) is idle. Shells
 * produce nothing. */
#include "phases.h"
#include <math.h>

void production_run(world *w)
{
    firms_t *fm = &w->fm;
    const scenario *sc = w->sc;
    const long nf = (long)fm->n;
#pragma omp parallel for schedule(static) num_threads(w->n_threads)
    for (long fi = 0; fi < nf; fi++) {
        if (!(fm->flags[fi] & FF_ALIVE)) continue;
        double y = 0;
        double H = (double)fm->skill[fi] / SKILL_ONE;
        if (H > 0 && fm->capital[fi] > 0 && !(fm->flags[fi] & FF_SHELL)) {
            double a = sc->sectors[fm->sector[fi]].alpha;
            /* With H below the firm's efficient labour h_eff (planning.c) only
             * the share H / h_eff of capital runs: output is linear in H. */
            double K = fm->capital[fi], he = fm->h_eff[fi];
            double AG = exp(fm->ln_a[fi]) * w->nd.agglomeration[fm->node[fi]];
            if (he > 0 && H < he) y = AG * pow(K, a) * pow(he, 1.0 - a) * (H / he);
            else y = AG * pow(K, a) * pow(H, 1.0 - a);
            if (!sc->sectors[fm->sector[fi]].agriculture && y > fm->planned[fi]) y = fm->planned[fi];
        }
        fm->output[fi] = y;
        /* Depreciation after use: delta is monthly here (params_to_monthly converts). */
        fm->capital[fi] *= 1.0 - w->m->firms_delta;
    }
}
