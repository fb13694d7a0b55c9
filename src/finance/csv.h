/* csv.h - CSV cells (RFC 4180) safe to open in a spreadsheet (no formula injection). */
#ifndef MYNT_FINANCE_CSV_H
#define MYNT_FINANCE_CSV_H

#include "core/buf.h"
#include "core/status.h"

/* Appends text (NULL: nothing, an empty field) to b as one RFC 4180 field, without separator.
 * The field is quoted, its quotes doubled, when it holds a comma, a quote, CR or LF, or starts
 * or ends with a space. A text starting with = + - @ TAB or CR, which a spreadsheet would run
 * as a formula, is prefixed with ' and quoted (OWASP's CSV injection advice): "-5" becomes
 * "'-5" — so write generated numbers (amounts) directly, never through this function. Other
 * bytes, UTF-8 included, are copied as they are. Returns MYNT_OK; MYNT_TOO_LARGE or MYNT_NOMEM
 * from buf_append, b then freed (as every buf_append failure leaves it). */
mynt_status finance_csv_text(mynt_buf *b, const char *text);

#endif
