/* report.h - the tables of `summary` and `compare` in four formats: an aligned
 * text table (default), CSV, JSON and markdown (docs/analysis.md "Output
 * formats").
 *
 * Text and markdown split the outcomes into panels (one table per panel, one
 * row per scenario) so that a table fits a terminal; CSV and JSON hold one
 * record per scenario with every outcome, its interval and its count, at full
 * precision (12 significant digits). An undefined value is "n/a" in text and
 * markdown, an empty field in CSV and null in JSON. */
#ifndef AN_REPORT_H
#define AN_REPORT_H

#include "common.h"
#include "ensemble.h"
#include "outcomes.h"

#include <stdint.h>
#include <stdio.h>

typedef enum { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON, FORMAT_MARKDOWN } report_format;

/* One scenario: its files (summary) or pairs (compare), seeds, and the
 * ensemble of each outcome. */
typedef struct {
    const char *scenario;
    int files;             /* files of the scenario (summary) or seed pairs (compare) */
    const uint64_t *seeds; /* the seeds, ascending; n_seeds == files */
    int n_seeds;
    ens_ci ci[OC_COUNT];   /* ensembles of the outcomes (differences in compare) */
} report_row;

typedef struct {
    const char *command;   /* "summary" or "compare" */
    const char *reference; /* compare: the reference scenario; NULL in summary */
    int n_outcomes;        /* outcomes 0 .. n_outcomes-1 are shown */
    double level;          /* confidence level of the intervals, e.g. 0.95 */
    const report_row *rows;
    int n_rows;
} report_table;

/* "text", "csv", "json" or "markdown" (also "md") into *f; returns 0, or -1
 * when s is none of them. */
int report_parse_format(const char *s, report_format *f);

/* Write the table t to out in format f. Fails only with AN_ERR_NOMEM when
 * memory runs out, or AN_ERR_OUTPUT when out cannot be written (full disk). */
an_status report_write(FILE *out, const report_table *t, report_format f, an_err *e);

#endif
