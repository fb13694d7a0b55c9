/* budgets.c - handlers of the `budgets` route group: GET /budgets, PUT and DELETE /budgets/{category}. */
#include "handlers/budgets.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/money.h"
#include "finance/category.h"
#include "handlers/call.h"
#include "store/budgets.h"

/* Time kept back from the Lambda deadline so an answer can still be written. */
#define BUDGETS_DEADLINE_MARGIN_MS 500

#define S_LIMIT_MEMBER    "monthly_limit"
#define S_CURRENCY_MEMBER "iso_currency_code"

/* The API's shape of b (new reference; NULL on allocation failure). */
static json_t *s_budget_json(const void *budget)
{
  const store_budget *b = budget;
  return json_pack("{s:s, s:o, s:s, s:s}", "category", b->category, "monthly_limit", money_json(b->monthly_limit_cents),
                   "iso_currency_code", b->iso_currency_code, "updated_at", b->updated_at);
}

mynt_status budgets_list(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, BUDGETS_DEADLINE_MARGIN_MS, &call);
  if(st)
    return st;
  store_budget *budgets = NULL;
  size_t n = 0;
  st = store_budget_list(call.env->store, call.sub, call.deadline_ms, &budgets, &n);
  if(st)
    return apigw_response_error(res, st, NULL);
  json_t *list = json_array_map(budgets, n, sizeof(*budgets), s_budget_json);
  free(budgets);
  return handlers_reply_list(res, "budgets", list);
}

/* Checks that category (the path's, may be NULL) can carry a budget; replies 400 otherwise. */
static mynt_status s_category_or_reply(const char *category, apigw_response *res)
{
  char message[160];
  if(!finance_category_known(category)) {
    char upper[32];
    size_t n = category ? strlen(category) : 0;
    if(n > 0 && n < sizeof(upper)) {
      for(size_t i = 0; i <= n; i++)
        upper[i] = (char)toupper((unsigned char)category[i]);
      if(finance_category_known(upper)) {
        snprintf(message, sizeof(message), "category must be one of Plaid's categories, in upper case: %s", upper);
        return apigw_response_error(res, MYNT_BAD_REQUEST, message);
      }
    }
    return apigw_response_error(res, MYNT_BAD_REQUEST,
                                "category must be one of Plaid's categories, e.g. FOOD_AND_DRINK");
  }
  if(!finance_category_budgetable(category)) {
    snprintf(message, sizeof(message),
             "%s is not counted as spending: a budget is set on a spending category, e.g. FOOD_AND_DRINK", category);
    return apigw_response_error(res, MYNT_BAD_REQUEST, message);
  }
  return MYNT_OK;
}

/* Reads PUT's body (an object) into *out (category already set); replies 400 naming the first
 * member that is wrong. */
static mynt_status s_budget_body_or_reply(const json_t *body, apigw_response *res, store_budget *out)
{
  char message[200];
  const char *key;
  const json_t *value;
  json_object_foreach((json_t *)body, key, value) {
    if(strcmp(key, S_LIMIT_MEMBER) != 0 && strcmp(key, S_CURRENCY_MEMBER) != 0) {
      /* The name is quoted back only when it is short printable ASCII (never a cut UTF-8 sequence). */
      if(str_is_token(key, 40))
        snprintf(message, sizeof(message), "unknown member \"%s\": the body takes only %s and %s", key, S_LIMIT_MEMBER,
                 S_CURRENCY_MEMBER);
      else
        snprintf(message, sizeof(message), "unknown member: the body takes only %s and %s", S_LIMIT_MEMBER,
                 S_CURRENCY_MEMBER);
      return apigw_response_error(res, MYNT_BAD_REQUEST, message);
    }
  }

  const json_t *limit = json_object_get(body, S_LIMIT_MEMBER);
  if(!limit)
    return apigw_response_error(res, MYNT_BAD_REQUEST,
                                "monthly_limit is required: an amount above 0 with at most two decimals, e.g. 400.50");
  if(!json_is_number(limit))
    return apigw_response_error(res, MYNT_BAD_REQUEST, "monthly_limit must be a number, e.g. 400.50");
  double units = json_number_value(limit);
  if(units <= 0)
    return apigw_response_error(res, MYNT_BAD_REQUEST, "monthly_limit must be greater than 0");
  if(units > BUDGETS_LIMIT_MAX_UNITS) {
    snprintf(message, sizeof(message), "monthly_limit must be at most %d", BUDGETS_LIMIT_MAX_UNITS);
    return apigw_response_error(res, MYNT_BAD_REQUEST, message);
  }
  if(money_cents_from_json_exact(limit, &out->monthly_limit_cents) != MYNT_OK)
    return apigw_response_error(res, MYNT_BAD_REQUEST, "monthly_limit must have at most two decimals");

  const json_t *currency = json_object_get(body, S_CURRENCY_MEMBER);
  if(!currency)
    return apigw_response_error(res, MYNT_BAD_REQUEST,
                                "iso_currency_code is required: three upper-case letters, e.g. USD");
  if(!money_currency_valid(json_string_value(currency)))
    return apigw_response_error(res, MYNT_BAD_REQUEST, "iso_currency_code must be three upper-case letters, e.g. USD");
  snprintf(out->iso_currency_code, sizeof(out->iso_currency_code), "%s", json_string_value(currency));
  return MYNT_OK;
}

mynt_status budgets_put(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, BUDGETS_DEADLINE_MARGIN_MS, &call);
  if(st)
    return st;
  const char *category = apigw_request_path_param(req, "category");
  st = s_category_or_reply(category, res);
  if(st)
    return st;
  json_t *body = NULL;
  st = apigw_json_body_or_reply(req, res, &body);
  if(st)
    return st;
  store_budget budget;
  memset(&budget, 0, sizeof(budget));
  snprintf(budget.category, sizeof(budget.category), "%s", category);
  st = s_budget_body_or_reply(body, res, &budget);
  json_decref(body);
  if(st)
    return st;
  clock_iso8601((time_t)(clock_epoch_ms() / 1000), budget.updated_at);
  bool created = false;
  st = store_budget_put(call.env->store, call.sub, &budget, call.deadline_ms, &created);
  if(st)
    return apigw_response_error(res, st, NULL);
  st = apigw_response_json(res, created ? 201 : 200, s_budget_json(&budget));
  return st ? apigw_response_error(res, st, NULL) : MYNT_OK;
}

mynt_status budgets_delete(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  handlers_call call;
  mynt_status st = handlers_call_or_reply(ctx, req, res, BUDGETS_DEADLINE_MARGIN_MS, &call);
  if(st)
    return st;
  st = store_budget_delete(call.env->store, call.sub, apigw_request_path_param(req, "category"), call.deadline_ms);
  if(st)
    return apigw_response_error(res, st, st == MYNT_NOT_FOUND ? "there is no budget for this category" : NULL);
  return apigw_response_no_content(res);
}
