/* public.c - handlers of the `public` route group. */
#include "handlers/public.h"

mynt_status public_health(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  (void)ctx;
  (void)req;
  return apigw_response_json(res, 200, json_pack("{s:s, s:s}", "status", "ok", "version", MYNT_VERSION));
}

mynt_status public_default(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  return apigw_router_answer_unmatched(ctx->routes, req, res);
}
