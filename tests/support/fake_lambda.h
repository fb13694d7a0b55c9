/* fake_lambda.h - a loopback Lambda Invoke endpoint for the tests of whatever starts syncs: it checks each request as
 * Lambda does (SigV4 for service "lambda", POST /2015-03-31/functions/{name}/invocations, X-Amz-Invocation-Type Event,
 * a JSON payload), answers 202 and keeps the events it accepted. */
#ifndef MYNT_TESTS_FAKE_LAMBDA_H
#define MYNT_TESTS_FAKE_LAMBDA_H

#include <pthread.h>
#include <stdbool.h>

#include <jansson.h>

#include "aws/aws_config.h"
#include "support/request_check.h"

typedef struct {
  request_server rs;
  pthread_mutex_t lock;
  json_t *invocations; /* [{function, event}] in order of arrival, of the requests that passed the checks */
  bool refusing;       /* fake_lambda_answer set an error answer: requests are checked, not kept */
} fake_lambda;

/* Counts in seen what an asynchronous Invoke must carry besides its signature and path and does not: method POST,
 * X-Amz-Invocation-Type Event, Content-Type application/json. Runs on a script_server handler's thread. */
void fake_lambda_check_invoke(const script_request *req, request_failures *seen);

/* Starts a fake Lambda on an ephemeral loopback port answering 202. Returns MYNT_OK and *out, or a failure status
 * (*out NULL). */
mynt_status fake_lambda_new(fake_lambda **out);

/* Stops f and frees it. Accepts NULL. */
void fake_lambda_free(fake_lambda *f);

/* Fills *cfg for a Lambda client of f (its endpoint, region us-east-1, the keys f checks signatures with). */
void fake_lambda_config(const fake_lambda *f, aws_config *cfg);

/* Makes f answer every later Invoke with a Lambda error (status and x-amzn-ErrorType name; status 202 goes back to
 * accepting). Such requests are still checked but not kept. */
void fake_lambda_answer(fake_lambda *f, unsigned status, const char *error_name);

/* A copy of the accepted invocations (caller json_decref), then forgets them. Fails the running test when any
 * request so far broke a rule, naming the first problem. */
json_t *fake_lambda_take(fake_lambda *f);

#endif
