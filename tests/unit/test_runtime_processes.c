/* test_runtime_processes.c - the real bootstrap and fault_bootstrap processes against a fake Runtime API (and, for
 * presignup and costguard, a fake Cognito and API Gateway). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "aws/dynamodb.h"
#include "aws/ssm.h"
#include "core/clock.h"
#include "support/fake_api.h"
#include "support/fake_apigateway.h"
#include "support/fake_cognito.h"
#include "support/moto_fixture.h"
#include "support/unit_main.h"

extern char **environ;

#define WAIT_MS 10000

static const char *s_binary(const char *env_name)
{
  const char *path = getenv(env_name);
  assert_non_null(path);
  return path;
}

/* A started child and the file its stderr goes to. */
typedef struct {
  pid_t pid;
  char log_path[64];
} s_child;

/* Starts path with the Runtime API of f and _HANDLER = handler (NULL: unset), its
 * stderr captured for s_check_log. */
static s_child s_spawn(const char *path, const fake_api *f, const char *handler)
{
  s_child child;
  snprintf(child.log_path, sizeof(child.log_path), "/tmp/mynt-rt-child-XXXXXX");
  int fd = mkstemp(child.log_path);
  assert_true(fd >= 0);
  close(fd);
  posix_spawn_file_actions_t actions;
  assert_int_equal(posix_spawn_file_actions_init(&actions), 0);
  assert_int_equal(posix_spawn_file_actions_addopen(&actions, 2, child.log_path, O_WRONLY | O_TRUNC, 0), 0);

  setenv("AWS_LAMBDA_RUNTIME_API", f->endpoint, 1);
  if(handler)
    setenv("_HANDLER", handler, 1);
  else
    unsetenv("_HANDLER");
  char *argv[] = {(char *)path, NULL};
  assert_int_equal(posix_spawn(&child.pid, path, &actions, NULL, argv, environ), 0);
  unsetenv("AWS_LAMBDA_RUNTIME_API");
  unsetenv("_HANDLER");
  posix_spawn_file_actions_destroy(&actions);
  return child;
}

/* Checks the finished child's stderr: no sanitizer report, every line a JSON log line
 * {"time","level","message",...}, and none of the given secrets. Removes the file. */
static void s_check_log(const s_child *child, const char *const *secrets, size_t secret_count)
{
  FILE *in = fopen(child->log_path, "r");
  assert_non_null(in);
  char line[4096];
  while(fgets(line, sizeof(line), in)) {
    if(strstr(line, "Sanitizer") || strstr(line, "runtime error:"))
      fail_msg("sanitizer report in the child's stderr: %s", line);
    json_error_t err;
    json_t *doc = json_loads(line, 0, &err);
    if(!doc)
      fail_msg("not a JSON log line: %s", line);
    assert_non_null(json_string_value(json_object_get(doc, "time")));
    assert_non_null(json_string_value(json_object_get(doc, "level")));
    assert_non_null(json_string_value(json_object_get(doc, "message")));
    json_decref(doc);
    for(size_t i = 0; i < secret_count; i++) {
      if(strstr(line, secrets[i]))
        fail_msg("the log carries \"%s\": %s", secrets[i], line);
    }
  }
  fclose(in);
  unlink(child->log_path);
}

/* Waits for pid to end within timeout_ms; returns its wait status, or kills it and fails. */
static int s_wait_exit(pid_t pid, int64_t timeout_ms)
{
  int64_t until = clock_mono_ms() + timeout_ms;
  int status = 0;
  for(;;) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if(done == pid)
      return status;
    if(clock_mono_ms() >= until) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      fail_msg("process %d did not exit within %lld ms", (int)pid, (long long)timeout_ms);
    }
    clock_sleep_ms(10);
  }
}

static void s_assert_exit_code(int status, int code)
{
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), code);
}

static json_t *s_json(const char *text, size_t len)
{
  json_error_t err;
  json_t *doc = json_loadb(text, len, 0, &err);
  assert_non_null(doc);
  return doc;
}

static char *s_event_text(const char *method, const char *route_key, const char *path)
{
  json_t *event = json_pack("{s:s, s:s, s:s, s:s, s:{}, s:{s:s, s:{s:s, s:s}}, s:b}", "version", "2.0", "routeKey",
                            route_key, "rawPath", path, "rawQueryString", "", "headers", "requestContext", "requestId",
                            "api-1", "http", "method", method, "path", path, "isBase64Encoded", 0);
  assert_non_null(event);
  char *text = json_dumps(event, JSON_COMPACT);
  json_decref(event);
  assert_non_null(text);
  return text;
}

/* Starts a fake Runtime API; fails the test when it cannot. */
static fake_api *s_fake_start(void)
{
  fake_api *f = NULL;
  assert_int_equal(fake_api_new(&f), MYNT_OK);
  return f;
}

/* Queues invocation request_id of a payload-2.0 event (see s_event_text); returns the event's
 * text, which must outlive the fetch (caller frees). */
static char *s_queue_event(fake_api *f, const char *request_id, const char *method, const char *route_key,
                           const char *path)
{
  char *text = s_event_text(method, route_key, path);
  assert_non_null(fake_api_queue(f, request_id, text));
  return text;
}

/* Asserts the process posted one init error of error_type and was never handed an invocation. */
static void s_assert_init_error(fake_api *f, const char *error_type)
{
  assert_int_equal(fake_api_wait_posts(f, 1, 0), 1);
  assert_string_equal(f->posts[0].path, "/2018-06-01/runtime/init/error");
  assert_string_equal(f->posts[0].error_type, error_type);
  assert_int_equal(fake_api_handed(f), 0);
}

static json_t *s_routes_of(const char *binary)
{
  char command[1200];
  snprintf(command, sizeof(command), "'%s' --routes", binary);
  FILE *p = popen(command, "r");
  assert_non_null(p);
  char out[4096];
  size_t n = fread(out, 1, sizeof(out) - 1, p);
  int status = pclose(p);
  s_assert_exit_code(status, 0);
  return s_json(out, n);
}

static json_t *s_find_route(json_t *doc, const char *route_key)
{
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(doc, "routes"), i, row) {
    if(strcmp(json_string_value(json_object_get(row, "route_key")), route_key) == 0)
      return row;
  }
  return NULL;
}

static void test_bootstrap_prints_the_route_table(void **state)
{
  (void)state;
  json_t *doc = s_routes_of(s_binary("MYNT_BOOTSTRAP"));
  json_t *me = s_find_route(doc, "GET /me");
  assert_non_null(me);
  assert_string_equal(json_string_value(json_object_get(me, "group")), "users");
  assert_true(json_is_true(json_object_get(me, "auth")));
  json_t *health = s_find_route(doc, "GET /health");
  assert_non_null(health);
  assert_true(json_is_false(json_object_get(health, "auth")));
  assert_non_null(s_find_route(doc, "$default"));
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(doc, "routes"), i, row)
    assert_int_equal(json_object_size(row), 3);
  json_decref(doc);
}

static void test_bootstrap_serves_health_then_exits_when_the_api_goes_away(void **state)
{
  (void)state;
  fake_api *f = s_fake_start();
  json_t *event = json_pack("{s:s, s:s, s:s, s:{s:s}, s:{s:s, s:{s:s, s:s}}, s:s, s:b}", "version", "2.0", "routeKey",
                            "GET /health", "rawPath", "/health", "headers", "authorization",
                            "Bearer secret-token-value", "requestContext", "requestId", "api-1", "http", "method",
                            "GET", "path", "/health", "body", "secret-body-value", "isBase64Encoded", 0);
  char *text = json_dumps(event, JSON_COMPACT);
  json_decref(event);
  assert_non_null(text);
  assert_non_null(fake_api_queue(f, "req-health", text));
  s_child child = s_spawn(s_binary("MYNT_BOOTSTRAP"), f, "public");
  assert_int_equal(fake_api_wait_posts(f, 1, WAIT_MS), 1);
  /* The fake answers 410 once its queue is empty: the loop gives up and the process exits 1. */
  s_assert_exit_code(s_wait_exit(child.pid, WAIT_MS), 1);
  static const char *const secrets[] = {"secret-token-value", "secret-body-value"};
  s_check_log(&child, secrets, 2);
  assert_string_equal(f->posts[0].path, "/2018-06-01/runtime/invocation/req-health/response");
  json_t *payload = s_json(f->posts[0].body, f->posts[0].body_len);
  assert_int_equal(json_integer_value(json_object_get(payload, "statusCode")), 200);
  json_t *body =
    s_json(json_string_value(json_object_get(payload, "body")), json_string_length(json_object_get(payload, "body")));
  assert_string_equal(json_string_value(json_object_get(body, "status")), "ok");
  json_decref(body);
  json_decref(payload);
  free(text);
  fake_api_free(f);
}

static void test_bootstrap_answers_a_non_http_event_with_an_invocation_error(void **state)
{
  (void)state;
  fake_api *f = s_fake_start();
  assert_non_null(fake_api_queue(f, "req-odd", "{\"source\":\"aws.events\"}"));
  s_child child = s_spawn(s_binary("MYNT_BOOTSTRAP"), f, "public");
  assert_int_equal(fake_api_wait_posts(f, 1, WAIT_MS), 1);
  s_assert_exit_code(s_wait_exit(child.pid, WAIT_MS), 1);
  s_check_log(&child, NULL, 0);
  assert_string_equal(f->posts[0].path, "/2018-06-01/runtime/invocation/req-odd/error");
  assert_string_equal(f->posts[0].error_type, "Function.InvalidEvent");
  fake_api_free(f);
}

static void test_bootstrap_posts_init_error_and_exits_for_an_unknown_handler(void **state)
{
  (void)state;
  fake_api *f = s_fake_start();
  s_child child = s_spawn(s_binary("MYNT_BOOTSTRAP"), f, "budgetz");
  s_assert_exit_code(s_wait_exit(child.pid, WAIT_MS), 1);
  s_check_log(&child, NULL, 0);
  s_assert_init_error(f, "Runtime.UnknownHandler");
  json_t *doc = s_json(f->posts[0].body, f->posts[0].body_len);
  assert_non_null(strstr(json_string_value(json_object_get(doc, "errorMessage")), "budgetz"));
  json_decref(doc);
  fake_api_free(f);
}

/* Starts the bootstrap as `handler` with no AWS configuration in the environment: it posts the init error
 * Runtime.InvalidConfig and exits 1. */
static void s_assert_init_error_without_aws_config(const char *handler)
{
  static const char *const vars[] = {"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                     "AWS_SESSION_TOKEN"};
  for(size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
    unsetenv(vars[i]);
  fake_api *f = s_fake_start();
  s_child child = s_spawn(s_binary("MYNT_BOOTSTRAP"), f, handler);
  s_assert_exit_code(s_wait_exit(child.pid, WAIT_MS), 1);
  s_check_log(&child, NULL, 0);
  s_assert_init_error(f, "Runtime.InvalidConfig");
  fake_api_free(f);
}

static void test_bootstrap_posts_init_error_when_the_users_group_has_no_aws_config(void **state)
{
  (void)state;
  s_assert_init_error_without_aws_config("users");
}

/* _HANDLER=sync is the sync function (no routes): known to the bootstrap, so a missing configuration is the same
 * init error as a route group's, never Runtime.UnknownHandler. */
static void test_bootstrap_posts_init_error_when_the_sync_function_has_no_aws_config(void **state)
{
  (void)state;
  s_assert_init_error_without_aws_config("sync");
}

/* A signed-in payload-2.0 event of route_key for sub (caller frees). */
static char *s_signed_in_event(const char *route_key, const char *method, const char *path, const char *sub)
{
  json_t *event = json_pack("{s:s, s:s, s:s, s:{}, s:{s:s, s:{s:s, s:s}, s:{s:{s:{s:s}}}}, s:b}", "version", "2.0",
                            "routeKey", route_key, "rawPath", path, "headers", "requestContext", "requestId", "api-1",
                            "http", "method", method, "path", path, "authorizer", "jwt", "claims", "sub", sub,
                            "isBase64Encoded", 0);
  char *text = json_dumps(event, JSON_COMPACT);
  json_decref(event);
  assert_non_null(text);
  return text;
}

/* The status code and the body's error code of the answer posted as posts[i]. */
static int s_posted_status(const fake_api *f, size_t i, char *out_code, size_t cap)
{
  json_t *payload = s_json(f->posts[i].body, f->posts[i].body_len);
  int status = (int)json_integer_value(json_object_get(payload, "statusCode"));
  json_t *body =
    s_json(json_string_value(json_object_get(payload, "body")), json_string_length(json_object_get(payload, "body")));
  const char *code = json_string_value(json_object_get(json_object_get(body, "error"), "code"));
  snprintf(out_code, cap, "%s", code ? code : "");
  json_decref(body);
  json_decref(payload);
  return status;
}

/* The items group reads its three SSM SecureStrings (one GetParameters call, moto_server) only when a route needs
 * Plaid: with the keyring and the client id stored and the secret not, the process still starts and answers GET
 * /items; POST /link/token answers 503 and the log names the missing parameter; neither an answer nor the log holds
 * a value it read. A MYNT_SSM_PREFIX that is not a path is still an init error: it needs no network to know. */
static void test_items_group_reads_ssm_on_first_use_and_names_the_one_missing_parameter(void **state)
{
  (void)state;
  if(!moto_fixture_export_env("mynt-runtime-processes"))
    skip();
  aws_config cfg;
  assert_int_equal(moto_fixture_config(&cfg), 1);
  ssm_client *ssm = NULL;
  assert_int_equal(ssm_client_new(&cfg, &ssm), MYNT_OK);
  ddb_client *ddb = NULL;
  assert_int_equal(ddb_client_new(&cfg, &ddb), MYNT_OK);
  char table[96];
  moto_fixture_unique_name(table, sizeof(table), "mynt-processes");
  moto_fixture_create_table(ddb, table);
  setenv("MYNT_TABLE", table, 1);
  char prefix[96];
  moto_fixture_unique_name(prefix + 1, sizeof(prefix) - 1, "mynt-init");
  prefix[0] = '/';
  static const char *const stored[][2] = {{"/token-keys", "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},
                                          {"/plaid/client-id", "client-id-in-ssm-0123"}};
  for(size_t i = 0; i < 2; i++) {
    char name[160];
    snprintf(name, sizeof(name), "%s%s", prefix, stored[i][0]);
    json_t *put = json_pack("{s:s, s:s, s:s}", "Name", name, "Value", stored[i][1], "Type", "SecureString");
    json_t *answer = NULL;
    assert_int_equal(ssm_call(ssm, "PutParameter", put, clock_epoch_ms() + 10000, &answer, NULL), MYNT_OK);
    json_decref(answer);
    json_decref(put);
  }
  ssm_client_free(ssm);
  setenv("MYNT_SSM_PREFIX", prefix, 1);
  setenv("MYNT_SYNC_FUNCTION", "mynt-sync", 1);
  setenv("PLAID_ENV", "sandbox", 1);
  fake_api *f = s_fake_start();
  char *list = s_signed_in_event("GET /items", "GET", "/items", "user-processes");
  char *link = s_signed_in_event("POST /link/token", "POST", "/link/token", "user-processes");
  assert_non_null(fake_api_queue(f, "req-list", list));
  assert_non_null(fake_api_queue(f, "req-link", link));
  s_child child = s_spawn(s_binary("MYNT_BOOTSTRAP"), f, "items");
  assert_int_equal(fake_api_wait_posts(f, 2, WAIT_MS), 2);
  s_assert_exit_code(s_wait_exit(child.pid, WAIT_MS), 1);

  /* The log is read before s_check_log removes it: the missing parameter is named there. */
  FILE *in = fopen(child.log_path, "r");
  assert_non_null(in);
  char text[16384];
  size_t n = fread(text, 1, sizeof(text) - 1, in);
  text[n] = '\0';
  fclose(in);
  char expected[160];
  snprintf(expected, sizeof(expected), "SSM parameter %s/plaid/secret: not found", prefix);
  assert_non_null(strstr(text, expected));
  static const char *const secrets[] = {"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "client-id-in-ssm-0123"};
  s_check_log(&child, secrets, 2);

  char code[64];
  assert_string_equal(f->posts[0].path, "/2018-06-01/runtime/invocation/req-list/response");
  assert_int_equal(s_posted_status(f, 0, code, sizeof(code)), 200);
  assert_string_equal(f->posts[1].path, "/2018-06-01/runtime/invocation/req-link/response");
  assert_int_equal(s_posted_status(f, 1, code, sizeof(code)), 503);
  assert_string_equal(code, "service_unavailable");
  for(size_t p = 0; p < 2; p++)
    for(size_t i = 0; i < 2; i++)
      assert_null(strstr(f->posts[p].body, secrets[i]));
  fake_api_free(f);
  free(list);
  free(link);

  setenv("MYNT_SSM_PREFIX", "mynt-without-a-slash", 1);
  f = s_fake_start();
  child = s_spawn(s_binary("MYNT_BOOTSTRAP"), f, "items");
  s_assert_exit_code(s_wait_exit(child.pid, WAIT_MS), 1);
  s_check_log(&child, NULL, 0);
  s_assert_init_error(f, "Runtime.InvalidConfig");
  assert_non_null(strstr(f->posts[0].body, "MYNT_SSM_PREFIX"));
  fake_api_free(f);

  unsetenv("MYNT_SSM_PREFIX");
  assert_int_equal(moto_fixture_delete_table(ddb, table), MYNT_OK);
  ddb_client_free(ddb);
  static const char *const vars[] = {"MYNT_SYNC_FUNCTION", "PLAID_ENV",         "MYNT_AWS_ENDPOINT",
                                     "MYNT_TABLE",         "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                     "AWS_SESSION_TOKEN",  "AWS_REGION"};
  for(size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
    unsetenv(vars[i]);
}

static void test_fault_bootstrap_lists_its_routes(void **state)
{
  (void)state;
  json_t *doc = s_routes_of(s_binary("MYNT_FAULT_BOOTSTRAP"));
  static const char *const keys[] = {"GET /fault/crash", "GET /fault/hang", "GET /fault/error", "GET /fault/ok"};
  for(size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    json_t *row = s_find_route(doc, keys[i]);
    assert_non_null(row);
    assert_string_equal(json_string_value(json_object_get(row, "group")), "fault");
  }
  json_decref(doc);
}

static void test_fault_bootstrap_ok_answers_200_and_error_fails_the_invocation(void **state)
{
  (void)state;
  fake_api *f = s_fake_start();
  char *ok = s_queue_event(f, "req-ok", "GET", "GET /fault/ok", "/fault/ok");
  char *error = s_queue_event(f, "req-error", "GET", "GET /fault/error", "/fault/error");
  char *missing = s_queue_event(f, "req-missing", "GET", "$default", "/fault/none");
  s_child child = s_spawn(s_binary("MYNT_FAULT_BOOTSTRAP"), f, NULL);
  assert_int_equal(fake_api_wait_posts(f, 3, WAIT_MS), 3);
  s_assert_exit_code(s_wait_exit(child.pid, WAIT_MS), 1);
  s_check_log(&child, NULL, 0);

  assert_string_equal(f->posts[0].path, "/2018-06-01/runtime/invocation/req-ok/response");
  json_t *payload = s_json(f->posts[0].body, f->posts[0].body_len);
  assert_int_equal(json_integer_value(json_object_get(payload, "statusCode")), 200);
  assert_string_equal(json_string_value(json_object_get(payload, "body")), "{\"ok\":true}");
  json_decref(payload);

  assert_string_equal(f->posts[1].path, "/2018-06-01/runtime/invocation/req-error/error");
  assert_string_equal(f->posts[1].error_type, "Function.FaultInjected");

  payload = s_json(f->posts[2].body, f->posts[2].body_len);
  assert_int_equal(json_integer_value(json_object_get(payload, "statusCode")), 404);
  json_decref(payload);
  free(ok);
  free(error);
  free(missing);
  fake_api_free(f);
}

/* Queues GET /fault/<fault> (request id req-<fault>) on f and starts fault_bootstrap against it. *out_event is the
 * queued event's text, for the caller to free. */
static s_child s_spawn_fault(fake_api *f, const char *fault, char **out_event)
{
  char request_id[32], route_key[48], path[40];
  snprintf(request_id, sizeof request_id, "req-%s", fault);
  snprintf(path, sizeof path, "/fault/%s", fault);
  snprintf(route_key, sizeof route_key, "GET %s", path);
  *out_event = s_queue_event(f, request_id, "GET", route_key, path);
  return s_spawn(s_binary("MYNT_FAULT_BOOTSTRAP"), f, NULL);
}

static void test_fault_bootstrap_crash_dies_by_abort_without_answering(void **state)
{
  (void)state;
  fake_api *f = s_fake_start();
  char *crash = NULL;
  s_child child = s_spawn_fault(f, "crash", &crash);
  int status = s_wait_exit(child.pid, WAIT_MS);
  if(!WIFSIGNALED(status)) {
    char text[4096] = "";
    FILE *in = fopen(child.log_path, "r");
    if(in) {
      text[fread(text, 1, sizeof(text) - 1, in)] = '\0';
      fclose(in);
    }
    fail_msg("fault_bootstrap exited %d (not by a signal) after %zu invocation(s) handed out; its log: %s",
             WIFEXITED(status) ? WEXITSTATUS(status) : -1, fake_api_handed(f), text);
  }
  assert_int_equal(WTERMSIG(status), SIGABRT);
  s_check_log(&child, NULL, 0);
  assert_int_equal(fake_api_handed(f), 1);
  assert_int_equal(fake_api_wait_posts(f, 1, 0), 0);
  free(crash);
  fake_api_free(f);
}

static void test_fault_bootstrap_hang_never_answers(void **state)
{
  (void)state;
  fake_api *f = s_fake_start();
  char *hang = NULL;
  s_child child = s_spawn_fault(f, "hang", &hang);
  int64_t until = clock_mono_ms() + WAIT_MS;
  while(fake_api_handed(f) < 1 && clock_mono_ms() < until)
    clock_sleep_ms(10);
  assert_int_equal(fake_api_handed(f), 1);
  assert_int_equal(fake_api_wait_posts(f, 1, 500), 0);
  int status = 0;
  assert_int_equal(waitpid(child.pid, &status, WNOHANG), 0);
  kill(child.pid, SIGKILL);
  assert_int_equal(waitpid(child.pid, &status, 0), child.pid);
  assert_true(WIFSIGNALED(status));
  s_check_log(&child, NULL, 0);
  free(hang);
  fake_api_free(f);
}

/* The two functions of the bootstrap that answer AWS's own events (handlers/presignup.h, handlers/costguard.h),
 * each with its clients pointed at a faithful fake by the environment, as mynt-local and Lambda start them. */
#define S_PRESIGNUP_EVENT(user, email)                                                                                 \
  "{\"version\":\"1\",\"triggerSource\":\"PreSignUp_ExternalProvider\",\"region\":\"us-east-1\",\"userPoolId\":"       \
  "\"" FAKE_COGNITO_POOL_ID "\",\"userName\":\"" user                                                                  \
  "\",\"callerContext\":{\"awsSdkVersion\":\"aws-sdk-unknown-unknown\","                                               \
  "\"clientId\":\"client-1\"},\"request\":{\"userAttributes\":{\"email\":\"" email "\",\"email_verified\":\"true\"},"  \
  "\"validationData\":null},\"response\":{\"autoConfirmUser\":false,\"autoVerifyEmail\":false,\"autoVerifyPhone\":"    \
  "false}}"

/* Runs the presignup function on event (a literal) with the Runtime API f; returns its one post, checked for a
 * clean JSON log without the address. */
static const fake_post *s_presignup_once(fake_api *f, const char *request_id, const char *event)
{
  assert_non_null(fake_api_queue(f, request_id, event));
  s_child child = s_spawn(s_binary("MYNT_BOOTSTRAP"), f, "presignup");
  assert_int_equal(fake_api_wait_posts(f, 1, WAIT_MS), 1);
  s_assert_exit_code(s_wait_exit(child.pid, WAIT_MS), 1);
  static const char *const personal[] = {"ann@example.com"};
  s_check_log(&child, personal, 1);
  return &f->posts[0];
}

static void test_bootstrap_presignup_links_through_cognito_and_fails_the_sign_up_when_it_is_down(void **state)
{
  (void)state;
  fake_cognito *cognito = fake_cognito_start();
  fake_cognito_add_user(cognito, "u-ann", "CONFIRMED", "ann@example.com", "true");
  aws_config cfg;
  fake_aws_config(&cognito->aws, &cfg);
  request_check_export(&cfg);
  setenv("MYNT_COGNITO_ENDPOINT", cfg.endpoint, 1);
  static const char linked[] = S_PRESIGNUP_EVENT("Google_1001", "ann@example.com");
  fake_api *f = s_fake_start();
  const fake_post *post = s_presignup_once(f, "req-link", linked);
  /* Linked, and the event answered back as Cognito expects it. */
  assert_string_equal(post->path, "/2018-06-01/runtime/invocation/req-link/response");
  json_t *answer = s_json(post->body, post->body_len);
  json_t *event = s_json(linked, strlen(linked));
  assert_true(json_equal(answer, event));
  json_decref(answer);
  json_decref(event);
  json_t *links = fake_cognito_links(cognito);
  assert_int_equal(json_array_size(links), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(links, 0), "destination")), "u-ann");
  json_decref(links);
  fake_api_free(f);
  /* Cognito down: an invocation error, so Cognito refuses the sign-up instead of making a second user. */
  fake_cognito_fail(cognito, "ListUsers", -1, 500, "InternalErrorException");
  f = s_fake_start();
  post = s_presignup_once(f, "req-down", S_PRESIGNUP_EVENT("Google_1002", "ann@example.com"));
  assert_string_equal(post->path, "/2018-06-01/runtime/invocation/req-down/error");
  json_t *error = s_json(post->body, post->body_len);
  assert_null(strstr(json_string_value(json_object_get(error, "errorMessage")), "@"));
  json_decref(error);
  assert_true(cognito->list_calls > 2);
  fake_api_free(f);
  fake_cognito_finish(cognito);
  unsetenv("MYNT_COGNITO_ENDPOINT");
}

static void test_bootstrap_costguard_throttles_the_stage_on_an_alert(void **state)
{
  (void)state;
  json_t *stage = json_pack("{s:s, s:{s:I, s:f}, s:{s:{s:I, s:f}}}", "stageName", "$default", "defaultRouteSettings",
                            "throttlingBurstLimit", (json_int_t)100, "throttlingRateLimit", 50.0, "routeSettings",
                            "POST /items", "throttlingBurstLimit", (json_int_t)10, "throttlingRateLimit", 5.0);
  fake_apigateway *apigw = fake_apigateway_start(stage, json_pack("[s]", "POST /items"));
  aws_config cfg;
  fake_aws_config(&apigw->aws, &cfg);
  request_check_export(&cfg);
  setenv("MYNT_APIGATEWAY_ENDPOINT", cfg.endpoint, 1);
  setenv("MYNT_HTTP_API_ID", FAKE_APIGATEWAY_API_ID, 1);
  fake_api *f = s_fake_start();
  static const char alert[] = "{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"Type\":\"Notification\","
                              "\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:mynt-cost\",\"Message\":"
                              "\"AWS Budget Notification\"}}]}";
  assert_non_null(fake_api_queue(f, "req-alert", alert));
  s_child child = s_spawn(s_binary("MYNT_BOOTSTRAP"), f, "costguard");
  assert_int_equal(fake_api_wait_posts(f, 1, WAIT_MS), 1);
  s_assert_exit_code(s_wait_exit(child.pid, WAIT_MS), 1);
  s_check_log(&child, NULL, 0);
  assert_string_equal(f->posts[0].path, "/2018-06-01/runtime/invocation/req-alert/response");
  json_t *answer = s_json(f->posts[0].body, f->posts[0].body_len);
  assert_true(json_is_true(json_object_get(answer, "changed")));
  json_decref(answer);
  json_t *now = fake_apigateway_stage(apigw);
  json_t *route = json_object_get(json_object_get(now, "routeSettings"), "POST /items");
  assert_int_equal(json_integer_value(json_object_get(route, "throttlingBurstLimit")), 1);
  assert_true(json_number_value(json_object_get(route, "throttlingRateLimit")) == 1.0);
  json_decref(now);
  fake_api_free(f);
  /* Without the API's id the function cannot start: an init error, not a guard that silently does nothing. */
  unsetenv("MYNT_HTTP_API_ID");
  f = s_fake_start();
  child = s_spawn(s_binary("MYNT_BOOTSTRAP"), f, "costguard");
  s_assert_exit_code(s_wait_exit(child.pid, WAIT_MS), 1);
  s_check_log(&child, NULL, 0);
  s_assert_init_error(f, "Runtime.InvalidConfig");
  fake_api_free(f);
  fake_apigateway_finish(apigw);
  unsetenv("MYNT_APIGATEWAY_ENDPOINT");
}

UNIT_MAIN("runtime_processes", NULL, NULL,
          {
            cmocka_unit_test(test_bootstrap_prints_the_route_table),
            cmocka_unit_test(test_bootstrap_serves_health_then_exits_when_the_api_goes_away),
            cmocka_unit_test(test_bootstrap_answers_a_non_http_event_with_an_invocation_error),
            cmocka_unit_test(test_bootstrap_posts_init_error_and_exits_for_an_unknown_handler),
            cmocka_unit_test(test_bootstrap_posts_init_error_when_the_users_group_has_no_aws_config),
            cmocka_unit_test(test_bootstrap_posts_init_error_when_the_sync_function_has_no_aws_config),
            cmocka_unit_test(test_items_group_reads_ssm_on_first_use_and_names_the_one_missing_parameter),
            cmocka_unit_test(test_fault_bootstrap_lists_its_routes),
            cmocka_unit_test(test_fault_bootstrap_ok_answers_200_and_error_fails_the_invocation),
            cmocka_unit_test(test_fault_bootstrap_crash_dies_by_abort_without_answering),
            cmocka_unit_test(test_fault_bootstrap_hang_never_answers),
            cmocka_unit_test(test_bootstrap_presignup_links_through_cognito_and_fails_the_sign_up_when_it_is_down),
            cmocka_unit_test(test_bootstrap_costguard_throttles_the_stage_on_an_alert),
          })
