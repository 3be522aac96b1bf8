/* scenario.c: the scenario key table and everything that reads through it: file loading, --set,
 * sweep axes, uncertain inputs, data files and the echo (binding and cross-key checks: resolve.c).
 * A key is "given" when the file, --set, a sweep or a sample set it; engine defaults fill the rest. */
#include "config/scenario.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/yamlcfg.h"
#include "config/keys.h"
#include "config/limits.h"
#include "config/notes.h"
#include "config/pools.h"
#include "config/resolve.h"
#include "config/variation.h"

#define FIELDS  keys_table
#define NFIELDS keys_count

static const char *const SPECIAL[] = {"sweep", "uncertain", "uncertain_correlation", "deployments", NULL};

const kt_field *scenario_fields(size_t *n) {
  *n = NFIELDS;
  return FIELDS;
}

long scenario_key_index(const char *key) { return kt_index(FIELDS, NFIELDS, key); }

void scenario_mark_given(sc_point *pt, long k) { pt->given[k / 64] |= (uint64_t)1 << (k % 64); }
bool scenario_given(const sc_point *pt, long k) { return (pt->given[k / 64] >> (k % 64)) & 1; }
double scenario_get(const sc_point *pt, long k) { return kt_get_f64(&FIELDS[k], pt); }

/* "not a scenario key (did you mean 'x'?)" for a key that is not in the table. */
static const char *not_a_key(const char *key, char *buf, size_t len) {
  const char *near = kt_suggest(FIELDS, NFIELDS, key);
  if (near)
    snprintf(buf, len, "not a scenario key (did you mean '%s'?)", near);
  else
    snprintf(buf, len, "not a scenario key");
  return buf;
}

static ss_status parse_uncertain(study_spec *spec, const yc_node *map, const char *file, ss_err *err) {
  if (map->kind != YC_MAP)
    return ss_errorf(err, SS_EDATA, "%s:%u: key 'uncertain' must map scenario keys to distributions", file, map->line);
  for (size_t i = 0; i < map->n; i++) {
    char where[600];
    snprintf(where, sizeof where, "%s:%u", file, map->key_lines[i]);
    ss_status rc = variation_add_uncertain(spec, map->keys[i], &map->items[i], where, map->key_lines[i], err);
    if (rc) return rc;
  }
  return SS_OK;
}

static ss_status parse_sweep(study_spec *spec, const yc_node *map, const char *file, ss_err *err) {
  if (map->kind != YC_MAP)
    return ss_errorf(err, SS_EDATA, "%s:%u: key 'sweep' must map scenario keys to lists of values", file, map->line);
  for (size_t i = 0; i < map->n; i++) {
    char where[600];
    snprintf(where, sizeof where, "%s:%u", file, map->key_lines[i]);
    ss_status rc = variation_add_axis(spec, map->keys[i], &map->items[i], where, map->key_lines[i], err);
    if (rc) return rc;
  }
  return SS_OK;
}

/* --set sweep.KEY=[values] or --set uncertain.KEY={dist: ...}: an axis or an uncertain input from the
 * command line, replacing the file's for that key. */
static ss_status set_variation(study_spec *spec, const char *key, const char *text, ss_err *err) {
  bool sweep = !strncmp(key, "sweep.", 6);
  const char *k = key + (sweep ? 6 : 10);
  char name[200];
  yc_doc doc;
  snprintf(name, sizeof name, "--set %s", key);
  ss_status rc = yc_load_string(name, text, &doc, err);
  if (rc) return rc;
  rc = sweep ? variation_add_axis(spec, k, doc.root, name, 0, err)
             : variation_add_uncertain(spec, k, doc.root, name, 0, err);
  yc_free(&doc);
  return rc;
}

/* Key k of pt from YAML text, marked given; `name` stands for where the text came from. */
static ss_status set_value(sc_point *pt, long k, const char *name, const char *text, ss_err *err) {
  yc_doc doc;
  ss_status rc = yc_load_string(name, text, &doc, err);
  if (rc) return rc;
  rc = kt_set(&FIELDS[k], doc.root, name, pt, err);
  yc_free(&doc);
  if (!rc) scenario_mark_given(pt, k);
  return rc;
}

ss_status scenario_point_set(sc_point *pt, const char *assignment, const char *where, ss_err *err) {
  const char *eq = strchr(assignment, '=');
  char key[160], why[200];
  if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof key || !eq[1])
    return ss_errorf(err, SS_EDATA, "%s: '%s': expected key=value, e.g. deployment.scheduler.max_num_seqs=256", where,
                     assignment);
  snprintf(key, sizeof key, "%.*s", (int)(eq - assignment), assignment);
  long k = kt_index(FIELDS, NFIELDS, key);
  if (k < 0) return ss_errorf(err, SS_EDATA, "%s: key '%s' is %s", where, key, not_a_key(key, why, sizeof why));
  return set_value(pt, k, where, eq + 1, err);
}

ss_status scenario_set(study_spec *spec, const char *assignment, ss_err *err) {
  const char *eq = strchr(assignment, '=');
  char key[160], name[200], why[200], was[512];
  if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof key)
    return ss_errorf(err, SS_EUSAGE, "--set '%s': expected key=value, e.g. --set deployment.tp=4", assignment);
  snprintf(key, sizeof key, "%.*s", (int)(eq - assignment), assignment);
  if (!*(eq + 1)) return ss_errorf(err, SS_EDATA, "--set %s: the value is empty", key);
  if (!strncmp(key, "sweep.", 6) || !strncmp(key, "uncertain.", 10)) return set_variation(spec, key, eq + 1, err);
  long k = kt_index(FIELDS, NFIELDS, key);
  if (k < 0)
    return ss_errorf(err, SS_EDATA,
                     "--set: key '%s' is %s; allowed: the keys of `servesim run --help-scenario`, or sweep.KEY=[...] "
                     "and uncertain.KEY={dist: ...}",
                     key, not_a_key(key, why, sizeof why));
  snprintf(name, sizeof name, "--set %s", key);
  ss_status rc = set_value(&spec->base, k, name, eq + 1, err);
  if (rc) return rc;
  spec->line[k] = 0; /* messages then say "(--set)", not the file's line */
  /* a value given on the command line wins: the key leaves the sweep or the uncertain inputs */
  if (variation_remove_axis(spec, k, was, sizeof was))
    scenario_note(spec, "--set %s pins the key: it leaves the sweep (was %s)", assignment, was);
  if (variation_remove_uncertain(spec, k, was, sizeof was))
    scenario_note(spec, "--set %s pins the key: it is no longer sampled (was %s)", assignment, was);
  return SS_OK;
}

char *scenario_notes_text(const study_spec *spec) {
  size_t len = 1;
  for (size_t i = 0; i < spec->n_notes; i++) len += strlen(spec->notes[i]) + 1;
  char *s = malloc(len), *p = s;
  for (size_t i = 0; s && i < spec->n_notes; i++) p += sprintf(p, "%s\n", spec->notes[i]);
  if (s) *p = '\0';
  return s;
}

void scenario_note(study_spec *spec, const char *fmt, ...) {
  if (spec->n_notes == SC_MAX_NOTES) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(spec->notes[spec->n_notes++], sizeof spec->notes[0], fmt, ap);
  va_end(ap);
}

/* ---- checks that involve more than one key, or hwdb ---- */

/* "file:line" of key k of pt, "file (--set)" for a key set on the command line, or "file". */
void scenario_key_where(const study_spec *spec, const sc_point *pt, long k, char *buf, size_t len) {
  const char *file = spec ? spec->file : "scenario";
  for (size_t i = 0; spec && i < spec->n_axes; i++) /* a swept key's value comes from the sweep's line */
    if (spec->axes[i].key == k && spec->axes[i].line) {
      snprintf(buf, len, "%s:%u", file, spec->axes[i].line);
      return;
    }
  if (spec && spec->line[k])
    snprintf(buf, len, "%s:%u", file, spec->line[k]);
  else
    snprintf(buf, len, "%s%s", file, spec && scenario_given(pt, k) ? " (--set)" : "");
}

/* "file:line: key 'k': value 'v' <why><detail>". */
static ss_status key_err(const study_spec *spec, const sc_point *pt, const char *key, ss_err *err, const char *why,
                         const char *detail) {
  long k = kt_index(FIELDS, NFIELDS, key);
  char val[512], where[600];
  kt_format(&FIELDS[k], pt, val, sizeof val);
  scenario_key_where(spec, pt, k, where, sizeof where);
  bool quote = val[0] != '"' && val[0] != '[';
  return ss_errorf(err, SS_EDATA, "%s: key '%s': value %s%s%s %s%s", where, key, quote ? "'" : "", val,
                   quote ? "'" : "", why, detail);
}

ss_status scenario_key_err(const study_spec *spec, const sc_point *pt, const char *key, ss_err *err, const char *why,
                           const char *detail) {
  return key_err(spec, pt, key, err, why, detail);
}

/* Sets the key of axis ax to its value j, as given on the sweep's line. */
static ss_status set_axis_value(const study_spec *spec, sc_point *pt, const sc_axis *ax, size_t j, ss_err *err) {
  yc_node v = {.kind = YC_SCALAR, .line = ax->line, .text = (char *)ax->values[j], .plain = true};
  char where[600];
  snprintf(where, sizeof where, "%s:%u", spec->file, ax->line);
  ss_status rc = kt_set(&FIELDS[ax->key], &v, where, pt, err);
  if (!rc) scenario_mark_given(pt, ax->key);
  return rc;
}

/* ---- data files ---- */

/* A data-file path as given: absolute, or relative to the scenario file's directory (a path given
 * by --set is relative to the current directory, where the user typed it). */
static void data_path(const study_spec *spec, const char *given, bool from_set, char *buf, size_t len) {
  if (given[0] == '/' || from_set || !spec->dir[0])
    snprintf(buf, len, "%s", given);
  else
    snprintf(buf, len, "%s/%s", spec->dir, given);
}

typedef ss_status (*load_fn)(const char *path, datafile *f, ss_err *err);

static ss_status load_data(study_spec *spec, const char *key, const char *given, datafile *f, load_fn load,
                           ss_err *err) {
  char path[1024], where[600];
  long k = kt_index(FIELDS, NFIELDS, key);
  if (!given[0]) return SS_OK;
  data_path(spec, given, !spec->line[k] && scenario_given(&spec->base, k), path, sizeof path);
  ss_status rc = load(path, f, err);
  if (rc) {
    scenario_key_where(spec, &spec->base, k, where, sizeof where);
    ss_err_prefix(err, "%s: key '%s': value '%s' cannot be read: ", where, key, given);
    return rc == SS_ENOMEM ? rc : SS_EDATA;
  }
  return SS_OK;
}

static ss_status load_data_files(study_spec *spec, ss_err *err) {
  sc_point *b = &spec->base;
  ss_status rc;
  if ((rc = load_data(spec, "workload.arrival.file", b->trace_file, &spec->trace, datafile_load_trace, err)) ||
      (rc = load_data(spec, "workload.input_tokens.file", b->input_file, &spec->input_hist, datafile_load_hist, err)) ||
      (rc =
           load_data(spec, "workload.output_tokens.file", b->output_file, &spec->output_hist, datafile_load_hist, err)))
    return rc;
  b->sim.wl.trace = spec->trace.trace.n ? &spec->trace.trace : NULL;
  b->sim.wl.input.hist = spec->input_hist.hist.n ? &spec->input_hist.hist : NULL;
  b->sim.wl.output.hist = spec->output_hist.hist.n ? &spec->output_hist.hist : NULL;
  return SS_OK;
}

/* ---- loading ---- */

void scenario_defaults(sc_point *pt) {
  memset(pt, 0, sizeof *pt);
  kt_defaults(FIELDS, NFIELDS, pt);
}

/* Applies a loaded document (file or string) to spec; the document is freed. */
static ss_status parse_doc(study_spec *spec, yc_doc *doc, ss_err *err) {
  const char *path = spec->file;
  ss_status rc;
  memcpy(spec->sha256, doc->sha256, sizeof spec->sha256);
  rc = kt_apply(FIELDS, NFIELDS, doc->root, "", path, SPECIAL, &spec->base, spec->line, err);
  const yc_node *sweep = yc_get(doc->root, "sweep"), *unc = yc_get(doc->root, "uncertain");
  const yc_node *pools = yc_get(doc->root, "deployments");
  if (!rc && pools) rc = pools_parse(spec, pools, path, err);
  if (!rc && sweep) rc = parse_sweep(spec, sweep, path, err);
  if (!rc && sweep && scenario_points(spec) > SC_MAX_POINTS)
    rc = ss_errorf(err, SS_EDATA,
                   "%s:%u: key 'sweep': %zu axes give %zu points; allowed: at most %d (split the "
                   "study)",
                   path, spec->axes[0].line, spec->n_axes, scenario_points(spec), SC_MAX_POINTS);
  if (!rc && unc) rc = parse_uncertain(spec, unc, path, err);
  const yc_node *corr = yc_get(doc->root, "uncertain_correlation");
  if (!rc && corr) rc = variation_parse_correlation(spec, corr, path, err);
  yc_free(doc);
  return rc;
}

/* Everything after parsing: --set, required keys, sweep defaults, data files, every point resolved. */
static ss_status finish_load(study_spec *spec, const char *const *overrides, size_t n_set, const hwdb *db,
                             ss_err *err) {
  const char *path = spec->file;
  ss_status rc = SS_OK;
  for (size_t i = 0; i < NFIELDS; i++)
    if (spec->line[i]) scenario_mark_given(&spec->base, (long)i);
  snprintf(spec->price_gpu, sizeof spec->price_gpu, "%s", spec->base.gpu); /* the file's GPU */
  for (size_t i = 0; i < n_set && !rc; i++) rc = scenario_set(spec, overrides[i], err);
  long kp = kt_index(FIELDS, NFIELDS, "pricing.usd_per_gpu_hour");
  bool price_set = scenario_given(&spec->base, kp) && !spec->line[kp];
  for (size_t i = 0; i < spec->n_unc; i++) price_set |= spec->unc[i].key == kp && !spec->unc[i].line;
  if (price_set) snprintf(spec->price_gpu, sizeof spec->price_gpu, "%s", spec->base.gpu); /* given with the run's GPU */
  unsigned set_at[NFIELDS]; /* required keys may come from the file, --set or a sweep */
  for (size_t i = 0; i < NFIELDS; i++) set_at[i] = scenario_given(&spec->base, (long)i);
  for (size_t j = 0; j < spec->n_axes; j++) set_at[spec->axes[j].key] = 1;
  if (!rc) rc = kt_check_required(FIELDS, NFIELDS, set_at, path, err);
  for (size_t i = 0; i < spec->n_unc && !rc; i++)
    for (size_t j = 0; j < spec->n_axes; j++)
      if (spec->unc[i].key == spec->axes[j].key)
        rc = ss_errorf(err, SS_EDATA, "%s:%u: key '%s' is both swept and uncertain; allowed: one of the two", path,
                       spec->unc[i].line, FIELDS[spec->unc[i].key].key);
  if (!rc) rc = variation_finish(spec, err);
  for (size_t j = 0; j < spec->n_axes && !rc; j++) /* a swept key the file leaves unset takes its first value */
    if (!scenario_given(&spec->base, spec->axes[j].key)) rc = set_axis_value(spec, &spec->base, &spec->axes[j], 0, err);
  if (!rc) rc = load_data_files(spec, err);
  if (!rc) notes_trace(spec);
  if (!rc) notes_names(spec, db);
  if (!rc) notes_pipeline(spec);
  if (!rc) {
    sc_point check = spec->base;
    rc = resolve_point(spec, &check, db, err);
    if (!rc) memcpy(spec->base.engine, check.engine, sizeof check.engine); /* the echo names the version */
  }
  if (!rc) rc = limits_check_tasks(spec, err);
  if (!rc && spec->base.model_error) rc = variation_add_model_error(spec, db, err);
  /* every sweep point must resolve, so that a long study never fails half-way */
  double rows = 0;
  for (size_t p = 0; p < scenario_points(spec) && !rc; p++) {
    sc_point pt;
    rc = scenario_point(spec, p, db, &pt, err);
    rows += rc ? 0 : limits_log_rows(&pt) * spec->base.replicates;
  }
  return rc ? rc : limits_check_log_rows(spec, rows, err);
}

static void start_load(study_spec *spec, const char *name) {
  memset(spec, 0, sizeof *spec);
  scenario_defaults(&spec->base);
  snprintf(spec->file, sizeof spec->file, "%s", name);
  const char *slash = strrchr(name, '/');
  if (slash) snprintf(spec->dir, sizeof spec->dir, "%.*s", (int)(slash - name), name);
}

ss_status scenario_load(const char *path, const char *const *overrides, size_t n_set, const hwdb *db, study_spec *spec,
                        ss_err *err) {
  yc_doc doc;
  start_load(spec, path);
  ss_status rc = yc_load_file(path, &doc, err);
  if (!rc) rc = parse_doc(spec, &doc, err);
  if (!rc) rc = finish_load(spec, overrides, n_set, db, err);
  if (rc) scenario_free(spec);
  return rc;
}

ss_status scenario_load_string(const char *name, const char *text, const char *const *overrides, size_t n_set,
                               const hwdb *db, study_spec *spec, ss_err *err) {
  yc_doc doc;
  start_load(spec, name);
  spec->dir[0] = '\0'; /* data-file paths of a string start from the current directory */
  ss_status rc = yc_load_string(name, text, &doc, err);
  if (!rc) hash_hex(text, strlen(text), doc.sha256);
  if (!rc) rc = parse_doc(spec, &doc, err);
  if (!rc) rc = finish_load(spec, overrides, n_set, db, err);
  if (rc) scenario_free(spec);
  return rc;
}

void scenario_free(study_spec *spec) {
  datafile_free(&spec->trace);
  datafile_free(&spec->input_hist);
  datafile_free(&spec->output_hist);
}

size_t scenario_points(const study_spec *spec) {
  size_t n = 1; /* at most 64^8 = 2^48: no overflow */
  for (size_t i = 0; i < spec->n_axes; i++) n *= spec->axes[i].n;
  return n;
}

bool scenario_is_cost_key(const char *key) {
  return !strncmp(key, "pricing.", 8) || !strncmp(key, "energy.", 7) || !strcmp(key, "compare_api");
}

size_t scenario_group_index(const study_spec *spec, size_t p, scenario_key_pred ignored) {
  size_t g = 0, div = scenario_points(spec);
  for (size_t i = 0; i < spec->n_axes; i++) {
    div /= spec->axes[i].n;
    if (!ignored(FIELDS[spec->axes[i].key].key)) g = g * spec->axes[i].n + (p / div) % spec->axes[i].n;
  }
  return g;
}

size_t scenario_group_count(const study_spec *spec, scenario_key_pred ignored) {
  size_t n = 1;
  for (size_t i = 0; i < spec->n_axes; i++)
    if (!ignored(FIELDS[spec->axes[i].key].key)) n *= spec->axes[i].n;
  return n;
}

ss_status scenario_point(const study_spec *spec, size_t p, const hwdb *db, sc_point *out, ss_err *err) {
  *out = spec->base;
  for (size_t i = spec->n_axes; i-- > 0;) {
    const sc_axis *ax = &spec->axes[i];
    ss_status rc = set_axis_value(spec, out, ax, p % ax->n, err);
    if (rc) return rc;
    p /= ax->n;
  }
  return resolve_point(spec, out, db, err);
}

void scenario_apply_sample(sc_point *pt, const sc_uncertain *u, double value) {
  const kt_field *f = &FIELDS[u->key];
  if (value < f->min) value = f->min; /* unbounded distributions are truncated to the key's bounds */
  if (value > f->max) value = f->max;
  kt_set_f64(f, pt, value);
  scenario_mark_given(pt, u->key);
}

void scenario_echo(FILE *out, const study_spec *spec) {
  kt_print_yaml(out, FIELDS, NFIELDS, &spec->base);
  pools_echo(out, spec);
  if (spec->n_axes) fprintf(out, "sweep:\n");
  for (size_t i = 0; i < spec->n_axes; i++) {
    fprintf(out, "  %s: [", FIELDS[spec->axes[i].key].key);
    for (size_t j = 0; j < spec->axes[i].n; j++) fprintf(out, "%s%s", j ? ", " : "", spec->axes[i].values[j]);
    fprintf(out, "]\n");
  }
  if (spec->n_unc) fprintf(out, "uncertain:\n");
  for (size_t i = 0; i < spec->n_unc; i++) {
    char text[512];
    variation_format_uncertain(&spec->unc[i], text, sizeof text);
    fprintf(out, "  %s: %s\n", FIELDS[spec->unc[i].key].key, text);
  }
  variation_echo_correlation(out, spec);
}

void scenario_help(FILE *out) {
  fprintf(out, "Scenario keys (YAML; nested mappings follow the dots):\n\n");
  kt_print_help(out, FIELDS, NFIELDS);
  fprintf(out, "\n  deployments: list of further deployments: a name and the keys that differ (docs/fleet.md)\n"
               "  sweep:      map of sweepable keys to lists of values (cartesian product)\n"
               "  uncertain:  map of numeric keys to {dist: uniform, min, max} | {dist: normal, mean, sd} |\n"
               "              {dist: lognormal, median, sigma} | {dist: triangular, min, mode, max}\n"
               "  uncertain_correlation: {keys: [KEY, ...], matrix: [[1, r], [r, 1]]}: rank correlations\n");
}
