/* item_status.c - marks stored items login_required when Plaid asks for a new login (the sync marks them active again). */
#include "handlers/item_status.h"

#include "handlers/plaid_reply.h"
#include "core/logger.h"

void item_status_after_failure(store *s, const char *user_id, const char *item_id, const plaid_error *err,
                               int64_t deadline_ms)
{
  if(err->kind != PLAID_ERR_ITEM_LOGIN_REQUIRED || !item_id || !s)
    return;
  mynt_status st = store_item_set_status(s, user_id, item_id, STORE_ITEM_LOGIN_REQUIRED, deadline_ms);
  if(st)
    logger_log(LOGGER_ERROR, NULL, "items: could not mark item %s login_required: %s", item_id, mynt_status_code(st));
}

mynt_status item_status_reply_failure(const handlers_env *env, apigw_response *res, const char *user_id,
                                      const char *item_id, const char *operation, const plaid_error *err,
                                      int64_t deadline_ms)
{
  mynt_status st = plaid_reply_failure(res, item_id, operation, err);
  item_status_after_failure(env->store, user_id, item_id, err, deadline_ms);
  return st;
}
