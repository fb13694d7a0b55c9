/* test_gateway_match.c - unit tests for mynt-local's route matching and payload-2.0 events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "local/event.h"
#include "local/routes.h"

/* ---- route matching --------------------------------------------------------------- */

static void s_add(routes_table *t, const char *key, size_t function)
{
  assert_int_equal(routes_add(t, key, ROUTES_AUTH_NONE, function), MYNT_OK);
}

/* Returns the key of the route matched for method and path ("" when none). */
static const char *s_key(const routes_table *t, const char *method, const char *path)
{
  static char key[256];
  routes_match m;
  mynt_status st = routes_find(t, method, path, 0, &m);
  snprintf(key, sizeof(key), "%s", st == MYNT_OK ? m.route->key : "");
  if(st == MYNT_OK)
    routes_match_free(&m);
  else
    assert_int_equal(st, MYNT_NOT_FOUND);
  return key;
}

static void test_routes_prefers_exact_then_param_then_greedy(void **state)
{
  (void)state;
  routes_table t;
  routes_table_init(&t);
  s_add(&t, "ANY /{proxy+}", 0);
  s_add(&t, "GET /pets/{proxy+}", 1);
  s_add(&t, "GET /pets/dog/{id}", 2);
  s_add(&t, "GET /pets/dog/1", 3);
  s_add(&t, "$default", 4);
  assert_string_equal(s_key(&t, "GET", "/pets/dog/1"), "GET /pets/dog/1");
  assert_string_equal(s_key(&t, "GET", "/pets/dog/2"), "GET /pets/dog/{id}");
  assert_string_equal(s_key(&t, "GET", "/pets/cat/2"), "GET /pets/{proxy+}");
  assert_string_equal(s_key(&t, "GET", "/pets/dog/1/toys"), "GET /pets/{proxy+}");
  assert_string_equal(s_key(&t, "POST", "/pets/dog/1"), "ANY /{proxy+}");
  assert_string_equal(s_key(&t, "GET", "/"), "$default");
  routes_table_free(&t);
}

static void test_routes_prefers_specific_method_over_any(void **state)
{
  (void)state;
  routes_table t;
  routes_table_init(&t);
  s_add(&t, "ANY /items", 0);
  s_add(&t, "GET /items", 1);
  s_add(&t, "GET /{proxy+}", 2);
  s_add(&t, "PUT /{proxy+}", 3);
  assert_string_equal(s_key(&t, "GET", "/items"), "GET /items");
  assert_string_equal(s_key(&t, "DELETE", "/items"), "ANY /items");
  /* a more specific path beats a more specific method */
  assert_string_equal(s_key(&t, "PUT", "/items"), "ANY /items");
  assert_string_equal(s_key(&t, "GET", "/other"), "GET /{proxy+}");
  assert_string_equal(s_key(&t, "PUT", "/other"), "PUT /{proxy+}");
  routes_table_free(&t);
}

static void test_routes_answer_not_found_without_default(void **state)
{
  (void)state;
  routes_table t;
  routes_table_init(&t);
  s_add(&t, "GET /health", 0);
  s_add(&t, "GET /items/{id}", 0);
  assert_string_equal(s_key(&t, "GET", "/health"), "GET /health");
  assert_string_equal(s_key(&t, "POST", "/health"), "");
  assert_string_equal(s_key(&t, "GET", "/health/"), "");
  assert_string_equal(s_key(&t, "GET", "/items"), "");
  assert_string_equal(s_key(&t, "GET", "/items/"), "");
  assert_string_equal(s_key(&t, "GET", "/items/1/2"), "");
  assert_string_equal(s_key(&t, "GET", "/"), "");
  routes_table_free(&t);
}

static void test_routes_skip_default_when_asked(void **state)
{
  (void)state;
  routes_table t;
  routes_table_init(&t);
  s_add(&t, "$default", 0);
  s_add(&t, "GET /health", 1);
  routes_match m;
  assert_int_equal(routes_find(&t, "GET", "/index.html", 1, &m), MYNT_NOT_FOUND);
  assert_null(m.route);
  assert_int_equal(routes_find(&t, "GET", "/health", 1, &m), MYNT_OK);
  assert_int_equal(m.route->function, 1);
  routes_match_free(&m);
  routes_table_free(&t);
}

static void test_routes_extract_decoded_path_parameters(void **state)
{
  (void)state;
  routes_table t;
  routes_table_init(&t);
  s_add(&t, "GET /users/{user_id}/items/{item_id}", 0);
  s_add(&t, "GET /files/{path+}", 0);
  routes_match m;
  assert_int_equal(routes_find(&t, "GET", "/users/u%201/items/it-9", 0, &m), MYNT_OK);
  assert_int_equal(m.n_params, 2);
  assert_string_equal(m.params[0].name, "user_id");
  assert_string_equal(m.params[0].value, "u 1");
  assert_string_equal(m.params[1].name, "item_id");
  assert_string_equal(m.params[1].value, "it-9");
  routes_match_free(&m);
  assert_int_equal(routes_find(&t, "GET", "/files/a/b%2Fc/d.txt", 0, &m), MYNT_OK);
  assert_int_equal(m.n_params, 1);
  assert_string_equal(m.params[0].name, "path");
  assert_string_equal(m.params[0].value, "a/b/c/d.txt");
  routes_match_free(&m);
  /* a literal segment matches its percent-encoded spelling too */
  s_add(&t, "GET /health", 0);
  assert_string_equal(s_key(&t, "GET", "/he%61lth"), "GET /health");
  routes_table_free(&t);
}

static void test_routes_refuse_malformed_or_repeated_keys(void **state)
{
  (void)state;
  routes_table t;
  routes_table_init(&t);
  const char *bad[] = {"GET", "GET health", "get /health", "GET /a//b", "GET /{proxy+}/x",
                       "GET /{}", "GET /a{b}", "GET /a b", "/health", "GET /x?y=1"};
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(routes_add(&t, bad[i], ROUTES_AUTH_NONE, 0), MYNT_BAD_REQUEST);
  assert_int_equal(t.count, 0);
  s_add(&t, "GET /", 0);
  assert_int_equal(routes_add(&t, "GET /", ROUTES_AUTH_NONE, 0), MYNT_BAD_REQUEST);
  assert_string_equal(s_key(&t, "GET", "/"), "GET /");
  routes_table_free(&t);
}

static void test_routes_percent_decode_keeps_malformed_escapes(void **state)
{
  (void)state;
  size_t n = 0;
  char *s = routes_percent_decode("a%2Bb+c%zz%4", 12, 1, &n);
  assert_string_equal(s, "a+b c%zz%4");
  assert_int_equal(n, strlen("a+b c%zz%4"));
  free(s);
  s = routes_percent_decode("x%00y", 5, 0, &n);
  assert_int_equal(n, 3);
  free(s);
}

/* ---- events ----------------------------------------------------------------------- */

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

static void test_event_lowercases_and_joins_headers_and_splits_cookies(void **state)
{
  (void)state;
  event_header h[] = {
    {"Host", "localhost:8080"},     {"X-Multi", "1"},           {"x-multi", "2"},
    {"Cookie", "a=1; b=2"},         {"Cookie", "c=3"},          {"User-Agent", "test-agent"},
    {"Authorization", "Bearer t"},
  };
  event_request r = s_request(h, sizeof(h) / sizeof(h[0]));
  json_t *e = event_build(&r);
  assert_non_null(e);
  assert_string_equal(s_str(e, "version"), "2.0");
  assert_string_equal(s_str(e, "routeKey"), "POST /items/{id}");
  assert_string_equal(s_str(e, "rawPath"), "/items/a%20b");
  assert_string_equal(s_str(e, "rawQueryString"), "");
  assert_string_equal(s_str(e, "headers.x-multi"), "1,2");
  assert_string_equal(s_str(e, "headers.host"), "localhost:8080");
  assert_string_equal(s_str(e, "headers.authorization"), "Bearer t");
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
  assert_string_equal(s_str(e, "requestContext.http.method"), "POST");
  assert_string_equal(s_str(e, "requestContext.http.path"), "/items/a%20b");
  assert_string_equal(s_str(e, "requestContext.http.userAgent"), "test-agent");
  assert_string_equal(s_str(e, "requestContext.http.sourceIp"), "127.0.0.1");
  assert_string_equal(s_str(e, "requestContext.domainName"), "localhost:8080");
  assert_string_equal(s_str(e, "requestContext.domainPrefix"), "localhost");
  assert_string_equal(s_str(e, "requestContext.stage"), "$default");
  assert_string_equal(s_str(e, "requestContext.requestId"), "req-1");
  assert_string_equal(s_str(e, "requestContext.routeKey"), "POST /items/{id}");
  assert_string_equal(s_str(e, "requestContext.accountId"), "000000000000");
  assert_string_equal(s_str(e, "requestContext.time"), "14/Nov/2023:22:13:20 +0000");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "requestContext"),
                                                      "timeEpoch")),
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
  assert_string_equal(s_str(e, "rawQueryString"), r.raw_query);
  assert_string_equal(s_str(e, "queryStringParameters.x"), "1,2");
  assert_string_equal(s_str(e, "queryStringParameters.name"), "a b c");
  assert_string_equal(s_str(e, "queryStringParameters.flag"), "");
  assert_string_equal(s_str(e, "queryStringParameters.empty"), "");
  assert_string_equal(s_str(e, "queryStringParameters.enc[]"), "+");
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
  assert_string_equal(s_str(e, "pathParameters.id"), "a b");
  assert_string_equal(s_str(e, "pathParameters.proxy"), "x/y");
  assert_string_equal(s_str(e, "requestContext.authorizer.jwt.claims.sub"), "user-1");
  assert_string_equal(s_str(e, "requestContext.authorizer.jwt.claims.exp"), "1700000000");
  const json_t *jwt = json_object_get(json_object_get(json_object_get(e, "requestContext"),
                                                      "authorizer"),
                                      "jwt");
  assert_true(json_is_null(json_object_get(jwt, "scopes")));
  json_decref(e);
  json_decref(claims);
  json_decref(scopes);
}

static void test_event_keeps_text_bodies_and_base64_encodes_binary_ones(void **state)
{
  (void)state;
  const char *text_types[] = {"application/json", "text/plain; charset=utf-8",
                              "application/x-www-form-urlencoded", "application/xml",
                              "application/vnd.api+json", "TEXT/CSV"};
  for(size_t i = 0; i < sizeof(text_types) / sizeof(text_types[0]); i++) {
    event_header h[] = {{"Content-Type", text_types[i]}};
    event_request r = s_request(h, 1);
    r.body = "{\"a\":1}";
    r.body_len = 7;
    json_t *e = event_build(&r);
    assert_string_equal(s_str(e, "body"), "{\"a\":1}");
    assert_true(json_is_false(json_object_get(e, "isBase64Encoded")));
    json_decref(e);
  }
  const char *binary_types[] = {"application/octet-stream", "image/png", NULL};
  for(size_t i = 0; i < sizeof(binary_types) / sizeof(binary_types[0]); i++) {
    event_header h[] = {{"Content-Type", binary_types[i]}};
    event_request r = s_request(h, binary_types[i] ? 1 : 0);
    r.body = "\x00\x01\xff" "hi";
    r.body_len = 5;
    json_t *e = event_build(&r);
    assert_string_equal(s_str(e, "body"), "AAH/aGk=");
    assert_true(json_is_true(json_object_get(e, "isBase64Encoded")));
    json_decref(e);
  }
  /* text that is not UTF-8 cannot be a JSON string: it is base64-encoded instead */
  event_header h[] = {{"Content-Type", "text/plain"}};
  event_request r = s_request(h, 1);
  r.body = "\xff\xfe";
  r.body_len = 2;
  json_t *e = event_build(&r);
  assert_string_equal(s_str(e, "body"), "//4=");
  assert_true(json_is_true(json_object_get(e, "isBase64Encoded")));
  json_decref(e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_routes_prefers_exact_then_param_then_greedy),
    cmocka_unit_test(test_routes_prefers_specific_method_over_any),
    cmocka_unit_test(test_routes_answer_not_found_without_default),
    cmocka_unit_test(test_routes_skip_default_when_asked),
    cmocka_unit_test(test_routes_extract_decoded_path_parameters),
    cmocka_unit_test(test_routes_refuse_malformed_or_repeated_keys),
    cmocka_unit_test(test_routes_percent_decode_keeps_malformed_escapes),
    cmocka_unit_test(test_event_lowercases_and_joins_headers_and_splits_cookies),
    cmocka_unit_test(test_event_decodes_and_joins_query_parameters),
    cmocka_unit_test(test_event_carries_path_parameters_and_jwt_claims),
    cmocka_unit_test(test_event_keeps_text_bodies_and_base64_encodes_binary_ones),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
