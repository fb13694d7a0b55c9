/* test_plaid_http.c - unit tests for one HTTP exchange with Plaid (headers, classification, the answer a deadline
 * keeps, backoff) against the loopback fake Plaid. */
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
#include "plaid/plaid_http.h"
#include "support/fake_plaid.h"
#include "support/unit_curl.h"

static int64_t s_in(int64_t ms)
{
  return clock_epoch_ms() + ms;
}

static void test_plaid_backoff_stays_within_the_capped_exponential_ceiling(void **state)
{
  fake_plaid_fixture *f = *state;
  int64_t ceilings[] = {20, 40, 80, 100, 100, 100};
  for(int attempt = 1; attempt <= 6; attempt++) {
    int64_t seen_min = 1000;
    int64_t seen_max = -1;
    for(int i = 0; i < 200; i++) {
      int64_t b = plaid_http_backoff_ms(f->client, attempt);
      assert_true(b >= 0 && b <= ceilings[attempt - 1]);
      seen_min = b < seen_min ? b : seen_min;
      seen_max = b > seen_max ? b : seen_max;
    }
    assert_true(seen_max > seen_min);
  }
}

static void test_plaid_client_sends_auth_and_version_headers(void **state)
{
  fake_plaid_fixture *f = *state;
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", s_in(3000), &answer, &err), MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(json_object_get(answer, "item"), "item_id")), "item-a");
  assert_int_equal(err.attempts, 1);
  json_decref(answer);
  assert_int_equal(f->plaid->secret_in_body, 0);

  plaid_config cfg = fake_plaid_config(script_server_url(f->plaid->server), "wrong-secret");
  plaid_client *bad = NULL;
  assert_int_equal(plaid_client_new(&cfg, &bad), MYNT_OK);
  assert_int_equal(plaid_item_get(bad, "access-sandbox-item-a", s_in(3000), &answer, &err), MYNT_INTERNAL);
  assert_null(answer);
  assert_int_equal(err.kind, PLAID_ERR_INVALID_CREDENTIALS);
  assert_string_equal(err.error_code, "INVALID_API_KEYS");
  assert_int_equal(err.attempts, 1);
  assert_null(memmem(&err, sizeof err, "wrong-secret", 12));
  plaid_client_free(bad);
}

/* Gets item "a" with a deadline in_ms from now; asserts that the call fails with expected, no
 * answer, by the deadline (FAKE_PLAID_LATE_MS of slack). Leaves the error in *err. */
static void s_expect_item_get_ends_in_time(fake_plaid_fixture *f, int64_t in_ms, mynt_status expected, plaid_error *err)
{
  json_t *answer = NULL;
  int64_t deadline = s_in(in_ms);
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", deadline, &answer, err), expected);
  assert_true(clock_epoch_ms() <= deadline + FAKE_PLAID_LATE_MS);
  assert_null(answer);
}

static void test_plaid_reports_the_rate_limit_when_the_deadline_cuts_the_retry_short(void **state)
{
  fake_plaid_fixture *f = *state;
  fake_plaid_item *item = f->item_a;
  fake_plaid_fail(item, -1, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT");
  item->delay_ms = 1500;
  item->delay_after = 1;
  plaid_error err;
  s_expect_item_get_ends_in_time(f, 500, MYNT_RATE_LIMITED, &err);
  assert_int_equal(err.kind, PLAID_ERR_RATE_LIMITED);
  assert_int_equal(err.http_status, 429);
  assert_string_equal(err.error_code, "RATE_LIMIT");
  assert_int_equal(err.attempts, 2);
}

static void test_plaid_reports_a_transport_timeout_as_unavailable_in_time(void **state)
{
  fake_plaid_fixture *f = *state;
  fake_plaid_item *item = f->item_a;
  item->delay_ms = 1500;
  plaid_error err;
  s_expect_item_get_ends_in_time(f, 400, MYNT_UNAVAILABLE, &err);
  assert_int_equal(err.kind, PLAID_ERR_TRANSPORT);
  assert_int_equal(err.http_status, 0);
  assert_int_equal(mynt_status_http(err.status), 503);
}

UNIT_MAIN("plaid_http", unit_curl_setup, unit_curl_teardown,
          {
            cmocka_unit_test_setup_teardown(test_plaid_backoff_stays_within_the_capped_exponential_ceiling,
                                            fake_plaid_setup, fake_plaid_teardown),
            cmocka_unit_test_setup_teardown(test_plaid_client_sends_auth_and_version_headers, fake_plaid_item_a_setup,
                                            fake_plaid_teardown),
            cmocka_unit_test_setup_teardown(test_plaid_reports_the_rate_limit_when_the_deadline_cuts_the_retry_short,
                                            fake_plaid_item_a_setup, fake_plaid_teardown),
            cmocka_unit_test_setup_teardown(test_plaid_reports_a_transport_timeout_as_unavailable_in_time,
                                            fake_plaid_item_a_setup, fake_plaid_teardown),
          })
