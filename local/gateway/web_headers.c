/* web_headers.c - the security headers the web app is served with: the set CloudFront adds in AWS (docs/security.md). */
#include "local/gateway/web_headers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/json.h"

/* Appends " <origin>" of url to csp: scheme://host[:port] with the path dropped. url without a scheme is
 * taken as https:// (as the app does with cognito_domain). Returns MYNT_BAD_REQUEST when url is not http(s)
 * or its host holds anything but letters, digits, '.', '-', a bracketed IPv6 address and a port. */
static mynt_status s_append_origin(mynt_buf *csp, const char *url)
{
  const char *scheme = "https://";
  const char *rest = url;
  if(strncasecmp(url, "https://", 8) == 0)
    rest = url + 8;
  else if(strncasecmp(url, "http://", 7) == 0) {
    scheme = "http://";
    rest = url + 7;
  }
  else if(strstr(url, "://"))
    return MYNT_BAD_REQUEST;
  size_t host_len = strspn(rest, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-[]:");
  if(host_len == 0 || (rest[host_len] != '\0' && rest[host_len] != '/'))
    return MYNT_BAD_REQUEST;
  return buf_appendf(csp, " %s%.*s", scheme, (int)host_len, rest);
}

mynt_status web_headers_csp(const json_t *config, mynt_detail *detail, char **out_csp)
{
  *out_csp = NULL;
  mynt_buf csp;
  buf_init(&csp, WEB_HEADERS_MAX_CSP);
  mynt_status st = buf_appends(&csp, "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                     "connect-src 'self'");
  if(st)
    goto cleanup;
  if(config) {
    if(!json_is_object(config)) {
      st = mynt_fail(detail, MYNT_BAD_REQUEST, "%s", "the web config is not a JSON object");
      goto cleanup;
    }
    static const char *const members[] = {"cognito_endpoint", "cognito_domain", "plaid_url", "api_url"};
    for(size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
      const json_t *v = json_object_get(config, members[i]);
      if(!v || json_is_null(v))
        continue;
      if(!json_is_string(v)) {
        st = mynt_fail(detail, MYNT_BAD_REQUEST, "the web config's %s is not a string", members[i]);
        goto cleanup;
      }
      if(json_string_length(v) == 0)
        continue;
      if((st = s_append_origin(&csp, json_string_value(v)))) {
        if(st == MYNT_BAD_REQUEST)
          mynt_fail(detail, st, "the web config's %s is not an http(s) URL with a plain host", members[i]);
        goto cleanup;
      }
    }
    /* no cognito_endpoint: the app calls Cognito's regional endpoint */
    const char *endpoint = json_member_string(config, "cognito_endpoint");
    const char *region = json_member_string(config, "region");
    if((!endpoint || !*endpoint) && region && *region) {
      if(strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(region)) {
        st = mynt_fail(detail, MYNT_BAD_REQUEST, "%s", "the web config's region is not a region name");
        goto cleanup;
      }
      if((st = buf_appendf(&csp, " https://cognito-idp.%s.amazonaws.com", region)))
        goto cleanup;
    }
  }
  if((st = buf_appends(&csp, "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")))
    goto cleanup;
  if(!(*out_csp = buf_detach(&csp)))
    st = MYNT_NOMEM;
cleanup:
  buf_free(&csp);
  if(st == MYNT_NOMEM)
    mynt_fail(detail, st, "%s", "out of memory");
  else if(st == MYNT_TOO_LARGE)
    mynt_fail(detail, st, "the Content-Security-Policy would pass %u bytes", (unsigned)WEB_HEADERS_MAX_CSP);
  return st;
}

bool web_headers_add(struct MHD_Response *r, const char *csp)
{
  const char *const headers[][2] = {
    {"Content-Security-Policy", csp},      {"Strict-Transport-Security", "max-age=63072000; includeSubDomains"},
    {"X-Content-Type-Options", "nosniff"}, {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
  };
  for(size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
    if(MHD_add_response_header(r, headers[i][0], headers[i][1]) != MHD_YES)
      return false;
  return true;
}
