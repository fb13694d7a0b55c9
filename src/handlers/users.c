/* users.c - handlers of the `users` route group. */
#include "handlers/users.h"

#include "handlers/env.h"
#include "store/users.h"

/* Time kept back from the Lambda deadline so an answer can still be written. */
#define USERS_DEADLINE_MARGIN_MS 500

mynt_status users_get_me(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  const char *sub;
  mynt_status st = apigw_sub_or_reply(req, res, &sub);
  if(st)
    return st;
  const handlers_env *env = ctx->env;
  int64_t deadline = ctx->deadline_ms ? ctx->deadline_ms - USERS_DEADLINE_MARGIN_MS : 0;
  store_user_profile profile;
  st = store_user_touch_profile(env->store, sub, apigw_request_email(req), deadline, &profile);
  if(st)
    return apigw_response_error(res, st, NULL);
  return apigw_response_json(res, 200,
                             json_pack("{s:s, s:s?, s:s}", "user_id", sub, "email",
                                       profile.email[0] ? profile.email : NULL, "created_at", profile.created_at));
}
