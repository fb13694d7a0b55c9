/* main.c - bootstrap: init once, pick the route group (or the function of its own events) from _HANDLER, serve
 * invocations forever. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "apigw/router.h"
#include "bootstrap_env.h"
#include "core/logger.h"
#include "handlers/call.h"
#include "handlers/env.h"
#include "handlers/routes.h"
#include "runtime/runtime.h"
#include "store/store.h"

typedef struct {
  const char *group;
  routes_event_fn on_event; /* the group's handler when it is not behind API Gateway */
  int needs_plaid;          /* every event of on_event's group calls Plaid */
  handlers_env env;
} s_app;

/* The secrets read on an event's first use of them end this long before its deadline (the answer's room). */
#define S_EVENT_MARGIN_MS 1000

static mynt_status s_on_invocation(runtime_ctx *rt, const runtime_invocation *inv, mynt_buf *out_payload,
                                   runtime_error *out_error)
{
  s_app *app = runtime_user(rt);
  apigw_ctx ctx = {
    .env = &app->env,
    .arena = runtime_arena(rt),
    .deadline_ms = inv->deadline_ms,
    .invocation_id = inv->request_id,
  };
  mynt_status st = apigw_router_serve(routes_table(), app->group, &ctx, inv->event, out_payload);
  if(st == MYNT_PARSE)
    runtime_error_set(out_error, "Function.InvalidEvent", "the event is not an HTTP API payload-2.0 event");
  return st;
}

/* The invocations of a group that is not behind API Gateway: its own events, answered by the group's on_event. */
static mynt_status s_on_event(runtime_ctx *rt, const runtime_invocation *inv, mynt_buf *out_payload,
                              runtime_error *out_error)
{
  s_app *app = runtime_user(rt);
  json_t *answer = NULL;
  mynt_detail why;
  mynt_detail_clear(&why);
  mynt_status st = MYNT_OK;
  /* A failure is an invocation error: Lambda tries an asynchronous event (a sync) again. */
  if(app->needs_plaid)
    st = handlers_env_plaid(&app->env, inv->deadline_ms ? inv->deadline_ms - S_EVENT_MARGIN_MS : 0, &why);
  if(!st)
    st = app->on_event(&app->env, inv->event, inv->deadline_ms, inv->request_id, &answer, &why);
  if(st) {
    json_decref(answer);
    /* An empty type is "Function.<status code>" (runtime.h). */
    runtime_error_set(out_error, st == MYNT_BAD_REQUEST ? "Function.InvalidEvent" : "", "%s",
                      mynt_detail_text(&why)[0] ? mynt_detail_text(&why) : mynt_strerror(st));
    return st;
  }
  char *text = json_dumps(answer, JSON_COMPACT);
  json_decref(answer);
  if(!text)
    return MYNT_NOMEM;
  st = buf_appends(out_payload, text);
  free(text);
  return st;
}

/* Opens one client for a group at init, posting the init error when it fails. Returns 0 or -1. */
static int s_open(runtime_ctx *rt, mynt_status (*open)(handlers_env *, mynt_detail *), handlers_env *env)
{
  mynt_detail why;
  mynt_status st = open(env, &why);
  if(!st)
    return 0;
  logger_log(LOGGER_ERROR, NULL, "bootstrap: %s", mynt_detail_text(&why));
  runtime_post_init_error(rt, "Runtime.InvalidConfig", mynt_detail_text(&why));
  return -1;
}

static int s_print_routes(void)
{
  json_t *doc = apigw_router_table_json(routes_table());
  if(!doc || json_dumpf(doc, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER)) {
    json_decref(doc);
    fprintf(stderr, "bootstrap: cannot print the route table\n");
    return 1;
  }
  json_decref(doc);
  fputc('\n', stdout);
  return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
  if(argc == 2 && strcmp(argv[1], "--routes") == 0)
    return s_print_routes();
  if(argc > 1) {
    fprintf(stderr, "usage: bootstrap [--routes]\n");
    return 2;
  }

  s_app app = {0};
  runtime_ctx *rt = NULL;
  const char *handler = getenv("_HANDLER");
  /* Before any jansson or libcurl use: every block either library releases is wiped first; OpenSSL as far as
   * the group needs it. */
  mynt_detail init_why;
  mynt_status st = bootstrap_env_init_libraries(handler, &init_why);
  logger_init_from_env();
  if(st) {
    logger_log(LOGGER_ERROR, NULL, "bootstrap: %s", mynt_detail_text(&init_why));
    return 1;
  }
  st = runtime_new(NULL, &app, &rt);
  if(st) {
    logger_log(LOGGER_ERROR, NULL, "bootstrap: no usable Runtime API endpoint in AWS_LAMBDA_RUNTIME_API: %s",
               mynt_strerror(st));
    goto cleanup;
  }

  const routes_group *group = handler ? routes_find_group(handler) : NULL;
  if(!group) {
    char message[200];
    snprintf(message, sizeof(message), "_HANDLER \"%.64s\" is not a route group", handler ? handler : "");
    runtime_post_init_error(rt, "Runtime.UnknownHandler", message);
    goto cleanup;
  }
  app.group = group->name;
  app.on_event = group->on_event;
  if(group->needs_store) {
    mynt_detail why;
    st = store_open_from_env(&app.env.store, &why);
    if(st) {
      runtime_post_init_error(rt, "Runtime.InvalidConfig", mynt_detail_text(&why));
      goto cleanup;
    }
  }
  /* The secrets are read by the first request that needs them: only what needs no network is checked here. */
  app.needs_plaid = group->needs_plaid && !group->http;
  if(group->needs_plaid && s_open(rt, bootstrap_env_defer_plaid, &app.env))
    goto cleanup;
  if(group->starts_syncs && s_open(rt, bootstrap_env_open_lambda, &app.env))
    goto cleanup;
  if(group->needs_cognito && s_open(rt, bootstrap_env_open_cognito, &app.env))
    goto cleanup;
  if(group->needs_apigateway && s_open(rt, bootstrap_env_open_apigateway, &app.env))
    goto cleanup;

  if(group->needs_webhook_keys && plaid_webhook_keys_new(&app.env.webhook_keys)) {
    runtime_post_init_error(rt, "Runtime.OutOfMemory", "the webhook key cache could not be made");
    goto cleanup;
  }

  logger_log(LOGGER_INFO, NULL, "bootstrap: serving %s \"%s\"", group->http ? "route group" : "function", app.group);
  st = runtime_run(rt, group->http ? s_on_invocation : s_on_event, 0);
  /* The loop only returns when the Runtime API can no longer be reached. */
  logger_log(LOGGER_ERROR, NULL, "bootstrap: the Runtime API loop stopped: %s", mynt_strerror(st));

cleanup:
  bootstrap_env_free(&app.env);
  runtime_free(rt);
  curl_global_cleanup();
  return 1;
}
