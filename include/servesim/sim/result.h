/* result.h: the per-replicate outputs of one simulation task, as one table of metrics (name, units,
 * long name). sim fills the performance rows, study/costing the capacity and cost rows; stats, io/h5
 * and report iterate the same table, so adding a metric is one line here. docs/semantics.md defines
 * every row; the long names say the same in brief.
 * Invariant: a metric the task could not measure is NAN (e.g. latency quantiles of a replicate
 * with no finished request), never 0. */
#ifndef SERVESIM_RESULT_H
#define SERVESIM_RESULT_H
#include <stdbool.h>
#include <stddef.h>

/* X(name, units (CF style), long_name) */
#define RESULT_METRICS(X)                                                                                \
  X(output_tok_s, "1/s", "output tokens per second, all replicas")                                       \
  X(total_tok_s, "1/s", "input plus output tokens per second, all replicas")                             \
  X(req_s, "1/s", "requests finished inside the measured window, per second")                            \
  X(ttft_mean_s, "s", "time to first token, mean")                                                       \
  X(ttft_p50_s, "s", "time to first token, median")                                                      \
  X(ttft_p90_s, "s", "time to first token, 90th percentile")                                             \
  X(ttft_p99_s, "s", "time to first token, 99th percentile")                                             \
  X(tpot_mean_s, "s", "time per output token after the first, mean")                                     \
  X(tpot_p50_s, "s", "time per output token after the first, median")                                    \
  X(tpot_p90_s, "s", "time per output token after the first, 90th percentile")                           \
  X(tpot_p99_s, "s", "time per output token after the first, 99th percentile")                           \
  X(tpot_incl_mean_s, "s", "end-to-end latency per output token (E2E / n_out), mean")                    \
  X(itl_mean_s, "s", "inter-token latency, mean")                                                        \
  X(itl_p50_s, "s", "inter-token latency, median")                                                       \
  X(itl_p99_s, "s", "inter-token latency, 99th percentile")                                              \
  X(e2e_mean_s, "s", "end-to-end latency, mean")                                                         \
  X(e2e_p50_s, "s", "end-to-end latency, median")                                                        \
  X(e2e_p90_s, "s", "end-to-end latency, 90th percentile")                                               \
  X(e2e_p99_s, "s", "end-to-end latency, 99th percentile")                                               \
  X(queue_mean_s, "s", "queueing delay (arrival to first scheduled), mean")                              \
  X(queue_p99_s, "s", "queueing delay, 99th percentile")                                                 \
  X(goodput_frac, "1", "fraction of finished measured requests whose own TTFT and TPOT met the SLO")     \
  X(gpu_busy_frac, "1", "fraction of time replicas were running a step (not the load)")                  \
  X(kv_occupancy_mean, "1", "KV-cache blocks in use over capacity, time mean")                           \
  X(kv_occupancy_max, "1", "KV-cache blocks in use over capacity, maximum")                              \
  X(preemptions, "1", "requests preempted (recompute) during the measured window")                       \
  X(queue_len_mean, "1", "waiting requests, time mean")                                                  \
  X(queue_len_max, "1", "waiting requests, maximum")                                                     \
  X(requests_arrived, "1", "requests that arrived in the measured window, refused ones included")        \
  X(requests_finished, "1", "measured-window arrivals that finished, drain included")                    \
  X(requests_unfinished, "1", "measured-window arrivals refused, or unfinished when the run stopped")    \
  X(saturated, "1", "1 when the waiting queue grew without bound or >0.1% of requests were unfinished")  \
  X(overloaded, "1",                                                                                     \
    "1 when not saturated but the p99 queueing delay exceeded the TTFT objective (a transient backlog)") \
  X(measured_s, "s", "length of the measured window (horizon minus warm-up)")                            \
  X(capacity_req_s, "1/s",                                                                               \
    "capacity at the SLO: the largest arrival rate meeting both p99 SLOs, this replicate's traffic")     \
  X(capacity_output_tok_s, "1/s", "output tokens per second at the capacity rate")                       \
  X(utilisation, "1", "arrival rate over the capacity at the SLO (docs/semantics.md)")                   \
  X(gpu_power_w_mean, "W", "mean board power of a serving GPU, modelled from what each step does")       \
  X(usd_per_hour, "USD/h", "cost of all GPUs of the deployment per hour")                                \
  X(billed_gpu_hours, "h", "GPU-hours billed over the measured window, idle included")                   \
  X(usd_per_1m_output, "USD", "cost per million output tokens, idle time billed")                        \
  X(usd_per_1m_total, "USD", "cost per million input plus output tokens")                                \
  X(usd_per_request, "USD", "cost per finished request")                                                 \
  X(usd_per_1m_output_busy, "USD", "cost per million output tokens, idle time not billed")               \
  X(usd_per_1m_output_at_capacity, "USD", "cost per million output tokens at utilisation 1 (GPUs only)") \
  X(usd_per_hour_tco, "USD/h", "total cost of ownership per hour (N+1, power, operations)")              \
  X(usd_per_1m_output_tco, "USD", "total cost of ownership per million output tokens")                   \
  X(energy_kwh_per_1m_output, "kWh", "facility energy per million output tokens, modelled")              \
  X(co2_kg_per_1m_output, "kg", "CO2 per million output tokens, modelled")                               \
  X(prefix_hit_frac, "1", "prompt tokens served from the prefix cache over prompt tokens admitted")      \
  X(spec_tokens_per_step, "1", "tokens a decoding sequence emits per drafting step (speculative)")       \
  X(kv_transfer_mean_s, "s", "disaggregated: prompt end to its KV reaching the decode pool, mean")

typedef enum {
#define X(name, units, long_name) RM_##name,
  RESULT_METRICS(X)
#undef X
      RM_COUNT
} result_metric;

typedef struct {
  double v[RM_COUNT];
} sim_result;

const char *result_name(result_metric m);
const char *result_units(result_metric m);
const char *result_long_name(result_metric m);
/* Every metric NAN. */
void result_clear(sim_result *r);
/* A replicate meets the SLO when it is not saturated, its P99 TTFT is within ttft_s (no finished
 * request: it does not) and its P99 TPOT within tpot_s (no request with two tokens: nothing to
 * miss, TPOT is undefined). */
bool result_meets_slo(const sim_result *r, double ttft_s, double tpot_s);
/* Latency metrics (TTFT, TPOT, ITL, E2E, queueing delay) are summarised without saturated
 * replicates: the tail of an unstable queue depends on the horizon, not on the system. */
bool result_is_latency(result_metric m);

#endif
