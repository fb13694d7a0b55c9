/* gateway.c - the local API Gateway: routes, JWT authorizer, events, static web app. */
#include "local/gateway.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
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
#include "local/authorizer.h"
#include "local/event.h"
#include "local/function.h"
#include "local/jwt.h"
#include "local/response.h"
#include "local/routes.h"
#include "local/static_files.h"

/* How long a cached JWKS is trusted before an unknown kid may trigger a refetch. */
#define S_JWKS_REFETCH_MS 10000
#define S_CONFIG_JSON_MAX (256u * 1024)
#define S_MAX_HEADERS 200

struct gateway {
  const local_config *config;
  char *web_root;              /* realpath of the web root, or NULL */
  char *config_json;
  const static_files_mount *mounts; /* borrowed from the options */
  size_t n_mounts;
  function **functions;        /* one per config function, same order */
  authorizer *auth;
  struct MHD_Daemon *daemon;
  int port;
};

/* Per-request state, made by the URI log callback. */
typedef struct {
  char *raw_uri;
  int started;
  int too_large;
  mynt_buf body;
  int64_t start_ms;
} s_request;

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

static int s_hop_by_hop(const char *name)
{
  return strcasecmp(name, "content-length") == 0 || strcasecmp(name, "transfer-encoding") == 0 ||
         strcasecmp(name, "connection") == 0 || strcasecmp(name, "keep-alive") == 0;
}

/* Queues r on the connection. Returns MHD's verdict. */
static enum MHD_Result s_send(struct MHD_Connection *c, const response_http *r,
                              const char *request_id)
{
  struct MHD_Response *mr =
    MHD_create_response_from_buffer(r->body.len, r->body.ptr, MHD_RESPMEM_MUST_COPY);
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

static enum MHD_Result s_send_message(struct MHD_Connection *c, int status, const char *message,
                                      const char *request_id)
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
  fprintf(stderr, "mynt-local: %s %s %d %" PRId64 "ms\n", method, path, status,
          clock_mono_ms() - start_ms);
}

/* ---- static files ----------------------------------------------------------------- */

/* Serves /config.json, a file of the mount whose prefix the path starts with, or a web app
 * file. Returns 1 and sets *out_status when it
 * answered (or failed to), 0 when there is no such file. */
static int s_try_static(gateway *g, struct MHD_Connection *c, const char *raw_path,
                        int *out_status, enum MHD_Result *out_ok)
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
  } else {
    int mounted = 0;
    for(size_t i = 0; i < g->n_mounts && !mounted; i++) {
      if(strncmp(raw_path, g->mounts[i].prefix, strlen(g->mounts[i].prefix)) != 0)
        continue;
      mounted = 1;
      if(static_files_mount_open(&g->mounts[i], raw_path, &fd, &size, &type) != MYNT_OK)
        fd = -1;
    }
    if(!mounted && g->web_root && static_files_open(g->web_root, raw_path, &fd, &size, &type) != MYNT_OK)
      fd = -1;
  }
  if(fd < 0)
    return 0;
  struct MHD_Response *mr = MHD_create_response_from_fd((size_t)size, fd);
  if(!mr) {
    close(fd);
    *out_status = 500;
    *out_ok = MHD_NO;
    return 1;
  }
  MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  *out_ok = MHD_queue_response(c, MHD_HTTP_OK, mr);
  MHD_destroy_response(mr);
  *out_status = 200;
  return 1;
}

/* ---- the function path ------------------------------------------------------------ */

static enum MHD_Result s_collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
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

static int s_has_header(const s_headers *h, const char *name)
{
  for(size_t i = 0; i < h->count; i++)
    if(strcasecmp(h->items[i].name, name) == 0)
      return 1;
  return 0;
}

static void s_source_ip(struct MHD_Connection *c, char *out, size_t size)
{
  snprintf(out, size, "127.0.0.1");
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if(info && info->client_addr && info->client_addr->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)info->client_addr;
    inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)size);
  }
}

/* Returns the port the connection arrived on (the gateway's, known only once it listens). */
static int s_local_port(struct MHD_Connection *c)
{
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_DAEMON);
  const union MHD_DaemonInfo *di =
    ci ? MHD_get_daemon_info(ci->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
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
  switch(st) {
  case MYNT_OK:
    return;
  case MYNT_TIMEOUT:
    response_message(r, 504, "Endpoint request timed out");
    return;
  case MYNT_UPSTREAM:
    response_message(r, 502, "Internal Server Error");
    return;
  case MYNT_UNAVAILABLE:
    response_message(r, 503, "Service Unavailable");
    return;
  case MYNT_TOO_LARGE:
    response_message(r, 413, "Request Entity Too Large");
    return;
  default:
    response_message(r, 500, "Internal Server Error");
    return;
  }
}

/* Authorizes (for JWT routes), builds the event, invokes the function and answers. */
static enum MHD_Result s_invoke_route(gateway *g, struct MHD_Connection *c, s_request *req,
                                      const char *method, const char *version,
                                      const char *raw_path, const char *raw_query,
                                      const routes_match *m, int *out_status)
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
    .body = req->body.ptr,
    .body_len = req->body.len,
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

/* ---- MHD callbacks ---------------------------------------------------------------- */

static void *s_on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
  (void)cls;
  (void)c;
  s_request *req = calloc(1, sizeof(*req));
  if(!req)
    return NULL;
  req->raw_uri = strdup(uri ? uri : "/");
  buf_init(&req->body, GATEWAY_MAX_BODY);
  req->start_ms = clock_mono_ms();
  return req;
}

static void s_on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
  (void)cls;
  (void)c;
  (void)toe;
  s_request *req = *con_cls;
  if(req) {
    buf_free(&req->body);
    free(req->raw_uri);
    free(req);
    *con_cls = NULL;
  }
}

/* Returns 1 when the declared Content-Length already exceeds the limit. */
static int s_declared_too_large(struct MHD_Connection *c)
{
  const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if(!cl)
    return 0;
  errno = 0;
  char *end = NULL;
  unsigned long long n = strtoull(cl, &end, 10);
  return errno == 0 && end != cl && n > GATEWAY_MAX_BODY;
}

static enum MHD_Result s_on_request(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version,
                                    const char *upload_data, size_t *upload_data_size,
                                    void **con_cls)
{
  (void)url;
  gateway *g = cls;
  s_request *req = *con_cls;
  if(!req || !req->raw_uri)
    return MHD_NO;
  char *query = strchr(req->raw_uri, '?');
  size_t path_len = query ? (size_t)(query - req->raw_uri) : strlen(req->raw_uri);
  char raw_path[8192];
  if(path_len == 0 || path_len >= sizeof(raw_path)) {
    s_access_log(method, "(path too long)", 414, req->start_ms);
    return s_send_message(c, 414, "Request-URI Too Long", NULL);
  }
  memcpy(raw_path, req->raw_uri, path_len);
  raw_path[path_len] = '\0';
  const char *raw_query = query ? query + 1 : "";

  if(!req->started) {
    req->started = 1;
    if(s_declared_too_large(c)) {
      s_access_log(method, raw_path, 413, req->start_ms);
      return s_send_message(c, 413, "Request Entity Too Large", NULL);
    }
    return MHD_YES;
  }
  if(*upload_data_size) {
    if(!req->too_large && buf_append(&req->body, upload_data, *upload_data_size) != MYNT_OK)
      req->too_large = 1;
    *upload_data_size = 0;
    return MHD_YES;
  }
  if(req->too_large) {
    s_access_log(method, raw_path, 413, req->start_ms);
    return s_send_message(c, 413, "Request Entity Too Large", NULL);
  }

  int status = 0;
  enum MHD_Result ok = MHD_NO;
  routes_match m;
  mynt_status st = routes_find(&g->config->routes, method, raw_path, 1, &m);
  int get_like = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
  if(st == MYNT_NOT_FOUND && get_like && s_try_static(g, c, raw_path, &status, &ok)) {
    s_access_log(method, raw_path, status, req->start_ms);
    return ok;
  }
  if(st == MYNT_NOT_FOUND)
    st = routes_find(&g->config->routes, method, raw_path, 0, &m);
  if(st == MYNT_NOT_FOUND) {
    status = 404;
    ok = s_send_message(c, 404, "Not Found", NULL);
  } else if(st) {
    status = 500;
    ok = s_send_message(c, 500, "Internal Server Error", NULL);
  } else {
    ok = s_invoke_route(g, c, req, method, version, raw_path, raw_query, &m, &status);
  }
  routes_match_free(&m);
  s_access_log(method, raw_path, status, req->start_ms);
  return ok;
}

/* ---- life cycle ------------------------------------------------------------------- */

static void s_fail(char *why, size_t why_len, const char *fmt, const char *arg)
{
  if(why && why_len)
    snprintf(why, why_len, fmt, arg);
}

gateway *gateway_start(const gateway_options *opts, char *out_why, size_t why_len)
{
  gateway *g = calloc(1, sizeof(*g));
  if(!g) {
    s_fail(out_why, why_len, "%s", "out of memory");
    return NULL;
  }
  g->config = opts->config;
  if(opts->web_root) {
    g->web_root = realpath(opts->web_root, NULL);
    struct stat sb;
    if(!g->web_root || stat(g->web_root, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
      s_fail(out_why, why_len, "the web root %s is not a directory", opts->web_root);
      goto fail;
    }
  }
  if(opts->config_json && !(g->config_json = strdup(opts->config_json))) {
    s_fail(out_why, why_len, "%s", "out of memory");
    goto fail;
  }
  g->mounts = opts->mounts;
  g->n_mounts = opts->mounts ? opts->n_mounts : 0;
  if(opts->config->has_authorizer) {
    g->auth = authorizer_create(&opts->config->authorizer, S_JWKS_REFETCH_MS);
    if(!g->auth) {
      s_fail(out_why, why_len, "%s", "out of memory");
      goto fail;
    }
  }
  g->functions = calloc(opts->config->n_functions, sizeof(function *));
  if(!g->functions) {
    s_fail(out_why, why_len, "%s", "out of memory");
    goto fail;
  }
  for(size_t i = 0; i < opts->config->n_functions; i++) {
    const local_config_function *cfg = &opts->config->functions[i];
    mynt_status st = MYNT_OK;
    g->functions[i] = function_create(cfg, cfg->bootstrap ? cfg->bootstrap : opts->bootstrap,
                                      opts->config->region, &st);
    if(!g->functions[i]) {
      s_fail(out_why, why_len, "cannot start the Runtime API server of %s", cfg->name);
      goto fail;
    }
  }
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)opts->port);
  if(inet_pton(AF_INET, opts->host ? opts->host : "127.0.0.1", &addr.sin_addr) != 1) {
    s_fail(out_why, why_len, "bad host %s", opts->host);
    goto fail;
  }
  g->daemon = MHD_start_daemon(
    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
      MHD_USE_ITC | MHD_USE_ERROR_LOG,
    0, NULL, NULL, s_on_request, g, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
    MHD_OPTION_URI_LOG_CALLBACK, s_on_uri, g, MHD_OPTION_NOTIFY_COMPLETED, s_on_done, g,
    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
    (size_t)(128 * 1024), MHD_OPTION_END);
  if(!g->daemon) {
    s_fail(out_why, why_len, "cannot listen on %s (port in use?)", opts->host ? opts->host : "127.0.0.1");
    goto fail;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(g->daemon, MHD_DAEMON_INFO_BIND_PORT);
  g->port = info ? info->port : 0;
  return g;
fail:
  gateway_stop(g);
  return NULL;
}

int gateway_port(const gateway *g)
{
  return g->port;
}

void gateway_stop(gateway *g)
{
  if(!g)
    return;
  MHD_socket listener = g->daemon ? MHD_quiesce_daemon(g->daemon) : MHD_INVALID_SOCKET;
  size_t n = g->config->n_functions;
  for(size_t i = 0; g->functions && i < n; i++)
    if(g->functions[i])
      function_stop(g->functions[i]);
  if(g->daemon)
    MHD_stop_daemon(g->daemon);
  if(listener != MHD_INVALID_SOCKET)
    close(listener);
  for(size_t i = 0; g->functions && i < n; i++)
    function_destroy(g->functions[i]);
  free(g->functions);
  authorizer_destroy(g->auth);
  free(g->web_root);
  free(g->config_json);
  free(g);
}
