/* checkpoint.h - save and restore a run's complete state (docs/design.md "Output":
 * checkpoints let a run resume bit-identically after SIGTERM).
 *
 * A checkpoint holds every registered entry of state.def (world.h
 * state_registry: the world's scalars first, then the worker, firm, node and
 * market columns), each under its name, the ledger's aggregate balances and
 * LGFV debts, the migration tables' inputs, and the history of the run's
 * outputs so far (every month's stats rows and the closed years' OD
 * matrices), so that a resumed run rewrites the same output file. It is
 * written to PATH.tmp and published as PATH by publish_file (publish.h:
 * fsync, rename, fsync of the folder), so a checkpoint named PATH is always
 * complete, and the previous one survives a crash while writing.
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
/* Record month t's outputs (t must equal h->months). Returns INC_OK, or
 * INC_ERR_RANGE with a message when the history is full (more months than
 * it was allocated for: a caller's error, never dropped silently). */
inc_status ckpt_history_add(ckpt_history *h, const stats_t *s, inc_err *e);
/* Record a closed year's OD matrix (agents), covering `months` months.
 * Returns INC_OK, or INC_ERR_RANGE with a message when the history's years
 * are full. */
inc_status ckpt_history_add_od(ckpt_history *h, int year, int months, const int64_t *od, inc_err *e);
/* Put recorded month t back into s. */
void ckpt_history_get(const ckpt_history *h, int t, stats_t *s);

/* Write the state of w (after month w->t - 1) and history h to path,
 * atomically. INC_ERR_IO (a disk error or a failed publish; a full disk is
 * named) or INC_ERR_HDF5, with a message naming the file; PATH.tmp is then
 * removed and an existing PATH is left as it was. */
inc_status ckpt_write(const world *w, const ckpt_history *h, const char *path, inc_err *e);

/* Restore a checkpoint into w, built by world_init from the same scenario,
 * seed and number of workers, and into h (allocated for the run). The thread
 * count may differ: it is not part of the checkpoint's identity, and runs
 * are bit-identical for any thread count. Every registered entry of
 * state.def is read by name, in registry order (the scalars first, so fm.n
 * is known and the firm arrays grow when the checkpoint holds more firm
 * slots than w has). Fails with INC_ERR_IO (file missing, unreadable or not
 * HDF5; an entry, the ledger, the migration tables or the output history
 * missing or of another size), INC_ERR_USAGE (a checkpoint of another
 * program version, scenario, seed or size, or with more months than h
 * holds: the message says which) or INC_ERR_NOMEM (the firm arrays cannot
 * grow). On failure w may be partly overwritten. */
inc_status ckpt_read(world *w, ckpt_history *h, const char *path, inc_err *e);

/* Agent snapshots (micro data for analysis, docs/output.md): append the
 * worker and firm columns of the month just simulated to the HDF5 file
 * `path` (created if missing) as typed, chunked, deflate-compressed datasets
 * /YYYY-MM/workers/COLUMN (one value per worker agent) and
 * /YYYY-MM/firms/COLUMN (one per firm slot in use; dead slots have flags 0),
 * with the units of money (fen) noted in the group's attributes. The caller
 * passes the temporary name (main.c: SNAP.partial) and publishes it when
 * the run completes. Fails with INC_ERR_IO (the file cannot be opened or
 * created, in which case it is left as it was; or a write fails for a disk
 * reason, full disk named) or INC_ERR_HDF5 (another HDF5 failure), with a
 * message naming the file; after a failed write the file at path, with
 * every earlier month's snapshot in it, is removed. */
inc_status ckpt_snapshot(const world *w, const char *path, inc_err *e);

#endif
