/* sim_client.c - a Plaid simulator on a loopback port for one test, and the small libcurl client that talks to it. */
#include "support/sim_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/buf.h"

mynt_status sim_client_new(const plaid_sim_config *cfg, sim_client **out)
{
  *out = NULL;
  sim_client *c = calloc(1, sizeof *c);
  if(!c)
    return MYNT_NOMEM;
  mynt_status st = plaid_sim_new(cfg, &c->sim);
  if(st != MYNT_OK) {
    free(c);
    return st;
  }
  snprintf(c->base, sizeof c->base, "http://127.0.0.1:%u", (unsigned)plaid_sim_port(c->sim));
  *out = c;
  return MYNT_OK;
}

void sim_client_free(sim_client *c)
{
  if(!c)
    return;
  plaid_sim_free(c->sim);
  free(c);
}

static size_t s_collect(char *data, size_t size, size_t n, void *userp)
{
  return buf_append(userp, data, size * n) ? 0 : size * n;
}

sim_answer sim_client_send(const sim_client *c, const char *method, const char *path, const char *body,
                           const char *const *headers)
{
  sim_answer a = {.status = -1};
  mynt_buf got;
  buf_init(&got, 64 * 1024 * 1024);
  char url[512];
  snprintf(url, sizeof url, "%s%s", c->base, path);
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
