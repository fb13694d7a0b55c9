/* main.c - mynt-local: API Gateway HTTP API + Lambda (Runtime, Invoke) + schedules on loopback, running the real bootstrap. */
#include <curl/curl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/detail.h"
#include "local/common/cli.h"
#include "local/gateway/gateway.h"
#include "local/gateway/local_config.h"
#include "local/gateway/static_files.h"

/* How many --mount options one gateway takes. */
#define S_MAX_MOUNTS 8

static void s_usage(FILE *out)
{
  fprintf(out, "usage: mynt-local --routes FILE --bootstrap PATH [--web DIR] [--config-json FILE]\n"
               "                  [--mount PREFIX=DIR]... [--port N] [--host 127.0.0.1]\n"
               "  --routes FILE       routes JSON generated from template.yaml\n"
               "  --bootstrap PATH    the Lambda bootstrap executable\n"
               "  --web DIR           the web app served for GET/HEAD requests no route claims\n"
               "  --config-json FILE  served at /config.json\n"
               "  --mount PREFIX=DIR  also serve DIR under the URL prefix (e.g. /plaid/=local/plaid_sim/link)\n"
               "  --port N            port (default $MYNT_PORT, else 8080; 0 = any free port)\n"
               "  --host ADDR         loopback address to bind (127.0.0.0/8 only)\n"
               "environment:\n"
               "  MYNT_LOCAL_SCHEDULE_SCALE  schedules fire every rate * this (e.g. 0.001; default 1)\n"
               "  MYNT_LOCAL_RETRY_DELAY_MS  delay before retrying a failed asynchronous run (default 500)\n");
}

/* Returns true for a dotted IPv4 address in 127.0.0.0/8. */
static bool s_is_loopback(const char *host)
{
  unsigned a, b, c, d;
  char extra;
  if(sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) != 4)
    return false;
  return a == 127 && b < 256 && c < 256 && d < 256;
}

/* Reads the number in environment variable name into *out when it is set; returns false when
 * it is set but not a number in [min, max] (*out is then unchanged). */
static bool s_env_number(const char *name, double min, double max, double *out)
{
  const char *text = getenv(name);
  if(!text || !*text)
    return true;
  char *end = NULL;
  double v = strtod(text, &end);
  if(*end || !(v >= min && v <= max))
    return false;
  *out = v;
  return true;
}

int main(int argc, char **argv)
{
  const char *routes = NULL, *bootstrap = NULL, *web = NULL, *config_json = NULL;
  const char *host = "127.0.0.1";
  const char *port_text = getenv("MYNT_PORT");
  const char *mount_specs[S_MAX_MOUNTS];
  size_t n_mounts = 0;
  static const struct option longopts[] = {
    {"routes", required_argument, NULL, 'r'},
    {"bootstrap", required_argument, NULL, 'b'},
    {"web", required_argument, NULL, 'w'},
    {"config-json", required_argument, NULL, 'c'},
    {"port", required_argument, NULL, 'p'},
    {"host", required_argument, NULL, 'H'},
    {"mount", required_argument, NULL, 'm'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
  };
  int opt;
  while((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch(opt) {
    case 'r':
      routes = optarg;
      break;
    case 'b':
      bootstrap = optarg;
      break;
    case 'w':
      web = optarg;
      break;
    case 'c':
      config_json = optarg;
      break;
    case 'p':
      port_text = optarg;
      break;
    case 'H':
      host = optarg;
      break;
    case 'm':
      if(n_mounts == S_MAX_MOUNTS) {
        fprintf(stderr, "mynt-local: at most %d --mount options\n", S_MAX_MOUNTS);
        return 2;
      }
      mount_specs[n_mounts++] = optarg;
      break;
    case 'h':
      s_usage(stdout);
      return 0;
    default:
      s_usage(stderr);
      return 2;
    }
  }
  if(optind != argc || !routes || !bootstrap) {
    s_usage(stderr);
    return 2;
  }
  uint16_t port = 8080;
  if(port_text && *port_text && !cli_parse_port(port_text, &port)) {
    fprintf(stderr, "mynt-local: bad port %s\n", port_text);
    return 2;
  }
  if(strcmp(host, "localhost") == 0)
    host = "127.0.0.1";
  if(!s_is_loopback(host)) {
    fprintf(stderr, "mynt-local: refusing to bind %s; only 127.0.0.0/8 is allowed\n", host);
    return 2;
  }
  if(access(bootstrap, X_OK) != 0)
    fprintf(stderr, "mynt-local: warning: %s is not executable (yet); invocations will fail\n", bootstrap);

  mynt_detail why;
  static_files_mount mounts[S_MAX_MOUNTS];
  for(size_t i = 0; i < n_mounts; i++) {
    if(static_files_mount_parse(mount_specs[i], &mounts[i], &why) != MYNT_OK) {
      fprintf(stderr, "mynt-local: --mount %s: %s\n", mount_specs[i], mynt_detail_text(&why));
      while(i > 0)
        static_files_mount_free(&mounts[--i]);
      return 2;
    }
  }

  local_config config;
  if(local_config_load(routes, &config, &why) != MYNT_OK) {
    fprintf(stderr, "mynt-local: %s: %s\n", routes, mynt_detail_text(&why));
    for(size_t i = 0; i < n_mounts; i++)
      static_files_mount_free(&mounts[i]);
    return 1;
  }

  /* Signals are taken synchronously by this thread; every other thread inherits the mask. */
  sigset_t stop_signals;
  cli_block_stop_signals(&stop_signals);

  int rc = 1;
  gateway *g = NULL;
  if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fprintf(stderr, "mynt-local: libcurl failed to initialise\n");
    goto cleanup;
  }
  double schedule_scale = 1;
  int64_t retry_delay_ms = 0;
  if(!s_env_number("MYNT_LOCAL_SCHEDULE_SCALE", 1e-9, 1e6, &schedule_scale)) {
    fprintf(stderr, "mynt-local: MYNT_LOCAL_SCHEDULE_SCALE must be a number in (0, 1e6]\n");
    goto cleanup;
  }
  double delay = 0;
  if(!s_env_number("MYNT_LOCAL_RETRY_DELAY_MS", 1, 600000, &delay)) {
    fprintf(stderr, "mynt-local: MYNT_LOCAL_RETRY_DELAY_MS must be 1..600000\n");
    goto cleanup;
  }
  retry_delay_ms = (int64_t)delay;
  gateway_options opts = {
    .config = &config,
    .bootstrap = bootstrap,
    .web_root = web,
    .config_json = config_json,
    .mounts = mounts,
    .n_mounts = n_mounts,
    .host = host,
    .port = port,
    .schedule_scale = schedule_scale,
    .async_retry_delay_ms = retry_delay_ms,
  };
  if(gateway_new(&opts, &why, &g) != MYNT_OK) {
    fprintf(stderr, "mynt-local: %s\n", mynt_detail_text(&why));
    goto cleanup;
  }
  fprintf(stdout, "mynt-local listening on http://%s:%u\n", host, (unsigned)gateway_port(g));
  fflush(stdout);

  int sig = cli_wait_stop_signal(&stop_signals);
  fprintf(stderr, "mynt-local: signal %d, stopping\n", sig);
  rc = 0;
cleanup:
  gateway_free(g);
  curl_global_cleanup();
  local_config_free(&config);
  for(size_t i = 0; i < n_mounts; i++)
    static_files_mount_free(&mounts[i]);
  return rc;
}
