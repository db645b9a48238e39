/* world.c - the state of the economy: allocation, registration, growth of
 * the firm arrays, release and the integrity check (docs/design.md "The
 * state"). What the columns hold at the start is init.c's job.
 *
 * Every column and scalar is a line of state.def; the X-macros below turn
 * each line into its allocation, registration (checkpoints, snapshots),
 * growth and free, so no list here names a column. */
#include "world.h"
#include "phases.h"
#include "migration.h"
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* calloc of n elements of size sz, recording failure in *ok. */
static void *zalloc(size_t n, size_t sz, int *ok)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p) *ok = 0;
    return p;
}

/* Record one state entry for checkpoints (checkpoint.c): an array (pptr:
 * where its pointer lives) or a scalar (addr), its element size and count
 * (per_firm: the count is the firms in use, fm.n, at save time). */
static void reg(state_registry *r, const char *name, void *pptr, void *addr, size_t elem, size_t count, int per_firm,
                int column, char kind)
{
    if (r->n >= WORLD_MAX_ARRAYS) { r->n++; return; } /* world_alloc fails: raise WORLD_MAX_ARRAYS */
    state_array *a = &r->a[r->n++];
    a->name = name;
    a->ptr = (void **)pptr;
    a->addr = addr;
    a->elem = elem;
    a->count = count;
    a->per_firm = per_firm;
    a->column = column;
    a->kind = kind;
}

/* state.def's save field: 1 for CKPT (registered), 0 for SCRATCH. */
#define STATE_SAVED_CKPT 1
#define STATE_SAVED_SCRATCH 0
#define STATE_SAVED(save) STATE_SAVED_##save

size_t world_node_dim(const world *w, state_dim dim)
{
    const size_t N = (size_t)w->n_nodes, S = (size_t)w->n_sectors;
    switch (dim) {
    case STATE_DIM_N: return N;
    case STATE_DIM_NS: return N * S;
    case STATE_DIM_NT: return N * SC_TIERS;
    case STATE_DIM_NN: return N * N;
    }
    return 0;
}

size_t world_state_count(const world *w, const state_array *a)
{
    return a->ptr ? (a->per_firm ? w->fm.n : a->count) : 1;
}

void *world_state_data(const state_array *a)
{
    return a->ptr ? *a->ptr : a->addr;
}

/* Register every CKPT line of state.def: scalars first (fm.n before the firm
 * columns), then workers, firms, nodes and markets. */
static void state_register(world *w)
{
    state_registry *r = &w->reg;
#define STATE_WORLD(name, type, units, description) \
    reg(r, "scalars/" #name, NULL, &w->name, sizeof w->name, 1, 0, 0, STATE_KIND((type)0));
#define STATE_WORLD_ARRAY(name, type, len, units, description) \
    reg(r, "scalars/" #name, NULL, w->name, sizeof w->name, 1, 0, 0, STATE_KIND((type)0));
#define STATE_SCALAR(name, field, units, description) \
    reg(r, "scalars/" #name, NULL, &(field), sizeof(field), 1, 0, 0, STATE_KIND(field));
#include "state.def"
#define STATE_WORKER(name, type, units, save, description) \
    if (STATE_SAVED(save)) reg(r, "workers/" #name, &w->wk.name, NULL, sizeof(type), w->wk.n, 0, 1, STATE_KIND((type)0));
#define STATE_FIRM(name, type, units, save, description) \
    if (STATE_SAVED(save)) reg(r, "firms/" #name, &w->fm.name, NULL, sizeof(type), 0, 1, 1, STATE_KIND((type)0));
#define STATE_NODE(name, type, dim, units, save, description)                                                   \
    if (STATE_SAVED(save))                                                                                      \
        reg(r, "nodes/" #name, &w->nd.name, NULL, sizeof(type), world_node_dim(w, STATE_DIM_##dim), 0, 0, \
            STATE_KIND((type)0));
#define STATE_MARKET(name, type, units, save, description) \
    if (STATE_SAVED(save)) reg(r, "market/" #name, &w->mk.name, NULL, sizeof(type), (size_t)w->mk.n_markets, 0, 0, STATE_KIND((type)0));
#include "state.def"
    /* The free list: the first fm.n_free of its fm.n entries are used. */
    reg(r, "firms/free_list", &w->fm.free_list, NULL, sizeof(int32_t), 0, 1, 0, 'i');
}

/* Allocate every column of state.def (zeroed). Returns 0 when out of memory. */
static int state_alloc(world *w, size_t n_workers, size_t firm_cap)
{
    int ok = 1;
    w->wk.n = n_workers;
    w->fm.cap = firm_cap;
    w->mk.n_markets = w->n_sectors + w->n_nodes * w->n_sectors;
#define STATE_WORKER(name, type, units, save, description) w->wk.name = zalloc(n_workers, sizeof(type), &ok);
#define STATE_FIRM(name, type, units, save, description) w->fm.name = zalloc(firm_cap, sizeof(type), &ok);
#define STATE_NODE(name, type, dim, units, save, description) \
    w->nd.name = zalloc(world_node_dim(w, STATE_DIM_##dim), sizeof(type), &ok);
#define STATE_MARKET(name, type, units, save, description) w->mk.name = zalloc((size_t)w->mk.n_markets, sizeof(type), &ok);
#include "state.def"
    w->fm.free_list = zalloc(firm_cap, sizeof(int32_t), &ok);
    return ok;
}

static void state_free(world *w)
{
#define STATE_WORKER(name, type, units, save, description) free(w->wk.name);
#define STATE_FIRM(name, type, units, save, description) free(w->fm.name);
#define STATE_NODE(name, type, dim, units, save, description) free(w->nd.name);
#define STATE_MARKET(name, type, units, save, description) free(w->mk.name);
#include "state.def"
    free(w->fm.free_list);
    memset(&w->wk, 0, sizeof w->wk);
    memset(&w->fm, 0, sizeof w->fm);
    memset(&w->nd, 0, sizeof w->nd);
    memset(&w->mk, 0, sizeof w->mk);
}

double world_bytes_per_worker(const world *w)
{
    (void)w;
    size_t b = 0;
#define STATE_WORKER(name, type, units, save, description) b += sizeof(type);
#include "state.def"
    return (double)b;
}

/* The arrays outside state.def that are sized by the firm capacity, listed
 * once for firms_grow and world_bytes_per_firm_slot: X(member of world, element
 * type, extra elements beyond the capacity). FIRM_SCRATCH_THREAD: the same
 * for each thread's scratch (member of thread_scratch). The ledger's deferred
 * firm deposits (one int64 per firm and thread) grow in ledger_grow_firms. */
#define FIRM_SCRATCH(X)                      \
    X(fm.free_list, int32_t, 0)              \
    X(sl.firms, int32_t, 0)                  \
    X(sl.cum, double, 0)                     \
    X(sl.firm_bits, uint8_t, 0)              \
    X(sl.guide, int32_t, (size_t)w->n_nodes + 1) \
    X(pick, firm_score, 0)
#define FIRM_SCRATCH_THREAD(X) \
    X(firm_sum, int64_t)       \
    X(firm_count, int32_t)

size_t world_bytes_per_firm_slot(const world *w)
{
    size_t b = 0, per_thread = sizeof(int64_t); /* the ledger's deferred deposits */
#define STATE_FIRM(name, type, units, save, description) b += sizeof(type);
#include "state.def"
#define BYTES(field, type, extra) b += sizeof(type);
    FIRM_SCRATCH(BYTES)
#undef BYTES
#define BYTES_T(field, type) per_thread += sizeof(type);
    FIRM_SCRATCH_THREAD(BYTES_T)
#undef BYTES_T
    return b + (size_t)w->n_threads * per_thread;
}

/* realloc *p from old to n elements of sz bytes, zeroing the new ones;
 * 0 when out of memory (*p unchanged). */
static int grow(void *pp, size_t old, size_t n, size_t sz)
{
    void **p = (void **)pp;
    char *q = realloc(*p, n * sz);
    if (!q) return 0;
    memset(q + old * sz, 0, (n - old) * sz);
    *p = q;
    return 1;
}

/* Grow every array sized by the firm capacity to cap slots: the state.def
 * firm columns, the free list, the search lists, the little-giant
 * candidates, each thread's firm partials and the ledger's. Serial (between
 * the parallel loops of the phases) and a function of the state only, so
 * runs stay deterministic. Returns 0, or -1 when out of memory (fm.cap then
 * unchanged; every array still holds at least fm.cap slots). */
static int firms_grow(world *w, size_t cap)
{
    const size_t old = w->fm.cap;
    int ok = 1;
#define STATE_FIRM(name, type, units, save, description) ok = ok && grow(&w->fm.name, old, cap, sizeof(type));
#include "state.def"
#define GROW(field, type, extra) ok = ok && grow(&w->field, old + (extra), cap + (extra), sizeof(type));
    FIRM_SCRATCH(GROW)
#undef GROW
#define GROW_T(field, type) ok = ok && grow(&w->ts[t].field, old, cap, sizeof(type));
    for (int t = 0; t < w->n_threads && ok; t++) {
        FIRM_SCRATCH_THREAD(GROW_T)
    }
#undef GROW_T
    ok = ok && ledger_grow_firms(&w->L, cap) == 0;
    if (!ok) return -1;
    w->fm.cap = cap;
    return 0;
}

int world_firms_reserve(world *w, size_t slots)
{
    if (slots <= w->fm.cap) return 0;
    size_t cap = w->fm.cap + w->fm.cap / 2 + 64;
    if (cap < slots) cap = slots;
    if (cap > (size_t)INT32_MAX) return -1; /* firm ids are int32 */
    return firms_grow(w, cap);
}

int32_t world_firm_new(world *w)
{
    firms_t *fm = &w->fm;
    int32_t f;
    if (fm->n_free > 0) f = fm->free_list[--fm->n_free];
    else {
        if (fm->n == fm->cap && world_firms_reserve(w, fm->n + 1) != 0) {
            fm->grow_failed = 1;
            return -1;
        }
        f = (int32_t)fm->n++;
    }
#define STATE_FIRM(name, type, units, save, description) memset(&fm->name[f], 0, sizeof(type));
#include "state.def"
    return f;
}

void world_firm_release(world *w, int32_t f)
{
    w->fm.flags[f] = 0;
    w->fm.free_list[w->fm.n_free++] = f;
}

static int cmp_desc_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x < y) - (x > y);
}

void world_firm_slots_sort(world *w)
{
    qsort(w->fm.free_list, w->fm.n_free, sizeof(int32_t), cmp_desc_i32);
}

inc_status world_alloc(world *w, const scenario *sc, int threads, size_t n_workers, size_t firm_cap, inc_err *e)
{
    memset(w, 0, sizeof *w);
    w->sc = sc;
    w->p = &sc->p;
    w->m = &sc->m;
    const int N = sc->n_nodes, S = sc->n_sectors;
    w->n_nodes = N;
    w->n_sectors = S;
    w->n_threads = threads > 0 ? threads : 1;
    const size_t cap = firm_cap;
    int ok = state_alloc(w, n_workers, cap);
    if (ok) {
        state_register(w);
        if (w->reg.n > WORLD_MAX_ARRAYS) {
            int n = w->reg.n;
            world_free(w);
            return inc_fail(e, INC_ERR_RANGE, "state.def has %d registered entries, more than WORLD_MAX_ARRAYS (%d) in world.h: raise it", n, WORLD_MAX_ARRAYS);
        }
    }
    if (ok) {
        w->sl.firms = zalloc(cap, sizeof(int32_t), &ok);
        w->sl.cum = zalloc(cap, sizeof(double), &ok);
        w->sl.start = zalloc((size_t)N + 1, sizeof(int32_t), &ok);
        w->sl.tier_end = zalloc((size_t)N * SC_TIERS, sizeof(int32_t), &ok);
        w->sl.firm_bits = zalloc(cap, sizeof(uint8_t), &ok);
        w->sl.guide = zalloc(cap + (size_t)N + 1, sizeof(int32_t), &ok);
        w->sl.guide_scale = zalloc((size_t)N, sizeof(double), &ok);
    }
    w->acc.owners = 0;
    w->acc.localgov = N;
    w->acc.central = 2 * N;
    w->acc.row = 2 * N + 1;
    w->acc.clearing = 2 * N + 2;
    w->acc.pot = w->acc.clearing + S + N * S;
    w->acc.housing = w->acc.pot + N;
    w->acc.count = w->acc.housing + 1;
    if (!ok || ledger_alloc(&w->L, w->acc.count, N, cap, w->n_threads, e) != INC_OK) {
        world_free(w);
        return inc_fail(e, INC_ERR_NOMEM, "out of memory building a world of %zu workers", n_workers);
    }
    w->hist = calloc(2 * GINI_BINS, sizeof(int64_t));
    w->wbins = stats_wage_bins_alloc();
    w->pick = calloc(cap, sizeof(firm_score));
    ledger_index_sectors(w);
    w->ts = calloc((size_t)w->n_threads, sizeof *w->ts);
    if (!w->ts || !w->hist || !w->wbins || !w->pick) { world_free(w); return inc_fail(e, INC_ERR_NOMEM, "out of memory (thread scratch)"); }
    for (int t = 0; t < w->n_threads; t++) {
        w->ts[t].market_sum = calloc((size_t)w->mk.n_markets, sizeof(int64_t));
        w->ts[t].node_sum = calloc((size_t)N * SCRATCH_NODE_SLOTS, sizeof(int64_t));
        w->ts[t].gsl = rng_gsl_alloc();
        w->ts[t].ns_real = calloc((size_t)N * (size_t)S * 2, sizeof(double));
        w->ts[t].hist = calloc(2 * GINI_BINS, sizeof(int64_t));
        w->ts[t].tier_sum = calloc((size_t)N * 3 * SC_TIERS, sizeof(int64_t));
        w->ts[t].firm_sum = calloc(cap, sizeof(int64_t));
        w->ts[t].firm_count = calloc(cap, sizeof(int32_t));
        if (!w->ts[t].firm_sum || !w->ts[t].firm_count || !w->ts[t].ns_real || !w->ts[t].hist || !w->ts[t].tier_sum || !w->ts[t].market_sum || !w->ts[t].node_sum || !w->ts[t].gsl) {
            world_free(w);
            return inc_fail(e, INC_ERR_NOMEM, "out of memory (thread scratch)");
        }
    }
    if (migration_alloc(w, e) != INC_OK) { world_free(w); return INC_ERR_NOMEM; }
    return INC_OK;
}

void world_free(world *w)
{
    state_free(w);
    ledger_free(&w->L);
    migration_free(w);
    free(w->hist);
    stats_wage_bins_free(w->wbins);
    free(w->pick);
    free(w->sl.firms); free(w->sl.cum); free(w->sl.start); free(w->sl.tier_end);
    free(w->sl.firm_bits); free(w->sl.guide); free(w->sl.guide_scale);
    if (w->ts) {
        for (int t = 0; t < w->n_threads; t++) {
            free(w->ts[t].market_sum);
            free(w->ts[t].node_sum);
            free(w->ts[t].ns_real);
            free(w->ts[t].hist);
            free(w->ts[t].tier_sum);
            free(w->ts[t].firm_sum);
            free(w->ts[t].firm_count);
            rng_gsl_free(w->ts[t].gsl);
        }
        free(w->ts);
    }
    memset(w, 0, sizeof *w);
}

int world_node_hosts(const world *w, int n, int s)
{
    const sc_sector *sec = &w->sc->sectors[s];
    if (w->sc->nodes[n].kind == NODE_RURAL) return sec->agriculture || !sec->tradable;
    return !sec->agriculture;
}

/* The integrity check's error list: up to WORLD_CHECK_MAX_ERRORS entries
 * with their ids and fields, and the count of all found. */
typedef struct {
    int n;
    size_t len;
    char text[sizeof(((inc_err *)0)->msg)];
} check_log;

__attribute__((format(printf, 2, 3))) static void note(check_log *c, const char *fmt, ...)
{
    if (c->n++ >= WORLD_CHECK_MAX_ERRORS || c->len + 1 >= sizeof c->text) return;
    if (c->len > 0) c->len += (size_t)snprintf(c->text + c->len, sizeof c->text - c->len, "; ");
    if (c->len >= sizeof c->text) { c->len = sizeof c->text - 1; return; }
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(c->text + c->len, sizeof c->text - c->len, fmt, ap);
    va_end(ap);
    c->len += k > 0 ? (size_t)k : 0;
    if (c->len >= sizeof c->text) c->len = sizeof c->text - 1;
}

/* Recompute one per-firm count from the workers and compare it firm by
 * firm: what = 0 employees, 1 skilled employees (tier >= 2), 2 skill units.
 * Uses each thread's firm_count (what 0, 1) or firm_sum (2) and leaves them
 * zero, as they must be between uses. */
static void check_firm_counts(const world *w, int what, check_log *c)
{
    const long nw = (long)w->wk.n;
    const size_t nf = w->fm.n;
#pragma omp parallel num_threads(w->n_threads)
    {
        thread_scratch *ts = &w->ts[omp_get_thread_num()];
#pragma omp for schedule(static, WORLD_CHUNK)
        for (long i = 0; i < nw; i++) {
            int32_t f = w->wk.employer[i];
            if (f < 0 || (size_t)f >= nf) continue;
            if (what == 0) ts->firm_count[f]++;
            else if (what == 1) ts->firm_count[f] += w->wk.tier[i] >= 2;
            else ts->firm_sum[f] += world_skill_of_tier(w, w->wk.tier[i]);
        }
    }
    static const char *const field[] = {"employees", "skilled", "skill"};
    for (size_t f = 0; f < nf; f++) {
        int64_t have = 0;
        for (int t = 0; t < w->n_threads; t++) {
            if (what == 2) { have += w->ts[t].firm_sum[f]; w->ts[t].firm_sum[f] = 0; }
            else { have += w->ts[t].firm_count[f]; w->ts[t].firm_count[f] = 0; }
        }
        int64_t stored = what == 0 ? w->fm.employees[f] : what == 1 ? w->fm.skilled[f] : w->fm.skill[f];
        if ((w->fm.flags[f] & FF_ALIVE) && stored != have)
            note(c, "firm %zu has %s %lld but its workers give %lld", f, field[what], (long long)stored, (long long)have);
    }
}

/* The check itself; per_firm selects the per-firm counts (else totals). */
static inc_status check(const world *w, int per_firm, inc_err *e)
{
    char mon[16];
    month_format(w->calendar, mon, sizeof mon);
    check_log c = {0};
    /* Workers: the employer is a live firm of the worker's node. Parallel
     * over workers (a serial pass would leave the other threads idle); the
     * integer sums and the lowest failing worker do not depend on the thread
     * count. On failure a serial scan from that worker lists the first ones. */
    int64_t emp_workers = 0, skill_workers = 0;
    const long nw = (long)w->wk.n;
    long bad = nw, n_bad = 0;
#pragma omp parallel for schedule(static, WORLD_CHUNK) num_threads(w->n_threads) reduction(+ : emp_workers, skill_workers, n_bad) reduction(min : bad)
    for (long i = 0; i < nw; i++) {
        int32_t f = w->wk.employer[i];
        if (f < 0) continue;
        emp_workers++;
        skill_workers += world_skill_of_tier(w, w->wk.tier[i]);
        if ((size_t)f >= w->fm.n || !(w->fm.flags[f] & FF_ALIVE) || w->fm.node[f] != w->wk.node[i]) {
            n_bad++;
            if (i < bad) bad = i;
        }
    }
    /* List the first failing workers; count the rest, so the error count is
     * the total (the scan stops once the list is full). */
    const int listed_before = c.n;
    for (long i = bad; i < nw && c.n < WORLD_CHECK_MAX_ERRORS; i++) {
        int32_t f = w->wk.employer[i];
        if (f < 0) continue;
        if ((size_t)f >= w->fm.n || !(w->fm.flags[f] & FF_ALIVE))
            note(&c, "worker %ld is employed by firm %d, which is not alive", i, f);
        else if (w->fm.node[f] != w->wk.node[i])
            note(&c, "worker %ld lives in node %d but its employer %d is in node %d", i, w->wk.node[i], f, w->fm.node[f]);
    }
    c.n += (int)(n_bad - (c.n - listed_before));
    /* Firms: finite reals, deposits not negative; employee and skill totals. */
    int64_t emp_firms = 0, skill_firms = 0;
    for (size_t f = 0; f < w->fm.n; f++) {
        if (!(w->fm.flags[f] & FF_ALIVE)) continue;
        emp_firms += w->fm.employees[f];
        skill_firms += w->fm.skill[f];
        double v[] = {w->fm.ln_a[f], w->fm.capital[f], w->fm.expected[f], w->fm.expected_k[f], w->fm.inventory[f], w->fm.output[f], w->fm.offer[f]};
        const char *names[] = {"ln_a", "capital", "expected", "expected_k", "inventory", "output", "offer"};
        for (int k = 0; k < (int)(sizeof v / sizeof v[0]); k++)
            if (!isfinite(v[k])) note(&c, "firm %zu has a non-finite %s", f, names[k]);
        if (w->fm.deposits[f] < 0) note(&c, "firm %zu has negative deposits (%lld fen)", f, (long long)w->fm.deposits[f]);
    }
    if (per_firm) {
        check_firm_counts(w, 0, &c);
        check_firm_counts(w, 1, &c);
        check_firm_counts(w, 2, &c);
    }
    if (emp_workers != emp_firms || skill_workers != skill_firms)
        note(&c, "firms count %lld employees with %lld skill units but %lld workers with %lld skill units are employed",
             (long long)emp_firms, (long long)skill_firms, (long long)emp_workers, (long long)skill_workers);
    for (int k = 0; k < w->mk.n_markets; k++)
        if (!isfinite(w->mk.price[k]) || w->mk.price[k] <= 0) note(&c, "market %d has price %g", k, w->mk.price[k]);
    for (int n = 0; n < w->n_nodes; n++) {
        double u = w->nd.unemployment_rate[n];
        if (!(u >= 0 && u <= 1)) note(&c, "node %s has unemployment rate %g", w->sc->nodes[n].name, u);
    }
    if (c.n == 0) return INC_OK;
    if (c.n == 1) return inc_fail(e, INC_ERR_NUMERIC, "%s: %s", mon, c.text);
    return inc_fail(e, INC_ERR_NUMERIC, "%s: %d integrity errors%s: %s", mon, c.n,
                    c.n > WORLD_CHECK_MAX_ERRORS ? " (the first listed)" : "", c.text);
}

inc_status world_check(const world *w, inc_err *e)
{
    return check(w, 1, e);
}

inc_status world_check_month(const world *w, inc_err *e)
{
    return check(w, WORLD_CHECK_PER_FIRM_EVERY_MONTH, e);
}
