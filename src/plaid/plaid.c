/* plaid.c - the Plaid API client: configuration, one reusable connection, typed endpoints with retries inside a deadline. */
#include "plaid/plaid.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/wipe.h"
#include "plaid/plaid_http.h"

#define S_DEFAULT_RETRY_BASE_MS 200
#define S_DEFAULT_RETRY_CAP_MS  2000

static const char *const s_ca_bundles[] = {
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/certs/ca-certificates.crt",
};

mynt_status plaid_base_url_resolve(const char *base_url_override, const char *env, char *out, size_t cap)
{
  const char *url = NULL;
  if(cap)
    out[0] = '\0';
  if(base_url_override && *base_url_override) {
    if(strncmp(base_url_override, "https://", 8) != 0 && strncmp(base_url_override, "http://", 7) != 0)
      return MYNT_BAD_REQUEST;
    url = base_url_override;
  }
  else if(env && strcmp(env, "sandbox") == 0)
    url = "https://sandbox.plaid.com";
  else if(env && strcmp(env, "production") == 0)
    url = "https://production.plaid.com";
  else
    return MYNT_BAD_REQUEST;

  size_t n = strlen(url);
  while(n > 0 && url[n - 1] == '/')
    n--;
  if(n + 1 > cap || !str_is_token(url, n + 1))
    return MYNT_BAD_REQUEST;
  memcpy(out, url, n);
  out[n] = '\0';
  return MYNT_OK;
}

void plaid_config_wipe(plaid_config *cfg)
{
  mynt_wipe(cfg, sizeof *cfg);
}

mynt_status plaid_config_from_env(plaid_config *cfg, const char *client_id, const char *secret, mynt_detail *detail)
{
  mynt_status st = MYNT_BAD_REQUEST;
  memset(cfg, 0, sizeof *cfg);
  mynt_detail_clear(detail);
  if(plaid_base_url_resolve(getenv("PLAID_BASE_URL"), getenv("PLAID_ENV"), cfg->base_url, sizeof cfg->base_url)) {
    mynt_fail(detail, st, "set PLAID_ENV to sandbox or production, or PLAID_BASE_URL to an http(s) URL");
    goto cleanup;
  }
  if(!str_is_token(client_id, sizeof cfg->client_id - 1)) {
    mynt_fail(detail, st, "the Plaid client id is missing or malformed");
    goto cleanup;
  }
  if(!str_is_token(secret, sizeof cfg->secret - 1)) {
    mynt_fail(detail, st, "the Plaid secret is missing or malformed");
    goto cleanup;
  }
  snprintf(cfg->client_id, sizeof cfg->client_id, "%s", client_id);
  snprintf(cfg->secret, sizeof cfg->secret, "%s", secret);
  for(size_t i = 0; i < sizeof s_ca_bundles / sizeof s_ca_bundles[0]; i++) {
    if(access(s_ca_bundles[i], R_OK) == 0) {
      snprintf(cfg->ca_bundle, sizeof cfg->ca_bundle, "%s", s_ca_bundles[i]);
      break;
    }
  }
  cfg->retry_base_ms = S_DEFAULT_RETRY_BASE_MS;
  cfg->retry_cap_ms = S_DEFAULT_RETRY_CAP_MS;
  st = MYNT_OK;

cleanup:
  if(st)
    plaid_config_wipe(cfg);
  return st;
}

/* Wipes the header strings (they hold the secret) and frees the list. */
static void s_free_headers(struct curl_slist *list)
{
  for(struct curl_slist *h = list; h; h = h->next)
    mynt_wipe(h->data, strlen(h->data));
  curl_slist_free_all(list);
}

/* Appends "name: value" to *list; returns 0 on failure (then *list is freed and NULL). */
static int s_add_header(struct curl_slist **list, const char *name, const char *value)
{
  char line[300];
  /* "Name:" with nothing after the colon tells curl not to send that header at all. */
  int n = *value ? snprintf(line, sizeof line, "%s: %s", name, value) : snprintf(line, sizeof line, "%s:", name);
  struct curl_slist *next = NULL;
  if(n > 0 && (size_t)n < sizeof line)
    next = curl_slist_append(*list, line);
  mynt_wipe(line, sizeof line);
  if(!next) {
    s_free_headers(*list);
    *list = NULL;
    return 0;
  }
  *list = next;
  return 1;
}

void plaid_client_free(plaid_client *c)
{
  if(!c)
    return;
  if(c->multi)
    curl_multi_cleanup(c->multi);
  for(size_t i = 0; i < PLAID_MAX_PARALLEL; i++) {
    if(c->pool[i])
      curl_easy_cleanup(c->pool[i]);
  }
  if(c->easy)
    curl_easy_cleanup(c->easy);
  if(c->share)
    curl_share_cleanup(c->share);
  s_free_headers(c->headers);
  mynt_wipe(c, sizeof *c);
  free(c);
}

mynt_status plaid_client_new(const plaid_config *cfg, plaid_client **out_client)
{
  mynt_status st = MYNT_NOMEM;
  plaid_client *c = NULL;
  char base[sizeof cfg->base_url];
  *out_client = NULL;
  if(plaid_base_url_resolve(cfg->base_url, NULL, base, sizeof base) ||
     !str_is_token(cfg->client_id, sizeof cfg->client_id - 1) || !str_is_token(cfg->secret, sizeof cfg->secret - 1) ||
     cfg->retry_base_ms < 0 || cfg->retry_cap_ms < 0)
    return MYNT_BAD_REQUEST;
  c = calloc(1, sizeof *c);
  if(!c)
    return MYNT_NOMEM;
  memcpy(c->base_url, base, sizeof base);
  snprintf(c->ca_bundle, sizeof c->ca_bundle, "%s", cfg->ca_bundle);
  snprintf(c->webhook, sizeof c->webhook, "%s", cfg->webhook);
  if(backoff_init(&c->backoff, cfg->retry_base_ms ? cfg->retry_base_ms : S_DEFAULT_RETRY_BASE_MS,
                  cfg->retry_cap_ms ? cfg->retry_cap_ms : S_DEFAULT_RETRY_CAP_MS)) {
    st = MYNT_INTERNAL;
    goto cleanup;
  }

  if(!s_add_header(&c->headers, "PLAID-CLIENT-ID", cfg->client_id) ||
     !s_add_header(&c->headers, "PLAID-SECRET", cfg->secret) ||
     !s_add_header(&c->headers, "Plaid-Version", PLAID_API_VERSION) ||
     !s_add_header(&c->headers, "Content-Type", "application/json") ||
     !s_add_header(&c->headers, "Accept", "application/json") || !s_add_header(&c->headers, "Expect", ""))
    goto cleanup;

  c->share = curl_share_init();
  if(!c->share || curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) ||
     curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION))
    goto cleanup;
  c->easy = curl_easy_init();
  c->multi = curl_multi_init();
  if(!c->easy || !c->multi)
    goto cleanup;
  for(size_t i = 0; i < PLAID_MAX_PARALLEL; i++) {
    c->pool[i] = curl_easy_init();
    if(!c->pool[i])
      goto cleanup;
  }
  st = MYNT_OK;

cleanup:
  if(st) {
    plaid_client_free(c);
    return st;
  }
  *out_client = c;
  return MYNT_OK;
}

mynt_status plaid_call(plaid_client *c, const char *path, json_t *body, int64_t deadline_ms, json_t **out_response,
                       plaid_error *out_err)
{
  plaid_error scratch;
  plaid_error *err = out_err ? out_err : &scratch;
  plaid_http_exchange x;
  mynt_status st = MYNT_OK;
  *out_response = NULL;
  plaid_error_clear(err);
  if(!c || !path || !json_is_object(body)) {
    err->status = MYNT_BAD_REQUEST;
    err->kind = PLAID_ERR_INVALID_REQUEST;
    snprintf(err->detail, sizeof err->detail, "invalid arguments to plaid_call");
    return MYNT_BAD_REQUEST;
  }
  int64_t deadline = plaid_http_deadline(deadline_ms);
  plaid_error answered;
  plaid_error_clear(&answered);

  for(int attempt = 1;; attempt++) {
    /* A retry needs PLAID_HTTP_MIN_ATTEMPT_MS: the backoff may have overslept into it. */
    if(deadline - clock_epoch_ms() < (attempt == 1 ? 1 : PLAID_HTTP_MIN_ATTEMPT_MS)) {
      if(attempt == 1)
        plaid_http_deadline_error(err, 0);
      break;
    }
    st = plaid_http_begin(c, &x, c->easy, path, body, deadline);
    if(st) {
      plaid_error_clear(err);
      err->status = st;
      err->kind = PLAID_ERR_OTHER;
      err->attempts = attempt - 1;
      snprintf(err->detail, sizeof err->detail, "could not prepare the request: %s", mynt_strerror(st));
      return st;
    }
    CURLcode rc = curl_easy_perform(c->easy);
    plaid_http_finish(&x, rc, out_response, err);
    plaid_http_free(&x);
    err->attempts = attempt;
    plaid_http_keep_answer(&answered, rc, err);
    if(err->status == MYNT_OK || !plaid_error_retryable(err->kind))
      break;
    int64_t wait = plaid_http_backoff_ms(c, attempt);
    if(clock_epoch_ms() + wait + PLAID_HTTP_MIN_ATTEMPT_MS >= deadline)
      break;
    clock_sleep_ms(wait);
  }
  return err->status;
}

/* Builds a body with build_status/body, calls path, and drops the body. */
static mynt_status s_call_built(plaid_client *c, const char *path, mynt_status build_status, json_t *body,
                                int64_t deadline_ms, json_t **out_response, plaid_error *out_err)
{
  *out_response = NULL;
  if(build_status) {
    if(out_err) {
      plaid_error_clear(out_err);
      out_err->status = build_status;
      out_err->kind = build_status == MYNT_BAD_REQUEST ? PLAID_ERR_INVALID_REQUEST : PLAID_ERR_OTHER;
      snprintf(out_err->detail, sizeof out_err->detail, "request not sent: %s", mynt_strerror(build_status));
    }
    return build_status;
  }
  mynt_status st = plaid_call(c, path, body, deadline_ms, out_response, out_err);
  json_decref(body);
  return st;
}

mynt_status plaid_link_token_create(plaid_client *c, const char *client_user_id, const char *access_token,
                                    const char *webhook, bool account_selection, int64_t deadline_ms,
                                    json_t **out_response, plaid_error *out_err)
{
  json_t *body = NULL;
  mynt_status st = plaid_request_link_token_create(client_user_id, access_token, webhook ? webhook : c->webhook,
                                                   account_selection, &body);
  return s_call_built(c, "/link/token/create", st, body, deadline_ms, out_response, out_err);
}

mynt_status plaid_item_public_token_exchange(plaid_client *c, const char *public_token, int64_t deadline_ms,
                                             json_t **out_response, plaid_error *out_err)
{
  json_t *body = NULL;
  mynt_status st = plaid_request_public_token_exchange(public_token, &body);
  return s_call_built(c, "/item/public_token/exchange", st, body, deadline_ms, out_response, out_err);
}

/* Calls path with the body {access_token}. */
static mynt_status s_call_with_token(plaid_client *c, const char *path, const char *access_token, int64_t deadline_ms,
                                     json_t **out_response, plaid_error *out_err)
{
  json_t *body = NULL;
  mynt_status st = plaid_request_access_token(access_token, &body);
  return s_call_built(c, path, st, body, deadline_ms, out_response, out_err);
}

mynt_status plaid_item_get(plaid_client *c, const char *access_token, int64_t deadline_ms, json_t **out_response,
                           plaid_error *out_err)
{
  return s_call_with_token(c, "/item/get", access_token, deadline_ms, out_response, out_err);
}

mynt_status plaid_item_remove(plaid_client *c, const char *access_token, int64_t deadline_ms, json_t **out_response,
                              plaid_error *out_err)
{
  return s_call_with_token(c, "/item/remove", access_token, deadline_ms, out_response, out_err);
}

mynt_status plaid_accounts_get(plaid_client *c, const char *access_token, int64_t deadline_ms, json_t **out_response,
                               plaid_error *out_err)
{
  return s_call_with_token(c, "/accounts/get", access_token, deadline_ms, out_response, out_err);
}

/* Fills out_err (may be NULL) for an answer Plaid sent that lacks what the endpoint promises (detail: what is
 * missing) and returns its status (PLAID_ERR_MALFORMED's). */
static mynt_status s_malformed(plaid_error *out_err, const char *detail)
{
  mynt_status st = plaid_error_kind_status(PLAID_ERR_MALFORMED);
  if(out_err) {
    out_err->status = st;
    out_err->kind = PLAID_ERR_MALFORMED;
    snprintf(out_err->detail, sizeof out_err->detail, "%s", detail);
  }
  return st;
}

bool plaid_transactions_sync_answer_valid(const json_t *answer)
{
  const json_t *cursor = json_object_get(answer, "next_cursor");
  return json_is_array(json_object_get(answer, "added")) && json_is_array(json_object_get(answer, "modified")) &&
         json_is_array(json_object_get(answer, "removed")) && json_is_boolean(json_object_get(answer, "has_more")) &&
         json_is_string(cursor) && json_string_length(cursor) <= PLAID_CURSOR_MAX;
}

mynt_status plaid_transactions_sync(plaid_client *c, const char *access_token, const char *cursor, int count,
                                    int64_t deadline_ms, json_t **out_response, plaid_error *out_err)
{
  json_t *body = NULL;
  mynt_status st = plaid_request_transactions_sync(access_token, cursor, count, &body);
  st = s_call_built(c, "/transactions/sync", st, body, deadline_ms, out_response, out_err);
  if(st || plaid_transactions_sync_answer_valid(*out_response))
    return st;
  json_decref(*out_response);
  *out_response = NULL;
  return s_malformed(out_err, "the /transactions/sync answer lacks Plaid's members");
}

mynt_status plaid_webhook_verification_key_get(plaid_client *c, const char *key_id, int64_t deadline_ms,
                                               json_t **out_jwk, plaid_error *out_err)
{
  json_t *body = NULL;
  json_t *answer = NULL;
  *out_jwk = NULL;
  mynt_status st = plaid_request_webhook_verification_key(key_id, &body);
  st = s_call_built(c, "/webhook_verification_key/get", st, body, deadline_ms, &answer, out_err);
  if(st)
    return st;
  json_t *key = json_object_get(answer, "key");
  if(!json_is_object(key)) {
    json_decref(answer);
    return s_malformed(out_err, "the answer has no \"key\" object");
  }
  *out_jwk = json_incref(key);
  json_decref(answer);
  return MYNT_OK;
}
