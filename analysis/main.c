/* main.c - the incubator-analyze command line: summary, compare, plot and
 * check over incubator-sim's HDF5 outputs (docs/analysis.md). The only file
 * that prints errors and decides the exit code.
 *
 * Files are read one at a time: each is opened, validated, reduced to its
 * outcomes (and plot series, and the two monthly series compare needs), and
 * its datasets are freed before the next, so memory does not grow with the
 * size of the runs, only with their number. */
#include "month.h"
#include "common.h"
#include "ensemble.h"
#include "integrity.h"
#include "outcomes.h"
#include "plot.h"
#include "report.h"
#include "runfile.h"
#include "runmeta.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <hdf5.h>

#define LEVEL 0.95 /* confidence level of every interval */

static void usage(FILE *f)
{
    fputs("usage: incubator-analyze COMMAND [options] FILE...\n"
          "\n"
          "Outcomes of incubator-sim runs (HDF5 files) in the terms of the field: GDP,\n"
          "debt, productivity, the shift inland, entry quality and cost, with\n"
          "uncertainty across seeds. Definitions: docs/analysis.md.\n"
          "\n"
          "commands:\n"
          "  summary FILE...                   one row per scenario (files grouped by the\n"
          "                                    scenario name stored in them): mean and 95%\n"
          "                                    confidence interval over seeds of each outcome\n"
          "  compare --reference NAME FILE...  each other scenario minus the reference,\n"
          "                                    paired by seed, with 95% intervals, plus GDP\n"
          "                                    gained per yuan of subsidy\n"
          "  plot FILE... --out DIR            PNG figures (gnuplot): gdp, tfp, debt, inland,\n"
          "                                    registrations; one line per scenario (mean)\n"
          "                                    with a band (range across seeds)\n"
          "  check FILE...                     integrity of each file: status, months,\n"
          "                                    datasets, NaN, stock-flow residual, bounds\n"
          "\n"
          "options:\n"
          "  --format text|csv|json|markdown   table format of summary and compare (default text)\n"
          "  --reference NAME                  compare: the reference scenario\n"
          "  --out DIR                         plot: output folder (created when missing)\n"
          "  --allow-mismatch                  summary, compare: pool or pair files that differ\n"
          "                                    in workers, months, start or scenario (warns)\n"
          "  --keep-going                      when a file is bad, report it and analyse the\n"
          "                                    others (the exit code still says it failed)\n"
          "  --help                            this text\n"
          "  --version                         print the version and exit\n"
          "\n"
          "exit codes: 0 ok, 1 check found a failure, 2 bad input file (not HDF5, not an\n"
          "incubator-sim output, partial or incomplete run, missing dataset), 3 bad command\n"
          "line, 4 files cannot be pooled or paired (seeds, workers, months, start, scenario), 5 output cannot be written (gnuplot\n"
          "missing or failing), 6 out of memory. Errors are one line on stderr:\n"
          "\"incubator-analyze: FILE: what is wrong\".\n",
          f);
}

/* The help of one command: `incubator-analyze COMMAND --help`. Returns 0, or
 * -1 when cmd is not a command (the global help applies). */
static int usage_command(const char *cmd, FILE *f)
{
    static const char *const pool =
        "Files are pooled (same scenario) or paired (reference and other scenario)\n"
        "only when they agree on the worker count, the months and the start month and,\n"
        "within one scenario, on the whole resolved scenario apart from the seed;\n"
        "otherwise the command stops with exit code 4 naming the difference.\n"
        "  --allow-mismatch    go on anyway, with a warning naming each difference\n";
    static const char *const common =
        "  --keep-going        when a file is bad, report it and analyse the others\n"
        "                      (the exit code still says it failed)\n"
        "  --help              this text\n"
        "Exit codes: 0 ok, 2 bad input file, 3 bad command line, 4 files cannot be\n"
        "pooled or paired, 5 output cannot be written, 6 out of memory\n"
        "(docs/analysis.md).\n";
    if (!strcmp(cmd, "summary")) {
        fputs("usage: incubator-analyze summary [--format text|csv|json|markdown] [--allow-mismatch]\n"
              "                                 [--keep-going] FILE...\n"
              "\n"
              "One row per scenario (files grouped by the scenario name stored in them):\n"
              "mean and 95% confidence interval over seeds of each outcome.\n", f);
        fputs(pool, f);
        fputs("  --format FORMAT     table format: text (default), csv, json or markdown\n", f);
    } else if (!strcmp(cmd, "compare")) {
        fputs("usage: incubator-analyze compare --reference NAME [--format text|csv|json|markdown]\n"
              "                                 [--allow-mismatch] [--keep-going] FILE...\n"
              "\n"
              "Each other scenario minus the reference scenario NAME, paired by seed, with\n"
              "95% intervals, plus GDP gained per yuan of subsidy. Every scenario must have\n"
              "a file for each seed of the reference and the reverse.\n", f);
        fputs(pool, f);
        fputs("  --reference NAME    the reference scenario (e.g. baseline)\n"
              "  --format FORMAT     table format: text (default), csv, json or markdown\n", f);
    } else if (!strcmp(cmd, "plot")) {
        fputs("usage: incubator-analyze plot --out DIR [--keep-going] FILE...\n"
              "\n"
              "PNG figures (gnuplot) in DIR (created when missing): gdp, tfp, debt, inland,\n"
              "registrations; one line per scenario (mean) with a band (range across seeds).\n"
              "  --out DIR           output folder\n", f);
    } else if (!strcmp(cmd, "check")) {
        fputs("usage: incubator-analyze check [--keep-going] FILE...\n"
              "\n"
              "Integrity of each file: status, months, datasets, NaN, stock-flow residual,\n"
              "bounds. Exit code 1 when a check fails.\n", f);
    } else {
        return -1;
    }
    fputs(common, f);
    return 0;
}

typedef enum { CMD_SUMMARY, CMD_COMPARE, CMD_PLOT, CMD_CHECK } command;

typedef struct {
    command cmd;
    report_format format;
    const char *reference;
    const char *out_dir;
    int keep_going;
    int allow_mismatch;
    const char **files;
    int n_files;
} options;

/* One analysed file: what the commands need once its datasets are freed. */
typedef struct {
    const char *path;
    char *scenario;
    uint64_t seed;
    int start_ym, T, policy;
    double v[OC_SUMMARY_COUNT];
    double *gdp, *sub; /* compare: monthly series of outcome_compare_series */
    plot_series ps;    /* plot */
    runmeta meta;      /* summary, compare: what decides if files may be pooled or paired */
} run_rec;

/* The runs of one scenario, in ascending seed order. */
typedef struct {
    const char *scenario;
    run_rec **runs;
    int n;
} group;

static void rec_free(run_rec *r)
{
    free(r->scenario);
    free(r->gdp);
    free(r->sub);
    plot_series_free(&r->ps);
    runmeta_free(&r->meta);
}

/* Print an error line; the message names the file when there is one. */
static void print_err(const an_err *e) { fprintf(stderr, "incubator-analyze: %s\n", e->msg); }

static int parse_args(int argc, char **argv, options *o, an_err *e)
{
    memset(o, 0, sizeof *o);
    o->format = FORMAT_TEXT;
    const char *cmd = argv[1];
    if (!strcmp(cmd, "summary")) o->cmd = CMD_SUMMARY;
    else if (!strcmp(cmd, "compare")) o->cmd = CMD_COMPARE;
    else if (!strcmp(cmd, "plot")) o->cmd = CMD_PLOT;
    else if (!strcmp(cmd, "check")) o->cmd = CMD_CHECK;
    else return an_fail(e, AN_ERR_USAGE, "unknown command '%s' (expected summary, compare, plot or check; see --help)", cmd);
    o->files = calloc((size_t)argc, sizeof *o->files);
    if (!o->files) return an_fail(e, AN_ERR_NOMEM, "out of memory");
    int only_files = 0;
    for (int a = 2; a < argc; a++) {
        const char *s = argv[a];
        if (only_files || s[0] != '-' || !strcmp(s, "-")) {
            o->files[o->n_files++] = s;
            continue;
        }
        if (!strcmp(s, "--")) {
            only_files = 1;
            continue;
        }
        const char *val = NULL;
        char name[32];
        const char *eq = strchr(s, '=');
        size_t nl = eq ? (size_t)(eq - s) : strlen(s);
        if (nl >= sizeof name) nl = sizeof name - 1;
        memcpy(name, s, nl);
        name[nl] = '\0';
        int takes = !strcmp(name, "--format") || !strcmp(name, "--reference") || !strcmp(name, "--out");
        if (takes) {
            if (eq) val = eq + 1;
            else if (a + 1 < argc) val = argv[++a];
            else return an_fail(e, AN_ERR_USAGE, "%s needs a value", name);
        } else if (eq) {
            return an_fail(e, AN_ERR_USAGE, "%s takes no value", name);
        }
        if (!strcmp(name, "--format")) {
            if (report_parse_format(val, &o->format) != 0)
                return an_fail(e, AN_ERR_USAGE, "--format %s: expected text, csv, json or markdown", val);
        } else if (!strcmp(name, "--reference")) {
            o->reference = val;
        } else if (!strcmp(name, "--out")) {
            o->out_dir = val;
        } else if (!strcmp(name, "--keep-going")) {
            o->keep_going = 1;
        } else if (!strcmp(name, "--allow-mismatch")) {
            o->allow_mismatch = 1;
        } else {
            return an_fail(e, AN_ERR_USAGE, "unknown option '%s' (see --help)", s);
        }
    }
    if (o->n_files == 0) return an_fail(e, AN_ERR_USAGE, "%s: no input file given", cmd);
    if (o->cmd == CMD_COMPARE && !o->reference)
        return an_fail(e, AN_ERR_USAGE, "compare needs --reference SCENARIO (e.g. --reference baseline)");
    if (o->cmd != CMD_COMPARE && o->reference)
        return an_fail(e, AN_ERR_USAGE, "--reference is an option of compare only");
    if ((o->cmd == CMD_CHECK || o->cmd == CMD_PLOT) && o->allow_mismatch)
        return an_fail(e, AN_ERR_USAGE, "--allow-mismatch is an option of summary and compare only");
    if (o->cmd == CMD_PLOT && !o->out_dir) return an_fail(e, AN_ERR_USAGE, "plot needs --out DIR");
    if (o->cmd != CMD_PLOT && o->out_dir) return an_fail(e, AN_ERR_USAGE, "--out is an option of plot only");
    if ((o->cmd == CMD_CHECK || o->cmd == CMD_PLOT) && o->format != FORMAT_TEXT)
        return an_fail(e, AN_ERR_USAGE, "--format is an option of summary and compare only");
    return AN_OK;
}

/* Open, validate and reduce one file into r. */
static an_status load_one(const options *o, const char *path, run_rec *r, an_err *e)
{
    runfile rf;
    memset(&rf, 0, sizeof rf);
    memset(r, 0, sizeof *r);
    an_status st = runfile_open(path, &rf, e);
    if (st == AN_OK) {
        r->path = path;
        r->scenario = strdup(rf.scenario_name);
        r->seed = rf.seed;
        r->start_ym = rf.start_ym;
        r->T = rf.T;
        r->policy = rf.policy;
        if (!r->scenario) st = an_fail(e, AN_ERR_NOMEM, "%s: out of memory", path);
    }
    if (st == AN_OK) outcome_compute_all(&rf, r->v);
    if (st == AN_OK && o->cmd == CMD_COMPARE) {
        r->gdp = malloc((size_t)rf.T * sizeof(double));
        r->sub = malloc((size_t)rf.T * sizeof(double));
        if (!r->gdp || !r->sub) st = an_fail(e, AN_ERR_NOMEM, "%s: out of memory", path);
        else outcome_compare_series(&rf, r->gdp, r->sub);
    }
    if (st == AN_OK && o->cmd == CMD_PLOT) st = plot_series_from_run(&rf, &r->ps, e);
    if (st == AN_OK && (o->cmd == CMD_SUMMARY || o->cmd == CMD_COMPARE)) st = runmeta_read(path, &r->meta, e);
    runfile_free(&rf);
    if (st != AN_OK) rec_free(r);
    return st;
}

/* Load every file. A bad file is reported; without --keep-going the first one
 * stops the program (returns its status with *n_ok meaningless), with it the
 * others are loaded and *first_err keeps the first error status. Two files
 * with the same scenario and seed are bad input (the second is dropped). */
static an_status load_all(const options *o, run_rec *recs, int *n_ok, an_status *first_err)
{
    *n_ok = 0;
    *first_err = AN_OK;
    for (int i = 0; i < o->n_files; i++) {
        an_err e;
        run_rec *r = &recs[*n_ok];
        an_status st = load_one(o, o->files[i], r, &e);
        if (st == AN_OK)
            for (int j = 0; j < *n_ok; j++)
                if (recs[j].seed == r->seed && !strcmp(recs[j].scenario, r->scenario)) {
                    st = an_fail(&e, AN_ERR_INPUT, "%s: scenario '%s' with seed %llu is also in %s (one file per"
                                 " scenario and seed)", r->path, r->scenario, (unsigned long long)r->seed,
                                 recs[j].path);
                    rec_free(r);
                    break;
                }
        if (st == AN_OK) {
            (*n_ok)++;
            continue;
        }
        print_err(&e);
        if (*first_err == AN_OK) *first_err = st;
        if (!o->keep_going || st == AN_ERR_NOMEM) return st;
    }
    return AN_OK;
}

static int by_seed(const void *a, const void *b)
{
    const run_rec *x = *(run_rec *const *)a, *y = *(run_rec *const *)b;
    return x->seed < y->seed ? -1 : x->seed > y->seed;
}

/* Group recs by scenario in order of first appearance; runs sorted by seed.
 * *groups and each group's runs are malloc'ed (free with free_groups). */
static an_status make_groups(run_rec *recs, int n, group **groups, int *n_groups, an_err *e)
{
    *groups = calloc((size_t)(n ? n : 1), sizeof **groups);
    *n_groups = 0;
    if (!*groups) return an_fail(e, AN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        int g = 0;
        while (g < *n_groups && strcmp((*groups)[g].scenario, recs[i].scenario)) g++;
        if (g == *n_groups) {
            (*groups)[g].scenario = recs[i].scenario;
            (*groups)[g].runs = calloc((size_t)n, sizeof(run_rec *));
            if (!(*groups)[g].runs) return an_fail(e, AN_ERR_NOMEM, "out of memory");
            (*n_groups)++;
        }
        (*groups)[g].runs[(*groups)[g].n++] = &recs[i];
    }
    for (int g = 0; g < *n_groups; g++) qsort((*groups)[g].runs, (size_t)(*groups)[g].n, sizeof(run_rec *), by_seed);
    return AN_OK;
}

static void free_groups(group *groups, int n)
{
    if (!groups) return;
    for (int g = 0; g < n; g++) free(groups[g].runs);
    free(groups);
}

/* ---- which files may be pooled or paired ----------------------------------- */

/* Every file must agree with the first one (for compare: the first file of the
 * reference scenario) on workers, months and start, and with the first file of
 * its own scenario on the whole resolved scenario but the seed (runmeta.h).
 * Returns AN_ERR_PAIR naming the first difference, or, with --allow-mismatch,
 * prints a warning for each and returns AN_OK. */
static an_status check_comparable(const options *o, const run_rec *recs, int n, an_err *e)
{
    const char *cmd = o->cmd == CMD_COMPARE ? "compare" : "summary";
    int base = 0;
    if (o->cmd == CMD_COMPARE)
        for (int i = n - 1; i >= 0; i--)
            if (!strcmp(recs[i].scenario, o->reference)) base = i;
    for (int i = 0; i < n; i++) {
        int first = i;
        for (int j = 0; j < i; j++)
            if (!strcmp(recs[j].scenario, recs[i].scenario)) {
                first = j;
                break;
            }
        char why[400];
        const run_rec *other = NULL;
        if (i != base && runmeta_mismatch(&recs[base].meta, &recs[i].meta, 0, why, sizeof why)) other = &recs[base];
        else if (first != i && runmeta_mismatch(&recs[first].meta, &recs[i].meta, 1, why, sizeof why))
            other = &recs[first];
        if (!other) continue;
        if (!o->allow_mismatch)
            return an_fail(e, AN_ERR_PAIR,
                           "%s: %s (scenario '%s', seed %llu) and %s (scenario '%s', seed %llu) differ in %s: files of"
                           " different runs cannot be %s (--allow-mismatch to go on anyway)",
                           cmd, other->path, other->scenario, (unsigned long long)other->seed, recs[i].path,
                           recs[i].scenario, (unsigned long long)recs[i].seed, why,
                           o->cmd == CMD_COMPARE ? "paired or pooled" : "pooled or set side by side");
        fprintf(stderr, "incubator-analyze: warning: %s: %s and %s differ in %s (--allow-mismatch: analysed anyway)\n",
                cmd, other->path, recs[i].path, why);
    }
    return AN_OK;
}

/* ---- summary ------------------------------------------------------------ */

static an_status do_summary(const options *o, group *groups, int n_groups, an_err *e)
{
    report_row *rows = calloc((size_t)n_groups, sizeof *rows);
    uint64_t *seeds = calloc((size_t)o->n_files + 1, sizeof *seeds);
    double *x = calloc((size_t)o->n_files + 1, sizeof *x);
    an_status st = AN_OK;
    if (!rows || !seeds || !x) st = an_fail(e, AN_ERR_NOMEM, "out of memory");
    int used = 0;
    for (int g = 0; g < n_groups && st == AN_OK; g++) {
        report_row *row = &rows[g];
        row->scenario = groups[g].scenario;
        row->files = groups[g].n;
        row->seeds = seeds + used;
        row->n_seeds = groups[g].n;
        for (int r = 0; r < groups[g].n; r++) seeds[used + r] = groups[g].runs[r]->seed;
        used += groups[g].n;
        for (int k = 0; k < OC_COUNT; k++) {
            if (k >= OC_SUMMARY_COUNT) {
                row->ci[k] = ens_interval(NULL, 0, LEVEL);
                continue;
            }
            for (int r = 0; r < groups[g].n; r++) x[r] = groups[g].runs[r]->v[k];
            row->ci[k] = ens_interval(x, (size_t)groups[g].n, LEVEL);
        }
    }
    if (st == AN_OK) {
        report_table t = {"summary", NULL, OC_SUMMARY_COUNT, LEVEL, rows, n_groups};
        st = report_write(stdout, &t, o->format, e);
    }
    free(rows);
    free(seeds);
    free(x);
    return st;
}

/* ---- compare ------------------------------------------------------------ */

/* Write the seeds of g that h lacks into buf as "1, 3, 5-9" (runs of
 * consecutive seeds as ranges; g's runs are in ascending seed order).
 * Returns how many there are. */
static int missing_seeds(const group *g, const group *h, char *buf, size_t cap)
{
    int count = 0;
    size_t len = 0;
    buf[0] = '\0';
    uint64_t first = 0, last = 0;
    int open = 0;
    for (int i = 0; i <= g->n; i++) {
        int miss = 0;
        uint64_t s = 0;
        if (i < g->n) {
            s = g->runs[i]->seed;
            miss = 1;
            for (int j = 0; j < h->n && miss; j++) miss = h->runs[j]->seed != s;
        }
        if (miss && open && s == last + 1) {
            last = s;
        } else {
            if (open && len < cap) {
                if (first == last) len += (size_t)snprintf(buf + len, cap - len, "%s%llu", len ? ", " : "",
                                                           (unsigned long long)first);
                else len += (size_t)snprintf(buf + len, cap - len, "%s%llu-%llu", len ? ", " : "",
                                             (unsigned long long)first, (unsigned long long)last);
            }
            open = miss;
            first = last = s;
        }
        count += miss;
    }
    return count;
}

static an_status do_compare(const options *o, group *groups, int n_groups, an_status *late_err, an_err *e)
{
    int ref = -1;
    for (int g = 0; g < n_groups; g++)
        if (!strcmp(groups[g].scenario, o->reference)) ref = g;
    if (ref < 0) {
        char names[512] = "";
        size_t len = 0;
        for (int g = 0; g < n_groups && len < sizeof names; g++)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s'%s'", g ? ", " : "", groups[g].scenario);
        return an_fail(e, AN_ERR_PAIR, "compare: the reference scenario '%s' is not among the files (scenarios found: %s)",
                       o->reference, n_groups ? names : "none");
    }
    if (n_groups < 2)
        return an_fail(e, AN_ERR_PAIR, "compare: nothing to compare: the files hold only the reference scenario '%s'",
                       o->reference);
    const group *R = &groups[ref];
    report_row *rows = calloc((size_t)n_groups, sizeof *rows);
    uint64_t *seeds = calloc((size_t)o->n_files + 1, sizeof *seeds);
    double *d = calloc((size_t)o->n_files + 1, sizeof *d);
    const run_rec **rs = calloc((size_t)o->n_files + 1, sizeof *rs), **rr = calloc((size_t)o->n_files + 1, sizeof *rr);
    an_status st = AN_OK;
    if (!rows || !seeds || !d || !rs || !rr) st = an_fail(e, AN_ERR_NOMEM, "out of memory");
    int n_rows = 0, used = 0;
    for (int g = 0; g < n_groups && st == AN_OK; g++) {
        if (g == ref) continue;
        const group *G = &groups[g];
        /* The seed sets must be equal. */
        char a[600] = "", b[600] = "";
        int ma = missing_seeds(R, G, a, sizeof a), mb = missing_seeds(G, R, b, sizeof b);
        if (ma || mb) {
            an_err pe;
            char both[1400] = "";
            if (ma) snprintf(both, sizeof both, "'%s' has no file for seed(s) %s of the reference", G->scenario, a);
            if (mb) {
                size_t len = strlen(both);
                snprintf(both + len, sizeof both - len, "%sthe reference has no file for seed(s) %s of '%s'",
                         ma ? "; " : "", b, G->scenario);
            }
            an_fail(&pe, AN_ERR_PAIR, "compare: cannot pair scenario '%s' with the reference '%s' by seed: %s%s",
                    G->scenario, R->scenario, both, o->keep_going ? " (--keep-going: using the common seeds)" : "");
            if (!o->keep_going) {
                *e = pe;
                st = AN_ERR_PAIR;
                break;
            }
            print_err(&pe);
            if (*late_err == AN_OK) *late_err = AN_ERR_PAIR;
        }
        report_row *row = &rows[n_rows++];
        row->scenario = G->scenario;
        row->seeds = seeds + used;
        /* Pair by seed; both runs must cover the same months. */
        int np = 0;
        for (int i = 0; i < G->n && st == AN_OK; i++) {
            const run_rec *s = G->runs[i], *r = NULL;
            for (int j = 0; j < R->n && !r; j++)
                if (R->runs[j]->seed == s->seed) r = R->runs[j];
            if (!r) continue;
            if (s->start_ym != r->start_ym || s->T != r->T) {
                an_err pe;
                char ms[16], mr[16];
                month_format(s->start_ym, ms, sizeof ms);
                month_format(r->start_ym, mr, sizeof mr);
                an_fail(&pe, AN_ERR_PAIR, "compare: seed %llu: %s covers %d months from %s but the reference"
                        " %s covers %d months from %s; paired runs must cover the same months%s",
                        (unsigned long long)s->seed, s->path, s->T, ms, r->path, r->T, mr,
                        o->keep_going ? " (--keep-going: pair left out)" : "");
                if (!o->keep_going) {
                    *e = pe;
                    st = AN_ERR_PAIR;
                    break;
                }
                print_err(&pe);
                if (*late_err == AN_OK) *late_err = AN_ERR_PAIR;
                continue;
            }
            rs[np] = s;
            rr[np] = r;
            seeds[used + np] = s->seed;
            np++;
        }
        if (st != AN_OK) break;
        row->files = np;
        row->n_seeds = np;
        used += np;
        for (int k = 0; k < OC_COUNT; k++) {
            for (int i = 0; i < np; i++) {
                if (k < OC_SUMMARY_COUNT) {
                    d[i] = rs[i]->v[k] - rr[i]->v[k];
                } else {
                    window P = {rs[i]->policy, rs[i]->T - 1};
                    d[i] = window_ok(P, rs[i]->T) ? outcome_gdp_per_subsidy(rs[i]->gdp, rs[i]->sub, rr[i]->gdp,
                                                                             rr[i]->sub, P)
                                                  : NAN;
                }
            }
            row->ci[k] = ens_interval(d, (size_t)np, LEVEL);
        }
    }
    if (st == AN_OK) {
        report_table t = {"compare", R->scenario, OC_COUNT, LEVEL, rows, n_rows};
        st = report_write(stdout, &t, o->format, e);
    }
    free(rows);
    free(seeds);
    free(d);
    free(rs);
    free(rr);
    return st;
}

/* ---- plot --------------------------------------------------------------- */

static an_status do_plot(const options *o, group *groups, int n_groups, an_err *e)
{
    plot_group *pg = calloc((size_t)n_groups, sizeof *pg);
    const plot_series **ps = calloc((size_t)o->n_files + 1, sizeof *ps);
    an_status st = AN_OK;
    if (!pg || !ps) st = an_fail(e, AN_ERR_NOMEM, "out of memory");
    int used = 0;
    for (int g = 0; g < n_groups && st == AN_OK; g++) {
        pg[g].scenario = groups[g].scenario;
        pg[g].runs = ps + used;
        pg[g].n_runs = groups[g].n;
        for (int r = 0; r < groups[g].n; r++) ps[used + r] = &groups[g].runs[r]->ps;
        used += groups[g].n;
    }
    if (st == AN_OK) st = plot_write(o->out_dir, pg, n_groups, e);
    if (st == AN_OK)
        printf("plot: wrote %s/{gdp,tfp,debt,inland,registrations}.png (%d scenario%s, %d file%s)\n", o->out_dir,
               n_groups, n_groups == 1 ? "" : "s", used, used == 1 ? "" : "s");
    free(pg);
    free(ps);
    return st;
}

/* ---- check -------------------------------------------------------------- */

static int do_check(const options *o)
{
    int rc = 0;
    for (int i = 0; i < o->n_files; i++) {
        an_err e;
        int failed = 0;
        if (i) putchar('\n');
        an_status st = integrity_check(o->files[i], stdout, &failed, &e);
        fflush(stdout);
        if (st != AN_OK) {
            print_err(&e);
            if (!rc) rc = st;
            if (!o->keep_going) return rc;
            continue;
        }
        if (failed && !rc) rc = AN_ERR_CHECK;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return AN_ERR_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("incubator-analyze %s (git %s)\n", INCUBATOR_VERSION, INCUBATOR_GIT_REV);
        return 0;
    }
    for (int a = 2; a < argc; a++)
        if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
            if (usage_command(argv[1], stdout) != 0) usage(stdout);
            return 0;
        }
    /* Our own one-line messages replace HDF5's error stack and GSL's abort. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    gsl_set_error_handler_off();

    options o;
    an_err e;
    an_status st = parse_args(argc, argv, &o, &e);
    if (st != AN_OK) {
        print_err(&e);
        if (st == AN_ERR_USAGE) fputs("usage: incubator-analyze summary|compare|plot|check [options] FILE... (--help)\n", stderr);
        free(o.files);
        return st;
    }
    if (o.cmd == CMD_CHECK) {
        int rc = do_check(&o);
        free(o.files);
        return rc;
    }

    run_rec *recs = calloc((size_t)o.n_files, sizeof *recs);
    if (!recs) {
        fprintf(stderr, "incubator-analyze: out of memory\n");
        free(o.files);
        return AN_ERR_NOMEM;
    }
    int n_ok = 0;
    an_status first_err = AN_OK;
    group *groups = NULL;
    int n_groups = 0;
    st = load_all(&o, recs, &n_ok, &first_err);
    if (st == AN_OK && n_ok == 0) st = an_fail(&e, first_err ? first_err : AN_ERR_INPUT, "no file could be analysed");
    else if (st != AN_OK) e.msg[0] = '\0'; /* already printed */
    if (st == AN_OK && o.cmd != CMD_PLOT) st = check_comparable(&o, recs, n_ok, &e);
    if (st == AN_OK) st = make_groups(recs, n_ok, &groups, &n_groups, &e);
    an_status late = AN_OK;
    if (st == AN_OK) {
        switch (o.cmd) {
        case CMD_SUMMARY: st = do_summary(&o, groups, n_groups, &e); break;
        case CMD_COMPARE: st = do_compare(&o, groups, n_groups, &late, &e); break;
        default: st = do_plot(&o, groups, n_groups, &e); break;
        }
    }
    if (st != AN_OK && e.msg[0]) print_err(&e);
    free_groups(groups, n_groups);
    for (int i = 0; i < n_ok; i++) rec_free(&recs[i]);
    free(recs);
    free(o.files);
    if (st != AN_OK) return st;
    if (first_err != AN_OK) return first_err;
    return late;
}
