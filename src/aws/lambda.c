/* lambda.c - Lambda's asynchronous Invoke: function-name validation, the REST path, and Lambda's error names. */
#include "aws/lambda.h"

#include <pthread.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws/aws_http.h"
#include "aws/sigv4.h"
#include "core/buf.h"

#define S_PATH_MAX 1024 /* "/2015-03-31/functions/" + 170 bytes encoded three to one + "/invocations" */

/* Lambda's pattern for a function name or ARN with an optional version or alias (the Invoke
 * API reference's FunctionName), in POSIX ERE: \d as [0-9], and '-' last in its brackets. */
static const char s_name_pattern[] = "^(arn:(aws[a-zA-Z-]*)?:lambda:)?"
                                     "([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-[0-9]:)?"
                                     "([0-9]{12}:)?"
                                     "(function:)?"
                                     "([a-zA-Z0-9_.-]+)"
                                     "(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9_-]+))?$";
#define S_NAME_GROUP 10 /* the function's own name in s_name_pattern */

/* Lambda names its errors in x-amzn-ErrorType; the body is {"Type":"User"|"Service","message":...}. */
static mynt_status s_classify(int http_status, const char *type, const json_t *body, const json_t *request,
                              aws_retry_kind *out_retry)
{
  (void)body;
  (void)request;
  *out_retry = AWS_RETRY_NEVER;
  if(strcmp(type, "ResourceNotFoundException") == 0)
    return MYNT_NOT_FOUND;
  if(strcmp(type, "RequestTooLargeException") == 0 || http_status == 413)
    return MYNT_TOO_LARGE;
  /* 5xx answers that name the function's own configuration (its KMS key, VPC, package or
   * runtime): sending again cannot help, and the fault is ours to fix. */
  if(http_status >= 500 &&
     (strncmp(type, "KMS", 3) == 0 || strncmp(type, "Invalid", 7) == 0 ||
      strcmp(type, "EC2AccessDeniedException") == 0 || strcmp(type, "SubnetIPAddressLimitReachedException") == 0 ||
      strcmp(type, "ENILimitReachedException") == 0))
    return MYNT_UPSTREAM;
  return aws_http_classify_common(http_status, type, out_retry);
}

static const aws_http_service s_service = {
  .signing_name = "lambda",
  .target_prefix = "",
  .content_type = "application/json",
  .display_name = "Lambda",
  .classify = s_classify,
};

mynt_status lambda_client_new(const aws_config *cfg, lambda_client **out)
{
  return aws_http_new(cfg, &s_service, out);
}

void lambda_client_free(lambda_client *c)
{
  aws_http_free(c);
}

/* s_name_pattern compiled once for the process (never freed); s_name_re_status is its outcome. */
static regex_t s_name_re;
static mynt_status s_name_re_status = MYNT_INTERNAL;
static pthread_once_t s_name_re_once = PTHREAD_ONCE_INIT;

static void s_compile_name_re(void)
{
  int rc = regcomp(&s_name_re, s_name_pattern, REG_EXTENDED);
  s_name_re_status = rc == 0 ? MYNT_OK : rc == REG_ESPACE ? MYNT_NOMEM : MYNT_INTERNAL;
}

/* Whether name matches Lambda's pattern and limits. */
static bool s_valid_function_name(const char *name)
{
  size_t len = strlen(name);
  if(len == 0 || len > LAMBDA_FUNCTION_ARN_MAX)
    return false;
  regmatch_t m[S_NAME_GROUP + 1];
  if(regexec(&s_name_re, name, S_NAME_GROUP + 1, m, 0) != 0)
    return false;
  return m[S_NAME_GROUP].rm_so >= 0 && m[S_NAME_GROUP].rm_eo - m[S_NAME_GROUP].rm_so <= LAMBDA_FUNCTION_NAME_MAX;
}

mynt_status lambda_invoke_async(lambda_client *c, const char *function_name, const char *payload_json,
                                int64_t deadline_ms, aws_error *out_err)
{
  if(pthread_once(&s_name_re_once, s_compile_name_re) != 0 || s_name_re_status)
    return aws_error_refuse(out_err, s_name_re_status ? s_name_re_status : MYNT_INTERNAL,
                            "cannot compile Lambda's function name pattern");
  if(!c || !function_name || !s_valid_function_name(function_name))
    return aws_error_refuse(out_err, MYNT_BAD_REQUEST, "not a Lambda function name or ARN");
  if(!payload_json)
    return aws_error_refuse(out_err, MYNT_BAD_REQUEST, "no payload");
  size_t payload_len = strlen(payload_json);
  if(payload_len > LAMBDA_ASYNC_PAYLOAD_MAX)
    return aws_error_refuse(out_err, MYNT_TOO_LARGE, "the payload is over Lambda's 1 MB for asynchronous invocations");
  json_t *doc = json_loadb(payload_json, payload_len, JSON_DECODE_ANY, NULL);
  if(!doc)
    return aws_error_refuse(out_err, MYNT_BAD_REQUEST, "the payload is not JSON");
  json_decref(doc);

  mynt_buf path;
  buf_init(&path, S_PATH_MAX);
  mynt_status st = buf_appends(&path, "/2015-03-31/functions/");
  if(!st)
    st = sigv4_uri_encode(&path, function_name, strlen(function_name), 0);
  if(!st)
    st = buf_appends(&path, "/invocations");
  if(st) {
    buf_free(&path);
    return aws_error_refuse(out_err, st, "cannot build the request path");
  }
  static const sigv4_header headers[] = {{"X-Amz-Invocation-Type", "Event"}};
  aws_http_rest_request req = {
    .method = "POST",
    .path = buf_cstr(&path),
    .headers = headers,
    .header_count = sizeof headers / sizeof headers[0],
    .body = payload_json,
    .body_len = payload_len,
  };
  st = aws_http_rest_call(c, &req, deadline_ms, 0, NULL, out_err);
  buf_free(&path);
  return st;
}
