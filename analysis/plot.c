/* plot.c - the figures of `plot` (plot.h), drawn by gnuplot.
 *
 * Why gnuplot runs as a separate program: it is what Debian ships for
 * scriptable plots (gnuplot-nox, no X needed), and a script plus plain data
 * files can be kept and re-run by hand. The script is written to a temporary
 * folder together with one data file per figure and scenario; gnuplot runs
 * there (so the script names its data files without paths) and the PNGs are
 * then copied to the output folder. pngcairo is used when this gnuplot has
 * it (antialiased), the libgd png terminal otherwise. */
#include "month.h"
#include "plot.h"
#include "outcomes.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- series of one run -------------------------------------------------- */

void plot_series_free(plot_series *ps)
{
    free(ps->gdp);
    for (int k = 0; k < 3; k++) free(ps->debt[k]);
    free(ps->inland_gdp);
    free(ps->inland_emp);
    free(ps->tfp);
    free(ps->reg);
    memset(ps, 0, sizeof *ps);
}

an_status plot_series_from_run(const runfile *rf, plot_series *ps, an_err *e)
{
    const int T = rf->T, Y = rf->T / 12;
    ps->T = T;
    ps->Y = Y;
    ps->start_ym = rf->start_ym;
    ps->policy_ym = rf->start_ym + rf->policy;
    ps->gdp = malloc((size_t)T * sizeof(double));
    for (int k = 0; k < 3; k++) ps->debt[k] = malloc((size_t)T * sizeof(double));
    ps->inland_gdp = malloc((size_t)T * sizeof(double));
    ps->inland_emp = malloc((size_t)T * sizeof(double));
    ps->tfp = malloc((size_t)(Y ? Y : 1) * sizeof(double));
    ps->reg = malloc((size_t)(Y ? Y : 1) * sizeof(double));
    if (!ps->gdp || !ps->debt[0] || !ps->debt[1] || !ps->debt[2] || !ps->inland_gdp || !ps->inland_emp || !ps->tfp ||
        !ps->reg)
        return an_fail(e, AN_ERR_NOMEM, "%s: out of memory computing the plot series", rf->path);
    const double *gdp_n = rf->d[RF_NAT_GDP];
    const runfile_dataset debts[3] = {RF_NAT_FIRM_LOANS, RF_NAT_LGFV_DEBT, RF_NAT_CENTRAL_DEBT};
    double trailing = 0; /* nominal GDP of months t-11..t */
    for (int t = 0; t < T; t++) {
        ps->gdp[t] = 12.0 * rf->d[RF_NAT_GDP_REAL][t] / 1e12;
        trailing += gdp_n[t];
        if (t >= 12) trailing -= gdp_n[t - 12];
        for (int k = 0; k < 3; k++)
            ps->debt[k][t] = t >= 11 && trailing > 0 ? 100.0 * rf->d[debts[k]][t] / trailing : NAN;
        window m = {t, t};
        ps->inland_gdp[t] = outcome_inland_share(rf, RF_NODE_GDP, m);
        ps->inland_emp[t] = outcome_inland_share(rf, RF_NODE_EMPLOYED, m);
    }
    for (int y = 0; y < Y; y++) {
        window w = {12 * y, 12 * y + 11};
        ps->reg[y] = outcome_inland_registrations(rf, w) / 1e3;
        if (y == 0) ps->tfp[y] = 100.0;
        else ps->tfp[y] = ps->tfp[y - 1] * exp(outcome_tfp_log_change(rf, (window){w.a - 12, w.b - 12}, w));
    }
    return AN_OK;
}

/* ---- one figure's data: mean and range across the runs of a group -------- */

typedef enum { S_GDP, S_DEBT0, S_DEBT1, S_DEBT2, S_INLAND_GDP, S_INLAND_EMP, S_TFP, S_REG, S_COUNT } series_id;

static const char *const series_file[S_COUNT] = {"gdp", "debt_corporate", "debt_local", "debt_central",
                                                 "inland_gdp", "inland_emp", "tfp", "reg"};

static const double *series_of(const plot_series *ps, series_id s, int *len)
{
    switch (s) {
    case S_GDP: *len = ps->T; return ps->gdp;
    case S_DEBT0: *len = ps->T; return ps->debt[0];
    case S_DEBT1: *len = ps->T; return ps->debt[1];
    case S_DEBT2: *len = ps->T; return ps->debt[2];
    case S_INLAND_GDP: *len = ps->T; return ps->inland_gdp;
    case S_INLAND_EMP: *len = ps->T; return ps->inland_emp;
    case S_TFP: *len = ps->Y; return ps->tfp;
    default: *len = ps->Y; return ps->reg;
    }
}

/* Write "x mean min max" rows of series s of group g to dir/NAME_G.dat: x is
 * the calendar time in years (a month at its start, a year block at its
 * middle); the length is the shortest run's. Returns the number of rows with
 * a value (gnuplot fails on a file without one), or -1 on a write error. */
static int write_data(const char *dir, int g, const plot_group *grp, series_id s)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s_%d.dat", dir, series_file[s], g);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int len = -1;
    for (int r = 0; r < grp->n_runs; r++) {
        int l;
        series_of(grp->runs[r], s, &l);
        if (len < 0 || l < len) len = l;
    }
    const int annual = s == S_TFP || s == S_REG;
    const int start = grp->runs[0]->start_ym;
    int valid = 0;
    fprintf(f, "# %s of scenario %s: x (year), mean, min, max across %d runs\n", series_file[s], grp->scenario,
            grp->n_runs);
    for (int i = 0; i < len; i++) {
        double sum = 0, lo = INFINITY, hi = -INFINITY;
        int n = 0;
        for (int r = 0; r < grp->n_runs; r++) {
            int l;
            double v = series_of(grp->runs[r], s, &l)[i];
            if (!isfinite(v)) continue;
            sum += v;
            n++;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        double x = annual ? (start + 12.0 * i + 6.0) / 12.0 : (start + i) / 12.0;
        if (n) fprintf(f, "%.6f %.10g %.10g %.10g\n", x, sum / n, lo, hi);
        else fprintf(f, "%.6f NaN NaN NaN\n", x);
        valid += n > 0;
    }
    return fclose(f) == 0 ? valid : -1;
}

/* ---- the gnuplot script ------------------------------------------------- */

static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                      "#9467bd", "#8c564b", "#e377c2", "#17becf"};
#define N_COLOURS (int)(sizeof colours / sizeof *colours)

/* A gnuplot double-quoted string: backslash and quote escaped. */
static void gp_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        if (*s == '\n') continue;
        fputc(*s, f);
    }
    fputc('"', f);
}

static void gp_terminal(FILE *f, int w, int h, const char *png)
{
    fprintf(f,
            "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
            "  set terminal pngcairo size %d,%d noenhanced font \"Sans,11\"\n"
            "} else {\n"
            "  set terminal png size %d,%d noenhanced\n"
            "}\n"
            "set output '%s'\n",
            w, h, w, h, png);
}

/* Axis, grid, key and the policy-start markers of one panel. */
static void gp_axes(FILE *f, const char *ylabel, const plot_group *groups, int n_groups)
{
    fputs("unset arrow\nunset label\nset grid lc rgb \"#dddddd\"\nset xlabel \"year\"\nset format x \"%.0f\"\n"
          "set key below center horizontal box spacing 1.2\nset bmargin 5.5\nset datafile missing \"NaN\"\n"
          "set style fill transparent solid 0.2 noborder\nset ylabel ",
          f);
    gp_string(f, ylabel);
    fputc('\n', f);
    /* Tics on whole years, about ten of them at most. */
    int first = INT32_MAX, last = INT32_MIN;
    for (int g = 0; g < n_groups; g++)
        for (int r = 0; r < groups[g].n_runs; r++) {
            const plot_series *ps = groups[g].runs[r];
            if (ps->start_ym < first) first = ps->start_ym;
            if (ps->start_ym + ps->T > last) last = ps->start_ym + ps->T;
        }
    int years = n_groups ? (last - first + 11) / 12 : 1, step = years > 10 ? (years + 9) / 10 : 1;
    fprintf(f, "set xtics %d, %d\nset mxtics %d\n", n_groups ? first / 12 : 0, step, step > 1 ? step : 4);
    /* The months of the runs, whole: an annual point sits mid-year. */
    if (n_groups) fprintf(f, "set xrange [%.6f:%.6f]\n", first / 12.0, last / 12.0);
    /* One dashed line per distinct policy start. */
    int seen[64], ns = 0;
    for (int g = 0; g < n_groups; g++)
        for (int r = 0; r < groups[g].n_runs; r++) {
            int p = groups[g].runs[r]->policy_ym, dup = 0;
            for (int i = 0; i < ns; i++) dup |= seen[i] == p;
            if (dup || ns == 64) continue;
            seen[ns++] = p;
            fprintf(f, "set arrow from %.6f, graph 0 to %.6f, graph 1 nohead dt 2 lw 1.5 lc rgb \"#777777\"\n",
                    p / 12.0, p / 12.0);
            char mon[16];
            month_format(p, mon, sizeof mon);
            fprintf(f, "set label \"policy start %s\" at %.6f, graph 0.04 offset 0.5,0 tc rgb \"#555555\"\n", mon,
                    p / 12.0);
        }
}

/* The plot command of one panel: a band and a line per group that has data
 * (has[g]); a note in the panel when none has. */
static void gp_plot(FILE *f, const char *file, const plot_group *groups, int n_groups, const int *has, int annual)
{
    int any = 0;
    for (int g = 0; g < n_groups; g++) any |= has[g];
    if (!any) {
        fputs("set label \"no data: the runs are too short for this series\" at graph 0.5, 0.5 center\n"
              "unset key\nset yrange [0:1]\nplot -1 notitle\nset autoscale y\n",
              f);
        return;
    }
    fputs("plot ", f);
    int first = 1;
    for (int g = 0; g < n_groups; g++) {
        if (!has[g]) continue;
        const char *c = colours[g % N_COLOURS];
        char title[512];
        snprintf(title, sizeof title, "%s (%d seed%s)", groups[g].scenario, groups[g].n_runs,
                 groups[g].n_runs == 1 ? "" : "s");
        fprintf(f, "%s'%s_%d.dat' using 1:3:4 with filledcurves fc rgb \"%s\" notitle, \\\n", first ? "" : ", \\\n  ",
                file, g, c);
        first = 0;
        fprintf(f, "  '%s_%d.dat' using 1:2 with %s lw 2 lc rgb \"%s\" title ", file, g,
                annual ? "linespoints pt 7 ps 0.8" : "lines", c);
        gp_string(f, title);
    }
    fputc('\n', f);
}

static const char *const band_note = "line: mean across seeds; band: range (min to max) across seeds";

/* has[s * n_groups + g]: whether series s of group g has a value. */
static int write_script(const char *dir, const plot_group *groups, int n_groups, const int *has)
{
#define HAS(s) (has + (size_t)(s) * (size_t)n_groups)
    char path[4200];
    snprintf(path, sizeof path, "%s/plots.gp", dir);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs("# incubator-analyze plot: run with `gnuplot plots.gp` in this folder\n", f);

    gp_terminal(f, 1000, 620, "gdp.png");
    gp_axes(f, "real GDP (trillion 2019 yuan per year; monthly value x 12)", groups, n_groups);
    fprintf(f, "set title \"Real GDP\\n%s\"\n", band_note);
    gp_plot(f, "gdp", groups, n_groups, HAS(S_GDP), 0);

    gp_terminal(f, 1000, 620, "tfp.png");
    gp_axes(f, "TFP index (first year of the run = 100)", groups, n_groups);
    fprintf(f, "set title \"Total factor productivity (Solow residual, Tornqvist, chained year to year)\\n%s\"\n",
            band_note);
    gp_plot(f, "tfp", groups, n_groups, HAS(S_TFP), 1);

    gp_terminal(f, 1650, 560, "debt.png");
    fprintf(f, "set multiplot layout 1,3 title \"Debt to GDP: stock at month end / nominal GDP of the last 12 months"
               " (%s)\"\n", band_note);
    const char *dt[3] = {"Corporate debt (bank loans to firms)", "Local government incl. LGFV debt",
                         "Central government debt"};
    const char *df[3] = {"debt_corporate", "debt_local", "debt_central"};
    for (int k = 0; k < 3; k++) {
        gp_axes(f, "debt (% of GDP)", groups, n_groups);
        fprintf(f, "set title \"%s\"\n", dt[k]);
        gp_plot(f, df[k], groups, n_groups, HAS(S_DEBT0 + k), 0);
    }
    fputs("unset multiplot\n", f);

    gp_terminal(f, 1400, 580, "inland.png");
    fprintf(f, "set multiplot layout 1,2 title \"Inland (not coastal) nodes' share of the nation (%s)\"\n", band_note);
    gp_axes(f, "inland share of GDP (% of national value added)", groups, n_groups);
    fputs("set title \"Share of GDP\"\n", f);
    gp_plot(f, "inland_gdp", groups, n_groups, HAS(S_INLAND_GDP), 0);
    gp_axes(f, "inland share of employment (% of employed residents)", groups, n_groups);
    fputs("set title \"Share of employment\"\n", f);
    gp_plot(f, "inland_emp", groups, n_groups, HAS(S_INLAND_EMP), 0);
    fputs("unset multiplot\n", f);

    gp_terminal(f, 1000, 620, "registrations.png");
    gp_axes(f, "registrations (thousand firms per year)", groups, n_groups);
    fprintf(f, "set title \"Hard-tech firm registrations in inland nodes, per year of the run\\n%s\"\n", band_note);
    gp_plot(f, "reg", groups, n_groups, HAS(S_REG), 1);
    fputs("unset output\n", f);
#undef HAS
    return fclose(f) == 0 ? 0 : -1;
}

/* ---- running gnuplot, files --------------------------------------------- */

/* Whether an executable named prog is on PATH. */
static int on_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path || !*path) return 0;
    char buf[4200];
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        if (len == 0) snprintf(buf, sizeof buf, "./%s", prog);
        else snprintf(buf, sizeof buf, "%.*s/%s", (int)len, path, prog);
        if (access(buf, X_OK) == 0) return 1;
        path += len + (colon ? 1 : 0);
    }
    return 0;
}

/* Run `gnuplot plots.gp` in dir, output to dir/gnuplot.log. Returns its exit
 * status (0 ok), or -1 when it could not be started. */
static int run_gnuplot(const char *dir)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        char log[4200];
        snprintf(log, sizeof log, "%s/gnuplot.log", dir);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || chdir(dir) != 0) _exit(127);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
        execlp("gnuplot", "gnuplot", "plots.gp", (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* The first line of gnuplot's log that looks like an error, for messages. */
static void log_excerpt(const char *dir, char *out, size_t cap)
{
    char path[4200], line[512];
    snprintf(path, sizeof path, "%s/gnuplot.log", dir);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || strspn(line, " ^") == strlen(line)) continue;
        snprintf(out, cap, "%s", line);
        if (strstr(line, "rror") || strstr(line, "line ")) break;
    }
    fclose(f);
}

/* mkdir -p. Returns 0 or -1 (errno set). */
static int make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        buf[i] = c;
    }
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* Copy src to dst through dst.tmp and a rename, so dst is never half written. */
static int copy_file(const char *src, const char *dst)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", dst);
    FILE *in = fopen(src, "rb");
    if (!in) return -1;
    FILE *out = fopen(tmp, "wb");
    if (!out) {
        fclose(in);
        return -1;
    }
    char buf[65536];
    size_t n;
    int ok = 1;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) ok = 0;
    if (ferror(in)) ok = 0;
    fclose(in);
    if (fclose(out) != 0) ok = 0;
    if (ok && rename(tmp, dst) == 0) return 0;
    unlink(tmp);
    return -1;
}

static const char *const pngs[] = {"gdp.png", "tfp.png", "debt.png", "inland.png", "registrations.png"};
#define N_PNGS (int)(sizeof pngs / sizeof *pngs)

/* Remove what we put in the temporary folder, then the folder. */
static void clean_tmp(const char *dir, int n_groups)
{
    char path[4200];
    for (int s = 0; s < S_COUNT; s++)
        for (int g = 0; g < n_groups; g++) {
            snprintf(path, sizeof path, "%s/%s_%d.dat", dir, series_file[s], g);
            unlink(path);
        }
    for (int i = 0; i < N_PNGS; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, pngs[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/plots.gp", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/gnuplot.log", dir);
    unlink(path);
    rmdir(dir);
}

an_status plot_write(const char *out_dir, const plot_group *groups, int n_groups, an_err *e)
{
    for (int g = 0; g < n_groups; g++)
        for (int r = 1; r < groups[g].n_runs; r++)
            if (groups[g].runs[r]->start_ym != groups[g].runs[0]->start_ym)
                return an_fail(e, AN_ERR_INPUT,
                               "scenario '%s': its files start in different months; cannot average them over seeds",
                               groups[g].scenario);
    if (!on_path("gnuplot"))
        return an_fail(e, AN_ERR_OUTPUT,
                       "gnuplot is not installed (not found on PATH); plot needs it: apt-get install gnuplot-nox");
    if (make_dirs(out_dir) != 0)
        return an_fail(e, AN_ERR_OUTPUT, "%s: cannot create the output folder: %s", out_dir, strerror(errno));
    char tmp[4096];
    const char *base = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/incubator-analyze.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmp)) return an_fail(e, AN_ERR_OUTPUT, "cannot create a temporary folder in %s: %s",
                                      base && *base ? base : "/tmp", strerror(errno));
    an_status st = AN_OK;
    int *has = calloc((size_t)S_COUNT * (size_t)(n_groups ? n_groups : 1), sizeof *has);
    if (!has) st = an_fail(e, AN_ERR_NOMEM, "out of memory");
    for (int g = 0; g < n_groups && st == AN_OK; g++)
        for (int s = 0; s < S_COUNT && st == AN_OK; s++) {
            int valid = write_data(tmp, g, &groups[g], (series_id)s);
            if (valid < 0) st = an_fail(e, AN_ERR_OUTPUT, "%s: cannot write the plot data: %s", tmp, strerror(errno));
            else has[(size_t)s * (size_t)n_groups + (size_t)g] = valid > 0;
        }
    if (st == AN_OK && write_script(tmp, groups, n_groups, has) != 0)
        st = an_fail(e, AN_ERR_OUTPUT, "%s: cannot write the gnuplot script: %s", tmp, strerror(errno));
    if (st == AN_OK) {
        int rc = run_gnuplot(tmp);
        if (rc != 0) {
            char excerpt[512];
            log_excerpt(tmp, excerpt, sizeof excerpt);
            st = an_fail(e, AN_ERR_OUTPUT, "gnuplot failed (exit %d)%s%s", rc, excerpt[0] ? ": " : "", excerpt);
        }
    }
    for (int i = 0; i < N_PNGS && st == AN_OK; i++) {
        char src[4200], dst[4200];
        snprintf(src, sizeof src, "%s/%s", tmp, pngs[i]);
        snprintf(dst, sizeof dst, "%s/%s", out_dir, pngs[i]);
        struct stat sb;
        if (stat(src, &sb) != 0 || sb.st_size == 0)
            st = an_fail(e, AN_ERR_OUTPUT, "gnuplot wrote no %s", pngs[i]);
        else if (copy_file(src, dst) != 0)
            st = an_fail(e, AN_ERR_OUTPUT, "%s: cannot write: %s", dst, strerror(errno));
    }
    clean_tmp(tmp, n_groups);
    free(has);
    return st;
}
