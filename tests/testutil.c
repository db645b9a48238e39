/* testutil.c - see testutil.h. */
#include "testutil.h"
#include <CUnit/Basic.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tmp_path[256];

static void tu_cleanup(void)
{
    if (tmp_path[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_path);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_path);
    }
}

const char *tu_tmpdir(void)
{
    if (!tmp_path[0]) {
        snprintf(tmp_path, sizeof tmp_path, "/tmp/inctest.XXXXXX");
        if (!mkdtemp(tmp_path)) { perror("mkdtemp"); abort(); }
        atexit(tu_cleanup);
    }
    return tmp_path;
}

const char *tu_srcdir(void) { return INCUBATOR_SOURCE_DIR; }

int tu_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}

int tu_run_suite(const char *suite, const tu_test *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    if (!s) return 1;
    for (const tu_test *t = tests; t->name; t++)
        if (!CU_add_test(s, t->name, t->fn)) return 1;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (run == 0) { fprintf(stderr, "no test ran\n"); return 1; }
    return failed ? 1 : 0;
}

int tu_world_open(tu_world *fx, const char *scenario, const char *const *sets, int n_sets, int threads, long workers,
                  int months)
{
    inc_err e = {0};
    char path[1024];
    memset(fx, 0, sizeof *fx);
    snprintf(path, sizeof path, "%s/scenarios/%s", tu_srcdir(), scenario);
    if (scenario_load(&fx->sc, path, sets, n_sets, &e) != INC_OK) {
        FAILF("scenario_load: %s", e.msg);
        return 0;
    }
    if (world_init(&fx->w, &fx->sc, threads, workers, &e) != INC_OK) {
        FAILF("world_init: %s", e.msg);
        scenario_free(&fx->sc);
        return 0;
    }
    omp_set_num_threads(threads); /* never more than the world was built for */
    stats_aggregate(&fx->w);
    fx->st = stats_alloc(fx->w.n_nodes, fx->w.n_sectors);
    if (!fx->st) {
        FAILF("stats_alloc failed");
        world_free(&fx->w);
        scenario_free(&fx->sc);
        return 0;
    }
    fx->open = 1;
    for (int m = 0; m < months; m++)
        if (!tu_world_month(fx)) {
            tu_world_close(fx);
            return 0;
        }
    return 1;
}

int tu_world_month(tu_world *fx)
{
    inc_err e = {0};
    if (sim_month(&fx->w, fx->st, &e) != INC_OK) {
        FAILF("sim_month %d: %s", fx->w.t, e.msg);
        return 0;
    }
    return 1;
}

void tu_world_close(tu_world *fx)
{
    if (!fx->open) return;
    stats_free(fx->st);
    world_free(&fx->w);
    scenario_free(&fx->sc);
    fx->open = 0;
}
