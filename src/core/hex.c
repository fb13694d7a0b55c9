/* hex.c - hexadecimal text of bytes, and the value of one hex digit. */
#include "core/hex.h"

static void s_encode(const void *bytes, size_t n, char *out, const char digits[16])
{
  const unsigned char *p = bytes;
  for(size_t i = 0; i < n; i++) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 0xf];
  }
  out[2 * n] = '\0';
}

void hex_encode(const void *bytes, size_t n, char *out)
{
  s_encode(bytes, n, out, "0123456789abcdef");
}

void hex_encode_upper(const void *bytes, size_t n, char *out)
{
  s_encode(bytes, n, out, "0123456789ABCDEF");
}

int hex_value(char c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  if(c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if(c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}
