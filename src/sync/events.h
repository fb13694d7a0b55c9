/* events.h - the sync function's events: {"mynt_sync":{...}} syncs one item, {"mynt_schedule":"daily"} the catch-up. */
#ifndef MYNT_SYNC_EVENTS_H
#define MYNT_SYNC_EVENTS_H

#include <stdint.h>

#include <jansson.h>

#include "core/status.h"
#include "handlers/env.h"

/* Handles one invocation of the sync function (_HANDLER=sync) with env (store, plaid, keyring,
 * lambda) by deadline_ms (epoch ms; 0 = 60 s from now):
 * - {"mynt_sync":{"user_id","item_id","reason"}} (sync/start.h) runs sync_item and answers
 *   {"outcome", "added", "modified", "removed", "skipped", "pages", "restarts", "last_error"}
 *   (outcome "done", "not_linked", "revoked", "login_required", "plaid_failed", "superseded" (another
 *   sync of the item held it and took this one's request on: not an error) or "failed"; last_error
 *   null when none). A failed sync is an answer too: its error is recorded on the
 *   item and the daily schedule tries again.
 * - {"mynt_schedule":"daily"} runs sync_schedule_daily and answers {"items", "stale", "started",
 *   "failed", "complete"} (complete false when the listing failed or the deadline stopped it).
 * Returns MYNT_OK and *out_answer (caller json_decref); MYNT_BAD_REQUEST for any other event (a
 * bug of whoever sent it: the caller reports an invocation error); MYNT_NOMEM. */
mynt_status sync_events_handle(const handlers_env *env, const json_t *event, int64_t deadline_ms, json_t **out_answer);

#endif
