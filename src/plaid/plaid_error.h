/* plaid_error.h - Plaid's error object as a typed struct, and how each error maps to a Mynt status. */
#ifndef MYNT_PLAID_ERROR_H
#define MYNT_PLAID_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

/* What kind of failure a Plaid call met. The handler layer switches on this for the
 * cases it treats specially (ITEM_LOGIN_REQUIRED → 409 item_login_required). */
typedef enum {
  PLAID_ERR_NONE = 0,
  PLAID_ERR_ITEM_LOGIN_REQUIRED,  /* ITEM_LOGIN_REQUIRED: the user must re-authenticate (update mode) */
  PLAID_ERR_INVALID_ACCESS_TOKEN, /* INVALID_ACCESS_TOKEN, ITEM_NOT_FOUND: the stored item is unusable */
  PLAID_ERR_INVALID_PUBLIC_TOKEN, /* INVALID_PUBLIC_TOKEN: the public token from Link is bad or expired */
  PLAID_ERR_PRODUCT_NOT_READY,    /* PRODUCT_NOT_READY: the first transactions pull is not done yet */
  PLAID_ERR_INVALID_REQUEST,      /* INVALID_REQUEST/INVALID_INPUT/INVALID_RESULT, e.g. INVALID_FIELD, MISSING_FIELDS */
  PLAID_ERR_INVALID_CREDENTIALS, /* INVALID_API_KEYS, UNAUTHORIZED_ENVIRONMENT, INVALID_PRODUCT: Mynt's configuration */
  PLAID_ERR_RATE_LIMITED,        /* RATE_LIMIT_EXCEEDED or HTTP 429 (retried) */
  PLAID_ERR_INSTITUTION,         /* INSTITUTION_ERROR: the bank is down or not responding */
  PLAID_ERR_SERVER,              /* HTTP 5xx or API_ERROR (retried) */
  PLAID_ERR_TRANSPORT,           /* no HTTP answer: connect, TLS, timeout (retried) */
  PLAID_ERR_DEADLINE,            /* the deadline had passed before a request could be sent */
  PLAID_ERR_MALFORMED,           /* an answer that is not Plaid's shape */
  PLAID_ERR_OTHER                /* any other Plaid error */
} plaid_error_kind;

/* A failed call, as far as it is safe to keep: never a token, a secret or a request body.
 * Strings are NUL-terminated and "" when absent (display_message is often null). */
typedef struct {
  mynt_status status; /* MYNT_OK on success; else see plaid_error_kind_status */
  plaid_error_kind kind;
  int http_status; /* 0 when no HTTP answer arrived */
  int attempts;    /* requests sent for this call (or this page) */
  char error_type[48];
  char error_code[64];
  char error_message[512];   /* Plaid's text, with anything token-shaped replaced by [redacted] */
  char display_message[512]; /* same redaction */
  char request_id[64];
  char detail[256]; /* Mynt's own description: a transport failure or why an answer was not understood */
} plaid_error;

/* Resets e to "no error" (status MYNT_OK, every field empty). */
void plaid_error_clear(plaid_error *e);

/* Fills e from a non-2xx answer: its HTTP status and body (borrowed, need not be
 * NUL-terminated). Reads error_type, error_code, error_message, display_message and
 * request_id when the body is Plaid's error object, tolerating missing or null fields
 * and non-JSON bodies. In every one of those fields, any occurrence of redact (the request's access or public token;
 * may be NULL) and anything shaped like a Plaid access/public token is replaced with
 * "[redacted]". Sets kind and status (plaid_error_classify) and returns e->status. */
mynt_status plaid_error_parse(int http_status, const char *body, size_t len, const char *redact, plaid_error *e);

/* Returns the kind for an HTTP status and Plaid's error_type/error_code (either may be
 * NULL or ""). error_code decides first, then error_type, then the HTTP status. */
plaid_error_kind plaid_error_classify(int http_status, const char *error_type, const char *error_code);

/* Returns the Mynt status for a kind: ITEM_LOGIN_REQUIRED and INVALID_ACCESS_TOKEN →
 * MYNT_CONFLICT (409); INVALID_PUBLIC_TOKEN and INVALID_REQUEST → MYNT_BAD_REQUEST (400);
 * RATE_LIMITED → MYNT_RATE_LIMITED (429); SERVER, MALFORMED, OTHER → MYNT_UPSTREAM (502);
 * PRODUCT_NOT_READY, INSTITUTION, TRANSPORT → MYNT_UNAVAILABLE (503); DEADLINE →
 * MYNT_TIMEOUT (504); INVALID_CREDENTIALS → MYNT_INTERNAL (500); NONE → MYNT_OK. */
mynt_status plaid_error_kind_status(plaid_error_kind kind);

/* Returns true when a call that failed with kind is worth retrying (RATE_LIMITED, SERVER,
 * TRANSPORT). */
bool plaid_error_retryable(plaid_error_kind kind);

/* Returns a stable lower-case name for kind, e.g. "item_login_required". Never NULL. */
const char *plaid_error_kind_name(plaid_error_kind kind);

/* Replaces, in the NUL-terminated text, every occurrence of secret (when not NULL or "")
 * and every word shaped like a Plaid access or public token ("access-<env>-..." or
 * "public-<env>-...") with "[redacted]"; the text never grows past cap bytes. */
void plaid_error_redact(char *text, size_t cap, const char *secret);

#endif
