/* hex.h - hexadecimal text of bytes, and the value of one hex digit. */
#ifndef MYNT_CORE_HEX_H
#define MYNT_CORE_HEX_H

#include <stddef.h>

/* Writes the lowercase hex text of bytes[0..n) and a NUL into out (2 * n + 1 bytes). */
void hex_encode(const void *bytes, size_t n, char *out);

/* As hex_encode, with uppercase digits (A-F). */
void hex_encode_upper(const void *bytes, size_t n, char *out);

/* Returns the value (0..15) of the hex digit c, either case, or -1 when c is not one. */
int hex_value(char c);

#endif
