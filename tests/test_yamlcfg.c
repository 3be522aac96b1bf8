/* test_yamlcfg.c: YAML loading into yc_node trees: source lines, duplicate keys, empty documents,
 * invalid UTF-8 and control bytes, tabs, syntax errors, nesting and alias limits, and files (regular
 * files only: directories, devices and FIFOs are refused before anything is read; content hashed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/hash.h"
#include "base/yamlcfg.h"
#include "check.h"

static void assert_contains(const char *haystack, const char *needle) {
  if (!strstr(haystack, needle)) fail_msg("message \"%s\" lacks \"%s\"", haystack, needle);
}

/* Loads text that must fail with SS_EDATA and a message containing every fragment. */
static void expect_refused(const char *text, const char *frag1, const char *frag2) {
  yc_doc doc;
  ss_err err = {{0}};
  ss_status rc = yc_load_string("t.yaml", text, &doc, &err);
  if (rc != SS_EDATA) fail_msg("status %d for %.80s", rc, text);
  assert_null(doc.root);
  assert_contains(err.msg, frag1);
  if (frag2) assert_contains(err.msg, frag2);
}

/* Writes bytes to a fresh temporary file; returns its path (static buffer). */
static const char *write_temp(const void *bytes, size_t len) {
  static char path[64];
  snprintf(path, sizeof path, "/tmp/servesim_test_yamlXXXXXX");
  int fd = mkstemp(path);
  check_msg(fd >= 0, "mkstemp %s failed", path);
  assert_int_equal(write(fd, bytes, len), (ssize_t)len);
  close(fd);
  return path;
}

static void test_nodes_and_keys_remember_their_lines(void **state) {
  (void)state;
  yc_doc doc;
  ss_err err = {{0}};
  const char *text = "# comment\n"
                     "a: 1\n"
                     "b:\n"
                     "  c: 'two'\n"
                     "  d: [x,\n"
                     "      y]\n"
                     "e:\n"
                     "  - 5\n"
                     "  - {f: 6}\n";
  assert_int_equal(yc_load_string("t.yaml", text, &doc, &err), SS_OK);
  const yc_node *r = doc.root;
  assert_int_equal(r->kind, YC_MAP);
  assert_int_equal(r->n, 3);
  assert_int_equal(r->key_lines[0], 2);
  assert_int_equal(r->key_lines[1], 3);
  const yc_node *b = yc_get(r, "b");
  assert_int_equal(b->kind, YC_MAP);
  assert_int_equal(b->line, 4);
  assert_int_equal(yc_get(b, "c")->line, 4);
  assert_false(yc_get(b, "c")->plain);
  assert_string_equal(yc_get(b, "c")->text, "two");
  const yc_node *d = yc_get(b, "d");
  assert_int_equal(d->kind, YC_SEQ);
  assert_int_equal(d->items[1].line, 6);
  assert_true(d->items[1].plain);
  const yc_node *e = yc_get(r, "e");
  assert_int_equal(e->items[0].line, 8);
  assert_int_equal(yc_get(&e->items[1], "f")->line, 9);
  assert_string_equal(doc.file, "t.yaml");
  yc_free(&doc);
  assert_null(doc.root);
}

static void test_get_finds_only_keys_of_a_mapping(void **state) {
  (void)state;
  yc_doc doc;
  ss_err err = {{0}};
  assert_int_equal(yc_load_string("t", "a: [1, 2]\n", &doc, &err), SS_OK);
  assert_non_null(yc_get(doc.root, "a"));
  assert_null(yc_get(doc.root, "b"));
  assert_null(yc_get(yc_get(doc.root, "a"), "0")); /* a list has no keys */
  assert_null(yc_get(NULL, "a"));
  yc_free(&doc);
  assert_string_equal(yc_kind_name(YC_SEQ), "a list");
}

static void test_aliases_are_copied_into_the_tree(void **state) {
  (void)state;
  yc_doc doc;
  ss_err err = {{0}};
  assert_int_equal(yc_load_string("t", "base: &b {x: 1}\nother: *b\n", &doc, &err), SS_OK);
  assert_string_equal(yc_get(yc_get(doc.root, "other"), "x")->text, "1");
  yc_free(&doc);
}

static void test_duplicate_keys_name_the_full_path_and_both_lines(void **state) {
  (void)state;
  expect_refused("a: 1\nb: 2\na: 3\n", "t.yaml:3: key 'a' appears twice (first on line 1)", NULL);
  expect_refused("outer:\n  inner:\n    k: 1\n    k: 2\n",
                 "t.yaml:4: key 'outer.inner.k' appears twice (first on line 3)", NULL);
  expect_refused("x: {p: 1, p: 1}\n", "key 'x.p' appears twice", NULL);
}

static void test_empty_and_comment_only_documents_are_refused(void **state) {
  (void)state;
  expect_refused("", "t.yaml: the file is empty", NULL);
  expect_refused("# only a comment\n\n   \n", "the file is empty", NULL);
}

static void test_a_second_document_is_refused_not_ignored(void **state) {
  (void)state;
  expect_refused("a: 1\n---\nb: 2\n", "t.yaml:2: a second YAML document", NULL);
  yc_doc doc;
  ss_err err = {{0}};
  assert_int_equal(yc_load_string("t", "---\na: 1\n...\n", &doc, &err), SS_OK); /* explicit markers are fine */
  yc_free(&doc);
}

static void test_invalid_utf8_names_the_line_and_the_byte(void **state) {
  (void)state;
  expect_refused("a: 1\nb: 2\nname: caf\xe9-latin1\n", "t.yaml:3: byte 0xE9", "allowed: UTF-8 text");
  expect_refused("a: 1\nb: \xff\n", "t.yaml:2: byte 0xFF", "invalid leading UTF-8 octet");
  expect_refused("a: \xe2\x82\n", "t.yaml:1: byte 0xE2", "trailing");
  expect_refused("a: 1\n\nb: x\x01y\n", "t.yaml:3: byte 0x01", "control characters");
  yc_doc doc;
  ss_err err = {{0}};
  assert_int_equal(yc_load_string("t", "name: caf\xc3\xa9 \xe2\x82\xac\n", &doc, &err), SS_OK); /* valid UTF-8 */
  assert_string_equal(yc_get(doc.root, "name")->text, "caf\xc3\xa9 \xe2\x82\xac");
  yc_free(&doc);
}

static void test_nul_bytes_in_a_file_are_refused_with_their_line(void **state) {
  (void)state;
  static const char BYTES[] = "a: 1\nb: \"x\0y\"\n";
  const char *path = write_temp(BYTES, sizeof BYTES - 1);
  yc_doc doc;
  ss_err err = {{0}};
  assert_int_equal(yc_load_file(path, &doc, &err), SS_EDATA);
  assert_contains(err.msg, ":2: byte 0x00");
  unlink(path);
}

static void test_tab_indentation_gets_a_hint(void **state) {
  (void)state;
  expect_refused("deployment:\n\tgpu: h100\n", "t.yaml:2: YAML syntax error", "indent with spaces");
}

static void test_syntax_errors_name_where_the_construct_started(void **state) {
  (void)state;
  expect_refused("a: 1\nb: [1, 2\nc: 3\n", "t.yaml:3: YAML syntax error", "that starts on line 2");
  expect_refused("a: 'open\n", "t.yaml:", "YAML syntax error");
  expect_refused("a: *nowhere\n", "t.yaml:1:", "undefined alias");
}

static void test_structural_limits_are_refused(void **state) {
  (void)state;
  expect_refused("? [a, b]\n: 1\n", "t.yaml:1: a mapping key must be a plain name", NULL);
  char deep[400] = "";
  for (int i = 0; i < 70; i++) strcat(deep, "[");
  for (int i = 0; i < 70; i++) strcat(deep, "]");
  expect_refused(deep, "nesting deeper than 64 levels", NULL);
  /* 10^7 nodes if expanded: refused quickly instead of eating memory */
  const char *bomb = "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                     "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                     "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                     "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
  expect_refused(bomb, "aliases expanding too far", NULL);
}

/* 100,000 levels of flow nesting: libyaml's scanner alone takes minutes on it (quadratic in depth);
 * the limit stops the event stream at level 65, before any document is built. */
static void test_deep_nesting_is_refused_before_libyaml_builds_a_document(void **state) {
  (void)state;
  enum { DEEP = 100000 };
  char *deep = malloc(2 * DEEP + 8);
  assert_non_null(deep);
  memcpy(deep, "a:\n b: ", 7);
  memset(deep + 7, '[', DEEP);
  memset(deep + 7 + DEEP, ']', DEEP);
  deep[7 + 2 * DEEP] = '\0';
  expect_refused(deep, "t.yaml:2: nesting deeper than 64 levels", "allowed: at most 64");
  /* the same in block style, one level per line */
  size_t len = 0;
  for (int i = 0; i < 200; i++) len += (size_t)i + 4;
  char *block = malloc(len + 1), *p = block;
  assert_non_null(block);
  for (int i = 0; i < 200; i++) p += sprintf(p, "%*sk:\n", i, "");
  expect_refused(block, "nesting deeper than 64 levels", NULL);
  free(deep), free(block);
}

/* A "billion laughs" of bytes: one 1 MiB scalar aliased 64 times is 64 MiB of text after expansion,
 * few values; refused by the byte budget before the tree copies it. */
static void test_aliases_of_a_large_scalar_are_refused_by_expanded_bytes(void **state) {
  (void)state;
  enum { BIG = 1 << 20 };
  char *text = malloc(BIG + 1024), *p = text;
  assert_non_null(text);
  p += sprintf(p, "a: &big ");
  memset(p, 'x', BIG), p += BIG;
  p += sprintf(p, "\nb: [");
  for (int i = 0; i < 64; i++) p += sprintf(p, "%s*big", i ? ", " : "");
  sprintf(p, "]\n");
  expect_refused(text, "t.yaml:2: the document expands to more than 16777216 bytes of text",
                 "aliases expanding too far?");
  free(text);
}

/* Aliases are counted too: 20,000 uses of a one-character anchor stay within the value budget but
 * are no configuration anyone writes. */
static void test_alias_count_is_limited(void **state) {
  (void)state;
  char *text = malloc(20000 * 5 + 64), *p = text;
  assert_non_null(text);
  p += sprintf(p, "a: &x 1\nb: [");
  for (int i = 0; i < 20000; i++) p += sprintf(p, "%s*x", i ? "," : "");
  sprintf(p, "]\n");
  expect_refused(text, "t.yaml:2: more than 10000 aliases (*name); allowed: at most 10000", NULL);
  free(text);
  /* within the budgets, aliases still expand as before */
  yc_doc doc;
  ss_err err = {{0}};
  assert_int_equal(yc_load_string("t.yaml", "a: &x [1, 2]\nb: [*x, *x]\n", &doc, &err), SS_OK);
  assert_int_equal(yc_get(doc.root, "b")->items[1].n, 2);
  yc_free(&doc);
}

/* Bytes from memory go through the same checks as a file: size cap, encoding, NUL bytes. */
static void test_bytes_are_checked_like_a_file(void **state) {
  (void)state;
  yc_doc doc;
  ss_err err = {{0}};
  assert_int_equal(yc_load_bytes("m.yaml", "a: 1\n", 5, &doc, &err), SS_OK);
  assert_string_equal(yc_get(doc.root, "a")->text, "1");
  yc_free(&doc);
  assert_int_equal(yc_load_bytes("m.yaml", "a: 1\0\nb: 2\n", 12, &doc, &err), SS_EDATA);
  assert_contains(err.msg, "m.yaml:1:");
  size_t big = (4u << 20) + 1;
  char *text = calloc(big, 1);
  assert_non_null(text);
  assert_int_equal(yc_load_bytes("m.yaml", text, big, &doc, &err), SS_EDATA);
  assert_contains(err.msg, "allowed: at most 4194304 bytes");
  free(text);
}

static void test_file_loading_matches_string_loading(void **state) {
  (void)state;
  const char *text = "\xef\xbb\xbf"
                     "a: 1\nb:\n  c: [x, y]\n"; /* with a UTF-8 byte-order mark */
  const char *path = write_temp(text, strlen(text));
  yc_doc f, s;
  ss_err err = {{0}};
  assert_int_equal(yc_load_file(path, &f, &err), SS_OK);
  assert_int_equal(yc_load_string(path, text, &s, &err), SS_OK);
  assert_string_equal(f.file, path);
  char sha[HASH_HEX_LEN];
  hash_hex(text, strlen(text), sha);
  assert_string_equal(f.sha256, sha); /* the content hash of the bytes read, for provenance */
  assert_string_equal(s.sha256, "");  /* a string has no file to hash */
  assert_int_equal(f.root->n, s.root->n);
  assert_string_equal(yc_get(yc_get(f.root, "b"), "c")->items[1].text, "y");
  assert_int_equal(yc_get(f.root, "b")->key_lines[0], 3);
  yc_free(&f);
  yc_free(&s);
  unlink(path);
}

static void test_missing_files_directories_devices_and_fifos_are_missing_input(void **state) {
  (void)state;
  yc_doc doc;
  ss_err err = {{0}};
  assert_int_equal(yc_load_file("/nonexistent/servesim/x.yaml", &doc, &err), SS_ENOINPUT);
  assert_contains(err.msg, "/nonexistent/servesim/x.yaml: cannot open");
  assert_null(doc.root);
  assert_int_equal(yc_load_file("/tmp", &doc, &err), SS_ENOINPUT);
  assert_contains(err.msg, "/tmp: the YAML file is a directory; allowed: a regular file");
  assert_null(doc.root);
  /* an endless device is refused by its type, not read until memory runs out */
  assert_int_equal(yc_load_file("/dev/zero", &doc, &err), SS_ENOINPUT);
  assert_contains(err.msg, "/dev/zero: the YAML file is a character device; allowed: a regular file");
  /* a FIFO without a writer neither hangs the open nor is read */
  char fifo[64];
  snprintf(fifo, sizeof fifo, "/tmp/servesim_test_fifo_%ld", (long)getpid());
  unlink(fifo);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  ss_status rc = yc_load_file(fifo, &doc, &err);
  unlink(fifo);
  assert_int_equal(rc, SS_ENOINPUT);
  assert_contains(err.msg, "is a FIFO (named pipe); allowed: a regular file");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nodes_and_keys_remember_their_lines),
      cmocka_unit_test(test_get_finds_only_keys_of_a_mapping),
      cmocka_unit_test(test_aliases_are_copied_into_the_tree),
      cmocka_unit_test(test_duplicate_keys_name_the_full_path_and_both_lines),
      cmocka_unit_test(test_empty_and_comment_only_documents_are_refused),
      cmocka_unit_test(test_a_second_document_is_refused_not_ignored),
      cmocka_unit_test(test_invalid_utf8_names_the_line_and_the_byte),
      cmocka_unit_test(test_nul_bytes_in_a_file_are_refused_with_their_line),
      cmocka_unit_test(test_tab_indentation_gets_a_hint),
      cmocka_unit_test(test_syntax_errors_name_where_the_construct_started),
      cmocka_unit_test(test_structural_limits_are_refused),
      cmocka_unit_test(test_deep_nesting_is_refused_before_libyaml_builds_a_document),
      cmocka_unit_test(test_aliases_of_a_large_scalar_are_refused_by_expanded_bytes),
      cmocka_unit_test(test_alias_count_is_limited),
      cmocka_unit_test(test_bytes_are_checked_like_a_file),
      cmocka_unit_test(test_file_loading_matches_string_loading),
      cmocka_unit_test(test_missing_files_directories_devices_and_fifos_are_missing_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
