/* env.h - the long-lived state every handler of this process shares (made once at init by the bootstrap). */
#ifndef MYNT_HANDLERS_ENV_H
#define MYNT_HANDLERS_ENV_H

#include "aws/lambda.h"
#include "crypto/seal.h"
#include "plaid/plaid.h"
#include "plaid/webhook.h"
#include "store/store.h"

/* Filled and freed by src/bootstrap_env.c (or a test); the handlers only read it. */
typedef struct {
  store *store;                                    /* the mynt-users table; NULL in groups that need no DynamoDB */
  plaid_client *plaid;                             /* NULL in groups that do not call Plaid */
  seal_keyring *keyring;                           /* seals and opens access tokens; NULL where plaid is NULL */
  lambda_client *lambda;                           /* invokes the sync function; NULL in groups that start no sync */
  char sync_function[LAMBDA_FUNCTION_ARN_MAX + 1]; /* its name (MYNT_SYNC_FUNCTION); "" where lambda is NULL */
  plaid_webhook_keys *webhook_keys; /* Plaid's webhook verification keys, cached per process; NULL outside the
                                       groups that verify webhooks */
} handlers_env;

#endif
