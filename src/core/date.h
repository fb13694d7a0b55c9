/* date.h - calendar dates (proleptic Gregorian): month lengths and strict "YYYY-MM-DD" text. */
#ifndef MYNT_CORE_DATE_H
#define MYNT_CORE_DATE_H

/* Returns the number of days in month m (1..12) of year y. */
int date_days_in_month(int y, int m);

/* Parses s as exactly "YYYY-MM-DD" (ten characters, ASCII digits, a day that exists in its
 * month; year 0000 included). Returns 1 and sets *out_y, *out_m, *out_d; returns 0 (outputs
 * unchanged) for anything else, NULL included. */
int date_parse(const char *s, int *out_y, int *out_m, int *out_d);

#endif
