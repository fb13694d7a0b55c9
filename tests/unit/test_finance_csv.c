/* test_finance_csv.c - unit tests for CSV cells: RFC 4180 quoting and no formula injection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "finance/csv.h"
#include "support/unit_main.h"

/* Asserts that finance_csv_text writes text as the field expected. */
static void s_cell_is(const char *text, const char *expected)
{
  mynt_buf b;
  buf_init(&b, 1024);
  assert_int_equal(finance_csv_text(&b, text), MYNT_OK);
  if(strcmp(buf_cstr(&b), expected) != 0)
    fail_msg("\"%s\" gave [%s], not [%s]", text ? text : "(null)", buf_cstr(&b), expected);
  buf_free(&b);
}

static void test_finance_csv_plain_text_is_written_as_it_is(void **state)
{
  (void)state;
  s_cell_is("Blue Bottle Coffee", "Blue Bottle Coffee");
  s_cell_is("Caf\xc3\xa9 de Flore", "Caf\xc3\xa9 de Flore");
  s_cell_is("a-b=c+d@e", "a-b=c+d@e"); /* only the first character can start a formula */
  s_cell_is("", "");
  s_cell_is(NULL, "");
}

static void test_finance_csv_quotes_separators_quotes_and_line_breaks(void **state)
{
  (void)state;
  s_cell_is("Smith, John", "\"Smith, John\"");
  s_cell_is("say \"hi\"", "\"say \"\"hi\"\"\"");
  s_cell_is("\"", "\"\"\"\"");
  s_cell_is("line\nbreak", "\"line\nbreak\"");
  s_cell_is("line\r\nbreak", "\"line\r\nbreak\"");
  s_cell_is(" padded", "\" padded\"");
  s_cell_is("padded ", "\"padded \"");
}

static void test_finance_csv_prefixes_what_a_spreadsheet_would_run(void **state)
{
  (void)state;
  s_cell_is("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  s_cell_is("+1", "\"'+1\"");
  s_cell_is("-5", "\"'-5\"");
  s_cell_is("@SUM(A1)", "\"'@SUM(A1)\"");
  s_cell_is("\tcmd", "\"'\tcmd\"");
  s_cell_is("\rcmd", "\"'\rcmd\"");
  s_cell_is("=", "\"'=\"");
}

static void test_finance_csv_failure_frees_the_buffer(void **state)
{
  (void)state;
  mynt_buf b;
  buf_init(&b, 8);
  assert_int_equal(finance_csv_text(&b, "short"), MYNT_OK);
  assert_int_equal(finance_csv_text(&b, "a \"long\" one"), MYNT_TOO_LARGE);
  assert_int_equal(b.len, 0);
  assert_string_equal(buf_cstr(&b), "");
  buf_free(&b);
}

UNIT_MAIN("finance_csv", NULL, NULL,
          {
            cmocka_unit_test(test_finance_csv_plain_text_is_written_as_it_is),
            cmocka_unit_test(test_finance_csv_quotes_separators_quotes_and_line_breaks),
            cmocka_unit_test(test_finance_csv_prefixes_what_a_spreadsheet_would_run),
            cmocka_unit_test(test_finance_csv_failure_frees_the_buffer),
          })
