/* sync_records.c - Plaid's transactions and accounts as the store keeps them: the stored transaction shape, balances. */
#include "sync/sync_records.h"

#include "core/date.h"
#include "core/json.h"
#include "core/money.h"
#include "finance/category.h"
#include "store/items.h"

/* A new JSON string of obj[name] when it is a valid YYYY-MM-DD date, else JSON null. */
static json_t *s_date_or_null(const json_t *obj, const char *name)
{
  int y, m, d;
  const char *text = json_member_string(obj, name);
  return json_string_or_null(date_parse(text, &y, &m, &d) == MYNT_OK ? text : NULL);
}

mynt_status sync_records_txn(const json_t *plaid_txn, json_t **out)
{
  int y, m, d;
  int64_t cents = 0;
  *out = NULL;
  const char *id = json_member_string(plaid_txn, "transaction_id");
  const char *account_id = json_member_string(plaid_txn, "account_id");
  if(!store_item_id_valid(id) || !store_item_id_valid(account_id) ||
     date_parse(json_member_string(plaid_txn, "date"), &y, &m, &d) ||
     money_cents_from_json(json_object_get(plaid_txn, "amount"), &cents))
    return MYNT_BAD_REQUEST;
  const json_t *pfc = json_object_get(plaid_txn, "personal_finance_category");
  const char *currency = json_member_string_or(plaid_txn, "iso_currency_code", "unofficial_currency_code");
  /* json_pack takes every "o" value, also when it fails, so nothing leaks on the way out. */
  *out = json_pack(
    "{s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:o, s:b, s:o, s:o, s:o, s:o, s:s}", "transaction_id", id, "account_id",
    account_id, "date", json_member_string_or_null(plaid_txn, "date"), "authorized_date",
    s_date_or_null(plaid_txn, "authorized_date"), "name", json_member_string_or_null(plaid_txn, "name"),
    "merchant_name", json_member_string_or_null(plaid_txn, "merchant_name"), "amount_cents", (json_int_t)cents,
    "iso_currency_code", json_string_or_null(currency), "pending", json_is_true(json_object_get(plaid_txn, "pending")),
    "pending_transaction_id", json_member_string_or_null(plaid_txn, "pending_transaction_id"), "category",
    json_member_string_or_null(pfc, "primary"), "category_detailed", json_member_string_or_null(pfc, "detailed"),
    "payment_channel", json_member_string_or_null(plaid_txn, "payment_channel"), "flow",
    finance_flow(json_member_string(pfc, "primary")));
  return *out ? MYNT_OK : MYNT_NOMEM;
}

/* A new JSON number of obj[name] when it is one, else JSON null. */
static json_t *s_number_or_null(const json_t *obj, const char *name)
{
  const json_t *v = json_object_get(obj, name);
  return json_is_number(v) ? json_deep_copy(v) : json_null();
}

json_t *sync_records_account(const json_t *plaid_account)
{
  const store_item_account account = {
    .account_id = json_member_string(plaid_account, "account_id"),
    .name = json_member_string(plaid_account, "name"),
    .mask = json_member_string(plaid_account, "mask"),
    .type = json_member_string(plaid_account, "type"),
    .subtype = json_member_string(plaid_account, "subtype"),
  };
  json_t *record = store_item_account_record(&account);
  if(!record)
    return NULL;
  const json_t *balances = json_object_get(plaid_account, "balances");
  json_t *kept =
    json_pack("{s:o, s:o, s:o, s:o}", "available", s_number_or_null(balances, "available"), "current",
              s_number_or_null(balances, "current"), "limit", s_number_or_null(balances, "limit"), "iso_currency_code",
              json_string_or_null(json_member_string_or(balances, "iso_currency_code", "unofficial_currency_code")));
  if(!kept || json_object_set_new(record, "balances", kept)) {
    json_decref(record);
    return NULL;
  }
  return record;
}
