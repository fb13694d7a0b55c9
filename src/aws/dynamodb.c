/* dynamodb.c - DynamoDB over the signed JSON-protocol client: typed errors, paging, and attribute-value marshalling. */
#include "aws/dynamodb.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_http.h"
#include "core/clock.h"
#include "core/json.h"

#define S_MAX_DEPTH 32 /* DynamoDB's own limit on nested M/L levels */

/* The reason codes of a TransactionCanceledException, judged all together. */
static mynt_status s_classify_cancellation(const json_t *body, aws_retry_kind *out_retry)
{
  int condition = 0;
  int conflict = 0;
  int throttled = 0;
  const json_t *reasons = json_object_get(body, "CancellationReasons");
  size_t i;
  const json_t *reason;
  json_array_foreach(reasons, i, reason) {
    const char *code = json_member_string(reason, "Code");
    if(!code)
      continue;
    condition |= strcmp(code, "ConditionalCheckFailed") == 0;
    conflict |= strcmp(code, "TransactionConflict") == 0;
    throttled |= strcmp(code, "ProvisionedThroughputExceeded") == 0 || strcmp(code, "ThrottlingError") == 0;
  }
  if(!json_array_size(reasons)) {
    const char *message = json_member_string_or(body, "message", "Message");
    condition = message && strstr(message, "ConditionalCheckFailed");
  }
  *out_retry = AWS_RETRY_NEVER;
  if(condition)
    return MYNT_CONDITION_FAILED;
  /* A cancelled transaction wrote nothing, so sending it again is safe. */
  if(conflict || throttled) {
    *out_retry = AWS_RETRY_THROTTLED;
    return conflict ? MYNT_CONFLICT : MYNT_THROTTLED;
  }
  return MYNT_BAD_REQUEST;
}

static const aws_http_error_name s_errors[] = {
  {"ConditionalCheckFailedException", MYNT_CONDITION_FAILED, AWS_RETRY_NEVER},
  /* A plain write rejected because a transaction holds the item: it was not applied. */
  {"TransactionConflictException", MYNT_CONFLICT, AWS_RETRY_THROTTLED},
  {NULL, MYNT_OK, AWS_RETRY_NEVER},
};

/* The names whose meaning depends on the answer's reasons or on the request. */
static mynt_status s_classify(int http_status, const char *type, const json_t *body, const json_t *request,
                              aws_retry_kind *out_retry)
{
  *out_retry = AWS_RETRY_NEVER;
  if(strcmp(type, "TransactionCanceledException") == 0)
    return s_classify_cancellation(body, out_retry);
  if(strcmp(type, "TransactionInProgressException") == 0) {
    /* Only a request carrying a ClientRequestToken is idempotent: sending it again returns the
     * first one's outcome. Without a token a retry could apply the writes twice. */
    if(json_is_string(json_object_get(request, "ClientRequestToken")))
      *out_retry = AWS_RETRY_THROTTLED;
    return MYNT_CONFLICT;
  }
  return aws_http_classify_common(http_status, type, out_retry);
}

static const aws_http_service s_service = {
  .signing_name = "dynamodb",
  .target_prefix = "DynamoDB_20120810",
  .content_type = "application/x-amz-json-1.0",
  .display_name = "DynamoDB",
  .errors = s_errors,
  .classify = s_classify,
};

mynt_status ddb_client_new(const aws_config *cfg, ddb_client **out_client)
{
  return aws_http_new(cfg, &s_service, out_client);
}

mynt_status ddb_client_from_env(ddb_client **out_client, mynt_detail *detail)
{
  return aws_http_new_from_env(&s_service, out_client, detail);
}

void ddb_client_free(ddb_client *c)
{
  aws_http_free(c);
}

mynt_status ddb_call(ddb_client *c, const char *operation, json_t *request, int64_t deadline_ms, json_t **out_response,
                     aws_error *out_err)
{
  return aws_http_call(c, operation, request, deadline_ms, 0, out_response, out_err);
}

mynt_status ddb_query_all(ddb_client *c, json_t *request, size_t max_items, int64_t deadline_ms, json_t **out_items,
                          aws_error *out_err)
{
  mynt_status st = MYNT_OK;
  json_t *page_request = NULL;
  json_t *response = NULL;
  json_t *items = json_array();
  int total_attempts = 0;
  *out_items = NULL;
  if(deadline_ms == 0)
    deadline_ms = clock_epoch_ms() + 10000;
  page_request = json_is_object(request) ? json_copy(request) : NULL;
  if(!items || !page_request) {
    st = json_is_object(request) ? MYNT_NOMEM : MYNT_BAD_REQUEST;
    if(out_err) {
      memset(out_err, 0, sizeof *out_err);
      out_err->status = st;
      snprintf(out_err->message, sizeof out_err->message, "%s", st == MYNT_NOMEM ? "out of memory" : "invalid request");
    }
    goto cleanup;
  }

  for(;;) {
    st = ddb_call(c, "Query", page_request, deadline_ms, &response, out_err);
    if(out_err)
      total_attempts += out_err->attempts;
    if(st)
      goto cleanup;
    json_t *page = json_object_get(response, "Items");
    if(!json_is_array(page)) {
      st = MYNT_PARSE;
      if(out_err) {
        out_err->status = st;
        snprintf(out_err->message, sizeof out_err->message, "a Query answer has no Items array");
      }
      goto cleanup;
    }
    size_t i;
    json_t *item;
    json_array_foreach(page, i, item) {
      if(max_items && json_array_size(items) >= max_items)
        break;
      if(json_array_append(items, item)) {
        st = MYNT_NOMEM;
        goto cleanup;
      }
    }
    json_t *last_key = json_object_get(response, "LastEvaluatedKey");
    if(!json_is_object(last_key) || (max_items && json_array_size(items) >= max_items))
      break;
    if(json_object_set(page_request, "ExclusiveStartKey", last_key)) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
    json_decref(response);
    response = NULL;
  }
  *out_items = items;
  items = NULL;

cleanup:
  if(out_err && total_attempts)
    out_err->attempts = total_attempts;
  if(st && out_err)
    out_err->status = st;
  json_decref(items);
  json_decref(response);
  json_decref(page_request);
  return st;
}

/* ---- marshalling ---- */

/* Writes the shortest decimal text that reads back as d; a negative zero is "0" (DynamoDB's numbers have no
 * signed zero, and "-0" would read back as the integer 0 anyway). Returns 0 for NaN or infinity. */
static int s_format_real(double d, char *out, size_t cap)
{
  if(!isfinite(d))
    return 0;
  if(d == 0.0)
    d = 0.0;
  for(int precision = 15; precision <= 17; precision++) {
    snprintf(out, cap, "%.*g", precision, d);
    if(strtod(out, NULL) == d)
      break;
  }
  return 1;
}

/* Converts one value found at depth (marshalling or unmarshalling); NULL when it cannot. */
typedef json_t *(*s_convert)(const json_t *v, int depth);

/* A new array of convert(element, depth + 1) for every element of array; NULL when array is not
 * an array, an element does not convert, or on allocation failure. */
static json_t *s_convert_array(const json_t *array, s_convert convert, int depth)
{
  if(!json_is_array(array))
    return NULL;
  json_t *out = json_array();
  size_t i;
  json_t *element;
  json_array_foreach(array, i, element) {
    if(!out || json_array_append_new(out, convert(element, depth + 1))) {
      json_decref(out);
      return NULL;
    }
  }
  return out;
}

/* A new object of convert(member, depth + 1) for every member of object, under the same keys; NULL
 * when object is not an object, a member does not convert, or on allocation failure. */
static json_t *s_convert_object(const json_t *object, s_convert convert, int depth)
{
  if(!json_is_object(object))
    return NULL;
  json_t *out = json_object();
  const char *key;
  json_t *member;
  json_object_foreach((json_t *)object, key, member) {
    if(!out || json_object_set_new(out, key, convert(member, depth + 1))) {
      json_decref(out);
      return NULL;
    }
  }
  return out;
}

static json_t *s_marshal(const json_t *v, int depth)
{
  char number[64];
  if(depth > S_MAX_DEPTH)
    return NULL;
  switch(json_typeof(v)) {
  case JSON_STRING:
    return json_pack("{s:s%}", "S", json_string_value(v), json_string_length(v));
  case JSON_INTEGER:
    snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return json_pack("{s:s}", "N", number);
  case JSON_REAL:
    if(!s_format_real(json_real_value(v), number, sizeof number))
      return NULL;
    return json_pack("{s:s}", "N", number);
  case JSON_TRUE:
  case JSON_FALSE:
    return json_pack("{s:b}", "BOOL", json_is_true(v));
  case JSON_NULL:
    return json_pack("{s:b}", "NULL", 1);
  case JSON_ARRAY: {
    json_t *list = s_convert_array(v, s_marshal, depth);
    return list ? json_pack("{s:o}", "L", list) : NULL;
  }
  case JSON_OBJECT: {
    json_t *map = s_convert_object(v, s_marshal, depth);
    return map ? json_pack("{s:o}", "M", map) : NULL;
  }
  }
  return NULL;
}

json_t *ddb_marshal_value(const json_t *plain)
{
  return plain ? s_marshal(plain, 0) : NULL;
}

json_t *ddb_marshal_item(const json_t *plain_object)
{
  if(!json_is_object(plain_object))
    return NULL;
  json_t *av = s_marshal(plain_object, 0);
  json_t *map = json_incref(json_object_get(av, "M"));
  json_decref(av);
  return map;
}

/* Accepts DynamoDB number text: [+-] digits [. digits] [e [+-] digits], at least one digit. */
static bool s_is_number_text(const char *s, int *out_integral)
{
  const char *p = s;
  int digits = 0;
  *out_integral = 1;
  if(*p == '+' || *p == '-')
    p++;
  for(; *p >= '0' && *p <= '9'; p++)
    digits++;
  if(*p == '.') {
    *out_integral = 0;
    for(p++; *p >= '0' && *p <= '9'; p++)
      digits++;
  }
  if(!digits)
    return false;
  if(*p == 'e' || *p == 'E') {
    *out_integral = 0;
    p++;
    if(*p == '+' || *p == '-')
      p++;
    if(!(*p >= '0' && *p <= '9'))
      return false;
    while(*p >= '0' && *p <= '9')
      p++;
  }
  return *p == '\0';
}

static json_t *s_number(const json_t *text, int depth)
{
  (void)depth; /* an s_convert */
  const char *s = json_string_value(text);
  int integral = 0;
  if(!s || !s_is_number_text(s, &integral))
    return NULL;
  if(integral) {
    errno = 0;
    char *end = NULL;
    long long n = strtoll(s, &end, 10);
    if(errno == 0 && end && *end == '\0')
      return json_integer(n);
  }
  double d = strtod(s, NULL);
  return isfinite(d) ? json_real(d) : NULL;
}

/* An element of an SS/BS set: kept when it is a string. */
static json_t *s_set_string(const json_t *element, int depth)
{
  (void)depth; /* an s_convert */
  return json_is_string(element) ? json_incref((json_t *)element) : NULL;
}

static json_t *s_unmarshal(const json_t *av, int depth)
{
  if(depth > S_MAX_DEPTH || !json_is_object(av) || json_object_size(av) != 1)
    return NULL;
  const char *type = json_object_iter_key(json_object_iter((json_t *)av));
  const json_t *v = json_object_iter_value(json_object_iter((json_t *)av));
  if(strcmp(type, "S") == 0 || strcmp(type, "B") == 0)
    return json_is_string(v) ? json_incref((json_t *)v) : NULL;
  if(strcmp(type, "N") == 0)
    return s_number(v, depth);
  if(strcmp(type, "BOOL") == 0)
    return json_is_boolean(v) ? json_incref((json_t *)v) : NULL;
  if(strcmp(type, "NULL") == 0)
    return json_is_true(v) ? json_null() : NULL;
  if(strcmp(type, "SS") == 0 || strcmp(type, "BS") == 0)
    return s_convert_array(v, s_set_string, depth);
  if(strcmp(type, "NS") == 0)
    return s_convert_array(v, s_number, depth);
  if(strcmp(type, "M") == 0)
    return s_convert_object(v, s_unmarshal, depth);
  if(strcmp(type, "L") == 0)
    return s_convert_array(v, s_unmarshal, depth);
  return NULL;
}

json_t *ddb_unmarshal_value(const json_t *attribute_value)
{
  return attribute_value ? s_unmarshal(attribute_value, 0) : NULL;
}

json_t *ddb_unmarshal_item(const json_t *attribute_map)
{
  return attribute_map ? s_convert_object(attribute_map, s_unmarshal, 0) : NULL;
}
