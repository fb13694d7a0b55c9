/* store.c - opening the mynt-users table handle and mapping DynamoDB failures. */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/logger.h"
#include "store/users.h"

mynt_status store_new(ddb_client *ddb, const char *table_name, store **out_store)
{
  *out_store = NULL;
  if(!table_name)
    table_name = getenv("MYNT_TABLE");
  if(!table_name || !*table_name)
    table_name = STORE_DEFAULT_TABLE;
  mynt_status st = MYNT_OK;
  store *s = NULL;
  if(strlen(table_name) >= sizeof(s->table)) {
    st = MYNT_BAD_REQUEST;
    goto cleanup;
  }
  s = calloc(1, sizeof(*s));
  if(!s) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  s->ddb = ddb;
  snprintf(s->table, sizeof(s->table), "%s", table_name);
  *out_store = s;
  return MYNT_OK;

cleanup:
  ddb_client_free(ddb);
  return st;
}

mynt_status store_open_from_env(store **out_store, mynt_detail *detail)
{
  *out_store = NULL;
  mynt_detail_clear(detail);
  ddb_client *ddb = NULL;
  mynt_status st = ddb_client_from_env(&ddb, detail);
  if(st)
    return st;
  st = store_new(ddb, NULL, out_store);
  if(st)
    return mynt_fail(detail, st, "table name (MYNT_TABLE): %s", mynt_strerror(st));
  return MYNT_OK;
}

void store_free(store *s)
{
  if(!s)
    return;
  ddb_client_free(s->ddb);
  free(s);
}

mynt_status store_status_from_ddb(mynt_status st, const aws_error *err, const char *operation)
{
  logger_log(LOGGER_ERROR, NULL, "store: %s failed: %s (HTTP %d, %d attempts) %s: %s", operation, mynt_status_code(st),
             err->http_status, err->attempts, err->type, err->message);
  switch(st) {
  case MYNT_BAD_REQUEST:
    return MYNT_INTERNAL;
  case MYNT_IO:
    return MYNT_UNAVAILABLE;
  case MYNT_PARSE:
    return MYNT_UPSTREAM;
  default:
    return st;
  }
}

mynt_status store_ddb_call(store *s, const char *operation, const char *what, json_t *request, int64_t deadline_ms,
                           json_t **out_response)
{
  aws_error err;
  memset(&err, 0, sizeof(err));
  mynt_status st = ddb_call(s->ddb, operation, request, deadline_ms, out_response, &err);
  if(st && st != MYNT_CONDITION_FAILED) {
    char call[128];
    snprintf(call, sizeof(call), "%s %s", operation, what);
    st = store_status_from_ddb(st, &err, call);
  }
  return st;
}

bool store_user_id_valid(const char *user_id)
{
  return user_id && *user_id && user_id[0] != '#' && strlen(user_id) <= STORE_USER_ID_MAX;
}

mynt_status store_query_prefix(store *s, const char *user_id, const char *prefix, size_t max, int64_t deadline_ms,
                               const char *what, json_t **out_records)
{
  *out_records = NULL;
  if(!store_user_id_valid(user_id))
    return MYNT_BAD_REQUEST;
  json_t *request = json_pack("{s:s, s:s, s:{s:{s:s}, s:{s:s}}, s:b}", "TableName", s->table, "KeyConditionExpression",
                              "user_id = :u AND begins_with(sk, :p)", "ExpressionAttributeValues", ":u", "S", user_id,
                              ":p", "S", prefix, "ConsistentRead", 1);
  if(!request)
    return MYNT_NOMEM;
  json_t *raw = NULL;
  json_t *records = NULL;
  aws_error err;
  memset(&err, 0, sizeof(err));
  mynt_status st = ddb_query_all(s->ddb, request, max, deadline_ms, &raw, &err);
  if(st) {
    char call[128];
    snprintf(call, sizeof(call), "Query %s", what);
    st = store_status_from_ddb(st, &err, call);
    goto cleanup;
  }
  records = json_array();
  if(!records) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  size_t i;
  json_t *item;
  json_array_foreach(raw, i, item) {
    json_t *plain = ddb_unmarshal_item(item);
    if(!plain) {
      st = MYNT_INTERNAL;
      goto cleanup;
    }
    if(json_array_append_new(records, plain)) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
  }
  *out_records = records;
  records = NULL;

cleanup:
  json_decref(request);
  json_decref(raw);
  json_decref(records);
  return st;
}
