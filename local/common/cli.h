/* cli.h - the command-line plumbing both local programs' main() share: port arguments and stop signals. */
#ifndef MYNT_LOCAL_CLI_H
#define MYNT_LOCAL_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* Parses a decimal port number 0..65535 (0 = any free port) into *out. Returns false, leaving
 * *out alone, when text is NULL, empty or not such a number. */
bool cli_parse_port(const char *text, uint16_t *out);

/* Blocks SIGINT and SIGTERM in the calling thread (call it before any thread starts, so every
 * thread inherits the mask and only cli_wait_stop_signal receives them), ignores SIGPIPE, and
 * fills *out_stop with the blocked set. */
void cli_block_stop_signals(sigset_t *out_stop);

/* Waits until one of the signals in stop arrives; returns its number. */
int cli_wait_stop_signal(const sigset_t *stop);

#endif
