/* sim_link.c - linking banks of the in-process Plaid simulator through Mynt's routes, for the handlers tests on
 * moto. */
#include "support/sim_link.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h> /* program_invocation_short_name (_GNU_SOURCE, set by the build) */
#include <curl/curl.h>

#include "aws/lambda.h"
#include "bootstrap_env.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"
#include "handlers/routes.h"
#include "plaid/plaid.h"
#include "store/history.h"
#include "store/items.h"
#include "support/apigw_forge.h"
#include "support/moto_fixture.h"
#include "support/moto_store.h"
#include "support/sim_client.h"
#include "sync/sync_records.h"

void sim_link_fixture_open(sim_link_fixture *f)
{
  curl_global_init(CURL_GLOBAL_DEFAULT);
  plaid_sim_config cfg = {.client_id = SIM_LINK_CLIENT, .secret = SIM_LINK_SECRET};
  assert_int_equal(plaid_sim_new(&cfg, &f->sim), MYNT_OK);
  snprintf(f->sim_url, sizeof(f->sim_url), "http://127.0.0.1:%u", (unsigned)plaid_sim_port(f->sim));
  assert_int_equal(arena_new(32 * 1024 * 1024, &f->arena), MYNT_OK);
}

void sim_link_fixture_close(sim_link_fixture *f)
{
  plaid_sim_free(f->sim);
  arena_free(f->arena);
  memset(f, 0, sizeof(*f));
  curl_global_cleanup();
}

json_t *sim_link_call(const plaid_sim *sim, const char *method, const char *path, json_t *body, long *out_status)
{
  static const char *const headers[] = {"PLAID-CLIENT-ID: " SIM_LINK_CLIENT, "PLAID-SECRET: " SIM_LINK_SECRET,
                                        "Plaid-Version: 2020-09-14", NULL};
  char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  sim_answer answer = sim_client_send(sim, method, path, text, headers);
  free(text);
  if(answer.status < 0)
    fail_msg("%s %s: the simulator did not answer", method, path);
  if(!answer.body)
    fail_msg("%s %s answered %ld, not JSON: %s", method, path, answer.status, answer.text);
  json_t *doc = json_incref(answer.body);
  if(out_status)
    *out_status = answer.status;
  sim_answer_free(&answer);
  return doc;
}

char *sim_link_items_body(const plaid_sim *sim, const char *institution, int days_requested, const char *extra)
{
  json_t *request = json_pack("{s:s, s:[s]}", "institution_id", institution, "initial_products", "transactions");
  if(days_requested)
    json_object_set_new(request, "options", json_pack("{s:{s:i}}", "transactions", "days_requested", days_requested));
  long status = 0;
  json_t *answer = sim_link_call(sim, "POST", "/sandbox/public_token/create", request, &status);
  assert_int_equal(status, 200);
  const char *token = json_string_value(json_object_get(answer, "public_token"));
  assert_non_null(token);
  char *body = NULL;
  assert_true(asprintf(&body, "{\"public_token\":\"%s\"%s}", token, extra) > 0);
  json_decref(answer);
  return body;
}

json_t *sim_link_sim_item(const plaid_sim *sim, const char *item_id)
{
  json_t *all = sim_link_call(sim, "GET", "/sim/items", NULL, NULL);
  size_t i;
  json_t *item;
  json_t *found = NULL;
  json_array_foreach(json_object_get(all, "items"), i, item) {
    if(strcmp(json_string_value(json_object_get(item, "item_id")), item_id) == 0)
      found = json_incref(item);
  }
  json_decref(all);
  assert_non_null(found);
  return found;
}

const char *sim_link_item_id(const json_t *created)
{
  return json_string_value(json_object_get(json_object_get(created, "item"), "item_id"));
}

json_t *sim_link_serve(const apigw_ctx *ctx, const sim_link_request *r)
{
  json_t *params = NULL;
  const char *at = strstr(r->path, "/items/");
  if(strstr(r->route_key, "{item_id}") && at) {
    at += strlen("/items/");
    params = json_pack("{s:s%}", "item_id", at, strcspn(at, "/"));
  }
  json_t *event = apigw_forge_event_new(&(apigw_forge_event){.method = r->method,
                                                             .route_key = r->route_key,
                                                             .path = r->path,
                                                             .query = r->query,
                                                             .path_params = params,
                                                             .sub = r->sub,
                                                             .body = r->body});
  json_t *payload = apigw_forge_serve(routes_table(), r->group, ctx, event);
  arena_reset(ctx->arena);
  char *text = json_dumps(payload, 0);
  assert_null(strstr(text, "access-sandbox"));
  free(text);
  return payload;
}

json_t *sim_link_serve_status(const sim_link_fixture *f, handlers_env *env, const char *invocation_id,
                              int64_t deadline_ms, const sim_link_request *r, int status)
{
  apigw_ctx ctx = {
    .env = env, .arena = f->arena, .deadline_ms = clock_epoch_ms() + deadline_ms, .invocation_id = invocation_id};
  json_t *payload = sim_link_serve(&ctx, r);
  json_t *answer = apigw_forge_body(payload);
  if(apigw_forge_status(payload) != status) {
    char *dump = json_dumps(answer, 0);
    fail_msg("%s %s answered %d, not %d: %s", r->method, r->path, apigw_forge_status(payload), status, dump);
  }
  json_decref(payload);
  return answer;
}

mynt_status sim_link_env_open(const sim_link_env_spec *spec, handlers_env *out_env)
{
  memset(out_env, 0, sizeof *out_env);
  mynt_status st = moto_store_open_at(spec->ddb_url, spec->table, &out_env->store);
  if(st)
    return st;
  plaid_config plaid = {.retry_base_ms = 20, .retry_cap_ms = 100};
  snprintf(plaid.base_url, sizeof plaid.base_url, "%s", spec->plaid_url);
  snprintf(plaid.client_id, sizeof plaid.client_id, SIM_LINK_CLIENT);
  snprintf(plaid.secret, sizeof plaid.secret, SIM_LINK_SECRET);
  if((st = plaid_client_new(&plaid, &out_env->plaid)) ||
     (st = seal_keyring_parse(MOTO_STORE_KEYRING, &out_env->keyring, NULL)))
    return st;
  if(spec->lambda) {
    if((st = lambda_client_new(spec->lambda, &out_env->lambda)))
      return st;
    snprintf(out_env->sync_function, sizeof out_env->sync_function, "%s", spec->sync_function);
  }
  return MYNT_OK;
}

void sim_link_env_close(handlers_env *env)
{
  bootstrap_env_free(env);
}

/* The history's order: date descending, then transaction_id. */
static int s_txn_order(const void *a, const void *b)
{
  const json_t *x = *(json_t *const *)a;
  const json_t *y = *(json_t *const *)b;
  int by_date = strcmp(json_member_string(y, "date"), json_member_string(x, "date"));
  return by_date ? by_date : strcmp(json_member_string(x, "transaction_id"), json_member_string(y, "transaction_id"));
}

json_t *sim_link_sorted(json_t *list, int (*order)(const void *, const void *))
{
  size_t n = json_array_size(list);
  json_t **items = calloc(n + 1, sizeof *items);
  assert_non_null(items);
  for(size_t i = 0; i < n; i++)
    items[i] = json_array_get(list, i);
  qsort(items, n, sizeof *items, order);
  json_t *out = json_array();
  for(size_t i = 0; i < n; i++)
    json_array_append(out, items[i]);
  free(items);
  json_decref(list);
  return out;
}

json_t *sim_link_in_history_order(json_t *list)
{
  return sim_link_sorted(list, s_txn_order);
}

json_t *sim_link_truth(const plaid_sim *sim, const char *item_id)
{
  char path[256];
  snprintf(path, sizeof path, "/sim/items/%s/transactions", item_id);
  long status = 0;
  json_t *answer = sim_link_call(sim, "GET", path, NULL, &status);
  if(status != 200)
    fail_msg("GET %s answered %ld", path, status);
  json_t *list = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(answer, "transactions"), i, v) {
    json_t *record = NULL;
    assert_int_equal(sync_records_txn(v, &record), MYNT_OK);
    json_array_append_new(list, record);
  }
  json_decref(answer);
  return list;
}

json_t *sim_link_stored(store *s, const char *user, const char *item_id)
{
  const char *ids[] = {item_id};
  store_history_query q = {.start_date = "2000-01-01", .end_date = "2099-12-31", .item_ids = ids, .n_item_ids = 1};
  json_t *txns = NULL;
  bool complete = false;
  assert_int_equal(store_history_read(s, user, &q, 0, &txns, &complete), MYNT_OK);
  assert_true(complete);
  size_t i;
  json_t *v;
  json_array_foreach(txns, i, v) {
    assert_string_equal(json_member_string(v, "item_id"), item_id);
    json_object_del(v, "item_id");
  }
  return sim_link_in_history_order(txns);
}

void sim_link_assert_month_counts(store *s, const char *user, const char *item_id, size_t want)
{
  store_item item;
  assert_int_equal(store_item_get(s, user, item_id, 0, &item), MYNT_OK);
  json_int_t counted = 0;
  const char *month;
  json_t *n;
  json_object_foreach(item.months, month, n)
    counted += json_integer_value(n);
  store_item_clear(&item);
  assert_int_equal(counted, want);
}

sim_link_relays *sim_link_relays_new(script_handler relay, bool plaid_relay, const char *sync_function)
{
  aws_config aws;
  if(!moto_fixture_config(&aws))
    return NULL;
  sim_link_relays *r = calloc(1, sizeof *r);
  assert_non_null(r);
  snprintf(r->moto_url, sizeof r->moto_url, "%s", aws.endpoint);
  pthread_mutex_init(&r->lock, NULL);
  sim_link_fixture_open(&r->link);
  assert_int_equal(script_server_new(relay, r->moto_url, &r->ddb_relay), MYNT_OK);
  if(plaid_relay)
    assert_int_equal(script_server_new(relay, r->link.sim_url, &r->plaid_relay), MYNT_OK);
  if(sync_function) {
    assert_int_equal(fake_lambda_new(&r->lambda), MYNT_OK);
    snprintf(r->sync_function, sizeof r->sync_function, "%s", sync_function);
  }
  return r;
}

void sim_link_relays_free(sim_link_relays *r)
{
  if(!r)
    return;
  sim_link_relays_close_table(r);
  script_server_free(r->ddb_relay);
  script_server_free(r->plaid_relay);
  fake_lambda_free(r->lambda);
  sim_link_fixture_close(&r->link);
  pthread_mutex_destroy(&r->lock);
  free(r);
}

mynt_status sim_link_relays_env_open(const sim_link_relays *r, handlers_env *out_env)
{
  aws_config lambda;
  if(r->lambda)
    fake_lambda_config(r->lambda, &lambda);
  return sim_link_env_open(
    &(sim_link_env_spec){.ddb_url = script_server_url(r->ddb_relay),
                         .table = r->direct->table,
                         .plaid_url = r->plaid_relay ? script_server_url(r->plaid_relay) : r->link.sim_url,
                         .lambda = r->lambda ? &lambda : NULL,
                         .sync_function = r->sync_function},
    out_env);
}

void sim_link_relays_open_table(sim_link_relays *r, const char *prefix)
{
  r->direct = moto_store_open(prefix);
  assert_non_null(r->direct);
  assert_int_equal(sim_link_relays_env_open(r, &r->env), MYNT_OK);
  if(r->lambda)
    json_decref(fake_lambda_take(r->lambda));
}

void sim_link_relays_close_table(sim_link_relays *r)
{
  if(!r->direct)
    return;
  sim_link_env_close(&r->env);
  moto_store_free(r->direct);
  r->direct = NULL;
}

/* The group sim_link_group_use named, and how many tables it made. */
static struct {
  sim_link_relays **fixture;
  script_handler relay;
  void (*reset)(void);
  const char *sync_function;
  unsigned flags;
  int tables;
} s_group;

void sim_link_group_use(sim_link_relays **fixture, script_handler relay, void (*reset)(void), const char *sync_function,
                        unsigned flags)
{
  s_group.fixture = fixture;
  s_group.relay = relay;
  s_group.reset = reset;
  s_group.sync_function = sync_function;
  s_group.flags = flags;
  s_group.tables = 0;
}

/* Opens a fresh table "mynt-users-<program>[-<n>]-…" for r. */
static void s_group_open_table(sim_link_relays *r, int n)
{
  char prefix[64];
  if(n)
    snprintf(prefix, sizeof prefix, "mynt-users-%.32s-%d", program_invocation_short_name, n);
  else
    snprintf(prefix, sizeof prefix, "mynt-users-%.32s", program_invocation_short_name);
  sim_link_relays_open_table(r, prefix);
}

int sim_link_group_setup(void **state)
{
  (void)state;
  sim_link_relays *r = sim_link_relays_new(s_group.relay, s_group.flags & SIM_LINK_PLAID_RELAY, s_group.sync_function);
  *s_group.fixture = r;
  if(r && !(s_group.flags & SIM_LINK_TABLE_PER_TEST))
    s_group_open_table(r, 0);
  return 0;
}

int sim_link_group_teardown(void **state)
{
  (void)state;
  sim_link_relays_free(*s_group.fixture);
  *s_group.fixture = NULL;
  return 0;
}

/* What every test of the group starts (starting) and ends with: no relay rule and, per test, its own table. */
static int s_group_test_edge(bool starting)
{
  sim_link_relays *r = *s_group.fixture;
  if(!r)
    return 0;
  s_group.reset();
  if(s_group.flags & SIM_LINK_TABLE_PER_TEST) {
    if(starting)
      s_group_open_table(r, ++s_group.tables);
    else
      sim_link_relays_close_table(r);
  }
  return 0;
}

int sim_link_group_test_setup(void **state)
{
  (void)state;
  return s_group_test_edge(true);
}

int sim_link_group_test_teardown(void **state)
{
  (void)state;
  return s_group_test_edge(false);
}

void sim_link_group_skip_without_moto(void)
{
  if(!*s_group.fixture)
    skip();
}
