/* public.h - the `public` route group: GET /health and the $default catch-all (no auth). */
#ifndef MYNT_HANDLERS_PUBLIC_H
#define MYNT_HANDLERS_PUBLIC_H

#include "apigw/router.h"

/* GET /health: 200 {"status":"ok","version":...}. Needs no store. */
mynt_status public_health(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

/* $default: 405 (with `allow`) when the path exists under another method, else 404. */
mynt_status public_default(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

#endif
