/* authorizer.c - API Gateway's JWT authorizer: JWKS fetched and cached, tokens checked. */
#include "local/gateway/authorizer.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/clock.h"
#include "local/common/strv.h"
#include "local/gateway/jwt.h"

#define S_JWKS_MAX               (1u << 20)
#define S_FETCH_TIMEOUT_MS       5000L
#define S_RETRY_AFTER_FAILURE_MS 1000

struct authorizer {
  char *issuer;
  char **audiences;
  size_t n_audiences;
  char *jwks_url;
  int64_t min_refetch_ms;
  pthread_mutex_t lock;
  json_t *jwks;          /* the cached key set; NULL until a fetch succeeds */
  int64_t last_fetch_ms; /* monotonic time of the last attempt; 0 = never */
  int last_fetch_ok;
  unsigned fetches;
  const json_t *trusted; /* keys trusted beside the fetched ones (authorizer_trust_keys); NULL = none */
};

mynt_status authorizer_new(const local_config_authorizer *cfg, int64_t min_refetch_ms, authorizer **out)
{
  *out = NULL;
  authorizer *a = calloc(1, sizeof(*a));
  if(!a)
    return MYNT_NOMEM;
  pthread_mutex_init(&a->lock, NULL);
  a->min_refetch_ms = min_refetch_ms;
  a->issuer = strdup(cfg->issuer);
  a->jwks_url = strdup(cfg->jwks_url);
  if(!a->issuer || !a->jwks_url || strv_dup(cfg->audiences, cfg->n_audiences, &a->audiences))
    goto fail;
  a->n_audiences = cfg->n_audiences;
  *out = a;
  return MYNT_OK;
fail:
  authorizer_free(a);
  return MYNT_NOMEM;
}

void authorizer_free(authorizer *a)
{
  if(!a)
    return;
  strv_free(a->audiences, a->n_audiences);
  free(a->issuer);
  free(a->jwks_url);
  json_decref(a->jwks);
  pthread_mutex_destroy(&a->lock);
  free(a);
}

static size_t s_on_body(char *data, size_t size, size_t n, void *userp)
{
  mynt_buf *b = userp;
  return buf_append(b, data, size * n) == MYNT_OK ? size * n : 0;
}

/* Fetches the key set; returns it (new reference) or NULL. Never logs its content. */
static json_t *s_fetch_jwks(const char *url)
{
  mynt_buf body;
  buf_init(&body, S_JWKS_MAX);
  json_t *jwks = NULL;
  long code = 0;
  CURL *curl = curl_easy_init();
  if(!curl)
    goto cleanup;
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, S_FETCH_TIMEOUT_MS);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  if(rc != CURLE_OK || code != 200) {
    fprintf(stderr, "mynt-local: fetching the JWKS failed (%s, HTTP %ld)\n",
            rc != CURLE_OK ? curl_easy_strerror(rc) : "bad status", code);
    goto cleanup;
  }
  jwks = json_loadb(buf_cstr(&body), body.len, 0, NULL);
  if(!json_is_array(json_object_get(jwks, "keys"))) {
    fprintf(stderr, "mynt-local: the JWKS is not a key set\n");
    json_decref(jwks);
    jwks = NULL;
  }
cleanup:
  curl_easy_cleanup(curl);
  buf_free(&body);
  return jwks;
}

/* Returns the cached key set (new reference, possibly NULL), fetching it first when
 * refresh is asked for (or nothing is cached) and the rate limit allows. */
static json_t *s_key_set(authorizer *a, int refresh)
{
  pthread_mutex_lock(&a->lock);
  int64_t now = clock_mono_ms();
  int64_t wait = a->last_fetch_ok ? a->min_refetch_ms : S_RETRY_AFTER_FAILURE_MS;
  int want = refresh || !a->jwks;
  if(want && (a->fetches == 0 || now - a->last_fetch_ms >= wait)) {
    json_t *fresh = s_fetch_jwks(a->jwks_url);
    a->fetches++;
    a->last_fetch_ms = now;
    a->last_fetch_ok = fresh != NULL;
    if(fresh) {
      json_decref(a->jwks);
      a->jwks = fresh;
    }
  }
  json_t *jwks = json_incref(a->jwks);
  pthread_mutex_unlock(&a->lock);
  return jwks;
}

mynt_status authorizer_check(authorizer *a, const char *authorization, json_t **out_claims)
{
  *out_claims = NULL;
  if(!authorization)
    return MYNT_UNAUTHORIZED;
  const char *token = authorization;
  while(*token == ' ')
    token++;
  if(strncasecmp(token, "Bearer ", 7) == 0)
    token += 7;
  while(*token == ' ')
    token++;
  if(!*token)
    return MYNT_UNAUTHORIZED;
  jwt_policy policy = {a->issuer, (const char *const *)a->audiences, a->n_audiences};
  int64_t now_s = clock_epoch_ms() / 1000;
  mynt_status st = a->trusted ? jwt_verify(token, a->trusted, &policy, now_s, out_claims) : MYNT_NOT_FOUND;
  if(st != MYNT_NOT_FOUND)
    return st;
  json_t *jwks = s_key_set(a, 0);
  st = jwt_verify(token, jwks, &policy, now_s, out_claims);
  json_decref(jwks);
  if(st == MYNT_NOT_FOUND) {
    jwks = s_key_set(a, 1);
    st = jwt_verify(token, jwks, &policy, now_s, out_claims);
    json_decref(jwks);
  }
  if(st == MYNT_NOT_FOUND)
    st = MYNT_UNAUTHORIZED;
  return st;
}

void authorizer_trust_keys(authorizer *a, const json_t *jwks)
{
  a->trusted = jwks;
}

unsigned authorizer_fetch_count(authorizer *a)
{
  pthread_mutex_lock(&a->lock);
  unsigned n = a->fetches;
  pthread_mutex_unlock(&a->lock);
  return n;
}
