/* apigw_forge.c - forged API Gateway payload-2.0 events served through a route table, for the apigw and handlers tests. */
#include "support/apigw_forge.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"

/* Big enough for any answer a test expects to fit (API Gateway's own limit is 6 MB). */
#define S_PAYLOAD_CAP (8 * 1024 * 1024)

static mynt_arena *s_arena;

int apigw_forge_arena_setup(void **state)
{
  (void)state;
  return arena_new(APIGW_FORGE_ARENA_MAX, &s_arena) == MYNT_OK ? 0 : -1;
}

int apigw_forge_arena_teardown(void **state)
{
  (void)state;
  arena_free(s_arena);
  s_arena = NULL;
  return 0;
}

mynt_arena *apigw_forge_arena(void)
{
  return s_arena;
}

json_t *apigw_forge_event_new(const apigw_forge_event *e)
{
  json_t *event = json_pack("{s:s, s:s, s:s, s:{s:s, s:{s:s, s:s}}}", "version", "2.0", "routeKey", e->route_key,
                            "rawPath", e->path, "requestContext", "requestId", e->request_id ? e->request_id : "api-1",
                            "http", "method", e->method, "path", e->path);
  assert_non_null(event);
  if(e->domain_name)
    json_object_set_new(json_object_get(event, "requestContext"), "domainName", json_string(e->domain_name));
  if(e->raw_query)
    json_object_set_new(event, "rawQueryString", json_string(e->raw_query));
  if(e->query)
    json_object_set_new(event, "queryStringParameters", e->query);
  if(e->path_params)
    json_object_set_new(event, "pathParameters", e->path_params);
  if(e->content_type || e->headers) {
    json_t *headers = e->headers ? e->headers : json_object();
    if(e->content_type)
      json_object_set_new(headers, "content-type", json_string(e->content_type));
    json_object_set_new(event, "headers", headers);
  }
  if(e->sub) {
    json_t *claims = json_pack("{s:s}", "sub", e->sub);
    if(e->email)
      json_object_set_new(claims, "email", json_string(e->email));
    json_object_set_new(json_object_get(event, "requestContext"), "authorizer",
                        json_pack("{s:{s:o}}", "jwt", "claims", claims));
  }
  if(e->body) {
    json_object_set_new(event, "body", json_string(e->body));
    json_object_set_new(event, "isBase64Encoded", json_boolean(e->base64));
  }
  return event;
}

json_t *apigw_forge_serve(const apigw_route_table *table, const char *group, const apigw_ctx *ctx, json_t *event)
{
  mynt_buf out;
  buf_init(&out, S_PAYLOAD_CAP);
  assert_int_equal(apigw_router_serve(table, group, ctx, event, &out), MYNT_OK);
  json_decref(event);
  json_error_t err;
  json_t *payload = json_loadb(out.ptr, out.len, 0, &err);
  buf_free(&out);
  if(!payload)
    fail_msg("the answer is not JSON: %s", err.text);
  return payload;
}

int apigw_forge_status(const json_t *payload)
{
  return (int)json_integer_value(json_object_get(payload, "statusCode"));
}

json_t *apigw_forge_body(const json_t *payload)
{
  const char *text = json_string_value(json_object_get(payload, "body"));
  if(!text || !*text)
    return json_null();
  json_error_t err;
  json_t *body = json_loads(text, 0, &err);
  if(!body)
    fail_msg("the body is not JSON: %s (%s)", err.text, text);
  return body;
}

const char *apigw_forge_error_code(const json_t *body)
{
  return json_string_value(json_object_get(json_object_get(body, "error"), "code"));
}

const char *apigw_forge_error_message(const json_t *body)
{
  return json_string_value(json_object_get(json_object_get(body, "error"), "message"));
}

json_t *apigw_forge_expect(json_t *payload, int status, const char *code)
{
  assert_int_equal(apigw_forge_status(payload), status);
  if(code) {
    json_t *body = apigw_forge_body(payload);
    const char *got = apigw_forge_error_code(body);
    if(!got || strcmp(got, code) != 0)
      fail_msg("error code \"%s\", expected \"%s\"", got ? got : "(none)", code);
    json_decref(body);
  }
  return payload;
}
