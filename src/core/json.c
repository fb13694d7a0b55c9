/* json.c - small jansson helpers for reading members of JSON objects and decoding JWT parts. */
#include "core/json.h"

#include <stdio.h>

#include "core/b64.h"
#include "core/buf.h"

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

json_t *json_array_map(const void *items, size_t n, size_t size, json_t *(*element)(const void *item))
{
  json_t *list = json_array();
  for(size_t i = 0; list && i < n; i++) {
    if(json_array_append_new(list, element((const char *)items + i * size))) {
      json_decref(list);
      list = NULL;
    }
  }
  return list;
}

json_t *json_string_or_null(const char *text)
{
  return text ? json_string(text) : json_null();
}

mynt_status json_from_b64url(const char *text, size_t len, size_t max, json_t **out)
{
  *out = NULL;
  mynt_buf raw;
  buf_init(&raw, max);
  mynt_status st = b64_url_decode_buf(text, len, &raw);
  if(!st && raw.len > 0)
    *out = json_loadb(raw.ptr, raw.len, JSON_REJECT_DUPLICATES, NULL);
  buf_free(&raw);
  if(st)
    return st;
  if(*out && !json_is_object(*out)) {
    json_decref(*out);
    *out = NULL;
  }
  return *out ? MYNT_OK : MYNT_BAD_REQUEST;
}

bool json_text_depth_within(const char *text, size_t len, size_t max_depth)
{
  size_t depth = 0;
  bool in_string = false;
  for(size_t i = 0; i < len; i++) {
    char c = text[i];
    if(in_string) {
      if(c == '\\')
        i++; /* the escaped byte cannot end the string */
      else if(c == '"')
        in_string = false;
    }
    else if(c == '"')
      in_string = true;
    else if(c == '[' || c == '{') {
      if(++depth > max_depth)
        return false;
    }
    else if((c == ']' || c == '}') && depth > 0)
      depth--;
  }
  return true;
}
