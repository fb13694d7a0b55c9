/* jwt_forge.c - tests' RS256 tokens and the key sets (JWKS) that verify them, served on loopback; ES256 tokens and
 * EC P-256 JWKs as Plaid signs webhooks. */
#include "support/jwt_forge.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "core/buf.h"
#include "core/b64.h"
#include "core/clock.h"

int jwt_forge_keys_make(jwt_forge_keys *keys)
{
  keys->a = EVP_RSA_gen(2048);
  keys->b = EVP_RSA_gen(2048);
  keys->evil = EVP_RSA_gen(2048);
  return keys->a && keys->b && keys->evil ? 0 : -1;
}

void jwt_forge_keys_free(jwt_forge_keys *keys)
{
  EVP_PKEY_free(keys->a);
  EVP_PKEY_free(keys->b);
  EVP_PKEY_free(keys->evil);
  *keys = (jwt_forge_keys){0};
}

char *jwt_forge_b64url(const void *data, size_t len)
{
  size_t cap = b64_url_encoded_len(len) + 1;
  char *out = malloc(cap);
  assert_non_null(out);
  assert_int_equal(b64_url_encode(data, len, out, cap), MYNT_OK);
  return out;
}

/* The base64url of one big-endian RSA parameter of key (caller frees). */
static char *s_param_b64url(EVP_PKEY *key, const char *param)
{
  BIGNUM *bn = NULL;
  assert_int_equal(EVP_PKEY_get_bn_param(key, param, &bn), 1);
  int n = BN_num_bytes(bn);
  unsigned char *raw = malloc((size_t)n);
  assert_non_null(raw);
  BN_bn2bin(bn, raw);
  char *out = jwt_forge_b64url(raw, (size_t)n);
  free(raw);
  BN_free(bn);
  return out;
}

json_t *jwt_forge_jwk(EVP_PKEY *key, const char *kid)
{
  char *n = s_param_b64url(key, OSSL_PKEY_PARAM_RSA_N);
  char *e = s_param_b64url(key, OSSL_PKEY_PARAM_RSA_E);
  json_t *jwk =
    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kty", "RSA", "alg", "RS256", "use", "sig", "kid", kid, "n", n, "e", e);
  assert_non_null(jwk);
  free(n);
  free(e);
  return jwk;
}

json_t *jwt_forge_jwks(EVP_PKEY *key, const char *kid, ...)
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

char *jwt_forge_id_claims(const char *issuer, const char *client, const char *extra_json)
{
  int64_t now = clock_epoch_ms() / 1000;
  json_t *claims = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:b,s:s}", "sub", "user-1", "iss", issuer, "aud", client,
                             "token_use", "id", "iat", (json_int_t)now, "exp", (json_int_t)(now + 3600), "email",
                             "a@example.com", "email_verified", 1, "cognito:username", "alice");
  assert_non_null(claims);
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
  assert_non_null(text);
  return text;
}

char *jwt_forge_id_token(EVP_PKEY *key, const char *kid, const char *issuer, const char *client, const char *extra_json)
{
  char header[128];
  snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
  char *claims = jwt_forge_id_claims(issuer, client, extra_json);
  char *token = jwt_forge_sign(key, header, claims);
  free(claims);
  return token;
}

/* Signs "b64url(header).b64url(claims)" with key by EVP_DigestSign (SHA-256) and appends "." and the base64url of
 * the signature, as it comes or, when es256_raw, converted from DER to the JWS form r || s. malloc'd. */
static char *s_sign(EVP_PKEY *key, const char *header, const char *claims, bool es256_raw)
{
  char *h = jwt_forge_b64url(header, strlen(header));
  char *c = jwt_forge_b64url(claims, strlen(claims));
  mynt_buf token;
  buf_init(&token, 1 << 16);
  assert_int_equal(buf_appendf(&token, "%s.%s", h, c), MYNT_OK);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  assert_non_null(md);
  size_t sig_len = 0;
  assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
  assert_int_equal(EVP_DigestSign(md, NULL, &sig_len, (unsigned char *)token.ptr, token.len), 1);
  unsigned char *sig = malloc(sig_len);
  assert_non_null(sig);
  assert_int_equal(EVP_DigestSign(md, sig, &sig_len, (unsigned char *)token.ptr, token.len), 1);
  if(es256_raw) {
    unsigned char raw[64];
    const unsigned char *p = sig;
    ECDSA_SIG *parsed = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);
    assert_non_null(parsed);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(parsed), raw, 32), 32);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(parsed), raw + 32, 32), 32);
    ECDSA_SIG_free(parsed);
    memcpy(sig, raw, sizeof raw); /* a DER P-256 signature is at least 8 bytes longer */
    sig_len = sizeof raw;
  }
  char *s = jwt_forge_b64url(sig, sig_len);
  assert_int_equal(buf_appendf(&token, ".%s", s), MYNT_OK);
  free(s);
  free(sig);
  EVP_MD_CTX_free(md);
  free(h);
  free(c);
  return buf_detach(&token);
}

char *jwt_forge_sign(EVP_PKEY *key, const char *header, const char *claims)
{
  return s_sign(key, header, claims, false);
}

EVP_PKEY *jwt_forge_ec_key(void)
{
  EVP_PKEY *key = EVP_EC_gen("P-256");
  assert_non_null(key);
  return key;
}

/* The base64url of one 32-byte big-endian coordinate of an EC key (caller frees). */
static char *s_coord_b64url(EVP_PKEY *key, const char *param)
{
  BIGNUM *bn = NULL;
  unsigned char raw[32];
  assert_int_equal(EVP_PKEY_get_bn_param(key, param, &bn), 1);
  assert_int_equal(BN_bn2binpad(bn, raw, sizeof raw), (int)sizeof raw);
  BN_free(bn);
  return jwt_forge_b64url(raw, sizeof raw);
}

json_t *jwt_forge_ec_jwk(EVP_PKEY *key, const char *kid)
{
  char *x = s_coord_b64url(key, OSSL_PKEY_PARAM_EC_PUB_X);
  char *y = s_coord_b64url(key, OSSL_PKEY_PARAM_EC_PUB_Y);
  json_t *jwk = json_pack("{s:s,s:I,s:s,s:n,s:s,s:s,s:s,s:s,s:s}", "alg", "ES256", "created_at", (json_int_t)1560466150,
                          "crv", "P-256", "expired_at", "kid", kid, "kty", "EC", "use", "sig", "x", x, "y", y);
  assert_non_null(jwk);
  free(x);
  free(y);
  return jwk;
}

char *jwt_forge_sign_es256(EVP_PKEY *key, const char *header, const char *claims, bool der)
{
  assert_int_equal(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
  return s_sign(key, header, claims, !der);
}

bool jwt_forge_es256_check(EVP_PKEY *key, const void *data, size_t len, const unsigned char sig[64])
{
  ECDSA_SIG *parsed = ECDSA_SIG_new();
  BIGNUM *r = BN_bin2bn(sig, 32, NULL);
  BIGNUM *s = BN_bin2bn(sig + 32, 32, NULL);
  assert_true(parsed && r && s);
  assert_int_equal(ECDSA_SIG_set0(parsed, r, s), 1);
  unsigned char *der = NULL;
  int der_len = i2d_ECDSA_SIG(parsed, &der);
  assert_true(der_len > 0);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  assert_non_null(md);
  assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key), 1);
  bool ok = EVP_DigestVerify(md, der, (size_t)der_len, data, len) == 1;
  EVP_MD_CTX_free(md);
  OPENSSL_free(der);
  ECDSA_SIG_free(parsed);
  return ok;
}

void jwt_forge_jwks_start(jwt_forge_jwks_server *srv, json_t *jwks)
{
  memset(srv, 0, sizeof(*srv));
  assert_int_equal(script_server_new(NULL, NULL, &srv->server), MYNT_OK);
  srv->port = script_server_port(srv->server);
  jwt_forge_jwks_set(srv, jwks);
}

void jwt_forge_jwks_set(jwt_forge_jwks_server *srv, json_t *jwks)
{
  char *body = json_dumps(jwks, JSON_COMPACT);
  json_decref(jwks);
  assert_non_null(body);
  mynt_status st = script_server_reply(srv->server, 200, body);
  free(body);
  assert_int_equal(st, MYNT_OK);
}

int jwt_forge_jwks_hits(jwt_forge_jwks_server *srv)
{
  return script_server_counts(srv->server).requests;
}

void jwt_forge_jwks_stop(jwt_forge_jwks_server *srv)
{
  script_server_free(srv->server);
  srv->server = NULL;
}
