/* call.h - where every signed-in handler starts: the caller's sub, the process's handlers_env and a work deadline. */
#ifndef MYNT_HANDLERS_CALL_H
#define MYNT_HANDLERS_CALL_H

#include <stdint.h>

#include <jansson.h>

#include "apigw/response.h"
#include "apigw/router.h"
#include "handlers/env.h"

/* One signed-in request as a handler sees it. Everything is borrowed. */
typedef struct {
  const handlers_env *env; /* ctx->env */
  const char *sub;         /* the JWT `sub` claim: the only user id a handler uses */
  int64_t deadline_ms;     /* margin_ms before the Lambda deadline; 0 when that is unknown */
} handlers_call;

/* Returns the epoch ms margin_ms before ctx's deadline, or 0 when ctx has none. */
int64_t handlers_deadline(const apigw_ctx *ctx, int64_t margin_ms);

/* Fills *out from ctx and req with a deadline margin_ms before the Lambda's. Returns MYNT_OK,
 * or, when req carries no `sub`, replies 401 and returns MYNT_UNAUTHORIZED (as
 * apigw_sub_or_reply); *out is then not to be used. */
mynt_status handlers_call_or_reply(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res,
                                   int64_t margin_ms, handlers_call *out);

/* Makes sure env holds the Plaid client and the keyring: at once when it does or has no open_plaid (set up front),
 * else through env->open_plaid (the bootstrap reads the secrets from SSM on the first request that needs them, so a
 * route that never calls Plaid never waits for them). A failure is not kept: the next request tries again. Returns
 * MYNT_OK, or the failure with a reason in detail (may be NULL; names parameters, never a value). */
mynt_status handlers_env_plaid(handlers_env *env, int64_t deadline_ms, mynt_detail *detail);

/* For a route that calls Plaid or opens access tokens, before it does: handlers_env_plaid on ctx->env with deadline_ms.
 * Returns MYNT_OK, or logs the reason and replies 503 service_unavailable ("try again in a minute"; the reason stays
 * in the log) and returns the reply's status. */
mynt_status handlers_plaid_or_reply(const apigw_ctx *ctx, apigw_response *res, int64_t deadline_ms);

/* Answers 200 with body (stolen; NULL stands for a failure to build it, answered 500). Returns MYNT_OK, or the status
 * of the error reply when the answer could not be set. */
mynt_status handlers_reply_json(apigw_response *res, json_t *body);

/* Answers 200 with {name: list} (list stolen; NULL answers 500) as handlers_reply_json. */
mynt_status handlers_reply_list(apigw_response *res, const char *name, json_t *list);

#endif
