/* fake_cognito.h - a loopback cognito-idp for the Pre sign-up trigger's tests: ListUsers (its Filter parsed as
 * Cognito parses it) and AdminLinkProviderForUser (its fields validated, links kept), checked as Cognito checks
 * requests (SigV4 for service "cognito-idp", X-Amz-Target, JSON 1.1) and answering Cognito's error JSON. */
#ifndef MYNT_TESTS_FAKE_COGNITO_H
#define MYNT_TESTS_FAKE_COGNITO_H

#include <pthread.h>
#include <stdbool.h>

#include <jansson.h>

#include "aws/aws_config.h"
#include "aws/cognito.h"
#include "support/fake_aws.h"

#define FAKE_COGNITO_POOL_ID "us-east-1_FakePool1"

typedef struct {
  fake_aws aws;         /* server, rule record, lock (fake_aws.h) */
  json_t *users;        /* Cognito's UserType objects, in order of creation */
  json_t *links;        /* [{destination, provider, attribute, subject}] that AdminLinkProviderForUser made */
  json_t *filters;      /* every ListUsers Filter received, as sent */
  int list_calls;       /* ListUsers requests received */
  int link_calls;       /* AdminLinkProviderForUser requests received */
  char fail_action[64]; /* the action scripted to fail ("" none) */
  int fail_count;       /* answers still to fail; -1 = every one */
  unsigned fail_http;
  char fail_type[64];
  cognito_client *client; /* a client of this fake, opened by fake_cognito_start */
} fake_cognito;

/* Starts a fake pool FAKE_COGNITO_POOL_ID with Google as its one identity provider, on an ephemeral loopback port,
 * with f->client a Cognito client of it (freed with the fake); fails the running test when either cannot be made.
 * Returns the fake. */
fake_cognito *fake_cognito_start(void);

/* Stops f and frees it. Accepts NULL. */
void fake_cognito_free(fake_cognito *f);

/* A test's end with f: fails the running test when any request f received broke a rule, then frees f. */
void fake_cognito_finish(fake_cognito *f);

/* Fills *cfg for a Cognito client of f (its endpoint, region us-east-1, the keys f checks signatures with). */
void fake_cognito_config(const fake_cognito *f, aws_config *cfg);

/* Adds a user: a password user (status "CONFIRMED", "UNCONFIRMED", ...) or a federated one ("EXTERNAL_PROVIDER"),
 * with email, email_verified ("true"/"false"; NULL: no such attribute) and a sub made from the username. */
void fake_cognito_add_user(fake_cognito *f, const char *username, const char *status, const char *email,
                           const char *email_verified);

/* Makes the next count answers (-1: every one) to action ("ListUsers", "AdminLinkProviderForUser") fail with HTTP
 * status http and Cognito error type. */
void fake_cognito_fail(fake_cognito *f, const char *action, int count, unsigned http, const char *type);

/* A copy of the links made so far (caller json_decref). Fails the running test when any request so far broke a
 * rule, naming the first problem. */
json_t *fake_cognito_links(fake_cognito *f);

/* The user called username's identities attribute (a JSON text; caller frees), or NULL when it has none. */
char *fake_cognito_identities(fake_cognito *f, const char *username);

#endif
