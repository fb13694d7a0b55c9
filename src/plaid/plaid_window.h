/* plaid_window.h - fetch one date window of transactions for several items in parallel, following Plaid's pages. */
#ifndef MYNT_PLAID_WINDOW_H
#define MYNT_PLAID_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/status.h"
#include "plaid/plaid.h"
#include "plaid/plaid_error.h"

/* The most transactions gathered for one item, whatever the caller asks. */
#define PLAID_WINDOW_MAX_PER_ITEM 20000

/* One item to fetch. Strings are borrowed for the duration of the call. */
typedef struct {
  const char *access_token;
  const char *const *account_ids; /* optional filter; NULL / 0 = every account */
  size_t n_account_ids;
} plaid_window_item;

/* What one item gave. On success transactions, accounts and item are owned by the
 * caller (free them all with plaid_window_results_free). */
typedef struct {
  mynt_status status; /* MYNT_OK, or the item's failure (error says more) */
  plaid_error error;
  json_t *transactions;    /* array, Plaid's order (newest first), at most the limit; NULL on failure */
  json_t *accounts;        /* the accounts array of the first page; NULL on failure */
  json_t *item;            /* the item object of the first page; NULL on failure */
  long total_transactions; /* Plaid's total for the window */
  int pages;               /* pages received */
  int complete;            /* 1 when every transaction of the window was gathered */
} plaid_window_result;

/* Fetches transactions between start_date and end_date (YYYY-MM-DD, inclusive) for
 * n_items items at once (at most PLAID_MAX_PARALLEL requests in flight, through the
 * client's curl multi handle). For each item it pages (options.offset, count up to 500)
 * until limit_per_item transactions are gathered (0 = all of them, capped at
 * PLAID_WINDOW_MAX_PER_ITEM) or the window is exhausted. Each request is retried like
 * plaid_call within deadline_ms (epoch ms; 0 = PLAID_DEFAULT_DEADLINE_MS from now).
 * out_results must have n_items entries; every entry is always initialised, so
 * plaid_window_results_free is safe after any return. Returns MYNT_OK when every item
 * succeeded; otherwise the status of the first failed item in input order, or
 * MYNT_BAD_REQUEST (invalid dates, no items, bad token: nothing is sent) / MYNT_NOMEM. */
mynt_status plaid_window_fetch(plaid_client *c, const plaid_window_item *items, size_t n_items, const char *start_date,
                               const char *end_date, size_t limit_per_item, int64_t deadline_ms,
                               plaid_window_result *out_results);

/* Releases the JSON held by n results and resets them. Accepts NULL. */
void plaid_window_results_free(plaid_window_result *results, size_t n);

#endif
