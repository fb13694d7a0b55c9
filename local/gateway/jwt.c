/* jwt.c - verification of RS256 JWTs as API Gateway's JWT authorizer does it. */
#include "local/gateway/jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64.h"
#include "core/json.h"

/* Decoded parts of a compact JWS are small; these caps bound the work per token. */
#define S_MAX_PART 12288

/* Decodes one base64url part into a JSON object; NULL when it is not one. */
static json_t *s_decode_json_part(const char *text, size_t len)
{
  json_t *obj = NULL;
  json_from_b64url(text, len, S_MAX_PART, &obj);
  return obj;
}

/* Returns a BIGNUM from a base64url JWK member, or NULL. */
static BIGNUM *s_jwk_bignum(const json_t *jwk, const char *name)
{
  const char *text = json_member_string(jwk, name);
  if(!text)
    return NULL;
  mynt_buf raw;
  buf_init(&raw, 2048);
  BIGNUM *bn = NULL;
  if(b64_url_decode_buf(text, strlen(text), &raw) == MYNT_OK && raw.len > 0)
    bn = BN_bin2bn((const unsigned char *)raw.ptr, (int)raw.len, NULL);
  buf_free(&raw);
  return bn;
}

mynt_status jwt_key_from_jwk(const json_t *jwk, EVP_PKEY **out_key)
{
  *out_key = NULL;
  const char *kty = json_member_string(jwk, "kty");
  const json_t *alg = json_object_get(jwk, "alg");
  const json_t *use = json_object_get(jwk, "use");
  if(!kty || strcmp(kty, "RSA") != 0)
    return MYNT_UNAUTHORIZED;
  if(alg && (!json_is_string(alg) || strcmp(json_string_value(alg), "RS256") != 0))
    return MYNT_UNAUTHORIZED;
  if(use && (!json_is_string(use) || strcmp(json_string_value(use), "sig") != 0))
    return MYNT_UNAUTHORIZED;
  mynt_status st = MYNT_UNAUTHORIZED;
  OSSL_PARAM_BLD *bld = NULL;
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  BIGNUM *n = s_jwk_bignum(jwk, "n");
  BIGNUM *e = s_jwk_bignum(jwk, "e");
  if(!n || !e || BN_num_bits(n) < 2048 || BN_num_bits(n) > 8192 || BN_is_zero(e))
    goto cleanup;
  st = MYNT_NOMEM;
  bld = OSSL_PARAM_BLD_new();
  if(!bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
     !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
    goto cleanup;
  params = OSSL_PARAM_BLD_to_param(bld);
  ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
  if(!params || !ctx)
    goto cleanup;
  st = MYNT_UNAUTHORIZED;
  if(EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, out_key, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    *out_key = NULL;
    goto cleanup;
  }
  st = MYNT_OK;
cleanup:
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(n);
  BN_free(e);
  return st;
}

/* Returns the JWK in jwks whose kid equals kid, or NULL. */
static const json_t *s_find_jwk(const json_t *jwks, const char *kid)
{
  const json_t *keys = json_object_get(jwks, "keys");
  size_t i;
  const json_t *k;
  json_array_foreach(keys, i, k) {
    const char *this_kid = json_member_string(k, "kid");
    if(this_kid && strcmp(this_kid, kid) == 0)
      return k;
  }
  return NULL;
}

/* Returns 1 when the RS256 signature over input verifies with key. */
static int s_signature_ok(EVP_PKEY *key, const char *input, size_t input_len, const char *sig_b64, size_t sig_b64_len)
{
  mynt_buf sig;
  buf_init(&sig, 1024);
  int ok = 0;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  if(!md || b64_url_decode_buf(sig_b64, sig_b64_len, &sig) != MYNT_OK || sig.len == 0)
    goto cleanup;
  if(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1)
    goto cleanup;
  ok = EVP_DigestVerify(md, (const unsigned char *)sig.ptr, sig.len, (const unsigned char *)input, input_len) == 1;
cleanup:
  EVP_MD_CTX_free(md);
  buf_free(&sig);
  return ok;
}

static int s_audience_ok(const char *value, const jwt_policy *policy)
{
  for(size_t i = 0; i < policy->n_audiences; i++)
    if(strcmp(value, policy->audiences[i]) == 0)
      return 1;
  return 0;
}

/* Returns 1 when the claims satisfy the policy at now_s. */
static int s_claims_ok(const json_t *claims, const jwt_policy *policy, int64_t now_s)
{
  const char *iss = json_member_string(claims, "iss");
  if(!iss || strcmp(iss, policy->issuer) != 0)
    return 0;
  const json_t *exp = json_object_get(claims, "exp");
  if(!json_is_number(exp) || json_number_value(exp) <= (double)now_s)
    return 0;
  const json_t *nbf = json_object_get(claims, "nbf");
  if(nbf && (!json_is_number(nbf) || json_number_value(nbf) > (double)now_s))
    return 0;
  /* API Gateway: iat "must be before the current time"; a token minted in the future is forged or its
   * issuer's clock is wrong, either way not one to trust. */
  const json_t *iat = json_object_get(claims, "iat");
  if(iat && (!json_is_number(iat) || json_number_value(iat) > (double)(now_s + JWT_IAT_SKEW_S)))
    return 0;
  const json_t *aud = json_object_get(claims, "aud");
  if(aud) {
    int found = 0;
    if(json_is_string(aud)) {
      found = s_audience_ok(json_string_value(aud), policy);
    }
    else if(json_is_array(aud)) {
      size_t i;
      const json_t *a;
      json_array_foreach(aud, i, a) {
        if(json_is_string(a) && s_audience_ok(json_string_value(a), policy))
          found = 1;
      }
    }
    if(!found)
      return 0;
  }
  else {
    const char *client_id = json_member_string(claims, "client_id");
    if(!client_id || !s_audience_ok(client_id, policy))
      return 0;
  }
  const char *use = json_member_string(claims, "token_use");
  return use && (strcmp(use, "id") == 0 || strcmp(use, "access") == 0);
}

mynt_status jwt_verify(const char *token, const json_t *jwks, const jwt_policy *policy, int64_t now_s,
                       json_t **out_claims)
{
  *out_claims = NULL;
  if(!token || !jwks || !policy || !policy->issuer)
    return MYNT_UNAUTHORIZED;
  size_t len = strnlen(token, JWT_MAX_TOKEN + 1);
  if(len > JWT_MAX_TOKEN)
    return MYNT_UNAUTHORIZED;
  const char *dot1 = memchr(token, '.', len);
  const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
  if(!dot1 || !dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
    return MYNT_UNAUTHORIZED;
  size_t header_len = (size_t)(dot1 - token);
  size_t payload_len = (size_t)(dot2 - dot1 - 1);
  size_t sig_len = len - (size_t)(dot2 + 1 - token);
  if(header_len == 0 || payload_len == 0 || sig_len == 0)
    return MYNT_UNAUTHORIZED;

  mynt_status st = MYNT_UNAUTHORIZED;
  EVP_PKEY *key = NULL;
  json_t *claims = NULL;
  json_t *header = s_decode_json_part(token, header_len);
  if(!header)
    goto cleanup;
  const char *alg = json_member_string(header, "alg");
  const char *kid = json_member_string(header, "kid");
  if(!alg || strcmp(alg, "RS256") != 0 || !kid || json_object_get(header, "crit"))
    goto cleanup;
  const json_t *jwk = s_find_jwk(jwks, kid);
  if(!jwk) {
    st = MYNT_NOT_FOUND;
    goto cleanup;
  }
  if((st = jwt_key_from_jwk(jwk, &key)))
    goto cleanup;
  st = MYNT_UNAUTHORIZED;
  if(!s_signature_ok(key, token, (size_t)(dot2 - token), dot2 + 1, sig_len))
    goto cleanup;
  claims = s_decode_json_part(dot1 + 1, payload_len);
  if(!claims || !s_claims_ok(claims, policy, now_s))
    goto cleanup;
  *out_claims = claims;
  claims = NULL;
  st = MYNT_OK;
cleanup:
  json_decref(claims);
  json_decref(header);
  EVP_PKEY_free(key);
  return st;
}

/* Appends the event form of one claim value to out. */
static mynt_status s_claim_text(const json_t *v, mynt_buf *out)
{
  switch(json_typeof(v)) {
  case JSON_STRING:
    return buf_append(out, json_string_value(v), json_string_length(v));
  case JSON_INTEGER:
    return buf_appendf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
  case JSON_REAL:
    return buf_appendf(out, "%.17g", json_real_value(v));
  case JSON_TRUE:
    return buf_appends(out, "true");
  case JSON_FALSE:
    return buf_appends(out, "false");
  case JSON_NULL:
    return buf_appends(out, "null");
  case JSON_ARRAY: {
    mynt_status st = buf_appends(out, "[");
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item) {
      if(!st && i > 0)
        st = buf_appends(out, " ");
      if(!st)
        st = s_claim_text(item, out);
    }
    return st ? st : buf_appends(out, "]");
  }
  case JSON_OBJECT: {
    char *text = json_dumps(v, JSON_COMPACT);
    if(!text)
      return MYNT_NOMEM;
    mynt_status st = buf_appends(out, text);
    free(text);
    return st;
  }
  }
  return MYNT_INTERNAL;
}

static json_t *s_scopes(const json_t *claims)
{
  const char *scope = json_member_string(claims, "scope");
  if(!scope)
    return json_null();
  json_t *arr = json_array();
  const char *p = scope;
  while(arr && *p) {
    while(*p == ' ')
      p++;
    size_t n = strcspn(p, " ");
    if(n && json_array_append_new(arr, json_stringn(p, n)) != 0) {
      json_decref(arr);
      return NULL;
    }
    p += n;
  }
  return arr;
}

mynt_status jwt_claims_for_event(const json_t *claims, json_t **out_claims, json_t **out_scopes)
{
  *out_claims = NULL;
  *out_scopes = NULL;
  mynt_status st = MYNT_NOMEM;
  mynt_buf text;
  buf_init(&text, JWT_MAX_TOKEN);
  json_t *obj = json_object();
  json_t *scopes = s_scopes(claims);
  if(!obj || !scopes)
    goto cleanup;
  const char *k;
  const json_t *v;
  json_object_foreach((json_t *)claims, k, v) {
    buf_reset(&text);
    if((st = s_claim_text(v, &text)))
      goto cleanup;
    json_t *s = json_stringn(buf_cstr(&text), text.len);
    if(!s || json_object_set_new(obj, k, s) != 0) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
  }
  *out_claims = obj;
  *out_scopes = scopes;
  obj = scopes = NULL;
  st = MYNT_OK;
cleanup:
  json_decref(obj);
  json_decref(scopes);
  buf_free(&text);
  return st;
}
