/* fuzz_plaid_error.c - fuzzes the parser of Plaid's error answers and its token redaction.
 * Input: two bytes of HTTP status, then NUL-separated parts: the request's token suffix, the body. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_support.h"
#include "plaid/plaid_error.h"

static bool s_token_char(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Whether text holds a word shaped like a Plaid access or public token (plaid_error.h's rule). */
static bool s_has_token_word(const char *text)
{
  for(size_t i = 0; text[i]; i++) {
    if(i > 0 && s_token_char(text[i - 1]))
      continue;
    if(strncmp(text + i, "access-", 7) != 0 && strncmp(text + i, "public-", 7) != 0)
      continue;
    size_t run = 0;
    while(s_token_char(text[i + 7 + run]))
      run++;
    if(run >= 8)
      return true;
  }
  return false;
}

/* Whether a field is NUL-terminated within its array and carries neither the token nor a token word. */
static bool s_clean(const char *field, size_t cap, const char *token)
{
  return memchr(field, '\0', cap) != NULL && strstr(field, token) == NULL && !s_has_token_word(field);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if(size < 2)
    return 0;
  int http_status = 100 + (data[0] << 8 | data[1]) % 500;
  fuzz_parts parts;
  if(fuzz_split(data + 2, size - 2, 2, &parts) != 0)
    return 0;
  /* The token of the request, shaped as Plaid's are (so that "[redacted]" cannot spell part of it). */
  char token[96] = "access-sandbox-";
  size_t o = strlen(token);
  for(size_t i = 0; i < parts.len[0] && o + 1 < sizeof token; i++)
    if(s_token_char(parts.part[0][i]))
      token[o++] = parts.part[0][i];
  token[o] = '\0';
  const char *body = parts.count > 1 ? parts.part[1] : "";
  size_t body_len = parts.count > 1 ? parts.len[1] : 0;

  plaid_error e;
  mynt_status st = plaid_error_parse(http_status, body, body_len, token, &e);
  FUZZ_CHECK(st == e.status && st != MYNT_OK && e.kind != PLAID_ERR_NONE);
  FUZZ_CHECK(st == plaid_error_kind_status(e.kind));
  FUZZ_CHECK(e.http_status == http_status);
  /* No token, the request's or any other, survives into what is logged or answered. */
  FUZZ_CHECK(s_clean(e.error_type, sizeof e.error_type, token));
  FUZZ_CHECK(s_clean(e.error_code, sizeof e.error_code, token));
  FUZZ_CHECK(s_clean(e.error_message, sizeof e.error_message, token));
  FUZZ_CHECK(s_clean(e.display_message, sizeof e.display_message, token));
  FUZZ_CHECK(s_clean(e.request_id, sizeof e.request_id, token));
  FUZZ_CHECK(s_clean(e.detail, sizeof e.detail, token));
  FUZZ_CHECK(plaid_error_kind_name(e.kind)[0] != '\0');
  fuzz_parts_free(&parts);
  return 0;
}
