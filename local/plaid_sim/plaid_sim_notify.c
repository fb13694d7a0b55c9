/* plaid_sim_notify.c - what the simulator tells an item's webhook and when, as Plaid does: the bodies, /webhook_verification_key/get, /sandbox/item/fire_webhook and their /sim knobs. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "local/plaid_sim/plaid_sim_internal.h"

#define S_ENVIRONMENT "sandbox"
/* PENDING_DISCONNECT and PENDING_EXPIRATION announce a disconnection 7 days ahead. */
#define S_NOTICE_MS (7LL * 86400 * 1000)

static const char s_login_message[] = "the login details of this item have changed (credentials, MFA, or required "
                                      "user action) and a user login is required to update this information. use "
                                      "Link's update mode to restore the item to a good state";
static const char s_login_display[] = "Your bank login details have changed. Please log in again.";

bool plaid_sim_webhook_url_valid(const char *url)
{
  const char *host = http_server_url_host(url);
  if(!host || strlen(url) >= PLAID_SIM_WEBHOOK_MAX)
    return false;
  const char *p = host;
  if(*p == '[') { /* an IPv6 literal */
    for(p++; *p && *p != ']'; p++)
      if(!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.'))
        return false;
    if(*p++ != ']' || p == host + 2)
      return false;
  }
  else {
    for(; (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.';
        p++)
      ;
    if(p == host || *host == '.' || *host == '-')
      return false;
  }
  if(*p == ':') {
    const char *digits = ++p;
    long port = 0;
    for(; *p >= '0' && *p <= '9' && p - digits < 5; p++)
      port = port * 10 + (*p - '0');
    if(p == digits || port < 1 || port > 65535)
      return false;
  }
  if(*p && *p != '/' && *p != '?')
    return false;
  for(; *p; p++) /* the path and query: visible ASCII, no spaces, quotes or angle brackets */
    if(*p <= ' ' || *p >= 127 || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
      return false;
  return true;
}

/* ---- bodies ---- */

/* What a webhook may carry besides its type, code and item. */
typedef struct {
  json_t *error;               /* borrowed PlaidError object (NULL = JSON null) */
  bool initial, historical;    /* SYNC_UPDATES_AVAILABLE's flags */
  const char *new_webhook_url; /* WEBHOOK_UPDATE_ACKNOWLEDGED */
  const char *account_id;      /* USER_ACCOUNT_REVOKED */
  long long new_transactions;  /* DEFAULT_UPDATE */
} s_extra;

/* The webhooks the simulator knows how to send, by type and code. */
typedef enum {
  S_SYNC_UPDATES,
  S_DEFAULT_UPDATE,
  S_ITEM_ERROR,
  S_LOGIN_REPAIRED,
  S_PENDING_DISCONNECT,
  S_PENDING_EXPIRATION,
  S_PERMISSION_REVOKED,
  S_ACCOUNT_REVOKED,
  S_NEW_ACCOUNTS,
  S_WEBHOOK_UPDATE,
  S_PRODUCT_READY, /* ASSETS */
  S_ASSETS_ERROR,
  S_KIND_COUNT
} s_kind;

static const struct {
  const char *type, *code;
} s_kinds[S_KIND_COUNT] = {
  [S_SYNC_UPDATES] = {"TRANSACTIONS", "SYNC_UPDATES_AVAILABLE"},
  [S_DEFAULT_UPDATE] = {"TRANSACTIONS", "DEFAULT_UPDATE"},
  [S_ITEM_ERROR] = {"ITEM", "ERROR"},
  [S_LOGIN_REPAIRED] = {"ITEM", "LOGIN_REPAIRED"},
  [S_PENDING_DISCONNECT] = {"ITEM", "PENDING_DISCONNECT"},
  [S_PENDING_EXPIRATION] = {"ITEM", "PENDING_EXPIRATION"},
  [S_PERMISSION_REVOKED] = {"ITEM", "USER_PERMISSION_REVOKED"},
  [S_ACCOUNT_REVOKED] = {"ITEM", "USER_ACCOUNT_REVOKED"},
  [S_NEW_ACCOUNTS] = {"ITEM", "NEW_ACCOUNTS_AVAILABLE"},
  [S_WEBHOOK_UPDATE] = {"ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED"},
  [S_PRODUCT_READY] = {"ASSETS", "PRODUCT_READY"},
  [S_ASSETS_ERROR] = {"ASSETS", "ERROR"},
};

/* Builds the body Plaid sends for kind (type as given: DEFAULT_UPDATE serves several products).
 * Returns a new object or NULL when out of memory. */
static json_t *s_body(plaid_sim *sim, s_kind kind, const char *type, const plaid_sim_item *item, const s_extra *x)
{
  char at[21];
  json_t *b =
    json_pack("{s:s, s:s, s:s}", "webhook_type", type, "webhook_code", s_kinds[kind].code, "item_id", item->item_id);
  if(!b)
    return NULL;
  int bad = 0;
  json_t *error = x->error ? json_incref(x->error) : json_null();
  switch(kind) {
  case S_SYNC_UPDATES:
    bad |= json_object_set_new(b, "initial_update_complete", json_boolean(x->initial));
    bad |= json_object_set_new(b, "historical_update_complete", json_boolean(x->historical));
    break;
  case S_DEFAULT_UPDATE:
    bad |= json_object_set(b, "error", error);
    if(strcmp(type, "TRANSACTIONS") == 0 || strcmp(type, "INVESTMENTS_TRANSACTIONS") == 0)
      bad |=
        json_object_set_new(b, strcmp(type, "TRANSACTIONS") == 0 ? "new_transactions" : "new_investments_transactions",
                            json_integer(x->new_transactions));
    if(strcmp(type, "HOLDINGS") == 0)
      bad |= json_object_set_new(b, "new_holdings", json_integer(0)) |
             json_object_set_new(b, "updated_holdings", json_integer(0));
    break;
  case S_ITEM_ERROR:
  case S_PERMISSION_REVOKED:
  case S_NEW_ACCOUNTS:
    bad |= json_object_set(b, "error", error);
    break;
  case S_LOGIN_REPAIRED:
    break;
  case S_PENDING_DISCONNECT:
    bad |= json_object_set_new(b, "reason", json_string("INSTITUTION_TOKEN_EXPIRATION"));
    bad |= json_object_set_new(b, "disconnect_time",
                               json_string(clock_iso8601((time_t)((plaid_sim_now(sim) + S_NOTICE_MS) / 1000), at)));
    break;
  case S_PENDING_EXPIRATION:
    bad |= json_object_set_new(b, "consent_expiration_time",
                               json_string(clock_iso8601((time_t)((plaid_sim_now(sim) + S_NOTICE_MS) / 1000), at)));
    break;
  case S_ACCOUNT_REVOKED:
    bad |= json_object_set_new(b, "account_id", json_string(x->account_id ? x->account_id : ""));
    break;
  case S_WEBHOOK_UPDATE:
    bad |= json_object_set(b, "error", error);
    bad |= json_object_set_new(b, "new_webhook_url", json_string(x->new_webhook_url ? x->new_webhook_url : ""));
    break;
  case S_PRODUCT_READY:
  case S_ASSETS_ERROR:
    bad |= json_object_set_new(b, "asset_report_id", json_string("00000000-0000-4000-8000-000000000000"));
    bad |= json_object_set_new(b, "report_type", json_string("FULL"));
    if(kind == S_ASSETS_ERROR)
      bad |= json_object_set(b, "error", error);
    break;
  default:
    break;
  }
  bad |= json_object_set_new(b, "environment", json_string(S_ENVIRONMENT));
  json_decref(error);
  if(bad) {
    json_decref(b);
    return NULL;
  }
  return b;
}

/* Queues body (taken over) for url on behalf of item. Returns MYNT_OK, or the queue's failure. */
static mynt_status s_send(plaid_sim *sim, const char *url, const plaid_sim_item *item, json_t *body)
{
  if(!body)
    return MYNT_NOMEM;
  mynt_status st = plaid_sim_webhooks_send(sim->webhooks, url, item->item_id, body);
  json_decref(body);
  return st;
}

/* The checking account's id: what USER_ACCOUNT_REVOKED names when nothing else is asked for. */
static bool s_first_account(plaid_sim *sim, const plaid_sim_item *item, char out[PLAID_DATA_ID_LEN + 1])
{
  plaid_data_item data = {0};
  if(plaid_data_generate(item->institution_id, item->seed, plaid_sim_today(sim), &data))
    return false;
  snprintf(out, PLAID_DATA_ID_LEN + 1, "%s", data.accounts[PLAID_DATA_CHECKING].account_id);
  plaid_data_item_free(&data);
  return true;
}

/* The error USER_PERMISSION_REVOKED carries: a new object, or NULL when out of memory. */
static json_t *s_revoked_error(void)
{
  return plaid_sim_render_error_body(400, "ITEM_ERROR", "USER_PERMISSION_REVOKED",
                                     "the holder of this account has revoked their permission for your application "
                                     "to access it",
                                     NULL);
}

/* ---- what the simulator sends on its own ---- */

void plaid_sim_notify_sync_updates(plaid_sim *sim, const plaid_sim_item *item)
{
  plaid_sim_history history;
  if(!item->webhook[0] || !plaid_sim_ledger_synced(sim->ledger, item->item_id, &history) ||
     history == PLAID_SIM_HISTORY_NONE)
    return;
  s_extra x = {.initial = true, .historical = history == PLAID_SIM_HISTORY_COMPLETE};
  s_send(sim, item->webhook, item, s_body(sim, S_SYNC_UPDATES, "TRANSACTIONS", item, &x));
}

void plaid_sim_notify_history(plaid_sim *sim, const plaid_sim_item *item, const plaid_sim_ledger_status *status)
{
  if(!item->webhook[0] || !status->synced)
    return;
  if(status->previous_history < PLAID_SIM_HISTORY_INITIAL && status->history >= PLAID_SIM_HISTORY_INITIAL) {
    s_extra x = {.initial = true};
    s_send(sim, item->webhook, item, s_body(sim, S_SYNC_UPDATES, "TRANSACTIONS", item, &x));
  }
  if(status->previous_history < PLAID_SIM_HISTORY_COMPLETE && status->history == PLAID_SIM_HISTORY_COMPLETE) {
    s_extra x = {.initial = true, .historical = true};
    s_send(sim, item->webhook, item, s_body(sim, S_SYNC_UPDATES, "TRANSACTIONS", item, &x));
  }
}

void plaid_sim_notify_login_required(plaid_sim *sim, const plaid_sim_item *item)
{
  if(!item->webhook[0])
    return;
  json_t *error =
    plaid_sim_render_error_body(400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED", s_login_message, s_login_display);
  s_extra x = {.error = error};
  if(error)
    s_send(sim, item->webhook, item, s_body(sim, S_ITEM_ERROR, "ITEM", item, &x));
  json_decref(error);
}

/* ---- POST /webhook_verification_key/get ---- */

void plaid_sim_notify_key_get(plaid_sim_call *c)
{
  static const char *const allowed[] = {"client_id", "secret", "key_id", NULL};
  static const char *const required[] = {"key_id", NULL};
  if(!plaid_sim_prelude_or_reply(c, allowed, required))
    return;
  json_t *kid = plaid_sim_field(c->body, "key_id");
  if(!json_is_string(kid)) {
    plaid_sim_render_error(c->out, c->req, 400, "INVALID_REQUEST", "INVALID_FIELD", "key_id must be a string", NULL);
    return;
  }
  json_t *jwk = NULL;
  mynt_status st = plaid_sim_webhooks_key(c->sim->webhooks, json_string_value(kid), &jwk);
  if(st == MYNT_NOT_FOUND)
    plaid_sim_render_error(c->out, c->req, 400, "INVALID_INPUT", "INVALID_WEBHOOK_VERIFICATION_KEY_ID",
                           "invalid key_id provided. note that key_ids are specific to Plaid environments, and "
                           "verification requests must be made to the same environment that the webhook was sent from",
                           NULL);
  else if(st)
    plaid_sim_render_error(c->out, c->req, 500, "API_ERROR", "INTERNAL_SERVER_ERROR", "an unexpected error occurred",
                           "Something went wrong. Please try again later.");
  else
    plaid_sim_render_ok(c->out, c->req, json_pack("{s:o}", "key", jwk));
}

/* ---- POST /sandbox/item/fire_webhook ---- */

/* Whether item has product (a plaid_sim_product_name). */
static bool s_has_product(const plaid_sim_item *item, const char *product)
{
  const int i = plaid_sim_product_index(product);
  return i >= 0 && (item->products & (UINT64_C(1) << i));
}

static void s_product_not_enabled(plaid_sim_call *c, const char *product)
{
  char message[128];
  snprintf(message, sizeof message, "The %s product is not enabled on this item", product);
  plaid_sim_render_error(c->out, c->req, 400, "SANDBOX_ERROR", "SANDBOX_PRODUCT_NOT_ENABLED", message, NULL);
}

/* The product a DEFAULT_UPDATE of webhook_type reports on, or NULL when that type has none. */
static const char *s_default_update_product(const char *type)
{
  static const char *const map[][2] = {{"TRANSACTIONS", "transactions"},
                                       {"AUTH", "auth"},
                                       {"IDENTITY", "identity"},
                                       {"LIABILITIES", "liabilities"},
                                       {"INVESTMENTS_TRANSACTIONS", "investments"},
                                       {"HOLDINGS", "investments"}};
  for(size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if(strcmp(map[i][0], type) == 0)
      return map[i][1];
  return NULL;
}

void plaid_sim_notify_fire(plaid_sim_call *c)
{
  static const char *const allowed[] = {"client_id", "secret", "access_token", "webhook_type", "webhook_code", NULL};
  static const char *const required[] = {"access_token", "webhook_code", NULL};
  static const char *const types[] = {"AUTH",         "HOLDINGS", "INVESTMENTS_TRANSACTIONS", "ITEM", "LIABILITIES",
                                      "TRANSACTIONS", "ASSETS"};
  static const char *const codes[] = {"DEFAULT_UPDATE",
                                      "NEW_ACCOUNTS_AVAILABLE",
                                      "SMS_MICRODEPOSITS_VERIFICATION",
                                      "AUTHORIZATION_GRANTED",
                                      "USER_PERMISSION_REVOKED",
                                      "USER_ACCOUNT_REVOKED",
                                      "PENDING_DISCONNECT",
                                      "RECURRING_TRANSACTIONS_UPDATE",
                                      "LOGIN_REPAIRED",
                                      "SYNC_UPDATES_AVAILABLE",
                                      "PRODUCT_READY",
                                      "ERROR"};
  plaid_sim_item item;
  char message[160];
  if(!plaid_sim_prelude_or_reply(c, allowed, required))
    return;
  json_t *code_v = plaid_sim_field(c->body, "webhook_code"), *type_v = plaid_sim_field(c->body, "webhook_type");
  const char *code = json_string_value(code_v), *type = json_string_value(type_v);
  bool ok = false;
  for(size_t i = 0; code && !ok && i < sizeof codes / sizeof codes[0]; i++)
    ok = strcmp(codes[i], code) == 0;
  if(!ok) {
    plaid_sim_render_error(c->out, c->req, 400, "INVALID_REQUEST", "INVALID_FIELD",
                           "webhook_code must be one of the webhook codes /sandbox/item/fire_webhook fires", NULL);
    return;
  }
  ok = type_v == NULL;
  for(size_t i = 0; type && !ok && i < sizeof types / sizeof types[0]; i++)
    ok = strcmp(types[i], type) == 0;
  if(!ok) {
    plaid_sim_render_error(c->out, c->req, 400, "INVALID_REQUEST", "INVALID_FIELD",
                           "webhook_type must be one of AUTH, HOLDINGS, INVESTMENTS_TRANSACTIONS, ITEM, LIABILITIES, "
                           "TRANSACTIONS, ASSETS",
                           NULL);
    return;
  }
  if(!plaid_sim_item_or_reply(c, &item, false))
    return;

  /* Which webhook the code means, its type, and the product it needs. */
  s_kind kind = S_LOGIN_REPAIRED;
  const char *product = NULL, *want_type = NULL;
  if(strcmp(code, "DEFAULT_UPDATE") == 0) {
    kind = S_DEFAULT_UPDATE;
    want_type = type ? type : "TRANSACTIONS";
    product = s_default_update_product(want_type);
    if(!product) {
      snprintf(message, sizeof message, "webhook_type %s has no DEFAULT_UPDATE webhook", want_type);
      plaid_sim_render_error(c->out, c->req, 400, "INVALID_REQUEST", "INVALID_FIELD", message, NULL);
      return;
    }
  }
  else if(strcmp(code, "SYNC_UPDATES_AVAILABLE") == 0) {
    kind = S_SYNC_UPDATES, want_type = "TRANSACTIONS", product = "transactions";
  }
  else if(strcmp(code, "RECURRING_TRANSACTIONS_UPDATE") == 0) {
    s_product_not_enabled(c, "recurring_transactions");
    return;
  }
  else if(strcmp(code, "SMS_MICRODEPOSITS_VERIFICATION") == 0 || strcmp(code, "AUTHORIZATION_GRANTED") == 0) {
    /* Same-day micro-deposit items and Plaid Check users are not simulated. */
    s_product_not_enabled(c, strcmp(code, "AUTHORIZATION_GRANTED") == 0 ? "cra_base_report" : "auth");
    return;
  }
  else if(strcmp(code, "PRODUCT_READY") == 0 || strcmp(code, "ERROR") == 0) {
    kind = code[0] == 'P' ? S_PRODUCT_READY : S_ASSETS_ERROR, want_type = "ASSETS", product = "assets";
  }
  else {
    want_type = "ITEM";
    kind = strcmp(code, "NEW_ACCOUNTS_AVAILABLE") == 0    ? S_NEW_ACCOUNTS
           : strcmp(code, "USER_PERMISSION_REVOKED") == 0 ? S_PERMISSION_REVOKED
           : strcmp(code, "USER_ACCOUNT_REVOKED") == 0    ? S_ACCOUNT_REVOKED
           : strcmp(code, "PENDING_DISCONNECT") == 0      ? S_PENDING_DISCONNECT
                                                          : S_LOGIN_REPAIRED;
  }
  if(type && strcmp(type, want_type) != 0) {
    snprintf(message, sizeof message, "webhook_code %s is a webhook of type %s", code, want_type);
    plaid_sim_render_error(c->out, c->req, 400, "INVALID_REQUEST", "INVALID_FIELD", message, NULL);
    return;
  }
  if(product && !s_has_product(&item, product)) {
    s_product_not_enabled(c, product);
    return;
  }
  if(!plaid_sim_webhook_url_valid(item.webhook)) {
    plaid_sim_render_error(c->out, c->req, 400, "SANDBOX_ERROR", "SANDBOX_WEBHOOK_INVALID",
                           "Webhook for this item is either not set up, or invalid. Please update the item's webhook "
                           "and try again.",
                           NULL);
    return;
  }

  plaid_sim_history history;
  char account[PLAID_DATA_ID_LEN + 1] = "";
  json_t *error = NULL;
  plaid_sim_ledger_synced(c->sim->ledger, item.item_id, &history);
  s_extra x = {.initial = history >= PLAID_SIM_HISTORY_INITIAL, .historical = history == PLAID_SIM_HISTORY_COMPLETE};
  if(kind == S_PERMISSION_REVOKED)
    error = s_revoked_error();
  else if(kind == S_ASSETS_ERROR)
    error = plaid_sim_render_error_body(400, "ASSET_REPORT_ERROR", "ASSET_REPORT_GENERATION_FAILED",
                                        "an error occurred while generating the asset report", NULL);
  x.error = error;
  if(kind == S_ACCOUNT_REVOKED && s_first_account(c->sim, &item, account))
    x.account_id = account;
  mynt_status st =
    ((kind == S_PERMISSION_REVOKED || kind == S_ASSETS_ERROR) && !error) || (kind == S_ACCOUNT_REVOKED && !account[0])
      ? MYNT_NOMEM
      : s_send(c->sim, item.webhook, &item, s_body(c->sim, kind, want_type, &item, &x));
  json_decref(error);
  if(st == MYNT_TOO_LARGE)
    plaid_sim_render_error(c->out, c->req, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED",
                           "too many webhooks are waiting to be sent; try again shortly", NULL);
  else if(st)
    plaid_sim_render_error(c->out, c->req, 500, "API_ERROR", "INTERNAL_SERVER_ERROR", "an unexpected error occurred",
                           "Something went wrong. Please try again later.");
  else
    plaid_sim_render_ok(c->out, c->req, json_pack("{s:b}", "webhook_fired", 1));
}

/* ---- the /sim knobs ---- */

static void s_invalid(const plaid_sim_request *req, plaid_sim_response *out, const char *message)
{
  plaid_sim_render_error(out, req, 400, "INVALID_REQUEST", "INVALID_FIELD", message, NULL);
}

static void s_internal(const plaid_sim_request *req, plaid_sim_response *out)
{
  plaid_sim_render_error(out, req, 500, "API_ERROR", "INTERNAL_SERVER_ERROR", "an unexpected error occurred", NULL);
}

/* The method must be method and, for POST, the body a JSON object (or absent when optional_body). */
static bool s_request_or_reply(const plaid_sim_request *req, plaid_sim_response *out, const char *method,
                               bool optional_body)
{
  if(strcmp(req->method, method) != 0) {
    char message[64];
    snprintf(message, sizeof message, "this endpoint takes %s", method);
    plaid_sim_render_error(out, req, 405, "INVALID_REQUEST", "INVALID_HTTP_METHOD", message, NULL);
    return false;
  }
  if(strcmp(method, "POST") == 0 && req->body_invalid && !(optional_body && !req->body)) {
    plaid_sim_render_error(out, req, 400, "INVALID_REQUEST", "INVALID_BODY",
                           "body could not be parsed as a JSON object", NULL);
    return false;
  }
  return true;
}

/* POST /sim/webhook_key/rotate {grace_s?}. */
static void s_rotate(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out)
{
  static const char *const allowed[] = {"grace_s", NULL};
  char kid[PLAID_SIM_WEBHOOK_KID_MAX], previous[PLAID_SIM_WEBHOOK_KID_MAX];
  if(!s_request_or_reply(req, out, "POST", true) || !plaid_sim_keys_or_reply(req, out, req->body, NULL, allowed))
    return;
  json_t *grace = json_object_get(req->body, "grace_s");
  if(grace && (!json_is_integer(grace) || json_integer_value(grace) < 0 ||
               json_integer_value(grace) > PLAID_SIM_WEBHOOK_MAX_GRACE_S)) {
    s_invalid(req, out, "grace_s must be an integer from 0 to 86400");
    return;
  }
  const int64_t grace_s = grace ? (int64_t)json_integer_value(grace) : PLAID_SIM_WEBHOOK_DEFAULT_GRACE_S;
  if(plaid_sim_webhooks_rotate(sim->webhooks, grace_s, kid, previous)) {
    s_internal(req, out);
    return;
  }
  plaid_sim_render_ok(out, req,
                      json_pack("{s:s, s:s, s:I}", "key_id", kid, "previous_key_id", previous, "previous_expired_at",
                                (json_int_t)(plaid_sim_now(sim) / 1000 + grace_s)));
}

/* POST /sim/webhooks/drop {count}. */
static void s_drop(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out)
{
  static const char *const allowed[] = {"count", NULL};
  if(!s_request_or_reply(req, out, "POST", false) || !plaid_sim_keys_or_reply(req, out, req->body, NULL, allowed))
    return;
  json_t *count = json_object_get(req->body, "count");
  if(!json_is_integer(count) || json_integer_value(count) < 0 || json_integer_value(count) > 10000) {
    s_invalid(req, out, "count must be an integer from 0 to 10000");
    return;
  }
  plaid_sim_webhooks_drop(sim->webhooks, (int)json_integer_value(count));
  plaid_sim_render_ok(out, req, json_pack("{s:I}", "dropping", json_integer_value(count)));
}

/* POST /sim/webhooks/stale {count, age_s}. */
static void s_stale(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out)
{
  static const char *const allowed[] = {"count", "age_s", NULL};
  if(!s_request_or_reply(req, out, "POST", false) || !plaid_sim_keys_or_reply(req, out, req->body, NULL, allowed))
    return;
  json_t *count = json_object_get(req->body, "count");
  json_t *age = json_object_get(req->body, "age_s");
  if(!json_is_integer(count) || json_integer_value(count) < 0 || json_integer_value(count) > 10000 ||
     !json_is_integer(age) || json_integer_value(age) < 0 || json_integer_value(age) > 86400) {
    s_invalid(req, out, "count must be an integer from 0 to 10000 and age_s one from 0 to 86400");
    return;
  }
  plaid_sim_webhooks_stale(sim->webhooks, (int)json_integer_value(count), (int64_t)json_integer_value(age));
  plaid_sim_render_ok(out, req,
                      json_pack("{s:I, s:I}", "stale", json_integer_value(count), "age_s", json_integer_value(age)));
}

void plaid_sim_notify_admin(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out)
{
  if(strcmp(req->path, "/sim/webhook_key/rotate") == 0) {
    s_rotate(sim, req, out);
  }
  else if(strcmp(req->path, "/sim/webhooks/drop") == 0) {
    s_drop(sim, req, out);
  }
  else if(strcmp(req->path, "/sim/webhooks/stale") == 0) {
    s_stale(sim, req, out);
  }
  else if(s_request_or_reply(req, out, "GET", false)) {
    json_t *log = plaid_sim_webhooks_log(sim->webhooks);
    if(log)
      plaid_sim_render_ok(out, req, log);
    else
      s_internal(req, out);
  }
}

/* Reads the admin knob's error {error_code, error_type?, error_message?, display_message?} into a
 * new PlaidError object (ITEM_LOGIN_REQUIRED when absent). NULL after answering. */
static json_t *s_admin_error_or_reply(const plaid_sim_request *req, plaid_sim_response *out, json_t *v)
{
  static const char *const allowed[] = {"error_code", "error_type", "error_message", "display_message", NULL};
  if(!v)
    return plaid_sim_render_error_body(400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED", s_login_message, s_login_display);
  if(!json_is_object(v)) {
    s_invalid(req, out, "error must be an object {error_code, error_type?, error_message?, display_message?}");
    return NULL;
  }
  if(!plaid_sim_keys_or_reply(req, out, v, NULL, allowed))
    return NULL;
  const char *code = json_member_string(v, "error_code");
  bool ok = code && *code && strlen(code) < 64;
  for(const char *p = code; ok && *p; p++)
    ok = (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
  json_t *type = json_object_get(v, "error_type"), *message = json_object_get(v, "error_message");
  json_t *display = json_object_get(v, "display_message");
  if(!ok || (type && !json_is_string(type)) || (message && !json_is_string(message)) ||
     (display && !json_is_null(display) && !json_is_string(display))) {
    s_invalid(req, out,
              "error.error_code must be an upper-case code; error_type, error_message and display_message "
              "strings");
    return NULL;
  }
  const bool login = strcmp(code, "ITEM_LOGIN_REQUIRED") == 0;
  json_t *e = plaid_sim_render_error_body(400, type ? json_string_value(type) : "ITEM_ERROR", code,
                                          message ? json_string_value(message)
                                          : login ? s_login_message
                                                  : "the item is in an error state",
                                          display ? json_string_value(display)
                                          : login ? s_login_display
                                                  : NULL);
  if(!e)
    s_internal(req, out);
  return e;
}

void plaid_sim_notify_admin_item(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out,
                                 const char *item_id)
{
  static const char *const allowed[] = {"webhook_type",
                                        "webhook_code",
                                        "error",
                                        "new_webhook_url",
                                        "account_id",
                                        "initial_update_complete",
                                        "historical_update_complete",
                                        NULL};
  plaid_sim_item item;
  json_t *error = NULL;
  char account[PLAID_DATA_ID_LEN + 1] = "";
  if(!s_request_or_reply(req, out, "POST", false) || !plaid_sim_keys_or_reply(req, out, req->body, NULL, allowed))
    return;
  if(plaid_sim_store_find_item_by_id(sim->store, item_id, &item) || item.removed) {
    plaid_sim_render_error(out, req, 404, "INVALID_INPUT", "ITEM_NOT_FOUND", "no live item with this item_id", NULL);
    return;
  }
  const char *type = json_member_string(req->body, "webhook_type");
  const char *code = json_member_string(req->body, "webhook_code");
  int kind = -1;
  for(int k = 0; type && code && kind < 0 && k < S_KIND_COUNT; k++)
    if(strcmp(s_kinds[k].type, type) == 0 && strcmp(s_kinds[k].code, code) == 0)
      kind = k;
  if(kind < 0 || kind == S_PRODUCT_READY || kind == S_ASSETS_ERROR) {
    s_invalid(req, out,
              "webhook_type and webhook_code must name one of TRANSACTIONS SYNC_UPDATES_AVAILABLE | DEFAULT_UPDATE, "
              "ITEM ERROR | LOGIN_REPAIRED | PENDING_DISCONNECT | PENDING_EXPIRATION | USER_PERMISSION_REVOKED | "
              "USER_ACCOUNT_REVOKED | NEW_ACCOUNTS_AVAILABLE | WEBHOOK_UPDATE_ACKNOWLEDGED");
    return;
  }
  json_t *error_v = json_object_get(req->body, "error");
  json_t *new_url_v = json_object_get(req->body, "new_webhook_url");
  json_t *account_v = json_object_get(req->body, "account_id");
  json_t *initial_v = json_object_get(req->body, "initial_update_complete");
  json_t *historical_v = json_object_get(req->body, "historical_update_complete");
  if(error_v && kind != S_ITEM_ERROR) {
    s_invalid(req, out, "error is only for ITEM ERROR");
    return;
  }
  if(new_url_v && (kind != S_WEBHOOK_UPDATE || !plaid_sim_webhook_url_valid(json_string_value(new_url_v)))) {
    s_invalid(req, out, "new_webhook_url must be a valid URL, and is only for WEBHOOK_UPDATE_ACKNOWLEDGED");
    return;
  }
  if((initial_v || historical_v) && (kind != S_SYNC_UPDATES || (initial_v && !json_is_boolean(initial_v)) ||
                                     (historical_v && !json_is_boolean(historical_v)))) {
    s_invalid(req, out,
              "initial_update_complete and historical_update_complete are booleans of SYNC_UPDATES_AVAILABLE");
    return;
  }
  if(account_v && kind != S_ACCOUNT_REVOKED) {
    s_invalid(req, out, "account_id is only for USER_ACCOUNT_REVOKED");
    return;
  }
  plaid_data_item data = {0};
  if(kind == S_ACCOUNT_REVOKED) {
    if(plaid_data_generate(item.institution_id, item.seed, plaid_sim_today(sim), &data)) {
      s_internal(req, out);
      return;
    }
    const char *want = account_v ? json_string_value(account_v) : data.accounts[PLAID_DATA_CHECKING].account_id;
    for(int a = 0; want && a < PLAID_DATA_ACCOUNT_COUNT; a++)
      if(strcmp(data.accounts[a].account_id, want) == 0)
        snprintf(account, sizeof account, "%s", want);
    plaid_data_item_free(&data);
    if(!account[0]) {
      s_invalid(req, out, "account_id is not an account of this item");
      return;
    }
  }
  if(kind == S_ITEM_ERROR && !(error = s_admin_error_or_reply(req, out, error_v)))
    return;
  if(kind == S_PERMISSION_REVOKED && !(error = s_revoked_error())) {
    s_internal(req, out);
    return;
  }

  /* WEBHOOK_UPDATE_ACKNOWLEDGED goes to the new URL, which the item keeps from now on. */
  const char *url = item.webhook;
  if(kind == S_WEBHOOK_UPDATE && new_url_v) {
    if(plaid_sim_store_set_webhook(sim->store, item.item_id, json_string_value(new_url_v)))
      goto internal;
    snprintf(item.webhook, sizeof item.webhook, "%s", json_string_value(new_url_v));
  }
  if(!plaid_sim_webhook_url_valid(url)) {
    plaid_sim_render_error(out, req, 400, "SANDBOX_ERROR", "SANDBOX_WEBHOOK_INVALID",
                           "Webhook for this item is either not set up, or invalid.", NULL);
    goto cleanup;
  }
  /* The state the webhook announces, where the simulator has one. */
  const char *error_code = json_member_string(error, "error_code");
  if(kind == S_ITEM_ERROR && error_code && strcmp(error_code, "ITEM_LOGIN_REQUIRED") == 0 &&
     plaid_sim_store_set_login_required(sim->store, item.item_id, true))
    goto internal;
  if(kind == S_LOGIN_REPAIRED && plaid_sim_store_set_login_required(sim->store, item.item_id, false))
    goto internal;
  /* PENDING_EXPIRATION / PENDING_DISCONNECT (token expiration): the consent ends in S_NOTICE_MS, as /item/get shows. */
  if((kind == S_PENDING_EXPIRATION || kind == S_PENDING_DISCONNECT) &&
     plaid_sim_store_set_consent_expiration(sim->store, item.item_id, plaid_sim_now(sim) + S_NOTICE_MS))
    goto internal;

  plaid_sim_history history;
  plaid_sim_ledger_synced(sim->ledger, item.item_id, &history);
  s_extra x = {.error = error,
               .initial = initial_v ? json_is_true(initial_v) : history >= PLAID_SIM_HISTORY_INITIAL,
               .historical = historical_v ? json_is_true(historical_v) : history == PLAID_SIM_HISTORY_COMPLETE,
               .new_webhook_url = item.webhook,
               .account_id = account};
  mynt_status st = s_send(sim, url, &item, s_body(sim, (s_kind)kind, s_kinds[kind].type, &item, &x));
  if(st == MYNT_TOO_LARGE) {
    plaid_sim_render_error(out, req, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED",
                           "too many webhooks are waiting to be sent", NULL);
    goto cleanup;
  }
  if(st)
    goto internal;
  plaid_sim_render_ok(out, req,
                      json_pack("{s:b, s:s, s:s, s:s, s:s}", "webhook_fired", 1, "item_id", item.item_id,
                                "webhook_type", s_kinds[kind].type, "webhook_code", s_kinds[kind].code, "url", url));
  goto cleanup;
internal:
  s_internal(req, out);
cleanup:
  json_decref(error);
}
