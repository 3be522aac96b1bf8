/* test_keytab.c: the key-table reader and printer: strict numbers, whole numbers, bounds, enums,
 * booleans, list caps, messages that name file:line, key, value and what is allowed, and the echo
 * that reads back to the same values. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/keytab.h"
#include "base/yamlcfg.h"
#include "check.h"

static const char *const COLOURS[] = {"red", "dark_green", "blue", NULL};

typedef struct {
  double ratio, opt;
  uint32_t count;
  uint64_t seed;
  bool flag;
  char name[16];
  int colour;
  double xs[3];
  size_t n_xs;
  char tags[2][8];
  size_t n_tags;
} obj;

#define T obj
static const kt_field TAB[] = {
    KT_ROW_F64(T, "ratio", ratio, 0.5, 0, 1, 0, "a fraction"),
    KT_ROW_F64(T, "sub.opt", opt, NAN, 0, 10, KT_UNSET_OK, "optional, NAN = unset"),
    KT_ROW_U32(T, "sub.count", count, 4, 1, 64, KT_REQUIRED, "how many"),
    KT_ROW_U64(T, "seed", seed, 42, 0, "64-bit seed"),
    KT_ROW_BOOL(T, "flag", flag, 0, 0, "a switch"),
    KT_ROW_STR(T, "name", name, "anon", 0, "a name"),
    KT_ROW_ENUM(T, "colour", colour, "blue", COLOURS, 0, "a colour"),
    KT_ROW_F64LIST(T, "xs", xs, n_xs, -1, 1, 0, "up to three numbers"),
    KT_ROW_STRLIST(T, "tags", tags, n_tags, 0, "up to two short tags"),
};
#undef T
#define NTAB (sizeof TAB / sizeof TAB[0])

/* Loads YAML text and applies it to o (defaults first); the message, if any, goes to err. */
static ss_status apply_text(const char *text, obj *o, unsigned *lines, ss_err *err) {
  yc_doc doc;
  memset(o, 0, sizeof *o);
  kt_defaults(TAB, NTAB, o);
  ss_status rc = yc_load_string("t.yaml", text, &doc, err);
  if (rc) return rc;
  rc = kt_apply(TAB, NTAB, doc.root, "", "t.yaml", NULL, o, lines, err);
  yc_free(&doc);
  return rc;
}

static void assert_contains(const char *haystack, const char *needle) {
  if (!strstr(haystack, needle)) fail_msg("message \"%s\" lacks \"%s\"", haystack, needle);
}

/* ---- kt_parse_f64 ---- */

static void test_parse_accepts_plain_decimal_and_exponent_forms(void **state) {
  (void)state;
  static const struct {
    const char *s;
    double v;
  } OK[] = {
      {"0", 0},  {"42", 42},    {"-3.5", -3.5},     {"+7", 7},  {".5", 0.5},
      {"5.", 5}, {"1e3", 1000}, {"2.5E-3", 0.0025}, {" 8 ", 8}, {"1e-400", 0},
  };
  for (size_t i = 0; i < sizeof OK / sizeof OK[0]; i++) {
    double v = -1;
    assert_int_equal(kt_parse_f64(OK[i].s, &v), 0);
    check_near(v, OK[i].v, 1e-300 + 1e-15 * fabs(OK[i].v));
  }
}

static void test_parse_refuses_words_hex_infinities_and_trailing_text(void **state) {
  (void)state;
  static const char *const BAD[] = {"",   " ",     "nan", "NaN",  ".nan",  "inf", "-inf", ".inf", "infinity", "0x10",
                                    "1e", "1.2.3", "--5", "5 GB", "1_000", "1,5", "e5",   "+",    "-",        "twelve"};
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
    double v = 123;
    if (kt_parse_f64(BAD[i], &v) != 1) fail_msg("'%s' was accepted as a number", BAD[i]);
    check_eq(v, 123); /* untouched on failure */
  }
}

static void test_parse_reports_overflow_as_out_of_range(void **state) {
  (void)state;
  double v = 0;
  assert_int_equal(kt_parse_f64("1e400", &v), 2);
  assert_int_equal(kt_parse_f64("-1e400", &v), 2);
  assert_int_equal(kt_parse_f64("1e308", &v), 0);
}

/* ---- kt_set through YAML ---- */

static void test_defaults_fill_every_field(void **state) {
  (void)state;
  obj o;
  memset(&o, 0xff, sizeof o);
  kt_defaults(TAB, NTAB, &o);
  check_eq(o.ratio, 0.5);
  check_nan(o.opt);
  assert_int_equal(o.count, 4);
  assert_int_equal(o.seed, 42);
  assert_false(o.flag);
  assert_string_equal(o.name, "anon");
  assert_int_equal(o.colour, 2);
  assert_int_equal(o.n_xs, 0);
  assert_int_equal(o.n_tags, 0);
}

static void test_every_type_reads_from_yaml_and_records_its_line(void **state) {
  (void)state;
  obj o;
  ss_err err = {{0}};
  unsigned lines[NTAB] = {0};
  const char *text = "ratio: 0.25\n"
                     "sub:\n"
                     "  opt: 3\n"
                     "  count: 16\n"
                     "seed: 18446744073709551615\n"
                     "flag: yes\n"
                     "name: \"x: y\"\n"
                     "colour: Dark-Green\n"
                     "xs: [-1, 0.5, 1]\n"
                     "tags: [a, b]\n";
  assert_int_equal(apply_text(text, &o, lines, &err), SS_OK);
  check_eq(o.ratio, 0.25);
  check_eq(o.opt, 3);
  assert_int_equal(o.count, 16);
  assert_int_equal(o.seed, UINT64_MAX);
  assert_true(o.flag);
  assert_string_equal(o.name, "x: y");
  assert_int_equal(o.colour, 1); /* names compare ignoring case, '-' and '_' */
  assert_int_equal(o.n_xs, 3);
  check_eq(o.xs[0], -1);
  check_eq(o.xs[1], 0.5);
  check_eq(o.xs[2], 1);
  assert_int_equal(o.n_tags, 2);
  assert_string_equal(o.tags[1], "b");
  assert_int_equal(lines[kt_index(TAB, NTAB, "ratio")], 1);
  assert_int_equal(lines[kt_index(TAB, NTAB, "sub.count")], 4);
  assert_int_equal(lines[kt_index(TAB, NTAB, "tags")], 10);
  assert_int_equal(lines[kt_index(TAB, NTAB, "flag")], 6);
}

static void test_dotted_key_at_top_level_sets_the_nested_field(void **state) {
  (void)state;
  obj o;
  ss_err err = {{0}};
  assert_int_equal(apply_text("sub.count: 7\n", &o, NULL, &err), SS_OK);
  assert_int_equal(o.count, 7);
}

/* One bad document and the pieces its message must contain. */
typedef struct {
  const char *yaml;
  const char *want[4];
} bad_case;

static void expect_bad(const bad_case *c) {
  obj o;
  ss_err err = {{0}};
  unsigned lines[NTAB] = {0};
  ss_status rc = apply_text(c->yaml, &o, lines, &err);
  if (rc != SS_EDATA) fail_msg("'%s' gave status %d, want %d (bad data)", c->yaml, rc, SS_EDATA);
  for (int i = 0; i < 4 && c->want[i]; i++) assert_contains(err.msg, c->want[i]);
}

static void test_whole_number_keys_refuse_fractions_and_name_the_bounds(void **state) {
  (void)state;
  static const bad_case CASES[] = {
      {"sub:\n  count: 8.5\n",
       {"t.yaml:2:", "key 'sub.count'", "value '8.5' is not a whole number", "allowed: a whole number from 1 to 64"}},
      {"sub: {count: 2.000001}\n", {"t.yaml:1:", "not a whole number"}},
      {"sub: {count: -0}\n", {"out of bounds"}},
      {"sub: {count: 65}\n", {"value '65' is out of bounds", "from 1 to 64"}},
      {"sub: {count: 1e400}\n", {"value '1e400' is out of range (too large to represent)"}},
      {"seed: 18446744073709551616\n", {"key 'seed'", "more than 64 bits", "0 to 18446744073709551615"}},
      {"seed: -1\n", {"value '-1' is out of bounds"}},
      {"seed: 1e19\n", {"not exact as a float"}},
  };
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) expect_bad(&CASES[i]);
}

static void test_numbers_refuse_text_null_and_out_of_bounds(void **state) {
  (void)state;
  static const bad_case CASES[] = {
      {"ratio: 1.5\n", {"t.yaml:1: key 'ratio': value '1.5' is out of bounds; allowed: a number from 0 to 1"}},
      {"ratio: -0.1\n", {"out of bounds"}},
      {"ratio: half\n", {"value 'half' is not a number"}},
      {"ratio: .nan\n", {"value '.nan' is not a number"}},
      {"ratio: ~\n", {"value '~' is empty"}},
      {"ratio:\n", {"key 'ratio'", "is empty"}},
      {"ratio: [0.1]\n", {"expected a single value, found a list", "allowed: a fraction, as a number from 0 to 1"}},
      {"ratio: {a: 1}\n", {"expected a single value, found a mapping"}},
  };
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) expect_bad(&CASES[i]);
}

static void test_unset_ok_number_accepts_null_as_unset(void **state) {
  (void)state;
  obj o;
  ss_err err = {{0}};
  assert_int_equal(apply_text("sub: {opt: 2}\n", &o, NULL, &err), SS_OK);
  check_eq(o.opt, 2);
  assert_int_equal(apply_text("sub: {opt: ~}\n", &o, NULL, &err), SS_OK);
  check_nan(o.opt);
}

static void test_booleans_and_enums_accept_only_their_words(void **state) {
  (void)state;
  static const struct {
    const char *text;
    bool v;
  } BOOLS[] = {
      {"flag: true\n", true},   {"flag: True\n", true}, {"flag: on\n", true},   {"flag: yes\n", true},
      {"flag: false\n", false}, {"flag: NO\n", false},  {"flag: off\n", false},
  };
  for (size_t i = 0; i < sizeof BOOLS / sizeof BOOLS[0]; i++) {
    obj o;
    ss_err err = {{0}};
    assert_int_equal(apply_text(BOOLS[i].text, &o, NULL, &err), SS_OK);
    assert_int_equal(o.flag, BOOLS[i].v);
  }
  static const bad_case CASES[] = {
      {"flag: 1\n", {"value '1' is not a boolean; allowed: true or false"}},
      {"flag: maybe\n", {"value 'maybe' is not a boolean"}},
      /* the words exactly: spaces, dashes and underscores are not ignored as they are in hwdb names */
      {"flag: \"TRUE \"\n", {"value 'TRUE ' is not a boolean; allowed: true or false"}},
      {"flag: ' false'\n", {"value ' false' is not a boolean"}},
      {"flag: t-r-u-e\n", {"value 't-r-u-e' is not a boolean"}},
      {"flag: no_\n", {"value 'no_' is not a boolean"}},
      {"colour: purple\n", {"key 'colour': value 'purple' is not recognised; allowed: one of red, dark_green, blue"}},
      {"colour: 0\n", {"not recognised"}},
  };
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) expect_bad(&CASES[i]);
}

static void test_strings_and_lists_respect_their_caps(void **state) {
  (void)state;
  obj o;
  ss_err err = {{0}};
  assert_int_equal(apply_text("name: fifteen-chars-x\n", &o, NULL, &err), SS_OK); /* 15 bytes + NUL = 16 */
  assert_int_equal(apply_text("xs: 0.5\n", &o, NULL, &err), SS_OK);               /* a scalar is a 1-list */
  assert_int_equal(o.n_xs, 1);
  assert_int_equal(apply_text("xs: []\n", &o, NULL, &err), SS_OK);
  assert_int_equal(o.n_xs, 0);
  static const bad_case CASES[] = {
      {"name: sixteen-chars-xy\n", {"is too long; allowed: text of at most 15 bytes"}},
      {"xs: [0, 0, 0, 0]\n", {"key 'xs': 4 items is too many; allowed: a list, each a number from -1 to 1"}},
      {"xs: [0, 2]\n", {"value '2' is out of bounds"}},
      {"xs: [0, [1]]\n", {"expected a list"}},
      {"tags: [a, b, c]\n", {"3 items is too many", "at most 2 names of at most 7 bytes"}},
      {"tags: [abcdefgh]\n", {"value 'abcdefgh' is too long"}},
  };
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) expect_bad(&CASES[i]);
}

static void test_unknown_keys_list_what_is_allowed_at_their_level(void **state) {
  (void)state;
  static const bad_case CASES[] = {
      {"ratoi: 0.5\n",
       {"t.yaml:1: unknown key 'ratoi' (did you mean 'ratio'?); allowed: ratio, sub, seed, flag, "
        "name, colour, xs, tags"}},
      {"sub:\n  count: 2\n  cuont: 3\n",
       {"t.yaml:3: unknown key 'sub.cuont' (did you mean 'count'?); allowed "
        "under sub: opt, count"}},
      {"weight: 3\n", {"t.yaml:1: unknown key 'weight'; allowed: ratio,"}}, /* nothing close: no guess */
      {"sub: 3\n",
       {"t.yaml:1: key 'sub' must be a mapping of keys, found a single value '3'", "allowed keys: opt, count"}},
      {"- ratio: 1\n", {"the document must be a mapping of keys, found a list"}},
      {"sub: {count: 2}\nsub.count: 3\n", {"t.yaml:2: key 'sub.count' is set twice (first on line 1)"}},
  };
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) expect_bad(&CASES[i]);
}

static void test_required_keys_are_named_when_missing(void **state) {
  (void)state;
  obj o;
  ss_err err = {{0}};
  unsigned lines[NTAB] = {0};
  assert_int_equal(apply_text("ratio: 0.1\n", &o, lines, &err), SS_OK);
  assert_int_equal(kt_check_required(TAB, NTAB, lines, "t.yaml", &err), SS_EDATA);
  assert_contains(err.msg, "t.yaml: missing required key 'sub.count': how many");
  assert_int_equal(apply_text("sub: {count: 1}\n", &o, lines, &err), SS_OK);
  assert_int_equal(kt_check_required(TAB, NTAB, lines, "t.yaml", &err), SS_OK);
}

static void test_name_comparison_ignores_case_spaces_dashes_and_underscores(void **state) {
  (void)state;
  assert_true(kt_name_eq("A100 80G", "a100-80g"));
  assert_true(kt_name_eq("round_robin", "Round-Robin"));
  assert_true(kt_name_eq("h100", "H 1 0 0"));
  assert_false(kt_name_eq("h100", "h1000"));
  assert_false(kt_name_eq("h100", "h10"));
  assert_false(kt_name_eq("", "x"));
  assert_true(kt_name_eq("-", ""));
}

static void test_suggestions_catch_typos_but_not_different_words(void **state) {
  (void)state;
  assert_string_equal(kt_suggest(TAB, NTAB, "sub.cuont"), "sub.count");
  assert_string_equal(kt_suggest(TAB, NTAB, "seeds"), "seed");
  assert_string_equal(kt_suggest(TAB, NTAB, "colours"), "colour");
  assert_null(kt_suggest(TAB, NTAB, "seed"));             /* an exact key is no typo */
  assert_null(kt_suggest(TAB, NTAB, "sub.opts2"));        /* two of four letters off */
  assert_string_equal(kt_suggest(TAB, NTAB, "xy"), "xs"); /* one letter of two */
  assert_null(kt_suggest(TAB, NTAB, "zz"));
  assert_null(kt_suggest(TAB, NTAB, "name_of_the_study_that_is_much_longer_than_any_key"));
}

/* ---- echo ---- */

static void test_format_writes_the_shortest_text_that_reads_back_exactly(void **state) {
  (void)state;
  obj o;
  char buf[128];
  kt_defaults(TAB, NTAB, &o);
  const double VALUES[] = {0.1, 1.0 / 3, 0.7, 1e-9, 0.30000000000000004, 0};
  for (size_t i = 0; i < sizeof VALUES / sizeof VALUES[0]; i++) {
    o.ratio = VALUES[i];
    kt_format(&TAB[0], &o, buf, sizeof buf);
    check_msg(strtod(buf, NULL) == VALUES[i], "%.17g formats as '%s', which reads back as %.17g", VALUES[i], buf,
              strtod(buf, NULL));
  }
  o.ratio = 0.1;
  kt_format(&TAB[0], &o, buf, sizeof buf);
  assert_string_equal(buf, "0.1");
  o.opt = NAN;
  kt_format(&TAB[1], &o, buf, sizeof buf);
  assert_string_equal(buf, "~");
}

static void test_echo_reloads_to_the_same_values(void **state) {
  (void)state;
  /* strings that YAML would read as something else must come back as the same string */
  static const char *const NAMES[] = {"plain",       "true",  "No",        "~",     "null", "12",
                                      "1e3",         "a: b",  "#x",        "-dash", "it's", "say \"hi\"",
                                      "back\\slash", " lead", "tab\there", "[x]",   ""};
  for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
    obj a, b;
    ss_err err = {{0}};
    kt_defaults(TAB, NTAB, &a);
    snprintf(a.name, sizeof a.name, "%s", NAMES[i]);
    a.ratio = 1.0 / 3, a.opt = NAN, a.count = 64, a.seed = UINT64_MAX, a.flag = true, a.colour = 1;
    a.xs[0] = -0.25, a.xs[1] = 1e-7, a.n_xs = 2;
    snprintf(a.tags[0], sizeof a.tags[0], "%s", "on"), snprintf(a.tags[1], sizeof a.tags[1], "%s", "x,y");
    a.n_tags = 2;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    kt_print_yaml(f, TAB, NTAB, &a);
    fclose(f);
    ss_status rc = apply_text(text, &b, NULL, &err);
    if (rc) fail_msg("echo of name '%s' does not reload: %s\n%s", NAMES[i], err.msg, text);
    free(text);
    assert_string_equal(b.name, a.name);
    check_eq(b.ratio, a.ratio);
    check_nan(b.opt);
    assert_int_equal(b.count, a.count);
    assert_int_equal(b.seed, a.seed);
    assert_int_equal(b.flag, a.flag);
    assert_int_equal(b.colour, a.colour);
    assert_int_equal(b.n_xs, 2);
    check_eq(b.xs[0], a.xs[0]);
    check_eq(b.xs[1], a.xs[1]);
    assert_int_equal(b.n_tags, 2);
    assert_string_equal(b.tags[0], "on");
    assert_string_equal(b.tags[1], "x,y");
  }
}

static void test_allowed_text_describes_each_type(void **state) {
  (void)state;
  char buf[256];
  kt_allowed(&TAB[0], buf, sizeof buf);
  assert_string_equal(buf, "a number from 0 to 1");
  kt_allowed(&TAB[2], buf, sizeof buf);
  assert_string_equal(buf, "a whole number from 1 to 64");
  kt_allowed(&TAB[3], buf, sizeof buf);
  assert_string_equal(buf, "a whole number from 0 to 18446744073709551615");
  kt_allowed(&TAB[4], buf, sizeof buf);
  assert_string_equal(buf, "true or false");
  kt_allowed(&TAB[6], buf, sizeof buf);
  assert_string_equal(buf, "one of red, dark_green, blue");
  kt_allowed(&TAB[7], buf, sizeof buf);
  assert_string_equal(buf, "a list, each a number from -1 to 1");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_accepts_plain_decimal_and_exponent_forms),
      cmocka_unit_test(test_parse_refuses_words_hex_infinities_and_trailing_text),
      cmocka_unit_test(test_parse_reports_overflow_as_out_of_range),
      cmocka_unit_test(test_defaults_fill_every_field),
      cmocka_unit_test(test_every_type_reads_from_yaml_and_records_its_line),
      cmocka_unit_test(test_dotted_key_at_top_level_sets_the_nested_field),
      cmocka_unit_test(test_whole_number_keys_refuse_fractions_and_name_the_bounds),
      cmocka_unit_test(test_numbers_refuse_text_null_and_out_of_bounds),
      cmocka_unit_test(test_unset_ok_number_accepts_null_as_unset),
      cmocka_unit_test(test_booleans_and_enums_accept_only_their_words),
      cmocka_unit_test(test_strings_and_lists_respect_their_caps),
      cmocka_unit_test(test_unknown_keys_list_what_is_allowed_at_their_level),
      cmocka_unit_test(test_required_keys_are_named_when_missing),
      cmocka_unit_test(test_name_comparison_ignores_case_spaces_dashes_and_underscores),
      cmocka_unit_test(test_suggestions_catch_typos_but_not_different_words),
      cmocka_unit_test(test_format_writes_the_shortest_text_that_reads_back_exactly),
      cmocka_unit_test(test_echo_reloads_to_the_same_values),
      cmocka_unit_test(test_allowed_text_describes_each_type),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
