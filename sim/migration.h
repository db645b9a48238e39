/* migration.h - the state of the migration phase (migration.c, docs/model.md 11)
 * that outlives a month: great-circle distances, moving costs and the gravity
 * alias tables. migration_run itself is declared in phases.h with the other
 * phases. */
#ifndef INC_MIGRATION_H
#define INC_MIGRATION_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_randist.h>
#include "status.h"

struct world;

/* Allocate w->mig and fill what depends only on the scenario: distances
 * between nodes (haversine on the node table's lat/lon, earth radius 6371 km,
 * at least 10 km between distinct nodes), moving costs c_move + c_dist * km
 * in fen, the market of each node's transport services; the arrays of the
 * gravity tables (filled by the first migration_run and each January). Called by world_alloc; INC_ERR_NOMEM
 * on failure (w->mig is then NULL). */
inc_status migration_alloc(struct world *w, inc_err *e);
/* Free w->mig (NULL is fine). Called by world_free. */
void migration_free(struct world *w);

/* Fill the alias table g (g->K cells, g->A and g->F allocated by the
 * caller) for weights p[0..K-1] (not negative, positive sum), in place: the
 * tables gsl_ran_discrete_preproc would build, bit for bit, so
 * gsl_ran_discrete and gsl_ran_discrete_pdf draw from them as from GSL's.
 * e ([K] doubles) and stack ([2K]) are scratch. No allocation, cannot fail:
 * the gravity tables are filled with it each January in arrays allocated by
 * migration_alloc. */
void migration_alias_fill(gsl_ran_discrete_t *g, const double *p, double *e, size_t *stack);

/* Distance between nodes i and j, km (0 when i == j). */
double migration_distance_km(const struct world *w, int i, int j);
/* Moving cost from node i to node j, fen (0 when i == j). */
int64_t migration_cost_fen(const struct world *w, int i, int j);

/* Probability that a gravity draw of origin n gives node j, from the tables
 * in use (gsl_ran_discrete_pdf); -1 before the first migration_run built
 * them, 0 for every j when n has no table. */
double migration_gravity_p(const struct world *w, int n, int j);

/* Checkpoints: the calendar year of the gravity tables (-1 before the first
 * build) and, in *residents (n_nodes entries, owned by the world), the
 * residents they were built from. */
int migration_table_state(const struct world *w, const int64_t **residents);
/* Rebuild the gravity tables of a checkpoint from the residents they were
 * built from, so a resumed run draws exactly as an uninterrupted one. */
void migration_restore_tables(struct world *w, int year, const int64_t *residents);

#endif
