/* planout.c: the ranked plan table and its HDF5 file. The file's columns come from one table
 * (COLS) of plan_row fields with units and long names, so no column can miss a label.
 * Invariant: PATH.tmp is renamed to PATH only after every dataset was written and the file closed. */
#include "io/planout.h"

#include <errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/h5out.h"
#include "base/version.h"

const char *planout_status_name(plan_status s) {
  static const char *const NAMES[] = {[PLAN_MET] = "ok", [PLAN_NOT_MET] = "slo_not_met",
                                      [PLAN_NO_FIT] = "does_not_fit"};
  return NAMES[s];
}

/* ---- the table ---- */

static void fmt(char *buf, size_t len, const char *f, double v) {
  if (isnan(v)) snprintf(buf, len, "-");
  else snprintf(buf, len, f, v);
}

void planout_print(FILE *out, const plan *p) {
  size_t need = plan_need(p->confidence, p->n_reps);
  int w = 12;
  for (size_t i = 0; i < p->n_rows; i++) {
    int l = (int)strlen(p->rows[i].label);
    if (l > w) w = l;
  }
  fprintf(out, "plan %s: demand %g req/s; SLO p99 TTFT <= %g s and p99 TPOT <= %g s in at least %zu of %zu "
          "replicates (confidence %g)\n\n", p->name, p->demand_per_s, p->slo_ttft_s, p->slo_tpot_s, need, p->n_reps,
          p->confidence);
  fprintf(out, "%4s  %-*s %8s %5s %8s %9s %9s  %-24s %9s %10s\n", "rank", w, "config", "replicas", "GPUs", "$/GPU-h",
          "$/hour", "$/1M out", "req/s per replica [95%CI]", "headroom", "confidence");
  for (size_t i = 0; i < p->n_rows; i++) {
    const plan_row *r = &p->rows[i];
    char rep[16], gpus[16], gh[16], h[16], m[16], rate[48], head[16], conf[16];
    if (r->status == PLAN_MET) snprintf(rep, sizeof rep, "%u", r->replicas);
    else snprintf(rep, sizeof rep, "%s", r->status == PLAN_NO_FIT ? "no fit" : "none");
    fmt(gpus, sizeof gpus, "%.0f", r->status == PLAN_MET ? r->gpus : NAN);
    fmt(gh, sizeof gh, "%.2f", r->usd_per_gpu_hour);
    fmt(h, sizeof h, "%.2f", r->usd_per_hour);
    fmt(m, sizeof m, "%.3f", r->usd_per_1m_output);
    if (isnan(r->rate_mean_per_s)) snprintf(rate, sizeof rate, "-");
    else if (isnan(r->rate_ci95_lo_per_s)) snprintf(rate, sizeof rate, "%.3g", r->rate_mean_per_s);
    else snprintf(rate, sizeof rate, "%.3g [%.3g, %.3g]", r->rate_mean_per_s, r->rate_ci95_lo_per_s,
                  r->rate_ci95_hi_per_s);
    fmt(head, sizeof head, "%+.0f%%", 100 * r->headroom);
    fmt(conf, sizeof conf, "%.2f", r->slo_met_frac);
    fprintf(out, "%4zu  %-*s %8s %5s %8s %9s %9s  %-24s %9s %10s\n", i + 1, w, r->label, rep, gpus, gh, h, m, rate,
            head, conf);
  }
  bool notes = false;
  for (size_t i = 0; i < p->n_rows; i++) {
    const plan_row *r = &p->rows[i];
    if (!r->reason[0]) continue;
    if (!notes) fprintf(out, "\nnotes:\n"), notes = true;
    fprintf(out, "  %zu %s: %s\n", i + 1, r->label, r->reason);
  }
  fprintf(out, "\n$/hour and $/1M out: means over the replicates at the replica count shown (idle time billed).\n"
          "req/s per replica: one replica's largest sustainable arrival rate, bisected per replicate (mean and\n"
          "95%% CI of the mean); headroom = that mean x replicas / demand - 1 (linear in replicas: pooling\n"
          "behind the router is not credited). confidence: fraction of replicates meeting both SLOs.\n");
}

/* ---- HDF5 ---- */

typedef enum { COL_F64, COL_U32, COL_SIZE, COL_TEXT, COL_STATUS } col_kind;
typedef struct {
  const char *name;
  col_kind kind;
  size_t off;
  const char *units, *long_name;
} plan_col;

#define C(m, k, u, l) {#m, k, offsetof(plan_row, m), u, l}
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
};
#undef C
#define NCOLS (sizeof COLS / sizeof COLS[0])

typedef struct {
  hid_t file, vstr, candidate, replicate;
  const char *failed;
} writer;

/* Creates, fills and labels one dataset (rank 0 to 2); scales[i] (< 0: none) goes on dim i. */
static bool put(writer *w, const char *name, int rank, const hsize_t *dims, hid_t mtype, hid_t ftype,
                const void *data, const char *units, const char *long_name, const hid_t *scales, hid_t *keep) {
  hid_t sp = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR), ds = -1;
  bool ok = sp >= 0 && (ds = H5Dcreate2(w->file, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
            H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0 && h5out_attr_text(ds, w->vstr, "units", units) &&
            h5out_attr_text(ds, w->vstr, "long_name", long_name);
  for (int i = 0; ok && scales && i < rank; i++)
    if (scales[i] >= 0) ok = H5DSattach_scale(ds, scales[i], (unsigned)i) >= 0;
  if (!ok) w->failed = name;
  if (ok && keep) *keep = ds;
  else if (ds >= 0) H5Dclose(ds);
  if (sp >= 0) H5Sclose(sp);
  return ok;
}

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
    case COL_STATUS: t[i] = planout_status_name(*(const plan_status *)(const void *)row); break;
    }
  }
  bool text = c->kind == COL_TEXT || c->kind == COL_STATUS;
  return put(w, c->name, 1, &n, text ? w->vstr : H5T_NATIVE_DOUBLE, text ? w->vstr : H5T_IEEE_F64LE, buf, c->units,
             c->long_name, &w->candidate, NULL);
}

static bool write_all(writer *w, const plan *p, int argc, char *const *argv) {
  size_t n = p->n_rows, R = p->n_reps, big = n > R ? n : R;
  hsize_t dn = n, dr = R, d2[2] = {n, R};
  char title[160], created[32], *cmd = h5out_join_command_line(argc, argv);
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
  snprintf(title, sizeof title, "servesim plan: %s", p->name);
  void *buf = malloc((n * R + big + 1) * sizeof(double) + (n + 1) * sizeof(char *));
  int64_t *idx = malloc((big + 1) * sizeof *idx);
  hid_t sp = H5Screate(H5S_SCALAR), a = -1;
  const char *yaml = p->config_yaml ? p->config_yaml : "";
  uint32_t schema = H5OUT_SCHEMA_VERSION;
  char keys[SC_MAX_AXES * 100] = "";
  for (size_t i = 0, used = 0; i < p->n_axes; i++)
    used += (size_t)snprintf(keys + used, sizeof keys - used, "%s%s", i ? " " : "", p->axis_keys[i]);
  w->failed = "root attributes";
  bool ok = cmd && buf && idx && sp >= 0 && h5out_attr_text(w->file, w->vstr, "title", title) &&
            h5out_attr_text(w->file, w->vstr, "program", "servesim") &&
            h5out_attr_text(w->file, w->vstr, "program_version", SERVESIM_VERSION) &&
            h5out_attr_text(w->file, w->vstr, "git_commit", servesim_git_commit()) &&
            h5out_attr_text(w->file, w->vstr, "created_utc", created) && h5out_attr_text(w->file, w->vstr, "command_line", cmd) &&
            h5out_attr_text(w->file, w->vstr, "scenario_name", p->name) &&
            h5out_attr_text(w->file, w->vstr, "candidate_keys", keys) &&
            (a = H5Acreate2(w->file, "master_seed", H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
            H5Awrite(a, H5T_NATIVE_UINT64, &p->seed) >= 0 && H5Aclose(a) >= 0 &&
            (a = H5Acreate2(w->file, "schema_version", H5T_STD_U32LE, sp, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
            H5Awrite(a, H5T_NATIVE_UINT32, &schema) >= 0 && H5Aclose(a) >= 0;
  if (sp >= 0) H5Sclose(sp);
  struct { const char *name; double v; const char *units, *long_name; } SCALARS[] = {
      {"demand_per_s", p->demand_per_s, "1/s", "demand: workload.arrival.rate_per_s"},
      {"slo_ttft_p99_s", p->slo_ttft_s, "s", "objective on the 99th percentile of time to first token"},
      {"slo_tpot_p99_s", p->slo_tpot_s, "s", "objective on the 99th percentile of time per output token"},
      {"confidence", p->confidence, "1", "fraction of replicates that must meet both objectives (plan.confidence)"},
      {"max_replicas", p->max_replicas, "1", "largest replica count searched (plan.max_replicas)"},
      {"rate_rel_tol", p->rate_rel_tol, "1", "relative bracket at which the rate bisection stops"},
  };
  for (size_t i = 0; ok && i < sizeof SCALARS / sizeof SCALARS[0]; i++)
    ok = put(w, SCALARS[i].name, 0, NULL, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &SCALARS[i].v, SCALARS[i].units,
             SCALARS[i].long_name, NULL, NULL);
  ok = ok && put(w, "config_yaml", 0, NULL, w->vstr, w->vstr, &yaml, "",
                 "the resolved scenario (every key, defaults filled in), YAML", NULL, NULL);
  for (size_t i = 0; ok && i < big; i++) idx[i] = (int64_t)i;
  ok = ok && put(w, "candidate", 1, &dn, H5T_NATIVE_INT64, H5T_STD_I64LE, idx, "1",
                 "rank of the candidate (0: cheapest meeting the SLO)", NULL, &w->candidate) &&
       H5DSset_scale(w->candidate, "candidate") >= 0 &&
       put(w, "replicate", 1, &dr, H5T_NATIVE_INT64, H5T_STD_I64LE, idx, "1", "Monte Carlo replicate index", NULL,
           &w->replicate) && H5DSset_scale(w->replicate, "replicate") >= 0;
  for (size_t c = 0; ok && c < NCOLS; c++) ok = put_column(w, p, &COLS[c], buf);
  double *rates = buf;
  for (size_t i = 0; ok && i < n; i++)
    for (size_t r = 0; r < R; r++) rates[i * R + r] = p->rows[i].rate_rep_per_s ? p->rows[i].rate_rep_per_s[r] : NAN;
  hid_t cr[2] = {w->candidate, w->replicate};
  ok = ok && put(w, "rate_replicate_per_s", 2, d2, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, rates, "1/s",
                 "largest arrival rate one replica sustains within the SLO, per replicate (bisection)", cr, NULL);
  free(cmd), free(buf), free(idx);
  return ok;
}

ss_status planout_write(const plan *p, const char *path, int argc, char *const *argv, ss_err *err) {
  char tmp[4096];
  writer w = {.file = -1, .vstr = -1, .candidate = -1, .replicate = -1};
  ss_status rc = SS_ECREATE;
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
    return ss_errorf(err, SS_ECREATE, "%s: path too long", path);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  errno = 0;
  if ((w.file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
    rc = ss_errorf(err, SS_ECREATE, "cannot create output %s: %s (check that the directory exists and is writable)",
                   tmp, errno ? strerror(errno) : "HDF5 could not create the file");
    return rc;
  }
  w.vstr = h5out_vstr_type();
  bool ok = write_all(&w, p, argc, argv);
  if (w.candidate >= 0) H5Dclose(w.candidate);
  if (w.replicate >= 0) H5Dclose(w.replicate);
  if (!ok) {
    rc = ss_errorf(err, SS_EIO, "%s: writing '%s' failed (disk full?)", tmp, w.failed ? w.failed : "?");
    goto fail;
  }
  rc = h5out_commit(&w.file, tmp, path, err);
fail:
  if (w.vstr >= 0) H5Tclose(w.vstr);
  if (w.file >= 0) H5Fclose(w.file);
  if (rc) remove(tmp);
  return rc;
}
