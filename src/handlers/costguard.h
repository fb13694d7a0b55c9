/* costguard.h - the `costguard` group: the budget alert's SNS subscriber, throttling the HTTP API's stage to a
 * trickle so that a surprise bill stops itself. */
#ifndef MYNT_HANDLERS_COSTGUARD_H
#define MYNT_HANDLERS_COSTGUARD_H

#include <stdint.h>

#include <jansson.h>

#include "core/detail.h"
#include "core/status.h"
#include "handlers/env.h"

/* Answers one SNS event ({"Records":[{"EventSource":"aws:sns","Sns":{"Message":...}}]}) with env->apigateway and
 * env->guard, a routes_event_fn (handlers/routes.h). Every message is taken as the alert, whatever its text: the
 * topic exists for the budget alone, AWS Budgets' text is no documented format, and a wrong throttle costs a slow
 * API (lifted by hand, docs/cost.md) where a missed alert costs money. It reads the stage (GetStage) and, unless it
 * is already there, sets defaultRouteSettings and every routeSettings key it found to at most env->guard's rate and
 * burst (UpdateStage; a lower setting someone made is kept; the settings' other members are sent back as read,
 * but for the WebSocket-only dataTraceEnabled and loggingLevel). A second alert changes nothing. Answers
 * {"api_id","stage","changed","routes","rate","burst"} (routes: the routeSettings keys throttled) and logs what it
 * did. Returns MYNT_OK and *out_answer (caller json_decref); MYNT_BAD_REQUEST for an event that is not SNS's;
 * for a stage that cannot be read or changed (MYNT_NOT_FOUND for an API or stage API Gateway does not know, the
 * client's other failures past the deadline: deadline_ms, or 20 s from now when 0) that status with the reason in
 * why, so the invocation fails and Lambda tries the event again. */
mynt_status costguard_handle(const handlers_env *env, const json_t *event, int64_t deadline_ms, const char *request_id,
                             json_t **out_answer, mynt_detail *why);

#endif
