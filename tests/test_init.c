/* test_init.c - the initial state matches the data it was built from (issue:
 * "the simulated 2019 population shares of the nodes, migrant shares by
 * region and education shares are within 1 percentage point of the inputs").
 *
 * A world of the baseline at its default scale (2.96 million worker agents;
 * the sampling error of a node's migrant share is then at most about 0.25
 * points, for the smallest city): each node's count of worker agents against
 * its share of population in the node table (exact to one worker: the
 * apportionment is deterministic); the drawn shares below within TOL: each urban node's share
 * of residents with hukou elsewhere against its migrant_share; the region
 * totals of migrants against the node table's implied regional shares; the
 * education tiers of migrants and of urban locals against init.edu_*; the
 * share of rural workers on the farm against init.rural_farm_share. */
#include "testutil.h"
#include "world.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define WORKERS 0 /* the scenario's own scale */
#define TOL 0.01 /* one percentage point, for the shares drawn at random */

static void test_initial_state(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/baseline.ini", tu_srcdir());
    scenario sc;
    world w;
    inc_err e = {0};
    CU_ASSERT_FATAL(scenario_load(&sc, path, NULL, 0, &e) == INC_OK);
    CU_ASSERT_FATAL(world_init(&w, &sc, 1, WORKERS, &e) == INC_OK);
    const int N = w.n_nodes;
    double pop = 0, res[SC_MAX_NODES] = {0}, mig[SC_MAX_NODES] = {0};
    double region_mig[REGION_COUNT] = {0}, region_mig_in[REGION_COUNT] = {0}, mig_all = 0, mig_all_in = 0;
    double tier_m[4] = {0}, tier_l[4] = {0}, n_m = 0, n_l = 0;
    for (int n = 0; n < N; n++) pop += sc.nodes[n].population;
    for (size_t i = 0; i < w.wk.n; i++) {
        int n = w.wk.node[i];
        res[n] += 1;
        int migrant = w.wk.hukou[i] != n;
        int rural = sc.nodes[n].kind == NODE_RURAL;
        if (migrant) { mig[n] += 1; tier_m[w.wk.tier[i]] += 1; n_m += 1; }
        else if (!rural) { tier_l[w.wk.tier[i]] += 1; n_l += 1; }
    }
    double worst = 0;
    printf("\n    node                 pop share  sim share | migrant share  sim\n");
    for (int n = 0; n < N; n++) {
        double want = sc.nodes[n].population / pop, have = res[n] / (double)w.wk.n;
        double mw = sc.nodes[n].kind == NODE_RURAL ? 0.0 : sc.nodes[n].migrant_share;
        double mh = res[n] > 0 ? mig[n] / res[n] : 0.0;
        printf("    %-20s %9.4f %9.4f | %9.4f %9.4f\n", sc.nodes[n].name, want, have, mw, mh);
        /* Exact by construction (largest-remainder apportionment, tables_apportion
         * in tables.c, which init.c uses): the
         * node's worker count is the population share of the total to within
         * one worker, so a node left empty (Zhuzhou is 0.29% of the
         * population) fails; an absolute tolerance on the share would not. */
        double exact = want * (double)w.wk.n;
        CU_ASSERT(fabs(res[n] - exact) < 1.0 + 1e-6 * exact);
        CU_ASSERT(res[n] > 0);
        /* Drawn per worker (Bernoulli): within one percentage point. */
        CU_ASSERT(fabs(mw - mh) < TOL);
        worst = fmax(worst, fmax(fabs(want - have), fabs(mw - mh)));
        /* Regional distribution of migrants: implied by the table. */
        region_mig_in[sc.nodes[n].region] += want * mw;
        mig_all_in += want * mw;
        region_mig[sc.nodes[n].region] += mig[n];
        mig_all += mig[n];
    }
    static const char *const rn[REGION_COUNT] = {"East", "Central", "West", "Northeast"};
    for (int r = 0; r < REGION_COUNT; r++) {
        double want = mig_all_in > 0 ? region_mig_in[r] / mig_all_in : 0, have = mig_all > 0 ? region_mig[r] / mig_all : 0;
        printf("    migrants employed in the %-9s input %.4f, simulated %.4f\n", rn[r], want, have);
        CU_ASSERT(fabs(want - have) < TOL);
    }
    const double em[4] = {sc.p.init_edu_migrant_0, sc.p.init_edu_migrant_1, sc.p.init_edu_migrant_2, sc.p.init_edu_migrant_3};
    const double el[4] = {sc.p.init_edu_local_0, sc.p.init_edu_local_1, sc.p.init_edu_local_2, sc.p.init_edu_local_3};
    for (int k = 0; k < 4; k++) {
        printf("    tier %d: migrants %.4f (input %.4f), urban locals %.4f (input %.4f)\n", k, tier_m[k] / n_m, em[k],
               tier_l[k] / n_l, el[k]);
        CU_ASSERT(fabs(tier_m[k] / n_m - em[k]) < TOL);
        CU_ASSERT(fabs(tier_l[k] / n_l - el[k]) < TOL);
    }
    /* Rural nodes: init.rural_farm_share of the employed on the farm. */
    double farm = 0, rural_emp = 0;
    for (size_t i = 0; i < w.wk.n; i++) {
        int32_t f = w.wk.employer[i];
        if (f < 0 || sc.nodes[w.wk.node[i]].kind != NODE_RURAL) continue;
        rural_emp += 1;
        farm += sc.sectors[w.fm.sector[f]].agriculture != 0;
    }
    printf("    rural workers on the farm: %.4f (input init.rural_farm_share %.4f)\n", farm / rural_emp,
           sc.p.init_rural_farm_share);
    CU_ASSERT(rural_emp > 0 && fabs(farm / rural_emp - sc.p.init_rural_farm_share) < TOL);
    printf("    largest node gap: %.4f\n", worst);
    world_free(&w);
    scenario_free(&sc);
}

int main(void)
{
    static const tu_test tests[] = {{"initial state matches the node table and the education shares", test_initial_state},
                                    {NULL, NULL}};
    return tu_run_suite("init", tests);
}
