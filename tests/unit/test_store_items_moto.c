/* test_store_items_moto.c - the item record and its INST/PUBTOKEN markers against moto_server (the "moto" fixture). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "aws/dynamodb.h"
#include "core/clock.h"
#include "core/wipe.h"
#include "crypto/seal.h"
#include "store/items.h"
#include "store/store.h"
#include "support/json_join.h"
#include "support/moto_fixture.h"
#include "support/moto_store.h"

#define TOKEN_A "access-sandbox-0123456789abcdef-aaaa"
#define TOKEN_B "access-sandbox-0123456789abcdef-bbbb"

typedef moto_store_fixture s_fixture;

/* A new item to create: ids, digest of public_token, two accounts. */
static void s_new_item(store_item *item, const char *item_id, const char *institution_id, const char *public_token)
{
  memset(item, 0, sizeof(*item));
  snprintf(item->item_id, sizeof(item->item_id), "%s", item_id);
  snprintf(item->institution_id, sizeof(item->institution_id), "%s", institution_id);
  snprintf(item->institution_name, sizeof(item->institution_name), "Bank %s", institution_id);
  assert_int_equal(store_item_public_token_digest(public_token, item->public_token_sha256), MYNT_OK);
  item->accounts = json_pack("[{s:s, s:s, s:s, s:s, s:s}, {s:s, s:s, s:n, s:s, s:n}]", "account_id", "acc-checking",
                             "name", "Checking", "mask", "0000", "type", "depository", "subtype", "checking",
                             "account_id", "acc-card", "name", "Card", "mask", "type", "credit", "subtype");
  assert_non_null(item->accounts);
}

/* Creates the item; returns the outcome and leaves the existing id in existing. */
static store_item_outcome s_create(s_fixture *fx, const char *user, store_item *item, const char *token,
                                   char existing[STORE_ITEM_ID_MAX + 1])
{
  store_item_outcome outcome = STORE_ITEM_CREATED;
  assert_int_equal(
    store_item_create(fx->env.store, fx->env.keyring, user, item, token, clock_epoch_ms() + 10000, &outcome, existing),
    MYNT_OK);
  return outcome;
}

/* Makes item-1 of ins_109508 from public-sandbox-one and creates it for user-a with TOKEN_A,
 * asserting it is created. */
static void s_create_item_1(s_fixture *fx, store_item *item)
{
  char existing[STORE_ITEM_ID_MAX + 1];
  s_new_item(item, "item-1", "ins_109508", "public-sandbox-one");
  assert_int_equal(s_create(fx, "user-a", item, TOKEN_A, existing), STORE_ITEM_CREATED);
}

static void test_public_token_digest_is_lower_case_hex_sha256(void **state)
{
  (void)state;
  char hex[STORE_SHA256_HEX_LEN + 1];
  assert_int_equal(store_item_public_token_digest("abc", hex), MYNT_OK);
  assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_account_record_keeps_an_unknown_name_empty_and_refuses_an_invalid_id(void **state)
{
  (void)state;
  store_item_account account = {.account_id = "a1", .type = "depository"};
  json_t *record = store_item_account_record(&account);
  char *text = json_dumps(record, JSON_COMPACT | JSON_PRESERVE_ORDER);
  assert_string_equal(text,
                      "{\"account_id\":\"a1\",\"name\":\"\",\"mask\":null,\"type\":\"depository\",\"subtype\":null}");
  free(text);
  json_decref(record);
  account.account_id = "a#1";
  assert_null(store_item_account_record(&account));
}

static void test_create_writes_the_item_and_both_markers_with_only_a_sealed_token(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  store_item item;
  char existing[STORE_ITEM_ID_MAX + 1];
  s_new_item(&item, "item-1", "ins_109508", "public-sandbox-one");
  assert_int_equal(s_create(fx, "user-a", &item, TOKEN_A, existing), STORE_ITEM_CREATED);
  assert_string_equal(existing, "");
  assert_int_equal(strlen(item.created_at), 20);
  char digest[STORE_SHA256_HEX_LEN + 1];
  assert_int_equal(store_item_public_token_digest("public-sandbox-one", digest), MYNT_OK);

  char keys[512];
  char expected[512];
  moto_store_sort_keys(fx->env.store, "user-a", keys, sizeof(keys));
  snprintf(expected, sizeof(expected), "INST#ins_109508 ITEM#item-1 PUBTOKEN#%s", digest);
  assert_string_equal(keys, expected);

  json_t *records = moto_store_records(fx->env.store, "user-a");
  char *text = json_dumps(records, 0);
  assert_null(strstr(text, TOKEN_A));
  assert_null(strstr(text, "public-sandbox-one"));
  free(text);
  json_t *record = json_array_get(records, 1);
  assert_string_equal(json_string_value(json_object_get(record, "status")), "active");
  assert_string_equal(json_string_value(json_object_get(record, "institution_name")), "Bank ins_109508");
  assert_true(json_equal(json_object_get(record, "accounts"), item.accounts));
  assert_string_equal(json_string_value(json_object_get(json_array_get(records, 0), "item_id")), "item-1");
  assert_string_equal(json_string_value(json_object_get(json_array_get(records, 2), "item_id")), "item-1");
  json_decref(records);

  store_item stored;
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &stored), MYNT_OK);
  assert_string_equal(stored.created_at, item.created_at);
  assert_int_equal(stored.status, STORE_ITEM_ACTIVE);
  assert_true(store_item_has_account(&stored, "acc-card"));
  assert_false(store_item_has_account(&stored, "acc-other"));
  char *token = NULL;
  size_t len = 0;
  assert_int_equal(store_item_open_token(fx->env.keyring, "user-a", &stored, &token, &len), MYNT_OK);
  assert_string_equal(token, TOKEN_A);
  mynt_wipe_free(token);
  store_item_clear(&stored);
  store_item_clear(&item);
}

static void test_a_second_item_of_the_same_institution_is_refused_and_leaves_nothing(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  store_item first;
  store_item second;
  char existing[STORE_ITEM_ID_MAX + 1];
  s_new_item(&first, "item-1", "ins_109508", "public-sandbox-one");
  s_new_item(&second, "item-2", "ins_109508", "public-sandbox-two");
  assert_int_equal(s_create(fx, "user-a", &first, TOKEN_A, existing), STORE_ITEM_CREATED);
  assert_int_equal(s_create(fx, "user-a", &second, TOKEN_B, existing), STORE_ITEM_DUPLICATE_INSTITUTION);
  assert_string_equal(existing, "item-1");
  assert_string_equal(second.sealed_token, "");

  json_t *records = moto_store_records(fx->env.store, "user-a");
  assert_int_equal(json_array_size(records), 3);
  char *text = json_dumps(records, 0);
  assert_null(strstr(text, "item-2"));
  free(text);
  json_decref(records);

  /* Another institution is fine, and the same institution for another user too. */
  store_item third;
  s_new_item(&third, "item-3", "ins_109509", "public-sandbox-three");
  assert_int_equal(s_create(fx, "user-a", &third, TOKEN_B, existing), STORE_ITEM_CREATED);
  assert_int_equal(s_create(fx, "user-b", &second, TOKEN_B, existing), STORE_ITEM_CREATED);
  store_item_clear(&first);
  store_item_clear(&second);
  store_item_clear(&third);
}

static void test_the_public_token_marker_makes_a_retry_find_the_first_item(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  store_item item;
  store_item retry;
  store_item found;
  char existing[STORE_ITEM_ID_MAX + 1];
  char digest[STORE_SHA256_HEX_LEN + 1];
  assert_int_equal(store_item_public_token_digest("public-sandbox-one", digest), MYNT_OK);
  assert_int_equal(store_item_find_by_public_token(fx->env.store, "user-a", digest, 0, &found), MYNT_NOT_FOUND);

  s_create_item_1(fx, &item);
  assert_int_equal(store_item_find_by_public_token(fx->env.store, "user-a", digest, 0, &found), MYNT_OK);
  assert_string_equal(found.item_id, "item-1");
  store_item_clear(&found);
  assert_int_equal(store_item_find_by_public_token(fx->env.store, "user-b", digest, 0, &found), MYNT_NOT_FOUND);

  /* The same transaction sent again (its first answer lost) names its own item. */
  assert_int_equal(s_create(fx, "user-a", &item, TOKEN_A, existing), STORE_ITEM_SAME_PUBLIC_TOKEN);
  assert_string_equal(existing, "item-1");
  /* Another item made from the same public token never gets a record. */
  s_new_item(&retry, "item-9", "ins_109510", "public-sandbox-one");
  assert_int_equal(s_create(fx, "user-a", &retry, TOKEN_B, existing), STORE_ITEM_SAME_PUBLIC_TOKEN);
  assert_string_equal(existing, "item-1");
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-9", 0, &found), MYNT_NOT_FOUND);
  json_t *records = moto_store_records(fx->env.store, "user-a");
  assert_int_equal(json_array_size(records), 3);
  json_decref(records);
  store_item_clear(&item);
  store_item_clear(&retry);
}

static void test_list_returns_items_in_item_order_without_markers(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  store_item *items = NULL;
  size_t n = 99;
  assert_int_equal(store_item_list(fx->env.store, "user-a", 0, &items, &n), MYNT_OK);
  assert_int_equal(n, 0);
  assert_null(items);
  static const char *const ids[] = {"item-c", "item-a", "item-b"};
  static const char *const institutions[] = {"ins_1", "ins_2", "ins_3"};
  for(size_t i = 0; i < 3; i++) {
    store_item item;
    char existing[STORE_ITEM_ID_MAX + 1];
    char public_token[32];
    snprintf(public_token, sizeof(public_token), "public-%zu", i);
    s_new_item(&item, ids[i], institutions[i], public_token);
    assert_int_equal(s_create(fx, "user-a", &item, TOKEN_A, existing), STORE_ITEM_CREATED);
    store_item_clear(&item);
  }
  assert_int_equal(store_item_list(fx->env.store, "user-a", 0, &items, &n), MYNT_OK);
  assert_int_equal(n, 3);
  assert_string_equal(items[0].item_id, "item-a");
  assert_string_equal(items[1].item_id, "item-b");
  assert_string_equal(items[2].item_id, "item-c");
  assert_string_equal(items[2].institution_id, "ins_1");
  assert_int_equal(json_array_size(items[0].accounts), 2);
  store_items_free(items, n);
}

static void test_status_and_accounts_updates_touch_only_existing_items(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  store_item item;
  store_item stored;
  s_create_item_1(fx, &item);

  assert_int_equal(store_item_set_status(fx->env.store, "user-a", "item-1", STORE_ITEM_LOGIN_REQUIRED, 0), MYNT_OK);
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &stored), MYNT_OK);
  assert_int_equal(stored.status, STORE_ITEM_LOGIN_REQUIRED);
  assert_string_equal(store_item_status_name(stored.status), "login_required");
  store_item_clear(&stored);

  json_t *accounts =
    json_pack("[{s:s, s:s, s:n, s:n, s:n}]", "account_id", "acc-new", "name", "New", "mask", "type", "subtype");
  assert_int_equal(store_item_set_accounts(fx->env.store, "user-a", "item-1", accounts, 0), MYNT_OK);
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &stored), MYNT_OK);
  assert_true(json_equal(stored.accounts, accounts));
  assert_true(store_item_has_account(&stored, "acc-new"));
  store_item_clear(&stored);

  assert_int_equal(store_item_set_status(fx->env.store, "user-b", "item-1", STORE_ITEM_ACTIVE, 0), MYNT_NOT_FOUND);
  assert_int_equal(store_item_set_accounts(fx->env.store, "user-a", "item-none", accounts, 0), MYNT_NOT_FOUND);
  json_t *records = moto_store_records(fx->env.store, "user-b");
  assert_int_equal(json_array_size(records), 0);
  json_decref(records);
  records = moto_store_records(fx->env.store, "user-a");
  assert_int_equal(json_array_size(records), 3);
  json_decref(records);
  json_decref(accounts);
  store_item_clear(&item);
}

static void test_delete_removes_the_item_and_both_markers_so_the_bank_can_be_linked_again(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  store_item item;
  store_item stored;
  char existing[STORE_ITEM_ID_MAX + 1];
  s_create_item_1(fx, &item);
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &stored), MYNT_OK);
  assert_int_equal(store_item_delete(fx->env.store, "user-a", &stored, 0), MYNT_OK);
  json_t *records = moto_store_records(fx->env.store, "user-a");
  assert_int_equal(json_array_size(records), 0);
  json_decref(records);
  store_item_clear(&item);
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &item), MYNT_NOT_FOUND);
  assert_int_equal(store_item_delete(fx->env.store, "user-a", &stored, 0), MYNT_NOT_FOUND);
  store_item_clear(&stored);

  store_item again;
  s_new_item(&again, "item-2", "ins_109508", "public-sandbox-two");
  assert_int_equal(s_create(fx, "user-a", &again, TOKEN_B, existing), STORE_ITEM_CREATED);
  store_item_clear(&again);
}

static void test_other_users_never_reach_an_item(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  store_item item;
  store_item stored;
  store_item other;
  s_create_item_1(fx, &item);
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &stored), MYNT_OK);

  assert_int_equal(store_item_get(fx->env.store, "user-b", "item-1", 0, &other), MYNT_NOT_FOUND);
  store_item *items = NULL;
  size_t n = 0;
  assert_int_equal(store_item_list(fx->env.store, "user-b", 0, &items, &n), MYNT_OK);
  assert_int_equal(n, 0);
  assert_int_equal(store_item_delete(fx->env.store, "user-b", &stored, 0), MYNT_NOT_FOUND);
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &other), MYNT_OK);
  store_item_clear(&other);

  /* A record copied into another user's partition does not open for that user. */
  char *token = NULL;
  size_t len = 0;
  assert_int_equal(store_item_open_token(fx->env.keyring, "user-b", &stored, &token, &len), MYNT_INTERNAL);
  assert_null(token);

  /* Ids that cannot be keys are simply not found. */
  assert_int_equal(store_item_get(fx->env.store, "user-a", "ITEM#item-1", 0, &other), MYNT_NOT_FOUND);
  assert_int_equal(store_item_get(fx->env.store, "user-a", "", 0, &other), MYNT_NOT_FOUND);
  assert_int_equal(store_item_get(fx->env.store, "user-a", NULL, 0, &other), MYNT_NOT_FOUND);
  store_item_clear(&stored);
  store_item_clear(&item);
}

static void test_status_names_cover_the_four_statuses(void **state)
{
  (void)state;
  static const char *const names[] = {"active", "login_required", "expiring", "revoked"};
  for(size_t i = 0; i < 4; i++) {
    store_item_status parsed = STORE_ITEM_ACTIVE;
    assert_true(store_item_status_parse(names[i], &parsed));
    assert_int_equal(parsed, (store_item_status)i);
    assert_string_equal(store_item_status_name(parsed), names[i]);
  }
  store_item_status untouched = STORE_ITEM_REVOKED;
  assert_false(store_item_status_parse("Active", &untouched));
  assert_false(store_item_status_parse(NULL, &untouched));
  assert_int_equal(untouched, STORE_ITEM_REVOKED);
}

static void test_create_writes_an_owner_record_that_the_delete_removes(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  store_item item;
  store_item stored;
  char owner[STORE_USER_ID_MAX + 1];
  assert_int_equal(store_item_owner(fx->env.store, "item-1", 0, owner), MYNT_NOT_FOUND);
  s_create_item_1(fx, &item);
  assert_int_equal(store_item_owner(fx->env.store, "item-1", 0, owner), MYNT_OK);
  assert_string_equal(owner, "user-a");
  json_t *refs = moto_store_records(fx->env.store, "#ITEMS");
  assert_int_equal(json_array_size(refs), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(refs, 0), "sk")), "ITEM#item-1");
  assert_string_equal(json_string_value(json_object_get(json_array_get(refs, 0), "created_at")), item.created_at);
  json_decref(refs);

  /* A fresh item has never synced, has no months and no new accounts. */
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &stored), MYNT_OK);
  assert_string_equal(stored.sync.cursor, "");
  assert_int_equal(stored.sync.last_synced_at_ms, 0);
  assert_false(stored.sync.initial_complete);
  assert_false(stored.sync.history_complete);
  assert_string_equal(stored.sync.last_error, "");
  assert_int_equal(stored.sync.requested_at_ms, 0);
  assert_false(stored.new_accounts_available);
  assert_string_equal(stored.balances_as_of, "");
  assert_true(json_is_object(stored.months));
  assert_int_equal(json_object_size(stored.months), 0);

  /* Another user cannot delete it, nor its owner record. */
  assert_int_equal(store_item_delete(fx->env.store, "user-b", &stored, 0), MYNT_NOT_FOUND);
  assert_int_equal(store_item_owner(fx->env.store, "item-1", 0, owner), MYNT_OK);
  assert_int_equal(store_item_delete(fx->env.store, "user-a", &stored, 0), MYNT_OK);
  assert_int_equal(store_item_owner(fx->env.store, "item-1", 0, owner), MYNT_NOT_FOUND);
  assert_string_equal(owner, "");
  refs = moto_store_records(fx->env.store, "#ITEMS");
  assert_int_equal(json_array_size(refs), 0);
  json_decref(refs);
  store_item_clear(&stored);
  store_item_clear(&item);
}

/* Collects every (item, owner) pair into the object arg; stops at the item named "stop-here". */
static mynt_status s_collect_ref(void *arg, const char *item_id, const char *user_id)
{
  if(strcmp(item_id, "stop-here") == 0)
    return MYNT_RATE_LIMITED;
  json_t *seen = arg;
  assert_null(json_object_get(seen, item_id));
  json_object_set_new(seen, item_id, json_string(user_id));
  return MYNT_OK;
}

static void test_refs_each_walks_every_page_of_owner_records(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  /* 230 owner records (more than two pages of 100), 25 per BatchWriteItem. */
  for(int batch = 0; batch < 230 / 23; batch++) {
    json_t *puts = json_array();
    for(int k = 0; k < 23; k++) {
      char sk[32];
      char user[32];
      int n = batch * 23 + k;
      snprintf(sk, sizeof sk, "ITEM#item-%03d", n);
      snprintf(user, sizeof user, "user-%d", n % 7);
      json_array_append_new(puts, json_pack("{s:{s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}}", "PutRequest", "Item",
                                            "user_id", "S", "#ITEMS", "sk", "S", sk, "owner", "S", user, "created_at",
                                            "S", "2026-11-01T00:00:00Z"));
    }
    json_decref(moto_fixture_ddb(fx->env.store->ddb, "BatchWriteItem",
                                 json_pack("{s:{s:o}}", "RequestItems", fx->env.store->table, puts)));
  }
  /* A user's own item records are not owner records. */
  store_item item;
  s_create_item_1(fx, &item);
  json_t *seen = json_object();
  assert_int_equal(store_item_refs_each(fx->env.store, clock_epoch_ms() + 20000, s_collect_ref, seen), MYNT_OK);
  assert_int_equal(json_object_size(seen), 231);
  assert_string_equal(json_string_value(json_object_get(seen, "item-000")), "user-0");
  assert_string_equal(json_string_value(json_object_get(seen, "item-229")), "user-5");
  assert_string_equal(json_string_value(json_object_get(seen, "item-1")), "user-a");
  json_decref(seen);

  /* A status from the callback stops the walk and is returned. */
  json_decref(
    moto_fixture_ddb(fx->env.store->ddb, "PutItem",
                     json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}}", "TableName", fx->env.store->table, "Item",
                               "user_id", "S", "#ITEMS", "sk", "S", "ITEM#stop-here", "owner", "S", "user-z")));
  seen = json_object();
  assert_int_equal(store_item_refs_each(fx->env.store, clock_epoch_ms() + 20000, s_collect_ref, seen),
                   MYNT_RATE_LIMITED);
  /* item order: "item-..." < "stop-here", so all the others came first. */
  assert_int_equal(json_object_size(seen), 231);
  json_decref(seen);
  store_item_clear(&item);
}

/* Asks for a sync of user's item_id at t (60 s apart at the least); asserts the status and whether it was accepted. */
static void s_request_sync(s_fixture *fx, const char *user, const char *item_id, int64_t t, mynt_status want,
                           bool want_accepted)
{
  bool accepted = !want_accepted;
  assert_int_equal(store_item_request_sync(fx->env.store, user, item_id, t, 60000, 0, &accepted), want);
  assert_int_equal(accepted, want_accepted);
}

/* user-a's item-1 as stored (caller store_item_clear). */
static store_item s_stored_item_1(s_fixture *fx)
{
  store_item stored;
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &stored), MYNT_OK);
  return stored;
}

static void test_request_sync_is_accepted_once_per_interval(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  store_item item;
  s_create_item_1(fx, &item);
  int64_t t = 1790000000000;
  s_request_sync(fx, "user-a", "item-1", t, MYNT_OK, true);
  s_request_sync(fx, "user-a", "item-1", t + 59999, MYNT_OK, false);
  store_item stored = s_stored_item_1(fx);
  assert_int_equal(stored.sync.requested_at_ms, t);
  store_item_clear(&stored);
  s_request_sync(fx, "user-a", "item-1", t + 60000, MYNT_OK, true);
  stored = s_stored_item_1(fx);
  assert_int_equal(stored.sync.requested_at_ms, t + 60000);
  store_item_clear(&stored);

  s_request_sync(fx, "user-b", "item-1", t + 200000, MYNT_NOT_FOUND, false);
  bool accepted = false;
  assert_int_equal(store_item_request_sync(fx->env.store, "user-a", "item-2", t, 60000, 0, &accepted), MYNT_NOT_FOUND);
  json_t *records = moto_store_records(fx->env.store, "user-b");
  assert_int_equal(json_array_size(records), 0);
  json_decref(records);

  /* An item record written before sync state existed gets one. */
  json_decref(
    moto_fixture_ddb(fx->env.store->ddb, "UpdateItem",
                     json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:s}", "TableName", fx->env.store->table, "Key", "user_id",
                               "S", "user-a", "sk", "S", "ITEM#item-1", "UpdateExpression", "REMOVE sync")));
  s_request_sync(fx, "user-a", "item-1", t, MYNT_OK, true);
  stored = s_stored_item_1(fx);
  assert_int_equal(stored.sync.requested_at_ms, t);
  assert_string_equal(stored.sync.cursor, "");
  store_item_clear(&stored);
  store_item_clear(&item);
}

static void test_save_sync_keeps_the_request_time_and_a_sync_error_keeps_the_cursor(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  store_item item;
  store_item stored;
  s_create_item_1(fx, &item);
  bool accepted = false;
  assert_int_equal(store_item_request_sync(fx->env.store, "user-a", "item-1", 1790000000000, 60000, 0, &accepted),
                   MYNT_OK);

  store_item_sync sync = {.last_synced_at_ms = 1790000123000, .initial_complete = true};
  snprintf(sync.cursor, sizeof sync.cursor, "cursor-1");
  json_t *months = json_pack("{s:i, s:i}", "2026-10", 12, "2026-11", 3);
  json_t *accounts = json_pack("[{s:s, s:s, s:s, s:s, s:s, s:{s:f, s:f, s:n, s:s}}]", "account_id", "acc-checking",
                               "name", "Checking", "mask", "0000", "type", "depository", "subtype", "checking",
                               "balances", "available", 100.5, "current", 110.25, "limit", "iso_currency_code", "USD");
  assert_int_equal(
    store_item_save_sync(fx->env.store, "user-a", "item-1", &sync, months, accounts, "2026-11-20T10:00:00Z", 0),
    MYNT_OK);
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &stored), MYNT_OK);
  assert_string_equal(stored.sync.cursor, "cursor-1");
  assert_int_equal(stored.sync.last_synced_at_ms, 1790000123000);
  assert_true(stored.sync.initial_complete);
  assert_false(stored.sync.history_complete);
  assert_string_equal(stored.sync.last_error, "");
  assert_int_equal(stored.sync.requested_at_ms, 1790000000000);
  assert_true(json_equal(stored.months, months));
  assert_true(json_equal(stored.accounts, accounts));
  assert_string_equal(stored.balances_as_of, "2026-11-20T10:00:00Z");
  store_item_clear(&stored);

  /* A failed sync records its error only. */
  assert_int_equal(store_item_set_sync_error(fx->env.store, "user-a", "item-1", "ITEM_LOGIN_REQUIRED", 0), MYNT_OK);
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &stored), MYNT_OK);
  assert_string_equal(stored.sync.last_error, "ITEM_LOGIN_REQUIRED");
  assert_string_equal(stored.sync.cursor, "cursor-1");
  assert_int_equal(stored.sync.last_synced_at_ms, 1790000123000);
  assert_true(json_equal(stored.months, months));
  store_item_clear(&stored);

  /* The next good sync clears it; NULL accounts and balances_as_of keep the stored ones. */
  sync.history_complete = true;
  snprintf(sync.cursor, sizeof sync.cursor, "cursor-2");
  assert_int_equal(store_item_save_sync(fx->env.store, "user-a", "item-1", &sync, months, NULL, NULL, 0), MYNT_OK);
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &stored), MYNT_OK);
  assert_string_equal(stored.sync.last_error, "");
  assert_string_equal(stored.sync.cursor, "cursor-2");
  assert_true(stored.sync.history_complete);
  assert_true(json_equal(stored.accounts, accounts));
  assert_string_equal(stored.balances_as_of, "2026-11-20T10:00:00Z");
  store_item_clear(&stored);

  assert_int_equal(store_item_set_new_accounts(fx->env.store, "user-a", "item-1", true, 0), MYNT_OK);
  assert_int_equal(store_item_set_status(fx->env.store, "user-a", "item-1", STORE_ITEM_EXPIRING, 0), MYNT_OK);
  assert_int_equal(store_item_get(fx->env.store, "user-a", "item-1", 0, &stored), MYNT_OK);
  assert_true(stored.new_accounts_available);
  assert_int_equal(stored.status, STORE_ITEM_EXPIRING);
  store_item_clear(&stored);

  /* Nothing reaches an item that is not there (and nothing is created). */
  assert_int_equal(store_item_save_sync(fx->env.store, "user-b", "item-1", &sync, months, NULL, NULL, 0),
                   MYNT_NOT_FOUND);
  assert_int_equal(store_item_set_sync_error(fx->env.store, "user-b", "item-1", "RATE_LIMIT_EXCEEDED", 0),
                   MYNT_NOT_FOUND);
  assert_int_equal(store_item_set_new_accounts(fx->env.store, "user-b", "item-1", true, 0), MYNT_NOT_FOUND);
  json_t *records = moto_store_records(fx->env.store, "user-b");
  assert_int_equal(json_array_size(records), 0);
  json_decref(records);
  json_decref(months);
  json_decref(accounts);
  store_item_clear(&item);
}

/* Saves sync with one month's count on user-a's item-1 as owner's leased save ending as end; returns its status. */
static mynt_status s_save_leased(store *s, const store_item_sync *sync, const char *owner, store_lease_end end)
{
  json_t *months = json_pack("{s:i}", "2026-10", 2);
  mynt_status st = store_item_save_sync_leased(s, "user-a", "item-1", sync, months, NULL, NULL, owner, end, 0);
  json_decref(months);
  return st;
}

static void test_the_sync_lease_admits_one_holder_until_it_ends_and_fences_its_saves(void **state)
{
  s_fixture *fx = moto_fixture_state_or_skip(state);
  store *s = fx->env.store;
  store_item item;
  store_item got;
  s_create_item_1(fx, &item);
  const int64_t t = 1790000000000;

  /* The first sync takes it and reads the item under it; a second cannot while it is live. */
  assert_int_equal(store_item_lease_take(s, "user-a", "item-1", "sync-a", t, t + 15000, 0, &got), MYNT_OK);
  assert_string_equal(got.item_id, "item-1");
  assert_string_equal(got.sync.lease_owner, "sync-a");
  assert_int_equal(got.sync.lease_until_ms, t + 15000);
  store_item_clear(&got);
  assert_int_equal(store_item_lease_take(s, "user-a", "item-1", "sync-b", t + 1000, t + 16000, 0, &got),
                   MYNT_CONDITION_FAILED);
  /* A retry of the holder's own take (its answer lost) succeeds. */
  assert_int_equal(store_item_lease_take(s, "user-a", "item-1", "sync-a", t + 1000, t + 15000, 0, &got), MYNT_OK);
  store_item_clear(&got);

  /* The second asks it to sync again; the holder's quiet release then fails and writes nothing, keeping it clears
   * the request; the saves of a sync that does not hold the lease fail. */
  assert_int_equal(store_item_lease_ask(s, "user-a", "item-1", "sync-b", t + 1000, 0), MYNT_OK);
  assert_int_equal(store_item_lease_ask(s, "user-a", "item-1", "sync-a", t + 1000, 0), MYNT_CONDITION_FAILED);
  store_item_sync sync = {.last_synced_at_ms = t};
  snprintf(sync.cursor, sizeof sync.cursor, "cursor-1");
  assert_int_equal(s_save_leased(s, &sync, "sync-a", STORE_LEASE_RELEASE_IF_QUIET), MYNT_CONDITION_FAILED);
  got = s_stored_item_1(fx);
  assert_string_equal(got.sync.cursor, "");
  assert_true(got.sync.resync);
  store_item_clear(&got);
  assert_int_equal(s_save_leased(s, &sync, "sync-b", STORE_LEASE_KEEP_FOR_RESYNC), MYNT_CONDITION_FAILED);
  assert_int_equal(s_save_leased(s, &sync, "sync-a", STORE_LEASE_KEEP_FOR_RESYNC), MYNT_OK);
  got = s_stored_item_1(fx);
  assert_string_equal(got.sync.cursor, "cursor-1");
  assert_false(got.sync.resync);
  assert_string_equal(got.sync.lease_owner, "sync-a");
  store_item_clear(&got);

  /* Renewed by its holder only; then released by the quiet save: the next sync takes it at once. */
  assert_int_equal(store_item_lease_renew(s, "user-a", "item-1", "sync-b", t + 30000, 0), MYNT_CONDITION_FAILED);
  assert_int_equal(store_item_lease_renew(s, "user-a", "item-1", "sync-a", t + 30000, 0), MYNT_OK);
  snprintf(sync.cursor, sizeof sync.cursor, "cursor-2");
  assert_int_equal(s_save_leased(s, &sync, "sync-a", STORE_LEASE_RELEASE_IF_QUIET), MYNT_OK);
  got = s_stored_item_1(fx);
  assert_string_equal(got.sync.cursor, "cursor-2");
  assert_string_equal(got.sync.lease_owner, "");
  assert_int_equal(got.sync.lease_until_ms, 0);
  store_item_clear(&got);
  assert_int_equal(store_item_lease_ask(s, "user-a", "item-1", "sync-b", t + 2000, 0), MYNT_CONDITION_FAILED);

  /* A lease whose holder died is taken over once it has ended, not before; a failed sync's release records its
   * error and keeps the cursor. */
  assert_int_equal(store_item_lease_take(s, "user-a", "item-1", "sync-b", t + 2000, t + 17000, 0, &got), MYNT_OK);
  store_item_clear(&got);
  assert_int_equal(store_item_lease_take(s, "user-a", "item-1", "sync-c", t + 17000, t + 32000, 0, &got),
                   MYNT_CONDITION_FAILED);
  assert_int_equal(store_item_lease_take(s, "user-a", "item-1", "sync-c", t + 17001, t + 32001, 0, &got), MYNT_OK);
  store_item_clear(&got);
  assert_int_equal(store_item_lease_release(s, "user-a", "item-1", "sync-b", "RATE_LIMIT_EXCEEDED", 0),
                   MYNT_CONDITION_FAILED);
  assert_int_equal(store_item_lease_release(s, "user-a", "item-1", "sync-c", "RATE_LIMIT_EXCEEDED", 0), MYNT_OK);
  got = s_stored_item_1(fx);
  assert_string_equal(got.sync.last_error, "RATE_LIMIT_EXCEEDED");
  assert_string_equal(got.sync.cursor, "cursor-2");
  assert_string_equal(got.sync.lease_owner, "");
  store_item_clear(&got);

  /* Bad owners are refused; a gone item is not found, and nothing is created. */
  assert_int_equal(store_item_lease_take(s, "user-a", "item-1", "", t, t + 1, 0, &got), MYNT_BAD_REQUEST);
  assert_int_equal(store_item_lease_take(s, "user-a", "item-1", "has space", t, t + 1, 0, &got), MYNT_BAD_REQUEST);
  assert_int_equal(store_item_lease_take(s, "user-b", "item-1", "sync-d", t, t + 1, 0, &got), MYNT_NOT_FOUND);
  assert_int_equal(store_item_lease_ask(s, "user-b", "item-1", "sync-d", t, 0), MYNT_NOT_FOUND);
  assert_int_equal(store_item_lease_release(s, "user-b", "item-1", "sync-d", NULL, 0), MYNT_NOT_FOUND);
  json_t *records = moto_store_records(s, "user-b");
  assert_int_equal(json_array_size(records), 0);
  json_decref(records);
  store_item_clear(&item);
}

#define T(name) cmocka_unit_test_setup_teardown(name, moto_store_fixture_setup, moto_store_fixture_teardown)

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_public_token_digest_is_lower_case_hex_sha256),
    cmocka_unit_test(test_account_record_keeps_an_unknown_name_empty_and_refuses_an_invalid_id),
    T(test_create_writes_the_item_and_both_markers_with_only_a_sealed_token),
    T(test_a_second_item_of_the_same_institution_is_refused_and_leaves_nothing),
    T(test_the_public_token_marker_makes_a_retry_find_the_first_item),
    T(test_list_returns_items_in_item_order_without_markers),
    T(test_status_and_accounts_updates_touch_only_existing_items),
    T(test_delete_removes_the_item_and_both_markers_so_the_bank_can_be_linked_again),
    T(test_other_users_never_reach_an_item),
    cmocka_unit_test(test_status_names_cover_the_four_statuses),
    T(test_create_writes_an_owner_record_that_the_delete_removes),
    T(test_refs_each_walks_every_page_of_owner_records),
    T(test_request_sync_is_accepted_once_per_interval),
    T(test_save_sync_keeps_the_request_time_and_a_sync_error_keeps_the_cursor),
    T(test_the_sync_lease_admits_one_holder_until_it_ends_and_fences_its_saves),
  };
  return cmocka_run_group_tests_name("store_items_moto", tests, NULL, NULL);
}
