/* test_plaid_error.c - unit tests for Plaid's errors: parsing, classification, statuses, retryability, redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaid/plaid_error.h"
#include "support/unit_main.h"

/* Parses body (an answer with HTTP status http, no token to redact) into *e and asserts the status it
 * returns and the kind it finds. */
static void s_expect_parse(int http, const char *body, mynt_status status, plaid_error_kind kind, plaid_error *e)
{
  assert_int_equal(plaid_error_parse(http, body, strlen(body), NULL, e), status);
  assert_int_equal(e->kind, kind);
}

static void test_plaid_error_parses_every_field(void **state)
{
  (void)state;
  const char *body = "{\"error_type\":\"ITEM_ERROR\",\"error_code\":\"ITEM_LOGIN_REQUIRED\","
                     "\"error_message\":\"the login details of this item have changed\","
                     "\"display_message\":\"Please sign in to your bank again\",\"request_id\":\"HNTDNrA8F1shFEW\","
                     "\"causes\":[],\"status\":400}";
  plaid_error e;
  s_expect_parse(400, body, MYNT_CONFLICT, PLAID_ERR_ITEM_LOGIN_REQUIRED, &e);
  assert_int_equal(e.status, MYNT_CONFLICT);
  assert_int_equal(e.http_status, 400);
  assert_string_equal(e.error_type, "ITEM_ERROR");
  assert_string_equal(e.error_code, "ITEM_LOGIN_REQUIRED");
  assert_string_equal(e.error_message, "the login details of this item have changed");
  assert_string_equal(e.display_message, "Please sign in to your bank again");
  assert_string_equal(e.request_id, "HNTDNrA8F1shFEW");
  assert_string_equal(e.detail, "");
  assert_string_equal(plaid_error_kind_name(e.kind), "item_login_required");
}

static void test_plaid_error_tolerates_missing_and_null_fields(void **state)
{
  (void)state;
  plaid_error e;
  s_expect_parse(400, "{\"error_type\":\"INVALID_REQUEST\",\"error_code\":\"INVALID_FIELD\",\"display_message\":null}",
                 MYNT_BAD_REQUEST, PLAID_ERR_INVALID_REQUEST, &e);
  assert_string_equal(e.error_message, "");
  assert_string_equal(e.display_message, "");
  assert_string_equal(e.request_id, "");

  /* fields of the wrong type */
  s_expect_parse(400, "{\"error_type\":42,\"error_code\":[\"x\"],\"request_id\":{}}", MYNT_UPSTREAM,
                 PLAID_ERR_MALFORMED, &e);
  assert_string_equal(e.error_type, "");
  assert_string_equal(e.error_code, "");
}

static void test_plaid_error_treats_a_non_json_5xx_body_as_a_retryable_server_error(void **state)
{
  (void)state;
  plaid_error e;
  s_expect_parse(502, "<html><body>502 Bad Gateway</body></html>", MYNT_UPSTREAM, PLAID_ERR_SERVER, &e);
  assert_true(plaid_error_retryable(e.kind));
  assert_int_equal(e.http_status, 502);
  assert_string_equal(e.error_code, "");
  assert_non_null(strstr(e.detail, "502"));

  s_expect_parse(429, "", MYNT_RATE_LIMITED, PLAID_ERR_RATE_LIMITED, &e);
  s_expect_parse(400, "nope", MYNT_UPSTREAM, PLAID_ERR_MALFORMED, &e);
  assert_false(plaid_error_retryable(e.kind));
}

static void test_plaid_error_maps_each_code_to_a_status(void **state)
{
  (void)state;
  const struct {
    int http;
    const char *type;
    const char *code;
    plaid_error_kind kind;
    mynt_status status;
    int retry;
  } rows[] = {
    {400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED", PLAID_ERR_ITEM_LOGIN_REQUIRED, MYNT_CONFLICT, 0},
    {400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN", PLAID_ERR_INVALID_ACCESS_TOKEN, MYNT_CONFLICT, 0},
    {400, "ITEM_ERROR", "ITEM_NOT_FOUND", PLAID_ERR_INVALID_ACCESS_TOKEN, MYNT_CONFLICT, 0},
    {400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN", PLAID_ERR_INVALID_PUBLIC_TOKEN, MYNT_BAD_REQUEST, 0},
    {400, "ITEM_ERROR", "PRODUCT_NOT_READY", PLAID_ERR_PRODUCT_NOT_READY, MYNT_UNAVAILABLE, 0},
    {400, "INVALID_REQUEST", "INVALID_FIELD", PLAID_ERR_INVALID_REQUEST, MYNT_BAD_REQUEST, 0},
    {400, "INVALID_REQUEST", "MISSING_FIELDS", PLAID_ERR_INVALID_REQUEST, MYNT_BAD_REQUEST, 0},
    {400, "INVALID_INPUT", "INVALID_API_KEYS", PLAID_ERR_INVALID_CREDENTIALS, MYNT_INTERNAL, 0},
    {429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT", PLAID_ERR_RATE_LIMITED, MYNT_RATE_LIMITED, 1},
    {429, "RATE_LIMIT_EXCEEDED", "TRANSACTIONS_LIMIT", PLAID_ERR_RATE_LIMITED, MYNT_RATE_LIMITED, 1},
    {500, "API_ERROR", "INTERNAL_SERVER_ERROR", PLAID_ERR_SERVER, MYNT_UPSTREAM, 1},
    {503, "API_ERROR", "PLANNED_MAINTENANCE", PLAID_ERR_SERVER, MYNT_UPSTREAM, 1},
    {400, "INSTITUTION_ERROR", "INSTITUTION_DOWN", PLAID_ERR_INSTITUTION, MYNT_UNAVAILABLE, 0},
    {400, "ITEM_ERROR", "NO_ACCOUNTS", PLAID_ERR_OTHER, MYNT_UPSTREAM, 0},
  };
  for(size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    char body[256];
    snprintf(body, sizeof body, "{\"error_type\":\"%s\",\"error_code\":\"%s\",\"error_message\":\"m\"}", rows[i].type,
             rows[i].code);
    plaid_error e;
    s_expect_parse(rows[i].http, body, rows[i].status, rows[i].kind, &e);
    assert_int_equal(plaid_error_retryable(e.kind), rows[i].retry);
  }
  assert_int_equal(plaid_error_kind_status(PLAID_ERR_TRANSPORT), MYNT_UNAVAILABLE);
  assert_int_equal(plaid_error_kind_status(PLAID_ERR_DEADLINE), MYNT_TIMEOUT);
  assert_true(plaid_error_retryable(PLAID_ERR_TRANSPORT));
  assert_int_equal(mynt_status_http(plaid_error_kind_status(PLAID_ERR_RATE_LIMITED)), 429);
  assert_int_equal(mynt_status_http(plaid_error_kind_status(PLAID_ERR_SERVER)), 502);
  assert_int_equal(mynt_status_http(plaid_error_kind_status(PLAID_ERR_TRANSPORT)), 503);
}

static void test_plaid_error_never_contains_a_token(void **state)
{
  (void)state;
  const char *token = "access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6";
  char body[512];
  snprintf(body, sizeof body,
           "{\"error_type\":\"INVALID_INPUT\",\"error_code\":\"INVALID_ACCESS_TOKEN\","
           "\"error_message\":\"token %s is bad; so is access-production-0123456789ab and public-sandbox-77777777\","
           "\"display_message\":\"%s\"}",
           token, token);
  plaid_error e;
  plaid_error_parse(400, body, strlen(body), token, &e);
  assert_null(strstr(e.error_message, "de3ce8ef"));
  assert_null(strstr(e.error_message, "0123456789ab"));
  assert_null(strstr(e.error_message, "77777777"));
  assert_null(memmem(&e, sizeof e, "de3ce8ef", 8));
  assert_string_equal(e.error_message, "token [redacted] is bad; so is [redacted] and [redacted]");
  assert_string_equal(e.display_message, "[redacted]");

  /* Every field is redacted, request_id too: it is logged (found by tests/fuzz/fuzz_plaid_error.c). */
  snprintf(body, sizeof body, "{\"error_type\":\"%s\",\"error_code\":\"X\",\"request_id\":\"%s\"}", token, token);
  plaid_error_parse(400, body, strlen(body), token, &e);
  assert_null(memmem(&e, sizeof e, "de3ce8ef", 8));
  assert_string_equal(e.request_id, "[redacted]");
  assert_string_equal(e.error_type, "[redacted]");

  /* A token glued right after the request's own is redacted too (found by tests/fuzz/fuzz_plaid_error.c). */
  char glued[128] = "token access-sandbox-mysecret1access-sandbox-othertoken2 is invalid";
  plaid_error_redact(glued, sizeof glued, "access-sandbox-mysecret1");
  assert_string_equal(glued, "token [redacted][redacted] is invalid");

  char text[64] = "my-secret-x in the access-token text";
  plaid_error_redact(text, sizeof text, "my-secret-x");
  assert_string_equal(text, "[redacted] in the access-token text");
}

UNIT_MAIN("plaid_error", NULL, NULL,
          {
            cmocka_unit_test(test_plaid_error_parses_every_field),
            cmocka_unit_test(test_plaid_error_tolerates_missing_and_null_fields),
            cmocka_unit_test(test_plaid_error_treats_a_non_json_5xx_body_as_a_retryable_server_error),
            cmocka_unit_test(test_plaid_error_maps_each_code_to_a_status),
            cmocka_unit_test(test_plaid_error_never_contains_a_token),
          })
