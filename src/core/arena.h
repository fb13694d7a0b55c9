/* arena.h - a per-invocation bump allocator, reset after each response is posted. */
#ifndef MYNT_CORE_ARENA_H
#define MYNT_CORE_ARENA_H

#include <stddef.h>

#include "core/buf.h"

typedef struct mynt_arena mynt_arena;

/* Makes an arena that never holds more than max bytes in total into *out. Returns MYNT_OK, or
 * MYNT_NOMEM with *out NULL. The caller owns the arena and frees it with arena_free. */
mynt_status arena_new(size_t max, mynt_arena **out);

/* Frees the arena and everything allocated from it. Accepts NULL. */
void arena_free(mynt_arena *a);

/* Releases every allocation at once; keeps the first block for reuse. */
void arena_reset(mynt_arena *a);

/* Returns n zeroed bytes aligned for any type, owned by the arena, or NULL when the
 * allocation fails or the arena's cap would be exceeded. */
void *arena_alloc(mynt_arena *a, size_t n);

/* Returns an arena-owned NUL-terminated copy of s (NULL in, NULL out; NULL on failure). */
char *arena_strdup(mynt_arena *a, const char *s);

/* Returns an arena-owned NUL-terminated copy of the slice, or NULL on failure. */
char *arena_strndup(mynt_arena *a, const char *s, size_t n);

/* Returns an arena-owned printf-formatted string, or NULL on failure. */
char *arena_printf(mynt_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns the number of bytes currently allocated from the arena (for tests and caps). */
size_t arena_used(const mynt_arena *a);

#endif
