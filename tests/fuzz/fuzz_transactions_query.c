/* fuzz_transactions_query.c - fuzzes the GET /transactions (/transactions/export, GET /summary) query check:
 * dates, count, offset, account_id and the category, flow and q filters, then the filter itself.
 * Input: NUL-separated parts today, start_date, end_date, count, offset, account_id, category, flow, q; a
 * missing part or one that is exactly "-" is an absent parameter; a today that is not a date of 1970 or later
 * is 2026-03-15. */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/date.h"
#include "finance/category.h"
#include "finance/filter.h"
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
  if(fuzz_split(data, size, 9, &parts) != 0)
    return 0;
  int y, m, d;
  const char *today = s_param(&parts, 0);
  /* today comes from the clock: a date of this era (a year before 0002 minus 24 months has no YYYY). */
  if(date_parse(today, &y, &m, &d) != MYNT_OK || y < 1970)
    today = "2026-03-15";
  transactions_query_params params = {.start_date = s_param(&parts, 1),
                                      .end_date = s_param(&parts, 2),
                                      .count = s_param(&parts, 3),
                                      .offset = s_param(&parts, 4),
                                      .account_id = s_param(&parts, 5),
                                      .category = s_param(&parts, 6),
                                      .flow = s_param(&parts, 7),
                                      .q = s_param(&parts, 8)};
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
    const char *category = q.filter.category;
    FUZZ_CHECK(!category || finance_category_known(category) || strcmp(category, FINANCE_UNCATEGORIZED) == 0);
    const char *flow = q.filter.flow;
    FUZZ_CHECK(!flow || !strcmp(flow, "income") || !strcmp(flow, "expense") || !strcmp(flow, "transfer"));
    FUZZ_CHECK(!q.filter.q || (strlen(q.filter.q) >= 1 && strlen(q.filter.q) <= TRANSACTIONS_Q_MAX * 4));
    FUZZ_CHECK(transactions_query_filtered(&q) == (category || flow || q.filter.q));
    json_t *txn = json_pack("{s:s, s:s, s:s?, s:s, s:s}", "name", "Coffee at Blue Bottle", "merchant_name",
                            parts.count > 8 ? parts.part[8] : NULL, "category", "FOOD_AND_DRINK", "flow", "expense",
                            "account_id", "acc-1");
    if(txn)
      (void)finance_filter_matches(&q.filter, txn);
    json_decref(txn);
    /* GET /summary's variant differs only when no date is given: then it is the current month. */
    transactions_query month;
    FUZZ_CHECK(transactions_query_parse_month_default(&params, today, &month, NULL) == MYNT_OK);
    if(params.start_date) {
      FUZZ_CHECK(strcmp(month.start_date, q.start_date) == 0 && strcmp(month.end_date, q.end_date) == 0);
    }
    else {
      FUZZ_CHECK(memcmp(month.start_date, today, 8) == 0 && strcmp(month.start_date + 8, "01") == 0);
      FUZZ_CHECK(strcmp(month.end_date, today) == 0);
    }
  }
  else {
    FUZZ_CHECK(st == MYNT_BAD_REQUEST);
    FUZZ_CHECK(mynt_detail_text(&why)[0] != '\0');
  }
  fuzz_parts_free(&parts);
  return 0;
}
