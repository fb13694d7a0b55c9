/* test_logger.c - unit tests for the structured JSON-lines logger. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/logger.h"
#include "support/unit_main.h"

static void test_logger_writes_one_json_line_with_level_and_request_id(void **state)
{
  (void)state;
  FILE *out = tmpfile();
  assert_non_null(out);
  logger_set_output(out);
  logger_set_level(LOGGER_INFO);
  logger_log(LOGGER_DEBUG, "req-1", "hidden at info level");
  logger_log(LOGGER_WARN, "req-2", "route %s answered %d", "GET /me", 503);
  logger_log(LOGGER_ERROR, NULL, "quote \" and newline\n stay inside the line");
  logger_set_output(NULL);
  rewind(out);
  char line[512];
  assert_non_null(fgets(line, sizeof(line), out));
  json_error_t err;
  json_t *doc = json_loads(line, 0, &err);
  assert_non_null(doc);
  assert_string_equal(json_string_value(json_object_get(doc, "level")), "warn");
  assert_string_equal(json_string_value(json_object_get(doc, "request_id")), "req-2");
  assert_string_equal(json_string_value(json_object_get(doc, "message")), "route GET /me answered 503");
  assert_non_null(json_string_value(json_object_get(doc, "time")));
  json_decref(doc);
  assert_non_null(fgets(line, sizeof(line), out));
  doc = json_loads(line, 0, &err);
  assert_non_null(doc);
  assert_null(json_object_get(doc, "request_id"));
  assert_string_equal(json_string_value(json_object_get(doc, "message")),
                      "quote \" and newline\n stay inside the line");
  json_decref(doc);
  assert_null(fgets(line, sizeof(line), out));
  fclose(out);
}

UNIT_MAIN("logger", NULL, NULL,
          {
            cmocka_unit_test(test_logger_writes_one_json_line_with_level_and_request_id),
          })
