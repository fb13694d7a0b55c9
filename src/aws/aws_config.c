/* aws_config.c - reads the AWS region, endpoint override, credentials and CA bundle from the environment. */
#include "aws/aws_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/wipe.h"

static const char *const s_ca_bundles[] = {
  "/etc/pki/tls/certs/ca-bundle.crt",     /* Amazon Linux */
  "/etc/ssl/certs/ca-certificates.crt",   /* Debian */
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

static void s_why(char *out_why, unsigned why_len, const char *what, int too_long)
{
  if(out_why && why_len)
    snprintf(out_why, why_len, "%s %s", what, too_long ? "is too long" : "is not set");
}

mynt_status aws_config_from_env(aws_config *cfg, char *out_why, unsigned why_len)
{
  int too_long = 0;
  memset(cfg, 0, sizeof *cfg);
  if(out_why && why_len)
    out_why[0] = '\0';

  if(!s_copy_env("AWS_REGION", cfg->region, sizeof cfg->region, &too_long)) {
    int default_too_long = 0;
    if(too_long || !s_copy_env("AWS_DEFAULT_REGION", cfg->region, sizeof cfg->region, &default_too_long)) {
      s_why(out_why, why_len, "AWS_REGION (or AWS_DEFAULT_REGION)", too_long || default_too_long);
      goto fail;
    }
  }
  if(!s_copy_env("AWS_ACCESS_KEY_ID", cfg->creds.access_key_id, sizeof cfg->creds.access_key_id, &too_long)) {
    s_why(out_why, why_len, "AWS_ACCESS_KEY_ID", too_long);
    goto fail;
  }
  if(!s_copy_env("AWS_SECRET_ACCESS_KEY", cfg->creds.secret_access_key, sizeof cfg->creds.secret_access_key,
                 &too_long)) {
    s_why(out_why, why_len, "AWS_SECRET_ACCESS_KEY", too_long);
    goto fail;
  }
  if(!s_copy_env("AWS_SESSION_TOKEN", cfg->creds.session_token, sizeof cfg->creds.session_token, &too_long) &&
     too_long) {
    s_why(out_why, why_len, "AWS_SESSION_TOKEN", too_long);
    goto fail;
  }
  if(!s_copy_env("MYNT_AWS_ENDPOINT", cfg->endpoint, sizeof cfg->endpoint, &too_long) && too_long) {
    s_why(out_why, why_len, "MYNT_AWS_ENDPOINT", too_long);
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
  return MYNT_BAD_REQUEST;
}
