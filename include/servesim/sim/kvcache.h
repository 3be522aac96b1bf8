/* kvcache.h: paged KV-cache accounting for one replica: blocks of block_size tokens; a sequence
 * holding k tokens holds ceil(k / block_size) blocks. Decoding sequences grow one token per step
 * in lockstep, so they are tracked by residue ((tokens - step) mod block_size): the number of new
 * blocks the step numbered `step` needs is one counter, whatever the batch size.
 * Invariant: 0 <= used <= used + cached <= capacity, always; the residue counters sum to the number of
 * tracked (decoding) sequences. */
#ifndef SERVESIM_KVCACHE_H
#define SERVESIM_KVCACHE_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

typedef struct {
  uint64_t capacity, used, peak; /* blocks */
  uint32_t block_size;
  uint32_t *residue; /* [block_size]: decoding sequences by (tokens - step) mod block_size */
  /* prefix caching (sim/prefix.h): blocks nobody holds that keep their content, counted as free;
   * an allocation that needs them evicts (used + cached never exceeds capacity) */
  uint64_t cached;
  void (*evict)(void *ctx, uint64_t blocks);
  void *evict_ctx;
} kv_cache;

ss_status kv_init(kv_cache *kv, uint64_t capacity_blocks, uint32_t block_size, ss_err *err);
void kv_free(kv_cache *kv);

static inline uint64_t kv_blocks(const kv_cache *kv, uint64_t tokens) {
  return (tokens + kv->block_size - 1) / kv->block_size;
}
static inline uint64_t kv_free_blocks(const kv_cache *kv) { return kv->capacity - kv->used; }
/* Takes n blocks if that many are free (evicting cached blocks when it must). */
static inline bool kv_try_alloc(kv_cache *kv, uint64_t n) {
  if (n > kv->capacity - kv->used) return false;
  kv->used += n;
  if (kv->used > kv->peak) kv->peak = kv->used;
  if (kv->used + kv->cached > kv->capacity) kv->evict(kv->evict_ctx, kv->used + kv->cached - kv->capacity);
  return true;
}
static inline void kv_release(kv_cache *kv, uint64_t n) { kv->used -= n; }

/* A sequence holding `tokens` starts (or stops) decoding while the replica's step counter is step. */
static inline void kv_track(kv_cache *kv, uint64_t tokens, uint64_t step, int delta) {
  uint32_t bs = kv->block_size;
  kv->residue[(uint32_t)((tokens % bs + bs - step % bs) % bs)] += (uint32_t)delta;
}
/* New blocks the decode step numbered `step` needs: sequences whose tokens are a multiple of
 * block_size before the step write their next token into a fresh block. */
static inline uint64_t kv_decode_need(const kv_cache *kv, uint64_t step) {
  uint32_t bs = kv->block_size;
  return kv->residue[(uint32_t)((bs - step % bs) % bs)];
}
/* The same for a step that writes n tokens per sequence (speculative decoding's accepted tokens). */
uint64_t kv_decode_need_n(const kv_cache *kv, uint64_t step, uint32_t n);

#endif
