/* test_fault_matrix_moto.c - the fault matrix: each row injects one fault (Plaid 429, 500, a stall, malformed JSON,
 * ITEM_LOGIN_REQUIRED; DynamoDB throttling, 500, a failed condition, a connection reset, a stalled answer; the sync
 * process killed) into one operation (GET /items, PUT /budgets/{category}, POST /items, the refresh, the sync's
 * apply and save) through relays in front of the in-process Plaid simulator and moto_server, and checks the
 * documented answer (docs/api.md), that retries stay inside the deadline, and that the table is as before or as
 * after, never half: a bank once linked is never lost, a sync resumes without losing or duplicating a transaction. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "apigw/router.h"
#include "aws/aws_config.h"
#include "aws/dynamodb.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/logger.h"
#include "handlers/env.h"
#include "handlers/routes.h"
#include "local/plaid_sim/plaid_sim.h"
#include "store/history.h"
#include "store/items.h"
#include "store/store.h"
#include "support/apigw_forge.h"
#include "support/fake_lambda.h"
#include "support/moto_fixture.h"
#include "support/moto_store.h"
#include "support/relay.h"
#include "support/sim_link.h"
#include "sync/sync.h"
#include "sync/sync_records.h"

#define USER     "0b7c1d2e-aaaa-4bbb-8ccc-00000000f001"
#define FUNCTION "mynt-test-sync"
/* Every request of a row gets this deadline: a row's retries must end by it (with S_SLACK_MS for the answer). */
#define S_DEADLINE_MS 3000
#define S_SLACK_MS    1500
/* A stalled DynamoDB answer comes after the client's 2 s per-attempt timeout; a stalled Plaid answer never comes
 * before the request's deadline. */
#define S_DDB_STALL_MS   2600
#define S_PLAID_STALL_MS (S_DEADLINE_MS + 1000)

typedef enum {
  F_DDB_PTE,        /* 400 ProvisionedThroughputExceededException */
  F_DDB_THROTTLING, /* 400 ThrottlingException */
  F_DDB_500,        /* 500 InternalServerError */
  F_DDB_CCF,        /* 400 ConditionalCheckFailedException (on a conditional write) */
  F_DDB_RESET,      /* the connection closed without an answer; the call never reached moto */
  F_DDB_STALL,      /* forwarded (it commits), answered after the client gave up on the attempt */
  F_PLAID_429,      /* 429 RATE_LIMIT_EXCEEDED */
  F_PLAID_500,      /* 500 INTERNAL_SERVER_ERROR */
  F_PLAID_STALL,    /* no answer before the deadline (then the connection closes) */
  F_PLAID_JUNK,     /* 200 with a body that is not JSON */
  F_PLAID_LOGIN,    /* 400 ITEM_LOGIN_REQUIRED */
  F_KILL            /* the process making the call (a forked sync) is killed before the call is forwarded */
} s_fault;

static const char *const s_fault_names[] = {"DynamoDB ProvisionedThroughputExceeded",
                                            "DynamoDB Throttling",
                                            "DynamoDB 500",
                                            "DynamoDB ConditionalCheckFailed",
                                            "DynamoDB connection reset",
                                            "DynamoDB stalled answer",
                                            "Plaid 429",
                                            "Plaid 500",
                                            "Plaid stall",
                                            "Plaid malformed JSON",
                                            "Plaid ITEM_LOGIN_REQUIRED",
                                            "killed"};

/* Which calls a rule fails: target is the X-Amz-Target operation ("PutItem") or the Plaid path. */
typedef struct {
  const char *target;
  s_fault fault;
  int times; /* firings; -1 = every matching call */
  int skip;  /* matching calls let through before the first firing */
} s_rule;

/* The group's simulator, relays, fake Lambda and, per test, a fresh table with a handler's env on it behind the
 * relays. */
static sim_link_relays *s_fx;
/* The relays' rule and what it did, under s_fx->lock. */
static s_rule s_armed;
static bool s_has_rule;
static int s_fired_count;
static pid_t s_victim; /* F_KILL's process */

static void s_set_rule(const s_rule *rule)
{
  pthread_mutex_lock(&s_fx->lock);
  s_has_rule = rule != NULL;
  s_fired_count = 0;
  if(rule)
    s_armed = *rule;
  pthread_mutex_unlock(&s_fx->lock);
}

static int s_fired(void)
{
  pthread_mutex_lock(&s_fx->lock);
  int n = s_fired_count;
  pthread_mutex_unlock(&s_fx->lock);
  return n;
}

/* Clears the rule; fails the test, naming row, when its fault never fired. */
static void s_disarm_expect_fired(const char *row)
{
  int fired = s_fired();
  s_set_rule(NULL);
  if(!fired)
    fail_msg("%s: the fault never fired", row);
}

static bool s_take_rule(const char *target, s_rule *out, pid_t *out_victim)
{
  bool found = false;
  pthread_mutex_lock(&s_fx->lock);
  s_rule *r = &s_armed;
  if(s_has_rule && r->times != 0 && strcmp(r->target, target) == 0) {
    if(r->skip > 0)
      r->skip--;
    else {
      if(r->times > 0)
        r->times--;
      s_fired_count++;
      *out = *r;
      *out_victim = s_victim;
      found = true;
    }
  }
  pthread_mutex_unlock(&s_fx->lock);
  return found;
}

static void s_answer(script_reply *out, unsigned status, const char *content_type, const char *body)
{
  *out = (script_reply){.status = status, .content_type = content_type, .body = strdup(body), .free_body = true};
}

#define S_AMZ "application/x-amz-json-1.0"
#define S_PLAID_ERROR(type, code)                                                                                      \
  "{\"error_type\":\"" type "\",\"error_code\":\"" code "\",\"error_message\":\"scripted fault\","                     \
  "\"display_message\":null,\"request_id\":\"req-fault-matrix\"}"

/* Both relays' handler: ctx is the upstream URL. */
static void s_relay(void *ctx, const script_request *req, script_reply *out)
{
  const char *amz = script_request_header(req, "X-Amz-Target");
  const char *target = amz && strchr(amz, '.') ? strchr(amz, '.') + 1 : req->url;
  s_rule rule;
  pid_t victim = 0;
  if(!s_take_rule(target, &rule, &victim)) {
    relay_forward(ctx, req, out);
    return;
  }
  switch(rule.fault) {
  case F_DDB_PTE:
    s_answer(out, 400, S_AMZ,
             "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
             "\"message\":\"scripted throttling\"}");
    return;
  case F_DDB_THROTTLING:
    s_answer(out, 400, S_AMZ, "{\"__type\":\"com.amazon.coral.availability#ThrottlingException\",\"message\":\"x\"}");
    return;
  case F_DDB_500:
    s_answer(out, 500, S_AMZ,
             "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"scripted\"}");
    return;
  case F_DDB_CCF:
    s_answer(out, 400, S_AMZ,
             "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
             "\"message\":\"The conditional request failed\"}");
    return;
  case F_DDB_RESET:
    *out = (script_reply){.drop = true};
    return;
  case F_DDB_STALL:
    relay_forward(ctx, req, out);
    out->delay_ms = S_DDB_STALL_MS;
    return;
  case F_PLAID_429:
    s_answer(out, 429, "application/json", S_PLAID_ERROR("RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED"));
    return;
  case F_PLAID_500:
    s_answer(out, 500, "application/json", S_PLAID_ERROR("API_ERROR", "INTERNAL_SERVER_ERROR"));
    return;
  case F_PLAID_STALL:
    *out = (script_reply){.drop = true, .delay_ms = S_PLAID_STALL_MS};
    return;
  case F_PLAID_JUNK:
    s_answer(out, 200, "application/json", "{\"added\":[{\"transaction_id\":");
    return;
  case F_PLAID_LOGIN:
    s_answer(out, 400, "application/json", S_PLAID_ERROR("ITEM_ERROR", "ITEM_LOGIN_REQUIRED"));
    return;
  case F_KILL:
    if(victim > 0) {
      kill(victim, SIGKILL);
      waitpid(victim, NULL, 0);
    }
    *out = (script_reply){.drop = true};
    return;
  }
}

/* Forgets the relay's rules. */
static void s_reset(void)
{
  s_set_rule(NULL);
}

/* ---- the table and the simulator's truth ---- */

static int s_by_key(const void *a, const void *b)
{
  const json_t *x = *(json_t *const *)a;
  const json_t *y = *(json_t *const *)b;
  const char *xu = json_string_value(json_object_get(json_object_get(x, "user_id"), "S"));
  const char *yu = json_string_value(json_object_get(json_object_get(y, "user_id"), "S"));
  int by_user = strcmp(xu, yu);
  return by_user ? by_user
                 : strcmp(json_string_value(json_object_get(json_object_get(x, "sk"), "S")),
                          json_string_value(json_object_get(json_object_get(y, "sk"), "S")));
}

/* Every record of the table, read directly (a consistent Scan), ordered by key. */
static json_t *s_snapshot(void)
{
  json_t *all = json_array();
  json_t *start = NULL;
  do {
    json_t *request = json_pack("{s:s, s:b}", "TableName", s_fx->direct->table, "ConsistentRead", 1);
    if(start)
      json_object_set_new(request, "ExclusiveStartKey", start);
    json_t *answer = moto_fixture_ddb(s_fx->direct->ddb, "Scan", request);
    json_array_extend(all, json_object_get(answer, "Items"));
    start = json_incref(json_object_get(answer, "LastEvaluatedKey"));
    json_decref(answer);
  } while(start);
  return sim_link_sorted(all, s_by_key);
}

/* The sort keys of a snapshot, one string ("user_id|sk"), for failure messages. */
static char *s_keys_text(const json_t *snapshot)
{
  json_t *keys = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(snapshot, i, v) {
    char key[512];
    snprintf(key, sizeof key, "%s|%s", json_string_value(json_object_get(json_object_get(v, "user_id"), "S")),
             json_string_value(json_object_get(json_object_get(v, "sk"), "S")));
    json_array_append_new(keys, json_string(key));
  }
  char *text = json_dumps(keys, 0);
  json_decref(keys);
  return text;
}

static void s_assert_table_is(const json_t *want, const char *row)
{
  json_t *now = s_snapshot();
  if(!json_equal(now, want)) {
    char *a = s_keys_text(want), *b = s_keys_text(now);
    fail_msg("%s: the table changed\n  want %s\n  got  %s", row, a, b);
  }
  json_decref(now);
}

static json_t *s_sim(const char *method, const char *path, json_t *body)
{
  long status = 0;
  json_t *answer = sim_link_call(s_fx->link.sim, method, path, body, &status);
  if(status != 200)
    fail_msg("%s %s answered %ld", method, path, status);
  return answer;
}

static int s_txn_order(const void *a, const void *b)
{
  const json_t *x = *(json_t *const *)a;
  const json_t *y = *(json_t *const *)b;
  return strcmp(json_member_string(x, "transaction_id"), json_member_string(y, "transaction_id"));
}

/* {transaction_id, amount_cents} of each transaction of list (consumed), by transaction_id. */
static json_t *s_ids_and_amounts(json_t *list)
{
  json_t *sorted = sim_link_sorted(list, s_txn_order);
  json_t *out = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(sorted, i, v)
    json_array_append_new(out, json_pack("{s:s, s:O}", "transaction_id", json_member_string(v, "transaction_id"),
                                         "amount_cents", json_object_get(v, "amount_cents")));
  json_decref(sorted);
  return out;
}

/* The stored history of item_id holds each of the simulator's transactions once, with its amount, and the item's
 * month counts add up to it. */
static void s_assert_history_is_the_truth(const char *item_id, const char *row)
{
  json_t *truth = s_ids_and_amounts(sim_link_truth(s_fx->link.sim, item_id));
  json_t *stored = s_ids_and_amounts(sim_link_stored(s_fx->direct, USER, item_id));
  if(!json_equal(truth, stored))
    fail_msg("%s: %zu transactions stored, the simulator has %zu (or ids/amounts differ)", row, json_array_size(stored),
             json_array_size(truth));
  sim_link_assert_month_counts(s_fx->direct, USER, item_id, json_array_size(truth));
  json_decref(truth);
  json_decref(stored);
}

static store_item s_item(const char *item_id)
{
  store_item item;
  assert_int_equal(store_item_get(s_fx->direct, USER, item_id, 0, &item), MYNT_OK);
  return item;
}

/* ---- Mynt's side ---- */

/* Serves one request for USER with the row's deadline; returns the payload's status, its body into *out_body
 * (caller json_decref; may be NULL) and how long it took. No access token appears in the answer. */
static int s_serve(const char *group, const char *method, const char *route_key, const char *path, json_t *params,
                   const char *body, json_t **out_body, int64_t *out_took_ms)
{
  int64_t started = clock_epoch_ms();
  apigw_ctx ctx = {.env = &s_fx->env,
                   .arena = s_fx->link.arena,
                   .deadline_ms = started + S_DEADLINE_MS,
                   .invocation_id = "lambda-faults"};
  json_t *event = apigw_forge_event_new(&(apigw_forge_event){
    .method = method, .route_key = route_key, .path = path, .path_params = params, .sub = USER, .body = body});
  json_t *payload = apigw_forge_serve(routes_table(), group, &ctx, event);
  arena_reset(ctx.arena);
  *out_took_ms = clock_epoch_ms() - started;
  char *text = json_dumps(payload, 0);
  assert_null(strstr(text, "access-sandbox"));
  free(text);
  int status = apigw_forge_status(payload);
  if(out_body)
    *out_body = apigw_forge_body(payload);
  json_decref(payload);
  return status;
}

static void s_assert_in_deadline(int64_t took_ms, const char *row)
{
  if(took_ms > S_DEADLINE_MS + S_SLACK_MS)
    fail_msg("%s: took %lld ms, past the %d ms deadline", row, (long long)took_ms, S_DEADLINE_MS);
}

static void s_assert_status(int got, int want, const json_t *body, const char *want_code, const char *row)
{
  const char *code = body ? apigw_forge_error_code(body) : NULL;
  if(got != want || (want_code && (!code || strcmp(code, want_code) != 0))) {
    char *dump = body ? json_dumps(body, 0) : NULL;
    fail_msg("%s: answered %d %s, not %d %s", row, got, dump ? dump : "", want, want_code ? want_code : "");
  }
}

/* Links a bank through POST /items without faults; returns its item_id into out. */
static void s_link(const char *institution, int days, char out[STORE_ITEM_ID_MAX + 1])
{
  char *body = sim_link_items_body(s_fx->link.sim, institution, days, "");
  json_t *created = NULL;
  int64_t took;
  int status = s_serve("items", "POST", "POST /items", "/items", NULL, body, &created, &took);
  free(body);
  s_assert_status(status, 201, created, NULL, "link");
  snprintf(out, STORE_ITEM_ID_MAX + 1, "%s", sim_link_item_id(created));
  json_decref(created);
  json_decref(fake_lambda_take(s_fx->lambda));
}

static sync_result s_sync(const char *item_id, int64_t budget_ms)
{
  sync_result r;
  sync_item(&s_fx->env, USER, item_id, clock_epoch_ms() + budget_ms, &r);
  return r;
}

static void s_assert_outcome(const sync_result *r, sync_outcome want, const char *row)
{
  if(r->outcome != want)
    fail_msg("%s: sync outcome %d (status %s, last_error %s), not %d", row, r->outcome, mynt_strerror(r->status),
             r->last_error, want);
}

/* ---- DynamoDB rows on the routes ---- */

/* One row: the fault on target, once (transient: retried, the route succeeds) or on every call (persistent: the
 * documented failure). */
typedef struct {
  const char *target;
  s_fault fault;
  int times;
  int status;       /* the answer's status */
  const char *code; /* and error code, when it fails */
} s_row;

static void s_row_name(char *out, size_t cap, const char *route, const s_row *row)
{
  snprintf(out, cap, "%s, %s on %s %s", route, s_fault_names[row->fault], row->target,
           row->times < 0 ? "(every call)" : "(once)");
}

/* Rows every route shares: a throttle, a 500, a reset and a stall of its call, once and on every call (a stall on
 * every call answers stalled / stalled_code). */
#define S_COMMON_ROWS(op, ok, stalled, stalled_code)                                                                   \
  {op, F_DDB_PTE, 1, ok, NULL}, {op, F_DDB_THROTTLING, 1, ok, NULL}, {op, F_DDB_500, 1, ok, NULL},                     \
    {op, F_DDB_RESET, 1, ok, NULL}, {op, F_DDB_STALL, 1, ok, NULL}, {op, F_DDB_PTE, -1, 503, "service_unavailable"},   \
    {op, F_DDB_THROTTLING, -1, 503, "service_unavailable"}, {op, F_DDB_500, -1, 503, "service_unavailable"},           \
    {op, F_DDB_RESET, -1, 503, "service_unavailable"},                                                                 \
  {                                                                                                                    \
    op, F_DDB_STALL, -1, stalled, stalled_code                                                                         \
  }

static void test_get_items_under_dynamodb_faults_answers_as_documented_and_changes_nothing(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  char item_id[STORE_ITEM_ID_MAX + 1];
  s_link("ins_109508", 0, item_id);
  const s_row rows[] = {S_COMMON_ROWS("Query", 200, 504, "timeout")};
  for(size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    char name[160];
    s_row_name(name, sizeof name, "GET /items", &rows[i]);
    json_t *before = s_snapshot();
    s_set_rule(&(s_rule){.target = rows[i].target, .fault = rows[i].fault, .times = rows[i].times});
    json_t *body = NULL;
    int64_t took;
    int status = s_serve("items", "GET", "GET /items", "/items", NULL, NULL, &body, &took);
    s_disarm_expect_fired(name);
    s_assert_status(status, rows[i].status, body, rows[i].code, name);
    if(status == 200)
      assert_string_equal(json_member_string(json_array_get(json_object_get(body, "items"), 0), "item_id"), item_id);
    s_assert_in_deadline(took, name);
    s_assert_table_is(before, name);
    json_decref(body);
    json_decref(before);
  }
}

/* The budget record of category in a snapshot, or NULL. */
static const json_t *s_budget_record(const json_t *snapshot, const char *category)
{
  char sk[64];
  snprintf(sk, sizeof sk, "BUDGET#%s", category);
  size_t i;
  json_t *v;
  json_array_foreach(snapshot, i, v) {
    if(strcmp(json_string_value(json_object_get(json_object_get(v, "sk"), "S")), sk) == 0)
      return v;
  }
  return NULL;
}

/* A snapshot without category's budget record (a copy). */
static json_t *s_without_budget(const json_t *snapshot, const char *category)
{
  json_t *out = json_deep_copy(snapshot);
  const json_t *record = s_budget_record(snapshot, category);
  size_t i;
  json_t *v;
  json_array_foreach(out, i, v) {
    if(record && json_equal(v, record)) {
      json_array_remove(out, i);
      break;
    }
  }
  return out;
}

/* Spending categories, one per row (a row's budget is new). */
static const char *const s_categories[] = {
  "FOOD_AND_DRINK", "TRAVEL",        "ENTERTAINMENT",    "GENERAL_MERCHANDISE", "HOME_IMPROVEMENT",
  "MEDICAL",        "PERSONAL_CARE", "GENERAL_SERVICES", "TRANSPORTATION",      "RENT_AND_UTILITIES"};

static void test_put_budget_under_dynamodb_faults_stores_the_budget_whole_or_not_at_all(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  char item_id[STORE_ITEM_ID_MAX + 1];
  s_link("ins_109508", 0, item_id);
  const s_row rows[] = {S_COMMON_ROWS("PutItem", 201, 504, "timeout")};
  for(size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    char name[160], category[32], body_text[96];
    s_row_name(name, sizeof name, "PUT /budgets/{category}", &rows[i]);
    snprintf(category, sizeof category, "%s", s_categories[i]);
    snprintf(body_text, sizeof body_text, "{\"monthly_limit\":%zu.25,\"iso_currency_code\":\"USD\"}", 100 + i);
    char path[64];
    snprintf(path, sizeof path, "/budgets/%s", category);
    json_t *before = s_snapshot();
    s_set_rule(&(s_rule){.target = rows[i].target, .fault = rows[i].fault, .times = rows[i].times});
    json_t *body = NULL;
    int64_t took;
    int status = s_serve("budgets", "PUT", "PUT /budgets/{category}", path, json_pack("{s:s}", "category", category),
                         body_text, &body, &took);
    s_disarm_expect_fired(name);
    /* A stalled write that committed answers 200 on its retry (it replaced itself): as good as 201. */
    if(!(rows[i].status == 201 && status == 200 && rows[i].fault == F_DDB_STALL))
      s_assert_status(status, rows[i].status, body, rows[i].code, name);
    s_assert_in_deadline(took, name);
    /* Before or after, never half: the rest of the table is untouched, and the budget is absent or whole. */
    json_t *after = s_snapshot();
    json_t *rest = s_without_budget(after, category);
    if(!json_equal(rest, before))
      fail_msg("%s: records other than the budget changed", name);
    const json_t *record = s_budget_record(after, category);
    if(status < 300 && !record)
      fail_msg("%s: answered %d but no budget is stored", name, status);
    if(record) {
      char cents[24];
      snprintf(cents, sizeof cents, "%zu25", 100 + i);
      assert_string_equal(json_string_value(json_object_get(json_object_get(record, "monthly_limit_cents"), "N")),
                          cents);
      assert_string_equal(json_string_value(json_object_get(json_object_get(record, "iso_currency_code"), "S")), "USD");
    }
    /* Only a write that reached the table can have stored it. */
    if(status >= 300 && record && rows[i].fault != F_DDB_STALL)
      fail_msg("%s: failed, yet the budget is stored", name);
    json_decref(rest);
    json_decref(after);
    json_decref(body);
    json_decref(before);
  }
}

/* The keys of a snapshot that belong to item_id (its record, its markers, its #ITEMS owner record). */
static size_t s_item_records(const json_t *snapshot, const char *item_id)
{
  size_t n = 0;
  size_t i;
  json_t *v;
  json_array_foreach(snapshot, i, v) {
    char *text = json_dumps(v, 0);
    n += strstr(text, item_id) != NULL;
    free(text);
  }
  return n;
}

/* POST /items of a new bank with row's fault: the documented answer; the bank stored whole on 201 (and its sync
 * started), nothing of it stored otherwise. */
static void s_link_row(const s_row *row, const char *institution, bool describe_fails)
{
  char name[160];
  s_row_name(name, sizeof name, "POST /items", row);
  json_t *before = s_snapshot();
  char *request = sim_link_items_body(s_fx->link.sim, institution, 0, "");
  s_set_rule(&(s_rule){.target = row->target, .fault = row->fault, .times = row->times});
  json_t *body = NULL;
  int64_t took;
  int status = s_serve("items", "POST", "POST /items", "/items", NULL, request, &body, &took);
  free(request);
  s_disarm_expect_fired(name);
  s_assert_status(status, row->status, body, row->code, name);
  s_assert_in_deadline(took, name);
  json_t *starts = fake_lambda_take(s_fx->lambda);
  if(status == 201) {
    const char *item_id = sim_link_item_id(body);
    json_t *after = s_snapshot();
    /* The record, the institution marker, the public-token marker and the #ITEMS record. */
    if(s_item_records(after, item_id) < 3 || json_array_size(after) < json_array_size(before) + 3)
      fail_msg("%s: answered 201 but the bank is not stored whole", name);
    store_item item = s_item(item_id);
    assert_int_equal(item.status, STORE_ITEM_ACTIVE);
    if(describe_fails)
      assert_int_equal(json_array_size(json_object_get(body, "accounts")), 0);
    store_item_clear(&item);
    assert_int_equal(json_array_size(starts), 1);
    json_decref(after);
  }
  else {
    s_assert_table_is(before, name);
    assert_int_equal(json_array_size(starts), 0);
  }
  json_decref(starts);
  json_decref(body);
  json_decref(before);
}

/* DELETE /items/{item_id} of every bank of USER, so a later row can link the same institution. */
static void s_delete_all_banks(void)
{
  json_t *listed = NULL;
  int64_t took;
  assert_int_equal(s_serve("items", "GET", "GET /items", "/items", NULL, NULL, &listed, &took), 200);
  size_t k;
  json_t *v;
  json_array_foreach(json_object_get(listed, "items"), k, v) {
    char path[256];
    snprintf(path, sizeof path, "/items/%s", json_member_string(v, "item_id"));
    assert_int_equal(s_serve("items", "DELETE", "DELETE /items/{item_id}", path,
                             json_pack("{s:s}", "item_id", json_member_string(v, "item_id")), NULL, NULL, &took),
                     204);
  }
  json_decref(listed);
}

/* The simulator's institutions; a row links a bank of one. */
static const char *const s_institutions[] = {"ins_109508", "ins_109509", "ins_109510", "ins_109511", "ins_109512"};

static void test_link_under_dynamodb_faults_stores_the_bank_whole_or_not_at_all(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  /* A write whose every answer stalls did commit: the read-back finds the bank, 201 (docs/api.md: "a write that
   * still fails is read back before anything is undone"). A reset never reached the table: the bank is removed at
   * Plaid and the answer is 503. */
  const s_row rows[] = {S_COMMON_ROWS("TransactWriteItems", 201, 201, NULL)};
  for(size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    s_link_row(&rows[i], s_institutions[i % 5], false);
    s_delete_all_banks();
  }
}

static void test_link_under_plaid_faults_answers_as_documented_and_never_loses_an_exchanged_bank(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const s_row rows[] = {
    /* The exchange: retried when transient; else nothing is stored (no item exists at Plaid). */
    {"/item/public_token/exchange", F_PLAID_429, 1, 201, NULL},
    {"/item/public_token/exchange", F_PLAID_500, 1, 201, NULL},
    {"/item/public_token/exchange", F_PLAID_429, -1, 429, "rate_limited"},
    {"/item/public_token/exchange", F_PLAID_500, -1, 502, "upstream_error"},
    {"/item/public_token/exchange", F_PLAID_JUNK, -1, 502, "upstream_error"},
    {"/item/public_token/exchange", F_PLAID_STALL, -1, 503, "service_unavailable"},
    /* Once exchanged, stored: a failing /accounts/get still answers 201 (accounts: []). */
    {"/accounts/get", F_PLAID_429, -1, 201, NULL},
    {"/accounts/get", F_PLAID_500, -1, 201, NULL},
    {"/accounts/get", F_PLAID_JUNK, -1, 201, NULL},
    {"/accounts/get", F_PLAID_LOGIN, -1, 201, NULL},
    {"/accounts/get", F_PLAID_STALL, -1, 201, NULL},
  };
  for(size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    s_link_row(&rows[i], s_institutions[i % 5], strcmp(rows[i].target, "/accounts/get") == 0);
    s_delete_all_banks();
  }
}

/* A POST /items sent again after its answer was lost (the browser's retry, the same public token): the bank is
 * stored, so whatever /accounts/get does the answer is 201 with that bank, as for the first POST, and its sync is
 * started; the table is not touched. */
/* Asserts the retry again answers the accounts the first POST /items answered (ids, names, masks, in order), without
 * balances: nothing has synced them yet. */
static void s_assert_same_accounts(const json_t *first, const json_t *again, const char *name)
{
  const json_t *want = json_object_get(first, "accounts");
  const json_t *got = json_object_get(again, "accounts");
  if(json_array_size(want) == 0 || json_array_size(got) != json_array_size(want))
    fail_msg("%s: answered %zu accounts, the first POST %zu", name, json_array_size(got), json_array_size(want));
  for(size_t k = 0; k < json_array_size(want); k++) {
    const json_t *w = json_array_get(want, k);
    const json_t *g = json_array_get(got, k);
    static const char *const same[] = {"account_id", "item_id", "name", "mask", "type", "subtype"};
    for(size_t m = 0; m < sizeof same / sizeof same[0]; m++)
      if(!json_equal(json_object_get(w, same[m]), json_object_get(g, same[m])))
        fail_msg("%s: account %zu's %s differs from the first answer's", name, k, same[m]);
    if(!json_is_null(json_object_get(json_object_get(g, "balances"), "current")) ||
       !json_is_null(json_object_get(g, "balances_as_of")))
      fail_msg("%s: account %zu answers balances that no sync has stored", name, k);
  }
}

static void test_a_retried_link_answers_the_stored_bank_whatever_accounts_get_does(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const s_row rows[] = {
    {"/accounts/get", F_PLAID_429, -1, 201, NULL},   {"/accounts/get", F_PLAID_500, -1, 201, NULL},
    {"/accounts/get", F_PLAID_JUNK, -1, 201, NULL},  {"/accounts/get", F_PLAID_LOGIN, -1, 201, NULL},
    {"/accounts/get", F_PLAID_STALL, -1, 201, NULL},
  };
  for(size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    char name[160];
    s_row_name(name, sizeof name, "POST /items again", &rows[i]);
    char *request = sim_link_items_body(s_fx->link.sim, s_institutions[i % 5], 0, "");
    json_t *first = NULL;
    int64_t took;
    s_assert_status(s_serve("items", "POST", "POST /items", "/items", NULL, request, &first, &took), 201, first, NULL,
                    "the first POST /items");
    json_decref(fake_lambda_take(s_fx->lambda));
    json_t *before = s_snapshot();
    s_set_rule(&(s_rule){.target = rows[i].target, .fault = rows[i].fault, .times = rows[i].times});
    json_t *again = NULL;
    int status = s_serve("items", "POST", "POST /items", "/items", NULL, request, &again, &took);
    free(request);
    s_disarm_expect_fired(name);
    s_assert_status(status, rows[i].status, again, rows[i].code, name);
    s_assert_in_deadline(took, name);
    assert_string_equal(sim_link_item_id(again), sim_link_item_id(first));
    s_assert_same_accounts(first, again, name);
    s_assert_table_is(before, name);
    json_t *starts = fake_lambda_take(s_fx->lambda);
    if(json_array_size(starts) != 1)
      fail_msg("%s: started %zu syncs, not 1", name, json_array_size(starts));
    json_decref(starts);
    json_decref(again);
    json_decref(first);
    json_decref(before);
    s_delete_all_banks();
  }
}

/* POST /items/{item_id}/sync of item_id under row; returns the status after checking the answer, the deadline, the
 * starts (one on 202, none else) and, on a failure, the table unchanged. */
static int s_refresh_row(const char *item_id, const s_row *row)
{
  char name[160], path[256];
  s_row_name(name, sizeof name, "POST /items/{item_id}/sync", row);
  snprintf(path, sizeof path, "/items/%s/sync", item_id);
  json_t *before = s_snapshot();
  s_set_rule(&(s_rule){.target = row->target, .fault = row->fault, .times = row->times});
  json_t *body = NULL;
  int64_t took;
  int status = s_serve("items", "POST", "POST /items/{item_id}/sync", path, json_pack("{s:s}", "item_id", item_id),
                       NULL, &body, &took);
  s_disarm_expect_fired(name);
  s_assert_status(status, row->status, body, row->code, name);
  s_assert_in_deadline(took, name);
  json_t *starts = fake_lambda_take(s_fx->lambda);
  if(json_array_size(starts) != (status == 202 ? 1u : 0u))
    fail_msg("%s: answered %d and started %zu syncs", name, status, json_array_size(starts));
  json_decref(starts);
  if(status != 202)
    s_assert_table_is(before, name);
  json_decref(body);
  json_decref(before);
  return status;
}

static void test_refresh_under_dynamodb_faults_starts_one_sync_or_none_as_documented(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  char item_id[STORE_ITEM_ID_MAX + 1];
  s_link("ins_109508", 0, item_id);
  const s_row rows[] = {
    /* A failed condition once is taken for an item without a sync map: one is given and the write retried. */
    {"UpdateItem", F_DDB_CCF, 1, 202, NULL},
    {"UpdateItem", F_DDB_PTE, -1, 503, "service_unavailable"},
    {"UpdateItem", F_DDB_RESET, -1, 503, "service_unavailable"},
    /* Every condition failing, that of attribute_exists(sk) included, says the item is gone. */
    {"UpdateItem", F_DDB_CCF, -1, 404, "not_found"},
    /* The 500 is retried, and the retry meets the real condition: the first row's refresh was seconds ago. */
    {"UpdateItem", F_DDB_500, 1, 429, "rate_limited"},
  };
  for(size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    s_refresh_row(item_id, &rows[i]);

  /* A refresh whose write committed but whose answer stalled: the retry inside the same request must not take its
   * own write for an earlier refresh (that would answer 429 and start nothing for a minute). */
  char fresh[STORE_ITEM_ID_MAX + 1];
  s_link("ins_109509", 0, fresh);
  s_refresh_row(fresh, &(s_row){"UpdateItem", F_DDB_STALL, 1, 202, NULL});
  s_refresh_row(fresh, &(s_row){"UpdateItem", F_DDB_500, 1, 429, "rate_limited"});
}

/* ---- the sync ---- */

/* A sync row: the fault on target, what the sync comes to, the last_error it records. */
typedef struct {
  const char *target;
  s_fault fault;
  int times;
  sync_outcome outcome;
  const char *last_error; /* NULL: not checked beyond being set on a failure */
  int skip;               /* matching calls let through first (1 on UpdateItem: the lease's take) */
} s_sync_row;

static void test_sync_under_faults_keeps_its_cursor_and_resumes_to_the_simulators_history(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  char item_id[STORE_ITEM_ID_MAX + 1];
  s_link("ins_109509", 0, item_id);
  sync_result r = s_sync(item_id, 30000);
  s_assert_outcome(&r, SYNC_DONE, "first sync");
  const s_sync_row rows[] = {
    {"/transactions/sync", F_PLAID_429, 1, SYNC_DONE, NULL, 0},
    {"/transactions/sync", F_PLAID_500, 1, SYNC_DONE, NULL, 0},
    {"/transactions/sync", F_PLAID_429, -1, SYNC_PLAID_FAILED, "RATE_LIMIT_EXCEEDED", 0},
    {"/transactions/sync", F_PLAID_500, -1, SYNC_PLAID_FAILED, "INTERNAL_SERVER_ERROR", 0},
    {"/transactions/sync", F_PLAID_STALL, -1, SYNC_PLAID_FAILED, "service_unavailable", 0},
    {"/transactions/sync", F_PLAID_JUNK, -1, SYNC_PLAID_FAILED, "upstream_error", 0},
    {"/transactions/sync", F_PLAID_LOGIN, -1, SYNC_LOGIN_REQUIRED, "ITEM_LOGIN_REQUIRED", 0},
    /* The apply (one PutItem per month bucket) and the save (UpdateItem of the item). */
    {"PutItem", F_DDB_PTE, 1, SYNC_DONE, NULL, 0},
    {"PutItem", F_DDB_RESET, 1, SYNC_DONE, NULL, 0},
    {"PutItem", F_DDB_STALL, 1, SYNC_DONE, NULL, 0},
    {"PutItem", F_DDB_THROTTLING, -1, SYNC_FAILED, NULL, 0},
    {"PutItem", F_DDB_500, -1, SYNC_FAILED, NULL, 0},
    {"UpdateItem", F_DDB_THROTTLING, 1, SYNC_DONE, NULL, 0},
    {"UpdateItem", F_DDB_500, 1, SYNC_DONE, NULL, 0},
    {"UpdateItem", F_DDB_STALL, 1, SYNC_DONE, NULL, 0},
    /* A failed condition once is taken for an item without a sync map: one is given and the take retried. */
    {"UpdateItem", F_DDB_CCF, 1, SYNC_DONE, NULL, 0},
    {"UpdateItem", F_DDB_RESET, -1, SYNC_FAILED, NULL, 0},
    {"UpdateItem", F_DDB_PTE, -1, SYNC_FAILED, NULL, 0},
    /* The same on the save, after the take: a save that committed but whose answer was lost is retried, fails its
     * lease condition and is found made; a save that never succeeds leaves the lease, which the next sync takes
     * over once it has expired. */
    {"UpdateItem", F_DDB_500, 1, SYNC_DONE, NULL, 1},
    {"UpdateItem", F_DDB_STALL, 1, SYNC_DONE, NULL, 1},
    {"UpdateItem", F_DDB_CCF, 1, SYNC_DONE, NULL, 1},
    {"UpdateItem", F_DDB_RESET, -1, SYNC_FAILED, NULL, 1},
  };
  for(size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    char name[160];
    snprintf(name, sizeof name, "sync, %s on %s%s %s", s_fault_names[rows[i].fault], rows[i].target,
             rows[i].skip ? " after the lease's take" : "", rows[i].times < 0 ? "(every call)" : "(once)");
    /* Something new at the bank: one added, one changed. */
    json_t *truth = sim_link_truth(s_fx->link.sim, item_id);
    char path[256];
    snprintf(path, sizeof path, "/sim/items/%s/transactions", item_id);
    json_decref(s_sim("POST", path,
                      json_pack("{s:[{s:f, s:s}], s:[{s:s, s:f}]}", "added", "amount", 10.0 + (double)i, "name",
                                "Row shop", "modified", "transaction_id",
                                json_member_string(json_array_get(truth, i % json_array_size(truth)), "transaction_id"),
                                "amount", 50.0 + (double)i)));
    json_decref(truth);
    store_item was = s_item(item_id);
    json_t *history_before = s_ids_and_amounts(sim_link_stored(s_fx->direct, USER, item_id));

    s_set_rule(
      &(s_rule){.target = rows[i].target, .fault = rows[i].fault, .times = rows[i].times, .skip = rows[i].skip});
    int64_t started = clock_epoch_ms();
    r = s_sync(item_id, S_DEADLINE_MS);
    int64_t took = clock_epoch_ms() - started;
    s_disarm_expect_fired(name);
    s_assert_outcome(&r, rows[i].outcome, name);
    s_assert_in_deadline(took, name);
    store_item now = s_item(item_id);
    if(rows[i].outcome == SYNC_DONE) {
      assert_string_equal(now.sync.last_error, "");
      s_assert_history_is_the_truth(item_id, name);
    }
    else {
      /* The cursor and last_synced_at stay; the error is recorded; the history is as before or as after (a
       * failed apply may have written some buckets: the next sync applies the same batch again). */
      assert_string_equal(now.sync.cursor, was.sync.cursor);
      assert_int_equal(now.sync.last_synced_at_ms, was.sync.last_synced_at_ms);
      if(rows[i].last_error) {
        assert_string_equal(r.last_error, rows[i].last_error);
        assert_string_equal(now.sync.last_error, rows[i].last_error);
      }
      else if(strcmp(rows[i].target, "UpdateItem") != 0) /* a failing UpdateItem cannot record it either */
        assert_string_not_equal(now.sync.last_error, "");
      if(rows[i].outcome == SYNC_LOGIN_REQUIRED)
        assert_int_equal(now.status, STORE_ITEM_LOGIN_REQUIRED);
      if(rows[i].target[0] == '/') {
        json_t *history_now = s_ids_and_amounts(sim_link_stored(s_fx->direct, USER, item_id));
        if(!json_equal(history_now, history_before))
          fail_msg("%s: a failed Plaid call changed the stored history", name);
        json_decref(history_now);
      }
      /* The next sync, without the fault, resumes from the kept cursor. */
      r = s_sync(item_id, 30000);
      s_assert_outcome(&r, SYNC_DONE, name);
      store_item healed = s_item(item_id);
      assert_int_equal(healed.status, STORE_ITEM_ACTIVE);
      assert_string_equal(healed.sync.last_error, "");
      store_item_clear(&healed);
      s_assert_history_is_the_truth(item_id, name);
    }
    store_item_clear(&now);
    store_item_clear(&was);
    json_decref(history_before);
  }
}

/* Runs a sync of item_id in a forked child with its own clients; the relay kills it at rule's call. Returns once
 * the child is gone; asserts it was killed. */
static void s_sync_killed(const char *item_id, const s_rule *rule, const char *row)
{
  s_set_rule(rule);
  fflush(NULL);
  pid_t child = fork();
  assert_true(child >= 0);
  if(child == 0) {
    handlers_env env;
    sync_result r;
    if(sim_link_relays_env_open(s_fx, &env) == MYNT_OK)
      sync_item(&env, USER, item_id, clock_epoch_ms() + 60000, &r);
    _exit(0); /* not killed: the parent's check fails */
  }
  pthread_mutex_lock(&s_fx->lock);
  s_victim = child;
  pthread_mutex_unlock(&s_fx->lock);
  int64_t until = clock_epoch_ms() + 60000;
  int wstatus = 0;
  pid_t done = 0;
  while(done == 0 && clock_epoch_ms() < until) {
    done = waitpid(child, &wstatus, WNOHANG);
    if(done == 0)
      clock_sleep_ms(20);
  }
  int fired = s_fired();
  s_set_rule(NULL);
  pthread_mutex_lock(&s_fx->lock);
  s_victim = 0;
  pthread_mutex_unlock(&s_fx->lock);
  if(done == 0) {
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    fail_msg("%s: the sync did not end", row);
  }
  /* The relay reaped it (done < 0, ECHILD) after SIGKILL, or it ended here. */
  if(!fired || (done > 0 && !(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)))
    fail_msg("%s: the sync was not killed", row);
}

static void test_a_sync_killed_midway_resumes_without_losing_or_duplicating_a_transaction(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  char item_id[STORE_ITEM_ID_MAX + 1];
  s_link("ins_109508", 730, item_id);

  /* Killed after three month buckets were written, before the rest and before the cursor save. */
  s_sync_killed(item_id, &(s_rule){.target = "PutItem", .fault = F_KILL, .times = 1, .skip = 3}, "killed mid-apply");
  store_item item = s_item(item_id);
  assert_string_equal(item.sync.cursor, "");
  store_item_clear(&item);
  json_t *partial = sim_link_stored(s_fx->direct, USER, item_id);
  assert_true(json_array_size(partial) > 0);
  json_t *truth = sim_link_truth(s_fx->link.sim, item_id);
  assert_true(json_array_size(partial) < json_array_size(truth));
  json_decref(truth);
  json_decref(partial);
  sync_result r = s_sync(item_id, 60000);
  s_assert_outcome(&r, SYNC_DONE, "after the kill mid-apply");
  s_assert_history_is_the_truth(item_id, "after the kill mid-apply");

  /* Changes at the bank, then a sync killed once every bucket is written, just before it saves the cursor. */
  item = s_item(item_id);
  char cursor[STORE_CURSOR_MAX + 1];
  snprintf(cursor, sizeof cursor, "%s", item.sync.cursor);
  store_item_clear(&item);
  truth = sim_link_truth(s_fx->link.sim, item_id);
  char path[256];
  snprintf(path, sizeof path, "/sim/items/%s/transactions", item_id);
  json_decref(
    s_sim("POST", path,
          json_pack("{s:[{s:f, s:s}, {s:f, s:s}], s:[s]}", "added", "amount", 4.2, "name", "Kiosk", "amount", 19.99,
                    "name", "Books", "removed", json_member_string(json_array_get(truth, 0), "transaction_id"))));
  json_decref(truth);
  s_sync_killed(item_id, &(s_rule){.target = "UpdateItem", .fault = F_KILL, .times = 1, .skip = 1},
                "killed before the save");
  item = s_item(item_id);
  assert_string_equal(item.sync.cursor, cursor);
  store_item_clear(&item);
  r = s_sync(item_id, 60000);
  s_assert_outcome(&r, SYNC_DONE, "after the kill before the save");
  assert_int_equal(r.added, 2);
  assert_int_equal(r.removed, 1);
  s_assert_history_is_the_truth(item_id, "after the kill before the save");
}

#define T(name) cmocka_unit_test_setup_teardown(name, sim_link_group_test_setup, sim_link_group_test_teardown)

int main(void)
{
  const struct CMUnitTest tests[] = {
    T(test_get_items_under_dynamodb_faults_answers_as_documented_and_changes_nothing),
    T(test_put_budget_under_dynamodb_faults_stores_the_budget_whole_or_not_at_all),
    T(test_link_under_dynamodb_faults_stores_the_bank_whole_or_not_at_all),
    T(test_link_under_plaid_faults_answers_as_documented_and_never_loses_an_exchanged_bank),
    T(test_a_retried_link_answers_the_stored_bank_whatever_accounts_get_does),
    T(test_refresh_under_dynamodb_faults_starts_one_sync_or_none_as_documented),
    T(test_sync_under_faults_keeps_its_cursor_and_resumes_to_the_simulators_history),
    T(test_a_sync_killed_midway_resumes_without_losing_or_duplicating_a_transaction),
  };
  sim_link_group_use(&s_fx, s_relay, s_reset, FUNCTION, SIM_LINK_PLAID_RELAY | SIM_LINK_TABLE_PER_TEST);
  return cmocka_run_group_tests(tests, sim_link_group_setup, sim_link_group_teardown);
}
