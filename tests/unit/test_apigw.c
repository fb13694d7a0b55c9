/* test_apigw.c - payload-2.0 event parsing, response building and the generic router. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "apigw/request.h"
#include "apigw/response.h"
#include "apigw/router.h"
#include "core/buf.h"
#include "support/apigw_forge.h"
#include "support/unit_main.h"

/* A payload-2.0 event with a JSON content type and an empty query; sub NULL leaves the authorizer
 * out (with sub, the email claim is ana@example.com), body NULL leaves the body out. */
static json_t *s_event(const char *method, const char *route_key, const char *path, const char *sub, const char *body,
                       int base64)
{
  return apigw_forge_event_new(&(apigw_forge_event){.method = method,
                                                    .route_key = route_key,
                                                    .path = path,
                                                    .request_id = "api-req-1",
                                                    .raw_query = "",
                                                    .content_type = "application/json",
                                                    .sub = sub,
                                                    .email = "ana@example.com",
                                                    .body = body,
                                                    .base64 = base64});
}

static mynt_status s_parse_text(const char *text, apigw_request *req)
{
  return apigw_request_parse(apigw_forge_arena(), str_of(text), req);
}

/* Reads event (consumed) into *req on the test's arena; returns apigw_request_from_json's status. */
static mynt_status s_parse_event(json_t *event, apigw_request *req)
{
  mynt_status st = apigw_request_from_json(apigw_forge_arena(), event, req);
  json_decref(event);
  return st;
}

/* ---- request parsing ---- */

static const char s_full_event[] =
  "{\"version\":\"2.0\",\"routeKey\":\"GET /items/{item_id}\",\"rawPath\":\"/items/it-9\","
  "\"rawQueryString\":\"from=2026-01-01&tag=a,b\",\"cookies\":[\"c=1\"],"
  "\"headers\":{\"Content-Type\":\"application/"
  "json\",\"x-forwarded-for\":\"1.2.3.4\",\"X-Amz-Date\":\"20260101T000000Z\"},"
  "\"queryStringParameters\":{\"from\":\"2026-01-01\",\"tag\":\"a,b\"},"
  "\"pathParameters\":{\"item_id\":\"it-9\"},"
  "\"requestContext\":{\"requestId\":\"JKJaXmPLvHcESHA=\",\"routeKey\":\"GET /items/{item_id}\",\"stage\":\"$default\","
  "\"domainName\":\"r3pmxmplak.execute-api.us-east-1.amazonaws.com\","
  "\"http\":{\"method\":\"GET\",\"path\":\"/items/it-9\",\"protocol\":\"HTTP/1.1\",\"sourceIp\":\"1.2.3.4\"},"
  "\"authorizer\":{\"jwt\":{\"claims\":{\"sub\":\"6f1c2e3a-1111-2222-3333-444455556666\",\"email\":\"ana@example.com\","
  "\"token_use\":\"id\"},\"scopes\":null}}},"
  "\"body\":\"{\\\"name\\\":\\\"x\\\"}\",\"isBase64Encoded\":false}";

static void test_request_parses_a_full_http_api_event(void **state)
{
  (void)state;
  apigw_request req;
  assert_int_equal(s_parse_text(s_full_event, &req), MYNT_OK);
  assert_string_equal(req.route_key, "GET /items/{item_id}");
  assert_string_equal(req.method, "GET");
  assert_string_equal(req.raw_path, "/items/it-9");
  assert_string_equal(req.raw_query, "from=2026-01-01&tag=a,b");
  assert_string_equal(req.request_id, "JKJaXmPLvHcESHA=");
  assert_string_equal(req.domain_name, "r3pmxmplak.execute-api.us-east-1.amazonaws.com");
  assert_int_equal(req.headers.count, 3);
  for(size_t i = 0; i < req.headers.count; i++) {
    for(const char *p = req.headers.items[i].name; *p; p++)
      assert_false(*p >= 'A' && *p <= 'Z');
  }
  assert_string_equal(apigw_request_header(&req, "content-type"), "application/json");
  assert_string_equal(apigw_request_header(&req, "X-Amz-Date"), "20260101T000000Z");
  assert_null(apigw_request_header(&req, "authorization"));
  assert_string_equal(apigw_request_query(&req, "tag"), "a,b");
  assert_null(apigw_request_query(&req, "TAG"));
  assert_string_equal(apigw_request_path_param(&req, "item_id"), "it-9");
  assert_string_equal(apigw_request_sub(&req), "6f1c2e3a-1111-2222-3333-444455556666");
  assert_string_equal(apigw_request_email(&req), "ana@example.com");
  assert_string_equal(apigw_request_claim(&req, "token_use"), "id");
  assert_true(req.has_body);
  assert_int_equal(req.body.len, strlen("{\"name\":\"x\"}"));
  assert_string_equal(req.body.ptr, "{\"name\":\"x\"}");
}

static void test_request_tolerates_missing_optional_fields(void **state)
{
  (void)state;
  apigw_request req;
  assert_int_equal(s_parse_text("{\"version\":\"2.0\",\"routeKey\":\"$default\",\"rawPath\":\"/\","
                                "\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
                                &req),
                   MYNT_OK);
  assert_string_equal(req.route_key, "$default");
  assert_string_equal(req.raw_query, "");
  assert_string_equal(req.request_id, "");
  assert_string_equal(req.domain_name, "");
  assert_int_equal(req.headers.count, 0);
  assert_int_equal(req.query.count, 0);
  assert_int_equal(req.path_params.count, 0);
  assert_int_equal(req.claims.count, 0);
  assert_false(req.has_body);
  assert_int_equal(req.body.len, 0);
  assert_null(apigw_request_sub(&req));
  assert_null(apigw_request_email(&req));
  assert_null(apigw_request_header(&req, "host"));
}

static void test_request_rejects_events_that_are_not_payload_2_0(void **state)
{
  (void)state;
  static const char *const bad[] = {
    "{\"routeKey\": ",
    "[]",
    "\"GET /health\"",
    "{\"version\":\"1.0\",\"routeKey\":\"GET "
    "/health\",\"rawPath\":\"/health\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
    "{\"version\":\"2.0\",\"rawPath\":\"/health\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
    "{\"version\":\"2.0\",\"routeKey\":7,\"rawPath\":\"/health\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
    "{\"version\":\"2.0\",\"routeKey\":\"GET /health\",\"rawPath\":\"/health\",\"requestContext\":{}}",
    "{\"version\":\"2.0\",\"routeKey\":\"GET /health\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
    "{\"version\":\"2.0\",\"routeKey\":\"GET "
    "/health\",\"rawPath\":\"/health\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"body\":{}}",
  };
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    apigw_request req;
    assert_int_equal(s_parse_text(bad[i], &req), MYNT_PARSE);
  }
}

static void test_request_keeps_claims_as_strings(void **state)
{
  (void)state;
  json_t *event = s_event("GET", "GET /me", "/me", NULL, NULL, 0);
  json_object_set_new(json_object_get(event, "requestContext"), "authorizer",
                      json_pack("{s:{s:{s:s, s:I, s:b, s:[s], s:s}}}", "jwt", "claims", "sub", "", "exp",
                                (json_int_t)1767225600, "email_verified", 1, "groups", "admin", "scope",
                                "[openid email]"));
  apigw_request req;
  assert_int_equal(s_parse_event(event, &req), MYNT_OK);
  assert_string_equal(apigw_request_claim(&req, "exp"), "1767225600");
  assert_string_equal(apigw_request_claim(&req, "email_verified"), "true");
  assert_string_equal(apigw_request_claim(&req, "scope"), "[openid email]");
  assert_null(apigw_request_claim(&req, "groups"));
  assert_string_equal(apigw_request_claim(&req, "sub"), "");
  assert_null(apigw_request_sub(&req));
}

static void test_request_ignores_a_user_id_outside_the_jwt(void **state)
{
  (void)state;
  json_t *event = s_event("GET", "GET /me", "/me", NULL, "{\"sub\":\"attacker\",\"user_id\":\"attacker\"}", 0);
  json_object_set_new(event, "queryStringParameters", json_pack("{s:s}", "sub", "attacker"));
  json_object_set_new(json_object_get(event, "headers"), "sub", json_string("attacker"));
  apigw_request req;
  assert_int_equal(s_parse_event(event, &req), MYNT_OK);
  assert_null(apigw_request_sub(&req));
}

static void test_request_decodes_a_base64_body(void **state)
{
  (void)state;
  json_t *event = s_event("POST", "POST /items", "/items", "u1", "eyJhIjoxfQ==", 1);
  apigw_request req;
  assert_int_equal(s_parse_event(event, &req), MYNT_OK);
  assert_true(req.has_body);
  assert_int_equal(req.body.len, 7);
  assert_string_equal(req.body.ptr, "{\"a\":1}");

  event = s_event("POST", "POST /items", "/items", "u1", "AAEC/w==", 1);
  assert_int_equal(s_parse_event(event, &req), MYNT_OK);
  assert_int_equal(req.body.len, 4);
  assert_memory_equal(req.body.ptr, "\x00\x01\x02\xff", 4);
}

static void test_base64_decode_handles_every_padding_form(void **state)
{
  (void)state;
  static const struct {
    const char *in;
    const char *out;
  } good[] = {
    {"", ""}, {"TQ==", "M"}, {"TWE=", "Ma"}, {"TWFu", "Man"}, {"TQ", "M"}, {"TWE", "Ma"}, {"TWFuTWE=", "ManMa"},
  };
  for(size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    mynt_str out;
    assert_int_equal(apigw_base64_decode(apigw_forge_arena(), str_of(good[i].in), 100, &out), MYNT_OK);
    assert_int_equal(out.len, strlen(good[i].out));
    assert_memory_equal(out.ptr, good[i].out, out.len);
    assert_int_equal(out.ptr[out.len], '\0');
  }
  static const char *const bad[] = {"T", "TQ=", "TQ===", "TWE==", "TW@u", "TQ==TQ==", " TWFu", "TWFu\n", "T-_u", "="};
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    mynt_str out;
    assert_int_equal(apigw_base64_decode(apigw_forge_arena(), str_of(bad[i]), 100, &out), MYNT_BAD_REQUEST);
  }
  mynt_str out;
  assert_int_equal(apigw_base64_decode(apigw_forge_arena(), str_of("TWFu"), 2, &out), MYNT_TOO_LARGE);
  assert_int_equal(apigw_base64_decode(apigw_forge_arena(), str_of("TWE="), 2, &out), MYNT_OK);
}

static void test_request_refuses_invalid_base64_but_keeps_the_rest(void **state)
{
  (void)state;
  json_t *event = s_event("POST", "POST /items", "/items", "u1", "not base64!", 1);
  apigw_request req;
  assert_int_equal(s_parse_event(event, &req), MYNT_BAD_REQUEST);
  assert_string_equal(req.route_key, "POST /items");
  assert_string_equal(apigw_request_sub(&req), "u1");
}

/* Returns a malloc'd base64 text of n bytes of 'a'. */
static char *s_base64_of_n_bytes(size_t n)
{
  size_t groups = (n + 2) / 3;
  char *text = malloc(groups * 4 + 1);
  assert_non_null(text);
  for(size_t g = 0; g < groups; g++)
    memcpy(text + 4 * g, "YWFh", 4);
  text[groups * 4] = '\0';
  if(n % 3 == 1)
    memcpy(text + 4 * (groups - 1), "YQ==", 4);
  else if(n % 3 == 2)
    memcpy(text + 4 * (groups - 1), "YWE=", 4);
  return text;
}

static void test_request_caps_the_body_at_64_kib_after_decoding(void **state)
{
  (void)state;
  char *plain = malloc(APIGW_MAX_BODY + 2);
  assert_non_null(plain);
  memset(plain, 'a', APIGW_MAX_BODY + 1);
  plain[APIGW_MAX_BODY + 1] = '\0';
  apigw_request req;
  json_t *event = s_event("POST", "POST /items", "/items", "u1", plain, 0);
  assert_int_equal(s_parse_event(event, &req), MYNT_TOO_LARGE);
  plain[APIGW_MAX_BODY] = '\0';
  event = s_event("POST", "POST /items", "/items", "u1", plain, 0);
  assert_int_equal(s_parse_event(event, &req), MYNT_OK);
  assert_int_equal(req.body.len, APIGW_MAX_BODY);
  free(plain);

  size_t sizes[] = {APIGW_MAX_BODY - 1, APIGW_MAX_BODY, APIGW_MAX_BODY + 1, APIGW_MAX_BODY + 2};
  for(size_t i = 0; i < 4; i++) {
    char *encoded = s_base64_of_n_bytes(sizes[i]);
    event = s_event("POST", "POST /items", "/items", "u1", encoded, 1);
    mynt_status st = s_parse_event(event, &req);
    free(encoded);
    if(sizes[i] <= APIGW_MAX_BODY) {
      assert_int_equal(st, MYNT_OK);
      assert_int_equal(req.body.len, sizes[i]);
    }
    else {
      assert_int_equal(st, MYNT_TOO_LARGE);
    }
  }
}

/* ---- responses ---- */

static json_t *s_write_and_load(const apigw_response *res)
{
  mynt_buf out;
  buf_init(&out, 1 << 20);
  assert_int_equal(apigw_response_write(res, &out), MYNT_OK);
  json_error_t err;
  json_t *doc = json_loadb(out.ptr, out.len, 0, &err);
  buf_free(&out);
  assert_non_null(doc);
  return doc;
}

static void test_response_writes_the_full_payload_object(void **state)
{
  (void)state;
  apigw_response res;
  apigw_response_init(&res, apigw_forge_arena());
  assert_false(apigw_response_replied(&res));
  assert_int_equal(apigw_response_set_header(&res, "X-Request-Tag", "abc"), MYNT_OK);
  assert_int_equal(apigw_response_json(&res, 201, json_pack("{s:i, s:s}", "a", 1, "b", "\"q\"")), MYNT_OK);
  assert_true(apigw_response_replied(&res));
  json_t *payload = s_write_and_load(&res);
  assert_int_equal(json_integer_value(json_object_get(payload, "statusCode")), 201);
  json_t *headers = json_object_get(payload, "headers");
  assert_string_equal(json_string_value(json_object_get(headers, "content-type")), "application/json");
  assert_string_equal(json_string_value(json_object_get(headers, "cache-control")), "no-store");
  assert_string_equal(json_string_value(json_object_get(headers, "x-request-tag")), "abc");
  assert_true(json_is_false(json_object_get(payload, "isBase64Encoded")));
  assert_string_equal(json_string_value(json_object_get(payload, "body")), "{\"a\":1,\"b\":\"\\\"q\\\"\"}");
  assert_int_equal(json_object_size(payload), 4);
  json_decref(payload);
}

static void test_response_text_sends_the_bytes_as_is_with_its_content_type(void **state)
{
  (void)state;
  apigw_response res;
  apigw_response_init(&res, apigw_forge_arena());
  static const char csv[] = "a,b\r\n\"x, \"\"y\"\"\",caf\xc3\xa9\r\n";
  assert_int_equal(apigw_response_text(&res, 200, "text/csv; charset=utf-8", csv, sizeof(csv) - 1), MYNT_OK);
  assert_int_equal(apigw_response_set_header(&res, "Content-Disposition", "attachment; filename=\"x.csv\""), MYNT_OK);
  json_t *payload = s_write_and_load(&res);
  assert_int_equal(json_integer_value(json_object_get(payload, "statusCode")), 200);
  json_t *headers = json_object_get(payload, "headers");
  assert_string_equal(json_string_value(json_object_get(headers, "content-type")), "text/csv; charset=utf-8");
  assert_string_equal(json_string_value(json_object_get(headers, "content-disposition")),
                      "attachment; filename=\"x.csv\"");
  assert_string_equal(json_string_value(json_object_get(headers, "x-content-type-options")), "nosniff");
  assert_true(json_is_false(json_object_get(payload, "isBase64Encoded")));
  json_t *body = json_object_get(payload, "body");
  assert_int_equal(json_string_length(body), sizeof(csv) - 1);
  assert_memory_equal(json_string_value(body), csv, sizeof(csv) - 1);
  json_decref(payload);

  /* A control character in the type is refused and leaves the reply as it was. */
  assert_int_equal(apigw_response_text(&res, 201, "text/csv\r\nx: 1", "z", 1), MYNT_INTERNAL);
  assert_int_equal(res.status_code, 200);
  assert_int_equal(res.body_len, sizeof(csv) - 1);

  /* An error after it is JSON again. */
  apigw_response_error(&res, MYNT_TOO_LARGE, "narrow the date range");
  payload = s_write_and_load(&res);
  headers = json_object_get(payload, "headers");
  assert_string_equal(json_string_value(json_object_get(headers, "content-type")), "application/json");
  json_decref(apigw_forge_expect(payload, 413, "payload_too_large"));
}

static void test_response_json_after_no_content_has_its_content_type_again(void **state)
{
  (void)state;
  apigw_response res;
  apigw_response_init(&res, apigw_forge_arena());
  apigw_response_no_content(&res);
  assert_int_equal(apigw_response_json(&res, 200, json_object()), MYNT_OK);
  json_t *payload = s_write_and_load(&res);
  json_t *headers = json_object_get(payload, "headers");
  assert_string_equal(json_string_value(json_object_get(headers, "content-type")), "application/json");
  json_decref(payload);
}

static void test_response_set_header_replaces_and_refuses_control_characters(void **state)
{
  (void)state;
  apigw_response res;
  apigw_response_init(&res, apigw_forge_arena());
  size_t before = res.header_count;
  assert_int_equal(apigw_response_set_header(&res, "Content-Type", "text/plain"), MYNT_OK);
  assert_int_equal(res.header_count, before);
  assert_int_equal(apigw_response_set_header(&res, "x-a", "1\r\nset-cookie: x=1"), MYNT_INTERNAL);
  assert_int_equal(apigw_response_set_header(&res, "x-a\n", "1"), MYNT_INTERNAL);
  assert_int_equal(apigw_response_set_header(&res, "", "1"), MYNT_INTERNAL);
  assert_int_equal(res.header_count, before);
}

static void test_response_error_has_the_error_shape_and_status(void **state)
{
  (void)state;
  static const struct {
    mynt_status st;
    int http;
    const char *code;
  } rows[] = {
    {MYNT_BAD_REQUEST, 400, "bad_request"},   {MYNT_UNAUTHORIZED, 401, "unauthorized"},
    {MYNT_NOT_FOUND, 404, "not_found"},       {MYNT_METHOD_NOT_ALLOWED, 405, "method_not_allowed"},
    {MYNT_CONFLICT, 409, "conflict"},         {MYNT_TOO_LARGE, 413, "payload_too_large"},
    {MYNT_RATE_LIMITED, 429, "rate_limited"}, {MYNT_INTERNAL, 500, "internal_error"},
    {MYNT_UPSTREAM, 502, "upstream_error"},   {MYNT_UNAVAILABLE, 503, "service_unavailable"},
  };
  for(size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    apigw_response res;
    apigw_response_init(&res, apigw_forge_arena());
    assert_int_equal(apigw_response_error(&res, rows[i].st, i % 2 ? "custom text" : NULL), rows[i].st);
    json_t *payload = s_write_and_load(&res);
    assert_int_equal(json_integer_value(json_object_get(payload, "statusCode")), rows[i].http);
    json_t *body = apigw_forge_body(payload);
    assert_int_equal(json_object_size(body), 1);
    json_t *error = json_object_get(body, "error");
    assert_int_equal(json_object_size(error), 2);
    assert_string_equal(apigw_forge_error_code(body), rows[i].code);
    assert_string_equal(apigw_forge_error_message(body), i % 2 ? "custom text" : mynt_strerror(rows[i].st));
    json_decref(body);
    json_decref(payload);
  }
}

static void test_response_without_a_reply_is_written_as_500(void **state)
{
  (void)state;
  apigw_response res;
  apigw_response_init(&res, apigw_forge_arena());
  json_decref(apigw_forge_expect(s_write_and_load(&res), 500, "internal_error"));
}

static void test_json_body_or_reply_answers_400_for_bad_bodies(void **state)
{
  (void)state;
  static const struct {
    const char *body, *message;
  } bad[] = {
    {NULL, "a JSON body is required"},
    {"", "a JSON body is required"},
    {"{\"a\":", "the body is not valid JSON (line 1, column 5)"},
    {"[1]", "the body must be a JSON object"},
    {"{\"a\":1,\"a\":2}", "the body has a member twice (line 1, column 10)"},
    {"{\"a\":1e400}", "a number in the body is too large (line 1, column 10)"},
  };
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    json_t *event = s_event("POST", "POST /items", "/items", "u1", bad[i].body, 0);
    apigw_request req;
    assert_int_equal(s_parse_event(event, &req), MYNT_OK);
    apigw_response res;
    apigw_response_init(&res, apigw_forge_arena());
    json_t *body = (json_t *)&body;
    assert_int_equal(apigw_json_body_or_reply(&req, &res, &body), MYNT_BAD_REQUEST);
    assert_null(body);
    json_t *reply = apigw_forge_expect(s_write_and_load(&res), 400, "bad_request");
    json_t *parsed = apigw_forge_body(reply);
    assert_string_equal(json_string_value(json_object_get(json_object_get(parsed, "error"), "message")),
                        bad[i].message);
    json_decref(parsed);
    json_decref(reply);
  }
  /* An integer past 64 bits is a number still, read as a real, for the handler's own range check to name. */
  static const char *const good[] = {"{\"name\":\"checking\",\"n\":7}",
                                     "{\"name\":\"checking\",\"n\":99999999999999999999}"};
  for(size_t i = 0; i < 2; i++) {
    json_t *event = s_event("POST", "POST /items", "/items", "u1", good[i], 0);
    apigw_request req;
    assert_int_equal(s_parse_event(event, &req), MYNT_OK);
    apigw_response res;
    apigw_response_init(&res, apigw_forge_arena());
    json_t *body = NULL;
    assert_int_equal(apigw_json_body_or_reply(&req, &res, &body), MYNT_OK);
    assert_false(apigw_response_replied(&res));
    assert_string_equal(json_string_value(json_object_get(body, "name")), "checking");
    json_t *n = json_object_get(body, "n");
    if(i == 0)
      assert_int_equal(json_integer_value(n), 7);
    else
      assert_true(json_is_real(n) && json_real_value(n) == 1e20);
    json_decref(body);
  }
}

/* {"a":{"a":...1...}} nesting depth objects: caller free(). */
static char *s_nested_object(size_t depth)
{
  char *text = malloc(6 * depth + 2);
  assert_non_null(text);
  char *p = text;
  for(size_t i = 0; i < depth; i++, p += 5)
    memcpy(p, "{\"a\":", 5);
  *p++ = '1';
  memset(p, '}', depth);
  p[depth] = '\0';
  return text;
}

static void test_json_body_or_reply_refuses_a_body_nested_past_the_limit(void **state)
{
  (void)state;
  for(size_t depth = APIGW_MAX_JSON_DEPTH; depth <= APIGW_MAX_JSON_DEPTH + 1; depth++) {
    char *text = s_nested_object(depth);
    json_t *event = s_event("POST", "POST /items", "/items", "u1", text, 0);
    free(text);
    apigw_request req;
    assert_int_equal(s_parse_event(event, &req), MYNT_OK);
    apigw_response res;
    apigw_response_init(&res, apigw_forge_arena());
    json_t *body = NULL;
    mynt_status st = apigw_json_body_or_reply(&req, &res, &body);
    if(depth == APIGW_MAX_JSON_DEPTH) {
      assert_int_equal(st, MYNT_OK);
      assert_false(apigw_response_replied(&res));
      json_decref(body);
      continue;
    }
    assert_int_equal(st, MYNT_BAD_REQUEST);
    assert_null(body);
    json_t *reply = apigw_forge_expect(s_write_and_load(&res), 400, "bad_request");
    json_t *parsed = apigw_forge_body(reply);
    assert_string_equal(json_string_value(json_object_get(json_object_get(parsed, "error"), "message")),
                        "the body nests arrays and objects more than 32 levels deep");
    json_decref(parsed);
    json_decref(reply);
  }
}

static void test_sub_or_reply_answers_401_without_a_sub(void **state)
{
  (void)state;
  json_t *event = s_event("GET", "GET /me", "/me", NULL, NULL, 0);
  apigw_request req;
  assert_int_equal(s_parse_event(event, &req), MYNT_OK);
  apigw_response res;
  apigw_response_init(&res, apigw_forge_arena());
  const char *sub = "stale";
  assert_int_equal(apigw_sub_or_reply(&req, &res, &sub), MYNT_UNAUTHORIZED);
  assert_null(sub);
  assert_int_equal(res.status_code, 401);

  event = s_event("GET", "GET /me", "/me", "user-7", NULL, 0);
  assert_int_equal(s_parse_event(event, &req), MYNT_OK);
  apigw_response_init(&res, apigw_forge_arena());
  assert_int_equal(apigw_sub_or_reply(&req, &res, &sub), MYNT_OK);
  assert_string_equal(sub, "user-7");
  assert_false(apigw_response_replied(&res));
}

/* ---- router ---- */

typedef struct {
  int calls;
  char last_route[64];
  char last_item[64];
  mynt_status no_reply_status; /* what s_no_reply_handler returns */
} spy;

static spy s_spy;

static mynt_status s_ok_handler(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  (void)ctx;
  s_spy.calls++;
  snprintf(s_spy.last_route, sizeof(s_spy.last_route), "%s", req->route_key);
  const char *item = apigw_request_path_param(req, "item_id");
  snprintf(s_spy.last_item, sizeof(s_spy.last_item), "%s", item ? item : "");
  return apigw_response_json(res, 200, json_pack("{s:s}", "route", req->route_key));
}

/* Writes no reply and returns the status the test put in s_spy.no_reply_status. */
static mynt_status s_no_reply_handler(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  (void)ctx;
  (void)req;
  (void)res;
  s_spy.calls++;
  return s_spy.no_reply_status;
}

static mynt_status s_big_handler(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  (void)ctx;
  (void)req;
  s_spy.calls++;
  char big[4000];
  memset(big, 'z', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  return apigw_response_json(res, 200, json_pack("{s:s}", "blob", big));
}

static mynt_status s_default_handler(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  s_spy.calls++;
  return apigw_router_answer_unmatched(ctx->routes, req, res);
}

static const apigw_route s_test_routes[] = {
  {"GET /items", "items", 1, s_ok_handler},
  {"POST /items", "items", 1, s_ok_handler},
  {"GET /items/{item_id}", "items", 1, s_ok_handler},
  {"DELETE /items/{item_id}", "items", 1, s_ok_handler},
  {"GET /items/{item_id}/accounts", "items", 1, s_ok_handler},
  {"ANY /files/{path+}", "public", 0, s_ok_handler},
  {"GET /health", "public", 0, s_ok_handler},
  {"GET /no-reply", "public", 0, s_no_reply_handler},
  {"GET /big", "public", 0, s_big_handler},
  {"$default", "public", 0, s_default_handler},
};

static const apigw_route_table s_test_table = {s_test_routes, sizeof(s_test_routes) / sizeof(s_test_routes[0])};

/* Serves event (consumed) for group; returns the payload as JSON (caller frees). */
static json_t *s_serve(const char *group, json_t *event)
{
  apigw_ctx ctx = {.arena = apigw_forge_arena(), .invocation_id = "lambda-req-1"};
  return apigw_forge_serve(&s_test_table, group, &ctx, event);
}

/* Serves event (consumed) for group and asserts the answer's status and, unless code is NULL,
 * its error code. */
static void s_assert_answer(const char *group, json_t *event, int status, const char *code)
{
  json_decref(apigw_forge_expect(s_serve(group, event), status, code));
}

static void test_router_matches_path_templates(void **state)
{
  (void)state;
  static const struct {
    const char *route_key;
    const char *method;
    const char *path;
    bool matches;
  } cases[] = {
    {"GET /health", "GET", "/health", true},
    {"GET /health", "POST", "/health", false},
    {"GET /health", "GET", "/health/", false},
    {"GET /health", "GET", "/healthz", false},
    {"GET /health", "GET", "/", false},
    {"GET /items/{item_id}", "GET", "/items/abc", true},
    {"GET /items/{item_id}", "GET", "/items/", false},
    {"GET /items/{item_id}", "GET", "/items", false},
    {"GET /items/{item_id}", "GET", "/items/abc/def", false},
    {"GET /items/{item_id}/accounts", "GET", "/items/a/accounts", true},
    {"ANY /files/{path+}", "PATCH", "/files/a/b/c", true},
    {"ANY /files/{path+}", "GET", "/files/", false},
    {"GET /", "GET", "/", true},
    {"$default", "GET", "/", false},
    {"GET", "GET", "/", false},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    if((apigw_router_matches(cases[i].route_key, cases[i].method, cases[i].path) != 0) != cases[i].matches)
      fail_msg("%s: %s %s should %smatch", cases[i].route_key, cases[i].method, cases[i].path,
               cases[i].matches ? "" : "not ");
  }
}

static void test_router_dispatches_by_route_key_with_path_parameters(void **state)
{
  (void)state;
  memset(&s_spy, 0, sizeof(s_spy));
  json_t *event = s_event("GET", "GET /items/{item_id}", "/items/it-42", "user-1", NULL, 0);
  json_object_set_new(event, "pathParameters", json_pack("{s:s}", "item_id", "it-42"));
  json_t *payload = s_serve("items", event);
  assert_int_equal(apigw_forge_status(payload), 200);
  assert_int_equal(s_spy.calls, 1);
  assert_string_equal(s_spy.last_route, "GET /items/{item_id}");
  assert_string_equal(s_spy.last_item, "it-42");
  json_decref(payload);
}

/* The allow header of payload, or NULL. */
static const char *s_allow_of(const json_t *payload)
{
  return json_string_value(json_object_get(json_object_get(payload, "headers"), "allow"));
}

static void test_router_answers_405_for_known_path_wrong_method(void **state)
{
  (void)state;
  json_t *payload = apigw_forge_expect(s_serve("public", s_event("PUT", "$default", "/items/it-42", NULL, NULL, 0)),
                                       405, "method_not_allowed");
  assert_string_equal(s_allow_of(payload), "GET, DELETE");
  json_decref(payload);

  payload = s_serve("public", s_event("DELETE", "$default", "/items", NULL, NULL, 0));
  assert_int_equal(apigw_forge_status(payload), 405);
  assert_string_equal(s_allow_of(payload), "GET, POST");
  json_decref(payload);
}

static void test_router_answers_404_for_unknown_path(void **state)
{
  (void)state;
  static const char *const paths[] = {"/nope", "/items/", "/items/a/b", "/healthz", "/", "/files/"};
  for(size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
    json_t *payload =
      apigw_forge_expect(s_serve("public", s_event("GET", "$default", paths[i], NULL, NULL, 0)), 404, "not_found");
    assert_null(s_allow_of(payload));
    json_decref(payload);
  }
}

static void test_router_answers_unknown_route_keys_like_the_catch_all(void **state)
{
  (void)state;
  s_assert_answer("items", s_event("PATCH", "PATCH /items/{item_id}", "/items/x", "u", NULL, 0), 405, NULL);
}

static void test_router_answers_500_when_a_route_arrives_at_the_catch_all(void **state)
{
  (void)state;
  memset(&s_spy, 0, sizeof(s_spy));
  s_assert_answer("public", s_event("GET", "$default", "/health", NULL, NULL, 0), 500, NULL);
}

static void test_router_answers_401_for_auth_routes_without_sub(void **state)
{
  (void)state;
  memset(&s_spy, 0, sizeof(s_spy));
  s_assert_answer("items", s_event("GET", "GET /items", "/items", NULL, NULL, 0), 401, "unauthorized");
  assert_int_equal(s_spy.calls, 0);
  s_assert_answer("items", s_event("GET", "GET /items", "/items", "", NULL, 0), 401, NULL);
  assert_int_equal(s_spy.calls, 0);
  s_assert_answer("public", s_event("GET", "GET /health", "/health", NULL, NULL, 0), 200, NULL);
  assert_int_equal(s_spy.calls, 1);
}

static void test_router_answers_413_before_any_handler_runs(void **state)
{
  (void)state;
  memset(&s_spy, 0, sizeof(s_spy));
  char *encoded = s_base64_of_n_bytes(APIGW_MAX_BODY + 1);
  s_assert_answer("items", s_event("POST", "POST /items", "/items", "user-1", encoded, 1), 413, "payload_too_large");
  free(encoded);
  assert_int_equal(s_spy.calls, 0);
  s_assert_answer("items", s_event("POST", "POST /items", "/items", "user-1", "%%%", 1), 400, NULL);
  assert_int_equal(s_spy.calls, 0);
}

static void test_router_answers_500_for_a_route_of_another_group(void **state)
{
  (void)state;
  memset(&s_spy, 0, sizeof(s_spy));
  s_assert_answer("public", s_event("GET", "GET /items", "/items", "user-1", NULL, 0), 500, NULL);
  assert_int_equal(s_spy.calls, 0);
}

static void test_router_replies_the_standard_error_for_a_failing_handler(void **state)
{
  (void)state;
  s_spy = (spy){.no_reply_status = MYNT_UNAVAILABLE};
  s_assert_answer("public", s_event("GET", "GET /no-reply", "/no-reply", NULL, NULL, 0), 503, "service_unavailable");
}

static void test_router_answers_500_when_a_handler_writes_no_reply(void **state)
{
  (void)state;
  s_spy = (spy){.no_reply_status = MYNT_OK};
  s_assert_answer("public", s_event("GET", "GET /no-reply", "/no-reply", NULL, NULL, 0), 500, NULL);
}

static void test_router_answers_500_when_the_answer_does_not_fit_the_payload(void **state)
{
  (void)state;
  apigw_ctx ctx = {.arena = apigw_forge_arena()};
  mynt_buf out;
  buf_init(&out, 1000);
  json_t *event = s_event("GET", "GET /big", "/big", NULL, NULL, 0);
  assert_int_equal(apigw_router_serve(&s_test_table, "public", &ctx, event, &out), MYNT_OK);
  json_decref(event);
  json_error_t err;
  json_t *payload = json_loadb(out.ptr, out.len, 0, &err);
  buf_free(&out);
  assert_non_null(payload);
  assert_int_equal(apigw_forge_status(payload), 500);
  json_decref(payload);
}

static void test_router_serve_refuses_events_that_are_not_http_api_events(void **state)
{
  (void)state;
  apigw_ctx ctx = {.arena = apigw_forge_arena()};
  mynt_buf out;
  buf_init(&out, 1 << 20);
  json_t *event = json_pack("{s:s}", "source", "aws.events");
  assert_int_equal(apigw_router_serve(&s_test_table, "public", &ctx, event, &out), MYNT_PARSE);
  assert_int_equal(out.len, 0);
  json_decref(event);
  buf_free(&out);
}

static void test_router_table_json_lists_every_route_in_order(void **state)
{
  (void)state;
  json_t *doc = apigw_router_table_json(&s_test_table);
  assert_non_null(doc);
  json_t *routes = json_object_get(doc, "routes");
  assert_int_equal(json_array_size(routes), s_test_table.count);
  json_t *first = json_array_get(routes, 0);
  assert_string_equal(json_string_value(json_object_get(first, "route_key")), "GET /items");
  assert_string_equal(json_string_value(json_object_get(first, "group")), "items");
  assert_true(json_is_true(json_object_get(first, "auth")));
  json_t *last = json_array_get(routes, s_test_table.count - 1);
  assert_string_equal(json_string_value(json_object_get(last, "route_key")), "$default");
  assert_true(json_is_false(json_object_get(last, "auth")));
  json_decref(doc);
  assert_true(apigw_router_has_group(&s_test_table, "items"));
  assert_false(apigw_router_has_group(&s_test_table, "budgets"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, apigw_forge_arena_setup, apigw_forge_arena_teardown)

UNIT_MAIN("apigw", NULL, NULL,
          {
            T(test_request_parses_a_full_http_api_event),
            T(test_request_tolerates_missing_optional_fields),
            T(test_request_rejects_events_that_are_not_payload_2_0),
            T(test_request_keeps_claims_as_strings),
            T(test_request_ignores_a_user_id_outside_the_jwt),
            T(test_request_decodes_a_base64_body),
            T(test_base64_decode_handles_every_padding_form),
            T(test_request_refuses_invalid_base64_but_keeps_the_rest),
            T(test_request_caps_the_body_at_64_kib_after_decoding),
            T(test_response_writes_the_full_payload_object),
            T(test_response_text_sends_the_bytes_as_is_with_its_content_type),
            T(test_response_json_after_no_content_has_its_content_type_again),
            T(test_response_set_header_replaces_and_refuses_control_characters),
            T(test_response_error_has_the_error_shape_and_status),
            T(test_response_without_a_reply_is_written_as_500),
            T(test_json_body_or_reply_answers_400_for_bad_bodies),
            T(test_json_body_or_reply_refuses_a_body_nested_past_the_limit),
            T(test_sub_or_reply_answers_401_without_a_sub),
            T(test_router_matches_path_templates),
            T(test_router_dispatches_by_route_key_with_path_parameters),
            T(test_router_answers_405_for_known_path_wrong_method),
            T(test_router_answers_404_for_unknown_path),
            T(test_router_answers_unknown_route_keys_like_the_catch_all),
            T(test_router_answers_500_when_a_route_arrives_at_the_catch_all),
            T(test_router_answers_401_for_auth_routes_without_sub),
            T(test_router_answers_413_before_any_handler_runs),
            T(test_router_answers_500_for_a_route_of_another_group),
            T(test_router_replies_the_standard_error_for_a_failing_handler),
            T(test_router_answers_500_when_a_handler_writes_no_reply),
            T(test_router_answers_500_when_the_answer_does_not_fit_the_payload),
            T(test_router_serve_refuses_events_that_are_not_http_api_events),
            T(test_router_table_json_lists_every_route_in_order),
          })
