/* scenario.h - a scenario: the scalar parameters of params.def, the node and
 * sector tables of its CSV files, and the fully resolved text written into
 * every output.
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
#include "status.h"

#define SC_NAME_LEN 48
#define SC_MAX_NODES 1024
#define SC_MAX_SECTORS 32
#define SC_TIERS 4

enum { NODE_CITY = 0, NODE_REST = 1, NODE_RURAL = 2 };
enum { REGION_EAST = 0, REGION_CENTRAL = 1, REGION_WEST = 2, REGION_NORTHEAST = 3, REGION_COUNT = 4 };

/* One row of the node CSV (MODEL.md 1). Units as named. */
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
    double land_elasticity;/* land supply elasticity (MODEL.md 13) */
    double migrant_share;  /* share of the node's workers whose hukou is elsewhere */
} sc_node;

/* One row of the sector CSV (MODEL.md 2). Shares are fractions. */
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

/* The scalar parameters: one field section_key per PARAM line.
 * REAL -> double, INT -> int64_t, MONTH -> int (months since year 0, i.e.
 * 12*year + month-1), PATH -> char[512] (absolute or relative to cwd),
 * NODES / SECTORS -> char[512]: a comma-separated list of names from the node
 * or sector table ("none" or empty for no name), checked against the tables;
 * SCHED -> int like MONTH, and it must lie within the run (a policy date). */
typedef struct {
#define PARAM(sec, key, type, lo, hi, unit, desc) PARAM_FIELD_##type(sec##_##key);
#define PARAM_FIELD_REAL(f) double f
#define PARAM_FIELD_INT(f) int64_t f
#define PARAM_FIELD_MONTH(f) int f
#define PARAM_FIELD_PATH(f) char f[512]
#define PARAM_FIELD_NODES(f) char f[512]
#define PARAM_FIELD_SECTORS(f) char f[512]
#define PARAM_FIELD_SCHED(f) int f
#include "params.def"
#undef PARAM
} sc_params;

typedef struct {
    sc_params p;           /* as written (annual rates stay annual) */
    sc_params m;           /* same, with every "share/year" REAL converted to a
                              monthly rate (1+x)^(1/12)-1: the one place rates
                              become monthly (MODEL.md 0) */
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
 * INC_ERR_RANGE (value outside [min, max] of params.def, bad CSV value), with a
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

/* Month index <-> "YYYY-MM" (buf of at least 8 bytes). month_parse returns -1 on
 * a malformed string. */
int month_parse(const char *s);
void month_format(int month, char *buf, size_t n);

/* Print the parameter table (section, key, unit, range, description) as a
 * markdown table to f: the source of docs/model.md's parameter list. */
#include <stdio.h>
void scenario_print_params(FILE *f);

#endif
