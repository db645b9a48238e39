/* test_finance.c - the central bank's policy rule (docs/model.md "Interest
 * rates", finance_policy_rates in sim/finance.c).
 *
 * On a small world of the baseline scenario the test sets the inflation the
 * rule reacts to and checks, against values computed here from the scenario's
 * keys:
 *  (a) at the target, the base lending rate is bank.r_base and the deposit
 *      rate bank.r_deposit (the run starts there);
 *  (b) 2 points above the target, both rise by taylor_inflation x 2 points;
 *  (c) far below the target, both are floored at 0;
 *  (d) with bank.taylor_inflation = 0 the rates are the fixed ones of the first specification (docs/model.md 8) whatever the inflation;
 *  (e) the monthly rates are the annual ones compounded down, and a firm
 *      without support and without leverage borrows at the monthly base rate;
 *  (f) over 24 months of the model, the inflation the rule reads is the
 *      moving average of the price level's annualised log changes, recomputed
 *      here from the price level of every month. */
#include "testutil.h"
#include "phases.h"
#include "scenario.h"
#include "stats.h"
#include "world.h"
#include <math.h>
#include <stdio.h>

#define WORKERS 5000

static double monthly(double annual) { return expm1(log1p(annual) / 12.0); }

static void test_rule(void)
{
    tu_world fx;
    if (!tu_world_open(&fx, "baseline.ini", NULL, 0, 1, WORKERS, 0)) return;
    world *w = &fx.w;
    const sc_params *p = w->p;
    const double phi = p->bank_taylor_inflation, target = p->bank_inflation_target;
    CU_ASSERT_FATAL(phi > 0);

    /* (a) the first month starts at the target. */
    CU_ASSERT_DOUBLE_EQUAL(w->inflation, target, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(w->r_policy, p->bank_r_base, 1e-15);

    /* (b) two points above the target. */
    w->inflation = target + 0.02;
    finance_policy_rates(w);
    CU_ASSERT_DOUBLE_EQUAL(w->r_policy, p->bank_r_base + phi * 0.02, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(w->r_loan_m, monthly(p->bank_r_base + phi * 0.02), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(w->r_deposit_m, monthly(p->bank_r_deposit + phi * 0.02), 1e-12);
    printf("\n    inflation %.1f%%/yr: lending %.2f%%/yr, deposits %.2f%%/yr (fixed: %.2f, %.2f)\n",
           100 * w->inflation, 100 * w->r_policy, 100 * (pow(1 + w->r_deposit_m, 12) - 1), 100 * p->bank_r_base,
           100 * p->bank_r_deposit);

    /* (c) deflation: both floored at 0. */
    w->inflation = target - 0.2;
    finance_policy_rates(w);
    CU_ASSERT_EQUAL(w->r_policy, 0.0);
    CU_ASSERT_EQUAL(w->r_loan_m, 0.0);
    CU_ASSERT_EQUAL(w->r_deposit_m, 0.0);

    /* (e) a firm without support and leverage borrows at the base rate. */
    w->inflation = target + 0.01;
    finance_policy_rates(w);
    CU_ASSERT_DOUBLE_EQUAL(finance_loan_rate(w, -1, 0.0), monthly(p->bank_r_base + phi * 0.01), 1e-12);
    tu_world_close(&fx);

    /* (d) phi = 0: the fixed rates of the first specification (docs/model.md 8). */
    const char *sets[] = {"bank.taylor_inflation=0"};
    if (!tu_world_open(&fx, "baseline.ini", sets, 1, 1, WORKERS, 0)) return;
    w = &fx.w;
    for (int k = 0; k < 3; k++) {
        w->inflation = (double[]){-0.05, 0.03, 0.12}[k];
        finance_policy_rates(w);
        CU_ASSERT_DOUBLE_EQUAL(w->r_policy, w->p->bank_r_base, 1e-15);
        CU_ASSERT_DOUBLE_EQUAL(w->r_loan_m, w->m->bank_r_base, 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(w->r_deposit_m, w->m->bank_r_deposit, 1e-12);
    }
    tu_world_close(&fx);
}

static void test_inflation_average(void)
{
    tu_world fx;
    if (!tu_world_open(&fx, "baseline.ini", NULL, 0, 1, WORKERS, 0)) return;
    world *w = &fx.w;
    const double memory = w->p->bank_inflation_months;
    double pi = w->p->bank_inflation_target, prev = w->price_level;
    int moved = 0;
    for (int t = 0; t < 24; t++) {
        if (!tu_world_month(&fx)) break;
        pi += (12.0 * log(w->price_level / prev) - pi) / memory;
        if (w->price_level != prev) moved = 1;
        prev = w->price_level;
        /* The month's rates were set from the inflation before this month's
         * statistics; the next month's follow from pi. */
        CU_ASSERT_DOUBLE_EQUAL(w->inflation, pi, 1e-12);
    }
    CU_ASSERT_TRUE(moved);
    finance_policy_rates(w);
    double want = w->p->bank_r_base + w->p->bank_taylor_inflation * (pi - w->p->bank_inflation_target);
    CU_ASSERT_DOUBLE_EQUAL(w->r_policy, want > 0 ? want : 0.0, 1e-12);
    printf("\n    after 24 months: price level %.4f, inflation %.2f%%/yr, lending rate %.2f%%/yr\n", w->price_level,
           100 * w->inflation, 100 * w->r_policy);
    tu_world_close(&fx);
}

int main(void)
{
    const tu_test tests[] = {
        {"policy rule: target, above, floor, phi = 0, monthly rates", test_rule},
        {"the rule reads the moving average of the price level's changes", test_inflation_average},
        {NULL, NULL},
    };
    return tu_run_suite("finance", tests);
}
