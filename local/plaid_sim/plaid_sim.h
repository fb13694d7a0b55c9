/* plaid_sim.h - a local Plaid Sandbox simulator (HTTP on 127.0.0.1) that can run as a program or inside a test. */
#ifndef MYNT_LOCAL_PLAID_SIM_H
#define MYNT_LOCAL_PLAID_SIM_H

#include <stdint.h>

#include "core/status.h"

/* HTTP surface (JSON in and out; every answer carries request_id; errors are Plaid-shaped):
 *   Plaid (POST, PLAID-CLIENT-ID + PLAID-SECRET headers or client_id/secret in the body):
 *     /link/token/create  /item/public_token/exchange  /item/get  /item/remove  /accounts/get
 *     /transactions/get  /transactions/sync  /sandbox/public_token/create  /sandbox/item/reset_login
 *     /sandbox/transactions/create  /sandbox/item/fire_webhook  /webhook_verification_key/get
 *   Simulator only (no Plaid auth; never shows a token):
 *     POST   /sim/link/complete {link_token, institution_id, username, password[, seed]}
 *     GET    /sim/items                               every item: id, institution, seed, removed, login_required
 *     GET    /sim/items/{item_id}/transactions[?start_date=&end_date=]   the full truth, no paging
 *     POST   /sim/items/{item_id}/transactions {added, modified, removed}   changes the item's data
 *            (modified {transaction_id, pending: false} posts a pending one: removal + addition)
 *     GET|POST /sim/items/{item_id}/sync {history: none|initial|complete, mutation_during_pagination}
 *     POST   /sim/items/{item_id}/faults {latency_ms, status, error_code, times}   DELETE clears
 *     POST   /sim/items/{item_id}/webhook {webhook_type, webhook_code, error?, new_webhook_url?,
 *            account_id?, initial_update_complete?, historical_update_complete?}   sends exactly that
 *     GET    /sim/requests[?since=N]  the Plaid API request log {requests:[{seq, path, status, at_ms}], next}
 *     GET    /sim/webhooks            the delivery log {webhooks, pending, dropping}
 *     POST   /sim/webhooks/drop {count}             the next count deliveries are lost (logged "dropped")
 *     POST   /sim/webhooks/stale {count, age_s}     the next count are signed with an iat age_s old
 *     POST   /sim/webhook_key/rotate {grace_s?}     a new signing key; the old one expires in grace_s
 *     GET    /sim/health
 *   Webhooks go to the item's webhook URL from a sender thread, signed as Plaid signs them (ES256,
 *   Plaid-Verification), SYNC_UPDATES_AVAILABLE only once /transactions/sync was called for the item. */

typedef struct {
  const char *client_id; /* required; the PLAID-CLIENT-ID every Plaid call must carry */
  const char *secret;    /* required; the PLAID-SECRET */
  uint16_t port;         /* 0 = an ephemeral port (read it back with plaid_sim_port) */
  const char *today;     /* "YYYY-MM-DD" pins the data's "today"; NULL = the UTC date of each request */
  /* Wall clock in ms since the epoch for token expiry; NULL = the real clock. Tests move it. */
  int64_t (*now_ms)(void *ctx);
  void *now_ctx;
} plaid_sim_config;

typedef struct plaid_sim plaid_sim;

/* Starts the simulator on 127.0.0.1 with its own threads. Copies everything it needs from cfg.
 * Returns MYNT_OK and *out (stop it with plaid_sim_free); MYNT_BAD_REQUEST when the config is
 * incomplete or cfg->today is not a date; MYNT_IO when the port cannot be bound; MYNT_NOMEM. */
mynt_status plaid_sim_new(const plaid_sim_config *cfg, plaid_sim **out);

/* Returns the TCP port the simulator listens on. */
uint16_t plaid_sim_port(const plaid_sim *sim);

/* Stops serving (waits for requests in flight) and frees all state. Accepts NULL. */
void plaid_sim_free(plaid_sim *sim);

#endif
