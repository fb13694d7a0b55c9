/* test_aws_retry.c - the DynamoDB client's retry policy and request signing against a scripted local HTTP server. */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "aws/dynamodb.h"
#include "core/clock.h"
#include "support/script_server.h"
#include "support/request_check.h"
#include "support/unit_main.h"

#define S_MAX_STEPS  8
#define S_ACCESS_KEY "AKIDRETRYTEST"
#define S_SECRET     "retry/secret/key"
#define S_TOKEN      "FQoGZXIvYXdzEXAMPLETOKEN+/="
/* How late after its deadline a call cut off by its send's timeout may return: that timeout
 * ends 50 ms before the deadline (test_ddb_call_sends_nothing_without_time_for_a_send pins it),
 * and what follows is the scheduler's; on a loaded 2-core VM a stall of over 50 ms was seen.
 * Still well short of the 1500 ms a stalled test server makes a client wait. */
#define S_LATE_MS 500

/* One scripted answer; the last step repeats forever. */
typedef struct {
  int status;
  const char *body;
  int delay_ms;
} s_step;

/* The server, a client for it and a small GetItem request. */
typedef struct {
  request_server rs;
  ddb_client *client;
  json_t *request;
  const char *expect_target;
} s_fixture;

/* Checks what every DynamoDB call must carry besides its signature. */
static void s_check_request(void *ctx, const script_request *req, request_failures *seen)
{
  s_fixture *f = ctx;
  const char *target = script_request_header(req, "X-Amz-Target");
  if(!target)
    request_fail(seen, "missing X-Amz-Target");
  else if(strcmp(target, f->expect_target) != 0)
    request_fail(seen, "X-Amz-Target is %s", target);
  const char *ct = script_request_header(req, "Content-Type");
  if(!ct || strcmp(ct, "application/x-amz-json-1.0") != 0)
    request_fail(seen, "Content-Type is %s", ct ? ct : "(none)");
}

/* The keys a client signing with token (NULL: none) is given. */
static request_check_keys s_keys(const char *token)
{
  return (request_check_keys){S_ACCESS_KEY, S_SECRET, "us-east-1", "dynamodb", token};
}

static ddb_client *s_client_for_port(int port, const char *token)
{
  char endpoint[64];
  snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
  aws_config cfg;
  const request_check_keys keys = s_keys(token);
  request_check_config(&cfg, endpoint, &keys);
  ddb_client *c = NULL;
  assert_int_equal(ddb_client_new(&cfg, &c), MYNT_OK);
  assert_non_null(c);
  return c;
}

/* The server's answers for steps[0..step_count). */
static void s_replies(const s_step *steps, int step_count, script_reply replies[S_MAX_STEPS])
{
  assert_true(step_count > 0 && step_count <= S_MAX_STEPS);
  for(int i = 0; i < step_count; i++)
    replies[i] = (script_reply){.status = (unsigned)steps[i].status,
                                .content_type = "application/x-amz-json-1.0",
                                .body = steps[i].body,
                                .delay_ms = steps[i].delay_ms};
}

/* Serves steps[0..step_count) to a client signing with token, expecting X-Amz-Target target. */
static s_fixture *s_fixture_new(const s_step *steps, int step_count, const char *token, const char *target)
{
  script_reply replies[S_MAX_STEPS];
  s_replies(steps, step_count, replies);
  static const char *const must_sign[] = {"x-amz-target", NULL};
  s_fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->expect_target = target;
  const request_check_keys keys = s_keys(token);
  assert_int_equal(request_server_start(&f->rs, &keys, must_sign, s_check_request, f, replies, (size_t)step_count),
                   MYNT_OK);
  f->client = s_client_for_port(script_server_port(f->rs.srv), token);
  f->request = json_pack("{s:s, s:{s:{s:s}, s:{s:s}}}", "TableName", "mynt-users", "Key", "user_id", "S", "u1", "sk",
                         "S", "PROFILE");
  return f;
}

static void s_fixture_free(s_fixture *f)
{
  ddb_client_free(f->client);
  request_server_stop(&f->rs);
  json_decref(f->request);
  free(f);
}

/* Serves steps[0..step_count) from the first again. */
static void s_script(s_fixture *f, const s_step *steps, int step_count)
{
  script_reply replies[S_MAX_STEPS];
  s_replies(steps, step_count, replies);
  assert_int_equal(script_server_script(f->rs.srv, replies, (size_t)step_count), MYNT_OK);
}

static void s_assert_headers_ok(s_fixture *f)
{
  const char *first = request_failures_first(&f->rs.seen);
  if(first)
    fail_msg("server saw a badly signed request: %s", first);
}

static const char s_throttled[] =
  "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\",\"message\":\"Rate exceeded\"}";
static const char s_internal[] =
  "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"Internal server error\"}";
static const char s_condition[] = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\","
                                  "\"message\":\"The conditional request failed\"}";
static const char s_item[] = "{\"Item\":{\"user_id\":{\"S\":\"u1\"},\"sk\":{\"S\":\"PROFILE\"}}}";

static void test_ddb_call_retries_throttling_twice_then_succeeds_with_three_attempts(void **state)
{
  (void)state;
  s_step steps[] = {{400, s_throttled, 0}, {400, s_throttled, 0}, {200, s_item, 0}};
  s_fixture *f = s_fixture_new(steps, 3, S_TOKEN, "DynamoDB_20120810.GetItem");
  json_t *response = NULL;
  aws_error err;
  mynt_status st = ddb_call(f->client, "GetItem", f->request, clock_epoch_ms() + 5000, &response, &err);
  assert_int_equal(st, MYNT_OK);
  assert_int_equal(err.status, MYNT_OK);
  assert_int_equal(err.attempts, 3);
  assert_int_equal(script_server_counts(f->rs.srv).requests, 3);
  assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(response, "Item"), "sk"), "S")),
                      "PROFILE");
  s_assert_headers_ok(f);
  json_decref(response);
  s_fixture_free(f);
}

static void test_ddb_call_returns_unavailable_before_the_deadline_when_500_persists(void **state)
{
  (void)state;
  s_step steps[] = {{500, s_internal, 0}};
  s_fixture *f = s_fixture_new(steps, 1, S_TOKEN, "DynamoDB_20120810.GetItem");
  json_t *response = NULL;
  aws_error err;
  int64_t start = clock_epoch_ms();
  int64_t deadline = start + 1200;
  mynt_status st = ddb_call(f->client, "GetItem", f->request, deadline, &response, &err);
  int64_t end = clock_epoch_ms();
  assert_int_equal(st, MYNT_UNAVAILABLE);
  assert_null(response);
  assert_int_equal(err.http_status, 500);
  assert_string_equal(err.type, "InternalServerError");
  assert_true(err.attempts >= 2);
  assert_int_equal(err.attempts, script_server_wait_requests(f->rs.srv, err.attempts, 1000));
  assert_true(end <= deadline);
  s_assert_headers_ok(f);
  s_fixture_free(f);
}

/* Errors that retrying cannot fix: answered after one attempt. */
static void test_ddb_call_does_not_retry_errors_a_retry_cannot_fix(void **state)
{
  (void)state;
  static const char cancelled[] =
    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"CancellationReasons\":"
    "[{\"Code\":\"None\"},{\"Code\":\"ConditionalCheckFailed\",\"Message\":\"The conditional request failed\"}],"
    "\"Message\":\"Transaction cancelled, please refer cancellation reasons for specific reasons\"}";
  static const char unrecognized[] = "{\"__type\":\"com.amazon.coral.service#UnrecognizedClientException\","
                                     "\"message\":\"The security token included in the request is invalid.\"}";
  const struct {
    const char *name;
    const char *body;
    const char *target;
    const char *operation;
    int64_t deadline_in_ms; /* 0: no deadline */
    mynt_status status;
    const char *type;
    const char *message; /* NULL: not checked */
  } cases[] = {
    {"a failed condition", s_condition, "DynamoDB_20120810.PutItem", "PutItem", 5000, MYNT_CONDITION_FAILED,
     "ConditionalCheckFailedException", "The conditional request failed"},
    {"a transaction cancelled by a failed condition", cancelled, "DynamoDB_20120810.TransactWriteItems",
     "TransactWriteItems", 0, MYNT_CONDITION_FAILED, "TransactionCanceledException", NULL},
    {"unrecognized credentials", unrecognized, "DynamoDB_20120810.GetItem", "GetItem", 0, MYNT_UPSTREAM,
     "UnrecognizedClientException", NULL},
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    s_step steps[] = {{400, cases[i].body, 0}, {200, s_item, 0}};
    s_fixture *f = s_fixture_new(steps, 2, S_TOKEN, cases[i].target);
    json_t *response = NULL;
    aws_error err;
    int64_t deadline = cases[i].deadline_in_ms ? clock_epoch_ms() + cases[i].deadline_in_ms : 0;
    mynt_status st = ddb_call(f->client, cases[i].operation, f->request, deadline, &response, &err);
    if(st != cases[i].status || err.attempts != 1 || script_server_counts(f->rs.srv).requests != 1 ||
       err.http_status != 400 || strcmp(err.type, cases[i].type) != 0 ||
       (cases[i].message && strcmp(err.message, cases[i].message) != 0))
      fail_msg("%s: status %s after %d attempts (%d requests), HTTP %d, %s: %s", cases[i].name, mynt_strerror(st),
               err.attempts, script_server_counts(f->rs.srv).requests, err.http_status, err.type, err.message);
    s_assert_headers_ok(f);
    json_decref(response);
    s_fixture_free(f);
  }
}

static void test_ddb_call_without_session_token_sends_no_token_header(void **state)
{
  (void)state;
  s_step steps[] = {{200, s_item, 0}};
  s_fixture *f = s_fixture_new(steps, 1, NULL, "DynamoDB_20120810.GetItem");
  json_t *response = NULL;
  assert_int_equal(ddb_call(f->client, "GetItem", f->request, 0, &response, NULL), MYNT_OK);
  s_assert_headers_ok(f);
  json_decref(response);
  s_fixture_free(f);
}

/* GetItem against a server that throttles or stalls: the call ends by its deadline (or S_LATE_MS after it when a
 * send's timeout cut it off) with the last answer's error. */
static void test_ddb_call_ends_by_the_deadline_with_the_last_answer(void **state)
{
  (void)state;
  const struct {
    const char *name;
    s_step steps[2];
    int step_count;
    int64_t deadline_in_ms;
    int64_t late_ms;
    mynt_status status;
    int attempts;     /* exactly; 0: at least 2 */
    int http_status;  /* -1: not checked */
    const char *type; /* NULL: not checked */
  } cases[] = {
    {"throttling that outlasts the deadline",
     {{400, s_throttled, 0}},
     1,
     700,
     0,
     MYNT_THROTTLED,
     0,
     -1,
     "ThrottlingException"},
    {"throttling, then a retry the deadline cuts short",
     {{400, s_throttled, 0}, {200, s_item, 1500}},
     2,
     700,
     S_LATE_MS,
     MYNT_THROTTLED,
     2,
     400,
     "ThrottlingException"},
    {"a stalled server", {{200, s_item, 1500}}, 1, 500, S_LATE_MS, MYNT_TIMEOUT, 1, -1, NULL},
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    s_fixture *f = s_fixture_new(cases[i].steps, cases[i].step_count, S_TOKEN, "DynamoDB_20120810.GetItem");
    json_t *response = NULL;
    aws_error err;
    int64_t deadline = clock_epoch_ms() + cases[i].deadline_in_ms;
    mynt_status st = ddb_call(f->client, "GetItem", f->request, deadline, &response, &err);
    int64_t late = clock_epoch_ms() - deadline;
    if(st != cases[i].status || err.status != st || response || late > cases[i].late_ms ||
       (cases[i].attempts ? err.attempts != cases[i].attempts : err.attempts < 2) ||
       (cases[i].http_status >= 0 && err.http_status != cases[i].http_status) ||
       (cases[i].type && strcmp(err.type, cases[i].type) != 0))
      fail_msg("%s: %s (error %s) %lld ms after the deadline, %d attempts, HTTP %d, %s", cases[i].name,
               mynt_strerror(st), mynt_strerror(err.status), (long long)late, err.attempts, err.http_status, err.type);
    s_fixture_free(f);
  }
}

static void test_ddb_call_retries_transaction_in_progress_only_with_a_client_request_token(void **state)
{
  (void)state;
  static const char in_progress[] = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionInProgressException\","
                                    "\"message\":\"Transaction is ongoing\"}";
  s_step steps[] = {{400, in_progress, 0}, {200, "{}", 0}};
  s_fixture *f = s_fixture_new(steps, 2, S_TOKEN, "DynamoDB_20120810.TransactWriteItems");
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(ddb_call(f->client, "TransactWriteItems", f->request, 0, &response, &err), MYNT_CONFLICT);
  assert_int_equal(err.attempts, 1);

  s_script(f, steps, 2); /* from the first step again */
  json_object_set_new(f->request, "ClientRequestToken", json_string("token-1"));
  assert_int_equal(ddb_call(f->client, "TransactWriteItems", f->request, 0, &response, &err), MYNT_OK);
  assert_int_equal(err.attempts, 2);
  s_assert_headers_ok(f);
  json_decref(response);
  s_fixture_free(f);
}

/* Deadlines too close for a send: nothing reaches the server. */
static void test_ddb_call_sends_nothing_without_time_for_a_send(void **state)
{
  (void)state;
  const struct {
    const char *name;
    int64_t deadline_in_ms;
  } cases[] = {
    {"a deadline that has passed", -1},
    /* a send's timeout ends 50 ms before the deadline: with 40 ms left there is no room for one */
    {"a deadline within the send margin", 40},
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    s_step steps[] = {{200, s_item, 0}};
    s_fixture *f = s_fixture_new(steps, 1, S_TOKEN, "DynamoDB_20120810.GetItem");
    json_t *response = NULL;
    aws_error err;
    mynt_status st =
      ddb_call(f->client, "GetItem", f->request, clock_epoch_ms() + cases[i].deadline_in_ms, &response, &err);
    if(st != MYNT_TIMEOUT || response || err.attempts != 0 || script_server_counts(f->rs.srv).requests != 0)
      fail_msg("%s: status %s, %s answer, %d attempts, %d requests", cases[i].name, mynt_strerror(st),
               response ? "an" : "no", err.attempts, script_server_counts(f->rs.srv).requests);
    s_fixture_free(f);
  }
}

static void test_ddb_call_rejects_an_answer_over_the_size_cap_without_retrying(void **state)
{
  (void)state;
  size_t len = 9u * 1024u * 1024u;
  char *big = malloc(len);
  assert_non_null(big);
  memset(big, ' ', len);
  s_step steps[] = {{200, s_item, 0}};
  s_fixture *f = s_fixture_new(steps, 1, S_TOKEN, "DynamoDB_20120810.GetItem");
  script_reply huge = {.status = 200, .content_type = "application/x-amz-json-1.0", .body = big, .body_len = len};
  assert_int_equal(script_server_script(f->rs.srv, &huge, 1), MYNT_OK);
  free(big);
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(ddb_call(f->client, "GetItem", f->request, 0, &response, &err), MYNT_NOMEM);
  assert_int_equal(err.attempts, 1);
  s_fixture_free(f);
}

static void test_ddb_call_retries_a_dropped_connection(void **state)
{
  (void)state;
  s_step steps[] = {{200, s_item, 0}};
  s_fixture *f = s_fixture_new(steps, 1, S_TOKEN, "DynamoDB_20120810.GetItem");
  script_reply replies[] = {{.drop = true},
                            {.status = 200, .content_type = "application/x-amz-json-1.0", .body = s_item}};
  assert_int_equal(script_server_script(f->rs.srv, replies, 2), MYNT_OK);
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(ddb_call(f->client, "GetItem", f->request, clock_epoch_ms() + 5000, &response, &err), MYNT_OK);
  assert_int_equal(err.attempts, 2);
  assert_int_equal(script_server_counts(f->rs.srv).requests, 2);
  s_assert_headers_ok(f);
  json_decref(response);
  s_fixture_free(f);
}

/* A stalled answer (a write that may have committed) does not take the whole deadline: the attempt gives up after
 * its own timeout and a second one, inside the same deadline, gets the answer. */
static void test_ddb_call_gives_each_attempt_its_own_timeout_and_retries_a_stalled_answer(void **state)
{
  (void)state;
  s_step steps[] = {{200, s_item, 4000}, {200, s_item, 0}};
  s_fixture *f = s_fixture_new(steps, 2, S_TOKEN, "DynamoDB_20120810.GetItem");
  json_t *response = NULL;
  aws_error err;
  int64_t start = clock_epoch_ms();
  assert_int_equal(ddb_call(f->client, "GetItem", f->request, start + 9000, &response, &err), MYNT_OK);
  int64_t took = clock_epoch_ms() - start;
  if(err.attempts != 2 || took > 2000 + 1000 + S_LATE_MS)
    fail_msg("%d attempts in %lld ms", err.attempts, (long long)took);
  assert_true(took >= 1900);
  s_assert_headers_ok(f);
  json_decref(response);
  s_fixture_free(f);
}

static void test_ddb_call_retries_refused_connections_and_reports_io(void **state)
{
  (void)state;
  /* A port that was just free: a server's, once it stopped. */
  script_server *gone = NULL;
  assert_int_equal(script_server_new(NULL, NULL, &gone), MYNT_OK);
  int port = script_server_port(gone);
  script_server_free(gone);
  ddb_client *c = s_client_for_port(port, NULL);
  json_t *request = json_pack("{s:s}", "TableName", "mynt-users");
  json_t *response = NULL;
  aws_error err;
  int64_t deadline = clock_epoch_ms() + 600;
  assert_int_equal(ddb_call(c, "GetItem", request, deadline, &response, &err), MYNT_IO);
  assert_true(clock_epoch_ms() <= deadline);
  assert_true(err.attempts >= 2);
  assert_int_equal(err.http_status, 0);
  json_decref(request);
  ddb_client_free(c);
}

static void test_ddb_client_rejects_an_unusable_endpoint(void **state)
{
  (void)state;
  aws_config cfg;
  memset(&cfg, 0, sizeof cfg);
  snprintf(cfg.region, sizeof cfg.region, "us-east-1");
  snprintf(cfg.endpoint, sizeof cfg.endpoint, "ftp://127.0.0.1:1");
  snprintf(cfg.creds.access_key_id, sizeof cfg.creds.access_key_id, "AKID");
  snprintf(cfg.creds.secret_access_key, sizeof cfg.creds.secret_access_key, "secret");
  ddb_client *c = (ddb_client *)&cfg;
  assert_int_equal(ddb_client_new(&cfg, &c), MYNT_BAD_REQUEST);
  assert_null(c);
}

UNIT_MAIN("aws_retry", NULL, NULL,
          {
            cmocka_unit_test(test_ddb_call_retries_throttling_twice_then_succeeds_with_three_attempts),
            cmocka_unit_test(test_ddb_call_returns_unavailable_before_the_deadline_when_500_persists),
            cmocka_unit_test(test_ddb_call_does_not_retry_errors_a_retry_cannot_fix),
            cmocka_unit_test(test_ddb_call_without_session_token_sends_no_token_header),
            cmocka_unit_test(test_ddb_call_ends_by_the_deadline_with_the_last_answer),
            cmocka_unit_test(test_ddb_call_retries_transaction_in_progress_only_with_a_client_request_token),
            cmocka_unit_test(test_ddb_call_sends_nothing_without_time_for_a_send),
            cmocka_unit_test(test_ddb_call_rejects_an_answer_over_the_size_cap_without_retrying),
            cmocka_unit_test(test_ddb_call_retries_a_dropped_connection),
            cmocka_unit_test(test_ddb_call_gives_each_attempt_its_own_timeout_and_retries_a_stalled_answer),
            cmocka_unit_test(test_ddb_call_retries_refused_connections_and_reports_io),
            cmocka_unit_test(test_ddb_client_rejects_an_unusable_endpoint),
          })
