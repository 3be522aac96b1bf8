/* servesim.c: the stable C API (include/servesim/api/servesim.h, installed as <servesim/servesim.h>)
 * over the library's layers: handles own their library objects, statuses and messages pass through
 * unchanged. A scenario keeps its source and overrides, so one more override reloads and rechecks it.
 * Invariant: no function exits, prints (except servesim_study_print) or changes process-wide state;
 * a failing call leaves its output handle NULL (or its object unchanged) and fills the error. */
#define _GNU_SOURCE /* dladdr: where the shared library itself lies */
#include "api/servesim.h"

#include <dlfcn.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fileio.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "io/import_model.h"
#include "io/import_trace.h"
#include "io/study_out.h"
#include "io/studyfile.h"
#include "study/dist.h"
#include "study/precision.h"
#include "study/study.h"
#include "study/verify.h"

#ifndef SERVESIM_HWDB_FROM_LIB
#define SERVESIM_HWDB_FROM_LIB "../share/servesim/hwdb" /* relative to the library's directory */
#endif

struct servesim_hwdb {
  hwdb db;
};

struct servesim_scenario {
  const servesim_hwdb *db;
  char *path;        /* a file scenario, or NULL */
  char *name, *yaml; /* a string scenario */
  char **sets;       /* overrides in order */
  size_t n_sets;
  study_spec *spec;
  char *notes;
};

struct servesim_study {
  study st;
};

static int fail(servesim_error *e, ss_status rc, const ss_err *err) {
  if (e) {
    e->status = (int)rc;
    snprintf(e->message, sizeof e->message, "%s", err && err->msg[0] ? err->msg : ss_status_text(rc));
  }
  return (int)rc;
}

static int fail_nomem(servesim_error *e, const char *what) {
  ss_err err;
  return fail(e, ss_errorf(&err, SS_ENOMEM, "out of memory for %s", what), &err);
}

const char *servesim_version(void) { return SERVESIM_VERSION; }
int servesim_api_version(void) { return SERVESIM_API_VERSION; }
int servesim_mpi_rank(void) { return dist_rank(); }

/* ---- hwdb ---- */

static bool is_dir(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* $SERVESIM_HWDB; the hwdb installed beside this library; then hwdb_default_dir's search. */
static const char where_am_i = 0; /* an address inside this library (or program) for dladdr */

static const char *default_dir(char *buf, size_t len) {
  Dl_info info;
  const char *env = getenv("SERVESIM_HWDB");
  if (!(env && *env) && dladdr(&where_am_i, &info) && info.dli_fname) {
    const char *slash = strrchr(info.dli_fname, '/');
    if (slash &&
        (size_t)snprintf(buf, len, "%.*s/%s", (int)(slash - info.dli_fname), info.dli_fname, SERVESIM_HWDB_FROM_LIB) <
            len &&
        is_dir(buf))
      return buf;
  }
  return hwdb_default_dir(buf, len);
}

int servesim_hwdb_load(const char *dir, servesim_hwdb **out, servesim_error *e) {
  ss_err err = {{0}};
  char buf[4096];
  *out = NULL;
  servesim_hwdb *h = calloc(1, sizeof *h);
  if (!h) return fail_nomem(e, "the hwdb");
  ss_status rc = hwdb_load(dir ? dir : default_dir(buf, sizeof buf), &h->db, &err);
  if (rc) return free(h), fail(e, rc, &err);
  *out = h;
  return SERVESIM_OK;
}

const char *servesim_hwdb_dir(const servesim_hwdb *db) { return db->db.dir; }
const char *servesim_hwdb_sha256(const servesim_hwdb *db) { return db->db.sha256; }

static const struct {
  const char *name;
  hwdb_cat cat;
} CATEGORIES[] = {{"gpus", HWDB_GPUS}, {"models", HWDB_MODELS}, {"quant", HWDB_QUANT}, {"engines", HWDB_ENGINES}};

static long category(const char *name) {
  for (size_t i = 0; name && i < sizeof CATEGORIES / sizeof CATEGORIES[0]; i++)
    if (!strcmp(name, CATEGORIES[i].name)) return (long)CATEGORIES[i].cat;
  return -1;
}

size_t servesim_hwdb_count(const servesim_hwdb *db, const char *cat) {
  long c = category(cat);
  return c < 0 ? 0 : db->db.n[c];
}

const char *servesim_hwdb_id(const servesim_hwdb *db, const char *cat, size_t i) {
  long c = category(cat);
  size_t n;
  if (c < 0 || i >= db->db.n[c]) return NULL;
  const kt_field *tab = hwdb_cat_fields((hwdb_cat)c, &n), *id = kt_find(tab, n, "id");
  return (const char *)hwdb_at(&db->db, (hwdb_cat)c, i) + id->off;
}

void servesim_hwdb_free(servesim_hwdb *db) {
  if (!db) return;
  hwdb_free(&db->db);
  free(db);
}

/* ---- scenarios ---- */

/* Loads sc's source with its n overrides into a new spec; replaces sc's spec on success. */
static int reload(servesim_scenario *sc, size_t n, servesim_error *e) {
  ss_err err = {{0}};
  study_spec *spec = malloc(sizeof *spec);
  if (!spec) return fail_nomem(e, "the scenario");
  const char *const *sets = (const char *const *)sc->sets;
  ss_status rc = sc->path ? scenario_load(sc->path, sets, n, &sc->db->db, spec, &err)
                          : scenario_load_string(sc->name, sc->yaml, sets, n, &sc->db->db, spec, &err);
  if (rc) return free(spec), fail(e, rc, &err);
  char *notes = scenario_notes_text(spec);
  if (!notes) return scenario_free(spec), free(spec), fail_nomem(e, "the scenario's notes");
  if (sc->spec) scenario_free(sc->spec);
  free(sc->spec), free(sc->notes);
  sc->spec = spec, sc->notes = notes, sc->n_sets = n;
  return SERVESIM_OK;
}

static int add_set(servesim_scenario *sc, const char *assignment) {
  char **s = realloc(sc->sets, (sc->n_sets + 1) * sizeof *s);
  if (!s) return 0;
  sc->sets = s;
  return (s[sc->n_sets] = strdup(assignment)) != NULL;
}

static int new_scenario(const servesim_hwdb *db, const char *path, const char *name, const char *yaml,
                        const char *const *sets, size_t n_sets, servesim_scenario **out, servesim_error *e) {
  *out = NULL;
  servesim_scenario *sc = calloc(1, sizeof *sc);
  bool ok = sc != NULL;
  if (ok) {
    sc->db = db;
    ok = path ? (sc->path = strdup(path)) != NULL
              : (sc->name = strdup(name ? name : "(string)")) != NULL && (sc->yaml = strdup(yaml)) != NULL;
  }
  for (size_t i = 0; ok && i < n_sets; i++) ok = add_set(sc, sets[i]) && ++sc->n_sets;
  if (!ok) return servesim_scenario_free(sc), fail_nomem(e, "the scenario");
  int rc = reload(sc, sc->n_sets, e);
  if (rc) return servesim_scenario_free(sc), rc;
  *out = sc;
  return SERVESIM_OK;
}

int servesim_scenario_load(const servesim_hwdb *db, const char *path, const char *const *sets, size_t n_sets,
                           servesim_scenario **out, servesim_error *e) {
  return new_scenario(db, path, NULL, NULL, sets, n_sets, out, e);
}

int servesim_scenario_load_string(const servesim_hwdb *db, const char *name, const char *yaml, const char *const *sets,
                                  size_t n_sets, servesim_scenario **out, servesim_error *e) {
  return new_scenario(db, NULL, name, yaml, sets, n_sets, out, e);
}

int servesim_scenario_set(servesim_scenario *sc, const char *assignment, servesim_error *e) {
  size_t n = sc->n_sets;
  if (!add_set(sc, assignment)) return fail_nomem(e, "the override");
  int rc = reload(sc, n + 1, e);
  if (rc) free(sc->sets[n]); /* the scenario stays as it was */
  return rc;
}

const char *servesim_scenario_name(const servesim_scenario *sc) { return sc->spec->base.name; }
size_t servesim_scenario_points(const servesim_scenario *sc) { return scenario_points(sc->spec); }
const char *servesim_scenario_notes(const servesim_scenario *sc) { return sc->notes; }

size_t servesim_scenario_key_count(void) {
  size_t n;
  scenario_fields(&n);
  return n;
}
const char *servesim_scenario_key(size_t i) {
  size_t n;
  const kt_field *f = scenario_fields(&n);
  return i < n ? f[i].key : NULL;
}
const char *servesim_scenario_key_help(size_t i) {
  size_t n;
  const kt_field *f = scenario_fields(&n);
  return i < n ? f[i].help : NULL;
}

/* The files an output may not replace: the scenario and the data files it read. */
static size_t spec_inputs(const study_spec *spec, const char **in) {
  size_t n = 0;
  if (spec->file[0]) in[n++] = spec->file;
  if (spec->trace.path[0]) in[n++] = spec->trace.path;
  if (spec->input_hist.path[0]) in[n++] = spec->input_hist.path;
  if (spec->output_hist.path[0]) in[n++] = spec->output_hist.path;
  return n;
}

int servesim_scenario_check_output(const servesim_scenario *sc, const char *path, servesim_error *e) {
  ss_err err = {{0}};
  const char *in[4];
  fio_out o;
  ss_status rc = SS_OK;
  if (dist_rank() == 0 && !(rc = fio_out_begin(&o, path, "output", in, spec_inputs(sc->spec, in), &err)))
    fio_out_abort(&o);
  rc = dist_agree(rc, &err);
  return rc ? fail(e, rc, &err) : SERVESIM_OK;
}

void servesim_scenario_free(servesim_scenario *sc) {
  if (!sc) return;
  if (sc->spec) scenario_free(sc->spec);
  for (size_t i = 0; i < sc->n_sets; i++) free(sc->sets[i]);
  free(sc->sets), free(sc->spec), free(sc->notes), free(sc->path), free(sc->name), free(sc->yaml);
  free(sc);
}

/* ---- studies ---- */

int servesim_study_run(const servesim_scenario *sc, const servesim_run_options *opts, servesim_study **out,
                       servesim_error *e) {
  ss_err err = {{0}};
  servesim_run_options d = SERVESIM_RUN_OPTIONS_INIT;
  *out = NULL;
  if (!opts) opts = &d;
  if (opts->size < sizeof d)
    return fail(e,
                ss_errorf(&err, SS_EUSAGE,
                          "servesim_run_options.size %zu: set it with "
                          "SERVESIM_RUN_OPTIONS_INIT",
                          opts->size),
                &err);
  study_target targets[STUDY_MAX_TARGETS];
  if (opts->n_precision > STUDY_MAX_TARGETS)
    return fail(e, ss_errorf(&err, SS_EUSAGE, "--precision: at most %d targets", STUDY_MAX_TARGETS), &err);
  for (size_t i = 0; i < opts->n_precision; i++)
    {
      ss_status rc = precision_parse(opts->precision[i], &targets[i], &err);
      if (rc) return fail(e, rc, &err);
    }
  if (opts->max_replicates && !opts->n_precision)
    return fail(e, ss_errorf(&err, SS_EUSAGE, "--max-replicates caps a sequential run; allowed: with --precision"),
                &err);
  servesim_study *s = calloc(1, sizeof *s);
  if (!s) return fail_nomem(e, "the study");
  study_opts o = {.threads = opts->threads,
                  .shard_index = opts->shard_index,
                  .shard_count = opts->shard_count,
                  .progress = opts->progress ? stderr : NULL,
                  .targets = targets,
                  .n_targets = opts->n_precision,
                  .max_replicates = opts->max_replicates};
  ss_status rc = study_run(sc->spec, &sc->db->db, &o, &s->st, &err);
  if (rc) return free(s), fail(e, rc, &err);
  *out = s;
  return SERVESIM_OK;
}

int servesim_study_write(const servesim_study *s, const char *path, int argc, char *const *argv, servesim_error *e) {
  ss_err err = {{0}};
  const char *in[4];
  static char *const API_ARGV[] = {"(libservesim)"};
  size_t n = 0;
  if (dist_rank() != 0) return SERVESIM_OK;
  for (size_t i = 0; i < s->st.n_input_files && n < 4; i++)
    if (s->st.input_files[i].path[0]) in[n++] = s->st.input_files[i].path;
  ss_status rc = studyfile_write(&s->st, path, argv ? argc : 1, argv ? argv : API_ARGV, in, n, &err);
  return rc ? fail(e, rc, &err) : SERVESIM_OK;
}

void servesim_study_print(const servesim_study *s, FILE *out) {
  if (dist_rank() == 0) study_out_table(out, &s->st);
}

const char *servesim_study_name(const servesim_study *s) { return s->st.name; }
size_t servesim_study_points(const servesim_study *s) { return s->st.n_points; }
size_t servesim_study_replicates(const servesim_study *s) { return s->st.n_reps; }
int servesim_study_is_whole(const servesim_study *s) {
  return s->st.shard_count == 1 && s->st.task_lo == 0 && s->st.task_hi == study_tasks(&s->st);
}
int servesim_study_part(const servesim_study *s, unsigned *index, unsigned *count, size_t *task_lo, size_t *task_hi,
                        size_t *tasks) {
  if (index) *index = s->st.shard_index;
  if (count) *count = s->st.shard_count;
  if (task_lo) *task_lo = s->st.task_lo;
  if (task_hi) *task_hi = s->st.task_hi;
  if (tasks) *tasks = study_tasks(&s->st);
  return s->st.shard_count > 1;
}

size_t servesim_study_axes(const servesim_study *s) { return s->st.n_axes; }
const char *servesim_study_axis_key(const servesim_study *s, size_t a) {
  return a < s->st.n_axes ? s->st.axes[a].key : NULL;
}
double servesim_study_axis_value(const servesim_study *s, size_t a, size_t p) {
  return a < s->st.n_axes && p < s->st.n_points && !s->st.axes[a].is_text ? s->st.axes[a].num[p] : NAN;
}
const char *servesim_study_axis_text(const servesim_study *s, size_t a, size_t p) {
  return a < s->st.n_axes && p < s->st.n_points && s->st.axes[a].is_text ? s->st.axes[a].text[p] : NULL;
}

size_t servesim_metric_count(void) { return RM_COUNT; }
const char *servesim_metric_name(size_t m) { return m < RM_COUNT ? result_name((result_metric)m) : NULL; }
const char *servesim_metric_units(size_t m) { return m < RM_COUNT ? result_units((result_metric)m) : NULL; }

static long metric_index(const char *name) {
  for (long m = 0; name && m < RM_COUNT; m++)
    if (!strcmp(result_name((result_metric)m), name)) return m;
  return -1;
}

int servesim_study_summary(const servesim_study *s, size_t point, const char *metric, servesim_summary *out,
                           servesim_error *e) {
  ss_err err = {{0}};
  long m = metric_index(metric);
  if (m < 0)
    return fail(e,
                ss_errorf(&err, SS_EUSAGE, "unknown metric '%s'; allowed: the names servesim_metric_name lists",
                          metric ? metric : "(null)"),
                &err);
  if (point >= s->st.n_points)
    return fail(e, ss_errorf(&err, SS_EUSAGE, "point %zu: the study has %zu points", point, s->st.n_points), &err);
  if (!servesim_study_is_whole(s))
    return fail(e, ss_errorf(&err, SS_EUSAGE, "a shard of a study has no summaries (merge the parts first)"), &err);
  const stats_summary *sm = &s->st.summary[point][m];
  *out = (servesim_summary){sm->v[ST_mean], sm->v[ST_sd],  sm->v[ST_ci95_lo], sm->v[ST_ci95_hi],
                            sm->v[ST_p05],  sm->v[ST_p50], sm->v[ST_p95],     sm->n};
  return SERVESIM_OK;
}

double servesim_study_value(const servesim_study *s, size_t point, size_t rep, const char *metric) {
  long m = metric_index(metric);
  if (m < 0 || point >= s->st.n_points || rep >= s->st.n_reps) return NAN;
  return s->st.res[point * s->st.n_reps + rep].v[m];
}

double servesim_study_slo_met_fraction(const servesim_study *s, size_t point) {
  return point < s->st.n_points && s->st.slo_met_frac ? s->st.slo_met_frac[point] : NAN;
}

int servesim_study_point_saturated(const servesim_study *s, size_t point) {
  return point < s->st.n_points && study_point_saturated(&s->st, point);
}

void servesim_study_free(servesim_study *s) {
  if (!s) return;
  study_free(&s->st);
  free(s);
}

/* ---- verification ---- */

int servesim_verify(const servesim_hwdb *db, int threads, servesim_verify_result *out, servesim_error *e) {
  ss_err err = {{0}};
  verify_result v;
  ss_status rc = verify_run(&db->db, threads, &v, &err);
  if (rc) return fail(e, rc, &err);
  out->tasks = v.tasks;
  snprintf(out->sha256, sizeof out->sha256, "%s", v.sha256);
  snprintf(out->expected_sha256, sizeof out->expected_sha256, "%s", verify_expected_sha256);
  snprintf(out->hwdb_sha256, sizeof out->hwdb_sha256, "%s", verify_hwdb_sha256);
  out->hwdb_matches = v.hwdb_matches, out->passed = v.passed;
  return SERVESIM_OK;
}

/* ---- importers ---- */

const char *servesim_trace_format(size_t i) { return import_trace_format(i); }

int servesim_import_trace(const char *in_path, const servesim_trace_options *opts, const char *out_csv,
                          servesim_trace_summary *summary, servesim_error *e) {
  ss_err err = {{0}};
  servesim_trace_options d = SERVESIM_TRACE_OPTIONS_INIT;
  import_trace_summary s;
  if (!opts) opts = &d;
  if (opts->size < sizeof d)
    return fail(e,
                ss_errorf(&err, SS_EUSAGE,
                          "servesim_trace_options.size %zu: set it with "
                          "SERVESIM_TRACE_OPTIONS_INIT",
                          opts->size),
                &err);
  import_trace_opts o = {opts->format, opts->time_scale, opts->start_s, opts->duration_s, opts->limit};
  ss_status rc = import_trace(in_path, &o, out_csv, &s, &err);
  if (rc) return fail(e, rc, &err);
  if (summary) {
    snprintf(summary->format, sizeof summary->format, "%s", s.format);
    summary->rows_read = s.rows_read, summary->rows_written = s.rows_written, summary->rows_skipped = s.rows_skipped;
    summary->span_s = s.span_s;
  }
  return SERVESIM_OK;
}

int servesim_import_model(const char *config_json, const servesim_model_options *opts, const char *out_yaml,
                          double *derived_params_b, servesim_error *e) {
  ss_err err = {{0}};
  model_spec m;
  if (!opts || opts->size < sizeof *opts)
    return fail(e, ss_errorf(&err, SS_EUSAGE, "servesim_model_options: set size with SERVESIM_MODEL_OPTIONS_INIT"),
                &err);
  import_model_opts o = {opts->id, opts->name, opts->source, opts->date, opts->params_b, opts->active_params_b, 0};
  ss_status rc = import_model(config_json, &o, out_yaml, &m, &err);
  if (rc) return fail(e, rc, &err);
  if (derived_params_b) *derived_params_b = model_params_total(&m) / 1e9;
  return SERVESIM_OK;
}
