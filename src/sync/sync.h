/* sync.h - the sync workflow: one item's history brought up to date with Plaid's /transactions/sync, and the daily catch-up. */
#ifndef MYNT_SYNC_SYNC_H
#define MYNT_SYNC_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "handlers/env.h"
#include "plaid/plaid_error.h"
#include "store/items.h"

/* A workflow layer (sync function / handlers → sync → store / plaid → core). Its rules:
 * - One sync of an item at a time (the sync lease, store/items.h): a sync takes the item's lease
 *   (SYNC_LEASE_MS, renewed while it works; its opaque id is logged) and reads the cursor under it.
 *   A sync that finds another holding it asks that one to sync once more (resync) and waits
 *   (polling the item every SYNC_LEASE_POLL_MS): once the holder has taken the request on it ends
 *   SYNC_SUPERSEDED, writing nothing; a lease that ends first (its holder died) is taken over; past
 *   half its time (at most SYNC_LEASE_WAIT_MS) it ends SYNC_SUPERSEDED and leaves the request for
 *   the holder, the next sync or the daily schedule. The holder's final save ends the lease unless
 *   a resync was asked for: then it saves its cursor, keeps the lease and syncs once more from it
 *   (at most SYNC_ROUNDS_MAX rounds, while time is left). Buckets and the cursor are written only
 *   under a live lease, each write ending SYNC_LEASE_MARGIN_MS before the lease does.
 * - One sync opens the item's access token (wiped when the sync ends; never logged) and pages
 *   /transactions/sync from the stored cursor, count SYNC_PAGE_COUNT, while has_more: the batch. Plaid's transactions are kept in the stored shape
 *   (sync/sync_records.h); one that cannot be stored (no id, no date) is skipped and counted.
 * - TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION restarts the batch from its first cursor, at
 *   most SYNC_RESTARTS_MAX times; then the sync fails with that code as last_error.
 * - The batch is applied to the TXN# buckets (store_history_apply), the accounts and balances
 *   are refreshed with /accounts/get (a failure there keeps the stored ones), and only then are
 *   the new cursor, last_synced_at, the initial/historical flags (Plaid's
 *   transactions_update_status; never going back to false), the month counts and the accounts
 *   saved (store_item_save_sync). A sync cut short anywhere before that save leaves the old
 *   cursor: the next one re-applies the batch, which is harmless (apply is idempotent).
 * - Each Plaid call (with its retries) gets at most SYNC_PLAID_CALL_MS of the time left.
 * - ITEM_LOGIN_REQUIRED marks the item login_required and records the code as last_error. Any
 *   other failure (rate limit, 5xx, transport, a store failure) leaves the cursor and records
 *   last_error (Plaid's error_code, else Mynt's status code). A login_required item that syncs
 *   is active again. An expiring item (PENDING_EXPIRATION / PENDING_DISCONNECT) that syncs is asked
 *   about with /item/get (free) and is active again when Plaid shows no item error and no consent
 *   expiration within SYNC_EXPIRING_NOTICE_MS (the user renewed the consent in update mode); else
 *   it stays expiring. new_accounts_available is cleared when the sync's /accounts/get shows an
 *   account the item did not have (the user shared the new accounts through account selection).
 *   A revoked item is not synced (Plaid would refuse it).
 * - An item deleted meanwhile (the save finds no item) has the buckets this sync wrote deleted
 *   (store_history_delete_item): nothing of it is left. */

/* Page size of /transactions/sync (Plaid's maximum). */
#define SYNC_PAGE_COUNT 500
/* The most one Plaid call of a sync (its retries of rate limits and 5xx included) may take: a
 * Plaid that keeps failing ends the sync with its error this soon, not at the function's deadline. */
#define SYNC_PLAID_CALL_MS ((int64_t)20 * 1000)
/* Restarts of a batch after TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION. */
#define SYNC_RESTARTS_MAX 3
/* Pages one batch may take (SYNC_PAGE_COUNT each): beyond that the sync fails (MYNT_TOO_LARGE). */
#define SYNC_PAGES_MAX 400
/* The daily schedule syncs items not synced for this long (and those never synced, and those with a resync asked
 * for and no live lease). */
#define SYNC_STALE_MS ((int64_t)24 * 60 * 60 * 1000)
/* An expiring item whose consent ends within this long stays expiring (Plaid warns 7 days ahead). */
#define SYNC_EXPIRING_NOTICE_MS ((int64_t)7 * 24 * 60 * 60 * 1000)
/* A sync holds its item's lease this long at a time (renewed before it writes when half is gone). */
#define SYNC_LEASE_MS ((int64_t)15 * 1000)
/* A holder's writes end this long before its lease does (clock skew, requests in flight). */
#define SYNC_LEASE_MARGIN_MS ((int64_t)3 * 1000)
/* A sync waiting for another's lease reads the item this often. */
#define SYNC_LEASE_POLL_MS ((int64_t)1000)
/* The longest a sync waits for another's lease. */
#define SYNC_LEASE_WAIT_MS ((int64_t)120 * 1000)
/* The most rounds (a resync asked for while the holder worked) one sync makes. */
#define SYNC_ROUNDS_MAX 5
/* A user's POST /items/{item_id}/sync is accepted at most once per this interval. */
#define SYNC_REQUEST_INTERVAL_MS ((int64_t)60 * 1000)

/* What a sync came to. */
typedef enum {
  SYNC_DONE = 0,       /* the batch is stored and the new cursor saved */
  SYNC_NOT_LINKED,     /* the user has no such item (or it was deleted during the sync: its buckets are deleted) */
  SYNC_REVOKED,        /* not synced: the item's access is revoked */
  SYNC_LOGIN_REQUIRED, /* Plaid answered ITEM_LOGIN_REQUIRED: the item is marked login_required */
  SYNC_PLAID_FAILED,   /* another Plaid failure (operation, err): cursor unchanged, last_error recorded */
  SYNC_FAILED,    /* status says why (store, token, allocation): cursor unchanged, last_error recorded if it could be */
  SYNC_SUPERSEDED /* another sync held the item and took this one's request on (or will: resync): nothing written */
} sync_outcome;

/* The result of sync_item. */
typedef struct {
  sync_outcome outcome;
  mynt_status status;                          /* SYNC_FAILED: the failure; MYNT_OK otherwise */
  size_t added, modified, removed;             /* the batches' changes (each round's last try, after restarts) */
  size_t skipped;                              /* of added + modified: transactions that could not be stored */
  int pages;                                   /* /transactions/sync calls, restarts included */
  int restarts;                                /* batches restarted after a mutation during pagination */
  int rounds;                                  /* batches applied under the lease (1 + the resyncs taken on) */
  char lease_owner[STORE_LEASE_OWNER_MAX + 1]; /* this sync's opaque id (as logged) */
  bool initial_complete, history_complete;     /* SYNC_DONE: the saved flags */
  char last_error[64];                         /* the code recorded as last_error, "" when none */
  const char *operation;                       /* SYNC_LOGIN_REQUIRED / SYNC_PLAID_FAILED: the Plaid path (static) */
  plaid_error err;                             /* SYNC_LOGIN_REQUIRED / SYNC_PLAID_FAILED */
} sync_result;

/* Syncs user_id's item item_id as the rules above say, by deadline_ms (epoch ms; the work on Plaid
 * ends early enough to store what it fetched), and fills *out (zeroed first). env needs store,
 * plaid and keyring. Returns out->status: MYNT_OK for every outcome but SYNC_FAILED. */
mynt_status sync_item(const handlers_env *env, const char *user_id, const char *item_id, int64_t deadline_ms,
                      sync_result *out);

/* What the daily catch-up did. */
typedef struct {
  size_t items;   /* items listed (store_item_refs_each) */
  size_t stale;   /* of those, not synced within SYNC_STALE_MS of now_ms (or never), not revoked */
  size_t started; /* syncs started (sync_start, reason "schedule") */
  size_t failed;  /* stale items whose record could not be read or whose start failed (logged) */
} sync_schedule_result;

/* The daily schedule: lists every item and starts a sync (sync_start, reason "schedule") for each
 * one that is stale at now_ms. A failed read or start of one item is logged and counted, and the
 * walk goes on; it stops, returning MYNT_TIMEOUT, when deadline_ms comes too close. Fills *out
 * (zeroed first). Returns MYNT_OK, MYNT_TIMEOUT, or the listing's failure (store_item_refs_each). */
mynt_status sync_schedule_daily(const handlers_env *env, int64_t now_ms, int64_t deadline_ms,
                                sync_schedule_result *out);

#endif
