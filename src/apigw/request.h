/* request.h - an API Gateway HTTP API (payload format 2.0) event parsed into a request. */
#ifndef MYNT_APIGW_REQUEST_H
#define MYNT_APIGW_REQUEST_H

#include <stddef.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/status.h"

/* The largest request body a handler ever sees, after base64 decoding (64 KiB). */
#define APIGW_MAX_BODY ((size_t)64 * 1024)
/* The deepest nesting of arrays and objects a JSON request body may have (Mynt's bodies need 1). */
#define APIGW_MAX_JSON_DEPTH ((size_t)32)

typedef struct {
  const char *name;
  const char *value;
} apigw_pair;

typedef struct {
  apigw_pair *items;
  size_t count;
} apigw_pairs;

/* Every string and array is owned by the arena the request was parsed with; strings
 * are never NULL unless said so. */
typedef struct {
  const char *route_key;   /* "GET /items/{item_id}" or "$default" */
  const char *method;      /* requestContext.http.method, e.g. "GET" */
  const char *raw_path;    /* "/items/abc" */
  const char *raw_query;   /* "a=1&b=2"; "" when absent */
  const char *request_id;  /* requestContext.requestId; "" when absent */
  const char *domain_name; /* requestContext.domainName, the API's host (e.g. "abc.execute-api..."); "" when absent */
  apigw_pairs headers;     /* names lower-cased */
  apigw_pairs query;       /* queryStringParameters (repeats joined by commas) */
  apigw_pairs path_params; /* pathParameters */
  apigw_pairs claims;      /* requestContext.authorizer.jwt.claims, as strings */
  mynt_str body;           /* decoded body (NUL-terminated); len 0 when absent */
  int has_body;            /* 1 when the event carried a body */
} apigw_request;

/* Parses a payload-2.0 event into out_req, copying what it keeps into arena.
 * Returns:
 * - MYNT_OK;
 * - MYNT_PARSE when event is not a payload-2.0 event (not an object, version other than
 *   "2.0", or routeKey, rawPath or requestContext.http.method missing or not strings):
 *   nothing can be answered to such an event;
 * - MYNT_TOO_LARGE when the body is over APIGW_MAX_BODY after decoding, or
 *   MYNT_BAD_REQUEST when isBase64Encoded is true and the body is not valid base64;
 *   in both cases every field but the body is filled, so the request can be answered;
 * - MYNT_NOMEM when the arena is full.
 * String values of other types in headers, parameters or claims are skipped, except
 * integers among claims, which are kept as decimal text. */
mynt_status apigw_request_from_json(mynt_arena *arena, json_t *event, apigw_request *out_req);

/* As apigw_request_from_json, from the raw event text; text that is not JSON is MYNT_PARSE. */
mynt_status apigw_request_parse(mynt_arena *arena, mynt_str payload, apigw_request *out_req);

/* Returns the value of header name (matched case-insensitively), or NULL. Borrowed. */
const char *apigw_request_header(const apigw_request *req, const char *name);

/* Returns the query string parameter, path parameter or JWT claim called name, or NULL. */
const char *apigw_request_query(const apigw_request *req, const char *name);
const char *apigw_request_path_param(const apigw_request *req, const char *name);
const char *apigw_request_claim(const apigw_request *req, const char *name);

/* Returns the caller's user id: the JWT `sub` claim when present and not empty, else
 * NULL. It is the only source of a user id: never the body, the query or a header. */
const char *apigw_request_sub(const apigw_request *req);

/* Returns the JWT `email` claim when present and not empty, else NULL. */
const char *apigw_request_email(const apigw_request *req);

/* Decodes standard base64 (with or without '=' padding, no whitespace) into an
 * arena-owned NUL-terminated buffer of at most max bytes. Returns MYNT_OK with *out;
 * MYNT_BAD_REQUEST for invalid input; MYNT_TOO_LARGE when the decoded length exceeds
 * max (checked before decoding); MYNT_NOMEM when the arena is full. */
mynt_status apigw_base64_decode(mynt_arena *arena, mynt_str in, size_t max, mynt_str *out);

#endif
