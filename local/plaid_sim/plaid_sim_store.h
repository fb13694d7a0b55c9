/* plaid_sim_store.h - the Plaid simulator's in-memory state (link/public/access tokens, items, faults), behind one mutex. */
#ifndef MYNT_LOCAL_PLAID_SIM_STORE_H
#define MYNT_LOCAL_PLAID_SIM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "local/plaid_sim/plaid_data.h"

/* "access-sandbox-" + a 36-character uuid, with room to spare. */
#define PLAID_SIM_TOKEN_MAX     64
#define PLAID_SIM_WEBHOOK_MAX   512
#define PLAID_SIM_LINK_TTL_MS   (4LL * 3600 * 1000)
#define PLAID_SIM_PUBLIC_TTL_MS (30LL * 60 * 1000)

/* Seeds stay below 2^48 so they survive JavaScript numbers in tests. */
#define PLAID_SIM_SEED_MAX ((1ULL << 48) - 1)

/* A copy of an item's state; never carries its access token. */
typedef struct {
  char item_id[PLAID_DATA_ID_LEN + 1];
  char institution_id[16];
  uint64_t seed;
  int days_requested;
  uint64_t products;                   /* bit i = plaid_sim_product_name(i) */
  char webhook[PLAID_SIM_WEBHOOK_MAX]; /* "" = null */
  int64_t created_ms;
  bool removed;
  bool login_required;
  int64_t consent_expires_ms; /* /item/get's consent_expiration_time; 0 = null */
} plaid_sim_item;

/* A link token's settings. */
typedef struct {
  int days_requested;
  uint64_t products;
  char webhook[PLAID_SIM_WEBHOOK_MAX];
  char update_item_id[PLAID_DATA_ID_LEN + 1]; /* "" = a new item; else update mode for that item */
  bool account_selection;                     /* update.account_selection_enabled (update mode only) */
  int64_t expires_ms;
} plaid_sim_link;

/* An injected failure for an item's data endpoints. status 0 = latency only. */
typedef struct {
  int latency_ms;
  int status;
  const char *error_code; /* static string; NULL with status 0 */
  int times;              /* firings left; 0 = until cleared */
} plaid_sim_fault;

typedef struct plaid_sim_store plaid_sim_store;

/* Makes a new empty store: MYNT_OK and *out (free it with plaid_sim_store_free), or MYNT_NOMEM
 * with *out NULL. */
mynt_status plaid_sim_store_new(plaid_sim_store **out);

/* Frees the store and every token in it. Accepts NULL. */
void plaid_sim_store_free(plaid_sim_store *store);

/* Writes prefix + a random RFC 4122 v4 uuid into out (PLAID_SIM_TOKEN_MAX bytes). MYNT_INTERNAL if the RNG fails. */
mynt_status plaid_sim_store_token(const char *prefix, char out[PLAID_SIM_TOKEN_MAX]);

/* Writes len random characters from [A-Za-z0-9] and a NUL into out. MYNT_INTERNAL if the RNG fails. */
mynt_status plaid_sim_store_random_id(char *out, size_t len);

/* Saves a link token valid until link->expires_ms; writes the token to out_token.
 * Expired link tokens are forgotten on the way. MYNT_OK, MYNT_NOMEM, MYNT_INTERNAL. */
mynt_status plaid_sim_store_add_link(plaid_sim_store *store, const plaid_sim_link *link, int64_t now_ms,
                                     char out_token[PLAID_SIM_TOKEN_MAX]);

/* Copies the settings of an unexpired link token into out. MYNT_NOT_FOUND when unknown or expired. */
mynt_status plaid_sim_store_find_link(plaid_sim_store *store, const char *token, int64_t now_ms, plaid_sim_link *out);

/* Creates an item from tmpl's institution_id, days_requested, products, webhook and seed (when
 * has_seed is false the seed is derived from the institution and the number of items made so
 * far, so a fresh simulator replays the same data). Assigns item_id and an access token; copies
 * the new item to out. MYNT_OK, MYNT_NOMEM, MYNT_INTERNAL. */
mynt_status plaid_sim_store_add_item(plaid_sim_store *store, const plaid_sim_item *tmpl, bool has_seed, int64_t now_ms,
                                     plaid_sim_item *out);

/* Issues a single-use public token for an existing item, valid for 30 minutes.
 * MYNT_OK, MYNT_NOT_FOUND (no such live item), MYNT_NOMEM, MYNT_INTERNAL. */
mynt_status plaid_sim_store_add_public(plaid_sim_store *store, const char *item_id, int64_t now_ms,
                                       char out_token[PLAID_SIM_TOKEN_MAX]);

/* Consumes a public token: writes its item's access token and item id. MYNT_NOT_FOUND when the
 * token is unknown, used, expired or its item was removed. */
mynt_status plaid_sim_store_exchange(plaid_sim_store *store, const char *public_token, int64_t now_ms,
                                     char out_access_token[PLAID_SIM_TOKEN_MAX],
                                     char out_item_id[PLAID_DATA_ID_LEN + 1]);

/* Copies the live item an access token opens. MYNT_NOT_FOUND when unknown or removed. */
mynt_status plaid_sim_store_find_item(plaid_sim_store *store, const char *access_token, plaid_sim_item *out);

/* Copies an item by id, removed or not. MYNT_NOT_FOUND when unknown. */
mynt_status plaid_sim_store_find_item_by_id(plaid_sim_store *store, const char *item_id, plaid_sim_item *out);

/* Marks an item removed: its access token stops working. MYNT_NOT_FOUND when unknown or already removed. */
mynt_status plaid_sim_store_remove_item(plaid_sim_store *store, const char *item_id);

/* Sets an item's consent expiration (epoch ms; 0 = none). MYNT_NOT_FOUND when unknown or removed. */
mynt_status plaid_sim_store_set_consent_expiration(plaid_sim_store *store, const char *item_id, int64_t expires_ms);

/* Sets or clears an item's login_required flag. MYNT_NOT_FOUND when unknown or removed. */
mynt_status plaid_sim_store_set_login_required(plaid_sim_store *store, const char *item_id, bool required);

/* Sets an item's webhook URL (shorter than PLAID_SIM_WEBHOOK_MAX). MYNT_NOT_FOUND when unknown or removed. */
mynt_status plaid_sim_store_set_webhook(plaid_sim_store *store, const char *item_id, const char *url);

/* Installs (replaces) an item's fault. MYNT_NOT_FOUND when the item is unknown. */
mynt_status plaid_sim_store_set_fault(plaid_sim_store *store, const char *item_id, const plaid_sim_fault *fault);

/* Clears an item's fault. MYNT_NOT_FOUND when the item is unknown. */
mynt_status plaid_sim_store_clear_fault(plaid_sim_store *store, const char *item_id);

/* Fires the item's fault once if it has one: copies it to out, uses up one of its times, and
 * returns true; returns false when there is none. */
bool plaid_sim_store_take_fault(plaid_sim_store *store, const char *item_id, plaid_sim_fault *out);

/* Copies every item, oldest first, into a malloc'd array the caller frees (*out_items may be
 * NULL when there are none). MYNT_OK or MYNT_NOMEM. */
mynt_status plaid_sim_store_list(plaid_sim_store *store, plaid_sim_item **out_items, size_t *out_count);

#endif
