/* test_local_schedule.c - unit tests for mynt-local's schedules: rate expressions and the runner (local/gateway/schedule.c). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "local/gateway/schedule.h"
#include "support/unit_main.h"

static void s_expect_rate(const char *expression, int64_t want_ms)
{
  int64_t ms = -1;
  mynt_detail why;
  assert_int_equal(schedule_parse_rate(expression, &ms, &why), MYNT_OK);
  assert_int_equal(ms, want_ms);
}

static void s_expect_refused(const char *expression, const char *why_part)
{
  int64_t ms = -1;
  mynt_detail why;
  assert_int_equal(schedule_parse_rate(expression, &ms, &why), MYNT_BAD_REQUEST);
  assert_int_equal(ms, 0);
  assert_non_null(strstr(mynt_detail_text(&why), why_part));
}

static void test_schedule_reads_rate_expressions(void **state)
{
  (void)state;
  s_expect_rate("rate(1 day)", 86400000);
  s_expect_rate("rate(2 days)", 2 * 86400000LL);
  s_expect_rate("rate(1 minute)", 60000);
  s_expect_rate("rate(15 minutes)", 15 * 60000);
  s_expect_rate("rate(1 hour)", 3600000);
  s_expect_rate("rate(12 hours)", 12 * 3600000LL);
}

static void test_schedule_refuses_cron_at_and_malformed_rates_with_a_reason(void **state)
{
  (void)state;
  s_expect_refused("cron(0 3 * * ? *)", "cron(...) and at(...) are not supported");
  s_expect_refused("at(2026-12-24T00:00:00)", "not supported");
  s_expect_refused("rate(0 days)", "positive whole number");
  s_expect_refused("rate(-1 days)", "positive whole number");
  s_expect_refused("rate(1.5 hours)", "positive whole number");
  s_expect_refused("rate(1 week)", "minute(s), hour(s) or day(s)");
  s_expect_refused("rate(1day)", "positive whole number");
  s_expect_refused("rate(1 day", "not a rate(N unit) expression");
  s_expect_refused("every day", "not a rate(N unit) expression");
  s_expect_refused("rate(99999999999999 days)", "too long");
  s_expect_refused(NULL, "ScheduleExpression");
}

typedef struct {
  pthread_mutex_t lock;
  int fired[2];
  int64_t first_ms[2];
} s_fires;

static void s_fire(void *ctx, size_t index)
{
  s_fires *f = ctx;
  pthread_mutex_lock(&f->lock);
  if(f->fired[index]++ == 0)
    f->first_ms[index] = clock_mono_ms();
  pthread_mutex_unlock(&f->lock);
}

static void test_schedule_runner_fires_each_schedule_at_its_scaled_rate(void **state)
{
  (void)state;
  s_fires f = {.lock = PTHREAD_MUTEX_INITIALIZER};
  /* rate(1 minute) and rate(1 hour) scaled by 1/600: every 100 ms and every 6 s. */
  const int64_t periods[] = {60000, 3600000};
  schedule_runner *r = NULL;
  int64_t start = clock_mono_ms();
  assert_int_equal(schedule_runner_new(periods, 2, 1.0 / 600, s_fire, &f, &r), MYNT_OK);
  clock_sleep_ms(550);
  schedule_runner_free(r);
  int64_t elapsed = clock_mono_ms() - start;
  pthread_mutex_lock(&f.lock);
  /* about one per 100 ms; never more than the time allows, and a busy machine still sees several */
  assert_true(f.fired[0] >= 3 && f.fired[0] <= elapsed / 100);
  assert_int_equal(f.fired[1], 0);
  assert_true(f.first_ms[0] - start >= 100); /* the first fire is one period after the start */
  pthread_mutex_unlock(&f.lock);
}

static void test_schedule_runner_never_fires_faster_than_its_floor(void **state)
{
  (void)state;
  s_fires f = {.lock = PTHREAD_MUTEX_INITIALIZER};
  const int64_t periods[] = {60000};
  schedule_runner *r = NULL;
  int64_t start = clock_mono_ms();
  assert_int_equal(schedule_runner_new(periods, 1, 1e-9, s_fire, &f, &r), MYNT_OK);
  clock_sleep_ms(300);
  schedule_runner_free(r);
  int64_t elapsed = clock_mono_ms() - start;
  assert_true(f.fired[0] >= 2 && f.fired[0] <= elapsed / SCHEDULE_MIN_PERIOD_MS);
}

static void test_schedule_runner_without_schedules_starts_and_stops(void **state)
{
  (void)state;
  schedule_runner *r = NULL;
  assert_int_equal(schedule_runner_new(NULL, 0, 1, s_fire, NULL, &r), MYNT_OK);
  schedule_runner_free(r);
  schedule_runner_free(NULL);
}

UNIT_MAIN("local_schedule", NULL, NULL,
          {
            cmocka_unit_test(test_schedule_reads_rate_expressions),
            cmocka_unit_test(test_schedule_refuses_cron_at_and_malformed_rates_with_a_reason),
            cmocka_unit_test(test_schedule_runner_fires_each_schedule_at_its_scaled_rate),
            cmocka_unit_test(test_schedule_runner_never_fires_faster_than_its_floor),
            cmocka_unit_test(test_schedule_runner_without_schedules_starts_and_stops),
          })
