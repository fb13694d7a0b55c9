/* summary.c - GET /summary: finance_summary over one read of the period's stored history, with the user's budgets and items. */
#include "handlers/summary.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"
#include "finance/summary.h"
#include "handlers/call.h"
#include "handlers/transactions_query.h"
#include "handlers/transactions_view.h"
#include "store/budgets.h"
#include "store/history.h"
#include "store/items.h"

/* Store work ends this long before the Lambda deadline, leaving room to compute and answer. */
#define SUMMARY_WORK_MARGIN_MS 1000

/* Returns the stored budgets b[0..n) in finance's shape (malloc'd, caller free; at least one
 * element so that n = 0 is not mistaken for a failure), or NULL on allocation failure. */
static finance_budget *s_finance_budgets(const store_budget *b, size_t n)
{
  finance_budget *out = calloc(n ? n : 1, sizeof(*out));
  for(size_t i = 0; out && i < n; i++) {
    snprintf(out[i].category, sizeof(out[i].category), "%s", b[i].category);
    snprintf(out[i].iso_currency_code, sizeof(out[i].iso_currency_code), "%s", b[i].iso_currency_code);
    out[i].monthly_limit_cents = b[i].monthly_limit_cents;
  }
  return out;
}

/* Reads the stored history of every item of items[0..n) in start..end (inclusive), all of it
 * (want 0) in one store_history_read. Returns MYNT_OK and *out_txns (caller json_decref; an empty
 * array when there are no items), or the store's status. */
static mynt_status s_read_history(const handlers_call *call, const store_item *items, size_t n, const char *start,
                                  const char *end, json_t **out_txns)
{
  *out_txns = NULL;
  if(n == 0) {
    *out_txns = json_array();
    return *out_txns ? MYNT_OK : MYNT_NOMEM;
  }
  const char **item_ids = calloc(n, sizeof(*item_ids));
  if(!item_ids)
    return MYNT_NOMEM;
  for(size_t i = 0; i < n; i++)
    item_ids[i] = items[i].item_id;
  store_history_query hq = {.start_date = start, .end_date = end, .want = 0, .item_ids = item_ids, .n_item_ids = n};
  bool complete = false;
  mynt_status st = store_history_read(call->env->store, call->sub, &hq, call->deadline_ms, out_txns, &complete);
  free(item_ids);
  return st;
}

mynt_status summary_get(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, SUMMARY_WORK_MARGIN_MS, &call);
  if(st)
    return st;
  char today[11];
  mynt_detail why;
  transactions_query q;
  transactions_query_params params = {
    .start_date = apigw_request_query(req, "start_date"),
    .end_date = apigw_request_query(req, "end_date"),
  };
  date_of_epoch_ms(clock_epoch_ms(), today);
  st = transactions_query_parse_month_default(&params, today, &q, &why);
  if(st)
    return apigw_response_error(res, st, mynt_detail_text(&why));

  store_item *items = NULL;
  size_t n = 0;
  store_budget *budgets = NULL;
  size_t n_budgets = 0;
  finance_budget *limits = NULL;
  json_t *txns = NULL;
  json_t *summary = NULL;
  st = store_item_list(call.env->store, call.sub, call.deadline_ms, &items, &n);
  if(st)
    goto cleanup;
  st = store_budget_list(call.env->store, call.sub, call.deadline_ms, &budgets, &n_budgets);
  if(st)
    goto cleanup;
  limits = s_finance_budgets(budgets, n_budgets);
  if(!limits) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  st = s_read_history(&call, items, n, q.start_date, q.end_date, &txns);
  if(st)
    goto cleanup;
  st = finance_summary(txns, q.start_date, q.end_date, limits, n_budgets, &summary);
  if(st == MYNT_BAD_REQUEST)
    st = MYNT_INTERNAL; /* the dates were checked: only a stored budget finance refuses is left */
  if(st)
    goto cleanup;
  if(json_object_set_new(summary, "items", transactions_view_items(items, n))) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  st = apigw_response_json(res, 200, summary);
  summary = NULL; /* stolen */

cleanup:
  json_decref(summary);
  json_decref(txns);
  free(limits);
  free(budgets);
  store_items_free(items, n);
  return st ? apigw_response_error(res, st, NULL) : MYNT_OK;
}
