/* test_status.c - unit tests for the status table (HTTP codes, error codes, descriptions). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/status.h"
#include "support/unit_main.h"

static void test_status_maps_to_http_and_codes(void **state)
{
  (void)state;
  assert_int_equal(mynt_status_http(MYNT_NOT_FOUND), 404);
  assert_string_equal(mynt_status_code(MYNT_NOT_FOUND), "not_found");
  assert_int_equal(mynt_status_http(MYNT_METHOD_NOT_ALLOWED), 405);
  assert_int_equal(mynt_status_http(MYNT_TOO_LARGE), 413);
  assert_int_equal(mynt_status_http(MYNT_RATE_LIMITED), 429);
  assert_int_equal(mynt_status_http(MYNT_UPSTREAM), 502);
  assert_int_equal(mynt_status_http(MYNT_UNAVAILABLE), 503);
  assert_int_equal(mynt_status_http(MYNT_CONDITION_FAILED), 409);
  assert_int_equal(mynt_status_http(MYNT_NOMEM), 500);
  assert_int_equal(mynt_status_http((mynt_status)999), 500);
  for(int st = 0; st < MYNT_STATUS_COUNT; st++) {
    assert_non_null(mynt_strerror((mynt_status)st));
    assert_non_null(mynt_status_code((mynt_status)st));
  }
}

UNIT_MAIN("status", NULL, NULL,
          {
            cmocka_unit_test(test_status_maps_to_http_and_codes),
          })
