/* scenario.h - a scenario: the scalar parameters of params.def (params.h),
 * the node and sector tables of its CSV files (tables.h), and the fully
 * resolved text written into every output. The public interface of the
 * scenario modules: month.h, params.h, tables.h come with it.
 *
 * Scenario files are INI (inih). `extends = other.ini` (in the file's top, before
 * any section) loads the other file first, relative to this file's folder; keys
 * of the later file override. `--set section.key=value` overrides on top.
 * Every key must be known (params.def) and set somewhere in the chain; values
 * are range-checked. Errors name the file, line, key and accepted range and
 * suggest a near key name. */
#ifndef INC_SCENARIO_H
#define INC_SCENARIO_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include "month.h"
#include "params.h"
#include "status.h"
#include "tables.h"

typedef struct {
    sc_params p;           /* as written (annual rates stay annual) */
    sc_params m;           /* same, with every RATE_Y parameter (params.def)
                              converted to a monthly rate (1+x)^(1/12)-1 by
                              params_to_monthly: the one place rates become
                              monthly (docs/model.md 0) */
    sc_node *nodes;        /* n_nodes rows */
    int n_nodes;
    sc_sector *sectors;    /* n_sectors rows */
    int n_sectors;
    char *name;            /* scenario name: file name without folder and .ini */
    char *path;            /* path of the top scenario file */
    char *resolved;        /* the fully resolved scenario as INI text, plus the
                              CSV files' contents as comments-free sections */
} scenario;

/* Load a scenario file, its extends chain, the --set overrides (each
 * "section.key=value"), and the CSV files it names. On success returns INC_OK
 * and fills *sc (free with scenario_free). On failure returns INC_ERR_IO (file
 * missing/unreadable), INC_ERR_PARSE (malformed line or CSV, extends cycle),
 * INC_ERR_KEY (unknown key, missing key, --set on an unknown key) or
 * INC_ERR_RANGE (value outside [min, max] of params.def, a nonzero number that
 * underflows to 0 or overflows to inf, bad CSV value), with a
 * message naming file, line and key; *sc is then left empty. */
inc_status scenario_load(scenario *sc, const char *path, const char *const *sets, int n_sets, inc_err *e);

/* Apply one more "section.key=value" override to a loaded scenario (updates p,
 * m and resolved). Same errors as scenario_load. */
inc_status scenario_set(scenario *sc, const char *assignment, inc_err *e);

void scenario_free(scenario *sc);

/* Mark the names of a NODES or SECTORS list in mask (n entries, 1 = listed,
 * indices of the node or sector table). Returns the number of names marked,
 * or -1 if a name is not in the table (scenario_load has already rejected
 * such lists). */
int scenario_nodes_mask(const scenario *sc, const char *list, uint8_t *mask);
int scenario_sectors_mask(const scenario *sc, const char *list, uint8_t *mask);

#endif
