/* stats.h - the month's output values (the table of outputs.def) and the phase
 * that computes them from the state (docs/model.md 16).
 *
 * A stats_t holds one month: for each OUTPUT row a buffer of 1 (national),
 * n_nodes (node) or n_nodes*n_sectors (node-sector, row-major node then sector)
 * values; F64 rows use f[], I64 rows use i[]. */
#ifndef INC_STATS_H
#define INC_STATS_H

#include <stdint.h>
#include <stdio.h>
#include "status.h"

/* Bins of the wage histogram the Gini is computed from (stats.c): log-spaced
 * bins of 1% width from 1 yuan. The histogram scratch (world.hist and
 * thread_scratch.hist) holds 2 * GINI_BINS values: counts, then wage sums. */
#define GINI_BINS 1600

typedef enum { OUT_NATIONAL = 0, OUT_NODE = 1, OUT_NODE_SECTOR = 2 } out_group;
typedef enum { OUT_F64 = 0, OUT_I64 = 1 } out_type;

typedef enum {
#define OUTPUT(group, name, type, units, desc) OUT_##group##_##name,
#include "outputs.def"
#undef OUTPUT
    OUT_COUNT
} out_id;

/* One row of the output table. */
typedef struct {
    out_group group;
    out_type type;
    const char *name;   /* dataset name inside its group */
    const char *units;
    const char *description;
} out_info;

/* The table, OUT_COUNT rows in outputs.def order. */
extern const out_info stats_table[OUT_COUNT];

/* Group name as used in the HDF5 file: "national", "node", "node_sector". */
const char *stats_group_name(out_group g);

typedef struct {
    int n_nodes, n_sectors;
    double *f[OUT_COUNT];   /* F64 rows: values; NULL for I64 rows */
    int64_t *i[OUT_COUNT];  /* I64 rows: values; NULL for F64 rows */
} stats_t;

/* Number of values of a row for the given dimensions. */
size_t stats_row_len(out_group g, int n_nodes, int n_sectors);

/* Allocate buffers for one month. Returns NULL when out of memory. */
stats_t *stats_alloc(int n_nodes, int n_sectors);
void stats_free(stats_t *s);
/* Set every value to 0. */
void stats_clear(stats_t *s);

struct world;
/* Fill s from the world's state and the month's tallies (the last phase of the
 * month, after the audit). residual is the audit's discrepancy in fen. The
 * wage Gini comes from the histogram of the last stats_aggregate, so call
 * stats_aggregate first with no change to wages or employment in between. */
void stats_compute(struct world *w, stats_t *s, int64_t residual);



/* Recompute the node aggregates the model reads next month (residents,
 * employment, unemployment rates, wage sums and indices, agglomeration,
 * weighted residents, the price level, and the wage histogram of
 * stats_compute's Gini) from the agent state. Called once after
 * world_init and at the end of every month. Exact integer reductions. */
void stats_aggregate(struct world *w);

/* Lookup tables that give the wage Gini's histogram bin of a wage without a
 * log per worker (stats.c), built once per world from the log formula itself.
 * stats_wage_bins_alloc returns NULL when out of memory. */
typedef struct wage_bins wage_bins;
wage_bins *stats_wage_bins_alloc(void);
void stats_wage_bins_free(wage_bins *wb);

#endif
