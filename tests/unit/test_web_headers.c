/* test_web_headers.c - unit tests for mynt-local's web app security headers: the CSP built from the web config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "local/gateway/web_headers.h"
#include "support/unit_main.h"

#define S_HEAD "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"
#define S_TAIL "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

/* Returns the CSP for the web config text (NULL = none), failing the test when it is refused. Caller frees. */
static char *s_csp(const char *config_text)
{
  json_t *config = config_text ? json_loads(config_text, 0, NULL) : NULL;
  if(config_text)
    assert_non_null(config);
  char *csp = NULL;
  mynt_detail detail;
  mynt_status st = web_headers_csp(config, &detail, &csp);
  json_decref(config);
  if(st)
    fail_msg("%s was refused: %s", config_text, mynt_detail_text(&detail));
  return csp;
}

static void test_web_headers_csp_without_config_allows_only_the_same_origin(void **state)
{
  (void)state;
  char *csp = s_csp(NULL);
  assert_string_equal(csp, S_HEAD S_TAIL);
  free(csp);
}

static void test_web_headers_csp_lets_the_app_reach_the_configured_endpoints(void **state)
{
  (void)state;
  /* make dev's config: moto as Cognito, plaid-sim for the Link stand-in, the API same-origin */
  char *csp = s_csp("{\"api_url\":\"\",\"region\":\"us-east-1\",\"cognito_endpoint\":\"http://127.0.0.1:5001\","
                    "\"cognito_domain\":\"\",\"plaid_url\":\"http://127.0.0.1:5002/\"}");
  assert_string_equal(csp, S_HEAD " http://127.0.0.1:5001 http://127.0.0.1:5002" S_TAIL);
  free(csp);
  /* AWS's shape: Cognito's regional endpoint, a hosted UI domain without a scheme, an API on another origin */
  csp = s_csp("{\"api_url\":\"https://api.example.com/prod\",\"region\":\"eu-west-1\",\"cognito_endpoint\":\"\","
              "\"cognito_domain\":\"mynt.auth.eu-west-1.amazoncognito.com\"}");
  assert_string_equal(csp, S_HEAD " https://mynt.auth.eu-west-1.amazoncognito.com https://api.example.com"
                                  " https://cognito-idp.eu-west-1.amazonaws.com" S_TAIL);
  free(csp);
}

static void test_web_headers_csp_refuses_endpoints_that_could_rewrite_the_policy(void **state)
{
  (void)state;
  const char *bad[] = {
    "[]",
    "{\"plaid_url\":5}",
    "{\"plaid_url\":\"http://127.0.0.1:5002; script-src *\"}",
    "{\"cognito_endpoint\":\"http://a b\"}",
    "{\"api_url\":\"ftp://example.com\"}",
    "{\"api_url\":\"javascript:alert(1)\"}",
    "{\"cognito_domain\":\"'unsafe-inline'\"}",
    "{\"region\":\"us-east-1; script-src *\"}",
  };
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    json_t *config = json_loads(bad[i], 0, NULL);
    assert_non_null(config);
    char *csp = (char *)1;
    mynt_detail detail;
    mynt_status st = web_headers_csp(config, &detail, &csp);
    json_decref(config);
    if(st != MYNT_BAD_REQUEST || csp)
      fail_msg("%s was answered %s", bad[i], mynt_strerror(st));
    assert_true(strlen(mynt_detail_text(&detail)) > 0);
  }
}

UNIT_MAIN("web_headers", NULL, NULL,
          {
            cmocka_unit_test(test_web_headers_csp_without_config_allows_only_the_same_origin),
            cmocka_unit_test(test_web_headers_csp_lets_the_app_reach_the_configured_endpoints),
            cmocka_unit_test(test_web_headers_csp_refuses_endpoints_that_could_rewrite_the_policy),
          })
