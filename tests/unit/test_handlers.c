/* test_handlers.c - Mynt's route table and the handlers that need no network (health, $default, auth). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "apigw/router.h"
#include "core/buf.h"
#include "handlers/env.h"
#include "handlers/routes.h"
#include "support/apigw_forge.h"
#include "support/unit_main.h"

static json_t *s_event(const char *method, const char *route_key, const char *path, const char *sub)
{
  return apigw_forge_event_new(
    &(apigw_forge_event){.method = method, .route_key = route_key, .path = path, .sub = sub});
}

/* Serves event (consumed) for group with no store, as a group without DynamoDB runs. */
static json_t *s_serve(const char *group, json_t *event)
{
  handlers_env env = {.store = NULL};
  apigw_ctx ctx = {.env = &env, .arena = apigw_forge_arena(), .invocation_id = "lambda-1"};
  return apigw_forge_serve(routes_table(), group, &ctx, event);
}

/* Serves event (consumed) for group; asserts the answer's status and, unless code is NULL, its
 * error code. Returns the payload (caller json_decref). */
static json_t *s_answer(const char *group, json_t *event, int status, const char *code)
{
  return apigw_forge_expect(s_serve(group, event), status, code);
}

static void test_health_answers_ok_with_the_version_without_auth(void **state)
{
  (void)state;
  json_t *payload = s_answer("public", s_event("GET", "GET /health", "/health", NULL), 200, NULL);
  assert_string_equal(json_string_value(json_object_get(json_object_get(payload, "headers"), "content-type")),
                      "application/json");
  json_t *body = apigw_forge_body(payload);
  assert_string_equal(json_string_value(json_object_get(body, "status")), "ok");
  const char *version = json_string_value(json_object_get(body, "version"));
  assert_non_null(version);
  assert_true(strlen(version) > 0);
  assert_int_equal(json_object_size(body), 2);
  json_decref(body);
  json_decref(payload);
}

static void test_default_answers_405_with_allow_for_me_with_post(void **state)
{
  (void)state;
  json_t *payload = s_answer("public", s_event("POST", "$default", "/me", NULL), 405, "method_not_allowed");
  assert_string_equal(json_string_value(json_object_get(json_object_get(payload, "headers"), "allow")), "GET");
  json_decref(payload);
}

static void test_default_answers_404_for_an_unknown_path(void **state)
{
  (void)state;
  static const char *const paths[] = {"/", "/nope", "/me/", "/health/x"};
  for(size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
    json_decref(s_answer("public", s_event("GET", "$default", paths[i], NULL), 404, "not_found"));
  }
}

static void test_me_answers_401_without_a_sub_before_touching_the_store(void **state)
{
  (void)state;
  json_decref(s_answer("users", s_event("GET", "GET /me", "/me", NULL), 401, NULL));
}

static void test_a_group_refuses_routes_of_another_group(void **state)
{
  (void)state;
  json_decref(s_answer("users", s_event("GET", "GET /health", "/health", NULL), 500, NULL));
}

/* Without a store, a Plaid client or a key cache, an unsigned webhook is still answered 401: verification comes
 * before anything else the handler would touch (a NULL store here would crash it). */
static void test_webhook_answers_401_without_a_signature_before_touching_the_store(void **state)
{
  (void)state;
  json_t *event =
    apigw_forge_event_new(&(apigw_forge_event){.method = "POST",
                                               .route_key = "POST /webhooks/plaid",
                                               .path = "/webhooks/plaid",
                                               .content_type = "application/json",
                                               .body = "{\"webhook_type\":\"ITEM\",\"webhook_code\":"
                                                       "\"USER_PERMISSION_REVOKED\",\"item_id\":\"item-1\"}"});
  json_decref(s_answer("webhooks", event, 401, "unauthorized"));
  const apigw_route *hook = apigw_router_find(routes_table(), "POST /webhooks/plaid");
  assert_non_null(hook);
  assert_false(hook->needs_auth); /* Plaid has no Cognito token: the signature is the authentication */
  assert_string_equal(hook->group, "webhooks");
  const routes_group *g = routes_find_group("webhooks");
  assert_true(g->http && g->needs_store && g->needs_plaid && g->starts_syncs && g->needs_webhook_keys);
}

static void test_routes_table_is_consistent_with_its_groups(void **state)
{
  (void)state;
  const apigw_route_table *table = routes_table();
  assert_true(table->count > 0);
  int saw_default = 0;
  for(size_t i = 0; i < table->count; i++) {
    const apigw_route *r = &table->routes[i];
    assert_non_null(r->handler);
    assert_non_null(routes_find_group(r->group));
    for(size_t j = i + 1; j < table->count; j++)
      assert_string_not_equal(r->route_key, table->routes[j].route_key);
    if(strcmp(r->route_key, "$default") == 0) {
      saw_default = 1;
      assert_string_equal(r->group, "public");
      assert_false(r->needs_auth);
    }
    else {
      assert_non_null(strchr(r->route_key, ' '));
      assert_int_equal(strchr(r->route_key, ' ')[1], '/');
    }
  }
  assert_true(saw_default);
  size_t count = 0;
  const routes_group *groups = routes_groups(&count);
  for(size_t i = 0; i < count; i++) {
    assert_int_equal(apigw_router_has_group(table, groups[i].name), groups[i].http);
    /* A group not behind API Gateway is dispatched to its own handler: it must have one (and only such a group). */
    assert_int_equal(groups[i].on_event != NULL, !groups[i].http);
  }
  /* The two triggers of issue #10 open only their own client. */
  const routes_group *presignup = routes_find_group("presignup");
  const routes_group *costguard = routes_find_group("costguard");
  assert_true(presignup && presignup->needs_cognito && !presignup->needs_apigateway && !presignup->needs_store);
  assert_true(costguard && costguard->needs_apigateway && !costguard->needs_cognito && !costguard->needs_plaid);
  const routes_group *sync = routes_find_group("sync");
  assert_non_null(sync);
  assert_false(sync->http);
  assert_true(sync->needs_store && sync->needs_plaid && sync->starts_syncs);
  assert_true(routes_find_group("items")->starts_syncs);
  assert_null(routes_find_group("nope"));
  assert_false(routes_find_group("public")->needs_store);
  assert_true(routes_find_group("users")->needs_store);
  const apigw_route *me = apigw_router_find(table, "GET /me");
  assert_non_null(me);
  assert_true(me->needs_auth);
  assert_false(apigw_router_find(table, "GET /health")->needs_auth);
}

#define T(name) cmocka_unit_test_setup_teardown(name, apigw_forge_arena_setup, apigw_forge_arena_teardown)

UNIT_MAIN("handlers", NULL, NULL,
          {
            T(test_health_answers_ok_with_the_version_without_auth),
            T(test_default_answers_405_with_allow_for_me_with_post),
            T(test_default_answers_404_for_an_unknown_path),
            T(test_me_answers_401_without_a_sub_before_touching_the_store),
            T(test_a_group_refuses_routes_of_another_group),
            T(test_routes_table_is_consistent_with_its_groups),
            T(test_webhook_answers_401_without_a_signature_before_touching_the_store),
          })
