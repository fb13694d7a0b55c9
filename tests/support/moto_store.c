/* moto_store.c - Mynt's store on a fresh mynt-users table in moto_server, for the store and handlers tests. */
#include "support/moto_store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/detail.h"
#include "support/moto_fixture.h"

void *moto_store_state_new(size_t size, const char *prefix, store **out_store)
{
  *out_store = NULL;
  char table[96];
  moto_fixture_unique_name(table, sizeof table, prefix);
  if(!moto_fixture_export_env(table))
    return NULL;
  void *state = calloc(1, size);
  assert_non_null(state);
  mynt_detail why;
  if(store_open_from_env(out_store, &why) != MYNT_OK)
    fail_msg("store_open_from_env: %s", mynt_detail_text(&why));
  assert_string_equal((*out_store)->table, table);
  moto_fixture_create_table((*out_store)->ddb, table);
  return state;
}

void moto_store_free(store *s)
{
  if(!s)
    return;
  moto_fixture_delete_table(s->ddb, s->table);
  store_free(s);
}
