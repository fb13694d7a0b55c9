/* test_handlers_plaid_moto.c - the items and transactions route groups end to end: router → handlers → store (moto) and Plaid (the in-process simulator). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "apigw/router.h"
#include "aws/aws_config.h"
#include "aws/dynamodb.h"
#include "aws/ssm.h"
#include "bootstrap_env.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/wipe.h"
#include "finance/category.h"
#include "handlers/env.h"
#include "handlers/routes.h"
#include "handlers/transactions_view.h"
#include "local/plaid_sim/plaid_sim.h"
#include "store/history.h"
#include "store/items.h"
#include "store/store.h"
#include "support/apigw_forge.h"
#include "support/log_capture.h"
#include "support/moto_fixture.h"
#include "support/moto_store.h"
#include "support/sim_link.h"

#define SIM_CLIENT SIM_LINK_CLIENT
#define SIM_SECRET SIM_LINK_SECRET
#define KEYRING    "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

typedef struct {
  handlers_env env;
  sim_link_fixture link; /* the simulator and the arena */
  char prefix[96];
} s_fixture;

static s_fixture *s_fx;

static void s_put_parameter(ssm_client *ssm, const char *prefix, const char *suffix, const char *value)
{
  char name[256];
  snprintf(name, sizeof(name), "%s%s", prefix, suffix);
  json_t *request =
    json_pack("{s:s, s:s, s:s, s:b}", "Name", name, "Value", value, "Type", "SecureString", "Overwrite", 1);
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(ssm_call(ssm, "PutParameter", request, clock_epoch_ms() + 10000, &response, &err), MYNT_OK);
  json_decref(request);
  json_decref(response);
}

/* Stores the keyring and the client id, not the secret, under a fresh prefix "/mynt-<what>-<pid>" written into
 * prefix (cap bytes) and points MYNT_SSM_PREFIX at it. Returns the SSM client (caller ssm_client_free). */
static ssm_client *s_ssm_without_secret(char *prefix, size_t cap, const char *what)
{
  aws_config aws;
  ssm_client *ssm = NULL;
  assert_int_equal(aws_config_from_env(&aws, NULL), MYNT_OK);
  assert_int_equal(ssm_client_new(&aws, &ssm), MYNT_OK);
  snprintf(prefix, cap, "/mynt-%s-%d", what, (int)getpid());
  s_put_parameter(ssm, prefix, BOOTSTRAP_ENV_TOKEN_KEYS, KEYRING);
  s_put_parameter(ssm, prefix, BOOTSTRAP_ENV_PLAID_CLIENT_ID, SIM_CLIENT);
  setenv("MYNT_SSM_PREFIX", prefix, 1);
  return ssm;
}

static int s_group_setup(void **state)
{
  (void)state;
  store *db = NULL;
  s_fixture *fx = moto_store_state_new(sizeof *fx, "mynt-users-plaid", &db);
  if(!fx)
    return 0;
  fx->env.store = db;
  sim_link_fixture_open(&fx->link);
  setenv("PLAID_BASE_URL", fx->link.sim_url, 1);
  setenv("PLAID_ENV", "sandbox", 1);

  aws_config aws;
  ssm_client *ssm = NULL;
  assert_int_equal(aws_config_from_env(&aws, NULL), MYNT_OK);
  assert_int_equal(ssm_client_new(&aws, &ssm), MYNT_OK);
  snprintf(fx->prefix, sizeof(fx->prefix), "/mynt-test-%d", (int)getpid());
  s_put_parameter(ssm, fx->prefix, BOOTSTRAP_ENV_TOKEN_KEYS, KEYRING);
  s_put_parameter(ssm, fx->prefix, BOOTSTRAP_ENV_PLAID_CLIENT_ID, SIM_CLIENT);
  s_put_parameter(ssm, fx->prefix, BOOTSTRAP_ENV_PLAID_SECRET, SIM_SECRET);
  ssm_client_free(ssm);
  char prefix_with_slash[128];
  snprintf(prefix_with_slash, sizeof(prefix_with_slash), "%s/", fx->prefix);
  setenv("MYNT_SSM_PREFIX", prefix_with_slash, 1);

  mynt_detail detail;
  if(bootstrap_env_open_plaid(&fx->env, 0, &detail))
    fail_msg("bootstrap_env_open_plaid: %s", mynt_detail_text(&detail));
  s_fx = fx;
  return 0;
}

static int s_group_teardown(void **state)
{
  (void)state;
  s_fixture *fx = s_fx;
  if(!fx)
    return 0;
  assert_int_equal(moto_fixture_delete_table(fx->env.store->ddb, fx->env.store->table), MYNT_OK);
  bootstrap_env_free(&fx->env);
  sim_link_fixture_close(&fx->link);
  free(fx);
  s_fx = NULL;
  return 0;
}

/* Skips the running test when the group set-up found no moto_server. */
static void s_skip_without_moto(void **state)
{
  (void)state;
  if(!s_fx)
    skip();
}

/* Calls the simulator: method path with an optional JSON body (consumed). Returns the answer (caller json_decref)
 * and its status in *out_status. */
static json_t *s_sim(const char *method, const char *path, json_t *body, long *out_status)
{
  return sim_link_call(s_fx->link.sim, method, path, body, out_status);
}

/* The body of POST /items for a new sandbox public token of institution (24 months of history) with extra members. */
static char *s_items_body(const char *institution, const char *extra)
{
  return sim_link_items_body(s_fx->link.sim, institution, 730, extra);
}

/* Serves one request through the router for sub with deadline_ms from now; returns the payload.
 * Asserts no access token appears anywhere in the answer. */
static json_t *s_serve_in(const char *group, const char *method, const char *route_key, const char *path,
                          const char *sub, const char *body, json_t *query, int64_t deadline_ms)
{
  apigw_ctx ctx = {.env = &s_fx->env,
                   .arena = s_fx->link.arena,
                   .deadline_ms = clock_epoch_ms() + deadline_ms,
                   .invocation_id = "lambda-1"};
  return sim_link_serve(&ctx, &(sim_link_request){.group = group,
                                                  .method = method,
                                                  .route_key = route_key,
                                                  .path = path,
                                                  .sub = sub,
                                                  .body = body,
                                                  .query = query});
}

static json_t *s_serve(const char *group, const char *method, const char *route_key, const char *path, const char *sub,
                       const char *body, json_t *query)
{
  return s_serve_in(group, method, route_key, path, sub, body, query, 12000);
}

/* Serves one request as s_serve does; asserts its status unless status is 0 and returns its body
 * (caller json_decref). */
static json_t *s_answer(const char *group, const char *method, const char *route_key, const char *path, const char *sub,
                        const char *body, json_t *query, int status)
{
  json_t *payload = s_serve(group, method, route_key, path, sub, body, query);
  if(status)
    assert_int_equal(apigw_forge_status(payload), status);
  json_t *answer = apigw_forge_body(payload);
  json_decref(payload);
  return answer;
}

/* POST /items with a new public token of institution; asserts 201 and returns the body. */
static json_t *s_link(const char *sub, const char *institution)
{
  char *request = s_items_body(institution, "");
  json_t *created = s_answer("items", "POST", "POST /items", "/items", sub, request, NULL, 201);
  free(request);
  return created;
}

static const char *s_item_id(const json_t *created)
{
  return sim_link_item_id(created);
}

/* Returns the simulator's summary of item_id (caller json_decref). */
static json_t *s_sim_item(const char *item_id)
{
  return sim_link_sim_item(s_fx->link.sim, item_id);
}

static void s_fault(const char *item_id, json_t *fault)
{
  char path[160];
  long status = 0;
  snprintf(path, sizeof(path), "/sim/items/%s/faults", item_id);
  json_decref(s_sim(fault ? "POST" : "DELETE", path, fault, &status));
  assert_int_equal(status, 200);
}

static void test_env_names_the_missing_parameter_and_never_a_value(void **state)
{
  s_skip_without_moto(state);
  handlers_env env = {0};
  mynt_detail why;
  const char *saved = getenv("MYNT_SSM_PREFIX");
  char copy[128];
  snprintf(copy, sizeof(copy), "%s", saved);
  setenv("MYNT_SSM_PREFIX", "/mynt-nothing-here", 1);
  assert_int_not_equal(bootstrap_env_open_plaid(&env, 0, &why), MYNT_OK);
  assert_non_null(strstr(mynt_detail_text(&why), "/mynt-nothing-here/token-keys"));
  assert_null(env.plaid);
  assert_null(env.keyring);

  /* The keyring and the client id are there, the secret is not: the one GetParameters call answers it invalid
   * and the error names that parameter alone. */
  char prefix[96];
  ssm_client_free(s_ssm_without_secret(prefix, sizeof(prefix), "no-secret"));
  assert_int_equal(bootstrap_env_open_plaid(&env, 0, &why), MYNT_NOT_FOUND);
  char expected[160];
  snprintf(expected, sizeof(expected), "SSM parameter %s" BOOTSTRAP_ENV_PLAID_SECRET ": not found", prefix);
  assert_string_equal(mynt_detail_text(&why), expected);
  assert_null(env.plaid);
  assert_null(env.keyring);

  unsetenv("MYNT_SSM_PREFIX");
  assert_int_equal(bootstrap_env_open_plaid(&env, 0, &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), "MYNT_SSM_PREFIX"));
  setenv("MYNT_SSM_PREFIX", copy, 1);
  assert_null(strstr(mynt_detail_text(&why), SIM_SECRET));
}

/* The items group as the bootstrap sets it up (bootstrap_env_defer_plaid): nothing is read from SSM until a route
 * needs Plaid. GET /items answers without the secrets; a bad body is still a 400; while a parameter is missing a Plaid
 * route answers 503 (the log names the parameter, no answer or line holds a value) and every request tries again,
 * so once the parameter is stored the next one links. */
static void test_secrets_are_read_by_the_first_route_that_needs_them_and_a_failure_is_tried_again(void **state)
{
  s_skip_without_moto(state);
  plaid_client *kept_plaid = s_fx->env.plaid;
  seal_keyring *kept_keyring = s_fx->env.keyring;
  const char *saved = getenv("MYNT_SSM_PREFIX");
  char kept_prefix[128];
  snprintf(kept_prefix, sizeof(kept_prefix), "%s", saved);
  s_fx->env.plaid = NULL;
  s_fx->env.keyring = NULL;

  char prefix[96];
  ssm_client *ssm = s_ssm_without_secret(prefix, sizeof(prefix), "lazy");
  mynt_detail why;
  assert_int_equal(bootstrap_env_defer_plaid(&s_fx->env, &why), MYNT_OK);
  assert_ptr_equal(s_fx->env.open_plaid, bootstrap_env_open_plaid);

  log_capture logs;
  log_capture_start(&logs);
  json_t *listed = s_answer("items", "GET", "GET /items", "/items", "user-lazy", NULL, NULL, 200);
  assert_int_equal(json_array_size(json_object_get(listed, "items")), 0);
  json_decref(listed);
  assert_null(s_fx->env.plaid);
  json_t *bad = s_answer("items", "POST", "POST /items", "/items", "user-lazy", "{}", NULL, 400);
  assert_string_equal(apigw_forge_error_code(bad), "bad_request");
  json_decref(bad);
  for(int round = 0; round < 2; round++) {
    json_t *payload = s_serve("items", "POST", "POST /link/token", "/link/token", "user-lazy", NULL, NULL);
    json_t *refused = apigw_forge_body(apigw_forge_expect(payload, 503, "service_unavailable"));
    json_decref(payload);
    assert_string_equal(apigw_forge_error_message(refused),
                        "bank connections are unavailable just now: try again in a minute");
    json_decref(refused);
    assert_null(s_fx->env.plaid);
    assert_null(s_fx->env.keyring);
  }
  log_capture_stop(&logs);
  char expected[160];
  snprintf(expected, sizeof(expected), "SSM parameter %s" BOOTSTRAP_ENV_PLAID_SECRET ": not found", prefix);
  assert_non_null(strstr(logs.text, expected));
  assert_non_null(strstr(strstr(logs.text, expected) + 1, expected)); /* tried again, not remembered */
  assert_null(strstr(logs.text, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="));
  assert_null(strstr(logs.text, SIM_CLIENT));
  log_capture_free(&logs);

  s_put_parameter(ssm, prefix, BOOTSTRAP_ENV_PLAID_SECRET, SIM_SECRET);
  ssm_client_free(ssm);
  json_t *token = s_answer("items", "POST", "POST /link/token", "/link/token", "user-lazy", NULL, NULL, 200);
  assert_int_equal(strncmp(json_string_value(json_object_get(token, "link_token")), "link-sandbox-", 13), 0);
  json_decref(token);
  assert_non_null(s_fx->env.plaid);
  assert_non_null(s_fx->env.keyring);

  plaid_client_free(s_fx->env.plaid);
  seal_keyring_free(s_fx->env.keyring);
  s_fx->env.plaid = kept_plaid;
  s_fx->env.keyring = kept_keyring;
  s_fx->env.open_plaid = NULL;
  setenv("MYNT_SSM_PREFIX", kept_prefix, 1);
}

static void test_link_token_for_a_new_item_and_for_update_mode_of_an_own_item(void **state)
{
  s_skip_without_moto(state);
  json_t *body = s_answer("items", "POST", "POST /link/token", "/link/token", "user-link", NULL, NULL, 200);
  assert_int_equal(strncmp(json_string_value(json_object_get(body, "link_token")), "link-sandbox-", 13), 0);
  assert_non_null(json_string_value(json_object_get(body, "expiration")));
  assert_int_equal(json_object_size(body), 2);
  json_decref(body);

  json_t *created = s_link("user-link", "ins_109508");
  char request[256];
  snprintf(request, sizeof(request), "{\"item_id\":\"%s\"}", s_item_id(created));
  json_decref(apigw_forge_expect(
    s_serve("items", "POST", "POST /link/token", "/link/token", "user-link", request, NULL), 200, NULL));
  json_decref(apigw_forge_expect(
    s_serve("items", "POST", "POST /link/token", "/link/token", "user-other", request, NULL), 404, NULL));
  json_decref(apigw_forge_expect(
    s_serve("items", "POST", "POST /link/token", "/link/token", "user-link", "{\"item_id\":5}", NULL), 400, NULL));
  json_decref(created);
}

static void test_create_answers_201_and_stores_only_the_sealed_token(void **state)
{
  s_skip_without_moto(state);
  json_t *created = s_link("user-create", "ins_109508");
  json_t *item = json_object_get(created, "item");
  assert_string_equal(json_string_value(json_object_get(item, "institution_id")), "ins_109508");
  assert_string_equal(json_string_value(json_object_get(item, "institution_name")), "First Platypus Bank");
  assert_string_equal(json_string_value(json_object_get(item, "status")), "active");
  assert_int_equal(json_object_size(item), 7);
  assert_string_equal(json_string_value(json_object_get(json_object_get(item, "sync"), "status")), "syncing");
  json_t *accounts = json_object_get(created, "accounts");
  assert_true(json_array_size(accounts) >= 3);
  assert_int_equal(json_object_size(json_array_get(accounts, 0)), 8);
  assert_non_null(json_object_get(json_array_get(accounts, 0), "balances"));

  /* The stored record opens to the real access token, which appears nowhere in the table. */
  store_item stored;
  assert_int_equal(store_item_get(s_fx->env.store, "user-create", s_item_id(created), 0, &stored), MYNT_OK);
  char *token = NULL;
  size_t len = 0;
  assert_int_equal(store_item_open_token(s_fx->env.keyring, "user-create", &stored, &token, &len), MYNT_OK);
  assert_int_equal(strncmp(token, "access-sandbox-", 15), 0);
  json_t *response = NULL;
  json_t *request = json_pack("{s:s, s:s, s:{s:{s:s}}}", "TableName", s_fx->env.store->table, "KeyConditionExpression",
                              "user_id = :u", "ExpressionAttributeValues", ":u", "S", "user-create");
  assert_int_equal(ddb_call(s_fx->env.store->ddb, "Query", request, 0, &response, NULL), MYNT_OK);
  char *dump = json_dumps(response, 0);
  assert_null(strstr(dump, token));
  assert_int_equal(json_array_size(json_object_get(response, "Items")), 3);
  free(dump);
  char owner[STORE_USER_ID_MAX + 1];
  assert_int_equal(store_item_owner(s_fx->env.store, s_item_id(created), 0, owner), MYNT_OK);
  assert_string_equal(owner, "user-create");
  json_decref(request);
  json_decref(response);
  mynt_wipe_free(token);
  store_item_clear(&stored);
  json_decref(created);
}

static void test_create_retried_with_the_same_public_token_answers_the_same_item_once(void **state)
{
  s_skip_without_moto(state);
  char *request = s_items_body("ins_109509", ",\"institution_name\":\"ignored\"");
  json_t *first = s_answer("items", "POST", "POST /items", "/items", "user-retry", request, NULL, 201);
  json_t *second = s_answer("items", "POST", "POST /items", "/items", "user-retry", request, NULL, 201);
  assert_true(json_equal(first, second));
  json_decref(first);
  json_decref(second);

  json_t *body = s_answer("items", "GET", "GET /items", "/items", "user-retry", NULL, NULL, 0);
  assert_int_equal(json_array_size(json_object_get(body, "items")), 1);
  json_decref(body);

  /* Another user presenting the same (used) public token gets nothing. */
  body = s_answer("items", "POST", "POST /items", "/items", "user-thief", request, NULL, 400);
  assert_non_null(strstr(apigw_forge_error_message(body), "public_token"));
  json_decref(body);
  free(request);
}

static void test_create_rejects_bad_bodies_with_400(void **state)
{
  s_skip_without_moto(state);
  static const char *const bodies[] = {
    "{}",
    "{\"public_token\":\"\"}",
    "{\"public_token\":5}",
    "[\"public-sandbox-x\"]",
    "not json",
    "{\"public_token\":\"public-sandbox-x\",\"institution_id\":7}",
    "{\"public_token\":\"public-sandbox-x\",\"institution_name\":\"\"}",
  };
  for(size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
    json_decref(
      apigw_forge_expect(s_serve("items", "POST", "POST /items", "/items", "user-bad", bodies[i], NULL), 400, NULL));
  }
  char long_token[300];
  memset(long_token, 'a', sizeof(long_token));
  memcpy(long_token, "{\"public_token\":\"", 17);
  memcpy(long_token + 290, "\"}", 3);
  json_t *body = s_answer("items", "POST", "POST /items", "/items", "user-bad", long_token, NULL, 400);
  assert_non_null(strstr(apigw_forge_error_message(body), "256"));
  json_decref(body);
}

static void test_a_second_item_of_an_institution_is_409_and_removed_at_plaid(void **state)
{
  s_skip_without_moto(state);
  json_t *first = s_link("user-dup", "ins_109510");
  char *request = s_items_body("ins_109510", "");
  json_t *body = s_answer("items", "POST", "POST /items", "/items", "user-dup", request, NULL, 409);
  free(request);
  assert_string_equal(apigw_forge_error_code(body), "duplicate_institution");
  assert_string_equal(json_string_value(json_object_get(json_object_get(body, "error"), "item_id")), s_item_id(first));
  json_decref(body);

  /* Exactly one item of that institution is still live at Plaid: the first. */
  long status = 0;
  json_t *all = s_sim("GET", "/sim/items", NULL, &status);
  size_t i;
  json_t *item;
  int live = 0;
  int removed = 0;
  json_array_foreach(json_object_get(all, "items"), i, item) {
    if(strcmp(json_string_value(json_object_get(item, "institution_id")), "ins_109510") != 0)
      continue;
    if(json_is_true(json_object_get(item, "removed")))
      removed++;
    else {
      live++;
      assert_string_equal(json_string_value(json_object_get(item, "item_id")), s_item_id(first));
    }
  }
  assert_int_equal(live, 1);
  assert_int_equal(removed, 1);
  json_decref(all);
  json_decref(first);
}

static void test_list_and_delete_keep_other_users_out_with_404(void **state)
{
  s_skip_without_moto(state);
  json_t *created = s_link("user-del", "ins_109511");
  const char *item_id = s_item_id(created);
  char path[160];
  snprintf(path, sizeof(path), "/items/%s", item_id);

  json_t *body = s_answer("items", "GET", "GET /items", "/items", "user-del", NULL, NULL, 0);
  json_t *listed = json_array_get(json_object_get(body, "items"), 0);
  assert_true(json_equal(listed, json_object_get(created, "item")));
  json_decref(body);

  json_decref(apigw_forge_expect(
    s_serve("items", "DELETE", "DELETE /items/{item_id}", path, "user-intruder", NULL, NULL), 404, NULL));
  body = s_answer("items", "GET", "GET /items", "/items", "user-intruder", NULL, NULL, 0);
  assert_int_equal(json_array_size(json_object_get(body, "items")), 0);
  json_decref(body);
  json_t *sim_item = s_sim_item(item_id);
  assert_false(json_is_true(json_object_get(sim_item, "removed")));
  json_decref(sim_item);

  json_t *payload = s_serve("items", "DELETE", "DELETE /items/{item_id}", path, "user-del", NULL, NULL);
  assert_int_equal(apigw_forge_status(payload), 204);
  assert_string_equal(json_string_value(json_object_get(payload, "body")), "");
  json_decref(payload);
  sim_item = s_sim_item(item_id);
  assert_true(json_is_true(json_object_get(sim_item, "removed")));
  json_decref(sim_item);
  json_decref(
    apigw_forge_expect(s_serve("items", "DELETE", "DELETE /items/{item_id}", path, "user-del", NULL, NULL), 404, NULL));
  json_decref(apigw_forge_expect(
    s_serve("items", "DELETE", "DELETE /items/{item_id}", "/items/no-such-item", "user-del", NULL, NULL), 404, NULL));

  /* The bank can be linked again once removed. */
  json_decref(s_link("user-del", "ins_109511"));
  json_decref(created);
}

/* Serves one request with an env holding only the store, as the transactions group's bootstrap makes it
 * (routes: needs_plaid 0): no Plaid client, no keyring. */
static json_t *s_serve_store_only(const char *method, const char *route_key, const char *path, const char *sub,
                                  json_t *query, int64_t deadline_ms)
{
  handlers_env env = {.store = s_fx->env.store};
  apigw_ctx ctx = {
    .env = &env, .arena = s_fx->link.arena, .deadline_ms = clock_epoch_ms() + deadline_ms, .invocation_id = "lambda-1"};
  return sim_link_serve(
    &ctx,
    &(sim_link_request){
      .group = "transactions", .method = method, .route_key = route_key, .path = path, .sub = sub, .query = query});
}

/* GET route of the transactions group for sub with query (consumed); asserts 200 and returns the body. */
static json_t *s_read(const char *route_key, const char *path, const char *sub, json_t *query)
{
  json_t *payload = s_serve_store_only("GET", route_key, path, sub, query, 12000);
  if(apigw_forge_status(payload) != 200)
    fail_msg("%s answered %d: %s", route_key, apigw_forge_status(payload),
             json_string_value(json_object_get(payload, "body")));
  json_t *body = apigw_forge_body(payload);
  json_decref(payload);
  return body;
}

static json_t *s_transactions(const char *sub, json_t *query)
{
  return s_read("GET /transactions", "/transactions", sub, query);
}

/* One of the simulator's Plaid transactions in the store's shape (what the sync keeps). */
static json_t *s_stored_from_plaid(const json_t *t)
{
  const json_t *pfc = json_object_get(t, "personal_finance_category");
  const char *primary = json_string_value(json_object_get(pfc, "primary"));
  double amount = json_number_value(json_object_get(t, "amount"));
  return json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:I, s:O, s:O, s:O, s:s?, s:s?, s:O, s:s}", "transaction_id",
                   json_object_get(t, "transaction_id"), "account_id", json_object_get(t, "account_id"), "date",
                   json_object_get(t, "date"), "authorized_date", json_object_get(t, "authorized_date"), "name",
                   json_object_get(t, "name"), "merchant_name", json_object_get(t, "merchant_name"), "amount_cents",
                   (json_int_t)(amount * 100 + (amount < 0 ? -0.5 : 0.5)), "iso_currency_code",
                   json_object_get(t, "iso_currency_code"), "pending", json_object_get(t, "pending"),
                   "pending_transaction_id", json_object_get(t, "pending_transaction_id"), "category", primary,
                   "category_detailed", json_string_value(json_object_get(pfc, "detailed")), "payment_channel",
                   json_object_get(t, "payment_channel"), "flow", finance_flow(primary));
}

/* The simulator's truth of item_id in [start, end] (NULL: all of it); caller json_decref. */
static json_t *s_truth(const char *item_id, const char *start, const char *end)
{
  char path[256];
  long status = 0;
  if(start)
    snprintf(path, sizeof(path), "/sim/items/%s/transactions?start_date=%s&end_date=%s", item_id, start, end);
  else
    snprintf(path, sizeof(path), "/sim/items/%s/transactions", item_id);
  json_t *truth = s_sim("GET", path, NULL, &status);
  assert_int_equal(status, 200);
  return truth;
}

/* Stores the simulator's whole history and balances of sub's item item_id as a finished sync
 * would (store_history_apply + store_item_save_sync): the stand-in for the sync lane here. */
static void s_seed(const char *sub, const char *item_id)
{
  json_t *truth = s_truth(item_id, NULL, NULL);
  json_t *added = json_array();
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(truth, "transactions"), i, t)
    json_array_append_new(added, s_stored_from_plaid(t));
  json_t *accounts = json_array();
  json_array_foreach(json_object_get(truth, "accounts"), i, t) {
    json_t *record = transactions_view_account_record(t);
    const json_t *balances = json_object_get(t, "balances");
    json_object_set_new(record, "balances",
                        json_pack("{s:O, s:O, s:O, s:O}", "available", json_object_get(balances, "available"),
                                  "current", json_object_get(balances, "current"), "limit",
                                  json_object_get(balances, "limit"), "iso_currency_code",
                                  json_object_get(balances, "iso_currency_code")));
    json_array_append_new(accounts, record);
  }
  json_t *months = json_object();
  assert_int_equal(
    store_history_apply(s_fx->env.store, sub, item_id, added, NULL, NULL, months, clock_epoch_ms() + 30000), MYNT_OK);
  store_item_sync sync = {.initial_complete = true, .history_complete = true, .last_synced_at_ms = clock_epoch_ms()};
  assert_int_equal(
    store_item_save_sync(s_fx->env.store, sub, item_id, &sync, months, accounts, "2026-11-20T10:00:00Z", 0), MYNT_OK);
  json_decref(months);
  json_decref(accounts);
  json_decref(added);
  json_decref(truth);
}

/* Links two banks (institutions ins_a and ins_b) for sub and stores each one's transactions (s_seed). Sets *out_a and
 * *out_b to the link answers (caller json_decref). */
static void s_link_two_seeded(const char *sub, const char *ins_a, const char *ins_b, json_t **out_a, json_t **out_b)
{
  *out_a = s_link(sub, ins_a);
  *out_b = s_link(sub, ins_b);
  s_seed(sub, s_item_id(*out_a));
  s_seed(sub, s_item_id(*out_b));
}

/* The item of items (an answer's array) whose item_id is item_id, or NULL. */
static const json_t *s_find_item(const json_t *items, const char *item_id)
{
  size_t i;
  json_t *item;
  json_array_foreach(items, i, item) {
    if(strcmp(json_string_value(json_object_get(item, "item_id")), item_id) == 0)
      return item;
  }
  return NULL;
}

static const char *s_sync_status(const json_t *body, const char *item_id)
{
  return json_string_value(
    json_object_get(json_object_get(s_find_item(json_object_get(body, "items"), item_id), "sync"), "status"));
}

static void test_accounts_answers_the_stored_accounts_and_balances_of_every_item(void **state)
{
  s_skip_without_moto(state);
  json_t *a = s_link("user-accounts", "ins_109508");
  json_t *b = s_link("user-accounts", "ins_109512");
  /* Before any sync: the accounts captured at linking, no balances yet, both items syncing. */
  json_t *body = s_read("GET /accounts", "/accounts", "user-accounts", NULL);
  json_t *accounts = json_object_get(body, "accounts");
  assert_int_equal(json_array_size(accounts),
                   json_array_size(json_object_get(a, "accounts")) + json_array_size(json_object_get(b, "accounts")));
  assert_true(json_is_null(json_object_get(json_object_get(json_array_get(accounts, 0), "balances"), "current")));
  assert_true(json_is_null(json_object_get(json_array_get(accounts, 0), "balances_as_of")));
  assert_string_equal(s_sync_status(body, s_item_id(a)), "syncing");
  assert_string_equal(s_sync_status(body, s_item_id(b)), "syncing");
  json_decref(body);

  s_seed("user-accounts", s_item_id(a));
  s_seed("user-accounts", s_item_id(b));
  body = s_read("GET /accounts", "/accounts", "user-accounts", NULL);
  accounts = json_object_get(body, "accounts");
  size_t i;
  json_t *account;
  json_array_foreach(accounts, i, account) {
    assert_int_equal(json_object_size(account), 9);
    const char *item_id = json_string_value(json_object_get(account, "item_id"));
    assert_true(strcmp(item_id, s_item_id(a)) == 0 || strcmp(item_id, s_item_id(b)) == 0);
    assert_non_null(json_string_value(json_object_get(account, "institution_name")));
    json_t *balances = json_object_get(account, "balances");
    assert_int_equal(json_object_size(balances), 4);
    assert_true(json_is_number(json_object_get(balances, "current")));
    assert_string_equal(json_string_value(json_object_get(account, "balances_as_of")), "2026-11-20T10:00:00Z");
  }
  /* The balances are the simulator's own. */
  json_t *truth = s_truth(s_item_id(a), NULL, NULL);
  json_t *first = json_array_get(json_object_get(truth, "accounts"), 0);
  json_array_foreach(accounts, i, account) {
    if(strcmp(json_string_value(json_object_get(account, "account_id")),
              json_string_value(json_object_get(first, "account_id"))) != 0)
      continue;
    json_t *got = json_object_get(account, "balances");
    json_t *want = json_object_get(first, "balances");
    assert_true(json_number_value(json_object_get(got, "current")) ==
                json_number_value(json_object_get(want, "current")));
    assert_true(json_number_value(json_object_get(got, "available")) ==
                json_number_value(json_object_get(want, "available")));
    assert_true(json_is_null(json_object_get(want, "limit")) == json_is_null(json_object_get(got, "limit")));
    assert_string_equal(json_string_value(json_object_get(got, "iso_currency_code")), "USD");
  }
  json_decref(truth);
  assert_string_equal(s_sync_status(body, s_item_id(a)), "synced");
  json_decref(body);
  body = s_read("GET /accounts", "/accounts", "user-nobody", NULL);
  assert_int_equal(json_array_size(json_object_get(body, "accounts")), 0);
  assert_int_equal(json_array_size(json_object_get(body, "items")), 0);
  json_decref(body);
  json_decref(a);
  json_decref(b);
}

static void s_assert_newest_first(const json_t *list)
{
  for(size_t i = 1; i < json_array_size(list); i++) {
    const char *prev = json_string_value(json_object_get(json_array_get(list, i - 1), "date"));
    const char *next = json_string_value(json_object_get(json_array_get(list, i), "date"));
    assert_true(strcmp(prev, next) >= 0);
  }
}

static void test_transactions_default_is_the_100_newest_across_items_and_pages_line_up(void **state)
{
  s_skip_without_moto(state);
  json_t *a;
  json_t *b;
  s_link_two_seeded("user-tx", "ins_109508", "ins_109509", &a, &b);
  json_t *body = s_transactions("user-tx", NULL);
  json_t *list = json_object_get(body, "transactions");
  assert_int_equal(json_array_size(list), 100);
  assert_int_equal(json_integer_value(json_object_get(body, "count")), 100);
  assert_int_equal(json_integer_value(json_object_get(body, "offset")), 0);
  assert_int_equal(json_array_size(json_object_get(body, "items")), 2);
  s_assert_newest_first(list);
  int from_a = 0;
  int from_b = 0;
  size_t i;
  json_t *txn;
  json_array_foreach(list, i, txn) {
    assert_int_equal(json_object_size(txn), 16);
    const char *item_id = json_string_value(json_object_get(txn, "item_id"));
    from_a += strcmp(item_id, s_item_id(a)) == 0;
    from_b += strcmp(item_id, s_item_id(b)) == 0;
    const char *flow = json_string_value(json_object_get(txn, "flow"));
    assert_true(strcmp(flow, "income") == 0 || strcmp(flow, "expense") == 0 || strcmp(flow, "transfer") == 0);
    double off = json_number_value(json_object_get(txn, "amount")) * 100 -
                 (double)json_integer_value(json_object_get(txn, "amount_cents"));
    assert_true(off < 1e-6 && off > -1e-6);
  }
  assert_true(from_a > 0 && from_b > 0);

  /* total_transactions is the sum of the simulator's own totals over the same window. */
  long total = 0;
  const json_t *items[2] = {a, b};
  for(size_t k = 0; k < 2; k++) {
    json_t *truth = s_truth(s_item_id(items[k]), json_string_value(json_object_get(body, "start_date")),
                            json_string_value(json_object_get(body, "end_date")));
    total += (long)json_integer_value(json_object_get(truth, "total_transactions"));
    /* The newest of each item is the simulator's newest. */
    json_t *newest = json_array_get(json_object_get(truth, "transactions"), 0);
    json_array_foreach(list, i, txn) {
      if(strcmp(json_string_value(json_object_get(txn, "transaction_id")),
                json_string_value(json_object_get(newest, "transaction_id"))) == 0)
        break;
    }
    assert_true(i < json_array_size(list));
    json_decref(truth);
  }
  assert_int_equal(json_integer_value(json_object_get(body, "total_transactions")), total);
  assert_true(total > 1000);

  /* Pages: [450, 650) equals the end of [0, 500) followed by the start of [500, 1000). */
  json_t *p1 = s_transactions("user-tx", json_pack("{s:s}", "count", "500"));
  json_t *p2 = s_transactions("user-tx", json_pack("{s:s, s:s}", "count", "500", "offset", "500"));
  json_t *mid = s_transactions("user-tx", json_pack("{s:s, s:s}", "count", "200", "offset", "450"));
  json_t *l1 = json_object_get(p1, "transactions");
  json_t *l2 = json_object_get(p2, "transactions");
  json_t *lm = json_object_get(mid, "transactions");
  assert_int_equal(json_array_size(l1), 500);
  assert_int_equal(json_array_size(lm), 200);
  for(size_t k = 0; k < 200; k++) {
    json_t *expected = k < 50 ? json_array_get(l1, 450 + k) : json_array_get(l2, k - 50);
    assert_true(json_equal(json_array_get(lm, k), expected));
  }
  assert_true(json_equal(json_array_get(l1, 0), json_array_get(list, 0)));
  assert_int_equal(json_integer_value(json_object_get(p2, "total_transactions")), total);
  json_decref(p1);
  json_decref(p2);
  json_decref(mid);
  json_decref(body);
  json_decref(a);
  json_decref(b);
}

static void test_transactions_window_and_account_filter_match_the_simulators_truth(void **state)
{
  s_skip_without_moto(state);
  json_t *a;
  json_t *b;
  s_link_two_seeded("user-window", "ins_109508", "ins_109512", &a, &b);
  char start[11];
  char end[11];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  tm.tm_mday -= 90;
  timegm(&tm);
  strftime(start, sizeof(start), "%Y-%m-%d", &tm);
  tm.tm_mday += 30;
  timegm(&tm);
  strftime(end, sizeof(end), "%Y-%m-%d", &tm);

  /* The window across both items: exactly the simulator's transactions of those dates. */
  json_t *body =
    s_transactions("user-window", json_pack("{s:s, s:s, s:s}", "start_date", start, "end_date", end, "count", "500"));
  json_t *truth_a = s_truth(s_item_id(a), start, end);
  json_t *truth_b = s_truth(s_item_id(b), start, end);
  size_t both = json_array_size(json_object_get(truth_a, "transactions")) +
                json_array_size(json_object_get(truth_b, "transactions"));
  assert_true(both > 0 && both <= 500);
  assert_int_equal(json_array_size(json_object_get(body, "transactions")), both);
  assert_int_equal(json_integer_value(json_object_get(body, "total_transactions")), both);
  json_decref(truth_a);
  json_decref(body);

  const char *account_id =
    json_string_value(json_object_get(json_array_get(json_object_get(b, "accounts"), 0), "account_id"));
  body = s_transactions("user-window", json_pack("{s:s, s:s, s:s, s:s}", "start_date", start, "end_date", end, "count",
                                                 "500", "account_id", account_id));
  json_t *list = json_object_get(body, "transactions");
  size_t expected = 0;
  size_t i;
  json_t *txn;
  json_array_foreach(json_object_get(truth_b, "transactions"), i, txn)
    expected += strcmp(json_string_value(json_object_get(txn, "account_id")), account_id) == 0;
  assert_true(expected > 0);
  assert_int_equal(json_array_size(list), expected);
  assert_int_equal(json_integer_value(json_object_get(body, "total_transactions")), expected);
  s_assert_newest_first(list);
  json_array_foreach(list, i, txn) {
    const char *date = json_string_value(json_object_get(txn, "date"));
    assert_true(strcmp(date, start) >= 0 && strcmp(date, end) <= 0);
    assert_string_equal(json_string_value(json_object_get(txn, "account_id")), account_id);
  }
  json_decref(truth_b);
  json_decref(body);

  json_t *payload = s_serve_store_only("GET", "GET /transactions", "/transactions", "user-window",
                                       json_pack("{s:s}", "account_id", "acc-of-nobody"), 12000);
  assert_int_equal(apigw_forge_status(payload), 400);
  body = apigw_forge_body(payload);
  assert_non_null(strstr(apigw_forge_error_message(body), "account_id"));
  json_decref(body);
  json_decref(payload);
  /* Another user's account is not the caller's either. */
  json_decref(apigw_forge_expect(s_serve_store_only("GET", "GET /transactions", "/transactions", "user-other",
                                                    json_pack("{s:s}", "account_id", account_id), 12000),
                                 400, NULL));
  json_decref(a);
  json_decref(b);
}

static void test_one_items_trouble_never_fails_the_others_and_plaid_is_never_called(void **state)
{
  s_skip_without_moto(state);
  json_t *a = s_link("user-trouble", "ins_109508");
  json_t *b = s_link("user-trouble", "ins_109509");
  s_seed("user-trouble", s_item_id(b));
  /* a needs a new login (its last sync failed so); b is fine. Plaid is down for both. */
  assert_int_equal(store_item_set_status(s_fx->env.store, "user-trouble", s_item_id(a), STORE_ITEM_LOGIN_REQUIRED, 0),
                   MYNT_OK);
  store_item_sync failed = {.initial_complete = true, .last_error = "ITEM_LOGIN_REQUIRED"};
  json_t *none = json_object();
  assert_int_equal(store_item_save_sync(s_fx->env.store, "user-trouble", s_item_id(a), &failed, none, NULL, NULL, 0),
                   MYNT_OK);
  json_decref(none);
  s_fault(s_item_id(a), json_pack("{s:i}", "status", 500));
  s_fault(s_item_id(b), json_pack("{s:i}", "latency_ms", 5000));

  json_t *payload = s_serve_store_only("GET", "GET /transactions", "/transactions", "user-trouble", NULL, 3000);
  assert_int_equal(apigw_forge_status(payload), 200);
  json_t *body = apigw_forge_body(payload);
  json_decref(payload);
  assert_int_equal(json_array_size(json_object_get(body, "transactions")), 100);
  const json_t *item_a = s_find_item(json_object_get(body, "items"), s_item_id(a));
  assert_string_equal(json_string_value(json_object_get(item_a, "status")), "login_required");
  assert_string_equal(s_sync_status(body, s_item_id(a)), "error");
  assert_string_equal(json_string_value(json_object_get(json_object_get(item_a, "sync"), "last_error")),
                      "ITEM_LOGIN_REQUIRED");
  assert_string_equal(s_sync_status(body, s_item_id(b)), "synced");
  json_decref(body);

  payload = s_serve_store_only("GET", "GET /accounts", "/accounts", "user-trouble", NULL, 3000);
  assert_int_equal(apigw_forge_status(payload), 200);
  body = apigw_forge_body(payload);
  assert_int_equal(json_array_size(json_object_get(body, "accounts")),
                   json_array_size(json_object_get(a, "accounts")) + json_array_size(json_object_get(b, "accounts")));
  json_decref(body);
  json_decref(payload);

  /* GET /items shows the same item JSON. */
  body = s_answer("items", "GET", "GET /items", "/items", "user-trouble", NULL, NULL, 200);
  assert_string_equal(s_sync_status(body, s_item_id(a)), "error");
  json_decref(body);
  s_fault(s_item_id(a), NULL);
  s_fault(s_item_id(b), NULL);
  json_decref(a);
  json_decref(b);
}

/* Every record the table holds of item_id, in any partition, as a space-joined list of sort keys. */
static void s_records_of_item(const char *sub, const char *item_id, char *out, size_t cap)
{
  out[0] = '\0';
  static const char *const partitions[] = {NULL, "#ITEMS"};
  for(size_t p = 0; p < 2; p++) {
    json_t *request = json_pack("{s:s, s:s, s:{s:{s:s}}, s:b}", "TableName", s_fx->env.store->table,
                                "KeyConditionExpression", "user_id = :u", "ExpressionAttributeValues", ":u", "S",
                                partitions[p] ? partitions[p] : sub, "ConsistentRead", 1);
    json_t *response = NULL;
    assert_int_equal(ddb_call(s_fx->env.store->ddb, "Query", request, 0, &response, NULL), MYNT_OK);
    size_t i;
    json_t *raw;
    json_array_foreach(json_object_get(response, "Items"), i, raw) {
      char *text = json_dumps(raw, 0);
      if(strstr(text, item_id)) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%s", len ? " " : "",
                 json_string_value(json_object_get(json_object_get(raw, "sk"), "S")));
      }
      free(text);
    }
    json_decref(request);
    json_decref(response);
  }
}

static void test_deleting_a_bank_leaves_none_of_its_records(void **state)
{
  s_skip_without_moto(state);
  json_t *a;
  json_t *b;
  s_link_two_seeded("user-forget", "ins_109508", "ins_109509", &a, &b);
  char keys[8192];
  s_records_of_item("user-forget", s_item_id(a), keys, sizeof keys);
  assert_non_null(strstr(keys, "TXN#"));
  assert_non_null(strstr(keys, "PUBTOKEN#"));

  char path[160];
  snprintf(path, sizeof(path), "/items/%s", s_item_id(a));
  json_t *payload = s_serve("items", "DELETE", "DELETE /items/{item_id}", path, "user-forget", NULL, NULL);
  assert_int_equal(apigw_forge_status(payload), 204);
  json_decref(payload);
  s_records_of_item("user-forget", s_item_id(a), keys, sizeof keys);
  assert_string_equal(keys, "");
  char owner[STORE_USER_ID_MAX + 1];
  assert_int_equal(store_item_owner(s_fx->env.store, s_item_id(a), 0, owner), MYNT_NOT_FOUND);

  /* The other bank keeps all of its history. */
  json_t *body = s_transactions("user-forget", json_pack("{s:s}", "count", "500"));
  size_t i;
  json_t *txn;
  json_array_foreach(json_object_get(body, "transactions"), i, txn)
    assert_string_equal(json_string_value(json_object_get(txn, "item_id")), s_item_id(b));
  assert_int_equal(json_array_size(json_object_get(body, "items")), 1);
  json_t *truth = s_truth(s_item_id(b), json_string_value(json_object_get(body, "start_date")),
                          json_string_value(json_object_get(body, "end_date")));
  assert_int_equal(json_integer_value(json_object_get(body, "total_transactions")),
                   json_integer_value(json_object_get(truth, "total_transactions")));
  json_decref(truth);
  json_decref(body);
  json_decref(a);
  json_decref(b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_env_names_the_missing_parameter_and_never_a_value),
    cmocka_unit_test(test_secrets_are_read_by_the_first_route_that_needs_them_and_a_failure_is_tried_again),
    cmocka_unit_test(test_link_token_for_a_new_item_and_for_update_mode_of_an_own_item),
    cmocka_unit_test(test_create_answers_201_and_stores_only_the_sealed_token),
    cmocka_unit_test(test_create_retried_with_the_same_public_token_answers_the_same_item_once),
    cmocka_unit_test(test_create_rejects_bad_bodies_with_400),
    cmocka_unit_test(test_a_second_item_of_an_institution_is_409_and_removed_at_plaid),
    cmocka_unit_test(test_list_and_delete_keep_other_users_out_with_404),
    cmocka_unit_test(test_accounts_answers_the_stored_accounts_and_balances_of_every_item),
    cmocka_unit_test(test_transactions_default_is_the_100_newest_across_items_and_pages_line_up),
    cmocka_unit_test(test_transactions_window_and_account_filter_match_the_simulators_truth),
    cmocka_unit_test(test_one_items_trouble_never_fails_the_others_and_plaid_is_never_called),
    cmocka_unit_test(test_deleting_a_bank_leaves_none_of_its_records),
  };
  return cmocka_run_group_tests_name("handlers_plaid_moto", tests, s_group_setup, s_group_teardown);
}
