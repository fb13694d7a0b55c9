/* money.h - amounts of money as whole cents: Plaid's decimal amounts converted exactly. */
#ifndef MYNT_CORE_MONEY_H
#define MYNT_CORE_MONEY_H

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

#endif
