/* webhooks.h - handler of the `webhooks` route group: POST /webhooks/plaid, Plaid's signed webhooks. */
#ifndef MYNT_HANDLERS_WEBHOOKS_H
#define MYNT_HANDLERS_WEBHOOKS_H

#include "apigw/router.h"

/* The work of one webhook ends this long before the Lambda deadline (room to answer). */
#define WEBHOOKS_WORK_MARGIN_MS 1000

/* POST /webhooks/plaid (no JWT: Plaid calls it). Verifies the Plaid-Verification header over the
 * raw body (plaid_webhook_verify with the process's key cache env->webhook_keys, keys fetched
 * with env->plaid): anything not verified is 401 unauthorized and changes nothing (logged at
 * INFO, at WARN when the key could not be fetched or the fetch budget was spent). A verified
 * webhook is acted on for the item's owner (store_item_owner), then answered 200
 * {"received":true} whatever its code:
 * - TRANSACTIONS SYNC_UPDATES_AVAILABLE: starts a sync (sync_start, reason "webhook");
 * - ITEM ERROR with ITEM_LOGIN_REQUIRED: status login_required; LOGIN_REPAIRED: active, and a
 *   sync; PENDING_DISCONNECT / PENDING_EXPIRATION: expiring; USER_PERMISSION_REVOKED /
 *   USER_ACCOUNT_REVOKED: revoked; NEW_ACCOUNTS_AVAILABLE: new_accounts_available;
 * - anything else (WEBHOOK_UPDATE_ACKNOWLEDGED included), an item Mynt does not know or a body
 *   it cannot read: nothing changes.
 * Every change is idempotent, so a replay is harmless. A sync that cannot be started is logged
 * (the daily schedule catches up); a store failure is answered with its status (5xx), so that
 * Plaid may send the webhook again. Never logs the body or the token. */
mynt_status webhooks_plaid(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

#endif
