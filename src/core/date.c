/* date.c - calendar dates (proleptic Gregorian): day numbers, month arithmetic, strict "YYYY-MM-DD". */
#include "core/date.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/buf.h"

#define S_MS_PER_DAY 86400000

int date_days_in_month(int y, int m)
{
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return days[m - 1] + (m == 2 && leap);
}

/* Reads the n ASCII digits at s into *out; returns false when one is not a digit. */
static bool s_digits(const char *s, size_t n, int *out)
{
  long long v = 0;
  mynt_str digits = {s, n};
  if(!str_parse_digits(digits, &v))
    return false;
  *out = (int)v;
  return true;
}

mynt_status date_parse(const char *s, int *out_y, int *out_m, int *out_d)
{
  int y = 0;
  int m = 0;
  int d = 0;
  if(!s)
    return MYNT_BAD_REQUEST;
  for(int i = 0; i < 10; i++) {
    if(s[i] == '\0')
      return MYNT_BAD_REQUEST;
  }
  if(s[10] != '\0' || s[4] != '-' || s[7] != '-')
    return MYNT_BAD_REQUEST;
  if(!s_digits(s, 4, &y) || !s_digits(s + 5, 2, &m) || !s_digits(s + 8, 2, &d))
    return MYNT_BAD_REQUEST;
  if(m < 1 || m > 12 || d < 1 || d > date_days_in_month(y, m))
    return MYNT_BAD_REQUEST;
  *out_y = y;
  *out_m = m;
  *out_d = d;
  return MYNT_OK;
}

int32_t date_days_from_civil(int y, int m, int d)
{
  /* Counts from 0000-03-01 so the leap day falls at the end of each year. */
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + doe - 719468);
}

void date_civil_from_days(int32_t days, int *out_y, int *out_m, int *out_d)
{
  const int z = (int)days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  *out_d = doy - (153 * mp + 2) / 5 + 1;
  *out_m = m;
  *out_y = yoe + era * 400 + (m <= 2);
}

int32_t date_days_from_epoch_ms(int64_t epoch_ms)
{
  int64_t days = epoch_ms / S_MS_PER_DAY;
  if(epoch_ms < 0 && epoch_ms % S_MS_PER_DAY != 0)
    days--;
  return (int32_t)days;
}

/* Writes y-m-d as "YYYY-MM-DD" (each part its last digits) and a NUL into out. */
static void s_format_civil(int y, int m, int d, char out[11])
{
  const int parts[3][2] = {{y, 4}, {m, 2}, {d, 2}};
  char *p = out;
  for(int i = 0; i < 3; i++) {
    for(int k = parts[i][1] - 1, v = parts[i][0]; k >= 0; k--, v /= 10)
      p[k] = (char)('0' + (v % 10 + 10) % 10);
    p += parts[i][1];
    *p++ = i < 2 ? '-' : '\0';
  }
}

char *date_format(int32_t days, char out[11])
{
  int y, m, d;
  date_civil_from_days(days, &y, &m, &d);
  s_format_civil(y, m, d, out);
  return out;
}

void date_of_epoch_ms(int64_t epoch_ms, char out[11])
{
  date_format(date_days_from_epoch_ms(epoch_ms), out);
}

void date_months_before(const char *day, int months, char out[11])
{
  int y = 0;
  int m = 0;
  int d = 0;
  if(date_parse(day, &y, &m, &d)) {
    out[0] = '\0';
    return;
  }
  int index = y * 12 + (m - 1) - months;
  int floor_y = (index >= 0 ? index : index - 11) / 12;
  int target_m = index - floor_y * 12 + 1;
  int last = date_days_in_month(floor_y, target_m);
  s_format_civil(floor_y, target_m, d > last ? last : d, out);
}

/* Returns the number written by the two ASCII digits at p, or -1 when they are not two digits (sscanf's %2d
 * would take " 1", "+1" or "-0"). */
static int s_two_digits(const char *p)
{
  if(p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
    return -1;
  return (p[0] - '0') * 10 + (p[1] - '0');
}

mynt_status date_iso8601_epoch_ms(const char *text, int64_t *out_ms)
{
  char day[11];
  int y = 0, m = 0, d = 0;
  if(!text || strlen(text) != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z')
    return MYNT_BAD_REQUEST;
  memcpy(day, text, 10);
  day[10] = '\0';
  int hh = s_two_digits(text + 11);
  int mm = s_two_digits(text + 14);
  int ss = s_two_digits(text + 17);
  if(date_parse(day, &y, &m, &d) || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
    return MYNT_BAD_REQUEST;
  *out_ms = ((int64_t)date_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss) * 1000;
  return MYNT_OK;
}
