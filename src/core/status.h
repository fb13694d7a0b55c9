/* status.h - the one status enum every Mynt function returns, and its HTTP mapping. */
#ifndef MYNT_CORE_STATUS_H
#define MYNT_CORE_STATUS_H

/* MYNT_OK is 0 so that `if(st) return st;` reads naturally. Statuses from
 * MYNT_BAD_REQUEST on map to an HTTP answer; the rest are internal failures
 * that the API layer reports as 500. */
typedef enum {
  MYNT_OK = 0,
  MYNT_BAD_REQUEST,        /* 400 bad_request */
  MYNT_UNAUTHORIZED,       /* 401 unauthorized */
  MYNT_FORBIDDEN,          /* 403 forbidden */
  MYNT_NOT_FOUND,          /* 404 not_found */
  MYNT_METHOD_NOT_ALLOWED, /* 405 method_not_allowed */
  MYNT_CONFLICT,           /* 409 conflict */
  MYNT_TOO_LARGE,          /* 413 payload_too_large */
  MYNT_RATE_LIMITED,       /* 429 rate_limited */
  MYNT_INTERNAL,           /* 500 internal_error */
  MYNT_UPSTREAM,           /* 502 upstream_error */
  MYNT_UNAVAILABLE,        /* 503 service_unavailable */
  MYNT_TIMEOUT,            /* 504 timeout: the deadline passed */
  MYNT_NOMEM,              /* 500: an allocation failed */
  MYNT_IO,                 /* 500: a transport error (connect, read, write) */
  MYNT_PARSE,              /* 500: malformed data from a peer we trust */
  MYNT_CONDITION_FAILED,   /* 409: a DynamoDB condition did not hold */
  MYNT_THROTTLED,          /* 503: a dependency throttled us past our retries */
  MYNT_STATUS_COUNT
} mynt_status;

/* Returns a static, human-readable description of st. Never NULL. */
const char *mynt_strerror(mynt_status st);

/* Returns the HTTP status code an API answer for st carries (500 for internal statuses). */
int mynt_status_http(mynt_status st);

/* Returns the stable machine-readable error code for st, e.g. "not_found". Never NULL. */
const char *mynt_status_code(mynt_status st);

#endif
