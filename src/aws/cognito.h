/* cognito.h - Cognito user pools (cognito-idp, JSON 1.1) over the signed client: ListUsers by email and
 * AdminLinkProviderForUser, for the Pre sign-up trigger. */
#ifndef MYNT_AWS_COGNITO_H
#define MYNT_AWS_COGNITO_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "aws/aws_config.h"
#include "aws/aws_error.h"
#include "core/buf.h"
#include "core/detail.h"
#include "core/status.h"

/* Cognito's limits: a user pool id ("<region>_<id>", at most 55), a username (128), an email as an attribute
 * value (2048) and the users one ListUsers page returns (60). */
#define COGNITO_POOL_ID_MAX  55
#define COGNITO_USERNAME_MAX 128
#define COGNITO_VALUE_MAX    2048
#define COGNITO_PAGE_MAX     60
/* ListUsers pages read for one email before giving up on the listing (a filter on email matches one user in a pool
 * whose username is the email; a few in any other). */
#define COGNITO_LIST_PAGES_MAX 5

/* A Cognito client is the signed JSON-protocol client (aws/aws_http.h) set up for cognito-idp. */
typedef struct aws_http cognito_client;

/* Creates a client from cfg (copied; the endpoint is cfg->endpoint, else https://cognito-idp.<region>.amazonaws.com)
 * or, when cfg is NULL, from the environment: aws_config_from_env's settings with the endpoint MYNT_COGNITO_ENDPOINT
 * when set, else MYNT_AWS_ENDPOINT when set, else the regional one. Returns MYNT_OK and *out (caller frees with
 * cognito_client_free), or the failure (MYNT_BAD_REQUEST for an unusable endpoint, region or missing keys,
 * MYNT_NOMEM, MYNT_INTERNAL) with its reason in detail (may be NULL; never a secret), leaving *out NULL. */
mynt_status cognito_client_open(const aws_config *cfg, cognito_client **out, mynt_detail *detail);

/* Frees c, wiping its copy of the credentials. Accepts NULL. */
void cognito_client_free(cognito_client *c);

/* Appends ListUsers' Filter for an exact email match to out: email = "<value>", with every '"' and '\' of the value
 * escaped by a backslash as Cognito's filter syntax asks. Returns MYNT_OK; MYNT_BAD_REQUEST for an empty value, one
 * over COGNITO_VALUE_MAX bytes or one holding a control character (no filter can quote it); buf_append's
 * MYNT_TOO_LARGE / MYNT_NOMEM (out freed). */
mynt_status cognito_email_filter(mynt_buf *out, const char *email);

/* Lists the users of pool_id whose email attribute equals email exactly (ListUsers with cognito_email_filter, up to
 * COGNITO_LIST_PAGES_MAX pages of COGNITO_PAGE_MAX), sending again what throttling, 5xx answers and transport
 * failures allow while deadline_ms (epoch ms; 0 = 10 s from now) leaves room. Returns MYNT_OK and *out_users: a JSON
 * array of Cognito's UserType objects (Username, Attributes [{Name, Value}], UserStatus, Enabled, ...; caller
 * json_decref). Failures, *out_users then NULL: MYNT_BAD_REQUEST without sending for a malformed pool id or email
 * (as cognito_email_filter); MYNT_NOT_FOUND for ResourceNotFoundException (no such pool); MYNT_UPSTREAM for refused
 * credentials or permissions (NotAuthorizedException, AccessDenied, ...); MYNT_TOO_LARGE when more pages follow
 * the last one read; MYNT_PARSE for an answer without a Users array; MYNT_THROTTLED / MYNT_UNAVAILABLE / MYNT_IO /
 * MYNT_TIMEOUT when retries ran out of time; MYNT_BAD_REQUEST for InvalidParameterException and other 4xx. out_err
 * (may be NULL) is filled either way; its message may quote the filter, so never log it. */
mynt_status cognito_list_users_by_email(cognito_client *c, const char *pool_id, const char *email, int64_t deadline_ms,
                                        json_t **out_users, aws_error *out_err);

/* Returns the value of attribute name of user (a UserType object of ListUsers), or NULL when it has none. Borrowed
 * from user. */
const char *cognito_user_attribute(const json_t *user, const char *name);

/* Links the external identity provider_name / subject (SourceUser: ProviderAttributeName "Cognito_Subject",
 * ProviderAttributeValue subject) to the existing user destination_username of pool_id (DestinationUser:
 * ProviderName "Cognito", ProviderAttributeValue the username), so that signing in with that identity signs in as
 * that user. Retries and deadline as cognito_list_users_by_email. Returns MYNT_OK when Cognito linked them; without
 * sending, MYNT_BAD_REQUEST for a malformed argument; MYNT_NOT_FOUND for UserNotFoundException (no such destination)
 * or ResourceNotFoundException (no such pool or provider); MYNT_CONFLICT when Cognito refuses this link as such:
 * AliasExistsException (the identity is linked already) or LimitExceededException (the user has as many links as
 * Cognito allows); MYNT_BAD_REQUEST for InvalidParameterException and other 4xx; MYNT_UPSTREAM for refused
 * credentials or permissions; MYNT_THROTTLED / MYNT_UNAVAILABLE / MYNT_IO / MYNT_TIMEOUT when retries ran out of
 * time. out_err (may be NULL) is filled either way (Cognito's error name in type). */
mynt_status cognito_admin_link_provider_for_user(cognito_client *c, const char *pool_id,
                                                 const char *destination_username, const char *provider_name,
                                                 const char *subject, int64_t deadline_ms, aws_error *out_err);

#endif
