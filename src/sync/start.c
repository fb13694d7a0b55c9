/* start.c - starting a sync: the {"mynt_sync":...} event, sent to the sync function as an asynchronous Invoke. */
#include "sync/start.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"

static const char *const s_reasons[] = {"link", "webhook", "user", "schedule"};

const char *sync_reason_name(sync_reason reason)
{
  return (size_t)reason < sizeof s_reasons / sizeof s_reasons[0] ? s_reasons[reason] : "link";
}

bool sync_reason_parse(const char *name, sync_reason *out)
{
  for(size_t i = 0; name && i < sizeof s_reasons / sizeof s_reasons[0]; i++) {
    if(strcmp(name, s_reasons[i]) == 0) {
      *out = (sync_reason)i;
      return true;
    }
  }
  return false;
}

/* A Cognito sub as the store keys a user's partition: printable, never "#..." (the #ITEMS partition). */
static bool s_user_valid(const char *user_id)
{
  return str_is_token(user_id, STORE_USER_ID_MAX) && user_id[0] != '#';
}

char *sync_start_event_json(const char *user_id, const char *item_id, const char *reason)
{
  sync_reason parsed;
  if(!s_user_valid(user_id) || !store_item_id_valid(item_id) || !sync_reason_parse(reason, &parsed))
    return NULL;
  json_t *event = json_pack("{s:{s:s, s:s, s:s}}", "mynt_sync", "user_id", user_id, "item_id", item_id, "reason",
                            sync_reason_name(parsed));
  char *text = event ? json_dumps(event, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(event);
  return text;
}

mynt_status sync_start_event_parse(const json_t *event, sync_event *out)
{
  const json_t *body = json_object_get(event, "mynt_sync");
  if(json_object_size(event) != 1 || !json_is_object(body) || json_object_size(body) != 3)
    return MYNT_BAD_REQUEST;
  const char *user_id = json_member_string(body, "user_id");
  const char *item_id = json_member_string(body, "item_id");
  sync_reason reason;
  if(!s_user_valid(user_id) || !store_item_id_valid(item_id) ||
     !sync_reason_parse(json_member_string(body, "reason"), &reason))
    return MYNT_BAD_REQUEST;
  memset(out, 0, sizeof *out);
  memcpy(out->user_id, user_id, strlen(user_id) + 1);
  memcpy(out->item_id, item_id, strlen(item_id) + 1);
  out->reason = reason;
  return MYNT_OK;
}

mynt_status sync_start(const handlers_env *env, const char *user_id, const char *item_id, const char *reason,
                       int64_t deadline_ms)
{
  char *event = sync_start_event_json(user_id, item_id, reason);
  if(!event)
    return MYNT_BAD_REQUEST;
  mynt_status st = MYNT_UNAVAILABLE;
  if(env->lambda && env->sync_function[0])
    st = lambda_invoke_async(env->lambda, env->sync_function, event, deadline_ms, NULL);
  free(event);
  return st;
}
