/* fake_api.c - a fake Lambda Runtime API on libmicrohttpd for the runtime tests. */
#include "support/fake_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "core/clock.h"

typedef struct {
  char *data;
  size_t len;
} s_upload;

static enum MHD_Result s_next(fake_api *f, struct MHD_Connection *c)
{
  pthread_mutex_lock(&f->lock);
  unsigned status = f->next_status;
  fake_invocation inv = {0};
  int have = f->handed < f->queued;
  if(have && status == MHD_HTTP_OK)
    inv = f->queue[f->handed++];
  pthread_mutex_unlock(&f->lock);
  if(!have && status == MHD_HTTP_OK)
    status = MHD_HTTP_GONE;

  const char *payload = status == MHD_HTTP_OK ? inv.payload : "{}";
  size_t len = status == MHD_HTTP_OK ? inv.payload_len : 2;
  struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)payload, MHD_RESPMEM_MUST_COPY);
  if(!r)
    return MHD_NO;
  if(status == MHD_HTTP_OK) {
    char deadline[32];
    snprintf(deadline, sizeof(deadline), "%lld", (long long)inv.deadline_ms);
    if(inv.request_id)
      MHD_add_response_header(r, "Lambda-Runtime-Aws-Request-Id", inv.request_id);
    if(inv.deadline_ms)
      MHD_add_response_header(r, "Lambda-Runtime-Deadline-Ms", deadline);
    if(inv.function_arn)
      MHD_add_response_header(r, "Lambda-Runtime-Invoked-Function-Arn", inv.function_arn);
    if(inv.trace_id)
      MHD_add_response_header(r, "Lambda-Runtime-Trace-Id", inv.trace_id);
  }
  enum MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result s_on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                    const char *version, const char *upload_data, size_t *upload_data_size,
                                    void **req_cls)
{
  (void)version;
  fake_api *f = cls;
  if(!*req_cls) {
    s_upload *u = calloc(1, sizeof(*u));
    if(!u)
      return MHD_NO;
    *req_cls = u;
    return MHD_YES;
  }
  s_upload *u = *req_cls;
  if(*upload_data_size) {
    char *grown = realloc(u->data, u->len + *upload_data_size + 1);
    if(!grown)
      return MHD_NO;
    memcpy(grown + u->len, upload_data, *upload_data_size);
    u->data = grown;
    u->len += *upload_data_size;
    u->data[u->len] = '\0';
    *upload_data_size = 0;
    return MHD_YES;
  }
  if(strcmp(method, "GET") == 0 && strcmp(url, "/2018-06-01/runtime/invocation/next") == 0)
    return s_next(f, c);

  pthread_mutex_lock(&f->lock);
  if(strcmp(method, "POST") == 0 && f->post_count < FAKE_API_MAX) {
    fake_post *p = &f->posts[f->post_count];
    snprintf(p->path, sizeof(p->path), "%s", url);
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Lambda-Runtime-Function-Error-Type");
    snprintf(p->error_type, sizeof(p->error_type), "%s", type ? type : "");
    p->body = u->data ? u->data : calloc(1, 1);
    p->body_len = u->len;
    u->data = NULL;
    f->post_count++;
  }
  pthread_mutex_unlock(&f->lock);
  static const char accepted[] = "{\"status\":\"OK\"}";
  struct MHD_Response *r =
    MHD_create_response_from_buffer(sizeof(accepted) - 1, (void *)accepted, MHD_RESPMEM_PERSISTENT);
  if(!r)
    return MHD_NO;
  enum MHD_Result ret = MHD_queue_response(c, 202, r);
  MHD_destroy_response(r);
  return ret;
}

static void s_on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
  (void)cls;
  (void)c;
  (void)toe;
  s_upload *u = *req_cls;
  if(u) {
    free(u->data);
    free(u);
  }
  *req_cls = NULL;
}

static void s_on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                            enum MHD_ConnectionNotificationCode toe)
{
  (void)c;
  (void)socket_ctx;
  fake_api *f = cls;
  if(toe == MHD_CONNECTION_NOTIFY_STARTED) {
    pthread_mutex_lock(&f->lock);
    f->connections++;
    pthread_mutex_unlock(&f->lock);
  }
}

fake_api *fake_api_start(void)
{
  fake_api *f = calloc(1, sizeof(*f));
  if(!f)
    return NULL;
  pthread_mutex_init(&f->lock, NULL);
  f->next_status = MHD_HTTP_OK;
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  f->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, s_on_request, f,
                               MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
                               s_on_completed, f, MHD_OPTION_NOTIFY_CONNECTION, s_on_connection, f,
                               MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
  const union MHD_DaemonInfo *info =
    f->daemon ? MHD_get_daemon_info(f->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
  if(!info || info->port == 0) {
    fake_api_stop(f);
    return NULL;
  }
  snprintf(f->endpoint, sizeof(f->endpoint), "127.0.0.1:%u", (unsigned)info->port);
  return f;
}

void fake_api_stop(fake_api *f)
{
  if(!f)
    return;
  if(f->daemon)
    MHD_stop_daemon(f->daemon);
  for(size_t i = 0; i < f->post_count; i++)
    free(f->posts[i].body);
  pthread_mutex_destroy(&f->lock);
  free(f);
}

fake_invocation *fake_api_queue(fake_api *f, const char *request_id, const char *payload)
{
  pthread_mutex_lock(&f->lock);
  fake_invocation *inv = NULL;
  if(f->queued < FAKE_API_MAX) {
    inv = &f->queue[f->queued++];
    inv->request_id = request_id;
    inv->deadline_ms = clock_epoch_ms() + 5000;
    inv->function_arn = "arn:aws:lambda:us-east-1:123456789012:function:mynt-users";
    inv->trace_id = NULL;
    inv->payload = payload;
    inv->payload_len = strlen(payload);
  }
  pthread_mutex_unlock(&f->lock);
  return inv;
}

size_t fake_api_wait_posts(fake_api *f, size_t n, int64_t timeout_ms)
{
  int64_t until = clock_mono_ms() + timeout_ms;
  for(;;) {
    pthread_mutex_lock(&f->lock);
    size_t count = f->post_count;
    pthread_mutex_unlock(&f->lock);
    if(count >= n || clock_mono_ms() >= until)
      return count;
    clock_sleep_ms(10);
  }
}

size_t fake_api_handed(fake_api *f)
{
  pthread_mutex_lock(&f->lock);
  size_t handed = f->handed;
  pthread_mutex_unlock(&f->lock);
  return handed;
}
