/* test_link_moto.c - POST /items never loses a bank: DynamoDB (moto) and Plaid (the in-process simulator) reached
 * through relays that fail, stall or rewrite chosen calls. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "apigw/router.h"
#include "aws/aws_config.h"
#include "aws/dynamodb.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/logger.h"
#include "handlers/env.h"
#include "handlers/routes.h"
#include "link/link.h"
#include "local/plaid_sim/plaid_sim.h"
#include "store/items.h"
#include "store/store.h"
#include "support/apigw_forge.h"
#include "support/moto_store.h"
#include "support/relay.h"
#include "support/sim_link.h"

/* What a relay does to the calls a rule matches. */
typedef enum {
  S_FORWARD,     /* forwards the call as it is (after `before`) */
  S_ANSWER,      /* answers status + body itself; the service never sees the call */
  S_STALL,       /* holds the call stall_ms, then closes the connection; the service never sees it */
  S_LOSE_ANSWER, /* the service applies the call; its answer is held stall_ms, then the connection closed */
  S_SET_NAME     /* forwards, then sets the answer's item.institution_name to body */
} s_action;

typedef struct {
  const char *match; /* a Plaid path, or a DynamoDB operation (the X-Amz-Target after the '.') */
  s_action action;
  int times; /* firings left; -1 = every matching call */
  unsigned status;
  const char *body;
  int stall_ms;
  void (*before)(void); /* run before the call is handled (NULL: nothing) */
} s_rule;

#define S_MAX_RULES 4

/* The group's simulator, relays and table, with a handler's env on it behind the relays. */
static sim_link_relays *s_fx;
/* The relays' rules and what they saw, under s_fx->lock. */
static s_rule s_armed[S_MAX_RULES];
static size_t s_n_armed;
static int s_exchanges;                /* /item/public_token/exchange calls that reached the relay */
static char s_exchange_request_id[64]; /* the request_id of the last exchange answer the simulator sent */

static void s_rules(const s_rule *rules, size_t n)
{
  assert_true(n <= S_MAX_RULES);
  pthread_mutex_lock(&s_fx->lock);
  if(n)
    memcpy(s_armed, rules, n * sizeof(*rules));
  s_n_armed = n;
  s_exchanges = 0;
  s_exchange_request_id[0] = '\0';
  pthread_mutex_unlock(&s_fx->lock);
}

/* Takes the first rule matching what (a path or an operation) with firings left into *out. */
static bool s_take_rule(const char *what, s_rule *out)
{
  bool found = false;
  pthread_mutex_lock(&s_fx->lock);
  for(size_t i = 0; i < s_n_armed && !found; i++) {
    s_rule *rule = &s_armed[i];
    if(rule->times != 0 && strcmp(rule->match, what) == 0) {
      if(rule->times > 0)
        rule->times--;
      *out = *rule;
      found = true;
    }
  }
  pthread_mutex_unlock(&s_fx->lock);
  return found;
}

/* Sets doc's item.institution_name to name and puts the dump into out's body. */
static void s_set_name(script_reply *out, const char *name)
{
  json_t *doc = json_loadb(out->body, out->body_len, 0, NULL);
  json_t *item = json_object_get(doc, "item");
  if(item)
    json_object_set_new(item, "institution_name", json_string(name));
  char *text = json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  if(text) {
    free((void *)out->body);
    out->body = text;
    out->body_len = strlen(text);
  }
}

/* The relays' handler: ctx is the upstream URL. */
static void s_relay(void *ctx, const script_request *req, script_reply *out)
{
  const char *target = script_request_header(req, "X-Amz-Target");
  const char *what = target && strchr(target, '.') ? strchr(target, '.') + 1 : req->url;
  bool exchange = strcmp(req->url, "/item/public_token/exchange") == 0;
  s_rule rule;
  bool fault = s_take_rule(what, &rule);
  if(fault && rule.before)
    rule.before();
  if(fault && rule.action == S_ANSWER) {
    *out = (script_reply){
      .status = rule.status, .content_type = "application/json", .body = strdup(rule.body), .free_body = true};
    return;
  }
  if(fault && rule.action == S_STALL) {
    *out = (script_reply){.drop = true, .delay_ms = rule.stall_ms};
    return;
  }
  relay_forward(ctx, req, out);
  if(exchange) {
    json_t *doc = out->body ? json_loadb(out->body, out->body_len, 0, NULL) : NULL;
    pthread_mutex_lock(&s_fx->lock);
    s_exchanges++;
    snprintf(s_exchange_request_id, sizeof(s_exchange_request_id), "%s",
             json_string_value(json_object_get(doc, "request_id"))
               ? json_string_value(json_object_get(doc, "request_id"))
               : "");
    pthread_mutex_unlock(&s_fx->lock);
    json_decref(doc);
  }
  if(fault && rule.action == S_LOSE_ANSWER) {
    if(out->free_body)
      free((void *)out->body);
    *out = (script_reply){.drop = true, .delay_ms = rule.stall_ms};
  }
  else if(fault && rule.action == S_SET_NAME && out->body) {
    s_set_name(out, rule.body);
  }
}

/* Forgets the relay's rules. */
static void s_reset(void)
{
  s_rules(NULL, 0);
}

/* Calls the simulator directly (no relay): method path with an optional JSON body (consumed). */
static json_t *s_sim(const char *method, const char *path, json_t *body)
{
  return sim_link_call(s_fx->link.sim, method, path, body, NULL);
}

/* The body of POST /items for a new sandbox public token of institution, with extra members (a JSON fragment
 * starting with ',' or ""). */
static char *s_link_body(const char *institution, const char *extra)
{
  return sim_link_items_body(s_fx->link.sim, institution, 0, extra);
}

/* Serves one request of group for sub in a Lambda with lambda_ms left; asserts its status and that no access
 * token appears in the answer; returns the body (caller json_decref). */
static json_t *s_serve(const char *group, const char *method, const char *route_key, const char *path, const char *sub,
                       const char *body, int64_t lambda_ms, int status)
{
  return sim_link_serve_status(
    &s_fx->link, &s_fx->env, "lambda-link", lambda_ms,
    &(sim_link_request){
      .group = group, .method = method, .route_key = route_key, .path = path, .sub = sub, .body = body},
    status);
}

static json_t *s_post_items(const char *sub, const char *body, int64_t lambda_ms, int status)
{
  return s_serve("items", "POST", "POST /items", "/items", sub, body, lambda_ms, status);
}

static const char *s_item_id(const json_t *created)
{
  return sim_link_item_id(created);
}

/* The simulator's summary of item_id (caller json_decref); fails the test when it does not know it. */
static json_t *s_sim_item(const char *item_id)
{
  return sim_link_sim_item(s_fx->link.sim, item_id);
}

/* Whether the simulator still has item_id live (not removed). */
static bool s_live_at_plaid(const char *item_id)
{
  json_t *item = s_sim_item(item_id);
  bool live = !json_is_true(json_object_get(item, "removed"));
  json_decref(item);
  return live;
}

/* The newest item the simulator made (the one the last exchange was for). Returns a malloc'd id. */
static char *s_newest_sim_item(void)
{
  json_t *all = s_sim("GET", "/sim/items", NULL);
  json_t *items = json_object_get(all, "items");
  assert_true(json_array_size(items) > 0);
  char *id = strdup(json_string_value(json_object_get(json_array_get(items, json_array_size(items) - 1), "item_id")));
  json_decref(all);
  return id;
}

/* Whether user has a record of item_id in the table (read directly). */
static bool s_stored(const char *user, const char *item_id)
{
  store_item item;
  mynt_status st = store_item_get(s_fx->direct, user, item_id, 0, &item);
  store_item_clear(&item);
  assert_true(st == MYNT_OK || st == MYNT_NOT_FOUND);
  return st == MYNT_OK;
}

/* Asserts the bank sub was answered 201 with (created) is kept: stored, live at Plaid and sub's only listed item. */
static void s_assert_kept(const char *sub, const json_t *created)
{
  const char *item_id = s_item_id(created);
  assert_true(s_stored(sub, item_id));
  assert_true(s_live_at_plaid(item_id));
  json_t *list = s_serve("items", "GET", "GET /items", "/items", sub, NULL, 12000, 200);
  assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
  json_decref(list);
}

/* Captures the log while a test runs. */
typedef struct {
  FILE *out;
  char *text;
  size_t len;
} s_log;

static void s_log_start(s_log *log)
{
  memset(log, 0, sizeof(*log));
  log->out = open_memstream(&log->text, &log->len);
  assert_non_null(log->out);
  logger_set_output(log->out);
}

/* Stops capturing; the text stays in log->text until s_log_free. */
static void s_log_stop(s_log *log)
{
  logger_set_output(NULL);
  fclose(log->out);
}

static void s_log_free(s_log *log)
{
  free(log->text);
}

/* The first captured line with level and every one of the words, or NULL. */
static bool s_log_has(const s_log *log, const char *level, const char *word1, const char *word2)
{
  char want[32];
  snprintf(want, sizeof(want), "\"level\":\"%s\"", level);
  for(const char *line = log->text; line && *line;) {
    const char *end = strchr(line, '\n');
    size_t n = end ? (size_t)(end - line) : strlen(line);
    char *copy = strndup(line, n);
    bool hit = strstr(copy, want) && strstr(copy, word1) && (!word2 || strstr(copy, word2));
    free(copy);
    if(hit)
      return true;
    line = end ? end + 1 : NULL;
  }
  return false;
}

/* 1. The write commits but its answer stalls past the attempt's timeout. Once: the retry's failed condition shows
 * the item is ours. Every time: the item is read back before anything is undone. Either way the bank is answered
 * 201, stored, listed and live at Plaid. */
static void test_a_stored_write_whose_answer_is_lost_keeps_the_bank(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const struct {
    const char *sub;
    int times; /* answers lost */
  } cases[] = {{"user-lost-write", 1}, {"user-lost-writes", -1}};
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    s_rules(
      (s_rule[]){{.match = "TransactWriteItems", .action = S_LOSE_ANSWER, .times = cases[i].times, .stall_ms = 6000}},
      1);
    char *body = s_link_body(i ? "ins_109509" : "ins_109508", "");
    json_t *created = s_post_items(cases[i].sub, body, 7000, 201);
    s_rules(NULL, 0);
    s_assert_kept(cases[i].sub, created);
    json_decref(created);
    free(body);
  }
}

/* 1c. A write that never reached DynamoDB is surely absent once read back: only then is the new item removed at
 * Plaid (so it is not billed), and the request fails. */
static void test_a_write_that_never_arrived_removes_the_new_item_at_plaid(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  s_rules((s_rule[]){{.match = "TransactWriteItems", .action = S_STALL, .times = -1, .stall_ms = 6000}}, 1);
  char *body = s_link_body("ins_109510", "");
  json_t *answer = s_post_items("user-no-write", body, 7000, 504);
  json_decref(answer);
  s_rules(NULL, 0);
  char *item_id = s_newest_sim_item();
  assert_false(s_stored("user-no-write", item_id));
  assert_false(s_live_at_plaid(item_id));
  free(item_id);
  free(body);
}

/* Plaid's answers to the describing calls that fail them. */
static const char s_server_error[] = "{\"error_type\":\"API_ERROR\",\"error_code\":\"INTERNAL_SERVER_ERROR\","
                                     "\"error_message\":\"x\",\"display_message\":null,\"request_id\":\"req-500\"}";
static const char s_not_ready[] = "{\"error_type\":\"ITEM_ERROR\",\"error_code\":\"PRODUCT_NOT_READY\","
                                  "\"error_message\":\"x\",\"display_message\":null,\"request_id\":\"req-not-ready\"}";

/* Makes /accounts/get and /item/get answer status with error until the rules change. */
static void s_fail_describing(unsigned status, const char *error)
{
  s_rules((s_rule[]){{.match = "/accounts/get", .action = S_ANSWER, .times = -1, .status = status, .body = error},
                     {.match = "/item/get", .action = S_ANSWER, .times = -1, .status = status, .body = error}},
          2);
}

/* 2. After the exchange, Plaid failing the describing calls (a 500 that outlasts the retries, PRODUCT_NOT_READY)
 * does not throw the valid access token away: the item is stored with what is known and answered 201; GET
 * /accounts lists it as syncing (its sync fills in the accounts). */
static void test_a_plaid_fault_after_the_exchange_still_stores_the_bank(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const struct {
    const char *sub;
    unsigned status;
    const char *error;
    const char *extra;
    const char *institution_id; /* expected; NULL = unknown */
  } cases[] = {
    {"user-describe-500", 500, s_server_error, ",\"institution_id\":\"ins_109508\",\"institution_name\":\"Platypus\"",
     "ins_109508"},
    {"user-describe-not-ready", 400, s_not_ready, "", NULL},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    s_fail_describing(cases[i].status, cases[i].error);
    char *body = s_link_body("ins_109508", cases[i].extra);
    json_t *created = s_post_items(cases[i].sub, body, 6000, 201);
    s_rules(NULL, 0);
    json_t *item = json_object_get(created, "item");
    const char *institution_id = json_string_value(json_object_get(item, "institution_id"));
    if(cases[i].institution_id)
      assert_string_equal(institution_id, cases[i].institution_id);
    else
      assert_true(json_is_null(json_object_get(item, "institution_id")));
    assert_int_equal(json_array_size(json_object_get(created, "accounts")), 0);
    s_assert_kept(cases[i].sub, created);
    /* GET /accounts answers from the store: the item is listed, syncing, and its accounts come with its first
     * sync (src/sync's /accounts/get), never from a live Plaid call here. */
    json_t *accounts = s_serve("transactions", "GET", "GET /accounts", "/accounts", cases[i].sub, NULL, 12000, 200);
    assert_int_equal(json_array_size(json_object_get(accounts, "accounts")), 0);
    json_t *listed = json_array_get(json_object_get(accounts, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(listed, "item_id")),
                        json_string_value(json_object_get(item, "item_id")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(listed, "sync"), "status")), "syncing");
    json_decref(accounts);
    json_decref(created);
    free(body);
  }
}

/* 2b. An item stored with its institution unknown is not held to the one-item-per-institution rule (there is no
 * marker to check), and it can be removed like any other. */
static void test_an_item_of_unknown_institution_can_sit_beside_its_bank_and_be_removed(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  s_fail_describing(400, s_not_ready);
  char *body = s_link_body("ins_109511", "");
  json_t *unknown = s_post_items("user-unknown", body, 6000, 201);
  free(body);
  s_rules(NULL, 0);
  body = s_link_body("ins_109511", "");
  json_t *known = s_post_items("user-unknown", body, 12000, 201);
  free(body);
  assert_string_equal(json_string_value(json_object_get(json_object_get(known, "item"), "institution_id")),
                      "ins_109511");
  char path[200];
  snprintf(path, sizeof(path), "/items/%s", s_item_id(unknown));
  json_decref(s_serve("items", "DELETE", "DELETE /items/{item_id}", path, "user-unknown", NULL, 12000, 204));
  assert_false(s_stored("user-unknown", s_item_id(unknown)));
  assert_false(s_live_at_plaid(s_item_id(unknown)));
  assert_true(s_stored("user-unknown", s_item_id(known)));
  json_decref(unknown);
  json_decref(known);
}

/* 3. The exchange's answer is lost and the retry is told INVALID_PUBLIC_TOKEN: Plaid made (and bills) an item
 * nobody holds. The log says so at ERROR with Plaid's request id, and never a token. */
static void test_a_lost_exchange_answer_is_logged_at_error_with_plaids_request_id(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  s_rules((s_rule[]){{.match = "/item/public_token/exchange", .action = S_LOSE_ANSWER, .times = 1}}, 1);
  char *body = s_link_body("ins_109508", "");
  s_log log;
  s_log_start(&log);
  json_t *answer = s_post_items("user-lost-exchange", body, 12000, 400);
  s_log_stop(&log);
  json_decref(answer);
  pthread_mutex_lock(&s_fx->lock);
  char request_id[64];
  snprintf(request_id, sizeof(request_id), "%s", s_exchange_request_id);
  int exchanges = s_exchanges;
  pthread_mutex_unlock(&s_fx->lock);
  assert_int_equal(exchanges, 2);
  assert_true(request_id[0]);
  if(!s_log_has(&log, "error", request_id, "/item/public_token/exchange"))
    fail_msg("no ERROR line names request %s: %s", request_id, log.text ? log.text : "");
  assert_null(strstr(log.text, "access-sandbox"));
  assert_null(strstr(log.text, "public-sandbox"));
  s_log_free(&log);
  free(body);
}

/* 4. An institution name over 256 bytes is cut on a UTF-8 character boundary, and the bank is stored. */
static void test_an_institution_name_over_256_bytes_is_cut_on_a_character_boundary(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  /* "A" then 150 "é" (2 bytes each): byte 256 is the second byte of an "é". */
  char name[512] = "A";
  for(int i = 0; i < 150; i++)
    strcat(name, "\xc3\xa9");
  s_rules((s_rule[]){{.match = "/accounts/get", .action = S_SET_NAME, .times = 1, .body = name}}, 1);
  char *body = s_link_body("ins_109508", "");
  json_t *created = s_post_items("user-long-name", body, 12000, 201);
  const char *stored_name = json_string_value(json_object_get(json_object_get(created, "item"), "institution_name"));
  assert_non_null(stored_name);
  assert_int_equal(strlen(stored_name), 255);
  assert_memory_equal(stored_name, name, 255);
  store_item item;
  assert_int_equal(store_item_get(s_fx->direct, "user-long-name", s_item_id(created), 0, &item), MYNT_OK);
  assert_string_equal(item.institution_name, stored_name);
  store_item_clear(&item);
  json_decref(created);
  free(body);
}

static void test_copy_utf8_never_splits_a_character(void **state)
{
  (void)state;
  char out[5];
  link_copy_utf8(out, sizeof(out), "abcd");
  assert_string_equal(out, "abcd");
  link_copy_utf8(out, sizeof(out), "abcde");
  assert_string_equal(out, "abcd");
  link_copy_utf8(out, sizeof(out), "abc\xc3\xa9"); /* é would end at byte 5 */
  assert_string_equal(out, "abc");
  link_copy_utf8(out, sizeof(out),
                 "a\xe2\x82\xac"
                 "b"); /* € fits exactly */
  assert_string_equal(out, "a\xe2\x82\xac");
  link_copy_utf8(out, sizeof(out), "ab\xf0\x9f\x98\x80"); /* a 4-byte emoji does not fit */
  assert_string_equal(out, "ab");
  link_copy_utf8(out, 1, "abc");
  assert_string_equal(out, "");
}

/* Stores n items of user directly (institutions ins_seed_<from..from+n>). */
static void s_seed_items(const char *user, int from, int n)
{
  for(int i = from; i < from + n; i++) {
    store_item item;
    memset(&item, 0, sizeof(item));
    /* Plaid's item ids are unique across users: the #ITEMS owner record relies on it. */
    snprintf(item.item_id, sizeof(item.item_id), "%s-seed-%03d", user, i);
    snprintf(item.institution_id, sizeof(item.institution_id), "ins_seed_%03d", i);
    char public_token[64];
    snprintf(public_token, sizeof(public_token), "public-seed-%d", i);
    assert_int_equal(store_item_public_token_digest(public_token, item.public_token_sha256), MYNT_OK);
    item.accounts = json_array();
    store_item_outcome outcome;
    char existing[STORE_ITEM_ID_MAX + 1];
    assert_int_equal(
      store_item_create(s_fx->direct, s_fx->env.keyring, user, &item, "access-seed-token", 0, &outcome, existing),
      MYNT_OK);
    assert_int_equal(outcome, STORE_ITEM_CREATED);
    store_item_clear(&item);
  }
}

/* 5a. A user at the item cap is refused before the exchange: 409 item_limit_reached, no item made at Plaid. */
static void test_linking_at_the_item_cap_is_refused_before_the_exchange(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  s_seed_items("user-cap", 0, STORE_ITEMS_MAX);
  s_rules(NULL, 0);
  char *body = s_link_body("ins_109508", "");
  json_t *answer = s_post_items("user-cap", body, 12000, 409);
  assert_string_equal(apigw_forge_error_code(answer), "item_limit_reached");
  assert_non_null(strstr(json_string_value(json_object_get(json_object_get(answer, "error"), "message")), "100"));
  json_decref(answer);
  pthread_mutex_lock(&s_fx->lock);
  int exchanges = s_exchanges;
  pthread_mutex_unlock(&s_fx->lock);
  assert_int_equal(exchanges, 0);
  free(body);
}

/* The item another request of user-cap-race stores while this one is exchanging. */
static void s_store_the_hundredth(void)
{
  s_seed_items("user-cap-race", STORE_ITEMS_MAX - 1, 1);
}

/* 5b. The cap reached by a concurrent link while this one exchanged: the just-exchanged item is removed at Plaid
 * and the answer is 409. */
static void test_the_item_cap_reached_during_the_exchange_removes_the_new_item(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  s_seed_items("user-cap-race", 0, STORE_ITEMS_MAX - 1);
  s_rules(
    (s_rule[]){
      {.match = "/item/public_token/exchange", .times = 1, .action = S_FORWARD, .before = s_store_the_hundredth}},
    1);
  char *body = s_link_body("ins_109508", "");
  json_t *answer = s_post_items("user-cap-race", body, 12000, 409);
  assert_string_equal(apigw_forge_error_code(answer), "item_limit_reached");
  json_decref(answer);
  char *item_id = s_newest_sim_item();
  assert_false(s_live_at_plaid(item_id));
  assert_false(s_stored("user-cap-race", item_id));
  free(item_id);
  free(body);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_copy_utf8_never_splits_a_character),
    cmocka_unit_test_setup(test_a_stored_write_whose_answer_is_lost_keeps_the_bank, sim_link_group_test_setup),
    cmocka_unit_test_setup(test_a_write_that_never_arrived_removes_the_new_item_at_plaid, sim_link_group_test_setup),
    cmocka_unit_test_setup(test_a_plaid_fault_after_the_exchange_still_stores_the_bank, sim_link_group_test_setup),
    cmocka_unit_test_setup(test_an_item_of_unknown_institution_can_sit_beside_its_bank_and_be_removed,
                           sim_link_group_test_setup),
    cmocka_unit_test_setup(test_a_lost_exchange_answer_is_logged_at_error_with_plaids_request_id,
                           sim_link_group_test_setup),
    cmocka_unit_test_setup(test_an_institution_name_over_256_bytes_is_cut_on_a_character_boundary,
                           sim_link_group_test_setup),
    cmocka_unit_test_setup(test_linking_at_the_item_cap_is_refused_before_the_exchange, sim_link_group_test_setup),
    cmocka_unit_test_setup(test_the_item_cap_reached_during_the_exchange_removes_the_new_item,
                           sim_link_group_test_setup),
  };
  sim_link_group_use(&s_fx, s_relay, s_reset, NULL, SIM_LINK_PLAID_RELAY);
  return cmocka_run_group_tests_name("link_moto", tests, sim_link_group_setup, sim_link_group_teardown);
}
