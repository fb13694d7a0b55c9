/* history.h - a user's transaction history in mynt-users: one compressed record per item per month. */
#ifndef MYNT_STORE_HISTORY_H
#define MYNT_STORE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/status.h"
#include "store/store.h"

/* The table design (see store/items.h for the item records). In the user's partition:
 *
 *   sk = "TXN#<YYYY-MM>#<item_id>"  one bucket per item per calendar month (the month of the
 *                                   transaction's date): item_id (S), month (S), n (N: how many
 *                                   transactions), v (N: format version, 1), z (B: zlib compress2
 *                                   of the JSON array of the month's transactions, sorted date
 *                                   descending then transaction_id ascending). A bucket left
 *                                   empty is deleted. The item's record keeps months {"YYYY-MM": n}.
 *
 * A stored transaction is the API's shape without item_id: {transaction_id, account_id, date,
 * authorized_date, name, merchant_name, amount_cents (integer, Plaid's sign: positive = money out),
 * iso_currency_code, pending, pending_transaction_id, category, category_detailed,
 * payment_channel, flow}.
 *
 * Why month buckets: the table lives on the always-free 25 WCU / 25 RCU, and DynamoDB charges a
 * write unit per started KB of each item written and a read unit per started 4 KB a read returns
 * (half for an eventually consistent read; a Query sums its items' sizes). A transaction as its own
 * record is ~520 bytes: one write unit each, 8,121 units for five banks' 24 months of the
 * simulator (325 s of the whole table's write capacity). The same history compresses 5x in 125
 * month buckets of ~6 KB: 821 write units (33 s), and a sync's change to a month rewrites one
 * bucket. Reads cost what they return: a 12-month range is 46.5 read units in buckets against 247
 * per transaction, a dashboard (items + 100 most recent + current month) 8 against 21. Month-first
 * keys make any date range across all of a user's items ONE Query (sk BETWEEN "TXN#<first>#" AND
 * "TXN#<last>#~"), read newest first, in pages sized to stop soon after `want`.
 * bench/capacity prints the figures (docs/cost.md). */

/* The format version of the buckets this module writes. */
#define STORE_HISTORY_VERSION 1

/* How far back from the newest month a batch touches removed or moved transactions are looked for. */
#define STORE_HISTORY_SEARCH_MONTHS 25

/* The most bytes one bucket's JSON may take before compression (a month of one item). */
#define STORE_HISTORY_BUCKET_JSON_MAX (4u << 20)

/* DynamoDB's largest item. */
#define STORE_HISTORY_ITEM_MAX 400000u

/* Applies one sync batch to item_id's buckets: added and modified (arrays of stored
 * transactions, borrowed) are upserted by transaction_id into the bucket of their date's month
 * (a modified one whose date moved to another month leaves its old bucket); removed (array of
 * transaction_id strings, or of objects with a transaction_id) are deleted wherever they are in
 * the item's buckets (the months of months searched newest first, at most
 * STORE_HISTORY_SEARCH_MONTHS back from the newest month touched). Reads only the buckets it needs
 * (BatchGetItem by key, consistent), writes only the buckets that changed (PutItem / DeleteItem;
 * the ones that only lose transactions first, so a batch that fails half-way and is applied
 * again never leaves a moved transaction twice). Idempotent: applying the same batch twice leaves
 * the same buckets. months (the item's month map, borrowed, updated in place for every bucket
 * written) gets the new counts; a month with no transaction left is deleted from it. Returns
 * MYNT_OK, MYNT_BAD_REQUEST for a malformed transaction (not an object, no valid id, bad date;
 * nothing is then written), MYNT_TOO_LARGE when a bucket would pass STORE_HISTORY_ITEM_MAX, or a
 * store status (some buckets may then be written: the caller keeps the old cursor and applies
 * the batch again later, which is safe because apply is idempotent). */
mynt_status store_history_apply(store *s, const char *user_id, const char *item_id, const json_t *added,
                                const json_t *modified, const json_t *removed, json_t *months, int64_t deadline_ms);

typedef struct {
  const char *start_date, *end_date; /* YYYY-MM-DD, inclusive */
  size_t want;                       /* stop reading older months once this many are gathered (0 = all) */
  const char *account_id;            /* NULL = all accounts */
  const char *const *item_ids;       /* only buckets of these items (the user's current items) */
  size_t n_item_ids;
} store_history_query;

/* Reads the transactions of q newest first (date descending, then the order of q->item_ids,
 * then transaction_id) with item_id added to each: *out_txns (caller json_decref) holds at
 * least min(want, available) of them (whole months are read, so often more); *out_complete says
 * whether every month of the range was read (then json_array_size is the exact total in range).
 * One Query (ScanIndexForward false, eventually consistent, paginated). Returns MYNT_OK,
 * MYNT_BAD_REQUEST for invalid dates (or start after end), MYNT_INTERNAL for a bucket that does
 * not decode, or a store status; *out_txns is then NULL. */
mynt_status store_history_read(store *s, const char *user_id, const store_history_query *q, int64_t deadline_ms,
                               json_t **out_txns, bool *out_complete);

/* Counts the transactions of q's range (q->want ignored; q->account_id must be NULL) of q's items: the same Query
 * as store_history_read, but each bucket is only inflated and its dates counted (store_history_count_dates), no
 * transaction parsed. Returns MYNT_OK and *out_count; MYNT_BAD_REQUEST for invalid dates or an account_id,
 * MYNT_INTERNAL for a bucket that does not decode, or a store status (*out_count then 0). */
mynt_status store_history_count(store *s, const char *user_id, const store_history_query *q, int64_t deadline_ms,
                                size_t *out_count);

/* Counts the transactions dated start_date..end_date (inclusive, YYYY-MM-DD) in the bucket z[0..len) made by
 * store_history_encode, from the text of their "date" members alone. Returns MYNT_OK and *out_count; MYNT_PARSE for
 * bytes that are not zlib or not such an array, MYNT_TOO_LARGE, MYNT_NOMEM (*out_count then 0). */
mynt_status store_history_count_dates(const unsigned char *z, size_t len, const char *start_date, const char *end_date,
                                      size_t *out_count);

/* The merge store_history_read does with its Query's answers, without the Query (bench/capacity times it): the
 * answers' bucket items (DynamoDB's wire shape, newest sk first, as ScanIndexForward false reads them) are decoded
 * and each month's transactions of q's range and items merged newest first into one array. */
typedef struct store_history_merge store_history_merge;

/* Starts a merge for q (borrowed; it must outlive the merge). Returns MYNT_OK and *out_merge
 * (store_history_merge_free), MYNT_BAD_REQUEST for an invalid q->start_date, or MYNT_NOMEM; *out_merge is then
 * NULL. */
mynt_status store_history_merge_new(const store_history_query *q, store_history_merge **out_merge);

/* Adds one Query page's Items (a JSON array, borrowed) in the order read. Returns MYNT_OK with *out_done true once
 * q->want transactions are gathered and a bucket of an older month was seen (the rest need not be read; later
 * pages are then ignored); MYNT_INTERNAL for a malformed key or a bucket that does not decode; MYNT_NOMEM. */
mynt_status store_history_merge_page(store_history_merge *g, const json_t *items, bool *out_done);

/* Adds one decoded bucket: item_id's transactions (txns, an array, stolen) of month ("YYYY-MM", or a key's text
 * starting with it), read after every newer month's buckets. What store_history_merge_page does with each bucket
 * record once decoded (bench/capacity times the merge alone with it). Returns MYNT_OK with *out_done as
 * store_history_merge_page's (txns is then dropped, as it is for an item not among q->item_ids), or MYNT_NOMEM. */
mynt_status store_history_merge_bucket(store_history_merge *g, const char *month, const char *item_id, json_t *txns,
                                       bool *out_done);

/* Ends the merge: *out_txns (caller json_decref; store_history_read's answer) and *out_complete (whether every
 * month of the range was read: true unless *out_done was answered before the range's first month). Call it once;
 * returns MYNT_OK or MYNT_NOMEM (*out_txns then NULL). */
mynt_status store_history_merge_end(store_history_merge *g, json_t **out_txns, bool *out_complete);

/* Frees g and what it still holds. Accepts NULL. */
void store_history_merge_free(store_history_merge *g);

/* The Limit of page page_index (0 = the first) of store_history_read's Query over n_item_ids
 * items: n_item_ids + 1 first (one month of every item and the next month's first bucket, so the
 * month is known complete without a second page), doubling after each page up to 100. Exposed for
 * bench/capacity. */
size_t store_history_page_limit(size_t n_item_ids, unsigned page_index);

/* Deletes every TXN# bucket of item_id (a Query of the user's TXN# keys, then BatchWriteItem
 * deletes, UnprocessedItems retried with backoff within the deadline). Other items' buckets stay.
 * Returns MYNT_OK (also when there were none), MYNT_TIMEOUT when unprocessed deletes remain at
 * the deadline, or a store status. */
mynt_status store_history_delete_item(store *s, const char *user_id, const char *item_id, int64_t deadline_ms);

/* Encodes one bucket's transactions (an array, borrowed): compress2 of its compact JSON. Returns
 * MYNT_OK and *out (malloc'd, caller free) of *out_len bytes; MYNT_BAD_REQUEST when txns is not
 * an array, MYNT_TOO_LARGE past STORE_HISTORY_BUCKET_JSON_MAX, MYNT_NOMEM. */
mynt_status store_history_encode(const json_t *txns, unsigned char **out, size_t *out_len);

/* Decodes z[0..len) made by store_history_encode. Returns MYNT_OK and *out_txns (an array,
 * caller json_decref); MYNT_PARSE for bytes that are not zlib or not a JSON array,
 * MYNT_TOO_LARGE past STORE_HISTORY_BUCKET_JSON_MAX, MYNT_NOMEM; *out_txns is then NULL. */
mynt_status store_history_decode(const unsigned char *z, size_t len, json_t **out_txns);

/* DynamoDB's sizing rules
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html,
 * .../CapacityUnitCalculations.html): */

/* Returns the size in bytes DynamoDB counts for an item given as an attribute-value map (the
 * wire shape, e.g. {"sk":{"S":"..."},"z":{"B":"<base64>"}}): per attribute its name's UTF-8
 * length plus its value's size (S: UTF-8 bytes; B: raw bytes; N: 1 byte per two significant
 * digits + 1; BOOL, NULL: 1; M, L: 3 + per element 1 + its size, a map's element counting its
 * name too). 0 for something that is not such a map. */
size_t store_history_item_bytes(const json_t *attribute_map);

/* Returns the write units of writing (or deleting) one item of item_bytes: ceil(bytes / 1024),
 * at least 1; twice that inside a transaction. */
int64_t store_history_write_units(size_t item_bytes, bool transactional);

/* Returns the read units of reading bytes (one GetItem's item, or the sum of all items one Query
 * page read): ceil(bytes / 4096), at least 1, halved when eventually_consistent. */
double store_history_read_units(size_t bytes, bool eventually_consistent);

#endif
