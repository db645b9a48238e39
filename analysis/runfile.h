/* runfile.h - one output file of incubator-sim, opened, validated and read for
 * the analysis (schema: docs/output.md; what is read and why: docs/analysis.md).
 *
 * Only the datasets the outcomes and plots need are read (RUNFILE_DATASETS), all
 * converted to double, so summarising a hundred default-size files takes well
 * under a second of I/O. Every failure is one line naming the file and, where
 * there is one, the dataset or attribute. HDF5's own error printing must be
 * switched off by the caller (H5Eset_auto2) before any function here runs. */
#ifndef AN_RUNFILE_H
#define AN_RUNFILE_H

#include "common.h"

#include <stdint.h>

#include <hdf5.h>

/* Shapes of the datasets read: T months, N nodes, S sectors. */
typedef enum {
    RF_TIME,             /* (T) */
    RF_TIME_NODE,        /* (T, N) */
    RF_TIME_NODE_SECTOR, /* (T, N, S) */
    RF_NODE,             /* (N) a node attribute */
    RF_SECTOR            /* (S) a sector attribute */
} runfile_shape;

/* X(ID, path, shape): every dataset the analysis reads. */
#define RUNFILE_DATASETS(X)                                                   \
    X(NAT_GDP, "/national/gdp", RF_TIME)                                      \
    X(NAT_GDP_REAL, "/national/gdp_real", RF_TIME)                            \
    X(NAT_CAPITAL, "/national/capital", RF_TIME)                              \
    X(NAT_SKILL_UNITS, "/national/skill_units", RF_TIME)                      \
    X(NAT_EMPLOYMENT, "/national/employment", RF_TIME)                        \
    X(NAT_FIRM_LOANS, "/national/firm_loans", RF_TIME)                        \
    X(NAT_LGFV_DEBT, "/national/lgfv_debt", RF_TIME)                          \
    X(NAT_CENTRAL_DEBT, "/national/central_debt", RF_TIME)                    \
    X(NAT_SUBSIDIES, "/national/subsidies", RF_TIME)                          \
    X(NAT_PRICE_INDEX, "/national/price_index", RF_TIME)                      \
    X(NAT_TARGET_ENTRIES, "/national/target_entries", RF_TIME)                \
    X(NAT_TARGET_SURVIVORS, "/national/target_survivors_36m", RF_TIME)        \
    X(NAT_FIRMS_ALIVE, "/national/firms_alive", RF_TIME)                      \
    X(NAT_WAGE_GINI, "/national/wage_gini", RF_TIME)                          \
    X(NODE_GDP, "/node/gdp", RF_TIME_NODE)                                    \
    X(NODE_EMPLOYED, "/node/employed", RF_TIME_NODE)                          \
    X(NODE_IN_MIGRANTS, "/node/in_migrants", RF_TIME_NODE)                    \
    X(NODE_OUT_MIGRANTS, "/node/out_migrants", RF_TIME_NODE)                  \
    X(NODE_ZOMBIES, "/node/zombies", RF_TIME_NODE)                            \
    X(NS_ENTRIES, "/node_sector/entries", RF_TIME_NODE_SECTOR)                \
    X(NS_WANNABE_ENTRIES, "/node_sector/wannabe_entries", RF_TIME_NODE_SECTOR) \
    X(NS_SHELL_ENTRIES, "/node_sector/shell_entries", RF_TIME_NODE_SECTOR)    \
    X(NS_EMPLOYMENT, "/node_sector/employment", RF_TIME_NODE_SECTOR)          \
    X(NODE_COASTAL, "/node_coastal", RF_NODE)                                 \
    X(SECTOR_HARD_TECH, "/sector_hard_tech", RF_SECTOR)                       \
    X(SECTOR_ALPHA, "/sector_alpha", RF_SECTOR)

typedef enum {
#define RF_ENUM(id, path, shape) RF_##id,
    RUNFILE_DATASETS(RF_ENUM)
#undef RF_ENUM
        RF_COUNT
} runfile_dataset;

/* One run. Series are row-major doubles: d[RF_NODE_GDP][t * N + n],
 * d[RF_NS_ENTRIES][(t * N + n) * S + s]. Strings are owned (malloc). */
typedef struct {
    char *path;          /* the name given on the command line */
    char *scenario_name; /* root attribute scenario_name */
    char *model_version; /* root attribute model_version */
    char *status;        /* root attribute status */
    char *start_month;   /* root attribute start_month, "YYYY-MM" */
    char *policy_start;  /* policy.start of the resolved scenario, "YYYY-MM" */
    uint64_t seed;       /* root attribute seed */
    int months_planned;  /* root attribute months_planned */
    int months_written;  /* root attribute months_written */
    int start_ym;        /* start_month as year * 12 + month - 1 */
    int policy;          /* months from start_month to policy.start (p of docs/analysis.md) */
    int T, N, S;         /* lengths of /time, /node_name, /sector_name */
    double *d[RF_COUNT]; /* the datasets; NULL until runfile_read_data */
} runfile;

/* The dataset path and shape of id. */
const char *runfile_dataset_path(runfile_dataset id);
runfile_shape runfile_dataset_shape(runfile_dataset id);

/* Open path read-only as an HDF5 file. Fails (AN_ERR_INPUT, message naming the
 * file) when the name ends in .partial (unless allow_partial), when the file
 * does not exist or cannot be read, is not HDF5, or HDF5 cannot open it
 * (truncated or damaged). On success *file is an open file id the caller closes
 * with H5Fclose. */
an_status runfile_h5open(const char *path, int allow_partial, hid_t *file, an_err *e);

/* Read the root attributes, the policy start and the coordinate lengths of an
 * open file into rf (which must be zeroed; rf->path is set to a copy of path).
 * Fails with AN_ERR_INPUT when a root attribute of the simulator is missing
 * ("not an incubator-sim output" when none is there), malformed, or when the
 * scenario text has no valid policy.start. On failure rf may hold some fields:
 * release it with runfile_free. */
an_status runfile_read_meta(hid_t file, const char *path, runfile *rf, an_err *e);

/* Whether the run finished: status "complete", months_written equal to
 * months_planned and to the length of /time. AN_ERR_INPUT otherwise. */
an_status runfile_check_complete(const runfile *rf, an_err *e);

/* Read every dataset of RUNFILE_DATASETS into rf->d, checking each exists, is
 * numeric and has its expected shape. AN_ERR_INPUT naming the dataset on
 * failure, AN_ERR_NOMEM when memory runs out. */
an_status runfile_read_data(hid_t file, runfile *rf, an_err *e);

/* All of the above: the one call of summary, compare and plot. rf must be
 * zeroed; release it with runfile_free whatever the result. */
an_status runfile_open(const char *path, runfile *rf, an_err *e);

/* Read every dataset that carries a Fletcher32 checksum (every chunked
 * dataset of an output) whole, so HDF5 verifies each chunk; *checked (may be
 * NULL) gets the number read. AN_ERR_INPUT naming the first corrupted
 * dataset, AN_ERR_NOMEM when memory runs out. */
an_status runfile_verify_checksums(hid_t file, const char *path, long *checked, an_err *e);

/* Release what rf owns and zero it. Safe on a zeroed or partly filled rf. */
void runfile_free(runfile *rf);

/* Read the string attribute name of the root group into a malloc'ed, NUL-
 * terminated copy (fixed or variable length). Returns 0 on success, -1 when the
 * attribute is missing, 1 when it is not a string, -2 on a read failure or when
 * memory runs out. */
int runfile_root_text(hid_t file, const char *name, char **out);

/* Whether the object path (e.g. "/node_sector/entries") exists, checking every
 * group on the way. */
int runfile_link_exists(hid_t file, const char *path);

#endif
