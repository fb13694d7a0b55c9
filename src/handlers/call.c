/* call.c - the start every signed-in handler shares: sub, env and deadline. */
#include "handlers/call.h"

#include "core/logger.h"

int64_t handlers_deadline(const apigw_ctx *ctx, int64_t margin_ms)
{
  return ctx->deadline_ms ? ctx->deadline_ms - margin_ms : 0;
}

mynt_status handlers_call_or_reply(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res,
                                   int64_t margin_ms, handlers_call *out)
{
  out->env = ctx->env;
  out->deadline_ms = handlers_deadline(ctx, margin_ms);
  return apigw_sub_or_reply(req, res, &out->sub);
}

mynt_status handlers_env_plaid(handlers_env *env, int64_t deadline_ms, mynt_detail *detail)
{
  mynt_detail_clear(detail);
  /* Without open_plaid, what env holds was set up front (a test's fakes): used as it is. */
  if((env->plaid && env->keyring) || !env->open_plaid)
    return MYNT_OK;
  return env->open_plaid(env, deadline_ms, detail);
}

mynt_status handlers_plaid_or_reply(const apigw_ctx *ctx, apigw_response *res, int64_t deadline_ms)
{
  mynt_detail why;
  mynt_status st = handlers_env_plaid(ctx->env, deadline_ms, &why);
  if(!st)
    return MYNT_OK;
  logger_log(LOGGER_ERROR, ctx->invocation_id, "bootstrap: %s", mynt_detail_text(&why));
  return apigw_response_error(res, MYNT_UNAVAILABLE,
                              "bank connections are unavailable just now: try again in a minute");
}

mynt_status handlers_reply_json(apigw_response *res, json_t *body)
{
  mynt_status st = apigw_response_json(res, 200, body);
  return st ? apigw_response_error(res, st, NULL) : MYNT_OK;
}

mynt_status handlers_reply_list(apigw_response *res, const char *name, json_t *list)
{
  return handlers_reply_json(res, list ? json_pack("{s:o}", name, list) : NULL);
}
