/* test_plaid_sim_webhook.c - the Plaid simulator's signed webhooks, checked with Mynt's own verifier (plaid/webhook.c): keys, rotation, delivery, its log, the drop knob, fire_webhook. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "core/clock.h"
#include "core/json.h"
#include "local/common/http_server.h"
#include "local/plaid_sim/plaid_sim.h"
#include "plaid/plaid.h"
#include "plaid/webhook.h"
#include "support/sim_client.h"
#include "support/unit_curl.h"

#define S_CLIENT_ID "hook-client-id"
#define S_SECRET    "hook-secret-value"
/* The simulator's clock, which signs iat: 2025-06-15T12:00:00Z. */
#define S_T0_MS     ((int64_t)1749988800000LL)
#define S_T0        (S_T0_MS / 1000)
#define S_MAX_HOOKS 64

/* ---- the receiver: a loopback server that keeps every webhook exactly as it arrived ---- */

typedef struct {
  char *body;
  size_t len;
  char *token; /* Plaid-Verification */
  char content_type[64];
  char path[128];
} s_hook;

typedef struct {
  http_server *server;
  pthread_mutex_t lock;
  s_hook hooks[S_MAX_HOOKS];
  size_t count;
  _Atomic int answer;   /* the status it answers with */
  _Atomic int delay_ms; /* how long it takes to answer */
} s_receiver;

static enum MHD_Result s_on_hook(void *ctx, struct MHD_Connection *c, const http_server_request *req)
{
  s_receiver *r = ctx;
  const char *token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Plaid-Verification");
  const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  clock_sleep_ms(atomic_load(&r->delay_ms));
  pthread_mutex_lock(&r->lock);
  if(r->count < S_MAX_HOOKS) {
    s_hook *h = &r->hooks[r->count++];
    h->body = malloc(req->body_len + 1);
    memcpy(h->body, req->body, req->body_len);
    h->body[req->body_len] = '\0';
    h->len = req->body_len;
    h->token = token ? strdup(token) : NULL;
    snprintf(h->content_type, sizeof h->content_type, "%s", type ? type : "");
    snprintf(h->path, sizeof h->path, "%s", req->url);
  }
  pthread_mutex_unlock(&r->lock);
  struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
  enum MHD_Result ret = MHD_queue_response(c, (unsigned)atomic_load(&r->answer), resp);
  MHD_destroy_response(resp);
  return ret;
}

static size_t s_hook_count(s_receiver *r)
{
  pthread_mutex_lock(&r->lock);
  size_t n = r->count;
  pthread_mutex_unlock(&r->lock);
  return n;
}

/* ---- the fixture ---- */

static _Atomic int64_t s_clock_ms;

static int64_t s_clock(void *ctx)
{
  (void)ctx;
  return atomic_load(&s_clock_ms);
}

typedef struct {
  plaid_sim *sim;
  s_receiver rx;
  char hook_url[128];   /* where the items' webhooks go */
  plaid_client *client; /* Mynt's Plaid client, pointed at the simulator: it fetches the keys */
  plaid_webhook_keys *keys;
  plaid_webhook_client_source from;
  plaid_webhook_key_source source;
} s_fixture;

static int s_setup(void **state)
{
  s_fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  atomic_store(&s_clock_ms, S_T0_MS);
  plaid_sim_config cfg = {.client_id = S_CLIENT_ID, .secret = S_SECRET, .now_ms = s_clock};
  assert_int_equal(plaid_sim_new(&cfg, &f->sim), MYNT_OK);
  pthread_mutex_init(&f->rx.lock, NULL);
  atomic_store(&f->rx.answer, 200);
  http_server_options opts = {
    .handler = s_on_hook, .ctx = &f->rx, .thread_per_connection = true, .connection_timeout_s = 10};
  assert_int_equal(http_server_new(&opts, NULL, &f->rx.server), MYNT_OK);
  snprintf(f->hook_url, sizeof f->hook_url, "http://127.0.0.1:%u/webhooks/plaid",
           (unsigned)http_server_port(f->rx.server));

  plaid_config pc;
  memset(&pc, 0, sizeof pc);
  snprintf(pc.base_url, sizeof pc.base_url, "http://127.0.0.1:%u", (unsigned)plaid_sim_port(f->sim));
  snprintf(pc.client_id, sizeof pc.client_id, "%s", S_CLIENT_ID);
  snprintf(pc.secret, sizeof pc.secret, "%s", S_SECRET);
  assert_int_equal(plaid_client_new(&pc, &f->client), MYNT_OK);
  assert_int_equal(plaid_webhook_keys_new(&f->keys), MYNT_OK);
  f->from = (plaid_webhook_client_source){.client = f->client};
  f->source = (plaid_webhook_key_source){plaid_webhook_fetch_from_client, &f->from};
  *state = f;
  return 0;
}

static int s_teardown(void **state)
{
  s_fixture *f = *state;
  plaid_sim_free(f->sim);
  http_server_free(f->rx.server);
  for(size_t i = 0; i < f->rx.count; i++) {
    free(f->rx.hooks[i].body);
    free(f->rx.hooks[i].token);
  }
  pthread_mutex_destroy(&f->rx.lock);
  plaid_webhook_keys_free(f->keys);
  plaid_client_free(f->client);
  free(f);
  return 0;
}

/* ---- talking to the simulator ---- */

static const char *const s_plaid_headers[] = {"PLAID-CLIENT-ID: " S_CLIENT_ID, "PLAID-SECRET: " S_SECRET,
                                              "Plaid-Version: 2020-09-14", NULL};

/* Sends method path with body (taken over; NULL = none); plaid adds Plaid's key headers. */
static sim_reply s_send(s_fixture *f, const char *method, const char *path, json_t *body, bool plaid)
{
  return sim_client_json(f->sim, method, path, body, plaid ? s_plaid_headers : NULL);
}

static sim_reply s_plaid(s_fixture *f, const char *path, json_t *body)
{
  return s_send(f, "POST", path, body, true);
}

/* Makes an item (webhook NULL = none) with the products given; writes its id; returns its access token. */
static char *s_item_with(s_fixture *f, const char *webhook, const char *product, char item_id[64])
{
  json_t *options = json_object();
  if(webhook)
    json_object_set_new(options, "webhook", json_string(webhook));
  return sim_client_sandbox_item(
    f->sim, s_plaid_headers,
    json_pack("{s:s, s:[s], s:o}", "institution_id", "ins_109508", "initial_products", product, "options", options),
    item_id);
}

static char *s_item(s_fixture *f, const char *webhook, char item_id[64])
{
  return s_item_with(f, webhook, "transactions", item_id);
}

static void s_fire(s_fixture *f, const char *access, const char *type, const char *code)
{
  json_t *body = json_pack("{s:s, s:s}", "access_token", access, "webhook_code", code);
  if(type)
    json_object_set_new(body, "webhook_type", json_string(type));
  sim_reply r = s_plaid(f, "/sandbox/item/fire_webhook", body);
  sim_reply_expect_ok(&r);
  assert_true(json_is_true(json_object_get(r.body, "webhook_fired")));
  json_decref(r.body);
}

/* POST /sim/items/{item_id}/webhook with body (taken over); expects 200. */
static void s_admin_hook(s_fixture *f, const char *item_id, json_t *body)
{
  char path[128];
  snprintf(path, sizeof path, "/sim/items/%s/webhook", item_id);
  sim_reply r = s_send(f, "POST", path, body, false);
  sim_reply_expect_ok(&r);
  json_decref(r.body);
}

/* Waits (at most 10 s) until the log holds at least n deliveries and none is pending; returns its webhooks array
 * (caller json_decref). */
static json_t *s_wait_log(s_fixture *f, size_t n)
{
  const int64_t deadline = clock_mono_ms() + 10000;
  for(;;) {
    sim_reply r = s_send(f, "GET", "/sim/webhooks", NULL, false);
    sim_reply_expect_ok(&r);
    json_t *list = json_object_get(r.body, "webhooks");
    assert_true(json_is_array(list));
    if(json_array_size(list) >= n && json_integer_value(json_object_get(r.body, "pending")) == 0) {
      json_incref(list);
      json_decref(r.body);
      return list;
    }
    json_decref(r.body);
    if(clock_mono_ms() > deadline)
      fail_msg("the simulator logged fewer than %zu deliveries in 10 s", n);
    clock_sleep_ms(20);
  }
}

/* Verifies the i-th webhook received with Mynt's verifier at now_s, with a fresh key cache that fetches from the
 * simulator's /webhook_verification_key/get. */
static mynt_status s_verify_at(s_fixture *f, size_t i, int64_t now_s, mynt_detail *why)
{
  plaid_webhook_keys *keys = NULL;
  assert_int_equal(plaid_webhook_keys_new(&keys), MYNT_OK);
  const s_hook *h = &f->rx.hooks[i];
  mynt_status st = plaid_webhook_verify(keys, &f->source, h->token, h->body, h->len, now_s, why);
  plaid_webhook_keys_free(keys);
  return st;
}

/* The kid in the header of the i-th webhook's token. */
static void s_kid_of(s_fixture *f, size_t i, char out[128])
{
  const char *token = f->rx.hooks[i].token;
  const char *dot = strchr(token, '.');
  assert_non_null(dot);
  json_t *header = NULL;
  assert_int_equal(json_from_b64url(token, (size_t)(dot - token), 1024, &header), MYNT_OK);
  assert_string_equal(json_member_string(header, "alg"), "ES256");
  assert_string_equal(json_member_string(header, "typ"), "JWT");
  snprintf(out, 128, "%s", json_member_string(header, "kid"));
  json_decref(header);
}

/* ---- tests ---- */

/* Every kind of webhook the simulator sends verifies with Mynt's verifier and parses as what was asked for. */
static void test_every_webhook_verifies_with_the_key_plaid_serves(void **state)
{
  s_fixture *f = *state;
  char item_id[64];
  char *access = s_item(f, f->hook_url, item_id);
  static const char *const item_codes[] = {
    "LOGIN_REPAIRED",       "PENDING_DISCONNECT",     "PENDING_EXPIRATION",          "USER_PERMISSION_REVOKED",
    "USER_ACCOUNT_REVOKED", "NEW_ACCOUNTS_AVAILABLE", "WEBHOOK_UPDATE_ACKNOWLEDGED", "ERROR"};
  s_fire(f, access, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE");
  s_fire(f, access, NULL, "DEFAULT_UPDATE");
  for(size_t i = 0; i < sizeof item_codes / sizeof item_codes[0]; i++)
    s_admin_hook(f, item_id, json_pack("{s:s, s:s}", "webhook_type", "ITEM", "webhook_code", item_codes[i]));
  const size_t n = 2 + sizeof item_codes / sizeof item_codes[0];
  json_t *log = s_wait_log(f, n);
  assert_int_equal(json_array_size(log), n);
  assert_int_equal(s_hook_count(&f->rx), n);

  for(size_t i = 0; i < n; i++) {
    const s_hook *h = &f->rx.hooks[i];
    json_t *entry = json_array_get(log, i);
    mynt_detail why = {0};
    if(s_verify_at(f, i, S_T0, &why) != MYNT_OK)
      fail_msg("webhook %zu (%s) did not verify: %s", i, json_member_string(entry, "webhook_code"),
               mynt_detail_text(&why));
    plaid_webhook_event ev;
    assert_int_equal(plaid_webhook_parse(h->body, h->len, &ev, NULL), MYNT_OK);
    assert_string_equal(ev.item_id, item_id);
    assert_string_equal(ev.webhook_type, json_member_string(entry, "webhook_type"));
    assert_string_equal(ev.webhook_code, json_member_string(entry, "webhook_code"));
    assert_string_equal(h->path, "/webhooks/plaid");
    assert_non_null(strstr(h->content_type, "application/json"));
    /* Plaid's bytes: 2-space-indented JSON, from the sandbox. */
    assert_non_null(strstr(h->body, "{\n  \"webhook_type\": "));
    json_t *body = json_loadb(h->body, h->len, 0, NULL);
    assert_string_equal(json_member_string(body, "environment"), "sandbox");
    assert_int_equal(json_integer_value(json_object_get(entry, "status")), 200);
    assert_string_equal(json_member_string(entry, "url"), f->hook_url);
    assert_string_equal(json_member_string(entry, "item_id"), item_id);
    assert_string_equal(json_member_string(entry, "delivered_at"), "2025-06-15T12:00:00Z");
    char kid[128];
    s_kid_of(f, i, kid);
    assert_string_equal(json_member_string(entry, "key_id"), kid);
    const char *code = ev.webhook_code;
    if(strcmp(code, "SYNC_UPDATES_AVAILABLE") == 0) {
      assert_true(json_is_true(json_object_get(body, "initial_update_complete")));
      assert_true(json_is_true(json_object_get(body, "historical_update_complete")));
    }
    else if(strcmp(code, "ERROR") == 0) {
      assert_string_equal(ev.error_code, "ITEM_LOGIN_REQUIRED");
      assert_string_equal(json_member_string(json_object_get(body, "error"), "error_type"), "ITEM_ERROR");
    }
    else if(strcmp(code, "PENDING_EXPIRATION") == 0) {
      assert_string_equal(json_member_string(body, "consent_expiration_time"), "2025-06-22T12:00:00Z");
    }
    else if(strcmp(code, "PENDING_DISCONNECT") == 0) {
      assert_string_equal(json_member_string(body, "disconnect_time"), "2025-06-22T12:00:00Z");
      assert_string_equal(json_member_string(body, "reason"), "INSTITUTION_TOKEN_EXPIRATION");
    }
    else if(strcmp(code, "USER_ACCOUNT_REVOKED") == 0) {
      assert_int_equal(strlen(json_member_string(body, "account_id")), 37);
    }
    else if(strcmp(code, "USER_PERMISSION_REVOKED") == 0) {
      assert_string_equal(ev.error_code, "USER_PERMISSION_REVOKED");
    }
    else if(strcmp(code, "WEBHOOK_UPDATE_ACKNOWLEDGED") == 0) {
      assert_string_equal(ev.new_webhook_url, f->hook_url);
    }
    else if(strcmp(code, "DEFAULT_UPDATE") == 0) {
      assert_string_equal(ev.webhook_type, "TRANSACTIONS");
      assert_true(json_is_integer(json_object_get(body, "new_transactions")));
    }
    json_decref(body);
  }
  json_decref(log);
  free(access);
}

/* The signature covers the exact bytes: any change to the body, or a replay past 5 minutes, is refused. */
static void test_a_tampered_or_stale_webhook_fails_verification(void **state)
{
  s_fixture *f = *state;
  char item_id[64];
  char *access = s_item(f, f->hook_url, item_id);
  s_fire(f, access, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE");
  json_decref(s_wait_log(f, 1));
  assert_int_equal(s_verify_at(f, 0, S_T0, NULL), MYNT_OK);

  s_hook *h = &f->rx.hooks[0];
  char *original = strdup(h->body);
  char *flag = strstr(h->body, "true");
  assert_non_null(flag);
  memcpy(flag, "TRUE", 4);
  mynt_detail why = {0};
  assert_int_equal(s_verify_at(f, 0, S_T0, &why), MYNT_UNAUTHORIZED);
  assert_non_null(strstr(mynt_detail_text(&why), "request_body_sha256"));

  /* The same JSON re-serialised compactly is other bytes: refused too. */
  json_t *parsed = json_loads(original, 0, NULL);
  char *compact = json_dumps(parsed, JSON_COMPACT);
  free(h->body);
  h->body = compact;
  h->len = strlen(compact);
  assert_int_equal(s_verify_at(f, 0, S_T0, NULL), MYNT_UNAUTHORIZED);
  free(h->body);
  h->body = original;
  h->len = strlen(original);
  json_decref(parsed);

  /* iat is the simulator's clock at delivery: 5 minutes later the token is too old. */
  assert_int_equal(s_verify_at(f, 0, S_T0 + PLAID_WEBHOOK_MAX_AGE_S, NULL), MYNT_OK);
  assert_int_equal(s_verify_at(f, 0, S_T0 + PLAID_WEBHOOK_MAX_AGE_S + 1, &why), MYNT_UNAUTHORIZED);
  assert_non_null(strstr(mynt_detail_text(&why), "older than 5 minutes"));
  free(access);
}

/* /webhook_verification_key/get answers Plaid's JWK shape, and Plaid's errors. */
static void test_key_get_answers_the_jwk_and_plaids_errors(void **state)
{
  s_fixture *f = *state;
  char item_id[64], kid[128];
  char *access = s_item(f, f->hook_url, item_id);
  s_fire(f, access, NULL, "LOGIN_REPAIRED");
  json_decref(s_wait_log(f, 1));
  s_kid_of(f, 0, kid);

  sim_reply r = s_plaid(f, "/webhook_verification_key/get", json_pack("{s:s}", "key_id", kid));
  sim_reply_expect_ok(&r);
  assert_non_null(json_member_string(r.body, "request_id"));
  json_t *key = json_object_get(r.body, "key");
  static const char *const members[] = {"alg", "created_at", "crv", "expired_at", "kid", "kty", "use", "x", "y"};
  assert_int_equal(json_object_size(key), sizeof members / sizeof members[0]);
  for(size_t i = 0; i < sizeof members / sizeof members[0]; i++)
    assert_non_null(json_object_get(key, members[i]));
  assert_string_equal(json_member_string(key, "alg"), "ES256");
  assert_string_equal(json_member_string(key, "crv"), "P-256");
  assert_string_equal(json_member_string(key, "kty"), "EC");
  assert_string_equal(json_member_string(key, "use"), "sig");
  assert_string_equal(json_member_string(key, "kid"), kid);
  assert_int_equal(json_integer_value(json_object_get(key, "created_at")), S_T0);
  assert_true(json_is_null(json_object_get(key, "expired_at")));
  assert_null(json_object_get(key, "d"));
  assert_int_equal(plaid_webhook_keys_add(f->keys, key, NULL), MYNT_OK);
  json_decref(r.body);

  r = s_plaid(f, "/webhook_verification_key/get", json_pack("{s:s}", "key_id", "6c5516e1-92dc-479e-a8ff-5a51992e0001"));
  sim_reply_expect_error(&r, 400, "INVALID_INPUT", "INVALID_WEBHOOK_VERIFICATION_KEY_ID");
  r = s_plaid(f, "/webhook_verification_key/get", json_object());
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "MISSING_FIELDS");
  r = s_plaid(f, "/webhook_verification_key/get", json_pack("{s:i}", "key_id", 7));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_plaid(f, "/webhook_verification_key/get", json_pack("{s:s, s:s}", "key_id", kid, "kid", kid));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "UNKNOWN_FIELDS");
  r = s_send(f, "POST", "/webhook_verification_key/get", json_pack("{s:s}", "key_id", kid), false);
  sim_reply_expect_error(&r, 400, "INVALID_INPUT", "INVALID_API_KEYS");
  /* client_id and secret in the body work as in the headers. */
  r = s_send(f, "POST", "/webhook_verification_key/get",
             json_pack("{s:s, s:s, s:s}", "client_id", S_CLIENT_ID, "secret", S_SECRET, "key_id", kid), false);
  sim_reply_expect_ok(&r);
  json_decref(r.body);
  free(access);
}

/* After a rotation webhooks are signed with the new key; the old one keeps verifying until its expired_at. */
static void test_rotation_keeps_the_old_key_verifying_until_it_expires(void **state)
{
  s_fixture *f = *state;
  char item_id[64], old_kid[128], new_kid[128];
  char *access = s_item(f, f->hook_url, item_id);
  s_fire(f, access, NULL, "NEW_ACCOUNTS_AVAILABLE");
  json_decref(s_wait_log(f, 1));
  s_kid_of(f, 0, old_kid);

  sim_reply r = s_send(f, "POST", "/sim/webhook_key/rotate", json_pack("{s:i}", "grace_s", 120), false);
  sim_reply_expect_ok(&r);
  assert_string_equal(json_member_string(r.body, "previous_key_id"), old_kid);
  assert_string_not_equal(json_member_string(r.body, "key_id"), old_kid);
  assert_int_equal(json_integer_value(json_object_get(r.body, "previous_expired_at")), S_T0 + 120);
  json_decref(r.body);

  s_fire(f, access, NULL, "NEW_ACCOUNTS_AVAILABLE");
  json_decref(s_wait_log(f, 2));
  s_kid_of(f, 1, new_kid);
  assert_string_not_equal(new_kid, old_kid);
  assert_int_equal(s_verify_at(f, 1, S_T0, NULL), MYNT_OK);

  r = s_plaid(f, "/webhook_verification_key/get", json_pack("{s:s}", "key_id", old_kid));
  sim_reply_expect_ok(&r);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(r.body, "key"), "expired_at")), S_T0 + 120);
  json_decref(r.body);
  r = s_plaid(f, "/webhook_verification_key/get", json_pack("{s:s}", "key_id", new_kid));
  sim_reply_expect_ok(&r);
  assert_true(json_is_null(json_object_get(json_object_get(r.body, "key"), "expired_at")));
  json_decref(r.body);

  /* The webhook signed before the rotation: still good, then refused once the old key has expired. */
  assert_int_equal(s_verify_at(f, 0, S_T0 + 119, NULL), MYNT_OK);
  mynt_detail why = {0};
  assert_int_equal(s_verify_at(f, 0, S_T0 + 120, &why), MYNT_UNAUTHORIZED);
  assert_non_null(strstr(mynt_detail_text(&why), "expired"));

  /* grace_s 0 retires the key at once; bad values are refused. */
  r = s_send(f, "POST", "/sim/webhook_key/rotate", json_pack("{s:i}", "grace_s", 0), false);
  sim_reply_expect_ok(&r);
  assert_string_equal(json_member_string(r.body, "previous_key_id"), new_kid);
  json_decref(r.body);
  assert_int_equal(s_verify_at(f, 1, S_T0, NULL), MYNT_UNAUTHORIZED);
  r = s_send(f, "POST", "/sim/webhook_key/rotate", json_pack("{s:i}", "grace_s", 86401), false);
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_send(f, "POST", "/sim/webhook_key/rotate", json_pack("{s:s}", "grace_s", "60"), false);
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_send(f, "GET", "/sim/webhook_key/rotate", NULL, false);
  sim_reply_expect_error(&r, 405, "INVALID_REQUEST", "INVALID_HTTP_METHOD");
  /* Without a body the default grace applies. */
  r = s_send(f, "POST", "/sim/webhook_key/rotate", NULL, false);
  sim_reply_expect_ok(&r);
  assert_int_equal(json_integer_value(json_object_get(r.body, "previous_expired_at")), S_T0 + 300);
  json_decref(r.body);
  free(access);
}

/* /sandbox/item/fire_webhook validates as Plaid documents it, and a refused call sends nothing. */
static void test_fire_webhook_validates_like_plaid(void **state)
{
  s_fixture *f = *state;
  char item_id[64], bare_id[64];
  char *access = s_item(f, f->hook_url, item_id);
  char *bare = s_item(f, NULL, bare_id);
  sim_reply r = s_plaid(f, "/sandbox/item/fire_webhook", json_pack("{s:s}", "access_token", access));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "MISSING_FIELDS");
  r = s_plaid(f, "/sandbox/item/fire_webhook", json_pack("{s:s, s:s}", "access_token", access, "webhook_code", "NOPE"));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_plaid(
    f, "/sandbox/item/fire_webhook",
    json_pack("{s:s, s:s, s:s}", "access_token", access, "webhook_code", "DEFAULT_UPDATE", "webhook_type", "BANANAS"));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_plaid(f, "/sandbox/item/fire_webhook",
              json_pack("{s:s, s:s, s:s}", "access_token", access, "webhook_code", "SYNC_UPDATES_AVAILABLE",
                        "webhook_type", "ITEM"));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_plaid(f, "/sandbox/item/fire_webhook",
              json_pack("{s:s, s:s, s:s}", "access_token", access, "webhook_code", "LOGIN_REPAIRED", "url", "x"));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "UNKNOWN_FIELDS");
  r = s_plaid(f, "/sandbox/item/fire_webhook",
              json_pack("{s:s, s:s}", "access_token", "access-sandbox-nope", "webhook_code", "LOGIN_REPAIRED"));
  sim_reply_expect_error(&r, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN");
  r = s_plaid(f, "/sandbox/item/fire_webhook",
              json_pack("{s:s, s:s}", "access_token", bare, "webhook_code", "LOGIN_REPAIRED"));
  sim_reply_expect_error(&r, 400, "SANDBOX_ERROR", "SANDBOX_WEBHOOK_INVALID");
  r = s_plaid(f, "/sandbox/item/fire_webhook",
              json_pack("{s:s, s:s}", "access_token", access, "webhook_code", "RECURRING_TRANSACTIONS_UPDATE"));
  sim_reply_expect_error(&r, 400, "SANDBOX_ERROR", "SANDBOX_PRODUCT_NOT_ENABLED");
  r = s_plaid(
    f, "/sandbox/item/fire_webhook",
    json_pack("{s:s, s:s, s:s}", "access_token", access, "webhook_code", "DEFAULT_UPDATE", "webhook_type", "AUTH"));
  sim_reply_expect_error(&r, 400, "SANDBOX_ERROR", "SANDBOX_PRODUCT_NOT_ENABLED");
  r = s_plaid(f, "/sandbox/item/fire_webhook",
              json_pack("{s:s, s:s}", "access_token", access, "webhook_code", "PRODUCT_READY"));
  sim_reply_expect_error(&r, 400, "SANDBOX_ERROR", "SANDBOX_PRODUCT_NOT_ENABLED");
  r = s_send(f, "POST", "/sandbox/item/fire_webhook",
             json_pack("{s:s, s:s}", "access_token", access, "webhook_code", "LOGIN_REPAIRED"), false);
  sim_reply_expect_error(&r, 400, "INVALID_INPUT", "INVALID_API_KEYS");
  /* Nothing was sent for any of them. */
  clock_sleep_ms(100);
  assert_int_equal(s_hook_count(&f->rx), 0);

  /* An auth item can fire AUTH's DEFAULT_UPDATE; the codes that are ITEM's accept webhook_type ITEM. */
  char auth_id[64];
  char *auth = s_item_with(f, f->hook_url, "auth", auth_id);
  s_fire(f, auth, "AUTH", "DEFAULT_UPDATE");
  s_fire(f, access, "ITEM", "USER_PERMISSION_REVOKED");
  json_t *log = s_wait_log(f, 2);
  assert_int_equal(json_array_size(log), 2);
  assert_string_equal(json_member_string(json_array_get(log, 0), "webhook_type"), "AUTH");
  assert_string_equal(json_member_string(json_array_get(log, 0), "item_id"), auth_id);
  assert_string_equal(json_member_string(json_array_get(log, 1), "webhook_code"), "USER_PERMISSION_REVOKED");
  json_decref(log);
  free(auth);
  free(access);
  free(bare);
}

/* The log says how each delivery went: the receiver's status, or why nothing was answered. */
static void test_delivery_log_records_statuses_and_failures(void **state)
{
  s_fixture *f = *state;
  char item_id[64], gone_id[64];
  char *access = s_item(f, f->hook_url, item_id);
  atomic_store(&f->rx.answer, 500);
  s_fire(f, access, NULL, "LOGIN_REPAIRED");
  json_t *log = s_wait_log(f, 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(log, 0), "status")), 500);
  json_decref(log);
  atomic_store(&f->rx.answer, 200);

  /* A port nothing listens on any more. */
  http_server_options opts = {.handler = s_on_hook, .ctx = &f->rx};
  http_server *closed = NULL;
  assert_int_equal(http_server_new(&opts, NULL, &closed), MYNT_OK);
  char url[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%u/hook", (unsigned)http_server_port(closed));
  http_server_free(closed);
  char *gone = s_item(f, url, gone_id);
  s_fire(f, gone, NULL, "PENDING_DISCONNECT");
  log = s_wait_log(f, 2);
  json_t *e = json_array_get(log, 1);
  assert_string_equal(json_member_string(e, "status"), "connect_failed");
  assert_string_equal(json_member_string(e, "item_id"), gone_id);
  assert_string_equal(json_member_string(e, "url"), url);
  assert_string_equal(json_member_string(e, "webhook_type"), "ITEM");
  assert_string_equal(json_member_string(e, "webhook_code"), "PENDING_DISCONNECT");
  assert_true(json_integer_value(json_object_get(e, "id")) >
              json_integer_value(json_object_get(json_array_get(log, 0), "id")));
  json_decref(log);

  /* The request that causes a webhook never waits for its delivery. */
  atomic_store(&f->rx.delay_ms, 1500);
  const int64_t start = clock_mono_ms();
  s_fire(f, access, NULL, "LOGIN_REPAIRED");
  assert_true(clock_mono_ms() - start < 1000);
  log = s_wait_log(f, 3);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(log, 2), "status")), 200);
  json_decref(log);
  free(access);
  free(gone);
}

/* POST /sim/webhooks/drop {count} loses the next count deliveries, logged as dropped. */
static void test_drop_knob_loses_the_next_deliveries(void **state)
{
  s_fixture *f = *state;
  char item_id[64];
  char *access = s_item(f, f->hook_url, item_id);
  sim_reply r = s_send(f, "POST", "/sim/webhooks/drop", json_pack("{s:i}", "count", 2), false);
  sim_reply_expect_ok(&r);
  json_decref(r.body);
  s_fire(f, access, NULL, "LOGIN_REPAIRED");
  s_fire(f, access, NULL, "NEW_ACCOUNTS_AVAILABLE");
  s_fire(f, access, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE");
  json_t *log = s_wait_log(f, 3);
  assert_string_equal(json_member_string(json_array_get(log, 0), "status"), "dropped");
  assert_string_equal(json_member_string(json_array_get(log, 1), "status"), "dropped");
  assert_int_equal(json_integer_value(json_object_get(json_array_get(log, 2), "status")), 200);
  json_decref(log);
  assert_int_equal(s_hook_count(&f->rx), 1);
  plaid_webhook_event ev;
  assert_int_equal(plaid_webhook_parse(f->rx.hooks[0].body, f->rx.hooks[0].len, &ev, NULL), MYNT_OK);
  assert_string_equal(ev.webhook_code, "SYNC_UPDATES_AVAILABLE");

  r = s_send(f, "POST", "/sim/webhooks/drop", json_pack("{s:i}", "count", -1), false);
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_send(f, "POST", "/sim/webhooks/drop", json_object(), false);
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_send(f, "GET", "/sim/webhooks", NULL, false);
  sim_reply_expect_ok(&r);
  assert_int_equal(json_integer_value(json_object_get(r.body, "dropping")), 0);
  json_decref(r.body);
  free(access);
}

/* SYNC_UPDATES_AVAILABLE follows the history hold and data changes, only once /transactions/sync has been called. */
static void test_sync_updates_follow_the_history_once_synced(void **state)
{
  s_fixture *f = *state;
  char item_id[64], idle_id[64], path[160];
  char *access = s_item(f, f->hook_url, item_id);
  char *idle = s_item(f, f->hook_url, idle_id);
  snprintf(path, sizeof path, "/sim/items/%s/sync", item_id);
  sim_reply r = s_send(f, "POST", path, json_pack("{s:s}", "history", "none"), false);
  sim_reply_expect_ok(&r);
  json_decref(r.body);
  r = s_plaid(f, "/transactions/sync", json_pack("{s:s}", "access_token", access));
  sim_reply_expect_ok(&r);
  assert_string_equal(json_member_string(r.body, "transactions_update_status"), "NOT_READY");
  json_decref(r.body);

  r = s_send(f, "POST", path, json_pack("{s:s}", "history", "initial"), false);
  sim_reply_expect_ok(&r);
  json_decref(r.body);
  json_decref(s_wait_log(f, 1));
  r = s_send(f, "POST", path, json_pack("{s:s}", "history", "complete"), false);
  sim_reply_expect_ok(&r);
  json_decref(r.body);
  json_decref(s_wait_log(f, 2));

  /* The other item was never synced: its history moving says nothing. */
  char idle_path[160];
  snprintf(idle_path, sizeof idle_path, "/sim/items/%s/sync", idle_id);
  r = s_send(f, "POST", idle_path, json_pack("{s:s}", "history", "none"), false);
  json_decref(r.body);
  r = s_send(f, "POST", idle_path, json_pack("{s:s}", "history", "complete"), false);
  json_decref(r.body);
  char changes[160];
  snprintf(changes, sizeof changes, "/sim/items/%s/transactions", idle_id);
  r = s_send(f, "POST", changes, json_pack("{s:[{s:f, s:s}]}", "added", "amount", 4.5, "name", "IDLE CAFE"), false);
  sim_reply_expect_ok(&r);
  json_decref(r.body);

  /* New data on the synced item: /sim changes and /sandbox/transactions/create. */
  snprintf(changes, sizeof changes, "/sim/items/%s/transactions", item_id);
  r = s_send(f, "POST", changes, json_pack("{s:[{s:f, s:s}]}", "added", "amount", 3.5, "name", "HOOK BAKERY"), false);
  sim_reply_expect_ok(&r);
  json_decref(r.body);
  r = s_plaid(f, "/sandbox/transactions/create",
              json_pack("{s:s, s:[{s:s, s:s, s:f, s:s}]}", "access_token", access, "transactions", "date_transacted",
                        "2025-06-14", "date_posted", "2025-06-15", "amount", 9.99, "description", "SANDBOX HOOK"));
  sim_reply_expect_ok(&r);
  json_decref(r.body);
  json_t *log = s_wait_log(f, 4);
  clock_sleep_ms(100);
  json_decref(log);
  log = s_wait_log(f, 4);
  assert_int_equal(json_array_size(log), 4);
  static const bool initial[] = {true, true, true, true}, historical[] = {false, true, true, true};
  for(size_t i = 0; i < 4; i++) {
    assert_string_equal(json_member_string(json_array_get(log, i), "item_id"), item_id);
    json_t *body = json_loadb(f->rx.hooks[i].body, f->rx.hooks[i].len, 0, NULL);
    assert_string_equal(json_member_string(body, "webhook_code"), "SYNC_UPDATES_AVAILABLE");
    assert_int_equal(json_is_true(json_object_get(body, "initial_update_complete")), initial[i]);
    assert_int_equal(json_is_true(json_object_get(body, "historical_update_complete")), historical[i]);
    json_decref(body);
    assert_int_equal(s_verify_at(f, i, S_T0, NULL), MYNT_OK);
  }
  json_decref(log);
  free(access);
  free(idle);
}

/* ITEM ERROR ITEM_LOGIN_REQUIRED puts the item in that state and LOGIN_REPAIRED takes it out; reset_login fires the
 * ERROR webhook; the knob refuses what it cannot send. */
static void test_item_webhooks_move_the_login_state(void **state)
{
  s_fixture *f = *state;
  char item_id[64], path[160];
  char *access = s_item(f, f->hook_url, item_id);
  s_admin_hook(f, item_id, json_pack("{s:s, s:s}", "webhook_type", "ITEM", "webhook_code", "ERROR"));
  sim_reply r = s_plaid(f, "/accounts/get", json_pack("{s:s}", "access_token", access));
  sim_reply_expect_error(&r, 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED");
  s_admin_hook(f, item_id, json_pack("{s:s, s:s}", "webhook_type", "ITEM", "webhook_code", "LOGIN_REPAIRED"));
  r = s_plaid(f, "/accounts/get", json_pack("{s:s}", "access_token", access));
  sim_reply_expect_ok(&r);
  json_decref(r.body);
  /* Another error code is only announced. */
  s_admin_hook(f, item_id,
               json_pack("{s:s, s:s, s:{s:s}}", "webhook_type", "ITEM", "webhook_code", "ERROR", "error", "error_code",
                         "INSTITUTION_DOWN"));
  r = s_plaid(f, "/accounts/get", json_pack("{s:s}", "access_token", access));
  sim_reply_expect_ok(&r);
  json_decref(r.body);
  r = s_plaid(f, "/sandbox/item/reset_login", json_pack("{s:s}", "access_token", access));
  sim_reply_expect_ok(&r);
  json_decref(r.body);
  json_t *log = s_wait_log(f, 4);
  static const char *const codes[] = {"ERROR", "LOGIN_REPAIRED", "ERROR", "ERROR"};
  static const char *const errors[] = {"ITEM_LOGIN_REQUIRED", "", "INSTITUTION_DOWN", "ITEM_LOGIN_REQUIRED"};
  for(size_t i = 0; i < 4; i++) {
    plaid_webhook_event ev;
    assert_int_equal(plaid_webhook_parse(f->rx.hooks[i].body, f->rx.hooks[i].len, &ev, NULL), MYNT_OK);
    assert_string_equal(ev.webhook_code, codes[i]);
    assert_string_equal(ev.error_code, errors[i]);
  }
  json_decref(log);

  /* WEBHOOK_UPDATE_ACKNOWLEDGED with a new URL goes there, and the item keeps it. */
  char moved[192];
  snprintf(moved, sizeof moved, "%s/moved", f->hook_url);
  s_admin_hook(f, item_id,
               json_pack("{s:s, s:s, s:s}", "webhook_type", "ITEM", "webhook_code", "WEBHOOK_UPDATE_ACKNOWLEDGED",
                         "new_webhook_url", moved));
  s_fire(f, access, NULL, "LOGIN_REPAIRED");
  log = s_wait_log(f, 6);
  assert_string_equal(f->rx.hooks[4].path, "/webhooks/plaid/moved");
  assert_string_equal(f->rx.hooks[5].path, "/webhooks/plaid/moved");
  json_decref(log);

  snprintf(path, sizeof path, "/sim/items/%s/webhook", item_id);
  r = s_send(f, "POST", path, json_pack("{s:s, s:s}", "webhook_type", "ITEM", "webhook_code", "SYNC_UPDATES_AVAILABLE"),
             false);
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_send(f, "POST", path,
             json_pack("{s:s, s:s, s:{s:s}}", "webhook_type", "ITEM", "webhook_code", "ERROR", "error", "error_code",
                       "lower case"),
             false);
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_send(f, "POST", path,
             json_pack("{s:s, s:s, s:s}", "webhook_type", "ITEM", "webhook_code", "USER_ACCOUNT_REVOKED", "account_id",
                       "not-an-account"),
             false);
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_send(f, "POST", "/sim/items/NoSuchItem/webhook",
             json_pack("{s:s, s:s}", "webhook_type", "ITEM", "webhook_code", "LOGIN_REPAIRED"), false);
  sim_reply_expect_error(&r, 404, "INVALID_INPUT", "ITEM_NOT_FOUND");
  free(access);
}

/* /link/token/create takes a webhook only when it is a URL, and the item made from the token sends to it. */
static void test_link_token_webhook_is_validated_and_kept(void **state)
{
  s_fixture *f = *state;
  static const char *const bad[] = {
    "ftp://example.com/hook", "http://", "https://exa mple.com", "example.com/hook", "http://example.com:99999/",
    "http://example.com/a b", ""};
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    sim_reply r = s_plaid(f, "/link/token/create",
                          json_pack("{s:s, s:s, s:[s], s:{s:s}, s:[s], s:s}", "client_name", "Mynt", "language", "en",
                                    "country_codes", "US", "user", "client_user_id", "u1", "products", "transactions",
                                    "webhook", bad[i]));
    if(r.status != 400)
      fail_msg("webhook \"%s\" was accepted", bad[i]);
    sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  }
  sim_reply r = s_plaid(f, "/link/token/create",
                        json_pack("{s:s, s:s, s:[s], s:{s:s}, s:[s], s:s}", "client_name", "Mynt", "language", "en",
                                  "country_codes", "US", "user", "client_user_id", "u1", "products", "transactions",
                                  "webhook", f->hook_url));
  sim_reply_expect_ok(&r);
  sim_reply done = s_send(f, "POST", "/sim/link/complete",
                          json_pack("{s:s, s:s, s:s, s:s}", "link_token", json_member_string(r.body, "link_token"),
                                    "institution_id", "ins_109509", "username", "user_good", "password", "pass_good"),
                          false);
  sim_reply_expect_ok(&done);
  char item_id[64];
  snprintf(item_id, sizeof item_id, "%s", json_member_string(done.body, "item_id"));
  json_decref(r.body);
  json_decref(done.body);
  s_admin_hook(f, item_id,
               json_pack("{s:s, s:s}", "webhook_type", "TRANSACTIONS", "webhook_code", "SYNC_UPDATES_AVAILABLE"));
  json_t *log = s_wait_log(f, 1);
  assert_string_equal(json_member_string(json_array_get(log, 0), "url"), f->hook_url);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(log, 0), "status")), 200);
  json_decref(log);
  assert_int_equal(s_verify_at(f, 0, S_T0, NULL), MYNT_OK);
}

#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)
UNIT_MAIN("plaid_sim_webhook", unit_curl_setup, unit_curl_teardown,
          {
            T(test_every_webhook_verifies_with_the_key_plaid_serves),
            T(test_a_tampered_or_stale_webhook_fails_verification),
            T(test_key_get_answers_the_jwk_and_plaids_errors),
            T(test_rotation_keeps_the_old_key_verifying_until_it_expires),
            T(test_fire_webhook_validates_like_plaid),
            T(test_delivery_log_records_statuses_and_failures),
            T(test_drop_knob_loses_the_next_deliveries),
            T(test_sync_updates_follow_the_history_once_synced),
            T(test_item_webhooks_move_the_login_state),
            T(test_link_token_webhook_is_validated_and_kept),
          })
