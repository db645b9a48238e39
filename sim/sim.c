/* sim.c - one month of the economy: the phases of docs/model.md 4 in order, then
 * the audit, the aggregation the next month reads, the invariants and the
 * statistics. Reading sim_month is reading the table of contents of the
 * model: every step is numbered. */
#include "phases.h"
#include <math.h>
#include <string.h>

void sim_begin_month(world *w)
{
    const int N = w->n_nodes, S = w->n_sectors;
    ledger_begin_month(w);
    memcpy(w->nd.lg_revenue_prev, w->nd.lg_revenue, sizeof(int64_t) * (size_t)N);
    memset(w->nd.lg_revenue, 0, sizeof(int64_t) * (size_t)N);
    memset(w->nd.lg_spending, 0, sizeof(int64_t) * (size_t)N);
    memset(w->nd.entries, 0, sizeof(int32_t) * (size_t)N * (size_t)S);
    memset(w->nd.exits, 0, sizeof(int32_t) * (size_t)N * (size_t)S);
    memset(w->nd.bankruptcies, 0, sizeof(int32_t) * (size_t)N * (size_t)S);
    memset(w->nd.wannabe_entries, 0, sizeof(int32_t) * (size_t)N * (size_t)S);
    memset(w->nd.shell_entries, 0, sizeof(int32_t) * (size_t)N * (size_t)S);
    memset(w->nd.in_migrants, 0, sizeof(int32_t) * (size_t)N);
    memset(w->nd.out_migrants, 0, sizeof(int32_t) * (size_t)N);
    memset(w->nd.subsidies, 0, sizeof(int64_t) * (size_t)N);
    if (w->calendar % 12 == 0) memset(w->nd.od, 0, sizeof(int64_t) * (size_t)N * (size_t)N);
    w->year_closed = 0;
    w->central_revenue = 0;
    w->central_spending = 0;
}

inc_status sim_month(world *w, stats_t *st, inc_err *e)
{
    sim_begin_month(w);   /*  0. reset the month's tallies */
    policy_apply(w);      /*  1. policy and environment */
    planning_run(w);      /*  2. firm planning */
    labour_run(w);        /*  3. labour market */
    production_run(w);    /*  4. production */
    goods_run(w);         /*  5. goods market */
    finance_run(w);       /*  6. income and finance */
    productivity_run(w);  /*  7. productivity */
    entry_run(w);         /*  8. entry under incentives */
    giants_run(w);        /*  8b. little giants (each January) */
    if (w->fm.grow_failed) /* 8c. no entrant dropped silently: world_firm_new could not grow */
        return inc_fail(e, INC_ERR_NOMEM, "out of memory growing the firm arrays beyond %zu slots: an entrant could not be "
                        "created (more memory, or fewer worker agents with --workers)", w->fm.cap);
    migration_run(w);     /*  9. migration */
    skills_run(w);        /* 10. skills */
    land_run(w);          /* 11. land */
    government_run(w);    /* 12. government budgets and debt */
    world_firm_slots_sort(w); /* 12b. free firm slots lowest-first for next month */

    /* 13. audit: the accounting identities (ledger.h). */
    int64_t residual = 0;
    inc_status s = ledger_audit(w, &residual, e);
    if (s != INC_OK) return s;
    /* 14. aggregation the next month depends on: node aggregates, the
     *     agglomeration, wage and price indices (stats_aggregate), and the
     *     inflation the central bank's rule reads (finance_update_inflation). */
    const double price_prev = w->price_level;
    stats_aggregate(w);
    finance_update_inflation(w, price_prev);
    /* 15. invariants of the state (world_check_month). */
    if ((s = world_check_month(w, e)) != INC_OK) return s;
    /* 16. statistics: the month's outputs, then their checks (GDP by
     *     production = by expenditure; every value finite). */
    stats_compute(w, st, residual);
    if (w->gdp_gap > 1e-9) {
        char mon[16];
        month_format(w->calendar, mon, sizeof mon);
        return inc_fail(e, INC_ERR_AUDIT,
                        "audit failed in %s: GDP by production %.17g yuan differs from GDP by expenditure %.17g "
                        "yuan by %.3g relative (tolerance 1e-9)",
                        mon, st->f[OUT_NATIONAL_gdp][0], st->f[OUT_NATIONAL_gdp_expenditure][0], w->gdp_gap);
    }
    for (int k = 0; k < OUT_COUNT; k++) {
        if (!st->f[k]) continue;
        size_t n = stats_row_len(stats_table[k].group, w->n_nodes, w->n_sectors);
        for (size_t j = 0; j < n; j++)
            if (!isfinite(st->f[k][j])) {
                char mon[16];
                month_format(w->calendar, mon, sizeof mon);
                return inc_fail(e, INC_ERR_NUMERIC, "%s: output %s/%s is not finite at index %zu", mon,
                                stats_group_name(stats_table[k].group), stats_table[k].name, j);
            }
    }
    /* 17. close the month. */
    w->year_closed = (w->calendar % 12 == 11) || (w->t == w->months - 1);
    w->t++;
    w->calendar++;
    return INC_OK;
}
