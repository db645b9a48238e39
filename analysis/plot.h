/* plot.h - `plot`: PNG figures of the trajectories, one line per scenario
 * (the mean across its seeds) with a shaded band (the range, min to max,
 * across seeds), drawn by gnuplot (docs/analysis.md "Plots").
 *
 * Figures: gdp.png (real GDP), tfp.png (TFP index), debt.png (corporate,
 * local government incl. LGFV and central debt / GDP), inland.png (inland
 * shares of GDP and employment), registrations.png (inland hard-tech
 * registrations per year). The series of one run are computed while its file
 * is open (plot_series_from_run), so the raw datasets need not stay in memory. */
#ifndef AN_PLOT_H
#define AN_PLOT_H

#include "common.h"
#include "runfile.h"

/* The plotted series of one run. Monthly series hold T values, annual ones Y
 * = T / 12 values (full 12-month blocks from the start month); NaN where a
 * value is not defined. */
typedef struct {
    int T, Y;
    int start_ym;     /* start month, year * 12 + month - 1 */
    int policy_ym;    /* policy start, same unit */
    double *gdp;      /* [T] real GDP, trillion 2019 yuan/yr: 12 gdp_real[t] / 1e12 */
    double *debt[3];  /* [T] corporate, local incl. LGFV, central debt, % of the nominal GDP of months t-11..t */
    double *inland_gdp; /* [T] inland share of node GDP in month t, % */
    double *inland_emp; /* [T] inland share of employed residents in month t, % */
    double *tfp;      /* [Y] TFP index, first year = 100, chained Tornqvist from year to year */
    double *reg;      /* [Y] inland hard-tech registrations, thousand firms per year */
} plot_series;

/* Compute the series of rf (which must hold its datasets) into ps (zeroed
 * by the caller). AN_ERR_NOMEM when memory runs out; free with
 * plot_series_free whatever the result. */
an_status plot_series_from_run(const runfile *rf, plot_series *ps, an_err *e);
void plot_series_free(plot_series *ps);

/* The runs of one scenario. */
typedef struct {
    const char *scenario;
    const plot_series *const *runs;
    int n_runs;
} plot_group;

/* Draw the five figures of the groups into out_dir (created when missing,
 * with its parents). The gnuplot script and data go to a temporary folder
 * (under $TMPDIR or /tmp) that is removed afterwards. Fails with
 * AN_ERR_OUTPUT when gnuplot is not on PATH, gnuplot fails (its first error
 * line is quoted), or out_dir or the temporary folder cannot be written;
 * AN_ERR_INPUT when the runs of one scenario start in different months;
 * AN_ERR_NOMEM. */
an_status plot_write(const char *out_dir, const plot_group *groups, int n_groups, an_err *e);

#endif
