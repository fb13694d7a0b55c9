/* fake_api.c - a fake Lambda Runtime API on the scripted loopback server, for the runtime tests. */
#include "support/fake_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "core/clock.h"

/* GET .../invocation/next: the next queued invocation with its headers, 410 once they are used up. */
static void s_next(fake_api *f, script_reply *out)
{
  pthread_mutex_lock(&f->lock);
  unsigned status = f->next_status;
  fake_invocation *inv = NULL;
  int have = f->handed < f->queued;
  if(have && status == MHD_HTTP_OK) {
    inv = &f->queue[f->handed++];
    snprintf(inv->deadline_text, sizeof inv->deadline_text, "%lld", (long long)inv->deadline_ms);
  }
  pthread_mutex_unlock(&f->lock);
  if(!have && status == MHD_HTTP_OK)
    status = MHD_HTTP_GONE;

  *out = (script_reply){.status = status, .body = "{}"};
  if(status != MHD_HTTP_OK)
    return;
  /* inv stays put: the queue only grows, and each invocation is handed out once. */
  out->body = inv->payload_len ? inv->payload : "";
  out->body_len = inv->payload_len;
  size_t h = 0;
  if(inv->request_id)
    out->headers[h++] = (script_header){"Lambda-Runtime-Aws-Request-Id", inv->request_id};
  if(inv->deadline_ms)
    out->headers[h++] = (script_header){"Lambda-Runtime-Deadline-Ms", inv->deadline_text};
  if(inv->function_arn)
    out->headers[h++] = (script_header){"Lambda-Runtime-Invoked-Function-Arn", inv->function_arn};
  if(inv->trace_id)
    out->headers[h++] = (script_header){"Lambda-Runtime-Trace-Id", inv->trace_id};
}

/* Every POST is recorded (path, error type, body) and answered 202. */
static void s_post(fake_api *f, const script_request *req, script_reply *out)
{
  pthread_mutex_lock(&f->lock);
  if(f->post_count < FAKE_API_MAX) {
    fake_post *p = &f->posts[f->post_count];
    char *body = malloc(req->body_len + 1);
    if(body) {
      memcpy(body, req->body, req->body_len + 1);
      snprintf(p->path, sizeof(p->path), "%s", req->url);
      const char *type = script_request_header(req, "Lambda-Runtime-Function-Error-Type");
      snprintf(p->error_type, sizeof(p->error_type), "%s", type ? type : "");
      p->body = body;
      p->body_len = req->body_len;
      f->post_count++;
    }
  }
  pthread_mutex_unlock(&f->lock);
  *out = (script_reply){.status = 202, .body = "{\"status\":\"OK\"}"};
}

static void s_handle(void *ctx, const script_request *req, script_reply *out)
{
  fake_api *f = ctx;
  pthread_mutex_lock(&f->lock);
  f->connections = (unsigned)script_server_counts(f->server).connections;
  pthread_mutex_unlock(&f->lock);
  if(strcmp(req->method, "GET") == 0 && strcmp(req->url, "/2018-06-01/runtime/invocation/next") == 0)
    s_next(f, out);
  else if(strcmp(req->method, "POST") == 0)
    s_post(f, req, out);
  else
    *out = (script_reply){.status = 202, .body = "{\"status\":\"OK\"}"};
}

mynt_status fake_api_new(fake_api **out)
{
  fake_api *f = calloc(1, sizeof(*f));
  *out = NULL;
  if(!f)
    return MYNT_NOMEM;
  pthread_mutex_init(&f->lock, NULL);
  f->next_status = MHD_HTTP_OK;
  mynt_status st = script_server_new(s_handle, f, &f->server);
  if(st) {
    fake_api_free(f);
    return st;
  }
  snprintf(f->endpoint, sizeof(f->endpoint), "127.0.0.1:%u", (unsigned)script_server_port(f->server));
  *out = f;
  return MYNT_OK;
}

void fake_api_free(fake_api *f)
{
  if(!f)
    return;
  script_server_free(f->server);
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
