/* cognito.c - cognito-idp's ListUsers (by email) and AdminLinkProviderForUser, with Cognito's error names mapped. */
#include "aws/cognito.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "aws/aws_http.h"
#include "core/json.h"

/* Cognito names its errors in the body's "__type" (JSON 1.1): the ones this client tells apart. */
static mynt_status s_classify(int http_status, const char *type, const json_t *body, const json_t *request,
                              aws_retry_kind *out_retry)
{
  (void)body;
  (void)request;
  *out_retry = AWS_RETRY_NEVER;
  if(strcmp(type, "UserNotFoundException") == 0 || strcmp(type, "ResourceNotFoundException") == 0)
    return MYNT_NOT_FOUND;
  if(strcmp(type, "AliasExistsException") == 0 || strcmp(type, "LimitExceededException") == 0)
    return MYNT_CONFLICT;
  /* Our role or the pool's set-up is wrong: no retry helps, and it is never the caller's fault. */
  if(strcmp(type, "NotAuthorizedException") == 0 || strcmp(type, "OperationNotEnabledException") == 0)
    return MYNT_UPSTREAM;
  if(strcmp(type, "InternalErrorException") == 0) {
    *out_retry = AWS_RETRY_TRANSIENT;
    return MYNT_UNAVAILABLE;
  }
  return aws_http_classify_common(http_status, type, out_retry);
}

static const aws_http_service s_service = {
  .signing_name = "cognito-idp",
  .target_prefix = "AWSCognitoIdentityProviderService",
  .content_type = "application/x-amz-json-1.1",
  .display_name = "Cognito",
  .classify = s_classify,
};

mynt_status cognito_client_open(const aws_config *cfg, cognito_client **out, mynt_detail *detail)
{
  return aws_http_open(&s_service, cfg, "MYNT_COGNITO_ENDPOINT", out, detail);
}

void cognito_client_free(cognito_client *c)
{
  aws_http_free(c);
}

/* Whether s is 1..max bytes without control characters (what Cognito's string fields accept). */
static bool s_valid_text(const char *s, size_t max)
{
  if(!s || !*s)
    return false;
  size_t n = 0;
  for(; s[n]; n++)
    if(n >= max || (unsigned char)s[n] < 0x20 || s[n] == 0x7f)
      return false;
  return true;
}

mynt_status cognito_email_filter(mynt_buf *out, const char *email)
{
  if(!s_valid_text(email, COGNITO_VALUE_MAX))
    return MYNT_BAD_REQUEST;
  mynt_status st = buf_appends(out, "email = \"");
  for(const char *p = email; !st && *p; p++) {
    if(*p == '"' || *p == '\\')
      st = buf_append(out, "\\", 1);
    if(!st)
      st = buf_append(out, p, 1);
  }
  return st ? st : buf_appends(out, "\"");
}

const char *cognito_user_attribute(const json_t *user, const char *name)
{
  size_t i;
  json_t *attr;
  json_array_foreach(json_object_get(user, "Attributes"), i, attr) {
    const char *n = json_member_string(attr, "Name");
    if(n && strcmp(n, name) == 0)
      return json_member_string(attr, "Value");
  }
  return NULL;
}

/* Sends one ListUsers page of request and appends its Users to users; *out_more tells whether a PaginationToken
 * followed, which is then set in request for the next page. */
static mynt_status s_list_page(cognito_client *c, json_t *request, int64_t deadline_ms, json_t *users, bool *out_more,
                               aws_error *err)
{
  json_t *response = NULL;
  *out_more = false;
  mynt_status st = aws_http_call(c, "ListUsers", request, deadline_ms, 0, &response, err);
  json_t *listed = json_object_get(response, "Users");
  const char *next = json_member_string(response, "PaginationToken");
  if(!st && !json_is_array(listed))
    st = aws_error_refuse(err, MYNT_PARSE, "ListUsers answered without a Users array");
  if(!st && json_array_extend(users, listed))
    st = aws_error_refuse(err, MYNT_NOMEM, "out of memory");
  if(!st && next && *next) {
    *out_more = true;
    if(json_object_set_new(request, "PaginationToken", json_string(next)))
      st = aws_error_refuse(err, MYNT_NOMEM, "out of memory");
  }
  json_decref(response);
  return st;
}

mynt_status cognito_list_users_by_email(cognito_client *c, const char *pool_id, const char *email, int64_t deadline_ms,
                                        json_t **out_users, aws_error *out_err)
{
  *out_users = NULL;
  if(!c || !str_is_token(pool_id, COGNITO_POOL_ID_MAX))
    return aws_error_refuse(out_err, MYNT_BAD_REQUEST, "not a user pool id");
  mynt_buf filter;
  buf_init(&filter, 2 * COGNITO_VALUE_MAX + 16);
  mynt_status st = cognito_email_filter(&filter, email);
  json_t *request =
    st ? NULL
       : json_pack("{s:s, s:s, s:i}", "UserPoolId", pool_id, "Filter", buf_cstr(&filter), "Limit", COGNITO_PAGE_MAX);
  buf_free(&filter);
  if(st)
    return aws_error_refuse(out_err, st, "no filter can be made of this email");
  json_t *users = json_array();
  st = request && users ? MYNT_OK : aws_error_refuse(out_err, MYNT_NOMEM, "out of memory");
  bool more = !st;
  for(int page = 0; more && !st; page++) {
    if(page == COGNITO_LIST_PAGES_MAX)
      st = aws_error_refuse(out_err, MYNT_TOO_LARGE, "ListUsers has more pages than are read for one email");
    else
      st = s_list_page(c, request, deadline_ms, users, &more, out_err);
  }
  json_decref(request);
  if(st)
    json_decref(users);
  else
    *out_users = users;
  return st;
}

mynt_status cognito_admin_link_provider_for_user(cognito_client *c, const char *pool_id,
                                                 const char *destination_username, const char *provider_name,
                                                 const char *subject, int64_t deadline_ms, aws_error *out_err)
{
  if(!c || !str_is_token(pool_id, COGNITO_POOL_ID_MAX) || !s_valid_text(destination_username, COGNITO_USERNAME_MAX) ||
     !s_valid_text(provider_name, 32) || !s_valid_text(subject, COGNITO_VALUE_MAX))
    return aws_error_refuse(out_err, MYNT_BAD_REQUEST, "a malformed pool id, username, provider or subject");
  json_t *request =
    json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}}", "UserPoolId", pool_id, "DestinationUser", "ProviderName",
              "Cognito", "ProviderAttributeValue", destination_username, "SourceUser", "ProviderName", provider_name,
              "ProviderAttributeName", "Cognito_Subject", "ProviderAttributeValue", subject);
  if(!request)
    return aws_error_refuse(out_err, MYNT_NOMEM, "out of memory");
  json_t *response = NULL;
  mynt_status st = aws_http_call(c, "AdminLinkProviderForUser", request, deadline_ms, 0, &response, out_err);
  json_decref(request);
  json_decref(response);
  return st;
}
