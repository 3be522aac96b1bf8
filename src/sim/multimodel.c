/* multimodel.c: the multi-model replicate of multimodel.h. Requests are drawn from the scenario's
 * traffic (stream RNG_ARRIVALS and the length streams, as a single deployment draws them), the cache and
 * escalation draws come from their own streams (RNG_CACHE, RNG_ESCALATE), and each deployment runs as
 * a trace-fed replicate whose request log maps back to the original requests through its arrival order. */
#include "sim/multimodel.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "sim/windows.h"
#include "sim/workload.h"

#define NONE    UINT32_MAX
#define CACHE   (SIM_MAX_POOLS) /* the "deployment" of a cached answer */
#define DRAIN_S 60.0            /* as sim.c: escalations are taken at least this long after the horizon */

typedef struct {
  double t;
  uint32_t in, out;
} mm_req;

/* One deployment's part: its configuration, the requests it gets (a trace), and what it did. */
typedef struct {
  sim_config cfg;
  sim_trace tr;
  uint32_t *orig; /* [tr.n]: the original request of each trace row */
  size_t cap;
  sim_result res;
  sim_log log;
  sim_stats st;
  metrics_acc acc;
} mm_pool;

/* The answer a request finally got. */
typedef struct {
  double first_s, finish_s, sched_s;
  uint32_t pool, row; /* pool CACHE: answered from the cache */
} mm_final;

typedef struct {
  const sim_config *c;
  uint32_t n_pools;
  mm_req *req;
  uint32_t *dest; /* first deployment of each request, CACHE for a cached one */
  size_t n_req, cap_req;
  mm_pool *pool;
  mm_final *fin;
  uint8_t *escalated;
  gsl_rng *r_cache, *r_esc;
  ss_err *err;
} mm_run_state;

/* ---- growing arrays ---- */

static bool push_request(mm_run_state *m, double t, uint32_t in, uint32_t out) {
  if (m->n_req == m->cap_req) {
    size_t cap = m->cap_req ? 2 * m->cap_req : 4096;
    mm_req *r = realloc(m->req, cap * sizeof *r);
    if (!r) return false;
    m->req = r, m->cap_req = cap;
  }
  m->req[m->n_req++] = (mm_req){t, in, out};
  return true;
}

static bool push_row(mm_pool *p, double t, uint32_t in, uint32_t out, uint32_t orig) {
  sim_trace *tr = &p->tr;
  if (tr->n == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 4096;
    double *ts = realloc(tr->t_s, cap * sizeof *ts);
    if (ts) tr->t_s = ts;
    uint32_t *a = ts ? realloc(tr->in, cap * sizeof *a) : NULL;
    if (a) tr->in = a;
    uint32_t *b = a ? realloc(tr->out, cap * sizeof *b) : NULL;
    if (b) tr->out = b;
    uint32_t *o = b ? realloc(p->orig, cap * sizeof *o) : NULL;
    if (!o) return false;
    p->orig = o, p->cap = cap;
  }
  tr->t_s[tr->n] = t, tr->in[tr->n] = in, tr->out[tr->n] = out, p->orig[tr->n] = orig;
  if (in + out > tr->max_total) tr->max_total = in + out;
  tr->n++;
  return true;
}

/* ---- traffic ---- */

/* The first deployment of a request: by its prompt length (class), or the first (cascade). */
static uint32_t first_pool(const sim_config *c, uint32_t in) {
  const sim_routing *r = &c->route;
  if (r->mode == MR_CASCADE) return 0;
  uint32_t i = 0;
  while (i < r->n_class_tokens && i < c->n_pools && in > r->class_tokens[i]) i++;
  return i;
}

static ss_status draw_traffic(mm_run_state *m, uint64_t key) {
  const sim_config *c = m->c;
  wl_gen *g = NULL;
  ss_status rc = wl_init(&g, &c->wl, key, m->err);
  if (rc) return rc;
  wl_req r;
  while (wl_next(g, &r) && r.t_s < c->duration_s)
    if (!push_request(m, r.t_s, r.input_tokens, r.output_tokens)) {
      rc = ss_errorf(m->err, SS_ENOMEM, "out of memory for %zu requests", m->n_req);
      break;
    }
  wl_free(g);
  if (!rc && !(m->dest = malloc((m->n_req ? m->n_req : 1) * sizeof *m->dest)))
    rc = ss_errorf(m->err, SS_ENOMEM, "out of memory for %zu requests", m->n_req);
  for (size_t j = 0; !rc && j < m->n_req; j++) {
    bool cached = c->route.cache_hit_frac > 0 && gsl_rng_uniform(m->r_cache) < c->route.cache_hit_frac;
    m->dest[j] = cached ? CACHE : first_pool(c, m->req[j].in);
  }
  return rc;
}

/* ---- the deployments ---- */

/* Deployment i's configuration: the scenario with that deployment's hardware, fleet and SLO, fed a trace. */
static void pool_config(const sim_config *c, uint32_t i, mm_pool *p) {
  sim_config *pc = &p->cfg;
  *pc = *c;
  if (i > 0) {
    const sim_pool *sp = &c->pools[i - 1];
    pc->dep = sp->dep, pc->slo_ttft_s = sp->slo_ttft_s, pc->slo_tpot_s = sp->slo_tpot_s;
    sim_fleet f = sp->fleet;
    f.windows = c->fleet.windows, f.window_s = c->fleet.window_s;
    pc->fleet = f;
  }
  pc->n_pools = 0;
  memset(&pc->route, 0, sizeof pc->route);
  pc->wl.process = ARR_TRACE, pc->wl.trace = &p->tr, pc->wl.time_scale = 1, pc->wl.resample = RESAMPLE_NONE;
  pc->log_requests = true, pc->log_timeseries = false;
  /* a cascade's later deployments take escalations of requests that arrived before the horizon */
  if (c->route.mode == MR_CASCADE && i > 0)
    pc->arrivals_until_s = c->duration_s + fmax(DRAIN_S, 0.5 * (c->duration_s - c->warmup_s));
}

/* Runs deployment i, then passes its escalations to deployment i + 1 (cascade). */
static ss_status run_pool(mm_run_state *m, uint32_t i, uint64_t seed, uint64_t replicate) {
  mm_pool *p = &m->pool[i];
  sim_opts o = {.metrics_out = &p->acc};
  uint64_t s = i ? rng_splitmix64(seed + i) : seed; /* a deployment's spot and failure draws are its own */
  ss_status rc = sim_run_opts(&p->cfg, s, replicate, &o, &p->res, &p->log, &p->st, m->err);
  if (rc) {
    ss_err_prefix(m->err, "deployment %s: ", p->cfg.name[0] ? p->cfg.name : "main");
    return rc;
  }
  bool cascade = m->c->route.mode == MR_CASCADE && i + 1 < m->n_pools;
  for (size_t k = 0; k < p->log.n_req; k++) {
    const sim_request_row *row = &p->log.req[k];
    uint32_t j = p->orig[row->seq];
    if (isnan(row->finish_s)) {
      m->fin[j] = (mm_final){NAN, NAN, row->sched_s, i, (uint32_t)k};
      continue;
    }
    if (cascade && gsl_rng_uniform(m->r_esc) < m->c->route.escalate_frac) {
      m->escalated[j] = 1;
      if (!push_row(&m->pool[i + 1], row->finish_s, row->input_tokens, row->output_tokens, j))
        return ss_errorf(m->err, SS_ENOMEM, "out of memory for escalated requests");
      continue;
    }
    double sched = i && m->fin[j].pool != NONE ? m->fin[j].sched_s : row->sched_s; /* first scheduled anywhere */
    m->fin[j] = (mm_final){row->first_token_s, row->finish_s, sched, i, (uint32_t)k};
  }
  return SS_OK;
}

/* ---- the combined result ---- */

/* A finished answer, in the order the metrics take them: finish time, then the cache before the
 * deployments in order, then each one's log order (for one deployment alone: exactly its own order). */
typedef struct {
  double t;
  uint64_t order;
  uint32_t j;
} mm_done;

static int done_cmp(const void *a, const void *b) {
  const mm_done *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return (x->order > y->order) - (x->order < y->order);
}

static bool in_window(const sim_config *c, double t) { return t >= c->warmup_s && t < c->duration_s; }

/* The rows that come from the deployments' own work: busy and KV as replica-time means, power as a
 * GPU mean, the busiest deployment's longest queue; fleet rows summed. */
static void pool_rows(const mm_run_state *m, sim_result *out, double T) {
  double R = 0, busy = 0, kv = 0, kvmax = 0, G = 0, P = 0, qmax = 0;
  static const fleet_metric SUMS[] = {
      FM_replicas_mean,      FM_replicas_max, FM_replicas_billed_mean, FM_billed_gpu_hours_spot, FM_cold_starts,
      FM_spot_interruptions, FM_failures,     FM_requests_requeued,    FM_requests_lost};
  for (size_t k = 0; k < sizeof SUMS / sizeof SUMS[0]; k++) out->f[SUMS[k]] = 0;
  for (uint32_t i = 0; i < m->n_pools; i++) {
    const mm_pool *p = &m->pool[i];
    const sim_result *r = &p->res;
    double Ri = r->f[FM_replicas_mean], Gi = r->f[FM_replicas_billed_mean] * p->cfg.dep.tp;
    R += Ri, busy += p->acc.busy_s, G += Gi;
    if (isfinite(r->v[RM_kv_occupancy_mean])) kv += r->v[RM_kv_occupancy_mean] * Ri;
    if (isfinite(r->v[RM_gpu_power_w_mean])) P += r->v[RM_gpu_power_w_mean] * Gi;
    kvmax = fmax(kvmax, r->v[RM_kv_occupancy_max]), qmax = fmax(qmax, r->v[RM_queue_len_max]);
    for (size_t k = 0; k < sizeof SUMS / sizeof SUMS[0]; k++) out->f[SUMS[k]] += r->f[SUMS[k]];
  }
  out->v[RM_gpu_busy_frac] = R > 0 ? busy / (R * T) : NAN;
  out->v[RM_kv_occupancy_mean] = R > 0 ? kv / R : NAN;
  out->v[RM_kv_occupancy_max] = kvmax;
  out->v[RM_gpu_power_w_mean] = G > 0 ? P / G : NAN;
  out->v[RM_queue_len_max] = qmax;
  out->f[FM_cold_start_s] = m->pool[0].res.f[FM_cold_start_s];
}

/* Per deployment: its answers against its own SLO, its work and its GPU-hours. */
static void per_pool_rows(const mm_run_state *m, const metrics_acc *pacc, sim_result *out, double T) {
  for (uint32_t i = 0; i < m->n_pools; i++) {
    const mm_pool *p = &m->pool[i];
    double *v = out->pool[i];
    double ttft = metrics_hist_quantile(&pacc[i].ttft, 0.99), tpot = metrics_hist_quantile(&pacc[i].tpot, 0.99);
    v[PM_answered] = (double)pacc[i].finished;
    v[PM_ttft_p99_s] = ttft, v[PM_tpot_p99_s] = tpot;
    v[PM_slo_met] = pacc[i].finished && !(p->res.v[RM_saturated] > 0.5) && ttft <= p->cfg.slo_ttft_s &&
                    (isnan(tpot) || tpot <= p->cfg.slo_tpot_s);
    v[PM_output_tok_s] = p->res.v[RM_output_tok_s];
    v[PM_replicas_mean] = p->res.f[FM_replicas_mean];
    v[PM_billed_gpu_hours] = p->res.f[FM_replicas_billed_mean] * p->cfg.dep.tp * T / 3600.0;
    v[PM_billed_gpu_hours_spot] = p->res.f[FM_billed_gpu_hours_spot];
  }
}

/* The windows: requests from the combined answers, everything else summed over the deployments. */
static ss_status windows_rows(const mm_run_state *m, const win_set *w, sim_log *log) {
  size_t n = win_count(w);
  for (uint32_t i = 0; i < m->n_pools; i++)
    if (m->pool[i].log.n_win != n)
      return ss_errorf(m->err, SS_EINTERNAL, "deployment %u kept %zu windows, not %zu", i, m->pool[i].log.n_win, n);
  free(log->win), free(log->win_pool_gpu_h);
  log->win = malloc((n ? n : 1) * sizeof *log->win);
  log->win_pool_gpu_h = calloc(n * SIM_MAX_POOLS * 2 + 1, sizeof *log->win_pool_gpu_h);
  if (!log->win || !log->win_pool_gpu_h) return ss_errorf(m->err, SS_ENOMEM, "out of memory for %zu windows", n);
  log->n_win = log->cap_win = n;
  for (size_t k = 0; k < n; k++) {
    sim_window_row *row = &log->win[k];
    win_row(w, k, row);
    double len = row->t_end_s - row->t_start_s, busy = 0, serving = 0;
    row->output_tok_s = row->replicas_mean = row->replicas_billed_mean = row->billed_gpu_hours = 0;
    row->billed_gpu_hours_spot = row->cold_starts = row->spot_interruptions = row->failures = row->requests_lost = 0;
    for (uint32_t i = 0; i < m->n_pools; i++) {
      const sim_window_row *pk = &m->pool[i].log.win[k];
      row->output_tok_s += pk->output_tok_s, row->replicas_mean += pk->replicas_mean;
      row->replicas_billed_mean += pk->replicas_billed_mean, row->billed_gpu_hours += pk->billed_gpu_hours;
      row->billed_gpu_hours_spot += pk->billed_gpu_hours_spot, row->cold_starts += pk->cold_starts;
      row->spot_interruptions += pk->spot_interruptions, row->failures += pk->failures;
      row->requests_lost += pk->requests_lost;
      if (isfinite(pk->busy_frac)) busy += pk->busy_frac * pk->replicas_mean * len, serving += pk->replicas_mean * len;
      log->win_pool_gpu_h[(k * SIM_MAX_POOLS + i) * 2] = pk->billed_gpu_hours - pk->billed_gpu_hours_spot;
      log->win_pool_gpu_h[(k * SIM_MAX_POOLS + i) * 2 + 1] = pk->billed_gpu_hours_spot;
    }
    row->busy_frac = serving > 0 ? busy / serving : NAN;
  }
  return SS_OK;
}

/* The request log: finished answers in the metrics' order, then the unfinished ones by deployment. */
static ss_status request_rows(const mm_run_state *m, const mm_done *d, size_t n_done, sim_log *log) {
  size_t n = n_done;
  for (uint32_t i = 0; i < m->n_pools; i++)
    for (size_t k = 0; k < m->pool[i].log.n_req; k++) n += isnan(m->pool[i].log.req[k].finish_s) ? 1 : 0;
  free(log->req);
  if (!(log->req = malloc((n ? n : 1) * sizeof *log->req))) return ss_errorf(m->err, SS_ENOMEM, "out of memory");
  log->n_req = log->cap_req = 0;
  for (size_t k = 0; k < n_done; k++) {
    uint32_t j = d[k].j;
    const mm_final *f = &m->fin[j];
    const mm_req *q = &m->req[j];
    sim_request_row row = {q->t, f->first_s, f->finish_s, q->in, q->out, UINT32_MAX, 0, f->sched_s, j};
    if (f->pool != CACHE) {
      const sim_request_row *pr = &m->pool[f->pool].log.req[f->row];
      row.replica = pr->replica, row.preemptions = pr->preemptions;
    }
    log->req[log->n_req++] = row;
  }
  for (uint32_t i = 0; i < m->n_pools; i++)
    for (size_t k = 0; k < m->pool[i].log.n_req; k++) {
      sim_request_row row = m->pool[i].log.req[k];
      if (!isnan(row.finish_s)) continue;
      row.seq = m->pool[i].orig[row.seq];
      row.arrival_s = m->req[row.seq].t;
      log->req[log->n_req++] = row;
    }
  return SS_OK;
}

static ss_status combine(mm_run_state *m, sim_result *out, sim_log *log) {
  const sim_config *c = m->c;
  double T = c->duration_s - c->warmup_s, answered = 0, cached = 0, escalated = 0;
  metrics_acc *acc = malloc(sizeof *acc), *pacc = malloc(m->n_pools * sizeof *pacc);
  mm_done *d = malloc((m->n_req ? m->n_req : 1) * sizeof *d);
  win_set *w = NULL;
  ss_status rc = acc && pacc && d ? SS_OK : ss_errorf(m->err, SS_ENOMEM, "out of memory for the combined result");
  if (!rc && c->fleet.windows == WIN_ON)
    rc = win_init(&w, c->fleet.window_s, c->duration_s, c->slo_ttft_s, c->slo_tpot_s, 1, m->err);
  if (rc) goto done;
  metrics_init(acc, c->warmup_s, c->duration_s, c->slo_ttft_s, c->slo_tpot_s);
  for (uint32_t i = 0; i < m->n_pools; i++)
    metrics_init(&pacc[i], c->warmup_s, c->duration_s, m->pool[i].cfg.slo_ttft_s, m->pool[i].cfg.slo_tpot_s);
  size_t n_done = 0, lost = 0;
  for (size_t j = 0; j < m->n_req; j++) {
    const mm_final *f = &m->fin[j];
    metrics_arrival(acc, m->req[j].t);
    if (w) win_arrival(w, m->req[j].t);
    if (in_window(c, m->req[j].t)) cached += m->dest[j] == CACHE, escalated += m->escalated[j];
    if (isnan(f->finish_s)) continue;
    uint64_t order = f->pool == CACHE ? j : ((uint64_t)(f->pool + 1) << 40) | f->row;
    d[n_done++] = (mm_done){f->finish_s, order, (uint32_t)j};
  }
  qsort(d, n_done, sizeof *d, done_cmp);
  for (size_t k = 0; k < n_done; k++) {
    uint32_t j = d[k].j;
    const mm_final *f = &m->fin[j];
    double front_s = f->pool == CACHE ? 0 : m->pool[f->pool].cfg.dep.hw.engine->api_latency_s; /* its front end */
    metrics_req mr = {m->req[j].t, f->sched_s, f->first_s, f->finish_s, m->req[j].out, front_s};
    metrics_finish(acc, &mr);
    if (w) win_finish(w, &mr);
    if (f->pool != CACHE) metrics_finish(&pacc[f->pool], &mr);
    if (in_window(c, f->finish_s)) answered += m->req[j].out;
  }
  for (uint32_t i = 0; i < m->n_pools; i++) { /* the deployments' own work */
    const metrics_acc *a = &m->pool[i].acc;
    acc->out_tokens += a->out_tokens, acc->in_tokens += a->in_tokens, acc->queue_area += a->queue_area;
    acc->preemptions += a->preemptions;
    metrics_hist_merge(&acc->itl, &a->itl);
    lost += m->pool[i].st.lost;
  }
  bool saturated = (double)(m->n_req - n_done - lost) > 0.001 * (double)m->n_req;
  for (uint32_t i = 0; i < m->n_pools; i++) saturated |= m->pool[i].res.v[RM_saturated] > 0.5;
  metrics_final fin = {.replicas = 1,
                       .replicas_billed = 1,
                       .gpus_per_replica = 1,
                       .kv_capacity_blocks = 1,
                       .measured_s = T,
                       .unfinished = m->n_req - n_done,
                       .saturated = saturated};
  metrics_finalize(acc, &fin, out);
  pool_rows(m, out, T);
  per_pool_rows(m, pacc, out, T);
  out->f[FM_windows_slo_met_frac] = w ? win_slo_met_frac(w) : NAN;
  out->f[FM_requests_cached] = cached, out->f[FM_requests_escalated] = escalated;
  out->f[FM_answered_output_tok_s] = answered / T;
  if (log && w) rc = windows_rows(m, w, log);
  if (!rc && log && c->log_requests) rc = request_rows(m, d, n_done, log);
done:
  win_free(w);
  free(acc), free(pacc), free(d);
  return rc;
}

ss_status mm_run(const sim_config *c, uint64_t seed, uint64_t replicate, sim_result *out, sim_log *log, ss_err *err) {
  uint64_t key = rng_key(seed, 0, replicate);
  mm_run_state m = {.c = c, .n_pools = 1 + c->n_pools, .err = err};
  ss_status rc = SS_OK;
  result_clear(out);
  m.pool = calloc(m.n_pools, sizeof *m.pool);
  m.r_cache = rng_stream(key, RNG_CACHE), m.r_esc = rng_stream(key, RNG_ESCALATE);
  if (!m.pool || !m.r_cache || !m.r_esc) {
    rc = ss_errorf(err, SS_ENOMEM, "out of memory for %u deployments", m.n_pools);
    goto done;
  }
  if ((rc = draw_traffic(&m, key))) goto done;
  m.fin = malloc((m.n_req ? m.n_req : 1) * sizeof *m.fin);
  m.escalated = calloc(m.n_req ? m.n_req : 1, 1);
  if (!m.fin || !m.escalated) {
    rc = ss_errorf(err, SS_ENOMEM, "out of memory for %zu requests", m.n_req);
    goto done;
  }
  for (size_t j = 0; j < m.n_req; j++) {
    m.fin[j] = (mm_final){NAN, NAN, NAN, NONE, 0};
    if (m.dest[j] == CACHE) {
      double t = m.req[j].t + c->route.cache_latency_s;
      m.fin[j] = (mm_final){t, t, m.req[j].t, CACHE, 0};
    }
  }
  for (uint32_t i = 0; i < m.n_pools; i++) pool_config(c, i, &m.pool[i]);
  for (size_t j = 0; !rc && j < m.n_req; j++)
    if (m.dest[j] != CACHE && !push_row(&m.pool[m.dest[j]], m.req[j].t, m.req[j].in, m.req[j].out, (uint32_t)j))
      rc = ss_errorf(err, SS_ENOMEM, "out of memory for %zu requests", m.n_req);
  for (uint32_t i = 0; !rc && i < m.n_pools; i++) rc = run_pool(&m, i, seed, replicate);
  if (!rc) rc = combine(&m, out, log);
done:
  for (uint32_t i = 0; m.pool && i < m.n_pools; i++) {
    mm_pool *p = &m.pool[i];
    free(p->tr.t_s), free(p->tr.in), free(p->tr.out), free(p->orig);
    sim_log_free(&p->log);
  }
  if (m.r_cache) gsl_rng_free(m.r_cache);
  if (m.r_esc) gsl_rng_free(m.r_esc);
  free(m.pool), free(m.req), free(m.dest), free(m.fin), free(m.escalated);
  return rc;
}
