/* test_apigateway.c - the API Gateway v2 client against the loopback API Gateway: GetStage and UpdateStage of the
 * "$default" stage (its path percent-encoded and signed), and API Gateway's errors (its endpoint variable:
 * test_costguard). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/apigateway.h"
#include "support/unit_main.h"
#include "support/fake_apigateway.h"

static int s_setup(void **state)
{
  json_t *stage = json_pack("{s:s, s:b, s:{s:b}, s:{s:{s:I, s:f}}}", "stageName", "$default", "autoDeploy", 1,
                            "defaultRouteSettings", "detailedMetricsEnabled", 0, "routeSettings", "POST /items",
                            "throttlingBurstLimit", (json_int_t)10, "throttlingRateLimit", 5.0);
  *state = fake_apigateway_start(stage, json_pack("[s, s]", "POST /items", "GET /items"));
  return 0;
}

static int s_teardown(void **state)
{
  fake_apigateway_finish(*state);
  return 0;
}

static void test_apigateway_reads_the_default_stage(void **state)
{
  fake_apigateway *f = *state;
  json_t *stage = NULL;
  aws_error err;
  assert_int_equal(apigateway_get_stage(f->client, FAKE_APIGATEWAY_API_ID, "$default", 0, &stage, &err), MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(stage, "stageName")), "$default");
  assert_int_equal(json_integer_value(json_object_get(
                     json_object_get(json_object_get(stage, "routeSettings"), "POST /items"), "throttlingBurstLimit")),
                   10);
  assert_int_equal(err.http_status, 200);
  assert_int_equal(f->gets, 1);
  json_decref(stage);
}

static void test_apigateway_updates_the_stage_and_answers_it(void **state)
{
  fake_apigateway *f = *state;
  json_t *changes = json_pack("{s:{s:I, s:f}, s:{s:{s:I, s:f}}}", "defaultRouteSettings", "throttlingBurstLimit",
                              (json_int_t)1, "throttlingRateLimit", 1.0, "routeSettings", "GET /items",
                              "throttlingBurstLimit", (json_int_t)2, "throttlingRateLimit", 0.5);
  json_t *stage = NULL;
  assert_int_equal(apigateway_update_stage(f->client, FAKE_APIGATEWAY_API_ID, "$default", changes, 0, &stage, NULL),
                   MYNT_OK);
  json_t *def = json_object_get(stage, "defaultRouteSettings");
  assert_int_equal(json_integer_value(json_object_get(def, "throttlingBurstLimit")), 1);
  assert_true(json_is_false(json_object_get(def, "detailedMetricsEnabled")));
  json_t *now = fake_apigateway_stage(f);
  json_t *get = json_object_get(json_object_get(now, "routeSettings"), "GET /items");
  assert_true(json_number_value(json_object_get(get, "throttlingRateLimit")) == 0.5);
  json_decref(now);
  json_decref(stage);
  json_decref(changes);
  assert_int_equal(f->updates, 1);
}

static void test_apigateway_reports_api_gateway_errors(void **state)
{
  fake_apigateway *f = *state;
  json_t *stage = NULL;
  aws_error err;
  assert_int_equal(apigateway_get_stage(f->client, "zzzzzzzzzz", "$default", 0, &stage, &err), MYNT_NOT_FOUND);
  assert_string_equal(err.type, "NotFoundException");
  assert_int_equal(err.attempts, 1);
  assert_int_equal(apigateway_get_stage(f->client, FAKE_APIGATEWAY_API_ID, "prod", 0, &stage, &err), MYNT_NOT_FOUND);
  assert_null(stage);
  json_t *bad = json_pack("{s:{s:s}}", "defaultRouteSettings", "loggingLevel", "INFO");
  assert_int_equal(apigateway_update_stage(f->client, FAKE_APIGATEWAY_API_ID, "$default", bad, 0, NULL, &err),
                   MYNT_BAD_REQUEST);
  assert_string_equal(err.type, "BadRequestException");
  json_decref(bad);
  fake_apigateway_fail(f, 2, 429);
  assert_int_equal(apigateway_get_stage(f->client, FAKE_APIGATEWAY_API_ID, "$default", 0, &stage, &err), MYNT_OK);
  assert_int_equal(err.attempts, 3);
  json_decref(stage);
  /* Nothing is sent for a malformed id or stage name. */
  int gets = f->gets;
  assert_int_equal(apigateway_get_stage(f->client, "a/b", "$default", 0, &stage, &err), MYNT_BAD_REQUEST);
  assert_int_equal(apigateway_get_stage(f->client, FAKE_APIGATEWAY_API_ID, "$prod", 0, &stage, &err), MYNT_BAD_REQUEST);
  assert_int_equal(f->gets, gets);
}

static void test_apigateway_stage_names_and_ids(void **state)
{
  (void)state;
  assert_true(apigateway_valid_stage_name("$default"));
  assert_true(apigateway_valid_stage_name("prod-2_a"));
  assert_false(apigateway_valid_stage_name("$latest"));
  assert_false(apigateway_valid_stage_name(""));
  assert_false(apigateway_valid_stage_name("a b"));
  assert_true(apigateway_valid_api_id("a1b2c3d4e5"));
  assert_false(apigateway_valid_api_id("a1b2-c3"));
  assert_false(apigateway_valid_api_id(NULL));
}

UNIT_MAIN("apigateway", NULL, NULL,
          {
            cmocka_unit_test_setup_teardown(test_apigateway_reads_the_default_stage, s_setup, s_teardown),
            cmocka_unit_test_setup_teardown(test_apigateway_updates_the_stage_and_answers_it, s_setup, s_teardown),
            cmocka_unit_test_setup_teardown(test_apigateway_reports_api_gateway_errors, s_setup, s_teardown),
            cmocka_unit_test(test_apigateway_stage_names_and_ids),
          })
