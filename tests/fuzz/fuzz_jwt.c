/* fuzz_jwt.c - fuzzes mynt-local's JWT authorizer: the RS256 token verifier, the JWKS it reads keys from,
 * and the claims it hands to the event. Input: NUL-separated parts: the token, then optionally a JWKS
 * (when absent or not JSON, the fixed set below). The clock is fixed at 2026-01-01T00:00:00Z. */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_support.h"
#include "local/gateway/jwt.h"

#define S_NOW_S 1767225600

/* The public half of a key made for the seed corpus (its private half was used once to sign the seeds
 * and thrown away). */
static const char s_jwks_text[] =
  "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"fuzz-key\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":"
  "\"rhAK5NPCN38F6CqeuANm6xi0CIqXX7re0pUb8QVwFEKN6gUKmx5wPZdsnNwg3-8HzYlNZozMc0G4wOPf6AqS8FrLPf1-RfHuXZpktXV6HCdov_"
  "kplBds0x1ZWSbExHTMzsDgG1kjTudg-lnKhSASgnRV-GEegAfzCMuF6Bs0C_2PtAKtP3ZihWnveV0Db5_nvN8Qegn5u0PUoy6g717nRSHHho0Mb-"
  "5en5gA39qRYMBmh2HutsrF0IyLmLEB6jfkaOgId89T9MKWu-"
  "3xRIYJbFVJEaPaB2fQcxrBFsodqHeXqHbMWmQTFqCNhVdZyAtTaUhm3uN9aMhMY91fxGFTpQ\",\"e\":\"AQAB\"}]}";

static const char *const s_audiences[] = {"fuzz-client"};
static const jwt_policy s_policy = {"https://cognito-idp.local/fuzz-pool", s_audiences, 1};
static json_t *s_jwks;

FUZZ_JSON_INITIALIZE(s_jwks_text, &s_jwks)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fuzz_parts parts;
  json_t *claims = NULL;
  json_t *event_claims = NULL;
  json_t *scopes = NULL;
  if(fuzz_split(data, size, 2, &parts) != 0)
    return 0;
  json_t *given = parts.count > 1 ? json_loadb(parts.part[1], parts.len[1], 0, NULL) : NULL;
  const json_t *jwks = given ? given : s_jwks;

  size_t i;
  json_t *jwk;
  json_array_foreach(json_object_get(jwks, "keys"), i, jwk) {
    EVP_PKEY *key = NULL;
    mynt_status st = jwt_key_from_jwk(jwk, &key);
    FUZZ_CHECK((st == MYNT_OK) == (key != NULL));
    EVP_PKEY_free(key);
  }

  mynt_status st = jwt_verify(parts.part[0], jwks, &s_policy, S_NOW_S, &claims);
  FUZZ_CHECK(st == MYNT_OK || st == MYNT_NOT_FOUND || st == MYNT_UNAUTHORIZED || st == MYNT_NOMEM);
  FUZZ_CHECK((st == MYNT_OK) == (claims != NULL));
  if(claims) {
    /* A verified token is one the policy accepts, and its claims reach the event as strings. */
    FUZZ_CHECK(json_number_value(json_object_get(claims, "exp")) > S_NOW_S);
    if(jwt_claims_for_event(claims, &event_claims, &scopes) == MYNT_OK) {
      const char *name;
      json_t *value;
      json_object_foreach(event_claims, name, value)
        FUZZ_CHECK(json_is_string(value));
      FUZZ_CHECK(json_is_null(scopes) || json_is_array(scopes));
    }
  }

  json_decref(scopes);
  json_decref(event_claims);
  json_decref(claims);
  json_decref(given);
  fuzz_parts_free(&parts);
  return 0;
}
