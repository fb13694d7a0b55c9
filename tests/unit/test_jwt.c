/* test_jwt.c - unit tests for mynt-local's JWT verification: signatures, claims, keys from JWKs, base64url. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "core/buf.h"
#include "core/clock.h"
#include "local/gateway/jwt.h"
#include "support/jwt_forge.h"
#include "support/unit_main.h"

#define ISSUER "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"
#define CLIENT "clientid"

/* ---- keys, key sets and tokens made in the test ----------------------------------- */

static jwt_forge_keys s_keys; /* made once for the group */
static char *s_good;          /* a valid ID token by key a, made once for the group */

static char *s_b64url_text(const char *text)
{
  return jwt_forge_b64url(text, strlen(text));
}

static char *s_id_claims(const char *extra_json)
{
  return jwt_forge_id_claims(ISSUER, CLIENT, extra_json);
}

static char *s_token(EVP_PKEY *key, const char *kid, const char *extra_claims)
{
  return jwt_forge_id_token(key, kid, ISSUER, CLIENT, extra_claims);
}

static const char *const s_audiences[] = {"other-client", CLIENT};
static const jwt_policy s_policy = {ISSUER, s_audiences, 2};

/* Verifies token against a key set holding key a; returns the status. */
static mynt_status s_verify(const char *token, json_t **out_claims)
{
  json_t *jwks = jwt_forge_jwks(s_keys.a, "a", NULL);
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

/* Expects token refused once its header is replaced by header_json (base64url-encoded here). */
static void s_expect_rejected_with_header(const char *token, const char *header_json)
{
  char *h = s_b64url_text(header_json);
  char forged[4096];
  snprintf(forged, sizeof(forged), "%s%s", h, strchr(token, '.'));
  s_expect_rejected(forged);
  free(h);
}

static int s_setup_keys(void **state)
{
  (void)state;
  if(jwt_forge_keys_make(&s_keys) != 0)
    return -1;
  s_good = s_token(s_keys.a, "a", NULL);
  return s_good ? 0 : -1;
}

static int s_teardown_keys(void **state)
{
  (void)state;
  free(s_good);
  jwt_forge_keys_free(&s_keys);
  return 0;
}

/* ---- jwt_verify ------------------------------------------------------------------- */

/* Verifies a token by key a with extra_claims (may be NULL) and expects it accepted, with claim (when not NULL)
 * equal to want, or absent when want is NULL. */
static void s_expect_accepted(const char *extra_claims, const char *claim, const char *want)
{
  char *token = s_token(s_keys.a, "a", extra_claims);
  json_t *claims = NULL;
  assert_int_equal(s_verify(token, &claims), MYNT_OK);
  if(claim && want)
    assert_string_equal(json_string_value(json_object_get(claims, claim)), want);
  else if(claim)
    assert_null(json_object_get(claims, claim));
  json_decref(claims);
  free(token);
}

static void test_jwt_accepts_valid_id_token_and_returns_claims(void **state)
{
  (void)state;
  s_expect_accepted(NULL, "sub", "user-1");
  s_expect_accepted(NULL, "email", "a@example.com");
}

static void test_jwt_accepts_access_token_with_client_id_and_no_aud(void **state)
{
  (void)state;
  s_expect_accepted("{\"aud\":null,\"client_id\":\"clientid\",\"token_use\":\"access\","
                    "\"scope\":\"aws.cognito.signin.user.admin\"}",
                    "aud", NULL);
}

static void test_jwt_accepts_aud_array_that_contains_an_audience(void **state)
{
  (void)state;
  s_expect_accepted("{\"aud\":[\"someone-else\",\"clientid\"]}", NULL, NULL);
}

static void test_jwt_accepts_a_token_valid_since_a_moment_ago(void **state)
{
  (void)state;
  char extra[64];
  snprintf(extra, sizeof(extra), "{\"nbf\":%lld}", (long long)(clock_epoch_ms() / 1000 - 5));
  s_expect_accepted(extra, NULL, NULL);
}

static void test_jwt_accepts_a_token_issued_within_the_clock_skew(void **state)
{
  (void)state;
  char extra[64];
  snprintf(extra, sizeof(extra), "{\"iat\":%lld}", (long long)(clock_epoch_ms() / 1000 + JWT_IAT_SKEW_S - 1));
  s_expect_accepted(extra, NULL, NULL);
  s_expect_accepted("{\"iat\":null}", NULL, NULL);
}

/* ID tokens whose claims (merged into a valid token's; null removes one) must be refused. */
static void test_jwt_rejects_tokens_with_wrong_claims(void **state)
{
  (void)state;
  const struct {
    const char *name;
    const char *extra; /* NULL: {"<time_claim>": now + offset_s} */
    const char *time_claim;
    int64_t offset_s;
  } cases[] = {
    {"expired", NULL, "exp", -1},
    {"without exp", "{\"exp\":null}", NULL, 0},
    {"with a string exp", "{\"exp\":\"9999999999\"}", NULL, 0},
    {"not yet valid", NULL, "nbf", 120},
    {"issued in the future", NULL, "iat", 120},
    {"issued just past the allowed skew", NULL, "iat", JWT_IAT_SKEW_S + 2},
    {"with a string iat", "{\"iat\":\"0\"}", NULL, 0},
    {"from another issuer", "{\"iss\":\"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_xyz\"}", NULL, 0},
    {"without iss", "{\"iss\":null}", NULL, 0},
    {"for another audience", "{\"aud\":\"not-our-client\"}", NULL, 0},
    {"for an audience list without ours", "{\"aud\":[\"not-our-client\"]}", NULL, 0},
    /* an aud that does not match is not rescued by a matching client_id */
    {"for another audience with our client_id", "{\"aud\":\"not-our-client\",\"client_id\":\"clientid\"}", NULL, 0},
    {"an access token for another client", "{\"aud\":null,\"client_id\":\"not-our-client\",\"token_use\":\"access\"}",
     NULL, 0},
    {"an access token without client_id", "{\"aud\":null,\"token_use\":\"access\"}", NULL, 0},
    {"a refresh token", "{\"token_use\":\"refresh\"}", NULL, 0},
    {"without token_use", "{\"token_use\":null}", NULL, 0},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char extra[128];
    if(cases[i].extra)
      snprintf(extra, sizeof(extra), "%s", cases[i].extra);
    else
      snprintf(extra, sizeof(extra), "{\"%s\":%lld}", cases[i].time_claim,
               (long long)(clock_epoch_ms() / 1000 + cases[i].offset_s));
    char *token = s_token(s_keys.a, "a", extra);
    json_t *claims = (json_t *)1;
    mynt_status st = s_verify(token, &claims);
    if(st != MYNT_UNAUTHORIZED || claims)
      fail_msg("a token %s (%s) was answered %s, %s claims", cases[i].name, extra, mynt_strerror(st),
               claims ? "with" : "no");
    free(token);
  }
}

static void test_jwt_rejects_signature_by_another_key_with_the_same_kid(void **state)
{
  (void)state;
  char *token = s_token(s_keys.evil, "a", NULL);
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
  s_expect_rejected_with_header(s_good, "{\"alg\":\"HS256\",\"kid\":\"a\",\"typ\":\"JWT\"}");
  free(c);
  free(claims);
}

static void test_jwt_rejects_malformed_tokens(void **state)
{
  (void)state;
  const char *dot1 = strchr(s_good, '.');
  const char *dot2 = strchr(dot1 + 1, '.');
  char token[4096];

  s_expect_rejected("");
  s_expect_rejected("abc");
  s_expect_rejected("a.b");
  s_expect_rejected("..");
  snprintf(token, sizeof(token), "%s.extra", s_good);
  s_expect_rejected(token);
  /* bad base64url in each part */
  snprintf(token, sizeof(token), "%.*s*%s", (int)(dot1 - s_good), s_good, dot1);
  s_expect_rejected(token);
  snprintf(token, sizeof(token), "%.*s=%s", (int)(dot2 - s_good), s_good, dot2);
  s_expect_rejected(token);
  snprintf(token, sizeof(token), "%s$", s_good);
  s_expect_rejected(token);
  /* a header that is not JSON, and one that is not an object */
  s_expect_rejected_with_header(s_good, "{\"alg\":\"RS256\",\"kid\":");
  s_expect_rejected_with_header(s_good, "[\"RS256\"]");
  /* a payload that is not JSON, signed properly */
  char *bad_payload = jwt_forge_sign(s_keys.a, "{\"alg\":\"RS256\",\"kid\":\"a\"}", "not json");
  s_expect_rejected(bad_payload);
  free(bad_payload);
  /* a tampered payload keeps the old signature */
  char *other = s_token(s_keys.a, "a", "{\"sub\":\"user-2\"}");
  const char *o1 = strchr(other, '.');
  const char *o2 = strchr(o1 + 1, '.');
  snprintf(token, sizeof(token), "%.*s%.*s%s", (int)(dot1 - s_good), s_good, (int)(o2 - o1), o1, dot2);
  s_expect_rejected(token);
  free(other);
  /* an over-long token */
  char *huge = malloc(JWT_MAX_TOKEN + 2);
  memset(huge, 'A', JWT_MAX_TOKEN + 1);
  huge[JWT_MAX_TOKEN + 1] = '\0';
  s_expect_rejected(huge);
  free(huge);
}

static void test_jwt_reports_unknown_kid_as_not_found(void **state)
{
  (void)state;
  char *token = s_token(s_keys.b, "b", NULL);
  json_t *claims = NULL;
  assert_int_equal(s_verify(token, &claims), MYNT_NOT_FOUND);
  assert_null(claims);
  json_t *both = jwt_forge_jwks(s_keys.a, "a", s_keys.b, "b", NULL);
  assert_int_equal(jwt_verify(token, both, &s_policy, clock_epoch_ms() / 1000, &claims), MYNT_OK);
  json_decref(claims);
  json_decref(both);
  free(token);
}

static void test_jwt_key_from_jwk_refuses_unusable_keys(void **state)
{
  (void)state;
  EVP_PKEY *key = NULL;
  json_t *jwk = jwt_forge_jwk(s_keys.a, "a");
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

UNIT_MAIN("jwt", s_setup_keys, s_teardown_keys,
          {
            cmocka_unit_test(test_jwt_accepts_valid_id_token_and_returns_claims),
            cmocka_unit_test(test_jwt_accepts_access_token_with_client_id_and_no_aud),
            cmocka_unit_test(test_jwt_accepts_aud_array_that_contains_an_audience),
            cmocka_unit_test(test_jwt_accepts_a_token_valid_since_a_moment_ago),
            cmocka_unit_test(test_jwt_accepts_a_token_issued_within_the_clock_skew),
            cmocka_unit_test(test_jwt_rejects_tokens_with_wrong_claims),
            cmocka_unit_test(test_jwt_rejects_signature_by_another_key_with_the_same_kid),
            cmocka_unit_test(test_jwt_rejects_alg_none_and_hs256),
            cmocka_unit_test(test_jwt_rejects_malformed_tokens),
            cmocka_unit_test(test_jwt_reports_unknown_kid_as_not_found),
            cmocka_unit_test(test_jwt_key_from_jwk_refuses_unusable_keys),
            cmocka_unit_test(test_jwt_claims_for_event_turns_values_into_strings),
          })
