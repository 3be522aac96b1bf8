/* test_rng.c: known answers for the random numbers every result rests on: Random123's Philox4x32-10
 * test vectors (through the raw function and through servesim's gsl_rng_type), splitmix64's published
 * first output, and golden stream keys (a change to the keying would silently change every old seed). */
#include <Random123/philox.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/rng.h"
#include "check.h"

/* Random123 kat_vectors, "philox4x32 10": counter (4 words), key (2 words), expected (4 words). */
static const struct {
  uint32_t ctr[4], key[2], out[4];
} KAT[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};
#define NKAT (sizeof KAT / sizeof KAT[0])

static void test_philox_matches_random123_known_answers(void **state) {
  (void)state;
  for (size_t i = 0; i < NKAT; i++) {
    philox4x32_ctr_t c = {{KAT[i].ctr[0], KAT[i].ctr[1], KAT[i].ctr[2], KAT[i].ctr[3]}};
    philox4x32_key_t k = {{KAT[i].key[0], KAT[i].key[1]}};
    philox4x32_ctr_t o = philox4x32(c, k);
    for (int w = 0; w < 4; w++)
      check_msg(o.v[w] == KAT[i].out[w], "vector %zu word %d: %08x, expected %08x", i, w, o.v[w], KAT[i].out[w]);
  }
}

/* The stream of key 0 and purpose 0 starts at counter 0: its first four outputs are vector 0. */
static void test_stream_outputs_are_the_counter_blocks_in_order(void **state) {
  (void)state;
  gsl_rng *r = rng_stream(0, RNG_ARRIVALS);
  assert_non_null(r);
  for (int w = 0; w < 4; w++) check_eq((double)gsl_rng_get(r), (double)KAT[0].out[w]);
  /* the fifth output is the first word of counter block 1 */
  philox4x32_ctr_t c1 = {{1, 0, 0, 0}};
  philox4x32_key_t k0 = {{0, 0}};
  check_eq((double)gsl_rng_get(r), (double)philox4x32(c1, k0).v[0]);
  gsl_rng_free(r);
}

/* A 64-bit key fills both key words (low word first); the purpose sits in counter word 3. */
static void test_key_words_and_purpose_place_the_stream(void **state) {
  (void)state;
  const uint64_t key = ((uint64_t)KAT[2].key[1] << 32) | KAT[2].key[0];
  size_t tested = 0;
  for (int p = 0; p < RNG_PURPOSES; p++) {
    gsl_rng *r = rng_stream(key, (rng_purpose)p);
    assert_non_null(r);
    philox4x32_ctr_t c = {{0, 0, 0, (uint32_t)p}};
    philox4x32_key_t k = {{KAT[2].key[0], KAT[2].key[1]}};
    philox4x32_ctr_t o = philox4x32(c, k);
    for (int w = 0; w < 4; w++) check_eq((double)gsl_rng_get(r), (double)o.v[w]);
    gsl_rng_free(r);
    tested++;
  }
  check_min_cases(tested, RNG_PURPOSES);
}

/* splitmix64's first output from state 0 is published (Vigna); the stream keys of a few
 * (seed, point, replicate) triples are pinned so a change to the keying cannot pass unnoticed. */
static void test_stream_keys_are_golden(void **state) {
  (void)state;
  check_msg(rng_splitmix64(0) == 0xe220a8397b1dcdafULL, "splitmix64(0) = %016llx",
            (unsigned long long)rng_splitmix64(0));
  static const struct {
    uint64_t seed, point, rep, key;
  } G[] = {
      {42, 0, 0, 0x6310bf04d8207f46ULL},
      {42, 3, 7, 0xab2f97746e2ea953ULL},
      {UINT64_MAX, (uint64_t)1 << 40, 123456789, 0x43e9a33b88afb436ULL},
  };
  for (size_t i = 0; i < sizeof G / sizeof G[0]; i++) {
    uint64_t k = rng_key(G[i].seed, G[i].point, G[i].rep);
    check_msg(k == G[i].key, "rng_key(%llu, %llu, %llu) = %016llx, pinned %016llx", (unsigned long long)G[i].seed,
              (unsigned long long)G[i].point, (unsigned long long)G[i].rep, (unsigned long long)k,
              (unsigned long long)G[i].key);
  }
  /* and the first outputs of seed 42's first arrival stream */
  static const uint32_t FIRST[] = {0x3301d02d, 0x8364e7c9, 0x1ba45774, 0x6716458b, 0xcf917247, 0x256b13b5};
  gsl_rng *r = rng_stream(rng_key(42, 0, 0), RNG_ARRIVALS);
  assert_non_null(r);
  for (size_t i = 0; i < sizeof FIRST / sizeof FIRST[0]; i++) check_eq((double)gsl_rng_get(r), (double)FIRST[i]);
  gsl_rng_free(r);
}

/* Uniform doubles lie strictly inside (0, 1), so -log(u) and log(1 - u) are always finite. */
static void test_uniforms_are_strictly_inside_the_unit_interval(void **state) {
  (void)state;
  gsl_rng *r = rng_stream(0, RNG_ARRIVALS);
  assert_non_null(r);
  size_t tested = 0;
  for (int i = 0; i < 100000; i++, tested++) {
    double u = gsl_rng_uniform(r);
    check_msg(u > 0 && u < 1, "draw %d: %.17g", i, u);
  }
  check_min_cases(tested, 100000);
  /* the extremes of the 32-bit output map inside too */
  check_gt((0.0 + 0.5) / 4294967296.0, 0);
  check_lt((4294967295.0 + 0.5) / 4294967296.0, 1);
  gsl_rng_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_philox_matches_random123_known_answers),
      cmocka_unit_test(test_stream_outputs_are_the_counter_blocks_in_order),
      cmocka_unit_test(test_key_words_and_purpose_place_the_stream),
      cmocka_unit_test(test_stream_keys_are_golden),
      cmocka_unit_test(test_uniforms_are_strictly_inside_the_unit_interval),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
