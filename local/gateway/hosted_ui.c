/* hosted_ui.c - the local stand-in for Cognito's hosted UI (/oauth2/authorize, /oauth2/token, /oauth2/revoke, /logout)
 * with a local "Google" page, and the cognito-idp actions moto lacks (AdminLinkProviderForUser, RevokeToken). */
#include "local/gateway/hosted_ui.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "core/b64.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/wipe.h"

/* Entries of each kind kept at once (pending pages, codes, refresh tokens, federated users, links); the oldest
 * pending page, code or refresh token gives way past it. */
#define S_MAX_ENTRIES 512
#define S_MAX_PARAM   2048
#define S_MAX_PAGE    (64u * 1024)
#define S_MAX_TOKEN   16384
#define S_MAX_ANSWER  (1u << 20)
#define S_TARGET      "AWSCognitoIdentityProviderService."
/* The local provider: the only external identity provider the stand-in serves. */
#define S_GOOGLE "Google"

/* Who a code or refresh token signs in: a federated user of the stand-in's, or a pool user a Google identity is
 * linked to. */
typedef struct {
  char *sub;      /* the pool's sub */
  char *username; /* cognito:username */
  char *email;
  char *name; /* may be NULL */
  char *google_sub;
  bool email_verified;
  bool linked; /* the Google identity is linked to a native user (it is then not the primary identity) */
  int64_t identity_created_ms;
} s_principal;

/* What an authorize request asked for, carried from its Google page to its code. */
typedef struct {
  char *redirect_uri;
  char *challenge; /* NULL when the authorize request had no PKCE */
  char *scope;
} s_grant;

typedef struct {
  char id[48];
  s_grant grant;
  char *state; /* NULL when the request had none */
  int64_t expires_ms;
} s_pending;

typedef struct {
  char code[48];
  s_grant grant;
  s_principal who;
  int64_t expires_ms;
  int64_t auth_time_s;
} s_code;

typedef struct {
  char token[64];
  char *scope;
  s_principal who;
  int64_t auth_time_s;
} s_refresh;

/* A federated user created in the local pool by a first Google sign-in no trigger linked. */
typedef struct {
  s_principal who;
  int64_t created_ms;
} s_user;

/* A link AdminLinkProviderForUser recorded: the Google identity google_sub signs in as the native user. */
typedef struct {
  s_principal who; /* the destination user, with linked = true */
} s_link;

/* Refresh tokens of the pool's own (moto's, from InitiateAuth) revoked here, kept until mynt-local stops. */
#define S_MAX_REVOKED 4096

/* A refresh token of the pool's that RevokeToken or /oauth2/revoke revoked: its SHA-256 (the token itself is not
 * kept) and the origin_jti of the tokens issued from it. */
typedef struct {
  unsigned char digest[32];
  char origin_jti[64];
} s_revoked;

struct hosted_ui {
  const local_config_hosted_ui *cfg;
  char *region;
  hosted_ui_backend backend;
  EVP_PKEY *key;
  json_t *jwks;
  pthread_mutex_t lock;
  s_pending pending[S_MAX_ENTRIES];
  size_t n_pending;
  s_code codes[S_MAX_ENTRIES];
  size_t n_codes;
  s_refresh refresh[S_MAX_ENTRIES];
  size_t n_refresh;
  s_user users[S_MAX_ENTRIES];
  size_t n_users;
  s_link links[S_MAX_ENTRIES];
  size_t n_links;
  s_revoked revoked[S_MAX_REVOKED];
  size_t n_revoked;
};

/* ---- small helpers ------------------------------------------------------------------ */

static char *s_dup(const char *s)
{
  return s ? strdup(s) : NULL;
}

static void s_principal_free(s_principal *p)
{
  free(p->sub);
  free(p->username);
  free(p->email);
  free(p->name);
  free(p->google_sub);
  memset(p, 0, sizeof(*p));
}

/* Copies src into *dst. Returns MYNT_OK or MYNT_NOMEM (*dst is then empty). */
static mynt_status s_principal_copy(const s_principal *src, s_principal *dst)
{
  memset(dst, 0, sizeof(*dst));
  dst->sub = s_dup(src->sub);
  dst->username = s_dup(src->username);
  dst->email = s_dup(src->email);
  dst->name = s_dup(src->name);
  dst->google_sub = s_dup(src->google_sub);
  dst->email_verified = src->email_verified;
  dst->linked = src->linked;
  dst->identity_created_ms = src->identity_created_ms;
  if(!dst->sub || !dst->username || !dst->email || !dst->google_sub || (src->name && !dst->name)) {
    s_principal_free(dst);
    return MYNT_NOMEM;
  }
  return MYNT_OK;
}

/* Writes size-1 random base64url characters and a NUL into out. Returns false when the system has no randomness. */
static bool s_random_text(char *out, size_t size)
{
  unsigned char raw[48];
  size_t n = (size - 1) * 3 / 4;
  if(n > sizeof(raw) || getrandom(raw, n, 0) != (ssize_t)n)
    return false;
  bool ok = b64_url_encode(raw, n, out, size) == MYNT_OK;
  mynt_wipe(raw, sizeof(raw));
  return ok;
}

/* Returns the value of key in the application/x-www-form-urlencoded text[0..len) ('+' is a space, %XX a byte),
 * malloc'd, or NULL when the key is absent, repeated (RFC 6749: a parameter must not be included more than once),
 * longer than S_MAX_PARAM or badly escaped. *out_bad is set for the last three. */
static char *s_form_value(const char *text, size_t len, const char *key, bool *out_bad)
{
  size_t klen = strlen(key);
  char *found = NULL;
  const char *p = text, *end = text + len;
  while(p < end) {
    const char *amp = memchr(p, '&', (size_t)(end - p));
    const char *stop = amp ? amp : end;
    const char *eq = memchr(p, '=', (size_t)(stop - p));
    if(eq && (size_t)(eq - p) == klen && memcmp(p, key, klen) == 0) {
      if(found || (size_t)(stop - eq - 1) > S_MAX_PARAM) {
        free(found);
        *out_bad = true;
        return NULL;
      }
      found = malloc((size_t)(stop - eq));
      if(!found)
        return NULL;
      size_t n = 0;
      for(const char *c = eq + 1; c < stop; c++) {
        if(*c == '+')
          found[n++] = ' ';
        else if(*c == '%') {
          int hi = c + 2 < stop ? hex_value(c[1]) : -1, lo = c + 2 < stop ? hex_value(c[2]) : -1;
          if(hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            free(found);
            *out_bad = true;
            return NULL;
          }
          found[n++] = (char)(hi * 16 + lo);
          c += 2;
        }
        else
          found[n++] = *c;
      }
      found[n] = '\0';
    }
    p = stop + 1;
  }
  return found;
}

/* The cookie the local Google remembers the last account chosen in (as Google's account chooser does): the
 * address and the name, percent-encoded, separated by a tab. */
#define S_COOKIE "mynt-local-google"

/* Reads the remembered account from the Cookie header into *out_email and *out_name (malloc'd, NULL when none). */
static void s_remembered(const char *cookie, char **out_email, char **out_name)
{
  *out_email = *out_name = NULL;
  const char *at = cookie ? strstr(cookie, S_COOKIE "=") : NULL;
  if(!at || (at != cookie && at[-1] != ' ' && at[-1] != ';'))
    return;
  at += strlen(S_COOKIE "=");
  char form[S_MAX_PARAM + 4];
  int n = snprintf(form, sizeof(form), "v=%.*s", (int)strcspn(at, ";"), at);
  if(n < 0 || (size_t)n >= sizeof(form))
    return;
  bool bad = false;
  char *value = s_form_value(form, (size_t)n, "v", &bad);
  char *tab = value ? strchr(value, '\t') : NULL;
  if(tab) {
    *tab = '\0';
    *out_name = strdup(tab + 1);
  }
  *out_email = value;
}

/* Appends s percent-encoded for a query (everything but RFC 3986's unreserved characters). */
static mynt_status s_append_escaped(mynt_buf *b, const char *s)
{
  mynt_status st = MYNT_OK;
  for(const unsigned char *c = (const unsigned char *)s; *c && !st; c++) {
    if((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || strchr("-._~", *c))
      st = buf_append(b, c, 1);
    else
      st = buf_appendf(b, "%%%02X", *c);
  }
  return st;
}

/* Appends s with HTML's special characters escaped. */
static mynt_status s_append_html(mynt_buf *b, const char *s)
{
  static const char special[] = "<>&\"'";
  static const char *const entities[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&#39;"};
  mynt_status st = MYNT_OK;
  for(const char *c = s; *c && !st; c++) {
    const char *hit = strchr(special, *c);
    st = hit ? buf_appends(b, entities[hit - special]) : buf_append(b, c, 1);
  }
  return st;
}

/* Returns the compact JSON text of doc (malloc'd) and releases doc (stolen, may be NULL); NULL on failure. */
static char *s_dump_stolen(json_t *doc)
{
  char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
  json_decref(doc);
  return text;
}

static bool s_in_list(char *const *list, size_t n, const char *value)
{
  for(size_t i = 0; value && i < n; i++)
    if(strcmp(list[i], value) == 0)
      return true;
  return false;
}

/* ---- answers ------------------------------------------------------------------------ */

/* The page's Content-Security-Policy: nothing runs, only the web app's stylesheet loads, the form posts here. */
#define S_PAGE_CSP "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

static mynt_status s_answer(response_http *r, int status, const char *type, const char *body)
{
  response_free(r);
  r->status = status;
  mynt_status st = response_add_header(r, "Content-Type", type);
  if(!st)
    st = response_add_header(r, "Cache-Control", "no-store");
  if(!st && strncmp(type, "text/html", 9) == 0) {
    if(!(st = response_add_header(r, "Content-Security-Policy", S_PAGE_CSP)))
      st = response_add_header(r, "X-Frame-Options", "DENY");
  }
  if(!st)
    st = buf_appends(&r->body, body);
  return st;
}

/* 302 to location. */
static mynt_status s_redirect(response_http *r, const char *location)
{
  response_free(r);
  r->status = 302;
  mynt_status st = response_add_header(r, "Location", location);
  return st ? st : response_add_header(r, "Cache-Control", "no-store");
}

/* An OAuth endpoint's error: status {"error": error}. */
static mynt_status s_oauth_error(response_http *r, int status, const char *error)
{
  char body[96];
  snprintf(body, sizeof(body), "{\"error\":\"%s\"}", error);
  return s_answer(r, status, "application/json;charset=UTF-8", body);
}

/* The token endpoint's error: 400 {"error": error}. */
static mynt_status s_token_error(response_http *r, const char *error)
{
  return s_oauth_error(r, 400, error);
}

/* A cognito-idp error: 400 {"__type": type, "message": message}. */
static mynt_status s_cognito_error(response_http *r, const char *type, const char *message)
{
  char *text = s_dump_stolen(json_pack("{s:s, s:s}", "__type", type, "message", message));
  if(!text)
    return MYNT_NOMEM;
  mynt_status st = s_answer(r, 400, "application/x-amz-json-1.1", text);
  free(text);
  return st;
}

/* Cognito's error page, which /oauth2/authorize and /logout send the browser to when the request cannot be sent
 * back to the app (unknown client, redirect_uri or logout_uri not registered). */
static mynt_status s_to_error_page(response_http *r, const char *error)
{
  mynt_buf loc;
  buf_init(&loc, 512);
  mynt_status st = buf_appends(&loc, "/error?error=");
  if(!st)
    st = s_append_escaped(&loc, error);
  if(!st)
    st = s_redirect(r, buf_cstr(&loc));
  buf_free(&loc);
  return st;
}

/* Sends the browser back to redirect_uri with the query parts given as name, value pairs ending with NULL (a NULL
 * value leaves its name out). */
static mynt_status s_back_to_app(response_http *r, const char *redirect_uri, ...)
{
  mynt_buf loc;
  buf_init(&loc, 8192);
  mynt_status st = buf_appends(&loc, redirect_uri);
  char sep = strchr(redirect_uri, '?') ? '&' : '?';
  va_list ap;
  va_start(ap, redirect_uri);
  const char *name;
  while(!st && (name = va_arg(ap, const char *))) {
    const char *value = va_arg(ap, const char *);
    if(!value)
      continue;
    if(!(st = buf_appendf(&loc, "%c%s=", sep, name)))
      st = s_append_escaped(&loc, value);
    sep = '&';
  }
  va_end(ap);
  if(!st)
    st = s_redirect(r, buf_cstr(&loc));
  buf_free(&loc);
  return st;
}

static mynt_status s_page(response_http *r, int status, const char *title, const char *body_html)
{
  mynt_buf page;
  buf_init(&page, S_MAX_PAGE);
  mynt_status st = buf_appendf(&page,
                               "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                               "<title>%s \xe2\x80\x94 mynt-local</title><link rel=\"stylesheet\" href=\"/styles.css\">"
                               "</head><body><main id=\"main\" class=\"auth auth-single\">"
                               "<section class=\"card auth-card\" aria-labelledby=\"title\">%s</section>"
                               "</main></body></html>\n",
                               title, body_html);
  if(!st)
    st = s_answer(r, status, "text/html; charset=utf-8", buf_cstr(&page));
  buf_free(&page);
  return st;
}

/* ---- keys and tokens ---------------------------------------------------------------- */

static mynt_status s_b64url_bn(EVP_PKEY *key, const char *param, char **out)
{
  *out = NULL;
  BIGNUM *bn = NULL;
  if(EVP_PKEY_get_bn_param(key, param, &bn) != 1)
    return MYNT_INTERNAL;
  size_t n = (size_t)BN_num_bytes(bn);
  unsigned char *raw = malloc(n ? n : 1);
  size_t cap = b64_url_encoded_len(n) + 1;
  *out = malloc(cap);
  mynt_status st = MYNT_NOMEM;
  if(raw && *out) {
    BN_bn2bin(bn, raw);
    st = b64_url_encode(raw, n, *out, cap);
  }
  free(raw);
  BN_free(bn);
  if(st) {
    free(*out);
    *out = NULL;
  }
  return st;
}

/* Makes h's key and its public key set. */
static mynt_status s_make_key(hosted_ui *h)
{
  h->key = EVP_RSA_gen(2048);
  if(!h->key)
    return MYNT_INTERNAL;
  char *n = NULL, *e = NULL;
  mynt_status st = s_b64url_bn(h->key, OSSL_PKEY_PARAM_RSA_N, &n);
  if(!st)
    st = s_b64url_bn(h->key, OSSL_PKEY_PARAM_RSA_E, &e);
  if(!st) {
    h->jwks = json_pack("{s:[{s:s, s:s, s:s, s:s, s:s, s:s}]}", "keys", "alg", "RS256", "e", e, "kid", HOSTED_UI_KID,
                        "kty", "RSA", "n", n, "use", "sig");
    st = h->jwks ? MYNT_OK : MYNT_NOMEM;
  }
  free(n);
  free(e);
  return st;
}

/* Appends the base64url text of data[0..len) to out. */
static mynt_status s_append_b64url(mynt_buf *out, const void *data, size_t len)
{
  size_t cap = b64_url_encoded_len(len) + 1;
  char *text = malloc(cap);
  if(!text)
    return MYNT_NOMEM;
  mynt_status st = b64_url_encode(data, len, text, cap);
  if(!st)
    st = buf_appends(out, text);
  free(text);
  return st;
}

/* Returns the RS256 compact JWS of claims signed with h's key (malloc'd), or NULL. */
static char *s_sign(hosted_ui *h, const json_t *claims)
{
  char *payload = json_dumps(claims, JSON_COMPACT);
  static const char header[] = "{\"kid\":\"" HOSTED_UI_KID "\",\"alg\":\"RS256\"}";
  mynt_buf token;
  buf_init(&token, S_MAX_TOKEN);
  unsigned char *sig = NULL;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  char *out = NULL;
  size_t sig_len = 0;
  if(!payload || !md || s_append_b64url(&token, header, strlen(header)) || buf_appends(&token, ".") ||
     s_append_b64url(&token, payload, strlen(payload)))
    goto cleanup;
  if(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, h->key) != 1 ||
     EVP_DigestSign(md, NULL, &sig_len, (const unsigned char *)token.ptr, token.len) != 1 || !(sig = malloc(sig_len)) ||
     EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)token.ptr, token.len) != 1)
    goto cleanup;
  if(buf_appends(&token, ".") || s_append_b64url(&token, sig, sig_len))
    goto cleanup;
  out = buf_detach(&token);
cleanup:
  EVP_MD_CTX_free(md);
  free(sig);
  free(payload);
  buf_free(&token);
  return out;
}

/* The identities claim / attribute: [{the Google identity}] as Cognito writes it. */
static json_t *s_identities(const s_principal *p)
{
  char created[24];
  snprintf(created, sizeof(created), "%lld", (long long)p->identity_created_ms);
  return json_pack("[{s:s, s:s, s:s, s:s, s:n, s:s}]", "dateCreated", created, "userId", p->google_sub, "providerName",
                   S_GOOGLE, "providerType", S_GOOGLE, "issuer", "primary", p->linked ? "false" : "true");
}

/* Fills the token answer {id_token, access_token, [refresh_token], expires_in, token_type} into r. */
static mynt_status s_token_answer(hosted_ui *h, const s_principal *who, const char *scope, int64_t auth_time_s,
                                  const char *refresh_token, int64_t now_ms, response_http *r)
{
  int64_t now_s = now_ms / 1000;
  char jti[2][40], origin[40], group[160];
  if(!s_random_text(jti[0], sizeof(jti[0])) || !s_random_text(jti[1], sizeof(jti[1])) ||
     !s_random_text(origin, sizeof(origin)))
    return MYNT_INTERNAL;
  snprintf(group, sizeof(group), "%s_%s", h->cfg->user_pool_id, S_GOOGLE);
  json_t *id = json_pack("{s:s, s:[s], s:b, s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:I, s:I, s:s, s:s}", "sub", who->sub,
                         "cognito:groups", group, "email_verified", who->email_verified, "iss", h->cfg->issuer,
                         "cognito:username", who->username, "origin_jti", origin, "aud", h->cfg->client_id,
                         "identities", s_identities(who), "token_use", "id", "auth_time", (json_int_t)auth_time_s,
                         "exp", (json_int_t)(now_s + HOSTED_UI_TOKEN_TTL_S), "iat", (json_int_t)now_s, "jti", jti[0],
                         "email", who->email);
  if(id && who->name)
    json_object_set_new(id, "name", json_string(who->name));
  json_t *access = json_pack("{s:s, s:[s], s:s, s:i, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s}", "sub", who->sub,
                             "cognito:groups", group, "iss", h->cfg->issuer, "version", 2, "client_id",
                             h->cfg->client_id, "origin_jti", origin, "token_use", "access", "scope", scope,
                             "auth_time", (json_int_t)auth_time_s, "exp", (json_int_t)(now_s + HOSTED_UI_TOKEN_TTL_S),
                             "iat", (json_int_t)now_s, "jti", jti[1], "username", who->username);
  char *id_token = id ? s_sign(h, id) : NULL;
  char *access_token = access ? s_sign(h, access) : NULL;
  json_decref(id);
  json_decref(access);
  mynt_status st = MYNT_NOMEM;
  json_t *answer = NULL;
  char *text = NULL;
  if(!id_token || !access_token)
    goto cleanup;
  answer = json_pack("{s:s, s:s, s:i, s:s}", "id_token", id_token, "access_token", access_token, "expires_in",
                     HOSTED_UI_TOKEN_TTL_S, "token_type", "Bearer");
  if(answer && refresh_token && json_object_set_new(answer, "refresh_token", json_string(refresh_token)) != 0)
    goto cleanup;
  if(!answer || !(text = json_dumps(answer, JSON_COMPACT)))
    goto cleanup;
  st = s_answer(r, 200, "application/json;charset=UTF-8", text);
cleanup:
  mynt_wipe_free(text);
  json_decref(answer);
  free(id_token);
  free(access_token);
  return st;
}

/* ---- life cycle ----------------------------------------------------------------------- */

mynt_status hosted_ui_new(const local_config_hosted_ui *cfg, const char *region, const hosted_ui_backend *backend,
                          hosted_ui **out)
{
  *out = NULL;
  hosted_ui *h = calloc(1, sizeof(*h));
  if(!h)
    return MYNT_NOMEM;
  pthread_mutex_init(&h->lock, NULL);
  h->cfg = cfg;
  h->backend = *backend;
  h->region = strdup(region);
  mynt_status st = h->region ? s_make_key(h) : MYNT_NOMEM;
  if(st) {
    hosted_ui_free(h);
    return st;
  }
  *out = h;
  return MYNT_OK;
}

static void s_grant_free(s_grant *g)
{
  free(g->redirect_uri);
  free(g->challenge);
  free(g->scope);
  memset(g, 0, sizeof(*g));
}

static void s_pending_free(s_pending *p)
{
  s_grant_free(&p->grant);
  free(p->state);
  memset(p, 0, sizeof(*p));
}

static void s_code_free(s_code *c)
{
  s_grant_free(&c->grant);
  s_principal_free(&c->who);
  mynt_wipe(c->code, sizeof(c->code));
}

static void s_refresh_free(s_refresh *t)
{
  free(t->scope);
  s_principal_free(&t->who);
  mynt_wipe(t->token, sizeof(t->token));
}

void hosted_ui_free(hosted_ui *h)
{
  if(!h)
    return;
  for(size_t i = 0; i < h->n_pending; i++)
    s_pending_free(&h->pending[i]);
  for(size_t i = 0; i < h->n_codes; i++)
    s_code_free(&h->codes[i]);
  for(size_t i = 0; i < h->n_refresh; i++)
    s_refresh_free(&h->refresh[i]);
  for(size_t i = 0; i < h->n_users; i++)
    s_principal_free(&h->users[i].who);
  for(size_t i = 0; i < h->n_links; i++)
    s_principal_free(&h->links[i].who);
  EVP_PKEY_free(h->key);
  json_decref(h->jwks);
  free(h->region);
  pthread_mutex_destroy(&h->lock);
  free(h);
}

const json_t *hosted_ui_jwks(const hosted_ui *h)
{
  return h->jwks;
}

bool hosted_ui_is_path(const char *path)
{
  static const char *const paths[] = {
    "/oauth2/authorize", "/oauth2/idpresponse", "/oauth2/token", "/oauth2/revoke", "/logout", "/error"};
  for(size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
    if(strcmp(path, paths[i]) == 0)
      return true;
  return false;
}

bool hosted_ui_is_cognito_call(const char *method, const char *path, const char *target)
{
  return strcmp(method, "POST") == 0 && strcmp(path, "/") == 0 && target &&
         strncmp(target, S_TARGET, strlen(S_TARGET)) == 0;
}

bool hosted_ui_is_cognito_preflight(const char *method, const char *path, const char *request_headers)
{
  if(strcmp(method, "OPTIONS") != 0 || strcmp(path, "/") != 0 || !request_headers)
    return false;
  for(const char *p = request_headers; *p; p++)
    if(strncasecmp(p, "x-amz-target", 12) == 0)
      return true;
  return false;
}

/* ---- identities ----------------------------------------------------------------------- */

/* The local Google account's subject for email: 21 digits (as Google's are), the same for the same address (any
 * case), so a person signing in again is the same Google identity. */
static void s_google_sub(const char *email, char out[22])
{
  unsigned char digest[32];
  unsigned int n = 0;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  memset(digest, 0, sizeof(digest));
  if(md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1) {
    EVP_DigestUpdate(md, "mynt-local-google:", 18);
    for(const char *c = email; *c; c++) {
      char lower = (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : *c);
      EVP_DigestUpdate(md, &lower, 1);
    }
    EVP_DigestFinal_ex(md, digest, &n);
  }
  EVP_MD_CTX_free(md);
  out[0] = '1';
  for(int i = 1; i < 21; i++)
    out[i] = (char)('0' + digest[i] % 10);
  out[21] = '\0';
}

/* A random version-4 UUID (the pool's sub of a new federated user). */
static bool s_uuid(char out[37])
{
  unsigned char b[16];
  if(getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
    return false;
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  char hex[33];
  hex_encode(b, sizeof(b), hex);
  snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
  return true;
}

/* Copies the principal a Google sign-in as google_sub is (a link first, then a federated user) into *out. Caller holds
 * the lock. Returns MYNT_OK, MYNT_NOT_FOUND for a first sign-in, MYNT_NOMEM. */
static mynt_status s_find_principal(hosted_ui *h, const char *google_sub, s_principal *out)
{
  for(size_t i = 0; i < h->n_links; i++)
    if(strcmp(h->links[i].who.google_sub, google_sub) == 0)
      return s_principal_copy(&h->links[i].who, out);
  for(size_t i = 0; i < h->n_users; i++)
    if(strcmp(h->users[i].who.google_sub, google_sub) == 0)
      return s_principal_copy(&h->users[i].who, out);
  return MYNT_NOT_FOUND;
}

/* Runs the Pre sign-up trigger for a first sign-in (PreSignUp_ExternalProvider, as Cognito sends it). Returns MYNT_OK
 * when it answered the event back; otherwise sets *out_why to Cognito's error_description (malloc'd) and returns
 * MYNT_UPSTREAM; MYNT_NOMEM. */
static mynt_status s_run_presignup(hosted_ui *h, const char *username, const char *email, const char *name,
                                   char **out_why)
{
  *out_why = NULL;
  /* The template maps Google's email, email_verified and name; the local Google's addresses are all verified. */
  json_t *attrs = json_pack("{s:s, s:s}", "email", email, "email_verified", "true");
  if(attrs && name && *name)
    json_object_set_new(attrs, "name", json_string(name));
  json_t *event =
    json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:{s:o, s:{}}, s:{s:b, s:b, s:b}}", "version", "1", "region",
              h->region, "userPoolId", h->cfg->user_pool_id, "userName", username, "callerContext", "awsSdkVersion",
              "aws-sdk-unknown-unknown", "clientId", h->cfg->client_id, "triggerSource", "PreSignUp_ExternalProvider",
              "request", "userAttributes", attrs, "validationData", "response", "autoConfirmUser", 0, "autoVerifyEmail",
              0, "autoVerifyPhone", 0);
  char *text = s_dump_stolen(event);
  if(!text)
    return MYNT_NOMEM;
  mynt_buf payload;
  buf_init(&payload, S_MAX_ANSWER);
  mynt_status st = h->backend.presignup(h->backend.ctx, text, &payload);
  free(text);
  json_t *answer = payload.len ? json_loadb(payload.ptr, payload.len, 0, NULL) : NULL;
  buf_free(&payload);
  if(st == MYNT_NOMEM) {
    json_decref(answer);
    return st;
  }
  if(st) {
    /* Cognito: "PreSignUp failed with error <the function's errorMessage>." */
    const char *message = json_member_string(answer, "errorMessage");
    if(asprintf(out_why, "PreSignUp failed with error %s.", message ? message : mynt_strerror(st)) < 0)
      *out_why = NULL;
    json_decref(answer);
    return *out_why ? MYNT_UPSTREAM : MYNT_NOMEM;
  }
  const json_t *response = json_object_get(answer, "response");
  if(!json_is_object(response)) {
    json_decref(answer);
    *out_why = strdup("Unrecognizable lambda output");
    return *out_why ? MYNT_UPSTREAM : MYNT_NOMEM;
  }
  json_decref(answer);
  return MYNT_OK;
}

/* ---- /oauth2/authorize and the local Google page -------------------------------------- */

static void s_pending_drop(void *p)
{
  s_pending_free(p);
}

static void s_code_drop(void *c)
{
  s_code_free(c);
}

/* Compacts the n entries of size bytes at items, dropping (with drop) those whose int64_t at expires_offset is not
 * after now_ms, and the first one when the list is full. Returns how many are left. */
static size_t s_drop_expired(void *items, size_t size, size_t n, size_t expires_offset, int64_t now_ms,
                             void (*drop)(void *))
{
  unsigned char *base = items;
  size_t k = 0;
  for(size_t i = 0; i < n; i++) {
    unsigned char *item = base + i * size;
    int64_t expires;
    memcpy(&expires, item + expires_offset, sizeof(expires));
    if(expires <= now_ms || (i == 0 && n == S_MAX_ENTRIES))
      drop(item);
    else if(k++ != i)
      memmove(base + (k - 1) * size, item, size);
  }
  return k;
}

/* Drops expired pending pages and codes, and the oldest of each (and of the refresh tokens) past the cap. Caller
 * holds the lock. */
static void s_expire(hosted_ui *h, int64_t now_ms)
{
  h->n_pending = s_drop_expired(h->pending, sizeof(h->pending[0]), h->n_pending, offsetof(s_pending, expires_ms),
                                now_ms, s_pending_drop);
  h->n_codes =
    s_drop_expired(h->codes, sizeof(h->codes[0]), h->n_codes, offsetof(s_code, expires_ms), now_ms, s_code_drop);
  if(h->n_refresh == S_MAX_ENTRIES) {
    s_refresh_free(&h->refresh[0]);
    memmove(&h->refresh[0], &h->refresh[1], (S_MAX_ENTRIES - 1) * sizeof(h->refresh[0]));
    h->n_refresh--;
  }
}

/* The local Google page: pick an identity (email and name). */
static mynt_status s_google_page(response_http *r, const char *pending_id, const char *error, const char *email,
                                 const char *name)
{
  mynt_buf html;
  buf_init(&html, S_MAX_PAGE);
  mynt_status st =
    buf_appends(&html, "<h1 id=\"title\">Choose a Google account</h1>"
                       "<p class=\"intro\">This is mynt-local's stand-in for Google: no Google account is "
                       "used and nothing leaves this computer. Enter the identity to sign in as.</p>");
  if(!st && error) {
    st = buf_appends(&html, "<div class=\"alert alert-error\" role=\"alert\" id=\"google-error\"><p>");
    if(!st)
      st = s_append_html(&html, error);
    if(!st)
      st = buf_appends(&html, "</p></div>");
  }
  if(!st)
    st = buf_appendf(&html,
                     "<form class=\"form\" method=\"post\" action=\"/oauth2/idpresponse\">"
                     "<input type=\"hidden\" name=\"request\" value=\"%s\">"
                     "<div class=\"field\"><label for=\"google-email\">Email</label>"
                     "<input id=\"google-email\" name=\"email\" type=\"email\" autocomplete=\"email\" required%s "
                     "value=\"",
                     pending_id, error ? " aria-invalid=\"true\" aria-describedby=\"google-error\"" : "");
  if(!st)
    st = s_append_html(&html, email ? email : "");
  if(!st)
    st = buf_appends(&html, "\"></div><div class=\"field\"><label for=\"google-name\">Name</label>"
                            "<input id=\"google-name\" name=\"name\" type=\"text\" autocomplete=\"name\" value=\"");
  if(!st)
    st = s_append_html(&html, name ? name : "");
  if(!st)
    st = buf_appends(&html, "\"></div><button type=\"submit\" class=\"button button-primary\">Continue</button>"
                            "</form>");
  if(!st)
    st = s_page(r, error ? 400 : 200, "Choose a Google account", buf_cstr(&html));
  buf_free(&html);
  return st;
}

/* The parameters of /oauth2/authorize the stand-in reads, in this order. */
enum { S_CLIENT_ID, S_REDIRECT_URI, S_RESPONSE_TYPE, S_SCOPE, S_STATE, S_CHALLENGE, S_METHOD, S_PROVIDER, S_N_PARAMS };
static const char *const s_authorize_names[S_N_PARAMS] = {
  "client_id", "redirect_uri",   "response_type",         "scope",
  "state",     "code_challenge", "code_challenge_method", "identity_provider"};

/* Returns true when every space-separated scope of scope is one of the client's. */
static bool s_scopes_allowed(const local_config_hosted_ui *cfg, const char *scope)
{
  const char *p = scope;
  while(*p) {
    while(*p == ' ')
      p++;
    size_t n = strcspn(p, " ");
    if(n) {
      bool ok = false;
      for(size_t i = 0; i < cfg->n_scopes && !ok; i++)
        ok = strlen(cfg->scopes[i]) == n && strncmp(cfg->scopes[i], p, n) == 0;
      if(!ok)
        return false;
    }
    p += n;
  }
  return true;
}

/* Returns true for a PKCE S256 challenge: 43 base64url characters (a SHA-256 digest). */
static bool s_challenge_ok(const char *c)
{
  return strlen(c) == 43 && strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 43;
}

static mynt_status s_authorize(hosted_ui *h, const hosted_ui_request *req, response_http *r)
{
  char *p[S_N_PARAMS];
  bool bad = false;
  for(size_t i = 0; i < S_N_PARAMS; i++)
    p[i] = s_form_value(req->query, strlen(req->query), s_authorize_names[i], &bad);
  mynt_status st;
  if(!p[S_CLIENT_ID] || strcmp(p[S_CLIENT_ID], h->cfg->client_id) != 0) {
    st = s_to_error_page(r, "invalid_request");
    goto cleanup;
  }
  if(!s_in_list(h->cfg->callback_urls, h->cfg->n_callback_urls, p[S_REDIRECT_URI])) {
    st = s_to_error_page(r, "redirect_mismatch");
    goto cleanup;
  }
  /* From here on the app is told, at its redirect_uri, with its state. */
  const char *error = NULL, *why = NULL;
  if(bad)
    error = "invalid_request", why = "a parameter is repeated or badly encoded";
  else if(!p[S_RESPONSE_TYPE] || (strcmp(p[S_RESPONSE_TYPE], "code") != 0 && strcmp(p[S_RESPONSE_TYPE], "token") != 0))
    error = "unsupported_response_type";
  else if(strcmp(p[S_RESPONSE_TYPE], "code") != 0)
    error = "unauthorized_client", why = "the client allows only the authorization code grant";
  else if(p[S_SCOPE] && !s_scopes_allowed(h->cfg, p[S_SCOPE]))
    error = "invalid_scope";
  else if((p[S_CHALLENGE] || p[S_METHOD]) && (!p[S_CHALLENGE] || !p[S_METHOD] || strcmp(p[S_METHOD], "S256") != 0))
    error = "invalid_request", why = "code_challenge_method must be S256, with a code_challenge";
  else if(p[S_CHALLENGE] && !s_challenge_ok(p[S_CHALLENGE]))
    error = "invalid_request", why = "code_challenge is not an S256 challenge";
  else if(!p[S_PROVIDER] || !s_in_list(h->cfg->providers, h->cfg->n_providers, p[S_PROVIDER]))
    error = "unauthorized_client", why = "identity_provider is not one of the client's";
  if(error) {
    st = s_back_to_app(r, p[S_REDIRECT_URI], "error", error, "error_description", why, "state", p[S_STATE], NULL);
    goto cleanup;
  }
  if(strcmp(p[S_PROVIDER], S_GOOGLE) != 0) {
    st = s_page(r, 400, "Not served locally",
                "<h1 id=\"title\">Not served locally</h1><p>mynt-local's hosted-UI stand-in serves only "
                "<code>identity_provider=Google</code>. Sign in with email and password in the app.</p>");
    goto cleanup;
  }
  pthread_mutex_lock(&h->lock);
  s_expire(h, req->now_ms);
  s_pending *pend = &h->pending[h->n_pending];
  memset(pend, 0, sizeof(*pend));
  st = s_random_text(pend->id, sizeof(pend->id)) ? MYNT_OK : MYNT_INTERNAL;
  if(!st) {
    pend->grant.redirect_uri = p[S_REDIRECT_URI];
    pend->state = p[S_STATE];
    pend->grant.challenge = p[S_CHALLENGE];
    pend->grant.scope = p[S_SCOPE] ? p[S_SCOPE] : strdup("openid email profile");
    p[S_REDIRECT_URI] = p[S_STATE] = p[S_CHALLENGE] = p[S_SCOPE] = NULL;
    pend->expires_ms = req->now_ms + HOSTED_UI_PENDING_TTL_MS;
    st = pend->grant.scope ? MYNT_OK : MYNT_NOMEM;
    if(!st)
      h->n_pending++;
    else
      s_pending_free(pend);
  }
  char id[sizeof(pend->id)];
  memcpy(id, pend->id, sizeof(id));
  pthread_mutex_unlock(&h->lock);
  char *email = NULL, *name = NULL;
  s_remembered(req->cookie, &email, &name);
  if(!st)
    st = s_google_page(r, id, NULL, email, name);
  free(email);
  free(name);
cleanup:
  for(size_t i = 0; i < S_N_PARAMS; i++)
    free(p[i]);
  return st;
}

/* Returns true for an address with one '@' between non-empty parts, a dot in the domain, no spaces. */
static bool s_email_ok(const char *e)
{
  const char *at = strchr(e, '@');
  return at && at != e && !strchr(at + 1, '@') && strchr(at + 1, '.') && at[1] != '.' && !strpbrk(e, " \t\r\n\"<>") &&
         e[strlen(e) - 1] != '.' && strlen(e) <= 254;
}

/* Issues a one-time code for who, from the pending page pend (taken: the caller frees nothing of it), and sends
 * the browser back. Caller holds the lock. */
static mynt_status s_issue_code(hosted_ui *h, s_pending *pend, s_principal *who, int64_t now_ms, response_http *r)
{
  s_code *c = &h->codes[h->n_codes];
  memset(c, 0, sizeof(*c));
  if(!s_random_text(c->code, 37))
    return MYNT_INTERNAL;
  c->grant = pend->grant;
  memset(&pend->grant, 0, sizeof(pend->grant));
  c->who = *who;
  memset(who, 0, sizeof(*who));
  c->expires_ms = now_ms + HOSTED_UI_CODE_TTL_MS;
  c->auth_time_s = now_ms / 1000;
  h->n_codes++;
  return s_back_to_app(r, c->grant.redirect_uri, "code", c->code, "state", pend->state, NULL);
}

/* Adds the Set-Cookie that remembers the account chosen (for the next visit's page) to r. */
static mynt_status s_remember(response_http *r, const char *email, const char *name)
{
  mynt_buf c;
  buf_init(&c, 2048);
  mynt_status st = buf_appends(&c, S_COOKIE "=");
  if(!st)
    st = s_append_escaped(&c, email);
  if(!st && name && *name && !(st = buf_appends(&c, "%09")))
    st = s_append_escaped(&c, name);
  if(!st)
    st = buf_appends(&c, "; Path=/oauth2; Max-Age=2592000; HttpOnly; SameSite=Lax");
  if(!st)
    st = response_add_header(r, "Set-Cookie", buf_cstr(&c));
  buf_free(&c);
  return st;
}

/* Removes pending page i. Caller holds the lock. */
static void s_pending_remove(hosted_ui *h, size_t i)
{
  s_pending_free(&h->pending[i]);
  h->pending[i] = h->pending[--h->n_pending];
}

/* Returns the index of the pending page id (NULL: none), or n_pending. Caller holds the lock. */
static size_t s_pending_index(const hosted_ui *h, const char *id)
{
  size_t i = 0;
  while(i < h->n_pending && !(id && strcmp(h->pending[i].id, id) == 0))
    i++;
  return i;
}

/* The identity chosen on the local Google page. */
typedef struct {
  const char *email;
  const char *name; /* may be NULL or "" */
  char google_sub[22];
  char username[40]; /* Google_<google_sub> */
} s_choice;

/* A first sign-in as c: Cognito runs the Pre sign-up trigger, then creates the federated user. Sets *out_who to the
 * new user, or *out_why (malloc'd) to the error_description the app gets instead: the trigger failed, or it linked
 * the identity (Cognito still tries to create Google_<sub>, finds the link and fails this sign-in; the next one signs
 * in as the linked user). Returns MYNT_OK (one of the two set) or the failure. */
static mynt_status s_first_sign_in(hosted_ui *h, const s_choice *c, int64_t now_ms, s_principal *out_who,
                                   char **out_why)
{
  mynt_status st = h->backend.presignup ? s_run_presignup(h, c->username, c->email, c->name, out_why) : MYNT_OK;
  if(st == MYNT_UPSTREAM)
    return MYNT_OK; /* *out_why says how the trigger failed */
  if(st)
    return st;
  pthread_mutex_lock(&h->lock);
  s_principal found = {0};
  char sub[37];
  if(s_find_principal(h, c->google_sub, &found) == MYNT_OK) {
    s_principal_free(&found);
    if(asprintf(out_why, "Already found an entry for username %s", c->username) < 0) {
      *out_why = NULL;
      st = MYNT_NOMEM;
    }
  }
  else if(h->n_users == S_MAX_ENTRIES || !s_uuid(sub))
    st = MYNT_INTERNAL;
  else {
    s_user *u = &h->users[h->n_users];
    s_principal fresh = {.sub = sub,
                         .username = (char *)c->username,
                         .email = (char *)c->email,
                         .name = c->name && *c->name ? (char *)c->name : NULL,
                         .google_sub = (char *)c->google_sub,
                         .email_verified = true, /* mapped from Google's email_verified */
                         .identity_created_ms = now_ms};
    if(!(st = s_principal_copy(&fresh, &u->who))) {
      u->created_ms = now_ms;
      h->n_users++;
      st = s_principal_copy(&u->who, out_who);
    }
  }
  pthread_mutex_unlock(&h->lock);
  return st;
}

/* Sends the browser of pending page id back to the app: with a code for who (taken), or with why as the error; and
 * remembers the account chosen. An unknown (expired, used) page gets the expired page. */
static mynt_status s_answer_choice(hosted_ui *h, const char *id, const s_choice *c, s_principal *who, const char *why,
                                   int64_t now_ms, response_http *r)
{
  pthread_mutex_lock(&h->lock);
  size_t i = s_pending_index(h, id);
  mynt_status st;
  if(i == h->n_pending)
    st = s_page(r, 400, "Sign-in expired", "<h1 id=\"title\">This sign-in has expired</h1><p>Start again in Mynt.</p>");
  else if(why)
    st = s_back_to_app(r, h->pending[i].grant.redirect_uri, "error_description", why, "error", "invalid_request",
                       "state", h->pending[i].state, NULL);
  else
    st = h->n_codes == S_MAX_ENTRIES ? MYNT_INTERNAL : s_issue_code(h, &h->pending[i], who, now_ms, r);
  if(i < h->n_pending) {
    s_pending_remove(h, i);
    if(!st) /* the next page offers the account, as Google's account chooser does */
      st = s_remember(r, c->email, c->name);
  }
  pthread_mutex_unlock(&h->lock);
  return st;
}

/* POST /oauth2/idpresponse: the local Google page's form (request, email, name). Where Cognito gets Google's answer,
 * the stand-in gets the person's choice: the federated user Google_<sub> signs in, after the Pre sign-up trigger for
 * a first sign-in. */
static mynt_status s_idpresponse(hosted_ui *h, const hosted_ui_request *req, response_http *r)
{
  bool bad = false;
  char *id = s_form_value(req->body, req->body_len, "request", &bad);
  char *email = s_form_value(req->body, req->body_len, "email", &bad);
  char *name = s_form_value(req->body, req->body_len, "name", &bad);
  s_principal who = {0};
  char *why = NULL;
  mynt_status st = MYNT_OK;
  if(email) {
    char *trimmed = email;
    while(*trimmed == ' ')
      trimmed++;
    memmove(email, trimmed, strlen(trimmed) + 1);
    for(size_t n = strlen(email); n && email[n - 1] == ' '; n--)
      email[n - 1] = '\0';
  }
  pthread_mutex_lock(&h->lock);
  s_expire(h, req->now_ms);
  bool known = s_pending_index(h, id) < h->n_pending;
  pthread_mutex_unlock(&h->lock);
  if(!known || bad) {
    st = s_page(r, 400, "Sign-in expired",
                "<h1 id=\"title\">This sign-in has expired</h1><p>Go back to Mynt and sign in with Google "
                "again.</p>");
    goto cleanup;
  }
  if(!email || !s_email_ok(email)) {
    st = s_google_page(r, id, "Enter the Google account's email address, like name@example.com.", email, name);
    goto cleanup;
  }
  s_choice c = {.email = email, .name = name};
  s_google_sub(email, c.google_sub);
  snprintf(c.username, sizeof(c.username), "%s_%s", S_GOOGLE, c.google_sub);
  pthread_mutex_lock(&h->lock);
  st = s_find_principal(h, c.google_sub, &who);
  pthread_mutex_unlock(&h->lock);
  if(st == MYNT_NOT_FOUND)
    st = s_first_sign_in(h, &c, req->now_ms, &who, &why);
  if(!st)
    st = s_answer_choice(h, id, &c, &who, why, req->now_ms, r);
cleanup:
  s_principal_free(&who);
  free(why);
  free(id);
  free(email);
  free(name);
  return st;
}

/* ---- /oauth2/token ------------------------------------------------------------------------ */

/* Returns true when base64url(SHA-256(verifier)) is challenge (RFC 7636 S256). */
static bool s_verifier_matches(const char *verifier, const char *challenge)
{
  size_t n = strlen(verifier);
  if(n < 43 || n > 128 || strspn(verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") != n)
    return false;
  unsigned char digest[32];
  unsigned int len = 0;
  if(EVP_Digest(verifier, n, digest, &len, EVP_sha256(), NULL) != 1 || len != 32)
    return false;
  char text[48];
  if(b64_url_encode(digest, 32, text, sizeof(text)))
    return false;
  return strcmp(text, challenge) == 0;
}

static mynt_status s_token_by_code(hosted_ui *h, const hosted_ui_request *req, const char *code,
                                   const char *redirect_uri, const char *verifier, response_http *r)
{
  pthread_mutex_lock(&h->lock);
  s_expire(h, req->now_ms);
  size_t i = 0;
  while(i < h->n_codes && !(code && strcmp(h->codes[i].code, code) == 0))
    i++;
  if(i == h->n_codes) {
    pthread_mutex_unlock(&h->lock);
    return s_token_error(r, "invalid_grant");
  }
  /* A code is used up by the first request that names it, answered or refused. */
  s_code c = h->codes[i];
  h->codes[i] = h->codes[--h->n_codes];
  pthread_mutex_unlock(&h->lock);
  mynt_status st;
  if(!redirect_uri || strcmp(redirect_uri, c.grant.redirect_uri) != 0)
    st = s_token_error(r, "invalid_grant");
  else if(c.grant.challenge && !verifier)
    st = s_token_error(r, "invalid_request");
  else if(c.grant.challenge && !s_verifier_matches(verifier, c.grant.challenge))
    st = s_token_error(r, "invalid_grant");
  else {
    char refresh[64];
    st = s_random_text(refresh, sizeof(refresh)) ? MYNT_OK : MYNT_INTERNAL;
    if(!st)
      st = s_token_answer(h, &c.who, c.grant.scope, c.auth_time_s, refresh, req->now_ms, r);
    if(!st) {
      pthread_mutex_lock(&h->lock);
      s_expire(h, req->now_ms);
      s_refresh *t = &h->refresh[h->n_refresh];
      memcpy(t->token, refresh, sizeof(refresh));
      t->scope = c.grant.scope;
      t->who = c.who;
      t->auth_time_s = c.auth_time_s;
      c.grant.scope = NULL;
      memset(&c.who, 0, sizeof(c.who));
      h->n_refresh++;
      pthread_mutex_unlock(&h->lock);
    }
    mynt_wipe(refresh, sizeof(refresh));
  }
  s_code_free(&c);
  return st;
}

static mynt_status s_token_by_refresh(hosted_ui *h, const hosted_ui_request *req, const char *token, response_http *r)
{
  pthread_mutex_lock(&h->lock);
  size_t i = 0;
  while(i < h->n_refresh && !(token && strcmp(h->refresh[i].token, token) == 0))
    i++;
  s_principal who = {0};
  char *scope = NULL;
  int64_t auth_time_s = 0;
  mynt_status st = MYNT_NOT_FOUND;
  if(i < h->n_refresh) {
    st = s_principal_copy(&h->refresh[i].who, &who);
    scope = strdup(h->refresh[i].scope);
    auth_time_s = h->refresh[i].auth_time_s;
    if(!st && !scope)
      st = MYNT_NOMEM;
  }
  pthread_mutex_unlock(&h->lock);
  if(st == MYNT_NOT_FOUND)
    st = s_token_error(r, "invalid_grant");
  else if(!st) /* Cognito answers new ID and access tokens, and no new refresh token */
    st = s_token_answer(h, &who, scope, auth_time_s, NULL, req->now_ms, r);
  s_principal_free(&who);
  free(scope);
  return st;
}

/* Returns true for a form POST, as the OAuth endpoints take; otherwise answers their refusal into r (405, or 400
 * invalid_request) with *out_st and returns false. */
static bool s_form_post(const hosted_ui_request *req, response_http *r, mynt_status *out_st)
{
  if(strcmp(req->method, "POST") != 0)
    *out_st = s_answer(r, 405, "application/json;charset=UTF-8", "{\"error\":\"invalid_request\"}");
  else if(!req->content_type || strncasecmp(req->content_type, "application/x-www-form-urlencoded", 33) != 0)
    *out_st = s_token_error(r, "invalid_request");
  else
    return true;
  return false;
}

static mynt_status s_token(hosted_ui *h, const hosted_ui_request *req, response_http *r)
{
  mynt_status refused;
  if(!s_form_post(req, r, &refused))
    return refused;
  bool bad = false;
  const char *b = req->body ? req->body : "";
  char *grant = s_form_value(b, req->body_len, "grant_type", &bad);
  char *client = s_form_value(b, req->body_len, "client_id", &bad);
  char *code = s_form_value(b, req->body_len, "code", &bad);
  char *redirect_uri = s_form_value(b, req->body_len, "redirect_uri", &bad);
  char *verifier = s_form_value(b, req->body_len, "code_verifier", &bad);
  char *refresh = s_form_value(b, req->body_len, "refresh_token", &bad);
  mynt_status st;
  if(bad || !grant || !client)
    st = s_token_error(r, "invalid_request");
  else if(strcmp(client, h->cfg->client_id) != 0)
    st = s_token_error(r, "invalid_client");
  else if(strcmp(grant, "authorization_code") == 0)
    st = code ? s_token_by_code(h, req, code, redirect_uri, verifier, r) : s_token_error(r, "invalid_request");
  else if(strcmp(grant, "refresh_token") == 0)
    st = refresh ? s_token_by_refresh(h, req, refresh, r) : s_token_error(r, "invalid_request");
  else if(strcmp(grant, "client_credentials") == 0)
    st = s_token_error(r, "unauthorized_client");
  else
    st = s_token_error(r, "unsupported_grant_type");
  /* Cognito's token endpoint answers browsers of any origin (a single-page app exchanges its code there). */
  if(!st)
    st = response_add_header(r, "Access-Control-Allow-Origin", "*");
  free(grant);
  free(client);
  mynt_wipe_free(code);
  free(redirect_uri);
  mynt_wipe_free(verifier);
  mynt_wipe_free(refresh);
  return st;
}

/* ---- revocation: /oauth2/revoke and RevokeToken --------------------------------------------- */

/* Writes the SHA-256 of text into out. Returns false when the digest cannot be made. */
static bool s_digest(const char *text, unsigned char out[32])
{
  unsigned int len = 0;
  return EVP_Digest(text, strlen(text), out, &len, EVP_sha256(), NULL) == 1 && len == 32;
}

/* Returns the index of the pool's revoked refresh token with digest d, or n_revoked. Caller holds the lock. */
static size_t s_revoked_index(const hosted_ui *h, const unsigned char d[32])
{
  size_t i = 0;
  while(i < h->n_revoked && memcmp(h->revoked[i].digest, d, 32) != 0)
    i++;
  return i;
}

/* Returns true when token (NULL: false) is a revoked refresh token of the pool's. */
static bool s_refresh_revoked(hosted_ui *h, const char *token)
{
  unsigned char d[32];
  if(!token || !s_digest(token, d))
    return false;
  pthread_mutex_lock(&h->lock);
  bool revoked = s_revoked_index(h, d) < h->n_revoked;
  pthread_mutex_unlock(&h->lock);
  return revoked;
}

/* Returns the claims of the compact JWT token (NULL: none), unverified, or NULL when it has none: for the pool's own
 * answers and for looking a token up among the revoked, never to trust a token. Caller json_decref. */
static json_t *s_jwt_claims(const char *token)
{
  const char *dot = token ? strchr(token, '.') : NULL;
  const char *end = dot ? strchr(dot + 1, '.') : NULL;
  json_t *claims = NULL;
  if(end && json_from_b64url(dot + 1, (size_t)(end - dot - 1), S_MAX_TOKEN, &claims) != MYNT_OK)
    claims = NULL;
  return claims;
}

/* Returns true when access_token (NULL: false) was issued from a refresh token revoked here: Cognito then refuses it
 * in its own APIs (an API Gateway JWT authorizer still accepts it until it expires). */
static bool s_access_revoked(hosted_ui *h, const char *access_token)
{
  json_t *claims = s_jwt_claims(access_token);
  const char *origin = json_member_string(claims, "origin_jti");
  bool revoked = false;
  pthread_mutex_lock(&h->lock);
  for(size_t i = 0; origin && *origin && i < h->n_revoked && !revoked; i++)
    revoked = strcmp(h->revoked[i].origin_jti, origin) == 0;
  pthread_mutex_unlock(&h->lock);
  json_decref(claims);
  return revoked;
}

/* What a revocation came to. */
typedef enum {
  S_REVOKE_DONE,        /* revoked now, or nothing to revoke (unknown, already revoked, another client's) */
  S_REVOKE_NOT_REFRESH, /* an ID or access token (a JWT), which Cognito does not revoke */
  S_REVOKE_FULL,        /* the local list of revoked tokens is full */
} s_revoke_result;

/* Asks the pool whether token is a live refresh token of the client: its answer to REFRESH_TOKEN_AUTH names the
 * client (the ID token's aud) and the origin_jti of the tokens issued from it. Sets *out_live and copies the origin_jti
 * into origin (64 bytes). Returns MYNT_OK, MYNT_UPSTREAM (the pool could not be asked or failed), MYNT_NOMEM. */
static mynt_status s_pool_refresh_owner(hosted_ui *h, const char *token, bool *out_live, char origin[64])
{
  *out_live = false;
  origin[0] = '\0';
  char *body = s_dump_stolen(json_pack("{s:s, s:s, s:{s:s}}", "ClientId", h->cfg->client_id, "AuthFlow",
                                       "REFRESH_TOKEN_AUTH", "AuthParameters", "REFRESH_TOKEN", token));
  if(!body)
    return MYNT_NOMEM;
  mynt_buf answer;
  buf_init(&answer, S_MAX_ANSWER);
  long http = 0;
  mynt_status st = h->backend.cognito(h->backend.ctx, "InitiateAuth", body, &http, &answer);
  mynt_wipe_free(body);
  json_t *doc = !st ? json_loadb(answer.ptr ? answer.ptr : "", answer.len, 0, NULL) : NULL;
  if(answer.ptr)
    mynt_wipe(answer.ptr, answer.len);
  buf_free(&answer);
  const char *type = json_member_string(doc, "__type");
  if(st)
    st = st == MYNT_NOMEM ? st : MYNT_UPSTREAM;
  else if(http != 200) /* a token the pool does not know, or no longer honours, has nothing left to revoke */
    st = type && (strstr(type, "NotAuthorizedException") || strstr(type, "ResourceNotFoundException")) ? MYNT_OK
                                                                                                       : MYNT_UPSTREAM;
  else {
    const json_t *result = json_object_get(doc, "AuthenticationResult");
    json_t *id = s_jwt_claims(json_member_string(result, "IdToken"));
    json_t *access = s_jwt_claims(json_member_string(result, "AccessToken"));
    const char *aud = json_member_string(id, "aud");
    *out_live = aud && strcmp(aud, h->cfg->client_id) == 0;
    json_member_copy(access, "origin_jti", origin, 64);
    json_decref(id);
    json_decref(access);
  }
  json_decref(doc);
  return st;
}

/* Revokes the refresh token token of h's client (the caller checked the client) as Cognito does: one of the
 * stand-in's own (from /oauth2/token) is forgotten, so /oauth2/token refuses it; one of the pool's (moto's, from
 * InitiateAuth, which moto cannot revoke one at a time) is confirmed with the pool and listed as revoked, so
 * InitiateAuth through mynt-local refuses it and the access tokens issued from it. Idempotent. Sets *out; returns
 * MYNT_OK, MYNT_UPSTREAM (the pool could not be asked), MYNT_INTERNAL, MYNT_NOMEM. */
static mynt_status s_revoke(hosted_ui *h, const char *token, s_revoke_result *out)
{
  *out = S_REVOKE_DONE;
  size_t dots = 0;
  for(const char *c = token; *c; c++)
    dots += *c == '.';
  if(dots == 2) {
    *out = S_REVOKE_NOT_REFRESH;
    return MYNT_OK;
  }
  unsigned char d[32];
  if(!s_digest(token, d))
    return MYNT_INTERNAL;
  pthread_mutex_lock(&h->lock);
  size_t i = 0;
  while(i < h->n_refresh && strcmp(h->refresh[i].token, token) != 0)
    i++;
  bool own = i < h->n_refresh;
  if(own) {
    s_refresh_free(&h->refresh[i]);
    memmove(&h->refresh[i], &h->refresh[i + 1], (h->n_refresh - i - 1) * sizeof(h->refresh[0]));
    h->n_refresh--;
  }
  bool known = own || s_revoked_index(h, d) < h->n_revoked;
  pthread_mutex_unlock(&h->lock);
  if(known)
    return MYNT_OK;
  bool live = false;
  char origin[64];
  mynt_status st = s_pool_refresh_owner(h, token, &live, origin);
  if(st || !live)
    return st;
  pthread_mutex_lock(&h->lock);
  if(s_revoked_index(h, d) < h->n_revoked)
    ; /* revoked meanwhile by another request */
  else if(h->n_revoked == S_MAX_REVOKED)
    *out = S_REVOKE_FULL;
  else {
    s_revoked *rv = &h->revoked[h->n_revoked++];
    memcpy(rv->digest, d, sizeof(d));
    memcpy(rv->origin_jti, origin, sizeof(origin));
  }
  pthread_mutex_unlock(&h->lock);
  return MYNT_OK;
}

/* POST /oauth2/revoke (form: token, client_id; the client has no secret): 200 with an empty body when the token is
 * revoked or was nothing to revoke; {"error"} with 400 invalid_request (no token), 401 invalid_client, 400
 * unsupported_token_type (an ID or access token), as Cognito answers. */
static mynt_status s_revoke_endpoint(hosted_ui *h, const hosted_ui_request *req, response_http *r)
{
  mynt_status refused;
  if(!s_form_post(req, r, &refused))
    return refused;
  bool bad = false;
  const char *b = req->body ? req->body : "";
  char *token = s_form_value(b, req->body_len, "token", &bad);
  char *client = s_form_value(b, req->body_len, "client_id", &bad);
  s_revoke_result result = S_REVOKE_DONE;
  mynt_status st = MYNT_OK;
  if(bad || !token || !*token)
    st = s_token_error(r, "invalid_request");
  else if(!client || strcmp(client, h->cfg->client_id) != 0)
    st = s_oauth_error(r, 401, "invalid_client");
  else if((st = s_revoke(h, token, &result)) == MYNT_UPSTREAM || (!st && result == S_REVOKE_FULL))
    st = s_oauth_error(r, 500, "server_error");
  else if(!st)
    st = result == S_REVOKE_NOT_REFRESH ? s_token_error(r, "unsupported_token_type")
                                        : s_answer(r, 200, "application/json;charset=UTF-8", "");
  /* Like the token endpoint, it answers a single-page app of any origin. */
  if(!st)
    st = response_add_header(r, "Access-Control-Allow-Origin", "*");
  mynt_wipe_free(token);
  free(client);
  return st;
}

/* ---- /logout and /error ------------------------------------------------------------------ */

static mynt_status s_logout(hosted_ui *h, const hosted_ui_request *req, response_http *r)
{
  bool bad = false;
  size_t ql = strlen(req->query);
  char *client = s_form_value(req->query, ql, "client_id", &bad);
  char *logout_uri = s_form_value(req->query, ql, "logout_uri", &bad);
  mynt_status st;
  if(bad || !client || strcmp(client, h->cfg->client_id) != 0)
    st = s_to_error_page(r, "invalid_request");
  else if(!s_in_list(h->cfg->logout_urls, h->cfg->n_logout_urls, logout_uri))
    st = s_to_error_page(r, "redirect_mismatch");
  else
    st = s_redirect(r, logout_uri); /* the hosted UI keeps no session locally: nothing else to end */
  free(client);
  free(logout_uri);
  return st;
}

static mynt_status s_error_page(const hosted_ui_request *req, response_http *r)
{
  bool bad = false;
  char *error = s_form_value(req->query, strlen(req->query), "error", &bad);
  mynt_buf html;
  buf_init(&html, S_MAX_PAGE);
  mynt_status st = buf_appends(&html, "<h1 id=\"title\">An error was encountered with the requested page.</h1><p>");
  if(!st)
    st = s_append_html(&html, error ? error : "invalid_request");
  if(!st)
    st = buf_appends(&html, "</p><p>(mynt-local's stand-in for the Cognito hosted UI.)</p>");
  if(!st)
    st = s_page(r, 400, "Error", buf_cstr(&html));
  buf_free(&html);
  free(error);
  return st;
}

mynt_status hosted_ui_handle(hosted_ui *h, const hosted_ui_request *req, response_http *r)
{
  bool get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
  if(strcmp(req->path, "/oauth2/token") == 0)
    return s_token(h, req, r);
  if(strcmp(req->path, "/oauth2/revoke") == 0)
    return s_revoke_endpoint(h, req, r);
  if(strcmp(req->path, "/oauth2/idpresponse") == 0 && strcmp(req->method, "POST") == 0)
    return s_idpresponse(h, req, r);
  if(!get)
    return s_answer(r, 405, "text/plain; charset=utf-8", "Method Not Allowed\n");
  if(strcmp(req->path, "/oauth2/authorize") == 0)
    return s_authorize(h, req, r);
  if(strcmp(req->path, "/logout") == 0)
    return s_logout(h, req, r);
  return s_error_page(req, r);
}

/* ---- cognito-idp: AdminLinkProviderForUser, ListUsers --------------------------------------- */

/* Checks the SigV4 Authorization of a cognito-idp call; answers the error into r and returns false when it is not
 * one for cognito-idp in the region. */
static bool s_signed_for_cognito(hosted_ui *h, const char *authorization, response_http *r, mynt_status *out_st)
{
  char scope[96];
  snprintf(scope, sizeof(scope), "/%s/cognito-idp/aws4_request", h->region);
  if(!authorization || strncmp(authorization, "AWS4-HMAC-SHA256 Credential=", 28) != 0 ||
     !strstr(authorization, "SignedHeaders=") || !strstr(authorization, "Signature=")) {
    *out_st = s_cognito_error(r, "MissingAuthenticationTokenException", "Missing Authentication Token");
    return false;
  }
  if(!strstr(authorization, scope)) {
    *out_st = s_cognito_error(r, "InvalidSignatureException",
                              "Credential should be scoped to correct service: 'cognito-idp' and region.");
    return false;
  }
  return true;
}

/* Asks the pool for user (AdminGetUser); on success copies its Username, sub and email into *out. Returns MYNT_OK,
 * MYNT_NOT_FOUND (no such user), MYNT_UPSTREAM (the pool failed otherwise), MYNT_NOMEM. */
static mynt_status s_pool_user(hosted_ui *h, const char *user, s_principal *out)
{
  char *body = s_dump_stolen(json_pack("{s:s, s:s}", "UserPoolId", h->cfg->user_pool_id, "Username", user));
  if(!body)
    return MYNT_NOMEM;
  mynt_buf answer;
  buf_init(&answer, S_MAX_ANSWER);
  long http = 0;
  mynt_status st = h->backend.cognito(h->backend.ctx, "AdminGetUser", body, &http, &answer);
  free(body);
  json_t *doc = !st ? json_loadb(answer.ptr ? answer.ptr : "", answer.len, 0, NULL) : NULL;
  buf_free(&answer);
  if(st) {
    json_decref(doc);
    return st == MYNT_NOMEM ? st : MYNT_UPSTREAM;
  }
  const char *type = json_member_string(doc, "__type");
  if(http != 200) {
    st = type && strstr(type, "UserNotFoundException") ? MYNT_NOT_FOUND : MYNT_UPSTREAM;
    json_decref(doc);
    return st;
  }
  const char *sub = NULL, *email = NULL;
  size_t i;
  const json_t *a;
  json_array_foreach(json_object_get(doc, "UserAttributes"), i, a) {
    const char *name = json_member_string(a, "Name");
    if(name && strcmp(name, "sub") == 0)
      sub = json_member_string(a, "Value");
    else if(name && strcmp(name, "email") == 0)
      email = json_member_string(a, "Value");
  }
  const char *username = json_member_string(doc, "Username");
  st = MYNT_UPSTREAM;
  if(username && sub && email) {
    out->username = strdup(username);
    out->sub = strdup(sub);
    out->email = strdup(email);
    st = out->username && out->sub && out->email ? MYNT_OK : MYNT_NOMEM;
  }
  json_decref(doc);
  return st;
}

static mynt_status s_admin_link(hosted_ui *h, const hosted_ui_request *req, response_http *r)
{
  json_t *doc = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
  const json_t *dest = json_object_get(doc, "DestinationUser");
  const json_t *src = json_object_get(doc, "SourceUser");
  const char *pool = json_member_string(doc, "UserPoolId");
  const char *dest_provider = json_member_string(dest, "ProviderName");
  const char *dest_value = json_member_string(dest, "ProviderAttributeValue");
  const char *src_provider = json_member_string(src, "ProviderName");
  const char *src_name = json_member_string(src, "ProviderAttributeName");
  const char *src_value = json_member_string(src, "ProviderAttributeValue");
  s_principal who = {0};
  mynt_status st = MYNT_OK;
  if(!doc)
    st = s_cognito_error(r, "SerializationException", "The request body is not JSON.");
  else if(!pool || !dest_provider || !dest_value || !src_provider || !src_name || !src_value)
    st = s_cognito_error(r, "InvalidParameterException",
                         "UserPoolId, DestinationUser (ProviderName, ProviderAttributeValue) and SourceUser "
                         "(ProviderName, ProviderAttributeName, ProviderAttributeValue) are required.");
  else if(strcmp(pool, h->cfg->user_pool_id) != 0)
    st = s_cognito_error(r, "ResourceNotFoundException", "User pool does not exist.");
  else if(strcmp(dest_provider, "Cognito") != 0)
    st = s_cognito_error(r, "InvalidParameterException", "DestinationUser's ProviderName must be Cognito.");
  else if(!s_in_list(h->cfg->providers, h->cfg->n_providers, src_provider) || strcmp(src_provider, "COGNITO") == 0)
    st = s_cognito_error(r, "InvalidParameterException",
                         "SourceUser's ProviderName is not an identity provider of "
                         "the user pool.");
  else if(strcmp(src_provider, S_GOOGLE) != 0 || strcmp(src_name, "Cognito_Subject") != 0 ||
          strspn(src_value, "0123456789") != strlen(src_value) || strlen(src_value) > 64)
    st = s_cognito_error(r, "InvalidParameterException",
                         "mynt-local links Google identities by Cognito_Subject (the Google sub) only.");
  if(st || r->status != 200)
    goto cleanup;
  if((st = s_pool_user(h, dest_value, &who)) == MYNT_NOT_FOUND) {
    st = s_cognito_error(r, "UserNotFoundException", "User does not exist.");
    goto cleanup;
  }
  if(st == MYNT_UPSTREAM) {
    st = s_cognito_error(r, "InternalErrorException", "The user pool could not be read.");
    goto cleanup;
  }
  if(st)
    goto cleanup;
  if(!(who.google_sub = strdup(src_value))) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  who.linked = true;
  who.email_verified = true;
  who.identity_created_ms = req->now_ms;
  pthread_mutex_lock(&h->lock);
  s_principal existing = {0};
  mynt_status found = s_find_principal(h, src_value, &existing);
  bool same = found == MYNT_OK && existing.linked && strcmp(existing.sub, who.sub) == 0;
  if(found == MYNT_OK && !same) /* message ours: Cognito refuses to link a source user that already exists */
    st = s_cognito_error(r, "InvalidParameterException",
                         "Merging is not currently supported: the source user "
                         "already exists in the user pool.");
  else if(found == MYNT_OK)
    st = s_answer(r, 200, "application/x-amz-json-1.1", "{}");
  else if(found != MYNT_NOT_FOUND || h->n_links == S_MAX_ENTRIES)
    st = found == MYNT_NOMEM ? MYNT_NOMEM : s_cognito_error(r, "LimitExceededException", "Too many links locally.");
  else {
    h->links[h->n_links++].who = who;
    memset(&who, 0, sizeof(who));
    st = s_answer(r, 200, "application/x-amz-json-1.1", "{}");
  }
  pthread_mutex_unlock(&h->lock);
  s_principal_free(&existing);
cleanup:
  s_principal_free(&who);
  json_decref(doc);
  return st;
}

/* Appends the federated user u to users as ListUsers shows it (UserStatus EXTERNAL_PROVIDER). */
static mynt_status s_list_federated(const s_user *u, json_t *users)
{
  char *ids_text = s_dump_stolen(s_identities(&u->who));
  double when = (double)u->created_ms / 1000.0;
  json_t *entry = ids_text ? json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}], s:f, s:f, s:b, "
                                       "s:s}",
                                       "Username", u->who.username, "Attributes", "Name", "sub", "Value", u->who.sub,
                                       "Name", "identities", "Value", ids_text, "Name", "email_verified", "Value",
                                       u->who.email_verified ? "true" : "false", "Name", "email", "Value", u->who.email,
                                       "UserCreateDate", when, "UserLastModifiedDate", when, "Enabled", 1, "UserStatus",
                                       "EXTERNAL_PROVIDER")
                           : NULL;
  free(ids_text);
  return entry && json_array_append_new(users, entry) == 0 ? MYNT_OK : MYNT_NOMEM;
}

/* Returns the address of a Filter `email = "..."` (malloc'd), or NULL for any other filter. */
static char *s_email_filter(const char *filter)
{
  const char *p = filter;
  if(!p || strncmp(p, "email", 5) != 0)
    return NULL;
  p += 5;
  while(*p == ' ')
    p++;
  if(*p++ != '=')
    return NULL;
  while(*p == ' ')
    p++;
  size_t n = strlen(p);
  if(n < 2 || p[0] != '"' || p[n - 1] != '"')
    return NULL;
  return strndup(p + 1, n - 2);
}

/* ListUsers: the pool's answer, as Cognito would give it: a CONFIRMED user of a pool that verifies email on
 * confirmation has email_verified "true" (moto leaves it out), and the federated users the stand-in keeps are
 * listed too. */
static mynt_status s_list_users(hosted_ui *h, const hosted_ui_request *req, response_http *r)
{
  mynt_buf answer;
  buf_init(&answer, S_MAX_ANSWER);
  long http = 0;
  char *body = strndup(req->body ? req->body : "", req->body_len);
  if(!body)
    return MYNT_NOMEM;
  mynt_status st = h->backend.cognito(h->backend.ctx, "ListUsers", body, &http, &answer);
  json_t *query = json_loads(body, 0, NULL);
  free(body);
  json_t *doc = NULL;
  char *text = NULL, *email = NULL;
  if(st) {
    st = st == MYNT_NOMEM ? st : s_cognito_error(r, "InternalErrorException", "The user pool could not be reached.");
    goto cleanup;
  }
  doc = json_loadb(answer.ptr ? answer.ptr : "", answer.len, 0, NULL);
  json_t *users = json_object_get(doc, "Users");
  if(http != 200 || !json_is_array(users)) {
    /* the pool's own refusal, passed on as it came */
    st = s_answer(r, (int)(http >= 400 && http < 600 ? http : 500), "application/x-amz-json-1.1", buf_cstr(&answer));
    goto cleanup;
  }
  size_t i;
  json_t *u;
  json_array_foreach(users, i, u) {
    const char *status = json_member_string(u, "UserStatus");
    json_t *attrs = json_object_get(u, "Attributes");
    bool has_verified = false;
    size_t j;
    const json_t *a;
    json_array_foreach(attrs, j, a) {
      const char *name = json_member_string(a, "Name");
      has_verified = has_verified || (name && strcmp(name, "email_verified") == 0);
    }
    if(h->cfg->auto_verified_email && status && strcmp(status, "CONFIRMED") == 0 && !has_verified &&
       json_is_array(attrs))
      json_array_append_new(attrs, json_pack("{s:s, s:s}", "Name", "email_verified", "Value", "true"));
  }
  email = s_email_filter(json_member_string(query, "Filter"));
  if(email && !json_object_get(doc, "PaginationToken")) {
    pthread_mutex_lock(&h->lock);
    for(i = 0; i < h->n_users && !st; i++)
      if(strcmp(h->users[i].who.email, email) == 0)
        st = s_list_federated(&h->users[i], users);
    pthread_mutex_unlock(&h->lock);
  }
  if(!st && !(text = json_dumps(doc, JSON_COMPACT)))
    st = MYNT_NOMEM;
  if(!st)
    st = s_answer(r, 200, "application/x-amz-json-1.1", text);
cleanup:
  free(text);
  free(email);
  json_decref(doc);
  json_decref(query);
  buf_free(&answer);
  return st;
}

/* Makes r (its status set to status) answer browsers of any origin, for the public actions and their preflight. */
static mynt_status s_allow_browsers(response_http *r, int status)
{
  static const char *const headers[][2] = {
    {"Access-Control-Allow-Origin", "*"},
    {"Access-Control-Allow-Methods", "POST"},
    {"Access-Control-Allow-Headers", "content-type, x-amz-target, x-amz-user-agent"},
    {"Access-Control-Max-Age", "600"},
  };
  r->status = status;
  mynt_status st = MYNT_OK;
  for(size_t i = 0; i < sizeof(headers) / sizeof(headers[0]) && !st; i++)
    st = response_add_header(r, headers[i][0], headers[i][1]);
  return st;
}

/* RevokeToken {Token, ClientId[, ClientSecret]}: 200 with an empty body, or Cognito's error. */
static mynt_status s_revoke_token(hosted_ui *h, const json_t *doc, response_http *r)
{
  const char *token = json_member_string(doc, "Token");
  const char *client = json_member_string(doc, "ClientId");
  if(!token || !client || !*token || !*client)
    return s_cognito_error(r, "InvalidParameterException", "Token and ClientId are required.");
  if(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=.") != strlen(token))
    return s_cognito_error(r, "InvalidParameterException",
                           "1 validation error detected: Value at 'token' failed to satisfy constraint: Member must "
                           "satisfy regular expression pattern: [A-Za-z0-9-_=.]+");
  /* message ours: the local pool has one app client, without a secret */
  if(strcmp(client, h->cfg->client_id) != 0 || json_object_get(doc, "ClientSecret"))
    return s_cognito_error(r, "UnauthorizedException", "Invalid client id or secret.");
  s_revoke_result result = S_REVOKE_DONE;
  mynt_status st = s_revoke(h, token, &result);
  if(st == MYNT_UPSTREAM || (!st && result == S_REVOKE_FULL))
    return s_cognito_error(r, "InternalErrorException", "The token could not be revoked locally.");
  if(st)
    return st;
  if(result == S_REVOKE_NOT_REFRESH)
    return s_cognito_error(r, "UnsupportedTokenTypeException", "Only refresh tokens can be revoked.");
  return s_answer(r, 200, "application/x-amz-json-1.1", "");
}

/* The user pool's public actions (no AWS credentials: the app client, a session or a user's token authorizes them)
 * that mynt-local passes to the pool's endpoint for the web app, minding what was revoked here. */
static const char *const s_public_actions[] = {"SignUp",
                                               "ConfirmSignUp",
                                               "ResendConfirmationCode",
                                               "InitiateAuth",
                                               "RespondToAuthChallenge",
                                               "ForgotPassword",
                                               "ConfirmForgotPassword",
                                               "GetUser",
                                               "GlobalSignOut",
                                               "ChangePassword",
                                               "RevokeToken"};

static bool s_is_public(const char *action)
{
  for(size_t i = 0; i < sizeof(s_public_actions) / sizeof(s_public_actions[0]); i++)
    if(strcmp(action, s_public_actions[i]) == 0)
      return true;
  return false;
}

/* A public action: RevokeToken answered here; a refresh with a revoked refresh token, or a call with an access token
 * issued from one, refused as Cognito refuses them; anything else passed to the pool and its answer passed back. */
static mynt_status s_public_call(hosted_ui *h, const hosted_ui_request *req, const char *action, response_http *r)
{
  json_t *doc = json_loadb(req->body ? req->body : "", req->body_len, 0, NULL);
  const char *flow = json_member_string(doc, "AuthFlow");
  mynt_status st = MYNT_OK;
  char *body = NULL;
  mynt_buf answer;
  buf_init(&answer, S_MAX_ANSWER);
  if(!json_is_object(doc))
    st = s_cognito_error(r, "SerializationException", "The request body is not a JSON object.");
  else if(strcmp(action, "RevokeToken") == 0)
    st = s_revoke_token(h, doc, r);
  else if(flow && (strcmp(flow, "REFRESH_TOKEN_AUTH") == 0 || strcmp(flow, "REFRESH_TOKEN") == 0) &&
          s_refresh_revoked(h, json_member_string(json_object_get(doc, "AuthParameters"), "REFRESH_TOKEN")))
    st = s_cognito_error(r, "NotAuthorizedException", "Refresh Token has been revoked");
  else if(s_access_revoked(h, json_member_string(doc, "AccessToken")))
    st = s_cognito_error(r, "NotAuthorizedException", "Access Token has been revoked");
  else if(!(body = strndup(req->body, req->body_len)))
    st = MYNT_NOMEM;
  else {
    long http = 0;
    st = h->backend.cognito(h->backend.ctx, action, body, &http, &answer);
    if(st)
      st = st == MYNT_NOMEM ? st : s_cognito_error(r, "InternalErrorException", "The user pool could not be reached.");
    else
      st = s_answer(r, (int)(http >= 200 && http < 600 ? http : 500), "application/x-amz-json-1.1", buf_cstr(&answer));
  }
  if(answer.ptr)
    mynt_wipe(answer.ptr, answer.len); /* tokens, passwords */
  buf_free(&answer);
  mynt_wipe_free(body);
  json_decref(doc);
  return st;
}

mynt_status hosted_ui_cognito(hosted_ui *h, const hosted_ui_request *req, response_http *r)
{
  response_free(r);
  if(strcmp(req->method, "OPTIONS") == 0) /* hosted_ui_is_cognito_preflight */
    return s_allow_browsers(r, 200);
  const char *action = req->target + strlen(S_TARGET);
  bool public = s_is_public(action);
  mynt_status st = MYNT_OK;
  if(!public && !s_signed_for_cognito(h, req->authorization, r, &st))
    return st;
  if(!req->content_type || strncasecmp(req->content_type, "application/x-amz-json-1.", 25) != 0)
    return s_cognito_error(r, "SerializationException", "Content-Type must be application/x-amz-json-1.1.");
  if(public)
    return (st = s_public_call(h, req, action, r)) ? st : s_allow_browsers(r, r->status);
  if(strcmp(action, "AdminLinkProviderForUser") == 0)
    return s_admin_link(h, req, r);
  if(strcmp(action, "ListUsers") == 0)
    return s_list_users(h, req, r);
  return s_cognito_error(r, "UnknownOperationException",
                         "mynt-local answers the web app's public actions, AdminLinkProviderForUser and ListUsers "
                         "here; the pool is at its own endpoint.");
}
