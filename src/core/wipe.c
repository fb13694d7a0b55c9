/* wipe.c - wiping secrets from memory before it is freed or reused. */
#include "core/wipe.h"

#include <stdlib.h>
#include <string.h>

void mynt_wipe(void *p, size_t n)
{
  if(p && n)
    explicit_bzero(p, n);
}

void mynt_wipe_free(char *s)
{
  if(!s)
    return;
  mynt_wipe(s, strlen(s));
  free(s);
}

void mynt_wipe_json_string(json_t *s)
{
  if(json_is_string(s))
    mynt_wipe((char *)json_string_value(s), json_string_length(s));
}
