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

/* The fleet's rows (docs/fleet.md): what the replicas did over the measured window. Kept apart from v so
 * that the verification digest (over v) does not move with them; sim fills the fleet rows, costing the
 * dollar rows. X(name, units, long_name) */
#define FLEET_METRICS(X)                                                                                         \
  X(replicas_mean, "1", "serving replicas (loaded and routed to), time mean over the measured window")           \
  X(replicas_max, "1", "serving replicas, maximum over the measured window")                                     \
  X(replicas_billed_mean, "1", "billed instances (booting, serving, draining, standby), time mean")              \
  X(billed_gpu_hours_spot, "h", "GPU-hours billed at the spot price (part of billed_gpu_hours)")                 \
  X(cold_start_s, "s", "cold start of one replica: provisioning + weights / load bandwidth + engine warm-up")    \
  X(cold_starts, "1", "instances launched during the measured window")                                           \
  X(spot_interruptions, "1", "spot interruptions (notices) during the measured window")                          \
  X(failures, "1", "replica failures during the measured window")                                                \
  X(requests_requeued, "1", "requests taken off a lost replica and routed again (measured window)")              \
  X(requests_lost, "1", "requests that failed with a lost replica (fleet.lost_work: fail; measured window)")     \
  X(windows_slo_met_frac, "1", "fraction of windows with finished requests whose P99 TTFT and TPOT met the SLO") \
  X(usd_total, "USD", "bill of the measured window: every billed GPU-hour at its price")                         \
  X(usd_per_day, "USD", "the bill per 24 hours at the measured window's rate")                                   \
  X(requests_cached, "1", "requests answered from the response cache (multi-model routing; measured window)")    \
  X(requests_escalated, "1", "requests a cascade passed on to the next deployment (measured window)")            \
  X(answered_output_tok_s, "1/s", "output tokens of the answers users got (cache included), per second")         \
  X(usd_per_1m_answered_output, "USD", "the bill per million output tokens of the answers users got")

/* Deployments of one scenario (docs/fleet.md, multi-model fleets): the main one and up to 3 more. */
enum { SIM_MAX_POOLS = 4 };

/* Per deployment of a multi-model fleet: X(name, units, long_name). NAN for deployments that do not
 * exist and for single-deployment runs. */
#define POOL_METRICS(X)                                                          \
  X(answered, "1", "requests of the measured window this deployment answered")   \
  X(ttft_p99_s, "s", "time to first token of its answers, 99th percentile")      \
  X(tpot_p99_s, "s", "time per output token of its answers, 99th percentile")    \
  X(slo_met, "1", "1 when its answers met its own SLO and it was not saturated") \
  X(output_tok_s, "1/s", "output tokens it generated per second")                \
  X(replicas_mean, "1", "its serving replicas, time mean")                       \
  X(billed_gpu_hours, "h", "GPU-hours it billed over the measured window")       \
  X(billed_gpu_hours_spot, "h", "of which at the spot price")                    \
  X(usd, "USD", "its bill over the measured window")

typedef enum {
#define X(name, units, long_name) FM_##name,
  FLEET_METRICS(X)
#undef X
      FM_COUNT
} fleet_metric;

typedef enum {
#define X(name, units, long_name) PM_##name,
  POOL_METRICS(X)
#undef X
      PM_COUNT
} pool_metric;

typedef struct {
  double v[RM_COUNT];
  double f[FM_COUNT];                   /* fleet rows (not in the verification digest) */
  double pool[SIM_MAX_POOLS][PM_COUNT]; /* per deployment of a multi-model fleet (not in the digest) */
} sim_result;

const char *result_name(result_metric m);
const char *result_units(result_metric m);
const char *result_long_name(result_metric m);
const char *result_fleet_name(fleet_metric m);
const char *result_fleet_units(fleet_metric m);
const char *result_fleet_long_name(fleet_metric m);
const char *result_pool_name(pool_metric m);
const char *result_pool_units(pool_metric m);
const char *result_pool_long_name(pool_metric m);
/* Every metric and fleet row NAN. */
void result_clear(sim_result *r);
/* A replicate meets the SLO when it is not saturated, its P99 TTFT is within ttft_s (no finished
 * request: it does not) and its P99 TPOT within tpot_s (no request with two tokens: nothing to
 * miss, TPOT is undefined). */
bool result_meets_slo(const sim_result *r, double ttft_s, double tpot_s);
/* Latency metrics (TTFT, TPOT, ITL, E2E, queueing delay) are summarised without saturated
 * replicates: the tail of an unstable queue depends on the horizon, not on the system. */
bool result_is_latency(result_metric m);

#endif
