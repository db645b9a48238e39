/* tables.h - the node and sector tables of a scenario (the CSV files named by
 * data.nodes and data.sectors; docs/data.md): their rows, loading and
 * checking them, lists of their names, and how many worker agents it takes to
 * give every node one. */
#ifndef INC_TABLES_H
#define INC_TABLES_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

#define SC_NAME_LEN 48
#define SC_MAX_NODES 1024
#define SC_MAX_SECTORS 32
#define SC_TIERS 4

enum { NODE_CITY = 0, NODE_REST = 1, NODE_RURAL = 2 };
enum { REGION_EAST = 0, REGION_CENTRAL = 1, REGION_WEST = 2, REGION_NORTHEAST = 3, REGION_COUNT = 4 };

/* One row of the node CSV (docs/model.md 1). Units as named. */
typedef struct {
    char name[SC_NAME_LEN];
    int kind;              /* NODE_CITY, NODE_REST, NODE_RURAL */
    int region;            /* REGION_* */
    int coastal;           /* 0 or 1 */
    double lat, lon;       /* degrees */
    double population;     /* persons, start of run */
    double gdp_per_capita; /* yuan/year, start of run */
    double min_wage;       /* yuan/month */
    double amenity;        /* utility units */
    double land_price;     /* index, 1 = national reference */
    double land_elasticity;/* land supply elasticity (docs/model.md 13) */
    double migrant_share;  /* share of the node's workers whose hukou is elsewhere */
} sc_node;

/* One row of the sector CSV (docs/model.md 2). Shares are fractions. */
typedef struct {
    char name[SC_NAME_LEN];
    double alpha;          /* capital share */
    int min_tier;          /* 0..3, minimum education tier hired */
    double rd_share;       /* R&D / revenue */
    double lambda;         /* tech-transfer speed, 1/month */
    double exposure;       /* foreign share of the sector's technology */
    double export_share;   /* share of exports */
    double consumer_share; /* consumer budget share */
    double investment_share;  /* share in the investment-goods basket */
    double procurement_share; /* share in government procurement */
    double employment_share;  /* initial share of urban employment */
    int tradable;          /* 0 = local services (clears per node) */
    int hard_tech;         /* one of the six hard-tech sectors */
    int agriculture;       /* agriculture: rural nodes only */
} sc_sector;

/* Both tables and their files' verbatim text (for the resolved scenario). */
typedef struct {
    sc_node *nodes;        /* n_nodes rows */
    int n_nodes;
    sc_sector *sectors;    /* n_sectors rows */
    int n_sectors;
    char *nodes_text, *sectors_text;
} sc_tables;

/* Load the node CSV at nodes_path and the sector CSV at sectors_path into t
 * (overwritten). `*_ctx` say where each path was set (start of I/O messages).
 * Checks every value's range, unique names, a source on every row, sector
 * shares summing to 1 and at least one local (non-tradable) sector. Returns
 * INC_OK, INC_ERR_IO, INC_ERR_PARSE, INC_ERR_RANGE or INC_ERR_NOMEM with a
 * message naming file:line:column; t is empty on error. */
inc_status tables_load(sc_tables *t, const char *nodes_path, const char *sectors_path, const char *nodes_ctx,
                       const char *sectors_ctx, inc_err *e);

/* Free what t holds and zero it (twice is harmless). */
void tables_free(sc_tables *t);

/* Match a comma-separated list of names ("none" or empty: no names; blanks
 * around names ignored) against the names of the n rows whose name fields are
 * at names, names + stride, ... (e.g. &nodes[0].name, sizeof(sc_node)).
 * Marks mask[k] = 1 for each row listed when mask is not NULL (the caller
 * zeroes it). Returns the number of names, or -1 if one is not in the table;
 * it is then copied to bad (badn bytes). */
int tables_match_list(const char *names, size_t stride, int n, const char *list, uint8_t *mask, char *bad,
                      size_t badn);

/* The table name nearest to `bad` (edit distance <= 3), or NULL. */
const char *tables_nearest_name(const char *names, size_t stride, int n, const char *bad);

/* Split total (>= 0) into n parts proportional to weights (>= 0) by largest
 * remainder, so that the parts sum exactly to total; all 0 if the weights sum
 * to 0. Ties go to the lowest index. How world_init gives worker agents to
 * nodes by population. */
void tables_apportion(int64_t total, const double *weights, int n, int64_t *out);

/* The fewest worker agents W such that tables_apportion by population gives
 * every one of the n nodes at least one agent for W and every count above it
 * (so a run with fewer leaves a node empty). *smallest (if not NULL) is the
 * index of the least populous node. 1 if n <= 0. */
int64_t tables_min_workers(const sc_node *nodes, int n, int *smallest);

#endif
