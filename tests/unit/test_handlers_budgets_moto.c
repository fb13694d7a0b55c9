/* test_handlers_budgets_moto.c - GET /budgets, PUT and DELETE /budgets/{category} through the router, handlers and store against moto_server. */
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
#include "core/arena.h"
#include "core/clock.h"
#include "handlers/env.h"
#include "handlers/routes.h"
#include "store/store.h"
#include "support/apigw_forge.h"
#include "support/moto_fixture.h"
#include "support/moto_store.h"

typedef moto_store_fixture s_fixture;

/* Serves method on /budgets[/category] for sub with body (NULL: none); returns the payload. */
static json_t *s_call(s_fixture *fx, const char *sub, const char *method, const char *category, const char *body)
{
  char route[64];
  char path[128];
  if(category) {
    snprintf(route, sizeof(route), "%s /budgets/{category}", method);
    snprintf(path, sizeof(path), "/budgets/%s", category);
  }
  else {
    snprintf(route, sizeof(route), "%s /budgets", method);
    snprintf(path, sizeof(path), "/budgets");
  }
  json_t *event = apigw_forge_event_new(
    &(apigw_forge_event){.method = method,
                         .route_key = route,
                         .path = path,
                         .path_params = category ? json_pack("{s:s}", "category", category) : NULL,
                         .content_type = body ? "application/json" : NULL,
                         .body = body,
                         .sub = sub});
  apigw_ctx ctx = {
    .env = &fx->env, .arena = fx->arena, .deadline_ms = clock_epoch_ms() + 10000, .invocation_id = "lambda-budgets"};
  json_t *payload = apigw_forge_serve(routes_table(), "budgets", &ctx, event);
  arena_reset(fx->arena);
  return payload;
}

/* PUT for sub; asserts status; returns the body (caller json_decref). */
static json_t *s_put(s_fixture *fx, const char *sub, const char *category, const char *body, int status)
{
  json_t *payload = apigw_forge_expect(s_call(fx, sub, "PUT", category, body), status, NULL);
  json_t *answer = apigw_forge_body(payload);
  json_decref(payload);
  return answer;
}

/* GET /budgets of sub: the body's text as the client reads it, each `,"updated_at":"..."` (checked to be
 * a 20-character timestamp) cut out (caller free). */
static char *s_list(s_fixture *fx, const char *sub)
{
  json_t *payload = apigw_forge_expect(s_call(fx, sub, "GET", NULL, NULL), 200, NULL);
  char *text = strdup(json_string_value(json_object_get(payload, "body")));
  json_decref(payload);
  assert_non_null(text);
  static const char key[] = ",\"updated_at\":\"";
  char *at;
  while((at = strstr(text, key)) != NULL) {
    char *value = at + strlen(key);
    char *close = strchr(value, '"');
    assert_non_null(close);
    assert_int_equal(close - value, 20);
    memmove(at, close + 1, strlen(close + 1) + 1);
  }
  return text;
}

static void s_assert_list(s_fixture *fx, const char *sub, const char *expected)
{
  char *text = s_list(fx, sub);
  assert_string_equal(text, expected);
  free(text);
}

static void test_put_creates_201_then_replaces_200_and_get_lists_by_category(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  s_assert_list(fx, "sub-a", "{\"budgets\":[]}");
  json_t *b = s_put(fx, "sub-a", "TRAVEL", "{\"monthly_limit\":300,\"iso_currency_code\":\"USD\"}", 201);
  assert_string_equal(json_string_value(json_object_get(b, "category")), "TRAVEL");
  assert_true(json_number_value(json_object_get(b, "monthly_limit")) == 300.0);
  assert_string_equal(json_string_value(json_object_get(b, "iso_currency_code")), "USD");
  assert_int_equal(strlen(json_string_value(json_object_get(b, "updated_at"))), 20);
  assert_int_equal(json_object_size(b), 4);
  json_decref(b);
  json_decref(s_put(fx, "sub-a", "FOOD_AND_DRINK", "{\"iso_currency_code\":\"EUR\",\"monthly_limit\":0.3}", 201));
  b = s_put(fx, "sub-a", "TRAVEL", "{\"monthly_limit\":1234.5,\"iso_currency_code\":\"USD\"}", 200);
  assert_true(json_number_value(json_object_get(b, "monthly_limit")) == 1234.5);
  json_decref(b);
  s_assert_list(fx, "sub-a",
                "{\"budgets\":[{\"category\":\"FOOD_AND_DRINK\",\"monthly_limit\":0.3,\"iso_currency_code\":\"EUR\"},"
                "{\"category\":\"TRAVEL\",\"monthly_limit\":1234.5,\"iso_currency_code\":\"USD\"}]}");
}

static void test_delete_answers_204_then_404(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_decref(s_put(fx, "sub-a", "MEDICAL", "{\"monthly_limit\":50,\"iso_currency_code\":\"USD\"}", 201));
  json_t *payload = apigw_forge_expect(s_call(fx, "sub-a", "DELETE", "MEDICAL", NULL), 204, NULL);
  json_decref(payload);
  json_decref(apigw_forge_expect(s_call(fx, "sub-a", "DELETE", "MEDICAL", NULL), 404, "not_found"));
  json_decref(apigw_forge_expect(s_call(fx, "sub-a", "DELETE", "medical", NULL), 404, "not_found"));
  s_assert_list(fx, "sub-a", "{\"budgets\":[]}");
}

/* Each bad PUT answers 400 with a message containing the expected words, and stores nothing. */
static void test_put_refuses_each_invalid_request_with_a_clear_message_and_stores_nothing(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_decref(s_put(fx, "sub-a", "TRAVEL", "{\"monthly_limit\":300,\"iso_currency_code\":\"USD\"}", 201));
  char *before = s_list(fx, "sub-a");
  assert_string_equal(
    before, "{\"budgets\":[{\"category\":\"TRAVEL\",\"monthly_limit\":300.0,\"iso_currency_code\":\"USD\"}]}");
  const struct {
    const char *category, *body, *words;
  } cases[] = {
    {"FOOD_AND_DRINK", "not json", "not valid JSON"},
    {"FOOD_AND_DRINK", "[1,2]", "JSON object"},
    {"FOOD_AND_DRINK", NULL, "JSON body is required"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":5,\"iso_currency_code\":\"USD\",\"note\":1}", "unknown member \"note\""},
    {"FOOD_AND_DRINK",
     "{\"monthly_limit\":5,\"iso_currency_code\":\"USD\","
     "\"a\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
     "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\":1}",
     "unknown member: the body takes only monthly_limit and iso_currency_code"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":5,\"iso_currency_code\":\"USD\",\"monthly_limit \":1}",
     "unknown member: the body"},
    {"FOOD_AND_DRINK", "{\"iso_currency_code\":\"USD\"}", "monthly_limit is required"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":5}", "iso_currency_code is required"},
    {"INCOME", "{\"monthly_limit\":5,\"iso_currency_code\":\"USD\"}", "INCOME is not counted as spending"},
    {"TRANSFER_IN", "{\"monthly_limit\":5,\"iso_currency_code\":\"USD\"}", "TRANSFER_IN is not counted as spending"},
    {"TRANSFER_OUT", "{\"monthly_limit\":5,\"iso_currency_code\":\"USD\"}", "TRANSFER_OUT is not counted"},
    {"LOAN_PAYMENTS", "{\"monthly_limit\":5,\"iso_currency_code\":\"USD\"}", "LOAN_PAYMENTS is not counted"},
    {"GROCERIES", "{\"monthly_limit\":5,\"iso_currency_code\":\"USD\"}", "one of Plaid's categories, e.g."},
    {"UNCATEGORIZED", "{\"monthly_limit\":5,\"iso_currency_code\":\"USD\"}", "one of Plaid's categories"},
    {"food_and_drink", "{\"monthly_limit\":5,\"iso_currency_code\":\"USD\"}", "in upper case: FOOD_AND_DRINK"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":\"5\",\"iso_currency_code\":\"USD\"}", "monthly_limit must be a number"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":null,\"iso_currency_code\":\"USD\"}", "monthly_limit must be a number"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":0,\"iso_currency_code\":\"USD\"}", "greater than 0"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":-5,\"iso_currency_code\":\"USD\"}", "greater than 0"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":10.005,\"iso_currency_code\":\"USD\"}", "at most two decimals"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":0.001,\"iso_currency_code\":\"USD\"}", "at most two decimals"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":1000000000.01,\"iso_currency_code\":\"USD\"}", "at most 1000000000"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":1e300,\"iso_currency_code\":\"USD\"}", "at most 1000000000"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":99999999999999999999,\"iso_currency_code\":\"USD\"}", "at most 1000000000"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":5,\"iso_currency_code\":\"USD\",\"monthly_limit\":6}", "a member twice"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":5,\"iso_currency_code\":\"usd\"}", "three upper-case letters"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":5,\"iso_currency_code\":\"US\"}", "three upper-case letters"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":5,\"iso_currency_code\":\"USDX\"}", "three upper-case letters"},
    {"FOOD_AND_DRINK", "{\"monthly_limit\":5,\"iso_currency_code\":840}", "three upper-case letters"},
    {"TRAVEL", "{\"monthly_limit\":-1,\"iso_currency_code\":\"EUR\"}", "greater than 0"},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    json_t *payload = s_call(fx, "sub-a", "PUT", cases[i].category, cases[i].body);
    if(apigw_forge_status(payload) != 400)
      fail_msg("case %zu (%s %s): status %d", i, cases[i].category, cases[i].body ? cases[i].body : "-",
               apigw_forge_status(payload));
    json_t *body = apigw_forge_body(payload);
    assert_string_equal(apigw_forge_error_code(body), "bad_request");
    const char *message = apigw_forge_error_message(body);
    if(!message || !strstr(message, cases[i].words))
      fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, message ? message : "", cases[i].words);
    json_decref(body);
    json_decref(payload);
  }
  char *unchanged = s_list(fx, "sub-a");
  assert_string_equal(unchanged, before);
  free(unchanged);
  /* The largest limit is accepted. */
  json_decref(s_put(fx, "sub-a", "MEDICAL", "{\"monthly_limit\":1000000000,\"iso_currency_code\":\"USD\"}", 201));
  char *after = s_list(fx, "sub-a");
  assert_string_equal(
    after, "{\"budgets\":[{\"category\":\"MEDICAL\",\"monthly_limit\":1000000000.0,\"iso_currency_code\":\"USD\"},"
           "{\"category\":\"TRAVEL\",\"monthly_limit\":300.0,\"iso_currency_code\":\"USD\"}]}");
  free(after);
  free(before);
}

static void test_another_user_never_reads_or_changes_the_first_users_budgets(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_decref(s_put(fx, "sub-a", "TRAVEL", "{\"monthly_limit\":300,\"iso_currency_code\":\"USD\"}", 201));
  json_decref(s_put(fx, "sub-a", "MEDICAL", "{\"monthly_limit\":40,\"iso_currency_code\":\"USD\"}", 201));
  s_assert_list(fx, "sub-b", "{\"budgets\":[]}");
  json_decref(apigw_forge_expect(s_call(fx, "sub-b", "DELETE", "MEDICAL", NULL), 404, "not_found"));
  /* sub-b's PUT of sub-a's category creates sub-b's own budget (201, not 200). */
  json_decref(s_put(fx, "sub-b", "TRAVEL", "{\"monthly_limit\":1,\"iso_currency_code\":\"EUR\"}", 201));
  s_assert_list(fx, "sub-b",
                "{\"budgets\":[{\"category\":\"TRAVEL\",\"monthly_limit\":1.0,\"iso_currency_code\":\"EUR\"}]}");
  json_decref(apigw_forge_expect(s_call(fx, "sub-b", "DELETE", "TRAVEL", NULL), 204, NULL));
  s_assert_list(fx, "sub-a",
                "{\"budgets\":[{\"category\":\"MEDICAL\",\"monthly_limit\":40.0,\"iso_currency_code\":\"USD\"},"
                "{\"category\":\"TRAVEL\",\"monthly_limit\":300.0,\"iso_currency_code\":\"USD\"}]}");
}

static void test_every_route_needs_a_signed_in_user(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_decref(apigw_forge_expect(s_call(fx, NULL, "GET", NULL, NULL), 401, NULL));
  json_decref(apigw_forge_expect(
    s_call(fx, NULL, "PUT", "TRAVEL", "{\"monthly_limit\":300,\"iso_currency_code\":\"USD\"}"), 401, NULL));
  json_decref(apigw_forge_expect(s_call(fx, NULL, "DELETE", "TRAVEL", NULL), 401, NULL));
}

#define T(name) cmocka_unit_test_setup_teardown(name, moto_store_fixture_setup, moto_store_fixture_teardown)

int main(void)
{
  const struct CMUnitTest tests[] = {
    T(test_put_creates_201_then_replaces_200_and_get_lists_by_category),
    T(test_delete_answers_204_then_404),
    T(test_put_refuses_each_invalid_request_with_a_clear_message_and_stores_nothing),
    T(test_another_user_never_reads_or_changes_the_first_users_budgets),
    T(test_every_route_needs_a_signed_in_user),
  };
  return cmocka_run_group_tests_name("handlers_budgets_moto", tests, NULL, NULL);
}
