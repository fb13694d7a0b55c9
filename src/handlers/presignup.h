/* presignup.h - the `presignup` group: Cognito's Pre sign-up trigger, linking a Google sign-in to the existing
 * password user with the same verified email instead of letting Cognito create a second user. */
#ifndef MYNT_HANDLERS_PRESIGNUP_H
#define MYNT_HANDLERS_PRESIGNUP_H

#include <stdint.h>

#include <jansson.h>

#include "core/detail.h"
#include "core/status.h"
#include "handlers/env.h"

/* The time the trigger gives itself, from its start, for ListUsers and AdminLinkProviderForUser together: Cognito
 * waits 5 s for a trigger's answer (and then fails the sign-in). */
#define PRESIGNUP_BUDGET_MS 4500

/* Answers one Pre sign-up event (version "1", triggerSource, userPoolId, userName, request.userAttributes,
 * response{autoConfirmUser, autoVerifyEmail, autoVerifyPhone}) with env->cognito, a routes_event_fn
 * (handlers/routes.h). The answer is the event itself, with response's three booleans present (false when the event
 * lacked them; never set true here). For triggerSource "PreSignUp_ExternalProvider" (userName
 * "<Provider>_<subject>", e.g. "Google_1234") it first looks up the pool's users with the same email (ListUsers) and,
 * when exactly one is CONFIRMED, enabled, has email_verified "true" and is not itself federated (UserStatus
 * EXTERNAL_PROVIDER), links the new identity to it (AdminLinkProviderForUser: DestinationUser Cognito / that
 * username, SourceUser <Provider> / Cognito_Subject / <subject>), so the sign-in ends as that user. It never links
 * when the incoming email_verified is "false", when no user or several match, or when Cognito refuses the link as
 * such (AliasExistsException, LimitExceededException, or InvalidParameterException for a user who already has an
 * identity of that provider): the sign-in then goes on as Cognito's own new federated user. Other triggerSources
 * (PreSignUp_SignUp, PreSignUp_AdminCreateUser) are answered unchanged, without a call.
 * Returns MYNT_OK and *out_answer (caller json_decref); MYNT_BAD_REQUEST for an event that is not a Pre sign-up
 * event; for a lookup or link that failed (Cognito unreachable past PRESIGNUP_BUDGET_MS, throttled, refusing our
 * role or our request: MYNT_UPSTREAM for what Cognito calls invalid), the failing status with a neutral message
 * for the person signing in in why: the function fails, so Cognito refuses this sign-up rather than create a second
 * user silently; the person can try again. Log lines carry the usernames' opaque ids and the destination's sub,
 * never an email. */
mynt_status presignup_handle(const handlers_env *env, const json_t *event, int64_t deadline_ms, const char *request_id,
                             json_t **out_answer, mynt_detail *why);

#endif
