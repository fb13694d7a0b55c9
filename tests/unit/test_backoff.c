/* test_backoff.c - unit tests for capped full-jitter exponential backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/backoff.h"
#include "support/unit_main.h"

static void test_backoff_stays_within_the_capped_exponential_ceiling(void **state)
{
  (void)state;
  mynt_backoff b;
  assert_int_equal(backoff_init(&b, 25, 1000), MYNT_OK);
  const int64_t ceilings[] = {25, 50, 100, 200, 400, 800, 1000, 1000, 1000};
  for(int attempt = 1; attempt <= 9; attempt++) {
    int64_t seen_min = INT64_MAX;
    int64_t seen_max = -1;
    for(int i = 0; i < 500; i++) {
      int64_t d = backoff_ms(&b, attempt);
      assert_true(d >= 0 && d <= ceilings[attempt - 1]);
      seen_min = d < seen_min ? d : seen_min;
      seen_max = d > seen_max ? d : seen_max;
    }
    assert_true(seen_max > seen_min);
  }
}

static void test_backoff_raises_a_cap_below_its_base(void **state)
{
  (void)state;
  mynt_backoff b;
  assert_int_equal(backoff_init(&b, 200, 50), MYNT_OK);
  assert_int_equal(b.cap_ms, 200);
  for(int i = 0; i < 100; i++)
    assert_true(backoff_ms(&b, 5) <= 200);
}

static void test_backoff_without_a_positive_ceiling_waits_nothing(void **state)
{
  (void)state;
  mynt_backoff b;
  assert_int_equal(backoff_init(&b, 0, 0), MYNT_OK);
  assert_int_equal(backoff_ms(&b, 1), 0);
  assert_int_equal(backoff_ms(&b, 7), 0);
}

static void test_backoff_seed_repeats_the_sequence(void **state)
{
  (void)state;
  mynt_backoff a;
  mynt_backoff b;
  assert_int_equal(backoff_init(&a, 10, 10000), MYNT_OK);
  assert_int_equal(backoff_init(&b, 10, 10000), MYNT_OK);
  backoff_seed(&a, 42);
  backoff_seed(&b, 42);
  for(int attempt = 1; attempt <= 12; attempt++)
    assert_int_equal(backoff_ms(&a, attempt), backoff_ms(&b, attempt));
}

UNIT_MAIN("backoff", NULL, NULL,
          {
            cmocka_unit_test(test_backoff_stays_within_the_capped_exponential_ceiling),
            cmocka_unit_test(test_backoff_raises_a_cap_below_its_base),
            cmocka_unit_test(test_backoff_without_a_positive_ceiling_waits_nothing),
            cmocka_unit_test(test_backoff_seed_repeats_the_sequence),
          })
