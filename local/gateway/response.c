/* response.c - turns a function's payload-2.0 result into the HTTP answer API Gateway sends. */
#include "local/gateway/response.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64.h"
#include "local/gateway/event.h"

/* The largest answer body accepted from a function (Lambda's response limit). */
#define S_MAX_BODY (6u * 1024 * 1024)

void response_init(response_http *r)
{
  r->status = 200;
  r->headers = NULL;
  r->n_headers = 0;
  buf_init(&r->body, S_MAX_BODY);
}

void response_free(response_http *r)
{
  for(size_t i = 0; i < r->n_headers; i++) {
    free(r->headers[i].name);
    free(r->headers[i].value);
  }
  free(r->headers);
  buf_free(&r->body);
  response_init(r);
}

mynt_status response_add_header(response_http *r, const char *name, const char *value)
{
  response_header *grown = realloc(r->headers, (r->n_headers + 1) * sizeof(*grown));
  if(!grown)
    return MYNT_NOMEM;
  r->headers = grown;
  char *n = strdup(name);
  char *v = strdup(value);
  if(!n || !v) {
    free(n);
    free(v);
    return MYNT_NOMEM;
  }
  r->headers[r->n_headers].name = n;
  r->headers[r->n_headers].value = v;
  r->n_headers++;
  return MYNT_OK;
}

mynt_status response_message(response_http *r, int status, const char *message)
{
  response_free(r);
  r->status = status;
  json_t *obj = json_pack("{s:s}", "message", message);
  char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
  json_decref(obj);
  mynt_status st = text ? buf_appends(&r->body, text) : MYNT_NOMEM;
  free(text);
  if(!st)
    st = response_add_header(r, "Content-Type", "application/json");
  return st;
}

/* Returns 1 for a header value that may be sent as is (no CR or LF). */
static int s_header_value_ok(const char *v)
{
  return strpbrk(v, "\r\n") == NULL;
}

static mynt_status s_add_headers(response_http *r, const json_t *headers)
{
  if(!headers || json_is_null(headers))
    return MYNT_OK;
  if(!json_is_object(headers))
    return MYNT_UPSTREAM;
  const char *name;
  const json_t *v;
  json_object_foreach((json_t *)headers, name, v) {
    char text[64];
    const char *value = NULL;
    if(json_is_string(v))
      value = json_string_value(v);
    else if(json_is_integer(v))
      value = (snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(v)), text);
    else if(json_is_real(v))
      value = (snprintf(text, sizeof(text), "%.17g", json_real_value(v)), text);
    else if(json_is_boolean(v))
      value = json_is_true(v) ? "true" : "false";
    if(!value || !*name || strpbrk(name, "\r\n: ") || !s_header_value_ok(value))
      return MYNT_UPSTREAM;
    mynt_status st = response_add_header(r, name, value);
    if(st)
      return st;
  }
  return MYNT_OK;
}

static mynt_status s_add_cookies(response_http *r, const json_t *cookies)
{
  if(!cookies || json_is_null(cookies))
    return MYNT_OK;
  if(!json_is_array(cookies))
    return MYNT_UPSTREAM;
  size_t i;
  const json_t *c;
  json_array_foreach(cookies, i, c) {
    if(!json_is_string(c) || !s_header_value_ok(json_string_value(c)))
      return MYNT_UPSTREAM;
    mynt_status st = response_add_header(r, "Set-Cookie", json_string_value(c));
    if(st)
      return st;
  }
  return MYNT_OK;
}

static mynt_status s_structured(const json_t *obj, response_http *r)
{
  const json_t *code = json_object_get(obj, "statusCode");
  json_int_t status = json_is_integer(code) ? json_integer_value(code) : 0;
  if(!status && json_is_string(code))
    status = strtol(json_string_value(code), NULL, 10);
  if(status < 100 || status > 599)
    return MYNT_UPSTREAM;
  r->status = (int)status;
  mynt_status st = s_add_headers(r, json_object_get(obj, "headers"));
  if(!st)
    st = s_add_cookies(r, json_object_get(obj, "cookies"));
  if(st)
    return st;
  const json_t *body = json_object_get(obj, "body");
  if(!body || json_is_null(body))
    return MYNT_OK;
  if(!json_is_string(body))
    return MYNT_UPSTREAM;
  if(json_is_true(json_object_get(obj, "isBase64Encoded"))) {
    st = b64_std_decode_buf(json_string_value(body), json_string_length(body), &r->body);
    return st == MYNT_BAD_REQUEST ? MYNT_UPSTREAM : st;
  }
  return buf_append(&r->body, json_string_value(body), json_string_length(body));
}

mynt_status response_from_payload(const char *payload, size_t len, response_http *r)
{
  response_free(r);
  json_t *root = json_loadb(payload, len, JSON_DECODE_ANY, NULL);
  if(!root)
    return MYNT_UPSTREAM;
  mynt_status st;
  if(json_is_object(root) && json_object_get(root, "statusCode")) {
    st = s_structured(root, r);
  }
  else {
    st = buf_append(&r->body, payload, len);
    if(!st)
      st = response_add_header(r, "Content-Type", "application/json");
  }
  json_decref(root);
  if(st)
    response_free(r);
  return st;
}
