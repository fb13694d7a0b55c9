/* schedule.c - EventBridge Scheduler stand-in: rate(...) expressions and a thread that fires schedules at their rate. */
#include "local/gateway/schedule.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "local/common/mono_cond.h"

/* The longest rate kept: about 100 years, far below int64 ms. */
#define S_MAX_PERIOD_MS (100LL * 366 * 24 * 3600 * 1000)

mynt_status schedule_parse_rate(const char *expression, int64_t *out_period_ms, mynt_detail *detail)
{
  *out_period_ms = 0;
  if(!expression)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "a schedule needs a ScheduleExpression");
  if(strncmp(expression, "cron(", 5) == 0 || strncmp(expression, "at(", 3) == 0)
    return mynt_fail(detail, MYNT_BAD_REQUEST,
                     "\"%.64s\": mynt-local fires rate(...) schedules only; cron(...) and at(...) are not supported",
                     expression);
  size_t len = strlen(expression);
  if(strncmp(expression, "rate(", 5) != 0 || len < 7 || expression[len - 1] != ')')
    return mynt_fail(detail, MYNT_BAD_REQUEST, "\"%.64s\" is not a rate(N unit) expression", expression);
  const char *p = expression + 5;
  if(!isdigit((unsigned char)*p))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "\"%.64s\": the rate needs a positive whole number", expression);
  errno = 0;
  char *end = NULL;
  long long n = strtoll(p, &end, 10);
  if(errno || n <= 0 || *end != ' ')
    return mynt_fail(detail, MYNT_BAD_REQUEST, "\"%.64s\": the rate needs a positive whole number", expression);
  const char *unit = end + 1;
  size_t unit_len = (size_t)(expression + len - 1 - unit);
  static const struct {
    const char *name;
    int64_t ms;
  } units[] = {
    {"minute", 60000}, {"minutes", 60000}, {"hour", 3600000}, {"hours", 3600000}, {"day", 86400000}, {"days", 86400000},
  };
  for(size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
    if(strlen(units[i].name) == unit_len && strncmp(unit, units[i].name, unit_len) == 0) {
      if(n > S_MAX_PERIOD_MS / units[i].ms)
        return mynt_fail(detail, MYNT_BAD_REQUEST, "\"%.64s\": the rate is too long", expression);
      *out_period_ms = n * units[i].ms;
      return MYNT_OK;
    }
  }
  return mynt_fail(detail, MYNT_BAD_REQUEST, "\"%.64s\": the unit must be minute(s), hour(s) or day(s)", expression);
}

struct schedule_runner {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool stopping;
  bool has_thread;
  pthread_t thread;
  size_t n;
  int64_t *period_ms; /* scaled */
  int64_t *next_ms;   /* clock_mono_ms() of the next fire */
  schedule_fire_fn fire;
  void *ctx;
};

static void *s_runner_main(void *arg)
{
  schedule_runner *r = arg;
  pthread_mutex_lock(&r->lock);
  while(!r->stopping) {
    int64_t now = clock_mono_ms();
    int64_t soonest = INT64_MAX;
    for(size_t i = 0; i < r->n && !r->stopping; i++) {
      if(r->next_ms[i] <= now) {
        /* Like EventBridge, a late fire does not queue the missed ones: the next is one period on. */
        r->next_ms[i] = now + r->period_ms[i];
        pthread_mutex_unlock(&r->lock);
        r->fire(r->ctx, i);
        pthread_mutex_lock(&r->lock);
      }
      if(r->next_ms[i] < soonest)
        soonest = r->next_ms[i];
    }
    if(!r->stopping)
      mono_cond_wait_until(&r->cond, &r->lock, soonest);
  }
  pthread_mutex_unlock(&r->lock);
  return NULL;
}

mynt_status schedule_runner_new(const int64_t *periods_ms, size_t n, double scale, schedule_fire_fn fire, void *ctx,
                                schedule_runner **out)
{
  *out = NULL;
  schedule_runner *r = calloc(1, sizeof(*r));
  if(!r)
    return MYNT_NOMEM;
  pthread_mutex_init(&r->lock, NULL);
  mono_cond_init(&r->cond);
  r->fire = fire;
  r->ctx = ctx;
  r->n = n;
  if(n) {
    r->period_ms = calloc(n, sizeof(int64_t));
    r->next_ms = calloc(n, sizeof(int64_t));
    if(!r->period_ms || !r->next_ms) {
      schedule_runner_free(r);
      return MYNT_NOMEM;
    }
  }
  if(scale <= 0)
    scale = 1;
  int64_t start = clock_mono_ms();
  for(size_t i = 0; i < n; i++) {
    double scaled = (double)periods_ms[i] * scale;
    r->period_ms[i] = scaled < SCHEDULE_MIN_PERIOD_MS    ? SCHEDULE_MIN_PERIOD_MS
                      : scaled > (double)S_MAX_PERIOD_MS ? S_MAX_PERIOD_MS
                                                         : (int64_t)scaled;
    r->next_ms[i] = start + r->period_ms[i];
  }
  if(n) {
    if(pthread_create(&r->thread, NULL, s_runner_main, r) != 0) {
      schedule_runner_free(r);
      return MYNT_INTERNAL;
    }
    r->has_thread = true;
  }
  *out = r;
  return MYNT_OK;
}

void schedule_runner_free(schedule_runner *r)
{
  if(!r)
    return;
  pthread_mutex_lock(&r->lock);
  r->stopping = true;
  pthread_cond_broadcast(&r->cond);
  pthread_mutex_unlock(&r->lock);
  if(r->has_thread)
    pthread_join(r->thread, NULL);
  free(r->period_ms);
  free(r->next_ms);
  pthread_cond_destroy(&r->cond);
  pthread_mutex_destroy(&r->lock);
  free(r);
}
