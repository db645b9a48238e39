/* testutil.c - see testutil.h. */
#include "testutil.h"
#include <CUnit/Basic.h>
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
