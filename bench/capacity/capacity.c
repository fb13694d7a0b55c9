/* capacity.c - DynamoDB capacity of Mynt's transaction history, month buckets vs one record per transaction (make bench). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws/dynamodb.h"
#include "core/b64.h"
#include "core/buf.h"
#include "core/date.h"
#include "crypto/seal.h"
#include "finance/category.h"
#include "handlers/transactions_view.h"
#include "local/plaid_sim/plaid_data.h"
#include "store/history.h"

/* A user with five banks of the simulator, each with its 24 months, as of one fixed day (so the
 * figures in docs/cost.md can be reproduced; another day may be given as argv[1]). */
#define S_BANKS         5
#define S_DEFAULT_TODAY "2026-11-15"
#define S_USER          "3f1c2a9e-5b7d-4e21-9c0a-8d6b1e2f4a57" /* a Cognito sub is a UUID */
#define S_KEYRING       "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
#define S_RECENT        100
#define S_ITEMS_READ    S_BANKS /* store_history_read's pages follow the number of items */
#define S_BUDGETS       5       /* budgets of the user, for GET /summary's budget Query */

static const char *const s_institutions[S_BANKS] = {"ins_109508", "ins_109509", "ins_109510", "ins_109511",
                                                    "ins_109512"};

/* One stored item of the bucket design or one record of the per-transaction design. */
typedef struct {
  char sk[192];
  char month[8];
  size_t bytes;
  size_t txns;
} s_record;

typedef struct {
  s_record *v;
  size_t n, cap;
} s_records;

static void s_push(s_records *rs, const char *sk, const char *month, size_t bytes, size_t txns)
{
  if(rs->n == rs->cap) {
    rs->cap = rs->cap ? rs->cap * 2 : 256;
    rs->v = realloc(rs->v, rs->cap * sizeof(*rs->v));
    if(!rs->v) {
      fprintf(stderr, "capacity: out of memory\n");
      exit(1);
    }
  }
  s_record *r = &rs->v[rs->n++];
  snprintf(r->sk, sizeof(r->sk), "%s", sk);
  snprintf(r->month, sizeof(r->month), "%s", month);
  r->bytes = bytes;
  r->txns = txns;
}

/* Sort keys descending: the order of a Query with ScanIndexForward false. */
static int s_sk_desc(const void *a, const void *b)
{
  return strcmp(((const s_record *)b)->sk, ((const s_record *)a)->sk);
}

/* A simulator transaction in the store's shape (what the sync keeps). */
static json_t *s_stored(const plaid_data_item *item, const plaid_data_txn *t)
{
  char date[11];
  char authorized[11];
  date_format(t->date, date);
  date_format(t->authorized_date, authorized);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:I, s:s, s:b, s:s?, s:s, s:s, s:s, s:s}", "transaction_id",
                   t->transaction_id, "account_id", item->accounts[t->account].account_id, "date", date,
                   "authorized_date", authorized, "name", t->name, "merchant_name", t->merchant_name, "amount_cents",
                   (json_int_t)t->amount_cents, "iso_currency_code", "USD", "pending", t->pending,
                   "pending_transaction_id", t->pending_transaction_id[0] ? t->pending_transaction_id : NULL,
                   "category", t->pfc_primary, "category_detailed", t->pfc_detailed, "payment_channel",
                   t->payment_channel, "flow", finance_flow(t->pfc_primary));
}

/* The size of the bucket record of item_id's month holding txns. */
static size_t s_bucket_bytes(const char *item_id, const char *month, const json_t *txns, size_t *out_z)
{
  unsigned char *z = NULL;
  size_t z_len = 0;
  if(store_history_encode(txns, &z, &z_len)) {
    fprintf(stderr, "capacity: encoding failed\n");
    exit(1);
  }
  mynt_buf text;
  buf_init(&text, 1u << 22);
  b64_std_encode_buf(z, z_len, &text);
  char sk[192];
  char n[32];
  snprintf(sk, sizeof(sk), "TXN#%s#%s", month, item_id);
  snprintf(n, sizeof(n), "%zu", json_array_size(txns));
  json_t *item =
    json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}", "user_id", "S", S_USER, "sk", "S", sk,
              "item_id", "S", item_id, "month", "S", month, "n", "N", n, "v", "N", "1", "z", "B", buf_cstr(&text));
  size_t bytes = store_history_item_bytes(item);
  json_decref(item);
  buf_free(&text);
  free(z);
  *out_z = z_len;
  return bytes;
}

/* The size of one transaction as its own record: key + item_id + the stored fields as attributes. */
static size_t s_txn_record_bytes(const char *item_id, const json_t *stored, char *out_sk, size_t cap)
{
  json_t *plain = json_deep_copy(stored);
  snprintf(out_sk, cap, "TXN#%s#%s", json_string_value(json_object_get(stored, "date")),
           json_string_value(json_object_get(stored, "transaction_id")));
  json_object_set_new(plain, "user_id", json_string(S_USER));
  json_object_set_new(plain, "sk", json_string(out_sk));
  json_object_set_new(plain, "item_id", json_string(item_id));
  json_t *item = ddb_marshal_item(plain);
  size_t bytes = store_history_item_bytes(item);
  json_decref(item);
  json_decref(plain);
  return bytes;
}

/* The size of an ITEM# record with its accounts, balances, sync state and months (both designs). */
static size_t s_item_record_bytes(const seal_keyring *ring, const plaid_data_item *data, const char *item_id,
                                  const json_t *months)
{
  char *sealed = NULL;
  seal_seal(ring, S_USER, item_id, "access-production-8b2f0c1e-1d3a-4c5e-9f7a-2b6c8d0e1f23", 55, &sealed);
  json_t *accounts = json_array();
  for(int a = 0; a < PLAID_DATA_ACCOUNT_COUNT; a++) {
    const plaid_data_account *acc = &data->accounts[a];
    json_array_append_new(
      accounts,
      json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:f, s:f, s:o, s:s}}", "account_id", acc->account_id, "name", acc->name,
                "mask", acc->mask, "type", acc->type, "subtype", acc->subtype, "balances", "available",
                acc->available_cents / 100.0, "current", acc->current_cents / 100.0, "limit",
                acc->limit_cents < 0 ? json_null() : json_real(acc->limit_cents / 100.0), "iso_currency_code", "USD"));
  }
  char sk[192];
  snprintf(sk, sizeof(sk), "ITEM#%s", item_id);
  json_t *plain = json_pack(
    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:s, s:{s:s, s:s, s:b, s:b, s:I}, s:O}", "user_id", S_USER,
    "sk", sk, "item_id", item_id, "institution_id", data->institution->institution_id, "institution_name",
    data->institution->name, "status", "active", "created_at", "2024-11-15T10:00:00Z", "access_token_sealed",
    sealed ? sealed : "", "public_token_sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "accounts", accounts, "new_accounts_available", 0, "balances_as_of", "2026-11-15T06:00:00Z", "sync", "cursor",
    "CAESJTdlNjk4ZDM0LWE3YjEtNGY2Zi1iMTRjLTk2YjNkYjQ1YzE0ZiIMCOzqr7oGEKD7uLIDKgwIrOuvugYQ8IH3sQM=", "last_synced_at",
    "2026-11-15T06:00:00Z", "initial_complete", 1, "history_complete", 1, "requested_at_ms", (json_int_t)1794729600000,
    "months", months);
  json_t *item = ddb_marshal_item(plain);
  size_t bytes = store_history_item_bytes(item);
  json_decref(item);
  json_decref(plain);
  free(sealed);
  return bytes;
}

/* The size of a user's S_BUDGETS budget records (store/budgets.h: BUDGET#<CATEGORY>), the
 * Query of GET /summary and GET /budgets reads them all. */
static size_t s_budget_records_bytes(void)
{
  static const char *const categories[S_BUDGETS] = {"ENTERTAINMENT", "FOOD_AND_DRINK", "GENERAL_MERCHANDISE",
                                                    "RENT_AND_UTILITIES", "TRANSPORTATION"};
  size_t total = 0;
  for(int i = 0; i < S_BUDGETS; i++) {
    char sk[64];
    snprintf(sk, sizeof(sk), "BUDGET#%s", categories[i]);
    json_t *item = json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}", "user_id", "S", S_USER, "sk",
                             "S", sk, "category", "S", categories[i], "monthly_limit_cents", "N", "125000",
                             "iso_currency_code", "S", "USD", "updated_at", "S", "2026-11-01T10:00:00Z");
    total += store_history_item_bytes(item);
    json_decref(item);
  }
  return total;
}

/* Read units of a Query reading records[from..to) (sorted descending) in pages of page records
 * (0 = pages of 1 MB), eventually consistent, until stop says so at a record boundary (the rest
 * of that page is still charged: DynamoDB read it). Returns the units; *out_read says how many
 * records the reader used. */
typedef bool (*s_stop_fn)(const s_record *v, size_t from, size_t at, void *arg);

/* The Limit of page pages of a Query over items items (0 = none, 1 MB pages). */
static size_t s_page_limit(size_t items, unsigned pages)
{
  return items ? store_history_page_limit(items, pages) : 0;
}

static double s_query_units(const s_records *rs, size_t from, size_t to, size_t page, s_stop_fn stop, void *arg,
                            size_t *out_read)
{
  double units = 0;
  size_t page_bytes = 0;
  size_t in_page = 0;
  unsigned pages = 0;
  size_t at = from;
  for(; at < to; at++) {
    if(stop && stop(rs->v, from, at, arg)) {
      /* The rest of this page was read (and charged) before the reader saw enough. */
      for(size_t rest = at; page && in_page && in_page < s_page_limit(page, pages) && rest < to; rest++, in_page++)
        page_bytes += rs->v[rest].bytes;
      break;
    }
    page_bytes += rs->v[at].bytes;
    in_page++;
    if((page && in_page == s_page_limit(page, pages)) || page_bytes >= 1048576) {
      pages++;
      units += store_history_read_units(page_bytes, true);
      page_bytes = 0;
      in_page = 0;
    }
  }
  if(in_page)
    units += store_history_read_units(page_bytes, true);
  *out_read = at - from;
  return units;
}

/* Stops a bucket read at the first month boundary once want transactions were gathered. */
static bool s_stop_buckets(const s_record *v, size_t from, size_t at, void *arg)
{
  size_t want = *(const size_t *)arg;
  size_t gathered = 0;
  for(size_t i = from; i < at; i++)
    gathered += v[i].txns;
  return at > from && gathered >= want && strcmp(v[at].month, v[at - 1].month) != 0;
}

/* The range [first, last] of records whose month is between lo and hi (descending order). */
static void s_month_range(const s_records *rs, const char *lo, const char *hi, size_t *out_first, size_t *out_last)
{
  *out_first = rs->n;
  *out_last = rs->n;
  for(size_t i = 0; i < rs->n; i++) {
    if(strcmp(rs->v[i].month, hi) <= 0 && strcmp(rs->v[i].month, lo) >= 0) {
      if(*out_first == rs->n)
        *out_first = i;
      *out_last = i + 1;
    }
  }
  if(*out_first == rs->n)
    *out_last = rs->n;
}

int main(int argc, char **argv)
{
  const char *today_text = argc > 1 ? argv[1] : S_DEFAULT_TODAY;
  int32_t today = 0;
  if(plaid_data_date_parse(today_text, &today)) {
    fprintf(stderr, "usage: mynt_capacity [YYYY-MM-DD]\n");
    return 2;
  }
  seal_keyring *ring = NULL;
  if(seal_keyring_parse(S_KEYRING, &ring, NULL))
    return 1;

  s_records buckets = {0};
  s_records rows = {0};
  size_t item_bytes_total = 0;
  size_t txns_total = 0;
  size_t json_total = 0;
  size_t z_total = 0;
  int64_t bucket_wcu = 0;
  int64_t row_wcu = 0;
  for(int b = 0; b < S_BANKS; b++) {
    plaid_data_item data;
    if(plaid_data_generate(s_institutions[b], (uint64_t)(b + 1), today, &data)) {
      fprintf(stderr, "capacity: the simulator knows no %s\n", s_institutions[b]);
      return 1;
    }
    char item_id[64];
    snprintf(item_id, sizeof(item_id), "%.37s", data.accounts[0].account_id);
    item_id[0] = 'I'; /* an item id of Plaid's length, distinct from its accounts' */
    json_t *months = json_object();
    json_t *month_txns = json_array();
    char month[8] = "";
    for(size_t i = 0; i <= data.txn_count; i++) {
      json_t *stored = i < data.txn_count ? s_stored(&data, &data.txns[i]) : NULL;
      char date_month[8] = "";
      if(stored)
        snprintf(date_month, sizeof(date_month), "%.7s", json_string_value(json_object_get(stored, "date")));
      if(month[0] && (!stored || strcmp(date_month, month) != 0)) {
        size_t z_len = 0;
        size_t bytes = s_bucket_bytes(item_id, month, month_txns, &z_len);
        char *text = json_dumps(month_txns, JSON_COMPACT);
        json_total += strlen(text);
        free(text);
        z_total += z_len;
        char sk[192];
        snprintf(sk, sizeof(sk), "TXN#%s#%s", month, item_id);
        s_push(&buckets, sk, month, bytes, json_array_size(month_txns));
        bucket_wcu += store_history_write_units(bytes, false);
        json_object_set_new(months, month, json_integer((json_int_t)json_array_size(month_txns)));
        json_array_clear(month_txns);
      }
      if(!stored)
        break;
      memcpy(month, date_month, sizeof(month));
      char sk[192];
      size_t bytes = s_txn_record_bytes(item_id, stored, sk, sizeof(sk));
      s_push(&rows, sk, month, bytes, 1);
      row_wcu += store_history_write_units(bytes, false);
      json_array_append_new(month_txns, stored);
      txns_total++;
    }
    item_bytes_total += s_item_record_bytes(ring, &data, item_id, months);
    json_decref(months);
    json_decref(month_txns);
    plaid_data_item_free(&data);
  }
  qsort(buckets.v, buckets.n, sizeof(*buckets.v), s_sk_desc);
  qsort(rows.v, rows.n, sizeof(*rows.v), s_sk_desc);

  size_t bucket_bytes = 0;
  size_t row_bytes = 0;
  size_t bucket_max = 0;
  for(size_t i = 0; i < buckets.n; i++) {
    bucket_bytes += buckets.v[i].bytes;
    bucket_max = buckets.v[i].bytes > bucket_max ? buckets.v[i].bytes : bucket_max;
  }
  for(size_t i = 0; i < rows.n; i++)
    row_bytes += rows.v[i].bytes;

  /* The dashboard: the items Query (accounts, consistent), the 100 most recent, the current month. */
  double items_rcu = store_history_read_units(item_bytes_total, false);
  size_t want = S_RECENT;
  size_t read = 0;
  double recent_buckets = s_query_units(&buckets, 0, buckets.n, S_ITEMS_READ, s_stop_buckets, &want, &read);
  size_t recent_bucket_records = read;
  size_t page100 = S_RECENT;
  double recent_rows = s_query_units(&rows, 0, page100 < rows.n ? page100 : rows.n, 0, NULL, NULL, &read);
  char current[8];
  snprintf(current, sizeof(current), "%.7s", today_text);
  size_t first = 0;
  size_t last = 0;
  s_month_range(&buckets, current, current, &first, &last);
  double month_buckets = s_query_units(&buckets, first, last, S_ITEMS_READ, NULL, NULL, &read);
  s_month_range(&rows, current, current, &first, &last);
  double month_rows = s_query_units(&rows, first, last, 0, NULL, NULL, &read);
  size_t month_txns = read;

  /* A 12-month range: the current month and the 11 before it. */
  char start_day[11];
  date_months_before(today_text, 11, start_day);
  char start[8];
  snprintf(start, sizeof(start), "%.7s", start_day);
  s_month_range(&buckets, start, current, &first, &last);
  double year_buckets = s_query_units(&buckets, first, last, S_ITEMS_READ, NULL, NULL, &read);
  size_t year_bucket_records = read;
  s_month_range(&rows, start, current, &first, &last);
  double year_rows = s_query_units(&rows, first, last, 0, NULL, NULL, &read);
  size_t year_txns = read;

  /* GET /transactions over those 12 months: its first page (the newest 100, then the range's first
   * month read on its own for the exact total) and its last page (every month read), against
   * GET /summary over them: the items Query, the budgets Query (consistent) and the range read
   * once, whole. */
  s_month_range(&buckets, start, current, &first, &last);
  double year_page_buckets = s_query_units(&buckets, first, last, S_ITEMS_READ, s_stop_buckets, &want, &read);
  s_month_range(&buckets, start, start, &first, &last);
  year_page_buckets += s_query_units(&buckets, first, last, S_ITEMS_READ, NULL, NULL, &read);
  s_month_range(&rows, start, current, &first, &last);
  double year_page_rows =
    s_query_units(&rows, first, first + page100 < last ? first + page100 : last, 0, NULL, NULL, &read);
  s_month_range(&rows, start, start, &first, &last);
  year_page_rows += s_query_units(&rows, first, last, 0, NULL, NULL, &read);
  double budgets_rcu = store_history_read_units(s_budget_records_bytes(), false);

  printf("Mynt transaction history capacity (DynamoDB sizing rules; moto reports no real figures)\n");
  printf("user with %d banks of the simulator, 24 months as of %s: %zu transactions\n", S_BANKS, today_text,
         txns_total);
  printf("  stored JSON %zu bytes, zlib %zu bytes (%.1fx); %zu buckets, largest %zu bytes (limit 400 KB)\n", json_total,
         z_total, z_total ? (double)json_total / (double)z_total : 0.0, buckets.n, bucket_max);
  printf("\n%-44s %14s %14s\n", "", "month buckets", "per txn");
  printf("%-44s %14zu %14zu\n", "records", buckets.n, rows.n);
  printf("%-44s %14zu %14zu\n", "bytes stored", bucket_bytes, row_bytes);
  printf("%-44s %14lld %14lld\n", "WCU to store the initial history", (long long)bucket_wcu, (long long)row_wcu);
  printf("%-44s %14.1f %14.1f\n", "  seconds of the free 25 WCU", (double)bucket_wcu / 25.0, (double)row_wcu / 25.0);
  printf("%-44s %14.1f %14.1f\n", "RCU dashboard: items (accounts, consistent)", items_rcu, items_rcu);
  printf("%-44s %14.1f %14.1f\n", "RCU dashboard: 100 most recent", recent_buckets, recent_rows);
  printf("%-44s %14.1f %14.1f\n", "RCU dashboard: current month", month_buckets, month_rows);
  printf("%-44s %14.1f %14.1f\n", "RCU dashboard load (sum)", items_rcu + recent_buckets + month_buckets,
         items_rcu + recent_rows + month_rows);
  printf("%-44s %14.1f %14.1f\n", "RCU 12-month range", year_buckets, year_rows);
  printf("%-44s %14.1f %14.1f\n", "RCU GET /transactions 12 months, first 100", items_rcu + year_page_buckets,
         items_rcu + year_page_rows);
  printf("%-44s %14.1f %14.1f\n", "RCU GET /transactions 12 months, last 100", items_rcu + year_buckets,
         items_rcu + year_rows);
  printf("%-44s %14.1f %14.1f\n", "RCU GET /summary 12 months (range read once)",
         items_rcu + budgets_rcu + year_buckets, items_rcu + budgets_rcu + year_rows);
  printf("\n(100 most recent: %zu buckets read; current month: %zu transactions; 12 months: %zu buckets, %zu "
         "transactions; eventually consistent reads; bucket Query pages of %zu, then doubling;\n"
         " GET /transactions and /summary add the items Query, /summary its %d budgets' Query: %.1f, consistent)\n",
         recent_bucket_records, month_txns, year_bucket_records, year_txns, store_history_page_limit(S_BANKS, 0),
         S_BUDGETS, budgets_rcu);
  free(buckets.v);
  free(rows.v);
  seal_keyring_free(ring);
  return 0;
}
