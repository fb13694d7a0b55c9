/* plaid_http.c - internal to src/plaid: one HTTP exchange with Plaid (setup, classification, backoff). */
#include "plaid/plaid_http.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/wipe.h"

/* curl's write callback: appends to the capped answer buffer; refusing aborts the transfer. */
static size_t s_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  plaid_http_exchange *x = userdata;
  size_t n = size * nmemb;
  if(n > x->response.max - x->response.len) {
    if(x->response.ptr)
      mynt_wipe(x->response.ptr, x->response.len);
    buf_free(&x->response);
    x->response.max = 0;
    return 0;
  }
  if(buf_append(&x->response, ptr, n))
    return 0;
  return n;
}

int64_t plaid_http_deadline(int64_t deadline_ms)
{
  return deadline_ms > 0 ? deadline_ms : clock_epoch_ms() + PLAID_DEFAULT_DEADLINE_MS;
}

void plaid_http_free(plaid_http_exchange *x)
{
  if(x->body) {
    mynt_wipe(x->body, x->body_len);
    free(x->body);
    x->body = NULL;
    x->body_len = 0;
  }
  if(x->response.ptr)
    mynt_wipe(x->response.ptr, x->response.len);
  buf_free(&x->response);
  x->redact = NULL;
}

mynt_status plaid_http_begin(plaid_client *c, plaid_http_exchange *x, CURL *easy, const char *path, json_t *body,
                             int64_t deadline_ms)
{
  mynt_status st = MYNT_INTERNAL;
  char url[sizeof c->base_url + 128];
  memset(x, 0, sizeof *x);
  x->easy = easy;
  buf_init(&x->response, PLAID_MAX_RESPONSE);
  x->redact = json_member_string(body, "access_token");
  if(!x->redact)
    x->redact = json_member_string(body, "public_token");

  int n = snprintf(url, sizeof url, "%s%s", c->base_url, path);
  if(n < 0 || (size_t)n >= sizeof url || path[0] != '/')
    goto cleanup;
  x->body = json_dumps(body, JSON_COMPACT);
  if(!x->body) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  x->body_len = strlen(x->body);

  int64_t left = deadline_ms - clock_epoch_ms();
  if(left < 1)
    left = 1;
  long connect_ms = left < PLAID_HTTP_CONNECT_TIMEOUT_MS ? (long)left : PLAID_HTTP_CONNECT_TIMEOUT_MS;
  curl_easy_reset(easy);
  if(curl_easy_setopt(easy, CURLOPT_URL, url) || curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https") ||
     curl_easy_setopt(easy, CURLOPT_POST, 1L) || curl_easy_setopt(easy, CURLOPT_POSTFIELDS, x->body) ||
     curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len) ||
     curl_easy_setopt(easy, CURLOPT_HTTPHEADER, c->headers) || curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, s_write) ||
     curl_easy_setopt(easy, CURLOPT_WRITEDATA, x) || curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->errbuf) ||
     curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) || curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)left) ||
     curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) ||
     curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L) || curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L) ||
     curl_easy_setopt(easy, CURLOPT_SHARE, c->share) || curl_easy_setopt(easy, CURLOPT_PRIVATE, x))
    goto cleanup;
  if(c->ca_bundle[0] && curl_easy_setopt(easy, CURLOPT_CAINFO, c->ca_bundle))
    goto cleanup;
  st = MYNT_OK;

cleanup:
  if(st)
    plaid_http_free(x);
  return st;
}

mynt_status plaid_http_finish(plaid_http_exchange *x, CURLcode rc, json_t **out_json, plaid_error *err)
{
  long http = 0;
  *out_json = NULL;
  plaid_error_clear(err);
  if(rc != CURLE_OK) {
    if(rc == CURLE_WRITE_ERROR && x->response.max == 0) {
      err->kind = PLAID_ERR_MALFORMED;
      snprintf(err->detail, sizeof err->detail, "Plaid's answer is larger than %zu bytes", (size_t)PLAID_MAX_RESPONSE);
    }
    else {
      err->kind = PLAID_ERR_TRANSPORT;
      snprintf(err->detail, sizeof err->detail, "transport: %.200s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
    }
    err->status = plaid_error_kind_status(err->kind);
    goto cleanup;
  }
  curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &http);
  const char *text = x->response.ptr ? x->response.ptr : "";
  if(http >= 200 && http < 300) {
    json_t *answer = json_loadb(text, x->response.len, 0, NULL);
    if(json_is_object(answer)) {
      *out_json = answer;
      goto cleanup;
    }
    json_decref(answer);
    err->http_status = (int)http;
    err->kind = PLAID_ERR_MALFORMED;
    err->status = plaid_error_kind_status(err->kind);
    snprintf(err->detail, sizeof err->detail, "Plaid answered HTTP %ld with a body that is not a JSON object", http);
    goto cleanup;
  }
  plaid_error_parse((int)http, text, x->response.len, x->redact, err);

cleanup:
  if(x->response.ptr)
    mynt_wipe(x->response.ptr, x->response.len);
  buf_free(&x->response);
  return err->status;
}

/* xorshift64*: enough to spread retries; not for anything secret. */
int64_t plaid_http_backoff_ms(plaid_client *c, int attempt)
{
  return backoff_ms(&c->backoff, attempt);
}

void plaid_http_deadline_error(plaid_error *err, int attempts)
{
  plaid_error_clear(err);
  err->kind = PLAID_ERR_DEADLINE;
  err->status = plaid_error_kind_status(err->kind);
  err->attempts = attempts;
  snprintf(err->detail, sizeof err->detail, "the deadline passed before a request to Plaid could start");
}

void plaid_http_keep_answer(plaid_error *answered, CURLcode rc, plaid_error *err)
{
  if(err->status == MYNT_OK) {
    plaid_error_clear(answered);
    return;
  }
  if(rc == CURLE_OK) {
    *answered = *err;
    return;
  }
  if(rc == CURLE_OPERATION_TIMEDOUT && answered->status) {
    int attempts = err->attempts;
    *err = *answered;
    err->attempts = attempts;
  }
}
