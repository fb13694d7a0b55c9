/* fuzz_store_history.c - fuzzes the decoder of the transaction-history buckets (zlib of a JSON array).
 * Input: a first byte choosing the form: even: the raw bytes of a stored bucket; odd: the rest is the
 * JSON text, compressed here first (so the decoder's JSON side is reached too). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "fuzz_support.h"
#include "store/history.h"

FUZZ_JSON_INITIALIZE(NULL, NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  unsigned char *z = NULL;
  unsigned char *again = NULL;
  json_t *txns = NULL;
  json_t *back = NULL;
  if(size < 1)
    return 0;
  const unsigned char *bytes = data + 1;
  size_t len = size - 1;
  if(data[0] & 1) {
    uLongf z_len = compressBound(len);
    if(!(z = malloc(z_len)) || compress2(z, &z_len, bytes, len, 6) != Z_OK)
      goto cleanup;
    bytes = z;
    len = z_len;
  }
  mynt_status st = store_history_decode(bytes, len, &txns);
  FUZZ_CHECK(st == MYNT_OK || st == MYNT_PARSE || st == MYNT_TOO_LARGE || st == MYNT_NOMEM);
  FUZZ_CHECK((st == MYNT_OK) == (txns != NULL));
  if(txns) {
    /* A bucket that decodes is an array, and encoding it again gives the same transactions. */
    size_t again_len = 0;
    FUZZ_CHECK(json_is_array(txns));
    st = store_history_encode(txns, &again, &again_len);
    FUZZ_CHECK(st == MYNT_OK || st == MYNT_TOO_LARGE);
    if(st == MYNT_OK) {
      FUZZ_CHECK(store_history_decode(again, again_len, &back) == MYNT_OK);
      FUZZ_CHECK(json_equal(back, txns));
    }
  }
cleanup:
  json_decref(back);
  json_decref(txns);
  free(again);
  free(z);
  return 0;
}
