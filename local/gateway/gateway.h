/* gateway.h - the local API Gateway (routes, JWT authorizer, events, static web app), Lambda's Invoke API and schedules. */
#ifndef MYNT_LOCAL_GATEWAY_H
#define MYNT_LOCAL_GATEWAY_H

#include <stddef.h>
#include <stdint.h>

#include "core/detail.h"
#include "core/status.h"
#include "local/gateway/local_config.h"
#include "local/gateway/static_files.h"

/* Request bodies larger than this are answered 413 without invoking (Lambda's limit). */
#define GATEWAY_MAX_BODY (6u * 1024 * 1024)
/* A request line and headers larger than this (API Gateway HTTP API's quota: 10,240 bytes) are
 * answered 431 without invoking; the count is method SP target SP version, then name ": " value
 * per header. Lambda's Invoke API and /_local/ are not API Gateway and are not held to it. */
#define GATEWAY_MAX_HEADER_BYTES 10240u

typedef struct {
  const local_config *config;       /* routes, authorizer and functions; must outlive the gateway */
  const char *bootstrap;            /* executable for functions without their own "bootstrap" */
  const char *web_root;             /* directory of the web app; NULL = none */
  const char *config_json;          /* file served at /config.json (a JSON object, read once at start for
                                       the CSP's connect-src); NULL = none */
  const static_files_mount *mounts; /* directories served under URL prefixes, tried before
                                       web_root; borrowed, must outlive the gateway */
  size_t n_mounts;
  const char *host;             /* IPv4 loopback address to bind; NULL = "127.0.0.1" */
  uint16_t port;                /* 0 = an ephemeral port */
  double schedule_scale;        /* schedules fire every period * this (<= 0 = 1: their real rate) */
  int64_t async_retry_delay_ms; /* before the first retry of a failed asynchronous run; 0 = 500 ms */
} gateway_options;

typedef struct gateway gateway;

/* Starts serving (threads of its own): the config's routes, Lambda's Invoke API
 * (POST /2015-03-31/functions/{name}/invocations, invoke.h; Event invocations are queued per
 * function and run on its warm process, retried twice on failure), the config's schedules at
 * their rate, and the test hooks POST /_local/schedules/{LogicalId} (fire now: 202, 404
 * unknown) and POST /_local/drain (200 {"idle":true} once nothing is queued or running, 504
 * after 30 s). Every function's environment gets MYNT_LAMBDA_ENDPOINT and MYNT_PUBLIC_URL
 * (http://host:port). Static files (web app, mounts, /config.json) carry the security headers of
 * web_headers.h; a request whose Host is not a loopback name is answered 421 (http_server.h).
 * Returns MYNT_OK and *out (free it with gateway_free);
 * MYNT_BAD_REQUEST when the web root is not a directory, the web config is not usable JSON
 * (web_headers_csp) or host is not an address, MYNT_IO
 * when the port cannot be bound or a Runtime API server cannot start, MYNT_NOMEM; then *out
 * is NULL and detail (may be NULL) says why. curl_global_init must have been called. */
mynt_status gateway_new(const gateway_options *opts, mynt_detail *detail, gateway **out);

/* Returns the port the gateway listens on. */
uint16_t gateway_port(const gateway *g);

/* Stops accepting, kills every bootstrap process, waits for in-flight requests (they
 * answer 503 when their function is being stopped) and frees g. Accepts NULL. */
void gateway_free(gateway *g);

#endif
