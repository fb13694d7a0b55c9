/* events.c - the sync function's events: {"mynt_sync":{...}} syncs one item, {"mynt_schedule":"daily"} the catch-up. */
#include "sync/events.h"

#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/logger.h"
#include "sync/start.h"
#include "sync/sync.h"

#define S_DEFAULT_BUDGET_MS 60000

static const char *s_outcome_name(sync_outcome outcome)
{
  switch(outcome) {
  case SYNC_DONE:
    return "done";
  case SYNC_NOT_LINKED:
    return "not_linked";
  case SYNC_REVOKED:
    return "revoked";
  case SYNC_LOGIN_REQUIRED:
    return "login_required";
  case SYNC_PLAID_FAILED:
    return "plaid_failed";
  case SYNC_SUPERSEDED:
    return "superseded";
  case SYNC_FAILED:
    break;
  }
  return "failed";
}

mynt_status sync_events_handle(const handlers_env *env, const json_t *event, int64_t deadline_ms, json_t **out_answer)
{
  *out_answer = NULL;
  if(deadline_ms <= 0)
    deadline_ms = clock_epoch_ms() + S_DEFAULT_BUDGET_MS;
  if(json_object_get(event, "mynt_sync")) {
    sync_event e;
    if(sync_start_event_parse(event, &e))
      return MYNT_BAD_REQUEST;
    logger_log(LOGGER_INFO, NULL, "sync: item %s (%s)", e.item_id, sync_reason_name(e.reason));
    sync_result r;
    sync_item(env, e.user_id, e.item_id, deadline_ms, &r);
    *out_answer = json_pack("{s:s, s:I, s:I, s:I, s:I, s:i, s:i, s:o}", "outcome", s_outcome_name(r.outcome), "added",
                            (json_int_t)r.added, "modified", (json_int_t)r.modified, "removed", (json_int_t)r.removed,
                            "skipped", (json_int_t)r.skipped, "pages", r.pages, "restarts", r.restarts, "last_error",
                            json_string_or_null(r.last_error[0] ? r.last_error : NULL));
    return *out_answer ? MYNT_OK : MYNT_NOMEM;
  }
  const char *schedule = json_member_string(event, "mynt_schedule");
  if(schedule && strcmp(schedule, "daily") == 0 && json_object_size(event) == 1) {
    sync_schedule_result r;
    mynt_status st = sync_schedule_daily(env, clock_epoch_ms(), deadline_ms, &r);
    *out_answer =
      json_pack("{s:I, s:I, s:I, s:I, s:b}", "items", (json_int_t)r.items, "stale", (json_int_t)r.stale, "started",
                (json_int_t)r.started, "failed", (json_int_t)r.failed, "complete", st == MYNT_OK);
    return *out_answer ? MYNT_OK : MYNT_NOMEM;
  }
  return MYNT_BAD_REQUEST;
}
