/* transactions_query.h - the query of GET /transactions, /transactions/export and /summary, with clear 400s. */
#ifndef MYNT_HANDLERS_TRANSACTIONS_QUERY_H
#define MYNT_HANDLERS_TRANSACTIONS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/detail.h"
#include "core/status.h"
#include "finance/filter.h"

#define TRANSACTIONS_COUNT_DEFAULT 100
#define TRANSACTIONS_COUNT_MAX     500
/* offset + count may not exceed this: deeper pages must narrow the date range instead. The
 * history is read from the store as whole months, newest first, until offset + count are gathered
 * across all items, so the bound no longer depends on the number of banks (the per-bank depth rule
 * of the live Plaid fetch is gone). */
#define TRANSACTIONS_WINDOW_MAX 10000
/* How far back start_date may go (Plaid keeps 730 days for items Mynt creates). */
#define TRANSACTIONS_HISTORY_MONTHS 24
#define TRANSACTIONS_ACCOUNT_ID_MAX 128
/* The longest search text q, in characters (UTF-8 code points). */
#define TRANSACTIONS_Q_MAX 100

/* A checked query. Dates are YYYY-MM-DD. */
typedef struct {
  char start_date[11];
  char end_date[11];      /* never after today: a later end_date is cut back to today */
  int count;              /* 1..TRANSACTIONS_COUNT_MAX */
  long offset;            /* 0.., offset + count <= TRANSACTIONS_WINDOW_MAX */
  const char *account_id; /* borrowed from the caller; NULL when absent */
  finance_filter filter;  /* category, flow, q: borrowed from the caller; each NULL when absent */
} transactions_query;

/* The raw parameters, each NULL when absent (borrowed). */
typedef struct {
  const char *start_date;
  const char *end_date;
  const char *count;
  const char *offset;
  const char *account_id;
  const char *category;
  const char *flow;
  const char *q;
} transactions_query_params;

/* Checks p against today (YYYY-MM-DD, UTC) and fills out:
 * - start_date and end_date: both or neither; real calendar dates written YYYY-MM-DD;
 *   start_date <= end_date; start_date not before today minus TRANSACTIONS_HISTORY_MONTHS
 *   months and not after today; an end_date after today is cut back to today. Neither:
 *   the whole history, today minus 24 months .. today;
 * - count: a whole number 1..500 (digits only), default 100;
 * - offset: a whole number >= 0 (digits only), default 0; offset + count <= 10000;
 * - account_id: 1..128 printable characters without spaces when given;
 * - category: one of Plaid's primaries (finance_category_known) or FINANCE_UNCATEGORIZED;
 * - flow: income, expense or transfer;
 * - q: 1..TRANSACTIONS_Q_MAX characters of UTF-8 without control characters.
 * Returns MYNT_OK, or MYNT_BAD_REQUEST with a message naming the parameter in detail
 * (may be NULL; the message is safe to send to the caller). */
mynt_status transactions_query_parse(const transactions_query_params *p, const char *today, transactions_query *out,
                                     mynt_detail *detail);

/* As transactions_query_parse (the same checks and messages), except that without either date
 * the window is the current calendar month: the first day of today's month .. today (GET /summary). */
mynt_status transactions_query_parse_month_default(const transactions_query_params *p, const char *today,
                                                   transactions_query *out, mynt_detail *detail);

/* Returns true when q has a category, flow or q filter (the range is then read whole). */
bool transactions_query_filtered(const transactions_query *q);

#endif
