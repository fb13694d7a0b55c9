/* relay.c - forwards a script_server's request to the service behind it with libcurl. */
#include "support/relay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/buf.h"

static size_t s_collect(char *data, size_t size, size_t n, void *user)
{
  return buf_append(user, data, size * n) == MYNT_OK ? size * n : 0;
}

void relay_forward(const char *upstream, const script_request *req, script_reply *out)
{
  static const char *const forwarded[] = {"Content-Type",  "X-Amz-Target",    "X-Amz-Date",   "X-Amz-Security-Token",
                                          "Authorization", "PLAID-CLIENT-ID", "PLAID-SECRET", "Plaid-Version"};
  *out = (script_reply){.drop = true};
  CURL *curl = curl_easy_init();
  if(!curl)
    return;
  struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
  for(size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
    const char *value = script_request_header(req, forwarded[i]);
    char line[4096];
    if(value && (size_t)snprintf(line, sizeof(line), "%s: %s", forwarded[i], value) < sizeof(line))
      headers = curl_slist_append(headers, line);
  }
  char url[512];
  snprintf(url, sizeof(url), "%s%s", upstream, req->url);
  mynt_buf answer;
  buf_init(&answer, 64u * 1024u * 1024u);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  if(req->body_len) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
  }
  long status = 0;
  if(curl_easy_perform(curl) == CURLE_OK && curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK) {
    char *body = malloc(answer.len + 1);
    if(body) {
      memcpy(body, answer.len ? answer.ptr : "", answer.len);
      body[answer.len] = '\0';
      *out = (script_reply){.status = (unsigned)status,
                            .content_type = script_request_header(req, "X-Amz-Target") ? "application/x-amz-json-1.0"
                                                                                       : "application/json",
                            .body = body,
                            .body_len = answer.len,
                            .free_body = true};
    }
  }
  buf_free(&answer);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
}
