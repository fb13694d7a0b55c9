/* async_queue.c - Lambda's asynchronous invocations: a bounded event queue per function, run one at a time, retried twice. */
#include "local/gateway/async_queue.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "local/common/mono_cond.h"

typedef struct s_event {
  struct s_event *next;
  size_t len;
  char text[]; /* NUL-terminated */
} s_event;

typedef struct {
  s_event *head, *tail;
  size_t count, bytes;
  bool running; /* the worker holds an event (running it or waiting to retry it) */
  pthread_t thread;
  bool has_thread;
} s_lane;

typedef struct {
  async_queue *q;
  size_t index;
} s_worker_arg;

struct async_queue {
  async_queue_options opts;
  pthread_mutex_t lock;
  pthread_cond_t work; /* an event was queued, or stopping */
  pthread_cond_t idle; /* a lane went idle */
  bool stopping;
  s_lane *lanes;
  s_worker_arg *args;
  async_queue_stats stats;
};

static const char *s_name(const async_queue *q, size_t i)
{
  return q->opts.names && q->opts.names[i] ? q->opts.names[i] : "function";
}

static bool s_idle_locked(const async_queue *q)
{
  for(size_t i = 0; i < q->opts.n_functions; i++)
    if(q->lanes[i].count || q->lanes[i].running)
      return false;
  return true;
}

/* Names a failed run's status for the log (the statuses function_invoke returns). */
static const char *s_failure(mynt_status st)
{
  switch(st) {
  case MYNT_INTERNAL:
    return "function error";
  case MYNT_UPSTREAM:
    return "the process failed to start, crashed or answered too much";
  case MYNT_TIMEOUT:
    return "timed out";
  default:
    return mynt_strerror(st);
  }
}

/* Runs ev with its retries (lock not held). Returns true when it ran, false when dropped. */
static bool s_run(async_queue *q, size_t index, const s_event *ev)
{
  int failures = 0;
  int64_t delay = q->opts.retry_delay_ms;
  for(;;) {
    mynt_status st = q->opts.invoke(q->opts.ctx, index, ev->text, ev->len);
    if(st == MYNT_OK) {
      fprintf(stderr, "mynt-local: async %s: event ran (attempt %d)\n", s_name(q, index), failures + 1);
      return true;
    }
    if(st == MYNT_UNAVAILABLE) {
      fprintf(stderr, "mynt-local: async %s: dropped an event at shutdown\n", s_name(q, index));
      return false;
    }
    int64_t wait_ms = delay;
    if(st == MYNT_THROTTLED) {
      fprintf(stderr, "mynt-local: async %s: function busy; sending the event again in %lld ms\n", s_name(q, index),
              (long long)wait_ms);
    }
    else {
      failures++;
      if(failures > q->opts.retries) {
        fprintf(stderr, "mynt-local: async %s: dropped the event after %d failed attempts (%s)\n", s_name(q, index),
                failures, s_failure(st));
        return false;
      }
      fprintf(stderr, "mynt-local: async %s: attempt %d failed (%s); retrying in %lld ms\n", s_name(q, index), failures,
              s_failure(st), (long long)wait_ms);
      delay *= 2;
    }
    pthread_mutex_lock(&q->lock);
    if(st != MYNT_THROTTLED)
      q->stats.retried++;
    int64_t until = clock_mono_ms() + wait_ms;
    while(!q->stopping && clock_mono_ms() < until)
      mono_cond_wait_until(&q->work, &q->lock, until);
    bool stopping = q->stopping;
    pthread_mutex_unlock(&q->lock);
    if(stopping) {
      fprintf(stderr, "mynt-local: async %s: dropped an event waiting for its retry at shutdown\n", s_name(q, index));
      return false;
    }
  }
}

static void *s_worker_main(void *arg)
{
  s_worker_arg *w = arg;
  async_queue *q = w->q;
  s_lane *lane = &q->lanes[w->index];
  pthread_mutex_lock(&q->lock);
  for(;;) {
    while(!q->stopping && !lane->head)
      pthread_cond_wait(&q->work, &q->lock);
    if(q->stopping)
      break;
    s_event *ev = lane->head;
    lane->head = ev->next;
    if(!lane->head)
      lane->tail = NULL;
    lane->count--;
    lane->bytes -= ev->len;
    lane->running = true;
    pthread_mutex_unlock(&q->lock);
    bool ran = s_run(q, w->index, ev);
    free(ev);
    pthread_mutex_lock(&q->lock);
    if(ran)
      q->stats.ran++;
    else
      q->stats.dropped++;
    lane->running = false;
    pthread_cond_broadcast(&q->idle);
  }
  /* Stopping: what is still queued is dropped. */
  while(lane->head) {
    s_event *ev = lane->head;
    lane->head = ev->next;
    free(ev);
    q->stats.dropped++;
  }
  lane->tail = NULL;
  lane->count = lane->bytes = 0;
  pthread_cond_broadcast(&q->idle);
  pthread_mutex_unlock(&q->lock);
  return NULL;
}

mynt_status async_queue_new(const async_queue_options *opts, async_queue **out)
{
  *out = NULL;
  if(!opts->invoke || !opts->capacity)
    return MYNT_BAD_REQUEST;
  async_queue *q = calloc(1, sizeof(*q));
  if(!q)
    return MYNT_NOMEM;
  q->opts = *opts;
  pthread_mutex_init(&q->lock, NULL);
  mono_cond_init(&q->work);
  mono_cond_init(&q->idle);
  size_t n = opts->n_functions;
  q->lanes = calloc(n ? n : 1, sizeof(*q->lanes));
  q->args = calloc(n ? n : 1, sizeof(*q->args));
  if(!q->lanes || !q->args) {
    async_queue_free(q);
    return MYNT_NOMEM;
  }
  for(size_t i = 0; i < n; i++) {
    q->args[i].q = q;
    q->args[i].index = i;
    if(pthread_create(&q->lanes[i].thread, NULL, s_worker_main, &q->args[i]) != 0) {
      async_queue_free(q);
      return MYNT_INTERNAL;
    }
    q->lanes[i].has_thread = true;
  }
  *out = q;
  return MYNT_OK;
}

mynt_status async_queue_push(async_queue *q, size_t function, const char *event, size_t len)
{
  if(function >= q->opts.n_functions)
    return MYNT_NOT_FOUND;
  s_event *ev = malloc(sizeof(*ev) + len + 1);
  if(!ev)
    return MYNT_NOMEM;
  ev->next = NULL;
  ev->len = len;
  memcpy(ev->text, event, len);
  ev->text[len] = '\0';
  pthread_mutex_lock(&q->lock);
  s_lane *lane = &q->lanes[function];
  mynt_status st = MYNT_OK;
  if(q->stopping)
    st = MYNT_UNAVAILABLE;
  else if(lane->count >= q->opts.capacity || (q->opts.max_bytes && lane->bytes + len > q->opts.max_bytes))
    st = MYNT_THROTTLED;
  if(st) {
    pthread_mutex_unlock(&q->lock);
    free(ev);
    return st;
  }
  if(lane->tail)
    lane->tail->next = ev;
  else
    lane->head = ev;
  lane->tail = ev;
  lane->count++;
  lane->bytes += len;
  pthread_cond_broadcast(&q->work);
  pthread_mutex_unlock(&q->lock);
  return MYNT_OK;
}

bool async_queue_drain(async_queue *q, int64_t timeout_ms)
{
  int64_t deadline = clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
  pthread_mutex_lock(&q->lock);
  bool idle;
  while(!(idle = s_idle_locked(q)) && clock_mono_ms() < deadline)
    mono_cond_wait_until(&q->idle, &q->lock, deadline);
  pthread_mutex_unlock(&q->lock);
  return idle;
}

async_queue_stats async_queue_stats_get(async_queue *q)
{
  pthread_mutex_lock(&q->lock);
  async_queue_stats s = q->stats;
  pthread_mutex_unlock(&q->lock);
  return s;
}

void async_queue_stop(async_queue *q)
{
  pthread_mutex_lock(&q->lock);
  q->stopping = true;
  pthread_cond_broadcast(&q->work);
  pthread_mutex_unlock(&q->lock);
  for(size_t i = 0; q->lanes && i < q->opts.n_functions; i++) {
    if(q->lanes[i].has_thread) {
      pthread_join(q->lanes[i].thread, NULL);
      q->lanes[i].has_thread = false;
    }
  }
}

void async_queue_free(async_queue *q)
{
  if(!q)
    return;
  async_queue_stop(q);
  free(q->lanes);
  free(q->args);
  pthread_cond_destroy(&q->work);
  pthread_cond_destroy(&q->idle);
  pthread_mutex_destroy(&q->lock);
  free(q);
}
