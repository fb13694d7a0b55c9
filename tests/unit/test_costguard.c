/* test_costguard.c - the costguard group's handler and set-up against the loopback API Gateway: the stage throttled
 * with its route settings, a second alert changing nothing, an unknown API reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bootstrap_env.h"
#include "handlers/costguard.h"
#include "support/unit_main.h"
#include "support/fake_apigateway.h"

/* An SNS event of the budget's topic, as Lambda receives it (the message text is AWS Budgets'). */
#define S_ALERT                                                                                                        \
  "{\"Records\":[{\"EventSource\":\"aws:sns\",\"EventVersion\":\"1.0\",\"EventSubscriptionArn\":"                      \
  "\"arn:aws:sns:us-east-1:123456789012:mynt-cost:5e1b\",\"Sns\":{\"Type\":\"Notification\",\"MessageId\":\"m-1\","    \
  "\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:mynt-cost\",\"Subject\":\"AWS Budgets: mynt has exceeded your "   \
  "alert threshold\",\"Message\":\"AWS Budget Notification\\nYou requested that we alert you when the ACTUAL Cost "    \
  "associated with your mynt budget is greater than $0.01.\",\"Timestamp\":\"2026-12-02T06:00:00.000Z\"}}]}"

typedef struct {
  fake_apigateway *fake;
  handlers_env env;
} s_fixture;

/* The stage as a SAM-made HTTP API has it, with throttles well above the trickle. */
static json_t *s_stage(void)
{
  return json_pack("{s:s, s:b, s:{s:b, s:b, s:I, s:f}, s:{s:{s:I, s:f}, s:{s:b}, s:{s:I, s:f}}}", "stageName",
                   "$default", "autoDeploy", 1, "defaultRouteSettings", "detailedMetricsEnabled", 0, "dataTraceEnabled",
                   0, "throttlingBurstLimit", (json_int_t)100, "throttlingRateLimit", 50.0, "routeSettings",
                   "POST /items", "throttlingBurstLimit", (json_int_t)10, "throttlingRateLimit", 5.0, "GET /items",
                   "detailedMetricsEnabled", 1, "POST /webhooks/plaid", "throttlingBurstLimit", (json_int_t)0,
                   "throttlingRateLimit", 0.0);
}

/* Opens the costguard's env from the environment, as the bootstrap does, against f's fake: reached through
 * MYNT_APIGATEWAY_ENDPOINT alone (MYNT_AWS_ENDPOINT, the fallback aws_http shares with test_cognito, is unset). */
static mynt_status s_open(s_fixture *f, const char *api_id, const char *rate, const char *burst, mynt_detail *why)
{
  aws_config cfg;
  fake_apigateway_config(f->fake, &cfg);
  request_check_export(&cfg);
  setenv("MYNT_APIGATEWAY_ENDPOINT", cfg.endpoint, 1);
  unsetenv("MYNT_AWS_ENDPOINT");
  const char *names[] = {"MYNT_HTTP_API_ID", "MYNT_GUARD_RATE", "MYNT_GUARD_BURST"};
  const char *values[] = {api_id, rate, burst};
  for(size_t i = 0; i < 3; i++) {
    if(values[i])
      setenv(names[i], values[i], 1);
    else
      unsetenv(names[i]);
  }
  unsetenv("MYNT_HTTP_API_STAGE");
  bootstrap_env_free(&f->env);
  return bootstrap_env_open_apigateway(&f->env, why);
}

static int s_setup(void **state)
{
  s_fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->fake =
    fake_apigateway_start(s_stage(), json_pack("[s, s, s]", "POST /items", "GET /items", "POST /webhooks/plaid"));
  assert_int_equal(s_open(f, FAKE_APIGATEWAY_API_ID, NULL, NULL, NULL), MYNT_OK);
  *state = f;
  return 0;
}

static int s_teardown(void **state)
{
  s_fixture *f = *state;
  bootstrap_env_free(&f->env);
  fake_apigateway_finish(f->fake);
  free(f);
  return 0;
}

/* Runs the handler on S_ALERT; returns its status and *out_answer. */
static mynt_status s_alert(s_fixture *f, json_t **out_answer, mynt_detail *why)
{
  json_t *event = json_loads(S_ALERT, 0, NULL);
  assert_non_null(event);
  mynt_status st = costguard_handle(&f->env, event, 0, "req-alert", out_answer, why);
  json_decref(event);
  return st;
}

static const json_t *s_settings(const json_t *stage, const char *route)
{
  return route ? json_object_get(json_object_get(stage, "routeSettings"), route)
               : json_object_get(stage, "defaultRouteSettings");
}

static void s_assert_throttle(const json_t *settings, double rate, json_int_t burst)
{
  assert_true(json_number_value(json_object_get(settings, "throttlingRateLimit")) == rate);
  assert_int_equal(json_integer_value(json_object_get(settings, "throttlingBurstLimit")), burst);
}

static void test_costguard_throttles_the_stage_and_every_route_to_the_trickle(void **state)
{
  s_fixture *f = *state;
  json_t *answer = NULL;
  assert_int_equal(s_alert(f, &answer, NULL), MYNT_OK);
  assert_true(json_is_true(json_object_get(answer, "changed")));
  assert_int_equal(json_integer_value(json_object_get(answer, "routes")), 3);
  assert_string_equal(json_string_value(json_object_get(answer, "stage")), "$default");
  json_decref(answer);
  json_t *stage = fake_apigateway_stage(f->fake);
  s_assert_throttle(s_settings(stage, NULL), 1, 1);
  s_assert_throttle(s_settings(stage, "POST /items"), 1, 1);
  s_assert_throttle(s_settings(stage, "GET /items"), 1, 1);
  /* A route someone had shut already stays shut: the guard only ever lowers. */
  s_assert_throttle(s_settings(stage, "POST /webhooks/plaid"), 0, 0);
  /* The settings' other members are kept. */
  assert_true(json_is_false(json_object_get(s_settings(stage, NULL), "detailedMetricsEnabled")));
  assert_true(json_is_true(json_object_get(s_settings(stage, "GET /items"), "detailedMetricsEnabled")));
  json_decref(stage);
  assert_int_equal(f->fake->gets, 1);
  assert_int_equal(f->fake->updates, 1);
}

static void test_costguard_a_second_alert_changes_nothing(void **state)
{
  s_fixture *f = *state;
  json_t *answer = NULL;
  assert_int_equal(s_alert(f, &answer, NULL), MYNT_OK);
  json_decref(answer);
  json_t *before = fake_apigateway_stage(f->fake);
  assert_int_equal(s_alert(f, &answer, NULL), MYNT_OK);
  assert_true(json_is_false(json_object_get(answer, "changed")));
  json_decref(answer);
  json_t *after = fake_apigateway_stage(f->fake);
  assert_true(json_equal(before, after));
  assert_int_equal(f->fake->gets, 2);
  assert_int_equal(f->fake->updates, 1);
  json_decref(before);
  json_decref(after);
}

static void test_costguard_uses_the_configured_trickle(void **state)
{
  s_fixture *f = *state;
  assert_int_equal(s_open(f, FAKE_APIGATEWAY_API_ID, "0.5", "2", NULL), MYNT_OK);
  json_t *answer = NULL;
  assert_int_equal(s_alert(f, &answer, NULL), MYNT_OK);
  json_decref(answer);
  json_t *stage = fake_apigateway_stage(f->fake);
  s_assert_throttle(s_settings(stage, NULL), 0.5, 2);
  s_assert_throttle(s_settings(stage, "POST /items"), 0.5, 2);
  json_decref(stage);
}

static void test_costguard_reports_an_api_api_gateway_does_not_know(void **state)
{
  s_fixture *f = *state;
  assert_int_equal(s_open(f, "zzzzzzzzzz", NULL, NULL, NULL), MYNT_OK);
  json_t *answer = NULL;
  mynt_detail why;
  assert_int_equal(s_alert(f, &answer, &why), MYNT_NOT_FOUND);
  assert_null(answer);
  assert_non_null(strstr(mynt_detail_text(&why), "zzzzzzzzzz"));
  assert_non_null(strstr(mynt_detail_text(&why), "no such API or stage"));
  assert_int_equal(f->fake->updates, 0);
  /* An event that is not SNS's is refused without a call. */
  json_t *event = json_loads("{\"Records\":[{\"eventSource\":\"aws:sqs\",\"body\":\"x\"}]}", 0, NULL);
  assert_int_equal(costguard_handle(&f->env, event, 0, "req-odd", &answer, &why), MYNT_BAD_REQUEST);
  json_decref(event);
  assert_int_equal(f->fake->gets, 1);
}

static void test_costguard_set_up_refuses_a_bad_configuration(void **state)
{
  s_fixture *f = *state;
  mynt_detail why;
  assert_int_equal(s_open(f, NULL, NULL, NULL, &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), "MYNT_HTTP_API_ID"));
  assert_null(f->env.apigateway);
  assert_int_equal(s_open(f, FAKE_APIGATEWAY_API_ID, "fast", NULL, &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), "MYNT_GUARD_RATE"));
  assert_int_equal(s_open(f, FAKE_APIGATEWAY_API_ID, NULL, "1.5", &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), "MYNT_GUARD_BURST"));
  assert_int_equal(s_open(f, FAKE_APIGATEWAY_API_ID, "-1", NULL, &why), MYNT_BAD_REQUEST);
  setenv("MYNT_HTTP_API_STAGE", "$prod", 1);
  assert_int_equal(bootstrap_env_open_apigateway(&f->env, &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), "MYNT_HTTP_API_STAGE"));
  unsetenv("MYNT_HTTP_API_STAGE");
  /* The defaults: the "$default" stage, 1 request a second, a burst of 1. */
  assert_int_equal(s_open(f, FAKE_APIGATEWAY_API_ID, "", NULL, NULL), MYNT_OK);
  assert_string_equal(f->env.guard.stage, "$default");
  assert_true(f->env.guard.rate == 1.0);
  assert_int_equal(f->env.guard.burst, 1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)
UNIT_MAIN("costguard", NULL, NULL,
          {
            T(test_costguard_throttles_the_stage_and_every_route_to_the_trickle),
            T(test_costguard_a_second_alert_changes_nothing),
            T(test_costguard_uses_the_configured_trickle),
            T(test_costguard_reports_an_api_api_gateway_does_not_know),
            T(test_costguard_set_up_refuses_a_bad_configuration),
          })
