/* test_jread.c: the JSON reader against RFC 8259: every value type, escapes to UTF-8 (surrogate
 * pairs too), numbers by the JSON grammar, members looked up by name, and errors that name the line
 * for the malformed texts importers meet (trailing commas, single quotes, NaN, deep nesting). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/jread.h"
#include "check.h"

static ss_status parse(const char *text, jread_val *v, ss_err *err) {
  memset(err, 0, sizeof *err);
  return jread_parse("t.json", text, strlen(text), 1, v, err);
}

static void test_every_value_type_is_read_with_its_members_in_order(void **state) {
  (void)state;
  jread_val v;
  ss_err err;
  assert_int_equal(parse("{\"a\": 1.5e2, \"b\": [true, false, null], \"c\": \"x\", \"d\": {}}", &v, &err), SS_OK);
  assert_int_equal(v.type, JREAD_OBJ);
  assert_int_equal(v.n, 4);
  check_eq(jread_num(&v, "a")->num, 150.0);
  const jread_val *b = jread_get(&v, "b");
  assert_int_equal(b->type, JREAD_ARR);
  assert_int_equal(b->n, 3);
  check_eq(b->kids[0].num, 1.0);
  assert_int_equal(b->kids[2].type, JREAD_NULL);
  assert_string_equal(jread_str(&v, "c")->str, "x");
  assert_null(jread_num(&v, "c")); /* a string is not a number */
  assert_null(jread_get(&v, "zz"));
  assert_null(jread_get(b, "a")); /* an array has no members */
  jread_free(&v);
}

static void test_escapes_become_utf8_including_surrogate_pairs(void **state) {
  (void)state;
  jread_val v;
  ss_err err;
  assert_int_equal(parse("\"q\\\"b\\\\s\\/n\\nt\\t\\u00e9\\u20ac\\ud83d\\ude00\"", &v, &err), SS_OK);
  assert_string_equal(v.str, "q\"b\\s/n\nt\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  jread_free(&v);
}

static void test_malformed_text_is_refused_with_its_line(void **state) {
  (void)state;
  static const struct {
    const char *text, *want;
  } BAD[] = {
      {"{\"a\": 1,}", "t.json:1: bad JSON: expected a member name"},
      {"{'a': 1}", "expected a member name in double quotes"},
      {"[1,\n 2,\n NaN]", "t.json:3: bad JSON: expected a value"},
      {"[01]", "expected ',' or ']'"},
      {"1 2", "expected nothing after the JSON value"},
      {"\"abc", "expected a closing"},
      {"\"\\x\"", "expected an escape"},
      {"\"\\ud800\"", "low surrogate"},
      {"{\"a\" 1}", "expected ':' after a member name"},
      {"-", "expected a value"},
      {"1.", "digits after the decimal point"},
      {"1e400", "within the range of a double"},
      {"", "expected a value"},
  };
  size_t n = 0;
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++, n++) {
    jread_val v;
    ss_err err;
    check_msg(parse(BAD[i].text, &v, &err) == SS_EDATA, "'%s' accepted", BAD[i].text);
    check_msg(strstr(err.msg, BAD[i].want) != NULL, "'%s': message '%s' lacks '%s'", BAD[i].text, err.msg, BAD[i].want);
  }
  check_min_cases(n, 13);
}

static void test_nesting_deeper_than_64_is_refused_not_a_stack_overflow(void **state) {
  (void)state;
  char text[400];
  jread_val v;
  ss_err err;
  memset(text, '[', 200), memset(text + 200, ']', 200);
  assert_int_equal(jread_parse("t.json", text, sizeof text, 1, &v, &err), SS_EDATA);
  check_msg(strstr(err.msg, "at most 64 deep") != NULL, "%s", err.msg);
  memset(text, '[', 60), memset(text + 60, ']', 60);
  assert_int_equal(jread_parse("t.json", text, 120, 1, &v, &err), SS_OK);
  jread_free(&v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_value_type_is_read_with_its_members_in_order),
      cmocka_unit_test(test_escapes_become_utf8_including_surrogate_pairs),
      cmocka_unit_test(test_malformed_text_is_refused_with_its_line),
      cmocka_unit_test(test_nesting_deeper_than_64_is_refused_not_a_stack_overflow),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
