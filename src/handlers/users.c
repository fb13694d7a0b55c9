/* users.c - handlers of the `users` route group. */
#include "handlers/users.h"

#include "handlers/call.h"
#include "store/users.h"

/* Time kept back from the Lambda deadline so an answer can still be written. */
#define USERS_DEADLINE_MARGIN_MS 500

mynt_status users_get_me(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, USERS_DEADLINE_MARGIN_MS, &call);
  if(st)
    return st;
  store_user_profile profile;
  st = store_user_touch_profile(call.env->store, call.sub, apigw_request_email(req), call.deadline_ms, &profile);
  if(st)
    return apigw_response_error(res, st, NULL);
  return apigw_response_json(res, 200,
                             json_pack("{s:s, s:s?, s:s}", "user_id", call.sub, "email",
                                       profile.email[0] ? profile.email : NULL, "created_at", profile.created_at));
}
