/* test_store_history_moto.c - the TXN# month buckets against moto_server (the "moto" fixture). */
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

#include "aws/dynamodb.h"
#include "core/b64.h"
#include "core/clock.h"
#include "store/history.h"
#include "store/store.h"
#include "support/json_join.h"
#include "support/moto_fixture.h"
#include "support/moto_store.h"

#define USER "user-a"

typedef moto_store_fixture s_fixture;

static int64_t s_deadline(void)
{
  return clock_epoch_ms() + 20000;
}

/* A stored transaction. */
static json_t *s_txn(const char *id, const char *account, const char *date, long long cents, bool pending,
                     const char *pending_id)
{
  return json_pack("{s:s, s:s, s:s, s:n, s:s, s:n, s:I, s:s, s:b, s:s*, s:s, s:s, s:s, s:s}", "transaction_id", id,
                   "account_id", account, "date", date, "authorized_date", "name", id, "merchant_name", "amount_cents",
                   (json_int_t)cents, "iso_currency_code", "USD", "pending", pending, "pending_transaction_id",
                   pending_id, "category", "FOOD_AND_DRINK", "category_detailed", "FOOD_AND_DRINK_COFFEE",
                   "payment_channel", "in store", "flow", "out");
}

/* Every TXN# record of user (raw attribute maps), in key order. */
static json_t *s_raw_buckets(s_fixture *fx, const char *user)
{
  json_t *response =
    moto_fixture_ddb(fx->env.store->ddb, "Query",
                     json_pack("{s:s, s:s, s:{s:{s:s}, s:{s:s}}, s:b}", "TableName", fx->env.store->table,
                               "KeyConditionExpression", "user_id = :u AND begins_with(sk, :p)",
                               "ExpressionAttributeValues", ":u", "S", user, ":p", "S", "TXN#", "ConsistentRead", 1));
  json_t *items = json_incref(json_object_get(response, "Items"));
  json_decref(response);
  return items;
}

/* The buckets of user as {sk: [transactions]} (decoded), checking n and v of each. */
static json_t *s_buckets(s_fixture *fx, const char *user)
{
  json_t *raw = s_raw_buckets(fx, user);
  json_t *out = json_object();
  size_t i;
  json_t *record;
  json_array_foreach(raw, i, record) {
    json_t *plain = ddb_unmarshal_item(record);
    const char *z = json_string_value(json_object_get(plain, "z"));
    assert_non_null(z);
    mynt_buf bytes;
    buf_init(&bytes, 1 << 20);
    assert_int_equal(b64_std_decode_buf(z, strlen(z), &bytes), MYNT_OK);
    json_t *txns = NULL;
    assert_int_equal(store_history_decode((const unsigned char *)bytes.ptr, bytes.len, &txns), MYNT_OK);
    buf_free(&bytes);
    assert_int_equal(json_integer_value(json_object_get(plain, "n")), json_array_size(txns));
    assert_int_equal(json_integer_value(json_object_get(plain, "v")), 1);
    const char *sk = json_string_value(json_object_get(plain, "sk"));
    char month[8];
    snprintf(month, sizeof month, "%.7s", sk + 4);
    assert_string_equal(json_string_value(json_object_get(plain, "month")), month);
    json_object_set_new(out, sk, txns);
    json_decref(plain);
  }
  json_decref(raw);
  return out;
}

/* The sort keys of user's buckets joined by spaces. */
static void s_bucket_keys(s_fixture *fx, const char *user, char *out, size_t cap)
{
  json_t *raw = s_raw_buckets(fx, user);
  json_t *plain = json_array();
  size_t i;
  json_t *record;
  json_array_foreach(raw, i, record)
    json_array_append_new(plain, ddb_unmarshal_item(record));
  json_join_member(plain, "sk", out, cap);
  json_decref(plain);
  json_decref(raw);
}

/* Fails the test unless the transaction ids of txns (a bucket, or any array of transactions), joined by spaces, are
 * want. */
static void s_expect_ids(const json_t *txns, const char *want)
{
  char ids[512];
  json_join_member(txns, "transaction_id", ids, sizeof ids);
  if(strcmp(ids, want) != 0)
    fail_msg("the transactions are \"%s\", not \"%s\"", ids, want);
}

static void s_apply(s_fixture *fx, const char *item, json_t *added, json_t *modified, json_t *removed, json_t *months)
{
  assert_int_equal(store_history_apply(fx->env.store, USER, item, added, modified, removed, months, s_deadline()),
                   MYNT_OK);
  json_decref(added);
  json_decref(modified);
  json_decref(removed);
}

static void test_apply_sorts_each_month_and_applying_twice_leaves_the_same_buckets(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_t *months = json_object();
  json_t *added = json_pack(
    "[o, o, o, o, o]", s_txn("t-b", "acc-1", "2026-11-02", 500, false, NULL),
    s_txn("t-a", "acc-1", "2026-11-02", 250, false, NULL), s_txn("t-c", "acc-2", "2026-11-20", -120000, false, NULL),
    s_txn("t-d", "acc-1", "2026-10-31", 999, false, NULL), s_txn("t-e", "acc-1", "2026-10-01", 1, true, NULL));
  assert_int_equal(store_history_apply(fx->env.store, USER, "item-1", added, NULL, NULL, months, s_deadline()),
                   MYNT_OK);
  char keys[512];
  s_bucket_keys(fx, USER, keys, sizeof keys);
  assert_string_equal(keys, "TXN#2026-10#item-1 TXN#2026-11#item-1");
  json_t *first = s_buckets(fx, USER);
  s_expect_ids(json_object_get(first, "TXN#2026-11#item-1"), "t-c t-a t-b");
  s_expect_ids(json_object_get(first, "TXN#2026-10#item-1"), "t-d t-e");
  /* Stored as given, amounts in integer cents. */
  json_t *c = json_array_get(json_object_get(first, "TXN#2026-11#item-1"), 0);
  assert_true(json_equal(c, json_array_get(added, 2)));
  json_t *expected_months = json_pack("{s:i, s:i}", "2026-10", 2, "2026-11", 3);
  assert_true(json_equal(months, expected_months));

  /* The same batch again (a sync that stopped before saving its cursor) changes nothing. */
  assert_int_equal(store_history_apply(fx->env.store, USER, "item-1", added, NULL, NULL, months, s_deadline()),
                   MYNT_OK);
  json_t *second = s_buckets(fx, USER);
  assert_true(json_equal(first, second));
  assert_true(json_equal(months, expected_months));
  /* Also with a stale month map (the first apply's counts never saved). */
  json_t *stale = json_object();
  assert_int_equal(store_history_apply(fx->env.store, USER, "item-1", added, NULL, NULL, stale, s_deadline()), MYNT_OK);
  json_t *third = s_buckets(fx, USER);
  assert_true(json_equal(first, third));
  assert_true(json_equal(stale, expected_months));
  json_decref(stale);
  json_decref(first);
  json_decref(second);
  json_decref(third);
  json_decref(expected_months);
  json_decref(added);
  json_decref(months);
}

static void test_a_modified_transaction_whose_date_moves_leaves_its_old_month(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_t *months = json_object();
  s_apply(fx, "item-1",
          json_pack("[o, o, o]", s_txn("t-1", "acc-1", "2026-10-31", 100, true, NULL),
                    s_txn("t-2", "acc-1", "2026-10-15", 200, false, NULL),
                    s_txn("t-3", "acc-1", "2026-11-03", 300, false, NULL)),
          NULL, NULL, months);
  json_t *moved = s_txn("t-1", "acc-1", "2026-11-01", 150, false, NULL);
  json_t *renamed = s_txn("t-2", "acc-1", "2026-10-15", 200, false, NULL);
  json_object_set_new(renamed, "merchant_name", json_string("Corner Cafe"));
  s_apply(fx, "item-1", NULL, json_pack("[O, O]", moved, renamed), NULL, months);

  json_t *buckets = s_buckets(fx, USER);
  s_expect_ids(json_object_get(buckets, "TXN#2026-11#item-1"), "t-3 t-1");
  s_expect_ids(json_object_get(buckets, "TXN#2026-10#item-1"), "t-2");
  assert_true(json_equal(json_array_get(json_object_get(buckets, "TXN#2026-11#item-1"), 1), moved));
  assert_true(json_equal(json_array_get(json_object_get(buckets, "TXN#2026-10#item-1"), 0), renamed));
  json_t *expected_months = json_pack("{s:i, s:i}", "2026-10", 1, "2026-11", 2);
  assert_true(json_equal(months, expected_months));
  json_decref(expected_months);
  json_decref(buckets);
  json_decref(moved);
  json_decref(renamed);
  json_decref(months);
}

static void test_a_posted_transaction_replaces_its_pending_one_from_an_older_month_and_empty_buckets_go(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_t *months = json_object();
  s_apply(fx, "item-1",
          json_pack("[o, o, o]", s_txn("p-1", "acc-1", "2026-08-31", 4200, true, NULL),
                    s_txn("t-9", "acc-1", "2026-11-10", 10, false, NULL),
                    s_txn("t-old", "acc-1", "2025-01-10", 10, false, NULL)),
          NULL, NULL, months);
  /* Another item's bucket of the same month is not touched. */
  json_t *other_months = json_object();
  s_apply(fx, "item-2", json_pack("[o]", s_txn("x-1", "acc-9", "2026-08-15", 7, false, NULL)), NULL, NULL,
          other_months);

  /* Pending p-1 posts: Plaid removes it and adds the posted one, in a month of its own. */
  s_apply(fx, "item-1", json_pack("[o]", s_txn("t-posted", "acc-1", "2026-09-02", 4200, false, "p-1")), NULL,
          json_pack("[{s:s, s:s}]", "transaction_id", "p-1", "account_id", "acc-1"), months);
  char keys[512];
  s_bucket_keys(fx, USER, keys, sizeof keys);
  assert_string_equal(keys, "TXN#2025-01#item-1 TXN#2026-08#item-2 TXN#2026-09#item-1 TXN#2026-11#item-1");
  json_t *expected_months = json_pack("{s:i, s:i, s:i}", "2025-01", 1, "2026-09", 1, "2026-11", 1);
  assert_true(json_equal(months, expected_months));

  /* Removing an id that is nowhere (already removed) is harmless. */
  s_apply(fx, "item-1", NULL, NULL, json_pack("[s]", "p-1"), months);
  assert_true(json_equal(months, expected_months));
  /* A removal is found anywhere within 25 months of the newest month: t-old is 22 months back. */
  s_apply(fx, "item-1", NULL, NULL, json_pack("[s]", "t-old"), months);
  s_bucket_keys(fx, USER, keys, sizeof keys);
  assert_string_equal(keys, "TXN#2026-08#item-2 TXN#2026-09#item-1 TXN#2026-11#item-1");
  json_decref(expected_months);
  json_decref(months);
  json_decref(other_months);
}

static void test_a_malformed_transaction_writes_nothing(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_t *months = json_object();
  json_t *bad_date = json_pack("[o, o]", s_txn("t-1", "acc-1", "2026-11-01", 1, false, NULL),
                               s_txn("t-2", "acc-1", "2026-02-30", 1, false, NULL));
  json_t *no_id = json_pack("[{s:s}]", "date", "2026-11-01");
  assert_int_equal(store_history_apply(fx->env.store, USER, "item-1", bad_date, NULL, NULL, months, s_deadline()),
                   MYNT_BAD_REQUEST);
  assert_int_equal(store_history_apply(fx->env.store, USER, "item-1", NULL, no_id, NULL, months, s_deadline()),
                   MYNT_BAD_REQUEST);
  assert_int_equal(store_history_apply(fx->env.store, "#ITEMS", "item-1", NULL, NULL, NULL, months, s_deadline()),
                   MYNT_BAD_REQUEST);
  json_t *raw = s_raw_buckets(fx, USER);
  assert_int_equal(json_array_size(raw), 0);
  assert_int_equal(json_object_size(months), 0);
  json_decref(raw);
  json_decref(bad_date);
  json_decref(no_id);
  json_decref(months);
}

/* Stores the same layout for two items: item-a has a-<month>-<k>, item-b b-<month>-<k>, on the
 * 10th and 20th of months 2026-06..2026-11, accounts acc-a / acc-b; item-c (not the user's any
 * more) has one transaction in 2026-11. */
static void s_seed_two_items(s_fixture *fx)
{
  static const char *const items[] = {"item-a", "item-b"};
  for(size_t i = 0; i < 2; i++) {
    json_t *months = json_object();
    json_t *added = json_array();
    for(int m = 6; m <= 11; m++) {
      for(int d = 10; d <= 20; d += 10) {
        char id[32];
        char date[11];
        char account[16];
        snprintf(id, sizeof id, "%c-%02d-%02d", items[i][5], m, d);
        snprintf(date, sizeof date, "2026-%02d-%02d", m, d);
        snprintf(account, sizeof account, "acc-%c", items[i][5]);
        json_array_append_new(added, s_txn(id, account, date, 100 * m + d, false, NULL));
      }
    }
    s_apply(fx, items[i], added, NULL, NULL, months);
    json_decref(months);
  }
  json_t *months = json_object();
  s_apply(fx, "item-c", json_pack("[o]", s_txn("c-1", "acc-c", "2026-11-20", 1, false, NULL)), NULL, NULL, months);
  json_decref(months);
}

static void test_read_gives_a_range_across_items_and_months_newest_first(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  s_seed_two_items(fx);
  const char *const order[] = {"item-b", "item-a"};
  store_history_query q = {.start_date = "2026-08-15", .end_date = "2026-10-10", .item_ids = order, .n_item_ids = 2};
  json_t *txns = NULL;
  bool complete = false;
  assert_int_equal(store_history_read(fx->env.store, USER, &q, s_deadline(), &txns, &complete), MYNT_OK);
  assert_true(complete);
  /* Same date: the order of item_ids (item-b first). Outside the dates: left out. */
  s_expect_ids(txns, "b-10-10 a-10-10 b-09-20 a-09-20 b-09-10 a-09-10 b-08-20 a-08-20");
  assert_string_equal(json_string_value(json_object_get(json_array_get(txns, 0), "item_id")), "item-b");
  assert_string_equal(json_string_value(json_object_get(json_array_get(txns, 1), "item_id")), "item-a");
  assert_int_equal(json_integer_value(json_object_get(json_array_get(txns, 0), "amount_cents")), 1010);
  json_decref(txns);

  /* One account only. */
  q.account_id = "acc-a";
  assert_int_equal(store_history_read(fx->env.store, USER, &q, s_deadline(), &txns, &complete), MYNT_OK);
  s_expect_ids(txns, "a-10-10 a-09-20 a-09-10 a-08-20");
  json_decref(txns);

  /* Only the listed items: item-c's bucket (an item the user no longer has) never shows. */
  const char *const only_a[] = {"item-a"};
  store_history_query a = {.start_date = "2026-11-01", .end_date = "2026-11-30", .item_ids = only_a, .n_item_ids = 1};
  assert_int_equal(store_history_read(fx->env.store, USER, &a, s_deadline(), &txns, &complete), MYNT_OK);
  s_expect_ids(txns, "a-11-20 a-11-10");
  json_decref(txns);

  /* Another user sees nothing of it. */
  assert_int_equal(store_history_read(fx->env.store, "user-b", &q, s_deadline(), &txns, &complete), MYNT_OK);
  assert_int_equal(json_array_size(txns), 0);
  assert_true(complete);
  json_decref(txns);

  store_history_query reversed = {
    .start_date = "2026-10-10", .end_date = "2026-08-15", .item_ids = order, .n_item_ids = 2};
  assert_int_equal(store_history_read(fx->env.store, USER, &reversed, s_deadline(), &txns, &complete),
                   MYNT_BAD_REQUEST);
  assert_null(txns);
}

static void test_read_stops_at_the_month_that_reaches_want(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  s_seed_two_items(fx);
  const char *const order[] = {"item-a", "item-b"};
  store_history_query q = {
    .start_date = "2026-01-01", .end_date = "2026-11-30", .want = 5, .item_ids = order, .n_item_ids = 2};
  json_t *txns = NULL;
  bool complete = true;
  assert_int_equal(store_history_read(fx->env.store, USER, &q, s_deadline(), &txns, &complete), MYNT_OK);
  /* Whole months: November (4) is not enough, October makes 8; September onwards is not read. */
  assert_false(complete);
  s_expect_ids(txns, "a-11-20 b-11-20 a-11-10 b-11-10 a-10-20 b-10-20 a-10-10 b-10-10");
  json_decref(txns);

  q.want = 0;
  assert_int_equal(store_history_read(fx->env.store, USER, &q, s_deadline(), &txns, &complete), MYNT_OK);
  assert_true(complete);
  assert_int_equal(json_array_size(txns), 24);
  json_decref(txns);

  /* want beyond what there is: everything, complete. */
  q.want = 100;
  assert_int_equal(store_history_read(fx->env.store, USER, &q, s_deadline(), &txns, &complete), MYNT_OK);
  assert_true(complete);
  assert_int_equal(json_array_size(txns), 24);
  json_decref(txns);
}

static void test_count_gives_the_number_read_would_give_without_parsing(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  s_seed_two_items(fx);
  const char *const order[] = {"item-a", "item-b"};
  /* A first month cut by start_date (only the 20th of August), a range of several months, another user. */
  static const char *const ranges[][2] = {{"2026-08-15", "2026-08-31"},
                                          {"2026-08-15", "2026-10-10"},
                                          {"2026-06-01", "2026-11-30"},
                                          {"2026-01-01", "2026-05-31"}};
  for(size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
    store_history_query q = {.start_date = ranges[r][0], .end_date = ranges[r][1], .item_ids = order, .n_item_ids = 2};
    json_t *txns = NULL;
    bool complete = false;
    assert_int_equal(store_history_read(fx->env.store, USER, &q, s_deadline(), &txns, &complete), MYNT_OK);
    size_t n = 99;
    assert_int_equal(store_history_count(fx->env.store, USER, &q, s_deadline(), &n), MYNT_OK);
    assert_int_equal(n, json_array_size(txns));
    json_decref(txns);
  }
  store_history_query q = {.start_date = "2026-08-15", .end_date = "2026-08-31", .item_ids = order, .n_item_ids = 2};
  size_t n = 99;
  assert_int_equal(store_history_count(fx->env.store, USER, &q, s_deadline(), &n), MYNT_OK);
  assert_int_equal(n, 2); /* a-08-20 and b-08-20; the 10th is before start_date */
  const char *const only_b[] = {"item-b"};
  q.item_ids = only_b;
  q.n_item_ids = 1;
  assert_int_equal(store_history_count(fx->env.store, USER, &q, s_deadline(), &n), MYNT_OK);
  assert_int_equal(n, 1);
  assert_int_equal(store_history_count(fx->env.store, "user-b", &q, s_deadline(), &n), MYNT_OK);
  assert_int_equal(n, 0);
  q.account_id = "acc-b"; /* the count knows no filter: refused rather than wrong */
  assert_int_equal(store_history_count(fx->env.store, USER, &q, s_deadline(), &n), MYNT_BAD_REQUEST);
}

static void test_delete_item_leaves_no_bucket_of_that_item_and_keeps_the_others(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  s_seed_two_items(fx);
  /* 30 more months for item-a: more than one BatchWriteItem of 25. */
  json_t *months = json_object();
  json_t *added = json_array();
  for(int m = 0; m < 30; m++) {
    char id[32];
    char date[11];
    snprintf(id, sizeof id, "old-%02d", m);
    snprintf(date, sizeof date, "%04d-%02d-05", 2020 + m / 12, m % 12 + 1);
    json_array_append_new(added, s_txn(id, "acc-a", date, 1, false, NULL));
  }
  s_apply(fx, "item-a", added, NULL, NULL, months);
  json_decref(months);
  json_t *raw = s_raw_buckets(fx, USER);
  assert_int_equal(json_array_size(raw), 6 + 6 + 1 + 30);
  json_decref(raw);
  assert_int_equal(store_history_delete_item(fx->env.store, USER, "item-a", s_deadline()), MYNT_OK);
  char keys[1024];
  s_bucket_keys(fx, USER, keys, sizeof keys);
  assert_string_equal(keys, "TXN#2026-06#item-b TXN#2026-07#item-b TXN#2026-08#item-b TXN#2026-09#item-b "
                            "TXN#2026-10#item-b TXN#2026-11#item-b TXN#2026-11#item-c");
  /* Again: nothing to do. */
  assert_int_equal(store_history_delete_item(fx->env.store, USER, "item-a", s_deadline()), MYNT_OK);
  assert_int_equal(store_history_delete_item(fx->env.store, USER, "item-c", s_deadline()), MYNT_OK);
  s_bucket_keys(fx, USER, keys, sizeof keys);
  assert_string_equal(keys, "TXN#2026-06#item-b TXN#2026-07#item-b TXN#2026-08#item-b TXN#2026-09#item-b "
                            "TXN#2026-10#item-b TXN#2026-11#item-b");
}

#define T(name) cmocka_unit_test_setup_teardown(name, moto_store_fixture_setup, moto_store_fixture_teardown)

int main(void)
{
  const struct CMUnitTest tests[] = {
    T(test_apply_sorts_each_month_and_applying_twice_leaves_the_same_buckets),
    T(test_a_modified_transaction_whose_date_moves_leaves_its_old_month),
    T(test_a_posted_transaction_replaces_its_pending_one_from_an_older_month_and_empty_buckets_go),
    T(test_a_malformed_transaction_writes_nothing),
    T(test_read_gives_a_range_across_items_and_months_newest_first),
    T(test_read_stops_at_the_month_that_reaches_want),
    T(test_count_gives_the_number_read_would_give_without_parsing),
    T(test_delete_item_leaves_no_bucket_of_that_item_and_keeps_the_others),
  };
  return cmocka_run_group_tests_name("store_history_moto", tests, NULL, NULL);
}
