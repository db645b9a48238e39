/* moments.h - the calibration targets of docs/model.md 15 and the moments of a run
 * that are compared with them (used by incubator-calibrate and the band
 * test, tests/test_bands.c, so both measure the same thing).
 *
 * Windows are counted from the run's first month, which is 2019-01 in the
 * baseline: "first five years" = months 0-59 (2019-2023), "year five" =
 * months 48-59 (2023), "the long run" = month 60 to the end (2024-2035). */
#ifndef INC_MOMENTS_H
#define INC_MOMENTS_H

#include "stats.h"

typedef enum {
    MOM_TFP,        /* Solow residual growth, years 1-3 (2019-2021), %/yr */
    MOM_UNEMP,      /* mean urban unemployment rate, first five years, % */
    MOM_MIGR_EAST,  /* share of employed migrants in the East, year five, % */
    MOM_MIGR_WAGE,  /* mean migrant wage, year five, yuan/month */
    MOM_INV,        /* investment / GDP, first five years */
    MOM_LABOUR,     /* labour share of GDP (wage bill / GDP), first five years */
    MOM_EXIT,       /* firm exits / firms alive, first five years, %/yr */
    MOM_TAIL,       /* CCDF exponent of firm employment, year five */
    MOM_GROWTH,     /* real GDP growth, year 1 to year 5 (2019-2023), %/yr */
    MOM_DEBT,       /* firm loans at the end of year five / GDP of year five */
    MOM_UNEMP_LR,   /* mean urban unemployment rate, month 60 to the end, % */
    MOM_UNEMP_MAX,  /* highest yearly mean urban unemployment rate, years 6 to the
                       last complete one (2024-2035), %: the band must hold every
                       year, so that a collapse cannot hide in the long-run mean */
    MOM_COUNT
} moment_id;

/* A target band of docs/model.md 15: [lo, hi] in unit, with its source. */
typedef struct {
    const char *name, *unit;
    double lo, hi;
    const char *source;
} moment_target;

/* The targets, MOM_COUNT rows in moment_id order (docs/model.md 15; the long-run
 * unemployment rows apply the NBS band to 2024-2035: its mean and its worst
 * year). */
extern const moment_target moments_targets[MOM_COUNT];

/* Running sums over the months of one run; zero-initialise, then call
 * moments_add for months 0, 1, 2, ... in order. */
typedef struct {
    int months;
    /* Years 1 and 3 of the Solow residual's growth accounting: real GDP
     * (2019 yuan), capital (2019 yuan) and skill units summed over the
     * year's months, and the capital share weighted by employment
     * (numerator: share x employment; denominator: employment). */
    double tfp_y[3], tfp_k[3], tfp_h[3], tfp_an[3], tfp_ad[3];
    double gdp_real_year[5];     /* real GDP of years 1-5, 2019 yuan */
    double u5, inv5, gdp5, wages5, exits5, firms5;
    double migr_east5, migr_wage5, tail5, gdp_year5, loans_end5;
    double u_lr, u_year, u_year_max;
    int n_lr, n_years_lr;
} moments_acc;

/* Add month t (0 = the run's first month) of a run's outputs st. */
void moments_add(moments_acc *a, const stats_t *st, int t);

/* The moments of the months added so far, into m[MOM_COUNT] (units as in
 * moments_targets). A moment whose window the run did not reach is NAN. */
void moments_result(const moments_acc *a, double m[MOM_COUNT]);

/* Run the scenario file at path (with n_sets "section.key=value" overrides) from its start for
 * months months at workers worker agents on one thread, in memory, and put
 * its moments into m[MOM_COUNT]; *max_residual (if not NULL) gets the largest
 * |stock-flow residual| of any month, fen. Returns INC_OK, or the failing
 * step's status with its message in *e (the month is named). The caller may
 * run several at once on different threads. */
inc_status moments_of_run(const char *path, const char *const *sets, int n_sets, int months, long workers,
                          double m[MOM_COUNT], int64_t *max_residual, inc_err *e);

/* Distance of one moment to its band: (m - centre) / half width, so |z| <= 1
 * inside the band; 10 for a NAN moment. */
double moments_z(moment_id k, double m);

/* Solow residual of growth accounting between two periods (Solow 1957),
 * with the Tornqvist share abar = (alpha0 + alpha1) / 2:
 * ln(y1/y0) - abar ln(k1/k0) - (1 - abar) ln(h1/h0), in log points. y real
 * GDP, k capital, h skill units (any units, the same in both periods).
 * NAN unless every quantity is positive and both shares are finite. Used by
 * the TFP moment and by incubator-analyze's TFP outcome. */
double moments_solow_log_change(double y0, double y1, double k0, double k1, double h0, double h1, double alpha0,
                                double alpha1);

#endif
