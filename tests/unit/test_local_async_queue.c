/* test_local_async_queue.c - unit tests for mynt-local's asynchronous invocations (local/gateway/async_queue.c). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "local/gateway/async_queue.h"
#include "support/unit_main.h"

#define S_MAX_CALLS 32

/* A fake function runner: answers from a script, records every call, can hold a run until released. */
typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  mynt_status script[S_MAX_CALLS]; /* outcome of the n-th call; MYNT_OK once the script runs out */
  size_t n_script;
  size_t calls;
  size_t function[S_MAX_CALLS];
  char event[S_MAX_CALLS][64];
  int64_t at_ms[S_MAX_CALLS];
  bool hold; /* runs wait until hold is cleared */
  int running, max_running;
} s_fake;

static mynt_status s_fake_invoke(void *ctx, size_t function, const char *event, size_t len)
{
  s_fake *f = ctx;
  pthread_mutex_lock(&f->lock);
  size_t i = f->calls++;
  assert_true(i < S_MAX_CALLS);
  assert_int_equal(strlen(event), len); /* the queue hands over a NUL-terminated copy */
  f->function[i] = function;
  snprintf(f->event[i], sizeof(f->event[i]), "%.*s", (int)len, event);
  f->at_ms[i] = clock_mono_ms();
  if(++f->running > f->max_running)
    f->max_running = f->running;
  pthread_cond_broadcast(&f->cond);
  while(f->hold)
    pthread_cond_wait(&f->cond, &f->lock);
  f->running--;
  mynt_status st = i < f->n_script ? f->script[i] : MYNT_OK;
  pthread_mutex_unlock(&f->lock);
  return st;
}

static void s_fake_init(s_fake *f)
{
  memset(f, 0, sizeof(*f));
  pthread_mutex_init(&f->lock, NULL);
  pthread_cond_init(&f->cond, NULL);
}

static void s_fake_release(s_fake *f)
{
  pthread_mutex_lock(&f->lock);
  f->hold = false;
  pthread_cond_broadcast(&f->cond);
  pthread_mutex_unlock(&f->lock);
}

/* Waits (at most 5 s) until the fake has seen n calls. */
static void s_wait_calls(s_fake *f, size_t n)
{
  int64_t end = clock_mono_ms() + 5000;
  pthread_mutex_lock(&f->lock);
  while(f->calls < n && clock_mono_ms() < end) {
    pthread_mutex_unlock(&f->lock);
    clock_sleep_ms(2);
    pthread_mutex_lock(&f->lock);
  }
  pthread_mutex_unlock(&f->lock);
  assert_true(f->calls >= n);
}

static const char *const s_names[] = {"PublicFunction", "SyncFunction"};

static async_queue *s_queue(s_fake *f, size_t capacity, int64_t retry_delay_ms)
{
  async_queue_options o = {.n_functions = 2,
                           .names = s_names,
                           .capacity = capacity,
                           .retries = ASYNC_QUEUE_RETRIES,
                           .retry_delay_ms = retry_delay_ms,
                           .invoke = s_fake_invoke,
                           .ctx = f};
  async_queue *q = NULL;
  assert_int_equal(async_queue_new(&o, &q), MYNT_OK);
  return q;
}

/* cmocka set-up: a fresh fake runner for each test, in *state. */
static int s_setup(void **state)
{
  s_fake *f = malloc(sizeof *f);
  if(!f)
    return -1;
  s_fake_init(f);
  *state = f;
  return 0;
}

static int s_teardown(void **state)
{
  s_fake *f = *state;
  pthread_cond_destroy(&f->cond);
  pthread_mutex_destroy(&f->lock);
  free(f);
  return 0;
}

/* Asserts the queue's counts of runs that succeeded, retries and dropped events, then frees it. */
static void s_assert_stats_and_free(async_queue *q, uint64_t ran, uint64_t retried, uint64_t dropped)
{
  async_queue_stats s = async_queue_stats_get(q);
  assert_int_equal(s.ran, ran);
  assert_int_equal(s.retried, retried);
  assert_int_equal(s.dropped, dropped);
  async_queue_free(q);
}

static void test_async_queue_runs_a_copy_of_each_event_in_order(void **state)
{
  s_fake *f = *state;
  async_queue *q = s_queue(f, 8, 10);
  char event[32];
  for(int i = 0; i < 3; i++) {
    snprintf(event, sizeof(event), "{\"n\":%d}", i);
    assert_int_equal(async_queue_push(q, 1, event, strlen(event)), MYNT_OK);
  }
  strcpy(event, "overwritten");
  assert_true(async_queue_drain(q, 5000));
  assert_int_equal(f->calls, 3);
  for(size_t i = 0; i < 3; i++) {
    char want[32];
    snprintf(want, sizeof(want), "{\"n\":%zu}", i);
    assert_string_equal(f->event[i], want);
    assert_int_equal(f->function[i], 1);
  }
  s_assert_stats_and_free(q, 3, 0, 0);
}

static void test_async_queue_retries_a_failed_run_twice_then_drops_it(void **state)
{
  s_fake *f = *state;
  f->script[0] = f->script[1] = f->script[2] = MYNT_INTERNAL;
  f->n_script = 3;
  async_queue *q = s_queue(f, 8, 20);
  assert_int_equal(async_queue_push(q, 0, "{}", 2), MYNT_OK);
  assert_true(async_queue_drain(q, 5000));
  assert_int_equal(f->calls, 3); /* the first run and two retries, no more */
  assert_true(f->at_ms[1] - f->at_ms[0] >= 20);
  assert_true(f->at_ms[2] - f->at_ms[1] >= 40); /* the delay doubles */
  s_assert_stats_and_free(q, 0, 2, 1);
}

static void test_async_queue_stops_retrying_once_a_run_succeeds(void **state)
{
  s_fake *f = *state;
  f->script[0] = MYNT_TIMEOUT;
  f->script[1] = MYNT_OK;
  f->n_script = 2;
  async_queue *q = s_queue(f, 8, 5);
  assert_int_equal(async_queue_push(q, 1, "{\"a\":1}", 7), MYNT_OK);
  assert_true(async_queue_drain(q, 5000));
  assert_int_equal(f->calls, 2);
  assert_string_equal(f->event[1], "{\"a\":1}");
  async_queue_stats s = async_queue_stats_get(q);
  assert_int_equal(s.ran, 1);
  assert_int_equal(s.retried, 1);
  async_queue_free(q);
}

static void test_async_queue_sends_again_when_busy_without_counting_an_attempt(void **state)
{
  s_fake *f = *state;
  for(int i = 0; i < 4; i++)
    f->script[i] = MYNT_THROTTLED;
  f->n_script = 4;
  async_queue *q = s_queue(f, 8, 5);
  assert_int_equal(async_queue_push(q, 0, "{}", 2), MYNT_OK);
  assert_true(async_queue_drain(q, 5000));
  assert_int_equal(f->calls, 5); /* four busy answers, then it ran: more than three attempts */
  s_assert_stats_and_free(q, 1, 0, 0);
}

static void test_async_queue_refuses_events_past_its_capacity_or_function(void **state)
{
  s_fake *f = *state;
  f->hold = true;
  async_queue *q = s_queue(f, 2, 5);
  assert_int_equal(async_queue_push(q, 0, "{\"n\":0}", 7), MYNT_OK);
  s_wait_calls(f, 1); /* the first is running, so it no longer takes a place */
  assert_int_equal(async_queue_push(q, 0, "{\"n\":1}", 7), MYNT_OK);
  assert_int_equal(async_queue_push(q, 0, "{\"n\":2}", 7), MYNT_OK);
  assert_int_equal(async_queue_push(q, 0, "{\"n\":3}", 7), MYNT_THROTTLED);
  assert_int_equal(async_queue_push(q, 1, "{\"n\":4}", 7), MYNT_OK); /* another function has its own queue */
  assert_int_equal(async_queue_push(q, 2, "{}", 2), MYNT_NOT_FOUND);
  s_fake_release(f);
  assert_true(async_queue_drain(q, 5000));
  assert_int_equal(f->calls, 4);
  async_queue_free(q);
}

static void test_async_queue_drain_waits_for_the_running_event_and_is_bounded(void **state)
{
  s_fake *f = *state;
  f->hold = true;
  async_queue *q = s_queue(f, 8, 5);
  assert_true(async_queue_drain(q, 10)); /* nothing queued: idle at once */
  assert_int_equal(async_queue_push(q, 1, "{}", 2), MYNT_OK);
  s_wait_calls(f, 1);
  int64_t start = clock_mono_ms();
  assert_false(async_queue_drain(q, 100));
  int64_t waited = clock_mono_ms() - start;
  assert_true(waited >= 100 && waited < 2000);
  s_fake_release(f);
  assert_true(async_queue_drain(q, 5000));
  assert_int_equal(async_queue_stats_get(q).ran, 1);
  async_queue_free(q);
}

static void test_async_queue_runs_one_event_per_function_at_a_time(void **state)
{
  s_fake *f = *state;
  async_queue *q = s_queue(f, 16, 5);
  for(int i = 0; i < 10; i++)
    assert_int_equal(async_queue_push(q, 0, "{}", 2), MYNT_OK);
  assert_true(async_queue_drain(q, 5000));
  assert_int_equal(f->calls, 10);
  assert_int_equal(f->max_running, 1);
  async_queue_free(q);
}

/* Stops the queue (arg) from a thread of its own. */
static void *s_stop_thread(void *arg)
{
  async_queue_stop(arg);
  return NULL;
}

static void test_async_queue_drops_what_is_queued_when_stopped(void **state)
{
  s_fake *f = *state;
  f->script[0] = MYNT_UNAVAILABLE; /* the function is shutting down */
  f->n_script = 1;
  f->hold = true;
  async_queue *q = s_queue(f, 8, 5);
  assert_int_equal(async_queue_push(q, 0, "{}", 2), MYNT_OK);
  s_wait_calls(f, 1);
  assert_int_equal(async_queue_push(q, 0, "{}", 2), MYNT_OK);
  /* Stop while the first run is still held, so nothing queued can start before the queue knows it
   * is stopping: stop (which joins the worker) runs on its own thread, and a push answering
   * MYNT_UNAVAILABLE shows the stop was seen. Probe pushes made before that are queued (and dropped
   * too); a full queue answers MYNT_THROTTLED and queues nothing. */
  pthread_t stopper;
  assert_int_equal(pthread_create(&stopper, NULL, s_stop_thread, q), 0);
  long probes = 0;
  int64_t deadline = clock_mono_ms() + 5000;
  mynt_status probe;
  while((probe = async_queue_push(q, 0, "{}", 2)) != MYNT_UNAVAILABLE && clock_mono_ms() < deadline)
    probes += probe == MYNT_OK;
  assert_int_equal(probe, MYNT_UNAVAILABLE);
  s_fake_release(f);
  assert_int_equal(pthread_join(stopper, NULL), 0);
  assert_int_equal(f->calls, 1); /* the queued ones never ran */
  assert_int_equal(async_queue_stats_get(q).dropped, 2 + probes);
  assert_int_equal(async_queue_push(q, 0, "{}", 2), MYNT_UNAVAILABLE);
  assert_true(async_queue_drain(q, 10));
  async_queue_free(q);
}

#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)
UNIT_MAIN("local_async_queue", NULL, NULL,
          {
            T(test_async_queue_runs_a_copy_of_each_event_in_order),
            T(test_async_queue_retries_a_failed_run_twice_then_drops_it),
            T(test_async_queue_stops_retrying_once_a_run_succeeds),
            T(test_async_queue_sends_again_when_busy_without_counting_an_attempt),
            T(test_async_queue_refuses_events_past_its_capacity_or_function),
            T(test_async_queue_drain_waits_for_the_running_event_and_is_bounded),
            T(test_async_queue_runs_one_event_per_function_at_a_time),
            T(test_async_queue_drops_what_is_queued_when_stopped),
          })
