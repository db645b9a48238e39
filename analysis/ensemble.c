/* ensemble.c - mean and t-interval over seeds (ensemble.h). The t quantile is
 * GSL's gsl_cdf_tdist_Pinv; mean and standard deviation are two passes over
 * the finite values (no copy, so this cannot fail). */
#include "ensemble.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

ens_ci ens_interval(const double *x, size_t m, double level)
{
    ens_ci r = {0, NAN, NAN, NAN, NAN};
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < m; i++)
        if (isfinite(x[i])) {
            sum += x[i];
            n++;
        }
    if (n == 0) return r;
    r.n = (int)n;
    r.mean = sum / (double)n;
    if (n < 2) return r;
    double ss = 0;
    for (size_t i = 0; i < m; i++)
        if (isfinite(x[i])) ss += (x[i] - r.mean) * (x[i] - r.mean);
    r.sd = sqrt(ss / (double)(n - 1));
    double half = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, (double)(n - 1)) * r.sd / sqrt((double)n);
    r.lo = r.mean - half;
    r.hi = r.mean + half;
    return r;
}
