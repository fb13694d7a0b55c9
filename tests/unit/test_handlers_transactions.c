/* test_handlers_transactions.c - GET /transactions, /accounts and /summary without the network: query checks, flow classification, the item, account and transaction views. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "apigw/response.h"
#include "apigw/router.h"
#include "core/buf.h"
#include "finance/category.h"
#include "handlers/env.h"
#include "handlers/routes.h"
#include "handlers/transactions_query.h"
#include "handlers/transactions_view.h"
#include "support/apigw_forge.h"
#include "support/json_join.h"
#include "support/unit_main.h"

#define TODAY "2025-03-15"

/* Parses p against TODAY; returns the status and leaves the message in why. */
static mynt_status s_parse(transactions_query_params p, transactions_query *q, char why[200])
{
  mynt_detail detail;
  mynt_status st = transactions_query_parse(&p, TODAY, q, &detail);
  snprintf(why, 200, "%s", mynt_detail_text(&detail));
  return st;
}

static const char *s_or_null(const char *text)
{
  return text ? text : "NULL";
}

/* Asserts p is refused with a message that contains needle; a failure names p. */
static void s_assert_refused(transactions_query_params p, const char *needle)
{
  transactions_query q;
  char why[200] = "";
  mynt_status st = s_parse(p, &q, why);
  if(st != MYNT_BAD_REQUEST || !strstr(why, needle))
    fail_msg("(%s, %s, %s, %s, %s, %s, %s, %s): status %d, message \"%s\"; expected a refusal mentioning \"%s\"",
             s_or_null(p.start_date), s_or_null(p.end_date), s_or_null(p.count), s_or_null(p.offset),
             s_or_null(p.account_id), s_or_null(p.category), s_or_null(p.flow), s_or_null(p.q), (int)st, why, needle);
}

static void test_query_without_parameters_is_the_whole_history_100_from_offset_0(void **state)
{
  (void)state;
  transactions_query q;
  char why[200];
  assert_int_equal(s_parse((transactions_query_params){0}, &q, why), MYNT_OK);
  assert_string_equal(q.start_date, "2023-03-15");
  assert_string_equal(q.end_date, TODAY);
  assert_int_equal(q.count, 100);
  assert_int_equal(q.offset, 0);
  assert_null(q.account_id);
}

static void test_query_accepts_a_window_count_offset_and_account(void **state)
{
  (void)state;
  transactions_query q;
  char why[200];
  transactions_query_params p = {"2024-02-01", "2024-02-29", "500", "9500", "acc_1", NULL, NULL, NULL};
  assert_int_equal(s_parse(p, &q, why), MYNT_OK);
  assert_string_equal(q.start_date, "2024-02-01");
  assert_string_equal(q.end_date, "2024-02-29");
  assert_int_equal(q.count, 500);
  assert_int_equal(q.offset, 9500);
  assert_string_equal(q.account_id, "acc_1");
}

static void test_query_accepts_the_earliest_day_and_today(void **state)
{
  (void)state;
  transactions_query q;
  char why[200];
  assert_int_equal(
    s_parse((transactions_query_params){"2023-03-15", TODAY, NULL, NULL, NULL, NULL, NULL, NULL}, &q, why), MYNT_OK);
  assert_int_equal(s_parse((transactions_query_params){TODAY, TODAY, "1", "0", NULL, NULL, NULL, NULL}, &q, why),
                   MYNT_OK);
  assert_int_equal(q.count, 1);
}

static void test_query_cuts_an_end_date_after_today_back_to_today(void **state)
{
  (void)state;
  transactions_query q;
  char why[200];
  assert_int_equal(
    s_parse((transactions_query_params){"2025-03-01", "2025-03-31", NULL, NULL, NULL, NULL, NULL, NULL}, &q, why),
    MYNT_OK);
  assert_string_equal(q.start_date, "2025-03-01");
  assert_string_equal(q.end_date, TODAY);
}

static void test_query_month_default_is_the_current_months_first_day_to_today(void **state)
{
  (void)state;
  transactions_query q;
  mynt_detail why;
  transactions_query_params none = {0};
  assert_int_equal(transactions_query_parse_month_default(&none, TODAY, &q, &why), MYNT_OK);
  assert_string_equal(q.start_date, "2025-03-01");
  assert_string_equal(q.end_date, TODAY);
  assert_int_equal(transactions_query_parse_month_default(&none, "2024-01-01", &q, &why), MYNT_OK);
  assert_string_equal(q.start_date, "2024-01-01");
  assert_string_equal(q.end_date, "2024-01-01");
  /* Given dates win over the default, under the same rules and messages. */
  transactions_query_params range = {.start_date = "2024-12-15", .end_date = "2025-04-15"};
  assert_int_equal(transactions_query_parse_month_default(&range, TODAY, &q, &why), MYNT_OK);
  assert_string_equal(q.start_date, "2024-12-15");
  assert_string_equal(q.end_date, TODAY);
  transactions_query_params half = {.start_date = "2025-03-01"};
  assert_int_equal(transactions_query_parse_month_default(&half, TODAY, &q, &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), "together"));
  transactions_query_params old = {.start_date = "2023-03-14", .end_date = TODAY};
  assert_int_equal(transactions_query_parse_month_default(&old, TODAY, &q, &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), "24 months"));
}

/* Queries that must be refused, and what each refusal must mention. */
static const struct {
  transactions_query_params params;
  const char *needle;
} s_refusals[] = {
  /* dates that are not on the calendar */
  {{"2025-02-30", "2025-03-01", NULL, NULL, NULL, NULL, NULL, NULL}, "start_date"},
  {{"2024-01-01", "2023-02-29", NULL, NULL, NULL, NULL, NULL, NULL}, "end_date"},
  {{"2024-13-01", "2024-12-01", NULL, NULL, NULL, NULL, NULL, NULL}, "start_date"},
  {{"2024-04-31", "2024-05-01", NULL, NULL, NULL, NULL, NULL, NULL}, "real calendar date"},
  /* dates in another format */
  {{"2024/01/01", "2024-02-01", NULL, NULL, NULL, NULL, NULL, NULL}, "start_date"},
  {{"2024-01-01", "20240201", NULL, NULL, NULL, NULL, NULL, NULL}, "end_date"},
  {{"2024-1-01", "2024-02-01", NULL, NULL, NULL, NULL, NULL, NULL}, "YYYY-MM-DD"},
  {{"", "2024-02-01", NULL, NULL, NULL, NULL, NULL, NULL}, "start_date"},
  {{"2024-01-01T00:00:00Z", "2024-02-01", NULL, NULL, NULL, NULL, NULL, NULL}, "start_date"},
  /* a reversed range */
  {{"2024-06-02", "2024-06-01", NULL, NULL, NULL, NULL, NULL, NULL}, "start_date must not be after end_date"},
  /* one date alone */
  {{"2024-06-02", NULL, NULL, NULL, NULL, NULL, NULL, NULL}, "together"},
  {{NULL, "2024-06-02", NULL, NULL, NULL, NULL, NULL, NULL}, "together"},
  /* a start more than 24 months back or in the future */
  {{"2023-03-14", "2024-01-01", NULL, NULL, NULL, NULL, NULL, NULL}, "24 months"},
  {{"2023-03-14", "2024-01-01", NULL, NULL, NULL, NULL, NULL, NULL}, "2023-03-15"},
  {{"2025-03-16", "2025-03-20", NULL, NULL, NULL, NULL, NULL, NULL}, "after today"},
  /* negative or malformed offsets and too deep pages */
  {{NULL, NULL, NULL, "-1", NULL, NULL, NULL, NULL}, "offset must be a whole number"},
  {{NULL, NULL, NULL, "x", NULL, NULL, NULL, NULL}, "offset"},
  {{NULL, NULL, NULL, "", NULL, NULL, NULL, NULL}, "offset"},
  {{NULL, NULL, "500", "9501", NULL, NULL, NULL, NULL}, "offset + count"},
  {{NULL, NULL, NULL, "9901", NULL, NULL, NULL, NULL}, "10000"},
  /* an empty or spaced account_id */
  {{NULL, NULL, NULL, NULL, "", NULL, NULL, NULL}, "account_id"},
  {{NULL, NULL, NULL, NULL, "a b", NULL, NULL, NULL}, "account_id"},
};

static void test_query_refuses_each_bad_parameter_naming_the_problem(void **state)
{
  (void)state;
  for(size_t i = 0; i < sizeof(s_refusals) / sizeof(s_refusals[0]); i++)
    s_assert_refused(s_refusals[i].params, s_refusals[i].needle);
}

static void test_query_without_filters_is_not_filtered(void **state)
{
  (void)state;
  transactions_query q;
  char why[200];
  assert_int_equal(s_parse((transactions_query_params){.account_id = "acc_1"}, &q, why), MYNT_OK);
  assert_false(transactions_query_filtered(&q));
  assert_null(q.filter.category);
  assert_null(q.filter.flow);
  assert_null(q.filter.q);
}

static void test_query_accepts_each_category_flow_and_search_text(void **state)
{
  (void)state;
  transactions_query q;
  char why[200];
  const char *const *categories = NULL;
  size_t n = finance_categories(&categories);
  assert_true(n >= 16);
  for(size_t i = 0; i < n; i++) {
    assert_int_equal(s_parse((transactions_query_params){.category = categories[i]}, &q, why), MYNT_OK);
    assert_string_equal(q.filter.category, categories[i]);
    assert_true(transactions_query_filtered(&q));
  }
  assert_int_equal(s_parse((transactions_query_params){.category = "UNCATEGORIZED"}, &q, why), MYNT_OK);
  assert_string_equal(q.filter.category, "UNCATEGORIZED");
  static const char *const flows[] = {"income", "expense", "transfer"};
  for(size_t i = 0; i < 3; i++) {
    assert_int_equal(s_parse((transactions_query_params){.flow = flows[i]}, &q, why), MYNT_OK);
    assert_string_equal(q.filter.flow, flows[i]);
    assert_true(transactions_query_filtered(&q));
  }
  assert_int_equal(s_parse((transactions_query_params){.q = "x"}, &q, why), MYNT_OK);
  assert_string_equal(q.filter.q, "x");
  assert_true(transactions_query_filtered(&q));
  /* 100 characters, in ASCII and in two-byte UTF-8 (200 bytes), with spaces and punctuation. */
  char ascii[101], accented[201];
  memset(ascii, 'a', 100);
  ascii[0] = ' ';
  ascii[50] = '%';
  ascii[100] = '\0';
  for(size_t i = 0; i < 100; i++)
    memcpy(accented + 2 * i, "\xc3\xa9", 2);
  accented[200] = '\0';
  assert_int_equal(s_parse((transactions_query_params){.q = ascii}, &q, why), MYNT_OK);
  assert_int_equal(s_parse((transactions_query_params){.q = accented}, &q, why), MYNT_OK);
  assert_int_equal(s_parse((transactions_query_params){.q = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8d\x95"}, &q, why),
                   MYNT_OK);
  /* All together, with the window, paging and an account. */
  transactions_query_params all = {"2024-02-01", "2024-02-29",     "50",      "100",
                                   "acc_1",      "FOOD_AND_DRINK", "expense", "Coffee"};
  assert_int_equal(s_parse(all, &q, why), MYNT_OK);
  assert_string_equal(q.filter.category, "FOOD_AND_DRINK");
  assert_string_equal(q.filter.flow, "expense");
  assert_string_equal(q.filter.q, "Coffee");
  assert_string_equal(q.account_id, "acc_1");
  assert_int_equal(q.count, 50);
  assert_int_equal(q.offset, 100);
}

static void test_query_refuses_unknown_categories_flows_and_bad_search_text(void **state)
{
  (void)state;
  char long_q[102], long_accented[203];
  memset(long_q, 'a', 101);
  long_q[101] = '\0';
  for(size_t i = 0; i < 101; i++)
    memcpy(long_accented + 2 * i, "\xc3\xa9", 2);
  long_accented[202] = '\0';
  static const char *const categories[] = {"food_and_drink", "FOOD", "", "OTHERS", "UNCATEGORIZED ", "uncategorized"};
  for(size_t i = 0; i < sizeof(categories) / sizeof(categories[0]); i++)
    s_assert_refused((transactions_query_params){.category = categories[i]},
                     "category must be one of Plaid's categories, e.g. FOOD_AND_DRINK, or UNCATEGORIZED");
  static const char *const flows[] = {"Income", "expenses", "", "transfers", "in"};
  for(size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++)
    s_assert_refused((transactions_query_params){.flow = flows[i]}, "flow must be income, expense or transfer");
  const char *const texts[] = {
    "",
    long_q,
    long_accented,
    "a\x01b",
    "tab\there",
    "new\nline",
    "del\x7f",
    "c1\xc2\x85",
    "\xff",             /* not UTF-8 */
    "caf\xc3",          /* cut short */
    "\xc0\xaf",         /* an overlong '/' */
    "\xed\xa0\x80",     /* a surrogate */
    "\xf4\x90\x80\x80", /* past U+10FFFF */
  };
  for(size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
    s_assert_refused((transactions_query_params){.q = texts[i]}, "q must be 1 to 100 characters");
}

static void test_query_rejects_counts_outside_1_to_500_or_not_numbers(void **state)
{
  (void)state;
  static const char *const bad[] = {"0", "501", "abc", "", "-5", "+5", "1.5", "10e1", " 5", "9999999999"};
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    s_assert_refused((transactions_query_params){NULL, NULL, bad[i], NULL, NULL, NULL, NULL, NULL},
                     "count must be a whole number from 1 to 500");
}

static void test_account_summary_keeps_five_fields_and_nulls_what_is_missing(void **state)
{
  (void)state;
  json_t *plaid = json_pack("{s:s, s:s, s:n, s:s, s:{s:f}, s:s}", "account_id", "a1", "name", "Checking", "mask",
                            "type", "depository", "balances", "current", 10.0, "official_name", "X");
  json_t *summary = transactions_view_account_record(plaid);
  assert_int_equal(json_object_size(summary), 5);
  assert_true(json_is_null(json_object_get(summary, "mask")));
  assert_true(json_is_null(json_object_get(summary, "subtype")));
  assert_string_equal(json_string_value(json_object_get(summary, "type")), "depository");
  json_decref(summary);
  json_object_set_new(plaid, "account_id", json_string("has space"));
  assert_null(transactions_view_account_record(plaid));
  json_decref(plaid);
}

/* An item record as the store reads it: item-1 of First Platypus, with sync state sync. */
static store_item s_item(store_item_sync sync)
{
  store_item item;
  memset(&item, 0, sizeof(item));
  snprintf(item.item_id, sizeof(item.item_id), "item-1");
  snprintf(item.institution_id, sizeof(item.institution_id), "ins_109508");
  snprintf(item.institution_name, sizeof(item.institution_name), "First Platypus Bank");
  snprintf(item.created_at, sizeof(item.created_at), "2026-11-01T10:00:00Z");
  item.sync = sync;
  return item;
}

static void test_item_json_says_syncing_until_the_first_30_days_then_synced_or_error(void **state)
{
  (void)state;
  store_item item = s_item((store_item_sync){0});
  json_t *view = transactions_view_item(&item);
  char *text = json_dumps(view, JSON_COMPACT | JSON_PRESERVE_ORDER);
  assert_string_equal(text, "{\"item_id\":\"item-1\",\"institution_id\":\"ins_109508\",\"institution_name\":\"First "
                            "Platypus Bank\",\"status\":\"active\",\"created_at\":\"2026-11-01T10:00:00Z\","
                            "\"new_accounts_available\":false,\"sync\":{\"status\":\"syncing\",\"last_synced_at\":null,"
                            "\"history_complete\":false,\"last_error\":null}}");
  free(text);
  json_decref(view);

  item = s_item((store_item_sync){.initial_complete = true, .last_synced_at_ms = 1790000123000});
  item.status = STORE_ITEM_EXPIRING;
  item.new_accounts_available = true;
  view = transactions_view_item(&item);
  json_t *sync = json_object_get(view, "sync");
  assert_string_equal(json_string_value(json_object_get(sync, "status")), "synced");
  assert_string_equal(json_string_value(json_object_get(sync, "last_synced_at")), "2026-09-21T14:15:23Z");
  assert_string_equal(json_string_value(json_object_get(view, "status")), "expiring");
  assert_true(json_is_true(json_object_get(view, "new_accounts_available")));
  json_decref(view);

  item =
    s_item((store_item_sync){.initial_complete = true, .history_complete = true, .last_error = "RATE_LIMIT_EXCEEDED"});
  item.institution_id[0] = '\0';
  view = transactions_view_item(&item);
  sync = json_object_get(view, "sync");
  assert_string_equal(json_string_value(json_object_get(sync, "status")), "error");
  assert_string_equal(json_string_value(json_object_get(sync, "last_error")), "RATE_LIMIT_EXCEEDED");
  assert_true(json_is_true(json_object_get(sync, "history_complete")));
  assert_true(json_is_null(json_object_get(view, "institution_id")));
  json_decref(view);
}

static void test_stored_account_carries_its_balances_and_their_time_or_nulls(void **state)
{
  (void)state;
  store_item item = s_item((store_item_sync){0});
  json_t *record = json_pack("{s:s, s:s, s:s, s:s, s:s}", "account_id", "acc-1", "name", "Checking", "mask", "0000",
                             "type", "depository", "subtype", "checking");
  json_t *row = transactions_view_stored_account(record, &item);
  char *text = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER);
  assert_string_equal(text, "{\"account_id\":\"acc-1\",\"item_id\":\"item-1\",\"institution_name\":\"First Platypus "
                            "Bank\",\"name\":\"Checking\",\"mask\":\"0000\",\"type\":\"depository\",\"subtype\":"
                            "\"checking\",\"balances\":{\"available\":null,\"current\":null,\"limit\":null,"
                            "\"iso_currency_code\":null},\"balances_as_of\":null}");
  free(text);
  json_decref(row);
  json_object_set_new(
    record, "balances",
    json_pack("{s:f, s:f, s:n, s:s}", "available", 100.5, "current", 110.25, "limit", "iso_currency_code", "USD"));
  snprintf(item.balances_as_of, sizeof(item.balances_as_of), "2026-11-20T10:00:00Z");
  row = transactions_view_stored_account(record, &item);
  json_t *balances = json_object_get(row, "balances");
  assert_true(json_real_value(json_object_get(balances, "current")) == 110.25);
  assert_true(json_is_null(json_object_get(balances, "limit")));
  assert_string_equal(json_string_value(json_object_get(row, "balances_as_of")), "2026-11-20T10:00:00Z");
  json_decref(row);
  json_decref(record);
}

static void test_stored_transaction_answers_amount_and_amount_cents_with_plaids_sign(void **state)
{
  (void)state;
  apigw_response res;
  apigw_response_init(&res, apigw_forge_arena());
  json_t *stored = json_pack(
    "{s:s, s:s, s:s, s:s, s:n, s:s, s:s, s:I, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s}", "transaction_id", "t-1",
    "account_id", "acc-1", "item_id", "item-1", "date", "2026-11-02", "authorized_date", "name", "REFUND",
    "merchant_name", "Amazon", "amount_cents", (json_int_t)-1999, "iso_currency_code", "USD", "pending", 1,
    "pending_transaction_id", "p-1", "category", "GENERAL_MERCHANDISE", "category_detailed",
    "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES", "payment_channel", "online", "flow", "expense", "extra", "dropped");
  json_t *row = transactions_view_stored(stored);
  assert_int_equal(json_object_size(row), 16);
  assert_null(json_object_get(row, "extra"));
  assert_int_equal(json_integer_value(json_object_get(row, "amount_cents")), -1999);
  assert_int_equal(apigw_response_json(&res, 200, row), MYNT_OK);
  assert_non_null(strstr(res.body, "\"amount\":-19.99,\"amount_cents\":-1999,"));
  assert_non_null(strstr(res.body, "\"pending_transaction_id\":\"p-1\""));
  json_decref(stored);

  stored = json_pack("{s:s, s:s, s:s}", "transaction_id", "t-2", "date", "2026-11-02", "category", "INCOME");
  row = transactions_view_stored(stored);
  assert_int_equal(json_integer_value(json_object_get(row, "amount_cents")), 0);
  assert_true(json_is_false(json_object_get(row, "pending")));
  assert_true(json_is_null(json_object_get(row, "merchant_name")));
  assert_string_equal(json_string_value(json_object_get(row, "flow")), "income");
  json_decref(row);
  json_decref(stored);
}

/* Serves GET path?query (a route of the transactions group) for sub with no store (validation
 * answers before any I/O), in the test's arena. */
static json_t *s_serve_route(const char *path, const char *query)
{
  handlers_env env = {0};
  apigw_ctx ctx = {.env = &env, .arena = apigw_forge_arena(), .invocation_id = "lambda-1"};
  json_t *params = json_object();
  char copy[256];
  snprintf(copy, sizeof(copy), "%s", query);
  for(char *save = NULL, *pair = strtok_r(copy, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
    char *eq = strchr(pair, '=');
    *eq = '\0';
    json_object_set_new(params, pair, json_string(eq + 1));
  }
  char route_key[64];
  snprintf(route_key, sizeof(route_key), "GET %s", path);
  json_t *event = apigw_forge_event_new(&(apigw_forge_event){
    .method = "GET", .route_key = route_key, .path = path, .raw_query = query, .query = params, .sub = "user-1"});
  return apigw_forge_serve(routes_table(), "transactions", &ctx, event);
}

/* A query a route refuses, and a piece of text its 400's message must hold. */
typedef struct {
  const char *query;
  const char *needle;
} s_bad_query;

/* GET path?c->query answers 400 bad_request with a message naming c->needle. */
static void s_assert_bad_request_naming(const char *path, const s_bad_query *c)
{
  json_t *payload = apigw_forge_expect(s_serve_route(path, c->query), 400, "bad_request");
  json_t *body = apigw_forge_body(payload);
  const char *message = apigw_forge_error_message(body);
  if(!message || !strstr(message, c->needle))
    fail_msg("%s?%s: message \"%s\" does not mention \"%s\"", path, c->query, message ? message : "", c->needle);
  json_decref(body);
  json_decref(payload);
}

static void test_transactions_route_answers_400_bad_request_naming_the_parameter(void **state)
{
  (void)state;
  static const s_bad_query cases[] = {
    {"start_date=2025-02-30&end_date=2025-03-01", "start_date"},
    {"start_date=2024-06-02&end_date=2024-06-01", "after end_date"},
    {"count=0", "count"},
    {"count=501", "count"},
    {"count=abc", "count"},
    {"offset=-1", "offset"},
    {"end_date=2024-06-01", "together"},
    {"category=food", "category"},
    {"category=", "category"},
    {"flow=expenses", "flow"},
    {"q=", "q must be"},
    {"category=FOOD_AND_DRINK&flow=spending", "flow"},
  };
  static const char *const paths[] = {"/transactions", "/transactions/export"};
  for(size_t p = 0; p < 2; p++) {
    for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      /* The export takes no count or offset: it does not check them. */
      if(p == 1 && (strstr(cases[i].query, "count") || strstr(cases[i].query, "offset")))
        continue;
      s_assert_bad_request_naming(paths[p], &cases[i]);
    }
  }
}

static void test_summary_route_answers_400_bad_request_for_dates_as_transactions(void **state)
{
  (void)state;
  static const s_bad_query cases[] = {
    {"start_date=2025-02-30&end_date=2025-03-01", "start_date"},
    {"start_date=2025-03-01&end_date=2025-3-10", "end_date"},
    {"start_date=2024-06-02&end_date=2024-06-01", "after end_date"},
    {"end_date=2024-06-01", "together"},
    {"start_date=2020-01-01&end_date=2020-02-01", "24 months"},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    s_assert_bad_request_naming("/summary", &cases[i]);
}

static void test_answers_print_amounts_as_written(void **state)
{
  (void)state;
  apigw_response res;
  apigw_response_init(&res, apigw_forge_arena());
  json_t *txn = json_pack("{s:s, s:I}", "date", "2025-01-02", "amount_cents", (json_int_t)5938);
  json_t *row = transactions_view_stored(txn);
  assert_int_equal(apigw_response_json(&res, 200, json_pack("{s:o, s:f, s:f}", "t", row, "big", 19275.24, "neg", -0.1)),
                   MYNT_OK);
  assert_non_null(strstr(res.body, "\"amount\":59.38,"));
  assert_non_null(strstr(res.body, "\"big\":19275.24,"));
  assert_non_null(strstr(res.body, "\"neg\":-0.1}"));
  json_decref(txn);
}

static void test_custom_error_codes_carry_extra_fields_and_204_has_no_body_or_type(void **state)
{
  (void)state;
  apigw_response res;
  apigw_response_init(&res, apigw_forge_arena());
  assert_int_equal(apigw_response_error_code(&res, MYNT_CONFLICT, "item_login_required", "sign in again",
                                             json_pack("{s:s}", "item_id", "it-1")),
                   MYNT_CONFLICT);
  assert_int_equal(res.status_code, 409);
  assert_string_equal(
    res.body, "{\"error\":{\"code\":\"item_login_required\",\"message\":\"sign in again\",\"item_id\":\"it-1\"}}");
  assert_int_equal(apigw_response_error_code(&res, MYNT_RATE_LIMITED, NULL, NULL, NULL), MYNT_RATE_LIMITED);
  assert_int_equal(res.status_code, 429);
  assert_non_null(strstr(res.body, "\"code\":\"rate_limited\""));
  assert_int_equal(apigw_response_no_content(&res), MYNT_OK);
  assert_int_equal(res.status_code, 204);
  assert_int_equal(res.body_len, 0);
  for(size_t i = 0; i < res.header_count; i++)
    assert_string_not_equal(res.headers[i].name, "content-type");
}

#define T(name) cmocka_unit_test_setup_teardown(name, apigw_forge_arena_setup, apigw_forge_arena_teardown)
UNIT_MAIN("handlers_transactions", NULL, NULL,
          {
            cmocka_unit_test(test_query_without_parameters_is_the_whole_history_100_from_offset_0),
            cmocka_unit_test(test_query_accepts_a_window_count_offset_and_account),
            cmocka_unit_test(test_query_accepts_the_earliest_day_and_today),
            cmocka_unit_test(test_query_cuts_an_end_date_after_today_back_to_today),
            cmocka_unit_test(test_query_month_default_is_the_current_months_first_day_to_today),
            cmocka_unit_test(test_query_refuses_each_bad_parameter_naming_the_problem),
            cmocka_unit_test(test_query_without_filters_is_not_filtered),
            cmocka_unit_test(test_query_accepts_each_category_flow_and_search_text),
            cmocka_unit_test(test_query_refuses_unknown_categories_flows_and_bad_search_text),
            cmocka_unit_test(test_query_rejects_counts_outside_1_to_500_or_not_numbers),
            cmocka_unit_test(test_account_summary_keeps_five_fields_and_nulls_what_is_missing),
            cmocka_unit_test(test_item_json_says_syncing_until_the_first_30_days_then_synced_or_error),
            cmocka_unit_test(test_stored_account_carries_its_balances_and_their_time_or_nulls),
            T(test_stored_transaction_answers_amount_and_amount_cents_with_plaids_sign),
            T(test_transactions_route_answers_400_bad_request_naming_the_parameter),
            T(test_summary_route_answers_400_bad_request_for_dates_as_transactions),
            T(test_answers_print_amounts_as_written),
            T(test_custom_error_codes_carry_extra_fields_and_204_has_no_body_or_type),
          })
