/* bench_kernel.c - throughput and memory of the monthly kernel (`./run.sh bench`).
 *
 * Not a test: it times sim_month on the baseline scenario for 1e6 and 1e7
 * worker agents with 1 and 2 OpenMP threads, and reports worker-months per
 * second, the memory per worker (the worker columns by their types, the firm
 * columns, resident set), the speedup of 2 threads over 1 and whether both
 * thread counts give the same national GDP in the last month (docs/design.md
 * "Parallelism": they must, bit for bit).
 *
 *   bench_kernel                      the full table (1e6 and 1e7, 1 and 2 threads)
 *   bench_kernel --workers 200000 --months 2
 *                                     one size, 1 and 2 threads
 *   bench_kernel --workers N --threads T --months M
 *                                     one configuration
 * BENCH_MONTHS in the environment overrides the timed months (default 6 for
 * sizes below 5e6 workers, 3 above); --months overrides both. One month is run
 * before timing (warm-up). Exit status: 0, or 1 when a month fails, the worker
 * columns exceed 40 bytes per worker, or the thread counts disagree. */
#include "phases.h"
#include "scenario.h"
#include "stats.h"
#include "world.h"
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define WORKER_BUDGET_BYTES 40
#define MAX_CONFIGS 8

/* Bytes per worker of the worker columns, summed from the members' element
 * types over the STATE_WORKER lines of state.def (the table world.h declares
 * them from, so no column can be missed); world_bytes_per_worker sums the
 * same table's types and must agree. */
static size_t worker_column_bytes(const world *w)
{
    size_t b = 0;
#define STATE_WORKER(name, type, units, save, description) b += sizeof *w->wk.name;
#include "state.def"
    return b;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Peak resident set of the process so far, bytes. */
static double peak_rss_bytes(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (double)ru.ru_maxrss * 1024.0; /* Linux: kilobytes */
}

/* Current resident set, bytes (Linux /proc/self/statm), or 0. */
static double rss_now_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    long size = 0, resident = 0;
    int ok = fscanf(f, "%ld %ld", &size, &resident) == 2;
    fclose(f);
    return ok ? (double)resident * (double)sysconf(_SC_PAGESIZE) : 0;
}

typedef struct {
    int64_t workers;
    int threads, months;
    int ok;
    double init_s, run_s;
    double worker_bytes_api;   /* world_bytes_per_worker */
    size_t worker_bytes_types; /* summed from the column types */
    double firm_bytes_per_worker;
    double firm_slots_per_worker;
    double rss_now, rss_peak;  /* bytes */
    double gdp;                /* national GDP of the last month, yuan/month */
    uint64_t outputs_hash;     /* FNV-1a of every output of the last month */
} result;

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) { h ^= b[i]; h *= 0x100000001b3ULL; }
    return h;
}

static uint64_t hash_outputs(const stats_t *st)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int k = 0; k < OUT_COUNT; k++) {
        size_t n = stats_row_len(stats_table[k].group, st->n_nodes, st->n_sectors);
        if (st->f[k]) h = fnv1a(h, st->f[k], n * sizeof(double));
        if (st->i[k]) h = fnv1a(h, st->i[k], n * sizeof(int64_t));
    }
    return h;
}

/* Build a world of `workers` agents for `threads` threads, run one warm-up
 * month and time `months` more. */
static void run_config(const scenario *sc, result *r)
{
    inc_err e = {0};
    world w;
    r->ok = 0;
    omp_set_num_threads(r->threads);
    double t0 = now_seconds();
    if (world_init(&w, sc, r->threads, r->workers, &e) != INC_OK) {
        fprintf(stderr, "bench_kernel: world_init (%lld workers): %s\n", (long long)r->workers, e.msg);
        return;
    }
    stats_aggregate(&w);
    r->init_s = now_seconds() - t0;
    stats_t *st = stats_alloc(w.n_nodes, w.n_sectors);
    if (!st) {
        fprintf(stderr, "bench_kernel: out of memory (stats)\n");
        world_free(&w);
        return;
    }
    r->worker_bytes_api = world_bytes_per_worker(&w);
    r->worker_bytes_types = worker_column_bytes(&w);
    r->firm_bytes_per_worker = (double)world_bytes_per_firm_slot(&w) * (double)w.fm.cap / (double)w.wk.n;
    r->firm_slots_per_worker = (double)w.fm.cap / (double)w.wk.n;
    int failed = 0;
    if (sim_month(&w, st, &e) != INC_OK) { /* warm-up */
        fprintf(stderr, "bench_kernel: warm-up month: %s\n", e.msg);
        failed = 1;
    }
    double t1 = now_seconds();
    for (int m = 0; m < r->months && !failed; m++)
        if (sim_month(&w, st, &e) != INC_OK) {
            fprintf(stderr, "bench_kernel: timed month %d: %s\n", m + 1, e.msg);
            failed = 1;
        }
    r->run_s = now_seconds() - t1;
    r->rss_now = rss_now_bytes();
    r->rss_peak = peak_rss_bytes();
    if (r->rss_peak < r->rss_now) r->rss_peak = r->rss_now; /* getrusage lags /proc by a page or two */
    if (!failed) {
        r->gdp = st->f[OUT_NATIONAL_gdp][0];
        r->outputs_hash = hash_outputs(st);
        r->ok = 1;
    }
    stats_free(st);
    world_free(&w);
}

/* One-minute load average (/proc/loadavg), or -1. */
static double load_average(void)
{
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f) return -1;
    double l = -1;
    if (fscanf(f, "%lf", &l) != 1) l = -1;
    fclose(f);
    return l;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench_kernel [--workers N] [--threads N] [--months N]\n"
            "  without options: workers 1e6 and 1e7, threads 1 and 2, 6 and 3 timed months\n"
            "  (BENCH_MONTHS overrides the months; --months overrides both)\n");
}

/* Parse a positive count; accepts 1e6 notation. Returns -1 if invalid. */
static int64_t parse_count(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < 1 || v > 1e10 || v != (double)(int64_t)v) return -1;
    return (int64_t)v;
}

int main(int argc, char **argv)
{
    int64_t only_workers = 0, only_threads = 0, only_months = 0;
    for (int a = 1; a < argc; a++) {
        int64_t *dst = NULL;
        if (!strcmp(argv[a], "--workers")) dst = &only_workers;
        else if (!strcmp(argv[a], "--threads")) dst = &only_threads;
        else if (!strcmp(argv[a], "--months")) dst = &only_months;
        else if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) { usage(stdout); return 0; }
        if (!dst || a + 1 >= argc || (*dst = parse_count(argv[a + 1])) < 0) {
            fprintf(stderr, "bench_kernel: bad argument '%s'%s\n", argv[a], dst ? " (expects a positive integer)" : "");
            usage(stderr);
            return 2;
        }
        a++;
    }
    if (only_threads > 256) { fprintf(stderr, "bench_kernel: --threads %lld is above 256\n", (long long)only_threads); return 2; }
    int64_t env_months = 0;
    const char *bm = getenv("BENCH_MONTHS");
    if (bm && *bm && (env_months = parse_count(bm)) < 0) {
        fprintf(stderr, "bench_kernel: BENCH_MONTHS='%s' is not a positive integer\n", bm);
        return 2;
    }

    int64_t sizes[2] = {1000000, 10000000};
    int n_sizes = 2;
    if (only_workers) { sizes[0] = only_workers; n_sizes = 1; }
    int thread_counts[2] = {1, 2};
    int n_thr = 2;
    if (only_threads) { thread_counts[0] = (int)only_threads; n_thr = 1; }

    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/baseline.ini", INCUBATOR_SOURCE_DIR);
    scenario sc;
    inc_err e = {0};
    if (scenario_load(&sc, path, NULL, 0, &e) != INC_OK) {
        fprintf(stderr, "bench_kernel: %s\n", e.msg);
        return 1;
    }

#ifdef NDEBUG
    const char *build = "optimised, assertions off";
#else
    const char *build = "assertions on (not an optimised build: numbers are not representative)";
#endif
    printf("bench_kernel: scenario %s\n", path);
    printf("build: %s; %d processors available to OpenMP\n", build, omp_get_num_procs());
    double load = load_average();
    if (load >= 0)
        printf("load average before the run: %.2f runnable processes (1 min)%s\n", load,
               load > 0.5 ? ": other processes compete for the processors, timings (above all with 2 threads) are "
                            "not reliable"
                          : "");
    const char *wait = getenv("OMP_WAIT_POLICY");
    printf("OMP_WAIT_POLICY=%s\n", wait && *wait ? wait
                                                 : "(unset: threads spin at barriers; on a loaded machine 2 threads can "
                                                   "be several times slower than 1, set OMP_WAIT_POLICY=passive)");
    printf("timed months follow one untimed warm-up month; memory in bytes (B) per worker agent\n\n");
    printf("%10s %8s %7s %9s %9s %10s %14s %9s %9s %10s %10s %10s %10s\n", "workers", "threads", "months",
           "init", "run", "per month", "throughput", "wk cols", "wk cols", "firm cols", "firm slots", "RSS now",
           "peak RSS");
    printf("%10s %8s %7s %9s %9s %10s %14s %9s %9s %10s %10s %10s %10s\n", "[agents]", "[count]", "[count]", "[s]",
           "[s]", "[ms]", "[wk-months/s]", "[B/wk]", "[B/wk]", "[B/wk]", "[per wk]", "[B/wk]", "[B/wk]");
    printf("%10s %8s %7s %9s %9s %10s %14s %9s %9s %10s %10s %10s %10s\n", "", "", "", "", "", "", "", "(api)",
           "(types)", "", "", "", "");

    result res[MAX_CONFIGS];
    int n_res = 0, status = 0;
    for (int si = 0; si < n_sizes; si++)
        for (int ti = 0; ti < n_thr; ti++) {
            result *r = &res[n_res++];
            memset(r, 0, sizeof *r);
            r->workers = sizes[si];
            r->threads = thread_counts[ti];
            r->months = only_months ? (int)only_months : env_months ? (int)env_months : sizes[si] < 5000000 ? 6 : 3;
            run_config(&sc, r);
            if (!r->ok) {
                printf("%10lld %8d %7d   FAILED (see the message above)\n", (long long)r->workers, r->threads, r->months);
                status = 1;
                continue;
            }
            double per_month_ms = 1e3 * r->run_s / r->months;
            double thr = (double)r->workers * r->months / r->run_s;
            printf("%10lld %8d %7d %9.2f %9.3f %10.1f %14.3e %9.1f %9zu %10.1f %10.4f %10.1f %10.1f\n",
                   (long long)r->workers, r->threads, r->months, r->init_s, r->run_s, per_month_ms, thr,
                   r->worker_bytes_api, r->worker_bytes_types, r->firm_bytes_per_worker, r->firm_slots_per_worker,
                   r->rss_now / (double)r->workers, r->rss_peak / (double)r->workers);
            fflush(stdout);
        }

    printf("\n");
    /* Memory budget of the worker columns, and world_bytes_per_worker kept in
     * step with the column types. */
    for (int k = 0; k < n_res; k++) {
        if (!res[k].ok) continue;
        printf("worker columns: %zu B/worker summed from the column types, %.1f B/worker by world_bytes_per_worker: %s; "
               "budget %d B/worker: %s\n",
               res[k].worker_bytes_types, res[k].worker_bytes_api,
               (double)res[k].worker_bytes_types == res[k].worker_bytes_api ? "agree" : "DISAGREE (update world_bytes_per_worker)",
               WORKER_BUDGET_BYTES, res[k].worker_bytes_types <= WORKER_BUDGET_BYTES ? "within" : "OVER BUDGET");
        if (res[k].worker_bytes_types > WORKER_BUDGET_BYTES) status = 1;
        break;
    }
    /* Speedup and identical results across thread counts, per size. */
    for (int si = 0; si < n_sizes; si++) {
        const result *base = NULL;
        for (int k = 0; k < n_res; k++)
            if (res[k].workers == sizes[si] && res[k].ok && (!base || res[k].threads < base->threads)) base = &res[k];
        if (!base) continue;
        for (int k = 0; k < n_res; k++) {
            const result *r = &res[k];
            if (r->workers != sizes[si] || !r->ok || r == base) continue;
            double speedup = (base->run_s / base->months) / (r->run_s / r->months);
            int same_gdp = memcmp(&base->gdp, &r->gdp, sizeof(double)) == 0;
            int same_all = base->outputs_hash == r->outputs_hash;
            printf("%lld workers: speedup of %d threads over %d: %.2fx (per month %.1f ms vs %.1f ms); national GDP in "
                   "the last month: %s (%.17g vs %.17g yuan/month); all outputs of the last month: %s\n",
                   (long long)sizes[si], r->threads, base->threads, speedup, 1e3 * r->run_s / r->months,
                   1e3 * base->run_s / base->months, same_gdp ? "identical" : "DIFFERENT", base->gdp, r->gdp,
                   same_all ? "identical" : "DIFFERENT");
            if (base->months != r->months)
                printf("  (note: different numbers of months, so the last months differ)\n");
            else if (!same_gdp || !same_all)
                status = 1;
        }
    }
    scenario_free(&sc);
    return status;
}
