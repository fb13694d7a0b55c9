/* fake_aws.h - what every loopback AWS fake of tests/support shares: its script_server, the record of the rules its
 * requests broke, its lock, and the keys its clients sign with. */
#ifndef MYNT_TESTS_FAKE_AWS_H
#define MYNT_TESTS_FAKE_AWS_H

#include <pthread.h>

#include "aws/aws_config.h"
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

#endif
