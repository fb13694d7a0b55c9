/* fault_bootstrap.c - a test-only Lambda whose routes crash, hang, fail or answer, for the local gateway's tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "apigw/router.h"
#include "core/logger.h"
#include "runtime/runtime.h"

#define FAULT_GROUP "fault"

/* Per-invocation flag: GET /fault/error asks for an invocation error instead of an answer. */
typedef struct {
  int fail_invocation;
} s_fault_env;

static mynt_status s_crash(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  (void)req;
  (void)res;
  logger_log(LOGGER_WARN, ctx->invocation_id, "fault: crashing on purpose");
  abort();
}

static mynt_status s_hang(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  (void)req;
  (void)res;
  logger_log(LOGGER_WARN, ctx->invocation_id, "fault: hanging on purpose");
  for(;;)
    pause();
  return MYNT_INTERNAL; /* not reached: only a signal ends the wait */
}

static mynt_status s_error(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  (void)req;
  (void)res;
  s_fault_env *env = ctx->env;
  env->fail_invocation = 1;
  return MYNT_INTERNAL;
}

static mynt_status s_ok(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  (void)ctx;
  (void)req;
  return apigw_response_json(res, 200, json_pack("{s:b}", "ok", 1));
}

static mynt_status s_default(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  return apigw_router_answer_unmatched(ctx->routes, req, res);
}

static const apigw_route s_routes[] = {
  {"GET /fault/crash", FAULT_GROUP, 0, s_crash}, {"GET /fault/hang", FAULT_GROUP, 0, s_hang},
  {"GET /fault/error", FAULT_GROUP, 0, s_error}, {"GET /fault/ok", FAULT_GROUP, 0, s_ok},
  {"$default", FAULT_GROUP, 0, s_default},
};

static const apigw_route_table s_table = {s_routes, sizeof(s_routes) / sizeof(s_routes[0])};

static mynt_status s_on_invocation(runtime_ctx *rt, const runtime_invocation *inv, mynt_buf *out_payload,
                                   runtime_error *out_error)
{
  s_fault_env *env = runtime_user(rt);
  env->fail_invocation = 0;
  apigw_ctx ctx = {
    .env = env,
    .arena = runtime_arena(rt),
    .deadline_ms = inv->deadline_ms,
    .invocation_id = inv->request_id,
  };
  mynt_status st = apigw_router_serve(&s_table, FAULT_GROUP, &ctx, inv->event, out_payload);
  if(st == MYNT_PARSE) {
    runtime_error_set(out_error, "Function.InvalidEvent", "the event is not an HTTP API payload-2.0 event");
    return st;
  }
  if(env->fail_invocation) {
    runtime_error_set(out_error, "Function.FaultInjected", "GET /fault/error fails its invocation on purpose");
    return MYNT_INTERNAL;
  }
  return st;
}

int main(int argc, char **argv)
{
  if(argc == 2 && strcmp(argv[1], "--routes") == 0) {
    json_t *doc = apigw_router_table_json(&s_table);
    int failed = !doc || json_dumpf(doc, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    fputc('\n', stdout);
    return failed;
  }
  if(argc > 1) {
    fprintf(stderr, "usage: fault_bootstrap [--routes]\n");
    return 2;
  }
  logger_init_from_env();
  if(curl_global_init(CURL_GLOBAL_DEFAULT))
    return 1;
  s_fault_env env = {0};
  runtime_ctx *rt = NULL;
  mynt_status st = runtime_new(NULL, &env, &rt);
  if(st)
    logger_log(LOGGER_ERROR, NULL, "fault_bootstrap: no usable AWS_LAMBDA_RUNTIME_API: %s", mynt_strerror(st));
  else
    st = runtime_run(rt, s_on_invocation, 0);
  runtime_free(rt);
  curl_global_cleanup();
  return 1;
}
