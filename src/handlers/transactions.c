/* transactions.c - handlers of the `transactions` route group: GET /accounts and GET /transactions, answered from the store. */
#include "handlers/transactions.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/logger.h"
#include "handlers/call.h"
#include "handlers/transactions_query.h"
#include "handlers/transactions_view.h"
#include "store/history.h"
#include "store/items.h"

/* Store work ends this long before the Lambda deadline, leaving room to answer. */
#define TRANSACTIONS_WORK_MARGIN_MS 1000

/* Answers 200 with body (stolen), or the failure to build it. */
static mynt_status s_reply(apigw_response *res, json_t *body)
{
  mynt_status st = apigw_response_json(res, 200, body);
  return st ? apigw_response_error(res, st, NULL) : MYNT_OK;
}

mynt_status transactions_accounts(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, TRANSACTIONS_WORK_MARGIN_MS, &call);
  if(st)
    return st;
  store_item *items = NULL;
  size_t n = 0;
  st = store_item_list(call.env->store, call.sub, call.deadline_ms, &items, &n);
  if(st)
    return apigw_response_error(res, st, NULL);
  json_t *accounts = json_array();
  for(size_t i = 0; accounts && i < n; i++) {
    size_t k;
    json_t *record;
    json_array_foreach(items[i].accounts, k, record) {
      json_t *row = transactions_view_stored_account(record, &items[i]);
      if(row && json_array_append_new(accounts, row)) {
        json_decref(accounts);
        accounts = NULL;
        break;
      }
    }
  }
  json_t *list = transactions_view_items(items, n);
  store_items_free(items, n);
  if(!accounts || !list) {
    json_decref(accounts);
    json_decref(list);
    return apigw_response_error(res, MYNT_NOMEM, NULL);
  }
  return s_reply(res, json_pack("{s:o, s:o}", "accounts", accounts, "items", list));
}

/* The stored count of selected items in the months strictly after first and strictly before
 * before (both "YYYY-MM"), from their month maps. */
static long s_months_between(const store_item *const *selected, size_t n, const char *first, const char *before)
{
  long total = 0;
  for(size_t i = 0; i < n; i++) {
    const char *month;
    json_t *count;
    json_object_foreach(selected[i]->months, month, count) {
      if(strcmp(month, first) > 0 && strcmp(month, before) < 0 && json_integer_value(count) > 0)
        total += (long)json_integer_value(count);
    }
  }
  return total;
}

/* total_transactions when the read stopped early (the newest months down to oldest_month were
 * read, read_count transactions): the month maps' counts of the months in between, plus the
 * range's first month read exactly (it may be cut by start_date). */
static mynt_status s_total_beyond(store *s, const char *sub, const transactions_query *q,
                                  const store_item *const *selected, const char *const *item_ids, size_t n,
                                  const char *oldest_month, size_t read_count, int64_t deadline_ms, long *out_total)
{
  char first[8];
  memcpy(first, q->start_date, 7);
  first[7] = '\0';
  *out_total = (long)read_count;
  if(strcmp(first, oldest_month) >= 0)
    return MYNT_OK; /* the first month was read already */
  *out_total += s_months_between(selected, n, first, oldest_month);
  int y = 0, m = 0, d = 0;
  date_parse(q->start_date, &y, &m, &d);
  char month_end[11];
  date_format(date_days_from_civil(y, m, date_days_in_month(y, m)), month_end);
  store_history_query head = {
    .start_date = q->start_date, .end_date = month_end, .item_ids = item_ids, .n_item_ids = n};
  json_t *txns = NULL;
  bool complete = false;
  mynt_status st = store_history_read(s, sub, &head, deadline_ms, &txns, &complete);
  if(st)
    return st;
  *out_total += (long)json_array_size(txns);
  json_decref(txns);
  return MYNT_OK;
}

/* Reads the page q of the selected items and answers it with the user's items (items_json, stolen). */
static mynt_status s_read_and_reply(const handlers_call *call, apigw_response *res, const transactions_query *q,
                                    const store_item *const *selected, size_t n, json_t *items_json)
{
  mynt_status st = MYNT_OK;
  json_t *txns = NULL;
  json_t *page = json_array();
  const char **item_ids = calloc(n ? n : 1, sizeof(*item_ids));
  long total = 0;
  if(!page || !item_ids) {
    st = apigw_response_error(res, MYNT_NOMEM, NULL);
    goto cleanup;
  }
  for(size_t i = 0; i < n; i++)
    item_ids[i] = selected[i]->item_id;
  /* With an account filter the month counts (per item) do not give the total: read all of it. */
  store_history_query hq = {.start_date = q->start_date,
                            .end_date = q->end_date,
                            .want = q->account_id ? 0 : (size_t)q->offset + (size_t)q->count,
                            .account_id = q->account_id,
                            .item_ids = item_ids,
                            .n_item_ids = n};
  bool complete = false;
  st = n ? store_history_read(call->env->store, call->sub, &hq, call->deadline_ms, &txns, &complete) : MYNT_OK;
  if(st) {
    st = apigw_response_error(res, st, NULL);
    goto cleanup;
  }
  size_t read = json_array_size(txns);
  total = (long)read;
  if(n && !complete) {
    char oldest[8];
    snprintf(oldest, sizeof(oldest), "%.7s",
             json_string_value(json_object_get(json_array_get(txns, read - 1), "date")));
    st = s_total_beyond(call->env->store, call->sub, q, selected, item_ids, n, oldest, read, call->deadline_ms, &total);
    if(st) {
      st = apigw_response_error(res, st, NULL);
      goto cleanup;
    }
  }
  for(size_t i = (size_t)q->offset; i < read && i < (size_t)q->offset + (size_t)q->count; i++) {
    if(json_array_append_new(page, transactions_view_stored(json_array_get(txns, i)))) {
      st = apigw_response_error(res, MYNT_NOMEM, NULL);
      goto cleanup;
    }
  }
  st = s_reply(res, json_pack("{s:O, s:I, s:s, s:s, s:i, s:I, s:O}", "transactions", page, "total_transactions",
                              (json_int_t)total, "start_date", q->start_date, "end_date", q->end_date, "count",
                              q->count, "offset", (json_int_t)q->offset, "items", items_json));

cleanup:
  json_decref(items_json);
  json_decref(txns);
  json_decref(page);
  free(item_ids);
  return st;
}

mynt_status transactions_list(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, TRANSACTIONS_WORK_MARGIN_MS, &call);
  if(st)
    return st;
  char today[11];
  mynt_detail why;
  transactions_query q;
  transactions_query_params params = {
    .start_date = apigw_request_query(req, "start_date"),
    .end_date = apigw_request_query(req, "end_date"),
    .count = apigw_request_query(req, "count"),
    .offset = apigw_request_query(req, "offset"),
    .account_id = apigw_request_query(req, "account_id"),
  };
  date_of_epoch_ms(clock_epoch_ms(), today);
  st = transactions_query_parse(&params, today, &q, &why);
  if(st)
    return apigw_response_error(res, st, mynt_detail_text(&why));

  store_item *items = NULL;
  size_t n = 0;
  const store_item **selected = NULL;
  size_t n_selected = 0;
  st = store_item_list(call.env->store, call.sub, call.deadline_ms, &items, &n);
  if(st)
    return apigw_response_error(res, st, NULL);
  json_t *items_json = transactions_view_items(items, n);
  selected = calloc(n ? n : 1, sizeof(*selected));
  if(!selected || !items_json) {
    json_decref(items_json);
    st = apigw_response_error(res, MYNT_NOMEM, NULL);
    goto cleanup;
  }
  for(size_t i = 0; i < n; i++) {
    if(!q.account_id || store_item_has_account(&items[i], q.account_id))
      selected[n_selected++] = &items[i];
  }
  if(q.account_id && n_selected == 0) {
    json_decref(items_json);
    st = apigw_response_error(res, MYNT_BAD_REQUEST, "account_id is not one of your accounts");
    goto cleanup;
  }
  st = s_read_and_reply(&call, res, &q, selected, n_selected, items_json);

cleanup:
  free(selected);
  store_items_free(items, n);
  return st;
}
