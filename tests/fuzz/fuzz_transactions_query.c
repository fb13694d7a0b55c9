/* fuzz_transactions_query.c - fuzzes the GET /transactions query check (dates, count, offset, account_id).
 * Input: NUL-separated parts today, start_date, end_date, count, offset, account_id; a missing part or
 * one that is exactly "-" is an absent parameter; a today that is not a date is 2026-03-15. */
#include <stdint.h>
#include <string.h>

#include "core/date.h"
#include "core/detail.h"
#include "fuzz_support.h"
#include "handlers/transactions_query.h"

static const char *s_param(const fuzz_parts *p, size_t i)
{
  if(i >= p->count || strcmp(p->part[i], "-") == 0)
    return NULL;
  return p->part[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fuzz_parts parts;
  if(fuzz_split(data, size, 6, &parts) != 0)
    return 0;
  int y, m, d;
  const char *today = s_param(&parts, 0);
  if(date_parse(today, &y, &m, &d) != MYNT_OK)
    today = "2026-03-15";
  transactions_query_params params = {.start_date = s_param(&parts, 1),
                                      .end_date = s_param(&parts, 2),
                                      .count = s_param(&parts, 3),
                                      .offset = s_param(&parts, 4),
                                      .account_id = s_param(&parts, 5)};
  transactions_query q;
  mynt_detail why;
  mynt_detail_clear(&why);
  mynt_status st = transactions_query_parse(&params, today, &q, &why);
  if(st == MYNT_OK) {
    /* What the handler then relies on. */
    char earliest[11];
    date_months_before(today, TRANSACTIONS_HISTORY_MONTHS, earliest);
    FUZZ_CHECK(date_parse(q.start_date, &y, &m, &d) == MYNT_OK);
    FUZZ_CHECK(date_parse(q.end_date, &y, &m, &d) == MYNT_OK);
    FUZZ_CHECK(strcmp(q.start_date, q.end_date) <= 0);
    FUZZ_CHECK(strcmp(q.end_date, today) <= 0);
    FUZZ_CHECK(earliest[0] == '\0' || strcmp(earliest, q.start_date) <= 0);
    FUZZ_CHECK(q.count >= 1 && q.count <= TRANSACTIONS_COUNT_MAX);
    FUZZ_CHECK(q.offset >= 0 && q.offset + q.count <= TRANSACTIONS_WINDOW_MAX);
    FUZZ_CHECK(q.account_id == params.account_id);
    FUZZ_CHECK(!q.account_id || (strlen(q.account_id) >= 1 && strlen(q.account_id) <= TRANSACTIONS_ACCOUNT_ID_MAX));
  }
  else {
    FUZZ_CHECK(st == MYNT_BAD_REQUEST);
    FUZZ_CHECK(mynt_detail_text(&why)[0] != '\0');
  }
  fuzz_parts_free(&parts);
  return 0;
}
