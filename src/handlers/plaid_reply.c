/* plaid_reply.c - answers for failed Plaid calls: the mapping to status, code and message, logged without secrets. */
#include "handlers/plaid_reply.h"

#include <jansson.h>

#include "core/logger.h"

/* A reply that names the item. */
static plaid_reply s_item_reply(mynt_status status, const char *code, const char *message)
{
  return (plaid_reply){.status = status, .code = code, .message = message, .names_item = true};
}

plaid_reply plaid_reply_for(const plaid_error *err)
{
  const plaid_reply internal = {.status = MYNT_INTERNAL};
  switch(err->kind) {
  case PLAID_ERR_ITEM_LOGIN_REQUIRED:
    return s_item_reply(MYNT_CONFLICT, "item_login_required",
                        "the bank asks the user to sign in again: open Link in update mode for this item");
  case PLAID_ERR_INVALID_ACCESS_TOKEN:
    return s_item_reply(MYNT_CONFLICT, "item_invalid",
                        "this bank connection is no longer valid: remove it and link the bank again");
  case PLAID_ERR_RATE_LIMITED:
    return s_item_reply(MYNT_RATE_LIMITED, NULL, "the bank data provider is rate limiting requests; retry shortly");
  case PLAID_ERR_PRODUCT_NOT_READY:
    return s_item_reply(MYNT_UNAVAILABLE, NULL, "the bank's transactions are still being prepared; retry in a minute");
  case PLAID_ERR_INSTITUTION:
    return s_item_reply(MYNT_UNAVAILABLE, NULL, "the bank is not responding; retry later");
  case PLAID_ERR_TRANSPORT:
  case PLAID_ERR_DEADLINE:
    return s_item_reply(MYNT_UNAVAILABLE, NULL, "the bank data provider could not be reached in time; retry later");
  case PLAID_ERR_SERVER:
  case PLAID_ERR_MALFORMED:
  case PLAID_ERR_OTHER:
    if(err->status == MYNT_NOMEM || err->status == MYNT_INTERNAL)
      return internal;
    return s_item_reply(MYNT_UPSTREAM, NULL, "the bank data provider failed; retry later");
  case PLAID_ERR_INVALID_PUBLIC_TOKEN:
  case PLAID_ERR_INVALID_REQUEST:
  case PLAID_ERR_INVALID_CREDENTIALS:
  case PLAID_ERR_NONE:
    break;
  }
  return internal;
}

mynt_status plaid_reply_failure(apigw_response *res, const char *item_id, const char *operation, const plaid_error *err)
{
  logger_log(err->kind == PLAID_ERR_ITEM_LOGIN_REQUIRED ? LOGGER_WARN : LOGGER_ERROR, NULL,
             "plaid: %s failed%s%s: %s (%s %s, HTTP %d, %d attempts, request_id %s) %s", operation,
             item_id ? " for item " : "", item_id ? item_id : "", plaid_error_kind_name(err->kind), err->error_type,
             err->error_code, err->http_status, err->attempts, err->request_id, err->detail);

  plaid_reply reply = plaid_reply_for(err);
  json_t *extra = reply.names_item && item_id ? json_pack("{s:s}", "item_id", item_id) : NULL;
  return apigw_response_error_code(res, reply.status, reply.code, reply.message, extra);
}
