/* json.h - small jansson helpers for reading members of JSON objects. */
#ifndef MYNT_CORE_JSON_H
#define MYNT_CORE_JSON_H

#include <stddef.h>

#include <jansson.h>

/* Returns the text of obj[name] when it is a JSON string, else NULL (also when obj is not an
 * object or is NULL). Borrowed from obj. */
const char *json_member_string(const json_t *obj, const char *name);

/* Returns json_member_string(obj, name), or when that is NULL json_member_string(obj, other). */
const char *json_member_string_or(const json_t *obj, const char *name, const char *other);

/* Returns a new reference: a copy of obj[name] when it is a JSON string, else JSON null.
 * NULL only when allocation fails. */
json_t *json_member_string_or_null(const json_t *obj, const char *name);

/* Returns a new reference: a JSON string of text, or JSON null for NULL. NULL only when
 * allocation fails. */
json_t *json_string_or_null(const char *text);

/* Copies the text of obj[name] into dst (cap bytes, truncated, NUL-terminated); "" when it is
 * missing or not a string. */
void json_member_copy(const json_t *obj, const char *name, char *dst, size_t cap);

#endif
