/* call.c - the start every signed-in handler shares: sub, env and deadline. */
#include "handlers/call.h"

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

mynt_status handlers_reply_json(apigw_response *res, json_t *body)
{
  mynt_status st = apigw_response_json(res, 200, body);
  return st ? apigw_response_error(res, st, NULL) : MYNT_OK;
}

mynt_status handlers_reply_list(apigw_response *res, const char *name, json_t *list)
{
  return handlers_reply_json(res, list ? json_pack("{s:o}", name, list) : NULL);
}
