/* transactions_view.c - accounts and transactions as Mynt answers them, flow classification, the newest-first merge. */
#include "handlers/transactions_view.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"

const char *transactions_view_flow(const char *primary_category)
{
  if(!primary_category)
    return "expense";
  if(strcmp(primary_category, "INCOME") == 0)
    return "income";
  if(strcmp(primary_category, "TRANSFER_IN") == 0 || strcmp(primary_category, "TRANSFER_OUT") == 0 ||
     strcmp(primary_category, "LOAN_PAYMENTS") == 0)
    return "transfer";
  return "expense";
}

json_t *transactions_view_render(const json_t *plaid_txn, const char *item_id)
{
  if(!json_is_object(plaid_txn))
    return NULL;
  const json_t *pfc = json_object_get(plaid_txn, "personal_finance_category");
  const char *primary = json_member_string(pfc, "primary");
  json_t *amount = json_object_get(plaid_txn, "amount");
  return json_pack(
    "{s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:s}", "transaction_id",
    json_member_string_or_null(plaid_txn, "transaction_id"), "account_id",
    json_member_string_or_null(plaid_txn, "account_id"), "item_id", item_id, "date",
    json_member_string_or_null(plaid_txn, "date"), "authorized_date",
    json_member_string_or_null(plaid_txn, "authorized_date"), "name", json_member_string_or_null(plaid_txn, "name"),
    "merchant_name", json_member_string_or_null(plaid_txn, "merchant_name"), "amount",
    json_is_number(amount) ? json_deep_copy(amount) : json_integer(0), "iso_currency_code",
    json_member_string_or_null(plaid_txn, "iso_currency_code"), "pending",
    json_is_true(json_object_get(plaid_txn, "pending")), "category", json_member_string_or_null(pfc, "primary"),
    "category_detailed", json_member_string_or_null(pfc, "detailed"), "payment_channel",
    json_member_string_or_null(plaid_txn, "payment_channel"), "flow", transactions_view_flow(primary));
}

/* A new JSON number of obj[name] when it is one, else JSON null. */
static json_t *s_number(const json_t *obj, const char *name)
{
  const json_t *v = json_object_get(obj, name);
  return json_is_number(v) ? json_deep_copy(v) : json_null();
}

bool transactions_view_account_summary(const json_t *plaid_account, store_item_account *out)
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
  return transactions_view_account_summary(plaid_account, &account) ? store_item_account_record(&account) : NULL;
}

json_t *transactions_view_account(const json_t *plaid_account, const char *item_id, const char *institution_name)
{
  store_item_account account;
  if(!transactions_view_account_summary(plaid_account, &account))
    return NULL;
  const json_t *balances = json_object_get(plaid_account, "balances");
  return json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s?, s:s?, s:{s:o, s:o, s:o, s:o}}", "account_id", account.account_id,
                   "item_id", item_id, "institution_name", institution_name, "name", account.name ? account.name : "",
                   "mask", account.mask, "type", account.type, "subtype", account.subtype, "balances", "available",
                   s_number(balances, "available"), "current", s_number(balances, "current"), "limit",
                   s_number(balances, "limit"), "iso_currency_code",
                   json_member_string_or_null(balances, "iso_currency_code"));
}

/* The date of list[at], "" when absent (sorts as the oldest). */
static const char *s_date(const json_t *list, size_t at)
{
  const char *d = json_member_string(json_array_get(list, at), "date");
  return d ? d : "";
}

json_t *transactions_view_merge(json_t *const *lists, const char *const *item_ids, size_t n, size_t offset,
                                size_t count)
{
  json_t *out = json_array();
  size_t *heads = n ? calloc(n, sizeof(*heads)) : NULL;
  if(!out || (n && !heads))
    goto fail;
  for(size_t position = 0; position < offset + count; position++) {
    size_t best = n;
    for(size_t i = 0; i < n; i++) {
      if(!lists[i] || heads[i] >= json_array_size(lists[i]))
        continue;
      /* Strictly newer wins; on a tie the earlier item (lower index) keeps its place. */
      if(best == n || strcmp(s_date(lists[i], heads[i]), s_date(lists[best], heads[best])) > 0)
        best = i;
    }
    if(best == n)
      break;
    if(position >= offset) {
      json_t *row = transactions_view_render(json_array_get(lists[best], heads[best]), item_ids[best]);
      if(!row || json_array_append_new(out, row))
        goto fail;
    }
    heads[best]++;
  }
  free(heads);
  return out;

fail:
  free(heads);
  json_decref(out);
  return NULL;
}
