/* response.h - payload-2.0 responses: JSON bodies, the error shape, and *_or_reply helpers. */
#ifndef MYNT_APIGW_RESPONSE_H
#define MYNT_APIGW_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "apigw/request.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/status.h"

#define APIGW_MAX_HEADERS 16

/* A response being built. Strings are owned by arena. status_code is 0 until a reply
 * has been written; headers start as content-type: application/json,
 * cache-control: no-store and x-content-type-options: nosniff (a JSON reply sets the
 * content-type back to application/json, a text reply sets its own). */
typedef struct {
  int status_code;
  apigw_pair headers[APIGW_MAX_HEADERS];
  size_t header_count;
  const char *body; /* JSON (or apigw_response_text's) text; "" until a reply is written */
  size_t body_len;
  mynt_arena *arena;
} apigw_response;

/* Prepares res, with no reply yet, allocating from arena (borrowed). */
void apigw_response_init(apigw_response *res, mynt_arena *arena);

/* Returns true once a reply has been written into res. */
bool apigw_response_replied(const apigw_response *res);

/* Sets header name (lower-cased) to value, replacing an earlier value. Returns MYNT_OK,
 * MYNT_INTERNAL for a name or value with control characters or when all
 * APIGW_MAX_HEADERS are used, MYNT_NOMEM when the arena is full. */
mynt_status apigw_response_set_header(apigw_response *res, const char *name, const char *value);

/* Replies status_code with body serialised as JSON (reals with 15 significant digits, so
 * amounts read as written). Takes ownership of body (NULL, as
 * from a failed json_pack, gives MYNT_NOMEM). Returns MYNT_OK or MYNT_NOMEM; on failure
 * res keeps its previous reply. */
mynt_status apigw_response_json(apigw_response *res, int status_code, json_t *body);

/* Replies status_code with len bytes of body (borrowed, copied into the arena; UTF-8 text,
 * sent as is, not base64: bytes that are not UTF-8 fail apigw_response_write) and content-type content_type, e.g. "text/csv; charset=utf-8".
 * Returns MYNT_OK; MYNT_INTERNAL for a content_type with control characters, MYNT_NOMEM
 * when the arena is full; on failure res keeps its previous reply and headers. */
mynt_status apigw_response_text(apigw_response *res, int status_code, const char *content_type, const char *body,
                                size_t len);

/* Replies the error shape {"error":{"code","message"}} with st's HTTP status and code
 * (see core/status.h); message NULL uses st's standard text. Messages reach the caller:
 * never put internals or secrets in them. Returns st (MYNT_INTERNAL for MYNT_OK), so a
 * handler can `return apigw_response_error(res, st, "...")`. */
mynt_status apigw_response_error(apigw_response *res, mynt_status st, const char *message);

/* Replies the error shape with st's HTTP status but a custom machine-readable code
 * (e.g. "duplicate_institution", "item_login_required"): {"error":{"code","message",...}}
 * where the members of extra (a JSON object, stolen; may be NULL) are added after code and
 * message, e.g. {"item_id":"..."}. message NULL uses st's standard text. As
 * apigw_response_error, messages reach the caller: never put internals or secrets in them.
 * Returns st (MYNT_INTERNAL for MYNT_OK); on an allocation failure res keeps its previous reply. */
mynt_status apigw_response_error_code(apigw_response *res, mynt_status st, const char *code, const char *message,
                                      json_t *extra);

/* Replies 204 No Content: an empty body and no content-type header. Returns MYNT_OK. */
mynt_status apigw_response_no_content(apigw_response *res);

/* Serialises res as the full payload-2.0 answer
 * {"statusCode","headers","body","isBase64Encoded":false} into out_payload (appended).
 * A res without a reply is written as a 500 internal_error. Returns MYNT_OK, or
 * MYNT_NOMEM (out_payload is then freed, as buf_append does). */
mynt_status apigw_response_write(const apigw_response *res, mynt_buf *out_payload);

/* *_or_reply helpers: on failure they have already written the error reply into res and
 * return its status, so a handler stays flat: `if(st) return st;`. */

/* Parses the body as a JSON object (duplicate keys refused). On success returns MYNT_OK
 * and *out_body, owned by the caller (json_decref). Missing, non-JSON or non-object
 * bodies, and bodies nesting deeper than APIGW_MAX_JSON_DEPTH (refused before parsing),
 * reply 400 and return MYNT_BAD_REQUEST; *out_body is then NULL. */
mynt_status apigw_json_body_or_reply(const apigw_request *req, apigw_response *res, json_t **out_body);

/* Sets *out_sub to the caller's user id (the JWT `sub` claim, borrowed from req) and
 * returns MYNT_OK; without one replies 401 and returns MYNT_UNAUTHORIZED. */
mynt_status apigw_sub_or_reply(const apigw_request *req, apigw_response *res, const char **out_sub);

#endif
