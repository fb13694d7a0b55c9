/* router.c - dispatch of payload-2.0 requests through an explicit route table. */
#include "apigw/router.h"

#include <stdbool.h>
#include <string.h>

#include "core/clock.h"
#include "core/logger.h"

const apigw_route *apigw_router_find(const apigw_route_table *table, const char *route_key)
{
  for(size_t i = 0; i < table->count; i++) {
    if(strcmp(table->routes[i].route_key, route_key) == 0)
      return &table->routes[i];
  }
  return NULL;
}

/* Returns true when segment [seg, seg+len) of a template is a "{name}" or "{name+}" variable. */
static bool s_is_variable(const char *seg, size_t len)
{
  return len >= 3 && seg[0] == '{' && seg[len - 1] == '}';
}

static bool s_path_matches(const char *tpl, const char *path)
{
  while(*tpl && *path) {
    if(*tpl != '/' || *path != '/')
      return false;
    tpl++;
    path++;
    size_t tlen = strcspn(tpl, "/");
    size_t plen = strcspn(path, "/");
    if(s_is_variable(tpl, tlen)) {
      if(plen == 0)
        return false;
      if(tpl[tlen - 2] == '+')
        return tpl[tlen] == '\0';
    }
    else if(tlen != plen || strncmp(tpl, path, tlen) != 0) {
      return false;
    }
    tpl += tlen;
    path += plen;
  }
  return *tpl == '\0' && *path == '\0';
}

/* Splits "METHOD /path" at its space: *out_method_len and the template. NULL if malformed. */
static const char *s_split_route_key(const char *route_key, size_t *out_method_len)
{
  const char *space = strchr(route_key, ' ');
  if(!space || space == route_key || space[1] != '/')
    return NULL;
  *out_method_len = (size_t)(space - route_key);
  return space + 1;
}

bool apigw_router_matches(const char *route_key, const char *method, const char *path)
{
  size_t method_len;
  const char *tpl = s_split_route_key(route_key, &method_len);
  if(!tpl)
    return false;
  int any = method_len == 3 && strncmp(route_key, "ANY", 3) == 0;
  if(!any && (strlen(method) != method_len || strncmp(route_key, method, method_len) != 0))
    return false;
  return s_path_matches(tpl, path);
}

/* Appends method to the comma-separated allow list unless it is there already. */
static void s_allow_add(char *allow, size_t cap, const char *method)
{
  for(const char *p = allow; *p;) {
    size_t n = strcspn(p, ",");
    if(n == strlen(method) && strncmp(p, method, n) == 0)
      return;
    p += n;
    while(*p == ',' || *p == ' ')
      p++;
  }
  size_t used = strlen(allow);
  snprintf(allow + used, cap - used, "%s%s", used ? ", " : "", method);
}

mynt_status apigw_router_answer_unmatched(const apigw_route_table *table, const apigw_request *req, apigw_response *res)
{
  char allow[256] = "";
  for(size_t i = 0; i < table->count; i++) {
    const char *key = table->routes[i].route_key;
    size_t method_len;
    const char *tpl = s_split_route_key(key, &method_len);
    char method[32];
    if(!tpl || method_len >= sizeof(method) || !s_path_matches(tpl, req->raw_path))
      continue;
    memcpy(method, key, method_len);
    method[method_len] = '\0';
    if(strcmp(method, "ANY") == 0 || strcmp(method, req->method) == 0) {
      /* A route of the table serves this very request, yet it did not arrive under that
       * route key: the gateway and the table disagree. */
      logger_log(LOGGER_ERROR, NULL, "router: %s %s matches route \"%s\" but arrived as \"%s\" (api request %s)",
                 req->method, req->raw_path, key, req->route_key, req->request_id);
      return apigw_response_error(res, MYNT_INTERNAL, NULL);
    }
    s_allow_add(allow, sizeof(allow), method);
  }
  if(!allow[0])
    return apigw_response_error(res, MYNT_NOT_FOUND, NULL);
  mynt_status st = apigw_response_set_header(res, "allow", allow);
  if(st)
    return st;
  return apigw_response_error(res, MYNT_METHOD_NOT_ALLOWED, NULL);
}

mynt_status apigw_router_dispatch(const apigw_route_table *table, const char *group, const apigw_ctx *ctx,
                                  mynt_status parse_st, const apigw_request *req, apigw_response *res)
{
  if(parse_st == MYNT_TOO_LARGE)
    return apigw_response_error(res, MYNT_TOO_LARGE, "the request body is larger than 64 KiB");
  if(parse_st == MYNT_BAD_REQUEST)
    return apigw_response_error(res, MYNT_BAD_REQUEST, "the request body is not valid base64");
  if(parse_st)
    return apigw_response_error(res, parse_st, NULL);

  const apigw_route *route = apigw_router_find(table, req->route_key);
  if(!route)
    return apigw_router_answer_unmatched(table, req, res);
  if(strcmp(route->group, group) != 0) {
    logger_log(LOGGER_ERROR, ctx->invocation_id, "router: route \"%s\" belongs to group \"%s\", not \"%s\"",
               route->route_key, route->group, group);
    return apigw_response_error(res, MYNT_INTERNAL, NULL);
  }
  if(route->needs_auth && !apigw_request_sub(req))
    return apigw_response_error(res, MYNT_UNAUTHORIZED, NULL);

  apigw_ctx call = *ctx;
  call.routes = table;
  mynt_status st = route->handler(&call, req, res);
  if(apigw_response_replied(res))
    return st;
  if(st)
    return apigw_response_error(res, st, NULL);
  logger_log(LOGGER_ERROR, ctx->invocation_id, "router: the handler of \"%s\" wrote no reply", route->route_key);
  return apigw_response_error(res, MYNT_INTERNAL, NULL);
}

mynt_status apigw_router_serve(const apigw_route_table *table, const char *group, const apigw_ctx *ctx, json_t *event,
                               mynt_buf *out_payload)
{
  int64_t started = clock_mono_ms();
  apigw_request req;
  apigw_response res;
  apigw_response_init(&res, ctx->arena);
  mynt_status parse_st = apigw_request_from_json(ctx->arena, event, &req);
  if(parse_st == MYNT_PARSE) {
    logger_log(LOGGER_ERROR, ctx->invocation_id, "router: the event is not an HTTP API payload-2.0 event");
    return MYNT_PARSE;
  }
  mynt_status st = apigw_router_dispatch(table, group, ctx, parse_st, &req, &res);
  logger_log(st ? LOGGER_WARN : LOGGER_INFO, ctx->invocation_id, "%s -> %d %s in %lld ms (api request %s)",
             req.route_key ? req.route_key : "?", res.status_code, st ? mynt_status_code(st) : "ok",
             (long long)(clock_mono_ms() - started), req.request_id ? req.request_id : "?");

  if(apigw_response_write(&res, out_payload) == MYNT_OK)
    return MYNT_OK;
  logger_log(LOGGER_ERROR, ctx->invocation_id, "router: the answer to \"%s\" does not fit in a Lambda response",
             req.route_key ? req.route_key : "?");
  apigw_response fallback;
  apigw_response_init(&fallback, ctx->arena);
  apigw_response_error(&fallback, MYNT_INTERNAL, NULL);
  buf_reset(out_payload);
  return apigw_response_write(&fallback, out_payload);
}

bool apigw_router_has_group(const apigw_route_table *table, const char *group)
{
  for(size_t i = 0; i < table->count; i++) {
    if(strcmp(table->routes[i].group, group) == 0)
      return true;
  }
  return false;
}

json_t *apigw_router_table_json(const apigw_route_table *table)
{
  json_t *routes = json_array();
  if(!routes)
    return NULL;
  for(size_t i = 0; i < table->count; i++) {
    const apigw_route *r = &table->routes[i];
    json_t *row = json_pack("{s:s, s:s, s:b}", "route_key", r->route_key, "group", r->group, "auth", r->needs_auth);
    if(json_array_append_new(routes, row)) {
      json_decref(routes);
      return NULL;
    }
  }
  return json_pack("{s:o}", "routes", routes);
}
