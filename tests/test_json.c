/* test_json.c: the JSON scalars every --json output is made of: strings escaped per RFC 8259,
 * numbers that read back exactly, and null for what JSON cannot hold (NaN, infinities). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "io/json.h"

/* What fn writes for one value, as a string (malloc'd). */
static char *num_text(double v) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  json_num(f, v);
  fclose(f);
  return text;
}

static char *str_text(const char *s) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  json_str(f, s);
  fclose(f);
  return text;
}

static void test_non_finite_numbers_are_null(void **state) {
  (void)state;
  const double BAD[] = {NAN, INFINITY, -INFINITY};
  for (size_t i = 0; i < 3; i++) {
    char *t = num_text(BAD[i]);
    assert_string_equal(t, "null");
    free(t);
  }
}

static void test_numbers_read_back_exactly(void **state) {
  (void)state;
  const double V[] = {0, 1, -3, 0.1, 1.0 / 3, 2.5e-300, 1.7976931348623157e308, 123456789012345.0, 1e15, 4.9e-324};
  size_t tested = 0;
  for (size_t i = 0; i < sizeof V / sizeof V[0]; i++, tested++) {
    char *t = num_text(V[i]);
    char *end;
    double back = strtod(t, &end);
    check_msg(*end == '\0' && back == V[i], "%.17g written as '%s'", V[i], t);
    check_msg(!strpbrk(t, "nN") && strcspn(t, " ") == strlen(t), "'%s' is not a JSON number", t);
    free(t);
  }
  check_min_cases(tested, 10);
  char *t = num_text(42);
  assert_string_equal(t, "42"); /* whole numbers without a fraction */
  free(t);
}

static void test_strings_escape_quotes_backslashes_and_control_characters(void **state) {
  (void)state;
  static const struct {
    const char *in, *out;
  } S[] = {
      {"plain", "\"plain\""},
      {"say \"hi\"", "\"say \\\"hi\\\"\""},
      {"back\\slash", "\"back\\\\slash\""},
      {"two\nlines\tand a tab", "\"two\\nlines\\tand a tab\""},
      {"bell\x07 del\x7f", "\"bell\\u0007 del\\u007f\""},
      {"caf\xc3\xa9", "\"caf\xc3\xa9\""}, /* UTF-8 passes through */
      {"", "\"\""},
  };
  for (size_t i = 0; i < sizeof S / sizeof S[0]; i++) {
    char *t = str_text(S[i].in);
    assert_string_equal(t, S[i].out);
    free(t);
  }
}

static void test_keys_are_separated_by_commas_after_the_first(void **state) {
  (void)state;
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  fputc('{', f);
  json_key(f, "a", 1);
  json_num(f, 1);
  json_key(f, "b\"", 0);
  json_num(f, NAN);
  fputc('}', f);
  fclose(f);
  assert_string_equal(text, "{\"a\": 1, \"b\\\"\": null}");
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_non_finite_numbers_are_null),
      cmocka_unit_test(test_numbers_read_back_exactly),
      cmocka_unit_test(test_strings_escape_quotes_backslashes_and_control_characters),
      cmocka_unit_test(test_keys_are_separated_by_commas_after_the_first),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
