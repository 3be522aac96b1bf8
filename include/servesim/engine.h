/* engine.h: serving-engine profiles from hwdb/engines: scheduler defaults and the per-step,
 * per-layer, per-request and per-token overheads of the step-time model.
 * Invariant: `calibrated` is true only when the overheads were fitted to measurements. */
#ifndef SERVESIM_ENGINE_H
#define SERVESIM_ENGINE_H
#include <stdbool.h>
#include <stddef.h>

#include "servesim/keytab.h"

typedef enum { POLICY_CONTINUOUS, POLICY_STATIC, POLICY_SINGLE } engine_policy;
extern const char *const engine_policy_names[];

typedef struct {
  char id[32], name[64], version[64];
  char aliases[8][32];
  size_t n_aliases;
  int policy;                    /* engine_policy */
  double max_num_seqs, max_batched_tokens, block_size, gpu_memory_utilization;
  bool chunked_prefill;
  double parallel_slots;
  double runtime_reserve_gb;     /* per GPU: CUDA context, graphs, NCCL buffers */
  double overhead_step_s, overhead_layer_s, overhead_request_s, overhead_token_s;
  bool calibrated;
  char source[1536], date[16], note[1536];
} engine_profile;

const kt_field *engine_fields(size_t *n);

#endif
