/* log_capture.c - the logger's lines captured in an open_memstream buffer. */
#include "support/log_capture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/logger.h"

void log_capture_start(log_capture *c)
{
  memset(c, 0, sizeof *c);
  c->out = open_memstream(&c->text, &c->len);
  assert_non_null(c->out);
  logger_set_output(c->out);
}

char *log_capture_copy(log_capture *c)
{
  assert_non_null(c->out);
  assert_int_equal(fflush(c->out), 0);
  char *copy = strndup(c->text ? c->text : "", c->len);
  assert_non_null(copy);
  return copy;
}

void log_capture_stop(log_capture *c)
{
  if(!c->out)
    return;
  logger_set_output(NULL);
  fclose(c->out);
  c->out = NULL;
}

void log_capture_free(log_capture *c)
{
  log_capture_stop(c);
  free(c->text);
  c->text = NULL;
  c->len = 0;
}
