/* test_core.c - unit tests for buffers, the arena, the status table, the clock and calendar dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/status.h"

static void test_buf_appends_and_formats(void **state)
{
  (void)state;
  mynt_buf b;
  buf_init(&b, 1024);
  assert_string_equal(buf_cstr(&b), "");
  assert_int_equal(buf_appends(&b, "user "), MYNT_OK);
  assert_int_equal(buf_appendf(&b, "%d of %s", 42, "many"), MYNT_OK);
  assert_string_equal(buf_cstr(&b), "user 42 of many");
  assert_int_equal(b.len, strlen("user 42 of many"));
  buf_free(&b);
}

static void test_buf_refuses_past_its_cap_and_frees(void **state)
{
  (void)state;
  mynt_buf b;
  buf_init(&b, 8);
  assert_int_equal(buf_appends(&b, "12345678"), MYNT_OK);
  assert_int_equal(buf_appends(&b, "9"), MYNT_NOMEM);
  assert_null(b.ptr);
  assert_int_equal(b.len, 0);
  assert_int_equal(buf_appendf(&b, "%s", "123456789"), MYNT_NOMEM);
  buf_free(&b);
}

static void test_buf_detach_hands_over_memory(void **state)
{
  (void)state;
  mynt_buf b;
  buf_init(&b, 64);
  char *empty = buf_detach(&b);
  assert_string_equal(empty, "");
  free(empty);
  assert_int_equal(buf_appends(&b, "mine"), MYNT_OK);
  char *s = buf_detach(&b);
  assert_string_equal(s, "mine");
  assert_null(b.ptr);
  free(s);
}

static void test_arena_allocates_aligned_zeroed_memory_and_resets(void **state)
{
  (void)state;
  mynt_arena *a = arena_create(1 << 20);
  assert_non_null(a);
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
  arena_destroy(a);
}

static void test_arena_enforces_its_cap(void **state)
{
  (void)state;
  mynt_arena *a = arena_create(100);
  assert_non_null(arena_alloc(a, 60));
  assert_null(arena_alloc(a, 41));
  assert_non_null(arena_alloc(a, 40));
  arena_destroy(a);
}

static void test_status_maps_to_http_and_codes(void **state)
{
  (void)state;
  assert_int_equal(mynt_status_http(MYNT_NOT_FOUND), 404);
  assert_string_equal(mynt_status_code(MYNT_NOT_FOUND), "not_found");
  assert_int_equal(mynt_status_http(MYNT_METHOD_NOT_ALLOWED), 405);
  assert_int_equal(mynt_status_http(MYNT_TOO_LARGE), 413);
  assert_int_equal(mynt_status_http(MYNT_RATE_LIMITED), 429);
  assert_int_equal(mynt_status_http(MYNT_UPSTREAM), 502);
  assert_int_equal(mynt_status_http(MYNT_UNAVAILABLE), 503);
  assert_int_equal(mynt_status_http(MYNT_CONDITION_FAILED), 409);
  assert_int_equal(mynt_status_http(MYNT_NOMEM), 500);
  assert_int_equal(mynt_status_http((mynt_status)999), 500);
  for(int st = 0; st < MYNT_STATUS_COUNT; st++) {
    assert_non_null(mynt_strerror((mynt_status)st));
    assert_non_null(mynt_status_code((mynt_status)st));
  }
}

static void test_clock_formats_utc(void **state)
{
  (void)state;
  char out[21];
  assert_string_equal(clock_iso8601(1440938160, out), "2015-08-30T12:36:00Z");
  assert_true(clock_epoch_ms() > 1700000000000LL);
}

static void test_date_days_in_month_follows_the_leap_year_rules(void **state)
{
  (void)state;
  assert_int_equal(date_days_in_month(2023, 1), 31);
  assert_int_equal(date_days_in_month(2023, 4), 30);
  assert_int_equal(date_days_in_month(2023, 2), 28);
  assert_int_equal(date_days_in_month(2024, 2), 29);
  assert_int_equal(date_days_in_month(1900, 2), 28);
  assert_int_equal(date_days_in_month(2000, 2), 29);
  assert_int_equal(date_days_in_month(2024, 12), 31);
}

static void test_date_parse_accepts_only_real_days_written_strictly(void **state)
{
  (void)state;
  int y = 0, m = 0, d = 0;
  assert_int_equal(date_parse("2024-02-29", &y, &m, &d), 1);
  assert_int_equal(y, 2024);
  assert_int_equal(m, 2);
  assert_int_equal(d, 29);
  assert_int_equal(date_parse("0001-01-01", &y, &m, &d), 1);
  assert_int_equal(y, 1);
  static const char *const bad[] = {"2023-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00",
                                    "2024-1-01",  "2024-01-1",  "2024/01/01", "2024-01-01 ", "2024-01-0a",
                                    "+024-01-01", "",           "2024-01"};
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    y = m = d = -1;
    if(date_parse(bad[i], &y, &m, &d))
      fail_msg("\"%s\" was accepted", bad[i]);
    assert_int_equal(y, -1);
  }
  assert_int_equal(date_parse(NULL, &y, &m, &d), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_buf_appends_and_formats),
    cmocka_unit_test(test_buf_refuses_past_its_cap_and_frees),
    cmocka_unit_test(test_buf_detach_hands_over_memory),
    cmocka_unit_test(test_arena_allocates_aligned_zeroed_memory_and_resets),
    cmocka_unit_test(test_arena_enforces_its_cap),
    cmocka_unit_test(test_status_maps_to_http_and_codes),
    cmocka_unit_test(test_clock_formats_utc),
    cmocka_unit_test(test_date_days_in_month_follows_the_leap_year_rules),
    cmocka_unit_test(test_date_parse_accepts_only_real_days_written_strictly),
  };
  return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
