/* web_headers.h - the security headers the web app is served with: the set CloudFront adds in AWS (docs/security.md). */
#ifndef MYNT_LOCAL_WEB_HEADERS_H
#define MYNT_LOCAL_WEB_HEADERS_H

#include <stdbool.h>

#include <jansson.h>
#include <microhttpd.h>

#include "core/detail.h"
#include "core/status.h"

/* Longest Content-Security-Policy web_headers_csp builds. */
#define WEB_HEADERS_MAX_CSP 2048

/* Builds the Content-Security-Policy for the web app whose /config.json is config (NULL = none; borrowed):
 * default-src, script-src and style-src 'self' (no 'unsafe-inline'), img-src 'self' data:, connect-src
 * 'self' plus the origins the app and the Link stand-in call (cognito_endpoint, or Cognito's regional
 * endpoint when it is empty; cognito_domain; plaid_url; api_url when not same-origin), frame-ancestors
 * 'none', base-uri 'none', form-action 'self'.
 * Returns MYNT_OK with *out_csp (malloc'd, the caller frees); MYNT_BAD_REQUEST when config is not a
 * JSON object or one of those members is not a string holding an http(s) URL with a plain host, with the
 * reason in detail (may be NULL); MYNT_TOO_LARGE past WEB_HEADERS_MAX_CSP; MYNT_NOMEM. On failure *out_csp is NULL. */
mynt_status web_headers_csp(const json_t *config, mynt_detail *detail, char **out_csp);

/* Adds the security headers to r: Content-Security-Policy csp, Strict-Transport-Security,
 * X-Content-Type-Options nosniff, Referrer-Policy no-referrer, X-Frame-Options DENY.
 * Returns false when MHD could not add one (r then carries only some of them). */
bool web_headers_add(struct MHD_Response *r, const char *csp);

#endif
