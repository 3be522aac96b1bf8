/* rng.c: the Philox4x32-10 gsl_rng_type. Outputs are the four words of each counter block in
 * order; the low 64 bits of the counter count blocks, word 3 holds the purpose. */
#include "base/rng.h"

#include <Random123/philox.h>
#include <string.h>

typedef struct {
  philox4x32_key_t key;
  philox4x32_ctr_t ctr;
  philox4x32_ctr_t out;
  unsigned idx; /* next word of out; 4 = block used up */
} philox_state;

static void philox_set(void *vstate, unsigned long seed) {
  philox_state *s = vstate;
  memset(s, 0, sizeof *s);
  uint64_t k = (uint64_t)seed;
  s->key.v[0] = (uint32_t)k;
  s->key.v[1] = (uint32_t)(k >> 32);
  s->idx = 4;
}

static unsigned long philox_get(void *vstate) {
  philox_state *s = vstate;
  if (s->idx == 4) {
    s->out = philox4x32(s->ctr, s->key);
    if (++s->ctr.v[0] == 0) ++s->ctr.v[1];
    s->idx = 0;
  }
  return s->out.v[s->idx++];
}

static double philox_get_double(void *vstate) {
  /* (0, 1): never exactly 0, so -log(u) is always finite */
  return ((double)philox_get(vstate) + 0.5) / 4294967296.0;
}

static const gsl_rng_type philox_type = {"philox4x32-10", 0xffffffffUL,     0, sizeof(philox_state), philox_set,
                                         philox_get,      philox_get_double};
const gsl_rng_type *rng_philox4x32_type = &philox_type;

uint64_t rng_splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t rng_key(uint64_t seed, uint64_t point, uint64_t replicate) {
  return rng_splitmix64(rng_splitmix64(rng_splitmix64(seed) ^ point) ^ replicate);
}

void rng_reset(gsl_rng *r, uint64_t key, rng_purpose purpose) {
  philox_set(r->state, (unsigned long)key);
  ((philox_state *)r->state)->ctr.v[3] = (uint32_t)purpose;
}

gsl_rng *rng_stream(uint64_t key, rng_purpose purpose) {
  _Static_assert(sizeof(unsigned long) >= 8, "64-bit seeds need a 64-bit unsigned long");
  gsl_rng *r = gsl_rng_alloc(rng_philox4x32_type);
  if (r) rng_reset(r, key, purpose);
  return r;
}
