/* moto_fixture.c - the tests' side of the ctest "moto" fixture: moto_server's address, test credentials and a mynt-users-shaped table. */
#include "support/moto_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/clock.h"

int moto_fixture_config(aws_config *out_cfg)
{
  memset(out_cfg, 0, sizeof *out_cfg);
  const char *dir = getenv("MYNT_MOTO_DIR");
  if(!dir || !*dir) {
    printf("SKIPPED: MYNT_MOTO_DIR is not set (run through ctest, which starts moto_server)\n");
    return 0;
  }
  char path[1024];
  snprintf(path, sizeof path, "%s/moto.port", dir);
  FILE *f = fopen(path, "r");
  int port = 0;
  if(f) {
    if(fscanf(f, "%d", &port) != 1)
      port = 0;
    fclose(f);
  }
  if(port <= 0 || port > 65535)
    fail_msg("no moto port in %s (did the moto_start fixture run?)", path);
  snprintf(out_cfg->region, sizeof out_cfg->region, "us-east-1");
  snprintf(out_cfg->endpoint, sizeof out_cfg->endpoint, "http://127.0.0.1:%d", port);
  snprintf(out_cfg->creds.access_key_id, sizeof out_cfg->creds.access_key_id, "AKIDMOTOTEST");
  snprintf(out_cfg->creds.secret_access_key, sizeof out_cfg->creds.secret_access_key, "moto-does-not-check");
  snprintf(out_cfg->creds.session_token, sizeof out_cfg->creds.session_token, "moto-session-token");
  return 1;
}

int moto_fixture_export_env(const char *table)
{
  aws_config cfg;
  if(!moto_fixture_config(&cfg))
    return 0;
  setenv("MYNT_AWS_ENDPOINT", cfg.endpoint, 1);
  setenv("AWS_REGION", cfg.region, 1);
  setenv("AWS_ACCESS_KEY_ID", cfg.creds.access_key_id, 1);
  setenv("AWS_SECRET_ACCESS_KEY", cfg.creds.secret_access_key, 1);
  setenv("AWS_SESSION_TOKEN", cfg.creds.session_token, 1);
  setenv("MYNT_TABLE", table, 1);
  return 1;
}

void *moto_fixture_state_new(size_t size, aws_config *out_cfg)
{
  if(!moto_fixture_config(out_cfg))
    return NULL;
  void *state = calloc(1, size);
  assert_non_null(state);
  return state;
}

void *moto_fixture_state_or_skip(void **state)
{
  if(!*state)
    skip();
  return *state;
}

void moto_fixture_unique_name(char *out, size_t cap, const char *prefix)
{
  snprintf(out, cap, "%s-%d-%lld", prefix, (int)getpid(), (long long)clock_epoch_ms());
}

json_t *moto_fixture_ddb(ddb_client *client, const char *operation, json_t *request)
{
  json_t *response = NULL;
  aws_error err;
  mynt_status st = ddb_call(client, operation, request, clock_epoch_ms() + MOTO_FIXTURE_CALL_MS, &response, &err);
  json_decref(request);
  if(st)
    fail_msg("%s failed: %s %s: %s", operation, mynt_strerror(st), err.type, err.message);
  return response;
}

void moto_fixture_create_table(ddb_client *client, const char *table)
{
  json_t *created = moto_fixture_ddb(
    client, "CreateTable",
    json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}], s:[{s:s, s:s}, {s:s, s:s}], s:{s:i, s:i}}", "TableName", table,
              "KeySchema", "AttributeName", "user_id", "KeyType", "HASH", "AttributeName", "sk", "KeyType", "RANGE",
              "AttributeDefinitions", "AttributeName", "user_id", "AttributeType", "S", "AttributeName", "sk",
              "AttributeType", "S", "ProvisionedThroughput", "ReadCapacityUnits", 5, "WriteCapacityUnits", 5));
  const char *status = json_string_value(json_object_get(json_object_get(created, "TableDescription"), "TableStatus"));
  assert_non_null(status);
  json_decref(created);
}

mynt_status moto_fixture_delete_table(ddb_client *client, const char *table)
{
  json_t *request = json_pack("{s:s}", "TableName", table);
  json_t *response = NULL;
  mynt_status st = ddb_call(client, "DeleteTable", request, clock_epoch_ms() + MOTO_FIXTURE_CALL_MS, &response, NULL);
  json_decref(request);
  json_decref(response);
  return st;
}
