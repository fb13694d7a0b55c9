/* transactions_view.h - Mynt's view of Plaid data: accounts and transactions as answered, flow classification, the merge of several items. */
#ifndef MYNT_HANDLERS_TRANSACTIONS_VIEW_H
#define MYNT_HANDLERS_TRANSACTIONS_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "store/items.h"

/* Returns the flow of a transaction from its personal_finance_category.primary (may be NULL):
 * "income" for INCOME; "transfer" for TRANSFER_IN, TRANSFER_OUT and LOAN_PAYMENTS (money moved
 * between the user's own accounts, credit-card payments included); "expense" for everything
 * else (a refund is a negative expense). Never NULL; static. */
const char *transactions_view_flow(const char *primary_category);

/* Returns Mynt's shape of one Plaid transaction of item item_id (a new reference, caller
 * json_decref; NULL on allocation failure or when plaid_txn is not an object):
 * {transaction_id, account_id, item_id, date, authorized_date, name, merchant_name, amount,
 *  iso_currency_code, pending, category, category_detailed, payment_channel, flow}.
 * amount keeps Plaid's sign (positive = money out); category and category_detailed are
 * personal_finance_category.primary and .detailed; missing text fields are null, a missing
 * pending is false, a missing amount 0. Nothing else of Plaid's object is copied. */
json_t *transactions_view_render(const json_t *plaid_txn, const char *item_id);

/* Reads one of Plaid's account objects into out, its strings borrowed from plaid_account:
 * a mask, type or subtype that is missing or not a string, and a missing name, are NULL.
 * Returns false (out then unusable) when the account has no valid account_id. */
bool transactions_view_account_summary(const json_t *plaid_account, store_item_account *out);

/* Returns the record the store keeps of one of Plaid's accounts, {account_id, name, mask, type,
 * subtype} (store_item_account_record; a new reference, caller json_decref). NULL when the
 * account has no valid account_id, or on allocation failure. */
json_t *transactions_view_account_record(const json_t *plaid_account);

/* Returns Mynt's shape of one of Plaid's accounts of item item_id (a new reference, caller
 * json_decref): {account_id, item_id, institution_name, name, mask, type, subtype,
 * balances{available, current, limit, iso_currency_code}}; institution_name NULL gives null,
 * missing balances are null. NULL for an account without a valid account_id or on allocation
 * failure. */
json_t *transactions_view_account(const json_t *plaid_account, const char *item_id, const char *institution_name);

/* Merges n lists of Plaid transactions (lists[i] is item i's array, newest first as Plaid
 * sends it; borrowed; NULL counts as empty) into one newest-first sequence and returns its
 * entries offset .. offset + count - 1, rendered with item_ids[i] (a new array, caller
 * json_decref; NULL on allocation failure). Order: date descending; on the same date, the
 * lower item index first; within one item, Plaid's order. Because the merge only ever looks at
 * the head of each list, entry k depends only on the first k + 1 entries of each list: fetching
 * offset + count from every item is enough, and consecutive pages never overlap or skip. */
json_t *transactions_view_merge(json_t *const *lists, const char *const *item_ids, size_t n, size_t offset,
                                size_t count);

#endif
