/* transactions_csv.h - the CSV of GET /transactions/export: a header row and one row per transaction (RFC 4180, CRLF). */
#ifndef MYNT_HANDLERS_TRANSACTIONS_CSV_H
#define MYNT_HANDLERS_TRANSACTIONS_CSV_H

#include <jansson.h>

#include "core/buf.h"
#include "core/status.h"

/* Appends the header row, CRLF included, to b: date,name,merchant_name,amount,iso_currency_code,
 * category,category_detailed,flow,pending,account_id,account_name,institution_name,item_id,
 * transaction_id (the order transactions_csv_row writes). Returns MYNT_OK, or buf_append's MYNT_TOO_LARGE or
 * MYNT_NOMEM (b is then freed). */
mynt_status transactions_csv_header(mynt_buf *b);

/* Appends one row, CRLF included, for txn, a transaction in the API's shape
 * (transactions_view_stored, borrowed), of account account_name at institution_name (borrowed;
 * NULL for an empty cell): date, name, merchant_name, amount, iso_currency_code, category,
 * category_detailed, flow, pending, account_id, account_name, institution_name, item_id,
 * transaction_id. amount is amount_cents in Plaid's sign written with a dot and exactly two
 * decimals (-1234 → -12.34, 5 → 0.05), never through floating point and never prefixed;
 * pending is true or false; every other cell is text through finance_csv_text (quoted when it
 * must be, a formula-like start prefixed with '), a null or missing member an empty cell.
 * Returns MYNT_OK, or MYNT_TOO_LARGE or MYNT_NOMEM from b's cap or allocation (b is then
 * freed, as every buf_append failure leaves it). */
mynt_status transactions_csv_row(mynt_buf *b, const json_t *txn, const char *account_name,
                                 const char *institution_name);

#endif
