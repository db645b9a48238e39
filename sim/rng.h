/* rng.h - counter-based random numbers keyed by (seed, stream, agent id, month, draw).
 *
 * docs/design.md "Randomness": every draw is a pure function of its coordinates, via
 * Random123's Philox4x32-10. Nothing is stored per agent, so a draw never depends
 * on the thread that makes it, on the order of the loop, or on whether another
 * phase drew more or fewer numbers. The seed is hashed (SplitMix64) into one key
 * per stream, so seed 0 is as good as any other and streams are independent.
 *
 * Counter layout: {id low 32 bits, id high 32 bits, month << 8 | sub, draw}.
 * `sub` (0..255) separates several uses of one stream by one agent in one month.
 * GSL distributions draw through an adapter (rng_gsl_at) that uses the draw word
 * as its own counter, so a (stream, id, month, sub) used through GSL must not also
 * be used through rng_u01. */
#ifndef INC_RNG_H
#define INC_RNG_H

#include <stdint.h>
#include <Random123/philox.h>
#include <gsl/gsl_rng.h>

/* One stream per purpose. Append new streams at the end: existing streams keep
 * their keys, so adding a phase never shifts another phase's draws. */
typedef enum {
    RNG_INIT_WORKER = 0, /* initial worker attributes */
    RNG_INIT_FIRM,       /* initial firm attributes */
    RNG_SEPARATION,      /* quits and layoffs */
    RNG_SEARCH,          /* which firm a searcher applies to */
    RNG_HIRE,            /* whether an applicant is hired */
    RNG_ENTRY,           /* number of potential entrants per node-sector */
    RNG_QUALITY,         /* entrant quality and productivity */
    RNG_MIGRATION,       /* migration decisions (docs/model.md 11) */
    RNG_INNOVATION,      /* R&D success (docs/model.md 9) */
    RNG_SKILLS,          /* training and cohort turnover (docs/model.md 12) */
    RNG_BAILOUT,         /* soft budget constraint draws (docs/model.md 8) */
    RNG_PICK,            /* little-giant selection noise (docs/model.md 10) */
    RNG_NSTREAMS
} rng_stream;

/* Per-stream Philox keys derived from one seed. Plain data: copy freely. */
typedef struct {
    uint64_t seed;
    philox4x32_key_t key[RNG_NSTREAMS];
} rng_keys;

/* Derive the keys of every stream from seed (any value, 0 included). */
void rng_keys_init(rng_keys *k, uint64_t seed);

/* Four raw 32-bit words at (stream, id, month, sub, draw). */
static inline philox4x32_ctr_t rng_block(const rng_keys *k, rng_stream s, uint64_t id,
                                         uint32_t month, uint32_t sub, uint32_t draw)
{
    philox4x32_ctr_t c = {{(uint32_t)id, (uint32_t)(id >> 32), (month << 8) | (sub & 0xffu), draw}};
    return philox4x32(c, k->key[s]);
}

/* Map 64 random bits to a double uniform on the open interval (0, 1): the top
 * 52 bits plus one half, times 2^-52, so the largest value 1 - 2^-53 is exact
 * (with 53 bits the half would round up to exactly 1). */
static inline double rng_bits_to_u01(uint64_t x)
{
    return ((double)(x >> 12) + 0.5) * (1.0 / 4503599627370496.0);
}

/* Two independent uniforms on (0, 1) from one Philox call: u[0], u[1]. */
static inline void rng_u01x2(const rng_keys *k, rng_stream s, uint64_t id, uint32_t month,
                             uint32_t sub, uint32_t draw, double u[2])
{
    philox4x32_ctr_t r = rng_block(k, s, id, month, sub, draw);
    u[0] = rng_bits_to_u01(((uint64_t)r.v[0] << 32) | r.v[1]);
    u[1] = rng_bits_to_u01(((uint64_t)r.v[2] << 32) | r.v[3]);
}

/* One uniform on (0, 1). */
static inline double rng_u01(const rng_keys *k, rng_stream s, uint64_t id, uint32_t month,
                             uint32_t sub, uint32_t draw)
{
    philox4x32_ctr_t r = rng_block(k, s, id, month, sub, draw);
    return rng_bits_to_u01(((uint64_t)r.v[0] << 32) | r.v[1]);
}

/* A GSL generator positioned at (stream, id, month, sub): successive gsl_ran_*
 * calls on the returned gsl_rng draw successive words of that coordinate. One
 * rng_gsl per thread (scratch); allocate once, outside the monthly loop.
 * rng_gsl_alloc returns NULL when out of memory. */
typedef struct rng_gsl rng_gsl;
rng_gsl *rng_gsl_alloc(void);
void rng_gsl_free(rng_gsl *g);
gsl_rng *rng_gsl_at(rng_gsl *g, const rng_keys *k, rng_stream s, uint64_t id, uint32_t month,
                    uint32_t sub);

#endif
