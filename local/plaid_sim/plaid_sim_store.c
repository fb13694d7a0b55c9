/* plaid_sim_store.c - the Plaid simulator's tokens, items and faults in memory, guarded by one mutex. */
#include "local/plaid_sim/plaid_sim_store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

typedef struct {
  plaid_sim_item item;
  char access_token[PLAID_SIM_TOKEN_MAX];
  bool has_fault;
  plaid_sim_fault fault;
} s_item_slot;

/* A short-lived token: a link token and its settings, or a public token and the item it opens. */
typedef struct {
  char token[PLAID_SIM_TOKEN_MAX];
  int64_t expires_ms;
  bool is_public;
  plaid_sim_link link;                 /* link tokens */
  char item_id[PLAID_DATA_ID_LEN + 1]; /* public tokens */
} s_token_slot;

struct plaid_sim_store {
  pthread_mutex_t lock;
  s_item_slot *items;
  size_t item_count, item_cap;
  s_token_slot *tokens; /* link and public tokens */
  size_t token_count, token_cap;
};

/* Makes room for one more element in a growable array. */
static mynt_status s_reserve(void **v, size_t count, size_t *cap, size_t size)
{
  if(count < *cap)
    return MYNT_OK;
  size_t next = *cap ? *cap * 2 : 16;
  void *p = realloc(*v, next * size);
  if(!p)
    return MYNT_NOMEM;
  *v = p;
  *cap = next;
  return MYNT_OK;
}

mynt_status plaid_sim_store_new(plaid_sim_store **out)
{
  *out = NULL;
  plaid_sim_store *store = calloc(1, sizeof *store);
  if(!store)
    return MYNT_NOMEM;
  if(pthread_mutex_init(&store->lock, NULL) != 0) {
    free(store);
    return MYNT_NOMEM;
  }
  *out = store;
  return MYNT_OK;
}

void plaid_sim_store_free(plaid_sim_store *store)
{
  if(!store)
    return;
  pthread_mutex_destroy(&store->lock);
  free(store->items);
  free(store->tokens);
  free(store);
}

mynt_status plaid_sim_store_token(const char *prefix, char out[PLAID_SIM_TOKEN_MAX])
{
  unsigned char b[16];
  if(RAND_bytes(b, sizeof b) != 1)
    return MYNT_INTERNAL;
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  snprintf(out, PLAID_SIM_TOKEN_MAX, "%s%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", prefix,
           b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return MYNT_OK;
}

mynt_status plaid_sim_store_random_id(char *out, size_t len)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char b[64];
  size_t done = 0;
  while(done < len) {
    if(RAND_bytes(b, sizeof b) != 1)
      return MYNT_INTERNAL;
    for(size_t i = 0; i < sizeof b && done < len; i++)
      if(b[i] < 248) /* 248 = 4 * 62: keeps the characters uniform */
        out[done++] = alphabet[b[i] % 62];
  }
  out[len] = '\0';
  return MYNT_OK;
}

static s_item_slot *s_item_by_id(plaid_sim_store *store, const char *item_id)
{
  for(size_t i = 0; i < store->item_count; i++)
    if(strcmp(store->items[i].item.item_id, item_id) == 0)
      return &store->items[i];
  return NULL;
}

static s_item_slot *s_item_by_token(plaid_sim_store *store, const char *access_token)
{
  for(size_t i = 0; i < store->item_count; i++)
    if(strcmp(store->items[i].access_token, access_token) == 0)
      return &store->items[i];
  return NULL;
}

/* Makes a new token with prefix into slot->token, takes the store's lock, drops the tokens that
 * have expired by now_ms, and saves slot (a public token only while its item is live), copying its
 * token to out_token. MYNT_OK, MYNT_NOT_FOUND, MYNT_NOMEM, MYNT_INTERNAL. */
static mynt_status s_add_token(plaid_sim_store *store, const char *prefix, int64_t now_ms, s_token_slot *slot,
                               char out_token[PLAID_SIM_TOKEN_MAX])
{
  mynt_status st = plaid_sim_store_token(prefix, slot->token);
  if(st)
    return st;
  pthread_mutex_lock(&store->lock);
  size_t kept = 0;
  for(size_t i = 0; i < store->token_count; i++)
    if(store->tokens[i].expires_ms > now_ms)
      store->tokens[kept++] = store->tokens[i];
  store->token_count = kept;
  if(slot->is_public) {
    const s_item_slot *item = s_item_by_id(store, slot->item_id);
    if(!item || item->item.removed)
      st = MYNT_NOT_FOUND;
  }
  if(!st)
    st = s_reserve((void **)&store->tokens, store->token_count, &store->token_cap, sizeof *store->tokens);
  if(!st) {
    store->tokens[store->token_count++] = *slot;
    memcpy(out_token, slot->token, PLAID_SIM_TOKEN_MAX);
  }
  pthread_mutex_unlock(&store->lock);
  return st;
}

mynt_status plaid_sim_store_add_link(plaid_sim_store *store, const plaid_sim_link *link, int64_t now_ms,
                                     char out_token[PLAID_SIM_TOKEN_MAX])
{
  s_token_slot slot = {.expires_ms = link->expires_ms, .link = *link};
  return s_add_token(store, "link-sandbox-", now_ms, &slot, out_token);
}

mynt_status plaid_sim_store_find_link(plaid_sim_store *store, const char *token, int64_t now_ms, plaid_sim_link *out)
{
  mynt_status st = MYNT_NOT_FOUND;
  pthread_mutex_lock(&store->lock);
  for(size_t i = 0; i < store->token_count; i++) {
    const s_token_slot *slot = &store->tokens[i];
    if(!slot->is_public && strcmp(slot->token, token) == 0 && slot->expires_ms > now_ms) {
      *out = slot->link;
      st = MYNT_OK;
      break;
    }
  }
  pthread_mutex_unlock(&store->lock);
  return st;
}

/* The n-th item's seed when the caller names none: a hash of the institution and n. */
static uint64_t s_auto_seed(const char *institution_id, size_t n)
{
  unsigned char digest[SHA256_DIGEST_LENGTH];
  char input[64];
  int len = snprintf(input, sizeof input, "plaid-sim|%s|%zu", institution_id, n);
  SHA256((const unsigned char *)input, (size_t)len, digest);
  uint64_t seed = 0;
  for(int i = 0; i < 8; i++)
    seed = seed << 8 | digest[i];
  return seed & PLAID_SIM_SEED_MAX;
}

mynt_status plaid_sim_store_add_item(plaid_sim_store *store, const plaid_sim_item *tmpl, bool has_seed, int64_t now_ms,
                                     plaid_sim_item *out)
{
  s_item_slot slot;
  memset(&slot, 0, sizeof slot);
  slot.item = *tmpl;
  slot.item.created_ms = now_ms;
  slot.item.removed = false;
  slot.item.login_required = false;
  mynt_status st = plaid_sim_store_random_id(slot.item.item_id, PLAID_DATA_ID_LEN);
  if(!st)
    st = plaid_sim_store_token("access-sandbox-", slot.access_token);
  if(st)
    return st;
  pthread_mutex_lock(&store->lock);
  if(!has_seed)
    slot.item.seed = s_auto_seed(tmpl->institution_id, store->item_count + 1);
  st = s_reserve((void **)&store->items, store->item_count, &store->item_cap, sizeof *store->items);
  if(!st) {
    store->items[store->item_count++] = slot;
    *out = slot.item;
  }
  pthread_mutex_unlock(&store->lock);
  return st;
}

mynt_status plaid_sim_store_add_public(plaid_sim_store *store, const char *item_id, int64_t now_ms,
                                       char out_token[PLAID_SIM_TOKEN_MAX])
{
  s_token_slot slot = {.expires_ms = now_ms + PLAID_SIM_PUBLIC_TTL_MS, .is_public = true};
  snprintf(slot.item_id, sizeof slot.item_id, "%s", item_id);
  return s_add_token(store, "public-sandbox-", now_ms, &slot, out_token);
}

mynt_status plaid_sim_store_exchange(plaid_sim_store *store, const char *public_token, int64_t now_ms,
                                     char out_access_token[PLAID_SIM_TOKEN_MAX],
                                     char out_item_id[PLAID_DATA_ID_LEN + 1])
{
  mynt_status st = MYNT_NOT_FOUND;
  pthread_mutex_lock(&store->lock);
  for(size_t i = 0; i < store->token_count; i++) {
    const s_token_slot *slot = &store->tokens[i];
    if(!slot->is_public || strcmp(slot->token, public_token) != 0)
      continue;
    const s_item_slot *item = s_item_by_id(store, slot->item_id);
    if(slot->expires_ms > now_ms && item && !item->item.removed) {
      memcpy(out_access_token, item->access_token, PLAID_SIM_TOKEN_MAX);
      memcpy(out_item_id, item->item.item_id, PLAID_DATA_ID_LEN + 1);
      st = MYNT_OK;
    }
    /* single use: gone whether it worked or not */
    store->tokens[i] = store->tokens[--store->token_count];
    break;
  }
  pthread_mutex_unlock(&store->lock);
  return st;
}

mynt_status plaid_sim_store_find_item(plaid_sim_store *store, const char *access_token, plaid_sim_item *out)
{
  mynt_status st = MYNT_NOT_FOUND;
  pthread_mutex_lock(&store->lock);
  const s_item_slot *slot = s_item_by_token(store, access_token);
  if(slot && !slot->item.removed) {
    *out = slot->item;
    st = MYNT_OK;
  }
  pthread_mutex_unlock(&store->lock);
  return st;
}

/* Takes the store's lock and returns item_id's slot: NULL when there is none, or when it is
 * removed and live_only. The caller unlocks either way. */
static s_item_slot *s_lock_item(plaid_sim_store *store, const char *item_id, bool live_only)
{
  pthread_mutex_lock(&store->lock);
  s_item_slot *slot = s_item_by_id(store, item_id);
  return slot && !(live_only && slot->item.removed) ? slot : NULL;
}

mynt_status plaid_sim_store_find_item_by_id(plaid_sim_store *store, const char *item_id, plaid_sim_item *out)
{
  const s_item_slot *slot = s_lock_item(store, item_id, false);
  if(slot)
    *out = slot->item;
  pthread_mutex_unlock(&store->lock);
  return slot ? MYNT_OK : MYNT_NOT_FOUND;
}

mynt_status plaid_sim_store_remove_item(plaid_sim_store *store, const char *item_id)
{
  s_item_slot *slot = s_lock_item(store, item_id, true);
  if(slot) {
    slot->item.removed = true;
    slot->has_fault = false;
  }
  pthread_mutex_unlock(&store->lock);
  return slot ? MYNT_OK : MYNT_NOT_FOUND;
}

mynt_status plaid_sim_store_set_login_required(plaid_sim_store *store, const char *item_id, bool required)
{
  s_item_slot *slot = s_lock_item(store, item_id, true);
  if(slot)
    slot->item.login_required = required;
  pthread_mutex_unlock(&store->lock);
  return slot ? MYNT_OK : MYNT_NOT_FOUND;
}

mynt_status plaid_sim_store_set_consent_expiration(plaid_sim_store *store, const char *item_id, int64_t expires_ms)
{
  s_item_slot *slot = s_lock_item(store, item_id, true);
  if(slot)
    slot->item.consent_expires_ms = expires_ms;
  pthread_mutex_unlock(&store->lock);
  return slot ? MYNT_OK : MYNT_NOT_FOUND;
}

mynt_status plaid_sim_store_set_webhook(plaid_sim_store *store, const char *item_id, const char *url)
{
  s_item_slot *slot = s_lock_item(store, item_id, true);
  if(slot)
    snprintf(slot->item.webhook, sizeof slot->item.webhook, "%s", url);
  pthread_mutex_unlock(&store->lock);
  return slot ? MYNT_OK : MYNT_NOT_FOUND;
}

mynt_status plaid_sim_store_set_fault(plaid_sim_store *store, const char *item_id, const plaid_sim_fault *fault)
{
  s_item_slot *slot = s_lock_item(store, item_id, false);
  if(slot) {
    slot->fault = *fault;
    slot->has_fault = true;
  }
  pthread_mutex_unlock(&store->lock);
  return slot ? MYNT_OK : MYNT_NOT_FOUND;
}

mynt_status plaid_sim_store_clear_fault(plaid_sim_store *store, const char *item_id)
{
  s_item_slot *slot = s_lock_item(store, item_id, false);
  if(slot)
    slot->has_fault = false;
  pthread_mutex_unlock(&store->lock);
  return slot ? MYNT_OK : MYNT_NOT_FOUND;
}

bool plaid_sim_store_take_fault(plaid_sim_store *store, const char *item_id, plaid_sim_fault *out)
{
  bool fired = false;
  s_item_slot *slot = s_lock_item(store, item_id, false);
  if(slot && slot->has_fault) {
    *out = slot->fault;
    fired = true;
    if(slot->fault.times > 0 && --slot->fault.times == 0)
      slot->has_fault = false;
  }
  pthread_mutex_unlock(&store->lock);
  return fired;
}

mynt_status plaid_sim_store_list(plaid_sim_store *store, plaid_sim_item **out_items, size_t *out_count)
{
  mynt_status st = MYNT_OK;
  *out_items = NULL;
  *out_count = 0;
  pthread_mutex_lock(&store->lock);
  if(store->item_count) {
    plaid_sim_item *v = malloc(store->item_count * sizeof *v);
    if(!v) {
      st = MYNT_NOMEM;
    }
    else {
      for(size_t i = 0; i < store->item_count; i++)
        v[i] = store->items[i].item;
      *out_items = v;
      *out_count = store->item_count;
    }
  }
  pthread_mutex_unlock(&store->lock);
  return st;
}
