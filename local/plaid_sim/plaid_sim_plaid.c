/* plaid_sim_plaid.c - the simulator's Plaid endpoints: validation as strict as Plaid's, then answers from the store and the data. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/wipe.h"
#include "local/plaid_sim/plaid_sim_internal.h"

/* ---- products ---- */

/* clang-format off */
static const char *const s_products[] = {
  "assets", "auth", "balance", "balance_plus", "beacon", "identity", "identity_match", "investments",
  "investments_auth", "liabilities", "payment_initiation", "identity_verification", "transactions",
  "credit_details", "income", "income_verification", "standing_orders", "transfer", "employment",
  "recurring_transactions", "transactions_refresh", "signal", "statements", "processor_payments",
  "processor_identity", "profile", "cra_base_report", "cra_income_insights", "cra_partner_insights",
  "cra_network_insights", "cra_cashflow_insights", "cra_monitoring", "cra_lend_score", "cra_plaid_credit_score",
  "layer", "pay_by_bank", "protect_linked_bank", "protect_transactions",
};
/* clang-format on */
#define S_PRODUCT_COUNT (int)(sizeof s_products / sizeof s_products[0])

/* Products this sandbox client may initialise Link with; the rest answer INVALID_PRODUCT. */
static const char *const s_enabled_products[] = {"assets",      "auth",        "identity",
                                                 "investments", "liabilities", "transactions"};

int plaid_sim_product_index(const char *name)
{
  for(int i = 0; i < S_PRODUCT_COUNT; i++)
    if(strcmp(s_products[i], name) == 0)
      return i;
  return -1;
}

const char *plaid_sim_product_name(int i)
{
  return i >= 0 && i < S_PRODUCT_COUNT ? s_products[i] : NULL;
}

static bool s_product_enabled(const char *name)
{
  for(size_t i = 0; i < sizeof s_enabled_products / sizeof s_enabled_products[0]; i++)
    if(strcmp(s_enabled_products[i], name) == 0)
      return true;
  return false;
}

/* ---- one request in flight ---- */

typedef plaid_sim_call s_call;

static void s_fail(s_call *c, unsigned status, const char *type, const char *code, const char *display, const char *fmt,
                   ...) __attribute__((format(printf, 6, 7)));

static void s_fail(s_call *c, unsigned status, const char *type, const char *code, const char *display, const char *fmt,
                   ...)
{
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  plaid_sim_render_error(c->out, c->req, status, type, code, message, display);
}

#define S_INVALID_FIELD(c, ...) s_fail((c), 400, "INVALID_REQUEST", "INVALID_FIELD", NULL, __VA_ARGS__)

static void s_internal(s_call *c)
{
  s_fail(c, 500, "API_ERROR", "INTERNAL_SERVER_ERROR", "Something went wrong. Please try again later.",
         "an unexpected error occurred");
}

/* A field counts as present unless it is absent or JSON null. */
static json_t *s_field(json_t *obj, const char *name)
{
  json_t *v = json_object_get(obj, name);
  return v && !json_is_null(v) ? v : NULL;
}

/* Answers UNKNOWN_FIELDS when obj has a key outside allowed (NULL-terminated); prefix names nested objects. */
static bool s_known_fields_or_reply(s_call *c, json_t *obj, const char *prefix, const char *const *allowed)
{
  mynt_buf unknown;
  buf_init(&unknown, 1024);
  const char *key;
  json_t *value;
  json_object_foreach(obj, key, value) {
    (void)value;
    if(!plaid_sim_key_allowed(key, allowed) && buf_appendf(&unknown, "%s%s%s", unknown.len ? ", " : "", prefix, key)) {
      buf_free(&unknown);
      s_internal(c);
      return false;
    }
  }
  if(unknown.len)
    s_fail(c, 400, "INVALID_REQUEST", "UNKNOWN_FIELDS", NULL,
           "the following fields are not recognized by this endpoint: %s", buf_cstr(&unknown));
  bool ok = unknown.len == 0;
  buf_free(&unknown);
  return ok;
}

/* Answers MISSING_FIELDS naming every required field that is absent or null. */
static bool s_required_or_reply(s_call *c, const char *const *names)
{
  char missing[256] = "";
  size_t len = 0;
  for(const char *const *n = names; *n && len < sizeof missing; n++)
    if(!s_field(c->body, *n))
      len += (size_t)snprintf(missing + len, sizeof missing - len, "%s%s", len ? ", " : "", *n);
  if(len)
    s_fail(c, 400, "INVALID_REQUEST", "MISSING_FIELDS", NULL, "the following required fields are missing: %s", missing);
  return len == 0;
}

static bool s_string_or_reply(s_call *c, json_t *v, const char *name, bool non_empty)
{
  if(json_is_string(v) && (!non_empty || json_string_length(v) > 0))
    return true;
  S_INVALID_FIELD(c, "%s must be a %sstring", name, non_empty ? "non-empty " : "");
  return false;
}

/* An optional integer in [lo, hi]; *out keeps its default when the field is absent. */
static bool s_int_range_or_reply(s_call *c, json_t *obj, const char *name, long long lo, long long hi, long long *out)
{
  json_t *v = s_field(obj, name);
  if(!v)
    return true;
  if(!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
    S_INVALID_FIELD(c, "%s must be an integer from %lld to %lld", name, lo, hi);
    return false;
  }
  *out = json_integer_value(v);
  return true;
}

static bool s_bool_or_reply(s_call *c, json_t *obj, const char *name, bool *out)
{
  json_t *v = s_field(obj, name);
  if(!v)
    return true;
  if(!json_is_boolean(v)) {
    S_INVALID_FIELD(c, "%s must be a boolean", name);
    return false;
  }
  *out = json_is_true(v);
  return true;
}

static bool s_date_or_reply(s_call *c, json_t *v, const char *name, int32_t *out)
{
  if(!json_is_string(v) || plaid_data_date_parse(json_string_value(v), out)) {
    S_INVALID_FIELD(c, "%s must be a valid date in the format YYYY-MM-DD", name);
    return false;
  }
  return true;
}

/* A list of product names: known names only (INVALID_FIELD), enabled ones only when enabled_only
 * (INVALID_PRODUCT); non-empty when non_empty. ORs them into *out_mask. */
static bool s_products_or_reply(s_call *c, json_t *v, const char *name, bool non_empty, bool enabled_only,
                                uint64_t *out_mask)
{
  if(!json_is_array(v) || (non_empty && json_array_size(v) == 0)) {
    S_INVALID_FIELD(c, "%s must be a %sarray of products", name, non_empty ? "non-empty " : "");
    return false;
  }
  size_t i;
  json_t *p;
  json_array_foreach(v, i, p) {
    int index = json_is_string(p) ? plaid_sim_product_index(json_string_value(p)) : -1;
    if(index < 0) {
      S_INVALID_FIELD(c, "%s[%zu] is not a valid product", name, i);
      return false;
    }
    if(enabled_only && !s_product_enabled(json_string_value(p))) {
      s_fail(c, 400, "INVALID_INPUT", "INVALID_PRODUCT", NULL,
             "client is not authorized to access the following products: [\"%s\"]", json_string_value(p));
      return false;
    }
    *out_mask |= 1ULL << index;
  }
  return true;
}

static bool s_webhook_or_reply(s_call *c, json_t *obj, char out[PLAID_SIM_WEBHOOK_MAX])
{
  json_t *v = s_field(obj, "webhook");
  if(!v)
    return true;
  const char *s = json_is_string(v) ? json_string_value(v) : "";
  if(!plaid_sim_webhook_url_valid(s)) {
    S_INVALID_FIELD(c, "webhook must be a valid URL");
    return false;
  }
  snprintf(out, PLAID_SIM_WEBHOOK_MAX, "%s", s);
  return true;
}

/* Method, JSON body, API keys, Plaid-Version and unknown fields: what every Plaid endpoint checks first. */
static bool s_prelude_or_reply(s_call *c, const char *const *allowed)
{
  const plaid_sim_request *req = c->req;
  if(strcmp(req->method, "POST") != 0) {
    s_fail(c, 405, "INVALID_REQUEST", "INVALID_HTTP_METHOD", NULL, "%s is not allowed; Plaid endpoints take POST",
           req->method);
    return false;
  }
  if(req->body_invalid) {
    s_fail(c, 400, "INVALID_REQUEST", "INVALID_BODY", NULL,
           "body could not be parsed as a JSON object; check the Content-Type and the body");
    return false;
  }
  json_t *body_id = json_object_get(c->body, "client_id");
  json_t *body_secret = json_object_get(c->body, "secret");
  const char *client_id = req->client_id ? req->client_id : json_string_value(body_id);
  const char *secret = req->secret ? req->secret : json_string_value(body_secret);
  const size_t secret_len = secret ? strlen(secret) : 0;
  if(!client_id || !secret || strcmp(client_id, c->sim->client_id) != 0 || secret_len != strlen(c->sim->secret) ||
     CRYPTO_memcmp(secret, c->sim->secret, secret_len) != 0) {
    s_fail(c, 400, "INVALID_INPUT", "INVALID_API_KEYS", NULL, "invalid client_id or secret provided");
    return false;
  }
  if(req->api_version && strcmp(req->api_version, PLAID_SIM_API_VERSION) != 0) {
    s_fail(c, 400, "INVALID_REQUEST", "INVALID_HEADERS", NULL, "Plaid-Version header must be %s",
           PLAID_SIM_API_VERSION);
    return false;
  }
  return s_known_fields_or_reply(c, c->body, "", allowed);
}

/* Resolves access_token to its live item or answers INVALID_ACCESS_TOKEN. */
static bool s_item_or_reply(s_call *c, plaid_sim_item *out)
{
  json_t *v = s_field(c->body, "access_token");
  if(!s_string_or_reply(c, v, "access_token", true))
    return false;
  if(plaid_sim_store_find_item(c->sim->store, json_string_value(v), out)) {
    s_fail(c, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN", NULL,
           "provided access token is in an invalid format or does not exist. expected format: "
           "access-<environment>-<identifier>");
    return false;
  }
  return true;
}

/* Applies the item's injected fault (latency, then maybe an error). Returns false when it answered. */
static bool s_fault_or_reply(s_call *c, const plaid_sim_item *item)
{
  plaid_sim_fault fault;
  if(!plaid_sim_store_take_fault(c->sim->store, item->item_id, &fault))
    return true;
  clock_sleep_ms(fault.latency_ms);
  if(!fault.status)
    return true;
  if(fault.status == 429)
    s_fail(c, 429, "RATE_LIMIT_EXCEEDED", fault.error_code, NULL, "rate limit exceeded for this item; retry later");
  else if(fault.status == 500)
    s_fail(c, 500, "API_ERROR", fault.error_code, "Something went wrong. Please try again later.",
           "an unexpected error occurred");
  else if(strcmp(fault.error_code, "PRODUCT_NOT_READY") == 0)
    s_fail(c, 400, "ITEM_ERROR", fault.error_code, NULL,
           "the requested product is not yet ready. please provide a webhook or try the request again later");
  else
    s_fail(c, 400, "ITEM_ERROR", fault.error_code, "Your bank login details have changed. Please log in again.",
           "the login details of this item have changed (credentials, MFA, or required user action) and a user "
           "login is required to update this information");
  return false;
}

static bool s_logged_in_or_reply(s_call *c, const plaid_sim_item *item)
{
  if(!item->login_required)
    return true;
  s_fail(c, 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED", "Your bank login details have changed. Please log in again.",
         "the login details of this item have changed (credentials, MFA, or required user action) and a user "
         "login is required to update this information");
  return false;
}

/* Checks options.account_ids: strings naming accounts of the item. Fills want[] (all true when absent). */
static bool s_account_filter_or_reply(s_call *c, json_t *options, const plaid_data_item *data,
                                      bool want[PLAID_DATA_ACCOUNT_COUNT])
{
  json_t *ids = s_field(options, "account_ids");
  for(int a = 0; a < PLAID_DATA_ACCOUNT_COUNT; a++)
    want[a] = ids == NULL;
  if(!ids)
    return true;
  if(!json_is_array(ids)) {
    S_INVALID_FIELD(c, "options.account_ids must be an array of strings");
    return false;
  }
  size_t i;
  json_t *id;
  json_array_foreach(ids, i, id) {
    int found = -1;
    for(int a = 0; a < PLAID_DATA_ACCOUNT_COUNT && json_is_string(id); a++)
      if(strcmp(data->accounts[a].account_id, json_string_value(id)) == 0)
        found = a;
    if(found < 0) {
      S_INVALID_FIELD(c, "options.account_ids[%zu] is not an account of this item", i);
      return false;
    }
    want[found] = true;
  }
  return true;
}

static json_t *s_accounts_json(const plaid_data_item *data, const bool want[PLAID_DATA_ACCOUNT_COUNT])
{
  json_t *a = json_array();
  for(int i = 0; a && i < PLAID_DATA_ACCOUNT_COUNT; i++)
    if(want[i] && json_array_append_new(a, plaid_sim_render_account(&data->accounts[i]))) {
      json_decref(a);
      return NULL;
    }
  return a;
}

/* ---- endpoints ---- */

#define S_KEYS "client_id", "secret"

static void s_link_token_create(s_call *c)
{
  /* clang-format off */
  static const char *const allowed[] = {
    S_KEYS, "client_name", "language", "country_codes", "user", "user_id", "products",
    "required_if_supported_products", "optional_products", "additional_consented_products", "webhook",
    "access_token", "access_tokens", "link_customization_name", "appearance_mode", "redirect_uri",
    "android_package_name", "institution_data", "card_switch", "account_filters", "eu_config", "institution_id",
    "payment_configuration", "payment_initiation", "employment", "income_verification", "base_report",
    "credit_partner_insights", "cra_options", "consumer_report_permissible_purpose", "auth", "transfer", "update",
    "identity_verification", "statements", "third_party_user_token", "investments", "investments_auth",
    "hosted_link", "transactions", "cashflow_report", "cra_enabled", "identity", "financekit_supported",
    "enable_multi_item_link", "user_token", NULL};
  /* clang-format on */
  static const char *const required[] = {"client_name", "language", "country_codes", "user", NULL};
  static const char *const languages[] = {"da", "de", "en", "es", "et", "fr", "hi", "it", "ja",
                                          "lt", "lv", "nl", "no", "pl", "pt", "ro", "sv", "vi"};
  static const char *const countries[] = {"US", "GB", "ES", "NL", "FR", "IE", "CA", "DE", "IT", "PL",
                                          "DK", "NO", "SE", "EE", "LT", "LV", "PT", "BE", "AT", "FI"};
  plaid_sim_link link = {.days_requested = 90};

  if(!s_prelude_or_reply(c, allowed) || !s_required_or_reply(c, required))
    return;
  json_t *v = s_field(c->body, "client_name");
  if(!s_string_or_reply(c, v, "client_name", true))
    return;
  v = s_field(c->body, "language");
  bool ok = false;
  for(size_t i = 0; json_is_string(v) && i < sizeof languages / sizeof languages[0]; i++)
    ok = ok || strcmp(languages[i], json_string_value(v)) == 0;
  if(!ok) {
    S_INVALID_FIELD(c, "language must be a supported language code, such as \"en\"");
    return;
  }
  v = s_field(c->body, "country_codes");
  if(!json_is_array(v) || json_array_size(v) == 0) {
    S_INVALID_FIELD(c, "country_codes must be a non-empty array of country codes");
    return;
  }
  size_t i;
  json_t *code;
  json_array_foreach(v, i, code) {
    ok = false;
    for(size_t k = 0; json_is_string(code) && k < sizeof countries / sizeof countries[0]; k++)
      ok = ok || strcmp(countries[k], json_string_value(code)) == 0;
    if(!ok) {
      S_INVALID_FIELD(c, "country_codes[%zu] is not a supported country code", i);
      return;
    }
  }
  json_t *user = s_field(c->body, "user");
  if(!json_is_object(user)) {
    S_INVALID_FIELD(c, "user must be an object");
    return;
  }
  v = s_field(user, "client_user_id");
  if(!v) {
    s_fail(c, 400, "INVALID_REQUEST", "MISSING_FIELDS", NULL,
           "the following required fields are missing: user.client_user_id");
    return;
  }
  if(!s_string_or_reply(c, v, "user.client_user_id", true) || !s_webhook_or_reply(c, c->body, link.webhook))
    return;

  json_t *products = s_field(c->body, "products");
  json_t *access_token = s_field(c->body, "access_token");
  if(access_token) {
    plaid_sim_item item;
    if(products) {
      S_INVALID_FIELD(c, "products must be omitted when access_token is set (update mode)");
      return;
    }
    if(!s_item_or_reply(c, &item))
      return;
    snprintf(link.update_item_id, sizeof link.update_item_id, "%s", item.item_id);
    link.products = item.products;
    link.days_requested = item.days_requested;
  }
  else {
    if(!products) {
      s_fail(c, 400, "INVALID_REQUEST", "MISSING_FIELDS", NULL, "the following required fields are missing: products");
      return;
    }
    if(!s_products_or_reply(c, products, "products", true, true, &link.products))
      return;
  }
  /* update: Plaid's update-mode options; account_selection_enabled only means something in update mode. */
  json_t *update = s_field(c->body, "update");
  if(update) {
    if(!json_is_object(update)) {
      S_INVALID_FIELD(c, "update must be an object");
      return;
    }
    const char *key;
    json_t *member;
    json_object_foreach(update, key, member) {
      if(strcmp(key, "account_selection_enabled") && strcmp(key, "item_ids") && strcmp(key, "user") &&
         strcmp(key, "reauthorization_enabled")) {
        S_INVALID_FIELD(c, "update.%s is not a known field", key);
        return;
      }
      if(strcmp(key, "item_ids") && !json_is_boolean(member) && !json_is_null(member)) {
        S_INVALID_FIELD(c, "update.%s must be a boolean", key);
        return;
      }
    }
    if(json_is_true(json_object_get(update, "account_selection_enabled"))) {
      if(!access_token) {
        S_INVALID_FIELD(c, "update.account_selection_enabled requires access_token (update mode)");
        return;
      }
      link.account_selection = true;
    }
  }
  static const char *const other_lists[] = {"required_if_supported_products", "optional_products",
                                            "additional_consented_products"};
  for(size_t k = 0; k < sizeof other_lists / sizeof other_lists[0]; k++) {
    uint64_t ignored = 0;
    v = s_field(c->body, other_lists[k]);
    if(v && !s_products_or_reply(c, v, other_lists[k], false, true, &ignored))
      return;
  }
  json_t *transactions = s_field(c->body, "transactions");
  if(transactions) {
    long long days = link.days_requested;
    if(!json_is_object(transactions)) {
      S_INVALID_FIELD(c, "transactions must be an object");
      return;
    }
    if(!s_int_range_or_reply(c, transactions, "days_requested", 1, 730, &days))
      return;
    if(!access_token)
      link.days_requested = (int)days;
  }

  const int64_t now = plaid_sim_now(c->sim);
  link.expires_ms = now + PLAID_SIM_LINK_TTL_MS;
  char token[PLAID_SIM_TOKEN_MAX], expiration[21];
  if(plaid_sim_store_add_link(c->sim->store, &link, now, token)) {
    s_internal(c);
    return;
  }
  clock_iso8601((time_t)(link.expires_ms / 1000), expiration);
  plaid_sim_render_ok(c->out, c->req, json_pack("{s:s, s:s}", "link_token", token, "expiration", expiration));
}

static void s_public_token_exchange(s_call *c)
{
  static const char *const allowed[] = {S_KEYS, "public_token", NULL};
  static const char *const required[] = {"public_token", NULL};
  if(!s_prelude_or_reply(c, allowed) || !s_required_or_reply(c, required))
    return;
  json_t *v = s_field(c->body, "public_token");
  if(!s_string_or_reply(c, v, "public_token", true))
    return;
  char access_token[PLAID_SIM_TOKEN_MAX], item_id[PLAID_DATA_ID_LEN + 1];
  if(plaid_sim_store_exchange(c->sim->store, json_string_value(v), plaid_sim_now(c->sim), access_token, item_id)) {
    s_fail(c, 400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN", NULL,
           "provided public token is expired, was already exchanged, or does not exist. Public tokens expire 30 "
           "minutes after creation and can be exchanged once");
    return;
  }
  plaid_sim_render_ok(c->out, c->req, json_pack("{s:s, s:s}", "access_token", access_token, "item_id", item_id));
  mynt_wipe(access_token, sizeof access_token);
}

static void s_item_get(s_call *c)
{
  static const char *const allowed[] = {S_KEYS, "access_token", NULL};
  static const char *const required[] = {"access_token", NULL};
  plaid_sim_item item;
  if(!s_prelude_or_reply(c, allowed) || !s_required_or_reply(c, required) || !s_item_or_reply(c, &item) ||
     !s_fault_or_reply(c, &item))
    return;
  char updated[21];
  clock_iso8601((time_t)(plaid_sim_now(c->sim) / 1000), updated);
  /* Like Plaid, /item/get still answers for an item that needs a login, with item.error set. */
  plaid_sim_render_ok(c->out, c->req,
                      json_pack("{s:o, s:{s:n, s:{s:s, s:n}, s:n}}", "item", plaid_sim_render_item(&item, true),
                                "status", "investments", "transactions", "last_successful_update", updated,
                                "last_failed_update", "last_webhook"));
}

static void s_item_remove(s_call *c)
{
  static const char *const allowed[] = {S_KEYS, "access_token", "reason_code", "reason_note", NULL};
  static const char *const required[] = {"access_token", NULL};
  static const char *const reasons[] = {"FRAUD_FIRST_PARTY", "FRAUD_FALSE_IDENTITY",         "FRAUD_ABUSE",
                                        "FRAUD_OTHER",       "CONNECTION_IS_NON_FUNCTIONAL", "OTHER"};
  plaid_sim_item item;
  if(!s_prelude_or_reply(c, allowed) || !s_required_or_reply(c, required))
    return;
  json_t *reason = s_field(c->body, "reason_code");
  bool ok = reason == NULL;
  for(size_t i = 0; !ok && json_is_string(reason) && i < sizeof reasons / sizeof reasons[0]; i++)
    ok = strcmp(reasons[i], json_string_value(reason)) == 0;
  if(!ok) {
    S_INVALID_FIELD(c, "reason_code must be one of the documented reason codes");
    return;
  }
  json_t *note = s_field(c->body, "reason_note");
  if(note && !s_string_or_reply(c, note, "reason_note", false))
    return;
  if(!s_item_or_reply(c, &item))
    return;
  if(plaid_sim_store_remove_item(c->sim->store, item.item_id)) {
    s_fail(c, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN", NULL, "provided access token does not exist");
    return;
  }
  plaid_sim_render_ok(c->out, c->req, json_object());
}

/* Generates the item's data for today, with what /sim changed in its ledger, or answers 500. */
static bool s_data_or_reply(s_call *c, const plaid_sim_item *item, plaid_data_item *out)
{
  if(plaid_data_generate(item->institution_id, item->seed, plaid_sim_today(c->sim), out) ||
     plaid_sim_ledger_overlay(c->sim->ledger, item, out)) {
    plaid_data_item_free(out);
    s_internal(c);
    return false;
  }
  return true;
}

static void s_accounts_get(s_call *c)
{
  static const char *const allowed[] = {S_KEYS, "access_token", "options", NULL};
  static const char *const options_allowed[] = {"account_ids", NULL};
  static const char *const required[] = {"access_token", NULL};
  plaid_sim_item item;
  plaid_data_item data = {0};
  bool want[PLAID_DATA_ACCOUNT_COUNT];
  if(!s_prelude_or_reply(c, allowed) || !s_required_or_reply(c, required))
    return;
  json_t *options = s_field(c->body, "options");
  if(options && !json_is_object(options)) {
    S_INVALID_FIELD(c, "options must be an object");
    return;
  }
  if(options && !s_known_fields_or_reply(c, options, "options.", options_allowed))
    return;
  if(!s_item_or_reply(c, &item) || !s_fault_or_reply(c, &item) || !s_logged_in_or_reply(c, &item) ||
     !s_data_or_reply(c, &item, &data))
    return;
  if(s_account_filter_or_reply(c, options, &data, want))
    plaid_sim_render_ok(
      c->out, c->req,
      json_pack("{s:o, s:o}", "accounts", s_accounts_json(&data, want), "item", plaid_sim_render_item(&item, false)));
  plaid_data_item_free(&data);
}

static void s_transactions_get(s_call *c)
{
  static const char *const allowed[] = {S_KEYS, "access_token", "start_date", "end_date", "options", NULL};
  /* clang-format off */
  static const char *const options_allowed[] = {
    "account_ids", "count", "offset", "include_original_description", "include_personal_finance_category_beta",
    "include_personal_finance_category", "include_logo_and_counterparty_beta", "personal_finance_category_version",
    "days_requested", NULL};
  /* clang-format on */
  static const char *const required[] = {"access_token", "start_date", "end_date", NULL};
  plaid_sim_item item;
  plaid_data_item data = {0};
  bool want[PLAID_DATA_ACCOUNT_COUNT];
  int32_t start, end;
  long long count = 100, offset = 0, days = 90;
  bool original = false, flag = false;
  json_t *list = NULL;

  if(!s_prelude_or_reply(c, allowed) || !s_required_or_reply(c, required))
    return;
  if(!s_date_or_reply(c, s_field(c->body, "start_date"), "start_date", &start) ||
     !s_date_or_reply(c, s_field(c->body, "end_date"), "end_date", &end))
    return;
  if(start > end) {
    S_INVALID_FIELD(c, "start_date must be on or before end_date");
    return;
  }
  json_t *options = s_field(c->body, "options");
  if(options && !json_is_object(options)) {
    S_INVALID_FIELD(c, "options must be an object");
    return;
  }
  if(options) {
    json_t *version = s_field(options, "personal_finance_category_version");
    if(!s_known_fields_or_reply(c, options, "options.", options_allowed) ||
       !s_int_range_or_reply(c, options, "count", 1, 500, &count) ||
       !s_int_range_or_reply(c, options, "offset", 0, INT32_MAX, &offset) ||
       !s_int_range_or_reply(c, options, "days_requested", 1, 730, &days) ||
       !s_bool_or_reply(c, options, "include_original_description", &original) ||
       !s_bool_or_reply(c, options, "include_personal_finance_category", &flag) ||
       !s_bool_or_reply(c, options, "include_personal_finance_category_beta", &flag) ||
       !s_bool_or_reply(c, options, "include_logo_and_counterparty_beta", &flag))
      return;
    if(version && (!json_is_string(version) ||
                   (strcmp(json_string_value(version), "v1") != 0 && strcmp(json_string_value(version), "v2") != 0))) {
      S_INVALID_FIELD(c, "options.personal_finance_category_version must be \"v1\" or \"v2\"");
      return;
    }
  }
  if(!s_item_or_reply(c, &item) || !s_fault_or_reply(c, &item) || !s_logged_in_or_reply(c, &item) ||
     !s_data_or_reply(c, &item, &data))
    return;
  if(!s_account_filter_or_reply(c, options, &data, want))
    goto cleanup;

  /* History stops where the link token's days_requested said when the item was made. */
  const int32_t earliest = data.today - item.days_requested;
  if(start < earliest)
    start = earliest;
  list = json_array();
  if(!list)
    goto oom;
  long long total = 0;
  for(size_t i = 0; i < data.txn_count; i++) {
    const plaid_data_txn *t = &data.txns[i];
    if(t->date < start || t->date > end || !want[t->account])
      continue;
    if(total >= offset && total < offset + count &&
       json_array_append_new(list, plaid_sim_render_txn(&data, t, original)))
      goto oom;
    total++;
  }
  plaid_sim_render_ok(c->out, c->req,
                      json_pack("{s:o, s:o, s:I, s:o}", "accounts", s_accounts_json(&data, want), "transactions", list,
                                "total_transactions", (json_int_t)total, "item", plaid_sim_render_item(&item, false)));
  list = NULL;
  goto cleanup;
oom:
  s_internal(c);
cleanup:
  json_decref(list);
  plaid_data_item_free(&data);
}

static void s_sandbox_public_token_create(s_call *c)
{
  /* clang-format off */
  static const char *const allowed[] = {S_KEYS, "institution_id", "initial_products", "options", "user_token",
                                        "user_id", NULL};
  static const char *const options_allowed[] = {"webhook", "override_username", "override_password", "transactions",
                                                "statements", "income_verification", NULL};
  /* clang-format on */
  static const char *const required[] = {"institution_id", "initial_products", NULL};
  plaid_sim_item tmpl = {.days_requested = 90};
  plaid_sim_item item;

  if(!s_prelude_or_reply(c, allowed) || !s_required_or_reply(c, required))
    return;
  json_t *inst = s_field(c->body, "institution_id");
  if(!s_string_or_reply(c, inst, "institution_id", true))
    return;
  if(!s_products_or_reply(c, s_field(c->body, "initial_products"), "initial_products", true, true, &tmpl.products))
    return;
  json_t *options = s_field(c->body, "options");
  const char *username = "user_good", *password = "pass_good";
  if(options) {
    if(!json_is_object(options)) {
      S_INVALID_FIELD(c, "options must be an object");
      return;
    }
    if(!s_known_fields_or_reply(c, options, "options.", options_allowed) ||
       !s_webhook_or_reply(c, options, tmpl.webhook))
      return;
    json_t *u = s_field(options, "override_username"), *p = s_field(options, "override_password");
    if((u && !s_string_or_reply(c, u, "options.override_username", false)) ||
       (p && !s_string_or_reply(c, p, "options.override_password", false)))
      return;
    username = u ? json_string_value(u) : username;
    password = p ? json_string_value(p) : password;
    json_t *tx = s_field(options, "transactions");
    if(tx) {
      long long days = tmpl.days_requested;
      int32_t start, end = plaid_sim_today(c->sim);
      if(!json_is_object(tx)) {
        S_INVALID_FIELD(c, "options.transactions must be an object");
        return;
      }
      if(!s_int_range_or_reply(c, tx, "days_requested", 1, 730, &days))
        return;
      json_t *sd = s_field(tx, "start_date"), *ed = s_field(tx, "end_date");
      if((ed && !s_date_or_reply(c, ed, "options.transactions.end_date", &end)) ||
         (sd && !s_date_or_reply(c, sd, "options.transactions.start_date", &start)))
        return;
      if(sd) {
        if(start > end) {
          S_INVALID_FIELD(c, "options.transactions.start_date must be on or before end_date");
          return;
        }
        days = plaid_sim_today(c->sim) - start;
        days = days < 1 ? 1 : days > 730 ? 730 : days;
      }
      tmpl.days_requested = (int)days;
    }
  }
  if(!plaid_data_institution_find(json_string_value(inst))) {
    s_fail(c, 400, "INVALID_INPUT", "INVALID_INSTITUTION", NULL, "invalid institution_id provided");
    return;
  }
  if(!plaid_sim_credentials_or_reply(c->req, c->out, username, password))
    return;
  snprintf(tmpl.institution_id, sizeof tmpl.institution_id, "%s", json_string_value(inst));
  char token[PLAID_SIM_TOKEN_MAX];
  const int64_t now = plaid_sim_now(c->sim);
  if(plaid_sim_store_add_item(c->sim->store, &tmpl, false, now, &item) ||
     plaid_sim_store_add_public(c->sim->store, item.item_id, now, token)) {
    s_internal(c);
    return;
  }
  plaid_sim_render_ok(c->out, c->req, json_pack("{s:s}", "public_token", token));
}

static void s_sandbox_reset_login(s_call *c)
{
  static const char *const allowed[] = {S_KEYS, "access_token", NULL};
  static const char *const required[] = {"access_token", NULL};
  plaid_sim_item item;
  if(!s_prelude_or_reply(c, allowed) || !s_required_or_reply(c, required) || !s_item_or_reply(c, &item))
    return;
  if(plaid_sim_store_set_login_required(c->sim->store, item.item_id, true)) {
    s_fail(c, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN", NULL, "provided access token does not exist");
    return;
  }
  plaid_sim_notify_login_required(c->sim, &item);
  plaid_sim_render_ok(c->out, c->req, json_pack("{s:b}", "reset_login", 1));
}

typedef struct {
  const char *path;
  void (*handle)(s_call *c);
} s_route;

static const s_route s_routes[] = {
  {"/link/token/create", s_link_token_create},
  {"/item/public_token/exchange", s_public_token_exchange},
  {"/item/get", s_item_get},
  {"/item/remove", s_item_remove},
  {"/accounts/get", s_accounts_get},
  {"/transactions/get", s_transactions_get},
  {"/sandbox/public_token/create", s_sandbox_public_token_create},
  {"/sandbox/item/reset_login", s_sandbox_reset_login},
  {"/transactions/sync", plaid_sim_sync_transactions},
  {"/sandbox/transactions/create", plaid_sim_sync_sandbox_create},
  {"/webhook_verification_key/get", plaid_sim_notify_key_get},
  {"/sandbox/item/fire_webhook", plaid_sim_notify_fire},
};

void plaid_sim_plaid_handle(plaid_sim *sim, const plaid_sim_request *req, plaid_sim_response *out)
{
  s_call c = {sim, req, out, req->body};
  for(size_t i = 0; i < sizeof s_routes / sizeof s_routes[0]; i++) {
    if(strcmp(s_routes[i].path, req->path) == 0) {
      s_routes[i].handle(&c);
      if(!out->body)
        s_internal(&c);
      return;
    }
  }
  s_fail(&c, 404, "INVALID_REQUEST", "NOT_FOUND", NULL, "unrecognized endpoint %s", req->path);
}

/* ---- shared with the admin endpoints ---- */

bool plaid_sim_credentials_or_reply(const plaid_sim_request *req, plaid_sim_response *out, const char *username,
                                    const char *password)
{
  if(username && password && strcmp(username, "user_good") == 0 && strcmp(password, "pass_good") == 0)
    return true;
  plaid_sim_render_error(out, req, 400, "ITEM_ERROR", "INVALID_CREDENTIALS",
                         "the provided credentials were not correct",
                         "The provided credentials were not correct. Please try again.");
  return false;
}

const char *plaid_sim_fault_code(const char *error_code, int *out_status)
{
  static const struct {
    const char *code;
    int status;
  } codes[] = {{"RATE_LIMIT_EXCEEDED", 429},
               {"INTERNAL_SERVER_ERROR", 500},
               {"ITEM_LOGIN_REQUIRED", 400},
               {"PRODUCT_NOT_READY", 400}};
  for(size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    if(strcmp(codes[i].code, error_code) == 0) {
      *out_status = codes[i].status;
      return codes[i].code;
    }
  }
  return NULL;
}

/* ---- the checks the sync endpoints (plaid_sim_sync.c) share ---- */

bool plaid_sim_prelude_or_reply(plaid_sim_call *c, const char *const *allowed, const char *const *required)
{
  return s_prelude_or_reply(c, allowed) && (!required || s_required_or_reply(c, required));
}

bool plaid_sim_item_or_reply(plaid_sim_call *c, plaid_sim_item *out, bool data_call)
{
  return s_item_or_reply(c, out) && (!data_call || (s_fault_or_reply(c, out) && s_logged_in_or_reply(c, out)));
}

bool plaid_sim_object_or_reply(plaid_sim_call *c, json_t *obj, const char *name, const char *const *allowed)
{
  char prefix[96];
  if(!json_is_object(obj)) {
    S_INVALID_FIELD(c, "%s must be an object", name);
    return false;
  }
  snprintf(prefix, sizeof prefix, "%s.", name);
  return s_known_fields_or_reply(c, obj, prefix, allowed);
}

bool plaid_sim_int_or_reply(plaid_sim_call *c, json_t *obj, const char *name, long long lo, long long hi,
                            long long *out)
{
  return s_int_range_or_reply(c, obj, name, lo, hi, out);
}

bool plaid_sim_bool_or_reply(plaid_sim_call *c, json_t *obj, const char *name, bool *out)
{
  return s_bool_or_reply(c, obj, name, out);
}

bool plaid_sim_date_or_reply(plaid_sim_call *c, json_t *v, const char *name, int32_t *out)
{
  return s_date_or_reply(c, v, name, out);
}

bool plaid_sim_data_or_reply(plaid_sim_call *c, const plaid_sim_item *item, plaid_data_item *out)
{
  return s_data_or_reply(c, item, out);
}

json_t *plaid_sim_field(json_t *obj, const char *name)
{
  return s_field(obj, name);
}

bool plaid_sim_key_allowed(const char *key, const char *const *allowed)
{
  for(const char *const *a = allowed; *a; a++)
    if(strcmp(*a, key) == 0)
      return true;
  return false;
}

bool plaid_sim_keys_or_reply(const plaid_sim_request *req, plaid_sim_response *out, json_t *obj, const char *where,
                             const char *const *allowed)
{
  const char *key;
  json_t *value;
  json_object_foreach(obj, key, value) {
    (void)value;
    if(!plaid_sim_key_allowed(key, allowed)) {
      char message[160];
      snprintf(message, sizeof message, "%s%sunknown field %.64s", where ? where : "", where ? ": " : "", key);
      plaid_sim_render_error(out, req, 400, "INVALID_REQUEST", "INVALID_FIELD", message, NULL);
      return false;
    }
  }
  return true;
}
