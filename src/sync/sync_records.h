/* sync_records.h - Plaid's transactions and accounts as the store keeps them: the stored transaction shape, balances. */
#ifndef MYNT_SYNC_SYNC_RECORDS_H
#define MYNT_SYNC_SYNC_RECORDS_H

#include <jansson.h>

#include "core/status.h"

/* Renders one of Plaid's transactions (an element of /transactions/sync's added or modified) in
 * the stored shape of store/history.h:
 * {transaction_id, account_id, date, authorized_date, name, merchant_name, amount_cents,
 *  iso_currency_code, pending, pending_transaction_id, category, category_detailed,
 *  payment_channel, flow}.
 * flow is finance_flow (finance/category.h) of the category.
 * amount_cents is Plaid's amount in exact whole cents (core/money.h), Plaid's sign kept (positive
 * = money out); category and category_detailed are personal_finance_category.primary and
 * .detailed; iso_currency_code falls back to unofficial_currency_code; other missing text fields
 * are null, a missing pending is false. Nothing else of Plaid's object is copied (no location,
 * counterparties or original description). Returns MYNT_OK and *out (caller json_decref);
 * MYNT_BAD_REQUEST (*out NULL) when the transaction cannot be stored: not an object, no valid
 * transaction_id (store_item_id_valid) or account_id, a date that is not YYYY-MM-DD, an amount
 * that is not a number in range; MYNT_NOMEM. */
mynt_status sync_records_txn(const json_t *plaid_txn, json_t **out);

/* Returns the account record the item keeps (store/items.h) for one of Plaid's accounts (from
 * /accounts/get), with its balances: {account_id, name, mask, type, subtype, balances{available,
 * current, limit, iso_currency_code}}; a missing balance or currency is null. A new reference
 * (caller json_decref); NULL when the account has no valid account_id, or on allocation failure. */
json_t *sync_records_account(const json_t *plaid_account);

#endif
