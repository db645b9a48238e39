/* production.c - phase 4: production (MODEL.md 5).
 * Y = A G_n K^alpha H^(1-alpha), where G_n = (employment_n / employment_ref_n)
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
#pragma omp parallel for schedule(static)
    for (long fi = 0; fi < nf; fi++) {
        if (!(fm->flags[fi] & FF_ALIVE)) continue;
        double y = 0;
        double H = (double)fm->skill[fi] / SKILL_ONE;
        if (H > 0 && fm->capital[fi] > 0 && !(fm->flags[fi] & FF_SHELL)) {
            double a = sc->sectors[fm->sector[fi]].alpha;
            y = exp(fm->ln_a[fi]) * w->nd.agglomeration[fm->node[fi]] * pow(fm->capital[fi], a) * pow(H, 1.0 - a);
            if (!sc->sectors[fm->sector[fi]].agriculture && y > fm->planned[fi]) y = fm->planned[fi];
        }
        fm->output[fi] = y;
        /* Depreciation after use: delta is monthly here (scenario.c converts). */
        fm->capital[fi] *= 1.0 - w->m->firms_delta;
    }
}
