/* test_local_config.c - unit tests for mynt-local's routes file (functions, routes, authorizer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "local/gateway/local_config.h"

static const char s_routes[] =
  "{\"region\":\"us-east-1\","
  " \"authorizer\":{\"issuer\":\"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc\","
  "                 \"audiences\":[\"clientid\"],"
  "                 \"jwks_url\":\"http://127.0.0.1:4566/us-east-1_abc/.well-known/jwks.json\"},"
  " \"functions\":["
  "  {\"name\":\"PublicFunction\",\"handler\":\"public\",\"timeout_s\":10,\"memory_mb\":128,"
  "   \"bootstrap\":\"/opt/other/bootstrap\","
  "   \"environment\":{\"MYNT_TABLE\":\"mynt-users\",\"AWS_REGION\":\"us-east-1\"},"
  "   \"routes\":[{\"route_key\":\"GET /health\",\"auth\":\"none\"},"
  "              {\"route_key\":\"$default\",\"auth\":\"none\"}]},"
  "  {\"name\":\"UsersFunction\",\"handler\":\"users\",\"timeout_s\":5,\"memory_mb\":256,"
  "   \"routes\":[{\"route_key\":\"GET /me\",\"auth\":\"jwt\"}]}"
  " ]}";

static void test_local_config_reads_functions_routes_and_authorizer(void **state)
{
  (void)state;
  local_config c;
  mynt_detail why;
  assert_int_equal(local_config_parse(s_routes, strlen(s_routes), &c, &why), MYNT_OK);
  assert_string_equal(c.region, "us-east-1");
  assert_true(c.has_authorizer);
  assert_string_equal(c.authorizer.audiences[0], "clientid");
  assert_int_equal(c.n_functions, 2);
  assert_string_equal(c.functions[0].bootstrap, "/opt/other/bootstrap");
  assert_null(c.functions[1].bootstrap);
  assert_int_equal(c.functions[1].timeout_s, 5);
  assert_int_equal(c.functions[1].memory_mb, 256);
  assert_int_equal(c.functions[0].n_env, 2);
  assert_string_equal(c.functions[0].env[0], "MYNT_TABLE=mynt-users");
  assert_int_equal(c.routes.count, 3);
  assert_string_equal(c.routes.items[2].key, "GET /me");
  assert_int_equal(c.routes.items[2].auth, ROUTES_AUTH_JWT);
  assert_int_equal(c.routes.items[2].function, 1);
  assert_true(c.routes.items[1].is_default);
  local_config_free(&c);
}

static void s_expect_refused(const char *doc, const char *why_part)
{
  local_config c;
  mynt_detail why;
  assert_int_equal(local_config_parse(doc, strlen(doc), &c, &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), why_part));
  assert_null(c.functions);
  local_config_free(&c);
}

static void test_local_config_refuses_invalid_documents(void **state)
{
  (void)state;
  s_expect_refused("[]", "not a JSON object");
  s_expect_refused("{\"functions\":[]}", "region");
  s_expect_refused("{\"region\":\"r\",\"functions\":[]}", "functions");
  s_expect_refused("{\"region\":\"r\",\"functions\":[{\"name\":\"F\",\"handler\":\"h\","
                   "\"routes\":[{\"route_key\":\"GET /me\",\"auth\":\"jwt\"}]}]}",
                   "authorizer");
  s_expect_refused("{\"region\":\"r\",\"functions\":[{\"name\":\"F\",\"handler\":\"h\","
                   "\"routes\":[{\"route_key\":\"GET me\"}]}]}",
                   "GET me");
  s_expect_refused("{\"region\":\"r\",\"functions\":[{\"name\":\"F\",\"handler\":\"h\","
                   "\"routes\":[{\"route_key\":\"GET /a\"}]},{\"name\":\"G\",\"handler\":\"g\","
                   "\"routes\":[{\"route_key\":\"GET /a\"}]}]}",
                   "repeated");
  s_expect_refused("{\"region\":\"r\",\"functions\":[{\"name\":\"F\",\"handler\":\"h\","
                   "\"timeout_s\":0,\"routes\":[]}]}",
                   "timeout_s");
  s_expect_refused("{\"region\":\"r\",\"functions\":[{\"name\":\"F\",\"handler\":\"h\","
                   "\"environment\":{\"A\":1},\"routes\":[]}]}",
                   "environment");
  s_expect_refused("{\"region\":\"r\",\"functions\":[{\"name\":\"F\",\"handler\":\"h\","
                   "\"routes\":[{\"route_key\":\"GET /a\",\"auth\":\"iam\"}]}]}",
                   "auth");
}

static void test_local_config_load_reports_missing_file(void **state)
{
  (void)state;
  local_config c;
  mynt_detail why;
  assert_int_equal(local_config_load("/nonexistent/routes.json", &c, &why), MYNT_IO);
  assert_non_null(strstr(mynt_detail_text(&why), "/nonexistent/routes.json"));
  local_config_free(&c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_local_config_reads_functions_routes_and_authorizer),
    cmocka_unit_test(test_local_config_refuses_invalid_documents),
    cmocka_unit_test(test_local_config_load_reports_missing_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
