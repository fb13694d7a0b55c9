/* date.h - calendar dates (proleptic Gregorian): day numbers, month arithmetic, strict "YYYY-MM-DD". */
#ifndef MYNT_CORE_DATE_H
#define MYNT_CORE_DATE_H

#include <stdint.h>

#include "core/status.h"

/* Returns the number of days in month m (1..12) of year y. */
int date_days_in_month(int y, int m);

/* Parses s as exactly "YYYY-MM-DD" (ten characters, ASCII digits, a day that exists in its
 * month; year 0000 included). Returns MYNT_OK and sets *out_y, *out_m, *out_d; returns
 * MYNT_BAD_REQUEST (outputs unchanged) for anything else, NULL included. */
mynt_status date_parse(const char *s, int *out_y, int *out_m, int *out_d);

/* Returns the day number (days since 1970-01-01) of the date y-m-d (m 1..12, d 1..31; not
 * checked). */
int32_t date_days_from_civil(int y, int m, int d);

/* Sets *out_y, *out_m, *out_d to the date of day number days (days since 1970-01-01). */
void date_civil_from_days(int32_t days, int *out_y, int *out_m, int *out_d);

/* Returns the day number of the UTC day holding epoch_ms (floored: -1 ms is 1969-12-31). */
int32_t date_days_from_epoch_ms(int64_t epoch_ms);

/* Writes the date of day number days as "YYYY-MM-DD" and a NUL into out; returns out. The year
 * keeps its last four digits. */
char *date_format(int32_t days, char out[11]);

/* Parses text as exactly "YYYY-MM-DDTHH:MM:SSZ" (UTC, no fraction, no offset). Returns MYNT_OK and
 * *out_ms (epoch ms), or MYNT_BAD_REQUEST (*out_ms unchanged) for anything else, NULL included. */
mynt_status date_iso8601_epoch_ms(const char *text, int64_t *out_ms);

/* Writes the UTC date of epoch_ms as "YYYY-MM-DD" into out. */
void date_of_epoch_ms(int64_t epoch_ms, char out[11]);

/* Writes the date months calendar months before day (a valid "YYYY-MM-DD") into out, with the
 * day of month clamped to the target month's length (2024-02-29 minus 12 months = 2023-02-28).
 * An invalid day gives "". */
void date_months_before(const char *day, int months, char out[11]);

#endif
