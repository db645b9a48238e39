/* giants.c - phase 8b: the "little giants" programme (docs/model.md 10).
 *
 * Each January while the incentive regime is in force and little_giants.count
 * > 0, the central government picks round(count / scale) firm agents among
 * the alive hard-tech firms that are not giants already (shells excluded: they
 * have nothing to review), by the score (ln A - ln A*_s) + pick_noise *
 * N(0, 1): the state sees productivity through noise, and pick_noise is its
 * lack of skill at picking winners. Productivity is measured against the
 * sector's frontier ln A*_s: ln A levels are not comparable across sectors
 * with different capital shares (the first specification (docs/model.md 10) writes ln A + noise; within a
 * sector the two rank alike). The highest scores win (ties by firm id). A winner gets
 * the grant little_giants.grant from the central government, and until
 * giant_until = t + 12 * years the CIT rate little_giants.cit_rate and the
 * directed-credit discount (finance.c). The flag is cleared when the status
 * expires. The noise is a Box-Muller normal from two uniforms of the RNG_PICK
 * stream keyed by firm id and month; the candidates are sorted serially, so
 * the pick does not depend on threads. */
#include "phases.h"
#include <math.h>
#include <stdlib.h>

/* Highest score first; ties by lower firm id. */
static int cmp_score(const void *a, const void *b)
{
    const firm_score *x = a, *y = b;
    if (x->score > y->score) return -1;
    if (x->score < y->score) return 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Number of firm agents picked this January. */
static long giants_to_pick(const world *w)
{
    return lround(w->p->little_giants_count / w->scale);
}

void giants_run(world *w)
{
    firms_t *fm = &w->fm;
    const sc_params *p = w->p;
    /* Expiry: status lasts while giant_until > t. */
    for (size_t f = 0; f < fm->n; f++)
        if ((fm->flags[f] & FF_LITTLE_GIANT) && fm->giant_until[f] <= w->t)
            fm->flags[f] &= (uint16_t)~FF_LITTLE_GIANT;

    if (!w->policy_on || p->little_giants_count <= 0 || w->calendar % 12 != 0) return;
    long want = giants_to_pick(w);
    if (want <= 0) return;
    size_t nc = 0;
    for (size_t fi = 0; fi < fm->n; fi++) {
        int32_t f = (int32_t)fi;
        if (!(fm->flags[f] & FF_ALIVE) || (fm->flags[f] & (FF_SHELL | FF_CLOSING))) continue;
        if (!w->sc->sectors[fm->sector[f]].hard_tech || fm->giant_until[f] > w->t) continue;
        double u[2];
        rng_u01x2(&w->rk, RNG_PICK, (uint64_t)f, (uint32_t)w->t, 0, 0, u);
        double z = sqrt(-2.0 * log(u[0])) * cos(6.283185307179586 * u[1]);
        w->pick[nc].score = fm->ln_a[f] - w->frontier_ln_a[fm->sector[f]] + p->little_giants_pick_noise * z;
        w->pick[nc].id = f;
        nc++;
    }
    if (nc == 0) return;
    qsort(w->pick, nc, sizeof *w->pick, cmp_score);
    const size_t winners = (size_t)want < nc ? (size_t)want : nc;
    const int64_t grant = fen_floor(p->little_giants_grant * 100.0);
    const int32_t until = w->t + (int32_t)lround(12.0 * p->little_giants_years);
    ledger_thread *lt = ledger_serial(w);
    for (size_t k = 0; k < winners; k++) {
        int32_t f = w->pick[k].id;
        const int n = fm->node[f];
        fm->flags[f] |= FF_LITTLE_GIANT;
        fm->giant_until[f] = until;
        ledger_move(w, lt, acct_central(w), acct_firm(f), grant, FLOW_SUBSIDIES);
        fm->subsidies[f] += grant;
        w->nd.subsidies[n] += grant;
        w->central_spending += grant;
    }
    ledger_flush(w);
}
