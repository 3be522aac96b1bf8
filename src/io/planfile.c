/* planfile.c: the HDF5 file of `servesim plan`, through io/h5: a /candidate dimension scale (rank
 * order), one dataset per plan_row column from one table (COLS), the per-replicate sustainable rates,
 * the compare_api rows (candidate, api), the plan's inputs as scalars (SCALARS), the resolved scenario
 * and provenance; and its checked reader, which reads the same tables back.
 * Invariant: the file appears under its final name only when written completely; the reader checks
 * every dataset's rank, extent and type (h5r_*) against the candidate, replicate and API counts before
 * reading it, and every whole-number column's values before storing them. */
#include "io/planfile.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5.h"
#include "io/plan_out.h"
#include "study/decision.h"

typedef enum { COL_F64, COL_U32, COL_SIZE, COL_TEXT, COL_STATUS } col_kind;
typedef struct {
  const char *name;
  col_kind kind;
  size_t off, size;
  const char *units, *long_name;
  bool optional; /* absent from plan files written before it existed: read as NaN */
} plan_col;

#define C(m, k, u, l) \
  { #m, k, offsetof(plan_row, m), sizeof(((plan_row *)0)->m), u, l, false }
static const plan_col COLS[] = {
    C(label, COL_TEXT, "", "candidate: the swept values of its sweep point"),
    C(point, COL_SIZE, "1", "sweep point index of the candidate (the first sweep key varies slowest)"),
    C(gpu, COL_TEXT, "", "GPU id (hwdb)"),
    C(weights, COL_TEXT, "", "weight format (hwdb quant)"),
    C(engine, COL_TEXT, "", "engine profile (hwdb)"),
    C(tier, COL_TEXT, "", "GPU price tier"),
    C(tp, COL_U32, "1", "tensor-parallel degree: GPUs per replica"),
    C(status, COL_STATUS, "", "ok, slo_not_met (not within plan.max_replicas) or does_not_fit (memory)"),
    C(reason, COL_TEXT, "", "why the candidate is not met, not priced or does not fit; empty otherwise"),
    C(replicas, COL_U32, "1", "fewest replicas meeting both p99 SLOs in at least plan.confidence of replicates"),
    C(gpus, COL_F64, "1", "GPUs of the deployment: replicas x tp"),
    C(slo_met_frac, COL_F64, "1", "fraction of replicates meeting both p99 SLOs at that replica count"),
    C(usd_per_gpu_hour, COL_F64, "USD/h", "price of one GPU-hour at the candidate's tier, mean over replicates"),
    C(usd_per_hour, COL_F64, "USD/h", "cost of all GPUs of the deployment per hour, mean over replicates"),
    C(usd_per_1m_output, COL_F64, "USD", "cost per million output tokens at the demand, idle time billed, mean"),
    C(ttft_p99_s, COL_F64, "s", "time to first token, 99th percentile, mean over replicates"),
    C(tpot_p99_s, COL_F64, "s", "time per output token, 99th percentile, mean over replicates"),
    C(output_tok_s, COL_F64, "1/s", "output tokens per second at the demand, mean over replicates"),
    C(rate_mean_per_s, COL_F64, "1/s", "largest arrival rate one replica sustains within the SLO, mean"),
    C(rate_ci95_lo_per_s, COL_F64, "1/s", "lower end of the 95% confidence interval of that mean"),
    C(rate_ci95_hi_per_s, COL_F64, "1/s", "upper end of the 95% confidence interval of that mean"),
    C(rate_at_confidence_per_s, COL_F64, "1/s", "rate one replica sustains in at least plan.confidence of replicates"),
    C(headroom, COL_F64, "1", "rate_mean_per_s x replicas / demand - 1"),
    {"utilisation", COL_F64, offsetof(plan_row, utilisation), sizeof(double), "1",
     "utilisation: demand over the capacity at the SLO (one replica's sustainable rate x replicas), mean over "
     "replicates",
     true},
};
#undef C
#define NCOLS (sizeof COLS / sizeof COLS[0])

/* The plan's inputs, scalars in the file. */
static const struct {
  const char *name;
  size_t off;
  bool u32;
  const char *units, *long_name;
} SCALARS[] = {
    {"demand_per_s", offsetof(plan, demand_per_s), false, "1/s", "demand: workload.arrival.rate_per_s"},
    {"slo_ttft_p99_s", offsetof(plan, slo_ttft_s), false, "s",
     "objective on the 99th percentile of time to first token"},
    {"slo_tpot_p99_s", offsetof(plan, slo_tpot_s), false, "s",
     "objective on the 99th percentile of time per output token"},
    {"confidence", offsetof(plan, confidence), false, "1",
     "fraction of replicates that must meet both objectives (plan.confidence)"},
    {"max_replicas", offsetof(plan, max_replicas), true, "1", "largest replica count searched (plan.max_replicas)"},
    {"rate_rel_tol", offsetof(plan, rate_rel_tol), false, "1", "relative bracket at which the rate bisection stops"},
};
#define NSCALARS (sizeof SCALARS / sizeof SCALARS[0])

typedef struct {
  h5w *w;
  hid_t candidate, replicate, api;
} writer;

static bool put_column(writer *w, const plan *p, const plan_col *c, void *buf) {
  hsize_t n = p->n_rows;
  double *d = buf;
  const char **t = buf;
  for (size_t i = 0; i < p->n_rows; i++) {
    const char *row = (const char *)&p->rows[i] + c->off;
    switch (c->kind) {
    case COL_F64: memcpy(&d[i], row, sizeof *d); break;
    case COL_U32: d[i] = *(const uint32_t *)(const void *)row; break;
    case COL_SIZE: d[i] = (double)*(const size_t *)(const void *)row; break;
    case COL_TEXT: t[i] = row; break;
    case COL_STATUS: t[i] = plan_out_status_name(*(const plan_status *)(const void *)row); break;
    }
  }
  bool text = c->kind == COL_TEXT || c->kind == COL_STATUS;
  return h5w_var(w->w, w->w->file, c->name, 1, &n, text ? w->w->vstr : H5T_NATIVE_DOUBLE,
                 text ? w->w->vstr : H5T_IEEE_F64LE, buf, c->units, c->long_name, &w->candidate, NULL);
}

/* /api (the compare_api ids) and one (candidate, api) dataset per costing_api row, means over replicates. */
static bool write_api(writer *w, const plan *p) {
  h5w *h = w->w;
  size_t n = p->n_rows, A = p->n_apis;
  const char *ids[SC_MAX_API];
  char long_name[300];
  if (!A) return true;
  for (size_t a = 0; a < A; a++) ids[a] = p->api_ids[a];
  double *buf = malloc((n * A + 1) * sizeof *buf);
  hsize_t dims[2] = {n, A};
  bool ok = buf && h5w_scale(h, h->file, "api", A, h->vstr, h->vstr, ids, "",
                             "API compared with (hwdb/prices/api.yaml row id; scenario key compare_api)", &w->api);
  hid_t ca[2] = {w->candidate, w->api};
  for (int m = 0; ok && m < CA_COUNT; m++) {
    for (size_t i = 0; i < n; i++)
      for (size_t a = 0; a < A; a++) buf[i * A + a] = p->rows[i].api[a][m];
    snprintf(long_name, sizeof long_name, "%s, mean over replicates at the candidate's replica count",
             costing_api_long_name((costing_api_metric)m));
    ok = h5w_var(h, h->file, costing_api_name((costing_api_metric)m), 2, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, buf,
                 costing_api_units((costing_api_metric)m), long_name, ca, NULL);
  }
  free(buf);
  return ok;
}

/* /decision: how sure the answer is (study/decision), when a candidate met the SLO. */
static bool write_decision(h5w *h, const plan *p, hid_t replicate) {
  const plan_decision *d = p->decision;
  if (!d) return true;
  hid_t g = H5Gcreate2(h->file, "decision", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t R = p->n_reps;
  const struct {
    const char *name;
    double v;
    const char *units, *long_name;
  } S[] = {
      {"replicas", d->replicas, "1", "replicas of the chosen deployment (the top-ranked candidate)"},
      {"p_meet", d->p_meet, "1", "fraction of replicates meeting both p99 SLOs at the demand with those replicas"},
      {"p_meet_ci95_lo", d->p_meet_lo, "1", "lower end of its Clopper-Pearson 95% interval"},
      {"p_meet_ci95_hi", d->p_meet_hi, "1", "upper end of its Clopper-Pearson 95% interval"},
      {"demand_at_confidence_per_s", d->demand_at_confidence, "1/s",
       "arrival rate at which the fraction of replicates meeting the SLO drops to plan.confidence"},
      {"demand_ci95_lo_per_s", d->demand_lo, "1/s",
       "lower end of its 95% order-statistic interval (NaN: too few replicates, see need_for_lower)"},
      {"demand_ci95_hi_per_s", d->demand_hi, "1/s", "upper end of its 95% order-statistic interval"},
      {"need_for_lower", (double)d->need_for_lower, "1", "replicates the lower end needs (0: it has one)"},
  };
  bool ok = g >= 0 && h5w_attr_text(h, g, "label", d->label) && h5w_attr_u64(h, g, "point", d->point);
  for (size_t i = 0; ok && i < sizeof S / sizeof S[0]; i++)
    ok = h5w_var(h, g, S[i].name, 0, NULL, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &S[i].v, S[i].units, S[i].long_name, NULL,
                 NULL);
  ok = ok && h5w_var(h, g, "demand_replicate_per_s", 1, &R, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, d->demand_rep, "1/s",
                     "largest arrival rate each replicate meets both p99 SLOs at, with the chosen replicas", &replicate,
                     NULL);
  if (g >= 0) H5Gclose(g);
  return ok;
}

static bool write_all(writer *w, const plan *p, int argc, char *const *argv) {
  h5w *h = w->w;
  size_t n = p->n_rows, R = p->n_reps, big = n > R ? n : R;
  hsize_t d2[2] = {n, R};
  char title[160], keys[SC_MAX_AXES * 100] = "";
  snprintf(title, sizeof title, "servesim plan: %s", p->name);
  void *buf = malloc((n * R + big + 1) * sizeof(double) + (n + 1) * sizeof(char *));
  int64_t *idx = malloc((big + 1) * sizeof *idx);
  const char *yaml = p->config_yaml ? p->config_yaml : "";
  for (size_t i = 0, used = 0; i < p->n_axes; i++)
    used += (size_t)snprintf(keys + used, sizeof keys - used, "%s%s", i ? " " : "", p->axis_keys[i]);
  h5_provenance prov = {h5_kind_plan, title,       p->name,        p->seed,        argc,
                        argv,         p->hwdb_dir, p->hwdb_sha256, p->input_files, p->n_input_files};
  bool ok = buf && idx && h5w_provenance(h, &prov) && h5w_attr_text(h, h->file, "candidate_keys", keys) &&
            h5w_attr_text(h, h->file, "notes", p->notes ? p->notes : "");
  double v[NSCALARS];
  for (size_t i = 0; i < NSCALARS; i++)
    v[i] = SCALARS[i].u32 ? *(const uint32_t *)(const void *)((const char *)p + SCALARS[i].off)
                          : *(const double *)(const void *)((const char *)p + SCALARS[i].off);
  for (size_t i = 0; ok && i < NSCALARS; i++)
    ok = h5w_var(h, h->file, SCALARS[i].name, 0, NULL, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &v[i], SCALARS[i].units,
                 SCALARS[i].long_name, NULL, NULL);
  ok = ok && h5w_var(h, h->file, "config_yaml", 0, NULL, h->vstr, h->vstr, &yaml, "",
                     "the resolved scenario (every key, defaults filled in), YAML", NULL, NULL);
  for (size_t i = 0; ok && i < big; i++) idx[i] = (int64_t)i;
  ok = ok &&
       h5w_scale(h, h->file, "candidate", n, H5T_NATIVE_INT64, H5T_STD_I64LE, idx, "1",
                 "rank of the candidate (0: cheapest meeting the SLO)", &w->candidate) &&
       h5w_scale(h, h->file, "replicate", R, H5T_NATIVE_INT64, H5T_STD_I64LE, idx, "1", "Monte Carlo replicate index",
                 &w->replicate);
  for (size_t c = 0; ok && c < NCOLS; c++) ok = put_column(w, p, &COLS[c], buf);
  double *rates = buf;
  for (size_t i = 0; ok && i < n; i++)
    for (size_t r = 0; r < R; r++) rates[i * R + r] = p->rows[i].rate_rep_per_s ? p->rows[i].rate_rep_per_s[r] : NAN;
  hid_t cr[2] = {w->candidate, w->replicate};
  ok = ok && h5w_var(h, h->file, "rate_replicate_per_s", 2, d2, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, rates, "1/s",
                     "largest arrival rate one replica sustains within the SLO, per replicate (bisection)", cr, NULL);
  free(buf), free(idx);
  return ok && write_api(w, p) && write_decision(h, p, w->replicate);
}

ss_status planfile_write(const plan *p, const char *path, int argc, char *const *argv, const char *const *inputs,
                         size_t n_inputs, ss_err *err) {
  h5w h;
  ss_status rc = h5w_create(&h, path, inputs, n_inputs, err);
  if (rc) return rc;
  writer w = {&h, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID};
  bool ok = write_all(&w, p, argc, argv);
  hid_t *ids[] = {&w.candidate, &w.replicate, &w.api};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
    if (*ids[i] >= 0) H5Dclose(*ids[i]);
  if (!ok) return rc = h5w_failure(&h, err), h5w_abort(&h), rc;
  return h5w_commit(&h, err);
}

/* ---- reading ---- */

/* Whole numbers in [0, max] only: a count or an index the file could otherwise wrap. */
static ss_status whole(const h5r *r, const char *name, const char *where, double v, double max, ss_err *err) {
  if (v >= 0 && v <= max && v == floor(v)) return SS_OK;
  return ss_errorf(err, SS_EDATA, "%s: /%s%s holds %g; expected a whole number from 0 to %.0f", r->path, name, where, v,
                   max);
}

static ss_status read_status(const h5r *r, const char *text, size_t row, plan_status *out, ss_err *err) {
  static const plan_status ALL[] = {PLAN_MET, PLAN_NOT_MET, PLAN_NO_FIT};
  for (size_t k = 0; k < sizeof ALL / sizeof ALL[0]; k++)
    if (!strcmp(text, plan_out_status_name(ALL[k]))) return *out = ALL[k], SS_OK;
  return ss_errorf(err, SS_EDATA, "%s: /status row %zu holds '%s'; allowed: ok, slo_not_met, does_not_fit", r->path,
                   row, text);
}

/* One COLS column into every row; text goes through a buffer as wide as the widest text field. */
static ss_status read_column(const h5r *r, plan *p, const plan_col *c, double *num, char *text, ss_err *err) {
  hsize_t n = p->n_rows;
  bool is_text = c->kind == COL_TEXT || c->kind == COL_STATUS;
  ss_status rc = SS_OK;
  if (c->optional && !h5r_exists(r, r->file, c->name)) {
    for (size_t i = 0; i < p->n_rows; i++) memcpy((char *)&p->rows[i] + c->off, &(double){NAN}, sizeof(double));
    return SS_OK;
  }
  rc = is_text ? h5r_text_1d(r, r->file, c->name, n, text, PLAN_REASON_LEN, err)
               : h5r_f64(r, r->file, c->name, 1, &n, num, err);
  for (size_t i = 0; !rc && i < p->n_rows; i++) {
    char *field = (char *)&p->rows[i] + c->off, row[40];
    snprintf(row, sizeof row, " row %zu", i);
    switch (c->kind) {
    case COL_F64: memcpy(field, &num[i], sizeof num[i]); break;
    case COL_U32:
      if (!(rc = whole(r, c->name, row, num[i], UINT32_MAX, err))) *(uint32_t *)(void *)field = (uint32_t)num[i];
      break;
    case COL_SIZE:
      if (!(rc = whole(r, c->name, row, num[i], SC_MAX_POINTS, err))) *(size_t *)(void *)field = (size_t)num[i];
      break;
    case COL_TEXT: snprintf(field, c->size, "%s", text + i * PLAN_REASON_LEN); break;
    case COL_STATUS: rc = read_status(r, text + i * PLAN_REASON_LEN, i, (plan_status *)(void *)field, err); break;
    }
  }
  return rc;
}

static ss_status read_scalars(const h5r *r, plan *p, ss_err *err) {
  ss_status rc = SS_OK;
  for (size_t i = 0; !rc && i < NSCALARS; i++) {
    double v;
    char *field = (char *)p + SCALARS[i].off;
    if ((rc = h5r_f64(r, r->file, SCALARS[i].name, 0, NULL, &v, err))) break;
    if (!SCALARS[i].u32)
      memcpy(field, &v, sizeof v);
    else if (!(rc = whole(r, SCALARS[i].name, "", v, UINT32_MAX, err)))
      *(uint32_t *)(void *)field = (uint32_t)v;
  }
  return rc;
}

/* /api and its (candidate, api) rows, when the plan compared APIs. */
static ss_status read_api(const h5r *r, plan *p, double *buf, ss_err *err) {
  hsize_t A;
  ss_status rc;
  if (!h5r_exists(r, r->file, "api")) return SS_OK;
  if ((rc = h5r_extent(r, r->file, "api", SC_MAX_API, &A, err)) ||
      (rc = h5r_text_1d(r, r->file, "api", A, (char *)p->api_ids, sizeof p->api_ids[0], err)))
    return rc;
  p->n_apis = (size_t)A;
  hsize_t dims[2] = {p->n_rows, A};
  for (int m = 0; !rc && m < CA_COUNT; m++) {
    if ((rc = h5r_f64(r, r->file, costing_api_name((costing_api_metric)m), 2, dims, buf, err))) break;
    for (size_t i = 0; i < p->n_rows; i++)
      for (size_t a = 0; a < p->n_apis; a++) p->rows[i].api[a][m] = buf[i * A + a];
  }
  return rc;
}

static ss_status read_attrs(const h5r *r, plan *p, planfile_meta *meta, ss_err *err) {
  char keys[SC_MAX_AXES * 100], *save = NULL;
  ss_status rc;
  if ((rc = h5r_attr_text(r, r->file, "scenario_name", p->name, sizeof p->name, err)) ||
      (rc = h5r_attr_u64(r, r->file, "master_seed", &p->seed, err)) ||
      (rc = h5r_attr_text(r, r->file, "hwdb_dir", p->hwdb_dir, sizeof p->hwdb_dir, err)) ||
      (rc = h5r_attr_text(r, r->file, "hwdb_sha256", p->hwdb_sha256, sizeof p->hwdb_sha256, err)) ||
      (rc = h5r_attr_text(r, r->file, "candidate_keys", keys, sizeof keys, err)))
    return rc;
  for (char *k = strtok_r(keys, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
    if (p->n_axes == SC_MAX_AXES)
      return ss_errorf(err, SS_EDATA, "%s: attribute candidate_keys names more than %d keys", r->path, SC_MAX_AXES);
    snprintf(p->axis_keys[p->n_axes++], sizeof p->axis_keys[0], "%s", k);
  }
  char notes[SC_MAX_NOTES * 330] = "";
  if (H5Aexists(r->file, "notes") > 0 && (rc = h5r_attr_text(r, r->file, "notes", notes, sizeof notes, err))) return rc;
  if (!(p->notes = strdup(notes))) return ss_errorf(err, SS_ENOMEM, "out of memory reading the notes");
  const struct {
    const char *attr;
    char *buf;
    size_t len;
  } META[] = {{"program_version", meta->version, sizeof meta->version},
              {"git_commit", meta->commit, sizeof meta->commit},
              {"created_utc", meta->created, sizeof meta->created},
              {"command_line", meta->command, sizeof meta->command}};
  for (size_t i = 0; i < sizeof META / sizeof META[0]; i++) {
    ss_err ignored;
    if (h5r_attr_text(r, r->file, META[i].attr, META[i].buf, META[i].len, &ignored))
      snprintf(META[i].buf, META[i].len, "?");
  }
  return SS_OK;
}

ss_status planfile_read(const char *path, plan *p, planfile_meta *meta, ss_err *err) {
  h5r r;
  char kind[32];
  hsize_t n = 0, R = 0;
  planfile_meta ignored_meta;
  double *num = NULL;
  char *text = NULL;
  memset(p, 0, sizeof *p);
  ss_status rc = h5r_open(&r, path, err);
  if (rc) return rc;
  if ((rc = h5r_check_kind(&r, kind, sizeof kind, err))) goto fail;
  if (strcmp(kind, h5_kind_plan)) {
    rc = ss_errorf(err, SS_EDATA, "%s: a %s file, not a plan", path, kind);
    goto fail;
  }
  if ((rc = read_attrs(&r, p, meta ? meta : &ignored_meta, err)) ||
      (rc = h5r_extent(&r, r.file, "candidate", SC_MAX_POINTS, &n, err)) ||
      (rc = h5r_extent(&r, r.file, "replicate", 1000000, &R, err)))
    goto fail;
  if (!n || !R) {
    rc = ss_errorf(err, SS_EDATA, "%s: /candidate and /replicate must not be empty", path);
    goto fail;
  }
  p->n_rows = (size_t)n, p->n_reps = (size_t)R;
  size_t cells = n * R > n * SC_MAX_API ? n * R : n * SC_MAX_API;
  p->rows = calloc(n, sizeof *p->rows);
  p->rate_rep = malloc(n * R * sizeof *p->rate_rep);
  num = malloc(cells * sizeof *num);
  text = malloc(n * PLAN_REASON_LEN);
  if (!p->rows || !p->rate_rep || !num || !text) {
    rc = ss_errorf(err, SS_ENOMEM, "out of memory for %llu candidates x %llu replicates", (unsigned long long)n,
                   (unsigned long long)R);
    goto fail;
  }
  for (size_t c = 0; !rc && c < NCOLS; c++) rc = read_column(&r, p, &COLS[c], num, text, err);
  hsize_t d2[2] = {n, R};
  if (!rc) rc = h5r_f64(&r, r.file, "rate_replicate_per_s", 2, d2, p->rate_rep, err);
  for (size_t i = 0; !rc && i < p->n_rows; i++) p->rows[i].rate_rep_per_s = p->rate_rep + i * R;
  if (!rc && !(rc = read_scalars(&r, p, err)) && !(rc = read_api(&r, p, num, err)))
    rc = h5r_text_scalar(&r, r.file, "config_yaml", &p->config_yaml, err);
fail:
  free(num), free(text);
  h5r_close(&r);
  if (rc) plan_free(p);
  return rc;
}
