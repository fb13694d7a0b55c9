/* test_wipe.c - unit tests for secret wiping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/wipe.h"
#include "support/unit_main.h"

static void test_wipe_zeroes_exactly_the_given_bytes(void **state)
{
  (void)state;
  char secret[8] = "abcdefg";
  mynt_wipe(secret + 1, 3);
  assert_memory_equal(secret, "a\0\0\0efg", 8);
  mynt_wipe(NULL, 0);
  mynt_wipe(secret, 0);
  assert_int_equal(secret[0], 'a');
}

static void test_wipe_free_accepts_null_and_frees(void **state)
{
  (void)state;
  mynt_wipe_free(NULL);
  char *s = strdup("access-sandbox-123");
  assert_non_null(s);
  mynt_wipe_free(s); /* ASan reports a leak or a double free */
}

static void test_wipe_json_string_clears_its_text_and_ignores_other_values(void **state)
{
  (void)state;
  json_t *s = json_string("SecureValue");
  mynt_wipe_json_string(s);
  const char *text = json_string_value(s);
  for(size_t i = 0; i < strlen("SecureValue"); i++)
    assert_int_equal(text[i], '\0');
  json_decref(s);
  json_t *n = json_integer(7);
  mynt_wipe_json_string(n);
  assert_int_equal(json_integer_value(n), 7);
  json_decref(n);
  mynt_wipe_json_string(NULL);
}

UNIT_MAIN("wipe", NULL, NULL,
          {
            cmocka_unit_test(test_wipe_zeroes_exactly_the_given_bytes),
            cmocka_unit_test(test_wipe_free_accepts_null_and_frees),
            cmocka_unit_test(test_wipe_json_string_clears_its_text_and_ignores_other_values),
          })
