/* plaid_reply.c - answers for failed Plaid calls: mapping, logging without secrets, marking items login_required. */
#include "handlers/plaid_reply.h"

#include <jansson.h>

#include "core/logger.h"
#include "store/items.h"

/* Replies st with code (NULL = st's own) and message, naming item_id when there is one. */
static mynt_status s_reply(apigw_response *res, mynt_status st, const char *code, const char *message,
                           const char *item_id)
{
  json_t *extra = item_id ? json_pack("{s:s}", "item_id", item_id) : NULL;
  return apigw_response_error_code(res, st, code, message, extra);
}

mynt_status plaid_reply_failure(const handlers_env *env, apigw_response *res, const char *user_id,
                                const char *item_id, const char *operation, const plaid_error *err,
                                int64_t deadline_ms)
{
  logger_log(err->kind == PLAID_ERR_ITEM_LOGIN_REQUIRED ? LOGGER_WARN : LOGGER_ERROR, NULL,
             "plaid: %s failed%s%s: %s (%s %s, HTTP %d, %d attempts, request_id %s) %s", operation,
             item_id ? " for item " : "", item_id ? item_id : "", plaid_error_kind_name(err->kind),
             err->error_type, err->error_code, err->http_status, err->attempts, err->request_id, err->detail);

  switch(err->kind) {
  case PLAID_ERR_ITEM_LOGIN_REQUIRED:
    if(item_id && env->store) {
      mynt_status st = store_item_set_status(env->store, user_id, item_id, STORE_ITEM_LOGIN_REQUIRED, deadline_ms);
      if(st)
        logger_log(LOGGER_ERROR, NULL, "items: could not mark item %s login_required: %s", item_id,
                   mynt_status_code(st));
    }
    return s_reply(res, MYNT_CONFLICT, "item_login_required",
                   "the bank asks the user to sign in again: open Link in update mode for this item", item_id);
  case PLAID_ERR_INVALID_ACCESS_TOKEN:
    return s_reply(res, MYNT_CONFLICT, "item_invalid",
                   "this bank connection is no longer valid: remove it and link the bank again", item_id);
  case PLAID_ERR_RATE_LIMITED:
    return s_reply(res, MYNT_RATE_LIMITED, NULL, "the bank data provider is rate limiting requests; retry shortly",
                   item_id);
  case PLAID_ERR_PRODUCT_NOT_READY:
    return s_reply(res, MYNT_UNAVAILABLE, NULL,
                   "the bank's transactions are still being prepared; retry in a minute", item_id);
  case PLAID_ERR_INSTITUTION:
    return s_reply(res, MYNT_UNAVAILABLE, NULL, "the bank is not responding; retry later", item_id);
  case PLAID_ERR_TRANSPORT:
  case PLAID_ERR_DEADLINE:
    return s_reply(res, MYNT_UNAVAILABLE, NULL, "the bank data provider could not be reached in time; retry later",
                   item_id);
  case PLAID_ERR_SERVER:
  case PLAID_ERR_MALFORMED:
  case PLAID_ERR_OTHER:
    if(err->status == MYNT_NOMEM || err->status == MYNT_INTERNAL)
      return s_reply(res, MYNT_INTERNAL, NULL, NULL, NULL);
    return s_reply(res, MYNT_UPSTREAM, NULL, "the bank data provider failed; retry later", item_id);
  case PLAID_ERR_INVALID_PUBLIC_TOKEN:
  case PLAID_ERR_INVALID_REQUEST:
  case PLAID_ERR_INVALID_CREDENTIALS:
  case PLAID_ERR_NONE:
    break;
  }
  return s_reply(res, MYNT_INTERNAL, NULL, NULL, NULL);
}
