/* capacity.c - DynamoDB capacity of Mynt's transaction history, month buckets vs one record per transaction, and the
 * CPU time of GET /transactions' merge of five banks' buckets (make bench). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "aws/dynamodb.h"
#include "core/b64.h"
#include "core/buf.h"
#include "core/date.h"
#include "crypto/seal.h"
#include "finance/category.h"
#include "handlers/transactions_query.h"
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

/* How many times each CPU measure is taken (the median is printed). */
#define S_CPU_RUNS 201

/* Every bucket record in DynamoDB's wire shape (what a Query answers), for the merge's CPU measure. */
static json_t *s_wire;

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
  if(json_array_append_new(s_wire, item)) {
    fprintf(stderr, "capacity: out of memory\n");
    exit(1);
  }
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

/* ---- the merge's CPU time ---- */

static const char *s_wire_sk(const json_t *item)
{
  return json_string_value(json_object_get(json_object_get(item, "sk"), "S"));
}

static int s_wire_desc(const void *a, const void *b)
{
  return strcmp(s_wire_sk(*(json_t *const *)b), s_wire_sk(*(json_t *const *)a));
}

static double s_cpu_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int s_double_order(const void *a, const void *b)
{
  double x = *(const double *)a;
  double y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double s_median(double *v, size_t n)
{
  qsort(v, n, sizeof(*v), s_double_order);
  return v[n / 2];
}

/* The Query pages DynamoDB answers for q's months (newest sk first, store_history_page_limit's sizes): an array of
 * arrays of the bucket records (borrowed from s_wire, sorted newest first). */
static json_t *s_query_pages(const store_history_query *q)
{
  char lo[64];
  char hi[64];
  snprintf(lo, sizeof(lo), "TXN#%.7s#", q->start_date);
  snprintf(hi, sizeof(hi), "TXN#%.7s#~", q->end_date);
  json_t *pages = json_array();
  json_t *page = NULL;
  unsigned index = 0;
  size_t i;
  json_t *item;
  json_array_foreach(s_wire, i, item) {
    const char *sk = s_wire_sk(item);
    if(strcmp(sk, lo) < 0 || strcmp(sk, hi) > 0)
      continue;
    if(!page || json_array_size(page) == store_history_page_limit(q->n_item_ids, index - 1)) {
      page = json_array();
      json_array_append_new(pages, page);
      index++;
    }
    json_array_append(page, item);
  }
  return pages;
}

/* One merge as store_history_read does it on pages. Returns the transactions gathered; *out_months (if not NULL)
 * gets the months of the buckets it decoded. */
static size_t s_merge(const store_history_query *q, const json_t *pages, json_t *out_months)
{
  store_history_merge *g = NULL;
  json_t *txns = NULL;
  bool complete = false;
  bool done = false;
  if(store_history_merge_new(q, &g)) {
    fprintf(stderr, "capacity: merge failed\n");
    exit(1);
  }
  size_t i;
  json_t *page;
  json_array_foreach(pages, i, page) {
    if(done || store_history_merge_page(g, page, &done)) {
      if(!done)
        exit(1);
      break;
    }
  }
  if(store_history_merge_end(g, &txns, &complete))
    exit(1);
  store_history_merge_free(g);
  size_t n = json_array_size(txns);
  json_t *txn;
  json_array_foreach(out_months ? txns : NULL, i, txn) {
    char month[8];
    snprintf(month, sizeof(month), "%.7s", json_string_value(json_object_get(txn, "date")));
    json_object_set_new(out_months, month, json_true());
  }
  json_decref(txns);
  return n;
}

/* Decodes (base64, inflate, parse) every bucket of s_wire (newest first) in months (a set of "YYYY-MM"), or counts
 * their dates in start..end when count_only. Returns the transactions seen; when keep is not NULL the decoded buckets
 * are appended to it as [month, item_id, transactions]. */
static size_t s_decode_months(const json_t *months, bool count_only, const char *start, const char *end, json_t *keep)
{
  size_t total = 0;
  size_t i;
  json_t *item;
  json_array_foreach(s_wire, i, item) {
    char month[8];
    snprintf(month, sizeof(month), "%.7s", s_wire_sk(item) + 4);
    if(!json_object_get(months, month))
      continue;
    const json_t *z = json_object_get(json_object_get(item, "z"), "B");
    mynt_buf bytes;
    buf_init(&bytes, 1u << 22);
    size_t n = 0;
    json_t *txns = NULL;
    mynt_status st = b64_std_decode_buf(json_string_value(z), json_string_length(z), &bytes);
    if(!st)
      st = count_only ? store_history_count_dates((const unsigned char *)bytes.ptr, bytes.len, start, end, &n)
                      : store_history_decode((const unsigned char *)bytes.ptr, bytes.len, &txns);
    if(st) {
      fprintf(stderr, "capacity: the bucket %s does not decode: %s\n", s_wire_sk(item), mynt_strerror(st));
      exit(1);
    }
    total += count_only ? n : json_array_size(txns);
    if(keep)
      json_array_append_new(
        keep, json_pack("[s, O, O]", month, json_object_get(json_object_get(item, "item_id"), "S"), txns));
    json_decref(txns);
    buf_free(&bytes);
  }
  return total;
}

/* The merge alone, as store_history_merge_page does it once each bucket is decoded: decoded (s_decode_months' keep, borrowed;
 * its transactions are used up). Returns the transactions gathered. */
static size_t s_merge_decoded(const store_history_query *q, json_t *decoded)
{
  store_history_merge *g = NULL;
  json_t *txns = NULL;
  bool complete = false;
  bool done = false;
  if(store_history_merge_new(q, &g))
    exit(1);
  size_t i;
  json_t *b;
  json_array_foreach(decoded, i, b) {
    if(store_history_merge_bucket(g, json_string_value(json_array_get(b, 0)), json_string_value(json_array_get(b, 1)),
                                  json_incref(json_array_get(b, 2)), &done))
      exit(1);
  }
  if(store_history_merge_end(g, &txns, &complete))
    exit(1);
  store_history_merge_free(g);
  size_t n = json_array_size(txns);
  json_decref(txns);
  return n;
}

/* Prints the median CPU time (CLOCK_PROCESS_CPUTIME_ID) of GET /transactions' default page's store work for the
 * user's five banks: from the Query answers to the 100 newest, the merge alone, and the range's first month counted. */
static void s_merge_cpu(const char *today_text, const char *const *item_ids)
{
  char start[11];
  date_months_before(today_text, TRANSACTIONS_HISTORY_MONTHS, start);
  store_history_query q = {
    .start_date = start, .end_date = today_text, .want = 100, .item_ids = item_ids, .n_item_ids = S_BANKS};
  json_t *pages = s_query_pages(&q);
  json_t *months = json_object();
  size_t gathered = s_merge(&q, pages, months);
  char first_month[8];
  snprintf(first_month, sizeof(first_month), "%.7s", start);
  char first_end[11];
  snprintf(first_end, sizeof(first_end), "%.7s-31", start);
  json_t *first = json_pack("{s:b}", first_month, 1);
  double merge[S_CPU_RUNS], alone[S_CPU_RUNS], count[S_CPU_RUNS], parse_first[S_CPU_RUNS];
  size_t merged = 0;
  size_t in_first = 0;
  size_t parsed_first = 0;
  for(int r = 0; r < S_CPU_RUNS; r++) {
    json_t *decoded = json_array(); /* not timed: the merge alone starts from decoded buckets */
    s_decode_months(months, false, NULL, NULL, decoded);
    double t0 = s_cpu_ms();
    s_merge(&q, pages, NULL);
    double t1 = s_cpu_ms();
    merged = s_merge_decoded(&q, decoded);
    double t2 = s_cpu_ms();
    in_first = s_decode_months(first, true, start, first_end, NULL);
    double t3 = s_cpu_ms();
    parsed_first = s_decode_months(first, false, NULL, NULL, NULL);
    double t4 = s_cpu_ms();
    json_decref(decoded);
    merge[r] = t1 - t0;
    alone[r] = t2 - t1;
    count[r] = t3 - t2;
    parse_first[r] = t4 - t3;
  }
  printf("\nGET /transactions, the 100 newest of %d banks (%s..%s), store CPU per call, median of %d "
         "(CLOCK_PROCESS_CPUTIME_ID):\n",
         S_BANKS, start, today_text, S_CPU_RUNS);
  printf("  %-66s %7.3f ms  (%zu transactions, %zu month(s))\n",
         "Query answers -> the newest, merged (base64, inflate, parse, merge)", s_median(merge, S_CPU_RUNS), gathered,
         json_object_size(months));
  printf("  %-66s %7.3f ms  (%zu transactions)\n", "the merge alone (decoded buckets -> sorted, item_id set)",
         s_median(alone, S_CPU_RUNS), merged);
  printf("  %-66s %7.3f ms  (%zu in range)\n", "the range's first month counted from its dates (store_history_count)",
         s_median(count, S_CPU_RUNS), in_first);
  printf("  %-66s %7.3f ms  (%zu transactions)\n", "  the same buckets decoded whole (the read it replaces)",
         s_median(parse_first, S_CPU_RUNS), parsed_first);
  const char *json_path = getenv("BENCH_MERGE_JSON"); /* make bench: for bench/lambda_bench.py's targets */
  if(json_path && *json_path) {
    json_t *out = json_pack("{s:s, s:s, s:i, s:I, s:f, s:f, s:f, s:f}", "start_date", start, "end_date", today_text,
                            "runs", S_CPU_RUNS, "transactions", (json_int_t)gathered, "from_query_answers_cpu_ms",
                            s_median(merge, S_CPU_RUNS), "merge_alone_cpu_ms", s_median(alone, S_CPU_RUNS),
                            "first_month_count_cpu_ms", s_median(count, S_CPU_RUNS), "first_month_decoded_cpu_ms",
                            s_median(parse_first, S_CPU_RUNS));
    if(!out || json_dump_file(out, json_path, JSON_INDENT(2))) {
      fprintf(stderr, "capacity: cannot write %s\n", json_path);
      exit(1);
    }
    json_decref(out);
  }
  json_decref(first);
  json_decref(months);
  json_decref(pages);
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

  s_wire = json_array();
  char item_ids[S_BANKS][64];
  const char *item_id_list[S_BANKS];
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
    snprintf(item_ids[b], sizeof(item_ids[b]), "%s", item_id);
    item_id_list[b] = item_ids[b];
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
  json_t **wire_v = malloc((json_array_size(s_wire) + 1) * sizeof(*wire_v));
  size_t wire_n = json_array_size(s_wire);
  for(size_t i = 0; wire_v && i < wire_n; i++)
    wire_v[i] = json_incref(json_array_get(s_wire, i));
  if(wire_v)
    qsort(wire_v, wire_n, sizeof(*wire_v), s_wire_desc);
  json_array_clear(s_wire);
  for(size_t i = 0; wire_v && i < wire_n; i++)
    json_array_append_new(s_wire, wire_v[i]);
  free(wire_v);
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
  s_merge_cpu(today_text, item_id_list);
  json_decref(s_wire);
  free(buckets.v);
  free(rows.v);
  seal_keyring_free(ring);
  return 0;
}
