/* sim_link.c - linking banks of the in-process Plaid simulator through Mynt's routes, for the handlers tests on
 * moto. */
#include "support/sim_link.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "core/arena.h"
#include "handlers/routes.h"
#include "support/apigw_forge.h"
#include "support/sim_client.h"

void sim_link_fixture_open(sim_link_fixture *f)
{
  curl_global_init(CURL_GLOBAL_DEFAULT);
  plaid_sim_config cfg = {.client_id = SIM_LINK_CLIENT, .secret = SIM_LINK_SECRET};
  assert_int_equal(plaid_sim_new(&cfg, &f->sim), MYNT_OK);
  snprintf(f->sim_url, sizeof(f->sim_url), "http://127.0.0.1:%u", (unsigned)plaid_sim_port(f->sim));
  assert_int_equal(arena_new(32 * 1024 * 1024, &f->arena), MYNT_OK);
}

void sim_link_fixture_close(sim_link_fixture *f)
{
  plaid_sim_free(f->sim);
  arena_free(f->arena);
  memset(f, 0, sizeof(*f));
  curl_global_cleanup();
}

json_t *sim_link_call(const plaid_sim *sim, const char *method, const char *path, json_t *body, long *out_status)
{
  static const char *const headers[] = {"PLAID-CLIENT-ID: " SIM_LINK_CLIENT, "PLAID-SECRET: " SIM_LINK_SECRET,
                                        "Plaid-Version: 2020-09-14", NULL};
  char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  sim_answer answer = sim_client_send(sim, method, path, text, headers);
  free(text);
  if(answer.status < 0)
    fail_msg("%s %s: the simulator did not answer", method, path);
  if(!answer.body)
    fail_msg("%s %s answered %ld, not JSON: %s", method, path, answer.status, answer.text);
  json_t *doc = json_incref(answer.body);
  if(out_status)
    *out_status = answer.status;
  sim_answer_free(&answer);
  return doc;
}

char *sim_link_items_body(const plaid_sim *sim, const char *institution, int days_requested, const char *extra)
{
  json_t *request = json_pack("{s:s, s:[s]}", "institution_id", institution, "initial_products", "transactions");
  if(days_requested)
    json_object_set_new(request, "options", json_pack("{s:{s:i}}", "transactions", "days_requested", days_requested));
  long status = 0;
  json_t *answer = sim_link_call(sim, "POST", "/sandbox/public_token/create", request, &status);
  assert_int_equal(status, 200);
  const char *token = json_string_value(json_object_get(answer, "public_token"));
  assert_non_null(token);
  char *body = NULL;
  assert_true(asprintf(&body, "{\"public_token\":\"%s\"%s}", token, extra) > 0);
  json_decref(answer);
  return body;
}

json_t *sim_link_sim_item(const plaid_sim *sim, const char *item_id)
{
  json_t *all = sim_link_call(sim, "GET", "/sim/items", NULL, NULL);
  size_t i;
  json_t *item;
  json_t *found = NULL;
  json_array_foreach(json_object_get(all, "items"), i, item) {
    if(strcmp(json_string_value(json_object_get(item, "item_id")), item_id) == 0)
      found = json_incref(item);
  }
  json_decref(all);
  assert_non_null(found);
  return found;
}

const char *sim_link_item_id(const json_t *created)
{
  return json_string_value(json_object_get(json_object_get(created, "item"), "item_id"));
}

json_t *sim_link_serve(const apigw_ctx *ctx, const sim_link_request *r)
{
  const char *slash = strrchr(r->path, '/');
  json_t *event = apigw_forge_event_new(&(apigw_forge_event){
    .method = r->method,
    .route_key = r->route_key,
    .path = r->path,
    .query = r->query,
    .path_params = strstr(r->route_key, "{item_id}") ? json_pack("{s:s}", "item_id", slash + 1) : NULL,
    .sub = r->sub,
    .body = r->body});
  json_t *payload = apigw_forge_serve(routes_table(), r->group, ctx, event);
  arena_reset(ctx->arena);
  char *text = json_dumps(payload, 0);
  assert_null(strstr(text, "access-sandbox"));
  free(text);
  return payload;
}
