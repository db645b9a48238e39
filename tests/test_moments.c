/* test_moments.c - the TFP growth moment of sim/moments.c is the Solow
 * residual of growth accounting (docs/model.md 15; Solow 1957).
 *
 * Feeds moments_add 36 synthetic months of national outputs (one node, one
 * sector) and checks:
 *  (a) with a constant capital share alpha and Y = A K^alpha H^(1-alpha),
 *      where ln A rises by g per year and K and H grow at their own rates,
 *      the moment is 100 g %/yr (to 1e-9), whatever K and H do;
 *  (b) when alpha moves with the employment mix (0.35 -> 0.36 over the
 *      three years, as in the baseline's 2019-2021), the moment does not
 *      depend on the units of K and H: measuring K in 10,000 yuan instead
 *      of yuan, and H in thousands, gives the same value (to 1e-9), and it
 *      stays within 0.05 %/yr of the growth of ln A (the Tornqvist share
 *      approximates the moving one: here 0.025 %/yr). The
 *      difference of the yearly levels of /national/ln_tfp, which the
 *      moment used before, moves by more than 0.5 %/yr with the units
 *      (asserted too: it is the reason for the moment).
 */
#include "testutil.h"
#include "moments.h"
#include "stats.h"
#include <math.h>
#include <stdio.h>

#define NAT(st, name) ((st)->f[OUT_NATIONAL_##name][0])

/* One synthetic run: monthly ln A = g t / 12, K = k0 e^(gk t / 12),
 * H = h0 e^(gh t / 12), alpha_t = a0 + (a1 - a0) t / 35,
 * Y = Y0 A (K/K0)^alpha_t (H/H0)^(1 - alpha_t) (a production function in
 * indices, so its own growth does not depend on units), then K and H
 * reported divided by k_unit and h_unit. Returns the TFP moment (%/yr);
 * *levels gets 100 x (mean ln_tfp of year 3 - that of year 1) / 2 computed
 * from the reported units. */
static double run(double g, double gk, double gh, double a0, double a1, double k_unit, double h_unit,
                  double *levels)
{
    stats_t *st = stats_alloc(1, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    moments_acc acc = {0};
    double lvl[3] = {0, 0, 0};
    for (int t = 0; t < 36; t++) {
        stats_clear(st);
        const double lnA = g * t / 12.0, K = 3e14 * exp(gk * t / 12.0), H = 7e8 * exp(gh * t / 12.0);
        const double alpha = a0 + (a1 - a0) * t / 35.0;
        const double K0 = 3e14, H0 = 7e8;
        const double Y = 8e12 * exp(lnA + alpha * log(K / K0) + (1.0 - alpha) * log(H / H0));
        const double Kr = K / k_unit, Hr = H / h_unit;
        NAT(st, gdp_real) = Y;
        NAT(st, capital) = Kr;
        NAT(st, skill_units) = Hr;
        NAT(st, capital_share) = alpha;
        NAT(st, employment) = 7e8;
        NAT(st, ln_tfp) = log(Y) - alpha * log(Kr) - (1.0 - alpha) * log(Hr);
        lvl[t / 12] += NAT(st, ln_tfp) / 12.0;
        moments_add(&acc, st, t);
    }
    double m[MOM_COUNT];
    moments_result(&acc, m);
    stats_free(st);
    *levels = 100.0 * (lvl[2] - lvl[0]) / 2.0;
    return m[MOM_TFP];
}

static void test_constant_share(void)
{
    double lv;
    const double m = run(0.01, 0.08, -0.01, 0.35, 0.35, 1.0, 1.0, &lv);
    printf("\n    constant alpha 0.35, ln A +0.01/yr, K +8%%/yr, H -1%%/yr: moment %.12f %%/yr (expected 1)\n", m);
    CU_ASSERT(fabs(m - 1.0) < 1e-9);
}

static void test_units_do_not_matter(void)
{
    double lv1, lv2;
    const double m1 = run(0.01, 0.05, 0.0, 0.35, 0.36, 1.0, 1.0, &lv1);
    const double m2 = run(0.01, 0.05, 0.0, 0.35, 0.36, 1e4, 1e3, &lv2);
    printf("\n    alpha 0.35 -> 0.36: moment %.9f %%/yr in yuan and persons, %.9f with K in 10,000 yuan and H in"
           " thousands\n    (difference of ln_tfp levels: %.3f and %.3f %%/yr)\n", m1, m2, lv1, lv2);
    CU_ASSERT(isfinite(m1) && fabs(m1 - m2) < 1e-9);
    CU_ASSERT(fabs(m1 - 1.0) < 0.05);
    CU_ASSERT(fabs(lv1 - lv2) > 0.5); /* the level difference is unit-dependent: the reason for the moment */
}

int main(void)
{
    static const tu_test tests[] = {
        {"TFP moment: growth of ln A at a constant capital share", test_constant_share},
        {"TFP moment: the units of K and H do not matter when alpha moves", test_units_do_not_matter},
        {NULL, NULL},
    };
    return tu_run_suite("moments", tests);
}
