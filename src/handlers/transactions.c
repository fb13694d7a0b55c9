/* transactions.c - handlers of the `transactions` route group: GET /accounts and GET /transactions across the user's items. */
#include "handlers/transactions.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/logger.h"
#include "core/wipe.h"
#include "handlers/call.h"
#include "handlers/item_status.h"
#include "handlers/transactions_query.h"
#include "handlers/transactions_view.h"
#include "plaid/plaid.h"
#include "plaid/plaid_window.h"
#include "store/items.h"

/* Plaid work ends this long before the Lambda deadline, leaving room to merge and answer. */
#define TRANSACTIONS_WORK_MARGIN_MS 1500

/* An opened access token; wiped as soon as the Plaid calls are done. */
typedef struct {
  char *token;
  size_t len;
} s_token;

static void s_tokens_wipe(s_token *tokens, size_t n)
{
  for(size_t i = 0; tokens && i < n; i++) {
    mynt_wipe_free(tokens[i].token);
    tokens[i].token = NULL;
    tokens[i].len = 0;
  }
}

/* Appends item's accounts from a /accounts/get answer to out; refreshes the stored summaries
 * when they differ. Returns MYNT_OK or MYNT_NOMEM. */
static mynt_status s_add_accounts(const handlers_env *env, const char *sub, const store_item *item,
                                  const json_t *answer, json_t *out, int64_t deadline_ms)
{
  json_t *summaries = json_array();
  if(!summaries)
    return MYNT_NOMEM;
  size_t i;
  json_t *account;
  json_array_foreach(json_object_get(answer, "accounts"), i, account) {
    json_t *row =
      transactions_view_account(account, item->item_id, item->institution_name[0] ? item->institution_name : NULL);
    json_t *summary = transactions_view_account_record(account);
    if(!row || !summary) {
      json_decref(row);
      json_decref(summary);
      continue;
    }
    int failed = json_array_append_new(out, row);
    if(json_array_size(summaries) < STORE_ITEM_ACCOUNTS_MAX)
      failed |= json_array_append_new(summaries, summary);
    else
      json_decref(summary);
    if(failed) {
      json_decref(summaries);
      return MYNT_NOMEM;
    }
  }
  if(!json_equal(summaries, item->accounts)) {
    mynt_status st = store_item_set_accounts(env->store, sub, item->item_id, summaries, deadline_ms);
    if(st)
      logger_log(LOGGER_WARN, NULL, "transactions: could not refresh the accounts of item %s: %s", item->item_id,
                 mynt_status_code(st));
  }
  json_decref(summaries);
  return MYNT_OK;
}

mynt_status transactions_accounts(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, TRANSACTIONS_WORK_MARGIN_MS, &call);
  if(st)
    return st;
  store_item *items = NULL;
  size_t n = 0;
  json_t *out = NULL;
  json_t *answer = NULL;
  s_token token = {NULL, 0};
  st = store_item_list(call.env->store, call.sub, call.deadline_ms, &items, &n);
  if(st) {
    st = apigw_response_error(res, st, NULL);
    goto cleanup;
  }
  out = json_array();
  if(!out) {
    st = apigw_response_error(res, MYNT_NOMEM, NULL);
    goto cleanup;
  }
  for(size_t i = 0; i < n; i++) {
    st = store_item_open_token(call.env->keyring, call.sub, &items[i], &token.token, &token.len);
    if(st) {
      st = apigw_response_error(res, st, NULL);
      goto cleanup;
    }
    plaid_error err;
    st = plaid_accounts_get(call.env->plaid, token.token, call.deadline_ms, &answer, &err);
    s_tokens_wipe(&token, 1);
    if(st) {
      st =
        item_status_reply_failure(call.env, res, call.sub, items[i].item_id, "/accounts/get", &err, call.deadline_ms);
      goto cleanup;
    }
    item_status_after_answer(call.env->store, call.sub, &items[i], call.deadline_ms);
    st = s_add_accounts(call.env, call.sub, &items[i], answer, out, call.deadline_ms);
    json_decref(answer);
    answer = NULL;
    if(st) {
      st = apigw_response_error(res, st, NULL);
      goto cleanup;
    }
  }
  st = apigw_response_json(res, 200, json_pack("{s:O}", "accounts", out));
  if(st)
    st = apigw_response_error(res, st, NULL);

cleanup:
  s_tokens_wipe(&token, 1);
  json_decref(answer);
  json_decref(out);
  store_items_free(items, n);
  return st;
}

/* Answers the failure of a window fetch: an item needing a login first, else the first failed
 * item (in item order), else the fetch's own status. */
static mynt_status s_reply_window_failure(const handlers_env *env, apigw_response *res, const char *sub,
                                          const store_item *const *selected, const plaid_window_result *results,
                                          size_t n, mynt_status st, int64_t deadline_ms)
{
  size_t failed = n;
  for(size_t i = 0; i < n; i++) {
    if(results[i].status && results[i].error.kind == PLAID_ERR_ITEM_LOGIN_REQUIRED) {
      failed = i;
      break;
    }
    if(results[i].status && failed == n)
      failed = i;
  }
  if(failed == n) {
    logger_log(LOGGER_ERROR, NULL, "transactions: the window fetch failed: %s", mynt_status_code(st));
    return apigw_response_error(res, st == MYNT_NOMEM ? MYNT_NOMEM : MYNT_INTERNAL, NULL);
  }
  return item_status_reply_failure(env, res, sub, selected[failed]->item_id, "/transactions/get",
                                   &results[failed].error, deadline_ms);
}

/* Fetches, merges and answers the window q for the selected items. */
static mynt_status s_fetch_and_reply(const handlers_env *env, apigw_response *res, const char *sub,
                                     const transactions_query *q, const store_item *const *selected, size_t n,
                                     int64_t deadline_ms)
{
  mynt_status st = MYNT_OK;
  json_t *merged = NULL;
  s_token *tokens = calloc(n, sizeof(*tokens));
  plaid_window_item *wanted = calloc(n, sizeof(*wanted));
  plaid_window_result *results = calloc(n, sizeof(*results));
  json_t **lists = calloc(n, sizeof(*lists));
  const char **item_ids = calloc(n, sizeof(*item_ids));
  const char *account_ids[1] = {q->account_id};
  if(!tokens || !wanted || !results || !lists || !item_ids) {
    st = apigw_response_error(res, MYNT_NOMEM, NULL);
    goto cleanup;
  }
  for(size_t i = 0; i < n; i++) {
    st = store_item_open_token(env->keyring, sub, selected[i], &tokens[i].token, &tokens[i].len);
    if(st) {
      st = apigw_response_error(res, st, NULL);
      goto cleanup;
    }
    wanted[i].access_token = tokens[i].token;
    wanted[i].account_ids = q->account_id ? account_ids : NULL;
    wanted[i].n_account_ids = q->account_id ? 1 : 0;
  }
  st = plaid_window_fetch(env->plaid, wanted, n, q->start_date, q->end_date, (size_t)q->offset + (size_t)q->count,
                          deadline_ms, results);
  s_tokens_wipe(tokens, n);
  if(st) {
    st = s_reply_window_failure(env, res, sub, selected, results, n, st, deadline_ms);
    goto cleanup;
  }

  long total = 0;
  for(size_t i = 0; i < n; i++) {
    item_status_after_answer(env->store, sub, selected[i], deadline_ms);
    lists[i] = results[i].transactions;
    item_ids[i] = selected[i]->item_id;
    total += results[i].total_transactions;
  }
  merged = transactions_view_merge(lists, item_ids, n, (size_t)q->offset, (size_t)q->count);
  if(!merged) {
    st = apigw_response_error(res, MYNT_NOMEM, NULL);
    goto cleanup;
  }
  st = apigw_response_json(res, 200,
                           json_pack("{s:O, s:I, s:s, s:s, s:i, s:I}", "transactions", merged, "total_transactions",
                                     (json_int_t)total, "start_date", q->start_date, "end_date", q->end_date, "count",
                                     q->count, "offset", (json_int_t)q->offset));
  if(st)
    st = apigw_response_error(res, st, NULL);

cleanup:
  s_tokens_wipe(tokens, n);
  if(results)
    plaid_window_results_free(results, n);
  json_decref(merged);
  free(tokens);
  free(wanted);
  free(results);
  free(lists);
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
  if(st) {
    st = apigw_response_error(res, st, NULL);
    goto cleanup;
  }
  selected = calloc(n ? n : 1, sizeof(*selected));
  if(!selected) {
    st = apigw_response_error(res, MYNT_NOMEM, NULL);
    goto cleanup;
  }
  for(size_t i = 0; i < n; i++) {
    if(!q.account_id || store_item_has_account(&items[i], q.account_id))
      selected[n_selected++] = &items[i];
  }
  if(q.account_id && n_selected == 0) {
    st = apigw_response_error(res, MYNT_BAD_REQUEST, "account_id is not one of your accounts");
    goto cleanup;
  }
  st = transactions_query_check_depth(&q, n_selected, &why);
  if(st) {
    st = apigw_response_error(res, st, mynt_detail_text(&why));
    goto cleanup;
  }
  if(n_selected == 0) {
    st = apigw_response_json(res, 200,
                             json_pack("{s:[], s:i, s:s, s:s, s:i, s:I}", "transactions", "total_transactions", 0,
                                       "start_date", q.start_date, "end_date", q.end_date, "count", q.count, "offset",
                                       (json_int_t)q.offset));
    if(st)
      st = apigw_response_error(res, st, NULL);
    goto cleanup;
  }
  st = s_fetch_and_reply(call.env, res, call.sub, &q, selected, n_selected, call.deadline_ms);

cleanup:
  free(selected);
  store_items_free(items, n);
  return st;
}
