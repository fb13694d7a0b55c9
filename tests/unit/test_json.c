/* test_json.c - unit tests for the JSON member helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/json.h"
#include "support/unit_main.h"

static void test_json_member_string_is_null_unless_a_string(void **state)
{
  (void)state;
  json_t *obj = json_pack("{s:s, s:i, s:n, s:s}", "name", "Ann", "age", 3, "none", "Message", "Upper");
  assert_non_null(obj);
  assert_string_equal(json_member_string(obj, "name"), "Ann");
  assert_null(json_member_string(obj, "age"));
  assert_null(json_member_string(obj, "none"));
  assert_null(json_member_string(obj, "missing"));
  assert_null(json_member_string(NULL, "name"));
  json_t *array = json_array();
  assert_null(json_member_string(array, "name"));
  json_decref(array);
  assert_string_equal(json_member_string_or(obj, "message", "Message"), "Upper");
  assert_string_equal(json_member_string_or(obj, "name", "Message"), "Ann");
  assert_null(json_member_string_or(obj, "age", "missing"));
  json_decref(obj);
}

static void test_json_member_string_or_null_copies_or_gives_json_null(void **state)
{
  (void)state;
  json_t *obj = json_pack("{s:s, s:b}", "mask", "0000", "flag", 1);
  json_t *v = json_member_string_or_null(obj, "mask");
  assert_string_equal(json_string_value(v), "0000");
  json_decref(v);
  v = json_member_string_or_null(obj, "flag");
  assert_true(json_is_null(v));
  json_decref(v);
  v = json_member_string_or_null(obj, "missing");
  assert_true(json_is_null(v));
  json_decref(v);
  json_decref(obj);
}

static void test_json_string_or_null_gives_a_string_or_json_null(void **state)
{
  (void)state;
  json_t *text = json_string_or_null("Plaid Checking");
  json_t *none = json_string_or_null(NULL);
  assert_string_equal(json_string_value(text), "Plaid Checking");
  assert_true(json_is_null(none));
  json_decref(text);
  json_decref(none);
}

static void test_json_member_copy_truncates_and_defaults_to_empty(void **state)
{
  (void)state;
  json_t *obj = json_pack("{s:s, s:i}", "code", "ITEM_LOGIN_REQUIRED", "n", 1);
  char dst[5] = "zzzz";
  json_member_copy(obj, "code", dst, sizeof dst);
  assert_string_equal(dst, "ITEM");
  json_member_copy(obj, "n", dst, sizeof dst);
  assert_string_equal(dst, "");
  strcpy(dst, "zzzz");
  json_member_copy(obj, "missing", dst, sizeof dst);
  assert_string_equal(dst, "");
  json_decref(obj);
}

static void test_json_from_b64url_decodes_an_object(void **state)
{
  (void)state;
  json_t *obj = NULL;
  assert_int_equal(json_from_b64url("eyJhIjoxfQ", 10, 64, &obj), MYNT_OK); /* {"a":1} */
  assert_non_null(obj);
  assert_int_equal(json_integer_value(json_object_get(obj, "a")), 1);
  json_decref(obj);
}

/* json_from_b64url(text, max) answers want and leaves *out NULL. */
static void s_assert_refused(const char *text, size_t max, mynt_status want)
{
  json_t *obj = (json_t *)&obj; /* overwritten with NULL */
  assert_int_equal(json_from_b64url(text, strlen(text), max, &obj), want);
  assert_null(obj);
}

static void test_json_from_b64url_refuses_what_is_not_one_object(void **state)
{
  (void)state;
  s_assert_refused("", 64, MYNT_BAD_REQUEST);                   /* no bytes */
  s_assert_refused("ey$h", 64, MYNT_BAD_REQUEST);               /* not base64url */
  s_assert_refused("bm90IGpzb24", 64, MYNT_BAD_REQUEST);        /* "not json" */
  s_assert_refused("WzFd", 64, MYNT_BAD_REQUEST);               /* [1]: JSON, not an object */
  s_assert_refused("eyJhIjoxLCJhIjoyfQ", 64, MYNT_BAD_REQUEST); /* {"a":1,"a":2}: a duplicate member */
  s_assert_refused("eyJhIjoxfQ", 4, MYNT_TOO_LARGE);            /* {"a":1} is 7 bytes */
}

/* n arrays nested around 1 ("[[1]]" for 2): caller free(). */
static char *s_nested(size_t n)
{
  char *text = malloc(2 * n + 2);
  assert_non_null(text);
  memset(text, '[', n);
  text[n] = '1';
  memset(text + n + 1, ']', n);
  text[2 * n + 1] = '\0';
  return text;
}

static void test_json_text_depth_within_counts_arrays_and_objects(void **state)
{
  (void)state;
  static const struct {
    const char *text;
    size_t depth; /* its nesting: within depth, not within depth - 1 */
  } cases[] = {
    {"{}", 1},
    {"[]", 1},
    {"{\"a\":[1,{\"b\":[]}]}", 4},
    {"[[],[],[[]]]", 3},
    {"{\"a\":\"[[[[[[\"}", 1},   /* brackets in a string do not count */
    {"{\"a\":\"\\\"[[[[\"}", 1}, /* nor after an escaped quote: "\"[[[[" is still the string */
    {"[\"\\\\\",[[1]]]", 3},     /* "\\" ends at its second quote: the arrays after count */
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    size_t len = strlen(cases[i].text);
    if(!json_text_depth_within(cases[i].text, len, cases[i].depth) ||
       json_text_depth_within(cases[i].text, len, cases[i].depth - 1))
      fail_msg("case %zu (%s) does not nest %zu deep", i, cases[i].text, cases[i].depth);
  }
  assert_true(json_text_depth_within("1", 1, 0));
  assert_true(json_text_depth_within("", 0, 0));
  assert_true(json_text_depth_within("]]]]", 4, 0)); /* closers without openers are the parser's to refuse */

  char *deep = s_nested(33);
  assert_true(json_text_depth_within(deep, strlen(deep), 33));
  assert_false(json_text_depth_within(deep, strlen(deep), 32));
  free(deep);
  /* far past jansson's own 2048: refused without parsing */
  deep = s_nested(100000);
  assert_false(json_text_depth_within(deep, strlen(deep), 32));
  free(deep);
}

UNIT_MAIN("json", NULL, NULL,
          {
            cmocka_unit_test(test_json_member_string_is_null_unless_a_string),
            cmocka_unit_test(test_json_member_string_or_null_copies_or_gives_json_null),
            cmocka_unit_test(test_json_string_or_null_gives_a_string_or_json_null),
            cmocka_unit_test(test_json_member_copy_truncates_and_defaults_to_empty),
            cmocka_unit_test(test_json_from_b64url_decodes_an_object),
            cmocka_unit_test(test_json_from_b64url_refuses_what_is_not_one_object),
            cmocka_unit_test(test_json_text_depth_within_counts_arrays_and_objects),
          })
