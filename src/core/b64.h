/* b64.h - base64: padded standard encoding, unpadded base64url encoding, strict decoding of both. */
#ifndef MYNT_CORE_B64_H
#define MYNT_CORE_B64_H

#include <stddef.h>

#include "core/buf.h"
#include "core/status.h"

/* Returns the length of the unpadded base64url text for n bytes (without a NUL). */
size_t b64_url_encoded_len(size_t n);

/* Writes the unpadded base64url encoding of in[0..len) and a NUL into out (cap bytes).
 * Returns MYNT_OK, or MYNT_NOMEM when out is too small (then out holds "" if cap > 0). */
mynt_status b64_url_encode(const unsigned char *in, size_t len, char *out, size_t cap);

/* Decodes unpadded base64url text in[0..len) into out (cap bytes) and sets *out_len.
 * Only the canonical encoding is accepted: no '=', no whitespace, no other alphabet, and
 * unused trailing bits must be zero. Returns MYNT_OK, MYNT_BAD_REQUEST on invalid text,
 * MYNT_NOMEM when out is too small. On failure out is wiped and *out_len is 0. */
mynt_status b64_url_decode(const char *in, size_t len, unsigned char *out, size_t cap, size_t *out_len);

/* Decodes standard base64 (+ and /), '=' padding optional but correct when present, no
 * whitespace, canonical trailing bits. Same returns and failure rules as b64_url_decode. */
mynt_status b64_std_decode(const char *in, size_t len, unsigned char *out, size_t cap, size_t *out_len);

/* Checks in[0..len) as b64_std_decode does without writing anything. Returns MYNT_OK and sets
 * *out_len to the decoded length, or MYNT_BAD_REQUEST (then *out_len is 0). */
mynt_status b64_std_check(const char *in, size_t len, size_t *out_len);

/* Decode as b64_std_decode / b64_url_decode and append the bytes to out. Returns MYNT_OK,
 * MYNT_BAD_REQUEST on invalid text (out unchanged), or out's buf_append status (MYNT_TOO_LARGE
 * past its cap, MYNT_NOMEM; out is then freed). */
mynt_status b64_std_decode_buf(const char *in, size_t len, mynt_buf *out);
mynt_status b64_url_decode_buf(const char *in, size_t len, mynt_buf *out);

/* Returns the length of the padded standard base64 text for n bytes (without a NUL). */
size_t b64_std_encoded_len(size_t n);

/* Appends the padded standard base64 encoding of in[0..len) to out. Returns MYNT_OK or out's
 * buf_append status (MYNT_TOO_LARGE past its cap, MYNT_NOMEM; out is then freed). */
mynt_status b64_std_encode_buf(const void *in, size_t len, mynt_buf *out);

#endif
