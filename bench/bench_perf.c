/* bench_perf.c: nanoseconds per perf_step_time call (the event loop calls it every iteration;
 * target < 100 ns). Varies the batch shape every call so nothing is hoisted out of the loop.
 * usage: bench_perf [calls]   (default 20,000,000 per configuration) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hwdb/hwdb.h"
#include "physics/perf.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  static const struct {
    const char *gpu, *model, *w, *engine;
    uint32_t tp;
  } CFG[] = {
      {"h100-sxm-80gb", "llama-3.1-8b", "fp16", "vllm", 1},
      {"h100-sxm-80gb", "llama-3.1-70b", "fp8", "trtllm", 4},
      {"h100-sxm-80gb", "mixtral-8x7b", "fp16", "vllm", 2},
  };
  long calls = argc > 1 ? strtol(argv[1], NULL, 10) : 20000000L;
  if (calls < 1) calls = 20000000L;
  hwdb db;
  ss_err err;
  char dir[4096];
  if (hwdb_load(hwdb_default_dir(dir, sizeof dir), &db, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
  printf("perf_step_time: %ld calls per configuration\n", calls);
  for (size_t k = 0; k < sizeof CFG / sizeof CFG[0]; k++) {
    hwdb_bound b = {hwdb_gpu(&db, CFG[k].gpu), hwdb_model(&db, CFG[k].model), hwdb_quant(&db, CFG[k].w),
                    hwdb_quant(&db, "fp16"), hwdb_engine(&db, CFG[k].engine), false};
    perf_opts o;
    perf_ctx c;
    perf_opts_from_engine(b.engine, CFG[k].tp, 1, &o);
    if (perf_init(&c, &b, &o, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    volatile double sink = 0;
    double acc = 0, t0 = now_s();
    for (long i = 0; i < calls; i++) {
      uint32_t n = 1 + (uint32_t)(i & 255);
      batch_shape bs = {.n_decode = n,
                        .decode_ctx = n * (double)(512 + (i & 1023)),
                        .n_prefill = (uint32_t)(i & 1),
                        .prefill_tokens = (double)((i & 1) * 512),
                        .prefill_attn = (double)((i & 1) * 512 * 256),
                        .n_sampled = n};
      acc += perf_step_time(&c, &bs);
    }
    double dt = now_s() - t0;
    sink = acc;
    (void)sink;
    printf("  %-14s %-14s %-5s tp %u: %6.1f ns per call\n", CFG[k].gpu, CFG[k].model, CFG[k].w, CFG[k].tp,
           dt / (double)calls * 1e9);
  }
  hwdb_free(&db);
  return 0;
}
