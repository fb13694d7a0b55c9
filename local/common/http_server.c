/* http_server.c - one libmicrohttpd server on a loopback address: set-up, body collection, port, shutdown. */
#include "local/common/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"

struct http_server {
  http_server_options opts;
  struct MHD_Daemon *daemon;
  MHD_socket listener; /* handed back by MHD_quiesce_daemon; closed by http_server_free */
  uint16_t port;
};

/* Per-request state, made when the request line arrives (MHD's URI log callback). */
typedef struct {
  char *raw_uri;
  bool started; /* the headers-in call has been made */
  bool too_large;
  mynt_buf body;
  int64_t start_ms;
} s_conn;

bool http_server_host_is_loopback(const char *host)
{
  if(!host)
    return false;
  static const char *const names[] = {"localhost", "127.0.0.1", "[::1]"};
  for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    size_t n = strlen(names[i]);
    if(strncasecmp(host, names[i], n) != 0)
      continue;
    const char *rest = host + n;
    if(*rest == '\0')
      return true;
    if(*rest++ != ':')
      return false;
    size_t digits = strspn(rest, "0123456789");
    return digits >= 1 && digits <= 5 && rest[digits] == '\0';
  }
  return false;
}

const char *http_server_url_host(const char *url)
{
  if(url && strncmp(url, "http://", 7) == 0)
    return url + 7;
  if(url && strncmp(url, "https://", 8) == 0)
    return url + 8;
  return NULL;
}

enum MHD_Result http_server_reply(struct MHD_Connection *c, unsigned status, const char *body, size_t len,
                                  const char *content_type, const char *const *headers)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
  if(!r)
    return MHD_NO;
  if(content_type)
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  for(size_t i = 0; headers && headers[i]; i += 2)
    MHD_add_response_header(r, headers[i], headers[i + 1]);
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}

/* Answers 421 {"message":"Misdirected Request"}: the request named a host that is not this machine's loopback. */
static enum MHD_Result s_send_misdirected(struct MHD_Connection *c)
{
  static const char body[] = "{\"message\":\"Misdirected Request\"}";
  return http_server_reply(c, HTTP_SERVER_MISDIRECTED, body, sizeof(body) - 1, "application/json", NULL);
}

static void *s_on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
  (void)c;
  const http_server *s = cls;
  s_conn *conn = calloc(1, sizeof(*conn));
  if(!conn)
    return NULL;
  conn->raw_uri = strdup(uri ? uri : "/");
  if(!conn->raw_uri) {
    free(conn);
    return NULL;
  }
  buf_init(&conn->body, s->opts.max_body);
  conn->start_ms = clock_mono_ms();
  return conn;
}

static void s_on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
  (void)cls;
  (void)c;
  (void)toe;
  s_conn *conn = *con_cls;
  if(!conn)
    return;
  buf_free(&conn->body);
  free(conn->raw_uri);
  free(conn);
  *con_cls = NULL;
}

static enum MHD_Result s_on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                    const char *version, const char *upload_data, size_t *upload_data_size,
                                    void **con_cls)
{
  const http_server *s = cls;
  s_conn *conn = *con_cls;
  if(!conn)
    return MHD_NO;
  http_server_request req = {
    .url = url,
    .raw_uri = conn->raw_uri,
    .method = method,
    .version = version,
    .body = "",
    .body_len = 0,
    .body_too_large = false,
    .start_ms = conn->start_ms,
  };
  if(!conn->started) {
    conn->started = true;
    if(!http_server_host_is_loopback(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)))
      return s_send_misdirected(c);
    enum MHD_Result answered = MHD_YES;
    if(s->opts.on_headers && s->opts.on_headers(s->opts.ctx, c, &req, &answered))
      return answered;
    return MHD_YES;
  }
  if(*upload_data_size) {
    if(!conn->too_large && buf_append(&conn->body, upload_data, *upload_data_size) != MYNT_OK)
      conn->too_large = true;
    *upload_data_size = 0;
    return MHD_YES;
  }
  req.body = buf_cstr(&conn->body);
  req.body_len = conn->body.len;
  req.body_too_large = conn->too_large;
  return s->opts.handler(s->opts.ctx, c, &req);
}

mynt_status http_server_new(const http_server_options *opts, mynt_detail *detail, http_server **out)
{
  *out = NULL;
  const char *host = opts->host ? opts->host : "127.0.0.1";
  if(!opts->handler)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "%s", "no request handler");
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(opts->port);
  if(inet_pton(AF_INET, host, &addr.sin_addr) != 1)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "bad host %s", host);
  http_server *s = calloc(1, sizeof(*s));
  if(!s)
    return mynt_fail(detail, MYNT_NOMEM, "%s", "out of memory");
  s->opts = *opts;
  s->opts.host = NULL; /* borrowed; not needed after the bind */
  if(!s->opts.max_body)
    s->opts.max_body = HTTP_SERVER_DEFAULT_MAX_BODY;
  s->listener = MHD_INVALID_SOCKET;

  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC;
  if(opts->thread_per_connection)
    flags |= MHD_USE_THREAD_PER_CONNECTION;
  if(opts->log_errors)
    flags |= MHD_USE_ERROR_LOG;
  /* The tuning the caller asked for, as an MHD_OPTION_ARRAY; what is left out keeps MHD's default. */
  struct MHD_OptionItem tuning[4];
  size_t n = 0;
  if(opts->connection_memory_limit)
    tuning[n++] =
      (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)opts->connection_memory_limit, NULL};
  if(opts->connection_limit)
    tuning[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, (intptr_t)opts->connection_limit, NULL};
  tuning[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
  s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, s_on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                               MHD_OPTION_URI_LOG_CALLBACK, s_on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, s_on_completed, s,
                               MHD_OPTION_CONNECTION_TIMEOUT, opts->connection_timeout_s, MHD_OPTION_ARRAY, tuning,
                               MHD_OPTION_END);
  if(!s->daemon) {
    http_server_free(s);
    return mynt_fail(detail, MYNT_IO, "cannot listen on %s (port in use?)", host);
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
  if(!info || info->port == 0) {
    http_server_free(s);
    return mynt_fail(detail, MYNT_IO, "cannot listen on %s (no port bound)", host);
  }
  s->port = info->port;
  *out = s;
  return MYNT_OK;
}

uint16_t http_server_port(const http_server *s)
{
  return s->port;
}

void http_server_quiesce(http_server *s)
{
  if(s->daemon && s->listener == MHD_INVALID_SOCKET)
    s->listener = MHD_quiesce_daemon(s->daemon);
}

void http_server_free(http_server *s)
{
  if(!s)
    return;
  if(s->daemon)
    MHD_stop_daemon(s->daemon);
  if(s->listener != MHD_INVALID_SOCKET)
    close(s->listener);
  free(s);
}
