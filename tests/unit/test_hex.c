/* test_hex.c - unit tests for hex encoding (against snprintf "%02x") and hex digit values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/hex.h"
#include "support/unit_main.h"

static void test_hex_encode_matches_snprintf_for_every_byte(void **state)
{
  (void)state;
  unsigned char all[256];
  for(int i = 0; i < 256; i++)
    all[i] = (unsigned char)i;
  char lower[513];
  char upper[513];
  hex_encode(all, sizeof all, lower);
  hex_encode_upper(all, sizeof all, upper);
  for(int i = 0; i < 256; i++) {
    char want[3];
    snprintf(want, sizeof want, "%02x", i);
    assert_memory_equal(lower + 2 * i, want, 2);
    snprintf(want, sizeof want, "%02X", i);
    assert_memory_equal(upper + 2 * i, want, 2);
  }
  assert_int_equal(lower[512], '\0');
  assert_int_equal(upper[512], '\0');
}

static void test_hex_encode_of_nothing_is_empty(void **state)
{
  (void)state;
  char out[1] = {'x'};
  hex_encode("", 0, out);
  assert_string_equal(out, "");
}

static void test_hex_value_reads_both_cases_and_refuses_the_rest(void **state)
{
  (void)state;
  for(int c = 0; c < 256; c++) {
    int want = -1;
    if(c >= '0' && c <= '9')
      want = c - '0';
    else if(c >= 'a' && c <= 'f')
      want = c - 'a' + 10;
    else if(c >= 'A' && c <= 'F')
      want = c - 'A' + 10;
    assert_int_equal(hex_value((char)c), want);
  }
}

UNIT_MAIN("hex", NULL, NULL,
          {
            cmocka_unit_test(test_hex_encode_matches_snprintf_for_every_byte),
            cmocka_unit_test(test_hex_encode_of_nothing_is_empty),
            cmocka_unit_test(test_hex_value_reads_both_cases_and_refuses_the_rest),
          })
