/* event.h - builds API Gateway HTTP API payload-2.0 events from HTTP requests. */
#ifndef MYNT_LOCAL_EVENT_H
#define MYNT_LOCAL_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"
#include "local/gateway/routes.h"

typedef struct {
  const char *name; /* as received; the event lower-cases it */
  const char *value;
} event_header;

typedef struct {
  const char *method;
  const char *raw_path;        /* as received (percent-encoded), without the query */
  const char *raw_query;       /* as received, without '?'; "" when there is none */
  const event_header *headers; /* in arrival order; repeats allowed */
  size_t n_headers;
  const char *body; /* may be NULL when body_len is 0 */
  size_t body_len;
  const char *source_ip;
  const char *protocol;       /* "HTTP/1.1" */
  const char *route_key;      /* the matched route's key */
  const routes_param *params; /* path parameters of the match */
  size_t n_params;
  const json_t *claims; /* string claims for JWT routes (borrowed); NULL otherwise */
  const json_t *scopes; /* array or null for JWT routes (borrowed); NULL otherwise */
  const char *request_id;
  int64_t time_epoch_ms;
} event_request;

/* Builds the payload-2.0 event for req. Returns a new JSON object (the caller decrefs it)
 * or NULL on allocation failure. */
json_t *event_build(const event_request *req);

/* Returns 1 when a request body of this Content-Type (NULL = none) reaches the function as
 * text, 0 when API Gateway base64-encodes it. */
int event_content_type_is_text(const char *content_type);

#endif
