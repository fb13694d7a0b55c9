/* plaid_sim_sync.c - /transactions/sync, /sandbox/transactions/create and their /sim knobs, answered from the ledger. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local/plaid_sim/plaid_sim_internal.h"

/* The most entries one /sim change request may carry per list. */
#define S_SIM_CHANGES_MAX 500
/* /sandbox/transactions/create takes at most this many transactions, dated at most 14 days back. */
#define S_SANDBOX_MAX      10
#define S_SANDBOX_DAYS     14
#define S_AMOUNT_MAX_CENTS 100000000000LL

static void s_invalid(const plaid_sim_request *req, plaid_sim_response *out, const char *message)
{
  plaid_sim_render_error(out, req, 400, "INVALID_REQUEST", "INVALID_FIELD", message, NULL);
}

static void s_internal(const plaid_sim_request *req, plaid_sim_response *out)
{
  plaid_sim_render_error(out, req, 500, "API_ERROR", "INTERNAL_SERVER_ERROR", "an unexpected error occurred",
                         "Something went wrong. Please try again later.");
}

/* A JSON number of dollars as whole cents; false when it is not a number or out of range. */
static bool s_cents(json_t *v, int64_t *out)
{
  if(!json_is_number(v))
    return false;
  const double cents = json_number_value(v) * 100.0;
  if(!isfinite(cents) || cents > (double)S_AMOUNT_MAX_CENTS || cents < -(double)S_AMOUNT_MAX_CENTS)
    return false;
  *out = (int64_t)(cents < 0 ? cents - 0.5 : cents + 0.5);
  return true;
}

/* A non-empty string that fits a transaction's name. */
static bool s_name(json_t *v, char out[64])
{
  if(!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= 64)
    return false;
  memcpy(out, json_string_value(v), json_string_length(v) + 1);
  return true;
}

/* Returns the index of the item's account with this id, or -1. */
static int s_account_index(const plaid_data_item *data, const char *account_id)
{
  for(int a = 0; account_id && a < PLAID_DATA_ACCOUNT_COUNT; a++)
    if(strcmp(data->accounts[a].account_id, account_id) == 0)
      return a;
  return -1;
}

static const char *s_status_name(plaid_sim_history h)
{
  static const char *const names[] = {"NOT_READY", "INITIAL_UPDATE_COMPLETE", "HISTORICAL_UPDATE_COMPLETE"};
  return names[h];
}

/* ---- POST /transactions/sync ---- */

/* Renders one page: added, modified, removed in log order within each list. NULL when out of memory. */
static json_t *s_page_json(const plaid_data_item *data, const plaid_sim_ledger_page *page, int account, bool original)
{
  json_t *added = json_array(), *modified = json_array(), *removed = json_array(), *accounts = json_array();
  json_t *body = json_pack("{s:o, s:o, s:o, s:o, s:s, s:b, s:s}", "added", added, "modified", modified, "removed",
                           removed, "accounts", accounts, "next_cursor", page->next_cursor, "has_more", page->has_more,
                           "transactions_update_status", s_status_name(page->history));
  if(!body)
    return NULL;
  for(int a = 0; a < PLAID_DATA_ACCOUNT_COUNT; a++)
    if((account < 0 || a == account) && json_array_append_new(accounts, plaid_sim_render_account(&data->accounts[a])))
      goto fail;
  for(size_t i = 0; i < page->count; i++) {
    const plaid_sim_ledger_entry *e = &page->entries[i];
    json_t *item = e->kind == PLAID_SIM_CHANGE_REMOVED
                     ? json_pack("{s:s, s:s}", "transaction_id", e->txn.transaction_id, "account_id",
                                 data->accounts[e->txn.account].account_id)
                     : plaid_sim_render_txn(data, &e->txn, original);
    json_t *list = e->kind == PLAID_SIM_CHANGE_ADDED      ? added
                   : e->kind == PLAID_SIM_CHANGE_MODIFIED ? modified
                                                          : removed;
    if(json_array_append_new(list, item))
      goto fail;
  }
  return body;
fail:
  json_decref(body);
  return NULL;
}

void plaid_sim_sync_transactions(plaid_sim_call *c)
{
  static const char *const allowed[] = {"client_id", "secret", "access_token", "cursor", "count", "options", NULL};
  static const char *const required[] = {"access_token", NULL};
  static const char *const options_allowed[] = {"include_original_description",
                                                "include_personal_finance_category",
                                                "include_logo_and_counterparty_beta",
                                                "personal_finance_category_version",
                                                "days_requested",
                                                "account_id",
                                                NULL};
  long long count = 100, days = 90;
  bool original = false, flag = false;
  plaid_sim_item item;
  plaid_data_item data = {0};
  plaid_sim_ledger_page page = {0};
  mynt_detail detail = {0};

  if(!plaid_sim_prelude_or_reply(c, allowed, required))
    return;
  json_t *cursor = plaid_sim_field(c->body, "cursor");
  if(cursor && (!json_is_string(cursor) || json_string_length(cursor) > 256)) {
    s_invalid(c->req, c->out, "cursor must be a string of at most 256 characters");
    return;
  }
  if(!plaid_sim_int_or_reply(c, c->body, "count", 1, 500, &count))
    return;
  json_t *options = plaid_sim_field(c->body, "options");
  json_t *account_id = NULL;
  if(options) {
    if(!plaid_sim_object_or_reply(c, options, "options", options_allowed) ||
       !plaid_sim_bool_or_reply(c, options, "include_original_description", &original) ||
       !plaid_sim_bool_or_reply(c, options, "include_personal_finance_category", &flag) ||
       !plaid_sim_bool_or_reply(c, options, "include_logo_and_counterparty_beta", &flag) ||
       !plaid_sim_int_or_reply(c, options, "days_requested", 1, 730, &days))
      return;
    json_t *version = plaid_sim_field(options, "personal_finance_category_version");
    if(version && (!json_is_string(version) ||
                   (strcmp(json_string_value(version), "v1") != 0 && strcmp(json_string_value(version), "v2") != 0))) {
      s_invalid(c->req, c->out, "options.personal_finance_category_version must be \"v1\" or \"v2\"");
      return;
    }
    account_id = plaid_sim_field(options, "account_id");
    if(account_id && !json_is_string(account_id)) {
      s_invalid(c->req, c->out, "options.account_id must be a string");
      return;
    }
  }
  /* days_requested only matters for an item whose Transactions product is not initialised yet;
   * every simulator item is made with its history fixed, so, as on Plaid, it has no effect. */
  if(!plaid_sim_item_or_reply(c, &item, true) || !plaid_sim_data_or_reply(c, &item, &data))
    return;
  const int account = account_id ? s_account_index(&data, json_string_value(account_id)) : -1;
  if(account_id && account < 0) {
    s_invalid(c->req, c->out, "options.account_id is not an account of this item");
    goto cleanup;
  }
  mynt_status st = plaid_sim_ledger_page_get(c->sim->ledger, &item, data.today, json_string_value(cursor), account,
                                             (int)count, &page, &detail);
  if(st == MYNT_BAD_REQUEST)
    s_invalid(c->req, c->out, mynt_detail_text(&detail));
  else if(st == MYNT_CONFLICT)
    plaid_sim_render_error(c->out, c->req, 400, "TRANSACTIONS_ERROR", "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
                           mynt_detail_text(&detail), NULL);
  else if(st)
    s_internal(c->req, c->out);
  else
    plaid_sim_render_ok(c->out, c->req, s_page_json(&data, &page, account, original));
cleanup:
  plaid_sim_ledger_page_free(&page);
  plaid_data_item_free(&data);
}

/* ---- POST /sandbox/transactions/create ---- */

/* Reads transactions[i] of /sandbox/transactions/create into n. */
static bool s_sandbox_txn_or_reply(plaid_sim_call *c, json_t *v, size_t i, int32_t today, plaid_sim_new_txn *n)
{
  static const char *const allowed[] = {"date_transacted", "date_posted",       "amount",
                                        "description",     "iso_currency_code", NULL};
  static const char *const required[] = {"date_transacted", "date_posted", "amount", "description"};
  char name[48], message[160];
  snprintf(name, sizeof name, "transactions[%zu]", i);
  if(!plaid_sim_object_or_reply(c, v, name, allowed))
    return false;
  for(size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
    if(!plaid_sim_field(v, required[r])) {
      snprintf(message, sizeof message, "the following required fields are missing: %s.%s", name, required[r]);
      plaid_sim_render_error(c->out, c->req, 400, "INVALID_REQUEST", "MISSING_FIELDS", message, NULL);
      return false;
    }
  }
  memset(n, 0, sizeof *n);
  n->account = PLAID_DATA_CHECKING; /* as on Plaid: custom transactions go to the depository account */
  if(!plaid_sim_date_or_reply(c, plaid_sim_field(v, "date_transacted"), "date_transacted", &n->authorized_date) ||
     !plaid_sim_date_or_reply(c, plaid_sim_field(v, "date_posted"), "date_posted", &n->date))
    return false;
  if(n->authorized_date < today - S_SANDBOX_DAYS || n->date > today || n->date < n->authorized_date) {
    s_invalid(c->req, c->out,
              "Transaction and posted dates must be within the last 14 days. The posted date cannot be before the "
              "transaction date.");
    return false;
  }
  if(!s_cents(plaid_sim_field(v, "amount"), &n->amount_cents)) {
    snprintf(message, sizeof message, "%s.amount must be a number", name);
    s_invalid(c->req, c->out, message);
    return false;
  }
  if(!s_name(plaid_sim_field(v, "description"), n->name)) {
    snprintf(message, sizeof message, "%s.description must be a string of 1 to 63 bytes", name);
    s_invalid(c->req, c->out, message);
    return false;
  }
  json_t *currency = plaid_sim_field(v, "iso_currency_code");
  if(currency && (!json_is_string(currency) || strcmp(json_string_value(currency), "USD") != 0)) {
    snprintf(message, sizeof message, "%s.iso_currency_code must be USD (the simulator's accounts are in USD)", name);
    s_invalid(c->req, c->out, message);
    return false;
  }
  return true;
}

void plaid_sim_sync_sandbox_create(plaid_sim_call *c)
{
  static const char *const allowed[] = {"client_id", "secret", "access_token", "transactions", NULL};
  static const char *const required[] = {"access_token", "transactions", NULL};
  plaid_sim_new_txn added[S_SANDBOX_MAX];
  char ids[S_SANDBOX_MAX][PLAID_DATA_ID_LEN + 1];
  plaid_sim_item item;
  mynt_detail detail = {0};
  if(!plaid_sim_prelude_or_reply(c, allowed, required))
    return;
  json_t *list = plaid_sim_field(c->body, "transactions");
  if(!json_is_array(list) || json_array_size(list) == 0) {
    s_invalid(c->req, c->out, "transactions must be a non-empty array");
    return;
  }
  if(json_array_size(list) > S_SANDBOX_MAX) {
    s_invalid(c->req, c->out, "The request contains too many transactions.");
    return;
  }
  if(!plaid_sim_item_or_reply(c, &item, false))
    return;
  const int32_t today = plaid_sim_today(c->sim);
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    if(!s_sandbox_txn_or_reply(c, v, i, today, &added[i]))
      return;
  }
  plaid_sim_changes changes = {.added = added, .added_count = json_array_size(list)};
  mynt_status st = plaid_sim_ledger_apply(c->sim->ledger, &item, today, &changes, ids, NULL, &detail);
  if(st == MYNT_BAD_REQUEST)
    s_invalid(c->req, c->out, mynt_detail_text(&detail));
  else if(st)
    s_internal(c->req, c->out);
  else {
    plaid_sim_notify_sync_updates(c->sim, &item);
    plaid_sim_render_ok(c->out, c->req, json_object());
  }
}

/* ---- /sim/items/{item_id}/transactions and /sim/items/{item_id}/sync ---- */

/* Finds a live item by id, or answers 404 ITEM_NOT_FOUND (also for a removed item). */
static bool s_live_item_or_reply(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out,
                                 const char *item_id, plaid_sim_item *item)
{
  if(!plaid_sim_store_find_item_by_id(sim->store, item_id, item) && !item->removed)
    return true;
  plaid_sim_render_error(out, req, 404, "INVALID_INPUT", "ITEM_NOT_FOUND", "no live item with this item_id", NULL);
  return false;
}

/* The lists of a change request: absent or an array of at most S_SIM_CHANGES_MAX entries. */
static bool s_list_or_reply(const plaid_sim_request *req, plaid_sim_response *out, const char *name, json_t **list)
{
  *list = json_object_get(req->body, name);
  if(!*list || (json_is_array(*list) && json_array_size(*list) <= S_SIM_CHANGES_MAX))
    return true;
  char message[96];
  snprintf(message, sizeof message, "%s must be an array of at most %d entries", name, S_SIM_CHANGES_MAX);
  s_invalid(req, out, message);
  return false;
}

/* Checks list[i] is an object with keys in allowed, writing "list[i]" into where for the messages. */
static bool s_entry_or_reply(const plaid_sim_request *req, plaid_sim_response *out, json_t *v, const char *list,
                             size_t i, const char *const *allowed, char where[32])
{
  snprintf(where, 32, "%s[%zu]", list, i);
  if(!json_is_object(v)) {
    char message[64];
    snprintf(message, sizeof message, "%s must be an object", where);
    s_invalid(req, out, message);
    return false;
  }
  return plaid_sim_keys_or_reply(req, out, v, where, allowed);
}

/* Reads added[i]: {amount, name, account_id?, date?, authorized_date?, pending?}. */
static bool s_added_or_reply(const plaid_sim_request *req, plaid_sim_response *out, json_t *v, size_t i,
                             const plaid_data_item *data, plaid_sim_new_txn *n)
{
  static const char *const allowed[] = {"account_id", "amount", "name", "date", "authorized_date", "pending", NULL};
  char where[32], message[192];
  if(!s_entry_or_reply(req, out, v, "added", i, allowed, where))
    return false;
  json_t *account = json_object_get(v, "account_id"), *date = json_object_get(v, "date");
  json_t *authorized = json_object_get(v, "authorized_date"), *pending = json_object_get(v, "pending");
  memset(n, 0, sizeof *n);
  n->date = data->today;
  const char *problem = NULL;
  if(!s_cents(json_object_get(v, "amount"), &n->amount_cents))
    problem = "amount must be a number of dollars";
  else if(!s_name(json_object_get(v, "name"), n->name))
    problem = "name must be a string of 1 to 63 bytes";
  else if(account && s_account_index(data, json_string_value(account)) < 0)
    problem = "account_id is not an account of this item";
  else if(date && (!json_is_string(date) || plaid_data_date_parse(json_string_value(date), &n->date)))
    problem = "date must be a date YYYY-MM-DD";
  else if(pending && !json_is_boolean(pending))
    problem = "pending must be a boolean";
  if(account && !problem)
    n->account = (plaid_data_account_kind)s_account_index(data, json_string_value(account));
  n->authorized_date = n->date;
  if(!problem && authorized &&
     (!json_is_string(authorized) || plaid_data_date_parse(json_string_value(authorized), &n->authorized_date)))
    problem = "authorized_date must be a date YYYY-MM-DD";
  n->pending = json_is_true(pending);
  if(!problem && n->pending && authorized && n->authorized_date != n->date)
    problem = "a pending transaction is dated on its authorized date";
  if(problem) {
    snprintf(message, sizeof message, "%s: %s", where, problem);
    s_invalid(req, out, message);
    return false;
  }
  return true;
}

/* Reads modified[i]: {transaction_id, amount?, name?, date?, pending?: false (posts it)}. */
static bool s_modified_or_reply(const plaid_sim_request *req, plaid_sim_response *out, json_t *v, size_t i,
                                plaid_sim_txn_edit *e)
{
  static const char *const allowed[] = {"transaction_id", "amount", "name", "date", "pending", NULL};
  char where[32], message[192];
  if(!s_entry_or_reply(req, out, v, "modified", i, allowed, where))
    return false;
  json_t *id = json_object_get(v, "transaction_id"), *amount = json_object_get(v, "amount");
  json_t *name = json_object_get(v, "name"), *date = json_object_get(v, "date"),
         *pending = json_object_get(v, "pending");
  memset(e, 0, sizeof *e);
  const char *problem = NULL;
  if(!json_is_string(id) || json_string_length(id) != PLAID_DATA_ID_LEN)
    problem = "transaction_id must be a transaction id";
  else if(amount && !(e->set_amount = s_cents(amount, &e->amount_cents)))
    problem = "amount must be a number of dollars";
  else if(name && !(e->set_name = s_name(name, e->name)))
    problem = "name must be a string of 1 to 63 bytes";
  else if(date && (!json_is_string(date) || plaid_data_date_parse(json_string_value(date), &e->date)))
    problem = "date must be a date YYYY-MM-DD";
  else if(pending && !json_is_false(pending))
    problem = "pending can only become false (the transaction posts)";
  else if(!amount && !name && !date && !pending)
    problem = "nothing to change: give amount, name, date or pending";
  if(problem) {
    snprintf(message, sizeof message, "%s: %s", where, problem);
    s_invalid(req, out, message);
    return false;
  }
  memcpy(e->transaction_id, json_string_value(id), PLAID_DATA_ID_LEN + 1);
  e->set_date = date != NULL;
  e->post = pending != NULL;
  return true;
}

/* The answer: the ids each list changed, and each posting's pending and posted ids. */
static json_t *s_changes_json(const char *item_id, const plaid_sim_changes *c, char (*added_ids)[PLAID_DATA_ID_LEN + 1],
                              char (*posted_ids)[PLAID_DATA_ID_LEN + 1])
{
  json_t *added = json_array(), *modified = json_array(), *removed = json_array(), *posted = json_array();
  json_t *body = json_pack("{s:s, s:o, s:o, s:o, s:o}", "item_id", item_id, "added", added, "modified", modified,
                           "removed", removed, "posted", posted);
  if(!body)
    return NULL;
  bool ok = true;
  for(size_t i = 0; ok && i < c->added_count; i++)
    ok = !json_array_append_new(added, json_string(added_ids[i]));
  for(size_t i = 0; ok && i < c->modified_count; i++)
    ok = !json_array_append_new(posted_ids[i][0] ? posted : modified,
                                posted_ids[i][0]
                                  ? json_pack("{s:s, s:s}", "pending_transaction_id", c->modified[i].transaction_id,
                                              "transaction_id", posted_ids[i])
                                  : json_string(c->modified[i].transaction_id));
  for(size_t i = 0; ok && i < c->removed_count; i++)
    ok = !json_array_append_new(removed, json_string(c->removed[i]));
  if(!ok) {
    json_decref(body);
    return NULL;
  }
  return body;
}

void plaid_sim_sync_admin_changes(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out,
                                  const char *item_id)
{
  static const char *const allowed[] = {"added", "modified", "removed", NULL};
  plaid_sim_item item;
  plaid_data_item data = {0};
  plaid_sim_new_txn *added = NULL;
  plaid_sim_txn_edit *modified = NULL;
  char(*removed)[PLAID_DATA_ID_LEN + 1] = NULL, (*added_ids)[PLAID_DATA_ID_LEN + 1] = NULL;
  char(*posted_ids)[PLAID_DATA_ID_LEN + 1] = NULL;
  json_t *added_list, *modified_list, *removed_list, *v;
  mynt_detail detail = {0};
  size_t i;

  if(req->body_invalid) {
    plaid_sim_render_error(out, req, 400, "INVALID_REQUEST", "INVALID_BODY",
                           "body could not be parsed as a JSON object", NULL);
    return;
  }
  if(!s_live_item_or_reply(sim, req, out, item_id, &item) ||
     !plaid_sim_keys_or_reply(req, out, req->body, "body", allowed) ||
     !s_list_or_reply(req, out, "added", &added_list) || !s_list_or_reply(req, out, "modified", &modified_list) ||
     !s_list_or_reply(req, out, "removed", &removed_list))
    return;
  plaid_sim_changes changes = {.added_count = json_array_size(added_list),
                               .modified_count = json_array_size(modified_list),
                               .removed_count = json_array_size(removed_list)};
  added = calloc(changes.added_count + 1, sizeof *added);
  added_ids = calloc(changes.added_count + 1, sizeof *added_ids);
  modified = calloc(changes.modified_count + 1, sizeof *modified);
  posted_ids = calloc(changes.modified_count + 1, sizeof *posted_ids);
  removed = calloc(changes.removed_count + 1, sizeof *removed);
  if(!added || !added_ids || !modified || !posted_ids || !removed ||
     plaid_data_generate(item.institution_id, item.seed, plaid_sim_today(sim), &data))
    goto fail;
  json_array_foreach(added_list, i, v) {
    if(!s_added_or_reply(req, out, v, i, &data, &added[i]))
      goto cleanup;
  }
  json_array_foreach(modified_list, i, v) {
    if(!s_modified_or_reply(req, out, v, i, &modified[i]))
      goto cleanup;
  }
  json_array_foreach(removed_list, i, v) {
    if(!json_is_string(v) || json_string_length(v) != PLAID_DATA_ID_LEN) {
      s_invalid(req, out, "removed must be an array of transaction ids");
      goto cleanup;
    }
    memcpy(removed[i], json_string_value(v), PLAID_DATA_ID_LEN + 1);
  }
  changes.added = added;
  changes.modified = modified;
  changes.removed = (const char(*)[PLAID_DATA_ID_LEN + 1]) removed;
  mynt_status st = plaid_sim_ledger_apply(sim->ledger, &item, data.today, &changes, added_ids, posted_ids, &detail);
  if(st == MYNT_BAD_REQUEST)
    s_invalid(req, out, mynt_detail_text(&detail));
  else if(st)
    goto fail;
  else {
    plaid_sim_notify_sync_updates(sim, &item);
    plaid_sim_render_ok(out, req, s_changes_json(item.item_id, &changes, added_ids, posted_ids));
  }
  goto cleanup;
fail:
  s_internal(req, out);
cleanup:
  free(added);
  free(added_ids);
  free(modified);
  free(posted_ids);
  free(removed);
  plaid_data_item_free(&data);
}

void plaid_sim_sync_admin_knobs(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out,
                                const char *item_id)
{
  static const char *const allowed[] = {"history", "mutation_during_pagination", NULL};
  static const char *const histories[] = {"none", "initial", "complete"};
  plaid_sim_item item;
  plaid_sim_ledger_status status;
  mynt_detail detail = {0};
  int history = -1, arm = -1;
  const bool post = strcmp(req->method, "POST") == 0;
  if(!post && strcmp(req->method, "GET") != 0) {
    plaid_sim_render_error(out, req, 405, "INVALID_REQUEST", "INVALID_HTTP_METHOD", "this endpoint takes GET or POST",
                           NULL);
    return;
  }
  if(post && req->body_invalid) {
    plaid_sim_render_error(out, req, 400, "INVALID_REQUEST", "INVALID_BODY",
                           "body could not be parsed as a JSON object", NULL);
    return;
  }
  if(!s_live_item_or_reply(sim, req, out, item_id, &item) ||
     (post && !plaid_sim_keys_or_reply(req, out, req->body, "body", allowed)))
    return;
  json_t *h = post ? json_object_get(req->body, "history") : NULL;
  json_t *m = post ? json_object_get(req->body, "mutation_during_pagination") : NULL;
  for(int i = 0; h && json_is_string(h) && i < 3; i++)
    if(strcmp(json_string_value(h), histories[i]) == 0)
      history = i;
  if(h && history < 0) {
    s_invalid(req, out, "history must be \"none\", \"initial\" or \"complete\"");
    return;
  }
  if(m && !json_is_boolean(m)) {
    s_invalid(req, out, "mutation_during_pagination must be a boolean");
    return;
  }
  if(m)
    arm = json_is_true(m);
  mynt_status st = plaid_sim_ledger_configure(sim->ledger, &item, plaid_sim_today(sim), history, arm, &status, &detail);
  if(st == MYNT_BAD_REQUEST)
    s_invalid(req, out, mynt_detail_text(&detail));
  else if(st)
    s_internal(req, out);
  else {
    plaid_sim_notify_history(sim, &item, &status);
    plaid_sim_render_ok(out, req,
                        json_pack("{s:s, s:s, s:s, s:b, s:I, s:I}", "item_id", item.item_id, "history",
                                  histories[status.history], "transactions_update_status",
                                  s_status_name(status.history), "mutation_during_pagination", status.mutation_armed,
                                  "log_entries", (json_int_t)status.log_count, "transactions",
                                  (json_int_t)status.transaction_count));
  }
}
