/* test_plaid_request.c - unit tests for the Plaid request bodies: link tokens, transactions sync, date checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "plaid/plaid_request.h"
#include "support/unit_main.h"

static void test_plaid_link_token_body_asks_only_for_transactions(void **state)
{
  (void)state;
  json_t *body = NULL;
  assert_int_equal(
    plaid_request_link_token_create("user-123", NULL, "https://api.example.com/plaid/webhook", false, &body), MYNT_OK);
  json_t *products = json_object_get(body, "products");
  assert_true(json_is_array(products));
  assert_int_equal(json_array_size(products), 1);
  assert_string_equal(json_string_value(json_array_get(products, 0)), "transactions");
  assert_null(json_object_get(body, "required_if_supported_products"));
  assert_null(json_object_get(body, "optional_products"));
  assert_null(json_object_get(body, "additional_consented_products"));
  assert_null(json_object_get(body, "access_token"));
  assert_int_equal(json_integer_value(json_object_get(json_object_get(body, "transactions"), "days_requested")), 730);
  assert_string_equal(json_string_value(json_object_get(json_object_get(body, "user"), "client_user_id")), "user-123");
  assert_string_equal(json_string_value(json_object_get(body, "client_name")), "Mynt");
  assert_string_equal(json_string_value(json_object_get(body, "language")), "en");
  json_t *countries = json_object_get(body, "country_codes");
  assert_int_equal(json_array_size(countries), 1);
  assert_string_equal(json_string_value(json_array_get(countries, 0)), "US");
  assert_string_equal(json_string_value(json_object_get(body, "webhook")), "https://api.example.com/plaid/webhook");
  assert_null(json_object_get(body, "secret"));
  assert_null(json_object_get(body, "client_id"));
  json_decref(body);

  assert_int_equal(plaid_request_link_token_create("user-123", "", NULL, false, &body), MYNT_OK);
  assert_null(json_object_get(body, "webhook"));
  assert_non_null(json_object_get(body, "products"));
  json_decref(body);

  assert_int_equal(plaid_request_link_token_create("", NULL, NULL, false, &body), MYNT_BAD_REQUEST);
  assert_null(body);
  assert_int_equal(plaid_request_link_token_create("user 1", NULL, NULL, false, &body), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_request_link_token_create("user-1", NULL, "ftp://x", false, &body), MYNT_BAD_REQUEST);
}

static void test_plaid_link_token_update_mode_sends_the_item_and_no_products(void **state)
{
  (void)state;
  json_t *body = NULL;
  assert_int_equal(plaid_request_link_token_create("user-123", "access-sandbox-abc", NULL, false, &body), MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(body, "access_token")), "access-sandbox-abc");
  assert_null(json_object_get(body, "update"));
  assert_null(json_object_get(body, "products"));
  assert_null(json_object_get(body, "transactions"));
  assert_null(json_object_get(body, "required_if_supported_products"));
  assert_null(json_object_get(body, "optional_products"));
  assert_null(json_object_get(body, "additional_consented_products"));
  assert_string_equal(json_string_value(json_object_get(json_object_get(body, "user"), "client_user_id")), "user-123");
  json_decref(body);
}

static void test_plaid_link_token_account_selection_is_update_mode_only(void **state)
{
  (void)state;
  json_t *body = NULL;
  assert_int_equal(plaid_request_link_token_create("user-123", "access-sandbox-abc", NULL, true, &body), MYNT_OK);
  assert_true(json_is_true(json_object_get(json_object_get(body, "update"), "account_selection_enabled")));
  assert_int_equal(json_object_size(json_object_get(body, "update")), 1);
  assert_null(json_object_get(body, "products"));
  json_decref(body);

  assert_int_equal(plaid_request_link_token_create("user-123", NULL, NULL, true, &body), MYNT_BAD_REQUEST);
  assert_null(body);
  assert_int_equal(plaid_request_link_token_create("user-123", "", NULL, true, &body), MYNT_BAD_REQUEST);
  assert_null(body);
}

static void test_plaid_request_date_valid_accepts_only_real_days(void **state)
{
  (void)state;
  assert_true(plaid_request_date_valid("2024-02-29"));
  assert_false(plaid_request_date_valid("2100-02-29"));
  assert_false(plaid_request_date_valid("2023-02-29"));
  assert_false(plaid_request_date_valid("2024-1-01"));
  assert_false(plaid_request_date_valid("2024-13-01"));
  assert_false(plaid_request_date_valid("2024-01-32"));
}

/* A builder of a one-token body, e.g. plaid_request_access_token. */
typedef mynt_status (*s_token_body)(const char *token, json_t **out_body);

/* Builds the body for text and checks that it is exactly {key: text}. */
static void s_assert_body_is_only(s_token_body build, const char *text, const char *key)
{
  json_t *body = NULL;
  assert_int_equal(build(text, &body), MYNT_OK);
  assert_int_equal(json_object_size(body), 1);
  assert_string_equal(json_string_value(json_object_get(body, key)), text);
  json_decref(body);
}

/* Checks that build refuses each of bad[0..n) and clears the out pointer, even one that held a stale
 * value (json_true() is a shared constant: a stale pointer that must be cleared, not a leak). */
static void s_assert_refuses(s_token_body build, const char *const *bad, size_t n)
{
  for(size_t i = 0; i < n; i++) {
    json_t *body = json_true();
    assert_int_equal(build(bad[i], &body), MYNT_BAD_REQUEST);
    assert_null(body);
  }
}

static void test_plaid_token_bodies_carry_only_their_token_and_refuse_bad_tokens(void **state)
{
  (void)state;
  s_assert_body_is_only(plaid_request_public_token_exchange, "public-sandbox-123", "public_token");
  s_assert_body_is_only(plaid_request_access_token, "access-sandbox-abc", "access_token");

  char too_long[PLAID_MAX_TOKEN + 2];
  memset(too_long, 'a', sizeof too_long - 1);
  too_long[sizeof too_long - 1] = '\0';
  const char *const bad[] = {NULL, "", "access sandbox", "access-\x7f", too_long};
  s_assert_refuses(plaid_request_public_token_exchange, bad, sizeof bad / sizeof bad[0]);
  s_assert_refuses(plaid_request_access_token, bad, sizeof bad / sizeof bad[0]);
}

static void test_plaid_webhook_key_body_carries_only_the_key_id(void **state)
{
  (void)state;
  s_assert_body_is_only(plaid_request_webhook_verification_key, "bfbd5111-8e33-4643-8ced-b2e642a72f3c", "key_id");
  const char *const bad[] = {NULL, "", "has space", "tab\tin"};
  s_assert_refuses(plaid_request_webhook_verification_key, bad, sizeof bad / sizeof bad[0]);
}

static void test_plaid_sync_body_carries_token_count_and_a_cursor_only_when_given(void **state)
{
  (void)state;
  json_t *body = NULL;
  assert_int_equal(plaid_request_transactions_sync("access-sandbox-abc", NULL, 500, &body), MYNT_OK);
  assert_int_equal(json_object_size(body), 2);
  assert_string_equal(json_string_value(json_object_get(body, "access_token")), "access-sandbox-abc");
  assert_int_equal(json_integer_value(json_object_get(body, "count")), 500);
  json_decref(body);
  assert_int_equal(plaid_request_transactions_sync("access-sandbox-abc", "", 1, &body), MYNT_OK);
  assert_null(json_object_get(body, "cursor"));
  json_decref(body);
  assert_int_equal(plaid_request_transactions_sync("access-sandbox-abc", "Y3Vyc29yLTE=", 100, &body), MYNT_OK);
  assert_int_equal(json_object_size(body), 3);
  assert_string_equal(json_string_value(json_object_get(body, "cursor")), "Y3Vyc29yLTE=");
  json_decref(body);

  char longest[PLAID_CURSOR_MAX + 2];
  memset(longest, 'c', sizeof longest - 1);
  longest[PLAID_CURSOR_MAX] = '\0';
  assert_int_equal(plaid_request_transactions_sync("access-sandbox-abc", longest, 100, &body), MYNT_OK);
  json_decref(body);
  longest[PLAID_CURSOR_MAX] = 'c';
  longest[PLAID_CURSOR_MAX + 1] = '\0';
  const struct {
    const char *token, *cursor;
    int count;
  } bad[] = {
    {"access-sandbox-abc", NULL, 0},
    {"access-sandbox-abc", NULL, 501},
    {"", NULL, 100},
    {NULL, NULL, 100},
    {"access sandbox", NULL, 100},
    {"access-sandbox-abc", longest, 100},
    {"access-sandbox-abc", "has space", 100},
    {"access-sandbox-abc", "nl\n", 100},
  };
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    body = json_true();
    assert_int_equal(plaid_request_transactions_sync(bad[i].token, bad[i].cursor, bad[i].count, &body),
                     MYNT_BAD_REQUEST);
    assert_null(body);
  }
}

UNIT_MAIN("plaid_request", NULL, NULL,
          {
            cmocka_unit_test(test_plaid_link_token_body_asks_only_for_transactions),
            cmocka_unit_test(test_plaid_link_token_update_mode_sends_the_item_and_no_products),
            cmocka_unit_test(test_plaid_link_token_account_selection_is_update_mode_only),
            cmocka_unit_test(test_plaid_request_date_valid_accepts_only_real_days),
            cmocka_unit_test(test_plaid_token_bodies_carry_only_their_token_and_refuse_bad_tokens),
            cmocka_unit_test(test_plaid_webhook_key_body_carries_only_the_key_id),
            cmocka_unit_test(test_plaid_sync_body_carries_token_count_and_a_cursor_only_when_given),
          })
