/* sigv4.h - AWS Signature Version 4 (HMAC-SHA256) for header and presigned-query signing, stage by stage. */
#ifndef MYNT_AWS_SIGV4_H
#define MYNT_AWS_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "core/buf.h"
#include "core/status.h"

/* One request header. Names may have any case; values are taken raw (the signer trims them,
 * folds line breaks and collapses inner whitespace for the canonical form). */
typedef struct {
  const char *name;
  const char *value;
} sigv4_header;

/* An in-memory request to sign; every pointer is borrowed for the duration of the call.
 * path is the path exactly as it appears on the request line (NULL or "" = "/"); the signer
 * URI-encodes it once more per segment, which is AWS's "double encoding" for already
 * encoded paths. query is the raw query after '?' (percent-encoded as sent; NULL or "" for
 * none; '+' is taken literally, not as a space). headers must include Host and must not
 * include Authorization, X-Amz-Date, X-Amz-Security-Token or X-Amz-Content-Sha256: the
 * signer adds those. */
typedef struct {
  const char *method;
  const char *path;
  const char *query;
  const sigv4_header *headers;
  size_t header_count;
  const void *body;
  size_t body_len;
} sigv4_request;

typedef enum {
  SIGV4_SIGN_HEADERS, /* an Authorization header (plus X-Amz-Date and friends) */
  SIGV4_SIGN_QUERY    /* a presigned URL: X-Amz-* query parameters ending in X-Amz-Signature */
} sigv4_mode;

/* What and how to sign. Strings are borrowed. */
typedef struct {
  const char *access_key_id;
  const char *secret_access_key;
  const char *session_token; /* NULL or "" when there is none */
  const char *region;        /* e.g. "us-east-1" */
  const char *service;       /* signing name, e.g. "dynamodb" */
  time_t timestamp;          /* the signing time (UTC seconds) */
  sigv4_mode mode;
  int normalize_path;     /* 1: remove dot segments and duplicate slashes (every service but S3) */
  int sign_body;          /* 1: add and sign x-amz-content-sha256 (header mode only) */
  int omit_session_token; /* 1: the token is added after signing, outside SignedHeaders / the canonical query */
  long expires_seconds;   /* query mode: X-Amz-Expires, 1..604800 */
} sigv4_params;

#define SIGV4_MAX_ADDED_HEADERS 4

/* Every stage of one signing. Owned by the caller: release with sigv4_result_free. */
typedef struct {
  mynt_buf canonical_request;
  mynt_buf string_to_sign;
  mynt_buf signed_headers; /* "host;x-amz-date;..." */
  char amz_date[17];       /* "20150830T123600Z" */
  char payload_hash[65];   /* lower-case hex SHA-256 of the body */
  char signature[65];      /* lower-case hex */
  mynt_buf authorization;  /* header mode: the Authorization header value; empty in query mode */
  mynt_buf query;          /* query mode: the encoded X-Amz-* parameters to append to the request's
                                 query with '&' (or '?' when it has none); empty in header mode */
  /* Header mode: the headers to add to the request, in this order (X-Amz-Security-Token,
   * X-Amz-Date, x-amz-content-sha256, Authorization, as applicable). Names are static;
   * values borrow from this result. Empty in query mode. */
  sigv4_header added[SIGV4_MAX_ADDED_HEADERS];
  size_t added_count;
  mynt_buf token_copy; /* storage for the X-Amz-Security-Token value */
} sigv4_result;

/* Signs req as p says and fills every stage of *out (which need not be initialised).
 * Returns MYNT_OK; MYNT_BAD_REQUEST when a required field is missing, a reserved header is
 * present or expires_seconds is out of range; MYNT_TOO_LARGE when a buffer cap is reached,
 * MYNT_NOMEM when allocation fails. On failure *out is left empty (sigv4_result_free is still safe). */
mynt_status sigv4_sign(const sigv4_request *req, const sigv4_params *p, sigv4_result *out);

/* Frees every buffer of r (wiping the copied session token) and leaves it empty. */
void sigv4_result_free(sigv4_result *r);

/* Stage 2 on its own: appends the string to sign for canonical_request (len bytes) to out:
 * "AWS4-HMAC-SHA256\n<amz_date>\n<date>/<region>/<service>/aws4_request\n<hex sha256>".
 * Returns MYNT_OK, or buf_append's MYNT_TOO_LARGE / MYNT_NOMEM (out freed). */
mynt_status sigv4_string_to_sign(const char *amz_date, const char *region, const char *service,
                                 const char *canonical_request, size_t len, mynt_buf *out);

/* Stage 3 on its own: derives the signing key from secret, the date part of amz_date, region
 * and service, and writes the lower-case hex HMAC-SHA256 of string_to_sign (len bytes) to
 * out_hex. Intermediate keys are wiped. Returns MYNT_OK, or MYNT_INTERNAL if OpenSSL fails. */
mynt_status sigv4_signature(const char *secret, const char *amz_date, const char *region, const char *service,
                            const char *string_to_sign, size_t len, char out_hex[65]);

/* Writes t as the basic ISO 8601 form "YYYYMMDDTHHMMSSZ" (UTC) into out. */
void sigv4_amz_date(time_t t, char out[17]);

/* Writes the lower-case hex SHA-256 of len bytes at data into out_hex. Returns MYNT_OK or
 * MYNT_INTERNAL if OpenSSL fails. */
mynt_status sigv4_sha256_hex(const void *data, size_t len, char out_hex[65]);

/* Appends s (len bytes) to out, percent-encoding every byte but the RFC 3986 unreserved set
 * A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash), with upper-case hex. Returns MYNT_OK or
 * buf_append's MYNT_TOO_LARGE / MYNT_NOMEM (out freed). */
mynt_status sigv4_uri_encode(mynt_buf *out, const char *s, size_t len, int keep_slash);

#endif
