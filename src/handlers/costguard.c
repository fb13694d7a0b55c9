/* costguard.c - the budget alert's subscriber: GetStage, then UpdateStage with every route's throttle at the
 * trickle. */
#include "handlers/costguard.h"

#include <stdbool.h>
#include <string.h>

#include "aws/apigateway.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/logger.h"

#define S_DEFAULT_BUDGET_MS 20000
#define S_SEND_MARGIN_MS    200

/* Whether event is SNS's: a non-empty Records array whose every member has an Sns object with a string Message. */
static bool s_is_sns_event(const json_t *event)
{
  const json_t *records = json_object_get(event, "Records");
  if(!json_is_array(records) || json_array_size(records) == 0)
    return false;
  size_t i;
  const json_t *record;
  json_array_foreach(records, i, record) {
    if(!json_member_string(json_object_get(record, "Sns"), "Message"))
      return false;
  }
  return true;
}

/* settings (a RouteSettings object or NULL) with its throttle at most the guard's. Sets *changed when that differs
 * from what was read. NULL when out of memory. */
static json_t *s_throttled(const json_t *settings, const handlers_guard *guard, bool *changed)
{
  json_t *out = json_is_object(settings) ? json_deep_copy(settings) : json_object();
  if(!out)
    return NULL;
  /* Both are WebSocket APIs' settings: an HTTP API's stage refuses them. */
  json_object_del(out, "dataTraceEnabled");
  json_object_del(out, "loggingLevel");
  const json_t *rate = json_object_get(out, "throttlingRateLimit");
  const json_t *burst = json_object_get(out, "throttlingBurstLimit");
  double new_rate = guard->rate;
  json_int_t new_burst = guard->burst;
  if(json_is_number(rate) && json_number_value(rate) <= new_rate)
    new_rate = json_number_value(rate);
  else
    *changed = true;
  if(json_is_integer(burst) && json_integer_value(burst) <= new_burst)
    new_burst = json_integer_value(burst);
  else
    *changed = true;
  if(json_object_set_new(out, "throttlingRateLimit", json_real(new_rate)) ||
     json_object_set_new(out, "throttlingBurstLimit", json_integer(new_burst))) {
    json_decref(out);
    return NULL;
  }
  return out;
}

/* The UpdateStage body for stage: its default route and every routeSettings key at most the guard's throttle. Sets
 * *changed when that differs from stage, and *out_routes to the routeSettings keys. NULL when out of memory. */
static json_t *s_changes(const json_t *stage, const handlers_guard *guard, bool *changed, size_t *out_routes)
{
  json_t *changes = json_object();
  json_t *routes = json_object();
  bool ok = changes && routes &&
            !json_object_set_new(changes, "defaultRouteSettings",
                                 s_throttled(json_object_get(stage, "defaultRouteSettings"), guard, changed));
  const char *key;
  json_t *settings;
  json_object_foreach(json_object_get(stage, "routeSettings"), key, settings) {
    if(ok && json_object_set_new(routes, key, s_throttled(settings, guard, changed)))
      ok = false;
  }
  *out_routes = json_object_size(routes);
  if(ok && *out_routes && json_object_set(changes, "routeSettings", routes))
    ok = false;
  json_decref(routes);
  if(!ok) {
    json_decref(changes);
    return NULL;
  }
  return changes;
}

/* Logs a failed call (err filled by the client) and says why the invocation fails. Returns err's status. */
static mynt_status s_report(const char *request_id, const char *call, const handlers_guard *guard, const aws_error *err,
                            mynt_detail *why)
{
  logger_log(LOGGER_ERROR, request_id, "costguard: %s %s/%s failed: %s (%s, HTTP %d, %d attempts)", call, guard->api_id,
             guard->stage, mynt_strerror(err->status), err->type[0] ? err->type : "no answer", err->http_status,
             err->attempts);
  return mynt_fail(why, err->status, "%s %s/%s: %s", call, guard->api_id, guard->stage,
                   err->status == MYNT_NOT_FOUND ? "API Gateway has no such API or stage" : mynt_strerror(err->status));
}

mynt_status costguard_handle(const handlers_env *env, const json_t *event, int64_t deadline_ms, const char *request_id,
                             json_t **out_answer, mynt_detail *why)
{
  *out_answer = NULL;
  if(!s_is_sns_event(event))
    return mynt_fail(why, MYNT_BAD_REQUEST, "the event is not an SNS notification");
  const handlers_guard *guard = &env->guard;
  if(!env->apigateway)
    return mynt_fail(why, MYNT_INTERNAL, "the cost guard has no API Gateway client");
  int64_t until = deadline_ms > 0 ? deadline_ms - S_SEND_MARGIN_MS : clock_epoch_ms() + S_DEFAULT_BUDGET_MS;
  logger_log(LOGGER_WARN, request_id, "costguard: budget alert (%zu message(s)): throttling %s/%s to %g/s, burst %ld",
             json_array_size(json_object_get(event, "Records")), guard->api_id, guard->stage, guard->rate,
             guard->burst);

  aws_error err;
  json_t *stage = NULL;
  json_t *changes = NULL;
  bool changed = false;
  size_t routes = 0;
  mynt_status st = apigateway_get_stage(env->apigateway, guard->api_id, guard->stage, until, &stage, &err);
  if(st) {
    s_report(request_id, "GetStage", guard, &err, why);
    goto cleanup;
  }
  changes = s_changes(stage, guard, &changed, &routes);
  if(!changes) {
    st = mynt_fail(why, MYNT_NOMEM, "out of memory");
    goto cleanup;
  }
  if(!changed) {
    logger_log(LOGGER_INFO, request_id, "costguard: %s/%s was already throttled: nothing changed", guard->api_id,
               guard->stage);
  }
  else if((st = apigateway_update_stage(env->apigateway, guard->api_id, guard->stage, changes, until, NULL, &err))) {
    s_report(request_id, "UpdateStage", guard, &err, why);
    goto cleanup;
  }
  else {
    logger_log(LOGGER_WARN, request_id,
               "costguard: %s/%s throttled: default route and %zu route(s) at most %g/s, burst %ld", guard->api_id,
               guard->stage, routes, guard->rate, guard->burst);
  }
  *out_answer =
    json_pack("{s:s, s:s, s:b, s:I, s:f, s:I}", "api_id", guard->api_id, "stage", guard->stage, "changed", changed,
              "routes", (json_int_t)routes, "rate", guard->rate, "burst", (json_int_t)guard->burst);
  if(!*out_answer)
    st = mynt_fail(why, MYNT_NOMEM, "out of memory");

cleanup:
  json_decref(stage);
  json_decref(changes);
  return st;
}
