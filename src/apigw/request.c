/* request.c - parsing of API Gateway HTTP API payload-2.0 events. */
#include "apigw/request.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/b64.h"

/* Copies the string members of obj (and, for claims, integers and booleans as text)
 * into arena-owned pairs. A missing or non-object obj gives no pairs. */
static mynt_status s_pairs_from_object(mynt_arena *arena, json_t *obj, int lower_names, int stringify_scalars,
                                       apigw_pairs *out)
{
  out->items = NULL;
  out->count = 0;
  if(!json_is_object(obj) || json_object_size(obj) == 0)
    return MYNT_OK;
  out->items = arena_alloc(arena, json_object_size(obj) * sizeof(apigw_pair));
  if(!out->items)
    return MYNT_NOMEM;

  const char *key;
  json_t *value;
  json_object_foreach(obj, key, value) {
    char scalar[32];
    const char *text = NULL;
    if(json_is_string(value)) {
      text = json_string_value(value);
    }
    else if(stringify_scalars && json_is_integer(value)) {
      snprintf(scalar, sizeof(scalar), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
      text = scalar;
    }
    else if(stringify_scalars && json_is_boolean(value)) {
      text = json_is_true(value) ? "true" : "false";
    }
    if(!text)
      continue;
    char *name = arena_strdup(arena, key);
    const char *copy = arena_strdup(arena, text);
    if(!name || !copy)
      return MYNT_NOMEM;
    if(lower_names) {
      for(char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    }
    out->items[out->count].name = name;
    out->items[out->count].value = copy;
    out->count++;
  }
  return MYNT_OK;
}

mynt_status apigw_base64_decode(mynt_arena *arena, mynt_str in, size_t max, mynt_str *out)
{
  out->ptr = NULL;
  out->len = 0;
  size_t decoded = 0;
  mynt_status st = b64_std_check(in.ptr, in.len, &decoded);
  if(st)
    return st;
  if(decoded > max)
    return MYNT_TOO_LARGE;
  unsigned char *bytes = arena_alloc(arena, decoded + 1);
  if(!bytes)
    return MYNT_NOMEM;
  st = b64_std_decode(in.ptr, in.len, bytes, decoded + 1, &decoded);
  if(st)
    return st;
  bytes[decoded] = '\0';
  out->ptr = (const char *)bytes;
  out->len = decoded;
  return MYNT_OK;
}

/* Returns an arena copy of obj[key] when it is a string, fallback when it is absent,
 * and NULL (with *out_bad set) when it has another type or the arena is full. */
static const char *s_string_member(mynt_arena *arena, json_t *obj, const char *key, const char *fallback,
                                   mynt_status *out_bad)
{
  json_t *value = json_object_get(obj, key);
  if(!value || json_is_null(value)) {
    if(!fallback)
      *out_bad = MYNT_PARSE;
    return fallback;
  }
  if(!json_is_string(value)) {
    *out_bad = MYNT_PARSE;
    return NULL;
  }
  const char *copy = arena_strndup(arena, json_string_value(value), json_string_length(value));
  if(!copy)
    *out_bad = MYNT_NOMEM;
  return copy;
}

static mynt_status s_body(mynt_arena *arena, json_t *event, apigw_request *req)
{
  json_t *body = json_object_get(event, "body");
  if(!body || json_is_null(body))
    return MYNT_OK;
  if(!json_is_string(body))
    return MYNT_PARSE;
  req->has_body = 1;
  mynt_str raw = {json_string_value(body), json_string_length(body)};
  if(json_is_true(json_object_get(event, "isBase64Encoded")))
    return apigw_base64_decode(arena, raw, APIGW_MAX_BODY, &req->body);
  if(raw.len > APIGW_MAX_BODY)
    return MYNT_TOO_LARGE;
  const char *copy = arena_strndup(arena, raw.ptr, raw.len);
  if(!copy)
    return MYNT_NOMEM;
  req->body.ptr = copy;
  req->body.len = raw.len;
  return MYNT_OK;
}

mynt_status apigw_request_from_json(mynt_arena *arena, json_t *event, apigw_request *out_req)
{
  memset(out_req, 0, sizeof(*out_req));
  out_req->body.ptr = "";
  if(!json_is_object(event))
    return MYNT_PARSE;
  json_t *version = json_object_get(event, "version");
  if(version && !(json_is_string(version) && strcmp(json_string_value(version), "2.0") == 0))
    return MYNT_PARSE;

  json_t *context = json_object_get(event, "requestContext");
  json_t *http = json_object_get(context, "http");
  mynt_status bad = MYNT_OK;
  out_req->route_key = s_string_member(arena, event, "routeKey", NULL, &bad);
  out_req->raw_path = s_string_member(arena, event, "rawPath", NULL, &bad);
  out_req->method = s_string_member(arena, http, "method", NULL, &bad);
  out_req->raw_query = s_string_member(arena, event, "rawQueryString", "", &bad);
  out_req->request_id = s_string_member(arena, context, "requestId", "", &bad);
  out_req->domain_name = s_string_member(arena, context, "domainName", "", &bad);
  if(bad)
    return bad;

  json_t *claims = json_object_get(json_object_get(json_object_get(context, "authorizer"), "jwt"), "claims");
  mynt_status st = s_pairs_from_object(arena, json_object_get(event, "headers"), 1, 0, &out_req->headers);
  if(!st)
    st = s_pairs_from_object(arena, json_object_get(event, "queryStringParameters"), 0, 0, &out_req->query);
  if(!st)
    st = s_pairs_from_object(arena, json_object_get(event, "pathParameters"), 0, 0, &out_req->path_params);
  if(!st)
    st = s_pairs_from_object(arena, claims, 0, 1, &out_req->claims);
  if(st)
    return st;
  return s_body(arena, event, out_req);
}

mynt_status apigw_request_parse(mynt_arena *arena, mynt_str payload, apigw_request *out_req)
{
  memset(out_req, 0, sizeof(*out_req));
  out_req->body.ptr = "";
  json_error_t err;
  json_t *event = json_loadb(payload.ptr, payload.len, 0, &err);
  if(!event)
    return MYNT_PARSE;
  mynt_status st = apigw_request_from_json(arena, event, out_req);
  json_decref(event);
  return st;
}

static const char *s_find(const apigw_pairs *pairs, const char *name, int ignore_case)
{
  for(size_t i = 0; i < pairs->count; i++) {
    const char *have = pairs->items[i].name;
    if(ignore_case ? strcasecmp(have, name) == 0 : strcmp(have, name) == 0)
      return pairs->items[i].value;
  }
  return NULL;
}

const char *apigw_request_header(const apigw_request *req, const char *name)
{
  return s_find(&req->headers, name, 1);
}

const char *apigw_request_query(const apigw_request *req, const char *name)
{
  return s_find(&req->query, name, 0);
}

const char *apigw_request_path_param(const apigw_request *req, const char *name)
{
  return s_find(&req->path_params, name, 0);
}

const char *apigw_request_claim(const apigw_request *req, const char *name)
{
  return s_find(&req->claims, name, 0);
}

const char *apigw_request_sub(const apigw_request *req)
{
  const char *sub = apigw_request_claim(req, "sub");
  return sub && *sub ? sub : NULL;
}

const char *apigw_request_email(const apigw_request *req)
{
  const char *email = apigw_request_claim(req, "email");
  return email && *email ? email : NULL;
}
