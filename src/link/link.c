/* link.c - the linking workflow: exchange, describe, store, and the undoing that must never lose a bank. */
#include "link/link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/logger.h"
#include "core/json.h"
#include "core/wipe.h"

/* After Plaid says a public token was already used, how often and how long to look for the
 * item a concurrent request with the same token may still be storing. */
#define LINK_REPLAY_LOOKS   3
#define LINK_REPLAY_WAIT_MS 300

void link_copy_utf8(char *dst, size_t cap, const char *src)
{
  if(cap == 0)
    return;
  size_t len = strlen(src);
  if(len >= cap) {
    len = cap - 1;
    /* src[len] is the first byte left out: while it continues a character, that character
     * started inside the copy and is left out whole. */
    while(len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
      len--;
  }
  memcpy(dst, src, len);
  dst[len] = '\0';
}

void link_result_clear(link_result *out)
{
  if(!out)
    return;
  store_item_clear(&out->item);
  json_decref(out->plaid_accounts);
  memset(out, 0, sizeof(*out));
}

static mynt_status s_failed(link_result *out, mynt_status st)
{
  out->outcome = LINK_FAILED;
  out->status = st;
  return st;
}

static mynt_status s_plaid_failed(link_result *out, const char *operation, const plaid_error *err)
{
  out->outcome = LINK_PLAID_FAILED;
  out->operation = operation;
  out->err = *err;
  return MYNT_OK;
}

/* Takes the string obj[key] out of a Plaid answer: returns a malloc'd copy (wipe it with
 * mynt_wipe_free) and wipes the answer's own copy. NULL when absent or on allocation failure. */
static char *s_take_secret(json_t *obj, const char *key)
{
  json_t *v = json_object_get(obj, key);
  const char *text = json_string_value(v);
  if(!text)
    return NULL;
  char *copy = strdup(text);
  mynt_wipe_json_string(v);
  return copy;
}

/* Removes a new item at Plaid so it is never billed; a failure is logged (the item then stays
 * at Plaid and is billed until removed by hand: the log line names it). */
static void s_remove_new_item(const link_deps *deps, const char *access_token, const char *item_id, int64_t deadline_ms)
{
  json_t *answer = NULL;
  plaid_error err;
  mynt_status st = plaid_item_remove(deps->plaid, access_token, deadline_ms, &answer, &err);
  json_decref(answer);
  if(st)
    logger_log(LOGGER_ERROR, NULL,
               "items: could not remove new item %s at Plaid (%s %s, request_id %s): remove it by hand", item_id,
               plaid_error_kind_name(err.kind), err.error_code, err.request_id);
  else
    logger_log(LOGGER_INFO, NULL, "items: removed new item %s at Plaid", item_id);
}

/* /accounts/get of the item item_id (a "new" or "stored" one, for the log) within deadline_ms: true with *out_answer
 * (caller json_decref) when Plaid answered; false, logged with what follows (the item is kept either way), when not. */
static bool s_read_accounts(const link_deps *deps, const char *access_token, int64_t deadline_ms, const char *item_id,
                            const char *which, const char *outcome, json_t **out_answer)
{
  plaid_error err;
  if(plaid_accounts_get(deps->plaid, access_token, deadline_ms, out_answer, &err) == MYNT_OK)
    return true;
  *out_answer = NULL;
  logger_log(LOGGER_WARN, NULL, "items: /accounts/get failed for %s item %s (%s %s, request_id %s): %s", which, item_id,
             plaid_error_kind_name(err.kind), err.error_code, err.request_id, outcome);
  return false;
}

/* A deadline half-way from now to deadline_ms (0 stays 0). */
static int64_t s_half_way(int64_t deadline_ms)
{
  if(!deadline_ms)
    return 0;
  int64_t now = clock_epoch_ms();
  return deadline_ms > now ? now + (deadline_ms - now) / 2 : deadline_ms;
}

/* out->item is a stored item: reads its accounts and balances again from Plaid within half of the time left (the
 * answer and the sync's start have the rest). The bank is stored whatever Plaid answers, so a failed read is logged
 * and the item is answered with the accounts the store keeps of it (out->plaid_accounts stays NULL). */
static mynt_status s_existing(const link_deps *deps, const link_request *req, link_result *out)
{
  char *access_token = NULL;
  size_t token_len = 0;
  json_t *answer = NULL;
  mynt_status st = store_item_open_token(deps->keyring, req->user_id, &out->item, &access_token, &token_len);
  if(st)
    return s_failed(out, st);
  bool read = s_read_accounts(deps, access_token, s_half_way(req->deadline_ms), out->item.item_id, "stored",
                              "answered with its stored accounts", &answer);
  mynt_wipe_free(access_token);
  out->outcome = LINK_EXISTING;
  if(read)
    out->plaid_accounts = json_incref(json_object_get(answer, "accounts"));
  json_decref(answer);
  return MYNT_OK;
}

/* Reads the stored item item_id of the user into out as LINK_EXISTING. */
static mynt_status s_stored(const link_deps *deps, const link_request *req, const char *item_id, link_result *out)
{
  store_item_clear(&out->item);
  mynt_status st = store_item_get(deps->store, req->user_id, item_id, req->deadline_ms, &out->item);
  if(st)
    return s_failed(out, st == MYNT_NOT_FOUND ? MYNT_CONFLICT : st);
  return s_existing(deps, req, out);
}

/* Plaid refused the public token: looks for the item a concurrent request with the same token may
 * still be storing; logs a lost exchange answer when none turns up. */
static mynt_status s_used_token(const link_deps *deps, const link_request *req, const char *digest,
                                const plaid_error *err, link_result *out)
{
  for(int look = 0; look < LINK_REPLAY_LOOKS; look++) {
    if(look > 0) {
      if(req->deadline_ms && clock_epoch_ms() + LINK_REPLAY_WAIT_MS >= req->deadline_ms)
        break;
      clock_sleep_ms(LINK_REPLAY_WAIT_MS);
    }
    store_item_clear(&out->item);
    mynt_status st = store_item_find_by_public_token(deps->store, req->user_id, digest, req->deadline_ms, &out->item);
    if(st == MYNT_OK)
      return s_existing(deps, req, out);
    if(st != MYNT_NOT_FOUND)
      return s_failed(out, st);
  }
  store_item_clear(&out->item);
  /* A token refused although nothing of ours holds it: expired or forged, or the answer to an
   * earlier exchange of it was lost (a transport failure that Mynt's retry, or libcurl's own
   * resend on a reused connection, followed with this call). Then Plaid holds, and bills, an
   * item nobody stored: the log names what traces it. */
  logger_log(LOGGER_ERROR, NULL,
             "items: /item/public_token/exchange refused public token sha256 %s (%s, request_id %s, %d attempts) "
             "and no stored item has it: if an earlier answer was lost, Plaid holds a new, billed item nobody "
             "stored; trace it by this request id",
             digest, err->error_code[0] ? err->error_code : plaid_error_kind_name(err->kind), err->request_id,
             err->attempts);
  out->outcome = LINK_TOKEN_REFUSED;
  return MYNT_OK;
}

/* Counts the user's items into *out_count; *out_has is set when item_id (may be NULL) is among them. */
static mynt_status s_count(const link_deps *deps, const link_request *req, const char *item_id, size_t *out_count,
                           bool *out_has)
{
  store_item *items = NULL;
  mynt_status st = store_item_list(deps->store, req->user_id, req->deadline_ms, &items, out_count);
  *out_has = false;
  for(size_t i = 0; !st && item_id && i < *out_count; i++)
    *out_has = *out_has || strcmp(items[i].item_id, item_id) == 0;
  store_items_free(items, *out_count);
  return st;
}

/* Copies the institution Plaid names in obj (an item object) into item when it has a valid id. */
static bool s_take_institution(const json_t *obj, store_item *item)
{
  const char *id = json_member_string(obj, "institution_id");
  const char *name = json_member_string(obj, "institution_name");
  if(!store_item_id_valid(id) || strlen(id) > STORE_INSTITUTION_ID_MAX)
    return false;
  snprintf(item->institution_id, sizeof(item->institution_id), "%s", id);
  if(name)
    link_copy_utf8(item->institution_name, sizeof(item->institution_name), name);
  return true;
}

/* Fills item->accounts and the institution of a new item from /accounts/get (and /item/get when
 * that names no institution), the request's institution last, all within deadline_ms. A failing
 * call is logged and leaves what it would have told unknown. Sets *out_plaid_accounts to Plaid's
 * accounts (caller json_decref) when /accounts/get answered. MYNT_NOMEM is the only failure. */
static mynt_status s_describe(const link_deps *deps, const link_request *req, const char *access_token,
                              int64_t deadline_ms, store_item *item, json_t **out_plaid_accounts)
{
  *out_plaid_accounts = NULL;
  json_t *answer = NULL;
  json_t *item_answer = NULL;
  plaid_error err;
  item->accounts = json_array();
  if(!item->accounts)
    return MYNT_NOMEM;
  if(s_read_accounts(deps, access_token, deadline_ms, item->item_id, "new", "stored without its accounts", &answer)) {
    size_t i;
    json_t *account;
    json_array_foreach(json_object_get(answer, "accounts"), i, account) {
      json_t *summary = deps->account_record(account);
      if(!summary) {
        logger_log(LOGGER_WARN, NULL, "items: skipped an account without a valid account_id in item %s", item->item_id);
        continue;
      }
      if(json_array_size(item->accounts) == STORE_ITEM_ACCOUNTS_MAX || json_array_append_new(item->accounts, summary))
        break;
    }
    *out_plaid_accounts = json_incref(json_object_get(answer, "accounts"));
  }

  if(!s_take_institution(json_object_get(answer, "item"), item)) {
    if(plaid_item_get(deps->plaid, access_token, deadline_ms, &item_answer, &err) == MYNT_OK)
      s_take_institution(json_object_get(item_answer, "item"), item);
    else
      logger_log(LOGGER_WARN, NULL, "items: /item/get failed for new item %s (%s %s, request_id %s)", item->item_id,
                 plaid_error_kind_name(err.kind), err.error_code, err.request_id);
    if(!item->institution_id[0] && req->institution_id) {
      snprintf(item->institution_id, sizeof(item->institution_id), "%s", req->institution_id);
      if(req->institution_name)
        link_copy_utf8(item->institution_name, sizeof(item->institution_name), req->institution_name);
    }
  }
  if(!item->institution_id[0])
    logger_log(LOGGER_WARN, NULL, "items: nobody named the institution of new item %s: stored as unknown",
               item->item_id);
  if(!item->institution_name[0] && req->institution_name)
    link_copy_utf8(item->institution_name, sizeof(item->institution_name), req->institution_name);
  json_decref(answer);
  json_decref(item_answer);
  return MYNT_OK;
}

/* The write of a new item failed with st: settles whether it committed anyway by reading it back.
 * Found → LINK_CREATED; surely absent → removed at Plaid, LINK_FAILED; unknown → kept, LINK_FAILED. */
static mynt_status s_settle_failed_write(const link_deps *deps, const link_request *req, const char *access_token,
                                         mynt_status st, link_result *out)
{
  store_item stored;
  mynt_status read = store_item_get(deps->store, req->user_id, out->item.item_id, req->cleanup_deadline_ms, &stored);
  if(read == MYNT_OK) {
    logger_log(LOGGER_WARN, NULL, "items: storing item %s answered %s, yet it is stored", out->item.item_id,
               mynt_status_code(st));
    store_item_clear(&out->item);
    out->item = stored;
    out->outcome = LINK_CREATED;
    return MYNT_OK;
  }
  store_item_clear(&stored);
  if(read == MYNT_NOT_FOUND)
    s_remove_new_item(deps, access_token, out->item.item_id, req->cleanup_deadline_ms);
  else
    logger_log(LOGGER_ERROR, NULL,
               "items: storing item %s answered %s and reading it back %s: it may be stored, so it stays at Plaid; "
               "check the table and remove it at Plaid by hand if it is not there",
               out->item.item_id, mynt_status_code(st), mynt_status_code(read));
  return s_failed(out, st);
}

/* Stores the new item out->item (described) and settles what the write came to. */
static mynt_status s_store(const link_deps *deps, const link_request *req, const char *access_token, link_result *out)
{
  store_item_outcome outcome = STORE_ITEM_CREATED;
  char existing[STORE_ITEM_ID_MAX + 1];
  mynt_status st = store_item_create(deps->store, deps->keyring, req->user_id, &out->item, access_token,
                                     req->deadline_ms, &outcome, existing);
  if(st)
    return s_settle_failed_write(deps, req, access_token, st, out);
  switch(outcome) {
  case STORE_ITEM_CREATED:
    logger_log(LOGGER_INFO, NULL, "items: stored item %s (%s)", out->item.item_id,
               out->item.institution_id[0] ? out->item.institution_id : "institution unknown");
    out->outcome = LINK_CREATED;
    return MYNT_OK;
  case STORE_ITEM_SAME_PUBLIC_TOKEN:
    /* Our own earlier attempt (DynamoDB's answer was lost) names this item: it is stored. Anything
     * else is a concurrent request that stored first: ours must not stay at Plaid. */
    if(strcmp(existing, out->item.item_id) == 0) {
      store_item_clear(&out->item);
      st = store_item_get(deps->store, req->user_id, existing, req->cleanup_deadline_ms, &out->item);
      if(st)
        return s_failed(out, st == MYNT_NOT_FOUND ? MYNT_CONFLICT : st);
      out->outcome = LINK_CREATED;
      return MYNT_OK;
    }
    s_remove_new_item(deps, access_token, out->item.item_id, req->cleanup_deadline_ms);
    json_decref(out->plaid_accounts);
    out->plaid_accounts = NULL;
    return s_stored(deps, req, existing, out);
  case STORE_ITEM_DUPLICATE_INSTITUTION:
    break;
  }
  s_remove_new_item(deps, access_token, out->item.item_id, req->cleanup_deadline_ms);
  out->outcome = LINK_DUPLICATE_INSTITUTION;
  snprintf(out->existing_item_id, sizeof(out->existing_item_id), "%s", existing);
  json_decref(out->plaid_accounts);
  out->plaid_accounts = NULL;
  return MYNT_OK;
}

/* The exchange answered: the new item is described and stored, unless the cap was reached meanwhile. */
static mynt_status s_new_item(const link_deps *deps, const link_request *req, const char *digest,
                              const char *access_token, const char *item_id, link_result *out)
{
  snprintf(out->item.item_id, sizeof(out->item.item_id), "%s", item_id);
  memcpy(out->item.public_token_sha256, digest, STORE_SHA256_HEX_LEN + 1);

  size_t count = 0;
  bool has = false;
  mynt_status st = s_count(deps, req, item_id, &count, &has);
  if(st == MYNT_OK && count >= STORE_ITEMS_MAX && !has) {
    logger_log(LOGGER_WARN, NULL, "items: the item cap was reached while item %s was exchanged", item_id);
    s_remove_new_item(deps, access_token, item_id, req->cleanup_deadline_ms);
    out->outcome = LINK_AT_CAP;
    return MYNT_OK;
  }
  if(st)
    logger_log(LOGGER_WARN, NULL, "items: could not count the items again (%s): storing item %s anyway",
               mynt_status_code(st), item_id);

  st = s_describe(deps, req, access_token, s_half_way(req->deadline_ms), &out->item, &out->plaid_accounts);
  if(st) {
    s_remove_new_item(deps, access_token, item_id, req->cleanup_deadline_ms);
    return s_failed(out, st);
  }
  return s_store(deps, req, access_token, out);
}

mynt_status link_item(const link_deps *deps, const link_request *req, link_result *out)
{
  memset(out, 0, sizeof(*out));
  char digest[STORE_SHA256_HEX_LEN + 1];
  mynt_status st = store_item_public_token_digest(req->public_token, digest);
  if(st)
    return s_failed(out, st);
  st = store_item_find_by_public_token(deps->store, req->user_id, digest, req->deadline_ms, &out->item);
  if(st == MYNT_OK)
    return s_existing(deps, req, out);
  if(st != MYNT_NOT_FOUND)
    return s_failed(out, st);
  store_item_clear(&out->item);

  size_t count = 0;
  bool has = false;
  st = s_count(deps, req, NULL, &count, &has);
  if(st)
    return s_failed(out, st);
  if(count >= STORE_ITEMS_MAX) {
    out->outcome = LINK_AT_CAP;
    return MYNT_OK;
  }

  json_t *exchange = NULL;
  plaid_error err;
  st = plaid_item_public_token_exchange(deps->plaid, req->public_token, req->deadline_ms, &exchange, &err);
  if(st) {
    if(err.kind == PLAID_ERR_INVALID_PUBLIC_TOKEN || err.kind == PLAID_ERR_INVALID_REQUEST)
      return s_used_token(deps, req, digest, &err, out);
    return s_plaid_failed(out, "/item/public_token/exchange", &err);
  }
  char *access_token = s_take_secret(exchange, "access_token");
  const char *item_id = json_member_string(exchange, "item_id");
  if(!access_token || !*access_token || !store_item_id_valid(item_id)) {
    logger_log(LOGGER_ERROR, NULL, "items: /item/public_token/exchange answered without a usable token or item_id");
    if(access_token && *access_token)
      s_remove_new_item(deps, access_token, "(unnamed)", req->cleanup_deadline_ms);
    st = s_failed(out, access_token ? MYNT_UPSTREAM : MYNT_NOMEM);
  }
  else {
    st = s_new_item(deps, req, digest, access_token, item_id, out);
  }
  mynt_wipe_free(access_token);
  json_decref(exchange);
  return st;
}
