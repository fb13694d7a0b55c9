/* http_server.h - one libmicrohttpd server on a loopback address: set-up, body collection, port, shutdown. */
#ifndef MYNT_LOCAL_HTTP_SERVER_H
#define MYNT_LOCAL_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "core/detail.h"
#include "core/status.h"

/* Bodies are collected up to this many bytes when the options say 0. */
#define HTTP_SERVER_DEFAULT_MAX_BODY (1024u * 1024)

/* The status a request with a Host header that is not a loopback name is answered with, before any
 * callback sees it: 421 Misdirected Request ("this server does not serve that authority"). */
#define HTTP_SERVER_MISDIRECTED 421

/* One request as the handlers see it. Everything is borrowed for the length of the call. */
typedef struct {
  const char *url;     /* the path as MHD decoded it */
  const char *raw_uri; /* the request target as sent: path and query, not decoded */
  const char *method;
  const char *version;
  const char *body; /* the collected body (NUL-terminated), "" when there is none */
  size_t body_len;
  bool body_too_large; /* the body passed max_body; body holds none of it */
  int64_t start_ms;    /* clock_mono_ms() when the request line arrived */
} http_server_request;

/* Answers req on c (MHD_queue_response) and returns MHD's verdict; MHD_NO drops the connection. */
typedef enum MHD_Result (*http_server_handler)(void *ctx, struct MHD_Connection *c, const http_server_request *req);

/* Looks at a request once its headers are in, before its body is read (req->body is ""). Returns
 * true after answering it on c, with MHD's verdict in *out; false to go on collecting the body. */
typedef bool (*http_server_header_check)(void *ctx, struct MHD_Connection *c, const http_server_request *req,
                                         enum MHD_Result *out);

typedef struct {
  const char *host;                    /* IPv4 address to bind; NULL = "127.0.0.1" */
  uint16_t port;                       /* 0 = an ephemeral port */
  http_server_handler handler;         /* required: called once the whole body is in (Host checked) */
  http_server_header_check on_headers; /* optional early answer (too large, URI too long) */
  void *ctx;                           /* passed to both callbacks */
  size_t max_body;                     /* body bytes kept; 0 = HTTP_SERVER_DEFAULT_MAX_BODY */
  unsigned connection_timeout_s;       /* idle connections are closed after this; 0 = never */
  size_t connection_memory_limit;      /* MHD's per-connection memory; 0 = MHD's default */
  unsigned connection_limit;           /* concurrent connections; 0 = MHD's default */
  bool thread_per_connection;          /* one thread per connection (handlers may block) */
  bool log_errors;                     /* MHD's own error messages on stderr */
} http_server_options;

typedef struct http_server http_server;

/* Returns true when host (a Host header's value; NULL = none) names this machine's loopback interface:
 * localhost, 127.0.0.1 or [::1], in any letter case, alone or followed by ":port" (1 to 5 digits).
 * Every server here answers any other Host (and a missing one) HTTP_SERVER_MISDIRECTED, so a page
 * on another origin whose name was rebound to 127.0.0.1 (DNS rebinding) cannot drive it. */
bool http_server_host_is_loopback(const char *host);

/* Returns what follows url's "http://" or "https://" (its host, port, path and query; borrowed from url), or NULL for
 * NULL or another scheme. */
const char *http_server_url_host(const char *url);

/* Queues an answer on c: status, body[0..len) (copied), a Content-Type of content_type (NULL: none) and the header
 * pairs of headers (name, value, ...; NULL-terminated; may be NULL). Returns MHD's verdict (MHD_NO when the answer
 * cannot be made). */
enum MHD_Result http_server_reply(struct MHD_Connection *c, unsigned status, const char *body, size_t len,
                                  const char *content_type, const char *const *headers);

/* Starts serving on its own thread(s); opts is copied, ctx must outlive the server.
 * Returns MYNT_OK and *out (free it with http_server_free); MYNT_BAD_REQUEST when host is not
 * an IPv4 address or no handler is given; MYNT_IO when the address cannot be bound; MYNT_NOMEM.
 * On failure *out is NULL and detail (may be NULL) says why. */
mynt_status http_server_new(const http_server_options *opts, mynt_detail *detail, http_server **out);

/* Returns the port the server listens on. */
uint16_t http_server_port(const http_server *s);

/* Stops accepting new connections; those already open are served until http_server_free.
 * Safe to call more than once. */
void http_server_quiesce(http_server *s);

/* Stops serving (waits for the handlers in flight) and frees s. Accepts NULL. */
void http_server_free(http_server *s);

#endif
