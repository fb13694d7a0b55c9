/* test_routes.c - unit tests for mynt-local's route table: matching, path parameters, keys, percent-decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "local/gateway/routes.h"
#include "support/unit_main.h"

static void s_add(routes_table *t, const char *key, size_t function)
{
  assert_int_equal(routes_add(t, key, ROUTES_AUTH_NONE, function), MYNT_OK);
}

/* Fills t with the routes keys[0..] up to a NULL key, each routed to the function of its index. */
static void s_table(routes_table *t, const char *const *keys)
{
  routes_table_init(t);
  for(size_t i = 0; keys[i]; i++)
    s_add(t, keys[i], i);
}

/* Returns the key of the route matched for method and path, $default left out when skip_default
 * is set ("" when none: then the match names no route), and its function in *out_function (may be
 * NULL; untouched when none). */
static const char *s_route(const routes_table *t, const char *method, const char *path, int skip_default,
                           size_t *out_function)
{
  static char key[256];
  routes_match m;
  mynt_status st = routes_find(t, method, path, skip_default, &m);
  snprintf(key, sizeof(key), "%s", st == MYNT_OK ? m.route->key : "");
  if(st == MYNT_OK) {
    if(out_function)
      *out_function = m.route->function;
    routes_match_free(&m);
  }
  else {
    assert_int_equal(st, MYNT_NOT_FOUND);
    assert_null(m.route);
  }
  return key;
}

/* As s_route, with $default considered. */
static const char *s_key(const routes_table *t, const char *method, const char *path)
{
  return s_route(t, method, path, 0, NULL);
}

/* Route tables and the route each request should reach. */
static void test_routes_pick_the_most_specific_route(void **state)
{
  (void)state;
  const struct {
    const char *name;
    const char *keys[6]; /* NULL ends the table (5 at the most) */
    struct {
      const char *method;
      const char *path;
      const char *want; /* "": no route */
    } lookups[8];       /* NULL method ends */
  } cases[] = {
    {"exact, then parameter, then greedy",
     {"ANY /{proxy+}", "GET /pets/{proxy+}", "GET /pets/dog/{id}", "GET /pets/dog/1", "$default"},
     {{"GET", "/pets/dog/1", "GET /pets/dog/1"},
      {"GET", "/pets/dog/2", "GET /pets/dog/{id}"},
      {"GET", "/pets/cat/2", "GET /pets/{proxy+}"},
      {"GET", "/pets/dog/1/toys", "GET /pets/{proxy+}"},
      {"POST", "/pets/dog/1", "ANY /{proxy+}"},
      {"GET", "/", "$default"}}},
    {"a specific method over ANY",
     {"ANY /items", "GET /items", "GET /{proxy+}", "PUT /{proxy+}"},
     {{"GET", "/items", "GET /items"},
      {"DELETE", "/items", "ANY /items"},
      /* a more specific path beats a more specific method */
      {"PUT", "/items", "ANY /items"},
      {"GET", "/other", "GET /{proxy+}"},
      {"PUT", "/other", "PUT /{proxy+}"}}},
    {"not found without $default",
     {"GET /health", "GET /items/{id}"},
     {{"GET", "/health", "GET /health"},
      {"POST", "/health", ""},
      {"GET", "/health/", ""},
      {"GET", "/items", ""},
      {"GET", "/items/", ""},
      {"GET", "/items/1/2", ""},
      {"GET", "/", ""}}},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    routes_table t;
    s_table(&t, cases[i].keys);
    for(size_t l = 0; l < 8 && cases[i].lookups[l].method; l++) {
      const char *got = s_key(&t, cases[i].lookups[l].method, cases[i].lookups[l].path);
      if(strcmp(got, cases[i].lookups[l].want) != 0)
        fail_msg("%s: %s %s reached \"%s\", not \"%s\"", cases[i].name, cases[i].lookups[l].method,
                 cases[i].lookups[l].path, got, cases[i].lookups[l].want);
    }
    routes_table_free(&t);
  }
}

static void test_routes_skip_default_when_asked(void **state)
{
  (void)state;
  routes_table t;
  s_table(&t, (const char *const[]){"$default", "GET /health", NULL});
  size_t function = 0;
  assert_string_equal(s_route(&t, "GET", "/index.html", 1, NULL), "");
  assert_string_equal(s_route(&t, "GET", "/health", 1, &function), "GET /health");
  assert_int_equal(function, 1);
  routes_table_free(&t);
}

static void test_routes_extract_decoded_path_parameters(void **state)
{
  (void)state;
  routes_table t;
  s_table(&t, (const char *const[]){"GET /users/{user_id}/items/{item_id}", "GET /files/{path+}", NULL});
  routes_match m;
  assert_int_equal(routes_find(&t, "GET", "/users/u%201/items/it-9", 0, &m), MYNT_OK);
  assert_int_equal(m.n_params, 2);
  assert_string_equal(m.params[0].name, "user_id");
  assert_string_equal(m.params[0].value, "u 1");
  assert_string_equal(m.params[1].name, "item_id");
  assert_string_equal(m.params[1].value, "it-9");
  routes_match_free(&m);
  assert_int_equal(routes_find(&t, "GET", "/files/a/b%2Fc/d.txt", 0, &m), MYNT_OK);
  assert_int_equal(m.n_params, 1);
  assert_string_equal(m.params[0].name, "path");
  assert_string_equal(m.params[0].value, "a/b/c/d.txt");
  routes_match_free(&m);
  /* a literal segment matches its percent-encoded spelling too */
  s_add(&t, "GET /health", 0);
  assert_string_equal(s_key(&t, "GET", "/he%61lth"), "GET /health");
  routes_table_free(&t);
}

static void test_routes_refuse_malformed_or_repeated_keys(void **state)
{
  (void)state;
  routes_table t;
  routes_table_init(&t);
  const char *bad[] = {"GET",     "GET health", "get /health", "GET /a//b", "GET /{proxy+}/x",
                       "GET /{}", "GET /a{b}",  "GET /a b",    "/health",   "GET /x?y=1"};
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(routes_add(&t, bad[i], ROUTES_AUTH_NONE, 0), MYNT_BAD_REQUEST);
  assert_int_equal(t.count, 0);
  s_add(&t, "GET /", 0);
  assert_int_equal(routes_add(&t, "GET /", ROUTES_AUTH_NONE, 0), MYNT_BAD_REQUEST);
  assert_string_equal(s_key(&t, "GET", "/"), "GET /");
  routes_table_free(&t);
}

static void test_routes_percent_decode_keeps_malformed_escapes(void **state)
{
  (void)state;
  size_t n = 0;
  char *s = routes_percent_decode("a%2Bb+c%zz%4", 12, 1, &n);
  assert_string_equal(s, "a+b c%zz%4");
  assert_int_equal(n, strlen("a+b c%zz%4"));
  free(s);
  s = routes_percent_decode("x%00y", 5, 0, &n);
  assert_int_equal(n, 3);
  free(s);
}

UNIT_MAIN("routes", NULL, NULL,
          {
            cmocka_unit_test(test_routes_pick_the_most_specific_route),
            cmocka_unit_test(test_routes_skip_default_when_asked),
            cmocka_unit_test(test_routes_extract_decoded_path_parameters),
            cmocka_unit_test(test_routes_refuse_malformed_or_repeated_keys),
            cmocka_unit_test(test_routes_percent_decode_keeps_malformed_escapes),
          })
