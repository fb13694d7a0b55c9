/* env.h - the long-lived state every handler of this process shares (made once at init). */
#ifndef MYNT_HANDLERS_ENV_H
#define MYNT_HANDLERS_ENV_H

#include <stddef.h>

#include "core/status.h"
#include "crypto/seal.h"
#include "plaid/plaid.h"
#include "store/store.h"

typedef struct {
  store *store;            /* the mynt-users table; NULL in groups that need no DynamoDB */
  plaid_client *plaid;     /* NULL in groups that do not call Plaid */
  seal_keyring *keyring;   /* seals and opens access tokens; NULL where plaid is NULL */
} handlers_env;

/* The SecureString parameters read at cold start, under $MYNT_SSM_PREFIX. */
#define HANDLERS_ENV_TOKEN_KEYS "/token-keys"         /* keyring "kid:BASE64KEY[,...]" (seal.h) */
#define HANDLERS_ENV_PLAID_CLIENT_ID "/plaid/client-id"
#define HANDLERS_ENV_PLAID_SECRET "/plaid/secret"

/* Makes env->keyring and env->plaid for a group that calls Plaid, once per process: reads
 * the three SecureStrings above from SSM (AWS settings as aws_config_from_env; the prefix from
 * MYNT_SSM_PREFIX, which must start with '/'), parses the keyring and builds the Plaid client
 * (base URL from PLAID_BASE_URL, else PLAID_ENV). Every secret is wiped from memory once copied
 * into the keyring or the client. Returns MYNT_OK; otherwise the failing step's status with a
 * reason in out_why (may be NULL) that names parameters but never a value, and leaves
 * env->keyring and env->plaid NULL. */
mynt_status handlers_env_open_plaid(handlers_env *env, char *out_why, size_t why_len);

/* Frees what env holds (store, Plaid client, keyring) and sets the pointers to NULL. */
void handlers_env_close(handlers_env *env);

#endif
