/* test_store_budgets_moto.c - the BUDGET#<CATEGORY> records against moto_server (the "moto" fixture). */
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
#include "core/clock.h"
#include "store/budgets.h"
#include "store/store.h"
#include "support/json_join.h"
#include "support/moto_fixture.h"
#include "support/moto_store.h"

typedef moto_store_fixture s_fixture;

static int64_t s_deadline(void)
{
  return clock_epoch_ms() + 10000;
}

static store_budget s_budget(const char *category, int64_t cents, const char *currency, const char *updated_at)
{
  store_budget b;
  memset(&b, 0, sizeof(b));
  snprintf(b.category, sizeof(b.category), "%s", category);
  b.monthly_limit_cents = cents;
  snprintf(b.iso_currency_code, sizeof(b.iso_currency_code), "%s", currency);
  snprintf(b.updated_at, sizeof(b.updated_at), "%s", updated_at);
  return b;
}

/* Puts the budget for user and returns whether it was created. */
static bool s_put(s_fixture *fx, const char *user, const char *category, int64_t cents, const char *currency,
                  const char *updated_at)
{
  store_budget b = s_budget(category, cents, currency, updated_at);
  bool created = false;
  assert_int_equal(store_budget_put(fx->env.store, user, &b, s_deadline(), &created), MYNT_OK);
  return created;
}

/* Lists user's budgets as "CATEGORY:cents:CUR:updated_at" words joined by spaces into out. */
static void s_list_text(s_fixture *fx, const char *user, char *out, size_t cap)
{
  store_budget *budgets = NULL;
  size_t n = 99;
  assert_int_equal(store_budget_list(fx->env.store, user, s_deadline(), &budgets, &n), MYNT_OK);
  size_t used = 0;
  out[0] = '\0';
  for(size_t i = 0; i < n; i++)
    used +=
      (size_t)snprintf(out + used, cap - used, "%s%s:%lld:%s:%s", i ? " " : "", budgets[i].category,
                       (long long)budgets[i].monthly_limit_cents, budgets[i].iso_currency_code, budgets[i].updated_at);
  if(n == 0)
    assert_null(budgets);
  free(budgets);
}

static void test_category_valid_takes_upper_case_keys_only(void **state)
{
  (void)state;
  assert_true(store_budget_category_valid("FOOD_AND_DRINK"));
  assert_true(store_budget_category_valid("A"));
  assert_false(store_budget_category_valid("food_and_drink"));
  assert_false(store_budget_category_valid("FOOD#DRINK"));
  assert_false(store_budget_category_valid(""));
  assert_false(store_budget_category_valid(NULL));
  assert_false(store_budget_category_valid("ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDE")); /* 32 characters */
  assert_true(store_budget_category_valid("ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCD"));   /* 31 */
}

static void test_put_creates_the_record_in_the_users_partition(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  assert_true(s_put(fx, "user-a", "FOOD_AND_DRINK", 40000, "USD", "2026-01-02T03:04:05Z"));

  json_t *records = moto_store_records(fx->env.store, "user-a");
  assert_int_equal(json_array_size(records), 1);
  json_t *record = json_array_get(records, 0);
  assert_string_equal(json_string_value(json_object_get(record, "sk")), "BUDGET#FOOD_AND_DRINK");
  assert_string_equal(json_string_value(json_object_get(record, "category")), "FOOD_AND_DRINK");
  assert_int_equal(json_integer_value(json_object_get(record, "monthly_limit_cents")), 40000);
  assert_string_equal(json_string_value(json_object_get(record, "iso_currency_code")), "USD");
  assert_string_equal(json_string_value(json_object_get(record, "updated_at")), "2026-01-02T03:04:05Z");
  assert_int_equal(json_object_size(record), 6);
  json_decref(records);
}

static void test_put_of_an_existing_category_replaces_it_and_says_so(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  assert_true(s_put(fx, "user-a", "TRAVEL", 10000, "USD", "2026-01-01T00:00:00Z"));
  assert_false(s_put(fx, "user-a", "TRAVEL", 25050, "EUR", "2026-01-05T00:00:00Z"));
  char text[512];
  s_list_text(fx, "user-a", text, sizeof(text));
  assert_string_equal(text, "TRAVEL:25050:EUR:2026-01-05T00:00:00Z");
  /* A category deleted and put again is created anew. */
  assert_int_equal(store_budget_delete(fx->env.store, "user-a", "TRAVEL", s_deadline()), MYNT_OK);
  assert_true(s_put(fx, "user-a", "TRAVEL", 1, "USD", "2026-01-06T00:00:00Z"));
}

static void test_list_is_sorted_by_category_and_skips_other_records(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  s_put(fx, "user-a", "TRAVEL", 30000, "USD", "2026-01-01T00:00:01Z");
  s_put(fx, "user-a", "FOOD_AND_DRINK", 40000, "USD", "2026-01-01T00:00:02Z");
  s_put(fx, "user-a", "ENTERTAINMENT", 5, "EUR", "2026-01-01T00:00:03Z");
  s_put(fx, "user-a", "GENERAL_SERVICES", 99999, "USD", "2026-01-01T00:00:04Z");
  s_put(fx, "user-a", "GENERAL_MERCHANDISE", 12, "USD", "2026-01-01T00:00:05Z");
  /* Records of other kinds in the same partition, before and after BUDGET# in key order. */
  json_decref(moto_fixture_ddb(fx->env.store->ddb, "PutItem",
                               json_pack("{s:s, s:{s:{s:s}, s:{s:s}}}", "TableName", fx->env.store->table, "Item",
                                         "user_id", "S", "user-a", "sk", "S", "PROFILE")));
  json_decref(moto_fixture_ddb(fx->env.store->ddb, "PutItem",
                               json_pack("{s:s, s:{s:{s:s}, s:{s:s}}}", "TableName", fx->env.store->table, "Item",
                                         "user_id", "S", "user-a", "sk", "S", "BUDGE")));
  char text[1024];
  s_list_text(fx, "user-a", text, sizeof(text));
  assert_string_equal(text, "ENTERTAINMENT:5:EUR:2026-01-01T00:00:03Z FOOD_AND_DRINK:40000:USD:2026-01-01T00:00:02Z "
                            "GENERAL_MERCHANDISE:12:USD:2026-01-01T00:00:05Z "
                            "GENERAL_SERVICES:99999:USD:2026-01-01T00:00:04Z TRAVEL:30000:USD:2026-01-01T00:00:01Z");
}

static void test_list_of_a_user_without_budgets_is_empty(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  s_put(fx, "user-a", "TRAVEL", 30000, "USD", "2026-01-01T00:00:01Z");
  char text[64];
  s_list_text(fx, "user-b", text, sizeof(text));
  assert_string_equal(text, "");
}

static void test_delete_removes_the_budget_and_a_second_delete_is_not_found(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  s_put(fx, "user-a", "TRAVEL", 30000, "USD", "2026-01-01T00:00:01Z");
  s_put(fx, "user-a", "MEDICAL", 20000, "USD", "2026-01-01T00:00:02Z");
  assert_int_equal(store_budget_delete(fx->env.store, "user-a", "TRAVEL", s_deadline()), MYNT_OK);
  char keys[256];
  moto_store_sort_keys(fx->env.store, "user-a", keys, sizeof(keys));
  assert_string_equal(keys, "BUDGET#MEDICAL");
  assert_int_equal(store_budget_delete(fx->env.store, "user-a", "TRAVEL", s_deadline()), MYNT_NOT_FOUND);
  assert_int_equal(store_budget_delete(fx->env.store, "user-a", "RENT_AND_UTILITIES", s_deadline()), MYNT_NOT_FOUND);
  assert_int_equal(store_budget_delete(fx->env.store, "user-a", "bad#key", s_deadline()), MYNT_NOT_FOUND);
  moto_store_sort_keys(fx->env.store, "user-a", keys, sizeof(keys));
  assert_string_equal(keys, "BUDGET#MEDICAL");
}

static void test_another_users_put_list_and_delete_leave_the_first_users_budgets(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  s_put(fx, "user-a", "TRAVEL", 30000, "USD", "2026-01-01T00:00:01Z");
  s_put(fx, "user-a", "MEDICAL", 20000, "USD", "2026-01-01T00:00:02Z");
  char before[512];
  s_list_text(fx, "user-a", before, sizeof(before));

  /* user-b's put of the same category creates user-b's own budget. */
  assert_true(s_put(fx, "user-b", "TRAVEL", 1, "EUR", "2026-02-01T00:00:00Z"));
  char text[512];
  s_list_text(fx, "user-b", text, sizeof(text));
  assert_string_equal(text, "TRAVEL:1:EUR:2026-02-01T00:00:00Z");
  assert_int_equal(store_budget_delete(fx->env.store, "user-b", "MEDICAL", s_deadline()), MYNT_NOT_FOUND);
  assert_int_equal(store_budget_delete(fx->env.store, "user-b", "TRAVEL", s_deadline()), MYNT_OK);
  assert_int_equal(store_budget_delete(fx->env.store, "user-b", "TRAVEL", s_deadline()), MYNT_NOT_FOUND);

  s_list_text(fx, "user-a", text, sizeof(text));
  assert_string_equal(text, before);
  assert_string_equal(text, "MEDICAL:20000:USD:2026-01-01T00:00:02Z TRAVEL:30000:USD:2026-01-01T00:00:01Z");
  char keys[256];
  moto_store_sort_keys(fx->env.store, "user-b", keys, sizeof(keys));
  assert_string_equal(keys, "");
}

static void test_put_refuses_invalid_budgets_and_writes_nothing(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  const store_budget bad[] = {
    s_budget("food_and_drink", 100, "USD", "2026-01-01T00:00:00Z"),
    s_budget("FOOD#X", 100, "USD", "2026-01-01T00:00:00Z"),
    s_budget("", 100, "USD", "2026-01-01T00:00:00Z"),
    s_budget("TRAVEL", 0, "USD", "2026-01-01T00:00:00Z"),
    s_budget("TRAVEL", -500, "USD", "2026-01-01T00:00:00Z"),
    s_budget("TRAVEL", 100000000000001LL, "USD", "2026-01-01T00:00:00Z"),
    s_budget("TRAVEL", 100, "usd", "2026-01-01T00:00:00Z"),
    s_budget("TRAVEL", 100, "US", "2026-01-01T00:00:00Z"),
    s_budget("TRAVEL", 100, "USD", ""),
  };
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    bool created = true;
    assert_int_equal(store_budget_put(fx->env.store, "user-a", &bad[i], s_deadline(), &created), MYNT_BAD_REQUEST);
    assert_false(created);
  }
  store_budget good = s_budget("TRAVEL", 100, "USD", "2026-01-01T00:00:00Z");
  bool created = false;
  assert_int_equal(store_budget_put(fx->env.store, "", &good, s_deadline(), &created), MYNT_BAD_REQUEST);
  char keys[256];
  moto_store_sort_keys(fx->env.store, "user-a", keys, sizeof(keys));
  assert_string_equal(keys, "");
}

static void test_list_reports_a_malformed_record_as_internal(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  json_decref(moto_fixture_ddb(fx->env.store->ddb, "PutItem",
                               json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}", "TableName",
                                         fx->env.store->table, "Item", "user_id", "S", "user-a", "sk", "S",
                                         "BUDGET#TRAVEL", "category", "S", "TRAVEL", "monthly_limit_cents", "S", "100",
                                         "iso_currency_code", "S", "USD", "updated_at", "S", "2026-01-01T00:00:00Z")));
  store_budget *budgets = NULL;
  size_t n = 7;
  assert_int_equal(store_budget_list(fx->env.store, "user-a", s_deadline(), &budgets, &n), MYNT_INTERNAL);
  assert_null(budgets);
  assert_int_equal(n, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, moto_store_fixture_setup, moto_store_fixture_teardown)

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_category_valid_takes_upper_case_keys_only),
    T(test_put_creates_the_record_in_the_users_partition),
    T(test_put_of_an_existing_category_replaces_it_and_says_so),
    T(test_list_is_sorted_by_category_and_skips_other_records),
    T(test_list_of_a_user_without_budgets_is_empty),
    T(test_delete_removes_the_budget_and_a_second_delete_is_not_found),
    T(test_another_users_put_list_and_delete_leave_the_first_users_budgets),
    T(test_put_refuses_invalid_budgets_and_writes_nothing),
    T(test_list_reports_a_malformed_record_as_internal),
  };
  return cmocka_run_group_tests_name("store_budgets_moto", tests, NULL, NULL);
}
