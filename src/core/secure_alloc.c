/* secure_alloc.c - allocators for jansson, libcurl and OpenSSL that wipe every block they release, so no token
 * lingers in freed memory. */
#include "core/secure_alloc.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "core/wipe.h"

/* The size of a block comes from the C library (malloc_usable_size) rather than a header of our own: the
 * blocks stay plain malloc blocks, so callers that free() what json_dumps or curl hand out stay correct,
 * and under ASan the size is exactly the requested one (ASan still sees every leak and overflow). */

static void s_release_free(void *p, size_t n)
{
  (void)n;
  free(p);
}

static secure_alloc_release_fn s_release = s_release_free;

void secure_alloc_set_release(secure_alloc_release_fn release)
{
  s_release = release ? release : s_release_free;
}

void secure_alloc_free(void *p)
{
  if(!p)
    return;
  size_t n = malloc_usable_size(p);
  mynt_wipe(p, n);
  s_release(p, n);
}

void *secure_alloc_realloc(void *p, size_t size)
{
  if(!p)
    return malloc(size ? size : 1);
  /* Never realloc in place or let the C library move the block: the old copy would be released unwiped. */
  void *moved = malloc(size ? size : 1);
  if(!moved)
    return NULL;
  size_t old = malloc_usable_size(p);
  memcpy(moved, p, old < size ? old : size);
  secure_alloc_free(p);
  return moved;
}

mynt_status secure_alloc_install(long curl_flags)
{
  json_set_alloc_funcs(malloc, secure_alloc_free);
  if(curl_global_init_mem(curl_flags, malloc, secure_alloc_free, secure_alloc_realloc, strdup, calloc) != CURLE_OK)
    return MYNT_INTERNAL;
  return MYNT_OK;
}

/* OpenSSL's shapes (CRYPTO_malloc_fn and friends) with its own rules: a zero-byte request is NULL, and a
 * realloc to zero bytes releases the block. */
static void *s_ossl_malloc(size_t n, const char *file, int line)
{
  (void)file;
  (void)line;
  return n ? malloc(n) : NULL;
}

static void *s_ossl_realloc(void *p, size_t n, const char *file, int line)
{
  (void)file;
  (void)line;
  if(!n) {
    secure_alloc_free(p);
    return NULL;
  }
  return secure_alloc_realloc(p, n);
}

static void s_ossl_free(void *p, const char *file, int line)
{
  (void)file;
  (void)line;
  secure_alloc_free(p);
}

mynt_status secure_alloc_install_openssl(void)
{
  return CRYPTO_set_mem_functions(s_ossl_malloc, s_ossl_realloc, s_ossl_free) ? MYNT_OK : MYNT_INTERNAL;
}
