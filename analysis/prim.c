/* prim.c - PRIM peeling, choice and pasting; the contract and the sources
 * are in prim.h, the formulas in docs/sensitivity.md. */
#include "prim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>

/* The trajectory grows one box per step. */
static int push_box(prim_result *res, size_t *cap, const double *lo, const double *hi, double support,
                    double coverage, double density)
{
    const size_t d = (size_t)res->d;
    if (res->n_boxes == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        double *nlo = realloc(res->lo, nc * d * sizeof *nlo);
        if (!nlo) return -1;
        res->lo = nlo;
        double *nhi = realloc(res->hi, nc * d * sizeof *nhi);
        if (!nhi) return -1;
        res->hi = nhi;
        double *ns = realloc(res->support, nc * sizeof *ns);
        if (!ns) return -1;
        res->support = ns;
        double *ncv = realloc(res->coverage, nc * sizeof *ncv);
        if (!ncv) return -1;
        res->coverage = ncv;
        double *nd = realloc(res->density, nc * sizeof *nd);
        if (!nd) return -1;
        res->density = nd;
        *cap = nc;
    }
    memcpy(res->lo + res->n_boxes * d, lo, d * sizeof *lo);
    memcpy(res->hi + res->n_boxes * d, hi, d * sizeof *hi);
    res->support[res->n_boxes] = support;
    res->coverage[res->n_boxes] = coverage;
    res->density[res->n_boxes] = density;
    res->n_boxes++;
    return 0;
}

/* Is point j inside the box on every input except `skip` (-1: none)? */
static int inside(const double *xj, size_t d, const double *lo, const double *hi, size_t skip)
{
    for (size_t i = 0; i < d; i++)
        if (i != skip && (xj[i] < lo[i] || xj[i] > hi[i])) return 0;
    return 1;
}

void prim_free(prim_result *res)
{
    if (!res) return;
    free(res->lo);
    free(res->hi);
    free(res->support);
    free(res->coverage);
    free(res->density);
    free(res->box_lo);
    free(res->box_hi);
    memset(res, 0, sizeof *res);
}

/* Paste the box lo/hi (in place) while it raises the density: prim.h. */
static void paste(size_t n, size_t d, const double *x, const double *y, double alpha, double *lo, double *hi,
                  double *buf)
{
    for (;;) {
        size_t n_in = 0;
        double s_in = 0.0;
        for (size_t j = 0; j < n; j++)
            if (inside(x + j * d, d, lo, hi, d)) {
                n_in++;
                s_in += y[j];
            }
        double cur = s_in / (double)n_in;
        size_t m = (size_t)floor(alpha * (double)n_in);
        if (m < 1) m = 1;
        double best = cur;
        size_t best_i = d;
        int best_up = 0;
        double best_bound = 0.0;
        for (size_t i = 0; i < d; i++)
            for (int up = 0; up < 2; up++) {
                /* Candidates: outside on this side of input i only; sorted by
                 * distance to the bound (buf holds -x below, x above). */
                size_t nc = 0;
                for (size_t j = 0; j < n; j++) {
                    const double *xj = x + j * d;
                    if (!inside(xj, d, lo, hi, i)) continue;
                    if (!up && xj[i] < lo[i]) buf[nc++] = -xj[i];
                    if (up && xj[i] > hi[i]) buf[nc++] = xj[i];
                }
                if (nc == 0) continue;
                gsl_sort(buf, 1, nc);
                double bound = nc <= m ? INFINITY : buf[m - 1];
                /* All the candidates up to the new bound (ties included). */
                size_t n_add = 0;
                double s_add = 0.0;
                for (size_t j = 0; j < n; j++) {
                    const double *xj = x + j * d;
                    if (!inside(xj, d, lo, hi, i)) continue;
                    double v = up ? xj[i] : -xj[i];
                    double b = up ? hi[i] : -lo[i];
                    if (v > b && v <= bound) {
                        n_add++;
                        s_add += y[j];
                    }
                }
                double dens = (s_in + s_add) / (double)(n_in + n_add);
                if (dens > best + 1e-12) {
                    best = dens;
                    best_i = i;
                    best_up = up;
                    best_bound = bound;
                }
            }
        if (best_i == d) return;
        if (best_up) hi[best_i] = best_bound;
        else lo[best_i] = -best_bound;
    }
}

int prim_run(size_t n, int d, const double *x, const double *y, const prim_options *opt, prim_result *res)
{
    if (!res) return -1;
    memset(res, 0, sizeof *res);
    if (n < 2 || d < 1 || !x || !y || !opt) return -1;
    if (!(opt->alpha > 0.0 && opt->alpha < 0.5) || !(opt->min_support >= 0.0 && opt->min_support <= 1.0)) return -1;
    const size_t du = (size_t)d;
    double total = 0.0;
    for (size_t j = 0; j < n; j++) {
        if (!(y[j] >= 0.0) || !isfinite(y[j])) return -1;
        total += y[j];
        for (size_t i = 0; i < du; i++)
            if (!isfinite(x[j * du + i])) return -1;
    }
    if (!(total > 0.0)) return -1;
    res->d = d;
    double *lo = malloc(du * sizeof *lo), *hi = malloc(du * sizeof *hi);
    double *buf = malloc(n * sizeof *buf);
    unsigned char *in = malloc(n);
    size_t cap = 0;
    int rc = -1;
    if (!lo || !hi || !buf || !in) goto out;
    for (size_t i = 0; i < du; i++) {
        lo[i] = -INFINITY;
        hi[i] = INFINITY;
    }
    memset(in, 1, n);
    size_t n_in = n;
    double s_in = total;
    double min_pts = opt->min_support * (double)n;
    if (min_pts < 1.0) min_pts = 1.0;
    if (push_box(res, &cap, lo, hi, 1.0, 1.0, total / (double)n) != 0) goto out;

    for (;;) {
        double cur = s_in / (double)n_in;
        size_t m = (size_t)floor(opt->alpha * (double)n_in);
        if (m < 1) m = 1;
        double best_gain = -INFINITY;
        size_t best_i = du;
        int best_up = 0;
        double best_q = 0.0;
        for (size_t i = 0; i < du && m < n_in; i++) {
            size_t c = 0;
            for (size_t j = 0; j < n; j++)
                if (in[j]) buf[c++] = x[j * du + i];
            gsl_sort(buf, 1, n_in);
            for (int up = 0; up < 2; up++) {
                /* Keep x >= q (lower peel) or x <= q (upper peel). */
                double q = up ? buf[n_in - 1 - m] : buf[m];
                size_t n_rm = 0;
                double s_rm = 0.0;
                for (size_t j = 0; j < n; j++) {
                    if (!in[j]) continue;
                    double v = x[j * du + i];
                    if (up ? v > q : v < q) {
                        n_rm++;
                        s_rm += y[j];
                    }
                }
                if (n_rm == 0 || (double)(n_in - n_rm) < min_pts) continue;
                double gain = ((s_in - s_rm) / (double)(n_in - n_rm) - cur) / (double)n_rm;
                if (gain > best_gain) {
                    best_gain = gain;
                    best_i = i;
                    best_up = up;
                    best_q = q;
                }
            }
        }
        if (best_i == du) break;
        if (best_up) hi[best_i] = best_q;
        else lo[best_i] = best_q;
        for (size_t j = 0; j < n; j++) {
            if (!in[j]) continue;
            double v = x[j * du + best_i];
            if (best_up ? v > best_q : v < best_q) {
                in[j] = 0;
                n_in--;
                s_in -= y[j];
            }
        }
        if (push_box(res, &cap, lo, hi, (double)n_in / (double)n, s_in / total, s_in / (double)n_in) != 0) goto out;
    }

    /* The choice on the coverage-density trade-off. */
    size_t chosen = res->n_boxes;
    for (size_t b = 0; b < res->n_boxes; b++)
        if (res->density[b] >= opt->density_threshold &&
            (chosen == res->n_boxes || res->coverage[b] > res->coverage[chosen]))
            chosen = b;
    if (chosen == res->n_boxes) {
        chosen = 0;
        for (size_t b = 1; b < res->n_boxes; b++)
            if (res->density[b] > res->density[chosen]) chosen = b;
    }
    res->chosen = chosen;
    res->box_lo = malloc(du * sizeof *res->box_lo);
    res->box_hi = malloc(du * sizeof *res->box_hi);
    if (!res->box_lo || !res->box_hi) goto out;
    memcpy(res->box_lo, res->lo + chosen * du, du * sizeof *lo);
    memcpy(res->box_hi, res->hi + chosen * du, du * sizeof *hi);
    if (opt->paste) paste(n, du, x, y, opt->alpha, res->box_lo, res->box_hi, buf);
    size_t nb = 0;
    double sb = 0.0;
    for (size_t j = 0; j < n; j++)
        if (inside(x + j * du, du, res->box_lo, res->box_hi, du)) {
            nb++;
            sb += y[j];
        }
    res->box_support = (double)nb / (double)n;
    res->box_coverage = sb / total;
    res->box_density = sb / (double)nb;
    rc = 0;
out:
    free(lo);
    free(hi);
    free(buf);
    free(in);
    if (rc != 0) prim_free(res);
    return rc;
}
