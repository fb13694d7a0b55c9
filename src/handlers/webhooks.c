/* webhooks.c - the `webhooks` route group: Plaid's verified webhooks change item states and start syncs. */
#include "handlers/webhooks.h"

#include <stdbool.h>
#include <string.h>

#include "core/clock.h"
#include "core/logger.h"
#include "handlers/call.h"
#include "handlers/env.h"
#include "plaid/webhook.h"
#include "store/items.h"
#include "store/users.h"
#include "sync/start.h"

/* A key fetch from Plaid ends this soon (or at the work deadline): the store and the sync start need time too. */
#define WEBHOOKS_KEY_FETCH_MS 3000

/* What a webhook does to its item. */
typedef struct {
  const char *type;
  const char *code;
  const char *error_code; /* NULL: any (or none) */
  bool sets_status;
  store_item_status status;
  bool new_accounts;
  bool starts_sync;
} s_action;

static const s_action s_actions[] = {
  {"TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", NULL, false, STORE_ITEM_ACTIVE, false, true},
  {"ITEM", "ERROR", "ITEM_LOGIN_REQUIRED", true, STORE_ITEM_LOGIN_REQUIRED, false, false},
  {"ITEM", "LOGIN_REPAIRED", NULL, true, STORE_ITEM_ACTIVE, false, true},
  {"ITEM", "PENDING_DISCONNECT", NULL, true, STORE_ITEM_EXPIRING, false, false},
  {"ITEM", "PENDING_EXPIRATION", NULL, true, STORE_ITEM_EXPIRING, false, false},
  {"ITEM", "USER_PERMISSION_REVOKED", NULL, true, STORE_ITEM_REVOKED, false, false},
  {"ITEM", "USER_ACCOUNT_REVOKED", NULL, true, STORE_ITEM_REVOKED, false, false},
  {"ITEM", "NEW_ACCOUNTS_AVAILABLE", NULL, false, STORE_ITEM_ACTIVE, true, false},
};

/* Returns the action for ev, or NULL when Mynt ignores it. */
static const s_action *s_action_for(const plaid_webhook_event *ev)
{
  for(size_t i = 0; i < sizeof s_actions / sizeof s_actions[0]; i++) {
    const s_action *a = &s_actions[i];
    if(strcmp(a->type, ev->webhook_type) == 0 && strcmp(a->code, ev->webhook_code) == 0 &&
       (!a->error_code || strcmp(a->error_code, ev->error_code) == 0))
      return a;
  }
  return NULL;
}

/* 200 {"received":true}: Plaid's webhook is taken, whatever was done with it. */
static mynt_status s_reply_received(apigw_response *res)
{
  mynt_status st = apigw_response_json(res, 200, json_pack("{s:b}", "received", 1));
  return st ? apigw_response_error(res, st, NULL) : MYNT_OK;
}

/* Verifies req's Plaid-Verification header over its raw body; on failure logs why and replies 401. */
static mynt_status s_verified_or_reply(const handlers_env *env, const apigw_request *req, apigw_response *res,
                                       int64_t deadline_ms)
{
  int64_t fetch_by = clock_epoch_ms() + WEBHOOKS_KEY_FETCH_MS;
  plaid_webhook_client_source client = {env->plaid, deadline_ms && deadline_ms < fetch_by ? deadline_ms : fetch_by};
  plaid_webhook_key_source source = {env->plaid ? plaid_webhook_fetch_from_client : NULL, &client};
  mynt_detail why;
  mynt_status st = env->webhook_keys
                     ? plaid_webhook_verify(env->webhook_keys, &source, apigw_request_header(req, "plaid-verification"),
                                            req->body.ptr, req->body.len, clock_epoch_ms() / 1000, &why)
                     : mynt_fail(&why, MYNT_INTERNAL, "webhook not verified: no key cache");
  if(!st)
    return MYNT_OK;
  /* A forgery is routine; a key that could not be fetched (Plaid down, refused credentials) or a spent fetch budget
   * (a flood of unknown kids, or a key rotation during one) refuses Plaid's own webhooks too: make it visible. */
  logger_log(st == MYNT_UNAUTHORIZED ? LOGGER_INFO : LOGGER_WARN, req->request_id, "webhooks: %s",
             mynt_detail_text(&why));
  return apigw_response_error(res, MYNT_UNAUTHORIZED, "the webhook is not verified");
}

/* Applies a's item change to user_id's item item_id. Returns MYNT_OK (also when the item is gone meanwhile) or the
 * store's failure. */
static mynt_status s_change_item(const handlers_env *env, const char *request_id, const s_action *a,
                                 const char *user_id, const char *item_id, int64_t deadline_ms)
{
  mynt_status st = MYNT_OK;
  if(a->sets_status)
    st = store_item_set_status(env->store, user_id, item_id, a->status, deadline_ms);
  else if(a->new_accounts)
    st = store_item_set_new_accounts(env->store, user_id, item_id, true, deadline_ms);
  if(st == MYNT_NOT_FOUND) {
    logger_log(LOGGER_INFO, request_id, "webhooks: item %s was removed meanwhile: nothing to change", item_id);
    return MYNT_NOT_FOUND;
  }
  if(st) {
    logger_log(LOGGER_ERROR, request_id, "webhooks: could not update item %s: %s", item_id, mynt_status_code(st));
    return st;
  }
  if(a->sets_status)
    logger_log(LOGGER_INFO, request_id, "webhooks: item %s is now %s", item_id, store_item_status_name(a->status));
  else if(a->new_accounts)
    logger_log(LOGGER_INFO, request_id, "webhooks: item %s has new accounts available", item_id);
  return MYNT_OK;
}

mynt_status webhooks_plaid(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  const handlers_env *env = ctx->env;
  int64_t deadline_ms = handlers_deadline(ctx, WEBHOOKS_WORK_MARGIN_MS);
  /* Verifying fetches Plaid's key with the client's credentials; Plaid delivers the webhook again after a 5xx. */
  mynt_status st = handlers_plaid_or_reply(ctx, res, deadline_ms);
  if(!st)
    st = s_verified_or_reply(env, req, res, deadline_ms);
  if(st)
    return st;

  plaid_webhook_event ev;
  mynt_detail why;
  if(plaid_webhook_parse(req->body.ptr, req->body.len, &ev, &why)) {
    logger_log(LOGGER_WARN, req->request_id, "webhooks: a verified webhook Mynt cannot read: %s",
               mynt_detail_text(&why));
    return s_reply_received(res);
  }
  const s_action *a = s_action_for(&ev);
  if(!a || !ev.item_id[0]) {
    logger_log(LOGGER_INFO, req->request_id, "webhooks: %s %s%s%s ignored", ev.webhook_type, ev.webhook_code,
               ev.error_code[0] ? " " : "", ev.error_code);
    return s_reply_received(res);
  }

  char user_id[STORE_USER_ID_MAX + 1];
  st = store_item_owner(env->store, ev.item_id, deadline_ms, user_id);
  if(st == MYNT_NOT_FOUND) {
    logger_log(LOGGER_INFO, req->request_id, "webhooks: %s %s for item %s, which Mynt does not know: ignored",
               ev.webhook_type, ev.webhook_code, ev.item_id);
    return s_reply_received(res);
  }
  if(st) {
    logger_log(LOGGER_ERROR, req->request_id, "webhooks: could not read the owner of item %s: %s", ev.item_id,
               mynt_status_code(st));
    return apigw_response_error(res, st, NULL);
  }
  st = s_change_item(env, req->request_id, a, user_id, ev.item_id, deadline_ms);
  if(st == MYNT_NOT_FOUND)
    return s_reply_received(res);
  if(st)
    return apigw_response_error(res, st, NULL);
  if(a->starts_sync) {
    st = sync_start(env, user_id, ev.item_id, "webhook", deadline_ms);
    if(st)
      logger_log(LOGGER_WARN, req->request_id, "webhooks: could not start a sync of item %s (the schedule will): %s",
                 ev.item_id, mynt_status_code(st));
  }
  return s_reply_received(res);
}
