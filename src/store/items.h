/* items.h - linked banks (Plaid items) in the mynt-users table: the item record, its two markers, the sealed access token. */
#ifndef MYNT_STORE_ITEMS_H
#define MYNT_STORE_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/status.h"
#include "crypto/seal.h"
#include "store/store.h"
#include "store/users.h"

/* The table design. Every record of a user lives in the user's partition (user_id = the Cognito
 * sub, which never starts with '#'):
 *
 *   sk = "ITEM#<item_id>"          the item: item_id, institution_id, institution_name,
 *                                  status ("active" | "login_required" | "expiring" | "revoked"),
 *                                  created_at (YYYY-MM-DDTHH:MM:SSZ), access_token_sealed (seal.h's
 *                                  "v1.<kid>.<nonce>.<ciphertext>", bound to user_id and item_id:
 *                                  the only form an access token is ever stored in),
 *                                  public_token_sha256 (to delete the marker below with the item),
 *                                  accounts [{account_id, name, mask, type, subtype, balances?}]
 *                                  (balances {available, current, limit, iso_currency_code} from
 *                                  the last sync's /accounts/get, as of balances_as_of), so an
 *                                  account_id can be checked and balances shown without Plaid;
 *                                  new_accounts_available (BOOL, absent = false);
 *                                  sync (M) {cursor (S, "" = from the start), last_synced_at (S,
 *                                  absent = never), initial_complete, history_complete (BOOL),
 *                                  last_error (S, absent = none), requested_at_ms (N: the last
 *                                  accepted user refresh), lease_owner (S), lease_until_ms (N),
 *                                  resync (BOOL) (the sync lease below; absent = none)}; months (M)
 *                                  {"YYYY-MM": N} the number of this item's stored transactions per
 *                                  month (history.h's buckets).
 *   sk = "INST#<institution_id>"   marker {item_id, created_at}: one item per institution per user.
 *                                  An item whose institution is not known yet (Plaid named none
 *                                  when it was linked: institution_id "" here, absent in the
 *                                  record) has no INST marker: the rule is not checked for it.
 *   sk = "PUBTOKEN#<sha256 hex>"   marker {item_id, created_at}: the public token the item was
 *                                  exchanged from (lower-case hex SHA-256; the token itself is never
 *                                  stored), so a retried POST /items never makes a second record.
 *   sk = "TXN#<YYYY-MM>#<item_id>" the item's transactions of one month (store/history.h).
 *
 * And in the global partition user_id = "#ITEMS" (no Cognito sub starts with '#'):
 *
 *   sk = "ITEM#<item_id>"          {owner (the user id), created_at}: a webhook names only an item,
 *                                  so this leads from it to its user with one GetItem, and the
 *                                  daily schedule lists every item with one paginated Query. A
 *                                  global secondary index would take its capacity out of the same
 *                                  provisioned 25 RCU / 25 WCU, and a Scan reads the whole table.
 *
 * The item, its two markers and its #ITEMS record are written by one TransactWriteItems, each Put
 * conditioned on attribute_not_exists(sk): all exist or none does. They are deleted together by
 * one transaction too (the TXN# buckets first, by history.h). The items of a user are read with one
 * Query (begins_with(sk, "ITEM#"), consistent), which returns them in item_id order: that order is
 * "item order" for callers. The sync state is updated field by field (UpdateItem on sync.<field>),
 * so a sync's save never overwrites a concurrent user refresh's requested_at_ms.
 *
 * The sync lease: one sync of an item at a time. Two syncs of one item (a refresh, a webhook, the
 * schedule, a Lambda retry) that both read the stored cursor would each read-modify-write the TXN#
 * buckets and save their own cursor: the slower one would put an older cursor and older buckets
 * over the newer ones. So a sync first takes the item's lease (one conditional UpdateItem:
 * sync.lease_owner = its opaque id, sync.lease_until_ms = now + SYNC_LEASE_MS, when there is no
 * lease or it has expired) and writes buckets and the cursor only while its lease is live (each
 * write ends well before lease_until_ms; the lease is renewed, conditioned on the owner, when it
 * runs short; the cursor save is conditioned on the owner too). A sync that finds the lease held
 * sets sync.resync (conditioned on the lease being live) and waits: the holder's final save is
 * conditioned on no resync, so it sees the request, clears it and syncs once more from its new
 * cursor; a lease left by a holder that died expires and is taken over. No extra table or index,
 * no Scan: one extra write per sync (the take; the release is part of the cursor save). */

#define STORE_ITEM_ID_MAX          128
#define STORE_INSTITUTION_ID_MAX   64
#define STORE_INSTITUTION_NAME_MAX 256
#define STORE_SEALED_TOKEN_MAX     2048
#define STORE_SHA256_HEX_LEN       64

/* The most items one user's list returns (and the most accounts one item keeps). */
#define STORE_ITEMS_MAX         100
#define STORE_ITEM_ACCOUNTS_MAX 64

typedef enum {
  STORE_ITEM_ACTIVE = 0,
  STORE_ITEM_LOGIN_REQUIRED, /* Plaid answered ITEM_LOGIN_REQUIRED: the user must go through update mode */
  STORE_ITEM_EXPIRING,       /* PENDING_DISCONNECT / PENDING_EXPIRATION: consent ends soon */
  STORE_ITEM_REVOKED,        /* USER_PERMISSION_REVOKED / USER_ACCOUNT_REVOKED: link it again */
} store_item_status;

/* The longest id of a sync lease's owner (printable, no spaces). */
#define STORE_LEASE_OWNER_MAX 64

/* The longest Plaid cursor the store keeps. */
#define STORE_CURSOR_MAX 1024

/* The sync state of an item (the record's sync map). */
typedef struct {
  char cursor[STORE_CURSOR_MAX + 1]; /* "" = from the start */
  int64_t last_synced_at_ms;         /* epoch ms, whole seconds; 0 = never */
  bool initial_complete, history_complete;
  char last_error[64];                         /* a Plaid error code or a mynt status code; "" = none */
  int64_t requested_at_ms;                     /* the last accepted user refresh (epoch ms); 0 = never */
  char lease_owner[STORE_LEASE_OWNER_MAX + 1]; /* the sync holding the lease; "" = none */
  int64_t lease_until_ms;                      /* when that lease ends (epoch ms); 0 = none */
  bool resync;                                 /* another sync was asked for while the lease was held */
} store_item_sync;

/* One item record. accounts is owned (store_item_clear releases it). */
typedef struct {
  char item_id[STORE_ITEM_ID_MAX + 1];
  char institution_id[STORE_INSTITUTION_ID_MAX + 1];     /* "" when not known yet */
  char institution_name[STORE_INSTITUTION_NAME_MAX + 1]; /* "" when unknown */
  store_item_status status;
  char created_at[32];
  char public_token_sha256[STORE_SHA256_HEX_LEN + 1];
  char sealed_token[STORE_SEALED_TOKEN_MAX + 1]; /* never leaves the store and this struct */
  json_t *accounts; /* array of {account_id, name, mask, type, subtype[, balances]}; mask/type/subtype may be null */
  store_item_sync sync;
  bool new_accounts_available;
  char balances_as_of[32]; /* "" when no sync has fetched balances yet */
  json_t *months;          /* object {"YYYY-MM": count}; owned, never NULL after a read */
} store_item;

/* What store_item_create found. */
typedef enum {
  STORE_ITEM_CREATED = 0,          /* the item and both markers were written */
  STORE_ITEM_SAME_PUBLIC_TOKEN,    /* the public-token marker exists already: out_existing names its item */
  STORE_ITEM_DUPLICATE_INSTITUTION /* the user has an item of this institution: out_existing names it */
} store_item_outcome;

/* Returns "active", "login_required", "expiring" or "revoked". */
const char *store_item_status_name(store_item_status status);

/* Parses one of the four names of store_item_status_name. Returns true and sets *out, or false
 * (out unchanged) for anything else, NULL included. */
bool store_item_status_parse(const char *name, store_item_status *out);

/* Releases item->accounts and item->months and zeroes the record (the sealed token included). Accepts NULL. */
void store_item_clear(store_item *item);

/* Clears n items and frees the array (from store_item_list). Accepts NULL. */
void store_items_free(store_item *items, size_t n);

/* Returns true when id can be an item, institution or account id (1..STORE_ITEM_ID_MAX printable
 * ASCII characters without spaces or '#'). */
bool store_item_id_valid(const char *id);

/* Writes the lower-case hex SHA-256 of public_token into out_hex (65 bytes with the NUL).
 * Returns MYNT_OK, or MYNT_INTERNAL when the digest cannot be computed. */
mynt_status store_item_public_token_digest(const char *public_token, char out_hex[STORE_SHA256_HEX_LEN + 1]);

/* One account of an item as the store keeps it; the strings are borrowed. account_id must be
 * a valid id (store_item_id_valid); name NULL is kept as ""; mask, type and subtype NULL are
 * kept as null. */
typedef struct {
  const char *account_id;
  const char *name;
  const char *mask;
  const char *type;
  const char *subtype;
} store_item_account;

/* Returns account in its stored shape {account_id, name, mask, type, subtype} (a new
 * reference, caller json_decref): the elements of store_item.accounts and of the arrays
 * store_item_create and store_item_set_accounts take. NULL when account->account_id is not
 * valid, or on allocation failure. */
json_t *store_item_account_record(const store_item_account *account);

/* Returns true when account_id is among item's stored accounts. */
bool store_item_has_account(const store_item *item, const char *account_id);

/* Creates the item of user_id: seals access_token (bound to user_id and item->item_id) with
 * ring's current key and writes the item (with an empty sync state and month map), its INST and
 * PUBTOKEN markers and its #ITEMS owner record in one transaction.
 * item supplies item_id, institution_id ("" = not known: no INST marker), institution_name,
 * public_token_sha256 and accounts (borrowed); created_at (now), status (active) and the sealed token are filled in on success.
 * On MYNT_OK, *out_outcome says what happened: STORE_ITEM_CREATED, or, when a condition failed,
 * which marker was already there, with its item id in out_existing (STORE_ITEM_ID_MAX + 1
 * bytes; "" when created). Failures: MYNT_BAD_REQUEST (invalid ids, a token that cannot be
 * sealed into STORE_SEALED_TOKEN_MAX), MYNT_CONFLICT (a condition failed yet neither marker
 * exists), MYNT_INTERNAL (sealing), or a status from store_status_from_ddb. access_token is
 * only read. */
mynt_status store_item_create(store *s, const seal_keyring *ring, const char *user_id, store_item *item,
                              const char *access_token, int64_t deadline_ms, store_item_outcome *out_outcome,
                              char *out_existing);

/* Reads the item item_id of user_id (consistent read) into out_item (cleared first; the caller
 * clears it). Returns MYNT_OK, MYNT_NOT_FOUND when the user has no such item (whatever other
 * users have) or the id is not valid, MYNT_INTERNAL for a malformed record, or a status from
 * store_status_from_ddb. */
mynt_status store_item_get(store *s, const char *user_id, const char *item_id, int64_t deadline_ms,
                           store_item *out_item);

/* Reads the item whose PUBTOKEN marker is digest_hex into out_item, as store_item_get.
 * MYNT_NOT_FOUND when there is no marker or its item is gone. */
mynt_status store_item_find_by_public_token(store *s, const char *user_id, const char *digest_hex, int64_t deadline_ms,
                                            store_item *out_item);

/* Lists the items of user_id in item order (at most STORE_ITEMS_MAX). On MYNT_OK *out_items is a
 * malloc'd array of *out_count items (NULL when there are none) that the caller releases with
 * store_items_free. Failures as store_item_get (no MYNT_NOT_FOUND); *out_items is then NULL. */
mynt_status store_item_list(store *s, const char *user_id, int64_t deadline_ms, store_item **out_items,
                            size_t *out_count);

/* Sets the status of an existing item. Returns MYNT_OK, MYNT_NOT_FOUND when the item is gone,
 * or a status from store_status_from_ddb. */
mynt_status store_item_set_status(store *s, const char *user_id, const char *item_id, store_item_status status,
                                  int64_t deadline_ms);

/* Replaces the stored accounts of an existing item with accounts (an array of records as
 * store_item_account_record makes; borrowed). Returns as store_item_set_status, or
 * MYNT_BAD_REQUEST for more than STORE_ITEM_ACCOUNTS_MAX accounts. */
mynt_status store_item_set_accounts(store *s, const char *user_id, const char *item_id, const json_t *accounts,
                                    int64_t deadline_ms);

/* Deletes item (as read by store_item_get), its markers and its #ITEMS owner record in one
 * transaction; a marker is deleted only when it points at this item, the owner record only when
 * it names user_id. The TXN# buckets are not touched: delete them first
 * (store_history_delete_item). Returns MYNT_OK, MYNT_NOT_FOUND when the item is
 * already gone, or a status from store_status_from_ddb. */
mynt_status store_item_delete(store *s, const char *user_id, const store_item *item, int64_t deadline_ms);

/* Reads the owner of item_id from the #ITEMS partition (consistent read) into out_user
 * (STORE_USER_ID_MAX + 1 bytes, "" on failure). Returns MYNT_OK, MYNT_NOT_FOUND (no such item, or
 * an invalid id), MYNT_INTERNAL for a malformed record, or a status from store_status_from_ddb. */
mynt_status store_item_owner(store *s, const char *item_id, int64_t deadline_ms, char *out_user);

/* Calls fn(arg, item_id, user_id) for every item of every user, in item_id order (a Query of the
 * #ITEMS partition, 100 records a page, every page within the one deadline; the strings are
 * borrowed for the call). A non-zero status from fn stops the walk and is returned. Otherwise
 * returns MYNT_OK, MYNT_INTERNAL for a malformed record, or a status from store_status_from_ddb. */
mynt_status store_item_refs_each(store *s, int64_t deadline_ms,
                                 mynt_status (*fn)(void *arg, const char *item_id, const char *user_id), void *arg);

/* Saves the result of a sync with one UpdateItem: sync's cursor, last_synced_at_ms (0 removes
 * it), initial_complete, history_complete and last_error ("" removes it) — requested_at_ms is
 * NOT written —, months (borrowed object, replaced whole), accounts (borrowed array of account
 * records with balances; NULL = keep) and balances_as_of (NULL = keep). Returns MYNT_OK,
 * MYNT_NOT_FOUND when the item is gone, MYNT_BAD_REQUEST for a cursor over STORE_CURSOR_MAX,
 * months not an object or more than STORE_ITEM_ACCOUNTS_MAX accounts, or a status from
 * store_status_from_ddb. */
mynt_status store_item_save_sync(store *s, const char *user_id, const char *item_id, const store_item_sync *sync,
                                 const json_t *months, const json_t *accounts, const char *balances_as_of,
                                 int64_t deadline_ms);

/* How a leased save (store_item_save_sync_leased) ends the lease. */
typedef enum {
  STORE_LEASE_RELEASE_IF_QUIET = 0, /* release it; the save fails unless no resync was asked for */
  STORE_LEASE_KEEP_FOR_RESYNC,      /* keep it and clear resync: the holder syncs once more */
  STORE_LEASE_RELEASE               /* release it, leaving resync for the next sync */
} store_lease_end;

/* store_item_save_sync, conditioned on owner holding the item's sync lease, ending it as end says
 * (in the same UpdateItem). Returns as store_item_save_sync, and MYNT_CONDITION_FAILED when owner
 * holds no lease (expired and taken over) or, for STORE_LEASE_RELEASE_IF_QUIET, a resync was asked
 * for: nothing is then written. */
mynt_status store_item_save_sync_leased(store *s, const char *user_id, const char *item_id, const store_item_sync *sync,
                                        const json_t *months, const json_t *accounts, const char *balances_as_of,
                                        const char *owner, store_lease_end end, int64_t deadline_ms);

/* Takes the sync lease of user_id's item_id for owner (1..STORE_LEASE_OWNER_MAX printable
 * characters) until until_ms, when there is none, it ended before now_ms or owner holds it, and
 * clears resync (the taker reads the cursor after it: what was asked for is fetched). On MYNT_OK
 * *out_item is the item as it now is (store_item_get's; the caller clears it). Returns MYNT_OK,
 * MYNT_CONDITION_FAILED when another sync holds a live lease, MYNT_NOT_FOUND when the item is gone,
 * MYNT_BAD_REQUEST for an invalid owner, MYNT_INTERNAL for a malformed record, or a store status. */
mynt_status store_item_lease_take(store *s, const char *user_id, const char *item_id, const char *owner, int64_t now_ms,
                                  int64_t until_ms, int64_t deadline_ms, store_item *out_item);

/* Moves the end of owner's lease to until_ms. Returns MYNT_OK, MYNT_CONDITION_FAILED when owner
 * does not hold the lease any more, MYNT_NOT_FOUND, MYNT_BAD_REQUEST (owner), or a store status. */
mynt_status store_item_lease_renew(store *s, const char *user_id, const char *item_id, const char *owner,
                                   int64_t until_ms, int64_t deadline_ms);

/* Asks the holder of a live lease (one ending at or after now_ms, not held by owner) to sync once
 * more: sets sync.resync. Returns MYNT_OK, MYNT_CONDITION_FAILED when no other sync holds a live
 * lease (take it instead), MYNT_NOT_FOUND, MYNT_BAD_REQUEST (owner), or a store status. */
mynt_status store_item_lease_ask(store *s, const char *user_id, const char *item_id, const char *owner, int64_t now_ms,
                                 int64_t deadline_ms);

/* Releases owner's lease without saving a cursor (a failed sync), recording sync.last_error =
 * error_code in the same UpdateItem (NULL or "": none); resync stays. Returns MYNT_OK,
 * MYNT_CONDITION_FAILED when owner does not hold it, MYNT_NOT_FOUND, MYNT_BAD_REQUEST (owner or an
 * over-long code), or a store status. */
mynt_status store_item_lease_release(store *s, const char *user_id, const char *item_id, const char *owner,
                                     const char *error_code, int64_t deadline_ms);

/* Records only sync.last_error = error_code (a failed sync; the cursor and everything else stay).
 * Returns as store_item_set_status; MYNT_BAD_REQUEST for an empty or over-long code. */
mynt_status store_item_set_sync_error(store *s, const char *user_id, const char *item_id, const char *error_code,
                                      int64_t deadline_ms);

/* Accepts a user's refresh request at most once per min_interval_ms: one conditional UpdateItem
 * sets sync.requested_at_ms = now_ms when it is absent, at most now_ms - min_interval_ms, or now_ms
 * itself (a retry of this request's own write, whose first answer was lost, is accepted).
 * Returns MYNT_OK with *out_accepted (false: too soon, nothing written), MYNT_NOT_FOUND when the
 * item is gone, or a status from store_status_from_ddb. */
mynt_status store_item_request_sync(store *s, const char *user_id, const char *item_id, int64_t now_ms,
                                    int64_t min_interval_ms, int64_t deadline_ms, bool *out_accepted);

/* Sets new_accounts_available of an existing item. Returns as store_item_set_status. */
mynt_status store_item_set_new_accounts(store *s, const char *user_id, const char *item_id, bool available,
                                        int64_t deadline_ms);

/* Opens item's sealed access token for user_id. On MYNT_OK *out_token is a malloc'd
 * NUL-terminated copy of *out_len bytes that the caller must release with
 * mynt_wipe_free(*out_token) as soon as the call that needs it is done. Returns
 * MYNT_INTERNAL (logged with the item id and seal's reason, never the value) when the token
 * does not open (tampered, another user's record, unknown key id), MYNT_NOMEM. */
mynt_status store_item_open_token(const seal_keyring *ring, const char *user_id, const store_item *item,
                                  char **out_token, size_t *out_len);

#endif
