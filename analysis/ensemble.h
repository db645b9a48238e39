/* ensemble.h - statistics across the seeds of a scenario: the mean and the
 * Student-t confidence interval of the mean (docs/analysis.md "Uncertainty").
 *
 * Seeds are independent draws of the same model, so an outcome's values over
 * n seeds are a sample; the interval is mean +- t(1 - (1 - level)/2, n - 1)
 * s / sqrt(n), with s the sample standard deviation. With one seed there is
 * no interval (n/a), never a zero-width one. Paired comparisons feed the
 * per-seed differences to the same function. */
#ifndef AN_ENSEMBLE_H
#define AN_ENSEMBLE_H

#include <stddef.h>

typedef struct {
    int n;       /* finite values used */
    double mean; /* NaN when n == 0 */
    double sd;   /* sample standard deviation; NaN when n < 2 */
    double lo;   /* interval bounds; NaN when n < 2 */
    double hi;
} ens_ci;

/* Mean and `level` (e.g. 0.95) t-interval of the finite values among
 * x[0 .. m-1]; non-finite values (undefined outcomes) are skipped and not
 * counted. level must lie in (0, 1). Never fails. */
ens_ci ens_interval(const double *x, size_t m, double level);

#endif
