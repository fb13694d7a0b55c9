/* clock.h - wall-clock and monotonic time in milliseconds, and UTC timestamps. */
#ifndef MYNT_CORE_CLOCK_H
#define MYNT_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Returns milliseconds since the Unix epoch (wall clock, as Lambda's deadlines are). */
int64_t clock_epoch_ms(void);

/* Returns milliseconds from an arbitrary fixed point (monotonic; for durations). */
int64_t clock_mono_ms(void);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). Returns out. */
char *clock_iso8601(time_t t, char out[21]);

/* Sleeps for ms milliseconds (no-op for ms <= 0). */
void clock_sleep_ms(int64_t ms);

#endif
