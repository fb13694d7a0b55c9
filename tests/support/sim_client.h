/* sim_client.h - the small libcurl client the Plaid simulator's tests talk to it over loopback with. */
#ifndef MYNT_TESTS_SIM_CLIENT_H
#define MYNT_TESTS_SIM_CLIENT_H

#include <jansson.h>

#include "local/plaid_sim/plaid_sim.h"

/* One answer: HTTP status (-1 = transport failure), the raw text (never NULL) and the JSON body
 * (NULL when the text is not JSON). */
typedef struct {
  long status;
  json_t *body;
  char *text;
} sim_answer;

/* Sends method path to sim on 127.0.0.1 with body (NULL = none) and the header lines of headers (a
 * NULL-terminated list, or NULL), plus "Content-Type: application/json". Asserts nothing, so
 * worker threads may call it: a transport failure answers status -1 for the caller to check. */
sim_answer sim_client_send(const plaid_sim *sim, const char *method, const char *path, const char *body,
                           const char *const *headers);
void sim_answer_free(sim_answer *a);

/* One answer as a test reads it: HTTP status (-1 = transport failure) and the JSON body (NULL when the text is not
 * JSON; the caller json_decrefs it). */
typedef struct {
  long status;
  json_t *body;
} sim_reply;

/* sim_client_send with a JSON body: body (NULL = none) is sent compact and taken over (freed here, also on failure);
 * the raw text of the answer is dropped. Asserts nothing. */
sim_reply sim_client_json(const plaid_sim *sim, const char *method, const char *path, json_t *body,
                          const char *const *headers);

/* Fails the cmocka test, showing the answer, unless it is a 200. Keeps the body. */
void sim_reply_expect_ok(const sim_reply *r);

/* Fails the cmocka test unless the answer is a Plaid-shaped error: status, error_type type, error_code code, an
 * error_message and a request_id. Frees the body. */
void sim_reply_expect_error(sim_reply *r, long status, const char *type, const char *code);

/* Makes a sandbox item as Plaid's quickstart does: POST /sandbox/public_token/create with create_body (taken over),
 * then /item/public_token/exchange of its public token, both sent with headers (the Plaid key headers) and both
 * expected to answer 200 with a request_id. Writes the item's id; returns its access token (the caller frees). */
char *sim_client_sandbox_item(const plaid_sim *sim, const char *const *headers, json_t *create_body, char item_id[64]);

#endif
