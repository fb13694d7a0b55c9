/* hosted_ui.h - the local stand-in for Cognito's hosted UI (/oauth2/authorize, /oauth2/token, /oauth2/revoke, /logout)
 * with a local "Google" page, and the cognito-idp actions moto lacks (AdminLinkProviderForUser, RevokeToken). */
#ifndef MYNT_LOCAL_HOSTED_UI_H
#define MYNT_LOCAL_HOSTED_UI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"
#include "local/gateway/local_config.h"
#include "local/gateway/response.h"

/* The key id of the tokens the stand-in signs (its own RSA key, made at start; see hosted_ui_jwks). */
#define HOSTED_UI_KID "mynt-local-hosted-ui"
/* An authorization code is good for this long (Cognito: five minutes), and once. */
#define HOSTED_UI_CODE_TTL_MS (5 * 60 * 1000)
/* The ID and access tokens' lifetime (the template's IdTokenValidity / AccessTokenValidity: 60 minutes). */
#define HOSTED_UI_TOKEN_TTL_S 3600
/* The page "Choose a Google account" is good for this long before its form is refused. */
#define HOSTED_UI_PENDING_TTL_MS (15 * 60 * 1000)

/* What the stand-in needs from the rest of mynt-local. Both calls may block (they run on the request's thread). */
typedef struct {
  /* Runs the pool's Pre sign-up function on event (JSON text, NUL-terminated) through Lambda's normal path and
   * appends its answer to out_payload. Returns MYNT_OK, or the invocation's failure (function.h's statuses). */
  mynt_status (*presignup)(void *ctx, const char *event, mynt_buf *out_payload);
  /* Sends one cognito-idp JSON call (X-Amz-Target "AWSCognitoIdentityProviderService.<action>") with body to the
   * pool's own endpoint; sets *out_http and appends the answer's body to out_body. Returns MYNT_OK when an answer
   * came (whatever its status), else the transport failure. */
  mynt_status (*cognito)(void *ctx, const char *action, const char *body, long *out_http, mynt_buf *out_body);
  void *ctx;
} hosted_ui_backend;

/* One HTTP request to the stand-in; strings are borrowed. */
typedef struct {
  const char *method;
  const char *path;         /* without the query */
  const char *query;        /* raw query ("" when none) */
  const char *content_type; /* NULL when absent */
  const char *body;
  size_t body_len;
  const char *authorization; /* the Authorization header (cognito-idp actions), NULL when absent */
  const char *target;        /* the X-Amz-Target header (cognito-idp actions), NULL when absent */
  const char *cookie;        /* the Cookie header, NULL when absent (the local Google's remembered account) */
  int64_t now_ms;            /* epoch milliseconds: codes, tokens and pending pages are timed by it */
} hosted_ui_request;

typedef struct hosted_ui hosted_ui;

/* Creates the stand-in for cfg (borrowed: it must outlive the stand-in) in region, with a fresh RSA 2048 signing
 * key. backend is copied; a NULL backend->presignup means the pool has no Pre sign-up trigger. Returns MYNT_OK and *out
 * (free it with hosted_ui_free), MYNT_NOMEM, or MYNT_INTERNAL when no key could be made; *out is NULL on failure. */
mynt_status hosted_ui_new(const local_config_hosted_ui *cfg, const char *region, const hosted_ui_backend *backend,
                          hosted_ui **out);

/* Frees h. Accepts NULL. */
void hosted_ui_free(hosted_ui *h);

/* Returns the public key set {"keys":[{kid HOSTED_UI_KID, ...}]} that verifies the stand-in's tokens (borrowed,
 * lives as long as h): the local authorizer trusts it beside the pool's own (moto's) key set. */
const json_t *hosted_ui_jwks(const hosted_ui *h);

/* Returns true for the paths the stand-in answers: /oauth2/authorize, /oauth2/idpresponse, /oauth2/token,
 * /oauth2/revoke, /logout, /error. */
bool hosted_ui_is_path(const char *path);

/* Returns true when a request to path with the X-Amz-Target value target (may be NULL) is a cognito-idp call for
 * hosted_ui_cognito: a POST to "/" naming AWSCognitoIdentityProviderService. */
bool hosted_ui_is_cognito_call(const char *method, const char *path, const char *target);

/* Returns true when a request to path is a browser's CORS preflight for a cognito-idp call (hosted_ui_cognito answers
 * it): an OPTIONS to "/" whose Access-Control-Request-Headers value request_headers (may be NULL) names X-Amz-Target,
 * as a page on another origin than the endpoint's sends (http://localhost:<port> beside http://127.0.0.1:<port>). */
bool hosted_ui_is_cognito_preflight(const char *method, const char *path, const char *request_headers);

/* Answers a hosted-UI request (hosted_ui_is_path) into r (initialised; what it held is freed) the way Cognito does:
 * pages and redirects for the browser, {"error": ...} JSON from /oauth2/token and /oauth2/revoke (a revoked refresh
 * token is then refused by /oauth2/token with invalid_grant). Safe to call from many threads. Returns MYNT_OK when r
 * holds the answer (an OAuth error is an answer too), MYNT_NOMEM. */
mynt_status hosted_ui_handle(hosted_ui *h, const hosted_ui_request *req, response_http *r);

/* Answers a cognito-idp call (hosted_ui_is_cognito_call) into r: AdminLinkProviderForUser itself (checked like
 * Cognito: SigV4 Authorization for cognito-idp in the region, the pool, the users; the destination must exist in the
 * pool), ListUsers forwarded to the pool's endpoint (with the federated users the stand-in keeps, as Cognito lists
 * them); the web app's public actions (SignUp, InitiateAuth, ...; no AWS credentials) passed to the pool's endpoint,
 * but RevokeToken answered here (moto has none) and a refresh with a revoked refresh token, or a call with an access
 * token issued from one, refused with NotAuthorizedException as Cognito does; any other action refused. Errors are
 * Cognito's {"__type","message"} with 400. The public actions' answers, and the preflight for them
 * (hosted_ui_is_cognito_preflight), allow any origin, as Cognito's endpoint does for browsers. Returns MYNT_OK when r
 * holds the answer, MYNT_NOMEM. */
mynt_status hosted_ui_cognito(hosted_ui *h, const hosted_ui_request *req, response_http *r);

#endif
