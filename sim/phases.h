/* phases.h - the month, phase by phase (docs/model.md 4). One file per phase; each
 * phase is a parallel map over agents followed by exact reductions, and reads
 * only aggregates computed by an earlier phase or last month.
 *
 * Every phase takes the world and returns nothing unless it can fail. Random
 * draws use the stream of the phase (rng.h) keyed by agent id and w->t. */
#ifndef INC_PHASES_H
#define INC_PHASES_H

#include "world.h"

/* 1. policy.c: this month's environment: technology frontier growth and
 *    foreign demand growth (docs/model.md 4.1, 7, 9). */
void policy_apply(world *w);

/* 2. planning.c: expected sales, desired output, labour demand (vacancies,
 *    layoff probabilities), wage offers and investment plans, with borrowing
 *    for investment (docs/model.md 5, 8). */
void planning_run(world *w);

/* 3. labour.c: separations, search and matching per node and tier, hiring at
 *    the firm's offer, the yearly wage revision (docs/model.md 6). */
void labour_run(world *w);
/* Rebuild the search lists (world.sl) from the firms' vacancies and offers:
 * per node, the firms with vacancies (and every farm) sorted by their sector's
 * minimum tier, with cumulative weights vacancies * (offer / mean offer)^sigma_w
 * (farms: employees + 1). Part of labour_run; exposed for tests. */
void labour_build_search_lists(world *w);
/* The firm a searcher of `tier` in `node` applies to for a uniform u in
 * (0, 1): the first firm of the node's list open to the tier whose cumulative
 * weight exceeds u times the total (docs/model.md 6). -1 when no firm is open. */
int32_t labour_pick(const world *w, int node, int tier, double u);
/* Take employed worker i out of its firm f: the firm's employee, skilled,
 * skill and wage-bill counts fall by the worker's (exact integer atomics, safe
 * in a parallel loop over workers). The caller sets employer[i] = -1. */
void labour_leave_firm(world *w, size_t i, int32_t f);

/* 4. production.c: Y = A G K^alpha H^(1-alpha), capped at desired output;
 *    shells produce nothing (docs/model.md 5). */
void production_run(world *w);

/* 5. goods.c: demand of households, owners, firms' investment, governments
 *    and the rest of the world meets supply; exact pro-rata payments through
 *    clearing accounts; prices adjust (docs/model.md 7). */
void goods_run(world *w);

/* 6. finance.c: wages, income tax, rents, benefits, interest, loans,
 *    corporate tax, dividends, bankruptcy and closure (docs/model.md 8). */
void finance_run(world *w);

/* 7. productivity.c: technology transfer towards the frontier (docs/model.md 9). */
void productivity_run(world *w);

/* 8. entry.c: new firms per node and sector, funded by owners (docs/model.md 10). */
void entry_run(world *w);

/* 8b. giants.c: each January the central government picks the little
 *     giants; their grants, tax rate and directed credit (docs/model.md 10). */
void giants_run(world *w);

/* 9. migration.c: workers reconsider where to live (Harris-Todaro random
 *    utility over their node, hukou node and gravity draws); movers pay
 *    their moving cost and quit their job; the origin-destination matrix of
 *    the year accumulates in nd.od (docs/model.md 11). */
void migration_run(world *w);

/* 10. skills.c: training places, enrolment and completion; retirement and
 *     young entrants (docs/model.md 12). */
void skills_run(world *w);

/* 11. land.c: land price index per node, land sales to firms for their new
 *     hires (discounts for target firms count as subsidies) (docs/model.md 13). */
void land_run(world *w);

/* 12. government.c: interest on public debt, central transfers, borrowing
 *     and repayment, bank capital (docs/model.md 8, 14). */
void government_run(world *w);

/* Reset the month's tallies (flows, node counts of entries, exits, migrants,
 * subsidies; the OD matrix each January). The first step of sim_month;
 * exposed so tests can replay phases one by one. */
void sim_begin_month(world *w);

/* The whole month, steps numbered as in sim.c: 0 reset, phases 1-12, 13 the
 * audit (ledger_audit), 14 the aggregation the next month depends on (node
 * aggregates, agglomeration, wage and price indices: stats_aggregate; the
 * inflation average: finance_update_inflation), 15 the invariants
 * (world_check_month), 16 the statistics into st and their checks, 17 the
 * month's close (w->t and w->calendar advance). Returns INC_ERR_AUDIT or
 * INC_ERR_NUMERIC with a message naming the month when a check fails, or
 * INC_ERR_NOMEM when the firm arrays cannot grow for an entrant. On failure
 * the world is left mid-month (not to be continued) and st holds either
 * what it held before (failure before step 16) or this month's values that
 * failed their checks (failure in step 16): the caller must not record st. */
inc_status sim_month(world *w, stats_t *st, inc_err *e);

/* Shared helpers. */
/* The central bank's rates for this month (docs/model.md "Interest rates"):
 * r_policy = max(0, bank.r_base + phi (inflation - bank.inflation_target)),
 * phi = bank.taylor_inflation (Taylor 1993's 1.5 on inflation; 0 keeps the
 * fixed rates of the first specification (docs/model.md 8)), inflation = w->inflation (share/year, last
 * month's moving average); the deposit rate moves by the same gap, floored
 * at 0 and capped at r_policy. Sets w->r_policy (share/year) and the monthly
 * w->r_loan_m and w->r_deposit_m. Called in phase 1 and at initialisation. */
void finance_policy_rates(world *w);
/* Once a month, after the statistics have set this month's price level:
 * w->inflation (share/year) moves 1/bank.inflation_months of the way to the
 * annualised log change 12 ln(price_level / price_prev), an exponential
 * moving average. price_prev: last month's price level (> 0; else no change). */
void finance_update_inflation(world *w, double price_prev);
/* Monthly loan rate of firm f with the given leverage (loans / value of
 * capital): base rate (w->r_loan_m) + spread_slope * leverage, monthly (docs/model.md 8), less the
 * directed-credit discount (incentives.directed_credit) for target firms,
 * state-linked firms and little giants, floored at 0. f = -1: a firm without
 * support (entry's and the initial state's reference rate). */
double finance_loan_rate(const world *w, int32_t f, double leverage);
/* Price of the investment basket: investment-share-weighted mean price of the
 * tradable markets. */
double goods_invest_price(const world *w);
/* Corporate income tax rate of a firm (docs/model.md 8): the normal rate of its
 * node and sector, or the lowest incentive rate it qualifies for (target
 * firms within cit_until, little giants within giant_until). */
double finance_cit_rate(const world *w, int32_t f);
/* Normal corporate income tax rate in node n and sector s, without
 * incentives: 0 for agriculture, cit_hightech for hard tech, cit_standard
 * otherwise, at most cit_west in the West. */
double finance_cit_normal(const world *w, int n, int s);

#endif
