/* ssm.c - SSM Parameter Store calls (GetParameter and a generic call), treating every answer as secret. */
#include "aws/ssm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_http.h"
#include "core/wipe.h"

static mynt_status s_classify(int http_status, const char *type, const json_t *body, const json_t *request,
                              aws_retry_kind *out_retry)
{
  (void)body;
  (void)request;
  *out_retry = AWS_RETRY_NEVER;
  if(strcmp(type, "ParameterNotFound") == 0 || strcmp(type, "ParameterVersionNotFound") == 0)
    return MYNT_NOT_FOUND;
  return aws_http_classify_common(http_status, type, out_retry);
}

static const aws_http_service s_service = {
  .signing_name = "ssm",
  .target_prefix = "AmazonSSM",
  .content_type = "application/x-amz-json-1.1",
  .display_name = "SSM",
  .classify = s_classify,
};

mynt_status ssm_client_new(const aws_config *cfg, ssm_client **out_client)
{
  return aws_http_new(cfg, &s_service, out_client);
}

mynt_status ssm_client_from_env(ssm_client **out_client, mynt_detail *detail)
{
  return aws_http_new_from_env(&s_service, out_client, detail);
}

void ssm_client_free(ssm_client *c)
{
  aws_http_free(c);
}

mynt_status ssm_call(ssm_client *c, const char *operation, json_t *request, int64_t deadline_ms, json_t **out_response,
                     aws_error *out_err)
{
  return aws_http_call(c, operation, request, deadline_ms, 1, out_response, out_err);
}

mynt_status ssm_get_parameter(ssm_client *c, const char *name, int with_decryption, int64_t deadline_ms,
                              char **out_value, aws_error *out_err)
{
  mynt_status st = MYNT_OK;
  json_t *response = NULL;
  json_t *request = NULL;
  *out_value = NULL;
  if(!name || !*name) {
    st = MYNT_BAD_REQUEST;
    if(out_err) {
      memset(out_err, 0, sizeof *out_err);
      out_err->status = st;
      snprintf(out_err->message, sizeof out_err->message, "no parameter name");
    }
    goto cleanup;
  }
  request = json_pack("{s:s, s:b}", "Name", name, "WithDecryption", with_decryption ? 1 : 0);
  if(!request) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  st = ssm_call(c, "GetParameter", request, deadline_ms, &response, out_err);
  if(st)
    goto cleanup;
  json_t *value = json_object_get(json_object_get(response, "Parameter"), "Value");
  if(!json_is_string(value)) {
    st = MYNT_PARSE;
    if(out_err) {
      out_err->status = st;
      snprintf(out_err->message, sizeof out_err->message, "GetParameter answered without a string Value");
    }
    goto cleanup;
  }
  *out_value = strndup(json_string_value(value), json_string_length(value));
  mynt_wipe_json_string(value); /* jansson frees without wiping */
  if(!*out_value)
    st = MYNT_NOMEM;

cleanup:
  if(st == MYNT_NOMEM && out_err) {
    out_err->status = st;
    snprintf(out_err->message, sizeof out_err->message, "out of memory");
  }
  json_decref(request);
  json_decref(response);
  return st;
}
