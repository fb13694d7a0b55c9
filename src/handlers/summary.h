/* summary.h - GET /summary: a period's income, expenses, categories, accounts, merchants and budgets, from the stored history. */
#ifndef MYNT_HANDLERS_SUMMARY_H
#define MYNT_HANDLERS_SUMMARY_H

#include "apigw/router.h"

/* GET /summary?start_date=&end_date= (route group "transactions"; needs the JWT `sub` and
 * ctx->env a handlers_env with a store; never calls Plaid nor opens an access token). The period
 * follows transactions_query_parse's date rules, but without dates it is the current calendar
 * month (its first day .. today, UTC). Reads the user's budgets (one Query), items (one Query)
 * and the period's stored history of all the user's current items (ONE store_history_read,
 * want 0), and answers 200 with finance_summary's object (start_date, end_date, totals, months,
 * categories, accounts, merchants, budgets; integer cents summed per currency) plus `items`
 * (transactions_view_items, as GET /transactions), so a caller can tell a bank is still syncing.
 * 400 bad_request for bad dates (the message names the parameter); a store failure is answered
 * with its status. Returns the status replied. */
mynt_status summary_get(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

#endif
