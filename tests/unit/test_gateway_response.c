/* test_gateway_response.c - unit tests for turning a function's result into API Gateway's answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "local/gateway/response.h"
#include "support/unit_main.h"

static const char *s_header(const response_http *r, const char *name, size_t nth)
{
  for(size_t i = 0; i < r->n_headers; i++)
    if(strcmp(r->headers[i].name, name) == 0 && nth-- == 0)
      return r->headers[i].value;
  return NULL;
}

static mynt_status s_convert(const char *payload, response_http *r)
{
  return response_from_payload(payload, strlen(payload), r);
}

/* Each test starts from an empty response_http in *state; the tear-down frees what it holds. */
static int s_setup(void **state)
{
  response_http *r = malloc(sizeof(*r));
  assert_non_null(r);
  response_init(r);
  *state = r;
  return 0;
}

static int s_teardown(void **state)
{
  response_free(*state);
  free(*state);
  return 0;
}

static void test_response_uses_status_headers_cookies_and_body(void **state)
{
  response_http *r = *state;
  assert_int_equal(s_convert("{\"statusCode\":201,\"headers\":{\"content-type\":\"application/json\","
                             "\"x-count\":3,\"x-flag\":true},\"cookies\":[\"a=1; Path=/\",\"b=2\"],"
                             "\"body\":\"{\\\"id\\\":\\\"x\\\"}\"}",
                             r),
                   MYNT_OK);
  assert_int_equal(r->status, 201);
  assert_string_equal(s_header(r, "content-type", 0), "application/json");
  assert_string_equal(s_header(r, "x-count", 0), "3");
  assert_string_equal(s_header(r, "x-flag", 0), "true");
  assert_string_equal(s_header(r, "Set-Cookie", 0), "a=1; Path=/");
  assert_string_equal(s_header(r, "Set-Cookie", 1), "b=2");
  assert_string_equal(buf_cstr(&r->body), "{\"id\":\"x\"}");
}

static void test_response_decodes_base64_bodies(void **state)
{
  response_http *r = *state;
  assert_int_equal(s_convert("{\"statusCode\":200,\"isBase64Encoded\":true,\"body\":\"AAH/aGk=\"}", r), MYNT_OK);
  assert_int_equal(r->body.len, 5);
  assert_memory_equal(r->body.ptr, "\x00\x01\xffhi", 5);
  response_free(r);
  assert_int_equal(s_convert("{\"statusCode\":200,\"isBase64Encoded\":true,\"body\":\"***\"}", r), MYNT_UPSTREAM);
}

static void test_response_without_status_code_is_a_200_json_body(void **state)
{
  response_http *r = *state;
  const char *payloads[] = {"{\"hello\":\"world\"}", "[1,2]", "\"text\"", "42"};
  for(size_t i = 0; i < 4; i++) {
    assert_int_equal(s_convert(payloads[i], r), MYNT_OK);
    assert_int_equal(r->status, 200);
    assert_string_equal(s_header(r, "Content-Type", 0), "application/json");
    assert_string_equal(buf_cstr(&r->body), payloads[i]);
  }
}

static void test_response_with_status_code_and_no_body_is_empty(void **state)
{
  response_http *r = *state;
  assert_int_equal(s_convert("{\"statusCode\":204}", r), MYNT_OK);
  assert_int_equal(r->status, 204);
  assert_int_equal(r->body.len, 0);
  assert_int_equal(r->n_headers, 0);
}

static void test_response_refuses_invalid_payloads(void **state)
{
  response_http *r = *state;
  const char *bad[] = {
    "not json",
    "",
    "{\"statusCode\":99}",
    "{\"statusCode\":600}",
    "{\"statusCode\":true}",
    "{\"statusCode\":200,\"headers\":[1]}",
    "{\"statusCode\":200,\"headers\":{\"x\":{\"a\":1}}}",
    "{\"statusCode\":200,\"headers\":{\"x\":\"a\\r\\nInjected: 1\"}}",
    "{\"statusCode\":200,\"cookies\":\"a=1\"}",
    "{\"statusCode\":200,\"body\":{\"a\":1}}",
  };
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    assert_int_equal(s_convert(bad[i], r), MYNT_UPSTREAM);
    assert_int_equal(r->n_headers, 0);
    assert_int_equal(r->body.len, 0);
  }
}

static void test_response_message_is_api_gateway_shaped(void **state)
{
  response_http *r = *state;
  assert_int_equal(response_message(r, 401, "Unauthorized"), MYNT_OK);
  assert_int_equal(r->status, 401);
  assert_string_equal(buf_cstr(&r->body), "{\"message\":\"Unauthorized\"}");
  assert_string_equal(s_header(r, "Content-Type", 0), "application/json");
  assert_int_equal(response_message(r, 504, "Endpoint request timed out"), MYNT_OK);
  assert_int_equal(r->n_headers, 1);
  assert_string_equal(buf_cstr(&r->body), "{\"message\":\"Endpoint request timed out\"}");
}

#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)
UNIT_MAIN("gateway_response", NULL, NULL,
          {
            T(test_response_uses_status_headers_cookies_and_body),
            T(test_response_decodes_base64_bodies),
            T(test_response_without_status_code_is_a_200_json_body),
            T(test_response_with_status_code_and_no_body_is_empty),
            T(test_response_refuses_invalid_payloads),
            T(test_response_message_is_api_gateway_shaped),
          })
