/* localwin.h: what a local-attention layer reads for a decoding set that advances in lockstep (the
 * sum over its sequences of model_local_ctx), kept up to date in O(1) per token advanced: a sliding
 * window's sum grows by the sequences still short of the window, a chunked one's by every sequence,
 * less a chunk for each that starts a new chunk.
 * Invariant: sum == the sum over tracked sequences of model_local_ctx(kind, window, ctx). */
#ifndef SERVESIM_LOCALWIN_H
#define SERVESIM_LOCALWIN_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

typedef struct {
  int kind;             /* model_local */
  uint32_t window;      /* tokens; 0: off (no local layer, or a window no context reaches) */
  uint32_t *ring;       /* [window] sliding: sequences short of the window by the step (mod window) they reach
                    * it; chunked: sequences by (ctx - step) mod window */
  uint32_t n, short_of; /* sequences tracked; sliding: those whose context is still below the window */
  uint64_t sum;
} lw_tracker;

/* Tracks nothing (window 0) unless the model's local layers have a window below max_ctx tokens. */
ss_status lw_init(lw_tracker *w, int kind, double window, double max_ctx, ss_err *err);
void lw_free(lw_tracker *w);
/* A sequence of ctx cached tokens joins or leaves the set at the set's step counter `step`. */
void lw_enter(lw_tracker *w, uint64_t ctx, uint64_t step);
void lw_leave(lw_tracker *w, uint64_t ctx, uint64_t step);
/* Every tracked sequence advances `adv` tokens: the step counter goes from step to step + adv. */
void lw_advance(lw_tracker *w, uint64_t step, uint32_t adv);

#endif
