/* authorizer.h - API Gateway's JWT authorizer: JWKS fetched and cached, tokens checked. */
#ifndef MYNT_LOCAL_AUTHORIZER_H
#define MYNT_LOCAL_AUTHORIZER_H

#include <jansson.h>
#include <stdint.h>

#include "core/status.h"
#include "local/gateway/local_config.h"

typedef struct authorizer authorizer;

/* Creates an authorizer for cfg (strings are copied). The key set is fetched with libcurl
 * on first use and refetched when a token names an unknown kid, at most once every
 * min_refetch_ms (after a failed fetch, at most once a second). curl_global_init must
 * have been called. Returns MYNT_OK and *out (free it with authorizer_free), or MYNT_NOMEM
 * with *out NULL. */
mynt_status authorizer_new(const local_config_authorizer *cfg, int64_t min_refetch_ms, authorizer **out);

/* Frees a. Accepts NULL. */
void authorizer_free(authorizer *a);

/* Checks the value of the Authorization header (NULL when absent; a leading "Bearer " is
 * stripped). Safe to call from many threads. Returns MYNT_OK with the token's claims in
 * *out_claims (a new reference), MYNT_UNAUTHORIZED for any rejection (no detail), or
 * MYNT_NOMEM. */
mynt_status authorizer_check(authorizer *a, const char *authorization, json_t **out_claims);

/* Trusts the keys of jwks ({"keys":[...]}, borrowed: it must outlive a) beside the fetched key set, for the pool's
 * tokens that another local issuer signs (the hosted-UI stand-in, hosted_ui.h). Call before the first check. */
void authorizer_trust_keys(authorizer *a, const json_t *jwks);

/* Returns how many times the key set has been fetched (successfully or not); for tests. */
unsigned authorizer_fetch_count(authorizer *a);

#endif
