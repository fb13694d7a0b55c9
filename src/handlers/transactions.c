/* transactions.c - handlers of the `transactions` route group: GET /accounts, GET /transactions, its CSV export and GET /summary, answered from the store. */
#include "handlers/transactions.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/json.h"
#include "core/logger.h"
#include "finance/filter.h"
#include "finance/summary.h"
#include "handlers/call.h"
#include "handlers/transactions_csv.h"
#include "handlers/transactions_query.h"
#include "handlers/transactions_view.h"
#include "store/budgets.h"
#include "store/history.h"
#include "store/items.h"

/* Store work ends this long before the Lambda deadline, leaving room to answer. */
#define TRANSACTIONS_WORK_MARGIN_MS 1000

/* The largest CSV the export answers (Lambda's response payload is at most 6 MB), and the most bytes it may take
 * escaped inside the payload's JSON string (quotes and line ends are escaped there). */
#define TRANSACTIONS_EXPORT_MAX         ((size_t)5 * 1024 * 1024)
#define TRANSACTIONS_EXPORT_PAYLOAD_MAX ((size_t)5 * 1024 * 1024 + 768 * 1024)

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
 * range's first month counted exactly from its buckets' dates (it may be cut by start_date). */
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
  size_t in_first = 0;
  mynt_status st = store_history_count(s, sub, &head, deadline_ms, &in_first);
  if(st)
    return st;
  *out_total += (long)in_first;
  return MYNT_OK;
}

/* The items a request reads: the user's items and, among them, those q's account_id selects. */
typedef struct {
  store_item *items; /* all the user's items, in item order (for the answer's items array) */
  size_t n;
  const store_item **selected; /* into items: every item, or the one owning account_id */
  const char **item_ids;       /* the selected items' ids, for store_history_read */
  size_t n_selected;
} s_scope;

static void s_scope_free(s_scope *sc)
{
  free(sc->selected);
  free(sc->item_ids);
  store_items_free(sc->items, sc->n);
  memset(sc, 0, sizeof(*sc));
}

/* Lists the user's items into *out and selects those of account_id (NULL: all). Returns MYNT_OK, or replies the
 * failure (400 for an account_id the user does not have) and returns its status; *out is then empty. */
static mynt_status s_scope_or_reply(const handlers_call *call, apigw_response *res, const char *account_id,
                                    s_scope *out)
{
  memset(out, 0, sizeof(*out));
  mynt_status st = store_item_list(call->env->store, call->sub, call->deadline_ms, &out->items, &out->n);
  if(st)
    return apigw_response_error(res, st, NULL);
  out->selected = calloc(out->n ? out->n : 1, sizeof(*out->selected));
  out->item_ids = calloc(out->n ? out->n : 1, sizeof(*out->item_ids));
  if(!out->selected || !out->item_ids) {
    s_scope_free(out);
    return apigw_response_error(res, MYNT_NOMEM, NULL);
  }
  for(size_t i = 0; i < out->n; i++) {
    if(!account_id || store_item_has_account(&out->items[i], account_id)) {
      out->selected[out->n_selected] = &out->items[i];
      out->item_ids[out->n_selected++] = out->items[i].item_id;
    }
  }
  if(account_id && out->n_selected == 0) {
    s_scope_free(out);
    return apigw_response_error(res, MYNT_BAD_REQUEST, "account_id is not one of your accounts");
  }
  return MYNT_OK;
}

/* Reads q's range of the selected items, newest first, as far as want transactions (0: all of it), and keeps those
 * q's filters pass. Returns MYNT_OK and *out_txns (caller json_decref) with *out_complete (whether every month of the
 * range was read); MYNT_NOMEM or store_history_read's status, *out_txns then NULL. */
static mynt_status s_read(const handlers_call *call, const transactions_query *q, const s_scope *sc, size_t want,
                          json_t **out_txns, bool *out_complete)
{
  *out_txns = NULL;
  *out_complete = true;
  if(sc->n_selected == 0) {
    *out_txns = json_array();
    return *out_txns ? MYNT_OK : MYNT_NOMEM;
  }
  store_history_query hq = {.start_date = q->start_date,
                            .end_date = q->end_date,
                            .want = want,
                            .account_id = q->account_id,
                            .item_ids = sc->item_ids,
                            .n_item_ids = sc->n_selected};
  json_t *txns = NULL;
  mynt_status st = store_history_read(call->env->store, call->sub, &hq, call->deadline_ms, &txns, out_complete);
  if(st || !transactions_query_filtered(q)) {
    *out_txns = txns;
    return st;
  }
  json_t *kept = json_array();
  size_t i;
  json_t *txn;
  json_array_foreach(txns, i, txn) {
    if(kept && finance_filter_matches(&q->filter, txn) && json_array_append(kept, txn)) {
      json_decref(kept);
      kept = NULL;
    }
  }
  json_decref(txns);
  *out_txns = kept;
  return kept ? MYNT_OK : MYNT_NOMEM;
}

/* Reads the page q of the scope and answers it with the user's items (items_json, stolen). */
static mynt_status s_read_and_reply(const handlers_call *call, apigw_response *res, const transactions_query *q,
                                    const s_scope *sc, json_t *items_json)
{
  json_t *txns = NULL;
  json_t *page = json_array();
  long total = 0;
  bool complete = false;
  mynt_status st = page ? MYNT_OK : MYNT_NOMEM;
  /* With an account or another filter the month counts (per item, unfiltered) do not give the total: read all of
   * the range. */
  bool whole = q->account_id || transactions_query_filtered(q);
  if(!st)
    st = s_read(call, q, sc, whole ? 0 : (size_t)q->offset + (size_t)q->count, &txns, &complete);
  if(st) {
    st = apigw_response_error(res, st, NULL);
    goto cleanup;
  }
  size_t read = json_array_size(txns);
  total = (long)read;
  if(!complete) {
    char oldest[8];
    snprintf(oldest, sizeof(oldest), "%.7s",
             json_string_value(json_object_get(json_array_get(txns, read - 1), "date")));
    st = s_total_beyond(call->env->store, call->sub, q, sc->selected, sc->item_ids, sc->n_selected, oldest, read,
                        call->deadline_ms, &total);
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
  st = handlers_reply_json(res,
                           json_pack("{s:O, s:I, s:s, s:s, s:i, s:I, s:O}", "transactions", page, "total_transactions",
                                     (json_int_t)total, "start_date", q->start_date, "end_date", q->end_date, "count",
                                     q->count, "offset", (json_int_t)q->offset, "items", items_json));

cleanup:
  json_decref(items_json);
  json_decref(txns);
  json_decref(page);
  return st;
}

/* Parses req's query string into *out (today's UTC date); paging false leaves count and offset out (the export
 * ignores them). Returns MYNT_OK, or replies the 400 naming the parameter and returns MYNT_BAD_REQUEST. */
static mynt_status s_query_or_reply(const apigw_request *req, apigw_response *res, bool paging, transactions_query *out)
{
  char today[11];
  mynt_detail why;
  transactions_query_params params = {
    .start_date = apigw_request_query(req, "start_date"),
    .end_date = apigw_request_query(req, "end_date"),
    .count = paging ? apigw_request_query(req, "count") : NULL,
    .offset = paging ? apigw_request_query(req, "offset") : NULL,
    .account_id = apigw_request_query(req, "account_id"),
    .category = apigw_request_query(req, "category"),
    .flow = apigw_request_query(req, "flow"),
    .q = apigw_request_query(req, "q"),
  };
  date_of_epoch_ms(clock_epoch_ms(), today);
  mynt_status st = transactions_query_parse(&params, today, out, &why);
  return st ? apigw_response_error(res, st, mynt_detail_text(&why)) : MYNT_OK;
}

mynt_status transactions_accounts(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  s_scope sc;
  mynt_status st = handlers_call_or_reply(ctx, req, res, TRANSACTIONS_WORK_MARGIN_MS, &call);
  if(!st)
    st = s_scope_or_reply(&call, res, NULL, &sc);
  if(st)
    return st;
  json_t *accounts = json_array();
  for(size_t i = 0; accounts && i < sc.n; i++) {
    size_t k;
    json_t *record;
    json_array_foreach(sc.items[i].accounts, k, record) {
      json_t *row = transactions_view_stored_account(record, &sc.items[i]);
      if(row && json_array_append_new(accounts, row)) {
        json_decref(accounts);
        accounts = NULL;
        break;
      }
    }
  }
  json_t *list = transactions_view_items(sc.items, sc.n);
  s_scope_free(&sc);
  if(!accounts || !list) {
    json_decref(accounts);
    json_decref(list);
    return apigw_response_error(res, MYNT_NOMEM, NULL);
  }
  return handlers_reply_json(res, json_pack("{s:o, s:o}", "accounts", accounts, "items", list));
}

mynt_status transactions_list(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  transactions_query q;
  s_scope sc;
  mynt_status st = handlers_call_or_reply(ctx, req, res, TRANSACTIONS_WORK_MARGIN_MS, &call);
  if(!st)
    st = s_query_or_reply(req, res, true, &q);
  if(!st)
    st = s_scope_or_reply(&call, res, q.account_id, &sc);
  if(st)
    return st;
  json_t *items_json = transactions_view_items(sc.items, sc.n);
  st = items_json ? s_read_and_reply(&call, res, &q, &sc, items_json) : apigw_response_error(res, MYNT_NOMEM, NULL);
  s_scope_free(&sc);
  return st;
}

/* The bytes body[0..len) takes as a JSON string's content (the payload carries the CSV as one): quotes, backslashes
 * and control characters are escaped. */
static size_t s_json_escaped_len(const char *body, size_t len)
{
  size_t out = len;
  for(size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)body[i];
    if(c == '"' || c == '\\' || c == '\r' || c == '\n' || c == '\t' || c == '\b' || c == '\f')
      out += 1;
    else if(c < 0x20)
      out += 5;
  }
  return out;
}

/* The account record of account_id among item's accounts, or NULL. */
static const json_t *s_account_record(const store_item *item, const char *account_id)
{
  size_t k;
  json_t *record;
  json_array_foreach(item->accounts, k, record) {
    const char *id = json_member_string(record, "account_id");
    if(id && account_id && strcmp(id, account_id) == 0)
      return record;
  }
  return NULL;
}

/* Appends the CSV of txns (stored transactions of the scope's items) to csv: the header, then one row each. Returns
 * MYNT_OK, MYNT_TOO_LARGE past csv's cap, MYNT_NOMEM (csv then freed). */
static mynt_status s_write_csv(mynt_buf *csv, const json_t *txns, const s_scope *sc)
{
  mynt_status st = transactions_csv_header(csv);
  size_t i;
  json_t *stored;
  json_array_foreach(txns, i, stored) {
    if(st)
      break;
    const char *item_id = json_member_string(stored, "item_id");
    const store_item *item = NULL;
    for(size_t k = 0; !item && item_id && k < sc->n_selected; k++) {
      if(strcmp(sc->selected[k]->item_id, item_id) == 0)
        item = sc->selected[k];
    }
    const json_t *account = item ? s_account_record(item, json_member_string(stored, "account_id")) : NULL;
    json_t *txn = transactions_view_stored(stored);
    st = txn ? transactions_csv_row(csv, txn, json_member_string(account, "name"),
                                    item && item->institution_name[0] ? item->institution_name : NULL)
             : MYNT_NOMEM;
    json_decref(txn);
  }
  if(st)
    buf_free(csv);
  return st;
}

mynt_status transactions_export(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  transactions_query q;
  s_scope sc;
  mynt_status st = handlers_call_or_reply(ctx, req, res, TRANSACTIONS_WORK_MARGIN_MS, &call);
  if(!st)
    st = s_query_or_reply(req, res, false, &q);
  if(!st)
    st = s_scope_or_reply(&call, res, q.account_id, &sc);
  if(st)
    return st;
  json_t *txns = NULL;
  bool complete = false;
  mynt_buf csv;
  buf_init(&csv, TRANSACTIONS_EXPORT_MAX);
  st = s_read(&call, &q, &sc, 0, &txns, &complete);
  mynt_status written = st ? st : s_write_csv(&csv, txns, &sc);
  /* The stored transactions are no longer needed: free them before the answer is copied. */
  json_decref(txns);
  s_scope_free(&sc);
  if(st) {
    st = apigw_response_error(res, st, NULL);
    goto cleanup;
  }
  if(!written && s_json_escaped_len(csv.ptr, csv.len) > TRANSACTIONS_EXPORT_PAYLOAD_MAX)
    written = MYNT_TOO_LARGE;
  if(written == MYNT_TOO_LARGE) {
    st = apigw_response_error_code(res, written, "too_large",
                                   "the export is larger than 5 MB: narrow the date range (or filter it)", NULL);
    goto cleanup;
  }
  if(written) {
    st = apigw_response_error(res, written, NULL);
    goto cleanup;
  }
  char disposition[80];
  snprintf(disposition, sizeof(disposition), "attachment; filename=\"mynt-transactions-%s-%s.csv\"", q.start_date,
           q.end_date);
  /* The header only once the file is the reply, so that no error carries it. */
  st = apigw_response_text(res, 200, "text/csv; charset=utf-8", csv.ptr, csv.len);
  if(!st)
    st = apigw_response_set_header(res, "content-disposition", disposition);
  if(st)
    st = apigw_response_error(res, st, NULL);

cleanup:
  buf_free(&csv);
  return st;
}

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

mynt_status transactions_summary(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
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
  };
  date_of_epoch_ms(clock_epoch_ms(), today);
  st = transactions_query_parse_month_default(&params, today, &q, &why);
  if(st)
    return apigw_response_error(res, st, mynt_detail_text(&why));
  s_scope sc;
  st = s_scope_or_reply(&call, res, NULL, &sc);
  if(st)
    return st;

  store_budget *budgets = NULL;
  size_t n_budgets = 0;
  finance_budget *limits = NULL;
  json_t *txns = NULL;
  json_t *summary = NULL;
  bool complete = false;
  st = store_budget_list(call.env->store, call.sub, call.deadline_ms, &budgets, &n_budgets);
  if(st)
    goto cleanup;
  limits = s_finance_budgets(budgets, n_budgets);
  if(!limits) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  st = s_read(&call, &q, &sc, 0, &txns, &complete);
  if(st)
    goto cleanup;
  st = finance_summary(txns, q.start_date, q.end_date, limits, n_budgets, &summary);
  if(st == MYNT_BAD_REQUEST)
    st = MYNT_INTERNAL; /* the dates were checked: only a stored budget finance refuses is left */
  if(st)
    goto cleanup;
  if(json_object_set_new(summary, "items", transactions_view_items(sc.items, sc.n))) {
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
  s_scope_free(&sc);
  return st ? apigw_response_error(res, st, NULL) : MYNT_OK;
}
