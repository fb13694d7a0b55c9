/* users.h - the `users` route group: the signed-in user's own profile. */
#ifndef MYNT_HANDLERS_USERS_H
#define MYNT_HANDLERS_USERS_H

#include "apigw/router.h"

/* GET /me (auth): creates or updates the caller's PROFILE record and answers
 * 200 {"user_id","email","created_at"}; email is the token's claim, else the stored
 * one, else null. Needs ctx->env to be a handlers_env with a store. */
mynt_status users_get_me(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

#endif
