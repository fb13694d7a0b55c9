/* test_sync_moto.c - the sync workflow end to end: the in-process Plaid simulator's /transactions/sync into the TXN#
 * buckets of a mynt-users table on moto (reached through a relay that can fail or interrupt chosen calls), the daily
 * catch-up and the routes that start syncs (a loopback Lambda checks the Invokes). */
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
#include "core/clock.h"
#include "core/json.h"
#include "handlers/env.h"
#include "handlers/routes.h"
#include "local/plaid_sim/plaid_sim.h"
#include "store/history.h"
#include "store/items.h"
#include "store/store.h"
#include "support/apigw_forge.h"
#include "support/fake_lambda.h"
#include "support/fake_plaid.h"
#include "support/log_capture.h"
#include "support/moto_fixture.h"
#include "support/moto_store.h"
#include "support/relay.h"
#include "support/sim_link.h"
#include "sync/events.h"
#include "sync/sync.h"
#include "sync/sync_records.h"

#define USER       "0b7c1d2e-aaaa-4bbb-8ccc-000000000001"
#define OTHER_USER "0b7c1d2e-aaaa-4bbb-8ccc-000000000002"
#define FUNCTION   "mynt-test-sync"
/* The most one sync in these tests may take (Lambda gives the sync function 300 s). */
#define SYNC_MS 60000

/* What the DynamoDB relay does to the calls a rule matches. */
typedef enum {
  S_REFUSE, /* answers 400 ValidationException (never retried): the write did not happen, as if the process died */
  S_BEFORE  /* runs before(), then forwards the call */
} s_action;

typedef struct {
  const char *operation; /* the X-Amz-Target after the '.', e.g. "UpdateItem" */
  s_action action;
  int times; /* firings left; -1 = every matching call */
  void (*before)(void);
  int skip; /* matching calls let through untouched before the first firing */
} s_rule;

/* The group's simulator, relay, fake Lambda and, per test, a fresh table with a handler's env on it behind the relay
 * (the daily walk lists every item of the table). */
static sim_link_relays *s_fx;
/* The relay's rule, under s_fx->lock. */
static s_rule s_armed;
static bool s_has_rule;

static void s_set_rule(const s_rule *rule)
{
  pthread_mutex_lock(&s_fx->lock);
  s_has_rule = rule != NULL;
  if(rule)
    s_armed = *rule;
  pthread_mutex_unlock(&s_fx->lock);
}

/* Takes the rule when it matches operation and has firings left. */
static bool s_take_rule(const char *operation, s_rule *out)
{
  bool found = false;
  pthread_mutex_lock(&s_fx->lock);
  if(s_has_rule && s_armed.times != 0 && strcmp(s_armed.operation, operation) == 0 && s_armed.skip > 0) {
    s_armed.skip--;
  }
  else if(s_has_rule && s_armed.times != 0 && strcmp(s_armed.operation, operation) == 0) {
    if(s_armed.times > 0)
      s_armed.times--;
    *out = s_armed;
    found = true;
  }
  pthread_mutex_unlock(&s_fx->lock);
  return found;
}

static void s_relay(void *ctx, const script_request *req, script_reply *out)
{
  const char *target = script_request_header(req, "X-Amz-Target");
  const char *operation = target && strchr(target, '.') ? strchr(target, '.') + 1 : "";
  s_rule rule;
  if(s_take_rule(operation, &rule)) {
    if(rule.action == S_REFUSE) {
      *out = (script_reply){.status = 400,
                            .content_type = "application/x-amz-json-1.0",
                            .body = strdup("{\"__type\":\"com.amazon.coral.validate#ValidationException\","
                                           "\"message\":\"scripted refusal\"}"),
                            .free_body = true};
      return;
    }
    rule.before();
  }
  relay_forward(ctx, req, out);
}

/* Forgets the relay's rules. */
static void s_reset(void)
{
  s_set_rule(NULL);
}

/* ---- the simulator ---- */

static json_t *s_sim(const char *method, const char *path, json_t *body, long expect_status)
{
  long status = 0;
  json_t *answer = sim_link_call(s_fx->link.sim, method, path, body, &status);
  if(status != expect_status) {
    char *dump = json_dumps(answer, 0);
    fail_msg("%s %s answered %ld: %s", method, path, status, dump);
  }
  return answer;
}

/* Asserts the table holds exactly the simulator's data for item_id, and that the item's month counts add up to it. */
static void s_assert_history_is_the_truth(const char *user, const char *item_id)
{
  json_t *truth = sim_link_in_history_order(sim_link_truth(s_fx->link.sim, item_id));
  json_t *stored = sim_link_stored(s_fx->direct, user, item_id);
  if(!json_equal(truth, stored)) {
    size_t n = json_array_size(truth) < json_array_size(stored) ? json_array_size(truth) : json_array_size(stored);
    size_t at = 0;
    while(at < n && json_equal(json_array_get(truth, at), json_array_get(stored, at)))
      at++;
    char *want = json_dumps(json_array_get(truth, at), JSON_SORT_KEYS);
    char *got = json_dumps(json_array_get(stored, at), JSON_SORT_KEYS);
    fail_msg("the stored history (%zu) differs from the simulator's (%zu) at %zu:\n  want %s\n  got  %s",
             json_array_size(stored), json_array_size(truth), at, want ? want : "(none)", got ? got : "(none)");
  }
  sim_link_assert_month_counts(s_fx->direct, user, item_id, json_array_size(truth));
  json_decref(truth);
  json_decref(stored);
}

/* ---- Mynt's side ---- */

/* Serves one request of group for sub; asserts its status and that no access token appears; returns the body. */
static json_t *s_serve(const char *group, const char *method, const char *route_key, const char *path, const char *sub,
                       const char *body, int status)
{
  return sim_link_serve_status(
    &s_fx->link, &s_fx->env, "lambda-sync", 15000,
    &(sim_link_request){
      .group = group, .method = method, .route_key = route_key, .path = path, .sub = sub, .body = body},
    status);
}

/* POST /items/{item_id}/sync for sub; asserts its status; returns the body (caller json_decref). */
static json_t *s_refresh(const char *sub, const char *item_id, int status)
{
  char path[256];
  snprintf(path, sizeof path, "/items/%s/sync", item_id);
  return s_serve("items", "POST", "POST /items/{item_id}/sync", path, sub, NULL, status);
}

/* Asserts the fake Lambda received exactly one sync start per expected {item_id, reason} (in any order), for
 * user. */
static void s_assert_started(const char *user, const char *const *item_ids, const char *const *reasons, size_t n)
{
  json_t *seen = fake_lambda_take(s_fx->lambda);
  if(json_array_size(seen) != n) {
    char *dump = json_dumps(seen, 0);
    fail_msg("expected %zu sync starts, saw %s", n, dump);
  }
  for(size_t i = 0; i < n; i++) {
    bool found = false;
    size_t k;
    json_t *v;
    json_array_foreach(seen, k, v) {
      json_t *want = json_pack("{s:s, s:{s:{s:s, s:s, s:s}}}", "function", FUNCTION, "event", "mynt_sync", "user_id",
                               user, "item_id", item_ids[i], "reason", reasons[i]);
      found = found || json_equal(v, want);
      json_decref(want);
    }
    if(!found)
      fail_msg("no sync start of %s (%s)", item_ids[i], reasons[i]);
  }
  json_decref(seen);
}

/* Links a bank of institution with days of history for user through POST /items (which starts its sync: checked);
 * writes its item_id into out. */
static void s_link(const char *user, const char *institution, int days, char out[STORE_ITEM_ID_MAX + 1])
{
  char *body = sim_link_items_body(s_fx->link.sim, institution, days, "");
  json_t *created = s_serve("items", "POST", "POST /items", "/items", user, body, 201);
  free(body);
  snprintf(out, STORE_ITEM_ID_MAX + 1, "%s", sim_link_item_id(created));
  json_decref(created);
  const char *ids[] = {out};
  const char *reasons[] = {"link"};
  s_assert_started(user, ids, reasons, 1);
}

static sync_result s_sync(const char *user, const char *item_id)
{
  sync_result r;
  mynt_status st = sync_item(&s_fx->env, user, item_id, clock_epoch_ms() + SYNC_MS, &r);
  assert_int_equal(st, r.status);
  return r;
}

static void s_assert_outcome(const sync_result *r, sync_outcome want)
{
  if(r->outcome != want)
    fail_msg("sync outcome %d (status %s, last_error %s), not %d", r->outcome, mynt_strerror(r->status), r->last_error,
             want);
}

/* Syncs user's item_id and asserts it came to SYNC_DONE; returns the result. */
static sync_result s_sync_done(const char *user, const char *item_id)
{
  sync_result r = s_sync(user, item_id);
  s_assert_outcome(&r, SYNC_DONE);
  return r;
}

/* The bank a test links first (s_link_bank). */
static char s_bank[STORE_ITEM_ID_MAX + 1];

/* Links USER's bank of institution with days of history (s_link) as the test's bank; returns its item_id. */
static const char *s_link_bank(const char *institution, int days)
{
  s_link(USER, institution, days, s_bank);
  return s_bank;
}

static store_item s_item(const char *user, const char *item_id)
{
  store_item item;
  assert_int_equal(store_item_get(s_fx->direct, user, item_id, 0, &item), MYNT_OK);
  return item;
}

/* Posts changes (consumed) to the simulator's item; returns its answer. */
static json_t *s_sim_change(const char *item_id, json_t *changes)
{
  char path[256];
  snprintf(path, sizeof path, "/sim/items/%s/transactions", item_id);
  return s_sim("POST", path, changes, 200);
}

/* ---- tests ---- */

static void test_sync_stores_the_simulators_whole_history_and_saves_the_cursor(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const char *item_id = s_link_bank("ins_109508", 730);
  store_item before = s_item(USER, item_id);
  assert_string_equal(before.sync.cursor, "");
  assert_int_equal(before.sync.last_synced_at_ms, 0);
  store_item_clear(&before);

  int64_t started = clock_epoch_ms();
  log_capture log;
  log_capture_start(&log);
  sync_result r = s_sync(USER, item_id);
  log_capture_stop(&log);
  assert_non_null(strstr(log.text, item_id));
  assert_null(strstr(log.text, "access-sandbox"));
  log_capture_free(&log);
  s_assert_outcome(&r, SYNC_DONE);
  assert_true(r.added > 500); /* more than one page */
  assert_true(r.pages > 1);
  assert_int_equal(r.skipped, 0);
  assert_true(r.initial_complete && r.history_complete);
  s_assert_history_is_the_truth(USER, item_id);

  store_item item = s_item(USER, item_id);
  assert_string_not_equal(item.sync.cursor, "");
  assert_true(item.sync.last_synced_at_ms >= started - 1000 && item.sync.last_synced_at_ms <= clock_epoch_ms() + 1000);
  assert_true(item.sync.initial_complete && item.sync.history_complete);
  assert_string_equal(item.sync.last_error, "");
  assert_string_not_equal(item.balances_as_of, "");
  assert_true(json_array_size(item.accounts) > 0);
  size_t i;
  json_t *account;
  json_array_foreach(item.accounts, i, account) {
    assert_true(json_is_number(json_object_get(json_object_get(account, "balances"), "current")));
  }
  char cursor[STORE_CURSOR_MAX + 1];
  snprintf(cursor, sizeof cursor, "%s", item.sync.cursor);
  store_item_clear(&item);

  /* Nothing new at Plaid: the next sync adds nothing and the history stays as it is. */
  r = s_sync_done(USER, item_id);
  assert_int_equal(r.added + r.modified + r.removed, 0);
  assert_int_equal(r.pages, 1);
  s_assert_history_is_the_truth(USER, item_id);
}

static void test_sync_brings_in_what_changed_at_plaid_since_the_cursor(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const char *item_id = s_link_bank("ins_109509", 0);
  sync_result r = s_sync_done(USER, item_id);
  json_t *truth = sim_link_in_history_order(sim_link_truth(s_fx->link.sim, item_id));
  assert_true(json_array_size(truth) >= 3);
  const char *modify = json_member_string(json_array_get(truth, 1), "transaction_id");
  const char *remove = json_member_string(json_array_get(truth, 2), "transaction_id");
  json_t *changes = json_pack("{s:[{s:f, s:s}], s:[{s:s, s:f}], s:[s]}", "added", "amount", 12.34, "name",
                              "Corner Shop", "modified", "transaction_id", modify, "amount", 99.99, "removed", remove);
  json_decref(s_sim_change(item_id, changes));
  json_decref(truth);

  r = s_sync_done(USER, item_id);
  assert_int_equal(r.added, 1);
  assert_int_equal(r.modified, 1);
  assert_int_equal(r.removed, 1);
  s_assert_history_is_the_truth(USER, item_id);
  json_t *stored = sim_link_stored(s_fx->direct, USER, item_id);
  bool found = false;
  size_t i;
  json_t *v;
  json_array_foreach(stored, i, v) {
    if(strcmp(json_member_string(v, "name"), "Corner Shop") == 0)
      found = json_integer_value(json_object_get(v, "amount_cents")) == 1234;
  }
  assert_true(found);
  json_decref(stored);
}

static void test_sync_replaces_a_pending_transaction_by_its_posted_one(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const char *item_id = s_link_bank("ins_109510", 0);
  json_t *added = s_sim_change(
    item_id, json_pack("{s:[{s:f, s:s, s:b}]}", "added", "amount", 7.25, "name", "Pending Diner", "pending", 1));
  char pending_id[64];
  snprintf(pending_id, sizeof pending_id, "%s", json_string_value(json_array_get(json_object_get(added, "added"), 0)));
  json_decref(added);
  sync_result r = s_sync_done(USER, item_id);
  s_assert_history_is_the_truth(USER, item_id);

  json_t *posted =
    s_sim_change(item_id, json_pack("{s:[{s:s, s:b}]}", "modified", "transaction_id", pending_id, "pending", 0));
  const char *posted_id = json_member_string(json_array_get(json_object_get(posted, "posted"), 0), "transaction_id");
  assert_non_null(posted_id);
  r = s_sync_done(USER, item_id);
  assert_true(r.removed >= 1 && r.added >= 1);
  s_assert_history_is_the_truth(USER, item_id);
  json_t *stored = sim_link_stored(s_fx->direct, USER, item_id);
  size_t i;
  json_t *v;
  int pending_seen = 0, posted_seen = 0;
  json_array_foreach(stored, i, v) {
    const char *id = json_member_string(v, "transaction_id");
    pending_seen += strcmp(id, pending_id) == 0;
    if(strcmp(id, posted_id) == 0) {
      posted_seen++;
      assert_false(json_is_true(json_object_get(v, "pending")));
      assert_string_equal(json_member_string(v, "pending_transaction_id"), pending_id);
    }
  }
  assert_int_equal(pending_seen, 0);
  assert_int_equal(posted_seen, 1);
  json_decref(stored);
  json_decref(posted);
}

static void test_sync_restarts_the_batch_when_plaid_changes_during_paging(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const char *item_id = s_link_bank("ins_109511", 730);
  char path[256];
  snprintf(path, sizeof path, "/sim/items/%s/sync", item_id);
  json_decref(s_sim("POST", path, json_pack("{s:b}", "mutation_during_pagination", 1), 200));
  sync_result r = s_sync_done(USER, item_id);
  assert_int_equal(r.restarts, 1);
  s_assert_history_is_the_truth(USER, item_id);
}

/* The item's sync state as a later check needs it. */
typedef struct {
  char cursor[STORE_CURSOR_MAX + 1];
  char last_error[64];
  int64_t last_synced_at_ms;
} s_sync_state;

static s_sync_state s_state(const char *user, const char *item_id)
{
  store_item item = s_item(user, item_id);
  s_sync_state out;
  snprintf(out.cursor, sizeof out.cursor, "%s", item.sync.cursor);
  snprintf(out.last_error, sizeof out.last_error, "%s", item.sync.last_error);
  out.last_synced_at_ms = item.sync.last_synced_at_ms;
  store_item_clear(&item);
  return out;
}

static void test_sync_cut_off_before_the_cursor_is_saved_syncs_again_without_duplicates(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const char *item_id = s_link_bank("ins_109508", 0);
  /* Every UpdateItem of the item after the lease's take fails: the buckets are written, but neither the cursor nor
   * the error is saved, and the lease is not released, as when the function dies between the two. */
  s_set_rule(&(s_rule){.operation = "UpdateItem", .action = S_REFUSE, .times = -1, .skip = 1});
  sync_result r = s_sync(USER, item_id);
  s_set_rule(NULL);
  s_assert_outcome(&r, SYNC_FAILED);
  s_sync_state after = s_state(USER, item_id);
  assert_string_equal(after.cursor, "");
  assert_int_equal(after.last_synced_at_ms, 0);
  json_t *written = sim_link_stored(s_fx->direct, USER, item_id);
  assert_true(json_array_size(written) > 0);
  json_decref(written);

  /* The next sync takes the lease over once it has expired. */
  r = s_sync_done(USER, item_id);
  s_assert_history_is_the_truth(USER, item_id);
  assert_string_not_equal(s_state(USER, item_id).cursor, "");
}

static void test_sync_marks_an_item_login_required_and_keeps_its_cursor(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const char *item_id = s_link_bank("ins_109509", 0);
  sync_result r = s_sync_done(USER, item_id);
  s_sync_state synced = s_state(USER, item_id);

  char path[256];
  snprintf(path, sizeof path, "/sim/items/%s/faults", item_id);
  json_decref(s_sim("POST", path, json_pack("{s:s, s:i}", "error_code", "ITEM_LOGIN_REQUIRED", "times", 0), 200));
  json_decref(s_sim_change(item_id, json_pack("{s:[{s:f, s:s}]}", "added", "amount", 3.5, "name", "After login")));
  r = s_sync(USER, item_id);
  s_assert_outcome(&r, SYNC_LOGIN_REQUIRED);
  store_item item = s_item(USER, item_id);
  assert_int_equal(item.status, STORE_ITEM_LOGIN_REQUIRED);
  assert_string_equal(item.sync.last_error, "ITEM_LOGIN_REQUIRED");
  assert_string_equal(item.sync.cursor, synced.cursor);
  assert_int_equal(item.sync.last_synced_at_ms, synced.last_synced_at_ms);
  store_item_clear(&item);

  /* The login is repaired at the bank: the next sync brings the item back and catches up. */
  json_decref(s_sim("DELETE", path, NULL, 200));
  r = s_sync_done(USER, item_id);
  item = s_item(USER, item_id);
  assert_int_equal(item.status, STORE_ITEM_ACTIVE);
  assert_string_equal(item.sync.last_error, "");
  store_item_clear(&item);
  s_assert_history_is_the_truth(USER, item_id);
}

/* Links a bank whose Plaid webhooks go to webhook_url: the simulator's ITEM webhooks then change its state as
 * Plaid's would. */
static void s_link_with_webhook(const char *user, const char *institution, const char *webhook_url,
                                char out[STORE_ITEM_ID_MAX + 1])
{
  json_t *request = json_pack("{s:s, s:[s], s:{s:s+}}", "institution_id", institution, "initial_products",
                              "transactions", "options", "webhook", webhook_url, "/webhooks/plaid");
  json_t *answer = s_sim("POST", "/sandbox/public_token/create", request, 200);
  char *body = NULL;
  assert_true(asprintf(&body, "{\"public_token\":\"%s\"}", json_member_string(answer, "public_token")) > 0);
  json_decref(answer);
  json_t *created = s_serve("items", "POST", "POST /items", "/items", user, body, 201);
  free(body);
  snprintf(out, STORE_ITEM_ID_MAX + 1, "%s", sim_link_item_id(created));
  json_decref(created);
  json_decref(fake_lambda_take(s_fx->lambda));
}

/* Re-logs item_id through an update-mode link token, as a user does in Link's update mode. */
static void s_update_mode_login(const char *user, const char *item_id)
{
  char body[256];
  snprintf(body, sizeof body, "{\"item_id\":\"%s\"}", item_id);
  json_t *token = s_serve("items", "POST", "POST /link/token", "/link/token", user, body, 200);
  json_t *done = s_sim("POST", "/sim/link/complete",
                       json_pack("{s:s, s:s, s:s}", "link_token", json_member_string(token, "link_token"), "username",
                                 "user_good", "password", "pass_good"),
                       200);
  json_decref(done);
  json_decref(token);
}

static void test_sync_keeps_an_expiring_item_expiring_until_its_consent_is_renewed(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  script_server *hooks = NULL; /* where the item's webhooks go: answers 200 to each */
  assert_int_equal(script_server_new(NULL, NULL, &hooks), MYNT_OK);
  assert_int_equal(script_server_reply(hooks, 200, "{}"), MYNT_OK);
  char item_id[STORE_ITEM_ID_MAX + 1];
  s_link_with_webhook(USER, "ins_109508", script_server_url(hooks), item_id);
  s_sync_done(USER, item_id);
  int before = script_server_counts(hooks).requests;

  /* Plaid warns that the consent ends in 7 days (the webhook handler marks the item expiring). */
  char path[256];
  snprintf(path, sizeof path, "/sim/items/%s/webhook", item_id);
  json_decref(
    s_sim("POST", path, json_pack("{s:s, s:s}", "webhook_type", "ITEM", "webhook_code", "PENDING_EXPIRATION"), 200));
  assert_true(script_server_wait_requests(hooks, before + 1, 10000) > before);
  assert_int_equal(store_item_set_status(s_fx->direct, USER, item_id, STORE_ITEM_EXPIRING, 0), MYNT_OK);
  s_sync_done(USER, item_id);
  store_item item = s_item(USER, item_id);
  assert_int_equal(item.status, STORE_ITEM_EXPIRING);
  store_item_clear(&item);

  /* The user logs in again in update mode: Plaid shows no expiration any more, and the next sync clears it. */
  s_update_mode_login(USER, item_id);
  s_sync_done(USER, item_id);
  item = s_item(USER, item_id);
  assert_int_equal(item.status, STORE_ITEM_ACTIVE);
  store_item_clear(&item);
  script_server_free(hooks);
}

static void test_sync_clears_new_accounts_available_once_plaid_shows_a_new_account(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const char *item_id = s_link_bank("ins_109509", 0);
  s_sync_done(USER, item_id);

  /* NEW_ACCOUNTS_AVAILABLE: the flag stays while Plaid shares the same accounts. */
  assert_int_equal(store_item_set_new_accounts(s_fx->direct, USER, item_id, true, 0), MYNT_OK);
  s_sync_done(USER, item_id);
  store_item item = s_item(USER, item_id);
  assert_true(item.new_accounts_available);
  size_t shared = json_array_size(item.accounts);
  assert_true(shared > 1);

  /* The item had one account fewer; the user shared it through account selection: the sync sees it and clears the
   * flag. */
  json_t *fewer = json_deep_copy(item.accounts);
  json_array_remove(fewer, 0);
  assert_int_equal(store_item_set_accounts(s_fx->direct, USER, item_id, fewer, 0), MYNT_OK);
  json_decref(fewer);
  store_item_clear(&item);
  s_sync_done(USER, item_id);
  item = s_item(USER, item_id);
  assert_false(item.new_accounts_available);
  assert_int_equal(json_array_size(item.accounts), shared);
  store_item_clear(&item);
}

static void test_sync_rate_limited_keeps_the_cursor_and_records_the_error(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const char *item_id = s_link_bank("ins_109510", 0);
  sync_result r = s_sync_done(USER, item_id);
  s_sync_state synced = s_state(USER, item_id);
  json_t *before = sim_link_stored(s_fx->direct, USER, item_id);

  json_decref(s_sim_change(item_id, json_pack("{s:[{s:f, s:s}]}", "added", "amount", 1.0, "name", "Later")));
  char path[256];
  snprintf(path, sizeof path, "/sim/items/%s/faults", item_id);
  json_decref(s_sim("POST", path,
                    json_pack("{s:i, s:s, s:i}", "status", 429, "error_code", "RATE_LIMIT_EXCEEDED", "times", 0), 200));
  sync_item(&s_fx->env, USER, item_id, clock_epoch_ms() + 3000, &r);
  s_assert_outcome(&r, SYNC_PLAID_FAILED);
  assert_string_equal(r.last_error, "RATE_LIMIT_EXCEEDED");
  s_sync_state limited = s_state(USER, item_id);
  assert_string_equal(limited.cursor, synced.cursor);
  assert_int_equal(limited.last_synced_at_ms, synced.last_synced_at_ms);
  assert_string_equal(limited.last_error, "RATE_LIMIT_EXCEEDED");
  json_t *during = sim_link_stored(s_fx->direct, USER, item_id);
  assert_true(json_equal(before, during));
  json_decref(during);
  json_decref(before);

  json_decref(s_sim("DELETE", path, NULL, 200));
  r = s_sync_done(USER, item_id);
  assert_int_equal(r.added, 1);
  assert_string_equal(s_state(USER, item_id).last_error, "");
  s_assert_history_is_the_truth(USER, item_id);
}

static void test_sync_gives_up_on_a_failing_plaid_long_before_the_function_deadline(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const char *item_id = s_link_bank("ins_109510", 0);
  char path[256];
  snprintf(path, sizeof path, "/sim/items/%s/faults", item_id);
  json_decref(s_sim("POST", path, json_pack("{s:i, s:i}", "status", 500, "times", 0), 200));
  /* A sync function's deadline is minutes away; a Plaid that keeps failing must not hold it that long. */
  int64_t started = clock_epoch_ms();
  sync_result r;
  sync_item(&s_fx->env, USER, item_id, started + SYNC_PLAID_CALL_MS + 120000, &r);
  int64_t took = clock_epoch_ms() - started;
  s_assert_outcome(&r, SYNC_PLAID_FAILED);
  assert_string_equal(r.last_error, "INTERNAL_SERVER_ERROR");
  assert_true(r.err.attempts > 1);
  assert_true(took >= SYNC_PLAID_CALL_MS - 3000);
  assert_true(took < SYNC_PLAID_CALL_MS + 15000);
  assert_string_equal(s_state(USER, item_id).last_error, "INTERNAL_SERVER_ERROR");
  json_decref(s_sim("DELETE", path, NULL, 200));
}

/* Deletes USER's item named by s_deleting (the record, its markers and #ITEMS record), as DELETE /items/{item_id}
 * does after it has deleted the buckets: those this sync wrote are still there, for the sync to delete. */
static char s_deleting[STORE_ITEM_ID_MAX + 1];
static void s_delete_item_now(void)
{
  store_item item;
  assert_int_equal(store_item_get(s_fx->direct, USER, s_deleting, 0, &item), MYNT_OK);
  assert_int_equal(store_item_delete(s_fx->direct, USER, &item, 0), MYNT_OK);
  store_item_clear(&item);
}

/* The sort keys of user's partition and of the #ITEMS partition (read directly), as one array. */
static json_t *s_all_keys(const char *user)
{
  json_t *keys = json_array();
  const char *partitions[] = {user, "#ITEMS"};
  for(size_t p = 0; p < 2; p++) {
    json_t *records = moto_store_records(s_fx->direct, partitions[p]);
    size_t i;
    json_t *v;
    json_array_foreach(records, i, v)
      json_array_append_new(keys, json_string(json_member_string(v, "sk")));
    json_decref(records);
  }
  return keys;
}

/* A bank of USER that stays while the one named by s_deleting goes, and the keys the table held before that one
 * was linked. */
typedef struct {
  char keep[STORE_ITEM_ID_MAX + 1];
  json_t *kept_keys;
} s_deletion;

/* Links and syncs a bank of USER to keep, then links the bank that goes (into s_deleting) and arms rule on the
 * relay. */
static s_deletion s_link_kept_and_deleting(const s_rule *rule)
{
  s_deletion d;
  s_link(USER, "ins_109508", 0, d.keep);
  s_sync(USER, d.keep);
  d.kept_keys = s_all_keys(USER);
  s_link(USER, "ins_109509", 0, s_deleting);
  s_set_rule(rule);
  return d;
}

/* Asserts the table holds exactly d's kept keys (consumed) and that the kept bank's history is still the
 * simulator's. */
static void s_assert_only_kept(s_deletion *d)
{
  json_t *keys = s_all_keys(USER);
  if(!json_equal(keys, d->kept_keys)) {
    char *dump = json_dumps(keys, 0);
    fail_msg("records left: %s", dump);
  }
  json_decref(keys);
  json_decref(d->kept_keys);
  s_assert_history_is_the_truth(USER, d->keep);
}

static void test_sync_of_an_item_deleted_meanwhile_leaves_nothing_behind(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  /* The item goes after the buckets are written, just before the sync saves its cursor. */
  s_deletion d = s_link_kept_and_deleting(
    &(s_rule){.operation = "UpdateItem", .action = S_BEFORE, .times = 1, .before = s_delete_item_now});
  sync_result r = s_sync(USER, s_deleting);
  s_set_rule(NULL);
  s_assert_outcome(&r, SYNC_NOT_LINKED);
  s_assert_only_kept(&d);

  r = s_sync(USER, s_deleting);
  s_assert_outcome(&r, SYNC_NOT_LINKED);
}

/* A sync of s_deleting that fetched from Plaid before /item/remove stores its batch now, while the item is still
 * there (it saves its cursor too): what DELETE /items/{item_id} may meet between its bucket deletion and the item's
 * transaction. */
static void s_sync_stores_now(void)
{
  store_item item;
  assert_int_equal(store_item_get(s_fx->direct, USER, s_deleting, 0, &item), MYNT_OK);
  json_t *added =
    json_pack("[{s:s, s:s, s:s, s:n, s:s, s:n, s:I, s:s, s:b, s:n, s:n, s:n, s:n, s:s}]", "transaction_id",
              "txn-raced-1", "account_id", "acc-raced-1", "date", "2024-03-05", "authorized_date", "name", "Raced",
              "merchant_name", "amount_cents", (json_int_t)1250, "iso_currency_code", "USD", "pending", 0,
              "pending_transaction_id", "category", "category_detailed", "payment_channel", "flow", "out");
  json_t *none = json_array();
  json_t *months = json_deep_copy(item.months);
  assert_int_equal(store_history_apply(s_fx->direct, USER, s_deleting, added, none, none, months, 0), MYNT_OK);
  store_item_sync sync = item.sync;
  sync.last_synced_at_ms = clock_epoch_ms();
  assert_int_equal(store_item_save_sync(s_fx->direct, USER, s_deleting, &sync, months, NULL, NULL, 0), MYNT_OK);
  json_decref(added);
  json_decref(none);
  json_decref(months);
  store_item_clear(&item);
}

static void test_delete_leaves_nothing_of_a_sync_that_stored_while_it_ran(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  /* The sync's buckets land after DELETE deleted the buckets, just before the item's transaction. */
  s_deletion d = s_link_kept_and_deleting(
    &(s_rule){.operation = "TransactWriteItems", .action = S_BEFORE, .times = 1, .before = s_sync_stores_now});
  char path[256];
  snprintf(path, sizeof path, "/items/%s", s_deleting);
  json_decref(s_serve("items", "DELETE", "DELETE /items/{item_id}", path, USER, NULL, 204));
  s_set_rule(NULL);
  s_assert_only_kept(&d);
}

/* ---- two syncs of one item ---- */

/* The second sync of the race: its own clients (a sync function's other instance), run in a thread. */
typedef struct {
  handlers_env env;
  char item_id[STORE_ITEM_ID_MAX + 1];
  json_t *changes; /* what changes at the bank just before it starts (consumed) */
  pthread_t thread;
  bool started;
  sync_result result;
  bool done; /* under s_fx->lock */
} s_second_sync;

static s_second_sync s_second;

static void *s_second_sync_run(void *arg)
{
  (void)arg;
  sync_result r;
  sync_item(&s_second.env, USER, s_second.item_id, clock_epoch_ms() + SYNC_MS, &r);
  pthread_mutex_lock(&s_fx->lock);
  s_second.result = r;
  s_second.done = true;
  pthread_mutex_unlock(&s_fx->lock);
  return NULL;
}

/* Whether user's item_id (read from the table directly with watch) has sync.resync set: the second sync asked the
 * one holding the item to sync once more. */
static bool s_resync_asked(store *watch, const char *user, const char *item_id)
{
  char sk[STORE_ITEM_ID_MAX + 8];
  snprintf(sk, sizeof sk, "ITEM#%s", item_id);
  json_t *records = moto_store_records(watch, user);
  bool asked = false;
  size_t i;
  json_t *v;
  json_array_foreach(records, i, v) {
    if(strcmp(json_member_string(v, "sk"), sk) == 0)
      asked = json_is_true(json_object_get(json_object_get(v, "sync"), "resync"));
  }
  json_decref(records);
  return asked;
}

/* Runs at the first sync's first bucket write, after it has read the bucket and before the write reaches the table
 * (the worst point): the bank changes, and a second sync of the item starts; returns once that one is done, or has
 * asked the first one to sync again (then it waits for it). */
static void s_second_sync_starts_now(void)
{
  json_decref(s_sim_change(s_second.item_id, s_second.changes));
  s_second.changes = NULL;
  store *watch = NULL;
  if(moto_store_open_at(s_fx->moto_url, s_fx->direct->table, &watch) != MYNT_OK)
    return;
  s_second.started = pthread_create(&s_second.thread, NULL, s_second_sync_run, NULL) == 0;
  int64_t until = clock_epoch_ms() + SYNC_MS;
  bool done = !s_second.started;
  while(!done && clock_epoch_ms() < until) {
    pthread_mutex_lock(&s_fx->lock);
    done = s_second.done;
    pthread_mutex_unlock(&s_fx->lock);
    done = done || s_resync_asked(watch, USER, s_second.item_id);
    if(!done)
      clock_sleep_ms(20);
  }
  store_free(watch);
}

/* The first transaction of truth (in history order) dated in the month of the transaction at index `of`, other
 * than it; NULL when there is none. */
static const json_t *s_same_month(const json_t *truth, size_t of)
{
  const char *date = json_member_string(json_array_get(truth, of), "date");
  size_t i;
  json_t *v;
  json_array_foreach(truth, i, v) {
    if(i != of && strncmp(json_member_string(v, "date"), date, 7) == 0)
      return v;
  }
  return NULL;
}

static void test_two_syncs_of_one_item_at_once_end_at_the_simulators_history_and_its_newest_cursor(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const char *item_id = s_link_bank("ins_109509", 0);
  s_sync_done(USER, item_id);
  json_t *truth = sim_link_in_history_order(sim_link_truth(s_fx->link.sim, item_id));
  const json_t *u = json_array_get(truth, 1);
  const json_t *t = s_same_month(truth, 1);
  assert_non_null(t);
  char modified[64], removed[64];
  snprintf(modified, sizeof modified, "%s", json_member_string(u, "transaction_id"));
  snprintf(removed, sizeof removed, "%s", json_member_string(t, "transaction_id"));
  json_decref(truth);

  /* The bank changes; a first sync fetches that and reads the month's bucket. Then, before it writes it, the bank
   * changes again (the other transaction of that month removed, the first one modified once more) and a second
   * sync of the item starts (a webhook, or Lambda's retry). */
  json_decref(
    s_sim_change(item_id, json_pack("{s:[{s:s, s:f}]}", "modified", "transaction_id", modified, "amount", 11.11)));
  memset(&s_second, 0, sizeof s_second);
  snprintf(s_second.item_id, sizeof s_second.item_id, "%s", item_id);
  s_second.changes =
    json_pack("{s:[{s:s, s:f}], s:[s]}", "modified", "transaction_id", modified, "amount", 22.22, "removed", removed);
  assert_int_equal(sim_link_relays_env_open(s_fx, &s_second.env), MYNT_OK);
  s_set_rule(&(s_rule){.operation = "PutItem", .action = S_BEFORE, .times = 1, .before = s_second_sync_starts_now});
  sync_result first = s_sync(USER, item_id);
  s_set_rule(NULL);
  assert_true(s_second.started);
  pthread_join(s_second.thread, NULL);
  sim_link_env_close(&s_second.env);
  json_decref(s_second.changes);

  /* Both are over: the table holds exactly the bank's data, the removed transaction is not back, the modified one
   * has its last amount. */
  s_assert_history_is_the_truth(USER, item_id);
  json_t *stored = sim_link_stored(s_fx->direct, USER, item_id);
  size_t i;
  json_t *v;
  json_array_foreach(stored, i, v) {
    const char *id = json_member_string(v, "transaction_id");
    if(strcmp(id, removed) == 0)
      fail_msg("the removed transaction %s is back", removed);
    if(strcmp(id, modified) == 0)
      assert_int_equal(json_integer_value(json_object_get(v, "amount_cents")), 2222);
  }
  json_decref(stored);
  /* The first held the item, saw the second's request and synced once more; the second wrote nothing. */
  s_assert_outcome(&first, SYNC_DONE);
  assert_int_equal(first.rounds, 2);
  s_assert_outcome(&s_second.result, SYNC_SUPERSEDED);
  store_item item = s_item(USER, item_id);
  assert_string_equal(item.sync.lease_owner, "");
  assert_false(item.sync.resync);
  store_item_clear(&item);
  /* The stored cursor is the newest: a sync now finds nothing to replay. */
  sync_result again = s_sync_done(USER, item_id);
  assert_int_equal(again.added + again.modified + again.removed, 0);
  s_assert_history_is_the_truth(USER, item_id);
}

/* Links and syncs USER's bank of institution, adds a transaction named name at the bank, then takes the item's
 * lease as owner for lease_ms from *out_now (a sync that holds it, or died holding it). Returns the item_id. */
static const char *s_bank_with_a_lease_left(const char *institution, const char *name, const char *owner,
                                            int64_t lease_ms, int64_t *out_now)
{
  const char *item_id = s_link_bank(institution, 0);
  s_sync_done(USER, item_id);
  json_decref(s_sim_change(item_id, json_pack("{s:[{s:f, s:s}]}", "added", "amount", 6.5, "name", name)));
  *out_now = clock_epoch_ms();
  store_item held;
  assert_int_equal(store_item_lease_take(s_fx->direct, USER, item_id, owner, *out_now, *out_now + lease_ms, 0, &held),
                   MYNT_OK);
  store_item_clear(&held);
  return item_id;
}

static void test_a_lease_left_by_a_sync_that_died_is_taken_over_once_it_expires(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  /* A sync took the item's lease and died (Lambda's timeout, a crash): its lease is left behind. */
  int64_t now = 0;
  const char *item_id = s_bank_with_a_lease_left("ins_109510", "After the crash", "sync-0123456789abcdef", 4000, &now);

  log_capture log;
  log_capture_start(&log);
  sync_result r = s_sync(USER, item_id);
  log_capture_stop(&log);
  int64_t took = clock_epoch_ms() - now;
  s_assert_outcome(&r, SYNC_DONE);
  assert_true(took >= 3500 && took < 15000);
  assert_int_equal(r.added, 1);
  assert_non_null(strstr(log.text, "sync-0123456789abcdef"));
  assert_non_null(strstr(log.text, r.lease_owner));
  assert_null(strstr(log.text, "access-sandbox"));
  log_capture_free(&log);
  s_assert_history_is_the_truth(USER, item_id);
  store_item item = s_item(USER, item_id);
  assert_string_equal(item.sync.lease_owner, "");
  store_item_clear(&item);
}

static void test_a_sync_that_cannot_wait_for_the_lease_answers_superseded_and_leaves_it_to_the_schedule(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  int64_t now = 0;
  const char *item_id = s_bank_with_a_lease_left("ins_109511", "Webhook news", "sync-fedcba9876543210", 30000, &now);
  json_t *before = sim_link_stored(s_fx->direct, USER, item_id);

  /* A webhook's sync with 6 s to go waits half of it, then answers superseded, not an error; it wrote nothing but
   * the request to sync again. */
  json_t *event =
    json_pack("{s:{s:s, s:s, s:s}}", "mynt_sync", "user_id", USER, "item_id", item_id, "reason", "webhook");
  json_t *answer = NULL;
  assert_int_equal(sync_events_handle(&s_fx->env, event, clock_epoch_ms() + 6000, &answer), MYNT_OK);
  json_decref(event);
  assert_string_equal(json_member_string(answer, "outcome"), "superseded");
  assert_true(json_is_null(json_object_get(answer, "last_error")));
  json_decref(answer);
  json_t *after = sim_link_stored(s_fx->direct, USER, item_id);
  assert_true(json_equal(before, after));
  json_decref(before);
  json_decref(after);
  store_item item = s_item(USER, item_id);
  assert_true(item.sync.resync);
  assert_string_equal(item.sync.lease_owner, "sync-fedcba9876543210");
  store_item_clear(&item);

  /* While the lease is live the daily schedule leaves the item (synced just now); once it has ended, the request
   * left behind makes the schedule start a sync, which brings the change in. */
  sync_schedule_result walk;
  assert_int_equal(sync_schedule_daily(&s_fx->env, now + 1000, clock_epoch_ms() + 20000, &walk), MYNT_OK);
  assert_int_equal(walk.started, 0);
  assert_int_equal(sync_schedule_daily(&s_fx->env, now + 31000, clock_epoch_ms() + 20000, &walk), MYNT_OK);
  assert_int_equal(walk.started, 1);
  const char *ids[] = {item_id};
  const char *reasons[] = {"schedule"};
  s_assert_started(USER, ids, reasons, 1);
}

/* Sets item_id's last_synced_at (keeping the rest of its sync state). */
static void s_set_synced_at(const char *user, const char *item_id, int64_t at_ms)
{
  store_item item = s_item(user, item_id);
  store_item_sync sync = item.sync;
  sync.last_synced_at_ms = at_ms;
  assert_int_equal(store_item_save_sync(s_fx->direct, user, item_id, &sync, item.months, NULL, NULL, 0), MYNT_OK);
  store_item_clear(&item);
}

static void test_schedule_starts_syncs_only_for_items_not_synced_for_a_day(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  char fresh[STORE_ITEM_ID_MAX + 1], stale[STORE_ITEM_ID_MAX + 1], never[STORE_ITEM_ID_MAX + 1];
  char other[STORE_ITEM_ID_MAX + 1], revoked[STORE_ITEM_ID_MAX + 1];
  s_link(USER, "ins_109508", 0, fresh);
  s_link(USER, "ins_109509", 0, stale);
  s_link(USER, "ins_109510", 0, never);
  s_link(OTHER_USER, "ins_109508", 0, other);
  s_link(OTHER_USER, "ins_109511", 0, revoked);
  int64_t now = clock_epoch_ms();
  s_set_synced_at(USER, fresh, now - SYNC_STALE_MS + 60000);
  s_set_synced_at(USER, stale, now - SYNC_STALE_MS - 60000);
  s_set_synced_at(OTHER_USER, other, now - 3 * SYNC_STALE_MS);
  assert_int_equal(store_item_set_status(s_fx->direct, OTHER_USER, revoked, STORE_ITEM_REVOKED, 0), MYNT_OK);

  sync_schedule_result r;
  assert_int_equal(sync_schedule_daily(&s_fx->env, now, now + 20000, &r), MYNT_OK);
  assert_int_equal(r.items, 5);
  assert_int_equal(r.stale, 3);
  assert_int_equal(r.started, 3);
  assert_int_equal(r.failed, 0);
  json_t *seen = fake_lambda_take(s_fx->lambda);
  assert_int_equal(json_array_size(seen), 3);
  const char *expect[][2] = {{USER, stale}, {USER, never}, {OTHER_USER, other}};
  for(size_t e = 0; e < 3; e++) {
    bool found = false;
    size_t i;
    json_t *v;
    json_array_foreach(seen, i, v) {
      json_t *want = json_pack("{s:s, s:{s:{s:s, s:s, s:s}}}", "function", FUNCTION, "event", "mynt_sync", "user_id",
                               expect[e][0], "item_id", expect[e][1], "reason", "schedule");
      found = found || json_equal(v, want);
      json_decref(want);
    }
    if(!found)
      fail_msg("no schedule start of %s", expect[e][1]);
  }
  json_decref(seen);

  /* A start that Lambda refuses is counted and the walk goes on. */
  fake_lambda_answer(s_fx->lambda, 500, "ServiceException");
  assert_int_equal(sync_schedule_daily(&s_fx->env, now, clock_epoch_ms() + 20000, &r), MYNT_OK);
  fake_lambda_answer(s_fx->lambda, 202, NULL);
  assert_int_equal(r.stale, 3);
  assert_int_equal(r.started, 0);
  assert_int_equal(r.failed, 3);
  json_decref(fake_lambda_take(s_fx->lambda));
}

static void test_sync_function_events_sync_an_item_run_the_schedule_and_refuse_the_rest(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const char *item_id = s_link_bank("ins_109508", 0);
  json_t *event = json_pack("{s:{s:s, s:s, s:s}}", "mynt_sync", "user_id", USER, "item_id", item_id, "reason", "link");
  json_t *answer = NULL;
  assert_int_equal(sync_events_handle(&s_fx->env, event, clock_epoch_ms() + SYNC_MS, &answer), MYNT_OK);
  json_decref(event);
  assert_string_equal(json_member_string(answer, "outcome"), "done");
  assert_true(json_integer_value(json_object_get(answer, "added")) > 0);
  assert_true(json_is_null(json_object_get(answer, "last_error")));
  json_decref(answer);
  s_assert_history_is_the_truth(USER, item_id);

  event = json_pack("{s:s}", "mynt_schedule", "daily");
  assert_int_equal(sync_events_handle(&s_fx->env, event, clock_epoch_ms() + 20000, &answer), MYNT_OK);
  json_decref(event);
  json_t *expected =
    json_pack("{s:i, s:i, s:i, s:i, s:b}", "items", 1, "stale", 0, "started", 0, "failed", 0, "complete", 1);
  assert_true(json_equal(answer, expected));
  json_decref(expected);
  json_decref(answer);

  const char *bad[] = {"{}", "{\"mynt_schedule\":\"hourly\"}", "{\"mynt_sync\":{\"user_id\":\"u\"}}",
                       "{\"version\":\"2.0\",\"routeKey\":\"GET /items\"}", "[]"};
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    event = json_loads(bad[i], JSON_DECODE_ANY, NULL);
    answer = json_true();
    assert_int_equal(sync_events_handle(&s_fx->env, event, 0, &answer), MYNT_BAD_REQUEST);
    assert_null(answer);
    json_decref(event);
  }
  json_t *none = fake_lambda_take(s_fx->lambda);
  assert_int_equal(json_array_size(none), 0);
  json_decref(none);
}

static void test_refresh_route_starts_a_sync_at_most_once_a_minute(void **state)
{
  (void)state;
  sim_link_group_skip_without_moto();
  const char *item_id = s_link_bank("ins_109508", 0);
  json_t *answer = s_refresh(USER, item_id, 202);
  assert_string_equal(json_member_string(json_object_get(answer, "item"), "item_id"), item_id);
  json_decref(answer);
  const char *ids[] = {item_id};
  const char *reasons[] = {"user"};
  s_assert_started(USER, ids, reasons, 1);

  answer = s_refresh(USER, item_id, 429);
  assert_string_equal(apigw_forge_error_code(answer), "rate_limited");
  json_decref(answer);
  json_decref(s_refresh(OTHER_USER, item_id, 404));
  json_decref(s_refresh(USER, "item-unknown", 404));
  s_assert_started(USER, ids, reasons, 0);

  /* A refused start is logged: the refresh is still accepted (the daily schedule catches up). */
  char second[STORE_ITEM_ID_MAX + 1];
  s_link(USER, "ins_109509", 0, second);
  fake_lambda_answer(s_fx->lambda, 500, "ServiceException");
  json_decref(s_refresh(USER, second, 202));
  fake_lambda_answer(s_fx->lambda, 202, NULL);
  s_assert_started(USER, ids, reasons, 0);
}

/* POST /link/token asks Plaid (a fake one that records the body) for webhooks at the API's public URL. */
static void test_link_token_names_the_webhook_url(void **state)
{
  (void)state;
  fake_plaid *plaid = NULL;
  assert_int_equal(fake_plaid_new(&plaid), MYNT_OK);
  plaid_config cfg = fake_plaid_config(script_server_url(plaid->server), FAKE_PLAID_SECRET);
  handlers_env env = {0};
  assert_int_equal(plaid_client_new(&cfg, &env.plaid), MYNT_OK);
  mynt_arena *arena = NULL;
  assert_int_equal(arena_new(1024 * 1024, &arena), MYNT_OK);
  apigw_ctx ctx = {.env = &env, .arena = arena, .deadline_ms = clock_epoch_ms() + 10000};
  const struct {
    const char *public_url, *domain, *webhook;
  } cases[] = {
    {NULL, "r3pmxmplak.execute-api.us-east-1.amazonaws.com",
     "https://r3pmxmplak.execute-api.us-east-1.amazonaws.com/webhooks/plaid"},
    {"http://127.0.0.1:3000/", "localhost:3000", "http://127.0.0.1:3000/webhooks/plaid"},
    {NULL, NULL, NULL},
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if(cases[i].public_url)
      setenv("MYNT_PUBLIC_URL", cases[i].public_url, 1);
    else
      unsetenv("MYNT_PUBLIC_URL");
    json_t *event = apigw_forge_event_new(&(apigw_forge_event){.method = "POST",
                                                               .route_key = "POST /link/token",
                                                               .path = "/link/token",
                                                               .domain_name = cases[i].domain,
                                                               .sub = USER});
    json_t *payload = apigw_forge_serve(routes_table(), "items", &ctx, event);
    assert_int_equal(apigw_forge_status(payload), 200);
    json_decref(payload);
    arena_reset(arena);
    const char *sent = json_member_string(plaid->last_link_body, "webhook");
    if(cases[i].webhook)
      assert_string_equal(sent, cases[i].webhook);
    else
      assert_null(sent);
  }
  unsetenv("MYNT_PUBLIC_URL");
  arena_free(arena);
  plaid_client_free(env.plaid);
  fake_plaid_free(plaid);
}

#define T(name) cmocka_unit_test_setup_teardown(name, sim_link_group_test_setup, sim_link_group_test_teardown)

int main(void)
{
  const struct CMUnitTest tests[] = {
    T(test_sync_stores_the_simulators_whole_history_and_saves_the_cursor),
    T(test_sync_brings_in_what_changed_at_plaid_since_the_cursor),
    T(test_sync_replaces_a_pending_transaction_by_its_posted_one),
    T(test_sync_restarts_the_batch_when_plaid_changes_during_paging),
    T(test_sync_cut_off_before_the_cursor_is_saved_syncs_again_without_duplicates),
    T(test_sync_marks_an_item_login_required_and_keeps_its_cursor),
    T(test_sync_keeps_an_expiring_item_expiring_until_its_consent_is_renewed),
    T(test_sync_clears_new_accounts_available_once_plaid_shows_a_new_account),
    T(test_sync_rate_limited_keeps_the_cursor_and_records_the_error),
    T(test_sync_gives_up_on_a_failing_plaid_long_before_the_function_deadline),
    T(test_two_syncs_of_one_item_at_once_end_at_the_simulators_history_and_its_newest_cursor),
    T(test_a_lease_left_by_a_sync_that_died_is_taken_over_once_it_expires),
    T(test_a_sync_that_cannot_wait_for_the_lease_answers_superseded_and_leaves_it_to_the_schedule),
    T(test_sync_of_an_item_deleted_meanwhile_leaves_nothing_behind),
    T(test_delete_leaves_nothing_of_a_sync_that_stored_while_it_ran),
    T(test_schedule_starts_syncs_only_for_items_not_synced_for_a_day),
    T(test_sync_function_events_sync_an_item_run_the_schedule_and_refuse_the_rest),
    T(test_refresh_route_starts_a_sync_at_most_once_a_minute),
    cmocka_unit_test(test_link_token_names_the_webhook_url),
  };
  sim_link_group_use(&s_fx, s_relay, s_reset, FUNCTION, SIM_LINK_TABLE_PER_TEST);
  return cmocka_run_group_tests(tests, sim_link_group_setup, sim_link_group_teardown);
}
