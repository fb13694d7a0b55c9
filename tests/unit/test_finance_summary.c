/* test_finance_summary.c - unit tests for GET /summary's figures: classification and cents arithmetic on hand-made histories. */
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

#include "core/money.h"
#include "finance/category.h"
#include "finance/summary.h"
#include "support/unit_main.h"

/* One hand-made stored transaction; NULL text members are JSON null, defaults noted. */
typedef struct {
  const char *date;
  int64_t cents;
  const char *currency; /* NULL: "USD" */
  const char *category;
  const char *detailed;
  const char *merchant;
  const char *name;    /* NULL: "Purchase" */
  const char *account; /* NULL: "acc-1" */
  bool pending;
  bool no_currency; /* iso_currency_code null */
  bool no_flow;     /* a record kept before flow was stored */
} t_spec;

/* The history of specs in store/history.h's shape, flow as the sync stores it (finance_flow). */
static json_t *s_history(const t_spec *specs, size_t n)
{
  json_t *txns = json_array();
  assert_non_null(txns);
  for(size_t i = 0; i < n; i++) {
    const t_spec *s = &specs[i];
    char id[32];
    snprintf(id, sizeof id, "txn-%zu", i);
    json_t *t =
      json_pack("{s:s, s:s, s:s, s:o, s:s, s:s?, s:I, s:s?, s:b, s:s?, s:s?, s:s}", "transaction_id", id, "account_id",
                s->account ? s->account : "acc-1", "date", s->date, "authorized_date", json_null(), "name",
                s->name ? s->name : "Purchase", "merchant_name", s->merchant, "amount_cents", (json_int_t)s->cents,
                "iso_currency_code", s->no_currency ? NULL : (s->currency ? s->currency : "USD"), "pending", s->pending,
                "category", s->category, "category_detailed", s->detailed, "payment_channel", "online");
    assert_non_null(t);
    if(!s->no_flow)
      assert_int_equal(json_object_set_new(t, "flow", json_string(finance_flow(s->category))), 0);
    assert_int_equal(json_array_append_new(txns, t), 0);
  }
  return txns;
}

/* The summary of specs over start..end with budgets; asserts success. */
static json_t *s_summary(const t_spec *specs, size_t n, const char *start, const char *end,
                         const finance_budget *budgets, size_t n_budgets)
{
  json_t *txns = s_history(specs, n);
  json_t *out = NULL;
  assert_int_equal(finance_summary(txns, start, end, budgets, n_budgets, &out), MYNT_OK);
  assert_non_null(out);
  json_decref(txns);
  return out;
}

/* The element of summary[list] whose member k1 is v1 and (k2 non-NULL) k2 is v2, or NULL. */
static const json_t *s_entry(const json_t *summary, const char *list, const char *k1, const char *v1, const char *k2,
                             const char *v2)
{
  size_t i;
  const json_t *e;
  json_array_foreach(json_object_get(summary, list), i, e) {
    const char *a = json_string_value(json_object_get(e, k1));
    const char *b = k2 ? json_string_value(json_object_get(e, k2)) : NULL;
    if(a && !strcmp(a, v1) && (!k2 || (b && !strcmp(b, v2))))
      return e;
  }
  return NULL;
}

/* obj[name] as cents; asserts it is a JSON number of at most two decimals (money_json's). */
static int64_t s_cents(const json_t *obj, const char *name)
{
  const json_t *v = json_object_get(obj, name);
  if(!json_is_number(v))
    fail_msg("%s is not a number", name);
  int64_t cents = 0;
  assert_int_equal(money_cents_from_json_exact(v, &cents), MYNT_OK);
  return cents;
}

/* The text the response writer prints for obj[name]. */
static void s_text(const json_t *obj, const char *name, char *out, size_t cap)
{
  char *text = json_dumps(json_object_get(obj, name), JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  assert_non_null(text);
  snprintf(out, cap, "%s", text);
  free(text);
}

static size_t s_count(const json_t *summary, const char *list)
{
  const json_t *a = json_object_get(summary, list);
  assert_true(json_is_array(a));
  return json_array_size(a);
}

static void test_finance_summary_transfers_and_card_payments_are_neither_income_nor_expense(void **state)
{
  (void)state;
  const t_spec h[] = {
    {.date = "2026-03-01", .cents = -250000, .category = "INCOME", .detailed = "INCOME_WAGES", .name = "Payroll"},
    {.date = "2026-03-02", .cents = 1234, .category = "FOOD_AND_DRINK", .merchant = "Cafe"},
    {.date = "2026-03-03", .cents = 50000, .category = "TRANSFER_OUT", .account = "acc-2"},
    {.date = "2026-03-03", .cents = -50000, .category = "TRANSFER_IN", .account = "acc-3"},
    {.date = "2026-03-04",
     .cents = 30000,
     .category = "LOAN_PAYMENTS",
     .detailed = "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT",
     .account = "acc-2"},
  };
  json_t *s = s_summary(h, 5, "2026-03-01", "2026-03-31", NULL, 0);
  assert_int_equal(s_count(s, "totals"), 1);
  const json_t *usd = s_entry(s, "totals", "iso_currency_code", "USD", NULL, NULL);
  assert_non_null(usd);
  assert_int_equal(s_cents(usd, "income"), 250000);
  assert_int_equal(s_cents(usd, "expenses"), 1234);
  assert_int_equal(s_cents(usd, "net"), 250000 - 1234);
  assert_int_equal(s_cents(usd, "pending_expenses"), 0);
  assert_int_equal(json_integer_value(json_object_get(usd, "transactions")), 5); /* all flows */
  /* Only the expense is a category; the transfers' accounts are listed with zeros. */
  assert_int_equal(s_count(s, "categories"), 1);
  assert_non_null(s_entry(s, "categories", "category", "FOOD_AND_DRINK", NULL, NULL));
  assert_int_equal(s_count(s, "merchants"), 1);
  const json_t *acc1 = s_entry(s, "accounts", "account_id", "acc-1", NULL, NULL);
  const json_t *acc2 = s_entry(s, "accounts", "account_id", "acc-2", NULL, NULL);
  const json_t *acc3 = s_entry(s, "accounts", "account_id", "acc-3", NULL, NULL);
  assert_int_equal(s_cents(acc1, "income"), 250000);
  assert_int_equal(s_cents(acc1, "expenses"), 1234);
  assert_int_equal(s_cents(acc2, "income"), 0);
  assert_int_equal(s_cents(acc2, "expenses"), 0);
  assert_int_equal(s_cents(acc3, "income"), 0);
  assert_int_equal(s_cents(acc3, "expenses"), 0);
  const json_t *march = s_entry(s, "months", "month", "2026-03", NULL, NULL);
  assert_int_equal(s_cents(march, "income"), 250000);
  assert_int_equal(s_cents(march, "expenses"), 1234);
  assert_int_equal(s_cents(march, "net"), 248766);
  json_decref(s);
}

static void test_finance_summary_refunds_reduce_their_category_even_below_zero(void **state)
{
  (void)state;
  const t_spec h[] = {
    {.date = "2026-03-05", .cents = 5000, .category = "FOOD_AND_DRINK", .merchant = "Grocer"},
    {.date = "2026-03-06", .cents = -1500, .category = "FOOD_AND_DRINK", .merchant = "Grocer"},    /* refund */
    {.date = "2026-03-07", .cents = -2000, .category = "GENERAL_MERCHANDISE", .merchant = "Shop"}, /* a return only */
  };
  const finance_budget budgets[] = {{"GENERAL_MERCHANDISE", "USD", 10000}, {"FOOD_AND_DRINK", "USD", 10000}};
  json_t *s = s_summary(h, 3, "2026-03-01", "2026-03-31", budgets, 2);
  const json_t *usd = s_entry(s, "totals", "iso_currency_code", "USD", NULL, NULL);
  assert_int_equal(s_cents(usd, "expenses"), 5000 - 1500 - 2000);
  assert_int_equal(s_cents(usd, "income"), 0); /* a refund is no income */
  assert_int_equal(s_cents(usd, "net"), -1500);
  const json_t *cats = json_object_get(s, "categories");
  assert_int_equal(json_array_size(cats), 2);
  /* Expenses descending: the negative category last. */
  assert_string_equal(json_string_value(json_object_get(json_array_get(cats, 0), "category")), "FOOD_AND_DRINK");
  assert_int_equal(s_cents(json_array_get(cats, 0), "expenses"), 3500);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(cats, 0), "transactions")), 2);
  assert_int_equal(s_cents(json_array_get(cats, 1), "expenses"), -2000);
  const json_t *shop = s_entry(s, "merchants", "name", "Shop", NULL, NULL);
  assert_int_equal(s_cents(shop, "expenses"), -2000);
  /* Budgets by category; a negative spend: remaining above the limit, percent clamped at 0. */
  const json_t *b = json_object_get(s, "budgets");
  assert_string_equal(json_string_value(json_object_get(json_array_get(b, 0), "category")), "FOOD_AND_DRINK");
  assert_int_equal(s_cents(json_array_get(b, 0), "spent"), 3500);
  assert_int_equal(s_cents(json_array_get(b, 0), "remaining"), 6500);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 0), "percent")), 35);
  assert_int_equal(s_cents(json_array_get(b, 1), "spent"), -2000);
  assert_int_equal(s_cents(json_array_get(b, 1), "remaining"), 12000);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 1), "percent")), 0);
  json_decref(s);
}

static void test_finance_summary_counts_pending_apart(void **state)
{
  (void)state;
  const t_spec h[] = {
    {.date = "2026-03-05", .cents = 1000, .category = "FOOD_AND_DRINK", .merchant = "Cafe"},
    {.date = "2026-03-06", .cents = 700, .category = "FOOD_AND_DRINK", .merchant = "Cafe", .pending = true},
    {.date = "2026-03-06", .cents = -5000, .category = "INCOME", .pending = true},
    {.date = "2026-03-06", .cents = 900, .category = "TRANSFER_OUT", .pending = true},
    {.date = "2026-03-07", .cents = 300, .currency = "CAD", .category = "TRAVEL", .pending = true, .account = "acc-9"},
  };
  const finance_budget budgets[] = {{"FOOD_AND_DRINK", "USD", 5000}};
  json_t *s = s_summary(h, 5, "2026-03-01", "2026-03-31", budgets, 1);
  const json_t *usd = s_entry(s, "totals", "iso_currency_code", "USD", NULL, NULL);
  assert_int_equal(s_cents(usd, "expenses"), 1000);
  assert_int_equal(s_cents(usd, "income"), 0);
  assert_int_equal(s_cents(usd, "pending_expenses"), 700);
  assert_int_equal(json_integer_value(json_object_get(usd, "transactions")), 1);
  /* A currency with only pending txns has its totals (and zero months) but no other figure. */
  const json_t *cad = s_entry(s, "totals", "iso_currency_code", "CAD", NULL, NULL);
  assert_non_null(cad);
  assert_int_equal(s_cents(cad, "pending_expenses"), 300);
  assert_int_equal(s_cents(cad, "expenses"), 0);
  assert_int_equal(json_integer_value(json_object_get(cad, "transactions")), 0);
  assert_non_null(s_entry(s, "months", "month", "2026-03", "iso_currency_code", "CAD"));
  assert_null(s_entry(s, "categories", "iso_currency_code", "CAD", NULL, NULL));
  assert_null(s_entry(s, "accounts", "account_id", "acc-9", NULL, NULL));
  const json_t *food = s_entry(s, "categories", "category", "FOOD_AND_DRINK", NULL, NULL);
  assert_int_equal(s_cents(food, "expenses"), 1000);
  assert_int_equal(json_integer_value(json_object_get(food, "transactions")), 1);
  const json_t *cafe = s_entry(s, "merchants", "name", "Cafe", NULL, NULL);
  assert_int_equal(json_integer_value(json_object_get(cafe, "transactions")), 1);
  assert_int_equal(s_cents(json_array_get(json_object_get(s, "budgets"), 0), "spent"), 1000);
  json_decref(s);
}

static void test_finance_summary_never_mixes_currencies(void **state)
{
  (void)state;
  const t_spec h[] = {
    {.date = "2026-03-05", .cents = 1000, .category = "FOOD_AND_DRINK", .merchant = "Cafe"},
    {.date = "2026-03-05", .cents = 2000, .currency = "EUR", .category = "FOOD_AND_DRINK", .merchant = "Cafe"},
    {.date = "2026-03-06", .cents = -40000, .currency = "EUR", .category = "INCOME"},
    {.date = "2026-03-07", .cents = 123, .currency = "GBP", .category = "TRAVEL", .account = "acc-2"},
  };
  const finance_budget budgets[] = {{"FOOD_AND_DRINK", "EUR", 4000}};
  json_t *s = s_summary(h, 4, "2026-03-01", "2026-03-31", budgets, 1);
  /* Every currency is there, sorted, each with its own sums. */
  const json_t *totals = json_object_get(s, "totals");
  assert_int_equal(json_array_size(totals), 3);
  const char *order[] = {"EUR", "GBP", "USD"};
  const int64_t expenses[] = {2000, 123, 1000};
  const int64_t income[] = {40000, 0, 0};
  for(size_t i = 0; i < 3; i++) {
    const json_t *t = json_array_get(totals, i);
    assert_string_equal(json_string_value(json_object_get(t, "iso_currency_code")), order[i]);
    assert_int_equal(s_cents(t, "expenses"), expenses[i]);
    assert_int_equal(s_cents(t, "income"), income[i]);
    assert_non_null(s_entry(s, "months", "month", "2026-03", "iso_currency_code", order[i]));
  }
  assert_int_equal(s_count(s, "months"), 3);
  assert_int_equal(
    s_cents(s_entry(s, "categories", "category", "FOOD_AND_DRINK", "iso_currency_code", "USD"), "expenses"), 1000);
  assert_int_equal(
    s_cents(s_entry(s, "categories", "category", "FOOD_AND_DRINK", "iso_currency_code", "EUR"), "expenses"), 2000);
  assert_int_equal(s_cents(s_entry(s, "merchants", "name", "Cafe", "iso_currency_code", "USD"), "expenses"), 1000);
  assert_int_equal(s_cents(s_entry(s, "merchants", "name", "Cafe", "iso_currency_code", "EUR"), "expenses"), 2000);
  assert_int_equal(s_cents(s_entry(s, "accounts", "account_id", "acc-1", "iso_currency_code", "EUR"), "income"), 40000);
  assert_int_equal(s_cents(s_entry(s, "accounts", "account_id", "acc-1", "iso_currency_code", "USD"), "expenses"),
                   1000);
  /* The EUR budget counts only EUR spending. */
  const json_t *b = json_array_get(json_object_get(s, "budgets"), 0);
  assert_string_equal(json_string_value(json_object_get(b, "iso_currency_code")), "EUR");
  assert_int_equal(s_cents(b, "spent"), 2000);
  assert_int_equal(json_integer_value(json_object_get(b, "percent")), 50);
  json_decref(s);
}

static void test_finance_summary_months_split_at_midnight_of_the_first(void **state)
{
  (void)state;
  const t_spec h[] = {
    {.date = "2026-01-30", .cents = 1, .category = "FOOD_AND_DRINK"}, /* before the period */
    {.date = "2026-01-31", .cents = 1000, .category = "FOOD_AND_DRINK"},
    {.date = "2026-02-01", .cents = 2000, .category = "FOOD_AND_DRINK"},
    {.date = "2026-02-02", .cents = 4, .category = "FOOD_AND_DRINK"}, /* after it */
  };
  const finance_budget budgets[] = {{"FOOD_AND_DRINK", "USD", 10000}};
  json_t *s = s_summary(h, 4, "2026-01-31", "2026-02-01", budgets, 1);
  const json_t *months = json_object_get(s, "months");
  assert_int_equal(json_array_size(months), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(months, 0), "month")), "2026-01");
  assert_int_equal(s_cents(json_array_get(months, 0), "expenses"), 1000);
  assert_string_equal(json_string_value(json_object_get(json_array_get(months, 1), "month")), "2026-02");
  assert_int_equal(s_cents(json_array_get(months, 1), "expenses"), 2000);
  const json_t *usd = s_entry(s, "totals", "iso_currency_code", "USD", NULL, NULL);
  assert_int_equal(s_cents(usd, "expenses"), 3000);
  assert_int_equal(json_integer_value(json_object_get(usd, "transactions")), 2);
  /* Two days that touch two months: two whole months of budget. */
  const json_t *b = json_array_get(json_object_get(s, "budgets"), 0);
  assert_int_equal(s_cents(b, "monthly_limit"), 10000);
  assert_int_equal(s_cents(b, "limit_for_period"), 20000);
  assert_int_equal(s_cents(b, "remaining"), 17000);
  assert_int_equal(json_integer_value(json_object_get(b, "percent")), 15);
  assert_string_equal(json_string_value(json_object_get(s, "start_date")), "2026-01-31");
  assert_string_equal(json_string_value(json_object_get(s, "end_date")), "2026-02-01");
  json_decref(s);
}

static void test_finance_summary_counts_a_leap_day_in_february(void **state)
{
  (void)state;
  const t_spec h[] = {
    {.date = "2024-02-29", .cents = 2900, .category = "TRAVEL"},
    {.date = "2024-03-01", .cents = 100, .category = "TRAVEL"},
  };
  json_t *s = s_summary(h, 2, "2024-02-01", "2024-02-29", NULL, 0);
  assert_int_equal(s_count(s, "months"), 1);
  assert_int_equal(s_cents(s_entry(s, "months", "month", "2024-02", NULL, NULL), "expenses"), 2900);
  json_decref(s);
  s = s_summary(h, 2, "2024-02-29", "2024-03-01", NULL, 0);
  assert_int_equal(s_count(s, "months"), 2);
  assert_int_equal(s_cents(s_entry(s, "months", "month", "2024-02", NULL, NULL), "expenses"), 2900);
  assert_int_equal(s_cents(s_entry(s, "months", "month", "2024-03", NULL, NULL), "expenses"), 100);
  json_decref(s);
}

static void test_finance_summary_fills_every_month_across_a_year_end(void **state)
{
  (void)state;
  const t_spec h[] = {
    {.date = "2025-12-31", .cents = 1231, .category = "ENTERTAINMENT"},
    {.date = "2026-01-01", .cents = -100000, .category = "INCOME"},
    {.date = "2026-01-01", .cents = 101, .category = "ENTERTAINMENT"},
  };
  const finance_budget budgets[] = {{"ENTERTAINMENT", "USD", 1000}};
  /* A partial first and last month count whole: Nov, Dec, Jan, Feb. */
  json_t *s = s_summary(h, 3, "2025-11-15", "2026-02-10", budgets, 1);
  const json_t *months = json_object_get(s, "months");
  const char *names[] = {"2025-11", "2025-12", "2026-01", "2026-02"};
  const int64_t expenses[] = {0, 1231, 101, 0};
  const int64_t income[] = {0, 0, 100000, 0};
  assert_int_equal(json_array_size(months), 4);
  for(size_t i = 0; i < 4; i++) {
    const json_t *m = json_array_get(months, i);
    assert_string_equal(json_string_value(json_object_get(m, "month")), names[i]);
    assert_int_equal(s_cents(m, "expenses"), expenses[i]);
    assert_int_equal(s_cents(m, "income"), income[i]);
    assert_int_equal(s_cents(m, "net"), income[i] - expenses[i]);
  }
  const json_t *b = json_array_get(json_object_get(s, "budgets"), 0);
  assert_int_equal(s_cents(b, "limit_for_period"), 4000);
  assert_int_equal(s_cents(b, "spent"), 1332);
  assert_int_equal(json_integer_value(json_object_get(b, "percent")), 33); /* 33.3 */
  json_decref(s);
}

static void test_finance_summary_months_touched(void **state)
{
  (void)state;
  assert_int_equal(finance_months_touched("2026-01-31", "2026-02-01"), 2);
  assert_int_equal(finance_months_touched("2026-03-01", "2026-03-31"), 1);
  assert_int_equal(finance_months_touched("2026-03-15", "2026-03-15"), 1);
  assert_int_equal(finance_months_touched("2025-12-15", "2026-01-15"), 2);
  assert_int_equal(finance_months_touched("2024-03-01", "2026-02-28"), 24);
  assert_int_equal(finance_months_touched("2024-02-29", "2024-03-01"), 2);
  assert_int_equal(finance_months_touched("2026-02-01", "2026-01-31"), 0);
  assert_int_equal(finance_months_touched("2023-02-29", "2023-03-01"), 0);
  assert_int_equal(finance_months_touched("2026-1-01", "2026-03-01"), 0);
  assert_int_equal(finance_months_touched(NULL, "2026-03-01"), 0);
}

static void test_finance_summary_adds_cents_so_a_tenth_and_a_fifth_make_three_tenths(void **state)
{
  (void)state;
  /* 0.1 + 0.2 in doubles is 0.30000000000000004; in cents it is 30. */
  const t_spec h[] = {
    {.date = "2026-03-05", .cents = 10, .category = "FOOD_AND_DRINK", .merchant = "Gum"},
    {.date = "2026-03-06", .cents = 20, .category = "FOOD_AND_DRINK", .merchant = "Gum"},
  };
  const finance_budget budgets[] = {{"FOOD_AND_DRINK", "USD", 30}};
  json_t *s = s_summary(h, 2, "2026-03-01", "2026-03-31", budgets, 1);
  char text[64];
  s_text(s_entry(s, "totals", "iso_currency_code", "USD", NULL, NULL), "expenses", text, sizeof text);
  assert_string_equal(text, "0.3");
  s_text(s_entry(s, "totals", "iso_currency_code", "USD", NULL, NULL), "net", text, sizeof text);
  assert_string_equal(text, "-0.3");
  s_text(s_entry(s, "categories", "category", "FOOD_AND_DRINK", NULL, NULL), "expenses", text, sizeof text);
  assert_string_equal(text, "0.3");
  s_text(s_entry(s, "merchants", "name", "Gum", NULL, NULL), "expenses", text, sizeof text);
  assert_string_equal(text, "0.3");
  const json_t *b = json_array_get(json_object_get(s, "budgets"), 0);
  s_text(b, "remaining", text, sizeof text);
  assert_string_equal(text, "0.0");
  assert_int_equal(json_integer_value(json_object_get(b, "percent")), 100);
  json_decref(s);
}

static void test_finance_summary_leaves_out_what_cannot_be_counted(void **state)
{
  (void)state;
  const t_spec h[] = {
    {.date = "2026-03-05", .cents = 1000, .category = "FOOD_AND_DRINK"},
    {.date = "2026-03-05", .cents = 777, .category = "FOOD_AND_DRINK", .no_currency = true},
    {.date = "2026-04-01", .cents = 555, .category = "FOOD_AND_DRINK"},
    {.date = "2026-02-28", .cents = 444, .category = "FOOD_AND_DRINK"},
  };
  json_t *txns = s_history(h, 4);
  /* Records no sync writes: a bad date, a currency that is not a token, an amount out of range or not whole. */
  json_t *bad[] = {
    json_pack("{s:s, s:I, s:s, s:s}", "date", "2026-03-32", "amount_cents", (json_int_t)1, "iso_currency_code", "USD",
              "flow", "expense"),
    json_pack("{s:s, s:I, s:s, s:s}", "date", "2026-03-05", "amount_cents", (json_int_t)1, "iso_currency_code", "",
              "flow", "expense"),
    json_pack("{s:s, s:I, s:s, s:s}", "date", "2026-03-05", "amount_cents", (json_int_t)1, "iso_currency_code", "US D",
              "flow", "expense"),
    json_pack("{s:s, s:I, s:s, s:s}", "date", "2026-03-05", "amount_cents", (json_int_t)(MONEY_CENTS_MAX + 1),
              "iso_currency_code", "USD", "flow", "expense"),
    json_pack("{s:s, s:f, s:s, s:s}", "date", "2026-03-05", "amount_cents", 12.5, "iso_currency_code", "USD", "flow",
              "expense"),
    json_string("not a transaction"),
  };
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(json_array_append_new(txns, bad[i]), 0);
  json_t *s = NULL;
  assert_int_equal(finance_summary(txns, "2026-03-01", "2026-03-31", NULL, 0, &s), MYNT_OK);
  assert_int_equal(s_count(s, "totals"), 1);
  const json_t *usd = s_entry(s, "totals", "iso_currency_code", "USD", NULL, NULL);
  assert_int_equal(s_cents(usd, "expenses"), 1000);
  assert_int_equal(json_integer_value(json_object_get(usd, "transactions")), 1);
  assert_int_equal(s_count(s, "months"), 1);
  json_decref(s);
  json_decref(txns);
}

static void test_finance_summary_of_an_empty_history_is_empty_lists_and_the_budgets(void **state)
{
  (void)state;
  const finance_budget budgets[] = {{"TRAVEL", "USD", 50000}};
  json_t *empty = json_array();
  const json_t *histories[] = {empty, NULL};
  for(size_t h = 0; h < 2; h++) {
    json_t *s = NULL;
    assert_int_equal(finance_summary(histories[h], "2026-03-01", "2026-03-31", budgets, 1, &s), MYNT_OK);
    const char *lists[] = {"totals", "months", "categories", "accounts", "merchants"};
    for(size_t i = 0; i < 5; i++)
      assert_int_equal(s_count(s, lists[i]), 0);
    assert_int_equal(s_count(s, "budgets"), 1);
    const json_t *b = json_array_get(json_object_get(s, "budgets"), 0);
    assert_string_equal(json_string_value(json_object_get(b, "category")), "TRAVEL");
    assert_int_equal(s_cents(b, "spent"), 0);
    assert_int_equal(s_cents(b, "remaining"), 50000);
    assert_int_equal(json_integer_value(json_object_get(b, "percent")), 0);
    json_decref(s);
  }
  json_decref(empty);
}

static void test_finance_summary_lists_the_top_ten_merchants_per_currency_ties_by_name(void **state)
{
  (void)state;
  /* USD: twelve merchants; M-a..M-e tie at 5.00, so they are listed by name; the two smallest fall off. */
  t_spec h[16];
  const char *names[12] = {"M-e", "M-d", "M-c", "M-b", "M-a", "N-5", "N-6", "N-7", "N-8", "N-9", "N-10", "N-11"};
  const int64_t spend[12] = {500, 500, 500, 500, 500, 900, 100, 200, 300, 700, 50, 60};
  for(size_t i = 0; i < 12; i++)
    h[i] = (t_spec){.date = "2026-03-05", .cents = spend[i], .category = "GENERAL_MERCHANDISE", .merchant = names[i]};
  /* No merchant_name: the name stands in; neither: left out. EUR has its own ten. */
  h[12] = (t_spec){.date = "2026-03-05", .cents = 800, .category = "FOOD_AND_DRINK", .name = "SQ *CORNER"};
  h[13] =
    (t_spec){.date = "2026-03-06", .cents = 1, .currency = "EUR", .category = "FOOD_AND_DRINK", .merchant = "Bar"};
  h[14] =
    (t_spec){.date = "2026-03-06", .cents = 1, .currency = "EUR", .category = "FOOD_AND_DRINK", .merchant = "Bar"};
  h[15] = (t_spec){.date = "2026-03-07", .cents = 5000, .category = "INCOME", .merchant = "Employer"}; /* no expense */
  json_t *s = s_summary(h, 16, "2026-03-01", "2026-03-31", NULL, 0);
  const json_t *m = json_object_get(s, "merchants");
  const char *expected[] = {"Bar", "N-5", "SQ *CORNER", "N-9", "M-a", "M-b", "M-c", "M-d", "M-e", "N-8", "N-7"};
  const int64_t cents[] = {2, 900, 800, 700, 500, 500, 500, 500, 500, 300, 200};
  assert_int_equal(json_array_size(m), 11);
  for(size_t i = 0; i < 11; i++) {
    const json_t *e = json_array_get(m, i);
    if(strcmp(json_string_value(json_object_get(e, "name")), expected[i]))
      fail_msg("merchant %zu is %s, not %s", i, json_string_value(json_object_get(e, "name")), expected[i]);
    assert_string_equal(json_string_value(json_object_get(e, "iso_currency_code")), i == 0 ? "EUR" : "USD");
    assert_int_equal(s_cents(e, "expenses"), cents[i]);
  }
  assert_int_equal(json_integer_value(json_object_get(json_array_get(m, 0), "transactions")), 2);
  json_decref(s);
}

static void test_finance_summary_rounds_percent_half_away_from_zero(void **state)
{
  (void)state;
  /* A 300.00 monthly limit over one month; spent → percent, worked by hand. */
  const struct {
    int64_t spent;
    int64_t percent;
  } cases[] = {
    {150, 1},     /* 0.5 → 1 */
    {149, 0},     /* 0.4967 → 0 */
    {450, 2},     /* 1.5 → 2 */
    {10000, 33},  /* 33.33 */
    {20000, 67},  /* 66.67 */
    {24150, 81},  /* 80.5 → 81 */
    {30000, 100}, /* the limit */
    {30150, 101}, /* 100.5 → 101 */
    {45000, 150}, /* past the limit */
    {-150, 0},    /* a refund: never below 0 */
    {0, 0},
  };
  const finance_budget budgets[] = {{"MEDICAL", "USD", 30000}};
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const t_spec h[] = {{.date = "2026-03-05", .cents = cases[i].spent, .category = "MEDICAL"}};
    json_t *s = s_summary(h, 1, "2026-03-01", "2026-03-31", budgets, 1);
    const json_t *b = json_array_get(json_object_get(s, "budgets"), 0);
    assert_true(json_is_integer(json_object_get(b, "percent")));
    if(json_integer_value(json_object_get(b, "percent")) != cases[i].percent)
      fail_msg("%lld cents of 30000 gave %lld%%", (long long)cases[i].spent,
               (long long)json_integer_value(json_object_get(b, "percent")));
    assert_int_equal(s_cents(b, "remaining"), 30000 - cases[i].spent);
    json_decref(s);
  }
}

static void test_finance_summary_groups_categories_and_their_detailed_ones(void **state)
{
  (void)state;
  const t_spec h[] = {
    {.date = "2026-03-05", .cents = 3000, .category = "FOOD_AND_DRINK", .detailed = "FOOD_AND_DRINK_GROCERIES"},
    {.date = "2026-03-05", .cents = 1000, .category = "FOOD_AND_DRINK", .detailed = "FOOD_AND_DRINK_COFFEE"},
    {.date = "2026-03-06", .cents = 1000, .category = "FOOD_AND_DRINK", .detailed = "FOOD_AND_DRINK_BEER_WINE"},
    {.date = "2026-03-06", .cents = 500, .category = "FOOD_AND_DRINK"}, /* no detailed: the category itself */
    {.date = "2026-03-07", .cents = 5500, .category = "TRAVEL", .detailed = "TRAVEL_FLIGHTS"},
    {.date = "2026-03-08", .cents = 250, .category = NULL}, /* no category */
    {.date = "2026-03-08",
     .cents = 250,
     .category = "MEDICAL",
     .no_flow = true}, /* an old record: flow from category */
  };
  json_t *s = s_summary(h, 7, "2026-03-01", "2026-03-31", NULL, 0);
  const json_t *cats = json_object_get(s, "categories");
  /* Expenses descending, then category: FOOD_AND_DRINK and TRAVEL tie at 55.00, MEDICAL and UNCATEGORIZED at 2.50. */
  const char *order[] = {"FOOD_AND_DRINK", "TRAVEL", "MEDICAL", FINANCE_UNCATEGORIZED};
  assert_int_equal(json_array_size(cats), 4);
  for(size_t i = 0; i < 4; i++)
    assert_string_equal(json_string_value(json_object_get(json_array_get(cats, i), "category")), order[i]);
  const json_t *food = json_object_get(json_array_get(cats, 0), "detailed");
  const char *detailed[] = {"FOOD_AND_DRINK_GROCERIES", "FOOD_AND_DRINK_BEER_WINE", "FOOD_AND_DRINK_COFFEE",
                            "FOOD_AND_DRINK"};
  const int64_t cents[] = {3000, 1000, 1000, 500};
  assert_int_equal(json_array_size(food), 4);
  for(size_t i = 0; i < 4; i++) {
    const json_t *d = json_array_get(food, i);
    assert_string_equal(json_string_value(json_object_get(d, "category_detailed")), detailed[i]);
    assert_int_equal(s_cents(d, "expenses"), cents[i]);
    assert_int_equal(json_integer_value(json_object_get(d, "transactions")), 1);
  }
  assert_int_equal(s_cents(json_array_get(cats, 0), "expenses"), 5500);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(cats, 0), "transactions")), 4);
  const json_t *none = json_object_get(json_array_get(cats, 3), "detailed");
  assert_int_equal(json_array_size(none), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(none, 0), "category_detailed")),
                      FINANCE_UNCATEGORIZED);
  json_decref(s);
}

static void test_finance_summary_sorts_accounts_by_id_then_currency(void **state)
{
  (void)state;
  const t_spec h[] = {
    {.date = "2026-03-05", .cents = 100, .category = "TRAVEL", .account = "acc-b"},
    {.date = "2026-03-05", .cents = 200, .category = "TRAVEL", .account = "acc-a"},
    {.date = "2026-03-05", .cents = 300, .currency = "EUR", .category = "TRAVEL", .account = "acc-a"},
  };
  json_t *s = s_summary(h, 3, "2026-03-01", "2026-03-31", NULL, 0);
  const json_t *a = json_object_get(s, "accounts");
  const char *ids[] = {"acc-a", "acc-a", "acc-b"};
  const char *currencies[] = {"EUR", "USD", "USD"};
  const int64_t cents[] = {300, 200, 100};
  assert_int_equal(json_array_size(a), 3);
  for(size_t i = 0; i < 3; i++) {
    const json_t *e = json_array_get(a, i);
    assert_string_equal(json_string_value(json_object_get(e, "account_id")), ids[i]);
    assert_string_equal(json_string_value(json_object_get(e, "iso_currency_code")), currencies[i]);
    assert_int_equal(s_cents(e, "expenses"), cents[i]);
  }
  json_decref(s);
}

static void test_finance_summary_refuses_a_bad_period_or_budget(void **state)
{
  (void)state;
  json_t *txns = json_array();
  json_t *out = json_true();
  assert_int_equal(finance_summary(txns, "2026-03-02", "2026-03-01", NULL, 0, &out), MYNT_BAD_REQUEST);
  assert_null(out);
  assert_int_equal(finance_summary(txns, "2026-02-30", "2026-03-01", NULL, 0, &out), MYNT_BAD_REQUEST);
  assert_int_equal(finance_summary(txns, "2026-03-01", NULL, NULL, 0, &out), MYNT_BAD_REQUEST);
  const finance_budget zero[] = {{"TRAVEL", "USD", 0}};
  const finance_budget huge[] = {{"TRAVEL", "USD", MONEY_CENTS_MAX + 1}};
  const finance_budget most[] = {{"TRAVEL", "USD", MONEY_CENTS_MAX}};
  assert_int_equal(finance_summary(txns, "2026-03-01", "2026-03-31", zero, 1, &out), MYNT_BAD_REQUEST);
  assert_int_equal(finance_summary(txns, "2026-03-01", "2026-03-31", huge, 1, &out), MYNT_BAD_REQUEST);
  /* The largest limit over 24 months still fits. */
  assert_int_equal(finance_summary(txns, "2024-03-01", "2026-02-28", most, 1, &out), MYNT_OK);
  /* (Past MONEY_CENTS_MAX, so read as the double it is: 24 x 10^12 units, exact.) */
  const json_t *limit = json_object_get(json_array_get(json_object_get(out, "budgets"), 0), "limit_for_period");
  assert_true(json_real_value(limit) == (double)(MONEY_CENTS_MAX / 100 * 24));
  json_decref(out);
  json_decref(txns);
}

/* jansson's allocator failing from the s_fail_at-th allocation on (-1: never). */
static long s_fail_at = -1;
static long s_allocations;

static void *s_failing_malloc(size_t n)
{
  if(s_fail_at >= 0 && s_allocations++ >= s_fail_at)
    return NULL;
  return malloc(n);
}

static void test_finance_summary_reports_a_failed_allocation_and_leaks_nothing(void **state)
{
  (void)state;
  const t_spec h[] = {
    {.date = "2026-03-05",
     .cents = 1000,
     .category = "FOOD_AND_DRINK",
     .detailed = "FOOD_AND_DRINK_COFFEE",
     .merchant = "Cafe"},
    {.date = "2026-03-06", .cents = -90000, .category = "INCOME"},
    {.date = "2026-03-07", .cents = 250, .currency = "EUR", .category = "TRAVEL", .pending = true},
  };
  const finance_budget budgets[] = {{"FOOD_AND_DRINK", "USD", 5000}};
  json_t *txns = s_history(h, 3);
  json_set_alloc_funcs(s_failing_malloc, free);
  bool succeeded = false;
  /* Every allocation in turn fails: each run answers MYNT_NOMEM with nothing out (ASan checks for leaks). */
  for(s_fail_at = 0; !succeeded && s_fail_at < 10000; s_fail_at++) {
    s_allocations = 0;
    json_t *out = NULL;
    mynt_status st = finance_summary(txns, "2026-02-15", "2026-03-31", budgets, 1, &out);
    if(st == MYNT_OK) {
      succeeded = true;
      assert_int_equal(json_array_size(json_object_get(out, "months")), 4); /* Feb and Mar for EUR and USD */
    }
    else {
      assert_int_equal(st, MYNT_NOMEM);
      assert_null(out);
    }
    json_decref(out);
  }
  s_fail_at = -1;
  json_set_alloc_funcs(malloc, free);
  assert_true(succeeded);
  json_decref(txns);
}

UNIT_MAIN("finance_summary", NULL, NULL,
          {
            cmocka_unit_test(test_finance_summary_transfers_and_card_payments_are_neither_income_nor_expense),
            cmocka_unit_test(test_finance_summary_refunds_reduce_their_category_even_below_zero),
            cmocka_unit_test(test_finance_summary_counts_pending_apart),
            cmocka_unit_test(test_finance_summary_never_mixes_currencies),
            cmocka_unit_test(test_finance_summary_months_split_at_midnight_of_the_first),
            cmocka_unit_test(test_finance_summary_counts_a_leap_day_in_february),
            cmocka_unit_test(test_finance_summary_fills_every_month_across_a_year_end),
            cmocka_unit_test(test_finance_summary_months_touched),
            cmocka_unit_test(test_finance_summary_adds_cents_so_a_tenth_and_a_fifth_make_three_tenths),
            cmocka_unit_test(test_finance_summary_leaves_out_what_cannot_be_counted),
            cmocka_unit_test(test_finance_summary_of_an_empty_history_is_empty_lists_and_the_budgets),
            cmocka_unit_test(test_finance_summary_lists_the_top_ten_merchants_per_currency_ties_by_name),
            cmocka_unit_test(test_finance_summary_rounds_percent_half_away_from_zero),
            cmocka_unit_test(test_finance_summary_groups_categories_and_their_detailed_ones),
            cmocka_unit_test(test_finance_summary_sorts_accounts_by_id_then_currency),
            cmocka_unit_test(test_finance_summary_refuses_a_bad_period_or_budget),
            cmocka_unit_test(test_finance_summary_reports_a_failed_allocation_and_leaks_nothing),
          })
