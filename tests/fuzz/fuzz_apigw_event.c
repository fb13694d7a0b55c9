/* fuzz_apigw_event.c - fuzzes the payload-2.0 event parser and the router over Mynt's real route keys. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "apigw/request.h"
#include "apigw/response.h"
#include "apigw/router.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/logger.h"
#include "fuzz_support.h"
#include "handlers/routes.h"

#define FUZZ_ARENA_MAX  ((size_t)4 << 20)
#define FUZZ_MAX_ROUTES 64

static apigw_route s_routes[FUZZ_MAX_ROUTES];
static apigw_route_table s_table;

/* Stands in for every handler: answers which route ran, for whom, and what it was given. */
static mynt_status s_echo(const apigw_ctx *ctx, const apigw_request *req, apigw_response *res)
{
  (void)ctx;
  const char *sub = apigw_request_sub(req);
  return apigw_response_json(res, 200,
                             json_pack("{s:s, s:s?, s:I, s:i}", "route", req->route_key, "sub", sub, "body_len",
                                       (json_int_t)req->body.len, "headers", (int)req->headers.count));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  json_object_seed(1);
  /* The router logs every request and every odd event: nothing to read in a fuzz run. */
  logger_set_level(LOGGER_ERROR);
  FILE *null_log = fopen("/dev/null", "w");
  if(null_log)
    logger_set_output(null_log);
  const apigw_route_table *real = routes_table();
  for(size_t i = 0; i < real->count && i < FUZZ_MAX_ROUTES; i++) {
    s_routes[i] = real->routes[i];
    s_routes[i].handler = s_echo;
  }
  s_table.routes = s_routes;
  s_table.count = real->count < FUZZ_MAX_ROUTES ? real->count : FUZZ_MAX_ROUTES;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  mynt_arena *arena = NULL;
  json_t *event = NULL;
  json_t *answer = NULL;
  mynt_buf payload;
  buf_init(&payload, (size_t)1 << 20);
  if(arena_new(FUZZ_ARENA_MAX, &arena) != MYNT_OK)
    return 0;

  apigw_request req;
  mynt_status parse_st = apigw_request_parse(arena, (mynt_str){(const char *)data, size}, &req);
  if(parse_st == MYNT_OK || parse_st == MYNT_TOO_LARGE || parse_st == MYNT_BAD_REQUEST) {
    /* Every field but the body is filled, and the lookups agree with the arrays. */
    FUZZ_CHECK(req.route_key && req.method && req.raw_path && req.raw_query && req.request_id);
    FUZZ_CHECK(req.body.ptr == NULL || req.body.ptr[req.body.len] == '\0');
    for(size_t i = 0; i < req.headers.count; i++)
      FUZZ_CHECK(apigw_request_header(&req, req.headers.items[i].name) != NULL);
    for(size_t i = 0; i < s_table.count; i++)
      (void)apigw_router_matches(s_table.routes[i].route_key, req.method, req.raw_path);
    apigw_response res;
    apigw_response_init(&res, arena);
    apigw_ctx ctx = {.arena = arena, .routes = &s_table};
    const apigw_route *route = apigw_router_find(&s_table, req.route_key);
    const char *group = route ? route->group : s_table.routes[0].group;
    (void)apigw_router_dispatch(&s_table, group, &ctx, parse_st, &req, &res);
    FUZZ_CHECK(apigw_response_replied(&res));
  }

  /* The whole function: parsing the text first must not change what the event means. */
  event = json_loadb((const char *)data, size, 0, NULL);
  if(event) {
    arena_reset(arena);
    apigw_ctx ctx = {.arena = arena, .routes = &s_table};
    mynt_status st = apigw_router_serve(&s_table, "items", &ctx, event, &payload);
    if(parse_st != MYNT_NOMEM && st != MYNT_NOMEM)
      FUZZ_CHECK((st == MYNT_PARSE) == (parse_st == MYNT_PARSE));
    if(st == MYNT_OK) {
      /* Every answer written is a payload-2.0 answer API Gateway can read. */
      answer = json_loadb(payload.ptr, payload.len, 0, NULL);
      FUZZ_CHECK(answer != NULL);
      json_int_t code = json_integer_value(json_object_get(answer, "statusCode"));
      FUZZ_CHECK(code >= 200 && code <= 599);
      FUZZ_CHECK(json_is_string(json_object_get(answer, "body")));
    }
  }

  json_decref(answer);
  json_decref(event);
  buf_free(&payload);
  arena_free(arena);
  return 0;
}
