/* seal.c - sealing of Plaid access tokens with AES-256-GCM, bound to a user and an item, with key rotation. */
#include "crypto/seal.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/b64.h"
#include "core/wipe.h"

#define S_VERSION "v1"

/* Room for four length prefixes, the version, a kid and two ids. */
#define S_AAD_MAX (4 * 4 + 2 + SEAL_KID_MAX + 2 * SEAL_MAX_ID)

/* Base64url text of a nonce: 12 bytes → exactly 16 characters. */
#define S_NONCE_TEXT_LEN 16

typedef struct {
  char kid[SEAL_KID_MAX + 1];
  unsigned char key[SEAL_KEY_LEN];
} s_key;

struct seal_keyring {
  size_t count;
  s_key keys[SEAL_MAX_KEYS];
};

/* Returns true when s[0..len) is a valid key id. */
static bool s_kid_valid(const char *s, size_t len)
{
  if(len == 0 || len > SEAL_KID_MAX)
    return false;
  for(size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if(!ok)
      return false;
  }
  return true;
}

static bool s_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parses one trimmed entry "kid:BASE64KEY" into k. Returns NULL, or a static reason. */
static const char *s_parse_entry(const char *p, size_t len, s_key *k)
{
  const char *colon = memchr(p, ':', len);
  if(!colon)
    return "no ':' between key id and key";
  size_t kid_len = (size_t)(colon - p);
  if(!s_kid_valid(p, kid_len))
    return "invalid key id (1-32 of A-Z a-z 0-9 _ -)";
  unsigned char raw[SEAL_KEY_LEN + 3];
  size_t raw_len = 0;
  const char *b64 = colon + 1;
  size_t b64_len = len - kid_len - 1;
  mynt_status st = b64_std_decode(b64, b64_len, raw, sizeof raw, &raw_len);
  const char *why = NULL;
  if(st == MYNT_BAD_REQUEST)
    why = "the key is not valid base64";
  else if(st || raw_len != SEAL_KEY_LEN)
    why = "the key is not exactly 32 bytes";
  if(!why) {
    memcpy(k->kid, p, kid_len);
    k->kid[kid_len] = '\0';
    memcpy(k->key, raw, SEAL_KEY_LEN);
  }
  mynt_wipe(raw, sizeof raw);
  return why;
}

mynt_status seal_keyring_parse(const char *spec, seal_keyring **out_ring, mynt_detail *detail)
{
  mynt_status st = MYNT_OK;
  seal_keyring *ring = NULL;
  *out_ring = NULL;
  mynt_detail_clear(detail);
  if(!spec)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "keyring entry 1: the keyring is missing");
  ring = calloc(1, sizeof *ring);
  if(!ring)
    return MYNT_NOMEM;

  const char *p = spec;
  size_t entry = 0;
  for(;;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    const char *start = p;
    while(len && s_space(*start)) {
      start++;
      len--;
    }
    while(len && s_space(start[len - 1]))
      len--;
    entry++;
    if(len == 0) {
      st = mynt_fail(detail, MYNT_BAD_REQUEST, "keyring entry %zu: empty", entry);
      goto cleanup;
    }
    if(ring->count == SEAL_MAX_KEYS) {
      st = mynt_fail(detail, MYNT_BAD_REQUEST, "keyring entry %zu: too many keys (at most 16)", entry);
      goto cleanup;
    }
    s_key *k = &ring->keys[ring->count];
    const char *why = s_parse_entry(start, len, k);
    if(why) {
      st = mynt_fail(detail, MYNT_BAD_REQUEST, "keyring entry %zu: %s", entry, why);
      goto cleanup;
    }
    for(size_t i = 0; i < ring->count; i++) {
      if(strcmp(ring->keys[i].kid, k->kid) == 0) {
        st = mynt_fail(detail, MYNT_BAD_REQUEST, "keyring entry %zu: repeats an earlier key id", entry);
        goto cleanup;
      }
    }
    ring->count++;
    if(!end)
      break;
    p = end + 1;
  }

cleanup:
  if(st) {
    seal_keyring_free(ring);
    return st;
  }
  *out_ring = ring;
  return MYNT_OK;
}

void seal_keyring_free(seal_keyring *ring)
{
  if(!ring)
    return;
  mynt_wipe(ring, sizeof *ring);
  free(ring);
}

const char *seal_keyring_current_kid(const seal_keyring *ring)
{
  return ring->keys[0].kid;
}

size_t seal_keyring_count(const seal_keyring *ring)
{
  return ring->count;
}

static const s_key *s_find(const seal_keyring *ring, const char *kid, size_t kid_len)
{
  for(size_t i = 0; i < ring->count; i++) {
    if(strlen(ring->keys[i].kid) == kid_len && memcmp(ring->keys[i].kid, kid, kid_len) == 0)
      return &ring->keys[i];
  }
  return NULL;
}

/* Returns the length of id when it is 1..SEAL_MAX_ID bytes. */
static size_t s_id_len(const char *id)
{
  if(!id)
    return 0;
  size_t n = strnlen(id, SEAL_MAX_ID + 1);
  return n > SEAL_MAX_ID ? 0 : n;
}

static size_t s_put_field(unsigned char *out, const char *s, size_t len)
{
  out[0] = (unsigned char)(len >> 24);
  out[1] = (unsigned char)(len >> 16);
  out[2] = (unsigned char)(len >> 8);
  out[3] = (unsigned char)len;
  memcpy(out + 4, s, len);
  return 4 + len;
}

/* Writes the AAD (each field length-prefixed) into out (S_AAD_MAX bytes); returns its length. */
static size_t s_build_aad(unsigned char *out, const char *kid, size_t kid_len, const char *user_id, size_t user_len,
                          const char *item_id, size_t item_len)
{
  size_t n = 0;
  n += s_put_field(out + n, S_VERSION, strlen(S_VERSION));
  n += s_put_field(out + n, kid, kid_len);
  n += s_put_field(out + n, user_id, user_len);
  n += s_put_field(out + n, item_id, item_len);
  return n;
}

/* Starts AES-256-GCM in a new context (encrypt 1: encrypting, 0: decrypting) with key and
 * nonce, and feeds it aad. text_len is the length to be processed next, checked here with
 * aad_len against OpenSSL's int lengths. Returns MYNT_OK and *out_ctx (caller frees it with
 * EVP_CIPHER_CTX_free), else MYNT_BAD_REQUEST (a length over INT_MAX), MYNT_NOMEM or
 * MYNT_INTERNAL with *out_ctx NULL. */
static mynt_status s_gcm_begin(int encrypt, const unsigned char key[SEAL_KEY_LEN],
                               const unsigned char nonce[SEAL_NONCE_LEN], const unsigned char *aad, size_t aad_len,
                               size_t text_len, EVP_CIPHER_CTX **out_ctx)
{
  int n = 0;
  *out_ctx = NULL;
  if(aad_len > INT_MAX || text_len > INT_MAX)
    return MYNT_BAD_REQUEST;
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if(!ctx)
    return MYNT_NOMEM;
  if(EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt) != 1 ||
     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_LEN, NULL) != 1 ||
     EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, encrypt) != 1 ||
     (aad_len && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1)) {
    EVP_CIPHER_CTX_free(ctx);
    return MYNT_INTERNAL;
  }
  *out_ctx = ctx;
  return MYNT_OK;
}

mynt_status seal_gcm_encrypt(const unsigned char key[SEAL_KEY_LEN], const unsigned char nonce[SEAL_NONCE_LEN],
                             const unsigned char *aad, size_t aad_len, const unsigned char *plain, size_t plain_len,
                             unsigned char *out_cipher, unsigned char out_tag[SEAL_TAG_LEN])
{
  EVP_CIPHER_CTX *ctx = NULL;
  int n = 0;
  mynt_status st = s_gcm_begin(1, key, nonce, aad, aad_len, plain_len, &ctx);
  if(st)
    return st;
  st = MYNT_INTERNAL;
  int written = 0;
  if(plain_len) {
    if(EVP_EncryptUpdate(ctx, out_cipher, &n, plain, (int)plain_len) != 1)
      goto cleanup;
    written = n;
  }
  if(EVP_EncryptFinal_ex(ctx, out_cipher + written, &n) != 1)
    goto cleanup;
  if(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN, out_tag) != 1)
    goto cleanup;
  st = MYNT_OK;

cleanup:
  EVP_CIPHER_CTX_free(ctx);
  return st;
}

mynt_status seal_gcm_decrypt(const unsigned char key[SEAL_KEY_LEN], const unsigned char nonce[SEAL_NONCE_LEN],
                             const unsigned char *aad, size_t aad_len, const unsigned char *cipher, size_t cipher_len,
                             const unsigned char tag[SEAL_TAG_LEN], unsigned char *out_plain)
{
  EVP_CIPHER_CTX *ctx = NULL;
  unsigned char tag_copy[SEAL_TAG_LEN];
  int n = 0;
  int written = 0;
  mynt_status st = s_gcm_begin(0, key, nonce, aad, aad_len, cipher_len, &ctx);
  if(st)
    return st;
  st = MYNT_INTERNAL;
  memcpy(tag_copy, tag, SEAL_TAG_LEN);
  if(cipher_len) {
    if(EVP_DecryptUpdate(ctx, out_plain, &n, cipher, (int)cipher_len) != 1)
      goto cleanup;
    written = n;
  }
  if(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_LEN, tag_copy) != 1)
    goto cleanup;
  if(EVP_DecryptFinal_ex(ctx, out_plain + written, &n) != 1) {
    st = MYNT_PARSE;
    goto cleanup;
  }
  st = MYNT_OK;

cleanup:
  if(st && cipher_len)
    mynt_wipe(out_plain, cipher_len);
  EVP_CIPHER_CTX_free(ctx);
  return st;
}

mynt_status seal_seal(const seal_keyring *ring, const char *user_id, const char *item_id, const void *plain,
                      size_t plain_len, char **out_sealed)
{
  mynt_status st = MYNT_OK;
  unsigned char *cipher = NULL;
  char *text = NULL;
  unsigned char nonce[SEAL_NONCE_LEN];
  unsigned char aad[S_AAD_MAX];
  *out_sealed = NULL;
  size_t user_len = s_id_len(user_id);
  size_t item_len = s_id_len(item_id);
  if(!user_len || !item_len || plain_len > SEAL_MAX_PLAINTEXT || (plain_len && !plain))
    return MYNT_BAD_REQUEST;
  const s_key *k = &ring->keys[0];
  size_t kid_len = strlen(k->kid);

  if(RAND_bytes(nonce, sizeof nonce) != 1)
    return MYNT_INTERNAL;
  size_t aad_len = s_build_aad(aad, k->kid, kid_len, user_id, user_len, item_id, item_len);
  cipher = malloc(plain_len + SEAL_TAG_LEN);
  if(!cipher) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  st = seal_gcm_encrypt(k->key, nonce, aad, aad_len, plain, plain_len, cipher, cipher + plain_len);
  if(st)
    goto cleanup;

  size_t ct_text = b64_url_encoded_len(plain_len + SEAL_TAG_LEN);
  size_t total = strlen(S_VERSION) + 1 + kid_len + 1 + S_NONCE_TEXT_LEN + 1 + ct_text + 1;
  text = malloc(total);
  if(!text) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  int head = snprintf(text, total, "%s.%s.", S_VERSION, k->kid);
  size_t pos = (size_t)head;
  st = b64_url_encode(nonce, sizeof nonce, text + pos, total - pos);
  if(st)
    goto cleanup;
  pos += S_NONCE_TEXT_LEN;
  text[pos++] = '.';
  st = b64_url_encode(cipher, plain_len + SEAL_TAG_LEN, text + pos, total - pos);
  if(st)
    goto cleanup;
  *out_sealed = text;
  text = NULL;

cleanup:
  free(text);
  free(cipher);
  mynt_wipe(nonce, sizeof nonce);
  return st;
}

/* The parts of a sealed value, borrowed from the text. */
typedef struct {
  const char *kid;
  size_t kid_len;
  const char *nonce;
  size_t nonce_len;
  const char *cipher;
  size_t cipher_len;
} s_parts;

static seal_failure s_split(const char *sealed, s_parts *parts)
{
  const char *dot1 = strchr(sealed, '.');
  if(!dot1)
    return SEAL_FAILURE_FORMAT;
  if((size_t)(dot1 - sealed) != strlen(S_VERSION) || memcmp(sealed, S_VERSION, strlen(S_VERSION)) != 0)
    return SEAL_FAILURE_VERSION;
  const char *dot2 = strchr(dot1 + 1, '.');
  if(!dot2)
    return SEAL_FAILURE_FORMAT;
  const char *dot3 = strchr(dot2 + 1, '.');
  if(!dot3 || strchr(dot3 + 1, '.'))
    return SEAL_FAILURE_FORMAT;
  parts->kid = dot1 + 1;
  parts->kid_len = (size_t)(dot2 - parts->kid);
  parts->nonce = dot2 + 1;
  parts->nonce_len = (size_t)(dot3 - parts->nonce);
  parts->cipher = dot3 + 1;
  parts->cipher_len = strlen(parts->cipher);
  if(!s_kid_valid(parts->kid, parts->kid_len) || parts->nonce_len != S_NONCE_TEXT_LEN)
    return SEAL_FAILURE_FORMAT;
  if(parts->cipher_len < b64_url_encoded_len(SEAL_TAG_LEN) ||
     parts->cipher_len > b64_url_encoded_len(SEAL_MAX_PLAINTEXT + SEAL_TAG_LEN))
    return SEAL_FAILURE_FORMAT;
  return SEAL_FAILURE_NONE;
}

mynt_status seal_open(const seal_keyring *ring, const char *user_id, const char *item_id, const char *sealed,
                      void *out_plain, size_t cap, size_t *out_len, seal_failure *out_failure)
{
  mynt_status st = MYNT_OK;
  seal_failure failure = SEAL_FAILURE_NONE;
  unsigned char *cipher = NULL;
  size_t cipher_len = 0;
  unsigned char nonce[SEAL_NONCE_LEN];
  size_t nonce_len = 0;
  unsigned char aad[S_AAD_MAX];
  s_parts parts;
  *out_len = 0;
  size_t user_len = s_id_len(user_id);
  size_t item_len = s_id_len(item_id);
  if(!user_len || !item_len || !sealed) {
    st = MYNT_BAD_REQUEST;
    goto cleanup;
  }

  failure = s_split(sealed, &parts);
  if(failure) {
    st = MYNT_PARSE;
    goto cleanup;
  }
  if(b64_url_decode(parts.nonce, parts.nonce_len, nonce, sizeof nonce, &nonce_len) || nonce_len != SEAL_NONCE_LEN) {
    failure = SEAL_FAILURE_FORMAT;
    st = MYNT_PARSE;
    goto cleanup;
  }
  size_t cipher_cap = parts.cipher_len / 4 * 3 + 3;
  cipher = malloc(cipher_cap);
  if(!cipher) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  if(b64_url_decode(parts.cipher, parts.cipher_len, cipher, cipher_cap, &cipher_len) || cipher_len < SEAL_TAG_LEN) {
    failure = SEAL_FAILURE_FORMAT;
    st = MYNT_PARSE;
    goto cleanup;
  }
  const s_key *k = s_find(ring, parts.kid, parts.kid_len);
  if(!k) {
    failure = SEAL_FAILURE_UNKNOWN_KID;
    st = MYNT_PARSE;
    goto cleanup;
  }
  size_t plain_len = cipher_len - SEAL_TAG_LEN;
  if(cap < plain_len + 1) {
    failure = SEAL_FAILURE_TOO_SMALL;
    st = MYNT_NOMEM;
    goto cleanup;
  }
  size_t aad_len = s_build_aad(aad, parts.kid, parts.kid_len, user_id, user_len, item_id, item_len);
  st = seal_gcm_decrypt(k->key, nonce, aad, aad_len, cipher, plain_len, cipher + plain_len, out_plain);
  if(st) {
    if(st == MYNT_PARSE)
      failure = SEAL_FAILURE_AUTH;
    goto cleanup;
  }
  ((unsigned char *)out_plain)[plain_len] = '\0';
  *out_len = plain_len;

cleanup:
  if(st && out_plain && cap)
    mynt_wipe(out_plain, cap);
  free(cipher);
  if(out_failure)
    *out_failure = failure;
  return st;
}

mynt_status seal_open_alloc(const seal_keyring *ring, const char *user_id, const char *item_id, const char *sealed,
                            char **out_plain, size_t *out_len, seal_failure *out_failure)
{
  *out_plain = NULL;
  *out_len = 0;
  if(out_failure)
    *out_failure = SEAL_FAILURE_NONE;
  if(!sealed)
    return MYNT_BAD_REQUEST;
  /* The ciphertext text bounds the plaintext: 3 bytes per 4 characters, minus the tag. */
  size_t cap = strnlen(sealed, 2 * b64_url_encoded_len(SEAL_MAX_PLAINTEXT + SEAL_TAG_LEN)) / 4 * 3 + 4;
  char *buf = malloc(cap);
  if(!buf)
    return MYNT_NOMEM;
  size_t len = 0;
  mynt_status st = seal_open(ring, user_id, item_id, sealed, buf, cap, &len, out_failure);
  if(st) {
    free(buf);
    return st;
  }
  *out_plain = buf;
  *out_len = len;
  return MYNT_OK;
}

const char *seal_failure_text(seal_failure f)
{
  switch(f) {
  case SEAL_FAILURE_NONE:
    return "no failure";
  case SEAL_FAILURE_FORMAT:
    return "not a sealed value (expected v1.<kid>.<nonce>.<ciphertext>)";
  case SEAL_FAILURE_VERSION:
    return "unsupported sealed value version";
  case SEAL_FAILURE_UNKNOWN_KID:
    return "unknown key id";
  case SEAL_FAILURE_AUTH:
    return "authentication failed (tampered, or sealed for another user, item or key)";
  case SEAL_FAILURE_TOO_SMALL:
    return "the output buffer is too small";
  }
  return "unknown failure";
}
