/* test_handlers_webhooks_moto.c - POST /webhooks/plaid through the router and handler: webhooks signed as Plaid
 * signs them change the stored items (moto) and start syncs (a fake Lambda); anything unverified is 401 and changes
 * nothing in the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "apigw/router.h"
#include "aws/dynamodb.h"
#include "aws/lambda.h"
#include "core/arena.h"
#include "core/b64.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/hex.h"
#include "core/logger.h"
#include "crypto/seal.h"
#include "handlers/env.h"
#include "handlers/routes.h"
#include "plaid/webhook.h"
#include "store/items.h"
#include "store/store.h"
#include "support/apigw_forge.h"
#include "support/fake_plaid.h"
#include "support/jwt_forge.h"
#include "support/moto_fixture.h"
#include "support/moto_store.h"
#include "support/fake_lambda.h"

#define PLAID_KID "6c5516e1-92dc-479e-a8ff-5a51992e0001"
#define SYNC_FN   "mynt-test-sync"
#define ITEM_A    "item-a-wz666MBjYWTp2PDzzggYhM6oWWmBb"
#define ITEM_B    "item-b-9QnMMx3RZ4tq5BBnvkL7i5KJaBaaX"
#define USER_A    "0a1b2c3d-user-a"
#define USER_B    "0a1b2c3d-user-b"

typedef struct {
  handlers_env env;
  mynt_arena *arena;
  fake_plaid *plaid;
  seal_keyring *ring;
  EVP_PKEY *key;   /* Plaid's webhook key, kid PLAID_KID, served by the fake Plaid */
  EVP_PKEY *other; /* an attacker's */
  fake_lambda *lambda;
  json_t *invocations; /* every Invoke the fake Lambda accepted so far, in order */
  FILE *log;
} s_fixture;

static int s_setup(void **state)
{
  *state = NULL;
  store *db = NULL;
  s_fixture *fx = moto_store_state_new(sizeof *fx, "mynt-users-webhooks", &db);
  if(!fx)
    return 0;
  fx->env.store = db;
  assert_int_equal(arena_new(4 * 1024 * 1024, &fx->arena), MYNT_OK);
  assert_int_equal(seal_keyring_parse(MOTO_STORE_KEYRING, &fx->ring, NULL), MYNT_OK);
  fx->key = jwt_forge_ec_key();
  fx->other = jwt_forge_ec_key();

  assert_int_equal(fake_plaid_new(&fx->plaid), MYNT_OK);
  fake_plaid_add_webhook_key(fx->plaid, jwt_forge_ec_jwk(fx->key, PLAID_KID));
  plaid_config pcfg = fake_plaid_config(script_server_url(fx->plaid->server), FAKE_PLAID_SECRET);
  assert_int_equal(plaid_client_new(&pcfg, &fx->env.plaid), MYNT_OK);
  assert_int_equal(plaid_webhook_keys_new(&fx->env.webhook_keys), MYNT_OK);

  assert_int_equal(fake_lambda_new(&fx->lambda), MYNT_OK);
  aws_config acfg;
  fake_lambda_config(fx->lambda, &acfg);
  assert_int_equal(lambda_client_new(&acfg, &fx->env.lambda), MYNT_OK);
  fx->invocations = json_array();
  snprintf(fx->env.sync_function, sizeof fx->env.sync_function, "%s", SYNC_FN);

  moto_store_create_item(fx->env.store, fx->ring, USER_A, ITEM_A, "ins_109508", "access-sandbox-webhooks-test");
  moto_store_create_item(fx->env.store, fx->ring, USER_B, ITEM_B, "ins_109509", "access-sandbox-webhooks-test");
  fx->log = tmpfile();
  assert_non_null(fx->log);
  logger_set_output(fx->log);
  *state = fx;
  return 0;
}

static int s_teardown(void **state)
{
  s_fixture *fx = *state;
  if(!fx)
    return 0;
  logger_set_output(NULL);
  fclose(fx->log);
  json_decref(fake_lambda_take(fx->lambda)); /* fails the test if any Invoke broke Lambda's rules */
  json_decref(fx->invocations);
  lambda_client_free(fx->env.lambda);
  fake_lambda_free(fx->lambda);
  plaid_webhook_keys_free(fx->env.webhook_keys);
  plaid_client_free(fx->env.plaid);
  fake_plaid_free(fx->plaid);
  seal_keyring_free(fx->ring);
  EVP_PKEY_free(fx->key);
  EVP_PKEY_free(fx->other);
  moto_store_free(fx->env.store);
  arena_free(fx->arena);
  free(fx);
  return 0;
}

/* A webhook body as Plaid sends it: 2-space indented JSON, keys sorted. error_code NULL: "error": null. malloc'd. */
static char *s_body(const char *type, const char *code, const char *item_id, const char *error_code)
{
  json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "environment", "sandbox", "webhook_type", type, "webhook_code", code,
                           "item_id", item_id);
  assert_non_null(body);
  json_object_set_new(body, "error",
                      error_code
                        ? json_pack("{s:s, s:s, s:s, s:n, s:i}", "error_type", "ITEM_ERROR", "error_code", error_code,
                                    "error_message", "the login details have changed", "display_message", "status", 400)
                        : json_null());
  if(strcmp(type, "TRANSACTIONS") == 0) {
    json_object_set_new(body, "initial_update_complete", json_true());
    json_object_set_new(body, "historical_update_complete", json_false());
  }
  char *text = json_dumps(body, JSON_INDENT(2) | JSON_SORT_KEYS);
  json_decref(body);
  assert_non_null(text);
  return text;
}

/* The lowercase hex SHA-256 of data[0..len), computed here. */
static void s_sha256_hex(const void *data, size_t len, char out[65])
{
  unsigned char digest[32];
  unsigned int n = 0;
  assert_int_equal(EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL), 1);
  hex_encode(digest, n, out);
}

/* The claims of a Plaid-Verification token for body issued at iat. */
static void s_claims(char *out, size_t cap, int64_t iat, const char *body)
{
  char hash[65];
  s_sha256_hex(body, strlen(body), hash);
  snprintf(out, cap, "{\"iat\":%lld,\"request_body_sha256\":\"%s\"}", (long long)iat, hash);
}

/* A Plaid-Verification token for body, signed by key as kid, issued at iat. malloc'd. */
static char *s_token_at(EVP_PKEY *key, const char *kid, int64_t iat, const char *body)
{
  char header[256];
  char claims[256];
  snprintf(header, sizeof header, "{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
  s_claims(claims, sizeof claims, iat, body);
  return jwt_forge_sign_es256(key, header, claims, false);
}

/* Plaid's token for body, issued now. */
static char *s_token(s_fixture *fx, const char *body)
{
  return s_token_at(fx->key, PLAID_KID, clock_epoch_ms() / 1000, body);
}

/* Posts body (sent base64-encoded, as API Gateway does for some content types, when base64) with token as the
 * Plaid-Verification header (none when NULL). Returns the payload. */
static json_t *s_post(s_fixture *fx, const char *body, const char *token, bool base64)
{
  mynt_buf encoded;
  buf_init(&encoded, 1024 * 1024);
  if(base64) {
    assert_int_equal(b64_std_encode_buf(body, strlen(body), &encoded), MYNT_OK);
    assert_int_equal(buf_append(&encoded, "", 1), MYNT_OK);
  }
  json_t *event = apigw_forge_event_new(&(apigw_forge_event){
    .method = "POST",
    .route_key = "POST /webhooks/plaid",
    .path = "/webhooks/plaid",
    .request_id = "api-webhook",
    .content_type = "application/json",
    .headers = token ? json_pack("{s:s}", "plaid-verification", token) : NULL,
    .body = base64 ? encoded.ptr : body,
    .base64 = base64,
  });
  buf_free(&encoded);
  apigw_ctx ctx = {
    .env = &fx->env, .arena = fx->arena, .deadline_ms = clock_epoch_ms() + 8000, .invocation_id = "lambda-webhook"};
  json_t *payload = apigw_forge_serve(routes_table(), "webhooks", &ctx, event);
  arena_reset(fx->arena);
  return payload;
}

/* Asserts that payload is 200 {"received":true}, and frees it. */
static void s_expect_received(json_t *payload)
{
  assert_int_equal(apigw_forge_status(payload), 200);
  json_t *body = apigw_forge_body(payload);
  json_t *want = json_pack("{s:b}", "received", 1);
  assert_true(json_equal(body, want));
  json_decref(want);
  json_decref(body);
  json_decref(payload);
}

/* The whole table as the test sees it: both users' partitions and #ITEMS. */
static json_t *s_table(s_fixture *fx)
{
  return json_pack("{s:o, s:o, s:o}", USER_A, moto_store_records(fx->env.store, USER_A), USER_B,
                   moto_store_records(fx->env.store, USER_B), "#ITEMS", moto_store_records(fx->env.store, "#ITEMS"));
}

/* Fails the test, naming what, unless the table is as before (s_table). */
static void s_assert_table_is(s_fixture *fx, const json_t *before, const char *what)
{
  json_t *now = s_table(fx);
  if(!json_equal(before, now))
    fail_msg("%s: the table changed", what);
  json_decref(now);
}

/* The stored item, read through the store. */
static void s_item(s_fixture *fx, const char *user, const char *item_id, store_item *out)
{
  assert_int_equal(store_item_get(fx->env.store, user, item_id, clock_epoch_ms() + 10000, out), MYNT_OK);
}

/* How many Invokes the fake Lambda accepted so far (each checked as Lambda checks it). */
static int s_invokes(s_fixture *fx)
{
  json_t *taken = fake_lambda_take(fx->lambda);
  json_array_extend(fx->invocations, taken);
  json_decref(taken);
  return (int)json_array_size(fx->invocations);
}

/* Asserts that Invoke i went to SYNC_FN with the mynt_sync event of user's item_id for a webhook. */
static void s_expect_sync_event(s_fixture *fx, int i, const char *user, const char *item_id)
{
  s_invokes(fx);
  json_t *got = json_array_get(fx->invocations, (size_t)i);
  assert_non_null(got);
  json_t *want = json_pack("{s:s, s:{s:{s:s, s:s, s:s}}}", "function", SYNC_FN, "event", "mynt_sync", "user_id", user,
                           "item_id", item_id, "reason", "webhook");
  if(!json_equal(got, want)) {
    char *text = json_dumps(got, JSON_COMPACT);
    fail_msg("Invoke %d was %s", i, text ? text : "(none)");
  }
  json_decref(want);
}

/* The log written so far (the test's logger output), malloc'd. */
static char *s_log_text(s_fixture *fx)
{
  fflush(fx->log);
  long n = ftell(fx->log);
  char *text = calloc(1, (size_t)n + 1);
  assert_non_null(text);
  rewind(fx->log);
  assert_int_equal(fread(text, 1, (size_t)n, fx->log), (size_t)n);
  return text;
}

static void test_webhook_sync_updates_available_starts_a_sync_for_the_owner(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_t *before = s_table(fx);
  char *body = s_body("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", ITEM_A, NULL);
  char *token = s_token(fx, body);
  s_expect_received(s_post(fx, body, token, false));
  assert_int_equal(s_invokes(fx), 1);
  s_expect_sync_event(fx, 0, USER_A, ITEM_A);
  assert_int_equal(fx->plaid->key_requests, 1);

  /* The item's state is the sync's business: the webhook itself changed no record. */
  s_assert_table_is(fx, before, "SYNC_UPDATES_AVAILABLE");

  /* The key is cached for the process: a second webhook signed by it asks Plaid nothing. */
  char *body_b = s_body("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", ITEM_B, NULL);
  char *token_b = s_token(fx, body_b);
  s_expect_received(s_post(fx, body_b, token_b, false));
  assert_int_equal(s_invokes(fx), 2);
  s_expect_sync_event(fx, 1, USER_B, ITEM_B);
  assert_int_equal(fx->plaid->key_requests, 1);
  json_decref(before);
  free(token_b);
  free(body_b);
  free(token);
  free(body);
}

/* Each ITEM code Mynt acts on, from the state it starts in, and what the item becomes. */
static const struct {
  const char *code;
  const char *error_code;
  store_item_status from;
  store_item_status want;
  bool new_accounts;
  bool syncs;
} s_item_codes[] = {
  {"ERROR", "ITEM_LOGIN_REQUIRED", STORE_ITEM_ACTIVE, STORE_ITEM_LOGIN_REQUIRED, false, false},
  {"LOGIN_REPAIRED", NULL, STORE_ITEM_LOGIN_REQUIRED, STORE_ITEM_ACTIVE, false, true},
  {"PENDING_DISCONNECT", NULL, STORE_ITEM_ACTIVE, STORE_ITEM_EXPIRING, false, false},
  {"PENDING_EXPIRATION", NULL, STORE_ITEM_ACTIVE, STORE_ITEM_EXPIRING, false, false},
  {"USER_PERMISSION_REVOKED", NULL, STORE_ITEM_ACTIVE, STORE_ITEM_REVOKED, false, false},
  {"USER_ACCOUNT_REVOKED", NULL, STORE_ITEM_EXPIRING, STORE_ITEM_REVOKED, false, false},
  {"NEW_ACCOUNTS_AVAILABLE", NULL, STORE_ITEM_ACTIVE, STORE_ITEM_ACTIVE, true, false},
  /* Codes Mynt does not act on: the item stays as it was. */
  {"ERROR", "INSTITUTION_DOWN", STORE_ITEM_ACTIVE, STORE_ITEM_ACTIVE, false, false},
  {"WEBHOOK_UPDATE_ACKNOWLEDGED", NULL, STORE_ITEM_LOGIN_REQUIRED, STORE_ITEM_LOGIN_REQUIRED, false, false},
  {"SOMETHING_PLAID_ADDS_LATER", NULL, STORE_ITEM_ACTIVE, STORE_ITEM_ACTIVE, false, false},
};

static void test_webhook_item_codes_set_the_item_state(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  int invokes = 0;
  for(size_t i = 0; i < sizeof s_item_codes / sizeof s_item_codes[0]; i++) {
    const char *code = s_item_codes[i].code;
    assert_int_equal(
      store_item_set_status(fx->env.store, USER_A, ITEM_A, s_item_codes[i].from, clock_epoch_ms() + 10000), MYNT_OK);
    assert_int_equal(store_item_set_new_accounts(fx->env.store, USER_A, ITEM_A, false, clock_epoch_ms() + 10000),
                     MYNT_OK);
    json_t *other_before = moto_store_records(fx->env.store, USER_B);
    char *body = s_body("ITEM", code, ITEM_A, s_item_codes[i].error_code);
    char *token = s_token(fx, body);
    s_expect_received(s_post(fx, body, token, false));

    store_item item;
    s_item(fx, USER_A, ITEM_A, &item);
    if(item.status != s_item_codes[i].want || item.new_accounts_available != s_item_codes[i].new_accounts)
      fail_msg("%s %s: the item is %s (new accounts %d), not %s (%d)", code,
               s_item_codes[i].error_code ? s_item_codes[i].error_code : "", store_item_status_name(item.status),
               item.new_accounts_available, store_item_status_name(s_item_codes[i].want), s_item_codes[i].new_accounts);
    store_item_clear(&item);
    invokes += s_item_codes[i].syncs;
    if(s_invokes(fx) != invokes)
      fail_msg("%s: %d syncs started, not %d", code, s_invokes(fx), invokes);
    if(s_item_codes[i].syncs)
      s_expect_sync_event(fx, invokes - 1, USER_A, ITEM_A);
    /* Another user's item is never touched. */
    json_t *other_after = moto_store_records(fx->env.store, USER_B);
    assert_true(json_equal(other_before, other_after));
    json_decref(other_before);
    json_decref(other_after);
    free(token);
    free(body);
  }
}

static void test_webhook_replay_is_harmless(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  char *body = s_body("ITEM", "ERROR", ITEM_A, "ITEM_LOGIN_REQUIRED");
  char *token = s_token(fx, body);
  s_expect_received(s_post(fx, body, token, false));
  json_t *once = s_table(fx);
  s_expect_received(s_post(fx, body, token, false));
  s_expect_received(s_post(fx, body, token, false));
  s_assert_table_is(fx, once, "the replayed ERROR");
  store_item item;
  s_item(fx, USER_A, ITEM_A, &item);
  assert_int_equal(item.status, STORE_ITEM_LOGIN_REQUIRED);
  store_item_clear(&item);

  /* A replayed SYNC_UPDATES_AVAILABLE starts the (idempotent) sync again, and changes no record. */
  char *sync_body = s_body("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", ITEM_A, NULL);
  char *sync_token = s_token(fx, sync_body);
  s_expect_received(s_post(fx, sync_body, sync_token, false));
  s_expect_received(s_post(fx, sync_body, sync_token, false));
  assert_int_equal(s_invokes(fx), 2);
  s_assert_table_is(fx, once, "the replayed SYNC_UPDATES_AVAILABLE");
  json_decref(once);
  free(sync_token);
  free(sync_body);
  free(token);
  free(body);
}

static void test_webhook_for_an_unknown_item_changes_nothing(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_t *before = s_table(fx);
  static const char *const codes[][3] = {
    {"ITEM", "ERROR", "ITEM_LOGIN_REQUIRED"},
    {"ITEM", "USER_PERMISSION_REVOKED", NULL},
    {"TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", NULL},
  };
  for(size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    char *body = s_body(codes[i][0], codes[i][1], "item-nobody-links-this-one", codes[i][2]);
    char *token = s_token(fx, body);
    s_expect_received(s_post(fx, body, token, false));
    free(token);
    free(body);
  }
  s_assert_table_is(fx, before, "a webhook for an unknown item");
  assert_int_equal(s_invokes(fx), 0);
  char *log = s_log_text(fx);
  assert_non_null(strstr(log, "which Mynt does not know"));
  free(log);
  json_decref(before);
}

static void test_webhook_in_a_base64_event_is_verified_over_the_decoded_bytes(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  char *body = s_body("ITEM", "USER_PERMISSION_REVOKED", ITEM_A, NULL);
  /* A token over the base64 text (what a handler that forgot to decode would hash) is refused... */
  mynt_buf encoded;
  buf_init(&encoded, 1024 * 1024);
  assert_int_equal(b64_std_encode_buf(body, strlen(body), &encoded), MYNT_OK);
  assert_int_equal(buf_append(&encoded, "", 1), MYNT_OK);
  char *over_text = s_token(fx, encoded.ptr);
  buf_free(&encoded);
  json_t *payload = apigw_forge_expect(s_post(fx, body, over_text, true), 401, "unauthorized");
  json_decref(payload);
  store_item item;
  s_item(fx, USER_A, ITEM_A, &item);
  assert_int_equal(item.status, STORE_ITEM_ACTIVE);
  store_item_clear(&item);

  /* ...and Plaid's token over the raw body is accepted. */
  char *token = s_token(fx, body);
  s_expect_received(s_post(fx, body, token, true));
  s_item(fx, USER_A, ITEM_A, &item);
  assert_int_equal(item.status, STORE_ITEM_REVOKED);
  store_item_clear(&item);
  free(token);
  free(over_text);
  free(body);
}

/* The compact JWS of header and claims with an HMAC-SHA256 signature keyed by secret (the alg confusion attack: the
 * public key's coordinates used as an HMAC secret). malloc'd. */
static char *s_hs256(const char *header, const char *claims, const void *secret, size_t secret_len)
{
  char *h = jwt_forge_b64url(header, strlen(header));
  char *c = jwt_forge_b64url(claims, strlen(claims));
  char input[1024];
  snprintf(input, sizeof input, "%s.%s", h, c);
  unsigned char mac[32];
  unsigned int mac_len = 0;
  assert_non_null(
    HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)input, strlen(input), mac, &mac_len));
  char *m = jwt_forge_b64url(mac, mac_len);
  char *token = malloc(strlen(input) + strlen(m) + 2);
  assert_non_null(token);
  sprintf(token, "%s.%s", input, m);
  free(h);
  free(c);
  free(m);
  return token;
}

static void test_webhook_not_verified_is_401_and_changes_nothing(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  char *body = s_body("ITEM", "ERROR", ITEM_A, "ITEM_LOGIN_REQUIRED");
  char *sync_body = s_body("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", ITEM_A, NULL);
  int64_t now = clock_epoch_ms() / 1000;
  char claims[256];
  s_claims(claims, sizeof claims, now, body);
  char header_none[128];
  char header_hs[128];
  char header_rs[128];
  snprintf(header_none, sizeof header_none, "{\"alg\":\"none\",\"kid\":\"%s\",\"typ\":\"JWT\"}", PLAID_KID);
  snprintf(header_hs, sizeof header_hs, "{\"alg\":\"HS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", PLAID_KID);
  snprintf(header_rs, sizeof header_rs, "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", PLAID_KID);
  char *h = jwt_forge_b64url(header_none, strlen(header_none));
  char *c = jwt_forge_b64url(claims, strlen(claims));
  char none[1024];
  snprintf(none, sizeof none, "%s.%s.", h, c);
  free(h);
  free(c);
  json_t *jwk = jwt_forge_ec_jwk(fx->key, PLAID_KID);
  const char *x = json_string_value(json_object_get(jwk, "x"));
  jwt_forge_keys rsa;
  assert_int_equal(jwt_forge_keys_make(&rsa), 0);

  struct {
    const char *what;
    const char *body; /* the body sent */
    char *token;      /* the header sent; NULL: none */
  } cases[] = {
    {"no Plaid-Verification header", body, NULL},
    {"signed by another key under Plaid's kid", body, s_token_at(fx->other, PLAID_KID, now, body)},
    {"alg none", body, strdup(none)},
    {"alg HS256 keyed by Plaid's public key", body, s_hs256(header_hs, claims, x, strlen(x))},
    {"alg RS256", body, jwt_forge_sign(rsa.evil, header_rs, claims)},
    {"issued over 5 minutes ago", body, s_token_at(fx->key, PLAID_KID, now - PLAID_WEBHOOK_MAX_AGE_S - 5, body)},
    {"issued in the future", body, s_token_at(fx->key, PLAID_KID, now + 120, body)},
    {"a body other than the one signed", body, s_token(fx, sync_body)},
    {"the signed body with a byte changed", body, NULL},
    {"an unknown kid signed by another key", body, s_token_at(fx->other, "kid-plaid-never-issued", now, body)},
    {"Plaid's signature under a DER encoding", body, NULL},
  };
  /* The signed body with a byte changed: Plaid's token for body, sent with the item id of another item. */
  char *tampered = strdup(body);
  *strstr(tampered, "item-a") = 'X';
  cases[8].body = tampered;
  cases[8].token = s_token(fx, body);
  char der_header[128];
  snprintf(der_header, sizeof der_header, "{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", PLAID_KID);
  cases[10].token = jwt_forge_sign_es256(fx->key, der_header, claims, true);

  json_t *before = s_table(fx);
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    for(int sync = 0; sync < 2; sync++) {
      /* The same forgery again over SYNC_UPDATES_AVAILABLE would start a sync if it got through. */
      const char *sent = sync ? sync_body : cases[i].body;
      char *token = cases[i].token;
      if(sync && i == 7)
        continue; /* the body other than the one signed is sync_body itself */
      json_t *payload = s_post(fx, sent, token, false);
      if(apigw_forge_status(payload) != 401)
        fail_msg("%s: answered %d", cases[i].what, apigw_forge_status(payload));
      json_t *reply = apigw_forge_body(payload);
      assert_string_equal(apigw_forge_error_code(reply), "unauthorized");
      json_decref(reply);
      json_decref(payload);
    }
    s_assert_table_is(fx, before, cases[i].what);
    if(s_invokes(fx) != 0)
      fail_msg("%s: a sync was started", cases[i].what);
  }
  /* Plaid was asked for its own kid once (then cached) and for the unknown kid twice (refused both times, within the
   * fetch budget); the other forgeries were refused before any key was needed. */
  assert_int_equal(fx->plaid->key_requests, 3);

  /* A refusal is logged with its reason but never with the token or the body. */
  char *log = s_log_text(fx);
  assert_non_null(strstr(log, "webhook not verified"));
  assert_null(strstr(log, "ITEM_LOGIN_REQUIRED"));
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if(cases[i].token) {
      char *sig = strrchr(cases[i].token, '.');
      if(sig && strlen(sig) > 12)
        assert_null(strstr(log, sig + 1));
    }
    free(cases[i].token);
  }
  free(log);

  /* And Plaid's own token for the same body goes through. */
  char *token = s_token(fx, body);
  s_expect_received(s_post(fx, body, token, false));
  store_item item;
  s_item(fx, USER_A, ITEM_A, &item);
  assert_int_equal(item.status, STORE_ITEM_LOGIN_REQUIRED);
  store_item_clear(&item);
  free(token);
  json_decref(before);
  jwt_forge_keys_free(&rsa);
  json_decref(jwk);
  free(tampered);
  free(sync_body);
  free(body);
}

/* A closed loopback port: a server that was started, then stopped. */
static char *s_closed_url(void)
{
  script_server *srv = NULL;
  assert_int_equal(script_server_new(NULL, NULL, &srv), MYNT_OK);
  char *url = strdup(script_server_url(srv));
  script_server_free(srv);
  return url;
}

static void test_webhook_key_that_cannot_be_fetched_is_401_and_a_warning(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  /* Plaid is down: nothing answers where the client sends. */
  char *closed = s_closed_url();
  plaid_client *up = fx->env.plaid;
  plaid_config cfg = fake_plaid_config(closed, FAKE_PLAID_SECRET);
  assert_int_equal(plaid_client_new(&cfg, &fx->env.plaid), MYNT_OK);
  char *body = s_body("ITEM", "ERROR", ITEM_A, "ITEM_LOGIN_REQUIRED");
  char *token = s_token(fx, body);
  json_t *before = s_table(fx);
  json_decref(apigw_forge_expect(s_post(fx, body, token, false), 401, "unauthorized"));
  s_assert_table_is(fx, before, "a webhook whose key was not fetched");
  char *log = s_log_text(fx);
  const char *line = strstr(log, "was not fetched");
  assert_non_null(line);
  while(line > log && line[-1] != '\n')
    line--;
  assert_non_null(strstr(line, "\"level\":\"warn\""));
  assert_null(strstr(log, FAKE_PLAID_SECRET));
  free(log);

  /* Plaid is back: the same webhook (still within its 5 minutes) is verified and acted on. */
  plaid_client_free(fx->env.plaid);
  fx->env.plaid = up;
  s_expect_received(s_post(fx, body, token, false));
  store_item item;
  s_item(fx, USER_A, ITEM_A, &item);
  assert_int_equal(item.status, STORE_ITEM_LOGIN_REQUIRED);
  store_item_clear(&item);
  json_decref(before);
  free(token);
  free(body);
  free(closed);
}

static void test_webhook_forged_kids_do_not_turn_into_plaid_calls(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  char *body = s_body("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE", ITEM_A, NULL);
  int64_t now = clock_epoch_ms() / 1000;
  for(int i = 0; i < 20; i++) {
    char kid[32];
    snprintf(kid, sizeof kid, "forged-kid-%d", i);
    char *forged = s_token_at(fx->other, kid, now, body);
    json_decref(apigw_forge_expect(s_post(fx, body, forged, false), 401, "unauthorized"));
    free(forged);
  }
  assert_int_equal(fx->plaid->key_requests, PLAID_WEBHOOK_UNKNOWN_FETCHES);
  assert_int_equal(s_invokes(fx), 0);
  char *log = s_log_text(fx);
  assert_non_null(strstr(log, "not fetched"));
  free(log);
  free(body);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)
  const struct CMUnitTest tests[] = {
    T(test_webhook_sync_updates_available_starts_a_sync_for_the_owner),
    T(test_webhook_item_codes_set_the_item_state),
    T(test_webhook_replay_is_harmless),
    T(test_webhook_for_an_unknown_item_changes_nothing),
    T(test_webhook_in_a_base64_event_is_verified_over_the_decoded_bytes),
    T(test_webhook_not_verified_is_401_and_changes_nothing),
    T(test_webhook_key_that_cannot_be_fetched_is_401_and_a_warning),
    T(test_webhook_forged_kids_do_not_turn_into_plaid_calls),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
