/* outcomes.c - the outcomes of one run (outcomes.h). Every function states its
 * formula, unit and window in the words of docs/analysis.md, which defines:
 *
 *   T months 0..T-1, p = policy.start - start_month in months;
 *   L = [T-12, T-1] last year, B = [p-12, p-1] year before the policy,
 *   F = [p, p+11] first policy year, P = [p, T-1] policy period;
 *   I = inland nodes (node_coastal == 0), H = hard-tech sectors
 *   (sector_hard_tech != 0); sum_W x = sum of x over the months of W.
 *
 * Sums run in month order, then node, then sector, so the result does not
 * depend on anything but the file. */
#include "outcomes.h"
#include "moments.h"

#include <math.h>
#include <stddef.h>

static const outcome_info info_table[OC_COUNT] = {
    [OC_GDP_LAST] = {"gdp_last_year", "Real GDP, last year", "trillion 2019 yuan/yr", "trillion 2019 yuan/yr",
                     PANEL_GROWTH, 2},
    [OC_GDP_GROWTH] = {"gdp_growth", "Real GDP growth", "%/yr", "pp/yr", PANEL_GROWTH, 2},
    [OC_TFP_GROWTH] = {"tfp_growth", "TFP growth", "%/yr", "pp/yr", PANEL_GROWTH, 2},
    [OC_LP_GROWTH] = {"labour_productivity_growth", "Labour productivity growth", "%/yr", "pp/yr", PANEL_GROWTH, 2},
    [OC_DEBT_CORPORATE] = {"debt_corporate_gdp", "Corporate debt", "% of GDP", "pp of GDP", PANEL_DEBT, 1},
    [OC_DEBT_LOCAL] = {"debt_local_gdp", "Local gov. incl. LGFV debt", "% of GDP", "pp of GDP", PANEL_DEBT, 1},
    [OC_DEBT_CENTRAL] = {"debt_central_gdp", "Central gov. debt", "% of GDP", "pp of GDP", PANEL_DEBT, 1},
    [OC_DEBT_TOTAL] = {"debt_total_gdp", "Total debt", "% of GDP", "pp of GDP", PANEL_DEBT, 1},
    [OC_INLAND_GDP_SHARE] = {"inland_gdp_share", "Inland GDP share, last yr", "%", "pp", PANEL_SPATIAL, 2},
    [OC_INLAND_GDP_CHANGE] = {"inland_gdp_share_change", "Change of inland GDP share", "pp", "pp", PANEL_SPATIAL, 2},
    [OC_INLAND_EMP_SHARE] = {"inland_employment_share", "Inland employment share, last yr", "%", "pp",
                             PANEL_SPATIAL, 2},
    [OC_INLAND_EMP_CHANGE] = {"inland_employment_share_change", "Change of inland empl. share", "pp", "pp",
                              PANEL_SPATIAL, 2},
    [OC_INLAND_MIGRATION] = {"inland_net_migration", "Net migration to inland", "million persons",
                             "million persons", PANEL_MIGRATION, 2},
    [OC_INLAND_REG_RATIO] = {"inland_hardtech_registration_ratio", "Inland hard-tech registrations",
                             "1st policy yr / yr before", "ratio difference", PANEL_MIGRATION, 2},
    [OC_TARGET_SURVIVAL] = {"target_survival_3y", "3-yr survival, subsidised entrants", "%", "pp", PANEL_ENTRY, 1},
    [OC_WANNABE_SHARE] = {"wannabe_share", "Wannabe share of entrants", "%", "pp", PANEL_ENTRY, 2},
    [OC_SHELL_SHARE] = {"shell_share", "Shell share of entrants", "%", "pp", PANEL_ENTRY, 2},
    [OC_ZOMBIE_SHARE] = {"zombie_share", "Zombie share of firms", "%", "pp", PANEL_ENTRY, 2},
    [OC_SUBSIDY_COST] = {"subsidy_cost", "Cumulative subsidies", "trillion yuan", "trillion yuan", PANEL_COST, 2},
    [OC_WAGE_GINI] = {"wage_gini", "Wage Gini, last yr", "0-1", "0-1", PANEL_COST, 3},
    [OC_GDP_PER_SUBSIDY] = {"gdp_per_subsidy_yuan", "GDP gained per yuan of subsidy", "2019 yuan per 2019 yuan",
                            "2019 yuan per 2019 yuan", PANEL_COST, 2},
};

static const char *const panel_titles[PANEL_COUNT] = {
    [PANEL_GROWTH] = "GDP and productivity (growth from the year before the policy to the last year)",
    [PANEL_DEBT] = "Debt at the end of the run (stock in the last month / nominal GDP of the last 12 months)",
    [PANEL_SPATIAL] = "The shift inland (inland = not coastal)",
    [PANEL_MIGRATION] = "Migration and registrations inland",
    [PANEL_ENTRY] = "Entry and firm quality",
    [PANEL_COST] = "Cost and inequality",
};

const outcome_info *outcome_info_of(outcome_id id) { return &info_table[id]; }
const char *outcome_panel_title(outcome_panel p) { return panel_titles[p]; }

/* ---- windows and sums --------------------------------------------------- */

window window_last_year(const runfile *rf) { return (window){rf->T - 12, rf->T - 1}; }
window window_year_before(const runfile *rf) { return (window){rf->policy - 12, rf->policy - 1}; }
window window_first_policy_year(const runfile *rf) { return (window){rf->policy, rf->policy + 11}; }
window window_policy(const runfile *rf) { return (window){rf->policy, rf->T - 1}; }

int window_ok(window w, int T) { return w.a >= 0 && w.a <= w.b && w.b <= T - 1; }

static int months_of(window w) { return w.b - w.a + 1; }

/* sum_W of a national series. */
static double sum_nat(const runfile *rf, runfile_dataset id, window w)
{
    double s = 0;
    for (int t = w.a; t <= w.b; t++) s += rf->d[id][t];
    return s;
}

static double mean_nat(const runfile *rf, runfile_dataset id, window w)
{
    return sum_nat(rf, id, w) / months_of(w);
}

static int inland(const runfile *rf, int n) { return rf->d[RF_NODE_COASTAL][n] == 0; }
static int hard_tech(const runfile *rf, int s) { return rf->d[RF_SECTOR_HARD_TECH][s] != 0; }

/* sum_W sum_n x[t, n], over inland nodes only when inland_only. */
static double sum_node(const runfile *rf, runfile_dataset id, window w, int inland_only)
{
    const int N = rf->N;
    double s = 0;
    for (int t = w.a; t <= w.b; t++)
        for (int n = 0; n < N; n++)
            if (!inland_only || inland(rf, n)) s += rf->d[id][(size_t)t * N + n];
    return s;
}

/* sum_W sum_n sum_s x[t, n, s], restricted to inland nodes and/or hard-tech
 * sectors when asked. */
static double sum_ns(const runfile *rf, runfile_dataset id, window w, int inland_only, int hard_only)
{
    const int N = rf->N, S = rf->S;
    double sum = 0;
    for (int t = w.a; t <= w.b; t++)
        for (int n = 0; n < N; n++) {
            if (inland_only && !inland(rf, n)) continue;
            const double *x = rf->d[id] + ((size_t)t * N + n) * S;
            for (int s = 0; s < S; s++)
                if (!hard_only || hard_tech(rf, s)) sum += x[s];
        }
    return sum;
}

/* Growth from B to L needs both inside the run and L inside the policy
 * period (T - 12 >= p); the two windows then start T - p months apart. */
static int growth_ok(const runfile *rf)
{
    return window_ok(window_year_before(rf), rf->T) && window_ok(window_last_year(rf), rf->T) &&
           rf->T - 12 >= rf->policy;
}

/* Compound annual rate in %/yr of a log change d over `months` months. */
static double annual_rate(double d, int months)
{
    if (!isfinite(d) || months <= 0) return NAN;
    return 100.0 * (exp(d * 12.0 / months) - 1.0);
}

/* ---- GDP and productivity ----------------------------------------------- */

/* Real GDP in the last year: Y_L = sum_L gdp_real / 1e12.
 * Unit: trillion 2019 yuan per year. Window L; n/a when T < 12. */
double outcome_gdp_last(const runfile *rf)
{
    window L = window_last_year(rf);
    if (!window_ok(L, rf->T)) return NAN;
    return sum_nat(rf, RF_NAT_GDP_REAL, L) / 1e12;
}

/* Real GDP growth: 100 ((Y_L / Y_B)^(12 / (T - p)) - 1), Y_W = sum_W gdp_real.
 * Unit: %/yr (compound). Windows B and L; n/a unless both lie in the run,
 * T - 12 >= p and both sums are positive. */
double outcome_gdp_growth(const runfile *rf)
{
    if (!growth_ok(rf)) return NAN;
    double y0 = sum_nat(rf, RF_NAT_GDP_REAL, window_year_before(rf));
    double y1 = sum_nat(rf, RF_NAT_GDP_REAL, window_last_year(rf));
    if (!(y0 > 0) || !(y1 > 0)) return NAN;
    return annual_rate(log(y1 / y0), rf->T - rf->policy);
}

/* Capital share of window W: alpha_W = sum_W sum_n sum_s employment[t,n,s]
 * sector_alpha[s] / sum_W sum_n sum_s employment[t,n,s] (the scenario's
 * sector alphas weighted by employment); NaN when nobody is employed. */
static double alpha_of(const runfile *rf, window w)
{
    const int N = rf->N, S = rf->S;
    const double *alpha = rf->d[RF_SECTOR_ALPHA];
    double num = 0, den = 0;
    for (int t = w.a; t <= w.b; t++)
        for (int n = 0; n < N; n++) {
            const double *x = rf->d[RF_NS_EMPLOYMENT] + ((size_t)t * N + n) * S;
            for (int s = 0; s < S; s++) {
                num += x[s] * alpha[s];
                den += x[s];
            }
        }
    return den > 0 ? num / den : NAN;
}

/* Tornqvist TFP log change from W0 to W1: with Y_W = sum_W gdp_real,
 * K_W = mean_W capital, H_W = mean_W skill_units, abar = (alpha_W0 +
 * alpha_W1) / 2: ln(Y1/Y0) - abar ln(K1/K0) - (1 - abar) ln(H1/H0). */
double outcome_tfp_log_change(const runfile *rf, window w0, window w1)
{
    if (!window_ok(w0, rf->T) || !window_ok(w1, rf->T)) return NAN;
    double y0 = sum_nat(rf, RF_NAT_GDP_REAL, w0), y1 = sum_nat(rf, RF_NAT_GDP_REAL, w1);
    double k0 = mean_nat(rf, RF_NAT_CAPITAL, w0), k1 = mean_nat(rf, RF_NAT_CAPITAL, w1);
    double h0 = mean_nat(rf, RF_NAT_SKILL_UNITS, w0), h1 = mean_nat(rf, RF_NAT_SKILL_UNITS, w1);
    return moments_solow_log_change(y0, y1, k0, k1, h0, h1, alpha_of(rf, w0), alpha_of(rf, w1));
}

/* TFP growth (Solow residual): 100 (exp(D * 12 / (T - p)) - 1) with D the
 * Tornqvist log change of outcome_tfp_log_change from B to L.
 * Unit: %/yr (compound). Windows B and L (as GDP growth). */
double outcome_tfp_growth(const runfile *rf)
{
    if (!growth_ok(rf)) return NAN;
    return annual_rate(outcome_tfp_log_change(rf, window_year_before(rf), window_last_year(rf)),
                       rf->T - rf->policy);
}

/* Labour productivity growth: LP_W = sum_W gdp_real / mean_W employment;
 * 100 ((LP_L / LP_B)^(12 / (T - p)) - 1). Unit: %/yr. Windows B and L. */
double outcome_lp_growth(const runfile *rf)
{
    if (!growth_ok(rf)) return NAN;
    window B = window_year_before(rf), L = window_last_year(rf);
    double e0 = mean_nat(rf, RF_NAT_EMPLOYMENT, B), e1 = mean_nat(rf, RF_NAT_EMPLOYMENT, L);
    double y0 = sum_nat(rf, RF_NAT_GDP_REAL, B), y1 = sum_nat(rf, RF_NAT_GDP_REAL, L);
    if (!(e0 > 0 && e1 > 0 && y0 > 0 && y1 > 0)) return NAN;
    return annual_rate(log((y1 / e1) / (y0 / e0)), rf->T - rf->policy);
}

/* ---- debt --------------------------------------------------------------- */

/* Debt to GDP: 100 D[T-1] / sum_L gdp, with D = firm_loans (corporate),
 * lgfv_debt (local government incl. LGFV), central_debt (central) or their sum
 * (total). Unit: % of nominal GDP of the last 12 months. n/a when T < 12 or
 * that GDP is not positive. */
double outcome_debt_gdp(const runfile *rf, outcome_id which)
{
    window L = window_last_year(rf);
    if (!window_ok(L, rf->T)) return NAN;
    double gdp = sum_nat(rf, RF_NAT_GDP, L);
    if (!(gdp > 0)) return NAN;
    const int t = rf->T - 1;
    double corp = rf->d[RF_NAT_FIRM_LOANS][t], local = rf->d[RF_NAT_LGFV_DEBT][t],
           central = rf->d[RF_NAT_CENTRAL_DEBT][t];
    double d;
    switch (which) {
    case OC_DEBT_CORPORATE: d = corp; break;
    case OC_DEBT_LOCAL: d = local; break;
    case OC_DEBT_CENTRAL: d = central; break;
    case OC_DEBT_TOTAL: d = corp + local + central; break;
    default: return NAN;
    }
    return 100.0 * d / gdp;
}

/* ---- the shift inland --------------------------------------------------- */

double outcome_inland_share(const runfile *rf, runfile_dataset id, window w)
{
    if (!window_ok(w, rf->T)) return NAN;
    double all = sum_node(rf, id, w, 0);
    if (!(all > 0)) return NAN;
    return 100.0 * sum_node(rf, id, w, 1) / all;
}

/* Inland share of GDP: 100 sum_L sum_{n in I} node/gdp / sum_L sum_n node/gdp.
 * Unit: %. Window L. */
double outcome_inland_gdp_share(const runfile *rf)
{
    return outcome_inland_share(rf, RF_NODE_GDP, window_last_year(rf));
}

/* Change of the inland share of GDP: share_L - share_B (shares as above).
 * Unit: percentage points. Windows B and L (as GDP growth). */
double outcome_inland_gdp_change(const runfile *rf)
{
    if (!growth_ok(rf)) return NAN;
    return outcome_inland_share(rf, RF_NODE_GDP, window_last_year(rf)) -
           outcome_inland_share(rf, RF_NODE_GDP, window_year_before(rf));
}

/* Inland share of employment: 100 sum_L sum_{n in I} node/employed /
 * sum_L sum_n node/employed. Unit: %. Window L. */
double outcome_inland_emp_share(const runfile *rf)
{
    return outcome_inland_share(rf, RF_NODE_EMPLOYED, window_last_year(rf));
}

/* Change of the inland share of employment: share_L - share_B. Unit: pp. */
double outcome_inland_emp_change(const runfile *rf)
{
    if (!growth_ok(rf)) return NAN;
    return outcome_inland_share(rf, RF_NODE_EMPLOYED, window_last_year(rf)) -
           outcome_inland_share(rf, RF_NODE_EMPLOYED, window_year_before(rf));
}

/* Net migration to inland nodes: sum_P sum_{n in I} (in_migrants - out_migrants)
 * / 1e6 (moves between two inland nodes cancel). Unit: million persons,
 * cumulative. Window P; n/a when p is outside the run. */
double outcome_inland_migration(const runfile *rf)
{
    window P = window_policy(rf);
    if (!window_ok(P, rf->T)) return NAN;
    return (sum_node(rf, RF_NODE_IN_MIGRANTS, P, 1) - sum_node(rf, RF_NODE_OUT_MIGRANTS, P, 1)) / 1e6;
}

/* Hard-tech registrations inland: R_F / R_B with R_W = sum_W sum_{n in I}
 * sum_{s in H} node_sector/entries. Unit: ratio. Windows F and B; n/a when
 * either is outside the run or R_B = 0. */
double outcome_inland_reg_ratio(const runfile *rf)
{
    window F = window_first_policy_year(rf), B = window_year_before(rf);
    if (!window_ok(F, rf->T) || !window_ok(B, rf->T)) return NAN;
    double r0 = outcome_inland_registrations(rf, B);
    if (!(r0 > 0)) return NAN;
    return outcome_inland_registrations(rf, F) / r0;
}

double outcome_inland_registrations(const runfile *rf, window w)
{
    if (!window_ok(w, rf->T)) return NAN;
    return sum_ns(rf, RF_NS_ENTRIES, w, 1, 1);
}

/* ---- entry -------------------------------------------------------------- */

/* Three-year survival of subsidised entrants: 100 sum_{t=p+36}^{T-1}
 * target_survivors_36m / sum_{t=p}^{T-37} target_entries: the cohorts that
 * entered from the policy start on and reached 36 months within the run.
 * Unit: %. n/a when T - 37 < p, p < 0, or no target entrant. */
double outcome_target_survival(const runfile *rf)
{
    window E = {rf->policy, rf->T - 37}, A = {rf->policy + 36, rf->T - 1};
    if (!window_ok(E, rf->T) || !window_ok(A, rf->T)) return NAN;
    double entered = sum_nat(rf, RF_NAT_TARGET_ENTRIES, E);
    if (!(entered > 0)) return NAN;
    return 100.0 * sum_nat(rf, RF_NAT_TARGET_SURVIVORS, A) / entered;
}

static double entry_share(const runfile *rf, runfile_dataset id)
{
    window P = window_policy(rf);
    if (!window_ok(P, rf->T)) return NAN;
    double all = sum_ns(rf, RF_NS_ENTRIES, P, 0, 0);
    if (!(all > 0)) return NAN;
    return 100.0 * sum_ns(rf, id, P, 0, 0) / all;
}

/* Wannabe share: 100 sum_P sum_n sum_s wannabe_entries / sum_P sum_n sum_s
 * entries. Unit: % of entrants. Window P; n/a without entrants. */
double outcome_wannabe_share(const runfile *rf) { return entry_share(rf, RF_NS_WANNABE_ENTRIES); }

/* Shell share: as the wannabe share with shell_entries. Unit: % of entrants. */
double outcome_shell_share(const runfile *rf) { return entry_share(rf, RF_NS_SHELL_ENTRIES); }

/* Zombie share: 100 sum_n node/zombies[T-1, n] / national/firms_alive[T-1].
 * Unit: % of firms alive. Last month; n/a when no firm is alive. */
double outcome_zombie_share(const runfile *rf)
{
    window last = {rf->T - 1, rf->T - 1};
    double alive = rf->d[RF_NAT_FIRMS_ALIVE][rf->T - 1];
    if (!(alive > 0)) return NAN;
    return 100.0 * sum_node(rf, RF_NODE_ZOMBIES, last, 0) / alive;
}

/* ---- cost and inequality ------------------------------------------------ */

/* Cumulative subsidy cost: sum_P subsidies / 1e12. Unit: trillion yuan at
 * current prices. Window P. */
double outcome_subsidy_cost(const runfile *rf)
{
    window P = window_policy(rf);
    if (!window_ok(P, rf->T)) return NAN;
    return sum_nat(rf, RF_NAT_SUBSIDIES, P) / 1e12;
}

/* Wage Gini: mean_L wage_gini (the mean of the 12 monthly values). Unit:
 * 0-1. Window L. */
double outcome_wage_gini(const runfile *rf)
{
    window L = window_last_year(rf);
    if (!window_ok(L, rf->T)) return NAN;
    return mean_nat(rf, RF_NAT_WAGE_GINI, L);
}

void outcome_compute_all(const runfile *rf, double *v)
{
    v[OC_GDP_LAST] = outcome_gdp_last(rf);
    v[OC_GDP_GROWTH] = outcome_gdp_growth(rf);
    v[OC_TFP_GROWTH] = outcome_tfp_growth(rf);
    v[OC_LP_GROWTH] = outcome_lp_growth(rf);
    v[OC_DEBT_CORPORATE] = outcome_debt_gdp(rf, OC_DEBT_CORPORATE);
    v[OC_DEBT_LOCAL] = outcome_debt_gdp(rf, OC_DEBT_LOCAL);
    v[OC_DEBT_CENTRAL] = outcome_debt_gdp(rf, OC_DEBT_CENTRAL);
    v[OC_DEBT_TOTAL] = outcome_debt_gdp(rf, OC_DEBT_TOTAL);
    v[OC_INLAND_GDP_SHARE] = outcome_inland_gdp_share(rf);
    v[OC_INLAND_GDP_CHANGE] = outcome_inland_gdp_change(rf);
    v[OC_INLAND_EMP_SHARE] = outcome_inland_emp_share(rf);
    v[OC_INLAND_EMP_CHANGE] = outcome_inland_emp_change(rf);
    v[OC_INLAND_MIGRATION] = outcome_inland_migration(rf);
    v[OC_INLAND_REG_RATIO] = outcome_inland_reg_ratio(rf);
    v[OC_TARGET_SURVIVAL] = outcome_target_survival(rf);
    v[OC_WANNABE_SHARE] = outcome_wannabe_share(rf);
    v[OC_SHELL_SHARE] = outcome_shell_share(rf);
    v[OC_ZOMBIE_SHARE] = outcome_zombie_share(rf);
    v[OC_SUBSIDY_COST] = outcome_subsidy_cost(rf);
    v[OC_WAGE_GINI] = outcome_wage_gini(rf);
}

/* ---- compare only ------------------------------------------------------- */

void outcome_compare_series(const runfile *rf, double *gdp, double *sub)
{
    for (int t = 0; t < rf->T; t++) {
        double pi = rf->d[RF_NAT_PRICE_INDEX][t];
        gdp[t] = rf->d[RF_NAT_GDP_REAL][t];
        sub[t] = pi > 0 ? rf->d[RF_NAT_SUBSIDIES][t] / pi : NAN;
    }
}

/* GDP gained per yuan of subsidy: (sum_P gdp_real_s - sum_P gdp_real_r) /
 * (sum_P subsidies_s / price_index_s - sum_P subsidies_r / price_index_r), with
 * P the policy period of the compared scenario s. Unit: 2019 yuan of real GDP
 * per 2019 yuan of subsidy. n/a when the subsidy difference is zero. */
double outcome_gdp_per_subsidy(const double *gdp_s, const double *sub_s, const double *gdp_r, const double *sub_r,
                               window w)
{
    if (w.a < 0 || w.b < w.a) return NAN;
    double gs = 0, gr = 0, ss = 0, sr = 0;
    for (int t = w.a; t <= w.b; t++) {
        gs += gdp_s[t];
        gr += gdp_r[t];
        ss += sub_s[t];
        sr += sub_r[t];
    }
    double dg = gs - gr, ds = ss - sr;
    if (!isfinite(dg) || !isfinite(ds) || ds == 0) return NAN;
    return dg / ds;
}
