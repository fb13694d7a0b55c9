/* aws_http.h - internal: one signed AWS client over libcurl for the JSON and REST-JSON protocols, with retries inside a
 * deadline. */
#ifndef MYNT_AWS_HTTP_H
#define MYNT_AWS_HTTP_H

#include <stdint.h>

#include <jansson.h>

#include "aws/aws_config.h"
#include "aws/aws_error.h"
#include "aws/sigv4.h"
#include "core/detail.h"
#include "core/status.h"

typedef struct aws_http aws_http;

/* Whether an error answer may be sent again. */
typedef enum {
  AWS_RETRY_NEVER = 0,
  AWS_RETRY_THROTTLED, /* the service asked us to slow down; nothing was applied */
  AWS_RETRY_TRANSIENT  /* a 5xx or transport failure */
} aws_retry_kind;

/* Judges one error answer: http_status, type (the short error name from the x-amzn-ErrorType
 * header, else the body's "__type" or "code", without "namespace#" or ":suffix"; "" when the
 * answer had none), body (the parsed error document or NULL) and request (what was sent). Returns the
 * status the call fails with and sets *out_retry. request is NULL for a REST call. */
typedef mynt_status (*aws_http_classify_fn)(int http_status, const char *type, const json_t *body,
                                            const json_t *request, aws_retry_kind *out_retry);

/* A service speaking AWS's JSON or REST-JSON protocol. Strings are static. */
typedef struct {
  const char *signing_name;  /* SigV4 service name and regional host prefix, e.g. "dynamodb" */
  const char *target_prefix; /* X-Amz-Target before the '.', e.g. "DynamoDB_20120810"; unused by REST calls */
  const char *content_type;  /* e.g. "application/x-amz-json-1.0", "application/json" */
  const char *display_name;  /* the service in messages, e.g. "DynamoDB" */
  aws_http_classify_fn classify;
} aws_http_service;

/* The policy every service shares: throttling names (and 429) → MYNT_THROTTLED, retried;
 * 5xx → MYNT_UNAVAILABLE, retried; credential and permission failures (and 401/403) →
 * MYNT_UPSTREAM, not retried (our own setup is wrong; never a 4xx for the API's caller);
 * any other 4xx → MYNT_BAD_REQUEST, not retried. */
mynt_status aws_http_classify_common(int http_status, const char *type, aws_retry_kind *out_retry);

/* Creates a client for svc from cfg (copied; the endpoint is cfg->endpoint, else
 * https://<signing_name>.<region>.amazonaws.com). It keeps one curl handle for connection
 * reuse and a jitter generator (core/backoff) seeded once from getrandom. Returns MYNT_OK and
 * *out (caller frees with aws_http_free), MYNT_BAD_REQUEST for an unusable endpoint or
 * region, MYNT_NOMEM / MYNT_INTERNAL otherwise, leaving *out NULL. */
mynt_status aws_http_new(const aws_config *cfg, const aws_http_service *svc, aws_http **out);

/* Creates a client for svc as aws_http_new does, from the configuration aws_config_from_env
 * reads (wiped once the client holds its copy). Returns MYNT_OK and *out, or the failure with
 * its reason in detail (may be NULL; never a secret): "AWS configuration: <why>" or
 * "<display_name> client: <status text>"; *out is then NULL. */
mynt_status aws_http_new_from_env(const aws_http_service *svc, aws_http **out, mynt_detail *detail);

/* As aws_http_new_from_env, but with the endpoint from the environment variable endpoint_var when it is set and not
 * empty (a service's own override, e.g. MYNT_COGNITO_ENDPOINT), else MYNT_AWS_ENDPOINT's, else the regional one.
 * endpoint_var NULL is aws_http_new_from_env. An override too long for aws_config is MYNT_BAD_REQUEST. */
mynt_status aws_http_new_from_env_at(const aws_http_service *svc, const char *endpoint_var, aws_http **out,
                                     mynt_detail *detail);

/* The one opener of a service's client: aws_http_new(cfg, svc, out) when cfg is not NULL, else
 * aws_http_new_from_env_at(svc, endpoint_var, out, detail). */
mynt_status aws_http_open(const aws_http_service *svc, const aws_config *cfg, const char *endpoint_var, aws_http **out,
                          mynt_detail *detail);

/* Fills err (may be NULL) for a call refused before anything was sent: status st, message, nothing else. Returns
 * st. */
mynt_status aws_error_refuse(aws_error *err, mynt_status st, const char *message);

/* Frees h (wiping its copy of the credentials). Accepts NULL. */
void aws_http_free(aws_http *h);

/* Sends operation with request as the JSON body, signed with SigV4, and retries what the
 * classifier allows with capped exponential backoff and full jitter while deadline_ms
 * (epoch ms; 0 = 10 s from now) leaves room, never sleeping into the last 100 ms. Each
 * attempt waits at most 2 s for its answer (less when the deadline is nearer), so a timed-out
 * attempt is followed by another inside the same deadline. sensitive
 * wipes the request text and the response bytes once used (for secrets). Returns MYNT_OK
 * with *out_response (a new reference the caller owns) or the failure, leaving
 * *out_response NULL; out_err (may be NULL) is filled either way. */
mynt_status aws_http_call(aws_http *h, const char *operation, json_t *request, int64_t deadline_ms, int sensitive,
                          json_t **out_response, aws_error *out_err);

#define AWS_HTTP_MAX_EXTRA_HEADERS 8

/* One REST-JSON request. Everything is borrowed for the call. */
typedef struct {
  const char *method;          /* "POST", "PATCH" or "GET" (a GET has no body and no Content-Type) */
  const char *path;            /* appended to the endpoint's path: begins with '/', already percent-encoded, printable
                         ASCII without spaces, no query or fragment */
  const sigv4_header *headers; /* extra headers, sent and signed; not Host, Content-Type or the signer's own */
  size_t header_count;         /* at most AWS_HTTP_MAX_EXTRA_HEADERS */
  const char *body;            /* NULL or "" with body_len 0 for none */
  size_t body_len;
} aws_http_rest_request;

/* Sends req with the service's Content-Type, signed with SigV4, with aws_http_call's retries,
 * deadline and sensitive handling. An error's name is read from x-amzn-ErrorType first.
 * Returns MYNT_OK for any 2xx answer (err's http_status says which) and, when out_response is
 * not NULL, *out_response: the parsed body (an empty body is an empty object), a new reference
 * the caller owns; MYNT_PARSE when that body is not JSON. MYNT_BAD_REQUEST, without a request,
 * for another method, a GET with a body, a malformed path or header. On failure *out_response is NULL; out_err
 * (may be NULL) is filled either way. */
mynt_status aws_http_rest_call(aws_http *h, const aws_http_rest_request *req, int64_t deadline_ms, int sensitive,
                               json_t **out_response, aws_error *out_err);

#endif
