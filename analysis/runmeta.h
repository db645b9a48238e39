/* runmeta.h - what makes two output files comparable: the scale (workers), the
 * months simulated, the start month and the resolved scenario text, read from
 * the root attributes (docs/output.md "Root attributes"), and the test that
 * `summary` and `compare` apply before pooling or pairing files
 * (docs/analysis.md "Which files can be pooled or paired"). */
#ifndef AN_RUNMETA_H
#define AN_RUNMETA_H

#include "common.h"

#include <stddef.h>

typedef struct {
    double persons_per_agent; /* root attribute persons_per_agent (persons) */
    double labour_force;      /* scale.labour_force of the resolved scenario (persons) */
    long workers;             /* agents: round(labour_force / persons_per_agent); -1 when the
                               * scenario text has no scale.labour_force (then the
                               * comparison rests on persons_per_agent alone) */
    int months;               /* root attribute months_planned */
    char *start;              /* root attribute start_month, "YYYY-MM" (owned) */
    char *scenario_text;      /* resolved scenario (owned), as stored */
} runmeta;

/* Read the metadata of the output at path (HDF5 errors printing must be off).
 * Returns AN_OK, AN_ERR_INPUT (message naming the file and attribute) or
 * AN_ERR_NOMEM. On error m holds nothing to free. */
an_status runmeta_read(const char *path, runmeta *m, an_err *e);

void runmeta_free(runmeta *m);

/* Whether two files can be pooled or paired: 0 when a and b have the same
 * worker count, months, start month and command-line overrides (the
 * "; --set" lines of the resolved text, run.seed excepted) and, when
 * same_scenario, the same
 * resolved scenario text apart from the seed (comments, file paths and the
 * seed ignored; the node and sector tables compared by content). Otherwise 1,
 * with the first difference described in why (one line, e.g. "worker count
 * 20000 vs 30000"). */
int runmeta_mismatch(const runmeta *a, const runmeta *b, int same_scenario, char *why, size_t cap);

#endif
