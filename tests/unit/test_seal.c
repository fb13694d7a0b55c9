/* test_seal.c - unit tests for access-token sealing: round trips, tampering, binding, rotation, keyrings, AES-GCM references. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/b64.h"
#include "core/status.h"
#include "core/wipe.h"
#include "crypto/seal.h"
#include "support/unit_main.h"

#define TOKEN "access-sandbox-8ab976e6-64bc-4b38-98f7-731e7a349970"

/* Makes "kid:BASE64(32 random bytes)" and, when out_key is not NULL, returns the raw key. */
static void s_make_entry(const char *kid, char *out, size_t cap, unsigned char *out_key)
{
  unsigned char key[32];
  unsigned char b64[64];
  assert_int_equal(RAND_bytes(key, sizeof key), 1);
  assert_int_equal(EVP_EncodeBlock(b64, key, sizeof key), 44);
  snprintf(out, cap, "%s:%s", kid, (const char *)b64);
  if(out_key)
    memcpy(out_key, key, sizeof key);
}

static seal_keyring *s_ring(const char *spec)
{
  seal_keyring *ring = NULL;
  mynt_detail why;
  assert_int_equal(seal_keyring_parse(spec, &ring, &why), MYNT_OK);
  assert_non_null(ring);
  return ring;
}

static char *s_seal(const seal_keyring *ring, const char *user, const char *item, const char *plain)
{
  char *sealed = NULL;
  assert_int_equal(seal_seal(ring, user, item, plain, strlen(plain), &sealed), MYNT_OK);
  assert_non_null(sealed);
  return sealed;
}

/* Opens sealed and returns the failure reason (SEAL_FAILURE_NONE on success, with the
 * plaintext checked against expect). A failure must leave no plaintext in the buffer. */
static seal_failure s_open(const seal_keyring *ring, const char *user, const char *item, const char *sealed,
                           const char *expect)
{
  char buf[256];
  size_t len = 99;
  seal_failure why = SEAL_FAILURE_NONE;
  memset(buf, 'X', sizeof buf);
  mynt_status st = seal_open(ring, user, item, sealed, buf, sizeof buf, &len, &why);
  if(st == MYNT_OK) {
    assert_int_equal(why, SEAL_FAILURE_NONE);
    assert_int_equal(len, strlen(expect));
    assert_string_equal(buf, expect);
    return SEAL_FAILURE_NONE;
  }
  assert_int_equal(st, MYNT_PARSE);
  assert_int_equal(len, 0);
  for(size_t i = 0; i < sizeof buf; i++)
    assert_int_equal(buf[i], 0);
  assert_int_not_equal(why, SEAL_FAILURE_NONE);
  return why;
}

/* Splits "v1.kid.nonce.ct" into four NUL-terminated copies (each under 512 bytes). */
static void s_split(const char *sealed, char parts[4][512])
{
  const char *p = sealed;
  for(int i = 0; i < 4; i++) {
    const char *dot = i < 3 ? strchr(p, '.') : p + strlen(p);
    assert_non_null(dot);
    size_t n = (size_t)(dot - p);
    assert_true(n < 512);
    memcpy(parts[i], p, n);
    parts[i][n] = '\0';
    p = dot + 1;
  }
}

static char *s_join(char parts[4][512])
{
  size_t n = strlen(parts[0]) + strlen(parts[1]) + strlen(parts[2]) + strlen(parts[3]) + 4;
  char *out = malloc(n);
  assert_non_null(out);
  snprintf(out, n, "%s.%s.%s.%s", parts[0], parts[1], parts[2], parts[3]);
  return out;
}

/* Independent base64url decoder for the reference check: translate to standard base64,
 * pad, and let OpenSSL's EVP_DecodeBlock decode it. Returns the decoded length. */
static size_t s_ref_b64url_decode(const char *in, unsigned char *out, size_t cap)
{
  char std[1024];
  size_t n = strlen(in);
  assert_true(n + 4 < sizeof std);
  for(size_t i = 0; i < n; i++)
    std[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
  size_t pad = (4 - n % 4) % 4;
  for(size_t i = 0; i < pad; i++)
    std[n + i] = '=';
  std[n + pad] = '\0';
  assert_true((n + pad) / 4 * 3 <= cap);
  int got = EVP_DecodeBlock(out, (const unsigned char *)std, (int)(n + pad));
  assert_true(got >= 0);
  return (size_t)got - pad;
}

/* Independent base64url encoder for the reference check: OpenSSL's standard base64,
 * then the URL alphabet and no padding. out must hold 4 * ceil(len / 3) + 1 bytes. */
static void s_ref_b64url_encode(const unsigned char *in, size_t len, unsigned char *out)
{
  int n = EVP_EncodeBlock(out, in, (int)len);
  for(int i = 0; i < n; i++) {
    if(out[i] == '+')
      out[i] = '-';
    else if(out[i] == '/')
      out[i] = '_';
    else if(out[i] == '=')
      out[i] = '\0';
  }
}

/* Flips one bit of the decoded bytes of a base64url part at byte index at, re-encoding it. */
static void s_flip_part(char part[512], size_t at)
{
  unsigned char raw[400];
  size_t len = 0;
  assert_int_equal(b64_url_decode(part, strlen(part), raw, sizeof raw, &len), MYNT_OK);
  assert_true(at < len);
  raw[at] ^= 0x01;
  assert_int_equal(b64_url_encode(raw, len, part, 512), MYNT_OK);
}

/* A ring of one fresh key made from kid (its raw key in out_key unless NULL). */
static seal_keyring *s_ring_of(const char *kid, unsigned char *out_key)
{
  char entry[128];
  s_make_entry(kid, entry, sizeof entry, out_key);
  return s_ring(entry);
}

/* Two fresh key entries and a keyring spec that lists them. */
typedef struct {
  char entry[2][128];
  char spec[300];
} s_two_keys;

/* Makes a fresh entry for each kid and writes the spec fmt with entry[0] then entry[1]. */
static void s_two_keys_make(s_two_keys *out, const char *kid0, const char *kid1, const char *fmt)
{
  s_make_entry(kid0, out->entry[0], sizeof out->entry[0], NULL);
  s_make_entry(kid1, out->entry[1], sizeof out->entry[1], NULL);
  snprintf(out->spec, sizeof out->spec, fmt, out->entry[0], out->entry[1]);
}

/* The per-test fixture: a ring and TOKEN sealed with its current key for user-1 / item-1. */
typedef struct {
  seal_keyring *ring;
  char *sealed;
} s_fixture;

static int s_setup_with_spec(void **state, const char *spec)
{
  s_fixture *fx = calloc(1, sizeof *fx);
  assert_non_null(fx);
  fx->ring = s_ring(spec);
  fx->sealed = s_seal(fx->ring, "user-1", "item-1", TOKEN);
  *state = fx;
  return 0;
}

/* The ring holds one key, k1. */
static int s_setup_k1(void **state)
{
  char entry[128];
  s_make_entry("k1", entry, sizeof entry, NULL);
  return s_setup_with_spec(state, entry);
}

/* The ring holds k1 (current) and k2. */
static int s_setup_k1_k2(void **state)
{
  s_two_keys keys;
  s_two_keys_make(&keys, "k1", "k2", "%s,%s");
  return s_setup_with_spec(state, keys.spec);
}

static int s_teardown(void **state)
{
  s_fixture *fx = *state;
  free(fx->sealed);
  seal_keyring_free(fx->ring);
  free(fx);
  return 0;
}

/* Opens sealed with the fixture's ring for user / item, expecting TOKEN (see s_open). */
static seal_failure s_open_as(const s_fixture *fx, const char *user, const char *item, const char *sealed)
{
  return s_open(fx->ring, user, item, sealed, TOKEN);
}

/* Asserts that the fixture's sealed value with part replaced by text fails to open with want. */
static void s_assert_part_refused(const s_fixture *fx, int part, const char *text, seal_failure want)
{
  char parts[4][512];
  s_split(fx->sealed, parts);
  snprintf(parts[part], sizeof parts[part], "%s", text);
  char *bad = s_join(parts);
  seal_failure got = s_open_as(fx, "user-1", "item-1", bad);
  if(got != want)
    fail_msg("%s: failure %d, expected %d", bad, (int)got, (int)want);
  free(bad);
}

static void test_seal_round_trip_returns_the_plaintext(void **state)
{
  s_fixture *fx = *state;
  assert_string_equal(seal_keyring_current_kid(fx->ring), "k1");
  assert_int_equal(seal_keyring_count(fx->ring), 1);

  assert_int_equal(strncmp(fx->sealed, "v1.k1.", 6), 0);
  assert_null(strstr(fx->sealed, TOKEN));
  assert_int_equal(s_open_as(fx, "user-1", "item-1", fx->sealed), SEAL_FAILURE_NONE);

  char *plain = NULL;
  size_t len = 0;
  assert_int_equal(seal_open_alloc(fx->ring, "user-1", "item-1", fx->sealed, &plain, &len, NULL), MYNT_OK);
  assert_int_equal(len, strlen(TOKEN));
  assert_string_equal(plain, TOKEN);
  mynt_wipe_free(plain);
}

static void test_seal_round_trips_empty_and_binary_plaintext(void **state)
{
  (void)state;
  seal_keyring *ring = s_ring_of("bin_key-2", NULL);
  unsigned char bytes[300];
  for(size_t i = 0; i < sizeof bytes; i++)
    bytes[i] = (unsigned char)i;
  char *sealed = NULL;
  assert_int_equal(seal_seal(ring, "u", "i", bytes, sizeof bytes, &sealed), MYNT_OK);
  char *plain = NULL;
  size_t len = 0;
  assert_int_equal(seal_open_alloc(ring, "u", "i", sealed, &plain, &len, NULL), MYNT_OK);
  assert_int_equal(len, sizeof bytes);
  assert_memory_equal(plain, bytes, sizeof bytes);
  mynt_wipe_free(plain);
  free(sealed);

  assert_int_equal(seal_seal(ring, "u", "i", "", 0, &sealed), MYNT_OK);
  assert_int_equal(s_open(ring, "u", "i", sealed, ""), SEAL_FAILURE_NONE);
  free(sealed);
  seal_keyring_free(ring);
}

static void test_seal_open_refuses_tampered_version(void **state)
{
  s_fixture *fx = *state;
  s_assert_part_refused(fx, 0, "v2", SEAL_FAILURE_VERSION);
  s_assert_part_refused(fx, 0, "V1", SEAL_FAILURE_VERSION);
  assert_int_equal(s_open_as(fx, "user-1", "item-1", fx->sealed + 3), SEAL_FAILURE_VERSION);
}

static void test_seal_open_refuses_tampered_kid(void **state)
{
  s_fixture *fx = *state;
  s_assert_part_refused(fx, 1, "k2", SEAL_FAILURE_AUTH);
  s_assert_part_refused(fx, 1, "k3", SEAL_FAILURE_UNKNOWN_KID);
  s_assert_part_refused(fx, 1, "k/1", SEAL_FAILURE_FORMAT);
}

static void test_seal_open_refuses_tampered_nonce_ciphertext_and_tag(void **state)
{
  s_fixture *fx = *state;
  size_t ct_len = strlen(TOKEN);
  /* part 2 is the nonce; part 3 is ciphertext then the 16-byte tag. */
  const struct {
    int part;
    size_t byte;
  } cases[] = {{2, 0}, {2, 11}, {3, 0}, {3, 10}, {3, ct_len}, {3, ct_len + 15}};
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char parts[4][512];
    s_split(fx->sealed, parts);
    s_flip_part(parts[cases[i].part], cases[i].byte);
    s_assert_part_refused(fx, cases[i].part, parts[cases[i].part], SEAL_FAILURE_AUTH);
  }
}

static void test_seal_open_refuses_malformed_values(void **state)
{
  s_fixture *fx = *state;
  char parts[4][512];
  s_split(fx->sealed, parts);
  enum { N = 7, CAP = 2100 };
  char bad[N][CAP];
  snprintf(bad[0], CAP, "%s.%s.%s", parts[0], parts[1], parts[2]);
  snprintf(bad[1], CAP, "%s.extra", fx->sealed);
  snprintf(bad[2], CAP, "%s.%s.%s.%s=", parts[0], parts[1], parts[2], parts[3]);
  snprintf(bad[3], CAP, "%s.%s.%sA.%s", parts[0], parts[1], parts[2], parts[3]);
  snprintf(bad[4], CAP, "%s.%s.%s.%.20s", parts[0], parts[1], parts[2], parts[3]);
  snprintf(bad[5], CAP, "%s", "");
  snprintf(bad[6], CAP, "%s", TOKEN);
  for(size_t i = 0; i < N; i++) {
    seal_failure got = s_open_as(fx, "user-1", "item-1", bad[i]);
    if(got != SEAL_FAILURE_FORMAT)
      fail_msg("\"%s\": failure %d, expected a format failure", bad[i], (int)got);
  }
}

static void test_seal_open_refuses_wrong_user_or_item(void **state)
{
  s_fixture *fx = *state;
  assert_int_equal(s_open_as(fx, "user-2", "item-1", fx->sealed), SEAL_FAILURE_AUTH);
  assert_int_equal(s_open_as(fx, "user-1", "item-2", fx->sealed), SEAL_FAILURE_AUTH);
  assert_int_equal(s_open_as(fx, "item-1", "user-1", fx->sealed), SEAL_FAILURE_AUTH);
  assert_int_equal(s_open_as(fx, "user-1", "item-1", fx->sealed), SEAL_FAILURE_NONE);
}

static void test_seal_binding_is_unambiguous_across_the_user_item_boundary(void **state)
{
  s_fixture *fx = *state;
  char *sealed = s_seal(fx->ring, "ab", "c", TOKEN);
  assert_int_equal(s_open_as(fx, "a", "bc", sealed), SEAL_FAILURE_AUTH);
  assert_int_equal(s_open_as(fx, "abc", "c", sealed), SEAL_FAILURE_AUTH);
  assert_int_equal(s_open_as(fx, "ab", "c", sealed), SEAL_FAILURE_NONE);
  free(sealed);
}

static void test_seal_open_reports_unknown_key_id(void **state)
{
  (void)state;
  seal_keyring *old_ring = s_ring_of("old", NULL);
  seal_keyring *new_ring = s_ring_of("new", NULL);
  char *sealed = s_seal(old_ring, "user-1", "item-1", TOKEN);
  assert_int_equal(s_open(new_ring, "user-1", "item-1", sealed, TOKEN), SEAL_FAILURE_UNKNOWN_KID);
  free(sealed);
  seal_keyring_free(new_ring);
  seal_keyring_free(old_ring);
}

static void test_seal_open_refuses_a_different_key_with_the_same_id(void **state)
{
  s_fixture *fx = *state;
  seal_keyring *other = s_ring_of("k1", NULL);
  assert_int_equal(s_open(other, "user-1", "item-1", fx->sealed, TOKEN), SEAL_FAILURE_AUTH);
  seal_keyring_free(other);
}

static void test_seal_rotation_opens_old_records_and_seals_with_the_new_key(void **state)
{
  (void)state;
  /* After the rotation the ring lists k2 (current) and then k1. */
  s_two_keys keys;
  s_two_keys_make(&keys, "k2", "k1", "%s,%s");
  seal_keyring *before = s_ring(keys.entry[1]);
  char *old_record = s_seal(before, "user-1", "item-1", TOKEN);

  seal_keyring *after = s_ring(keys.spec);
  assert_string_equal(seal_keyring_current_kid(after), "k2");
  assert_int_equal(seal_keyring_count(after), 2);
  assert_int_equal(s_open(after, "user-1", "item-1", old_record, TOKEN), SEAL_FAILURE_NONE);

  char *new_record = s_seal(after, "user-1", "item-1", TOKEN);
  assert_int_equal(strncmp(new_record, "v1.k2.", 6), 0);
  assert_int_equal(s_open(after, "user-1", "item-1", new_record, TOKEN), SEAL_FAILURE_NONE);
  assert_int_equal(s_open(before, "user-1", "item-1", new_record, TOKEN), SEAL_FAILURE_UNKNOWN_KID);

  free(new_record);
  free(old_record);
  seal_keyring_free(after);
  seal_keyring_free(before);
}

static void test_seal_keyring_rejects_bad_specs(void **state)
{
  (void)state;
  char good[128];
  s_make_entry("k1", good, sizeof good, NULL);
  const char *key = strchr(good, ':') + 1;
  char buf[512];
  /* 16 bytes, 33 bytes, not base64, wrong alphabet for standard base64, bad padding. */
  const char *short_key = "k1:AAAAAAAAAAAAAAAAAAAAAA==";
  const char *long_key = "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  const char *bad_specs[] = {
    "",
    "   ",
    "k1",
    "k1:",
    ":",
    short_key,
    long_key,
    "k1:!!!notbase64!!!",
    "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-_",
    "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
  };
  for(size_t i = 0; i < sizeof bad_specs / sizeof bad_specs[0]; i++) {
    seal_keyring *ring = (seal_keyring *)1;
    mynt_detail why;
    assert_int_equal(seal_keyring_parse(bad_specs[i], &ring, &why), MYNT_BAD_REQUEST);
    assert_null(ring);
    assert_true(strlen(mynt_detail_text(&why)) > 0);
  }
  const char *bad_kids[] = {"", "k 1", "k.1", "k:1", "ü", "abcdefghijklmnopqrstuvwxyz0123456"};
  for(size_t i = 0; i < sizeof bad_kids / sizeof bad_kids[0]; i++) {
    seal_keyring *ring = NULL;
    snprintf(buf, sizeof buf, "%s:%s", bad_kids[i], key);
    assert_int_equal(seal_keyring_parse(buf, &ring, NULL), MYNT_BAD_REQUEST);
    assert_null(ring);
  }
  const char *bad_lists[] = {"%s,", ",%s", "%s,,%s", "%s,%s"};
  for(size_t i = 0; i < sizeof bad_lists / sizeof bad_lists[0]; i++) {
    seal_keyring *ring = NULL;
    mynt_detail why;
    snprintf(buf, sizeof buf, bad_lists[i], good, good);
    assert_int_equal(seal_keyring_parse(buf, &ring, &why), MYNT_BAD_REQUEST);
    assert_null(ring);
    assert_null(strstr(mynt_detail_text(&why), key));
  }
  seal_keyring *ring = NULL;
  assert_int_equal(seal_keyring_parse(NULL, &ring, NULL), MYNT_BAD_REQUEST);
  assert_null(ring);
}

static void test_seal_keyring_accepts_valid_specs(void **state)
{
  (void)state;
  s_two_keys keys;
  s_two_keys_make(&keys, "A-z_09", "abcdefghijklmnopqrstuvwxyz012345", "  %s ,\t%s\n");
  seal_keyring *ring = s_ring(keys.spec);
  assert_int_equal(seal_keyring_count(ring), 2);
  assert_string_equal(seal_keyring_current_kid(ring), "A-z_09");
  seal_keyring_free(ring);

  /* Unpadded standard base64 is accepted too. */
  char *eq = strchr(keys.entry[0], '=');
  assert_non_null(eq);
  *eq = '\0';
  ring = s_ring(keys.entry[0]);
  seal_keyring_free(ring);
}

static void test_seal_nonces_differ_between_two_seals_of_the_same_input(void **state)
{
  s_fixture *fx = *state;
  char *two = s_seal(fx->ring, "user-1", "item-1", TOKEN);
  char p1[4][512];
  char p2[4][512];
  s_split(fx->sealed, p1);
  s_split(two, p2);
  assert_string_not_equal(p1[2], p2[2]);
  assert_string_not_equal(p1[3], p2[3]);
  free(two);
}

static void test_seal_refuses_bad_arguments(void **state)
{
  s_fixture *fx = *state;
  seal_keyring *ring = fx->ring;
  char *sealed = (char *)1;
  assert_int_equal(seal_seal(ring, "", "item", TOKEN, strlen(TOKEN), &sealed), MYNT_BAD_REQUEST);
  assert_null(sealed);
  assert_int_equal(seal_seal(ring, "user", NULL, TOKEN, strlen(TOKEN), &sealed), MYNT_BAD_REQUEST);
  char *big = calloc(1, SEAL_MAX_PLAINTEXT + 1);
  assert_non_null(big);
  assert_int_equal(seal_seal(ring, "user", "item", big, SEAL_MAX_PLAINTEXT + 1, &sealed), MYNT_BAD_REQUEST);
  free(big);

  sealed = s_seal(ring, "user", "item", TOKEN);
  char small[8];
  size_t len = 5;
  seal_failure why = SEAL_FAILURE_NONE;
  assert_int_equal(seal_open(ring, "user", "item", sealed, small, sizeof small, &len, &why), MYNT_NOMEM);
  assert_int_equal(why, SEAL_FAILURE_TOO_SMALL);
  assert_int_equal(len, 0);
  assert_int_equal(seal_open(ring, "", "item", sealed, small, sizeof small, &len, &why), MYNT_BAD_REQUEST);
  free(sealed);
}

/* The reference check: a sealed value decrypts with a plain OpenSSL EVP AES-256-GCM call
 * sequence written here, using the documented AAD layout, and a value made here opens. */
static void s_ref_aad(unsigned char *aad, size_t *aad_len, const char *kid, const char *user, const char *item)
{
  const char *fields[] = {"v1", kid, user, item};
  size_t n = 0;
  for(int i = 0; i < 4; i++) {
    uint32_t len = (uint32_t)strlen(fields[i]);
    aad[n++] = (unsigned char)(len >> 24);
    aad[n++] = (unsigned char)(len >> 16);
    aad[n++] = (unsigned char)(len >> 8);
    aad[n++] = (unsigned char)len;
    memcpy(aad + n, fields[i], len);
    n += len;
  }
  *aad_len = n;
}

static void test_seal_output_is_aes_256_gcm_by_an_independent_evp_decrypt(void **state)
{
  (void)state;
  unsigned char key[32];
  seal_keyring *ring = s_ring_of("ref", key);
  char *sealed = s_seal(ring, "user-42", "item-7", TOKEN);
  char parts[4][512];
  s_split(sealed, parts);
  assert_string_equal(parts[0], "v1");
  assert_string_equal(parts[1], "ref");

  unsigned char nonce[16];
  unsigned char ct[400];
  assert_int_equal(s_ref_b64url_decode(parts[2], nonce, sizeof nonce), 12);
  size_t ct_len = s_ref_b64url_decode(parts[3], ct, sizeof ct);
  assert_int_equal(ct_len, strlen(TOKEN) + 16);
  unsigned char aad[128];
  size_t aad_len = 0;
  s_ref_aad(aad, &aad_len, "ref", "user-42", "item-7");

  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  assert_non_null(ctx);
  unsigned char out[400];
  int n = 0;
  int total = 0;
  assert_int_equal(EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce), 1);
  assert_int_equal(EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aad_len), 1);
  assert_int_equal(EVP_DecryptUpdate(ctx, out, &n, ct, (int)(ct_len - 16)), 1);
  total = n;
  assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, ct + ct_len - 16), 1);
  assert_int_equal(EVP_DecryptFinal_ex(ctx, out + total, &n), 1);
  total += n;
  EVP_CIPHER_CTX_free(ctx);
  assert_int_equal(total, strlen(TOKEN));
  assert_memory_equal(out, TOKEN, strlen(TOKEN));

  free(sealed);
  seal_keyring_free(ring);
}

static void test_seal_opens_a_value_encrypted_by_an_independent_evp_call(void **state)
{
  (void)state;
  unsigned char key[32];
  seal_keyring *ring = s_ring_of("ref", key);
  unsigned char nonce[12];
  assert_int_equal(RAND_bytes(nonce, sizeof nonce), 1);
  unsigned char aad[128];
  size_t aad_len = 0;
  s_ref_aad(aad, &aad_len, "ref", "user-42", "item-7");

  unsigned char ct[200];
  int n = 0;
  int total = 0;
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  assert_non_null(ctx);
  assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce), 1);
  assert_int_equal(EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len), 1);
  assert_int_equal(EVP_EncryptUpdate(ctx, ct, &n, (const unsigned char *)TOKEN, (int)strlen(TOKEN)), 1);
  total = n;
  assert_int_equal(EVP_EncryptFinal_ex(ctx, ct + total, &n), 1);
  total += n;
  assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, ct + total), 1);
  EVP_CIPHER_CTX_free(ctx);

  /* Encode with OpenSSL's standard base64, then make it unpadded base64url by hand. */
  unsigned char b64n[32];
  unsigned char b64c[300];
  s_ref_b64url_encode(nonce, sizeof nonce, b64n);
  s_ref_b64url_encode(ct, (size_t)total + 16, b64c);
  char sealed[512];
  snprintf(sealed, sizeof sealed, "v1.ref.%s.%s", (const char *)b64n, (const char *)b64c);
  assert_int_equal(s_open(ring, "user-42", "item-7", sealed, TOKEN), SEAL_FAILURE_NONE);
  assert_int_equal(s_open(ring, "user-42", "item-8", sealed, TOKEN), SEAL_FAILURE_AUTH);
  seal_keyring_free(ring);
}

static void s_hex(const char *hex, unsigned char *out, size_t len)
{
  assert_int_equal(strlen(hex), 2 * len);
  for(size_t i = 0; i < len; i++) {
    unsigned int v = 0;
    assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
    out[i] = (unsigned char)v;
  }
}

/* McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 96-bit IV, AAD). */
static void test_seal_gcm_primitive_matches_the_gcm_spec_test_case_16(void **state)
{
  (void)state;
  unsigned char key[32];
  unsigned char iv[12];
  unsigned char pt[60];
  unsigned char aad[20];
  unsigned char want_ct[60];
  unsigned char want_tag[16];
  s_hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", key, sizeof key);
  s_hex("cafebabefacedbaddecaf888", iv, sizeof iv);
  s_hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        pt, sizeof pt);
  s_hex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad, sizeof aad);
  s_hex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        want_ct, sizeof want_ct);
  s_hex("76fc6ece0f4e1768cddf8853bb2d551b", want_tag, sizeof want_tag);

  unsigned char ct[60];
  unsigned char tag[16];
  assert_int_equal(seal_gcm_encrypt(key, iv, aad, sizeof aad, pt, sizeof pt, ct, tag), MYNT_OK);
  assert_memory_equal(ct, want_ct, sizeof ct);
  assert_memory_equal(tag, want_tag, sizeof tag);

  unsigned char back[60];
  assert_int_equal(seal_gcm_decrypt(key, iv, aad, sizeof aad, want_ct, sizeof want_ct, want_tag, back), MYNT_OK);
  assert_memory_equal(back, pt, sizeof pt);
  want_tag[15] ^= 0x80;
  assert_int_equal(seal_gcm_decrypt(key, iv, aad, sizeof aad, want_ct, sizeof want_ct, want_tag, back), MYNT_PARSE);
  unsigned char zero[60] = {0};
  assert_memory_equal(back, zero, sizeof back);
}

static void test_b64_url_decode_accepts_only_canonical_text(void **state)
{
  (void)state;
  unsigned char out[16];
  size_t len = 0;
  char text[32];
  const unsigned char in[] = {0xfb, 0xff, 0xbf};
  assert_int_equal(b64_url_encode(in, 3, text, sizeof text), MYNT_OK);
  assert_string_equal(text, "-_-_");
  assert_int_equal(b64_url_decode("-_-_", 4, out, sizeof out, &len), MYNT_OK);
  assert_int_equal(len, 3);
  assert_memory_equal(out, in, 3);
  assert_int_equal(b64_url_decode("+/+/", 4, out, sizeof out, &len), MYNT_BAD_REQUEST);
  assert_int_equal(b64_url_decode("AB", 2, out, sizeof out, &len), MYNT_BAD_REQUEST);
  assert_int_equal(b64_url_decode("AA==", 4, out, sizeof out, &len), MYNT_BAD_REQUEST);
  assert_int_equal(b64_url_decode("AAAAA", 5, out, sizeof out, &len), MYNT_BAD_REQUEST);
  assert_int_equal(b64_url_decode("AAAAAAAA", 8, out, 2, &len), MYNT_NOMEM);
  assert_int_equal(b64_std_decode("+/+/", 4, out, sizeof out, &len), MYNT_OK);
  assert_int_equal(b64_std_decode("AA==", 4, out, sizeof out, &len), MYNT_OK);
  assert_int_equal(len, 1);
  assert_int_equal(b64_std_decode("AA=", 3, out, sizeof out, &len), MYNT_BAD_REQUEST);
  assert_int_equal(b64_std_decode("A===", 4, out, sizeof out, &len), MYNT_BAD_REQUEST);
  assert_int_equal(b64_std_decode("AA==AA==", 8, out, sizeof out, &len), MYNT_BAD_REQUEST);
}

/* The test runs with the k1 fixture (s_setup_k1). */
#define K1(name) cmocka_unit_test_setup_teardown(name, s_setup_k1, s_teardown)

UNIT_MAIN("seal", NULL, NULL,
          {
            K1(test_seal_round_trip_returns_the_plaintext),
            cmocka_unit_test(test_seal_round_trips_empty_and_binary_plaintext),
            K1(test_seal_open_refuses_tampered_version),
            cmocka_unit_test_setup_teardown(test_seal_open_refuses_tampered_kid, s_setup_k1_k2, s_teardown),
            K1(test_seal_open_refuses_tampered_nonce_ciphertext_and_tag),
            K1(test_seal_open_refuses_malformed_values),
            K1(test_seal_open_refuses_wrong_user_or_item),
            K1(test_seal_binding_is_unambiguous_across_the_user_item_boundary),
            cmocka_unit_test(test_seal_open_reports_unknown_key_id),
            K1(test_seal_open_refuses_a_different_key_with_the_same_id),
            cmocka_unit_test(test_seal_rotation_opens_old_records_and_seals_with_the_new_key),
            cmocka_unit_test(test_seal_keyring_rejects_bad_specs),
            cmocka_unit_test(test_seal_keyring_accepts_valid_specs),
            K1(test_seal_nonces_differ_between_two_seals_of_the_same_input),
            K1(test_seal_refuses_bad_arguments),
            cmocka_unit_test(test_seal_output_is_aes_256_gcm_by_an_independent_evp_decrypt),
            cmocka_unit_test(test_seal_opens_a_value_encrypted_by_an_independent_evp_call),
            cmocka_unit_test(test_seal_gcm_primitive_matches_the_gcm_spec_test_case_16),
            cmocka_unit_test(test_b64_url_decode_accepts_only_canonical_text),
          })
