/* test_csv.c: RFC 4180 records: quoting, line endings (LF, CRLF, a lone CR), the byte-order mark,
 * blank and comment lines, line numbers, and every malformed field refused with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/csv.h"
#include "check.h"

/* Reads every record of text into "a|b|c;..." with each record's line ("3:a|b;"), or the error. */
static void records(const char *text, size_t len, char comment, char *out, size_t cap) {
  csv_reader r;
  ss_err err = {{0}};
  bool more = true;
  size_t used = 0;
  out[0] = '\0';
  ss_status rc = csv_begin(&r, "t.csv", text, len, comment, &err);
  while (!rc && !(rc = csv_next(&r, &more, &err)) && more) {
    used += (size_t)snprintf(out + used, cap - used, "%u:", r.line);
    for (size_t i = 0; i < r.n; i++) used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "|" : "", r.field[i]);
    used += (size_t)snprintf(out + used, cap - used, ";");
  }
  if (rc) snprintf(out, cap, "ERROR %s", err.msg);
  csv_end(&r);
}

/* The records of text are want exactly; an error ("ERROR ...") starts with want. */
static void expect_records(const char *text, const char *want) {
  char got[2048];
  records(text, strlen(text), '#', got, sizeof got);
  bool ok = strncmp(want, "ERROR", 5) ? !strcmp(got, want) : !strncmp(got, want, strlen(want));
  check_msg(ok, "%s\n  read as: %s\n  wanted:  %s", text, got, want);
}

static void test_plain_records_and_every_line_ending(void **state) {
  (void)state;
  expect_records("a,b,c\n1,2,3\n", "1:a|b|c;2:1|2|3;");
  expect_records("a,b\r\n1,2\r\n", "1:a|b;2:1|2;");
  expect_records("a,b\r1,2\r3,4", "1:a|b;2:1|2;3:3|4;"); /* a CR-only file is three lines, not one */
  expect_records("a,,c\n,\n", "1:a||c;2:|;");            /* empty fields are fields */
  expect_records("a,b", "1:a|b;");                       /* no final line break */
}

static void test_bom_blank_and_comment_lines_are_skipped_and_counted(void **state) {
  (void)state;
  expect_records("\xef\xbb\xbf"
                 "id,value\n",
                 "1:id|value;");
  expect_records("\n\r\n# a comment, with \"quotes\"\nx,y\n\n\n1,2\n", "4:x|y;7:1|2;");
}

static void test_quoted_fields_hold_commas_quotes_and_line_breaks(void **state) {
  (void)state;
  expect_records("\"1,000\",\"say \"\"hi\"\"\"\n", "1:1,000|say \"hi\";");
  expect_records("\"two\nlines\",x\nnext,y\n", "1:two\nlines|x;3:next|y;");
  expect_records("\"\",\"\"\n", "1:|;");
  expect_records("\"a\"\r\n\"b\"\r", "1:a;2:b;");
}

static void test_malformed_records_are_refused_with_their_line(void **state) {
  (void)state;
  static const struct {
    const char *text, *want;
  } BAD[] = {
      {"ok\nab\"c\n", "ERROR t.csv:2: field 1: a quote inside an unquoted field"},
      {"ok\n\"abc\"d,e\n", "ERROR t.csv:2: field 1: text after the closing quote"},
      {"ok\nx,\"never closed\n\n\n", "ERROR t.csv:2: field 2: the quote opened here is never closed"},
  };
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) expect_records(BAD[i].text, BAD[i].want);
  char many[400] = "";
  for (int i = 0; i < 70; i++) strcat(many, "x,");
  expect_records(many, "ERROR t.csv:1: more than 64 fields; allowed: at most 64");
  char got[2048];
  records("a,b\nc\0d\n", 8, '#', got, sizeof got); /* a NUL byte, with its line */
  check_msg(!strcmp(got, "ERROR t.csv:2: NUL byte; allowed: CSV text"), "got %s", got);
  check_min_cases(sizeof BAD / sizeof BAD[0] + 2, 5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain_records_and_every_line_ending),
      cmocka_unit_test(test_bom_blank_and_comment_lines_are_skipped_and_counted),
      cmocka_unit_test(test_quoted_fields_hold_commas_quotes_and_line_breaks),
      cmocka_unit_test(test_malformed_records_are_refused_with_their_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
