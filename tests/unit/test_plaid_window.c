/* test_plaid_window.c - unit tests for fetching one date window for several items in parallel, page by page,
 * against the loopback fake Plaid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/clock.h"
#include "plaid/plaid.h"
#include "plaid/plaid_window.h"
#include "support/fake_plaid.h"

#define START "2024-01-01"
#define END   "2024-06-30"

static int64_t s_in(int64_t ms)
{
  return clock_epoch_ms() + ms;
}

/* The items the tests add, in order. */
static const plaid_window_item s_items[] = {
  {"access-sandbox-item-a", NULL, 0}, {"access-sandbox-item-b", NULL, 0}, {"access-sandbox-item-c", NULL, 0}};

/* Checks that result r holds ids prefix-0000.. prefix-(n-1) in order. */
static void s_assert_ids(const plaid_window_result *r, const char *prefix, size_t n)
{
  assert_int_equal(r->status, MYNT_OK);
  assert_non_null(r->transactions);
  assert_int_equal(json_array_size(r->transactions), n);
  for(size_t i = 0; i < n; i++) {
    char want[64];
    snprintf(want, sizeof want, "%s-%04zu", prefix, i);
    const char *got = json_string_value(json_object_get(json_array_get(r->transactions, i), "transaction_id"));
    assert_non_null(got);
    assert_string_equal(got, want);
  }
}

static void test_plaid_window_fetches_two_items_in_parallel_and_merges_their_pages(void **state)
{
  fake_plaid_fixture *f = *state;
  fake_plaid_item *a = fake_plaid_add_item(f->plaid, "access-sandbox-item-a", "a", 1200);
  fake_plaid_item *b = fake_plaid_add_item(f->plaid, "access-sandbox-item-b", "b", 1001);
  a->delay_ms = 60;
  b->delay_ms = 60;
  plaid_window_result results[2];
  assert_int_equal(plaid_window_fetch(f->client, s_items, 2, START, END, 0, s_in(5000), results), MYNT_OK);
  s_assert_ids(&results[0], "a", 1200);
  s_assert_ids(&results[1], "b", 1001);
  for(int i = 0; i < 2; i++) {
    assert_int_equal(results[i].pages, 3);
    assert_int_equal(results[i].complete, 1);
    assert_int_equal(json_array_size(results[i].accounts), 1);
    assert_non_null(json_object_get(results[i].item, "item_id"));
  }
  assert_int_equal(results[0].total_transactions, 1200);
  assert_int_equal(results[1].total_transactions, 1001);
  const long want_offsets[] = {0, 500, 1000};
  for(int p = 0; p < 3; p++) {
    assert_int_equal(a->offsets[p], want_offsets[p]);
    assert_int_equal(b->offsets[p], want_offsets[p]);
    assert_int_equal(a->counts[p], 500);
    assert_int_equal(b->counts[p], 500);
  }
  assert_int_equal(a->n_pages, 3);
  assert_int_equal(b->n_pages, 3);
  assert_true(script_server_counts(f->plaid->server).max_in_flight >= 2);
  assert_int_equal(f->plaid->secret_in_body, 0);
  plaid_window_results_free(results, 2);
  assert_null(results[0].transactions);
}

static void test_plaid_window_stops_at_the_first_n_per_item(void **state)
{
  fake_plaid_fixture *f = *state;
  fake_plaid_item *a = fake_plaid_add_item(f->plaid, "access-sandbox-item-a", "a", 1200);
  fake_plaid_item *b = fake_plaid_add_item(f->plaid, "access-sandbox-item-b", "b", 300);
  plaid_window_result results[2];
  assert_int_equal(plaid_window_fetch(f->client, s_items, 2, START, END, 700, s_in(5000), results), MYNT_OK);
  s_assert_ids(&results[0], "a", 700);
  s_assert_ids(&results[1], "b", 300);
  assert_int_equal(results[0].complete, 0);
  assert_int_equal(results[1].complete, 1);
  assert_int_equal(a->n_pages, 2);
  assert_int_equal(a->counts[0], 500);
  assert_int_equal(a->counts[1], 200);
  assert_int_equal(b->n_pages, 1);
  plaid_window_results_free(results, 2);
}

static void test_plaid_window_reports_each_item_separately(void **state)
{
  fake_plaid_fixture *f = *state;
  fake_plaid_add_item(f->plaid, "access-sandbox-item-a", "a", 40);
  fake_plaid_item *b = fake_plaid_add_item(f->plaid, "access-sandbox-item-b", "b", 40);
  fake_plaid_fail(b, -1, 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED");
  fake_plaid_item *c = fake_plaid_add_item(f->plaid, "access-sandbox-item-c", "c", 900);
  fake_plaid_fail(c, 1, 429, "RATE_LIMIT_EXCEEDED", "TRANSACTIONS_LIMIT");
  c->fail_offset = 500;
  plaid_window_result results[3];
  assert_int_equal(plaid_window_fetch(f->client, s_items, 3, START, END, 0, s_in(5000), results), MYNT_CONFLICT);
  s_assert_ids(&results[0], "a", 40);
  assert_int_equal(results[1].status, MYNT_CONFLICT);
  assert_int_equal(results[1].error.kind, PLAID_ERR_ITEM_LOGIN_REQUIRED);
  assert_int_equal(results[1].error.attempts, 1);
  assert_int_equal(b->hits, 1);
  assert_null(results[1].transactions);
  s_assert_ids(&results[2], "c", 900);
  assert_int_equal(c->hits, 3);
  plaid_window_results_free(results, 3);
}

/* Item b answers 503 with a non-JSON body every time; item a is served; the window ends in time with b's server
 * error. */
static void test_plaid_window_reports_a_failing_item_in_time(void **state)
{
  (void)state;
  const struct {
    const char *name;
    int delay_ms; /* b's answers after the first wait this long */
    int64_t deadline_in_ms;
    int min_hits; /* at least this many tries of b; 0: not checked */
    int attempts; /* b's error counts exactly these; 0: not checked */
  } cases[] = {
    {"an item that keeps failing", 0, 600, 3, 0},
    {"a retry the deadline cuts short", 1500, 500, 0, 2},
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fake_plaid_fixture *f = NULL;
    fake_plaid_setup((void **)&f);
    fake_plaid_add_item(f->plaid, "access-sandbox-item-a", "a", 10);
    fake_plaid_item *b = fake_plaid_add_item(f->plaid, "access-sandbox-item-b", "b", 10);
    fake_plaid_fail(b, -1, 503, NULL, NULL);
    b->delay_ms = cases[i].delay_ms;
    b->delay_after = 1;
    plaid_window_result results[2];
    int64_t deadline = s_in(cases[i].deadline_in_ms);
    mynt_status st = plaid_window_fetch(f->client, s_items, 2, START, END, 0, deadline, results);
    int64_t late = clock_epoch_ms() - deadline;
    if(st != MYNT_UPSTREAM || late > FAKE_PLAID_LATE_MS || results[1].status != MYNT_UPSTREAM ||
       results[1].error.kind != PLAID_ERR_SERVER || results[1].error.http_status != 503 ||
       b->hits < cases[i].min_hits || (cases[i].attempts && results[1].error.attempts != cases[i].attempts))
      fail_msg("%s: %s %lld ms after the deadline; b: %s, kind %d, HTTP %d, %d attempts, %d hits", cases[i].name,
               mynt_strerror(st), (long long)late, mynt_strerror(results[1].status), (int)results[1].error.kind,
               results[1].error.http_status, results[1].error.attempts, b->hits);
    s_assert_ids(&results[0], "a", 10);
    plaid_window_results_free(results, 2);
    fake_plaid_teardown((void **)&f);
  }
}

static void test_plaid_window_runs_more_items_than_handles_and_validates_inputs(void **state)
{
  fake_plaid_fixture *f = *state;
  const char *tokens[] = {"access-sandbox-item-a", "access-sandbox-item-b", "access-sandbox-item-c",
                          "access-sandbox-item-d"};
  const char *prefixes[] = {"a", "b", "c", "d"};
  enum { N = 2 * PLAID_MAX_PARALLEL + 1 };
  plaid_window_item items[N];
  for(size_t i = 0; i < 4; i++)
    fake_plaid_add_item(f->plaid, tokens[i], prefixes[i], (int)(5 + i));
  for(size_t i = 0; i < N; i++)
    items[i] = (plaid_window_item){tokens[i % 4], NULL, 0};
  plaid_window_result results[N];
  assert_int_equal(plaid_window_fetch(f->client, items, N, START, END, 0, s_in(5000), results), MYNT_OK);
  for(size_t i = 0; i < N; i++)
    s_assert_ids(&results[i], prefixes[i % 4], 5 + i % 4);
  plaid_window_results_free(results, N);
  assert_true(script_server_counts(f->plaid->server).max_in_flight <= PLAID_MAX_PARALLEL);

  int before = script_server_counts(f->plaid->server).requests;
  assert_int_equal(plaid_window_fetch(f->client, items, 2, END, START, 0, s_in(5000), results), MYNT_BAD_REQUEST);
  assert_int_equal(results[0].status, MYNT_BAD_REQUEST);
  assert_null(results[0].transactions);
  plaid_window_item bad[] = {{"access-sandbox-item-a", NULL, 0}, {"", NULL, 0}};
  assert_int_equal(plaid_window_fetch(f->client, bad, 2, START, END, 0, s_in(5000), results), MYNT_BAD_REQUEST);
  assert_int_equal(script_server_counts(f->plaid->server).requests, before);
  plaid_window_results_free(results, 2);
}

int main(void)
{
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_plaid_window_fetches_two_items_in_parallel_and_merges_their_pages,
                                    fake_plaid_setup, fake_plaid_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_window_stops_at_the_first_n_per_item, fake_plaid_setup,
                                    fake_plaid_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_window_reports_each_item_separately, fake_plaid_setup,
                                    fake_plaid_teardown),
    cmocka_unit_test(test_plaid_window_reports_a_failing_item_in_time),
    cmocka_unit_test_setup_teardown(test_plaid_window_runs_more_items_than_handles_and_validates_inputs,
                                    fake_plaid_setup, fake_plaid_teardown),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return failed;
}
