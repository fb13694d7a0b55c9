/* big_json.c - JSON texts of an exact size. */
#include "support/big_json.h"

#include <stdlib.h>
#include <string.h>

char *big_json_string(size_t len)
{
  char *text = malloc(len + 1);
  if(!text)
    return NULL;
  memset(text, ' ', len);
  text[0] = '"';
  text[len - 1] = '"';
  text[len] = '\0';
  return text;
}
