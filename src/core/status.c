/* status.c - descriptions and HTTP mapping of mynt_status. */
#include "core/status.h"

typedef struct {
  int http;
  const char *code;
  const char *text;
} s_status_row;

static const s_status_row s_rows[MYNT_STATUS_COUNT] = {
  [MYNT_OK] = {200, "ok", "success"},
  [MYNT_BAD_REQUEST] = {400, "bad_request", "the request is not valid"},
  [MYNT_UNAUTHORIZED] = {401, "unauthorized", "authentication is required"},
  [MYNT_FORBIDDEN] = {403, "forbidden", "this action is not allowed"},
  [MYNT_NOT_FOUND] = {404, "not_found", "no such resource"},
  [MYNT_METHOD_NOT_ALLOWED] = {405, "method_not_allowed", "this method is not allowed on this resource"},
  [MYNT_CONFLICT] = {409, "conflict", "the request conflicts with the current state"},
  [MYNT_TOO_LARGE] = {413, "payload_too_large", "the request body is too large"},
  [MYNT_RATE_LIMITED] = {429, "rate_limited", "too many requests; try again shortly"},
  [MYNT_INTERNAL] = {500, "internal_error", "internal error"},
  [MYNT_UPSTREAM] = {502, "upstream_error", "a service Mynt depends on failed"},
  [MYNT_UNAVAILABLE] = {503, "service_unavailable", "the service is temporarily unavailable"},
  [MYNT_TIMEOUT] = {504, "timeout", "the request took too long"},
  [MYNT_NOMEM] = {500, "internal_error", "out of memory or over a buffer limit"},
  [MYNT_IO] = {500, "internal_error", "transport error"},
  [MYNT_PARSE] = {500, "internal_error", "malformed data from a dependency"},
  [MYNT_CONDITION_FAILED] = {409, "conflict", "a condition on the stored data did not hold"},
  [MYNT_THROTTLED] = {503, "service_unavailable", "a dependency is throttling requests"},
};

static const s_status_row *s_row(mynt_status st)
{
  if((unsigned)st >= MYNT_STATUS_COUNT)
    return &s_rows[MYNT_INTERNAL];
  return &s_rows[st];
}

const char *mynt_strerror(mynt_status st)
{
  return s_row(st)->text;
}
int mynt_status_http(mynt_status st)
{
  return s_row(st)->http;
}
const char *mynt_status_code(mynt_status st)
{
  return s_row(st)->code;
}
