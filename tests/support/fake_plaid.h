/* fake_plaid.h - a loopback Plaid for the client's tests: validates requests as Plaid does, serves scripted items
 * (pages, failures, delays) on a script_server, and records what it saw. */
#ifndef MYNT_TESTS_FAKE_PLAID_H
#define MYNT_TESTS_FAKE_PLAID_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "plaid/plaid.h"
#include "support/script_server.h"

#define FAKE_PLAID_CLIENT_ID    "test-client-id-0001"
#define FAKE_PLAID_SECRET       "test-secret-0123456789"
#define FAKE_PLAID_PUBLIC_TOKEN "public-sandbox-5c224a01-8314-4491-a06f-39e193d5cddc" /* the one exchange accepts */
#define FAKE_PLAID_MAX_ITEMS    4
#define FAKE_PLAID_MAX_PAGES    64
/* How late after its deadline a call may return: the client's transfers time out at the deadline, and what follows
 * is the scheduler's on a loaded runner (a stall of over 150 ms was seen). Still well short of the 1500 ms a stalled
 * fake makes a client wait. */
#define FAKE_PLAID_LATE_MS 500

/* One item the server knows, with its scripted behaviour and what it saw. */
typedef struct {
  const char *token;
  const char *prefix; /* transaction ids are "<prefix>-<index>" */
  int total;          /* transactions in the window */
  int fail_count;     /* failures still to serve; -1 = forever */
  int fail_http;
  const char *fail_type; /* NULL = a non-JSON body */
  const char *fail_code;
  int delay_ms;    /* sleep before answering */
  int delay_after; /* answers served at once before delay_ms applies (0: every answer waits) */
  int hits;
  int n_pages;
  long offsets[FAKE_PLAID_MAX_PAGES];
  int counts[FAKE_PLAID_MAX_PAGES];
} fake_plaid_item;

/* Read what it saw once the client has returned. */
typedef struct {
  script_server *server;
  pthread_mutex_t lock;
  fake_plaid_item items[FAKE_PLAID_MAX_ITEMS];
  size_t n_items;
  bool secret_in_body;    /* a body carried "secret" or "client_id" */
  json_t *last_link_body; /* the last valid /link/token/create body */
  json_t *webhook_keys;   /* the JWKs /webhook_verification_key/get serves, by kid (an array; NULL: none) */
  int key_requests;       /* /webhook_verification_key/get requests received */
} fake_plaid;

/* Starts a fake Plaid on an ephemeral loopback port. Returns MYNT_OK and *out, or a failure status (*out NULL). */
mynt_status fake_plaid_new(fake_plaid **out);

/* Stops p and frees it. Accepts NULL. */
void fake_plaid_free(fake_plaid *p);

/* Adds an item answering for token with total transactions named prefix-NNNN (fails the test past
 * FAKE_PLAID_MAX_ITEMS). The item is p's; change its fields before the client calls. */
fake_plaid_item *fake_plaid_add_item(fake_plaid *p, const char *token, const char *prefix, int total);

/* Makes item answer its next count requests (-1: all) with HTTP http and a Plaid error (a non-JSON body when type
 * is NULL). */
void fake_plaid_fail(fake_plaid_item *item, int count, int http, const char *type, const char *code);

/* Makes /webhook_verification_key/get answer {"key": jwk} for jwk's kid (jwk stolen). Without a key for the asked
 * key_id it answers 400 INVALID_INPUT (the code is this fake's stand-in for Plaid's). */
void fake_plaid_add_webhook_key(fake_plaid *p, json_t *jwk);

/* A client configuration for base_url with FAKE_PLAID_CLIENT_ID, secret and short retries (20 ms, capped at
 * 100 ms). */
plaid_config fake_plaid_config(const char *base_url, const char *secret);

/* The cmocka fixture of the tests that talk to a fake Plaid: *state is a fake_plaid_fixture. */
typedef struct {
  fake_plaid *plaid;
  plaid_client *client;    /* configured by fake_plaid_config for the fake, with FAKE_PLAID_SECRET */
  fake_plaid_item *item_a; /* fake_plaid_item_a_setup's item; NULL after fake_plaid_setup */
} fake_plaid_fixture;

int fake_plaid_setup(void **state);
/* fake_plaid_setup, then adds item_a: "access-sandbox-item-a" with 10 transactions named a-NNNN. */
int fake_plaid_item_a_setup(void **state);
int fake_plaid_teardown(void **state);

#endif
