/* bootstrap_env.h - cold-start set-up of the handlers' shared state: SSM secrets → keyring and Plaid client, and
 * each group's AWS clients. */
#ifndef MYNT_BOOTSTRAP_ENV_H
#define MYNT_BOOTSTRAP_ENV_H

#include <stdint.h>

#include "core/detail.h"
#include "core/status.h"
#include "handlers/env.h"

/* The SecureString parameters a group that calls Plaid reads, under $MYNT_SSM_PREFIX. */
#define BOOTSTRAP_ENV_TOKEN_KEYS      "/token-keys" /* keyring "kid:BASE64KEY[,...]" (seal.h) */
#define BOOTSTRAP_ENV_PLAID_CLIENT_ID "/plaid/client-id"
#define BOOTSTRAP_ENV_PLAID_SECRET    "/plaid/secret"

/* Initialises the libraries of every group once per process, before any jansson, libcurl or OpenSSL call: the
 * wiping allocator (secure_alloc_install), libcurl's global state and, through it, OpenSSL (whose configuration
 * file is never read: cmake/static_deps.cmake). group is the _HANDLER value (may be NULL). For "public", the one
 * group that never leaves the Runtime API's plain HTTP, OpenSSL skips what only TLS needs: its error strings and
 * the digest name table (without which a certificate chain does not verify, so no other group may skip it); every
 * other name, known or not, gets libcurl's initialisation but for the legacy cipher name table, which no group
 * needs (libssl fetches its ciphers from the provider). Before all of it, the wiping allocator goes into OpenSSL,
 * then jansson and libcurl (core/secure_alloc.h). Returns MYNT_OK, or MYNT_INTERNAL when OpenSSL has already
 * allocated or libcurl's global init fails, with which in detail. */
mynt_status bootstrap_env_init_libraries(const char *group, mynt_detail *detail);

/* For a group that calls Plaid, at cold start: checks what needs no network (MYNT_SSM_PREFIX, which must start with
 * '/'; PLAID_BASE_URL or PLAID_ENV) and sets env->open_plaid to bootstrap_env_open_plaid, so that the secrets are read
 * by the first request that needs them (handlers_env_plaid) and a route that never calls Plaid (GET /items) never
 * waits for SSM. Returns MYNT_OK, or MYNT_BAD_REQUEST naming the variable in detail (may be NULL), open_plaid NULL. */
mynt_status bootstrap_env_defer_plaid(handlers_env *env, mynt_detail *detail);

/* Makes env->keyring and env->plaid (a handlers_open_plaid_fn): reads the three SecureStrings above with one SSM
 * GetParameters call (AWS settings as aws_config_from_env; the prefix from MYNT_SSM_PREFIX), within deadline_ms (epoch
 * ms; 0 or later than 8 s from now: 8 s), parses the keyring and builds the Plaid client (base URL from
 * PLAID_BASE_URL, else PLAID_ENV). Every secret is wiped from memory once copied into the keyring or the client.
 * Returns MYNT_OK; otherwise the failing step's status with a reason in detail (may be NULL) that names parameters
 * but never a value, and leaves env->keyring and env->plaid NULL. */
mynt_status bootstrap_env_open_plaid(handlers_env *env, int64_t deadline_ms, mynt_detail *detail);

/* Makes env->lambda and env->sync_function for a group that starts syncs: the function name from
 * MYNT_SYNC_FUNCTION (required; a name or ARN of at most LAMBDA_FUNCTION_ARN_MAX bytes), the
 * client from the AWS settings of aws_config_from_env but with its own endpoint:
 * MYNT_LAMBDA_ENDPOINT when set (mynt-local's Invoke), else Lambda's regional endpoint
 * (MYNT_AWS_ENDPOINT points at DynamoDB/SSM stand-ins and is never used for Lambda). Returns
 * MYNT_OK; otherwise the failing step's status with a reason in detail (may be NULL) and
 * env->lambda NULL, env->sync_function "". */
mynt_status bootstrap_env_open_lambda(handlers_env *env, mynt_detail *detail);

/* Makes env->cognito for the presignup group: a Cognito client with the AWS settings of aws_config_from_env and the
 * endpoint MYNT_COGNITO_ENDPOINT, else MYNT_AWS_ENDPOINT, else Cognito's regional one (cognito_client_open).
 * Returns MYNT_OK; otherwise the failure with a reason in detail (may be NULL) and env->cognito NULL. */
mynt_status bootstrap_env_open_cognito(handlers_env *env, mynt_detail *detail);

/* Makes env->apigateway and env->guard for the costguard group: the stage from MYNT_HTTP_API_ID (required, an API
 * id) and MYNT_HTTP_API_STAGE (default "$default"), the trickle from MYNT_GUARD_RATE (requests a second, a number
 * from 0 to 10000, default 1) and MYNT_GUARD_BURST (a whole number from 0 to 5000, default 1); the client from
 * aws_config_from_env's settings with the endpoint MYNT_APIGATEWAY_ENDPOINT, else MYNT_AWS_ENDPOINT, else API
 * Gateway's regional one. Returns MYNT_OK; otherwise MYNT_BAD_REQUEST naming the variable that is wrong (or the
 * client's failure) in detail (may be NULL), with env->apigateway NULL and env->guard zeroed. */
mynt_status bootstrap_env_open_apigateway(handlers_env *env, mynt_detail *detail);

/* Frees what env holds (store, Plaid client, keyring, Lambda client, webhook key cache, Cognito and API Gateway
 * clients) and sets the pointers to NULL. */
void bootstrap_env_free(handlers_env *env);

#endif
