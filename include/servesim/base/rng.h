/* rng.h: Philox4x32-10 (Random123) as a gsl_rng_type, so every gsl_ran_* sampler works on it.
 * A stream is keyed by splitmix64(master seed, sweep point, replicate) (full 64 bits) and a
 * purpose; the purpose sits in the counter's top word, so streams of different purposes never
 * overlap, and each stream has 2^64 blocks of four 32-bit outputs.
 * Common random numbers: purposes that must match across sweep points are keyed with point 0. */
#ifndef SERVESIM_RNG_H
#define SERVESIM_RNG_H
#include <gsl/gsl_rng.h>
#include <stdint.h>

/* Purposes are appended only, never renumbered: that keeps old seeds reproducible. */
typedef enum {
  RNG_ARRIVALS = 0,
  RNG_INPUT_LEN = 1,
  RNG_OUTPUT_LEN = 2,
  RNG_UNCERTAIN = 3,
  RNG_ROUTER = 4,
  RNG_CLOSED_THINK = 5,
  RNG_TRACE_RESAMPLE = 6,
  RNG_SHARE = 7,        /* shared prefixes: system prompt and template choices, turns per session */
  RNG_TURN_INPUT = 8,   /* a session's later turns: new input tokens */
  RNG_TURN_OUTPUT = 9,  /* a session's later turns: output tokens */
  RNG_TURN_THINK = 10,  /* a session's think time between turns */
  RNG_SPEC_ACCEPT = 11, /* speculative decoding: accepted draft tokens per step (one stream per replica) */
  RNG_DESIGN = 12,    /* Latin hypercube permutations, Morris trajectories, Iman-Conover pairing */
  RNG_BOOTSTRAP = 13, /* resampling for the confidence intervals of sensitivity indices */
  RNG_SPOT = 14,      /* spot interruption times of a fleet's instances, in launch order */
  RNG_FAILURE = 15,   /* failure times of a fleet's instances, in launch order */
  RNG_ESCALATE = 16,  /* multi-model cascade: which requests escalate */
  RNG_CACHE = 17,     /* multi-model routing: which requests hit the response cache */
  RNG_PURPOSES
} rng_purpose;

extern const gsl_rng_type *rng_philox4x32_type;

uint64_t rng_splitmix64(uint64_t x);
/* The 64-bit key of (master seed, sweep point, replicate). */
uint64_t rng_key(uint64_t seed, uint64_t point, uint64_t replicate);
/* A new generator for one stream; NULL when out of memory. Free with gsl_rng_free. */
gsl_rng *rng_stream(uint64_t key, rng_purpose purpose);
/* Re-targets an existing philox generator to another stream. */
void rng_reset(gsl_rng *r, uint64_t key, rng_purpose purpose);

#endif
