/* wipe.h - wiping secrets from memory before it is freed or reused. */
#ifndef MYNT_CORE_WIPE_H
#define MYNT_CORE_WIPE_H

#include <stddef.h>

#include <jansson.h>

/* Overwrites p[0..n) with zeros in a way the compiler may not optimise away. p may be NULL
 * when n is 0. */
void mynt_wipe(void *p, size_t n);

/* Wipes the NUL-terminated malloc'd secret s (its strlen bytes) and frees it. NULL is a no-op. */
void mynt_wipe_free(char *s);

/* Wipes the text of the JSON string s in place (json_string_length bytes); anything else,
 * NULL included, is left alone. The caller still owns (and later releases) s. */
void mynt_wipe_json_string(json_t *s);

#endif
