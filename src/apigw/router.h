/* router.h - the generic route table mechanism: dispatch by routeKey, auth and size checks, 404/405. */
#ifndef MYNT_APIGW_ROUTER_H
#define MYNT_APIGW_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "apigw/request.h"
#include "apigw/response.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/status.h"

typedef struct apigw_route_table apigw_route_table;

/* What a handler gets besides the request. */
typedef struct {
  void *env;                       /* the application's long-lived state (borrowed) */
  mynt_arena *arena;               /* per-invocation memory */
  int64_t deadline_ms;             /* epoch ms the answer is due by; 0 = unknown */
  const char *invocation_id;       /* Lambda's request id, for logs; may be NULL */
  const apigw_route_table *routes; /* the table being served (set by the router) */
} apigw_ctx;

/* A handler answers by writing a reply into res and returning MYNT_OK, or returns a
 * failure status: when it wrote no reply, the router replies the standard error for
 * that status (apigw_response_error with st's own text). */
typedef mynt_status (*apigw_handler)(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res);

typedef struct {
  const char *route_key; /* "METHOD /path/{param}" (method may be ANY), or "$default" */
  const char *group;     /* the function (route group) serving it, e.g. "users" */
  int needs_auth;        /* 1: answer 401 unless the JWT `sub` claim is present */
  apigw_handler handler;
} apigw_route;

struct apigw_route_table {
  const apigw_route *routes;
  size_t count;
};

/* Returns the route with exactly this route key, or NULL. */
const apigw_route *apigw_router_find(const apigw_route_table *table, const char *route_key);

/* Returns true when route_key ("METHOD /template") matches method and path: literal
 * segments compare exactly, "{name}" matches one non-empty segment, a final
 * "{name+}" matches one or more; method ANY matches every method. "$default" never
 * matches. Returns 0 otherwise. */
bool apigw_router_matches(const char *route_key, const char *method, const char *path);

/* The catch-all answer for req->method and req->raw_path against every template in
 * the table: 405 method_not_allowed with an `allow` header listing the methods the
 * path has, or 404 not_found. Returns the status replied (MYNT_NOT_FOUND or
 * MYNT_METHOD_NOT_ALLOWED), or MYNT_NOMEM when the reply could not be written. */
mynt_status apigw_router_answer_unmatched(const apigw_route_table *table, const apigw_request *req,
                                          apigw_response *res);

/* Answers one parsed request for the route group `group` into res (always leaves a
 * reply in res):
 * - a request whose parse status (parse_st) was MYNT_TOO_LARGE or MYNT_BAD_REQUEST is
 *   answered 413/400 before any handler runs;
 * - a route key of this group runs its handler, after the 401 check for auth routes;
 * - a route key of another group is a wiring mistake: logged, answered 500;
 * - an unknown route key gets apigw_router_answer_unmatched.
 * Returns the handler's status (or the one answered) for logging. */
mynt_status apigw_router_dispatch(const apigw_route_table *table, const char *group, const apigw_ctx *ctx,
                                  mynt_status parse_st, const apigw_request *req, apigw_response *res);

/* The whole API Gateway function: parses event, dispatches it for group and writes the
 * payload-2.0 answer into out_payload (4xx/5xx answers included). Logs one line per
 * request (route, status, milliseconds; never bodies). Returns MYNT_OK when an answer
 * was written; MYNT_PARSE when event is not a payload-2.0 event (nothing to answer: the
 * caller should report an invocation error); MYNT_NOMEM when nothing could be written. */
mynt_status apigw_router_serve(const apigw_route_table *table, const char *group, const apigw_ctx *ctx, json_t *event,
                               mynt_buf *out_payload);

/* Returns true when group serves at least one route of the table. */
bool apigw_router_has_group(const apigw_route_table *table, const char *group);

/* Returns {"routes":[{"route_key","group","auth"},...]} in table order, a new reference
 * owned by the caller, or NULL when allocation fails. */
json_t *apigw_router_table_json(const apigw_route_table *table);

#endif
