/* sim_client.c - the small libcurl client the Plaid simulator's tests talk to it over loopback with. */
#include "support/sim_client.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "core/buf.h"
#include "core/json.h"

static size_t s_collect(char *data, size_t size, size_t n, void *userp)
{
  return buf_append(userp, data, size * n) ? 0 : size * n;
}

sim_answer sim_client_send(const plaid_sim *sim, const char *method, const char *path, const char *body,
                           const char *const *headers)
{
  sim_answer a = {.status = -1};
  mynt_buf got;
  buf_init(&got, 64 * 1024 * 1024);
  char url[512];
  snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)plaid_sim_port(sim), path);
  CURL *curl = curl_easy_init();
  struct curl_slist *list = curl_slist_append(NULL, "Content-Type: application/json");
  for(size_t i = 0; headers && headers[i]; i++)
    list = curl_slist_append(list, headers[i]);
  if(curl && list) {
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &got);
    if(body) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if(curl_easy_perform(curl) == CURLE_OK)
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  a.text = buf_detach(&got);
  a.body = a.text ? json_loads(a.text, 0, NULL) : NULL;
  if(!a.text)
    a.text = strdup("");
  return a;
}

void sim_answer_free(sim_answer *a)
{
  json_decref(a->body);
  free(a->text);
  memset(a, 0, sizeof *a);
}

sim_reply sim_client_json(const plaid_sim *sim, const char *method, const char *path, json_t *body,
                          const char *const *headers)
{
  char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  sim_answer a = sim_client_send(sim, method, path, text, headers);
  free(text);
  sim_reply r = {.status = a.status, .body = a.body};
  free(a.text);
  return r;
}

void sim_reply_expect_ok(const sim_reply *r)
{
  if(r->status != 200) {
    char *text = r->body ? json_dumps(r->body, JSON_COMPACT) : NULL;
    fail_msg("expected 200, got %ld %.400s", r->status, text ? text : "");
  }
}

void sim_reply_expect_error(sim_reply *r, long status, const char *type, const char *code)
{
  const char *got = json_member_string(r->body, "error_code");
  const char *message = json_member_string(r->body, "error_message");
  if(r->status != status || !got || strcmp(got, code) != 0)
    fail_msg("expected %ld %s, got %ld %s (%s)", status, code, r->status, got ? got : "-", message ? message : "");
  assert_string_equal(json_member_string(r->body, "error_type"), type);
  assert_non_null(message);
  assert_non_null(json_member_string(r->body, "request_id"));
  json_decref(r->body);
}

/* The 200 of a Plaid endpoint: it carries a request_id. */
static void s_expect_plaid_ok(const sim_reply *r)
{
  sim_reply_expect_ok(r);
  assert_non_null(json_member_string(r->body, "request_id"));
}

char *sim_client_sandbox_item(const plaid_sim *sim, const char *const *headers, json_t *create_body, char item_id[64])
{
  sim_reply r = sim_client_json(sim, "POST", "/sandbox/public_token/create", create_body, headers);
  s_expect_plaid_ok(&r);
  sim_reply x =
    sim_client_json(sim, "POST", "/item/public_token/exchange",
                    json_pack("{s:s}", "public_token", json_member_string(r.body, "public_token")), headers);
  s_expect_plaid_ok(&x);
  snprintf(item_id, 64, "%s", json_member_string(x.body, "item_id"));
  char *access = strdup(json_member_string(x.body, "access_token"));
  json_decref(r.body);
  json_decref(x.body);
  return access;
}
