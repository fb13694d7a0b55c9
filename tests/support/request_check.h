/* request_check.h - tests' check of a received request's SigV4 Authorization header, recomputed with the signer. */
#ifndef MYNT_TESTS_REQUEST_CHECK_H
#define MYNT_TESTS_REQUEST_CHECK_H

#include <pthread.h>
#include <stdbool.h>

#include "aws/aws_config.h"
#include "core/detail.h"
#include "support/script_server.h"

/* What a handler found wrong, kept across the server's threads: how many problems and the first one. */
typedef struct {
  pthread_mutex_t lock;
  int count;
  char first[512];
} request_failures;

/* Makes f empty; request_failures_destroy releases it. */
void request_failures_init(request_failures *f);
void request_failures_destroy(request_failures *f);

/* Counts one problem, keeping its formatted description when it is the first. */
void request_fail(request_failures *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The first problem's description, or NULL when there was none. Read once the client has returned. */
const char *request_failures_first(request_failures *f);

/* The keys and scope the client was given. Strings are borrowed. */
typedef struct {
  const char *access_key_id;
  const char *secret_access_key;
  const char *region;
  const char *service;
  const char *session_token; /* NULL: the client has none, and a request must carry none */
} request_check_keys;

/* Fills cfg for a client of endpoint signing with keys (region, access keys and session token). */
void request_check_config(aws_config *cfg, const char *endpoint, const request_check_keys *keys);

/* Sets the standard AWS environment of a client process (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN, unset when cfg has none) from cfg, for code that reads its configuration from the environment. */
void request_check_export(const aws_config *cfg);

/* Checks req (on a script_server handler's thread) as AWS would: Authorization and X-Amz-Date
 * are present, X-Amz-Security-Token is keys' session token (absent when that is NULL), the credential scope names keys' access key, the request's date, region and
 * service, SignedHeaders lists host, x-amz-date, x-amz-security-token when the request carries
 * one, and each of must_sign (lower-case names, NULL-terminated; may be NULL), and the
 * signature recomputed from what arrived (the path percent-encoded again as it was sent,
 * since the server hands it over decoded) equals the one sent. Returns true, or false with
 * the reason in why (may be NULL). */
bool request_check_signature(const script_request *req, const request_check_keys *keys, const char *const *must_sign,
                             mynt_detail *why);

/* Checks req as request_check_signature does and counts what it found wrong in f. */
void request_check_signed(request_failures *f, const script_request *req, const request_check_keys *keys,
                          const char *const *must_sign);

/* A service's own checks of a request, counting what is wrong in seen; run on the server's threads. */
typedef void (*request_check_fn)(void *ctx, const script_request *req, request_failures *seen);

/* A script_server whose handler runs check (may be NULL) on each request, then checks its signature with keys
 * and must_sign (both borrowed), and answers as scripted; seen holds what was wrong. */
typedef struct {
  script_server *srv;
  request_failures seen;
  request_check_keys keys;
  const char *const *must_sign;
  request_check_fn check;
  void *ctx;
} request_server;

/* Starts s answering steps[0..n) (the last repeats); s must stay where it is until request_server_stop. On an
 * error s is left stopped. */
mynt_status request_server_start(request_server *s, const request_check_keys *keys, const char *const *must_sign,
                                 request_check_fn check, void *ctx, const script_reply *steps, size_t n);
void request_server_stop(request_server *s);

#endif
