/* test_buf.c - unit tests for owned, capped buffers and borrowed slices. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "support/unit_main.h"

static void test_buf_appends_and_formats(void **state)
{
  (void)state;
  mynt_buf b;
  buf_init(&b, 1024);
  assert_string_equal(buf_cstr(&b), "");
  assert_int_equal(buf_appends(&b, "user "), MYNT_OK);
  assert_int_equal(buf_appendf(&b, "%d of %s", 42, "many"), MYNT_OK);
  assert_string_equal(buf_cstr(&b), "user 42 of many");
  assert_int_equal(b.len, strlen("user 42 of many"));
  buf_free(&b);
}

static void test_buf_refuses_past_its_cap_and_frees(void **state)
{
  (void)state;
  mynt_buf b;
  buf_init(&b, 8);
  assert_int_equal(buf_appends(&b, "12345678"), MYNT_OK);
  assert_int_equal(buf_appends(&b, "9"), MYNT_TOO_LARGE);
  assert_null(b.ptr);
  assert_int_equal(b.len, 0);
  assert_int_equal(buf_appendf(&b, "%s", "123456789"), MYNT_TOO_LARGE);
  buf_free(&b);
}

static void test_buf_detach_hands_over_memory(void **state)
{
  (void)state;
  mynt_buf b;
  buf_init(&b, 64);
  char *empty = buf_detach(&b);
  assert_string_equal(empty, "");
  free(empty);
  assert_int_equal(buf_appends(&b, "mine"), MYNT_OK);
  char *s = buf_detach(&b);
  assert_string_equal(s, "mine");
  assert_null(b.ptr);
  free(s);
}

static void test_str_parse_digits_reads_only_plain_decimal_digits(void **state)
{
  (void)state;
  long long v = -1;
  assert_true(str_parse_digits(str_of("0"), &v));
  assert_int_equal(v, 0);
  assert_true(str_parse_digits(str_of("000123"), &v));
  assert_int_equal(v, 123);
  assert_true(str_parse_digits(str_of("999999999999999999"), &v));
  assert_int_equal(v, 999999999999999999LL);
  static const char *const bad[] = {"", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.5", "9999999999999999999"};
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    v = -1;
    if(str_parse_digits(str_of(bad[i]), &v))
      fail_msg("\"%s\" was accepted", bad[i]);
    assert_int_equal(v, -1);
  }
  mynt_str part = {"2024-01", 4};
  assert_true(str_parse_digits(part, &v));
  assert_int_equal(v, 2024);
}

static void test_str_eq_compares_whole_slices(void **state)
{
  (void)state;
  assert_true(str_eq(str_of("GET"), "GET"));
  assert_false(str_eq(str_of("GET"), "GE"));
  assert_false(str_eq(str_of("GE"), "GET"));
  assert_true(str_eq(str_of(NULL), ""));
}

static void test_str_is_token_takes_1_to_max_printable_characters_without_spaces(void **state)
{
  (void)state;
  assert_true(str_is_token("access-sandbox-1", 16));
  assert_true(str_is_token("!~", 2));
  assert_false(str_is_token("access-sandbox-12", 16));
  assert_false(str_is_token("", 16));
  assert_false(str_is_token(NULL, 16));
  assert_false(str_is_token("two words", 16));
  assert_false(str_is_token("tab\there", 16));
  assert_false(str_is_token("caf\xc3\xa9", 16));
  assert_false(str_is_token("del\x7f", 16));
}

UNIT_MAIN("buf", NULL, NULL,
          {
            cmocka_unit_test(test_buf_appends_and_formats),
            cmocka_unit_test(test_buf_refuses_past_its_cap_and_frees),
            cmocka_unit_test(test_buf_detach_hands_over_memory),
            cmocka_unit_test(test_str_parse_digits_reads_only_plain_decimal_digits),
            cmocka_unit_test(test_str_eq_compares_whole_slices),
            cmocka_unit_test(test_str_is_token_takes_1_to_max_printable_characters_without_spaces),
          })
