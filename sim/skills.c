/* skills.c - phase 10: training places and cohort turnover (docs/model.md 12).
 *
 * Training: from policy.start each urban local government funds
 * places_n = floor(training_share * B_n / c) concurrent training places, where
 * B_n = services0 * weighted_residents * wage_index is the month's public
 * services budget of the node (goods.c) and c = cost_per_trainee * wage_index
 * the cost of a trainee-month; the wage index cancels, so a place costs the
 * same share of the budget whatever the wage level. Unemployed urban workers
 * below tier 3 who are not in training enrol with probability
 * min(1, free places / eligible workers), free places being the places not
 * held by trainees who continue after this month. A trainee trains
 * skills.duration months (labour.c does not let it search), costs its local
 * government c fen a month, paid to the node's local services market (training
 * is a public service: FLOW_GOVERNMENT, in GDP as government consumption), and
 * at the end moves up one tier with probability p_train.
 *
 * Cohort turnover: each worker retires with the monthly probability of
 * skills.retire_rate and its slot becomes a young entrant: in its hukou node,
 * unemployed, a tier drawn from skills.cohort_edu_*, no training, no months of
 * unemployment, no wage. The savings stay in the slot (a bequest to the next
 * generation of the family: money is conserved without a ledger move).
 *
 * Two parallel passes over workers keep it exact and thread-independent:
 * pass 1 counts per node (integer partials) the trainees who continue and the
 * eligible workers, both excluding this month's retirees; serial arithmetic
 * per node gives the enrolment probability; pass 2 draws and acts.
 *
 * Draws (stream RNG_SKILLS, keyed by worker id and month): the retirement
 * uniform of worker i is word i % 4 of the Philox block at (id i / 4, month,
 * sub 0), plus one half, times 2^-32 (32 bits resolve a monthly rate of 0.2%
 * to 1e-7 of itself), so one Philox call serves four workers and most workers
 * cost a quarter of a call a month. The few workers who need a second
 * uniform draw it at (id i, month, sub 1): it gives a retiree's entrant tier,
 * a finishing trainee's upgrade and an eligible worker's enrolment (disjoint
 * groups). */
#include "phases.h"
#include <math.h>
#include <string.h>
#include <omp.h>

/* Per-node slots of thread_scratch.node_sum: SK_* of scratch.h. */

/* Whether worker i may enrol: unemployed, not in training, below tier 3, in
 * an urban node. */
static inline int eligible(const world *w, size_t i)
{
    return w->wk.employer[i] < 0 && w->wk.training_left[i] == 0 && w->wk.tier[i] < SC_TIERS - 1 &&
           w->sc->nodes[w->wk.node[i]].kind != NODE_RURAL;
}

/* The local services sector training is bought from: the first non-tradable
 * sector that is not agriculture (-1 if the table has none). */
static int training_sector(const world *w)
{
    for (int s = 0; s < w->n_sectors; s++)
        if (!w->sc->sectors[s].tradable && !w->sc->sectors[s].agriculture) return s;
    return -1;
}

/* Tier of a young entrant for a uniform u, from the cohort shares. */
static inline int entrant_tier(const double cum[SC_TIERS - 1], double u)
{
    for (int k = 0; k < SC_TIERS - 1; k++)
        if (u < cum[k]) return k;
    return SC_TIERS - 1;
}

/* Retirement uniform of worker i in month t (see the file comment). */
static inline double retire_u(const philox4x32_ctr_t *b, size_t i)
{
    return ((double)b->v[i & 3] + 0.5) * (1.0 / 4294967296.0);
}

static inline philox4x32_ctr_t retire_block(const world *w, size_t i, uint32_t t)
{
    return rng_block(&w->rk, RNG_SKILLS, i >> 2, t, 0, 0);
}

/* Second uniform of worker i in month t. */
static inline double second_u(const world *w, size_t i, uint32_t t)
{
    return rng_u01(&w->rk, RNG_SKILLS, i, t, 1, 0);
}

void skills_run(world *w)
{
    workers_t *wk = &w->wk;
    nodes_t *nd = &w->nd;
    const sc_params *p = w->p;
    const int N = w->n_nodes;
    const long nw = (long)wk->n;
    const uint32_t t = (uint32_t)w->t;
    const double retire = w->m->skills_retire_rate;
    const double p_train = p->skills_p_train;
    const uint8_t duration = (uint8_t)p->skills_duration;
    const double cum[SC_TIERS - 1] = {p->skills_cohort_edu_0, p->skills_cohort_edu_0 + p->skills_cohort_edu_1,
                                      p->skills_cohort_edu_0 + p->skills_cohort_edu_1 + p->skills_cohort_edu_2};
    const int training = w->policy_on && p->skills_training_share > 0;

    memset(nd->enrolments, 0, sizeof(int32_t) * (size_t)N);
    memset(nd->upgrades, 0, sizeof(int32_t) * (size_t)N);
    memset(nd->entrants_tier, 0, sizeof(int32_t) * (size_t)N * SC_TIERS);
    memset(nd->training_spending, 0, sizeof(int64_t) * (size_t)N);
    for (int k = 0; k < w->n_threads; k++) memset(w->ts[k].node_sum, 0, sizeof(int64_t) * (size_t)N * SK_SLOTS);

    /* Pass 1: trainees who continue past this month and eligible workers per
     * node, this month's retirees excluded (their draw is recomputed in pass 2). */
    double prob[SC_MAX_NODES];
    for (int n = 0; n < N; n++) prob[n] = 0;
    if (training) {
#pragma omp parallel num_threads(w->n_threads)
        {
            int64_t *ns = w->ts[omp_get_thread_num()].node_sum;
#pragma omp for schedule(static, WORLD_CHUNK)
            for (long li = 0; li < nw; li++) {
                size_t i = (size_t)li;
                int cont = wk->training_left[i] >= 2;
                int elig = !cont && eligible(w, i);
                if (!cont && !elig) continue;
                philox4x32_ctr_t b = retire_block(w, i, t);
                if (retire_u(&b, i) < retire) continue;
                ns[wk->node[i] * SK_SLOTS + (cont ? SK_CONTINUING : SK_ELIGIBLE)]++;
            }
        }
        /* Places: training_share of the services budget over the wage-indexed
         * cost of a place (the wage index cancels). */
        const double cost = p->skills_cost_per_trainee * 100.0;
        for (int n = 0; n < N; n++) {
            if (w->sc->nodes[n].kind == NODE_RURAL) continue;
            int64_t cont = 0, elig = 0;
            for (int k = 0; k < w->n_threads; k++) {
                cont += w->ts[k].node_sum[n * SK_SLOTS + SK_CONTINUING];
                elig += w->ts[k].node_sum[n * SK_SLOTS + SK_ELIGIBLE];
            }
            if (elig == 0) continue;
            double budget = p->skills_training_share * nd->services0[n] * nd->weighted_residents[n];
            double places = cost > 0 ? floor(budget / cost) : (double)(cont + elig);
            double free_ = places - (double)cont;
            prob[n] = free_ <= 0 ? 0.0 : fmin(1.0, free_ / (double)elig);
        }
        for (int k = 0; k < w->n_threads; k++) memset(w->ts[k].node_sum, 0, sizeof(int64_t) * (size_t)N * SK_SLOTS);
    }

    /* Pass 2: retirement and entry, training months and completion,
     * enrolment; over groups of four workers (one Philox block each). */
    const long ng = (nw + 3) / 4;
#pragma omp parallel num_threads(w->n_threads)
    {
        int64_t *ns = w->ts[omp_get_thread_num()].node_sum;
#pragma omp for schedule(static, WORLD_CHUNK / 4)
        for (long g = 0; g < ng; g++) {
            const philox4x32_ctr_t b = retire_block(w, (size_t)g * 4, t);
            const size_t i_end = (size_t)g * 4 + 4 < (size_t)nw ? (size_t)g * 4 + 4 : (size_t)nw;
            for (size_t i = (size_t)g * 4; i < i_end; i++) {
                const int n = wk->node[i];
                if (retire_u(&b, i) < retire) {
                    int32_t f = wk->employer[i];
                    if (f >= 0) {
                        labour_leave_firm(w, i, f);
                        wk->employer[i] = -1;
                    }
                    const int h = wk->hukou[i];
                    const int e = entrant_tier(cum, second_u(w, i, t));
                    wk->node[i] = (uint16_t)h;
                    wk->tier[i] = (uint8_t)e;
                    wk->training_left[i] = 0;
                    wk->months_unemployed[i] = 0;
                    wk->wage[i] = 0;
                    wk->flags[i] = 0;
                    wk->applied[i] = -1;
                    ns[h * SK_SLOTS + SK_ENTRANT + e]++;
                    continue;
                }
                if (wk->training_left[i] > 0) {
                    ns[n * SK_SLOTS + SK_TRAINEE_MONTHS]++;
                    if (--wk->training_left[i] == 0 && wk->tier[i] < SC_TIERS - 1 && second_u(w, i, t) < p_train) {
                        int32_t f = wk->employer[i];
                        if (f >= 0) {
                            /* Trainees are unemployed (they enrol unemployed and
                             * do not search); kept exact should another phase
                             * hire one. */
                            int e = wk->tier[i];
                            __atomic_fetch_add(&w->fm.skill[f],
                                               world_skill_of_tier(w, e + 1) - world_skill_of_tier(w, e),
                                               __ATOMIC_RELAXED);
                            if (e + 1 == 2) __atomic_fetch_add(&w->fm.skilled[f], 1, __ATOMIC_RELAXED);
                        }
                        wk->tier[i]++;
                        ns[n * SK_SLOTS + SK_UPGRADE]++;
                    }
                    continue;
                }
                if (prob[n] > 0 && eligible(w, i) && second_u(w, i, t) < prob[n]) {
                    wk->training_left[i] = duration;
                    ns[n * SK_SLOTS + SK_ENROL]++;
                }
            }
        }
    }

    /* Pay for this month's trainee-months: local government -> the node's
     * local services market (serial, node order). */
    const int s_loc = training_sector(w);
    ledger_thread *ls = ledger_serial(w);
    for (int n = 0; n < N; n++) {
        int64_t v[SK_SLOTS] = {0};
        for (int k = 0; k < w->n_threads; k++)
            for (int j = 0; j < SK_CONTINUING; j++) v[j] += w->ts[k].node_sum[n * SK_SLOTS + j];
        nd->enrolments[n] = (int32_t)v[SK_ENROL];
        nd->upgrades[n] = (int32_t)v[SK_UPGRADE];
        for (int e = 0; e < SC_TIERS; e++) nd->entrants_tier[n * SC_TIERS + e] = (int32_t)v[SK_ENTRANT + e];
        if (v[SK_TRAINEE_MONTHS] == 0 || s_loc < 0) continue;
        int64_t cost = fen_floor(p->skills_cost_per_trainee * 100.0 * nd->wage_index[n]);
        int64_t amt = cost * v[SK_TRAINEE_MONTHS];
        ledger_move(w, ls, acct_localgov(w, n), acct_clearing(w, world_market(w, n, s_loc)), amt, FLOW_GOVERNMENT);
        nd->training_spending[n] = amt;
        nd->lg_spending[n] += amt;
    }
    ledger_flush(w);
}
