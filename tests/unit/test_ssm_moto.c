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
#include "core/wipe.h"
#include "support/moto_fixture.h"

#define S_SECRET_VALUE "plaid-secret-0123456789abcdef"
#define S_OTHER_VALUE  "client-id-abcdef0123456789"

typedef struct {
  ssm_client *client;
  char name[128];
  char other[128]; /* a second SecureString, named so that it sorts before name */
} s_env;

static void s_put(ssm_client *client, const char *name, const char *value)
{
  json_t *put = json_pack("{s:s, s:s, s:s}", "Name", name, "Value", value, "Type", "SecureString");
  json_t *response = NULL;
  aws_error err;
  mynt_status st = ssm_call(client, "PutParameter", put, clock_epoch_ms() + 10000, &response, &err);
  if(st)
    fail_msg("PutParameter failed: %s %s", mynt_strerror(st), err.type);
  assert_int_equal(json_integer_value(json_object_get(response, "Version")), 1);
  json_decref(response);
  json_decref(put);
}

static void s_delete(ssm_client *client, const char *name)
{
  json_t *del = json_pack("{s:s}", "Name", name);
  json_t *response = NULL;
  ssm_call(client, "DeleteParameter", del, clock_epoch_ms() + 10000, &response, NULL);
  json_decref(response);
  json_decref(del);
}

static int s_setup(void **state)
{
  *state = NULL;
  aws_config cfg;
  s_env *env = moto_fixture_state_new(sizeof *env, &cfg);
  if(!env)
    return 0;
  snprintf(env->name, sizeof env->name, "/mynt/test-%d-%lld/plaid-secret", (int)getpid(), (long long)clock_epoch_ms());
  snprintf(env->other, sizeof env->other, "%.*s/client-id", (int)(strrchr(env->name, '/') - env->name), env->name);
  assert_int_equal(ssm_client_new(&cfg, &env->client), MYNT_OK);
  s_put(env->client, env->name, S_SECRET_VALUE);
  s_put(env->client, env->other, S_OTHER_VALUE);
  *state = env;
  return 0;
}

static int s_teardown(void **state)
{
  s_env *env = *state;
  if(!env)
    return 0;
  s_delete(env->client, env->name);
  s_delete(env->client, env->other);
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

static void test_ssm_get_parameters_reads_each_name_in_one_request(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  /* Asked in the reverse of the alphabetical order SSM answers in: each value lands at its own name's index. */
  const char *names[2] = {env->name, env->other};
  char *values[2] = {(char *)"untouched", (char *)"untouched"};
  size_t missing = 99;
  aws_error err;
  assert_int_equal(ssm_get_parameters(env->client, names, 2, 1, clock_epoch_ms() + 10000, values, &missing, &err),
                   MYNT_OK);
  assert_int_equal(err.attempts, 1);
  assert_int_equal(missing, 2);
  assert_string_equal(values[0], S_SECRET_VALUE);
  assert_string_equal(values[1], S_OTHER_VALUE);
  mynt_wipe_free(values[0]);
  mynt_wipe_free(values[1]);
}

static void test_ssm_get_parameters_names_the_missing_one_and_returns_no_value(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  char missing_name[160];
  snprintf(missing_name, sizeof missing_name, "%s-missing", env->name);
  const char *names[3] = {env->other, missing_name, env->name};
  char *values[3] = {(char *)"untouched", (char *)"untouched", (char *)"untouched"};
  size_t missing = 99;
  aws_error err;
  assert_int_equal(ssm_get_parameters(env->client, names, 3, 1, 0, values, &missing, &err), MYNT_NOT_FOUND);
  assert_int_equal(missing, 1);
  for(int i = 0; i < 3; i++)
    assert_null(values[i]);
  assert_string_equal(err.type, "ParameterNotFound");
  assert_int_equal(err.attempts, 1);
  assert_null(strstr(err.message, S_SECRET_VALUE));
  assert_null(strstr(err.message, S_OTHER_VALUE));
}

static void test_ssm_get_parameters_rejects_no_names_too_many_and_an_empty_one(void **state)
{
  s_env *env = moto_fixture_state_or_skip(state);
  const char *names[SSM_GET_PARAMETERS_MAX + 1];
  char *values[SSM_GET_PARAMETERS_MAX + 1];
  for(int i = 0; i <= SSM_GET_PARAMETERS_MAX; i++)
    names[i] = env->name;
  aws_error err;
  assert_int_equal(ssm_get_parameters(env->client, names, 0, 1, 0, values, NULL, &err), MYNT_BAD_REQUEST);
  assert_int_equal(ssm_get_parameters(env->client, names, SSM_GET_PARAMETERS_MAX + 1, 1, 0, values, NULL, &err),
                   MYNT_BAD_REQUEST);
  assert_int_equal(err.attempts, 0);
  names[1] = "";
  assert_int_equal(ssm_get_parameters(env->client, names, 2, 1, 0, values, NULL, &err), MYNT_BAD_REQUEST);
  assert_int_equal(err.attempts, 0);
  assert_null(values[0]);
  assert_null(values[1]);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ssm_get_parameter_decrypts_a_secure_string),
    cmocka_unit_test(test_ssm_get_parameter_without_decryption_does_not_return_the_plain_value),
    cmocka_unit_test(test_ssm_get_parameter_of_a_missing_name_is_not_found),
    cmocka_unit_test(test_ssm_get_parameter_rejects_an_empty_name),
    cmocka_unit_test(test_ssm_get_parameters_reads_each_name_in_one_request),
    cmocka_unit_test(test_ssm_get_parameters_names_the_missing_one_and_returns_no_value),
    cmocka_unit_test(test_ssm_get_parameters_rejects_no_names_too_many_and_an_empty_one),
  };
  return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
