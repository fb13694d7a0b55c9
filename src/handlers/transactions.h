/* transactions.h - the `transactions` route group: accounts with balances, the merged transactions of all the user's items, their export and summary. */
#ifndef MYNT_HANDLERS_TRANSACTIONS_H
#define MYNT_HANDLERS_TRANSACTIONS_H

#include "apigw/router.h"

/* Both need the JWT `sub` and ctx->env to be a handlers_env with a store; neither calls Plaid nor
 * opens an access token: they answer what the sync (src/sync) has stored. Each answer carries the
 * user's items in item order (transactions_view_item: status and sync state), so one item's
 * trouble (login_required, a failed sync, a first sync still running) never fails the others. */

/* GET /accounts: 200 {accounts:[{account_id, item_id, institution_name, name, mask, type, subtype,
 * balances{available, current, limit, iso_currency_code}, balances_as_of}], items:[...]}: every
 * item's stored accounts in item order, with the balances of the item's last sync (null before). */
mynt_status transactions_accounts(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

/* GET /transactions?start_date=&end_date=&count=&offset=&account_id=&category=&flow=&q= (transactions_query.h):
 * 200 {transactions, total_transactions, start_date, end_date, count, offset, items}. The stored
 * history of every item (or only of the one owning account_id, filtered to it; an account_id the
 * user does not have is 400) is read newest first (date, then item order, then transaction_id:
 * store_history_read) as far as offset + count, and sliced. total_transactions is exact: the
 * months read, plus the items' stored month counts for the months between, plus the range's first
 * month read on its own (it may be cut by start_date); with account_id the whole range is read.
 * With a category, flow or q filter the whole range is read and only the transactions
 * finance_filter_matches keeps are paged and counted in total_transactions. */
mynt_status transactions_list(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

/* GET /transactions/export?start_date=&end_date=&account_id=&category=&flow=&q= (the rules of GET
 * /transactions; count and offset are not used): 200 text/csv; charset=utf-8 with
 * Content-Disposition: attachment; filename="mynt-transactions-<start>-<end>.csv": the header and
 * one row per transaction of the range (read whole, filtered), newest first as GET /transactions
 * (transactions_csv.h), account_name and institution_name from the items' account records. A CSV
 * past 5 MB (Lambda's 6 MB response limit) answers 413 with code too_large; every error is JSON. */
mynt_status transactions_export(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

/* GET /summary?start_date=&end_date= (needs the JWT `sub` and
 * ctx->env a handlers_env with a store; never calls Plaid nor opens an access token). The period
 * follows transactions_query_parse's date rules, but without dates it is the current calendar
 * month (its first day .. today, UTC). Reads the user's budgets (one Query), items (one Query)
 * and the period's stored history of all the user's current items (ONE store_history_read,
 * want 0), and answers 200 with finance_summary's object (start_date, end_date, totals, months,
 * categories, accounts, merchants, budgets; integer cents summed per currency) plus `items`
 * (transactions_view_items, as GET /transactions), so a caller can tell a bank is still syncing.
 * 400 bad_request for bad dates (the message names the parameter); a store failure is answered
 * with its status. Returns the status replied. */
mynt_status transactions_summary(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

#endif
