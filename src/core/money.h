/* money.h - amounts of money as whole cents: Plaid's decimal amounts converted exactly. */
#ifndef MYNT_CORE_MONEY_H
#define MYNT_CORE_MONEY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/status.h"

/* The largest amount, in cents either way, Mynt accepts (one trillion dollars). */
#define MONEY_CENTS_MAX 100000000000000LL

/* Converts amount, a JSON number of currency units (Plaid's "amount": 12.34, -5, 0.1), to whole
 * cents, rounded to the nearest cent with halves away from zero. A JSON real is the double
 * nearest to its decimal text, so for amounts of at most two decimals (all Plaid sends) the
 * result is that text's exact value in cents: 0.29 → 29, never the 28 a truncating
 * (int)(0.29 * 100) gives. Returns MYNT_OK and *out_cents; MYNT_BAD_REQUEST (out unchanged) when
 * amount is not a number, not finite, or beyond MONEY_CENTS_MAX. */
mynt_status money_cents_from_json(const json_t *amount, int64_t *out_cents);

/* Like money_cents_from_json, for an amount a user typed (a budget's monthly_limit): MYNT_BAD_REQUEST
 * (out unchanged) also for a number with more than two decimals (10.005, 0.001). A JSON real is
 * accepted when it is the double nearest to a whole number of cents over 100, which is exactly
 * what parsing a text of at most two decimals gives (so 0.29 and 1e-2 pass; 10.005 does not). */
mynt_status money_cents_from_json_exact(const json_t *amount, int64_t *out_cents);

/* Returns the API's JSON number for cents: json_real(cents / 100.0), the double nearest to the
 * amount, which the response writer (15 significant digits) prints with at most two decimals:
 * 30 cents prints 0.3, -1234 prints -12.34. A new reference (caller json_decref); NULL only when
 * allocation fails. */
json_t *money_json(int64_t cents);

/* Returns true when code looks like an ISO 4217 currency code: exactly three ASCII upper-case
 * letters ("USD"). It is not checked against the list of currencies; false for NULL. */
bool money_currency_valid(const char *code);

#endif
