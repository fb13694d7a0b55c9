/* script_server.h - tests' loopback HTTP server (127.0.0.1, ephemeral port, on local/common's http_server): answers
 * a script of canned replies or a test's handler, and records the requests it received. */
#ifndef MYNT_TESTS_SCRIPT_SERVER_H
#define MYNT_TESTS_SCRIPT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define SCRIPT_SERVER_MAX_STEPS   16
#define SCRIPT_SERVER_MAX_HEADERS 4
#define SCRIPT_SERVER_MAX_RECORDS 64
#define SCRIPT_SERVER_BODY_MAX    (16u * 1024u * 1024u) /* a longer request body is refused (connection closed) */

typedef struct {
  const char *name; /* NULL ends the list */
  const char *value;
} script_header;

/* One answer. Strings are borrowed: a script's are copied by script_server_script except content_type and
 * headers, which must outlive the server (literals); a handler's must live until it returns, or be malloc'd
 * with free_body set. */
typedef struct {
  unsigned status;
  const char *content_type; /* NULL: no Content-Type */
  script_header headers[SCRIPT_SERVER_MAX_HEADERS];
  const char *body; /* NULL: empty */
  size_t body_len;  /* 0: strlen(body) */
  int delay_ms;     /* slept before answering (other connections are served meanwhile) */
  bool drop;        /* close the connection without answering */
  bool free_body;   /* a handler's body was malloc'd: the server frees it */
} script_reply;

/* A complete request, valid while a handler runs. */
typedef struct {
  const char *method;
  const char *url;
  const char *body; /* NUL-terminated; "" when there was none */
  size_t body_len;
  int index; /* order of arrival, from 0 */
  unsigned short client_port;
  void *connection; /* libmicrohttpd's, for script_request_header */
} script_request;

/* Answers req: *out holds the script's step for it (a 404 without a script) and may be changed. Called on the
 * connection's thread without the server's lock: a handler guards its own state. */
typedef void (*script_handler)(void *ctx, const script_request *req, script_reply *out);

/* What the server kept of one request (the first SCRIPT_SERVER_MAX_RECORDS). */
typedef struct {
  char method[16];
  char url[256];
  char *body; /* owned by the server, NUL-terminated */
  size_t body_len;
  unsigned short client_port;
} script_record;

typedef struct script_server script_server;

/* Starts a server answering with handler (NULL: the script alone). Returns MYNT_OK and *out, or MYNT_IO when the
 * daemon does not start (*out NULL). */
mynt_status script_server_new(script_handler handler, void *ctx, script_server **out);

/* Stops the server (waiting for connections in progress) and frees it and its records. Accepts NULL. */
void script_server_free(script_server *srv);

/* The port, and "http://127.0.0.1:PORT" (owned by the server). */
unsigned short script_server_port(const script_server *srv);
const char *script_server_url(const script_server *srv);

/* Replaces the script with steps[0..n) (bodies copied) and starts it over: the next request gets steps[0], and
 * the last step repeats. n must be 1..SCRIPT_SERVER_MAX_STEPS. Returns MYNT_BAD_REQUEST or MYNT_NOMEM else. */
mynt_status script_server_script(script_server *srv, const script_reply *steps, size_t n);

/* Shorthand for a one-step script answering status with body (copied). */
mynt_status script_server_reply(script_server *srv, unsigned status, const char *body);

/* The value of request header name (case-insensitive), or NULL. */
const char *script_request_header(const script_request *req, const char *name);

/* What the server has seen so far. */
typedef struct {
  int requests;      /* requests received */
  int max_in_flight; /* most requests in progress at once */
  int connections;   /* connections that carried a request (told apart by their client port) */
} script_counts;

script_counts script_server_counts(script_server *srv);

/* Waits until at least n requests arrived (a try a client's deadline cut short may arrive after the client gave
 * up) or timeout_ms passed; returns the count. */
int script_server_wait_requests(script_server *srv, int n, int64_t timeout_ms);

/* Record i (in order of arrival), or NULL past the recorded ones. Read it once the client has returned. */
const script_record *script_server_record(script_server *srv, int i);

#endif
