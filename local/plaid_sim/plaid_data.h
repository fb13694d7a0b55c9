/* plaid_data.h - the Plaid simulator's deterministic bank data: institutions, accounts, 24 months of transactions. */
#ifndef MYNT_LOCAL_PLAID_DATA_H
#define MYNT_LOCAL_PLAID_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/status.h"

/* Days of history every item has (24 months), ending "today". */
#define PLAID_DATA_HISTORY_DAYS 730

/* Length of account and transaction ids (Plaid's are 37 characters). */
#define PLAID_DATA_ID_LEN 37

/* ---- dates: day numbers (days since 1970-01-01, UTC) as core/date.h computes them ---- */

/* Parses exactly "YYYY-MM-DD" naming a real calendar date (2025-02-30 is refused) from year
 * 0001 on into a day number. Returns MYNT_OK, or MYNT_BAD_REQUEST (out_days untouched) for
 * anything else. */
mynt_status plaid_data_date_parse(const char *s, int32_t *out_days);

/* ---- institutions ---- */

typedef struct {
  const char *institution_id; /* "ins_109508" */
  const char *name;           /* "First Platypus Bank" */
  const char *brand;          /* short upper-case name used in descriptors, "PLATYPUS" */
} plaid_data_institution;

/* Returns the institution with this id, or NULL when the simulator does not know it. */
const plaid_data_institution *plaid_data_institution_find(const char *institution_id);

/* Returns the number of known institutions; plaid_data_institution_at(i) for i below it is never NULL. */
size_t plaid_data_institution_count(void);
const plaid_data_institution *plaid_data_institution_at(size_t i);

/* ---- accounts and transactions ---- */

typedef enum {
  PLAID_DATA_CHECKING = 0,
  PLAID_DATA_SAVINGS,
  PLAID_DATA_CARD,
  PLAID_DATA_ACCOUNT_COUNT
} plaid_data_account_kind;

typedef struct {
  char account_id[PLAID_DATA_ID_LEN + 1];
  char mask[5];
  char name[48];
  char official_name[96];
  const char *type;    /* "depository" or "credit" */
  const char *subtype; /* "checking", "savings", "credit card" */
  /* Balances in cents. For the card, "current" is the amount owed. opening is the balance
   * the day before the first generated day; current = opening + posted activity, so the
   * transactions explain every cent of it. available excludes pending activity. */
  int64_t opening_cents;
  int64_t current_cents;
  int64_t available_cents;
  int64_t limit_cents; /* credit limit; -1 for depository accounts (JSON null) */
} plaid_data_account;

typedef struct {
  const char *address;
  const char *city;
  const char *region;
  const char *postal_code;
  double lat;
  double lon;
} plaid_data_place;

typedef struct {
  char transaction_id[PLAID_DATA_ID_LEN + 1];
  char pending_transaction_id[PLAID_DATA_ID_LEN + 1]; /* "" = null */
  char name[64];                                      /* the bank's descriptor */
  char store_number[8];                               /* "" = null */
  plaid_data_account_kind account;
  int64_t amount_cents; /* positive = money out of the account */
  int32_t date;         /* posted date, or the authorized date while pending */
  int32_t authorized_date;
  bool pending;
  const char *merchant_name;     /* NULL for transfers and payments */
  const char *website;           /* NULL when unknown */
  const char *payment_channel;   /* "online", "in store", "other" */
  const char *transaction_type;  /* "digital", "place", "special" */
  const char *pfc_primary;       /* personal_finance_category.primary */
  const char *pfc_detailed;      /* personal_finance_category.detailed */
  const char *pfc_confidence;    /* "VERY_HIGH", "HIGH", ... */
  const char *category[3];       /* legacy category path, NULL-terminated when shorter */
  const char *category_id;       /* legacy category id */
  const plaid_data_place *place; /* in-store purchases only; NULL otherwise */
} plaid_data_txn;

/* One item's data as of one day. */
typedef struct {
  const plaid_data_institution *institution;
  uint64_t seed;
  int32_t today;
  int32_t first_day; /* today - PLAID_DATA_HISTORY_DAYS */
  plaid_data_account accounts[PLAID_DATA_ACCOUNT_COUNT];
  plaid_data_txn *txns; /* newest first: date descending, then transaction_id ascending */
  size_t txn_count;
} plaid_data_item;

/* Generates the accounts and every transaction dated first_day..today of the item with this
 * seed at this institution. The result depends only on (institution, seed, today); the id and
 * amount of a transaction depend only on (institution, seed, its own dates), so they do not
 * change as "today" moves on (a pending transaction gets a new id when it posts, and the posted
 * one names it in pending_transaction_id, as Plaid does). Returns MYNT_OK and fills out (free it
 * with plaid_data_item_free), MYNT_NOT_FOUND for an unknown institution, MYNT_NOMEM; on failure
 * out owns nothing. */
mynt_status plaid_data_generate(const char *institution_id, uint64_t seed, int32_t today, plaid_data_item *out);

/* Frees the transactions of an item filled by plaid_data_generate; accepts a zeroed item. */
void plaid_data_item_free(plaid_data_item *item);

#endif
