/* webhook.c - verification of Plaid's signed webhooks (the Plaid-Verification JWT, ES256) and a strict parse of their bodies. */
#include "plaid/webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "core/b64.h"
#include "core/code.h"
#include "core/hex.h"
#include "core/json.h"

/* The raw JWS form of an ES256 signature: r and s, 32 big-endian bytes each. */
#define S_SIG_LEN   64
#define S_COORD_LEN 32
/* request_body_sha256: the lowercase hex of a SHA-256 digest. */
#define S_SHA256_LEN 32
/* Caps on the decoded header and payload (Plaid's are under 100 and 150 bytes). */
#define S_HEADER_MAX  1024
#define S_PAYLOAD_MAX 2048

typedef struct {
  char kid[PLAID_WEBHOOK_MAX_KID + 1];
  EVP_PKEY *key;
  bool expires;       /* expired_at was an integer */
  int64_t expired_at; /* Unix seconds, when expires */
  int64_t refresh_at; /* Unix seconds from which the key is fetched again; 0 = never (added by the caller) */
  uint64_t added;     /* order of arrival, for eviction */
} s_entry;

struct plaid_webhook_keys {
  s_entry entries[PLAID_WEBHOOK_MAX_KEYS];
  size_t n;
  uint64_t next_added;
  /* When the last fetches of unknown kids were made (Unix seconds), a ring: the fetch budget. */
  int64_t unknown_fetched_at[PLAID_WEBHOOK_UNKNOWN_FETCHES];
  size_t unknown_next;
};

/* The header members refused: they carry or point at keys, or change what is signed. */
static const char *const s_forbidden_header[] = {"jku",      "jwk",  "x5u", "x5c", "x5t",
                                                 "x5t#S256", "crit", "b64", "enc", "zip"};

/* The three parts of a compact JWS, borrowed from the token. */
typedef struct {
  mynt_str header;
  mynt_str payload;
  mynt_str signature;
  size_t signing_len; /* length of "header.payload" */
} s_parts;

static mynt_status s_refuse(mynt_detail *detail, const char *why)
{
  ERR_clear_error();
  return mynt_fail(detail, MYNT_UNAUTHORIZED, "webhook not verified: %s", why);
}

/* Splits token into its three parts; returns false unless it has exactly three non-empty ones. */
static bool s_split(const char *token, s_parts *out)
{
  const char *dot1 = strchr(token, '.');
  const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
  if(!dot1 || !dot2 || strchr(dot2 + 1, '.'))
    return false;
  out->header = (mynt_str){token, (size_t)(dot1 - token)};
  out->payload = (mynt_str){dot1 + 1, (size_t)(dot2 - dot1 - 1)};
  out->signature = (mynt_str){dot2 + 1, strlen(dot2 + 1)};
  out->signing_len = (size_t)(dot2 - token);
  return out->header.len && out->payload.len && out->signature.len;
}

/* Decodes a base64url part (at most cap bytes) as a JSON object without duplicate keys.
 * Returns the object (caller json_decref) or NULL. */
static json_t *s_part_json(mynt_str part, size_t cap)
{
  json_t *obj = NULL;
  json_from_b64url(part.ptr, part.len, cap, &obj);
  return obj;
}

/* Checks a decoded JWS header: alg ES256 and no forbidden member. Returns NULL or the reason. */
static const char *s_header_problem(const json_t *header)
{
  const char *alg = json_member_string(header, "alg");
  if(!alg || strcmp(alg, "ES256") != 0)
    return "the header's alg is not ES256";
  for(size_t i = 0; i < sizeof s_forbidden_header / sizeof s_forbidden_header[0]; i++) {
    if(json_object_get(header, s_forbidden_header[i]))
      return "the header carries a member that is refused (a key, a key URL, crit, b64, enc or zip)";
  }
  json_t *typ = json_object_get(header, "typ");
  if(typ && (!json_is_string(typ) || strcmp(json_string_value(typ), "JWT") != 0))
    return "the header's typ is not JWT";
  return NULL;
}

/* Decodes the base64url text of one 32-byte coordinate into out. */
static bool s_coord(const json_t *jwk, const char *name, unsigned char out[S_COORD_LEN])
{
  const char *text = json_member_string(jwk, name);
  size_t n = 0;
  return text && b64_url_decode(text, strlen(text), out, S_COORD_LEN, &n) == MYNT_OK && n == S_COORD_LEN;
}

/* Returns true when jwk's member name is absent or the string want. */
static bool s_absent_or(const json_t *jwk, const char *name, const char *want)
{
  json_t *v = json_object_get(jwk, name);
  return !v || (json_is_string(v) && strcmp(json_string_value(v), want) == 0);
}

/* Makes the public key of an EC P-256 JWK. Returns MYNT_OK and *out (caller EVP_PKEY_free), MYNT_BAD_REQUEST with
 * the reason in detail, or MYNT_NOMEM. */
static mynt_status s_key_from_jwk(const json_t *jwk, EVP_PKEY **out, mynt_detail *detail)
{
  mynt_status st = MYNT_NOMEM;
  unsigned char point[1 + 2 * S_COORD_LEN];
  OSSL_PARAM_BLD *bld = NULL;
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  EVP_PKEY_CTX *check = NULL;
  *out = NULL;
  const char *kty = json_member_string(jwk, "kty");
  const char *crv = json_member_string(jwk, "crv");
  if(!json_is_object(jwk) || !kty || strcmp(kty, "EC") != 0 || !crv || strcmp(crv, "P-256") != 0)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "the key is not an EC P-256 JWK");
  if(!s_absent_or(jwk, "alg", "ES256") || !s_absent_or(jwk, "use", "sig"))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "the key is not an ES256 signing key");
  if(json_object_get(jwk, "d"))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "the key carries a private part");
  point[0] = 0x04; /* uncompressed: 04 || x || y */
  if(!s_coord(jwk, "x", point + 1) || !s_coord(jwk, "y", point + 1 + S_COORD_LEN))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "the key's x or y is not 32 bytes of base64url");

  bld = OSSL_PARAM_BLD_new();
  if(!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
     !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point))
    goto cleanup;
  params = OSSL_PARAM_BLD_to_param(bld);
  ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  if(!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1)
    goto cleanup;
  if(EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1 || !*out) {
    st = mynt_fail(detail, MYNT_BAD_REQUEST, "the key's point is not on P-256");
    goto cleanup;
  }
  check = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
  if(!check)
    goto cleanup;
  if(EVP_PKEY_public_check(check) != 1) {
    st = mynt_fail(detail, MYNT_BAD_REQUEST, "the key's point is not on P-256");
    goto cleanup;
  }
  st = MYNT_OK;

cleanup:
  if(st) {
    EVP_PKEY_free(*out);
    *out = NULL;
    ERR_clear_error();
  }
  EVP_PKEY_CTX_free(check);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return st;
}

/* Verifies the base64url signature part over input[0..len) with key (ECDSA P-256 SHA-256, JWS r || s form). */
static mynt_status s_signature_check(EVP_PKEY *key, const char *input, size_t len, mynt_str sig_part,
                                     mynt_detail *detail)
{
  unsigned char raw[2 * S_SIG_LEN];
  size_t raw_len = 0;
  if(sig_part.len > b64_url_encoded_len(sizeof raw))
    return s_refuse(detail, "the signature is not 64 bytes (r || s)");
  if(b64_url_decode(sig_part.ptr, sig_part.len, raw, sizeof raw, &raw_len) != MYNT_OK)
    return s_refuse(detail, "the signature is not base64url");
  if(raw_len != S_SIG_LEN)
    return s_refuse(detail, "the signature is not 64 bytes (r || s)");

  mynt_status st = MYNT_NOMEM;
  ECDSA_SIG *sig = ECDSA_SIG_new();
  BIGNUM *r = BN_bin2bn(raw, S_COORD_LEN, NULL);
  BIGNUM *s = BN_bin2bn(raw + S_COORD_LEN, S_COORD_LEN, NULL);
  unsigned char *der = NULL;
  EVP_MD_CTX *md = NULL;
  if(!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1)
    goto cleanup;
  r = s = NULL; /* sig owns them now */
  int der_len = i2d_ECDSA_SIG(sig, &der);
  md = EVP_MD_CTX_new();
  if(der_len <= 0 || !md || EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1)
    goto cleanup;
  if(EVP_DigestVerify(md, der, (size_t)der_len, (const unsigned char *)input, len) != 1) {
    st = s_refuse(detail, "the signature does not match");
    goto cleanup;
  }
  st = MYNT_OK;

cleanup:
  if(st == MYNT_NOMEM)
    st = s_refuse(detail, "out of memory while checking the signature");
  EVP_MD_CTX_free(md);
  OPENSSL_free(der);
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return st;
}

/* Splits token and checks its header. Returns MYNT_OK with *out_header (caller json_decref), or MYNT_UNAUTHORIZED. */
static mynt_status s_open(const char *token, s_parts *parts, json_t **out_header, mynt_detail *detail)
{
  *out_header = NULL;
  if(!token || !str_is_token(token, PLAID_WEBHOOK_MAX_TOKEN))
    return s_refuse(detail, "the Plaid-Verification header is missing, too long or not printable");
  if(!s_split(token, parts))
    return s_refuse(detail, "the token is not a compact JWS of three parts");
  json_t *header = s_part_json(parts->header, S_HEADER_MAX);
  if(!header)
    return s_refuse(detail, "the token's header is not a base64url JSON object");
  const char *problem = s_header_problem(header);
  if(problem) {
    json_decref(header);
    return s_refuse(detail, problem);
  }
  *out_header = header;
  return MYNT_OK;
}

mynt_status plaid_webhook_jws_verify(const json_t *jwk, const char *token, mynt_buf *out_payload, mynt_detail *detail)
{
  s_parts parts;
  json_t *header = NULL;
  EVP_PKEY *key = NULL;
  mynt_detail why;
  mynt_detail_clear(detail);
  mynt_detail_clear(&why);
  mynt_status st = s_open(token, &parts, &header, detail);
  json_decref(header);
  if(st)
    return st;
  if(s_key_from_jwk(jwk, &key, &why))
    return s_refuse(detail, mynt_detail_text(&why));
  st = s_signature_check(key, token, parts.signing_len, parts.signature, detail);
  EVP_PKEY_free(key);
  if(st)
    return st;
  if(b64_url_decode_buf(parts.payload.ptr, parts.payload.len, out_payload))
    return s_refuse(detail, "the payload is not base64url");
  return MYNT_OK;
}

mynt_status plaid_webhook_keys_new(plaid_webhook_keys **out)
{
  *out = calloc(1, sizeof **out);
  return *out ? MYNT_OK : MYNT_NOMEM;
}

void plaid_webhook_keys_free(plaid_webhook_keys *keys)
{
  if(!keys)
    return;
  for(size_t i = 0; i < keys->n; i++)
    EVP_PKEY_free(keys->entries[i].key);
  free(keys);
}

size_t plaid_webhook_keys_count(const plaid_webhook_keys *keys)
{
  return keys ? keys->n : 0;
}

static s_entry *s_find(plaid_webhook_keys *keys, const char *kid)
{
  for(size_t i = 0; i < keys->n; i++) {
    if(strcmp(keys->entries[i].kid, kid) == 0)
      return &keys->entries[i];
  }
  return NULL;
}

mynt_status plaid_webhook_keys_add(plaid_webhook_keys *keys, const json_t *jwk, mynt_detail *detail)
{
  const char *kid = json_member_string(jwk, "kid");
  json_t *created = json_object_get(jwk, "created_at");
  json_t *expired = json_object_get(jwk, "expired_at");
  if(!str_is_token(kid, PLAID_WEBHOOK_MAX_KID))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "the key's kid is missing or malformed");
  if(!json_is_string(json_object_get(jwk, "alg")))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "the key has no alg");
  if(!json_is_integer(created) || !expired || !(json_is_null(expired) || json_is_integer(expired)))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "the key's created_at or expired_at is missing or not an integer");
  EVP_PKEY *key = NULL;
  mynt_status st = s_key_from_jwk(jwk, &key, detail);
  if(st)
    return st;

  s_entry *e = s_find(keys, kid);
  if(!e && keys->n < PLAID_WEBHOOK_MAX_KEYS)
    e = &keys->entries[keys->n++];
  if(!e) {
    e = &keys->entries[0];
    for(size_t i = 1; i < keys->n; i++) {
      if(keys->entries[i].added < e->added)
        e = &keys->entries[i];
    }
  }
  EVP_PKEY_free(e->key);
  *e = (s_entry){.key = key, .expires = json_is_integer(expired), .added = keys->next_added++};
  e->expired_at = e->expires ? (int64_t)json_integer_value(expired) : 0;
  snprintf(e->kid, sizeof e->kid, "%s", kid);
  return MYNT_OK;
}

/* Drops entry e from keys. */
static void s_drop(plaid_webhook_keys *keys, s_entry *e)
{
  EVP_PKEY_free(e->key);
  *e = keys->entries[--keys->n];
  keys->entries[keys->n] = (s_entry){0};
}

/* Takes one fetch of an unknown kid from the budget at now_s; returns false when it is spent. */
static bool s_take_unknown_fetch(plaid_webhook_keys *keys, int64_t now_s)
{
  int64_t *slot = &keys->unknown_fetched_at[keys->unknown_next];
  if(*slot && *slot > now_s - PLAID_WEBHOOK_UNKNOWN_WINDOW_S)
    return false; /* the oldest of the last PLAID_WEBHOOK_UNKNOWN_FETCHES is still inside the window */
  *slot = now_s;
  keys->unknown_next = (keys->unknown_next + 1) % PLAID_WEBHOOK_UNKNOWN_FETCHES;
  return true;
}

/* Fetches kid's key from source and caches it (refreshed from now_s + PLAID_WEBHOOK_KEY_REFRESH_S). Returns MYNT_OK,
 * or the failure as plaid_webhook_verify reports it: MYNT_UNAUTHORIZED when Plaid refused the kid or answered a key
 * that is not trusted, MYNT_UNAVAILABLE when the source failed otherwise. */
static mynt_status s_fetch(plaid_webhook_keys *keys, const plaid_webhook_key_source *source, const char *kid,
                           int64_t now_s, mynt_detail *detail)
{
  json_t *jwk = NULL;
  mynt_detail why;
  mynt_detail_clear(&why);
  mynt_status st = source->fetch(source->ctx, kid, &jwk, &why);
  if(st || !jwk) {
    json_decref(jwk);
    return mynt_fail(detail, st == MYNT_BAD_REQUEST ? MYNT_UNAUTHORIZED : MYNT_UNAVAILABLE,
                     "webhook not verified: the key for the header's kid was not fetched: %s", mynt_detail_text(&why));
  }
  const char *got = json_member_string(jwk, "kid");
  if(!got || strcmp(got, kid) != 0) {
    json_decref(jwk);
    return s_refuse(detail, "the fetched key has another kid");
  }
  st = plaid_webhook_keys_add(keys, jwk, &why);
  json_decref(jwk);
  if(st)
    return mynt_fail(detail, MYNT_UNAUTHORIZED, "webhook not verified: the fetched key is refused: %s",
                     mynt_detail_text(&why));
  s_find(keys, kid)->refresh_at = now_s + PLAID_WEBHOOK_KEY_REFRESH_S;
  return MYNT_OK;
}

/* Finds kid in keys: an unknown kid is fetched from source within the budget, a fetched key due for a refresh is
 * fetched again (and kept when Plaid does not answer). */
static mynt_status s_lookup(plaid_webhook_keys *keys, const plaid_webhook_key_source *source, const char *kid,
                            int64_t now_s, s_entry **out, mynt_detail *detail)
{
  bool can_fetch = source && source->fetch;
  s_entry *e = s_find(keys, kid);
  *out = e;
  if(e && (!e->refresh_at || now_s < e->refresh_at || !can_fetch))
    return MYNT_OK;
  if(e) {
    mynt_status st = s_fetch(keys, source, kid, now_s, detail);
    e = s_find(keys, kid);
    if(st == MYNT_UNAUTHORIZED && e) {
      s_drop(keys, e); /* Plaid refuses the kid now, or answered a key that is not trusted */
      *out = NULL;
      return st;
    }
    if(st) {
      e->refresh_at = now_s + PLAID_WEBHOOK_KEY_RETRY_S;
      mynt_detail_clear(detail);
    }
    *out = e;
    return MYNT_OK;
  }
  if(!can_fetch)
    return s_refuse(detail, "no key is known for the header's kid");
  if(!s_take_unknown_fetch(keys, now_s))
    return mynt_fail(detail, MYNT_RATE_LIMITED,
                     "webhook not verified: the header's kid is unknown and %d unknown kids were fetched in the last "
                     "%d s: not fetched",
                     PLAID_WEBHOOK_UNKNOWN_FETCHES, PLAID_WEBHOOK_UNKNOWN_WINDOW_S);
  mynt_status st = s_fetch(keys, source, kid, now_s, detail);
  *out = st ? NULL : s_find(keys, kid);
  return st;
}

/* Checks the claims: iat within the window around now_s, request_body_sha256 equal to body's hash. */
static mynt_status s_claims_check(const json_t *claims, const void *body, size_t body_len, int64_t now_s,
                                  mynt_detail *detail)
{
  json_t *iat = json_object_get(claims, "iat");
  const char *claimed = json_member_string(claims, "request_body_sha256");
  if(!json_is_integer(iat))
    return s_refuse(detail, "the payload has no integer iat");
  int64_t issued = (int64_t)json_integer_value(iat);
  if(issued < now_s - PLAID_WEBHOOK_MAX_AGE_S)
    return s_refuse(detail, "the token is older than 5 minutes (iat)");
  if(issued > now_s + PLAID_WEBHOOK_MAX_SKEW_S)
    return s_refuse(detail, "the token is issued in the future (iat)");
  if(!claimed || strlen(claimed) != 2 * S_SHA256_LEN)
    return s_refuse(detail, "the payload has no 64-digit request_body_sha256");

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  char hex[2 * EVP_MAX_MD_SIZE + 1];
  if(EVP_Digest(body_len ? body : "", body_len, digest, &digest_len, EVP_sha256(), NULL) != 1 ||
     digest_len != S_SHA256_LEN)
    return s_refuse(detail, "the body could not be hashed");
  hex_encode(digest, digest_len, hex);
  if(CRYPTO_memcmp(hex, claimed, 2 * S_SHA256_LEN) != 0)
    return s_refuse(detail, "the body does not match request_body_sha256");
  return MYNT_OK;
}

mynt_status plaid_webhook_verify(plaid_webhook_keys *keys, const plaid_webhook_key_source *source, const char *token,
                                 const void *body, size_t body_len, int64_t now_s, mynt_detail *detail)
{
  s_parts parts;
  json_t *header = NULL;
  json_t *claims = NULL;
  s_entry *entry = NULL;
  mynt_detail_clear(detail);
  if(!keys || (!body && body_len))
    return s_refuse(detail, "invalid arguments");
  if(body_len > PLAID_WEBHOOK_MAX_BODY)
    return s_refuse(detail, "the body is too large");
  mynt_status st = s_open(token, &parts, &header, detail);
  if(st)
    goto cleanup;
  const char *kid = json_member_string(header, "kid");
  if(!str_is_token(kid, PLAID_WEBHOOK_MAX_KID)) {
    st = s_refuse(detail, "the header has no valid kid");
    goto cleanup;
  }
  st = s_lookup(keys, source, kid, now_s, &entry, detail);
  if(st)
    goto cleanup;
  if(entry->expires && entry->expired_at <= now_s) {
    st = s_refuse(detail, "the key for the header's kid has expired");
    goto cleanup;
  }
  st = s_signature_check(entry->key, token, parts.signing_len, parts.signature, detail);
  if(st)
    goto cleanup;
  claims = s_part_json(parts.payload, S_PAYLOAD_MAX);
  if(!claims) {
    st = s_refuse(detail, "the token's payload is not a base64url JSON object");
    goto cleanup;
  }
  st = s_claims_check(claims, body, body_len, now_s, detail);

cleanup:
  json_decref(claims);
  json_decref(header);
  return st;
}

mynt_status plaid_webhook_fetch_from_client(void *ctx, const char *kid, json_t **out_jwk, mynt_detail *detail)
{
  const plaid_webhook_client_source *src = ctx;
  plaid_error err;
  *out_jwk = NULL;
  if(!src || !src->client)
    return mynt_fail(detail, MYNT_INTERNAL, "no Plaid client to fetch the key with");
  mynt_status st = plaid_webhook_verification_key_get(src->client, kid, src->deadline_ms, out_jwk, &err);
  if(st)
    return mynt_fail(detail, st, "/webhook_verification_key/get failed: %s %s (request id %s)",
                     plaid_error_kind_name(err.kind), err.error_code[0] ? err.error_code : "-",
                     err.request_id[0] ? err.request_id : "-");
  return MYNT_OK;
}

/* Reads the optional token member name of obj into dst (cap bytes): absent or null leaves "". Returns false for
 * another type or a malformed or too long token. */
static bool s_optional_token(const json_t *obj, const char *name, char *dst, size_t cap)
{
  json_t *v = json_object_get(obj, name);
  if(!v || json_is_null(v))
    return true;
  if(!json_is_string(v) || !str_is_token(json_string_value(v), cap - 1))
    return false;
  snprintf(dst, cap, "%s", json_string_value(v));
  return true;
}

/* Reads the optional boolean member name of obj into *dst (false when absent). */
static bool s_optional_bool(const json_t *obj, const char *name, bool *dst)
{
  json_t *v = json_object_get(obj, name);
  if(!v)
    return true;
  if(!json_is_boolean(v))
    return false;
  *dst = json_is_true(v);
  return true;
}

mynt_status plaid_webhook_parse(const void *body, size_t len, plaid_webhook_event *out, mynt_detail *detail)
{
  mynt_status st = MYNT_BAD_REQUEST;
  json_t *root = NULL;
  memset(out, 0, sizeof *out);
  mynt_detail_clear(detail);
  if(len > PLAID_WEBHOOK_MAX_BODY)
    return mynt_fail(detail, MYNT_TOO_LARGE, "the webhook body is over %zu bytes", PLAID_WEBHOOK_MAX_BODY);
  if(body && len && !json_text_depth_within(body, len, PLAID_WEBHOOK_MAX_DEPTH)) {
    mynt_fail(detail, st, "the webhook body nests more than %zu levels deep", PLAID_WEBHOOK_MAX_DEPTH);
    goto cleanup;
  }
  if(body && len)
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
  if(!json_is_object(root)) {
    mynt_fail(detail, st, "the webhook body is not a JSON object without duplicate keys");
    goto cleanup;
  }
  const char *type = json_member_string(root, "webhook_type");
  const char *code = json_member_string(root, "webhook_code");
  if(!code_valid(type, sizeof out->webhook_type) || !code_valid(code, sizeof out->webhook_code)) {
    mynt_fail(detail, st, "webhook_type and webhook_code must be upper-case codes");
    goto cleanup;
  }
  snprintf(out->webhook_type, sizeof out->webhook_type, "%s", type);
  snprintf(out->webhook_code, sizeof out->webhook_code, "%s", code);
  if(!s_optional_token(root, "item_id", out->item_id, sizeof out->item_id)) {
    mynt_fail(detail, st, "item_id must be an id of at most %d characters", PLAID_MAX_TOKEN);
    goto cleanup;
  }
  json_t *error = json_object_get(root, "error");
  if(error && !json_is_null(error)) {
    const char *error_code = json_member_string(error, "error_code");
    if(!json_is_object(error) || !code_valid(error_code, sizeof out->error_code)) {
      mynt_fail(detail, st, "error must be null or an object with an upper-case error_code");
      goto cleanup;
    }
    snprintf(out->error_code, sizeof out->error_code, "%s", error_code);
  }
  if(!s_optional_bool(root, "initial_update_complete", &out->initial_update_complete) ||
     !s_optional_bool(root, "historical_update_complete", &out->historical_update_complete)) {
    mynt_fail(detail, st, "initial_update_complete and historical_update_complete must be booleans");
    goto cleanup;
  }
  if(!s_optional_token(root, "new_webhook_url", out->new_webhook_url, sizeof out->new_webhook_url)) {
    mynt_fail(detail, st, "new_webhook_url must be a URL of at most %zu characters", sizeof out->new_webhook_url - 1);
    goto cleanup;
  }
  st = MYNT_OK;

cleanup:
  json_decref(root);
  if(st)
    memset(out, 0, sizeof *out);
  return st;
}
