/* test_detail.c - unit tests for the failure detail channel (core/detail). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/detail.h"
#include "support/unit_main.h"

static void test_fail_writes_the_message_and_returns_the_status(void **state)
{
  (void)state;
  mynt_detail d;
  mynt_detail_clear(&d);
  assert_string_equal(mynt_detail_text(&d), "");
  assert_int_equal(mynt_fail(&d, MYNT_BAD_REQUEST, "start_date %s is not a date", "2024-02-30"), MYNT_BAD_REQUEST);
  assert_string_equal(mynt_detail_text(&d), "start_date 2024-02-30 is not a date");
}

static void test_fail_without_a_detail_only_returns_the_status(void **state)
{
  (void)state;
  assert_int_equal(mynt_fail(NULL, MYNT_CONFLICT, "%s", "ignored"), MYNT_CONFLICT);
  assert_string_equal(mynt_detail_text(NULL), "");
  mynt_detail_clear(NULL);
}

static void test_fail_cuts_a_long_message_and_keeps_it_terminated(void **state)
{
  (void)state;
  char long_text[MYNT_DETAIL_MAX * 2];
  memset(long_text, 'x', sizeof long_text - 1);
  long_text[sizeof long_text - 1] = '\0';
  mynt_detail d;
  assert_int_equal(mynt_fail(&d, MYNT_INTERNAL, "%s", long_text), MYNT_INTERNAL);
  assert_int_equal(strlen(mynt_detail_text(&d)), MYNT_DETAIL_MAX - 1);
}

/* A wrapper of the kind a module writes around mynt_vfail. */
static mynt_status s_fail_through(mynt_detail *d, mynt_status st, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static mynt_status s_fail_through(mynt_detail *d, mynt_status st, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  mynt_status out = mynt_vfail(d, st, fmt, ap);
  va_end(ap);
  return out;
}

static void test_vfail_formats_like_fail_and_a_later_failure_replaces_the_message(void **state)
{
  (void)state;
  mynt_detail d;
  mynt_detail_clear(&d);
  assert_int_equal(s_fail_through(&d, MYNT_NOT_FOUND, "item %s of %d", "it-1", 3), MYNT_NOT_FOUND);
  assert_string_equal(mynt_detail_text(&d), "item it-1 of 3");
  assert_int_equal(s_fail_through(&d, MYNT_UPSTREAM, "%s", "plaid"), MYNT_UPSTREAM);
  assert_string_equal(mynt_detail_text(&d), "plaid");
  assert_int_equal(s_fail_through(NULL, MYNT_INTERNAL, "%s", "nowhere"), MYNT_INTERNAL);
  mynt_detail_clear(&d);
  assert_string_equal(mynt_detail_text(&d), "");
}

UNIT_MAIN("detail", NULL, NULL,
          {
            cmocka_unit_test(test_fail_writes_the_message_and_returns_the_status),
            cmocka_unit_test(test_fail_without_a_detail_only_returns_the_status),
            cmocka_unit_test(test_fail_cuts_a_long_message_and_keeps_it_terminated),
            cmocka_unit_test(test_vfail_formats_like_fail_and_a_later_failure_replaces_the_message),
          })
