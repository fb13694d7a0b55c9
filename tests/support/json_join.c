/* json_join.c - a JSON array's string members joined into one line, for tests that compare a list at a glance. */
#include "support/json_join.h"

#include <stdio.h>
#include <string.h>

void json_join_member(const json_t *array, const char *key, char *out, size_t cap)
{
  size_t i;
  const json_t *object;
  out[0] = '\0';
  json_array_foreach(array, i, object) {
    const char *word = json_string_value(json_object_get(object, key));
    size_t used = strlen(out);
    snprintf(out + used, cap - used, "%s%s", i ? " " : "", word ? word : "");
  }
}
