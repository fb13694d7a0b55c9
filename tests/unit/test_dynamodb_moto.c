/* test_dynamodb_moto.c - the DynamoDB client against a real moto_server on loopback (the ctest "moto" fixture). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "aws/dynamodb.h"
#include "core/clock.h"
#include "support/moto_fixture.h"

typedef struct {
  ddb_client *client;
  char table[96];
} s_env;

static json_t *s_json(const char *text)
{
  json_error_t e;
  json_t *v = json_loads(text, 0, &e);
  if(!v)
    fail_msg("bad test JSON: %s (%s)", e.text, text);
  return v;
}

/* Parses text as a request and sets its TableName to the test table. */
static json_t *s_request(const s_env *env, const char *text)
{
  json_t *req = s_json(text);
  json_object_set_new(req, "TableName", json_string(env->table));
  return req;
}

static int64_t s_deadline(void)
{
  return clock_epoch_ms() + 10000;
}

/* Sends text as a request on the test table (s_request) as operation (ddb_call); returns its status with
 * its response in *out_response (caller json_decref) and its error in *out_err. */
static mynt_status s_send(const s_env *env, const char *operation, const char *text, json_t **out_response,
                          aws_error *out_err)
{
  json_t *req = s_request(env, text);
  mynt_status st = ddb_call(env->client, operation, req, s_deadline(), out_response, out_err);
  json_decref(req);
  return st;
}

/* The Attributes of an update's or delete's response, unmarshalled (caller json_decref); frees
 * response. */
static json_t *s_attributes(json_t *response)
{
  json_t *plain = ddb_unmarshal_item(json_object_get(response, "Attributes"));
  json_decref(response);
  return plain;
}

/* Returns the unmarshalled item at user/sk, or NULL when there is none. */
static json_t *s_get(const s_env *env, const char *user, const char *sk)
{
  json_t *req = json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:b}", "TableName", env->table, "Key", "user_id", "S", user,
                          "sk", "S", sk, "ConsistentRead", 1);
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(ddb_call(env->client, "GetItem", req, s_deadline(), &response, &err), MYNT_OK);
  json_t *item = json_object_get(response, "Item");
  json_t *plain = item ? ddb_unmarshal_item(item) : NULL;
  json_decref(response);
  json_decref(req);
  return plain;
}

static int s_setup(void **state)
{
  *state = NULL;
  aws_config cfg;
  s_env *env = moto_fixture_state_new(sizeof *env, &cfg);
  if(!env)
    return 0;
  moto_fixture_unique_name(env->table, sizeof env->table, "mynt-users-test");
  assert_int_equal(ddb_client_new(&cfg, &env->client), MYNT_OK);
  moto_fixture_create_table(env->client, env->table);
  *state = env;
  return 0;
}

static int s_teardown(void **state)
{
  s_env *env = *state;
  if(!env)
    return 0;
  moto_fixture_delete_table(env->client, env->table);
  ddb_client_free(env->client);
  free(env);
  return 0;
}

static void test_moto_conditional_put_refuses_an_existing_item_and_leaves_it_unchanged(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  const char *put = "{\"Item\":{\"user_id\":{\"S\":\"u1\"},\"sk\":{\"S\":\"PROFILE\"},\"name\":{\"S\":\"%s\"}},"
                    "\"ConditionExpression\":\"attribute_not_exists(user_id)\"}";
  char text[512];
  snprintf(text, sizeof text, put, "Ann");
  json_decref(moto_fixture_ddb(env->client, "PutItem", s_request(env, text)));

  snprintf(text, sizeof text, put, "Bob");
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(s_send(env, "PutItem", text, &response, &err), MYNT_CONDITION_FAILED);
  assert_null(response);
  assert_int_equal(err.status, MYNT_CONDITION_FAILED);
  assert_int_equal(err.http_status, 400);
  assert_int_equal(err.attempts, 1);
  assert_string_equal(err.type, "ConditionalCheckFailedException");

  json_t *item = s_get(env, "u1", "PROFILE");
  assert_non_null(item);
  assert_string_equal(json_string_value(json_object_get(item, "name")), "Ann");
  json_decref(item);
}

static void test_moto_get_item_of_a_missing_key_returns_no_item(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  assert_null(s_get(env, "nobody", "PROFILE"));
}

static void test_moto_update_item_with_if_not_exists_returns_all_new(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  const char *update = "{\"Key\":{\"user_id\":{\"S\":\"u2\"},\"sk\":{\"S\":\"COUNTER\"}},"
                       "\"UpdateExpression\":\"SET #c = if_not_exists(#c, :zero) + :one, #l = :label\","
                       "\"ExpressionAttributeNames\":{\"#c\":\"count\",\"#l\":\"label\"},"
                       "\"ExpressionAttributeValues\":{\":zero\":{\"N\":\"0\"},\":one\":{\"N\":\"1\"},"
                       "\":label\":{\"S\":\"visits\"}},\"ReturnValues\":\"ALL_NEW\"}";
  for(int expected = 1; expected <= 2; expected++) {
    json_t *response = NULL;
    aws_error err;
    assert_int_equal(s_send(env, "UpdateItem", update, &response, &err), MYNT_OK);
    json_t *attrs = s_attributes(response);
    assert_non_null(attrs);
    assert_int_equal(json_integer_value(json_object_get(attrs, "count")), expected);
    assert_string_equal(json_string_value(json_object_get(attrs, "label")), "visits");
    assert_string_equal(json_string_value(json_object_get(attrs, "sk")), "COUNTER");
    json_decref(attrs);
  }
}

static void test_moto_delete_item_honours_its_condition(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  json_decref(moto_fixture_ddb(env->client, "PutItem",
                               s_request(env, "{\"Item\":{\"user_id\":{\"S\":\"u3\"},\"sk\":{\"S\":\"ITEM#1\"},"
                                              "\"state\":{\"S\":\"active\"}}}")));
  const char *del = "{\"Key\":{\"user_id\":{\"S\":\"u3\"},\"sk\":{\"S\":\"ITEM#1\"}},"
                    "\"ConditionExpression\":\"#s = :s\",\"ExpressionAttributeNames\":{\"#s\":\"state\"},"
                    "\"ExpressionAttributeValues\":{\":s\":{\"S\":\"%s\"}},\"ReturnValues\":\"ALL_OLD\"}";
  char text[512];
  snprintf(text, sizeof text, del, "removed");
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(s_send(env, "DeleteItem", text, &response, &err), MYNT_CONDITION_FAILED);
  json_t *still = s_get(env, "u3", "ITEM#1");
  assert_non_null(still);
  json_decref(still);

  snprintf(text, sizeof text, del, "active");
  assert_int_equal(s_send(env, "DeleteItem", text, &response, &err), MYNT_OK);
  json_t *old = s_attributes(response);
  assert_string_equal(json_string_value(json_object_get(old, "state")), "active");
  json_decref(old);
  assert_null(s_get(env, "u3", "ITEM#1"));
}

static void test_moto_query_pages_on_begins_with_and_query_all_gathers_every_page(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  char text[512];
  for(int i = 1; i <= 7; i++) {
    snprintf(text, sizeof text,
             "{\"Item\":{\"user_id\":{\"S\":\"u4\"},\"sk\":{\"S\":\"TXN#%04d\"},\"amount\":{\"N\":\"%d\"}}}", i,
             i * 100);
    json_decref(moto_fixture_ddb(env->client, "PutItem", s_request(env, text)));
  }
  json_decref(moto_fixture_ddb(
    env->client, "PutItem", s_request(env, "{\"Item\":{\"user_id\":{\"S\":\"u4\"},\"sk\":{\"S\":\"BUDGET#food\"}}}")));

  const char *query = "{\"KeyConditionExpression\":\"user_id = :u AND begins_with(sk, :p)\","
                      "\"ExpressionAttributeValues\":{\":u\":{\"S\":\"u4\"},\":p\":{\"S\":\"TXN#\"}},\"Limit\":3}";
  json_t *req = s_request(env, query);
  json_t *page = NULL;
  aws_error err;
  assert_int_equal(ddb_call(env->client, "Query", req, s_deadline(), &page, &err), MYNT_OK);
  assert_int_equal(json_array_size(json_object_get(page, "Items")), 3);
  assert_true(json_is_object(json_object_get(page, "LastEvaluatedKey")));
  json_decref(page);

  json_t *items = NULL;
  assert_int_equal(ddb_query_all(env->client, req, 0, s_deadline(), &items, &err), MYNT_OK);
  assert_int_equal(json_array_size(items), 7);
  assert_true(err.attempts >= 3);
  for(size_t i = 0; i < json_array_size(items); i++) {
    json_t *plain = ddb_unmarshal_item(json_array_get(items, i));
    char sk[32];
    snprintf(sk, sizeof sk, "TXN#%04zu", i + 1);
    assert_string_equal(json_string_value(json_object_get(plain, "sk")), sk);
    assert_int_equal(json_integer_value(json_object_get(plain, "amount")), (json_int_t)(i + 1) * 100);
    json_decref(plain);
  }
  json_decref(items);
  /* The caller's request is not modified by paging. */
  assert_null(json_object_get(req, "ExclusiveStartKey"));

  assert_int_equal(ddb_query_all(env->client, req, 5, s_deadline(), &items, &err), MYNT_OK);
  assert_int_equal(json_array_size(items), 5);
  json_decref(items);
  json_decref(req);
}

static void test_moto_transact_write_items_writes_all_or_nothing(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  char text[1024];
  snprintf(text, sizeof text,
           "{\"TransactItems\":[{\"Put\":{\"TableName\":\"%s\",\"Item\":{\"user_id\":{\"S\":\"u5\"},"
           "\"sk\":{\"S\":\"A\"}}}},{\"Put\":{\"TableName\":\"%s\",\"Item\":{\"user_id\":{\"S\":\"u5\"},"
           "\"sk\":{\"S\":\"B\"}}}}]}",
           env->table, env->table);
  json_t *req = s_json(text);
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(ddb_call(env->client, "TransactWriteItems", req, s_deadline(), &response, &err), MYNT_OK);
  json_decref(response);
  json_decref(req);
  json_t *a = s_get(env, "u5", "A");
  json_t *b = s_get(env, "u5", "B");
  assert_non_null(a);
  assert_non_null(b);
  json_decref(a);
  json_decref(b);

  snprintf(text, sizeof text,
           "{\"TransactItems\":[{\"Put\":{\"TableName\":\"%s\",\"Item\":{\"user_id\":{\"S\":\"u5\"},"
           "\"sk\":{\"S\":\"C\"}}}},{\"ConditionCheck\":{\"TableName\":\"%s\",\"Key\":{\"user_id\":{\"S\":\"u5\"},"
           "\"sk\":{\"S\":\"A\"}},\"ConditionExpression\":\"attribute_not_exists(user_id)\"}}]}",
           env->table, env->table);
  req = s_json(text);
  assert_int_equal(ddb_call(env->client, "TransactWriteItems", req, s_deadline(), &response, &err),
                   MYNT_CONDITION_FAILED);
  assert_null(response);
  assert_string_equal(err.type, "TransactionCanceledException");
  assert_int_equal(err.attempts, 1);
  json_decref(req);
  assert_null(s_get(env, "u5", "C"));
}

static void test_moto_validation_error_is_bad_request_with_its_message(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(s_send(env, "PutItem", "{\"Item\":{\"user_id\":{\"S\":\"u6\"}}}", &response, &err),
                   MYNT_BAD_REQUEST);
  assert_null(response);
  assert_int_equal(err.http_status, 400);
  assert_int_equal(err.attempts, 1);
  assert_string_equal(err.type, "ValidationException");
  assert_non_null(strstr(err.message, "sk"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_moto_conditional_put_refuses_an_existing_item_and_leaves_it_unchanged),
    cmocka_unit_test(test_moto_get_item_of_a_missing_key_returns_no_item),
    cmocka_unit_test(test_moto_update_item_with_if_not_exists_returns_all_new),
    cmocka_unit_test(test_moto_delete_item_honours_its_condition),
    cmocka_unit_test(test_moto_query_pages_on_begins_with_and_query_all_gathers_every_page),
    cmocka_unit_test(test_moto_transact_write_items_writes_all_or_nothing),
    cmocka_unit_test(test_moto_validation_error_is_bad_request_with_its_message),
  };
  return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
