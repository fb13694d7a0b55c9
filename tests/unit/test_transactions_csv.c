/* test_transactions_csv.c - the export's CSV: the header, column order, CRLF, amounts from whole cents, text cells quoted and defused against formulas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/buf.h"
#include "handlers/transactions_csv.h"
#include "handlers/transactions_view.h"
#include "support/unit_main.h"

#define HEADER                                                                                                         \
  "date,name,merchant_name,amount,iso_currency_code,category,category_detailed,flow,pending,account_id,account_name,"  \
  "institution_name,item_id,transaction_id\r\n"

/* A stored transaction (store/history.h's shape with item_id) as the API shows it (transactions_view_stored). */
static json_t *s_txn(const char *name, const char *merchant, json_int_t cents, const char *category, bool pending)
{
  json_t *stored =
    json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:I, s:s, s:b, s:s?, s:s?, s:s}", "transaction_id", "txn_1",
              "account_id", "acc_1", "item_id", "item_1", "date", "2026-11-30", "name", name, "merchant_name", merchant,
              "amount_cents", cents, "iso_currency_code", "USD", "pending", pending, "category", category,
              "category_detailed", category ? "FOOD_AND_DRINK_COFFEE" : NULL, "payment_channel", "in store");
  assert_non_null(stored);
  json_t *txn = transactions_view_stored(stored);
  json_decref(stored);
  assert_non_null(txn);
  return txn;
}

/* The one row written for txn (a new string, caller buf_free on out). */
static void s_row(const json_t *txn, const char *account, const char *institution, mynt_buf *out)
{
  buf_init(out, 1 << 16);
  assert_int_equal(transactions_csv_row(out, txn, account, institution), MYNT_OK);
}

static void test_header_names_the_fourteen_columns_in_order_with_crlf(void **state)
{
  (void)state;
  mynt_buf b;
  buf_init(&b, 4096);
  assert_int_equal(transactions_csv_header(&b), MYNT_OK);
  assert_string_equal(buf_cstr(&b), HEADER);
  buf_free(&b);
}

static void test_row_writes_every_column_in_the_header_order(void **state)
{
  (void)state;
  json_t *txn = s_txn("Blue Bottle", "Blue Bottle Coffee", 450, "FOOD_AND_DRINK", false);
  mynt_buf b;
  s_row(txn, "Plaid Checking", "First Platypus Bank", &b);
  assert_string_equal(buf_cstr(&b), "2026-11-30,Blue Bottle,Blue Bottle Coffee,4.50,USD,FOOD_AND_DRINK,"
                                    "FOOD_AND_DRINK_COFFEE,expense,false,acc_1,Plaid Checking,First Platypus Bank,"
                                    "item_1,txn_1\r\n");
  buf_free(&b);
  json_decref(txn);
}

static void test_amounts_have_a_dot_and_two_decimals_from_whole_cents(void **state)
{
  (void)state;
  static const struct {
    json_int_t cents;
    const char *text;
  } cases[] = {
    {0, "0.00"},
    {5, "0.05"},
    {-5, "-0.05"},
    {30, "0.30"},
    {-100, "-1.00"},
    {123456789, "1234567.89"},
    {-1234, "-12.34"},
    {100000000000000LL, "1000000000000.00"},
    {-100000000000000LL, "-1000000000000.00"},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    json_t *txn = s_txn("x", NULL, cases[i].cents, NULL, false);
    mynt_buf b;
    s_row(txn, NULL, NULL, &b);
    char expected[128];
    snprintf(expected, sizeof(expected), "2026-11-30,x,,%s,USD,,,expense,false,acc_1,,,item_1,txn_1\r\n",
             cases[i].text);
    assert_string_equal(buf_cstr(&b), expected);
    buf_free(&b);
    json_decref(txn);
  }
}

static void test_negative_amounts_are_plain_numbers_but_a_minus_name_is_defused(void **state)
{
  (void)state;
  json_t *txn = s_txn("-2", "-2", -200, "INCOME", true);
  mynt_buf b;
  s_row(txn, NULL, NULL, &b);
  assert_string_equal(buf_cstr(&b), "2026-11-30,\"'-2\",\"'-2\",-2.00,USD,INCOME,FOOD_AND_DRINK_COFFEE,income,true,"
                                    "acc_1,,,item_1,txn_1\r\n");
  buf_free(&b);
  json_decref(txn);
}

static void test_hostile_text_cells_are_quoted_and_formulas_prefixed(void **state)
{
  (void)state;
  static const struct {
    const char *text;
    const char *cell;
  } cases[] = {
    {"a,b", "\"a,b\""},
    {"say \"hi\"", "\"say \"\"hi\"\"\""},
    {"two\nlines", "\"two\nlines\""},
    {"cr\r\nlf", "\"cr\r\nlf\""},
    {"=1+2", "\"'=1+2\""},
    {"+1", "\"'+1\""},
    {"@x", "\"'@x\""},
    {"\tTAB", "\"'\tTAB\""},
    {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
    {" padded ", "\" padded \""},
    {"Caf\xc3\xa9 M\xc3\xbcller \xe2\x82\xac \xf0\x9f\x8d\x95",
     "Caf\xc3\xa9 M\xc3\xbcller \xe2\x82\xac \xf0\x9f\x8d\x95"},
    {"1+2=3", "1+2=3"},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    json_t *txn = s_txn(cases[i].text, cases[i].text, 100, "FOOD_AND_DRINK", false);
    mynt_buf b;
    s_row(txn, cases[i].text, cases[i].text, &b);
    char expected[512];
    snprintf(expected, sizeof(expected),
             "2026-11-30,%s,%s,1.00,USD,FOOD_AND_DRINK,FOOD_AND_DRINK_COFFEE,expense,false,acc_1,%s,%s,item_1,"
             "txn_1\r\n",
             cases[i].cell, cases[i].cell, cases[i].cell, cases[i].cell);
    if(strcmp(buf_cstr(&b), expected) != 0)
      fail_msg("text \"%s\": row\n%s\nexpected\n%s", cases[i].text, buf_cstr(&b), expected);
    buf_free(&b);
    json_decref(txn);
  }
}

static void test_null_merchant_category_and_names_are_empty_cells(void **state)
{
  (void)state;
  json_t *stored =
    json_pack("{s:s, s:s, s:s, s:s, s:n, s:n, s:I, s:n, s:b, s:n, s:n}", "transaction_id", "txn_2", "account_id",
              "acc_2", "item_id", "item_2", "date", "2026-01-01", "name", "merchant_name", "amount_cents",
              (json_int_t)-999, "iso_currency_code", "pending", 0, "category", "category_detailed");
  json_t *txn = transactions_view_stored(stored);
  json_decref(stored);
  mynt_buf b;
  s_row(txn, NULL, NULL, &b);
  assert_string_equal(buf_cstr(&b), "2026-01-01,,,-9.99,,,,expense,false,acc_2,,,item_2,txn_2\r\n");
  buf_free(&b);
  json_decref(txn);
}

static void test_a_row_past_the_cap_is_too_large_and_leaves_the_buffer_empty(void **state)
{
  (void)state;
  json_t *txn = s_txn("Blue Bottle", "Blue Bottle Coffee", 450, "FOOD_AND_DRINK", false);
  mynt_buf b;
  buf_init(&b, 200);
  assert_int_equal(transactions_csv_header(&b), MYNT_OK);
  assert_int_equal(transactions_csv_row(&b, txn, "Plaid Checking", "First Platypus Bank"), MYNT_TOO_LARGE);
  assert_int_equal(b.len, 0);
  buf_free(&b);
  json_decref(txn);
}

UNIT_MAIN("transactions_csv", NULL, NULL,
          {
            cmocka_unit_test(test_header_names_the_fourteen_columns_in_order_with_crlf),
            cmocka_unit_test(test_row_writes_every_column_in_the_header_order),
            cmocka_unit_test(test_amounts_have_a_dot_and_two_decimals_from_whole_cents),
            cmocka_unit_test(test_negative_amounts_are_plain_numbers_but_a_minus_name_is_defused),
            cmocka_unit_test(test_hostile_text_cells_are_quoted_and_formulas_prefixed),
            cmocka_unit_test(test_null_merchant_category_and_names_are_empty_cells),
            cmocka_unit_test(test_a_row_past_the_cap_is_too_large_and_leaves_the_buffer_empty),
          })
