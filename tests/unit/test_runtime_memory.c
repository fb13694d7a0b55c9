/* test_runtime_memory.c - the real bootstrap serves thousands of invocations from a loopback Runtime API with resident memory flat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/clock.h"
#include "support/apigw_forge.h"
#include "support/moto_store.h"
#include "support/script_server.h"
#include "support/unit_main.h"

extern char **environ;

#define S_ROUTES_MAX 3
#define S_SLOTS      4
/* Resident memory may grow by this much between the end of the warm-up and the last invocation: about 170
 * bytes kept per invocation over the public run's 3000 (a block kept and still reachable, which LeakSanitizer does
 * not report).
 * Measured: release build +0..4 kB, ASan build (1 MB quarantine) +0..40 kB once warm. */
#define S_RSS_GROWTH_MAX_KB 512L
/* How long one run may take, at the most (the test's own bound; ctest's TIMEOUT is above it). Measured: 5000
 * public invocations 1-2.5 s; 2000 store-backed ones about 7 s on a quiet machine, and 3000 of them made the whole
 * test take 45 s inside a parallel `make test`, hence 2000. */
#define S_RUN_MS 50000

/* The Runtime API: hands out total invocations cycling over the events, checks each answer, samples the
 * bootstrap's VmRSS when it asks for invocation `warmup` and when it asks for one more than total. */
typedef struct {
  pthread_mutex_t lock;
  const char *events[S_ROUTES_MAX];
  int expect_status[S_ROUTES_MAX];
  size_t routes;
  size_t total;
  size_t warmup;
  size_t handed;
  size_t answered;
  size_t wrong;
  char first_wrong[300];
  pid_t pid;
  long rss_warm_kb;
  long rss_end_kb;
  /* The header values of the invocations in flight (the server copies them after the handler returns). */
  char request_id[S_SLOTS][32];
  char deadline[S_SLOTS][24];
} s_api;

/* The VmRSS of pid in kB, or -1. */
static long s_rss_kb(pid_t pid)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *in = fopen(path, "r");
  if(!in)
    return -1;
  char line[256];
  long kb = -1;
  while(fgets(line, sizeof line, in)) {
    if(sscanf(line, "VmRSS: %ld kB", &kb) == 1)
      break;
  }
  fclose(in);
  return kb;
}

static void s_wrong(s_api *api, const char *what, const char *url)
{
  if(!api->wrong++)
    snprintf(api->first_wrong, sizeof api->first_wrong, "%s: %s", what, url);
}

static void s_next(s_api *api, script_reply *out)
{
  pthread_mutex_lock(&api->lock);
  if(api->handed == api->warmup)
    api->rss_warm_kb = s_rss_kb(api->pid);
  if(api->handed >= api->total) {
    if(api->rss_end_kb == 0)
      api->rss_end_kb = s_rss_kb(api->pid);
    pthread_mutex_unlock(&api->lock);
    *out = (script_reply){.status = 410, .content_type = "application/json", .body = "{\"errorType\":\"Gone\"}"};
    return;
  }
  size_t i = api->handed++;
  size_t slot = i % S_SLOTS;
  snprintf(api->request_id[slot], sizeof api->request_id[slot], "mem-%zu", i);
  snprintf(api->deadline[slot], sizeof api->deadline[slot], "%lld", (long long)(clock_epoch_ms() + 10000));
  *out = (script_reply){
    .status = 200,
    .content_type = "application/json",
    .headers = {{"Lambda-Runtime-Aws-Request-Id", api->request_id[slot]},
                {"Lambda-Runtime-Deadline-Ms", api->deadline[slot]},
                {"Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:mynt-memory"}},
    .body = api->events[i % api->routes],
  };
  pthread_mutex_unlock(&api->lock);
}

/* POST .../invocation/mem-<i>/response: a payload-2.0 answer with the status route i answers. */
static void s_post(s_api *api, const script_request *req, script_reply *out)
{
  *out = (script_reply){.status = 202, .content_type = "application/json", .body = "{\"status\":\"OK\"}"};
  size_t i = 0;
  int used = 0;
  json_error_t err;
  json_t *payload = json_loadb(req->body, req->body_len, 0, &err);
  pthread_mutex_lock(&api->lock);
  if(sscanf(req->url, "/2018-06-01/runtime/invocation/mem-%zu/response%n", &i, &used) != 1 || req->url[used] != '\0' ||
     i >= api->handed)
    s_wrong(api, "not the response of an invocation handed out", req->url);
  else if(!payload || json_integer_value(json_object_get(payload, "statusCode")) != api->expect_status[i % api->routes])
    s_wrong(api, "not the expected status", req->url);
  api->answered++;
  pthread_mutex_unlock(&api->lock);
  json_decref(payload);
}

static void s_handle(void *ctx, const script_request *req, script_reply *out)
{
  s_api *api = ctx;
  if(strcmp(req->method, "GET") == 0 && strcmp(req->url, "/2018-06-01/runtime/invocation/next") == 0)
    s_next(api, out);
  else if(strcmp(req->method, "POST") == 0 && strncmp(req->url, "/2018-06-01/runtime/invocation/", 31) == 0)
    s_post(api, req, out);
  else {
    pthread_mutex_lock(&api->lock);
    s_wrong(api, "a request the Runtime API does not serve", req->url);
    pthread_mutex_unlock(&api->lock);
    *out = (script_reply){.status = 404, .body = "{}"};
  }
}

static char *s_event_text(json_t *event)
{
  assert_non_null(event);
  char *text = json_dumps(event, JSON_COMPACT);
  json_decref(event);
  assert_non_null(text);
  return text;
}

/* Runs the bootstrap as handler group against api (its events set), waits for it to exit, and checks it
 * answered every invocation as expected without a sanitizer report and within the memory bound. */
static void s_run(s_api *api, const char *handler)
{
  const char *bootstrap = getenv("MYNT_BOOTSTRAP");
  assert_non_null(bootstrap);
  pthread_mutex_init(&api->lock, NULL);
  script_server *srv = NULL;
  assert_int_equal(script_server_new(s_handle, api, &srv), MYNT_OK);

  char log_path[] = "/tmp/mynt-memory-XXXXXX";
  int fd = mkstemp(log_path);
  assert_true(fd >= 0);
  close(fd);
  posix_spawn_file_actions_t actions;
  assert_int_equal(posix_spawn_file_actions_init(&actions), 0);
  assert_int_equal(posix_spawn_file_actions_addopen(&actions, 2, log_path, O_WRONLY | O_TRUNC, 0), 0);
  char endpoint[64];
  snprintf(endpoint, sizeof endpoint, "127.0.0.1:%u", (unsigned)script_server_port(srv));
  setenv("AWS_LAMBDA_RUNTIME_API", endpoint, 1);
  setenv("_HANDLER", handler, 1);
  setenv("MYNT_LOG_LEVEL", "warn", 1);
  /* ASan builds: leaks are reported at exit; a small quarantine lets freed memory be reused, so resident
   * memory measures what the process keeps rather than ASan's delay in handing memory back. */
  const char *asan = getenv("ASAN_OPTIONS");
  char options[512];
  snprintf(options, sizeof options, "%s%sdetect_leaks=1:quarantine_size_mb=1", asan ? asan : "", asan ? ":" : "");
  setenv("ASAN_OPTIONS", options, 1);
  char *argv[] = {(char *)bootstrap, NULL};
  pthread_mutex_lock(&api->lock);
  int spawned = posix_spawn(&api->pid, bootstrap, &actions, NULL, argv, environ);
  pthread_mutex_unlock(&api->lock);
  if(asan)
    setenv("ASAN_OPTIONS", asan, 1);
  else
    unsetenv("ASAN_OPTIONS");
  unsetenv("AWS_LAMBDA_RUNTIME_API");
  unsetenv("_HANDLER");
  unsetenv("MYNT_LOG_LEVEL");
  posix_spawn_file_actions_destroy(&actions);
  assert_int_equal(spawned, 0);

  int64_t started = clock_mono_ms();
  int status = 0;
  for(;;) {
    if(waitpid(api->pid, &status, WNOHANG) == api->pid)
      break;
    if(clock_mono_ms() - started > S_RUN_MS) {
      kill(api->pid, SIGKILL);
      waitpid(api->pid, &status, 0);
      fail_msg("the bootstrap did not finish %zu invocations within %d ms (%zu answered)", api->total, S_RUN_MS,
               api->answered);
    }
    clock_sleep_ms(20);
  }
  int64_t took = clock_mono_ms() - started;
  script_server_free(srv);

  FILE *in = fopen(log_path, "r");
  assert_non_null(in);
  char line[4096];
  while(fgets(line, sizeof line, in)) {
    if(strstr(line, "Sanitizer") || strstr(line, "runtime error:"))
      fail_msg("sanitizer report in the bootstrap's stderr: %s", line);
  }
  fclose(in);
  unlink(log_path);

  /* The Runtime API's 410 after the last invocation ends the loop: the process exits 1. */
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 1);
  if(api->wrong)
    fail_msg("%zu wrong requests, the first: %s", api->wrong, api->first_wrong);
  assert_int_equal(api->answered, api->total);
  assert_true(api->rss_warm_kb > 0);
  assert_true(api->rss_end_kb > 0);
  long growth = api->rss_end_kb - api->rss_warm_kb;
  print_message("%s: %zu invocations in %lld ms, VmRSS %ld kB after %zu, %ld kB at the end (%+ld kB)\n", handler,
                api->total, (long long)took, api->rss_warm_kb, api->warmup, api->rss_end_kb, growth);
  if(growth > S_RSS_GROWTH_MAX_KB)
    fail_msg("resident memory grew by %ld kB over %zu invocations (at most %ld kB)", growth, api->total - api->warmup,
             S_RSS_GROWTH_MAX_KB);
  pthread_mutex_destroy(&api->lock);
}

static void test_bootstrap_serves_5000_public_invocations_with_resident_memory_flat(void **state)
{
  (void)state;
  char *health = s_event_text(apigw_forge_event_new(
    &(apigw_forge_event){.method = "GET", .route_key = "GET /health", .path = "/health", .request_id = "api-health"}));
  char *unknown = s_event_text(apigw_forge_event_new(&(apigw_forge_event){
    .method = "GET", .route_key = "$default", .path = "/no/such/route", .request_id = "api-default"}));
  s_api api = {
    .events = {health, unknown, health}, .expect_status = {200, 404, 200}, .routes = 3, .total = 5000, .warmup = 2000};
  s_run(&api, "public");
  free(health);
  free(unknown);
}

/* GET /me reads (and on a user's first call writes) the profile in DynamoDB (moto_server): the store's
 * client, SigV4 signing and libcurl's connection are exercised on every invocation. */
static void test_bootstrap_serves_2000_store_invocations_with_resident_memory_flat(void **state)
{
  (void)state;
  store *db = NULL;
  int *marker = moto_store_state_new(sizeof *marker, "mynt-memory", &db);
  if(!marker)
    skip();
  char *me = s_event_text(apigw_forge_event_new(&(apigw_forge_event){
    .method = "GET", .route_key = "GET /me", .path = "/me", .request_id = "api-me", .sub = "user-memory-1"}));
  char *me_email = s_event_text(apigw_forge_event_new(&(apigw_forge_event){.method = "GET",
                                                                           .route_key = "GET /me",
                                                                           .path = "/me",
                                                                           .request_id = "api-me-2",
                                                                           .sub = "user-memory-2",
                                                                           .email = "memory@example.com"}));
  char *anonymous = s_event_text(apigw_forge_event_new(
    &(apigw_forge_event){.method = "GET", .route_key = "GET /me", .path = "/me", .request_id = "api-me-3"}));
  s_api api = {
    .events = {me, me_email, anonymous}, .expect_status = {200, 200, 401}, .routes = 3, .total = 2000, .warmup = 800};
  s_run(&api, "users");
  free(me);
  free(me_email);
  free(anonymous);
  moto_store_free(db);
  free(marker);
}

UNIT_MAIN("runtime_memory", NULL, NULL,
          {
            cmocka_unit_test(test_bootstrap_serves_5000_public_invocations_with_resident_memory_flat),
            cmocka_unit_test(test_bootstrap_serves_2000_store_invocations_with_resident_memory_flat),
          })
