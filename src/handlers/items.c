/* items.c - handlers of the `items` route group: Link tokens, POST/GET /items, DELETE /items/{item_id}, refreshes. */
#include "handlers/items.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/logger.h"
#include "core/json.h"
#include "core/wipe.h"
#include "handlers/call.h"
#include "handlers/item_status.h"
#include "handlers/plaid_reply.h"
#include "handlers/transactions_view.h"
#include "link/link.h"
#include "plaid/plaid.h"
#include "store/history.h"
#include "store/items.h"
#include "sync/start.h"
#include "sync/sync.h"

/* The main work ends this long before the Lambda deadline: room to settle a failed write, remove
 * a new item at Plaid and still answer. */
#define ITEMS_WORK_MARGIN_MS 2500
/* Cleanup (removing a new item at Plaid) ends this long before the deadline. */
#define ITEMS_CLEANUP_MARGIN_MS 300

#define ITEMS_PUBLIC_TOKEN_MAX 256

/* The most starting a sync may add to an answer (Lambda's Invoke, its retries included). */
#define ITEMS_SYNC_START_MS 3000

/* Where Plaid sends webhooks, after the API's public URL. */
#define ITEMS_WEBHOOK_PATH "/webhooks/plaid"

/* 201 {item, accounts} for item, its accounts rendered from Plaid's (plaid_accounts, borrowed), or, when Plaid did
 * not answer (NULL), from the accounts the store keeps of the item (as GET /accounts: the balances of its last sync,
 * none before; a new item whose /accounts/get failed keeps none). */
static mynt_status s_reply_created(apigw_response *res, const store_item *item, const json_t *plaid_accounts)
{
  json_t *summary = transactions_view_item(item);
  json_t *accounts = json_array();
  size_t i;
  json_t *account;
  json_array_foreach(plaid_accounts ? plaid_accounts : item->accounts, i, account) {
    json_t *row = plaid_accounts ? transactions_view_account(account, item->item_id,
                                                             item->institution_name[0] ? item->institution_name : NULL)
                                 : transactions_view_stored_account(account, item);
    if(row && accounts && json_array_append_new(accounts, row)) {
      json_decref(accounts);
      accounts = NULL;
    }
  }
  if(!summary || !accounts) {
    json_decref(summary);
    json_decref(accounts);
    return apigw_response_error(res, MYNT_NOMEM, NULL);
  }
  mynt_status st = apigw_response_json(res, 201, json_pack("{s:o, s:o}", "item", summary, "accounts", accounts));
  return st ? apigw_response_error(res, st, NULL) : MYNT_OK;
}

/* Reads sub's item item_id and opens its access token (the secrets read first if this process has not yet:
 * handlers_plaid_or_reply). On MYNT_OK *out_token holds the token (release with mynt_wipe_free(*out_token));
 * otherwise replies (404 "no such item" for an unknown item) and returns the reply's status. out_item is filled
 * either way: the caller clears it. */
static mynt_status s_open_item_or_reply(const apigw_ctx *ctx, apigw_response *res, const char *sub, const char *item_id,
                                        int64_t deadline_ms, store_item *out_item, char **out_token, size_t *out_len)
{
  const handlers_env *env = ctx->env;
  mynt_status st = store_item_get(env->store, sub, item_id, deadline_ms, out_item);
  if(st)
    return apigw_response_error(res, st, st == MYNT_NOT_FOUND ? "no such item" : NULL);
  st = handlers_plaid_or_reply(ctx, res, deadline_ms);
  if(st)
    return st;
  st = store_item_open_token(env->keyring, sub, out_item, out_token, out_len);
  return st ? apigw_response_error(res, st, NULL) : MYNT_OK;
}

/* Reads an optional string member: absent or null → *out NULL; a string of 1..max bytes;
 * anything else replies 400 naming the member. */
static mynt_status s_optional_string_or_reply(const json_t *body, const char *name, size_t max, apigw_response *res,
                                              const char **out)
{
  *out = NULL;
  const json_t *v = json_object_get(body, name);
  if(!v || json_is_null(v))
    return MYNT_OK;
  const char *text = json_string_value(v);
  if(!text || !*text || strlen(text) > max) {
    char message[160];
    snprintf(message, sizeof(message), "%s must be a non-empty string of at most %zu characters", name, max);
    return apigw_response_error(res, MYNT_BAD_REQUEST, message);
  }
  *out = text;
  return MYNT_OK;
}

/* Validates POST /items's body into *out (its strings borrowed from body); replies 400 otherwise. */
static mynt_status s_link_request_or_reply(const json_t *body, apigw_response *res, link_request *out)
{
  const char *public_token = json_member_string(body, "public_token");
  if(!public_token || !*public_token || strlen(public_token) > ITEMS_PUBLIC_TOKEN_MAX)
    return apigw_response_error(res, MYNT_BAD_REQUEST,
                                "public_token must be a non-empty string of at most 256 characters");
  out->public_token = public_token;
  mynt_status st =
    s_optional_string_or_reply(body, "institution_id", STORE_INSTITUTION_ID_MAX, res, &out->institution_id);
  if(!st)
    st = s_optional_string_or_reply(body, "institution_name", STORE_INSTITUTION_NAME_MAX, res, &out->institution_name);
  if(st)
    return st;
  if(out->institution_id && !store_item_id_valid(out->institution_id))
    return apigw_response_error(res, MYNT_BAD_REQUEST, "institution_id must not contain spaces or '#'");
  return MYNT_OK;
}

/* Answers what link_item came to. */
static mynt_status s_reply_link(apigw_response *res, const link_result *r)
{
  char message[STORE_INSTITUTION_NAME_MAX + 128];
  switch(r->outcome) {
  case LINK_CREATED:
  case LINK_EXISTING:
    return s_reply_created(res, &r->item, r->plaid_accounts);
  case LINK_DUPLICATE_INSTITUTION:
    snprintf(message, sizeof(message),
             "%s is already linked: use that item, or remove it before linking the bank again",
             r->item.institution_name[0] ? r->item.institution_name : "this bank");
    return apigw_response_error_code(res, MYNT_CONFLICT, "duplicate_institution", message,
                                     json_pack("{s:s}", "item_id", r->existing_item_id));
  case LINK_AT_CAP:
    snprintf(message, sizeof(message),
             "you have linked %d banks, the most Mynt keeps: remove one before linking another", STORE_ITEMS_MAX);
    return apigw_response_error_code(res, MYNT_CONFLICT, "item_limit_reached", message, NULL);
  case LINK_TOKEN_REFUSED:
    return apigw_response_error(res, MYNT_BAD_REQUEST,
                                "public_token is invalid, expired or already used: open Link again");
  case LINK_PLAID_FAILED:
    return plaid_reply_failure(res, NULL, r->operation, &r->err);
  case LINK_FAILED:
    break;
  }
  return apigw_response_error(res, r->status == MYNT_NOT_FOUND ? MYNT_CONFLICT : r->status, NULL);
}

/* Starts a sync of sub's item_id within ITEMS_SYNC_START_MS (and deadline_ms when sooner); a
 * failure is logged and the answer goes on (the daily schedule catches up). */
static void s_start_sync(const handlers_env *env, const char *sub, const char *item_id, const char *reason,
                         int64_t deadline_ms)
{
  int64_t bounded = clock_epoch_ms() + ITEMS_SYNC_START_MS;
  mynt_status st = sync_start(env, sub, item_id, reason, deadline_ms && deadline_ms < bounded ? deadline_ms : bounded);
  if(st)
    logger_log(LOGGER_WARN, NULL, "items: the sync of item %s (%s) could not be started: %s", item_id, reason,
               mynt_strerror(st));
}

mynt_status items_create(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, ITEMS_WORK_MARGIN_MS, &call);
  if(st)
    return st;
  json_t *body = NULL;
  st = apigw_json_body_or_reply(req, res, &body);
  if(st)
    return st;
  link_request link = {.user_id = call.sub,
                       .deadline_ms = call.deadline_ms,
                       .cleanup_deadline_ms = handlers_deadline(ctx, ITEMS_CLEANUP_MARGIN_MS)};
  st = s_link_request_or_reply(body, res, &link);
  if(!st)
    st = handlers_plaid_or_reply(ctx, res, call.deadline_ms);
  if(!st) {
    const link_deps deps = {.store = call.env->store,
                            .plaid = call.env->plaid,
                            .keyring = call.env->keyring,
                            .account_record = transactions_view_account_record};
    link_result result;
    link_item(&deps, &link, &result);
    st = s_reply_link(res, &result);
    /* A retried POST of a stored item starts a sync again: the first one's start may have failed. */
    if(result.outcome == LINK_CREATED || result.outcome == LINK_EXISTING)
      s_start_sync(call.env, call.sub, result.item.item_id, "link", handlers_deadline(ctx, ITEMS_CLEANUP_MARGIN_MS));
    link_result_clear(&result);
  }
  json_decref(body);
  return st;
}

/* Writes the URL Plaid should send the item's webhooks to into out (cap bytes): MYNT_PUBLIC_URL
 * (the API's public base URL; mynt-local sets it) or else https://<the request's domainName>, then
 * ITEMS_WEBHOOK_PATH. "" when neither is known (or usable): the link token then asks for none. */
static void s_webhook_url(const apigw_request *req, char *out, size_t cap)
{
  const char *base = getenv("MYNT_PUBLIC_URL");
  char from_domain[300];
  out[0] = '\0';
  if(!base || !*base) {
    if(!req->domain_name || !str_is_token(req->domain_name, 253)) {
      logger_log(LOGGER_WARN, NULL,
                 "items: no MYNT_PUBLIC_URL and no usable domainName: the link token has no webhook");
      return;
    }
    snprintf(from_domain, sizeof(from_domain), "https://%s", req->domain_name);
    base = from_domain;
  }
  size_t n = strlen(base);
  while(n > 0 && base[n - 1] == '/')
    n--;
  int written = snprintf(out, cap, "%.*s%s", (int)n, base, ITEMS_WEBHOOK_PATH);
  if(written < 0 || (size_t)written >= cap)
    out[0] = '\0';
}

mynt_status items_link_token(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, ITEMS_CLEANUP_MARGIN_MS, &call);
  if(st)
    return st;
  json_t *body = NULL;
  json_t *answer = NULL;
  char *access_token = NULL;
  size_t token_len = 0;
  const char *item_id = NULL;
  bool account_selection = false;
  store_item item;
  memset(&item, 0, sizeof(item));

  if(req->has_body && req->body.len > 0) {
    st = apigw_json_body_or_reply(req, res, &body);
    if(st)
      return st;
    const json_t *v = json_object_get(body, "item_id");
    if(v && !json_is_null(v) && !json_is_string(v)) {
      st = apigw_response_error(res, MYNT_BAD_REQUEST, "item_id must be a string");
      goto cleanup;
    }
    item_id = json_string_value(v);
    const json_t *sel = json_object_get(body, "account_selection");
    if(sel && !json_is_null(sel) && !json_is_boolean(sel)) {
      st = apigw_response_error(res, MYNT_BAD_REQUEST, "account_selection must be a boolean");
      goto cleanup;
    }
    account_selection = json_is_true(sel);
    if(account_selection && !item_id) {
      st = apigw_response_error(res, MYNT_BAD_REQUEST, "account_selection needs an item_id (update mode)");
      goto cleanup;
    }
  }
  if(item_id) {
    st = s_open_item_or_reply(ctx, res, call.sub, item_id, call.deadline_ms, &item, &access_token, &token_len);
    if(st)
      goto cleanup;
  }
  else {
    st = handlers_plaid_or_reply(ctx, res, call.deadline_ms);
    if(st)
      goto cleanup;
  }

  char webhook[512];
  s_webhook_url(req, webhook, sizeof(webhook));
  plaid_error err;
  st = plaid_link_token_create(call.env->plaid, call.sub, access_token, webhook, account_selection, call.deadline_ms,
                               &answer, &err);
  mynt_wipe_free(access_token);
  access_token = NULL;
  if(st) {
    st = item_status_reply_failure(call.env, res, call.sub, item_id ? item.item_id : NULL, "/link/token/create", &err,
                                   call.deadline_ms);
    goto cleanup;
  }
  const char *link_token = json_member_string(answer, "link_token");
  const char *expiration = json_member_string(answer, "expiration");
  if(!link_token || !expiration) {
    logger_log(LOGGER_ERROR, NULL, "items: /link/token/create answered without link_token or expiration");
    st = apigw_response_error(res, MYNT_UPSTREAM, NULL);
    goto cleanup;
  }
  st = apigw_response_json(res, 200, json_pack("{s:s, s:s}", "link_token", link_token, "expiration", expiration));
  if(st)
    st = apigw_response_error(res, st, NULL);

cleanup:
  mynt_wipe_free(access_token);
  json_decref(answer);
  json_decref(body);
  store_item_clear(&item);
  return st;
}

mynt_status items_list(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, ITEMS_CLEANUP_MARGIN_MS, &call);
  if(st)
    return st;
  store_item *items = NULL;
  size_t n = 0;
  st = store_item_list(call.env->store, call.sub, call.deadline_ms, &items, &n);
  if(st)
    return apigw_response_error(res, st, NULL);
  json_t *list = transactions_view_items(items, n);
  store_items_free(items, n);
  return handlers_reply_list(res, "items", list);
}

mynt_status items_delete(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, ITEMS_CLEANUP_MARGIN_MS, &call);
  if(st)
    return st;
  char *access_token = NULL;
  size_t token_len = 0;
  json_t *answer = NULL;
  store_item item;
  st = s_open_item_or_reply(ctx, res, call.sub, apigw_request_path_param(req, "item_id"), call.deadline_ms, &item,
                            &access_token, &token_len);
  if(st)
    goto cleanup;
  plaid_error err;
  st = plaid_item_remove(call.env->plaid, access_token, call.deadline_ms, &answer, &err);
  mynt_wipe_free(access_token);
  access_token = NULL;
  /* An item Plaid no longer knows is already removed there: only the record is left to delete. */
  if(st && err.kind != PLAID_ERR_INVALID_ACCESS_TOKEN) {
    st = item_status_reply_failure(call.env, res, call.sub, item.item_id, "/item/remove", &err, call.deadline_ms);
    goto cleanup;
  }
  /* The history first: should it fail, the item is still listed and deleting it again finishes. */
  st = store_history_delete_item(call.env->store, call.sub, item.item_id, call.deadline_ms);
  if(!st)
    st = store_item_delete(call.env->store, call.sub, &item, call.deadline_ms);
  if(st) {
    st = apigw_response_error(res, st, st == MYNT_NOT_FOUND ? "no such item" : NULL);
    goto cleanup;
  }
  /* Again, now that the item is gone: a sync that stored its batch between the first deletion and the item's
   * transaction (its save found the item still there) would otherwise leave buckets behind. A sync saving from now
   * on finds no item and deletes its own. */
  mynt_status again = store_history_delete_item(call.env->store, call.sub, item.item_id, call.deadline_ms);
  if(again)
    logger_log(LOGGER_WARN, NULL, "items: item %s is removed but its buckets could not be deleted again: %s",
               item.item_id, mynt_strerror(again));
  logger_log(LOGGER_INFO, NULL, "items: removed item %s", item.item_id);
  st = apigw_response_no_content(res);

cleanup:
  mynt_wipe_free(access_token);
  json_decref(answer);
  store_item_clear(&item);
  return st;
}

mynt_status items_sync(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, ITEMS_CLEANUP_MARGIN_MS, &call);
  if(st)
    return st;
  const char *item_id = apigw_request_path_param(req, "item_id");
  store_item item;
  memset(&item, 0, sizeof(item));
  bool accepted = false;
  st = store_item_request_sync(call.env->store, call.sub, item_id, clock_epoch_ms(), SYNC_REQUEST_INTERVAL_MS,
                               call.deadline_ms, &accepted);
  if(st)
    return apigw_response_error(res, st, st == MYNT_NOT_FOUND ? "no such item" : NULL);
  if(!accepted)
    return apigw_response_error(res, MYNT_RATE_LIMITED,
                                "this bank was refreshed less than a minute ago: try again in a minute");
  st = store_item_get(call.env->store, call.sub, item_id, call.deadline_ms, &item);
  if(st) {
    st = apigw_response_error(res, st, st == MYNT_NOT_FOUND ? "no such item" : NULL);
    goto cleanup;
  }
  s_start_sync(call.env, call.sub, item.item_id, "user", call.deadline_ms);
  json_t *summary = transactions_view_item(&item);
  st = apigw_response_json(res, 202, summary ? json_pack("{s:o}", "item", summary) : NULL);
  if(st)
    st = apigw_response_error(res, st, NULL);

cleanup:
  store_item_clear(&item);
  return st;
}
