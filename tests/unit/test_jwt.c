/* test_jwt.c - unit tests for the JWT authorizer: token verification and the cached JWKS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "core/buf.h"
#include "core/clock.h"
#include "local/authorizer.h"
#include "local/jwt.h"
#include "support/jwt_forge.h"

#define ISSUER "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
#define CLIENT "clientid"

/* ---- keys, key sets and tokens made in the test ----------------------------------- */

static EVP_PKEY *s_key_a;      /* the pool's key, kid "a" */
static EVP_PKEY *s_key_b;      /* a second key, kid "b" */
static EVP_PKEY *s_key_evil;   /* an attacker's key that claims kid "a" */

static char *s_b64url_text(const char *text)
{
  return jwt_forge_b64url(text, strlen(text));
}

/* Returns the key set {"keys":[...]} for the given (key, kid) pairs, NULL-terminated. */
static json_t *s_jwks(EVP_PKEY *key, const char *kid, ...)
{
  json_t *keys = json_array();
  va_list ap;
  va_start(ap, kid);
  while(key) {
    json_array_append_new(keys, jwt_forge_jwk(key, kid));
    key = va_arg(ap, EVP_PKEY *);
    if(key)
      kid = va_arg(ap, const char *);
  }
  va_end(ap);
  return json_pack("{s:o}", "keys", keys);
}

/* Claims of a Cognito ID token valid for an hour, with extra members merged in. */
static char *s_id_claims(const char *extra_json)
{
  int64_t now = clock_epoch_ms() / 1000;
  json_t *claims = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:b,s:s}", "sub", "user-1", "iss",
                             ISSUER, "aud", CLIENT, "token_use", "id", "iat", (json_int_t)now,
                             "exp", (json_int_t)(now + 3600), "email", "a@example.com",
                             "email_verified", 1, "cognito:username", "alice");
  if(extra_json) {
    json_t *extra = json_loads(extra_json, 0, NULL);
    assert_non_null(extra);
    json_object_update(claims, extra);
    json_t *v;
    const char *k;
    void *tmp;
    json_object_foreach_safe(extra, tmp, k, v) {
      if(json_is_null(v))
        json_object_del(claims, k);
    }
    json_decref(extra);
  }
  char *text = json_dumps(claims, JSON_COMPACT);
  json_decref(claims);
  return text;
}

static char *s_token(EVP_PKEY *key, const char *kid, const char *extra_claims)
{
  char header[128];
  snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
  char *claims = s_id_claims(extra_claims);
  char *token = jwt_forge_sign(key, header, claims);
  free(claims);
  return token;
}

static const char *const s_audiences[] = {"other-client", CLIENT};
static const jwt_policy s_policy = {ISSUER, s_audiences, 2};

/* Verifies token against a key set holding key a; returns the status. */
static mynt_status s_verify(const char *token, json_t **out_claims)
{
  json_t *jwks = s_jwks(s_key_a, "a", NULL);
  mynt_status st = jwt_verify(token, jwks, &s_policy, clock_epoch_ms() / 1000, out_claims);
  json_decref(jwks);
  return st;
}

static void s_expect_rejected(const char *token)
{
  json_t *claims = (json_t *)1;
  assert_int_equal(s_verify(token, &claims), MYNT_UNAUTHORIZED);
  assert_null(claims);
}

static void s_expect_rejected_claims(const char *extra)
{
  char *token = s_token(s_key_a, "a", extra);
  s_expect_rejected(token);
  free(token);
}

static int s_setup_keys(void **state)
{
  (void)state;
  s_key_a = EVP_RSA_gen(2048);
  s_key_b = EVP_RSA_gen(2048);
  s_key_evil = EVP_RSA_gen(2048);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  return s_key_a && s_key_b && s_key_evil ? 0 : -1;
}

static int s_teardown_keys(void **state)
{
  (void)state;
  EVP_PKEY_free(s_key_a);
  EVP_PKEY_free(s_key_b);
  EVP_PKEY_free(s_key_evil);
  curl_global_cleanup();
  return 0;
}

/* ---- jwt_verify ------------------------------------------------------------------- */

static void test_jwt_accepts_valid_id_token_and_returns_claims(void **state)
{
  (void)state;
  char *token = s_token(s_key_a, "a", NULL);
  json_t *claims = NULL;
  assert_int_equal(s_verify(token, &claims), MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(claims, "sub")), "user-1");
  assert_string_equal(json_string_value(json_object_get(claims, "email")), "a@example.com");
  json_decref(claims);
  free(token);
}

static void test_jwt_accepts_access_token_with_client_id_and_no_aud(void **state)
{
  (void)state;
  char *token = s_token(s_key_a, "a",
                        "{\"aud\":null,\"client_id\":\"clientid\",\"token_use\":\"access\","
                        "\"scope\":\"aws.cognito.signin.user.admin\"}");
  json_t *claims = NULL;
  assert_int_equal(s_verify(token, &claims), MYNT_OK);
  assert_null(json_object_get(claims, "aud"));
  json_decref(claims);
  free(token);
}

static void test_jwt_accepts_aud_array_that_contains_an_audience(void **state)
{
  (void)state;
  char *token = s_token(s_key_a, "a", "{\"aud\":[\"someone-else\",\"clientid\"]}");
  json_t *claims = NULL;
  assert_int_equal(s_verify(token, &claims), MYNT_OK);
  json_decref(claims);
  free(token);
}

static void test_jwt_rejects_expired_token(void **state)
{
  (void)state;
  char extra[64];
  snprintf(extra, sizeof(extra), "{\"exp\":%lld}", (long long)(clock_epoch_ms() / 1000 - 1));
  s_expect_rejected_claims(extra);
  s_expect_rejected_claims("{\"exp\":null}");
  s_expect_rejected_claims("{\"exp\":\"9999999999\"}");
}

static void test_jwt_rejects_token_not_yet_valid(void **state)
{
  (void)state;
  char extra[64];
  snprintf(extra, sizeof(extra), "{\"nbf\":%lld}", (long long)(clock_epoch_ms() / 1000 + 120));
  s_expect_rejected_claims(extra);
  snprintf(extra, sizeof(extra), "{\"nbf\":%lld}", (long long)(clock_epoch_ms() / 1000 - 5));
  char *token = s_token(s_key_a, "a", extra);
  json_t *claims = NULL;
  assert_int_equal(s_verify(token, &claims), MYNT_OK);
  json_decref(claims);
  free(token);
}

static void test_jwt_rejects_wrong_issuer(void **state)
{
  (void)state;
  s_expect_rejected_claims("{\"iss\":\"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_xyz\"}");
  s_expect_rejected_claims("{\"iss\":null}");
}

static void test_jwt_rejects_wrong_audience(void **state)
{
  (void)state;
  s_expect_rejected_claims("{\"aud\":\"not-our-client\"}");
  s_expect_rejected_claims("{\"aud\":[\"not-our-client\"]}");
  /* an aud that does not match is not rescued by a matching client_id */
  s_expect_rejected_claims("{\"aud\":\"not-our-client\",\"client_id\":\"clientid\"}");
}

static void test_jwt_rejects_wrong_or_missing_client_id(void **state)
{
  (void)state;
  s_expect_rejected_claims("{\"aud\":null,\"client_id\":\"not-our-client\",\"token_use\":\"access\"}");
  s_expect_rejected_claims("{\"aud\":null,\"token_use\":\"access\"}");
}

static void test_jwt_rejects_other_token_use(void **state)
{
  (void)state;
  s_expect_rejected_claims("{\"token_use\":\"refresh\"}");
  s_expect_rejected_claims("{\"token_use\":null}");
}

static void test_jwt_rejects_signature_by_another_key_with_the_same_kid(void **state)
{
  (void)state;
  char *token = s_token(s_key_evil, "a", NULL);
  s_expect_rejected(token);
  free(token);
}

static void test_jwt_rejects_alg_none_and_hs256(void **state)
{
  (void)state;
  char *claims = s_id_claims(NULL);
  char *c = s_b64url_text(claims);
  const char *headers[] = {"{\"alg\":\"none\",\"kid\":\"a\"}", "{\"alg\":\"HS256\",\"kid\":\"a\"}",
                           "{\"alg\":\"RS512\",\"kid\":\"a\"}", "{\"kid\":\"a\"}"};
  for(size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
    char *h = s_b64url_text(headers[i]);
    char token[4096];
    snprintf(token, sizeof(token), "%s.%s.", h, c);
    s_expect_rejected(token);
    snprintf(token, sizeof(token), "%s.%s.c2lnbmF0dXJl", h, c);
    s_expect_rejected(token);
    free(h);
  }
  /* a properly RS256-signed token whose header then claims HS256 */
  char *good = s_token(s_key_a, "a", NULL);
  char *h = s_b64url_text("{\"alg\":\"HS256\",\"kid\":\"a\",\"typ\":\"JWT\"}");
  const char *rest = strchr(good, '.');
  char token[4096];
  snprintf(token, sizeof(token), "%s%s", h, rest);
  s_expect_rejected(token);
  free(h);
  free(good);
  free(c);
  free(claims);
}

static void test_jwt_rejects_malformed_tokens(void **state)
{
  (void)state;
  char *good = s_token(s_key_a, "a", NULL);
  const char *dot1 = strchr(good, '.');
  const char *dot2 = strchr(dot1 + 1, '.');
  char token[4096];

  s_expect_rejected("");
  s_expect_rejected("abc");
  s_expect_rejected("a.b");
  s_expect_rejected("..");
  snprintf(token, sizeof(token), "%s.extra", good);
  s_expect_rejected(token);
  /* bad base64url in each part */
  snprintf(token, sizeof(token), "%.*s*%s", (int)(dot1 - good), good, dot1);
  s_expect_rejected(token);
  snprintf(token, sizeof(token), "%.*s=%s", (int)(dot2 - good), good, dot2);
  s_expect_rejected(token);
  snprintf(token, sizeof(token), "%s$", good);
  s_expect_rejected(token);
  /* a header that is not JSON, and one that is not an object */
  char *h = s_b64url_text("{\"alg\":\"RS256\",\"kid\":");
  snprintf(token, sizeof(token), "%s%s", h, dot1);
  s_expect_rejected(token);
  free(h);
  h = s_b64url_text("[\"RS256\"]");
  snprintf(token, sizeof(token), "%s%s", h, dot1);
  s_expect_rejected(token);
  free(h);
  /* a payload that is not JSON, signed properly */
  char *bad_payload = jwt_forge_sign(s_key_a, "{\"alg\":\"RS256\",\"kid\":\"a\"}", "not json");
  s_expect_rejected(bad_payload);
  free(bad_payload);
  /* a tampered payload keeps the old signature */
  char *other = s_token(s_key_a, "a", "{\"sub\":\"user-2\"}");
  const char *o1 = strchr(other, '.');
  const char *o2 = strchr(o1 + 1, '.');
  snprintf(token, sizeof(token), "%.*s%.*s%s", (int)(dot1 - good), good, (int)(o2 - o1), o1, dot2);
  s_expect_rejected(token);
  free(other);
  /* an over-long token */
  char *huge = malloc(JWT_MAX_TOKEN + 2);
  memset(huge, 'A', JWT_MAX_TOKEN + 1);
  huge[JWT_MAX_TOKEN + 1] = '\0';
  s_expect_rejected(huge);
  free(huge);
  free(good);
}

static void test_jwt_reports_unknown_kid_as_not_found(void **state)
{
  (void)state;
  char *token = s_token(s_key_b, "b", NULL);
  json_t *claims = NULL;
  assert_int_equal(s_verify(token, &claims), MYNT_NOT_FOUND);
  assert_null(claims);
  json_t *both = s_jwks(s_key_a, "a", s_key_b, "b", NULL);
  assert_int_equal(jwt_verify(token, both, &s_policy, clock_epoch_ms() / 1000, &claims), MYNT_OK);
  json_decref(claims);
  json_decref(both);
  free(token);
}

static void test_jwt_key_from_jwk_refuses_unusable_keys(void **state)
{
  (void)state;
  EVP_PKEY *key = NULL;
  json_t *jwk = jwt_forge_jwk(s_key_a, "a");
  assert_int_equal(jwt_key_from_jwk(jwk, &key), MYNT_OK);
  assert_non_null(key);
  EVP_PKEY_free(key);

  json_object_set_new(jwk, "alg", json_string("RS512"));
  assert_int_equal(jwt_key_from_jwk(jwk, &key), MYNT_UNAUTHORIZED);
  json_object_set_new(jwk, "alg", json_string("RS256"));
  json_object_set_new(jwk, "use", json_string("enc"));
  assert_int_equal(jwt_key_from_jwk(jwk, &key), MYNT_UNAUTHORIZED);
  json_object_del(jwk, "use");
  json_object_set_new(jwk, "kty", json_string("EC"));
  assert_int_equal(jwt_key_from_jwk(jwk, &key), MYNT_UNAUTHORIZED);
  json_object_set_new(jwk, "kty", json_string("RSA"));
  json_object_set_new(jwk, "n", json_string("AQAB"));
  assert_int_equal(jwt_key_from_jwk(jwk, &key), MYNT_UNAUTHORIZED);
  json_object_set_new(jwk, "n", json_string("not base64!"));
  assert_int_equal(jwt_key_from_jwk(jwk, &key), MYNT_UNAUTHORIZED);
  assert_null(key);
  json_decref(jwk);
}

static void test_jwt_claims_for_event_turns_values_into_strings(void **state)
{
  (void)state;
  json_t *claims = json_loads("{\"sub\":\"u\",\"exp\":1700000000,\"ratio\":1.5,\"ok\":true,"
                              "\"no\":false,\"groups\":[\"admin\",\"users\",3],"
                              "\"scope\":\"read  write\",\"obj\":{\"a\":1}}",
                              0, NULL);
  json_t *out = NULL, *scopes = NULL;
  assert_int_equal(jwt_claims_for_event(claims, &out, &scopes), MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(out, "sub")), "u");
  assert_string_equal(json_string_value(json_object_get(out, "exp")), "1700000000");
  assert_string_equal(json_string_value(json_object_get(out, "ratio")), "1.5");
  assert_string_equal(json_string_value(json_object_get(out, "ok")), "true");
  assert_string_equal(json_string_value(json_object_get(out, "no")), "false");
  assert_string_equal(json_string_value(json_object_get(out, "groups")), "[admin users 3]");
  assert_string_equal(json_string_value(json_object_get(out, "obj")), "{\"a\":1}");
  assert_int_equal(json_array_size(scopes), 2);
  assert_string_equal(json_string_value(json_array_get(scopes, 0)), "read");
  assert_string_equal(json_string_value(json_array_get(scopes, 1)), "write");
  json_decref(out);
  json_decref(scopes);
  json_object_del(claims, "scope");
  assert_int_equal(jwt_claims_for_event(claims, &out, &scopes), MYNT_OK);
  assert_true(json_is_null(scopes));
  json_decref(out);
  json_decref(scopes);
  json_decref(claims);
}

/* ---- the authorizer, with a JWKS served on loopback --------------------------------- */

static authorizer *s_authorizer(int port, int64_t min_refetch_ms)
{
  char url[128];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/us-east-1_abc/.well-known/jwks.json", port);
  char *auds[] = {CLIENT};
  local_config_authorizer cfg = {ISSUER, auds, 1, url};
  authorizer *a = authorizer_create(&cfg, min_refetch_ms);
  assert_non_null(a);
  return a;
}

static char *s_bearer(const char *token)
{
  char *h = malloc(strlen(token) + 8);
  sprintf(h, "Bearer %s", token);
  return h;
}

static void test_authorizer_fetches_the_key_set_once_and_caches_it(void **state)
{
  (void)state;
  jwt_forge_jwks_server srv;
  jwt_forge_jwks_start(&srv, s_jwks(s_key_a, "a", NULL));
  authorizer *a = s_authorizer(srv.port, 60000);
  char *token = s_token(s_key_a, "a", NULL);
  char *bearer = s_bearer(token);
  json_t *claims = NULL;
  for(int i = 0; i < 3; i++) {
    assert_int_equal(authorizer_check(a, bearer, &claims), MYNT_OK);
    json_decref(claims);
  }
  assert_int_equal(authorizer_check(a, token, &claims), MYNT_OK); /* no "Bearer " also works */
  json_decref(claims);
  assert_int_equal(authorizer_fetch_count(a), 1);
  assert_int_equal(jwt_forge_jwks_hits(&srv), 1);
  free(bearer);
  free(token);
  authorizer_destroy(a);
  jwt_forge_jwks_stop(&srv);
}

static void test_authorizer_refetches_once_when_a_kid_is_unknown(void **state)
{
  (void)state;
  jwt_forge_jwks_server srv;
  jwt_forge_jwks_start(&srv, s_jwks(s_key_a, "a", NULL));
  authorizer *a = s_authorizer(srv.port, 0);
  char *token_a = s_token(s_key_a, "a", NULL);
  char *token_b = s_token(s_key_b, "b", NULL);
  json_t *claims = NULL;
  assert_int_equal(authorizer_check(a, token_a, &claims), MYNT_OK);
  json_decref(claims);
  /* the pool rotates its keys */
  jwt_forge_jwks_set(&srv, s_jwks(s_key_a, "a", s_key_b, "b", NULL));
  assert_int_equal(authorizer_check(a, token_b, &claims), MYNT_OK);
  json_decref(claims);
  assert_int_equal(authorizer_fetch_count(a), 2);
  /* an unknown kid triggers exactly one refetch, then is refused */
  char *token_c = s_token(s_key_evil, "c", NULL);
  assert_int_equal(authorizer_check(a, token_c, &claims), MYNT_UNAUTHORIZED);
  assert_null(claims);
  assert_int_equal(authorizer_fetch_count(a), 3);
  free(token_a);
  free(token_b);
  free(token_c);
  authorizer_destroy(a);
  jwt_forge_jwks_stop(&srv);
}

static void test_authorizer_rate_limits_refetches(void **state)
{
  (void)state;
  jwt_forge_jwks_server srv;
  jwt_forge_jwks_start(&srv, s_jwks(s_key_a, "a", NULL));
  authorizer *a = s_authorizer(srv.port, 60000);
  char *token_a = s_token(s_key_a, "a", NULL);
  char *token_b = s_token(s_key_b, "b", NULL);
  json_t *claims = NULL;
  assert_int_equal(authorizer_check(a, token_a, &claims), MYNT_OK);
  json_decref(claims);
  jwt_forge_jwks_set(&srv, s_jwks(s_key_a, "a", s_key_b, "b", NULL));
  for(int i = 0; i < 5; i++)
    assert_int_equal(authorizer_check(a, token_b, &claims), MYNT_UNAUTHORIZED);
  assert_int_equal(authorizer_fetch_count(a), 1);
  free(token_a);
  free(token_b);
  authorizer_destroy(a);
  jwt_forge_jwks_stop(&srv);
}

static void test_authorizer_refuses_missing_or_empty_headers(void **state)
{
  (void)state;
  jwt_forge_jwks_server srv;
  jwt_forge_jwks_start(&srv, s_jwks(s_key_a, "a", NULL));
  authorizer *a = s_authorizer(srv.port, 0);
  json_t *claims = NULL;
  assert_int_equal(authorizer_check(a, NULL, &claims), MYNT_UNAUTHORIZED);
  assert_int_equal(authorizer_check(a, "", &claims), MYNT_UNAUTHORIZED);
  assert_int_equal(authorizer_check(a, "Bearer ", &claims), MYNT_UNAUTHORIZED);
  assert_int_equal(authorizer_check(a, "Bearer not.a.token", &claims), MYNT_UNAUTHORIZED);
  assert_null(claims);
  authorizer_destroy(a);
  jwt_forge_jwks_stop(&srv);
}

static void test_authorizer_refuses_everything_when_the_key_set_is_unreachable(void **state)
{
  (void)state;
  jwt_forge_jwks_server srv;
  jwt_forge_jwks_start(&srv, s_jwks(s_key_a, "a", NULL));
  jwt_forge_jwks_stop(&srv); /* the port is now closed */
  authorizer *a = s_authorizer(srv.port, 0);
  char *token = s_token(s_key_a, "a", NULL);
  json_t *claims = NULL;
  assert_int_equal(authorizer_check(a, token, &claims), MYNT_UNAUTHORIZED);
  assert_null(claims);
  free(token);
  authorizer_destroy(a);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_jwt_accepts_valid_id_token_and_returns_claims),
    cmocka_unit_test(test_jwt_accepts_access_token_with_client_id_and_no_aud),
    cmocka_unit_test(test_jwt_accepts_aud_array_that_contains_an_audience),
    cmocka_unit_test(test_jwt_rejects_expired_token),
    cmocka_unit_test(test_jwt_rejects_token_not_yet_valid),
    cmocka_unit_test(test_jwt_rejects_wrong_issuer),
    cmocka_unit_test(test_jwt_rejects_wrong_audience),
    cmocka_unit_test(test_jwt_rejects_wrong_or_missing_client_id),
    cmocka_unit_test(test_jwt_rejects_other_token_use),
    cmocka_unit_test(test_jwt_rejects_signature_by_another_key_with_the_same_kid),
    cmocka_unit_test(test_jwt_rejects_alg_none_and_hs256),
    cmocka_unit_test(test_jwt_rejects_malformed_tokens),
    cmocka_unit_test(test_jwt_reports_unknown_kid_as_not_found),
    cmocka_unit_test(test_jwt_key_from_jwk_refuses_unusable_keys),
    cmocka_unit_test(test_jwt_claims_for_event_turns_values_into_strings),
    cmocka_unit_test(test_authorizer_fetches_the_key_set_once_and_caches_it),
    cmocka_unit_test(test_authorizer_refetches_once_when_a_kid_is_unknown),
    cmocka_unit_test(test_authorizer_rate_limits_refetches),
    cmocka_unit_test(test_authorizer_refuses_missing_or_empty_headers),
    cmocka_unit_test(test_authorizer_refuses_everything_when_the_key_set_is_unreachable),
  };
  return cmocka_run_group_tests(tests, s_setup_keys, s_teardown_keys);
}
