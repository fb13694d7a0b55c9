/* routes.c - the concrete route table of Mynt's HTTP API; template.yaml must agree with it. */
#include "handlers/routes.h"

#include <string.h>

#include "handlers/budgets.h"
#include "handlers/items.h"
#include "handlers/public.h"
#include "handlers/transactions.h"
#include "handlers/users.h"
#include "handlers/webhooks.h"

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

static const routes_group s_groups[] = {
  /* name, needs_store, needs_plaid, starts_syncs, http, needs_webhook_keys */
  {"public", 0, 0, 0, 1, 0},       /* health and $default */
  {"users", 1, 0, 0, 1, 0},        /* the profile */
  {"items", 1, 1, 1, 1, 0},        /* linking, refreshing (starts syncs) and removing banks */
  {"transactions", 1, 0, 0, 1, 0}, /* answers from the store: no Plaid, no access token */
  {"budgets", 1, 0, 0, 1, 0},      /* the user's monthly budgets: the table only */
  {"sync", 1, 1, 1, 0, 0},         /* the sync function: its own events, no routes */
  {"webhooks", 1, 1, 1, 1, 1},     /* Plaid's verified webhooks: item state, sync starts */
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
