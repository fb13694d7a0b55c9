/* csv.c - CSV cells (RFC 4180) safe to open in a spreadsheet (no formula injection). */
#include "finance/csv.h"

#include <stdbool.h>
#include <string.h>

mynt_status finance_csv_text(mynt_buf *b, const char *text)
{
  if(!text || !*text)
    return MYNT_OK;
  size_t len = strlen(text);
  bool formula = strchr("=+-@\t\r", text[0]) != NULL;
  bool quoted = formula || strpbrk(text, ",\"\r\n") || text[0] == ' ' || text[len - 1] == ' ';
  if(!quoted)
    return buf_append(b, text, len);
  mynt_status st = buf_append(b, formula ? "\"'" : "\"", formula ? 2 : 1);
  /* Copies runs up to and including each quote, then doubles the quote. */
  const char *p = text;
  while(!st && *p) {
    const char *q = strchr(p, '"');
    size_t run = q ? (size_t)(q - p) + 1 : strlen(p);
    st = buf_append(b, p, run);
    if(!st && q)
      st = buf_append(b, "\"", 1);
    p += run;
  }
  return st ? st : buf_append(b, "\"", 1);
}
