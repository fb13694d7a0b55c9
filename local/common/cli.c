/* cli.c - the command-line plumbing both local programs' main() share: port arguments and stop signals. */
#include "local/common/cli.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

bool cli_parse_port(const char *text, uint16_t *out)
{
  if(!text || !*text)
    return false;
  char *end = NULL;
  errno = 0;
  long v = strtol(text, &end, 10);
  if(errno || *end || v < 0 || v > 65535)
    return false;
  *out = (uint16_t)v;
  return true;
}

void cli_block_stop_signals(sigset_t *out_stop)
{
  sigemptyset(out_stop);
  sigaddset(out_stop, SIGINT);
  sigaddset(out_stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, out_stop, NULL);
  signal(SIGPIPE, SIG_IGN);
}

int cli_wait_stop_signal(const sigset_t *stop)
{
  int sig = 0;
  while(sigwait(stop, &sig) != 0)
    ;
  return sig;
}
