/* test_detail.c - unit tests for the failure detail channel (core/detail). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/detail.h"

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

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fail_writes_the_message_and_returns_the_status),
    cmocka_unit_test(test_fail_without_a_detail_only_returns_the_status),
    cmocka_unit_test(test_fail_cuts_a_long_message_and_keeps_it_terminated),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
