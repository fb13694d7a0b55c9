/* mono_cond.h - condition variables timed on the monotonic clock, so a wall-clock step moves no deadline. */
#ifndef MYNT_LOCAL_MONO_COND_H
#define MYNT_LOCAL_MONO_COND_H

#include <pthread.h>
#include <stdint.h>

/* Initialises cond to time its waits on CLOCK_MONOTONIC. Returns pthread_cond_init's result. */
int mono_cond_init(pthread_cond_t *cond);

/* Waits on cond (lock held) until it is signalled or the deadline, in clock_mono_ms() terms,
 * passes. Returns 0 when woken before the deadline (perhaps spuriously: re-check the condition),
 * ETIMEDOUT once the deadline has passed. */
int mono_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *lock, int64_t deadline_mono_ms);

#endif
