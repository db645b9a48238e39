/* h5out.h - the HDF5 trajectory file of one run (docs/design.md "Output").
 *
 * Layout (docs/output.md): /time (CF "months since START-01", calendar
 * 360_day), /time_label ("YYYY-MM"), /node_name, /sector_name (the root's
 * dimension scales), /national/NAME (time), /node/NAME (time, node),
 * /node_sector/NAME (time, node, sector), one dataset per row of outputs.def,
 * each with `units` and `description` attributes; every group holds its own
 * scales (GROUP/time, GROUP/node, GROUP/sector) so netCDF-4 readers see named
 * dimensions with values in each group. /migration/od (year, node, node_dest),
 * one calendar year at a time, with the scales /migration/year, /migration/node
 * and /migration/node_dest. String datasets are variable-length UTF-8; chunked
 * datasets carry Fletcher32 checksums. Root attributes: model_version,
 * git_revision, scenario_name, seed, threads, command_line, scenario (the fully
 * resolved text), start_month ("YYYY-MM"), months_planned, months_written
 * (updated as each month is flushed), persons_per_agent, status.
 *
 * The file is written as PATH.partial, one month appended at a time (time is an
 * unlimited, chunked dimension), and published as PATH only by h5out_close
 * (publish.h: fsync, rename, fsync of the folder), so a file named PATH is
 * always complete. An existing PATH is never overwritten unless force is set. */
#ifndef INC_H5OUT_H
#define INC_H5OUT_H

#include <stdint.h>
#include "status.h"
#include "stats.h"

typedef struct {
    const char *path;            /* final name, e.g. results/baseline.h5 */
    int force;                   /* overwrite an existing PATH */
    int n_nodes, n_sectors;
    int n_months;                /* months the run will have (for completeness checks) */
    int start_month;             /* month index 12*year + month-1 of time 0 */
    const char *const *node_names;   /* n_nodes names */
    const char *const *sector_names; /* n_sectors names */
    const char *scenario_name;
    const char *scenario_text;   /* fully resolved scenario */
    const char *command_line;
    uint64_t seed;
    int threads;
    double persons_per_agent;
    /* Node and sector attributes written as static datasets along the node or
     * sector dimension (/node_kind, /node_region, /node_coastal,
     * /sector_hard_tech, /sector_tradable, /sector_alpha); each may be NULL. */
    const char *const *node_kind;    /* "city", "rest", "rural" */
    const char *const *node_region;  /* "East", "Central", "West", "Northeast" */
    const int *node_coastal;         /* 0/1 */
    const int *sector_hard_tech;     /* 0/1 */
    const int *sector_tradable;      /* 0/1 */
    const double *sector_alpha;      /* capital share */
} h5out_meta;

typedef struct h5out h5out;

/* Create PATH.partial with the scales, empty datasets and root attributes.
 * Fails with INC_ERR_IO (message naming the path and what to do) when PATH
 * exists and !force, when PATH.partial exists and is held by a running process,
 * or when the folder is not writable; INC_ERR_HDF5 on a library error.
 * On failure nothing is left on disk and *out is NULL. */
inc_status h5out_open(h5out **out, const h5out_meta *meta, inc_err *e);

/* Append month t (0-based, must equal the number of months written so far) from
 * s: one value slab per dataset. INC_ERR_HDF5 or INC_ERR_IO (disk full) on error. */
inc_status h5out_append(h5out *o, const stats_t *s, int t, inc_err *e);

/* Append one calendar year's origin-destination matrix to /migration/od
 * (shaped (year, node, node), origin = row, destination = column): od holds
 * n_nodes * n_nodes agent counts, row-major origin * n_nodes + destination,
 * written as persons (times persons_per_agent). year is the calendar year
 * (must exceed the last one appended), months the months of the run it
 * covers (1..12; fewer in a partial first or last year), written to
 * /migration/year and /migration/months. Flushed like a month. INC_ERR_HDF5
 * or INC_ERR_IO on error (the file is then broken, as in h5out_append). */
inc_status h5out_append_od(h5out *o, int year, int months, const int64_t *od, double persons_per_agent,
                           inc_err *e);

/* Write final attributes (status = "complete", months written), close, and
 * publish PATH.partial as PATH (publish_file: replacing PATH only if force).
 * On error (INC_ERR_IO naming the file and, on a full disk, the disk) the
 * .partial file is removed and PATH untouched. Frees o in all cases. */
inc_status h5out_close(h5out *o, inc_err *e);

/* Abandon the file: close it and remove PATH.partial. Frees o. */
void h5out_abort(h5out *o);

/* Silence HDF5's automatic error stack printing and its shutdown at exit
 * (call once at start-up, before any other HDF5 call; the library's own
 * messages replace the stack). */
void h5out_quiet(void);

#endif
