/* test_plaid_sim.c - drives the Plaid simulator over HTTP on loopback (in-process server, libcurl client). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "core/clock.h"
#include "local/plaid_sim/plaid_sim.h"
#include "support/sim_client.h"
#include "support/unit_curl.h"

#define S_CLIENT_ID "test-client-id"
#define S_SECRET    "test-secret-value"
#define S_TODAY     "2025-06-15"

static _Atomic int64_t s_clock_ms;

static int64_t s_fake_now(void *ctx)
{
  (void)ctx;
  return atomic_load(&s_clock_ms);
}

static int s_setup(void **state)
{
  atomic_store(&s_clock_ms, 1750000000000LL);
  plaid_sim_config cfg = {
    .client_id = S_CLIENT_ID, .secret = S_SECRET, .port = 0, .today = S_TODAY, .now_ms = s_fake_now};
  plaid_sim *sim;
  if(plaid_sim_new(&cfg, &sim) != MYNT_OK)
    return -1;
  *state = sim;
  return 0;
}

static int s_teardown(void **state)
{
  plaid_sim_free(*state);
  return 0;
}

/* Sends one request; auth adds the Plaid headers. body NULL = no body. Asserts nothing (workers
 * call it from other threads): a transport failure leaves status -1 for the caller to check. */
static sim_answer s_http(plaid_sim *fx, const char *method, const char *path, const char *body, bool auth,
                         const char *version)
{
  char version_header[96];
  snprintf(version_header, sizeof version_header, "Plaid-Version: %s", version ? version : "");
  const char *headers[4] = {0};
  size_t n = 0;
  if(auth) {
    headers[n++] = "PLAID-CLIENT-ID: " S_CLIENT_ID;
    headers[n++] = "PLAID-SECRET: " S_SECRET;
  }
  if(version)
    headers[n++] = version_header;
  return sim_client_send(fx, method, path, body, headers);
}

/* POSTs a Plaid call with the right headers; body is a JSON object the call takes over. */
static sim_answer s_plaid(plaid_sim *fx, const char *path, json_t *body)
{
  char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  sim_answer a = s_http(fx, "POST", path, text ? text : "", true, "2020-09-14");
  free(text);
  return a;
}

static const char *s_str(const sim_answer *a, const char *key)
{
  return json_string_value(json_object_get(a->body, key));
}

/* Asserts a Plaid error of the documented shape and frees the answer. */
static void s_expect_error(sim_answer *a, long status, const char *type, const char *code)
{
  if(a->status != status || !s_str(a, "error_code") || strcmp(s_str(a, "error_code"), code) != 0)
    fail_msg("expected %ld %s, got %ld %.400s", status, code, a->status, a->text);
  assert_string_equal(s_str(a, "error_type"), type);
  assert_non_null(s_str(a, "error_message"));
  json_t *display = json_object_get(a->body, "display_message");
  assert_true(display && (json_is_null(display) || json_is_string(display)));
  assert_non_null(s_str(a, "request_id"));
  assert_true(json_is_array(json_object_get(a->body, "causes")));
  assert_int_equal(json_integer_value(json_object_get(a->body, "status")), status);
  assert_non_null(strstr(s_str(a, "documentation_url"), "https://plaid.com/docs/errors/"));
  assert_true(json_is_null(json_object_get(a->body, "suggested_action")));
  sim_answer_free(a);
}

static void s_expect_ok(const sim_answer *a)
{
  if(a->status != 200)
    fail_msg("expected 200, got %ld %.400s", a->status, a->text);
  assert_non_null(s_str(a, "request_id"));
}

static char *s_link_token(plaid_sim *fx, int days_requested)
{
  sim_answer a = s_plaid(fx, "/link/token/create",
                         json_pack("{s:s, s:s, s:[s], s:{s:s}, s:[s], s:{s:i}}", "client_name", "Mynt", "language",
                                   "en", "country_codes", "US", "user", "client_user_id", "user-1", "products",
                                   "transactions", "transactions", "days_requested", days_requested));
  s_expect_ok(&a);
  assert_non_null(strstr(s_str(&a, "link_token"), "link-sandbox-"));
  assert_non_null(s_str(&a, "expiration"));
  char *token = strdup(s_str(&a, "link_token"));
  sim_answer_free(&a);
  return token;
}

/* Completes Link with a sandbox login; returns the answer (public_token, institution, accounts, item_id). */
static sim_answer s_complete(plaid_sim *fx, const char *link_token, const char *institution, const char *password,
                             long long seed)
{
  json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "link_token", link_token, "institution_id", institution, "username",
                           "user_good", "password", password);
  if(seed >= 0)
    json_object_set_new(body, "seed", json_integer(seed));
  char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  sim_answer a = s_http(fx, "POST", "/sim/link/complete", text, false, NULL);
  free(text);
  return a;
}

static char *s_exchange(plaid_sim *fx, const char *public_token, char item_id[64])
{
  sim_answer a = s_plaid(fx, "/item/public_token/exchange", json_pack("{s:s}", "public_token", public_token));
  s_expect_ok(&a);
  assert_non_null(strstr(s_str(&a, "access_token"), "access-sandbox-"));
  if(item_id)
    snprintf(item_id, 64, "%s", s_str(&a, "item_id"));
  char *token = strdup(s_str(&a, "access_token"));
  sim_answer_free(&a);
  return token;
}

/* Link -> complete -> exchange with the given days_requested; returns the access token. */
static char *s_new_item(plaid_sim *fx, int days_requested, long long seed, char item_id[64])
{
  char *link = s_link_token(fx, days_requested);
  sim_answer done = s_complete(fx, link, "ins_109508", "pass_good", seed);
  s_expect_ok(&done);
  char *access = s_exchange(fx, s_str(&done, "public_token"), item_id);
  sim_answer_free(&done);
  free(link);
  return access;
}

static sim_answer s_transactions(plaid_sim *fx, const char *access, const char *start, const char *end, int count,
                                 int offset)
{
  return s_plaid(fx, "/transactions/get",
                 json_pack("{s:s, s:s, s:s, s:{s:i, s:i}}", "access_token", access, "start_date", start, "end_date",
                           end, "options", "count", count, "offset", offset));
}

/* ---- tests ---- */

static void test_plaid_sim_rejects_missing_or_wrong_api_keys(void **state)
{
  plaid_sim *fx = *state;
  sim_answer a = s_http(fx, "POST", "/item/get", "{\"access_token\":\"access-sandbox-x\"}", false, NULL);
  s_expect_error(&a, 400, "INVALID_INPUT", "INVALID_API_KEYS");
  a = s_http(fx, "POST", "/item/get",
             "{\"client_id\":\"" S_CLIENT_ID "\",\"secret\":\"wrong\",\"access_token\":\"access-sandbox-x\"}", false,
             NULL);
  s_expect_error(&a, 400, "INVALID_INPUT", "INVALID_API_KEYS");
  /* keys in the body are accepted, as Plaid allows */
  a = s_http(fx, "POST", "/item/get",
             "{\"client_id\":\"" S_CLIENT_ID "\",\"secret\":\"" S_SECRET "\",\"access_token\":\"access-sandbox-x\"}",
             false, NULL);
  s_expect_error(&a, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN");
}

static void test_plaid_sim_rejects_wrong_method_body_version_and_fields(void **state)
{
  plaid_sim *fx = *state;
  sim_answer a = s_http(fx, "GET", "/accounts/get", NULL, true, NULL);
  s_expect_error(&a, 405, "INVALID_REQUEST", "INVALID_HTTP_METHOD");
  a = s_http(fx, "POST", "/accounts/get", "{not json", true, NULL);
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_BODY");
  a = s_http(fx, "POST", "/accounts/get", "[1,2]", true, NULL);
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_BODY");
  a = s_http(fx, "POST", "/accounts/get", "", true, NULL);
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_BODY");
  a = s_http(fx, "POST", "/accounts/get", "{\"access_token\":\"access-sandbox-x\"}", true, "2019-05-29");
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_HEADERS");
  a = s_plaid(fx, "/accounts/get", json_pack("{s:s, s:i}", "access_token", "access-sandbox-x", "surprise", 1));
  assert_non_null(strstr(a.text, "surprise"));
  s_expect_error(&a, 400, "INVALID_REQUEST", "UNKNOWN_FIELDS");
  a = s_plaid(fx, "/accounts/get", json_object());
  assert_non_null(strstr(a.text, "access_token"));
  s_expect_error(&a, 400, "INVALID_REQUEST", "MISSING_FIELDS");
  a = s_plaid(fx, "/no/such/endpoint", json_object());
  s_expect_error(&a, 404, "INVALID_REQUEST", "NOT_FOUND");
  a = s_plaid(fx, "/accounts/get", json_pack("{s:s}", "access_token", "access-sandbox-unknown"));
  s_expect_error(&a, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN");
}

static void test_link_token_create_validates_like_plaid(void **state)
{
  plaid_sim *fx = *state;
  sim_answer a = s_plaid(fx, "/link/token/create", json_pack("{s:s}", "client_name", "Mynt"));
  assert_non_null(strstr(a.text, "language"));
  assert_non_null(strstr(a.text, "country_codes"));
  assert_non_null(strstr(a.text, "user"));
  s_expect_error(&a, 400, "INVALID_REQUEST", "MISSING_FIELDS");

  const char *base = "{\"client_name\":\"Mynt\",\"language\":\"en\",\"country_codes\":[\"US\"],"
                     "\"user\":{\"client_user_id\":\"u\"}";
  static const struct {
    const char *extra;
    const char *code;
  } cases[] = {
    {"", "MISSING_FIELDS"},                                 /* no products */
    {",\"products\":[]", "INVALID_FIELD"},                  /* empty */
    {",\"products\":[\"teleportation\"]", "INVALID_FIELD"}, /* unknown */
    {",\"products\":[\"transactions\"],\"transactions\":{\"days_requested\":0}", "INVALID_FIELD"},
    {",\"products\":[\"transactions\"],\"transactions\":{\"days_requested\":731}", "INVALID_FIELD"},
    {",\"products\":[\"transactions\"],\"transactions\":{\"days_requested\":\"90\"}", "INVALID_FIELD"},
    {",\"products\":[\"transactions\"],\"webhook\":\"not a url\"", "INVALID_FIELD"},
    {",\"products\":[\"transactions\"],\"access_token\":\"access-sandbox-none\"", "INVALID_FIELD"},
    {",\"access_token\":\"access-sandbox-none\"", "INVALID_ACCESS_TOKEN"},
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char body[512];
    snprintf(body, sizeof body, "%s%s}", base, cases[i].extra);
    a = s_http(fx, "POST", "/link/token/create", body, true, NULL);
    s_expect_error(&a, 400, strcmp(cases[i].code, "INVALID_ACCESS_TOKEN") == 0 ? "INVALID_INPUT" : "INVALID_REQUEST",
                   cases[i].code);
  }
  a = s_http(fx, "POST", "/link/token/create",
             "{\"client_name\":\"Mynt\",\"language\":\"en\",\"country_codes\":[\"US\"],\"user\":{\"client_user_id\":"
             "\"u\"},\"products\":[\"transfer\"]}",
             true, NULL);
  s_expect_error(&a, 400, "INVALID_INPUT", "INVALID_PRODUCT");
  a = s_http(fx, "POST", "/link/token/create",
             "{\"client_name\":\"Mynt\",\"language\":\"en\",\"country_codes\":[],\"user\":{\"client_user_id\":\"u\"},"
             "\"products\":[\"transactions\"]}",
             true, NULL);
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_FIELD");
  a = s_http(fx, "POST", "/link/token/create",
             "{\"client_name\":\"Mynt\",\"language\":\"en\",\"country_codes\":[\"US\"],\"user\":{},"
             "\"products\":[\"transactions\"]}",
             true, NULL);
  assert_non_null(strstr(a.text, "user.client_user_id"));
  s_expect_error(&a, 400, "INVALID_REQUEST", "MISSING_FIELDS");
}

static void test_transactions_get_rejects_bad_dates_and_paging(void **state)
{
  plaid_sim *fx = *state;
  char *access = s_new_item(fx, 730, -1, NULL);
  static const char *const bad_dates[][2] = {
    {"2025-02-30", "2025-03-01"}, /* not a real day */
    {"2025-06-01", "2025-05-01"}, /* reversed */
    {"2025-6-01", "2025-06-10"},  /* wrong format */
    {"20250601", "2025-06-10"},   {"2025-06-01", "2025-06-10T00:00:00Z"},
  };
  for(size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++) {
    sim_answer a = s_transactions(fx, access, bad_dates[i][0], bad_dates[i][1], 10, 0);
    s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_FIELD");
  }
  sim_answer a =
    s_plaid(fx, "/transactions/get",
            json_pack("{s:s, s:i, s:s}", "access_token", access, "start_date", 20250601, "end_date", "2025-06-10"));
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_FIELD");
  a = s_transactions(fx, access, "2025-06-01", "2025-06-10", 0, 0);
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_FIELD");
  a = s_transactions(fx, access, "2025-06-01", "2025-06-10", 501, 0);
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_FIELD");
  a = s_transactions(fx, access, "2025-06-01", "2025-06-10", 10, -1);
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_FIELD");
  a = s_plaid(fx, "/transactions/get",
              json_pack("{s:s, s:s, s:s, s:{s:[s]}}", "access_token", access, "start_date", "2025-06-01", "end_date",
                        "2025-06-10", "options", "account_ids", "not-an-account-of-this-item"));
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_FIELD");
  a = s_plaid(fx, "/transactions/get", json_pack("{s:s, s:s}", "access_token", access, "start_date", "2025-06-01"));
  assert_non_null(strstr(a.text, "end_date"));
  s_expect_error(&a, 400, "INVALID_REQUEST", "MISSING_FIELDS");
  a = s_transactions(fx, access, "2025-06-01", "2025-06-10", 500, 0);
  s_expect_ok(&a);
  sim_answer_free(&a);
  free(access);
}

/* GETs a /sim/ path, expects 200 and an answer that shows no access token; returns its body. */
static json_t *s_sim_get(plaid_sim *fx, const char *path)
{
  sim_answer a = s_http(fx, "GET", path, NULL, false, NULL);
  s_expect_ok(&a);
  assert_null(strstr(a.text, "access-sandbox-"));
  json_t *body = json_incref(a.body);
  sim_answer_free(&a);
  return body;
}

static json_t *s_truth(plaid_sim *fx, const char *item_id, const char *query)
{
  char path[256];
  snprintf(path, sizeof path, "/sim/items/%s/transactions%s", item_id, query);
  return s_sim_get(fx, path);
}

static void test_link_exchange_accounts_and_paged_transactions_match_the_truth(void **state)
{
  plaid_sim *fx = *state;
  char item_id[64];
  char *access = s_new_item(fx, 730, -1, item_id);

  sim_answer a = s_plaid(fx, "/accounts/get", json_pack("{s:s}", "access_token", access));
  s_expect_ok(&a);
  json_t *accounts = json_object_get(a.body, "accounts");
  assert_int_equal(json_array_size(accounts), 3);
  const char *subtypes[] = {"checking", "savings", "credit card"};
  for(size_t i = 0; i < 3; i++) {
    json_t *acc = json_array_get(accounts, i);
    assert_string_equal(json_string_value(json_object_get(acc, "subtype")), subtypes[i]);
    json_t *bal = json_object_get(acc, "balances");
    assert_true(json_is_number(json_object_get(bal, "current")));
    assert_true(json_is_number(json_object_get(bal, "available")));
    assert_string_equal(json_string_value(json_object_get(bal, "iso_currency_code")), "USD");
    assert_true(json_is_null(json_object_get(bal, "unofficial_currency_code")));
    assert_int_equal(strlen(json_string_value(json_object_get(acc, "mask"))), 4);
    assert_non_null(json_string_value(json_object_get(acc, "official_name")));
  }
  assert_true(json_is_number(json_object_get(json_object_get(json_array_get(accounts, 2), "balances"), "limit")));
  assert_string_equal(json_string_value(json_object_get(json_object_get(a.body, "item"), "item_id")), item_id);
  sim_answer_free(&a);

  const char *start = "2023-06-15", *end = S_TODAY;
  json_t *truth = s_truth(fx, item_id, "?start_date=2023-06-15&end_date=2025-06-15");
  json_t *expected = json_object_get(truth, "transactions");
  const size_t total = json_array_size(expected);
  assert_true(total > 1000);
  assert_int_equal(json_integer_value(json_object_get(truth, "total_transactions")), total);

  size_t seen = 0, pending = 0;
  const int count = 137;
  char newest_prev[11] = "9999-12-31";
  for(int offset = 0;; offset += count) {
    a = s_transactions(fx, access, start, end, count, offset);
    s_expect_ok(&a);
    assert_int_equal(json_integer_value(json_object_get(a.body, "total_transactions")), total);
    assert_int_equal(json_array_size(json_object_get(a.body, "accounts")), 3);
    json_t *page = json_object_get(a.body, "transactions");
    size_t i;
    json_t *t;
    json_array_foreach(page, i, t) {
      json_t *want = json_array_get(expected, seen++);
      assert_non_null(want);
      assert_string_equal(json_string_value(json_object_get(t, "transaction_id")),
                          json_string_value(json_object_get(want, "transaction_id")));
      assert_true(json_equal(json_object_get(t, "amount"), json_object_get(want, "amount")));
      const char *date = json_string_value(json_object_get(t, "date"));
      assert_true(strcmp(date, start) >= 0 && strcmp(date, end) <= 0);
      assert_true(strcmp(date, newest_prev) <= 0);
      snprintf(newest_prev, sizeof newest_prev, "%s", date);
      json_t *pfc = json_object_get(t, "personal_finance_category");
      assert_non_null(json_string_value(json_object_get(pfc, "primary")));
      assert_non_null(json_string_value(json_object_get(pfc, "detailed")));
      assert_true(json_array_size(json_object_get(t, "category")) >= 1);
      assert_true(json_is_boolean(json_object_get(t, "pending")));
      assert_true(json_is_null(json_object_get(t, "datetime")));
      assert_true(json_is_object(json_object_get(t, "location")));
      assert_non_null(json_string_value(json_object_get(t, "payment_channel")));
      pending += json_is_true(json_object_get(t, "pending"));
    }
    size_t got = json_array_size(page);
    sim_answer_free(&a);
    if(got < (size_t)count)
      break;
  }
  assert_int_equal(seen, total);
  assert_true(pending >= 1);

  /* A narrow window holds only its own days; an account filter only that account. */
  json_t *card = json_array_get(json_object_get(truth, "accounts"), 2);
  const char *card_id = json_string_value(json_object_get(card, "account_id"));
  a = s_plaid(fx, "/transactions/get",
              json_pack("{s:s, s:s, s:s, s:{s:[s], s:i}}", "access_token", access, "start_date", "2025-03-01",
                        "end_date", "2025-03-31", "options", "account_ids", card_id, "count", 500));
  s_expect_ok(&a);
  json_t *page = json_object_get(a.body, "transactions");
  assert_true(json_array_size(page) > 20);
  assert_int_equal(json_array_size(json_object_get(a.body, "accounts")), 1);
  size_t i;
  json_t *t;
  json_array_foreach(page, i, t) {
    const char *date = json_string_value(json_object_get(t, "date"));
    assert_true(strncmp(date, "2025-03-", 8) == 0);
    assert_string_equal(json_string_value(json_object_get(t, "account_id")), card_id);
  }
  sim_answer_free(&a);

  /* Past the end: an empty page, the same total. */
  a = s_transactions(fx, access, start, end, 10, (int)total + 5);
  s_expect_ok(&a);
  assert_int_equal(json_array_size(json_object_get(a.body, "transactions")), 0);
  assert_int_equal(json_integer_value(json_object_get(a.body, "total_transactions")), total);
  sim_answer_free(&a);
  json_decref(truth);
  free(access);
}

static void test_days_requested_limits_the_history(void **state)
{
  plaid_sim *fx = *state;
  char item_id[64];
  char *access = s_new_item(fx, 30, -1, item_id);
  sim_answer a = s_transactions(fx, access, "2023-01-01", S_TODAY, 500, 0);
  s_expect_ok(&a);
  size_t i;
  json_t *t;
  json_t *page = json_object_get(a.body, "transactions");
  assert_true(json_array_size(page) > 10);
  json_array_foreach(page, i, t)
    assert_true(strcmp(json_string_value(json_object_get(t, "date")), "2025-05-16") >= 0);
  json_t *truth = s_truth(fx, item_id, "");
  assert_int_equal(json_array_size(json_object_get(truth, "transactions")),
                   json_integer_value(json_object_get(a.body, "total_transactions")));
  json_decref(truth);
  sim_answer_free(&a);
  free(access);

  /* The sandbox shortcut: default 90 days, or what options.transactions asks. */
  a = s_plaid(fx, "/sandbox/public_token/create",
              json_pack("{s:s, s:[s], s:{s:{s:i}}}", "institution_id", "ins_109512", "initial_products", "transactions",
                        "options", "transactions", "days_requested", 10));
  s_expect_ok(&a);
  access = s_exchange(fx, s_str(&a, "public_token"), NULL);
  sim_answer_free(&a);
  a = s_transactions(fx, access, "2023-01-01", S_TODAY, 500, 0);
  s_expect_ok(&a);
  page = json_object_get(a.body, "transactions");
  json_array_foreach(page, i, t)
    assert_true(strcmp(json_string_value(json_object_get(t, "date")), "2025-06-05") >= 0);
  sim_answer_free(&a);
  free(access);
}

static void test_sandbox_public_token_create_validates_and_works(void **state)
{
  plaid_sim *fx = *state;
  sim_answer a = s_plaid(fx, "/sandbox/public_token/create",
                         json_pack("{s:s, s:[s]}", "institution_id", "ins_999", "initial_products", "transactions"));
  s_expect_error(&a, 400, "INVALID_INPUT", "INVALID_INSTITUTION");
  a = s_plaid(fx, "/sandbox/public_token/create",
              json_pack("{s:s, s:[]}", "institution_id", "ins_109509", "initial_products"));
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_FIELD");
  a = s_plaid(fx, "/sandbox/public_token/create",
              json_pack("{s:s, s:[s], s:{s:s}}", "institution_id", "ins_109509", "initial_products", "transactions",
                        "options", "override_password", "pass_bad"));
  s_expect_error(&a, 400, "ITEM_ERROR", "INVALID_CREDENTIALS");
  a = s_plaid(fx, "/sandbox/public_token/create",
              json_pack("{s:s, s:[s]}", "institution_id", "ins_109509", "initial_products", "transactions"));
  s_expect_ok(&a);
  assert_non_null(strstr(s_str(&a, "public_token"), "public-sandbox-"));
  char item_id[64];
  char *access = s_exchange(fx, s_str(&a, "public_token"), item_id);
  sim_answer_free(&a);
  a = s_plaid(fx, "/item/get", json_pack("{s:s}", "access_token", access));
  s_expect_ok(&a);
  json_t *item = json_object_get(a.body, "item");
  assert_string_equal(json_string_value(json_object_get(item, "item_id")), item_id);
  assert_string_equal(json_string_value(json_object_get(item, "institution_id")), "ins_109509");
  assert_true(json_is_null(json_object_get(item, "error")));
  assert_string_equal(json_string_value(json_array_get(json_object_get(item, "billed_products"), 0)), "transactions");
  assert_true(json_is_array(json_object_get(item, "available_products")));
  assert_true(json_is_null(json_object_get(item, "webhook")));
  assert_string_equal(json_string_value(json_object_get(item, "update_type")), "background");
  sim_answer_free(&a);
  free(access);
}

static void test_public_tokens_are_single_use_and_expire(void **state)
{
  plaid_sim *fx = *state;
  char *link = s_link_token(fx, 90);
  sim_answer done = s_complete(fx, link, "ins_109510", "pass_good", -1);
  s_expect_ok(&done);
  assert_string_equal(json_string_value(json_object_get(json_object_get(done.body, "institution"), "name")),
                      "Tattersall Federal Credit Union");
  assert_int_equal(json_array_size(json_object_get(done.body, "accounts")), 3);
  char *access = s_exchange(fx, s_str(&done, "public_token"), NULL);
  sim_answer a =
    s_plaid(fx, "/item/public_token/exchange", json_pack("{s:s}", "public_token", s_str(&done, "public_token")));
  s_expect_error(&a, 400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN");
  sim_answer_free(&done);

  done = s_complete(fx, link, "ins_109510", "pass_good", -1);
  s_expect_ok(&done);
  atomic_fetch_add(&s_clock_ms, 31LL * 60 * 1000);
  a = s_plaid(fx, "/item/public_token/exchange", json_pack("{s:s}", "public_token", s_str(&done, "public_token")));
  s_expect_error(&a, 400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN");
  sim_answer_free(&done);

  /* the link token itself lasts four hours */
  atomic_fetch_add(&s_clock_ms, 4LL * 3600 * 1000);
  done = s_complete(fx, link, "ins_109510", "pass_good", -1);
  s_expect_error(&done, 400, "INVALID_INPUT", "INVALID_LINK_TOKEN");
  done = s_complete(fx, "link-sandbox-00000000-0000-4000-8000-000000000000", "ins_109510", "pass_good", -1);
  s_expect_error(&done, 400, "INVALID_INPUT", "INVALID_LINK_TOKEN");
  free(link);
  free(access);
}

static void test_link_complete_rejects_wrong_credentials(void **state)
{
  plaid_sim *fx = *state;
  char *link = s_link_token(fx, 90);
  sim_answer a = s_complete(fx, link, "ins_109508", "pass_bad", -1);
  s_expect_error(&a, 400, "ITEM_ERROR", "INVALID_CREDENTIALS");
  a = s_complete(fx, link, "ins_000000", "pass_good", -1);
  s_expect_error(&a, 400, "INVALID_INPUT", "INVALID_INSTITUTION");
  free(link);
}

static size_t s_item_count(plaid_sim *fx)
{
  json_t *body = s_sim_get(fx, "/sim/items");
  size_t n = json_array_size(json_object_get(body, "items"));
  json_decref(body);
  return n;
}

static json_t *s_item_summary(plaid_sim *fx, const char *item_id)
{
  json_t *body = s_sim_get(fx, "/sim/items");
  size_t i;
  json_t *item, *found = NULL;
  json_array_foreach(json_object_get(body, "items"), i, item)
    if(strcmp(json_string_value(json_object_get(item, "item_id")), item_id) == 0)
      found = json_incref(item);
  json_decref(body);
  assert_non_null(found);
  return found;
}

static void test_reset_login_needs_update_mode_link(void **state)
{
  plaid_sim *fx = *state;
  char item_id[64];
  char *access = s_new_item(fx, 730, -1, item_id);
  sim_answer a = s_plaid(fx, "/sandbox/item/reset_login", json_pack("{s:s}", "access_token", access));
  s_expect_ok(&a);
  assert_true(json_is_true(json_object_get(a.body, "reset_login")));
  sim_answer_free(&a);

  a = s_plaid(fx, "/accounts/get", json_pack("{s:s}", "access_token", access));
  s_expect_error(&a, 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED");
  a = s_transactions(fx, access, "2025-06-01", S_TODAY, 10, 0);
  s_expect_error(&a, 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED");
  a = s_plaid(fx, "/item/get", json_pack("{s:s}", "access_token", access));
  s_expect_ok(&a);
  json_t *error = json_object_get(json_object_get(a.body, "item"), "error");
  assert_string_equal(json_string_value(json_object_get(error, "error_code")), "ITEM_LOGIN_REQUIRED");
  sim_answer_free(&a);
  json_t *summary = s_item_summary(fx, item_id);
  assert_true(json_is_true(json_object_get(summary, "login_required")));
  json_decref(summary);

  /* update mode: access_token, no products */
  a = s_plaid(fx, "/link/token/create",
              json_pack("{s:s, s:s, s:[s], s:{s:s}, s:s, s:[s]}", "client_name", "Mynt", "language", "en",
                        "country_codes", "US", "user", "client_user_id", "user-1", "access_token", access, "products",
                        "transactions"));
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_FIELD");
  a = s_plaid(fx, "/link/token/create",
              json_pack("{s:s, s:s, s:[s], s:{s:s}, s:s}", "client_name", "Mynt", "language", "en", "country_codes",
                        "US", "user", "client_user_id", "user-1", "access_token", access));
  s_expect_ok(&a);
  char *update_link = strdup(s_str(&a, "link_token"));
  sim_answer_free(&a);
  const size_t items_before = s_item_count(fx);
  a = s_complete(fx, update_link, "ins_109508", "pass_bad", -1);
  s_expect_error(&a, 400, "ITEM_ERROR", "INVALID_CREDENTIALS");
  a = s_complete(fx, update_link, "ins_109508", "pass_good", -1);
  s_expect_ok(&a);
  assert_string_equal(s_str(&a, "item_id"), item_id);
  sim_answer_free(&a);
  assert_int_equal(s_item_count(fx), items_before);

  a = s_plaid(fx, "/accounts/get", json_pack("{s:s}", "access_token", access));
  s_expect_ok(&a);
  sim_answer_free(&a);
  free(update_link);
  free(access);
}

static void test_faultsim_answer_429_until_cleared_and_count_down(void **state)
{
  plaid_sim *fx = *state;
  char item_id[64], path[128];
  char *access = s_new_item(fx, 730, -1, item_id);
  snprintf(path, sizeof path, "/sim/items/%s/faults", item_id);

  sim_answer a =
    s_http(fx, "POST", path, "{\"status\":429,\"error_code\":\"RATE_LIMIT_EXCEEDED\",\"times\":0}", false, NULL);
  s_expect_ok(&a);
  sim_answer_free(&a);
  for(int i = 0; i < 3; i++) {
    a = s_transactions(fx, access, "2025-06-01", S_TODAY, 10, 0);
    s_expect_error(&a, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED");
  }
  a = s_plaid(fx, "/accounts/get", json_pack("{s:s}", "access_token", access));
  s_expect_error(&a, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED");
  a = s_http(fx, "DELETE", path, NULL, false, NULL);
  s_expect_ok(&a);
  sim_answer_free(&a);
  a = s_transactions(fx, access, "2025-06-01", S_TODAY, 10, 0);
  s_expect_ok(&a);
  sim_answer_free(&a);

  /* times: 1 fires once, then the item answers again */
  a = s_http(fx, "POST", path, "{\"status\":500,\"times\":1}", false, NULL);
  s_expect_ok(&a);
  sim_answer_free(&a);
  a = s_plaid(fx, "/item/get", json_pack("{s:s}", "access_token", access));
  s_expect_error(&a, 500, "API_ERROR", "INTERNAL_SERVER_ERROR");
  a = s_plaid(fx, "/item/get", json_pack("{s:s}", "access_token", access));
  s_expect_ok(&a);
  sim_answer_free(&a);

  /* latency only */
  a = s_http(fx, "POST", path, "{\"latency_ms\":300,\"times\":1}", false, NULL);
  s_expect_ok(&a);
  sim_answer_free(&a);
  const int64_t started = clock_mono_ms();
  a = s_plaid(fx, "/accounts/get", json_pack("{s:s}", "access_token", access));
  s_expect_ok(&a);
  assert_true(clock_mono_ms() - started >= 300);
  sim_answer_free(&a);

  /* knob validation */
  a = s_http(fx, "POST", path, "{\"status\":418}", false, NULL);
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_FIELD");
  a = s_http(fx, "POST", path, "{\"status\":429,\"error_code\":\"INTERNAL_SERVER_ERROR\"}", false, NULL);
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_FIELD");
  a = s_http(fx, "POST", "/sim/items/nope/faults", "{\"status\":429}", false, NULL);
  s_expect_error(&a, 404, "INVALID_INPUT", "ITEM_NOT_FOUND");
  a = s_http(fx, "POST", path, "{\"error_code\":\"ITEM_LOGIN_REQUIRED\",\"times\":1}", false, NULL);
  s_expect_ok(&a);
  sim_answer_free(&a);
  a = s_transactions(fx, access, "2025-06-01", S_TODAY, 10, 0);
  s_expect_error(&a, 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED");
  free(access);
}

static void test_item_remove_invalidates_the_access_token(void **state)
{
  plaid_sim *fx = *state;
  char item_id[64];
  char *access = s_new_item(fx, 730, -1, item_id);
  sim_answer a = s_plaid(fx, "/item/remove", json_pack("{s:s, s:s}", "access_token", access, "reason_code", "OTHER"));
  s_expect_ok(&a);
  sim_answer_free(&a);
  a = s_plaid(fx, "/accounts/get", json_pack("{s:s}", "access_token", access));
  s_expect_error(&a, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN");
  a = s_plaid(fx, "/item/remove", json_pack("{s:s}", "access_token", access));
  s_expect_error(&a, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN");
  json_t *summary = s_item_summary(fx, item_id);
  assert_true(json_is_true(json_object_get(summary, "removed")));
  json_decref(summary);
  free(access);
}

static void test_same_seed_gives_the_same_transactions(void **state)
{
  plaid_sim *fx = *state;
  char first[64], second[64], other[64];
  char *a1 = s_new_item(fx, 730, 424242, first);
  char *a2 = s_new_item(fx, 730, 424242, second);
  char *a3 = s_new_item(fx, 730, 7, other);
  assert_string_not_equal(first, second);
  json_t *t1 = s_truth(fx, first, "");
  json_t *t2 = s_truth(fx, second, "");
  json_t *t3 = s_truth(fx, other, "");
  assert_true(json_equal(json_object_get(t1, "transactions"), json_object_get(t2, "transactions")));
  assert_false(json_equal(json_object_get(t1, "transactions"), json_object_get(t3, "transactions")));
  assert_int_equal(json_integer_value(json_object_get(t1, "seed")), 424242);
  json_decref(t1);
  json_decref(t2);
  json_decref(t3);
  free(a1);
  free(a2);
  free(a3);
}

static void test_admin_health_and_truth_validate_input(void **state)
{
  plaid_sim *fx = *state;
  sim_answer a = s_http(fx, "GET", "/sim/health", NULL, false, NULL);
  s_expect_ok(&a);
  assert_string_equal(s_str(&a, "today"), S_TODAY);
  sim_answer_free(&a);
  a = s_http(fx, "POST", "/sim/health", "{}", false, NULL);
  s_expect_error(&a, 405, "INVALID_REQUEST", "INVALID_HTTP_METHOD");
  char item_id[64], path[160];
  char *access = s_new_item(fx, 730, -1, item_id);
  snprintf(path, sizeof path, "/sim/items/%s/transactions?start_date=2025-02-30", item_id);
  a = s_http(fx, "GET", path, NULL, false, NULL);
  s_expect_error(&a, 400, "INVALID_REQUEST", "INVALID_FIELD");
  a = s_http(fx, "GET", "/sim/items/unknown/transactions", NULL, false, NULL);
  s_expect_error(&a, 404, "INVALID_INPUT", "ITEM_NOT_FOUND");
  a = s_http(fx, "GET", "/sim/nothing", NULL, false, NULL);
  s_expect_error(&a, 404, "INVALID_REQUEST", "NOT_FOUND");
  a = s_http(fx, "GET", "/sim/items", NULL, false, NULL);
  s_expect_ok(&a);
  assert_null(strstr(a.text, access));
  assert_null(strstr(a.text, "access-sandbox-"));
  sim_answer_free(&a);
  free(access);
}

typedef struct {
  plaid_sim *fx;
  int ok;
} s_worker;

static void *s_worker_run(void *arg)
{
  s_worker *w = arg;
  for(int i = 0; i < 3; i++) {
    sim_answer a =
      s_plaid(w->fx, "/sandbox/public_token/create",
              json_pack("{s:s, s:[s]}", "institution_id", "ins_109511", "initial_products", "transactions"));
    const char *public_token = s_str(&a, "public_token");
    sim_answer x = s_plaid(w->fx, "/item/public_token/exchange", json_pack("{s:s?}", "public_token", public_token));
    const char *access = s_str(&x, "access_token");
    if(access) {
      sim_answer t = s_transactions(w->fx, access, "2025-04-01", S_TODAY, 50, 0);
      w->ok += t.status == 200 && json_array_size(json_object_get(t.body, "transactions")) == 50;
      sim_answer_free(&t);
    }
    sim_answer_free(&x);
    sim_answer_free(&a);
  }
  return NULL;
}

static void test_plaid_sim_serves_concurrent_clients(void **state)
{
  plaid_sim *fx = *state;
  pthread_t threads[4];
  s_worker workers[4];
  for(int i = 0; i < 4; i++) {
    workers[i] = (s_worker){fx, 0};
    assert_int_equal(pthread_create(&threads[i], NULL, s_worker_run, &workers[i]), 0);
  }
  for(int i = 0; i < 4; i++) {
    pthread_join(threads[i], NULL);
    assert_int_equal(workers[i].ok, 3);
  }
}

static void test_plaid_sim_new_refuses_incomplete_config(void **state)
{
  (void)state;
  plaid_sim *sim = NULL;
  plaid_sim_config cfg = {.client_id = "id"};
  assert_int_equal(plaid_sim_new(&cfg, &sim), MYNT_BAD_REQUEST);
  assert_null(sim);
  cfg.secret = "s";
  cfg.today = "2025-02-30";
  assert_int_equal(plaid_sim_new(&cfg, &sim), MYNT_BAD_REQUEST);
  assert_null(sim);
}

#define S_TEST(fn) cmocka_unit_test_setup_teardown(fn, s_setup, s_teardown)
UNIT_MAIN("plaid_sim", unit_curl_setup, unit_curl_teardown,
          {
            S_TEST(test_plaid_sim_rejects_missing_or_wrong_api_keys),
            S_TEST(test_plaid_sim_rejects_wrong_method_body_version_and_fields),
            S_TEST(test_link_token_create_validates_like_plaid),
            S_TEST(test_transactions_get_rejects_bad_dates_and_paging),
            S_TEST(test_link_exchange_accounts_and_paged_transactions_match_the_truth),
            S_TEST(test_days_requested_limits_the_history),
            S_TEST(test_sandbox_public_token_create_validates_and_works),
            S_TEST(test_public_tokens_are_single_use_and_expire),
            S_TEST(test_link_complete_rejects_wrong_credentials),
            S_TEST(test_reset_login_needs_update_mode_link),
            S_TEST(test_faultsim_answer_429_until_cleared_and_count_down),
            S_TEST(test_item_remove_invalidates_the_access_token),
            S_TEST(test_same_seed_gives_the_same_transactions),
            S_TEST(test_admin_health_and_truth_validate_input),
            S_TEST(test_plaid_sim_serves_concurrent_clients),
            cmocka_unit_test(test_plaid_sim_new_refuses_incomplete_config),
          })
