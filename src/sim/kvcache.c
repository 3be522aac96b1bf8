/* kvcache.c: allocation of the residue counters and the block need of multi-token decode steps;
 * everything else is inline in kvcache.h. */
#include "sim/kvcache.h"

#include <stdlib.h>

ss_status kv_init(kv_cache *kv, uint64_t capacity_blocks, uint32_t block_size, ss_err *err) {
  *kv = (kv_cache){.capacity = capacity_blocks, .block_size = block_size};
  if (block_size == 0) return ss_errorf(err, SS_EDATA, "KV block size must be at least 1 token");
  if (!(kv->residue = calloc(block_size, sizeof *kv->residue)))
    return ss_errorf(err, SS_ENOMEM, "out of memory for %u KV residue counters", block_size);
  return SS_OK;
}

void kv_free(kv_cache *kv) {
  free(kv->residue);
  kv->residue = NULL;
}

uint64_t kv_decode_need_n(const kv_cache *kv, uint64_t step, uint32_t n) {
  if (n == 1) return kv_decode_need(kv, step);
  uint32_t bs = kv->block_size, s = (uint32_t)(step % bs);
  uint64_t need = 0;
  for (uint32_t c = 0; c < bs; c++) { /* class c holds x tokens with x mod bs = (c + step) mod bs */
    if (!kv->residue[c]) continue;
    uint64_t r = (c + s) % bs;
    need += (uint64_t)kv->residue[c] * ((r + n + bs - 1) / bs - (r + bs - 1) / bs);
  }
  return need;
}
