/* test_aws_retry.c - the DynamoDB client's retry policy and request signing against a scripted local HTTP server. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <microhttpd.h>

#include "aws/dynamodb.h"
#include "aws/sigv4.h"
#include "core/clock.h"

#define S_MAX_STEPS 8
#define S_BODY_MAX (64 * 1024)
#define S_ACCESS_KEY "AKIDRETRYTEST"
#define S_SECRET "retry/secret/key"
#define S_TOKEN "FQoGZXIvYXdzEXAMPLETOKEN+/="
/* How late after its deadline a call cut off by its send's timeout may return: that timeout
 * ends 50 ms before the deadline (test_ddb_call_sends_nothing_within_the_send_margin pins it),
 * and what follows is the scheduler's; on a loaded 2-core VM a stall of over 50 ms was seen.
 * Still well short of the 1500 ms a stalled test server makes a client wait. */
#define S_LATE_MS 500

/* One scripted answer; the last step repeats forever. */
typedef struct {
  int status;
  const char *body;
  int delay_ms;
} s_step;

typedef struct {
  pthread_mutex_t lock;
  s_step steps[S_MAX_STEPS];
  int step_count;
  int requests;
  int header_failures;
  char failure[512];
  const char *expect_token;   /* NULL: the request must carry no token */
  const char *expect_target;
  const char *big_body;       /* served instead of steps when set */
  size_t big_len;
  struct MHD_Daemon *daemon;
  int port;
} s_server;

typedef struct {
  char body[S_BODY_MAX];
  size_t len;
  int too_big;
} s_upload;

static void s_fail(s_server *srv, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  if(!srv->header_failures)
    vsnprintf(srv->failure, sizeof srv->failure, fmt, ap);
  va_end(ap);
  srv->header_failures++;
}

static const char *s_header(struct MHD_Connection *conn, const char *name)
{
  return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* Checks the request's signing headers and recomputes its signature from what arrived. */
static void s_check_request(s_server *srv, struct MHD_Connection *conn, const char *url, const char *method,
                            const s_upload *up)
{
  const char *auth = s_header(conn, "Authorization");
  const char *date = s_header(conn, "X-Amz-Date");
  const char *token = s_header(conn, "X-Amz-Security-Token");
  const char *target = s_header(conn, "X-Amz-Target");
  char prefix[128];
  if(!auth || !date || !target) {
    s_fail(srv, "missing Authorization, X-Amz-Date or X-Amz-Target");
    return;
  }
  snprintf(prefix, sizeof prefix, "AWS4-HMAC-SHA256 Credential=%s/%.8s/us-east-1/dynamodb/aws4_request, ",
           S_ACCESS_KEY, date);
  if(strncmp(auth, prefix, strlen(prefix)) != 0)
    s_fail(srv, "Authorization does not start with %s", prefix);
  if(strcmp(target, srv->expect_target) != 0)
    s_fail(srv, "X-Amz-Target is %s", target);
  if(srv->expect_token ? !token || strcmp(token, srv->expect_token) != 0 : token != NULL)
    s_fail(srv, "X-Amz-Security-Token is wrong");
  const char *ct = s_header(conn, "Content-Type");
  if(!ct || strcmp(ct, "application/x-amz-json-1.0") != 0)
    s_fail(srv, "Content-Type is %s", ct ? ct : "(none)");

  /* Rebuild the signed request from the received headers named in SignedHeaders. */
  const char *names = strstr(auth, "SignedHeaders=");
  if(!names) {
    s_fail(srv, "no SignedHeaders");
    return;
  }
  names += strlen("SignedHeaders=");
  char list[512];
  snprintf(list, sizeof list, "%.*s", (int)strcspn(names, ","), names);
  if(!strstr(list, "host") || !strstr(list, "x-amz-target") || !strstr(list, "x-amz-date") ||
     (srv->expect_token && !strstr(list, "x-amz-security-token")))
    s_fail(srv, "SignedHeaders lacks a required header: %s", list);
  sigv4_header headers[16];
  size_t count = 0;
  for(char *save = NULL, *name = strtok_r(list, ";", &save); name && count < 16; name = strtok_r(NULL, ";", &save)) {
    if(strcmp(name, "x-amz-date") == 0 || strcmp(name, "x-amz-security-token") == 0)
      continue;
    const char *value = s_header(conn, name);
    headers[count].name = name;
    headers[count].value = value ? value : "";
    count++;
  }
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  if(!strptime(date, "%Y%m%dT%H%M%SZ", &tm)) {
    s_fail(srv, "bad X-Amz-Date %s", date);
    return;
  }
  sigv4_request req = {.method = method, .path = url, .headers = headers, .header_count = count,
                       .body = up->body, .body_len = up->len};
  sigv4_params p = {.access_key_id = S_ACCESS_KEY, .secret_access_key = S_SECRET, .session_token = token,
                    .region = "us-east-1", .service = "dynamodb", .timestamp = timegm(&tm),
                    .mode = SIGV4_SIGN_HEADERS, .normalize_path = 1};
  sigv4_result r;
  if(sigv4_sign(&req, &p, &r) != 0)
    s_fail(srv, "cannot re-sign the received request");
  else if(strcmp(buf_cstr(&r.authorization), auth) != 0)
    s_fail(srv, "signature mismatch: got %s, recomputed %s", auth, buf_cstr(&r.authorization));
  sigv4_result_free(&r);
}

static enum MHD_Result s_handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                const char *version, const char *upload_data, size_t *upload_data_size,
                                void **req_cls)
{
  (void)version;
  s_server *srv = cls;
  s_upload *up = *req_cls;
  if(!up) {
    up = calloc(1, sizeof *up);
    *req_cls = up;
    return up ? MHD_YES : MHD_NO;
  }
  if(*upload_data_size) {
    if(up->len + *upload_data_size < S_BODY_MAX) {
      memcpy(up->body + up->len, upload_data, *upload_data_size);
      up->len += *upload_data_size;
    }
    else {
      up->too_big = 1;
    }
    *upload_data_size = 0;
    return MHD_YES;
  }

  pthread_mutex_lock(&srv->lock);
  int n = srv->requests++;
  s_check_request(srv, conn, url, method, up);
  s_step step = srv->steps[n < srv->step_count ? n : srv->step_count - 1];
  const char *big = srv->big_body;
  size_t big_len = srv->big_len;
  pthread_mutex_unlock(&srv->lock);

  if(step.delay_ms)
    clock_sleep_ms(step.delay_ms);
  struct MHD_Response *resp =
    big ? MHD_create_response_from_buffer(big_len, (void *)big, MHD_RESPMEM_PERSISTENT)
        : MHD_create_response_from_buffer(strlen(step.body), (void *)step.body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(resp, "Content-Type", "application/x-amz-json-1.0");
  enum MHD_Result ret = MHD_queue_response(conn, big ? 200 : (unsigned)step.status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static void s_completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode code)
{
  (void)cls;
  (void)conn;
  (void)code;
  free(*req_cls);
  *req_cls = NULL;
}

static void s_server_start(s_server *srv)
{
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  pthread_mutex_init(&srv->lock, NULL);
  srv->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
                                 s_handle, srv, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_NOTIFY_COMPLETED,
                                 s_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
  assert_non_null(srv->daemon);
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
  assert_non_null(info);
  srv->port = info->port;
  assert_true(srv->port > 0);
}

static void s_server_stop(s_server *srv)
{
  MHD_stop_daemon(srv->daemon);
  pthread_mutex_destroy(&srv->lock);
}

static ddb_client *s_client_for_port(int port, const char *token)
{
  aws_config cfg;
  memset(&cfg, 0, sizeof cfg);
  snprintf(cfg.region, sizeof cfg.region, "us-east-1");
  snprintf(cfg.endpoint, sizeof cfg.endpoint, "http://127.0.0.1:%d", port);
  snprintf(cfg.creds.access_key_id, sizeof cfg.creds.access_key_id, S_ACCESS_KEY);
  snprintf(cfg.creds.secret_access_key, sizeof cfg.creds.secret_access_key, S_SECRET);
  snprintf(cfg.creds.session_token, sizeof cfg.creds.session_token, "%s", token ? token : "");
  ddb_client *c = NULL;
  assert_int_equal(ddb_client_new(&cfg, &c), MYNT_OK);
  assert_non_null(c);
  return c;
}

/* Holds the server, a client for it and a small GetItem request. */
typedef struct {
  s_server srv;
  ddb_client *client;
  json_t *request;
} s_fixture;

static s_fixture *s_fixture_new(const s_step *steps, int step_count, const char *token, const char *target)
{
  s_fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  assert_true(step_count > 0 && step_count <= S_MAX_STEPS);
  memcpy(f->srv.steps, steps, (size_t)step_count * sizeof *steps);
  f->srv.step_count = step_count;
  f->srv.expect_token = token;
  f->srv.expect_target = target;
  s_server_start(&f->srv);
  f->client = s_client_for_port(f->srv.port, token);
  f->request = json_pack("{s:s, s:{s:{s:s}, s:{s:s}}}", "TableName", "mynt-users", "Key", "user_id", "S", "u1", "sk",
                         "S", "PROFILE");
  return f;
}

static void s_fixture_free(s_fixture *f)
{
  ddb_client_free(f->client);
  s_server_stop(&f->srv);
  json_decref(f->request);
  free((void *)f->srv.big_body);
  free(f);
}

/* The requests the server has taken once those still on their way (a try the deadline cut
 * short may reach it after the client gave up) have arrived: waits up to a second for expected. */
static int s_requests_settled(s_server *srv, int expected)
{
  int64_t until = clock_mono_ms() + 1000;
  for(;;) {
    pthread_mutex_lock(&srv->lock);
    int requests = srv->requests;
    pthread_mutex_unlock(&srv->lock);
    if(requests >= expected || clock_mono_ms() >= until)
      return requests;
    clock_sleep_ms(10);
  }
}

static void s_assert_headers_ok(s_fixture *f)
{
  if(f->srv.header_failures)
    fail_msg("server saw a badly signed request: %s", f->srv.failure);
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
  mynt_status st = ddb_get_item(f->client, f->request, clock_epoch_ms() + 5000, &response, &err);
  assert_int_equal(st, MYNT_OK);
  assert_int_equal(err.status, MYNT_OK);
  assert_int_equal(err.attempts, 3);
  assert_int_equal(f->srv.requests, 3);
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
  mynt_status st = ddb_get_item(f->client, f->request, deadline, &response, &err);
  int64_t end = clock_epoch_ms();
  assert_int_equal(st, MYNT_UNAVAILABLE);
  assert_null(response);
  assert_int_equal(err.http_status, 500);
  assert_string_equal(err.type, "InternalServerError");
  assert_true(err.attempts >= 2);
  assert_int_equal(err.attempts, s_requests_settled(&f->srv, err.attempts));
  assert_true(end <= deadline);
  s_assert_headers_ok(f);
  s_fixture_free(f);
}

static void test_ddb_call_does_not_retry_a_failed_condition(void **state)
{
  (void)state;
  s_step steps[] = {{400, s_condition, 0}, {200, s_item, 0}};
  s_fixture *f = s_fixture_new(steps, 2, S_TOKEN, "DynamoDB_20120810.PutItem");
  json_t *response = NULL;
  aws_error err;
  mynt_status st = ddb_put_item(f->client, f->request, clock_epoch_ms() + 5000, &response, &err);
  assert_int_equal(st, MYNT_CONDITION_FAILED);
  assert_int_equal(err.attempts, 1);
  assert_int_equal(f->srv.requests, 1);
  assert_int_equal(err.http_status, 400);
  assert_string_equal(err.type, "ConditionalCheckFailedException");
  assert_string_equal(err.message, "The conditional request failed");
  s_assert_headers_ok(f);
  s_fixture_free(f);
}

static void test_ddb_call_without_session_token_sends_no_token_header(void **state)
{
  (void)state;
  s_step steps[] = {{200, s_item, 0}};
  s_fixture *f = s_fixture_new(steps, 1, NULL, "DynamoDB_20120810.GetItem");
  json_t *response = NULL;
  assert_int_equal(ddb_get_item(f->client, f->request, 0, &response, NULL), MYNT_OK);
  s_assert_headers_ok(f);
  json_decref(response);
  s_fixture_free(f);
}

static void test_ddb_call_returns_throttled_when_throttling_outlasts_the_deadline(void **state)
{
  (void)state;
  s_step steps[] = {{400, s_throttled, 0}};
  s_fixture *f = s_fixture_new(steps, 1, S_TOKEN, "DynamoDB_20120810.GetItem");
  json_t *response = NULL;
  aws_error err;
  int64_t deadline = clock_epoch_ms() + 700;
  assert_int_equal(ddb_get_item(f->client, f->request, deadline, &response, &err), MYNT_THROTTLED);
  assert_true(clock_epoch_ms() <= deadline);
  assert_true(err.attempts >= 2);
  assert_string_equal(err.type, "ThrottlingException");
  s_fixture_free(f);
}

static void test_ddb_call_reports_throttling_when_the_deadline_cuts_the_retry_short(void **state)
{
  (void)state;
  s_step steps[] = {{400, s_throttled, 0}, {200, s_item, 1500}};
  s_fixture *f = s_fixture_new(steps, 2, S_TOKEN, "DynamoDB_20120810.GetItem");
  json_t *response = NULL;
  aws_error err;
  int64_t deadline = clock_epoch_ms() + 700;
  assert_int_equal(ddb_get_item(f->client, f->request, deadline, &response, &err), MYNT_THROTTLED);
  assert_true(clock_epoch_ms() <= deadline + S_LATE_MS);
  assert_null(response);
  assert_int_equal(err.status, MYNT_THROTTLED);
  assert_int_equal(err.attempts, 2);
  assert_int_equal(err.http_status, 400);
  assert_string_equal(err.type, "ThrottlingException");
  s_fixture_free(f);
}

static void test_ddb_call_maps_cancelled_transaction_with_condition_reason_to_condition_failed(void **state)
{
  (void)state;
  static const char cancelled[] =
    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"CancellationReasons\":"
    "[{\"Code\":\"None\"},{\"Code\":\"ConditionalCheckFailed\",\"Message\":\"The conditional request failed\"}],"
    "\"Message\":\"Transaction cancelled, please refer cancellation reasons for specific reasons\"}";
  s_step steps[] = {{400, cancelled, 0}};
  s_fixture *f = s_fixture_new(steps, 1, S_TOKEN, "DynamoDB_20120810.TransactWriteItems");
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(ddb_transact_write_items(f->client, f->request, 0, &response, &err), MYNT_CONDITION_FAILED);
  assert_int_equal(err.attempts, 1);
  assert_string_equal(err.type, "TransactionCanceledException");
  s_fixture_free(f);
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
  assert_int_equal(ddb_transact_write_items(f->client, f->request, 0, &response, &err), MYNT_CONFLICT);
  assert_int_equal(err.attempts, 1);

  pthread_mutex_lock(&f->srv.lock);
  f->srv.requests = 0;
  pthread_mutex_unlock(&f->srv.lock);
  json_object_set_new(f->request, "ClientRequestToken", json_string("token-1"));
  assert_int_equal(ddb_transact_write_items(f->client, f->request, 0, &response, &err), MYNT_OK);
  assert_int_equal(err.attempts, 2);
  s_assert_headers_ok(f);
  json_decref(response);
  s_fixture_free(f);
}

static void test_ddb_call_reports_credential_failures_as_upstream_without_retrying(void **state)
{
  (void)state;
  static const char unrecognized[] = "{\"__type\":\"com.amazon.coral.service#UnrecognizedClientException\","
                                     "\"message\":\"The security token included in the request is invalid.\"}";
  s_step steps[] = {{400, unrecognized, 0}};
  s_fixture *f = s_fixture_new(steps, 1, S_TOKEN, "DynamoDB_20120810.GetItem");
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(ddb_get_item(f->client, f->request, 0, &response, &err), MYNT_UPSTREAM);
  assert_int_equal(err.attempts, 1);
  assert_string_equal(err.type, "UnrecognizedClientException");
  s_fixture_free(f);
}

static void test_ddb_call_times_out_before_the_deadline_when_the_server_stalls(void **state)
{
  (void)state;
  s_step steps[] = {{200, s_item, 1500}};
  s_fixture *f = s_fixture_new(steps, 1, S_TOKEN, "DynamoDB_20120810.GetItem");
  json_t *response = NULL;
  aws_error err;
  int64_t deadline = clock_epoch_ms() + 500;
  assert_int_equal(ddb_get_item(f->client, f->request, deadline, &response, &err), MYNT_TIMEOUT);
  assert_true(clock_epoch_ms() <= deadline + S_LATE_MS);
  assert_int_equal(err.attempts, 1);
  assert_null(response);
  s_fixture_free(f);
}

static void test_ddb_call_sends_nothing_when_the_deadline_has_passed(void **state)
{
  (void)state;
  s_step steps[] = {{200, s_item, 0}};
  s_fixture *f = s_fixture_new(steps, 1, S_TOKEN, "DynamoDB_20120810.GetItem");
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(ddb_get_item(f->client, f->request, clock_epoch_ms() - 1, &response, &err), MYNT_TIMEOUT);
  assert_int_equal(err.attempts, 0);
  assert_int_equal(f->srv.requests, 0);
  s_fixture_free(f);
}

static void test_ddb_call_sends_nothing_within_the_send_margin(void **state)
{
  (void)state;
  s_step steps[] = {{200, s_item, 0}};
  s_fixture *f = s_fixture_new(steps, 1, S_TOKEN, "DynamoDB_20120810.GetItem");
  json_t *response = NULL;
  aws_error err;
  /* a send's timeout ends 50 ms before the deadline: with 40 ms left there is no room for one */
  assert_int_equal(ddb_get_item(f->client, f->request, clock_epoch_ms() + 40, &response, &err), MYNT_TIMEOUT);
  assert_null(response);
  assert_int_equal(err.attempts, 0);
  assert_int_equal(f->srv.requests, 0);
  s_fixture_free(f);
}

static void test_ddb_call_rejects_an_answer_over_the_size_cap_without_retrying(void **state)
{
  (void)state;
  s_step steps[] = {{200, s_item, 0}};
  s_fixture *f = s_fixture_new(steps, 1, S_TOKEN, "DynamoDB_20120810.GetItem");
  size_t len = 9u * 1024u * 1024u;
  char *big = malloc(len);
  assert_non_null(big);
  memset(big, ' ', len);
  f->srv.big_body = big;
  f->srv.big_len = len;
  json_t *response = NULL;
  aws_error err;
  assert_int_equal(ddb_get_item(f->client, f->request, 0, &response, &err), MYNT_NOMEM);
  assert_int_equal(err.attempts, 1);
  s_fixture_free(f);
}

static void test_ddb_call_retries_refused_connections_and_reports_io(void **state)
{
  (void)state;
  /* A port that was just free: bind, read it back, close. */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr;
  socklen_t addr_len = sizeof addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &addr_len), 0);
  close(fd);
  ddb_client *c = s_client_for_port(ntohs(addr.sin_port), NULL);
  json_t *request = json_pack("{s:s}", "TableName", "mynt-users");
  json_t *response = NULL;
  aws_error err;
  int64_t deadline = clock_epoch_ms() + 600;
  assert_int_equal(ddb_get_item(c, request, deadline, &response, &err), MYNT_IO);
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

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ddb_call_retries_throttling_twice_then_succeeds_with_three_attempts),
    cmocka_unit_test(test_ddb_call_returns_unavailable_before_the_deadline_when_500_persists),
    cmocka_unit_test(test_ddb_call_does_not_retry_a_failed_condition),
    cmocka_unit_test(test_ddb_call_without_session_token_sends_no_token_header),
    cmocka_unit_test(test_ddb_call_returns_throttled_when_throttling_outlasts_the_deadline),
    cmocka_unit_test(test_ddb_call_reports_throttling_when_the_deadline_cuts_the_retry_short),
    cmocka_unit_test(test_ddb_call_maps_cancelled_transaction_with_condition_reason_to_condition_failed),
    cmocka_unit_test(test_ddb_call_retries_transaction_in_progress_only_with_a_client_request_token),
    cmocka_unit_test(test_ddb_call_reports_credential_failures_as_upstream_without_retrying),
    cmocka_unit_test(test_ddb_call_times_out_before_the_deadline_when_the_server_stalls),
    cmocka_unit_test(test_ddb_call_sends_nothing_when_the_deadline_has_passed),
    cmocka_unit_test(test_ddb_call_sends_nothing_within_the_send_margin),
    cmocka_unit_test(test_ddb_call_rejects_an_answer_over_the_size_cap_without_retrying),
    cmocka_unit_test(test_ddb_call_retries_refused_connections_and_reports_io),
    cmocka_unit_test(test_ddb_client_rejects_an_unusable_endpoint),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
