/* test_ssm_moto.c - SSM Parameter Store reads (SecureString with decryption) against a real moto_server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "aws/ssm.h"
#include "core/clock.h"
#include "support/moto_fixture.h"

#define S_SECRET_VALUE "plaid-secret-0123456789abcdef"

typedef struct {
  ssm_client *client;
  char name[128];
} s_env;

static int s_setup(void **state)
{
  *state = NULL;
  aws_config cfg;
  s_env *env = moto_fixture_state_new(sizeof *env, &cfg);
  if(!env)
    return 0;
  snprintf(env->name, sizeof env->name, "/mynt/test-%d-%lld/plaid-secret", (int)getpid(), (long long)clock_epoch_ms());
  assert_int_equal(ssm_client_new(&cfg, &env->client), MYNT_OK);

  json_t *put = json_pack("{s:s, s:s, s:s}", "Name", env->name, "Value", S_SECRET_VALUE, "Type", "SecureString");
  json_t *response = NULL;
  aws_error err;
  mynt_status st = ssm_call(env->client, "PutParameter", put, clock_epoch_ms() + 10000, &response, &err);
  if(st)
    fail_msg("PutParameter failed: %s %s", mynt_strerror(st), err.type);
  assert_int_equal(json_integer_value(json_object_get(response, "Version")), 1);
  json_decref(response);
  json_decref(put);
  *state = env;
  return 0;
}

static int s_teardown(void **state)
{
  s_env *env = *state;
  if(!env)
    return 0;
  json_t *del = json_pack("{s:s}", "Name", env->name);
  json_t *response = NULL;
  ssm_call(env->client, "DeleteParameter", del, clock_epoch_ms() + 10000, &response, NULL);
  json_decref(response);
  json_decref(del);
  ssm_client_free(env->client);
  free(env);
  return 0;
}

static void test_ssm_get_parameter_decrypts_a_secure_string(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  char *value = NULL;
  aws_error err;
  assert_int_equal(ssm_get_parameter(env->client, env->name, 1, clock_epoch_ms() + 10000, &value, &err), MYNT_OK);
  assert_non_null(value);
  assert_string_equal(value, S_SECRET_VALUE);
  assert_int_equal(err.attempts, 1);
  OPENSSL_cleanse(value, strlen(value));
  free(value);
}

static void test_ssm_get_parameter_without_decryption_does_not_return_the_plain_value(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  char *value = NULL;
  assert_int_equal(ssm_get_parameter(env->client, env->name, 0, 0, &value, NULL), MYNT_OK);
  assert_non_null(value);
  assert_string_not_equal(value, S_SECRET_VALUE);
  free(value);
}

static void test_ssm_get_parameter_of_a_missing_name_is_not_found(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  char *value = (char *)"untouched";
  aws_error err;
  char missing[160];
  snprintf(missing, sizeof missing, "%s-missing", env->name);
  assert_int_equal(ssm_get_parameter(env->client, missing, 1, 0, &value, &err), MYNT_NOT_FOUND);
  assert_null(value);
  assert_string_equal(err.type, "ParameterNotFound");
  assert_int_equal(err.attempts, 1);
}

static void test_ssm_get_parameter_rejects_an_empty_name(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  char *value = NULL;
  aws_error err;
  assert_int_equal(ssm_get_parameter(env->client, "", 1, 0, &value, &err), MYNT_BAD_REQUEST);
  assert_null(value);
  assert_int_equal(err.attempts, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ssm_get_parameter_decrypts_a_secure_string),
    cmocka_unit_test(test_ssm_get_parameter_without_decryption_does_not_return_the_plain_value),
    cmocka_unit_test(test_ssm_get_parameter_of_a_missing_name_is_not_found),
    cmocka_unit_test(test_ssm_get_parameter_rejects_an_empty_name),
  };
  return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
