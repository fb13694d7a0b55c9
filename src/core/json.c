/* json.c - small jansson helpers for reading members of JSON objects. */
#include "core/json.h"

#include <stdio.h>

const char *json_member_string(const json_t *obj, const char *name)
{
  return json_string_value(json_object_get(obj, name));
}

const char *json_member_string_or(const json_t *obj, const char *name, const char *other)
{
  const char *v = json_member_string(obj, name);
  return v ? v : json_member_string(obj, other);
}

json_t *json_member_string_or_null(const json_t *obj, const char *name)
{
  return json_string_or_null(json_member_string(obj, name));
}

void json_member_copy(const json_t *obj, const char *name, char *dst, size_t cap)
{
  const char *v = json_member_string(obj, name);
  snprintf(dst, cap, "%s", v ? v : "");
}

json_t *json_string_or_null(const char *text)
{
  return text ? json_string(text) : json_null();
}
