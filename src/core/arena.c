/* arena.c - a per-invocation bump allocator built from a chain of blocks. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 16384

typedef struct s_block {
  struct s_block *next;
  size_t size;
  size_t used;
  alignas(max_align_t) unsigned char data[];
} s_block;

struct mynt_arena {
  s_block *head;
  size_t max;
  size_t total;
};

mynt_status arena_new(size_t max, mynt_arena **out)
{
  *out = calloc(1, sizeof(**out));
  if(!*out)
    return MYNT_NOMEM;
  (*out)->max = max;
  return MYNT_OK;
}

static void s_free_chain(s_block *b)
{
  while(b) {
    s_block *next = b->next;
    free(b);
    b = next;
  }
}

void arena_free(mynt_arena *a)
{
  if(!a)
    return;
  s_free_chain(a->head);
  free(a);
}

void arena_reset(mynt_arena *a)
{
  if(!a->head)
    return;
  /* Keep the last block in the chain (the first one made, usually the default size). */
  s_block *keep = a->head;
  while(keep->next)
    keep = keep->next;
  s_block *b = a->head;
  while(b != keep) {
    s_block *next = b->next;
    free(b);
    b = next;
  }
  keep->used = 0;
  a->head = keep;
  a->total = 0;
}

void *arena_alloc(mynt_arena *a, size_t n)
{
  const size_t align = alignof(max_align_t);
  if(n == 0)
    n = 1;
  if(n > a->max || a->total > a->max - n)
    return NULL;
  size_t rounded = (n + align - 1) & ~(align - 1);
  s_block *b = a->head;
  if(!b || b->size - b->used < rounded) {
    size_t size = rounded > ARENA_BLOCK ? rounded : ARENA_BLOCK;
    b = malloc(sizeof(*b) + size);
    if(!b)
      return NULL;
    b->size = size;
    b->used = 0;
    b->next = a->head;
    a->head = b;
  }
  void *p = b->data + b->used;
  b->used += rounded;
  a->total += n;
  memset(p, 0, n);
  return p;
}

char *arena_strndup(mynt_arena *a, const char *s, size_t n)
{
  char *p = arena_alloc(a, n + 1);
  if(!p)
    return NULL;
  if(n)
    memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *arena_strdup(mynt_arena *a, const char *s)
{
  return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(mynt_arena *a, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if(n < 0)
    return NULL;
  char *p = arena_alloc(a, (size_t)n + 1);
  if(!p)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

size_t arena_used(const mynt_arena *a)
{
  return a->total;
}
