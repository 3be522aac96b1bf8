/* plan.c: capacity planning over the candidates of a scenario's sweep: a memory-fit check, a replica
 * search (exponential then binary) on replicate counts meeting the SLO, and a per-replicate rate
 * bisection for one replica; then costing at each candidate's price and ranking.
 * Invariant: replicates run under OpenMP into their own slots and every decision is a count over
 * all replicates (or a count that can no longer change its outcome), so results never depend on
 * the schedule or the thread count. */
#include "study/plan.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "base/stats.h"
#include "config/resolve.h"
#include "physics/cost.h"
#include "physics/perf.h"
#include "sim/sim.h"
#include "study/capacity.h"
#include "study/costing.h"
#include "study/decision.h"
#include "study/study.h"

size_t plan_need(double confidence, size_t n_reps) {
  size_t need = (size_t)ceil(confidence * (double)n_reps - 1e-9);
  return need < 1 ? 1 : need > n_reps ? n_reps : need;
}

/* ---- one replicate ---- */

/* Replicate r of candidate c with `replicas` replicas at rate_per_s; s is scratch. */
static ss_status run_replicate(const plan_case *c, size_t r, uint32_t replicas, double rate_per_s, sc_point *s,
                               sim_result *res, bool *met, ss_err *err) {
  ss_status rc;
  *s = *c->pt;
  for (size_t i = 0; i < c->spec->n_unc; i++) scenario_apply_sample(s, &c->spec->unc[i], c->samples[i * c->n_reps + r]);
  s->sim.dep.replicas = replicas;
  s->sim.wl.rate_per_s = rate_per_s;
  if ((rc = resolve_point(c->spec, s, c->db, err))) return rc;
  if ((rc = sim_run(&s->sim, s->seed, r, res, NULL, err))) return rc;
  *met = result_meets_slo(res, s->sim.slo_ttft_s, s->sim.slo_tpot_s);
  return SS_OK;
}

/* Per-replicate slots of a parallel pass: status and message, so the lowest failing replicate's
 * error is the one reported whatever the schedule. */
typedef struct {
  ss_status *rc;
  ss_err *err;
  sc_point *scratch; /* [threads] */
  int threads;
} pass_slots;

static ss_status slots_open(pass_slots *p, const plan_case *c, ss_err *err) {
  p->threads = c->threads > 0 ? c->threads : omp_get_max_threads();
  p->rc = calloc(c->n_reps, sizeof *p->rc);
  p->err = calloc(c->n_reps, sizeof *p->err);
  p->scratch = malloc((size_t)p->threads * sizeof *p->scratch);
  if (p->rc && p->err && p->scratch) return SS_OK;
  free(p->rc), free(p->err), free(p->scratch);
  return ss_errorf(err, SS_ENOMEM, "out of memory for %zu replicates", c->n_reps);
}

static ss_status slots_close(pass_slots *p, size_t n_reps, ss_err *err) {
  ss_status rc = SS_OK;
  for (size_t r = 0; r < n_reps && !rc; r++)
    if ((rc = p->rc[r])) *err = p->err[r], ss_err_prefix(err, "replicate %zu: ", r);
  free(p->rc), free(p->err), free(p->scratch);
  return rc;
}

/* ---- replicas that meet the SLO ---- */

ss_status plan_count_met(const plan_case *c, uint32_t replicas, double rate_per_s, size_t need, size_t *n_met,
                         bool *met, sim_result *res, ss_err *err) {
  pass_slots p;
  ss_status rc = slots_open(&p, c, err);
  if (rc) return rc;
  bool *ok = calloc(c->n_reps, sizeof *ok);
  size_t allowed = c->n_reps - need, failed = 0, ran = 0;
  if (!ok) {
    slots_close(&p, 0, err);
    return ss_errorf(err, SS_ENOMEM, "out of memory for %zu replicate flags", c->n_reps);
  }
#pragma omp parallel for schedule(dynamic) num_threads(p.threads)
  for (size_t r = 0; r < c->n_reps; r++) {
    size_t seen;
#pragma omp atomic read
    seen = failed;
    if (seen > allowed) continue; /* the pass is already lost: the outcome cannot change */
    sim_result one, *out = res ? &res[r] : &one;
    p.rc[r] = run_replicate(c, r, replicas, rate_per_s, &p.scratch[omp_get_thread_num()], out, &ok[r], &p.err[r]);
    if (p.rc[r] || !ok[r]) {
#pragma omp atomic update
      failed += p.rc[r] ? allowed + 1 : 1;
    }
#pragma omp atomic update
    ran++;
  }
  rc = slots_close(&p, c->n_reps, err);
  *n_met = 0;
  for (size_t r = 0; r < c->n_reps; r++) *n_met += ok[r];
  *met = *n_met >= need;
  if (c->sim_runs) *c->sim_runs += ran;
  free(ok);
  return rc;
}

/* One step of the replica search; a pass keeps its replicates in res (the last pass is the answer's,
 * so it is never run again). */
static ss_status try_replicas(const plan_case *c, uint32_t replicas, size_t need, sim_result *tmp, sim_result *res,
                              size_t *n_met, bool *met, ss_err *err) {
  size_t got;
  ss_status rc = plan_count_met(c, replicas, c->pt->sim.wl.rate_per_s, need, &got, met, tmp, err);
  if (rc || !*met) return rc;
  *n_met = got;
  if (res) memcpy(res, tmp, c->n_reps * sizeof *tmp);
  return SS_OK;
}

ss_status plan_min_replicas(const plan_case *c, uint32_t max_replicas, size_t need, uint32_t *replicas, size_t *n_met,
                            sim_result *res, ss_err *err) {
  uint32_t lo = 0, hi = 1; /* lo fails (0 replicas serve nothing); hi is the next to try, then the best pass */
  sim_result *tmp = malloc(c->n_reps * sizeof *tmp);
  bool met = false;
  ss_status rc = tmp ? SS_OK : ss_errorf(err, SS_ENOMEM, "out of memory");
  *replicas = 0, *n_met = 0;
  while (!rc && !(rc = try_replicas(c, hi, need, tmp, res, n_met, &met, err)) && !met && hi < max_replicas)
    lo = hi, hi = hi > max_replicas / 2 ? max_replicas : 2 * hi;
  while (!rc && met && hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    bool mid_met;
    if (!(rc = try_replicas(c, mid, need, tmp, res, n_met, &mid_met, err))) *(mid_met ? &hi : &lo) = mid;
  }
  if (!rc && met) *replicas = hi;
  free(tmp);
  return rc;
}

/* ---- the rate one replica sustains ---- */

/* Largest rate replicate r sustains with one replica (capacity_search on the candidate's point with
 * the replicate's samples applied). */
static ss_status replicate_max_rate(const plan_case *c, size_t r, double guess, double rel_tol, sc_point *s,
                                    double *out, double *tok_s, uint64_t *runs, ss_err *err) {
  capacity cap;
  ss_status rc;
  *s = *c->pt;
  for (size_t i = 0; i < c->spec->n_unc; i++) scenario_apply_sample(s, &c->spec->unc[i], c->samples[i * c->n_reps + r]);
  s->sim.dep.replicas = 1;
  if ((rc = resolve_point(c->spec, s, c->db, err))) return rc;
  rc = capacity_search(&s->sim, s->seed, r, guess, rel_tol, &cap, err);
  *runs += cap.runs;
  *out = cap.rate_per_s;
  if (tok_s) *tok_s = cap.output_tok_s;
  return rc;
}

ss_status plan_max_rate(const plan_case *c, double guess_per_s, double rel_tol, double *rate_per_s,
                        double *output_tok_s, ss_err *err) {
  pass_slots p;
  ss_status rc = slots_open(&p, c, err);
  if (rc) return rc;
  uint64_t *runs = calloc(c->n_reps, sizeof *runs);
  if (!runs) {
    slots_close(&p, 0, err);
    return ss_errorf(err, SS_ENOMEM, "out of memory for %zu replicate counters", c->n_reps);
  }
#pragma omp parallel for schedule(dynamic) num_threads(p.threads)
  for (size_t r = 0; r < c->n_reps; r++)
    p.rc[r] = replicate_max_rate(c, r, guess_per_s, rel_tol, &p.scratch[omp_get_thread_num()], &rate_per_s[r],
                                 output_tok_s ? &output_tok_s[r] : NULL, &runs[r], &p.err[r]);
  for (size_t r = 0; c->sim_runs && r < c->n_reps; r++) *c->sim_runs += runs[r];
  free(runs);
  return slots_close(&p, c->n_reps, err);
}

/* ---- candidates ---- */

/* "h100-sxm-80gb fp8 tp=2 on_demand": text values as given, numbers as last-key-part=value. */
static void make_label(const study_spec *sc, size_t p, char *buf, size_t len) {
  size_t nf, used = 0, div = scenario_points(sc);
  const kt_field *f = scenario_fields(&nf);
  buf[0] = '\0';
  for (size_t i = 0; i < sc->n_axes && used < len; i++) {
    const sc_axis *ax = &sc->axes[i];
    const kt_field *k = &f[ax->key];
    const char *dot = strrchr(k->key, '.');
    div /= ax->n;
    const char *v = ax->values[(p / div) % ax->n];
    if (kt_is_numeric(k) && k->type != KT_ENUM)
      used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", i ? " " : "", dot ? dot + 1 : k->key, v);
    else
      used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "", v);
  }
  if (!sc->n_axes) snprintf(buf, len, "%s", sc->base.gpu);
}

/* What the simulation of one group of candidates found. */
typedef struct {
  bool done;
  plan_status status;
  char reason[PLAN_REASON_LEN];
  uint32_t replicas;
  size_t n_met;
  sim_result *res; /* [n_reps] at `replicas` */
  double *rate;    /* [n_reps] */
  double *tok_s;   /* [n_reps]: output tokens per second at that rate */
} sim_group;

static ss_status simulate_group(const plan *pl, const plan_case *c, sim_group *g, ss_err *err) {
  perf_opts po;
  perf_ctx *ctx = malloc(sizeof *ctx);
  ss_err why = {{0}};
  size_t need = plan_need(pl->confidence, pl->n_reps);
  g->done = true;
  if (!ctx) return ss_errorf(err, SS_ENOMEM, "out of memory");
  sim_config_perf_opts(&c->pt->sim, &po);
  bool fits = perf_init(ctx, &c->pt->sim.dep.hw, &po, &why) == SS_OK;
  free(ctx);
  if (!fits) {
    g->status = PLAN_NO_FIT;
    snprintf(g->reason, sizeof g->reason, "%.*s", (int)sizeof g->reason - 1, why.msg);
    return SS_OK;
  }
  ss_status rc = plan_min_replicas(c, pl->max_replicas, need, &g->replicas, &g->n_met, g->res, err);
  if (rc) return rc;
  g->status = g->replicas ? PLAN_MET : PLAN_NOT_MET;
  if (!g->replicas)
    snprintf(g->reason, sizeof g->reason,
             "the SLO is not met in %zu of %zu replicates even with %u replicas "
             "(plan.max_replicas)",
             need, pl->n_reps, pl->max_replicas);
  return plan_max_rate(c, pl->demand_per_s / (g->replicas ? g->replicas : pl->max_replicas), pl->rate_rel_tol, g->rate,
                       g->tok_s, err);
}

static double mean_of(const double *x, size_t n) {
  double s = 0;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i])) s += x[i], k++;
  return k ? s / (double)k : NAN;
}

/* The fleet's capacity at the SLO: one replica's bisected rate (and its output tok/s) times the
 * replicas, linear as headroom is; then utilisation = demand / capacity, as in `servesim run`. */
static void set_capacity(const plan *pl, const sim_group *g, size_t r, sim_result *res) {
  double R = g->replicas;
  res->v[RM_capacity_req_s] = g->rate[r] * R;
  res->v[RM_capacity_output_tok_s] = g->tok_s[r] * R;
  res->v[RM_utilisation] = g->rate[r] > 0 ? pl->demand_per_s / (g->rate[r] * R) : INFINITY;
}

/* Prices group g at point pt's cost keys, replicate by replicate (sampled prices included), and
 * every compare_api entry on each replicate's request mix (costing_api, as `servesim run` does). */
static ss_status fill_row(const plan *pl, const study_spec *spec, const hwdb *db, const sc_point *pt,
                          const double *samples, const sim_group *g, plan_row *row, ss_err *err) {
  enum { NCOL = 8 }; /* $/GPU-h, $/h, $/1M, TTFT, TPOT, tok/s, rate, utilisation; then the API rows */
  size_t n = pl->n_reps, nf, need = plan_need(pl->confidence, n), A = pl->n_apis;
  const kt_field *f = scenario_fields(&nf);
  const hwdb_bound *b = &pt->sim.dep.hw;
  double *col = calloc((NCOL + A * CA_COUNT) * n, sizeof *col), *scratch = malloc(n * sizeof *scratch);
  double *api = col + NCOL * n; /* [A][CA_COUNT][n] */
  sc_point *s = malloc(sizeof *s);
  ss_status rc = SS_OK;
  if (!col || !scratch || !s) {
    rc = ss_errorf(err, SS_ENOMEM, "out of memory for the costs of %zu replicates", n);
    goto fail;
  }
  snprintf(row->gpu, sizeof row->gpu, "%s", b->gpu->id);
  snprintf(row->weights, sizeof row->weights, "%s", b->weights->id);
  snprintf(row->engine, sizeof row->engine, "%s", b->engine->id);
  kt_format(kt_find(f, nf, "pricing.tier"), pt, row->tier, sizeof row->tier);
  row->tp = pt->sim.dep.tp;
  row->status = g->status;
  snprintf(row->reason, sizeof row->reason, "%s", g->reason);
  row->replicas = g->replicas;
  row->gpus = (double)g->replicas * sim_config_gpus_per_replica(&pt->sim.dep) +
              pt->sim.dep.disagg.replicas * (double)pt->sim.dep.disagg.tp;
  row->slo_met_frac = g->replicas ? (double)g->n_met / (double)n : NAN;
  for (size_t r = 0; r < n; r++) {
    sim_result res = g->res[r];
    *s = *pt;
    for (size_t i = 0; i < spec->n_unc; i++) scenario_apply_sample(s, &spec->unc[i], samples[i * n + r]);
    s->sim.dep.replicas = g->replicas ? g->replicas : 1;
    ss_err why = {{0}};
    if (cost_price(db, s->gpu, &s->cost, s->provider, &col[r], NULL, &why)) { /* listed with the reason */
      col[r] = NAN;
      if (!row->reason[0])
        snprintf(row->reason, sizeof row->reason, "not priced: %.*s", (int)sizeof row->reason - 16, why.msg);
    }
    cost_fleet fleet = costing_fleet(s, &res);
    if (g->replicas) costing_fill(&fleet, col[r], &res), set_capacity(pl, g, r, &res);
    double v[] = {res.v[RM_usd_per_hour], res.v[RM_usd_per_1m_output], res.v[RM_ttft_p99_s], res.v[RM_tpot_p99_s],
                  res.v[RM_output_tok_s], g->rate ? g->rate[r] : NAN,  res.v[RM_utilisation]};
    for (size_t k = 0; k < 7; k++) col[(k + 1) * n + r] = g->replicas || k == 5 ? v[k] : NAN;
    for (size_t a = 0; a < A; a++) {
      double va[CA_COUNT];
      costing_api(&s->cost, &fleet, hwdb_api(db, s->compare_api[a]), col[r], &res, va);
      for (size_t m = 0; m < CA_COUNT; m++) api[(a * CA_COUNT + m) * n + r] = g->replicas ? va[m] : NAN;
    }
  }
  double *fields[] = {&row->usd_per_gpu_hour, &row->usd_per_hour, &row->usd_per_1m_output,
                      &row->ttft_p99_s,       &row->tpot_p99_s,   &row->output_tok_s};
  for (size_t k = 0; k < 6; k++) *fields[k] = mean_of(&col[k * n], n);
  row->utilisation = mean_of(&col[7 * n], n);
  for (size_t a = 0; a < A; a++)
    for (size_t m = 0; m < CA_COUNT; m++) row->api[a][m] = mean_of(&api[(a * CA_COUNT + m) * n], n);
  row->rate_mean_per_s = row->rate_ci95_lo_per_s = row->rate_ci95_hi_per_s = NAN;
  row->rate_at_confidence_per_s = row->headroom = NAN;
  if (g->status != PLAN_NO_FIT) {
    stats_summary sum;
    stats_summarise(&col[6 * n], n, 1, 0, scratch, &sum);
    row->rate_mean_per_s = sum.v[ST_mean];
    row->rate_ci95_lo_per_s = sum.v[ST_ci95_lo], row->rate_ci95_hi_per_s = sum.v[ST_ci95_hi];
    memcpy(scratch, &col[6 * n], n * sizeof *scratch);
    for (size_t i = 1; i < n; i++) /* insertion sort: n is a replicate count */
      for (size_t j = i; j > 0 && scratch[j - 1] > scratch[j]; j--) {
        double t = scratch[j];
        scratch[j] = scratch[j - 1], scratch[j - 1] = t;
      }
    row->rate_at_confidence_per_s = scratch[n - need];
    memcpy(row->rate_rep_per_s, &col[6 * n], n * sizeof *row->rate_rep_per_s);
  }
  if (g->replicas) row->headroom = row->rate_mean_per_s * g->replicas / pl->demand_per_s - 1;
fail:
  free(col), free(scratch), free(s);
  return rc;
}

/* a before b (-1), after (1) or tied (0), with NAN after every number. */
static int cmp_nan_last(double a, double b) {
  if (isnan(a) || isnan(b)) return isnan(a) - isnan(b);
  return (a > b) - (a < b);
}

/* Met by $/hour then $/1M output (unpriced last); then not met; then not fitting; ties in sweep order. */
static int rank_cmp(const void *a, const void *b) {
  const plan_row *x = a, *y = b;
  int c = (x->status > y->status) - (x->status < y->status);
  if (!c && x->status == PLAN_MET) c = cmp_nan_last(x->usd_per_hour, y->usd_per_hour);
  if (!c && x->status == PLAN_MET) c = cmp_nan_last(x->usd_per_1m_output, y->usd_per_1m_output);
  return c ? c : (x->point > y->point) - (x->point < y->point);
}

static ss_status describe(const study_spec *sc, const hwdb *db, plan *pl, ss_err *err) {
  study provenance = {0};
  study_describe_inputs(sc, db, &provenance);
  snprintf(pl->hwdb_dir, sizeof pl->hwdb_dir, "%s", provenance.hwdb_dir);
  snprintf(pl->hwdb_sha256, sizeof pl->hwdb_sha256, "%s", provenance.hwdb_sha256);
  memcpy(pl->input_files, provenance.input_files, sizeof pl->input_files);
  pl->n_input_files = provenance.n_input_files;
  pl->notes = provenance.notes; /* owned by the plan now */
  pl->n_apis = sc->base.n_compare_api;
  memcpy(pl->api_ids, provenance.api_ids, sizeof pl->api_ids);
  size_t nf, len = 0;
  const kt_field *f = scenario_fields(&nf);
  FILE *mem = open_memstream(&pl->config_yaml, &len);
  if (!mem) return ss_errorf(err, SS_ENOMEM, "cannot open a memory stream for the scenario echo");
  scenario_echo(mem, sc);
  fclose(mem);
  const sc_point *b = &sc->base;
  snprintf(pl->name, sizeof pl->name, "%s", b->name);
  pl->seed = b->seed;
  pl->demand_per_s = b->sim.wl.rate_per_s;
  pl->slo_ttft_s = b->sim.slo_ttft_s, pl->slo_tpot_s = b->sim.slo_tpot_s;
  pl->confidence = b->plan.confidence, pl->rate_rel_tol = b->plan.rate_rel_tol;
  pl->max_replicas = b->plan.max_replicas;
  pl->model_error = b->model_error != 0;
  pl->n_reps = b->replicates, pl->n_axes = sc->n_axes;
  for (size_t i = 0; i < sc->n_axes; i++)
    snprintf(pl->axis_keys[i], sizeof pl->axis_keys[i], "%s", f[sc->axes[i].key].key);
  int proc = b->sim.wl.process;
  if (proc != ARR_POISSON && proc != ARR_GAMMA && proc != ARR_DIURNAL)
    return ss_errorf(err, SS_EDATA,
                     "%s: key 'workload.arrival.process': plan needs a demand rate; allowed: poisson, "
                     "gamma or diurnal (workload.arrival.rate_per_s is the demand)",
                     sc->file);
  return SS_OK;
}

/* How sure the answer is (study/decision), for the top-ranked candidate when it met the SLO. */
static ss_status decide(plan *pl, const study_spec *sc, const hwdb *db, const double *samples, int threads,
                        ss_err *err) {
  if (!pl->n_rows || pl->rows[0].status != PLAN_MET) return SS_OK;
  const plan_row *row = &pl->rows[0];
  sc_point *pt = malloc(sizeof *pt);
  plan_decision *d = calloc(1, sizeof *d);
  ss_status rc = pt && d ? scenario_point(sc, row->point, db, pt, err) : ss_errorf(err, SS_ENOMEM, "out of memory");
  plan_case c = {sc, pt, db, pl->n_reps, samples, threads, &pl->sim_runs};
  size_t n_met = (size_t)llround(row->slo_met_frac * (double)pl->n_reps);
  if (!rc) rc = decision_compute(&c, row->replicas, n_met, pl->demand_per_s, pl->confidence, pl->rate_rel_tol, d, err);
  if (!rc) d->point = row->point, snprintf(d->label, sizeof d->label, "%s", row->label), pl->decision = d;
  if (rc && d) decision_free(d), free(d);
  free(pt);
  return rc;
}

ss_status plan_run(const study_spec *sc, const hwdb *db, const plan_opts *o, plan *pl, ss_err *err) {
  size_t n_points = scenario_points(sc), n_sim = scenario_group_count(sc, scenario_is_cost_key),
         n = sc->base.replicates;
  /* one block per kind of array: a group's results and rates, a row's per-replicate rates */
  sim_group *groups = calloc(n_sim, sizeof *groups);
  sim_result *group_res = malloc(n_sim * n * sizeof *group_res);
  double *group_rate = malloc(2 * n_sim * n * sizeof *group_rate); /* rates, then output tok/s at them */
  double *samples = malloc((sc->n_unc * n + 1) * sizeof *samples);
  sc_point *pt = malloc(sizeof *pt);
  ss_status rc = SS_OK;
  memset(pl, 0, sizeof *pl);
  pl->rows = calloc(n_points, sizeof *pl->rows);
  pl->rate_rep = malloc(n_points * n * sizeof *pl->rate_rep);
  if (!groups || !group_res || !group_rate || !samples || !pt || !pl->rows || !pl->rate_rep) {
    rc = ss_errorf(err, SS_ENOMEM, "out of memory for %zu candidates", n_points);
    goto fail;
  }
  for (size_t s = 0; s < n_sim; s++)
    groups[s].res = group_res + s * n, groups[s].rate = group_rate + s * n,
    groups[s].tok_s = group_rate + (n_sim + s) * n;
  for (size_t i = 0; i < n_sim * n; i++) result_clear(&group_res[i]), group_rate[i] = group_rate[n_sim * n + i] = NAN;
  for (size_t i = 0; i < n_points * n; i++) pl->rate_rep[i] = NAN;
  if ((rc = describe(sc, db, pl, err))) goto fail;
  if (!rc) rc = design_sample_plain(sc, n, samples, err);
  for (size_t p = 0; p < n_points && !rc; p++) {
    sim_group *g = &groups[scenario_group_index(sc, p, scenario_is_cost_key)];
    plan_row *row = &pl->rows[pl->n_rows];
    row->point = p;
    row->rate_rep_per_s = pl->rate_rep + pl->n_rows * n;
    make_label(sc, p, row->label, sizeof row->label);
    if ((rc = scenario_point(sc, p, db, pt, err))) break;
    if (!g->done) {
      plan_case c = {sc, pt, db, n, samples, o->threads, &pl->sim_runs};
      rc = simulate_group(pl, &c, g, err);
      if (rc) ss_err_prefix(err, "candidate %s: ", row->label);
      if (!rc && o->progress)
        fprintf(o->progress, "plan: %-40s %s\n", row->label,
                g->status == PLAN_MET       ? "simulated"
                : g->status == PLAN_NOT_MET ? "SLO not met"
                                            : "does not fit");
    }
    if (!rc) rc = fill_row(pl, sc, db, pt, samples, g, row, err);
    if (!rc) pl->n_rows++;
  }
  if (!rc) qsort(pl->rows, pl->n_rows, sizeof *pl->rows, rank_cmp);
  if (!rc) rc = decide(pl, sc, db, samples, o->threads, err);
fail:
  free(groups), free(group_res), free(group_rate), free(samples), free(pt);
  if (rc) plan_free(pl);
  return rc;
}

void plan_free(plan *p) {
  if (p->decision) decision_free(p->decision), free(p->decision);
  free(p->rows), free(p->rate_rep), free(p->config_yaml), free(p->notes);
  memset(p, 0, sizeof *p);
}
