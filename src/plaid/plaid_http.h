/* plaid_http.h - internal to src/plaid: the client's state and one HTTP exchange with Plaid (setup, classification, backoff). */
#ifndef MYNT_PLAID_HTTP_H
#define MYNT_PLAID_HTTP_H

#include <stdint.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/backoff.h"
#include "core/buf.h"
#include "core/status.h"
#include "plaid/plaid.h"
#include "plaid/plaid_error.h"

/* A new attempt is not started with less time than this before the deadline. */
#define PLAID_HTTP_MIN_ATTEMPT_MS 50

/* The longest a connection may take to establish. */
#define PLAID_HTTP_CONNECT_TIMEOUT_MS 5000

struct plaid_client {
  char base_url[256];
  char ca_bundle[256];
  char webhook[512];
  struct curl_slist *headers; /* holds the client id and the secret; wiped on free */
  CURLSH *share;              /* DNS cache and TLS sessions shared by every handle */
  CURL *easy;                 /* sequential calls */
  CURLM *multi;               /* parallel calls */
  CURL *pool[PLAID_MAX_PARALLEL];
  mynt_backoff backoff; /* retry delays (jitter, not cryptographic) */
};

/* One request/answer on one easy handle. */
typedef struct {
  CURL *easy; /* borrowed from the client */
  char *body; /* the serialised request, owned; wiped when released */
  size_t body_len;
  const char *redact; /* the request's token, borrowed, to keep out of errors */
  mynt_buf response;  /* the answer, capped at PLAID_MAX_RESPONSE; wiped when released */
  char errbuf[CURL_ERROR_SIZE];
} plaid_http_exchange;

/* Prepares x on easy to POST body (borrowed; serialised into x) to c->base_url + path,
 * with a total timeout of the time left before deadline_ms. The token to redact is taken
 * from body's "access_token" or "public_token". Returns MYNT_OK, or MYNT_NOMEM /
 * MYNT_INTERNAL (x is then released). */
mynt_status plaid_http_begin(plaid_client *c, plaid_http_exchange *x, CURL *easy, const char *path, json_t *body,
                             int64_t deadline_ms);

/* Classifies the finished exchange (curl's result rc): on a 2xx JSON object returns
 * MYNT_OK and *out_json (caller json_decref); otherwise fills err (kind, status, fields)
 * and returns err->status. Wipes the answer buffer either way; err->attempts is left to
 * the caller. */
mynt_status plaid_http_finish(plaid_http_exchange *x, CURLcode rc, json_t **out_json, plaid_error *err);

/* Wipes and frees what x owns (safe to call twice). */
void plaid_http_free(plaid_http_exchange *x);

/* Returns a full-jitter backoff for the given attempt (1 = after the first failure):
 * a uniform random value in [0, min(cap, base * 2^(attempt-1))] ms. */
int64_t plaid_http_backoff_ms(plaid_client *c, int attempt);

/* Resolves deadline 0 to PLAID_DEFAULT_DEADLINE_MS from now. */
int64_t plaid_http_deadline(int64_t deadline_ms);

/* Fills err as a deadline failure (no attempt could start). */
void plaid_http_deadline_error(plaid_error *err, int attempts);

/* Call after each attempt of one request, with curl's result rc and the attempt's err
 * (attempts already set). Remembers in *answered the last error Plaid itself answered
 * (cleared on success); when the deadline cut a later attempt short (a curl timeout), puts
 * that answer (say, rate limiting) back into err, keeping err->attempts: it is the cause
 * worth reporting, not the cut-off. *answered starts cleared (plaid_error_clear). */
void plaid_http_keep_answer(plaid_error *answered, CURLcode rc, plaid_error *err);

#endif
