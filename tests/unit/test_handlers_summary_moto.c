/* test_handlers_summary_moto.c - GET /summary through the router, handler and store (moto_server behind a recording relay): hand-made histories in two currencies, and the one read of the period. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "apigw/router.h"
#include "aws/aws_config.h"
#include "aws/dynamodb.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/date.h"
#include "crypto/seal.h"
#include "handlers/env.h"
#include "handlers/routes.h"
#include "store/budgets.h"
#include "store/history.h"
#include "store/items.h"
#include "store/store.h"
#include "support/apigw_forge.h"
#include "support/moto_fixture.h"
#include "support/moto_store.h"
#include "support/relay.h"
#include "support/script_server.h"

#define USER_A  "0a1b2c3d-summary-a"
#define USER_B  "0a1b2c3d-summary-b"
#define ITEM_A1 "item-a1-wz666MBjYWTp2PDzzggYhM6oWWmBb"
#define ITEM_A2 "item-a2-9QnMMx3RZ4tq5BBnvkL7i5KJaBaaX"
#define ITEM_B1 "item-b1-Lx2aa8Qd0PpRrSsTtUuVvWwXxYyZz"

typedef struct {
  handlers_env env;   /* the store behind the relay, as the handler sees it */
  store *direct;      /* the same table without the relay, for seeding */
  script_server *ddb; /* the relay to moto: records every DynamoDB request */
  char moto_url[256];
  seal_keyring *ring;
  mynt_arena *arena;
  /* The period: the two calendar months before the current one. */
  char start[11], end[11];
  char before[11], after[11]; /* a day before it, and one after it (this month) */
  char m1[11], m2[11];        /* days in its first and second month */
  char month1[8], month2[8];
} s_fixture;

static void s_relay(void *ctx, const script_request *req, script_reply *out)
{
  relay_forward(ctx, req, out);
}

/* Writes the date day_of_month of the month `back` months before today's into out. */
static void s_day(int back, int day_of_month, char out[11])
{
  char today[11];
  char then[11];
  date_of_epoch_ms(clock_epoch_ms(), today);
  memcpy(today + 8, "01", 3);
  date_months_before(today, back, then);
  int y = 0, m = 0, d = 0;
  assert_int_equal(date_parse(then, &y, &m, &d), MYNT_OK);
  date_format(date_days_from_civil(y, m, day_of_month < 0 ? date_days_in_month(y, m) : day_of_month), out);
}

/* One stored transaction; category, detailed, merchant and currency may be NULL. */
static json_t *s_txn(const char *id, const char *account, const char *date, json_int_t cents, const char *currency,
                     const char *category, const char *detailed, const char *merchant, const char *name, bool pending)
{
  return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I, s:s?, s:b, s:s?, s:s?, s:s}", "transaction_id", id, "account_id",
                   account, "date", date, "name", name, "merchant_name", merchant, "amount_cents", cents,
                   "iso_currency_code", currency, "pending", pending, "category", category, "category_detailed",
                   detailed, "payment_channel", "other");
}

static void s_apply(s_fixture *fx, const char *user, const char *item_id, json_t *added)
{
  json_t *months = json_object();
  json_t *none = json_array();
  assert_int_equal(store_history_apply(fx->direct, user, item_id, added, none, none, months, clock_epoch_ms() + 10000),
                   MYNT_OK);
  json_decref(none);
  json_decref(months);
  json_decref(added);
}

static void s_budget(s_fixture *fx, const char *user, const char *category, int64_t cents, const char *currency)
{
  store_budget b = {.monthly_limit_cents = cents};
  snprintf(b.category, sizeof b.category, "%s", category);
  snprintf(b.iso_currency_code, sizeof b.iso_currency_code, "%s", currency);
  snprintf(b.updated_at, sizeof b.updated_at, "2026-01-01T00:00:00Z");
  bool created = false;
  assert_int_equal(store_budget_put(fx->direct, user, &b, clock_epoch_ms() + 10000, &created), MYNT_OK);
}

/* User A: two banks, USD and EUR, income, refunds, a transfer, pending, amounts like 0.1 + 0.2, a
 * transaction without currency, and transactions just outside the period. User B: one bank. */
static void s_seed(s_fixture *fx)
{
  moto_store_create_item(fx->direct, fx->ring, USER_A, ITEM_A1, "ins_109508", "access-sandbox-summary-test");
  moto_store_create_item(fx->direct, fx->ring, USER_A, ITEM_A2, "ins_109509", "access-sandbox-summary-test");
  moto_store_create_item(fx->direct, fx->ring, USER_B, ITEM_B1, "ins_109510", "access-sandbox-summary-test");
  s_apply(
    fx, USER_A, ITEM_A1,
    json_pack(
      "[o, o, o, o, o, o, o, o, o]",
      s_txn("a-pay", "acc-a1", fx->m1, -100000, "USD", "INCOME", "INCOME_WAGES", NULL, "Payroll", false),
      s_txn("a-groc", "acc-a1", fx->m1, 1234, "USD", "FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES", "Grocer",
            "GROCER 12", false),
      s_txn("a-refund", "acc-a1", fx->m2, -234, "USD", "FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES", "Grocer",
            "GROCER REFUND", false),
      s_txn("a-card", "acc-a1", fx->m2, 50000, "USD", "LOAN_PAYMENTS", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT", NULL,
            "Card payment", false),
      s_txn("a-pend", "acc-a1", fx->m2, 999, "USD", "GENERAL_MERCHANDISE", NULL, "Shop", "SHOP", true),
      s_txn("a-dime", "acc-a1", fx->m2, 10, "USD", "FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE", NULL, "Kiosk", false),
      s_txn("a-fifth", "acc-a1", fx->m2, 20, "USD", "FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE", NULL, "Kiosk", false),
      s_txn("a-before", "acc-a1", fx->before, 9999, "USD", "FOOD_AND_DRINK", NULL, NULL, "Old", false),
      s_txn("a-after", "acc-a1", fx->after, 5555, "USD", "FOOD_AND_DRINK", NULL, NULL, "New", false)));
  s_apply(fx, USER_A, ITEM_A2,
          json_pack("[o, o, o]",
                    s_txn("b-cafe", "acc-a2", fx->m2, 20, "EUR", "FOOD_AND_DRINK", NULL, "Café", "CAFE", false),
                    s_txn("b-none", "acc-a2", fx->m2, 10, "EUR", NULL, NULL, NULL, "Unknown", false),
                    s_txn("b-nocur", "acc-a2", fx->m2, 700, NULL, "FOOD_AND_DRINK", NULL, NULL, "No currency", false)));
  s_apply(fx, USER_B, ITEM_B1,
          json_pack("[o]", s_txn("c-b", "acc-b1", fx->m1, 4200, "USD", "FOOD_AND_DRINK", NULL, NULL, "B's", false)));
  s_budget(fx, USER_A, "FOOD_AND_DRINK", 500, "USD");
  s_budget(fx, USER_A, "TRAVEL", 10000, "EUR");
  s_budget(fx, USER_B, "ENTERTAINMENT", 150, "USD");
}

static int s_setup(void **state)
{
  *state = NULL;
  store *direct = NULL;
  s_fixture *fx = moto_store_state_new(sizeof *fx, "mynt-users-summary", &direct);
  if(!fx)
    return 0;
  fx->direct = direct;
  aws_config aws;
  assert_int_equal(aws_config_from_env(&aws, NULL), MYNT_OK);
  snprintf(fx->moto_url, sizeof fx->moto_url, "%s", aws.endpoint);
  assert_int_equal(script_server_new(s_relay, fx->moto_url, &fx->ddb), MYNT_OK);
  assert_int_equal(moto_store_open_at(script_server_url(fx->ddb), direct->table, &fx->env.store), MYNT_OK);
  assert_int_equal(seal_keyring_parse(MOTO_STORE_KEYRING, &fx->ring, NULL), MYNT_OK);
  assert_int_equal(arena_new(4 * 1024 * 1024, &fx->arena), MYNT_OK);
  s_day(2, 1, fx->start);
  s_day(1, -1, fx->end);
  s_day(3, -1, fx->before);
  s_day(0, 1, fx->after);
  s_day(2, 15, fx->m1);
  s_day(1, 28, fx->m2);
  snprintf(fx->month1, sizeof fx->month1, "%.7s", fx->start);
  snprintf(fx->month2, sizeof fx->month2, "%.7s", fx->end);
  s_seed(fx);
  *state = fx;
  return 0;
}

static int s_teardown(void **state)
{
  s_fixture *fx = *state;
  if(!fx)
    return 0;
  store_free(fx->env.store);
  script_server_free(fx->ddb);
  moto_store_free(fx->direct);
  seal_keyring_free(fx->ring);
  arena_free(fx->arena);
  free(fx);
  return 0;
}

/* Serves GET /summary for sub with start..end (NULL: no dates); asserts 200 and returns the body
 * (caller json_decref). *out_first is the index of the first DynamoDB request it made. */
static json_t *s_summary(s_fixture *fx, const char *sub, const char *start, const char *end, int *out_first)
{
  char raw[64] = "";
  json_t *query = json_object();
  if(start) {
    snprintf(raw, sizeof raw, "start_date=%s&end_date=%s", start, end);
    json_object_set_new(query, "start_date", json_string(start));
    json_object_set_new(query, "end_date", json_string(end));
  }
  json_t *event = apigw_forge_event_new(&(apigw_forge_event){
    .method = "GET", .route_key = "GET /summary", .path = "/summary", .raw_query = raw, .query = query, .sub = sub});
  apigw_ctx ctx = {
    .env = &fx->env, .arena = fx->arena, .deadline_ms = clock_epoch_ms() + 10000, .invocation_id = "lambda-summary"};
  *out_first = script_server_counts(fx->ddb).requests;
  json_t *payload = apigw_forge_serve(routes_table(), "transactions", &ctx, event);
  arena_reset(fx->arena);
  if(apigw_forge_status(payload) != 200)
    fail_msg("GET /summary answered %d: %s", apigw_forge_status(payload),
             json_string_value(json_object_get(payload, "body")));
  json_t *body = apigw_forge_body(payload);
  json_decref(payload);
  return body;
}

/* The element of array whose members a and b are the strings va and vb (b NULL: only a), or NULL. */
static json_t *s_find(const json_t *array, const char *a, const char *va, const char *b, const char *vb)
{
  size_t i;
  json_t *row;
  json_array_foreach(array, i, row) {
    if(strcmp(json_string_value(json_object_get(row, a)), va) == 0 &&
       (!b || strcmp(json_string_value(json_object_get(row, b)), vb) == 0))
      return row;
  }
  return NULL;
}

/* obj[name] as a number, failing when it is not one. */
static double s_num(const json_t *obj, const char *name)
{
  const json_t *v = json_object_get(obj, name);
  if(!json_is_number(v))
    fail_msg("%s is not a number", name);
  return json_number_value(v);
}

static void test_summary_sums_each_currency_in_cents_refunds_pending_transfers_and_budgets(void **state)
{
  s_fixture *fx = *state;
  if(!fx)
    skip();
  int first = 0;
  json_t *body = s_summary(fx, USER_A, fx->start, fx->end, &first);
  assert_string_equal(json_string_value(json_object_get(body, "start_date")), fx->start);
  assert_string_equal(json_string_value(json_object_get(body, "end_date")), fx->end);

  json_t *totals = json_object_get(body, "totals");
  assert_int_equal(json_array_size(totals), 2);
  json_t *eur = json_array_get(totals, 0);
  json_t *usd = json_array_get(totals, 1);
  assert_string_equal(json_string_value(json_object_get(eur, "iso_currency_code")), "EUR");
  assert_string_equal(json_string_value(json_object_get(usd, "iso_currency_code")), "USD");
  /* USD: the pay; groceries 12.34 less the 2.34 refund, 0.10 + 0.20 of coffee; the card payment
   * counts in neither; the pending 9.99 only as pending; the days outside the period nowhere. */
  assert_true(s_num(usd, "income") == 1000.0);
  assert_true(s_num(usd, "expenses") == 10.3);
  assert_true(s_num(usd, "net") == 989.7);
  assert_true(s_num(usd, "pending_expenses") == 9.99);
  assert_int_equal(json_integer_value(json_object_get(usd, "transactions")), 6);
  /* EUR: never added to USD; the transaction without a currency is in no figure. */
  assert_true(s_num(eur, "income") == 0.0);
  assert_true(s_num(eur, "expenses") == 0.3);
  assert_true(s_num(eur, "net") == -0.3);
  assert_int_equal(json_integer_value(json_object_get(eur, "transactions")), 2);

  json_t *months = json_object_get(body, "months");
  assert_int_equal(json_array_size(months), 4); /* two months × two currencies, zeros included */
  json_t *eur_first = json_array_get(months, 0);
  assert_string_equal(json_string_value(json_object_get(eur_first, "month")), fx->month1);
  assert_string_equal(json_string_value(json_object_get(eur_first, "iso_currency_code")), "EUR");
  assert_true(s_num(eur_first, "expenses") == 0.0);
  json_t *usd_second = json_array_get(months, 3);
  assert_string_equal(json_string_value(json_object_get(usd_second, "month")), fx->month2);
  assert_true(s_num(usd_second, "expenses") == -2.04); /* the refund outweighs the coffee */
  assert_true(s_num(json_array_get(months, 1), "income") == 1000.0);

  json_t *food = s_find(json_object_get(body, "categories"), "category", "FOOD_AND_DRINK", "iso_currency_code", "USD");
  assert_non_null(food);
  assert_true(s_num(food, "expenses") == 10.3);
  assert_int_equal(json_integer_value(json_object_get(food, "transactions")), 4);
  assert_non_null(s_find(json_object_get(body, "categories"), "category", "UNCATEGORIZED", "iso_currency_code", "EUR"));
  assert_null(s_find(json_object_get(body, "categories"), "category", "LOAN_PAYMENTS", NULL, NULL));
  assert_null(s_find(json_object_get(body, "categories"), "category", "GENERAL_MERCHANDISE", NULL, NULL));
  json_t *coffee = s_find(json_object_get(food, "detailed"), "category_detailed", "FOOD_AND_DRINK_COFFEE", NULL, NULL);
  assert_true(s_num(coffee, "expenses") == 0.3);

  json_t *grocer = s_find(json_object_get(body, "merchants"), "name", "Grocer", NULL, NULL);
  assert_true(s_num(grocer, "expenses") == 10.0);
  assert_int_equal(json_integer_value(json_object_get(grocer, "transactions")), 2);

  json_t *budgets = json_object_get(body, "budgets");
  assert_int_equal(json_array_size(budgets), 2);
  json_t *food_budget = json_array_get(budgets, 0);
  assert_string_equal(json_string_value(json_object_get(food_budget, "category")), "FOOD_AND_DRINK");
  assert_true(s_num(food_budget, "monthly_limit") == 5.0);
  assert_true(s_num(food_budget, "limit_for_period") == 10.0);
  assert_true(s_num(food_budget, "spent") == 10.3);
  assert_true(s_num(food_budget, "remaining") == -0.3);
  assert_int_equal(json_integer_value(json_object_get(food_budget, "percent")), 103);
  json_t *travel = json_array_get(budgets, 1);
  assert_true(s_num(travel, "spent") == 0.0);
  assert_int_equal(json_integer_value(json_object_get(travel, "percent")), 0);

  json_t *items = json_object_get(body, "items");
  assert_int_equal(json_array_size(items), 2);
  assert_non_null(s_find(items, "item_id", ITEM_A1, NULL, NULL));
  assert_non_null(s_find(items, "item_id", ITEM_A2, NULL, NULL));
  char *text = json_dumps(body, 0);
  assert_null(strstr(text, "access-sandbox")); /* no access token in the answer */
  free(text);
  json_decref(body);
}

static void test_summary_reads_the_period_once_and_nothing_outside_it(void **state)
{
  s_fixture *fx = *state;
  if(!fx)
    skip();
  int first = 0;
  json_t *body = s_summary(fx, USER_A, fx->start, fx->end, &first);
  json_decref(body);
  int last = script_server_counts(fx->ddb).requests;
  assert_true(last - first <= SCRIPT_SERVER_MAX_RECORDS);
  char lo[32];
  char hi[32];
  snprintf(lo, sizeof lo, "\"TXN#%s#\"", fx->month1);
  snprintf(hi, sizeof hi, "\"TXN#%s#~\"", fx->month2);
  int history_reads = 0, history_pages = 0, budget_queries = 0, others = 0;
  for(int i = first; i < last; i++) {
    const script_record *r = script_server_record(fx->ddb, i);
    assert_non_null(r);
    if(strstr(r->body, "TXN#")) {
      history_pages++;
      /* Every page of the one history Query asks for the period's months, and no other. */
      if(!strstr(r->body, lo) || !strstr(r->body, hi))
        fail_msg("a history read outside %s..%s: %s", fx->month1, fx->month2, r->body);
      if(!strstr(r->body, "ExclusiveStartKey"))
        history_reads++;
    }
    else if(strstr(r->body, "BUDGET#"))
      budget_queries++;
    else
      others++;
  }
  assert_int_equal(history_reads, 1);
  assert_true(history_pages >= 1);
  assert_int_equal(budget_queries, 1);
  assert_int_equal(others, 1); /* the items Query */
}

static void test_summary_default_is_the_current_month_and_users_see_only_their_own(void **state)
{
  s_fixture *fx = *state;
  if(!fx)
    skip();
  int first = 0;
  json_t *mine = s_summary(fx, USER_A, NULL, NULL, &first);
  char today[11];
  date_of_epoch_ms(clock_epoch_ms(), today);
  assert_string_equal(json_string_value(json_object_get(mine, "start_date")), fx->after);
  assert_string_equal(json_string_value(json_object_get(mine, "end_date")), today);
  json_t *usd = json_array_get(json_object_get(mine, "totals"), 0);
  assert_true(s_num(usd, "expenses") == 55.55); /* only this month's transaction */
  json_decref(mine);

  json_t *theirs = s_summary(fx, USER_B, fx->start, fx->end, &first);
  json_t *totals = json_object_get(theirs, "totals");
  assert_int_equal(json_array_size(totals), 1);
  assert_true(s_num(json_array_get(totals, 0), "expenses") == 42.0);
  json_t *budgets = json_object_get(theirs, "budgets");
  assert_int_equal(json_array_size(budgets), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(budgets, 0), "category")), "ENTERTAINMENT");
  assert_int_equal(json_array_size(json_object_get(theirs, "items")), 1);
  assert_null(s_find(json_object_get(theirs, "accounts"), "account_id", "acc-a1", NULL, NULL));
  json_decref(theirs);

  json_t *nobody = s_summary(fx, "0a1b2c3d-summary-nobody", NULL, NULL, &first);
  const char *empty[] = {"totals", "months", "categories", "accounts", "merchants", "budgets", "items"};
  for(size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
    if(json_array_size(json_object_get(nobody, empty[i])) != 0)
      fail_msg("%s is not empty for a user without banks", empty[i]);
  }
  json_decref(nobody);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_summary_sums_each_currency_in_cents_refunds_pending_transfers_and_budgets),
    cmocka_unit_test(test_summary_reads_the_period_once_and_nothing_outside_it),
    cmocka_unit_test(test_summary_default_is_the_current_month_and_users_see_only_their_own),
  };
  return cmocka_run_group_tests_name("handlers_summary_moto", tests, s_setup, s_teardown);
}
