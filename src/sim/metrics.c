/* metrics.c: log-linear histograms, window-clipped time integrals, and the reduction of one
 * replicate's accumulators into the result table.
 * A histogram bucket is read straight from the IEEE-754 bits of the value (exponent and the top six
 * mantissa bits), so adding a sample is a shift and an increment. */
#include "sim/metrics.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define MANT_SHIFT (52 - 6) /* log2(METRICS_SUB) == 6 */
_Static_assert(METRICS_SUB == 64, "MANT_SHIFT assumes 64 sub-buckets");

static size_t bucket_of(double v) {
  if (!(v >= 0x1p-20)) return 0; /* also NAN and negatives */
  if (v >= 0x1p21) return METRICS_BUCKETS - 1;
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  uint64_t top = bits >> MANT_SHIFT; /* (biased exponent << 6) | top mantissa bits */
  return (size_t)(top - ((uint64_t)(1023 + METRICS_MIN_EXP) << 6)) + 1;
}

static double bucket_mid(size_t b) {
  if (b == 0) return 0;
  size_t i = b - 1;
  int e = (int)(i / METRICS_SUB) + METRICS_MIN_EXP;
  double m = (double)(i % METRICS_SUB);
  return ldexp(1 + (m + 0.5) / METRICS_SUB, e);
}

void metrics_hist_clear(metrics_hist *h) {
  memset(h, 0, sizeof *h);
  h->min = INFINITY;
  h->max = -INFINITY;
}

void metrics_hist_add(metrics_hist *h, double v, uint64_t weight) {
  if (!weight) return;
  h->count[bucket_of(v)] += weight;
  h->n += weight;
  h->sum += v * (double)weight;
  if (v < h->min) h->min = v;
  if (v > h->max) h->max = v;
}

void metrics_hist_merge(metrics_hist *into, const metrics_hist *from) {
  for (size_t i = 0; i < METRICS_BUCKETS; i++) into->count[i] += from->count[i];
  into->n += from->n;
  into->sum += from->sum;
  into->min = fmin(into->min, from->min);
  into->max = fmax(into->max, from->max);
}

double metrics_hist_quantile(const metrics_hist *h, double q) {
  if (!h->n) return NAN;
  double rank = ceil(q * (double)h->n);
  if (rank < 1) rank = 1;
  uint64_t cum = 0;
  for (size_t b = 0; b < METRICS_BUCKETS; b++) {
    cum += h->count[b];
    if ((double)cum >= rank) return fmin(fmax(bucket_mid(b), h->min), h->max);
  }
  return h->max;
}

double metrics_hist_mean(const metrics_hist *h) { return h->n ? h->sum / (double)h->n : NAN; }

void metrics_init(metrics_acc *m, double lo_s, double hi_s, double slo_ttft_s, double slo_tpot_s) {
  memset(m, 0, sizeof *m);
  m->lo_s = lo_s, m->hi_s = hi_s;
  m->slo_ttft_s = slo_ttft_s, m->slo_tpot_s = slo_tpot_s;
  metrics_hist *hs[] = {&m->ttft, &m->tpot, &m->itl, &m->e2e, &m->queue};
  for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) metrics_hist_clear(hs[i]);
  m->q_last_s = m->n_last_s = 0;
}

/* Length of [a, b] inside the window. */
static double overlap(const metrics_acc *m, double a, double b) {
  double lo = fmax(a, m->lo_s), hi = fmin(b, m->hi_s);
  return hi > lo ? hi - lo : 0;
}

void metrics_arrival(metrics_acc *m, double t) {
  if (metrics_in_window(m, t)) m->arrived++;
}

void metrics_finish(metrics_acc *m, const metrics_req *r) {
  if (metrics_in_window(m, r->finish_s)) m->finished_in_window++;
  if (!metrics_in_window(m, r->arrival_s)) return;
  double ttft = r->first_token_s - r->arrival_s + r->front_s, e2e = r->finish_s - r->arrival_s + r->front_s;
  m->finished++;
  metrics_hist_add(&m->ttft, ttft, 1);
  metrics_hist_add(&m->e2e, e2e, 1);
  metrics_hist_add(&m->queue, r->sched_s - r->arrival_s, 1);
  m->tpot_incl_sum += e2e / r->output_tokens;
  bool good = ttft <= m->slo_ttft_s;
  if (r->output_tokens > 1) {
    double tpot = (r->finish_s - r->first_token_s) / (r->output_tokens - 1);
    metrics_hist_add(&m->tpot, tpot, 1);
    good = good && tpot <= m->slo_tpot_s;
  }
  m->good += good;
}

void metrics_step(metrics_acc *m, double t0, double t1, double kv_blocks, double watts, double gpus,
                  double kv_capacity) {
  double d = overlap(m, t0, t1);
  m->busy_s += d;
  m->kv_block_s += d * kv_blocks;
  m->step_energy_j += d * watts;
  m->busy_gpu_s += d * gpus;
  m->kv_frac_s += d * kv_blocks / kv_capacity;
}

void metrics_tokens(metrics_acc *m, double t, double out_tokens, double in_tokens) {
  if (!metrics_in_window(m, t)) return;
  m->out_tokens += out_tokens;
  m->in_tokens += in_tokens;
}

void metrics_queue(metrics_acc *m, double t, double q) {
  m->queue_area += m->q_now * overlap(m, m->q_last_s, t);
  m->q_last_s = t;
  m->q_now = q;
  if (metrics_in_window(m, t) && q > m->queue_len_max) m->queue_len_max = q;
}

void metrics_in_system(metrics_acc *m, double t, double n) {
  m->in_system_area += m->n_now * overlap(m, m->n_last_s, t);
  m->n_last_s = t;
  m->n_now = n;
}

double metrics_mean_in_system(const metrics_acc *m, double measured_s) {
  double area = m->in_system_area + m->n_now * overlap(m, m->n_last_s, m->hi_s);
  return area / measured_s;
}

void metrics_finalize(metrics_acc *m, const metrics_final *f, sim_result *out) {
  double T = f->measured_s, R = f->replicas;
  metrics_queue(m, fmax(m->hi_s, m->q_last_s), m->q_now);
  result_clear(out);
  double *v = out->v;
  v[RM_output_tok_s] = m->out_tokens / T;
  v[RM_total_tok_s] = (m->out_tokens + m->in_tokens) / T;
  v[RM_req_s] = (double)m->finished_in_window / T;
  static const struct {
    result_metric mean, p50, p90, p99;
    size_t off;
  } H[] = {
      {RM_ttft_mean_s, RM_ttft_p50_s, RM_ttft_p90_s, RM_ttft_p99_s, offsetof(metrics_acc, ttft)},
      {RM_tpot_mean_s, RM_tpot_p50_s, RM_tpot_p90_s, RM_tpot_p99_s, offsetof(metrics_acc, tpot)},
      {RM_itl_mean_s, RM_itl_p50_s, RM_COUNT, RM_itl_p99_s, offsetof(metrics_acc, itl)},
      {RM_e2e_mean_s, RM_e2e_p50_s, RM_e2e_p90_s, RM_e2e_p99_s, offsetof(metrics_acc, e2e)},
      {RM_queue_mean_s, RM_COUNT, RM_COUNT, RM_queue_p99_s, offsetof(metrics_acc, queue)},
  };
  for (size_t i = 0; i < sizeof H / sizeof H[0]; i++) {
    const metrics_hist *h = (const metrics_hist *)((const char *)m + H[i].off);
    v[H[i].mean] = metrics_hist_mean(h);
    if (H[i].p50 != RM_COUNT) v[H[i].p50] = metrics_hist_quantile(h, 0.50);
    if (H[i].p90 != RM_COUNT) v[H[i].p90] = metrics_hist_quantile(h, 0.90);
    v[H[i].p99] = metrics_hist_quantile(h, 0.99);
  }
  v[RM_tpot_incl_mean_s] = m->finished ? m->tpot_incl_sum / (double)m->finished : NAN;
  v[RM_goodput_frac] = m->finished ? (double)m->good / (double)m->finished : NAN;
  v[RM_gpu_busy_frac] = m->busy_s / (R * T);
  /* between steps a GPU draws its idle power; the steps' own energy was integrated as they ran */
  double Rb = f->replicas_billed > 0 ? f->replicas_billed : R; /* every billed GPU draws at least idle power */
  double gpus = Rb * f->gpus_per_replica, idle_j = f->idle_w * f->gpus_per_replica * (Rb * T - m->busy_s);
  if (f->gpus_total > 0) gpus = f->gpus_total, idle_j = f->idle_w * (gpus * T - m->busy_gpu_s);
  v[RM_gpu_power_w_mean] = (m->step_energy_j + idle_j) / (gpus * T);
  v[RM_kv_occupancy_mean] =
      f->gpus_total > 0 ? m->kv_frac_s / (R * T) : m->kv_block_s / (R * f->kv_capacity_blocks * T);
  v[RM_kv_occupancy_max] = f->kv_occupancy_max;
  v[RM_preemptions] = (double)m->preemptions;
  v[RM_queue_len_mean] = m->queue_area / T;
  v[RM_queue_len_max] = m->queue_len_max;
  v[RM_requests_arrived] = (double)m->arrived;
  v[RM_requests_finished] = (double)m->finished;
  v[RM_requests_unfinished] = (double)f->unfinished;
  v[RM_saturated] = f->saturated ? 1 : 0;
  /* a transient overload: requests waited in a backlog (before any work on them) longer than the whole
   * TTFT objective allows, at the 99th percentile, yet the queue drained */
  v[RM_overloaded] = !f->saturated && v[RM_queue_p99_s] > m->slo_ttft_s ? 1 : 0;
  v[RM_measured_s] = T;
}
