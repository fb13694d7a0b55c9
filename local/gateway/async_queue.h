/* async_queue.h - Lambda's asynchronous invocations: a bounded event queue per function, run one at a time, retried twice. */
#ifndef MYNT_LOCAL_ASYNC_QUEUE_H
#define MYNT_LOCAL_ASYNC_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Lambda retries a failed asynchronous run twice by default. */
#define ASYNC_QUEUE_RETRIES 2

/* Runs one event on function `function` and returns the outcome: MYNT_OK (ran), MYNT_THROTTLED
 * (not run: the function was busy; sent again later without counting an attempt), MYNT_UNAVAILABLE
 * (shutting down: dropped), anything else a failed run (retried). */
typedef mynt_status (*async_queue_invoke_fn)(void *ctx, size_t function, const char *event, size_t len);

typedef struct {
  size_t n_functions;
  const char *const *names;     /* n_functions names for log lines; borrowed, must outlive the queue */
  size_t capacity;              /* events queued per function (not counting the one running) */
  size_t max_bytes;             /* bytes of queued events per function; 0 = no limit but capacity */
  int retries;                  /* failed runs sent again (ASYNC_QUEUE_RETRIES like Lambda) */
  int64_t retry_delay_ms;       /* before the first retry; doubled for each next one */
  async_queue_invoke_fn invoke; /* required; called from the queue's threads, one per function */
  void *ctx;
} async_queue_options;

typedef struct async_queue async_queue;

/* Starts one worker thread per function. Returns MYNT_OK and *out (free it with
 * async_queue_free); MYNT_BAD_REQUEST without invoke or capacity; MYNT_NOMEM or MYNT_INTERNAL
 * (a thread could not start); then *out is NULL. */
mynt_status async_queue_new(const async_queue_options *opts, async_queue **out);

/* Queues a copy of event[0..len) for function. Returns MYNT_OK once queued; MYNT_NOT_FOUND for
 * an index out of range; MYNT_THROTTLED when the function's queue is full (Lambda's 429);
 * MYNT_UNAVAILABLE while stopping; MYNT_NOMEM. Nothing is queued on failure. */
mynt_status async_queue_push(async_queue *q, size_t function, const char *event, size_t len);

/* Waits until no event is queued, running or waiting for a retry, at most timeout_ms. Returns
 * true when idle, false when the time ran out. */
bool async_queue_drain(async_queue *q, int64_t timeout_ms);

/* Counts of what happened so far (for tests and logs). */
typedef struct {
  uint64_t ran;     /* events whose run succeeded */
  uint64_t retried; /* failed runs sent again */
  uint64_t dropped; /* events given up after every retry failed, or at shutdown */
} async_queue_stats;

/* Returns the counts so far. */
async_queue_stats async_queue_stats_get(async_queue *q);

/* Stops taking events, wakes the workers (a run in progress completes; queued events and
 * pending retries are dropped) and joins them. Safe to call more than once. */
void async_queue_stop(async_queue *q);

/* Stops q (as async_queue_stop) and frees it. Accepts NULL. */
void async_queue_free(async_queue *q);

#endif
