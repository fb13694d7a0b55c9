/* plaid_reply.h - how a failed Plaid call is answered to the browser: status, code, safe message, item id. */
#ifndef MYNT_HANDLERS_PLAID_REPLY_H
#define MYNT_HANDLERS_PLAID_REPLY_H

#include <stdbool.h>

#include "apigw/response.h"
#include "core/status.h"
#include "plaid/plaid_error.h"

/* The answer to one failed Plaid call. */
typedef struct {
  mynt_status status;  /* the reply's status (its HTTP code as the status table maps it) */
  const char *code;    /* the error code string; NULL = status's own */
  const char *message; /* Mynt's own safe text (static); NULL = status's standard text */
  bool names_item;     /* the reply carries the item_id, when there is one */
} plaid_reply;

/* Maps err to its reply (no I/O, nothing stored or logged):
 * - ITEM_LOGIN_REQUIRED: 409 item_login_required (open Link in update mode for the item);
 * - INVALID_ACCESS_TOKEN / ITEM_NOT_FOUND: 409 item_invalid (the item must be removed and
 *   linked again);
 * - rate limited after the retries: 429 rate_limited;
 * - PRODUCT_NOT_READY, an institution that does not answer, Plaid unreachable or too slow
 *   (transport failures, the deadline): 503 service_unavailable;
 * - Plaid 5xx or an answer Mynt cannot read: 502 upstream_error (500 internal_error when the
 *   failure was Mynt's own allocation or bug);
 * - a request Plaid refused as invalid, or refused credentials: 500 internal_error (Mynt's bug
 *   or configuration).
 * Every reply but internal_error names the item. Messages are Mynt's own: Plaid's
 * error_message is never copied into a reply. */
plaid_reply plaid_reply_for(const plaid_error *err);

/* Answers err, the failure of Plaid call `operation` (e.g. "/accounts/get") made for the
 * stored item item_id (NULL when no stored item is involved), as plaid_reply_for maps it, and
 * returns the status replied. It logs the kind, Plaid's error_code, request_id, HTTP status and
 * attempts (never Plaid's message, never a token). Marking the item is the caller's work
 * (item_status.h). */
mynt_status plaid_reply_failure(apigw_response *res, const char *item_id, const char *operation,
                                const plaid_error *err);

#endif
