/* budgets.h - monthly budgets per spending category in the mynt-users table (sk "BUDGET#<CATEGORY>"). */
#ifndef MYNT_STORE_BUDGETS_H
#define MYNT_STORE_BUDGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "store/store.h"

/* The record, in the user's partition (user_id = the Cognito sub):
 *
 *   sk = "BUDGET#<CATEGORY>"  category (S, the Plaid primary, e.g. "FOOD_AND_DRINK"),
 *                             monthly_limit_cents (N, > 0), iso_currency_code (S, "USD"),
 *                             updated_at (S, YYYY-MM-DDTHH:MM:SSZ).
 *
 * At most one budget per category (the key says so). A user's budgets are read with one Query
 * (begins_with(sk, "BUDGET#"), consistent, followed page by page), which returns them in category
 * order. Which categories may carry a budget is the handler's rule (finance/category.h); the store
 * only checks that a category can be a key. */

/* The most budgets one user's list returns (Plaid has fewer primaries than this). */
#define STORE_BUDGETS_MAX 64

typedef struct {
  char category[32]; /* 1..31 characters A-Z, 0-9 and '_' */
  int64_t monthly_limit_cents;
  char iso_currency_code[4]; /* three upper-case ASCII letters */
  char updated_at[32];       /* YYYY-MM-DDTHH:MM:SSZ */
} store_budget;

/* Returns true when category can name a budget record: 1..31 characters of A-Z, 0-9 and '_'
 * (so never '#' nor lower case). false for NULL. */
bool store_budget_category_valid(const char *category);

/* Lists the budgets of user_id sorted by category (at most STORE_BUDGETS_MAX). On MYNT_OK *out is
 * a malloc'd array of *out_n budgets (NULL when there are none; caller free()). Returns
 * MYNT_BAD_REQUEST for an empty or over-long user id, MYNT_INTERNAL for a malformed record, or a
 * status from store_status_from_ddb; *out is then NULL and *out_n 0. */
mynt_status store_budget_list(store *s, const char *user_id, int64_t deadline_ms, store_budget **out, size_t *out_n);

/* Creates or replaces user_id's budget of b->category with b (borrowed; b->updated_at is stored
 * as given: the caller sets it, so it can answer with it) by one PutItem. On MYNT_OK *out_created
 * is true when there was no budget of that category before, false when one was replaced (a send
 * retried after a lost answer sees its own first write, so reports a replacement). Returns
 * MYNT_BAD_REQUEST (nothing written) for an invalid user id, category (store_budget_category_valid),
 * limit (not 1..MONEY_CENTS_MAX), currency or an empty updated_at; else a status from
 * store_status_from_ddb. */
mynt_status store_budget_put(store *s, const char *user_id, const store_budget *b, int64_t deadline_ms,
                             bool *out_created);

/* Deletes user_id's budget of category by one DeleteItem conditioned on its existence. Returns
 * MYNT_OK, MYNT_NOT_FOUND when the user has no budget of that category (or category cannot name
 * one), MYNT_BAD_REQUEST for an invalid user id, or a status from store_status_from_ddb. */
mynt_status store_budget_delete(store *s, const char *user_id, const char *category, int64_t deadline_ms);

#endif
