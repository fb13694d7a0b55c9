/* fake_lambda.c - a loopback Lambda Invoke endpoint that checks requests as Lambda does and keeps the accepted events. */
#include "support/fake_lambda.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/lambda.h"

#define S_PREFIX "/2015-03-31/functions/"
#define S_SUFFIX "/invocations"

static const request_check_keys s_keys = {"AKIDFAKELAMBDA", "fake/lambda/secret", "us-east-1", "lambda",
                                          "FQoGZXIvYXdzFAKELAMBDA+/="};
static const char *const s_must_sign[] = {"x-amz-invocation-type", "content-type", NULL};

void fake_lambda_check_invoke(const script_request *req, request_failures *seen)
{
  const char *type = script_request_header(req, "X-Amz-Invocation-Type");
  const char *ct = script_request_header(req, "Content-Type");
  if(strcmp(req->method, "POST") != 0)
    request_fail(seen, "method %s", req->method);
  if(!type || strcmp(type, "Event") != 0)
    request_fail(seen, "X-Amz-Invocation-Type is %s", type ? type : "(none)");
  if(!ct || strcmp(ct, "application/json") != 0)
    request_fail(seen, "Content-Type is %s", ct ? ct : "(none)");
}

/* Checks what Lambda checks besides the signature and keeps an accepted event. */
static void s_check(void *ctx, const script_request *req, request_failures *seen)
{
  fake_lambda *f = ctx;
  size_t url_len = strlen(req->url);
  size_t name_len = url_len > strlen(S_PREFIX) + strlen(S_SUFFIX) ? url_len - strlen(S_PREFIX) - strlen(S_SUFFIX) : 0;
  fake_lambda_check_invoke(req, seen);
  if(name_len == 0 || name_len > LAMBDA_FUNCTION_ARN_MAX || strncmp(req->url, S_PREFIX, strlen(S_PREFIX)) != 0 ||
     strcmp(req->url + url_len - strlen(S_SUFFIX), S_SUFFIX) != 0) {
    request_fail(seen, "path %s is not an Invoke", req->url);
    return;
  }
  if(req->body_len > LAMBDA_ASYNC_PAYLOAD_MAX) {
    request_fail(seen, "payload of %zu bytes", req->body_len);
    return;
  }
  json_t *event = json_loadb(req->body, req->body_len, 0, NULL);
  if(!event) {
    request_fail(seen, "the payload is not JSON");
    return;
  }
  pthread_mutex_lock(&f->lock);
  if(f->refusing)
    json_decref(event);
  else
    json_array_append_new(f->invocations,
                          json_pack("{s:s%, s:o}", "function", req->url + strlen(S_PREFIX), name_len, "event", event));
  pthread_mutex_unlock(&f->lock);
}

mynt_status fake_lambda_new(fake_lambda **out)
{
  const script_reply accepted = {.status = 202};
  fake_lambda *f = calloc(1, sizeof *f);
  *out = NULL;
  if(!f)
    return MYNT_NOMEM;
  pthread_mutex_init(&f->lock, NULL);
  f->invocations = json_array();
  mynt_status st =
    f->invocations ? request_server_start(&f->rs, &s_keys, s_must_sign, s_check, f, &accepted, 1) : MYNT_NOMEM;
  if(st) {
    json_decref(f->invocations);
    pthread_mutex_destroy(&f->lock);
    free(f);
    return st;
  }
  *out = f;
  return MYNT_OK;
}

void fake_lambda_free(fake_lambda *f)
{
  if(!f)
    return;
  request_server_stop(&f->rs);
  json_decref(f->invocations);
  pthread_mutex_destroy(&f->lock);
  free(f);
}

void fake_lambda_config(const fake_lambda *f, aws_config *cfg)
{
  request_check_config(cfg, script_server_url(f->rs.srv), &s_keys);
}

void fake_lambda_answer(fake_lambda *f, unsigned status, const char *error_name)
{
  script_reply reply = {.status = status};
  if(status != 202) {
    reply.content_type = "application/json";
    reply.headers[0] = (script_header){"x-amzn-ErrorType", error_name};
    reply.body = "{\"Type\":\"Service\",\"message\":\"scripted failure\"}";
  }
  pthread_mutex_lock(&f->lock);
  f->refusing = status != 202;
  pthread_mutex_unlock(&f->lock);
  assert_int_equal(script_server_script(f->rs.srv, &reply, 1), MYNT_OK);
}

json_t *fake_lambda_take(fake_lambda *f)
{
  const char *first = request_failures_first(&f->rs.seen);
  if(first)
    fail_msg("the fake Lambda saw a bad request: %s", first);
  pthread_mutex_lock(&f->lock);
  json_t *taken = f->invocations;
  f->invocations = json_array();
  pthread_mutex_unlock(&f->lock);
  return taken;
}
