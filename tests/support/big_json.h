/* big_json.h - JSON texts of an exact size, for tests of size limits. */
#ifndef MYNT_TESTS_BIG_JSON_H
#define MYNT_TESTS_BIG_JSON_H

#include <stddef.h>

/* A JSON string of exactly len bytes (len >= 2): a quote, len - 2 spaces and a quote, NUL-terminated.
 * malloc'd; NULL when out of memory. */
char *big_json_string(size_t len);

#endif
