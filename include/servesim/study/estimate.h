/* estimate.h: the back-of-envelope calculator (`servesim estimate`), done with the step-time model:
 * memory fit and KV capacity, the bandwidth bound and the modelled tok/s at batch 1 and at the batch
 * cap, prefill speed and TTFT, the capacity at the SLO in closed form (steady-state continuous
 * batching), $ per 1M output tokens at utilisations of that capacity (utilisation = arrival rate /
 * capacity at the SLO, as in `servesim run`) and break-even against APIs. The inputs come from flags
 * (--gpu --model ...) or from a scenario file (its deployment, mean request shape, SLO, pricing, APIs).
 * Invariant: every figure comes from perf/cost with the inputs shown, and the report names the request
 * shape and batch each figure assumes and where they came from; a configuration that does not fit
 * reports needed vs available memory and the smallest change that fits, never a throughput. */
#ifndef SERVESIM_ESTIMATE_H
#define SERVESIM_ESTIMATE_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "physics/perf.h"

enum {
  ESTIMATE_MAX_API = 64,
  ESTIMATE_MAX_FORMATS = 16,
  ESTIMATE_NUTIL = 4,
  ESTIMATE_MAX_ROWS = ESTIMATE_NUTIL + SC_MAX_AXIS_VALUES,
  ESTIMATE_MAX_NOTES = SC_MAX_UNCERTAIN + 4
};
extern const double estimate_utilisations[ESTIMATE_NUTIL]; /* 1.0, 0.5, 0.2, 0.05 */

typedef struct {
  const char *gpu, *model, *weights, *kv, *engine; /* NULL: fp16, fp16, vllm */
  uint32_t tp, batch, gpus;                        /* 0: 1, the engine's max_num_seqs, tp */
  double in_tokens, out_tokens;                    /* 0: 512, 256 */
  double price_usd_per_gpu_h;                      /* NAN: hwdb on-demand */
  double tok_s;                                    /* NAN: the closed-form capacity prices the cost */
  double slo_ttft_s, slo_tpot_s;                   /* 0: the defaults of the scenario keys slo.* */
} estimate_opts;

typedef struct {
  const char *id;
  double api_usd_per_1m_out;    /* the API's price of this request shape per 1M output tokens */
  double breakeven_utilisation; /* > 1: self-hosting never breaks even */
} estimate_api;

/* The capacity at the SLO in closed form: the largest batch whose steady-state step (the closed
 * form's TPOT) meets the TPOT objective, while the prefill of one mean prompt alone meets the TTFT
 * objective. Means, not p99, and no queueing: optimistic next to run's simulated capacity. */
typedef struct {
  double batch;        /* sequences decoding together at capacity, per replica (0: the SLO is out of reach) */
  double step_s;       /* mean step time there (the closed form's TPOT) */
  double tok_s, req_s; /* output tokens/s and requests/s of one replica */
  const char *limit;   /* what stops a larger batch, or why there is none */
  bool host_bound;     /* the engine's host loop, not the GPU, sets that step (perf_host_bound) */
} estimate_capacity;

/* One row of the utilisation table. */
typedef struct {
  double utilisation;  /* arrival rate / capacity at the SLO */
  double rate_req_s;   /* arrival rate of the deployment */
  double output_tok_s; /* output tokens per second served (NAN beyond capacity) */
  double usd_per_1m;   /* $ per 1M output tokens, idle time billed (NAN beyond capacity or unpriced) */
  bool scenario;       /* a rate of the scenario (workload.arrival.rate_per_s or its sweep) */
} estimate_util;

typedef struct {
  estimate_opts o;                     /* with defaults filled: in/out are the request shape every figure uses */
  char scenario[512];                  /* the scenario file; "" when the inputs came from flags */
  char shape_source[256];              /* where the request shape came from */
  char batch_source[96];               /* where the batch cap came from */
  char notes[ESTIMATE_MAX_NOTES][384]; /* what was decided on the user's behalf (uncertain inputs, ...) */
  size_t n_notes;
  hwdb_bound b;
  perf_opts po;
  perf_ctx ctx; /* valid when fits */
  perf_memory mem;
  bool fits, fp8_fallback;
  double weights_total_gb;
  /* when it does not fit */
  uint32_t min_tp; /* smallest power-of-two tp at this precision that fits, 0 = none */
  const char *fitting_formats[ESTIMATE_MAX_FORMATS]; /* at this tp, most bits first */
  size_t n_fitting_formats;
  /* speed, per replica, at the request shape */
  double max_seqs; /* concurrent sequences of in + out tokens the KV cache and the batch cap allow */
  double batch;    /* the batch cap really run: min(cap, max_seqs) */
  double bound_tok_s_b1, tok_s_b1, decode_tok_s_batch, steady_tok_s, prefill_tok_s, ttft_s;
  bool host_bound; /* the steady state at the batch cap is host-bound: the host loop sets its rate */
  double slo_ttft_s, slo_tpot_s;
  estimate_capacity cap;
  /* 80% bands of the model's own error (hwdb/model_error.yaml) for throughputs and latencies: multipliers
   * on the predictions; has_band false when hwdb has no model_error rows */
  bool has_band;
  modelerr_band band_tput, band_latency;
  /* cost */
  bool priced;
  char price_source[384];
  double replicas, gpus, usd_per_gpu_hour, usd_per_hour;
  double cost_tok_s;      /* output tok/s at utilisation 1: capacity x replicas, or --tok-s */
  const char *cost_basis; /* where cost_tok_s came from */
  bool tco;               /* usd_per_hour is the scenario's TCO (ops, N+1, on-prem power), not GPUs alone */
  estimate_util util[ESTIMATE_MAX_ROWS]; /* estimate_utilisations first, then the scenario's rates */
  size_t n_util;
  estimate_api api[ESTIMATE_MAX_API];
  size_t n_api;
  const char *api_source; /* "every API in hwdb/prices" or "the scenario's compare_api" */
} estimate_report;

/* From flags. */
ss_status estimate_run(const hwdb *db, const estimate_opts *o, estimate_report *r, ss_err *err);
/* From a loaded scenario: its deployment (scheduler and efficiencies included), the mean request
 * shape of its workload (wl_mean_lengths), its SLO, pricing (cost_price, the TCO keys) and compare_api
 * list; uncertain inputs at their means (noted); a sweep only over workload.arrival.rate_per_s, whose
 * values become utilisation rows (any other sweep is refused: estimate answers one deployment).
 * tok_s (NAN: none) replaces the closed-form capacity in the cost, as --tok-s does. */
ss_status estimate_scenario(const hwdb *db, const study_spec *spec, double tok_s, estimate_report *r, ss_err *err);

#endif
