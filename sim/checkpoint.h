/* checkpoint.h - save and restore a run's complete state (docs/design.md "Output":
 * checkpoints let a run resume bit-identically after SIGTERM).
 *
 * A checkpoint holds every registered state array of the world (world.h
 * state_registry: workers, firms, nodes, markets), the ledger, the world's
 * scalars, the migration tables' inputs, and the history of the run's
 * outputs so far (every month's stats rows and the closed years' OD
 * matrices), so that a resumed run rewrites the same output file. It is
 * written to PATH.tmp and renamed to PATH, so a checkpoint named PATH is
 * always complete, and the previous one survives a crash while writing.
 * Arrays are stored as raw bytes of this machine's layout: a checkpoint is
 * for resuming with the same program version (checked), not for exchange. */
#ifndef INC_CHECKPOINT_H
#define INC_CHECKPOINT_H

#include "world.h"
#include "stats.h"
#include "status.h"

/* The outputs of the months run so far (main keeps it as the run goes). */
typedef struct {
    int n_nodes, n_sectors;
    int capacity;        /* months allocated */
    int months;          /* months recorded */
    size_t len_f, len_i; /* values per month, F64 and I64 rows */
    double *f;           /* [capacity * len_f] */
    int64_t *i;          /* [capacity * len_i] */
    int years;           /* OD matrices recorded */
    int *od_year, *od_months; /* [capacity / 12 + 2] */
    int64_t *od;         /* [(capacity / 12 + 2) * n * n] */
} ckpt_history;

/* Allocate a history for a run of `months` months. NULL when out of memory. */
ckpt_history *ckpt_history_alloc(int n_nodes, int n_sectors, int months);
void ckpt_history_free(ckpt_history *h);
/* Record month t's outputs (t must equal h->months). */
void ckpt_history_add(ckpt_history *h, const stats_t *s);
/* Record a closed year's OD matrix (agents), covering `months` months. */
void ckpt_history_add_od(ckpt_history *h, int year, int months, const int64_t *od);
/* Put recorded month t back into s. */
void ckpt_history_get(const ckpt_history *h, int t, stats_t *s);

/* Write the state of w (after month w->t - 1) and history h to path,
 * atomically. INC_ERR_IO / INC_ERR_HDF5 with a message naming the file. */
inc_status ckpt_write(const world *w, const ckpt_history *h, const char *path, inc_err *e);

/* Restore a checkpoint into w, built by world_init from the same scenario,
 * seed, number of workers and threads, and into h (allocated for the run).
 * Every registered entry of state.def is read by name (the firm arrays grow
 * when the checkpoint holds more firm slots than w has).
 * Fails with INC_ERR_IO (missing or unreadable file, or an entry missing or
 * of another size), INC_ERR_USAGE (a checkpoint of another program version,
 * scenario, seed or size: the message says which), INC_ERR_NOMEM (the firm
 * arrays cannot grow) or INC_ERR_HDF5. */
inc_status ckpt_read(world *w, ckpt_history *h, const char *path, inc_err *e);

/* Agent snapshots (micro data for analysis, docs/output.md): append the
 * worker and firm columns of the month just simulated to the HDF5 file
 * `path` (created if missing) as typed, chunked, deflate-compressed datasets
 * /YYYY-MM/workers/COLUMN (one value per worker agent) and
 * /YYYY-MM/firms/COLUMN (one per firm slot in use; dead slots have flags 0),
 * with the units of money (fen) noted in the group's attributes.
 * INC_ERR_IO with a message naming the file on failure. */
inc_status ckpt_snapshot(const world *w, const char *path, inc_err *e);

#endif
