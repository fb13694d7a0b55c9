/* dynamodb.h - a DynamoDB JSON-protocol client over SigV4, with retries inside a deadline. */
#ifndef MYNT_AWS_DYNAMODB_H
#define MYNT_AWS_DYNAMODB_H

#include <stdint.h>

#include <jansson.h>

#include "aws/aws_config.h"
#include "aws/aws_error.h"
#include "core/detail.h"
#include "core/status.h"

/* A DynamoDB client is the signed JSON-protocol client (aws/aws_http.h) set up for DynamoDB. */
typedef struct aws_http ddb_client;

/* Every call fills an aws_error (aws/aws_error.h; on success too, with status MYNT_OK and
 * attempts). Its status is MYNT_OK on success; otherwise one of MYNT_CONDITION_FAILED (ConditionalCheckFailedException, or a TransactionCanceledException
 * whose reasons include ConditionalCheckFailed), MYNT_BAD_REQUEST (ValidationException and
 * other 4xx client errors, e.g. ResourceNotFoundException), MYNT_CONFLICT (a transaction
 * conflict still failing after retries, or TransactionInProgressException — retried only
 * when the request carries a ClientRequestToken, since only then is a second send
 * idempotent), MYNT_UPSTREAM (our credentials or permissions were refused: a setup fault,
 * never retried), MYNT_THROTTLED (throttling still failing when the deadline left no room
 * for another try), MYNT_UNAVAILABLE (5xx after retries), MYNT_TIMEOUT (deadline reached),
 * MYNT_IO (transport, after retries), MYNT_PARSE, MYNT_NOMEM (also an answer over the 8 MiB
 * cap). Its message is DynamoDB's text, which may quote request fields: log it with care. */

/* Creates a client from cfg (copied). Returns MYNT_OK and *out_client, owned by the
 * caller (ddb_client_free), or an error and leaves *out_client NULL. The client keeps
 * one curl handle so connections are reused across calls. */
mynt_status ddb_client_new(const aws_config *cfg, ddb_client **out_client);
/* Creates a client from the environment (aws_config_from_env). Returns MYNT_OK and
 * *out_client (ddb_client_free), or the failure with its reason in detail (may be NULL):
 * "AWS configuration: ..." or "DynamoDB client: ..."; *out_client is then NULL. */
mynt_status ddb_client_from_env(ddb_client **out_client, mynt_detail *detail);
/* Frees c, wiping its copy of the credentials. Accepts NULL. */
void ddb_client_free(ddb_client *c);

/* Sends one operation ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query",
 * "TransactWriteItems", "CreateTable", "DescribeTable", ...) with request as the JSON body
 * (DynamoDB's wire shape: TableName, Key/Item with attribute values such as {"S":"x"},
 * ConditionExpression, ExpressionAttributeNames/Values, ...). request is borrowed.
 * Throttling, 5xx and transport errors are retried (at most 10 sends) with capped
 * exponential backoff (25 ms base, 1 s cap) and full jitter while time remains before
 * deadline_ms (epoch ms; 0 = a default of 10 s from now); no sleep ends within 100 ms of the
 * deadline and each send's timeout ends 50 ms before it (no send starts with less left). Note that a write whose answer was lost
 * (5xx or transport) is sent again, so a conditional write may then report
 * MYNT_CONDITION_FAILED against its own first success. On success returns MYNT_OK and
 * *out_response (owned by the caller, json_decref); on failure returns the status and
 * leaves *out_response NULL. *out_err (may be NULL) is filled either way. */
mynt_status ddb_call(ddb_client *c, const char *operation, json_t *request, int64_t deadline_ms, json_t **out_response,
                     aws_error *out_err);

/* Runs a Query and follows LastEvaluatedKey (sent back as ExclusiveStartKey on a copy;
 * request itself is not modified) until the result is exhausted or max_items items were
 * gathered (0 = no limit), every page within the one deadline. On success *out_items is a
 * new JSON array of the raw (attribute-value shaped) items, owned by the caller, and
 * out_err->attempts counts the sends of all pages; on failure *out_items is NULL. */
mynt_status ddb_query_all(ddb_client *c, json_t *request, size_t max_items, int64_t deadline_ms, json_t **out_items,
                          aws_error *out_err);

/* Marshalling between plain JSON and attribute values.
 * ddb_marshal_value: string → {"S"}, integer/real → {"N"} (decimal text), true/false → {"BOOL"},
 * null → {"NULL":true}, array → {"L"}, object → {"M"}. Returns a new reference or NULL on
 * failure (a NaN/inf real, allocation).
 * ddb_marshal_item: a plain JSON object → an attribute-value map (new reference or NULL).
 * ddb_unmarshal_value/item: the reverse; "N" becomes an integer when it is one exactly and
 * fits in 64 bits, else a real (so a real with an integral value comes back as an integer);
 * "SS"/"NS"/"BS" become arrays; "B" stays a base64 string. NULL on malformed input (wrong
 * shape, unknown type, bad number text, "NULL" other than true). Both directions refuse
 * nesting deeper than DynamoDB's 32 levels. */
json_t *ddb_marshal_value(const json_t *plain);
json_t *ddb_marshal_item(const json_t *plain_object);
json_t *ddb_unmarshal_value(const json_t *attribute_value);
json_t *ddb_unmarshal_item(const json_t *attribute_map);

#endif
