/* fake_aws.c - the scaffolding of the loopback AWS fakes: server, rule record, lock, keys. */
#include "support/fake_aws.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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
