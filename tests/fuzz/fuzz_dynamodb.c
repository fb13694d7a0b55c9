/* fuzz_dynamodb.c - fuzzes DynamoDB's attribute-value (un)marshalling: items as DynamoDB answers them, and
 * plain JSON as Mynt writes it. */
#include <jansson.h>
#include <stdint.h>

#include "aws/dynamodb.h"
#include "fuzz_support.h"

FUZZ_JSON_INITIALIZE(NULL, NULL)

/* Checks that what unmarshals marshals back, and that a second trip changes nothing (the first may turn
 * an integral real into an integer, a set into a list). */
static void s_round_trip(json_t *(*unmarshal)(const json_t *), json_t *(*marshal)(const json_t *), const json_t *av)
{
  json_t *plain = unmarshal(av);
  json_t *m1 = NULL, *plain2 = NULL, *m2 = NULL;
  if(!plain)
    return;
  m1 = marshal(plain);
  FUZZ_CHECK(m1 != NULL);
  plain2 = unmarshal(m1);
  FUZZ_CHECK(plain2 != NULL);
  m2 = marshal(plain2);
  FUZZ_CHECK(m2 != NULL);
  FUZZ_CHECK(json_equal(m1, m2));
  json_decref(m2);
  json_decref(plain2);
  json_decref(m1);
  json_decref(plain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
  if(!in)
    return 0;
  s_round_trip(ddb_unmarshal_item, ddb_marshal_item, in);
  s_round_trip(ddb_unmarshal_value, ddb_marshal_value, in);
  /* Plain JSON as a handler would store it: within DynamoDB's depth it marshals, and reads back. */
  json_t *av = ddb_marshal_value(in);
  if(av) {
    json_t *back = ddb_unmarshal_value(av);
    FUZZ_CHECK(back != NULL);
    json_t *again = ddb_marshal_value(back);
    FUZZ_CHECK(json_equal(again, av));
    json_decref(again);
    json_decref(back);
    json_decref(av);
  }
  json_decref(in);
  return 0;
}
