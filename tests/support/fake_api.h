/* fake_api.h - a fake Lambda Runtime API (a script_server on 127.0.0.1, ephemeral port) for tests. */
#ifndef MYNT_TESTS_FAKE_API_H
#define MYNT_TESTS_FAKE_API_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "support/script_server.h"

#define FAKE_API_MAX 8

typedef struct {
  const char *request_id; /* NULL: the header is left out */
  int64_t deadline_ms;    /* 0: left out */
  const char *function_arn;
  const char *trace_id; /* NULL: left out */
  const char *payload;  /* borrowed; must outlive the fetch */
  size_t payload_len;
  char deadline_text[24]; /* written by the fake as it hands the invocation out */
} fake_invocation;

typedef struct {
  char path[256];
  char error_type[128]; /* "" when Lambda-Runtime-Function-Error-Type was absent */
  char *body;           /* owned by the fake */
  size_t body_len;
} fake_post;

/* GET /2018-06-01/runtime/invocation/next hands out the queued invocations in order
 * (answering 410 once they are used up, or next_status when a test sets another);
 * every POST is recorded and answered 202. Read posts only after fake_api_wait_posts
 * or once the client has returned. */
typedef struct {
  script_server *server;
  char endpoint[64]; /* "127.0.0.1:PORT", for AWS_LAMBDA_RUNTIME_API */
  pthread_mutex_t lock;
  fake_invocation queue[FAKE_API_MAX];
  size_t queued;
  size_t handed;
  fake_post posts[FAKE_API_MAX];
  size_t post_count;
  unsigned connections; /* connections that carried a request so far */
  unsigned next_status;
} fake_api;

/* Starts the fake on an ephemeral loopback port into *out. Returns MYNT_OK, or the failure's
 * status with *out NULL. */
mynt_status fake_api_new(fake_api **out);

/* Stops the fake and frees it and what it recorded. Accepts NULL. */
void fake_api_free(fake_api *f);

/* Queues an invocation with a deadline 5 s from now and a function ARN; returns it so
 * a test can adjust it before it is fetched, or NULL when the queue is full. */
fake_invocation *fake_api_queue(fake_api *f, const char *request_id, const char *payload);

/* Waits until at least n posts were recorded or timeout_ms passed; returns the count. */
size_t fake_api_wait_posts(fake_api *f, size_t n, int64_t timeout_ms);

/* Returns how many invocations have been fetched so far. */
size_t fake_api_handed(fake_api *f);

#endif
