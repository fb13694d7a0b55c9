/* logger.c - structured JSON-lines logging to stderr. */
#include "core/logger.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/clock.h"

#define LOGGER_MAX_MESSAGE 1024

static logger_level s_level = LOGGER_INFO;
static FILE *s_out;

static const char *const s_level_names[] = {"debug", "info", "warn", "error"};

void logger_init_from_env(void)
{
  const char *name = getenv("MYNT_LOG_LEVEL");
  if(!name)
    return;
  for(size_t i = 0; i < sizeof(s_level_names) / sizeof(s_level_names[0]); i++) {
    if(strcmp(name, s_level_names[i]) == 0) {
      s_level = (logger_level)i;
      return;
    }
  }
}

void logger_set_level(logger_level level)
{
  s_level = level;
}

void logger_set_output(FILE *out)
{
  s_out = out;
}

void logger_vlog(logger_level level, const char *request_id, const char *fmt, va_list ap)
{
  if(level < s_level || level > LOGGER_ERROR)
    return;
  char message[LOGGER_MAX_MESSAGE];
  vsnprintf(message, sizeof(message), fmt, ap);
  char when[21];
  clock_iso8601((time_t)(clock_epoch_ms() / 1000), when);

  json_t *line = json_object();
  if(!line)
    return;
  json_object_set_new(line, "time", json_string(when));
  json_object_set_new(line, "level", json_string(s_level_names[level]));
  if(request_id)
    json_object_set_new(line, "request_id", json_string(request_id));
  /* json_string refuses invalid UTF-8; keep the line rather than lose it. */
  json_t *text = json_string(message);
  json_object_set_new(line, "message", text ? text : json_string("(message is not valid UTF-8)"));
  char *dumped = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(line);
  if(!dumped)
    return;
  FILE *out = s_out ? s_out : stderr;
  fprintf(out, "%s\n", dumped);
  fflush(out);
  free(dumped);
}

void logger_log(logger_level level, const char *request_id, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  logger_vlog(level, request_id, fmt, ap);
  va_end(ap);
}
