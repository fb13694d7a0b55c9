/* plaid_sim_webhook.h - the simulator's webhook signing keys (ES256, rotated on demand) and their delivery: a bounded queue, one sender thread, a log. */
#ifndef MYNT_LOCAL_PLAID_SIM_WEBHOOK_H
#define MYNT_LOCAL_PLAID_SIM_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/status.h"

/* Keys kept (current and rotated ones); past it the oldest rotated key is forgotten. */
#define PLAID_SIM_WEBHOOK_KEYS_MAX 16
/* Room for a key id (a 36-character uuid) and its NUL. */
#define PLAID_SIM_WEBHOOK_KID_MAX 64
/* Webhooks waiting to be sent; one more is refused (and logged as "queue_full"). */
#define PLAID_SIM_WEBHOOK_QUEUE_MAX 256
/* Deliveries the log keeps; the oldest go first. */
#define PLAID_SIM_WEBHOOK_LOG_MAX 1024
/* One delivery's bounds: connecting, and the whole exchange. */
#define PLAID_SIM_WEBHOOK_CONNECT_TIMEOUT_MS 2000
#define PLAID_SIM_WEBHOOK_TIMEOUT_MS         5000
/* How long a rotated key keeps verifying when the rotation names no grace: Plaid's webhook age limit. */
#define PLAID_SIM_WEBHOOK_DEFAULT_GRACE_S 300
#define PLAID_SIM_WEBHOOK_MAX_GRACE_S     86400

typedef struct plaid_sim_webhooks plaid_sim_webhooks;

/* Makes the first signing key (created now) and starts the sender thread; now_ms (NULL = the
 * real clock) gives created_at, expired_at, iat and delivered_at. Returns MYNT_OK and *out (stop
 * it with plaid_sim_webhooks_free), MYNT_NOMEM, or MYNT_INTERNAL when a key or the thread cannot
 * be made. */
mynt_status plaid_sim_webhooks_new(int64_t (*now_ms)(void *ctx), void *now_ctx, plaid_sim_webhooks **out);

/* Stops the sender (the delivery in flight ends within its timeout; queued ones are forgotten)
 * and frees the keys. Accepts NULL. */
void plaid_sim_webhooks_free(plaid_sim_webhooks *w);

/* Returns MYNT_OK and *out, a new JWK object {alg, created_at, crv, expired_at, kid, kty, use, x,
 * y} as /webhook_verification_key/get answers it (expired_at null for the current key);
 * MYNT_NOT_FOUND when no key has this kid; MYNT_NOMEM. */
mynt_status plaid_sim_webhooks_key(plaid_sim_webhooks *w, const char *kid, json_t **out);

/* Writes the current key's kid into out. */
void plaid_sim_webhooks_current_kid(plaid_sim_webhooks *w, char out[PLAID_SIM_WEBHOOK_KID_MAX]);

/* Makes a new current key; the previous one keeps verifying until its expired_at, now + grace_s
 * (0 = expired at once). Writes the new and the previous kid. Returns MYNT_OK, MYNT_BAD_REQUEST
 * when grace_s is outside 0..PLAID_SIM_WEBHOOK_MAX_GRACE_S, MYNT_NOMEM or MYNT_INTERNAL (the
 * keys are then unchanged). */
mynt_status plaid_sim_webhooks_rotate(plaid_sim_webhooks *w, int64_t grace_s, char out_kid[PLAID_SIM_WEBHOOK_KID_MAX],
                                      char out_previous[PLAID_SIM_WEBHOOK_KID_MAX]);

/* Signs body[0..len) as Plaid does with the current key: a compact JWS with header {"alg":
 * "ES256", "kid", "typ": "JWT"}, payload {"iat": iat_s, "request_body_sha256": lowercase hex}
 * and the raw r || s signature, all base64url. Returns MYNT_OK and *out_token (malloc'd; caller
 * frees) with the kid used in out_kid (may be NULL), or MYNT_NOMEM / MYNT_INTERNAL. */
mynt_status plaid_sim_webhooks_sign(plaid_sim_webhooks *w, const void *body, size_t len, int64_t iat_s,
                                    char **out_token, char out_kid[PLAID_SIM_WEBHOOK_KID_MAX]);

/* Queues body (borrowed; its webhook_type and webhook_code name it in the log) for a POST to url
 * on behalf of item_id; it is serialised now as Plaid sends it (2-space-indented JSON) and signed
 * when it is sent. Never blocks on the network. Returns MYNT_OK; MYNT_TOO_LARGE when the queue is
 * full (logged with status "queue_full"); MYNT_NOMEM. */
mynt_status plaid_sim_webhooks_send(plaid_sim_webhooks *w, const char *url, const char *item_id, const json_t *body);

/* Makes the next count deliveries fail as lost ones: nothing is sent and each is logged with
 * status "dropped". Replaces what was left of an earlier count; 0 stops dropping. */
void plaid_sim_webhooks_drop(plaid_sim_webhooks *w, int count);

/* Makes the next count deliveries (that are not dropped) carry a Plaid-Verification whose iat is
 * age_s seconds old: a stale signature, as a delayed or replayed webhook has. Replaces what was
 * left of an earlier count; 0 stops. */
void plaid_sim_webhooks_stale(plaid_sim_webhooks *w, int count, int64_t age_s);

/* Returns a new object {webhooks: [{id, item_id, webhook_type, webhook_code, url, key_id, status
 * (the HTTP status, or "dropped", "queue_full", "timeout", "connect_failed", "error"),
 * delivered_at}], pending (queued or being sent), dropping (deliveries still to drop)}, oldest
 * first, or NULL when out of memory. */
json_t *plaid_sim_webhooks_log(plaid_sim_webhooks *w);

#endif
