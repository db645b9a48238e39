/* rng.c - stream keys and the GSL adapter of the counter-based generator
 * (see rng.h). The adapter is Random123's own GSL_MICRORNG, so gsl_ran_*
 * distributions draw from Philox without any state that outlives a draw site. */
#include "rng.h"
#include <stdlib.h>
#include <Random123/gsl_microrng.h>

GSL_MICRORNG(inc_philox, philox4x32);

struct rng_gsl {
    gsl_rng *r;
};

/* SplitMix64 finaliser: a bijective 64-bit mix, so distinct (seed, stream)
 * pairs give distinct, unrelated keys. */
static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void rng_keys_init(rng_keys *k, uint64_t seed)
{
    k->seed = seed;
    uint64_t h = splitmix64(seed ^ 0x696e637562617465ULL); /* "incubate" */
    for (int s = 0; s < RNG_NSTREAMS; s++) {
        uint64_t v = splitmix64(h + (uint64_t)s * 0xd1b54a32d192ed03ULL);
        k->key[s].v[0] = (uint32_t)v;
        k->key[s].v[1] = (uint32_t)(v >> 32);
    }
}

rng_gsl *rng_gsl_alloc(void)
{
    rng_gsl *g = malloc(sizeof *g);
    if (!g) return NULL;
    g->r = gsl_rng_alloc(gsl_rng_inc_philox);
    if (!g->r) { free(g); return NULL; }
    return g;
}

void rng_gsl_free(rng_gsl *g)
{
    if (!g) return;
    gsl_rng_free(g->r);
    free(g);
}

gsl_rng *rng_gsl_at(rng_gsl *g, const rng_keys *k, rng_stream s, uint64_t id, uint32_t month,
                    uint32_t sub)
{
    philox4x32_ctr_t c = {{(uint32_t)id, (uint32_t)(id >> 32), (month << 8) | (sub & 0xffu), 0}};
    inc_philox_reset(g->r, c, k->key[s]);
    return g->r;
}
