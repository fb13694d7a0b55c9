/* test_arena.c - unit tests for the per-invocation arena. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "support/unit_main.h"

static void test_arena_allocates_aligned_zeroed_memory_and_resets(void **state)
{
  (void)state;
  mynt_arena *a = NULL;
  assert_int_equal(arena_new(1 << 20, &a), MYNT_OK);
  for(int i = 0; i < 100; i++) {
    char *p = arena_alloc(a, 1000);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
    for(int j = 0; j < 1000; j++)
      assert_int_equal(p[j], 0);
    memset(p, 0xAB, 1000);
  }
  assert_int_equal(arena_used(a), 100000);
  arena_reset(a);
  assert_int_equal(arena_used(a), 0);
  char *s = arena_printf(a, "%s-%d", "sk", 7);
  assert_string_equal(s, "sk-7");
  assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
  assert_null(arena_strdup(a, NULL));
  arena_free(a);
}

static void test_arena_enforces_its_cap(void **state)
{
  (void)state;
  mynt_arena *a = NULL;
  assert_int_equal(arena_new(100, &a), MYNT_OK);
  assert_non_null(arena_alloc(a, 60));
  assert_null(arena_alloc(a, 41));
  assert_non_null(arena_alloc(a, 40));
  arena_free(a);
}

UNIT_MAIN("arena", NULL, NULL,
          {
            cmocka_unit_test(test_arena_allocates_aligned_zeroed_memory_and_resets),
            cmocka_unit_test(test_arena_enforces_its_cap),
          })
