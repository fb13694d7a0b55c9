/* invoke.h - mynt-local's Lambda Invoke API: the function a request names, its invocation type, and Lambda's error answers. */
#ifndef MYNT_LOCAL_INVOKE_H
#define MYNT_LOCAL_INVOKE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"
#include "local/gateway/local_config.h"

#define INVOKE_PATH_PREFIX "/2015-03-31/functions/"

/* Lambda's payload limits: a synchronous request 6 MB, an asynchronous one 1 MB. */
#define INVOKE_MAX_SYNC_PAYLOAD  (6u * 1024 * 1024)
#define INVOKE_MAX_ASYNC_PAYLOAD (1024u * 1024)

typedef enum { INVOKE_REQUEST_RESPONSE = 0, INVOKE_EVENT, INVOKE_DRY_RUN } invoke_type;

/* One Invoke request as it arrived; everything borrowed. */
typedef struct {
  const char *method;
  const char *raw_path;        /* the path as sent (percent-encoded), without the query */
  const char *invocation_type; /* X-Amz-Invocation-Type; NULL = RequestResponse */
  const char *authorization;   /* Authorization; NULL = none */
  const char *amz_date;        /* X-Amz-Date; NULL = none */
  const char *body;
  size_t body_len;
  bool body_too_large; /* the body passed the server's limit and was not kept */
} invoke_request;

/* Lambda's answer to a refused request: status, x-amzn-ErrorType and the message of its
 * {"Type":"User","message":...} body. */
typedef struct {
  int status;
  const char *error_type; /* static */
  char message[256];
} invoke_error;

/* Returns true when raw_path belongs to the Lambda API (starts with INVOKE_PATH_PREFIX). */
bool invoke_is_api_path(const char *raw_path);

/* Validates r as Lambda does, in its order: a SigV4 Authorization header of the right shape
 * (403 MissingAuthenticationTokenException / IncompleteSignatureException /
 * InvalidSignatureException for another region or service; the signature itself is NOT
 * verified, as moto does not), the operation (POST .../functions/{name}/invocations, else 404
 * UnknownOperationException), the invocation type (Event, RequestResponse or DryRun, else 400
 * ValidationException), the function (its logical id or FunctionName, optionally ":$LATEST",
 * or its partial or full ARN in the local region and account; else 404
 * ResourceNotFoundException), the payload size (1 MB for Event, 6 MB otherwise: 413
 * RequestTooLargeException) and the payload being JSON when there is one (400
 * InvalidRequestContentException). Returns MYNT_OK with *out_function (index into
 * c->functions) and *out_type; otherwise the failure's status (MYNT_FORBIDDEN,
 * MYNT_NOT_FOUND, MYNT_BAD_REQUEST, MYNT_TOO_LARGE, MYNT_NOMEM) with *out_err filled. */
mynt_status invoke_check(const local_config *c, const invoke_request *r, size_t *out_function, invoke_type *out_type,
                         invoke_error *out_err);

/* Returns Lambda's JSON error body for err (caller frees), or NULL when out of memory. */
char *invoke_error_body(const invoke_error *err);

#endif
