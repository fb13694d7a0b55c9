/* strv.h - counted lists of malloc'd strings (audiences, environment entries): copy and free. */
#ifndef MYNT_LOCAL_STRV_H
#define MYNT_LOCAL_STRV_H

#include <stddef.h>

#include "core/status.h"

/* Copies the n strings of src into a new list (room for at least one entry, all NULL past n).
 * Returns MYNT_OK and *out (free it with strv_free(*out, n)), or MYNT_NOMEM with *out NULL. */
mynt_status strv_dup(char *const *src, size_t n, char ***out);

/* Frees the first n strings of v, then v itself. Accepts NULL. */
void strv_free(char **v, size_t n);

#endif
