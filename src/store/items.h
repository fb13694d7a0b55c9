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

/* The table design. Every record lives in the user's partition (user_id = the Cognito sub):
 *
 *   sk = "ITEM#<item_id>"          the item: item_id, institution_id, institution_name,
 *                                  status ("active" | "login_required"), created_at
 *                                  (YYYY-MM-DDTHH:MM:SSZ), access_token_sealed (seal.h's
 *                                  "v1.<kid>.<nonce>.<ciphertext>", bound to user_id and item_id:
 *                                  the only form an access token is ever stored in),
 *                                  public_token_sha256 (to delete the marker below with the item),
 *                                  accounts [{account_id, name, mask, type, subtype}] as captured
 *                                  at exchange (refreshed by store_item_set_accounts), so an
 *                                  account_id can be checked without calling Plaid.
 *   sk = "INST#<institution_id>"   marker {item_id, created_at}: one item per institution per user.
 *                                  An item whose institution is not known yet (Plaid named none
 *                                  when it was linked: institution_id "" here, absent in the
 *                                  record) has no INST marker: the rule is not checked for it.
 *   sk = "PUBTOKEN#<sha256 hex>"   marker {item_id, created_at}: the public token the item was
 *                                  exchanged from (lower-case hex SHA-256; the token itself is never
 *                                  stored), so a retried POST /items never makes a second record.
 *
 * The item and its two markers are written by one TransactWriteItems, each Put conditioned on
 * attribute_not_exists(sk): all three exist or none does. They are deleted together by one
 * transaction too. The items of a user are read with one Query (begins_with(sk, "ITEM#"),
 * consistent), which returns them in item_id order: that order is "item order" for callers. */

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
} store_item_status;

/* One item record. accounts is owned (store_item_clear releases it). */
typedef struct {
  char item_id[STORE_ITEM_ID_MAX + 1];
  char institution_id[STORE_INSTITUTION_ID_MAX + 1];     /* "" when not known yet */
  char institution_name[STORE_INSTITUTION_NAME_MAX + 1]; /* "" when unknown */
  store_item_status status;
  char created_at[32];
  char public_token_sha256[STORE_SHA256_HEX_LEN + 1];
  char sealed_token[STORE_SEALED_TOKEN_MAX + 1]; /* never leaves the store and this struct */
  json_t *accounts; /* array of {account_id, name, mask, type, subtype}; mask/type/subtype may be null */
} store_item;

/* What store_item_create found. */
typedef enum {
  STORE_ITEM_CREATED = 0,          /* the item and both markers were written */
  STORE_ITEM_SAME_PUBLIC_TOKEN,    /* the public-token marker exists already: out_existing names its item */
  STORE_ITEM_DUPLICATE_INSTITUTION /* the user has an item of this institution: out_existing names it */
} store_item_outcome;

/* Returns "active" or "login_required". */
const char *store_item_status_name(store_item_status status);

/* Releases item->accounts and zeroes the record (the sealed token included). Accepts NULL. */
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
 * ring's current key and writes the item and its INST and PUBTOKEN markers in one transaction.
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

/* Deletes item (as read by store_item_get) and its markers in one transaction; a marker is
 * deleted only when it points at this item. Returns MYNT_OK, MYNT_NOT_FOUND when the item is
 * already gone, or a status from store_status_from_ddb. */
mynt_status store_item_delete(store *s, const char *user_id, const store_item *item, int64_t deadline_ms);

/* Opens item's sealed access token for user_id. On MYNT_OK *out_token is a malloc'd
 * NUL-terminated copy of *out_len bytes that the caller must release with
 * mynt_wipe_free(*out_token) as soon as the call that needs it is done. Returns
 * MYNT_INTERNAL (logged with the item id and seal's reason, never the value) when the token
 * does not open (tampered, another user's record, unknown key id), MYNT_NOMEM. */
mynt_status store_item_open_token(const seal_keyring *ring, const char *user_id, const store_item *item,
                                  char **out_token, size_t *out_len);

#endif
