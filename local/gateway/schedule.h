/* schedule.h - EventBridge Scheduler stand-in: rate(...) expressions and a thread that fires schedules at their rate. */
#ifndef MYNT_LOCAL_SCHEDULE_H
#define MYNT_LOCAL_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "core/detail.h"
#include "core/status.h"

/* The shortest period a scaled schedule fires at, so a tiny scale cannot spin. */
#define SCHEDULE_MIN_PERIOD_MS 50

/* Parses an EventBridge Scheduler rate expression, "rate(N unit)" with N a positive integer and
 * unit minute|minutes|hour|hours|day|days, into its period in ms. Returns MYNT_OK and
 * *out_period_ms; MYNT_BAD_REQUEST with the reason in detail (may be NULL) for anything else:
 * cron(...) and at(...) are valid in AWS but refused here with a message saying so. */
mynt_status schedule_parse_rate(const char *expression, int64_t *out_period_ms, mynt_detail *detail);

/* Fires schedule `index`; the status is only logged by the caller's own code. */
typedef void (*schedule_fire_fn)(void *ctx, size_t index);

typedef struct schedule_runner schedule_runner;

/* Starts a thread that calls fire(ctx, i) every periods_ms[i] * scale ms (at least
 * SCHEDULE_MIN_PERIOD_MS; scale <= 0 means 1), the first time one period after the start, as a
 * new rate schedule does. periods_ms is copied. With n == 0 no thread is started. Returns MYNT_OK
 * and *out (free it with schedule_runner_free); MYNT_NOMEM or MYNT_INTERNAL (no thread), *out NULL. */
mynt_status schedule_runner_new(const int64_t *periods_ms, size_t n, double scale, schedule_fire_fn fire, void *ctx,
                                schedule_runner **out);

/* Stops the thread (a fire in progress completes first) and frees r. Accepts NULL. */
void schedule_runner_free(schedule_runner *r);

#endif
