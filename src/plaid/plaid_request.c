/* plaid_request.c - typed builders of Plaid request bodies; they validate inputs and never add a product Mynt does not use. */
#include "plaid/plaid_request.h"

#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"

/* A token, id or date Plaid accepts: 1..PLAID_MAX_TOKEN printable ASCII characters, no spaces. */
static bool s_token_valid(const char *s)
{
  return str_is_token(s, PLAID_MAX_TOKEN);
}

/* Returns true when url is an http(s) URL of printable ASCII, at most 512 characters. */
static bool s_webhook_valid(const char *url)
{
  return str_is_token(url, 512) && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0);
}

bool plaid_request_date_valid(const char *s)
{
  int y, m, d;
  return date_parse(s, &y, &m, &d) == MYNT_OK && y >= 1900;
}

/* Sets obj[key] to a new string; returns 0 on allocation failure. */
static int s_set_str(json_t *obj, const char *key, const char *value)
{
  return json_object_set_new(obj, key, json_string(value)) == 0;
}

/* Ends a builder: hands body to *out_body on MYNT_OK, else frees it. Returns st. */
static mynt_status s_finish(mynt_status st, json_t *body, json_t **out_body)
{
  if(st) {
    json_decref(body);
    return st;
  }
  *out_body = body;
  return MYNT_OK;
}

mynt_status plaid_request_link_token_create(const char *client_user_id, const char *access_token, const char *webhook,
                                            bool account_selection, json_t **out_body)
{
  mynt_status st = MYNT_NOMEM;
  json_t *body = NULL;
  *out_body = NULL;
  int update_mode = access_token && *access_token;
  if(!s_token_valid(client_user_id) || (update_mode && !s_token_valid(access_token)))
    return MYNT_BAD_REQUEST;
  if((webhook && *webhook && !s_webhook_valid(webhook)) || (account_selection && !update_mode))
    return MYNT_BAD_REQUEST;

  body = json_object();
  if(!body)
    return MYNT_NOMEM;
  json_t *user = json_object();
  if(json_object_set_new(body, "user", user))
    goto cleanup;
  json_t *countries = json_array();
  if(json_object_set_new(body, "country_codes", countries))
    goto cleanup;
  if(!s_set_str(body, "client_name", "Mynt") || !s_set_str(body, "language", "en") ||
     json_array_append_new(countries, json_string("US")) || !s_set_str(user, "client_user_id", client_user_id))
    goto cleanup;
  if(webhook && *webhook && !s_set_str(body, "webhook", webhook))
    goto cleanup;
  if(update_mode) {
    if(!s_set_str(body, "access_token", access_token))
      goto cleanup;
    if(account_selection && json_object_set_new(body, "update", json_pack("{s:b}", "account_selection_enabled", 1)))
      goto cleanup;
  }
  else {
    json_t *products = json_array();
    json_t *transactions = json_object();
    if(json_object_set_new(body, "products", products) || json_object_set_new(body, "transactions", transactions))
      goto cleanup;
    if(json_array_append_new(products, json_string("transactions")) ||
       json_object_set_new(transactions, "days_requested", json_integer(PLAID_DAYS_REQUESTED)))
      goto cleanup;
  }
  st = MYNT_OK;

cleanup:
  return s_finish(st, body, out_body);
}

/* Builds {key: token}. */
static mynt_status s_single(const char *key, const char *token, json_t **out_body)
{
  *out_body = NULL;
  if(!s_token_valid(token))
    return MYNT_BAD_REQUEST;
  json_t *body = json_object();
  return s_finish(body && s_set_str(body, key, token) ? MYNT_OK : MYNT_NOMEM, body, out_body);
}

mynt_status plaid_request_public_token_exchange(const char *public_token, json_t **out_body)
{
  return s_single("public_token", public_token, out_body);
}

mynt_status plaid_request_access_token(const char *access_token, json_t **out_body)
{
  return s_single("access_token", access_token, out_body);
}

mynt_status plaid_request_webhook_verification_key(const char *key_id, json_t **out_body)
{
  return s_single("key_id", key_id, out_body);
}

mynt_status plaid_request_transactions_sync(const char *access_token, const char *cursor, int count, json_t **out_body)
{
  *out_body = NULL;
  bool has_cursor = cursor && *cursor;
  if(!s_token_valid(access_token) || count < 1 || count > PLAID_TRANSACTIONS_COUNT_MAX ||
     (has_cursor && !str_is_token(cursor, PLAID_CURSOR_MAX)))
    return MYNT_BAD_REQUEST;
  json_t *body = json_object();
  mynt_status st = MYNT_NOMEM;
  if(body && s_set_str(body, "access_token", access_token) &&
     json_object_set_new(body, "count", json_integer(count)) == 0 && (!has_cursor || s_set_str(body, "cursor", cursor)))
    st = MYNT_OK;
  return s_finish(st, body, out_body);
}
