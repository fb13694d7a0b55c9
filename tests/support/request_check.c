/* request_check.c - recomputes a received request's SigV4 signature from its headers, path and body. */
#include "support/request_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/sigv4.h"
#include "core/buf.h"

#define S_MAX_SIGNED 16

void request_failures_init(request_failures *f)
{
  memset(f, 0, sizeof *f);
  pthread_mutex_init(&f->lock, NULL);
}

void request_failures_destroy(request_failures *f)
{
  pthread_mutex_destroy(&f->lock);
}

void request_fail(request_failures *f, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  pthread_mutex_lock(&f->lock);
  if(!f->count)
    vsnprintf(f->first, sizeof f->first, fmt, ap);
  f->count++;
  pthread_mutex_unlock(&f->lock);
  va_end(ap);
}

const char *request_failures_first(request_failures *f)
{
  pthread_mutex_lock(&f->lock);
  const char *first = f->count ? f->first : NULL;
  pthread_mutex_unlock(&f->lock);
  return first;
}

void request_check_config(aws_config *cfg, const char *endpoint, const request_check_keys *keys)
{
  memset(cfg, 0, sizeof *cfg);
  snprintf(cfg->region, sizeof cfg->region, "%s", keys->region);
  snprintf(cfg->endpoint, sizeof cfg->endpoint, "%s", endpoint);
  snprintf(cfg->creds.access_key_id, sizeof cfg->creds.access_key_id, "%s", keys->access_key_id);
  snprintf(cfg->creds.secret_access_key, sizeof cfg->creds.secret_access_key, "%s", keys->secret_access_key);
  snprintf(cfg->creds.session_token, sizeof cfg->creds.session_token, "%s",
           keys->session_token ? keys->session_token : "");
}

void request_check_export(const aws_config *cfg)
{
  setenv("AWS_REGION", cfg->region, 1);
  setenv("AWS_ACCESS_KEY_ID", cfg->creds.access_key_id, 1);
  setenv("AWS_SECRET_ACCESS_KEY", cfg->creds.secret_access_key, 1);
  if(cfg->creds.session_token[0])
    setenv("AWS_SESSION_TOKEN", cfg->creds.session_token, 1);
  else
    unsetenv("AWS_SESSION_TOKEN");
}

/* Whether name is one of the ';'-separated names in list. */
static bool s_listed(const char *list, const char *name)
{
  size_t n = strlen(name);
  for(const char *p = list; *p;) {
    size_t len = strcspn(p, ";");
    if(len == n && strncmp(p, name, n) == 0)
      return true;
    p += len + (p[len] == ';');
  }
  return false;
}

bool request_check_signature(const script_request *req, const request_check_keys *keys, const char *const *must_sign,
                             mynt_detail *why)
{
  const char *auth = script_request_header(req, "Authorization");
  const char *date = script_request_header(req, "X-Amz-Date");
  const char *token = script_request_header(req, "X-Amz-Security-Token");
  if(!auth || !date)
    return !mynt_fail(why, MYNT_BAD_REQUEST, "missing Authorization or X-Amz-Date");
  if(keys->session_token ? !token || strcmp(token, keys->session_token) != 0 : token != NULL)
    return !mynt_fail(why, MYNT_BAD_REQUEST, "X-Amz-Security-Token is %s", token ? token : "(none)");
  char prefix[256];
  snprintf(prefix, sizeof prefix, "AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/aws4_request, ", keys->access_key_id, date,
           keys->region, keys->service);
  if(strncmp(auth, prefix, strlen(prefix)) != 0)
    return !mynt_fail(why, MYNT_BAD_REQUEST, "Authorization does not start with %s", prefix);

  const char *names = strstr(auth, "SignedHeaders=");
  if(!names)
    return !mynt_fail(why, MYNT_BAD_REQUEST, "no SignedHeaders");
  names += strlen("SignedHeaders=");
  char list[512];
  snprintf(list, sizeof list, "%.*s", (int)strcspn(names, ","), names);
  if(!s_listed(list, "host") || !s_listed(list, "x-amz-date") || (token && !s_listed(list, "x-amz-security-token")))
    return !mynt_fail(why, MYNT_BAD_REQUEST, "SignedHeaders lacks a required header: %s", list);
  for(size_t i = 0; must_sign && must_sign[i]; i++)
    if(!s_listed(list, must_sign[i]))
      return !mynt_fail(why, MYNT_BAD_REQUEST, "SignedHeaders lacks %s: %s", must_sign[i], list);

  /* Rebuild the signed request from the received headers named in SignedHeaders. */
  sigv4_header headers[S_MAX_SIGNED];
  size_t count = 0;
  for(char *save = NULL, *name = strtok_r(list, ";", &save); name && count < S_MAX_SIGNED;
      name = strtok_r(NULL, ";", &save)) {
    if(strcmp(name, "x-amz-date") == 0 || strcmp(name, "x-amz-security-token") == 0)
      continue;
    const char *value = script_request_header(req, name);
    headers[count].name = name;
    headers[count].value = value ? value : "";
    count++;
  }
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  if(!strptime(date, "%Y%m%dT%H%M%SZ", &tm))
    return !mynt_fail(why, MYNT_BAD_REQUEST, "bad X-Amz-Date %s", date);
  mynt_buf path;
  buf_init(&path, 4096);
  if(sigv4_uri_encode(&path, req->url, strlen(req->url), 1))
    return !mynt_fail(why, MYNT_BAD_REQUEST, "cannot encode the path %s", req->url);
  sigv4_request sreq = {.method = req->method,
                        .path = buf_cstr(&path),
                        .headers = headers,
                        .header_count = count,
                        .body = req->body,
                        .body_len = req->body_len};
  sigv4_params p = {.access_key_id = keys->access_key_id,
                    .secret_access_key = keys->secret_access_key,
                    .session_token = token,
                    .region = keys->region,
                    .service = keys->service,
                    .timestamp = timegm(&tm),
                    .mode = SIGV4_SIGN_HEADERS,
                    .normalize_path = 1};
  sigv4_result r;
  bool ok = false;
  if(sigv4_sign(&sreq, &p, &r) != 0)
    mynt_fail(why, MYNT_BAD_REQUEST, "cannot re-sign the received request");
  else if(strcmp(buf_cstr(&r.authorization), auth) != 0)
    mynt_fail(why, MYNT_BAD_REQUEST, "signature mismatch: got %s, recomputed %s", auth, buf_cstr(&r.authorization));
  else
    ok = true;
  sigv4_result_free(&r);
  buf_free(&path);
  return ok;
}

void request_check_signed(request_failures *f, const script_request *req, const request_check_keys *keys,
                          const char *const *must_sign)
{
  mynt_detail why;
  if(!request_check_signature(req, keys, must_sign, &why))
    request_fail(f, "%s", mynt_detail_text(&why));
}

static void s_handle(void *ctx, const script_request *req, script_reply *out)
{
  (void)out;
  request_server *s = ctx;
  if(s->check)
    s->check(s->ctx, req, &s->seen);
  request_check_signed(&s->seen, req, &s->keys, s->must_sign);
}

mynt_status request_server_start(request_server *s, const request_check_keys *keys, const char *const *must_sign,
                                 request_check_fn check, void *ctx, const script_reply *steps, size_t n)
{
  *s = (request_server){.keys = *keys, .must_sign = must_sign, .check = check, .ctx = ctx};
  request_failures_init(&s->seen);
  mynt_status st = script_server_new(s_handle, s, &s->srv);
  if(st == MYNT_OK)
    st = script_server_script(s->srv, steps, n);
  if(st != MYNT_OK)
    request_server_stop(s);
  return st;
}

void request_server_stop(request_server *s)
{
  script_server_free(s->srv);
  s->srv = NULL;
  request_failures_destroy(&s->seen);
}
