/* transactions.h - the `transactions` route group: accounts with balances and the merged transactions of all the user's items. */
#ifndef MYNT_HANDLERS_TRANSACTIONS_H
#define MYNT_HANDLERS_TRANSACTIONS_H

#include "apigw/router.h"

/* Both need the JWT `sub` and ctx->env to be a handlers_env with a store, a Plaid client and a
 * keyring. A Plaid failure of any item fails the request (plaid_reply.h: ITEM_LOGIN_REQUIRED
 * marks the item and answers 409 item_login_required with its item_id); an item marked
 * login_required that answers again is marked active. */

/* GET /accounts: 200 {accounts:[{account_id, item_id, institution_name, name, mask, type,
 * subtype, balances{available, current, limit, iso_currency_code}}]}, items in item order and
 * each item's accounts in Plaid's order, from /accounts/get (Plaid's free, cached balances).
 * When an item's accounts differ from the stored ones, the stored list is refreshed. */
mynt_status transactions_accounts(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

/* GET /transactions?start_date=&end_date=&count=&offset=&account_id= (transactions_query.h):
 * 200 {transactions, total_transactions, start_date, end_date, count, offset}. Every item (or
 * only the one owning account_id, filtered to it; an account_id the user does not have is 400)
 * is fetched in parallel for the window, as far as offset + count needs, then merged newest
 * first (transactions_view.h) and sliced. total_transactions is the sum of the items' totals. */
mynt_status transactions_list(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

#endif
