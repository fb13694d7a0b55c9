/* sim_client.h - a Plaid simulator on a loopback port for one test, and the small libcurl client that talks to it. */
#ifndef MYNT_TESTS_SIM_CLIENT_H
#define MYNT_TESTS_SIM_CLIENT_H

#include <jansson.h>

#include "core/status.h"
#include "local/plaid_sim/plaid_sim.h"

typedef struct {
  plaid_sim *sim;
  char base[64]; /* "http://127.0.0.1:PORT" */
} sim_client;

/* One answer: HTTP status (-1 = transport failure), the raw text (never NULL) and the JSON body
 * (NULL when the text is not JSON). */
typedef struct {
  long status;
  json_t *body;
  char *text;
} sim_answer;

/* Starts a simulator with cfg (its port is normally 0: an ephemeral one). */
mynt_status sim_client_new(const plaid_sim_config *cfg, sim_client **out);
void sim_client_free(sim_client *c);

/* Sends method path with body (NULL = none) and the header lines of headers (a NULL-terminated
 * list, or NULL), plus "Content-Type: application/json". Asserts nothing, so worker threads may
 * call it: a transport failure answers status -1 for the caller to check. */
sim_answer sim_client_send(const sim_client *c, const char *method, const char *path, const char *body,
                           const char *const *headers);
void sim_answer_free(sim_answer *a);

#endif
