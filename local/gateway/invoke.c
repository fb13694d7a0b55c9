/* invoke.c - mynt-local's Lambda Invoke API: the function a request names, its invocation type, and Lambda's error answers. */
#include "local/gateway/invoke.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local/gateway/routes.h"

/* The account the local ARNs carry (function.c names functions with it too). */
#define S_LOCAL_ACCOUNT "000000000000"
#define S_NAME_MAX      170

static mynt_status s_refuse(invoke_error *err, mynt_status st, int status, const char *type, const char *fmt, ...)
  __attribute__((format(printf, 5, 6)));

static mynt_status s_refuse(invoke_error *err, mynt_status st, int status, const char *type, const char *fmt, ...)
{
  err->status = status;
  err->error_type = type;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof(err->message), fmt, ap);
  va_end(ap);
  return st;
}

bool invoke_is_api_path(const char *raw_path)
{
  return strncmp(raw_path, INVOKE_PATH_PREFIX, strlen(INVOKE_PATH_PREFIX)) == 0;
}

static bool s_all(const char *s, size_t n, int (*is)(int))
{
  for(size_t i = 0; i < n; i++)
    if(!is((unsigned char)s[i]))
      return false;
  return n > 0;
}

static int s_is_lower_or_digit(int c)
{
  return islower(c) || isdigit(c) || c == '-';
}

static int s_is_signed_header_char(int c)
{
  return islower(c) || isdigit(c) || c == '-' || c == ';';
}

/* Checks the shape of "AWS4-HMAC-SHA256 Credential=AKID/YYYYMMDD/region/lambda/aws4_request,
 * SignedHeaders=a;b, Signature=<64 hex>" and X-Amz-Date. */
static mynt_status s_check_authorization(const local_config *c, const invoke_request *r, invoke_error *err)
{
  const char *a = r->authorization;
  if(!a || !*a)
    return s_refuse(err, MYNT_FORBIDDEN, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  static const char algo[] = "AWS4-HMAC-SHA256 ";
  if(strncmp(a, algo, strlen(algo)) != 0)
    return s_refuse(err, MYNT_FORBIDDEN, 403, "IncompleteSignatureException",
                    "Authorization header requires the AWS4-HMAC-SHA256 algorithm");
  const char *cred = strstr(a, "Credential=");
  const char *signed_headers = strstr(a, "SignedHeaders=");
  const char *sig = strstr(a, "Signature=");
  if(!cred || !signed_headers || !sig)
    return s_refuse(err, MYNT_FORBIDDEN, 403, "IncompleteSignatureException",
                    "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'");
  /* Credential=AKID/date/region/service/aws4_request */
  cred += strlen("Credential=");
  const char *parts[5];
  size_t lens[5];
  const char *p = cred;
  for(int i = 0; i < 5; i++) {
    const char *end = p + strcspn(p, "/, ");
    parts[i] = p;
    lens[i] = (size_t)(end - p);
    if(i < 4 && *end != '/')
      return s_refuse(err, MYNT_FORBIDDEN, 403, "IncompleteSignatureException",
                      "Credential must be AKID/YYYYMMDD/region/service/aws4_request");
    p = end + 1;
  }
  if(lens[0] == 0 || lens[1] != 8 || !s_all(parts[1], 8, isdigit) || lens[4] != strlen("aws4_request") ||
     strncmp(parts[4], "aws4_request", lens[4]) != 0 || !s_all(parts[2], lens[2], s_is_lower_or_digit))
    return s_refuse(err, MYNT_FORBIDDEN, 403, "IncompleteSignatureException",
                    "Credential must be AKID/YYYYMMDD/region/service/aws4_request");
  if(lens[3] != strlen("lambda") || strncmp(parts[3], "lambda", lens[3]) != 0)
    return s_refuse(err, MYNT_FORBIDDEN, 403, "InvalidSignatureException",
                    "Credential should be scoped to correct service: 'lambda'.");
  if(lens[2] != strlen(c->region) || strncmp(parts[2], c->region, lens[2]) != 0)
    return s_refuse(err, MYNT_FORBIDDEN, 403, "InvalidSignatureException",
                    "Credential should be scoped to a valid region: '%s'.", c->region);
  signed_headers += strlen("SignedHeaders=");
  size_t sh_len = strcspn(signed_headers, ", ");
  char list[512];
  if(sh_len == 0 || sh_len >= sizeof(list) - 2 || !s_all(signed_headers, sh_len, s_is_signed_header_char))
    return s_refuse(err, MYNT_FORBIDDEN, 403, "IncompleteSignatureException", "SignedHeaders is malformed");
  snprintf(list, sizeof(list), ";%.*s;", (int)sh_len, signed_headers);
  if(!strstr(list, ";host;"))
    return s_refuse(err, MYNT_FORBIDDEN, 403, "IncompleteSignatureException", "SignedHeaders must include host");
  sig += strlen("Signature=");
  size_t sig_len = strcspn(sig, ", ");
  if(sig_len != 64 || !s_all(sig, 64, isxdigit))
    return s_refuse(err, MYNT_FORBIDDEN, 403, "IncompleteSignatureException", "Signature must be 64 hex digits");
  const char *d = r->amz_date;
  if(!d || strlen(d) != 16 || !s_all(d, 8, isdigit) || d[8] != 'T' || !s_all(d + 9, 6, isdigit) || d[15] != 'Z')
    return s_refuse(err, MYNT_FORBIDDEN, 403, "IncompleteSignatureException",
                    "X-Amz-Date must be present as YYYYMMDDTHHMMSSZ");
  if(strncmp(d, parts[1], 8) != 0)
    return s_refuse(err, MYNT_FORBIDDEN, 403, "InvalidSignatureException",
                    "Date in Credential scope does not match YYYYMMDD from X-Amz-Date");
  return MYNT_OK;
}

static int s_is_name_char(int c)
{
  return isalnum(c) || c == '-' || c == '_' || c == '.';
}

/* Finds the function whose logical id or FunctionName is name[0..len). */
static bool s_find(const local_config *c, const char *name, size_t len, size_t *out)
{
  for(size_t i = 0; i < c->n_functions; i++) {
    const local_config_function *f = &c->functions[i];
    if((strlen(f->name) == len && strncmp(f->name, name, len) == 0) ||
       (f->function_name && strlen(f->function_name) == len && strncmp(f->function_name, name, len) == 0)) {
      *out = i;
      return true;
    }
  }
  return false;
}

/* Resolves a name, "name:qualifier", "account:function:name[:q]" or
 * "arn:aws:lambda:region:account:function:name[:q]". */
static mynt_status s_resolve(const local_config *c, const char *id, size_t *out, invoke_error *err)
{
  const char *fields[8];
  size_t lens[8];
  size_t n = 0;
  const char *p = id;
  for(;;) {
    if(n == 8)
      return s_refuse(err, MYNT_BAD_REQUEST, 400, "ValidationException",
                      "1 validation error detected: Value '%.100s' "
                      "at 'functionName' failed to satisfy constraint",
                      id);
    const char *colon = strchr(p, ':');
    fields[n] = p;
    lens[n] = colon ? (size_t)(colon - p) : strlen(p);
    n++;
    if(!colon)
      break;
    p = colon + 1;
  }
  size_t name_at;
  bool arn = lens[0] == 3 && strncmp(fields[0], "arn", 3) == 0;
  if(arn) {
    /* arn:partition:lambda:region:account:function:name[:qualifier] */
    if(n < 7 || lens[2] != 6 || strncmp(fields[2], "lambda", 6) != 0 || lens[5] != 8 ||
       strncmp(fields[5], "function", 8) != 0)
      return s_refuse(err, MYNT_BAD_REQUEST, 400, "ValidationException",
                      "1 validation error detected: Value '%.100s' at 'functionName' failed to satisfy constraint", id);
    name_at = 6;
  }
  else if(n >= 3 && lens[1] == 8 && strncmp(fields[1], "function", 8) == 0) {
    name_at = 2;
  }
  else {
    name_at = 0;
  }
  if(n > name_at + 2 || !s_all(fields[name_at], lens[name_at], s_is_name_char) || lens[name_at] > 64)
    return s_refuse(err, MYNT_BAD_REQUEST, 400, "ValidationException",
                    "1 validation error detected: Value '%.100s' at 'functionName' failed to satisfy constraint", id);
  bool here = true;
  if(arn && (lens[1] != 3 || strncmp(fields[1], "aws", 3) != 0 || lens[3] != strlen(c->region) ||
             strncmp(fields[3], c->region, lens[3]) != 0))
    here = false;
  const char *account = arn ? fields[4] : name_at == 2 ? fields[0] : NULL;
  if(account &&
     (strncmp(account, S_LOCAL_ACCOUNT, strlen(S_LOCAL_ACCOUNT)) != 0 || lens[arn ? 4 : 0] != strlen(S_LOCAL_ACCOUNT)))
    here = false;
  const char *qualifier = n == name_at + 2 ? fields[name_at + 1] : NULL;
  if(qualifier && strcmp(qualifier, "$LATEST") != 0)
    here = false;
  if(!here || !s_find(c, fields[name_at], lens[name_at], out))
    return s_refuse(err, MYNT_NOT_FOUND, 404, "ResourceNotFoundException",
                    "Function not found: arn:aws:lambda:%s:" S_LOCAL_ACCOUNT ":function:%.*s%s%.40s", c->region,
                    (int)lens[name_at], fields[name_at], qualifier ? ":" : "", qualifier ? qualifier : "");
  return MYNT_OK;
}

mynt_status invoke_check(const local_config *c, const invoke_request *r, size_t *out_function, invoke_type *out_type,
                         invoke_error *out_err)
{
  *out_function = 0;
  *out_type = INVOKE_REQUEST_RESPONSE;
  memset(out_err, 0, sizeof(*out_err));
  mynt_status st = s_check_authorization(c, r, out_err);
  if(st)
    return st;

  /* POST /2015-03-31/functions/{name}/invocations */
  const char *rest = r->raw_path + strlen(INVOKE_PATH_PREFIX);
  const char *slash = strchr(rest, '/');
  if(!invoke_is_api_path(r->raw_path) || !slash || slash == rest || strcmp(slash, "/invocations") != 0 ||
     strcmp(r->method, "POST") != 0)
    return s_refuse(out_err, MYNT_NOT_FOUND, 404, "UnknownOperationException",
                    "mynt-local serves only Lambda's Invoke (POST " INVOKE_PATH_PREFIX "{FunctionName}/invocations)");
  size_t raw_len = (size_t)(slash - rest);
  if(raw_len > 3 * S_NAME_MAX)
    return s_refuse(out_err, MYNT_BAD_REQUEST, 400, "ValidationException",
                    "1 validation error detected: Value at 'functionName' failed to satisfy constraint: "
                    "Member must have length less than or equal to %d",
                    S_NAME_MAX);

  const char *type = r->invocation_type;
  if(!type || strcmp(type, "RequestResponse") == 0)
    *out_type = INVOKE_REQUEST_RESPONSE;
  else if(strcmp(type, "Event") == 0)
    *out_type = INVOKE_EVENT;
  else if(strcmp(type, "DryRun") == 0)
    *out_type = INVOKE_DRY_RUN;
  else
    return s_refuse(out_err, MYNT_BAD_REQUEST, 400, "ValidationException",
                    "1 validation error detected: Value '%.40s' at 'invocationType' failed to satisfy constraint: "
                    "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
                    type);

  size_t name_len = 0;
  char *name = routes_percent_decode(rest, raw_len, 0, &name_len);
  if(!name)
    return s_refuse(out_err, MYNT_NOMEM, 500, "ServiceException", "out of memory");
  if(name_len == 0 || name_len > S_NAME_MAX || strlen(name) != name_len)
    st = s_refuse(out_err, MYNT_BAD_REQUEST, 400, "ValidationException",
                  "1 validation error detected: Value at 'functionName' failed to satisfy constraint");
  else
    st = s_resolve(c, name, out_function, out_err);
  free(name);
  if(st)
    return st;

  size_t limit = *out_type == INVOKE_EVENT ? INVOKE_MAX_ASYNC_PAYLOAD : INVOKE_MAX_SYNC_PAYLOAD;
  if(r->body_too_large || r->body_len > limit)
    return s_refuse(out_err, MYNT_TOO_LARGE, 413, "RequestTooLargeException",
                    "Request must be smaller than %zu bytes for the %s operation", limit,
                    *out_type == INVOKE_EVENT ? "InvokeAsync" : "Invoke");
  if(r->body_len) {
    json_error_t jerr;
    json_t *doc = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, &jerr);
    if(!doc)
      return s_refuse(out_err, MYNT_BAD_REQUEST, 400, "InvalidRequestContentException",
                      "Could not parse request body into json: %.160s (line %d, column %d)", jerr.text, jerr.line,
                      jerr.column);
    json_decref(doc);
  }
  return MYNT_OK;
}

char *invoke_error_body(const invoke_error *err)
{
  json_t *doc = json_pack("{s:s, s:s}", "Type", err->status >= 500 ? "Service" : "User", "message", err->message);
  char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
  json_decref(doc);
  return text;
}
