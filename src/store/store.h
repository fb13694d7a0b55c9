/* store.h - the handle on the mynt-users table (DynamoDB client + table name) shared by store modules. */
#ifndef MYNT_STORE_STORE_H
#define MYNT_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/dynamodb.h"
#include "core/detail.h"
#include "core/status.h"

#define STORE_DEFAULT_TABLE "mynt-users"

/* Owned by whoever opened it; only store modules look inside. */
typedef struct {
  ddb_client *ddb; /* owned */
  char table[256];
} store;

/* Opens the store from the environment: AWS settings as aws_config_from_env reads them,
 * the table name from MYNT_TABLE (default "mynt-users"). Returns MYNT_OK and *out_store
 * (store_free frees it); MYNT_BAD_REQUEST when the configuration is incomplete, with
 * the reason (never a secret) in detail (may be NULL); else the client's status. */
mynt_status store_open_from_env(store **out_store, mynt_detail *detail);

/* Makes a store over ddb, taking ownership of it (also on failure), for table_name
 * (NULL: MYNT_TABLE, else "mynt-users"). Returns MYNT_OK and *out_store, MYNT_BAD_REQUEST
 * for a name over 255 bytes, MYNT_NOMEM. */
mynt_status store_new(ddb_client *ddb, const char *table_name, store **out_store);

/* Frees the store and its client. Accepts NULL. */
void store_free(store *s);

/* Maps a DynamoDB failure to the status an API answer should carry and logs it (type
 * and message only): a ValidationException is our bug (MYNT_INTERNAL), transport
 * trouble is MYNT_UNAVAILABLE, an unreadable answer MYNT_UPSTREAM; throttling, timeouts,
 * conditions and 5xx keep their status. operation names the call for the log. */
mynt_status store_status_from_ddb(mynt_status st, const aws_error *err, const char *operation);

/* Sends operation ("GetItem", "UpdateItem", "TransactWriteItems", ...) with request
 * (borrowed) on s's client, within deadline_ms. Returns MYNT_OK and *out_response (caller
 * json_decref); MYNT_CONDITION_FAILED as it came, unlogged, for the caller to judge; any
 * other failure as store_status_from_ddb maps and logs it, naming the call
 * "<operation> <what>" (e.g. "GetItem item"). *out_response is NULL on failure. */
mynt_status store_ddb_call(store *s, const char *operation, const char *what, json_t *request, int64_t deadline_ms,
                           json_t **out_response);

/* Returns true when user_id can name a user's partition: 1..STORE_USER_ID_MAX bytes, not
 * starting with '#' (partitions like "#ITEMS" are the store's own, never a user's). */
bool store_user_id_valid(const char *user_id);

/* Reads every record of user_id's partition whose sk begins with prefix (one consistent Query,
 * all pages, at most max records), unmarshalled to plain JSON objects in sk order. Returns
 * MYNT_OK and *out_records (an array, caller json_decref); MYNT_BAD_REQUEST for an invalid
 * user_id; MYNT_INTERNAL for a record that does not unmarshal; else a status as
 * store_status_from_ddb maps it (logged as "Query <what>"). *out_records is NULL on failure. */
mynt_status store_query_prefix(store *s, const char *user_id, const char *prefix, size_t max, int64_t deadline_ms,
                               const char *what, json_t **out_records);

#endif
