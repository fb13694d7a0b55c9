/* plaid_sim_webhook.c - the simulator's ES256 webhook keys, Plaid-Verification signing, and delivery from one sender thread over libcurl. */
#include "local/plaid_sim/plaid_sim_webhook.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "core/b64.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/hex.h"
#include "core/json.h"
#include "local/plaid_sim/plaid_sim_store.h"

#define S_COORD_LEN 32
/* Room for the base64url text of one coordinate. */
#define S_COORD_TEXT 48
/* Caps on the JWS parts signed here (the body is hashed, never embedded). */
#define S_PART_MAX 512
/* What a log entry keeps of the names it shows. */
#define S_NAME_MAX 64
#define S_ID_MAX   64

typedef struct {
  char kid[PLAID_SIM_WEBHOOK_KID_MAX];
  EVP_PKEY *pkey;
  char x[S_COORD_TEXT], y[S_COORD_TEXT];
  int64_t created_at;
  bool expires; /* expired_at is set (the key was rotated out) */
  int64_t expired_at;
} s_key;

/* A webhook waiting to be sent. Everything is owned. */
typedef struct {
  char *url;
  char *body;
  size_t body_len;
  char item_id[S_ID_MAX];
  char webhook_type[S_NAME_MAX];
  char webhook_code[S_NAME_MAX];
} s_job;

/* One finished delivery. status > 0 is an HTTP status; otherwise error names what happened. */
typedef struct {
  uint64_t id;
  char item_id[S_ID_MAX];
  char webhook_type[S_NAME_MAX];
  char webhook_code[S_NAME_MAX];
  char *url;
  char kid[PLAID_SIM_WEBHOOK_KID_MAX]; /* "" when nothing was signed */
  long status;
  const char *error; /* static; NULL when status is an HTTP status */
  int64_t delivered_ms;
} s_entry;

struct plaid_sim_webhooks {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_t sender;
  bool sender_started;
  bool stopping;
  int64_t (*now_ms)(void *ctx);
  void *now_ctx;

  s_key keys[PLAID_SIM_WEBHOOK_KEYS_MAX]; /* oldest first; the last one is current */
  size_t key_count;

  s_job queue[PLAID_SIM_WEBHOOK_QUEUE_MAX]; /* a ring */
  size_t queue_head, queue_count;
  bool in_flight;
  int drop_left;
  int stale_left;      /* deliveries still to sign with an old iat */
  int64_t stale_age_s; /* how old their iat is */

  s_entry log[PLAID_SIM_WEBHOOK_LOG_MAX]; /* a ring */
  size_t log_head, log_count;
  uint64_t next_id;
};

static int64_t s_now_ms(const plaid_sim_webhooks *w)
{
  return w->now_ms ? w->now_ms(w->now_ctx) : clock_epoch_ms();
}

/* ---- keys ---- */

/* Writes the base64url text of one public coordinate (OSSL_PKEY_PARAM_EC_PUB_X or _Y). */
static bool s_coord_text(EVP_PKEY *pkey, const char *param, char out[S_COORD_TEXT])
{
  BIGNUM *bn = NULL;
  unsigned char raw[S_COORD_LEN];
  bool ok = EVP_PKEY_get_bn_param(pkey, param, &bn) == 1 && BN_bn2binpad(bn, raw, sizeof raw) == S_COORD_LEN &&
            b64_url_encode(raw, sizeof raw, out, S_COORD_TEXT) == MYNT_OK;
  BN_free(bn);
  return ok;
}

/* Makes a new P-256 key with a uuid kid, created at now_s. */
static mynt_status s_key_make(int64_t now_s, s_key *out)
{
  char uuid[PLAID_SIM_TOKEN_MAX];
  memset(out, 0, sizeof *out);
  if(plaid_sim_store_token("", uuid))
    return MYNT_INTERNAL;
  snprintf(out->kid, sizeof out->kid, "%s", uuid);
  out->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  if(!out->pkey || !s_coord_text(out->pkey, OSSL_PKEY_PARAM_EC_PUB_X, out->x) ||
     !s_coord_text(out->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, out->y)) {
    EVP_PKEY_free(out->pkey);
    out->pkey = NULL;
    ERR_clear_error();
    return MYNT_INTERNAL;
  }
  out->created_at = now_s;
  return MYNT_OK;
}

static s_key *s_key_find(plaid_sim_webhooks *w, const char *kid)
{
  for(size_t i = 0; i < w->key_count; i++)
    if(strcmp(w->keys[i].kid, kid) == 0)
      return &w->keys[i];
  return NULL;
}

mynt_status plaid_sim_webhooks_key(plaid_sim_webhooks *w, const char *kid, json_t **out)
{
  mynt_status st = MYNT_NOT_FOUND;
  *out = NULL;
  pthread_mutex_lock(&w->lock);
  const s_key *k = kid ? s_key_find(w, kid) : NULL;
  if(k) {
    *out = json_pack("{s:s, s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s}", "alg", "ES256", "created_at",
                     (json_int_t)k->created_at, "crv", "P-256", "expired_at",
                     k->expires ? json_integer((json_int_t)k->expired_at) : json_null(), "kid", k->kid, "kty", "EC",
                     "use", "sig", "x", k->x, "y", k->y);
    st = *out ? MYNT_OK : MYNT_NOMEM;
  }
  pthread_mutex_unlock(&w->lock);
  return st;
}

void plaid_sim_webhooks_current_kid(plaid_sim_webhooks *w, char out[PLAID_SIM_WEBHOOK_KID_MAX])
{
  pthread_mutex_lock(&w->lock);
  snprintf(out, PLAID_SIM_WEBHOOK_KID_MAX, "%s", w->keys[w->key_count - 1].kid);
  pthread_mutex_unlock(&w->lock);
}

mynt_status plaid_sim_webhooks_rotate(plaid_sim_webhooks *w, int64_t grace_s, char out_kid[PLAID_SIM_WEBHOOK_KID_MAX],
                                      char out_previous[PLAID_SIM_WEBHOOK_KID_MAX])
{
  if(grace_s < 0 || grace_s > PLAID_SIM_WEBHOOK_MAX_GRACE_S)
    return MYNT_BAD_REQUEST;
  const int64_t now_s = s_now_ms(w) / 1000;
  s_key fresh;
  mynt_status st = s_key_make(now_s, &fresh);
  if(st)
    return st;
  pthread_mutex_lock(&w->lock);
  s_key *previous = &w->keys[w->key_count - 1];
  previous->expires = true;
  previous->expired_at = now_s + grace_s;
  snprintf(out_previous, PLAID_SIM_WEBHOOK_KID_MAX, "%s", previous->kid);
  if(w->key_count == PLAID_SIM_WEBHOOK_KEYS_MAX) {
    EVP_PKEY_free(w->keys[0].pkey);
    memmove(&w->keys[0], &w->keys[1], (w->key_count - 1) * sizeof w->keys[0]);
    w->key_count--;
  }
  w->keys[w->key_count++] = fresh;
  snprintf(out_kid, PLAID_SIM_WEBHOOK_KID_MAX, "%s", fresh.kid);
  pthread_mutex_unlock(&w->lock);
  return MYNT_OK;
}

/* ---- signing ---- */

/* Appends the base64url text of data[0..len) to out. */
static mynt_status s_append_b64url(mynt_buf *out, const void *data, size_t len)
{
  char text[2 * S_PART_MAX];
  if(b64_url_encoded_len(len) >= sizeof text)
    return MYNT_TOO_LARGE;
  mynt_status st = b64_url_encode(data, len, text, sizeof text);
  return st ? st : buf_appends(out, text);
}

/* Signs input[0..len) with pkey (ECDSA P-256 SHA-256) into the JWS form r || s. */
static mynt_status s_es256(EVP_PKEY *pkey, const void *input, size_t len, unsigned char out[2 * S_COORD_LEN])
{
  mynt_status st = MYNT_INTERNAL;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned char der[128];
  size_t der_len = sizeof der;
  ECDSA_SIG *sig = NULL;
  if(!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
     EVP_DigestSign(md, der, &der_len, input, len) != 1)
    goto cleanup;
  const unsigned char *p = der;
  sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
  if(!sig || BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, S_COORD_LEN) != S_COORD_LEN ||
     BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + S_COORD_LEN, S_COORD_LEN) != S_COORD_LEN)
    goto cleanup;
  st = MYNT_OK;
cleanup:
  ECDSA_SIG_free(sig);
  EVP_MD_CTX_free(md);
  ERR_clear_error();
  return st;
}

mynt_status plaid_sim_webhooks_sign(plaid_sim_webhooks *w, const void *body, size_t len, int64_t iat_s,
                                    char **out_token, char out_kid[PLAID_SIM_WEBHOOK_KID_MAX])
{
  unsigned char digest[EVP_MAX_MD_SIZE], sig[2 * S_COORD_LEN];
  unsigned int digest_len = 0;
  char hash[2 * EVP_MAX_MD_SIZE + 1], header[S_PART_MAX], claims[S_PART_MAX];
  char kid[PLAID_SIM_WEBHOOK_KID_MAX];
  mynt_buf token;
  buf_init(&token, 4 * S_PART_MAX);
  *out_token = NULL;
  if(EVP_Digest(len ? body : "", len, digest, &digest_len, EVP_sha256(), NULL) != 1)
    return MYNT_INTERNAL;
  hex_encode(digest, digest_len, hash);
  snprintf(claims, sizeof claims, "{\"iat\":%lld,\"request_body_sha256\":\"%s\"}", (long long)iat_s, hash);

  pthread_mutex_lock(&w->lock);
  s_key *k = &w->keys[w->key_count - 1];
  snprintf(kid, sizeof kid, "%s", k->kid);
  EVP_PKEY *pkey = k->pkey;
  EVP_PKEY_up_ref(pkey); /* a rotation may drop the key while this signs */
  pthread_mutex_unlock(&w->lock);

  snprintf(header, sizeof header, "{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
  mynt_status st = s_append_b64url(&token, header, strlen(header));
  if(!st)
    st = buf_appends(&token, ".");
  if(!st)
    st = s_append_b64url(&token, claims, strlen(claims));
  if(!st)
    st = s_es256(pkey, token.ptr, token.len, sig);
  if(!st)
    st = buf_appends(&token, ".");
  if(!st)
    st = s_append_b64url(&token, sig, sizeof sig);
  EVP_PKEY_free(pkey);
  if(st) {
    buf_free(&token);
    return st;
  }
  if(out_kid)
    memcpy(out_kid, kid, sizeof kid);
  *out_token = buf_detach(&token);
  return *out_token ? MYNT_OK : MYNT_NOMEM;
}

/* ---- the log ---- */

/* Appends a finished delivery (lock held); takes over url. */
static void s_log_add(plaid_sim_webhooks *w, const s_job *job, char *url, const char *kid, long status,
                      const char *error)
{
  if(w->log_count == PLAID_SIM_WEBHOOK_LOG_MAX) {
    free(w->log[w->log_head].url);
    w->log_head = (w->log_head + 1) % PLAID_SIM_WEBHOOK_LOG_MAX;
    w->log_count--;
  }
  s_entry *e = &w->log[(w->log_head + w->log_count++) % PLAID_SIM_WEBHOOK_LOG_MAX];
  memset(e, 0, sizeof *e);
  e->id = ++w->next_id;
  memcpy(e->item_id, job->item_id, sizeof e->item_id);
  memcpy(e->webhook_type, job->webhook_type, sizeof e->webhook_type);
  memcpy(e->webhook_code, job->webhook_code, sizeof e->webhook_code);
  e->url = url;
  snprintf(e->kid, sizeof e->kid, "%s", kid ? kid : "");
  e->status = status;
  e->error = error;
  e->delivered_ms = s_now_ms(w);
}

json_t *plaid_sim_webhooks_log(plaid_sim_webhooks *w)
{
  json_t *list = json_array();
  if(!list)
    return NULL;
  pthread_mutex_lock(&w->lock);
  bool ok = true;
  for(size_t i = 0; ok && i < w->log_count; i++) {
    const s_entry *e = &w->log[(w->log_head + i) % PLAID_SIM_WEBHOOK_LOG_MAX];
    char at[21];
    ok = !json_array_append_new(list,
                                json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:o, s:s}", "id", (json_int_t)e->id,
                                          "item_id", e->item_id, "webhook_type", e->webhook_type, "webhook_code",
                                          e->webhook_code, "url", e->url, "key_id", e->kid[0] ? e->kid : NULL, "status",
                                          e->error ? json_string(e->error) : json_integer((json_int_t)e->status),
                                          "delivered_at", clock_iso8601((time_t)(e->delivered_ms / 1000), at)));
  }
  const json_int_t pending = (json_int_t)(w->queue_count + (w->in_flight ? 1 : 0));
  const json_int_t dropping = w->drop_left;
  pthread_mutex_unlock(&w->lock);
  if(!ok) {
    json_decref(list);
    return NULL;
  }
  return json_pack("{s:o, s:I, s:I}", "webhooks", list, "pending", pending, "dropping", dropping);
}

void plaid_sim_webhooks_stale(plaid_sim_webhooks *w, int count, int64_t age_s)
{
  pthread_mutex_lock(&w->lock);
  w->stale_left = count > 0 ? count : 0;
  w->stale_age_s = age_s > 0 ? age_s : 0;
  pthread_mutex_unlock(&w->lock);
}

void plaid_sim_webhooks_drop(plaid_sim_webhooks *w, int count)
{
  pthread_mutex_lock(&w->lock);
  w->drop_left = count > 0 ? count : 0;
  pthread_mutex_unlock(&w->lock);
}

/* ---- delivery ---- */

static void s_job_free(s_job *job)
{
  free(job->url);
  free(job->body);
  memset(job, 0, sizeof *job);
}

mynt_status plaid_sim_webhooks_send(plaid_sim_webhooks *w, const char *url, const char *item_id, const json_t *body)
{
  s_job job;
  memset(&job, 0, sizeof job);
  snprintf(job.item_id, sizeof job.item_id, "%s", item_id ? item_id : "");
  snprintf(job.webhook_type, sizeof job.webhook_type, "%s", json_member_string_or(body, "webhook_type", ""));
  snprintf(job.webhook_code, sizeof job.webhook_code, "%s", json_member_string_or(body, "webhook_code", ""));
  job.url = strdup(url);
  job.body = json_dumps(body, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
  if(!job.url || !job.body) {
    s_job_free(&job);
    return MYNT_NOMEM;
  }
  job.body_len = strlen(job.body);
  mynt_status st = MYNT_OK;
  pthread_mutex_lock(&w->lock);
  if(w->queue_count == PLAID_SIM_WEBHOOK_QUEUE_MAX) {
    s_log_add(w, &job, job.url, NULL, 0, "queue_full");
    job.url = NULL;
    st = MYNT_TOO_LARGE;
  }
  else {
    w->queue[(w->queue_head + w->queue_count++) % PLAID_SIM_WEBHOOK_QUEUE_MAX] = job;
    memset(&job, 0, sizeof job);
    pthread_cond_signal(&w->wake);
  }
  pthread_mutex_unlock(&w->lock);
  s_job_free(&job);
  return st;
}

/* Keeps nothing of the receiver's answer. */
static size_t s_discard(char *ptr, size_t size, size_t nmemb, void *ctx)
{
  (void)ptr;
  (void)ctx;
  return size * nmemb;
}

/* POSTs job with its Plaid-Verification token; returns the HTTP status, or 0 with *out_error set. */
static long s_post(CURL *curl, const s_job *job, const char *token, const char **out_error)
{
  char header[PLAID_SIM_WEBHOOK_KID_MAX + 4 * S_PART_MAX];
  struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
  snprintf(header, sizeof header, "Plaid-Verification: %s", token);
  struct curl_slist *more = headers ? curl_slist_append(headers, header) : NULL;
  if(!more) {
    curl_slist_free_all(headers);
    *out_error = "error";
    return 0;
  }
  headers = more;
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, job->url);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, job->body);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)job->body_len);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)PLAID_SIM_WEBHOOK_CONNECT_TIMEOUT_MS);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)PLAID_SIM_WEBHOOK_TIMEOUT_MS);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "Plaid Verifier");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_discard);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  if(rc == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  else if(rc == CURLE_OPERATION_TIMEDOUT)
    *out_error = "timeout";
  else if(rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
    *out_error = "connect_failed";
  else
    *out_error = "error";
  curl_slist_free_all(headers);
  return status;
}

static void *s_sender(void *arg)
{
  plaid_sim_webhooks *w = arg;
  CURL *curl = curl_easy_init();
  pthread_mutex_lock(&w->lock);
  for(;;) {
    while(!w->stopping && w->queue_count == 0)
      pthread_cond_wait(&w->wake, &w->lock);
    if(w->stopping)
      break;
    s_job job = w->queue[w->queue_head];
    w->queue_head = (w->queue_head + 1) % PLAID_SIM_WEBHOOK_QUEUE_MAX;
    w->queue_count--;
    w->in_flight = true;
    const bool drop = w->drop_left > 0;
    if(drop)
      w->drop_left--;
    int64_t age_s = 0;
    if(!drop && w->stale_left > 0) {
      w->stale_left--;
      age_s = w->stale_age_s;
    }
    pthread_mutex_unlock(&w->lock);

    const char *error = NULL;
    char kid[PLAID_SIM_WEBHOOK_KID_MAX] = "";
    char *token = NULL;
    long status = 0;
    if(drop)
      error = "dropped";
    else if(!curl || plaid_sim_webhooks_sign(w, job.body, job.body_len, s_now_ms(w) / 1000 - age_s, &token, kid))
      error = "error";
    else
      status = s_post(curl, &job, token, &error);
    free(token);

    pthread_mutex_lock(&w->lock);
    s_log_add(w, &job, job.url, kid, status, error);
    job.url = NULL;
    w->in_flight = false;
    s_job_free(&job);
  }
  pthread_mutex_unlock(&w->lock);
  curl_easy_cleanup(curl);
  return NULL;
}

mynt_status plaid_sim_webhooks_new(int64_t (*now_ms)(void *ctx), void *now_ctx, plaid_sim_webhooks **out)
{
  *out = NULL;
  plaid_sim_webhooks *w = calloc(1, sizeof *w);
  if(!w)
    return MYNT_NOMEM;
  w->now_ms = now_ms;
  w->now_ctx = now_ctx;
  if(pthread_mutex_init(&w->lock, NULL) != 0) {
    free(w);
    return MYNT_NOMEM;
  }
  if(pthread_cond_init(&w->wake, NULL) != 0) {
    pthread_mutex_destroy(&w->lock);
    free(w);
    return MYNT_NOMEM;
  }
  mynt_status st = s_key_make(s_now_ms(w) / 1000, &w->keys[0]);
  if(!st) {
    w->key_count = 1;
    if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      st = MYNT_INTERNAL;
  }
  if(!st) {
    if(pthread_create(&w->sender, NULL, s_sender, w) == 0)
      w->sender_started = true;
    else
      st = MYNT_INTERNAL;
    if(st)
      curl_global_cleanup();
  }
  if(st) {
    for(size_t i = 0; i < w->key_count; i++)
      EVP_PKEY_free(w->keys[i].pkey);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return st;
  }
  *out = w;
  return MYNT_OK;
}

void plaid_sim_webhooks_free(plaid_sim_webhooks *w)
{
  if(!w)
    return;
  pthread_mutex_lock(&w->lock);
  w->stopping = true;
  pthread_cond_broadcast(&w->wake);
  pthread_mutex_unlock(&w->lock);
  if(w->sender_started) {
    pthread_join(w->sender, NULL);
    curl_global_cleanup();
  }
  for(size_t i = 0; i < w->queue_count; i++)
    s_job_free(&w->queue[(w->queue_head + i) % PLAID_SIM_WEBHOOK_QUEUE_MAX]);
  for(size_t i = 0; i < w->log_count; i++)
    free(w->log[(w->log_head + i) % PLAID_SIM_WEBHOOK_LOG_MAX].url);
  for(size_t i = 0; i < w->key_count; i++)
    EVP_PKEY_free(w->keys[i].pkey);
  pthread_cond_destroy(&w->wake);
  pthread_mutex_destroy(&w->lock);
  free(w);
}
