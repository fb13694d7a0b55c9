/* budgets.c - the BUDGET#<CATEGORY> records: key construction, the list Query, PutItem and conditional DeleteItem. */
#include "store/budgets.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/code.h"
#include "core/json.h"
#include "core/money.h"
#include "store/users.h"

#define S_BUDGET_PREFIX "BUDGET#"

/* "BUDGET#" and a category. */
#define S_SK_MAX (sizeof(S_BUDGET_PREFIX) + sizeof(((store_budget *)0)->category))

bool store_budget_category_valid(const char *category)
{
  return code_valid(category, sizeof(((store_budget *)0)->category));
}

/* The key {"user_id":{"S":user},"sk":{"S":"BUDGET#<category>"}} (new reference; NULL on allocation failure). */
static json_t *s_key(const char *user_id, const char *category)
{
  char sk[S_SK_MAX];
  snprintf(sk, sizeof(sk), "%s%s", S_BUDGET_PREFIX, category);
  return json_pack("{s:{s:s}, s:{s:s}}", "user_id", "S", user_id, "sk", "S", sk);
}

/* Copies member name of record (a string of 1..cap-1 bytes) into dst. Returns false when it is
 * missing, not a string or too long. */
static bool s_copy_string(const json_t *record, const char *name, char *dst, size_t cap)
{
  const char *text = json_member_string(record, name);
  if(!text || !*text || strlen(text) >= cap)
    return false;
  memcpy(dst, text, strlen(text) + 1);
  return true;
}

/* Parses one stored record (plain JSON) into *out. Returns MYNT_OK or MYNT_INTERNAL (malformed). */
static mynt_status s_parse(const json_t *record, store_budget *out)
{
  memset(out, 0, sizeof(*out));
  const json_t *cents = json_object_get(record, "monthly_limit_cents");
  if(!s_copy_string(record, "category", out->category, sizeof(out->category)) ||
     !store_budget_category_valid(out->category) ||
     !s_copy_string(record, "iso_currency_code", out->iso_currency_code, sizeof(out->iso_currency_code)) ||
     !s_copy_string(record, "updated_at", out->updated_at, sizeof(out->updated_at)) || !json_is_integer(cents) ||
     json_integer_value(cents) <= 0)
    return MYNT_INTERNAL;
  out->monthly_limit_cents = json_integer_value(cents);
  return MYNT_OK;
}

mynt_status store_budget_list(store *s, const char *user_id, int64_t deadline_ms, store_budget **out, size_t *out_n)
{
  *out = NULL;
  *out_n = 0;
  json_t *records = NULL;
  store_budget *budgets = NULL;
  mynt_status st = store_query_prefix(s, user_id, S_BUDGET_PREFIX, STORE_BUDGETS_MAX, deadline_ms, "budgets", &records);
  size_t total = json_array_size(records);
  if(st || total == 0)
    goto cleanup;
  budgets = calloc(total, sizeof(*budgets));
  if(!budgets) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  for(size_t i = 0; !st && i < total; i++)
    st = s_parse(json_array_get(records, i), &budgets[i]);
  if(!st) {
    *out = budgets;
    *out_n = total;
    budgets = NULL;
  }

cleanup:
  json_decref(records);
  free(budgets);
  return st;
}

mynt_status store_budget_put(store *s, const char *user_id, const store_budget *b, int64_t deadline_ms,
                             bool *out_created)
{
  *out_created = false;
  if(!store_user_id_valid(user_id) || !store_budget_category_valid(b->category) || b->monthly_limit_cents <= 0 ||
     b->monthly_limit_cents > MONEY_CENTS_MAX || !money_currency_valid(b->iso_currency_code) || !b->updated_at[0])
    return MYNT_BAD_REQUEST;
  char cents[24];
  snprintf(cents, sizeof(cents), "%" PRId64, b->monthly_limit_cents);
  json_t *response = NULL;
  json_t *item = s_key(user_id, b->category);
  mynt_status st = MYNT_NOMEM;
  if(!item ||
     json_object_update_new(item, json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}", "category", "S", b->category,
                                            "monthly_limit_cents", "N", cents, "iso_currency_code", "S",
                                            b->iso_currency_code, "updated_at", "S", b->updated_at)))
    goto cleanup;
  /* ALL_OLD answers the replaced record's attributes, and no Attributes when there was none. */
  json_t *request = json_pack("{s:s, s:O, s:s}", "TableName", s->table, "Item", item, "ReturnValues", "ALL_OLD");
  if(!request)
    goto cleanup;
  st = store_ddb_call(s, "PutItem", "budget", request, deadline_ms, &response);
  json_decref(request);
  if(st)
    goto cleanup;
  *out_created = json_object_size(json_object_get(response, "Attributes")) == 0;

cleanup:
  json_decref(item);
  json_decref(response);
  return st;
}

mynt_status store_budget_delete(store *s, const char *user_id, const char *category, int64_t deadline_ms)
{
  if(!store_user_id_valid(user_id))
    return MYNT_BAD_REQUEST;
  if(!store_budget_category_valid(category))
    return MYNT_NOT_FOUND;
  json_t *response = NULL;
  json_t *request = json_pack("{s:s, s:o, s:s}", "TableName", s->table, "Key", s_key(user_id, category),
                              "ConditionExpression", "attribute_exists(sk)");
  if(!request)
    return MYNT_NOMEM;
  mynt_status st = store_ddb_call(s, "DeleteItem", "budget", request, deadline_ms, &response);
  if(st == MYNT_CONDITION_FAILED)
    st = MYNT_NOT_FOUND;
  json_decref(request);
  json_decref(response);
  return st;
}
