/* plaid_sim_internal.h - what the Plaid simulator's server, endpoint and rendering files share (not for users of plaid_sim.h). */
#ifndef MYNT_LOCAL_PLAID_SIM_INTERNAL_H
#define MYNT_LOCAL_PLAID_SIM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "local/common/http_server.h"
#include "local/plaid_sim/plaid_data.h"
#include "local/plaid_sim/plaid_sim.h"
#include "local/plaid_sim/plaid_sim_ledger.h"
#include "local/plaid_sim/plaid_sim_store.h"
#include "local/plaid_sim/plaid_sim_webhook.h"

/* Every request must send exactly this Plaid-Version when it sends one. */
#define PLAID_SIM_API_VERSION "2020-09-14"

/* How many Plaid API requests GET /sim/requests keeps (the oldest are dropped). */
#define PLAID_SIM_REQUEST_LOG_MAX 512

/* One Plaid API request (outside /sim/) the simulator answered. */
typedef struct {
  uint64_t seq;  /* 1, 2, ...: the request's place among all Plaid API requests */
  int64_t at_ms; /* the simulator's clock when it answered */
  char path[64]; /* the endpoint (cut at 63 bytes) */
  unsigned status;
} plaid_sim_logged_request;

struct plaid_sim {
  http_server *server;
  pthread_mutex_t log_lock; /* guards log and log_seq */
  plaid_sim_logged_request log[PLAID_SIM_REQUEST_LOG_MAX];
  uint64_t log_seq; /* requests logged so far; log[(seq - 1) % MAX] holds seq */
  plaid_sim_store *store;
  plaid_sim_ledger *ledger;     /* items' change logs for /transactions/sync */
  plaid_sim_webhooks *webhooks; /* the signing keys and the sender */
  char *client_id;
  char *secret;
  bool today_pinned;
  int32_t pinned_today;
  int64_t (*now_ms)(void *ctx);
  void *now_ctx;
};

/* One HTTP request as the endpoint files see it. Everything is borrowed for the request's life. */
typedef struct {
  const char *method;
  const char *path;
  json_t *body;            /* the JSON object body, or NULL */
  bool body_invalid;       /* a body was sent (or required) but is not a JSON object within the cap */
  const char *client_id;   /* PLAID-CLIENT-ID header or NULL */
  const char *secret;      /* PLAID-SECRET header or NULL */
  const char *api_version; /* Plaid-Version header or NULL */
  const char *(*query)(void *ctx, const char *key); /* a query-string value or NULL */
  void *query_ctx;
  char request_id[16];
} plaid_sim_request;

/* The answer: an HTTP status and a JSON body the server sends and then frees. */
typedef struct {
  unsigned status;
  json_t *body;
} plaid_sim_response;

/* One Plaid call in flight: the endpoint answers into out. Everything is borrowed. */
typedef struct {
  plaid_sim *sim;
  const plaid_sim_request *req;
  plaid_sim_response *out;
  json_t *body;
} plaid_sim_call;

/* Returns the simulator's clock in ms since the epoch. */
int64_t plaid_sim_now(const plaid_sim *sim);

/* Returns the day the data ends on: the pinned date, or the UTC date of plaid_sim_now. */
int32_t plaid_sim_today(const plaid_sim *sim);

/* Answers a request to a Plaid endpoint (anything outside /sim/). Always fills out. */
void plaid_sim_plaid_handle(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out);

/* Records one answered Plaid API request in the request log. */
void plaid_sim_log_request(plaid_sim *sim, const char *path, unsigned status);

/* Answers a request under /sim/ (the Link stand-in and the test knobs). Always fills out. */
void plaid_sim_admin_handle(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out);

/* ---- rendering (plaid_sim_render.c) ---- */

/* Fills out with a Plaid error: HTTP status plus {error_type, error_code, error_message,
 * display_message, request_id, causes, status, documentation_url, suggested_action}.
 * display may be NULL (JSON null). Never fails: out of memory leaves out->body NULL, which the
 * server answers as a bare 500. */
void plaid_sim_render_error(plaid_sim_response *out, const plaid_sim_request *req, unsigned status,
                            const char *error_type, const char *error_code, const char *message, const char *display);

/* Returns a new PlaidError object as a webhook's error carries it (the shape above without
 * request_id; display NULL = JSON null), or NULL when out of memory. */
json_t *plaid_sim_render_error_body(unsigned status, const char *error_type, const char *error_code,
                                    const char *message, const char *display);

/* Fills out with 200 and body, adding request_id to it. Takes ownership of body (NULL = out of memory). */
void plaid_sim_render_ok(plaid_sim_response *out, const plaid_sim_request *req, json_t *body);

/* Returns a new AccountBase object, or NULL when out of memory. */
json_t *plaid_sim_render_account(const plaid_data_account *acc);

/* Returns a new Transaction object, or NULL when out of memory. */
json_t *plaid_sim_render_txn(const plaid_data_item *data, const plaid_data_txn *t, bool original_description);

/* Returns a new Item object; with_details adds created_at and the consent fields /item/get has.
 * NULL when out of memory. */
json_t *plaid_sim_render_item(const plaid_sim_item *item, bool with_details);

/* ---- products (plaid_sim_plaid.c) ---- */

/* Returns the index of a Plaid product name, or -1 when Plaid has no such product. */
int plaid_sim_product_index(const char *name);

/* Returns the name of product i, or NULL past the end. */
const char *plaid_sim_product_name(int i);

/* Returns true for the sandbox login user_good / pass_good; otherwise fills out with
 * INVALID_CREDENTIALS (400, ITEM_ERROR) and returns false. */
bool plaid_sim_credentials_or_reply(const plaid_sim_request *req, plaid_sim_response *out, const char *username,
                                    const char *password);

/* Returns the static name of an error code the fault knob accepts (RATE_LIMIT_EXCEEDED 429,
 * INTERNAL_SERVER_ERROR 500, ITEM_LOGIN_REQUIRED 400, PRODUCT_NOT_READY 400) and its HTTP
 * status in *out_status, or NULL for any other code. */
const char *plaid_sim_fault_code(const char *error_code, int *out_status);

/* ---- checks the Plaid endpoints share (plaid_sim_plaid.c); each answers the error and returns false ---- */

/* POST, a JSON body, the API keys, Plaid-Version, no field outside allowed, and every field of
 * required (NULL = none) present. */
bool plaid_sim_prelude_or_reply(plaid_sim_call *c, const char *const *allowed, const char *const *required);

/* Resolves access_token to its live item (INVALID_ACCESS_TOKEN); data_call also applies the
 * item's injected fault and answers ITEM_LOGIN_REQUIRED for an item that needs a login. */
bool plaid_sim_item_or_reply(plaid_sim_call *c, plaid_sim_item *out, bool data_call);

/* obj, the field called name, must be a JSON object with no key outside allowed. */
bool plaid_sim_object_or_reply(plaid_sim_call *c, json_t *obj, const char *name, const char *const *allowed);

/* An optional integer field of obj in [lo, hi]; *out keeps its default when absent. */
bool plaid_sim_int_or_reply(plaid_sim_call *c, json_t *obj, const char *name, long long lo, long long hi,
                            long long *out);

/* An optional boolean field of obj; *out keeps its default when absent. */
bool plaid_sim_bool_or_reply(plaid_sim_call *c, json_t *obj, const char *name, bool *out);

/* v must be a "YYYY-MM-DD" string naming a real day. */
bool plaid_sim_date_or_reply(plaid_sim_call *c, json_t *v, const char *name, int32_t *out);

/* Generates the item's data for today with its ledger's changes (free it with
 * plaid_data_item_free), or answers 500 and leaves out owning nothing. */
bool plaid_sim_data_or_reply(plaid_sim_call *c, const plaid_sim_item *item, plaid_data_item *out);

/* Returns obj's member name unless it is absent or JSON null. */
json_t *plaid_sim_field(json_t *obj, const char *name);

/* Returns whether key is one of allowed (a NULL-terminated list). */
bool plaid_sim_key_allowed(const char *key, const char *const *allowed);

/* Refuses the first member of obj (may be NULL) that is not in allowed (a NULL-terminated list):
 * answers 400 INVALID_REQUEST/INVALID_FIELD "<where>: unknown field <key>" (where NULL: "unknown
 * field <key>") into out and returns false. Returns true when every member is allowed. */
bool plaid_sim_keys_or_reply(const plaid_sim_request *req, plaid_sim_response *out, json_t *obj, const char *where,
                             const char *const *allowed);

/* ---- sync endpoints (plaid_sim_sync.c) ---- */

/* POST /transactions/sync. */
void plaid_sim_sync_transactions(plaid_sim_call *c);

/* POST /sandbox/transactions/create. */
void plaid_sim_sync_sandbox_create(plaid_sim_call *c);

/* POST /sim/items/{item_id}/transactions {added, modified, removed}. */
void plaid_sim_sync_admin_changes(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out,
                                  const char *item_id);

/* GET or POST /sim/items/{item_id}/sync {history, mutation_during_pagination}. */
void plaid_sim_sync_admin_knobs(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out,
                                const char *item_id);

/* ---- webhooks (plaid_sim_notify.c) ---- */

/* Returns whether url is one Plaid takes as a webhook: http(s)://host[:port][/path], visible
 * ASCII, shorter than PLAID_SIM_WEBHOOK_MAX. */
bool plaid_sim_webhook_url_valid(const char *url);

/* Sends TRANSACTIONS SYNC_UPDATES_AVAILABLE with the item's current flags after its data changed,
 * when it has a webhook and, as on Plaid, /transactions/sync has been called for it (and the
 * history is not NOT_READY). */
void plaid_sim_notify_sync_updates(plaid_sim *sim, const plaid_sim_item *item);

/* Sends SYNC_UPDATES_AVAILABLE for each level status->history reached from
 * status->previous_history (the first 30 days, then the whole history), under the same rule. */
void plaid_sim_notify_history(plaid_sim *sim, const plaid_sim_item *item, const plaid_sim_ledger_status *status);

/* Sends ITEM ERROR (ITEM_LOGIN_REQUIRED) when the item has a webhook: what /sandbox/item/reset_login fires. */
void plaid_sim_notify_login_required(plaid_sim *sim, const plaid_sim_item *item);

/* POST /webhook_verification_key/get {key_id}. */
void plaid_sim_notify_key_get(plaid_sim_call *c);

/* POST /sandbox/item/fire_webhook {access_token, webhook_type?, webhook_code}. */
void plaid_sim_notify_fire(plaid_sim_call *c);

/* GET /sim/webhooks, POST /sim/webhooks/drop {count}, POST /sim/webhook_key/rotate {grace_s?}. */
void plaid_sim_notify_admin(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out);

/* POST /sim/items/{item_id}/webhook {webhook_type, webhook_code, error?, new_webhook_url?,
 * account_id?, initial_update_complete?, historical_update_complete?}: sends exactly that
 * webhook; ITEM ERROR ITEM_LOGIN_REQUIRED also puts the item in that state, LOGIN_REPAIRED takes
 * it out, and WEBHOOK_UPDATE_ACKNOWLEDGED with new_webhook_url moves the item to that URL. */
void plaid_sim_notify_admin_item(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out,
                                 const char *item_id);

#endif
