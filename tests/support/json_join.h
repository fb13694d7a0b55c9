/* json_join.h - a JSON array's string members joined into one line, for tests that compare a list at a glance. */
#ifndef MYNT_TESTS_JSON_JOIN_H
#define MYNT_TESTS_JSON_JOIN_H

#include <stddef.h>

#include <jansson.h>

/* Writes the string member key of each object of array into out (cap bytes, cap > 0), in order,
 * joined by single spaces; an object without that string adds an empty word. Cuts the text at
 * cap - 1 bytes; out is "" for an empty array or one that is not an array. */
void json_join_member(const json_t *array, const char *key, char *out, size_t cap);

#endif
