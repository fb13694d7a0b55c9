/* fuzz_seal.c - fuzzes the keyring spec parser and the opening of sealed access tokens.
 * Input: NUL-separated parts: keyring spec, user id, item id, sealed text, plaintext. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/detail.h"
#include "crypto/seal.h"
#include "fuzz_support.h"

/* Two fixed test keys (not secrets): k2 seals, k1 still opens. */
#define S_RING "k2:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=,k1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="

static seal_keyring *s_ring;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  if(seal_keyring_parse(S_RING, &s_ring, NULL) != MYNT_OK)
    abort();
  return 0;
}

static bool s_all_zero(const unsigned char *p, size_t n)
{
  for(size_t i = 0; i < n; i++)
    if(p[i])
      return false;
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fuzz_parts parts;
  seal_keyring *ring = NULL;
  char *sealed = NULL;
  unsigned char plain[SEAL_MAX_PLAINTEXT + 1];
  if(fuzz_split(data, size, 5, &parts) != 0)
    return 0;
  const char *spec = parts.part[0];
  const char *user = parts.count > 1 ? parts.part[1] : "user";
  const char *item = parts.count > 2 ? parts.part[2] : "item";

  mynt_detail why;
  mynt_detail_clear(&why);
  mynt_status st = seal_keyring_parse(spec, &ring, &why);
  FUZZ_CHECK(st == MYNT_OK || st == MYNT_BAD_REQUEST || st == MYNT_NOMEM);
  FUZZ_CHECK((st == MYNT_OK) == (ring != NULL));
  if(ring) {
    FUZZ_CHECK(seal_keyring_count(ring) >= 1 && seal_keyring_count(ring) <= SEAL_MAX_KEYS);
    size_t kid_len = strlen(seal_keyring_current_kid(ring));
    FUZZ_CHECK(kid_len >= 1 && kid_len <= SEAL_KID_MAX);
  }
  else {
    FUZZ_CHECK(mynt_detail_text(&why)[0] != '\0');
  }

  /* A value nobody sealed with these keys never opens, and a refusal leaves no plaintext behind. */
  if(parts.count > 3) {
    size_t len = 1;
    seal_failure failure = SEAL_FAILURE_NONE;
    memset(plain, 0xA5, sizeof plain);
    st = seal_open(s_ring, user, item, parts.part[3], plain, sizeof plain, &len, &failure);
    if(st != MYNT_OK) {
      FUZZ_CHECK(len == 0);
      FUZZ_CHECK(s_all_zero(plain, sizeof plain));
      FUZZ_CHECK(st == MYNT_BAD_REQUEST || failure != SEAL_FAILURE_NONE);
    }
  }

  /* What is sealed opens for its user and item only, with its own bytes. */
  if(parts.count > 4 && ring) {
    st = seal_seal(ring, user, item, parts.part[4], parts.len[4], &sealed);
    if(st == MYNT_OK) {
      size_t len = 0;
      seal_failure failure = SEAL_FAILURE_NONE;
      FUZZ_CHECK(seal_open(ring, user, item, sealed, plain, sizeof plain, &len, &failure) == MYNT_OK);
      FUZZ_CHECK(len == parts.len[4] && memcmp(plain, parts.part[4], len) == 0);
      if(strcmp(user, item) != 0)
        FUZZ_CHECK(seal_open(ring, item, user, sealed, plain, sizeof plain, &len, &failure) != MYNT_OK);
    }
  }

  free(sealed);
  seal_keyring_free(ring);
  fuzz_parts_free(&parts);
  return 0;
}
