/* aws_config.c - reads the AWS region, endpoint override, credentials and CA bundle from the environment. */
#include "aws/aws_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/wipe.h"

static const char *const s_ca_bundles[] = {
  "/etc/pki/tls/certs/ca-bundle.crt",   /* Amazon Linux */
  "/etc/ssl/certs/ca-certificates.crt", /* Debian */
};

/* Copies the variable name's value into dst (cap bytes). Returns 1 when it is set, non-empty
 * and fits; 0 otherwise, with *out_too_long telling the two failures apart. */
static int s_copy_env(const char *name, char *dst, size_t cap, int *out_too_long)
{
  const char *v = getenv(name);
  *out_too_long = 0;
  if(!v || !*v)
    return 0;
  size_t n = strlen(v);
  if(n >= cap) {
    *out_too_long = 1;
    return 0;
  }
  memcpy(dst, v, n + 1);
  return 1;
}

mynt_status aws_config_from_env(aws_config *cfg, mynt_detail *detail)
{
  int too_long = 0;
  const char *missing = NULL;
  memset(cfg, 0, sizeof *cfg);
  mynt_detail_clear(detail);

  if(!s_copy_env("AWS_REGION", cfg->region, sizeof cfg->region, &too_long)) {
    int default_too_long = 0;
    if(too_long || !s_copy_env("AWS_DEFAULT_REGION", cfg->region, sizeof cfg->region, &default_too_long)) {
      missing = "AWS_REGION (or AWS_DEFAULT_REGION)";
      too_long = too_long || default_too_long;
      goto fail;
    }
  }
  if(!s_copy_env("AWS_ACCESS_KEY_ID", cfg->creds.access_key_id, sizeof cfg->creds.access_key_id, &too_long)) {
    missing = "AWS_ACCESS_KEY_ID";
    goto fail;
  }
  if(!s_copy_env("AWS_SECRET_ACCESS_KEY", cfg->creds.secret_access_key, sizeof cfg->creds.secret_access_key,
                 &too_long)) {
    missing = "AWS_SECRET_ACCESS_KEY";
    goto fail;
  }
  if(!s_copy_env("AWS_SESSION_TOKEN", cfg->creds.session_token, sizeof cfg->creds.session_token, &too_long) &&
     too_long) {
    missing = "AWS_SESSION_TOKEN";
    goto fail;
  }
  if(!s_copy_env("MYNT_AWS_ENDPOINT", cfg->endpoint, sizeof cfg->endpoint, &too_long) && too_long) {
    missing = "MYNT_AWS_ENDPOINT";
    goto fail;
  }
  for(size_t i = 0; i < sizeof s_ca_bundles / sizeof s_ca_bundles[0]; i++) {
    if(access(s_ca_bundles[i], R_OK) == 0) {
      snprintf(cfg->ca_bundle, sizeof cfg->ca_bundle, "%s", s_ca_bundles[i]);
      break;
    }
  }
  return MYNT_OK;

fail:
  mynt_wipe(cfg, sizeof *cfg);
  return mynt_fail(detail, MYNT_BAD_REQUEST, "%s %s", missing, too_long ? "is too long" : "is not set");
}
