/* items.c - handlers of the `items` route group: Link tokens, POST/GET /items, DELETE /items/{item_id}. */
#include "handlers/items.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/logger.h"
#include "core/wipe.h"
#include "handlers/call.h"
#include "handlers/item_status.h"
#include "handlers/plaid_reply.h"
#include "handlers/transactions_view.h"
#include "plaid/plaid.h"
#include "store/items.h"

/* The main work ends this long before the Lambda deadline: room to remove a new item at Plaid
 * after a failure and still answer. */
#define ITEMS_WORK_MARGIN_MS 2500
/* Cleanup (removing a new item at Plaid) ends this long before the deadline. */
#define ITEMS_CLEANUP_MARGIN_MS 300

/* After Plaid says a public token was already used, how often and how long to look for the
 * item a concurrent request with the same token may still be storing. */
#define ITEMS_REPLAY_LOOKS   3
#define ITEMS_REPLAY_WAIT_MS 300

#define ITEMS_PUBLIC_TOKEN_MAX 256

/* Takes the string obj[key] out of a Plaid answer: returns a malloc'd copy (wipe it with
 * mynt_wipe_free) and wipes the answer's own copy. NULL when absent or on allocation failure. */
static char *s_take_secret(json_t *obj, const char *key)
{
  json_t *v = json_object_get(obj, key);
  const char *text = json_string_value(v);
  if(!text)
    return NULL;
  char *copy = strdup(text);
  mynt_wipe_json_string(v);
  return copy;
}

static json_t *s_item_json(const store_item *item)
{
  return json_pack("{s:s, s:s, s:s?, s:s, s:s}", "item_id", item->item_id, "institution_id", item->institution_id,
                   "institution_name", item->institution_name[0] ? item->institution_name : NULL, "status",
                   store_item_status_name(item->status), "created_at", item->created_at);
}

/* 201 {item, accounts} for item, its accounts rendered from Plaid's (plaid_accounts, borrowed). */
static mynt_status s_reply_created(apigw_response *res, const store_item *item, const json_t *plaid_accounts)
{
  json_t *summary = s_item_json(item);
  json_t *accounts = json_array();
  size_t i;
  json_t *account;
  json_array_foreach(plaid_accounts, i, account) {
    json_t *row =
      transactions_view_account(account, item->item_id, item->institution_name[0] ? item->institution_name : NULL);
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

/* Answers a stored item as created (a replay of an earlier POST /items), with its accounts and
 * balances read again from Plaid. */
static mynt_status s_reply_existing(const handlers_env *env, apigw_response *res, const char *sub,
                                    const store_item *item, int64_t deadline_ms)
{
  char *access_token = NULL;
  size_t token_len = 0;
  json_t *answer = NULL;
  plaid_error err;
  mynt_status st = store_item_open_token(env->keyring, sub, item, &access_token, &token_len);
  if(st)
    return apigw_response_error(res, st, NULL);
  st = plaid_accounts_get(env->plaid, access_token, deadline_ms, &answer, &err);
  mynt_wipe_free(access_token);
  if(st)
    return item_status_reply_failure(env, res, sub, item->item_id, "/accounts/get", &err, deadline_ms);
  st = s_reply_created(res, item, json_object_get(answer, "accounts"));
  json_decref(answer);
  return st;
}

/* Answers the stored item item_id of sub as created (a replay of an earlier POST /items). */
static mynt_status s_reply_stored(const handlers_env *env, apigw_response *res, const char *sub, const char *item_id,
                                  int64_t deadline_ms)
{
  store_item item;
  mynt_status st = store_item_get(env->store, sub, item_id, deadline_ms, &item);
  if(st == MYNT_OK)
    st = s_reply_existing(env, res, sub, &item, deadline_ms);
  else
    st = apigw_response_error(res, st == MYNT_NOT_FOUND ? MYNT_CONFLICT : st, NULL);
  store_item_clear(&item);
  return st;
}

/* Reads sub's item item_id and opens its access token. On MYNT_OK *out_token holds the token
 * (release with mynt_wipe_free(*out_token)); otherwise replies (404 "no such item" for
 * an unknown item) and returns the reply's status. out_item is filled either way: the caller
 * clears it. */
static mynt_status s_open_item_or_reply(const handlers_env *env, apigw_response *res, const char *sub,
                                        const char *item_id, int64_t deadline_ms, store_item *out_item,
                                        char **out_token, size_t *out_len)
{
  mynt_status st = store_item_get(env->store, sub, item_id, deadline_ms, out_item);
  if(st)
    return apigw_response_error(res, st, st == MYNT_NOT_FOUND ? "no such item" : NULL);
  st = store_item_open_token(env->keyring, sub, out_item, out_token, out_len);
  return st ? apigw_response_error(res, st, NULL) : MYNT_OK;
}

/* Removes a new item at Plaid so it is never billed; a failure is logged (the item then stays
 * at Plaid and is billed until removed by hand: the log line names it). */
static void s_remove_new_item(const handlers_env *env, const char *access_token, const char *item_id,
                              int64_t deadline_ms)
{
  json_t *answer = NULL;
  plaid_error err;
  mynt_status st = plaid_item_remove(env->plaid, access_token, deadline_ms, &answer, &err);
  json_decref(answer);
  if(st)
    logger_log(LOGGER_ERROR, NULL,
               "items: could not remove new item %s at Plaid (%s %s, request_id %s): remove it by hand", item_id,
               plaid_error_kind_name(err.kind), err.error_code, err.request_id);
  else
    logger_log(LOGGER_INFO, NULL, "items: removed new item %s at Plaid", item_id);
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

/* Looks for the item a public token made after Plaid said the token was already used: a
 * concurrent request with the same token may still be storing it. Replies 201 with it, or 400. */
static mynt_status s_reply_used_token(const handlers_env *env, apigw_response *res, const char *sub, const char *digest,
                                      int64_t deadline_ms)
{
  for(int look = 0; look < ITEMS_REPLAY_LOOKS; look++) {
    if(look > 0) {
      if(deadline_ms && clock_epoch_ms() + ITEMS_REPLAY_WAIT_MS >= deadline_ms)
        break;
      clock_sleep_ms(ITEMS_REPLAY_WAIT_MS);
    }
    store_item item;
    mynt_status st = store_item_find_by_public_token(env->store, sub, digest, deadline_ms, &item);
    if(st == MYNT_OK) {
      st = s_reply_existing(env, res, sub, &item, deadline_ms);
      store_item_clear(&item);
      return st;
    }
    store_item_clear(&item);
    if(st != MYNT_NOT_FOUND)
      return apigw_response_error(res, st, NULL);
  }
  return apigw_response_error(res, MYNT_BAD_REQUEST,
                              "public_token is invalid, expired or already used: open Link again");
}

/* Copies the institution Plaid names in obj (an item object) into item when it has a valid id. */
static int s_take_institution(const json_t *obj, store_item *item)
{
  const char *id = json_string_value(json_object_get(obj, "institution_id"));
  const char *name = json_string_value(json_object_get(obj, "institution_name"));
  if(!store_item_id_valid(id) || strlen(id) > STORE_INSTITUTION_ID_MAX)
    return 0;
  snprintf(item->institution_id, sizeof(item->institution_id), "%s", id);
  if(name)
    snprintf(item->institution_name, sizeof(item->institution_name), "%s", name);
  return 1;
}

/* Fills item->accounts and the institution of a new item from /accounts/get (and /item/get when
 * that names no institution); the body's institution is the last resort. On MYNT_OK
 * *out_plaid_accounts holds Plaid's accounts (caller json_decref); replies on failure. */
static mynt_status s_describe_new_item(const handlers_env *env, apigw_response *res, const char *access_token,
                                       const char *body_institution_id, const char *body_institution_name,
                                       int64_t deadline_ms, store_item *item, json_t **out_plaid_accounts)
{
  *out_plaid_accounts = NULL;
  json_t *answer = NULL;
  json_t *item_answer = NULL;
  plaid_error err;
  mynt_status st = plaid_accounts_get(env->plaid, access_token, deadline_ms, &answer, &err);
  if(st) {
    st = plaid_reply_failure(res, NULL, "/accounts/get", &err);
    goto cleanup;
  }
  item->accounts = json_array();
  if(!item->accounts) {
    st = apigw_response_error(res, MYNT_NOMEM, NULL);
    goto cleanup;
  }
  size_t i;
  json_t *account;
  json_array_foreach(json_object_get(answer, "accounts"), i, account) {
    json_t *summary = transactions_view_account_record(account);
    if(!summary) {
      logger_log(LOGGER_WARN, NULL, "items: skipped an account without a valid account_id in item %s", item->item_id);
      continue;
    }
    if(json_array_size(item->accounts) == STORE_ITEM_ACCOUNTS_MAX || json_array_append_new(item->accounts, summary))
      break;
  }

  if(!s_take_institution(json_object_get(answer, "item"), item)) {
    st = plaid_item_get(env->plaid, access_token, deadline_ms, &item_answer, &err);
    if(st) {
      st = plaid_reply_failure(res, NULL, "/item/get", &err);
      goto cleanup;
    }
    if(!s_take_institution(json_object_get(item_answer, "item"), item) && body_institution_id) {
      snprintf(item->institution_id, sizeof(item->institution_id), "%s", body_institution_id);
      if(body_institution_name)
        snprintf(item->institution_name, sizeof(item->institution_name), "%s", body_institution_name);
    }
  }
  if(!item->institution_id[0]) {
    logger_log(LOGGER_ERROR, NULL, "items: Plaid names no institution for new item %s", item->item_id);
    st = apigw_response_error(res, MYNT_UPSTREAM, "the bank data provider did not say which bank this is");
    goto cleanup;
  }
  if(!item->institution_name[0] && body_institution_name)
    snprintf(item->institution_name, sizeof(item->institution_name), "%s", body_institution_name);
  *out_plaid_accounts = json_incref(json_object_get(answer, "accounts"));

cleanup:
  json_decref(answer);
  json_decref(item_answer);
  return st;
}

/* Stores the new item; answers 201, the replayed item, or 409 duplicate_institution. */
static mynt_status s_store_new_item(const handlers_env *env, apigw_response *res, const char *sub,
                                    const char *access_token, store_item *item, const json_t *plaid_accounts,
                                    int64_t deadline_ms, int64_t cleanup_deadline_ms)
{
  store_item_outcome outcome = STORE_ITEM_CREATED;
  char existing[STORE_ITEM_ID_MAX + 1];
  mynt_status st =
    store_item_create(env->store, env->keyring, sub, item, access_token, deadline_ms, &outcome, existing);
  if(st) {
    s_remove_new_item(env, access_token, item->item_id, cleanup_deadline_ms);
    return apigw_response_error(res, st, NULL);
  }
  switch(outcome) {
  case STORE_ITEM_CREATED:
    logger_log(LOGGER_INFO, NULL, "items: stored item %s (%s)", item->item_id, item->institution_id);
    return s_reply_created(res, item, plaid_accounts);
  case STORE_ITEM_SAME_PUBLIC_TOKEN:
    /* Our own earlier write (DynamoDB's answer was lost) names this item; anything else is a
     * concurrent request that stored first: ours must not stay at Plaid. */
    if(strcmp(existing, item->item_id) != 0)
      s_remove_new_item(env, access_token, item->item_id, cleanup_deadline_ms);
    return s_reply_stored(env, res, sub, existing, deadline_ms);
  case STORE_ITEM_DUPLICATE_INSTITUTION:
    break;
  }
  s_remove_new_item(env, access_token, item->item_id, cleanup_deadline_ms);
  char message[STORE_INSTITUTION_NAME_MAX + 128];
  snprintf(message, sizeof(message), "%s is already linked: use that item, or remove it before linking the bank again",
           item->institution_name[0] ? item->institution_name : "this bank");
  return apigw_response_error_code(res, MYNT_CONFLICT, "duplicate_institution", message,
                                   json_pack("{s:s}", "item_id", existing));
}

mynt_status items_create(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, ITEMS_WORK_MARGIN_MS, &call);
  if(st)
    return st;
  int64_t cleanup_deadline = handlers_deadline(ctx, ITEMS_CLEANUP_MARGIN_MS);
  json_t *body = NULL;
  json_t *exchange = NULL;
  json_t *plaid_accounts = NULL;
  char *access_token = NULL;
  char digest[STORE_SHA256_HEX_LEN + 1];
  store_item item;
  memset(&item, 0, sizeof(item));

  st = apigw_json_body_or_reply(req, res, &body);
  if(st)
    return st;
  const char *public_token = json_string_value(json_object_get(body, "public_token"));
  if(!public_token || !*public_token || strlen(public_token) > ITEMS_PUBLIC_TOKEN_MAX) {
    st =
      apigw_response_error(res, MYNT_BAD_REQUEST, "public_token must be a non-empty string of at most 256 characters");
    goto cleanup;
  }
  const char *institution_id = NULL;
  const char *institution_name = NULL;
  st = s_optional_string_or_reply(body, "institution_id", STORE_INSTITUTION_ID_MAX, res, &institution_id);
  if(!st)
    st = s_optional_string_or_reply(body, "institution_name", STORE_INSTITUTION_NAME_MAX, res, &institution_name);
  if(st)
    goto cleanup;
  if(institution_id && !store_item_id_valid(institution_id)) {
    st = apigw_response_error(res, MYNT_BAD_REQUEST, "institution_id must not contain spaces or '#'");
    goto cleanup;
  }

  st = store_item_public_token_digest(public_token, digest);
  if(st) {
    st = apigw_response_error(res, st, NULL);
    goto cleanup;
  }
  st = store_item_find_by_public_token(call.env->store, call.sub, digest, call.deadline_ms, &item);
  if(st == MYNT_OK) {
    st = s_reply_existing(call.env, res, call.sub, &item, call.deadline_ms);
    goto cleanup;
  }
  if(st != MYNT_NOT_FOUND) {
    st = apigw_response_error(res, st, NULL);
    goto cleanup;
  }
  store_item_clear(&item);

  plaid_error err;
  st = plaid_item_public_token_exchange(call.env->plaid, public_token, call.deadline_ms, &exchange, &err);
  if(st) {
    if(err.kind == PLAID_ERR_INVALID_PUBLIC_TOKEN || err.kind == PLAID_ERR_INVALID_REQUEST)
      st = s_reply_used_token(call.env, res, call.sub, digest, call.deadline_ms);
    else
      st = plaid_reply_failure(res, NULL, "/item/public_token/exchange", &err);
    goto cleanup;
  }
  access_token = s_take_secret(exchange, "access_token");
  const char *item_id = json_string_value(json_object_get(exchange, "item_id"));
  if(!access_token || !*access_token || !store_item_id_valid(item_id)) {
    logger_log(LOGGER_ERROR, NULL, "items: /item/public_token/exchange answered without a usable token or item_id");
    if(access_token && *access_token)
      s_remove_new_item(call.env, access_token, "(unnamed)", cleanup_deadline);
    st = apigw_response_error(res, access_token ? MYNT_UPSTREAM : MYNT_NOMEM, NULL);
    goto cleanup;
  }
  snprintf(item.item_id, sizeof(item.item_id), "%s", item_id);
  memcpy(item.public_token_sha256, digest, sizeof(digest));

  st = s_describe_new_item(call.env, res, access_token, institution_id, institution_name, call.deadline_ms, &item,
                           &plaid_accounts);
  if(st) {
    s_remove_new_item(call.env, access_token, item.item_id, cleanup_deadline);
    goto cleanup;
  }
  st =
    s_store_new_item(call.env, res, call.sub, access_token, &item, plaid_accounts, call.deadline_ms, cleanup_deadline);

cleanup:
  mynt_wipe_free(access_token);
  json_decref(plaid_accounts);
  json_decref(exchange);
  json_decref(body);
  store_item_clear(&item);
  return st;
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
  }
  if(item_id) {
    st = s_open_item_or_reply(call.env, res, call.sub, item_id, call.deadline_ms, &item, &access_token, &token_len);
    if(st)
      goto cleanup;
  }

  plaid_error err;
  st = plaid_link_token_create(call.env->plaid, call.sub, access_token, call.deadline_ms, &answer, &err);
  mynt_wipe_free(access_token);
  access_token = NULL;
  if(st) {
    st = item_status_reply_failure(call.env, res, call.sub, item_id ? item.item_id : NULL, "/link/token/create", &err,
                                   call.deadline_ms);
    goto cleanup;
  }
  const char *link_token = json_string_value(json_object_get(answer, "link_token"));
  const char *expiration = json_string_value(json_object_get(answer, "expiration"));
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
  json_t *list = json_array();
  for(size_t i = 0; list && i < n; i++) {
    if(json_array_append_new(list, s_item_json(&items[i]))) {
      json_decref(list);
      list = NULL;
    }
  }
  store_items_free(items, n);
  st = apigw_response_json(res, 200, list ? json_pack("{s:o}", "items", list) : NULL);
  return st ? apigw_response_error(res, st, NULL) : MYNT_OK;
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
  st = s_open_item_or_reply(call.env, res, call.sub, apigw_request_path_param(req, "item_id"), call.deadline_ms, &item,
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
  st = store_item_delete(call.env->store, call.sub, &item, call.deadline_ms);
  if(st) {
    st = apigw_response_error(res, st, st == MYNT_NOT_FOUND ? "no such item" : NULL);
    goto cleanup;
  }
  logger_log(LOGGER_INFO, NULL, "items: removed item %s", item.item_id);
  st = apigw_response_no_content(res);

cleanup:
  mynt_wipe_free(access_token);
  json_decref(answer);
  store_item_clear(&item);
  return st;
}
