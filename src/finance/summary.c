/* summary.c - GET /summary's figures from the stored history: income, expenses, categories, merchants, budgets. */
#include "finance/summary.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/json.h"
#include "core/money.h"
#include "finance/category.h"

/* The longest iso_currency_code counted (ISO codes have 3; Plaid's unofficial ones may be longer). */
#define S_CURRENCY_MAX 15
/* How many merchants each currency lists. */
#define S_MERCHANTS_PER_CURRENCY 10

/* One group of transactions and its sums in cents. */
typedef struct {
  char currency[S_CURRENCY_MAX + 1];
  const char *parent; /* a detailed row's category, "" otherwise; borrowed from the txns */
  const char *name;   /* the category, category_detailed, account_id or merchant; "" for a currency's totals */
  int64_t income;
  int64_t expenses;
  int64_t pending_expenses;
  int64_t transactions;
} s_row;

/* Rows found by (currency, parent, name) through a JSON object used as a hash table. */
typedef struct {
  s_row *rows;
  size_t n;
  size_t cap;
  json_t *index; /* key text -> row number, until the rows are sorted */
  char *key;     /* the last key built */
  size_t key_cap;
} s_table;

/* The members of one stored transaction the figures read, borrowed from it. */
typedef struct {
  int year;
  int month;
  const char *currency;
  const char *category; /* NULL: none */
  const char *detailed; /* NULL: none */
  const char *flow;     /* "income", "expense" or "transfer" */
  const char *account_id;
  const char *merchant; /* merchant_name, else name; NULL: neither */
  int64_t cents;
  bool pending;
} s_txn;

/* A month of one currency. */
typedef struct {
  int64_t income;
  int64_t expenses;
} s_month;

int finance_months_touched(const char *start_date, const char *end_date)
{
  int sy, sm, sd, ey, em, ed;
  if(date_parse(start_date, &sy, &sm, &sd) || date_parse(end_date, &ey, &em, &ed) || strcmp(end_date, start_date) < 0)
    return 0;
  return (ey * 12 + em) - (sy * 12 + sm) + 1;
}

/* Reads t into out when it counts in a summary of start..end (valid dates): its date is in the
 * period, it has a currency token and an integer amount_cents within ±MONEY_CENTS_MAX. */
static bool s_txn_read(const json_t *t, const char *start, const char *end, s_txn *out)
{
  int d;
  const char *date = json_member_string(t, "date");
  if(date_parse(date, &out->year, &out->month, &d) || strcmp(date, start) < 0 || strcmp(date, end) > 0)
    return false;
  out->currency = json_member_string(t, "iso_currency_code");
  if(!str_is_token(out->currency, S_CURRENCY_MAX))
    return false;
  const json_t *cents = json_object_get(t, "amount_cents");
  if(!json_is_integer(cents) || json_integer_value(cents) > MONEY_CENTS_MAX ||
     json_integer_value(cents) < -MONEY_CENTS_MAX)
    return false;
  out->cents = (int64_t)json_integer_value(cents);
  out->category = json_member_string(t, "category");
  out->detailed = json_member_string(t, "category_detailed");
  const char *flow = json_member_string(t, "flow");
  bool stored = flow && (!strcmp(flow, "income") || !strcmp(flow, "expense") || !strcmp(flow, "transfer"));
  out->flow = stored ? flow : finance_flow(out->category);
  out->account_id = json_member_string(t, "account_id");
  out->merchant = json_member_string_or(t, "merchant_name", "name");
  out->pending = json_is_true(json_object_get(t, "pending"));
  return true;
}

/* Sets t empty; false when allocation fails (t is then still safe to s_table_free). */
static bool s_table_init(s_table *t)
{
  *t = (s_table){.index = json_object()};
  return t->index != NULL;
}

static void s_table_free(s_table *t)
{
  free(t->rows);
  free(t->key);
  json_decref(t->index);
  *t = (s_table){0};
}

/* Sets *out to t's row of (currency, parent, name), a new one of zeros when there is none (the
 * strings borrowed: they must outlive t). The pointer stays valid until t's next new row. Returns
 * MYNT_OK or MYNT_NOMEM. */
static mynt_status s_table_row(s_table *t, const char *currency, const char *parent, const char *name, s_row **out)
{
  size_t lc = strlen(currency), lp = strlen(parent), ln = strlen(name);
  /* Length-prefixed parts, so no name can make two keys alike. */
  size_t need = lc + lp + ln + 3 * 22 + 1;
  if(need > t->key_cap) {
    char *key = realloc(t->key, need);
    if(!key)
      return MYNT_NOMEM;
    t->key = key;
    t->key_cap = need;
  }
  snprintf(t->key, t->key_cap, "%zu:%s%zu:%s%zu:%s", lc, currency, lp, parent, ln, name);
  const json_t *found = json_object_get(t->index, t->key);
  if(found) {
    *out = &t->rows[json_integer_value(found)];
    return MYNT_OK;
  }
  if(t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 16;
    s_row *rows = realloc(t->rows, cap * sizeof *rows);
    if(!rows)
      return MYNT_NOMEM;
    t->rows = rows;
    t->cap = cap;
  }
  /* nocheck: the key holds the txns' text, which jansson already read as UTF-8. */
  if(json_object_set_new_nocheck(t->index, t->key, json_integer((json_int_t)t->n)))
    return MYNT_NOMEM;
  s_row *row = &t->rows[t->n++];
  *row = (s_row){.parent = parent, .name = name};
  snprintf(row->currency, sizeof row->currency, "%s", currency);
  *out = row;
  return MYNT_OK;
}

/* Sorts t's rows by cmp (its index then no longer holds: use s_table_find). */
static void s_table_sort(s_table *t, int (*cmp)(const void *, const void *))
{
  if(t->n > 1)
    qsort(t->rows, t->n, sizeof *t->rows, cmp);
}

/* Returns the row of (currency, name) among t's n rows (any parent), or NULL. Linear: for small tables. */
static const s_row *s_table_find(const s_table *t, const char *currency, const char *name)
{
  for(size_t i = 0; i < t->n; i++)
    if(!strcmp(t->rows[i].currency, currency) && !strcmp(t->rows[i].name, name))
      return &t->rows[i];
  return NULL;
}

/* Adds one posted txn of flow to row's income or expenses (a transfer to neither). */
static void s_row_add(s_row *row, const char *flow, int64_t cents)
{
  if(!strcmp(flow, "income"))
    row->income -= cents;
  else if(!strcmp(flow, "expense"))
    row->expenses += cents;
}

static int s_by_currency(const void *a, const void *b)
{
  return strcmp(((const s_row *)a)->currency, ((const s_row *)b)->currency);
}

/* Expenses descending, then name, then currency (categories and their detailed rows). */
static int s_by_expenses(const void *a, const void *b)
{
  const s_row *x = a, *y = b;
  if(x->expenses != y->expenses)
    return x->expenses > y->expenses ? -1 : 1;
  int c = strcmp(x->name, y->name);
  return c ? c : strcmp(x->currency, y->currency);
}

/* Name, then currency (accounts). */
static int s_by_name(const void *a, const void *b)
{
  const s_row *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : strcmp(x->currency, y->currency);
}

/* Currency, then expenses descending, then name (merchants). */
static int s_by_currency_then_expenses(const void *a, const void *b)
{
  int c = s_by_currency(a, b);
  return c ? c : s_by_expenses(a, b);
}

/* Category, then currency (budgets). */
static int s_budget_order(const void *a, const void *b)
{
  const finance_budget *x = *(const finance_budget *const *)a, *y = *(const finance_budget *const *)b;
  int c = strncmp(x->category, y->category, sizeof x->category);
  return c ? c : strncmp(x->iso_currency_code, y->iso_currency_code, sizeof x->iso_currency_code);
}

/* spent × 100 / limit rounded half away from zero, 0 when spent ≤ 0; in 128 bits, so no spent overflows it. */
static int64_t s_percent(int64_t spent, int64_t limit)
{
  if(spent <= 0 || limit <= 0)
    return 0;
  __int128 p = ((__int128)spent * 200 + limit) / ((__int128)limit * 2);
  return p > INT64_MAX ? INT64_MAX : (int64_t)p;
}

/* Appends obj (NULL: a failed allocation) to array; false on failure (obj is then released). */
static bool s_append(json_t *array, json_t *obj)
{
  return obj && json_array_append_new(array, obj) == 0;
}

/* The detailed rows of category row cat (sorted as det is) as a new array; NULL on allocation failure. */
static json_t *s_detailed(const s_table *det, const s_row *cat)
{
  json_t *list = json_array();
  for(size_t i = 0; list && i < det->n; i++) {
    const s_row *d = &det->rows[i];
    if(strcmp(d->currency, cat->currency) || strcmp(d->parent, cat->name))
      continue;
    if(!s_append(list, json_pack("{s:s, s:o, s:I}", "category_detailed", d->name, "expenses", money_json(d->expenses),
                                 "transactions", (json_int_t)d->transactions))) {
      json_decref(list);
      list = NULL;
    }
  }
  return list;
}

/* A new JSON string of the first cap bytes of text at most (a fixed-size budget field). */
static json_t *s_field(const char *text, size_t cap)
{
  return json_stringn(text, strnlen(text, cap));
}

mynt_status finance_summary(const json_t *txns, const char *start_date, const char *end_date,
                            const finance_budget *budgets, size_t n_budgets, json_t **out)
{
  *out = NULL;
  int n_months = finance_months_touched(start_date, end_date);
  if(n_months <= 0)
    return MYNT_BAD_REQUEST;
  int start_year = 0, start_month = 0, start_day;
  date_parse(start_date, &start_year, &start_month, &start_day);
  for(size_t i = 0; i < n_budgets; i++) {
    int64_t limit;
    if(budgets[i].monthly_limit_cents < 1 || budgets[i].monthly_limit_cents > MONEY_CENTS_MAX ||
       __builtin_mul_overflow(budgets[i].monthly_limit_cents, (int64_t)n_months, &limit))
      return MYNT_BAD_REQUEST;
  }

  mynt_status st = MYNT_NOMEM;
  s_table totals, categories, detailed, accounts, merchants;
  s_month *months = NULL;
  const finance_budget **order = NULL;
  json_t *result = NULL;
  bool tables = s_table_init(&totals);
  tables = s_table_init(&categories) && tables;
  tables = s_table_init(&detailed) && tables;
  tables = s_table_init(&accounts) && tables;
  tables = s_table_init(&merchants) && tables;
  if(!tables)
    goto cleanup;

  size_t n = json_is_array(txns) ? json_array_size(txns) : 0;
  s_txn t;
  s_row *row;
  /* First the currencies, sorted, so that every month can be filled for each of them. */
  for(size_t i = 0; i < n; i++)
    if(s_txn_read(json_array_get(txns, i), start_date, end_date, &t) &&
       (st = s_table_row(&totals, t.currency, "", "", &row)))
      goto cleanup;
  s_table_sort(&totals, s_by_currency);
  st = MYNT_NOMEM;
  months = calloc(totals.n ? totals.n * (size_t)n_months : 1, sizeof *months);
  if(!months)
    goto cleanup;

  /* Then the sums. Every amount is within ±MONEY_CENTS_MAX (10^14 cents), so up to 92,233 txns
   * can be added in one int64 without overflow; a five-bank, 24-month history holds a few thousand. */
  for(size_t i = 0; i < n; i++) {
    if(!s_txn_read(json_array_get(txns, i), start_date, end_date, &t))
      continue;
    s_row key = {0};
    snprintf(key.currency, sizeof key.currency, "%s", t.currency);
    s_row *total = bsearch(&key, totals.rows, totals.n, sizeof *totals.rows, s_by_currency);
    bool expense = !strcmp(t.flow, "expense");
    if(t.pending) {
      if(expense)
        total->pending_expenses += t.cents;
      continue;
    }
    total->transactions++;
    s_row_add(total, t.flow, t.cents);
    size_t m = (size_t)((t.year * 12 + t.month) - (start_year * 12 + start_month));
    s_month *month = &months[(size_t)(total - totals.rows) * (size_t)n_months + m];
    if(!strcmp(t.flow, "income"))
      month->income -= t.cents;
    else if(expense)
      month->expenses += t.cents;
    if(t.account_id) {
      if((st = s_table_row(&accounts, t.currency, "", t.account_id, &row)))
        goto cleanup;
      s_row_add(row, t.flow, t.cents);
    }
    if(!expense)
      continue;
    const char *category = t.category ? t.category : FINANCE_UNCATEGORIZED;
    if((st = s_table_row(&categories, t.currency, "", category, &row)))
      goto cleanup;
    row->expenses += t.cents;
    row->transactions++;
    if((st = s_table_row(&detailed, t.currency, category, t.detailed ? t.detailed : category, &row)))
      goto cleanup;
    row->expenses += t.cents;
    row->transactions++;
    if(t.merchant) {
      if((st = s_table_row(&merchants, t.currency, "", t.merchant, &row)))
        goto cleanup;
      row->expenses += t.cents;
      row->transactions++;
    }
  }
  s_table_sort(&categories, s_by_expenses);
  s_table_sort(&detailed, s_by_expenses);
  s_table_sort(&accounts, s_by_name);
  s_table_sort(&merchants, s_by_currency_then_expenses);

  st = MYNT_NOMEM;
  result = json_pack("{s:s, s:s, s:[], s:[], s:[], s:[], s:[], s:[]}", "start_date", start_date, "end_date", end_date,
                     "totals", "months", "categories", "accounts", "merchants", "budgets");
  if(!result)
    goto cleanup;
  for(size_t i = 0; i < totals.n; i++) {
    const s_row *r = &totals.rows[i];
    if(!s_append(json_object_get(result, "totals"),
                 json_pack("{s:s, s:o, s:o, s:o, s:o, s:I}", "iso_currency_code", r->currency, "income",
                           money_json(r->income), "expenses", money_json(r->expenses), "net",
                           money_json(r->income - r->expenses), "pending_expenses", money_json(r->pending_expenses),
                           "transactions", (json_int_t)r->transactions)))
      goto cleanup;
  }
  for(int m = 0; m < n_months; m++) {
    char month[16];
    int index = start_month - 1 + m;
    snprintf(month, sizeof month, "%04d-%02d", start_year + index / 12, index % 12 + 1);
    for(size_t c = 0; c < totals.n; c++) {
      const s_month *cell = &months[c * (size_t)n_months + (size_t)m];
      if(!s_append(json_object_get(result, "months"),
                   json_pack("{s:s, s:s, s:o, s:o, s:o}", "month", month, "iso_currency_code", totals.rows[c].currency,
                             "income", money_json(cell->income), "expenses", money_json(cell->expenses), "net",
                             money_json(cell->income - cell->expenses))))
        goto cleanup;
    }
  }
  for(size_t i = 0; i < categories.n; i++) {
    const s_row *r = &categories.rows[i];
    if(!s_append(json_object_get(result, "categories"),
                 json_pack("{s:s, s:s, s:o, s:I, s:o}", "category", r->name, "iso_currency_code", r->currency,
                           "expenses", money_json(r->expenses), "transactions", (json_int_t)r->transactions, "detailed",
                           s_detailed(&detailed, r))))
      goto cleanup;
  }
  for(size_t i = 0; i < accounts.n; i++) {
    const s_row *r = &accounts.rows[i];
    if(!s_append(json_object_get(result, "accounts"),
                 json_pack("{s:s, s:s, s:o, s:o}", "account_id", r->name, "iso_currency_code", r->currency, "income",
                           money_json(r->income), "expenses", money_json(r->expenses))))
      goto cleanup;
  }
  size_t listed = 0;
  for(size_t i = 0; i < merchants.n; i++) {
    const s_row *r = &merchants.rows[i];
    listed = i > 0 && !strcmp(r->currency, merchants.rows[i - 1].currency) ? listed + 1 : 0;
    if(listed >= S_MERCHANTS_PER_CURRENCY)
      continue;
    if(!s_append(json_object_get(result, "merchants"),
                 json_pack("{s:s, s:s, s:o, s:I}", "name", r->name, "iso_currency_code", r->currency, "expenses",
                           money_json(r->expenses), "transactions", (json_int_t)r->transactions)))
      goto cleanup;
  }
  order = malloc((n_budgets ? n_budgets : 1) * sizeof *order);
  if(!order)
    goto cleanup;
  for(size_t i = 0; i < n_budgets; i++)
    order[i] = &budgets[i];
  if(n_budgets > 1)
    qsort(order, n_budgets, sizeof *order, s_budget_order);
  for(size_t i = 0; i < n_budgets; i++) {
    const finance_budget *b = order[i];
    char category[sizeof b->category + 1], currency[sizeof b->iso_currency_code + 1];
    snprintf(category, sizeof category, "%.*s", (int)sizeof b->category, b->category);
    snprintf(currency, sizeof currency, "%.*s", (int)sizeof b->iso_currency_code, b->iso_currency_code);
    const s_row *spent_row = s_table_find(&categories, currency, category);
    int64_t spent = spent_row ? spent_row->expenses : 0;
    int64_t limit = b->monthly_limit_cents * n_months; /* checked above */
    if(!s_append(json_object_get(result, "budgets"),
                 json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "category", s_field(category, sizeof category),
                           "iso_currency_code", s_field(currency, sizeof currency), "monthly_limit",
                           money_json(b->monthly_limit_cents), "limit_for_period", money_json(limit), "spent",
                           money_json(spent), "remaining", money_json(limit - spent), "percent",
                           (json_int_t)s_percent(spent, limit))))
      goto cleanup;
  }
  *out = result;
  result = NULL;
  st = MYNT_OK;

cleanup:
  json_decref(result);
  free(order);
  free(months);
  s_table_free(&totals);
  s_table_free(&categories);
  s_table_free(&detailed);
  s_table_free(&accounts);
  s_table_free(&merchants);
  return st;
}
