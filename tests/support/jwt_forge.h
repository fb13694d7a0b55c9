/* jwt_forge.h - tests' RS256 tokens and the key sets (JWKS) that verify them, served on loopback. */
#ifndef MYNT_TESTS_JWT_FORGE_H
#define MYNT_TESTS_JWT_FORGE_H

#include <pthread.h>
#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

/* Returns the unpadded base64url text of data[0..len), malloc'd (caller frees). */
char *jwt_forge_b64url(const void *data, size_t len);

/* Returns the JWK {"kty":"RSA","alg":"RS256","use":"sig","kid","n","e"} of key's public
 * half (caller json_decref). */
json_t *jwt_forge_jwk(EVP_PKEY *key, const char *kid);

/* Returns the compact JWS of the JSON texts header and claims (used as given, valid or not)
 * signed with key by RS256, malloc'd (caller frees). */
char *jwt_forge_sign(EVP_PKEY *key, const char *header, const char *claims);

/* A key set served at every path of 127.0.0.1:port, replaceable while it runs. */
typedef struct {
  pthread_mutex_t lock;
  char *body;               /* the key set served */
  int hits;                 /* requests answered */
  struct MHD_Daemon *daemon;
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
