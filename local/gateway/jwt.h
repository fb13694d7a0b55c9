/* jwt.h - verification of RS256 JWTs as API Gateway's JWT authorizer does it. */
#ifndef MYNT_LOCAL_JWT_H
#define MYNT_LOCAL_JWT_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"

/* How far ahead of now_s a token's iat may be (the issuer's clock running a little fast) before it is
 * refused as issued in the future. */
#define JWT_IAT_SKEW_S 5

/* Tokens longer than this are refused without being parsed. */
#define JWT_MAX_TOKEN 16384

typedef struct {
  const char *issuer;           /* iss must equal it */
  const char *const *audiences; /* aud (or client_id when there is no aud) must be one */
  size_t n_audiences;
} jwt_policy;

/* Verifies the compact JWS token against the JSON Web Key Set jwks ({"keys":[...]}) and
 * the policy at time now_s (epoch seconds): RS256 only, key chosen by kid, signature,
 * iss, exp (after now_s), nbf (when present, not after now_s), iat (when present, a number not after
 * now_s + JWT_IAT_SKEW_S), aud/client_id, token_use "id" or "access".
 * Returns MYNT_OK and the token's claims in *out_claims (a new reference the caller
 * decrefs); MYNT_NOT_FOUND when the token is well-formed RS256 but its kid is not in
 * jwks (the caller may refresh the key set and retry); MYNT_UNAUTHORIZED for every other
 * rejection; MYNT_NOMEM. On failure *out_claims is NULL. */
mynt_status jwt_verify(const char *token, const json_t *jwks, const jwt_policy *policy, int64_t now_s,
                       json_t **out_claims);

/* Builds an RSA public key from a JWK object (kty "RSA", base64url n and e; alg, when
 * given, must be RS256; use, when given, "sig"; modulus at least 2048 bits).
 * Returns MYNT_OK with *out_key owned by the caller (EVP_PKEY_free), MYNT_UNAUTHORIZED
 * when the JWK is unusable, MYNT_NOMEM. */
mynt_status jwt_key_from_jwk(const json_t *jwk, EVP_PKEY **out_key);

/* Turns verified claims into API Gateway's event form: *out_claims an object whose values
 * are all strings (numbers in decimal, booleans "true"/"false", arrays "[a b]", objects as
 * compact JSON), *out_scopes the "scope" claim split on spaces as an array, or JSON null
 * when there is none. Both are new references. Returns MYNT_OK or MYNT_NOMEM (then both
 * are NULL). */
mynt_status jwt_claims_for_event(const json_t *claims, json_t **out_claims, json_t **out_scopes);

#endif
