/* routes.h - Mynt's route table (route key -> group -> handler) and its route groups. */
#ifndef MYNT_HANDLERS_ROUTES_H
#define MYNT_HANDLERS_ROUTES_H

#include "apigw/router.h"

/* A route group is one Lambda function (its _HANDLER value) serving a set of routes, or, for a
 * group that is not behind API Gateway (http 0: "sync"), the function's own events. */
typedef struct {
  const char *name;
  int needs_store;        /* 1: the group reads or writes the mynt-users table */
  int needs_plaid;        /* 1: the group calls Plaid (its secrets are read from SSM at cold start) */
  int starts_syncs;       /* 1: the group invokes the sync function (a Lambda client, MYNT_SYNC_FUNCTION) */
  int http;               /* 1: payload-2.0 events through the route table; 0: no routes (sync/sync.h's events) */
  int needs_webhook_keys; /* 1: the group verifies Plaid's webhooks (a per-process key cache is made at init) */
} routes_group;

/* Returns the one route table of Mynt (static; never NULL). */
const apigw_route_table *routes_table(void);

/* Returns the group called name, or NULL when there is none. */
const routes_group *routes_find_group(const char *name);

/* Returns the groups (static) and their number in *out_count. */
const routes_group *routes_groups(size_t *out_count);

#endif
