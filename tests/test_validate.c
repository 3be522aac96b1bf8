/* test_validate.c: every case is predicted or skipped with a reason; the single and static handlers;
 * the simulator plug-in point; and a regression guard on the calibration error. */
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
#include "study/validate.h"
#include "validation/fixture.h"

/* Median |error| reached by tools/calibrate.py (see results/validation.md), plus a small margin. */
#define SINGLE_MEDIAN_GUARD_PCT    9.0  /* reached 7.0% on the 12 single rows */
#define ANALYTIC_MEDIAN_GUARD_PCT  10.0 /* reached 7.3% on the 57 throughput rows with --analytic */
#define ANALYTIC_LATENCY_GUARD_PCT 16.0 /* reached 8.5% on the 14 TGI closed-loop rows with --analytic */

static void every_calibration_row_is_predicted_or_skipped_with_reason(void **state) {
  validate_report r;
  ss_err err;
  (void)state;
  assert_int_equal(NCASES, 81);
  assert_int_equal(validate_run(&DB, CASES, NCASES, NULL, &r, &err), SS_OK);
  assert_int_equal(r.n, 81);
  size_t predicted = 0;
  for (size_t i = 0; i < r.n; i++) {
    const validate_row *w = &r.rows[i];
    if (!w->skipped) {
      predicted++;
      assert_string_equal(w->c.mode, "single");
      check_finite(w->predicted);
      check_gt(w->predicted, 0);
    } else {
      check_msg(strstr(w->reason, "needs the event simulator"), "%s skipped for another reason: '%s'", w->c.id,
                w->reason);
    }
  }
  assert_int_equal(predicted, 12);
  validate_free(&r);
}

static void single_rows_median_error_stays_within_guard(void **state) {
  validate_report r;
  ss_err err;
  (void)state;
  assert_int_equal(validate_run(&DB, CASES, NCASES, NULL, &r, &err), SS_OK);
  validate_stat s = validate_summary(&r, NULL, NULL, "single", -1);
  assert_int_equal(s.n, 12);
  check_le(s.median_abs_pct, SINGLE_MEDIAN_GUARD_PCT);
  validate_free(&r);
}

static void analytic_median_errors_stay_within_guard(void **state) {
  validate_report r;
  ss_err err;
  validate_opts o = {.analytic = true};
  (void)state;
  assert_int_equal(validate_run(&DB, CASES, NCASES, &o, &r, &err), SS_OK);
  validate_stat s = validate_summary(&r, NULL, NULL, NULL, VALIDATE_THROUGHPUT);
  assert_int_equal(s.n, 57);
  check_le(s.median_abs_pct, ANALYTIC_MEDIAN_GUARD_PCT);
  s = validate_summary(&r, NULL, NULL, "closed", VALIDATE_LATENCY);
  assert_int_equal(s.n, 14);
  check_le(s.median_abs_pct, ANALYTIC_LATENCY_GUARD_PCT);
  size_t approximated = 0;
  for (size_t i = 0; i < r.n; i++)
    if (!r.rows[i].skipped && strcmp(r.rows[i].c.mode, "single")) {
      check_msg(r.rows[i].approximate, "%s (%s) is not marked approximate", r.rows[i].c.id, r.rows[i].c.mode);
      approximated++;
    }
  check_min_cases(approximated, 57); /* at least every analytic throughput row */
  validate_free(&r);
}

static bool fake_sim(const validate_env *env, double pred[VM_COUNT], char *reason, size_t len) {
  (void)reason, (void)len;
  pred[VM_output_tok_s] = env->c->value; /* a perfect simulator */
  pred[VM_tpot_s_p50] = env->c->value;
  return true;
}

static void simulator_plugs_into_the_mode_table(void **state) {
  validate_report r;
  ss_err err;
  validate_opts o = {.sim = fake_sim};
  (void)state;
  assert_int_equal(validate_run(&DB, CASES, NCASES, &o, &r, &err), SS_OK);
  size_t via_sim = 0;
  for (size_t i = 0; i < r.n; i++)
    if (!r.rows[i].skipped && strcmp(r.rows[i].c.mode, "single")) {
      via_sim++;
      assert_false(r.rows[i].approximate);
      check_near(r.rows[i].error_pct, 0, 1e-9);
    }
  check_min_cases(via_sim, 60); /* all offline, closed and poisson rows that fit, except the cost rows */
  validate_free(&r);
}

static ss_status load_text(const char *text, validate_case **c, size_t *n, ss_err *err) {
  char path[] = "/tmp/servesim_test_validate_XXXXXX";
  int fd = mkstemp(path);
  check_msg(fd >= 0, "mkstemp %s failed", path);
  FILE *f = fdopen(fd, "w");
  fputs(text, f);
  fclose(f);
  ss_status rc = validate_load(path, c, n, err);
  remove(path);
  return rc;
}

static void static_batch_of_one_matches_single_stream(void **state) {
  validate_case *c;
  size_t n;
  validate_report r;
  ss_err err;
  (void)state;
  assert_int_equal(load_text("id,gpu,gpus,tp,model,weights,kv,engine,mode,load,input_len,output_len,metric,value\n"
                             "s1,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,single,1,100,200,tpot_s_mean,0.01\n"
                             "b1,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,static,1,100,200,tpot_s_mean,0.01\n"
                             "b8,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,static,8,100,200,output_tok_s,1000\n"
                             "b1x,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,static,1,100,200,output_tok_s,100\n"
                             "huge,l4-24gb,1,1,llama-3.1-8b,fp16,fp16,vllm,static,5000,4000,4000,output_tok_s,1\n"
                             "over,h200-sxm-141gb,1,1,llama-2-13b,fp8,fp8,trtllm,static,1150,128,128,output_tok_s,1\n",
                             &c, &n, &err),
                   SS_OK);
  assert_int_equal(validate_run(&DB, c, n, NULL, &r, &err), SS_OK);
  for (size_t i = 0; i < 4; i++) check_msg(!r.rows[i].skipped, "%s skipped: %s", r.rows[i].c.id, r.rows[i].reason);
  check_near(r.rows[0].predicted, r.rows[1].predicted, 0.02 * r.rows[0].predicted);
  check_gt(r.rows[2].predicted, 4 * r.rows[3].predicted); /* batching amortises the weights */
  assert_true(r.rows[4].skipped);                         /* 5000 x 8000 tokens need more KV than an L4 has at all */
  check_msg(strstr(r.rows[4].reason, "more than the"), "reason: %s", r.rows[4].reason);
  /* beyond TRT-LLM's 0.9 of free memory but inside the GPU: the source ran it, so it is predicted, with a note */
  check_msg(!r.rows[5].skipped, "over skipped: %s", r.rows[5].reason);
  check_msg(strstr(r.rows[5].note, "beyond the profile's KV budget"), "note: '%s'", r.rows[5].note);
  validate_free(&r);
  free(c);
}

/* validate states the band of each row from hwdb's model-error rows and counts how many measured values
 * fall inside: here two rows measured just inside the band of their prediction and one just outside. */
static void validate_reports_how_many_rows_fall_inside_their_band(void **state) {
  validate_case *c;
  size_t n;
  validate_report r;
  ss_err err;
  (void)state;
  assert_int_equal(load_text("id,gpu,gpus,tp,model,weights,kv,engine,mode,load,input_len,output_len,metric,value\n"
                             "in,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,single,1,100,200,decode_tok_s_b1,1\n"
                             "lo,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,single,1,100,200,tpot_s_mean,1\n"
                             "out,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,single,1,100,200,ttft_s_mean,1\n",
                             &c, &n, &err),
                   SS_OK);
  hwdb db = DB;
  model_error me[2] = {{.q10 = log(0.9), .q90 = log(1.2)}, {.q10 = log(0.8), .q90 = log(1.1)}};
  for (int k = 0; k < 2; k++) {
    snprintf(me[k].kind, sizeof me[k].kind, "%s", k ? "latency" : "throughput");
    snprintf(me[k].gpus[0], sizeof me[k].gpus[0], "h100-sxm-80gb"), me[k].n_gpus = 1;
    snprintf(me[k].engines[0], sizeof me[k].engines[0], "vllm"), me[k].n_engines = 1;
    snprintf(me[k].weights[0], sizeof me[k].weights[0], "fp16"), me[k].n_weights = 1;
  }
  db.items[HWDB_MODEL_ERROR] = me, db.n[HWDB_MODEL_ERROR] = 2;
  assert_int_equal(validate_run(&db, c, n, NULL, &r, &err), SS_OK);
  c[0].value = 1.19 * r.rows[0].predicted; /* throughput band 0.9-1.2: inside */
  c[1].value = 0.81 * r.rows[1].predicted; /* latency band 0.8-1.1: inside */
  c[2].value = 1.12 * r.rows[2].predicted; /* outside */
  validate_free(&r);
  assert_int_equal(validate_run(&db, c, n, NULL, &r, &err), SS_OK);
  size_t banded, inside;
  validate_coverage(&r, -1, &banded, &inside);
  assert_int_equal(banded, 3);
  assert_int_equal(inside, 2);
  assert_true(r.rows[0].inside && r.rows[1].inside && !r.rows[2].inside);
  validate_coverage(&r, VALIDATE_LATENCY, &banded, &inside);
  assert_int_equal(banded, 2);
  validate_free(&r);
  assert_int_equal(validate_run(&DB, c, n, NULL, &r, &err), SS_OK); /* no model-error rows: no bands */
  validate_coverage(&r, -1, &banded, &inside);
  assert_int_equal(banded, 0);
  validate_free(&r);
  free(c);
}

static void bad_case_file_names_line_and_column(void **state) {
  validate_case *c;
  size_t n;
  ss_err err;
  (void)state;
  assert_int_equal(load_text("id,gpu,gpus,tp,model,weights,kv,engine,mode,load,input_len,metric,value\n", &c, &n, &err),
                   SS_EDATA);
  check_msg(strstr(err.msg, "output_len"), "message: %s", err.msg);
  assert_int_equal(load_text("id,gpu,gpus,tp,model,weights,kv,engine,mode,load,input_len,output_len,metric,value\n"
                             "x,h100,one,1,m,fp16,fp16,vllm,single,1,1,1,decode_tok_s_b1,1\n",
                             &c, &n, &err),
                   SS_EDATA);
  check_msg(strstr(err.msg, ":2: column 'gpus'"), "message: %s", err.msg);
}

#define CASE_HEADER "id,gpu,gpus,tp,model,weights,kv,engine,mode,load,input_len,output_len,metric,value"
#define CASE_ROW    "s1,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,single,1,100,200,tpot_s_mean,0.01"

/* The same one-row file however it was saved: a byte-order mark, CRLF or lone-CR line ends, quotes. */
static void case_files_read_the_same_whatever_the_line_ends_bom_or_quotes(void **state) {
  (void)state;
  static const char *const SAVED[] = {
      CASE_HEADER "\n" CASE_ROW "\n",
      "\xef\xbb\xbf" CASE_HEADER "\r\n" CASE_ROW "\r\n",
      CASE_HEADER "\r" CASE_ROW "\r", /* CR-only: one row, not zero */
      CASE_HEADER "\n\"s1\",\"h100-sxm-80gb\",1,1,llama-3.1-8b,fp16,fp16,vllm,single,\"1\",100,200,tpot_s_mean,0.01\n",
      "# measured on 2026-01-01\n" CASE_HEADER "\n\n" CASE_ROW "\n\n",
  };
  for (size_t i = 0; i < sizeof SAVED / sizeof SAVED[0]; i++) {
    validate_case *c = NULL;
    size_t n = 0;
    ss_err err = {{0}};
    ss_status rc = validate_parse("t.csv", SAVED[i], strlen(SAVED[i]), &c, &n, &err);
    check_msg(rc == SS_OK && n == 1, "file %zu: status %d, %zu rows: %s", i, rc, n, err.msg);
    assert_string_equal(c[0].id, "s1");
    check_eq(c[0].value, 0.01);
    free(c);
  }
}

/* Every malformed case file is refused with its line and what is allowed, never read as shifted or
 * partial data. */
static void malformed_case_files_are_refused_with_line_and_reason(void **state) {
  (void)state;
  static const struct {
    const char *text, *want;
  } BAD[] = {
      {"", "t.csv: empty file; expected a header line"},
      {CASE_HEADER "\n", "t.csv: a header but no case rows"},
      {CASE_HEADER ",value\n" CASE_ROW ",1\n", "t.csv:1: column 'value' appears twice (fields 14 and 15)"},
      {CASE_HEADER ",source\n" CASE_ROW ",x\n", "t.csv:1: header field 15 'source' is not a column; allowed: id,gpu"},
      {CASE_HEADER ",input_sigam\n" CASE_ROW ",0.5\n", "header field 15 'input_sigam' is not a column"},
      {CASE_HEADER "\n" CASE_ROW ",extra\n", "t.csv:2: 15 fields, the header has 14 (a number written with a "
                                             "thousands separator, like 1,000, splits in two: write 1000)"},
      {CASE_HEADER "\ns1,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,offline,1,000,100,200,output_tok_s,1\n",
       "t.csv:2: 15 fields, the header has 14"},
      {CASE_HEADER "\ns1,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,single,1,100\n", "t.csv:2: 11 fields, the "
                                                                                        "header has 14"},
      {CASE_HEADER "\ns1,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,offline,\"1,000\",100,200,output_tok_s,1\n",
       "t.csv:2: column 'load': '1,000' is not a number from 0 to 1e+09 (write numbers without thousands separators)"},
      {CASE_HEADER "\ns1,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,single,1,1e308,200,tpot_s_mean,0.01\n",
       "t.csv:2: column 'input_len': '1e308' is not a number from 0 to 1e+07"},
      {CASE_HEADER "\ns1,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,single,1,100,200,tpot_s_mean,0\n",
       "t.csv:2: column 'value': '0' is not a number above 0 and at most 1e+15"},
      {CASE_HEADER "\ns1,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,single,1,100,200,tpot_s_mean,inf\n",
       "t.csv:2: column 'value': 'inf' is not a number"},
      {CASE_HEADER "\ns1,h100-sxm-80gb,4294967297,1,llama-3.1-8b,fp16,fp16,vllm,single,1,100,200,tpot_s_mean,1\n",
       "t.csv:2: column 'gpus': '4294967297' is not a whole number from 1 to 65536"},
      {CASE_HEADER "\n\"s1,h100-sxm-80gb,1,1,llama-3.1-8b\n",
       "t.csv:2: field 1: the quote opened here is never closed"},
  };
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
    validate_case *c = NULL;
    size_t n = 0;
    ss_err err = {{0}};
    ss_status rc = validate_parse("t.csv", BAD[i].text, strlen(BAD[i].text), &c, &n, &err);
    check_msg(rc == SS_EDATA && strstr(err.msg, BAD[i].want), "case %zu: status %d, message '%s' (want '%s')", i, rc,
              err.msg, BAD[i].want);
    assert_null(c);
  }
  check_min_cases(sizeof BAD / sizeof BAD[0], 14);
  /* only a regular file is read: a device never */
  validate_case *c = NULL;
  size_t n = 0;
  ss_err err = {{0}};
  assert_int_equal(validate_load("/dev/zero", &c, &n, &err), SS_ENOINPUT);
  check_msg(strstr(err.msg, "/dev/zero: the case file is a character device; allowed: a regular file"), "%s", err.msg);
}

/* Lengths beyond the model's context are skipped with the reason (their step loops would never end
 * at 1e308 tokens; 4.29e9 took 75 s), as is a row whose prediction is not finite. */
static void rows_beyond_the_context_are_skipped_with_the_reason(void **state) {
  (void)state;
  const char *text =
      CASE_HEADER "\n"
                  "long,h100-sxm-80gb,1,1,llama-3.1-8b,fp16,fp16,vllm,single,1,9000000,200,tpot_s_mean,1\n"
                  "l2,h100-sxm-80gb,1,1,llama-2-7b,fp16,fp16,vllm,static,1,4000,200,output_tok_s,1\n";
  validate_case *c = NULL;
  size_t n = 0;
  validate_report r;
  ss_err err = {{0}};
  assert_int_equal(validate_parse("t.csv", text, strlen(text), &c, &n, &err), SS_OK);
  assert_int_equal(validate_run(&DB, c, n, NULL, &r, &err), SS_OK);
  assert_true(r.rows[0].skipped && r.rows[1].skipped);
  check_msg(strstr(r.rows[0].reason, "input 9000000 + output 200 tokens exceed the context of llama-3.1-8b (131072)"),
            "reason: %s", r.rows[0].reason);
  check_msg(strstr(r.rows[1].reason, "exceed the context of llama-2-7b (4096)"), "reason: %s", r.rows[1].reason);
  validate_free(&r);
  free(c);
}

/* A row's `set` may split the model into pipeline stages: the memory check counts each stage's share
 * (70B in fp16 is 141 GB: it fits two 141 GB GPUs only as two stages), and the stages are not replicas
 * (gpus / (tp x pp) of them, unless `set` says). */
static void a_pipeline_split_set_by_the_row_is_kept_outside_batch_one(void **state) {
  (void)state;
  const char *text =
      CASE_HEADER ",set\n"
                  "pp2,h200-sxm-141gb,2,1,llama-3.1-70b,fp16,fp16,vllm,offline,64,512,256,output_tok_s,1,"
                  "deployment.pp=2;deployment.replicas=1\n"
                  "pp1,h200-sxm-141gb,2,1,llama-3.1-70b,fp16,fp16,vllm,offline,64,512,256,output_tok_s,1,\n"
                  "pp2r,h200-sxm-141gb,2,1,llama-3.1-70b,fp16,fp16,vllm,offline,64,512,256,output_tok_s,1,"
                  "deployment.pp=2\n";
  validate_case *c = NULL;
  size_t n = 0;
  validate_report r;
  validate_opts o = {.analytic = true};
  ss_err err = {{0}};
  assert_int_equal(validate_parse("t.csv", text, strlen(text), &c, &n, &err), SS_OK);
  assert_int_equal(validate_run(&DB, c, n, &o, &r, &err), SS_OK);
  check_msg(!r.rows[0].skipped && r.rows[0].predicted > 0, "pp2 skipped: %s", r.rows[0].reason);
  check_msg(r.rows[1].skipped && strstr(r.rows[1].reason, "GB"), "pp1 reason: %s", r.rows[1].reason);
  /* without replicas in `set`, gpus / (tp x pp) is the replica count: the same one replica */
  check_msg(!r.rows[2].skipped && r.rows[2].predicted == r.rows[0].predicted, "pp2r: %g vs %g (%s)",
            r.rows[2].predicted, r.rows[0].predicted, r.rows[2].reason);
  validate_free(&r);
  free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(case_files_read_the_same_whatever_the_line_ends_bom_or_quotes),
      cmocka_unit_test(malformed_case_files_are_refused_with_line_and_reason),
      cmocka_unit_test(rows_beyond_the_context_are_skipped_with_the_reason),
      cmocka_unit_test(a_pipeline_split_set_by_the_row_is_kept_outside_batch_one),
      cmocka_unit_test(every_calibration_row_is_predicted_or_skipped_with_reason),
      cmocka_unit_test(single_rows_median_error_stays_within_guard),
      cmocka_unit_test(analytic_median_errors_stay_within_guard),
      cmocka_unit_test(simulator_plugs_into_the_mode_table),
      cmocka_unit_test(static_batch_of_one_matches_single_stream),
      cmocka_unit_test(bad_case_file_names_line_and_column),
      cmocka_unit_test(validate_reports_how_many_rows_fall_inside_their_band),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
