/* test_hosted_ui.c - unit tests for mynt-local's hosted-UI stand-in: the authorize/Google page/code/token flow with
 * PKCE, Cognito's token errors, the Pre sign-up trigger linking a Google identity (AdminLinkProviderForUser), ListUsers,
 * revocation (/oauth2/revoke, RevokeToken and the public actions passed to the pool) and /logout; its tokens checked by
 * the local JWT authorizer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "core/b64.h"
#include "core/clock.h"
#include "core/json.h"
#include "local/gateway/authorizer.h"
#include "local/gateway/hosted_ui.h"
#include "local/gateway/jwt.h"
#include "local/gateway/local_config.h"

#define POOL     "us-east-1_abcdef123"
#define CLIENT   "client123"
#define ISSUER   "https://cognito-idp.us-east-1.amazonaws.com/" POOL
#define APP      "http://127.0.0.1:8080/"
#define VERIFIER "verifier-0123456789-0123456789-0123456789-0123456789"
#define SIGV4                                                                                                          \
  "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=ab"
/* The native user of the fake pool (moto names email-username users by their sub). */
#define NATIVE_SUB   "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
#define NATIVE_EMAIL "pat@example.com"

static hosted_ui *s_ui;

/* Calls a cognito-idp action with the given Authorization; returns the answer. */
static response_http s_cognito(const char *action, const char *authorization, const char *body)
{
  char target[128];
  snprintf(target, sizeof(target), "AWSCognitoIdentityProviderService.%s", action);
  hosted_ui_request req = {.method = "POST",
                           .path = "/",
                           .query = "",
                           .content_type = "application/x-amz-json-1.1",
                           .body = body,
                           .body_len = strlen(body),
                           .authorization = authorization,
                           .target = target,
                           .now_ms = clock_epoch_ms()};
  assert_true(hosted_ui_is_cognito_call("POST", "/", target));
  response_http r;
  response_init(&r);
  assert_int_equal(hosted_ui_cognito(s_ui, &req, &r), MYNT_OK);
  return r;
}

/* ---- the fake backend ---------------------------------------------------------------- */

typedef enum { PRESIGNUP_PASS, PRESIGNUP_LINK, PRESIGNUP_FAIL } s_presignup_mode;

static s_presignup_mode s_mode;
static json_t *s_last_event; /* the last Pre sign-up event */
static int s_presignup_calls;
static const char *s_native_status = "CONFIRMED";

static mynt_status s_fake_presignup(void *ctx, const char *event, mynt_buf *out)
{
  (void)ctx;
  s_presignup_calls++;
  json_decref(s_last_event);
  s_last_event = json_loads(event, 0, NULL);
  assert_non_null(s_last_event);
  if(s_mode == PRESIGNUP_FAIL)
    return buf_appends(out, "{\"errorType\":\"Error\",\"errorMessage\":\"boom\"}") ? MYNT_NOMEM : MYNT_INTERNAL;
  if(s_mode == PRESIGNUP_LINK) {
    /* What the presignup function does: link the Google sub to the native user, through the cognito-idp call. */
    const char *username = json_member_string(s_last_event, "userName");
    assert_non_null(username);
    assert_memory_equal(username, "Google_", 7);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"UserPoolId\":\"%s\",\"DestinationUser\":{\"ProviderName\":\"Cognito\",\"ProviderAttributeValue\":"
             "\"%s\"},\"SourceUser\":{\"ProviderName\":\"Google\",\"ProviderAttributeName\":\"Cognito_Subject\","
             "\"ProviderAttributeValue\":\"%s\"}}",
             json_member_string(s_last_event, "userPoolId"), NATIVE_SUB, username + 7);
    response_http r = s_cognito("AdminLinkProviderForUser", SIGV4, body);
    assert_int_equal(r.status, 200);
    response_free(&r);
  }
  json_t *answer = json_deep_copy(s_last_event);
  char *text = json_dumps(answer, JSON_COMPACT);
  mynt_status st = buf_appends(out, text);
  free(text);
  json_decref(answer);
  return st;
}

/* The pool (as moto answers): AdminGetUser knows the native user by its username (the sub) or its email; ListUsers
 * lists it without email_verified, as moto does. Requests are validated. */
/* The pool's refresh tokens (moto's are UUIDs): two of the app client's, one of another client's. */
#define POOL_REFRESH       "6f1c9a52-3f0e-4b8e-9d57-1a2b3c4d5e6f"
#define POOL_REFRESH_2     "7a2d0b63-4a1f-4c9f-8e68-2b3c4d5e6f70"
#define POOL_REFRESH_OTHER "8b3e1c74-5b20-4da0-9f79-3c4d5e6f7081"

static int s_pool_refreshes; /* REFRESH_TOKEN_AUTH calls the pool answered */
static bool s_pool_down;     /* the pool's endpoint cannot be reached */

/* A compact JWT with claims (JSON text) as its payload and a dummy signature (moto's own tokens, as the stand-in reads
 * them: it never trusts them). Caller frees. */
static char *s_fake_jwt(const char *claims)
{
  char payload[1024];
  assert_int_equal(b64_url_encode((const unsigned char *)claims, strlen(claims), payload, sizeof(payload)), MYNT_OK);
  char *jwt = NULL;
  assert_true(asprintf(&jwt, "eyJhbGciOiJSUzI1NiIsImtpZCI6ImR1bW15In0.%s.c2ln", payload) > 0);
  return jwt;
}

/* The origin_jti of the tokens each pool refresh token issues. */
static const char *s_origin_of(const char *token)
{
  return strcmp(token, POOL_REFRESH) == 0 ? "origin-1" : strcmp(token, POOL_REFRESH_2) == 0 ? "origin-2" : "origin-3";
}

/* InitiateAuth with REFRESH_TOKEN_AUTH as moto answers it: tokens whose ID token names the refresh token's client. */
static mynt_status s_fake_refresh(const json_t *req, long *out_http, mynt_buf *out)
{
  assert_string_equal(json_member_string(req, "ClientId"), CLIENT);
  assert_string_equal(json_member_string(req, "AuthFlow"), "REFRESH_TOKEN_AUTH");
  const char *token = json_member_string(json_object_get(req, "AuthParameters"), "REFRESH_TOKEN");
  assert_non_null(token);
  s_pool_refreshes++;
  bool known =
    strcmp(token, POOL_REFRESH) == 0 || strcmp(token, POOL_REFRESH_2) == 0 || strcmp(token, POOL_REFRESH_OTHER) == 0;
  if(!known) {
    *out_http = 400;
    return buf_appends(out, "{\"__type\":\"NotAuthorizedException\",\"message\":\"Refresh Token has been revoked\"}");
  }
  char claims[256];
  snprintf(claims, sizeof(claims), "{\"aud\":\"%s\",\"token_use\":\"id\",\"origin_jti\":\"%s\"}",
           strcmp(token, POOL_REFRESH_OTHER) == 0 ? "otherclient" : CLIENT, s_origin_of(token));
  char *id = s_fake_jwt(claims);
  snprintf(claims, sizeof(claims), "{\"client_id\":\"%s\",\"token_use\":\"access\",\"origin_jti\":\"%s\"}",
           strcmp(token, POOL_REFRESH_OTHER) == 0 ? "otherclient" : CLIENT, s_origin_of(token));
  char *access = s_fake_jwt(claims);
  *out_http = 200;
  mynt_status st = buf_appendf(out,
                               "{\"AuthenticationResult\":{\"IdToken\":\"%s\",\"AccessToken\":\"%s\","
                               "\"ExpiresIn\":3600,\"TokenType\":\"Bearer\"}}",
                               id, access);
  free(id);
  free(access);
  return st;
}

static mynt_status s_fake_cognito(void *ctx, const char *action, const char *body, long *out_http, mynt_buf *out)
{
  (void)ctx;
  if(s_pool_down)
    return MYNT_IO;
  json_t *req = json_loads(body, 0, NULL);
  assert_non_null(req);
  mynt_status st;
  if(strcmp(action, "InitiateAuth") == 0) {
    st = s_fake_refresh(req, out_http, out);
    json_decref(req);
    return st;
  }
  if(strcmp(action, "GetUser") == 0) {
    assert_non_null(json_member_string(req, "AccessToken"));
    *out_http = 200;
    json_decref(req);
    return buf_appends(out, "{\"Username\":\"" NATIVE_SUB "\",\"UserAttributes\":[]}");
  }
  assert_string_equal(json_member_string(req, "UserPoolId"), POOL);
  if(strcmp(action, "AdminGetUser") == 0) {
    const char *user = json_member_string(req, "Username");
    assert_non_null(user);
    if(strcmp(user, NATIVE_SUB) == 0 || strcmp(user, NATIVE_EMAIL) == 0) {
      *out_http = 200;
      st = buf_appends(out, "{\"Username\":\"" NATIVE_SUB
                            "\",\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"" NATIVE_EMAIL
                            "\"},{\"Name\":\"sub\",\"Value\":\"" NATIVE_SUB "\"}],\"UserStatus\":\"CONFIRMED\"}");
    }
    else {
      *out_http = 400;
      st = buf_appends(out, "{\"__type\":\"UserNotFoundException\",\"message\":\"User does not exist.\"}");
    }
  }
  else {
    assert_string_equal(action, "ListUsers");
    *out_http = 200;
    st = buf_appendf(out,
                     "{\"Users\":[{\"Username\":\"" NATIVE_SUB
                     "\",\"Attributes\":[{\"Name\":\"email\",\"Value\":\"" NATIVE_EMAIL
                     "\"},{\"Name\":\"sub\",\"Value\":\"" NATIVE_SUB "\"}],\"Enabled\":true,\"UserStatus\":\"%s\"}]}",
                     s_native_status);
  }
  json_decref(req);
  return st;
}

static char *s_callbacks[] = {APP, "http://localhost:8080/"};
static char *s_logouts[] = {APP};
static char *s_scopes[] = {"openid", "email", "profile"};
static char *s_providers[] = {"COGNITO", "Google"};
static local_config_hosted_ui s_cfg = {
  .user_pool_id = POOL,
  .client_id = CLIENT,
  .issuer = ISSUER,
  .cognito_endpoint = "http://127.0.0.1:1",
  .callback_urls = s_callbacks,
  .n_callback_urls = 2,
  .logout_urls = s_logouts,
  .n_logout_urls = 1,
  .scopes = s_scopes,
  .n_scopes = 3,
  .providers = s_providers,
  .n_providers = 2,
  .auto_verified_email = true,
};

static int s_setup(void **state)
{
  (void)state;
  s_mode = PRESIGNUP_PASS;
  s_presignup_calls = 0;
  s_native_status = "CONFIRMED";
  s_pool_refreshes = 0;
  s_pool_down = false;
  hosted_ui_backend backend = {.presignup = s_fake_presignup, .cognito = s_fake_cognito};
  return hosted_ui_new(&s_cfg, "us-east-1", &backend, &s_ui) == MYNT_OK ? 0 : -1;
}

static int s_teardown(void **state)
{
  (void)state;
  hosted_ui_free(s_ui);
  s_ui = NULL;
  json_decref(s_last_event);
  s_last_event = NULL;
  return 0;
}

/* ---- driving the stand-in -------------------------------------------------------------- */

static const char *s_header(const response_http *r, const char *name)
{
  for(size_t i = 0; i < r->n_headers; i++)
    if(strcasecmp(r->headers[i].name, name) == 0)
      return r->headers[i].value;
  return NULL;
}

/* Answers one request; returns the answer (caller response_free). */
static response_http s_call(const char *method, const char *path, const char *query, const char *content_type,
                            const char *body, int64_t now_ms)
{
  hosted_ui_request req = {.method = method,
                           .path = path,
                           .query = query ? query : "",
                           .content_type = content_type,
                           .body = body,
                           .body_len = body ? strlen(body) : 0,
                           .now_ms = now_ms};
  response_http r;
  response_init(&r);
  assert_int_equal(hosted_ui_handle(s_ui, &req, &r), MYNT_OK);
  return r;
}

/* The S256 challenge of VERIFIER. */
static void s_challenge(char out[48])
{
  unsigned char digest[32];
  unsigned int n = 0;
  assert_int_equal(EVP_Digest(VERIFIER, strlen(VERIFIER), digest, &n, EVP_sha256(), NULL), 1);
  assert_int_equal(b64_url_encode(digest, 32, out, 48), MYNT_OK);
}

/* Returns the value of name in the Location's query (malloc'd), or NULL. */
static char *s_location_param(const response_http *r, const char *name)
{
  const char *loc = s_header(r, "Location");
  assert_non_null(loc);
  const char *q = strchr(loc, '?');
  if(!q)
    return NULL;
  char key[64];
  snprintf(key, sizeof(key), "%s=", name);
  for(const char *p = q + 1; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
    if(strncmp(p, key, strlen(key)) == 0) {
      size_t n = strcspn(p + strlen(key), "&");
      char *raw = strndup(p + strlen(key), n), *out = malloc(n + 1);
      size_t k = 0;
      for(size_t i = 0; i < n; i++) {
        if(raw[i] == '%' && i + 2 < n + 1) {
          char hex[3] = {raw[i + 1], raw[i + 2], 0};
          out[k++] = (char)strtol(hex, NULL, 16);
          i += 2;
        }
        else
          out[k++] = raw[i];
      }
      out[k] = '\0';
      free(raw);
      return out;
    }
  }
  return NULL;
}

/* GET /oauth2/authorize for Google with PKCE; returns the page's request id (malloc'd). */
static char *s_authorize(int64_t now_ms)
{
  char challenge[48], query[1024];
  s_challenge(challenge);
  snprintf(query, sizeof(query),
           "response_type=code&client_id=" CLIENT "&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A8080%%2F"
           "&identity_provider=Google&scope=openid+email+profile&state=st-1&code_challenge=%s"
           "&code_challenge_method=S256",
           challenge);
  response_http r = s_call("GET", "/oauth2/authorize", query, NULL, NULL, now_ms);
  assert_int_equal(r.status, 200);
  const char *page = buf_cstr(&r.body);
  assert_non_null(strstr(page, "Choose a Google account"));
  assert_non_null(strstr(page, "stand-in"));
  assert_non_null(strstr(page, "<label for=\"google-email\">Email</label>"));
  assert_non_null(s_header(&r, "Content-Security-Policy"));
  const char *v = strstr(page, "name=\"request\" value=\"");
  assert_non_null(v);
  v += strlen("name=\"request\" value=\"");
  char *id = strndup(v, strcspn(v, "\""));
  response_free(&r);
  return id;
}

/* Picks email on the Google page; returns the answer (the redirect back to the app). */
static response_http s_choose(const char *id, const char *email, int64_t now_ms)
{
  char body[512];
  snprintf(body, sizeof(body), "request=%s&email=%s&name=Pat+Doe", id, email);
  return s_call("POST", "/oauth2/idpresponse", NULL, "application/x-www-form-urlencoded", body, now_ms);
}

/* A first sign-in as email with the trigger in mode: the answer to the Google page's form. */
static response_http s_first_sign_in(const char *email, s_presignup_mode mode)
{
  s_mode = mode;
  int64_t now = clock_epoch_ms();
  char *id = s_authorize(now);
  response_http r = s_choose(id, email, now);
  free(id);
  s_mode = PRESIGNUP_PASS;
  return r;
}

/* Signs in as email up to the code; returns it (malloc'd). */
static char *s_code_for(const char *email, int64_t now_ms)
{
  char *id = s_authorize(now_ms);
  response_http r = s_choose(id, email, now_ms);
  free(id);
  assert_int_equal(r.status, 302);
  assert_memory_equal(s_header(&r, "Location"), APP "?", strlen(APP) + 1);
  char *state = s_location_param(&r, "state");
  assert_string_equal(state, "st-1");
  free(state);
  char *code = s_location_param(&r, "code");
  assert_non_null(code);
  response_free(&r);
  return code;
}

/* POSTs the code to /oauth2/token. */
static response_http s_exchange(const char *client, const char *code, const char *redirect, const char *verifier,
                                int64_t now_ms)
{
  char body[1024];
  snprintf(body, sizeof(body), "grant_type=authorization_code&client_id=%s&code=%s&redirect_uri=%s%s%s", client, code,
           redirect, verifier ? "&code_verifier=" : "", verifier ? verifier : "");
  return s_call("POST", "/oauth2/token", NULL, "application/x-www-form-urlencoded", body, now_ms);
}

static void s_expect_token_error(response_http *r, const char *error)
{
  assert_int_equal(r->status, 400);
  json_t *doc = json_loads(buf_cstr(&r->body), 0, NULL);
  assert_string_equal(json_member_string(doc, "error"), error);
  json_decref(doc);
  response_free(r);
}

#define ENC_APP "http%3A%2F%2F127.0.0.1%3A8080%2F"

/* Checks token with the local JWT authorizer (the pool's own key set unreachable: the stand-in's key is trusted). */
static json_t *s_authorize_token(const char *token)
{
  char *audiences[] = {CLIENT};
  local_config_authorizer cfg = {.issuer = ISSUER,
                                 .audiences = audiences,
                                 .n_audiences = 1,
                                 .jwks_url = "http://127.0.0.1:1/" POOL "/.well-known/jwks.json"};
  authorizer *a = NULL;
  assert_int_equal(authorizer_new(&cfg, 10000, &a), MYNT_OK);
  authorizer_trust_keys(a, hosted_ui_jwks(s_ui));
  char header[20000];
  snprintf(header, sizeof(header), "Bearer %s", token);
  json_t *claims = NULL;
  assert_int_equal(authorizer_check(a, header, &claims), MYNT_OK);
  authorizer_free(a);
  return claims;
}

/* Exchanges a fresh code for email and returns the ID token's claims as the authorizer saw them. */
static json_t *s_sign_in(const char *email, char **out_refresh)
{
  int64_t now = clock_epoch_ms();
  char *code = s_code_for(email, now);
  response_http r = s_exchange(CLIENT, code, ENC_APP, VERIFIER, now);
  free(code);
  assert_int_equal(r.status, 200);
  json_t *doc = json_loads(buf_cstr(&r.body), 0, NULL);
  assert_non_null(doc);
  assert_string_equal(json_member_string(doc, "token_type"), "Bearer");
  assert_int_equal(json_integer_value(json_object_get(doc, "expires_in")), HOSTED_UI_TOKEN_TTL_S);
  assert_non_null(json_member_string(doc, "access_token"));
  json_t *claims = s_authorize_token(json_member_string(doc, "id_token"));
  json_t *access = s_authorize_token(json_member_string(doc, "access_token"));
  assert_string_equal(json_member_string(access, "token_use"), "access");
  assert_string_equal(json_member_string(access, "client_id"), CLIENT);
  assert_string_equal(json_member_string(access, "sub"), json_member_string(claims, "sub"));
  json_decref(access);
  if(out_refresh)
    *out_refresh = strdup(json_member_string(doc, "refresh_token"));
  json_decref(doc);
  response_free(&r);
  return claims;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_hosted_ui_new_google_identity_signs_in_with_tokens_the_authorizer_accepts(void **state)
{
  (void)state;
  json_t *claims = s_sign_in("new.person@example.com", NULL);
  const char *username = json_member_string(claims, "cognito:username");
  assert_memory_equal(username, "Google_", 7);
  assert_int_equal(strlen(username), 7 + 21);
  assert_string_equal(json_member_string(claims, "iss"), ISSUER);
  assert_string_equal(json_member_string(claims, "aud"), CLIENT);
  assert_string_equal(json_member_string(claims, "token_use"), "id");
  assert_string_equal(json_member_string(claims, "email"), "new.person@example.com");
  assert_string_equal(json_member_string(claims, "name"), "Pat Doe");
  const json_t *id = json_array_get(json_object_get(claims, "identities"), 0);
  assert_string_equal(json_member_string(id, "providerName"), "Google");
  assert_string_equal(json_member_string(id, "userId"), username + 7);
  assert_string_equal(json_member_string(id, "primary"), "true");
  assert_int_equal(strlen(json_member_string(claims, "sub")), 36);

  /* The Pre sign-up trigger ran once, with the event Cognito sends for a federated first sign-in. */
  assert_int_equal(s_presignup_calls, 1);
  assert_string_equal(json_member_string(s_last_event, "triggerSource"), "PreSignUp_ExternalProvider");
  assert_string_equal(json_member_string(s_last_event, "userName"), username);
  assert_string_equal(json_member_string(s_last_event, "userPoolId"), POOL);
  assert_string_equal(json_member_string(s_last_event, "version"), "1");
  const json_t *attrs = json_object_get(json_object_get(s_last_event, "request"), "userAttributes");
  assert_string_equal(json_member_string(attrs, "email"), "new.person@example.com");
  assert_true(json_is_false(json_object_get(json_object_get(s_last_event, "response"), "autoConfirmUser")));

  /* Signing in again (any case of the address) is the same user, and the trigger does not run again. */
  json_t *again = s_sign_in("New.Person@Example.com", NULL);
  assert_string_equal(json_member_string(again, "sub"), json_member_string(claims, "sub"));
  assert_string_equal(json_member_string(again, "cognito:username"), username);
  assert_int_equal(s_presignup_calls, 1);
  json_decref(again);
  json_decref(claims);
}

static void test_hosted_ui_refuses_a_verifier_that_does_not_match_and_uses_the_code_up(void **state)
{
  (void)state;
  int64_t now = clock_epoch_ms();
  char *code = s_code_for("a@example.com", now);
  response_http r = s_exchange(CLIENT, code, ENC_APP, "wrong-verifier-0123456789-0123456789-0123456789-01", now);
  s_expect_token_error(&r, "invalid_grant");
  r = s_exchange(CLIENT, code, ENC_APP, VERIFIER, now);
  s_expect_token_error(&r, "invalid_grant"); /* the code went with the failed attempt */
  free(code);

  code = s_code_for("a@example.com", now);
  r = s_exchange(CLIENT, code, ENC_APP, NULL, now);
  s_expect_token_error(&r, "invalid_request"); /* a PKCE code without its verifier */
  free(code);
}

static void test_hosted_ui_code_works_once(void **state)
{
  (void)state;
  int64_t now = clock_epoch_ms();
  char *code = s_code_for("b@example.com", now);
  response_http r = s_exchange(CLIENT, code, ENC_APP, VERIFIER, now);
  assert_int_equal(r.status, 200);
  assert_string_equal(s_header(&r, "Cache-Control"), "no-store");
  response_free(&r);
  r = s_exchange(CLIENT, code, ENC_APP, VERIFIER, now);
  s_expect_token_error(&r, "invalid_grant");
  free(code);
}

static void test_hosted_ui_refuses_wrong_redirect_uri_client_and_grant(void **state)
{
  (void)state;
  int64_t now = clock_epoch_ms();
  char *code = s_code_for("c@example.com", now);
  response_http r = s_exchange(CLIENT, code, "http%3A%2F%2Flocalhost%3A8080%2F", VERIFIER, now);
  s_expect_token_error(&r, "invalid_grant"); /* registered, but not the one the code was issued for */
  free(code);

  code = s_code_for("c@example.com", now);
  r = s_exchange("someone-else", code, ENC_APP, VERIFIER, now);
  s_expect_token_error(&r, "invalid_client");
  r = s_exchange(CLIENT, code, ENC_APP, VERIFIER, now);
  assert_int_equal(r.status, 200); /* a request for an unknown client does not use the code */
  response_free(&r);
  free(code);

  r = s_call("POST", "/oauth2/token", NULL, "application/x-www-form-urlencoded",
             "grant_type=password&client_id=" CLIENT, now);
  s_expect_token_error(&r, "unsupported_grant_type");
  r = s_call("POST", "/oauth2/token", NULL, "application/json", "{}", now);
  s_expect_token_error(&r, "invalid_request");
  r = s_call("POST", "/oauth2/token", NULL, "application/x-www-form-urlencoded",
             "grant_type=authorization_code&client_id=" CLIENT "&client_id=" CLIENT "&code=x", now);
  s_expect_token_error(&r, "invalid_request"); /* a parameter given twice */
}

static void test_hosted_ui_code_expires(void **state)
{
  (void)state;
  int64_t now = clock_epoch_ms();
  char *code = s_code_for("d@example.com", now);
  response_http r = s_exchange(CLIENT, code, ENC_APP, VERIFIER, now + HOSTED_UI_CODE_TTL_MS + 1);
  s_expect_token_error(&r, "invalid_grant");
  free(code);
  code = s_code_for("d@example.com", now);
  r = s_exchange(CLIENT, code, ENC_APP, VERIFIER, now + HOSTED_UI_CODE_TTL_MS - 1000);
  assert_int_equal(r.status, 200);
  response_free(&r);
  free(code);
}

static void test_hosted_ui_authorize_checks_client_redirect_uri_and_pkce(void **state)
{
  (void)state;
  int64_t now = clock_epoch_ms();
  response_http r = s_call("GET", "/oauth2/authorize",
                           "response_type=code&client_id=" CLIENT "&redirect_uri=https%3A%2F%2Fevil.example%2F"
                           "&identity_provider=Google&state=s",
                           NULL, NULL, now);
  assert_int_equal(r.status, 302);
  assert_string_equal(s_header(&r, "Location"), "/error?error=redirect_mismatch"); /* never sent to evil.example */
  response_free(&r);
  r = s_call("GET", "/oauth2/authorize",
             "response_type=code&client_id=nobody&redirect_uri=" ENC_APP "&identity_provider=Google", NULL, NULL, now);
  assert_int_equal(r.status, 302);
  assert_string_equal(s_header(&r, "Location"), "/error?error=invalid_request");
  response_free(&r);
  r = s_call("GET", "/oauth2/authorize",
             "response_type=code&client_id=" CLIENT "&redirect_uri=" ENC_APP
             "&identity_provider=Google&state=s9&code_challenge=abc&code_challenge_method=plain",
             NULL, NULL, now);
  assert_int_equal(r.status, 302);
  char *error = s_location_param(&r, "error"), *st = s_location_param(&r, "state");
  assert_string_equal(error, "invalid_request");
  assert_string_equal(st, "s9");
  free(error);
  free(st);
  response_free(&r);
  r = s_call("GET", "/oauth2/authorize",
             "response_type=code&client_id=" CLIENT "&redirect_uri=" ENC_APP "&identity_provider=Google&scope=admin",
             NULL, NULL, now);
  error = s_location_param(&r, "error");
  assert_string_equal(error, "invalid_scope");
  free(error);
  response_free(&r);

  /* The Google page refuses an address that is not one, and keeps the request. */
  char *id = s_authorize(now);
  r = s_choose(id, "not-an-email", now);
  assert_int_equal(r.status, 400);
  assert_non_null(strstr(buf_cstr(&r.body), "role=\"alert\""));
  assert_non_null(strstr(buf_cstr(&r.body), id));
  response_free(&r);
  r = s_choose(id, "fine@example.com", now);
  assert_int_equal(r.status, 302);
  response_free(&r);
  r = s_choose(id, "fine@example.com", now); /* the page's request is used up */
  assert_int_equal(r.status, 400);
  response_free(&r);
  free(id);
}

static void test_hosted_ui_linked_identity_fails_once_then_signs_in_as_the_existing_user(void **state)
{
  (void)state;
  response_http r = s_first_sign_in(NATIVE_EMAIL, PRESIGNUP_LINK);
  assert_int_equal(r.status, 302);
  char *error = s_location_param(&r, "error"), *why = s_location_param(&r, "error_description");
  char *code = s_location_param(&r, "code");
  assert_string_equal(error, "invalid_request");
  assert_non_null(strstr(why, "Already found an entry for username Google_"));
  assert_null(code);
  free(error);
  free(why);
  response_free(&r);

  json_t *claims = s_sign_in(NATIVE_EMAIL, NULL);
  assert_string_equal(json_member_string(claims, "sub"), NATIVE_SUB);
  assert_string_equal(json_member_string(claims, "cognito:username"), NATIVE_SUB);
  assert_string_equal(json_member_string(claims, "email"), NATIVE_EMAIL);
  const json_t *identity = json_array_get(json_object_get(claims, "identities"), 0);
  assert_string_equal(json_member_string(identity, "providerName"), "Google");
  assert_string_equal(json_member_string(identity, "primary"), "false");
  assert_int_equal(s_presignup_calls, 1); /* not a first sign-in any more */
  json_decref(claims);
}

static void test_hosted_ui_trigger_failure_is_reported_to_the_app(void **state)
{
  (void)state;
  response_http r = s_first_sign_in("e@example.com", PRESIGNUP_FAIL);
  char *why = s_location_param(&r, "error_description");
  assert_string_equal(why, "PreSignUp failed with error boom.");
  free(why);
  response_free(&r);
  json_t *claims = s_sign_in("e@example.com", NULL); /* no user was made: the next try is a first sign-in */
  assert_int_equal(s_presignup_calls, 2);
  json_decref(claims);
}

static void s_expect_cognito_error(response_http *r, const char *type)
{
  assert_int_equal(r->status, 400);
  json_t *doc = json_loads(buf_cstr(&r->body), 0, NULL);
  assert_string_equal(json_member_string(doc, "__type"), type);
  assert_non_null(json_member_string(doc, "message"));
  json_decref(doc);
  response_free(r);
}

static void test_hosted_ui_admin_link_provider_for_user_is_validated_like_cognito(void **state)
{
  (void)state;
  static const char good[] = "{\"UserPoolId\":\"" POOL "\",\"DestinationUser\":{\"ProviderName\":\"Cognito\","
                             "\"ProviderAttributeValue\":\"" NATIVE_SUB "\"},\"SourceUser\":{\"ProviderName\":"
                             "\"Google\",\"ProviderAttributeName\":\"Cognito_Subject\",\"ProviderAttributeValue\":"
                             "\"123456789012345678901\"}}";
  response_http r = s_cognito("AdminLinkProviderForUser", NULL, good);
  s_expect_cognito_error(&r, "MissingAuthenticationTokenException");
  r = s_cognito("AdminLinkProviderForUser",
                "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, "
                "Signature=ab",
                good);
  s_expect_cognito_error(&r, "InvalidSignatureException");
  r = s_cognito("AdminLinkProviderForUser", SIGV4, "{\"UserPoolId\":\"" POOL "\"}");
  s_expect_cognito_error(&r, "InvalidParameterException");
  char other[1024];
  snprintf(other, sizeof(other), "%s", good);
  memcpy(strstr(other, POOL), "us-east-1_zzzzzz999", strlen(POOL));
  r = s_cognito("AdminLinkProviderForUser", SIGV4, other);
  s_expect_cognito_error(&r, "ResourceNotFoundException");
  snprintf(other, sizeof(other), "%s", good);
  memcpy(strstr(other, NATIVE_SUB), "ffffffff", 8);
  r = s_cognito("AdminLinkProviderForUser", SIGV4, other);
  s_expect_cognito_error(&r, "UserNotFoundException");
  r = s_cognito("AdminDeleteUser", SIGV4, good);
  s_expect_cognito_error(&r, "UnknownOperationException");

  r = s_cognito("AdminLinkProviderForUser", SIGV4, good);
  assert_int_equal(r.status, 200);
  assert_string_equal(buf_cstr(&r.body), "{}");
  response_free(&r);
}

static void test_hosted_ui_list_users_reads_the_pool_as_cognito_shows_it(void **state)
{
  (void)state;
  json_t *claims = s_sign_in(NATIVE_EMAIL, NULL); /* no link: a federated user with the same address */
  json_decref(claims);
  response_http r =
    s_cognito("ListUsers", SIGV4, "{\"UserPoolId\":\"" POOL "\",\"Filter\":\"email = \\\"" NATIVE_EMAIL "\\\"\"}");
  assert_int_equal(r.status, 200);
  json_t *doc = json_loads(buf_cstr(&r.body), 0, NULL);
  const json_t *users = json_object_get(doc, "Users");
  assert_int_equal(json_array_size(users), 2);
  const json_t *native = json_array_get(users, 0), *federated = json_array_get(users, 1);
  assert_string_equal(json_member_string(native, "UserStatus"), "CONFIRMED");
  bool verified = false;
  size_t i;
  const json_t *a;
  json_array_foreach(json_object_get(native, "Attributes"), i, a)
    verified = verified || (strcmp(json_member_string(a, "Name"), "email_verified") == 0 &&
                            strcmp(json_member_string(a, "Value"), "true") == 0);
  assert_true(verified);
  assert_string_equal(json_member_string(federated, "UserStatus"), "EXTERNAL_PROVIDER");
  assert_memory_equal(json_member_string(federated, "Username"), "Google_", 7);
  json_decref(doc);
  response_free(&r);

  s_native_status = "UNCONFIRMED"; /* an unconfirmed user's address is not verified */
  r = s_cognito("ListUsers", SIGV4, "{\"UserPoolId\":\"" POOL "\"}");
  assert_int_equal(r.status, 200);
  assert_null(strstr(buf_cstr(&r.body), "email_verified\",\"Value\":\"true"));
  response_free(&r);
}

static void test_hosted_ui_refresh_token_gives_new_tokens(void **state)
{
  (void)state;
  char *refresh = NULL;
  json_t *claims = s_sign_in("f@example.com", &refresh);
  char body[512];
  snprintf(body, sizeof(body), "grant_type=refresh_token&client_id=" CLIENT "&refresh_token=%s", refresh);
  response_http r = s_call("POST", "/oauth2/token", NULL, "application/x-www-form-urlencoded", body, clock_epoch_ms());
  assert_int_equal(r.status, 200);
  json_t *doc = json_loads(buf_cstr(&r.body), 0, NULL);
  assert_null(json_object_get(doc, "refresh_token"));
  json_t *again = s_authorize_token(json_member_string(doc, "id_token"));
  assert_string_equal(json_member_string(again, "sub"), json_member_string(claims, "sub"));
  json_decref(again);
  json_decref(doc);
  response_free(&r);
  r = s_call("POST", "/oauth2/token", NULL, "application/x-www-form-urlencoded",
             "grant_type=refresh_token&client_id=" CLIENT "&refresh_token=forged", clock_epoch_ms());
  s_expect_token_error(&r, "invalid_grant");
  free(refresh);
  json_decref(claims);
}

/* POSTs a form to /oauth2/revoke. */
static response_http s_revoke_form(const char *body)
{
  return s_call("POST", "/oauth2/revoke", NULL, "application/x-www-form-urlencoded", body, clock_epoch_ms());
}

/* The stand-in's refresh of refresh at /oauth2/token: the answer's status (200, or 400 invalid_grant checked). */
static int s_refresh_status(const char *refresh)
{
  char body[512];
  snprintf(body, sizeof(body), "grant_type=refresh_token&client_id=" CLIENT "&refresh_token=%s", refresh);
  response_http r = s_call("POST", "/oauth2/token", NULL, "application/x-www-form-urlencoded", body, clock_epoch_ms());
  int status = r.status;
  if(status == 200)
    response_free(&r);
  else
    s_expect_token_error(&r, "invalid_grant");
  return status;
}

static void s_expect_revoked_answer(response_http *r)
{
  assert_int_equal(r->status, 200);
  assert_int_equal(r->body.len, 0);
  response_free(r);
}

static void test_hosted_ui_revoke_endpoint_ends_that_refresh_token_only_and_is_idempotent(void **state)
{
  (void)state;
  char *refresh = NULL, *other = NULL;
  json_decref(s_sign_in("r@example.com", &refresh));
  json_decref(s_sign_in("r@example.com", &other)); /* the same person on another device */
  char body[512];
  snprintf(body, sizeof(body), "token=%s&client_id=" CLIENT, refresh);
  response_http r = s_revoke_form(body);
  assert_string_equal(s_header(&r, "Access-Control-Allow-Origin"), "*");
  s_expect_revoked_answer(&r);
  assert_int_equal(s_refresh_status(refresh), 400);
  assert_int_equal(s_refresh_status(other), 200);
  r = s_revoke_form(body); /* again: nothing left to revoke, the same answer */
  s_expect_revoked_answer(&r);
  assert_int_equal(s_refresh_status(refresh), 400);
  free(refresh);
  free(other);
}

static void test_hosted_ui_revoke_endpoint_refuses_what_cognito_refuses(void **state)
{
  (void)state;
  char *refresh = NULL;
  json_decref(s_sign_in("v@example.com", &refresh));
  char body[512];
  response_http r = s_revoke_form("client_id=" CLIENT);
  s_expect_token_error(&r, "invalid_request");
  snprintf(body, sizeof(body), "token=%s&token=%s&client_id=" CLIENT, refresh, refresh);
  r = s_revoke_form(body);
  s_expect_token_error(&r, "invalid_request");
  snprintf(body, sizeof(body), "token=%s", refresh);
  r = s_revoke_form(body);
  assert_int_equal(r.status, 401);
  assert_string_equal(buf_cstr(&r.body), "{\"error\":\"invalid_client\"}");
  response_free(&r);
  snprintf(body, sizeof(body), "token=%s&client_id=otherclient", refresh);
  r = s_revoke_form(body);
  assert_int_equal(r.status, 401);
  response_free(&r);
  snprintf(body, sizeof(body), "token=%s&client_id=" CLIENT, refresh);
  r = s_call("POST", "/oauth2/revoke", NULL, "application/json", body, clock_epoch_ms());
  s_expect_token_error(&r, "invalid_request");
  r = s_call("GET", "/oauth2/revoke", body, NULL, NULL, clock_epoch_ms());
  assert_int_equal(r.status, 405);
  response_free(&r);
  /* an ID token is not a refresh token */
  r = s_revoke_form("token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln&client_id=" CLIENT);
  s_expect_token_error(&r, "unsupported_token_type");
  /* an unknown token: nothing to revoke, answered as revoked */
  r = s_revoke_form("token=not-a-token-we-issued&client_id=" CLIENT);
  s_expect_revoked_answer(&r);
  assert_int_equal(s_refresh_status(refresh), 200); /* none of the refused requests revoked it */
  free(refresh);
}

static void test_hosted_ui_revoke_token_ends_a_pool_refresh_token_and_its_access_tokens(void **state)
{
  (void)state;
  static const char refresh[] = "{\"ClientId\":\"" CLIENT "\",\"AuthFlow\":\"REFRESH_TOKEN_AUTH\","
                                "\"AuthParameters\":{\"REFRESH_TOKEN\":\"" POOL_REFRESH "\"}}";
  response_http r = s_cognito("InitiateAuth", NULL, refresh); /* the web app's refresh, passed to the pool */
  assert_int_equal(r.status, 200);
  json_t *doc = json_loads(buf_cstr(&r.body), 0, NULL);
  char access[2048], get_user[2200];
  json_member_copy(json_object_get(doc, "AuthenticationResult"), "AccessToken", access, sizeof(access));
  json_decref(doc);
  response_free(&r);
  snprintf(get_user, sizeof(get_user), "{\"AccessToken\":\"%s\"}", access);
  r = s_cognito("GetUser", NULL, get_user);
  assert_int_equal(r.status, 200);
  response_free(&r);
  assert_int_equal(s_pool_refreshes, 1);

  r = s_cognito("RevokeToken", NULL, "{\"ClientId\":\"" CLIENT "\",\"Token\":\"" POOL_REFRESH "\"}");
  s_expect_revoked_answer(&r);
  assert_int_equal(s_pool_refreshes, 2); /* the token was confirmed with the pool */
  r = s_cognito("InitiateAuth", NULL, refresh);
  s_expect_cognito_error(&r, "NotAuthorizedException");
  r = s_cognito("GetUser", NULL, get_user);
  s_expect_cognito_error(&r, "NotAuthorizedException");
  assert_int_equal(s_pool_refreshes, 2); /* refused here, not passed on */
  r = s_cognito("RevokeToken", NULL, "{\"ClientId\":\"" CLIENT "\",\"Token\":\"" POOL_REFRESH "\"}");
  s_expect_revoked_answer(&r);
  assert_int_equal(s_pool_refreshes, 2);

  /* another session of the pool's keeps working; the hosted UI's endpoint revokes pool tokens too */
  static const char refresh_2[] = "{\"ClientId\":\"" CLIENT "\",\"AuthFlow\":\"REFRESH_TOKEN_AUTH\","
                                  "\"AuthParameters\":{\"REFRESH_TOKEN\":\"" POOL_REFRESH_2 "\"}}";
  r = s_cognito("InitiateAuth", NULL, refresh_2);
  assert_int_equal(r.status, 200);
  response_free(&r);
  r = s_revoke_form("token=" POOL_REFRESH_2 "&client_id=" CLIENT);
  s_expect_revoked_answer(&r);
  r = s_cognito("InitiateAuth", NULL, refresh_2);
  s_expect_cognito_error(&r, "NotAuthorizedException");

  /* another client's token is not this client's to revoke */
  r = s_cognito("RevokeToken", NULL, "{\"ClientId\":\"" CLIENT "\",\"Token\":\"" POOL_REFRESH_OTHER "\"}");
  s_expect_revoked_answer(&r);
  int before = s_pool_refreshes;
  r = s_cognito("InitiateAuth", NULL,
                "{\"ClientId\":\"" CLIENT "\",\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"AuthParameters\":{"
                "\"REFRESH_TOKEN\":\"" POOL_REFRESH_OTHER "\"}}");
  assert_int_equal(r.status, 200);
  response_free(&r);
  assert_int_equal(s_pool_refreshes, before + 1);
}

static void test_hosted_ui_public_actions_answer_browsers_of_another_origin(void **state)
{
  (void)state;
  assert_true(hosted_ui_is_cognito_preflight("OPTIONS", "/", "content-type,X-Amz-Target"));
  assert_false(hosted_ui_is_cognito_preflight("OPTIONS", "/", "content-type"));
  assert_false(hosted_ui_is_cognito_preflight("OPTIONS", "/items", "x-amz-target"));
  assert_false(hosted_ui_is_cognito_preflight("GET", "/", "x-amz-target"));
  assert_false(hosted_ui_is_cognito_preflight("OPTIONS", "/", NULL));
  hosted_ui_request req = {.method = "OPTIONS", .path = "/", .query = "", .now_ms = clock_epoch_ms()};
  response_http r;
  response_init(&r);
  assert_int_equal(hosted_ui_cognito(s_ui, &req, &r), MYNT_OK);
  assert_int_equal(r.status, 200);
  assert_string_equal(s_header(&r, "Access-Control-Allow-Origin"), "*");
  assert_non_null(strstr(s_header(&r, "Access-Control-Allow-Headers"), "x-amz-target"));
  response_free(&r);
  r = s_cognito("RevokeToken", NULL, "{\"ClientId\":\"" CLIENT "\",\"Token\":\"" POOL_REFRESH "\"}");
  assert_string_equal(s_header(&r, "Access-Control-Allow-Origin"), "*");
  s_expect_revoked_answer(&r);
  r = s_cognito("InitiateAuth", NULL,
                "{\"ClientId\":\"" CLIENT "\",\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"AuthParameters\":{"
                "\"REFRESH_TOKEN\":\"" POOL_REFRESH "\"}}");
  assert_string_equal(s_header(&r, "Access-Control-Allow-Origin"), "*"); /* a refusal too, or the page cannot read it */
  s_expect_cognito_error(&r, "NotAuthorizedException");
  r = s_cognito("ListUsers", SIGV4, "{\"UserPoolId\":\"" POOL "\"}");
  assert_null(s_header(&r, "Access-Control-Allow-Origin")); /* an admin action is no browser's */
  response_free(&r);
}

static void test_hosted_ui_revoke_token_is_validated_like_cognito(void **state)
{
  (void)state;
  response_http r = s_cognito("RevokeToken", NULL, "{\"ClientId\":\"" CLIENT "\"}");
  s_expect_cognito_error(&r, "InvalidParameterException");
  r = s_cognito("RevokeToken", NULL, "{\"ClientId\":\"" CLIENT "\",\"Token\":\"a b\"}");
  s_expect_cognito_error(&r, "InvalidParameterException");
  r = s_cognito("RevokeToken", NULL, "{\"ClientId\":\"otherclient\",\"Token\":\"" POOL_REFRESH "\"}");
  s_expect_cognito_error(&r, "UnauthorizedException");
  r = s_cognito("RevokeToken", NULL,
                "{\"ClientId\":\"" CLIENT "\",\"ClientSecret\":\"s3cr3t\",\"Token\":\"" POOL_REFRESH "\"}");
  s_expect_cognito_error(&r, "UnauthorizedException");
  r = s_cognito("RevokeToken", NULL, "{\"ClientId\":\"" CLIENT "\",\"Token\":\"eyJhbGciOiJSUzI1NiJ9.e30.c2ln\"}");
  s_expect_cognito_error(&r, "UnsupportedTokenTypeException");
  r = s_cognito("RevokeToken", NULL, "not json");
  s_expect_cognito_error(&r, "SerializationException");
  assert_int_equal(s_pool_refreshes, 0);
  s_pool_down = true;
  r = s_cognito("RevokeToken", NULL, "{\"ClientId\":\"" CLIENT "\",\"Token\":\"" POOL_REFRESH "\"}");
  s_expect_cognito_error(&r, "InternalErrorException");
  s_pool_down = false;
  r = s_cognito("InitiateAuth", NULL,
                "{\"ClientId\":\"" CLIENT "\",\"AuthFlow\":\"REFRESH_TOKEN_AUTH\",\"AuthParameters\":{"
                "\"REFRESH_TOKEN\":\"" POOL_REFRESH "\"}}");
  assert_int_equal(r.status, 200); /* a revocation that failed revoked nothing */
  response_free(&r);
}

static void test_hosted_ui_google_page_remembers_the_account_chosen(void **state)
{
  (void)state;
  int64_t now = clock_epoch_ms();
  char *id = s_authorize(now);
  response_http r = s_choose(id, "kim@example.com", now);
  free(id);
  const char *set = s_header(&r, "Set-Cookie");
  assert_non_null(set);
  assert_non_null(strstr(set, "HttpOnly"));
  char cookie[512];
  snprintf(cookie, sizeof(cookie), "other=1; %.*s", (int)strcspn(set, ";"), set);
  response_free(&r);
  hosted_ui_request req = {.method = "GET",
                           .path = "/oauth2/authorize",
                           .query = "response_type=code&client_id=" CLIENT "&redirect_uri=" ENC_APP
                                    "&identity_provider=Google&state=s",
                           .cookie = cookie,
                           .now_ms = now};
  response_init(&r);
  assert_int_equal(hosted_ui_handle(s_ui, &req, &r), MYNT_OK);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(buf_cstr(&r.body), "value=\"kim@example.com\""));
  assert_non_null(strstr(buf_cstr(&r.body), "value=\"Pat Doe\""));
  response_free(&r);
}

static void test_hosted_ui_logout_redirects_only_to_a_logout_url(void **state)
{
  (void)state;
  response_http r = s_call("GET", "/logout", "client_id=" CLIENT "&logout_uri=" ENC_APP, NULL, NULL, 0);
  assert_int_equal(r.status, 302);
  assert_string_equal(s_header(&r, "Location"), APP);
  response_free(&r);
  r = s_call("GET", "/logout", "client_id=" CLIENT "&logout_uri=https%3A%2F%2Fevil.example%2F", NULL, NULL, 0);
  assert_string_equal(s_header(&r, "Location"), "/error?error=redirect_mismatch");
  response_free(&r);
  r = s_call("GET", "/error", "error=redirect_mismatch", NULL, NULL, 0);
  assert_int_equal(r.status, 400);
  assert_non_null(strstr(buf_cstr(&r.body), "redirect_mismatch"));
  response_free(&r);
}

/* The routes file's hosted_ui section, as localstack.py writes it. */
#define S_ROUTES(hosted_ui)                                                                                            \
  "{\"region\":\"us-east-1\",\"functions\":[{\"name\":\"PublicFunction\",\"handler\":\"public\",\"routes\":[]},"       \
  "{\"name\":\"PreSignUpFunction\",\"handler\":\"presignup\",\"routes\":[]}],\"hosted_ui\":" hosted_ui "}"
#define S_UI_FIELDS                                                                                                    \
  "\"user_pool_id\":\"" POOL "\",\"client_id\":\"" CLIENT "\",\"issuer\":\"" ISSUER "\","                              \
  "\"cognito_endpoint\":\"http://127.0.0.1:4566\",\"callback_urls\":[\"" APP "\"],\"scopes\":[\"openid\"],"            \
  "\"providers\":[\"COGNITO\",\"Google\"]"

static void test_hosted_ui_config_names_the_client_and_the_trigger(void **state)
{
  (void)state;
  static const char good[] = S_ROUTES("{" S_UI_FIELDS ",\"logout_urls\":[\"" APP
                                      "\"],\"presignup\":\"PreSignUpFunction\",\"auto_verified_email\":true}");
  local_config c;
  mynt_detail why;
  assert_int_equal(local_config_parse(good, strlen(good), &c, &why), MYNT_OK);
  assert_true(c.has_hosted_ui);
  assert_string_equal(c.hosted_ui.client_id, CLIENT);
  assert_string_equal(c.hosted_ui.callback_urls[0], APP);
  assert_int_equal(c.hosted_ui.n_logout_urls, 1);
  assert_int_equal(c.hosted_ui.presignup, 1);
  assert_true(c.hosted_ui.auto_verified_email);
  local_config_free(&c);

  static const char no_trigger[] = S_ROUTES("{" S_UI_FIELDS "}");
  assert_int_equal(local_config_parse(no_trigger, strlen(no_trigger), &c, &why), MYNT_OK);
  assert_int_equal(c.hosted_ui.presignup, c.n_functions); /* none: sign-ins create users without a trigger */
  assert_int_equal(c.hosted_ui.n_logout_urls, 0);
  local_config_free(&c);

  static const char *const bad[] = {
    S_ROUTES("{" S_UI_FIELDS ",\"presignup\":\"NoSuchFunction\"}"),
    S_ROUTES("{\"client_id\":\"" CLIENT "\"}"),
    S_ROUTES("{" S_UI_FIELDS ",\"callback_urls\":[]}"),
    S_ROUTES("[]"),
  };
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    assert_int_equal(local_config_parse(bad[i], strlen(bad[i]), &c, &why), MYNT_BAD_REQUEST);
    assert_false(c.has_hosted_ui);
  }
}

/* Each test gets a fresh stand-in. */
#define S_TEST(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hosted_ui_config_names_the_client_and_the_trigger),
    S_TEST(test_hosted_ui_new_google_identity_signs_in_with_tokens_the_authorizer_accepts),
    S_TEST(test_hosted_ui_refuses_a_verifier_that_does_not_match_and_uses_the_code_up),
    S_TEST(test_hosted_ui_code_works_once),
    S_TEST(test_hosted_ui_refuses_wrong_redirect_uri_client_and_grant),
    S_TEST(test_hosted_ui_code_expires),
    S_TEST(test_hosted_ui_authorize_checks_client_redirect_uri_and_pkce),
    S_TEST(test_hosted_ui_linked_identity_fails_once_then_signs_in_as_the_existing_user),
    S_TEST(test_hosted_ui_trigger_failure_is_reported_to_the_app),
    S_TEST(test_hosted_ui_admin_link_provider_for_user_is_validated_like_cognito),
    S_TEST(test_hosted_ui_list_users_reads_the_pool_as_cognito_shows_it),
    S_TEST(test_hosted_ui_refresh_token_gives_new_tokens),
    S_TEST(test_hosted_ui_revoke_endpoint_ends_that_refresh_token_only_and_is_idempotent),
    S_TEST(test_hosted_ui_revoke_endpoint_refuses_what_cognito_refuses),
    S_TEST(test_hosted_ui_revoke_token_ends_a_pool_refresh_token_and_its_access_tokens),
    S_TEST(test_hosted_ui_revoke_token_is_validated_like_cognito),
    S_TEST(test_hosted_ui_public_actions_answer_browsers_of_another_origin),
    S_TEST(test_hosted_ui_google_page_remembers_the_account_chosen),
    S_TEST(test_hosted_ui_logout_redirects_only_to_a_logout_url),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
