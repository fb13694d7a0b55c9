/* test_authorizer.c - unit tests for mynt-local's JWT authorizer: the key set fetched from a loopback JWKS, cached
 * and refetched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "core/clock.h"
#include "local/gateway/authorizer.h"
#include "local/gateway/jwt.h"
#include "support/jwt_forge.h"
#include "support/unit_main.h"

#define ISSUER "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
#define CLIENT "clientid"

static jwt_forge_keys s_keys; /* made once for the group */

/* The pool's JWKS server (serving key a at first), an authorizer using it, and tokens by keys a and b. */
typedef struct {
  jwt_forge_jwks_server srv;
  authorizer *a;
  char *token_a;
  char *token_b;
} s_fixture;

static char *s_token(EVP_PKEY *key, const char *kid)
{
  return jwt_forge_id_token(key, kid, ISSUER, CLIENT, NULL);
}

static authorizer *s_authorizer(int port, int64_t min_refetch_ms)
{
  char url[128];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/us-east-1_abc/.well-known/jwks.json", port);
  char *auds[] = {CLIENT};
  local_config_authorizer cfg = {ISSUER, auds, 1, url};
  authorizer *a = NULL;
  assert_int_equal(authorizer_new(&cfg, min_refetch_ms, &a), MYNT_OK);
  return a;
}

static int s_setup(void **state, int64_t min_refetch_ms)
{
  s_fixture *f = calloc(1, sizeof(*f));
  assert_non_null(f);
  jwt_forge_jwks_start(&f->srv, jwt_forge_jwks(s_keys.a, "a", NULL));
  f->a = s_authorizer(f->srv.port, min_refetch_ms);
  f->token_a = s_token(s_keys.a, "a");
  f->token_b = s_token(s_keys.b, "b");
  *state = f;
  return 0;
}

/* An authorizer that refetches the key set at most once a minute. */
static int s_setup_cached(void **state)
{
  return s_setup(state, 60000);
}

/* An authorizer that may refetch the key set at any time. */
static int s_setup_eager(void **state)
{
  return s_setup(state, 0);
}

static int s_teardown(void **state)
{
  s_fixture *f = *state;
  authorizer_free(f->a);
  jwt_forge_jwks_stop(&f->srv);
  free(f->token_a);
  free(f->token_b);
  free(f);
  return 0;
}

static void test_authorizer_fetches_the_key_set_once_and_caches_it(void **state)
{
  s_fixture *f = *state;
  char bearer[8192];
  snprintf(bearer, sizeof(bearer), "Bearer %s", f->token_a);
  json_t *claims = NULL;
  for(int i = 0; i < 3; i++) {
    assert_int_equal(authorizer_check(f->a, bearer, &claims), MYNT_OK);
    json_decref(claims);
  }
  assert_int_equal(authorizer_check(f->a, f->token_a, &claims), MYNT_OK); /* no "Bearer " also works */
  json_decref(claims);
  assert_int_equal(authorizer_fetch_count(f->a), 1);
  assert_int_equal(jwt_forge_jwks_hits(&f->srv), 1);
}

/* Has f's authorizer fetch the key set (key a, for token a), then has the pool rotate its keys to
 * a and b: the authorizer's cached set does not hold key b yet. */
static void s_cache_key_a_then_rotate(s_fixture *f)
{
  json_t *claims = NULL;
  assert_int_equal(authorizer_check(f->a, f->token_a, &claims), MYNT_OK);
  json_decref(claims);
  jwt_forge_jwks_set(&f->srv, jwt_forge_jwks(s_keys.a, "a", s_keys.b, "b", NULL));
}

static void test_authorizer_refetches_once_when_a_kid_is_unknown(void **state)
{
  s_fixture *f = *state;
  s_cache_key_a_then_rotate(f);
  json_t *claims = NULL;
  assert_int_equal(authorizer_check(f->a, f->token_b, &claims), MYNT_OK);
  json_decref(claims);
  assert_int_equal(authorizer_fetch_count(f->a), 2);
  /* an unknown kid triggers exactly one refetch, then is refused */
  char *token_c = s_token(s_keys.evil, "c");
  assert_int_equal(authorizer_check(f->a, token_c, &claims), MYNT_UNAUTHORIZED);
  assert_null(claims);
  assert_int_equal(authorizer_fetch_count(f->a), 3);
  free(token_c);
}

static void test_authorizer_rate_limits_refetches(void **state)
{
  s_fixture *f = *state;
  s_cache_key_a_then_rotate(f);
  json_t *claims = NULL;
  for(int i = 0; i < 5; i++)
    assert_int_equal(authorizer_check(f->a, f->token_b, &claims), MYNT_UNAUTHORIZED);
  assert_int_equal(authorizer_fetch_count(f->a), 1);
}

static void test_authorizer_refuses_a_token_issued_in_the_future(void **state)
{
  s_fixture *f = *state;
  char extra[64];
  snprintf(extra, sizeof(extra), "{\"iat\":%lld}", (long long)(clock_epoch_ms() / 1000 + 3600));
  char *future = jwt_forge_id_token(s_keys.a, "a", ISSUER, CLIENT, extra);
  json_t *claims = NULL;
  assert_int_equal(authorizer_check(f->a, future, &claims), MYNT_UNAUTHORIZED);
  assert_null(claims);
  /* the same key and claims issued now pass: only iat made the difference */
  assert_int_equal(authorizer_check(f->a, f->token_a, &claims), MYNT_OK);
  json_decref(claims);
  free(future);
}

static void test_authorizer_refuses_missing_or_empty_headers(void **state)
{
  s_fixture *f = *state;
  const char *refused[] = {NULL, "", "Bearer ", "Bearer not.a.token"};
  for(size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    json_t *claims = NULL;
    mynt_status st = authorizer_check(f->a, refused[i], &claims);
    if(st != MYNT_UNAUTHORIZED || claims)
      fail_msg("Authorization \"%s\": %s, %s claims", refused[i] ? refused[i] : "(none)", mynt_strerror(st),
               claims ? "with" : "no");
  }
}

static void test_authorizer_refuses_everything_when_the_key_set_is_unreachable(void **state)
{
  s_fixture *f = *state;
  jwt_forge_jwks_stop(&f->srv); /* the port is now closed */
  authorizer *a = s_authorizer(f->srv.port, 0);
  json_t *claims = NULL;
  assert_int_equal(authorizer_check(a, f->token_a, &claims), MYNT_UNAUTHORIZED);
  assert_null(claims);
  authorizer_free(a);
}

static int s_setup_keys(void **state)
{
  (void)state;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  return jwt_forge_keys_make(&s_keys);
}

static int s_teardown_keys(void **state)
{
  (void)state;
  jwt_forge_keys_free(&s_keys);
  curl_global_cleanup();
  return 0;
}

UNIT_MAIN(
  "authorizer", s_setup_keys, s_teardown_keys,
  {
    cmocka_unit_test_setup_teardown(test_authorizer_fetches_the_key_set_once_and_caches_it, s_setup_cached, s_teardown),
    cmocka_unit_test_setup_teardown(test_authorizer_refetches_once_when_a_kid_is_unknown, s_setup_eager, s_teardown),
    cmocka_unit_test_setup_teardown(test_authorizer_rate_limits_refetches, s_setup_cached, s_teardown),
    cmocka_unit_test_setup_teardown(test_authorizer_refuses_a_token_issued_in_the_future, s_setup_eager, s_teardown),
    cmocka_unit_test_setup_teardown(test_authorizer_refuses_missing_or_empty_headers, s_setup_eager, s_teardown),
    cmocka_unit_test_setup_teardown(test_authorizer_refuses_everything_when_the_key_set_is_unreachable, s_setup_eager,
                                    s_teardown),
  })
