/* summary.h - GET /summary's figures from the stored history: income, expenses, categories, merchants, budgets. */
#ifndef MYNT_FINANCE_SUMMARY_H
#define MYNT_FINANCE_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/status.h"

/* One budget as the summary needs it (store/budgets.h keeps more). */
typedef struct {
  char category[32];           /* a budgetable Plaid primary (finance_category_budgetable) */
  char iso_currency_code[4];   /* three upper-case letters */
  int64_t monthly_limit_cents; /* 1..MONEY_CENTS_MAX */
} finance_budget;

/* Computes the API's summary of txns (a JSON array of stored transactions as store_history_read
 * returns them, borrowed; NULL or not an array: none) over start_date..end_date (YYYY-MM-DD, both
 * days included). In integer cents throughout, Plaid's sign (amount_cents positive = money out):
 *
 *   {start_date, end_date,
 *    totals:     [{iso_currency_code, income, expenses, net, pending_expenses, transactions}]
 *    months:     [{month: "YYYY-MM", iso_currency_code, income, expenses, net}]
 *    categories: [{category, iso_currency_code, expenses, transactions,
 *                  detailed: [{category_detailed, expenses, transactions}]}]
 *    accounts:   [{account_id, iso_currency_code, income, expenses}]
 *    merchants:  [{name, iso_currency_code, expenses, transactions}]
 *    budgets:    [{category, iso_currency_code, monthly_limit, limit_for_period, spent, remaining, percent}]}
 *
 * Money members are money_json numbers (core/money.h); transactions and percent are integers.
 * The rules:
 * - A txn counts when its date is in the period, it has an iso_currency_code (a token of 1..15
 *   characters; a txn without one is left out of every figure) and an integer amount_cents within
 *   ±MONEY_CENTS_MAX; any other record is left out too. Currencies are never mixed.
 * - Its flow is its stored "flow" when that is income, expense or transfer, else finance_flow of
 *   its category (a record kept before flow was stored).
 *   income = −Σ amount_cents of income txns (money in is negative, so income is positive);
 *   expenses = Σ amount_cents of expense txns, refunds (negative) subtracting, so a category can
 *   be negative; net = income − expenses. Transfers (TRANSFER_IN, TRANSFER_OUT, LOAN_PAYMENTS)
 *   are in no income or expense figure.
 * - A pending txn is in no figure but totals' pending_expenses (Σ amount_cents of pending expense
 *   txns); its currency still gets a totals entry.
 * - totals: one per currency seen, by currency; transactions counts its posted txns, all flows.
 * - months: every calendar month the period touches (zeros included) for every currency of
 *   totals, month ascending then currency.
 * - categories: posted expense txns by (category, currency), a txn without category under
 *   FINANCE_UNCATEGORIZED; expenses descending, then category, then currency. detailed: by
 *   category_detailed (the category itself when it has none), expenses descending then name.
 * - accounts: every (account_id, currency) with a posted txn (transfers give a row of zeros), by
 *   account_id then currency; a txn without account_id is in no account row.
 * - merchants: posted expense txns by (merchant_name, else name; neither: left out, currency);
 *   the 10 with the largest expenses per currency (ties by name), by currency, expenses
 *   descending, name.
 * - budgets: every one of budgets (n_budgets, borrowed), by category then currency.
 *   limit_for_period = monthly_limit × finance_months_touched (a partial first or last month
 *   counts whole); spent = the category's expenses in the budget's currency (0 when none);
 *   remaining = limit_for_period − spent (negative past the limit); percent = spent × 100 /
 *   limit_for_period rounded half away from zero, never below 0 (a refund-only month gives 0).
 * An empty history gives empty arrays but budgets (each with spent 0).
 *
 * Overflow: |amount_cents| ≤ MONEY_CENTS_MAX (10^14) per txn, so any sum of up to 92,233 txns fits
 * int64; a 24-month history of five banks holds a few thousand. percent is computed in 128 bits.
 *
 * Returns MYNT_OK and *out (caller json_decref); MYNT_BAD_REQUEST when start_date or end_date is
 * not a date, end_date is before start_date, a budget's monthly_limit_cents is outside
 * 1..MONEY_CENTS_MAX or its limit_for_period does not fit int64 (a period of thousands of years);
 * MYNT_NOMEM. *out is NULL on failure. */
mynt_status finance_summary(const json_t *txns, const char *start_date, const char *end_date,
                            const finance_budget *budgets, size_t n_budgets, json_t **out);

/* Returns the number of calendar months start_date..end_date (YYYY-MM-DD) touches, the first
 * and last whole: 2026-01-31..2026-02-01 → 2, 2026-03-01..2026-03-31 → 1, 2025-12-15..2026-01-15
 * → 2. 0 when either is not a date or end_date is before start_date. */
int finance_months_touched(const char *start_date, const char *end_date);

#endif
