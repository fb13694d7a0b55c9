/* test_store_history.c - the month buckets' encoding, DynamoDB's sizing rules and which user ids may name a partition, without a table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <zlib.h>

#include "store/budgets.h"
#include "store/history.h"
#include "store/items.h"
#include "store/users.h"
#include "support/unit_main.h"

static json_t *s_month(int n)
{
  json_t *txns = json_array();
  for(int i = 0; i < n; i++) {
    char id[32];
    char date[11];
    snprintf(id, sizeof id, "txn-%04d", i);
    snprintf(date, sizeof date, "2026-11-%02d", 28 - i % 28);
    json_array_append_new(txns, json_pack("{s:s, s:s, s:s, s:n, s:s, s:s, s:I, s:s, s:b}", "transaction_id", id,
                                          "account_id", "acc-checking", "date", date, "authorized_date", "name",
                                          "Coffee Shop", "merchant_name", "Coffee", "amount_cents",
                                          (json_int_t)(450 + i), "iso_currency_code", "USD", "pending", 0));
  }
  return txns;
}

static void test_encode_then_decode_gives_the_same_transactions_in_fewer_bytes(void **state)
{
  (void)state;
  json_t *txns = s_month(120);
  unsigned char *z = NULL;
  size_t len = 0;
  assert_int_equal(store_history_encode(txns, &z, &len), MYNT_OK);
  char *text = json_dumps(txns, JSON_COMPACT);
  assert_true(len * 4 < strlen(text));
  free(text);
  json_t *back = NULL;
  assert_int_equal(store_history_decode(z, len, &back), MYNT_OK);
  assert_true(json_equal(back, txns));
  json_decref(back);

  /* A cut or altered bucket is refused, never half-read. */
  assert_int_equal(store_history_decode(z, len - 3, &back), MYNT_PARSE);
  assert_null(back);
  z[len / 2] ^= 0x55;
  assert_int_equal(store_history_decode(z, len, &back), MYNT_PARSE);
  assert_null(back);
  free(z);
  json_decref(txns);
}

static void test_count_dates_counts_what_a_full_decode_keeps_in_the_range(void **state)
{
  (void)state;
  json_t *txns = s_month(120); /* dates 2026-11-28 down to 2026-11-01 */
  /* Names that spell the date member inside a string, a key-like value, a trailing backslash before "date". */
  json_object_set_new(json_array_get(txns, 0), "name", json_string("\"date\":\"2026-11-01\""));
  json_object_set_new(json_array_get(txns, 1), "merchant_name", json_string("date"));
  json_object_set_new(json_array_get(txns, 2), "name", json_string("ends in a backslash \\"));
  json_object_set_new(json_array_get(txns, 3), "category", json_string("\"date\":\"1999-01-01\""));
  unsigned char *z = NULL;
  size_t len = 0;
  assert_int_equal(store_history_encode(txns, &z, &len), MYNT_OK);
  static const char *const ranges[][2] = {{"2026-11-01", "2026-11-30"}, {"2026-11-02", "2026-11-30"},
                                          {"2026-11-15", "2026-11-15"}, {"2026-11-29", "2026-12-31"},
                                          {"2026-10-01", "2026-11-01"}, {"2026-11-10", "2026-11-20"}};
  for(size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
    size_t expected = 0;
    size_t i;
    json_t *txn;
    json_array_foreach(txns, i, txn) {
      const char *date = json_string_value(json_object_get(txn, "date"));
      if(strcmp(date, ranges[r][0]) >= 0 && strcmp(date, ranges[r][1]) <= 0)
        expected++;
    }
    size_t n = 99;
    assert_int_equal(store_history_count_dates(z, len, ranges[r][0], ranges[r][1], &n), MYNT_OK);
    assert_int_equal(n, expected);
  }
  size_t n = 99;
  assert_int_equal(store_history_count_dates(z, len, "2026-11-01", "2026-11-30", &n), MYNT_OK);
  assert_int_equal(n, 120);

  /* A cut bucket, or one that is not an array, is refused like decode refuses it. */
  assert_int_equal(store_history_count_dates(z, len - 3, "2026-11-01", "2026-11-30", &n), MYNT_PARSE);
  assert_int_equal(n, 0);
  free(z);
  json_t *object = json_pack("{s:s}", "date", "2026-11-05");
  char *text = json_dumps(object, JSON_COMPACT);
  uLongf zl = compressBound((uLong)strlen(text));
  unsigned char *zo = malloc(zl);
  assert_int_equal(compress2(zo, &zl, (const Bytef *)text, (uLong)strlen(text), 9), Z_OK);
  assert_int_equal(store_history_count_dates(zo, zl, "2026-11-01", "2026-11-30", &n), MYNT_PARSE);
  free(zo);
  free(text);
  json_decref(object);
  json_decref(txns);
}

static json_t *s_bucket(const char *prefix, const char *const *dates, size_t n)
{
  json_t *txns = json_array();
  for(size_t i = 0; i < n; i++) {
    char id[32];
    snprintf(id, sizeof id, "%s-%s", prefix, dates[i]);
    json_array_append_new(txns,
                          json_pack("{s:s, s:s, s:s}", "transaction_id", id, "account_id", "acc", "date", dates[i]));
  }
  return txns;
}

static void test_merge_of_decoded_buckets_orders_by_date_then_item_and_stops_at_want(void **state)
{
  (void)state;
  const char *const items[] = {"item-b", "item-a"};
  store_history_query q = {
    .start_date = "2026-09-05", .end_date = "2026-11-20", .want = 3, .item_ids = items, .n_item_ids = 2};
  store_history_merge *g = NULL;
  assert_int_equal(store_history_merge_new(&q, &g), MYNT_OK);
  bool done = true;
  static const char *const a11[] = {"2026-11-25", "2026-11-10"}; /* the 25th is after end_date */
  static const char *const b11[] = {"2026-11-10", "2026-11-02"};
  static const char *const x11[] = {"2026-11-15"};
  static const char *const a10[] = {"2026-10-30"};
  static const char *const a09[] = {"2026-09-30"};
  assert_int_equal(store_history_merge_bucket(g, "2026-11", "item-a", s_bucket("a", a11, 2), &done), MYNT_OK);
  assert_false(done);
  assert_int_equal(store_history_merge_bucket(g, "2026-11", "item-x", s_bucket("x", x11, 1), &done), MYNT_OK);
  assert_int_equal(store_history_merge_bucket(g, "2026-11", "item-b", s_bucket("b", b11, 2), &done), MYNT_OK);
  assert_false(done);
  /* November gave 3 (want): October's bucket ends the merge and is not taken. */
  assert_int_equal(store_history_merge_bucket(g, "2026-10", "item-a", s_bucket("a", a10, 1), &done), MYNT_OK);
  assert_true(done);
  assert_int_equal(store_history_merge_bucket(g, "2026-09", "item-a", s_bucket("a", a09, 1), &done), MYNT_OK);
  assert_true(done);
  json_t *txns = NULL;
  bool complete = true;
  assert_int_equal(store_history_merge_end(g, &txns, &complete), MYNT_OK);
  store_history_merge_free(g);
  assert_false(complete); /* September, the range's first month, was left unread */
  assert_int_equal(json_array_size(txns), 3);
  /* Same date: the order of item_ids (item-b before item-a); item-x is not the user's. */
  static const char *const ids[] = {"b-2026-11-10", "a-2026-11-10", "b-2026-11-02"};
  static const char *const owners[] = {"item-b", "item-a", "item-b"};
  for(size_t i = 0; i < 3; i++) {
    json_t *txn = json_array_get(txns, i);
    assert_string_equal(json_string_value(json_object_get(txn, "transaction_id")), ids[i]);
    assert_string_equal(json_string_value(json_object_get(txn, "item_id")), owners[i]);
  }
  json_decref(txns);

  /* Without want every month is merged and the range is complete. */
  q.want = 0;
  assert_int_equal(store_history_merge_new(&q, &g), MYNT_OK);
  assert_int_equal(store_history_merge_bucket(g, "2026-10", "item-a", s_bucket("a", a10, 1), &done), MYNT_OK);
  assert_int_equal(store_history_merge_bucket(g, "2026-09", "item-a", s_bucket("a", a09, 1), &done), MYNT_OK);
  assert_false(done);
  assert_int_equal(store_history_merge_end(g, &txns, &complete), MYNT_OK);
  store_history_merge_free(g);
  assert_true(complete);
  assert_int_equal(json_array_size(txns), 2);
  json_decref(txns);
}

static void test_decode_refuses_bytes_that_are_not_a_compressed_array(void **state)
{
  (void)state;
  json_t *back = NULL;
  const unsigned char junk[] = "not zlib at all";
  assert_int_equal(store_history_decode(junk, sizeof junk, &back), MYNT_PARSE);
  unsigned char z[64];
  uLongf z_len = sizeof z;
  assert_int_equal(compress2(z, &z_len, (const Bytef *)"{\"a\":1}", 7, 6), Z_OK);
  assert_int_equal(store_history_decode(z, z_len, &back), MYNT_PARSE);
  assert_null(back);
  unsigned char *out = NULL;
  size_t len = 0;
  json_t *object = json_object();
  assert_int_equal(store_history_encode(object, &out, &len), MYNT_BAD_REQUEST);
  assert_null(out);
  json_decref(object);
}

static void test_item_bytes_follow_dynamodb_sizing_rules(void **state)
{
  (void)state;
  /* names + values: "user_id"(7)+"abc"(3); "n"(1)+"12345.0" (5 significant digits: 3+1); "ok"(2)+BOOL(1);
   * "z"(1)+3 raw bytes ("AAEC"); "m"(1)+M{3 + ("k"(1)+1+"vv"(2)) + ("l"(1)+1+L{3 + (1+NULL 1)})} */
  json_t *item =
    json_pack("{s:{s:s}, s:{s:s}, s:{s:b}, s:{s:s}, s:{s:{s:{s:s}, s:{s:[{s:b}]}}}}", "user_id", "S", "abc", "n", "N",
              "12345.0", "ok", "BOOL", 1, "z", "B", "AAEC", "m", "M", "k", "S", "vv", "l", "L", "NULL", 1);
  assert_int_equal(store_history_item_bytes(item), 10 + 5 + 3 + 4 + 1 + (3 + 4 + (1 + 1 + 3 + 2)));
  json_decref(item);
  assert_int_equal(store_history_item_bytes(NULL), 0);
}

static void test_capacity_units_round_up_per_kilobyte_and_per_four_kilobytes(void **state)
{
  (void)state;
  assert_int_equal(store_history_write_units(0, false), 1);
  assert_int_equal(store_history_write_units(1024, false), 1);
  assert_int_equal(store_history_write_units(1025, false), 2);
  assert_int_equal(store_history_write_units(1025, true), 4);
  assert_true(store_history_read_units(100, false) == 1.0);
  assert_true(store_history_read_units(4096, false) == 1.0);
  assert_true(store_history_read_units(4097, false) == 2.0);
  assert_true(store_history_read_units(4097, true) == 1.0);
  assert_true(store_history_read_units(10, true) == 0.5);
}

static void test_read_pages_start_with_one_month_of_every_item_and_double(void **state)
{
  (void)state;
  /* Five items: a month of each plus the next month's first bucket, then 12, 24, ... up to 100. */
  static const struct {
    size_t items;
    unsigned page;
    size_t limit;
  } cases[] = {{5, 0, 6}, {5, 1, 12}, {5, 2, 24}, {5, 5, 100}, {5, 40, 100}, {1, 0, 2}, {150, 0, 100}};
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    if(store_history_page_limit(cases[i].items, cases[i].page) != cases[i].limit)
      fail_msg("%zu items, page %u: limit %zu, not %zu", cases[i].items, cases[i].page,
               store_history_page_limit(cases[i].items, cases[i].page), cases[i].limit);
}

/* A user's partition is named by the JWT's sub: never empty, never longer than 128 bytes, and never one of
 * the store's own partitions ("#ITEMS" holds every item's owner). */
static void test_user_ids_never_name_the_stores_own_partitions(void **state)
{
  (void)state;
  char longest[STORE_USER_ID_MAX + 2];
  memset(longest, 'a', sizeof(longest));
  longest[STORE_USER_ID_MAX] = '\0';
  assert_true(store_user_id_valid("0b1c6a2e-5d3f-4e8a-9c7b-2f1e0d9c8b7a"));
  assert_true(store_user_id_valid(longest));
  longest[STORE_USER_ID_MAX] = 'a';
  longest[STORE_USER_ID_MAX + 1] = '\0';
  assert_false(store_user_id_valid(longest));
  assert_false(store_user_id_valid("#ITEMS"));
  assert_false(store_user_id_valid("#"));
  assert_false(store_user_id_valid(""));
  assert_false(store_user_id_valid(NULL));
  /* The store refuses such a partition before any request is made (no client is needed to say so). */
  store_budget *budgets = NULL;
  size_t n = 1;
  store_item *items = NULL;
  assert_int_equal(store_budget_list(NULL, "#ITEMS", 0, &budgets, &n), MYNT_BAD_REQUEST);
  assert_null(budgets);
  assert_int_equal(n, 0);
  assert_int_equal(store_item_list(NULL, "#ITEMS", 0, &items, &n), MYNT_BAD_REQUEST);
  assert_null(items);
}

UNIT_MAIN("store_history", NULL, NULL,
          {
            cmocka_unit_test(test_encode_then_decode_gives_the_same_transactions_in_fewer_bytes),
            cmocka_unit_test(test_decode_refuses_bytes_that_are_not_a_compressed_array),
            cmocka_unit_test(test_count_dates_counts_what_a_full_decode_keeps_in_the_range),
            cmocka_unit_test(test_merge_of_decoded_buckets_orders_by_date_then_item_and_stops_at_want),
            cmocka_unit_test(test_item_bytes_follow_dynamodb_sizing_rules),
            cmocka_unit_test(test_user_ids_never_name_the_stores_own_partitions),
            cmocka_unit_test(test_capacity_units_round_up_per_kilobyte_and_per_four_kilobytes),
            cmocka_unit_test(test_read_pages_start_with_one_month_of_every_item_and_double),
          })
