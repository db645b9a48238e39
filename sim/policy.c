/* policy.c - phase 1: the month's environment and policy schedule (docs/model.md 4.1).
 *
 * The technology frontier of every sector grows at g_frontier (docs/model.md 9).
 * Sanctions ramp linearly from sanctions.start to full strength at
 * sanctions.full: sanction(t) = level * ramp(t), which cuts the technology
 * transfer of a hard-tech sector by sanction(t) * exposure_s (productivity.c)
 * and its foreign demand by export_cut * ramp(t) * exposure_s (export bans).
 * Foreign demand otherwise grows at g_X. The incentive regime (entry grants,
 * land discounts, tax breaks, little giants, training places) is in force from
 * policy.start. The central bank sets this month's base lending and deposit
 * rates from last month's inflation (finance_policy_rates). */
#include "phases.h"
#include <math.h>

/* Share of the way from sanctions.start to sanctions.full reached this month,
 * in [0, 1]: 0 before start, 1 from full on. */
static double sanction_ramp(const world *w)
{
    const sc_params *p = w->p;
    if (w->calendar < p->sanctions_start) return 0.0;
    if (w->calendar >= p->sanctions_full) return 1.0;
    return (double)(w->calendar - p->sanctions_start + 1) / (double)(p->sanctions_full - p->sanctions_start + 1);
}

void policy_apply(world *w)
{
    const sc_params *p = w->p;
    const double g_front = log1p(w->m->productivity_g_frontier);
    const double g_x = 1.0 + w->m->goods_export_growth;
    const double ramp = sanction_ramp(w);
    w->sanction = p->sanctions_level * ramp;
    w->policy_on = w->calendar >= p->policy_start;
    finance_policy_rates(w);
    for (int s = 0; s < w->n_sectors; s++) {
        const sc_sector *sec = &w->sc->sectors[s];
        w->frontier_ln_a[s] += g_front;
        w->export_base[s] *= g_x;
        double cut = sec->hard_tech ? p->sanctions_export_cut * ramp * sec->exposure : 0.0;
        w->mk.export_real[s] = w->export_base[s] * (1.0 - cut);
    }
}
