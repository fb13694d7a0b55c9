/* fake_cognito.c - a loopback cognito-idp: ListUsers with Cognito's Filter syntax, AdminLinkProviderForUser with
 * its field rules, Cognito's error JSON, and the links it made. */
#include "support/fake_cognito.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define S_TARGET_PREFIX "AWSCognitoIdentityProviderService."
#define S_CONTENT_TYPE  "application/x-amz-json-1.1"

static const request_check_keys s_keys = {"AKIDFAKECOGNITO", "fake/cognito/secret", "us-east-1", "cognito-idp",
                                          "FQoGZXIvYXdzFAKECOGNITO+/="};
static const char *const s_must_sign[] = {"content-type", "x-amz-target", NULL};

/* The attributes ListUsers can filter on (Cognito's API reference), and the providers of the fake pool. */
static const char *const s_filterable[] = {"username",   "email",       "phone_number",       "name",
                                           "given_name", "family_name", "preferred_username", "cognito:user_status",
                                           "status",     "sub"};
static const char *const s_providers[] = {"Google"};

/* One answer: status and a JSON body (owned). */
typedef struct {
  unsigned http;
  char *body;
} s_answer;

static s_answer s_error(unsigned http, const char *type, const char *message)
{
  json_t *e = json_pack("{s:s, s:s}", "__type", type, "message", message);
  s_answer a = {http, json_dumps(e, JSON_COMPACT)};
  json_decref(e);
  return a;
}

static s_answer s_ok(json_t *doc)
{
  s_answer a = {200, json_dumps(doc, JSON_COMPACT)};
  json_decref(doc);
  return a;
}

static bool s_listed(const char *name, const char *const *list, size_t n)
{
  for(size_t i = 0; i < n; i++)
    if(strcmp(name, list[i]) == 0)
      return true;
  return false;
}

static const char *s_attribute(const json_t *user, const char *name)
{
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(user, "Attributes"), i, a) {
    if(strcmp(json_string_value(json_object_get(a, "Name")), name) == 0)
      return json_string_value(json_object_get(a, "Value"));
  }
  return NULL;
}

static json_t *s_find_user(fake_cognito *f, const char *username)
{
  size_t i;
  json_t *u;
  json_array_foreach(f->users, i, u) {
    if(username && strcmp(json_string_value(json_object_get(u, "Username")), username) == 0)
      return u;
  }
  return NULL;
}

/* A parsed Filter: attribute, operator ("=" or "^="), unescaped value. */
typedef struct {
  char name[64];
  bool prefix;
  char value[4096];
} s_filter;

/* Parses Cognito's `AttributeName Filter-Type "AttributeValue"`, the value's '"' and '\' escaped by a backslash.
 * Returns NULL or the reason it is refused. */
static const char *s_parse_filter(const char *text, s_filter *out)
{
  const char *p = text;
  size_t n = 0;
  memset(out, 0, sizeof *out);
  while(*p == ' ')
    p++;
  while((*p >= 'a' && *p <= 'z') || *p == '_' || *p == ':') {
    if(n + 1 >= sizeof out->name)
      return "attribute name too long";
    out->name[n++] = *p++;
  }
  if(!n || !s_listed(out->name, s_filterable, sizeof s_filterable / sizeof *s_filterable))
    return "not a filterable attribute";
  while(*p == ' ')
    p++;
  if(p[0] == '^' && p[1] == '=') {
    out->prefix = true;
    p += 2;
  }
  else if(p[0] == '=') {
    p++;
  }
  else {
    return "the filter type is neither = nor ^=";
  }
  while(*p == ' ')
    p++;
  if(*p++ != '"')
    return "the value is not quoted";
  n = 0;
  for(; *p && *p != '"'; p++) {
    if(*p == '\\') {
      p++;
      if(*p != '"' && *p != '\\')
        return "a backslash escapes neither a quote nor a backslash";
    }
    if(n + 1 >= sizeof out->value)
      return "value too long";
    out->value[n++] = *p;
  }
  if(*p != '"')
    return "the value's closing quote is missing";
  for(p++; *p == ' '; p++)
    ;
  return *p ? "text after the value" : NULL;
}

static bool s_matches(const json_t *user, const s_filter *flt)
{
  const char *v = NULL;
  if(strcmp(flt->name, "username") == 0)
    v = json_string_value(json_object_get(user, "Username"));
  else if(strcmp(flt->name, "cognito:user_status") == 0)
    v = json_string_value(json_object_get(user, "UserStatus"));
  else if(strcmp(flt->name, "status") == 0)
    v = json_is_true(json_object_get(user, "Enabled")) ? "Enabled" : "Disabled";
  else
    v = s_attribute(user, flt->name);
  if(!v)
    return false;
  return flt->prefix ? strncmp(v, flt->value, strlen(flt->value)) == 0 : strcmp(v, flt->value) == 0;
}

static s_answer s_list_users(fake_cognito *f, const json_t *body)
{
  const char *pool = json_string_value(json_object_get(body, "UserPoolId"));
  const json_t *filter = json_object_get(body, "Filter");
  const json_t *limit = json_object_get(body, "Limit");
  const char *token = json_string_value(json_object_get(body, "PaginationToken"));
  if(!pool)
    return s_error(400, "InvalidParameterException", "1 validation error detected: UserPoolId must not be null");
  if(strcmp(pool, FAKE_COGNITO_POOL_ID) != 0)
    return s_error(400, "ResourceNotFoundException", "User pool does not exist.");
  if(limit && (!json_is_integer(limit) || json_integer_value(limit) < 0 || json_integer_value(limit) > 60))
    return s_error(400, "InvalidParameterException", "Limit must be from 0 to 60");
  s_filter flt;
  bool filtered = json_string_length(filter) > 0;
  if(filter && !json_is_string(filter))
    return s_error(400, "SerializationException", "Filter is not a string");
  json_array_append(f->filters, (json_t *)filter);
  const char *why = filtered ? s_parse_filter(json_string_value(filter), &flt) : NULL;
  if(why)
    return s_error(400, "InvalidParameterException", why);
  size_t page = limit && json_integer_value(limit) ? (size_t)json_integer_value(limit) : 60;
  size_t from = token ? strtoul(token, NULL, 10) : 0;
  json_t *users = json_array();
  size_t i;
  size_t seen = 0;
  json_t *u;
  json_t *answer = json_object();
  json_array_foreach(f->users, i, u) {
    if(filtered && !s_matches(u, &flt))
      continue;
    if(seen++ < from)
      continue;
    if(json_array_size(users) == page) {
      char next[32];
      snprintf(next, sizeof next, "%zu", seen - 1);
      json_object_set_new(answer, "PaginationToken", json_string(next));
      break;
    }
    json_array_append(users, u);
  }
  json_object_set_new(answer, "Users", users);
  return s_ok(answer);
}

static bool s_linked_anywhere(fake_cognito *f, const char *provider, const char *subject)
{
  size_t i;
  json_t *l;
  json_array_foreach(f->links, i, l) {
    if(strcmp(json_string_value(json_object_get(l, "provider")), provider) == 0 &&
       strcmp(json_string_value(json_object_get(l, "subject")), subject) == 0)
      return true;
  }
  return false;
}

/* Adds {userId, providerName, ...} to the user's identities attribute, as Cognito shows a linked identity. */
static void s_add_identity(json_t *user, const char *provider, const char *subject)
{
  json_t *attrs = json_object_get(user, "Attributes");
  json_t *slot = NULL;
  size_t i;
  json_t *a;
  json_array_foreach(attrs, i, a) {
    if(strcmp(json_string_value(json_object_get(a, "Name")), "identities") == 0)
      slot = a;
  }
  json_t *list = slot ? json_loads(json_string_value(json_object_get(slot, "Value")), 0, NULL) : json_array();
  json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:n, s:b, s:I}", "userId", subject, "providerName", provider,
                                        "providerType", provider, "issuer", "primary", 0, "dateCreated",
                                        (json_int_t)1700000000000));
  char *text = json_dumps(list, JSON_COMPACT);
  json_decref(list);
  if(slot)
    json_object_set_new(slot, "Value", json_string(text));
  else
    json_array_append_new(attrs, json_pack("{s:s, s:s}", "Name", "identities", "Value", text));
  free(text);
}

static s_answer s_link(fake_cognito *f, const json_t *body)
{
  const char *pool = json_string_value(json_object_get(body, "UserPoolId"));
  const json_t *dest = json_object_get(body, "DestinationUser");
  const json_t *src = json_object_get(body, "SourceUser");
  if(!pool || !json_is_object(dest) || !json_is_object(src))
    return s_error(400, "InvalidParameterException",
                   "UserPoolId, DestinationUser and SourceUser are required and must be objects");
  if(strcmp(pool, FAKE_COGNITO_POOL_ID) != 0)
    return s_error(400, "ResourceNotFoundException", "User pool does not exist.");
  const char *dest_provider = json_string_value(json_object_get(dest, "ProviderName"));
  const char *dest_value = json_string_value(json_object_get(dest, "ProviderAttributeValue"));
  const char *src_provider = json_string_value(json_object_get(src, "ProviderName"));
  const char *src_attribute = json_string_value(json_object_get(src, "ProviderAttributeName"));
  const char *src_value = json_string_value(json_object_get(src, "ProviderAttributeValue"));
  if(!dest_provider || !dest_value || !*dest_value)
    return s_error(400, "InvalidParameterException", "DestinationUser needs ProviderName and ProviderAttributeValue");
  if(strcmp(dest_provider, "Cognito") != 0)
    return s_error(400, "InvalidParameterException", "Invalid DestinationUser: ProviderName must be Cognito");
  if(!src_provider || !src_attribute || !src_value || !*src_value)
    return s_error(400, "InvalidParameterException",
                   "SourceUser needs ProviderName, ProviderAttributeName and ProviderAttributeValue");
  if(strcmp(src_provider, "Cognito") == 0)
    return s_error(400, "InvalidParameterException",
                   "Invalid SourceUser: Cognito users with a username/password may not be passed in as a "
                   "SourceUser, only as a DestinationUser");
  if(!s_listed(src_provider, s_providers, sizeof s_providers / sizeof *s_providers))
    return s_error(400, "InvalidParameterException", "Invalid SourceUser: the provider is not in the user pool");
  if(strcmp(src_attribute, "Cognito_Subject") != 0)
    return s_error(400, "InvalidParameterException",
                   "Invalid SourceUser: a social provider's ProviderAttributeName must be Cognito_Subject");
  json_t *user = s_find_user(f, dest_value);
  if(!user)
    return s_error(400, "UserNotFoundException", "User does not exist.");
  if(s_linked_anywhere(f, src_provider, src_value))
    return s_error(400, "AliasExistsException", "Source identity is already linked to a user in this user pool");
  json_array_append_new(f->links, json_pack("{s:s, s:s, s:s, s:s}", "destination", dest_value, "provider", src_provider,
                                            "attribute", src_attribute, "subject", src_value));
  s_add_identity(user, src_provider, src_value);
  return s_ok(json_object());
}

static void s_handle(void *ctx, const script_request *req, script_reply *out)
{
  fake_cognito *f = ctx;
  const char *target = script_request_header(req, "X-Amz-Target");
  const char *ct = script_request_header(req, "Content-Type");
  s_answer a = {0};
  request_check_signed(&f->aws.seen, req, &s_keys, s_must_sign);
  json_t *body = json_loadb(req->body, req->body_len, 0, NULL);
  const char *action =
    target && strncmp(target, S_TARGET_PREFIX, strlen(S_TARGET_PREFIX)) == 0 ? target + strlen(S_TARGET_PREFIX) : NULL;
  if(strcmp(req->method, "POST") != 0 || strcmp(req->url, "/") != 0)
    request_fail(&f->aws.seen, "%s %s is not Cognito's POST /", req->method, req->url);
  if(!ct || strcmp(ct, S_CONTENT_TYPE) != 0)
    request_fail(&f->aws.seen, "Content-Type is %s", ct ? ct : "(none)");
  pthread_mutex_lock(&f->aws.lock);
  if(!action) {
    request_fail(&f->aws.seen, "X-Amz-Target is %s", target ? target : "(none)");
    a = s_error(400, "UnknownOperationException", "no such operation");
  }
  else if(!json_is_object(body)) {
    request_fail(&f->aws.seen, "the %s body is not a JSON object", action);
    a = s_error(400, "SerializationException", "the body is not JSON");
  }
  else if(f->fail_count != 0 && strcmp(action, f->fail_action) == 0) {
    if(f->fail_count > 0)
      f->fail_count--;
    a = s_error(f->fail_http, f->fail_type, "scripted failure");
  }
  else if(strcmp(action, "ListUsers") == 0) {
    a = s_list_users(f, body);
  }
  else if(strcmp(action, "AdminLinkProviderForUser") == 0) {
    a = s_link(f, body);
  }
  else {
    request_fail(&f->aws.seen, "unexpected operation %s", action);
    a = s_error(400, "UnknownOperationException", "no such operation");
  }
  if(action && strcmp(action, "ListUsers") == 0)
    f->list_calls++;
  if(action && strcmp(action, "AdminLinkProviderForUser") == 0)
    f->link_calls++;
  pthread_mutex_unlock(&f->aws.lock);
  json_decref(body);
  out->status = a.http;
  out->content_type = S_CONTENT_TYPE;
  out->body = a.body;
  out->body_len = a.body ? strlen(a.body) : 0;
  out->free_body = true;
}

fake_cognito *fake_cognito_start(void)
{
  fake_cognito *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->users = json_array();
  f->links = json_array();
  f->filters = json_array();
  assert_true(f->users && f->links && f->filters);
  fake_aws_open(&f->aws, &s_keys, s_handle, f);
  aws_config cfg;
  fake_cognito_config(f, &cfg);
  assert_int_equal(cognito_client_open(&cfg, &f->client, NULL), MYNT_OK);
  return f;
}

void fake_cognito_free(fake_cognito *f)
{
  if(!f)
    return;
  cognito_client_free(f->client);
  fake_aws_close(&f->aws);
  json_decref(f->users);
  json_decref(f->links);
  json_decref(f->filters);
  free(f);
}

void fake_cognito_finish(fake_cognito *f)
{
  json_decref(fake_cognito_links(f));
  fake_cognito_free(f);
}

void fake_cognito_config(const fake_cognito *f, aws_config *cfg)
{
  fake_aws_config(&f->aws, cfg);
}

void fake_cognito_add_user(fake_cognito *f, const char *username, const char *status, const char *email,
                           const char *email_verified)
{
  char sub[64];
  unsigned long h = 5381;
  for(const char *p = username; *p; p++)
    h = h * 33 + (unsigned char)*p;
  snprintf(sub, sizeof sub, "sub-%08lx-%zu", h & 0xffffffffUL, strlen(username));
  json_t *attrs = json_pack("[{s:s, s:s}]", "Name", "sub", "Value", sub);
  if(email)
    json_array_append_new(attrs, json_pack("{s:s, s:s}", "Name", "email", "Value", email));
  if(email_verified)
    json_array_append_new(attrs, json_pack("{s:s, s:s}", "Name", "email_verified", "Value", email_verified));
  pthread_mutex_lock(&f->aws.lock);
  json_array_append_new(f->users, json_pack("{s:s, s:o, s:s, s:b, s:I, s:I}", "Username", username, "Attributes", attrs,
                                            "UserStatus", status, "Enabled", 1, "UserCreateDate",
                                            (json_int_t)1700000000, "UserLastModifiedDate", (json_int_t)1700000000));
  pthread_mutex_unlock(&f->aws.lock);
}

void fake_cognito_fail(fake_cognito *f, const char *action, int count, unsigned http, const char *type)
{
  pthread_mutex_lock(&f->aws.lock);
  snprintf(f->fail_action, sizeof f->fail_action, "%s", action);
  f->fail_count = count;
  f->fail_http = http;
  snprintf(f->fail_type, sizeof f->fail_type, "%s", type);
  pthread_mutex_unlock(&f->aws.lock);
}

json_t *fake_cognito_links(fake_cognito *f)
{
  fake_aws_assert_clean(&f->aws, "Cognito");
  pthread_mutex_lock(&f->aws.lock);
  json_t *copy = json_deep_copy(f->links);
  pthread_mutex_unlock(&f->aws.lock);
  return copy;
}

char *fake_cognito_identities(fake_cognito *f, const char *username)
{
  pthread_mutex_lock(&f->aws.lock);
  const char *v = s_attribute(s_find_user(f, username), "identities");
  char *copy = v ? strdup(v) : NULL;
  pthread_mutex_unlock(&f->aws.lock);
  return copy;
}
