/* apigateway.c - API Gateway v2's GetStage and UpdateStage: the stage path, and API Gateway's error names. */
#include "aws/apigateway.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_http.h"
#include "aws/sigv4.h"
#include "core/buf.h"

#define S_PATH_MAX 1024

/* API Gateway names its errors in x-amzn-ErrorType; the body is {"message": ...}. */
static mynt_status s_classify(int http_status, const char *type, const json_t *body, const json_t *request,
                              aws_retry_kind *out_retry)
{
  (void)body;
  (void)request;
  *out_retry = AWS_RETRY_NEVER;
  if(strcmp(type, "NotFoundException") == 0 || (http_status == 404 && !type[0]))
    return MYNT_NOT_FOUND;
  if(strcmp(type, "ConflictException") == 0)
    return MYNT_CONFLICT;
  return aws_http_classify_common(http_status, type, out_retry);
}

static const aws_http_service s_service = {
  .signing_name = "apigateway",
  .target_prefix = "",
  .content_type = "application/json",
  .display_name = "API Gateway",
  .classify = s_classify,
};

mynt_status apigateway_client_open(const aws_config *cfg, apigateway_client **out, mynt_detail *detail)
{
  return aws_http_open(&s_service, cfg, "MYNT_APIGATEWAY_ENDPOINT", out, detail);
}

void apigateway_client_free(apigateway_client *c)
{
  aws_http_free(c);
}

static bool s_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool apigateway_valid_stage_name(const char *name)
{
  if(!name)
    return false;
  if(strcmp(name, "$default") == 0)
    return true;
  size_t n = 0;
  for(; name[n]; n++)
    if(n >= APIGATEWAY_STAGE_MAX || !(s_alnum(name[n]) || name[n] == '-' || name[n] == '_'))
      return false;
  return n > 0;
}

bool apigateway_valid_api_id(const char *id)
{
  if(!id)
    return false;
  size_t n = 0;
  for(; id[n]; n++)
    if(n >= APIGATEWAY_API_ID_MAX || !s_alnum(id[n]))
      return false;
  return n > 0;
}

/* Sends method to the stage's path with body (NULL for none). */
static mynt_status s_stage_call(apigateway_client *c, const char *method, const char *api_id, const char *stage,
                                const char *body, int64_t deadline_ms, json_t **out_stage, aws_error *out_err)
{
  if(out_stage)
    *out_stage = NULL;
  if(!c || !apigateway_valid_api_id(api_id) || !apigateway_valid_stage_name(stage))
    return aws_error_refuse(out_err, MYNT_BAD_REQUEST, "not an API id or stage name");
  mynt_buf path;
  buf_init(&path, S_PATH_MAX);
  mynt_status st = buf_appendf(&path, "/v2/apis/%s/stages/", api_id);
  if(!st)
    st = sigv4_uri_encode(&path, stage, strlen(stage), 0);
  if(st) {
    buf_free(&path);
    return aws_error_refuse(out_err, st, "cannot build the request path");
  }
  aws_http_rest_request req = {
    .method = method,
    .path = buf_cstr(&path),
    .body = body,
    .body_len = body ? strlen(body) : 0,
  };
  json_t *answer = NULL;
  st = aws_http_rest_call(c, &req, deadline_ms, 0, &answer, out_err);
  buf_free(&path);
  if(!st && !json_is_object(answer)) {
    json_decref(answer);
    answer = NULL;
    st = aws_error_refuse(out_err, MYNT_PARSE, "the Stage answered is not a JSON object");
  }
  if(out_stage)
    *out_stage = answer;
  else
    json_decref(answer);
  return st;
}

mynt_status apigateway_get_stage(apigateway_client *c, const char *api_id, const char *stage, int64_t deadline_ms,
                                 json_t **out_stage, aws_error *out_err)
{
  *out_stage = NULL;
  return s_stage_call(c, "GET", api_id, stage, NULL, deadline_ms, out_stage, out_err);
}

mynt_status apigateway_update_stage(apigateway_client *c, const char *api_id, const char *stage, const json_t *changes,
                                    int64_t deadline_ms, json_t **out_stage, aws_error *out_err)
{
  if(out_stage)
    *out_stage = NULL;
  if(!json_is_object(changes))
    return aws_error_refuse(out_err, MYNT_BAD_REQUEST, "the changes are not a JSON object");
  char *body = json_dumps(changes, JSON_COMPACT);
  if(!body)
    return aws_error_refuse(out_err, MYNT_NOMEM, "cannot serialise the changes");
  mynt_status st = s_stage_call(c, "PATCH", api_id, stage, body, deadline_ms, out_stage, out_err);
  free(body);
  return st;
}
