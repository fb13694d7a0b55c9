/* mono_cond.c - condition variables timed on the monotonic clock. */
#include "local/common/mono_cond.h"

#include <errno.h>
#include <time.h>

#include "core/clock.h"

int mono_cond_init(pthread_cond_t *cond)
{
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  int rc = pthread_cond_init(cond, &attr);
  pthread_condattr_destroy(&attr);
  return rc;
}

int mono_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *lock, int64_t deadline_mono_ms)
{
  int64_t wait_ms = deadline_mono_ms - clock_mono_ms();
  if(wait_ms <= 0)
    return ETIMEDOUT;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += (time_t)(wait_ms / 1000);
  ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
  if(ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  int rc = pthread_cond_timedwait(cond, lock, &ts);
  return rc == ETIMEDOUT && clock_mono_ms() < deadline_mono_ms ? 0 : rc;
}
