/* test_skills.c - training places and cohort turnover (docs/model.md 12, skills.c).
 *
 * On small worlds of the baseline scenario (20000 worker agents):
 *  - training: with skills.training_share = 0.1 from the first month
 *    (policy.start = run.start) the national share of workers of tier 2 or
 *    more after 36 months is higher than without training in each of seeds
 *    1, 2 and 3, by more than TRAIN_MARGIN; a run that cuts training to 0
 *    after 18 months ends in between, more than CUT_MARGIN from both; runs
 *    without training never enrol anyone or pay for training;
 *  - a naive reference of skills_run: from recorded state and the same
 *    counter-based draws, every worker's transition (retirement into a young
 *    entrant in its hukou node with the drawn tier, savings kept; training
 *    months and completion; enrolment with probability min(1, free places /
 *    eligible)), the payments per node (trainee-months x the wage-indexed
 *    cost, from the local government to the node's local services market),
 *    the firms' employee, skill and wage-bill counts after retirements, and
 *    enrolments within 4 sd of the free places; identical with 1 and 2
 *    threads;
 *  - cohort turnover: with retire_rate 1/35 a year, retirements over 12
 *    months are within 4 sd of the binomial expectation; with a high rate
 *    (0.3 a year, for many entrants) the entrants' tiers match the
 *    cohort_edu shares (chi-square, 3 df, below the 0.999 quantile 16.27)
 *    and the audit passes every month;
 *  - trainees never search: replaying a month up to the labour market,
 *    no worker in training applies or is employed after labour_run, and no
 *    trainee is employed at the end of any month. */
#include "testutil.h"
#include "phases.h"
#include "scenario.h"
#include "stats.h"
#include "world.h"
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS 20000
#define TRAIN_MONTHS 36
#define CUT_MONTH 18
#define TRAIN_MARGIN 0.03  /* tier 2+ share, training minus none, after 36 months */
#define CUT_MARGIN 0.01    /* cut run against full training and against none */

#define FAIL_SOME(counter, ...)                  \
    do {                                         \
        if ((counter)++ < 5) FAILF(__VA_ARGS__); \
    } while (0)

typedef tu_world fixture;

/* A world of the baseline scenario with the given overrides, for `threads`
 * threads; stats of the initial state. Returns 1 on success. */
static int fixture_open(fixture *fx, int threads, const char *const *sets, int n_sets)
{
    return tu_world_open(fx, "baseline.ini", sets, n_sets, threads, WORKERS, 0);
}

static void fixture_close(fixture *fx) { tu_world_close(fx); }

/* One month of the real model; fails the test with the month's message. */
static int month(fixture *fx) { return tu_world_month(fx); }

/* Share of worker agents of tier 2 or more, counted directly. */
static double tier2_share(const world *w)
{
    size_t k = 0;
    for (size_t i = 0; i < w->wk.n; i++) k += w->wk.tier[i] >= 2;
    return (double)k / (double)w->wk.n;
}

/* ---- training raises the share of tier 2+ workers ------------------------ */

/* Tier 2+ share after TRAIN_MONTHS months of the given run: training share
 * `share` until month `cut` (then 0). Also returns total enrolments and
 * training spending (fen). */
static int train_run(int seed, double share, int cut, double *out, int64_t *enrol, int64_t *spend)
{
    char s_seed[64], s_share[64];
    snprintf(s_seed, sizeof s_seed, "run.seed=%d", seed);
    snprintf(s_share, sizeof s_share, "skills.training_share=%g", share);
    const char *sets[] = {s_seed, s_share, "policy.start=2019-01"};
    fixture fx;
    if (!fixture_open(&fx, omp_get_num_procs() > 1 ? 2 : 1, sets, 3)) return 0;
    *enrol = 0;
    *spend = 0;
    for (int m = 0; m < TRAIN_MONTHS; m++) {
        if (m == cut) {
            inc_err e = {0};
            if (scenario_set(&fx.sc, "skills.training_share=0", &e) != INC_OK) {
                FAILF("scenario_set: %s", e.msg);
                fixture_close(&fx);
                return 0;
            }
        }
        if (!month(&fx)) { fixture_close(&fx); return 0; }
        for (int n = 0; n < fx.w.n_nodes; n++) {
            *enrol += fx.w.nd.enrolments[n];
            *spend += fx.w.nd.training_spending[n];
        }
    }
    *out = tier2_share(&fx.w);
    fixture_close(&fx);
    return 1;
}

static void test_training_raises_tier_share(void)
{
    printf("\n");
    for (int seed = 1; seed <= 3; seed++) {
        double none, full, cut;
        int64_t e0, e1, e2, s0, s1, s2;
        if (!train_run(seed, 0.0, -1, &none, &e0, &s0)) return;
        if (!train_run(seed, 0.1, -1, &full, &e1, &s1)) return;
        if (!train_run(seed, 0.1, CUT_MONTH, &cut, &e2, &s2)) return;
        printf("    seed %d: tier 2+ share after %d months: no training %.4f, training cut after %d months %.4f, "
               "training throughout %.4f (enrolments %" PRId64 " / %" PRId64 " / %" PRId64 ")\n",
               seed, TRAIN_MONTHS, none, CUT_MONTH, cut, full, e0, e2, e1);
        if (e0 != 0 || s0 != 0)
            FAILF("seed %d: without training %" PRId64 " enrolments and %" PRId64 " fen of training spending", seed, e0, s0);
        if (e1 <= 0 || s1 <= 0) FAILF("seed %d: training on but no enrolments or spending", seed);
        if (!(e2 < e1)) FAILF("seed %d: cutting training did not reduce enrolments (%" PRId64 " vs %" PRId64 ")", seed, e2, e1);
        if (!(full - none > TRAIN_MARGIN))
            FAILF("seed %d: training raised the tier 2+ share by %.4f, expected more than %.4f", seed, full - none,
                  TRAIN_MARGIN);
        if (!(cut - none > CUT_MARGIN))
            FAILF("seed %d: training cut halfway raised the share by %.4f over none, expected more than %.4f", seed,
                  cut - none, CUT_MARGIN);
        if (!(full - cut > CUT_MARGIN))
            FAILF("seed %d: cutting training lowered the share by %.4f, expected more than %.4f", seed, full - cut,
                  CUT_MARGIN);
    }
}

/* ---- a naive reference of skills_run ------------------------------------- */

/* The draws of skills.c, as documented there: worker i's retirement uniform
 * is word i % 4 of the RNG_SKILLS block at (i / 4, month, sub 0) plus one half,
 * times 2^-32; its second uniform is at (i, month, sub 1). */
static double ref_retire_u(const world *w, size_t i, uint32_t t)
{
    philox4x32_ctr_t b = rng_block(&w->rk, RNG_SKILLS, i / 4, t, 0, 0);
    return ((double)b.v[i % 4] + 0.5) / 4294967296.0;
}
static double ref_second_u(const world *w, size_t i, uint32_t t) { return rng_u01(&w->rk, RNG_SKILLS, i, t, 1, 0); }

typedef struct {
    uint16_t *node, *hukou;
    uint8_t *tier, *train;
    int32_t *employer;
    int64_t *savings;
    int64_t agg[4096];
} snapshot;

static void snap_take(const world *w, snapshot *s)
{
    size_t n = w->wk.n;
    s->node = malloc(n * sizeof *s->node);
    s->hukou = malloc(n * sizeof *s->hukou);
    s->tier = malloc(n);
    s->train = malloc(n);
    s->employer = malloc(n * sizeof *s->employer);
    s->savings = malloc(n * sizeof *s->savings);
    memcpy(s->node, w->wk.node, n * sizeof *s->node);
    memcpy(s->hukou, w->wk.hukou, n * sizeof *s->hukou);
    memcpy(s->tier, w->wk.tier, n);
    memcpy(s->train, w->wk.training_left, n);
    memcpy(s->employer, w->wk.employer, n * sizeof *s->employer);
    memcpy(s->savings, w->wk.savings, n * sizeof *s->savings);
    memcpy(s->agg, w->L.agg, sizeof(int64_t) * (size_t)w->L.n_agg);
}

static void snap_free(snapshot *s)
{
    free(s->node); free(s->hukou); free(s->tier); free(s->train); free(s->employer); free(s->savings);
}

/* Firms' counts equal exact sums over their workers. Returns violations. */
static int check_firm_counts(const world *w)
{
    const firms_t *fm = &w->fm;
    int64_t *emp = calloc(fm->n + 1, sizeof(int64_t)), *sk = calloc(fm->n + 1, sizeof(int64_t));
    int64_t *skd = calloc(fm->n + 1, sizeof(int64_t)), *wb = calloc(fm->n + 1, sizeof(int64_t));
    for (size_t i = 0; i < w->wk.n; i++) {
        int32_t f = w->wk.employer[i];
        if (f < 0) continue;
        emp[f]++;
        sk[f] += world_skill_of_tier(w, w->wk.tier[i]);
        skd[f] += w->wk.tier[i] >= 2;
        wb[f] += w->wk.wage[i];
    }
    int bad = 0;
    for (size_t f = 0; f < fm->n; f++) {
        if (!(fm->flags[f] & FF_ALIVE)) continue;
        if (fm->employees[f] != emp[f] || fm->skill[f] != sk[f] || fm->skilled[f] != skd[f] || fm->wage_bill[f] != wb[f])
            FAIL_SOME(bad, "firm %zu: employees %d skill %" PRId64 " skilled %d wage bill %" PRId64
                      " but its workers give %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64,
                      f, fm->employees[f], fm->skill[f], fm->skilled[f], fm->wage_bill[f], emp[f], sk[f], skd[f], wb[f]);
    }
    free(emp); free(sk); free(skd); free(wb);
    return bad;
}

/* Runs `months` months with training on, then checks one skills_run against
 * the reference. Returns the world (open) in *fx for comparisons. */
static int reference_case(fixture *fx, int threads, int months)
{
    const char *sets[] = {"skills.training_share=0.1", "policy.start=2019-01"};
    if (!fixture_open(fx, threads, sets, 2)) return 0;
    for (int m = 0; m < months; m++)
        if (!month(fx)) { fixture_close(fx); return 0; }
    world *w = &fx->w;
    const sc_params *p = w->p;
    const int N = w->n_nodes;
    const uint32_t t = (uint32_t)w->t;
    const double r = w->m->skills_retire_rate;
    CU_ASSERT_TRUE(w->policy_on);

    /* Reference places and probabilities (naive, serial). */
    int64_t cont[SC_MAX_NODES] = {0}, elig[SC_MAX_NODES] = {0};
    double prob[SC_MAX_NODES] = {0};
    for (size_t i = 0; i < w->wk.n; i++) {
        if (ref_retire_u(w, i, t) < r) continue;
        int n = w->wk.node[i];
        if (w->wk.training_left[i] >= 2) cont[n]++;
        else if (w->wk.training_left[i] == 0 && w->wk.employer[i] < 0 && w->wk.tier[i] < 3 &&
                 w->sc->nodes[n].kind != NODE_RURAL)
            elig[n]++;
    }
    double free_places[SC_MAX_NODES] = {0};
    for (int n = 0; n < N; n++) {
        if (w->sc->nodes[n].kind == NODE_RURAL || elig[n] == 0) continue;
        double places = floor(p->skills_training_share * w->nd.services0[n] * w->nd.weighted_residents[n] /
                              (p->skills_cost_per_trainee * 100.0));
        free_places[n] = places - (double)cont[n] > 0 ? places - (double)cont[n] : 0;
        prob[n] = fmin(1.0, free_places[n] / (double)elig[n]);
    }
    int s_loc = -1; /* local services: the first non-tradable sector that is not agriculture */
    for (int k = w->n_sectors - 1; k >= 0; k--)
        if (!w->sc->sectors[k].tradable && !w->sc->sectors[k].agriculture) s_loc = k;
    CU_ASSERT_FATAL(s_loc >= 0 && w->L.n_agg <= 4096);
    snapshot s;
    snap_take(w, &s);
    ledger_begin_month(w);
    int64_t lg_spend0[SC_MAX_NODES];
    memcpy(lg_spend0, w->nd.lg_spending, sizeof(int64_t) * (size_t)N);
    skills_run(w);

    const double cum[3] = {p->skills_cohort_edu_0, p->skills_cohort_edu_0 + p->skills_cohort_edu_1,
                           p->skills_cohort_edu_0 + p->skills_cohort_edu_1 + p->skills_cohort_edu_2};
    int64_t months_[SC_MAX_NODES] = {0}, enrol[SC_MAX_NODES] = {0}, up[SC_MAX_NODES] = {0};
    int64_t entr[SC_MAX_NODES * 4] = {0};
    int bad = 0, retirees = 0, completions = 0;
    for (size_t i = 0; i < w->wk.n; i++) {
        double u[2] = {ref_retire_u(w, i, t), ref_second_u(w, i, t)};
        int n = s.node[i];
        if (w->wk.savings[i] != s.savings[i]) FAIL_SOME(bad, "worker %zu: savings changed", i);
        if (u[0] < r) {
            int e = u[1] < cum[0] ? 0 : u[1] < cum[1] ? 1 : u[1] < cum[2] ? 2 : 3;
            retirees++;
            entr[s.hukou[i] * 4 + e]++;
            if (w->wk.node[i] != s.hukou[i] || w->wk.hukou[i] != s.hukou[i] || w->wk.employer[i] != -1 ||
                w->wk.tier[i] != e || w->wk.training_left[i] != 0 || w->wk.months_unemployed[i] != 0 ||
                w->wk.wage[i] != 0)
                FAIL_SOME(bad, "worker %zu retired: node %d hukou %d employer %d tier %d training %d; expected node %d, "
                          "unemployed, tier %d, no training", i, w->wk.node[i], w->wk.hukou[i], w->wk.employer[i],
                          w->wk.tier[i], w->wk.training_left[i], s.hukou[i], e);
            continue;
        }
        if (w->wk.node[i] != s.node[i] || w->wk.employer[i] != s.employer[i])
            FAIL_SOME(bad, "worker %zu (not retired) moved or changed employer", i);
        if (s.train[i] > 0) {
            months_[n]++;
            int done = s.train[i] == 1;
            int e = s.tier[i] + (done && u[1] < p->skills_p_train && s.tier[i] < 3);
            completions += done;
            up[n] += e != s.tier[i];
            if (w->wk.training_left[i] != s.train[i] - 1 || w->wk.tier[i] != e)
                FAIL_SOME(bad, "trainee %zu: training %d -> %d, tier %d -> %d; expected %d, tier %d", i, s.train[i],
                          w->wk.training_left[i], s.tier[i], w->wk.tier[i], s.train[i] - 1, e);
            continue;
        }
        int el = s.employer[i] < 0 && s.tier[i] < 3 && w->sc->nodes[n].kind != NODE_RURAL;
        int enrols = el && u[1] < prob[n];
        enrol[n] += enrols;
        if (w->wk.training_left[i] != (enrols ? p->skills_duration : 0) || w->wk.tier[i] != s.tier[i])
            FAIL_SOME(bad, "worker %zu: training %d tier %d -> %d, expected enrolment %d", i, w->wk.training_left[i],
                      s.tier[i], w->wk.tier[i], enrols);
    }
    printf("\n    %d threads: %d retirees, %d completions, trainee-months paid", threads, retirees, completions);
    int64_t all_m = 0, all_e = 0;
    double all_free = 0, var = 0;
    for (int n = 0; n < N; n++) {
        all_m += months_[n];
        all_e += enrol[n];
        all_free += fmin(free_places[n], (double)elig[n]);
        var += (double)elig[n] * prob[n] * (1 - prob[n]);
        if (w->nd.enrolments[n] != enrol[n] || w->nd.upgrades[n] != up[n])
            FAIL_SOME(bad, "node %d: enrolments %d upgrades %d, reference %" PRId64 " %" PRId64, n,
                      w->nd.enrolments[n], w->nd.upgrades[n], enrol[n], up[n]);
        for (int e = 0; e < 4; e++)
            if (w->nd.entrants_tier[n * 4 + e] != entr[n * 4 + e])
                FAIL_SOME(bad, "node %d tier %d: %d entrants, reference %" PRId64, n, e, w->nd.entrants_tier[n * 4 + e],
                          entr[n * 4 + e]);
        int64_t cost = fen_floor(p->skills_cost_per_trainee * 100.0 * w->nd.wage_index[n]);
        int64_t paid = s.agg[w->acc.localgov + n] - w->L.agg[w->acc.localgov + n];
        if (paid != cost * months_[n] || w->nd.training_spending[n] != paid ||
            w->nd.lg_spending[n] - lg_spend0[n] != paid)
            FAIL_SOME(bad, "node %d: local government paid %" PRId64 " fen (training_spending %" PRId64
                      "), reference %" PRId64 " trainee-months x %" PRId64 " fen",
                      n, paid, w->nd.training_spending[n], months_[n], cost);
        int mk = world_market(w, n, s_loc);
        int64_t got = w->L.agg[w->acc.clearing + mk] - s.agg[w->acc.clearing + mk];
        if (got != paid) FAIL_SOME(bad, "node %d: local services market received %" PRId64 " of %" PRId64, n, got, paid);
    }
    printf(" %" PRId64 ", enrolments %" PRId64 " for %.0f free places\n", all_m, all_e, all_free);
    CU_ASSERT_TRUE(all_m > 0);
    CU_ASSERT_TRUE(retirees > 0);
    CU_ASSERT_TRUE(all_e > 0);
    if (fabs((double)all_e - all_free) > 4 * sqrt(var) + 1)
        FAILF("enrolments %" PRId64 " differ from the free places %.0f by more than 4 sd (%.1f)", all_e, all_free, sqrt(var));
    check_firm_counts(w);
    int64_t res;
    inc_err e = {0};
    if (ledger_audit(w, &res, &e) != INC_OK) FAILF("audit after skills_run: %s", e.msg);
    snap_free(&s);
    return 1;
}

static void test_skills_reference(void)
{
    fixture a, b;
    int ok_a = reference_case(&a, 1, 8);
    int ok_b = reference_case(&b, 2, 8);
    if (ok_a && ok_b) {
        const workers_t *x = &a.w.wk, *y = &b.w.wk;
        size_t n = x->n;
        if (memcmp(x->node, y->node, n * sizeof *x->node) || memcmp(x->tier, y->tier, n) ||
            memcmp(x->training_left, y->training_left, n) || memcmp(x->employer, y->employer, n * sizeof *x->employer) ||
            memcmp(x->savings, y->savings, n * sizeof *x->savings))
            FAILF("workers differ between 1 and 2 threads");
        if (memcmp(a.w.nd.land_price, b.w.nd.land_price, sizeof(double) * (size_t)a.w.n_nodes))
            FAILF("land prices differ between 1 and 2 threads");
        if (memcmp(a.w.L.agg, b.w.L.agg, sizeof(int64_t) * (size_t)a.w.L.n_agg))
            FAILF("aggregate accounts differ between 1 and 2 threads");
    }
    if (ok_a) fixture_close(&a);
    if (ok_b) fixture_close(&b);
}

/* ---- cohort turnover ------------------------------------------------------ */

static void test_retirements(void)
{
    fixture fx;
    if (!fixture_open(&fx, 2, NULL, 0)) return;
    int64_t R = 0;
    for (int m = 0; m < 12; m++) {
        if (!month(&fx)) { fixture_close(&fx); return; }
        for (int k = 0; k < fx.w.n_nodes * 4; k++) R += fx.w.nd.entrants_tier[k];
    }
    double p = fx.w.m->skills_retire_rate, n = 12.0 * (double)fx.w.wk.n;
    double mean = n * p, sd = sqrt(n * p * (1 - p));
    printf("\n    retirements over 12 months: %" PRId64 ", binomial expectation %.1f (sd %.1f)\n", R, mean, sd);
    if (fabs((double)R - mean) > 4 * sd) FAILF("%" PRId64 " retirements, expected %.1f +- 4 x %.1f", R, mean, sd);
    fixture_close(&fx);
}

static void test_entrant_tiers(void)
{
    const char *sets[] = {"skills.retire_rate=0.3", "run.seed=7"};
    fixture fx;
    if (!fixture_open(&fx, 2, sets, 2)) return;
    int64_t c[4] = {0};
    for (int m = 0; m < 6; m++) {
        if (!month(&fx)) { fixture_close(&fx); return; } /* the audit runs in every month */
        for (int k = 0; k < fx.w.n_nodes * 4; k++) c[k % 4] += fx.w.nd.entrants_tier[k];
    }
    const sc_params *p = fx.w.p;
    double sh[4] = {p->skills_cohort_edu_0, p->skills_cohort_edu_1, p->skills_cohort_edu_2, p->skills_cohort_edu_3};
    double total = (double)(c[0] + c[1] + c[2] + c[3]), chi2 = 0;
    for (int e = 0; e < 4; e++) {
        double ex = total * sh[e];
        chi2 += ((double)c[e] - ex) * ((double)c[e] - ex) / ex;
    }
    printf("\n    %.0f entrants by tier: %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
           " (expected shares %.2f %.2f %.2f %.2f), chi-square %.2f\n",
           total, c[0], c[1], c[2], c[3], sh[0], sh[1], sh[2], sh[3], chi2);
    CU_ASSERT_TRUE(total > 1000);
    if (chi2 > 16.27) FAILF("entrants' tiers differ from the cohort shares: chi-square %.2f > 16.27 (3 df, p = 0.001)", chi2);
    fixture_close(&fx);
}

/* ---- trainees never search ------------------------------------------------ */

static void test_trainees_never_search(void)
{
    const char *sets[] = {"skills.training_share=0.1", "policy.start=2019-01"};
    fixture fx;
    if (!fixture_open(&fx, 2, sets, 2)) return;
    world *w = &fx.w;
    int bad = 0;
    for (int m = 0; m < 6; m++) {
        if (!month(&fx)) { fixture_close(&fx); return; }
        for (size_t i = 0; i < w->wk.n; i++)
            if (w->wk.training_left[i] > 0 && w->wk.employer[i] >= 0)
                FAIL_SOME(bad, "month %d: worker %zu is in training and employed", m, i);
    }
    /* Replay the next month up to the labour market. */
    sim_begin_month(w);
    policy_apply(w);
    planning_run(w);
    labour_run(w);
    size_t trainees = 0;
    for (size_t i = 0; i < w->wk.n; i++) {
        if (w->wk.training_left[i] == 0) continue;
        trainees++;
        if (w->wk.employer[i] >= 0 || w->wk.applied[i] >= 0 || (w->wk.flags[i] & WF_HIRED_NOW))
            FAIL_SOME(bad, "trainee %zu: employer %d applied %d after the labour market", i, w->wk.employer[i],
                      w->wk.applied[i]);
    }
    printf("\n    %zu trainees, none applied or hired\n", trainees);
    CU_ASSERT_TRUE(trainees > 100);
    fixture_close(&fx);
}

int main(void)
{
    const tu_test tests[] = {
        {"skills_run against a naive reference, 1 and 2 threads", test_skills_reference},
        {"retirements within 4 sd of the binomial expectation", test_retirements},
        {"entrants' tiers match the cohort shares", test_entrant_tiers},
        {"trainees never search", test_trainees_never_search},
        {"training places raise the tier 2+ share; cutting them lowers it", test_training_raises_tier_share},
        {NULL, NULL},
    };
    return tu_run_suite("skills", tests);
}
