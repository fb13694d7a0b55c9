/* buf.h - owned, capped, growable byte buffers (mynt_buf) and borrowed slices (mynt_str). */
#ifndef MYNT_CORE_BUF_H
#define MYNT_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

/* A borrowed view of bytes owned by someone else; not NUL-terminated in general. */
typedef struct {
  const char *ptr;
  size_t len;
} mynt_str;

/* An owned buffer. Its bytes are always NUL-terminated (ptr may be NULL while empty).
 * It never grows past max bytes of content. */
typedef struct {
  char *ptr;
  size_t len;
  size_t alloc;
  size_t max;
} mynt_buf;

/* Initialises b as empty with a hard cap of max content bytes. Allocates nothing. */
void buf_init(mynt_buf *b, size_t max);

/* Frees b's memory and leaves it empty (still usable, same cap). */
void buf_free(mynt_buf *b);

/* Empties b, keeping its memory for reuse. */
void buf_reset(mynt_buf *b);

/* Appends len bytes. Returns MYNT_TOO_LARGE when the cap would be exceeded and MYNT_NOMEM
 * when allocation fails; either way b is then freed (as curl's dynbuf does), so a failure
 * never leaves half-written content behind. */
mynt_status buf_append(mynt_buf *b, const void *mem, size_t len);

/* Appends a NUL-terminated string; as buf_append. */
mynt_status buf_appends(mynt_buf *b, const char *s);

/* Appends printf-formatted text; as buf_append. */
mynt_status buf_appendf(mynt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
mynt_status buf_vappendf(mynt_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Returns b's content as a NUL-terminated string ("" when empty). Borrowed from b. */
const char *buf_cstr(const mynt_buf *b);

/* Takes ownership of b's memory: returns a malloc'd NUL-terminated string (never NULL
 * unless allocation fails) that the caller frees, and leaves b empty. */
char *buf_detach(mynt_buf *b);

/* Returns a slice of a NUL-terminated string (len 0 for NULL). */
mynt_str str_of(const char *s);

/* Reads the slice as a whole number written in ASCII digits only (1 to 18 of them). Returns
 * true and sets *out; false (out unchanged) for an empty slice, any other character, or more
 * digits. */
bool str_parse_digits(mynt_str s, long long *out);

/* Returns true when the slice equals the NUL-terminated string s. */
bool str_eq(mynt_str a, const char *s);

/* Returns true when s is 1 to max bytes of printable ASCII without spaces ('!' to '~'): a
 * token, id or header value safe to put in a URL, a header or a log line. false for NULL. */
bool str_is_token(const char *s, size_t max);

#endif
