/* moto_store.h - Mynt's store on a fresh mynt-users table in moto_server, for the store and handlers tests. */
#ifndef MYNT_TESTS_MOTO_STORE_H
#define MYNT_TESTS_MOTO_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

/* Names a fresh table "<prefix>-<pid>-<epoch ms>" into table (cap bytes), exports the moto
 * environment for it (moto_fixture_export_env), opens the store from that environment into
 * *out_store and creates the table. Returns true; false, with nothing opened, when there is no
 * moto_server (the test runs outside ctest). Fails the running test on any error. */
bool moto_store_open(const char *prefix, char *table, size_t cap, store **out_store);

/* Deletes table and closes s (NULL: nothing). Never fails the test. */
void moto_store_free(store *s, const char *table);

#endif
