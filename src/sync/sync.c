/* sync.c - the sync workflow: one item's history brought up to date with Plaid's /transactions/sync, and the daily catch-up. */
#include "sync/sync.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/hex.h"
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
  const size_t skipped_before = out->skipped;
  for(int attempt = 0;; attempt++) {
    mynt_status st = s_batch_reset(b, start_cursor);
    if(st)
      return st;
    out->skipped = skipped_before;
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

/* The lease this sync holds on its item. */
typedef struct {
  const char *owner; /* out->lease_owner */
  int64_t until_ms;
  bool held;
} s_lease;

/* Records out->last_error on the item, ending lease when it is held (in the same write). An item that is gone has
 * its buckets deleted and the outcome becomes SYNC_NOT_LINKED. */
static void s_record_error(const handlers_env *env, const char *user_id, const char *item_id, s_lease *lease,
                           int64_t deadline_ms, sync_result *out)
{
  mynt_status st =
    lease->held ? store_item_lease_release(env->store, user_id, item_id, lease->owner, out->last_error, deadline_ms)
                : store_item_set_sync_error(env->store, user_id, item_id, out->last_error, deadline_ms);
  lease->held = false;
  if(st == MYNT_NOT_FOUND) {
    s_forget(env, user_id, item_id, deadline_ms);
    out->outcome = SYNC_NOT_LINKED;
    out->status = MYNT_OK;
  }
  else if(st) {
    logger_log(LOGGER_WARN, NULL, "sync: item %s: could not record last_error %s (sync %s): %s", item_id,
               out->last_error, out->lease_owner, mynt_strerror(st));
  }
}

/* The smaller of margin and part of the time left before deadline_ms. */
static int64_t s_margin(int64_t deadline_ms, int64_t margin, int64_t part)
{
  int64_t left = deadline_ms - clock_epoch_ms();
  int64_t share = left > 0 ? left / part : 0;
  return share < margin ? share : margin;
}

/* Writes a new opaque sync id ("sync-" and 16 hex digits) into out. Returns MYNT_OK or MYNT_INTERNAL. */
static mynt_status s_new_owner(char out[STORE_LEASE_OWNER_MAX + 1])
{
  unsigned char bytes[8];
  if(getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
    return MYNT_INTERNAL;
  memcpy(out, "sync-", 5);
  hex_encode(bytes, sizeof bytes, out + 5);
  return MYNT_OK;
}

/* The deadline of a write made now under lease: deadline_ms, or SYNC_LEASE_MARGIN_MS before the lease ends. */
static int64_t s_write_deadline(const s_lease *lease, int64_t deadline_ms)
{
  int64_t end = lease->until_ms - SYNC_LEASE_MARGIN_MS;
  return end < deadline_ms ? end : deadline_ms;
}

/* Renews the lease (SYNC_LEASE_MS from now) when less than half of it is left. Returns MYNT_OK,
 * MYNT_CONDITION_FAILED when it was taken over (this sync must not write), or the store's failure. */
static mynt_status s_lease_keep(const handlers_env *env, const char *user_id, const char *item_id, s_lease *lease,
                                int64_t deadline_ms)
{
  int64_t now = clock_epoch_ms();
  if(lease->until_ms - now >= SYNC_LEASE_MS / 2)
    return MYNT_OK;
  int64_t until = now + SYNC_LEASE_MS;
  mynt_status st = store_item_lease_renew(env->store, user_id, item_id, lease->owner, until, deadline_ms);
  if(st == MYNT_OK)
    lease->until_ms = until;
  return st;
}

/* Whether item's lease is held by a sync and still live at now_ms. */
static bool s_lease_live(const store_item *item, int64_t now_ms)
{
  return item->sync.lease_owner[0] && item->sync.lease_until_ms >= now_ms;
}

/* Whether a leased save whose condition failed had in fact been made by an earlier try whose answer was lost (the
 * store retried it): the item has the cursor this sync saved and the lease is no longer this sync's. */
static bool s_save_landed(const handlers_env *env, const char *user_id, const char *item_id, const s_lease *lease,
                          const store_item_sync *saved, int64_t deadline_ms)
{
  store_item now;
  bool landed = store_item_get(env->store, user_id, item_id, deadline_ms, &now) == MYNT_OK &&
                strcmp(now.sync.cursor, saved->cursor) == 0 && strcmp(now.sync.lease_owner, lease->owner) != 0;
  store_item_clear(&now);
  return landed;
}

/* Takes the item's lease into *lease, with *item (read already; replaced) as it is then: the cursor is read under
 * the lease. Another sync holding it is asked to sync once more (store_item_lease_ask) and waited for, the item
 * read every SYNC_LEASE_POLL_MS: once the resync is cleared (the holder or a later sync has taken it on), or at
 * wait_until_ms, this sync is SYNC_SUPERSEDED; a lease that ends first is taken over. Returns MYNT_OK (lease->held,
 * or out->outcome SYNC_NOT_LINKED, SYNC_REVOKED or SYNC_SUPERSEDED), or the store's failure. */
static mynt_status s_lease_take(const handlers_env *env, const char *user_id, const char *item_id,
                                int64_t wait_until_ms, int64_t deadline_ms, store_item *item, s_lease *lease,
                                sync_result *out)
{
  bool asked = false;
  for(;;) {
    int64_t now = clock_epoch_ms();
    mynt_status st = MYNT_OK;
    if(item->status == STORE_ITEM_REVOKED) {
      out->outcome = SYNC_REVOKED;
      return MYNT_OK;
    }
    if(asked && !item->sync.resync) {
      logger_log(LOGGER_INFO, NULL, "sync: item %s: sync %s ends superseded: the resync it asked for was taken on",
                 item_id, lease->owner);
      out->outcome = SYNC_SUPERSEDED;
      return MYNT_OK;
    }
    if(!s_lease_live(item, now)) {
      store_item taken;
      int64_t until = now + SYNC_LEASE_MS;
      st = store_item_lease_take(env->store, user_id, item_id, lease->owner, now, until, deadline_ms, &taken);
      if(st == MYNT_OK) {
        if(item->sync.lease_owner[0])
          logger_log(LOGGER_WARN, NULL,
                     "sync: item %s: sync %s takes over the lease sync %s left (ended %" PRId64 " ms ago)", item_id,
                     lease->owner, item->sync.lease_owner, now - item->sync.lease_until_ms);
        store_item_clear(item);
        *item = taken;
        lease->until_ms = until;
        lease->held = true;
        if(item->status == STORE_ITEM_REVOKED)
          continue; /* revoked meanwhile: released below by the caller's cleanup */
        return MYNT_OK;
      }
    }
    else if(!asked) {
      st = store_item_lease_ask(env->store, user_id, item_id, lease->owner, now, deadline_ms);
      if(st == MYNT_OK) {
        asked = true;
        logger_log(LOGGER_INFO, NULL, "sync: item %s: sync %s holds it; sync %s asked it to sync once more and waits",
                   item_id, item->sync.lease_owner, lease->owner);
      }
    }
    if(st == MYNT_NOT_FOUND) {
      out->outcome = SYNC_NOT_LINKED;
      return MYNT_OK;
    }
    if(st && st != MYNT_CONDITION_FAILED) /* CONDITION_FAILED: the lease changed hands meanwhile; read it again */
      return st;
    now = clock_epoch_ms();
    if(now >= wait_until_ms) {
      logger_log(LOGGER_WARN, NULL,
                 "sync: item %s: sync %s ends superseded without waiting longer; the resync stays asked for (sync %s "
                 "holds the item)",
                 item_id, lease->owner, item->sync.lease_owner);
      out->outcome = SYNC_SUPERSEDED;
      return MYNT_OK;
    }
    if(st == MYNT_OK && asked) {
      int64_t nap = SYNC_LEASE_POLL_MS;
      if(s_lease_live(item, now) && item->sync.lease_until_ms - now + 1 < nap)
        nap = item->sync.lease_until_ms - now + 1;
      clock_sleep_ms(nap < wait_until_ms - now ? nap : wait_until_ms - now);
    }
    store_item_clear(item);
    st = store_item_get(env->store, user_id, item_id, deadline_ms, item);
    if(st == MYNT_NOT_FOUND) {
      out->outcome = SYNC_NOT_LINKED;
      return MYNT_OK;
    }
    if(st)
      return st;
  }
}

mynt_status sync_item(const handlers_env *env, const char *user_id, const char *item_id, int64_t deadline_ms,
                      sync_result *out)
{
  mynt_status st = MYNT_OK;
  store_item item;
  s_batch batch;
  s_lease lease = {0};
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
  lease.owner = out->lease_owner;
  int64_t wait_until = deadline_ms - s_margin(deadline_ms, SYNC_LEASE_WAIT_MS, 2);
  if(wait_until > clock_epoch_ms() + SYNC_LEASE_WAIT_MS)
    wait_until = clock_epoch_ms() + SYNC_LEASE_WAIT_MS;

  st = s_new_owner(out->lease_owner);
  if(!st)
    st = store_item_get(env->store, user_id, item_id, deadline_ms, &item);
  if(st == MYNT_NOT_FOUND) {
    out->outcome = SYNC_NOT_LINKED;
    st = MYNT_OK;
    goto cleanup;
  }
  if(st)
    goto failed;
  st = s_lease_take(env, user_id, item_id, wait_until, deadline_ms, &item, &lease, out);
  if(st)
    goto failed;
  if(!lease.held || item.status == STORE_ITEM_REVOKED)
    goto cleanup;
  /* What is left after waiting is shared as before: paging ends early enough to store and save. */
  const int64_t fetch_deadline = deadline_ms - s_margin(deadline_ms, S_STORE_MARGIN_MS, 3);
  const int64_t save_deadline = deadline_ms - s_margin(deadline_ms, S_SAVE_MARGIN_MS, 6);

  st = store_item_open_token(env->keyring, user_id, &item, &token, &token_len);
  if(st)
    goto failed;
  months = item.months ? json_deep_copy(item.months) : json_object();
  if(!months) {
    st = MYNT_NOMEM;
    goto failed;
  }
  store_item_sync sync = item.sync;
  for(;;) {
    out->rounds++;
    st = s_fetch(env, item_id, token, sync.cursor, fetch_deadline, &batch, out, &plaid_failed);
    if(st && plaid_failed) {
      if(out->err.kind == PLAID_ERR_ITEM_LOGIN_REQUIRED) {
        out->outcome = SYNC_LOGIN_REQUIRED;
        snprintf(out->last_error, sizeof out->last_error, "ITEM_LOGIN_REQUIRED");
        mynt_status marked =
          store_item_set_status(env->store, user_id, item_id, STORE_ITEM_LOGIN_REQUIRED, deadline_ms);
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
      s_record_error(env, user_id, item_id, &lease, deadline_ms, out);
      goto cleanup;
    }
    if(st)
      goto failed;

    if(out->rounds == 1) {
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
    }

    out->added += json_array_size(batch.added);
    out->modified += json_array_size(batch.modified);
    out->removed += json_array_size(batch.removed);
    st = s_lease_keep(env, user_id, item_id, &lease, save_deadline);
    if(st == MYNT_CONDITION_FAILED)
      goto lost;
    if(st)
      goto failed;
    st = store_history_apply(env->store, user_id, item_id, batch.added, batch.modified, batch.removed, months,
                             s_write_deadline(&lease, save_deadline));
    if(st)
      goto failed;

    snprintf(sync.cursor, sizeof sync.cursor, "%s", batch.cursor);
    sync.last_synced_at_ms = clock_epoch_ms();
    bool historical = strcmp(batch.update_status, "HISTORICAL_UPDATE_COMPLETE") == 0;
    sync.history_complete = sync.history_complete || historical;
    sync.initial_complete =
      sync.initial_complete || historical || strcmp(batch.update_status, "INITIAL_UPDATE_COMPLETE") == 0;
    sync.last_error[0] = '\0';
    st = s_lease_keep(env, user_id, item_id, &lease, deadline_ms);
    if(st == MYNT_CONDITION_FAILED)
      goto lost;
    if(st)
      goto failed;
    const json_t *saved_accounts = out->rounds == 1 ? accounts : NULL;
    const char *saved_as_of = out->rounds == 1 && accounts ? as_of : NULL;
    st = store_item_save_sync_leased(env->store, user_id, item_id, &sync, months, saved_accounts, saved_as_of,
                                     lease.owner, STORE_LEASE_RELEASE_IF_QUIET, s_write_deadline(&lease, deadline_ms));
    bool again = false;
    if(st == MYNT_CONDITION_FAILED) {
      /* A resync was asked for while this round ran (or the lease is gone): save, and sync once more if time is left. */
      again = out->rounds < SYNC_ROUNDS_MAX && fetch_deadline - clock_epoch_ms() > S_STORE_MARGIN_MS / 2;
      st = store_item_save_sync_leased(env->store, user_id, item_id, &sync, months, saved_accounts, saved_as_of,
                                       lease.owner, again ? STORE_LEASE_KEEP_FOR_RESYNC : STORE_LEASE_RELEASE,
                                       s_write_deadline(&lease, deadline_ms));
      if(st == MYNT_CONDITION_FAILED && s_save_landed(env, user_id, item_id, &lease, &sync, deadline_ms)) {
        st = MYNT_OK;
        again = false;
      }
      else if(st == MYNT_CONDITION_FAILED) {
        goto lost;
      }
      else if(!st && !again)
        logger_log(LOGGER_WARN, NULL, "sync: item %s: sync %s leaves the resync asked for to the next sync", item_id,
                   lease.owner);
    }
    if(st == MYNT_NOT_FOUND) {
      lease.held = false;
      s_forget(env, user_id, item_id, deadline_ms);
      out->outcome = SYNC_NOT_LINKED;
      st = MYNT_OK;
      goto cleanup;
    }
    if(st)
      goto failed;
    if(!again)
      break;
    logger_log(LOGGER_INFO, NULL, "sync: item %s: sync %s syncs once more (a resync was asked for)", item_id,
               lease.owner);
  }
  lease.held = false;
  mynt_wipe_free(token);
  token = NULL;
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
             "sync: item %s: %zu added, %zu modified, %zu removed, %zu skipped in %d pages (%d restarts, %d rounds, "
             "sync %s), %s",
             item_id, out->added, out->modified, out->removed, out->skipped, out->pages, out->restarts, out->rounds,
             lease.owner, batch.update_status[0] ? batch.update_status : "no update status");
  goto cleanup;

lost:
  /* Only when this sync overran its lease and another took the item over: what it wrote was written under its
   * lease, and the other syncs on from the stored cursor. */
  lease.held = false;
  logger_log(LOGGER_WARN, NULL, "sync: item %s: sync %s lost its lease; it ends superseded", item_id, lease.owner);
  out->outcome = SYNC_SUPERSEDED;
  st = MYNT_OK;
  goto cleanup;

failed:
  out->outcome = SYNC_FAILED;
  out->status = st;
  snprintf(out->last_error, sizeof out->last_error, "%s", mynt_status_code(st));
  logger_log(LOGGER_WARN, NULL, "sync: item %s: the sync failed (%s); the cursor is kept", item_id, mynt_strerror(st));
  s_record_error(env, user_id, item_id, &lease, deadline_ms, out);
  st = out->status;

cleanup:
  if(lease.held) {
    /* Held but not synced (revoked meanwhile): let the next one have it. */
    mynt_status released = store_item_lease_release(env->store, user_id, item_id, lease.owner, NULL, deadline_ms);
    if(released && released != MYNT_NOT_FOUND)
      logger_log(LOGGER_WARN, NULL, "sync: item %s: sync %s could not release its lease: %s", item_id, lease.owner,
                 mynt_strerror(released));
  }
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
               (item.sync.last_synced_at_ms == 0 || w->now_ms - item.sync.last_synced_at_ms >= SYNC_STALE_MS ||
                (item.sync.resync && !s_lease_live(&item, w->now_ms)));
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
