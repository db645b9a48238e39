/* productivity.c - phase 7: productivity (MODEL.md 9).
 * Technology transfer: ln A moves towards the sector's frontier ln A*_s at
 * speed lambda_s (1/month, sector CSV) times the transfer factor T_s = 1 (no
 * sanctions in the core; the sanctions schedule, R&D and spillovers come with
 * the incubator mechanisms). */
#include "phases.h"
#include <math.h>

void productivity_run(world *w)
{
    firms_t *fm = &w->fm;
    const long nf = (long)fm->n;
#pragma omp parallel for schedule(static)
    for (long f = 0; f < nf; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        int s = fm->sector[f];
        double gap = w->frontier_ln_a[s] - fm->ln_a[f];
        if (gap > 0) {
            double d = w->sc->sectors[s].lambda * gap;
            fm->ln_a[f] += d;
            /* Firms pass productivity gains on to their wage offers, so a
             * skill unit's pay keeps pace with what it produces. */
            fm->offer[f] *= exp(w->p->firms_wage_productivity_passthrough * d);
        }
    }
}
