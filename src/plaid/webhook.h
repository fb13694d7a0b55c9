/* webhook.h - verification of Plaid's signed webhooks (the Plaid-Verification JWT, ES256) and a strict parse of their bodies. */
#ifndef MYNT_PLAID_WEBHOOK_H
#define MYNT_PLAID_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/detail.h"
#include "core/status.h"
#include "plaid/plaid.h"

/* A webhook is refused when its iat is older than this many seconds (Plaid's rule)... */
#define PLAID_WEBHOOK_MAX_AGE_S 300
/* ...or further in the future than this (clock skew between Plaid and Lambda). */
#define PLAID_WEBHOOK_MAX_SKEW_S 30
/* The longest Plaid-Verification header value accepted (Plaid's are about 400 characters). */
#define PLAID_WEBHOOK_MAX_TOKEN 4096
/* The longest webhook body accepted (Plaid's are well under 2 KB). */
#define PLAID_WEBHOOK_MAX_BODY ((size_t)64 * 1024)
/* The deepest nesting of arrays and objects a webhook body may have (Plaid's nest 2). */
#define PLAID_WEBHOOK_MAX_DEPTH ((size_t)32)
/* How many verification keys the cache keeps; the oldest added is dropped past it. */
#define PLAID_WEBHOOK_MAX_KEYS 8
/* The longest key id (kid) accepted. */
#define PLAID_WEBHOOK_MAX_KID 128
/* A key the verifier fetched is fetched again this long after (whether it had expired or not), so that an expiry
 * Plaid set since is learned; while Plaid does not answer, the cached key is kept and asked for again after
 * PLAID_WEBHOOK_KEY_RETRY_S. */
#define PLAID_WEBHOOK_KEY_REFRESH_S 3600
#define PLAID_WEBHOOK_KEY_RETRY_S   60
/* At most this many fetches of kids the cache does not hold are made in any PLAID_WEBHOOK_UNKNOWN_WINDOW_S seconds:
 * the kid is read before the signature can be checked, so forged tokens with ever new kids must not turn into one
 * Plaid call each. */
#define PLAID_WEBHOOK_UNKNOWN_FETCHES  4
#define PLAID_WEBHOOK_UNKNOWN_WINDOW_S 60

/* Where keys come from: returns MYNT_OK and *out_jwk, the JWK for kid (a new reference the
 * verifier releases), or a failure status with a reason in detail (may be NULL). It must not
 * put secrets in detail. In production it is plaid_webhook_fetch_from_client. */
typedef mynt_status (*plaid_webhook_key_fetch)(void *ctx, const char *kid, json_t **out_jwk, mynt_detail *detail);

typedef struct {
  plaid_webhook_key_fetch fetch; /* NULL: only cached keys are used */
  void *ctx;                     /* passed to fetch */
} plaid_webhook_key_source;

/* The per-process cache of verification keys by kid (at most PLAID_WEBHOOK_MAX_KEYS).
 * Use it from one thread at a time. */
typedef struct plaid_webhook_keys plaid_webhook_keys;

/* Returns MYNT_OK and *out (an empty cache; caller frees with plaid_webhook_keys_free), or
 * MYNT_NOMEM with *out NULL. */
mynt_status plaid_webhook_keys_new(plaid_webhook_keys **out);

/* Frees the cache and its keys. Accepts NULL. */
void plaid_webhook_keys_free(plaid_webhook_keys *keys);

/* Checks jwk (borrowed) as Plaid's /webhook_verification_key/get answers it and caches it
 * under its kid, replacing a key with the same kid (else dropping the oldest when full); a key
 * added here is never fetched again (plaid_webhook_verify refreshes only the keys it fetched):
 * kty "EC", crv "P-256", alg "ES256", use "sig" when present, x and y base64url of 32 bytes
 * each naming a point on the curve, no private "d", kid 1..PLAID_WEBHOOK_MAX_KID token
 * characters, created_at an integer and expired_at present, null or an integer. An expired
 * key is cached too, so that it keeps being refused without asking Plaid again (a fetched one
 * until its refresh). Returns
 * MYNT_OK, MYNT_BAD_REQUEST with a reason in detail (may be NULL; the cache is unchanged) or
 * MYNT_NOMEM. */
mynt_status plaid_webhook_keys_add(plaid_webhook_keys *keys, const json_t *jwk, mynt_detail *detail);

/* Returns how many keys the cache holds. */
size_t plaid_webhook_keys_count(const plaid_webhook_keys *keys);

/* Verifies a webhook as Plaid documents it: token is the Plaid-Verification header's value,
 * body[0..body_len) the raw request body bytes exactly as received (when API Gateway marks
 * the event isBase64Encoded, the caller base64-decodes the body first: the hash covers
 * Plaid's bytes, never a re-serialisation). token must be a compact JWS whose header has alg
 * "ES256" (none, HS*, RS* and anything else are refused), a kid, typ "JWT" when present, and
 * none of the members that carry or point at keys or change the signing rules (jku, jwk,
 * x5u, x5c, x5t, x5t#S256, crit, b64, enc, zip). The key is keys' entry for kid; an unknown
 * kid is fetched once from source (which may be NULL) and cached when it is valid and names
 * that kid, within PLAID_WEBHOOK_UNKNOWN_FETCHES such fetches per PLAID_WEBHOOK_UNKNOWN_WINDOW_S;
 * a fetched key is fetched again PLAID_WEBHOOK_KEY_REFRESH_S later (kept as it was when that
 * fetch fails for any reason but Plaid refusing the kid or answering a key that is not
 * trusted, which drop it). A key whose expired_at
 * is at or before now_s is refused. The signature must be
 * the 64-byte JWS form (r || s) of an ECDSA P-256 SHA-256 signature of "header.payload". The
 * payload must be a JSON object whose integer iat is at most PLAID_WEBHOOK_MAX_AGE_S before
 * now_s (Unix seconds) and at most PLAID_WEBHOOK_MAX_SKEW_S after it, and whose
 * request_body_sha256 equals, compared in constant time, the lowercase hex SHA-256 of body.
 * Returns MYNT_OK when verified. Anything else means not verified, with the reason in detail
 * (may be NULL; it never quotes the token or the body):
 * - MYNT_UNAUTHORIZED: the token, its key or the body is wrong (including a kid Plaid refuses,
 *   answered by the source as MYNT_BAD_REQUEST, and a body over PLAID_WEBHOOK_MAX_BODY);
 * - MYNT_UNAVAILABLE: the key of an unknown kid could not be fetched (the source failed in any
 *   other way: Plaid down, refused credentials, a timeout): worth a warning;
 * - MYNT_RATE_LIMITED: the kid is unknown and the fetch budget is spent: nothing was fetched. */
mynt_status plaid_webhook_verify(plaid_webhook_keys *keys, const plaid_webhook_key_source *source, const char *token,
                                 const void *body, size_t body_len, int64_t now_s, mynt_detail *detail);

/* The JWS layer of plaid_webhook_verify, with a key given directly: checks token's header
 * (alg "ES256" and no forbidden member as above; kid and typ are not needed) and its
 * signature by jwk (borrowed; kty "EC", crv "P-256", x and y as above, alg "ES256" and use
 * "sig" when present; kid, created_at and expired_at are not looked at). On MYNT_OK appends
 * the decoded payload bytes to out_payload; else returns MYNT_UNAUTHORIZED with a reason in
 * detail (may be NULL) and leaves out_payload as it was (freed on a failed append). */
mynt_status plaid_webhook_jws_verify(const json_t *jwk, const char *token, mynt_buf *out_payload, mynt_detail *detail);

/* The production key source: ctx is a plaid_webhook_client_source; the key comes from
 * plaid_webhook_verification_key_get before ctx's deadline. On failure detail names Plaid's
 * error kind, error code and request id. */
typedef struct {
  plaid_client *client; /* borrowed */
  int64_t deadline_ms;  /* epoch ms; 0 = PLAID_DEFAULT_DEADLINE_MS from now */
} plaid_webhook_client_source;

mynt_status plaid_webhook_fetch_from_client(void *ctx, const char *kid, json_t **out_jwk, mynt_detail *detail);

/* The members of a verified webhook body that Mynt acts on. Strings are NUL-terminated. */
typedef struct {
  char webhook_type[32];             /* e.g. "TRANSACTIONS", "ITEM" */
  char webhook_code[64];             /* e.g. "SYNC_UPDATES_AVAILABLE", "ERROR" */
  char item_id[PLAID_MAX_TOKEN + 1]; /* "" when absent or null */
  char error_code[64];               /* error.error_code; "" when error is absent or null */
  bool initial_update_complete;      /* false when absent */
  bool historical_update_complete;   /* false when absent */
  char new_webhook_url[513];         /* WEBHOOK_UPDATE_ACKNOWLEDGED's; "" when absent */
} plaid_webhook_event;

/* Parses body[0..len) strictly into *out: a JSON object without duplicate keys of at most
 * PLAID_WEBHOOK_MAX_BODY bytes nesting at most PLAID_WEBHOOK_MAX_DEPTH deep; webhook_type and webhook_code required, of 'A'-'Z', '0'-'9'
 * and '_' and shorter than their fields; item_id absent, null or a token of at most
 * PLAID_MAX_TOKEN characters; error absent, null or an object whose error_code is such a
 * code; initial_update_complete and historical_update_complete absent or booleans;
 * new_webhook_url absent, null or a token shorter than its field. Other members are ignored.
 * Returns MYNT_OK, or MYNT_BAD_REQUEST (MYNT_TOO_LARGE past the cap) with the reason in
 * detail (may be NULL) and *out zeroed. */
mynt_status plaid_webhook_parse(const void *body, size_t len, plaid_webhook_event *out, mynt_detail *detail);

#endif
