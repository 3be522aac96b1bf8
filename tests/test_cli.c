/* test_cli.c: command-line parsing through the option table: commands, positional inputs, options
 * with and without values, per-command options, numeric bounds, seeds and shards, and usage text. */
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
#include "cli/cli.h"

/* Parses a NULL-terminated argument list (argv[0] = "servesim" is added). */
static ss_status parse_list(cli_args *a, ss_err *err, const char *const *args) {
  char *argv[32] = {"servesim"};
  int argc = 1;
  for (; args[argc - 1] && argc < 31; argc++) argv[argc] = (char *)args[argc - 1];
  memset(err, 0, sizeof *err);
  return cli_parse(argc, argv, a, err);
}
#define parse(a, err, ...) parse_list(a, err, (const char *const[]){__VA_ARGS__})

static void assert_contains(const char *haystack, const char *needle) {
  if (!strstr(haystack, needle)) fail_msg("message \"%s\" lacks \"%s\"", haystack, needle);
}

static void test_commands_and_inputs_are_recognised(void **state) {
  (void)state;
  cli_args a;
  ss_err err;
  assert_int_equal(parse(&a, &err, "run", "s.yaml", "-o", "out.h5", "--set", "deployment.tp=2", "--set=seed=7",
                         "--replicates", "8", "--threads=4", "-q", NULL),
                   SS_OK);
  assert_int_equal(a.cmd, CMD_RUN);
  assert_int_equal(a.n_inputs, 1);
  assert_string_equal(a.inputs[0], "s.yaml");
  assert_string_equal(a.out, "out.h5");
  assert_int_equal(a.n_set, 2);
  assert_string_equal(a.sets[1], "seed=7"); /* only the first '=' splits option from value */
  assert_int_equal(a.replicates, 8);
  assert_int_equal(a.threads, 4);
  assert_true(a.quiet);
  check_nan(a.price);
  assert_false(a.verify);
  assert_string_equal(cli_cmd_name(CMD_LIST), "list");

  assert_int_equal(parse(&a, &err, "merge", "a.h5", "b.h5", "c.h5", "-o", "all.h5", NULL), SS_OK);
  assert_int_equal(a.n_inputs, 3);
  assert_int_equal(parse(&a, &err, "--version", NULL), SS_OK);
  assert_true(a.version);
  assert_int_equal(parse(&a, &err, "help", NULL), SS_OK);
  assert_true(a.help);
  assert_int_equal(
      parse(&a, &err, "estimate", "--gpu", "H100", "--model", "llama-3.1-8b", "--tp", "2", "--price", "2.49", NULL),
      SS_OK);
  assert_string_equal(a.gpu, "H100");
  assert_int_equal(a.tp, 2);
  check_eq(a.price, 2.49);
  assert_int_equal(parse(&a, &err, "run", "--verify", NULL), SS_OK);
  assert_true(a.verify);
  assert_int_equal(parse(&a, &err, "list", "gpus", "--json", NULL), SS_OK);
  assert_true(a.json);
}

static void test_usage_errors_say_what_is_wrong(void **state) {
  (void)state;
  static const struct {
    const char *args[5];
    const char *want;
  } BAD[] = {
      {{NULL}, "no command given"},
      {{"simulate", NULL}, "unknown command 'simulate'; allowed: run, estimate"},
      {{"run", "--frobnicate", NULL}, "run: unknown option '--frobnicate'"},
      {{"list", "--gpu", "h100", NULL}, "option --gpu does not apply to this command"},
      {{"run", "s.yaml", "-o", NULL}, "--output needs a value (FILE)"},
      {{"run", "--quiet=yes", NULL}, "--quiet takes no value"},
      {{"run", "--replicates", "0", NULL}, "--replicates '0': expected a whole number from 1 to 1000000"},
      {{"run", "--replicates", "2.5", NULL}, "expected a whole number"},
      {{"run", "--threads", "lots", NULL}, "--threads 'lots'"},
      {{"estimate", "--price", "-1", NULL}, "--price '-1': expected a number from 0 to 100000"},
      {{"run", "--seed", "-1", NULL}, "--seed '-1'"},
      {{"run", "--seed", "18446744073709551616", NULL}, "from 0 to 18446744073709551615"},
      {{"run", "--shard", "3/2", NULL}, "--shard '3/2': expected i/N, whole numbers with 1 <= i <= N < 2^64"},
      {{"run", "--shard", "1/18446744073709551616", NULL}, "--shard '1/18446744073709551616'"},
      {{"run", "--shard", "-1/2", NULL}, "--shard '-1/2'"},
      {{"run", "--shard", "1/ 2", NULL}, "--shard '1/ 2'"},
      {{"run", "--max-tasks", "0", NULL}, "--max-tasks '0': expected a whole number from 1 to 4294967295"},
      {{"run", "--shard", "1/2x", NULL}, "--shard '1/2x'"},
      {{"run", "--shard", "0/2", NULL}, "--shard '0/2'"},
  };
  size_t tested = 0;
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++, tested++) {
    cli_args a;
    ss_err err;
    ss_status rc = parse_list(&a, &err, BAD[i].args);
    if (rc != SS_EUSAGE) fail_msg("case %zu: status %d, want 64", i, rc);
    assert_contains(err.msg, BAD[i].want);
  }
  check_min_cases(tested, 15);
  cli_args a;
  ss_err err;
  assert_int_equal(parse(&a, &err, "estimate", "--verify", NULL), SS_EUSAGE); /* run only */
  assert_contains(err.msg, "does not apply");
}

static void test_seeds_take_all_64_bits_and_shards_their_slice(void **state) {
  (void)state;
  cli_args a;
  ss_err err;
  assert_int_equal(parse(&a, &err, "run", "--seed", "18446744073709551615", "--shard", "2/8", NULL), SS_OK);
  assert_true(a.seed_given);
  assert_int_equal(a.seed, UINT64_MAX);
  assert_int_equal(a.shard_index, 2);
  assert_int_equal(a.shard_count, 8);
  assert_int_equal(parse(&a, &err, "run", "--seed", "0", NULL), SS_OK);
  assert_true(a.seed_given);
  assert_int_equal(a.seed, 0);
  assert_int_equal(parse(&a, &err, "run", NULL), SS_OK);
  assert_false(a.seed_given);
  assert_int_equal(a.shard_count, 0);
  /* a count beyond 32 bits is kept whole, never wrapped to a small one (the study then refuses it) */
  assert_int_equal(parse(&a, &err, "run", "--shard", "3/4294967298", NULL), SS_OK);
  assert_int_equal(a.shard_index, 3);
  assert_true(a.shard_count == 4294967298ull);
  assert_int_equal(parse(&a, &err, "run", "--shard", "18446744073709551615/18446744073709551615", NULL), SS_OK);
  assert_true(a.shard_index == UINT64_MAX && a.shard_count == UINT64_MAX);
}

static void test_usage_lists_only_the_options_of_the_command(void **state) {
  (void)state;
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  cli_usage(f, CMD_ESTIMATE);
  fclose(f);
  assert_contains(text, "usage: servesim estimate");
  assert_contains(text, "--gpu G");
  assert_null(strstr(text, "--shard"));
  free(text);
  f = open_memstream(&text, &len);
  cli_usage(f, CMD_NONE);
  fclose(f);
  for (int c = CMD_RUN; c < CMD_COUNT; c++) assert_contains(text, cli_cmd_name((cli_cmd)c));
  assert_contains(text, "65 bad data");
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_commands_and_inputs_are_recognised),
      cmocka_unit_test(test_usage_errors_say_what_is_wrong),
      cmocka_unit_test(test_seeds_take_all_64_bits_and_shards_their_slice),
      cmocka_unit_test(test_usage_lists_only_the_options_of_the_command),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
