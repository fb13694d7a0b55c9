/* history.c - the TXN# month buckets: encoding, applying a sync batch, range reads, deletion, capacity sizing. */
#include "store/history.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/b64.h"
#include "core/backoff.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/json.h"
#include "core/logger.h"
#include "store/items.h"
#include "store/users.h"

#define S_TXN_PREFIX  "TXN#"
#define S_BATCH_GET   100 /* BatchGetItem's most keys */
#define S_BATCH_WRITE 25  /* BatchWriteItem's most requests */
#define S_SEARCH_STEP 6   /* months read per round while looking for removed transactions */
#define S_PAGE_MAX    100 /* buckets per Query page of store_history_read (100 x ~8 KB, under 1 MB) */
#define S_SK_MAX      (sizeof(S_TXN_PREFIX) + 8 + STORE_ITEM_ID_MAX + 1)

/* ---- encoding ---- */

mynt_status store_history_encode(const json_t *txns, unsigned char **out, size_t *out_len)
{
  *out = NULL;
  *out_len = 0;
  if(!json_is_array(txns))
    return MYNT_BAD_REQUEST;
  char *text = json_dumps(txns, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if(!text)
    return MYNT_NOMEM;
  mynt_status st = MYNT_OK;
  size_t len = strlen(text);
  uLongf z_len = compressBound((uLong)len);
  unsigned char *z = NULL;
  if(len > STORE_HISTORY_BUCKET_JSON_MAX) {
    st = MYNT_TOO_LARGE;
    goto cleanup;
  }
  z = malloc(z_len);
  if(!z) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  if(compress2(z, &z_len, (const Bytef *)text, (uLong)len, Z_BEST_COMPRESSION) != Z_OK) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  *out = z;
  *out_len = z_len;
  z = NULL;

cleanup:
  free(z);
  free(text);
  return st;
}

/* Inflates z[0..len) into text (buf_init'ed by the caller, capped at STORE_HISTORY_BUCKET_JSON_MAX). Returns MYNT_OK,
 * MYNT_PARSE for bytes that are not one whole zlib stream, MYNT_TOO_LARGE past the cap, MYNT_NOMEM. */
static mynt_status s_inflate(const unsigned char *z, size_t len, mynt_buf *text)
{
  mynt_status st = MYNT_OK;
  z_stream zs;
  memset(&zs, 0, sizeof(zs));
  if(inflateInit(&zs) != Z_OK)
    return MYNT_NOMEM;
  zs.next_in = (Bytef *)z;
  zs.avail_in = (uInt)len;
  unsigned char chunk[16384];
  int zr = Z_OK;
  while(zr != Z_STREAM_END) {
    zs.next_out = chunk;
    zs.avail_out = sizeof(chunk);
    zr = inflate(&zs, Z_NO_FLUSH);
    if(zr != Z_OK && zr != Z_STREAM_END) {
      st = zr == Z_MEM_ERROR ? MYNT_NOMEM : MYNT_PARSE;
      goto cleanup;
    }
    size_t produced = sizeof(chunk) - zs.avail_out;
    if(zr == Z_OK && produced == 0 && zs.avail_in == 0) {
      st = MYNT_PARSE; /* truncated */
      goto cleanup;
    }
    st = buf_append(text, chunk, produced);
    if(st)
      goto cleanup;
  }
  if(zs.avail_in != 0)
    st = MYNT_PARSE;

cleanup:
  inflateEnd(&zs);
  return st;
}

mynt_status store_history_decode(const unsigned char *z, size_t len, json_t **out_txns)
{
  *out_txns = NULL;
  mynt_buf text;
  buf_init(&text, STORE_HISTORY_BUCKET_JSON_MAX);
  mynt_status st = s_inflate(z, len, &text);
  if(!st) {
    json_t *txns = json_loadb(text.ptr ? text.ptr : "", text.len, JSON_REJECT_DUPLICATES, NULL);
    if(json_is_array(txns))
      *out_txns = txns;
    else {
      json_decref(txns);
      st = MYNT_PARSE;
    }
  }
  buf_free(&text);
  return st;
}

/* The key and the opening quote of a stored transaction's date as store_history_encode writes it (JSON_COMPACT).
 * Inside a JSON string every '"' is escaped, and the encoder's only keys ending in "date" are "date" and
 * "authorized_date" (whose "_" precedes "date"), so in a bucket's text this occurs once per transaction. */
#define S_DATE_KEY     "\"date\":\""
#define S_DATE_KEY_LEN (sizeof(S_DATE_KEY) - 1)

mynt_status store_history_count_dates(const unsigned char *z, size_t len, const char *start_date, const char *end_date,
                                      size_t *out_count)
{
  *out_count = 0;
  mynt_buf text;
  buf_init(&text, STORE_HISTORY_BUCKET_JSON_MAX);
  mynt_status st = s_inflate(z, len, &text);
  const char *p = text.ptr;
  const char *end = text.ptr ? text.ptr + text.len : NULL;
  if(!st && (!p || text.len < 2 || p[0] != '[' || end[-1] != ']'))
    st = MYNT_PARSE; /* not the array store_history_encode writes */
  size_t count = 0;
  while(!st && (size_t)(end - p) > S_DATE_KEY_LEN + 10) {
    const char *hit = memmem(p, (size_t)(end - p), S_DATE_KEY, S_DATE_KEY_LEN);
    if(!hit)
      break;
    const char *date = hit + S_DATE_KEY_LEN;
    if((size_t)(end - date) < 11 || date[10] != '"') {
      st = MYNT_PARSE;
      break;
    }
    if(strncmp(date, start_date, 10) >= 0 && strncmp(date, end_date, 10) <= 0)
      count++;
    p = date + 11;
  }
  buf_free(&text);
  if(!st)
    *out_count = count;
  return st;
}

/* ---- sizing ---- */

/* The size DynamoDB counts for a number written as text. */
static size_t s_number_bytes(const char *text)
{
  size_t digits = 0;
  size_t trailing = 0;
  int leading = 1;
  for(const char *p = text; p && *p && *p != 'e' && *p != 'E'; p++) {
    if(*p < '0' || *p > '9')
      continue;
    if(leading && *p == '0')
      continue;
    leading = 0;
    digits++;
    trailing = *p == '0' ? trailing + 1 : 0;
  }
  digits -= trailing;
  return (digits + 1) / 2 + 1;
}

static size_t s_value_bytes(const json_t *av);

/* The elements' share of an M or L value. */
static size_t s_container_bytes(const json_t *v)
{
  size_t bytes = 3;
  size_t i;
  const char *key;
  json_t *element;
  if(json_is_array(v)) {
    json_array_foreach(v, i, element)
      bytes += 1 + s_value_bytes(element);
  }
  else {
    json_object_foreach((json_t *)v, key, element)
      bytes += 1 + strlen(key) + s_value_bytes(element);
  }
  return bytes;
}

static size_t s_value_bytes(const json_t *av)
{
  if(!json_is_object(av) || json_object_size(av) != 1)
    return 0;
  const char *type = json_object_iter_key(json_object_iter((json_t *)av));
  const json_t *v = json_object_iter_value(json_object_iter((json_t *)av));
  size_t bytes = 0;
  size_t i;
  json_t *element;
  if(strcmp(type, "S") == 0)
    return json_string_length(v);
  if(strcmp(type, "N") == 0)
    return s_number_bytes(json_string_value(v));
  if(strcmp(type, "B") == 0) {
    size_t raw = 0;
    b64_std_check(json_string_value(v), json_string_length(v), &raw);
    return raw;
  }
  if(strcmp(type, "BOOL") == 0 || strcmp(type, "NULL") == 0)
    return 1;
  if(strcmp(type, "M") == 0 || strcmp(type, "L") == 0)
    return s_container_bytes(v);
  if(strcmp(type, "SS") == 0) {
    json_array_foreach(v, i, element)
      bytes += json_string_length(element);
  }
  else if(strcmp(type, "NS") == 0) {
    json_array_foreach(v, i, element)
      bytes += s_number_bytes(json_string_value(element));
  }
  else if(strcmp(type, "BS") == 0) {
    json_array_foreach(v, i, element) {
      size_t raw = 0;
      b64_std_check(json_string_value(element), json_string_length(element), &raw);
      bytes += raw;
    }
  }
  return bytes;
}

size_t store_history_item_bytes(const json_t *attribute_map)
{
  size_t bytes = 0;
  const char *name;
  json_t *av;
  if(!json_is_object(attribute_map))
    return 0;
  json_object_foreach((json_t *)attribute_map, name, av)
    bytes += strlen(name) + s_value_bytes(av);
  return bytes;
}

int64_t store_history_write_units(size_t item_bytes, bool transactional)
{
  int64_t units = (int64_t)((item_bytes + 1023) / 1024);
  if(units < 1)
    units = 1;
  return transactional ? 2 * units : units;
}

double store_history_read_units(size_t bytes, bool eventually_consistent)
{
  double units = (double)((bytes + 4095) / 4096);
  if(units < 1)
    units = 1;
  return eventually_consistent ? units / 2 : units;
}

/* ---- keys and months ---- */

/* Writes the "YYYY-MM" of a valid "YYYY-MM-DD" into out. Returns false for an invalid date. */
static bool s_month_of(const char *date, char out[8])
{
  int y, m, d;
  if(date_parse(date, &y, &m, &d))
    return false;
  memcpy(out, date, 7);
  out[7] = '\0';
  return true;
}

/* The month "YYYY-MM" as a count of months (year * 12 + month - 1); -1 when it is not one. */
static int s_month_index(const char *month)
{
  char day[11];
  int y, m, d;
  if(!month || strlen(month) != 7)
    return -1;
  snprintf(day, sizeof(day), "%s-01", month);
  return date_parse(day, &y, &m, &d) ? -1 : y * 12 + m - 1;
}

static void s_month_name(int index, char out[8])
{
  unsigned y = (unsigned)(index / 12) % 10000u;
  unsigned m = (unsigned)(index % 12) + 1u;
  out[0] = (char)('0' + y / 1000);
  out[1] = (char)('0' + y / 100 % 10);
  out[2] = (char)('0' + y / 10 % 10);
  out[3] = (char)('0' + y % 10);
  out[4] = '-';
  out[5] = (char)('0' + m / 10);
  out[6] = (char)('0' + m % 10);
  out[7] = '\0';
}

static void s_bucket_sk(char *out, const char *month, const char *item_id)
{
  snprintf(out, S_SK_MAX, "%s%s#%s", S_TXN_PREFIX, month, item_id);
}

static json_t *s_key(const char *user_id, const char *sk)
{
  return json_pack("{s:{s:s}, s:{s:s}}", "user_id", "S", user_id, "sk", "S", sk);
}

/* Sleeps before retry attempt of unprocessed work; false when the deadline leaves no room. */
static bool s_wait_retry(mynt_backoff *b, int attempt, int64_t deadline_ms)
{
  int64_t left = deadline_ms - clock_epoch_ms() - 100;
  if(left <= 0)
    return false;
  int64_t ms = backoff_ms(b, attempt);
  clock_sleep_ms(ms < left ? ms : left);
  return true;
}

/* Replaces *pending with left (what a BatchGetItem/BatchWriteItem answer left unprocessed, borrowed; not an array:
 * nothing) for the next try, after a backoff pause when anything is left. Returns MYNT_OK, MYNT_NOMEM, or MYNT_TIMEOUT
 * when no pause fits before deadline_ms (*pending then still holds what is left). */
static mynt_status s_batch_leftover(json_t *left, json_t **pending, mynt_backoff *b, int attempt, int64_t deadline_ms)
{
  json_decref(*pending);
  *pending = json_is_array(left) ? json_incref(left) : json_array();
  if(!*pending)
    return MYNT_NOMEM;
  if(json_array_size(*pending) && !s_wait_retry(b, attempt, deadline_ms))
    return MYNT_TIMEOUT;
  return MYNT_OK;
}

/* Sends BatchGetItem (get: *pending holds the table's Keys, read consistently) or BatchWriteItem (*pending holds its
 * write requests) until nothing is left unprocessed, pausing between tries within deadline_ms. Each answer goes to read
 * (may be NULL) with arg before what it left is sent again. Returns MYNT_OK, a store status, MYNT_NOMEM, MYNT_TIMEOUT
 * or read's failure; *pending then holds what was not done. */
static mynt_status s_batch(store *s, bool get, json_t **pending, int64_t deadline_ms,
                           mynt_status (*read)(const json_t *response, void *arg), void *arg)
{
  mynt_status st = MYNT_OK;
  mynt_backoff backoff;
  backoff_init(&backoff, 25, 1000);
  for(int attempt = 1; !st && json_array_size(*pending); attempt++) {
    json_t *response = NULL;
    json_t *request =
      get ? json_pack("{s:{s:{s:O, s:b}}}", "RequestItems", s->table, "Keys", *pending, "ConsistentRead", 1)
          : json_pack("{s:{s:O}}", "RequestItems", s->table, *pending);
    st = request ? store_ddb_call(s, get ? "BatchGetItem" : "BatchWriteItem", "transaction buckets", request,
                                  deadline_ms, &response)
                 : MYNT_NOMEM;
    if(!st && read)
      st = read(response, arg);
    if(!st) {
      json_t *left = json_object_get(json_object_get(response, get ? "UnprocessedKeys" : "UnprocessedItems"), s->table);
      st = s_batch_leftover(get ? json_object_get(left, "Keys") : left, pending, &backoff, attempt, deadline_ms);
    }
    json_decref(request);
    json_decref(response);
  }
  return st;
}

/* ---- buckets in memory ---- */

typedef struct {
  char month[8];
  json_t *txns;     /* the bucket as it will be written (owned array) */
  json_t *original; /* as read (owned array; empty when the bucket does not exist) */
  bool exists;
  bool gains; /* an upsert lands here */
} s_bucket;

typedef struct {
  s_bucket *v;
  size_t n, cap;
} s_buckets;

static void s_buckets_free(s_buckets *bs)
{
  for(size_t i = 0; i < bs->n; i++) {
    json_decref(bs->v[i].txns);
    json_decref(bs->v[i].original);
  }
  free(bs->v);
  memset(bs, 0, sizeof(*bs));
}

static s_bucket *s_buckets_find(s_buckets *bs, const char *month)
{
  for(size_t i = 0; i < bs->n; i++) {
    if(strcmp(bs->v[i].month, month) == 0)
      return &bs->v[i];
  }
  return NULL;
}

/* Adds an empty (absent) bucket for month. Returns it, or NULL on allocation failure. */
static s_bucket *s_buckets_add(s_buckets *bs, const char *month)
{
  if(bs->n == bs->cap) {
    size_t cap = bs->cap ? bs->cap * 2 : 16;
    s_bucket *v = realloc(bs->v, cap * sizeof(*v));
    if(!v)
      return NULL;
    bs->v = v;
    bs->cap = cap;
  }
  s_bucket *b = &bs->v[bs->n];
  memset(b, 0, sizeof(*b));
  snprintf(b->month, sizeof(b->month), "%s", month);
  b->txns = json_array();
  b->original = json_array();
  if(!b->txns || !b->original) {
    json_decref(b->txns);
    json_decref(b->original);
    return NULL;
  }
  bs->n++;
  return b;
}

/* Base64-decodes a raw bucket record's z into bytes (buf_init'ed by the caller), checking its version and that it
 * belongs to item_id (NULL: any). Returns whether it did. */
static bool s_bucket_z(const json_t *raw, const char *item_id, mynt_buf *bytes)
{
  const json_t *z = json_object_get(json_object_get(raw, "z"), "B");
  const char *v = json_string_value(json_object_get(json_object_get(raw, "v"), "N"));
  const char *owner = json_string_value(json_object_get(json_object_get(raw, "item_id"), "S"));
  return json_is_string(z) && v && strcmp(v, "1") == 0 && owner && (!item_id || strcmp(owner, item_id) == 0) &&
         b64_std_decode_buf(json_string_value(z), json_string_length(z), bytes) == MYNT_OK;
}

/* A bucket's decode status as its reader answers it: MYNT_NOMEM stays, any other failure is logged and becomes
 * MYNT_INTERNAL. */
static mynt_status s_bucket_status(mynt_status st)
{
  if(st && st != MYNT_NOMEM) {
    logger_log(LOGGER_ERROR, NULL, "store: a transaction bucket does not decode");
    return MYNT_INTERNAL;
  }
  return st;
}

/* Reads a raw bucket record's transactions (a new array) into *out_txns, checking it belongs to
 * item_id. Returns MYNT_OK or MYNT_INTERNAL (logged) for a record that does not decode. */
static mynt_status s_bucket_txns(const json_t *raw, const char *item_id, json_t **out_txns)
{
  *out_txns = NULL;
  mynt_buf bytes;
  buf_init(&bytes, STORE_HISTORY_ITEM_MAX);
  mynt_status st = MYNT_INTERNAL;
  if(s_bucket_z(raw, item_id, &bytes))
    st = store_history_decode((const unsigned char *)bytes.ptr, bytes.len, out_txns);
  buf_free(&bytes);
  return s_bucket_status(st);
}

/* What s_load reads each BatchGetItem answer into. */
typedef struct {
  const char *table;
  s_buckets *bs;
  const char *item_id;
} s_load_into;

/* Puts the buckets of a BatchGetItem answer (response) into their places in into->bs (s_batch's read). Returns MYNT_OK,
 * MYNT_UPSTREAM for a bucket that was not asked for, MYNT_INTERNAL for one that does not decode, MYNT_NOMEM. */
static mynt_status s_load_answer(const json_t *response, void *arg)
{
  const s_load_into *into = arg;
  size_t i;
  json_t *raw;
  json_array_foreach(json_object_get(json_object_get(response, "Responses"), into->table), i, raw) {
    const char *record_sk = json_string_value(json_object_get(json_object_get(raw, "sk"), "S"));
    char month[8] = "";
    if(record_sk && strlen(record_sk) > strlen(S_TXN_PREFIX) + 7)
      memcpy(month, record_sk + strlen(S_TXN_PREFIX), 7);
    s_bucket *b = s_buckets_find(into->bs, month);
    json_t *txns = NULL;
    if(!b) {
      logger_log(LOGGER_ERROR, NULL, "store: BatchGetItem answered a bucket that was not asked for");
      return MYNT_UPSTREAM;
    }
    mynt_status st = s_bucket_txns(raw, into->item_id, &txns);
    if(st)
      return st;
    json_decref(b->original);
    json_decref(b->txns);
    b->original = txns;
    b->txns = json_copy(txns);
    b->exists = true;
    if(!b->txns)
      return MYNT_NOMEM;
  }
  return MYNT_OK;
}

/* Loads the buckets of months[0..n) (already in bs, absent) with BatchGetItem (consistent),
 * UnprocessedKeys retried within the deadline. */
static mynt_status s_load(store *s, const char *user_id, const char *item_id, s_buckets *bs, char (*months)[8],
                          size_t n, int64_t deadline_ms)
{
  json_t *keys = json_array();
  char sk[S_SK_MAX];
  for(size_t i = 0; keys && i < n; i++) {
    s_bucket_sk(sk, months[i], item_id);
    if(json_array_append_new(keys, s_key(user_id, sk)))
      break;
  }
  s_load_into into = {.table = s->table, .bs = bs, .item_id = item_id};
  mynt_status st =
    keys && json_array_size(keys) == n ? s_batch(s, true, &keys, deadline_ms, s_load_answer, &into) : MYNT_NOMEM;
  json_decref(keys);
  return st;
}

/* Loads every bucket of months[0..n) not in bs yet, S_BATCH_GET at a time. */
static mynt_status s_load_months(store *s, const char *user_id, const char *item_id, s_buckets *bs, char (*months)[8],
                                 size_t n, int64_t deadline_ms)
{
  size_t start = bs->n;
  for(size_t i = 0; i < n; i++) {
    if(!s_buckets_find(bs, months[i]) && !s_buckets_add(bs, months[i]))
      return MYNT_NOMEM;
  }
  for(size_t i = start; i < bs->n; i += S_BATCH_GET) {
    size_t count = bs->n - i < S_BATCH_GET ? bs->n - i : S_BATCH_GET;
    char(*list)[8] = malloc(count * sizeof(*list));
    if(!list)
      return MYNT_NOMEM;
    for(size_t k = 0; k < count; k++)
      memcpy(list[k], bs->v[i + k].month, 8);
    mynt_status st = s_load(s, user_id, item_id, bs, list, count, deadline_ms);
    free(list);
    if(st)
      return st;
  }
  return MYNT_OK;
}

/* Orders a bucket: date descending, then transaction_id ascending. */
static int s_bucket_order(const void *a, const void *b)
{
  const json_t *x = *(json_t *const *)a;
  const json_t *y = *(json_t *const *)b;
  const char *dx = json_member_string(x, "date");
  const char *dy = json_member_string(y, "date");
  int c = strcmp(dy ? dy : "", dx ? dx : "");
  if(c)
    return c;
  const char *ix = json_member_string(x, "transaction_id");
  const char *iy = json_member_string(y, "transaction_id");
  return strcmp(ix ? ix : "", iy ? iy : "");
}

/* Sorts an array of transactions in bucket order. */
static mynt_status s_sort(json_t *txns)
{
  size_t n = json_array_size(txns);
  if(n < 2)
    return MYNT_OK;
  json_t **v = malloc(n * sizeof(*v));
  if(!v)
    return MYNT_NOMEM;
  for(size_t i = 0; i < n; i++)
    v[i] = json_incref(json_array_get(txns, i));
  qsort(v, n, sizeof(*v), s_bucket_order);
  json_array_clear(txns);
  mynt_status st = MYNT_OK;
  for(size_t i = 0; i < n; i++) {
    if(json_array_append_new(txns, v[i]))
      st = MYNT_NOMEM;
  }
  free(v);
  return st;
}

/* ---- apply ---- */

/* Adds each transaction of list (NULL = none) to upserts (id → transaction; a later one wins)
 * and its month to target (id → "YYYY-MM"). MYNT_BAD_REQUEST for a malformed one. */
static mynt_status s_collect_upserts(const json_t *list, json_t *upserts, json_t *target)
{
  size_t i;
  json_t *txn;
  if(list && !json_is_array(list))
    return MYNT_BAD_REQUEST;
  json_array_foreach(list, i, txn) {
    const char *id = json_member_string(txn, "transaction_id");
    char month[8];
    if(!json_is_object(txn) || !store_item_id_valid(id) || !s_month_of(json_member_string(txn, "date"), month))
      return MYNT_BAD_REQUEST;
    if(json_object_set(upserts, id, txn) || json_object_set_new(target, id, json_string(month)))
      return MYNT_NOMEM;
  }
  return MYNT_OK;
}

/* Adds each id of removed (strings, or objects with a transaction_id) to the set gone. */
static mynt_status s_collect_removed(const json_t *removed, json_t *gone)
{
  size_t i;
  json_t *entry;
  if(removed && !json_is_array(removed))
    return MYNT_BAD_REQUEST;
  json_array_foreach(removed, i, entry) {
    const char *id = json_is_string(entry) ? json_string_value(entry) : json_member_string(entry, "transaction_id");
    if(!store_item_id_valid(id))
      return MYNT_BAD_REQUEST;
    if(json_object_set_new(gone, id, json_true()))
      return MYNT_NOMEM;
  }
  return MYNT_OK;
}

/* Takes the ids in want (a set) out of it when some loaded bucket holds them. */
static void s_mark_found(const s_buckets *bs, json_t *want)
{
  for(size_t i = 0; i < bs->n && json_object_size(want); i++) {
    size_t k;
    json_t *txn;
    json_array_foreach(bs->v[i].original, k, txn) {
      const char *id = json_member_string(txn, "transaction_id");
      if(id)
        json_object_del(want, id);
    }
  }
}

/* Loads, newest first and S_SEARCH_STEP at a time, the months of the item's month map inside
 * the search window that are not loaded yet, until every id of want is found. */
static mynt_status s_search(store *s, const char *user_id, const char *item_id, s_buckets *bs, const json_t *months,
                            json_t *want, int64_t deadline_ms)
{
  int newest = -1;
  const char *month;
  json_t *count;
  for(size_t i = 0; i < bs->n; i++) {
    int index = s_month_index(bs->v[i].month);
    newest = index > newest ? index : newest;
  }
  json_object_foreach((json_t *)months, month, count) {
    int index = s_month_index(month);
    if(json_integer_value(count) > 0 && index > newest)
      newest = index;
  }
  s_mark_found(bs, want);
  char step[S_SEARCH_STEP][8];
  size_t n = 0;
  for(int index = newest; newest >= 0 && index > newest - STORE_HISTORY_SEARCH_MONTHS && json_object_size(want);
      index--) {
    char name[8];
    s_month_name(index, name);
    if(json_integer_value(json_object_get(months, name)) <= 0 || s_buckets_find(bs, name))
      continue;
    memcpy(step[n++], name, 8);
    if(n == S_SEARCH_STEP || index == newest - STORE_HISTORY_SEARCH_MONTHS + 1) {
      mynt_status st = s_load_months(s, user_id, item_id, bs, step, n, deadline_ms);
      if(st)
        return st;
      n = 0;
      s_mark_found(bs, want);
    }
  }
  if(n && json_object_size(want))
    return s_load_months(s, user_id, item_id, bs, step, n, deadline_ms);
  return MYNT_OK;
}

/* Rewrites every loaded bucket: drops removed and upserted ids, adds the upserts of its month. */
static mynt_status s_rebuild(s_buckets *bs, const json_t *upserts, const json_t *target, const json_t *gone)
{
  for(size_t i = 0; i < bs->n; i++) {
    s_bucket *b = &bs->v[i];
    json_t *next = json_array();
    size_t k;
    json_t *txn;
    if(!next)
      return MYNT_NOMEM;
    json_array_foreach(b->original, k, txn) {
      const char *id = json_member_string(txn, "transaction_id");
      if(id && (json_object_get(gone, id) || json_object_get(upserts, id)))
        continue;
      if(json_array_append(next, txn)) {
        json_decref(next);
        return MYNT_NOMEM;
      }
    }
    const char *id;
    json_t *month;
    json_object_foreach((json_t *)target, id, month) {
      if(strcmp(json_string_value(month), b->month) != 0 || json_object_get(gone, id))
        continue;
      b->gains = true;
      if(json_array_append(next, json_object_get(upserts, id))) {
        json_decref(next);
        return MYNT_NOMEM;
      }
    }
    json_decref(b->txns);
    b->txns = next;
    mynt_status st = s_sort(next);
    if(st)
      return st;
  }
  return MYNT_OK;
}

/* Writes bucket b (PutItem, or DeleteItem when it is left empty). */
static mynt_status s_write(store *s, const char *user_id, const char *item_id, const s_bucket *b, int64_t deadline_ms)
{
  char sk[S_SK_MAX];
  s_bucket_sk(sk, b->month, item_id);
  json_t *request = NULL;
  json_t *response = NULL;
  unsigned char *z = NULL;
  size_t z_len = 0;
  mynt_buf text;
  buf_init(&text, STORE_HISTORY_ITEM_MAX * 2);
  mynt_status st = MYNT_OK;
  if(json_array_size(b->txns) == 0) {
    request = json_pack("{s:s, s:o}", "TableName", s->table, "Key", s_key(user_id, sk));
    if(!request) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
    st = store_ddb_call(s, "DeleteItem", "transaction bucket", request, deadline_ms, &response);
    goto cleanup;
  }
  st = store_history_encode(b->txns, &z, &z_len);
  if(!st)
    st = b64_std_encode_buf(z, z_len, &text);
  if(st)
    goto cleanup;
  char n[32];
  snprintf(n, sizeof(n), "%zu", json_array_size(b->txns));
  request = json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}", "TableName", s->table,
                      "Item", "user_id", "S", user_id, "sk", "S", sk, "item_id", "S", item_id, "month", "S", b->month,
                      "n", "N", n, "v", "N", "1", "z", "B", buf_cstr(&text));
  if(!request) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  if(store_history_item_bytes(json_object_get(request, "Item")) > STORE_HISTORY_ITEM_MAX) {
    logger_log(LOGGER_ERROR, NULL, "store: the %s bucket of item %s would pass DynamoDB's item size", b->month,
               item_id);
    st = MYNT_TOO_LARGE;
    goto cleanup;
  }
  st = store_ddb_call(s, "PutItem", "transaction bucket", request, deadline_ms, &response);

cleanup:
  free(z);
  buf_free(&text);
  json_decref(request);
  json_decref(response);
  return st;
}

/* Sets months[b->month] to the bucket's count (deleting it at 0). */
static mynt_status s_count(json_t *months, const s_bucket *b)
{
  size_t n = json_array_size(b->txns);
  if(n == 0) {
    json_object_del(months, b->month);
    return MYNT_OK;
  }
  return json_object_set_new(months, b->month, json_integer((json_int_t)n)) ? MYNT_NOMEM : MYNT_OK;
}

/* Writes the changed buckets: those that only lose transactions first, then the others. */
static mynt_status s_write_changed(store *s, const char *user_id, const char *item_id, s_buckets *bs, json_t *months,
                                   int64_t deadline_ms)
{
  for(int phase = 0; phase < 2; phase++) {
    for(size_t i = 0; i < bs->n; i++) {
      s_bucket *b = &bs->v[i];
      if(b->gains != (phase == 1))
        continue;
      bool changed = b->exists ? !json_equal(b->txns, b->original) : json_array_size(b->txns) > 0;
      if(changed) {
        mynt_status st = s_write(s, user_id, item_id, b, deadline_ms);
        if(st)
          return st;
      }
      mynt_status st = s_count(months, b);
      if(st)
        return st;
    }
  }
  return MYNT_OK;
}

mynt_status store_history_apply(store *s, const char *user_id, const char *item_id, const json_t *added,
                                const json_t *modified, const json_t *removed, json_t *months, int64_t deadline_ms)
{
  if(!store_user_id_valid(user_id) || !store_item_id_valid(item_id) || !json_is_object(months))
    return MYNT_BAD_REQUEST;
  mynt_status st = MYNT_OK;
  s_buckets bs = {0};
  char(*targets)[8] = NULL;
  json_t *upserts = json_object();
  json_t *target = json_object();
  json_t *gone = json_object();
  json_t *want = json_object();
  if(!upserts || !target || !gone || !want) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  st = s_collect_upserts(added, upserts, target);
  if(!st)
    st = s_collect_upserts(modified, upserts, target);
  if(!st)
    st = s_collect_removed(removed, gone);
  if(st)
    goto cleanup;

  /* The months the upserts land in, each once. */
  size_t n_targets = 0;
  targets = malloc((json_object_size(target) + 1) * sizeof(*targets));
  if(!targets) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  const char *id;
  json_t *month;
  json_object_foreach(target, id, month) {
    size_t k = 0;
    while(k < n_targets && strcmp(targets[k], json_string_value(month)) != 0)
      k++;
    if(k == n_targets)
      memcpy(targets[n_targets++], json_string_value(month), 8);
  }
  st = s_load_months(s, user_id, item_id, &bs, targets, n_targets, deadline_ms);
  if(st)
    goto cleanup;

  /* Look further for the removed ones and for modified ones not in their new month (moved). */
  json_object_foreach(gone, id, month) {
    if(json_object_set_new(want, id, json_true())) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
  }
  size_t i;
  json_t *txn;
  json_array_foreach(modified, i, txn) {
    const char *mid = json_member_string(txn, "transaction_id");
    s_bucket *b = s_buckets_find(&bs, json_string_value(json_object_get(target, mid)));
    bool there = false;
    size_t k;
    json_t *old;
    json_array_foreach(b ? b->original : NULL, k, old) {
      const char *oid = json_member_string(old, "transaction_id");
      there |= oid && strcmp(oid, mid) == 0;
    }
    if(!there && json_object_set_new(want, mid, json_true())) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
  }
  if(json_object_size(want)) {
    st = s_search(s, user_id, item_id, &bs, months, want, deadline_ms);
    if(st)
      goto cleanup;
  }
  st = s_rebuild(&bs, upserts, target, gone);
  if(!st)
    st = s_write_changed(s, user_id, item_id, &bs, months, deadline_ms);

cleanup:
  s_buckets_free(&bs);
  free(targets);
  json_decref(upserts);
  json_decref(target);
  json_decref(gone);
  json_decref(want);
  return st;
}

/* ---- read ---- */

typedef struct {
  json_t *txn; /* borrowed from its bucket's array */
  size_t item;
} s_entry;

static int s_entry_order(const void *a, const void *b)
{
  const s_entry *x = a;
  const s_entry *y = b;
  const char *dx = json_member_string(x->txn, "date");
  const char *dy = json_member_string(y->txn, "date");
  int c = strcmp(dy ? dy : "", dx ? dx : "");
  if(c)
    return c;
  if(x->item != y->item)
    return x->item < y->item ? -1 : 1;
  const char *ix = json_member_string(x->txn, "transaction_id");
  const char *iy = json_member_string(y->txn, "transaction_id");
  return strcmp(ix ? ix : "", iy ? iy : "");
}

size_t store_history_page_limit(size_t n_item_ids, unsigned page_index)
{
  size_t limit = n_item_ids + 1;
  for(unsigned i = 0; i < page_index && limit < S_PAGE_MAX; i++)
    limit *= 2;
  return limit < S_PAGE_MAX ? limit : S_PAGE_MAX;
}

/* The buckets of one month read so far (for store_history_read). */
typedef struct {
  char month[8];
  json_t *buckets; /* array of [item index, transactions] */
} s_month_read;

/* Appends the month's transactions that q keeps to out, in read order, and empties m. */
static mynt_status s_flush_month(s_month_read *m, const store_history_query *q, json_t *out)
{
  size_t total = 0;
  size_t i;
  json_t *pair;
  json_array_foreach(m->buckets, i, pair)
    total += json_array_size(json_array_get(pair, 1));
  s_entry *v = total ? malloc(total * sizeof(*v)) : NULL;
  size_t n = 0;
  mynt_status st = MYNT_OK;
  if(total && !v)
    return MYNT_NOMEM;
  json_array_foreach(m->buckets, i, pair) {
    size_t item = (size_t)json_integer_value(json_array_get(pair, 0));
    size_t k;
    json_t *txn;
    json_array_foreach(json_array_get(pair, 1), k, txn) {
      const char *date = json_member_string(txn, "date");
      const char *account = json_member_string(txn, "account_id");
      if(!date || strcmp(date, q->start_date) < 0 || strcmp(date, q->end_date) > 0)
        continue;
      if(q->account_id && (!account || strcmp(account, q->account_id) != 0))
        continue;
      v[n].txn = txn;
      v[n++].item = item;
    }
  }
  if(n > 1)
    qsort(v, n, sizeof(*v), s_entry_order);
  /* Each transaction moves into out as it is (its bucket's array is dropped below): no copy. */
  for(size_t k = 0; k < n && !st; k++) {
    if(json_object_set_new(v[k].txn, "item_id", json_string(q->item_ids[v[k].item])) ||
       json_array_append(out, v[k].txn))
      st = MYNT_NOMEM;
  }
  free(v);
  json_array_clear(m->buckets);
  m->month[0] = '\0';
  return st;
}

/* The index of item_id in q->item_ids, or -1. */
static long s_item_index(const store_history_query *q, const char *item_id)
{
  for(size_t i = 0; item_id && i < q->n_item_ids; i++) {
    if(q->item_ids[i] && strcmp(q->item_ids[i], item_id) == 0)
      return (long)i;
  }
  return -1;
}

struct store_history_merge {
  const store_history_query *q;
  char first[8]; /* the range's first month */
  s_month_read m;
  json_t *out;
  bool done, complete;
};

mynt_status store_history_merge_new(const store_history_query *q, store_history_merge **out_merge)
{
  *out_merge = NULL;
  store_history_merge *g = calloc(1, sizeof(*g));
  if(!g)
    return MYNT_NOMEM;
  g->q = q;
  if(!s_month_of(q->start_date, g->first)) {
    free(g);
    return MYNT_BAD_REQUEST;
  }
  g->out = json_array();
  g->m.buckets = json_array();
  if(!g->out || !g->m.buckets) {
    store_history_merge_free(g);
    return MYNT_NOMEM;
  }
  *out_merge = g;
  return MYNT_OK;
}

void store_history_merge_free(store_history_merge *g)
{
  if(!g)
    return;
  json_decref(g->out);
  json_decref(g->m.buckets);
  free(g);
}

/* Moves g to the month of a bucket read next (month: "YYYY-MM..."): a new month flushes the one read so far and,
 * once q->want are gathered, ends the merge (g->done). Returns MYNT_OK or s_flush_month's status. */
static mynt_status s_merge_month(store_history_merge *g, const char *month)
{
  if(g->m.month[0] && strncmp(g->m.month, month, 7) != 0) {
    bool first_month = strcmp(g->m.month, g->first) == 0;
    mynt_status st = s_flush_month(&g->m, g->q, g->out);
    if(st)
      return st;
    if(g->q->want && json_array_size(g->out) >= g->q->want) {
      g->complete = first_month; /* older months are left unread */
      g->done = true;
      return MYNT_OK;
    }
  }
  if(!g->m.month[0]) {
    memcpy(g->m.month, month, 7);
    g->m.month[7] = '\0';
  }
  return MYNT_OK;
}

mynt_status store_history_merge_bucket(store_history_merge *g, const char *month, const char *item_id, json_t *txns,
                                       bool *out_done)
{
  long item = s_item_index(g->q, item_id);
  mynt_status st = g->done ? MYNT_OK : s_merge_month(g, month);
  *out_done = g->done;
  if(st || g->done || item < 0) {
    json_decref(txns);
    return st;
  }
  if(json_array_append_new(g->m.buckets, json_pack("[I, o]", (json_int_t)item, txns)))
    return MYNT_NOMEM;
  return MYNT_OK;
}

mynt_status store_history_merge_page(store_history_merge *g, const json_t *items, bool *out_done)
{
  const store_history_query *q = g->q;
  mynt_status st = MYNT_OK;
  size_t i;
  json_t *raw;
  json_array_foreach(items, i, raw) {
    if(g->done)
      break;
    const char *sk = json_string_value(json_object_get(json_object_get(raw, "sk"), "S"));
    const char *item_id = json_string_value(json_object_get(json_object_get(raw, "item_id"), "S"));
    if(!sk || strlen(sk) < strlen(S_TXN_PREFIX) + 8) {
      logger_log(LOGGER_ERROR, NULL, "store: a transaction bucket has a malformed key");
      return MYNT_INTERNAL;
    }
    st = s_merge_month(g, sk + strlen(S_TXN_PREFIX));
    if(st || g->done)
      break;
    if(s_item_index(q, item_id) < 0)
      continue; /* a bucket of an item the user no longer has (or another query's concern) */
    json_t *txns = NULL;
    st = s_bucket_txns(raw, item_id, &txns);
    if(!st)
      st = store_history_merge_bucket(g, sk + strlen(S_TXN_PREFIX), item_id, txns, out_done);
    if(st)
      return st;
  }
  *out_done = g->done;
  return MYNT_OK;
}

mynt_status store_history_merge_end(store_history_merge *g, json_t **out_txns, bool *out_complete)
{
  *out_txns = NULL;
  *out_complete = false;
  if(!g->done) { /* every month of the range was read */
    if(g->m.month[0]) {
      mynt_status st = s_flush_month(&g->m, g->q, g->out);
      if(st)
        return st;
    }
    g->complete = true;
    g->done = true;
  }
  *out_complete = g->complete;
  *out_txns = g->out;
  g->out = NULL;
  return MYNT_OK;
}

/* Takes one Query page's Items (borrowed) of s_query_range; sets *out_enough to stop before the next page. */
typedef mynt_status (*s_page_fn)(const json_t *items, void *arg, bool *out_enough);

/* Runs the Query of q's months (newest first, eventually consistent, pages sized by store_history_page_limit),
 * handing each page's Items to page until it answers enough or the range ends. Returns MYNT_OK, page's failure or
 * a store status. The caller has checked q's dates. */
static mynt_status s_query_range(store *s, const char *user_id, const store_history_query *q, int64_t deadline_ms,
                                 s_page_fn page, void *arg)
{
  char lo[S_SK_MAX];
  char hi[S_SK_MAX];
  snprintf(lo, sizeof(lo), "%s%.7s#", S_TXN_PREFIX, q->start_date);
  snprintf(hi, sizeof(hi), "%s%.7s#~", S_TXN_PREFIX, q->end_date);
  unsigned page_index = 0;
  json_t *response = NULL;
  mynt_status st = MYNT_OK;
  json_t *request = json_pack("{s:s, s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}, s:b, s:I}", "TableName", s->table,
                              "KeyConditionExpression", "user_id = :u AND sk BETWEEN :lo AND :hi",
                              "ExpressionAttributeValues", ":u", "S", user_id, ":lo", "S", lo, ":hi", "S", hi,
                              "ScanIndexForward", 0, "Limit", (json_int_t)store_history_page_limit(q->n_item_ids, 0));
  if(!request)
    return MYNT_NOMEM;
  for(;;) {
    st = store_ddb_call(s, "Query", "transaction buckets", request, deadline_ms, &response);
    if(st)
      break;
    bool enough = false;
    st = page(json_object_get(response, "Items"), arg, &enough);
    if(st || enough)
      break;
    json_t *last_key = json_object_get(response, "LastEvaluatedKey");
    if(!json_is_object(last_key))
      break;
    if(json_object_set(request, "ExclusiveStartKey", last_key) ||
       json_object_set_new(request, "Limit",
                           json_integer((json_int_t)store_history_page_limit(q->n_item_ids, ++page_index)))) {
      st = MYNT_NOMEM;
      break;
    }
    json_decref(response);
    response = NULL;
  }
  json_decref(request);
  json_decref(response);
  return st;
}

static mynt_status s_merge_page(const json_t *items, void *arg, bool *out_enough)
{
  return store_history_merge_page(arg, items, out_enough);
}

/* Whether q's dates are valid for a read: real months, start not after end, a valid user. */
static bool s_read_valid(const char *user_id, const store_history_query *q)
{
  char month[8];
  return store_user_id_valid(user_id) && s_month_of(q->start_date, month) && s_month_of(q->end_date, month) &&
         strcmp(q->start_date, q->end_date) <= 0;
}

mynt_status store_history_read(store *s, const char *user_id, const store_history_query *q, int64_t deadline_ms,
                               json_t **out_txns, bool *out_complete)
{
  *out_txns = NULL;
  *out_complete = false;
  if(!s_read_valid(user_id, q))
    return MYNT_BAD_REQUEST;
  store_history_merge *g = NULL;
  mynt_status st = store_history_merge_new(q, &g);
  if(!st && q->n_item_ids)
    st = s_query_range(s, user_id, q, deadline_ms, s_merge_page, g);
  if(!st)
    st = store_history_merge_end(g, out_txns, out_complete);
  store_history_merge_free(g);
  return st;
}

/* What s_count_page adds to. */
typedef struct {
  const store_history_query *q;
  size_t count;
} s_count_into;

static mynt_status s_count_page(const json_t *items, void *arg, bool *out_enough)
{
  s_count_into *into = arg;
  size_t i;
  json_t *raw;
  *out_enough = false;
  json_array_foreach(items, i, raw) {
    const char *item_id = json_string_value(json_object_get(json_object_get(raw, "item_id"), "S"));
    if(s_item_index(into->q, item_id) < 0)
      continue;
    mynt_buf bytes;
    buf_init(&bytes, STORE_HISTORY_ITEM_MAX);
    size_t n = 0;
    mynt_status st = MYNT_INTERNAL;
    if(s_bucket_z(raw, item_id, &bytes))
      st = store_history_count_dates((const unsigned char *)bytes.ptr, bytes.len, into->q->start_date,
                                     into->q->end_date, &n);
    buf_free(&bytes);
    st = s_bucket_status(st);
    if(st)
      return st;
    into->count += n;
  }
  return MYNT_OK;
}

mynt_status store_history_count(store *s, const char *user_id, const store_history_query *q, int64_t deadline_ms,
                                size_t *out_count)
{
  *out_count = 0;
  if(!s_read_valid(user_id, q) || q->account_id)
    return MYNT_BAD_REQUEST;
  s_count_into into = {.q = q};
  mynt_status st = q->n_item_ids ? s_query_range(s, user_id, q, deadline_ms, s_count_page, &into) : MYNT_OK;
  if(!st)
    *out_count = into.count;
  return st;
}

/* ---- delete ---- */

/* Sends the DeleteRequests of keys[from..from+count) with BatchWriteItem until none is left
 * unprocessed. */
static mynt_status s_delete_batch(store *s, const json_t *keys, size_t from, size_t count, int64_t deadline_ms)
{
  json_t *requests = json_array();
  for(size_t i = from; requests && i < from + count; i++) {
    if(json_array_append_new(requests, json_pack("{s:{s:O}}", "DeleteRequest", "Key", json_array_get(keys, i))))
      break;
  }
  mynt_status st =
    requests && json_array_size(requests) == count ? s_batch(s, false, &requests, deadline_ms, NULL, NULL) : MYNT_NOMEM;
  json_decref(requests);
  return st;
}

mynt_status store_history_delete_item(store *s, const char *user_id, const char *item_id, int64_t deadline_ms)
{
  if(!store_user_id_valid(user_id) || !store_item_id_valid(item_id))
    return MYNT_BAD_REQUEST;
  mynt_status st = MYNT_OK;
  json_t *raw = NULL;
  json_t *keys = json_array();
  json_t *request = json_pack(
    "{s:s, s:s, s:{s:{s:s}, s:{s:s}}, s:s, s:{s:s}, s:b}", "TableName", s->table, "KeyConditionExpression",
    "user_id = :u AND begins_with(sk, :p)", "ExpressionAttributeValues", ":u", "S", user_id, ":p", "S", S_TXN_PREFIX,
    "ProjectionExpression", "#u, sk", "ExpressionAttributeNames", "#u", "user_id", "ConsistentRead", 1);
  if(!request || !keys) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  aws_error err;
  memset(&err, 0, sizeof(err));
  st = ddb_query_all(s->ddb, request, 0, deadline_ms, &raw, &err);
  if(st) {
    st = store_status_from_ddb(st, &err, "Query transaction buckets");
    goto cleanup;
  }
  char suffix[STORE_ITEM_ID_MAX + 2];
  snprintf(suffix, sizeof(suffix), "#%s", item_id);
  size_t suffix_len = strlen(suffix);
  size_t i;
  json_t *key;
  json_array_foreach(raw, i, key) {
    const char *sk = json_string_value(json_object_get(json_object_get(key, "sk"), "S"));
    size_t len = sk ? strlen(sk) : 0;
    /* "TXN#YYYY-MM" then "#<item_id>": the month has no '#', so the suffix names the item. */
    if(len == strlen(S_TXN_PREFIX) + 7 + suffix_len && strcmp(sk + len - suffix_len, suffix) == 0 &&
       json_array_append(keys, key)) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
  }
  for(i = 0; i < json_array_size(keys); i += S_BATCH_WRITE) {
    size_t count = json_array_size(keys) - i < S_BATCH_WRITE ? json_array_size(keys) - i : S_BATCH_WRITE;
    st = s_delete_batch(s, keys, i, count, deadline_ms);
    if(st)
      goto cleanup;
  }

cleanup:
  json_decref(request);
  json_decref(raw);
  json_decref(keys);
  return st;
}
