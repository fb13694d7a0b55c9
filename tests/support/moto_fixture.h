/* moto_fixture.h - the tests' side of the ctest "moto" fixture: moto_server's address, test credentials and a mynt-users-shaped table. */
#ifndef MYNT_TESTS_MOTO_FIXTURE_H
#define MYNT_TESTS_MOTO_FIXTURE_H

#include <stddef.h>

#include <jansson.h>

#include "aws/aws_config.h"
#include "aws/dynamodb.h"

/* How long each set-up or tear-down call to moto may take. */
#define MOTO_FIXTURE_CALL_MS 10000

/* Fills *out_cfg for the moto_server the fixture started (region us-east-1, its loopback
 * endpoint, fixed test credentials with a session token). Returns 1; returns 0 after printing
 * a SKIPPED line when MYNT_MOTO_DIR is unset (the test runs outside ctest). Fails the running
 * cmocka test when $MYNT_MOTO_DIR/moto.port does not hold a port. */
int moto_fixture_config(aws_config *out_cfg);

/* As moto_fixture_config, but exports the settings as the environment aws_config_from_env and
 * store_open_from_env read (MYNT_AWS_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), with MYNT_TABLE = table. Same returns. */
int moto_fixture_export_env(const char *table);

/* For a set-up: fills *out_cfg as moto_fixture_config does and returns a zeroed state of size
 * bytes (caller free); returns NULL, for the tests to skip, when there is no moto_server. Fails
 * the running set-up when the state cannot be allocated. */
void *moto_fixture_state_new(size_t size, aws_config *out_cfg);

/* The state a set-up left in *state; skips the running test when the set-up left NULL (no
 * moto_server: the test runs outside ctest). */
void *moto_fixture_state_or_skip(void **state);

/* Writes "<prefix>-<pid>-<epoch ms>" into out (cap bytes): a name no other test run uses. */
void moto_fixture_unique_name(char *out, size_t cap, const char *prefix);

/* Runs operation with request (consumed) on client; fails the running test when it does not
 * succeed. Returns the response (caller json_decref). */
json_t *moto_fixture_ddb(ddb_client *client, const char *operation, json_t *request);

/* Creates table with the mynt-users key schema (user_id HASH, sk RANGE) and checks that moto
 * describes it with a status. Fails the running test on any error. */
void moto_fixture_create_table(ddb_client *client, const char *table);

/* Deletes table. Returns ddb_call's status; leaves failing to the caller (tear-downs may ignore it). */
mynt_status moto_fixture_delete_table(ddb_client *client, const char *table);

#endif
