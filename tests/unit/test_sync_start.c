/* test_sync_start.c - unit tests for starting a sync (src/sync/start.c): the mynt_sync event both ways, and the
 * asynchronous Invoke a loopback Lambda checks as Lambda does. */
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
#include "handlers/env.h"
#include "support/fake_lambda.h"
#include "support/unit_curl.h"
#include "sync/start.h"

#define S_USER     "6f1c2e3a-1111-2222-3333-444455556666"
#define S_FUNCTION "mynt-test-sync"

static void test_sync_event_round_trips_and_names_every_reason(void **state)
{
  (void)state;
  const char *reasons[] = {"link", "webhook", "user", "schedule"};
  for(size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
    char *text = sync_start_event_json(S_USER, "item-1", reasons[i]);
    assert_non_null(text);
    json_t *event = json_loads(text, 0, NULL);
    free(text);
    json_t *expected =
      json_pack("{s:{s:s, s:s, s:s}}", "mynt_sync", "user_id", S_USER, "item_id", "item-1", "reason", reasons[i]);
    assert_true(json_equal(event, expected));
    sync_event parsed;
    assert_int_equal(sync_start_event_parse(event, &parsed), MYNT_OK);
    assert_string_equal(parsed.user_id, S_USER);
    assert_string_equal(parsed.item_id, "item-1");
    assert_string_equal(sync_reason_name(parsed.reason), reasons[i]);
    json_decref(expected);
    json_decref(event);
  }
}

static void test_sync_event_refuses_bad_ids_reasons_and_shapes(void **state)
{
  (void)state;
  assert_null(sync_start_event_json("#ITEMS", "item-1", "link"));
  assert_null(sync_start_event_json("", "item-1", "link"));
  assert_null(sync_start_event_json(S_USER, "ITEM#1", "link"));
  assert_null(sync_start_event_json(S_USER, "item 1", "link"));
  assert_null(sync_start_event_json(S_USER, "item-1", "refresh"));
  assert_null(sync_start_event_json(S_USER, "item-1", NULL));
  const char *bad[] = {
    "{}",
    "{\"mynt_sync\":{\"user_id\":\"u\",\"item_id\":\"i\"}}",
    "{\"mynt_sync\":{\"user_id\":\"u\",\"item_id\":\"i\",\"reason\":\"link\",\"extra\":1}}",
    "{\"mynt_sync\":{\"user_id\":\"u\",\"item_id\":\"i\",\"reason\":\"link\"},\"mynt_schedule\":\"daily\"}",
    "{\"mynt_sync\":{\"user_id\":\"#ITEMS\",\"item_id\":\"i\",\"reason\":\"link\"}}",
    "{\"mynt_sync\":{\"user_id\":\"u\",\"item_id\":\"ITEM#i\",\"reason\":\"link\"}}",
    "{\"mynt_sync\":{\"user_id\":\"u\",\"item_id\":\"i\",\"reason\":\"LINK\"}}",
    "{\"mynt_sync\":{\"user_id\":1,\"item_id\":\"i\",\"reason\":\"link\"}}",
    "{\"mynt_sync\":\"u/i\"}",
  };
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    json_t *event = json_loads(bad[i], 0, NULL);
    assert_non_null(event);
    sync_event parsed;
    if(sync_start_event_parse(event, &parsed) != MYNT_BAD_REQUEST)
      fail_msg("accepted %s", bad[i]);
    json_decref(event);
  }
}

/* An env whose Lambda client talks to a fake Lambda. */
typedef struct {
  fake_lambda *lambda;
  handlers_env env;
} s_fixture;

static int s_setup(void **state)
{
  s_fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  assert_int_equal(fake_lambda_new(&f->lambda), MYNT_OK);
  aws_config cfg;
  fake_lambda_config(f->lambda, &cfg);
  assert_int_equal(lambda_client_new(&cfg, &f->env.lambda), MYNT_OK);
  snprintf(f->env.sync_function, sizeof f->env.sync_function, S_FUNCTION);
  *state = f;
  return 0;
}

static int s_teardown(void **state)
{
  s_fixture *f = *state;
  lambda_client_free(f->env.lambda);
  fake_lambda_free(f->lambda);
  free(f);
  return 0;
}

static void test_sync_start_invokes_the_sync_function_asynchronously_with_the_event(void **state)
{
  s_fixture *f = *state;
  assert_int_equal(sync_start(&f->env, S_USER, "item-1", "webhook", clock_epoch_ms() + 5000), MYNT_OK);
  assert_int_equal(sync_start(&f->env, S_USER, "item-2", "user", clock_epoch_ms() + 5000), MYNT_OK);
  json_t *seen = fake_lambda_take(f->lambda);
  json_t *expected =
    json_pack("[{s:s, s:{s:{s:s, s:s, s:s}}}, {s:s, s:{s:{s:s, s:s, s:s}}}]", "function", S_FUNCTION, "event",
              "mynt_sync", "user_id", S_USER, "item_id", "item-1", "reason", "webhook", "function", S_FUNCTION, "event",
              "mynt_sync", "user_id", S_USER, "item_id", "item-2", "reason", "user");
  assert_true(json_equal(seen, expected));
  json_decref(expected);
  json_decref(seen);
}

static void test_sync_start_sends_nothing_for_bad_input_or_without_a_client(void **state)
{
  s_fixture *f = *state;
  assert_int_equal(sync_start(&f->env, S_USER, "ITEM#1", "link", clock_epoch_ms() + 5000), MYNT_BAD_REQUEST);
  assert_int_equal(sync_start(&f->env, S_USER, "item-1", "soon", clock_epoch_ms() + 5000), MYNT_BAD_REQUEST);
  handlers_env bare = {0};
  assert_int_equal(sync_start(&bare, S_USER, "item-1", "link", clock_epoch_ms() + 5000), MYNT_UNAVAILABLE);
  handlers_env unnamed = {.lambda = f->env.lambda};
  assert_int_equal(sync_start(&unnamed, S_USER, "item-1", "link", clock_epoch_ms() + 5000), MYNT_UNAVAILABLE);
  json_t *seen = fake_lambda_take(f->lambda);
  assert_int_equal(json_array_size(seen), 0);
  json_decref(seen);
}

static void test_sync_start_reports_a_missing_function(void **state)
{
  s_fixture *f = *state;
  fake_lambda_answer(f->lambda, 404, "ResourceNotFoundException");
  assert_int_equal(sync_start(&f->env, S_USER, "item-1", "link", clock_epoch_ms() + 5000), MYNT_NOT_FOUND);
  fake_lambda_answer(f->lambda, 202, NULL);
  assert_int_equal(sync_start(&f->env, S_USER, "item-1", "link", clock_epoch_ms() + 5000), MYNT_OK);
  json_t *seen = fake_lambda_take(f->lambda);
  assert_int_equal(json_array_size(seen), 1);
  json_decref(seen);
}

#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)
UNIT_MAIN("sync_start", unit_curl_setup, unit_curl_teardown,
          {
            cmocka_unit_test(test_sync_event_round_trips_and_names_every_reason),
            cmocka_unit_test(test_sync_event_refuses_bad_ids_reasons_and_shapes),
            T(test_sync_start_invokes_the_sync_function_asynchronously_with_the_event),
            T(test_sync_start_sends_nothing_for_bad_input_or_without_a_client),
            T(test_sync_start_reports_a_missing_function),
          })
