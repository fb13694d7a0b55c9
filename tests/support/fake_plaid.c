/* fake_plaid.c - a loopback Plaid for the client's tests, on the scripted server: validation, items, pages. */
#include "support/fake_plaid.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char *s_error_json(const char *type, const char *code, const char *message)
{
  json_t *e = json_pack("{s:s, s:s, s:s, s:n, s:s}", "error_type", type, "error_code", code, "error_message", message,
                        "display_message", "request_id", "req-error");
  char *text = json_dumps(e, JSON_COMPACT);
  json_decref(e);
  return text;
}

static fake_plaid_item *s_find_item(fake_plaid *srv, const char *token)
{
  for(size_t i = 0; token && i < srv->n_items; i++) {
    if(strcmp(srv->items[i].token, token) == 0)
      return &srv->items[i];
  }
  return NULL;
}

/* /link/token/create as Plaid validates it, plus Mynt's own rule: transactions only. */
static char *s_link_token(fake_plaid *srv, json_t *body, int *http)
{
  json_t *user = json_object_get(body, "user");
  json_t *countries = json_object_get(body, "country_codes");
  if(!json_is_string(json_object_get(body, "client_name")) || !json_is_string(json_object_get(body, "language")) ||
     !json_is_array(countries) || json_array_size(countries) == 0 ||
     !json_is_string(json_object_get(user, "client_user_id"))) {
    *http = 400;
    return s_error_json("INVALID_REQUEST", "MISSING_FIELDS", "missing required fields");
  }
  const char *forbidden[] = {"required_if_supported_products", "optional_products", "additional_consented_products"};
  for(size_t i = 0; i < 3; i++) {
    if(json_object_get(body, forbidden[i])) {
      *http = 400;
      return s_error_json("INVALID_REQUEST", "INVALID_FIELD", "Mynt never asks for more products");
    }
  }
  json_t *products = json_object_get(body, "products");
  json_t *days = json_object_get(json_object_get(body, "transactions"), "days_requested");
  int update = json_is_string(json_object_get(body, "access_token"));
  const char *first = json_string_value(json_array_get(products, 0));
  int products_ok =
    update ? products == NULL
           : json_is_array(products) && json_array_size(products) == 1 && first && strcmp(first, "transactions") == 0;
  if(!products_ok ||
     (days && (!json_is_integer(days) || json_integer_value(days) < 1 || json_integer_value(days) > 730))) {
    *http = 400;
    return s_error_json("INVALID_REQUEST", "INVALID_FIELD", "products or transactions.days_requested");
  }
  /* update: an object of update-mode options; account_selection_enabled a boolean, only with an access token. */
  json_t *upd = json_object_get(body, "update");
  json_t *selection = json_object_get(upd, "account_selection_enabled");
  if(upd &&
     (!json_is_object(upd) || (selection && !json_is_boolean(selection)) || (json_is_true(selection) && !update))) {
    *http = 400;
    return s_error_json("INVALID_REQUEST", "INVALID_FIELD", "update.account_selection_enabled");
  }
  pthread_mutex_lock(&srv->lock);
  json_decref(srv->last_link_body);
  srv->last_link_body = json_deep_copy(body);
  pthread_mutex_unlock(&srv->lock);
  *http = 200;
  return strdup(
    "{\"link_token\":\"link-sandbox-0000\",\"expiration\":\"2024-01-01T04:00:00Z\",\"request_id\":\"req-link\"}");
}

/* /transactions/sync: validates like Plaid (only its members; count 1..500; cursor a string) and serves the item's
 * transactions in pages: cursor "" or absent starts at 0, "cur-<n>" at n; next_cursor names where the page ended. */
static char *s_sync(fake_plaid_item *item, json_t *body, int *http)
{
  static const char *const allowed[] = {"access_token", "cursor", "count", "options", "client_id", "secret"};
  const char *key;
  json_t *value;
  json_object_foreach(body, key, value) {
    bool known = false;
    for(size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
      known = known || strcmp(key, allowed[i]) == 0;
    if(!known) {
      *http = 400;
      return s_error_json("INVALID_REQUEST", "UNKNOWN_FIELDS", "the request has an unknown field");
    }
  }
  json_t *count = json_object_get(body, "count");
  json_t *cursor = json_object_get(body, "cursor");
  long off = 0;
  if((count && (!json_is_integer(count) || json_integer_value(count) < 1 || json_integer_value(count) > 500)) ||
     (cursor && !json_is_string(cursor)) ||
     (cursor && json_string_length(cursor) > 0 && sscanf(json_string_value(cursor), "cur-%ld", &off) != 1)) {
    *http = 400;
    return s_error_json("INVALID_REQUEST", "INVALID_FIELD", "count or cursor");
  }
  int n = count ? (int)json_integer_value(count) : 100;
  if(item->n_pages < FAKE_PLAID_MAX_PAGES) {
    item->offsets[item->n_pages] = off;
    item->counts[item->n_pages] = n;
  }
  item->n_pages++;
  json_t *added = json_array();
  long end = off;
  for(; end < off + n && end < item->total; end++) {
    char id[64];
    char date[16];
    snprintf(id, sizeof id, "%s-%04ld", item->prefix, end);
    snprintf(date, sizeof date, "2024-06-%02ld", 28 - end % 28);
    json_array_append_new(added, json_pack("{s:s, s:s, s:f, s:s, s:s, s:s, s:b}", "transaction_id", id, "account_id",
                                           "acc-1", "amount", (double)(end % 50) + 0.25, "iso_currency_code", "USD",
                                           "date", date, "name", "Shop", "pending", 0));
  }
  char next[32];
  snprintf(next, sizeof next, "cur-%ld", end);
  json_t *answer = json_pack("{s:[{s:s}], s:o, s:[], s:[], s:s, s:b, s:s, s:s}", "accounts", "account_id", "acc-1",
                             "added", added, "modified", "removed", "next_cursor", next, "has_more", end < item->total,
                             "transactions_update_status", "HISTORICAL_UPDATE_COMPLETE", "request_id", "req-sync");
  char *text = json_dumps(answer, JSON_COMPACT);
  json_decref(answer);
  *http = 200;
  return text;
}

/* /webhook_verification_key/get: the JWK whose kid is key_id. */
static char *s_webhook_key(fake_plaid *srv, json_t *body, int *http)
{
  const char *key_id = json_string_value(json_object_get(body, "key_id"));
  if(!key_id)
    return s_error_json("INVALID_REQUEST", "MISSING_FIELDS", "key_id is required");
  char *answer = NULL;
  pthread_mutex_lock(&srv->lock);
  srv->key_requests++;
  size_t i;
  json_t *jwk;
  json_array_foreach(srv->webhook_keys, i, jwk) {
    const char *kid = json_string_value(json_object_get(jwk, "kid"));
    if(kid && strcmp(kid, key_id) == 0) {
      json_t *a = json_pack("{s:O, s:s}", "key", jwk, "request_id", "req-key");
      answer = json_dumps(a, JSON_COMPACT);
      json_decref(a);
      *http = 200;
    }
  }
  pthread_mutex_unlock(&srv->lock);
  return answer ? answer : s_error_json("INVALID_INPUT", "INVALID_WEBHOOK_VERIFICATION_KEY_ID", "unknown key_id");
}

/* Answers one complete request; returns a malloc'd body and sets *http and *delay_ms. */
static char *s_serve(fake_plaid *srv, const script_request *req, int *http, int *delay_ms)
{
  const char *url = req->url;
  const char *id = script_request_header(req, "PLAID-CLIENT-ID");
  const char *secret = script_request_header(req, "PLAID-SECRET");
  const char *version = script_request_header(req, "Plaid-Version");
  const char *type = script_request_header(req, "Content-Type");
  *http = 400;
  if(strcmp(req->method, "POST") != 0)
    return s_error_json("INVALID_REQUEST", "INVALID_HTTP_METHOD", "only POST");
  if(!id || !secret || strcmp(id, FAKE_PLAID_CLIENT_ID) != 0 || strcmp(secret, FAKE_PLAID_SECRET) != 0)
    return s_error_json("INVALID_INPUT", "INVALID_API_KEYS", "invalid client_id or secret provided");
  if(!version || strcmp(version, "2020-09-14") != 0)
    return s_error_json("INVALID_REQUEST", "INVALID_FIELD", "Plaid-Version");
  if(!type || strncmp(type, "application/json", 16) != 0)
    return s_error_json("INVALID_REQUEST", "INVALID_BODY", "the body must be JSON");
  json_t *body = json_loadb(req->body, req->body_len, 0, NULL);
  if(!json_is_object(body)) {
    json_decref(body);
    return s_error_json("INVALID_REQUEST", "INVALID_BODY", "the body must be a JSON object");
  }
  char *answer = NULL;
  if(json_object_get(body, "secret") || json_object_get(body, "client_id")) {
    pthread_mutex_lock(&srv->lock);
    srv->secret_in_body = true;
    pthread_mutex_unlock(&srv->lock);
  }
  if(strcmp(url, "/link/token/create") == 0) {
    answer = s_link_token(srv, body, http);
    goto done;
  }
  if(strcmp(url, "/item/public_token/exchange") == 0) {
    json_t *pt = json_object_get(body, "public_token");
    if(!json_is_string(pt)) {
      answer = s_error_json("INVALID_REQUEST", "MISSING_FIELDS", "public_token is required");
    }
    else if(strcmp(json_string_value(pt), FAKE_PLAID_PUBLIC_TOKEN) != 0) {
      char msg[300];
      snprintf(msg, sizeof msg, "provided public token %s is invalid", json_string_value(pt));
      answer = s_error_json("INVALID_INPUT", "INVALID_PUBLIC_TOKEN", msg);
    }
    else {
      *http = 200;
      answer = strdup("{\"access_token\":\"access-sandbox-item-a\",\"item_id\":\"item-a\",\"request_id\":\"req-x\"}");
    }
    goto done;
  }
  if(strcmp(url, "/webhook_verification_key/get") == 0) {
    answer = s_webhook_key(srv, body, http);
    goto done;
  }
  int known = strcmp(url, "/item/get") == 0 || strcmp(url, "/item/remove") == 0 || strcmp(url, "/accounts/get") == 0 ||
              strcmp(url, "/transactions/sync") == 0;
  if(!known) {
    *http = 404;
    answer = s_error_json("INVALID_REQUEST", "NOT_FOUND", "unknown path");
    goto done;
  }
  json_t *token = json_object_get(body, "access_token");
  if(!json_is_string(token)) {
    answer = s_error_json("INVALID_REQUEST", "MISSING_FIELDS", "access_token is required");
    goto done;
  }
  pthread_mutex_lock(&srv->lock);
  fake_plaid_item *item = s_find_item(srv, json_string_value(token));
  int delay = 0;
  int fail = 0;
  if(item) {
    item->hits++;
    delay = item->hits > item->delay_after ? item->delay_ms : 0;
    if(item->fail_count != 0) {
      fail = 1;
      if(item->fail_count > 0)
        item->fail_count--;
    }
  }
  pthread_mutex_unlock(&srv->lock);
  *delay_ms = delay;
  if(!item) {
    answer = s_error_json("INVALID_INPUT", "INVALID_ACCESS_TOKEN", "provided access token is in an invalid format");
    goto done;
  }
  if(fail) {
    *http = item->fail_http;
    answer = item->fail_type ? s_error_json(item->fail_type, item->fail_code, "scripted failure")
                             : strdup("<html><body>Bad gateway</body></html>");
    goto done;
  }
  *http = 200;
  if(strcmp(url, "/transactions/sync") == 0) {
    pthread_mutex_lock(&srv->lock);
    answer = s_sync(item, body, http);
    pthread_mutex_unlock(&srv->lock);
  }
  else if(strcmp(url, "/item/get") == 0) {
    answer = strdup("{\"item\":{\"item_id\":\"item-a\"},\"request_id\":\"req-item\"}");
  }
  else if(strcmp(url, "/accounts/get") == 0) {
    answer =
      strdup("{\"accounts\":[{\"account_id\":\"acc-1\"}],\"item\":{\"item_id\":\"item-a\"},\"request_id\":\"r\"}");
  }
  else {
    answer = strdup("{\"request_id\":\"req-remove\"}");
  }

done:
  json_decref(body);
  return answer;
}

static void s_handle(void *ctx, const script_request *req, script_reply *out)
{
  int http = 500;
  int delay_ms = 0;
  char *answer = s_serve(ctx, req, &http, &delay_ms);
  *out = (script_reply){
    .status = (unsigned)http, .body = answer, .free_body = true, .delay_ms = delay_ms, .drop = answer == NULL};
  if(answer)
    out->content_type = answer[0] == '{' ? "application/json" : "text/html";
}

mynt_status fake_plaid_new(fake_plaid **out)
{
  fake_plaid *p = calloc(1, sizeof *p);
  mynt_status st = p ? MYNT_OK : MYNT_NOMEM;
  if(p) {
    pthread_mutex_init(&p->lock, NULL);
    st = script_server_new(s_handle, p, &p->server);
  }
  if(st) {
    fake_plaid_free(p);
    p = NULL;
  }
  *out = p;
  return st;
}

void fake_plaid_free(fake_plaid *p)
{
  if(!p)
    return;
  script_server_free(p->server);
  json_decref(p->last_link_body);
  json_decref(p->webhook_keys);
  pthread_mutex_destroy(&p->lock);
  free(p);
}

fake_plaid_item *fake_plaid_add_item(fake_plaid *p, const char *token, const char *prefix, int total)
{
  assert_true(p->n_items < FAKE_PLAID_MAX_ITEMS);
  fake_plaid_item *item = &p->items[p->n_items++];
  memset(item, 0, sizeof *item);
  item->token = token;
  item->prefix = prefix;
  item->total = total;
  return item;
}

void fake_plaid_fail(fake_plaid_item *item, int count, int http, const char *type, const char *code)
{
  item->fail_count = count;
  item->fail_http = http;
  item->fail_type = type;
  item->fail_code = code;
}

void fake_plaid_add_webhook_key(fake_plaid *p, json_t *jwk)
{
  pthread_mutex_lock(&p->lock);
  if(!p->webhook_keys)
    p->webhook_keys = json_array();
  assert_int_equal(json_array_append_new(p->webhook_keys, jwk), 0);
  pthread_mutex_unlock(&p->lock);
}

plaid_config fake_plaid_config(const char *base_url, const char *secret)
{
  plaid_config cfg;
  memset(&cfg, 0, sizeof cfg);
  snprintf(cfg.base_url, sizeof cfg.base_url, "%s", base_url);
  snprintf(cfg.client_id, sizeof cfg.client_id, "%s", FAKE_PLAID_CLIENT_ID);
  snprintf(cfg.secret, sizeof cfg.secret, "%s", secret);
  cfg.retry_base_ms = 20;
  cfg.retry_cap_ms = 100;
  return cfg;
}

int fake_plaid_setup(void **state)
{
  fake_plaid_fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  assert_int_equal(fake_plaid_new(&f->plaid), MYNT_OK);
  plaid_config cfg = fake_plaid_config(script_server_url(f->plaid->server), FAKE_PLAID_SECRET);
  assert_int_equal(plaid_client_new(&cfg, &f->client), MYNT_OK);
  plaid_config_wipe(&cfg);
  *state = f;
  return 0;
}

int fake_plaid_item_a_setup(void **state)
{
  fake_plaid_setup(state);
  fake_plaid_fixture *f = *state;
  f->item_a = fake_plaid_add_item(f->plaid, "access-sandbox-item-a", "a", 10);
  return 0;
}

int fake_plaid_teardown(void **state)
{
  fake_plaid_fixture *f = *state;
  plaid_client_free(f->client);
  fake_plaid_free(f->plaid);
  free(f);
  return 0;
}
