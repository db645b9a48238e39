/* policy.c - phase 1: the month's environment (MODEL.md 4.1).
 * The technology frontier of every sector grows at g_frontier and foreign
 * demand at g_X (both annual rates in the scenario, monthly here). Policy
 * schedules (taxes, subsidies, sanctions) join in the next issue. */
#include "phases.h"
#include <math.h>

void policy_apply(world *w)
{
    const double g_front = log1p(w->m->productivity_g_frontier);
    const double g_x = 1.0 + w->m->goods_export_growth;
    for (int s = 0; s < w->n_sectors; s++) {
        w->frontier_ln_a[s] += g_front;
        w->mk.export_real[s] *= g_x;
    }
}
