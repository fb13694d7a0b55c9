/* transactions_view.h - Mynt's view of its data: items, accounts and transactions as the API answers them. */
#ifndef MYNT_HANDLERS_TRANSACTIONS_VIEW_H
#define MYNT_HANDLERS_TRANSACTIONS_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "store/items.h"

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

/* Returns the API's shape of item (a new reference, caller json_decref; NULL on allocation
 * failure): {item_id, institution_id, institution_name, status, created_at,
 * new_accounts_available, sync:{status, last_synced_at, history_complete, last_error}}.
 * sync.status is "syncing" until the first 30 days are in (initial_complete), "error" while
 * last_error is set, else "synced"; last_synced_at is ISO or null, last_error a code or null;
 * unknown institution fields are null. */
json_t *transactions_view_item(const store_item *item);

/* Returns the API's items array of items[0..n), each as transactions_view_item, in that order (a
 * new reference, caller json_decref; NULL on allocation failure). */
json_t *transactions_view_items(const store_item *items, size_t n);

/* Returns the API's shape of one stored account record of item (an element of item->accounts)
 * for GET /accounts (a new reference, caller json_decref): {account_id, item_id,
 * institution_name, name, mask, type, subtype, balances{available, current, limit,
 * iso_currency_code}, balances_as_of}; balances the store has none of yet are null, as is
 * balances_as_of before the first sync. NULL for a record without an account_id or on
 * allocation failure. */
json_t *transactions_view_stored_account(const json_t *record, const store_item *item);

/* Returns the API's shape of a transaction read from the store (store_history_read: the stored
 * shape with item_id) (a new reference, caller json_decref): {transaction_id, account_id,
 * item_id, date, authorized_date, name, merchant_name, amount, amount_cents, iso_currency_code,
 * pending, pending_transaction_id, category, category_detailed, payment_channel, flow}; amount
 * is amount_cents / 100. Missing members are null (pending false, amount_cents 0, flow from the
 * category). NULL when stored is not an object, or on allocation failure. */
json_t *transactions_view_stored(const json_t *stored);

#endif
