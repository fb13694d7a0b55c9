/* presignup.c - Cognito's Pre sign-up trigger: a federated sign-in whose verified email belongs to a confirmed
 * password user is linked to that user (AdminLinkProviderForUser); every other sign-up passes through. */
#include "handlers/presignup.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "aws/cognito.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/logger.h"

#define S_EXTERNAL       "PreSignUp_ExternalProvider"
#define S_PROVIDER_MAX   32
#define S_SEND_MARGIN_MS 200 /* the answer must still be posted before Lambda's own deadline */

/* What a person signing in reads (Cognito shows "PreSignUp failed with error <this>."): nothing internal. */
#define S_RETRY_MESSAGE "Your existing account could not be checked just now. Please try signing in again."

/* The social providers Cognito knows, in the spelling AdminLinkProviderForUser wants; a username's prefix may come
 * in another case ("google_1234"). Any other prefix is the name of the pool's own OIDC or SAML provider, kept as is. */
static const char *const s_social[] = {"Google", "Facebook", "LoginWithAmazon", "SignInWithApple"};

/* Splits "<Provider>_<subject>" into provider (canonical spelling) and *out_subject (borrowed from username).
 * Returns false when username has no provider prefix or no subject. */
static bool s_split_username(const char *username, char provider[S_PROVIDER_MAX + 1], const char **out_subject)
{
  const char *sep = strchr(username, '_');
  size_t len = sep ? (size_t)(sep - username) : 0;
  if(!sep || len == 0 || len > S_PROVIDER_MAX || !sep[1])
    return false;
  snprintf(provider, S_PROVIDER_MAX + 1, "%.*s", (int)len, username);
  for(size_t i = 0; i < sizeof s_social / sizeof s_social[0]; i++)
    if(strlen(s_social[i]) == len && strncasecmp(s_social[i], username, len) == 0)
      snprintf(provider, S_PROVIDER_MAX + 1, "%s", s_social[i]);
  *out_subject = sep + 1;
  return true;
}

/* The event as the answer: a copy with response's three booleans present. NULL when out of memory. */
static json_t *s_answer_of(const json_t *event)
{
  json_t *answer = json_deep_copy(event);
  json_t *response = json_object_get(answer, "response");
  if(answer && !json_is_object(response)) {
    response = json_object();
    if(json_object_set_new(answer, "response", response))
      response = NULL;
  }
  static const char *const flags[] = {"autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone"};
  for(size_t i = 0; response && i < sizeof flags / sizeof flags[0]; i++)
    if(!json_is_boolean(json_object_get(response, flags[i])) && json_object_set_new(response, flags[i], json_false()))
      response = NULL;
  if(!response) {
    json_decref(answer);
    return NULL;
  }
  return answer;
}

/* Whether the user's identities attribute (a JSON text: [{"providerName","userId",...}]) lists provider, and with
 * subject when subject is not NULL. */
static bool s_has_identity(const json_t *user, const char *provider, const char *subject)
{
  const char *text = cognito_user_attribute(user, "identities");
  json_t *list = text ? json_loads(text, 0, NULL) : NULL;
  bool found = false;
  size_t i;
  json_t *id;
  json_array_foreach(list, i, id) {
    const char *name = json_member_string(id, "providerName");
    const char *user_id = json_member_string(id, "userId");
    if(name && strcmp(name, provider) == 0 && (!subject || (user_id && strcmp(user_id, subject) == 0)))
      found = true;
  }
  json_decref(list);
  return found;
}

/* Why a listed user is not one to link to, or NULL when it is. */
static const char *s_not_linkable(const json_t *user, const char *email, const char *username)
{
  const char *name = json_member_string(user, "Username");
  const char *status = json_member_string(user, "UserStatus");
  const char *user_email = cognito_user_attribute(user, "email");
  const char *verified = cognito_user_attribute(user, "email_verified");
  const json_t *enabled = json_object_get(user, "Enabled");
  if(!name || strcasecmp(name, username) == 0)
    return "the signing-in identity itself";
  if(!user_email || strcasecmp(user_email, email) != 0)
    return "another email";
  if(status && strcmp(status, "EXTERNAL_PROVIDER") == 0)
    return "a federated user";
  /* Never link to an unconfirmed user or an unverified email: whoever signed up with someone else's address without
   * proving it owns it would otherwise receive that person's Google sign-ins (and their data) once linked, and the
   * address's real owner signing in with Google would land in an account an impostor controls: account takeover. */
  if(!status || strcmp(status, "CONFIRMED") != 0)
    return "not confirmed";
  if(!verified || strcmp(verified, "true") != 0)
    return "email not verified";
  if(json_is_false(enabled))
    return "disabled";
  return NULL;
}

/* Looks up and links for an external sign-up. Returns MYNT_OK when the answer may go out (linked or not), or the
 * failure that must refuse the sign-up (why set). */
static mynt_status s_link_external(const handlers_env *env, const char *pool_id, const char *username,
                                   const json_t *attributes, int64_t deadline_ms, const char *rid, mynt_detail *why)
{
  char provider[S_PROVIDER_MAX + 1];
  const char *subject = NULL;
  if(!s_split_username(username, provider, &subject))
    return mynt_fail(why, MYNT_BAD_REQUEST, "the userName of an external sign-up is not <Provider>_<id>");
  const char *email = json_member_string(attributes, "email");
  const char *incoming_verified = json_member_string(attributes, "email_verified");
  if(!email || !*email) {
    logger_log(LOGGER_INFO, rid, "presignup: %s has no email: not linked", username);
    return MYNT_OK;
  }
  /* The provider says this address is not proven to be the person's: it must not open an account that owns it. */
  if(incoming_verified && strcasecmp(incoming_verified, "false") == 0) {
    logger_log(LOGGER_INFO, rid, "presignup: %s's email is not verified by %s: not linked", username, provider);
    return MYNT_OK;
  }
  if(!env->cognito) {
    logger_log(LOGGER_ERROR, rid, "presignup: no Cognito client");
    return mynt_fail(why, MYNT_INTERNAL, S_RETRY_MESSAGE);
  }

  aws_error err;
  json_t *users = NULL;
  mynt_status st = cognito_list_users_by_email(env->cognito, pool_id, email, deadline_ms, &users, &err);
  if(st == MYNT_BAD_REQUEST && err.http_status == 0) {
    /* An address no filter can quote (a control character): no user can have it. */
    logger_log(LOGGER_WARN, rid, "presignup: %s's email cannot be looked up: not linked", username);
    return MYNT_OK;
  }
  /* A request Cognito refuses as malformed is this function's fault, not the event's: an invocation error, not
   * Function.InvalidEvent. */
  if(st == MYNT_BAD_REQUEST)
    st = MYNT_UPSTREAM;
  if(st) {
    logger_log(LOGGER_ERROR, rid, "presignup: ListUsers for %s failed: %s (%s, HTTP %d, %d attempts)", username,
               mynt_strerror(st), err.type[0] ? err.type : "no answer", err.http_status, err.attempts);
    return mynt_fail(why, st, S_RETRY_MESSAGE);
  }

  const json_t *target = NULL;
  int eligible = 0;
  size_t i;
  json_t *user;
  json_array_foreach(users, i, user) {
    const char *reason = s_not_linkable(user, email, username);
    const char *sub = cognito_user_attribute(user, "sub");
    if(reason) {
      logger_log(LOGGER_INFO, rid, "presignup: user %s, listed for %s, is not one to link to: %s", sub ? sub : "?",
                 username, reason);
      continue;
    }
    eligible++;
    target = user;
  }
  if(eligible != 1) {
    if(eligible > 1)
      logger_log(LOGGER_WARN, rid, "presignup: %d confirmed users share %s's email: not linked", eligible, username);
    else
      logger_log(LOGGER_INFO, rid, "presignup: no confirmed user with %s's email: a new user", username);
    json_decref(users);
    return MYNT_OK;
  }

  const char *destination = json_member_string(target, "Username");
  const char *sub = cognito_user_attribute(target, "sub");
  if(!sub)
    sub = "?";
  if(s_has_identity(target, provider, subject)) {
    logger_log(LOGGER_INFO, rid, "presignup: %s is already linked to user %s", username, sub);
    json_decref(users);
    return MYNT_OK;
  }
  bool has_provider = s_has_identity(target, provider, NULL);
  st = cognito_admin_link_provider_for_user(env->cognito, pool_id, destination, provider, subject, deadline_ms, &err);
  if(!st) {
    logger_log(LOGGER_INFO, rid, "presignup: linked %s to user %s", username, sub);
  }
  else if(st == MYNT_CONFLICT || (st == MYNT_BAD_REQUEST && has_provider && err.http_status)) {
    /* Cognito will not add this identity to that user (it is linked elsewhere, the user has as many links as
     * allowed, or already one of this provider): the person still signs in, as the federated user Cognito makes. */
    logger_log(LOGGER_WARN, rid, "presignup: Cognito refused to link %s to user %s (%s): a new user", username, sub,
               err.type[0] ? err.type : mynt_strerror(st));
    st = MYNT_OK;
  }
  else {
    logger_log(LOGGER_ERROR, rid, "presignup: linking %s to user %s failed: %s (%s, HTTP %d, %d attempts)", username,
               sub, mynt_strerror(st), err.type[0] ? err.type : "no answer", err.http_status, err.attempts);
    st = st == MYNT_BAD_REQUEST ? MYNT_UPSTREAM : st;
    mynt_fail(why, st, S_RETRY_MESSAGE);
  }
  json_decref(users);
  return st;
}

mynt_status presignup_handle(const handlers_env *env, const json_t *event, int64_t deadline_ms, const char *request_id,
                             json_t **out_answer, mynt_detail *why)
{
  int64_t start = clock_epoch_ms();
  *out_answer = NULL;
  const char *source = json_member_string(event, "triggerSource");
  const char *pool_id = json_member_string(event, "userPoolId");
  const char *username = json_member_string(event, "userName");
  const json_t *attributes = json_object_get(json_object_get(event, "request"), "userAttributes");
  if(!source || strncmp(source, "PreSignUp_", strlen("PreSignUp_")) != 0 ||
     !str_is_token(pool_id, COGNITO_POOL_ID_MAX) || !username || !json_is_object(attributes))
    return mynt_fail(why, MYNT_BAD_REQUEST, "the event is not a Cognito Pre sign-up event");

  if(strcmp(source, S_EXTERNAL) == 0) {
    int64_t budget_end = start + PRESIGNUP_BUDGET_MS;
    if(deadline_ms > 0 && deadline_ms - S_SEND_MARGIN_MS < budget_end)
      budget_end = deadline_ms - S_SEND_MARGIN_MS;
    mynt_status st = s_link_external(env, pool_id, username, attributes, budget_end, request_id, why);
    if(st)
      return st;
  }
  *out_answer = s_answer_of(event);
  return *out_answer ? MYNT_OK : mynt_fail(why, MYNT_NOMEM, S_RETRY_MESSAGE);
}
