/* fuzz_date.c - fuzzes core/date's strict parsers (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ) and month arithmetic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fuzz_parts parts;
  if(fuzz_split(data, size, 1, &parts) != 0)
    return 0;
  const char *text = parts.part[0];
  int y = -1, m = -1, d = -1;
  if(date_parse(text, &y, &m, &d) == MYNT_OK) {
    /* A parsed date is a real day, and day numbers and formatting give the same text back. */
    FUZZ_CHECK(strlen(text) == 10);
    FUZZ_CHECK(m >= 1 && m <= 12 && d >= 1 && d <= date_days_in_month(y, m));
    char back[11];
    int32_t days = date_days_from_civil(y, m, d);
    int y2, m2, d2;
    date_civil_from_days(days, &y2, &m2, &d2);
    FUZZ_CHECK(y2 == y && m2 == m && d2 == d);
    FUZZ_CHECK(strcmp(date_format(days, back), text) == 0);
    for(int months = 0; months <= 30; months += 6) {
      char earlier[11];
      date_months_before(text, months, earlier);
      FUZZ_CHECK(earlier[0] == '\0' || date_parse(earlier, &y2, &m2, &d2) == MYNT_OK);
      FUZZ_CHECK(y < 3 || strcmp(earlier, text) <= 0);
    }
  }
  else {
    FUZZ_CHECK(y == -1 && m == -1 && d == -1);
  }
  int64_t ms = INT64_MIN;
  if(date_iso8601_epoch_ms(text, &ms) == MYNT_OK) {
    /* The instant falls on the day its text names. */
    char day[11], day2[11];
    FUZZ_CHECK(strlen(text) == 20);
    for(size_t i = 11; i < 19; i++)
      FUZZ_CHECK((i == 13 || i == 16) ? text[i] == ':' : (text[i] >= '0' && text[i] <= '9'));
    /* A leap second at 23:59:60 is the first instant of the next day. */
    int32_t days =
      date_days_from_civil(atoi(text), atoi(text + 5), atoi(text + 8)) + (strcmp(text + 11, "23:59:60Z") == 0);
    FUZZ_CHECK(date_days_from_epoch_ms(ms) == days);
    date_of_epoch_ms(ms, day);
    FUZZ_CHECK(strcmp(day, date_format(days, day2)) == 0);
  }
  else {
    FUZZ_CHECK(ms == INT64_MIN);
  }
  fuzz_parts_free(&parts);
  return 0;
}
