/* test_aws_config.c - aws_config_from_env: required variables, fallbacks, limits, and a zeroed config on failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws/aws_config.h"
#include "support/unit_main.h"

static const char *const s_vars[] = {"AWS_REGION",        "AWS_DEFAULT_REGION",
                                     "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                     "AWS_SESSION_TOKEN", "MYNT_AWS_ENDPOINT"};

static int s_clear_env(void **state)
{
  (void)state;
  for(size_t i = 0; i < sizeof s_vars / sizeof s_vars[0]; i++)
    unsetenv(s_vars[i]);
  return 0;
}

static void s_set_minimal(void)
{
  setenv("AWS_REGION", "eu-west-1", 1);
  setenv("AWS_ACCESS_KEY_ID", "AKIDCONFIG", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "config-secret", 1);
}

static int s_all_zero(const aws_config *cfg)
{
  const unsigned char *p = (const unsigned char *)cfg;
  for(size_t i = 0; i < sizeof *cfg; i++)
    if(p[i])
      return 0;
  return 1;
}

static void test_aws_config_reads_region_keys_token_and_endpoint(void **state)
{
  (void)state;
  s_set_minimal();
  setenv("AWS_SESSION_TOKEN", "session-token", 1);
  setenv("MYNT_AWS_ENDPOINT", "http://127.0.0.1:4566", 1);
  aws_config cfg;
  mynt_detail why;
  assert_int_equal(aws_config_from_env(&cfg, &why), MYNT_OK);
  assert_string_equal(cfg.region, "eu-west-1");
  assert_string_equal(cfg.creds.access_key_id, "AKIDCONFIG");
  assert_string_equal(cfg.creds.secret_access_key, "config-secret");
  assert_string_equal(cfg.creds.session_token, "session-token");
  assert_string_equal(cfg.endpoint, "http://127.0.0.1:4566");
  if(cfg.ca_bundle[0])
    assert_int_equal(access(cfg.ca_bundle, R_OK), 0);
}

static void test_aws_config_falls_back_to_default_region_and_allows_no_token(void **state)
{
  (void)state;
  s_set_minimal();
  unsetenv("AWS_REGION");
  setenv("AWS_DEFAULT_REGION", "us-west-2", 1);
  aws_config cfg;
  assert_int_equal(aws_config_from_env(&cfg, NULL), MYNT_OK);
  assert_string_equal(cfg.region, "us-west-2");
  assert_string_equal(cfg.creds.session_token, "");
  assert_string_equal(cfg.endpoint, "");
}

static void test_aws_config_names_the_missing_variable_and_leaves_cfg_zeroed(void **state)
{
  (void)state;
  aws_config cfg;
  mynt_detail why;
  s_set_minimal();
  unsetenv("AWS_SECRET_ACCESS_KEY");
  assert_int_equal(aws_config_from_env(&cfg, &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), "AWS_SECRET_ACCESS_KEY"));
  assert_true(s_all_zero(&cfg));

  s_set_minimal();
  unsetenv("AWS_REGION");
  assert_int_equal(aws_config_from_env(&cfg, &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), "AWS_REGION"));
  assert_true(s_all_zero(&cfg));
}

static void test_aws_config_refuses_values_that_do_not_fit(void **state)
{
  (void)state;
  aws_config cfg;
  mynt_detail why;
  char long_value[3000];
  memset(long_value, 'a', sizeof long_value - 1);
  long_value[sizeof long_value - 1] = '\0';
  s_set_minimal();
  setenv("AWS_SESSION_TOKEN", long_value, 1);
  assert_int_equal(aws_config_from_env(&cfg, &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), "AWS_SESSION_TOKEN"));
  assert_non_null(strstr(mynt_detail_text(&why), "too long"));
  assert_true(s_all_zero(&cfg));
}

UNIT_MAIN("aws_config", NULL, NULL,
          {
            cmocka_unit_test_setup(test_aws_config_reads_region_keys_token_and_endpoint, s_clear_env),
            cmocka_unit_test_setup(test_aws_config_falls_back_to_default_region_and_allows_no_token, s_clear_env),
            cmocka_unit_test_setup(test_aws_config_names_the_missing_variable_and_leaves_cfg_zeroed, s_clear_env),
            cmocka_unit_test_setup(test_aws_config_refuses_values_that_do_not_fit, s_clear_env),
          })
