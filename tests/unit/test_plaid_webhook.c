/* test_plaid_webhook.c - unit tests for Plaid webhook verification (plaid/webhook.c): ES256 tokens signed as Plaid
 * signs them, the key cache and its source, the claims, and the strict body parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "core/b64.h"
#include "core/clock.h"
#include "core/hex.h"
#include "plaid/webhook.h"
#include "support/fake_plaid.h"
#include "support/jwt_forge.h"
#include "support/unit_curl.h"

/* The verification time of every test: iat and expired_at are set around it. */
#define NOW ((int64_t)1750000000)

/* A body as Plaid sends it: 2-space indented JSON. */
static const char s_body[] = "{\n"
                             "  \"environment\": \"sandbox\",\n"
                             "  \"historical_update_complete\": false,\n"
                             "  \"initial_update_complete\": true,\n"
                             "  \"item_id\": \"wz666MBjYWTp2PDzzggYhM6oWWmBb\",\n"
                             "  \"webhook_code\": \"SYNC_UPDATES_AVAILABLE\",\n"
                             "  \"webhook_type\": \"TRANSACTIONS\"\n"
                             "}";

/* The test's key source: answers serve (borrowed; NULL: a failure) and counts the fetches. */
typedef struct {
  json_t *serve;
  int fetches;
  char last_kid[PLAID_WEBHOOK_MAX_TOKEN];
} s_source;

static mynt_status s_fetch(void *ctx, const char *kid, json_t **out_jwk, mynt_detail *detail)
{
  s_source *src = ctx;
  src->fetches++;
  snprintf(src->last_kid, sizeof src->last_kid, "%s", kid);
  if(!src->serve)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "Plaid answered 400 INVALID_WEBHOOK_VERIFICATION_KEY_ID");
  *out_jwk = json_incref(src->serve);
  return MYNT_OK;
}

typedef struct {
  EVP_PKEY *key;   /* Plaid's key, kid "k1" */
  EVP_PKEY *other; /* an attacker's */
  plaid_webhook_keys *keys;
  s_source source;
  plaid_webhook_key_source from;
  char claims[256]; /* those of a valid token for s_body issued at NOW */
  char *token;      /* a valid token for s_body issued at NOW, signed by key as kid "k1" */
} s_fixture;

/* The lowercase hex SHA-256 of data[0..len), computed here and not by the module. */
static void s_sha256_hex(const void *data, size_t len, char out[65])
{
  unsigned char digest[32];
  unsigned int n = 0;
  assert_int_equal(EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL), 1);
  hex_encode(digest, n, out);
}

/* A Plaid-Verification token for body: header {"alg":"ES256","kid":kid,"typ":"JWT"} and claims {iat, hash} signed by
 * key. malloc'd. */
static char *s_token(EVP_PKEY *key, const char *kid, int64_t iat, const char *body)
{
  char header[256];
  char claims[256];
  char hash[65];
  s_sha256_hex(body, strlen(body), hash);
  snprintf(header, sizeof header, "{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
  snprintf(claims, sizeof claims, "{\"iat\":%lld,\"request_body_sha256\":\"%s\"}", (long long)iat, hash);
  return jwt_forge_sign_es256(key, header, claims, false);
}

/* A token over the JSON texts header and claims, signed by key. */
static char *s_signed(EVP_PKEY *key, const char *header, const char *claims)
{
  return jwt_forge_sign_es256(key, header, claims, false);
}

static int s_setup(void **state)
{
  s_fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->key = jwt_forge_ec_key();
  f->other = jwt_forge_ec_key();
  assert_int_equal(plaid_webhook_keys_new(&f->keys), MYNT_OK);
  f->source.serve = jwt_forge_ec_jwk(f->key, "k1");
  f->from = (plaid_webhook_key_source){s_fetch, &f->source};
  char hash[65];
  s_sha256_hex(s_body, strlen(s_body), hash);
  snprintf(f->claims, sizeof f->claims, "{\"iat\":%lld,\"request_body_sha256\":\"%s\"}", (long long)NOW, hash);
  f->token = s_token(f->key, "k1", NOW, s_body);
  *state = f;
  return 0;
}

static int s_teardown(void **state)
{
  s_fixture *f = *state;
  plaid_webhook_keys_free(f->keys);
  json_decref(f->source.serve);
  EVP_PKEY_free(f->key);
  EVP_PKEY_free(f->other);
  free(f->token);
  free(f);
  return 0;
}

static mynt_status s_verify_body(s_fixture *f, const char *token, const char *body, int64_t now, mynt_detail *why)
{
  return plaid_webhook_verify(f->keys, &f->from, token, body, body ? strlen(body) : 0, now, why);
}

/* Asserts that token is refused for s_body at now with a reason containing reason, which quotes no part of the
 * token. */
static void s_refused_body(s_fixture *f, const char *token, const char *body, int64_t now, const char *reason)
{
  mynt_detail why;
  assert_int_equal(s_verify_body(f, token, body, now, &why), MYNT_UNAUTHORIZED);
  if(!strstr(mynt_detail_text(&why), reason))
    fail_msg("reason \"%s\" does not contain \"%s\"", mynt_detail_text(&why), reason);
  if(token) {
    const char *part = token;
    while(*part) {
      const char *dot = strchr(part, '.');
      size_t n = dot ? (size_t)(dot - part) : strlen(part);
      if(n >= 8) {
        char piece[9];
        memcpy(piece, part, 8);
        piece[8] = '\0';
        assert_null(strstr(mynt_detail_text(&why), piece));
      }
      part += n + (dot ? 1 : 0);
    }
  }
}

static void s_refused(s_fixture *f, const char *token, const char *reason)
{
  s_refused_body(f, token, s_body, NOW, reason);
}

static void s_accepted(s_fixture *f, const char *token, int64_t now)
{
  mynt_detail why;
  mynt_status st = s_verify_body(f, token, s_body, now, &why);
  if(st)
    fail_msg("refused: %s", mynt_detail_text(&why));
}

/* Asserts that a token over header and claims, signed by Plaid's own key, is refused for reason. */
static void s_refused_signed(s_fixture *f, const char *header, const char *claims, const char *reason)
{
  char *token = s_signed(f->key, header, claims);
  s_refused(f, token, reason);
  free(token);
}

/* Writes the unpadded base64url text of data[0..len) into out (cap bytes). */
static void s_b64url(char *out, size_t cap, const void *data, size_t len)
{
  char *text = jwt_forge_b64url(data, len);
  assert_non_null(text);
  assert_true(strlen(text) < cap);
  memcpy(out, text, strlen(text) + 1);
  free(text);
}

/* CRYPTO_memcmp, wrapped at link time (-Wl,--wrap=CRYPTO_memcmp) to see that the hash compare goes through it. */
static int s_memcmp_calls;
static size_t s_memcmp_len;
int __real_CRYPTO_memcmp(const void *a, const void *b, size_t len);
int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t len);
int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t len)
{
  s_memcmp_calls++;
  s_memcmp_len = len;
  return __real_CRYPTO_memcmp(a, b, len);
}

static void test_webhook_verify_accepts_a_webhook_signed_as_plaid_signs(void **state)
{
  s_fixture *f = *state;
  char *token = s_token(f->key, "k1", NOW - 10, s_body);
  mynt_detail why;
  assert_int_equal(s_verify_body(f, token, s_body, NOW, &why), MYNT_OK);
  assert_string_equal(mynt_detail_text(&why), "");
  assert_int_equal(f->source.fetches, 1);
  assert_string_equal(f->source.last_kid, "k1");
  assert_int_equal(plaid_webhook_keys_count(f->keys), 1);
  /* The key is cached: the same or a new webhook signed by it needs no fetch. */
  s_accepted(f, token, NOW);
  char *later = s_token(f->key, "k1", NOW + 100, s_body);
  s_accepted(f, later, NOW + 120);
  assert_int_equal(f->source.fetches, 1);
  free(later);
  free(token);
}

static void test_webhook_forge_signatures_check_with_openssl(void **state)
{
  s_fixture *f = *state;
  const char *token = f->token;
  const char *sig = strrchr(token, '.') + 1;
  unsigned char raw[64];
  size_t n = 0;
  assert_int_equal(b64_url_decode(sig, strlen(sig), raw, sizeof raw, &n), MYNT_OK);
  assert_int_equal(n, 64);
  size_t input_len = (size_t)(sig - 1 - token);
  assert_true(jwt_forge_es256_check(f->key, token, input_len, raw));
  assert_false(jwt_forge_es256_check(f->other, token, input_len, raw));
  raw[10] ^= 1;
  assert_false(jwt_forge_es256_check(f->key, token, input_len, raw));
}

/* RFC 7515 appendix A.3: the ES256 example's public key and JWS, as the RFC prints them. */
static void test_webhook_jws_verify_accepts_rfc7515_a3(void **state)
{
  (void)state;
  json_t *jwk =
    json_pack("{s:s,s:s,s:s,s:s}", "kty", "EC", "crv", "P-256", "x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y",
              "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
  const char *jws = "eyJhbGciOiJFUzI1NiJ9"
                    "."
                    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
                    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
                    "."
                    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSA"
                    "pmWQxfKTUJqPP3-Kg6NU1Q";
  mynt_buf payload;
  buf_init(&payload, 4096);
  mynt_detail why;
  assert_int_equal(plaid_webhook_jws_verify(jwk, jws, &payload, &why), MYNT_OK);
  assert_string_equal(buf_cstr(&payload),
                      "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
  buf_free(&payload);

  /* One bit of r, one of the payload, and the other half of the key each break it. */
  char *bad = strdup(jws);
  char *sig = strrchr(bad, '.') + 1;
  sig[5] = sig[5] == 'A' ? 'B' : 'A';
  assert_int_equal(plaid_webhook_jws_verify(jwk, bad, &payload, &why), MYNT_UNAUTHORIZED);
  assert_non_null(strstr(mynt_detail_text(&why), "signature does not match"));
  strcpy(bad, jws);
  bad[30] = bad[30] == 'A' ? 'B' : 'A';
  assert_int_equal(plaid_webhook_jws_verify(jwk, bad, &payload, &why), MYNT_UNAUTHORIZED);
  free(bad);
  json_object_set_new(jwk, "y", json_string("0_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"));
  assert_int_equal(plaid_webhook_jws_verify(jwk, jws, &payload, &why), MYNT_UNAUTHORIZED);
  assert_int_equal(payload.len, 0);
  json_decref(jwk);
}

static void test_webhook_verify_refuses_algorithms_other_than_es256(void **state)
{
  s_fixture *f = *state;
  const char *claims = f->claims;
  const char *headers[] = {
    "{\"alg\":\"none\",\"kid\":\"k1\",\"typ\":\"JWT\"}",
    "{\"alg\":\"ES384\",\"kid\":\"k1\",\"typ\":\"JWT\"}",
    "{\"alg\":\"es256\",\"kid\":\"k1\",\"typ\":\"JWT\"}",
    "{\"alg\":\"ES256K\",\"kid\":\"k1\",\"typ\":\"JWT\"}",
    "{\"kid\":\"k1\",\"typ\":\"JWT\"}",
    "{\"alg\":null,\"kid\":\"k1\"}",
    "{\"alg\":[\"ES256\"],\"kid\":\"k1\"}",
  };
  /* Even with a valid ES256 signature by the right key, the header's alg decides. */
  for(size_t i = 0; i < sizeof headers / sizeof headers[0]; i++)
    s_refused_signed(f, headers[i], claims, "alg is not ES256");
  /* alg none with an empty signature: not even a three-part token. */
  char h[128];
  char c[256];
  s_b64url(h, sizeof h, headers[0], strlen(headers[0]));
  s_b64url(c, sizeof c, claims, strlen(claims));
  char none[1024];
  snprintf(none, sizeof none, "%s.%s.", h, c);
  s_refused(f, none, "three parts");

  /* HS256 keyed with the public JWK's text (the classic confusion). */
  const char *hs = "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}";
  char hh[128];
  s_b64url(hh, sizeof hh, hs, strlen(hs));
  char input[1024];
  snprintf(input, sizeof input, "%s.%s", hh, c);
  char *jwk_text = json_dumps(f->source.serve, JSON_COMPACT);
  unsigned char mac[32];
  unsigned int mac_len = 0;
  assert_non_null(
    HMAC(EVP_sha256(), jwk_text, (int)strlen(jwk_text), (unsigned char *)input, strlen(input), mac, &mac_len));
  char m[64];
  s_b64url(m, sizeof m, mac, mac_len);
  char hs_token[1200];
  snprintf(hs_token, sizeof hs_token, "%s.%s", input, m);
  s_refused(f, hs_token, "alg is not ES256");

  /* RS256 by an RSA key. */
  EVP_PKEY *rsa = EVP_RSA_gen(2048);
  assert_non_null(rsa);
  char *rs = jwt_forge_sign(rsa, "{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}", claims);
  s_refused(f, rs, "alg is not ES256");
  assert_int_equal(f->source.fetches, 0);

  EVP_PKEY_free(rsa);
  free(rs);
  free(jwk_text);
}

static void test_webhook_verify_refuses_headers_that_carry_keys_or_change_the_rules(void **state)
{
  s_fixture *f = *state;
  const char *claims = f->claims;
  const char *members[] = {"jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "crit", "b64", "enc", "zip"};
  for(size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
    char header[256];
    snprintf(header, sizeof header, "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JWT\",\"%s\":\"https://evil.test\"}",
             members[i]);
    s_refused_signed(f, header, claims, "member that is refused");
  }
  const char *bad[][2] = {
    {"{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JOSE\"}", "typ is not JWT"},
    {"{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":1}", "typ is not JWT"},
    {"{\"alg\":\"ES256\",\"typ\":\"JWT\"}", "no valid kid"},
    {"{\"alg\":\"ES256\",\"kid\":7}", "no valid kid"},
    {"{\"alg\":\"ES256\",\"kid\":\"\"}", "no valid kid"},
    {"{\"alg\":\"ES256\",\"kid\":\"k 1\"}", "no valid kid"},
  };
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    s_refused_signed(f, bad[i][0], claims, bad[i][1]);
  char header[512];
  char kid[PLAID_WEBHOOK_MAX_KID + 2];
  memset(kid, 'k', sizeof kid - 1);
  kid[sizeof kid - 1] = '\0';
  snprintf(header, sizeof header, "{\"alg\":\"ES256\",\"kid\":\"%s\"}", kid);
  s_refused_signed(f, header, claims, "no valid kid");
  assert_int_equal(f->source.fetches, 0);
  /* typ may be absent. */
  char *token = s_signed(f->key, "{\"alg\":\"ES256\",\"kid\":\"k1\"}", claims);
  s_accepted(f, token, NOW);
  free(token);
}

static void test_webhook_verify_fetches_an_unknown_kid_once_then_refuses(void **state)
{
  s_fixture *f = *state;
  const char *token = f->token;
  json_t *good = f->source.serve;

  f->source.serve = NULL;
  s_refused(f, token, "INVALID_WEBHOOK_VERIFICATION_KEY_ID");
  assert_int_equal(f->source.fetches, 1);
  assert_int_equal(plaid_webhook_keys_count(f->keys), 0);

  /* A source answering another kid's key, or a key that is not P-256, is not trusted. */
  f->source.serve = jwt_forge_ec_jwk(f->key, "k2");
  s_refused(f, token, "another kid");
  json_decref(f->source.serve);
  f->source.serve = jwt_forge_ec_jwk(f->key, "k1");
  json_object_set_new(f->source.serve, "crv", json_string("P-384"));
  s_refused(f, token, "fetched key is refused");
  json_decref(f->source.serve);
  assert_int_equal(f->source.fetches, 3);
  assert_int_equal(plaid_webhook_keys_count(f->keys), 0);

  /* Without a source only cached keys count. */
  assert_int_equal(plaid_webhook_verify(f->keys, NULL, token, s_body, strlen(s_body), NOW, NULL), MYNT_UNAUTHORIZED);
  plaid_webhook_key_source none = {NULL, NULL};
  assert_int_equal(plaid_webhook_verify(f->keys, &none, token, s_body, strlen(s_body), NOW, NULL), MYNT_UNAUTHORIZED);
  assert_int_equal(f->source.fetches, 3);

  f->source.serve = good;
  s_accepted(f, token, NOW);
  assert_int_equal(f->source.fetches, 4);
  /* Four unknown kids were fetched at NOW: the budget for the minute is spent; a minute later there is one again. */
  char *unknown = s_token(f->key, "k9", NOW, s_body);
  s_refused_body(f, unknown, s_body, NOW + PLAID_WEBHOOK_UNKNOWN_WINDOW_S, "another kid");
  assert_int_equal(f->source.fetches, 5);
  assert_string_equal(f->source.last_kid, "k9");
  s_accepted(f, token, NOW + PLAID_WEBHOOK_UNKNOWN_WINDOW_S);
  assert_int_equal(f->source.fetches, 5);
  free(unknown);
}

/* A forger can pick a new kid for every token, and the kid is read before any signature can be checked: the
 * fetches of unknown kids are bounded, whatever the kids, and a known kid is still served meanwhile. */
static void test_webhook_verify_bounds_the_fetches_of_unknown_kids(void **state)
{
  s_fixture *f = *state;
  json_t *good = f->source.serve;
  f->source.serve = NULL; /* Plaid knows none of the forged kids */
  mynt_detail why;
  int refused_unasked = 0;
  for(int i = 0; i < 50; i++) {
    char kid[16];
    snprintf(kid, sizeof kid, "forged-%d", i);
    char *forged = s_token(f->other, kid, NOW, s_body);
    mynt_status st = s_verify_body(f, forged, s_body, NOW + i % 10, &why);
    assert_int_not_equal(st, MYNT_OK);
    if(st == MYNT_RATE_LIMITED) {
      refused_unasked++;
      assert_non_null(strstr(mynt_detail_text(&why), "not fetched"));
    }
    free(forged);
  }
  assert_int_equal(f->source.fetches, PLAID_WEBHOOK_UNKNOWN_FETCHES);
  assert_int_equal(refused_unasked, 50 - PLAID_WEBHOOK_UNKNOWN_FETCHES);

  /* A key added beforehand (as the cache holds Plaid's current one) keeps verifying while the budget is spent. */
  assert_int_equal(plaid_webhook_keys_add(f->keys, good, NULL), MYNT_OK);
  s_accepted(f, f->token, NOW + 10);
  assert_int_equal(f->source.fetches, PLAID_WEBHOOK_UNKNOWN_FETCHES);

  /* Once the window has passed, an unknown kid is fetched again (at most the budget again). */
  char *k2 = s_token(f->key, "k2", NOW + 70, s_body);
  json_t *k2_jwk = jwt_forge_ec_jwk(f->key, "k2");
  f->source.serve = k2_jwk;
  s_accepted(f, k2, NOW + 70);
  assert_int_equal(f->source.fetches, PLAID_WEBHOOK_UNKNOWN_FETCHES + 1);
  f->source.serve = good;
  json_decref(k2_jwk);
  free(k2);
}

/* Plaid down (or refusing Mynt's credentials) while a kid is unknown: not verified, and said so apart from a
 * forgery (MYNT_UNAVAILABLE), so that the handler can warn. */
static mynt_status s_fetch_down(void *ctx, const char *kid, json_t **out_jwk, mynt_detail *detail)
{
  s_source *src = ctx;
  (void)kid;
  (void)out_jwk;
  src->fetches++;
  return mynt_fail(detail, MYNT_UNAVAILABLE, "/webhook_verification_key/get failed: transport - (request id -)");
}

static void test_webhook_verify_reports_a_key_that_could_not_be_fetched_apart(void **state)
{
  s_fixture *f = *state;
  plaid_webhook_key_source down = {s_fetch_down, &f->source};
  mynt_detail why;
  assert_int_equal(plaid_webhook_verify(f->keys, &down, f->token, s_body, strlen(s_body), NOW, &why), MYNT_UNAVAILABLE);
  assert_non_null(strstr(mynt_detail_text(&why), "was not fetched"));
  assert_int_equal(plaid_webhook_keys_count(f->keys), 0);
  /* Plaid refusing the kid is a forgery's answer: MYNT_UNAUTHORIZED. */
  json_t *good = f->source.serve;
  f->source.serve = NULL;
  assert_int_equal(s_verify_body(f, f->token, s_body, NOW, &why), MYNT_UNAUTHORIZED);
  f->source.serve = good;
}

/* A fetched key is fetched again after PLAID_WEBHOOK_KEY_REFRESH_S: an expiry Plaid set since is learned, an expired
 * key is asked for again (not per webhook), and a refresh Plaid does not answer keeps the key. */
static void test_webhook_verify_refreshes_a_fetched_key(void **state)
{
  s_fixture *f = *state;
  const int64_t later = NOW + PLAID_WEBHOOK_KEY_REFRESH_S;
  s_accepted(f, f->token, NOW);
  assert_int_equal(f->source.fetches, 1);

  /* Plaid expires the key: still accepted from the cache until the refresh, refused from then on. */
  json_object_set_new(f->source.serve, "expired_at", json_integer(NOW + 600));
  char *t1 = s_token(f->key, "k1", later - 1, s_body);
  s_accepted(f, t1, later - 1);
  assert_int_equal(f->source.fetches, 1);
  char *t2 = s_token(f->key, "k1", later, s_body);
  s_refused_body(f, t2, s_body, later, "has expired");
  assert_int_equal(f->source.fetches, 2);
  s_refused_body(f, t2, s_body, later + 5, "has expired");
  assert_int_equal(f->source.fetches, 2); /* refused from the cache, not asked again per webhook */

  /* The expired key is asked for again an hour later; here Plaid has un-expired it (a rollback). */
  json_object_set_new(f->source.serve, "expired_at", json_null());
  char *t3 = s_token(f->key, "k1", later + PLAID_WEBHOOK_KEY_REFRESH_S, s_body);
  s_accepted(f, t3, later + PLAID_WEBHOOK_KEY_REFRESH_S);
  assert_int_equal(f->source.fetches, 3);

  /* A refresh while Plaid is down keeps the key, and asks again a minute later, not per webhook. */
  const int64_t third = later + 2 * PLAID_WEBHOOK_KEY_REFRESH_S;
  plaid_webhook_key_source down = {s_fetch_down, &f->source};
  char *t4 = s_token(f->key, "k1", third, s_body);
  mynt_detail why;
  assert_int_equal(plaid_webhook_verify(f->keys, &down, t4, s_body, strlen(s_body), third, &why), MYNT_OK);
  assert_int_equal(plaid_webhook_verify(f->keys, &down, t4, s_body, strlen(s_body), third + 1, &why), MYNT_OK);
  assert_int_equal(f->source.fetches, 4);
  assert_int_equal(
    plaid_webhook_verify(f->keys, &down, t4, s_body, strlen(s_body), third + PLAID_WEBHOOK_KEY_RETRY_S, &why), MYNT_OK);
  assert_int_equal(f->source.fetches, 5);

  /* A refresh Plaid answers by refusing the kid drops the key. */
  const int64_t fourth = third + PLAID_WEBHOOK_KEY_REFRESH_S + PLAID_WEBHOOK_KEY_RETRY_S;
  json_t *good = f->source.serve;
  f->source.serve = NULL;
  char *t5 = s_token(f->key, "k1", fourth, s_body);
  s_refused_body(f, t5, s_body, fourth, "was not fetched");
  assert_int_equal(plaid_webhook_keys_count(f->keys), 0);
  f->source.serve = good;
  free(t1);
  free(t2);
  free(t3);
  free(t4);
  free(t5);
}

static void test_webhook_verify_refuses_an_expired_key(void **state)
{
  s_fixture *f = *state;
  const char *token = f->token;
  json_object_set_new(f->source.serve, "expired_at", json_integer(NOW - 1));
  s_refused(f, token, "has expired");
  s_refused(f, token, "has expired");
  assert_int_equal(f->source.fetches, 1); /* kept, and refused without asking again */

  json_object_set_new(f->source.serve, "expired_at", json_integer(NOW));
  assert_int_equal(plaid_webhook_keys_add(f->keys, f->source.serve, NULL), MYNT_OK);
  s_refused(f, token, "has expired");

  json_object_set_new(f->source.serve, "expired_at", json_integer(NOW + 3600));
  assert_int_equal(plaid_webhook_keys_add(f->keys, f->source.serve, NULL), MYNT_OK);
  assert_int_equal(plaid_webhook_keys_count(f->keys), 1);
  s_accepted(f, token, NOW);
  s_refused_body(f, token, s_body, NOW + 3600, "has expired");
}

static void test_webhook_verify_refuses_a_stale_or_future_iat(void **state)
{
  s_fixture *f = *state;
  char *token = s_token(f->key, "k1", NOW - PLAID_WEBHOOK_MAX_AGE_S, s_body);
  s_accepted(f, token, NOW);
  free(token);
  token = s_token(f->key, "k1", NOW - PLAID_WEBHOOK_MAX_AGE_S - 1, s_body);
  s_refused(f, token, "older than 5 minutes");
  free(token);
  token = s_token(f->key, "k1", NOW + PLAID_WEBHOOK_MAX_SKEW_S, s_body);
  s_accepted(f, token, NOW);
  free(token);
  token = s_token(f->key, "k1", NOW + PLAID_WEBHOOK_MAX_SKEW_S + 1, s_body);
  s_refused(f, token, "in the future");
  free(token);

  char hash[65];
  s_sha256_hex(s_body, strlen(s_body), hash);
  const char *iats[] = {"\"1750000000\"", "1750000000.0", "null", "true"};
  for(size_t i = 0; i < sizeof iats / sizeof iats[0]; i++) {
    char claims[256];
    snprintf(claims, sizeof claims, "{\"iat\":%s,\"request_body_sha256\":\"%s\"}", iats[i], hash);
    token = s_signed(f->key, "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JWT\"}", claims);
    s_refused(f, token, "no integer iat");
    free(token);
  }
  char claims[256];
  snprintf(claims, sizeof claims, "{\"request_body_sha256\":\"%s\"}", hash);
  token = s_signed(f->key, "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JWT\"}", claims);
  s_refused(f, token, "no integer iat");
  free(token);
}

static void test_webhook_verify_refuses_a_tampered_body(void **state)
{
  s_fixture *f = *state;
  char *body = strdup(s_body);
  body[strlen(body) - 3] = 'X'; /* TRANSACTIONS -> TRANSACTIONX */
  s_refused_body(f, f->token, body, NOW, "does not match request_body_sha256");
  /* The same JSON re-serialised is other bytes. */
  json_t *parsed = json_loads(s_body, 0, NULL);
  char *compact = json_dumps(parsed, JSON_COMPACT | JSON_SORT_KEYS);
  s_refused_body(f, f->token, compact, NOW, "does not match request_body_sha256");
  s_refused_body(f, f->token, "", NOW, "does not match request_body_sha256");
  char longer[sizeof s_body + 1];
  snprintf(longer, sizeof longer, "%s\n", s_body);
  s_refused_body(f, f->token, longer, NOW, "does not match request_body_sha256");
  free(compact);
  json_decref(parsed);
  free(body);

  /* The claim must be the lowercase 64-digit hex, present and a string. */
  char hash[65];
  s_sha256_hex(s_body, strlen(s_body), hash);
  char upper[65];
  for(size_t i = 0; i < 64; i++)
    upper[i] = (char)(hash[i] >= 'a' && hash[i] <= 'f' ? hash[i] - 'a' + 'A' : hash[i]);
  upper[64] = '\0';
  char claims[256];
  snprintf(claims, sizeof claims, "{\"iat\":%lld,\"request_body_sha256\":\"%s\"}", (long long)NOW, upper);
  char *token = s_signed(f->key, "{\"alg\":\"ES256\",\"kid\":\"k1\"}", claims);
  if(strcmp(upper, hash) != 0)
    s_refused(f, token, "does not match");
  free(token);
  const char *bad[] = {"\"%.63s\"", "\"%s0\"", "null", "42"};
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char value[80];
    snprintf(value, sizeof value, bad[i], hash);
    snprintf(claims, sizeof claims, "{\"iat\":%lld,\"request_body_sha256\":%s}", (long long)NOW, value);
    token = s_signed(f->key, "{\"alg\":\"ES256\",\"kid\":\"k1\"}", claims);
    s_refused(f, token, "64-digit request_body_sha256");
    free(token);
  }
  /* A body over the cap is refused before anything else. */
  char *big = malloc(PLAID_WEBHOOK_MAX_BODY + 2);
  memset(big, ' ', PLAID_WEBHOOK_MAX_BODY + 1);
  big[PLAID_WEBHOOK_MAX_BODY + 1] = '\0';
  token = s_token(f->key, "k1", NOW, big);
  s_refused_body(f, token, big, NOW, "too large");
  free(token);
  free(big);
}

static void test_webhook_verify_refuses_a_tampered_payload_or_header(void **state)
{
  s_fixture *f = *state;
  const char *token = f->token;
  /* Another body's valid claims spliced in under the first token's signature. */
  const char *other_body = "{\"webhook_type\":\"ITEM\",\"webhook_code\":\"USER_PERMISSION_REVOKED\"}";
  char *other = s_token(f->key, "k1", NOW, other_body);
  const char *d1 = strchr(token, '.');
  const char *d2 = strrchr(token, '.');
  const char *o1 = strchr(other, '.');
  const char *o2 = strrchr(other, '.');
  char spliced[2048];
  snprintf(spliced, sizeof spliced, "%.*s%.*s%s", (int)(d1 - token), token, (int)(o2 - o1), o1, d2);
  s_refused_body(f, spliced, other_body, NOW, "signature does not match");
  /* The same header written differently is other bytes under the signature. */
  const char *spaced = "{\"alg\":\"ES256\", \"kid\":\"k1\", \"typ\":\"JWT\"}";
  char h[128];
  s_b64url(h, sizeof h, spaced, strlen(spaced));
  snprintf(spliced, sizeof spliced, "%s%s", h, d1);
  s_refused(f, spliced, "signature does not match");
  free(other);
}

static void test_webhook_verify_refuses_a_signature_from_another_key(void **state)
{
  s_fixture *f = *state;
  char *token = s_token(f->other, "k1", NOW, s_body);
  s_refused(f, token, "signature does not match");
  free(token);
}

static void test_webhook_verify_refuses_malformed_tokens(void **state)
{
  s_fixture *f = *state;
  const char *valid = f->token;
  const char *d1 = strchr(valid, '.');
  char *rest = strdup(d1); /* ".payload.signature" */
  char t[8192];
  const char *shapes[][2] = {
    {"", "missing"},
    {"abc", "three parts"},
    {"a.b", "three parts"},
    {"a.b.c.d", "three parts"},
    {"..", "three parts"},
    {".b.c", "three parts"},
    {"a..c", "three parts"},
    {"a.b.c d", "missing"},
    {"a.b.c\n", "missing"},
    {"e30.e30.e30", "alg is not"},
    {"W10.e30.AAAA", "not a base64url JSON object"},
    {"!!!.e30.e30", "header"},
    {"eyJhbGciOiJFUzI1NiJ9=.e30.e30", "header"},
  };
  for(size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
    s_refused(f, shapes[i][0], shapes[i][1]);
  s_refused(f, NULL, "missing");
  /* A header that is not JSON, an array, or JSON with two alg members. */
  const char *headers[] = {"alg", "[\"ES256\"]", "{\"alg\":\"none\",\"alg\":\"ES256\",\"kid\":\"k1\"}",
                           "{\"alg\":\"ES256\",\"kid\":\"k1\"} x"};
  for(size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
    char h[128];
    s_b64url(h, sizeof h, headers[i], strlen(headers[i]));
    snprintf(t, sizeof t, "%s%s", h, rest);
    s_refused(f, t, "header is not a base64url JSON object");
  }
  assert_int_equal(f->source.fetches, 0); /* none of these got as far as the key */
  /* A correctly signed payload that is not a JSON object. */
  const char *payloads[] = {"nope", "[1]", "{\"iat\":1,\"iat\":2}"};
  for(size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++)
    s_refused_signed(f, "{\"alg\":\"ES256\",\"kid\":\"k1\"}", payloads[i], "payload is not a base64url JSON object");
  /* Too long for the header field. */
  memset(t, 'a', PLAID_WEBHOOK_MAX_TOKEN + 1);
  t[10] = '.';
  t[20] = '.';
  t[PLAID_WEBHOOK_MAX_TOKEN + 1] = '\0';
  s_refused(f, t, "too long");
  assert_int_equal(f->source.fetches, 1);
  s_accepted(f, valid, NOW);
  free(rest);
}

static void test_webhook_verify_refuses_signatures_that_are_not_64_bytes(void **state)
{
  s_fixture *f = *state;
  const char *claims = f->claims;
  const char *header = "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JWT\"}";
  /* OpenSSL's own DER form of a valid signature is not the JWS form. */
  char *der = jwt_forge_sign_es256(f->key, header, claims, true);
  s_refused(f, der, "not 64 bytes");
  free(der);

  char *valid = s_signed(f->key, header, claims);
  size_t prefix = (size_t)(strrchr(valid, '.') + 1 - valid);
  unsigned char raw[200];
  memset(raw, 0x11, sizeof raw);
  size_t lens[] = {0, 1, 32, 63, 65, 72, 128, 200};
  char t[2048];
  for(size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    char sig[300];
    s_b64url(sig, sizeof sig, raw, lens[i]);
    snprintf(t, sizeof t, "%.*s%s", (int)prefix, valid, sig);
    s_refused(f, t, lens[i] == 0 ? "three parts" : "not 64 bytes");
  }
  /* Not base64url at all, and 64 bytes that are no signature (r = 0). */
  snprintf(t, sizeof t, "%.*s%s", (int)prefix, valid, "++++");
  s_refused(f, t, "not base64url");
  memset(raw, 0, 32);
  char sig[100];
  s_b64url(sig, sizeof sig, raw, 64);
  snprintf(t, sizeof t, "%.*s%s", (int)prefix, valid, sig);
  s_refused(f, t, "signature does not match");
  free(valid);
}

static void test_webhook_verify_compares_the_body_hash_in_constant_time(void **state)
{
  s_fixture *f = *state;
  s_memcmp_calls = 0;
  s_accepted(f, f->token, NOW);
  assert_int_equal(s_memcmp_calls, 1);
  assert_int_equal(s_memcmp_len, 64);

  /* A claim differing only in its last digit is refused through the same compare. */
  char hash[65];
  s_sha256_hex(s_body, strlen(s_body), hash);
  hash[63] = hash[63] == '0' ? '1' : '0';
  char claims[256];
  snprintf(claims, sizeof claims, "{\"iat\":%lld,\"request_body_sha256\":\"%s\"}", (long long)NOW, hash);
  char *token = s_signed(f->key, "{\"alg\":\"ES256\",\"kid\":\"k1\"}", claims);
  s_memcmp_calls = 0;
  s_refused(f, token, "does not match request_body_sha256");
  assert_int_equal(s_memcmp_calls, 1);
  assert_int_equal(s_memcmp_len, 64);
  free(token);
}

static void test_webhook_keys_add_checks_the_jwk(void **state)
{
  s_fixture *f = *state;
  const char *x = json_string_value(json_object_get(f->source.serve, "x"));
  char short_x[64];
  snprintf(short_x, sizeof short_x, "%.42s", x); /* 31 bytes */
  struct {
    const char *member;
    json_t *value; /* NULL: removed */
  } cases[] = {
    {"kty", json_string("RSA")},
    {"crv", json_string("P-384")},
    {"crv", NULL},
    {"alg", json_string("RS256")},
    {"alg", NULL},
    {"use", json_string("enc")},
    {"x", json_string(short_x)},
    {"x", json_string("not base64url!")},
    {"y", NULL},
    {"y", json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE")}, /* off the curve */
    {"d", json_string("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI")},
    {"kid", NULL},
    {"kid", json_string("")},
    {"kid", json_string("k 1")},
    {"kid", json_integer(1)},
    {"created_at", NULL},
    {"created_at", json_string("1560466150")},
    {"expired_at", NULL},
    {"expired_at", json_string("never")},
  };
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    json_t *jwk = json_deep_copy(f->source.serve);
    if(cases[i].value)
      json_object_set_new(jwk, cases[i].member, cases[i].value);
    else
      json_object_del(jwk, cases[i].member);
    mynt_detail why;
    if(plaid_webhook_keys_add(f->keys, jwk, &why) != MYNT_BAD_REQUEST)
      fail_msg("case %zu (%s) was accepted", i, cases[i].member);
    assert_string_not_equal(mynt_detail_text(&why), "");
    json_decref(jwk);
  }
  json_t *text = json_string("jwk");
  assert_int_equal(plaid_webhook_keys_add(f->keys, text, NULL), MYNT_BAD_REQUEST);
  json_decref(text);
  assert_int_equal(plaid_webhook_keys_count(f->keys), 0);

  /* Adding a kid again replaces its key. */
  assert_int_equal(plaid_webhook_keys_add(f->keys, f->source.serve, NULL), MYNT_OK);
  json_t *rotated = jwt_forge_ec_jwk(f->other, "k1");
  assert_int_equal(plaid_webhook_keys_add(f->keys, rotated, NULL), MYNT_OK);
  json_decref(rotated);
  assert_int_equal(plaid_webhook_keys_count(f->keys), 1);
  char *by_other = s_token(f->other, "k1", NOW, s_body);
  s_accepted(f, by_other, NOW);
  s_refused(f, f->token, "signature does not match");
  assert_int_equal(f->source.fetches, 0);
  free(by_other);
}

static void test_webhook_keys_drop_the_oldest_past_the_cap(void **state)
{
  s_fixture *f = *state;
  for(int i = 0; i <= PLAID_WEBHOOK_MAX_KEYS; i++) {
    char kid[16];
    snprintf(kid, sizeof kid, "k%d", i);
    json_t *jwk = jwt_forge_ec_jwk(f->key, kid);
    assert_int_equal(plaid_webhook_keys_add(f->keys, jwk, NULL), MYNT_OK);
    json_decref(jwk);
  }
  assert_int_equal(plaid_webhook_keys_count(f->keys), PLAID_WEBHOOK_MAX_KEYS);
  char *newest = s_token(f->key, "k8", NOW, s_body);
  s_accepted(f, newest, NOW);
  assert_int_equal(f->source.fetches, 0);
  json_decref(f->source.serve);
  f->source.serve = jwt_forge_ec_jwk(f->key, "k0");
  char *oldest = s_token(f->key, "k0", NOW, s_body);
  s_accepted(f, oldest, NOW); /* dropped, so fetched again */
  assert_int_equal(f->source.fetches, 1);
  assert_int_equal(plaid_webhook_keys_count(f->keys), PLAID_WEBHOOK_MAX_KEYS);
  free(oldest);
  free(newest);
}

static void test_webhook_verify_fetches_keys_from_plaid(void **state)
{
  s_fixture *f = *state;
  fake_plaid *plaid = NULL;
  plaid_client *client = NULL;
  assert_int_equal(fake_plaid_new(&plaid), MYNT_OK);
  plaid_config cfg = fake_plaid_config(script_server_url(plaid->server), FAKE_PLAID_SECRET);
  assert_int_equal(plaid_client_new(&cfg, &client), MYNT_OK);
  fake_plaid_add_webhook_key(plaid, jwt_forge_ec_jwk(f->key, "plaid-key-1"));
  plaid_webhook_client_source ctx = {client, clock_epoch_ms() + 3000};
  plaid_webhook_key_source from_plaid = {plaid_webhook_fetch_from_client, &ctx};

  char *token = s_token(f->key, "plaid-key-1", NOW, s_body);
  mynt_detail why;
  for(int i = 0; i < 2; i++) {
    mynt_status st = plaid_webhook_verify(f->keys, &from_plaid, token, s_body, strlen(s_body), NOW, &why);
    if(st)
      fail_msg("refused: %s", mynt_detail_text(&why));
  }
  assert_int_equal(plaid->key_requests, 1);

  char *unknown = s_token(f->key, "plaid-key-2", NOW, s_body);
  assert_int_equal(plaid_webhook_verify(f->keys, &from_plaid, unknown, s_body, strlen(s_body), NOW, &why),
                   MYNT_UNAUTHORIZED);
  assert_non_null(strstr(mynt_detail_text(&why), "INVALID_WEBHOOK_VERIFICATION_KEY_ID"));
  assert_null(strstr(mynt_detail_text(&why), FAKE_PLAID_SECRET));
  assert_int_equal(plaid->key_requests, 2);
  free(unknown);
  free(token);
  plaid_client_free(client);
  fake_plaid_free(plaid);
}

/* Bodies Plaid sends and the members parse reads from them. */
static const struct {
  const char *body;
  plaid_webhook_event want;
} s_parsed[] = {
  {s_body,
   {.webhook_type = "TRANSACTIONS",
    .webhook_code = "SYNC_UPDATES_AVAILABLE",
    .item_id = "wz666MBjYWTp2PDzzggYhM6oWWmBb",
    .initial_update_complete = true}},
  {"{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\",\"item_id\":\"item-1\",\"error\":{"
   "\"error_type\":\"ITEM_ERROR\",\"error_code\":\"ITEM_LOGIN_REQUIRED\",\"error_message\":\"x\","
   "\"display_message\":null,\"status\":400},\"environment\":\"production\"}",
   {.webhook_type = "ITEM", .webhook_code = "ERROR", .item_id = "item-1", .error_code = "ITEM_LOGIN_REQUIRED"}},
  {"{\"webhook_type\":\"ITEM\",\"webhook_code\":\"WEBHOOK_UPDATE_ACKNOWLEDGED\",\"item_id\":\"i\","
   "\"new_webhook_url\":\"https://api.example.com/webhooks/plaid\",\"error\":null}",
   {.webhook_type = "ITEM",
    .webhook_code = "WEBHOOK_UPDATE_ACKNOWLEDGED",
    .item_id = "i",
    .new_webhook_url = "https://api.example.com/webhooks/plaid"}},
  {"{\"webhook_type\":\"ITEM\",\"webhook_code\":\"LOGIN_REPAIRED\",\"item_id\":null}",
   {.webhook_type = "ITEM", .webhook_code = "LOGIN_REPAIRED"}},
};

static void test_webhook_parse_reads_the_members_mynt_acts_on(void **state)
{
  (void)state;
  for(size_t i = 0; i < sizeof s_parsed / sizeof s_parsed[0]; i++) {
    const plaid_webhook_event *want = &s_parsed[i].want;
    plaid_webhook_event ev;
    mynt_detail why;
    if(plaid_webhook_parse(s_parsed[i].body, strlen(s_parsed[i].body), &ev, &why) != MYNT_OK)
      fail_msg("case %zu refused: %s", i, mynt_detail_text(&why));
    if(strcmp(ev.webhook_type, want->webhook_type) != 0 || strcmp(ev.webhook_code, want->webhook_code) != 0 ||
       strcmp(ev.item_id, want->item_id) != 0 || strcmp(ev.error_code, want->error_code) != 0 ||
       strcmp(ev.new_webhook_url, want->new_webhook_url) != 0 ||
       ev.initial_update_complete != want->initial_update_complete ||
       ev.historical_update_complete != want->historical_update_complete)
      fail_msg("case %zu: %s %s item \"%s\" error \"%s\" url \"%s\" initial %d historical %d", i, ev.webhook_type,
               ev.webhook_code, ev.item_id, ev.error_code, ev.new_webhook_url, ev.initial_update_complete,
               ev.historical_update_complete);
  }
}

static void test_webhook_parse_refuses_malformed_bodies(void **state)
{
  (void)state;
  static const char nul_body[] = "{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\"}\0x";
  const char *cases[][2] = {
    {"", "not a JSON object"},
    {"nope", "not a JSON object"},
    {"[]", "not a JSON object"},
    {"{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\"} {}", "not a JSON object"},
    {"{\"webhook_type\":\"ITEM\",\"webhook_type\":\"TRANSACTIONS\",\"webhook_code\":\"ERROR\"}", "not a JSON object"},
    {"{\"webhook_code\":\"ERROR\"}", "upper-case codes"},
    {"{\"webhook_type\":\"ITEM\"}", "upper-case codes"},
    {"{\"webhook_type\":\"item\",\"webhook_code\":\"ERROR\"}", "upper-case codes"},
    {"{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERR OR\"}", "upper-case codes"},
    {"{\"webhook_type\":1,\"webhook_code\":\"ERROR\"}", "upper-case codes"},
    {"{\"webhook_type\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF\",\"webhook_code\":\"ERROR\"}", "upper-case codes"},
    {"{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\",\"item_id\":7}", "item_id"},
    {"{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\",\"item_id\":\"a b\"}", "item_id"},
    {"{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\",\"item_id\":\"\"}", "item_id"},
    {"{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\",\"error\":\"ITEM_LOGIN_REQUIRED\"}", "error must be"},
    {"{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\",\"error\":{}}", "error must be"},
    {"{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\",\"error\":{\"error_code\":null}}", "error must be"},
    {"{\"webhook_type\":\"TRANSACTIONS\",\"webhook_code\":\"SYNC_UPDATES_AVAILABLE\",\"initial_update_complete\":"
     "\"true\"}",
     "booleans"},
    {"{\"webhook_type\":\"TRANSACTIONS\",\"webhook_code\":\"SYNC_UPDATES_AVAILABLE\",\"historical_update_complete\":"
     "1}",
     "booleans"},
    {"{\"webhook_type\":\"ITEM\",\"webhook_code\":\"WEBHOOK_UPDATE_ACKNOWLEDGED\",\"new_webhook_url\":[]}",
     "new_webhook_url"},
  };
  plaid_webhook_event ev;
  mynt_detail why;
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    memset(&ev, 'x', sizeof ev);
    assert_int_equal(plaid_webhook_parse(cases[i][0], strlen(cases[i][0]), &ev, &why), MYNT_BAD_REQUEST);
    if(!strstr(mynt_detail_text(&why), cases[i][1]))
      fail_msg("case %zu: \"%s\" does not say \"%s\"", i, mynt_detail_text(&why), cases[i][1]);
    assert_string_equal(ev.webhook_type, "");
    assert_string_equal(ev.item_id, "");
  }
  assert_int_equal(plaid_webhook_parse(nul_body, sizeof nul_body - 1, &ev, &why), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_webhook_parse(NULL, 0, &ev, &why), MYNT_BAD_REQUEST);

  /* Caps: an item id past PLAID_MAX_TOKEN, a URL past its field, a body past PLAID_WEBHOOK_MAX_BODY. */
  char *text = malloc(PLAID_WEBHOOK_MAX_BODY + 2);
  char id[PLAID_MAX_TOKEN + 2];
  memset(id, 'i', sizeof id - 1);
  id[sizeof id - 1] = '\0';
  snprintf(text, PLAID_WEBHOOK_MAX_BODY, "{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\",\"item_id\":\"%s\"}",
           id);
  assert_int_equal(plaid_webhook_parse(text, strlen(text), &ev, &why), MYNT_BAD_REQUEST);
  id[sizeof id - 2] = '\0';
  snprintf(text, PLAID_WEBHOOK_MAX_BODY, "{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\",\"item_id\":\"%s\"}",
           id);
  assert_int_equal(plaid_webhook_parse(text, strlen(text), &ev, &why), MYNT_OK);
  char url[600];
  memset(url, 'u', sizeof url - 1);
  url[sizeof url - 1] = '\0';
  snprintf(text, PLAID_WEBHOOK_MAX_BODY,
           "{\"webhook_type\":\"ITEM\",\"webhook_code\":\"WEBHOOK_UPDATE_ACKNOWLEDGED\",\"new_webhook_url\":\"%s\"}",
           url);
  assert_int_equal(plaid_webhook_parse(text, strlen(text), &ev, &why), MYNT_BAD_REQUEST);
  /* Nesting: an ignored member may nest PLAID_WEBHOOK_MAX_DEPTH deep in all, not one level more. */
  for(size_t depth = PLAID_WEBHOOK_MAX_DEPTH; depth <= PLAID_WEBHOOK_MAX_DEPTH + 1; depth++) {
    int n = snprintf(text, PLAID_WEBHOOK_MAX_BODY, "{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\",\"x\":");
    for(size_t i = 1; i < depth; i++)
      text[n++] = '[';
    for(size_t i = 1; i < depth; i++)
      text[n++] = ']';
    text[n++] = '}';
    text[n] = '\0';
    mynt_status st = plaid_webhook_parse(text, strlen(text), &ev, &why);
    assert_int_equal(st, depth == PLAID_WEBHOOK_MAX_DEPTH ? MYNT_OK : MYNT_BAD_REQUEST);
    if(st)
      assert_non_null(strstr(mynt_detail_text(&why), "nests more than 32 levels"));
  }
  memset(text, ' ', PLAID_WEBHOOK_MAX_BODY + 1);
  memcpy(text, "{\"webhook_type\":\"ITEM\",\"webhook_code\":\"ERROR\"}", 46);
  assert_int_equal(plaid_webhook_parse(text, PLAID_WEBHOOK_MAX_BODY, &ev, &why), MYNT_OK);
  assert_int_equal(plaid_webhook_parse(text, PLAID_WEBHOOK_MAX_BODY + 1, &ev, &why), MYNT_TOO_LARGE);
  free(text);
}

#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)
UNIT_MAIN("plaid_webhook", unit_curl_setup, unit_curl_teardown,
          {
            T(test_webhook_verify_accepts_a_webhook_signed_as_plaid_signs),
            T(test_webhook_forge_signatures_check_with_openssl),
            cmocka_unit_test(test_webhook_jws_verify_accepts_rfc7515_a3),
            T(test_webhook_verify_refuses_algorithms_other_than_es256),
            T(test_webhook_verify_refuses_headers_that_carry_keys_or_change_the_rules),
            T(test_webhook_verify_fetches_an_unknown_kid_once_then_refuses),
            T(test_webhook_verify_bounds_the_fetches_of_unknown_kids),
            T(test_webhook_verify_reports_a_key_that_could_not_be_fetched_apart),
            T(test_webhook_verify_refreshes_a_fetched_key),
            T(test_webhook_verify_refuses_an_expired_key),
            T(test_webhook_verify_refuses_a_stale_or_future_iat),
            T(test_webhook_verify_refuses_a_tampered_body),
            T(test_webhook_verify_refuses_a_tampered_payload_or_header),
            T(test_webhook_verify_refuses_a_signature_from_another_key),
            T(test_webhook_verify_refuses_malformed_tokens),
            T(test_webhook_verify_refuses_signatures_that_are_not_64_bytes),
            T(test_webhook_verify_compares_the_body_hash_in_constant_time),
            T(test_webhook_keys_add_checks_the_jwk),
            T(test_webhook_keys_drop_the_oldest_past_the_cap),
            T(test_webhook_verify_fetches_keys_from_plaid),
            cmocka_unit_test(test_webhook_parse_reads_the_members_mynt_acts_on),
            cmocka_unit_test(test_webhook_parse_refuses_malformed_bodies),
          })
