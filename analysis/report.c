/* report.c - the summary and compare tables (report.h). */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CELL 128

int report_parse_format(const char *s, report_format *f)
{
    if (!strcmp(s, "text")) *f = FORMAT_TEXT;
    else if (!strcmp(s, "csv")) *f = FORMAT_CSV;
    else if (!strcmp(s, "json")) *f = FORMAT_JSON;
    else if (!strcmp(s, "markdown") || !strcmp(s, "md")) *f = FORMAT_MARKDOWN;
    else return -1;
    return 0;
}

/* %.*f without a "-0.00": a value that rounds to zero prints as zero. */
static void fixed(char *buf, size_t cap, double v, int decimals)
{
    snprintf(buf, cap, "%.*f", decimals, v);
    if (buf[0] == '-') {
        int zero = 1;
        for (const char *p = buf + 1; *p; p++)
            if (*p != '0' && *p != '.') zero = 0;
        if (zero) memmove(buf, buf + 1, strlen(buf));
    }
}

/* The text/markdown cell of one ensemble: "mean [lo, hi]", "mean [n/a]" with
 * one value, "n/a" with none; " (n=k)" when fewer values than files. */
static void cell_text(char *buf, size_t cap, const ens_ci *c, int decimals, int files)
{
    char m[48], lo[48], hi[48];
    if (c->n == 0 || !isfinite(c->mean)) {
        snprintf(buf, cap, "n/a");
        return;
    }
    fixed(m, sizeof m, c->mean, decimals);
    if (c->n < 2 || !isfinite(c->lo)) {
        snprintf(buf, cap, "%s [n/a]", m);
    } else {
        fixed(lo, sizeof lo, c->lo, decimals);
        fixed(hi, sizeof hi, c->hi, decimals);
        snprintf(buf, cap, "%s [%s, %s]", m, lo, hi);
    }
    if (c->n < files) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, " (n=%d)", c->n);
    }
}

static const char *unit_of(const report_table *t, int k)
{
    const outcome_info *oi = outcome_info_of((outcome_id)k);
    return t->reference ? oi->diff_unit : oi->unit;
}

static void text_heading(FILE *out, const report_table *t)
{
    int pct = (int)lround(t->level * 100);
    if (t->reference)
        fprintf(out,
                "incubator-analyze compare: difference from the reference scenario '%s', paired by seed\n"
                "cells: mean of the per-seed differences [%d%% confidence interval, t distribution over pairs]\n",
                t->reference, pct);
    else
        fprintf(out,
                "incubator-analyze summary: one row per scenario\n"
                "cells: mean over seeds [%d%% confidence interval, t distribution over seeds]\n",
                pct);
    fprintf(out, "n/a: not available (one seed gives no interval; or the run does not cover the window);"
                 " (n=k): defined in k files only\n"
                 "definitions: docs/analysis.md\n");
}

/* One panel as an aligned text table: two header lines (label, unit), a rule,
 * one row per scenario. */
static an_status text_panel(FILE *out, const report_table *t, outcome_panel p, an_err *e)
{
    int cols[OC_COUNT], nc = 0;
    for (int k = 0; k < t->n_outcomes; k++)
        if (outcome_info_of((outcome_id)k)->panel == p) cols[nc++] = k;
    if (nc == 0) return AN_OK;
    char(*cells)[CELL] = calloc((size_t)(t->n_rows ? t->n_rows : 1) * (size_t)nc, CELL);
    if (!cells) return an_fail(e, AN_ERR_NOMEM, "out of memory formatting the table");
    const char *count_head = t->reference ? "pairs" : "seeds";
    int w0 = (int)strlen("scenario"), w1 = (int)strlen(count_head), w[OC_COUNT];
    for (int c = 0; c < nc; c++) {
        const outcome_info *oi = outcome_info_of((outcome_id)cols[c]);
        w[c] = (int)strlen(oi->label);
        if ((int)strlen(unit_of(t, cols[c])) > w[c]) w[c] = (int)strlen(unit_of(t, cols[c]));
    }
    for (int r = 0; r < t->n_rows; r++) {
        if ((int)strlen(t->rows[r].scenario) > w0) w0 = (int)strlen(t->rows[r].scenario);
        for (int c = 0; c < nc; c++) {
            char *cell = cells[(size_t)r * nc + c];
            cell_text(cell, CELL, &t->rows[r].ci[cols[c]], outcome_info_of((outcome_id)cols[c])->decimals,
                      t->rows[r].files);
            if ((int)strlen(cell) > w[c]) w[c] = (int)strlen(cell);
        }
    }
    fprintf(out, "\n%s\n", outcome_panel_title(p));
    fprintf(out, "%-*s  %-*s", w0, "scenario", w1, count_head);
    for (int c = 0; c < nc; c++)
        fprintf(out, "  %-*s", c == nc - 1 ? 0 : w[c], outcome_info_of((outcome_id)cols[c])->label);
    fprintf(out, "\n%-*s  %-*s", w0, "", w1, "");
    for (int c = 0; c < nc; c++) fprintf(out, "  %-*s", c == nc - 1 ? 0 : w[c], unit_of(t, cols[c]));
    fprintf(out, "\n");
    for (int i = 0; i < w0; i++) fputc('-', out);
    fputs("  ", out);
    for (int i = 0; i < w1; i++) fputc('-', out);
    for (int c = 0; c < nc; c++) {
        fputs("  ", out);
        for (int i = 0; i < w[c]; i++) fputc('-', out);
    }
    fputc('\n', out);
    for (int r = 0; r < t->n_rows; r++) {
        fprintf(out, "%-*s  %-*d", w0, t->rows[r].scenario, w1, t->rows[r].files);
        for (int c = 0; c < nc; c++) {
            /* No trailing blanks after the last column. */
            fprintf(out, "  %-*s", c == nc - 1 ? 0 : w[c], cells[(size_t)r * nc + c]);
        }
        fputc('\n', out);
    }
    free(cells);
    return AN_OK;
}

static an_status write_text(FILE *out, const report_table *t, an_err *e)
{
    text_heading(out, t);
    for (int p = 0; p < PANEL_COUNT; p++) {
        an_status st = text_panel(out, t, (outcome_panel)p, e);
        if (st != AN_OK) return st;
    }
    return AN_OK;
}

/* Markdown: a heading and one pipe table per panel. */
static void md_escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", out);
        else fputc(*s, out);
    }
}

static an_status write_markdown(FILE *out, const report_table *t)
{
    int pct = (int)lround(t->level * 100);
    if (t->reference) {
        fputs("**Difference from the reference scenario `", out);
        md_escaped(out, t->reference);
        fprintf(out, "`, paired by seed**: mean of the per-seed differences [%d%% confidence interval, t distribution"
                     " over pairs].\n", pct);
    } else {
        fprintf(out, "**Summary**: mean over seeds [%d%% confidence interval, t distribution over seeds].\n", pct);
    }
    fputs("n/a: not available; (n=k): defined in k files only. Definitions: docs/analysis.md.\n", out);
    for (int p = 0; p < PANEL_COUNT; p++) {
        int cols[OC_COUNT], nc = 0;
        for (int k = 0; k < t->n_outcomes; k++)
            if ((int)outcome_info_of((outcome_id)k)->panel == p) cols[nc++] = k;
        if (nc == 0) continue;
        fprintf(out, "\n### %s\n\n| scenario | %s |", outcome_panel_title((outcome_panel)p),
                t->reference ? "pairs" : "seeds");
        for (int c = 0; c < nc; c++) fprintf(out, " %s (%s) |", outcome_info_of((outcome_id)cols[c])->label,
                                             unit_of(t, cols[c]));
        fputs("\n|---|---:|", out);
        for (int c = 0; c < nc; c++) fputs("---:|", out);
        fputc('\n', out);
        for (int r = 0; r < t->n_rows; r++) {
            fputs("| ", out);
            md_escaped(out, t->rows[r].scenario);
            fprintf(out, " | %d |", t->rows[r].files);
            for (int c = 0; c < nc; c++) {
                char cell[CELL];
                cell_text(cell, sizeof cell, &t->rows[r].ci[cols[c]],
                          outcome_info_of((outcome_id)cols[c])->decimals, t->rows[r].files);
                fprintf(out, " %s |", cell);
            }
            fputc('\n', out);
        }
    }
    return AN_OK;
}

/* CSV (RFC 4180): a field is quoted when it holds a comma, quote or newline. */
static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void csv_number(FILE *out, double v)
{
    if (isfinite(v)) fprintf(out, "%.12g", v);
}

static an_status write_csv(FILE *out, const report_table *t)
{
    fputs(t->reference ? "scenario,reference,pairs,seeds" : "scenario,files,seeds", out);
    for (int k = 0; k < t->n_outcomes; k++) {
        const char *key = outcome_info_of((outcome_id)k)->key;
        fprintf(out, ",%s,%s_lo,%s_hi,%s_n", key, key, key, key);
    }
    fputc('\n', out);
    for (int r = 0; r < t->n_rows; r++) {
        const report_row *row = &t->rows[r];
        csv_field(out, row->scenario);
        if (t->reference) {
            fputc(',', out);
            csv_field(out, t->reference);
        }
        fprintf(out, ",%d,", row->files);
        for (int i = 0; i < row->n_seeds; i++) fprintf(out, "%s%llu", i ? ";" : "", (unsigned long long)row->seeds[i]);
        for (int k = 0; k < t->n_outcomes; k++) {
            const ens_ci *c = &row->ci[k];
            fputc(',', out);
            csv_number(out, c->mean);
            fputc(',', out);
            csv_number(out, c->lo);
            fputc(',', out);
            csv_number(out, c->hi);
            fprintf(out, ",%d", c->n);
        }
        fputc('\n', out);
    }
    return AN_OK;
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(out, "\\%c", ch);
        else if (ch == '\n') fputs("\\n", out);
        else if (ch < 0x20) fprintf(out, "\\u%04x", ch);
        else fputc(ch, out);
    }
    fputc('"', out);
}

static void json_number(FILE *out, double v)
{
    if (isfinite(v)) fprintf(out, "%.12g", v);
    else fputs("null", out);
}

static an_status write_json(FILE *out, const report_table *t)
{
    fputs("{\n  \"command\": ", out);
    json_string(out, t->command);
    fputs(",\n  \"reference\": ", out);
    if (t->reference) json_string(out, t->reference);
    else fputs("null", out);
    fprintf(out, ",\n  \"level\": %.12g,\n  \"outcomes\": [\n", t->level);
    for (int k = 0; k < t->n_outcomes; k++) {
        const outcome_info *oi = outcome_info_of((outcome_id)k);
        fputs("    {\"key\": ", out);
        json_string(out, oi->key);
        fputs(", \"label\": ", out);
        json_string(out, oi->label);
        fputs(", \"unit\": ", out);
        json_string(out, unit_of(t, k));
        fprintf(out, "}%s\n", k + 1 < t->n_outcomes ? "," : "");
    }
    fputs("  ],\n  \"scenarios\": [\n", out);
    for (int r = 0; r < t->n_rows; r++) {
        const report_row *row = &t->rows[r];
        fputs("    {\n      \"scenario\": ", out);
        json_string(out, row->scenario);
        fprintf(out, ",\n      \"%s\": %d,\n      \"seeds\": [", t->reference ? "pairs" : "files", row->files);
        for (int i = 0; i < row->n_seeds; i++) fprintf(out, "%s%llu", i ? ", " : "", (unsigned long long)row->seeds[i]);
        fprintf(out, "],\n      \"%s\": {\n", t->reference ? "differences" : "outcomes");
        for (int k = 0; k < t->n_outcomes; k++) {
            const ens_ci *c = &row->ci[k];
            fputs("        ", out);
            json_string(out, outcome_info_of((outcome_id)k)->key);
            fputs(": {\"mean\": ", out);
            json_number(out, c->mean);
            fputs(", \"lo\": ", out);
            json_number(out, c->lo);
            fputs(", \"hi\": ", out);
            json_number(out, c->hi);
            fprintf(out, ", \"n\": %d}%s\n", c->n, k + 1 < t->n_outcomes ? "," : "");
        }
        fprintf(out, "      }\n    }%s\n", r + 1 < t->n_rows ? "," : "");
    }
    fputs("  ]\n}\n", out);
    return AN_OK;
}

an_status report_write(FILE *out, const report_table *t, report_format f, an_err *e)
{
    an_status st;
    switch (f) {
    case FORMAT_CSV: st = write_csv(out, t); break;
    case FORMAT_JSON: st = write_json(out, t); break;
    case FORMAT_MARKDOWN: st = write_markdown(out, t); break;
    default: st = write_text(out, t, e); break;
    }
    if (st != AN_OK) return st;
    if (fflush(out) != 0 || ferror(out)) return an_fail(e, AN_ERR_OUTPUT, "cannot write the table to standard output");
    return AN_OK;
}
