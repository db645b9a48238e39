/* prim.h - PRIM, the Patient Rule Induction Method (Friedman and Fisher
 * 1999, Statistics and Computing 9, 123-143), as used for scenario discovery
 * (Bryant and Lempert 2010, Technol. Forecast. Soc. Change 77, 34-49): boxes
 * of the input space in which an outcome is high; for scenario discovery the
 * outcome is 1 where the policy "pays off" under the user's criterion and 0
 * elsewhere (issue 17; formulas in docs/sensitivity.md).
 *
 * Data: n points of d inputs, row-major x[j*d + i], in the inputs' own units;
 * y[j] >= 0, one per point (an indicator 0/1, or any non-negative outcome).
 * A box is lo[i] <= x_i <= hi[i] for every i; an input that is not
 * restricted has lo = -INFINITY and hi = +INFINITY. Of a box B:
 *   support  = (points in B) / n,
 *   coverage = sum of y in B / sum of y over all points,
 *   density  = mean of y in B. */
#ifndef AN_PRIM_H
#define AN_PRIM_H

#include <stddef.h>

typedef struct {
    double alpha;             /* share of the box's points peeled (and pasted) per step, 0 < alpha < 0.5; e.g. 0.05 */
    double min_support;       /* peeling stops before a box would hold fewer than this share of the points, 0..1 */
    double density_threshold; /* the chosen box: most coverage among boxes of at least this density */
    int paste;                /* 1: paste the chosen box (Friedman and Fisher 1999, 8.2) */
} prim_options;

typedef struct {
    int d;          /* inputs */
    size_t n_boxes; /* boxes of the peeling trajectory, box 0 the whole space */
    double *lo, *hi;              /* n_boxes x d bounds (+-INFINITY: not restricted) */
    double *support, *coverage, *density; /* n_boxes values each */
    size_t chosen;  /* index of the chosen box in the trajectory */
    double *box_lo, *box_hi;      /* d bounds of the final box: the chosen one, pasted if asked */
    double box_support, box_coverage, box_density;
} prim_result;

/* Peel, choose and paste.
 *  Peeling (Friedman and Fisher 1999, section 8.1): from the whole space,
 *  each step considers, for each input i, removing the points of the box
 *  below its alpha-quantile of x_i (raising lo[i]) or above its
 *  (1 - alpha)-quantile (lowering hi[i]) - at least one point, and all the
 *  points tied at the new bound stay - and takes the candidate with the
 *  largest gain of the density per point removed; ties go to the first
 *  input, lower side first (the gain may be negative: peeling goes on). It
 *  stops when no candidate removes a point and leaves at least
 *  max(min_support n, 1) points. Each box is one row of the
 *  trajectory (Bryant and Lempert 2010's "peeling trajectory").
 *  Choice: the box of the trajectory with the most coverage among those of
 *  density >= density_threshold (the first such box on ties); if none
 *  reaches it, the box of the highest density (Bryant and Lempert leave
 *  this choice to the user on the coverage-density trade-off).
 *  Pasting (section 8.2): while it raises the density, extend one bound of
 *  the chosen box to take in the max(1, alpha n_box) nearest points outside
 *  it on that side (points inside every other bound), the best of the 2d
 *  candidates each time; a bound that reaches every point on its side
 *  becomes +-INFINITY.
 * res receives malloc'd arrays; free them with prim_free. Returns 0; -1 on
 * bad arguments (n < 2, d < 1, alpha outside (0, 0.5), min_support outside
 * [0, 1], a non-finite x, a y < 0 or non-finite, sum of y == 0) or out of
 * memory, with res zeroed. */
int prim_run(size_t n, int d, const double *x, const double *y, const prim_options *opt, prim_result *res);

/* Free the arrays of res (after prim_run, successful or not) and zero it. */
void prim_free(prim_result *res);

#endif
