/* transactions_view.c - items, accounts and transactions as Mynt answers them. */
#include "handlers/transactions_view.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "finance/category.h"

/* A new JSON number of obj[name] when it is one, else JSON null. */
static json_t *s_number(const json_t *obj, const char *name)
{
  const json_t *v = json_object_get(obj, name);
  return json_is_number(v) ? json_deep_copy(v) : json_null();
}

/* Reads one of Plaid's account objects into out, its strings borrowed from plaid_account: a mask, type or subtype
 * that is missing or not a string, and a missing name, are NULL. Returns false (out then unusable) when the account
 * has no valid account_id. */
static bool s_account_summary(const json_t *plaid_account, store_item_account *out)
{
  *out = (store_item_account){
    .account_id = json_member_string(plaid_account, "account_id"),
    .name = json_member_string(plaid_account, "name"),
    .mask = json_member_string(plaid_account, "mask"),
    .type = json_member_string(plaid_account, "type"),
    .subtype = json_member_string(plaid_account, "subtype"),
  };
  return store_item_id_valid(out->account_id);
}

json_t *transactions_view_account_record(const json_t *plaid_account)
{
  store_item_account account;
  return s_account_summary(plaid_account, &account) ? store_item_account_record(&account) : NULL;
}

json_t *transactions_view_account(const json_t *plaid_account, const char *item_id, const char *institution_name)
{
  store_item_account account;
  if(!s_account_summary(plaid_account, &account))
    return NULL;
  const json_t *balances = json_object_get(plaid_account, "balances");
  return json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s?, s:s?, s:{s:o, s:o, s:o, s:o}}", "account_id", account.account_id,
                   "item_id", item_id, "institution_name", institution_name, "name", account.name ? account.name : "",
                   "mask", account.mask, "type", account.type, "subtype", account.subtype, "balances", "available",
                   s_number(balances, "available"), "current", s_number(balances, "current"), "limit",
                   s_number(balances, "limit"), "iso_currency_code",
                   json_member_string_or_null(balances, "iso_currency_code"));
}

/* The sync summary of an item for the API. */
static json_t *s_sync_json(const store_item_sync *sync)
{
  const char *status = !sync->initial_complete ? "syncing" : sync->last_error[0] ? "error" : "synced";
  char last[21];
  if(sync->last_synced_at_ms > 0)
    clock_iso8601((time_t)(sync->last_synced_at_ms / 1000), last);
  return json_pack("{s:s, s:s?, s:b, s:s?}", "status", status, "last_synced_at",
                   sync->last_synced_at_ms > 0 ? last : NULL, "history_complete", sync->history_complete, "last_error",
                   sync->last_error[0] ? sync->last_error : NULL);
}

json_t *transactions_view_item(const store_item *item)
{
  json_t *sync = s_sync_json(&item->sync);
  if(!sync)
    return NULL;
  return json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:b, s:o}", "item_id", item->item_id, "institution_id",
                   item->institution_id[0] ? item->institution_id : NULL, "institution_name",
                   item->institution_name[0] ? item->institution_name : NULL, "status",
                   store_item_status_name(item->status), "created_at", item->created_at, "new_accounts_available",
                   item->new_accounts_available, "sync", sync);
}

/* transactions_view_item of one store_item, for json_array_map. */
static json_t *s_view_item(const void *item)
{
  return transactions_view_item(item);
}

json_t *transactions_view_items(const store_item *items, size_t n)
{
  return json_array_map(items, n, sizeof(*items), s_view_item);
}

json_t *transactions_view_stored_account(const json_t *record, const store_item *item)
{
  const char *account_id = json_member_string(record, "account_id");
  if(!account_id)
    return NULL;
  const json_t *balances = json_object_get(record, "balances");
  const char *name = json_member_string(record, "name");
  return json_pack(
    "{s:s, s:s, s:s?, s:s, s:o, s:o, s:o, s:{s:o, s:o, s:o, s:o}, s:s?}", "account_id", account_id, "item_id",
    item->item_id, "institution_name", item->institution_name[0] ? item->institution_name : NULL, "name",
    name ? name : "", "mask", json_member_string_or_null(record, "mask"), "type",
    json_member_string_or_null(record, "type"), "subtype", json_member_string_or_null(record, "subtype"), "balances",
    "available", s_number(balances, "available"), "current", s_number(balances, "current"), "limit",
    s_number(balances, "limit"), "iso_currency_code", json_member_string_or_null(balances, "iso_currency_code"),
    "balances_as_of", item->balances_as_of[0] ? item->balances_as_of : NULL);
}

json_t *transactions_view_stored(const json_t *stored)
{
  if(!json_is_object(stored))
    return NULL;
  const json_t *cents = json_object_get(stored, "amount_cents");
  json_int_t amount_cents = json_is_integer(cents) ? json_integer_value(cents) : 0;
  const char *category = json_member_string(stored, "category");
  const char *flow = json_member_string(stored, "flow");
  return json_pack(
    "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:I, s:o, s:b, s:o, s:o, s:o, s:o, s:s}", "transaction_id",
    json_member_string_or_null(stored, "transaction_id"), "account_id",
    json_member_string_or_null(stored, "account_id"), "item_id", json_member_string_or_null(stored, "item_id"), "date",
    json_member_string_or_null(stored, "date"), "authorized_date",
    json_member_string_or_null(stored, "authorized_date"), "name", json_member_string_or_null(stored, "name"),
    "merchant_name", json_member_string_or_null(stored, "merchant_name"), "amount", (double)amount_cents / 100.0,
    "amount_cents", amount_cents, "iso_currency_code", json_member_string_or_null(stored, "iso_currency_code"),
    "pending", json_is_true(json_object_get(stored, "pending")), "pending_transaction_id",
    json_member_string_or_null(stored, "pending_transaction_id"), "category",
    json_member_string_or_null(stored, "category"), "category_detailed",
    json_member_string_or_null(stored, "category_detailed"), "payment_channel",
    json_member_string_or_null(stored, "payment_channel"), "flow", flow ? flow : finance_flow(category));
}
