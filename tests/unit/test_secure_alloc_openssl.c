/* test_secure_alloc_openssl.c - the wiping allocator in OpenSSL: what OpenSSL releases without cleansing it
 * itself holds no byte of a token. A process of its own: OpenSSL takes an allocator only before its first
 * allocation, so nothing here may touch OpenSSL before the test that installs it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <malloc.h>

#include <cmocka.h>
#include <openssl/asn1.h>
#include <openssl/crypto.h>

#include "core/secure_alloc.h"
#include "support/unit_main.h"

#define TOKEN "access-sandbox-5f1c2e7a-90b4-4d1e-8c3a-7b6d0e9f4a21"

/* What the release functions saw (one thread only: nothing here starts one). */
static size_t s_released;
static size_t s_not_zero;
static size_t s_with_token;

static void s_reset(void)
{
  s_released = s_not_zero = s_with_token = 0;
}

static void s_inspect(const void *p, size_t n)
{
  const unsigned char *bytes = p;
  s_released++;
  for(size_t i = 0; i < n; i++) {
    if(bytes[i]) {
      s_not_zero++;
      break;
    }
  }
  if(memmem(p, n, TOKEN, strlen(TOKEN)))
    s_with_token++;
}

/* OpenSSL's own behaviour, for the control: plain malloc, realloc and a free that looks at each block first. */
static void *s_spy_malloc(size_t n, const char *file, int line)
{
  (void)file;
  (void)line;
  return n ? malloc(n) : NULL;
}

static void *s_spy_realloc(void *p, size_t n, const char *file, int line)
{
  (void)file;
  (void)line;
  return realloc(p, n);
}

static void s_spy_free(void *p, const char *file, int line)
{
  (void)file;
  (void)line;
  if(!p)
    return;
  s_inspect(p, malloc_usable_size(p));
  free(p);
}

/* secure_alloc's release hook: each block after its wipe, before free(). */
static void s_check_release(void *p, size_t n)
{
  s_inspect(p, n);
  free(p);
}

/* An ASN.1 string holding the token, released: ASN1_STRING_free hands its data to OPENSSL_free uncleansed.
 * Returns 0, or -1 when the string could not be made to hold the token. No cmocka assertion here: a child runs
 * it too, and a failed assertion there would go on to run the remaining tests in the child. */
static int s_release_an_asn1_token(void)
{
  ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
  if(!s)
    return -1;
  int held = ASN1_OCTET_STRING_set(s, (const unsigned char *)TOKEN, (int)strlen(TOKEN)) == 1 &&
             memcmp(ASN1_STRING_get0_data(s), TOKEN, strlen(TOKEN)) == 0;
  ASN1_OCTET_STRING_free(s);
  return held ? 0 : -1;
}

/* Runs child in a forked process and answers its exit status (-1 when it did not exit): a child's OpenSSL may
 * allocate without this process's OpenSSL having allocated anything. */
static int s_in_child(int (*child)(void))
{
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if(pid == 0)
    _exit(child());
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* 0: OpenSSL released a block that still held the token (what the wiper is for); 1: it did not; 2: no spy;
 * 3: no string holding the token. */
static int s_release_under_a_spy(void)
{
  if(!CRYPTO_set_mem_functions(s_spy_malloc, s_spy_realloc, s_spy_free))
    return 2;
  s_reset();
  if(s_release_an_asn1_token())
    return 3;
  return s_with_token > 0 ? 0 : 1;
}

static void test_openssl_alone_releases_the_token_unwiped(void **state)
{
  (void)state;
  /* In a child, so that this process's OpenSSL has allocated nothing when a later test installs the wiper. */
  assert_int_equal(s_in_child(s_release_under_a_spy), 0);
}

static void test_installed_allocator_wipes_what_openssl_releases(void **state)
{
  (void)state;
  assert_int_equal(secure_alloc_install_openssl(), MYNT_OK);
  secure_alloc_set_release(s_check_release);
  s_reset();
  int made = s_release_an_asn1_token();
  secure_alloc_set_release(NULL);
  assert_int_equal(made, 0);
  /* The string's object and its data, at least, came back through the wiper, every byte zero. */
  assert_true(s_released >= 2);
  assert_int_equal(s_with_token, 0);
  assert_int_equal(s_not_zero, 0);
}

static void test_openssl_realloc_keeps_the_contents_and_wipes_the_old_block(void **state)
{
  (void)state;
  char *p = OPENSSL_malloc(sizeof TOKEN);
  assert_non_null(p);
  memcpy(p, TOKEN, sizeof TOKEN);
  secure_alloc_set_release(s_check_release);
  s_reset();
  p = OPENSSL_realloc(p, 4096);
  assert_non_null(p);
  assert_int_equal(s_released, 1);
  assert_int_equal(s_with_token, 0);
  assert_int_equal(s_not_zero, 0);
  assert_string_equal(p, TOKEN);
  /* A realloc to nothing releases the block, wiped, and answers NULL as OpenSSL's own does. */
  s_reset();
  assert_null(OPENSSL_realloc(p, 0));
  secure_alloc_set_release(NULL);
  assert_int_equal(s_released, 1);
  assert_int_equal(s_with_token, 0);
  assert_null(OPENSSL_malloc(0));
}

/* 0: the install after OpenSSL's own first allocation was refused. */
static int s_install_late(void)
{
  void *p = OPENSSL_malloc(16);
  mynt_status st = secure_alloc_install_openssl();
  OPENSSL_free(p);
  return st == MYNT_INTERNAL ? 0 : 1;
}

static void test_install_after_openssl_has_allocated_says_so(void **state)
{
  (void)state;
  /* In a child, before this process installs the wiper: once OpenSSL's own allocator has handed out a block,
   * OpenSSL keeps it, and the bootstrap must hear that rather than run with releases it believes wiped. */
  assert_int_equal(s_in_child(s_install_late), 0);
}

UNIT_MAIN("secure_alloc_openssl", NULL, NULL,
          {
            cmocka_unit_test(test_openssl_alone_releases_the_token_unwiped),
            cmocka_unit_test(test_install_after_openssl_has_allocated_says_so),
            cmocka_unit_test(test_installed_allocator_wipes_what_openssl_releases),
            cmocka_unit_test(test_openssl_realloc_keeps_the_contents_and_wipes_the_old_block),
          })
