/* gateway.c - the local API Gateway (routes, JWT authorizer, events, static web app), Lambda's Invoke API and schedules. */
#include "local/gateway/gateway.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/b64.h"
#include "core/buf.h"
#include "core/clock.h"
#include "local/common/http_server.h"
#include "local/gateway/async_queue.h"
#include "local/gateway/authorizer.h"
#include "local/gateway/event.h"
#include "local/gateway/function.h"
#include "local/gateway/hosted_ui.h"
#include "local/gateway/invoke.h"
#include "local/gateway/jwt.h"
#include "local/gateway/response.h"
#include "local/gateway/routes.h"
#include "local/gateway/schedule.h"
#include "local/gateway/static_files.h"
#include "local/gateway/web_headers.h"

/* How long a cached JWKS is trusted before an unknown kid may trigger a refetch. */
#define S_JWKS_REFETCH_MS 10000
#define S_CONFIG_JSON_MAX (256u * 1024)
#define S_MAX_HEADERS     200
/* Longest request path passed on; longer ones are answered 414. */
#define S_MAX_PATH 8192
/* Asynchronous events queued per function (Lambda's queue is far larger; this one is local). */
#define S_ASYNC_CAPACITY  256
#define S_ASYNC_MAX_BYTES (64u * 1024 * 1024)
/* Delay before the first retry of a failed asynchronous run (Lambda waits about a minute). */
#define S_ASYNC_RETRY_DELAY_MS 500
/* POST /_local/drain waits at most this long. */
#define S_DRAIN_TIMEOUT_MS   30000
#define S_LOCAL_HOOKS_PREFIX "/_local/"

struct gateway {
  const local_config *config;
  char *web_root; /* realpath of the web root, or NULL */
  char *config_json;
  char *csp;                        /* the Content-Security-Policy of every static answer */
  const static_files_mount *mounts; /* borrowed from the options */
  size_t n_mounts;
  function **functions; /* one per config function, same order */
  authorizer *auth;
  http_server *server;
  async_queue *async;          /* asynchronous invocations, one lane per function */
  const char **function_names; /* the functions' logical ids, for the queue's log lines */
  schedule_runner *schedules;  /* fires the config's schedules at their rate */
  atomic_bool ready;           /* the functions' environment knows the gateway's port */
  hosted_ui *ui;               /* the hosted-UI stand-in; NULL when the config has none */
};

/* Collects the request headers in arrival order. */
typedef struct {
  event_header items[S_MAX_HEADERS];
  size_t count;
} s_headers;

/* ---- answering -------------------------------------------------------------------- */

static void s_random_id(char *out, size_t size)
{
  unsigned char raw[10];
  if(getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
    memset(raw, 0, sizeof(raw));
  mynt_buf b;
  buf_init(&b, 64);
  if(b64_std_encode_buf(raw, sizeof(raw), &b) == MYNT_OK)
    snprintf(out, size, "%s", buf_cstr(&b));
  else
    snprintf(out, size, "%" PRId64, clock_mono_ms());
  buf_free(&b);
}

static bool s_hop_by_hop(const char *name)
{
  return strcasecmp(name, "content-length") == 0 || strcasecmp(name, "transfer-encoding") == 0 ||
         strcasecmp(name, "connection") == 0 || strcasecmp(name, "keep-alive") == 0;
}

/* Queues r on the connection. Returns MHD's verdict. */
static enum MHD_Result s_send(struct MHD_Connection *c, const response_http *r, const char *request_id)
{
  struct MHD_Response *mr = MHD_create_response_from_buffer(r->body.len, r->body.ptr, MHD_RESPMEM_MUST_COPY);
  if(!mr)
    return MHD_NO;
  for(size_t i = 0; i < r->n_headers; i++)
    if(!s_hop_by_hop(r->headers[i].name))
      MHD_add_response_header(mr, r->headers[i].name, r->headers[i].value);
  if(request_id)
    MHD_add_response_header(mr, "Apigw-Requestid", request_id);
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, mr);
  MHD_destroy_response(mr);
  return ok;
}

static enum MHD_Result s_send_message(struct MHD_Connection *c, int status, const char *message, const char *request_id)
{
  response_http r;
  response_init(&r);
  enum MHD_Result ok = MHD_NO;
  if(response_message(&r, status, message) == MYNT_OK)
    ok = s_send(c, &r, request_id);
  response_free(&r);
  return ok;
}

static void s_access_log(const char *method, const char *raw_path, int status, int64_t start_ms)
{
  char path[256];
  size_t n = 0;
  for(const char *p = raw_path; *p && n + 1 < sizeof(path); p++)
    path[n++] = (*p > 0x20 && *p < 0x7f) ? *p : '?';
  path[n] = '\0';
  fprintf(stderr, "mynt-local: %s %s %d %" PRId64 "ms\n", method, path, status, clock_mono_ms() - start_ms);
}

/* ---- static files ----------------------------------------------------------------- */

/* Serves /config.json, a file of the mount whose prefix the path starts with, or a web app
 * file. Returns true and sets *out_status when it
 * answered (or failed to), false when there is no such file. */
static bool s_try_static(gateway *g, struct MHD_Connection *c, const char *raw_path, int *out_status,
                         enum MHD_Result *out_ok)
{
  int fd = -1;
  off_t size = 0;
  const char *type = NULL;
  if(g->config_json && strcmp(raw_path, "/config.json") == 0) {
    fd = open(g->config_json, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if(fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > S_CONFIG_JSON_MAX)) {
      close(fd);
      fd = -1;
    }
    size = fd >= 0 ? sb.st_size : 0;
    type = "application/json";
  }
  else {
    bool mounted = false;
    for(size_t i = 0; i < g->n_mounts && !mounted; i++) {
      if(strncmp(raw_path, g->mounts[i].prefix, strlen(g->mounts[i].prefix)) != 0)
        continue;
      mounted = true;
      if(static_files_mount_open(&g->mounts[i], raw_path, &fd, &size, &type) != MYNT_OK)
        fd = -1;
    }
    if(!mounted && g->web_root && static_files_open(g->web_root, raw_path, &fd, &size, &type) != MYNT_OK)
      fd = -1;
  }
  if(fd < 0)
    return false;
  struct MHD_Response *mr = MHD_create_response_from_fd((size_t)size, fd);
  if(!mr) {
    close(fd);
    *out_status = 500;
    *out_ok = MHD_NO;
    return true;
  }
  MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  if(!web_headers_add(mr, g->csp)) { /* a page without its CSP is not served */
    MHD_destroy_response(mr);
    *out_status = 500;
    *out_ok = MHD_NO;
    return true;
  }
  *out_ok = MHD_queue_response(c, MHD_HTTP_OK, mr);
  MHD_destroy_response(mr);
  *out_status = 200;
  return true;
}

/* ---- the function path ------------------------------------------------------------ */

static enum MHD_Result s_collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  (void)kind;
  s_headers *h = cls;
  if(h->count < S_MAX_HEADERS && key) {
    h->items[h->count].name = key;
    h->items[h->count].value = value ? value : "";
    h->count++;
  }
  return MHD_YES;
}

static bool s_has_header(const s_headers *h, const char *name)
{
  for(size_t i = 0; i < h->count; i++)
    if(strcasecmp(h->items[i].name, name) == 0)
      return true;
  return false;
}

static void s_source_ip(struct MHD_Connection *c, char *out, size_t size)
{
  snprintf(out, size, "127.0.0.1");
  const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if(info && info->client_addr && info->client_addr->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)info->client_addr;
    inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)size);
  }
}

/* Returns the port the connection arrived on (the gateway's, known only once it listens). */
static int s_local_port(struct MHD_Connection *c)
{
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_DAEMON);
  const union MHD_DaemonInfo *di = ci ? MHD_get_daemon_info(ci->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
  return di ? di->port : 0;
}

/* Maps the outcome of an invocation to API Gateway's answer in r. */
static void s_result_to_response(mynt_status st, const mynt_buf *payload, response_http *r)
{
  if(st == MYNT_OK) {
    st = response_from_payload(buf_cstr(payload), payload->len, r);
    if(st == MYNT_UPSTREAM)
      fprintf(stderr, "mynt-local: the function's response is not a valid payload-2.0 answer\n");
  }
  if(st == MYNT_OK)
    return;
  static const struct {
    mynt_status st;
    int http;
    const char *message;
  } answers[] = {
    {MYNT_TIMEOUT, 504, "Endpoint request timed out"}, {MYNT_THROTTLED, 504, "Endpoint request timed out"},
    {MYNT_UPSTREAM, 502, "Internal Server Error"},     {MYNT_UNAVAILABLE, 503, "Service Unavailable"},
    {MYNT_TOO_LARGE, 413, "Request Entity Too Large"},
  };
  for(size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
    if(answers[i].st == st) {
      response_message(r, answers[i].http, answers[i].message);
      return;
    }
  }
  response_message(r, 500, "Internal Server Error");
}

/* Authorizes (for JWT routes), builds the event, invokes the function and answers. */
static enum MHD_Result s_invoke_route(gateway *g, struct MHD_Connection *c, const http_server_request *req,
                                      const char *method, const char *version, const char *raw_path,
                                      const char *raw_query, const routes_match *m, int *out_status)
{
  char request_id[32];
  s_random_id(request_id, sizeof(request_id));
  json_t *claims = NULL, *event_claims = NULL, *scopes = NULL, *event = NULL;
  char *event_text = NULL;
  mynt_buf payload;
  buf_init(&payload, FUNCTION_MAX_PAYLOAD);
  response_http r;
  response_init(&r);
  mynt_status st = MYNT_OK;

  if(m->route->auth == ROUTES_AUTH_JWT) {
    const char *authz = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    st = g->auth ? authorizer_check(g->auth, authz, &claims) : MYNT_UNAUTHORIZED;
    if(st == MYNT_OK)
      st = jwt_claims_for_event(claims, &event_claims, &scopes);
    if(st) {
      if(st == MYNT_UNAUTHORIZED)
        response_message(&r, 401, "Unauthorized");
      else
        response_message(&r, 500, "Internal Server Error");
      goto answer;
    }
  }

  s_headers headers;
  headers.count = 0;
  MHD_get_connection_values(c, MHD_HEADER_KIND, s_collect_header, &headers);
  char source_ip[INET_ADDRSTRLEN + 1];
  s_source_ip(c, source_ip, sizeof(source_ip));
  char port[16];
  snprintf(port, sizeof(port), "%d", s_local_port(c));
  const char *forwarded[][2] = {
    {"X-Forwarded-For", source_ip}, {"X-Forwarded-Port", port}, {"X-Forwarded-Proto", "http"}};
  for(size_t i = 0; i < 3 && headers.count < S_MAX_HEADERS; i++)
    if(!s_has_header(&headers, forwarded[i][0]))
      s_collect_header(&headers, MHD_HEADER_KIND, forwarded[i][0], forwarded[i][1]);

  event_request er = {
    .method = method,
    .raw_path = raw_path,
    .raw_query = raw_query,
    .headers = headers.items,
    .n_headers = headers.count,
    .body = req->body,
    .body_len = req->body_len,
    .source_ip = source_ip,
    .protocol = version && *version ? version : "HTTP/1.1",
    .route_key = m->route->key,
    .params = m->params,
    .n_params = m->n_params,
    .claims = event_claims,
    .scopes = scopes,
    .request_id = request_id,
    .time_epoch_ms = clock_epoch_ms(),
  };
  event = event_build(&er);
  event_text = event ? json_dumps(event, JSON_COMPACT) : NULL;
  if(!event_text) {
    response_message(&r, 500, "Internal Server Error");
    goto answer;
  }
  st = function_invoke(g->functions[m->route->function], event_text, strlen(event_text), &payload);
  s_result_to_response(st, &payload, &r);
answer:
  *out_status = r.status;
  enum MHD_Result ok = s_send(c, &r, request_id);
  response_free(&r);
  buf_free(&payload);
  free(event_text);
  json_decref(event);
  json_decref(scopes);
  json_decref(event_claims);
  json_decref(claims);
  return ok;
}

/* ---- Lambda's Invoke API and the local hooks --------------------------------------- */

/* Queues a raw answer: status, JSON (or empty) body and header pairs (NULL-terminated). */
static enum MHD_Result s_send_raw(struct MHD_Connection *c, int status, const char *body, size_t len,
                                  const char *const *headers)
{
  return http_server_reply(c, (unsigned)status, body, len, len ? "application/json" : NULL, headers);
}

/* Answers Lambda's error err (x-amzn-ErrorType and {"Type","message"}). */
static enum MHD_Result s_send_lambda_error(struct MHD_Connection *c, const invoke_error *err, const char *request_id,
                                           int *out_status)
{
  char *body = invoke_error_body(err);
  const char *headers[] = {"x-amzn-ErrorType", err->error_type, "x-amzn-RequestId", request_id, NULL};
  *out_status = err->status;
  enum MHD_Result ok = s_send_raw(c, err->status, body ? body : "{}", body ? strlen(body) : 2, headers);
  free(body);
  return ok;
}

/* A synchronous Invoke: 200 with the payload, or 200 with X-Amz-Function-Error and Lambda's
 * error document when the function failed, as Lambda answers. */
static enum MHD_Result s_invoke_sync(gateway *g, struct MHD_Connection *c, size_t index, const char *event, size_t len,
                                     const char *request_id, int *out_status)
{
  mynt_buf payload;
  buf_init(&payload, FUNCTION_MAX_PAYLOAD);
  mynt_status st = function_invoke(g->functions[index], event, len, &payload);
  const local_config_function *cfg = &g->config->functions[index];
  const char *body = buf_cstr(&payload);
  size_t body_len = payload.len;
  bool function_error = st != MYNT_OK;
  enum MHD_Result ok;
  if(st == MYNT_THROTTLED || st == MYNT_UNAVAILABLE || st == MYNT_NOMEM) {
    invoke_error err = {.status = st == MYNT_THROTTLED ? 429 : 503,
                        .error_type = st == MYNT_THROTTLED ? "TooManyRequestsException" : "ServiceException"};
    snprintf(err.message, sizeof(err.message), "%s", st == MYNT_THROTTLED ? "Rate Exceeded." : mynt_strerror(st));
    ok = s_send_lambda_error(c, &err, request_id, out_status);
    buf_free(&payload);
    return ok;
  }
  char *fallback = NULL;
  if(function_error && (st != MYNT_INTERNAL || !payload.len)) {
    /* No error document from the function (it timed out, crashed or failed to start): Lambda's own. */
    char message[96];
    if(st == MYNT_TIMEOUT)
      snprintf(message, sizeof(message), "Task timed out after %d.00 seconds", cfg->timeout_s);
    else
      snprintf(message, sizeof(message), "%s", mynt_strerror(st));
    const char *type = st == MYNT_TIMEOUT    ? "Sandbox.Timedout"
                       : st == MYNT_INTERNAL ? "Unhandled"
                                             : "Runtime.ExitError";
    json_t *doc = json_pack("{s:s, s:s}", "errorType", type, "errorMessage", message);
    fallback = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    body = fallback ? fallback : "{}";
    body_len = strlen(body);
  }
  const char *headers[] = {"X-Amz-Executed-Version",
                           "$LATEST",
                           "x-amzn-RequestId",
                           request_id,
                           function_error ? "X-Amz-Function-Error" : NULL,
                           "Unhandled",
                           NULL};
  *out_status = 200;
  ok = s_send_raw(c, 200, body, body_len, headers);
  free(fallback);
  buf_free(&payload);
  return ok;
}

/* POST /2015-03-31/functions/{FunctionName}/invocations, validated like Lambda (invoke.h). */
static enum MHD_Result s_serve_invoke(gateway *g, struct MHD_Connection *c, const http_server_request *req,
                                      const char *raw_path, int *out_status)
{
  char request_id[40];
  s_random_id(request_id, sizeof(request_id));
  invoke_request ir = {
    .method = req->method,
    .raw_path = raw_path,
    .invocation_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Invocation-Type"),
    .authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
    .amz_date = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Date"),
    .body = req->body,
    .body_len = req->body_len,
    .body_too_large = req->body_too_large,
  };
  size_t index;
  invoke_type type;
  invoke_error err;
  if(invoke_check(g->config, &ir, &index, &type, &err))
    return s_send_lambda_error(c, &err, request_id, out_status);
  const char *event = req->body_len ? req->body : "{}";
  size_t len = req->body_len ? req->body_len : 2;
  const char *headers[] = {"x-amzn-RequestId", request_id, NULL};
  if(type == INVOKE_DRY_RUN) {
    *out_status = 204;
    return s_send_raw(c, 204, "", 0, headers);
  }
  if(type == INVOKE_REQUEST_RESPONSE)
    return s_invoke_sync(g, c, index, event, len, request_id, out_status);
  mynt_status st = async_queue_push(g->async, index, event, len);
  if(st) {
    err.status = st == MYNT_THROTTLED ? 429 : 503;
    err.error_type = st == MYNT_THROTTLED ? "TooManyRequestsException" : "ServiceException";
    snprintf(err.message, sizeof(err.message), "%s",
             st == MYNT_THROTTLED ? "Rate Exceeded: the function's local event queue is full" : mynt_strerror(st));
    return s_send_lambda_error(c, &err, request_id, out_status);
  }
  *out_status = 202;
  return s_send_raw(c, 202, "", 0, headers);
}

/* Queues schedule i's input for its target; logs the outcome. */
static void s_fire_schedule(void *ctx, size_t i)
{
  gateway *g = ctx;
  const local_config_schedule *s = &g->config->schedules[i];
  mynt_status st = async_queue_push(g->async, s->target, s->input, strlen(s->input));
  fprintf(stderr, "mynt-local: schedule %s fired at %s%s%s\n", s->name, g->config->functions[s->target].name,
          st ? ": " : "", st ? mynt_strerror(st) : "");
}

static enum MHD_Result s_send_json_text(struct MHD_Connection *c, int status, const char *json, int *out_status)
{
  *out_status = status;
  return s_send_raw(c, status, json, strlen(json), NULL);
}

/* POST /_local/schedules/{LogicalId} fires a schedule now (202); POST /_local/drain waits until
 * no asynchronous invocation is queued or running (200 {"idle":true}, 504 after 30 s). */
static enum MHD_Result s_serve_local_hook(gateway *g, struct MHD_Connection *c, const http_server_request *req,
                                          const char *raw_path, int *out_status)
{
  const char *rest = raw_path + strlen(S_LOCAL_HOOKS_PREFIX);
  bool is_schedule = strncmp(rest, "schedules/", 10) == 0 && rest[10] && !strchr(rest + 10, '/');
  bool is_drain = strcmp(rest, "drain") == 0;
  if(!is_schedule && !is_drain)
    return s_send_json_text(c, 404, "{\"message\":\"Not Found\"}", out_status);
  if(strcmp(req->method, "POST") != 0)
    return s_send_json_text(c, 405, "{\"message\":\"Method Not Allowed\"}", out_status);
  if(is_drain) {
    bool idle = async_queue_drain(g->async, S_DRAIN_TIMEOUT_MS);
    return s_send_json_text(c, idle ? 200 : 504, idle ? "{\"idle\":true}" : "{\"idle\":false}", out_status);
  }
  const char *name = rest + 10;
  for(size_t i = 0; i < g->config->n_schedules; i++) {
    if(strcmp(g->config->schedules[i].name, name) == 0) {
      s_fire_schedule(g, i);
      return s_send_json_text(c, 202, "{\"fired\":true}", out_status);
    }
  }
  return s_send_json_text(c, 404, "{\"message\":\"No such schedule\"}", out_status);
}

/* The asynchronous queue's runner: one event on the function's warm process. */
static mynt_status s_async_invoke(void *ctx, size_t index, const char *event, size_t len)
{
  gateway *g = ctx;
  mynt_buf payload;
  buf_init(&payload, FUNCTION_MAX_PAYLOAD);
  mynt_status st = function_invoke(g->functions[index], event, len, &payload);
  buf_free(&payload);
  return st;
}

/* ---- the hosted-UI stand-in ------------------------------------------------------ */

/* hosted_ui_backend.presignup: the Pre sign-up function, on its warm process like any invocation. */
static mynt_status s_ui_presignup(void *ctx, const char *event, mynt_buf *out_payload)
{
  gateway *g = ctx;
  return function_invoke(g->functions[g->config->hosted_ui.presignup], event, strlen(event), out_payload);
}

static size_t s_on_curl_body(char *data, size_t size, size_t n, void *userp)
{
  return buf_append(userp, data, size * n) == MYNT_OK ? size * n : 0;
}

/* hosted_ui_backend.cognito: one cognito-idp call to the pool's endpoint (moto, which checks no signature: the
 * Authorization only has the form every cognito-idp request has). */
static mynt_status s_ui_cognito(void *ctx, const char *action, const char *body, long *out_http, mynt_buf *out_body)
{
  gateway *g = ctx;
  *out_http = 0;
  char target[128], authz[256], url[1024];
  snprintf(target, sizeof(target), "X-Amz-Target: AWSCognitoIdentityProviderService.%s", action);
  snprintf(authz, sizeof(authz),
           "Authorization: AWS4-HMAC-SHA256 Credential=AKIDLOCALMYNT/20260101/%s/cognito-idp/aws4_request, "
           "SignedHeaders=content-type;host;x-amz-target, Signature=0",
           g->config->region);
  snprintf(url, sizeof(url), "%s/", g->config->hosted_ui.cognito_endpoint);
  CURL *curl = curl_easy_init();
  struct curl_slist *headers = NULL;
  const char *lines[] = {"Content-Type: application/x-amz-json-1.1", target, authz};
  for(size_t i = 0; i < 3; i++) {
    struct curl_slist *next = curl_slist_append(headers, lines[i]);
    if(!next) {
      curl_slist_free_all(headers);
      curl_easy_cleanup(curl);
      return MYNT_NOMEM;
    }
    headers = next;
  }
  mynt_status st = MYNT_NOMEM;
  if(curl) {
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_on_curl_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, out_body);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, out_http);
    st = rc == CURLE_OK ? MYNT_OK : MYNT_IO;
    if(rc != CURLE_OK)
      fprintf(stderr, "mynt-local: cognito-idp %s at the pool's endpoint failed: %s\n", action, curl_easy_strerror(rc));
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return st;
}

/* Answers a hosted-UI path or a cognito-idp call. */
static enum MHD_Result s_serve_hosted_ui(gateway *g, struct MHD_Connection *c, const http_server_request *req,
                                         const char *raw_path, const char *raw_query, bool cognito, int *out_status)
{
  hosted_ui_request hr = {
    .method = req->method,
    .path = raw_path,
    .query = raw_query,
    .content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"),
    .body = req->body,
    .body_len = req->body_len,
    .authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
    .target = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Target"),
    .cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie"),
    .now_ms = clock_epoch_ms(),
  };
  response_http r;
  response_init(&r);
  mynt_status st = cognito ? hosted_ui_cognito(g->ui, &hr, &r) : hosted_ui_handle(g->ui, &hr, &r);
  if(st)
    response_message(&r, 500, "Internal Server Error");
  *out_status = r.status;
  enum MHD_Result ok = s_send(c, &r, NULL);
  response_free(&r);
  return ok;
}

/* ---- the server's callbacks ------------------------------------------------------ */

/* Copies the path part of raw_uri into raw_path (size bytes) and points *out_query at the
 * query ("" when none). Returns false when the path is empty or does not fit. */
static bool s_split_uri(const char *raw_uri, char *raw_path, size_t size, const char **out_query)
{
  const char *query = strchr(raw_uri, '?');
  size_t path_len = query ? (size_t)(query - raw_uri) : strlen(raw_uri);
  if(path_len == 0 || path_len >= size)
    return false;
  memcpy(raw_path, raw_uri, path_len);
  raw_path[path_len] = '\0';
  *out_query = query ? query + 1 : "";
  return true;
}

/* Returns true when the declared Content-Length already exceeds the limit. */
static bool s_declared_too_large(struct MHD_Connection *c)
{
  const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if(!cl)
    return false;
  errno = 0;
  char *end = NULL;
  unsigned long long n = strtoull(cl, &end, 10);
  return errno == 0 && end != cl && n > GATEWAY_MAX_BODY;
}

static enum MHD_Result s_add_header_bytes(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  (void)kind;
  size_t *total = cls;
  *total += (key ? strlen(key) : 0) + 2 + (value ? strlen(value) : 0);
  return MHD_YES;
}

/* Returns true when req's request line and headers together pass GATEWAY_MAX_HEADER_BYTES. */
static bool s_headers_too_large(struct MHD_Connection *c, const http_server_request *req)
{
  size_t total = strlen(req->method) + 1 + strlen(req->raw_uri) + 1 + strlen(req->version);
  MHD_get_connection_values(c, MHD_HEADER_KIND, s_add_header_bytes, &total);
  return total > GATEWAY_MAX_HEADER_BYTES;
}

/* Answers 414 for a path too long, 431 for API requests whose headers pass API Gateway's quota and 413 for a
 * declared body too large, before the body is read. */
static bool s_on_headers(void *ctx, struct MHD_Connection *c, const http_server_request *req, enum MHD_Result *out)
{
  (void)ctx;
  char raw_path[S_MAX_PATH];
  const char *raw_query = NULL;
  if(!s_split_uri(req->raw_uri, raw_path, sizeof(raw_path), &raw_query)) {
    s_access_log(req->method, "(path too long)", 414, req->start_ms);
    *out = s_send_message(c, 414, "Request-URI Too Long", NULL);
    return true;
  }
  bool gateway_path =
    !invoke_is_api_path(raw_path) && strncmp(raw_path, S_LOCAL_HOOKS_PREFIX, strlen(S_LOCAL_HOOKS_PREFIX)) != 0;
  if(gateway_path && s_headers_too_large(c, req)) {
    s_access_log(req->method, raw_path, 431, req->start_ms);
    *out = s_send_message(c, 431, "Request Header Fields Too Large", NULL);
    return true;
  }
  if(s_declared_too_large(c)) {
    s_access_log(req->method, raw_path, 413, req->start_ms);
    if(invoke_is_api_path(raw_path)) {
      invoke_error err = {.status = 413, .error_type = "RequestTooLargeException"};
      snprintf(err.message, sizeof(err.message), "Request must be smaller than %u bytes for the Invoke operation",
               INVOKE_MAX_SYNC_PAYLOAD);
      int status;
      *out = s_send_lambda_error(c, &err, "", &status);
      return true;
    }
    *out = s_send_message(c, 413, "Request Entity Too Large", NULL);
    return true;
  }
  return false;
}

static enum MHD_Result s_on_request(void *ctx, struct MHD_Connection *c, const http_server_request *req)
{
  gateway *g = ctx;
  const char *method = req->method;
  char raw_path[S_MAX_PATH];
  const char *raw_query = NULL;
  if(!s_split_uri(req->raw_uri, raw_path, sizeof(raw_path), &raw_query)) {
    s_access_log(method, "(path too long)", 414, req->start_ms);
    return s_send_message(c, 414, "Request-URI Too Long", NULL);
  }
  int status = 0;
  enum MHD_Result ok = MHD_NO;
  if(!atomic_load(&g->ready)) {
    s_access_log(method, raw_path, 503, req->start_ms);
    return s_send_message(c, 503, "Service Unavailable", NULL);
  }
  if(invoke_is_api_path(raw_path)) {
    ok = s_serve_invoke(g, c, req, raw_path, &status);
    s_access_log(method, raw_path, status, req->start_ms);
    return ok;
  }
  if(strncmp(raw_path, S_LOCAL_HOOKS_PREFIX, strlen(S_LOCAL_HOOKS_PREFIX)) == 0) {
    ok = s_serve_local_hook(g, c, req, raw_path, &status);
    s_access_log(method, raw_path, status, req->start_ms);
    return ok;
  }
  if(req->body_too_large) {
    s_access_log(method, raw_path, 413, req->start_ms);
    return s_send_message(c, 413, "Request Entity Too Large", NULL);
  }
  bool cognito_call =
    g->ui &&
    (hosted_ui_is_cognito_call(method, raw_path, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Target")) ||
     hosted_ui_is_cognito_preflight(method, raw_path,
                                    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Access-Control-Request-Headers")));
  if(cognito_call || (g->ui && hosted_ui_is_path(raw_path))) {
    ok = s_serve_hosted_ui(g, c, req, raw_path, raw_query, cognito_call, &status);
    s_access_log(method, raw_path, status, req->start_ms);
    return ok;
  }

  routes_match m;
  mynt_status st = routes_find(&g->config->routes, method, raw_path, 1, &m);
  bool get_like = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
  if(st == MYNT_NOT_FOUND && get_like && s_try_static(g, c, raw_path, &status, &ok)) {
    s_access_log(method, raw_path, status, req->start_ms);
    return ok;
  }
  if(st == MYNT_NOT_FOUND)
    st = routes_find(&g->config->routes, method, raw_path, 0, &m);
  if(st == MYNT_NOT_FOUND) {
    status = 404;
    ok = s_send_message(c, 404, "Not Found", NULL);
  }
  else if(st) {
    status = 500;
    ok = s_send_message(c, 500, "Internal Server Error", NULL);
  }
  else {
    ok = s_invoke_route(g, c, req, method, req->version, raw_path, raw_query, &m, &status);
  }
  routes_match_free(&m);
  s_access_log(method, raw_path, status, req->start_ms);
  return ok;
}

/* ---- life cycle ------------------------------------------------------------------- */

mynt_status gateway_new(const gateway_options *opts, mynt_detail *detail, gateway **out)
{
  *out = NULL;
  gateway *g = calloc(1, sizeof(*g));
  if(!g)
    return mynt_fail(detail, MYNT_NOMEM, "out of memory");
  mynt_status st = MYNT_NOMEM;
  json_t *web_config = NULL; /* the file served at /config.json, read once for the CSP's connect-src */
  g->config = opts->config;
  if(opts->web_root) {
    g->web_root = realpath(opts->web_root, NULL);
    struct stat sb;
    if(!g->web_root || stat(g->web_root, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
      st = mynt_fail(detail, MYNT_BAD_REQUEST, "the web root %s is not a directory", opts->web_root);
      goto fail;
    }
  }
  if(opts->config_json && !(g->config_json = strdup(opts->config_json))) {
    st = mynt_fail(detail, MYNT_NOMEM, "out of memory");
    goto fail;
  }
  if(opts->config_json && !(web_config = json_load_file(opts->config_json, 0, NULL))) {
    st = mynt_fail(detail, MYNT_BAD_REQUEST, "the web config %s is not JSON", opts->config_json);
    goto fail;
  }
  st = web_headers_csp(web_config, detail, &g->csp);
  json_decref(web_config);
  if(st)
    goto fail;
  g->mounts = opts->mounts;
  g->n_mounts = opts->mounts ? opts->n_mounts : 0;
  if(opts->config->has_authorizer && (st = authorizer_new(&opts->config->authorizer, S_JWKS_REFETCH_MS, &g->auth))) {
    mynt_fail(detail, st, "out of memory");
    goto fail;
  }
  g->functions = calloc(opts->config->n_functions, sizeof(function *));
  if(!g->functions) {
    st = mynt_fail(detail, MYNT_NOMEM, "out of memory");
    goto fail;
  }
  for(size_t i = 0; i < opts->config->n_functions; i++) {
    const local_config_function *cfg = &opts->config->functions[i];
    st = function_new(cfg, cfg->bootstrap ? cfg->bootstrap : opts->bootstrap, opts->config->region, &g->functions[i]);
    if(st) {
      mynt_fail(detail, st, "cannot start the Runtime API server of %s", cfg->name);
      goto fail;
    }
  }
  if(opts->config->has_hosted_ui) {
    hosted_ui_backend backend = {
      .presignup = opts->config->hosted_ui.presignup < opts->config->n_functions ? s_ui_presignup : NULL,
      .cognito = s_ui_cognito,
      .ctx = g,
    };
    if((st = hosted_ui_new(&opts->config->hosted_ui, opts->config->region, &backend, &g->ui))) {
      mynt_fail(detail, st, "cannot start the hosted-UI stand-in");
      goto fail;
    }
    if(g->auth)
      authorizer_trust_keys(g->auth, hosted_ui_jwks(g->ui));
  }
  g->function_names = calloc(opts->config->n_functions, sizeof(char *));
  if(!g->function_names) {
    st = mynt_fail(detail, MYNT_NOMEM, "out of memory");
    goto fail;
  }
  for(size_t i = 0; i < opts->config->n_functions; i++)
    g->function_names[i] = opts->config->functions[i].name;
  async_queue_options aq = {
    .n_functions = opts->config->n_functions,
    .names = g->function_names,
    .capacity = S_ASYNC_CAPACITY,
    .max_bytes = S_ASYNC_MAX_BYTES,
    .retries = ASYNC_QUEUE_RETRIES,
    .retry_delay_ms = opts->async_retry_delay_ms > 0 ? opts->async_retry_delay_ms : S_ASYNC_RETRY_DELAY_MS,
    .invoke = s_async_invoke,
    .ctx = g,
  };
  if((st = async_queue_new(&aq, &g->async))) {
    mynt_fail(detail, st, "cannot start the asynchronous invocation queue");
    goto fail;
  }
  http_server_options server = {
    .host = opts->host,
    .port = opts->port,
    .handler = s_on_request,
    .on_headers = s_on_headers,
    .ctx = g,
    .max_body = GATEWAY_MAX_BODY,
    .connection_timeout_s = 120,
    .connection_memory_limit = 128 * 1024,
    .thread_per_connection = true, /* an invocation blocks its connection for up to the timeout */
    .log_errors = true,
  };
  if((st = http_server_new(&server, detail, &g->server)))
    goto fail;
  /* Only now is the port known: every function learns where Lambda's API and the public URL are. */
  char url[64];
  snprintf(url, sizeof(url), "http://%s:%u", opts->host ? opts->host : "127.0.0.1",
           (unsigned)http_server_port(g->server));
  for(size_t i = 0; i < opts->config->n_functions; i++) {
    if((st = function_set_env(g->functions[i], "MYNT_LAMBDA_ENDPOINT", url)) ||
       (st = function_set_env(g->functions[i], "MYNT_PUBLIC_URL", url))) {
      mynt_fail(detail, st, "out of memory");
      goto fail;
    }
  }
  /* The Pre sign-up function's cognito-idp calls come here: AdminLinkProviderForUser answered, ListUsers forwarded. */
  if(g->ui && opts->config->hosted_ui.presignup < opts->config->n_functions &&
     (st = function_set_env(g->functions[opts->config->hosted_ui.presignup], "MYNT_COGNITO_ENDPOINT", url))) {
    mynt_fail(detail, st, "out of memory");
    goto fail;
  }
  atomic_store(&g->ready, true);
  int64_t *periods = NULL;
  if(opts->config->n_schedules && !(periods = calloc(opts->config->n_schedules, sizeof(int64_t)))) {
    st = mynt_fail(detail, MYNT_NOMEM, "out of memory");
    goto fail;
  }
  for(size_t i = 0; i < opts->config->n_schedules; i++)
    periods[i] = opts->config->schedules[i].period_ms;
  st = schedule_runner_new(periods, opts->config->n_schedules, opts->schedule_scale, s_fire_schedule, g, &g->schedules);
  free(periods);
  if(st) {
    mynt_fail(detail, st, "cannot start the schedules");
    goto fail;
  }
  *out = g;
  return MYNT_OK;
fail:
  gateway_free(g);
  return st;
}

uint16_t gateway_port(const gateway *g)
{
  return http_server_port(g->server);
}

void gateway_free(gateway *g)
{
  if(!g)
    return;
  schedule_runner_free(g->schedules);
  if(g->server)
    http_server_quiesce(g->server);
  size_t n = g->config->n_functions;
  for(size_t i = 0; g->functions && i < n; i++)
    if(g->functions[i])
      function_stop(g->functions[i]);
  if(g->async)
    async_queue_stop(g->async); /* a drain in progress sees the queue idle and answers */
  http_server_free(g->server);
  async_queue_free(g->async);
  for(size_t i = 0; g->functions && i < n; i++)
    function_free(g->functions[i]);
  free(g->functions);
  free(g->function_names);
  authorizer_free(g->auth);
  hosted_ui_free(g->ui);
  free(g->web_root);
  free(g->config_json);
  free(g->csp);
  free(g);
}
