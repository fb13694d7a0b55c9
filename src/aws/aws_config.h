/* aws_config.h - region, endpoint and credentials shared by every AWS client. */
#ifndef MYNT_AWS_CONFIG_H
#define MYNT_AWS_CONFIG_H

#include "core/detail.h"
#include "core/status.h"

typedef struct {
  char access_key_id[128];
  char secret_access_key[128];
  char session_token[2048]; /* "" when there is none; Lambda's credentials always carry one */
} aws_credentials;

typedef struct {
  char region[32];
  char endpoint[256];  /* "" = the real regional endpoint; else e.g. "http://127.0.0.1:4566" */
  char ca_bundle[256]; /* "" = libcurl's default; set from the first existing known path */
  aws_credentials creds;
} aws_config;

/* Fills cfg from the standard environment: AWS_REGION (else AWS_DEFAULT_REGION),
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, and the endpoint override
 * MYNT_AWS_ENDPOINT. The CA bundle is the first of /etc/pki/tls/certs/ca-bundle.crt
 * (Amazon Linux) and /etc/ssl/certs/ca-certificates.crt (Debian) that exists.
 * Returns MYNT_OK, or MYNT_BAD_REQUEST naming what is missing or too long (region or keys)
 * in detail (may be NULL) and leaves cfg zeroed. */
mynt_status aws_config_from_env(aws_config *cfg, mynt_detail *detail);

#endif
