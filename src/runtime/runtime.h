/* runtime.h - the Lambda Runtime API client: fetch an invocation, run a handler, post its result. */
#ifndef MYNT_RUNTIME_RUNTIME_H
#define MYNT_RUNTIME_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/status.h"

/* Lambda's synchronous payload limit (6 MB), applied to events and to responses. */
#define RUNTIME_MAX_PAYLOAD ((size_t)6 * 1024 * 1024)

/* The cap of the per-invocation arena. */
#define RUNTIME_ARENA_MAX ((size_t)32 * 1024 * 1024)

/* Long-lived runtime state made once per process: one curl handle (connections are
 * reused across calls), the per-invocation arena and the event/response buffers. */
typedef struct runtime_ctx runtime_ctx;

/* One invocation. Everything in it is owned by the runtime and stays valid until the
 * handler's result has been posted. */
typedef struct {
  const char *request_id;   /* Lambda-Runtime-Aws-Request-Id; never NULL */
  const char *function_arn; /* Lambda-Runtime-Invoked-Function-Arn; "" when absent */
  const char *trace_id;     /* Lambda-Runtime-Trace-Id; NULL when absent */
  int64_t deadline_ms;      /* Lambda-Runtime-Deadline-Ms (epoch ms); 0 when absent */
  mynt_str payload;         /* the raw event bytes */
  json_t *event;            /* the parsed event; borrowed (never json_decref it) */
} runtime_invocation;

/* How a handler's failure is reported to Lambda. type is e.g. "Function.Crash"
 * (Lambda's convention is "Runtime.X" or "Function.X"); an empty type is derived from
 * the handler's status as "Function.<status code>". */
typedef struct {
  char type[64];
  char message[256];
} runtime_error;

/* A handler answers one invocation with exactly one of:
 * - success: return MYNT_OK with the response in out_payload (capped at
 *   RUNTIME_MAX_PAYLOAD; it arrives empty), which is posted to /response as is;
 * - failure: return any other status, optionally describing it in out_error (it arrives
 *   zeroed); /error is posted and out_payload is ignored.
 * Per-invocation memory comes from runtime_arena(rt); long-lived state from runtime_user(rt). */
typedef mynt_status (*runtime_handler)(runtime_ctx *rt, const runtime_invocation *inv, mynt_buf *out_payload,
                                       runtime_error *out_error);

/* Creates the runtime for the Runtime API at api_endpoint ("host:port"; NULL reads
 * AWS_LAMBDA_RUNTIME_API). user is borrowed and handed back by runtime_user. The caller
 * must have called curl_global_init. Returns MYNT_OK and *out_rt (free it with
 * runtime_free); MYNT_BAD_REQUEST when no endpoint is set or it is too long;
 * MYNT_NOMEM or MYNT_IO when the curl handle or buffers cannot be made. Nothing is sent. */
mynt_status runtime_new(const char *api_endpoint, void *user, runtime_ctx **out_rt);

/* Frees the runtime and its curl handle. Accepts NULL. */
void runtime_free(runtime_ctx *rt);

/* Returns the user pointer given to runtime_new. */
void *runtime_user(runtime_ctx *rt);

/* Returns the per-invocation arena; everything in it is released after each result is posted. */
mynt_arena *runtime_arena(runtime_ctx *rt);

/* Returns the milliseconds left before inv's deadline (0 once it has passed), or
 * INT64_MAX when Lambda sent no deadline. */
int64_t runtime_remaining_ms(const runtime_invocation *inv);

/* Fills e with type and a printf-formatted message (both truncated to fit). */
void runtime_error_set(runtime_error *e, const char *type, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reports a start-up failure: POST /runtime/init/error with
 * {"errorMessage","errorType","stackTrace":[]} and Lambda-Runtime-Function-Error-Type.
 * The process should exit non-zero afterwards. Returns MYNT_OK when the Runtime API
 * accepted it (202), MYNT_IO on transport failure, MYNT_UPSTREAM on another answer. */
mynt_status runtime_post_init_error(runtime_ctx *rt, const char *error_type, const char *message);

/* Serves one invocation: GET /runtime/invocation/next (no timeout: it blocks until
 * Lambda has an event), then posts the handler's result. An event over
 * RUNTIME_MAX_PAYLOAD is answered with the error "Runtime.EventTooLarge" and one that is
 * not JSON with "Runtime.MalformedEvent", without calling the handler. Sets
 * _X_AMZN_TRACE_ID for the handler (unset when Lambda sent no trace id), and resets the
 * arena after posting. Returns MYNT_OK once the invocation is answered (even when
 * answered with an error, or when posting failed: that is logged and the next
 * invocation still comes); MYNT_IO or MYNT_UPSTREAM when no invocation could be fetched. */
mynt_status runtime_serve_one(runtime_ctx *rt, runtime_handler handler);

/* The loop: serves invocations until max_invocations have been answered (0 = forever,
 * as in production). A failure to fetch the next invocation is retried (3 attempts in a
 * row, short back-off) before the loop gives up. Returns MYNT_OK after max_invocations,
 * else the status of the last failed fetch; the process should then exit non-zero. */
mynt_status runtime_run(runtime_ctx *rt, runtime_handler handler, unsigned long max_invocations);

#endif
