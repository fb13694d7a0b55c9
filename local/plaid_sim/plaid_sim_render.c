/* plaid_sim_render.c - JSON shapes of the Plaid simulator's answers: errors, accounts, transactions, items. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "local/plaid_sim/plaid_sim_internal.h"

static const char *s_doc_section(const char *error_type)
{
  static const char *const map[][2] = {
    {"INVALID_REQUEST", "invalid-request"},
    {"INVALID_INPUT", "invalid-input"},
    {"ITEM_ERROR", "item"},
    {"RATE_LIMIT_EXCEEDED", "rate-limit-exceeded"},
    {"API_ERROR", "api"},
    {"INSTITUTION_ERROR", "institution"},
    {"TRANSACTIONS_ERROR", "transactions"},
    {"SANDBOX_ERROR", "sandbox"},
  };
  for(size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if(strcmp(map[i][0], error_type) == 0)
      return map[i][1];
  return "";
}

static json_t *s_error_object(const plaid_sim_request *req, unsigned status, const char *error_type,
                              const char *error_code, const char *message, const char *display)
{
  char url[160];
  int n = snprintf(url, sizeof url, "https://plaid.com/docs/errors/%s/#", s_doc_section(error_type));
  for(const char *c = error_code; *c && n < (int)sizeof url - 1; c++)
    url[n++] = (char)tolower((unsigned char)*c);
  url[n] = '\0';
  json_t *e = json_pack("{s:s, s:s, s:n, s:s, s:s?, s:[], s:i, s:s, s:n}", "error_type", error_type, "error_code",
                        error_code, "error_code_reason", "error_message", message, "display_message", display, "causes",
                        "status", (int)status, "documentation_url", url, "suggested_action");
  if(e && req && json_object_set_new(e, "request_id", json_string(req->request_id))) {
    json_decref(e);
    e = NULL;
  }
  return e;
}

json_t *plaid_sim_render_error_body(unsigned status, const char *error_type, const char *error_code,
                                    const char *message, const char *display)
{
  return s_error_object(NULL, status, error_type, error_code, message, display);
}

void plaid_sim_render_error(plaid_sim_response *out, const plaid_sim_request *req, unsigned status,
                            const char *error_type, const char *error_code, const char *message, const char *display)
{
  json_decref(out->body);
  out->status = status;
  out->body = s_error_object(req, status, error_type, error_code, message, display);
}

void plaid_sim_render_ok(plaid_sim_response *out, const plaid_sim_request *req, json_t *body)
{
  json_decref(out->body);
  out->status = 200;
  out->body = body;
  if(body && json_object_set_new(body, "request_id", json_string(req->request_id))) {
    json_decref(body);
    out->body = NULL;
  }
}

static json_t *s_money(int64_t cents)
{
  return json_real((double)cents / 100.0);
}

json_t *plaid_sim_render_account(const plaid_data_account *acc)
{
  json_t *balances =
    json_pack("{s:o, s:o, s:o, s:s, s:n, s:n}", "available", s_money(acc->available_cents), "current",
              s_money(acc->current_cents), "limit", acc->limit_cents < 0 ? json_null() : s_money(acc->limit_cents),
              "iso_currency_code", "USD", "unofficial_currency_code", "last_updated_datetime");
  return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s}", "account_id", acc->account_id, "balances", balances,
                   "mask", acc->mask, "name", acc->name, "official_name", acc->official_name, "type", acc->type,
                   "subtype", acc->subtype, "holder_category", "personal");
}

static json_t *s_location(const plaid_data_txn *t)
{
  const plaid_data_place *p = t->place;
  if(!p)
    return json_pack("{s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n}", "address", "city", "region", "postal_code", "country",
                     "lat", "lon", "store_number");
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:s?}", "address", p->address, "city", p->city, "region",
                   p->region, "postal_code", p->postal_code, "country", "US", "lat", p->lat, "lon", p->lon,
                   "store_number", t->store_number[0] ? t->store_number : NULL);
}

static json_t *s_counterparties(const plaid_data_txn *t)
{
  if(!t->merchant_name)
    return json_array();
  return json_pack("[{s:s, s:n, s:s, s:s?, s:n, s:s}]", "name", t->merchant_name, "entity_id", "type", "merchant",
                   "website", t->website, "logo_url", "confidence_level", "VERY_HIGH");
}

json_t *plaid_sim_render_txn(const plaid_data_item *data, const plaid_data_txn *t, bool original_description)
{
  char date[11], authorized[11];
  date_format(t->date, date);
  date_format(t->authorized_date, authorized);
  json_t *category = json_array();
  for(int i = 0; category && i < 3 && t->category[i]; i++)
    if(json_array_append_new(category, json_string(t->category[i]))) {
      json_decref(category);
      category = NULL;
    }
  /* json_pack takes every "o" value, also when it fails, so nothing leaks on the way out. */
  return json_pack("{s:s, s:s, s:o, s:s, s:n, s:s, s:s, s:b, s:s?, s:n, s:s, s:s?, s:s?, s:s, s:s,"
                   " s:n, s:n, s:n, s:n, s:n, s:n, s:o, s:s, s:{s:s, s:s, s:s}, s:o, s:o, s:o, s:s?}",
                   "transaction_id", t->transaction_id, "account_id", data->accounts[t->account].account_id, "amount",
                   s_money(t->amount_cents), "iso_currency_code", "USD", "unofficial_currency_code", "date", date,
                   "authorized_date", authorized, "pending", t->pending, "pending_transaction_id",
                   t->pending_transaction_id[0] ? t->pending_transaction_id : NULL, "account_owner", "name", t->name,
                   "merchant_name", t->merchant_name, "website", t->website, "payment_channel", t->payment_channel,
                   "transaction_type", t->transaction_type, "authorized_datetime", "datetime", "transaction_code",
                   "check_number", "logo_url", "merchant_entity_id", "category", category, "category_id",
                   t->category_id, "personal_finance_category", "primary", t->pfc_primary, "detailed", t->pfc_detailed,
                   "confidence_level", t->pfc_confidence, "payment_meta",
                   json_pack("{s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n}", "reference_number", "ppd_id", "payee",
                             "by_order_of", "payer", "payment_method", "payment_processor", "reason"),
                   "location", s_location(t), "counterparties", s_counterparties(t), "original_description",
                   original_description ? t->name : NULL);
}

static json_t *s_products(uint64_t mask)
{
  json_t *a = json_array();
  for(int i = 0; a && plaid_sim_product_name(i); i++)
    if((mask >> i & 1) && json_array_append_new(a, json_string(plaid_sim_product_name(i)))) {
      json_decref(a);
      return NULL;
    }
  return a;
}

json_t *plaid_sim_render_item(const plaid_sim_item *item, bool with_details)
{
  static const char *const offered[] = {"assets",      "auth",        "balance",     "identity",
                                        "investments", "liabilities", "transactions"};
  uint64_t available = 0;
  for(size_t i = 0; i < sizeof offered / sizeof offered[0]; i++)
    available |= 1ULL << plaid_sim_product_index(offered[i]);
  available &= ~item->products;

  const plaid_data_institution *inst = plaid_data_institution_find(item->institution_id);
  json_t *error = json_null();
  if(with_details && item->login_required)
    error = s_error_object(NULL, 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED",
                           "the login details of this item have changed (credentials, MFA, or required user "
                           "action) and a user login is required to update this information",
                           "Your bank login details have changed. Please log in again.");
  char consent[21];
  const char *consent_at =
    item->consent_expires_ms > 0 ? clock_iso8601((time_t)(item->consent_expires_ms / 1000), consent) : NULL;
  json_t *obj = json_pack("{s:s, s:s, s:s?, s:s?, s:n, s:o, s:o, s:o, s:o, s:o, s:s?, s:s}", "item_id", item->item_id,
                          "institution_id", item->institution_id, "institution_name", inst ? inst->name : NULL,
                          "webhook", item->webhook[0] ? item->webhook : NULL, "auth_method", "error", error,
                          "available_products", s_products(available), "billed_products", s_products(item->products),
                          "products", s_products(item->products), "consented_products", s_products(item->products),
                          "consent_expiration_time", consent_at, "update_type", "background");
  if(obj && with_details) {
    char created[21];
    if(json_object_set_new(obj, "created_at", json_string(clock_iso8601((time_t)(item->created_ms / 1000), created)))) {
      json_decref(obj);
      obj = NULL;
    }
  }
  return obj;
}
