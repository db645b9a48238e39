/* test_labour.c - the labour market's matching against a naive reference
 * (docs/model.md 6, docs/design.md "Style": a simple reference checks the fast one).
 *
 * On a small world of the baseline scenario, after a few months of the real
 * model, the month is replayed phase by phase up to the labour market:
 *  - labour_pick (binary search in per-node cumulative weights, the firms a
 *    tier may apply to being a prefix of the node's list) is compared with a
 *    naive reference that scans every firm slot in the documented order
 *    (sector minimum tier ascending, then firm id), weights each open firm by
 *    vacancies * (offer / mean offer)^sigma_w (farms: employees + 1; mean =
 *    plain mean of the offers of every firm on the node's list, all tiers) and
 *    takes the first firm whose cumulative weight exceeds u * total: every
 *    node, every tier, about 2000 u per (node, tier) including u near 0 and 1
 *    and u exactly at and next to each cumulative boundary;
 *  - a tier below a sector's minimum tier never gets that sector's firms; a
 *    node with no open firm gives -1 (an urban node whose vacancies are
 *    zeroed), and one where only tier-3 sectors have vacancies gives -1 to
 *    tiers 0-2 only;
 *  - the frequency with which 200000 evenly spaced u select each firm matches
 *    its weight share within 1e-3;
 *  - after labour_run: applications are exact counts of workers' applications,
 *    a firm with no more applications than vacancies (and every farm) hires
 *    every applicant, hires never exceed applications, the hires add up to the
 *    workers flagged WF_HIRED_NOW, nobody is hired below its employer's sector
 *    minimum tier, world_check holds, and every live firm's employees, skilled
 *    employees (tier 2 or more), skill units and wage bill equal the exact
 *    sums over its workers; in an ordinary month and in the January wage
 *    revision;
 *  - labour_run gives the same employers and hires with 1 and 2 threads;
 *  - at every month end of 14 months of the real model, every live firm's
 *    employees, skilled employees, skill units and wage bill equal the sums
 *    over its workers (world.h's contract of world_check: "employee counts
 *    match", which world_check itself does not test). */
#include "testutil.h"
#include "phases.h"
#include "scenario.h"
#include "stats.h"
#include "world.h"
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS 60000      /* enough firms that every urban node has tier-3 firms with vacancies */
#define WARMUP_MONTHS 3    /* months of the real model before the replayed month (April 2019) */
#define REVISION_MONTHS 12 /* ... and before a January (the yearly wage revision) */
#define U_PER_LIST 2000    /* u values per (node, tier) */
#define FREQ_DRAWS 200000  /* evenly spaced u for the frequency check */
#define FREQ_TOL 1e-3      /* |frequency - weight share| */


typedef tu_world fixture;

/* A world of the baseline scenario for `threads` threads, run for `months`
 * months of the real model, then (if `replay`) the next month replayed up to
 * (not including) the labour market: the start of month of sim.c, policy,
 * planning. Returns 1 on success. */
static int fixture_open_ex(fixture *fx, int threads, int months, int replay)
{
    if (!tu_world_open(fx, "baseline.ini", NULL, 0, threads, WORKERS, months)) return 0;
    if (!replay) return 1;
    /* The month's resets, then phases 1 and 2. */
    world *w = &fx->w;
    sim_begin_month(w);
    policy_apply(w);
    planning_run(w);
    return 1;
}

static int fixture_open(fixture *fx, int threads, int months) { return fixture_open_ex(fx, threads, months, 1); }

static void fixture_close(fixture *fx) { tu_world_close(fx); }

/* ---- The naive reference ---------------------------------------------- */

static int min_tier_of(const world *w, int32_t f) { return w->sc->sectors[w->fm.sector[f]].min_tier; }
static int is_farm(const world *w, int32_t f) { return w->sc->sectors[w->fm.sector[f]].agriculture; }

/* Whether firm slot f is on node n's search list: alive, in n, and with
 * vacancies (farms: always). */
static int on_list(const world *w, size_t f, int n)
{
    const firms_t *fm = &w->fm;
    if (!(fm->flags[f] & FF_ALIVE) || fm->node[f] != n) return 0;
    return is_farm(w, (int32_t)f) || fm->vacancies[f] > 0;
}

/* The firms a searcher of `tier` in node n may draw, in the documented order
 * (sector minimum tier ascending, then firm id), with their cumulative
 * weights: a scan of every firm slot per minimum tier. Returns the count. */
static int naive_list(const world *w, int n, int tier, int32_t *firms, double *cum)
{
    const firms_t *fm = &w->fm;
    const double sigma = w->p->labour_sigma_w;
    /* Mean offer: plain mean over the whole list of the node (every tier),
     * summed in list order. */
    double sum = 0;
    int count = 0;
    for (int mt = 0; mt < SC_TIERS; mt++)
        for (size_t f = 0; f < fm->n; f++)
            if (on_list(w, f, n) && min_tier_of(w, (int32_t)f) == mt) {
                sum += fm->offer[f];
                count++;
            }
    double mean = count > 0 ? sum / count : 1.0;
    int k = 0;
    double c = 0;
    for (int mt = 0; mt <= tier; mt++)
        for (size_t f = 0; f < fm->n; f++)
            if (on_list(w, f, n) && min_tier_of(w, (int32_t)f) == mt) {
                double v = is_farm(w, (int32_t)f) ? (double)fm->employees[f] + 1.0 : (double)fm->vacancies[f];
                c += v * pow(fm->offer[f] / mean, sigma);
                firms[k] = (int32_t)f;
                cum[k] = c;
                k++;
            }
    return k;
}

/* The first firm whose cumulative weight exceeds u * total, by a linear scan;
 * -1 for an empty list; -2 if no weight exceeds it (cannot happen for u < 1
 * with positive weights). */
static int32_t naive_pick(const int32_t *firms, const double *cum, int k, double u)
{
    if (k == 0) return -1;
    double x = u * cum[k - 1];
    for (int j = 0; j < k; j++)
        if (cum[j] > x) return firms[j];
    return -2;
}

/* The u values tested on a list: extremes, every cumulative boundary and its
 * two neighbours (a sample of them on long lists), evenly spaced values. */
static int make_us(const double *cum, int k, double *us, int cap)
{
    int n = 0;
    const double ext[] = {0x1p-53, DBL_MIN, 1e-300, 1e-15, 1e-9, 0.5, 1.0 - 1e-9, 1.0 - 1e-15, 1.0 - 0x1p-53,
                          nextafter(1.0, 0.0)};
    for (size_t j = 0; j < sizeof ext / sizeof ext[0]; j++) us[n++] = ext[j];
    if (k > 0) {
        double total = cum[k - 1];
        int step = k * 3 > cap / 2 ? (k * 3) / (cap / 2) + 1 : 1;
        for (int j = 0; j < k && n + 3 <= cap / 2 + 10; j += step) {
            double b = cum[j] / total;
            double cand[3] = {b, nextafter(b, 0.0), nextafter(b, 1.0)};
            for (int q = 0; q < 3; q++)
                if (cand[q] > 0 && cand[q] < 1) us[n++] = cand[q];
        }
    }
    int rest = cap - n;
    for (int j = 0; j < rest; j++) us[n++] = (j + 0.5) / rest;
    return n;
}

/* ---- Tests -------------------------------------------------------------- */

/* labour_pick equals the naive reference on every node, tier and u; the
 * weights equal the documented ones; no firm below its tier. */
static void test_pick_matches_naive(void)
{
    fixture fx;
    if (!fixture_open(&fx, 2, WARMUP_MONTHS)) return;
    world *w = &fx.w;
    labour_build_search_lists(w);
    int32_t *firms = malloc(sizeof(int32_t) * (w->fm.n + 1));
    double *cum = malloc(sizeof(double) * (w->fm.n + 1));
    double *us = malloc(sizeof(double) * (U_PER_LIST + 16));
    CU_ASSERT_FATAL(firms && cum && us);
    long queries = 0, mismatches = 0, below_tier = 0, weight_diffs = 0, empty = 0, tier3_picks = 0;
    int longest = 0;
    for (int n = 0; n < w->n_nodes; n++) {
        for (int e = 0; e < SC_TIERS; e++) {
            int k = naive_list(w, n, e, firms, cum);
            if (k > longest) longest = k;
            /* The fast list's prefix holds the same firms with the same weights. */
            int32_t k0 = w->sl.start[n], k1 = w->sl.tier_end[n * SC_TIERS + e];
            if (k1 - k0 != k) {
                FAILF("node %d tier %d: search list prefix has %d firms, naive reference %d", n, e, k1 - k0, k);
                continue;
            }
            for (int j = 0; j < k; j++)
                if (w->sl.firms[k0 + j] != firms[j] || w->sl.cum[k0 + j] != cum[j]) {
                    if (weight_diffs++ < 5)
                        FAILF("node %d tier %d position %d: list has firm %d cum %.17g, naive firm %d cum %.17g", n, e,
                              j, w->sl.firms[k0 + j], w->sl.cum[k0 + j], firms[j], cum[j]);
                }
            if (k == 0) empty++;
            int nu = make_us(cum, k, us, U_PER_LIST);
            for (int j = 0; j < nu; j++) {
                int32_t want = naive_pick(firms, cum, k, us[j]);
                int32_t got = labour_pick(w, n, e, us[j]);
                queries++;
                if (want == -2) {
                    FAILF("node %d tier %d u %.17g: no cumulative weight exceeds u * total", n, e, us[j]);
                    continue;
                }
                if (got != want && mismatches++ < 5)
                    FAILF("node %d tier %d u %.17g: labour_pick %d, naive reference %d", n, e, us[j], got, want);
                if (got >= 0) {
                    if (min_tier_of(w, got) > e && below_tier++ < 5)
                        FAILF("node %d tier %d: picked firm %d of sector %d whose minimum tier is %d", n, e, got,
                              w->fm.sector[got], min_tier_of(w, got));
                    if (min_tier_of(w, got) == 3) tier3_picks++;
                } else if (k > 0) {
                    FAILF("node %d tier %d: labour_pick -1 on a list of %d firms", n, e, k);
                }
            }
        }
    }
    printf("\n    %d nodes x %d tiers, %ld queries, longest list %d firms, %ld empty lists, %ld picks of tier-3 "
           "firms; mismatches %ld, weight differences %ld, picks below tier %ld\n",
           w->n_nodes, SC_TIERS, queries, longest, empty, tier3_picks, mismatches, weight_diffs, below_tier);
    CU_ASSERT(queries >= (long)w->n_nodes * SC_TIERS * U_PER_LIST);
    CU_ASSERT(mismatches == 0);
    CU_ASSERT(weight_diffs == 0);
    CU_ASSERT(below_tier == 0);
    CU_ASSERT(tier3_picks > 0); /* the tier check is not vacuous */
    free(firms);
    free(cum);
    free(us);
    fixture_close(&fx);
}

/* Empty lists give -1; tier prefixes: a node where only tier-3 sectors have
 * vacancies is closed to tiers 0-2 and open to tier 3. */
static void test_pick_empty_and_prefix(void)
{
    fixture fx;
    if (!fixture_open(&fx, 2, WARMUP_MONTHS)) return;
    world *w = &fx.w;
    firms_t *fm = &w->fm;
    int32_t *saved = malloc(sizeof(int32_t) * (fm->n + 1));
    int32_t *firms = malloc(sizeof(int32_t) * (fm->n + 1));
    double *cum = malloc(sizeof(double) * (fm->n + 1));
    CU_ASSERT_FATAL(saved && firms && cum);
    memcpy(saved, fm->vacancies, sizeof(int32_t) * fm->n);
    static const double us[] = {0x1p-53, 0.25, 0.5, 0.75, 1.0 - 0x1p-53};
    int tested = 0;
    for (int n = 0; n < w->n_nodes; n++) {
        if (w->sc->nodes[n].kind == NODE_RURAL) continue; /* farms are always open */
        /* Only tier-3 firms keep their vacancies; is there one with some? */
        int tier3 = 0;
        for (size_t f = 0; f < fm->n; f++)
            if ((fm->flags[f] & FF_ALIVE) && fm->node[f] == n) {
                if (min_tier_of(w, (int32_t)f) < 3) fm->vacancies[f] = 0;
                else if (fm->vacancies[f] > 0) tier3++;
            }
        labour_build_search_lists(w);
        for (int e = 0; e < SC_TIERS; e++) {
            int k = naive_list(w, n, e, firms, cum);
            for (size_t j = 0; j < sizeof us / sizeof us[0]; j++) {
                int32_t got = labour_pick(w, n, e, us[j]);
                int32_t want = naive_pick(firms, cum, k, us[j]);
                if (e < 3 && got != -1)
                    FAILF("node %d: only tier-3 firms have vacancies but tier %d got firm %d (min tier %d)", n, e,
                          got, min_tier_of(w, got));
                if (e == 3 && tier3 > 0 && (got < 0 || min_tier_of(w, got) != 3))
                    FAILF("node %d: tier 3 got %d although %d tier-3 firms have vacancies", n, got, tier3);
                if (got != want) FAILF("node %d tier %d u %g: labour_pick %d, naive %d", n, e, us[j], got, want);
            }
        }
        /* No vacancies at all: -1 for every tier. */
        for (size_t f = 0; f < fm->n; f++)
            if ((fm->flags[f] & FF_ALIVE) && fm->node[f] == n) fm->vacancies[f] = 0;
        labour_build_search_lists(w);
        for (int e = 0; e < SC_TIERS; e++)
            for (size_t j = 0; j < sizeof us / sizeof us[0]; j++) {
                int32_t got = labour_pick(w, n, e, us[j]);
                if (got != -1) FAILF("node %d has no vacancies but tier %d got firm %d", n, e, got);
            }
        memcpy(fm->vacancies, saved, sizeof(int32_t) * fm->n);
        if (tier3 > 0) tested++;
    }
    printf("\n    %d urban nodes with tier-3 vacancies tested for the tier prefix\n", tested);
    CU_ASSERT(tested > 0);
    /* The lists of the other nodes were untouched: the full lists still agree. */
    labour_build_search_lists(w);
    for (int n = 0; n < w->n_nodes; n++) {
        int k = naive_list(w, n, SC_TIERS - 1, firms, cum);
        CU_ASSERT(labour_pick(w, n, SC_TIERS - 1, 0.5) == naive_pick(firms, cum, k, 0.5));
    }
    free(saved);
    free(firms);
    free(cum);
    fixture_close(&fx);
}

/* 200000 evenly spaced u select each firm of the longest list with
 * frequency = weight share (within 1e-3). */
static void test_pick_frequencies(void)
{
    fixture fx;
    if (!fixture_open(&fx, 2, WARMUP_MONTHS)) return;
    world *w = &fx.w;
    labour_build_search_lists(w);
    int32_t *firms = malloc(sizeof(int32_t) * (w->fm.n + 1));
    double *cum = malloc(sizeof(double) * (w->fm.n + 1));
    long *hits = calloc(w->fm.n + 1, sizeof(long));
    int32_t *pos = malloc(sizeof(int32_t) * (w->fm.n + 1));
    CU_ASSERT_FATAL(firms && cum && hits && pos);
    /* The longest tier-3 list (every sector open) among urban nodes. */
    int best = -1, best_k = 0;
    for (int n = 0; n < w->n_nodes; n++) {
        int k = naive_list(w, n, SC_TIERS - 1, firms, cum);
        if (w->sc->nodes[n].kind != NODE_RURAL && k > best_k) {
            best = n;
            best_k = k;
        }
    }
    CU_ASSERT_FATAL(best >= 0 && best_k > 1);
    int k = naive_list(w, best, SC_TIERS - 1, firms, cum);
    for (size_t f = 0; f <= w->fm.n; f++) pos[f] = -1;
    for (int j = 0; j < k; j++) pos[firms[j]] = j;
    long stray = 0;
    for (long j = 0; j < FREQ_DRAWS; j++) {
        int32_t g = labour_pick(w, best, SC_TIERS - 1, (j + 0.5) / FREQ_DRAWS);
        if (g < 0 || pos[g] < 0) stray++;
        else hits[pos[g]]++;
    }
    CU_ASSERT(stray == 0);
    double total = cum[k - 1], worst = 0;
    int worst_j = 0;
    for (int j = 0; j < k; j++) {
        double share = (cum[j] - (j ? cum[j - 1] : 0)) / total;
        double freq = (double)hits[j] / FREQ_DRAWS;
        if (fabs(freq - share) > worst) {
            worst = fabs(freq - share);
            worst_j = j;
        }
    }
    printf("\n    node %s, tier 3: %d firms, %d draws; worst |frequency - weight share| = %.3g (firm %d)\n",
           w->sc->nodes[best].name, k, FREQ_DRAWS, worst, firms[worst_j]);
    if (worst > FREQ_TOL)
        FAILF("frequency of firm %d differs from its weight share by %g > %g", firms[worst_j], worst, FREQ_TOL);
    CU_ASSERT(worst <= FREQ_TOL);
    free(firms);
    free(cum);
    free(hits);
    free(pos);
    fixture_close(&fx);
}

/* The hiring rules after labour_run on a fixture opened at month `months`. */
static void check_hiring(int months)
{
    fixture fx;
    if (!fixture_open(&fx, 2, months)) return;
    world *w = &fx.w;
    const firms_t *fm = &w->fm;
    const workers_t *wk = &w->wk;
    labour_run(w);
    const size_t nf = fm->n;
    int64_t *emp = calloc(nf + 1, sizeof(int64_t)), *skill = calloc(nf + 1, sizeof(int64_t));
    int64_t *bill = calloc(nf + 1, sizeof(int64_t)), *apps = calloc(nf + 1, sizeof(int64_t));
    int64_t *hired = calloc(nf + 1, sizeof(int64_t)), *skilled = calloc(nf + 1, sizeof(int64_t));
    CU_ASSERT_FATAL(emp && skill && bill && apps && hired && skilled);
    long flagged = 0, below_tier = 0, wrong_target = 0, bad = 0;
    for (size_t i = 0; i < wk->n; i++) {
        int32_t f = wk->employer[i];
        if (wk->applied[i] >= 0) apps[wk->applied[i]]++;
        if (wk->flags[i] & WF_HIRED_NOW) {
            flagged++;
            if (f < 0 || f != wk->applied[i]) {
                if (wrong_target++ < 5)
                    FAILF("worker %zu flagged as hired now: employer %d, applied to %d", i, f, wk->applied[i]);
                continue;
            }
            hired[f]++;
            if (wk->tier[i] < min_tier_of(w, f) && below_tier++ < 5)
                FAILF("worker %zu of tier %d hired by firm %d of sector %s (minimum tier %d)", i, wk->tier[i], f,
                      w->sc->sectors[fm->sector[f]].name, min_tier_of(w, f));
        }
        if (f < 0) continue;
        emp[f]++;
        skilled[f] += wk->tier[i] >= 2;
        skill[f] += world_skill_of_tier(w, wk->tier[i]);
        bill[f] += wk->wage[i];
    }
    int64_t sum_hires = 0, sum_apps = 0;
    long all_hired_firms = 0, rationed_firms = 0;
    for (size_t f = 0; f < nf; f++) {
        sum_hires += fm->hires[f];
        sum_apps += fm->applications[f];
        if (fm->applications[f] != apps[f] && bad++ < 5)
            FAILF("firm %zu counts %d applications, workers made %" PRId64, f, fm->applications[f], apps[f]);
        if (fm->hires[f] != hired[f] && bad++ < 5)
            FAILF("firm %zu counts %d hires, %" PRId64 " workers flagged as hired by it", f, fm->hires[f], hired[f]);
        if (fm->hires[f] > fm->applications[f] && bad++ < 5)
            FAILF("firm %zu hired %d of %d applicants", f, fm->hires[f], fm->applications[f]);
        if (!(fm->flags[f] & FF_ALIVE)) {
            if ((apps[f] || emp[f]) && bad++ < 5)
                FAILF("dead firm %zu has %" PRId64 " applications and %" PRId64 " employees", f, apps[f], emp[f]);
            continue;
        }
        /* Everyone hired where there are enough vacancies (and at farms). */
        if (fm->applications[f] > 0) {
            if (is_farm(w, (int32_t)f) || fm->applications[f] <= fm->vacancies[f]) {
                all_hired_firms++;
                if (fm->hires[f] != fm->applications[f] && bad++ < 5)
                    FAILF("firm %zu (%s, vacancies %d) hired %d of %d applicants", f,
                          is_farm(w, (int32_t)f) ? "farm" : "not a farm", fm->vacancies[f], fm->hires[f],
                          fm->applications[f]);
            } else {
                rationed_firms++;
            }
        }
        if (fm->employees[f] != emp[f] && bad++ < 5)
            FAILF("firm %zu: employees %d, workers employed by it %" PRId64, f, fm->employees[f], emp[f]);
        if (fm->skilled[f] != skilled[f] && bad++ < 5)
            FAILF("firm %zu: skilled %d, workers of tier 2 or more employed by it %" PRId64, f, fm->skilled[f],
                  skilled[f]);
        if (fm->skill[f] != skill[f] && bad++ < 5)
            FAILF("firm %zu: skill %" PRId64 ", sum over its workers %" PRId64, f, fm->skill[f], skill[f]);
        if (fm->wage_bill[f] != bill[f] && bad++ < 5)
            FAILF("firm %zu: wage bill %" PRId64 " fen, sum of its workers' wages %" PRId64, f, fm->wage_bill[f],
                  bill[f]);
    }
    if (sum_hires != flagged)
        FAILF("firms count %" PRId64 " hires, %ld workers flagged WF_HIRED_NOW", sum_hires, flagged);
    CU_ASSERT(sum_hires == flagged);
    inc_err e = {0};
    if (world_check(w, &e) != INC_OK) FAILF("world_check after labour_run: %s", e.msg);
    char mon[16];
    month_format(w->calendar, mon, sizeof mon);
    printf("\n    %s: %" PRId64 " applications, %" PRId64 " hires (%ld flagged); %ld firms hired every applicant, %ld "
           "rationed; wrong targets %ld, below tier %ld, other violations %ld\n",
           mon, sum_apps, sum_hires, flagged, all_hired_firms, rationed_firms, wrong_target, below_tier, bad);
    CU_ASSERT(sum_hires > 0 && all_hired_firms > 0); /* not vacuous */
    CU_ASSERT(wrong_target == 0);
    CU_ASSERT(below_tier == 0);
    CU_ASSERT(bad == 0);
    free(emp);
    free(skill);
    free(bill);
    free(apps);
    free(hired);
    free(skilled);
    fixture_close(&fx);
}

static void test_hiring_rules(void) { check_hiring(WARMUP_MONTHS); }
static void test_hiring_rules_revision(void) { check_hiring(REVISION_MONTHS); }

/* Counts of live firms that differ from the sums over their workers
 * (employees, skilled, skill units, wage bill); reports the first few. */
static long firm_count_errors(const world *w, const char *when)
{
    const firms_t *fm = &w->fm;
    const workers_t *wk = &w->wk;
    const size_t nf = fm->n;
    int64_t *emp = calloc(nf + 1, sizeof(int64_t)), *skilled = calloc(nf + 1, sizeof(int64_t));
    int64_t *skill = calloc(nf + 1, sizeof(int64_t)), *bill = calloc(nf + 1, sizeof(int64_t));
    CU_ASSERT_FATAL(emp && skilled && skill && bill);
    long bad = 0;
    for (size_t i = 0; i < wk->n; i++) {
        int32_t f = wk->employer[i];
        if (f < 0) continue;
        if ((size_t)f >= nf) {
            if (bad++ < 5) FAILF("%s: worker %zu employed by firm %d beyond the %zu slots", when, i, f, nf);
            continue;
        }
        emp[f]++;
        skilled[f] += wk->tier[i] >= 2;
        skill[f] += world_skill_of_tier(w, wk->tier[i]);
        bill[f] += wk->wage[i];
    }
    for (size_t f = 0; f < nf; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        if (fm->employees[f] != emp[f] || fm->skilled[f] != skilled[f] || fm->skill[f] != skill[f] ||
            fm->wage_bill[f] != bill[f]) {
            if (bad++ < 5)
                FAILF("%s: firm %zu counts employees %d, skilled %d, skill %" PRId64 ", wage bill %" PRId64
                      "; its workers give %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64,
                      when, f, fm->employees[f], fm->skilled[f], fm->skill[f], fm->wage_bill[f], emp[f], skilled[f],
                      skill[f], bill[f]);
        }
    }
    free(emp);
    free(skilled);
    free(skill);
    free(bill);
    return bad;
}

/* world.h's contract of world_check says "employee counts match"; the whole
 * month (separations, hiring, exits, migration, skills, entry) must keep each
 * live firm's counts equal to the sums over its workers at every month end. */
static void test_counts_at_month_end(void)
{
    fixture fx;
    if (!fixture_open_ex(&fx, 2, 0, 0)) return;
    world *w = &fx.w;
    long bad = firm_count_errors(w, "initial state");
    inc_err e = {0};
    int months = 0;
    for (int m = 0; m < REVISION_MONTHS + 2 && bad == 0; m++) {
        if (sim_month(w, fx.st, &e) != INC_OK) {
            FAILF("sim_month %d: %s", m, e.msg);
            break;
        }
        char when[32];
        month_format(w->calendar - 1, when, sizeof when);
        bad += firm_count_errors(w, when);
        months++;
    }
    printf("\n    %d month ends checked; %ld firms with counts that differ from their workers\n", months, bad);
    CU_ASSERT(bad == 0);
    fixture_close(&fx);
}

/* Matching is a pure function of the state and the keyed draws: 1 and 2
 * threads give the same employers, wages and firm counts. */
static void test_threads_identical(void)
{
    fixture a, b;
    if (!fixture_open(&a, 1, WARMUP_MONTHS)) return;
    labour_run(&a.w);
    if (!fixture_open(&b, 2, WARMUP_MONTHS)) {
        fixture_close(&a);
        return;
    }
    labour_run(&b.w);
    const world *x = &a.w, *y = &b.w;
    CU_ASSERT_FATAL(x->wk.n == y->wk.n && x->fm.n == y->fm.n);
    size_t nw = x->wk.n, nf = x->fm.n;
    CU_ASSERT(memcmp(x->wk.employer, y->wk.employer, nw * sizeof(int32_t)) == 0);
    CU_ASSERT(memcmp(x->wk.wage, y->wk.wage, nw * sizeof(int32_t)) == 0);
    CU_ASSERT(memcmp(x->wk.applied, y->wk.applied, nw * sizeof(int32_t)) == 0);
    CU_ASSERT(memcmp(x->fm.hires, y->fm.hires, nf * sizeof(int32_t)) == 0);
    CU_ASSERT(memcmp(x->fm.applications, y->fm.applications, nf * sizeof(int32_t)) == 0);
    CU_ASSERT(memcmp(x->fm.employees, y->fm.employees, nf * sizeof(int32_t)) == 0);
    CU_ASSERT(memcmp(x->fm.skill, y->fm.skill, nf * sizeof(int64_t)) == 0);
    CU_ASSERT(memcmp(x->fm.skilled, y->fm.skilled, nf * sizeof(int32_t)) == 0);
    CU_ASSERT(memcmp(x->fm.wage_bill, y->fm.wage_bill, nf * sizeof(int64_t)) == 0);
    fixture_close(&a);
    fixture_close(&b);
}

int main(void)
{
    static const tu_test tests[] = {
        {"labour_pick equals the naive reference on every node, tier and ~2000 u", test_pick_matches_naive},
        {"empty lists give -1; tiers 0-2 never reach tier-3 sectors", test_pick_empty_and_prefix},
        {"pick frequencies over 200000 even u match weight shares within 1e-3", test_pick_frequencies},
        {"hiring rules and exact firm counts after labour_run (April)", test_hiring_rules},
        {"hiring rules and exact firm counts after labour_run (January revision)", test_hiring_rules_revision},
        {"labour_run is identical with 1 and 2 threads", test_threads_identical},
        {"every month end: live firms' employee, skill and wage-bill counts match their workers",
         test_counts_at_month_end},
        {NULL, NULL},
    };
    return tu_run_suite("labour", tests);
}
