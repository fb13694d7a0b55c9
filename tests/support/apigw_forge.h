/* apigw_forge.h - forged API Gateway payload-2.0 events served through a route table, for the apigw and handlers tests. */
#ifndef MYNT_TESTS_APIGW_FORGE_H
#define MYNT_TESTS_APIGW_FORGE_H

#include <stdbool.h>

#include <jansson.h>

#include "apigw/router.h"
#include "core/arena.h"

/* The cap of the arena apigw_forge_arena_setup makes. */
#define APIGW_FORGE_ARENA_MAX (16 * 1024 * 1024)

/* What an event carries; NULL fields are left out of the event. */
typedef struct {
  const char *method;       /* requestContext.http.method */
  const char *route_key;    /* routeKey */
  const char *path;         /* rawPath and requestContext.http.path */
  const char *request_id;   /* requestContext.requestId; NULL: "api-1" */
  const char *domain_name;  /* requestContext.domainName */
  const char *raw_query;    /* rawQueryString */
  json_t *query;            /* queryStringParameters (consumed) */
  json_t *path_params;      /* pathParameters (consumed) */
  const char *content_type; /* headers.content-type */
  json_t *headers;          /* other headers, lower-case names to strings (consumed) */
  const char *sub;          /* the JWT authorizer's sub claim; NULL leaves the authorizer out */
  const char *email;        /* the email claim, beside sub */
  const char *body;         /* body, with isBase64Encoded = base64 */
  bool base64;
} apigw_forge_event;

/* cmocka set-up and tear-down of one arena per test (APIGW_FORGE_ARENA_MAX bytes at the most)
 * for the requests and responses a test parses and builds: pass both to
 * cmocka_unit_test_setup_teardown. The set-up fails the test when the arena cannot be made. */
int apigw_forge_arena_setup(void **state);
int apigw_forge_arena_teardown(void **state);

/* The running test's arena (made by apigw_forge_arena_setup); NULL outside a test. */
mynt_arena *apigw_forge_arena(void);

/* Returns the payload-2.0 event of e (caller json_decref); consumes e's JSON fields. */
json_t *apigw_forge_event_new(const apigw_forge_event *e);

/* Serves event (consumed) through table for group with ctx, asserting the router answered.
 * Returns the payload (caller json_decref). */
json_t *apigw_forge_serve(const apigw_route_table *table, const char *group, const apigw_ctx *ctx, json_t *event);

/* The payload's statusCode. */
int apigw_forge_status(const json_t *payload);

/* The payload's body parsed (caller json_decref); JSON null for a missing or empty body. Fails
 * the running test when the body is not JSON. */
json_t *apigw_forge_body(const json_t *payload);

/* Asserts payload's status and, unless code is NULL, its body's error code. Returns payload. */
json_t *apigw_forge_expect(json_t *payload, int status, const char *code);

/* body's error.code, or NULL. Borrowed from body. */
const char *apigw_forge_error_code(const json_t *body);

/* body's error.message, or NULL. Borrowed from body. */
const char *apigw_forge_error_message(const json_t *body);

#endif
