/* fake_aws.h - what every loopback AWS fake of tests/support shares: its script_server, the record of the rules its
 * requests broke, its lock, and the keys its clients sign with. */
#ifndef MYNT_TESTS_FAKE_AWS_H
#define MYNT_TESTS_FAKE_AWS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "aws/aws_config.h"
#include "core/detail.h"
#include "support/request_check.h"

typedef struct {
  script_server *srv;
  request_failures seen; /* the rules requests broke (signature, headers, shapes) */
  pthread_mutex_t lock;  /* guards the fake's own state, taken by its handler */
  const request_check_keys *keys;
} fake_aws;

/* Starts a's server on an ephemeral loopback port with handler (called with ctx) and keys (static), failing the
 * running test when it cannot. */
void fake_aws_open(fake_aws *a, const request_check_keys *keys, script_handler handler, void *ctx);

/* Stops a's server (waiting for requests in progress) and releases the rest. */
void fake_aws_close(fake_aws *a);

/* Fills *cfg for a client of a: its URL, the keys' region, access keys and session token. */
void fake_aws_config(const fake_aws *a, aws_config *cfg);

/* Fails the running test, naming service and the first problem, when any request so far broke a rule. */
void fake_aws_assert_clean(fake_aws *a, const char *service);

struct aws_http; /* aws/aws_http.h: what every service's client is */

/* A service client's opener (cognito_client_open, apigateway_client_open): every client is the signed aws_http. */
typedef mynt_status (*fake_aws_opener)(const aws_config *cfg, struct aws_http **out, mynt_detail *detail);

/* A client of a opened with open (caller frees it with the service's client_free), failing the running test when it
 * cannot be opened. */
struct aws_http *fake_aws_client(const fake_aws *a, fake_aws_opener open);

/* A deep copy of doc (part of a's state) taken under a's lock (caller json_decref), after failing the running test,
 * naming service, when any request so far broke a rule. */
json_t *fake_aws_copy(fake_aws *a, const char *service, const json_t *doc);

/* Fills *out for a handler's answer: http, content_type (static), the x-amzn-ErrorType header error_type (static;
 * NULL for none) and body (malloc'd, freed by the server once sent; NULL for none). */
void fake_aws_reply(script_reply *out, unsigned http, const char *content_type, const char *error_type, char *body);

/* Whether name is one of list[0..n). */
bool fake_aws_listed(const char *name, const char *const *list, size_t n);

#endif
