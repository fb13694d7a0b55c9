/* function.h - one Lambda function: its warm bootstrap process and the Runtime API it talks to. */
#ifndef MYNT_LOCAL_FUNCTION_H
#define MYNT_LOCAL_FUNCTION_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"
#include "local/gateway/local_config.h"

/* The largest response a function may post (Lambda's 6 MB). */
#define FUNCTION_MAX_PAYLOAD (6u * 1024 * 1024)

/* The largest event passed on: room for a 6 MB body base64-encoded plus the rest of the
 * event (the gateway refuses larger bodies before building one). */
#define FUNCTION_MAX_EVENT (12u * 1024 * 1024)

typedef struct function function;

/* Starts the function's Runtime API server on 127.0.0.1 (an ephemeral port) and prepares
 * the environment its process will get; spawns nothing yet. cfg must outlive the
 * function; bootstrap is the executable to run (copied); region is the routes file's.
 * Returns MYNT_OK and *out (free it with function_free); MYNT_NOMEM, or MYNT_IO when the
 * server cannot start, with *out NULL. */
mynt_status function_new(const local_config_function *cfg, const char *bootstrap, const char *region, function **out);

/* Invokes the function with the event event[0..len) and waits for its result, at most
 * the function's timeout. Invocations are served one at a time; a caller waits for its
 * turn at most the timeout too. The process is spawned on first use and kept warm.
 * Returns MYNT_OK with the response payload appended to out_payload; MYNT_INTERNAL when
 * the function posted an invocation error (API Gateway answers 500), with the error document
 * it posted appended to out_payload; MYNT_THROTTLED when its turn did not come within the
 * timeout (nothing ran); MYNT_TOO_LARGE for an event over FUNCTION_MAX_EVENT; MYNT_UPSTREAM when
 * the process could not start, posted an init error, exited or crashed during the
 * invocation, or sent a response over 6 MB (502); MYNT_TIMEOUT when the timeout passed
 * (the process is killed; 504); MYNT_UNAVAILABLE while shutting down; MYNT_NOMEM. */
mynt_status function_invoke(function *fn, const char *event, size_t len, mynt_buf *out_payload);

/* Sets NAME=value in the environment of fn's process (replacing an earlier value); a process
 * already running keeps its environment, the next one spawned gets it. Returns MYNT_OK or
 * MYNT_NOMEM (the environment is then unchanged). */
mynt_status function_set_env(function *fn, const char *name, const char *value);

/* Starts shutting fn down: kills its process and wakes every waiting caller, which then
 * return MYNT_UNAVAILABLE. Safe to call more than once. */
void function_stop(function *fn);

/* Stops fn (as function_stop), stops its Runtime API server, reaps the process and frees
 * everything. Accepts NULL. */
void function_free(function *fn);

#endif
