/* world.h - the whole state of one simulated economy.
 *
 * docs/design.md "The state": agents are structures of arrays, one contiguous column
 * per field, in the smallest type that holds the range; an employer is an index,
 * never a pointer. Everything hangs off one `world` passed to every phase: no
 * globals, so two worlds in one process never see each other.
 *
 * Units: money in int64 fen per agent (a worker agent's wage is one person's
 * wage; aggregate model sums times persons_per_agent give real-world totals).
 * Real quantities (output, capital, inventories) are doubles in 2019 yuan. */
#ifndef INC_WORLD_H
#define INC_WORLD_H

#include <stdint.h>
#include <stddef.h>
#include "scenario.h"
#include "rng.h"
#include "ledger.h"
#include "stats.h"
#include "status.h"
#include "scratch.h"

/* Skill units are fixed point: h * 2^16, so sums over workers are exact integers
 * and do not depend on summation order (docs/design.md "Parallelism"). */
#define SKILL_ONE 65536
/* Block of agents for floating-point partial sums: fixed, independent of the
 * number of threads, partials added in block order. */
#define WORLD_BLOCK 8192
/* Chunk of the worker loops' static schedule (iterations). Workers are stored
 * node by node and urban workers cost more per month than rural ones, so one
 * contiguous range per thread leaves some threads idle at the loop's end;
 * chunks dealt round-robin give each thread a mix. Safe for any loop whose
 * result is already the same for every thread count (exact integer partials,
 * draws keyed by agent). */
#define WORLD_CHUNK 4096
/* Workers ahead whose firm a worker loop prefetches (world_ahead). */
#define WORLD_PREFETCH 16

/* The worker WORLD_PREFETCH iterations after i in i's chunk of a loop over n
 * workers under schedule(static, WORLD_CHUNK), or -1. The same thread runs the
 * whole chunk, so the loop may read that worker's columns: loops whose workers
 * lead to random firm slots prefetch them this far ahead (results unchanged;
 * the hardware cannot guess those addresses). */
static inline long world_ahead(long i, long n)
{
    long j = i + WORLD_PREFETCH, end = (i / WORLD_CHUNK + 1) * WORLD_CHUNK;
    return j < n && j < end ? j : -1;
}

/* Worker flags. */
enum { WF_SEARCHING = 1, WF_HIRED_NOW = 2 };

/* Workers: docs/model.md 3; the columns are the STATE_WORKER lines of state.def. */
typedef struct {
    size_t n;            /* worker agents */
#define STATE_WORKER(name, type, units, save, description) type *name;
#include "state.def"
} workers_t;

/* Firm flags. */
enum {
    FF_ALIVE = 1, FF_STATE = 2, FF_LITTLE_GIANT = 4, FF_WANNABE = 8, FF_SHELL = 16,
    FF_ZOMBIE = 32, FF_NEW = 64, FF_BANKRUPT = 128, FF_CLOSING = 256,
    FF_TARGET = 512  /* entered as a target firm of the incentives (docs/model.md 10) */
};

/* Firms: docs/model.md 3. Slot i is a firm id; dead slots are reused
 * lowest-first. The columns are the STATE_FIRM lines of state.def. */
typedef struct {
    size_t n;            /* slots in use (high-water mark) */
    size_t cap;          /* slots allocated; grows when full (world_firm_new) */
#define STATE_FIRM(name, type, units, save, description) type *name;
#include "state.def"
    int32_t *free_list;  /* [cap] dead slots, highest first so the last is the lowest */
    size_t n_free;
    int grow_failed;     /* 1: world_firm_new could not grow the arrays (out of memory); sim_month stops the run */
} firms_t;

/* Markets: tradable sector s is market s (national); local services sector s
 * in node n is market S + n*S + s. The columns are the STATE_MARKET lines of
 * state.def. */
typedef struct {
    int n_markets;
#define STATE_MARKET(name, type, units, save, description) type *name;
#include "state.def"
    double export_real[SC_MAX_SECTORS]; /* foreign real demand per sector */
    double invest_basket_price; /* price of the investment basket p_K */
} market_t;

/* Per-node aggregates, recomputed each month (stats of last month feed
 * plans), tallies of the month and what the initial state fixed. The columns
 * are the STATE_NODE lines of state.def; dim N is [n], NS [n*S], NT [n*4],
 * NN [n*n]. */
typedef struct {
#define STATE_NODE(name, type, dim, units, save, description) type *name;
#include "state.def"
} nodes_t;

/* Aggregate account layout in ledger.agg. */
typedef struct {
    int owners;    /* + node */
    int localgov;  /* + node */
    int central;
    int row;       /* rest of world */
    int clearing;  /* + market */
    int pot;       /* + node: workers' consumer pot, split across markets (goods.c) */
    int housing;   /* workers' housing pot (one: the investment basket is all tradable), split across markets (goods.c) */
    int count;
} acct_layout;

/* Per-thread scratch of the phases, allocated once (no allocation in the
 * monthly loop). Padded per thread. */
typedef struct {
    int64_t *market_sum;  /* [n_markets] integer partials */
    int64_t *node_sum;    /* [n_nodes * SCRATCH_NODE_SLOTS] integer partials; slots named in scratch.h */
    double *ns_real;      /* [n_nodes * n_sectors * 2] real scratch (serial use) */
    int64_t *hist;        /* [2 * GINI_BINS] wage histogram partials (stats.c) */
    int64_t *tier_sum;    /* [n_nodes * 3 * 4] per-tier partials (stats.c) */
    int64_t *firm_sum;    /* [firm capacity] per-firm integer partials, all zero between uses (labour.c, world_check) */
    int32_t *firm_count;  /* [firm capacity] per-firm counts, all zero between uses (labour.c, world_check) */
    rng_gsl *gsl;
    char pad[64];
} thread_scratch;

/* The labour market's search lists (labour.c), rebuilt each month: per node,
 * the firms with vacancies ordered by their sector's minimum tier, so that the
 * firms a tier-e searcher may apply to are a prefix; cumulative weights
 * vacancies * (offer / mean offer)^sigma_w (docs/model.md 6). */
typedef struct {
    int32_t *firms;     /* [firm capacity] */
    double *cum;        /* [firm capacity] cumulative weights within a node */
    int32_t *start;     /* [n_nodes + 1] */
    int32_t *tier_end;  /* [n_nodes * 4] end of the prefix open to each tier */
    uint8_t *firm_bits; /* [firm capacity] LB_* of each firm this month (labour_run) */
    /* Guide to the binary search (labour_pick): node n's list of G firms has
     * G + 1 entries from guide[start[n] + n], entry j the first k whose cum
     * exceeds j / G of the node's total weight; guide_scale[n] = G / total,
     * 0 where the weights are not finite and positive (no guide). */
    int32_t *guide;      /* [firm capacity + n_nodes + 1] */
    double *guide_scale; /* [n_nodes] */
} search_lists;

/* search_lists.firm_bits: what the separation step needs of a worker's firm,
 * one byte per firm, so the per-worker lookup stays in cache. */
enum { LB_FARM = 1, LB_LAYOFF = 2 };

/* A little-giant candidate and its score (giants.c scratch). */
typedef struct {
    double score;
    int32_t id;
} firm_score;

/* The registry of the state (checkpoint.c saves and restores it; snapshots
 * write its agent columns): every CKPT column and every scalar of state.def,
 * recorded where it is allocated (world.c), so a line added to state.def is
 * checkpointed without more code. Scalars come first, so that fm.n is
 * restored before the firm columns whose length it gives. */
#define WORLD_MAX_ARRAYS 192
typedef struct {
    const char *name; /* "group/field": workers/, firms/, nodes/, market/ or scalars/ */
    void **ptr;       /* address of the array pointer; NULL for a scalar */
    void *addr;       /* a scalar's address (when ptr is NULL) */
    size_t elem;      /* bytes per element (a scalar: its whole size) */
    size_t count;     /* elements (ignored when per_firm) */
    int per_firm;     /* 1: a firm column, saved for the fm.n slots in use */
    int column;       /* 1: a worker or firm column (snapshots write these) */
    char kind;        /* 'i' signed integer, 'u' unsigned integer, 'f' floating point, '?' other */
} state_array;
/* The kind of an element type, for state_array.kind. */
#define STATE_KIND(x) _Generic((x), uint8_t: 'u', uint16_t: 'u', uint32_t: 'u', uint64_t: 'u', int8_t: 'i', \
                               int16_t: 'i', int32_t: 'i', int64_t: 'i', float: 'f', double: 'f', default: '?')
typedef struct {
    state_array a[WORLD_MAX_ARRAYS];
    int n;
} state_registry;

typedef struct world {
    const scenario *sc;
    const sc_params *p;     /* scenario values as written */
    const sc_params *m;     /* with annual rates made monthly */
    int n_nodes, n_sectors;
    int months;             /* months to simulate */
    int n_threads;
    double scale;           /* persons per agent */
    int64_t skill_of[SC_TIERS]; /* skill units of each education tier (world_skill_of_tier) */
    rng_keys rk;
    workers_t wk;
    firms_t fm;
    market_t mk;
    nodes_t nd;
    acct_layout acc;
    ledger L;
    thread_scratch *ts;
    search_lists sl;
    state_registry reg;     /* arrays to checkpoint */
    struct migration_state *mig; /* distances, moving costs, gravity tables (migration.h) */
    int64_t *hist;          /* [2 * GINI_BINS] wage histogram scratch (stats.c) */
    wage_bins *wbins;       /* wage histogram bin tables (stats.c) */
    firm_score *pick;       /* [firm capacity] little-giant candidates (giants.c scratch) */
    uint8_t sector_target[SC_MAX_SECTORS]; /* 1 = target sector of the incentives (from the scenario) */
    /* The world's own scalars: the STATE_WORLD and STATE_WORLD_ARRAY lines
     * of state.def (t, calendar, the national state, month tallies). */
#define STATE_WORLD(name, type, units, description) type name;
#define STATE_WORLD_ARRAY(name, type, len, units, description) type name[len];
#include "state.def"
} world;

/* Build the initial state of a scenario (docs/model.md 3, 15 initial
 * conditions; init.c): workers per node from population shares, hukou,
 * education tiers, firms with Pareto sizes, prices, money stocks and debts.
 * threads is the OpenMP thread count the run will use (for per-thread
 * scratch). workers overrides the number of worker agents when > 0 (persons_per_agent then follows from labour_force).
 * Returns INC_ERR_NOMEM or INC_ERR_RANGE (a scenario that gives no workers or no
 * firms) with a message; on failure *w is freed. */
inc_status world_init(world *w, const scenario *sc, int threads, int64_t workers, inc_err *e);

/* Allocate the state of a scenario (world.c), all zero: every column of
 * state.def for n_workers workers and firm_cap firm slots, registered; the
 * search lists, the ledger, the per-thread scratch and the migration tables.
 * Sets sc, p, m, n_nodes, n_sectors, n_threads and the account layout;
 * world_init fills the rest. INC_ERR_NOMEM (or INC_ERR_RANGE when state.def
 * outgrows WORLD_MAX_ARRAYS) with *w freed on failure. */
inc_status world_alloc(world *w, const scenario *sc, int threads, size_t n_workers, size_t firm_cap, inc_err *e);
void world_free(world *w);

/* Length of a node column of dimension dim (state.def): n, n*S, n*4 or n*n. */
typedef enum { STATE_DIM_N, STATE_DIM_NS, STATE_DIM_NT, STATE_DIM_NN } state_dim;
size_t world_node_dim(const world *w, state_dim dim);
/* Elements of a registered entry now (firm columns: fm.n; a scalar: 1) and
 * where its bytes are. */
size_t world_state_count(const world *w, const state_array *a);
void *world_state_data(const state_array *a);

/* Bytes of world state per worker agent: the STATE_WORKER columns. */
double world_bytes_per_worker(const world *w);
/* Bytes per firm slot: the STATE_FIRM columns, the free list and the
 * per-firm scratch (search lists, little-giant candidates, each thread's
 * firm partials and deferred deposits). */
size_t world_bytes_per_firm_slot(const world *w);

/* Integrity check in SQLite's manner (integrity_check): collects up to
 * WORLD_CHECK_MAX_ERRORS errors, each naming the worker, firm, market or node
 * and the field, then fails with all of them and the count. It checks:
 * every employed worker's employer is a live firm slot (< fm.n) in the
 * worker's node; every live firm's ln_a, capital, expected, expected_k,
 * inventory, output and offer are finite and its deposits are not negative;
 * every live firm's employees, skilled (tier >= 2) and skill (SKILL_ONE
 * units) equal the counts recomputed from the workers that name it as
 * employer, firm by firm; the totals of employees and skill over live firms
 * equal those over employed workers; every market price is finite and
 * positive; every node's unemployment rate is in [0, 1]. Returns INC_OK or
 * INC_ERR_NUMERIC with a message naming the month. Uses each thread's
 * firm_count and firm_sum scratch (left zero). */
#define WORLD_CHECK_MAX_ERRORS 10
inc_status world_check(const world *w, inc_err *e);

/* The check sim_month runs every month: world_check in the Debug and
 * sanitizer builds; in optimised builds (NDEBUG) the same without the
 * per-firm recount (the totals still catch any mismatch that does not
 * cancel), which costs one parallel pass over workers and one over firms. */
#if !defined(NDEBUG) || defined(__SANITIZE_ADDRESS__)
#define WORLD_CHECK_PER_FIRM_EVERY_MONTH 1
#else
#define WORLD_CHECK_PER_FIRM_EVERY_MONTH 0
#endif
inc_status world_check_month(const world *w, inc_err *e);

/* Market index of sector s for a buyer or seller in node n. */
static inline int world_market(const world *w, int n, int s)
{
    return w->sc->sectors[s].tradable ? s : w->n_sectors + n * w->n_sectors + s;
}

/* Account references. */
static inline acct acct_worker(size_t i) { acct a = {ACC_WORKER, (uint32_t)i}; return a; }
static inline acct acct_firm(int32_t f) { acct a = {ACC_FIRM, (uint32_t)f}; return a; }
static inline acct acct_agg(int k) { acct a = {ACC_AGG, (uint32_t)k}; return a; }
static inline acct acct_owners(const world *w, int n) { return acct_agg(w->acc.owners + n); }
static inline acct acct_localgov(const world *w, int n) { return acct_agg(w->acc.localgov + n); }
static inline acct acct_central(const world *w) { return acct_agg(w->acc.central); }
static inline acct acct_row(const world *w) { return acct_agg(w->acc.row); }
static inline acct acct_clearing(const world *w, int market) { return acct_agg(w->acc.clearing + market); }

/* Whether node n hosts sector s: agriculture only in rural nodes; rural
 * nodes host agriculture and the local (non-tradable) services; urban nodes
 * every sector but agriculture (docs/model.md 2). */
int world_node_hosts(const world *w, int n, int s);

/* Skill of a tier in SKILL_ONE units: h = exp(0.09 * (years - 9)), years 6, 9,
 * 12, 15.5 (docs/model.md 3: junior middle = 1). Computed once into w->skill_of. */
static inline int64_t world_skill_of_tier(const struct world *w, int tier);

/* Allocate a firm slot (lowest free slot first, else a new one at the end,
 * growing every per-firm array when the capacity is full: world_firms_reserve);
 * zeroes its columns. Serial: call it between parallel loops only. Returns the
 * id, or -1 only when the arrays cannot grow (out of memory); fm.grow_failed
 * is then set and sim_month stops the run with INC_ERR_NOMEM. */
int32_t world_firm_new(world *w);
/* Make room for `slots` firm slots: when above fm.cap, every array sized by
 * the firm capacity (state.def firm columns, free list, search lists,
 * little-giant candidates, per-thread firm scratch, the ledger's deferred
 * firm deposits) grows to max(slots, 1.5 fm.cap + 64), new slots zero.
 * Serial; a function of the state only (deterministic). Returns 0, or -1
 * when out of memory or beyond INT32_MAX slots (fm.cap then unchanged). */
int world_firms_reserve(world *w, size_t slots);
/* Return a dead firm's slot to the free list (lowest-first order is restored
 * by world_firm_slots_sort at the end of the month). */
void world_firm_release(world *w, int32_t f);
void world_firm_slots_sort(world *w);

static inline int64_t world_skill_of_tier(const world *w, int tier) { return w->skill_of[tier]; }

#endif
