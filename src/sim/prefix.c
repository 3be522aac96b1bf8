/* prefix.c: the block-name table (open addressing, linear probing, backward-shift deletion), the LRU
 * list of unheld blocks and the hold/publish/release/evict operations of prefix.h. Names are 64-bit
 * mixes of (segment key, block index), so distinct contents collide with probability about 2^-64.
 * A probe keeps the entries it found, so the hold that follows it does not look them up again. */
#include "sim/prefix.h"

#include <stdlib.h>
#include <string.h>

ss_status prefix_idents_set(prefix_idents *t, uint32_t id, const prefix_ident *ident, ss_err *err) {
  if (id >= t->cap) {
    uint32_t cap = t->cap ? t->cap : 1024;
    while (cap <= id) cap *= 2;
    prefix_ident *v = realloc(t->v, (size_t)cap * sizeof *v);
    if (!v) return ss_errorf(err, SS_ENOMEM, "out of memory for %u prompt descriptions", cap);
    t->v = v, t->cap = cap;
  }
  t->v[id] = *ident;
  return SS_OK;
}

void prefix_idents_free(prefix_idents *t) {
  free(t->v);
  *t = (prefix_idents){0};
}

/* The name of block i of a prompt: its segment's key and its index through a 64-bit finaliser
 * (splitmix64's constants, inlined: names are computed for every block of every prompt). */
static uint64_t block_name(const prefix_ident *p, uint32_t i, uint32_t bs) {
  uint64_t end = (uint64_t)(i + 1) * bs;
  int seg = end <= p->end[0] ? 0 : end <= p->end[1] ? 1 : 2;
  uint64_t z = p->key[seg] + 0x9e3779b97f4a7c15ULL * ((uint64_t)i + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Names are splitmix64 outputs, so their low bits are already uniform. */
static uint64_t home(const prefix_cache *pc, uint64_t name) { return name & pc->mask; }

/* The table slot holding name, or the empty slot where it would go. */
static uint64_t find(const prefix_cache *pc, uint64_t name) {
  uint64_t i = home(pc, name);
  while (pc->slot[i].e != PREFIX_NONE && pc->slot[i].name != name) i = (i + 1) & pc->mask;
  return i;
}

static void table_remove(prefix_cache *pc, uint64_t i) {
  pc->slot[i].e = PREFIX_NONE;
  for (uint64_t j = (i + 1) & pc->mask; pc->slot[j].e != PREFIX_NONE; j = (j + 1) & pc->mask) {
    uint64_t h = home(pc, pc->slot[j].name);
    /* the entry at j moves to the hole at i when the hole lies on its probe path (home .. j) */
    if (((j - h) & pc->mask) >= ((j - i) & pc->mask)) {
      pc->slot[i] = pc->slot[j];
      pc->slot[j].e = PREFIX_NONE;
      i = j;
    }
  }
}

static void lru_unlink(prefix_cache *pc, uint32_t e) {
  prefix_block *b = &pc->b[e];
  if (b->prev != PREFIX_NONE)
    pc->b[b->prev].next = b->next;
  else
    pc->lru_head = b->next;
  if (b->next != PREFIX_NONE)
    pc->b[b->next].prev = b->prev;
  else
    pc->lru_tail = b->prev;
}

static void lru_append(prefix_cache *pc, uint32_t e) {
  pc->b[e].prev = pc->lru_tail, pc->b[e].next = PREFIX_NONE;
  if (pc->lru_tail != PREFIX_NONE)
    pc->b[pc->lru_tail].next = e;
  else
    pc->lru_head = e;
  pc->lru_tail = e;
}

/* Frees the n least recently used unheld blocks. */
static void evict(void *ctx, uint64_t n) {
  prefix_cache *pc = ctx;
  for (; n > 0 && pc->lru_head != PREFIX_NONE; n--) {
    uint32_t e = pc->lru_head;
    lru_unlink(pc, e);
    table_remove(pc, find(pc, pc->b[e].name));
    pc->b[e].next = pc->free_head;
    pc->free_head = e;
    pc->kv->cached--;
  }
}

ss_status prefix_init(prefix_cache *pc, kv_cache *kv, prefix_idents *ids, ss_err *err) {
  *pc =
      (prefix_cache){.kv = kv, .ids = ids, .free_head = PREFIX_NONE, .lru_head = PREFIX_NONE, .lru_tail = PREFIX_NONE};
  if (kv->capacity >= UINT32_MAX / 4)
    return ss_errorf(err, SS_EDATA, "prefix caching: %llu KV blocks are more than the cache indexes",
                     (unsigned long long)kv->capacity);
  uint64_t size = 16;
  while (size < 2 * kv->capacity) size *= 2;
  pc->mask = size - 1;
  pc->n_b = (uint32_t)kv->capacity;
  pc->b = malloc((size_t)pc->n_b * sizeof *pc->b);
  pc->slot = malloc((size_t)size * sizeof *pc->slot);
  pc->found = malloc((size_t)pc->n_b * sizeof *pc->found);
  if (!pc->b || !pc->slot || !pc->found) {
    prefix_free(pc);
    return ss_errorf(err, SS_ENOMEM, "out of memory for a prefix cache of %u blocks", pc->n_b);
  }
  for (uint64_t i = 0; i < size; i++) pc->slot[i] = (prefix_slot){0, PREFIX_NONE};
  for (uint32_t e = 0; e < pc->n_b; e++) pc->b[e].next = e + 1 < pc->n_b ? e + 1 : PREFIX_NONE;
  pc->free_head = pc->n_b ? 0 : PREFIX_NONE;
  kv->evict = evict, kv->evict_ctx = pc;
  return SS_OK;
}

void prefix_free(prefix_cache *pc) {
  free(pc->b), free(pc->slot), free(pc->found);
  pc->b = NULL, pc->slot = NULL, pc->found = NULL;
}

uint32_t prefix_probe(prefix_cache *pc, const prefix_ident *ident, uint32_t prompt, uint32_t *unheld) {
  uint32_t bs = pc->kv->block_size, max = prompt ? (prompt - 1) / bs : 0, n = 0;
  *unheld = 0;
  for (; n < max; n++) {
    uint32_t e = pc->slot[find(pc, block_name(ident, n, bs))].e;
    if (e == PREFIX_NONE) break;
    pc->found[n] = e;
    *unheld += pc->b[e].refs == 0;
  }
  return n;
}

/* One more holder of entry e. */
static void take(prefix_cache *pc, uint32_t e) {
  if (pc->b[e].refs++ == 0) {
    lru_unlink(pc, e);
    pc->kv->cached--;
    pc->kv->used++;
  }
}

void prefix_hold(prefix_cache *pc, uint32_t id, uint32_t n, uint32_t prompt, bool measured) {
  prefix_ident *p = &pc->ids->v[id];
  for (uint32_t i = 0; i < n; i++) take(pc, pc->found[i]);
  p->pinned = n;
  if (measured) pc->hit_tokens += (uint64_t)n * pc->kv->block_size, pc->query_tokens += prompt;
}

void prefix_publish(prefix_cache *pc, uint32_t id, uint32_t full) {
  prefix_ident *p = &pc->ids->v[id];
  for (uint32_t i = p->pinned; i < full; i++) {
    uint64_t name = block_name(p, i, pc->kv->block_size), at = find(pc, name);
    if (pc->slot[at].e != PREFIX_NONE) { /* computed twice: share the cached one, free this copy */
      take(pc, pc->slot[at].e);
      kv_release(pc->kv, 1);
      continue;
    }
    uint32_t e = pc->free_head; /* never exhausted: each entry is a block of the cache */
    pc->free_head = pc->b[e].next;
    pc->b[e] = (prefix_block){.name = name, .refs = 1, .prev = PREFIX_NONE, .next = PREFIX_NONE};
    pc->slot[at] = (prefix_slot){name, e};
  }
  if (full > p->pinned) p->pinned = full;
}

void prefix_release(prefix_cache *pc, uint32_t id, uint32_t full, uint64_t blocks) {
  prefix_publish(pc, id, full);
  prefix_ident *p = &pc->ids->v[id];
  kv_release(pc->kv, blocks - p->pinned);
  for (uint32_t i = p->pinned; i-- > 0;) { /* tail first: a prompt's head blocks stay longest */
    uint32_t e = pc->slot[find(pc, block_name(p, i, pc->kv->block_size))].e;
    if (--pc->b[e].refs) continue;
    lru_append(pc, e);
    pc->kv->used--;
    pc->kv->cached++;
  }
  p->pinned = 0;
}
