/* items.c - the item record and its INST/PUBTOKEN markers: keys, the create/delete transactions, reads and updates. */
#include "store/items.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/logger.h"
#include "core/wipe.h"
#include "store/users.h"

#define S_ITEM_PREFIX     "ITEM#"
#define S_INST_PREFIX     "INST#"
#define S_PUBTOKEN_PREFIX "PUBTOKEN#"

/* The longest sort key: a prefix and an id. */
#define S_SK_MAX (16 + STORE_ITEM_ID_MAX + STORE_SHA256_HEX_LEN)

const char *store_item_status_name(store_item_status status)
{
  return status == STORE_ITEM_LOGIN_REQUIRED ? "login_required" : "active";
}

void store_item_clear(store_item *item)
{
  if(!item)
    return;
  json_decref(item->accounts);
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

static bool s_user_valid(const char *user_id)
{
  return user_id && *user_id && strlen(user_id) <= STORE_USER_ID_MAX;
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

/* Fills out_item from a plain ITEM# record. Returns MYNT_OK or MYNT_INTERNAL (malformed). */
static mynt_status s_parse_item(const json_t *plain, store_item *out_item)
{
  memset(out_item, 0, sizeof(*out_item));
  const char *status = json_member_string(plain, "status");
  json_t *accounts = json_object_get(plain, "accounts");
  if(!s_copy(out_item->item_id, sizeof(out_item->item_id), plain, "item_id", 1) ||
     !s_copy(out_item->institution_id, sizeof(out_item->institution_id), plain, "institution_id", 0) ||
     !s_copy(out_item->institution_name, sizeof(out_item->institution_name), plain, "institution_name", 0) ||
     !s_copy(out_item->created_at, sizeof(out_item->created_at), plain, "created_at", 1) ||
     !s_copy(out_item->public_token_sha256, sizeof(out_item->public_token_sha256), plain, "public_token_sha256", 0) ||
     !s_copy(out_item->sealed_token, sizeof(out_item->sealed_token), plain, "access_token_sealed", 1) || !status ||
     (accounts && !json_is_array(accounts))) {
    logger_log(LOGGER_ERROR, NULL, "store: an item record is malformed");
    store_item_clear(out_item);
    return MYNT_INTERNAL;
  }
  out_item->status = strcmp(status, "login_required") == 0 ? STORE_ITEM_LOGIN_REQUIRED : STORE_ITEM_ACTIVE;
  out_item->accounts = accounts ? json_incref(accounts) : json_array();
  if(!out_item->accounts) {
    store_item_clear(out_item);
    return MYNT_NOMEM;
  }
  return MYNT_OK;
}

mynt_status store_item_get(store *s, const char *user_id, const char *item_id, int64_t deadline_ms,
                           store_item *out_item)
{
  memset(out_item, 0, sizeof(*out_item));
  if(!s_user_valid(user_id) || !store_item_id_valid(item_id))
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
  if(!s_user_valid(user_id) || !s_digest_valid(digest_hex))
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
    "{s:s, s:s, s:s, s:s*, s:s, s:s, s:s, s:s, s:s, s:O}", "user_id", user_id, "sk", item_sk, "item_id", item->item_id,
    "institution_id", item->institution_id[0] ? item->institution_id : NULL, "institution_name", item->institution_name,
    "status", store_item_status_name(STORE_ITEM_ACTIVE), "created_at", item->created_at, "access_token_sealed",
    item->sealed_token, "public_token_sha256", item->public_token_sha256, "accounts", item->accounts);
  json_t *inst = json_pack("{s:s, s:s, s:s, s:s}", "user_id", user_id, "sk", inst_sk, "item_id", item->item_id,
                           "created_at", item->created_at);
  json_t *pub = json_pack("{s:s, s:s, s:s, s:s}", "user_id", user_id, "sk", pub_sk, "item_id", item->item_id,
                          "created_at", item->created_at);
  /* No ClientRequestToken: a resend after a lost answer then fails its conditions, and
   * s_create_conflict finds this very item behind the PUBTOKEN marker. An unknown institution
   * has no marker. */
  if(!item->institution_id[0]) {
    json_decref(inst);
    return json_pack("{s:[o, o]}", "TransactItems", s_put_new(s->table, record), s_put_new(s->table, pub));
  }
  return json_pack("{s:[o, o, o]}", "TransactItems", s_put_new(s->table, record), s_put_new(s->table, inst),
                   s_put_new(s->table, pub));
}

mynt_status store_item_create(store *s, const seal_keyring *ring, const char *user_id, store_item *item,
                              const char *access_token, int64_t deadline_ms, store_item_outcome *out_outcome,
                              char *out_existing)
{
  *out_outcome = STORE_ITEM_CREATED;
  out_existing[0] = '\0';
  if(!s_user_valid(user_id) || !store_item_id_valid(item->item_id) || !s_institution_valid(item->institution_id) ||
     !s_digest_valid(item->public_token_sha256) || !json_is_array(item->accounts) ||
     json_array_size(item->accounts) > STORE_ITEM_ACCOUNTS_MAX || !access_token || !*access_token)
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
  if(!s_user_valid(user_id))
    return MYNT_BAD_REQUEST;
  mynt_status st = MYNT_OK;
  json_t *raw = NULL;
  store_item *items = NULL;
  size_t n = 0;
  json_t *request = json_pack("{s:s, s:s, s:{s:{s:s}, s:{s:s}}, s:b}", "TableName", s->table, "KeyConditionExpression",
                              "user_id = :u AND begins_with(sk, :p)", "ExpressionAttributeValues", ":u", "S", user_id,
                              ":p", "S", S_ITEM_PREFIX, "ConsistentRead", 1);
  if(!request)
    return MYNT_NOMEM;
  aws_error err;
  memset(&err, 0, sizeof(err));
  st = ddb_query_all(s->ddb, request, STORE_ITEMS_MAX, deadline_ms, &raw, &err);
  if(st) {
    st = store_status_from_ddb(st, &err, "Query items");
    goto cleanup;
  }
  size_t total = json_array_size(raw);
  if(total == 0)
    goto cleanup;
  items = calloc(total, sizeof(*items));
  if(!items) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  for(n = 0; n < total; n++) {
    json_t *plain = ddb_unmarshal_item(json_array_get(raw, n));
    st = plain ? s_parse_item(plain, &items[n]) : MYNT_INTERNAL;
    json_decref(plain);
    if(st)
      goto cleanup;
  }

cleanup:
  json_decref(request);
  json_decref(raw);
  if(st) {
    store_items_free(items, n);
    return st;
  }
  *out_items = items;
  *out_count = n;
  return MYNT_OK;
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
  if(!s_user_valid(user_id) || !store_item_id_valid(item_id))
    return MYNT_NOT_FOUND;
  return s_update_field(s, user_id, item_id, "status", json_pack("{s:s}", "S", store_item_status_name(status)),
                        deadline_ms, "item status");
}

mynt_status store_item_set_accounts(store *s, const char *user_id, const char *item_id, const json_t *accounts,
                                    int64_t deadline_ms)
{
  if(!s_user_valid(user_id) || !store_item_id_valid(item_id))
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
  if(!s_user_valid(user_id) || !store_item_id_valid(item->item_id) || !s_institution_valid(item->institution_id))
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
  json_t *request = json_pack("{s:o}", "TransactItems", ops);
  if(!request || json_array_size(ops) < (item->institution_id[0] ? 2u : 1u)) {
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
