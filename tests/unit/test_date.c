/* test_date.c - unit tests for calendar dates: parsing, day numbers against libc, month arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/date.h"
#include "support/unit_main.h"

/* The day number of a date the test writes as text (it must parse). */
static int32_t s_day(const char *text)
{
  int y = 0, m = 0, d = 0;
  assert_int_equal(date_parse(text, &y, &m, &d), MYNT_OK);
  return date_days_from_civil(y, m, d);
}

static void test_date_days_in_month_follows_the_leap_year_rules(void **state)
{
  (void)state;
  static const struct {
    int year, month, days;
  } cases[] = {{2023, 1, 31}, {2023, 4, 30}, {2023, 2, 28}, {2024, 2, 29},
               {1900, 2, 28}, {2000, 2, 29}, {2024, 12, 31}};
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    if(date_days_in_month(cases[i].year, cases[i].month) != cases[i].days)
      fail_msg("%d-%02d has %d days, not %d", cases[i].year, cases[i].month,
               date_days_in_month(cases[i].year, cases[i].month), cases[i].days);
}

static void test_date_parse_accepts_only_real_days_written_strictly(void **state)
{
  (void)state;
  int y = 0, m = 0, d = 0;
  assert_int_equal(date_parse("2024-02-29", &y, &m, &d), MYNT_OK);
  assert_int_equal(y, 2024);
  assert_int_equal(m, 2);
  assert_int_equal(d, 29);
  assert_int_equal(date_parse("0001-01-01", &y, &m, &d), MYNT_OK);
  assert_int_equal(y, 1);
  static const char *const bad[] = {"2023-02-29", "2024-04-31", "2024-13-01", "2024-00-10",  "2024-01-00",
                                    "2024-1-01",  "2024-01-1",  "2024/01/01", "2024-01-01 ", "2024-01-0a",
                                    "+024-01-01", "",           "2024-01"};
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    y = m = d = -1;
    if(date_parse(bad[i], &y, &m, &d) != MYNT_BAD_REQUEST)
      fail_msg("\"%s\" was accepted", bad[i]);
    assert_int_equal(y, -1);
  }
  assert_int_equal(date_parse(NULL, &y, &m, &d), MYNT_BAD_REQUEST);
}

static void test_date_days_match_libc_timegm_and_gmtime_r(void **state)
{
  (void)state;
  /* Every 7th day from 1600-01-01 to 2400-12-31, and every day around the epoch. */
  for(int32_t day = -135140; day <= 157187; day += (day > -800 && day < 800) ? 1 : 7) {
    time_t t = (time_t)day * 86400;
    struct tm tm;
    assert_non_null(gmtime_r(&t, &tm));
    int y = 0, m = 0, d = 0;
    date_civil_from_days(day, &y, &m, &d);
    assert_int_equal(y, tm.tm_year + 1900);
    assert_int_equal(m, tm.tm_mon + 1);
    assert_int_equal(d, tm.tm_mday);
    struct tm back = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    assert_int_equal((int64_t)timegm(&back), (int64_t)day * 86400);
    assert_int_equal(date_days_from_civil(y, m, d), day);
    char text[11];
    char want[40];
    snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
    assert_string_equal(date_format(day, text), want);
    assert_int_equal(date_days_from_epoch_ms((int64_t)day * 86400000 + 86399999), day);
  }
}

static void test_date_format_round_trips_through_parse(void **state)
{
  (void)state;
  char out[11];
  for(int32_t day = s_day("1999-12-25"); day < s_day("2030-03-05"); day += 13) {
    int y = 0, m = 0, d = 0;
    date_format(day, out);
    assert_int_equal(date_parse(out, &y, &m, &d), MYNT_OK);
    assert_int_equal(date_days_from_civil(y, m, d), day);
  }
  assert_int_equal(s_day("1970-01-01"), 0);
  assert_int_equal(s_day("2024-02-29") + 1, s_day("2024-03-01"));
  assert_string_equal(date_format(s_day("2025-06-15"), out), "2025-06-15");
  assert_int_equal(date_days_from_epoch_ms(86400000LL * 3 + 5), 3);
  assert_int_equal(date_days_from_epoch_ms(-1), -1);
}

static void test_date_of_epoch_ms_is_the_utc_day(void **state)
{
  (void)state;
  char out[11];
  date_of_epoch_ms(0, out);
  assert_string_equal(out, "1970-01-01");
  date_of_epoch_ms((int64_t)1709164800 * 1000 + 86399999, out);
  assert_string_equal(out, "2024-02-29");
}

static void test_date_months_before_clamps_to_the_end_of_a_shorter_month(void **state)
{
  (void)state;
  static const struct {
    const char *day;
    int months;
    const char *want;
  } cases[] = {
    {"2024-02-29", 24, "2022-02-28"}, {"2025-03-31", 1, "2025-02-28"}, {"2025-01-10", 24, "2023-01-10"},
    {"2024-02-29", 12, "2023-02-28"}, {"2024-03-31", 0, "2024-03-31"}, {"not a date", 1, ""},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char out[11];
    date_months_before(cases[i].day, cases[i].months, out);
    assert_string_equal(out, cases[i].want);
  }
}

static void test_date_months_before_agrees_with_timegm_normalisation(void **state)
{
  (void)state;
  /* timegm normalises tm_mon; the target month's first day must agree for every offset. */
  for(int months = 0; months <= 480; months += 7) {
    char out[11];
    date_months_before("2031-07-01", months, out);
    struct tm tm = {.tm_year = 2031 - 1900, .tm_mon = 6 - months, .tm_mday = 1};
    time_t t = timegm(&tm);
    struct tm norm;
    gmtime_r(&t, &norm);
    char want[40];
    snprintf(want, sizeof want, "%04d-%02d-01", norm.tm_year + 1900, norm.tm_mon + 1);
    assert_string_equal(out, want);
  }
}

static void test_date_iso8601_reads_only_utc_seconds_times(void **state)
{
  (void)state;
  int64_t ms = -1;
  assert_int_equal(date_iso8601_epoch_ms("1970-01-01T00:00:00Z", &ms), MYNT_OK);
  assert_int_equal(ms, 0);
  assert_int_equal(date_iso8601_epoch_ms("2024-02-29T23:59:59Z", &ms), MYNT_OK);
  assert_int_equal(ms, 1709251199000LL);
  const char *bad[] = {NULL, "", "2024-02-30T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00",
                       "2024-01-01T00:00:00.000Z", "2024-01-01T00:00:00+00:00", "2024-01-01 00:00:00Z",
                       /* sscanf's %2d took these (found by tests/fuzz/fuzz_date.c) */
                       "2024-01-01T 1:00:00Z", "2024-01-01T+1:00:00Z", "2024-01-01T00:-0:00Z", "2024-01-01T00:00: 9Z"};
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ms = 7;
    assert_int_equal(date_iso8601_epoch_ms(bad[i], &ms), MYNT_BAD_REQUEST);
    assert_int_equal(ms, 7);
  }
}

UNIT_MAIN("date", NULL, NULL,
          {
            cmocka_unit_test(test_date_iso8601_reads_only_utc_seconds_times),
            cmocka_unit_test(test_date_days_in_month_follows_the_leap_year_rules),
            cmocka_unit_test(test_date_parse_accepts_only_real_days_written_strictly),
            cmocka_unit_test(test_date_days_match_libc_timegm_and_gmtime_r),
            cmocka_unit_test(test_date_format_round_trips_through_parse),
            cmocka_unit_test(test_date_of_epoch_ms_is_the_utc_day),
            cmocka_unit_test(test_date_months_before_clamps_to_the_end_of_a_shorter_month),
            cmocka_unit_test(test_date_months_before_agrees_with_timegm_normalisation),
          })
