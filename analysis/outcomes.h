/* outcomes.h - the outcomes of the gamble, computed from one run: GDP, debt,
 * productivity, the spatial shift, the quality of entry, the cost.
 *
 * Each outcome is one function of a runfile, commented with its formula, unit
 * and time window exactly as docs/analysis.md defines it (the two must say the
 * same; tests/test_analyze.c recomputes every outcome independently from the
 * raw arrays). An outcome that the run cannot define (its window lies outside
 * the run, a denominator is zero) is NaN, printed "n/a". */
#ifndef AN_OUTCOMES_H
#define AN_OUTCOMES_H

#include "runfile.h"

/* Outcome ids in print order. The last ones are compare-only. */
typedef enum {
    OC_GDP_LAST,           /* real GDP in the last 12 months */
    OC_GDP_GROWTH,         /* real GDP growth per year over the policy period */
    OC_TFP_GROWTH,         /* TFP growth per year (Solow residual) */
    OC_LP_GROWTH,          /* labour productivity growth per year */
    OC_DEBT_CORPORATE,     /* corporate debt / GDP, last year */
    OC_DEBT_LOCAL,         /* local government incl. LGFV debt / GDP */
    OC_DEBT_CENTRAL,       /* central government debt / GDP */
    OC_DEBT_TOTAL,         /* the three together */
    OC_INLAND_GDP_SHARE,   /* inland share of GDP, last year */
    OC_INLAND_GDP_CHANGE,  /* its change since the year before the policy */
    OC_INLAND_EMP_SHARE,   /* inland share of employment, last year */
    OC_INLAND_EMP_CHANGE,  /* its change since the year before the policy */
    OC_INLAND_MIGRATION,   /* net migration to inland nodes over the policy period */
    OC_INLAND_REG_RATIO,   /* inland hard-tech registrations, first policy year / year before */
    OC_TARGET_SURVIVAL,    /* three-year survival of subsidised entrants */
    OC_WANNABE_SHARE,      /* wannabe share of entrants over the policy period */
    OC_SHELL_SHARE,        /* shell share of entrants over the policy period */
    OC_ZOMBIE_SHARE,       /* zombie share of firms alive, last month */
    OC_SUBSIDY_COST,       /* cumulative subsidies over the policy period */
    OC_WAGE_GINI,          /* wage Gini, mean of the last 12 months */
    OC_SUMMARY_COUNT,      /* ---- the outcomes of `summary` end here ---- */
    OC_GDP_PER_SUBSIDY = OC_SUMMARY_COUNT, /* compare only: GDP gained per yuan of subsidy */
    OC_COUNT
} outcome_id;

/* Panels group the columns of the text and markdown tables. */
typedef enum {
    PANEL_GROWTH,
    PANEL_DEBT,
    PANEL_SPATIAL,
    PANEL_MIGRATION,
    PANEL_ENTRY,
    PANEL_COST,
    PANEL_COUNT
} outcome_panel;

typedef struct {
    const char *key;       /* column name in CSV and JSON */
    const char *label;     /* short name in text and markdown tables */
    const char *unit;      /* unit of the outcome */
    const char *diff_unit; /* unit of a difference between two scenarios */
    outcome_panel panel;
    int decimals;          /* decimals in text and markdown tables */
} outcome_info;

/* Descriptions of the outcomes and the panels (static, never NULL). */
const outcome_info *outcome_info_of(outcome_id id);
const char *outcome_panel_title(outcome_panel p);

/* A window of months [a, b], inclusive, counted from /time 0. */
typedef struct {
    int a, b;
} window;

/* The windows of docs/analysis.md for a run of T months whose policy starts
 * at month p: L last year [T-12, T-1]; B year before the policy [p-12, p-1];
 * F first policy year [p, p+11]; P policy period [p, T-1]. */
window window_last_year(const runfile *rf);
window window_year_before(const runfile *rf);
window window_first_policy_year(const runfile *rf);
window window_policy(const runfile *rf);
/* Whether w lies inside a run of T months (and is not empty). */
int window_ok(window w, int T);

/* One function per outcome (docs/analysis.md gives the same definitions). */
double outcome_gdp_last(const runfile *rf);
double outcome_gdp_growth(const runfile *rf);
double outcome_tfp_growth(const runfile *rf);
double outcome_lp_growth(const runfile *rf);
double outcome_debt_gdp(const runfile *rf, outcome_id which); /* OC_DEBT_* */
double outcome_inland_gdp_share(const runfile *rf);
double outcome_inland_gdp_change(const runfile *rf);
double outcome_inland_emp_share(const runfile *rf);
double outcome_inland_emp_change(const runfile *rf);
double outcome_inland_migration(const runfile *rf);
double outcome_inland_reg_ratio(const runfile *rf);
double outcome_target_survival(const runfile *rf);
double outcome_wannabe_share(const runfile *rf);
double outcome_shell_share(const runfile *rf);
double outcome_zombie_share(const runfile *rf);
double outcome_subsidy_cost(const runfile *rf);
double outcome_wage_gini(const runfile *rf);

/* Building blocks shared with the plots. Inland share (%) of the node series
 * id (RF_NODE_GDP or RF_NODE_EMPLOYED) over window w: 100 sum_w sum_{n in I}
 * x / sum_w sum_n x; NaN when w is outside the run or the total is not
 * positive. */
double outcome_inland_share(const runfile *rf, runfile_dataset id, window w);
/* R_w = sum_w sum_{n in I} sum_{s in H} node_sector/entries (firms); NaN when
 * w is outside the run. */
double outcome_inland_registrations(const runfile *rf, window w);

/* Every summary outcome of rf into v[0 .. OC_SUMMARY_COUNT-1]; NaN where not
 * defined. rf must hold its datasets (runfile_read_data). */
void outcome_compute_all(const runfile *rf, double *v);

/* Log change of TFP between windows w0 and w1 (Tornqvist growth accounting,
 * docs/analysis.md "TFP"): ln(Y1/Y0) - abar ln(K1/K0) - (1 - abar) ln(H1/H0).
 * NaN when a window is outside the run or a quantity is not positive. Shared
 * by the summary (B to L) and the TFP plot (chained year to year). */
double outcome_tfp_log_change(const runfile *rf, window w0, window w1);

/* The monthly series of the compare-only outcome: gdp[t] = gdp_real[t]
 * (2019 yuan/month), sub[t] = subsidies[t] / price_index[t] (2019 yuan/month,
 * NaN where the price index is not positive); both arrays hold T values. */
void outcome_compare_series(const runfile *rf, double *gdp, double *sub);

/* GDP gained per yuan of subsidy over the window w of the compared scenario s
 * against the reference r: (sum_w gdp_s - sum_w gdp_r) / (sum_w sub_s -
 * sum_w sub_r), from the series of outcome_compare_series of two runs of the
 * same length (w must lie inside it). NaN when w is empty or the subsidy
 * difference is zero or not finite. */
double outcome_gdp_per_subsidy(const double *gdp_s, const double *sub_s, const double *gdp_r, const double *sub_r,
                               window w);

#endif
