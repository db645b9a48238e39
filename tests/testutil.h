/* testutil.h - shared helpers of the CUnit suites: a main() runner, temporary
 * folders, paths to the repository and the built programs, runs of those
 * programs and reading their HDF5 output. */
#ifndef INC_TESTUTIL_H
#define INC_TESTUTIL_H

#include <CUnit/CUnit.h>
#include <hdf5.h>
#include <stddef.h>

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

/* The path of the built program `name` (e.g. "incubator-sim") in the folder
 * $INCUBATOR_BIN, which CTest sets to the build's bin/. Writes it to out (len
 * bytes) and returns 0; returns -1 after a FAILF if INCUBATOR_BIN is unset or
 * empty or the path does not fit. */
int tu_program_path(const char *name, char *out, size_t len);

/* Run the program exe with argv (as for execv: argv[0] included, ended by
 * NULL) in a child process and wait for it.
 *  - Working directory: the repository root, tu_srcdir(), so that relative
 *    paths in argv (scenarios/baseline.ini) mean what they mean in the docs.
 *  - Output: stdout and stderr both go to the file `log` (created, or
 *    truncated); nothing goes to the test's own output.
 *  - Environment: this process's, changed by env_set (NULL for no change, or
 *    a NULL-terminated list naming each variable at most once): "NAME=VALUE"
 *    sets NAME, a bare "NAME" (no '=') removes it, as putenv does in glibc;
 *    "NAME=" sets it to the empty string.
 *  - timeout_s: seconds of wall-clock time after which the child is killed
 *    with SIGALRM (an alarm set before exec, which survives it); 0: no limit.
 * Returns the program's exit code (0-255; 126 if the child could not redirect
 * its output or change to the repository root, 127 if exe could not be
 * executed; the reason is in the log when it can be written). Returns -1 if the program could not be run (the log could not
 * be created, fork or waitpid failed) or was killed by a signal (a timeout is
 * SIGALRM); each of those is already recorded with a FAILF naming the signal
 * or the error and the log, so a caller need not report -1 again. A non-zero
 * exit code is not recorded: the caller judges it (some tests expect one). */
int tu_run_program(const char *exe, const char *const *argv, const char *log, int timeout_s,
                   const char *const *env_set);

/* Print the first 20 lines of a program's log to stderr, indented: the
 * context of a FAILF about a failed run. Prints nothing if it is unreadable. */
void tu_show_log(const char *path);

/* Read the whole dataset `path` of the open HDF5 file f, converted to the
 * memory type mtype (H5T_NATIVE_DOUBLE, H5T_NATIVE_INT64, H5T_NATIVE_INT...).
 * fname names the file in messages. Returns a malloc'd buffer (the caller
 * frees it) of *n elements, with the dataset's rank in *rank and its
 * dimensions in dims (room for H5S_MAX_RANK); an empty dataset gives *n = 0
 * and one zeroed element. Returns NULL after a FAILF naming the file and the
 * dataset if it is missing or cannot be read. */
void *tu_h5_read(hid_t f, const char *fname, const char *path, hid_t mtype, size_t *n, int *rank, hsize_t *dims);

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
int tu_world_open(tu_world *fx, const char *file, const char *const *sets, int n_sets, int threads, long workers,
                  int months);

/* One more month of the model; records a failure naming the month. Returns 1
 * on success. */
int tu_world_month(tu_world *fx);

/* Free what tu_world_open allocated (nothing if it failed or was closed). */
void tu_world_close(tu_world *fx);

#endif
