/* test_money.c - unit tests for amounts as whole cents: Plaid's decimal amounts, parsed as Plaid's JSON is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/money.h"
#include "support/unit_main.h"

typedef mynt_status (*s_converter)(const json_t *value, int64_t *out_cents);

/* Parses text as a JSON value (as the Plaid client parses an answer, or the request body is parsed) and converts
 * it with convert. */
static mynt_status s_convert(s_converter convert, const char *text, int64_t *out)
{
  json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
  assert_non_null(v);
  mynt_status st = convert(v, out);
  json_decref(v);
  return st;
}

/* An amount as written and the cents it converts to. */
typedef struct {
  const char *text;
  int64_t cents;
} s_amount;

/* Each of cases[0..n) converts with convert to exactly its cents. */
static void s_assert_amounts(s_converter convert, const s_amount *cases, size_t n)
{
  for(size_t i = 0; i < n; i++) {
    int64_t got = -1;
    if(s_convert(convert, cases[i].text, &got) != MYNT_OK || got != cases[i].cents)
      fail_msg("%s gave %lld cents, not %lld", cases[i].text, (long long)got, (long long)cases[i].cents);
  }
}

/* convert refuses each of bad[0..n) with MYNT_BAD_REQUEST and leaves the output as it was. */
static void s_assert_refused(s_converter convert, const char *const *bad, size_t n)
{
  for(size_t i = 0; i < n; i++) {
    int64_t got = 42;
    if(s_convert(convert, bad[i], &got) != MYNT_BAD_REQUEST)
      fail_msg("%s was taken", bad[i]);
    assert_int_equal(got, 42);
  }
}

/* Every cent from -2000.00 to 2000.00, written as Plaid writes it, converts to exactly its cents. */
static void s_assert_every_cent_converts(s_converter convert)
{
  for(int64_t c = -200000; c <= 200000; c++) {
    char text[32];
    int64_t whole = (c < 0 ? -c : c) / 100;
    int64_t part = (c < 0 ? -c : c) % 100;
    snprintf(text, sizeof text, "%s%lld.%02lld", c < 0 ? "-" : "", (long long)whole, (long long)part);
    int64_t got = -1;
    if(s_convert(convert, text, &got) != MYNT_OK || got != c)
      fail_msg("%s gave %lld cents", text, (long long)got);
  }
}

static void test_money_every_two_decimal_amount_gives_its_exact_cents(void **state)
{
  (void)state;
  /* A truncating conversion gets hundreds of these wrong (0.29 * 100 is 28.999...). */
  s_assert_every_cent_converts(money_cents_from_json);
}

static void test_money_converts_large_integer_and_one_decimal_amounts(void **state)
{
  (void)state;
  static const s_amount cases[] = {
    {"12345678.91", 1234567891},
    {"-98765432.19", -9876543219},
    {"5", 500},
    {"-7", -700},
    {"0.1", 10},
    {"1e2", 10000},
    {"0.005", 1},
    {"-0.005", -1},
    {"0", 0},
    {"-0.0", 0},
    {"999999999999.99", 99999999999999},
  };
  s_assert_amounts(money_cents_from_json, cases, sizeof cases / sizeof cases[0]);
}

static void test_money_refuses_what_is_not_an_amount(void **state)
{
  (void)state;
  static const char *const bad[] = {"\"12.34\"", "null",          "true",           "[]", "{}", "1e300",
                                    "-1e300",    "1000000000001", "1000000000000.5"};
  s_assert_refused(money_cents_from_json, bad, sizeof bad / sizeof bad[0]);
  int64_t got = 42;
  assert_int_equal(money_cents_from_json(NULL, &got), MYNT_BAD_REQUEST);
}

static void test_money_exact_takes_every_amount_of_at_most_two_decimals(void **state)
{
  (void)state;
  s_assert_every_cent_converts(money_cents_from_json_exact);
  static const s_amount cases[] = {
    {"0.1", 10}, {"1e-2", 1}, {"25", 2500}, {"999999999999.99", 99999999999999}, {"1000000000", 100000000000}};
  s_assert_amounts(money_cents_from_json_exact, cases, sizeof cases / sizeof cases[0]);
}

static void test_money_exact_refuses_more_than_two_decimals(void **state)
{
  (void)state;
  static const char *const bad[] = {"10.005", "0.001",      "-0.015", "1.234", "19.999",
                                    "0.0001", "123456.789", "\"10\"", "null",  "1e300"};
  s_assert_refused(money_cents_from_json_exact, bad, sizeof bad / sizeof bad[0]);
}

/* The text the response writer (src/apigw/response.c) prints for money_json(cents). */
static void s_money_text(int64_t cents, char *out, size_t cap)
{
  json_t *v = money_json(cents);
  assert_non_null(v);
  char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  assert_non_null(text);
  snprintf(out, cap, "%s", text);
  free(text);
  json_decref(v);
}

static void test_money_json_prints_the_amount_with_at_most_two_decimals(void **state)
{
  (void)state;
  char text[64];
  s_money_text(10 + 20, text, sizeof text); /* 0.1 + 0.2 summed in cents */
  assert_string_equal(text, "0.3");
  s_money_text(-1234, text, sizeof text);
  assert_string_equal(text, "-12.34");
  s_money_text(5, text, sizeof text);
  assert_string_equal(text, "0.05");
  s_money_text(99999999999999, text, sizeof text);
  assert_string_equal(text, "999999999999.99");
  /* Every cent from -2000.00 to 2000.00 prints at most two decimals and reads back as itself. */
  for(int64_t c = -200000; c <= 200000; c++) {
    s_money_text(c, text, sizeof text);
    const char *dot = strchr(text, '.');
    int64_t back = -1;
    if((dot && strlen(dot + 1) > 2) || s_convert(money_cents_from_json_exact, text, &back) != MYNT_OK || back != c)
      fail_msg("%lld cents printed %s", (long long)c, text);
  }
}

static void test_money_currency_is_three_upper_case_letters(void **state)
{
  (void)state;
  assert_true(money_currency_valid("USD"));
  assert_true(money_currency_valid("EUR"));
  const char *bad[] = {"usd", "Usd", "US", "USDD", "U1D", "", " USD", "US ", "\xc3\x9cSD"};
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if(money_currency_valid(bad[i]))
      fail_msg("\"%s\" was taken", bad[i]);
  assert_false(money_currency_valid(NULL));
}

UNIT_MAIN("money", NULL, NULL,
          {
            cmocka_unit_test(test_money_every_two_decimal_amount_gives_its_exact_cents),
            cmocka_unit_test(test_money_converts_large_integer_and_one_decimal_amounts),
            cmocka_unit_test(test_money_refuses_what_is_not_an_amount),
            cmocka_unit_test(test_money_exact_takes_every_amount_of_at_most_two_decimals),
            cmocka_unit_test(test_money_exact_refuses_more_than_two_decimals),
            cmocka_unit_test(test_money_json_prints_the_amount_with_at_most_two_decimals),
            cmocka_unit_test(test_money_currency_is_three_upper_case_letters),
          })
