/* gsa.h - global sensitivity analysis: Saltelli sampling and Sobol indices,
 * Morris elementary effects, percentile bootstrap intervals (issue 17;
 * docs/sensitivity.md gives the formulas and what tests/test_sensitivity.c
 * verifies).
 *
 * Conventions of every function here:
 *  - k inputs, each a coordinate of the unit cube [0,1]^k; a design is a
 *    row-major matrix of rows x k doubles (row j, input i at x[j*k + i]).
 *    Mapping the unit cube to the inputs' ranges or distributions is a
 *    separate step (gsa_map), so the estimators never see units.
 *  - Model outputs y are one double per design row, in the design's row
 *    order, in whatever unit the outcome has; indices are unitless shares of
 *    variance, elementary effects are in the outcome's unit per whole range
 *    of the input (the change of y when the input moves across its range).
 *  - Return 0 on success and -1 on bad arguments (sizes out of range, NULL
 *    pointers) or an undefined estimate (zero variance); after -1 the
 *    outputs must not be used (gsa_sobol_indices sets them to NaN, the
 *    others may have written part of them).
 *  - Bootstrap resampling uses GSL's gsl_rng_mt19937 seeded with the given
 *    seed: same seed, same intervals, on any machine. */
#ifndef AN_GSA_H
#define AN_GSA_H

#include <stddef.h>

/* Largest k of the Saltelli and radial designs: GSL's Sobol generator has at
 * most 40 dimensions and those designs use 2k of them. */
#define GSA_MAX_K 20

/* ---- Saltelli sampling and Sobol indices --------------------------------- */

/* Rows of the Saltelli design for k inputs and n base samples: n (k + 2). */
size_t gsa_saltelli_rows(int k, size_t n);

/* The Saltelli design (Saltelli 2002; Saltelli et al. 2010, Comput. Phys.
 * Commun. 181, 259-270, section 3): the first n points of GSL's quasi-random
 * Sobol sequence gsl_qrng_sobol of dimension 2k (GSL starts at its point
 * 1, (0.5, ..., 0.5), never the origin, so no coordinate is 0 or 1) give the
 * matrices A (coordinates 0..k-1) and B (coordinates k..2k-1). x receives
 * gsa_saltelli_rows(k, n) rows of k doubles in blocks of n rows:
 *   rows [0, n)              A
 *   rows [n, 2n)             B
 *   rows [(2+i)n, (3+i)n)    A_B^(i), i = 0..k-1: A with column i from B.
 * 1 <= k <= GSA_MAX_K, n >= 2. Returns 0, or -1 on bad arguments. */
int gsa_saltelli_design(int k, size_t n, double *x);

/* First-order and total-order Sobol indices from the outputs y of the
 * Saltelli design (gsa_saltelli_rows(k, n) values in its row order):
 *   V      = the variance (divisor 2n) of the 2n outputs f(A), f(B);
 *   S_i    = (1/n) sum_j f(B)_j (f(A_B^(i))_j - f(A)_j) / V
 *            (Saltelli et al. 2010, table 2, estimator (b));
 *   ST_i   = (1/2n) sum_j (f(A)_j - f(A_B^(i))_j)^2 / V
 *            (Jansen 1999, Comput. Phys. Commun. 117, 35-43; Saltelli et
 *            al. 2010, table 2, estimator (f)).
 * s1 and st receive k values each (either may be NULL). The estimators are
 * unbiased but not bounded: with few samples S_i can be slightly negative.
 * Returns 0; -1 on bad arguments, a non-finite y, or V == 0 (s1, st set to
 * NaN). */
int gsa_sobol_indices(int k, size_t n, const double *y, double *s1, double *st);

/* Percentile bootstrap intervals of the indices of gsa_sobol_indices
 * (Archer, Saltelli and Sobol 1997, J. Stat. Comput. Simul. 58, 99-120):
 * n_boot times, draw n base rows j with replacement (the same j for A, B and
 * every A_B^(i), so the pairing of the estimators is kept), recompute S_i and
 * ST_i; the interval is the (1-level)/2 and (1+level)/2 empirical quantiles
 * (gsl_stats_quantile_from_sorted_data) of the n_boot values. A resample
 * whose variance is 0 is drawn again. Outputs: k values each (any of the
 * four may be NULL). n_boot >= 10, 0 < level < 1. Returns 0; -1 on bad
 * arguments or if the full sample's variance is 0. */
int gsa_sobol_bootstrap(int k, size_t n, const double *y, size_t n_boot, unsigned long seed, double level,
                        double *s1_lo, double *s1_hi, double *st_lo, double *st_hi);

/* ---- mapping the unit cube to the inputs ---------------------------------- */

typedef enum {
    GSA_UNIFORM,   /* p1 + u (p2 - p1): uniform on [p1, p2] */
    GSA_NORMAL,    /* p1 + p2 * Phi^-1(u): normal, mean p1, sd p2 > 0 (gsl_cdf_gaussian_Pinv) */
    GSA_LOGNORMAL, /* exp(p1 + p2 Phi^-1(u)): lognormal, log-mean p1, log-sd p2 > 0 (gsl_cdf_lognormal_Pinv) */
    GSA_LOGUNIFORM /* p1 (p2/p1)^u: uniform in log on [p1, p2], 0 < p1 < p2 */
} gsa_dist;

typedef struct {
    gsa_dist dist;
    double p1, p2; /* see gsa_dist; in the input's own unit */
} gsa_input;

/* Map rows x k unit-cube coordinates x (each in [0,1]; in (0,1) for the
 * normal and lognormal, whose inverse CDF is infinite at 0 and 1) to the
 * inputs' values, in place, input i by in[i]. Returns 0; -1 on bad arguments
 * (a parameter out of its range, a coordinate outside [0,1] or, for the
 * normal and lognormal, equal to 0 or 1); x is then unchanged. */
int gsa_map(size_t rows, int k, double *x, const gsa_input *in);

/* ---- Morris elementary effects -------------------------------------------- */

typedef enum {
    GSA_MORRIS_TRAJECTORY, /* Morris 1991: each row differs from the one before in one input */
    GSA_MORRIS_RADIAL      /* Campolongo et al. 2011: rows 1..k differ from row 0 in one input each */
} gsa_morris_kind;

/* Rows of a Morris design of r trajectories (or radial groups): r (k + 1). */
size_t gsa_morris_rows(int k, int r);

/* The trajectory design of Morris (1991, Technometrics 33, 161-174): p
 * levels {0, 1/(p-1), ..., 1} (p even, 2 <= p <= 1000), step Delta =
 * p / (2 (p-1)). For each of r trajectories, from the seeded gsl_rng_mt19937:
 * a random base level per input among the first p/2 (so that base + Delta is
 * a level), a random direction per input (up from the base, or down from
 * base + Delta) and a random order of the inputs; row 0 is the start, row
 * m + 1 moves the m-th input of the order by +-Delta. x receives
 * gsa_morris_rows(k, r) rows in blocks of k + 1 rows, one block per
 * trajectory. 1 <= k, r >= 1. Returns 0, or -1 on bad arguments. */
int gsa_morris_design(int k, int r, int p, unsigned long seed, double *x);

/* The radial design (Campolongo, Saltelli and Cariboni 2011, Comput. Phys.
 * Commun. 182, 978-988): point t + 2 (t = 0..r-1) of GSL's Sobol sequence
 * of dimension 2k gives a base a (coordinates 0..k-1) and an alternative b
 * (k..2k-1) (point 1, the cube's centre, has a = b); where b_i = a_i, b_i is
 * taken from the next point whose coordinate k + i differs. Block t is the
 * row a, then for i = 0..k-1 the row a with input i set to b_i. Steps are not
 * all equal; gsa_morris_effects divides by each.
 * 1 <= k <= GSA_MAX_K, r >= 1. Returns 0, or -1 on bad arguments. */
int gsa_morris_radial_design(int k, int r, double *x);

/* Elementary effects from a Morris design x (unit-cube coordinates, as
 * written by gsa_morris_design or gsa_morris_radial_design, kind saying
 * which) and its outputs y (gsa_morris_rows(k, r) values): for every block
 * and input i, EE_i = (y(changed row) - y(reference row)) / (x_i(changed) -
 * x_i(reference)), the reference being the previous row (trajectory) or row
 * 0 of the block (radial). ee receives r x k values (block t, input i at
 * ee[t*k + i]) in y's unit per whole range of input i. Returns 0; -1 on bad
 * arguments or if a block does not change exactly one input per step, each
 * input once (the design is not of the kind stated). */
int gsa_morris_effects(gsa_morris_kind kind, int k, int r, const double *x, const double *y, double *ee);

/* Morris statistics of the r x k elementary effects ee, per input i:
 *   mu_i      = mean of EE_i (Morris 1991),
 *   mu_star_i = mean of |EE_i| (Campolongo, Cariboni and Saltelli 2007,
 *               Environ. Model. Softw. 22, 1509-1518),
 *   sigma_i   = standard deviation of EE_i with divisor r - 1 (Morris 1991;
 *               NaN if r == 1).
 * Any output may be NULL. Returns 0; -1 on bad arguments or a non-finite
 * effect. */
int gsa_morris_stats(int k, int r, const double *ee, double *mu, double *mu_star, double *sigma);

/* Percentile bootstrap intervals of mu*: n_boot times, draw r blocks with
 * replacement and recompute mu*_i; the interval is the (1-level)/2 and
 * (1+level)/2 quantiles (Campolongo et al. 2007 report such intervals).
 * lo, hi: k values each. n_boot >= 10, 0 < level < 1, r >= 1. Returns 0; -1
 * on bad arguments. */
int gsa_morris_bootstrap(int k, int r, const double *ee, size_t n_boot, unsigned long seed, double level,
                         double *lo, double *hi);

#endif
