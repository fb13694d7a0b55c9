/* test_local_config.c - unit tests for mynt-local's routes file (functions, routes, authorizer, schedules). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "local/gateway/local_config.h"
#include "support/unit_main.h"

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

/* Parses doc into *out, which must succeed (the caller frees *out). */
static void s_parse_ok(const char *doc, local_config *out)
{
  mynt_detail why;
  if(local_config_parse(doc, strlen(doc), out, &why) != MYNT_OK)
    fail_msg("refused: %s", mynt_detail_text(&why));
}

static void test_local_config_reads_functions_routes_and_authorizer(void **state)
{
  (void)state;
  local_config c;
  s_parse_ok(s_routes, &c);
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

static const char s_with_schedules[] =
  "{\"region\":\"us-east-1\",\"functions\":["
  "  {\"name\":\"PublicFunction\",\"handler\":\"public\",\"routes\":[]},"
  "  {\"name\":\"SyncFunction\",\"function_name\":\"mynt-sync\",\"handler\":\"sync\",\"routes\":[]}],"
  " \"schedules\":[{\"name\":\"DailySyncSchedule\",\"expression\":\"rate(1 day)\","
  "                \"target\":\"SyncFunction\",\"input\":\"{\\\"mynt_schedule\\\":\\\"daily\\\"}\"}]}";

static void test_local_config_reads_function_names_and_schedules(void **state)
{
  (void)state;
  local_config c;
  s_parse_ok(s_with_schedules, &c);
  assert_string_equal(c.functions[0].function_name, "PublicFunction"); /* defaults to the logical id */
  assert_string_equal(c.functions[1].function_name, "mynt-sync");
  assert_int_equal(c.routes.count, 0); /* a function without routes is still hosted */
  assert_int_equal(c.n_schedules, 1);
  assert_string_equal(c.schedules[0].name, "DailySyncSchedule");
  assert_int_equal(c.schedules[0].period_ms, 86400000);
  assert_int_equal(c.schedules[0].target, 1);
  assert_string_equal(c.schedules[0].input, "{\"mynt_schedule\":\"daily\"}");
  local_config_free(&c);
}

/* s_with_schedules with its first occurrence of from replaced by to. */
static void s_expect_variant_refused(const char *from, const char *to, const char *why_part)
{
  char doc[2048];
  const char *at = strstr(s_with_schedules, from);
  assert_non_null(at);
  snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - s_with_schedules), s_with_schedules, to, at + strlen(from));
  s_expect_refused(doc, why_part);
}

static void test_local_config_refuses_bad_schedules_and_names(void **state)
{
  (void)state;
  s_expect_variant_refused("rate(1 day)", "cron(0 3 * * ? *)", "cron(...) and at(...) are not supported");
  s_expect_variant_refused("rate(1 day)", "rate(1 fortnight)", "DailySyncSchedule");
  s_expect_variant_refused("\"target\":\"SyncFunction\"", "\"target\":\"mynt-sync\"", "target must name a function");
  s_expect_variant_refused("\"input\":\"{", "\"input\":\"x{", "input must be JSON text");
  s_expect_variant_refused("\"function_name\":\"mynt-sync\"", "\"function_name\":\"PublicFunction\"",
                           "function_name PublicFunction");
  s_expect_variant_refused("\"function_name\":\"mynt-sync\"", "\"function_name\":7", "function_name must be a string");
}

UNIT_MAIN("local_config", NULL, NULL,
          {
            cmocka_unit_test(test_local_config_reads_functions_routes_and_authorizer),
            cmocka_unit_test(test_local_config_refuses_invalid_documents),
            cmocka_unit_test(test_local_config_load_reports_missing_file),
            cmocka_unit_test(test_local_config_reads_function_names_and_schedules),
            cmocka_unit_test(test_local_config_refuses_bad_schedules_and_names),
          })
