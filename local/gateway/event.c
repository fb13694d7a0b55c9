/* event.c - builds API Gateway HTTP API payload-2.0 events from HTTP requests. */
#include "local/gateway/event.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/b64.h"

int event_content_type_is_text(const char *content_type)
{
  if(!content_type)
    return 0;
  while(*content_type == ' ')
    content_type++;
  size_t n = strcspn(content_type, ";");
  while(n > 0 && content_type[n - 1] == ' ')
    n--;
  char media[128];
  if(n == 0 || n >= sizeof(media))
    return 0;
  for(size_t i = 0; i < n; i++)
    media[i] = (char)tolower((unsigned char)content_type[i]);
  media[n] = '\0';
  if(strncmp(media, "text/", 5) == 0)
    return 1;
  if(strcmp(media, "application/json") == 0 || strcmp(media, "application/xml") == 0 ||
     strcmp(media, "application/x-www-form-urlencoded") == 0)
    return 1;
  return strncmp(media, "application/", 12) == 0 && n > 5 && strcmp(media + n - 5, "+json") == 0;
}

/* Sets obj[key] to value (NULL or text that is not UTF-8 becomes ""). Returns 0 on success. */
static int s_set_str(json_t *obj, const char *key, const char *value)
{
  json_t *s = json_string(value ? value : "");
  if(!s)
    s = json_string("");
  return json_object_set_new(obj, key, s);
}

/* Adds value under key, joining with "," when the key is already there. */
static int s_add_joined(json_t *obj, const char *key, const char *value, size_t value_len)
{
  json_t *v = json_stringn(value, value_len);
  if(!v)
    return 0; /* not UTF-8: left out */
  const json_t *prev = json_object_get(obj, key);
  if(!prev)
    return json_object_set_new(obj, key, v);
  mynt_buf joined;
  buf_init(&joined, json_string_length(prev) + value_len + 2);
  int rc = -1;
  if(buf_append(&joined, json_string_value(prev), json_string_length(prev)) == MYNT_OK &&
     buf_append(&joined, ",", 1) == MYNT_OK && buf_append(&joined, value, value_len) == MYNT_OK)
    rc = json_object_set_new(obj, key, json_stringn(joined.ptr, joined.len));
  buf_free(&joined);
  json_decref(v);
  return rc;
}

/* Adds the request headers (names lower-cased, repeats joined, cookie left out) and the
 * cookies array. */
static int s_add_headers(json_t *event, const event_request *req)
{
  json_t *headers = json_object();
  json_t *cookies = json_array();
  int rc = -1;
  if(!headers || !cookies)
    goto cleanup;
  for(size_t i = 0; i < req->n_headers; i++) {
    const char *name = req->headers[i].name;
    const char *value = req->headers[i].value ? req->headers[i].value : "";
    char lower[256];
    size_t n = strlen(name);
    if(n == 0 || n >= sizeof(lower))
      continue;
    for(size_t j = 0; j <= n; j++)
      lower[j] = (char)tolower((unsigned char)name[j]);
    if(strcmp(lower, "cookie") == 0) {
      const char *p = value;
      while(*p) {
        while(*p == ' ' || *p == ';')
          p++;
        size_t len = strcspn(p, ";");
        size_t trimmed = len;
        while(trimmed > 0 && p[trimmed - 1] == ' ')
          trimmed--;
        json_t *c = trimmed ? json_stringn(p, trimmed) : NULL;
        if(c && json_array_append_new(cookies, c) != 0)
          goto cleanup;
        p += len;
      }
      continue;
    }
    if(s_add_joined(headers, lower, value, strlen(value)) != 0)
      goto cleanup;
  }
  if(json_array_size(cookies) && json_object_set(event, "cookies", cookies) != 0)
    goto cleanup;
  rc = json_object_set(event, "headers", headers);
cleanup:
  json_decref(headers);
  json_decref(cookies);
  return rc;
}

/* Adds queryStringParameters (decoded, repeats joined) when the query has any. */
static int s_add_query(json_t *event, const char *raw_query)
{
  json_t *params = json_object();
  int rc = -1;
  if(!params)
    return -1;
  const char *p = raw_query ? raw_query : "";
  while(*p) {
    size_t len = strcspn(p, "&");
    if(len > 0) {
      const char *eq = memchr(p, '=', len);
      size_t key_len = eq ? (size_t)(eq - p) : len;
      char *key = routes_percent_decode(p, key_len, 1, NULL);
      char *value = eq ? routes_percent_decode(eq + 1, len - key_len - 1, 1, NULL) : strdup("");
      int bad = !key || !value;
      if(!bad && *key && s_add_joined(params, key, value, strlen(value)) != 0)
        bad = 1;
      free(key);
      free(value);
      if(bad)
        goto cleanup;
    }
    p += len;
    if(*p == '&')
      p++;
  }
  rc = json_object_size(params) ? json_object_set(event, "queryStringParameters", params) : 0;
cleanup:
  json_decref(params);
  return rc;
}

static const char *s_header(const event_request *req, const char *name)
{
  for(size_t i = 0; i < req->n_headers; i++)
    if(strcasecmp(req->headers[i].name, name) == 0)
      return req->headers[i].value;
  return NULL;
}

/* Adds body and isBase64Encoded. */
static int s_add_body(json_t *event, const event_request *req)
{
  if(req->body_len == 0)
    return json_object_set_new(event, "isBase64Encoded", json_false());
  if(event_content_type_is_text(s_header(req, "content-type"))) {
    json_t *text = json_stringn(req->body, req->body_len);
    if(text) {
      if(json_object_set_new(event, "body", text) != 0)
        return -1;
      return json_object_set_new(event, "isBase64Encoded", json_false());
    }
  }
  mynt_buf b64;
  buf_init(&b64, req->body_len / 3 * 4 + 8);
  int rc = -1;
  if(b64_std_encode_buf(req->body, req->body_len, &b64) == MYNT_OK &&
     json_object_set_new(event, "body", json_stringn(buf_cstr(&b64), b64.len)) == 0)
    rc = json_object_set_new(event, "isBase64Encoded", json_true());
  buf_free(&b64);
  return rc;
}

static int s_add_path_params(json_t *event, const event_request *req)
{
  if(req->n_params == 0)
    return 0;
  json_t *params = json_object();
  int rc = params ? 0 : -1;
  for(size_t i = 0; rc == 0 && i < req->n_params; i++)
    rc = s_set_str(params, req->params[i].name, req->params[i].value);
  if(rc == 0)
    rc = json_object_set(event, "pathParameters", params);
  json_decref(params);
  return rc;
}

/* Builds requestContext. */
static json_t *s_request_context(const event_request *req)
{
  const char *host = s_header(req, "host");
  char domain[256];
  snprintf(domain, sizeof(domain), "%s", host && *host ? host : "localhost");
  char prefix[256];
  snprintf(prefix, sizeof(prefix), "%.*s", (int)strcspn(domain, ".:"), domain);
  const char *agent = s_header(req, "user-agent");
  char when[64];
  time_t secs = (time_t)(req->time_epoch_ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000", &tm);

  json_t *http = json_object();
  json_t *ctx = json_object();
  if(!http || !ctx)
    goto fail;
  if(s_set_str(http, "method", req->method) || s_set_str(http, "path", req->raw_path) ||
     s_set_str(http, "protocol", req->protocol ? req->protocol : "HTTP/1.1") ||
     s_set_str(http, "sourceIp", req->source_ip) || s_set_str(http, "userAgent", agent))
    goto fail;
  if(s_set_str(ctx, "accountId", "000000000000") || s_set_str(ctx, "apiId", "local") ||
     s_set_str(ctx, "domainName", domain) || s_set_str(ctx, "domainPrefix", prefix) ||
     json_object_set(ctx, "http", http) || s_set_str(ctx, "requestId", req->request_id) ||
     s_set_str(ctx, "routeKey", req->route_key) || s_set_str(ctx, "stage", "$default") ||
     s_set_str(ctx, "time", when) || json_object_set_new(ctx, "timeEpoch", json_integer(req->time_epoch_ms)))
    goto fail;
  if(req->claims) {
    json_t *jwt = json_pack("{s:O,s:O}", "claims", req->claims, "scopes", req->scopes ? req->scopes : json_null());
    json_t *auth = jwt ? json_pack("{s:o}", "jwt", jwt) : NULL;
    if(!auth || json_object_set_new(ctx, "authorizer", auth) != 0)
      goto fail;
  }
  json_decref(http);
  return ctx;
fail:
  json_decref(http);
  json_decref(ctx);
  return NULL;
}

json_t *event_build(const event_request *req)
{
  json_t *event = json_object();
  if(!event)
    return NULL;
  json_t *ctx = NULL;
  if(s_set_str(event, "version", "2.0") || s_set_str(event, "routeKey", req->route_key) ||
     s_set_str(event, "rawPath", req->raw_path) ||
     s_set_str(event, "rawQueryString", req->raw_query ? req->raw_query : ""))
    goto fail;
  if(s_add_headers(event, req) || s_add_query(event, req->raw_query) || s_add_path_params(event, req))
    goto fail;
  ctx = s_request_context(req);
  if(!ctx || json_object_set_new(event, "requestContext", ctx) != 0)
    goto fail;
  if(s_add_body(event, req))
    goto fail;
  return event;
fail:
  json_decref(event);
  return NULL;
}
