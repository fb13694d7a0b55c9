/* plaid_data_date.c - the Plaid simulator's strict YYYY-MM-DD dates as day numbers. */
#include "local/plaid_sim/plaid_data.h"

mynt_status plaid_data_date_parse(const char *s, int32_t *out_days)
{
  int y, m, d;
  if(date_parse(s, &y, &m, &d) || y < 1)
    return MYNT_BAD_REQUEST;
  *out_days = date_days_from_civil(y, m, d);
  return MYNT_OK;
}
