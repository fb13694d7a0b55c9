/* budgets.h - the `budgets` route group: the signed-in user's monthly budgets per spending category. */
#ifndef MYNT_HANDLERS_BUDGETS_H
#define MYNT_HANDLERS_BUDGETS_H

#include "apigw/router.h"

/* Every handler here needs the JWT `sub` (the only user id it uses: another user's budgets are
 * never read or changed) and ctx->env to be a handlers_env with a store. A budget is answered as
 * {category, monthly_limit, iso_currency_code, updated_at}, monthly_limit a JSON number of at
 * most two decimals (core/money.h's money_json). */

/* The largest monthly_limit PUT accepts, in currency units. */
#define BUDGETS_LIMIT_MAX_UNITS 1000000000

/* GET /budgets: 200 {budgets: [budget...]} sorted by category (empty when there are none). */
mynt_status budgets_list(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

/* PUT /budgets/{category} {monthly_limit, iso_currency_code}: creates (201) or replaces (200) the
 * budget of category, answering it. 400 bad_request, nothing stored, when category is not one of
 * Plaid's primaries or is not spending (INCOME, TRANSFER_IN, TRANSFER_OUT, LOAN_PAYMENTS), the
 * body is not a JSON object, has a member other than those two or lacks one, monthly_limit is not
 * a number, is not above 0, has more than two decimals or is over BUDGETS_LIMIT_MAX_UNITS, or
 * iso_currency_code is not three upper-case letters. The message names what is wrong. */
mynt_status budgets_put(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

/* DELETE /budgets/{category}: 204, or 404 when the caller has no budget of that category. */
mynt_status budgets_delete(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

#endif
