/* fuzz_plaid_sync.c - fuzzes what a sync reads from Plaid: the /transactions/sync answer's shape check, its
 * transactions and removed ids in the stored shape, and the accounts with their balances (/accounts/get). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "fuzz_support.h"
#include "plaid/plaid.h"
#include "store/history.h"
#include "store/items.h"
#include "sync/sync_records.h"

/* Checks one stored transaction against the shape store/history.h promises. */
static void s_check_record(const json_t *r)
{
  int y, m, d;
  FUZZ_CHECK(json_is_object(r));
  FUZZ_CHECK(store_item_id_valid(json_string_value(json_object_get(r, "transaction_id"))));
  FUZZ_CHECK(json_is_string(json_object_get(r, "account_id")));
  FUZZ_CHECK(date_parse(json_string_value(json_object_get(r, "date")), &y, &m, &d) == MYNT_OK);
  FUZZ_CHECK(json_is_integer(json_object_get(r, "amount_cents")));
  FUZZ_CHECK(json_is_boolean(json_object_get(r, "pending")));
  const char *flow = json_string_value(json_object_get(r, "flow"));
  FUZZ_CHECK(flow && (!strcmp(flow, "income") || !strcmp(flow, "transfer") || !strcmp(flow, "expense")));
}

FUZZ_JSON_INITIALIZE(NULL, NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  json_t *answer = json_loadb((const char *)data, size, 0, NULL);
  json_t *records = json_array();
  json_t *decoded = NULL;
  unsigned char *z = NULL;
  size_t z_len = 0;
  if(!answer || !records)
    goto cleanup;

  if(plaid_transactions_sync_answer_valid(answer)) {
    static const char *const lists[] = {"added", "modified"};
    size_t i;
    json_t *v;
    for(size_t k = 0; k < 2; k++) {
      json_array_foreach(json_object_get(answer, lists[k]), i, v) {
        json_t *record = NULL;
        mynt_status st = sync_records_txn(v, &record);
        FUZZ_CHECK(st == MYNT_OK || st == MYNT_BAD_REQUEST || st == MYNT_NOMEM);
        FUZZ_CHECK((st == MYNT_OK) == (record != NULL));
        if(record) {
          s_check_record(record);
          json_array_append_new(records, record);
        }
      }
    }
    json_array_foreach(json_object_get(answer, "removed"), i, v)
      (void)store_item_id_valid(json_string_value(json_object_get(v, "transaction_id")));
    /* What is stored reads back as it was written. */
    mynt_status st = store_history_encode(records, &z, &z_len);
    FUZZ_CHECK(st == MYNT_OK || st == MYNT_TOO_LARGE);
    if(st == MYNT_OK) {
      FUZZ_CHECK(store_history_decode(z, z_len, &decoded) == MYNT_OK);
      FUZZ_CHECK(json_equal(decoded, records));
    }
  }

  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(answer, "accounts"), i, v) {
    json_t *account = sync_records_account(v);
    if(account) {
      FUZZ_CHECK(json_is_string(json_object_get(account, "account_id")));
      FUZZ_CHECK(json_is_object(json_object_get(account, "balances")));
      json_decref(account);
    }
  }

cleanup:
  free(z);
  json_decref(decoded);
  json_decref(records);
  json_decref(answer);
  return 0;
}
