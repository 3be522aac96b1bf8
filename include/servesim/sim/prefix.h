/* prefix.h: automatic prefix caching on one replica's paged KV cache, as vLLM's (v1) automatic prefix
 * caching does it. Every full block of a prompt is named by its content: which shared segment (system
 * prompt, few-shot template) or which conversation it belongs to, and its position. Blocks with the
 * same name are one block, shared and reference-counted; a block nobody holds keeps its content and
 * waits in an LRU list (a request's tail blocks ahead of its head blocks) until an allocation needs the
 * space. Admission finds the longest run of cached blocks at the head of a prompt and prefills only
 * the rest (at least one token is always computed); blocks become cached as soon as their tokens are
 * computed (prompt chunks) or when their request leaves (decoded tokens).
 * Invariant: a request holds its first `pinned` blocks through the cache and the rest privately;
 * kv.used counts each held block once, kv.cached the blocks nobody holds. */
#ifndef SERVESIM_PREFIX_H
#define SERVESIM_PREFIX_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "sim/kvcache.h"

#define PREFIX_NONE UINT32_MAX

/* What a request's prompt is made of: tokens [0, end[0]) are shared segment 0 (a system prompt),
 * [end[0], end[1]) segment 1 (a template), the rest the request's own conversation. key names each part. */
typedef struct {
  uint64_t key[3];
  uint32_t end[2];
  uint32_t pinned;  /* leading blocks the request holds through the cache */
  uint32_t session; /* its conversation's slot (sim/session.h), or PREFIX_NONE */
} prefix_ident;

/* Idents of the requests in flight, by request id (shared by every replica's cache). */
typedef struct {
  prefix_ident *v;
  uint32_t cap;
} prefix_idents;

ss_status prefix_idents_set(prefix_idents *t, uint32_t id, const prefix_ident *ident, ss_err *err);
void prefix_idents_free(prefix_idents *t);

typedef struct {
  uint64_t name;
  uint32_t refs;
  uint32_t prev, next; /* LRU list while refs == 0; next is also the free list */
} prefix_block;

/* A table slot: a block's name next to its entry, so a probe reads one cache line. */
typedef struct {
  uint64_t name;
  uint32_t e; /* PREFIX_NONE: empty */
} prefix_slot;

typedef struct {
  kv_cache *kv;
  prefix_idents *ids;
  prefix_block *b; /* one entry per cached block: at most the cache's capacity */
  uint32_t n_b, free_head, lru_head, lru_tail;
  prefix_slot *slot; /* open addressing (linear probing) over entries */
  uint32_t *found;   /* the entries the last probe found, in block order */
  uint64_t mask;
  uint64_t hit_tokens, query_tokens; /* admissions of measured requests: cached and prompt tokens */
} prefix_cache;

/* A cache over kv's blocks; it installs itself as kv's evictor. */
ss_status prefix_init(prefix_cache *pc, kv_cache *kv, prefix_idents *ids, ss_err *err);
void prefix_free(prefix_cache *pc);

/* Cached blocks at the head of a prompt of `prompt` tokens (at most (prompt - 1) / block_size), and
 * (*unheld) how many of them nobody holds. Changes no block; remembers what it found for prefix_hold. */
uint32_t prefix_probe(prefix_cache *pc, const prefix_ident *ident, uint32_t prompt, uint32_t *unheld);
/* Request id takes hold of the first n blocks of its prompt, as the probe just before found them;
 * measured admissions count n blocks hit out of prompt tokens. */
void prefix_hold(prefix_cache *pc, uint32_t id, uint32_t n, uint32_t prompt, bool measured);
/* The first `full` blocks of request id hold computed tokens: they join the cache (a block another
 * request already cached is shared, and the request's own copy freed). */
void prefix_publish(prefix_cache *pc, uint32_t id, uint32_t full);
/* Request id lets go of `blocks` blocks: the first `full` of them join the cache first, the rest of the
 * private ones are freed, the cached ones wait in the LRU list. */
void prefix_release(prefix_cache *pc, uint32_t id, uint32_t full, uint64_t blocks);

#endif
