/* moto_store.c - Mynt's store on a fresh mynt-users table in moto_server, for the store and handlers tests. */
#include "support/moto_store.h"

#include <errno.h> /* program_invocation_short_name (_GNU_SOURCE, set by the build) */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/aws_config.h"
#include "aws/dynamodb.h"
#include "core/clock.h"
#include "core/detail.h"
#include "store/items.h"
#include "support/json_join.h"
#include "support/moto_fixture.h"

store *moto_store_open(const char *prefix)
{
  char table[96];
  moto_fixture_unique_name(table, sizeof table, prefix);
  if(!moto_fixture_export_env(table))
    return NULL;
  store *s = NULL;
  mynt_detail why;
  if(store_open_from_env(&s, &why) != MYNT_OK)
    fail_msg("store_open_from_env: %s", mynt_detail_text(&why));
  assert_string_equal(s->table, table);
  moto_fixture_create_table(s->ddb, table);
  return s;
}

void *moto_store_state_new(size_t size, const char *prefix, store **out_store)
{
  *out_store = moto_store_open(prefix);
  if(!*out_store)
    return NULL;
  void *state = calloc(1, size);
  assert_non_null(state);
  return state;
}

void moto_store_free(store *s)
{
  if(!s)
    return;
  moto_fixture_delete_table(s->ddb, s->table);
  store_free(s);
}

mynt_status moto_store_open_at(const char *endpoint, const char *table, store **out_store)
{
  *out_store = NULL;
  aws_config aws;
  mynt_status st = aws_config_from_env(&aws, NULL);
  if(st)
    return st;
  snprintf(aws.endpoint, sizeof aws.endpoint, "%s", endpoint);
  ddb_client *ddb = NULL;
  if((st = ddb_client_new(&aws, &ddb)))
    return st;
  return store_new(ddb, table, out_store);
}

int moto_store_fixture_setup(void **state)
{
  *state = NULL;
  char prefix[64];
  snprintf(prefix, sizeof prefix, "mynt-users-%.40s", program_invocation_short_name);
  store *db = NULL;
  moto_store_fixture *fx = moto_store_state_new(sizeof *fx, prefix, &db);
  if(!fx)
    return 0;
  fx->env.store = db;
  assert_int_equal(seal_keyring_parse(MOTO_STORE_KEYRING, &fx->env.keyring, NULL), MYNT_OK);
  assert_int_equal(arena_new(4 * 1024 * 1024, &fx->arena), MYNT_OK);
  *state = fx;
  return 0;
}

int moto_store_fixture_teardown(void **state)
{
  moto_store_fixture *fx = *state;
  if(!fx)
    return 0;
  moto_store_free(fx->env.store);
  seal_keyring_free(fx->env.keyring);
  arena_free(fx->arena);
  free(fx);
  *state = NULL;
  return 0;
}

json_t *moto_store_records(const store *s, const char *user)
{
  json_t *response =
    moto_fixture_ddb(s->ddb, "Query",
                     json_pack("{s:s, s:s, s:{s:{s:s}}, s:b}", "TableName", s->table, "KeyConditionExpression",
                               "user_id = :u", "ExpressionAttributeValues", ":u", "S", user, "ConsistentRead", 1));
  json_t *out = json_array();
  size_t i;
  json_t *raw;
  json_array_foreach(json_object_get(response, "Items"), i, raw)
    json_array_append_new(out, ddb_unmarshal_item(raw));
  json_decref(response);
  return out;
}

void moto_store_sort_keys(const store *s, const char *user, char *out, size_t cap)
{
  json_t *records = moto_store_records(s, user);
  json_join_member(records, "sk", out, cap);
  json_decref(records);
}

void moto_store_create_item(store *s, const seal_keyring *ring, const char *user, const char *item_id,
                            const char *institution_id, const char *access_token)
{
  store_item item;
  memset(&item, 0, sizeof item);
  snprintf(item.item_id, sizeof item.item_id, "%s", item_id);
  snprintf(item.institution_id, sizeof item.institution_id, "%s", institution_id);
  snprintf(item.institution_name, sizeof item.institution_name, "Bank %s", institution_id);
  assert_int_equal(store_item_public_token_digest(item_id, item.public_token_sha256), MYNT_OK);
  item.accounts = json_array();
  store_item_outcome outcome = STORE_ITEM_CREATED;
  char existing[STORE_ITEM_ID_MAX + 1];
  assert_int_equal(store_item_create(s, ring, user, &item, access_token, clock_epoch_ms() + 10000, &outcome, existing),
                   MYNT_OK);
  assert_int_equal(outcome, STORE_ITEM_CREATED);
  store_item_clear(&item);
}
