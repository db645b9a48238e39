/* stats_table.c - the output table built from outputs.def, and stats_t buffers
 * (see stats.h). Kept apart from stats.c, which computes the values, so the
 * writer and the analysis tool can use the table alone. */
#include "stats.h"
#include <stdlib.h>

const out_info stats_table[OUT_COUNT] = {
#define OUTPUT(group, name, type, units, desc) {OUT_##group, OUT_##type, #name, units, desc},
#include "outputs.def"
#undef OUTPUT
};

const char *stats_group_name(out_group g)
{
    switch (g) {
    case OUT_NATIONAL: return "national";
    case OUT_NODE: return "node";
    case OUT_NODE_SECTOR: return "node_sector";
    }
    return "?";
}

size_t stats_row_len(out_group g, int n_nodes, int n_sectors)
{
    switch (g) {
    case OUT_NATIONAL: return 1;
    case OUT_NODE: return (size_t)n_nodes;
    case OUT_NODE_SECTOR: return (size_t)n_nodes * (size_t)n_sectors;
    }
    return 0;
}

stats_t *stats_alloc(int n_nodes, int n_sectors)
{
    stats_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->n_nodes = n_nodes;
    s->n_sectors = n_sectors;
    for (int k = 0; k < OUT_COUNT; k++) {
        size_t n = stats_row_len(stats_table[k].group, n_nodes, n_sectors);
        if (stats_table[k].type == OUT_F64) {
            if (!(s->f[k] = calloc(n, sizeof(double)))) { stats_free(s); return NULL; }
        } else {
            if (!(s->i[k] = calloc(n, sizeof(int64_t)))) { stats_free(s); return NULL; }
        }
    }
    return s;
}

void stats_free(stats_t *s)
{
    if (!s) return;
    for (int k = 0; k < OUT_COUNT; k++) { free(s->f[k]); free(s->i[k]); }
    free(s);
}

void stats_clear(stats_t *s)
{
    for (int k = 0; k < OUT_COUNT; k++) {
        size_t n = stats_row_len(stats_table[k].group, s->n_nodes, s->n_sectors);
        for (size_t j = 0; j < n; j++) {
            if (s->f[k]) s->f[k][j] = 0.0;
            if (s->i[k]) s->i[k][j] = 0;
        }
    }
}
