/* sim_link.h - linking banks of the in-process Plaid simulator through Mynt's routes, for the handlers tests on
 * moto: the simulator's sandbox and /sim calls, the body of POST /items, and one request served through the route
 * table with no access token let out. */
#ifndef MYNT_TESTS_SIM_LINK_H
#define MYNT_TESTS_SIM_LINK_H

#include <jansson.h>

#include <stddef.h>

#include "apigw/router.h"
#include "core/arena.h"
#include "local/plaid_sim/plaid_sim.h"

/* The simulator's Plaid credentials (plaid_sim_config) the calls below present. */
#define SIM_LINK_CLIENT "plaid-sim-client"
#define SIM_LINK_SECRET "plaid-sim-secret"

/* What a group of these tests holds beside its store and Plaid client. */
typedef struct {
  plaid_sim *sim;    /* the in-process simulator, taking SIM_LINK_CLIENT and SIM_LINK_SECRET */
  char sim_url[64];  /* its base URL */
  mynt_arena *arena; /* the arena requests are served in */
} sim_link_fixture;

/* For a group set-up: initialises libcurl, starts the simulator and makes the arena into *f; fails the set-up on
 * any error. */
void sim_link_fixture_open(sim_link_fixture *f);

/* Frees what sim_link_fixture_open made and cleans libcurl up. */
void sim_link_fixture_close(sim_link_fixture *f);

/* Calls sim directly: method path with an optional JSON body (consumed) and Plaid's auth headers. Asserts the call
 * was answered with JSON; returns it (caller json_decref) and, unless out_status is NULL, its status. */
json_t *sim_link_call(const plaid_sim *sim, const char *method, const char *path, json_t *body, long *out_status);

/* The body of POST /items (malloc'd) for a new sandbox public token of institution with days_requested of history
 * (0: the sandbox's default) and extra members (a JSON fragment starting with ',', or ""). */
char *sim_link_items_body(const plaid_sim *sim, const char *institution, int days_requested, const char *extra);

/* The simulator's summary of item_id (caller json_decref); fails the test when it does not know it. */
json_t *sim_link_sim_item(const plaid_sim *sim, const char *item_id);

/* The item_id of an answer to POST /items. Borrowed from created. */
const char *sim_link_item_id(const json_t *created);

/* One request to a route; NULL fields are left out. */
typedef struct {
  const char *group; /* the route group: "items", "transactions" */
  const char *method;
  const char *route_key;
  const char *path; /* for a {item_id} route, ends with the item id */
  const char *sub;
  const char *body;
  json_t *query; /* consumed */
} sim_link_request;

/* Serves r through routes_table() with ctx, then resets ctx->arena; asserts no access token appears anywhere in
 * the answer. Returns the payload (caller json_decref). */
json_t *sim_link_serve(const apigw_ctx *ctx, const sim_link_request *r);

#endif
