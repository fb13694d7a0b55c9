/* test_plaid_sim_sync.c - the Plaid simulator's /transactions/sync, its /sim knobs and /sandbox/transactions/create, over loopback HTTP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "local/plaid_sim/plaid_sim.h"
#include "core/json.h"
#include "support/sim_client.h"
#include "support/unit_curl.h"

#define S_CLIENT_ID "sync-client-id"
#define S_SECRET    "sync-secret-value"
#define S_TODAY     "2025-06-15"
#define S_DAY30     "2025-05-16" /* today - 30: the first day of the initial update */

static int s_start(const plaid_sim_config *cfg, void **state)
{
  plaid_sim *sim;
  if(plaid_sim_new(cfg, &sim) != MYNT_OK)
    return -1;
  *state = sim;
  return 0;
}

static int s_setup(void **state)
{
  plaid_sim_config cfg = {.client_id = S_CLIENT_ID, .secret = S_SECRET, .today = S_TODAY};
  return s_start(&cfg, state);
}

static _Atomic int64_t s_clock_ms;

static int64_t s_clock(void *ctx)
{
  (void)ctx;
  return atomic_load(&s_clock_ms);
}

/* A simulator whose "today" follows a clock the test moves (no pinned date). */
static int s_setup_moving_clock(void **state)
{
  atomic_store(&s_clock_ms, 1749988800000LL); /* 2025-06-15T12:00:00Z */
  plaid_sim_config cfg = {.client_id = S_CLIENT_ID, .secret = S_SECRET, .now_ms = s_clock};
  return s_start(&cfg, state);
}

static int s_teardown(void **state)
{
  plaid_sim_free(*state);
  return 0;
}

static const char *const s_plaid_headers[] = {"PLAID-CLIENT-ID: " S_CLIENT_ID, "PLAID-SECRET: " S_SECRET, NULL};

/* Sends method path with body (taken over; NULL = none); plaid adds Plaid's key headers. */
static sim_reply s_send(plaid_sim *fx, const char *method, const char *path, json_t *body, bool plaid)
{
  return sim_client_json(fx, method, path, body, plaid ? s_plaid_headers : NULL);
}

static sim_reply s_plaid(plaid_sim *fx, const char *path, json_t *body)
{
  return s_send(fx, "POST", path, body, true);
}

/* A 200 carrying Plaid's request_id. */
static void s_ok(const sim_reply *r)
{
  sim_reply_expect_ok(r);
  assert_non_null(json_member_string(r->body, "request_id"));
}

/* A new item with days_requested of history; writes its item id; returns its access token. */
static char *s_new_item(plaid_sim *fx, int days, char item_id[64])
{
  return sim_client_sandbox_item(fx, s_plaid_headers,
                                 json_pack("{s:s, s:[s], s:{s:{s:i}}}", "institution_id", "ins_109508",
                                           "initial_products", "transactions", "options", "transactions",
                                           "days_requested", days),
                                 item_id);
}

static sim_reply s_sync(plaid_sim *fx, const char *access, const char *cursor, int count)
{
  json_t *body = json_pack("{s:s, s:i}", "access_token", access, "count", count);
  if(cursor)
    json_object_set_new(body, "cursor", json_string(cursor));
  return s_plaid(fx, "/transactions/sync", body);
}

/* Pages from cursor until has_more is false, applying each page to set (transaction_id ->
 * transaction). Writes the final cursor and the last status; returns the number of pages. */
static int s_sync_all(plaid_sim *fx, const char *access, const char *cursor, int count, json_t *set,
                      char out_cursor[64], char out_status[40])
{
  char at[64];
  snprintf(at, sizeof at, "%s", cursor ? cursor : "");
  int pages = 0;
  for(bool more = true; more; pages++) {
    sim_reply r = s_sync(fx, access, at, count);
    s_ok(&r);
    size_t i;
    json_t *t;
    json_t *added = json_object_get(r.body, "added");
    assert_true(json_array_size(added) + json_array_size(json_object_get(r.body, "modified")) +
                  json_array_size(json_object_get(r.body, "removed")) <=
                (size_t)count);
    json_array_foreach(added, i, t) {
      assert_null(json_object_get(set, json_member_string(t, "transaction_id"))); /* never added twice */
      json_object_set(set, json_member_string(t, "transaction_id"), t);
    }
    json_array_foreach(json_object_get(r.body, "modified"), i, t) {
      assert_non_null(json_object_get(set, json_member_string(t, "transaction_id")));
      json_object_set(set, json_member_string(t, "transaction_id"), t);
    }
    json_array_foreach(json_object_get(r.body, "removed"), i, t) {
      assert_non_null(json_member_string(t, "account_id"));
      assert_int_equal(json_object_del(set, json_member_string(t, "transaction_id")), 0);
    }
    more = json_is_true(json_object_get(r.body, "has_more"));
    snprintf(at, sizeof at, "%s", json_member_string(r.body, "next_cursor"));
    snprintf(out_status, 40, "%s", json_member_string(r.body, "transactions_update_status"));
    json_decref(r.body);
  }
  snprintf(out_cursor, 64, "%s", at);
  return pages;
}

/* An item with days of history, synced from the start: its id, access token, every transaction
 * as transaction_id -> transaction (set), the cursor after them, the last update status and how
 * many pages of 500 that took. */
typedef struct {
  char item_id[64], cursor[64], status[40];
  char *access;
  json_t *set;
  int pages;
} s_synced;

static void s_synced_item(plaid_sim *fx, int days, s_synced *it)
{
  it->access = s_new_item(fx, days, it->item_id);
  it->set = json_object();
  it->pages = s_sync_all(fx, it->access, NULL, 500, it->set, it->cursor, it->status);
}

static void s_synced_free(s_synced *it)
{
  json_decref(it->set);
  free(it->access);
}

/* Every transaction /transactions/get returns for [start, end], as transaction_id -> transaction. */
static json_t *s_get_range(plaid_sim *fx, const char *access, const char *start, const char *end)
{
  json_t *set = json_object();
  for(int offset = 0;; offset += 500) {
    sim_reply r = s_plaid(fx, "/transactions/get",
                          json_pack("{s:s, s:s, s:s, s:{s:i, s:i}}", "access_token", access, "start_date", start,
                                    "end_date", end, "options", "count", 500, "offset", offset));
    s_ok(&r);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r.body, "transactions"), i, t)
      json_object_set(set, json_member_string(t, "transaction_id"), t);
    const bool done =
      (json_int_t)json_object_size(set) >= json_integer_value(json_object_get(r.body, "total_transactions"));
    json_decref(r.body);
    if(done)
      return set;
  }
}

static json_t *s_get_all(plaid_sim *fx, const char *access, const char *start)
{
  return s_get_range(fx, access, start, S_TODAY);
}

/* Asserts that a and b hold the same ids with the same amount, date and pending state. */
static void s_same_sets(json_t *a, json_t *b)
{
  assert_int_equal(json_object_size(a), json_object_size(b));
  const char *id;
  json_t *t;
  json_object_foreach(a, id, t) {
    json_t *u = json_object_get(b, id);
    if(!u)
      fail_msg("%s is missing", id);
    assert_true(json_equal(json_object_get(t, "amount"), json_object_get(u, "amount")));
    assert_string_equal(json_member_string(t, "date"), json_member_string(u, "date"));
    assert_true(json_equal(json_object_get(t, "pending"), json_object_get(u, "pending")));
    assert_string_equal(json_member_string(t, "name"), json_member_string(u, "name"));
  }
}

/* Syncs access again from the start and asserts that /transactions/get for [start, end] returns
 * the same transactions; returns those (transaction_id -> transaction) for more checks. */
static json_t *s_resync_matches_get(plaid_sim *fx, const char *access, const char *start, const char *end)
{
  char cursor[64], status[40];
  json_t *synced = json_object();
  s_sync_all(fx, access, NULL, 500, synced, cursor, status);
  json_t *got = s_get_range(fx, access, start, end);
  s_same_sets(synced, got);
  json_decref(synced);
  return got;
}

static sim_reply s_sim(plaid_sim *fx, const char *method, const char *item_id, const char *what, json_t *body)
{
  char path[160];
  snprintf(path, sizeof path, "/sim/items/%s/%s", item_id, what);
  return s_send(fx, method, path, body, false);
}

/* ---- tests ---- */

static void test_sync_from_the_start_yields_exactly_what_transactions_get_returns(void **state)
{
  plaid_sim *fx = *state;
  s_synced it;
  s_synced_item(fx, 730, &it);
  assert_true(it.pages > 2);
  assert_string_equal(it.status, "HISTORICAL_UPDATE_COMPLETE");
  json_t *got = s_get_all(fx, it.access, "2023-06-15");
  assert_true(json_object_size(got) > 1000);
  s_same_sets(it.set, got);

  /* Nothing changed: the saved cursor answers an empty page, and again the same one. */
  sim_reply r = s_sync(fx, it.access, it.cursor, 100);
  s_ok(&r);
  assert_int_equal(json_array_size(json_object_get(r.body, "added")), 0);
  assert_false(json_is_true(json_object_get(r.body, "has_more")));
  assert_string_equal(json_member_string(r.body, "next_cursor"), it.cursor);
  assert_int_equal(json_array_size(json_object_get(r.body, "accounts")), 3);
  json_decref(r.body);
  json_decref(got);
  s_synced_free(&it);
}

static void test_sync_pages_are_idempotent_and_count_is_bounded(void **state)
{
  plaid_sim *fx = *state;
  char item_id[64];
  char *access = s_new_item(fx, 365, item_id);
  sim_reply first = s_sync(fx, access, "", 1);
  s_ok(&first);
  assert_int_equal(json_array_size(json_object_get(first.body, "added")), 1);
  assert_true(json_is_true(json_object_get(first.body, "has_more")));
  const char *next = json_member_string(first.body, "next_cursor");
  sim_reply a = s_sync(fx, access, next, 7), b = s_sync(fx, access, next, 7);
  s_ok(&a);
  s_ok(&b);
  json_object_del(a.body, "request_id");
  json_object_del(b.body, "request_id");
  assert_true(json_equal(a.body, b.body));
  assert_int_equal(json_array_size(json_object_get(a.body, "added")), 7);
  json_decref(a.body);
  json_decref(b.body);
  json_decref(first.body);

  /* the default is 100 */
  sim_reply d = s_plaid(fx, "/transactions/sync", json_pack("{s:s}", "access_token", access));
  s_ok(&d);
  assert_int_equal(json_array_size(json_object_get(d.body, "added")), 100);
  json_decref(d.body);

  const int bad_counts[] = {0, 501, -1};
  for(size_t i = 0; i < sizeof bad_counts / sizeof bad_counts[0]; i++) {
    sim_reply r = s_sync(fx, access, NULL, bad_counts[i]);
    sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  }
  sim_reply r = s_plaid(fx, "/transactions/sync", json_pack("{s:s, s:s}", "access_token", access, "count", "5"));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_sync(fx, access, NULL, 500);
  s_ok(&r);
  assert_int_equal(json_array_size(json_object_get(r.body, "added")), 500);
  json_decref(r.body);
  free(access);
}

static void test_sync_rejects_forged_and_foreign_cursors_and_bad_fields(void **state)
{
  plaid_sim *fx = *state;
  char item_a[64], item_b[64];
  char *a = s_new_item(fx, 90, item_a), *b = s_new_item(fx, 90, item_b);
  sim_reply r = s_sync(fx, a, "", 10);
  s_ok(&r);
  char cursor[64];
  snprintf(cursor, sizeof cursor, "%s", json_member_string(r.body, "next_cursor"));
  json_decref(r.body);

  r = s_sync(fx, b, cursor, 10); /* another item's cursor */
  assert_string_equal(json_member_string(r.body, "error_message"), "cursor not valid");
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  char forged[64];
  snprintf(forged, sizeof forged, "%s", cursor);
  forged[3] = forged[3] == 'A' ? 'B' : 'A';
  const char *bad[] = {forged, "not-a-cursor", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r = s_sync(fx, a, bad[i], 10);
    sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  }
  r = s_plaid(fx, "/transactions/sync", json_pack("{s:s, s:i}", "access_token", a, "cursor", 12));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_plaid(fx, "/transactions/sync", json_pack("{s:s, s:{s:b}}", "access_token", a, "options", "teleport", 1));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "UNKNOWN_FIELDS");
  r = s_plaid(fx, "/transactions/sync", json_pack("{s:s, s:i}", "access_token", a, "surprise", 1));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "UNKNOWN_FIELDS");
  r =
    s_plaid(fx, "/transactions/sync", json_pack("{s:s, s:{s:i}}", "access_token", a, "options", "days_requested", 731));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_plaid(fx, "/transactions/sync",
              json_pack("{s:s, s:{s:s}}", "access_token", a, "options", "include_original_description", "yes"));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_plaid(fx, "/transactions/sync",
              json_pack("{s:s, s:{s:s}}", "access_token", a, "options", "account_id", "not-an-account"));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_plaid(fx, "/transactions/sync", json_object());
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "MISSING_FIELDS");
  r = s_sync(fx, "access-sandbox-00000000-0000-4000-8000-000000000000", NULL, 10);
  sim_reply_expect_error(&r, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN");
  r = s_send(fx, "POST", "/transactions/sync", json_pack("{s:s}", "access_token", a), false);
  sim_reply_expect_error(&r, 400, "INVALID_INPUT", "INVALID_API_KEYS");

  /* options that Plaid takes are accepted; original_description then carries the descriptor */
  r =
    s_plaid(fx, "/transactions/sync",
            json_pack("{s:s, s:i, s:{s:b, s:b, s:i}}", "access_token", a, "count", 3, "options",
                      "include_original_description", 1, "include_personal_finance_category", 1, "days_requested", 30));
  s_ok(&r);
  json_t *t = json_array_get(json_object_get(r.body, "added"), 0);
  assert_string_equal(json_member_string(t, "original_description"), json_member_string(t, "name"));
  json_decref(r.body);
  free(a);
  free(b);
}

static void test_sync_filters_by_account_with_its_own_cursor(void **state)
{
  plaid_sim *fx = *state;
  char item_id[64];
  char *access = s_new_item(fx, 60, item_id);
  sim_reply acc = s_plaid(fx, "/accounts/get", json_pack("{s:s}", "access_token", access));
  s_ok(&acc);
  const char *card = json_member_string(json_array_get(json_object_get(acc.body, "accounts"), 2), "account_id");
  sim_reply r =
    s_plaid(fx, "/transactions/sync",
            json_pack("{s:s, s:i, s:{s:s}}", "access_token", access, "count", 500, "options", "account_id", card));
  s_ok(&r);
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(r.body, "added"), i, t)
    assert_string_equal(json_member_string(t, "account_id"), card);
  assert_int_equal(json_array_size(json_object_get(r.body, "accounts")), 1);
  /* the account's cursor is not a cursor for the whole item */
  sim_reply w = s_sync(fx, access, json_member_string(r.body, "next_cursor"), 10);
  sim_reply_expect_error(&w, 400, "INVALID_REQUEST", "INVALID_FIELD");
  json_decref(r.body);
  json_decref(acc.body);
  free(access);
}

/* Returns the id of the first transaction in set whose pending flag is pending (NULL when none). */
static const char *s_pick(json_t *set, bool pending)
{
  const char *id;
  json_t *t;
  json_object_foreach(set, id, t)
    if(json_is_true(json_object_get(t, "pending")) == pending)
      return id;
  return NULL;
}

static void test_sim_changes_arrive_as_added_modified_removed_from_the_saved_cursor(void **state)
{
  plaid_sim *fx = *state;
  s_synced it;
  s_synced_item(fx, 90, &it);
  char modify[64], drop[64];
  snprintf(modify, sizeof modify, "%s", s_pick(it.set, false));
  json_t *drop_txn = NULL;
  const char *id;
  json_t *t;
  json_object_foreach(it.set, id, t)
    if(strcmp(id, modify) != 0 && !json_is_true(json_object_get(t, "pending"))) {
      drop_txn = t;
      snprintf(drop, sizeof drop, "%s", id);
    }
  assert_non_null(drop_txn);

  sim_reply r = s_sim(fx, "POST", it.item_id, "transactions",
                      json_pack("{s:[{s:f, s:s, s:s}], s:[{s:s, s:f, s:s}], s:[s]}", "added", "amount", 12.34, "name",
                                "CORNER BAKERY", "date", "2025-06-14", "modified", "transaction_id", modify, "amount",
                                99.99, "name", "RENAMED BY SIM", "removed", drop));
  s_ok(&r);
  char added_id[64];
  snprintf(added_id, sizeof added_id, "%s", json_string_value(json_array_get(json_object_get(r.body, "added"), 0)));
  assert_int_equal(strlen(added_id), 37);
  json_decref(r.body);

  sim_reply page = s_sync(fx, it.access, it.cursor, 100);
  s_ok(&page);
  json_t *added = json_object_get(page.body, "added"), *modified = json_object_get(page.body, "modified");
  json_t *removed = json_object_get(page.body, "removed");
  assert_int_equal(json_array_size(added), 1);
  assert_int_equal(json_array_size(modified), 1);
  assert_int_equal(json_array_size(removed), 1);
  assert_string_equal(json_member_string(json_array_get(added, 0), "transaction_id"), added_id);
  assert_string_equal(json_member_string(json_array_get(added, 0), "name"), "CORNER BAKERY");
  assert_true(json_number_value(json_object_get(json_array_get(added, 0), "amount")) == 12.34);
  assert_string_equal(json_member_string(json_array_get(modified, 0), "transaction_id"), modify);
  assert_true(json_number_value(json_object_get(json_array_get(modified, 0), "amount")) == 99.99);
  assert_string_equal(json_member_string(json_array_get(removed, 0), "transaction_id"), drop);
  assert_string_equal(json_member_string(json_array_get(removed, 0), "account_id"),
                      json_member_string(drop_txn, "account_id"));
  json_decref(page.body);

  /* /transactions/get and the saved set agree after the changes */
  json_t *got = s_resync_matches_get(fx, it.access, "2025-03-17", S_TODAY);
  assert_non_null(json_object_get(got, added_id));
  assert_null(json_object_get(got, drop));
  assert_string_equal(json_member_string(json_object_get(got, modify), "name"), "RENAMED BY SIM");
  json_decref(got);
  s_synced_free(&it);
}

static void test_sim_changes_are_validated_and_all_or_nothing(void **state)
{
  plaid_sim *fx = *state;
  s_synced it;
  s_synced_item(fx, 90, &it);
  const char *posted = s_pick(it.set, false);
  const char *unknown = "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ";
  json_t *cases[] = {
    json_pack("{s:[s]}", "removed", unknown),
    json_pack("{s:[s], s:[{s:s, s:f}]}", "removed", posted, "modified", "transaction_id", posted, "amount", 1.0),
    json_pack("{s:[{s:s, s:b}]}", "modified", "transaction_id", posted, "pending", 0), /* already posted */
    json_pack("{s:[{s:s, s:b}]}", "modified", "transaction_id", posted, "pending", 1),
    json_pack("{s:[{s:f, s:s, s:s}]}", "added", "amount", 1.0, "name", "X", "date", "2025-06-16"), /* future */
    json_pack("{s:[{s:f, s:s, s:s}]}", "added", "amount", 1.0, "name", "X", "date", "2024-01-01"), /* too old */
    json_pack("{s:[{s:f}]}", "added", "amount", 1.0),
    json_pack("{s:[{s:f, s:s, s:s}]}", "added", "amount", 1.0, "name", "X", "account_id", "nope"),
    json_pack("{s:[{s:f, s:s, s:i}]}", "added", "amount", 1.0, "name", "X", "color", 3),
    json_pack("{s:[]}", "changed"),
    json_pack("{s:s}", "added", "not a list"),
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sim_reply r = s_sim(fx, "POST", it.item_id, "transactions", cases[i]);
    sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  }
  /* a good addition next to a bad removal changed nothing */
  sim_reply r = s_sim(fx, "POST", it.item_id, "transactions",
                      json_pack("{s:[{s:f, s:s}], s:[s]}", "added", "amount", 5.0, "name", "OK", "removed", unknown));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_sync(fx, it.access, it.cursor, 100);
  s_ok(&r);
  assert_int_equal(json_array_size(json_object_get(r.body, "added")), 0);
  json_decref(r.body);
  r = s_sim(fx, "POST", "NoSuchItem", "transactions", json_object());
  sim_reply_expect_error(&r, 404, "INVALID_INPUT", "ITEM_NOT_FOUND");
  s_synced_free(&it);
}

static void test_pending_that_posts_arrives_as_removal_plus_addition(void **state)
{
  plaid_sim *fx = *state;
  s_synced it;
  s_synced_item(fx, 30, &it);
  char pending[64];
  assert_non_null(s_pick(it.set, true));
  snprintf(pending, sizeof pending, "%s", s_pick(it.set, true));
  const double amount = json_number_value(json_object_get(json_object_get(it.set, pending), "amount"));

  sim_reply r = s_sim(fx, "POST", it.item_id, "transactions",
                      json_pack("{s:[{s:s, s:b}]}", "modified", "transaction_id", pending, "pending", 0));
  s_ok(&r);
  json_t *post = json_array_get(json_object_get(r.body, "posted"), 0);
  assert_string_equal(json_member_string(post, "pending_transaction_id"), pending);
  char posted[64];
  snprintf(posted, sizeof posted, "%s", json_member_string(post, "transaction_id"));
  assert_int_equal(json_array_size(json_object_get(r.body, "modified")), 0);
  json_decref(r.body);

  r = s_sync(fx, it.access, it.cursor, 100);
  s_ok(&r);
  json_t *added = json_object_get(r.body, "added"), *removed = json_object_get(r.body, "removed");
  assert_int_equal(json_array_size(added), 1);
  assert_int_equal(json_array_size(removed), 1);
  assert_int_equal(json_array_size(json_object_get(r.body, "modified")), 0);
  assert_string_equal(json_member_string(json_array_get(removed, 0), "transaction_id"), pending);
  json_t *t = json_array_get(added, 0);
  assert_string_equal(json_member_string(t, "transaction_id"), posted);
  assert_string_equal(json_member_string(t, "pending_transaction_id"), pending);
  assert_false(json_is_true(json_object_get(t, "pending")));
  assert_string_equal(json_member_string(t, "date"), S_TODAY);
  assert_true(json_number_value(json_object_get(t, "amount")) == amount);
  json_decref(r.body);

  json_t *got = s_get_all(fx, it.access, S_DAY30);
  assert_null(json_object_get(got, pending));
  assert_non_null(json_object_get(got, posted));
  json_decref(got);
  s_synced_free(&it);
}

static void test_mutation_knob_fails_one_mid_pagination_call(void **state)
{
  plaid_sim *fx = *state;
  char item_id[64];
  char *access = s_new_item(fx, 90, item_id);
  sim_reply first = s_sync(fx, access, NULL, 50);
  s_ok(&first);
  assert_true(json_is_true(json_object_get(first.body, "has_more")));
  const char *mid = json_member_string(first.body, "next_cursor");

  sim_reply k = s_sim(fx, "POST", item_id, "sync", json_pack("{s:b}", "mutation_during_pagination", 1));
  s_ok(&k);
  assert_true(json_is_true(json_object_get(k.body, "mutation_during_pagination")));
  json_decref(k.body);
  /* the first call of a batch ("" here) is not in the middle of paging: it passes */
  sim_reply r = s_sync(fx, access, "", 50);
  s_ok(&r);
  json_decref(r.body);
  r = s_sync(fx, access, mid, 50);
  sim_reply_expect_error(&r, 400, "TRANSACTIONS_ERROR", "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION");
  r = s_sync(fx, access, mid, 50); /* once */
  s_ok(&r);
  json_decref(r.body);
  k = s_sim(fx, "GET", item_id, "sync", NULL);
  s_ok(&k);
  assert_false(json_is_true(json_object_get(k.body, "mutation_during_pagination")));
  json_decref(k.body);
  json_decref(first.body);
  free(access);
}

static void test_history_goes_not_ready_then_initial_then_historical(void **state)
{
  plaid_sim *fx = *state;
  char item_id[64], cursor[64], status[40];
  char *access = s_new_item(fx, 180, item_id);
  sim_reply k = s_sim(fx, "POST", item_id, "sync", json_pack("{s:s}", "history", "none"));
  s_ok(&k);
  assert_string_equal(json_member_string(k.body, "transactions_update_status"), "NOT_READY");
  json_decref(k.body);

  sim_reply r = s_sync(fx, access, "", 100);
  s_ok(&r);
  assert_string_equal(json_member_string(r.body, "transactions_update_status"), "NOT_READY");
  assert_string_equal(json_member_string(r.body, "next_cursor"), "");
  assert_false(json_is_true(json_object_get(r.body, "has_more")));
  assert_int_equal(json_array_size(json_object_get(r.body, "added")), 0);
  json_decref(r.body);

  k = s_sim(fx, "POST", item_id, "sync", json_pack("{s:s}", "history", "initial"));
  s_ok(&k);
  json_decref(k.body);
  json_t *synced = json_object();
  s_sync_all(fx, access, "", 100, synced, cursor, status);
  assert_string_equal(status, "INITIAL_UPDATE_COMPLETE");
  json_t *recent = s_get_all(fx, access, S_DAY30);
  s_same_sets(synced, recent);

  k = s_sim(fx, "POST", item_id, "sync", json_pack("{s:s}", "history", "none"));
  sim_reply_expect_error(&k, 400, "INVALID_REQUEST", "INVALID_FIELD"); /* history never goes back */
  k = s_sim(fx, "POST", item_id, "sync", json_pack("{s:s}", "history", "complete"));
  s_ok(&k);
  json_decref(k.body);
  json_t *older = json_object();
  s_sync_all(fx, access, cursor, 100, older, cursor, status);
  assert_string_equal(status, "HISTORICAL_UPDATE_COMPLETE");
  const char *id;
  json_t *t;
  json_object_foreach(older, id, t) {
    assert_true(strcmp(json_member_string(t, "date"), S_DAY30) < 0);
    json_object_set(synced, id, t);
  }
  json_t *all = s_get_all(fx, access, "2024-12-17");
  s_same_sets(synced, all);
  k = s_sim(fx, "POST", item_id, "sync", json_pack("{s:s}", "history", "later"));
  sim_reply_expect_error(&k, 400, "INVALID_REQUEST", "INVALID_FIELD");
  json_decref(all);
  json_decref(older);
  json_decref(recent);
  json_decref(synced);
  free(access);
}

static void test_sandbox_transactions_create_appends_additions(void **state)
{
  plaid_sim *fx = *state;
  s_synced it;
  s_synced_item(fx, 90, &it);
  sim_reply r =
    s_plaid(fx, "/sandbox/transactions/create",
            json_pack("{s:s, s:[{s:s, s:s, s:f, s:s, s:s}, {s:s, s:s, s:f, s:s}]}", "access_token", it.access,
                      "transactions", "date_transacted", "2025-06-10", "date_posted", "2025-06-11", "amount", 42.5,
                      "description", "SANDBOX COFFEE", "iso_currency_code", "USD", "date_transacted", "2025-06-12",
                      "date_posted", "2025-06-12", "amount", -100.0, "description", "SANDBOX REFUND"));
  s_ok(&r);
  json_decref(r.body);
  r = s_sync(fx, it.access, it.cursor, 100);
  s_ok(&r);
  json_t *added = json_object_get(r.body, "added");
  assert_int_equal(json_array_size(added), 2);
  sim_reply acc = s_plaid(fx, "/accounts/get", json_pack("{s:s}", "access_token", it.access));
  s_ok(&acc);
  const char *checking = json_member_string(json_array_get(json_object_get(acc.body, "accounts"), 0), "account_id");
  size_t i;
  json_t *t;
  json_array_foreach(added, i, t) {
    assert_string_equal(json_member_string(t, "account_id"), checking);
    assert_false(json_is_true(json_object_get(t, "pending")));
  }
  /* newest first: the refund posted on the 12th, the coffee on the 11th */
  json_t *coffee = json_array_get(added, 1);
  assert_string_equal(json_member_string(json_array_get(added, 0), "name"), "SANDBOX REFUND");
  assert_true(json_number_value(json_object_get(json_array_get(added, 0), "amount")) == -100.0);
  assert_string_equal(json_member_string(coffee, "name"), "SANDBOX COFFEE");
  assert_string_equal(json_member_string(coffee, "authorized_date"), "2025-06-10");
  assert_string_equal(json_member_string(coffee, "date"), "2025-06-11");
  json_decref(acc.body);
  json_decref(r.body);

  json_t *eleven = json_array();
  for(int n = 0; n < 11; n++)
    json_array_append_new(eleven, json_pack("{s:s, s:s, s:f, s:s}", "date_transacted", S_TODAY, "date_posted", S_TODAY,
                                            "amount", 1.0, "description", "X"));
  r = s_plaid(fx, "/sandbox/transactions/create",
              json_pack("{s:s, s:o}", "access_token", it.access, "transactions", eleven));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_plaid(fx, "/sandbox/transactions/create",
              json_pack("{s:s, s:[{s:s, s:s, s:f, s:s}]}", "access_token", it.access, "transactions", "date_transacted",
                        "2025-05-20", "date_posted", "2025-05-20", "amount", 1.0, "description", "TOO OLD"));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_plaid(fx, "/sandbox/transactions/create",
              json_pack("{s:s, s:[{s:s, s:s, s:f, s:s}]}", "access_token", it.access, "transactions", "date_transacted",
                        "2025-06-12", "date_posted", "2025-06-11", "amount", 1.0, "description", "POSTED FIRST"));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "INVALID_FIELD");
  r = s_plaid(fx, "/sandbox/transactions/create",
              json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "access_token", it.access, "transactions", "date_transacted",
                        S_TODAY, "date_posted", S_TODAY, "description", "NO AMOUNT"));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "MISSING_FIELDS");
  r = s_plaid(fx, "/sandbox/transactions/create", json_pack("{s:s}", "access_token", it.access));
  sim_reply_expect_error(&r, 400, "INVALID_REQUEST", "MISSING_FIELDS");
  s_synced_free(&it);
}

static void test_days_passing_arrive_as_new_and_posted_transactions(void **state)
{
  plaid_sim *fx = *state;
  s_synced it;
  s_synced_item(fx, 90, &it);
  atomic_fetch_add(&s_clock_ms, 4LL * 86400 * 1000); /* 2025-06-19 */

  sim_reply r = s_sync(fx, it.access, it.cursor, 500);
  s_ok(&r);
  json_t *added = json_object_get(r.body, "added"), *removed = json_object_get(r.body, "removed");
  assert_true(json_array_size(added) > 0);
  assert_true(json_array_size(removed) > 0);
  /* every pending transaction that posted is removed, and its posted one names it */
  size_t i, posted = 0;
  json_t *t;
  json_array_foreach(added, i, t) {
    const char *was = json_member_string(t, "pending_transaction_id");
    if(!was || !json_object_get(it.set, was))
      continue;
    posted++;
    bool gone = false;
    size_t j;
    json_t *u;
    json_array_foreach(removed, j, u)
      gone = gone || strcmp(json_member_string(u, "transaction_id"), was) == 0;
    assert_true(gone);
  }
  assert_true(posted > 0);
  json_decref(r.body);

  json_decref(s_resync_matches_get(fx, it.access, "2023-06-15", "2025-06-19"));
  s_synced_free(&it);
}

#define S_TEST(fn) cmocka_unit_test_setup_teardown(fn, s_setup, s_teardown)
UNIT_MAIN("plaid_sim_sync", unit_curl_setup, unit_curl_teardown,
          {
            S_TEST(test_sync_from_the_start_yields_exactly_what_transactions_get_returns),
            S_TEST(test_sync_pages_are_idempotent_and_count_is_bounded),
            S_TEST(test_sync_rejects_forged_and_foreign_cursors_and_bad_fields),
            S_TEST(test_sync_filters_by_account_with_its_own_cursor),
            S_TEST(test_sim_changes_arrive_as_added_modified_removed_from_the_saved_cursor),
            S_TEST(test_sim_changes_are_validated_and_all_or_nothing),
            S_TEST(test_pending_that_posts_arrives_as_removal_plus_addition),
            S_TEST(test_mutation_knob_fails_one_mid_pagination_call),
            S_TEST(test_history_goes_not_ready_then_initial_then_historical),
            S_TEST(test_sandbox_transactions_create_appends_additions),
            cmocka_unit_test_setup_teardown(test_days_passing_arrive_as_new_and_posted_transactions,
                                            s_setup_moving_clock, s_teardown),
          })
