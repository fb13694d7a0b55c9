/* detail.h - the one channel for the human-readable "why" that goes with a failing status. */
#ifndef MYNT_CORE_DETAIL_H
#define MYNT_CORE_DETAIL_H

#include <stdarg.h>

#include "core/status.h"

#define MYNT_DETAIL_MAX 256

/* A caller-owned message slot. Functions that can explain a failure take a `mynt_detail *`
 * (NULL when the caller does not want the text) and fill it only when they fail. */
typedef struct {
  char text[MYNT_DETAIL_MAX]; /* "" until a failure writes it; always NUL-terminated */
} mynt_detail;

/* Empties d (accepts NULL). */
void mynt_detail_clear(mynt_detail *d);

/* Formats the message into d (accepts NULL d; cut to MYNT_DETAIL_MAX - 1 bytes) and returns
 * st, so a failing path reads `return mynt_fail(d, MYNT_BAD_REQUEST, "bad %s", name);`. */
mynt_status mynt_fail(mynt_detail *d, mynt_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* As mynt_fail, with a va_list. */
mynt_status mynt_vfail(mynt_detail *d, mynt_status st, const char *fmt, va_list ap)
  __attribute__((format(printf, 3, 0)));

/* Returns d's text, or "" for NULL or an empty detail. Borrowed from d. */
const char *mynt_detail_text(const mynt_detail *d);

#endif
