/* test_finance_filter.c - unit tests for the /transactions filters on stored transactions: category, flow, search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "finance/category.h"
#include "finance/filter.h"
#include "support/unit_main.h"

/* A stored transaction (store/history.h's shape, the members the filters read) from JSON text. */
static json_t *s_txn(const char *text)
{
  json_t *t = json_loads(text, 0, NULL);
  assert_non_null(t);
  return t;
}

static void test_finance_filter_without_members_keeps_everything(void **state)
{
  (void)state;
  json_t *t = s_txn("{\"name\":\"Coffee\",\"category\":\"FOOD_AND_DRINK\",\"flow\":\"expense\"}");
  json_t *nameless = s_txn("{\"name\":null,\"merchant_name\":null,\"flow\":\"expense\"}");
  const finance_filter any = {0};
  const finance_filter empty_q = {.q = ""};
  assert_true(finance_filter_matches(&any, t));
  assert_true(finance_filter_matches(NULL, t));
  assert_true(finance_filter_matches(&empty_q, t));
  assert_true(finance_filter_matches(&empty_q, nameless));
  const finance_filter some_q = {.q = "a"};
  assert_false(finance_filter_matches(&some_q, nameless));
  json_decref(t);
  json_decref(nameless);
}

static void test_finance_filter_category_is_the_primary_or_uncategorized(void **state)
{
  (void)state;
  json_t *food = s_txn("{\"name\":\"Coffee\",\"category\":\"FOOD_AND_DRINK\",\"flow\":\"expense\"}");
  json_t *null_category = s_txn("{\"name\":\"Cash\",\"category\":null,\"flow\":\"expense\"}");
  json_t *no_category = s_txn("{\"name\":\"Cash\",\"flow\":\"expense\"}");
  const finance_filter f_food = {.category = "FOOD_AND_DRINK"};
  const finance_filter f_travel = {.category = "TRAVEL"};
  const finance_filter f_none = {.category = FINANCE_UNCATEGORIZED};
  assert_true(finance_filter_matches(&f_food, food));
  assert_false(finance_filter_matches(&f_travel, food));
  assert_false(finance_filter_matches(&f_none, food));
  assert_false(finance_filter_matches(&f_food, null_category));
  assert_true(finance_filter_matches(&f_none, null_category));
  assert_true(finance_filter_matches(&f_none, no_category));
  json_decref(food);
  json_decref(null_category);
  json_decref(no_category);
}

static void test_finance_filter_flow_is_exact_and_derived_when_not_stored(void **state)
{
  (void)state;
  json_t *pay = s_txn("{\"name\":\"Card payment\",\"category\":\"LOAN_PAYMENTS\",\"flow\":\"transfer\"}");
  json_t *old = s_txn("{\"name\":\"Payroll\",\"category\":\"INCOME\"}"); /* a record kept before flow was stored */
  const finance_filter transfer = {.flow = "transfer"};
  const finance_filter income = {.flow = "income"};
  const finance_filter upper = {.flow = "TRANSFER"};
  assert_true(finance_filter_matches(&transfer, pay));
  assert_false(finance_filter_matches(&income, pay));
  assert_false(finance_filter_matches(&upper, pay));
  assert_true(finance_filter_matches(&income, old));
  assert_false(finance_filter_matches(&transfer, old));
  json_decref(pay);
  json_decref(old);
}

static void test_finance_filter_q_matches_name_or_merchant_folding_ascii_only(void **state)
{
  (void)state;
  json_t *t = s_txn("{\"name\":\"SQ *BLUE BOTTLE 1234\",\"merchant_name\":\"Blue Bottle Coffee\","
                    "\"category\":\"FOOD_AND_DRINK\",\"flow\":\"expense\"}");
  json_t *cafe = s_txn("{\"name\":\"CAF\\u00c9 DE FLORE\",\"merchant_name\":null,\"flow\":\"expense\"}");
  const char *hits[] = {"blue", "BOTTLE 12", "coffee", "sq *", "e", "Blue Bottle Coffee"};
  for(size_t i = 0; i < sizeof hits / sizeof hits[0]; i++) {
    const finance_filter f = {.q = hits[i]};
    if(!finance_filter_matches(&f, t))
      fail_msg("\"%s\" did not match", hits[i]);
  }
  const char *misses[] = {"tea", "coffee shop", "bluebottle", "1235"};
  for(size_t i = 0; i < sizeof misses / sizeof misses[0]; i++) {
    const finance_filter f = {.q = misses[i]};
    if(finance_filter_matches(&f, t))
      fail_msg("\"%s\" matched", misses[i]);
  }
  /* Only A-Z fold: É (UTF-8 C3 89) matches itself, not é (C3 A9); the ASCII letters around it fold. */
  const finance_filter exact = {.q = "caf\xc3\x89 de"};
  const finance_filter other_case = {.q = "caf\xc3\xa9"};
  assert_true(finance_filter_matches(&exact, cafe));
  assert_false(finance_filter_matches(&other_case, cafe));
  json_decref(t);
  json_decref(cafe);
}

static void test_finance_filter_members_combine(void **state)
{
  (void)state;
  json_t *t = s_txn("{\"name\":\"Uber 063015\",\"merchant_name\":\"Uber\",\"category\":\"TRANSPORTATION\","
                    "\"flow\":\"expense\"}");
  const finance_filter all = {.category = "TRANSPORTATION", .flow = "expense", .q = "uber"};
  const finance_filter wrong_q = {.category = "TRANSPORTATION", .flow = "expense", .q = "lyft"};
  const finance_filter wrong_flow = {.category = "TRANSPORTATION", .flow = "income", .q = "uber"};
  const finance_filter wrong_category = {.category = "TRAVEL", .flow = "expense", .q = "uber"};
  assert_true(finance_filter_matches(&all, t));
  assert_false(finance_filter_matches(&wrong_q, t));
  assert_false(finance_filter_matches(&wrong_flow, t));
  assert_false(finance_filter_matches(&wrong_category, t));
  json_decref(t);
}

UNIT_MAIN("finance_filter", NULL, NULL,
          {
            cmocka_unit_test(test_finance_filter_without_members_keeps_everything),
            cmocka_unit_test(test_finance_filter_category_is_the_primary_or_uncategorized),
            cmocka_unit_test(test_finance_filter_flow_is_exact_and_derived_when_not_stored),
            cmocka_unit_test(test_finance_filter_q_matches_name_or_merchant_folding_ascii_only),
            cmocka_unit_test(test_finance_filter_members_combine),
          })
