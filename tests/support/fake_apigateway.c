/* fake_apigateway.c - a loopback API Gateway v2: GetStage and UpdateStage of one stage, with API Gateway's checks and
 * errors. */
#include "support/fake_apigateway.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define S_PREFIX "/v2/apis/"

static const request_check_keys s_keys = {"AKIDFAKEAPIGW", "fake/apigateway/secret", "us-east-1", "apigateway",
                                          "FQoGZXIvYXdzFAKEAPIGW+/="};

/* UpdateStage's body members (the API reference), and a RouteSettings object's. */
static const char *const s_update_members[] = {"accessLogSettings",    "autoDeploy",    "clientCertificateId",
                                               "defaultRouteSettings", "deploymentId",  "description",
                                               "routeSettings",        "stageVariables"};
static const char *const s_setting_members[] = {"dataTraceEnabled", "detailedMetricsEnabled", "loggingLevel",
                                                "throttlingBurstLimit", "throttlingRateLimit"};

typedef struct {
  unsigned http;
  const char *type; /* x-amzn-ErrorType; NULL on success */
  char *body;
} s_answer;

/* API Gateway v2's error bodies: {"message"} plus NotFoundException's resourceType, LimitExceededException's
 * limitType (its API reference). */
static s_answer s_error(unsigned http, const char *type, const char *message)
{
  json_t *e = json_pack("{s:s}", "message", message);
  if(strcmp(type, "NotFoundException") == 0)
    json_object_set_new(e, "resourceType", json_string("Stage"));
  if(strcmp(type, "LimitExceededException") == 0)
    json_object_set_new(e, "limitType", json_string("Throttling"));
  s_answer a = {http, type, json_dumps(e, JSON_COMPACT)};
  json_decref(e);
  return a;
}

static bool s_member_of(const char *name, const char *const *list, size_t n)
{
  for(size_t i = 0; i < n; i++)
    if(strcmp(name, list[i]) == 0)
      return true;
  return false;
}

/* NULL when settings is a RouteSettings object an HTTP API accepts, else why not. */
static const char *s_bad_settings(const json_t *settings)
{
  if(!json_is_object(settings))
    return "RouteSettings must be an object";
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)settings, key, v) {
    if(!s_member_of(key, s_setting_members, sizeof s_setting_members / sizeof *s_setting_members))
      return "RouteSettings has an unknown member";
    /* API Gateway: "supported only for WebSocket APIs". */
    if(strcmp(key, "dataTraceEnabled") == 0 || strcmp(key, "loggingLevel") == 0)
      return "DataTraceEnabled and LoggingLevel are supported only for WebSocket APIs";
  }
  const json_t *burst = json_object_get(settings, "throttlingBurstLimit");
  const json_t *rate = json_object_get(settings, "throttlingRateLimit");
  if(burst && (!json_is_integer(burst) || json_integer_value(burst) < 0))
    return "throttlingBurstLimit must be a non-negative integer";
  if(rate && (!json_is_number(rate) || json_number_value(rate) < 0))
    return "throttlingRateLimit must be a non-negative number";
  const json_t *metrics = json_object_get(settings, "detailedMetricsEnabled");
  if(metrics && !json_is_boolean(metrics))
    return "detailedMetricsEnabled must be a boolean";
  return NULL;
}

/* Merges the given members of settings into the stage's (an object created when missing). */
static void s_merge(json_t *stage_settings, const json_t *settings)
{
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)settings, key, v)
    json_object_set(stage_settings, key, v);
}

static s_answer s_update(fake_apigateway *f, const json_t *body)
{
  if(!json_is_object(body))
    return s_error(400, "BadRequestException", "the body is not a JSON object");
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)body, key, v) {
    if(!s_member_of(key, s_update_members, sizeof s_update_members / sizeof *s_update_members))
      return s_error(400, "BadRequestException", "Invalid request body: an unknown member");
  }
  const json_t *def = json_object_get(body, "defaultRouteSettings");
  const json_t *routes = json_object_get(body, "routeSettings");
  const char *why = def ? s_bad_settings(def) : NULL;
  if(why)
    return s_error(400, "BadRequestException", why);
  if(routes && !json_is_object(routes))
    return s_error(400, "BadRequestException", "routeSettings must be a map");
  json_object_foreach((json_t *)routes, key, v) {
    bool known = false;
    size_t i;
    json_t *k;
    json_array_foreach(f->route_keys, i, k)
      known = known || strcmp(json_string_value(k), key) == 0;
    if(!known)
      return s_error(404, "NotFoundException", "Unable to find Route by key within the provided RouteSettings");
    if((why = s_bad_settings(v)))
      return s_error(400, "BadRequestException", why);
  }
  /* Only what is valid as a whole is applied. */
  if(def) {
    if(!json_is_object(json_object_get(f->stage, "defaultRouteSettings")))
      json_object_set_new(f->stage, "defaultRouteSettings", json_object());
    s_merge(json_object_get(f->stage, "defaultRouteSettings"), def);
  }
  if(routes && !json_is_object(json_object_get(f->stage, "routeSettings")))
    json_object_set_new(f->stage, "routeSettings", json_object());
  json_object_foreach((json_t *)routes, key, v) {
    json_t *stage_routes = json_object_get(f->stage, "routeSettings");
    if(!json_is_object(json_object_get(stage_routes, key)))
      json_object_set_new(stage_routes, key, json_object());
    s_merge(json_object_get(stage_routes, key), v);
  }
  json_object_set_new(f->stage, "lastUpdatedDate", json_string("2026-12-02T06:00:00Z"));
  return (s_answer){200, NULL, json_dumps(f->stage, JSON_COMPACT)};
}

static void s_handle(void *ctx, const script_request *req, script_reply *out)
{
  fake_apigateway *f = ctx;
  static const char *const must_sign_patch[] = {"content-type", NULL};
  bool is_get = strcmp(req->method, "GET") == 0;
  bool is_patch = strcmp(req->method, "PATCH") == 0;
  const char *ct = script_request_header(req, "Content-Type");
  request_check_signed(&f->aws.seen, req, &s_keys, is_patch ? must_sign_patch : NULL);
  if(is_patch && (!ct || strcmp(ct, "application/json") != 0))
    request_fail(&f->aws.seen, "Content-Type is %s", ct ? ct : "(none)");
  if(is_get && req->body_len)
    request_fail(&f->aws.seen, "a GetStage with a body");

  s_answer a = {0};
  char api[128] = "";
  char stage[256] = "";
  /* The server hands over the path decoded: "$default" arrives as sent, percent-encoded, and decoded here. */
  const char *rest = strncmp(req->url, S_PREFIX, strlen(S_PREFIX)) == 0 ? req->url + strlen(S_PREFIX) : NULL;
  const char *mid = rest ? strstr(rest, "/stages/") : NULL;
  if(mid) {
    snprintf(api, sizeof api, "%.*s", (int)(mid - rest), rest);
    snprintf(stage, sizeof stage, "%s", mid + strlen("/stages/"));
  }
  pthread_mutex_lock(&f->aws.lock);
  const char *stage_name = json_string_value(json_object_get(f->stage, "stageName"));
  if(is_get)
    f->gets++;
  if(is_patch)
    f->updates++;
  if(!mid || (!is_get && !is_patch)) {
    request_fail(&f->aws.seen, "%s %s is neither GetStage nor UpdateStage", req->method, req->url);
    a = s_error(404, "NotFoundException", "Invalid resource path");
  }
  else if(f->fail_count != 0) {
    if(f->fail_count > 0)
      f->fail_count--;
    a = f->fail_http == 429 ? s_error(429, "LimitExceededException", "Too Many Requests")
                            : s_error(f->fail_http, "InternalServerErrorException", "scripted failure");
  }
  else if(strcmp(api, FAKE_APIGATEWAY_API_ID) != 0) {
    a = s_error(404, "NotFoundException", "Invalid API identifier specified");
  }
  else if(!stage_name || strcmp(stage, stage_name) != 0) {
    a = s_error(404, "NotFoundException", "Invalid stage identifier specified");
  }
  else if(is_get) {
    a = (s_answer){200, NULL, json_dumps(f->stage, JSON_COMPACT)};
  }
  else {
    json_t *body = json_loadb(req->body, req->body_len, 0, NULL);
    a = s_update(f, body);
    json_decref(body);
  }
  pthread_mutex_unlock(&f->aws.lock);
  out->status = a.http;
  out->content_type = "application/json";
  if(a.type)
    out->headers[0] = (script_header){"x-amzn-ErrorType", a.type};
  out->body = a.body;
  out->body_len = a.body ? strlen(a.body) : 0;
  out->free_body = true;
}

fake_apigateway *fake_apigateway_start(json_t *stage, json_t *route_keys)
{
  fake_apigateway *f = calloc(1, sizeof *f);
  assert_non_null(f);
  assert_true(stage && route_keys);
  f->stage = stage;
  f->route_keys = route_keys;
  fake_aws_open(&f->aws, &s_keys, s_handle, f);
  aws_config cfg;
  fake_apigateway_config(f, &cfg);
  assert_int_equal(apigateway_client_open(&cfg, &f->client, NULL), MYNT_OK);
  return f;
}

void fake_apigateway_free(fake_apigateway *f)
{
  if(!f)
    return;
  apigateway_client_free(f->client);
  fake_aws_close(&f->aws);
  json_decref(f->stage);
  json_decref(f->route_keys);
  free(f);
}

void fake_apigateway_finish(fake_apigateway *f)
{
  json_decref(fake_apigateway_stage(f));
  fake_apigateway_free(f);
}

void fake_apigateway_config(const fake_apigateway *f, aws_config *cfg)
{
  fake_aws_config(&f->aws, cfg);
}

void fake_apigateway_fail(fake_apigateway *f, int count, unsigned http)
{
  pthread_mutex_lock(&f->aws.lock);
  f->fail_count = count;
  f->fail_http = http;
  pthread_mutex_unlock(&f->aws.lock);
}

json_t *fake_apigateway_stage(fake_apigateway *f)
{
  fake_aws_assert_clean(&f->aws, "API Gateway");
  pthread_mutex_lock(&f->aws.lock);
  json_t *copy = json_deep_copy(f->stage);
  pthread_mutex_unlock(&f->aws.lock);
  return copy;
}
