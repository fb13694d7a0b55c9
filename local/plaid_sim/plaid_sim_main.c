/* plaid_sim_main.c - the plaid-sim program: runs the Plaid Sandbox simulator until SIGINT or SIGTERM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local/common/cli.h"
#include "local/plaid_sim/plaid_sim.h"

static void s_usage(FILE *f)
{
  fputs("usage: plaid-sim [--port N] [--client-id ID --secret S]\n"
        "  Serves a Plaid Sandbox stand-in on 127.0.0.1 (port 0 = ephemeral).\n"
        "  Defaults: PLAID_SIM_CLIENT_ID, PLAID_SIM_SECRET; PLAID_SIM_TODAY=YYYY-MM-DD pins the data's today.\n",
        f);
}

/* Parses argv into cfg. Returns 0, or 2 after printing why the arguments are wrong. */
static int s_parse_args(int argc, char **argv, plaid_sim_config *cfg)
{
  for(int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if(strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      s_usage(stdout);
      exit(0);
    }
    if(i + 1 >= argc) {
      fprintf(stderr, "plaid-sim: unknown or incomplete option %s\n", arg);
      s_usage(stderr);
      return 2;
    }
    const char *value = argv[++i];
    if(strcmp(arg, "--port") == 0) {
      if(!cli_parse_port(value, &cfg->port)) {
        fprintf(stderr, "plaid-sim: --port needs a number from 0 to 65535\n");
        return 2;
      }
    }
    else if(strcmp(arg, "--client-id") == 0) {
      cfg->client_id = value;
    }
    else if(strcmp(arg, "--secret") == 0) {
      cfg->secret = value;
    }
    else {
      fprintf(stderr, "plaid-sim: unknown option %s\n", arg);
      s_usage(stderr);
      return 2;
    }
  }
  return 0;
}

int main(int argc, char **argv)
{
  plaid_sim_config cfg = {0};
  plaid_sim *sim = NULL;
  cfg.client_id = getenv("PLAID_SIM_CLIENT_ID");
  cfg.secret = getenv("PLAID_SIM_SECRET");
  cfg.today = getenv("PLAID_SIM_TODAY");
  if(cfg.today && !*cfg.today)
    cfg.today = NULL;
  int rc = s_parse_args(argc, argv, &cfg);
  if(rc)
    return rc;
  if(!cfg.client_id || !*cfg.client_id || !cfg.secret || !*cfg.secret) {
    fprintf(stderr, "plaid-sim: a client id and a secret are required (--client-id/--secret or "
                    "PLAID_SIM_CLIENT_ID/PLAID_SIM_SECRET)\n");
    return 2;
  }

  /* Block the stop signals before any thread starts, so only sigwait below receives them. */
  sigset_t stop;
  cli_block_stop_signals(&stop);

  mynt_status st = plaid_sim_new(&cfg, &sim);
  if(st == MYNT_BAD_REQUEST) {
    fprintf(stderr, "plaid-sim: PLAID_SIM_TODAY must be a date YYYY-MM-DD\n");
    return 2;
  }
  if(st) {
    fprintf(stderr, "plaid-sim: cannot listen on 127.0.0.1:%u (%s)\n", (unsigned)cfg.port, mynt_strerror(st));
    return 1;
  }
  printf("plaid-sim listening on http://127.0.0.1:%u\n", (unsigned)plaid_sim_port(sim));
  fflush(stdout);

  cli_wait_stop_signal(&stop);
  plaid_sim_free(sim);
  return 0;
}
