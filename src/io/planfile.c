/* planfile.c: the HDF5 file of `servesim plan`, through io/h5: a /candidate dimension scale (rank
 * order), one dataset per plan_row column from one table (COLS), the per-replicate sustainable rates,
 * the plan's inputs as scalars, the resolved scenario and provenance.
 * Invariant: the file appears under its final name only when written completely. */
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
  size_t off;
  const char *units, *long_name;
} plan_col;

#define C(m, k, u, l) \
  { #m, k, offsetof(plan_row, m), u, l }
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
  h5w *w;
  hid_t candidate, replicate;
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
  const struct {
    const char *name;
    double v;
    const char *units, *long_name;
  } SCALARS[] = {
      {"demand_per_s", p->demand_per_s, "1/s", "demand: workload.arrival.rate_per_s"},
      {"slo_ttft_p99_s", p->slo_ttft_s, "s", "objective on the 99th percentile of time to first token"},
      {"slo_tpot_p99_s", p->slo_tpot_s, "s", "objective on the 99th percentile of time per output token"},
      {"confidence", p->confidence, "1", "fraction of replicates that must meet both objectives (plan.confidence)"},
      {"max_replicas", p->max_replicas, "1", "largest replica count searched (plan.max_replicas)"},
      {"rate_rel_tol", p->rate_rel_tol, "1", "relative bracket at which the rate bisection stops"},
  };
  for (size_t i = 0; ok && i < sizeof SCALARS / sizeof SCALARS[0]; i++)
    ok = h5w_var(h, h->file, SCALARS[i].name, 0, NULL, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &SCALARS[i].v,
                 SCALARS[i].units, SCALARS[i].long_name, NULL, NULL);
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
  return ok && write_decision(h, p, w->replicate);
}

ss_status planfile_write(const plan *p, const char *path, int argc, char *const *argv, const char *const *inputs,
                         size_t n_inputs, ss_err *err) {
  h5w h;
  ss_status rc = h5w_create(&h, path, inputs, n_inputs, err);
  if (rc) return rc;
  writer w = {&h, H5I_INVALID_HID, H5I_INVALID_HID};
  bool ok = write_all(&w, p, argc, argv);
  if (w.candidate >= 0) H5Dclose(w.candidate);
  if (w.replicate >= 0) H5Dclose(w.replicate);
  if (!ok) return rc = h5w_failure(&h, err), h5w_abort(&h), rc;
  return h5w_commit(&h, err);
}
