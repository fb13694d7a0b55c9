/* plaid_data_date.c - calendar dates as day numbers for the Plaid simulator (strict YYYY-MM-DD). */
#include "local/plaid_data.h"

#include "core/date.h"

int32_t plaid_data_days_from_civil(int y, int m, int d)
{
  /* Counts from 0000-03-01 so the leap day falls at the end of each year. */
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + doe - 719468);
}

void plaid_data_civil_from_days(int32_t days, int *out_y, int *out_m, int *out_d)
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

mynt_status plaid_data_date_parse(const char *s, int32_t *out_days)
{
  int y, m, d;
  if(date_parse(s, &y, &m, &d) || y < 1)
    return MYNT_BAD_REQUEST;
  *out_days = plaid_data_days_from_civil(y, m, d);
  return MYNT_OK;
}

char *plaid_data_date_format(int32_t days, char out[11])
{
  int y, m, d;
  plaid_data_civil_from_days(days, &y, &m, &d);
  const int parts[3][2] = {{y, 4}, {m, 2}, {d, 2}};
  char *p = out;
  for(int i = 0; i < 3; i++) {
    for(int k = parts[i][1] - 1, v = parts[i][0]; k >= 0; k--, v /= 10)
      p[k] = (char)('0' + (v % 10 + 10) % 10);
    p += parts[i][1];
    *p++ = i < 2 ? '-' : '\0';
  }
  return out;
}

int32_t plaid_data_days_from_epoch_ms(int64_t epoch_ms)
{
  int64_t days = epoch_ms / 86400000;
  if(epoch_ms < 0 && epoch_ms % 86400000 != 0)
    days--;
  return (int32_t)days;
}
