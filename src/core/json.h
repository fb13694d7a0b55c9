/* json.h - small jansson helpers for reading members of JSON objects and decoding JWT parts. */
#ifndef MYNT_CORE_JSON_H
#define MYNT_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/status.h"

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

/* Returns a new JSON array of element(items + i * size) for each i in [0, n), in that order (a new reference, caller
 * json_decref). NULL on allocation failure or when element returns NULL for any item (nothing is then left behind). */
json_t *json_array_map(const void *items, size_t n, size_t size, json_t *(*element)(const void *item));

/* Decodes text[0..len) as base64url (a compact JWS part) into at most max bytes and parses them
 * as one JSON object, refusing duplicate member names. Returns MYNT_OK and *out (caller
 * json_decref); MYNT_BAD_REQUEST when the text is not base64url or its bytes are empty, not JSON
 * or not an object, MYNT_TOO_LARGE past max, MYNT_NOMEM; *out is then NULL. */
mynt_status json_from_b64url(const char *text, size_t len, size_t max, json_t **out);

/* Returns true when the arrays and objects in the JSON text[0..len) nest at most max_depth deep
 * ("[]" and "{}" are 1, "[[1]]" is 2; brackets inside strings do not count). It reads bytes only
 * and does not check the text is JSON: call it before json_loadb, whose own limit
 * (JSON_PARSER_MAX_DEPTH, 2048 in jansson 2.14) is a build setting no decode flag lowers. */
bool json_text_depth_within(const char *text, size_t len, size_t max_depth);

#endif
