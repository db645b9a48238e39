/* gsa.c - Saltelli sampling, Sobol indices, Morris elementary effects and
 * their bootstrap intervals; the contracts and sources are in gsa.h, the
 * formulas in docs/sensitivity.md. */
#include "gsa.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

size_t gsa_saltelli_rows(int k, size_t n) { return k < 1 ? 0 : n * (size_t)(k + 2); }

int gsa_saltelli_design(int k, size_t n, double *x)
{
    if (k < 1 || k > GSA_MAX_K || n < 2 || !x) return -1;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
    if (!q) return -1;
    const size_t ku = (size_t)k;
    double p[2 * GSA_MAX_K];
    for (size_t j = 0; j < n; j++) {
        gsl_qrng_get(q, p);
        double *a = x + j * ku, *b = x + (n + j) * ku;
        memcpy(a, p, ku * sizeof *a);
        memcpy(b, p + ku, ku * sizeof *b);
        for (size_t i = 0; i < ku; i++) {
            double *ab = x + ((2 + i) * n + j) * ku;
            memcpy(ab, p, ku * sizeof *ab);
            ab[i] = p[ku + i];
        }
    }
    gsl_qrng_free(q);
    return 0;
}

/* The indices from the rows idx[0..n-1] of each block (idx NULL: 0..n-1).
 * Returns -1 if the variance is 0 (or not finite). */
static int sobol_from_rows(int k, size_t n, const double *y, const size_t *idx, double *s1, double *st)
{
    const double *fa = y, *fb = y + n;
    double mean = 0.0;
    for (size_t j = 0; j < n; j++) {
        size_t r = idx ? idx[j] : j;
        mean += fa[r] + fb[r];
    }
    mean /= (double)(2 * n);
    double v = 0.0;
    for (size_t j = 0; j < n; j++) {
        size_t r = idx ? idx[j] : j;
        v += (fa[r] - mean) * (fa[r] - mean) + (fb[r] - mean) * (fb[r] - mean);
    }
    v /= (double)(2 * n);
    if (!(v > 0.0) || !isfinite(v)) return -1;
    for (int i = 0; i < k; i++) {
        const double *fab = y + (size_t)(2 + i) * n;
        double sum1 = 0.0, sumt = 0.0;
        for (size_t j = 0; j < n; j++) {
            size_t r = idx ? idx[j] : j;
            sum1 += fb[r] * (fab[r] - fa[r]);
            sumt += (fa[r] - fab[r]) * (fa[r] - fab[r]);
        }
        if (s1) s1[i] = sum1 / (double)n / v;
        if (st) st[i] = sumt / (double)(2 * n) / v;
    }
    return 0;
}

int gsa_sobol_indices(int k, size_t n, const double *y, double *s1, double *st)
{
    if (k < 1 || n < 2 || !y) return -1;
    for (int i = 0; i < k; i++) {
        if (s1) s1[i] = NAN;
        if (st) st[i] = NAN;
    }
    size_t rows = gsa_saltelli_rows(k, n);
    for (size_t j = 0; j < rows; j++)
        if (!isfinite(y[j])) return -1;
    return sobol_from_rows(k, n, y, NULL, s1, st);
}

/* Sort each of the k columns of the n_boot x k matrix v and write its
 * (1-level)/2 and (1+level)/2 quantiles to lo and hi (either may be NULL). */
static void percentiles(int k, size_t n_boot, double *v, double level, double *lo, double *hi)
{
    for (int i = 0; i < k; i++) {
        double *col = v + (size_t)i * n_boot;
        gsl_sort(col, 1, n_boot);
        if (lo) lo[i] = gsl_stats_quantile_from_sorted_data(col, 1, n_boot, (1.0 - level) / 2.0);
        if (hi) hi[i] = gsl_stats_quantile_from_sorted_data(col, 1, n_boot, (1.0 + level) / 2.0);
    }
}

int gsa_sobol_bootstrap(int k, size_t n, const double *y, size_t n_boot, unsigned long seed, double level,
                        double *s1_lo, double *s1_hi, double *st_lo, double *st_hi)
{
    if (k < 1 || n < 2 || !y || n_boot < 10 || !(level > 0.0 && level < 1.0)) return -1;
    if (gsa_sobol_indices(k, n, y, NULL, NULL) != 0) return -1;
    const size_t ku = (size_t)k;
    size_t *idx = malloc(n * sizeof *idx);
    double *b1 = malloc(n_boot * ku * sizeof *b1), *bt = malloc(n_boot * ku * sizeof *bt);
    double *s1 = malloc(ku * sizeof *s1), *st = malloc(ku * sizeof *st);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = -1;
    if (!idx || !b1 || !bt || !s1 || !st || !rng) goto out;
    gsl_rng_set(rng, seed);
    for (size_t b = 0; b < n_boot; b++) {
        /* A resample of identical outputs has no variance: draw again (the
         * full sample has some, so this ends). */
        do {
            for (size_t j = 0; j < n; j++) idx[j] = (size_t)gsl_rng_uniform_int(rng, n);
        } while (sobol_from_rows(k, n, y, idx, s1, st) != 0);
        for (size_t i = 0; i < ku; i++) {
            b1[i * n_boot + b] = s1[i];
            bt[i * n_boot + b] = st[i];
        }
    }
    percentiles(k, n_boot, b1, level, s1_lo, s1_hi);
    percentiles(k, n_boot, bt, level, st_lo, st_hi);
    rc = 0;
out:
    free(idx);
    free(b1);
    free(bt);
    free(s1);
    free(st);
    if (rng) gsl_rng_free(rng);
    return rc;
}

int gsa_map(size_t rows, int k, double *x, const gsa_input *in)
{
    if (k < 1 || !x || !in) return -1;
    for (int i = 0; i < k; i++) {
        const gsa_input *d = &in[i];
        switch (d->dist) {
        case GSA_UNIFORM:
            if (!(isfinite(d->p1) && isfinite(d->p2) && d->p1 <= d->p2)) return -1;
            break;
        case GSA_NORMAL:
        case GSA_LOGNORMAL:
            if (!(isfinite(d->p1) && isfinite(d->p2) && d->p2 > 0.0)) return -1;
            break;
        case GSA_LOGUNIFORM:
            if (!(d->p1 > 0.0 && d->p2 > d->p1 && isfinite(d->p2))) return -1;
            break;
        default:
            return -1;
        }
    }
    /* Check every coordinate first, so that a bad one leaves x unchanged. */
    const size_t ku = (size_t)k;
    for (size_t j = 0; j < rows * ku; j++) {
        double u = x[j];
        gsa_dist dist = in[j % ku].dist;
        if (!(u >= 0.0 && u <= 1.0)) return -1;
        if ((dist == GSA_NORMAL || dist == GSA_LOGNORMAL) && (u == 0.0 || u == 1.0)) return -1;
    }
    for (size_t j = 0; j < rows * ku; j++) {
        const gsa_input *d = &in[j % ku];
        double u = x[j];
        switch (d->dist) {
        case GSA_UNIFORM: x[j] = d->p1 + u * (d->p2 - d->p1); break;
        case GSA_NORMAL: x[j] = d->p1 + gsl_cdf_gaussian_Pinv(u, d->p2); break;
        case GSA_LOGNORMAL: x[j] = gsl_cdf_lognormal_Pinv(u, d->p1, d->p2); break;
        case GSA_LOGUNIFORM: x[j] = d->p1 * pow(d->p2 / d->p1, u); break;
        }
    }
    return 0;
}

size_t gsa_morris_rows(int k, int r) { return (k < 1 || r < 1) ? 0 : (size_t)r * (size_t)(k + 1); }

int gsa_morris_design(int k, int r, int p, unsigned long seed, double *x)
{
    if (k < 1 || r < 1 || p < 2 || p > 1000 || p % 2 != 0 || !x) return -1;
    const size_t ku = (size_t)k;
    const double delta = (double)p / (2.0 * (double)(p - 1));
    size_t *order = malloc(ku * sizeof *order);
    double *dir = malloc(ku * sizeof *dir);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!order || !dir || !rng) {
        free(order);
        free(dir);
        if (rng) gsl_rng_free(rng);
        return -1;
    }
    gsl_rng_set(rng, seed);
    for (int t = 0; t < r; t++) {
        double *blk = x + (size_t)t * (ku + 1) * ku;
        /* Row 0: per input a base level among the first p/2 and a direction:
         * up from the base, or down from the level Delta above it (Morris
         * 1991's B* = (J x* + (Delta/2)((2B - J) D* + J)) P*). */
        for (size_t i = 0; i < ku; i++) {
            double base = (double)gsl_rng_uniform_int(rng, (unsigned long)(p / 2)) / (double)(p - 1);
            dir[i] = gsl_rng_uniform_int(rng, 2) == 0 ? 1.0 : -1.0;
            blk[i] = dir[i] > 0 ? base : base + delta;
        }
        for (size_t i = 0; i < ku; i++) order[i] = i;
        for (size_t i = ku; i > 1; i--) { /* Fisher-Yates: a random order of the inputs */
            size_t m = (size_t)gsl_rng_uniform_int(rng, (unsigned long)i);
            size_t tmp = order[i - 1];
            order[i - 1] = order[m];
            order[m] = tmp;
        }
        for (size_t m = 0; m < ku; m++) {
            double *row = blk + (m + 1) * ku;
            memcpy(row, blk + m * ku, ku * sizeof *row);
            row[order[m]] += dir[order[m]] * delta;
        }
    }
    free(dir);
    free(order);
    gsl_rng_free(rng);
    return 0;
}

int gsa_morris_radial_design(int k, int r, double *x)
{
    if (k < 1 || k > GSA_MAX_K || r < 1 || !x) return -1;
    const size_t ku = (size_t)k, d2 = 2 * ku, look = 32;
    const size_t npts = (size_t)r + 1 + look;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d2);
    double *p = malloc(npts * d2 * sizeof *p);
    if (!q || !p) {
        if (q) gsl_qrng_free(q);
        free(p);
        return -1;
    }
    for (size_t t = 0; t < npts; t++) gsl_qrng_get(q, p + t * d2);
    gsl_qrng_free(q);
    int rc = 0;
    /* Point 1 of GSL's sequence is (0.5, ..., 0.5), where a = b: start at
     * point 2. Where b_i = a_i all the same, b_i comes from the next point
     * whose coordinate k + i differs (Campolongo et al. 2011, section 3). */
    for (size_t t = 0; t < (size_t)r && rc == 0; t++) {
        const double *a = p + (t + 1) * d2;
        double *blk = x + t * (ku + 1) * ku;
        memcpy(blk, a, ku * sizeof *blk);
        for (size_t i = 0; i < ku; i++) {
            double *row = blk + (i + 1) * ku;
            memcpy(row, a, ku * sizeof *row);
            size_t s = t + 1;
            while (s < npts && p[s * d2 + ku + i] == a[i]) s++;
            if (s == npts) {
                rc = -1;
                break;
            }
            row[i] = p[s * d2 + ku + i];
        }
    }
    free(p);
    return rc;
}

int gsa_morris_effects(gsa_morris_kind kind, int k, int r, const double *x, const double *y, double *ee)
{
    if (k < 1 || r < 1 || !x || !y || !ee) return -1;
    if (kind != GSA_MORRIS_TRAJECTORY && kind != GSA_MORRIS_RADIAL) return -1;
    const size_t ku = (size_t)k;
    unsigned char *seen = malloc(ku);
    if (!seen) return -1;
    int rc = 0;
    for (int t = 0; t < r && rc == 0; t++) {
        const double *blk = x + (size_t)t * (ku + 1) * ku;
        const double *yb = y + (size_t)t * (ku + 1);
        memset(seen, 0, ku);
        for (size_t m = 1; m <= ku; m++) {
            size_t ref = kind == GSA_MORRIS_TRAJECTORY ? m - 1 : 0;
            const double *a = blk + ref * ku, *b = blk + m * ku;
            size_t changed = ku;
            int n_changed = 0;
            for (size_t i = 0; i < ku; i++)
                if (a[i] != b[i]) {
                    changed = i;
                    n_changed++;
                }
            if (n_changed != 1 || seen[changed] || !isfinite(yb[m]) || !isfinite(yb[ref])) {
                rc = -1;
                break;
            }
            seen[changed] = 1;
            ee[(size_t)t * ku + changed] = (yb[m] - yb[ref]) / (b[changed] - a[changed]);
        }
    }
    free(seen);
    return rc;
}

int gsa_morris_stats(int k, int r, const double *ee, double *mu, double *mu_star, double *sigma)
{
    if (k < 1 || r < 1 || !ee) return -1;
    const size_t ku = (size_t)k;
    for (size_t j = 0; j < (size_t)r * ku; j++)
        if (!isfinite(ee[j])) return -1;
    for (size_t i = 0; i < ku; i++) {
        double s = 0.0, sa = 0.0;
        for (int t = 0; t < r; t++) {
            s += ee[(size_t)t * ku + i];
            sa += fabs(ee[(size_t)t * ku + i]);
        }
        double m = s / r;
        double ss = 0.0;
        for (int t = 0; t < r; t++) ss += (ee[(size_t)t * ku + i] - m) * (ee[(size_t)t * ku + i] - m);
        if (mu) mu[i] = m;
        if (mu_star) mu_star[i] = sa / r;
        if (sigma) sigma[i] = r > 1 ? sqrt(ss / (r - 1)) : NAN;
    }
    return 0;
}

int gsa_morris_bootstrap(int k, int r, const double *ee, size_t n_boot, unsigned long seed, double level,
                         double *lo, double *hi)
{
    if (k < 1 || r < 1 || !ee || n_boot < 10 || !(level > 0.0 && level < 1.0) || !lo || !hi) return -1;
    if (gsa_morris_stats(k, r, ee, NULL, NULL, NULL) != 0) return -1;
    const size_t ku = (size_t)k;
    double *v = malloc(n_boot * ku * sizeof *v);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!v || !rng) {
        free(v);
        if (rng) gsl_rng_free(rng);
        return -1;
    }
    gsl_rng_set(rng, seed);
    double *sum = calloc(ku, sizeof *sum);
    if (!sum) {
        free(v);
        gsl_rng_free(rng);
        return -1;
    }
    for (size_t b = 0; b < n_boot; b++) {
        memset(sum, 0, ku * sizeof *sum);
        for (int t = 0; t < r; t++) {
            size_t s = (size_t)gsl_rng_uniform_int(rng, (unsigned long)r);
            for (size_t i = 0; i < ku; i++) sum[i] += fabs(ee[s * ku + i]);
        }
        for (size_t i = 0; i < ku; i++) v[i * n_boot + b] = sum[i] / r;
    }
    percentiles(k, n_boot, v, level, lo, hi);
    free(sum);
    free(v);
    gsl_rng_free(rng);
    return 0;
}
