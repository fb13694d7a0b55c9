/* ssm.c - SSM Parameter Store calls (GetParameter, GetParameters and a generic call), treating every answer as secret. */
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

/* Sets out_err's (may be NULL) status and message, keeping what the exchange filled in. Returns st. */
static mynt_status s_set(aws_error *out_err, mynt_status st, const char *message)
{
  if(out_err) {
    out_err->status = st;
    snprintf(out_err->message, sizeof out_err->message, "%s", message);
  }
  return st;
}

/* As s_set for a failure before any exchange: out_err is cleared first. Returns st. */
static mynt_status s_fail(aws_error *out_err, mynt_status st, const char *message)
{
  if(out_err)
    memset(out_err, 0, sizeof *out_err);
  return s_set(out_err, st, message);
}

/* Sends operation with request (borrowed; NULL when building it ran out of memory). As ssm_call. */
static mynt_status s_send(ssm_client *c, const char *operation, json_t *request, int64_t deadline_ms,
                          json_t **out_response, aws_error *out_err)
{
  if(!request)
    return s_fail(out_err, MYNT_NOMEM, "out of memory");
  return ssm_call(c, operation, request, deadline_ms, out_response, out_err);
}

mynt_status ssm_get_parameter(ssm_client *c, const char *name, int with_decryption, int64_t deadline_ms,
                              char **out_value, aws_error *out_err)
{
  mynt_status st = MYNT_OK;
  json_t *response = NULL;
  json_t *request = NULL;
  *out_value = NULL;
  if(!name || !*name) {
    st = s_fail(out_err, MYNT_BAD_REQUEST, "no parameter name");
    goto cleanup;
  }
  request = json_pack("{s:s, s:b}", "Name", name, "WithDecryption", with_decryption ? 1 : 0);
  st = s_send(c, "GetParameter", request, deadline_ms, &response, out_err);
  if(st)
    goto cleanup;
  json_t *value = json_object_get(json_object_get(response, "Parameter"), "Value");
  if(!json_is_string(value)) {
    st = s_set(out_err, MYNT_PARSE, "GetParameter answered without a string Value");
    goto cleanup;
  }
  *out_value = strndup(json_string_value(value), json_string_length(value));
  mynt_wipe_json_string(value); /* jansson frees without wiping */
  if(!*out_value)
    st = MYNT_NOMEM;

cleanup:
  if(st == MYNT_NOMEM)
    s_set(out_err, st, "out of memory");
  json_decref(request);
  json_decref(response);
  return st;
}

/* Returns whether names (a JSON array, may be NULL) holds the string name. */
static int s_listed(const json_t *names, const char *name)
{
  size_t i;
  json_t *n;
  json_array_foreach(names, i, n) {
    if(json_is_string(n) && strcmp(json_string_value(n), name) == 0)
      return 1;
  }
  return 0;
}

/* Returns the member of parameters (a JSON array) whose Name is name, or NULL. */
static json_t *s_parameter(const json_t *parameters, const char *name)
{
  size_t i;
  json_t *p;
  json_array_foreach(parameters, i, p) {
    const json_t *n = json_object_get(p, "Name");
    if(json_is_string(n) && strcmp(json_string_value(n), name) == 0)
      return p;
  }
  return NULL;
}

mynt_status ssm_get_parameters(ssm_client *c, const char *const *names, size_t count, int with_decryption,
                               int64_t deadline_ms, char **out_values, size_t *out_missing, aws_error *out_err)
{
  mynt_status st = MYNT_OK;
  json_t *request = NULL;
  json_t *response = NULL;
  json_t *list = NULL;
  if(out_missing)
    *out_missing = count;
  for(size_t i = 0; out_values && i < count && i < SSM_GET_PARAMETERS_MAX; i++)
    out_values[i] = NULL;
  if(!out_values || count == 0 || count > SSM_GET_PARAMETERS_MAX)
    return s_fail(out_err, MYNT_BAD_REQUEST, "GetParameters takes 1 to 10 names");
  list = json_array();
  if(!list) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  for(size_t i = 0; i < count; i++) {
    if(!names[i] || !*names[i]) {
      st = s_fail(out_err, MYNT_BAD_REQUEST, "no parameter name");
      goto cleanup;
    }
    if(json_array_append_new(list, json_string(names[i]))) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
  }
  request = json_pack("{s:o, s:b}", "Names", list, "WithDecryption", with_decryption ? 1 : 0);
  list = NULL; /* the request owns it now, or json_pack released it */
  st = s_send(c, "GetParameters", request, deadline_ms, &response, out_err);
  if(st)
    goto cleanup;
  const json_t *invalid = json_object_get(response, "InvalidParameters");
  const json_t *parameters = json_object_get(response, "Parameters");
  for(size_t i = 0; i < count; i++) {
    if(s_listed(invalid, names[i])) {
      if(out_missing)
        *out_missing = i;
      st = s_set(out_err, MYNT_NOT_FOUND, "parameter not found");
      if(out_err)
        snprintf(out_err->type, sizeof out_err->type, "ParameterNotFound");
      goto cleanup;
    }
  }
  for(size_t i = 0; i < count; i++) {
    json_t *value = json_object_get(s_parameter(parameters, names[i]), "Value");
    if(!json_is_string(value)) {
      st = s_set(out_err, MYNT_PARSE, "GetParameters answered no string Value for a name");
      goto cleanup;
    }
    out_values[i] = strndup(json_string_value(value), json_string_length(value));
    if(!out_values[i]) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
  }

cleanup:
  if(st == MYNT_NOMEM)
    s_set(out_err, st, "out of memory");
  if(st) {
    for(size_t i = 0; i < count && i < SSM_GET_PARAMETERS_MAX; i++) {
      mynt_wipe_free(out_values[i]);
      out_values[i] = NULL;
    }
  }
  if(response) { /* jansson frees without wiping: wipe every value the answer holds */
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(response, "Parameters"), i, p) {
      json_t *value = json_object_get(p, "Value");
      if(json_is_string(value))
        mynt_wipe_json_string(value);
    }
  }
  json_decref(list);
  json_decref(request);
  json_decref(response);
  return st;
}
