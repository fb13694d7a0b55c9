/* test_local_faults.c - mynt-local as a process, running fault_bootstrap: crashes, hangs, errors,
 * the JWT authorizer, size limits, static files and shutdown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "support/jwt_forge.h"
#include "support/unit_main.h"

#define ISSUER "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"
#define CLIENT "test-client"
/* FaultFunction's timeout. It covers a cold start too (the first request after a crash or a
 * timeout starts a new ASan-built bootstrap), which takes seconds on a loaded 2-core runner. */
#define TIMEOUT_S 5

extern char **environ;

static char s_dir[PATH_MAX];         /* temporary directory of this run */
static pid_t s_local_pid;            /* mynt-local */
static int s_port;                   /* its port */
static EVP_PKEY *s_key;              /* the user pool's signing key, kid "k1" */
static jwt_forge_jwks_server s_jwks; /* serves the pool's JWKS */

/* ---- helpers: files, keys, HTTP ----------------------------------------------------- */

static void s_write(const char *rel, const char *text)
{
  char path[PATH_MAX + 64];
  snprintf(path, sizeof(path), "%s/%s", s_dir, rel);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* Returns a token signed by the pool's key, valid for an hour, for audience aud. */
static char *s_token(const char *aud)
{
  char claims[512];
  long long now = (long long)(clock_epoch_ms() / 1000);
  snprintf(claims, sizeof(claims),
           "{\"sub\":\"user-1\",\"iss\":\"%s\",\"aud\":\"%s\",\"token_use\":\"id\",\"iat\":%lld,"
           "\"exp\":%lld}",
           ISSUER, aud, now, now + 3600);
  return jwt_forge_sign(s_key, "{\"alg\":\"RS256\",\"kid\":\"k1\"}", claims);
}

typedef struct {
  long status;
  mynt_buf body;
  double seconds;
  char allow[128];
  char csp[1024];     /* Content-Security-Policy, "" when absent */
  char security[512]; /* "nosniff|no-referrer|<HSTS>|DENY" from the other security headers */
} s_reply;

static size_t s_on_body(char *data, size_t size, size_t n, void *userp)
{
  return buf_append(userp, data, size * n) == MYNT_OK ? size * n : 0;
}

/* Returns the value of the answer's header name on curl, "" when it has none. */
static const char *s_header_value(CURL *curl, const char *name)
{
  struct curl_header *h = NULL;
  return curl_easy_header(curl, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK ? h->value : "";
}

/* Performs one request against mynt-local; method NULL = GET; host NULL = curl's own Host header
 * (127.0.0.1:port). Returns curl's result (asserts nothing, so a thread other than the test's may call it). */
static CURLcode s_http_perform_as(const char *method, const char *path, const char *authorization,
                                  const char *content_type, const char *body, size_t body_len, const char *host,
                                  s_reply *out)
{
  memset(out, 0, sizeof(*out));
  buf_init(&out->body, 8u << 20);
  char url[512];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s_port, path);
  CURL *curl = curl_easy_init();
  struct curl_slist *headers = NULL;
  char line[8192];
  if(authorization) {
    snprintf(line, sizeof(line), "Authorization: %s", authorization);
    headers = curl_slist_append(headers, line);
  }
  if(content_type) {
    snprintf(line, sizeof(line), "Content-Type: %s", content_type);
    headers = curl_slist_append(headers, line);
  }
  if(host) {
    snprintf(line, sizeof(line), "Host: %s", host);
    headers = curl_slist_append(headers, line);
  }
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out->body);
  if(method && strcmp(method, "HEAD") == 0)
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  else if(method)
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  if(body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
  }
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
  curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &out->seconds);
  struct curl_header *allow = NULL;
  if(curl_easy_header(curl, "allow", 0, CURLH_HEADER, -1, &allow) == CURLHE_OK)
    snprintf(out->allow, sizeof(out->allow), "%s", allow->value);
  snprintf(out->csp, sizeof(out->csp), "%s", s_header_value(curl, "content-security-policy"));
  snprintf(out->security, sizeof(out->security), "%s|%s|%s|%s", s_header_value(curl, "x-content-type-options"),
           s_header_value(curl, "referrer-policy"), s_header_value(curl, "strict-transport-security"),
           s_header_value(curl, "x-frame-options"));
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return rc;
}

static CURLcode s_http_perform(const char *method, const char *path, const char *authorization,
                               const char *content_type, const char *body, size_t body_len, s_reply *out)
{
  return s_http_perform_as(method, path, authorization, content_type, body, body_len, NULL, out);
}

/* As s_http_perform, failing the test when the request gets no answer. */
static void s_http(const char *method, const char *path, const char *authorization, const char *content_type,
                   const char *body, size_t body_len, s_reply *out)
{
  assert_int_equal(s_http_perform(method, path, authorization, content_type, body, body_len, out), CURLE_OK);
}

static void s_get(const char *path, s_reply *out)
{
  s_http(NULL, path, NULL, NULL, NULL, 0, out);
}

/* GETs path and asserts the answer's status and, when body is not NULL, its body. Returns the
 * seconds the exchange took. */
static double s_expect(const char *path, long status, const char *body)
{
  s_reply r;
  s_get(path, &r);
  assert_int_equal(r.status, status);
  if(body)
    assert_string_equal(buf_cstr(&r.body), body);
  buf_free(&r.body);
  return r.seconds;
}

/* GETs /fault/private (a jwt route) with a bearer token for audience aud. */
static void s_get_private_as(const char *aud, s_reply *out)
{
  char *token = s_token(aud);
  char bearer[8192];
  snprintf(bearer, sizeof(bearer), "Bearer %s", token);
  s_http(NULL, "/fault/private", bearer, NULL, NULL, 0, out);
  free(token);
}

/* Returns the pids whose parent is ppid (at most max). */
static size_t s_children(pid_t ppid, pid_t *out, size_t max)
{
  size_t n = 0;
  DIR *d = opendir("/proc");
  struct dirent *e;
  while(d && (e = readdir(d)) && n < max) {
    char path[300], stat[512];
    snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
    FILE *f = fopen(path, "r");
    if(!f)
      continue;
    size_t len = fread(stat, 1, sizeof(stat) - 1, f);
    fclose(f);
    stat[len] = '\0';
    const char *close_paren = strrchr(stat, ')');
    int pid = atoi(e->d_name), parent = 0;
    char state;
    if(close_paren && sscanf(close_paren + 1, " %c %d", &state, &parent) == 2 && parent == ppid && state != 'Z')
      out[n++] = pid;
  }
  if(d)
    closedir(d);
  return n;
}

/* ---- set-up: keys, JWKS server, files, mynt-local ----------------------------------- */

static int s_setup(void **state)
{
  (void)state;
  const char *local_bin = getenv("MYNT_LOCAL");
  const char *fault = getenv("MYNT_FAULT_BOOTSTRAP");
  if(!local_bin || !fault) {
    fprintf(stderr, "MYNT_LOCAL and MYNT_FAULT_BOOTSTRAP must name the executables\n");
    return -1;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  s_key = EVP_RSA_gen(2048);
  if(!s_key)
    return -1;
  jwt_forge_jwks_start(&s_jwks, json_pack("{s:[o]}", "keys", jwt_forge_jwk(s_key, "k1")));
  int jwks_port = s_jwks.port;

  snprintf(s_dir, sizeof(s_dir), "/tmp/mynt-local-faults-XXXXXX");
  if(!mkdtemp(s_dir))
    return -1;
  char path[PATH_MAX + 64];
  snprintf(path, sizeof(path), "%s/web", s_dir);
  mkdir(path, 0755);
  s_write("web/index.html", "<h1>mynt</h1>");
  s_write("secret.txt", "secret");
  s_write("config.json", "{\"apiBase\":\"\"}");
  char routes[4096];
  snprintf(routes, sizeof(routes),
           "{\"region\":\"us-east-1\","
           "\"authorizer\":{\"issuer\":\"%s\",\"audiences\":[\"%s\"],"
           "\"jwks_url\":\"http://127.0.0.1:%d/pool/.well-known/jwks.json\"},"
           "\"functions\":[{\"name\":\"FaultFunction\",\"handler\":\"fault\",\"timeout_s\":%d,"
           "\"memory_mb\":128,\"environment\":{\"MYNT_LOG_LEVEL\":\"warn\"},"
           "\"routes\":[{\"route_key\":\"GET /fault/ok\",\"auth\":\"none\"},"
           "{\"route_key\":\"GET /fault/crash\",\"auth\":\"none\"},"
           "{\"route_key\":\"GET /fault/hang\",\"auth\":\"none\"},"
           "{\"route_key\":\"GET /fault/error\",\"auth\":\"none\"},"
           "{\"route_key\":\"POST /fault/ok\",\"auth\":\"none\"},"
           "{\"route_key\":\"GET /fault/{kind}\",\"auth\":\"jwt\"}]},"
           "{\"name\":\"OtherFunction\",\"handler\":\"fault\",\"timeout_s\":%d,"
           "\"routes\":[{\"route_key\":\"GET /other/ok\",\"auth\":\"none\"}]}]}",
           ISSUER, CLIENT, jwks_port, TIMEOUT_S, TIMEOUT_S);
  s_write("routes.json", routes);

  int out[2];
  if(pipe(out) != 0)
    return -1;
  char routes_path[PATH_MAX + 64], web[PATH_MAX + 64], config[PATH_MAX + 64];
  snprintf(routes_path, sizeof(routes_path), "%s/routes.json", s_dir);
  snprintf(web, sizeof(web), "%s/web", s_dir);
  snprintf(config, sizeof(config), "%s/config.json", s_dir);
  char *argv[] = {(char *)local_bin, "--routes", routes_path, "--bootstrap", (char *)fault, "--web", web,
                  "--config-json",   config,     "--port",    "0",           NULL};
  pid_t parent = getpid();
  s_local_pid = fork();
  if(s_local_pid == 0) {
    /* Should this process die without its tear-down (a crash, ctest's timeout), mynt-local
     * gets SIGTERM and stops its bootstraps instead of serving on, orphaned. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if(getppid() != parent)
      _exit(127);
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execve(local_bin, argv, environ);
    _exit(127);
  }
  close(out[1]);
  if(s_local_pid < 0)
    return -1;
  char line[256];
  size_t len = 0;
  int64_t deadline = clock_mono_ms() + 20000;
  while(len < sizeof(line) - 1 && !memchr(line, '\n', len) && clock_mono_ms() < deadline) {
    struct pollfd p = {.fd = out[0], .events = POLLIN};
    if(poll(&p, 1, 500) <= 0)
      continue;
    ssize_t got = read(out[0], line + len, sizeof(line) - 1 - len);
    if(got <= 0)
      break;
    len += (size_t)got;
  }
  close(out[0]);
  line[len] = '\0';
  const char *prefix = "mynt-local listening on http://127.0.0.1:";
  if(strncmp(line, prefix, strlen(prefix)) != 0) {
    fprintf(stderr, "mynt-local did not start: \"%s\"\n", line);
    return -1;
  }
  s_port = atoi(line + strlen(prefix));
  return s_port > 0 ? 0 : -1;
}

static int s_teardown(void **state)
{
  (void)state;
  if(s_local_pid > 0) {
    kill(s_local_pid, SIGKILL);
    waitpid(s_local_pid, NULL, 0);
  }
  const char *rel[] = {"web/index.html", "web", "secret.txt", "config.json", "routes.json", ""};
  for(size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", s_dir, rel[i]);
    remove(path);
  }
  jwt_forge_jwks_stop(&s_jwks);
  EVP_PKEY_free(s_key);
  curl_global_cleanup();
  return 0;
}

/* ---- the tests ---------------------------------------------------------------------- */

#define S_OK_BODY        "{\"ok\":true}"
#define S_INTERNAL_BODY  "{\"message\":\"Internal Server Error\"}"
#define S_NOT_FOUND_BODY "{\"message\":\"Not Found\"}"

/* GETs in order and API Gateway's answer to each: a function that fails is answered for and
 * respawned, so the next request finds it working. */
static const struct {
  const char *path;
  long status;
  const char *body;
} s_exchanges[] = {
  /* a warm bootstrap answers again */
  {"/fault/ok", 200, S_OK_BODY},
  {"/fault/ok", 200, S_OK_BODY},
  /* a crashing bootstrap is a 502, then it respawns */
  {"/fault/crash", 502, S_INTERNAL_BODY},
  {"/fault/ok", 200, S_OK_BODY},
  /* an invocation error is a 500 */
  {"/fault/error", 500, S_INTERNAL_BODY},
  {"/fault/ok", 200, S_OK_BODY},
  /* no route and no $default route: 404 */
  {"/nothing/here", 404, S_NOT_FOUND_BODY},
  {"/fault/ok/deeper", 404, S_NOT_FOUND_BODY},
};

static void test_local_answers_crashes_errors_and_unknown_routes_as_api_gateway_does(void **state)
{
  (void)state;
  for(size_t i = 0; i < sizeof(s_exchanges) / sizeof(s_exchanges[0]); i++)
    s_expect(s_exchanges[i].path, s_exchanges[i].status, s_exchanges[i].body);
}

static void test_local_answers_504_after_the_timeout_then_respawns(void **state)
{
  (void)state;
  double seconds = s_expect("/fault/hang", 504, "{\"message\":\"Endpoint request timed out\"}");
  assert_true(seconds >= TIMEOUT_S - 0.2);
  assert_true(seconds < TIMEOUT_S + 3.0);
  s_expect("/fault/ok", 200, S_OK_BODY);
}

/* A GET /fault/hang running on its own thread. Static: a failed assertion in the test must not
 * leave the thread writing into a stack frame that is gone. */
static struct {
  int64_t start_ms; /* monotonic, before the request was sent */
  CURLcode rc;
  s_reply reply;
} s_hang;

static void *s_hang_in_background(void *arg)
{
  (void)arg;
  s_hang.rc = s_http_perform(NULL, "/fault/hang", NULL, NULL, NULL, 0, &s_hang.reply);
  return NULL;
}

static void test_local_queues_requests_to_a_busy_function_but_not_to_others(void **state)
{
  (void)state;
  /* OtherFunction's process starts warm, so its answer below measures the routing alone */
  s_expect("/other/ok", 404, NULL);
  s_reply other, ok;
  pthread_t t;
  s_hang.start_ms = clock_mono_ms();
  assert_int_equal(pthread_create(&t, NULL, s_hang_in_background, NULL), 0);
  clock_sleep_ms(1000);
  /* another function answers while the hang holds FaultFunction (fault_bootstrap knows no
   * "GET /other/ok": its 404); queued behind it, it could not answer before the timeout */
  s_get("/other/ok", &other);
  int64_t other_done_ms = clock_mono_ms();
  /* the busy function serves the next request only once the hanging one has timed out */
  s_get("/fault/ok", &ok);
  int64_t ok_done_ms = clock_mono_ms();
  pthread_join(t, NULL);
  assert_int_equal(s_hang.rc, CURLE_OK);
  assert_int_equal(s_hang.reply.status, 504);
  assert_int_equal(other.status, 404);
  assert_non_null(strstr(buf_cstr(&other.body), "not_found"));
  assert_true(other_done_ms < s_hang.start_ms + TIMEOUT_S * 1000);
  assert_int_equal(ok.status, 200);
  assert_true(ok_done_ms >= s_hang.start_ms + TIMEOUT_S * 1000);
  buf_free(&s_hang.reply.body);
  buf_free(&other.body);
  buf_free(&ok.body);
}

static void test_local_requires_a_valid_jwt_on_jwt_routes(void **state)
{
  (void)state;
  s_expect("/fault/private", 401, "{\"message\":\"Unauthorized\"}");
  s_reply r;
  s_get_private_as("someone-else", &r);
  assert_int_equal(r.status, 401);
  buf_free(&r.body);
  /* with a valid token the function is invoked: fault_bootstrap has no such route and
   * answers its own 404, not API Gateway's */
  s_get_private_as(CLIENT, &r);
  assert_int_equal(r.status, 404);
  assert_non_null(strstr(buf_cstr(&r.body), "not_found"));
  buf_free(&r.body);
}

static void test_local_refuses_bodies_over_6_mb_and_passes_smaller_ones(void **state)
{
  (void)state;
  size_t big = 6u * 1024 * 1024 + 1;
  char *body = malloc(big);
  memset(body, 'x', big);
  s_reply r;
  s_http("POST", "/fault/ok", NULL, "application/octet-stream", body, big, &r);
  assert_int_equal(r.status, 413);
  assert_string_equal(buf_cstr(&r.body), "{\"message\":\"Request Entity Too Large\"}");
  buf_free(&r.body);
  /* 1 MB of binary reaches the function (base64 in the event), which enforces its own
   * 64 KiB limit: its 413 has its own error shape, not API Gateway's message */
  s_http("POST", "/fault/ok", NULL, "application/octet-stream", body, 1024 * 1024, &r);
  assert_int_equal(r.status, 413);
  assert_non_null(strstr(buf_cstr(&r.body), "payload_too_large"));
  buf_free(&r.body);
  /* a small body reaches it too; fault_bootstrap serves the path only for GET: 405 */
  s_http("POST", "/fault/ok", NULL, "application/octet-stream", body, 1024, &r);
  assert_int_equal(r.status, 405);
  assert_string_equal(r.allow, "GET");
  buf_free(&r.body);
  free(body);
}

#define S_CSP                                                                                                          \
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "                \
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
#define S_SECURITY "nosniff|no-referrer|max-age=63072000; includeSubDomains|DENY"

static void test_local_serves_static_files_with_the_security_headers(void **state)
{
  (void)state;
  const char *paths[] = {"/", "/index.html", "/config.json"};
  for(size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
    s_reply r;
    s_get(paths[i], &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.csp, S_CSP);
    assert_string_equal(r.security, S_SECURITY);
    buf_free(&r.body);
  }
}

static void test_local_answers_421_to_a_host_that_is_not_loopback(void **state)
{
  (void)state;
  char host[64];
  snprintf(host, sizeof(host), "rebound.example:%d", s_port);
  const char *paths[] = {"/", "/config.json", "/fault/ok", "/2015-03-31/functions/FaultFunction/invocations"};
  for(size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
    s_reply r;
    assert_int_equal(
      s_http_perform_as(i == 3 ? "POST" : NULL, paths[i], NULL, NULL, i == 3 ? "{}" : NULL, i == 3 ? 2 : 0, host, &r),
      CURLE_OK);
    assert_int_equal(r.status, 421);
    assert_string_equal(buf_cstr(&r.body), "{\"message\":\"Misdirected Request\"}");
    buf_free(&r.body);
  }
  /* the same requests by a loopback name are served */
  snprintf(host, sizeof(host), "localhost:%d", s_port);
  s_reply r;
  assert_int_equal(s_http_perform_as(NULL, "/fault/ok", NULL, NULL, NULL, 0, host, &r), CURLE_OK);
  assert_int_equal(r.status, 200);
  buf_free(&r.body);
}

static void test_local_serves_the_web_app_and_config_json(void **state)
{
  (void)state;
  s_expect("/", 200, "<h1>mynt</h1>");
  s_expect("/index.html", 200, "<h1>mynt</h1>");
  s_expect("/config.json", 200, "{\"apiBase\":\"\"}");
  s_expect("/../secret.txt", 404, S_NOT_FOUND_BODY);
  s_expect("/%2e%2e/secret.txt", 404, S_NOT_FOUND_BODY);
  s_reply r;
  s_http("HEAD", "/index.html", NULL, NULL, NULL, 0, &r);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.body.len, 0);
  buf_free(&r.body);
}

static void test_local_stops_on_sigterm_killing_its_bootstraps(void **state)
{
  (void)state;
  s_expect("/fault/ok", 200, S_OK_BODY);
  pid_t children[8];
  size_t n = s_children(s_local_pid, children, 8);
  assert_int_equal(n, 2); /* FaultFunction's and OtherFunction's bootstraps */
  assert_int_equal(kill(s_local_pid, SIGTERM), 0);
  int status = 0;
  pid_t done = 0;
  for(int i = 0; i < 100 && done == 0; i++) {
    done = waitpid(s_local_pid, &status, WNOHANG);
    if(done == 0)
      clock_sleep_ms(100);
  }
  assert_int_equal(done, s_local_pid);
  s_local_pid = 0;
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  for(size_t c = 0; c < n; c++) {
    int gone = 0;
    for(int i = 0; i < 50 && !gone; i++) {
      gone = kill(children[c], 0) != 0 && errno == ESRCH;
      if(!gone)
        clock_sleep_ms(100);
    }
    assert_true(gone);
  }
}

UNIT_MAIN("local_faults", s_setup, s_teardown,
          {
            cmocka_unit_test(test_local_answers_crashes_errors_and_unknown_routes_as_api_gateway_does),
            cmocka_unit_test(test_local_answers_504_after_the_timeout_then_respawns),
            cmocka_unit_test(test_local_queues_requests_to_a_busy_function_but_not_to_others),
            cmocka_unit_test(test_local_requires_a_valid_jwt_on_jwt_routes),
            cmocka_unit_test(test_local_refuses_bodies_over_6_mb_and_passes_smaller_ones),
            cmocka_unit_test(test_local_serves_the_web_app_and_config_json),
            cmocka_unit_test(test_local_serves_static_files_with_the_security_headers),
            cmocka_unit_test(test_local_answers_421_to_a_host_that_is_not_loopback),
            cmocka_unit_test(test_local_stops_on_sigterm_killing_its_bootstraps),
          })
