/* labour.c - phase 3: the labour market of each node and tier (docs/model.md 6).
 *
 * Three passes keep it a parallel map with exact integer reductions:
 *  1. workers: separations (layoffs, quits, the yearly wage revision), then
 *     search: a searcher draws one firm from its node's list of firms with
 *     vacancies open to its tier, weighted by vacancies * (offer / mean
 *     offer)^sigma_w, and applies with probability mu; firms count
 *     applications with integer atomics;
 *  2. workers: each applicant is hired with probability min(1, v / a);
 *  3. the search lists for the next month are rebuilt per node (serial
 *     within a node, so cumulative weights do not depend on threads).
 * Rural nodes: the family farm hires every searcher who asks. */
#include "phases.h"
#include <math.h>
#include <string.h>
#include <omp.h>

/* Fill node n's guide (search_lists.guide) from its cumulative weights. Any
 * guide would do for correctness: labour_pick checks what it finds. */
static void guide_build(search_lists *sl, int n)
{
    const int32_t k0 = sl->start[n], k1 = sl->start[n + 1], G = k1 - k0;
    const double total = G > 0 ? sl->cum[k1 - 1] : 0.0;
    sl->guide_scale[n] = 0.0;
    if (G <= 0 || !isfinite(total) || !(total > 0)) return;
    int32_t *gd = sl->guide + k0 + n;
    int32_t k = k0;
    for (int32_t j = 0; j <= G; j++) {
        const double b = total * ((double)j / G);
        while (k < k1 && sl->cum[k] <= b) k++;
        gd[j] = k;
    }
    sl->guide_scale[n] = G / total;
}

void labour_build_search_lists(world *w)
{
    const firms_t *fm = &w->fm;
    search_lists *sl = &w->sl;
    const int N = w->n_nodes;
    const double sigma = w->p->labour_sigma_w;
    /* Counting sort by (node, min tier). */
    /* Thread 0's node scratch holds the N*4 int32 counters (LABOUR_COUNT_BYTES per node, scratch.h). */
    int32_t *count = (int32_t *)w->ts[0].node_sum;
    memset(count, 0, sizeof(int32_t) * (size_t)N * SC_TIERS);
    for (size_t f = 0; f < fm->n; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        int farm = w->sc->sectors[fm->sector[f]].agriculture;
        if (!farm && fm->vacancies[f] <= 0) continue;
        count[fm->node[f] * SC_TIERS + w->sc->sectors[fm->sector[f]].min_tier]++;
    }
    int32_t pos = 0;
    for (int n = 0; n < N; n++) {
        sl->start[n] = pos;
        for (int e = 0; e < SC_TIERS; e++) {
            int32_t c = count[n * SC_TIERS + e];
            count[n * SC_TIERS + e] = pos;
            pos += c;
            sl->tier_end[n * SC_TIERS + e] = pos;
        }
    }
    sl->start[N] = pos;
    for (size_t f = 0; f < fm->n; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        int farm = w->sc->sectors[fm->sector[f]].agriculture;
        if (!farm && fm->vacancies[f] <= 0) continue;
        sl->firms[count[fm->node[f] * SC_TIERS + w->sc->sectors[fm->sector[f]].min_tier]++] = (int32_t)f;
    }
    /* Mean offer of the firms on each node's list (summed in list order). */
    double mean_of[SC_MAX_NODES];
#pragma omp parallel for schedule(static) num_threads(w->n_threads)
    for (int n = 0; n < N; n++) {
        double sum = 0;
        int32_t k0 = sl->start[n], k1 = sl->start[n + 1];
        for (int32_t k = k0; k < k1; k++) sum += fm->offer[sl->firms[k]];
        double mean = k1 > k0 ? sum / (k1 - k0) : 1.0;
        if (k1 > k0) w->nd.mean_offer[n] = mean;
        mean_of[n] = mean;
    }
    /* Each firm's weight, in parallel over the firms rather than the nodes
     * (nodes' lists differ much in length); cum holds the weights until the
     * running sums below replace them, in list order as before. */
    const long nk = (long)sl->start[N];
#pragma omp parallel for schedule(static) num_threads(w->n_threads)
    for (long k = 0; k < nk; k++) {
        int32_t f = sl->firms[k];
        /* Farms (rural nodes) are weighted by size: everyone is taken. */
        double v = w->sc->sectors[fm->sector[f]].agriculture ? (double)fm->employees[f] + 1.0
                                                               : (double)fm->vacancies[f];
        sl->cum[k] = v * pow(fm->offer[f] / mean_of[fm->node[f]], sigma);
    }
#pragma omp parallel for schedule(static) num_threads(w->n_threads)
    for (int n = 0; n < N; n++) {
        double c = 0;
        for (int32_t k = sl->start[n]; k < sl->start[n + 1]; k++) {
            c += sl->cum[k];
            sl->cum[k] = c;
        }
        guide_build(sl, n);
    }
}

/* Index in [k0, k1) of the first cumulative weight above x (binary search). */
static int32_t search_pick(const double *cum, int32_t k0, int32_t k1, double x)
{
    int32_t lo = k0, hi = k1 - 1;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (cum[mid] > x) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* The pick of labour_pick through node's guide: the binary search over the
 * one or few firms of x's guide bucket. Returns -1 when there is no guide or
 * when the result fails the check that makes it the full search's: with
 * non-decreasing weights (finite and positive total), the full search returns
 * the r in [k0, k1) with cum[r] > x (or r = k1 - 1) and r = k0 or
 * cum[r - 1] <= x, and there is only one such r. */
static int32_t guide_pick(const search_lists *sl, int node, int32_t k0, int32_t k1, double x)
{
    const double scale = sl->guide_scale[node];
    if (!(scale > 0)) return -1;
    const int32_t G = sl->start[node + 1] - k0;
    const double jd = x * scale;
    const int32_t j = jd < 0 ? 0 : (jd >= (double)(G - 1) ? G - 1 : (int32_t)jd);
    const int32_t *gd = sl->guide + k0 + node;
    int32_t hi = gd[j + 1] < k1 - 1 ? gd[j + 1] : k1 - 1;
    int32_t lo = gd[j] < hi ? gd[j] : hi;
    const int32_t r = search_pick(sl->cum, lo, hi + 1, x);
    if ((r == k1 - 1 || sl->cum[r] > x) && (r == k0 || sl->cum[r - 1] <= x)) return r;
    return -1;
}

int32_t labour_pick(const world *w, int node, int tier, double u)
{
    const search_lists *sl = &w->sl;
    int32_t k0 = sl->start[node], k1 = sl->tier_end[node * SC_TIERS + tier];
    if (k1 <= k0) return -1;
    const double x = u * sl->cum[k1 - 1];
    int32_t r = guide_pick(sl, node, k0, k1, x);
    if (r < 0) r = search_pick(sl->cum, k0, k1, x);
    return sl->firms[r];
}

void labour_leave_firm(world *w, size_t i, int32_t f)
{
    int64_t h = world_skill_of_tier(w, w->wk.tier[i]);
    if (w->wk.tier[i] >= 2) __atomic_fetch_sub(&w->fm.skilled[f], 1, __ATOMIC_RELAXED);
    __atomic_fetch_sub(&w->fm.employees[f], 1, __ATOMIC_RELAXED);
    __atomic_fetch_sub(&w->fm.skill[f], h, __ATOMIC_RELAXED);
    __atomic_fetch_sub(&w->fm.wage_bill[f], (int64_t)w->wk.wage[i], __ATOMIC_RELAXED);
}

/* Wage of a worker of tier at firm f: offer * h, less labour.hukou_wage_gap
 * for a migrant (hukou elsewhere), floored at the urban minimum wage
 * (docs/model.md 5), in fen/month. */
static int32_t wage_at(const world *w, int32_t f, int tier, int migrant)
{
    double wage = w->fm.offer[f] * (double)world_skill_of_tier(w, tier) / SKILL_ONE;
    if (migrant) wage *= 1.0 - w->p->labour_hukou_wage_gap;
    int n = w->fm.node[f];
    if (w->sc->nodes[n].kind != NODE_RURAL && wage < w->nd.min_wage[n]) wage = w->nd.min_wage[n];
    if (wage > 2e9) wage = 2e9;
    return (int32_t)fen_floor(wage + 0.5);
}

/* Fill sl.firm_bits: LB_FARM for agricultural firms, LB_LAYOFF for firms
 * with a positive layoff probability this month. */
static void firm_bits_fill(world *w)
{
    const firms_t *fm = &w->fm;
    uint8_t *bits = w->sl.firm_bits;
    const long nf = (long)fm->n;
#pragma omp parallel for schedule(static) num_threads(w->n_threads)
    for (long f = 0; f < nf; f++)
        bits[f] = (uint8_t)((w->sc->sectors[fm->sector[f]].agriculture ? LB_FARM : 0) |
                            (fm->layoff_p[f] > 0 ? LB_LAYOFF : 0));
}

/* Add every thread's partial wage-bill changes and application counts of the
 * search pass to the firms, leaving the partials zero. Integer sums: the same
 * for any number of threads. */
static void labour_flush_partials(world *w)
{
    firms_t *fm = &w->fm;
    const long nf = (long)fm->n;
#pragma omp parallel for schedule(static) num_threads(w->n_threads)
    for (long f = 0; f < nf; f++) {
        for (int t = 0; t < w->n_threads; t++) {
            int64_t *ws = w->ts[t].firm_sum;
            int32_t *ac = w->ts[t].firm_count;
            fm->wage_bill[f] += ws[f];
            fm->applications[f] += ac[f];
            ws[f] = 0;
            ac[f] = 0;
        }
    }
}

void labour_run(world *w)
{
    workers_t *wk = &w->wk;
    firms_t *fm = &w->fm;
    const sc_params *p = w->p;
    const uint32_t t = (uint32_t)w->t;
    const int revision = (w->calendar % 12) + 1 == p->labour_revision_month;
    labour_build_search_lists(w);
    firm_bits_fill(w);
    for (size_t f = 0; f < fm->n; f++) { fm->applications[f] = 0; fm->hires[f] = 0; }
    const long nw = (long)wk->n;
    const uint8_t *bits = w->sl.firm_bits;
    const double quit_above = 1.0 - p->firms_quit_rate, on_job_search = p->labour_on_job_search;

    /* The search pass books wage-bill changes and applications in per-thread
     * partials (nobody reads them until the hiring pass): a locked add per
     * worker would also stall the loop's other memory loads. */
#pragma omp parallel num_threads(w->n_threads)
    {
        int64_t *wage_delta = w->ts[omp_get_thread_num()].firm_sum;
        int32_t *applications = w->ts[omp_get_thread_num()].firm_count;
#pragma omp for schedule(static, WORLD_CHUNK)
        for (long li = 0; li < nw; li++) {
            size_t i = (size_t)li;
            wk->applied[i] = -1;
            wk->flags[i] &= (uint8_t)~WF_HIRED_NOW;
            int32_t f = wk->employer[i];
            int farm_worker = 0;
            if (f >= 0) {
                /* Only the employed use the separation draw (an unemployed worker
                 * searches without it), so only they make it. */
                double u[2];
                rng_u01x2(&w->rk, RNG_SEPARATION, i, t, 0, 0, u);
                const int b = bits[f];
                farm_worker = b & LB_FARM;
                if (((b & LB_LAYOFF) && u[0] < fm->layoff_p[f]) || (!farm_worker && u[0] > quit_above)) {
                    labour_leave_firm(w, i, f);
                    wk->employer[i] = -1;
                    wk->months_unemployed[i] = 0;
                    f = -1;
                } else if (revision || farm_worker) {
                    /* Yearly revision to the current offer; farm income monthly. */
                    int32_t nw_ = wage_at(w, f, wk->tier[i], wk->hukou[i] != wk->node[i]);
                    wage_delta[f] += (int64_t)nw_ - wk->wage[i];
                    wk->wage[i] = nw_;
                }
                if (wk->training_left[i] > 0) continue;
                /* Farm workers never search (not even when laid off this month);
                 * other employed workers with probability on_job_search. */
                if (farm_worker || (f >= 0 && !(u[1] < on_job_search))) continue;
            } else if (wk->training_left[i] > 0) {
                continue;
            }
            double v[2];
            rng_u01x2(&w->rk, RNG_SEARCH, i, t, 0, 0, v);
            int32_t g = labour_pick(w, wk->node[i], wk->tier[i], v[1]);
            if (g < 0) continue;
            int farm = w->sc->sectors[fm->sector[g]].agriculture;
            if (!farm && v[0] >= p->labour_mu) continue;
            if (g == f) continue;
            if (f >= 0 && wage_at(w, g, wk->tier[i], wk->hukou[i] != wk->node[i]) <= wk->wage[i]) continue;
            wk->applied[i] = g;
            applications[g]++;
        }
    }
    labour_flush_partials(w);

#pragma omp parallel for schedule(static, WORLD_CHUNK) num_threads(w->n_threads)
    for (long li = 0; li < nw; li++) {
        size_t i = (size_t)li;
        int32_t g = wk->applied[i];
        if (g < 0) continue;
        int farm = w->sc->sectors[fm->sector[g]].agriculture;
        double pr = farm ? 1.0 : (double)fm->vacancies[g] / (double)fm->applications[g];
        if (pr < 1.0 && rng_u01(&w->rk, RNG_HIRE, i, t, 0, 0) >= pr) continue;
        int32_t f = wk->employer[i];
        if (f >= 0) labour_leave_firm(w, i, f);
        int32_t wage = wage_at(w, g, wk->tier[i], wk->hukou[i] != wk->node[i]);
        wk->employer[i] = g;
        wk->wage[i] = wage;
        wk->months_unemployed[i] = 0;
        wk->flags[i] |= WF_HIRED_NOW;
        __atomic_fetch_add(&fm->employees[g], 1, __ATOMIC_RELAXED);
        if (wk->tier[i] >= 2) __atomic_fetch_add(&fm->skilled[g], 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&fm->skill[g], world_skill_of_tier(w, wk->tier[i]), __ATOMIC_RELAXED);
        __atomic_fetch_add(&fm->wage_bill[g], (int64_t)wage, __ATOMIC_RELAXED);
        __atomic_fetch_add(&fm->hires[g], 1, __ATOMIC_RELAXED);
    }
}
