/* test_handlers_users_moto.c - GET /me through the router, handler and store against moto_server (the "moto" fixture). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "apigw/router.h"
#include "aws/dynamodb.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "handlers/env.h"
#include "handlers/routes.h"
#include "store/store.h"
#include "support/apigw_forge.h"
#include "support/moto_fixture.h"
#include "support/moto_store.h"

typedef moto_store_fixture s_fixture;

/* Serves GET /me for sub (with the email claim when email is not NULL); returns the payload. */
static json_t *s_get_me(s_fixture *fx, const char *sub, const char *email)
{
  json_t *event = apigw_forge_event_new(&(apigw_forge_event){
    .method = "GET", .route_key = "GET /me", .path = "/me", .request_id = "api-me", .sub = sub, .email = email});
  apigw_ctx ctx = {
    .env = &fx->env, .arena = fx->arena, .deadline_ms = clock_epoch_ms() + 10000, .invocation_id = "lambda-me"};
  json_t *payload = apigw_forge_serve(routes_table(), "users", &ctx, event);
  arena_reset(fx->arena);
  return payload;
}

/* Returns the stored PROFILE record of user as plain JSON, or NULL. */
static json_t *s_profile(s_fixture *fx, const char *user)
{
  json_t *response =
    moto_fixture_ddb(fx->env.store->ddb, "GetItem",
                     json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:b}", "TableName", fx->env.store->table, "Key", "user_id",
                               "S", user, "sk", "S", "PROFILE", "ConsistentRead", 1));
  json_t *item = json_object_get(response, "Item");
  json_t *plain = item ? ddb_unmarshal_item(item) : NULL;
  json_decref(response);
  return plain;
}

static void test_me_creates_the_profile_record_on_first_call(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_t *payload = s_get_me(fx, "sub-first", "ana@example.com");
  assert_int_equal(apigw_forge_status(payload), 200);
  json_t *body = apigw_forge_body(payload);
  assert_string_equal(json_string_value(json_object_get(body, "user_id")), "sub-first");
  assert_string_equal(json_string_value(json_object_get(body, "email")), "ana@example.com");
  const char *created = json_string_value(json_object_get(body, "created_at"));
  assert_non_null(created);
  assert_int_equal(strlen(created), 20);
  assert_int_equal(json_object_size(body), 3);

  json_t *stored = s_profile(fx, "sub-first");
  assert_non_null(stored);
  assert_string_equal(json_string_value(json_object_get(stored, "sk")), "PROFILE");
  assert_string_equal(json_string_value(json_object_get(stored, "email")), "ana@example.com");
  assert_string_equal(json_string_value(json_object_get(stored, "created_at")), created);
  assert_non_null(json_string_value(json_object_get(stored, "updated_at")));
  json_decref(stored);
  json_decref(body);
  json_decref(payload);
}

static void test_me_keeps_created_at_and_the_stored_email_without_a_claim(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_decref(moto_fixture_ddb(fx->env.store->ddb, "PutItem",
                               json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}", "TableName",
                                         fx->env.store->table, "Item", "user_id", "S", "sub-old", "sk", "S", "PROFILE",
                                         "email", "S", "old@example.com", "created_at", "S", "2020-01-02T03:04:05Z",
                                         "updated_at", "S", "2020-01-02T03:04:05Z")));
  json_t *payload = s_get_me(fx, "sub-old", NULL);
  assert_int_equal(apigw_forge_status(payload), 200);
  json_t *body = apigw_forge_body(payload);
  assert_string_equal(json_string_value(json_object_get(body, "email")), "old@example.com");
  assert_string_equal(json_string_value(json_object_get(body, "created_at")), "2020-01-02T03:04:05Z");
  json_decref(body);
  json_decref(payload);

  json_t *stored = s_profile(fx, "sub-old");
  assert_string_equal(json_string_value(json_object_get(stored, "created_at")), "2020-01-02T03:04:05Z");
  assert_string_not_equal(json_string_value(json_object_get(stored, "updated_at")), "2020-01-02T03:04:05Z");
  json_decref(stored);

  payload = s_get_me(fx, "sub-old", "new@example.com");
  body = apigw_forge_body(payload);
  assert_string_equal(json_string_value(json_object_get(body, "email")), "new@example.com");
  assert_string_equal(json_string_value(json_object_get(body, "created_at")), "2020-01-02T03:04:05Z");
  json_decref(body);
  json_decref(payload);
}

static void test_me_answers_null_email_when_none_is_known(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_t *payload = s_get_me(fx, "sub-access-token", NULL);
  assert_int_equal(apigw_forge_status(payload), 200);
  json_t *body = apigw_forge_body(payload);
  assert_true(json_is_null(json_object_get(body, "email")));
  json_decref(body);
  json_decref(payload);
}

static void test_me_answers_500_without_leaking_dynamodb_details_when_the_table_is_missing(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  char saved[sizeof(fx->env.store->table)];
  snprintf(saved, sizeof(saved), "%s", fx->env.store->table);
  snprintf(fx->env.store->table, sizeof(fx->env.store->table), "%.200s-missing", saved);
  json_t *payload = s_get_me(fx, "sub-x", NULL);
  snprintf(fx->env.store->table, sizeof(fx->env.store->table), "%s", saved);
  assert_int_equal(apigw_forge_status(payload), 500);
  const char *text = json_string_value(json_object_get(payload, "body"));
  assert_null(strstr(text, "ResourceNotFound"));
  assert_null(strstr(text, fx->env.store->table));
  json_decref(payload);
}

#define T(name) cmocka_unit_test_setup_teardown(name, moto_store_fixture_setup, moto_store_fixture_teardown)

int main(void)
{
  const struct CMUnitTest tests[] = {
    T(test_me_creates_the_profile_record_on_first_call),
    T(test_me_keeps_created_at_and_the_stored_email_without_a_claim),
    T(test_me_answers_null_email_when_none_is_known),
    T(test_me_answers_500_without_leaking_dynamodb_details_when_the_table_is_missing),
  };
  return cmocka_run_group_tests_name("handlers_users_moto", tests, NULL, NULL);
}
