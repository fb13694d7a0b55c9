/* bootstrap_env.c - what a group needs: SSM SecureStrings → keyring and Plaid client (on first use); the Lambda,
 * Cognito and API Gateway clients (at cold start). */
#include "bootstrap_env.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "aws/aws_config.h"
#include "aws/lambda.h"
#include "aws/ssm.h"
#include "core/clock.h"
#include "core/secure_alloc.h"
#include "core/wipe.h"

/* The most the one GetParameters call may take, retries included, when the caller's deadline is later or unknown. */
#define S_SSM_BUDGET_MS 8000

#define S_PREFIX_MAX 200

/* The one group whose every request stays on the Runtime API (plain HTTP on loopback): GET /health, $default. */
#define S_NO_TLS_GROUP "public"

mynt_status bootstrap_env_init_libraries(const char *group, mynt_detail *detail)
{
  mynt_detail_clear(detail);
  /* First of all: OpenSSL takes an allocator only before its first allocation. */
  if(secure_alloc_install_openssl())
    return mynt_fail(detail, MYNT_INTERNAL, "OpenSSL allocated before its wiping allocator could be installed");
  /* No group needs OpenSSL's table of legacy cipher names (EVP_get_cipherbyname): libssl fetches the TLS ciphers
   * from the provider by name, and seal.c names AES-256-GCM directly. Filling it costs about 0.1 ms at every cold
   * start, and the first fetch (SigV4's SHA-256) another 0.1 ms copying those names into the provider's name map.
   * The digest names stay for every TLS group: a certificate chain does not verify without them. */
  OPENSSL_init_crypto(OPENSSL_INIT_NO_ADD_ALL_CIPHERS, NULL);
  if(group && strcmp(group, S_NO_TLS_GROUP) == 0) {
    /* Each NO_ flag settles its step for good, so libcurl's OPENSSL_init_ssl below finds it done. */
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
                          OPENSSL_INIT_NO_ADD_ALL_DIGESTS | OPENSSL_INIT_NO_LOAD_CONFIG,
                        NULL);
  }
  if(secure_alloc_install(CURL_GLOBAL_DEFAULT))
    return mynt_fail(detail, MYNT_INTERNAL, "curl_global_init failed");
  return MYNT_OK;
}

/* Copies $MYNT_SSM_PREFIX, without trailing '/', into prefix (S_PREFIX_MAX + 1 bytes). Returns MYNT_OK, or
 * MYNT_BAD_REQUEST with the reason in detail. */
static mynt_status s_ssm_prefix(char *prefix, mynt_detail *detail)
{
  const char *raw_prefix = getenv("MYNT_SSM_PREFIX");
  size_t prefix_len = raw_prefix ? strlen(raw_prefix) : 0;
  while(prefix_len > 1 && raw_prefix[prefix_len - 1] == '/')
    prefix_len--;
  if(prefix_len < 2 || prefix_len > S_PREFIX_MAX || raw_prefix[0] != '/')
    return mynt_fail(detail, MYNT_BAD_REQUEST, "MYNT_SSM_PREFIX must be a parameter path such as /mynt");
  memcpy(prefix, raw_prefix, prefix_len);
  prefix[prefix_len] = '\0';
  return MYNT_OK;
}

mynt_status bootstrap_env_defer_plaid(handlers_env *env, mynt_detail *detail)
{
  char prefix[S_PREFIX_MAX + 1];
  char base_url[sizeof(((plaid_config *)0)->base_url)];
  env->open_plaid = NULL;
  mynt_detail_clear(detail);
  mynt_status st = s_ssm_prefix(prefix, detail);
  if(st)
    return st;
  if(plaid_base_url_resolve(getenv("PLAID_BASE_URL"), getenv("PLAID_ENV"), base_url, sizeof base_url))
    return mynt_fail(detail, MYNT_BAD_REQUEST,
                     "set PLAID_ENV to sandbox or production, or PLAID_BASE_URL to an http(s) URL");
  env->open_plaid = bootstrap_env_open_plaid;
  return MYNT_OK;
}

mynt_status bootstrap_env_open_plaid(handlers_env *env, int64_t deadline_ms, mynt_detail *detail)
{
  mynt_status st = MYNT_OK;
  ssm_client *ssm = NULL;
  char *values[3] = {NULL, NULL, NULL}; /* keyring, Plaid client id, Plaid secret: the order of suffixes */
  static const char *const suffixes[3] = {BOOTSTRAP_ENV_TOKEN_KEYS, BOOTSTRAP_ENV_PLAID_CLIENT_ID,
                                          BOOTSTRAP_ENV_PLAID_SECRET};
  char names[3][S_PREFIX_MAX + 64];
  const char *name_list[3];
  seal_keyring *ring = NULL;
  plaid_client *plaid = NULL;
  plaid_config pcfg;
  mynt_detail why;
  memset(&pcfg, 0, sizeof(pcfg));
  env->keyring = NULL;
  env->plaid = NULL;
  mynt_detail_clear(detail);

  char prefix[S_PREFIX_MAX + 1];
  st = s_ssm_prefix(prefix, detail);
  if(st)
    return st;
  int64_t budget = clock_epoch_ms() + S_SSM_BUDGET_MS;
  if(deadline_ms > 0 && deadline_ms < budget)
    budget = deadline_ms;

  st = ssm_client_from_env(&ssm, detail);
  if(st)
    goto cleanup;
  for(size_t i = 0; i < 3; i++) {
    snprintf(names[i], sizeof names[i], "%s%s", prefix, suffixes[i]);
    name_list[i] = names[i];
  }
  /* One round trip for the three (each GetParameter is a signed request before the group is ready). */
  aws_error err;
  memset(&err, 0, sizeof(err));
  size_t missing = 3;
  st = ssm_get_parameters(ssm, name_list, 3, 1, budget, values, &missing, &err);
  if(st == MYNT_NOT_FOUND && missing < 3) {
    mynt_fail(detail, st, "SSM parameter %s: not found", names[missing]);
    goto cleanup;
  }
  if(st) {
    mynt_fail(detail, st, "SSM parameters %s, %s, %s: %s", names[0], names[1], names[2],
              err.type[0] ? err.type : mynt_strerror(st));
    goto cleanup;
  }

  st = seal_keyring_parse(values[0], &ring, &why);
  if(st) {
    mynt_fail(detail, st, "SSM parameter %s" BOOTSTRAP_ENV_TOKEN_KEYS ": %s", prefix, mynt_detail_text(&why));
    goto cleanup;
  }
  st = plaid_config_from_env(&pcfg, values[1], values[2], &why);
  if(st) {
    mynt_fail(detail, st, "Plaid configuration: %s", mynt_detail_text(&why));
    goto cleanup;
  }
  st = plaid_client_new(&pcfg, &plaid);
  if(st) {
    mynt_fail(detail, st, "Plaid client: %s", mynt_strerror(st));
    goto cleanup;
  }
  env->keyring = ring;
  env->plaid = plaid;
  ring = NULL;
  plaid = NULL;

cleanup:
  plaid_config_wipe(&pcfg);
  for(size_t i = 0; i < 3; i++)
    mynt_wipe_free(values[i]);
  seal_keyring_free(ring);
  plaid_client_free(plaid);
  ssm_client_free(ssm);
  return st;
}

mynt_status bootstrap_env_open_lambda(handlers_env *env, mynt_detail *detail)
{
  aws_config cfg;
  env->lambda = NULL;
  env->sync_function[0] = '\0';
  mynt_detail_clear(detail);
  const char *name = getenv("MYNT_SYNC_FUNCTION");
  if(!name || !*name || strlen(name) > LAMBDA_FUNCTION_ARN_MAX)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "MYNT_SYNC_FUNCTION must name the sync function");
  mynt_status st = aws_config_from_env(&cfg, detail);
  if(st)
    return st;
  const char *endpoint = getenv("MYNT_LAMBDA_ENDPOINT");
  if(endpoint && strlen(endpoint) >= sizeof cfg.endpoint) {
    st = mynt_fail(detail, MYNT_BAD_REQUEST, "MYNT_LAMBDA_ENDPOINT is too long");
    goto cleanup;
  }
  snprintf(cfg.endpoint, sizeof cfg.endpoint, "%s", endpoint ? endpoint : "");
  st = lambda_client_new(&cfg, &env->lambda);
  if(st) {
    mynt_fail(detail, st, "Lambda client (MYNT_LAMBDA_ENDPOINT, AWS_REGION): %s", mynt_strerror(st));
    goto cleanup;
  }
  snprintf(env->sync_function, sizeof env->sync_function, "%s", name);

cleanup:
  mynt_wipe(&cfg, sizeof cfg);
  return st;
}

mynt_status bootstrap_env_open_cognito(handlers_env *env, mynt_detail *detail)
{
  env->cognito = NULL;
  mynt_detail_clear(detail);
  return cognito_client_open(NULL, &env->cognito, detail);
}

/* Reads the number in variable name (fallback when unset or empty) into *out, refusing one outside [min, max] or
 * with anything after it; whole: only digits. */
static mynt_status s_number_env(const char *name, double fallback, double min, double max, bool whole, double *out,
                                mynt_detail *detail)
{
  const char *raw = getenv(name);
  *out = fallback;
  if(!raw || !*raw)
    return MYNT_OK;
  char *end = NULL;
  double v = strtod(raw, &end);
  bool digits_only = strspn(raw, "0123456789") == strlen(raw);
  if(end == raw || *end || !(v >= min && v <= max) || (whole && !digits_only))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "%s must be a %s from %g to %g", name, whole ? "whole number" : "number",
                     min, max);
  *out = v;
  return MYNT_OK;
}

mynt_status bootstrap_env_open_apigateway(handlers_env *env, mynt_detail *detail)
{
  handlers_guard guard;
  memset(&guard, 0, sizeof guard);
  memset(&env->guard, 0, sizeof env->guard);
  env->apigateway = NULL;
  mynt_detail_clear(detail);
  const char *api_id = getenv("MYNT_HTTP_API_ID");
  const char *stage = getenv("MYNT_HTTP_API_STAGE");
  if(!stage || !*stage)
    stage = "$default";
  if(!apigateway_valid_api_id(api_id))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "MYNT_HTTP_API_ID must be the HTTP API's id");
  if(!apigateway_valid_stage_name(stage))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "MYNT_HTTP_API_STAGE must be a stage name");
  double burst = 0;
  mynt_status st = s_number_env("MYNT_GUARD_RATE", 1, 0, 10000, false, &guard.rate, detail);
  if(!st)
    st = s_number_env("MYNT_GUARD_BURST", 1, 0, 5000, true, &burst, detail);
  if(st)
    return st;
  guard.burst = (long)burst;
  snprintf(guard.api_id, sizeof guard.api_id, "%s", api_id);
  snprintf(guard.stage, sizeof guard.stage, "%s", stage);
  st = apigateway_client_open(NULL, &env->apigateway, detail);
  if(!st)
    env->guard = guard;
  return st;
}

void bootstrap_env_free(handlers_env *env)
{
  cognito_client_free(env->cognito);
  apigateway_client_free(env->apigateway);
  env->cognito = NULL;
  env->apigateway = NULL;
  memset(&env->guard, 0, sizeof env->guard);
  store_free(env->store);
  plaid_client_free(env->plaid);
  seal_keyring_free(env->keyring);
  lambda_client_free(env->lambda);
  plaid_webhook_keys_free(env->webhook_keys);
  env->store = NULL;
  env->plaid = NULL;
  env->keyring = NULL;
  env->open_plaid = NULL;
  env->lambda = NULL;
  env->sync_function[0] = '\0';
  env->webhook_keys = NULL;
}
