/* test_kvcache.c: paged block accounting; the residue counters predict exactly the blocks that a
 * per-sequence count would allocate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "check.h"
#include "sim/kvcache.h"

static void test_blocks_round_tokens_up(void **state) {
  (void)state;
  kv_cache kv;
  assert_int_equal(kv_init(&kv, 10, 16, NULL), SS_OK);
  assert_int_equal(kv_blocks(&kv, 1), 1);
  assert_int_equal(kv_blocks(&kv, 16), 1);
  assert_int_equal(kv_blocks(&kv, 17), 2);
  assert_int_equal(kv_blocks(&kv, 0), 0);
  kv_free(&kv);
}

static void test_allocation_never_exceeds_capacity(void **state) {
  (void)state;
  kv_cache kv;
  assert_int_equal(kv_init(&kv, 10, 16, NULL), SS_OK);
  assert_true(kv_try_alloc(&kv, 7));
  assert_false(kv_try_alloc(&kv, 4)); /* 7 + 4 > 10: refused, nothing taken */
  assert_int_equal(kv.used, 7);
  assert_true(kv_try_alloc(&kv, 3));
  assert_int_equal(kv_free_blocks(&kv), 0);
  assert_false(kv_try_alloc(&kv, 1));
  kv_release(&kv, 5);
  assert_int_equal(kv.used, 5);
  assert_int_equal(kv.peak, 10);
  kv_free(&kv);
}

/* Sequences of random lengths decode in lockstep; at each step the residue counter must equal the
 * number of sequences whose token count is a multiple of the block size. */
static void test_decode_need_matches_a_per_sequence_count(void **state) {
  (void)state;
  enum { NSEQ = 40, STEPS = 300 };
  const uint32_t sizes[] = {1, 3, 16, 17};
  size_t tested = 0;
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    kv_cache kv;
    uint64_t tok[NSEQ];
    bool live[NSEQ] = {0};
    assert_int_equal(kv_init(&kv, 1u << 30, sizes[s], NULL), SS_OK);
    uint64_t x = 12345 + s;
    uint64_t step = 7;
    for (int t = 0; t < STEPS; t++) {
      /* sequences join and leave at random steps */
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      int i = (int)((x >> 33) % NSEQ);
      if (live[i])
        kv_track(&kv, tok[i], step, -1), live[i] = false;
      else
        tok[i] = 1 + (x >> 40) % 100, kv_track(&kv, tok[i], step, +1), live[i] = true;
      uint64_t want = 0, blocks_before = 0, blocks_after = 0;
      for (int j = 0; j < NSEQ; j++)
        if (live[j]) {
          want += tok[j] % sizes[s] == 0;
          blocks_before += kv_blocks(&kv, tok[j]);
          blocks_after += kv_blocks(&kv, tok[j] + 1);
        }
      assert_int_equal(kv_decode_need(&kv, step), want);
      assert_int_equal(blocks_after - blocks_before, want);
      tested++;
      for (int j = 0; j < NSEQ; j++) tok[j]++;
      step++;
    }
    kv_free(&kv);
  }
  check_min_cases(tested, 4 * STEPS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_blocks_round_tokens_up),
      cmocka_unit_test(test_allocation_never_exceeds_capacity),
      cmocka_unit_test(test_decode_need_matches_a_per_sequence_count),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
