/* sim_link.h - linking banks of the in-process Plaid simulator through Mynt's routes, for the handlers tests on
 * moto: the simulator's sandbox and /sim calls, the body of POST /items, and one request served through the route
 * table with no access token let out. */
#ifndef MYNT_TESTS_SIM_LINK_H
#define MYNT_TESTS_SIM_LINK_H

#include <jansson.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "apigw/router.h"
#include "aws/aws_config.h"
#include "core/arena.h"
#include "handlers/env.h"
#include "local/plaid_sim/plaid_sim.h"
#include "store/store.h"
#include "support/fake_lambda.h"
#include "support/script_server.h"

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
 * the answer. A route with {item_id} takes it from the path's segment after "/items/". Returns the payload (caller
 * json_decref). */
json_t *sim_link_serve(const apigw_ctx *ctx, const sim_link_request *r);

/* As sim_link_serve, with env and f's arena, a deadline deadline_ms from now and invocation_id; fails the test,
 * naming the request and the body, unless the answer's status is status. Returns the body (caller json_decref). */
json_t *sim_link_serve_status(const sim_link_fixture *f, handlers_env *env, const char *invocation_id,
                              int64_t deadline_ms, const sim_link_request *r, int status);

/* Where the clients of sim_link_env_open go. */
typedef struct {
  const char *ddb_url;       /* the store's DynamoDB endpoint (moto, or a relay in front of it) */
  const char *table;         /* the store's table */
  const char *plaid_url;     /* Plaid's (the simulator, or a relay in front of it) */
  const aws_config *lambda;  /* the Lambda Invoke endpoint; NULL: no Lambda client */
  const char *sync_function; /* the function syncs are started in, with lambda */
} sim_link_env_spec;

/* Fills *out_env with new clients as the bootstrap would: the store on spec->table at spec->ddb_url (the moto
 * environment's region and credentials: moto_store_open_at), Plaid at spec->plaid_url with the simulator's
 * credentials and short retries (20..100 ms), the keyring MOTO_STORE_KEYRING and, with spec->lambda, the Lambda
 * client. Calls no cmocka function (a forked child may use it); returns the first failure, with what was made left
 * for sim_link_env_close. */
mynt_status sim_link_env_open(const sim_link_env_spec *spec, handlers_env *out_env);

/* Frees what sim_link_env_open made (bootstrap_env_free) and clears *env. */
void sim_link_env_close(handlers_env *env);

/* The simulator's whole history of item_id as stored records (sync_records_txn), in the simulator's order. Caller
 * json_decref; fails the test on any error. */
json_t *sim_link_truth(const plaid_sim *sim, const char *item_id);

/* A new array of list's elements (list consumed) in order, a qsort comparison of two (json_t *const *). */
json_t *sim_link_sorted(json_t *list, int (*order)(const void *, const void *));

/* A new array of list's transactions (list consumed) in the history's order: date descending, then transaction_id. */
json_t *sim_link_in_history_order(json_t *list);

/* What s holds of user's item_id: its whole history read directly, each record's item_id (asserted to be item_id)
 * taken off, in the history's order. Caller json_decref; fails the test on any error. */
json_t *sim_link_stored(store *s, const char *user, const char *item_id);

/* Fails the test unless the month counts of user's item_id in s add up to want. */
void sim_link_assert_month_counts(store *s, const char *user, const char *item_id, size_t want);

/* What a group of tests holds whose handlers reach moto and the simulator through relays that fail, stall or rewrite
 * chosen calls. */
typedef struct {
  sim_link_fixture link;      /* the simulator and the arena */
  char moto_url[256];         /* moto_server's endpoint */
  script_server *ddb_relay;   /* in front of moto_url */
  script_server *plaid_relay; /* in front of the simulator; NULL when not asked for */
  fake_lambda *lambda;        /* where env starts syncs; NULL when not asked for */
  char sync_function[64];     /* the function it starts them in */
  pthread_mutex_t lock;       /* for what the relay handler shares with the tests */
  store *direct;              /* the table of sim_link_relays_open_table, reached directly */
  handlers_env env;           /* a handler's clients on it behind the relays */
} sim_link_relays;

/* For a group set-up: starts the simulator (sim_link_fixture_open), a relay in front of moto and, with plaid_relay,
 * one in front of the simulator, both served by relay with the upstream URL as ctx, and, with sync_function (NULL:
 * none), a fake Lambda. Returns it (caller sim_link_relays_free), or NULL for the tests to skip when there is no
 * moto_server. Fails the set-up on any error. */
sim_link_relays *sim_link_relays_new(script_handler relay, bool plaid_relay, const char *sync_function);

/* Closes r's table (sim_link_relays_close_table) and frees r (NULL: nothing). */
void sim_link_relays_free(sim_link_relays *r);

/* Opens r->direct on a fresh table "<prefix>-…" (moto_store_open) and r->env on it (sim_link_relays_env_open), and
 * drops what the fake Lambda received so far. Fails the test on any error. */
void sim_link_relays_open_table(sim_link_relays *r, const char *prefix);

/* Closes r->env, deletes r->direct's table and closes it (no table open: nothing). */
void sim_link_relays_close_table(sim_link_relays *r);

/* Fills *out_env as sim_link_env_open does for r's table behind r's relays (Plaid: r->plaid_relay, else the
 * simulator) and r's fake Lambda. Calls no cmocka function (a forked child may use it). */
mynt_status sim_link_relays_env_open(const sim_link_relays *r, handlers_env *out_env);

/* What a group of sim_link_group_use asks for besides the DynamoDB relay. */
enum {
  SIM_LINK_PLAID_RELAY = 1 << 0,   /* a relay in front of the simulator too */
  SIM_LINK_TABLE_PER_TEST = 1 << 1 /* a fresh table for every test (else one for the group) */
};

/* Names the group sim_link_group_setup and the others below serve; call it before cmocka_run_group_tests. fixture is
 * where the tests find the group's relays (NULL when there is no moto_server); relay is both relays' handler (ctx:
 * the upstream URL); reset forgets its rules (before and after every test); sync_function (NULL: none) asks for a
 * fake Lambda and names the function syncs are started in; flags are SIM_LINK_* bits. */
void sim_link_group_use(sim_link_relays **fixture, script_handler relay, void (*reset)(void), const char *sync_function,
                        unsigned flags);

/* cmocka set-ups and tear-downs of the group sim_link_group_use named: the group's relays (sim_link_relays_new) into
 * *fixture (NULL, for the tests to skip, without moto_server) with, unless SIM_LINK_TABLE_PER_TEST, its table
 * "mynt-users-<program>-…"; per test, reset() and, with SIM_LINK_TABLE_PER_TEST, a fresh table
 * "mynt-users-<program>-<n>-…". Each returns 0; a failure fails the set-up. */
int sim_link_group_setup(void **state);
int sim_link_group_teardown(void **state);
int sim_link_group_test_setup(void **state);
int sim_link_group_test_teardown(void **state);

/* Skips the running test when the group found no moto_server. */
void sim_link_group_skip_without_moto(void);

#endif
