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
#include "support/moto_fixture.h"

typedef struct {
  handlers_env env;
  mynt_arena *arena;
  char table[96];
} s_fixture;

static int s_setup(void **state)
{
  *state = NULL;
  s_fixture *fx = calloc(1, sizeof(*fx));
  assert_non_null(fx);
  moto_fixture_unique_name(fx->table, sizeof(fx->table), "mynt-users-me");
  if(!moto_fixture_export_env(fx->table)) {
    free(fx);
    return 0;
  }
  mynt_detail why;
  assert_int_equal(store_open_from_env(&fx->env.store, &why), MYNT_OK);
  assert_string_equal(fx->env.store->table, fx->table);
  moto_fixture_create_table(fx->env.store->ddb, fx->table);
  fx->arena = arena_create(4 * 1024 * 1024);
  assert_non_null(fx->arena);
  *state = fx;
  return 0;
}

static int s_teardown(void **state)
{
  s_fixture *fx = *state;
  if(!fx)
    return 0;
  moto_fixture_delete_table(fx->env.store->ddb, fx->table);
  store_close(fx->env.store);
  arena_destroy(fx->arena);
  free(fx);
  return 0;
}

/* Serves GET /me for sub (with the email claim when email is not NULL); returns the payload. */
static json_t *s_get_me(s_fixture *fx, const char *sub, const char *email)
{
  json_t *claims = json_pack("{s:s}", "sub", sub);
  if(email)
    json_object_set_new(claims, "email", json_string(email));
  json_t *event = json_pack("{s:s, s:s, s:s, s:{s:s, s:{s:s, s:s}, s:{s:{s:o}}}}", "version", "2.0", "routeKey",
                            "GET /me", "rawPath", "/me", "requestContext", "requestId", "api-me", "http", "method",
                            "GET", "path", "/me", "authorizer", "jwt", "claims", claims);
  assert_non_null(event);
  apigw_ctx ctx = {.env = &fx->env, .arena = fx->arena, .deadline_ms = clock_epoch_ms() + 10000,
                   .invocation_id = "lambda-me"};
  mynt_buf out;
  buf_init(&out, 1 << 20);
  assert_int_equal(apigw_router_serve(routes_table(), "users", &ctx, event, &out), MYNT_OK);
  json_decref(event);
  arena_reset(fx->arena);
  json_error_t err;
  json_t *payload = json_loadb(out.ptr, out.len, 0, &err);
  buf_free(&out);
  assert_non_null(payload);
  return payload;
}

static json_t *s_body(json_t *payload)
{
  json_error_t err;
  json_t *body = json_loads(json_string_value(json_object_get(payload, "body")), 0, &err);
  assert_non_null(body);
  return body;
}

/* Returns the stored PROFILE record of user as plain JSON, or NULL. */
static json_t *s_profile(s_fixture *fx, const char *user)
{
  json_t *response =
    moto_fixture_ddb(fx->env.store->ddb, "GetItem",
                     json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:b}", "TableName", fx->table, "Key", "user_id", "S", user,
                               "sk", "S", "PROFILE", "ConsistentRead", 1));
  json_t *item = json_object_get(response, "Item");
  json_t *plain = item ? ddb_unmarshal_item(item) : NULL;
  json_decref(response);
  return plain;
}

static void test_me_creates_the_profile_record_on_first_call(void **state)
{
  s_fixture *fx = *state;
  if(!fx)
    skip();
  json_t *payload = s_get_me(fx, "sub-first", "ana@example.com");
  assert_int_equal(json_integer_value(json_object_get(payload, "statusCode")), 200);
  json_t *body = s_body(payload);
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
  s_fixture *fx = *state;
  if(!fx)
    skip();
  json_decref(moto_fixture_ddb(fx->env.store->ddb, "PutItem",
                               json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}", "TableName",
                                         fx->table, "Item", "user_id", "S", "sub-old", "sk", "S", "PROFILE", "email",
                                         "S", "old@example.com", "created_at", "S", "2020-01-02T03:04:05Z",
                                         "updated_at", "S", "2020-01-02T03:04:05Z")));
  json_t *payload = s_get_me(fx, "sub-old", NULL);
  assert_int_equal(json_integer_value(json_object_get(payload, "statusCode")), 200);
  json_t *body = s_body(payload);
  assert_string_equal(json_string_value(json_object_get(body, "email")), "old@example.com");
  assert_string_equal(json_string_value(json_object_get(body, "created_at")), "2020-01-02T03:04:05Z");
  json_decref(body);
  json_decref(payload);

  json_t *stored = s_profile(fx, "sub-old");
  assert_string_equal(json_string_value(json_object_get(stored, "created_at")), "2020-01-02T03:04:05Z");
  assert_string_not_equal(json_string_value(json_object_get(stored, "updated_at")), "2020-01-02T03:04:05Z");
  json_decref(stored);

  payload = s_get_me(fx, "sub-old", "new@example.com");
  body = s_body(payload);
  assert_string_equal(json_string_value(json_object_get(body, "email")), "new@example.com");
  assert_string_equal(json_string_value(json_object_get(body, "created_at")), "2020-01-02T03:04:05Z");
  json_decref(body);
  json_decref(payload);
}

static void test_me_answers_null_email_when_none_is_known(void **state)
{
  s_fixture *fx = *state;
  if(!fx)
    skip();
  json_t *payload = s_get_me(fx, "sub-access-token", NULL);
  assert_int_equal(json_integer_value(json_object_get(payload, "statusCode")), 200);
  json_t *body = s_body(payload);
  assert_true(json_is_null(json_object_get(body, "email")));
  json_decref(body);
  json_decref(payload);
}

static void test_me_answers_500_without_leaking_dynamodb_details_when_the_table_is_missing(void **state)
{
  s_fixture *fx = *state;
  if(!fx)
    skip();
  char saved[sizeof(fx->env.store->table)];
  snprintf(saved, sizeof(saved), "%s", fx->env.store->table);
  snprintf(fx->env.store->table, sizeof(fx->env.store->table), "%.200s-missing", saved);
  json_t *payload = s_get_me(fx, "sub-x", NULL);
  snprintf(fx->env.store->table, sizeof(fx->env.store->table), "%s", saved);
  assert_int_equal(json_integer_value(json_object_get(payload, "statusCode")), 500);
  const char *text = json_string_value(json_object_get(payload, "body"));
  assert_null(strstr(text, "ResourceNotFound"));
  assert_null(strstr(text, fx->table));
  json_decref(payload);
}

#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)

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
