/* test_state.c - the state table (sim/state.def) and what follows from it.
 *
 * 1. every_entry_survives_a_checkpoint: a small incubator world runs 14
 *    months (a January passes: new gravity tables, a reset OD matrix), writes
 *    a checkpoint, and a fresh world of the same scenario, every registered
 *    entry overwritten with 0xA5 bytes, reads it. Every
 *    registered entry - every CKPT column and every scalar of state.def, by
 *    iterating over the registry, so a line added to the table is covered
 *    without a change here - must be byte for byte the same in both worlds,
 *    as must the ledger's accounts and the gravity tables; the registry must
 *    hold exactly the table's CKPT and scalar lines (plus the free list). Both
 *    worlds then run two more months and must give the same outputs.
 * 2. check_names_the_firm: world_check recounts employees firm by firm: one
 *    firm's count raised by one and another's lowered by one (the totals
 *    unchanged, which the old total-only check let pass) fails, naming both
 *    firms and the field.
 * 3. firm_arrays_grow: creating firms past the capacity grows every per-firm
 *    array, keeps the existing firms' values and the registry's pointers, and
 *    the next month runs and passes world_check.
 * 4. alias_tables_as_gsl: the gravity tables, allocated once and filled in
 *    place by migration_alias_fill, equal gsl_ran_discrete_preproc's bit for
 *    bit (so migration draws what it drew with GSL's tables) on random
 *    weights with zeros, ties and a single positive cell. */
#include "checkpoint.h"
#include "migration.h"
#include "phases.h"
#include "testutil.h"
#include "world.h"
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS 6000
#define THREADS 2

/* Registered entries state.def should give: CKPT columns and scalars, plus
 * the free list. */
static int table_entries(void)
{
    int n = 1;
#define STATE_SAVED_CKPT 1
#define STATE_SAVED_SCRATCH 0
#define SAVED(save) STATE_SAVED_##save
#define STATE_WORKER(name, type, units, save, description) n += SAVED(save);
#define STATE_FIRM(name, type, units, save, description) n += SAVED(save);
#define STATE_NODE(name, type, dim, units, save, description) n += SAVED(save);
#define STATE_MARKET(name, type, units, save, description) n += SAVED(save);
#define STATE_WORLD(name, type, units, description) n += 1;
#define STATE_WORLD_ARRAY(name, type, len, units, description) n += 1;
#define STATE_SCALAR(name, field, units, description) n += 1;
#include "state.def"
    return n;
}

/* Entries of a and b that differ (byte for byte), the first few named. */
static int differing_entries(const world *a, const world *b, int report)
{
    int bad = 0;
    if (a->reg.n != b->reg.n) {
        FAILF("registries of %d and %d entries", a->reg.n, b->reg.n);
        return 1;
    }
    for (int k = 0; k < a->reg.n; k++) {
        const state_array *x = &a->reg.a[k], *y = &b->reg.a[k];
        size_t nx = world_state_count(a, x) * x->elem, ny = world_state_count(b, y) * y->elem;
        if (strcmp(x->name, y->name) != 0 || nx != ny || memcmp(world_state_data(x), world_state_data(y), nx) != 0) {
            if (report && bad < 10) FAILF("%s differs after checkpoint and resume (%zu vs %zu bytes)", x->name, nx, ny);
            bad++;
        }
    }
    return bad;
}

static void every_entry_survives_a_checkpoint(void)
{
    tu_world a;
    if (!tu_world_open(&a, "incubator.ini", NULL, 0, THREADS, WORKERS, 14)) return;
    CU_ASSERT_EQUAL(a.w.reg.n, table_entries());
    if (a.w.reg.n != table_entries())
        FAILF("the registry holds %d entries, state.def's CKPT and scalar lines give %d", a.w.reg.n, table_entries());

    inc_err e = {0};
    char path[1200];
    snprintf(path, sizeof path, "%s/state.ckpt", tu_tmpdir());
    ckpt_history *ha = ckpt_history_alloc(a.w.n_nodes, a.w.n_sectors, a.w.months);
    ckpt_history *hb = ckpt_history_alloc(a.w.n_nodes, a.w.n_sectors, a.w.months);
    CU_ASSERT_FATAL(ha && hb);
    if (ckpt_write(&a.w, ha, path, &e) != INC_OK) FAILF("ckpt_write: %s", e.msg);

    /* A fresh world as incubator-sim --resume builds it. */
    world b;
    CU_ASSERT_FATAL(world_init(&b, &a.sc, THREADS, WORKERS, &e) == INC_OK);
    stats_aggregate(&b);
    /* Poison every registered entry (bar the firm slot counts, which size
     * the others) so that one the checkpoint does not restore cannot pass
     * by holding its initial value. */
    for (int k = 0; k < b.reg.n; k++) {
        const state_array *x = &b.reg.a[k];
        if (!strcmp(x->name, "scalars/firms_n") || !strcmp(x->name, "scalars/firms_n_free")) continue;
        memset(world_state_data(x), 0xA5, (x->per_firm ? b.fm.cap : world_state_count(&b, x)) * x->elem);
    }
    CU_ASSERT(differing_entries(&a.w, &b, 0) >= b.reg.n - 2);
    if (ckpt_read(&b, hb, path, &e) != INC_OK) FAILF("ckpt_read: %s", e.msg);
    CU_ASSERT_EQUAL(differing_entries(&a.w, &b, 1), 0);

    /* What checkpoint.c saves beside the registry. */
    if (memcmp(a.w.L.agg, b.L.agg, (size_t)a.w.L.n_agg * sizeof(int64_t)) != 0) FAILF("ledger accounts differ");
    if (memcmp(a.w.L.lgfv_debt, b.L.lgfv_debt, (size_t)a.w.n_nodes * sizeof(int64_t)) != 0) FAILF("LGFV debts differ");
    const int64_t *ra, *rb;
    CU_ASSERT_EQUAL(migration_table_state(&a.w, &ra), migration_table_state(&b, &rb));
    for (int n = 0; n < a.w.n_nodes; n++)
        for (int j = 0; j < a.w.n_nodes; j++)
            if (migration_gravity_p(&a.w, n, j) != migration_gravity_p(&b, n, j)) {
                FAILF("gravity table of node %d differs at %d", n, j);
                n = a.w.n_nodes;
                break;
            }

    /* Two more months: the same outputs, value for value. */
    stats_t *sb = stats_alloc(b.n_nodes, b.n_sectors);
    CU_ASSERT_FATAL(sb != NULL);
    for (int m = 0; m < 2; m++) {
        inc_err eb = {0};
        if (!tu_world_month(&a)) break;
        if (sim_month(&b, sb, &eb) != INC_OK) { FAILF("resumed month %d: %s", b.t, eb.msg); break; }
        for (int k = 0; k < OUT_COUNT; k++) {
            size_t n = stats_row_len(stats_table[k].group, b.n_nodes, b.n_sectors);
            const void *x = stats_table[k].type == OUT_F64 ? (const void *)a.st->f[k] : (const void *)a.st->i[k];
            const void *y = stats_table[k].type == OUT_F64 ? (const void *)sb->f[k] : (const void *)sb->i[k];
            if (memcmp(x, y, n * 8) != 0) FAILF("month %d: output %s differs after resume", b.t, stats_table[k].name);
        }
    }
    CU_ASSERT_EQUAL(differing_entries(&a.w, &b, 1), 0);
    stats_free(sb);
    world_free(&b);
    ckpt_history_free(ha);
    ckpt_history_free(hb);
    tu_world_close(&a);
}

static void check_names_the_firm(void)
{
    tu_world fx;
    if (!tu_world_open(&fx, "baseline.ini", NULL, 0, THREADS, WORKERS, 2)) return;
    world *w = &fx.w;
    inc_err e = {0};
    CU_ASSERT_EQUAL(world_check(w, &e), INC_OK);
    /* Two live firms with employees; the second's count lowered by what the
     * first's is raised, so every total still matches. */
    int32_t f1 = -1, f2 = -1;
    for (size_t f = 0; f < w->fm.n && f2 < 0; f++)
        if ((w->fm.flags[f] & FF_ALIVE) && w->fm.employees[f] > 0) {
            if (f1 < 0) f1 = (int32_t)f;
            else f2 = (int32_t)f;
        }
    CU_ASSERT_FATAL(f1 >= 0 && f2 >= 0);
    w->fm.employees[f1]++;
    w->fm.employees[f2]--;
    inc_status s = world_check(w, &e);
    CU_ASSERT_EQUAL(s, INC_ERR_NUMERIC);
    char want1[96], want2[96];
    snprintf(want1, sizeof want1, "firm %d has employees %d", f1, w->fm.employees[f1]);
    snprintf(want2, sizeof want2, "firm %d has employees %d", f2, w->fm.employees[f2]);
    if (s == INC_OK || !strstr(e.msg, want1) || !strstr(e.msg, want2) || !strstr(e.msg, "2 integrity errors"))
        FAILF("world_check should name firms %d and %d (\"%s\", \"%s\"), said: %s", f1, f2, want1, want2,
              s == INC_OK ? "(passed)" : e.msg);
    /* The scratch it counted in is left zero (labour.c relies on it). */
    for (int t = 0; t < w->n_threads; t++)
        for (size_t f = 0; f < w->fm.cap; f++)
            if (w->ts[t].firm_count[f] != 0 || w->ts[t].firm_sum[f] != 0) {
                FAILF("thread %d's firm scratch not zero at firm %zu after world_check", t, f);
                t = w->n_threads;
                break;
            }
    w->fm.employees[f1]--;
    w->fm.employees[f2]++;
    CU_ASSERT_EQUAL(world_check(w, &e), INC_OK);
    tu_world_close(&fx);
}

static void firm_arrays_grow(void)
{
    tu_world fx;
    if (!tu_world_open(&fx, "baseline.ini", NULL, 0, THREADS, WORKERS, 1)) return;
    world *w = &fx.w;
    const size_t cap0 = w->fm.cap, n0 = w->fm.n;
    double *ln_a = malloc(n0 * sizeof(double));
    int32_t *emp = malloc(n0 * sizeof(int32_t));
    CU_ASSERT_FATAL(ln_a && emp);
    memcpy(ln_a, w->fm.ln_a, n0 * sizeof(double));
    memcpy(emp, w->fm.employees, n0 * sizeof(int32_t));
    /* Use up the free slots and the capacity, and 5 more. */
    while (w->fm.n < cap0 + 5) {
        int32_t f = world_firm_new(w);
        if (f < 0) { FAILF("world_firm_new failed at %zu slots (capacity %zu)", w->fm.n, w->fm.cap); break; }
        if (w->fm.flags[f] != 0 || w->fm.deposits[f] != 0 || w->fm.employees[f] != 0)
            FAILF("new firm %d is not zero", f);
    }
    CU_ASSERT(w->fm.cap >= cap0 + 5);
    CU_ASSERT_FALSE(w->fm.grow_failed);
    if (memcmp(ln_a, w->fm.ln_a, n0 * sizeof(double)) != 0 || memcmp(emp, w->fm.employees, n0 * sizeof(int32_t)) != 0)
        FAILF("the firms' values changed when the arrays grew");
    CU_ASSERT(w->L.firm_cap >= w->fm.cap);
    for (int k = 0; k < w->reg.n; k++)
        if (!strcmp(w->reg.a[k].name, "firms/ln_a") && *w->reg.a[k].ptr != (void *)w->fm.ln_a)
            FAILF("the registry's firms/ln_a does not point at the grown column");
    /* The new slots are dead firms: the month runs and the state is whole. */
    tu_world_month(&fx);
    inc_err e = {0};
    if (world_check(w, &e) != INC_OK) FAILF("world_check after growth: %s", e.msg);
    free(ln_a);
    free(emp);
    tu_world_close(&fx);
}

static void alias_tables_as_gsl(void)
{
    enum { KMAX = 40 };
    double p[KMAX], e[KMAX];
    size_t a[KMAX], stack[2 * KMAX];
    double f[KMAX];
    uint64_t x = 88172645463325252ull; /* xorshift64: a fixed set of cases */
    int bad = 0;
    for (int c = 0; c < 400 && bad < 5; c++) {
        size_t K = 1 + (size_t)(c % KMAX);
        for (size_t k = 0; k < K; k++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            double u = (double)(x >> 11) * 0x1p-53;
            /* zeros (the origin's own cell), ties, spreads over decades */
            p[k] = c % 5 == 0 ? (double)(k % 3) : u < 0.15 ? 0.0 : c % 7 == 0 ? 1.0 : pow(10.0, 6.0 * u);
        }
        if (c % 11 == 0) { memset(p, 0, sizeof p); p[K / 2] = 3.0; }
        double sum = 0;
        for (size_t k = 0; k < K; k++) sum += p[k];
        if (!(sum > 0)) continue;
        gsl_ran_discrete_t mine = {K, a, f};
        migration_alias_fill(&mine, p, e, stack);
        gsl_ran_discrete_t *ref = gsl_ran_discrete_preproc(K, p);
        CU_ASSERT_FATAL(ref != NULL);
        if (memcmp(ref->A, a, K * sizeof(size_t)) != 0 || memcmp(ref->F, f, K * sizeof(double)) != 0) {
            FAILF("case %d (K = %zu): the alias table differs from gsl_ran_discrete_preproc's", c, K);
            bad++;
        }
        gsl_ran_discrete_free(ref);
    }
}

int main(void)
{
    static const tu_test tests[] = {
        {"every registered column and scalar survives checkpoint and resume", every_entry_survives_a_checkpoint},
        {"world_check names a firm whose employee count is wrong", check_names_the_firm},
        {"firm arrays grow when full", firm_arrays_grow},
        {"gravity alias tables filled in place equal GSL's", alias_tables_as_gsl},
        {NULL, NULL}};
    return tu_run_suite("state", tests);
}
