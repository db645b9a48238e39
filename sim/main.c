/* main.c - the incubator-sim command line: load a scenario, build the world,
 * step it month by month, write the HDF5 trajectory, print a summary.
 * The only file that decides to exit (docs/design.md "Input and errors"). */
#include "phases.h"
#include "h5out.h"
#include "checkpoint.h"
#include "strutil.h"
#include "publish.h"
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <omp.h>
#include <gsl/gsl_errno.h>

/* Set by SIGINT/SIGTERM: the run stops after the current month. The one
 * global of the program: a signal handler can reach nothing else. */
static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) { stop_requested = sig; }

static void usage(FILE *f)
{
    fputs("usage: incubator-sim SCENARIO.ini [options]\n"
          "\n"
          "Simulate the incubator-state economy month by month and write an HDF5\n"
          "trajectory (schema: docs/output.md).\n"
          "\n"
          "options:\n"
          "  --seed N             random seed (overrides run.seed)\n"
          "  --set SECTION.KEY=V  override any scenario key (repeatable)\n"
          "  --months N           months to simulate (overrides run.months)\n"
          "  --workers N          number of worker agents (persons per agent then\n"
          "                       follows from scale.labour_force); at least enough to\n"
          "                       give every node of the node table one agent\n"
          "  --out FILE.h5        output file (default results/SCENARIO_sSEED.h5)\n"
          "  --force              overwrite an existing output file\n"
          "  --threads N          OpenMP threads (default: OMP_NUM_THREADS or all cores);\n"
          "                       results are identical for any N; more than the\n"
          "                       available processors are capped with a warning\n"
          "  --force-threads      use --threads N even above the available processors\n"
          "  --quiet              no progress lines\n"
          "  --checkpoint-every M write a checkpoint every M months (complete state and\n"
          "                       the outputs so far)\n"
          "  --checkpoint FILE    checkpoint path (default: the output without .h5 plus\n"
          "                       .ckpt.h5); removed when the run completes\n"
          "  --snapshot-every M   write the worker and firm columns every M months\n"
          "                       (micro data, docs/output.md)\n"
          "  --snapshot FILE      snapshot file (default: the output without .h5 plus\n"
          "                       .snap.h5)\n"
          "  --resume FILE        continue the run a checkpoint was written by (same\n"
          "                       scenario, --set, --seed and --workers); the output is\n"
          "                       identical to that of an uninterrupted run\n"
          "  --list-params        print every scenario key with unit, range, description\n"
          "  --version            print the version and exit\n"
          "  --help               this text\n"
          "\n"
          "exit codes: 0 ok, 2 bad input, 3 file error, 4 audit or numeric failure,\n"
          "5 out of memory, 75 stopped by SIGTERM, SIGINT or SIGUSR1 after writing a\n"
          "checkpoint (resume with --resume; no output file is written)\n",
          f);
}

/* Parse the value of integer option `opt` (as the user typed it) within
 * [lo, hi]; `what` names the scenario key it sets or the unit, for the
 * message. Returns 0 with *out set, or prints the error (naming the option and
 * the accepted range) and returns 2, the exit code of bad input. */
static int int_option(const char *opt, const char *text, int64_t lo, int64_t hi, const char *what, int64_t *out)
{
    int64_t v = 0;
    int rc = su_parse_int64(text, &v);
    if (rc == 0 && v >= lo && v <= hi) {
        *out = v;
        return 0;
    }
    fprintf(stderr, "incubator-sim: %s %s: %s: accepted an integer in [%" PRId64 ", %" PRId64 "] (%s)\n", opt, text,
            rc == SU_NOT_NUMBER ? "not an integer" : "out of range", lo, hi, what);
    return 2;
}

/* The range params.def gives an INT key. */
static void key_range(int id, int64_t *lo, int64_t *hi)
{
    *lo = params_at(id)->ilo;
    *hi = params_at(id)->ihi;
}

/* Options that take a value: their value is never read as an option. */
static int takes_value(const char *o)
{
    static const char *const with_value[] = {"--seed", "--set", "--months", "--workers", "--out", "--threads",
                                             "--checkpoint-every", "--checkpoint", "--snapshot-every", "--snapshot",
                                             "--resume"};
    for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
        if (!strcmp(o, with_value[k])) return 1;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *scen_path = NULL, *out_path = NULL, *ckpt_path = NULL, *resume_path = NULL;
    int64_t ckpt_every = 0, snap_every = 0;
    const char *snap_path = NULL;
    const char **sets = calloc((size_t)argc + 4, sizeof(char *));
    char seed_set[64], months_set[64];
    int n_sets = 0, force = 0, quiet = 0, force_threads = 0;
    int64_t threads = 0, workers = 0;
    if (!sets) return 5;
    /* --help, --version and --list-params answer first, whatever else is on
     * the line and without a scenario. */
    for (int a = 1; a < argc; a++) {
        const char *o = argv[a];
        if (takes_value(o)) { a++; continue; }
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) { usage(stdout); free(sets); return 0; }
        if (!strcmp(o, "--version")) { printf("incubator-sim %s (git %s)\n", INCUBATOR_VERSION, INCUBATOR_GIT_REV); free(sets); return 0; }
        if (!strcmp(o, "--list-params")) { params_print_table(stdout); free(sets); return 0; }
    }
    int64_t lo, hi;
    for (int a = 1; a < argc; a++) {
        const char *o = argv[a];
        int has_val = a + 1 < argc;
        int bad = 0;
        if (!strcmp(o, "--force")) force = 1;
        else if (!strcmp(o, "--force-threads")) force_threads = 1;
        else if (!strcmp(o, "--quiet") || !strcmp(o, "-q")) quiet = 1;
        else if (!strcmp(o, "--set") && has_val) sets[n_sets++] = argv[++a];
        else if (!strcmp(o, "--out") && has_val) out_path = argv[++a];
        else if (!strcmp(o, "--checkpoint") && has_val) ckpt_path = argv[++a];
        else if (!strcmp(o, "--resume") && has_val) resume_path = argv[++a];
        else if (!strcmp(o, "--snapshot") && has_val) snap_path = argv[++a];
        else if (!strcmp(o, "--snapshot-every") && has_val) {
            key_range(PARAM_ID_run_months, &lo, &hi);
            bad = int_option(o, argv[++a], 1, hi, "months", &snap_every);
        } else if (!strcmp(o, "--checkpoint-every") && has_val) {
            key_range(PARAM_ID_run_months, &lo, &hi);
            bad = int_option(o, argv[++a], 1, hi, "months", &ckpt_every);
        } else if (!strcmp(o, "--seed") && has_val) {
            /* Checked here so that the message names --seed, not run.seed. */
            int64_t v = 0;
            key_range(PARAM_ID_run_seed, &lo, &hi);
            bad = int_option(o, argv[++a], lo, hi, "sets run.seed", &v);
            snprintf(seed_set, sizeof seed_set, "run.seed=%" PRId64, v);
            if (!bad) sets[n_sets++] = seed_set;
        } else if (!strcmp(o, "--months") && has_val) {
            int64_t v = 0;
            key_range(PARAM_ID_run_months, &lo, &hi);
            bad = int_option(o, argv[++a], lo, hi, "sets run.months", &v);
            snprintf(months_set, sizeof months_set, "run.months=%" PRId64, v);
            if (!bad) sets[n_sets++] = months_set;
        } else if (!strcmp(o, "--threads") && has_val) {
            bad = int_option(o, argv[++a], 1, 1024, "OpenMP threads", &threads);
        } else if (!strcmp(o, "--workers") && has_val) {
            bad = int_option(o, argv[++a], 1, 2000000000, "worker agents", &workers);
        } else if (o[0] == '-') {
            fprintf(stderr, "incubator-sim: unknown option or missing value: %s (see --help)\n", o);
            bad = 2;
        } else if (!scen_path) scen_path = o;
        else { fprintf(stderr, "incubator-sim: more than one scenario given: %s and %s\n", scen_path, o); bad = 2; }
        if (bad) { free(sets); return bad; }
    }
    if (!scen_path) { usage(stderr); free(sets); return 2; }

    /* Signals first: a scheduler's SIGTERM may come while the world is still
     * being built; the run then stops after its first month with a
     * checkpoint. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    gsl_set_error_handler_off();
    h5out_quiet();
    /* More threads than processors only wait on each other (a run with
     * --threads 1000 on 2 cores is about 50 times slower): capped, with a
     * warning, unless forced. Results are the same for any count. */
    int procs = omp_get_num_procs();
    if (threads > procs && !force_threads) {
        fprintf(stderr, "incubator-sim: warning: --threads %" PRId64 " is more than the %d available processors: using %d "
                        "(--force-threads to use %" PRId64 ")\n", threads, procs, procs, threads);
        threads = procs;
    }
    if (threads > 0) omp_set_num_threads((int)threads);
    int n_threads = omp_get_max_threads();

    inc_err err = {0};
    scenario sc;
    inc_status st = scenario_load(&sc, scen_path, sets, n_sets, &err);
    free(sets);
    if (st != INC_OK) { fprintf(stderr, "incubator-sim: %s\n", err.msg); return inc_exit_code(st); }

    /* Every node needs a worker agent: with fewer, world_init would leave a
     * node empty and the run would go on with its economy missing. */
    int least;
    int64_t min_workers = tables_min_workers(sc.nodes, sc.n_nodes, &least);
    int64_t n_workers = workers > 0 ? workers : llround(sc.p.scale_labour_force / sc.p.scale_persons_per_agent);
    if (n_workers < min_workers) {
        double share = 0;
        for (int n = 0; n < sc.n_nodes; n++) share += sc.nodes[n].population;
        share = sc.nodes[least].population / share;
        if (workers > 0)
            fprintf(stderr, "incubator-sim: --workers %" PRId64 ": too few: accepted at least %" PRId64
                            " worker agents, the fewest that give every node of %s one (%s has %.3g%% of the population)\n",
                    workers, min_workers, sc.p.data_nodes, sc.nodes[least].name, 100 * share);
        else
            fprintf(stderr, "incubator-sim: %s: scale.labour_force / scale.persons_per_agent gives %" PRId64
                            " worker agents: accepted at least %" PRId64 ", the fewest that give every node of %s one (%s has "
                            "%.3g%% of the population)\n",
                    scen_path, n_workers, min_workers, sc.p.data_nodes, sc.nodes[least].name, 100 * share);
        scenario_free(&sc);
        return 2;
    }

    char default_out[1024];
    if (!out_path) {
        if (mkdir("results", 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "incubator-sim: cannot create folder results: %s (use --out FILE.h5)\n", strerror(errno));
            scenario_free(&sc);
            return 3;
        }
        snprintf(default_out, sizeof default_out, "results/%s_s%lld.h5", sc.name, (long long)sc.p.run_seed);
        out_path = default_out;
    }
    size_t ol = strlen(out_path);
    if (ol < 4 || strcmp(out_path + ol - 3, ".h5") != 0) {
        fprintf(stderr, "incubator-sim: --out %s: the output file name must end in .h5\n", out_path);
        scenario_free(&sc);
        return 2;
    }

    char default_ckpt[1100];
    if (!ckpt_path) {
        snprintf(default_ckpt, sizeof default_ckpt, "%.*s.ckpt.h5", (int)(strlen(out_path) - 3), out_path);
        ckpt_path = default_ckpt;
    }

    char default_snap[1100];
    if (!snap_path) {
        snprintf(default_snap, sizeof default_snap, "%.*s.snap.h5", (int)(strlen(out_path) - 3), out_path);
        snap_path = default_snap;
    }
    /* Snapshots grow month by month in SNAP.partial (kept for a resume) and
     * take their name when the run completes: a .h5 is never incomplete. */
    char snap_partial[1200];
    snprintf(snap_partial, sizeof snap_partial, "%s.partial", snap_path);

    /* The command line, for the output's attributes. */
    size_t cl_len = 1;
    for (int a = 0; a < argc; a++) cl_len += strlen(argv[a]) + 1;
    char *cmdline = calloc(cl_len, 1);
    for (int a = 0; cmdline && a < argc; a++) { strcat(cmdline, argv[a]); if (a + 1 < argc) strcat(cmdline, " "); }

    world w;
    double t0 = now_s();
    st = world_init(&w, &sc, n_threads, workers, &err);
    if (st != INC_OK) {
        fprintf(stderr, "incubator-sim: %s: %s\n", scen_path, err.msg);
        scenario_free(&sc); free(cmdline);
        return inc_exit_code(st);
    }
    stats_aggregate(&w);
    ckpt_history *hist = ckpt_history_alloc(w.n_nodes, w.n_sectors, w.months);
    if (!hist) { fprintf(stderr, "incubator-sim: out of memory (output history)\n"); return 5; }
    if (resume_path) {
        st = ckpt_read(&w, hist, resume_path, &err);
        if (st != INC_OK) {
            fprintf(stderr, "incubator-sim: %s\n", err.msg);
            ckpt_history_free(hist); world_free(&w); scenario_free(&sc); free(cmdline);
            return inc_exit_code(st);
        }
    }
    stats_t *stats = stats_alloc(w.n_nodes, w.n_sectors);
    const char **node_names = calloc((size_t)w.n_nodes, sizeof(char *));
    const char **sector_names = calloc((size_t)w.n_sectors, sizeof(char *));
    if (!stats || !node_names || !sector_names || !cmdline) {
        fprintf(stderr, "incubator-sim: out of memory\n");
        return 5;
    }
    for (int n = 0; n < w.n_nodes; n++) node_names[n] = sc.nodes[n].name;
    for (int s = 0; s < w.n_sectors; s++) sector_names[s] = sc.sectors[s].name;
    /* Node and sector attributes for the output (inland/coastal, hard tech). */
    static const char *const kinds[] = {"city", "rest", "rural"};
    static const char *const regions[] = {"East", "Central", "West", "Northeast"};
    const char **node_kind = calloc((size_t)w.n_nodes, sizeof(char *));
    const char **node_region = calloc((size_t)w.n_nodes, sizeof(char *));
    int *node_coastal = calloc((size_t)w.n_nodes, sizeof(int));
    int *sector_hard_tech = calloc((size_t)w.n_sectors, sizeof(int));
    int *sector_tradable = calloc((size_t)w.n_sectors, sizeof(int));
    double *sector_alpha = calloc((size_t)w.n_sectors, sizeof(double));
    if (!node_kind || !node_region || !node_coastal || !sector_hard_tech || !sector_tradable || !sector_alpha) {
        fprintf(stderr, "incubator-sim: out of memory\n");
        return 5;
    }
    for (int n = 0; n < w.n_nodes; n++) {
        node_kind[n] = kinds[sc.nodes[n].kind];
        node_region[n] = regions[sc.nodes[n].region];
        node_coastal[n] = sc.nodes[n].coastal;
    }
    for (int s = 0; s < w.n_sectors; s++) {
        sector_hard_tech[s] = sc.sectors[s].hard_tech;
        sector_tradable[s] = sc.sectors[s].tradable;
        sector_alpha[s] = sc.sectors[s].alpha;
    }
    h5out_meta meta = {out_path, force, w.n_nodes, w.n_sectors, w.months, sc.p.run_start, node_names,
                       sector_names, sc.name, sc.resolved, cmdline, (uint64_t)sc.p.run_seed, n_threads, w.scale,
                       node_kind, node_region, node_coastal, sector_hard_tech, sector_tradable, sector_alpha};
    h5out *out = NULL;
    st = h5out_open(&out, &meta, &err);
    if (st != INC_OK) {
        fprintf(stderr, "incubator-sim: %s\n", err.msg);
        stats_free(stats); ckpt_history_free(hist); world_free(&w); scenario_free(&sc); free(cmdline);
        free(node_names); free(sector_names); free(node_kind); free(node_region); free(node_coastal);
        free(sector_hard_tech); free(sector_tradable); free(sector_alpha);
        return inc_exit_code(st);
    }
    /* A resumed run rewrites the closed years' OD matrices first (their
     * datasets have their own dimension), then replays the months. */
    for (int y = 0; y < hist->years && st == INC_OK; y++)
        st = h5out_append_od(out, hist->od_year[y], hist->od_months[y],
                             hist->od + (size_t)y * (size_t)w.n_nodes * (size_t)w.n_nodes, w.scale, &err);
    const int t_resume = hist->months;

    if (!quiet)
        fprintf(stderr, "incubator-sim: %s, seed %lld, %zu worker agents (%.0f persons each), %zu firm agents, %d months, %d threads -> %s\n",
                sc.name, (long long)sc.p.run_seed, w.wk.n, w.scale, w.fm.n, w.months, n_threads, out_path);
    double t_start = now_s(), t_last = t_start;
    double gdp_first = 0, gdp_last = 0, u_sum = 0;
    int u_n = 0;
    for (int t = 0; t < w.months && st == INC_OK; t++) {
        const int replay = t < t_resume;
        if (replay) ckpt_history_get(hist, t, stats);
        else {
            st = sim_month(&w, stats, &err);
            if (st == INC_OK) st = ckpt_history_add(hist, stats, &err);
        }
        if (st == INC_OK) st = h5out_append(out, stats, t, &err);
        if (st == INC_OK && !replay && w.year_closed) {
            /* The year's origin-destination matrix (reset each January in
             * sim.c); a partial first or last year holds the months run. */
            int last = w.calendar - 1, year = last / 12;
            int first = sc.p.run_start > 12 * year ? sc.p.run_start : 12 * year;
            st = h5out_append_od(out, year, last - first + 1, w.nd.od, w.scale, &err);
            if (st == INC_OK) st = ckpt_history_add_od(hist, year, last - first + 1, w.nd.od, &err);
        }
        if (st != INC_OK) break;
        if (t < 12) gdp_first += stats->f[OUT_NATIONAL_gdp_real][0];
        if (t >= w.months - 12) gdp_last += stats->f[OUT_NATIONAL_gdp_real][0];
        u_sum += stats->f[OUT_NATIONAL_unemployment_rate][0];
        u_n++;
        double now = now_s();
        if (!quiet && (now - t_last > 2.0 || t == w.months - 1)) {
            char mon[16];
            month_format(w.calendar - 1, mon, sizeof mon);
            fprintf(stderr, "  %s  month %3d/%d  %7.1f s  %.3g worker-months/s  GDP %.4g tn yuan/yr  u %.1f%%  firms %.0f\n",
                    mon, t + 1, w.months, now - t_start, (double)w.wk.n * (t + 1) / (now - t_start),
                    12 * stats->f[OUT_NATIONAL_gdp][0] / 1e12, 100 * stats->f[OUT_NATIONAL_unemployment_rate][0],
                    stats->f[OUT_NATIONAL_firms_alive][0]);
            t_last = now;
        }
        if (replay) continue;
        if (stop_requested && t + 1 < w.months) {
            /* A scheduler's time limit: finish the month, save, exit 75. */
            inc_status cs = ckpt_write(&w, hist, ckpt_path, &err);
            if (cs == INC_OK)
                st = inc_fail(&err, INC_ERR_INTERRUPTED,
                              "stopped by signal %d after month %d of %d; checkpoint %s written: resume with --resume %s",
                              (int)stop_requested, t + 1, w.months, ckpt_path, ckpt_path);
            else
                st = cs;
            break;
        }
        if (snap_every > 0 && (t + 1) % snap_every == 0) {
            st = ckpt_snapshot(&w, snap_partial, &err);
            if (st != INC_OK) break;
        }
        if (ckpt_every > 0 && (t + 1) % ckpt_every == 0 && t + 1 < w.months) {
            st = ckpt_write(&w, hist, ckpt_path, &err);
            if (st != INC_OK) break;
        }
    }
    int rc = 0;
    if (st != INC_OK) {
        h5out_abort(out);
        fprintf(stderr, "incubator-sim: %s\n", err.msg);
        rc = inc_exit_code(st);
    } else if ((st = h5out_close(out, &err)) != INC_OK) {
        fprintf(stderr, "incubator-sim: %s\n", err.msg);
        rc = inc_exit_code(st);
    } else if (snap_every > 0 && (st = publish_file(snap_partial, snap_path, 1, &err)) != INC_OK) {
        /* The snapshots are published like the output; failing to is an error. */
        fprintf(stderr, "incubator-sim: %s\n", err.msg);
        rc = inc_exit_code(st);
    } else {
        /* The run is complete: its checkpoint is of no more use. */
        if (unlink(ckpt_path) != 0 && errno != ENOENT)
            fprintf(stderr, "incubator-sim: warning: the run is complete but its checkpoint %s could not be removed: %s "
                    "(remove it by hand)\n", ckpt_path, strerror(errno));
        double years = (w.months - 12) / 12.0;
        printf("scenario %s, seed %lld: %d months from ", sc.name, (long long)sc.p.run_seed, w.months);
        char a[16], b[16];
        month_format(sc.p.run_start, a, sizeof a);
        month_format(sc.p.run_start + w.months - 1, b, sizeof b);
        printf("%s to %s, %.1f s\n", a, b, now_s() - t0);
        if (w.months >= 24)
            printf("  real GDP growth           %6.2f %%/yr (first to last year)\n", 100 * (pow(gdp_last / gdp_first, 1.0 / years) - 1));
        printf("  real GDP, last month      %8.2f tn 2019 yuan/yr\n", 12 * stats->f[OUT_NATIONAL_gdp_real][0] / 1e12);
        printf("  unemployment rate         %6.2f %% (mean), %.2f %% (last month)\n", 100 * u_sum / u_n, 100 * stats->f[OUT_NATIONAL_unemployment_rate][0]);
        printf("  mean wage, last month     %8.0f yuan/month\n", stats->f[OUT_NATIONAL_mean_wage][0]);
        double gdp_y = 12 * stats->f[OUT_NATIONAL_gdp][0];
        printf("  firm loans / GDP          %6.2f\n", stats->f[OUT_NATIONAL_firm_loans][0] / gdp_y);
        printf("  LGFV debt / GDP           %6.2f\n", stats->f[OUT_NATIONAL_lgfv_debt][0] / gdp_y);
        printf("  central debt / GDP        %6.2f\n", stats->f[OUT_NATIONAL_central_debt][0] / gdp_y);
        printf("  firms alive               %8.0f\n", stats->f[OUT_NATIONAL_firms_alive][0]);
        printf("  stock-flow residual       %lld fen in every month\n", (long long)stats->i[OUT_NATIONAL_sfc_residual][0]);
        printf("  output                    %s\n", out_path);
    }
    stats_free(stats);
    ckpt_history_free(hist);
    world_free(&w);
    scenario_free(&sc);
    free(cmdline); free(node_names); free(sector_names);
    free(node_kind); free(node_region); free(node_coastal); free(sector_hard_tech); free(sector_tradable);
    free(sector_alpha);
    return rc;
}
