/* moto_store.h - Mynt's store on a fresh mynt-users table in moto_server, for the store and handlers tests. */
#ifndef MYNT_TESTS_MOTO_STORE_H
#define MYNT_TESTS_MOTO_STORE_H

#include <stddef.h>

#include <jansson.h>

#include "core/arena.h"
#include "crypto/seal.h"
#include "handlers/env.h"
#include "store/store.h"

/* The keyring every moto test seals access tokens with. */
#define MOTO_STORE_KEYRING "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

/* For a set-up: names a fresh table "<prefix>-<pid>-<epoch ms>", exports the moto environment
 * for it (moto_fixture_export_env), opens the store from that environment into *out_store (the
 * table's name is (*out_store)->table) and creates the table; returns a zeroed state of size
 * bytes (caller free). Returns NULL, with nothing opened and *out_store NULL, for the tests to
 * skip when there is no moto_server (the test runs outside ctest). Fails the running set-up on
 * any error. */
void *moto_store_state_new(size_t size, const char *prefix, store **out_store);

/* As moto_store_state_new without the state: returns the store on a fresh table (caller
 * moto_store_free), or NULL when there is no moto_server. */
store *moto_store_open(const char *prefix);

/* Deletes s's table and closes s (NULL: nothing). Never fails the test. */
void moto_store_free(store *s);

/* Opens *out_store on table through endpoint (a relay in front of moto) with the region and
 * credentials the moto environment holds (moto_fixture_export_env). Calls no cmocka function (a
 * forked child may use it); returns the first failure, leaving *out_store NULL. */
mynt_status moto_store_open_at(const char *endpoint, const char *table, store **out_store);

/* What most moto tests hold: a handler's env whose store is on a fresh table (reached directly)
 * and whose keyring is MOTO_STORE_KEYRING's, and a 4 MiB arena to serve requests in. */
typedef struct {
  handlers_env env;
  mynt_arena *arena;
} moto_store_fixture;

/* A cmocka set-up: *state = a new moto_store_fixture on a fresh table named after the test
 * program ("mynt-users-<program>-<pid>-<epoch ms>"), or NULL when there is no moto_server
 * (moto_fixture_state_or_skip then skips). Returns 0; fails the set-up on any error. */
int moto_store_fixture_setup(void **state);

/* A cmocka tear-down: deletes the table and frees what moto_store_fixture_setup made
 * (*state NULL: nothing). Returns 0. */
int moto_store_fixture_teardown(void **state);

/* Every record of user's partition in s's table as plain JSON objects, in sort-key order, read
 * with a consistent Query (caller json_decref). Fails the test on any error. */
json_t *moto_store_records(const store *s, const char *user);

/* The sort keys of user's records (moto_store_records) joined by spaces into out (cap bytes). */
void moto_store_sort_keys(const store *s, const char *user, char *out, size_t cap);

/* Creates item_id of institution_id ("Bank <institution_id>", no accounts, the digest of item_id
 * as its public token's) for user with access_token sealed by ring, as linking does (which writes
 * the #ITEMS owner record too). Fails the test unless it is created. */
void moto_store_create_item(store *s, const seal_keyring *ring, const char *user, const char *item_id,
                            const char *institution_id, const char *access_token);

#endif
