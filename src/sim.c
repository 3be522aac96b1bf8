/* TEMPORARY stand-in for the event simulator; replaced at merge */
/* sim.c (stand-in): a toy multi-slot FCFS queue per deployment, so that the study, statistics and
 * HDF5 pipeline can be built and tested before the real discrete-event simulator lands. Each
 * replica has S = min(max_num_seqs, 32) slots; a request holds a slot for one prefill step of its
 * input plus output_tokens decode steps of a batch of S (both from perf_step_time). Arrivals and
 * lengths come from the rng streams keyed rng_key(seed, 0, replicate), as the real sim's do.
 * Nothing here models continuous batching, KV pressure or preemption: those rows are NAN or 0. */
#include "servesim/sim.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "servesim/perf.h"
#include "servesim/rng.h"

static uint32_t draw_len(const gsl_rng *r, const sc_lengths *l) {
  double v = l->dist == LEN_FIXED      ? l->value
             : l->dist == LEN_UNIFORM ? l->min + floor(gsl_rng_uniform(r) * (l->max - l->min + 1))
                                       : round(gsl_ran_lognormal(r, log(l->median), l->sigma));
  if (l->max && v > l->max) v = l->max;
  return v < 1 ? 1 : (uint32_t)v;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double quantile(double *x, size_t n, double q) {
  if (!n) return NAN;
  qsort(x, n, sizeof *x, cmp_double);
  double h = q * (double)(n - 1);
  size_t i = (size_t)h;
  return i + 1 < n ? x[i] + (h - (double)i) * (x[i + 1] - x[i]) : x[n - 1];
}

static double mean(const double *x, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += x[i];
  return n ? s / (double)n : NAN;
}

static ss_status log_append(sim_log *log, const sim_request_row *row) {
  if (log->n_req == log->cap_req) {
    size_t cap = log->cap_req ? 2 * log->cap_req : 256;
    sim_request_row *p = realloc(log->req, cap * sizeof *p);
    if (!p) return SS_EINTERNAL;
    log->req = p, log->cap_req = cap;
  }
  log->req[log->n_req++] = *row;
  return SS_OK;
}

ss_status sim_run(const scenario *sc, const sc_bound *b, uint64_t seed, uint64_t replicate, sim_result *out,
                  sim_log *log, ss_err *err) {
  perf_opts po;
  perf_ctx pc;
  ss_status rc;
  result_clear(out);
  perf_opts_from_scenario(sc, &po);
  if ((rc = perf_init(&pc, b, &po, err))) return rc;
  uint32_t slots_per = sc->dep.max_num_seqs < 32 ? sc->dep.max_num_seqs : 32, S = slots_per * sc->dep.replicas;
  batch_shape dec = {.n_decode = slots_per, .decode_ctx = slots_per * 1000.0, .n_sampled = slots_per};
  double tpot = perf_step_time(&pc, &dec);
  uint64_t key = rng_key(seed, 0, replicate);
  gsl_rng *ra = rng_stream(key, RNG_ARRIVALS), *ri = rng_stream(key, RNG_INPUT_LEN), *ro = rng_stream(key, RNG_OUTPUT_LEN);
  double *free_at = calloc(S, sizeof *free_at);
  size_t cap = 1024, n = 0;
  double *ttft = malloc(cap * sizeof *ttft), *tp = malloc(cap * sizeof *tp), *e2e = malloc(cap * sizeof *e2e),
         *qd = malloc(cap * sizeof *qd);
  double out_tok = 0, in_tok = 0, busy = 0, arrived = 0, unfinished = 0, good = 0;
  rc = ra && ri && ro && free_at && ttft && tp && e2e && qd ? SS_OK : SS_EINTERNAL;
  double rate = sc->arrival.rate_per_s, t = 0, W = sc->warmup_s, H = sc->duration_s;
  while (!rc && (t += gsl_ran_exponential(ra, 1.0 / rate)) < H) {
    uint32_t in = draw_len(ri, &sc->input), outn = draw_len(ro, &sc->output);
    size_t k = 0;
    for (size_t j = 1; j < S; j++) k = free_at[j] < free_at[k] ? j : k;
    batch_shape pre = {.n_prefill = 1, .prefill_tokens = in, .prefill_attn = in * in / 2.0, .n_sampled = 1};
    double start = fmax(t, free_at[k]), first = start + perf_step_time(&pc, &pre), done = first + (outn - 1) * tpot;
    free_at[k] = done;
    if (t < W) continue;
    arrived++;
    if (log && sc->out_requests &&
        log_append(log, &(sim_request_row){t, first < H ? first : NAN, done < H ? done : NAN, in, outn,
                                           (uint32_t)(k / slots_per), 0}))
      rc = SS_EINTERNAL;
    if (done >= H) { unfinished++; continue; }
    if (n == cap) {
      cap *= 2;
      double *a = realloc(ttft, cap * sizeof *a); if (a) ttft = a;
      double *c = realloc(tp, cap * sizeof *c);   if (c) tp = c;
      double *d = realloc(e2e, cap * sizeof *d);  if (d) e2e = d;
      double *e = realloc(qd, cap * sizeof *e);   if (e) qd = e;
      if (!a || !c || !d || !e) { rc = SS_EINTERNAL; break; }
    }
    ttft[n] = first - t, tp[n] = outn > 1 ? (done - first) / (outn - 1) : tpot, e2e[n] = done - t, qd[n] = start - t;
    good += ttft[n] <= sc->slo_ttft_s && tp[n] <= sc->slo_tpot_s;
    out_tok += outn, in_tok += in, busy += done - start, n++;
  }
  if (!rc) {
    double M = H - W;
    out->v[RM_measured_s] = M;
    out->v[RM_output_tok_s] = out_tok / M, out->v[RM_total_tok_s] = (out_tok + in_tok) / M, out->v[RM_req_s] = n / M;
    out->v[RM_requests_arrived] = arrived, out->v[RM_requests_finished] = (double)n;
    out->v[RM_requests_unfinished] = unfinished;
    out->v[RM_saturated] = unfinished > 0.05 * arrived ? 1 : 0;
    out->v[RM_gpu_busy_frac] = fmin(1, busy / (M * S)), out->v[RM_preemptions] = 0;
    out->v[RM_goodput_frac] = n ? good / (double)n : NAN;
    out->v[RM_ttft_mean_s] = mean(ttft, n), out->v[RM_tpot_mean_s] = mean(tp, n);
    out->v[RM_e2e_mean_s] = mean(e2e, n), out->v[RM_queue_mean_s] = mean(qd, n);
    out->v[RM_itl_mean_s] = out->v[RM_tpot_mean_s];
    out->v[RM_queue_p99_s] = quantile(qd, n, 0.99);
    static const struct { result_metric m; int which; double q; } Q[] = {
        {RM_ttft_p50_s, 0, .5}, {RM_ttft_p90_s, 0, .9}, {RM_ttft_p99_s, 0, .99}, {RM_tpot_p50_s, 1, .5},
        {RM_tpot_p90_s, 1, .9}, {RM_tpot_p99_s, 1, .99}, {RM_itl_p50_s, 1, .5},  {RM_itl_p99_s, 1, .99},
        {RM_e2e_p50_s, 2, .5},  {RM_e2e_p90_s, 2, .9},  {RM_e2e_p99_s, 2, .99}};
    double *cols[] = {ttft, tp, e2e};
    for (size_t i = 0; i < sizeof Q / sizeof Q[0]; i++) out->v[Q[i].m] = quantile(cols[Q[i].which], n, Q[i].q);
    if (log && sc->out_timeseries) {
      log->ts_interval_s = 10;
      size_t m = (size_t)(M / 10);
      log->ts = calloc(m ? m : 1, sizeof *log->ts);
      for (size_t i = 0; log->ts && i < m; i++)
        log->ts[i] = (sim_ts_row){W + 10.0 * (double)i, NAN, NAN, NAN};
      log->n_ts = log->cap_ts = log->ts ? m : 0;
    }
  } else {
    rc = ss_errorf(err, SS_EINTERNAL, "stand-in sim: out of memory");
  }
  gsl_rng_free(ra), gsl_rng_free(ri), gsl_rng_free(ro);
  free(free_at), free(ttft), free(tp), free(e2e), free(qd);
  return rc;
}

void sim_log_free(sim_log *log) {
  if (!log) return;
  free(log->req), free(log->ts);
  memset(log, 0, sizeof *log);
}
