/* plaid_error.c - Plaid's error object as a typed struct, and how each error maps to a Mynt status. */
#include "plaid/plaid_error.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/json.h"
#include "core/wipe.h"

/* Redaction works on texts up to this size (the struct's fields are smaller). */
#define S_REDACT_MAX 1024

/* The shortest run after "access-"/"public-" that counts as a token. */
#define S_TOKEN_MIN_RUN 8

static const char s_redacted[] = "[redacted]";

typedef struct {
  const char *name;
  plaid_error_kind kind;
} s_name_kind;

static const s_name_kind s_codes[] = {
  {"ITEM_LOGIN_REQUIRED", PLAID_ERR_ITEM_LOGIN_REQUIRED},
  {"INVALID_ACCESS_TOKEN", PLAID_ERR_INVALID_ACCESS_TOKEN},
  {"ITEM_NOT_FOUND", PLAID_ERR_INVALID_ACCESS_TOKEN},
  {"INVALID_PUBLIC_TOKEN", PLAID_ERR_INVALID_PUBLIC_TOKEN},
  {"PRODUCT_NOT_READY", PLAID_ERR_PRODUCT_NOT_READY},
  {"INVALID_API_KEYS", PLAID_ERR_INVALID_CREDENTIALS},
  {"UNAUTHORIZED_ENVIRONMENT", PLAID_ERR_INVALID_CREDENTIALS},
  {"UNAUTHORIZED_ROUTE_ACCESS", PLAID_ERR_INVALID_CREDENTIALS},
  {"INVALID_PRODUCT", PLAID_ERR_INVALID_CREDENTIALS},
  {"INTERNAL_SERVER_ERROR", PLAID_ERR_SERVER},
  {"PLANNED_MAINTENANCE", PLAID_ERR_SERVER},
};

static const s_name_kind s_types[] = {
  {"RATE_LIMIT_EXCEEDED", PLAID_ERR_RATE_LIMITED}, {"API_ERROR", PLAID_ERR_SERVER},
  {"INSTITUTION_ERROR", PLAID_ERR_INSTITUTION},    {"INVALID_REQUEST", PLAID_ERR_INVALID_REQUEST},
  {"INVALID_INPUT", PLAID_ERR_INVALID_REQUEST},    {"INVALID_RESULT", PLAID_ERR_INVALID_REQUEST},
};

void plaid_error_clear(plaid_error *e)
{
  memset(e, 0, sizeof *e);
  e->status = MYNT_OK;
  e->kind = PLAID_ERR_NONE;
}

static plaid_error_kind s_lookup(const s_name_kind *table, size_t n, const char *name)
{
  if(!name || !*name)
    return PLAID_ERR_NONE;
  for(size_t i = 0; i < n; i++) {
    if(strcmp(table[i].name, name) == 0)
      return table[i].kind;
  }
  return PLAID_ERR_NONE;
}

plaid_error_kind plaid_error_classify(int http_status, const char *error_type, const char *error_code)
{
  plaid_error_kind k = s_lookup(s_codes, sizeof s_codes / sizeof s_codes[0], error_code);
  if(k)
    return k;
  k = s_lookup(s_types, sizeof s_types / sizeof s_types[0], error_type);
  if(k)
    return k;
  if(http_status == 429)
    return PLAID_ERR_RATE_LIMITED;
  if(http_status >= 500)
    return PLAID_ERR_SERVER;
  return PLAID_ERR_OTHER;
}

mynt_status plaid_error_kind_status(plaid_error_kind kind)
{
  switch(kind) {
  case PLAID_ERR_NONE:
    return MYNT_OK;
  case PLAID_ERR_ITEM_LOGIN_REQUIRED:
  case PLAID_ERR_INVALID_ACCESS_TOKEN:
    return MYNT_CONFLICT;
  case PLAID_ERR_INVALID_PUBLIC_TOKEN:
  case PLAID_ERR_INVALID_REQUEST:
    return MYNT_BAD_REQUEST;
  case PLAID_ERR_RATE_LIMITED:
    return MYNT_RATE_LIMITED;
  case PLAID_ERR_PRODUCT_NOT_READY:
  case PLAID_ERR_INSTITUTION:
  case PLAID_ERR_TRANSPORT:
    return MYNT_UNAVAILABLE;
  case PLAID_ERR_DEADLINE:
    return MYNT_TIMEOUT;
  case PLAID_ERR_INVALID_CREDENTIALS:
    return MYNT_INTERNAL;
  case PLAID_ERR_SERVER:
  case PLAID_ERR_MALFORMED:
  case PLAID_ERR_OTHER:
    return MYNT_UPSTREAM;
  }
  return MYNT_UPSTREAM;
}

bool plaid_error_retryable(plaid_error_kind kind)
{
  return kind == PLAID_ERR_RATE_LIMITED || kind == PLAID_ERR_SERVER || kind == PLAID_ERR_TRANSPORT;
}

const char *plaid_error_kind_name(plaid_error_kind kind)
{
  switch(kind) {
  case PLAID_ERR_NONE:
    return "none";
  case PLAID_ERR_ITEM_LOGIN_REQUIRED:
    return "item_login_required";
  case PLAID_ERR_INVALID_ACCESS_TOKEN:
    return "invalid_access_token";
  case PLAID_ERR_INVALID_PUBLIC_TOKEN:
    return "invalid_public_token";
  case PLAID_ERR_PRODUCT_NOT_READY:
    return "product_not_ready";
  case PLAID_ERR_INVALID_REQUEST:
    return "invalid_request";
  case PLAID_ERR_INVALID_CREDENTIALS:
    return "invalid_credentials";
  case PLAID_ERR_RATE_LIMITED:
    return "rate_limited";
  case PLAID_ERR_INSTITUTION:
    return "institution_error";
  case PLAID_ERR_SERVER:
    return "server_error";
  case PLAID_ERR_TRANSPORT:
    return "transport_error";
  case PLAID_ERR_DEADLINE:
    return "deadline";
  case PLAID_ERR_MALFORMED:
    return "malformed_answer";
  case PLAID_ERR_OTHER:
    return "other";
  }
  return "other";
}

static bool s_token_char(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Returns the length of a token-shaped word starting at text[i], or 0. A word starts after a character that
 * is not a token character, or right after a redaction (whatever was glued to a redacted token must not be
 * left standing as a token of its own). */
static size_t s_token_len(const char *text, size_t i, size_t n, bool after_redaction)
{
  static const char *const prefixes[] = {"access-", "public-"};
  if(i > 0 && s_token_char(text[i - 1]) && !after_redaction)
    return 0;
  for(size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
    size_t plen = strlen(prefixes[p]);
    if(n - i < plen || strncmp(text + i, prefixes[p], plen) != 0)
      continue;
    size_t run = 0;
    while(i + plen + run < n && s_token_char(text[i + plen + run]))
      run++;
    if(run >= S_TOKEN_MIN_RUN)
      return plen + run;
  }
  return 0;
}

void plaid_error_redact(char *text, size_t cap, const char *secret)
{
  char out[S_REDACT_MAX];
  if(!text || cap == 0)
    return;
  size_t full = strnlen(text, cap - 1);
  if(cap > sizeof out)
    cap = sizeof out;
  size_t n = strnlen(text, cap - 1);
  size_t slen = secret ? strlen(secret) : 0;
  size_t i = 0;
  size_t o = 0;
  bool redacted = false; /* the last thing written was s_redacted */
  while(i < n && o + 1 < cap) {
    size_t skip = 0;
    if(slen >= 4 && n - i >= slen && memcmp(text + i, secret, slen) == 0)
      skip = slen;
    else
      skip = s_token_len(text, i, n, redacted);
    redacted = skip != 0;
    if(!skip) {
      out[o++] = text[i++];
      continue;
    }
    for(size_t r = 0; r < sizeof s_redacted - 1 && o + 1 < cap; r++)
      out[o++] = s_redacted[r];
    i += skip;
  }
  out[o] = '\0';
  /* Clear the old text entirely: a shorter result must not leave a token's tail behind. */
  mynt_wipe(text, full + 1);
  memcpy(text, out, o + 1);
  mynt_wipe(out, sizeof out);
}

mynt_status plaid_error_parse(int http_status, const char *body, size_t len, const char *redact, plaid_error *e)
{
  plaid_error_clear(e);
  e->http_status = http_status;
  json_t *root = body && len ? json_loadb(body, len, 0, NULL) : NULL;
  int has_error_object = 0;
  if(json_is_object(root)) {
    json_member_copy(root, "error_type", e->error_type, sizeof e->error_type);
    json_member_copy(root, "error_code", e->error_code, sizeof e->error_code);
    json_member_copy(root, "error_message", e->error_message, sizeof e->error_message);
    json_member_copy(root, "display_message", e->display_message, sizeof e->display_message);
    json_member_copy(root, "request_id", e->request_id, sizeof e->request_id);
    has_error_object = e->error_type[0] || e->error_code[0];
  }
  json_decref(root);
  plaid_error_redact(e->error_message, sizeof e->error_message, redact);
  plaid_error_redact(e->display_message, sizeof e->display_message, redact);
  plaid_error_redact(e->error_type, sizeof e->error_type, redact);
  plaid_error_redact(e->error_code, sizeof e->error_code, redact);
  plaid_error_redact(e->request_id, sizeof e->request_id, redact);

  e->kind = plaid_error_classify(http_status, e->error_type, e->error_code);
  if(!has_error_object) {
    snprintf(e->detail, sizeof e->detail, "Plaid answered HTTP %d without an error object", http_status);
    if(e->kind == PLAID_ERR_OTHER)
      e->kind = PLAID_ERR_MALFORMED;
  }
  e->status = plaid_error_kind_status(e->kind);
  return e->status;
}
