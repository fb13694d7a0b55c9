/* money.c - amounts of money as whole cents: Plaid's decimal amounts converted exactly. */
#include "core/money.h"

#include <math.h>

mynt_status money_cents_from_json(const json_t *amount, int64_t *out_cents)
{
  if(json_is_integer(amount)) {
    json_int_t units = json_integer_value(amount);
    if(units > MONEY_CENTS_MAX / 100 || units < -(MONEY_CENTS_MAX / 100))
      return MYNT_BAD_REQUEST;
    *out_cents = (int64_t)units * 100;
    return MYNT_OK;
  }
  if(!json_is_real(amount))
    return MYNT_BAD_REQUEST;
  /* The product's rounding error is far below half a cent in this range, so rounding it gives
   * the decimal's cents. */
  double cents = json_real_value(amount) * 100.0;
  if(!isfinite(cents) || fabs(cents) > (double)MONEY_CENTS_MAX)
    return MYNT_BAD_REQUEST;
  *out_cents = (int64_t)llround(cents);
  return MYNT_OK;
}

mynt_status money_cents_from_json_exact(const json_t *amount, int64_t *out_cents)
{
  int64_t cents;
  mynt_status st = money_cents_from_json(amount, &cents);
  if(st)
    return st;
  /* cents is at most MONEY_CENTS_MAX < 2^53, so (double)cents is exact and dividing by 100 gives
   * the double nearest to the two-decimal amount: equal to the parsed real only when its text
   * had no further decimals. */
  if(json_is_real(amount) && (double)cents / 100.0 != json_real_value(amount))
    return MYNT_BAD_REQUEST;
  *out_cents = cents;
  return MYNT_OK;
}

json_t *money_json(int64_t cents)
{
  return json_real((double)cents / 100.0);
}

bool money_currency_valid(const char *code)
{
  if(!code)
    return false;
  for(int i = 0; i < 3; i++)
    if(code[i] < 'A' || code[i] > 'Z')
      return false;
  return code[3] == '\0';
}
