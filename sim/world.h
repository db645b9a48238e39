/* world.h - the whole state of one simulated economy.
 *
 * DESIGN.md "The state": agents are structures of arrays, one contiguous column
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

/* Skill units are fixed point: h * 2^16, so sums over workers are exact integers
 * and do not depend on summation order (DESIGN.md "Parallelism"). */
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

/* Workers: MODEL.md 3. 28 bytes per worker (bench_kernel reports it). */
typedef struct {
    size_t n;            /* worker agents */
    uint16_t *node;      /* current node */
    uint16_t *hukou;     /* registration node */
    uint8_t *tier;       /* education tier 0..3 */
    uint8_t *flags;      /* WF_* */
    uint8_t *months_unemployed; /* saturates at 255 */
    uint8_t *training_left;     /* months of training left (MODEL.md 12) */
    int32_t *employer;   /* firm id, or -1 */
    int32_t *applied;    /* firm applied to this month, or -1 (labour.c scratch) */
    int32_t *wage;       /* fen/month, fixed at hiring, revised yearly */
    int64_t *savings;    /* deposits, fen */
} workers_t;

/* Firm flags. */
enum {
    FF_ALIVE = 1, FF_STATE = 2, FF_LITTLE_GIANT = 4, FF_WANNABE = 8, FF_SHELL = 16,
    FF_ZOMBIE = 32, FF_NEW = 64, FF_BANKRUPT = 128, FF_CLOSING = 256,
    FF_TARGET = 512  /* entered as a target firm of the incentives (MODEL.md 10) */
};

/* Firms: MODEL.md 3. Slot i is a firm id; dead slots are reused lowest-first. */
typedef struct {
    size_t n;            /* slots in use (high-water mark) */
    size_t cap;          /* slots allocated */
    uint16_t *node;
    uint8_t *sector;
    uint16_t *flags;     /* FF_* */
    int32_t *birth;      /* month index (since run start) of entry */
    double *q;           /* latent quality (MODEL.md 10) */
    double *ln_a;        /* ln TFP level */
    double *capital;     /* K, 2019 yuan */
    double *expected;    /* expected real sales E */
    double *expected_k;  /* the slower expectation of sales that desired capital follows (planning.c; firms.chi_capital) */
    double *inventory;   /* real */
    double *planned;     /* desired output Y* this month, real */
    double *output;      /* real output this month */
    double *sold;        /* real sales this month */
    double *offer;       /* wage offer per skill unit, fen/month */
    double *layoff_p;    /* probability an employee is laid off this month */
    double *h_eff;       /* skill units that run all capital at the cost-minimising ratio */
    double *invest;      /* investment spending planned this month, fen */
    int64_t *rd_spend;   /* R&D spending planned this month, fen (rd_share of last month's sales) */
    double *inv_change_value; /* change in inventory this month at current price, fen */
    int32_t *employees;  /* L, worker agents */
    int32_t *skilled;    /* employees of tier 2 or more (MODEL.md 9 skilled share) */
    int32_t *giant_until;/* month (w->t) until which little-giant status lasts */
    int32_t *cit_until;  /* month (w->t) until which the incentive CIT rate applies */
    int64_t *grant_left; /* fen of grant still to be paid per hire, or (shells) still to spend */
    int32_t *vacancies;
    int32_t *applications;
    int32_t *hires;
    int16_t *idle_months;/* consecutive months without workers and sales (finance.c: dormant firms close) */
    int16_t *loss_months;/* consecutive months of negative profit (finance.c: firms.loss_exit_months) */
    int64_t *skill;      /* H in SKILL_ONE units */
    int64_t *deposits;   /* fen */
    int64_t *loans;      /* fen */
    int64_t *subsidies;  /* cumulative subsidies received, fen */
    int64_t *wage_bill;  /* fen, this month */
    int64_t *revenue;    /* fen, this month */
    int64_t *profit;     /* fen, this month (before tax) */
    int32_t *free_list;  /* dead slots, highest first so the last is the lowest */
    size_t n_free;
} firms_t;

/* Markets: tradable sector s is market s (national); local services sector s
 * in node n is market S + n*S + s. */
typedef struct {
    int n_markets;
    double *price;       /* per market, yuan per 2019-yuan unit */
    double *price0;      /* start-of-run prices (real GDP) */
    double *price_prev;  /* last month's prices */
    int64_t *demand;     /* planned domestic spending this month, fen */
    double *supply;      /* real goods on offer: output + inventory */
    double *fill;        /* share of planned spending buyers can make */
    double *sell;        /* share of goods on offer that is sold */
    int64_t *receipts;   /* fen paid out to firms this month */
    double *sold_real;   /* real sales */
    double *output;      /* real output this month */
    double *wage_pass;   /* planning scratch: (price / last price)^passthrough this month */
    double export_real[SC_MAX_SECTORS]; /* foreign real demand per sector */
    double invest_basket_price; /* price of the investment basket p_K */
} market_t;

/* Per-node aggregates, recomputed each month (stats of last month feed plans). */
typedef struct {
    int64_t *residents;         /* [n] worker agents */
    int64_t *employed;          /* [n] */
    int64_t *unemployed;        /* [n] */
    int64_t *hukou_residents;   /* [n] residents with local hukou */
    int64_t *employed_tier;     /* [n*4] */
    int64_t *wage_sum;          /* [n] fen */
    int64_t *migrant_employed;  /* [n] employed residents with hukou elsewhere */
    int64_t *migrant_wage_sum;  /* [n] fen, their wages */
    double *unemployment_rate;  /* [n] */
    double *mean_offer;         /* [n] mean wage offer per skill unit, fen/month */
    double *employment_ref;     /* [n] employment at start (agglomeration) */
    double *agglomeration;      /* [n] G_n */
    double *min_wage;           /* [n] fen/month */
    double *land_price;         /* [n] index */
    double *gdp0;               /* [n] nominal GDP of the first month, fen/month */
    double *wage0;              /* [n] mean wage at start, fen/month */
    double *wage_index;         /* [n] mean wage now / wage0 (last month) */
    double *services0;          /* [n] public services per weighted resident at start, fen/month */
    double *spare_capital;      /* [n] owners' capital recovered from bankrupt firms, 2019 yuan;
                                   endows the node's next entrants (MODEL.md 8) */
    double *weighted_residents; /* [n] hukou residents + phi_services * migrants */
    int64_t *lg_revenue;        /* [n] fen this month */
    int64_t *lg_spending;       /* [n] fen this month */
    double *value_added;        /* [n*S] sales + inventory change, fen this month (goods.c) */
    double *value_added_real;   /* [n*S] the same at start-of-run prices, 2019 fen */
    int64_t *unemployed_tier;   /* [n*4] unemployed residents by tier */
    int64_t *wage_sum_tier;     /* [n*4] fen, employed residents by tier */
    int64_t *residents_tier;    /* [n*4] */
    double *skilled_share;      /* [n] employed of tier >= 2 / employed */
    double *mean_ln_a;          /* [n*S] mean ln A of alive firms (0 where none) */
    uint8_t *target;            /* [n] 1 = target node of the incentives */
    int32_t *in_migrants;       /* [n] this month */
    int32_t *out_migrants;      /* [n] this month */
    int64_t *od;                /* [n*n] movers origin*n + destination, this calendar year */
    int32_t *trainees;          /* [n] workers in training at month end */
    int64_t *subsidies;         /* [n] fen this month: grants, land discounts, tax expenditures, bail-outs */
    int32_t *wannabe_entries;   /* [n*S] this month */
    int32_t *shell_entries;     /* [n*S] this month */
    int32_t *entries;           /* [n*S] this month */
    int32_t *exits;             /* [n*S] this month */
    int32_t *bankruptcies;      /* [n*S] this month */
    /* Skills (skills.c, MODEL.md 12): tallies of this month, reset by skills_run. */
    int32_t *enrolments;        /* [n] workers who started training this month */
    int32_t *upgrades;          /* [n] trainees who finished and moved up one tier this month */
    int32_t *entrants_tier;     /* [n*4] young entrants (one per retirement) by hukou node and tier */
    int64_t *training_spending; /* [n] fen paid for trainee-months this month (in lg_spending too) */
    /* Land (land.c, MODEL.md 13). */
    int64_t *residents_prev;    /* [n] residents at the last land_run (0: none yet) */
    int64_t *firm_emp_prev;     /* [n] non-farm firm employment at the last land_run (0: none yet) */
    int64_t *land_sales;        /* [n] fen this month: land-sale revenue (in lg_revenue too) */
    int64_t *land_discounts;    /* [n] fen this month: land revenue forgone (in subsidies too) */
    /* Entry (entry.c, MODEL.md 10, 14). */
    int64_t *lg_revenue_prev;   /* [n] fen: last month's complete local government revenue (sim.c saves it
                                   before the reset; the debt-service cap on new grants) */
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
    int64_t *node_sum;    /* [n_nodes * 16] integer partials */
    double *ns_real;      /* [n_nodes * n_sectors * 2] real scratch (serial use) */
    int64_t *hist;        /* [2 * 1600] wage histogram partials (stats.c) */
    int64_t *tier_sum;    /* [n_nodes * 3 * 4] per-tier partials (stats.c) */
    int64_t *firm_sum;    /* [firm capacity] per-firm integer partials, all zero between uses (labour.c) */
    int32_t *firm_count;  /* [firm capacity] per-firm counts, all zero between uses (labour.c) */
    rng_gsl *gsl;
    char pad[64];
} thread_scratch;

/* The labour market's search lists (labour.c), rebuilt each month: per node,
 * the firms with vacancies ordered by their sector's minimum tier, so that the
 * firms a tier-e searcher may apply to are a prefix; cumulative weights
 * vacancies * (offer / mean offer)^sigma_w (MODEL.md 6). */
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

/* The registry of state arrays (checkpoint.c saves and restores them): every
 * array of workers, firms, nodes and markets, recorded where it is allocated
 * (world.c), so an array added to the state is checkpointed without more
 * code. */
#define WORLD_MAX_ARRAYS 192
typedef struct {
    const char *name; /* "group/field" */
    void **ptr;       /* address of the array pointer */
    size_t elem;      /* bytes per element */
    size_t count;     /* elements (ignored when per_firm) */
    int per_firm;     /* 1: a firm column, saved for the fm.n slots in use */
    char kind;        /* 'i' signed integer, 'u' unsigned integer, 'f' floating point */
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
    int t;                  /* current month, 0-based since start */
    int calendar;           /* current month index 12*year + month-1 */
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
    int64_t *hist;          /* [2 * 1600] wage histogram scratch (stats.c) */
    wage_bins *wbins;       /* wage histogram bin tables (stats.c) */
    firm_score *pick;       /* [firm capacity] little-giant candidates (giants.c scratch) */
    /* National state. */
    double frontier_ln_a[SC_MAX_SECTORS]; /* ln A* per sector (MODEL.md 9) */
    double export_base[SC_MAX_SECTORS];   /* foreign real demand before sanctions' export cuts */
    double sanction;        /* sanction(t) this month, 0..1 (policy.c) */
    uint8_t sector_target[SC_MAX_SECTORS]; /* 1 = target sector of the incentives */
    int policy_on;          /* the incentive regime is in force this month */
    int year_closed;        /* this month ended a calendar year (or the run): od is complete */
    double lev_factor;      /* lending tightening when bank capital is short */
    double wage_index;      /* national mean wage / start */
    double central_purchases0; /* fen/month at start */
    double price_level;     /* output-weighted price index */
    double inflation;       /* share/year: exponential moving average (bank.inflation_months) of the
                               annualised monthly log change of price_level (finance_update_inflation, once a month) */
    double r_policy;        /* share/year: this month's policy lending rate (finance_policy_rates) */
    double r_loan_m, r_deposit_m; /* monthly base lending and deposit rates this month */
    int64_t central_revenue, central_spending; /* this month, fen */
    int64_t clearing_prev;  /* clearing balances at the end of last month, fen */
    double gdp_gap;         /* |GDP by production - by expenditure| / GDP, this month */
    /* Month tallies kept for statistics. */
    double inventory_change_value; /* change in inventories this month at current prices, fen (goods.c) */
} world;

/* Build the initial state of a scenario (MODEL.md 3, 15 initial conditions):
 * workers per node from population shares, hukou, education tiers, firms with
 * Pareto sizes, prices, money stocks and debts. threads is the OpenMP thread
 * count the run will use (for per-thread scratch). workers overrides the number
 * of worker agents when > 0 (persons_per_agent then follows from labour_force).
 * Returns INC_ERR_NOMEM or INC_ERR_RANGE (a scenario that gives no workers or no
 * firms) with a message; on failure *w is freed. */
inc_status world_init(world *w, const scenario *sc, int threads, int64_t workers, inc_err *e);
void world_free(world *w);

/* Bytes of world state per worker agent (the worker columns). */
double world_bytes_per_worker(const world *w);

/* Invariants checker (SQLite style): every employed worker's employer is alive
 * and in the worker's node; employee counts match; no NaN/inf in firm reals;
 * unemployment in [0,1]. Returns INC_OK or INC_ERR_NUMERIC naming the month,
 * agent and field. */
inc_status world_check(const world *w, inc_err *e);

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
 * every sector but agriculture (MODEL.md 2). */
int world_node_hosts(const world *w, int n, int s);

/* Skill of a tier in SKILL_ONE units: h = exp(0.09 * (years - 9)), years 6, 9,
 * 12, 15.5 (MODEL.md 3: junior middle = 1). Computed once into w->skill_of. */
static inline int64_t world_skill_of_tier(const struct world *w, int tier);

/* Allocate a firm slot (lowest free slot first, else a new one at the end);
 * zeroes its columns. Returns the id, or -1 when capacity is exhausted. */
int32_t world_firm_new(world *w);
/* Return a dead firm's slot to the free list (lowest-first order is restored
 * by world_firm_slots_sort at the end of the month). */
void world_firm_release(world *w, int32_t f);
void world_firm_slots_sort(world *w);

static inline int64_t world_skill_of_tier(const world *w, int tier) { return w->skill_of[tier]; }

#endif
