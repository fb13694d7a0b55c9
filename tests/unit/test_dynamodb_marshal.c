/* test_dynamodb_marshal.c - plain JSON ⇄ DynamoDB attribute values: round trips, numbers, malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "aws/dynamodb.h"
#include "support/unit_main.h"

static json_t *s_json(const char *text)
{
  json_error_t e;
  json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
  if(!v)
    fail_msg("bad test JSON: %s", e.text);
  return v;
}

/* Asserts that a and b are equal JSON, printing both when not. */
static void s_assert_json_equal(const json_t *a, const json_t *b)
{
  if(!json_equal((json_t *)a, (json_t *)b)) {
    char *x = json_dumps(a, JSON_SORT_KEYS | JSON_ENCODE_ANY);
    char *y = json_dumps(b, JSON_SORT_KEYS | JSON_ENCODE_ANY);
    print_error("expected %s\n     got %s\n", x ? x : "(null)", y ? y : "(null)");
    free(x);
    free(y);
    fail();
  }
}

/* Asserts that convert (one of ddb_(un)marshal_value/item) turns in into want. Borrows both. */
static void s_assert_converts(json_t *(*convert)(const json_t *), const json_t *in, const json_t *want)
{
  json_t *out = convert(in);
  assert_non_null(out);
  s_assert_json_equal(want, out);
  json_decref(out);
}

/* As s_assert_converts, with in and want given as JSON texts. */
static void s_assert_converts_text(json_t *(*convert)(const json_t *), const char *in, const char *want)
{
  json_t *in_json = s_json(in);
  json_t *want_json = s_json(want);
  s_assert_converts(convert, in_json, want_json);
  json_decref(want_json);
  json_decref(in_json);
}

/* Marshals value (consumed) and unmarshals the attribute value it became; asserts that what came
 * back is the same JSON: the same type and exactly the same number. */
static void s_assert_round_trips(json_t *value)
{
  json_t *av = ddb_marshal_value(value);
  assert_non_null(av);
  s_assert_converts(ddb_unmarshal_value, av, value);
  json_decref(av);
  json_decref(value);
}

static void test_marshal_item_produces_wire_shape_for_every_type(void **state)
{
  (void)state;
  const char *plain = "{\"s\":\"x\",\"empty\":\"\",\"i\":42,\"r\":0.5,\"t\":true,\"f\":false,\"n\":null,"
                      "\"l\":[1,\"a\",[]],\"m\":{\"inner\":{\"deep\":[{\"k\":-7}]}}}";
  const char *wire = "{\"s\":{\"S\":\"x\"},\"empty\":{\"S\":\"\"},\"i\":{\"N\":\"42\"},\"r\":{\"N\":\"0.5\"},"
                     "\"t\":{\"BOOL\":true},\"f\":{\"BOOL\":false},\"n\":{\"NULL\":true},"
                     "\"l\":{\"L\":[{\"N\":\"1\"},{\"S\":\"a\"},{\"L\":[]}]},"
                     "\"m\":{\"M\":{\"inner\":{\"M\":{\"deep\":{\"L\":[{\"M\":{\"k\":{\"N\":\"-7\"}}}]}}}}}}";
  s_assert_converts_text(ddb_marshal_item, plain, wire);
  s_assert_converts_text(ddb_unmarshal_item, wire, plain);
}

static void test_marshal_round_trips_large_integers_exactly(void **state)
{
  (void)state;
  const json_int_t values[] = {INT64_MAX, INT64_MIN, 9007199254740993LL, -1, 0};
  for(size_t i = 0; i < sizeof values / sizeof values[0]; i++)
    s_assert_round_trips(json_integer(values[i]));
  json_t *av = s_json("{\"N\":\"9223372036854775807\"}");
  json_t *v = ddb_unmarshal_value(av);
  assert_true(json_is_integer(v) && json_integer_value(v) == INT64_MAX);
  json_decref(v);
  json_decref(av);
}

static void test_unmarshal_numbers_outside_int64_or_fractional_become_reals(void **state)
{
  (void)state;
  struct {
    const char *text;
    double value;
  } cases[] = {
    {"{\"N\":\"9223372036854775808\"}", 9223372036854775808.0},
    {"{\"N\":\"123456789012345678901234567890\"}", 123456789012345678901234567890.0},
    {"{\"N\":\"0.1\"}", 0.1},
    {"{\"N\":\"-12.5e2\"}", -1250.0},
    {"{\"N\":\"1E-3\"}", 0.001},
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    json_t *av = s_json(cases[i].text);
    json_t *v = ddb_unmarshal_value(av);
    assert_true(json_is_real(v));
    assert_true(json_real_value(v) == cases[i].value);
    json_decref(v);
    json_decref(av);
  }
}

static void test_marshal_reals_round_trip_with_shortest_text(void **state)
{
  (void)state;
  const double values[] = {0.1, 1.0 / 3.0, -2.5, 1e-7, 12345.678};
  for(size_t i = 0; i < sizeof values / sizeof values[0]; i++)
    s_assert_round_trips(json_real(values[i]));
  json_t *tenth = json_real(0.1);
  json_t *av = ddb_marshal_value(tenth);
  assert_string_equal(json_string_value(json_object_get(av, "N")), "0.1");
  json_decref(av);
  json_decref(tenth);
  /* A negative zero ("N":"-0e-3" reads as one) is written as 0, as the integer 0 is (found by
   * tests/fuzz/fuzz_dynamodb.c: a second round trip changed "-0" to "0"). */
  json_t *negative_zero = json_real(-0.0);
  av = ddb_marshal_value(negative_zero);
  assert_string_equal(json_string_value(json_object_get(av, "N")), "0");
  json_decref(av);
  json_decref(negative_zero);
}

static void test_marshal_item_rejects_non_objects(void **state)
{
  (void)state;
  json_t *list = json_array();
  json_array_append_new(list, json_real(1.0));
  json_t *s = json_string("x");
  assert_null(ddb_marshal_item(list));
  assert_null(ddb_marshal_item(s));
  assert_null(ddb_marshal_item(NULL));
  assert_null(ddb_marshal_value(NULL));
  json_decref(s);
  json_decref(list);
}

static void test_unmarshal_sets_and_binary(void **state)
{
  (void)state;
  s_assert_converts_text(ddb_unmarshal_item,
                         "{\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2.5\"]},\"b\":{\"B\":\"AAE=\"},"
                         "\"bs\":{\"BS\":[\"AQ==\"]}}",
                         "{\"ss\":[\"a\",\"b\"],\"ns\":[1,2.5],\"b\":\"AAE=\",\"bs\":[\"AQ==\"]}");
}

static void test_unmarshal_rejects_malformed_attribute_values(void **state)
{
  (void)state;
  const char *bad[] = {
    "{}",                                 /* no type */
    "{\"S\":\"a\",\"N\":\"1\"}",          /* two types */
    "{\"X\":\"a\"}",                      /* unknown type */
    "{\"S\":1}",                          /* S not a string */
    "{\"N\":1}",                          /* N not a string */
    "{\"N\":\"\"}",                       /* empty number */
    "{\"N\":\"12a\"}",                    /* trailing garbage */
    "{\"N\":\" 1\"}",                     /* leading space */
    "{\"N\":\"0x10\"}",                   /* hex */
    "{\"N\":\"nan\"}",                    /* not a number */
    "{\"N\":\"1e999\"}",                  /* overflows to infinity */
    "{\"N\":\"1e\"}",                     /* empty exponent */
    "{\"BOOL\":\"true\"}",                /* BOOL not a boolean */
    "{\"NULL\":false}",                   /* NULL must be true */
    "{\"L\":{}}",                         /* L not an array */
    "{\"L\":[{\"S\":\"ok\"},{\"Q\":1}]}", /* bad element */
    "{\"M\":[]}",                         /* M not an object */
    "{\"M\":{\"k\":\"raw\"}}",            /* member not an attribute value */
    "{\"SS\":[\"a\",1]}",                 /* set element of the wrong type */
    "{\"NS\":[\"1\",\"x\"]}",             /* bad number in a set */
    "\"S\"",                              /* not an object */
  };
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    json_t *av = s_json(bad[i]);
    json_t *v = ddb_unmarshal_value(av);
    if(v)
      fail_msg("accepted malformed attribute value %s", bad[i]);
    json_decref(av);
  }
  json_t *not_a_map = s_json("[{\"S\":\"a\"}]");
  assert_null(ddb_unmarshal_item(not_a_map));
  json_decref(not_a_map);
}

static void test_marshal_and_unmarshal_refuse_nesting_past_32_levels(void **state)
{
  (void)state;
  json_t *deep = json_string("leaf");
  for(int i = 0; i < 40; i++) {
    json_t *wrap = json_array();
    json_array_append_new(wrap, deep);
    deep = wrap;
  }
  assert_null(ddb_marshal_value(deep));
  json_decref(deep);

  json_t *av = json_pack("{s:s}", "S", "leaf");
  for(int i = 0; i < 40; i++) {
    json_t *list = json_array();
    json_array_append_new(list, av);
    av = json_pack("{s:o}", "L", list);
  }
  assert_null(ddb_unmarshal_value(av));
  json_decref(av);
}

UNIT_MAIN("dynamodb_marshal", NULL, NULL,
          {
            cmocka_unit_test(test_marshal_item_produces_wire_shape_for_every_type),
            cmocka_unit_test(test_marshal_round_trips_large_integers_exactly),
            cmocka_unit_test(test_unmarshal_numbers_outside_int64_or_fractional_become_reals),
            cmocka_unit_test(test_marshal_reals_round_trip_with_shortest_text),
            cmocka_unit_test(test_marshal_item_rejects_non_objects),
            cmocka_unit_test(test_unmarshal_sets_and_binary),
            cmocka_unit_test(test_unmarshal_rejects_malformed_attribute_values),
            cmocka_unit_test(test_marshal_and_unmarshal_refuse_nesting_past_32_levels),
          })
