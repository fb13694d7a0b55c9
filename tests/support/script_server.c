/* script_server.c - tests' loopback HTTP server on local/common's http_server: scripted or handled answers, recorded
 * requests. */
#include "support/script_server.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "core/clock.h"
#include "local/common/http_server.h"
#include "local/common/mono_cond.h"

/* A script step with its own copy of the body. */
typedef struct {
  script_reply reply;
  char *body;
} s_step;

struct script_server {
  http_server *http;
  script_handler handler;
  void *ctx;
  unsigned short port;
  char url[64];
  pthread_mutex_t lock;
  pthread_cond_t arrived; /* broadcast at each request, on CLOCK_MONOTONIC */
  s_step steps[SCRIPT_SERVER_MAX_STEPS];
  size_t n_steps;
  int script_pos; /* requests answered since the script was set */
  int requests;
  int in_flight;
  int max_in_flight;
  unsigned short ports[SCRIPT_SERVER_MAX_RECORDS]; /* the client ports requests came from, each once */
  int connections;
  script_record records[SCRIPT_SERVER_MAX_RECORDS];
  int n_records;
};

static void s_steps_free(script_server *srv)
{
  for(size_t i = 0; i < srv->n_steps; i++)
    free(srv->steps[i].body);
  srv->n_steps = 0;
}

/* Takes the request's turn: counts it, records it and picks its scripted step (under the lock). Returns the
 * step's body copied for this answer (caller frees), as the script may be replaced meanwhile. */
static char *s_arrive(script_server *srv, script_request *req, script_reply *out)
{
  char *copy = NULL;
  pthread_mutex_lock(&srv->lock);
  req->index = srv->requests++;
  pthread_cond_broadcast(&srv->arrived);
  int seen = 0;
  while(seen < srv->connections && srv->ports[seen] != req->client_port)
    seen++;
  if(seen == srv->connections && srv->connections < SCRIPT_SERVER_MAX_RECORDS)
    srv->ports[srv->connections++] = req->client_port;
  if(++srv->in_flight > srv->max_in_flight)
    srv->max_in_flight = srv->in_flight;
  if(srv->n_records < SCRIPT_SERVER_MAX_RECORDS) {
    script_record *r = &srv->records[srv->n_records];
    char *body = malloc(req->body_len + 1);
    if(body) {
      memcpy(body, req->body, req->body_len + 1);
      snprintf(r->method, sizeof r->method, "%s", req->method);
      snprintf(r->url, sizeof r->url, "%s", req->url);
      r->body = body;
      r->body_len = req->body_len;
      r->client_port = req->client_port;
      srv->n_records++;
    }
  }
  if(srv->n_steps) {
    size_t i = (size_t)srv->script_pos < srv->n_steps ? (size_t)srv->script_pos : srv->n_steps - 1;
    srv->script_pos++;
    *out = srv->steps[i].reply;
    copy = malloc(out->body_len + 1);
    if(copy)
      memcpy(copy, out->body, out->body_len + 1);
    else
      out->drop = true;
    out->body = copy;
  }
  else {
    *out = (script_reply){.status = MHD_HTTP_NOT_FOUND};
  }
  pthread_mutex_unlock(&srv->lock);
  return copy;
}

/* Builds libmicrohttpd's response for reply (copying its body), or NULL. */
static struct MHD_Response *s_response(const script_reply *reply)
{
  const char *body = reply->body ? reply->body : "";
  size_t len = reply->body_len ? reply->body_len : strlen(body);
  struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
  if(!resp)
    return NULL;
  if(reply->content_type)
    MHD_add_response_header(resp, "Content-Type", reply->content_type);
  for(size_t i = 0; i < SCRIPT_SERVER_MAX_HEADERS && reply->headers[i].name; i++)
    MHD_add_response_header(resp, reply->headers[i].name, reply->headers[i].value);
  return resp;
}

static enum MHD_Result s_on_request(void *ctx, struct MHD_Connection *conn, const http_server_request *hreq)
{
  script_server *srv = ctx;
  if(hreq->body_too_large)
    return MHD_NO;
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  script_request req = {
    .method = hreq->method, .url = hreq->url, .body = hreq->body, .body_len = hreq->body_len, .connection = conn};
  if(ci && ci->client_addr)
    req.client_port = ntohs(((const struct sockaddr_in *)ci->client_addr)->sin_port);
  script_reply reply;
  char *scripted = s_arrive(srv, &req, &reply);
  if(srv->handler)
    srv->handler(srv->ctx, &req, &reply);
  struct MHD_Response *resp = reply.drop ? NULL : s_response(&reply);
  if(reply.free_body && reply.body != scripted)
    free((void *)reply.body);
  free(scripted);
  if(reply.delay_ms)
    clock_sleep_ms(reply.delay_ms);

  pthread_mutex_lock(&srv->lock);
  srv->in_flight--;
  pthread_mutex_unlock(&srv->lock);
  if(!resp)
    return MHD_NO;
  enum MHD_Result ret = MHD_queue_response(conn, reply.status, resp);
  MHD_destroy_response(resp);
  return ret;
}

mynt_status script_server_new(script_handler handler, void *ctx, script_server **out)
{
  *out = NULL;
  script_server *srv = calloc(1, sizeof *srv);
  if(!srv)
    return MYNT_NOMEM;
  pthread_mutex_init(&srv->lock, NULL);
  mono_cond_init(&srv->arrived);
  srv->handler = handler;
  srv->ctx = ctx;
  http_server_options opts = {.handler = s_on_request,
                              .ctx = srv,
                              .max_body = SCRIPT_SERVER_BODY_MAX,
                              .connection_timeout_s = 10,
                              .thread_per_connection = true};
  mynt_status st = http_server_new(&opts, NULL, &srv->http);
  if(st) {
    script_server_free(srv);
    return st;
  }
  srv->port = http_server_port(srv->http);
  snprintf(srv->url, sizeof srv->url, "http://127.0.0.1:%u", (unsigned)srv->port);
  *out = srv;
  return MYNT_OK;
}

void script_server_free(script_server *srv)
{
  if(!srv)
    return;
  http_server_free(srv->http);
  s_steps_free(srv);
  for(int i = 0; i < srv->n_records; i++)
    free(srv->records[i].body);
  pthread_cond_destroy(&srv->arrived);
  pthread_mutex_destroy(&srv->lock);
  free(srv);
}

unsigned short script_server_port(const script_server *srv)
{
  return srv->port;
}

const char *script_server_url(const script_server *srv)
{
  return srv->url;
}

mynt_status script_server_script(script_server *srv, const script_reply *steps, size_t n)
{
  if(n == 0 || n > SCRIPT_SERVER_MAX_STEPS)
    return MYNT_BAD_REQUEST;
  s_step copies[SCRIPT_SERVER_MAX_STEPS];
  for(size_t i = 0; i < n; i++) {
    const char *body = steps[i].body ? steps[i].body : "";
    size_t len = steps[i].body_len ? steps[i].body_len : strlen(body);
    copies[i].body = malloc(len + 1);
    if(!copies[i].body) {
      for(size_t j = 0; j < i; j++)
        free(copies[j].body);
      return MYNT_NOMEM;
    }
    memcpy(copies[i].body, body, len);
    copies[i].body[len] = '\0';
    copies[i].reply = steps[i];
    copies[i].reply.body = copies[i].body;
    copies[i].reply.body_len = len;
    copies[i].reply.free_body = false;
  }
  pthread_mutex_lock(&srv->lock);
  s_steps_free(srv);
  memcpy(srv->steps, copies, n * sizeof copies[0]);
  srv->n_steps = n;
  srv->script_pos = 0;
  pthread_mutex_unlock(&srv->lock);
  return MYNT_OK;
}

mynt_status script_server_reply(script_server *srv, unsigned status, const char *body)
{
  script_reply step = {.status = status, .body = body};
  return script_server_script(srv, &step, 1);
}

const char *script_request_header(const script_request *req, const char *name)
{
  return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

script_counts script_server_counts(script_server *srv)
{
  pthread_mutex_lock(&srv->lock);
  script_counts counts = {srv->requests, srv->max_in_flight, srv->connections};
  pthread_mutex_unlock(&srv->lock);
  return counts;
}

int script_server_wait_requests(script_server *srv, int n, int64_t timeout_ms)
{
  int64_t deadline = clock_mono_ms() + timeout_ms;
  pthread_mutex_lock(&srv->lock);
  while(srv->requests < n && mono_cond_wait_until(&srv->arrived, &srv->lock, deadline) == 0)
    continue;
  int requests = srv->requests;
  pthread_mutex_unlock(&srv->lock);
  return requests;
}

const script_record *script_server_record(script_server *srv, int i)
{
  pthread_mutex_lock(&srv->lock);
  const script_record *r = i >= 0 && i < srv->n_records ? &srv->records[i] : NULL;
  pthread_mutex_unlock(&srv->lock);
  return r;
}
