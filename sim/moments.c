/* moments.c - moments of a run against the calibration targets of docs/model.md
 * 15 (see moments.h). Every sum runs over months in order, so the moments are
 * as reproducible as the outputs they are computed from. */
#include "moments.h"
#include "phases.h"
#include <math.h>
#include <stdlib.h>

const moment_target moments_targets[MOM_COUNT] = {
    {"TFP growth 2019-2021 (Solow residual)", "%/yr", 0.5, 1.5, "The Economist: just above 1%/yr 2010-2019"},
    {"urban unemployment rate, 2019-2023", "%", 4.5, 6.5, "NBS surveyed urban unemployment"},
    {"migrant employment in the East, 2023", "%", 49.0, 54.0, "NBS migrant worker survey 2023: 51.3%"},
    {"mean migrant wage, 2023", "yuan/month", 4500.0, 5100.0, "NBS 2023: 4,780"},
    {"investment / GDP, 2019-2023", "share", 0.36, 0.46, "World Bank: 41% (2023)"},
    {"labour share of GDP, 2019-2023", "share", 0.45, 0.58, "Conference Board: 47-53%"},
    {"firm exit rate, 2019-2023", "%/yr", 5.0, 8.0, "SAIC: 6.2%"},
    {"firm employment size tail (CCDF exponent), 2023", "-", 0.8, 1.5, "Axtell 2001; Chinese firm studies"},
    {"real GDP growth 2019-2023", "%/yr", 3.0, 7.0, "NBS"},
    {"corporate debt / GDP, 2023", "ratio", 1.4, 1.9, "NIFD 2023: 168%"},
    {"urban unemployment rate, 2024-2035", "%", 4.5, 6.5, "NBS surveyed urban unemployment (the band held over the baseline's long run)"},
    {"urban unemployment rate, worst year of 2024-2035", "%", 4.5, 6.5, "NBS surveyed urban unemployment (the band held in every year of the long run)"},
};

#define NAT(st, name) ((st)->f[OUT_NATIONAL_##name][0])

void moments_add(moments_acc *a, const stats_t *st, int t)
{
    const double gdp = NAT(st, gdp), u = NAT(st, unemployment_rate);
    if (t < 36) {
        const int y = t / 12;
        const double emp = NAT(st, employment);
        a->tfp_y[y] += NAT(st, gdp_real);
        a->tfp_k[y] += NAT(st, capital);
        a->tfp_h[y] += NAT(st, skill_units);
        a->tfp_an[y] += NAT(st, capital_share) * emp;
        a->tfp_ad[y] += emp;
    }
    if (t < 60) {
        a->gdp_real_year[t / 12] += NAT(st, gdp_real);
        a->u5 += u;
        a->inv5 += NAT(st, investment);
        a->gdp5 += gdp;
        a->wages5 += NAT(st, labour_share) * gdp;
        a->exits5 += NAT(st, exits);
        a->firms5 += NAT(st, firms_alive);
    }
    if (t >= 48 && t < 60) {
        a->migr_east5 += NAT(st, migrant_east_share) / 12.0;
        a->migr_wage5 += NAT(st, migrant_wage) / 12.0;
        a->tail5 += NAT(st, firm_size_tail) / 12.0;
        a->gdp_year5 += gdp;
    }
    if (t == 59) a->loans_end5 = NAT(st, firm_loans);
    if (t >= 60) {
        a->u_lr += u;
        a->n_lr++;
        a->u_year += u / 12.0;
        if (t % 12 == 11) {
            if (a->n_years_lr == 0 || a->u_year > a->u_year_max) a->u_year_max = a->u_year;
            a->n_years_lr++;
            a->u_year = 0;
        }
    }
    if (t + 1 > a->months) a->months = t + 1;
}

/* TFP growth 2019-2021 in %/yr (100 x log change per year): the Solow
 * residual of growth accounting (Solow 1957) between years 1 and 3, with the
 * Tornqvist share abar = (alpha_1 + alpha_3) / 2:
 *   ln(Y3/Y1) - abar ln(K3/K1) - (1 - abar) ln(H3/H1),
 * Y real GDP, K capital, H skill units (yearly sums), alpha the capital
 * share weighted by employment; the same formula as incubator-analyze's
 * outcome_tfp_log_change. The difference of the yearly levels of
 * /national/ln_tfp is not this: with alpha moving with the employment mix,
 * that difference carries -(alpha_3 - alpha_1)(ln K - ln H) in levels and
 * depends on the units of K and H. NAN if a sum is not positive. */
static double tfp_growth(const moments_acc *a)
{
    if (!(a->tfp_y[0] > 0 && a->tfp_y[2] > 0 && a->tfp_k[0] > 0 && a->tfp_k[2] > 0 && a->tfp_h[0] > 0 &&
          a->tfp_h[2] > 0 && a->tfp_ad[0] > 0 && a->tfp_ad[2] > 0))
        return NAN;
    return 100.0 *
           moments_solow_log_change(a->tfp_y[0], a->tfp_y[2], a->tfp_k[0], a->tfp_k[2], a->tfp_h[0], a->tfp_h[2],
                                    a->tfp_an[0] / a->tfp_ad[0], a->tfp_an[2] / a->tfp_ad[2]) /
           2.0;
}

double moments_solow_log_change(double y0, double y1, double k0, double k1, double h0, double h1, double alpha0,
                                double alpha1)
{
    const double a = 0.5 * (alpha0 + alpha1);
    if (!(y0 > 0 && y1 > 0 && k0 > 0 && k1 > 0 && h0 > 0 && h1 > 0) || !isfinite(a)) return NAN;
    return log(y1 / y0) - a * log(k1 / k0) - (1 - a) * log(h1 / h0);
}

void moments_result(const moments_acc *a, double m[MOM_COUNT])
{
    const int five = a->months >= 60;
    m[MOM_TFP] = a->months >= 36 ? tfp_growth(a) : NAN;
    m[MOM_UNEMP] = five ? 100.0 * a->u5 / 60.0 : NAN;
    m[MOM_MIGR_EAST] = five ? 100.0 * a->migr_east5 : NAN;
    m[MOM_MIGR_WAGE] = five ? a->migr_wage5 : NAN;
    m[MOM_INV] = five && a->gdp5 > 0 ? a->inv5 / a->gdp5 : NAN;
    m[MOM_LABOUR] = five && a->gdp5 > 0 ? a->wages5 / a->gdp5 : NAN;
    m[MOM_EXIT] = five && a->firms5 > 0 ? 100.0 * 12.0 * a->exits5 / a->firms5 : NAN;
    m[MOM_TAIL] = five ? a->tail5 : NAN;
    m[MOM_GROWTH] = five && a->gdp_real_year[0] > 0 ? 100.0 * (pow(a->gdp_real_year[4] / a->gdp_real_year[0], 0.25) - 1.0) : NAN;
    m[MOM_DEBT] = five && a->gdp_year5 > 0 ? a->loans_end5 / a->gdp_year5 : NAN;
    m[MOM_UNEMP_LR] = a->n_lr >= 12 ? 100.0 * a->u_lr / a->n_lr : NAN;
    m[MOM_UNEMP_MAX] = a->n_years_lr >= 1 ? 100.0 * a->u_year_max : NAN;
}

double moments_z(moment_id k, double m)
{
    const moment_target *t = &moments_targets[k];
    if (!isfinite(m)) return 10.0;
    return (m - 0.5 * (t->lo + t->hi)) / (0.5 * (t->hi - t->lo));
}

inc_status moments_of_run(const char *path, const char *const *sets, int n_sets, int months, long workers,
                          double m[MOM_COUNT], int64_t *max_residual, inc_err *e)
{
    scenario sc;
    world w;
    inc_status rc = scenario_load(&sc, path, sets, n_sets, e);
    if (rc != INC_OK) return rc;
    if ((rc = world_init(&w, &sc, 1, workers, e)) != INC_OK) {
        scenario_free(&sc);
        return rc;
    }
    stats_aggregate(&w);
    stats_t *st = stats_alloc(w.n_nodes, w.n_sectors);
    if (!st) rc = inc_fail(e, INC_ERR_NOMEM, "out of memory for the month's outputs");
    moments_acc acc = {0};
    int64_t worst = 0;
    for (int t = 0; rc == INC_OK && t < months; t++) {
        if ((rc = sim_month(&w, st, e)) != INC_OK) {
            inc_err inner = *e;
            rc = inc_fail(e, rc, "month %d of the run: %s", t, inner.msg);
            break;
        }
        int64_t r = llabs(st->i[OUT_NATIONAL_sfc_residual][0]);
        if (r > worst) worst = r;
        moments_add(&acc, st, t);
    }
    if (rc == INC_OK) moments_result(&acc, m);
    if (max_residual) *max_residual = worst;
    stats_free(st);
    world_free(&w);
    scenario_free(&sc);
    return rc;
}
