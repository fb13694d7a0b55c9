/* ssm.h - SSM Parameter Store over the signed JSON-protocol client: read a (secure) parameter once at cold start. */
#ifndef MYNT_AWS_SSM_H
#define MYNT_AWS_SSM_H

#include <stdint.h>

#include <jansson.h>

#include "aws/aws_config.h"
#include "aws/aws_error.h"
#include "core/detail.h"
#include "core/status.h"

/* An SSM client is the signed JSON-protocol client (aws/aws_http.h) set up for SSM. */
typedef struct aws_http ssm_client;

/* Creates a client from cfg (copied). Returns MYNT_OK and *out_client, owned by the caller
 * (ssm_client_free), or an error and leaves *out_client NULL. */
mynt_status ssm_client_new(const aws_config *cfg, ssm_client **out_client);

/* Creates a client from the environment (aws_config_from_env). Returns MYNT_OK and
 * *out_client (ssm_client_free), or the failure with its reason in detail (may be NULL):
 * "AWS configuration: ..." or "SSM client: ..."; *out_client is then NULL. */
mynt_status ssm_client_from_env(ssm_client **out_client, mynt_detail *detail);

/* Frees c, wiping its copy of the credentials. Accepts NULL. */
void ssm_client_free(ssm_client *c);

/* Sends one operation ("GetParameter", "PutParameter", ...) with request as the JSON body
 * (borrowed). Every SSM exchange is treated as secret: the request text and the raw answer
 * are wiped once used. Retries and deadline (epoch ms; 0 = 10 s from now) as ddb_call.
 * Errors: ParameterNotFound / ParameterVersionNotFound → MYNT_NOT_FOUND, else as
 * aws_http's common policy (throttling → MYNT_THROTTLED, 5xx → MYNT_UNAVAILABLE, credential
 * failures → MYNT_UPSTREAM, other 4xx → MYNT_BAD_REQUEST). On success returns MYNT_OK and
 * *out_response (caller owns, json_decref); on failure leaves it NULL. out_err (may be NULL)
 * is filled either way. */
mynt_status ssm_call(ssm_client *c, const char *operation, json_t *request, int64_t deadline_ms, json_t **out_response,
                     aws_error *out_err);

/* Reads parameter name (AmazonSSM.GetParameter), decrypting a SecureString when
 * with_decryption. On success returns MYNT_OK and *out_value, a malloc'd NUL-terminated copy
 * the caller owns: release it with mynt_wipe_free (core/wipe.h). Returns
 * MYNT_NOT_FOUND for a missing parameter, MYNT_PARSE when the answer has no string value, or
 * another failure as ssm_call; *out_value is then NULL. */
mynt_status ssm_get_parameter(ssm_client *c, const char *name, int with_decryption, int64_t deadline_ms,
                              char **out_value, aws_error *out_err);

/* The most names one GetParameters call takes (SSM's limit). */
#define SSM_GET_PARAMETERS_MAX 10

/* Reads count names (1..SSM_GET_PARAMETERS_MAX, each non-empty and without a ":version" or ":label" selector)
 * with ONE AmazonSSM.GetParameters call, decrypting SecureStrings when with_decryption. On success returns
 * MYNT_OK and out_values[i], a malloc'd NUL-terminated copy of names[i]'s value (the caller owns each; release
 * with mynt_wipe_free). When SSM answers a name among InvalidParameters, returns MYNT_NOT_FOUND with *out_missing
 * its index (the first such name in names' order); MYNT_PARSE when a name is in neither list or a value is not a
 * string; MYNT_BAD_REQUEST for an empty or too long list or an empty name; another failure as ssm_call. On any
 * failure every out_values[i] is NULL. *out_missing (may be NULL) is count unless a name is missing; out_err
 * (may be NULL) is filled on failure and never holds a value. */
mynt_status ssm_get_parameters(ssm_client *c, const char *const *names, size_t count, int with_decryption,
                               int64_t deadline_ms, char **out_values, size_t *out_missing, aws_error *out_err);

#endif
