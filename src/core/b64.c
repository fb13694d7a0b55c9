/* b64.c - base64: padded standard encoding, unpadded base64url encoding, strict decoding of both. */
#include "core/b64.h"

#include <stdlib.h>
#include <string.h>

#include "core/wipe.h"

static const char s_url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char s_std_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Returns the 6-bit value of c in the chosen alphabet, or -1. */
static int s_value(unsigned char c, int url)
{
  const char *alphabet = url ? s_url_alphabet : s_std_alphabet;
  const char *at = memchr(alphabet, c, 64);
  return at ? (int)(at - alphabet) : -1;
}

size_t b64_url_encoded_len(size_t n)
{
  return (n / 3) * 4 + (n % 3 ? n % 3 + 1 : 0);
}

mynt_status b64_url_encode(const unsigned char *in, size_t len, char *out, size_t cap)
{
  size_t need = b64_url_encoded_len(len) + 1;
  if(cap < need) {
    if(cap)
      out[0] = '\0';
    return MYNT_NOMEM;
  }
  size_t o = 0;
  size_t i = 0;
  for(; i + 3 <= len; i += 3) {
    unsigned long v = ((unsigned long)in[i] << 16) | ((unsigned long)in[i + 1] << 8) | in[i + 2];
    out[o++] = s_url_alphabet[(v >> 18) & 63];
    out[o++] = s_url_alphabet[(v >> 12) & 63];
    out[o++] = s_url_alphabet[(v >> 6) & 63];
    out[o++] = s_url_alphabet[v & 63];
  }
  if(len - i == 1) {
    unsigned long v = (unsigned long)in[i] << 16;
    out[o++] = s_url_alphabet[(v >> 18) & 63];
    out[o++] = s_url_alphabet[(v >> 12) & 63];
  }
  else if(len - i == 2) {
    unsigned long v = ((unsigned long)in[i] << 16) | ((unsigned long)in[i + 1] << 8);
    out[o++] = s_url_alphabet[(v >> 18) & 63];
    out[o++] = s_url_alphabet[(v >> 12) & 63];
    out[o++] = s_url_alphabet[(v >> 6) & 63];
  }
  out[o] = '\0';
  return MYNT_OK;
}

/* Decodes len characters that are all data (no padding) in the chosen alphabet. With out NULL
 * it only checks the text and counts the bytes. */
static mynt_status s_decode(const char *in, size_t len, int url, unsigned char *out, size_t cap, size_t *out_len)
{
  mynt_status st = MYNT_OK;
  size_t o = 0;
  unsigned long acc = 0;
  int bits = 0;
  *out_len = 0;
  if(len % 4 == 1) {
    st = MYNT_BAD_REQUEST;
    goto cleanup;
  }
  for(size_t i = 0; i < len; i++) {
    int v = s_value((unsigned char)in[i], url);
    if(v < 0) {
      st = MYNT_BAD_REQUEST;
      goto cleanup;
    }
    acc = (acc << 6) | (unsigned long)v;
    bits += 6;
    if(bits >= 8) {
      bits -= 8;
      if(!out) {
        o++;
        continue;
      }
      if(o >= cap) {
        st = MYNT_NOMEM;
        goto cleanup;
      }
      out[o++] = (unsigned char)((acc >> bits) & 0xff);
    }
  }
  if(acc & ((1ul << bits) - 1))
    st = MYNT_BAD_REQUEST;

cleanup:
  if(st) {
    if(out && cap)
      mynt_wipe(out, o < cap ? o : cap);
    return st;
  }
  *out_len = o;
  return MYNT_OK;
}

mynt_status b64_url_decode(const char *in, size_t len, unsigned char *out, size_t cap, size_t *out_len)
{
  return s_decode(in, len, 1, out, cap, out_len);
}

/* Returns the length of in[0..len) without its '=' padding, or (size_t)-1 when the padding is
 * wrong: present but not completing the last group of four. */
static size_t s_std_data_len(const char *in, size_t len)
{
  size_t data = len;
  while(data > 0 && in[data - 1] == '=')
    data--;
  if(data != len) {
    size_t pad = len - data;
    if(len % 4 != 0 || pad > 2 || (data % 4) + pad != 4)
      return (size_t)-1;
  }
  return data;
}

mynt_status b64_std_decode(const char *in, size_t len, unsigned char *out, size_t cap, size_t *out_len)
{
  *out_len = 0;
  size_t data = s_std_data_len(in, len);
  if(data == (size_t)-1)
    return MYNT_BAD_REQUEST;
  return s_decode(in, data, 0, out, cap, out_len);
}

mynt_status b64_std_check(const char *in, size_t len, size_t *out_len)
{
  *out_len = 0;
  size_t data = s_std_data_len(in, len);
  if(data == (size_t)-1)
    return MYNT_BAD_REQUEST;
  return s_decode(in, data, 0, NULL, 0, out_len);
}

/* Decodes through a scratch copy (wiped: the bytes may be a secret) and appends to out. */
static mynt_status s_decode_buf(const char *in, size_t len, int url, mynt_buf *out)
{
  size_t cap = len / 4 * 3 + 2; /* the most bytes len characters can hold */
  unsigned char *raw = malloc(cap);
  if(!raw)
    return MYNT_NOMEM;
  size_t raw_len = 0;
  mynt_status st = url ? b64_url_decode(in, len, raw, cap, &raw_len) : b64_std_decode(in, len, raw, cap, &raw_len);
  if(!st)
    st = buf_append(out, raw, raw_len);
  mynt_wipe(raw, raw_len);
  free(raw);
  return st;
}

mynt_status b64_std_decode_buf(const char *in, size_t len, mynt_buf *out)
{
  return s_decode_buf(in, len, 0, out);
}

mynt_status b64_url_decode_buf(const char *in, size_t len, mynt_buf *out)
{
  return s_decode_buf(in, len, 1, out);
}

size_t b64_std_encoded_len(size_t n)
{
  return (n + 2) / 3 * 4;
}

mynt_status b64_std_encode_buf(const void *in, size_t len, mynt_buf *out)
{
  const unsigned char *p = in;
  for(size_t i = 0; i < len; i += 3) {
    unsigned long v = (unsigned long)p[i] << 16;
    if(i + 1 < len)
      v |= (unsigned long)p[i + 1] << 8;
    if(i + 2 < len)
      v |= p[i + 2];
    char quad[4] = {
      s_std_alphabet[(v >> 18) & 63],
      s_std_alphabet[(v >> 12) & 63],
      i + 1 < len ? s_std_alphabet[(v >> 6) & 63] : '=',
      i + 2 < len ? s_std_alphabet[v & 63] : '=',
    };
    mynt_status st = buf_append(out, quad, sizeof quad);
    if(st)
      return st;
  }
  return MYNT_OK;
}
