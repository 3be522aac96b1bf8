/* test_import_trace.c: public trace formats read into servesim traces: arrivals in time order from
 * 0, failed requests dropped and counted, time scaling, windows and limits, format detection, and
 * errors that name the file, line, column and value (tests/import/README.md lists the samples). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include "config/datafile.h"
#include "io/import_trace.h"

#define SAMPLE(f) SERVESIM_TEST_DIR "/import/" f

static void read_ok(const char *path, const import_trace_opts *o, sim_trace *tr, import_trace_summary *s) {
  ss_err err = {{0}};
  if (import_trace_read(path, o, tr, s, &err)) fail_msg("%s: %s", path, err.msg);
}

static void expect_rows(const sim_trace *tr, size_t n, const double *t, const uint32_t *in, const uint32_t *out) {
  assert_int_equal(tr->n, n);
  for (size_t i = 0; i < n; i++) {
    check_near(tr->t_s[i], t[i], 1e-6);
    check_eq(tr->in[i], in[i]);
    check_eq(tr->out[i], out[i]);
  }
}

static void test_azure_rows_are_sorted_shifted_to_zero_and_cross_midnight(void **state) {
  (void)state;
  import_trace_opts o = {0};
  sim_trace tr;
  import_trace_summary s;
  read_ok(SAMPLE("azure.csv"), &o, &tr, &s);
  assert_string_equal(s.format, "azure"); /* detected from the header */
  assert_int_equal(s.rows_read, 5);
  assert_int_equal(s.rows_skipped, 1); /* 0 generated tokens */
  expect_rows(&tr, 4, (const double[]){0, 0.75, 1.5, 5.0}, (const uint32_t[]){300, 50, 1200, 64},
              (const uint32_t[]){40, 200, 7, 64});
  check_eq(tr.max_total, 1207u);
  check_near(s.span_s, 5.0, 1e-6);
  import_trace_free(&tr);
}

static void test_time_scale_window_and_limit_apply_in_that_order(void **state) {
  (void)state;
  import_trace_opts o = {.time_scale = 0.5, .start_s = 0.5, .duration_s = 1.2};
  sim_trace tr;
  import_trace_summary s;
  read_ok(SAMPLE("azure.csv"), &o, &tr, &s); /* window [0.5, 1.7) s after the first: 0.75 and 1.5 */
  expect_rows(&tr, 2, (const double[]){0, 0.375}, (const uint32_t[]){50, 1200}, (const uint32_t[]){200, 7});
  import_trace_free(&tr);
  o = (import_trace_opts){.limit = 2};
  read_ok(SAMPLE("azure.csv"), &o, &tr, &s);
  assert_int_equal(tr.n, 2);
  assert_int_equal(s.rows_written, 2);
  import_trace_free(&tr);
}

static void test_burstgpt_keeps_its_three_columns_among_others_and_drops_failures(void **state) {
  (void)state;
  import_trace_opts o = {.format = "burstgpt"};
  sim_trace tr;
  import_trace_summary s;
  read_ok(SAMPLE("burstgpt.csv"), &o, &tr, &s);
  assert_int_equal(s.rows_skipped, 1);
  expect_rows(&tr, 3, (const double[]){0, 2, 7}, (const uint32_t[]){420, 1000, 88}, (const uint32_t[]){95, 250, 12});
  import_trace_free(&tr);
}

static void test_mooncake_milliseconds_become_seconds(void **state) {
  (void)state;
  import_trace_opts o = {0};
  sim_trace tr;
  import_trace_summary s;
  read_ok(SAMPLE("mooncake.jsonl"), &o, &tr, &s);
  assert_string_equal(s.format, "mooncake");
  expect_rows(&tr, 4, (const double[]){0, 0, 1.5, 2.25}, (const uint32_t[]){5000, 700, 2100, 90},
              (const uint32_t[]){20, 300, 45, 9});
  import_trace_free(&tr);
}

static void test_vllm_results_give_lengths_and_arrivals_only_when_saved(void **state) {
  (void)state;
  import_trace_opts o = {0};
  sim_trace tr;
  import_trace_summary s;
  ss_err err = {{0}};
  read_ok(SAMPLE("vllm_burst.json"), &o, &tr, &s); /* request_rate inf: every request at 0 */
  assert_int_equal(s.rows_skipped, 1);             /* "Bad Request" (and its 0 output tokens) */
  expect_rows(&tr, 3, (const double[]){0, 0, 0}, (const uint32_t[]){128, 256, 1024}, (const uint32_t[]){64, 32, 16});
  import_trace_free(&tr);
  read_ok(SAMPLE("vllm_start_times.json"), &o, &tr, &s);
  expect_rows(&tr, 3, (const double[]){0, 0.5, 2.25}, (const uint32_t[]){200, 100, 300},
              (const uint32_t[]){20, 10, 30});
  import_trace_free(&tr);
  assert_int_equal(import_trace_read(SAMPLE("vllm_rate.json"), &o, &tr, &s, &err), SS_EDATA);
  check_msg(strstr(err.msg, "request_rate") && strstr(err.msg, "start_times"), "%s", err.msg);
}

static void test_errors_name_the_column_line_and_value(void **state) {
  (void)state;
  static const struct {
    const char *file, *format, *want;
  } BAD[] = {
      {"azure_bad_column.csv", "azure",
       "azure_bad_column.csv:1: no column 'ContextTokens' in the header ('TIMESTAMP', "
       "'Context', 'GeneratedTokens')"},
      {"azure_bad_value.csv", NULL,
       "azure_bad_value.csv:3: column 'GeneratedTokens': value '12x' is not a whole number"},
      {"azure.csv", "burstgpt", "no column 'Timestamp'"},
      {"azure.csv", "sharegpt",
       "trace format 'sharegpt' is unknown; allowed: servesim, azure, burstgpt, mooncake, vllm"},
      {"burstgpt.csv", "mooncake", "burstgpt.csv:1: bad JSON"},
      {"hf/mla.json", NULL, "no key 'input_lens'"},
  };
  size_t n = 0;
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++, n++) {
    char path[512];
    import_trace_opts o = {.format = BAD[i].format};
    sim_trace tr;
    import_trace_summary s;
    ss_err err = {{0}};
    snprintf(path, sizeof path, "%s", SAMPLE(""));
    strncat(path, BAD[i].file, sizeof path - strlen(path) - 1);
    check_msg(import_trace_read(path, &o, &tr, &s, &err) != SS_OK, "%s accepted", BAD[i].file);
    check_msg(strstr(err.msg, BAD[i].want) != NULL, "%s: '%s' lacks '%s'", BAD[i].file, err.msg, BAD[i].want);
  }
  check_min_cases(n, 6);
}

/* What import_trace writes, the scenario's trace reader reads back row for row. */
static void test_written_csv_reads_back_through_the_scenario_trace_reader(void **state) {
  (void)state;
  char out[] = "/tmp/servesim-import-XXXXXX";
  int fd = mkstemp(out);
  assert_true(fd >= 0);
  close(fd);
  import_trace_opts o = {.time_scale = 2};
  import_trace_summary s;
  sim_trace tr;
  datafile f;
  ss_err err = {{0}};
  read_ok(SAMPLE("mooncake.jsonl"), &o, &tr, &s);
  if (import_trace(SAMPLE("mooncake.jsonl"), &o, out, &s, &err)) fail_msg("%s", err.msg);
  if (datafile_load_trace(out, &f, &err)) fail_msg("%s", err.msg);
  expect_rows(&f.trace, tr.n, tr.t_s, tr.in, tr.out);
  datafile_free(&f);
  import_trace_free(&tr);
  unlink(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_azure_rows_are_sorted_shifted_to_zero_and_cross_midnight),
      cmocka_unit_test(test_time_scale_window_and_limit_apply_in_that_order),
      cmocka_unit_test(test_burstgpt_keeps_its_three_columns_among_others_and_drops_failures),
      cmocka_unit_test(test_mooncake_milliseconds_become_seconds),
      cmocka_unit_test(test_vllm_results_give_lengths_and_arrivals_only_when_saved),
      cmocka_unit_test(test_errors_name_the_column_line_and_value),
      cmocka_unit_test(test_written_csv_reads_back_through_the_scenario_trace_reader),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
