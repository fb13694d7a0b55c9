/* moto_store.h - Mynt's store on a fresh mynt-users table in moto_server, for the store and handlers tests. */
#ifndef MYNT_TESTS_MOTO_STORE_H
#define MYNT_TESTS_MOTO_STORE_H

#include <stddef.h>

#include "store/store.h"

/* For a set-up: names a fresh table "<prefix>-<pid>-<epoch ms>", exports the moto environment
 * for it (moto_fixture_export_env), opens the store from that environment into *out_store (the
 * table's name is (*out_store)->table) and creates the table; returns a zeroed state of size
 * bytes (caller free). Returns NULL, with nothing opened and *out_store NULL, for the tests to
 * skip when there is no moto_server (the test runs outside ctest). Fails the running set-up on
 * any error. */
void *moto_store_state_new(size_t size, const char *prefix, store **out_store);

/* Deletes s's table and closes s (NULL: nothing). Never fails the test. */
void moto_store_free(store *s);

#endif
