/* routes.c - the concrete route table of Mynt's HTTP API; template.yaml must agree with it. */
#include "handlers/routes.h"

#include <string.h>

#include "handlers/budgets.h"
#include "handlers/costguard.h"
#include "handlers/items.h"
#include "handlers/presignup.h"
#include "handlers/public.h"
#include "handlers/transactions.h"
#include "handlers/users.h"
#include "handlers/webhooks.h"
#include "sync/events.h"

static const apigw_route s_routes[] = {
  {"GET /health", "public", 0, public_health},
  {"$default", "public", 0, public_default},
  {"GET /me", "users", 1, users_get_me},
  {"POST /link/token", "items", 1, items_link_token},
  {"POST /items", "items", 1, items_create},
  {"GET /items", "items", 1, items_list},
  {"DELETE /items/{item_id}", "items", 1, items_delete},
  {"POST /items/{item_id}/sync", "items", 1, items_sync},
  {"GET /accounts", "transactions", 1, transactions_accounts},
  {"GET /transactions", "transactions", 1, transactions_list},
  {"GET /transactions/export", "transactions", 1, transactions_export},
  {"GET /summary", "transactions", 1, transactions_summary},
  {"GET /budgets", "budgets", 1, budgets_list},
  {"PUT /budgets/{category}", "budgets", 1, budgets_put},
  {"DELETE /budgets/{category}", "budgets", 1, budgets_delete},
  /* Plaid calls it without a JWT: the handler verifies the Plaid-Verification header instead. */
  {"POST /webhooks/plaid", "webhooks", 0, webhooks_plaid},
};

static const apigw_route_table s_table = {s_routes, sizeof(s_routes) / sizeof(s_routes[0])};

/* The sync function's events (sync/events.h) as a group's event handler. */
static mynt_status s_sync_event(const handlers_env *env, const json_t *event, int64_t deadline_ms,
                                const char *request_id, json_t **out_answer, mynt_detail *why)
{
  (void)request_id;
  mynt_status st = sync_events_handle(env, event, deadline_ms, out_answer);
  if(st == MYNT_BAD_REQUEST)
    mynt_fail(why, st, "the event is neither mynt_sync nor mynt_schedule");
  else if(st)
    mynt_fail(why, st, "the sync function could not answer: %s", mynt_strerror(st));
  return st;
}

static const routes_group s_groups[] = {
  /* health and $default */
  {.name = "public", .http = 1},
  /* the profile */
  {.name = "users", .needs_store = 1, .http = 1},
  /* linking, refreshing (starts syncs) and removing banks */
  {.name = "items", .needs_store = 1, .needs_plaid = 1, .starts_syncs = 1, .http = 1},
  /* answers from the store: no Plaid, no access token */
  {.name = "transactions", .needs_store = 1, .http = 1},
  /* the user's monthly budgets: the table only */
  {.name = "budgets", .needs_store = 1, .http = 1},
  /* the sync function: its own events, no routes */
  {.name = "sync", .needs_store = 1, .needs_plaid = 1, .starts_syncs = 1, .on_event = s_sync_event},
  /* Plaid's verified webhooks: item state, sync starts */
  {.name = "webhooks", .needs_store = 1, .needs_plaid = 1, .starts_syncs = 1, .http = 1, .needs_webhook_keys = 1},
  /* Cognito's Pre sign-up trigger: links a Google sign-in to the password user with the same verified email */
  {.name = "presignup", .needs_cognito = 1, .on_event = presignup_handle},
  /* the budget alert's SNS subscriber: throttles the HTTP API's stage to a trickle */
  {.name = "costguard", .needs_apigateway = 1, .on_event = costguard_handle},
};

const apigw_route_table *routes_table(void)
{
  return &s_table;
}

const routes_group *routes_find_group(const char *name)
{
  for(size_t i = 0; i < sizeof(s_groups) / sizeof(s_groups[0]); i++) {
    if(strcmp(s_groups[i].name, name) == 0)
      return &s_groups[i];
  }
  return NULL;
}

const routes_group *routes_groups(size_t *out_count)
{
  *out_count = sizeof(s_groups) / sizeof(s_groups[0]);
  return s_groups;
}
