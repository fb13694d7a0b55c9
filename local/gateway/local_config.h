/* local_config.h - the routes file mynt-local serves: region, JWT authorizer, functions, routes, schedules. */
#ifndef MYNT_LOCAL_CONFIG_H
#define MYNT_LOCAL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/detail.h"
#include "core/status.h"
#include "local/gateway/routes.h"

typedef struct {
  char *issuer;
  char **audiences;
  size_t n_audiences;
  char *jwks_url;
} local_config_authorizer;

typedef struct {
  char *name;          /* the template's logical id */
  char *function_name; /* the name Lambda knows it by (FunctionName; defaults to name) */
  char *handler;
  char *bootstrap; /* per-function override; NULL = the --bootstrap path */
  int timeout_s;
  int memory_mb;
  char **env; /* "NAME=value" strings */
  size_t n_env;
} local_config_function;

/* The user pool's hosted UI that mynt-local stands in for (hosted_ui.h): the app client, its OAuth settings and the
 * pool's Pre sign-up function. */
typedef struct {
  char *user_pool_id;
  char *client_id;
  char *issuer;           /* the pool's token issuer (https://cognito-idp.<region>.amazonaws.com/<pool id>) */
  char *cognito_endpoint; /* where the pool itself is served (moto); ListUsers and AdminGetUser go there */
  char **callback_urls;   /* the client's CallbackURLs: redirect_uri must be one, exactly */
  size_t n_callback_urls;
  char **logout_urls; /* the client's LogoutURLs: logout_uri must be one, exactly */
  size_t n_logout_urls;
  char **scopes; /* AllowedOAuthScopes */
  size_t n_scopes;
  char **providers; /* SupportedIdentityProviders ("COGNITO", "Google") */
  size_t n_providers;
  size_t presignup;         /* index of LambdaConfig.PreSignUp's function; n_functions = none */
  bool auto_verified_email; /* the pool's AutoVerifiedAttributes hold email */
} local_config_hosted_ui;

/* An AWS::Scheduler::Schedule: fires input at functions[target] every period_ms. */
typedef struct {
  char *name; /* logical id */
  int64_t period_ms;
  size_t target;
  char *input; /* JSON text */
} local_config_schedule;

typedef struct {
  char *region;
  bool has_authorizer;
  local_config_authorizer authorizer;
  local_config_function *functions;
  size_t n_functions;
  local_config_schedule *schedules;
  size_t n_schedules;
  routes_table routes;
  bool has_hosted_ui;
  local_config_hosted_ui hosted_ui;
} local_config;

/* Parses the routes JSON document text[0..len) into out. Returns MYNT_OK, MYNT_BAD_REQUEST
 * with the reason in detail (may be NULL) when the document is not valid, MYNT_NOMEM.
 * On failure out is left empty (safe to free). */
mynt_status local_config_parse(const char *text, size_t len, local_config *out, mynt_detail *detail);

/* Reads and parses the routes file at path, as local_config_parse; MYNT_IO when it cannot
 * be read. */
mynt_status local_config_load(const char *path, local_config *out, mynt_detail *detail);

/* Frees everything c owns and leaves it empty. */
void local_config_free(local_config *c);

#endif
