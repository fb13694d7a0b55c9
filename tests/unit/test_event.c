/* test_event.c - unit tests for mynt-local's payload-2.0 events: headers, cookies, query, parameters, bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "local/gateway/event.h"
#include "local/gateway/routes.h"
#include "support/unit_main.h"

static event_request s_request(const event_header *headers, size_t n_headers)
{
  event_request r = {
    .method = "POST",
    .raw_path = "/items/a%20b",
    .raw_query = "",
    .headers = headers,
    .n_headers = n_headers,
    .source_ip = "127.0.0.1",
    .protocol = "HTTP/1.1",
    .route_key = "POST /items/{id}",
    .request_id = "req-1",
    .time_epoch_ms = 1700000000123,
  };
  return r;
}

static const char *s_str(const json_t *obj, const char *path)
{
  char buf[256];
  snprintf(buf, sizeof(buf), "%s", path);
  const json_t *cur = obj;
  for(char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
    cur = json_object_get(cur, tok);
  return json_string_value(cur);
}

/* One string the event must hold: its dotted path and value. */
typedef struct {
  const char *path;
  const char *want;
} s_field;

/* Checks every field of want[0..n) in e, naming the first that differs. */
static void s_expect_fields(const json_t *e, const s_field *want, size_t n)
{
  for(size_t i = 0; i < n; i++) {
    const char *got = s_str(e, want[i].path);
    if(!got || strcmp(got, want[i].want) != 0)
      fail_msg("%s is \"%s\", not \"%s\"", want[i].path, got ? got : "(absent)", want[i].want);
  }
}

static void test_event_lowercases_and_joins_headers_and_splits_cookies(void **state)
{
  (void)state;
  event_header h[] = {
    {"Host", "localhost:8080"},    {"X-Multi", "1"},  {"x-multi", "2"},
    {"Cookie", "a=1; b=2"},        {"Cookie", "c=3"}, {"User-Agent", "test-agent"},
    {"Authorization", "Bearer t"},
  };
  event_request r = s_request(h, sizeof(h) / sizeof(h[0]));
  json_t *e = event_build(&r);
  assert_non_null(e);
  const s_field want[] = {
    {"version", "2.0"},
    {"routeKey", "POST /items/{id}"},
    {"rawPath", "/items/a%20b"},
    {"rawQueryString", ""},
    {"headers.x-multi", "1,2"},
    {"headers.host", "localhost:8080"},
    {"headers.authorization", "Bearer t"},
    {"requestContext.http.method", "POST"},
    {"requestContext.http.path", "/items/a%20b"},
    {"requestContext.http.userAgent", "test-agent"},
    {"requestContext.http.sourceIp", "127.0.0.1"},
    {"requestContext.domainName", "localhost:8080"},
    {"requestContext.domainPrefix", "localhost"},
    {"requestContext.stage", "$default"},
    {"requestContext.requestId", "req-1"},
    {"requestContext.routeKey", "POST /items/{id}"},
    {"requestContext.accountId", "000000000000"},
    {"requestContext.time", "14/Nov/2023:22:13:20 +0000"},
  };
  s_expect_fields(e, want, sizeof(want) / sizeof(want[0]));
  assert_null(json_object_get(json_object_get(e, "headers"), "cookie"));
  json_t *cookies = json_object_get(e, "cookies");
  assert_int_equal(json_array_size(cookies), 3);
  assert_string_equal(json_string_value(json_array_get(cookies, 0)), "a=1");
  assert_string_equal(json_string_value(json_array_get(cookies, 1)), "b=2");
  assert_string_equal(json_string_value(json_array_get(cookies, 2)), "c=3");
  assert_null(json_object_get(e, "queryStringParameters"));
  assert_null(json_object_get(e, "pathParameters"));
  assert_null(json_object_get(e, "body"));
  assert_true(json_is_false(json_object_get(e, "isBase64Encoded")));
  assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "requestContext"), "timeEpoch")),
                   1700000000123);
  assert_null(json_object_get(json_object_get(e, "requestContext"), "authorizer"));
  json_decref(e);
}

static void test_event_decodes_and_joins_query_parameters(void **state)
{
  (void)state;
  event_request r = s_request(NULL, 0);
  r.raw_query = "x=1&x=2&name=a%20b+c&flag&empty=&=skipped&&enc%5B%5D=%2B";
  json_t *e = event_build(&r);
  const s_field want[] = {
    {"rawQueryString", r.raw_query},    {"queryStringParameters.x", "1,2"},  {"queryStringParameters.name", "a b c"},
    {"queryStringParameters.flag", ""}, {"queryStringParameters.empty", ""}, {"queryStringParameters.enc[]", "+"},
  };
  s_expect_fields(e, want, sizeof(want) / sizeof(want[0]));
  assert_int_equal(json_object_size(json_object_get(e, "queryStringParameters")), 5);
  json_decref(e);
}

static void test_event_carries_path_parameters_and_jwt_claims(void **state)
{
  (void)state;
  routes_param params[] = {{"id", "a b"}, {"proxy", "x/y"}};
  event_request r = s_request(NULL, 0);
  r.params = params;
  r.n_params = 2;
  json_t *claims = json_pack("{s:s,s:s}", "sub", "user-1", "exp", "1700000000");
  json_t *scopes = json_null();
  r.claims = claims;
  r.scopes = scopes;
  json_t *e = event_build(&r);
  const s_field want[] = {
    {"pathParameters.id", "a b"},
    {"pathParameters.proxy", "x/y"},
    {"requestContext.authorizer.jwt.claims.sub", "user-1"},
    {"requestContext.authorizer.jwt.claims.exp", "1700000000"},
  };
  s_expect_fields(e, want, sizeof(want) / sizeof(want[0]));
  const json_t *jwt = json_object_get(json_object_get(json_object_get(e, "requestContext"), "authorizer"), "jwt");
  assert_true(json_is_null(json_object_get(jwt, "scopes")));
  json_decref(e);
  json_decref(claims);
  json_decref(scopes);
}

static void test_event_keeps_text_bodies_and_base64_encodes_binary_ones(void **state)
{
  (void)state;
  static const char json_body[] = "{\"a\":1}";
  static const char binary_body[] = "\x00\x01\xff"
                                    "hi";
  static const char not_utf8[] = "\xff\xfe";
  const struct {
    const char *content_type; /* NULL: no Content-Type header */
    const char *body;
    size_t body_len;
    const char *want; /* the event's body */
    bool base64;
  } cases[] = {
    {"application/json", json_body, 7, json_body, false},
    {"text/plain; charset=utf-8", json_body, 7, json_body, false},
    {"application/x-www-form-urlencoded", json_body, 7, json_body, false},
    {"application/xml", json_body, 7, json_body, false},
    {"application/vnd.api+json", json_body, 7, json_body, false},
    {"TEXT/CSV", json_body, 7, json_body, false},
    {"application/octet-stream", binary_body, 5, "AAH/aGk=", true},
    {"image/png", binary_body, 5, "AAH/aGk=", true},
    {NULL, binary_body, 5, "AAH/aGk=", true},
    /* text that is not UTF-8 cannot be a JSON string: it is base64-encoded instead */
    {"text/plain", not_utf8, 2, "//4=", true},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    event_header h[] = {{"Content-Type", cases[i].content_type}};
    event_request r = s_request(h, cases[i].content_type ? 1 : 0);
    r.body = cases[i].body;
    r.body_len = cases[i].body_len;
    json_t *e = event_build(&r);
    const char *got = s_str(e, "body");
    bool base64 = json_is_true(json_object_get(e, "isBase64Encoded"));
    if(!got || strcmp(got, cases[i].want) != 0 || base64 != cases[i].base64 ||
       !json_is_boolean(json_object_get(e, "isBase64Encoded")))
      fail_msg("a %s body became \"%s\" (isBase64Encoded %d), not \"%s\" (%d)",
               cases[i].content_type ? cases[i].content_type : "untyped", got ? got : "(none)", base64, cases[i].want,
               cases[i].base64);
    json_decref(e);
  }
}

UNIT_MAIN("event", NULL, NULL,
          {
            cmocka_unit_test(test_event_lowercases_and_joins_headers_and_splits_cookies),
            cmocka_unit_test(test_event_decodes_and_joins_query_parameters),
            cmocka_unit_test(test_event_carries_path_parameters_and_jwt_claims),
            cmocka_unit_test(test_event_keeps_text_bodies_and_base64_encodes_binary_ones),
          })
