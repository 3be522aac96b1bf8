/* kvcache.c: allocation of the residue counters; everything else is inline in kvcache.h. */
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
