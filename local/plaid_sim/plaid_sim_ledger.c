/* plaid_sim_ledger.c - per-item live transactions and change logs behind one mutex; cursors sealed with an HMAC. */
#include "local/plaid_sim/plaid_sim_ledger.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/b64.h"
#include "core/wipe.h"

/* A live transaction: logged = its addition is in the log; from_sim = /sim made it. */
typedef struct {
  plaid_data_txn txn;
  bool logged;
  bool from_sim;
} s_live;

typedef char s_id[PLAID_DATA_ID_LEN + 1];

typedef struct {
  char item_id[PLAID_DATA_ID_LEN + 1];
  int days_requested;
  int32_t today; /* the day the live set is up to date with */
  plaid_sim_history history;
  bool mutation_armed;
  bool synced; /* /transactions/sync has been called for the item */
  s_live *live;
  size_t live_count, live_cap;
  plaid_sim_ledger_entry *log;
  size_t log_count, log_cap;
  s_id *touched; /* generated ids /sim changed: the generator no longer speaks for them */
  size_t touched_count, touched_cap;
  int64_t posted_delta[PLAID_DATA_ACCOUNT_COUNT]; /* what /sim changed, in cents */
  int64_t pending_delta[PLAID_DATA_ACCOUNT_COUNT];
} s_book;

struct plaid_sim_ledger {
  pthread_mutex_t lock;
  unsigned char key[32];
  s_book **books;
  size_t book_count, book_cap;
};

/* Cursor bytes: version, position (4, big-endian), account (255 = all), has_more, 16 of HMAC. */
#define S_CURSOR_VERSION 1
#define S_CURSOR_BODY    7
#define S_CURSOR_BYTES   (S_CURSOR_BODY + 16)
#define S_ALL_ACCOUNTS   255

/* Grows *v so it holds at least need elements of size bytes. */
static mynt_status s_grow(void **v, size_t *cap, size_t need, size_t size)
{
  if(need <= *cap)
    return MYNT_OK;
  size_t next = *cap ? *cap : 64;
  while(next < need)
    next *= 2;
  void *p = realloc(*v, next * size);
  if(!p)
    return MYNT_NOMEM;
  *v = p;
  *cap = next;
  return MYNT_OK;
}

/* Newest first: date descending, then transaction_id ascending (the order /transactions/get uses). */
static int s_newer(const plaid_data_txn *x, const plaid_data_txn *y)
{
  if(x->date != y->date)
    return x->date > y->date ? -1 : 1;
  return strcmp(x->transaction_id, y->transaction_id);
}

static int s_cmp_txn(const void *a, const void *b)
{
  return s_newer(a, b);
}

static int s_cmp_live_ptr(const void *a, const void *b)
{
  return s_newer(&(*(s_live *const *)a)->txn, &(*(s_live *const *)b)->txn);
}

static int s_cmp_txn_ptr_by_id(const void *a, const void *b)
{
  return strcmp((*(const plaid_data_txn *const *)a)->transaction_id,
                (*(const plaid_data_txn *const *)b)->transaction_id);
}

mynt_status plaid_sim_ledger_new(plaid_sim_ledger **out)
{
  *out = NULL;
  plaid_sim_ledger *l = calloc(1, sizeof *l);
  if(!l)
    return MYNT_NOMEM;
  if(RAND_bytes(l->key, sizeof l->key) != 1) {
    free(l);
    return MYNT_INTERNAL;
  }
  if(pthread_mutex_init(&l->lock, NULL) != 0) {
    free(l);
    return MYNT_NOMEM;
  }
  *out = l;
  return MYNT_OK;
}

static void s_book_free(s_book *b)
{
  if(!b)
    return;
  free(b->live);
  free(b->log);
  free(b->touched);
  free(b);
}

void plaid_sim_ledger_free(plaid_sim_ledger *ledger)
{
  if(!ledger)
    return;
  for(size_t i = 0; i < ledger->book_count; i++)
    s_book_free(ledger->books[i]);
  free(ledger->books);
  pthread_mutex_destroy(&ledger->lock);
  mynt_wipe(ledger->key, sizeof ledger->key);
  free(ledger);
}

/* ---- one item's book (the caller holds the lock) ---- */

static s_live *s_find(s_book *b, const char *transaction_id)
{
  for(size_t i = 0; i < b->live_count; i++)
    if(strcmp(b->live[i].txn.transaction_id, transaction_id) == 0)
      return &b->live[i];
  return NULL;
}

static bool s_touched(const s_book *b, const char *transaction_id)
{
  for(size_t i = 0; i < b->touched_count; i++)
    if(strcmp(b->touched[i], transaction_id) == 0)
      return true;
  return false;
}

/* Appends to the log; capacity must have been reserved. */
static void s_log(s_book *b, plaid_sim_change_kind kind, const plaid_data_txn *t)
{
  b->log[b->log_count].kind = kind;
  b->log[b->log_count].txn = *t;
  b->log_count++;
}

/* Drops live[i] (order does not matter), logging the removal when its addition was logged. */
static void s_drop(s_book *b, size_t i)
{
  if(b->live[i].logged)
    s_log(b, PLAID_SIM_CHANGE_REMOVED, &b->live[i].txn);
  b->live[i] = b->live[--b->live_count];
}

/* Logs the additions the history level lets through, newest first. */
static mynt_status s_deliver(s_book *b)
{
  if(b->history == PLAID_SIM_HISTORY_NONE)
    return MYNT_OK;
  const int32_t initial_start = b->today - PLAID_SIM_LEDGER_INITIAL_DAYS;
  s_live **ready = malloc((b->live_count ? b->live_count : 1) * sizeof *ready);
  if(!ready)
    return MYNT_NOMEM;
  size_t n = 0;
  for(size_t i = 0; i < b->live_count; i++)
    if(!b->live[i].logged && (b->history == PLAID_SIM_HISTORY_COMPLETE || b->live[i].txn.date >= initial_start))
      ready[n++] = &b->live[i];
  mynt_status st = s_grow((void **)&b->log, &b->log_cap, b->log_count + n, sizeof *b->log);
  if(!st) {
    qsort(ready, n, sizeof *ready, s_cmp_live_ptr);
    for(size_t i = 0; i < n; i++) {
      s_log(b, PLAID_SIM_CHANGE_ADDED, &ready[i]->txn);
      ready[i]->logged = true;
    }
  }
  free(ready);
  return st;
}

/* Returns txn pointers of data sorted by id (for bsearch), or NULL when out of memory. */
static const plaid_data_txn **s_by_id(const plaid_data_item *data)
{
  const plaid_data_txn **v = malloc((data->txn_count ? data->txn_count : 1) * sizeof *v);
  if(!v)
    return NULL;
  for(size_t i = 0; i < data->txn_count; i++)
    v[i] = &data->txns[i];
  qsort(v, data->txn_count, sizeof *v, s_cmp_txn_ptr_by_id);
  return v;
}

static bool s_has_id(const plaid_data_txn **sorted, size_t n, const char *transaction_id)
{
  plaid_data_txn key;
  memcpy(key.transaction_id, transaction_id, sizeof key.transaction_id);
  const plaid_data_txn *k = &key;
  return bsearch(&k, sorted, n, sizeof *sorted, s_cmp_txn_ptr_by_id) != NULL;
}

/* Brings the book from b->today to today: what the generator posted or added in between is
 * appended (a posting as a removal of the pending id plus an addition), what left the item's
 * window of days_requested is removed. Transactions /sim touched are left to /sim. */
static mynt_status s_roll(s_book *b, const plaid_sim_item *item, int32_t today)
{
  plaid_data_item before = {0}, now = {0};
  const plaid_data_txn **before_ids = NULL, **now_ids = NULL;
  mynt_status st = plaid_data_generate(item->institution_id, item->seed, b->today, &before);
  if(!st)
    st = plaid_data_generate(item->institution_id, item->seed, today, &now);
  if(st)
    goto cleanup;
  before_ids = s_by_id(&before);
  now_ids = s_by_id(&now);
  if(!before_ids || !now_ids ||
     s_grow((void **)&b->live, &b->live_cap, b->live_count + now.txn_count, sizeof *b->live) ||
     s_grow((void **)&b->log, &b->log_cap, b->log_count + b->live_count + now.txn_count, sizeof *b->log)) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  const int32_t earliest = today - item->days_requested;
  for(size_t i = b->live_count; i-- > 0;) {
    const plaid_data_txn *t = &b->live[i].txn;
    bool gone = t->date < earliest;
    if(!gone && !b->live[i].from_sim && !s_touched(b, t->transaction_id))
      gone = !s_has_id(now_ids, now.txn_count, t->transaction_id);
    if(gone)
      s_drop(b, i);
  }
  for(size_t i = 0; i < now.txn_count; i++) {
    const plaid_data_txn *t = &now.txns[i];
    if(t->date < earliest || s_has_id(before_ids, before.txn_count, t->transaction_id) ||
       s_touched(b, t->transaction_id) || (t->pending_transaction_id[0] && s_touched(b, t->pending_transaction_id)))
      continue;
    b->live[b->live_count++] = (s_live){.txn = *t};
  }
  b->today = today;
  st = s_deliver(b);
cleanup:
  free(before_ids);
  free(now_ids);
  plaid_data_item_free(&before);
  plaid_data_item_free(&now);
  return st;
}

/* A new book holding the item's generated window as of today, nothing logged yet. */
static mynt_status s_book_new(const plaid_sim_item *item, int32_t today, s_book **out)
{
  plaid_data_item data = {0};
  s_book *b = calloc(1, sizeof *b);
  if(!b)
    return MYNT_NOMEM;
  mynt_status st = plaid_data_generate(item->institution_id, item->seed, today, &data);
  if(!st)
    st = s_grow((void **)&b->live, &b->live_cap, data.txn_count, sizeof *b->live);
  if(st)
    goto cleanup;
  memcpy(b->item_id, item->item_id, sizeof b->item_id);
  b->days_requested = item->days_requested;
  b->today = today;
  b->history = PLAID_SIM_HISTORY_COMPLETE;
  for(size_t i = 0; i < data.txn_count; i++)
    if(data.txns[i].date >= today - item->days_requested)
      b->live[b->live_count++] = (s_live){.txn = data.txns[i]};
  *out = b;
  b = NULL;
cleanup:
  s_book_free(b);
  plaid_data_item_free(&data);
  return st;
}

/* Takes the lock and finds the item's book (making it when create), brought up to today.
 * Returns MYNT_OK with *out (NULL when there is none and !create); the caller unlocks always. */
static mynt_status s_lock_book(plaid_sim_ledger *l, const plaid_sim_item *item, int32_t today, bool create,
                               bool deliver, s_book **out)
{
  *out = NULL;
  pthread_mutex_lock(&l->lock);
  s_book *b = NULL;
  for(size_t i = 0; i < l->book_count && !b; i++)
    if(strcmp(l->books[i]->item_id, item->item_id) == 0)
      b = l->books[i];
  if(!b) {
    if(!create)
      return MYNT_OK;
    mynt_status st = s_grow((void **)&l->books, &l->book_cap, l->book_count + 1, sizeof *l->books);
    if(!st)
      st = s_book_new(item, today, &b);
    if(st)
      return st;
    l->books[l->book_count++] = b;
    if(deliver && (st = s_deliver(b)))
      return st;
  }
  else if(today > b->today) {
    mynt_status st = s_roll(b, item, today);
    if(st)
      return st;
  }
  *out = b;
  return MYNT_OK;
}

/* ---- live data for /transactions/get and /accounts/get ---- */

mynt_status plaid_sim_ledger_overlay(plaid_sim_ledger *ledger, const plaid_sim_item *item, plaid_data_item *data)
{
  s_book *b;
  mynt_status st = s_lock_book(ledger, item, data->today, false, true, &b);
  if(st || !b)
    goto unlock;
  plaid_data_txn *txns = malloc((b->live_count ? b->live_count : 1) * sizeof *txns);
  if(!txns) {
    st = MYNT_NOMEM;
    goto unlock;
  }
  for(size_t i = 0; i < b->live_count; i++)
    txns[i] = b->live[i].txn;
  qsort(txns, b->live_count, sizeof *txns, s_cmp_txn);
  plaid_data_item_free(data);
  data->txns = txns;
  data->txn_count = b->live_count;
  /* Depository: current = opening - posted; the card: current = opening + posted (owed). */
  for(int a = 0; a < PLAID_DATA_ACCOUNT_COUNT; a++) {
    plaid_data_account *acc = &data->accounts[a];
    const int64_t posted = a == PLAID_DATA_CARD ? b->posted_delta[a] : -b->posted_delta[a];
    acc->current_cents += posted;
    acc->available_cents += a == PLAID_DATA_CARD ? -posted - b->pending_delta[a] : posted - b->pending_delta[a];
  }
unlock:
  pthread_mutex_unlock(&ledger->lock);
  return st;
}

/* ---- cursors ---- */

static void s_cursor_mac(const plaid_sim_ledger *l, const char *item_id, const unsigned char body[S_CURSOR_BODY],
                         unsigned char out[32])
{
  unsigned char input[PLAID_DATA_ID_LEN + S_CURSOR_BODY];
  const size_t id_len = strlen(item_id);
  memcpy(input, item_id, id_len);
  memcpy(input + id_len, body, S_CURSOR_BODY);
  unsigned int len = 0;
  HMAC(EVP_sha256(), l->key, (int)sizeof l->key, input, id_len + S_CURSOR_BODY, out, &len);
}

static void s_cursor_encode(const plaid_sim_ledger *l, const char *item_id, size_t position, int account, bool has_more,
                            char out[PLAID_SIM_CURSOR_MAX])
{
  unsigned char bytes[S_CURSOR_BYTES], mac[32];
  bytes[0] = S_CURSOR_VERSION;
  for(int i = 0; i < 4; i++)
    bytes[1 + i] = (unsigned char)(position >> (24 - 8 * i));
  bytes[5] = account < 0 ? S_ALL_ACCOUNTS : (unsigned char)account;
  bytes[6] = has_more;
  s_cursor_mac(l, item_id, bytes, mac);
  memcpy(bytes + S_CURSOR_BODY, mac, S_CURSOR_BYTES - S_CURSOR_BODY);
  if(b64_url_encode(bytes, sizeof bytes, out, PLAID_SIM_CURSOR_MAX))
    out[0] = '\0';
}

/* Reads a cursor this ledger issued for item_id and account into its position and has_more. */
static bool s_cursor_decode(const plaid_sim_ledger *l, const char *item_id, const char *text, int account,
                            size_t *out_position, bool *out_has_more)
{
  unsigned char bytes[S_CURSOR_BYTES + 1], mac[32];
  size_t len = 0;
  if(strlen(text) >= PLAID_SIM_CURSOR_MAX || b64_url_decode(text, strlen(text), bytes, sizeof bytes, &len) ||
     len != S_CURSOR_BYTES || bytes[0] != S_CURSOR_VERSION)
    return false;
  s_cursor_mac(l, item_id, bytes, mac);
  if(CRYPTO_memcmp(mac, bytes + S_CURSOR_BODY, S_CURSOR_BYTES - S_CURSOR_BODY) != 0)
    return false;
  if(bytes[5] != (account < 0 ? S_ALL_ACCOUNTS : account))
    return false;
  *out_position = (size_t)bytes[1] << 24 | (size_t)bytes[2] << 16 | (size_t)bytes[3] << 8 | bytes[4];
  *out_has_more = bytes[6] != 0;
  return true;
}

/* ---- /transactions/sync ---- */

mynt_status plaid_sim_ledger_page_get(plaid_sim_ledger *ledger, const plaid_sim_item *item, int32_t today,
                                      const char *cursor, int account, int count, plaid_sim_ledger_page *out,
                                      mynt_detail *detail)
{
  s_book *b;
  memset(out, 0, sizeof *out);
  mynt_status st = s_lock_book(ledger, item, today, true, true, &b);
  if(st)
    goto unlock;
  b->synced = true;
  out->history = b->history;
  size_t position = 0;
  bool cursor_has_more = false;
  if(cursor && strcmp(cursor, "now") == 0) {
    position = b->log_count;
  }
  else if(cursor && *cursor) {
    if(!s_cursor_decode(ledger, item->item_id, cursor, account, &position, &cursor_has_more) ||
       position > b->log_count) {
      st = mynt_fail(detail, MYNT_BAD_REQUEST, "cursor not valid");
      goto unlock;
    }
  }
  if(cursor_has_more && b->mutation_armed) {
    b->mutation_armed = false;
    st = mynt_fail(detail, MYNT_CONFLICT,
                   "Underlying transaction data changed since last page was fetched. Please restart pagination "
                   "from last update.");
    goto unlock;
  }
  if(b->history == PLAID_SIM_HISTORY_NONE && b->log_count == 0)
    goto unlock; /* NOT_READY: nothing yet, and the empty cursor */
  out->entries = malloc((size_t)count * sizeof *out->entries);
  if(!out->entries) {
    st = MYNT_NOMEM;
    goto unlock;
  }
  size_t i = position;
  for(; i < b->log_count && out->count < (size_t)count; i++)
    if(account < 0 || (int)b->log[i].txn.account == account)
      out->entries[out->count++] = b->log[i];
  for(size_t j = i; j < b->log_count && !out->has_more; j++)
    out->has_more = account < 0 || (int)b->log[j].txn.account == account;
  s_cursor_encode(ledger, item->item_id, out->has_more ? i : b->log_count, account, out->has_more, out->next_cursor);
unlock:
  pthread_mutex_unlock(&ledger->lock);
  if(st)
    plaid_sim_ledger_page_free(out);
  return st;
}

void plaid_sim_ledger_page_free(plaid_sim_ledger_page *page)
{
  if(!page)
    return;
  free(page->entries);
  page->entries = NULL;
  page->count = 0;
}

/* ---- changes from /sim and /sandbox/transactions/create ---- */

/* A transaction the generator never made: categorised as plain spending or a deposit. */
static void s_custom_txn(const plaid_sim_new_txn *n, const char *transaction_id, plaid_data_txn *t)
{
  const bool deposit = n->amount_cents < 0;
  memset(t, 0, sizeof *t);
  memcpy(t->transaction_id, transaction_id, sizeof t->transaction_id);
  snprintf(t->name, sizeof t->name, "%s", n->name);
  t->account = n->account;
  t->amount_cents = n->amount_cents;
  t->date = n->date;
  t->authorized_date = n->authorized_date;
  t->pending = n->pending;
  t->payment_channel = "other";
  t->transaction_type = "special";
  t->pfc_primary = deposit ? "TRANSFER_IN" : "GENERAL_MERCHANDISE";
  t->pfc_detailed = deposit ? "TRANSFER_IN_DEPOSIT" : "GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE";
  t->pfc_confidence = "LOW";
  t->category[0] = deposit ? "Transfer" : "Shops";
  t->category[1] = deposit ? "Deposit" : NULL;
  t->category_id = deposit ? "21007000" : "19000000";
}

static void s_move_balance(s_book *b, const plaid_data_txn *t, int sign)
{
  int64_t *delta = t->pending ? b->pending_delta : b->posted_delta;
  delta[t->account] += sign * t->amount_cents;
}

static void s_touch(s_book *b, const s_live *l)
{
  if(!l->from_sim && !s_touched(b, l->txn.transaction_id))
    memcpy(b->touched[b->touched_count++], l->txn.transaction_id, sizeof(s_id));
}

/* Checks every change against the book before anything happens. */
static mynt_status s_check(s_book *b, const plaid_sim_changes *c, mynt_detail *detail)
{
  const int32_t earliest = b->today - b->days_requested;
  for(size_t i = 0; i < c->added_count; i++) {
    const plaid_sim_new_txn *n = &c->added[i];
    if(n->date < earliest || n->date > b->today || n->authorized_date < earliest || n->authorized_date > n->date)
      return mynt_fail(detail, MYNT_BAD_REQUEST,
                       "added[%zu]: dates must be within the item's history, not after today, and authorized on or "
                       "before the posted date",
                       i);
  }
  const size_t edits = c->modified_count + c->removed_count;
  for(size_t i = 0; i < edits; i++) {
    const bool is_edit = i < c->modified_count;
    const char *id = is_edit ? c->modified[i].transaction_id : c->removed[i - c->modified_count];
    const char *where = is_edit ? "modified" : "removed";
    const size_t at = is_edit ? i : i - c->modified_count;
    const s_live *l = s_find(b, id);
    if(!l)
      return mynt_fail(detail, MYNT_BAD_REQUEST, "%s[%zu]: %s is not a transaction of this item", where, at, id);
    for(size_t j = 0; j < i; j++)
      if(strcmp(id, j < c->modified_count ? c->modified[j].transaction_id : c->removed[j - c->modified_count]) == 0)
        return mynt_fail(detail, MYNT_BAD_REQUEST, "%s[%zu]: %s is changed twice in one request", where, at, id);
    if(!is_edit)
      continue;
    const plaid_sim_txn_edit *e = &c->modified[i];
    if(e->post && !l->txn.pending)
      return mynt_fail(detail, MYNT_BAD_REQUEST, "modified[%zu]: %s is not pending", at, id);
    if(e->set_date && (e->date < earliest || e->date > b->today || e->date < l->txn.authorized_date))
      return mynt_fail(detail, MYNT_BAD_REQUEST,
                       "modified[%zu]: date must be within the item's history, not after today, and not before the "
                       "authorized date",
                       at);
  }
  return MYNT_OK;
}

/* Applies one edit (checked and with room reserved). */
static void s_edit(s_book *b, const plaid_sim_txn_edit *e, const char *posted_id)
{
  s_live *l = s_find(b, e->transaction_id);
  plaid_data_txn t = l->txn;
  if(e->set_amount)
    t.amount_cents = e->amount_cents;
  if(e->set_name)
    snprintf(t.name, sizeof t.name, "%s", e->name);
  if(e->set_date)
    t.date = e->date;
  s_touch(b, l);
  s_move_balance(b, &l->txn, -1);
  if(e->post) {
    memcpy(t.pending_transaction_id, t.transaction_id, sizeof t.pending_transaction_id);
    memcpy(t.transaction_id, posted_id, sizeof t.transaction_id);
    t.pending = false;
    if(!e->set_date)
      t.date = b->today;
    s_drop(b, (size_t)(l - b->live));
    b->live[b->live_count++] = (s_live){.txn = t, .from_sim = true};
  }
  else {
    l->txn = t;
    if(l->logged)
      s_log(b, PLAID_SIM_CHANGE_MODIFIED, &t);
  }
  s_move_balance(b, &t, 1);
}

mynt_status plaid_sim_ledger_apply(plaid_sim_ledger *ledger, const plaid_sim_item *item, int32_t today,
                                   const plaid_sim_changes *changes, char (*out_added_ids)[PLAID_DATA_ID_LEN + 1],
                                   char (*out_posted_ids)[PLAID_DATA_ID_LEN + 1], mynt_detail *detail)
{
  const plaid_sim_changes *c = changes;
  s_book *b;
  mynt_status st = s_lock_book(ledger, item, today, true, true, &b);
  if(!st)
    st = s_check(b, c, detail);
  for(size_t i = 0; !st && i < c->added_count; i++)
    st = plaid_sim_store_random_id(out_added_ids[i], PLAID_DATA_ID_LEN);
  for(size_t i = 0; !st && i < c->modified_count; i++) {
    out_posted_ids[i][0] = '\0';
    if(c->modified[i].post)
      st = plaid_sim_store_random_id(out_posted_ids[i], PLAID_DATA_ID_LEN);
  }
  const size_t edits = c->modified_count + c->removed_count;
  if(!st &&
     (s_grow((void **)&b->live, &b->live_cap, b->live_count + c->added_count + c->modified_count, sizeof *b->live) ||
      s_grow((void **)&b->log, &b->log_cap, b->log_count + c->added_count + 2 * edits, sizeof *b->log) ||
      s_grow((void **)&b->touched, &b->touched_cap, b->touched_count + edits, sizeof *b->touched)))
    st = MYNT_NOMEM;
  if(st)
    goto unlock;
  for(size_t i = 0; i < c->added_count; i++) {
    s_live *l = &b->live[b->live_count++];
    *l = (s_live){.from_sim = true};
    s_custom_txn(&c->added[i], out_added_ids[i], &l->txn);
    s_move_balance(b, &l->txn, 1);
  }
  for(size_t i = 0; i < c->modified_count; i++)
    s_edit(b, &c->modified[i], out_posted_ids[i]);
  for(size_t i = 0; i < c->removed_count; i++) {
    s_live *l = s_find(b, c->removed[i]);
    s_touch(b, l);
    s_move_balance(b, &l->txn, -1);
    s_drop(b, (size_t)(l - b->live));
  }
  st = s_deliver(b);
unlock:
  pthread_mutex_unlock(&ledger->lock);
  return st;
}

mynt_status plaid_sim_ledger_configure(plaid_sim_ledger *ledger, const plaid_sim_item *item, int32_t today, int history,
                                       int arm_mutation, plaid_sim_ledger_status *out, mynt_detail *detail)
{
  static const char *const names[] = {"none", "initial", "complete"};
  s_book *b;
  /* A book made here has logged nothing yet, so its history can still start at "none". */
  mynt_status st = s_lock_book(ledger, item, today, true, false, &b);
  if(st)
    goto unlock;
  const bool fresh = b->log_count == 0 && b->history == PLAID_SIM_HISTORY_COMPLETE;
  out->previous_history = b->history;
  if(history >= 0 && history < (int)b->history && !fresh) {
    st = mynt_fail(detail, MYNT_BAD_REQUEST, "history cannot go back from \"%s\" to \"%s\"", names[b->history],
                   names[history]);
    goto unlock;
  }
  if(history >= 0)
    b->history = (plaid_sim_history)history;
  if(arm_mutation >= 0)
    b->mutation_armed = arm_mutation != 0;
  if((st = s_deliver(b)))
    goto unlock;
  out->history = b->history;
  out->mutation_armed = b->mutation_armed;
  out->synced = b->synced;
  out->log_count = b->log_count;
  out->transaction_count = b->live_count;
unlock:
  pthread_mutex_unlock(&ledger->lock);
  return st;
}

bool plaid_sim_ledger_synced(plaid_sim_ledger *ledger, const char *item_id, plaid_sim_history *out_history)
{
  bool synced = false;
  *out_history = PLAID_SIM_HISTORY_COMPLETE;
  pthread_mutex_lock(&ledger->lock);
  for(size_t i = 0; i < ledger->book_count; i++) {
    if(strcmp(ledger->books[i]->item_id, item_id) == 0) {
      synced = ledger->books[i]->synced;
      *out_history = ledger->books[i]->history;
      break;
    }
  }
  pthread_mutex_unlock(&ledger->lock);
  return synced;
}
