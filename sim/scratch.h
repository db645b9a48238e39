/* scratch.h - the named slots of the per-thread node scratch
 * (thread_scratch.node_sum, world.h): SCRATCH_NODE_SLOTS int64 values per
 * node, carved differently by each phase that sums over agents per node.
 * One phase uses the scratch at a time (zeroing it first), so the layouts
 * may overlap; each must fit in SCRATCH_NODE_SLOTS, which the static_asserts
 * below check at compile time (docs/design.md "The state"). */
#ifndef INC_SCRATCH_H
#define INC_SCRATCH_H

#include <assert.h>
#include <stdint.h>

/* int64 slots per node in thread_scratch.node_sum (world.c allocates
 * n_nodes * SCRATCH_NODE_SLOTS per thread). */
#define SCRATCH_NODE_SLOTS 16

/* stats.c, stats_aggregate: node slot = n * AG_SLOTS + AG_*. */
enum {
    AG_RES = 0, AG_EMP, AG_UNEMP, AG_HUKOU, AG_WAGE, AG_MIGR, AG_TRAIN,
    AG_EMP_TIER = 8,        /* + tier: employed (4 slots) */
    AG_MIGR_EMP = 12,       /* employed migrants (hukou elsewhere) */
    AG_MIGR_WAGE = 13,      /* their wages, fen */
    AG_SLOTS = 16
};
static_assert(AG_EMP_TIER + 4 <= AG_MIGR_EMP && AG_MIGR_WAGE < AG_SLOTS && AG_SLOTS <= SCRATCH_NODE_SLOTS,
              "stats.c's node slots do not fit thread_scratch.node_sum");

/* finance.c: node slot = n * FN_SLOTS + FN_*. */
enum { FN_LG_REVENUE = 0, FN_LG_SPENDING = 1, FN_CENTRAL_REVENUE = 2, FN_SUBSIDIES = 3, FN_SLOTS = 8 };
static_assert(FN_SUBSIDIES < FN_SLOTS && FN_SLOTS <= SCRATCH_NODE_SLOTS, "finance.c's node slots do not fit thread_scratch.node_sum");

/* land.c: node slot = n * LD_SLOTS + LD_*. */
enum { LD_RESIDENTS = 0, LD_FIRM_EMP = 1, LD_PAID = 2, LD_FORGONE = 3, LD_SLOTS = 16 };
static_assert(LD_FORGONE < LD_SLOTS && LD_SLOTS <= SCRATCH_NODE_SLOTS, "land.c's node slots do not fit thread_scratch.node_sum");

/* skills.c: node slot = n * SK_SLOTS + SK_*. */
enum {
    SK_TRAINEE_MONTHS = 0, /* trainee-months paid this month */
    SK_ENROL = 1,          /* new trainees */
    SK_UPGRADE = 2,        /* trainees moving up a tier */
    SK_ENTRANT = 3,        /* + tier: young entrants by hukou node and tier (4 slots) */
    SK_CONTINUING = 7,     /* pass 1: trainees still in training after this month */
    SK_ELIGIBLE = 8,       /* pass 1: workers who may enrol this month */
    SK_SLOTS = 16
};
static_assert(SK_ENTRANT + 4 <= SK_CONTINUING && SK_ELIGIBLE < SK_SLOTS && SK_SLOTS <= SCRATCH_NODE_SLOTS,
              "skills.c's node slots do not fit thread_scratch.node_sum");

/* entry.c, the census: thread 0's scratch as [N * 4] vacancies then [N * 4]
 * hires by node and minimum tier (ENTRY_SLOTS int64 per node in all). */
#define ENTRY_SLOTS (2 * 4)
static_assert(ENTRY_SLOTS <= SCRATCH_NODE_SLOTS, "entry.c's census does not fit thread_scratch.node_sum");

/* labour.c, the search lists' counting sort: thread 0's scratch as [N * 4]
 * int32 counters by node and minimum tier. */
#define LABOUR_COUNT_BYTES (4 * sizeof(int32_t))
static_assert(LABOUR_COUNT_BYTES <= SCRATCH_NODE_SLOTS * sizeof(int64_t),
              "labour.c's counters do not fit thread_scratch.node_sum");

/* goods.c, workers' domestic spending: [N] per node, then the national
 * housing pot at [N] (N + 1 <= 2 * N int64 values). */
#define GOODS_SLOTS 2
static_assert(GOODS_SLOTS <= SCRATCH_NODE_SLOTS, "goods.c's node slots do not fit thread_scratch.node_sum");

#endif
