/* code.h - upper-case codes: Plaid's error and webhook codes, Mynt's budget category names. */
#ifndef MYNT_CORE_CODE_H
#define MYNT_CORE_CODE_H

#include <stdbool.h>
#include <stddef.h>

/* Returns true when s is 1 to cap - 1 characters of 'A'-'Z', '0'-'9' and '_'; false for NULL, "" or longer. */
bool code_valid(const char *s, size_t cap);

#endif
