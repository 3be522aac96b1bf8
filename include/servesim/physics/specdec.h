/* specdec.h: the cost and memory of speculative decoding. A draft (a second hwdb model on the same
 * GPUs, or self-drafting heads in the EAGLE/MTP style: a few decoder layers of the target's shape that
 * read its hidden states and share its embeddings and LM head) proposes k tokens one after another;
 * the target verifies all k + 1 positions of each decoding sequence in one pass. With per-token
 * acceptance probability a (independent, up to the first rejection: Leviathan et al. 2023), a step
 * emits 1 + min(k, Geometric) tokens per sequence, (1 - a^(k+1)) / (1 - a) on average.
 * Invariant: a step without draft tokens (spec_tokens 0) costs the target's perf_step_time plus only
 * the draft's prefill of the step's prompt tokens, so drafting never makes a step cheaper. */
#ifndef SERVESIM_SPECDEC_H
#define SERVESIM_SPECDEC_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "hwdb/hwdb.h"
#include "physics/perf.h"

typedef struct {
  const perf_ctx *target;
  perf_ctx draft;  /* the draft on the same GPUs, without the engine's per-iteration overheads */
  model_spec head; /* self-drafting heads, as a model of head_layers dense layers */
  uint32_t k;      /* draft tokens per step */
  double draft_weight_bytes, draft_kv_bytes_per_token; /* per GPU */
} specdec_ctx;

/* Builds the draft of target (bound as b, options o): draft_model (heads when NULL: head_layers layers
 * of the target's shape). Fails with SS_EDATA when the draft does not fit beside the target. */
ss_status specdec_init(specdec_ctx *s, const perf_ctx *target, const hwdb_bound *b, const perf_opts *o,
                       const model_spec *draft_model, uint32_t head_layers, uint32_t k, ss_err *err);
/* One step: the target's verification of n_decode x (1 + spec_tokens) positions, spec_tokens draft
 * passes over the decoding sequences, and the draft's prefill of the step's prompt chunks. */
double specdec_step_time(const specdec_ctx *s, const batch_shape *bs);
/* KV blocks per replica once the draft's weights and its own cache (one entry per target token) share
 * the target's KV budget; 0 when nothing is left. */
uint64_t specdec_kv_blocks(const specdec_ctx *s, uint32_t block_size);
/* Accepted draft tokens of one step for a uniform u in [0, 1): P(accepted >= j) = accept^j, j <= k. */
uint32_t specdec_accepted(double u, double accept, uint32_t k);
/* Expected tokens a sequence emits per step: sum of accept^j for j = 0..k. */
double specdec_tokens_per_step(double accept, uint32_t k);

#endif
