/* plaid_reply.h - how a failed Plaid call is answered to the browser: status, code, safe message, item state. */
#ifndef MYNT_HANDLERS_PLAID_REPLY_H
#define MYNT_HANDLERS_PLAID_REPLY_H

#include <stdint.h>

#include "apigw/response.h"
#include "core/status.h"
#include "handlers/env.h"
#include "plaid/plaid_error.h"

/* Answers err, the failure of Plaid call `operation` (e.g. "/accounts/get") made for user_id's
 * stored item item_id (NULL when no stored item is involved), and returns the status replied.
 * It logs the kind, Plaid's error_code, request_id, HTTP status and attempts (never Plaid's
 * message, never a token) and replies:
 * - ITEM_LOGIN_REQUIRED: marks the item login_required in the store (within deadline_ms; a
 *   failure to mark is logged) and replies 409 {"error":{"code":"item_login_required",
 *   "message","item_id"}};
 * - INVALID_ACCESS_TOKEN / ITEM_NOT_FOUND: 409 item_invalid with the item_id (the item must be
 *   removed and linked again);
 * - rate limited after the retries: 429 rate_limited;
 * - PRODUCT_NOT_READY, an institution that does not answer, Plaid unreachable or too slow
 *   (transport failures, the deadline): 503 service_unavailable;
 * - Plaid 5xx or an answer Mynt cannot read: 502 upstream_error;
 * - a request Plaid refused as invalid, or refused credentials: 500 internal_error (Mynt's bug
 *   or configuration).
 * Messages are Mynt's own: Plaid's error_message is never copied into a reply. */
mynt_status plaid_reply_failure(const handlers_env *env, apigw_response *res, const char *user_id,
                                const char *item_id, const char *operation, const plaid_error *err,
                                int64_t deadline_ms);

#endif
