/* test_local_config.c - unit tests for mynt-local's routes file and its static web app files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local/gateway/local_config.h"
#include "local/gateway/static_files.h"

/* ---- the routes file -------------------------------------------------------------- */

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

/* ---- static files ----------------------------------------------------------------- */

static char s_root[PATH_MAX];     /* <tmp>/web */
static char s_base[PATH_MAX];     /* <tmp> */

static void s_write(const char *rel, const char *text)
{
  char path[PATH_MAX + 64];
  snprintf(path, sizeof(path), "%s/%s", s_base, rel);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int s_setup_web(void **state)
{
  (void)state;
  snprintf(s_base, sizeof(s_base), "/tmp/mynt-local-web-XXXXXX");
  if(!mkdtemp(s_base))
    return -1;
  char path[PATH_MAX + 64];
  snprintf(path, sizeof(path), "%s/web", s_base);
  mkdir(path, 0755);
  snprintf(path, sizeof(path), "%s/web/sub", s_base);
  mkdir(path, 0755);
  s_write("web/index.html", "<h1>home</h1>");
  s_write("web/app.mjs", "export {}");
  s_write("web/sub/index.html", "<h1>sub</h1>");
  s_write("web/a b.css", "body{}");
  s_write("secret.txt", "secret");
  char target[PATH_MAX + 64];
  snprintf(target, sizeof(target), "%s/secret.txt", s_base);
  snprintf(path, sizeof(path), "%s/web/escape.txt", s_base);
  if(symlink(target, path) != 0)
    return -1;
  snprintf(path, sizeof(path), "%s/web", s_base);
  return realpath(path, s_root) ? 0 : -1;
}

static int s_teardown_web(void **state)
{
  (void)state;
  const char *rel[] = {"web/index.html", "web/app.mjs", "web/sub/index.html", "web/a b.css",
                       "web/escape.txt", "secret.txt", "web/sub", "web", ""};
  for(size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", s_base, rel[i]);
    remove(path);
  }
  return 0;
}

/* Opens raw_path; returns its content ("" when refused) and type via out_type. */
static const char *s_open(const char *raw_path, const char **out_type)
{
  static char content[256];
  int fd = -1;
  off_t size = 0;
  *out_type = NULL;
  content[0] = '\0';
  mynt_status st = static_files_open(s_root, raw_path, &fd, &size, out_type);
  if(st != MYNT_OK) {
    assert_int_equal(st, MYNT_NOT_FOUND);
    assert_int_equal(fd, -1);
    return content;
  }
  ssize_t n = read(fd, content, sizeof(content) - 1);
  close(fd);
  assert_int_equal(n, size);
  content[n > 0 ? n : 0] = '\0';
  return content;
}

static void test_static_files_serve_index_and_typed_files(void **state)
{
  (void)state;
  const char *type;
  assert_string_equal(s_open("/", &type), "<h1>home</h1>");
  assert_string_equal(type, "text/html; charset=utf-8");
  assert_string_equal(s_open("/sub/", &type), "<h1>sub</h1>");
  assert_string_equal(s_open("/app.mjs", &type), "export {}");
  assert_string_equal(type, "text/javascript; charset=utf-8");
  assert_string_equal(s_open("/a%20b.css", &type), "body{}");
  assert_string_equal(type, "text/css; charset=utf-8");
  assert_string_equal(s_open("/missing.js", &type), "");
  assert_string_equal(s_open("/sub", &type), "");
}

static void test_static_files_refuse_paths_outside_the_root(void **state)
{
  (void)state;
  const char *type;
  const char *refused[] = {"/../secret.txt", "/%2e%2e/secret.txt", "/sub/../../secret.txt",
                           "/sub/%2E%2E/%2e%2e/secret.txt", "/..%2fsecret.txt",
                           "/escape.txt", "/index.html%00.png", "/sub\\..\\..\\secret.txt",
                           "", "index.html"};
  for(size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
    assert_string_equal(s_open(refused[i], &type), "");
}

static void test_static_files_know_the_app_content_types(void **state)
{
  (void)state;
  assert_string_equal(static_files_content_type("/a/index.HTML"), "text/html; charset=utf-8");
  assert_string_equal(static_files_content_type("x.json"), "application/json");
  assert_string_equal(static_files_content_type("x.svg"), "image/svg+xml");
  assert_string_equal(static_files_content_type("x.png"), "image/png");
  assert_string_equal(static_files_content_type("favicon.ico"), "image/x-icon");
  assert_string_equal(static_files_content_type("x.d/noext"), "application/octet-stream");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_local_config_reads_functions_routes_and_authorizer),
    cmocka_unit_test(test_local_config_refuses_invalid_documents),
    cmocka_unit_test(test_local_config_load_reports_missing_file),
    cmocka_unit_test(test_static_files_serve_index_and_typed_files),
    cmocka_unit_test(test_static_files_refuse_paths_outside_the_root),
    cmocka_unit_test(test_static_files_know_the_app_content_types),
  };
  return cmocka_run_group_tests(tests, s_setup_web, s_teardown_web);
}
