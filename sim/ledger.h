/* ledger.h - the only way money moves, and the monthly audit.
 *
 * docs/design.md "Money": every stock and flow is an int64 count of fen. A transfer
 * debits one account and credits another by the same amount, so no phase can
 * create or destroy money. The bank is the only creator of deposits: a loan
 * credits the borrower's deposits and books a loan of the same size (docs/model.md 8,
 * "new loans create deposits"); repayments and interest destroy deposits.
 *
 * Accounts are of three kinds: a worker's savings (workers.savings[i]), a firm's
 * deposits (firms.deposits[f]) and the aggregate accounts (owners, governments,
 * rest of world, clearing accounts; ledger.agg[]). Every account belongs to one
 * institutional sector (ledger_sector). Within an OpenMP loop each thread books
 * through its own ledger_thread: credits to aggregate accounts wait there as
 * exact integer partials until ledger_flush(), firm deposits change atomically
 * (several workers' iterations may pay the same firm), a worker's savings only
 * in that worker's own iteration. Integer sums do not depend on order, so the
 * result is identical for any number of threads. */
#ifndef INC_LEDGER_H
#define INC_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

typedef enum {
    SEC_WORKERS = 0, SEC_FIRMS, SEC_OWNERS, SEC_LOCALGOV, SEC_CENTRAL, SEC_ROW, SEC_CLEARING,
    SEC_BANK, SEC_COUNT
} ledger_sector;

typedef enum { ACC_WORKER = 0, ACC_FIRM = 1, ACC_AGG = 2 } acct_kind;

/* A reference to one account. */
typedef struct {
    uint32_t kind; /* acct_kind */
    uint32_t idx;  /* worker id, firm id or aggregate account index */
} acct;

/* Kinds of flow, tallied per month for the statistics (national accounts) and
 * for the audit's transactions-flow check. */
typedef enum {
    FLOW_CONSUMPTION = 0, FLOW_INVESTMENT, FLOW_GOVERNMENT, FLOW_EXPORTS,
    FLOW_IMPORTS_CONSUMPTION, FLOW_IMPORTS_INVESTMENT,
    FLOW_SALES,         /* clearing account -> firm (revenue) */
    FLOW_WAGES, FLOW_BENEFITS, FLOW_RENT, FLOW_PIT, FLOW_CIT, FLOW_VAT, FLOW_DIVIDENDS,
    FLOW_INTEREST_LOANS, FLOW_INTEREST_DEPOSITS, FLOW_INTEREST_LGFV, FLOW_INTEREST_CENTRAL,
    FLOW_LOANS_NEW, FLOW_LOANS_REPAID, FLOW_LOANS_WRITTEN_OFF,
    FLOW_TRANSFERS,     /* central -> local governments */
    FLOW_EQUITY,        /* owners -> entrants */
    FLOW_LIQUIDATION,   /* bankrupt firm's deposits and recovered capital */
    FLOW_SUBSIDIES,     /* grants and other subsidies to firms */
    FLOW_CLEARING,      /* between clearing accounts (consumer pots to markets) */
    FLOW_OTHER,
    FLOW_LAND,          /* firms -> local governments: land sales (docs/model.md 13) */
    FLOW_HOUSING,       /* households -> new housing (residential investment, goods.c) */
    FLOW_IMPORTS_HOUSING, /* the imported part of households' housing purchases */
    FLOW_PUBLIC_INVESTMENT, /* central procurement of works: government fixed investment (goods.c) */
    FLOW_COUNT
} ledger_flow;

/* floor(x) as an int64 count of fen, for |x| < 2^63: exact like floor(), and
 * cheaper (no libm call). Every pro-rata or rate-times-balance amount in fen
 * is rounded down with it, so residues are never negative. */
static inline int64_t fen_floor(double x)
{
    int64_t i = (int64_t)x;
    return x < (double)i ? i - 1 : i;
}

/* Per-thread booking scratch, padded to a cache line multiple so threads do
 * not share lines (docs/design.md "Parallelism"). */
typedef struct {
    int64_t *pending;            /* n_agg partial credits (negative = debits) */
    int64_t sec_in[SEC_COUNT];   /* fen received by each sector this month */
    int64_t sec_out[SEC_COUNT];  /* fen paid by each sector this month */
    int64_t flow[FLOW_COUNT];    /* fen moved by kind of flow this month */
    int64_t d_bank_deposits;     /* change of the bank's deposit liabilities */
    int64_t d_bank_firm_loans;   /* change of the bank's loans to firms */
    int64_t *firm_pending;       /* firm capacity partial deposit changes (ledger_move_firm_deferred) */
    int firm_dirty;              /* firm_pending holds a non-zero entry */
    char pad[64];
} ledger_thread;

struct world;

typedef struct {
    int64_t *agg;           /* balances of aggregate accounts, fen */
    uint8_t *agg_sector;    /* institutional sector of each aggregate account */
    int n_agg;
    size_t firm_cap;        /* length of each thread's firm_pending */
    /* Liabilities of the governments, fen (assets of the bank). */
    int64_t *lgfv_debt;     /* per node: local government incl. LGFV debt */
    int64_t central_bonds;
    /* The bank's own books, fen: what it owes and is owed. Equity is derived:
     * loans + lgfv + bonds - deposits. */
    int64_t bank_deposits;
    int64_t bank_firm_loans;
    int64_t bank_lgfv;
    int64_t bank_bonds;
    /* Threads. */
    ledger_thread *th;
    int n_threads;
    /* Month tallies (after ledger_close_month): flows and sector net flows. */
    int64_t flow[FLOW_COUNT];
    int64_t sec_in[SEC_COUNT], sec_out[SEC_COUNT];
    /* Deposits of each sector at the last audit, fen. */
    int64_t sec_deposits_prev[SEC_COUNT];
    /* Net financial worth of each sector at the last audit, fen. */
    int64_t sec_nfw[SEC_COUNT];
} ledger;

/* Allocate a ledger with n_agg aggregate accounts, n_nodes LGFV accounts and
 * per-thread scratch for n_threads threads and firm_cap firm slots. Returns
 * INC_ERR_NOMEM on failure. */
inc_status ledger_alloc(ledger *L, int n_agg, int n_nodes, size_t firm_cap, int n_threads, inc_err *e);
/* Grow each thread's firm_pending to firm_cap slots (new slots zero; no-op
 * when firm_cap <= L->firm_cap). Serial, outside parallel loops (world.c
 * world_firm_new). Returns 0, or -1 when out of memory: L->firm_cap is then
 * unchanged and every array still holds at least that many slots. */
int ledger_grow_firms(ledger *L, size_t firm_cap);
void ledger_free(ledger *L);

/* Record the institutional sector of every aggregate account from the world's
 * account layout (world_init calls it once). */
void ledger_index_sectors(struct world *w);

/* Institutional sector of an account. */
ledger_sector ledger_sector_of(const struct world *w, acct a);

/* Move amt >= 0 fen from one account to another, booked as flow kind f.
 * Safe inside an OpenMP loop with the calling thread's lt, under the rules in
 * the file comment; outside parallel regions pass ledger_serial(w). amt < 0 is a
 * programming error (assert). A move never checks for overdraft: callers
 * decide what they can afford; the audit checks the totals. */
void ledger_move(struct world *w, ledger_thread *lt, acct from, acct to, int64_t amt, ledger_flow f);

/* Move amounts[k] >= 0 fen from one account to aggregate account to[k], for
 * k < n, booked as flow f: one debit, n credits (a buyer paying several
 * markets' clearing accounts). Same threading rules as ledger_move. */
void ledger_move_split(struct world *w, ledger_thread *lt, acct from, const int *to, const int64_t *amounts, int n,
                       ledger_flow f);

/* Move amt >= 0 fen from firm's deposits to account `to`, like ledger_move,
 * but the firm's debit waits in the calling thread's partials until the next
 * ledger_flush (the credit and the tallies are booked at once). For loops in
 * which many agents pay or are paid by the same firms and nobody reads those
 * firms' deposits before the flush (the wage payments of finance.c): a plain
 * add to a thread's own array replaces a locked add per payment, which would
 * also stall the loop's other memory loads. Integer partials: the flushed
 * balances are the same for any number of threads. */
void ledger_move_firm_deferred(struct world *w, ledger_thread *lt, int32_t firm, acct to, int64_t amt,
                               ledger_flow f);

/* The bank lends amt fen to a firm: the firm's loans and deposits both rise. */
void ledger_lend_firm(struct world *w, ledger_thread *lt, int32_t firm, int64_t amt);
/* A firm repays amt fen of principal from its deposits. */
void ledger_repay_firm(struct world *w, ledger_thread *lt, int32_t firm, int64_t amt);
/* The bank writes off amt fen of a firm's loan (bank equity falls). */
void ledger_write_off_firm(struct world *w, ledger_thread *lt, int32_t firm, int64_t amt);
/* Account pays amt fen to the bank (interest, fees): deposits destroyed, bank
 * equity rises. */
void ledger_pay_bank(struct world *w, ledger_thread *lt, acct from, int64_t amt, ledger_flow f);
/* The bank pays amt fen into an account (deposit interest): deposits created,
 * bank equity falls. */
void ledger_bank_pays(struct world *w, ledger_thread *lt, acct to, int64_t amt, ledger_flow f);
/* The bank lends amt fen to a local government (LGFV debt) or the central
 * government (bonds); and their repayments. Serial only. */
void ledger_lend_lgfv(struct world *w, int node, int64_t amt);
void ledger_repay_lgfv(struct world *w, int node, int64_t amt);
void ledger_issue_bonds(struct world *w, int64_t amt);
void ledger_redeem_bonds(struct world *w, int64_t amt);

/* The calling thread's scratch (omp_get_thread_num()), and the serial one used
 * outside parallel regions (thread 0's). */
ledger_thread *ledger_thread_self(struct world *w);
ledger_thread *ledger_serial(struct world *w);

/* Apply every thread's pending aggregate credits, deferred firm debits and
 * bank book changes. Call
 * after each parallel loop that booked into aggregate accounts, before anyone
 * reads them. Serial. */
void ledger_flush(struct world *w);

/* Balance of an account, fen (after ledger_flush for aggregate accounts). */
int64_t ledger_balance(const struct world *w, acct a);

/* The monthly audit (docs/design.md "Money"), exact in fen:
 *  1. deposits: sum of all accounts' deposits = the bank's deposit liabilities;
 *  2. firm loans: sum of firms' loans = the bank's firm loans; LGFV and bonds likewise;
 *  3. flows: each sector's deposits changed by exactly its net flows this month;
 *  4. net financial worth sums to zero over all sectors. This one is implied
 *     by 1 and 2 (the sum is exactly the differences those compare), so it
 *     never fails alone; it is recomputed as the sectors' net worth, which
 *     the statistics report (L->sec_nfw), and a failure of 1 or 2 adds its
 *     difference to *residual a second time through it.
 * Closes the month's flow tallies into L->flow. *residual gets the sum of the
 * absolute discrepancies (0 when all hold). Returns INC_ERR_AUDIT with a message
 * naming the month ("YYYY-MM"), the identity and both amounts on failure. */
inc_status ledger_audit(struct world *w, int64_t *residual, inc_err *e);

/* Reset the month's flow tallies (start of each month). */
void ledger_begin_month(struct world *w);

/* Record the per-sector deposits as the audit's starting point (after the
 * initial state is built, and after a resume). */
void ledger_baseline(struct world *w);

#endif
