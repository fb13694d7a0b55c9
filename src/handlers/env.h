/* env.h - the long-lived state every handler of this process shares (made once at init by the bootstrap). */
#ifndef MYNT_HANDLERS_ENV_H
#define MYNT_HANDLERS_ENV_H

#include <stdint.h>

#include "aws/apigateway.h"
#include "aws/cognito.h"
#include "aws/lambda.h"
#include "core/detail.h"
#include "core/status.h"
#include "crypto/seal.h"
#include "plaid/plaid.h"
#include "plaid/webhook.h"
#include "store/store.h"

/* The cost guard's target and trickle (MYNT_HTTP_API_ID, MYNT_HTTP_API_STAGE, MYNT_GUARD_RATE, MYNT_GUARD_BURST). */
typedef struct {
  char api_id[APIGATEWAY_API_ID_MAX + 1];
  char stage[APIGATEWAY_STAGE_MAX + 1];
  double rate; /* requests a second, sustained, for every route */
  long burst;  /* requests at once, for every route */
} handlers_guard;

typedef struct handlers_env handlers_env;

/* Reads the Plaid secrets from wherever this process keeps them and fills env->plaid and env->keyring, spending no
 * longer than deadline_ms (epoch ms; 0: its own budget). Returns MYNT_OK, or the failure with a reason in detail that
 * never holds a secret, leaving both NULL. */
typedef mynt_status (*handlers_open_plaid_fn)(handlers_env *env, int64_t deadline_ms, mynt_detail *detail);

/* Filled and freed by src/bootstrap_env.c (or a test); the handlers only read it, but for plaid and keyring, which
 * the first request that needs them fills through open_plaid (handlers_env_plaid, call.h). */
struct handlers_env {
  store *store;                                    /* the mynt-users table; NULL in groups that need no DynamoDB */
  plaid_client *plaid;                             /* NULL until the first request that calls Plaid, and in groups
                                                      that never do */
  seal_keyring *keyring;                           /* seals and opens access tokens; NULL where plaid is NULL */
  handlers_open_plaid_fn open_plaid;               /* fills plaid and keyring; NULL where they are set up front
                                                      (tests) or never needed */
  lambda_client *lambda;                           /* invokes the sync function; NULL in groups that start no sync */
  char sync_function[LAMBDA_FUNCTION_ARN_MAX + 1]; /* its name (MYNT_SYNC_FUNCTION); "" where lambda is NULL */
  plaid_webhook_keys *webhook_keys; /* Plaid's webhook verification keys, cached per process; NULL outside the
                                       groups that verify webhooks */
  cognito_client *cognito;          /* the user pool's admin API; NULL outside the presignup group */
  apigateway_client *apigateway;    /* the HTTP API's stage settings; NULL outside the costguard group */
  handlers_guard guard;             /* what the cost guard throttles; zeroed outside the costguard group */
};

#endif
