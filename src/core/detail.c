/* detail.c - writing and reading the "why" that goes with a failing status. */
#include "core/detail.h"

#include <stdio.h>

void mynt_detail_clear(mynt_detail *d)
{
  if(d)
    d->text[0] = '\0';
}

mynt_status mynt_vfail(mynt_detail *d, mynt_status st, const char *fmt, va_list ap)
{
  if(d && fmt)
    vsnprintf(d->text, sizeof d->text, fmt, ap);
  return st;
}

mynt_status mynt_fail(mynt_detail *d, mynt_status st, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  mynt_vfail(d, st, fmt, ap);
  va_end(ap);
  return st;
}

const char *mynt_detail_text(const mynt_detail *d)
{
  return d ? d->text : "";
}
