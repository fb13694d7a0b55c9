/* routes.h - Mynt's route table (route key -> group -> handler) and its route groups. */
#ifndef MYNT_HANDLERS_ROUTES_H
#define MYNT_HANDLERS_ROUTES_H

#include <stdint.h>

#include <jansson.h>

#include "apigw/router.h"
#include "core/detail.h"
#include "handlers/env.h"

/* Answers one event of a group that is not behind API Gateway (its own event shape) with env by deadline_ms (epoch
 * ms; 0 when Lambda sent none); request_id is the invocation's, for log lines. Returns MYNT_OK and *out_answer (the
 * function's result, caller json_decref); MYNT_BAD_REQUEST for an event of another shape (the bootstrap answers
 * Function.InvalidEvent); any other status for an invocation error (the function fails, and whoever invoked it
 * retries or refuses), with the error message in why: both leave *out_answer NULL. why's text reaches the invoker
 * (for presignup, the person signing in): never a secret or a personal detail. */
typedef mynt_status (*routes_event_fn)(const handlers_env *env, const json_t *event, int64_t deadline_ms,
                                       const char *request_id, json_t **out_answer, mynt_detail *why);

/* A route group is one Lambda function (its _HANDLER value): either a set of routes behind API Gateway (http 1), or
 * a function with its own events answered by on_event (http 0: "sync", "presignup", "costguard"). */
typedef struct {
  const char *name;
  int needs_store;          /* 1: the group reads or writes the mynt-users table */
  int needs_plaid;          /* 1: the group calls Plaid (its secrets are read from SSM on first use) */
  int starts_syncs;         /* 1: the group invokes the sync function (a Lambda client, MYNT_SYNC_FUNCTION) */
  int http;                 /* 1: payload-2.0 events through the route table; 0: on_event's events, no routes */
  int needs_webhook_keys;   /* 1: the group verifies Plaid's webhooks (a per-process key cache is made at init) */
  int needs_cognito;        /* 1: the group calls the user pool's admin API (a Cognito client) */
  int needs_apigateway;     /* 1: the group changes the HTTP API's stage (an API Gateway client and env->guard) */
  routes_event_fn on_event; /* the handler of a group with http 0; NULL for http groups */
} routes_group;

/* Returns the one route table of Mynt (static; never NULL). */
const apigw_route_table *routes_table(void);

/* Returns the group called name, or NULL when there is none. */
const routes_group *routes_find_group(const char *name);

/* Returns the groups (static) and their number in *out_count. */
const routes_group *routes_groups(size_t *out_count);

#endif
