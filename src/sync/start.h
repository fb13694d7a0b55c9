/* start.h - starting a sync: the {"mynt_sync":...} event, sent to the sync function as an asynchronous Invoke. */
#ifndef MYNT_SYNC_START_H
#define MYNT_SYNC_START_H

#include <stdint.h>

#include <jansson.h>

#include "core/status.h"
#include "handlers/env.h"
#include "store/items.h"
#include "store/users.h"

/* Why a sync runs; the names are the event's "reason". */
typedef enum {
  SYNC_REASON_LINK = 0, /* "link": the item was just linked */
  SYNC_REASON_WEBHOOK,  /* "webhook": Plaid said SYNC_UPDATES_AVAILABLE (or the login was repaired) */
  SYNC_REASON_USER,     /* "user": POST /items/{item_id}/sync */
  SYNC_REASON_SCHEDULE  /* "schedule": the daily catch-up found it stale */
} sync_reason;

/* One {"mynt_sync":{"user_id","item_id","reason"}} event, parsed. */
typedef struct {
  char user_id[STORE_USER_ID_MAX + 1];
  char item_id[STORE_ITEM_ID_MAX + 1];
  sync_reason reason;
} sync_event;

/* Returns the reason's name ("link", "webhook", "user", "schedule"). Never NULL; static. */
const char *sync_reason_name(sync_reason reason);

/* Reads a reason's name into *out. Returns false (out unchanged) for any other text or NULL. */
bool sync_reason_parse(const char *name, sync_reason *out);

/* Returns the event text {"mynt_sync":{"user_id":…,"item_id":…,"reason":…}} (malloc'd; caller
 * free), or NULL when an id is not valid (user_id 1..STORE_USER_ID_MAX bytes not starting with
 * '#', item_id store_item_id_valid), reason is not a name sync_reason_parse accepts, or
 * allocation fails. */
char *sync_start_event_json(const char *user_id, const char *item_id, const char *reason);

/* Parses event (borrowed) as a mynt_sync event into *out. Returns MYNT_OK; MYNT_BAD_REQUEST when
 * event is not exactly {"mynt_sync":{"user_id","item_id","reason"}} with valid values (as
 * sync_start_event_json requires; no other members). */
mynt_status sync_start_event_parse(const json_t *event, sync_event *out);

/* Starts a sync of user_id's item_id for reason ("link", "webhook", "user", "schedule"): an
 * asynchronous Invoke (lambda_invoke_async) of env->sync_function with the mynt_sync event,
 * within deadline_ms (epoch ms). The sync runs later, on the sync function; starting one twice is
 * harmless (a sync is idempotent). Returns MYNT_OK once Lambda has queued it; MYNT_BAD_REQUEST
 * for invalid ids or reason (nothing sent); MYNT_UNAVAILABLE when env has no Lambda client or no
 * sync function name (the group was not set up to start syncs); else lambda_invoke_async's
 * failure. Logs nothing: callers log and go on (the daily schedule catches up). */
mynt_status sync_start(const handlers_env *env, const char *user_id, const char *item_id, const char *reason,
                       int64_t deadline_ms);

#endif
