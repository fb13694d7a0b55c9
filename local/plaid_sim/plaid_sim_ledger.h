/* plaid_sim_ledger.h - each item's transactions as they change, and the change log /transactions/sync pages through. */
#ifndef MYNT_LOCAL_PLAID_SIM_LEDGER_H
#define MYNT_LOCAL_PLAID_SIM_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/detail.h"
#include "core/status.h"
#include "local/plaid_sim/plaid_data.h"
#include "local/plaid_sim/plaid_sim_store.h"

/* An item gets a ledger the first time it is synced or changed through /sim (until then its
 * data is the generator's alone). The ledger holds the item's live transactions (the generated
 * window of days_requested, plus what /sim and /sandbox/transactions/create did to it) and an
 * append-only change log: the history arrives as additions (the last
 * PLAID_SIM_LEDGER_INITIAL_DAYS days first, the rest when the history is complete), later changes
 * are appended as added / modified / removed. When "today" moves on, the generator's new
 * transactions and postings are appended too. A cursor names a position in that log. */

/* Days of history the initial update holds: transactions dated today - 30 .. today. */
#define PLAID_SIM_LEDGER_INITIAL_DAYS 30

/* Room for a cursor's text (31 base64url characters). */
#define PLAID_SIM_CURSOR_MAX 48

/* How much of the history has arrived (Plaid's transactions_update_status). */
typedef enum {
  PLAID_SIM_HISTORY_NONE = 0, /* NOT_READY */
  PLAID_SIM_HISTORY_INITIAL,  /* INITIAL_UPDATE_COMPLETE */
  PLAID_SIM_HISTORY_COMPLETE, /* HISTORICAL_UPDATE_COMPLETE (the default) */
} plaid_sim_history;

typedef enum {
  PLAID_SIM_CHANGE_ADDED = 0,
  PLAID_SIM_CHANGE_MODIFIED,
  PLAID_SIM_CHANGE_REMOVED,
} plaid_sim_change_kind;

/* One change log entry: the transaction as it was when the change happened. */
typedef struct {
  plaid_sim_change_kind kind;
  plaid_data_txn txn;
} plaid_sim_ledger_entry;

/* One /transactions/sync page. */
typedef struct {
  plaid_sim_history history;
  plaid_sim_ledger_entry *entries; /* owned; free with plaid_sim_ledger_page_free */
  size_t count;
  char next_cursor[PLAID_SIM_CURSOR_MAX]; /* "" while the history is NONE */
  bool has_more;
} plaid_sim_ledger_page;

/* A transaction /sim or /sandbox/transactions/create adds. */
typedef struct {
  plaid_data_account_kind account;
  int64_t amount_cents; /* positive = money out */
  char name[64];
  int32_t date; /* posted date; the authorized date while pending */
  int32_t authorized_date;
  bool pending;
} plaid_sim_new_txn;

/* A change to an existing transaction. post turns a pending one into a posted one: the pending
 * id is removed and a new posted transaction naming it in pending_transaction_id is added. */
typedef struct {
  char transaction_id[PLAID_DATA_ID_LEN + 1];
  bool set_amount, set_name, set_date, post;
  int64_t amount_cents;
  char name[64];
  int32_t date; /* with post and no set_date: today */
} plaid_sim_txn_edit;

typedef struct {
  const plaid_sim_new_txn *added;
  size_t added_count;
  const plaid_sim_txn_edit *modified;
  size_t modified_count;
  const char (*removed)[PLAID_DATA_ID_LEN + 1];
  size_t removed_count;
} plaid_sim_changes;

typedef struct {
  plaid_sim_history history;
  plaid_sim_history previous_history; /* before the change (configure) */
  bool synced;                        /* /transactions/sync has been called for the item */
  bool mutation_armed;
  size_t log_count;         /* entries in the change log */
  size_t transaction_count; /* live transactions */
} plaid_sim_ledger_status;

typedef struct plaid_sim_ledger plaid_sim_ledger;

/* Makes an empty ledger with a fresh random cursor key: MYNT_OK and *out (free it with
 * plaid_sim_ledger_free), MYNT_NOMEM, or MYNT_INTERNAL when the RNG fails. */
mynt_status plaid_sim_ledger_new(plaid_sim_ledger **out);

/* Frees the ledger and every item's log. Accepts NULL. */
void plaid_sim_ledger_free(plaid_sim_ledger *ledger);

/* When the item has a ledger, replaces data's transactions (generated for data->today) with the
 * ledger's live ones, newest first, and moves the balances by what /sim changed. An item without
 * a ledger leaves data as it is. MYNT_OK, or MYNT_NOMEM (data unchanged). */
mynt_status plaid_sim_ledger_overlay(plaid_sim_ledger *ledger, const plaid_sim_item *item, plaid_data_item *data);

/* Reads the page of at most count changes after cursor (NULL or "" = the start, "now" = the end)
 * for one account (-1 = all). Returns MYNT_OK and fills out (free it with plaid_sim_ledger_page_free);
 * MYNT_BAD_REQUEST when the cursor is not one this ledger issued for this item and account;
 * MYNT_CONFLICT when the mutation knob fires on a cursor issued with has_more true (the knob is
 * then disarmed); MYNT_NOMEM / MYNT_NOT_FOUND (unknown institution). detail says why. */
mynt_status plaid_sim_ledger_page_get(plaid_sim_ledger *ledger, const plaid_sim_item *item, int32_t today,
                                      const char *cursor, int account, int count, plaid_sim_ledger_page *out,
                                      mynt_detail *detail);

/* Frees a page's entries; accepts a zeroed page. */
void plaid_sim_ledger_page_free(plaid_sim_ledger_page *page);

/* Applies changes as one step: all of them or none. Writes the ids of the added transactions to
 * out_added_ids (changes->added_count slots) and, for each edit that posts, the posted id to
 * out_posted_ids (changes->modified_count slots; "" for the other edits). Returns MYNT_OK;
 * MYNT_BAD_REQUEST (nothing changed; detail says which entry) for an unknown or repeated id,
 * a date outside the item's history or after today, posting a posted transaction; MYNT_NOMEM;
 * MYNT_INTERNAL when the RNG fails. */
mynt_status plaid_sim_ledger_apply(plaid_sim_ledger *ledger, const plaid_sim_item *item, int32_t today,
                                   const plaid_sim_changes *changes, char (*out_added_ids)[PLAID_DATA_ID_LEN + 1],
                                   char (*out_posted_ids)[PLAID_DATA_ID_LEN + 1], mynt_detail *detail);

/* Sets the item's knobs: history (-1 = keep) only moves forward; arm_mutation (-1 = keep, 0, 1)
 * makes the next page read with a has_more cursor answer MYNT_CONFLICT once. Copies the state
 * after the change to out. MYNT_OK, MYNT_BAD_REQUEST (history cannot go back), MYNT_NOMEM. */
mynt_status plaid_sim_ledger_configure(plaid_sim_ledger *ledger, const plaid_sim_item *item, int32_t today, int history,
                                       int arm_mutation, plaid_sim_ledger_status *out, mynt_detail *detail);

/* Returns whether /transactions/sync has been called for item_id (Plaid sends
 * SYNC_UPDATES_AVAILABLE only after that), with the item's history level in *out_history
 * (COMPLETE for an item without a ledger). */
bool plaid_sim_ledger_synced(plaid_sim_ledger *ledger, const char *item_id, plaid_sim_history *out_history);

#endif
