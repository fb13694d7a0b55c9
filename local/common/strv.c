/* strv.c - counted lists of malloc'd strings: copy and free. */
#include "local/common/strv.h"

#include <stdlib.h>
#include <string.h>

mynt_status strv_dup(char *const *src, size_t n, char ***out)
{
  char **v = calloc(n ? n : 1, sizeof(char *));
  *out = NULL;
  if(!v)
    return MYNT_NOMEM;
  for(size_t i = 0; i < n; i++) {
    if(!(v[i] = strdup(src[i]))) {
      strv_free(v, i);
      return MYNT_NOMEM;
    }
  }
  *out = v;
  return MYNT_OK;
}

void strv_free(char **v, size_t n)
{
  for(size_t i = 0; v && i < n; i++)
    free(v[i]);
  free(v);
}
