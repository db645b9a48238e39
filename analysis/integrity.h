/* integrity.h - `check FILE`: is one output file whole and sane?
 *
 * Runs every check it can and prints one line per check ("ok" or "FAIL" and
 * what was found), then a verdict: the simulator's root attributes, the name
 * (not .partial), status complete, months_written == months_planned == length
 * of /time, every dataset of the simulator's output table (sim/outputs.def of
 * this build) and of the analysis present with its shape, no NaN or infinity
 * in any floating-point dataset, the stock-flow residual 0 in every month,
 * unemployment rates and the wage Gini in [0, 1], counts of persons and firms
 * not negative. */
#ifndef AN_INTEGRITY_H
#define AN_INTEGRITY_H

#include "common.h"

#include <stdio.h>

/* Check path and print the report to out. Returns AN_OK when the checks ran
 * (*n_failed then counts the failed ones, 0 when the file passed), or
 * AN_ERR_INPUT when the file cannot be opened as HDF5 at all (e says why),
 * AN_ERR_NOMEM when memory runs out. */
an_status integrity_check(const char *path, FILE *out, int *n_failed, an_err *e);

#endif
