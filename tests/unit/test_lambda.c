/* test_lambda.c - Lambda's asynchronous Invoke against a scripted local server: the signed request, retries, errors. */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/lambda.h"
#include "core/clock.h"
#include "support/big_json.h"
#include "support/script_server.h"
#include "support/request_check.h"
#include "support/unit_main.h"

#define S_ACCESS_KEY "AKIDLAMBDATEST"
#define S_SECRET     "lambda/secret/key"
#define S_TOKEN      "FQoGZXIvYXdzEXAMPLELAMBDA+/="
#define S_PAYLOAD    "{\"item_id\":\"item-1\",\"reason\":\"webhook\"}"
/* As test_aws_retry.c: how late after its deadline a call cut off by its send's timeout may return. */
#define S_LATE_MS 500

/* The server and a client for it. */
typedef struct {
  request_server rs;
  lambda_client *client;
} s_fixture;

static const request_check_keys s_keys = {S_ACCESS_KEY, S_SECRET, "us-east-1", "lambda", S_TOKEN};

/* Checks what every Invoke must carry besides its signature. */
static void s_check_request(void *ctx, const script_request *req, request_failures *seen)
{
  (void)ctx;
  const char *type = script_request_header(req, "X-Amz-Invocation-Type");
  const char *ct = script_request_header(req, "Content-Type");
  if(strcmp(req->method, "POST") != 0)
    request_fail(seen, "method %s", req->method);
  if(!type || strcmp(type, "Event") != 0)
    request_fail(seen, "X-Amz-Invocation-Type is %s", type ? type : "(none)");
  if(!ct || strcmp(ct, "application/json") != 0)
    request_fail(seen, "Content-Type is %s", ct ? ct : "(none)");
  if(script_request_header(req, "X-Amz-Target"))
    request_fail(seen, "a REST call sent X-Amz-Target");
}

/* A server answering steps[0..n) (the last repeats) and a client whose endpoint is the server's URL + suffix. */
static s_fixture *s_fixture_new(const script_reply *steps, size_t n, const char *endpoint_suffix)
{
  static const char *const must_sign[] = {"x-amz-invocation-type", "content-type", NULL};
  s_fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  assert_int_equal(request_server_start(&f->rs, &s_keys, must_sign, s_check_request, NULL, steps, n), MYNT_OK);
  char endpoint[256];
  snprintf(endpoint, sizeof endpoint, "%s%s", script_server_url(f->rs.srv), endpoint_suffix ? endpoint_suffix : "");
  aws_config cfg;
  request_check_config(&cfg, endpoint, &s_keys);
  assert_int_equal(lambda_client_new(&cfg, &f->client), MYNT_OK);
  assert_non_null(f->client);
  return f;
}

static void s_fixture_free(s_fixture *f)
{
  lambda_client_free(f->client);
  request_server_stop(&f->rs);
  free(f);
}

static void s_assert_requests_ok(s_fixture *f)
{
  const char *first = request_failures_first(&f->rs.seen);
  if(first)
    fail_msg("server saw a bad request: %s", first);
}

/* Lambda's answers: 202 with an empty body, or an error named in x-amzn-ErrorType (sometimes with a ":url"
 * suffix) over a body {"Type":"User"|"Service","message":...}. */
#define S_ACCEPTED                                                                                                     \
  {                                                                                                                    \
    .status = 202                                                                                                      \
  }
#define S_ERROR(status_, name_, body_)                                                                                 \
  {                                                                                                                    \
    .status = (status_), .content_type = "application/json", .headers = {{"x-amzn-ErrorType", (name_)}},               \
    .body = (body_)                                                                                                    \
  }
#define S_THROTTLED                                                                                                    \
  S_ERROR(429, "TooManyRequestsException",                                                                             \
          "{\"Type\":\"User\",\"message\":\"Rate Exceeded.\",\"Reason\":\"ReservedFunction"                            \
          "ConcurrentInvocationLimitExceeded\"}")
#define S_SERVICE_ERROR S_ERROR(500, "ServiceException", "{\"Type\":\"Service\",\"message\":\"Internal error\"}")

static void test_lambda_invoke_async_sends_a_signed_event_invocation_and_accepts_202(void **state)
{
  (void)state;
  script_reply steps[] = {S_ACCEPTED};
  s_fixture *f = s_fixture_new(steps, 1, NULL);
  aws_error err;
  assert_int_equal(lambda_invoke_async(f->client, "mynt-sync", S_PAYLOAD, clock_epoch_ms() + 5000, &err), MYNT_OK);
  assert_int_equal(err.status, MYNT_OK);
  assert_int_equal(err.http_status, 202);
  assert_int_equal(err.attempts, 1);
  assert_int_equal(script_server_counts(f->rs.srv).requests, 1);
  const script_record *r = script_server_record(f->rs.srv, 0);
  assert_non_null(r);
  assert_string_equal(r->method, "POST");
  assert_string_equal(r->url, "/2015-03-31/functions/mynt-sync/invocations");
  assert_int_equal(r->body_len, strlen(S_PAYLOAD));
  assert_string_equal(r->body, S_PAYLOAD);
  s_assert_requests_ok(f);
  s_fixture_free(f);
}

/* ':' and '$' are percent-encoded in the path (and so signed encoded twice): the server decodes the path back, and
 * request_check re-encodes it, so a name sent or signed unencoded fails the signature. An endpoint's own path prefixes
 * the API's. */
static void test_lambda_invoke_async_encodes_qualified_names_and_arns_in_the_path(void **state)
{
  (void)state;
  const struct {
    const char *name;
    const char *endpoint_suffix;
    const char *path; /* as the server decodes it */
  } cases[] = {
    {"mynt-sync:$LATEST", NULL, "/2015-03-31/functions/mynt-sync:$LATEST/invocations"},
    {"arn:aws:lambda:us-east-1:123456789012:function:mynt-sync:live", NULL,
     "/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mynt-sync:live/invocations"},
    {"mynt-sync", "/lambda-proxy/", "/lambda-proxy/2015-03-31/functions/mynt-sync/invocations"},
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    script_reply steps[] = {S_ACCEPTED};
    s_fixture *f = s_fixture_new(steps, 1, cases[i].endpoint_suffix);
    aws_error err;
    mynt_status st = lambda_invoke_async(f->client, cases[i].name, "{}", 0, &err);
    const script_record *r = script_server_record(f->rs.srv, 0);
    const char *bad = request_failures_first(&f->rs.seen);
    if(st != MYNT_OK || !r || strcmp(r->url, cases[i].path) != 0 || bad)
      fail_msg("%s: %s (%s), path %s, %s", cases[i].name, mynt_strerror(st), err.message, r ? r->url : "(none)",
               bad ? bad : "signed right");
    s_fixture_free(f);
  }
}

static void test_lambda_invoke_async_retries_throttling_and_5xx_until_accepted(void **state)
{
  (void)state;
  script_reply steps[] = {S_THROTTLED, S_SERVICE_ERROR, S_THROTTLED, S_ACCEPTED};
  s_fixture *f = s_fixture_new(steps, 4, NULL);
  aws_error err;
  assert_int_equal(lambda_invoke_async(f->client, "mynt-sync", S_PAYLOAD, clock_epoch_ms() + 5000, &err), MYNT_OK);
  assert_int_equal(err.attempts, 4);
  assert_int_equal(err.http_status, 202);
  assert_int_equal(script_server_counts(f->rs.srv).requests, 4);
  for(int i = 0; i < 4; i++)
    assert_string_equal(script_server_record(f->rs.srv, i)->body, S_PAYLOAD);
  s_assert_requests_ok(f);
  s_fixture_free(f);
}

/* Errors that sending again cannot fix: answered after one attempt, named from x-amzn-ErrorType. */
static void test_lambda_invoke_async_does_not_retry_errors_a_retry_cannot_fix(void **state)
{
  (void)state;
  const struct {
    script_reply reply;
    mynt_status status;
    const char *type;
    const char *message;
  } cases[] = {
    {S_ERROR(404, "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazon.awslambda/",
             "{\"Type\":\"User\",\"message\":\"Function not found: "
             "arn:aws:lambda:us-east-1:123456789012:function:mynt-sync\"}"),
     MYNT_NOT_FOUND, "ResourceNotFoundException",
     "Function not found: arn:aws:lambda:us-east-1:123456789012:function:mynt-sync"},
    {S_ERROR(413, "RequestTooLargeException",
             "{\"Type\":\"User\",\"message\":\"Request must be smaller than "
             "1048576 bytes for the InvokeFunction operation\"}"),
     MYNT_TOO_LARGE, "RequestTooLargeException", NULL},
    {S_ERROR(403, "AccessDeniedException",
             "{\"Message\":\"User is not authorized to perform: lambda:InvokeFunction\"}"),
     MYNT_UPSTREAM, "AccessDeniedException", "User is not authorized to perform: lambda:InvokeFunction"},
    {S_ERROR(502, "KMSAccessDeniedException", "{\"Type\":\"User\",\"message\":\"Lambda was unable to decrypt\"}"),
     MYNT_UPSTREAM, "KMSAccessDeniedException", NULL},
    {S_ERROR(400, "InvalidRequestContentException", "{\"Type\":\"User\",\"message\":\"Could not parse\"}"),
     MYNT_BAD_REQUEST, "InvalidRequestContentException", NULL},
    /* no header: the name comes from the body */
    {{.status = 404, .content_type = "application/json", .body = "{\"code\":\"ResourceNotFoundException\"}"},
     MYNT_NOT_FOUND,
     "ResourceNotFoundException",
     "HTTP 404 ResourceNotFoundException"},
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    script_reply steps[] = {cases[i].reply, S_ACCEPTED};
    s_fixture *f = s_fixture_new(steps, 2, NULL);
    aws_error err;
    mynt_status st = lambda_invoke_async(f->client, "mynt-sync", S_PAYLOAD, clock_epoch_ms() + 5000, &err);
    if(st != cases[i].status || err.status != st || err.attempts != 1 ||
       script_server_counts(f->rs.srv).requests != 1 || err.http_status != (int)cases[i].reply.status ||
       strcmp(err.type, cases[i].type) != 0 || (cases[i].message && strcmp(err.message, cases[i].message) != 0))
      fail_msg("%s: %s after %d attempts (%d requests), HTTP %d, %s: %s", cases[i].type, mynt_strerror(st),
               err.attempts, script_server_counts(f->rs.srv).requests, err.http_status, err.type, err.message);
    s_assert_requests_ok(f);
    s_fixture_free(f);
  }
}

/* A server that keeps throttling, keeps failing or stalls: the call ends by its deadline (or S_LATE_MS after it
 * when a send's timeout cut it off) with the last answer's error. */
static void test_lambda_invoke_async_ends_by_the_deadline(void **state)
{
  (void)state;
  const struct {
    const char *name;
    script_reply reply;
    int64_t deadline_in_ms;
    int64_t late_ms;
    mynt_status status;
    int min_attempts;
  } cases[] = {
    {"throttling", S_THROTTLED, 700, 0, MYNT_THROTTLED, 2},
    {"5xx", S_SERVICE_ERROR, 700, 0, MYNT_UNAVAILABLE, 2},
    {"a stalled server", {.status = 202, .delay_ms = 1500}, 500, S_LATE_MS, MYNT_TIMEOUT, 1},
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    s_fixture *f = s_fixture_new(&cases[i].reply, 1, NULL);
    aws_error err;
    int64_t deadline = clock_epoch_ms() + cases[i].deadline_in_ms;
    mynt_status st = lambda_invoke_async(f->client, "mynt-sync", S_PAYLOAD, deadline, &err);
    int64_t late = clock_epoch_ms() - deadline;
    if(st != cases[i].status || err.status != st || late > cases[i].late_ms || err.attempts < cases[i].min_attempts)
      fail_msg("%s: %s %lld ms after the deadline, %d attempts, HTTP %d, %s", cases[i].name, mynt_strerror(st),
               (long long)late, err.attempts, err.http_status, err.type);
    s_fixture_free(f);
  }
}

/* Names Lambda's pattern allows, each sent (and accepted). */
static void test_lambda_invoke_async_accepts_every_documented_name_form(void **state)
{
  (void)state;
  char longest[LAMBDA_FUNCTION_NAME_MAX + 1];
  memset(longest, 'f', LAMBDA_FUNCTION_NAME_MAX);
  longest[LAMBDA_FUNCTION_NAME_MAX] = '\0';
  const char *names[] = {
    "f",
    "Mynt_Sync-1.2",
    longest,
    "mynt-sync:live",
    "mynt-sync:7",
    "mynt-sync:$LATEST",
    "mynt-sync:$LATEST.PUBLISHED",
    "123456789012:function:mynt-sync",
    "arn:aws:lambda:us-east-1:123456789012:function:mynt-sync",
    "arn:aws:lambda:eu-west-3:123456789012:function:mynt-sync:$LATEST",
    "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:mynt-sync",
    "arn:aws-cn:lambda:cn-north-1:123456789012:function:mynt-sync",
  };
  script_reply steps[] = {S_ACCEPTED};
  s_fixture *f = s_fixture_new(steps, 1, NULL);
  for(size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    aws_error err;
    mynt_status st = lambda_invoke_async(f->client, names[i], "{}", 0, &err);
    if(st != MYNT_OK || script_server_counts(f->rs.srv).requests != (int)i + 1)
      fail_msg("%s: %s (%s)", names[i], mynt_strerror(st), err.message);
  }
  s_assert_requests_ok(f);
  s_fixture_free(f);
}

/* Bad names and payloads are refused before anything is sent. */
static void test_lambda_invoke_async_refuses_bad_names_and_payloads_without_a_request(void **state)
{
  (void)state;
  char too_long_name[LAMBDA_FUNCTION_NAME_MAX + 2];
  memset(too_long_name, 'f', LAMBDA_FUNCTION_NAME_MAX + 1);
  too_long_name[LAMBDA_FUNCTION_NAME_MAX + 1] = '\0';
  char too_long_arn[LAMBDA_FUNCTION_ARN_MAX + 2];
  snprintf(too_long_arn, sizeof too_long_arn, "arn:aws:lambda:us-east-1:123456789012:function:mynt-sync:");
  size_t used = strlen(too_long_arn);
  memset(too_long_arn + used, 'a', sizeof too_long_arn - 1 - used);
  too_long_arn[sizeof too_long_arn - 1] = '\0';
  char *big = big_json_string(LAMBDA_ASYNC_PAYLOAD_MAX + 1);
  assert_non_null(big);
  const struct {
    const char *name;
    const char *payload;
    mynt_status status;
  } cases[] = {
    {NULL, "{}", MYNT_BAD_REQUEST},
    {"", "{}", MYNT_BAD_REQUEST},
    {"mynt sync", "{}", MYNT_BAD_REQUEST},
    {"../invocations", "{}", MYNT_BAD_REQUEST},
    {"mynt/sync", "{}", MYNT_BAD_REQUEST},
    {"mynt-sync?Qualifier=x", "{}", MYNT_BAD_REQUEST},
    {"mynt-sync%2F", "{}", MYNT_BAD_REQUEST},
    {"mynt-sync:a:b", "{}", MYNT_BAD_REQUEST},
    {"mynt-sync:$latest", "{}", MYNT_BAD_REQUEST},
    {"mynt-sync:", "{}", MYNT_BAD_REQUEST},
    {"arn:aws:s3:::bucket", "{}", MYNT_BAD_REQUEST},
    {"arn:aws:lambda:us-east-1:12345:function:mynt-sync", "{}", MYNT_BAD_REQUEST},
    {"mynt-sync\r\nX-Evil: 1", "{}", MYNT_BAD_REQUEST},
    {too_long_name, "{}", MYNT_BAD_REQUEST},
    {too_long_arn, "{}", MYNT_BAD_REQUEST},
    {"mynt-sync", NULL, MYNT_BAD_REQUEST},
    {"mynt-sync", "", MYNT_BAD_REQUEST},
    {"mynt-sync", "{\"item_id\":", MYNT_BAD_REQUEST},
    {"mynt-sync", big, MYNT_TOO_LARGE},
  };
  script_reply steps[] = {S_ACCEPTED};
  s_fixture *f = s_fixture_new(steps, 1, NULL);
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    aws_error err;
    mynt_status st = lambda_invoke_async(f->client, cases[i].name, cases[i].payload, 0, &err);
    if(st != cases[i].status || err.status != st || err.attempts != 0 || !err.message[0] ||
       script_server_counts(f->rs.srv).requests != 0)
      fail_msg("case %zu (%.40s): %s, %d attempts, %d requests", i, cases[i].name ? cases[i].name : "NULL",
               mynt_strerror(st), err.attempts, script_server_counts(f->rs.srv).requests);
  }
  assert_int_equal(lambda_invoke_async(NULL, "mynt-sync", "{}", 0, NULL), MYNT_BAD_REQUEST);
  free(big);
  s_fixture_free(f);
}

/* The limit is inclusive: a payload of exactly LAMBDA_ASYNC_PAYLOAD_MAX bytes is sent whole. */
static void test_lambda_invoke_async_sends_a_payload_of_exactly_the_limit(void **state)
{
  (void)state;
  size_t len = LAMBDA_ASYNC_PAYLOAD_MAX;
  char *payload = malloc(len + 1);
  assert_non_null(payload);
  memset(payload, 'x', len);
  memcpy(payload, "{\"pad\":\"", 8);
  memcpy(payload + len - 2, "\"}", 2);
  payload[len] = '\0';
  script_reply steps[] = {S_ACCEPTED};
  s_fixture *f = s_fixture_new(steps, 1, NULL);
  aws_error err;
  assert_int_equal(lambda_invoke_async(f->client, "mynt-sync", payload, clock_epoch_ms() + 5000, &err), MYNT_OK);
  const script_record *r = script_server_record(f->rs.srv, 0);
  assert_non_null(r);
  assert_int_equal(r->body_len, len);
  assert_memory_equal(r->body, payload, len);
  s_assert_requests_ok(f);
  free(payload);
  s_fixture_free(f);
}

UNIT_MAIN("lambda", NULL, NULL,
          {
            cmocka_unit_test(test_lambda_invoke_async_sends_a_signed_event_invocation_and_accepts_202),
            cmocka_unit_test(test_lambda_invoke_async_encodes_qualified_names_and_arns_in_the_path),
            cmocka_unit_test(test_lambda_invoke_async_retries_throttling_and_5xx_until_accepted),
            cmocka_unit_test(test_lambda_invoke_async_does_not_retry_errors_a_retry_cannot_fix),
            cmocka_unit_test(test_lambda_invoke_async_ends_by_the_deadline),
            cmocka_unit_test(test_lambda_invoke_async_accepts_every_documented_name_form),
            cmocka_unit_test(test_lambda_invoke_async_refuses_bad_names_and_payloads_without_a_request),
            cmocka_unit_test(test_lambda_invoke_async_sends_a_payload_of_exactly_the_limit),
          })
