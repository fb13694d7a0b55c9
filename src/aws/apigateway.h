/* apigateway.h - API Gateway v2 (REST-JSON) over the signed client: read and change an HTTP API's stage, for the cost
 * guard's throttle. */
#ifndef MYNT_AWS_APIGATEWAY_H
#define MYNT_AWS_APIGATEWAY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "aws/aws_config.h"
#include "aws/aws_error.h"
#include "core/detail.h"
#include "core/status.h"

/* API Gateway's limits: a stage name (alphanumerics, '-', '_', or "$default"; 128) and, here, an API id (API Gateway
 * makes 10 alphanumerics; at most 64 are accepted). */
#define APIGATEWAY_STAGE_MAX  128
#define APIGATEWAY_API_ID_MAX 64

/* An API Gateway client is the signed REST-JSON client (aws/aws_http.h) set up for apigateway (v2 paths). */
typedef struct aws_http apigateway_client;

/* Opens a client as cognito_client_open (aws/cognito.h) does, for API Gateway: from cfg, else from the environment
 * with the endpoint MYNT_APIGATEWAY_ENDPOINT, else MYNT_AWS_ENDPOINT, else https://apigateway.<region>.amazonaws.com.
 * The caller frees *out with apigateway_client_free. */
mynt_status apigateway_client_open(const aws_config *cfg, apigateway_client **out, mynt_detail *detail);

/* Frees c, wiping its copy of the credentials. Accepts NULL. */
void apigateway_client_free(apigateway_client *c);

/* Whether name is a stage name API Gateway accepts: 1..APIGATEWAY_STAGE_MAX alphanumerics, '-' and '_', or
 * "$default". */
bool apigateway_valid_stage_name(const char *name);

/* Whether id is 1..APIGATEWAY_API_ID_MAX alphanumerics. */
bool apigateway_valid_api_id(const char *id);

/* GetStage: GET /v2/apis/{api_id}/stages/{stage} (the stage name percent-encoded: "$default" is "%24default"),
 * signed for service "apigateway". Throttling, 5xx answers and transport failures are sent again while deadline_ms
 * (epoch ms; 0 = 10 s from now) leaves room. Returns MYNT_OK and *out_stage: API Gateway's Stage object (stageName,
 * defaultRouteSettings, routeSettings {routeKey: settings}, ...; caller json_decref). Failures, *out_stage then
 * NULL: MYNT_BAD_REQUEST without sending for a malformed id or stage name; MYNT_NOT_FOUND for NotFoundException (no
 * such API or stage); MYNT_UPSTREAM for refused credentials or permissions; MYNT_PARSE for an answer that is not a
 * JSON object; MYNT_THROTTLED / MYNT_UNAVAILABLE / MYNT_IO / MYNT_TIMEOUT when retries ran out of time;
 * MYNT_BAD_REQUEST for other 4xx. out_err (may be NULL) is filled either way. */
mynt_status apigateway_get_stage(apigateway_client *c, const char *api_id, const char *stage, int64_t deadline_ms,
                                 json_t **out_stage, aws_error *out_err);

/* UpdateStage: PATCH /v2/apis/{api_id}/stages/{stage} with changes (a JSON object of UpdateStage's body members, e.g.
 * {"defaultRouteSettings":{...},"routeSettings":{...}}; borrowed) as the body. Retries and failures as
 * apigateway_get_stage, plus MYNT_CONFLICT for ConflictException. Returns MYNT_OK and, when out_stage is not NULL,
 * *out_stage: the Stage as API Gateway answers it after the change (caller json_decref). */
mynt_status apigateway_update_stage(apigateway_client *c, const char *api_id, const char *stage, const json_t *changes,
                                    int64_t deadline_ms, json_t **out_stage, aws_error *out_err);

#endif
