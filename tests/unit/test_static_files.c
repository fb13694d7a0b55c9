/* test_static_files.c - unit tests for mynt-local's static web app files: index pages, types, the root's fence. */
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

#include "local/gateway/static_files.h"
#include "support/unit_main.h"

static char s_root[PATH_MAX]; /* <tmp>/web */
static char s_base[PATH_MAX]; /* <tmp> */

/* The tree under <tmp>, parents first: a directory (no text, no link), a file, or a symbolic link to a path
 * under <tmp>. */
static const struct {
  const char *rel;
  const char *text;
  const char *link_to;
} s_tree[] = {
  {"web", NULL, NULL},
  {"web/sub", NULL, NULL},
  {"web/index.html", "<h1>home</h1>", NULL},
  {"web/app.mjs", "export {}", NULL},
  {"web/sub/index.html", "<h1>sub</h1>", NULL},
  {"web/a b.css", "body{}", NULL},
  {"secret.txt", "secret", NULL},
  {"web/escape.txt", NULL, "secret.txt"},
};

static void s_path(char *out, size_t cap, const char *rel)
{
  snprintf(out, cap, "%s/%s", s_base, rel);
}

/* Makes one entry of s_tree; returns 0 or -1. */
static int s_make(size_t i)
{
  char path[PATH_MAX + 64];
  s_path(path, sizeof(path), s_tree[i].rel);
  if(s_tree[i].link_to) {
    char target[PATH_MAX + 64];
    s_path(target, sizeof(target), s_tree[i].link_to);
    return symlink(target, path);
  }
  if(!s_tree[i].text)
    return mkdir(path, 0755);
  FILE *f = fopen(path, "w");
  if(!f)
    return -1;
  fputs(s_tree[i].text, f);
  return fclose(f);
}

static int s_setup_web(void **state)
{
  (void)state;
  snprintf(s_base, sizeof(s_base), "/tmp/mynt-local-web-XXXXXX");
  if(!mkdtemp(s_base))
    return -1;
  for(size_t i = 0; i < sizeof(s_tree) / sizeof(s_tree[0]); i++) {
    if(s_make(i) != 0)
      return -1;
  }
  char path[PATH_MAX + 64];
  s_path(path, sizeof(path), "web");
  return realpath(path, s_root) ? 0 : -1;
}

static int s_teardown_web(void **state)
{
  (void)state;
  char path[PATH_MAX + 64];
  for(size_t i = sizeof(s_tree) / sizeof(s_tree[0]); i-- > 0;) {
    s_path(path, sizeof(path), s_tree[i].rel);
    remove(path);
  }
  remove(s_base);
  return 0;
}

/* What an open answered (st, fd, size): the file's content, or "" when it was refused as not
 * found. Closes fd. The text is static, overwritten by the next call. */
static const char *s_content(mynt_status st, int fd, off_t size)
{
  static char content[256];
  content[0] = '\0';
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

/* Opens raw_path; returns its content ("" when refused) and type via out_type. */
static const char *s_open(const char *raw_path, const char **out_type)
{
  int fd = -1;
  off_t size = 0;
  mynt_status st = static_files_open(s_root, raw_path, &fd, &size, out_type);
  return s_content(st, fd, size);
}

/* Opens raw_path under mount m; returns its content ("" when refused). */
static const char *s_mount_open(const static_files_mount *m, const char *raw_path)
{
  int fd = -1;
  off_t size = 0;
  const char *type = NULL;
  mynt_status st = static_files_mount_open(m, raw_path, &fd, &size, &type);
  return s_content(st, fd, size);
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
  const char *refused[] = {"/../secret.txt",
                           "/%2e%2e/secret.txt",
                           "/sub/../../secret.txt",
                           "/sub/%2E%2E/%2e%2e/secret.txt",
                           "/..%2fsecret.txt",
                           "/escape.txt",
                           "/index.html%00.png",
                           "/sub\\..\\..\\secret.txt",
                           "",
                           "index.html"};
  for(size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    const char *got = s_open(refused[i], &type);
    if(got[0])
      fail_msg("\"%s\" was served: %s", refused[i], got);
  }
}

static void test_static_files_know_the_app_content_types(void **state)
{
  (void)state;
  const struct {
    const char *name;
    const char *type;
  } cases[] = {
    {"/a/index.HTML", "text/html; charset=utf-8"},
    {"x.json", "application/json"},
    {"x.svg", "image/svg+xml"},
    {"x.png", "image/png"},
    {"favicon.ico", "image/x-icon"},
    {"x.d/noext", "application/octet-stream"},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *got = static_files_content_type(cases[i].name);
    if(strcmp(got, cases[i].type) != 0)
      fail_msg("%s is typed %s, not %s", cases[i].name, got, cases[i].type);
  }
}

static void test_static_files_mount_serves_its_directory_under_its_prefix_only(void **state)
{
  (void)state;
  char spec[PATH_MAX + 64];
  snprintf(spec, sizeof(spec), "/plaid/=%s/sub", s_root);
  static_files_mount m;
  mynt_detail why;
  assert_int_equal(static_files_mount_parse(spec, &m, &why), MYNT_OK);
  assert_string_equal(m.prefix, "/plaid/");
  assert_string_equal(s_mount_open(&m, "/plaid/"), "<h1>sub</h1>");
  assert_string_equal(s_mount_open(&m, "/plaid/index.html"), "<h1>sub</h1>");
  assert_string_equal(s_mount_open(&m, "/index.html"), "");
  assert_string_equal(s_mount_open(&m, "/plaidx/index.html"), "");
  assert_string_equal(s_mount_open(&m, "/plaid/../index.html"), "");
  assert_string_equal(s_mount_open(&m, "/plaid/%2e%2e/app.mjs"), "");
  static_files_mount_free(&m);
  assert_null(m.prefix);
  assert_null(m.root_real);
  static_files_mount_free(&m);
}

static void test_static_files_mount_refuses_bad_prefixes_and_missing_directories(void **state)
{
  (void)state;
  char not_a_dir[PATH_MAX + 64];
  char missing[PATH_MAX + 64];
  snprintf(not_a_dir, sizeof(not_a_dir), "/plaid/=%s/index.html", s_root);
  snprintf(missing, sizeof(missing), "/plaid/=%s/none", s_root);
  const struct {
    const char *spec;
    const char *needle;
  } cases[] = {
    {"/plaid/", "PREFIX=DIR"}, {"/plaid/=", "PREFIX=DIR"},     {NULL, "PREFIX=DIR"},         {"plaid/=/tmp", "prefix"},
    {"/plaid=/tmp", "prefix"}, {"/=/tmp", "prefix"},           {"/a b/=/tmp", "prefix"},     {"/a/../=/tmp", "prefix"},
    {"/./=/tmp", "prefix"},    {not_a_dir, "not a directory"}, {missing, "not a directory"},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    static_files_mount m;
    mynt_detail why;
    mynt_detail_clear(&why);
    mynt_status st = static_files_mount_parse(cases[i].spec, &m, &why);
    if(st != MYNT_BAD_REQUEST || !strstr(mynt_detail_text(&why), cases[i].needle))
      fail_msg("\"%s\": status %d, \"%s\"; expected a refusal mentioning \"%s\"",
               cases[i].spec ? cases[i].spec : "NULL", (int)st, mynt_detail_text(&why), cases[i].needle);
    assert_null(m.prefix);
    assert_null(m.root_real);
  }
}

UNIT_MAIN("static_files", s_setup_web, s_teardown_web,
          {
            cmocka_unit_test(test_static_files_serve_index_and_typed_files),
            cmocka_unit_test(test_static_files_refuse_paths_outside_the_root),
            cmocka_unit_test(test_static_files_know_the_app_content_types),
            cmocka_unit_test(test_static_files_mount_serves_its_directory_under_its_prefix_only),
            cmocka_unit_test(test_static_files_mount_refuses_bad_prefixes_and_missing_directories),
          })
