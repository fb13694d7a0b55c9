/* items.c - the item record and its INST/PUBTOKEN markers: keys, the create/delete transactions, reads and updates. */
#include "store/items.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/logger.h"
#include "core/wipe.h"
#include "store/users.h"

#define S_ITEM_PREFIX     "ITEM#"
#define S_INST_PREFIX     "INST#"
#define S_PUBTOKEN_PREFIX "PUBTOKEN#"
#define S_REFS_USER       "#ITEMS" /* the global partition of owner records */
#define S_REFS_PAGE       100      /* owner records per Query page of store_item_refs_each */

/* The longest sort key: a prefix and an id. */
#define S_SK_MAX (16 + STORE_ITEM_ID_MAX + STORE_SHA256_HEX_LEN)

static const char *const s_status_names[] = {"active", "login_required", "expiring", "revoked"};

const char *store_item_status_name(store_item_status status)
{
  if((size_t)status >= sizeof(s_status_names) / sizeof(s_status_names[0]))
    return s_status_names[0];
  return s_status_names[status];
}

bool store_item_status_parse(const char *name, store_item_status *out)
{
  for(size_t i = 0; name && i < sizeof(s_status_names) / sizeof(s_status_names[0]); i++) {
    if(strcmp(name, s_status_names[i]) == 0) {
      *out = (store_item_status)i;
      return true;
    }
  }
  return false;
}

void store_item_clear(store_item *item)
{
  if(!item)
    return;
  json_decref(item->accounts);
  json_decref(item->months);
  mynt_wipe(item, sizeof(*item));
}

void store_items_free(store_item *items, size_t n)
{
  if(!items)
    return;
  for(size_t i = 0; i < n; i++)
    store_item_clear(&items[i]);
  free(items);
}

bool store_item_id_valid(const char *id)
{
  return str_is_token(id, STORE_ITEM_ID_MAX) && !strchr(id, '#');
}

static bool s_digest_valid(const char *hex)
{
  if(!hex || strlen(hex) != STORE_SHA256_HEX_LEN)
    return false;
  for(const char *p = hex; *p; p++) {
    if(!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return false;
  }
  return true;
}

mynt_status store_item_public_token_digest(const char *public_token, char out_hex[STORE_SHA256_HEX_LEN + 1])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  out_hex[0] = '\0';
  if(!EVP_Digest(public_token, strlen(public_token), md, &md_len, EVP_sha256(), NULL) ||
     md_len * 2 != STORE_SHA256_HEX_LEN)
    return MYNT_INTERNAL;
  hex_encode(md, md_len, out_hex);
  return MYNT_OK;
}

json_t *store_item_account_record(const store_item_account *account)
{
  if(!store_item_id_valid(account->account_id))
    return NULL;
  return json_pack("{s:s, s:s, s:o, s:o, s:o}", "account_id", account->account_id, "name",
                   account->name ? account->name : "", "mask", json_string_or_null(account->mask), "type",
                   json_string_or_null(account->type), "subtype", json_string_or_null(account->subtype));
}

bool store_item_has_account(const store_item *item, const char *account_id)
{
  size_t i;
  json_t *account;
  if(!account_id)
    return false;
  json_array_foreach(item->accounts, i, account) {
    const char *id = json_member_string(account, "account_id");
    if(id && strcmp(id, account_id) == 0)
      return true;
  }
  return false;
}

/* Writes prefix + id into out (S_SK_MAX + 1 bytes). */
static void s_sk(char *out, const char *prefix, const char *id)
{
  snprintf(out, S_SK_MAX + 1, "%s%s", prefix, id);
}

/* The key {"user_id":{"S"},"sk":{"S"}} (new reference or NULL). */
static json_t *s_key(const char *user_id, const char *sk)
{
  return json_pack("{s:{s:s}, s:{s:s}}", "user_id", "S", user_id, "sk", "S", sk);
}

/* Reads one record (consistent) as plain JSON into *out_plain (caller json_decref).
 * Returns MYNT_OK, MYNT_NOT_FOUND, MYNT_INTERNAL (malformed), or a store status. */
static mynt_status s_get_record(store *s, const char *user_id, const char *sk, int64_t deadline_ms, json_t **out_plain)
{
  *out_plain = NULL;
  mynt_status st = MYNT_OK;
  json_t *response = NULL;
  json_t *request = json_pack("{s:s, s:o, s:b}", "TableName", s->table, "Key", s_key(user_id, sk), "ConsistentRead", 1);
  if(!request)
    return MYNT_NOMEM;
  st = store_ddb_call(s, "GetItem", "item", request, deadline_ms, &response);
  if(st)
    goto cleanup;
  json_t *item = json_object_get(response, "Item");
  if(!item) {
    st = MYNT_NOT_FOUND;
    goto cleanup;
  }
  *out_plain = ddb_unmarshal_item(item);
  if(!*out_plain) {
    logger_log(LOGGER_ERROR, NULL, "store: a record of the items design cannot be read");
    st = MYNT_INTERNAL;
  }

cleanup:
  json_decref(request);
  json_decref(response);
  return st;
}

/* Copies obj[name] (a string of at most cap - 1 bytes; "" when absent if optional) into out.
 * Returns 1, or 0 when it is missing (and required), not a string, or too long. */
static int s_copy(char *out, size_t cap, const json_t *obj, const char *name, int required)
{
  const json_t *v = json_object_get(obj, name);
  out[0] = '\0';
  if(!v || json_is_null(v))
    return !required;
  const char *text = json_string_value(v);
  if(!text || strlen(text) >= cap)
    return 0;
  memcpy(out, text, strlen(text) + 1);
  return 1;
}

/* Reads "YYYY-MM-DDTHH:MM:SSZ" as epoch ms into *out_ms. Returns false when text is not one. */
static bool s_iso_ms(const char *text, int64_t *out_ms)
{
  return date_iso8601_epoch_ms(text, out_ms) == MYNT_OK;
}

/* Fills out from a plain sync map (NULL: never synced). Returns false when it is malformed. */
static bool s_parse_sync(const json_t *map, store_item_sync *out)
{
  memset(out, 0, sizeof(*out));
  if(!map)
    return true;
  const json_t *last = json_object_get(map, "last_synced_at");
  const json_t *requested = json_object_get(map, "requested_at_ms");
  const json_t *initial = json_object_get(map, "initial_complete");
  const json_t *history = json_object_get(map, "history_complete");
  const json_t *until = json_object_get(map, "lease_until_ms");
  const json_t *resync = json_object_get(map, "resync");
  if(!json_is_object(map) || !s_copy(out->cursor, sizeof(out->cursor), map, "cursor", 0) ||
     !s_copy(out->last_error, sizeof(out->last_error), map, "last_error", 0) ||
     !s_copy(out->lease_owner, sizeof(out->lease_owner), map, "lease_owner", 0) ||
     (last && !s_iso_ms(json_string_value(last), &out->last_synced_at_ms)) ||
     (requested && !json_is_integer(requested)) || (initial && !json_is_boolean(initial)) ||
     (history && !json_is_boolean(history)) || (until && !json_is_integer(until)) ||
     (resync && !json_is_boolean(resync)))
    return false;
  out->requested_at_ms = requested ? json_integer_value(requested) : 0;
  out->lease_until_ms = until ? json_integer_value(until) : 0;
  out->resync = json_is_true(resync);
  out->initial_complete = json_is_true(initial);
  out->history_complete = json_is_true(history);
  return true;
}

/* Fills out_item from a plain ITEM# record. Returns MYNT_OK or MYNT_INTERNAL (malformed). */
static mynt_status s_parse_item(const json_t *plain, store_item *out_item)
{
  memset(out_item, 0, sizeof(*out_item));
  const char *status = json_member_string(plain, "status");
  json_t *accounts = json_object_get(plain, "accounts");
  json_t *months = json_object_get(plain, "months");
  const json_t *new_accounts = json_object_get(plain, "new_accounts_available");
  if(!s_copy(out_item->item_id, sizeof(out_item->item_id), plain, "item_id", 1) ||
     !s_copy(out_item->institution_id, sizeof(out_item->institution_id), plain, "institution_id", 0) ||
     !s_copy(out_item->institution_name, sizeof(out_item->institution_name), plain, "institution_name", 0) ||
     !s_copy(out_item->created_at, sizeof(out_item->created_at), plain, "created_at", 1) ||
     !s_copy(out_item->public_token_sha256, sizeof(out_item->public_token_sha256), plain, "public_token_sha256", 0) ||
     !s_copy(out_item->sealed_token, sizeof(out_item->sealed_token), plain, "access_token_sealed", 1) ||
     !s_copy(out_item->balances_as_of, sizeof(out_item->balances_as_of), plain, "balances_as_of", 0) ||
     !store_item_status_parse(status, &out_item->status) || (accounts && !json_is_array(accounts)) ||
     (months && !json_is_object(months)) || (new_accounts && !json_is_boolean(new_accounts)) ||
     !s_parse_sync(json_object_get(plain, "sync"), &out_item->sync)) {
    logger_log(LOGGER_ERROR, NULL, "store: an item record is malformed");
    store_item_clear(out_item);
    return MYNT_INTERNAL;
  }
  out_item->new_accounts_available = json_is_true(new_accounts);
  out_item->accounts = accounts ? json_incref(accounts) : json_array();
  out_item->months = months ? json_incref(months) : json_object();
  if(!out_item->accounts || !out_item->months) {
    store_item_clear(out_item);
    return MYNT_NOMEM;
  }
  return MYNT_OK;
}

mynt_status store_item_get(store *s, const char *user_id, const char *item_id, int64_t deadline_ms,
                           store_item *out_item)
{
  memset(out_item, 0, sizeof(*out_item));
  if(!store_user_id_valid(user_id) || !store_item_id_valid(item_id))
    return MYNT_NOT_FOUND;
  char sk[S_SK_MAX + 1];
  s_sk(sk, S_ITEM_PREFIX, item_id);
  json_t *plain = NULL;
  mynt_status st = s_get_record(s, user_id, sk, deadline_ms, &plain);
  if(st == MYNT_OK)
    st = s_parse_item(plain, out_item);
  json_decref(plain);
  return st;
}

/* Reads the item id a marker points at into out_item_id (STORE_ITEM_ID_MAX + 1 bytes).
 * Returns MYNT_OK, MYNT_NOT_FOUND, MYNT_INTERNAL or a store status. */
static mynt_status s_marker_item_id(store *s, const char *user_id, const char *sk, int64_t deadline_ms,
                                    char *out_item_id)
{
  json_t *plain = NULL;
  out_item_id[0] = '\0';
  mynt_status st = s_get_record(s, user_id, sk, deadline_ms, &plain);
  if(st == MYNT_OK && !s_copy(out_item_id, STORE_ITEM_ID_MAX + 1, plain, "item_id", 1)) {
    logger_log(LOGGER_ERROR, NULL, "store: a marker record is malformed");
    st = MYNT_INTERNAL;
  }
  json_decref(plain);
  return st;
}

mynt_status store_item_find_by_public_token(store *s, const char *user_id, const char *digest_hex, int64_t deadline_ms,
                                            store_item *out_item)
{
  memset(out_item, 0, sizeof(*out_item));
  if(!store_user_id_valid(user_id) || !s_digest_valid(digest_hex))
    return MYNT_BAD_REQUEST;
  char sk[S_SK_MAX + 1];
  char item_id[STORE_ITEM_ID_MAX + 1];
  s_sk(sk, S_PUBTOKEN_PREFIX, digest_hex);
  mynt_status st = s_marker_item_id(s, user_id, sk, deadline_ms, item_id);
  if(st)
    return st;
  return store_item_get(s, user_id, item_id, deadline_ms, out_item);
}

/* An institution id of an item: a valid id, or "" for an institution not known yet. */
static bool s_institution_valid(const char *institution_id)
{
  return !institution_id[0] || store_item_id_valid(institution_id);
}

/* A Put of plain (marshalled) that requires the key to be new. */
static json_t *s_put_new(const char *table, json_t *plain)
{
  json_t *put = NULL;
  json_t *item = plain ? ddb_marshal_item(plain) : NULL;
  if(item)
    put = json_pack("{s:{s:s, s:o, s:s}}", "Put", "TableName", table, "Item", item, "ConditionExpression",
                    "attribute_not_exists(sk)");
  json_decref(plain);
  return put;
}

/* After a failed create condition: which marker is there? */
static mynt_status s_create_conflict(store *s, const char *user_id, const store_item *item, int64_t deadline_ms,
                                     store_item_outcome *out_outcome, char *out_existing)
{
  char sk[S_SK_MAX + 1];
  s_sk(sk, S_PUBTOKEN_PREFIX, item->public_token_sha256);
  mynt_status st = s_marker_item_id(s, user_id, sk, deadline_ms, out_existing);
  if(st == MYNT_OK) {
    *out_outcome = STORE_ITEM_SAME_PUBLIC_TOKEN;
    return MYNT_OK;
  }
  if(st != MYNT_NOT_FOUND)
    return st;
  s_sk(sk, S_INST_PREFIX, item->institution_id);
  st = item->institution_id[0] ? s_marker_item_id(s, user_id, sk, deadline_ms, out_existing) : MYNT_NOT_FOUND;
  if(st == MYNT_OK) {
    *out_outcome = STORE_ITEM_DUPLICATE_INSTITUTION;
    return MYNT_OK;
  }
  if(st != MYNT_NOT_FOUND)
    return st;
  logger_log(LOGGER_ERROR, NULL, "store: creating item %s failed a condition but neither marker exists", item->item_id);
  return MYNT_CONFLICT;
}

/* Builds the create transaction of item for user_id (item->sealed_token and created_at set). */
static json_t *s_create_request(store *s, const char *user_id, const store_item *item)
{
  char item_sk[S_SK_MAX + 1];
  char inst_sk[S_SK_MAX + 1];
  char pub_sk[S_SK_MAX + 1];
  s_sk(item_sk, S_ITEM_PREFIX, item->item_id);
  s_sk(inst_sk, S_INST_PREFIX, item->institution_id);
  s_sk(pub_sk, S_PUBTOKEN_PREFIX, item->public_token_sha256);

  json_t *record = json_pack(
    "{s:s, s:s, s:s, s:s*, s:s, s:s, s:s, s:s, s:s, s:O, s:{s:s, s:b, s:b}, s:{}}", "user_id", user_id, "sk", item_sk,
    "item_id", item->item_id, "institution_id", item->institution_id[0] ? item->institution_id : NULL,
    "institution_name", item->institution_name, "status", store_item_status_name(STORE_ITEM_ACTIVE), "created_at",
    item->created_at, "access_token_sealed", item->sealed_token, "public_token_sha256", item->public_token_sha256,
    "accounts", item->accounts, "sync", "cursor", "", "initial_complete", 0, "history_complete", 0, "months");
  json_t *ref = json_pack("{s:s, s:s, s:s, s:s}", "user_id", S_REFS_USER, "sk", item_sk, "owner", user_id, "created_at",
                          item->created_at);
  json_t *inst = json_pack("{s:s, s:s, s:s, s:s}", "user_id", user_id, "sk", inst_sk, "item_id", item->item_id,
                           "created_at", item->created_at);
  json_t *pub = json_pack("{s:s, s:s, s:s, s:s}", "user_id", user_id, "sk", pub_sk, "item_id", item->item_id,
                          "created_at", item->created_at);
  /* No ClientRequestToken: a resend after a lost answer then fails its conditions, and
   * s_create_conflict finds this very item behind the PUBTOKEN marker. An unknown institution
   * has no marker. */
  if(!item->institution_id[0]) {
    json_decref(inst);
    return json_pack("{s:[o, o, o]}", "TransactItems", s_put_new(s->table, record), s_put_new(s->table, pub),
                     s_put_new(s->table, ref));
  }
  return json_pack("{s:[o, o, o, o]}", "TransactItems", s_put_new(s->table, record), s_put_new(s->table, inst),
                   s_put_new(s->table, pub), s_put_new(s->table, ref));
}

mynt_status store_item_create(store *s, const seal_keyring *ring, const char *user_id, store_item *item,
                              const char *access_token, int64_t deadline_ms, store_item_outcome *out_outcome,
                              char *out_existing)
{
  *out_outcome = STORE_ITEM_CREATED;
  out_existing[0] = '\0';
  if(!store_user_id_valid(user_id) || !store_item_id_valid(item->item_id) ||
     !s_institution_valid(item->institution_id) || !s_digest_valid(item->public_token_sha256) ||
     !json_is_array(item->accounts) || json_array_size(item->accounts) > STORE_ITEM_ACCOUNTS_MAX || !access_token ||
     !*access_token)
    return MYNT_BAD_REQUEST;

  mynt_status st = MYNT_OK;
  json_t *request = NULL;
  json_t *response = NULL;
  char *sealed = NULL;
  st = seal_seal(ring, user_id, item->item_id, access_token, strlen(access_token), &sealed);
  if(st)
    goto cleanup;
  if(strlen(sealed) > STORE_SEALED_TOKEN_MAX) {
    st = MYNT_BAD_REQUEST;
    goto cleanup;
  }
  memcpy(item->sealed_token, sealed, strlen(sealed) + 1);
  clock_iso8601((time_t)(clock_epoch_ms() / 1000), item->created_at);
  item->status = STORE_ITEM_ACTIVE;

  request = s_create_request(s, user_id, item);
  if(!request) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  st = store_ddb_call(s, "TransactWriteItems", "create item", request, deadline_ms, &response);
  if(st == MYNT_CONDITION_FAILED)
    st = s_create_conflict(s, user_id, item, deadline_ms, out_outcome, out_existing);

cleanup:
  if(st || *out_outcome != STORE_ITEM_CREATED) {
    mynt_wipe(item->sealed_token, sizeof(item->sealed_token));
    item->created_at[0] = '\0';
  }
  free(sealed);
  json_decref(request);
  json_decref(response);
  return st;
}

mynt_status store_item_list(store *s, const char *user_id, int64_t deadline_ms, store_item **out_items,
                            size_t *out_count)
{
  *out_items = NULL;
  *out_count = 0;
  json_t *records = NULL;
  store_item *items = NULL;
  size_t n = 0;
  mynt_status st = store_query_prefix(s, user_id, S_ITEM_PREFIX, STORE_ITEMS_MAX, deadline_ms, "items", &records);
  size_t total = json_array_size(records);
  if(st || total == 0)
    goto cleanup;
  items = calloc(total, sizeof(*items));
  if(!items) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  for(; n < total; n++) {
    st = s_parse_item(json_array_get(records, n), &items[n]);
    if(st)
      goto cleanup; /* items[n] is not filled: n counts the ones to free */
  }
  *out_items = items;
  *out_count = n;
  items = NULL;

cleanup:
  json_decref(records);
  store_items_free(items, n);
  return st;
}

/* UpdateItem SET #f = :v on an existing item; v is an attribute value (stolen). what names
 * the update in the log. */
static mynt_status s_update_field(store *s, const char *user_id, const char *item_id, const char *field, json_t *v,
                                  int64_t deadline_ms, const char *what)
{
  if(!v)
    return MYNT_NOMEM;
  char sk[S_SK_MAX + 1];
  s_sk(sk, S_ITEM_PREFIX, item_id);
  json_t *response = NULL;
  json_t *request =
    json_pack("{s:s, s:o, s:s, s:s, s:{s:s}, s:{s:o}}", "TableName", s->table, "Key", s_key(user_id, sk),
              "UpdateExpression", "SET #f = :v", "ConditionExpression", "attribute_exists(sk)",
              "ExpressionAttributeNames", "#f", field, "ExpressionAttributeValues", ":v", v);
  if(!request)
    return MYNT_NOMEM;
  mynt_status st = store_ddb_call(s, "UpdateItem", what, request, deadline_ms, &response);
  if(st == MYNT_CONDITION_FAILED)
    st = MYNT_NOT_FOUND;
  json_decref(request);
  json_decref(response);
  return st;
}

mynt_status store_item_set_status(store *s, const char *user_id, const char *item_id, store_item_status status,
                                  int64_t deadline_ms)
{
  if(!store_user_id_valid(user_id) || !store_item_id_valid(item_id))
    return MYNT_NOT_FOUND;
  return s_update_field(s, user_id, item_id, "status", json_pack("{s:s}", "S", store_item_status_name(status)),
                        deadline_ms, "item status");
}

mynt_status store_item_set_accounts(store *s, const char *user_id, const char *item_id, const json_t *accounts,
                                    int64_t deadline_ms)
{
  if(!store_user_id_valid(user_id) || !store_item_id_valid(item_id))
    return MYNT_NOT_FOUND;
  if(!json_is_array(accounts) || json_array_size(accounts) > STORE_ITEM_ACCOUNTS_MAX)
    return MYNT_BAD_REQUEST;
  return s_update_field(s, user_id, item_id, "accounts", ddb_marshal_value(accounts), deadline_ms, "item accounts");
}

/* A Delete of (user, sk): of an existing record when must_exist, else of a marker that is
 * absent or points at item_id. */
static json_t *s_delete(const char *table, const char *user_id, const char *sk, const char *item_id, int must_exist)
{
  if(must_exist)
    return json_pack("{s:{s:s, s:o, s:s}}", "Delete", "TableName", table, "Key", s_key(user_id, sk),
                     "ConditionExpression", "attribute_exists(sk)");
  return json_pack("{s:{s:s, s:o, s:s, s:{s:s}, s:{s:{s:s}}}}", "Delete", "TableName", table, "Key", s_key(user_id, sk),
                   "ConditionExpression", "attribute_not_exists(sk) OR #item = :item", "ExpressionAttributeNames",
                   "#item", "item_id", "ExpressionAttributeValues", ":item", "S", item_id);
}

mynt_status store_item_delete(store *s, const char *user_id, const store_item *item, int64_t deadline_ms)
{
  if(!store_user_id_valid(user_id) || !store_item_id_valid(item->item_id) || !s_institution_valid(item->institution_id))
    return MYNT_NOT_FOUND;
  mynt_status st = MYNT_OK;
  json_t *response = NULL;
  char sk[S_SK_MAX + 1];
  s_sk(sk, S_ITEM_PREFIX, item->item_id);
  json_t *ops = json_array();
  if(ops)
    json_array_append_new(ops, s_delete(s->table, user_id, sk, item->item_id, 1));
  s_sk(sk, S_INST_PREFIX, item->institution_id);
  if(ops && item->institution_id[0])
    json_array_append_new(ops, s_delete(s->table, user_id, sk, item->item_id, 0));
  if(ops && s_digest_valid(item->public_token_sha256)) {
    s_sk(sk, S_PUBTOKEN_PREFIX, item->public_token_sha256);
    json_array_append_new(ops, s_delete(s->table, user_id, sk, item->item_id, 0));
  }
  s_sk(sk, S_ITEM_PREFIX, item->item_id);
  size_t before_ref = json_array_size(ops);
  if(ops)
    json_array_append_new(ops, json_pack("{s:{s:s, s:o, s:s, s:{s:s}, s:{s:{s:s}}}}", "Delete", "TableName", s->table,
                                         "Key", s_key(S_REFS_USER, sk), "ConditionExpression",
                                         "attribute_not_exists(sk) OR #owner = :owner", "ExpressionAttributeNames",
                                         "#owner", "owner", "ExpressionAttributeValues", ":owner", "S", user_id));
  json_t *request = json_pack("{s:o}", "TransactItems", ops);
  if(!request || json_array_size(ops) < (item->institution_id[0] ? 3u : 2u) || json_array_size(ops) != before_ref + 1) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  st = store_ddb_call(s, "TransactWriteItems", "delete item", request, deadline_ms, &response);
  if(st == MYNT_CONDITION_FAILED) {
    /* Gone already (a concurrent delete), or a marker points elsewhere: tell them apart. */
    store_item still;
    st = store_item_get(s, user_id, item->item_id, deadline_ms, &still);
    store_item_clear(&still);
    if(st == MYNT_OK) {
      logger_log(LOGGER_ERROR, NULL, "store: deleting item %s failed a marker condition", item->item_id);
      st = MYNT_CONFLICT;
    }
  }

cleanup:
  json_decref(request);
  json_decref(response);
  return st;
}

mynt_status store_item_open_token(const seal_keyring *ring, const char *user_id, const store_item *item,
                                  char **out_token, size_t *out_len)
{
  seal_failure why = SEAL_FAILURE_NONE;
  mynt_status st = seal_open_alloc(ring, user_id, item->item_id, item->sealed_token, out_token, out_len, &why);
  if(st == MYNT_NOMEM)
    return st;
  if(st) {
    logger_log(LOGGER_ERROR, NULL, "store: the access token of item %s does not open: %s", item->item_id,
               seal_failure_text(why));
    return MYNT_INTERNAL;
  }
  return MYNT_OK;
}

mynt_status store_item_owner(store *s, const char *item_id, int64_t deadline_ms, char *out_user)
{
  out_user[0] = '\0';
  if(!store_item_id_valid(item_id))
    return MYNT_NOT_FOUND;
  char sk[S_SK_MAX + 1];
  s_sk(sk, S_ITEM_PREFIX, item_id);
  json_t *plain = NULL;
  mynt_status st = s_get_record(s, S_REFS_USER, sk, deadline_ms, &plain);
  if(st == MYNT_OK && (!s_copy(out_user, STORE_USER_ID_MAX + 1, plain, "owner", 1) || !store_user_id_valid(out_user))) {
    logger_log(LOGGER_ERROR, NULL, "store: the owner record of item %s is malformed", item_id);
    out_user[0] = '\0';
    st = MYNT_INTERNAL;
  }
  json_decref(plain);
  return st;
}

/* Calls fn for every owner record of one Query page (raw items). */
static mynt_status s_refs_page(const json_t *page, mynt_status (*fn)(void *, const char *, const char *), void *arg)
{
  size_t i;
  json_t *raw;
  json_array_foreach(page, i, raw) {
    json_t *plain = ddb_unmarshal_item(raw);
    const char *sk = json_member_string(plain, "sk");
    const char *owner = json_member_string(plain, "owner");
    mynt_status st = MYNT_OK;
    if(!sk || strncmp(sk, S_ITEM_PREFIX, strlen(S_ITEM_PREFIX)) != 0 ||
       !store_item_id_valid(sk + strlen(S_ITEM_PREFIX)) || !store_user_id_valid(owner)) {
      logger_log(LOGGER_ERROR, NULL, "store: an owner record is malformed");
      st = MYNT_INTERNAL;
    }
    else {
      st = fn(arg, sk + strlen(S_ITEM_PREFIX), owner);
    }
    json_decref(plain);
    if(st)
      return st;
  }
  return MYNT_OK;
}

mynt_status store_item_refs_each(store *s, int64_t deadline_ms,
                                 mynt_status (*fn)(void *arg, const char *item_id, const char *user_id), void *arg)
{
  mynt_status st = MYNT_OK;
  json_t *response = NULL;
  json_t *request = json_pack("{s:s, s:s, s:{s:{s:s}, s:{s:s}}, s:i}", "TableName", s->table, "KeyConditionExpression",
                              "user_id = :u AND begins_with(sk, :p)", "ExpressionAttributeValues", ":u", "S",
                              S_REFS_USER, ":p", "S", S_ITEM_PREFIX, "Limit", S_REFS_PAGE);
  if(!request)
    return MYNT_NOMEM;
  for(;;) {
    st = store_ddb_call(s, "Query", "item owners", request, deadline_ms, &response);
    if(st)
      goto cleanup;
    st = s_refs_page(json_object_get(response, "Items"), fn, arg);
    if(st)
      goto cleanup;
    json_t *last = json_object_get(response, "LastEvaluatedKey");
    if(!json_is_object(last))
      break;
    if(json_object_set(request, "ExclusiveStartKey", last)) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
    json_decref(response);
    response = NULL;
  }

cleanup:
  json_decref(request);
  json_decref(response);
  return st;
}

/* Deletes from placeholders (names or values; NULL: none) those neither update nor condition uses: DynamoDB refuses
 * an unused one. */
static void s_drop_unused(json_t *placeholders, const char *update, const char *condition)
{
  const char *key;
  json_t *v;
  void *tmp;
  json_object_foreach_safe(placeholders, tmp, key, v) {
    if(!strstr(update, key) && !strstr(condition, key))
      json_object_del(placeholders, key);
  }
}

/* Sends UpdateItem update (with its names and values, stolen) on the ITEM# record of user_id,
 * conditioned on the item having a sync map (condition, when given, is ANDed). With out_new, asks
 * for the item as updated (ReturnValues ALL_NEW: no extra capacity) into *out_new (plain JSON,
 * caller json_decref; NULL unless MYNT_OK). Returns MYNT_OK, MYNT_CONDITION_FAILED, or a store status. */
static mynt_status s_update_sync(store *s, const char *user_id, const char *item_id, const char *update,
                                 const char *condition, json_t *names, json_t *values, int64_t deadline_ms,
                                 const char *what, json_t **out_new)
{
  char sk[S_SK_MAX + 1];
  char full[256];
  s_sk(sk, S_ITEM_PREFIX, item_id);
  snprintf(full, sizeof(full), "attribute_exists(#sync)%s%s", condition ? " AND " : "", condition ? condition : "");
  json_t *response = NULL;
  s_drop_unused(names, update, full);
  s_drop_unused(values, update, full);
  if(names && json_object_set_new(names, "#sync", json_string("sync"))) {
    json_decref(names);
    names = NULL;
  }
  json_t *request =
    names ? json_pack("{s:s, s:o, s:s, s:s, s:o}", "TableName", s->table, "Key", s_key(user_id, sk), "UpdateExpression",
                      update, "ConditionExpression", full, "ExpressionAttributeNames", names)
          : NULL;
  if(request && values && json_object_size(values) && json_object_set(request, "ExpressionAttributeValues", values)) {
    json_decref(request);
    request = NULL;
  }
  json_decref(values);
  if(request && out_new && json_object_set_new(request, "ReturnValues", json_string("ALL_NEW"))) {
    json_decref(request);
    request = NULL;
  }
  if(!request)
    return MYNT_NOMEM;
  mynt_status st = store_ddb_call(s, "UpdateItem", what, request, deadline_ms, &response);
  if(st == MYNT_OK && out_new) {
    *out_new = ddb_unmarshal_item(json_object_get(response, "Attributes"));
    st = *out_new ? MYNT_OK : MYNT_UPSTREAM;
  }
  json_decref(request);
  json_decref(response);
  return st;
}

/* Gives an item created before sync state existed an empty sync map. Returns MYNT_OK,
 * MYNT_NOT_FOUND when the item is gone, or a store status. */
static mynt_status s_ensure_sync(store *s, const char *user_id, const char *item_id, int64_t deadline_ms)
{
  char sk[S_SK_MAX + 1];
  s_sk(sk, S_ITEM_PREFIX, item_id);
  json_t *response = NULL;
  json_t *request = json_pack("{s:s, s:o, s:s, s:s, s:{s:s}, s:{s:{s:{s:{s:s}}}}}", "TableName", s->table, "Key",
                              s_key(user_id, sk), "UpdateExpression", "SET #sync = if_not_exists(#sync, :empty)",
                              "ConditionExpression", "attribute_exists(sk)", "ExpressionAttributeNames", "#sync",
                              "sync", "ExpressionAttributeValues", ":empty", "M", "cursor", "S", "");
  if(!request)
    return MYNT_NOMEM;
  mynt_status st = store_ddb_call(s, "UpdateItem", "item sync state", request, deadline_ms, &response);
  if(st == MYNT_CONDITION_FAILED)
    st = MYNT_NOT_FOUND;
  json_decref(request);
  json_decref(response);
  return st;
}

/* s_update_sync; when its condition fails, gives a sync map to an item that has none and tries
 * once more. The condition failing then is MYNT_CONDITION_FAILED when extra_condition was given
 * (the caller's own condition), else MYNT_NOT_FOUND. names/values are copied per try. */
static mynt_status s_update_sync_ensured(store *s, const char *user_id, const char *item_id, const char *update,
                                         const char *extra_condition, const json_t *names, const json_t *values,
                                         int64_t deadline_ms, const char *what, json_t **out_new)
{
  mynt_status st = MYNT_OK;
  for(int attempt = 0; attempt < 2; attempt++) {
    st = s_update_sync(s, user_id, item_id, update, extra_condition, json_deep_copy(names),
                       values ? json_deep_copy(values) : NULL, deadline_ms, what, out_new);
    if(st != MYNT_CONDITION_FAILED || attempt == 1)
      break;
    st = s_ensure_sync(s, user_id, item_id, deadline_ms);
    if(st)
      return st;
  }
  if(st == MYNT_CONDITION_FAILED && !extra_condition)
    st = MYNT_NOT_FOUND;
  return st;
}

/* Whether owner can name a lease's holder. */
static bool s_owner_valid(const char *owner)
{
  return str_is_token(owner, STORE_LEASE_OWNER_MAX);
}

/* Appends paths to the REMOVE clause being built in remove (" REMOVE a, b"). */
static mynt_status s_remove(mynt_buf *remove, const char *paths)
{
  mynt_status st = buf_appends(remove, remove->len ? ", " : " REMOVE ");
  return st ? st : buf_appends(remove, paths);
}

/* store_item_save_sync, and with owner (NULL: none) store_item_save_sync_leased. */
static mynt_status s_save_sync(store *s, const char *user_id, const char *item_id, const store_item_sync *sync,
                               const json_t *months, const json_t *accounts, const char *balances_as_of,
                               const char *owner, store_lease_end end, int64_t deadline_ms)
{
  if(!store_user_id_valid(user_id) || !store_item_id_valid(item_id))
    return MYNT_NOT_FOUND;
  if(owner && !s_owner_valid(owner))
    return MYNT_BAD_REQUEST;
  if(strnlen(sync->cursor, sizeof(sync->cursor)) > STORE_CURSOR_MAX || !json_is_object(months) ||
     (accounts && (!json_is_array(accounts) || json_array_size(accounts) > STORE_ITEM_ACCOUNTS_MAX)) ||
     (balances_as_of && strlen(balances_as_of) >= sizeof(((store_item *)0)->balances_as_of)))
    return MYNT_BAD_REQUEST;
  mynt_status st = MYNT_OK;
  mynt_buf set;
  mynt_buf remove;
  buf_init(&set, 1024);
  buf_init(&remove, 256);
  char last[21];
  json_t *names =
    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "#cursor", "cursor", "#initial", "initial_complete", "#history",
              "history_complete", "#months", "months", "#last", "last_synced_at", "#error", "last_error");
  json_t *values =
    json_pack("{s:{s:s}, s:{s:b}, s:{s:b}, s:o}", ":cursor", "S", sync->cursor, ":initial", "BOOL",
              sync->initial_complete, ":history", "BOOL", sync->history_complete, ":months", ddb_marshal_value(months));
  if(!names || !values) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  st = buf_appends(&set, "SET #sync.#cursor = :cursor, #sync.#initial = :initial, #sync.#history = :history, "
                         "#months = :months");
  if(!st && sync->last_synced_at_ms > 0) {
    clock_iso8601((time_t)(sync->last_synced_at_ms / 1000), last);
    st = json_object_set_new(values, ":last", json_pack("{s:s}", "S", last))
           ? MYNT_NOMEM
           : buf_appends(&set, ", #sync.#last = :last");
  }
  else if(!st) {
    st = s_remove(&remove, "#sync.#last");
  }
  if(!st && sync->last_error[0]) {
    st = json_object_set_new(values, ":error", json_pack("{s:s}", "S", sync->last_error))
           ? MYNT_NOMEM
           : buf_appends(&set, ", #sync.#error = :error");
  }
  else if(!st) {
    st = s_remove(&remove, "#sync.#error");
  }
  if(!st && accounts) {
    st = json_object_set_new(names, "#accounts", json_string("accounts")) ||
             json_object_set_new(values, ":accounts", ddb_marshal_value(accounts))
           ? MYNT_NOMEM
           : buf_appends(&set, ", #accounts = :accounts");
  }
  if(!st && balances_as_of) {
    st = json_object_set_new(names, "#asof", json_string("balances_as_of")) ||
             json_object_set_new(values, ":asof", json_pack("{s:s}", "S", balances_as_of))
           ? MYNT_NOMEM
           : buf_appends(&set, ", #asof = :asof");
  }
  const char *condition = NULL;
  if(!st && owner) {
    condition = end == STORE_LEASE_RELEASE_IF_QUIET ? "#sync.#owner = :owner AND attribute_not_exists(#sync.#resync)"
                                                    : "#sync.#owner = :owner";
    st = json_object_set_new(names, "#owner", json_string("lease_owner")) ||
             json_object_set_new(names, "#until", json_string("lease_until_ms")) ||
             json_object_set_new(names, "#resync", json_string("resync")) ||
             json_object_set_new(values, ":owner", json_pack("{s:s}", "S", owner))
           ? MYNT_NOMEM
           : MYNT_OK;
    if(!st && end == STORE_LEASE_KEEP_FOR_RESYNC)
      st = s_remove(&remove, "#sync.#resync");
    else if(!st)
      st = s_remove(&remove, "#sync.#owner, #sync.#until");
  }
  if(!st)
    st = buf_appends(&set, buf_cstr(&remove));
  if(st)
    goto cleanup;
  st = s_update_sync_ensured(s, user_id, item_id, buf_cstr(&set), condition, names, values, deadline_ms, "item sync",
                             NULL);

cleanup:
  buf_free(&set);
  buf_free(&remove);
  json_decref(names);
  json_decref(values);
  return st;
}

mynt_status store_item_save_sync(store *s, const char *user_id, const char *item_id, const store_item_sync *sync,
                                 const json_t *months, const json_t *accounts, const char *balances_as_of,
                                 int64_t deadline_ms)
{
  return s_save_sync(s, user_id, item_id, sync, months, accounts, balances_as_of, NULL, STORE_LEASE_RELEASE,
                     deadline_ms);
}

mynt_status store_item_save_sync_leased(store *s, const char *user_id, const char *item_id, const store_item_sync *sync,
                                        const json_t *months, const json_t *accounts, const char *balances_as_of,
                                        const char *owner, store_lease_end end, int64_t deadline_ms)
{
  if(!owner)
    return MYNT_BAD_REQUEST;
  return s_save_sync(s, user_id, item_id, sync, months, accounts, balances_as_of, owner, end, deadline_ms);
}

/* One UpdateItem of the lease fields: update under condition, with the names #owner, #until, #resync (and #error),
 * :owner = owner and the number values :now / :until (when not NULL). *out_new as s_update_sync's. */
static mynt_status s_lease_update(store *s, const char *user_id, const char *item_id, const char *owner,
                                  const char *update, const char *condition, const int64_t *now_ms,
                                  const int64_t *until_ms, const char *error_code, int64_t deadline_ms,
                                  const char *what, json_t **out_new)
{
  if(!store_user_id_valid(user_id) || !store_item_id_valid(item_id))
    return MYNT_NOT_FOUND;
  if(!s_owner_valid(owner))
    return MYNT_BAD_REQUEST;
  char number[32];
  json_t *names =
    json_pack("{s:s, s:s, s:s}", "#owner", "lease_owner", "#until", "lease_until_ms", "#resync", "resync");
  json_t *values = json_pack("{s:{s:s}, s:{s:b}}", ":owner", "S", owner, ":true", "BOOL", 1);
  bool ok = names && values;
  if(ok && now_ms) {
    snprintf(number, sizeof(number), "%" PRId64, *now_ms);
    ok = !json_object_set_new(values, ":now", json_pack("{s:s}", "N", number));
  }
  if(ok && until_ms) {
    snprintf(number, sizeof(number), "%" PRId64, *until_ms);
    ok = !json_object_set_new(values, ":until", json_pack("{s:s}", "N", number));
  }
  if(ok && error_code)
    ok = !json_object_set_new(names, "#error", json_string("last_error")) &&
         !json_object_set_new(values, ":error", json_pack("{s:s}", "S", error_code));
  mynt_status st =
    ok ? s_update_sync_ensured(s, user_id, item_id, update, condition, names, values, deadline_ms, what, out_new)
       : MYNT_NOMEM;
  json_decref(names);
  json_decref(values);
  return st;
}

mynt_status store_item_lease_take(store *s, const char *user_id, const char *item_id, const char *owner, int64_t now_ms,
                                  int64_t until_ms, int64_t deadline_ms, store_item *out_item)
{
  memset(out_item, 0, sizeof(*out_item));
  json_t *plain = NULL;
  mynt_status st =
    s_lease_update(s, user_id, item_id, owner, "SET #sync.#owner = :owner, #sync.#until = :until REMOVE #sync.#resync",
                   "(attribute_not_exists(#sync.#until) OR #sync.#until < :now OR #sync.#owner = :owner)", &now_ms,
                   &until_ms, NULL, deadline_ms, "item sync lease", &plain);
  if(st == MYNT_OK)
    st = s_parse_item(plain, out_item);
  json_decref(plain);
  return st;
}

mynt_status store_item_lease_renew(store *s, const char *user_id, const char *item_id, const char *owner,
                                   int64_t until_ms, int64_t deadline_ms)
{
  return s_lease_update(s, user_id, item_id, owner, "SET #sync.#until = :until", "#sync.#owner = :owner", NULL,
                        &until_ms, NULL, deadline_ms, "item sync lease renewal", NULL);
}

mynt_status store_item_lease_ask(store *s, const char *user_id, const char *item_id, const char *owner, int64_t now_ms,
                                 int64_t deadline_ms)
{
  return s_lease_update(s, user_id, item_id, owner, "SET #sync.#resync = :true",
                        "#sync.#until >= :now AND attribute_exists(#sync.#owner) AND #sync.#owner <> :owner", &now_ms,
                        NULL, NULL, deadline_ms, "item sync resync", NULL);
}

mynt_status store_item_lease_release(store *s, const char *user_id, const char *item_id, const char *owner,
                                     const char *error_code, int64_t deadline_ms)
{
  if(error_code && !*error_code)
    error_code = NULL;
  if(error_code && strlen(error_code) >= sizeof(((store_item_sync *)0)->last_error))
    return MYNT_BAD_REQUEST;
  return s_lease_update(s, user_id, item_id, owner,
                        error_code ? "SET #sync.#error = :error REMOVE #sync.#owner, #sync.#until"
                                   : "REMOVE #sync.#owner, #sync.#until",
                        "#sync.#owner = :owner", NULL, NULL, error_code, deadline_ms, "item sync lease release", NULL);
}

mynt_status store_item_set_sync_error(store *s, const char *user_id, const char *item_id, const char *error_code,
                                      int64_t deadline_ms)
{
  if(!store_user_id_valid(user_id) || !store_item_id_valid(item_id))
    return MYNT_NOT_FOUND;
  if(!error_code || !*error_code || strlen(error_code) >= sizeof(((store_item_sync *)0)->last_error))
    return MYNT_BAD_REQUEST;
  json_t *names = json_pack("{s:s}", "#error", "last_error");
  json_t *values = json_pack("{s:{s:s}}", ":error", "S", error_code);
  mynt_status st = names && values ? s_update_sync_ensured(s, user_id, item_id, "SET #sync.#error = :error", NULL,
                                                           names, values, deadline_ms, "item sync error", NULL)
                                   : MYNT_NOMEM;
  json_decref(names);
  json_decref(values);
  return st;
}

mynt_status store_item_request_sync(store *s, const char *user_id, const char *item_id, int64_t now_ms,
                                    int64_t min_interval_ms, int64_t deadline_ms, bool *out_accepted)
{
  *out_accepted = false;
  if(!store_user_id_valid(user_id) || !store_item_id_valid(item_id))
    return MYNT_NOT_FOUND;
  char now[32];
  char limit[32];
  snprintf(now, sizeof(now), "%" PRId64, now_ms);
  snprintf(limit, sizeof(limit), "%" PRId64, now_ms - min_interval_ms);
  json_t *names = json_pack("{s:s}", "#req", "requested_at_ms");
  /* `= :now` lets a retry of this very write (its first try committed, its answer was lost) through, rather than
   * taking it for an earlier request and refusing the refresh. */
  json_t *values = json_pack("{s:{s:s}, s:{s:s}}", ":now", "N", now, ":limit", "N", limit);
  mynt_status st = names && values ? s_update_sync_ensured(s, user_id, item_id, "SET #sync.#req = :now",
                                                           "(attribute_not_exists(#sync.#req) OR #sync.#req <= :limit "
                                                           "OR #sync.#req = :now)",
                                                           names, values, deadline_ms, "item sync request", NULL)
                                   : MYNT_NOMEM;
  json_decref(names);
  json_decref(values);
  if(st == MYNT_CONDITION_FAILED) {
    /* Too soon, or the item went away meanwhile: tell them apart. */
    store_item still;
    st = store_item_get(s, user_id, item_id, deadline_ms, &still);
    store_item_clear(&still);
    return st;
  }
  *out_accepted = st == MYNT_OK;
  return st;
}

mynt_status store_item_set_new_accounts(store *s, const char *user_id, const char *item_id, bool available,
                                        int64_t deadline_ms)
{
  if(!store_user_id_valid(user_id) || !store_item_id_valid(item_id))
    return MYNT_NOT_FOUND;
  return s_update_field(s, user_id, item_id, "new_accounts_available", json_pack("{s:b}", "BOOL", available),
                        deadline_ms, "item new accounts");
}
