/* transactions_csv.c - writing the export's CSV: one column table for the header and the rows, text cells through finance_csv_text, amounts from whole cents. */
#include "handlers/transactions_csv.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/json.h"
#include "finance/csv.h"

typedef enum {
  S_TEXT,        /* the member as text (empty when missing or not a string) */
  S_AMOUNT,      /* amount_cents as a decimal number */
  S_BOOLEAN,     /* true or false */
  S_ACCOUNT,     /* the account's name, given by the caller */
  S_INSTITUTION, /* the institution's name, given by the caller */
} s_kind;

/* The columns in order: the header's names, and the member of the API's transaction each one shows. */
static const struct {
  const char *name;
  s_kind kind;
} s_columns[] = {
  {"date", S_TEXT},
  {"name", S_TEXT},
  {"merchant_name", S_TEXT},
  {"amount", S_AMOUNT},
  {"iso_currency_code", S_TEXT},
  {"category", S_TEXT},
  {"category_detailed", S_TEXT},
  {"flow", S_TEXT},
  {"pending", S_BOOLEAN},
  {"account_id", S_TEXT},
  {"account_name", S_ACCOUNT},
  {"institution_name", S_INSTITUTION},
  {"item_id", S_TEXT},
  {"transaction_id", S_TEXT},
};

#define S_COLUMN_COUNT (sizeof(s_columns) / sizeof(s_columns[0]))

mynt_status transactions_csv_header(mynt_buf *b)
{
  for(size_t i = 0; i < S_COLUMN_COUNT; i++) {
    mynt_status st = buf_appendf(b, "%s%s", s_columns[i].name, i + 1 < S_COLUMN_COUNT ? "," : "\r\n");
    if(st)
      return st;
  }
  return MYNT_OK;
}

/* Appends cents as a plain decimal number with exactly two decimals: -1234 → -12.34. */
static mynt_status s_amount(mynt_buf *b, int64_t cents)
{
  /* The magnitude in unsigned arithmetic, so that even INT64_MIN has one. */
  uint64_t magnitude = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
  return buf_appendf(b, "%s%" PRIu64 ".%02u", cents < 0 ? "-" : "", magnitude / 100, (unsigned)(magnitude % 100));
}

mynt_status transactions_csv_row(mynt_buf *b, const json_t *txn, const char *account_name, const char *institution_name)
{
  for(size_t i = 0; i < S_COLUMN_COUNT; i++) {
    const json_t *value = json_object_get(txn, s_columns[i].name);
    mynt_status st = MYNT_OK;
    switch(s_columns[i].kind) {
    case S_TEXT:
      st = finance_csv_text(b, json_member_string(txn, s_columns[i].name));
      break;
    case S_AMOUNT:
      value = json_object_get(txn, "amount_cents");
      st = s_amount(b, json_is_integer(value) ? (int64_t)json_integer_value(value) : 0);
      break;
    case S_BOOLEAN:
      st = buf_appends(b, json_is_true(value) ? "true" : "false");
      break;
    case S_ACCOUNT:
      st = finance_csv_text(b, account_name);
      break;
    case S_INSTITUTION:
      st = finance_csv_text(b, institution_name);
      break;
    }
    if(!st)
      st = buf_appends(b, i + 1 < S_COLUMN_COUNT ? "," : "\r\n");
    if(st)
      return st;
  }
  return MYNT_OK;
}
