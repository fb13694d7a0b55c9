/* response.c - building and serialising payload-2.0 responses. */
#include "apigw/response.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static const apigw_pair s_default_headers[] = {
  {"content-type", "application/json"},
  {"cache-control", "no-store"},
  {"x-content-type-options", "nosniff"},
};

void apigw_response_init(apigw_response *res, mynt_arena *arena)
{
  memset(res, 0, sizeof(*res));
  res->arena = arena;
  res->body = "";
  for(size_t i = 0; i < sizeof(s_default_headers) / sizeof(s_default_headers[0]); i++)
    res->headers[res->header_count++] = s_default_headers[i];
}

bool apigw_response_replied(const apigw_response *res)
{
  return res->status_code != 0;
}

static bool s_header_text_ok(const char *s)
{
  for(; *s; s++) {
    if((unsigned char)*s < 0x20 || *s == 0x7f)
      return false;
  }
  return true;
}

mynt_status apigw_response_set_header(apigw_response *res, const char *name, const char *value)
{
  if(!*name || !s_header_text_ok(name) || !s_header_text_ok(value))
    return MYNT_INTERNAL;
  char *lower = arena_strdup(res->arena, name);
  const char *copy = arena_strdup(res->arena, value);
  if(!lower || !copy)
    return MYNT_NOMEM;
  for(char *p = lower; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  for(size_t i = 0; i < res->header_count; i++) {
    if(strcmp(res->headers[i].name, lower) == 0) {
      res->headers[i].value = copy;
      return MYNT_OK;
    }
  }
  if(res->header_count == APIGW_MAX_HEADERS)
    return MYNT_INTERNAL;
  res->headers[res->header_count].name = lower;
  res->headers[res->header_count].value = copy;
  res->header_count++;
  return MYNT_OK;
}

/* Sets the content-type header to value (static or arena-owned), re-adding it after a 204 took it away. */
static mynt_status s_content_type(apigw_response *res, const char *value)
{
  for(size_t i = 0; i < res->header_count; i++) {
    if(strcmp(res->headers[i].name, "content-type") == 0) {
      res->headers[i].value = value;
      return MYNT_OK;
    }
  }
  if(res->header_count == APIGW_MAX_HEADERS)
    return MYNT_INTERNAL;
  res->headers[res->header_count++] = (apigw_pair){"content-type", value};
  return MYNT_OK;
}

mynt_status apigw_response_json(apigw_response *res, int status_code, json_t *body)
{
  if(!body)
    return MYNT_NOMEM;
  mynt_status st = MYNT_OK;
  /* 15 significant digits print decimal amounts as written (59.38, not 59.380000000000003). */
  char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  if(!text) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  size_t len = strlen(text);
  const char *copy = arena_strndup(res->arena, text, len);
  if(!copy) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  st = s_content_type(res, "application/json");
  if(st)
    goto cleanup;
  res->status_code = status_code;
  res->body = copy;
  res->body_len = len;

cleanup:
  free(text);
  json_decref(body);
  return st;
}

mynt_status apigw_response_text(apigw_response *res, int status_code, const char *content_type, const char *body,
                                size_t len)
{
  if(!*content_type || !s_header_text_ok(content_type))
    return MYNT_INTERNAL;
  const char *type = arena_strdup(res->arena, content_type);
  const char *copy = arena_strndup(res->arena, body ? body : "", body ? len : 0);
  if(!type || !copy)
    return MYNT_NOMEM;
  mynt_status st = s_content_type(res, type);
  if(st)
    return st;
  res->status_code = status_code;
  res->body = copy;
  res->body_len = body ? len : 0;
  return MYNT_OK;
}

mynt_status apigw_response_error(apigw_response *res, mynt_status st, const char *message)
{
  if(st == MYNT_OK)
    st = MYNT_INTERNAL;
  json_t *body = json_pack("{s:{s:s, s:s}}", "error", "code", mynt_status_code(st), "message",
                           message ? message : mynt_strerror(st));
  apigw_response_json(res, mynt_status_http(st), body);
  return st;
}

mynt_status apigw_response_error_code(apigw_response *res, mynt_status st, const char *code, const char *message,
                                      json_t *extra)
{
  if(st == MYNT_OK)
    st = MYNT_INTERNAL;
  json_t *error = json_pack("{s:s, s:s}", "code", code ? code : mynt_status_code(st), "message",
                            message ? message : mynt_strerror(st));
  if(error && extra && json_object_update_missing(error, extra)) {
    json_decref(error);
    error = NULL;
  }
  json_decref(extra);
  apigw_response_json(res, mynt_status_http(st), error ? json_pack("{s:o}", "error", error) : NULL);
  return st;
}

mynt_status apigw_response_no_content(apigw_response *res)
{
  size_t kept = 0;
  for(size_t i = 0; i < res->header_count; i++) {
    if(strcmp(res->headers[i].name, "content-type") != 0)
      res->headers[kept++] = res->headers[i];
  }
  res->header_count = kept;
  res->status_code = 204;
  res->body = "";
  res->body_len = 0;
  return MYNT_OK;
}

static int s_append_to_buf(const char *data, size_t size, void *user)
{
  return buf_append(user, data, size) == MYNT_OK ? 0 : -1;
}

mynt_status apigw_response_write(const apigw_response *res, mynt_buf *out_payload)
{
  apigw_response fallback;
  if(!apigw_response_replied(res)) {
    apigw_response_init(&fallback, res->arena);
    fallback.status_code = mynt_status_http(MYNT_INTERNAL);
    fallback.body = "{\"error\":{\"code\":\"internal_error\",\"message\":\"internal error\"}}";
    fallback.body_len = strlen(fallback.body);
    res = &fallback;
  }
  mynt_status st = MYNT_OK;
  json_t *headers = json_object();
  json_t *doc = json_object();
  if(!headers || !doc) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  for(size_t i = 0; i < res->header_count; i++) {
    if(json_object_set_new(headers, res->headers[i].name, json_string(res->headers[i].value))) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
  }
  if(json_object_set_new(doc, "statusCode", json_integer(res->status_code)) ||
     json_object_set(doc, "headers", headers) ||
     json_object_set_new(doc, "body", json_stringn(res->body, res->body_len)) ||
     json_object_set_new(doc, "isBase64Encoded", json_false())) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  if(json_dump_callback(doc, s_append_to_buf, out_payload, JSON_COMPACT | JSON_PRESERVE_ORDER))
    st = MYNT_NOMEM;

cleanup:
  json_decref(headers);
  json_decref(doc);
  return st;
}

mynt_status apigw_json_body_or_reply(const apigw_request *req, apigw_response *res, json_t **out_body)
{
  *out_body = NULL;
  if(!req->has_body || req->body.len == 0)
    return apigw_response_error(res, MYNT_BAD_REQUEST, "a JSON body is required");
  if(!json_text_depth_within(req->body.ptr, req->body.len, APIGW_MAX_JSON_DEPTH)) {
    char message[96];
    snprintf(message, sizeof(message), "the body nests arrays and objects more than %zu levels deep",
             APIGW_MAX_JSON_DEPTH);
    return apigw_response_error(res, MYNT_BAD_REQUEST, message);
  }
  json_error_t err;
  json_t *body = json_loadb(req->body.ptr, req->body.len, JSON_REJECT_DUPLICATES, &err);
  /* An integer past 64 bits is read again as a real number, so that the handler's own range check names the
   * member ("monthly_limit must be at most …") instead of the whole body being called invalid. */
  if(!body && json_error_code(&err) == json_error_numeric_overflow)
    body = json_loadb(req->body.ptr, req->body.len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &err);
  if(!body) {
    enum json_error_code code = json_error_code(&err);
    char message[128];
    snprintf(message, sizeof(message), "%s (line %d, column %d)",
             code == json_error_numeric_overflow ? "a number in the body is too large"
             : code == json_error_duplicate_key  ? "the body has a member twice"
                                                 : "the body is not valid JSON",
             err.line, err.column);
    return apigw_response_error(res, MYNT_BAD_REQUEST, message);
  }
  if(!json_is_object(body)) {
    json_decref(body);
    return apigw_response_error(res, MYNT_BAD_REQUEST, "the body must be a JSON object");
  }
  *out_body = body;
  return MYNT_OK;
}

mynt_status apigw_sub_or_reply(const apigw_request *req, apigw_response *res, const char **out_sub)
{
  *out_sub = apigw_request_sub(req);
  if(!*out_sub)
    return apigw_response_error(res, MYNT_UNAUTHORIZED, NULL);
  return MYNT_OK;
}
