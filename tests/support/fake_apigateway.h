/* fake_apigateway.h - a loopback API Gateway v2 for the cost guard's tests: one HTTP API with one stage, GetStage and
 * UpdateStage (PATCH) checked as API Gateway checks them (SigV4 for service "apigateway", the stage path, the body's
 * members and RouteSettings' types, route keys the API has) and answering API Gateway's errors (x-amzn-ErrorType). */
#ifndef MYNT_TESTS_FAKE_APIGATEWAY_H
#define MYNT_TESTS_FAKE_APIGATEWAY_H

#include <pthread.h>

#include <jansson.h>

#include "aws/apigateway.h"
#include "aws/aws_config.h"
#include "support/fake_aws.h"

#define FAKE_APIGATEWAY_API_ID "a1b2c3d4e5"

typedef struct {
  fake_aws aws;       /* server, rule record, lock (fake_aws.h) */
  json_t *stage;      /* the Stage API Gateway would answer (stageName "$default" unless set otherwise) */
  json_t *route_keys; /* the API's routes, which routeSettings may name */
  int gets;           /* GetStage requests received */
  int updates;        /* UpdateStage requests received (accepted or not) */
  int fail_count;     /* answers still to fail with fail_http (-1 = every one) */
  unsigned fail_http;
  apigateway_client *client; /* a client of this fake, opened by fake_apigateway_start */
} fake_apigateway;

/* Starts a fake API FAKE_APIGATEWAY_API_ID with stage (stolen: a Stage object, e.g. {"stageName":"$default",
 * "defaultRouteSettings":{...},"routeSettings":{...}}) and its route keys (stolen: a JSON array of strings), on an
 * ephemeral loopback port, with f->client an API Gateway client of it (freed with the fake); fails the running test
 * when either cannot be made. Returns the fake. */
fake_apigateway *fake_apigateway_start(json_t *stage, json_t *route_keys);

/* Stops f and frees it. Accepts NULL. */
void fake_apigateway_free(fake_apigateway *f);

/* A test's end with f: fails the running test when any request f received broke a rule, then frees f. */
void fake_apigateway_finish(fake_apigateway *f);

/* Fills *cfg for an API Gateway client of f (its endpoint, region us-east-1, the keys f checks signatures with). */
void fake_apigateway_config(const fake_apigateway *f, aws_config *cfg);

/* Makes the next count answers (-1: every one) fail with HTTP http (429: LimitExceededException, API Gateway v2's
 * name for throttling; 5xx: InternalServerErrorException). */
void fake_apigateway_fail(fake_apigateway *f, int count, unsigned http);

/* A copy of the stage as it is now (caller json_decref). Fails the running test when any request so far broke a
 * rule, naming the first problem. */
json_t *fake_apigateway_stage(fake_apigateway *f);

#endif
