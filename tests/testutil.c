/* testutil.c - see testutil.h. */
#include "testutil.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

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

int tu_program_path(const char *name, char *out, size_t len)
{
    const char *bin = getenv("INCUBATOR_BIN");
    if (!bin || !*bin) {
        FAILF("INCUBATOR_BIN is not set (the folder holding %s; CTest sets it)", name);
        return -1;
    }
    int w = snprintf(out, len, "%s/%s", bin, name);
    if (w < 0 || (size_t)w >= len) {
        FAILF("the path %s/%s is too long", bin, name);
        return -1;
    }
    return 0;
}

/* Same variable name: the text before '=' (or all of a bare NAME). */
static int same_name(const char *a, const char *b)
{
    size_t la = strcspn(a, "="), lb = strcspn(b, "=");
    return la == lb && strncmp(a, b, la) == 0;
}

/* The child's environment: ours with env_set applied, as a malloc'd
 * NULL-terminated array pointing into environ and env_set (free the array
 * only); NULL if out of memory. It is built before fork because the child of
 * a process with threads (the OpenMP runtime's, in the suites that also run
 * worlds in process) may only make async-signal-safe calls, and setenv
 * allocates. */
static char **child_env(const char *const *env_set)
{
    extern char **environ;
    size_t n_env = 0, n_set = 0;
    while (environ[n_env]) n_env++;
    while (env_set && env_set[n_set]) n_set++;
    char **envp = malloc((n_env + n_set + 1) * sizeof *envp);
    if (!envp) return NULL;
    size_t n = 0;
    for (size_t k = 0; k < n_env; k++) {
        int changed = 0;
        for (size_t j = 0; j < n_set && !changed; j++) changed = same_name(environ[k], env_set[j]);
        if (!changed) envp[n++] = environ[k];
    }
    for (size_t j = 0; j < n_set; j++)
        if (strchr(env_set[j], '=')) envp[n++] = (char *)env_set[j]; /* a bare NAME only removes */
    envp[n] = NULL;
    return envp;
}

/* A message from the child to its log: write(2) is async-signal-safe, stdio
 * is not. */
static void child_say(const char *what, const char *exe)
{
    ssize_t r = write(2, what, strlen(what));
    r = write(2, exe, strlen(exe));
    r = write(2, "\n", 1);
    (void)r; /* nothing more to do if the log cannot be written */
}

int tu_run_program(const char *exe, const char *const *argv, const char *log, int timeout_s,
                   const char *const *env_set)
{
    /* The log is opened here, not in the child, so that a bad path is
     * reported rather than turned into an exit code; O_CLOEXEC keeps this
     * descriptor out of the program (it gets it as stdout and stderr). */
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        FAILF("cannot create the log %s for %s: %s", log, exe, strerror(errno));
        return -1;
    }
    char **envp = child_env(env_set);
    if (!envp) {
        FAILF("out of memory for the environment of %s", exe);
        close(fd);
        return -1;
    }
    const char *dir = tu_srcdir();
    /* What the test printed so far is shown before a possibly long run. */
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        FAILF("fork: %s", strerror(errno));
        free(envp);
        close(fd);
        return -1;
    }
    if (pid == 0) {
        /* Async-signal-safe calls only, from here to exec (see child_env). */
        if (dup2(fd, 1) < 0 || dup2(fd, 2) < 0) _exit(126);
        if (chdir(dir) != 0) {
            child_say("cannot change to the repository root ", dir);
            _exit(126);
        }
        alarm(timeout_s > 0 ? (unsigned)timeout_s : 0); /* survives exec: a hung run is killed */
        execve(exe, (char *const *)argv, envp); /* the cast is POSIX's own: exec does not write argv */
        child_say("cannot execute ", exe);
        _exit(127);
    }
    free(envp);
    close(fd);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            FAILF("waitpid for %s: %s", exe, strerror(errno));
            return -1;
        }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    char why[64] = "";
    if (sig == SIGALRM) snprintf(why, sizeof why, " (SIGALRM: the timeout of %d s)", timeout_s);
    FAILF("%s killed by signal %d%s; log %s", exe, sig, why, log);
    return -1;
}

void tu_show_log(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[512];
    for (int n = 0; n < 20 && fgets(line, sizeof line, f); n++) fprintf(stderr, "    | %s", line);
    fclose(f);
}

void *tu_h5_read(hid_t f, const char *fname, const char *path, hid_t mtype, size_t *n, int *rank, hsize_t *dims)
{
    *n = 0;
    *rank = 0;
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    if (ds < 0) {
        FAILF("%s: no dataset %s", fname, path);
        return NULL;
    }
    hid_t sp = H5Dget_space(ds);
    int r = sp < 0 ? -1 : H5Sget_simple_extent_dims(sp, dims, NULL);
    if (sp >= 0) H5Sclose(sp);
    size_t cnt = 1;
    for (int k = 0; k < r; k++) cnt *= (size_t)dims[k];
    /* One element's room at least, so that an empty dataset is not NULL. */
    void *buf = r < 0 ? NULL : calloc(cnt ? cnt : 1, H5Tget_size(mtype));
    if (!buf || (cnt && H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)) {
        FAILF("%s: cannot read %s", fname, path);
        free(buf);
        H5Dclose(ds);
        return NULL;
    }
    H5Dclose(ds);
    *n = cnt;
    *rank = r;
    return buf;
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

int tu_world_open(tu_world *fx, const char *file, const char *const *sets, int n_sets, int threads, long workers,
                  int months)
{
    inc_err e = {0};
    char path[1024];
    memset(fx, 0, sizeof *fx);
    snprintf(path, sizeof path, "%s/scenarios/%s", tu_srcdir(), file);
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
