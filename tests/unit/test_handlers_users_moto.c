/* test_handlers_users_moto.c - GET /me through the router, handler and store against moto_server (the "moto" fixture). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

typedef struct {
  handlers_env env;
  mynt_arena *arena;
  char table[96];
} s_fixture;

/* Points the AWS environment at moto; returns 0 when MYNT_MOTO_DIR is unset. */
static int s_moto_env(const char *table)
{
  const char *dir = getenv("MYNT_MOTO_DIR");
  if(!dir || !*dir)
    return 0;
  char path[1024];
  snprintf(path, sizeof(path), "%s/moto.port", dir);
  FILE *f = fopen(path, "r");
  int port = 0;
  if(f) {
    if(fscanf(f, "%d", &port) != 1)
      port = 0;
    fclose(f);
  }
  if(port <= 0)
    fail_msg("no moto port in %s (did the moto_start fixture run?)", path);
  char endpoint[64];
  snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", port);
  setenv("MYNT_AWS_ENDPOINT", endpoint, 1);
  setenv("AWS_REGION", "us-east-1", 1);
  setenv("AWS_ACCESS_KEY_ID", "AKIDMOTOTEST", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "moto-does-not-check", 1);
  setenv("AWS_SESSION_TOKEN", "moto-session-token", 1);
  setenv("MYNT_TABLE", table, 1);
  return 1;
}

static json_t *s_call(s_fixture *fx, const char *operation, json_t *request)
{
  json_t *response = NULL;
  ddb_error err;
  mynt_status st = ddb_call(fx->env.store->ddb, operation, request, clock_epoch_ms() + 10000, &response, &err);
  json_decref(request);
  if(st)
    fail_msg("%s failed: %s %s", operation, mynt_strerror(st), err.type);
  return response;
}

static int s_setup(void **state)
{
  s_fixture *fx = calloc(1, sizeof(*fx));
  assert_non_null(fx);
  snprintf(fx->table, sizeof(fx->table), "mynt-users-me-%d-%lld", (int)getpid(), (long long)clock_epoch_ms());
  if(!s_moto_env(fx->table)) {
    printf("SKIPPED: MYNT_MOTO_DIR is not set (run through ctest, which starts moto_server)\n");
    free(fx);
    *state = NULL;
    return 0;
  }
  char why[200] = "";
  assert_int_equal(store_open_from_env(&fx->env.store, why, sizeof(why)), MYNT_OK);
  assert_string_equal(fx->env.store->table, fx->table);
  json_decref(s_call(fx, "CreateTable",
                     json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}], s:[{s:s, s:s}, {s:s, s:s}], s:{s:i, s:i}}",
                               "TableName", fx->table, "KeySchema", "AttributeName", "user_id", "KeyType", "HASH",
                               "AttributeName", "sk", "KeyType", "RANGE", "AttributeDefinitions", "AttributeName",
                               "user_id", "AttributeType", "S", "AttributeName", "sk", "AttributeType", "S",
                               "ProvisionedThroughput", "ReadCapacityUnits", 5, "WriteCapacityUnits", 5)));
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
  json_t *response = NULL;
  json_t *request = json_pack("{s:s}", "TableName", fx->table);
  ddb_call(fx->env.store->ddb, "DeleteTable", request, clock_epoch_ms() + 10000, &response, NULL);
  json_decref(request);
  json_decref(response);
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
  json_t *response = s_call(fx, "GetItem",
                            json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:b}", "TableName", fx->table, "Key", "user_id",
                                      "S", user, "sk", "S", "PROFILE", "ConsistentRead", 1));
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
  json_decref(s_call(fx, "PutItem",
                     json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}", "TableName", fx->table,
                               "Item", "user_id", "S", "sub-old", "sk", "S", "PROFILE", "email", "S",
                               "old@example.com", "created_at", "S", "2020-01-02T03:04:05Z", "updated_at", "S",
                               "2020-01-02T03:04:05Z")));
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
