/* lambda.h - Lambda's asynchronous Invoke (X-Amz-Invocation-Type: Event) over the signed REST-JSON client. */
#ifndef MYNT_AWS_LAMBDA_H
#define MYNT_AWS_LAMBDA_H

#include <stdint.h>

#include "aws/aws_config.h"
#include "aws/aws_error.h"
#include "core/status.h"

/* Lambda's limits: an asynchronous invocation's payload (1 MB since 2025-10; 256 KB before), a
 * function name (64) and a name or ARN with its qualifier (170). */
#define LAMBDA_ASYNC_PAYLOAD_MAX (1024u * 1024u)
#define LAMBDA_FUNCTION_NAME_MAX 64
#define LAMBDA_FUNCTION_ARN_MAX  170

/* A Lambda client is the signed client (aws/aws_http.h) set up for Lambda. */
typedef struct aws_http lambda_client;

/* Creates a client from cfg (copied; the endpoint is cfg->endpoint, else
 * https://lambda.<region>.amazonaws.com). Returns MYNT_OK and *out (caller frees with
 * lambda_client_free), or aws_http_new's failure (MYNT_BAD_REQUEST for an unusable endpoint,
 * region or missing keys, MYNT_NOMEM, MYNT_INTERNAL), leaving *out NULL. */
mynt_status lambda_client_new(const aws_config *cfg, lambda_client **out);

/* Frees c, wiping its copy of the credentials. Accepts NULL. */
void lambda_client_free(lambda_client *c);

/* Queues one asynchronous invocation of function_name (a name, "name:qualifier", a partial
 * or full ARN, matching Lambda's documented pattern; the name part at most 64 characters,
 * the whole at most 170) with payload_json (a NUL-terminated JSON text of at most
 * LAMBDA_ASYNC_PAYLOAD_MAX bytes, borrowed): POST
 * /2015-03-31/functions/<function_name, percent-encoded>/invocations with
 * X-Amz-Invocation-Type: Event, signed for service "lambda". Lambda answers 202 once the
 * event is queued; the function runs later (and Lambda retries a failed run twice itself).
 * Throttling (429 TooManyRequestsException) and 5xx answers or transport failures are sent
 * again with capped exponential backoff and jitter while deadline_ms (epoch ms; 0 = 10 s
 * from now) leaves room; a sent-again event may run twice, so the function must be
 * idempotent (as asynchronous invocations must be anyway).
 * Returns MYNT_OK when Lambda accepted the event; MYNT_BAD_REQUEST, without sending
 * anything, for a NULL client, a malformed function name or a payload that is not JSON;
 * MYNT_TOO_LARGE, without sending, for a payload over the limit (and for Lambda's 413
 * RequestTooLargeException); MYNT_NOT_FOUND for ResourceNotFoundException (no such function
 * or qualifier); MYNT_UPSTREAM for refused credentials or permissions and for the
 * function's own broken configuration (KMS, VPC, runtime 5xx that no retry fixes), never
 * retried; MYNT_THROTTLED / MYNT_UNAVAILABLE / MYNT_IO / MYNT_TIMEOUT when retries ran out
 * of time; MYNT_BAD_REQUEST for any other 4xx; MYNT_NOMEM / MYNT_INTERNAL, without sending,
 * if Lambda's name pattern (compiled once per process) cannot be compiled. out_err (may be
 * NULL) is filled either way: http_status (202 on success), attempts, Lambda's error name
 * (from x-amzn-ErrorType) and message. */
mynt_status lambda_invoke_async(lambda_client *c, const char *function_name, const char *payload_json,
                                int64_t deadline_ms, aws_error *out_err);

#endif
