/* code.c - upper-case codes: Plaid's error and webhook codes, Mynt's budget category names. */
#include "core/code.h"

#include <string.h>

bool code_valid(const char *s, size_t cap)
{
  size_t n = s ? strlen(s) : 0;
  if(n == 0 || n >= cap)
    return false;
  for(size_t i = 0; i < n; i++) {
    char c = s[i];
    if(!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}
