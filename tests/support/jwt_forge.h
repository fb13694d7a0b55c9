/* jwt_forge.h - tests' RS256 tokens and the key sets (JWKS) that verify them, served on loopback; ES256 tokens and
 * EC P-256 JWKs as Plaid signs webhooks. */
#ifndef MYNT_TESTS_JWT_FORGE_H
#define MYNT_TESTS_JWT_FORGE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "support/script_server.h"

/* The RSA keys tests sign with: the pool's (kid "a"), a second one (kid "b") and an attacker's. */
typedef struct {
  EVP_PKEY *a;
  EVP_PKEY *b;
  EVP_PKEY *evil;
} jwt_forge_keys;

/* Generates the three keys (RSA 2048); returns 0, or -1 when one could not be made. */
int jwt_forge_keys_make(jwt_forge_keys *keys);

/* Frees the keys and clears them. */
void jwt_forge_keys_free(jwt_forge_keys *keys);

/* Returns the unpadded base64url text of data[0..len), malloc'd (caller frees). */
char *jwt_forge_b64url(const void *data, size_t len);

/* Returns the JWK {"kty":"RSA","alg":"RS256","use":"sig","kid","n","e"} of key's public
 * half (caller json_decref). */
json_t *jwt_forge_jwk(EVP_PKEY *key, const char *kid);

/* Returns the key set {"keys":[...]} of the (EVP_PKEY *key, const char *kid) pairs that follow, ended by a NULL
 * key (caller json_decref). */
json_t *jwt_forge_jwks(EVP_PKEY *key, const char *kid, ...);

/* Returns the claims of a Cognito ID token from issuer for client, valid for an hour, as JSON text with extra_json's
 * members merged in (a null member removes the claim; extra_json may be NULL). malloc'd (caller frees). */
char *jwt_forge_id_claims(const char *issuer, const char *client, const char *extra_json);

/* Returns an RS256 ID token (header {"alg":"RS256","kid":kid,"typ":"JWT"}) carrying
 * jwt_forge_id_claims(issuer, client, extra_json), signed with key; malloc'd (caller frees). */
char *jwt_forge_id_token(EVP_PKEY *key, const char *kid, const char *issuer, const char *client,
                         const char *extra_json);

/* Returns the compact JWS of the JSON texts header and claims (used as given, valid or not)
 * signed with key by RS256, malloc'd (caller frees). */
char *jwt_forge_sign(EVP_PKEY *key, const char *header, const char *claims);

/* Returns a new EC P-256 key pair (caller EVP_PKEY_free); fails the test when it cannot. */
EVP_PKEY *jwt_forge_ec_key(void);

/* Returns the public JWK of the P-256 key as Plaid's /webhook_verification_key/get answers it:
 * {"alg":"ES256","created_at","crv":"P-256","expired_at":null,"kid","kty":"EC","use":"sig","x","y"}
 * (caller json_decref). */
json_t *jwt_forge_ec_jwk(EVP_PKEY *key, const char *kid);

/* Returns the compact JWS of the JSON texts header and claims (used as given) signed with the P-256 key by
 * EVP_DigestSign (ECDSA SHA-256), malloc'd (caller frees). The signature part is the JWS form, r || s of 32 bytes
 * each, or when der is true OpenSSL's DER signature as it comes (which no JWS verifier should accept). */
char *jwt_forge_sign_es256(EVP_PKEY *key, const char *header, const char *claims, bool der);

/* Returns true when sig[0..64) (r || s) is key's ECDSA SHA-256 signature of data[0..len), checked by
 * EVP_DigestVerify after its own conversion to DER: the reference the module under test is held to. */
bool jwt_forge_es256_check(EVP_PKEY *key, const void *data, size_t len, const unsigned char sig[64]);

/* A key set served at every path of 127.0.0.1:port (a script_server), replaceable while it runs. */
typedef struct {
  script_server *server;
  int port;
} jwt_forge_jwks_server;

/* Starts srv on an ephemeral loopback port serving jwks (stolen). Every helper here fails the
 * running cmocka test when it cannot do its work. */
void jwt_forge_jwks_start(jwt_forge_jwks_server *srv, json_t *jwks);

/* Serves jwks (stolen) from the next request on. */
void jwt_forge_jwks_set(jwt_forge_jwks_server *srv, json_t *jwks);

/* Returns how many requests srv has answered. */
int jwt_forge_jwks_hits(jwt_forge_jwks_server *srv);

/* Stops srv (its port closes) and frees what it holds. Safe to call twice. */
void jwt_forge_jwks_stop(jwt_forge_jwks_server *srv);

#endif
