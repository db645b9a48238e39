/* testutil.h - shared helpers of the CUnit suites: a main() runner, temporary
 * folders and paths to the repository and the built programs. */
#ifndef INC_TESTUTIL_H
#define INC_TESTUTIL_H

#include <CUnit/CUnit.h>

typedef struct {
    const char *name;
    CU_TestFunc fn;
} tu_test;

/* Fail the current test with a printf-style message (printed at once and
 * recorded by CUnit with the file and line). */
#include <stdio.h>
#define FAILF(...)                                                                 \
    do {                                                                           \
        char msg_[2048];                                                           \
        snprintf(msg_, sizeof msg_, __VA_ARGS__);                                  \
        fprintf(stderr, "\n  FAIL: %s\n", msg_);                                   \
        CU_assertImplementation(CU_FALSE, __LINE__, msg_, __FILE__, "", CU_FALSE); \
    } while (0)

/* Run one suite of tests (array ended by {NULL, NULL}) with CUnit's basic
 * interface; returns the process exit code (0 if all passed, 1 otherwise). */
int tu_run_suite(const char *suite, const tu_test *tests);

/* A fresh empty temporary folder, removed at exit. Returns its path (static
 * storage of the test program, valid until exit). */
const char *tu_tmpdir(void);

/* The repository root (compile-time INCUBATOR_SOURCE_DIR). */
const char *tu_srcdir(void);

/* Write text to path; returns 0 on success. */
int tu_write_file(const char *path, const char *text);

/* A world of a scenario, ready to step: the fixture of the suites that drive
 * the phases directly (goods, labour, land, migration, skills). */
#include "phases.h"
typedef struct {
    scenario sc;
    world w;
    stats_t *st;
    int open;
} tu_world;

/* Load scenarios/SCENARIO (a path relative to the repository's scenarios/,
 * e.g. "baseline.ini") with n_sets "section.key=value" overrides, build a
 * world of `workers` worker agents (0: the scenario's scale) for `threads`
 * threads, aggregate it as incubator-sim does and run `months` months of the
 * model. Returns 1 on success; on failure records a CUnit failure naming the
 * step (and the month) and leaves nothing allocated (fx->open = 0). */
int tu_world_open(tu_world *fx, const char *scenario, const char *const *sets, int n_sets, int threads, long workers,
                  int months);

/* One more month of the model; records a failure naming the month. Returns 1
 * on success. */
int tu_world_month(tu_world *fx);

/* Free what tu_world_open allocated (nothing if it failed or was closed). */
void tu_world_close(tu_world *fx);

#endif
