/* test_clock.c - unit tests for the wall and monotonic clocks and ISO 8601 formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "support/unit_main.h"

static void test_clock_formats_utc(void **state)
{
  (void)state;
  char out[21];
  assert_string_equal(clock_iso8601(1440938160, out), "2015-08-30T12:36:00Z");
  assert_true(clock_epoch_ms() > 1700000000000LL);
}

UNIT_MAIN("clock", NULL, NULL,
          {
            cmocka_unit_test(test_clock_formats_utc),
          })
