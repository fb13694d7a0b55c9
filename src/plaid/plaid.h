/* plaid.h - the Plaid API client: configuration, one reusable connection, typed endpoints with retries inside a deadline. */
#ifndef MYNT_PLAID_H
#define MYNT_PLAID_H

#include <stdint.h>

#include <jansson.h>

#include "core/detail.h"
#include "core/status.h"
#include "plaid/plaid_error.h"
#include "plaid/plaid_request.h"

/* The API version every request pins (header Plaid-Version). */
#define PLAID_API_VERSION "2020-09-14"

/* The largest answer body accepted from Plaid. */
#define PLAID_MAX_RESPONSE ((size_t)16 * 1024 * 1024)

/* How many connections (curl handles) the client keeps for calls in flight at once. */
#define PLAID_MAX_PARALLEL 6

/* Deadline used when a caller passes 0 (ms from now). */
#define PLAID_DEFAULT_DEADLINE_MS 10000

typedef struct {
  char base_url[256]; /* e.g. "https://sandbox.plaid.com", no trailing '/' */
  char client_id[128];
  char secret[128];
  char ca_bundle[256]; /* "" = libcurl's default */
  char webhook[512];   /* "" = no webhook on new link tokens */
  int retry_base_ms;   /* first backoff ceiling; 0 = 200 */
  int retry_cap_ms;    /* largest backoff ceiling; 0 = 2000 */
} plaid_config;

/* Resolves the base URL: base_url_override when not NULL or "" (must start with http://
 * or https://; a trailing '/' is dropped), else env "sandbox" → https://sandbox.plaid.com,
 * "production" → https://production.plaid.com. Writes it into out (cap bytes).
 * Returns MYNT_OK, or MYNT_BAD_REQUEST for a missing/unknown env or a bad override
 * (out is then ""). */
mynt_status plaid_base_url_resolve(const char *base_url_override, const char *env, char *out, size_t cap);

/* Fills cfg: the base URL from PLAID_BASE_URL, else PLAID_ENV (plaid_base_url_resolve);
 * client_id and secret copied from the caller (they come from SSM at cold start; both
 * must be 1..127 printable characters without spaces); ca_bundle = the first of
 * /etc/pki/tls/certs/ca-bundle.crt and /etc/ssl/certs/ca-certificates.crt that exists;
 * no webhook; default retry timings. The caller may change any field afterwards.
 * Returns MYNT_OK, or MYNT_BAD_REQUEST with a reason in detail (may be NULL; never
 * contains the secret) and cfg wiped. */
mynt_status plaid_config_from_env(plaid_config *cfg, const char *client_id, const char *secret, mynt_detail *detail);

/* Wipes cfg (it holds the secret). */
void plaid_config_wipe(plaid_config *cfg);

/* A client keeps one curl easy handle (sequential calls reuse its connection), a curl
 * multi handle with a few easy handles for parallel calls, and the auth headers.
 * Use it from one thread at a time. The process must have called curl_global_init. */
typedef struct plaid_client plaid_client;

/* Creates a client from cfg (copied; cfg may be wiped afterwards). Returns MYNT_OK and
 * *out_client (caller frees with plaid_client_free), or MYNT_BAD_REQUEST (invalid
 * config) / MYNT_NOMEM with *out_client NULL. */
mynt_status plaid_client_new(const plaid_config *cfg, plaid_client **out_client);

/* Closes the connections, wipes the secret and frees the client. Accepts NULL. */
void plaid_client_free(plaid_client *c);

/* POSTs body (borrowed) as JSON to base_url + path (e.g. "/item/get") with the
 * PLAID-CLIENT-ID, PLAID-SECRET, Plaid-Version and Content-Type headers.
 * RATE_LIMIT_EXCEEDED/429, 5xx and transport failures are retried with capped
 * exponential backoff and full jitter while time remains before deadline_ms (epoch ms;
 * 0 = PLAID_DEFAULT_DEADLINE_MS from now); other errors are not retried. On success
 * returns MYNT_OK and *out_response (the answer object, caller json_decref). On failure
 * returns the status of the last attempt (plaid_error_kind_status; MYNT_TIMEOUT when no
 * attempt could start; when the deadline cut an attempt short after Plaid had answered an
 * earlier one, that answer, e.g. rate limiting), fills *out_err (may be NULL; attempts counts
 * the cut-off one too) and leaves *out_response NULL.
 * Nothing is logged; the request body is wiped after sending. */
mynt_status plaid_call(plaid_client *c, const char *path, json_t *body, int64_t deadline_ms, json_t **out_response,
                       plaid_error *out_err);

/* The typed endpoints: each builds its body (plaid_request.h; MYNT_BAD_REQUEST without
 * sending anything when an input is invalid) and calls plaid_call, with the same
 * ownership and failure rules. */

/* /link/token/create for client_user_id (the Mynt user id). access_token NULL or "" asks
 * for a new item with products ["transactions"] only; otherwise update mode for that item, with
 * Plaid's account selection when account_selection (MYNT_BAD_REQUEST without an access token).
 * webhook is the URL Plaid sends the item's webhooks to: NULL = the client's configured one (if
 * any), "" = none. */
mynt_status plaid_link_token_create(plaid_client *c, const char *client_user_id, const char *access_token,
                                    const char *webhook, bool account_selection, int64_t deadline_ms,
                                    json_t **out_response, plaid_error *out_err);

/* /item/public_token/exchange: the answer carries access_token and item_id. The caller
 * must seal the access token and must not log the answer. */
mynt_status plaid_item_public_token_exchange(plaid_client *c, const char *public_token, int64_t deadline_ms,
                                             json_t **out_response, plaid_error *out_err);

/* /item/get, /item/remove (stops billing for the item) and /accounts/get. */
mynt_status plaid_item_get(plaid_client *c, const char *access_token, int64_t deadline_ms, json_t **out_response,
                           plaid_error *out_err);
mynt_status plaid_item_remove(plaid_client *c, const char *access_token, int64_t deadline_ms, json_t **out_response,
                              plaid_error *out_err);
mynt_status plaid_accounts_get(plaid_client *c, const char *access_token, int64_t deadline_ms, json_t **out_response,
                               plaid_error *out_err);

/* /webhook_verification_key/get for key_id (the kid of a webhook's Plaid-Verification
 * header). On success returns MYNT_OK and *out_jwk, the answer's "key" member (a new
 * reference, caller json_decref): the JWK still to be checked (plaid/webhook.h does). An
 * answer without a "key" object is MYNT_UPSTREAM with kind PLAID_ERR_MALFORMED; an
 * invalid key_id is MYNT_BAD_REQUEST without a request; other failures as plaid_call. */
mynt_status plaid_webhook_verification_key_get(plaid_client *c, const char *key_id, int64_t deadline_ms,
                                               json_t **out_jwk, plaid_error *out_err);

/* /transactions/sync for one page: the item's changes after cursor (NULL or "" = from its first
 * update), at most count (1..500) of them. On MYNT_OK *out_response is the answer (caller
 * json_decref), checked to have Plaid's shape: added, modified and removed arrays, a next_cursor
 * string of at most PLAID_CURSOR_MAX bytes, a has_more boolean (transactions_update_status and
 * accounts are not checked: callers read them as optional). An answer without that shape is
 * MYNT_UPSTREAM with kind PLAID_ERR_MALFORMED. TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION
 * is a failure like any 400 (not retried here): the caller tells it by out_err->error_code and
 * restarts its batch. Other failures as plaid_call. */
mynt_status plaid_transactions_sync(plaid_client *c, const char *access_token, const char *cursor, int count,
                                    int64_t deadline_ms, json_t **out_response, plaid_error *out_err);

/* The shape check plaid_transactions_sync applies to an answer (borrowed; may be NULL): returns true
 * when it has the members a sync relies on, as described above. Public for the fuzz harness
 * (tests/fuzz/fuzz_plaid_sync.c); callers use plaid_transactions_sync. */
bool plaid_transactions_sync_answer_valid(const json_t *answer);

#endif
