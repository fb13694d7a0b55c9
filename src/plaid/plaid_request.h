/* plaid_request.h - typed builders of Plaid request bodies; they validate inputs and never add a product Mynt does not use. */
#ifndef MYNT_PLAID_REQUEST_H
#define MYNT_PLAID_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/status.h"

/* Plaid's page size limits for /transactions/get. */
#define PLAID_TRANSACTIONS_COUNT_MAX 500

/* How many days of history Link asks for when an item is created (Plaid's maximum). */
#define PLAID_DAYS_REQUESTED 730

/* The longest token, id or user id a builder accepts. */
#define PLAID_MAX_TOKEN 256

/* Builds /link/token/create. Always client_name "Mynt", language "en", country_codes
 * ["US"], user.client_user_id = client_user_id, and webhook when webhook is not NULL or "".
 * New item (access_token NULL or ""): products exactly ["transactions"] and
 * transactions.days_requested 730. Update mode (access_token given): access_token and no
 * products at all, and with account_selection update.account_selection_enabled true (Link lets the
 * user pick the item's accounts again, e.g. after NEW_ACCOUNTS_AVAILABLE). Never
 * required_if_supported_products, optional_products or additional_consented_products. Returns
 * MYNT_OK and *out_body (a new reference, caller json_decref), or MYNT_BAD_REQUEST (missing or
 * malformed ids, account_selection without an access token) / MYNT_NOMEM with *out_body NULL. */
mynt_status plaid_request_link_token_create(const char *client_user_id, const char *access_token, const char *webhook,
                                            bool account_selection, json_t **out_body);

/* Builds {"public_token": ...} for /item/public_token/exchange. Same returns as above. */
mynt_status plaid_request_public_token_exchange(const char *public_token, json_t **out_body);

/* Builds {"access_token": ...} for /item/get, /item/remove and /accounts/get. Same returns. */
mynt_status plaid_request_access_token(const char *access_token, json_t **out_body);

/* Builds {"key_id": ...} for /webhook_verification_key/get (key_id: a Plaid-Verification
 * header's kid). Same returns as above. */
mynt_status plaid_request_webhook_verification_key(const char *key_id, json_t **out_body);

/* The longest /transactions/sync cursor a builder accepts (Plaid documents at most 256
 * characters of base64; Mynt keeps room to spare, as the store does). */
#define PLAID_CURSOR_MAX 1024

/* Builds /transactions/sync: access_token, count (1..500) and cursor when it is not NULL or ""
 * (omitted, Plaid starts from the item's first update). No options: Mynt needs none.
 * Returns MYNT_OK and *out_body (caller json_decref), or MYNT_BAD_REQUEST (empty or malformed
 * token, count out of range, a cursor over PLAID_CURSOR_MAX bytes or not printable ASCII without
 * spaces) / MYNT_NOMEM, with *out_body NULL. */
mynt_status plaid_request_transactions_sync(const char *access_token, const char *cursor, int count, json_t **out_body);

/* Returns true when s is a real calendar date written YYYY-MM-DD. */
bool plaid_request_date_valid(const char *s);

#endif
