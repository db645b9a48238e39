/* test_rng.c - the counter-based random streams (rng.h, docs/design.md "Randomness").
 *
 * What is checked:
 *  - Random123's published known-answer vectors for Philox4x32-10 come out of
 *    philox4x32 and out of our own rng_block (so the counter layout feeds Philox
 *    the words the header says it does);
 *  - our wrapper's keys and a few uniforms are pinned: a regression KAT of the
 *    stream layout (seed hashing, stream keys, counter words, bits -> double);
 *  - purity: a draw depends only on its coordinates, never on call order;
 *  - independence between streams, ids, months, sub and draw words and seeds
 *    (correlations below 4/sqrt(n)), uniformity (chi-square on 100 bins) and
 *    the open range (0, 1);
 *  - the GSL adapter: reproducible at the same coordinates, different across
 *    ids, its raw words are the Philox block's, and Poisson draws have the
 *    right mean.
 * Every statistical test uses fixed coordinates, so it is deterministic: it
 * either always passes or always fails for a given generator. */
#include "testutil.h"
#include "rng.h"
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Known answers of Philox4x32-10 ------------------------------------ */

/* Random123 (D. E. Shaw Research), examples/kat_vectors, the "philox4x32 10"
 * lines: counter (4 words), key (2 words) -> output (4 words). */
static const struct {
    uint32_t ctr[4], key[2], out[4];
} philox_kat[3] = {
    {{0x00000000, 0x00000000, 0x00000000, 0x00000000}, {0x00000000, 0x00000000},
     {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

static void test_philox_kat(void)
{
    for (int i = 0; i < 3; i++) {
        philox4x32_ctr_t c = {{philox_kat[i].ctr[0], philox_kat[i].ctr[1], philox_kat[i].ctr[2], philox_kat[i].ctr[3]}};
        philox4x32_key_t k = {{philox_kat[i].key[0], philox_kat[i].key[1]}};
        philox4x32_ctr_t r = philox4x32(c, k);
        for (int j = 0; j < 4; j++) CU_ASSERT_EQUAL(r.v[j], philox_kat[i].out[j]);
    }
}

/* The same vectors through rng_block: with every stream's key set to the KAT
 * key, the coordinates (id, month, sub, draw) that spell the KAT counter in the
 * layout {id lo, id hi, month << 8 | sub, draw} must give the KAT output. */
static void test_rng_block_layout_kat(void)
{
    for (int i = 0; i < 3; i++) {
        rng_keys k;
        memset(&k, 0, sizeof k);
        for (int s = 0; s < RNG_NSTREAMS; s++) {
            k.key[s].v[0] = philox_kat[i].key[0];
            k.key[s].v[1] = philox_kat[i].key[1];
        }
        uint64_t id = ((uint64_t)philox_kat[i].ctr[1] << 32) | philox_kat[i].ctr[0];
        uint32_t month = philox_kat[i].ctr[2] >> 8, sub = philox_kat[i].ctr[2] & 0xffu;
        uint32_t draw = philox_kat[i].ctr[3];
        for (int s = 0; s < RNG_NSTREAMS; s++) {
            philox4x32_ctr_t r = rng_block(&k, (rng_stream)s, id, month, sub, draw);
            for (int j = 0; j < 4; j++) CU_ASSERT_EQUAL(r.v[j], philox_kat[i].out[j]);
        }
        /* rng_u01 takes the first two words, high word first. */
        uint64_t bits = ((uint64_t)philox_kat[i].out[0] << 32) | philox_kat[i].out[1];
        CU_ASSERT_EQUAL(rng_u01(&k, RNG_INIT_WORKER, id, month, sub, draw), rng_bits_to_u01(bits));
    }
}

/* ---- Regression KAT of our own wrapper --------------------------------- */

/* These constants pin the stream layout: the seed hash, the per-stream keys,
 * the counter words and the bits -> double map. They were computed once from
 * this implementation. Changing any of them changes every simulation's draws
 * (and so every published result): do it only on purpose, with a note in the
 * changelog, and update the constants. */
static void test_keys_pinned(void)
{
    rng_keys k0, k42;
    rng_keys_init(&k0, 0);
    rng_keys_init(&k42, 42);
    CU_ASSERT_EQUAL(k0.seed, 0);
    CU_ASSERT_EQUAL(k42.seed, 42);
    static const struct { int s; uint32_t k0[2], k42[2]; } pins[] = {
        {RNG_INIT_WORKER, {0x9cfff667, 0x72e4ced8}, {0x264cbc2d, 0x38922147}},
        {RNG_MIGRATION, {0x6ce96ae9, 0x0da2336c}, {0x8ad648f4, 0x44e9ff59}},
        {RNG_PICK, {0xd0d913ec, 0x6df8a5b9}, {0x2049184f, 0x07eef074}},
    };
    for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
        CU_ASSERT_EQUAL(k0.key[pins[i].s].v[0], pins[i].k0[0]);
        CU_ASSERT_EQUAL(k0.key[pins[i].s].v[1], pins[i].k0[1]);
        CU_ASSERT_EQUAL(k42.key[pins[i].s].v[0], pins[i].k42[0]);
        CU_ASSERT_EQUAL(k42.key[pins[i].s].v[1], pins[i].k42[1]);
    }
}

static void test_u01_pinned(void)
{
    rng_keys k0, k42;
    rng_keys_init(&k0, 0);
    rng_keys_init(&k42, 42);
    /* seed, stream, id, month, sub, draw -> u[0], u[1] of rng_u01x2 (exact
     * doubles, hex literals; decimal in the comment). */
    static const struct {
        int seed42;
        int s;
        uint64_t id;
        uint32_t month, sub, draw;
        double u0, u1;
    } pins[] = {
        {0, RNG_INIT_WORKER, 0ULL, 0, 0, 0, 0x1.2e7b4c86ca18cp-3, 0x1.fb967546e8493p-1}, /* 0.14769611154885032 0.99138227930611078 */
        {0, RNG_SEPARATION, 12345ULL, 17, 0, 0, 0x1.b7ac79401b0dbp-1, 0x1.0991bf9eeefc4p-3}, /* 0.858737744403267 0.12967252448822653 */
        {0, RNG_PICK, 1099511627783ULL, 203, 255, 3, 0x1.4157fa2788e87p-1, 0x1.30dcd8df6c4fep-2}, /* 0.62762433750727176 0.29771746505419105 */
        {1, RNG_INIT_WORKER, 0ULL, 0, 0, 0, 0x1.8ad1097473d08p-4, 0x1.fb3c436377047p-1}, /* 0.096390759404347048 0.99069414700671465 */
        {1, RNG_MIGRATION, 9999999ULL, 120, 2, 1, 0x1.089d15f6a2af5p-1, 0x1.818c7369687cep-2}, /* 0.51682346950232605 0.37651233988628696 */
        {1, RNG_HIRE, 4000000000ULL, 5, 1, 0, 0x1.94609a2464bf9p-1, 0x1.4d08d1c74882cp-3}, /* 0.78979951566941431 0.16261447801031303 */
    };
    for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
        const rng_keys *k = pins[i].seed42 ? &k42 : &k0;
        double u[2];
        rng_u01x2(k, (rng_stream)pins[i].s, pins[i].id, pins[i].month, pins[i].sub, pins[i].draw, u);
        CU_ASSERT_EQUAL(u[0], pins[i].u0);
        CU_ASSERT_EQUAL(u[1], pins[i].u1);
        CU_ASSERT_EQUAL(rng_u01(k, (rng_stream)pins[i].s, pins[i].id, pins[i].month, pins[i].sub, pins[i].draw),
                        pins[i].u0);
    }
}

/* Distinct seeds and distinct streams give distinct keys; the same seed gives
 * the same keys (two worlds in one process agree). */
static void test_keys_distinct(void)
{
    rng_keys a, b, c;
    rng_keys_init(&a, 7);
    rng_keys_init(&b, 7);
    rng_keys_init(&c, 8);
    for (int s = 0; s < RNG_NSTREAMS; s++) {
        CU_ASSERT_EQUAL(a.key[s].v[0], b.key[s].v[0]);
        CU_ASSERT_EQUAL(a.key[s].v[1], b.key[s].v[1]);
        CU_ASSERT(a.key[s].v[0] != c.key[s].v[0] || a.key[s].v[1] != c.key[s].v[1]);
        for (int t = 0; t < s; t++)
            CU_ASSERT(a.key[s].v[0] != a.key[t].v[0] || a.key[s].v[1] != a.key[t].v[1]);
    }
}

/* ---- Purity ------------------------------------------------------------- */

static void test_purity(void)
{
    enum { N = 4096 };
    rng_keys k;
    rng_keys_init(&k, 2019);
    double *fwd = malloc(N * sizeof *fwd);
    CU_ASSERT_FATAL(fwd != NULL);
    for (int i = 0; i < N; i++) fwd[i] = rng_u01(&k, RNG_SEARCH, (uint64_t)i * 977, (uint32_t)(i % 37), (uint32_t)(i % 3), 0);
    /* Reverse order, with unrelated draws in between, and through a copy of
     * the keys made after other use: nothing changes. */
    rng_keys copy = k;
    double sink = 0;
    int same = 1;
    for (int i = N - 1; i >= 0; i--) {
        sink += rng_u01(&k, RNG_HIRE, (uint64_t)i, 3, 0, (uint32_t)i);
        sink += rng_u01(&k, RNG_SEARCH, (uint64_t)i * 977 + 1, (uint32_t)(i % 37), (uint32_t)(i % 3), 0);
        const rng_keys *use = (i & 1) ? &copy : &k;
        if (rng_u01(use, RNG_SEARCH, (uint64_t)i * 977, (uint32_t)(i % 37), (uint32_t)(i % 3), 0) != fwd[i]) same = 0;
    }
    CU_ASSERT(same);
    CU_ASSERT(sink > 0);
    /* u[0] of the pair is the single draw at the same coordinates. */
    int pair_ok = 1;
    for (int i = 0; i < N; i++) {
        double u[2];
        rng_u01x2(&k, RNG_SEARCH, (uint64_t)i * 977, (uint32_t)(i % 37), (uint32_t)(i % 3), 0, u);
        if (u[0] != fwd[i]) pair_ok = 0;
    }
    CU_ASSERT(pair_ok);
    free(fwd);
}

/* ---- Independence, uniformity, range ------------------------------------ */

#define NCORR 200000

/* Pearson correlation of two series. */
static double correlation(const double *x, const double *y, int n)
{
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / sqrt(sxx * syy);
}

typedef struct {
    double *x, *y;
    int out_of_range;
} corr_buf;

static void check_range(corr_buf *b, double u)
{
    if (!(u > 0.0 && u < 1.0)) b->out_of_range++;
}

/* Assert |corr| < 4/sqrt(n) and report the pair on failure. */
static void assert_uncorrelated(corr_buf *b, const char *what)
{
    double r = correlation(b->x, b->y, NCORR);
    double bound = 4.0 / sqrt((double)NCORR);
    if (!(fabs(r) < bound)) fprintf(stderr, "\n  %s: correlation %.5f, bound %.5f\n", what, r, bound);
    CU_ASSERT(fabs(r) < bound);
    CU_ASSERT_EQUAL(b->out_of_range, 0);
}

static void test_streams_independent(void)
{
    rng_keys k;
    rng_keys_init(&k, 1);
    corr_buf b = {malloc(NCORR * sizeof(double)), malloc(NCORR * sizeof(double)), 0};
    CU_ASSERT_FATAL(b.x && b.y);
    const uint32_t m = 5;
    char what[96];
    for (int s = 0; s < RNG_NSTREAMS; s++)
        for (int t = s + 1; t < RNG_NSTREAMS; t++) {
            b.out_of_range = 0;
            for (int i = 0; i < NCORR; i++) {
                b.x[i] = rng_u01(&k, (rng_stream)s, (uint64_t)i, m, 0, 0);
                b.y[i] = rng_u01(&k, (rng_stream)t, (uint64_t)i, m, 0, 0);
                check_range(&b, b.x[i]);
                check_range(&b, b.y[i]);
            }
            snprintf(what, sizeof what, "streams %d and %d", s, t);
            assert_uncorrelated(&b, what);
        }
    free(b.x);
    free(b.y);
}

/* Neighbouring coordinates: ids, months, sub and draw words, the two halves
 * of rng_u01x2, and seeds 0 vs 1. */
static void test_neighbours_independent(void)
{
    rng_keys k, k0, k1;
    rng_keys_init(&k, 3);
    rng_keys_init(&k0, 0);
    rng_keys_init(&k1, 1);
    corr_buf b = {malloc(NCORR * sizeof(double)), malloc(NCORR * sizeof(double)), 0};
    CU_ASSERT_FATAL(b.x && b.y);
    const rng_stream s = RNG_MIGRATION;
    const uint32_t m = 30;

    b.out_of_range = 0;
    for (int i = 0; i < NCORR; i++) {
        b.x[i] = rng_u01(&k, s, (uint64_t)i, m, 0, 0);
        b.y[i] = rng_u01(&k, s, (uint64_t)i + 1, m, 0, 0);
        check_range(&b, b.x[i]);
    }
    assert_uncorrelated(&b, "ids i and i+1");

    b.out_of_range = 0;
    for (int i = 0; i < NCORR; i++) {
        b.x[i] = rng_u01(&k, s, (uint64_t)i, m, 0, 0);
        b.y[i] = rng_u01(&k, s, (uint64_t)i, m + 1, 0, 0);
        check_range(&b, b.y[i]);
    }
    assert_uncorrelated(&b, "months m and m+1");

    b.out_of_range = 0;
    for (int i = 0; i < NCORR; i++) {
        b.x[i] = rng_u01(&k, s, (uint64_t)i, m, 0, 0);
        b.y[i] = rng_u01(&k, s, (uint64_t)i, m, 1, 0);
        check_range(&b, b.y[i]);
    }
    assert_uncorrelated(&b, "sub 0 and 1");

    b.out_of_range = 0;
    for (int i = 0; i < NCORR; i++) {
        b.x[i] = rng_u01(&k, s, (uint64_t)i, m, 0, 0);
        b.y[i] = rng_u01(&k, s, (uint64_t)i, m, 0, 1);
        check_range(&b, b.y[i]);
    }
    assert_uncorrelated(&b, "draw 0 and 1");

    b.out_of_range = 0;
    for (int i = 0; i < NCORR; i++) {
        double u[2];
        rng_u01x2(&k, s, (uint64_t)i, m, 0, 0, u);
        b.x[i] = u[0];
        b.y[i] = u[1];
        check_range(&b, u[1]);
    }
    assert_uncorrelated(&b, "u[0] and u[1] of one pair");

    b.out_of_range = 0;
    for (int i = 0; i < NCORR; i++) {
        b.x[i] = rng_u01(&k0, s, (uint64_t)i, m, 0, 0);
        b.y[i] = rng_u01(&k1, s, (uint64_t)i, m, 0, 0);
        check_range(&b, b.x[i]);
        check_range(&b, b.y[i]);
    }
    assert_uncorrelated(&b, "seeds 0 and 1");

    /* Ids that differ only in the high word (agent ids above 2^32). */
    b.out_of_range = 0;
    for (int i = 0; i < NCORR; i++) {
        b.x[i] = rng_u01(&k, s, (uint64_t)i, m, 0, 0);
        b.y[i] = rng_u01(&k, s, (uint64_t)i | (1ULL << 32), m, 0, 0);
        check_range(&b, b.y[i]);
    }
    assert_uncorrelated(&b, "ids i and i + 2^32");

    free(b.x);
    free(b.y);
}

/* Chi-square on 100 equal bins of 1e6 draws (ids 0..1e6-1 of one stream and
 * month), both halves of the pair; p-value above 1e-4. */
static void test_uniformity(void)
{
    enum { BINS = 100, DRAWS = 1000000 };
    rng_keys k;
    rng_keys_init(&k, 12345);
    long c0[BINS] = {0}, c1[BINS] = {0};
    int bad = 0;
    double lo = 1, hi = 0;
    for (int i = 0; i < DRAWS; i++) {
        double u[2];
        rng_u01x2(&k, RNG_QUALITY, (uint64_t)i, 7, 0, 0, u);
        for (int j = 0; j < 2; j++) {
            if (!(u[j] > 0.0 && u[j] < 1.0)) bad++;
            if (u[j] < lo) lo = u[j];
            if (u[j] > hi) hi = u[j];
        }
        c0[(int)(u[0] * BINS)]++;
        c1[(int)(u[1] * BINS)]++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(lo > 0.0 && lo < 1e-4);
    CU_ASSERT(hi < 1.0 && hi > 1.0 - 1e-4);
    const double expect = (double)DRAWS / BINS;
    double x0 = 0, x1 = 0;
    for (int b = 0; b < BINS; b++) {
        x0 += ((double)c0[b] - expect) * ((double)c0[b] - expect) / expect;
        x1 += ((double)c1[b] - expect) * ((double)c1[b] - expect) / expect;
    }
    double p0 = gsl_cdf_chisq_Q(x0, BINS - 1), p1 = gsl_cdf_chisq_Q(x1, BINS - 1);
    if (!(p0 > 1e-4 && p1 > 1e-4)) fprintf(stderr, "\n  chi2 %.1f (p %.2g), %.1f (p %.2g)\n", x0, p0, x1, p1);
    CU_ASSERT(p0 > 1e-4);
    CU_ASSERT(p1 > 1e-4);
}

/* The bits -> double map never reaches 0 or 1, even at the extreme words
 * (rng.h promises the open interval: callers take log(u), log(1 - u)). */
static void test_open_interval(void)
{
    const uint64_t words[] = {0, 1, 2047, 2048, 1ULL << 63, UINT64_MAX - 4096, UINT64_MAX - 2048,
                              UINT64_MAX - 2047, UINT64_MAX - 1, UINT64_MAX};
    double prev = 0.0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        double u = rng_bits_to_u01(words[i]);
        if (!(u > 0.0 && u < 1.0)) fprintf(stderr, "\n  rng_bits_to_u01(0x%016llx) = %a\n", (unsigned long long)words[i], u);
        CU_ASSERT(u > 0.0);
        CU_ASSERT(u < 1.0);
        CU_ASSERT(u >= prev); /* monotone in the bits */
        prev = u;
    }
    CU_ASSERT(fabs(rng_bits_to_u01(1ULL << 63) - 0.5) < 1e-15);
    /* Pinned (part of the stream layout): the top 52 bits plus one half,
     * times 2^-52, so both ends are exact and 2^-53 away from 0 and 1. */
    CU_ASSERT_EQUAL(rng_bits_to_u01(0), 0x1p-53);
    CU_ASSERT_EQUAL(rng_bits_to_u01(UINT64_MAX), 1.0 - 0x1p-53);
    CU_ASSERT_EQUAL(rng_bits_to_u01(1ULL << 63), 0.5 + 0x1p-53);
}

/* ---- GSL adapter --------------------------------------------------------- */

static void test_gsl_reproducible(void)
{
    rng_keys k;
    rng_keys_init(&k, 99);
    rng_gsl *g = rng_gsl_alloc();
    CU_ASSERT_FATAL(g != NULL);
    enum { N = 64 };
    double a[N], b[N];
    unsigned pa[N], pb[N];
    gsl_rng *r = rng_gsl_at(g, &k, RNG_ENTRY, 42, 11, 3);
    for (int i = 0; i < N; i++) { a[i] = gsl_ran_gaussian(r, 2.0); pa[i] = gsl_ran_poisson(r, 3.5); }
    /* Something else in between, then the same coordinates again. */
    r = rng_gsl_at(g, &k, RNG_QUALITY, 7, 11, 0);
    for (int i = 0; i < 10; i++) (void)gsl_ran_gaussian(r, 1.0);
    r = rng_gsl_at(g, &k, RNG_ENTRY, 42, 11, 3);
    for (int i = 0; i < N; i++) { b[i] = gsl_ran_gaussian(r, 2.0); pb[i] = gsl_ran_poisson(r, 3.5); }
    CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
    CU_ASSERT_EQUAL(memcmp(pa, pb, sizeof pa), 0);
    /* A second adapter (another thread's) agrees. */
    rng_gsl *g2 = rng_gsl_alloc();
    CU_ASSERT_FATAL(g2 != NULL);
    r = rng_gsl_at(g2, &k, RNG_ENTRY, 42, 11, 3);
    for (int i = 0; i < N; i++) { b[i] = gsl_ran_gaussian(r, 2.0); pb[i] = gsl_ran_poisson(r, 3.5); }
    CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
    CU_ASSERT_EQUAL(memcmp(pa, pb, sizeof pa), 0);
    /* Other ids, months, subs and streams give other sequences. */
    struct { rng_stream s; uint64_t id; uint32_t m, sub; } other[] = {
        {RNG_ENTRY, 43, 11, 3}, {RNG_ENTRY, 42, 12, 3}, {RNG_ENTRY, 42, 11, 4}, {RNG_QUALITY, 42, 11, 3}};
    for (size_t j = 0; j < sizeof other / sizeof other[0]; j++) {
        r = rng_gsl_at(g, &k, other[j].s, other[j].id, other[j].m, other[j].sub);
        int differ = 0;
        for (int i = 0; i < N; i++) { if (gsl_ran_gaussian(r, 2.0) != a[i]) differ++; (void)gsl_ran_poisson(r, 3.5); }
        CU_ASSERT(differ > N / 2);
    }
    rng_gsl_free(g2);
    rng_gsl_free(g);
}

/* The adapter draws the words of rng_block(draw = 0, 1, 2, ...) in turn (the
 * draw word is the adapter's counter), last word first (Random123's
 * GSL_MICRORNG). This pins the adapter's layout as test_u01_pinned pins ours. */
static void test_gsl_words(void)
{
    rng_keys k;
    rng_keys_init(&k, 5);
    rng_gsl *g = rng_gsl_alloc();
    CU_ASSERT_FATAL(g != NULL);
    gsl_rng *r = rng_gsl_at(g, &k, RNG_BAILOUT, 123456789, 40, 9);
    for (uint32_t d = 0; d < 3; d++) {
        philox4x32_ctr_t blk = rng_block(&k, RNG_BAILOUT, 123456789, 40, 9, d);
        for (int j = 3; j >= 0; j--) CU_ASSERT_EQUAL(gsl_rng_get(r), (unsigned long)blk.v[j]);
    }
    rng_gsl_free(g);
}

/* Mean of 1e5 Poisson(3.5) draws, one per id: within 4 standard errors. */
static void test_gsl_poisson_mean(void)
{
    enum { N = 100000 };
    const double lambda = 3.5;
    rng_keys k;
    rng_keys_init(&k, 2035);
    rng_gsl *g = rng_gsl_alloc();
    CU_ASSERT_FATAL(g != NULL);
    double sum = 0, sum_g = 0, sum_g2 = 0;
    for (int i = 0; i < N; i++) {
        gsl_rng *r = rng_gsl_at(g, &k, RNG_ENTRY, (uint64_t)i, 0, 0);
        sum += gsl_ran_poisson(r, lambda);
        r = rng_gsl_at(g, &k, RNG_QUALITY, (uint64_t)i, 0, 0);
        double z = gsl_ran_ugaussian(r);
        sum_g += z;
        sum_g2 += z * z;
    }
    double mean = sum / N, se = sqrt(lambda / N);
    if (!(fabs(mean - lambda) < 4 * se)) fprintf(stderr, "\n  Poisson mean %.5f, expected %.1f +- %.5f\n", mean, lambda, 4 * se);
    CU_ASSERT(fabs(mean - lambda) < 4 * se);
    /* Standard normal: mean 0 (se 1/sqrt(N)), variance 1 (se sqrt(2/N)). */
    double mg = sum_g / N, vg = sum_g2 / N - mg * mg;
    CU_ASSERT(fabs(mg) < 4.0 / sqrt((double)N));
    CU_ASSERT(fabs(vg - 1.0) < 4.0 * sqrt(2.0 / N));
    rng_gsl_free(g);
}

int main(void)
{
    static const tu_test tests[] = {
        {"Philox4x32-10 known answers (Random123 kat_vectors)", test_philox_kat},
        {"rng_block counter layout reproduces the known answers", test_rng_block_layout_kat},
        {"pinned stream keys for seeds 0 and 42", test_keys_pinned},
        {"pinned uniforms (regression KAT of the stream layout)", test_u01_pinned},
        {"keys: same seed same keys, distinct streams and seeds distinct", test_keys_distinct},
        {"purity: a draw depends only on its coordinates", test_purity},
        {"streams pairwise uncorrelated (200000 ids)", test_streams_independent},
        {"neighbouring ids, months, sub, draw, pair halves, seeds uncorrelated", test_neighbours_independent},
        {"chi-square uniformity on 100 bins, 1e6 draws", test_uniformity},
        {"bits to double stays in the open interval (0, 1)", test_open_interval},
        {"GSL adapter reproducible per coordinates, different across them", test_gsl_reproducible},
        {"GSL adapter draws the Philox block words in order", test_gsl_words},
        {"GSL Poisson(3.5) and Gaussian moments across ids", test_gsl_poisson_mean},
        {NULL, NULL},
    };
    return tu_run_suite("rng", tests);
}
