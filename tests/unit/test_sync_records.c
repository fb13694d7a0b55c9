/* test_sync_records.c - unit tests for the stored shape of Plaid's transactions and accounts (src/sync/sync_records.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "support/unit_main.h"
#include "sync/sync_records.h"

/* A transaction as /transactions/sync sends it (the simulator's shape, trimmed of nothing). */
static const char s_plaid_txn[] =
  "{\"transaction_id\":\"tx-1\",\"account_id\":\"acc-1\",\"amount\":12.29,\"iso_currency_code\":\"USD\","
  "\"unofficial_currency_code\":null,\"date\":\"2024-05-31\",\"authorized_date\":\"2024-05-30\",\"pending\":false,"
  "\"pending_transaction_id\":\"tx-0\",\"account_owner\":null,\"name\":\"Blue Bottle\",\"merchant_name\":\"Blue "
  "Bottle Coffee\",\"website\":\"bluebottle.com\",\"payment_channel\":\"in store\",\"transaction_type\":\"place\","
  "\"category\":[\"Food and Drink\"],\"category_id\":\"13005000\",\"personal_finance_category\":{\"primary\":"
  "\"FOOD_AND_DRINK\",\"detailed\":\"FOOD_AND_DRINK_COFFEE\",\"confidence_level\":\"VERY_HIGH\"},\"location\":"
  "{\"city\":\"Oakland\"},\"counterparties\":[],\"original_description\":\"BLUE BOTTLE 0042\"}";

static json_t *s_record_of(const char *text)
{
  json_t *plaid = json_loads(text, 0, NULL);
  assert_non_null(plaid);
  json_t *record = NULL;
  mynt_status st = sync_records_txn(plaid, &record);
  json_decref(plaid);
  assert_int_equal(st, MYNT_OK);
  return record;
}

/* Asserts got (taken over) equals the JSON text want, showing got when it does not. */
static void s_assert_json_is(json_t *got, const char *want)
{
  json_t *expected = json_loads(want, 0, NULL);
  assert_non_null(expected);
  if(!json_equal(got, expected)) {
    char *text = json_dumps(got, JSON_SORT_KEYS);
    fail_msg("stored shape: %s", text ? text : "(none)");
  }
  json_decref(expected);
  json_decref(got);
}

/* The account Plaid sends as plaid is stored as the JSON text want. */
static void s_assert_account_is(const char *plaid, const char *want)
{
  json_t *account = json_loads(plaid, 0, NULL);
  assert_non_null(account);
  s_assert_json_is(sync_records_account(account), want);
  json_decref(account);
}

static void test_sync_records_keep_exactly_the_stored_members(void **state)
{
  (void)state;
  json_t *record = s_record_of(s_plaid_txn);
  assert_true(json_is_integer(json_object_get(record, "amount_cents")));
  s_assert_json_is(
    record,
    "{\"transaction_id\":\"tx-1\",\"account_id\":\"acc-1\",\"date\":\"2024-05-31\",\"authorized_date\":\"2024-05-30\","
    "\"name\":\"Blue Bottle\",\"merchant_name\":\"Blue Bottle Coffee\",\"amount_cents\":1229,"
    "\"iso_currency_code\":\"USD\",\"pending\":false,\"pending_transaction_id\":\"tx-0\",\"category\":"
    "\"FOOD_AND_DRINK\",\"category_detailed\":\"FOOD_AND_DRINK_COFFEE\",\"payment_channel\":\"in store\","
    "\"flow\":\"expense\"}");
}

static void test_sync_records_fill_missing_members_with_null_and_keep_the_sign(void **state)
{
  (void)state;
  json_t *record = s_record_of("{\"transaction_id\":\"tx-2\",\"account_id\":\"acc-1\",\"amount\":-2500.07,"
                               "\"unofficial_currency_code\":\"BTC\",\"date\":\"2024-02-29\",\"authorized_date\":\"x\","
                               "\"pending\":true,\"personal_finance_category\":{\"primary\":\"INCOME\"}}");
  assert_int_equal(json_integer_value(json_object_get(record, "amount_cents")), -250007);
  assert_string_equal(json_string_value(json_object_get(record, "iso_currency_code")), "BTC");
  assert_true(json_is_true(json_object_get(record, "pending")));
  assert_string_equal(json_string_value(json_object_get(record, "flow")), "income");
  const char *nulls[] = {"authorized_date",   "name",           "merchant_name", "pending_transaction_id",
                         "category_detailed", "payment_channel"};
  for(size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
    if(!json_is_null(json_object_get(record, nulls[i])))
      fail_msg("%s is not null", nulls[i]);
  assert_int_equal(json_object_size(record), 14);
  json_decref(record);
}

static void test_sync_records_refuse_a_transaction_that_cannot_be_stored(void **state)
{
  (void)state;
  const char *bad[] = {
    "[]",
    "{\"account_id\":\"acc-1\",\"amount\":1,\"date\":\"2024-01-01\"}",
    "{\"transaction_id\":\"\",\"account_id\":\"acc-1\",\"amount\":1,\"date\":\"2024-01-01\"}",
    "{\"transaction_id\":\"TXN#x\",\"account_id\":\"acc-1\",\"amount\":1,\"date\":\"2024-01-01\"}",
    "{\"transaction_id\":\"tx\",\"amount\":1,\"date\":\"2024-01-01\"}",
    "{\"transaction_id\":\"tx\",\"account_id\":\"acc-1\",\"amount\":1,\"date\":\"2024-02-30\"}",
    "{\"transaction_id\":\"tx\",\"account_id\":\"acc-1\",\"amount\":1}",
    "{\"transaction_id\":\"tx\",\"account_id\":\"acc-1\",\"amount\":\"1.00\",\"date\":\"2024-01-01\"}",
    "{\"transaction_id\":\"tx\",\"account_id\":\"acc-1\",\"date\":\"2024-01-01\"}",
  };
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    json_t *plaid = json_loads(bad[i], 0, NULL);
    assert_non_null(plaid);
    json_t *record = json_true();
    assert_int_equal(sync_records_txn(plaid, &record), MYNT_BAD_REQUEST);
    assert_null(record);
    json_decref(plaid);
  }
}

static void test_sync_records_account_keeps_balances_and_nulls_what_is_missing(void **state)
{
  (void)state;
  s_assert_account_is("{\"account_id\":\"acc-1\",\"name\":\"Checking\",\"mask\":\"0000\",\"type\":"
                      "\"depository\",\"subtype\":\"checking\",\"official_name\":\"Gold\",\"balances\":"
                      "{\"available\":100.5,\"current\":110,\"limit\":null,\"iso_currency_code\":\"USD\"}}",
                      "{\"account_id\":\"acc-1\",\"name\":\"Checking\",\"mask\":\"0000\",\"type\":\"depository\","
                      "\"subtype\":\"checking\",\"balances\":{\"available\":100.5,\"current\":110,\"limit\":null,"
                      "\"iso_currency_code\":\"USD\"}}");
  s_assert_account_is("{\"account_id\":\"acc-2\"}",
                      "{\"account_id\":\"acc-2\",\"name\":\"\",\"mask\":null,\"type\":null,\"subtype\":null,"
                      "\"balances\":{\"available\":null,\"current\":null,\"limit\":null,\"iso_currency_code\":null}}");

  json_t *plaid = json_loads("{\"name\":\"no id\"}", 0, NULL);
  assert_null(sync_records_account(plaid));
  json_decref(plaid);
}

UNIT_MAIN("sync_records", NULL, NULL,
          {
            cmocka_unit_test(test_sync_records_keep_exactly_the_stored_members),
            cmocka_unit_test(test_sync_records_fill_missing_members_with_null_and_keep_the_sign),
            cmocka_unit_test(test_sync_records_refuse_a_transaction_that_cannot_be_stored),
            cmocka_unit_test(test_sync_records_account_keeps_balances_and_nulls_what_is_missing),
          })
