/* fake_aws.c - the scaffolding of the loopback AWS fakes: server, rule record, lock, keys. */
#include "support/fake_aws.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

void fake_aws_open(fake_aws *a, const request_check_keys *keys, script_handler handler, void *ctx)
{
  pthread_mutex_init(&a->lock, NULL);
  request_failures_init(&a->seen);
  a->keys = keys;
  assert_int_equal(script_server_new(handler, ctx, &a->srv), MYNT_OK);
}

void fake_aws_close(fake_aws *a)
{
  script_server_free(a->srv);
  a->srv = NULL;
  request_failures_destroy(&a->seen);
  pthread_mutex_destroy(&a->lock);
}

void fake_aws_config(const fake_aws *a, aws_config *cfg)
{
  request_check_config(cfg, script_server_url(a->srv), a->keys);
}

void fake_aws_assert_clean(fake_aws *a, const char *service)
{
  const char *first = request_failures_first(&a->seen);
  if(first)
    fail_msg("the fake %s saw a bad request: %s", service, first);
}

struct aws_http *fake_aws_client(const fake_aws *a, fake_aws_opener open)
{
  aws_config cfg;
  struct aws_http *client = NULL;
  fake_aws_config(a, &cfg);
  assert_int_equal(open(&cfg, &client, NULL), MYNT_OK);
  return client;
}

json_t *fake_aws_copy(fake_aws *a, const char *service, const json_t *doc)
{
  fake_aws_assert_clean(a, service);
  pthread_mutex_lock(&a->lock);
  json_t *copy = json_deep_copy(doc);
  pthread_mutex_unlock(&a->lock);
  return copy;
}

void fake_aws_reply(script_reply *out, unsigned http, const char *content_type, const char *error_type, char *body)
{
  out->status = http;
  out->content_type = content_type;
  if(error_type)
    out->headers[0] = (script_header){"x-amzn-ErrorType", error_type};
  out->body = body;
  out->body_len = body ? strlen(body) : 0;
  out->free_body = true;
}

bool fake_aws_listed(const char *name, const char *const *list, size_t n)
{
  for(size_t i = 0; i < n; i++)
    if(strcmp(name, list[i]) == 0)
      return true;
  return false;
}
