/* test_localwin.c: local attention (sliding windows, Llama 4's chunks): what a local layer reads of one
 * sequence and of a prompt chunk, and the tracker that keeps the decoding set's sum in O(1) a token,
 * checked against a per-sequence count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "check.h"
#include "hwdb/model.h"
#include "sim/localwin.h"

static uint64_t next(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void test_a_local_layer_reads_the_window_or_the_chunk_so_far(void **state) {
  (void)state;
  check_eq(model_local_ctx(LOCAL_SLIDING, 4096, 100), 100);
  check_eq(model_local_ctx(LOCAL_SLIDING, 4096, 30000), 4096);
  check_eq(model_local_ctx(LOCAL_CHUNKED, 8192, 8191), 8191);
  check_eq(model_local_ctx(LOCAL_CHUNKED, 8192, 8192), 0); /* a new chunk starts */
  check_eq(model_local_ctx(LOCAL_CHUNKED, 8192, 20000), 20000 - 16384);
  check_eq(model_local_ctx(LOCAL_SLIDING, 0, 30000), 30000); /* no window: global attention */
}

/* A prompt's attention work on a local layer adds up over its chunks, equals the global count
 * c (P + c/2) inside the window, and is the window per token beyond it (a chunk's half on average). */
static void test_prompt_attention_adds_up_over_chunks_and_stops_growing_past_the_window(void **state) {
  (void)state;
  for (int kind = LOCAL_SLIDING; kind <= LOCAL_CHUNKED; kind++) {
    check_eq(model_local_chunk_attn(kind, 0, 300, 200), 200 * (300 + 100));
    check_eq(model_local_chunk_attn(kind, 1024, 300, 200), 200 * (300 + 100));
    double whole = model_local_chunk_attn(kind, 1024, 0, 10000);
    double parts = model_local_chunk_attn(kind, 1024, 0, 3000) + model_local_chunk_attn(kind, 1024, 3000, 2500) +
                   model_local_chunk_attn(kind, 1024, 5500, 4500);
    check_rel(parts, whole, 1e-12);
  }
  check_eq(model_local_chunk_attn(LOCAL_SLIDING, 1024, 5000, 100), 100 * 1024);
  check_eq(model_local_chunk_attn(LOCAL_CHUNKED, 1024, 0, 8 * 1024), 8 * 1024 * 1024 / 2);
}

/* Sequences join and leave a decoding set that advances in lockstep, by 1-3 tokens a step (speculative
 * decoding); after every change the tracker's sum equals the per-sequence sum of model_local_ctx. */
static void test_the_tracked_sum_matches_a_per_sequence_count(void **state) {
  (void)state;
  enum { MAXSEQ = 64, STEPS = 3000, W = 37 };
  for (int kind = LOCAL_SLIDING; kind <= LOCAL_CHUNKED; kind++) {
    lw_tracker w;
    assert_int_equal(lw_init(&w, kind, W, 1e9, NULL), SS_OK);
    assert_int_equal(w.window, W);
    int64_t off[MAXSEQ]; /* ctx = off + step; INT64_MIN: free */
    for (int i = 0; i < MAXSEQ; i++) off[i] = INT64_MIN;
    uint64_t s = 7 + (uint64_t)kind, step = 0, cases = 0;
    for (int t = 0; t < STEPS; t++) {
      int i = (int)(next(&s) % MAXSEQ);
      if (off[i] == INT64_MIN && next(&s) % 2) { /* joins with 1..199 cached tokens */
        uint64_t ctx = 1 + next(&s) % 199;
        off[i] = (int64_t)ctx - (int64_t)step;
        lw_enter(&w, ctx, step);
      } else if (off[i] != INT64_MIN && next(&s) % 4 == 0) {
        lw_leave(&w, (uint64_t)(off[i] + (int64_t)step), step);
        off[i] = INT64_MIN;
      }
      uint32_t adv = 1 + (uint32_t)(next(&s) % 3);
      lw_advance(&w, step, adv);
      step += adv;
      uint64_t want = 0;
      for (int j = 0; j < MAXSEQ; j++)
        if (off[j] != INT64_MIN) want += (uint64_t)model_local_ctx(kind, W, (double)(off[j] + (int64_t)step));
      check_eq(w.sum, want);
      cases++;
    }
    check_eq(cases, STEPS);
    lw_free(&w);
  }
}

static void test_a_window_no_context_reaches_tracks_nothing(void **state) {
  (void)state;
  lw_tracker w;
  assert_int_equal(lw_init(&w, LOCAL_SLIDING, 8192, 8192, NULL), SS_OK); /* Gemma 2: window = context */
  check_eq(w.window, 0);
  assert_null(w.ring);
  assert_int_equal(lw_init(&w, LOCAL_CHUNKED, 0, 1e6, NULL), SS_OK);
  check_eq(w.window, 0);
  lw_enter(&w, 100, 0), lw_advance(&w, 0, 1);
  check_eq(w.sum, 0);
  lw_free(&w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_local_layer_reads_the_window_or_the_chunk_so_far),
      cmocka_unit_test(test_prompt_attention_adds_up_over_chunks_and_stops_growing_past_the_window),
      cmocka_unit_test(test_the_tracked_sum_matches_a_per_sequence_count),
      cmocka_unit_test(test_a_window_no_context_reaches_tracks_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
