/* seal.h - sealing of Plaid access tokens with AES-256-GCM, bound to a user and an item, with key rotation. */
#ifndef MYNT_CRYPTO_SEAL_H
#define MYNT_CRYPTO_SEAL_H

#include <stddef.h>

#include "core/detail.h"
#include "core/status.h"

/* Sizes of the AES-256-GCM pieces. */
#define SEAL_KEY_LEN   32
#define SEAL_NONCE_LEN 12
#define SEAL_TAG_LEN   16

/* A key id is 1..32 characters of [A-Za-z0-9_-]. */
#define SEAL_KID_MAX 32

/* A keyring holds at most this many keys. */
#define SEAL_MAX_KEYS 16

/* The largest plaintext seal_seal accepts (access tokens are about 50 bytes). */
#define SEAL_MAX_PLAINTEXT 4096

/* The largest user id or item id the additional authenticated data binds. */
#define SEAL_MAX_ID 256

/* Why seal_open refused a sealed value. None of these carries key or plaintext material. */
typedef enum {
  SEAL_FAILURE_NONE = 0,
  SEAL_FAILURE_FORMAT,      /* not v1.<kid>.<nonce>.<ciphertext||tag> with valid base64url */
  SEAL_FAILURE_VERSION,     /* a version other than "v1" */
  SEAL_FAILURE_UNKNOWN_KID, /* the keyring has no key with that id */
  SEAL_FAILURE_AUTH,        /* the tag did not verify: tampered, wrong user/item or wrong key */
  SEAL_FAILURE_TOO_SMALL    /* the caller's buffer cannot hold the plaintext and its NUL */
} seal_failure;

/* The set of keys: the first is the current key (used to seal), every key opens. */
typedef struct seal_keyring seal_keyring;

/* Parses spec, "kid1:BASE64KEY[,kid2:BASE64KEY...]" (standard base64, padding optional,
 * spaces/tabs/newlines around an entry ignored), where every key decodes to exactly 32
 * bytes and key ids are distinct. On success returns MYNT_OK and *out_ring, owned by the
 * caller (seal_keyring_free). On failure returns MYNT_BAD_REQUEST (malformed spec) or
 * MYNT_NOMEM, leaves *out_ring NULL and, when detail is not NULL, writes a reason that
 * names the entry's position but never any key material. Decoded key bytes that were
 * not kept are wiped. */
mynt_status seal_keyring_parse(const char *spec, seal_keyring **out_ring, mynt_detail *detail);

/* Wipes every key (mynt_wipe) and frees the keyring. Accepts NULL. */
void seal_keyring_free(seal_keyring *ring);

/* Returns the id of the current (sealing) key, borrowed from ring. */
const char *seal_keyring_current_kid(const seal_keyring *ring);

/* Returns how many keys the ring holds. */
size_t seal_keyring_count(const seal_keyring *ring);

/* Seals plain[0..plain_len) with the current key, a fresh random 96-bit nonce, and
 * additional authenticated data that binds the result to user_id and item_id.
 * The AAD is, for each of "v1", kid, user_id, item_id in that order, its length as a
 * 4-byte big-endian integer followed by its bytes. The result is the NUL-terminated text
 * "v1.<kid>.<base64url nonce>.<base64url ciphertext||tag>" (unpadded base64url).
 * Returns MYNT_OK and *out_sealed (malloc'd, caller frees; it holds no secret), or
 * MYNT_BAD_REQUEST (empty or oversized ids, plaintext over SEAL_MAX_PLAINTEXT),
 * MYNT_NOMEM, MYNT_INTERNAL (RNG or cipher failure), leaving *out_sealed NULL. */
mynt_status seal_seal(const seal_keyring *ring, const char *user_id, const char *item_id, const void *plain,
                      size_t plain_len, char **out_sealed);

/* Opens a sealed value made for user_id and item_id into out_plain (cap bytes) followed
 * by a NUL, and sets *out_len to the plaintext length. On failure returns MYNT_PARSE
 * (the value does not open; *out_failure, if not NULL, says why) or MYNT_BAD_REQUEST
 * (empty or oversized ids); then out_plain is wiped and *out_len is 0: no plaintext is
 * ever left behind. The caller wipes out_plain (mynt_wipe) when done with it. */
mynt_status seal_open(const seal_keyring *ring, const char *user_id, const char *item_id, const char *sealed,
                      void *out_plain, size_t cap, size_t *out_len, seal_failure *out_failure);

/* As seal_open, but returns the plaintext in *out_plain, a malloc'd NUL-terminated buffer
 * of *out_len + 1 bytes that the caller must release with mynt_wipe_free (core/wipe.h).
 * On failure *out_plain is NULL and *out_len 0; MYNT_NOMEM when allocation fails. */
mynt_status seal_open_alloc(const seal_keyring *ring, const char *user_id, const char *item_id, const char *sealed,
                            char **out_plain, size_t *out_len, seal_failure *out_failure);

/* Returns a static description of a failure, e.g. "unknown key id". Never NULL. */
const char *seal_failure_text(seal_failure f);

/* The raw AES-256-GCM primitive under seal_seal/seal_open, exposed for known-answer tests.
 * seal_gcm_encrypt writes plain_len bytes of ciphertext to out_cipher and the 16-byte tag
 * to out_tag; returns MYNT_OK or MYNT_INTERNAL. seal_gcm_decrypt writes cipher_len bytes
 * to out_plain and returns MYNT_OK only when the tag verifies, else MYNT_PARSE with
 * out_plain wiped (MYNT_INTERNAL on a cipher failure). */
mynt_status seal_gcm_encrypt(const unsigned char key[SEAL_KEY_LEN], const unsigned char nonce[SEAL_NONCE_LEN],
                             const unsigned char *aad, size_t aad_len, const unsigned char *plain, size_t plain_len,
                             unsigned char *out_cipher, unsigned char out_tag[SEAL_TAG_LEN]);
mynt_status seal_gcm_decrypt(const unsigned char key[SEAL_KEY_LEN], const unsigned char nonce[SEAL_NONCE_LEN],
                             const unsigned char *aad, size_t aad_len, const unsigned char *cipher, size_t cipher_len,
                             const unsigned char tag[SEAL_TAG_LEN], unsigned char *out_plain);

#endif
