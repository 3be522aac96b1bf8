/* estimate.h: the back-of-envelope calculator (`servesim estimate`), done with the step-time model:
 * memory fit and KV capacity, the bandwidth bound and the modelled tok/s at batch 1 and at batch B,
 * prefill speed and TTFT, $ per 1M output tokens at several utilisations and break-even against APIs.
 * Invariant: every figure comes from perf/cost with the inputs shown; a configuration that does not
 * fit reports needed vs available memory and the smallest change that fits, never a throughput. */
#ifndef SERVESIM_ESTIMATE_H
#define SERVESIM_ESTIMATE_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "hwdb/hwdb.h"
#include "physics/perf.h"

enum { ESTIMATE_MAX_API = 64, ESTIMATE_MAX_FORMATS = 16, ESTIMATE_NUTIL = 4 };
extern const double estimate_utilisations[ESTIMATE_NUTIL]; /* 1.0, 0.5, 0.2, 0.05 */

typedef struct {
  const char *gpu, *model, *weights, *kv, *engine; /* NULL: fp16, fp16, vllm */
  uint32_t tp, batch, gpus;                        /* 0: 1, 32, tp */
  double in_tokens, out_tokens;                    /* 0: 512, 256 */
  double price_usd_per_gpu_h;                      /* NAN: hwdb on-demand */
  double tok_s;                                    /* NAN: the modelled throughput prices the cost */
} estimate_opts;

typedef struct {
  const char *id;
  double api_usd_per_1m_out;    /* the API's price of this request mix per 1M output tokens */
  double breakeven_utilisation; /* > 1: self-hosting never breaks even */
} estimate_api;

typedef struct {
  estimate_opts o; /* with defaults filled */
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
  /* speed */
  double max_seqs; /* concurrent sequences of in + out tokens the KV cache holds */
  double batch;    /* the batch really run: min(asked, max_seqs) */
  double bound_tok_s_b1, tok_s_b1, decode_tok_s_batch, steady_tok_s, prefill_tok_s, ttft_s;
  /* 80% bands of the model's own error (hwdb/model_error.yaml) for throughputs and latencies: multipliers
   * on the predictions; has_band false when hwdb has no model_error rows */
  bool has_band;
  modelerr_band band_tput, band_latency;
  /* cost */
  bool priced;
  char price_source[256];
  double replicas, usd_per_hour, cost_tok_s;
  double usd_per_1m[ESTIMATE_NUTIL];
  estimate_api api[ESTIMATE_MAX_API];
  size_t n_api;
} estimate_report;

ss_status estimate_run(const hwdb *db, const estimate_opts *o, estimate_report *r, ss_err *err);

#endif
