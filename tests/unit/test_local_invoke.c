/* test_local_invoke.c - unit tests for mynt-local's Lambda Invoke API validation (local/gateway/invoke.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/sigv4.h"
#include "local/gateway/invoke.h"
#include "support/unit_main.h"

static const char s_config[] = "{\"region\":\"us-east-1\",\"functions\":["
                               " {\"name\":\"PublicFunction\",\"handler\":\"public\",\"routes\":[]},"
                               " {\"name\":\"SyncFunction\",\"function_name\":\"mynt-sync\",\"handler\":\"sync\","
                               "  \"routes\":[]}]}";

#define S_DATE "20261202T010203Z"
#define S_AUTH                                                                                                         \
  "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261202/us-east-1/lambda/aws4_request, "                                     \
  "SignedHeaders=host;x-amz-date;x-amz-invocation-type, "                                                              \
  "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int s_setup(void **state)
{
  local_config *c = calloc(1, sizeof(*c));
  assert_non_null(c);
  assert_int_equal(local_config_parse(s_config, strlen(s_config), c, NULL), MYNT_OK);
  *state = c;
  return 0;
}

static int s_teardown(void **state)
{
  local_config_free(*state);
  free(*state);
  return 0;
}

/* A well-formed asynchronous Invoke of path with body. */
static invoke_request s_request(const char *path, const char *body)
{
  return (invoke_request){.method = "POST",
                          .raw_path = path,
                          .invocation_type = "Event",
                          .authorization = S_AUTH,
                          .amz_date = S_DATE,
                          .body = body,
                          .body_len = strlen(body)};
}

static void s_expect_error(const local_config *c, const invoke_request *r, mynt_status st, int http, const char *type)
{
  size_t index = 99;
  invoke_type kind;
  invoke_error err;
  assert_int_equal(invoke_check(c, r, &index, &kind, &err), st);
  assert_int_equal(err.status, http);
  assert_string_equal(err.error_type, type);
  assert_true(strlen(err.message) > 0);
}

static size_t s_expect_ok(const local_config *c, const invoke_request *r, invoke_type want_type)
{
  size_t index = 99;
  invoke_type kind;
  invoke_error err;
  assert_int_equal(invoke_check(c, r, &index, &kind, &err), MYNT_OK);
  assert_int_equal(kind, want_type);
  return index;
}

static void test_invoke_finds_a_function_by_logical_id_function_name_and_arn(void **state)
{
  local_config *c = *state;
  invoke_request r = s_request("/2015-03-31/functions/PublicFunction/invocations", "{}");
  assert_int_equal(s_expect_ok(c, &r, INVOKE_EVENT), 0);
  r.raw_path = "/2015-03-31/functions/mynt-sync/invocations";
  assert_int_equal(s_expect_ok(c, &r, INVOKE_EVENT), 1);
  r.raw_path = "/2015-03-31/functions/SyncFunction/invocations";
  assert_int_equal(s_expect_ok(c, &r, INVOKE_EVENT), 1);
  r.raw_path = "/2015-03-31/functions/mynt-sync%3A%24LATEST/invocations";
  assert_int_equal(s_expect_ok(c, &r, INVOKE_EVENT), 1);
  r.raw_path = "/2015-03-31/functions/000000000000%3Afunction%3Amynt-sync/invocations";
  assert_int_equal(s_expect_ok(c, &r, INVOKE_EVENT), 1);
  r.raw_path = "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Amynt-sync/invocations";
  assert_int_equal(s_expect_ok(c, &r, INVOKE_EVENT), 1);
}

static void test_invoke_answers_404_for_an_unknown_function_qualifier_region_or_account(void **state)
{
  local_config *c = *state;
  const char *paths[] = {
    "/2015-03-31/functions/NoSuchFunction/invocations",
    "/2015-03-31/functions/mynt-sync%3Aprod/invocations",
    "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A000000000000%3Afunction%3Amynt-sync/invocations",
    "/2015-03-31/functions/123456789012%3Afunction%3Amynt-sync/invocations",
  };
  for(size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
    invoke_request r = s_request(paths[i], "{}");
    s_expect_error(c, &r, MYNT_NOT_FOUND, 404, "ResourceNotFoundException");
  }
  invoke_request r = s_request(paths[0], "{}");
  invoke_error err;
  size_t index;
  invoke_type kind;
  invoke_check(c, &r, &index, &kind, &err);
  assert_non_null(strstr(err.message, "function:NoSuchFunction"));
  char *body = invoke_error_body(&err);
  assert_non_null(strstr(body, "\"Type\":\"User\""));
  assert_non_null(strstr(body, "\"message\":\"Function not found"));
  free(body);
}

static void test_invoke_refuses_a_malformed_name_with_400(void **state)
{
  invoke_request r = s_request("/2015-03-31/functions/bad%20name/invocations", "{}");
  s_expect_error(*state, &r, MYNT_BAD_REQUEST, 400, "ValidationException");
  r.raw_path = "/2015-03-31/functions/a%3Ab%3Ac%3Ad/invocations";
  s_expect_error(*state, &r, MYNT_BAD_REQUEST, 400, "ValidationException");
}

static void test_invoke_needs_a_sigv4_authorization_of_the_right_shape(void **state)
{
  local_config *c = *state;
  invoke_request r = s_request("/2015-03-31/functions/mynt-sync/invocations", "{}");
  r.authorization = NULL;
  s_expect_error(c, &r, MYNT_FORBIDDEN, 403, "MissingAuthenticationTokenException");
  r.authorization = "Bearer abc";
  s_expect_error(c, &r, MYNT_FORBIDDEN, 403, "IncompleteSignatureException");
  r.authorization = "AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/lambda/aws4_request, SignedHeaders=host";
  s_expect_error(c, &r, MYNT_FORBIDDEN, 403, "IncompleteSignatureException");
  r.authorization = "AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/lambda/aws4_request, SignedHeaders=host, "
                    "Signature=abc";
  s_expect_error(c, &r, MYNT_FORBIDDEN, 403, "IncompleteSignatureException");
  r.authorization = "AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/dynamodb/aws4_request, SignedHeaders=host, "
                    "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  s_expect_error(c, &r, MYNT_FORBIDDEN, 403, "InvalidSignatureException");
  r.authorization = "AWS4-HMAC-SHA256 Credential=AKID/20261202/eu-west-1/lambda/aws4_request, SignedHeaders=host, "
                    "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  s_expect_error(c, &r, MYNT_FORBIDDEN, 403, "InvalidSignatureException");
  r.authorization =
    "AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/lambda/aws4_request, SignedHeaders=x-amz-date, "
    "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  s_expect_error(c, &r, MYNT_FORBIDDEN, 403, "IncompleteSignatureException");
  r.authorization = S_AUTH;
  r.amz_date = NULL;
  s_expect_error(c, &r, MYNT_FORBIDDEN, 403, "IncompleteSignatureException");
  r.amz_date = "20261203T010203Z";
  s_expect_error(c, &r, MYNT_FORBIDDEN, 403, "InvalidSignatureException");
}

static void test_invoke_accepts_what_mynts_own_signer_sends(void **state)
{
  const char *path = "/2015-03-31/functions/mynt-sync/invocations";
  const char *body = "{\"mynt_schedule\":\"daily\"}";
  sigv4_header headers[] = {
    {"host", "127.0.0.1:8080"}, {"content-type", "application/json"}, {"x-amz-invocation-type", "Event"}};
  sigv4_request req = {.method = "POST",
                       .path = path,
                       .query = "",
                       .headers = headers,
                       .header_count = 3,
                       .body = body,
                       .body_len = strlen(body)};
  sigv4_params p = {.access_key_id = "AKIDLOCALMYNT",
                    .secret_access_key = "secret",
                    .session_token = "token",
                    .region = "us-east-1",
                    .service = "lambda",
                    .timestamp = 1764637323,
                    .mode = SIGV4_SIGN_HEADERS,
                    .normalize_path = 1};
  sigv4_result out;
  assert_int_equal(sigv4_sign(&req, &p, &out), MYNT_OK);
  invoke_request r = s_request(path, body);
  r.authorization = buf_cstr(&out.authorization);
  r.amz_date = out.amz_date;
  assert_int_equal(s_expect_ok(*state, &r, INVOKE_EVENT), 1);
  p.service = "dynamodb";
  sigv4_result_free(&out);
  assert_int_equal(sigv4_sign(&req, &p, &out), MYNT_OK);
  r.authorization = buf_cstr(&out.authorization);
  s_expect_error(*state, &r, MYNT_FORBIDDEN, 403, "InvalidSignatureException");
  sigv4_result_free(&out);
}

static void test_invoke_serves_only_post_invocations(void **state)
{
  invoke_request r = s_request("/2015-03-31/functions/mynt-sync/invocations", "{}");
  r.method = "GET";
  s_expect_error(*state, &r, MYNT_NOT_FOUND, 404, "UnknownOperationException");
  r = s_request("/2015-03-31/functions/mynt-sync", "{}");
  s_expect_error(*state, &r, MYNT_NOT_FOUND, 404, "UnknownOperationException");
  r = s_request("/2015-03-31/functions/mynt-sync/invocations/extra", "{}");
  s_expect_error(*state, &r, MYNT_NOT_FOUND, 404, "UnknownOperationException");
  r = s_request("/2015-03-31/functions//invocations", "{}");
  s_expect_error(*state, &r, MYNT_NOT_FOUND, 404, "UnknownOperationException");
}

static void test_invoke_reads_the_invocation_type(void **state)
{
  invoke_request r = s_request("/2015-03-31/functions/PublicFunction/invocations", "{}");
  r.invocation_type = NULL;
  s_expect_ok(*state, &r, INVOKE_REQUEST_RESPONSE);
  r.invocation_type = "RequestResponse";
  s_expect_ok(*state, &r, INVOKE_REQUEST_RESPONSE);
  r.invocation_type = "DryRun";
  s_expect_ok(*state, &r, INVOKE_DRY_RUN);
  r.invocation_type = "event";
  s_expect_error(*state, &r, MYNT_BAD_REQUEST, 400, "ValidationException");
}

static void test_invoke_needs_a_json_payload_within_lambdas_limits(void **state)
{
  local_config *c = *state;
  invoke_request r = s_request("/2015-03-31/functions/PublicFunction/invocations", "{not json");
  s_expect_error(c, &r, MYNT_BAD_REQUEST, 400, "InvalidRequestContentException");
  r = s_request("/2015-03-31/functions/PublicFunction/invocations", "");
  s_expect_ok(c, &r, INVOKE_EVENT);
  r = s_request("/2015-03-31/functions/PublicFunction/invocations", "\"a string is JSON\"");
  s_expect_ok(c, &r, INVOKE_EVENT);

  size_t n = INVOKE_MAX_ASYNC_PAYLOAD + 1;
  char *big = malloc(n + 1);
  assert_non_null(big);
  big[0] = '"';
  memset(big + 1, 'x', n - 2);
  big[n - 1] = '"';
  big[n] = '\0';
  r = s_request("/2015-03-31/functions/PublicFunction/invocations", big);
  s_expect_error(c, &r, MYNT_TOO_LARGE, 413, "RequestTooLargeException");
  r.invocation_type = "RequestResponse";
  s_expect_ok(c, &r, INVOKE_REQUEST_RESPONSE);
  r.body_too_large = true;
  s_expect_error(c, &r, MYNT_TOO_LARGE, 413, "RequestTooLargeException");
  free(big);
}

#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)
UNIT_MAIN("local_invoke", NULL, NULL,
          {
            T(test_invoke_finds_a_function_by_logical_id_function_name_and_arn),
            T(test_invoke_answers_404_for_an_unknown_function_qualifier_region_or_account),
            T(test_invoke_refuses_a_malformed_name_with_400),
            T(test_invoke_needs_a_sigv4_authorization_of_the_right_shape),
            T(test_invoke_accepts_what_mynts_own_signer_sends),
            T(test_invoke_serves_only_post_invocations),
            T(test_invoke_reads_the_invocation_type),
            T(test_invoke_needs_a_json_payload_within_lambdas_limits),
          })
