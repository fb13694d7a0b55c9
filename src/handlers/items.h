/* items.h - the `items` route group: Link tokens, exchanging a public token into a stored item, listing and removing items. */
#ifndef MYNT_HANDLERS_ITEMS_H
#define MYNT_HANDLERS_ITEMS_H

#include "apigw/router.h"

/* Every handler here needs the JWT `sub` (the only user id it uses) and ctx->env to be a
 * handlers_env with a store, a Plaid client and a keyring. Access tokens are opened only for the
 * Plaid call that needs them, wiped right after, and never appear in a reply or a log line. */

/* POST /link/token: 200 {link_token, expiration} for a new item (products ["transactions"]).
 * With a body {"item_id": "..."} naming one of the caller's items: an update-mode token for it
 * (re-authentication); another user's or an unknown item → 404. The token asks Plaid to send the
 * item's webhooks to MYNT_PUBLIC_URL + "/webhooks/plaid", or, without that variable,
 * https://<requestContext.domainName>/webhooks/plaid (none when neither is known). */
mynt_status items_link_token(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

/* POST /items {public_token, institution_id?, institution_name?}: exchanges the public token,
 * reads the item's accounts, seals the access token and stores the item with its markers;
 * 201 {item, accounts} with accounts shaped as GET /accounts answers them (balances included).
 * A public token already exchanged for this user (a retried request) answers the stored item
 * again, 201, with its accounts read again from Plaid (when Plaid fails, the stored ones, as GET /accounts shows
 * them), without a second record. A second item of an institution the user has linked → the new item is removed
 * at Plaid and 409 duplicate_institution (with the existing item_id). An invalid, expired or
 * used public token → 400. The institution is Plaid's; the body's values are used only when
 * Plaid names none. The workflow and its rules (the item cap → 409 item_limit_reached, an
 * exchanged item is always stored, a failed write is read back before it is undone) are
 * src/link/link.h's; this handler validates the body, calls link_item and answers. */
mynt_status items_create(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);
/* (Once the item is stored — created, or found again for a retried token — its first sync is
 * started, reason "link"; a start that fails is logged, the answer is the same.) */

/* GET /items: 200 {items:[...]}, each in the item JSON of transactions_view_item (status, sync
 * state, new_accounts_available), in item order. */
mynt_status items_list(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

/* DELETE /items/{item_id}: /item/remove at Plaid (an item Plaid no longer knows counts as
 * removed), then the item's TXN# history buckets, then the record, its markers and its #ITEMS
 * owner record in one transaction; 204, and nothing of the item is left. Another user's or an
 * unknown item → 404. */
mynt_status items_delete(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

/* POST /items/{item_id}/sync: the user's refresh. Accepted at most once per item per
 * SYNC_REQUEST_INTERVAL_MS (store_item_request_sync): 202 {item} and a sync is started (reason
 * "user"; a start that fails is logged, the daily schedule catches up); a second one within the
 * interval → 429 rate_limited; another user's or an unknown item → 404. Never calls Plaid (not
 * even the billed /transactions/refresh): the sync function does the work. */
mynt_status items_sync(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

#endif
