/* test_plaid_client.c - unit tests for the Plaid client (plaid.c): configuration, endpoints, retries inside a
 * deadline and the reused connection, against the loopback fake Plaid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/clock.h"
#include "plaid/plaid.h"
#include "support/fake_plaid.h"
#include "support/unit_curl.h"

static int64_t s_in(int64_t ms)
{
  return clock_epoch_ms() + ms;
}

/* /transactions/sync of item a from cursor (NULL = the start), count per page, with 3 s to answer. */
static mynt_status s_sync_item_a(fake_plaid_fixture *f, const char *cursor, int count, json_t **out_answer,
                                 plaid_error *err)
{
  return plaid_transactions_sync(f->client, "access-sandbox-item-a", cursor, count, s_in(3000), out_answer, err);
}

static void test_plaid_config_picks_the_base_url_from_the_environment(void **state)
{
  (void)state;
  char url[256];
  assert_int_equal(plaid_base_url_resolve(NULL, "sandbox", url, sizeof url), MYNT_OK);
  assert_string_equal(url, "https://sandbox.plaid.com");
  assert_int_equal(plaid_base_url_resolve("", "production", url, sizeof url), MYNT_OK);
  assert_string_equal(url, "https://production.plaid.com");
  assert_int_equal(plaid_base_url_resolve("http://127.0.0.1:4010/", "nonsense", url, sizeof url), MYNT_OK);
  assert_string_equal(url, "http://127.0.0.1:4010");
  assert_int_equal(plaid_base_url_resolve(NULL, "development", url, sizeof url), MYNT_BAD_REQUEST);
  assert_string_equal(url, "");
  assert_int_equal(plaid_base_url_resolve(NULL, NULL, url, sizeof url), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_base_url_resolve("sandbox.plaid.com", NULL, url, sizeof url), MYNT_BAD_REQUEST);

  plaid_config cfg;
  mynt_detail why;
  unsetenv("PLAID_BASE_URL");
  setenv("PLAID_ENV", "production", 1);
  assert_int_equal(plaid_config_from_env(&cfg, FAKE_PLAID_CLIENT_ID, FAKE_PLAID_SECRET, &why), MYNT_OK);
  assert_string_equal(cfg.base_url, "https://production.plaid.com");
  assert_string_equal(cfg.client_id, FAKE_PLAID_CLIENT_ID);
  assert_string_equal(cfg.secret, FAKE_PLAID_SECRET);
  plaid_config_wipe(&cfg);
  setenv("PLAID_BASE_URL", "http://127.0.0.1:9", 1);
  assert_int_equal(plaid_config_from_env(&cfg, FAKE_PLAID_CLIENT_ID, FAKE_PLAID_SECRET, &why), MYNT_OK);
  assert_string_equal(cfg.base_url, "http://127.0.0.1:9");
  unsetenv("PLAID_BASE_URL");
  setenv("PLAID_ENV", "staging", 1);
  assert_int_equal(plaid_config_from_env(&cfg, FAKE_PLAID_CLIENT_ID, FAKE_PLAID_SECRET, &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), "PLAID_ENV"));
  setenv("PLAID_ENV", "sandbox", 1);
  assert_int_equal(plaid_config_from_env(&cfg, FAKE_PLAID_CLIENT_ID, "", &why), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_config_from_env(&cfg, FAKE_PLAID_CLIENT_ID, "has space", &why), MYNT_BAD_REQUEST);
  assert_null(strstr(mynt_detail_text(&why), "has space"));
  assert_string_equal(cfg.secret, "");
  unsetenv("PLAID_ENV");
}

static void test_plaid_link_token_create_passes_the_validating_server(void **state)
{
  fake_plaid_fixture *f = *state;
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_link_token_create(f->client, "user-42", NULL, NULL, false, s_in(3000), &answer, &err),
                   MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(answer, "link_token")), "link-sandbox-0000");
  json_decref(answer);
  json_t *seen = f->plaid->last_link_body;
  assert_non_null(seen);
  assert_null(json_object_get(seen, "webhook"));
  assert_string_equal(json_string_value(json_array_get(json_object_get(seen, "products"), 0)), "transactions");
  assert_int_equal(json_array_size(json_object_get(seen, "products")), 1);

  assert_int_equal(plaid_link_token_create(f->client, "user-42", "access-sandbox-item-a",
                                           "https://api.example.com/webhooks/plaid", false, s_in(3000), &answer, &err),
                   MYNT_OK);
  json_decref(answer);
  seen = f->plaid->last_link_body;
  assert_null(json_object_get(seen, "products"));
  assert_string_equal(json_string_value(json_object_get(seen, "access_token")), "access-sandbox-item-a");
  assert_string_equal(json_string_value(json_object_get(seen, "webhook")), "https://api.example.com/webhooks/plaid");
  assert_null(json_object_get(seen, "update"));

  assert_int_equal(
    plaid_link_token_create(f->client, "user-42", "access-sandbox-item-a", NULL, true, s_in(3000), &answer, &err),
    MYNT_OK);
  json_decref(answer);
  seen = f->plaid->last_link_body;
  assert_true(json_is_true(json_object_get(json_object_get(seen, "update"), "account_selection_enabled")));
  assert_int_equal(plaid_link_token_create(f->client, "user-42", NULL, NULL, true, s_in(3000), &answer, &err),
                   MYNT_BAD_REQUEST);
  assert_int_equal(err.attempts, 0);

  assert_int_equal(plaid_link_token_create(f->client, "user-42", NULL, "ftp://nope", false, s_in(3000), &answer, &err),
                   MYNT_BAD_REQUEST);
  assert_int_equal(err.attempts, 0);
  assert_int_equal(plaid_link_token_create(f->client, "", NULL, NULL, false, s_in(3000), &answer, &err),
                   MYNT_BAD_REQUEST);
  assert_int_equal(err.attempts, 0);
}

static void test_plaid_exchange_returns_the_access_token_or_a_redacted_error(void **state)
{
  fake_plaid_fixture *f = *state;
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_item_public_token_exchange(f->client, FAKE_PLAID_PUBLIC_TOKEN, s_in(3000), &answer, &err),
                   MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(answer, "access_token")), "access-sandbox-item-a");
  assert_string_equal(json_string_value(json_object_get(answer, "item_id")), "item-a");
  json_decref(answer);

  const char *bad = "public-sandbox-00000000-dead-beef-0000-000000000000";
  assert_int_equal(plaid_item_public_token_exchange(f->client, bad, s_in(3000), &answer, &err), MYNT_BAD_REQUEST);
  assert_null(answer);
  assert_int_equal(err.kind, PLAID_ERR_INVALID_PUBLIC_TOKEN);
  assert_int_equal(err.http_status, 400);
  assert_null(memmem(&err, sizeof err, "dead-beef", 9));
  assert_string_equal(err.error_message, "provided public token [redacted] is invalid");
}

static void test_plaid_other_endpoints_answer_through_the_server(void **state)
{
  fake_plaid_fixture *f = *state;
  fake_plaid_add_item(f->plaid, "access-sandbox-item-a", "a", 3);
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_accounts_get(f->client, "access-sandbox-item-a", s_in(3000), &answer, &err), MYNT_OK);
  assert_int_equal(json_array_size(json_object_get(answer, "accounts")), 1);
  json_decref(answer);
  assert_int_equal(plaid_item_remove(f->client, "access-sandbox-item-a", s_in(3000), &answer, &err), MYNT_OK);
  json_decref(answer);
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-unknown", s_in(3000), &answer, &err), MYNT_CONFLICT);
  assert_int_equal(err.kind, PLAID_ERR_INVALID_ACCESS_TOKEN);
}

static void test_plaid_refuses_an_invalid_count_without_sending(void **state)
{
  fake_plaid_fixture *f = *state;
  fake_plaid_add_item(f->plaid, "access-sandbox-item-a", "a", 3);
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(s_sync_item_a(f, NULL, 0, &answer, &err), MYNT_BAD_REQUEST);
  assert_int_equal(s_sync_item_a(f, NULL, 501, &answer, &err), MYNT_BAD_REQUEST);
  assert_null(answer);
  assert_int_equal(script_server_counts(f->plaid->server).requests, 0);

  /* The server enforces the same range when a body slips past the builder. */
  json_t *raw = json_pack("{s:s, s:i}", "access_token", "access-sandbox-item-a", "count", 501);
  assert_int_equal(plaid_call(f->client, "/transactions/sync", raw, s_in(3000), &answer, &err), MYNT_BAD_REQUEST);
  assert_string_equal(err.error_code, "INVALID_FIELD");
  json_decref(raw);
}

static void test_plaid_retries_rate_limit_twice_then_succeeds(void **state)
{
  fake_plaid_fixture *f = *state;
  fake_plaid_item *item = f->item_a;
  fake_plaid_fail(item, 2, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT");
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", s_in(3000), &answer, &err), MYNT_OK);
  assert_non_null(answer);
  assert_int_equal(err.attempts, 3);
  assert_int_equal(item->hits, 3);
  json_decref(answer);
}

/* An error that never clears: retried until the deadline, then reported with its own status. */
static void test_plaid_gives_up_on_a_persistent_error_by_the_deadline(void **state)
{
  (void)state;
  const struct {
    const char *name;
    int http;
    const char *type;
    const char *code;
    int64_t deadline_in_ms;
    mynt_status status;
    plaid_error_kind kind;
    int min_attempts;
    int answer_http; /* what Mynt answers for it */
  } cases[] = {
    {"a rate limit", 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT", 500, MYNT_RATE_LIMITED, PLAID_ERR_RATE_LIMITED, 2, 429},
    {"a server error", 500, "API_ERROR", "INTERNAL_SERVER_ERROR", 700, MYNT_UPSTREAM, PLAID_ERR_SERVER, 3, 502},
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fake_plaid_fixture *f = NULL;
    fake_plaid_item_a_setup((void **)&f);
    fake_plaid_item *item = f->item_a;
    fake_plaid_fail(item, -1, cases[i].http, cases[i].type, cases[i].code);
    json_t *answer = NULL;
    plaid_error err;
    int64_t deadline = s_in(cases[i].deadline_in_ms);
    mynt_status st = plaid_item_get(f->client, "access-sandbox-item-a", deadline, &answer, &err);
    int64_t late = clock_epoch_ms() - deadline;
    int requests = script_server_wait_requests(f->plaid->server, err.attempts, 1000);
    if(st != cases[i].status || answer || err.kind != cases[i].kind || err.http_status != cases[i].http ||
       err.attempts < cases[i].min_attempts || requests != err.attempts || late > FAKE_PLAID_LATE_MS ||
       mynt_status_http(err.status) != cases[i].answer_http)
      fail_msg("%s: %s, kind %d, HTTP %d, %d attempts (%d requests), %lld ms after the deadline", cases[i].name,
               mynt_strerror(st), (int)err.kind, err.http_status, err.attempts, requests, (long long)late);
    fake_plaid_teardown((void **)&f);
  }
}

static void test_plaid_does_not_retry_item_login_required(void **state)
{
  fake_plaid_fixture *f = *state;
  fake_plaid_item *item = f->item_a;
  fake_plaid_fail(item, -1, 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED");
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_accounts_get(f->client, "access-sandbox-item-a", s_in(3000), &answer, &err), MYNT_CONFLICT);
  assert_int_equal(err.kind, PLAID_ERR_ITEM_LOGIN_REQUIRED);
  assert_int_equal(err.attempts, 1);
  assert_int_equal(item->hits, 1);
  assert_string_equal(err.request_id, "req-error");
}

static void test_plaid_retries_an_unreachable_server_until_the_deadline(void **state)
{
  (void)state;
  /* A port that was just free: a server's, once it stopped. */
  script_server *gone = NULL;
  assert_int_equal(script_server_new(NULL, NULL, &gone), MYNT_OK);
  char url[64];
  snprintf(url, sizeof url, "%s", script_server_url(gone));
  script_server_free(gone);
  plaid_config cfg = fake_plaid_config(url, FAKE_PLAID_SECRET);
  plaid_client *c = NULL;
  assert_int_equal(plaid_client_new(&cfg, &c), MYNT_OK);
  json_t *answer = NULL;
  plaid_error err;
  int64_t deadline = s_in(400);
  assert_int_equal(plaid_item_get(c, "access-sandbox-item-a", deadline, &answer, &err), MYNT_UNAVAILABLE);
  assert_true(clock_epoch_ms() <= deadline + FAKE_PLAID_LATE_MS);
  assert_int_equal(err.kind, PLAID_ERR_TRANSPORT);
  assert_true(err.attempts >= 2);
  plaid_client_free(c);

  assert_int_equal(plaid_item_get(NULL, "x", 0, &answer, &err), MYNT_BAD_REQUEST);
}

static void test_plaid_reports_a_passed_deadline_without_sending(void **state)
{
  fake_plaid_fixture *f = *state;
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", clock_epoch_ms() - 1, &answer, &err),
                   MYNT_TIMEOUT);
  assert_int_equal(err.kind, PLAID_ERR_DEADLINE);
  assert_int_equal(err.attempts, 0);
  assert_int_equal(script_server_counts(f->plaid->server).requests, 0);
}

static void test_plaid_reuses_one_connection_for_sequential_calls(void **state)
{
  fake_plaid_fixture *f = *state;
  for(int i = 0; i < 3; i++) {
    json_t *answer = NULL;
    assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", s_in(3000), &answer, NULL), MYNT_OK);
    json_decref(answer);
  }
  assert_int_equal(script_server_counts(f->plaid->server).requests, 3);
  unsigned short first = script_server_record(f->plaid->server, 0)->client_port;
  assert_int_equal(script_server_record(f->plaid->server, 1)->client_port, first);
  assert_int_equal(script_server_record(f->plaid->server, 2)->client_port, first);
}

static void test_plaid_webhook_verification_key_get_returns_the_key(void **state)
{
  fake_plaid_fixture *f = *state;
  fake_plaid_add_webhook_key(f->plaid,
                             json_pack("{s:s,s:I,s:s,s:n,s:s,s:s,s:s,s:s,s:s}", "alg", "ES256", "created_at",
                                       (json_int_t)1560466150, "crv", "P-256", "expired_at", "kid", "key-1", "kty",
                                       "EC", "use", "sig", "x", "hKXLGIjWvCBv-cP5euCTxl8g9GLG9zHo_3pO5NN1DwQ", "y",
                                       "shhexqPB7YffGn6fR6h2UhTSuCtPmfzQJ6ENVIoO4Ys"));
  json_t *jwk = NULL;
  plaid_error err;
  assert_int_equal(plaid_webhook_verification_key_get(f->client, "key-1", s_in(3000), &jwk, &err), MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(jwk, "kid")), "key-1");
  assert_string_equal(json_string_value(json_object_get(jwk, "x")), "hKXLGIjWvCBv-cP5euCTxl8g9GLG9zHo_3pO5NN1DwQ");
  assert_true(json_is_null(json_object_get(jwk, "expired_at")));
  assert_null(json_object_get(jwk, "request_id"));
  json_decref(jwk);
  assert_int_equal(f->plaid->key_requests, 1);
  assert_false(f->plaid->secret_in_body);

  assert_int_equal(plaid_webhook_verification_key_get(f->client, "key-2", s_in(3000), &jwk, &err), MYNT_BAD_REQUEST);
  assert_null(jwk);
  assert_int_equal(err.http_status, 400);
  assert_string_equal(err.error_code, "INVALID_WEBHOOK_VERIFICATION_KEY_ID");
  assert_int_equal(f->plaid->key_requests, 2);

  assert_int_equal(plaid_webhook_verification_key_get(f->client, "", s_in(3000), &jwk, &err), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_webhook_verification_key_get(f->client, "a b", s_in(3000), &jwk, &err), MYNT_BAD_REQUEST);
  assert_null(jwk);
  assert_int_equal(f->plaid->key_requests, 2);
}

/* A script_server playing Plaid answer by answer, in *out_srv, and a Plaid client pointed at it (the caller frees
 * both). */
static plaid_client *s_scripted_client(script_server **out_srv)
{
  assert_int_equal(script_server_new(NULL, NULL, out_srv), MYNT_OK);
  plaid_config cfg = fake_plaid_config(script_server_url(*out_srv), FAKE_PLAID_SECRET);
  plaid_client *client = NULL;
  assert_int_equal(plaid_client_new(&cfg, &client), MYNT_OK);
  return client;
}

static void test_plaid_webhook_verification_key_get_refuses_an_answer_without_a_key(void **state)
{
  (void)state;
  script_server *srv = NULL;
  plaid_client *client = s_scripted_client(&srv);
  const char *answers[] = {"{\"request_id\":\"r\"}", "{\"key\":\"text\",\"request_id\":\"r\"}",
                           "{\"key\":[],\"request_id\":\"r\"}"};
  for(size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
    assert_int_equal(script_server_reply(srv, 200, answers[i]), MYNT_OK);
    json_t *jwk = (json_t *)1;
    plaid_error err;
    assert_int_equal(plaid_webhook_verification_key_get(client, "key-1", s_in(3000), &jwk, &err), MYNT_UPSTREAM);
    assert_null(jwk);
    assert_int_equal(err.kind, PLAID_ERR_MALFORMED);
    assert_non_null(strstr(err.detail, "key"));
  }
  plaid_client_free(client);
  script_server_free(srv);
}

static void test_plaid_transactions_sync_pages_from_the_cursor_it_is_given(void **state)
{
  fake_plaid_fixture *f = *state;
  fake_plaid_add_item(f->plaid, "access-sandbox-item-a", "a", 5);
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(s_sync_item_a(f, NULL, 3, &answer, &err), MYNT_OK);
  assert_int_equal(json_array_size(json_object_get(answer, "added")), 3);
  assert_true(json_is_true(json_object_get(answer, "has_more")));
  char next[64];
  snprintf(next, sizeof next, "%s", json_string_value(json_object_get(answer, "next_cursor")));
  json_decref(answer);
  assert_int_equal(s_sync_item_a(f, next, 3, &answer, &err), MYNT_OK);
  json_t *added = json_object_get(answer, "added");
  assert_int_equal(json_array_size(added), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(added, 0), "transaction_id")), "a-0003");
  assert_true(json_is_false(json_object_get(answer, "has_more")));
  json_decref(answer);
  fake_plaid_item *item = &f->plaid->items[0];
  assert_int_equal(item->n_pages, 2);
  assert_int_equal(item->offsets[0], 0);
  assert_int_equal(item->offsets[1], 3);
  assert_int_equal(item->counts[1], 3);

  assert_int_equal(s_sync_item_a(f, NULL, 501, &answer, &err), MYNT_BAD_REQUEST);
  assert_int_equal(err.attempts, 0);
  assert_int_equal(item->n_pages, 2);
}

static void test_plaid_transactions_sync_refuses_an_answer_without_its_members(void **state)
{
  (void)state;
  script_server *srv = NULL;
  plaid_client *client = s_scripted_client(&srv);
  const char *answers[] = {
    "{\"request_id\":\"r\"}",
    "{\"added\":[],\"modified\":[],\"removed\":[],\"has_more\":false,\"request_id\":\"r\"}",
    "{\"added\":[],\"modified\":[],\"removed\":[],\"next_cursor\":\"c\",\"has_more\":\"no\"}",
    "{\"added\":{},\"modified\":[],\"removed\":[],\"next_cursor\":\"c\",\"has_more\":false}",
  };
  for(size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
    assert_int_equal(script_server_reply(srv, 200, answers[i]), MYNT_OK);
    json_t *answer = (json_t *)1;
    plaid_error err;
    assert_int_equal(plaid_transactions_sync(client, "access-sandbox-item-a", "c", 10, s_in(3000), &answer, &err),
                     MYNT_UPSTREAM);
    assert_null(answer);
    assert_int_equal(err.kind, PLAID_ERR_MALFORMED);
  }
  const char *ok = "{\"added\":[],\"modified\":[],\"removed\":[],\"next_cursor\":\"\",\"has_more\":false}";
  assert_int_equal(script_server_reply(srv, 200, ok), MYNT_OK);
  json_t *answer = NULL;
  assert_int_equal(plaid_transactions_sync(client, "access-sandbox-item-a", "c", 10, s_in(3000), &answer, NULL),
                   MYNT_OK);
  json_decref(answer);
  plaid_client_free(client);
  script_server_free(srv);
}

UNIT_MAIN("plaid_client", unit_curl_setup, unit_curl_teardown,
          {
            cmocka_unit_test(test_plaid_config_picks_the_base_url_from_the_environment),
            cmocka_unit_test_setup_teardown(test_plaid_link_token_create_passes_the_validating_server,
                                            fake_plaid_item_a_setup, fake_plaid_teardown),
            cmocka_unit_test_setup_teardown(test_plaid_exchange_returns_the_access_token_or_a_redacted_error,
                                            fake_plaid_setup, fake_plaid_teardown),
            cmocka_unit_test_setup_teardown(test_plaid_other_endpoints_answer_through_the_server, fake_plaid_setup,
                                            fake_plaid_teardown),
            cmocka_unit_test_setup_teardown(test_plaid_refuses_an_invalid_count_without_sending, fake_plaid_setup,
                                            fake_plaid_teardown),
            cmocka_unit_test_setup_teardown(test_plaid_retries_rate_limit_twice_then_succeeds, fake_plaid_item_a_setup,
                                            fake_plaid_teardown),
            cmocka_unit_test(test_plaid_gives_up_on_a_persistent_error_by_the_deadline),
            cmocka_unit_test_setup_teardown(test_plaid_does_not_retry_item_login_required, fake_plaid_item_a_setup,
                                            fake_plaid_teardown),
            cmocka_unit_test(test_plaid_retries_an_unreachable_server_until_the_deadline),
            cmocka_unit_test_setup_teardown(test_plaid_reports_a_passed_deadline_without_sending,
                                            fake_plaid_item_a_setup, fake_plaid_teardown),
            cmocka_unit_test_setup_teardown(test_plaid_reuses_one_connection_for_sequential_calls,
                                            fake_plaid_item_a_setup, fake_plaid_teardown),
            cmocka_unit_test_setup_teardown(test_plaid_webhook_verification_key_get_returns_the_key, fake_plaid_setup,
                                            fake_plaid_teardown),
            cmocka_unit_test(test_plaid_webhook_verification_key_get_refuses_an_answer_without_a_key),
            cmocka_unit_test_setup_teardown(test_plaid_transactions_sync_pages_from_the_cursor_it_is_given,
                                            fake_plaid_setup, fake_plaid_teardown),
            cmocka_unit_test(test_plaid_transactions_sync_refuses_an_answer_without_its_members),
          })
