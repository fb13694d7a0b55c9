/* link.h - the linking workflow: a Plaid public token becomes a stored item, and a bank is never lost on the way. */
#ifndef MYNT_LINK_LINK_H
#define MYNT_LINK_LINK_H

#include <stdint.h>

#include <jansson.h>

#include "core/status.h"
#include "crypto/seal.h"
#include "plaid/plaid.h"
#include "plaid/plaid_error.h"
#include "store/items.h"
#include "store/store.h"

/* A workflow layer (handlers → link → store / plaid → core): it does the work of POST /items
 * and says what happened; the handler answers it. Its rules, in order:
 * - A public token already exchanged for this user (its PUBTOKEN marker exists) is the stored
 *   item again (LINK_EXISTING), with its accounts read again from Plaid; no second exchange. A
 *   failing read leaves the accounts unknown (the item is stored: the answer is the item all the same).
 * - A user with STORE_ITEMS_MAX items is refused before the exchange (LINK_AT_CAP), so no item
 *   is made and billed at Plaid. The count is read again after the exchange: a concurrent link
 *   that reached the cap meanwhile makes this one remove its new item at Plaid (LINK_AT_CAP).
 *   (Two links racing past that second read can still store a 101st item: the cap is not a
 *   condition of the write.)
 * - A refused public token (INVALID_PUBLIC_TOKEN / INVALID_REQUEST) is looked for as a
 *   concurrent request's stored item for a short while (LINK_EXISTING), else LINK_TOKEN_REFUSED.
 *   The refusal is logged at ERROR with Plaid's request_id and the public token's SHA-256
 *   (never a token): when the answer to an earlier exchange of the token was lost (a transport
 *   failure, then the retry refused), Plaid holds and bills an item nobody stored, and the log
 *   is what traces it. (The two cannot be told apart here: libcurl resends a request whose
 *   reused connection died without a word to the client.)
 * - Once exchanged, the item is stored whatever the describing calls (/accounts/get, /item/get)
 *   answer: a failing one leaves the accounts empty and the institution to the next source
 *   (the /accounts/get item, /item/get, the caller's institution_id/institution_name); an
 *   institution nobody names is stored as unknown (institution_id ""), and the one-item-per-
 *   institution rule is not checked for that item (store/items.h). An institution name over
 *   STORE_INSTITUTION_NAME_MAX bytes is cut on a UTF-8 character boundary. The describing
 *   calls get at most half of the time left, so the write always has the rest.
 * - A write that fails (a timeout may still have committed) is settled by reading the item
 *   back: found → LINK_CREATED; surely absent → the new item is removed at Plaid; when even the
 *   read fails, the item is kept at Plaid (logged at ERROR with its item_id): an item whose
 *   record may be in the table is never removed.
 * - A second item of an institution the user has linked is removed at Plaid
 *   (LINK_DUPLICATE_INSTITUTION).
 * Access tokens are wiped as soon as they are sealed or used, and never logged. */

/* What linking came to. */
typedef enum {
  LINK_CREATED = 0,           /* item is newly stored; plaid_accounts are Plaid's (NULL when not described) */
  LINK_EXISTING,              /* the public token's item was stored before; plaid_accounts read again (NULL when
                                 that read failed: the stored item is answered all the same) */
  LINK_DUPLICATE_INSTITUTION, /* existing_item_id is the user's item of item.institution_id; the new one is removed */
  LINK_AT_CAP,                /* the user has STORE_ITEMS_MAX items */
  LINK_TOKEN_REFUSED,         /* the public token is invalid, expired or used, and no stored item is behind it */
  LINK_PLAID_FAILED,          /* the Plaid call `operation` failed with err; nothing is stored */
  LINK_FAILED                 /* status says why (a store failure, allocation, an unusable Plaid answer) */
} link_outcome;

/* The result of link_item. Clear it with link_result_clear. */
typedef struct {
  link_outcome outcome;
  mynt_status status;     /* LINK_FAILED: the failure; MYNT_OK otherwise */
  store_item item;        /* LINK_CREATED / LINK_EXISTING: the stored item; DUPLICATE: the refused one */
  json_t *plaid_accounts; /* LINK_CREATED / LINK_EXISTING: Plaid's account objects (owned), or NULL */
  char existing_item_id[STORE_ITEM_ID_MAX + 1]; /* LINK_DUPLICATE_INSTITUTION */
  const char *operation;                        /* LINK_PLAID_FAILED: e.g. "/accounts/get" (static) */
  plaid_error err;                              /* LINK_PLAID_FAILED */
} link_result;

/* What link_item needs; everything is borrowed. */
typedef struct {
  store *store;
  plaid_client *plaid;
  const seal_keyring *keyring;
  /* The record the store keeps of one of Plaid's account objects (NULL for an account without
   * a valid account_id): the view's, passed in so that this layer keeps to its own. */
  json_t *(*account_record)(const json_t *plaid_account);
} link_deps;

/* One link: the caller's validated request. */
typedef struct {
  const char *user_id;          /* the JWT sub */
  const char *public_token;     /* 1..256 bytes */
  const char *institution_id;   /* the caller's, used only when Plaid names none; may be NULL */
  const char *institution_name; /* likewise; may be NULL */
  int64_t deadline_ms;          /* the work's deadline (epoch ms; 0 = none known) */
  int64_t cleanup_deadline_ms;  /* later: for settling a write and removing a new item at Plaid */
} link_request;

/* Links req's public token for req->user_id as the rules above say and fills *out (cleared
 * first). Returns out->status: MYNT_OK for every outcome but LINK_FAILED. */
mynt_status link_item(const link_deps *deps, const link_request *req, link_result *out);

/* Releases what out holds and zeroes it. Accepts NULL. */
void link_result_clear(link_result *out);

/* Copies src into dst (cap bytes with the NUL), cut on a UTF-8 character boundary when it is
 * longer: a multi-byte character is never split. */
void link_copy_utf8(char *dst, size_t cap, const char *src);

#endif
