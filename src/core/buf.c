/* buf.c - owned, capped, growable byte buffers. */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(mynt_buf *b, size_t max)
{
  b->ptr = NULL;
  b->len = 0;
  b->alloc = 0;
  b->max = max;
}

void buf_free(mynt_buf *b)
{
  free(b->ptr);
  b->ptr = NULL;
  b->len = 0;
  b->alloc = 0;
}

void buf_reset(mynt_buf *b)
{
  b->len = 0;
  if(b->ptr)
    b->ptr[0] = '\0';
}

mynt_status buf_append(mynt_buf *b, const void *mem, size_t len)
{
  if(len > b->max || b->len > b->max - len) {
    buf_free(b);
    return MYNT_TOO_LARGE;
  }
  size_t need = b->len + len + 1;
  if(need > b->alloc) {
    size_t next = b->alloc ? b->alloc : 64;
    while(next < need)
      next *= 2;
    if(next > b->max + 1)
      next = b->max + 1;
    char *p = realloc(b->ptr, next);
    if(!p) {
      buf_free(b);
      return MYNT_NOMEM;
    }
    b->ptr = p;
    b->alloc = next;
  }
  if(len)
    memcpy(b->ptr + b->len, mem, len);
  b->len += len;
  b->ptr[b->len] = '\0';
  return MYNT_OK;
}

mynt_status buf_appends(mynt_buf *b, const char *s)
{
  return buf_append(b, s, strlen(s));
}

mynt_status buf_vappendf(mynt_buf *b, const char *fmt, va_list ap)
{
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, again);
  va_end(again);
  if(n < 0 || (size_t)n > b->max) {
    buf_free(b);
    return n < 0 ? MYNT_INTERNAL : MYNT_TOO_LARGE;
  }
  char *tmp = malloc((size_t)n + 1);
  if(!tmp) {
    buf_free(b);
    return MYNT_NOMEM;
  }
  vsnprintf(tmp, (size_t)n + 1, fmt, ap);
  mynt_status st = buf_append(b, tmp, (size_t)n);
  free(tmp);
  return st;
}

mynt_status buf_appendf(mynt_buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  mynt_status st = buf_vappendf(b, fmt, ap);
  va_end(ap);
  return st;
}

const char *buf_cstr(const mynt_buf *b)
{
  return b->ptr ? b->ptr : "";
}

char *buf_detach(mynt_buf *b)
{
  char *p = b->ptr;
  if(!p)
    p = calloc(1, 1);
  b->ptr = NULL;
  b->len = 0;
  b->alloc = 0;
  return p;
}

mynt_str str_of(const char *s)
{
  mynt_str r = {s, s ? strlen(s) : 0};
  return r;
}

bool str_parse_digits(mynt_str s, long long *out)
{
  if(s.len == 0 || s.len > 18)
    return false;
  long long v = 0;
  for(size_t i = 0; i < s.len; i++) {
    if(s.ptr[i] < '0' || s.ptr[i] > '9')
      return false;
    v = v * 10 + (s.ptr[i] - '0');
  }
  *out = v;
  return true;
}

bool str_eq(mynt_str a, const char *s)
{
  size_t n = strlen(s);
  return a.len == n && (n == 0 || memcmp(a.ptr, s, n) == 0);
}

bool str_is_token(const char *s, size_t max)
{
  if(!s)
    return false;
  size_t n = strnlen(s, max + 1);
  if(n == 0 || n > max)
    return false;
  for(size_t i = 0; i < n; i++) {
    if(s[i] <= ' ' || s[i] > '~')
      return false;
  }
  return true;
}
