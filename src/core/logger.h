/* logger.h - structured JSON-lines logging to stderr (level, time, request id, message). */
#ifndef MYNT_CORE_LOGGER_H
#define MYNT_CORE_LOGGER_H

#include <stdarg.h>
#include <stdio.h>

/* Messages must never carry request or response bodies, tokens, keys or other secrets:
 * the logger writes what it is given and cannot tell a secret from a word. */
typedef enum {
  LOGGER_DEBUG = 0,
  LOGGER_INFO,
  LOGGER_WARN,
  LOGGER_ERROR,
} logger_level;

/* Sets the lowest level written (default LOGGER_INFO) from MYNT_LOG_LEVEL
 * ("debug", "info", "warn", "error"); an unknown or absent value keeps the default. */
void logger_init_from_env(void);

/* Sets the lowest level written. */
void logger_set_level(logger_level level);

/* Redirects output (default stderr; NULL restores stderr). The stream is borrowed. */
void logger_set_output(FILE *out);

/* Writes one line {"time","level","request_id","message"} when level is enabled.
 * request_id may be NULL (the key is then left out). Failures to format or write are
 * dropped: logging never fails its caller. */
void logger_log(logger_level level, const char *request_id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void logger_vlog(logger_level level, const char *request_id, const char *fmt, va_list ap)
  __attribute__((format(printf, 3, 0)));

#endif
