/* date.c - calendar dates (proleptic Gregorian): month lengths and strict "YYYY-MM-DD" text. */
#include "core/date.h"

#include <stddef.h>

int date_days_in_month(int y, int m)
{
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return days[m - 1] + (m == 2 && leap);
}

/* Reads the n ASCII digits at s into *out; returns 0 when one is not a digit. */
static int s_digits(const char *s, int n, int *out)
{
  int v = 0;
  for(int i = 0; i < n; i++) {
    if(s[i] < '0' || s[i] > '9')
      return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

int date_parse(const char *s, int *out_y, int *out_m, int *out_d)
{
  int y = 0;
  int m = 0;
  int d = 0;
  if(!s)
    return 0;
  for(int i = 0; i < 10; i++) {
    if(s[i] == '\0')
      return 0;
  }
  if(s[10] != '\0' || s[4] != '-' || s[7] != '-')
    return 0;
  if(!s_digits(s, 4, &y) || !s_digits(s + 5, 2, &m) || !s_digits(s + 8, 2, &d))
    return 0;
  if(m < 1 || m > 12 || d < 1 || d > date_days_in_month(y, m))
    return 0;
  *out_y = y;
  *out_m = m;
  *out_d = d;
  return 1;
}
