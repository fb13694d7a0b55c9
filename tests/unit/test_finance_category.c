/* test_finance_category.c - unit tests for Plaid's primary categories and the flow each gives a transaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "finance/category.h"
#include "support/unit_main.h"

static void test_finance_flow_tells_income_transfers_and_expenses(void **state)
{
  (void)state;
  assert_string_equal(finance_flow("INCOME"), "income");
  assert_string_equal(finance_flow("TRANSFER_IN"), "transfer");
  assert_string_equal(finance_flow("TRANSFER_OUT"), "transfer");
  assert_string_equal(finance_flow("LOAN_PAYMENTS"), "transfer"); /* a credit-card payment is no expense */
  assert_string_equal(finance_flow("FOOD_AND_DRINK"), "expense");
  assert_string_equal(finance_flow("RENT_AND_UTILITIES"), "expense");
  assert_string_equal(finance_flow("BANK_FEES"), "expense");
  assert_string_equal(finance_flow("income"), "expense");
  assert_string_equal(finance_flow("INCOME "), "expense");
  assert_string_equal(finance_flow(FINANCE_UNCATEGORIZED), "expense");
  assert_string_equal(finance_flow(NULL), "expense");
}

static void test_finance_categories_are_plaids_sixteen_primaries_in_order(void **state)
{
  (void)state;
  const char *const expected[] = {"INCOME",
                                  "TRANSFER_IN",
                                  "TRANSFER_OUT",
                                  "LOAN_PAYMENTS",
                                  "BANK_FEES",
                                  "ENTERTAINMENT",
                                  "FOOD_AND_DRINK",
                                  "GENERAL_MERCHANDISE",
                                  "HOME_IMPROVEMENT",
                                  "MEDICAL",
                                  "PERSONAL_CARE",
                                  "GENERAL_SERVICES",
                                  "GOVERNMENT_AND_NON_PROFIT",
                                  "TRANSPORTATION",
                                  "TRAVEL",
                                  "RENT_AND_UTILITIES"};
  const char *const *list = NULL;
  size_t n = finance_categories(&list);
  assert_int_equal(n, sizeof expected / sizeof expected[0]);
  for(size_t i = 0; i < n; i++) {
    assert_string_equal(list[i], expected[i]);
    assert_true(finance_category_known(list[i]));
  }
}

static void test_finance_category_known_refuses_what_plaid_does_not_define(void **state)
{
  (void)state;
  const char *unknown[] = {
    FINANCE_UNCATEGORIZED, "OTHER", "food_and_drink", "FOOD_AND_DRINK_GROCERIES", "FOOD", "", " INCOME", "TRAVEL\n"};
  for(size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
    if(finance_category_known(unknown[i]))
      fail_msg("\"%s\" is known", unknown[i]);
  assert_false(finance_category_known(NULL));
}

static void test_finance_category_budgetable_is_a_known_spending_category(void **state)
{
  (void)state;
  const char *const *list = NULL;
  size_t n = finance_categories(&list);
  size_t budgetable = 0;
  for(size_t i = 0; i < n; i++) {
    bool spending = strcmp(finance_flow(list[i]), "expense") == 0;
    assert_int_equal(finance_category_budgetable(list[i]), spending);
    budgetable += spending;
  }
  assert_int_equal(budgetable, 12);
  assert_false(finance_category_budgetable("INCOME"));
  assert_false(finance_category_budgetable("TRANSFER_IN"));
  assert_false(finance_category_budgetable("TRANSFER_OUT"));
  assert_false(finance_category_budgetable("LOAN_PAYMENTS"));
  assert_true(finance_category_budgetable("FOOD_AND_DRINK"));
  assert_false(finance_category_budgetable(FINANCE_UNCATEGORIZED)); /* an expense, but not Plaid's */
  assert_false(finance_category_budgetable("OTHER"));
  assert_false(finance_category_budgetable(NULL));
}

UNIT_MAIN("finance_category", NULL, NULL,
          {
            cmocka_unit_test(test_finance_flow_tells_income_transfers_and_expenses),
            cmocka_unit_test(test_finance_categories_are_plaids_sixteen_primaries_in_order),
            cmocka_unit_test(test_finance_category_known_refuses_what_plaid_does_not_define),
            cmocka_unit_test(test_finance_category_budgetable_is_a_known_spending_category),
          })
