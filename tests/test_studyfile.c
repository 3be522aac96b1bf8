/* test_studyfile.c: the study file (io/studyfile through io/h5) and merge: the schema round trip
 * (every value back bit for bit, logs and provenance included), units and long_name on every dataset,
 * dimension scales, the file kind and schema version, parts and merge (refusals name the files), the
 * checked reader (a damaged, foreign, plan or older file is refused with what was expected and
 * found), and the write discipline: a unique hidden temporary beside the target, renamed on success,
 * never left behind, SS_ECREATE when the directory is unusable, inputs never overwritten. */
#include <dirent.h>
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

#include "check.h"
#include "io/h5.h"
#include "io/merge.h"
#include "io/studyfile.h"
#include "study/study.h"

static char dir[] = "/tmp/servesim_test_studyfile_XXXXXX";
static char *file_in_dir(const char *name) { /* test-local path helper: returns a malloc'd path */
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

static bool exists(const char *path) { return access(path, F_OK) == 0; }

/* Temporary files of outputs (".<name>.servesim-<pid>-XXXXXX") left in directory d. */
static size_t temporaries_in(const char *d) {
  size_t n = 0;
  DIR *dd = opendir(d);
  for (struct dirent *e; dd && (e = readdir(dd));) n += e->d_name[0] == '.' && strstr(e->d_name, ".servesim-") != NULL;
  if (dd) closedir(dd);
  return n;
}

static void make_study(study *st, size_t P, size_t R, bool logs, uint64_t seed) {
  memset(st, 0, sizeof *st);
  snprintf(st->name, sizeof st->name, "unit-study");
  st->seed = seed;
  st->config_yaml = strdup("name: unit-study\nnote: \"UTF-8 survives: \xc3\xa9\xc3\xbc \xe2\x82\xac\"\n");
  snprintf(st->hwdb_dir, sizeof st->hwdb_dir, "%s", TEST_HWDB);
  snprintf(st->hwdb_sha256, sizeof st->hwdb_sha256, "%064d", 7);
  st->n_input_files = 2;
  st->input_files[0] =
      (hash_ref){"scenario", "/somewhere/s.yaml", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"};
  st->input_files[1] =
      (hash_ref){"trace", "/somewhere/t.csv", "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"};
  st->n_axes = 2, st->n_inputs = 1, st->n_apis = 2;
  snprintf(st->api_ids[0], sizeof st->api_ids[0], "gpt-4o");
  snprintf(st->api_ids[1], sizeof st->api_ids[1], "claude-3.5-haiku");
  snprintf(st->axes[0].key, STUDY_KEY_LEN, "workload.arrival.rate_per_s");
  snprintf(st->axes[0].units, STUDY_UNITS_LEN, "1/s");
  snprintf(st->axes[1].key, STUDY_KEY_LEN, "deployment.engine");
  st->axes[1].is_text = true;
  snprintf(st->inputs[0].key, STUDY_KEY_LEN, "efficiency.hbm");
  snprintf(st->inputs[0].units, STUDY_UNITS_LEN, "1");
  ss_err err = {{0}};
  assert_int_equal(study_init(st, P, R, logs, &err), SS_OK);
  st->log_requests = st->log_timeseries = logs;
  st->shard_index = st->shard_count = 1, st->task_lo = 0, st->task_hi = P * R;
  for (size_t p = 0; p < P; p++) {
    st->axes[0].num[p] = 0.5 + (double)p;
    snprintf(st->axes[1].text[p], STUDY_TEXT_LEN, "engine-%zu", p);
  }
  for (size_t t = 0; t < P * R; t++) {
    st->inputs[0].value[t] = 0.7 + 0.001 * (double)(t % R);
    for (int m = 0; m < RM_COUNT; m++)
      st->res[t].v[m] = (m == RM_e2e_p99_s && t % 2) ? NAN : (double)t * 100 + m + 1.0 / 3;
    st->res[t].v[RM_saturated] = t % 4 == 3;
    st->slo_met[t] = t % 2;
    for (size_t a = 0; a < st->n_apis; a++)
      for (int m = 0; m < CA_COUNT; m++)
        study_api(st, t, a)[m] = (m == CA_breakeven_utilisation && t % 3) ? NAN : 1e3 * (double)a + (double)t + m / 7.0;
    if (!logs) continue;
    sim_log *l = &st->logs[t];
    l->n_req = l->cap_req = t % 3, l->n_ts = l->cap_ts = 2;
    l->req = calloc(3, sizeof *l->req), l->ts = calloc(2, sizeof *l->ts);
    for (size_t i = 0; i < l->n_req; i++)
      l->req[i] = (sim_request_row){.arrival_s = (double)t + 0.1 * (double)i,
                                    .first_token_s = NAN,
                                    .finish_s = 2.5,
                                    .input_tokens = 100 + (uint32_t)i,
                                    .output_tokens = 7,
                                    .replica = (uint32_t)t % 2,
                                    .preemptions = 1,
                                    .sched_s = NAN};
    for (size_t i = 0; i < 2; i++) l->ts[i] = (sim_ts_row){10.0 * (double)i, (double)t, 1, 0.25};
  }
  assert_int_equal(study_summarise(st, &err), SS_OK);
}

static void assert_same_data(const study *a, const study *b) {
  size_t n = study_tasks(a);
  assert_int_equal(a->n_points, b->n_points);
  assert_int_equal(a->n_reps, b->n_reps);
  assert_int_equal(a->seed, b->seed);
  assert_string_equal(a->config_yaml, b->config_yaml);
  assert_string_equal(a->name, b->name);
  assert_int_equal(a->n_axes, b->n_axes);
  for (size_t i = 0; i < a->n_axes; i++) {
    assert_string_equal(a->axes[i].key, b->axes[i].key);
    assert_string_equal(a->axes[i].units, b->axes[i].units);
    assert_int_equal(a->axes[i].is_text, b->axes[i].is_text);
    for (size_t p = 0; p < a->n_points; p++) {
      if (a->axes[i].is_text)
        assert_string_equal(a->axes[i].text[p], b->axes[i].text[p]);
      else
        assert_memory_equal(&a->axes[i].num[p], &b->axes[i].num[p], sizeof(double));
    }
  }
  assert_int_equal(a->n_inputs, b->n_inputs);
  for (size_t i = 0; i < a->n_inputs; i++)
    assert_memory_equal(a->inputs[i].value, b->inputs[i].value, n * sizeof(double));
  assert_memory_equal(a->res, b->res, n * sizeof *a->res);
  assert_memory_equal(a->slo_met, b->slo_met, n * sizeof *a->slo_met);
  assert_int_equal(a->n_apis, b->n_apis);
  for (size_t i = 0; i < a->n_apis; i++) assert_string_equal(a->api_ids[i], b->api_ids[i]);
  if (a->n_apis) assert_memory_equal(a->api, b->api, n * a->n_apis * CA_COUNT * sizeof *a->api);
  assert_int_equal(a->logs != NULL, b->logs != NULL);
  for (size_t t = 0; a->logs && t < n; t++) {
    assert_int_equal(a->logs[t].n_req, b->logs[t].n_req);
    assert_int_equal(a->logs[t].n_ts, b->logs[t].n_ts);
    if (a->logs[t].n_req)
      assert_memory_equal(a->logs[t].req, b->logs[t].req, a->logs[t].n_req * sizeof *a->logs[t].req);
    assert_memory_equal(a->logs[t].ts, b->logs[t].ts, a->logs[t].n_ts * sizeof *a->logs[t].ts);
  }
}

static char *write_study(const study *st, const char *name) {
  char *path = file_in_dir(name);
  char *argv[] = {"servesim", "run", "x y.yaml"};
  ss_err err = {{0}};
  if (studyfile_write(st, path, 3, argv, NULL, 0, &err)) fail_msg("%s", err.msg);
  return path;
}

static void test_write_then_read_gives_back_every_value_bit_for_bit(void **state) {
  (void)state;
  study st, back;
  make_study(&st, 3, 4, true, UINT64_MAX - 6); /* a seed that needs all 64 bits */
  char *path = write_study(&st, "roundtrip.h5");
  ss_err err = {{0}};
  if (studyfile_read(path, &back, &err)) fail_msg("%s", err.msg);
  assert_same_data(&st, &back);
  /* provenance comes back too: the hwdb and every input file with its hash */
  assert_string_equal(back.hwdb_dir, st.hwdb_dir);
  assert_string_equal(back.hwdb_sha256, st.hwdb_sha256);
  assert_int_equal(back.n_input_files, 2);
  for (size_t i = 0; i < 2; i++) {
    assert_string_equal(back.input_files[i].role, st.input_files[i].role);
    assert_string_equal(back.input_files[i].path, st.input_files[i].path);
    assert_string_equal(back.input_files[i].sha256, st.input_files[i].sha256);
  }
  assert_int_equal(back.shard_count, 1);
  study_free(&st), study_free(&back), free(path);
}

/* A request log longer than the writer's slice (65,536 rows) crosses slice boundaries in and between
 * tasks and still reads back bit for bit. */
static void test_a_log_longer_than_a_write_slice_reads_back_bit_for_bit(void **state) {
  (void)state;
  study st, back;
  make_study(&st, 2, 2, true, 5);
  const size_t rows[] = {40000, 1, 50000, 70001}; /* 160,002 rows: three slice boundaries */
  for (size_t t = 0; t < 4; t++) {
    sim_log *l = &st.logs[t];
    free(l->req);
    l->req = calloc(rows[t], sizeof *l->req);
    assert_non_null(l->req);
    l->n_req = l->cap_req = rows[t];
    for (size_t i = 0; i < rows[t]; i++)
      l->req[i] = (sim_request_row){.arrival_s = (double)t + 1e-6 * (double)i,
                                    .first_token_s = (double)i,
                                    .finish_s = i % 7 ? 2.5 : NAN,
                                    .input_tokens = (uint32_t)(i % 4096),
                                    .output_tokens = (uint32_t)t,
                                    .replica = (uint32_t)(i % 3),
                                    .preemptions = 0,
                                    .sched_s = 0.5};
  }
  char *path = write_study(&st, "biglog.h5");
  ss_err err = {{0}};
  if (studyfile_read(path, &back, &err)) fail_msg("%s", err.msg);
  assert_same_data(&st, &back);
  study_free(&st), study_free(&back), free(path);
}

/* A file read from memory (HDF5's core driver, as the fuzz harness reads) gives what the file gives;
 * bytes that are not HDF5 are refused as such. */
static void test_a_file_image_in_memory_reads_like_the_file(void **state) {
  (void)state;
  study st, back;
  make_study(&st, 2, 3, true, 9);
  char *path = write_study(&st, "image.h5");
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  rewind(f);
  char *bytes = malloc((size_t)len);
  assert_int_equal(fread(bytes, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  ss_err err = {{0}};
  if (studyfile_read_image("image.h5", bytes, (size_t)len, &back, &err)) fail_msg("%s", err.msg);
  assert_same_data(&st, &back);
  study_free(&back);
  assert_int_equal(studyfile_read_image("junk.h5", "not hdf5", 8, &back, &err), SS_ENOINPUT);
  check_msg(strstr(err.msg, "junk.h5: cannot open as HDF5"), "message: %s", err.msg);
  assert_int_equal(studyfile_read_image("empty.h5", bytes, 0, &back, &err), SS_ENOINPUT);
  assert_int_equal(studyfile_read_image("half.h5", bytes, (size_t)len / 2, &back, &err) != SS_OK, true);
  free(bytes), free(path);
  study_free(&st);
}

static herr_t check_labels(hid_t obj, const char *name, const H5O_info_t *info, void *data) {
  if (info->type != H5O_TYPE_DATASET) return 0;
  hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
  if (H5Aexists(d, "units") <= 0 || H5Aexists(d, "long_name") <= 0)
    print_error("dataset %s lacks units or long_name\n", name), ++*(int *)data;
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

/* A scalar text attribute of the root group. */
static void root_text(hid_t f, const char *name, char *buf, size_t len) {
  hid_t a = H5Aopen(f, name, H5P_DEFAULT), t = H5Aget_type(a);
  check_msg(a >= 0 && H5Tis_variable_str(t) > 0, "root attribute %s is not variable-length text", name);
  char *s = NULL;
  hid_t mt = H5Tcopy(H5T_C_S1);
  H5Tset_size(mt, H5T_VARIABLE);
  check_ge(H5Aread(a, mt, &s), 0);
  snprintf(buf, len, "%s", s);
  H5free_memory(s);
  H5Tclose(mt), H5Tclose(t), H5Aclose(a);
}

static void test_metrics_are_attached_to_their_dimension_scales_and_the_file_says_what_it_is(void **state) {
  (void)state;
  study st;
  make_study(&st, 2, 3, false, 1);
  char *path = write_study(&st, "scales.h5");
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t point = H5Dopen2(f, "point", H5P_DEFAULT), rep = H5Dopen2(f, "replicate", H5P_DEFAULT),
        stat = H5Dopen2(f, "stat", H5P_DEFAULT), tok = H5Dopen2(f, "output_tok_s", H5P_DEFAULT),
        sum = H5Dopen2(f, "summary/output_tok_s", H5P_DEFAULT);
  check_gt(H5DSis_scale(point), 0);
  check_gt(H5DSis_scale(rep), 0);
  check_gt(H5DSis_scale(stat), 0);
  check_gt(H5DSis_attached(tok, point, 0), 0);
  check_gt(H5DSis_attached(tok, rep, 1), 0);
  check_gt(H5DSis_attached(sum, point, 0), 0);
  check_gt(H5DSis_attached(sum, stat, 1), 0);
  check_gt(H5Lexists(f, "quantile", H5P_DEFAULT), 0);
  check_gt(H5Lexists(f, "config_yaml", H5P_DEFAULT), 0);
  hid_t a = H5Aopen(f, "master_seed", H5P_DEFAULT), t = H5Aget_type(a);
  check_gt(H5Tequal(t, H5T_NATIVE_UINT64), 0);
  H5Tclose(t), H5Aclose(a);
  /* provenance every servesim file carries */
  uint32_t schema = 0;
  a = H5Aopen(f, "schema_version", H5P_DEFAULT);
  check_ge(H5Aread(a, H5T_NATIVE_UINT32, &schema), 0);
  H5Aclose(a);
  assert_int_equal(schema, H5_SCHEMA_VERSION);
  assert_int_equal(H5_SCHEMA_VERSION, 3);
  char text[512];
  root_text(f, "file_kind", text, sizeof text);
  assert_string_equal(text, "study");
  root_text(f, "program", text, sizeof text);
  assert_string_equal(text, "servesim");
  root_text(f, "command_line", text, sizeof text);
  assert_string_equal(text, "servesim run 'x y.yaml'"); /* quoted where a shell would need it */
  static const char *const ATTRS[] = {"title",
                                      "program_version",
                                      "git_commit",
                                      "created_utc",
                                      "scenario_name",
                                      "compiler",
                                      "build_flags",
                                      "gsl_version",
                                      "hdf5_version",
                                      "libyaml_version",
                                      "random123_version",
                                      "openmp_version",
                                      "hwdb_dir",
                                      "hwdb_sha256",
                                      "input_scenario_path",
                                      "input_scenario_sha256",
                                      "input_trace_sha256"};
  for (size_t i = 0; i < sizeof ATTRS / sizeof ATTRS[0]; i++)
    check_msg(H5Aexists(f, ATTRS[i]) > 0, "root attribute %s is missing", ATTRS[i]);
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
  assert_int_equal(H5Lexists(f, "sensitivity", H5P_DEFAULT), 0); /* needs every replicate of a point */
  char kind[32];
  root_text(f, "file_kind", kind, sizeof kind);
  assert_string_equal(kind, "study_part");
  H5Fclose(f);
  const char *order[] = {parts[2], parts[0], parts[1]}; /* any order */
  ss_err err = {{0}};
  if (merge_parts(order, 3, &merged, &err)) fail_msg("%s", err.msg);
  assert_same_data(&st, &merged);
  for (size_t p = 0; p < st.n_points; p++) {
    assert_memory_equal(st.summary[p], merged.summary[p], sizeof st.summary[p]);
    for (size_t a = 0; a < st.n_apis; a++)
      assert_memory_equal(study_api_summary(&st, p, a), study_api_summary(&merged, p, a),
                          CA_COUNT * sizeof(stats_summary));
  }
  assert_int_equal(merged.shard_count, 1);
  study_free(&st), study_free(&merged);
  for (int i = 0; i < 3; i++) free(parts[i]);
}

static void test_merge_refuses_mixed_seeds_scenarios_hwdbs_overlaps_and_gaps(void **state) {
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
  check_msg(strstr(err.msg, "different seeds") && strstr(err.msg, pb[1]), "message: %s", err.msg);
  b.seed = 5;
  free(b.config_yaml);
  b.config_yaml = strdup("name: unit-study\nreplicates: 9\n");
  char *other = write_study(&b, "other_scenario.h5");
  const char *mixed_scenario[] = {pa[0], other};
  assert_int_equal(merge_parts(mixed_scenario, 2, &out, &err), SS_EDATA);
  check_msg(strstr(err.msg, "different scenarios"), "message: %s", err.msg);
  free(b.config_yaml);
  b.config_yaml = strdup(a.config_yaml);
  snprintf(b.hwdb_sha256, sizeof b.hwdb_sha256, "%064d", 8);
  b.shard_index = 2, b.shard_count = 3;
  study_slice(study_tasks(&b), 2, 3, &b.task_lo, &b.task_hi);
  char *other_hwdb = write_study(&b, "other_hwdb.h5");
  const char *mixed_hwdb[] = {pa[0], other_hwdb, pa[2]};
  assert_int_equal(merge_parts(mixed_hwdb, 3, &out, &err), SS_EDATA);
  check_msg(strstr(err.msg, "different hwdb contents"), "message: %s", err.msg);
  const char *twice[] = {pa[0], pa[0], pa[1], pa[2]};
  assert_int_equal(merge_parts(twice, 4, &out, &err), SS_EDATA);
  check_msg(strstr(err.msg, "both hold task"), "message: %s", err.msg);
  const char *gap[] = {pa[0], pa[2]};
  assert_int_equal(merge_parts(gap, 2, &out, &err), SS_EDATA);
  check_msg(strstr(err.msg, "missing"), "message: %s", err.msg);
  assert_int_equal(merge_parts(NULL, 0, &out, &err), SS_EUSAGE);
  study_free(&a), study_free(&b), free(other), free(other_hwdb);
  for (int i = 0; i < 3; i++) free(pa[i]), free(pb[i]);
}

static void test_unusable_directory_fails_with_cannot_create_and_leaves_no_file(void **state) {
  (void)state;
  study st;
  make_study(&st, 1, 2, false, 1);
  char *blocker = file_in_dir("plain_file"), *bad = file_in_dir("plain_file/out.h5"), *subdir = file_in_dir("a_dir");
  FILE *f = fopen(blocker, "w");
  fclose(f);
  assert_int_equal(mkdir(subdir, 0700), 0);
  char *argv[] = {"servesim"};
  ss_err err = {{0}};
  assert_int_equal(studyfile_write(&st, bad, 1, argv, NULL, 0, &err), SS_ECREATE);
  check_msg(strstr(err.msg, "cannot create"), "message: %s", err.msg);
  assert_int_equal(studyfile_write(&st, "/nonexistent-servesim-dir/out.h5", 1, argv, NULL, 0, &err), SS_ECREATE);
  check_msg(strstr(err.msg, "cannot create the output in /nonexistent-servesim-dir"), "message: %s", err.msg);
  assert_false(exists("/nonexistent-servesim-dir/out.h5"));
  assert_int_equal(studyfile_write(&st, subdir, 1, argv, NULL, 0, &err), SS_ECREATE); /* a directory as target */
  check_msg(strstr(err.msg, "is a directory"), "message: %s", err.msg);
  assert_int_equal(temporaries_in(dir), 0);
  rmdir(subdir);
  study_free(&st), free(blocker), free(bad), free(subdir);
}

static void test_success_renames_the_temporary_and_replaces_an_old_file(void **state) {
  (void)state;
  study st, back;
  make_study(&st, 2, 2, false, 3);
  char *path = file_in_dir("replace.h5");
  /* an old file under the target's name, and the temporary of a run that was killed (no such pid) */
  FILE *f = fopen(path, "w");
  fputs("old contents, not HDF5", f);
  fclose(f);
  char *stale = file_in_dir(".replace.h5.servesim-999999999-AbCdEf");
  f = fopen(stale, "w");
  fclose(f);
  free(write_study(&st, "replace.h5"));
  assert_int_equal(temporaries_in(dir), 0); /* ours renamed, the killed run's cleaned */
  ss_err err = {{0}};
  assert_int_equal(studyfile_read(path, &back, &err), SS_OK);
  study_free(&st), study_free(&back), free(path), free(stale);
}

static void test_an_input_is_never_overwritten_by_the_output(void **state) {
  (void)state;
  study st;
  make_study(&st, 1, 2, false, 1);
  char *path = file_in_dir("input.yaml");
  FILE *f = fopen(path, "w");
  fputs("name: precious\n", f);
  fclose(f);
  const char *inputs[] = {"/nonexistent/other.csv", path};
  char *argv[] = {"servesim"};
  ss_err err = {{0}};
  assert_int_equal(studyfile_write(&st, path, 1, argv, inputs, 2, &err), SS_EUSAGE);
  check_msg(strstr(err.msg, "would overwrite the input"), "message: %s", err.msg);
  char buf[64] = "";
  f = fopen(path, "r");
  assert_non_null(fgets(buf, sizeof buf, f));
  fclose(f);
  assert_string_equal(buf, "name: precious\n");
  unlink(path);
  study_free(&st), free(path);
}

static void test_reading_refuses_missing_and_foreign_files(void **state) {
  (void)state;
  study st;
  ss_err err = {{0}};
  char *missing = file_in_dir("missing.h5"), *foreign = file_in_dir("foreign.h5"), *text = file_in_dir("text.h5");
  assert_int_equal(studyfile_read(missing, &st, &err), SS_ENOINPUT);
  hid_t f = H5Fcreate(foreign, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  assert_int_equal(studyfile_read(foreign, &st, &err), SS_EDATA);
  check_msg(strstr(err.msg, "not a servesim file"), "message: %s", err.msg);
  FILE *t = fopen(text, "w");
  fputs("not HDF5 at all\n", t);
  fclose(t);
  assert_int_equal(studyfile_read(text, &st, &err), SS_ENOINPUT);
  check_msg(strstr(err.msg, "cannot open as HDF5"), "message: %s", err.msg);
  free(missing), free(foreign), free(text);
}

/* Replaces a scalar root attribute of the file at path with text (vlen UTF-8) or a u32. */
static void set_root_attr(const char *path, const char *name, const char *text, uint32_t u32) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  check_ge(f, 0);
  check_ge(H5Adelete(f, name), 0);
  hid_t sp = H5Screate(H5S_SCALAR), t = text ? H5Tcopy(H5T_C_S1) : H5Tcopy(H5T_STD_U32LE);
  if (text) H5Tset_size(t, H5T_VARIABLE), H5Tset_cset(t, H5T_CSET_UTF8);
  hid_t a = H5Acreate2(f, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  check_ge(a, 0);
  check_ge(text ? H5Awrite(a, t, &text) : H5Awrite(a, H5T_NATIVE_UINT32, &u32), 0);
  H5Aclose(a), H5Tclose(t), H5Sclose(sp), H5Fclose(f);
}

/* The reader checks every shape and type before it reads: a damaged file is refused, never read out of
 * bounds; a plan file or a file of another schema version is refused with what reads it. */
static void test_reading_refuses_damaged_plan_and_older_files_with_what_was_expected(void **state) {
  (void)state;
  study st, back;
  ss_err err = {{0}};
  make_study(&st, 2, 3, false, 4);
  char *path = write_study(&st, "damaged.h5");
  /* /output_tok_s with one replicate too many */
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  check_ge(H5Ldelete(f, "output_tok_s", H5P_DEFAULT), 0);
  hsize_t dims[2] = {2, 4};
  double zeros[8] = {0};
  check_ge(H5LTmake_dataset_double(f, "output_tok_s", 2, dims, zeros), 0);
  H5Fclose(f);
  assert_int_equal(studyfile_read(path, &back, &err), SS_EDATA);
  check_msg(strstr(err.msg, path) && strstr(err.msg, "/output_tok_s") && strstr(err.msg, "expected"), "message: %s",
            err.msg);
  /* a metric stored as text */
  free(write_study(&st, "damaged.h5"));
  f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  check_ge(H5Ldelete(f, "slo_met", H5P_DEFAULT), 0);
  check_ge(H5LTmake_dataset_string(f, "slo_met", "one"), 0);
  H5Fclose(f);
  assert_int_equal(studyfile_read(path, &back, &err), SS_EDATA);
  check_msg(strstr(err.msg, "/slo_met"), "message: %s", err.msg);
  /* a plan file */
  free(write_study(&st, "damaged.h5"));
  set_root_attr(path, "file_kind", "plan", 0);
  assert_int_equal(studyfile_read(path, &back, &err), SS_EDATA);
  check_msg(strstr(err.msg, "a plan file, not a study"), "message: %s", err.msg);
  /* an older schema */
  free(write_study(&st, "damaged.h5"));
  set_root_attr(path, "schema_version", NULL, 1);
  assert_int_equal(studyfile_read(path, &back, &err), SS_EDATA);
  check_msg(strstr(err.msg, "schema version 1; allowed: 3"), "message: %s", err.msg);
  study_free(&st), free(path);
}

static int make_dir(void **state) {
  (void)state;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* the refusals below make HDF5 fail: no error stacks on stderr */
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
      cmocka_unit_test(test_a_log_longer_than_a_write_slice_reads_back_bit_for_bit),
      cmocka_unit_test(test_a_file_image_in_memory_reads_like_the_file),
      cmocka_unit_test(test_every_dataset_carries_units_and_long_name),
      cmocka_unit_test(test_metrics_are_attached_to_their_dimension_scales_and_the_file_says_what_it_is),
      cmocka_unit_test(test_a_part_has_no_summary_and_merged_parts_equal_the_whole),
      cmocka_unit_test(test_merge_refuses_mixed_seeds_scenarios_hwdbs_overlaps_and_gaps),
      cmocka_unit_test(test_unusable_directory_fails_with_cannot_create_and_leaves_no_file),
      cmocka_unit_test(test_success_renames_the_temporary_and_replaces_an_old_file),
      cmocka_unit_test(test_an_input_is_never_overwritten_by_the_output),
      cmocka_unit_test(test_reading_refuses_missing_and_foreign_files),
      cmocka_unit_test(test_reading_refuses_damaged_plan_and_older_files_with_what_was_expected),
  };
  return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
