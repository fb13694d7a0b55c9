/* response.h - turns a function's payload-2.0 result into the HTTP answer API Gateway sends. */
#ifndef MYNT_LOCAL_RESPONSE_H
#define MYNT_LOCAL_RESPONSE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/status.h"

typedef struct {
  char *name;
  char *value;
} response_header;

typedef struct {
  int status;
  response_header *headers; /* owned; Set-Cookie appears once per cookie */
  size_t n_headers;
  mynt_buf body;
} response_http;

/* Initialises r as an empty 200 answer. */
void response_init(response_http *r);

/* Frees what r owns and re-initialises it. */
void response_free(response_http *r);

/* Appends a header (copied). Returns MYNT_OK or MYNT_NOMEM. */
mynt_status response_add_header(response_http *r, const char *name, const char *value);

/* Makes r (initialised) the API Gateway error answer: status with body
 * {"message": message} and content-type application/json; what r held is freed first.
 * Returns MYNT_OK or MYNT_NOMEM. */
mynt_status response_message(response_http *r, int status, const char *message);

/* Converts the function's result payload[0..len) into r, by API Gateway's rules: an object
 * with statusCode gives that status, its headers, cookies (one Set-Cookie each) and body
 * (base64-decoded when isBase64Encoded); any other valid JSON is a 200 application/json
 * answer carrying the payload itself. r must have been initialised (response_init); what it
 * held is freed first. Returns MYNT_OK, MYNT_UPSTREAM when the payload is not valid JSON or
 * its fields are malformed (r is then empty), MYNT_NOMEM. */
mynt_status response_from_payload(const char *payload, size_t len, response_http *r);

#endif
