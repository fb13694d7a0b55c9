/* sync.c - the sync workflow: one item's history brought up to date with Plaid's /transactions/sync, and the daily catch-up. */
#include "sync/sync.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/json.h"
#include "core/logger.h"
#include "core/wipe.h"
#include "plaid/plaid.h"
#include "store/history.h"
#include "store/items.h"
#include "sync/start.h"
#include "sync/sync_records.h"

_Static_assert(PLAID_CURSOR_MAX <= STORE_CURSOR_MAX, "every cursor Plaid's client accepts must fit the item record");

#define S_MUTATION "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"
/* Paging Plaid ends this long before the deadline (at most a third of the time left): room to
 * store the batch and save the cursor. */
#define S_STORE_MARGIN_MS 20000
/* The save of the cursor gets the last this long (at most a sixth of the time left). */
#define S_SAVE_MARGIN_MS 3000
/* The daily walk stops starting syncs this long before its deadline. */
#define S_SCHEDULE_MARGIN_MS 2000
/* The most one start of a sync by the schedule may take. */
#define S_SCHEDULE_START_MS 5000

/* One batch: every page from a cursor to has_more false, in the stored shape. */
typedef struct {
  json_t *added;                     /* stored transactions */
  json_t *modified;                  /* stored transactions */
  json_t *removed;                   /* transaction ids */
  char cursor[STORE_CURSOR_MAX + 1]; /* where the pages read so far end */
  char update_status[48];            /* the last page's transactions_update_status */
} s_batch;

static void s_batch_clear(s_batch *b)
{
  json_decref(b->added);
  json_decref(b->modified);
  json_decref(b->removed);
  memset(b, 0, sizeof *b);
}

/* Empties b for a batch that starts at cursor. */
static mynt_status s_batch_reset(s_batch *b, const char *cursor)
{
  s_batch_clear(b);
  b->added = json_array();
  b->modified = json_array();
  b->removed = json_array();
  snprintf(b->cursor, sizeof b->cursor, "%s", cursor);
  return b->added && b->modified && b->removed ? MYNT_OK : MYNT_NOMEM;
}

/* Appends one page's changes to b, counting in out what cannot be stored, and moves b's cursor. */
static mynt_status s_batch_take(s_batch *b, const json_t *page, sync_result *out)
{
  static const char *const lists[] = {"added", "modified"};
  json_t *const into[] = {b->added, b->modified};
  size_t i;
  json_t *v;
  for(size_t k = 0; k < 2; k++) {
    json_array_foreach(json_object_get(page, lists[k]), i, v) {
      json_t *record = NULL;
      mynt_status st = sync_records_txn(v, &record);
      if(st == MYNT_BAD_REQUEST) {
        out->skipped++;
        continue;
      }
      if(st)
        return st;
      if(json_array_append_new(into[k], record))
        return MYNT_NOMEM;
    }
  }
  json_array_foreach(json_object_get(page, "removed"), i, v) {
    const char *id = json_member_string(v, "transaction_id");
    if(!store_item_id_valid(id)) {
      out->skipped++;
      continue;
    }
    if(json_array_append_new(b->removed, json_string(id)))
      return MYNT_NOMEM;
  }
  /* plaid_transactions_sync checked next_cursor: a string of at most PLAID_CURSOR_MAX bytes. */
  json_member_copy(page, "next_cursor", b->cursor, sizeof b->cursor);
  json_member_copy(page, "transactions_update_status", b->update_status, sizeof b->update_status);
  return MYNT_OK;
}

/* The deadline of one Plaid call made now: deadline_ms, or SYNC_PLAID_CALL_MS from now when sooner. */
static int64_t s_call_deadline(int64_t deadline_ms)
{
  int64_t capped = clock_epoch_ms() + SYNC_PLAID_CALL_MS;
  return capped < deadline_ms ? capped : deadline_ms;
}

/* Pages /transactions/sync from start_cursor into b until has_more is false, restarting after a
 * mutation during pagination. A failed Plaid call sets *out_plaid_failed (with out->err and
 * out->operation) and returns its status; other failures return theirs. */
static mynt_status s_fetch(const handlers_env *env, const char *item_id, const char *token, const char *start_cursor,
                           int64_t deadline_ms, s_batch *b, sync_result *out, bool *out_plaid_failed)
{
  *out_plaid_failed = false;
  for(int attempt = 0;; attempt++) {
    mynt_status st = s_batch_reset(b, start_cursor);
    if(st)
      return st;
    out->skipped = 0;
    bool more = true;
    bool restart = false;
    for(int page_no = 0; more; page_no++) {
      if(page_no >= SYNC_PAGES_MAX)
        return MYNT_TOO_LARGE;
      json_t *page = NULL;
      st = plaid_transactions_sync(env->plaid, token, b->cursor, SYNC_PAGE_COUNT, s_call_deadline(deadline_ms), &page,
                                   &out->err);
      out->pages++;
      if(st) {
        if(strcmp(out->err.error_code, S_MUTATION) == 0 && attempt < SYNC_RESTARTS_MAX) {
          restart = true;
          break;
        }
        out->operation = "/transactions/sync";
        *out_plaid_failed = true;
        return st;
      }
      more = json_is_true(json_object_get(page, "has_more"));
      st = s_batch_take(b, page, out);
      json_decref(page);
      if(st)
        return st;
    }
    if(!restart)
      return MYNT_OK;
    out->restarts++;
    logger_log(LOGGER_INFO, NULL, "sync: item %s: Plaid's data changed while paging; restarting the batch", item_id);
  }
}

/* The account records (with balances) of an /accounts/get answer; NULL on allocation failure. */
static json_t *s_accounts(const json_t *answer)
{
  json_t *accounts = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(answer, "accounts"), i, v) {
    if(!accounts || json_array_size(accounts) >= STORE_ITEM_ACCOUNTS_MAX)
      break;
    json_t *record = sync_records_account(v);
    if(record && json_array_append_new(accounts, record)) {
      json_decref(accounts);
      accounts = NULL;
    }
  }
  return accounts;
}

/* Whether accounts (the records of /accounts/get) hold an account_id that stored (the item's stored
 * accounts) does not: the user has shared a new account (update mode with account selection). */
static bool s_has_new_account(const json_t *accounts, const json_t *stored)
{
  size_t i, k;
  json_t *v, *w;
  json_array_foreach(accounts, i, v) {
    const char *id = json_member_string(v, "account_id");
    bool known = false;
    json_array_foreach(stored, k, w) {
      const char *old = json_member_string(w, "account_id");
      known = known || (id && old && strcmp(id, old) == 0);
    }
    if(id && !known)
      return true;
  }
  return false;
}

/* Whether an /item/get answer shows the item healthy again after PENDING_EXPIRATION /
 * PENDING_DISCONNECT: no item.error, and a consent_expiration_time that is null or more than
 * SYNC_EXPIRING_NOTICE_MS after now_ms (the user renewed the consent in update mode). An
 * unreadable time keeps the item expiring. */
static bool s_consent_renewed(const json_t *answer, int64_t now_ms)
{
  const json_t *item = json_object_get(answer, "item");
  if(!json_is_object(item))
    return false;
  const json_t *error = json_object_get(item, "error");
  if(error && !json_is_null(error))
    return false;
  const json_t *expires = json_object_get(item, "consent_expiration_time");
  if(!expires || json_is_null(expires))
    return true;
  int64_t at_ms = 0;
  if(!json_is_string(expires) || date_iso8601_epoch_ms(json_string_value(expires), &at_ms) != MYNT_OK)
    return false;
  return at_ms > now_ms + SYNC_EXPIRING_NOTICE_MS;
}

/* Deletes the buckets of an item that is gone (deleted while it synced). */
static void s_forget(const handlers_env *env, const char *user_id, const char *item_id, int64_t deadline_ms)
{
  mynt_status st = store_history_delete_item(env->store, user_id, item_id, deadline_ms);
  if(st)
    logger_log(LOGGER_ERROR, NULL, "sync: item %s was deleted during its sync; its buckets could not be deleted: %s",
               item_id, mynt_strerror(st));
  else
    logger_log(LOGGER_INFO, NULL, "sync: item %s was deleted during its sync; its buckets are deleted", item_id);
}

/* Records out->last_error on the item. An item that is gone has its buckets deleted and the
 * outcome becomes SYNC_NOT_LINKED. */
static void s_record_error(const handlers_env *env, const char *user_id, const char *item_id, int64_t deadline_ms,
                           sync_result *out)
{
  mynt_status st = store_item_set_sync_error(env->store, user_id, item_id, out->last_error, deadline_ms);
  if(st == MYNT_NOT_FOUND) {
    s_forget(env, user_id, item_id, deadline_ms);
    out->outcome = SYNC_NOT_LINKED;
    out->status = MYNT_OK;
  }
  else if(st) {
    logger_log(LOGGER_WARN, NULL, "sync: item %s: could not record last_error %s: %s", item_id, out->last_error,
               mynt_strerror(st));
  }
}

/* The smaller of margin and part of the time left before deadline_ms. */
static int64_t s_margin(int64_t deadline_ms, int64_t margin, int64_t part)
{
  int64_t left = deadline_ms - clock_epoch_ms();
  int64_t share = left > 0 ? left / part : 0;
  return share < margin ? share : margin;
}

mynt_status sync_item(const handlers_env *env, const char *user_id, const char *item_id, int64_t deadline_ms,
                      sync_result *out)
{
  mynt_status st = MYNT_OK;
  store_item item;
  s_batch batch;
  char *token = NULL;
  size_t token_len = 0;
  json_t *months = NULL;
  json_t *accounts = NULL;
  json_t *answer = NULL;
  char as_of[32] = "";
  bool plaid_failed = false;
  bool renewed = false;
  memset(out, 0, sizeof *out);
  memset(&item, 0, sizeof item);
  memset(&batch, 0, sizeof batch);
  plaid_error_clear(&out->err);
  const int64_t fetch_deadline = deadline_ms - s_margin(deadline_ms, S_STORE_MARGIN_MS, 3);
  const int64_t save_deadline = deadline_ms - s_margin(deadline_ms, S_SAVE_MARGIN_MS, 6);

  st = store_item_get(env->store, user_id, item_id, fetch_deadline, &item);
  if(st == MYNT_NOT_FOUND) {
    out->outcome = SYNC_NOT_LINKED;
    st = MYNT_OK;
    goto cleanup;
  }
  if(st)
    goto failed;
  if(item.status == STORE_ITEM_REVOKED) {
    out->outcome = SYNC_REVOKED;
    goto cleanup;
  }
  st = store_item_open_token(env->keyring, user_id, &item, &token, &token_len);
  if(st)
    goto failed;

  st = s_fetch(env, item_id, token, item.sync.cursor, fetch_deadline, &batch, out, &plaid_failed);
  if(st && plaid_failed) {
    if(out->err.kind == PLAID_ERR_ITEM_LOGIN_REQUIRED) {
      out->outcome = SYNC_LOGIN_REQUIRED;
      snprintf(out->last_error, sizeof out->last_error, "ITEM_LOGIN_REQUIRED");
      mynt_status marked = store_item_set_status(env->store, user_id, item_id, STORE_ITEM_LOGIN_REQUIRED, deadline_ms);
      if(marked && marked != MYNT_NOT_FOUND)
        logger_log(LOGGER_WARN, NULL, "sync: item %s: could not mark it login_required: %s", item_id,
                   mynt_strerror(marked));
    }
    else {
      out->outcome = SYNC_PLAID_FAILED;
      snprintf(out->last_error, sizeof out->last_error, "%s",
               out->err.error_code[0] ? out->err.error_code : mynt_status_code(st));
    }
    logger_log(LOGGER_WARN, NULL, "sync: item %s: %s failed (%s, request_id %s); the cursor is kept", item_id,
               out->operation, out->last_error, out->err.request_id[0] ? out->err.request_id : "none");
    st = MYNT_OK;
    s_record_error(env, user_id, item_id, deadline_ms, out);
    goto cleanup;
  }
  if(st)
    goto failed;

  plaid_error accounts_err;
  if(plaid_accounts_get(env->plaid, token, s_call_deadline(fetch_deadline), &answer, &accounts_err) == MYNT_OK) {
    accounts = s_accounts(answer);
    clock_iso8601((time_t)(clock_epoch_ms() / 1000), as_of);
  }
  else {
    logger_log(LOGGER_WARN, NULL, "sync: item %s: /accounts/get failed (%s); the stored accounts are kept", item_id,
               accounts_err.error_code[0] ? accounts_err.error_code : plaid_error_kind_name(accounts_err.kind));
  }
  if(item.status == STORE_ITEM_EXPIRING) {
    json_t *item_answer = NULL;
    plaid_error item_err;
    if(plaid_item_get(env->plaid, token, fetch_deadline, &item_answer, &item_err) == MYNT_OK)
      renewed = s_consent_renewed(item_answer, clock_epoch_ms());
    else
      logger_log(LOGGER_WARN, NULL, "sync: item %s: /item/get failed (%s); the item stays expiring", item_id,
                 item_err.error_code[0] ? item_err.error_code : plaid_error_kind_name(item_err.kind));
    json_decref(item_answer);
  }
  mynt_wipe_free(token);
  token = NULL;

  out->added = json_array_size(batch.added);
  out->modified = json_array_size(batch.modified);
  out->removed = json_array_size(batch.removed);
  months = item.months ? json_deep_copy(item.months) : json_object();
  if(!months) {
    st = MYNT_NOMEM;
    goto failed;
  }
  st = store_history_apply(env->store, user_id, item_id, batch.added, batch.modified, batch.removed, months,
                           save_deadline);
  if(st)
    goto failed;

  store_item_sync sync = item.sync;
  snprintf(sync.cursor, sizeof sync.cursor, "%s", batch.cursor);
  sync.last_synced_at_ms = clock_epoch_ms();
  bool historical = strcmp(batch.update_status, "HISTORICAL_UPDATE_COMPLETE") == 0;
  sync.history_complete = sync.history_complete || historical;
  sync.initial_complete =
    sync.initial_complete || historical || strcmp(batch.update_status, "INITIAL_UPDATE_COMPLETE") == 0;
  sync.last_error[0] = '\0';
  st =
    store_item_save_sync(env->store, user_id, item_id, &sync, months, accounts, accounts ? as_of : NULL, deadline_ms);
  if(st == MYNT_NOT_FOUND) {
    s_forget(env, user_id, item_id, deadline_ms);
    out->outcome = SYNC_NOT_LINKED;
    st = MYNT_OK;
    goto cleanup;
  }
  if(st)
    goto failed;
  if(item.status == STORE_ITEM_LOGIN_REQUIRED || (item.status == STORE_ITEM_EXPIRING && renewed)) {
    mynt_status healed = store_item_set_status(env->store, user_id, item_id, STORE_ITEM_ACTIVE, deadline_ms);
    if(healed && healed != MYNT_NOT_FOUND)
      logger_log(LOGGER_WARN, NULL, "sync: item %s synced but could not be marked active: %s", item_id,
                 mynt_strerror(healed));
  }
  if(item.new_accounts_available && accounts && s_has_new_account(accounts, item.accounts)) {
    mynt_status cleared = store_item_set_new_accounts(env->store, user_id, item_id, false, deadline_ms);
    if(cleared && cleared != MYNT_NOT_FOUND)
      logger_log(LOGGER_WARN, NULL, "sync: item %s: could not clear new_accounts_available: %s", item_id,
                 mynt_strerror(cleared));
  }
  out->outcome = SYNC_DONE;
  out->initial_complete = sync.initial_complete;
  out->history_complete = sync.history_complete;
  logger_log(LOGGER_INFO, NULL,
             "sync: item %s: %zu added, %zu modified, %zu removed, %zu skipped in %d pages (%d restarts), %s", item_id,
             out->added, out->modified, out->removed, out->skipped, out->pages, out->restarts,
             batch.update_status[0] ? batch.update_status : "no update status");
  goto cleanup;

failed:
  out->outcome = SYNC_FAILED;
  out->status = st;
  snprintf(out->last_error, sizeof out->last_error, "%s", mynt_status_code(st));
  logger_log(LOGGER_WARN, NULL, "sync: item %s: the sync failed (%s); the cursor is kept", item_id, mynt_strerror(st));
  s_record_error(env, user_id, item_id, deadline_ms, out);
  st = out->status;

cleanup:
  mynt_wipe_free(token);
  json_decref(answer);
  json_decref(accounts);
  json_decref(months);
  s_batch_clear(&batch);
  store_item_clear(&item);
  return st;
}

/* The daily walk's state. */
typedef struct {
  const handlers_env *env;
  int64_t now_ms;
  int64_t deadline_ms;
  sync_schedule_result *out;
} s_walk;

/* Starts a sync of one listed item when it is stale. */
static mynt_status s_visit(void *arg, const char *item_id, const char *user_id)
{
  s_walk *w = arg;
  w->out->items++;
  if(w->deadline_ms - clock_epoch_ms() < S_SCHEDULE_MARGIN_MS)
    return MYNT_TIMEOUT;
  store_item item;
  memset(&item, 0, sizeof item);
  mynt_status st = store_item_get(w->env->store, user_id, item_id, w->deadline_ms, &item);
  bool stale = st == MYNT_OK && item.status != STORE_ITEM_REVOKED &&
               (item.sync.last_synced_at_ms == 0 || w->now_ms - item.sync.last_synced_at_ms >= SYNC_STALE_MS);
  store_item_clear(&item);
  if(st == MYNT_NOT_FOUND)
    return MYNT_OK; /* deleted since it was listed */
  if(st) {
    w->out->failed++;
    logger_log(LOGGER_WARN, NULL, "sync schedule: item %s could not be read: %s", item_id, mynt_strerror(st));
    return MYNT_OK;
  }
  if(!stale)
    return MYNT_OK;
  w->out->stale++;
  int64_t start_deadline = clock_epoch_ms() + S_SCHEDULE_START_MS;
  st =
    sync_start(w->env, user_id, item_id, "schedule", start_deadline < w->deadline_ms ? start_deadline : w->deadline_ms);
  if(st) {
    w->out->failed++;
    logger_log(LOGGER_WARN, NULL, "sync schedule: the sync of item %s could not be started: %s", item_id,
               mynt_strerror(st));
  }
  else {
    w->out->started++;
  }
  return MYNT_OK;
}

mynt_status sync_schedule_daily(const handlers_env *env, int64_t now_ms, int64_t deadline_ms, sync_schedule_result *out)
{
  memset(out, 0, sizeof *out);
  s_walk w = {.env = env, .now_ms = now_ms, .deadline_ms = deadline_ms, .out = out};
  mynt_status st = store_item_refs_each(env->store, deadline_ms, s_visit, &w);
  logger_log(st ? LOGGER_WARN : LOGGER_INFO, NULL,
             "sync schedule: %zu items, %zu stale, %zu syncs started, %zu failed%s", out->items, out->stale,
             out->started, out->failed, st == MYNT_TIMEOUT ? "; stopped by the deadline" : "");
  return st;
}
