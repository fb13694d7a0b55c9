/* plaid_sim_admin.c - the simulator's own endpoints under /sim/: the Link stand-in, fault knobs, the data truth for tests, health. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/wipe.h"
#include "local/plaid_sim/plaid_sim_internal.h"

/* Longest latency a fault may add: stays under API Gateway's 30 s. */
#define S_MAX_LATENCY_MS 29000

static void s_invalid(const plaid_sim_request *req, plaid_sim_response *out, const char *message)
{
  plaid_sim_render_error(out, req, 400, "INVALID_REQUEST", "INVALID_FIELD", message, NULL);
}

static void s_internal(const plaid_sim_request *req, plaid_sim_response *out)
{
  plaid_sim_render_error(out, req, 500, "API_ERROR", "INTERNAL_SERVER_ERROR", "an unexpected error occurred", NULL);
}

static void s_no_item(const plaid_sim_request *req, plaid_sim_response *out)
{
  plaid_sim_render_error(out, req, 404, "INVALID_INPUT", "ITEM_NOT_FOUND", "no item with this item_id", NULL);
}

static bool s_method_or_reply(const plaid_sim_request *req, plaid_sim_response *out, const char *method)
{
  if(strcmp(req->method, method) == 0)
    return true;
  char message[96];
  snprintf(message, sizeof message, "this endpoint takes %s", method);
  plaid_sim_render_error(out, req, 405, "INVALID_REQUEST", "INVALID_HTTP_METHOD", message, NULL);
  return false;
}

static bool s_body_or_reply(const plaid_sim_request *req, plaid_sim_response *out)
{
  if(!req->body_invalid)
    return true;
  plaid_sim_render_error(out, req, 400, "INVALID_REQUEST", "INVALID_BODY", "body could not be parsed as a JSON object",
                         NULL);
  return false;
}

static json_t *s_item_summary(const plaid_sim_item *item)
{
  const plaid_data_institution *inst = plaid_data_institution_find(item->institution_id);
  char created[21];
  json_t *products = json_array();
  for(int i = 0; products && plaid_sim_product_name(i); i++)
    if(item->products & (UINT64_C(1) << i))
      json_array_append_new(products, json_string(plaid_sim_product_name(i)));
  return json_pack("{s:s, s:s, s:s?, s:I, s:i, s:o?, s:b, s:b, s:s}", "item_id", item->item_id, "institution_id",
                   item->institution_id, "institution_name", inst ? inst->name : NULL, "seed", (json_int_t)item->seed,
                   "days_requested", item->days_requested, "products", products, "removed", item->removed,
                   "login_required", item->login_required, "created_at",
                   clock_iso8601((time_t)(item->created_ms / 1000), created));
}

static void s_health(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out)
{
  char today[11];
  if(s_method_or_reply(req, out, "GET"))
    plaid_sim_render_ok(out, req,
                        json_pack("{s:s, s:s}", "status", "ok", "today", date_format(plaid_sim_today(sim), today)));
}

/* GET /sim/requests[?since=N]: {requests:[{seq, path, status, at_ms}], next}: the Plaid API
 * requests (never /sim/ ones) with seq > since that the log still holds, oldest first; next is the
 * seq of the newest request so far (pass it as since to see only later ones). */
static void s_requests(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out)
{
  if(!s_method_or_reply(req, out, "GET"))
    return;
  uint64_t since = 0;
  const char *text = req->query ? req->query(req->query_ctx, "since") : NULL;
  if(text) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if(!*text || *end || errno || text[0] == '-') {
      s_invalid(req, out, "since must be a non-negative integer");
      return;
    }
    since = v;
  }
  json_t *list = json_array();
  if(!list) {
    s_internal(req, out);
    return;
  }
  pthread_mutex_lock(&sim->log_lock);
  uint64_t next = sim->log_seq;
  uint64_t first = next > PLAID_SIM_REQUEST_LOG_MAX ? next - PLAID_SIM_REQUEST_LOG_MAX + 1 : 1;
  if(since + 1 > first)
    first = since + 1;
  for(uint64_t seq = first; seq <= next; seq++) {
    const plaid_sim_logged_request *r = &sim->log[(seq - 1) % PLAID_SIM_REQUEST_LOG_MAX];
    if(json_array_append_new(list, json_pack("{s:I, s:s, s:i, s:I}", "seq", (json_int_t)r->seq, "path", r->path,
                                             "status", (int)r->status, "at_ms", (json_int_t)r->at_ms)))
      break;
  }
  pthread_mutex_unlock(&sim->log_lock);
  plaid_sim_render_ok(out, req, json_pack("{s:o, s:I}", "requests", list, "next", (json_int_t)next));
}

static void s_items(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out)
{
  plaid_sim_item *items = NULL;
  size_t count = 0;
  if(!s_method_or_reply(req, out, "GET"))
    return;
  json_t *list = json_array();
  if(!list || plaid_sim_store_list(sim->store, &items, &count))
    goto fail;
  for(size_t i = 0; i < count; i++)
    if(json_array_append_new(list, s_item_summary(&items[i])))
      goto fail;
  plaid_sim_render_ok(out, req, json_pack("{s:o}", "items", list));
  list = NULL;
  goto cleanup;
fail:
  s_internal(req, out);
cleanup:
  json_decref(list);
  free(items);
}

/* Every visible transaction of an item in [start_date, end_date] (both optional), no paging. */
static void s_truth(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out, const char *item_id)
{
  plaid_sim_item item;
  plaid_data_item data = {0};
  json_t *list = NULL, *accounts = NULL;
  if(!s_method_or_reply(req, out, "GET"))
    return;
  if(plaid_sim_store_find_item_by_id(sim->store, item_id, &item)) {
    s_no_item(req, out);
    return;
  }
  if(plaid_data_generate(item.institution_id, item.seed, plaid_sim_today(sim), &data) ||
     plaid_sim_ledger_overlay(sim->ledger, &item, &data))
    goto fail;
  int32_t start = data.today - item.days_requested, end = data.today;
  const char *start_text = req->query(req->query_ctx, "start_date");
  const char *end_text = req->query(req->query_ctx, "end_date");
  if((start_text && plaid_data_date_parse(start_text, &start)) || (end_text && plaid_data_date_parse(end_text, &end))) {
    s_invalid(req, out, "start_date and end_date must be valid dates in the format YYYY-MM-DD");
    goto cleanup;
  }
  if(start > end) {
    s_invalid(req, out, "start_date must be on or before end_date");
    goto cleanup;
  }
  if(start < data.today - item.days_requested)
    start = data.today - item.days_requested;
  list = json_array();
  accounts = json_array();
  if(!list || !accounts)
    goto fail;
  for(int a = 0; a < PLAID_DATA_ACCOUNT_COUNT; a++) {
    json_t *acc = plaid_sim_render_account(&data.accounts[a]);
    if(!acc || json_object_set_new(acc, "opening_balance", json_real((double)data.accounts[a].opening_cents / 100.0)) ||
       json_array_append_new(accounts, acc))
      goto fail;
  }
  for(size_t i = 0; i < data.txn_count; i++) {
    const plaid_data_txn *t = &data.txns[i];
    if(t->date >= start && t->date <= end && json_array_append_new(list, plaid_sim_render_txn(&data, t, false)))
      goto fail;
  }
  char start_out[11], end_out[11], first_out[11];
  plaid_sim_render_ok(out, req,
                      json_pack("{s:s, s:s, s:I, s:i, s:b, s:s, s:s, s:s, s:I, s:o, s:o}", "item_id", item.item_id,
                                "institution_id", item.institution_id, "seed", (json_int_t)item.seed, "days_requested",
                                item.days_requested, "removed", item.removed, "start_date",
                                date_format(start, start_out), "end_date", date_format(end, end_out),
                                "history_start_date", date_format(data.first_day, first_out), "total_transactions",
                                (json_int_t)json_array_size(list), "accounts", accounts, "transactions", list));
  list = accounts = NULL;
  goto cleanup;
fail:
  s_internal(req, out);
cleanup:
  json_decref(list);
  json_decref(accounts);
  plaid_data_item_free(&data);
}

static void s_faults(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out, const char *item_id)
{
  if(strcmp(req->method, "DELETE") == 0) {
    if(plaid_sim_store_clear_fault(sim->store, item_id))
      s_no_item(req, out);
    else
      plaid_sim_render_ok(out, req, json_pack("{s:s, s:b}", "item_id", item_id, "cleared", 1));
    return;
  }
  if(!s_method_or_reply(req, out, "POST") || !s_body_or_reply(req, out))
    return;
  plaid_sim_fault fault = {0};
  json_t *latency = json_object_get(req->body, "latency_ms");
  json_t *status = json_object_get(req->body, "status");
  json_t *code = json_object_get(req->body, "error_code");
  json_t *times = json_object_get(req->body, "times");
  if(latency &&
     (!json_is_integer(latency) || json_integer_value(latency) < 0 || json_integer_value(latency) > S_MAX_LATENCY_MS)) {
    s_invalid(req, out, "latency_ms must be an integer from 0 to 29000");
    return;
  }
  if(status && (!json_is_integer(status) || (json_integer_value(status) != 429 && json_integer_value(status) != 500 &&
                                             json_integer_value(status) != 400))) {
    s_invalid(req, out, "status must be 429, 500 or 400");
    return;
  }
  if(times && (!json_is_integer(times) || json_integer_value(times) < 0 || json_integer_value(times) > 1000000)) {
    s_invalid(req, out, "times must be a non-negative integer (0 = until cleared)");
    return;
  }
  fault.latency_ms = latency ? (int)json_integer_value(latency) : 0;
  fault.times = times ? (int)json_integer_value(times) : 0;
  if(code) {
    int code_status = 0;
    fault.error_code = json_is_string(code) ? plaid_sim_fault_code(json_string_value(code), &code_status) : NULL;
    if(!fault.error_code) {
      s_invalid(req, out,
                "error_code must be RATE_LIMIT_EXCEEDED, INTERNAL_SERVER_ERROR, ITEM_LOGIN_REQUIRED or "
                "PRODUCT_NOT_READY");
      return;
    }
    if(status && json_integer_value(status) != code_status) {
      s_invalid(req, out, "status does not match error_code");
      return;
    }
    fault.status = code_status;
  }
  else if(status) {
    fault.status = (int)json_integer_value(status);
    if(fault.status == 400) {
      s_invalid(req, out, "status 400 needs an error_code");
      return;
    }
    fault.error_code =
      plaid_sim_fault_code(fault.status == 429 ? "RATE_LIMIT_EXCEEDED" : "INTERNAL_SERVER_ERROR", &fault.status);
  }
  else if(!latency) {
    s_invalid(req, out, "a fault needs latency_ms, status or error_code");
    return;
  }
  if(plaid_sim_store_set_fault(sim->store, item_id, &fault)) {
    s_no_item(req, out);
    return;
  }
  plaid_sim_render_ok(out, req,
                      json_pack("{s:s, s:i, s:i, s:s?, s:i}", "item_id", item_id, "latency_ms", fault.latency_ms,
                                "status", fault.status, "error_code", fault.error_code, "times", fault.times));
}

/* POST /sim/link/complete {link_token, institution_id, username, password[, seed]}: what Plaid Link
 * does when a user logs in. A new-item token makes an item; an update-mode token re-logs its item.
 * The answer's account_selection says whether the token asked for account selection. */
static void s_link_complete(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out)
{
  plaid_sim_link link;
  plaid_sim_item item;
  plaid_data_item data = {0};
  char token[PLAID_SIM_TOKEN_MAX];
  if(!s_method_or_reply(req, out, "POST") || !s_body_or_reply(req, out))
    return;
  const char *link_token = json_member_string(req->body, "link_token");
  const char *institution_id = json_member_string(req->body, "institution_id");
  json_t *seed = json_object_get(req->body, "seed");
  if(!link_token) {
    plaid_sim_render_error(out, req, 400, "INVALID_REQUEST", "MISSING_FIELDS",
                           "the following required fields are missing: link_token", NULL);
    return;
  }
  if(seed && (!json_is_integer(seed) || json_integer_value(seed) < 0 ||
              (uint64_t)json_integer_value(seed) > PLAID_SIM_SEED_MAX)) {
    s_invalid(req, out, "seed must be an integer from 0 to 2^48-1");
    return;
  }
  const int64_t now = plaid_sim_now(sim);
  if(plaid_sim_store_find_link(sim->store, link_token, now, &link)) {
    plaid_sim_render_error(out, req, 400, "INVALID_INPUT", "INVALID_LINK_TOKEN",
                           "provided link token is expired or does not exist", NULL);
    return;
  }
  if(link.update_item_id[0]) {
    if(plaid_sim_store_find_item_by_id(sim->store, link.update_item_id, &item) || item.removed) {
      plaid_sim_render_error(out, req, 400, "INVALID_INPUT", "INVALID_LINK_TOKEN",
                             "the item this link token updates was removed", NULL);
      return;
    }
    if(institution_id && strcmp(institution_id, item.institution_id) != 0) {
      s_invalid(req, out, "institution_id does not match the item being updated");
      return;
    }
    if(!plaid_sim_credentials_or_reply(req, out, json_member_string(req->body, "username"),
                                       json_member_string(req->body, "password")))
      return;
    /* Logging in again in update mode renews the consent: no expiration any more. */
    if(plaid_sim_store_set_login_required(sim->store, item.item_id, false) ||
       plaid_sim_store_set_consent_expiration(sim->store, item.item_id, 0))
      goto fail;
  }
  else {
    if(!institution_id) {
      plaid_sim_render_error(out, req, 400, "INVALID_REQUEST", "MISSING_FIELDS",
                             "the following required fields are missing: institution_id", NULL);
      return;
    }
    if(!plaid_data_institution_find(institution_id)) {
      plaid_sim_render_error(out, req, 400, "INVALID_INPUT", "INVALID_INSTITUTION", "invalid institution_id provided",
                             NULL);
      return;
    }
    if(!plaid_sim_credentials_or_reply(req, out, json_member_string(req->body, "username"),
                                       json_member_string(req->body, "password")))
      return;
    plaid_sim_item tmpl;
    memset(&tmpl, 0, sizeof tmpl);
    snprintf(tmpl.institution_id, sizeof tmpl.institution_id, "%s", institution_id);
    tmpl.days_requested = link.days_requested;
    tmpl.products = link.products;
    memcpy(tmpl.webhook, link.webhook, sizeof tmpl.webhook);
    tmpl.seed = seed ? (uint64_t)json_integer_value(seed) : 0;
    if(plaid_sim_store_add_item(sim->store, &tmpl, seed != NULL, now, &item))
      goto fail;
  }
  if(plaid_sim_store_add_public(sim->store, item.item_id, now, token) ||
     plaid_data_generate(item.institution_id, item.seed, plaid_sim_today(sim), &data))
    goto fail;
  json_t *accounts = json_array();
  for(int a = 0; accounts && a < PLAID_DATA_ACCOUNT_COUNT; a++) {
    const plaid_data_account *acc = &data.accounts[a];
    if(json_array_append_new(accounts, json_pack("{s:s, s:s, s:s, s:s, s:s, s:n}", "id", acc->account_id, "name",
                                                 acc->name, "mask", acc->mask, "type", acc->type, "subtype",
                                                 acc->subtype, "verification_status"))) {
      json_decref(accounts);
      accounts = NULL;
    }
  }
  plaid_sim_render_ok(out, req,
                      json_pack("{s:s, s:{s:s, s:s}, s:o, s:s, s:b}", "public_token", token, "institution",
                                "institution_id", item.institution_id, "name", data.institution->name, "accounts",
                                accounts, "item_id", item.item_id, "account_selection", link.account_selection));
  mynt_wipe(token, sizeof token);
  plaid_data_item_free(&data);
  return;
fail:
  s_internal(req, out);
  plaid_data_item_free(&data);
}

void plaid_sim_admin_handle(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out)
{
  const char *path = req->path;
  static const char items_prefix[] = "/sim/items/";
  if(strcmp(path, "/sim/health") == 0) {
    s_health(sim, req, out);
  }
  else if(strcmp(path, "/sim/items") == 0) {
    s_items(sim, req, out);
  }
  else if(strcmp(path, "/sim/requests") == 0) {
    s_requests(sim, req, out);
  }
  else if(strcmp(path, "/sim/link/complete") == 0) {
    s_link_complete(sim, req, out);
  }
  else if(strcmp(path, "/sim/webhooks") == 0 || strcmp(path, "/sim/webhooks/drop") == 0 ||
          strcmp(path, "/sim/webhooks/stale") == 0 || strcmp(path, "/sim/webhook_key/rotate") == 0) {
    plaid_sim_notify_admin(sim, req, out);
  }
  else if(strncmp(path, items_prefix, sizeof items_prefix - 1) == 0) {
    const char *id = path + sizeof items_prefix - 1;
    const char *slash = strchr(id, '/');
    char item_id[PLAID_DATA_ID_LEN + 1];
    size_t len = slash ? (size_t)(slash - id) : 0;
    if(!slash || len == 0 || len > PLAID_DATA_ID_LEN) {
      plaid_sim_render_error(out, req, 404, "INVALID_REQUEST", "NOT_FOUND", "unrecognized endpoint", NULL);
    }
    else {
      memcpy(item_id, id, len);
      item_id[len] = '\0';
      if(strcmp(slash, "/transactions") == 0 && strcmp(req->method, "POST") == 0)
        plaid_sim_sync_admin_changes(sim, req, out, item_id);
      else if(strcmp(slash, "/transactions") == 0)
        s_truth(sim, req, out, item_id);
      else if(strcmp(slash, "/sync") == 0)
        plaid_sim_sync_admin_knobs(sim, req, out, item_id);
      else if(strcmp(slash, "/faults") == 0)
        s_faults(sim, req, out, item_id);
      else if(strcmp(slash, "/webhook") == 0)
        plaid_sim_notify_admin_item(sim, req, out, item_id);
      else
        plaid_sim_render_error(out, req, 404, "INVALID_REQUEST", "NOT_FOUND", "unrecognized endpoint", NULL);
    }
  }
  else {
    plaid_sim_render_error(out, req, 404, "INVALID_REQUEST", "NOT_FOUND", "unrecognized endpoint", NULL);
  }
  if(!out->body)
    s_internal(req, out);
}
