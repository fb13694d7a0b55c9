/* transactions_query.c - checking the GET /transactions query string against today's date. */
#include "handlers/transactions_query.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "finance/category.h"
#include "plaid/plaid_request.h"

/* The most digits a count or offset may have before its range is checked. */
#define S_NUMBER_DIGITS_MAX 9

/* Parses a whole number written with 1..9 digits only. Returns true and sets *out, else false. */
static bool s_whole_number(const char *text, long *out)
{
  long long v = 0;
  mynt_str digits = str_of(text);
  if(digits.len > S_NUMBER_DIGITS_MAX || !str_parse_digits(digits, &v))
    return false;
  *out = (long)v;
  return true;
}

/* Returns the number of characters of text when it is well-formed UTF-8 (no overlong forms,
 * surrogates or code points past U+10FFFF) without control characters (C0, DEL, C1), else -1. */
static long s_text_chars(const char *text)
{
  const unsigned char *p = (const unsigned char *)text;
  long chars = 0;
  while(*p) {
    unsigned c = *p;
    size_t more = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 4;
    if(more == 4)
      return -1;
    unsigned cp = more == 0 ? c : more == 1 ? c & 0x1f : more == 2 ? c & 0x0f : c & 0x07;
    for(size_t i = 1; i <= more; i++) {
      if((p[i] & 0xc0) != 0x80)
        return -1;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    static const unsigned least[] = {0, 0x80, 0x800, 0x10000};
    if(cp < least[more] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
      return -1;
    p += more + 1;
    chars++;
  }
  return chars;
}

/* Checks the filters category, flow and q. */
static mynt_status s_filters(const transactions_query_params *p, transactions_query *out, mynt_detail *detail)
{
  if(p->category && !finance_category_known(p->category) && strcmp(p->category, FINANCE_UNCATEGORIZED) != 0)
    return mynt_fail(detail, MYNT_BAD_REQUEST,
                     "category must be one of Plaid's categories, e.g. FOOD_AND_DRINK, or UNCATEGORIZED");
  if(p->flow && strcmp(p->flow, "income") != 0 && strcmp(p->flow, "expense") != 0 && strcmp(p->flow, "transfer") != 0)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "flow must be income, expense or transfer");
  long chars = p->q ? s_text_chars(p->q) : 0;
  if(p->q && (chars < 1 || chars > TRANSACTIONS_Q_MAX))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "q must be 1 to 100 characters of text (no control characters)");
  out->filter = (finance_filter){.category = p->category, .flow = p->flow, .q = p->q};
  return MYNT_OK;
}

/* Checks and fills the date window; without dates it is the current month when month_default,
 * else the whole history. */
static mynt_status s_dates(const transactions_query_params *p, const char *today, bool month_default,
                           transactions_query *out, mynt_detail *detail)
{
  char earliest[11];
  date_months_before(today, TRANSACTIONS_HISTORY_MONTHS, earliest);
  if(!p->start_date && !p->end_date) {
    memcpy(out->start_date, month_default ? today : earliest, sizeof(earliest));
    if(month_default)
      memcpy(out->start_date + 8, "01", 2); /* YYYY-MM-01 */
    memcpy(out->end_date, today, 11);
    return MYNT_OK;
  }
  if(!p->start_date || !p->end_date)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "start_date and end_date must be given together (or neither)");
  if(!plaid_request_date_valid(p->start_date))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "start_date must be a real calendar date written YYYY-MM-DD");
  if(!plaid_request_date_valid(p->end_date))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "end_date must be a real calendar date written YYYY-MM-DD");
  if(strcmp(p->start_date, p->end_date) > 0)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "start_date must not be after end_date");
  if(strcmp(p->start_date, earliest) < 0)
    return mynt_fail(detail, MYNT_BAD_REQUEST,
                     "start_date must not be more than 24 months before today (the earliest is %s)", earliest);
  if(strcmp(p->start_date, today) > 0)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "start_date must not be after today (%s, UTC)", today);
  memcpy(out->start_date, p->start_date, 11);
  memcpy(out->end_date, strcmp(p->end_date, today) > 0 ? today : p->end_date, 11);
  return MYNT_OK;
}

/* transactions_query_parse with the default window chosen by month_default. */
static mynt_status s_parse(const transactions_query_params *p, const char *today, bool month_default,
                           transactions_query *out, mynt_detail *detail)
{
  memset(out, 0, sizeof(*out));
  mynt_detail_clear(detail);
  mynt_status st = s_dates(p, today, month_default, out, detail);
  if(st)
    return st;

  long count = TRANSACTIONS_COUNT_DEFAULT;
  if(p->count && (!s_whole_number(p->count, &count) || count < 1 || count > TRANSACTIONS_COUNT_MAX))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "count must be a whole number from 1 to 500");
  long offset = 0;
  if(p->offset && !s_whole_number(p->offset, &offset))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "offset must be a whole number of at least 0");
  if(offset + count > TRANSACTIONS_WINDOW_MAX)
    return mynt_fail(detail, MYNT_BAD_REQUEST,
                     "offset + count must not exceed 10000; narrow the date range to go further back");
  if(p->account_id && !str_is_token(p->account_id, TRANSACTIONS_ACCOUNT_ID_MAX))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "account_id must be 1 to 128 characters without spaces");
  st = s_filters(p, out, detail);
  if(st)
    return st;
  out->count = (int)count;
  out->offset = offset;
  out->account_id = p->account_id;
  return MYNT_OK;
}

mynt_status transactions_query_parse(const transactions_query_params *p, const char *today, transactions_query *out,
                                     mynt_detail *detail)
{
  return s_parse(p, today, false, out, detail);
}

mynt_status transactions_query_parse_month_default(const transactions_query_params *p, const char *today,
                                                   transactions_query *out, mynt_detail *detail)
{
  return s_parse(p, today, true, out, detail);
}

bool transactions_query_filtered(const transactions_query *q)
{
  return q->filter.category || q->filter.flow || q->filter.q;
}
