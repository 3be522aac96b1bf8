/* test_h5out.c: the HDF5 schema round trip (every value back bit for bit, logs included), units
 * and long_name on every dataset, dimension scales, parts and merge (refusals name the files),
 * and the write discipline: PATH.tmp then rename, SS_ECREATE when the directory is unusable. */
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
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

#include "io/h5out.h"
#include "io/merge.h"
#include "study/study.h"

static char dir[] = "/tmp/servesim_test_h5out_XXXXXX";
static char *file_in_dir(const char *name) { /* test-local path helper: returns a malloc'd path */
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

static bool exists(const char *path) { return access(path, F_OK) == 0; }

static void make_study(study *st, size_t P, size_t R, bool logs, uint64_t seed) {
  memset(st, 0, sizeof *st);
  snprintf(st->name, sizeof st->name, "unit-study");
  st->seed = seed;
  st->config_yaml = strdup("name: unit-study\nnote: \"UTF-8 survives: \xc3\xa9\xc3\xbc \xe2\x82\xac\"\n");
  st->n_axes = 2, st->n_inputs = 1;
  snprintf(st->axes[0].key, STUDY_KEY_LEN, "workload.arrival.rate_per_s");
  snprintf(st->axes[0].units, STUDY_UNITS_LEN, "1/s");
  snprintf(st->axes[1].key, STUDY_KEY_LEN, "deployment.engine");
  st->axes[1].is_text = true;
  snprintf(st->inputs[0].key, STUDY_KEY_LEN, "efficiency.hbm");
  snprintf(st->inputs[0].units, STUDY_UNITS_LEN, "1");
  ss_err err = {{0}};
  assert_int_equal(study_alloc(st, P, R, logs, &err), SS_OK);
  st->log_requests = st->log_timeseries = logs;
  st->shard_index = st->shard_count = 1, st->task_lo = 0, st->task_hi = P * R;
  for (size_t p = 0; p < P; p++) {
    st->axes[0].num[p] = 0.5 + (double)p;
    snprintf(st->axes[1].text[p], STUDY_TEXT_LEN, "engine-%zu", p);
  }
  for (size_t t = 0; t < P * R; t++) {
    st->inputs[0].value[t] = 0.7 + 0.001 * (double)(t % R);
    for (int m = 0; m < RM_COUNT; m++) st->res[t].v[m] = (m == RM_e2e_p99_s && t % 2) ? NAN : (double)t * 100 + m + 1.0 / 3;
    st->res[t].v[RM_saturated] = t % 4 == 3;
    st->slo_met[t] = t % 2;
    if (!logs) continue;
    sim_log *l = &st->logs[t];
    l->n_req = l->cap_req = t % 3, l->n_ts = l->cap_ts = 2;
    l->req = calloc(3, sizeof *l->req), l->ts = calloc(2, sizeof *l->ts);
    for (size_t i = 0; i < l->n_req; i++)
      l->req[i] = (sim_request_row){.arrival_s = (double)t + 0.1 * (double)i, .first_token_s = NAN, .finish_s = 2.5,
                                    .input_tokens = 100 + (uint32_t)i, .output_tokens = 7,
                                    .replica = (uint32_t)t % 2, .preemptions = 1, .sched_s = NAN};
    for (size_t i = 0; i < 2; i++) l->ts[i] = (sim_ts_row){10.0 * (double)i, (double)t, 1, 0.25};
  }
  study_summarise(st);
}

static void assert_same_data(const study *a, const study *b) {
  size_t n = study_tasks(a);
  assert_int_equal(a->n_points, b->n_points);
  assert_int_equal(a->n_reps, b->n_reps);
  assert_true(a->seed == b->seed);
  assert_string_equal(a->config_yaml, b->config_yaml);
  assert_string_equal(a->name, b->name);
  assert_int_equal(a->n_axes, b->n_axes);
  for (size_t i = 0; i < a->n_axes; i++) {
    assert_string_equal(a->axes[i].key, b->axes[i].key);
    assert_string_equal(a->axes[i].units, b->axes[i].units);
    assert_int_equal(a->axes[i].is_text, b->axes[i].is_text);
    for (size_t p = 0; p < a->n_points; p++) {
      if (a->axes[i].is_text) assert_string_equal(a->axes[i].text[p], b->axes[i].text[p]);
      else assert_memory_equal(&a->axes[i].num[p], &b->axes[i].num[p], sizeof(double));
    }
  }
  assert_int_equal(a->n_inputs, b->n_inputs);
  for (size_t i = 0; i < a->n_inputs; i++) assert_memory_equal(a->inputs[i].value, b->inputs[i].value, n * sizeof(double));
  assert_memory_equal(a->res, b->res, n * sizeof *a->res);
  assert_memory_equal(a->slo_met, b->slo_met, n * sizeof *a->slo_met);
  assert_int_equal(a->logs != NULL, b->logs != NULL);
  for (size_t t = 0; a->logs && t < n; t++) {
    assert_int_equal(a->logs[t].n_req, b->logs[t].n_req);
    assert_int_equal(a->logs[t].n_ts, b->logs[t].n_ts);
    if (a->logs[t].n_req) assert_memory_equal(a->logs[t].req, b->logs[t].req, a->logs[t].n_req * sizeof *a->logs[t].req);
    assert_memory_equal(a->logs[t].ts, b->logs[t].ts, a->logs[t].n_ts * sizeof *a->logs[t].ts);
  }
}

static char *write_study(const study *st, const char *name) {
  char *path = file_in_dir(name);
  char *argv[] = {"servesim", "run", "x y.yaml"};
  ss_err err = {{0}};
  if (h5out_write(st, path, 3, argv, &err)) fail_msg("%s", err.msg);
  return path;
}

static void test_write_then_read_gives_back_every_value_bit_for_bit(void **state) {
  (void)state;
  study st, back;
  make_study(&st, 3, 4, true, UINT64_MAX - 6); /* a seed that needs all 64 bits */
  char *path = write_study(&st, "roundtrip.h5");
  ss_err err = {{0}};
  if (merge_read(path, &back, &err)) fail_msg("%s", err.msg);
  assert_same_data(&st, &back);
  study_free(&st), study_free(&back), free(path);
}

static herr_t check_labels(hid_t obj, const char *name, const H5O_info_t *info, void *data) {
  if (info->type != H5O_TYPE_DATASET) return 0;
  hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
  if (H5Aexists(d, "units") <= 0 || H5Aexists(d, "long_name") <= 0) print_error("dataset %s lacks units or long_name\n", name), ++*(int *)data;
  H5Dclose(d);
  return 0;
}

static void test_every_dataset_carries_units_and_long_name(void **state) {
  (void)state;
  study st;
  make_study(&st, 2, 3, true, 1);
  char *path = write_study(&st, "labels.h5");
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  int missing = 0;
  H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, check_labels, &missing);
  assert_int_equal(missing, 0);
  H5Fclose(f);
  study_free(&st), free(path);
}

static void test_metrics_are_attached_to_their_dimension_scales(void **state) {
  (void)state;
  study st;
  make_study(&st, 2, 3, false, 1);
  char *path = write_study(&st, "scales.h5");
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t point = H5Dopen2(f, "point", H5P_DEFAULT), rep = H5Dopen2(f, "replicate", H5P_DEFAULT),
        stat = H5Dopen2(f, "stat", H5P_DEFAULT), tok = H5Dopen2(f, "output_tok_s", H5P_DEFAULT),
        sum = H5Dopen2(f, "summary/output_tok_s", H5P_DEFAULT);
  assert_true(H5DSis_scale(point) > 0 && H5DSis_scale(rep) > 0 && H5DSis_scale(stat) > 0);
  assert_true(H5DSis_attached(tok, point, 0) > 0 && H5DSis_attached(tok, rep, 1) > 0);
  assert_true(H5DSis_attached(sum, point, 0) > 0 && H5DSis_attached(sum, stat, 1) > 0);
  assert_true(H5Lexists(f, "quantile", H5P_DEFAULT) > 0 && H5Lexists(f, "config_yaml", H5P_DEFAULT) > 0);
  hid_t a = H5Aopen(f, "master_seed", H5P_DEFAULT), t = H5Aget_type(a);
  assert_true(H5Tequal(t, H5T_NATIVE_UINT64) > 0);
  H5Tclose(t), H5Aclose(a);
  H5Dclose(point), H5Dclose(rep), H5Dclose(stat), H5Dclose(tok), H5Dclose(sum), H5Fclose(f);
  study_free(&st), free(path);
}

/* Writes the three parts of st (a copy per part, with its task range and shard number). */
static void write_parts(study *st, char **paths, const char *prefix) {
  for (unsigned i = 1; i <= 3; i++) {
    char name[64];
    snprintf(name, sizeof name, "%s%u.h5", prefix, i);
    st->shard_index = i, st->shard_count = 3;
    study_slice(study_tasks(st), i, 3, &st->task_lo, &st->task_hi);
    paths[i - 1] = write_study(st, name);
  }
  st->shard_index = st->shard_count = 1, st->task_lo = 0, st->task_hi = study_tasks(st);
}

static void test_a_part_has_no_summary_and_merged_parts_equal_the_whole(void **state) {
  (void)state;
  study st, merged;
  char *parts[3];
  make_study(&st, 3, 5, true, 99);
  write_parts(&st, parts, "part");
  hid_t f = H5Fopen(parts[1], H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_int_equal(H5Lexists(f, "summary", H5P_DEFAULT), 0);
  H5Fclose(f);
  const char *order[] = {parts[2], parts[0], parts[1]}; /* any order */
  ss_err err = {{0}};
  if (merge_parts(order, 3, &merged, &err)) fail_msg("%s", err.msg);
  assert_same_data(&st, &merged);
  for (size_t p = 0; p < st.n_points; p++)
    assert_memory_equal(st.summary[p], merged.summary[p], sizeof st.summary[p]);
  assert_int_equal(merged.shard_count, 1);
  study_free(&st), study_free(&merged);
  for (int i = 0; i < 3; i++) free(parts[i]);
}

static void test_merge_refuses_mixed_seeds_scenarios_overlaps_and_gaps(void **state) {
  (void)state;
  study a, b, out;
  char *pa[3], *pb[3];
  ss_err err = {{0}};
  make_study(&a, 2, 3, false, 5);
  make_study(&b, 2, 3, false, 6);
  write_parts(&a, pa, "seed5_");
  write_parts(&b, pb, "seed6_");
  const char *mixed_seed[] = {pa[0], pb[1], pa[2]};
  assert_int_equal(merge_parts(mixed_seed, 3, &out, &err), SS_EDATA);
  assert_non_null(strstr(err.msg, "different seeds"));
  assert_non_null(strstr(err.msg, pb[1]));
  b.seed = 5;
  free(b.config_yaml);
  b.config_yaml = strdup("name: unit-study\nreplicates: 9\n");
  char *other = write_study(&b, "other_scenario.h5");
  const char *mixed_scenario[] = {pa[0], other};
  assert_int_equal(merge_parts(mixed_scenario, 2, &out, &err), SS_EDATA);
  assert_non_null(strstr(err.msg, "different scenarios"));
  const char *twice[] = {pa[0], pa[0], pa[1], pa[2]};
  assert_int_equal(merge_parts(twice, 4, &out, &err), SS_EDATA);
  assert_non_null(strstr(err.msg, "both hold task"));
  const char *gap[] = {pa[0], pa[2]};
  assert_int_equal(merge_parts(gap, 2, &out, &err), SS_EDATA);
  assert_non_null(strstr(err.msg, "missing"));
  study_free(&a), study_free(&b), free(other);
  for (int i = 0; i < 3; i++) free(pa[i]), free(pb[i]);
}

static void test_unusable_directory_fails_with_cannot_create_and_leaves_no_file(void **state) {
  (void)state;
  study st;
  make_study(&st, 1, 2, false, 1);
  char *blocker = file_in_dir("plain_file"), *bad = file_in_dir("plain_file/out.h5");
  FILE *f = fopen(blocker, "w");
  fclose(f);
  char *argv[] = {"servesim"};
  ss_err err = {{0}};
  assert_int_equal(h5out_probe(bad, &err), SS_ECREATE);
  assert_non_null(strstr(err.msg, "cannot create"));
  assert_int_equal(h5out_write(&st, bad, 1, argv, &err), SS_ECREATE);
  assert_int_equal(h5out_write(&st, "/nonexistent-servesim-dir/out.h5", 1, argv, &err), SS_ECREATE);
  assert_non_null(strstr(err.msg, "/nonexistent-servesim-dir/out.h5.tmp"));
  assert_false(exists("/nonexistent-servesim-dir/out.h5"));
  study_free(&st), free(blocker), free(bad);
}

static void test_success_renames_the_temporary_and_replaces_an_old_file(void **state) {
  (void)state;
  study st, back;
  make_study(&st, 2, 2, false, 3);
  char *path = file_in_dir("replace.h5"), tmp[512];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(path, "w");
  fputs("old contents, not HDF5", f);
  fclose(f);
  ss_err err = {{0}};
  assert_int_equal(h5out_probe(path, &err), SS_OK);
  free(write_study(&st, "replace.h5"));
  assert_false(exists(tmp));
  assert_int_equal(merge_read(path, &back, &err), SS_OK);
  study_free(&st), study_free(&back), free(path);
}

static void test_reading_refuses_missing_and_foreign_files(void **state) {
  (void)state;
  study st;
  ss_err err = {{0}};
  char *missing = file_in_dir("missing.h5"), *foreign = file_in_dir("foreign.h5");
  assert_int_equal(merge_read(missing, &st, &err), SS_ENOINPUT);
  hid_t f = H5Fcreate(foreign, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  assert_int_equal(merge_read(foreign, &st, &err), SS_EDATA);
  assert_non_null(strstr(err.msg, "not a servesim study file"));
  free(missing), free(foreign);
}

static int make_dir(void **state) {
  (void)state;
  return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write_then_read_gives_back_every_value_bit_for_bit),
      cmocka_unit_test(test_every_dataset_carries_units_and_long_name),
      cmocka_unit_test(test_metrics_are_attached_to_their_dimension_scales),
      cmocka_unit_test(test_a_part_has_no_summary_and_merged_parts_equal_the_whole),
      cmocka_unit_test(test_merge_refuses_mixed_seeds_scenarios_overlaps_and_gaps),
      cmocka_unit_test(test_unusable_directory_fails_with_cannot_create_and_leaves_no_file),
      cmocka_unit_test(test_success_renames_the_temporary_and_replaces_an_old_file),
      cmocka_unit_test(test_reading_refuses_missing_and_foreign_files),
  };
  return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
