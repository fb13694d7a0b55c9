/* item_status.h - keeping a stored item's status in step with what Plaid says about it. */
#ifndef MYNT_HANDLERS_ITEM_STATUS_H
#define MYNT_HANDLERS_ITEM_STATUS_H

#include <stdint.h>

#include "apigw/response.h"
#include "core/status.h"
#include "handlers/env.h"
#include "plaid/plaid_error.h"
#include "store/items.h"

/* After err, a failed Plaid call for user_id's stored item item_id (NULL when no stored item is
 * involved): when Plaid answered ITEM_LOGIN_REQUIRED and s is not NULL, marks the item
 * login_required (within deadline_ms). A failure to mark is logged, never answered. */
void item_status_after_failure(store *s, const char *user_id, const char *item_id, const plaid_error *err,
                               int64_t deadline_ms);

/* Answers err as plaid_reply_failure does (the failed call `operation` for user_id's stored
 * item item_id, NULL for none), then updates the item as item_status_after_failure. Returns the
 * status replied. */
mynt_status item_status_reply_failure(const handlers_env *env, apigw_response *res, const char *user_id,
                                      const char *item_id, const char *operation, const plaid_error *err,
                                      int64_t deadline_ms);

#endif
