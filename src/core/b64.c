/* b64.c - strict base64 (standard alphabet) decoding and unpadded base64url encoding/decoding. */
#include "core/b64.h"

#include <openssl/crypto.h>

static const char s_url_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Returns the 6-bit value of c in the chosen alphabet, or -1. */
static int s_value(unsigned char c, int url)
{
  if(c >= 'A' && c <= 'Z')
    return c - 'A';
  if(c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if(c >= '0' && c <= '9')
    return c - '0' + 52;
  if(c == (url ? '-' : '+'))
    return 62;
  if(c == (url ? '_' : '/'))
    return 63;
  return -1;
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

/* Decodes len characters that are all data (no padding) in the chosen alphabet. */
static mynt_status s_decode(const char *in, size_t len, int url, unsigned char *out, size_t cap,
                            size_t *out_len)
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
    if(cap)
      OPENSSL_cleanse(out, o < cap ? o : cap);
    return st;
  }
  *out_len = o;
  return MYNT_OK;
}

mynt_status b64_url_decode(const char *in, size_t len, unsigned char *out, size_t cap, size_t *out_len)
{
  return s_decode(in, len, 1, out, cap, out_len);
}

mynt_status b64_std_decode(const char *in, size_t len, unsigned char *out, size_t cap, size_t *out_len)
{
  size_t data = len;
  *out_len = 0;
  while(data > 0 && in[data - 1] == '=')
    data--;
  if(data != len) {
    size_t pad = len - data;
    if(len % 4 != 0 || pad > 2 || (data % 4) + pad != 4)
      return MYNT_BAD_REQUEST;
  }
  return s_decode(in, data, 0, out, cap, out_len);
}
