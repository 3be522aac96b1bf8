/* hw.h: GPU specifications from hwdb/gpus: memory, bandwidth, dense peak per dtype, links, power.
 * Invariant: a dtype whose peak is NAN is unsupported by the GPU (no tensor-core path). */
#ifndef SERVESIM_HW_H
#define SERVESIM_HW_H
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/keytab.h"

typedef enum { DT_FP16, DT_BF16, DT_FP8, DT_INT8, DT_INT4, DT_FP4, DT_COUNT } hw_dtype;

extern const char *const hw_dtype_names[]; /* NULL-terminated, indexed by hw_dtype */

typedef struct {
  char id[48], name[96], vendor[16], arch[16];
  char aliases[12][48];
  size_t n_aliases;
  double memory_gb;  /* the datasheet figure; 1 GB = 1e9 bytes */
  double memory_mib; /* what the driver reports (nvidia-smi, amd-smi), MiB; NAN: memory_gb */
  double mem_bw_gb_s;
  double peak_tflops[DT_COUNT]; /* dense; NAN = unsupported */
  double nvlink_gb_s;           /* 0 = no NVLink / fabric */
  double pcie_gb_s;             /* per direction */
  double tdp_w;
  double gpus_per_node;       /* GPUs one node (NVLink domain) holds; tensor parallelism beyond it crosses nodes */
  double internode_gb_s;      /* network bandwidth per GPU between nodes, per direction */
  double internode_latency_s; /* one network hop of a collective between nodes */
  double power_idle_w;        /* model loaded, no step running; NAN: HW_IDLE_FRAC x TDP */
  double power_memory_w;      /* added per unit of datasheet bandwidth a step uses; NAN: HW_MEMORY_FRAC x TDP */
  double power_compute_w;     /* added per unit of dense peak a step uses; NAN: HW_COMPUTE_FRAC x TDP */
  /* the GPU's kernel stack: multipliers on the engine profiles' memory and compute efficiencies (1 on
   * the reference GPU, the H200; fitted by tools/calibrate.py where rows show them). An unset compute
   * scale is derived by hw_gpu_finish from gemm_tflops, else 1. */
  double eff_scale_bw, eff_scale_compute;
  /* its small kernels: a multiplier on the engine profiles' fixed per-layer GPU time (overhead_layer_s:
   * norms, rotary, activations and the gaps between kernels) and all-reduce latency, 1 on the reference GPU */
  double layer_cost_scale;
  double gemm_tflops; /* measured: best dense 16-bit GEMM throughput (square bf16 matmuls); NAN: none */
  char source[2048], date[16], note[1536], power_source[512], calibration[1024], gemm_source[512];
} hw_gpu;

/* Board power of a step, per GPU: idle + memory x (bandwidth fraction) + compute x (peak fraction),
 * at most the TDP. Default coefficients, as fractions of TDP, are the H200 measurements of
 * results/gpu (81 W idle, 605 W streaming HBM at 0.90 of datasheet, 692 W in GEMMs at 0.70 of peak). */
#define HW_IDLE_FRAC     0.116
#define HW_MEMORY_FRAC   0.836
#define HW_COMPUTE_FRAC  1.247
/* The reference GPU's (H200's) measured GEMM fraction, gemm_tflops / dense bf16 peak (790.29 / 989, the
 * same square-matmul benchmark as every other gemm_tflops in hwdb/gpus): a GPU whose GEMMs reach a larger
 * fraction of their datasheet peak gets a proportionally larger default eff_scale_compute. */
#define HW_GEMM_REF_FRAC (790.29 / 989.0)
typedef struct {
  double idle_w, memory_w, compute_w, max_w;
  bool measured; /* the GPU's own figures, not the TDP fractions */
} hw_power;
void hw_power_model(const hw_gpu *g, hw_power *p);

const kt_field *hw_gpu_fields(size_t *n);
/* After parsing one GPU entry (an hw_gpu; lines: each key's line in file, by key table index): checks
 * gemm_tflops against the dense 16-bit peak (at most 1.5x: boost clocks, never a sparse figure) and
 * fills an unset eff_scale_compute from it. */
ss_status hw_gpu_finish(void *gpu, const char *file, const unsigned *lines, ss_err *err);
bool hw_supports(const hw_gpu *g, hw_dtype d);
double hw_mem_bytes(const hw_gpu *g);
double hw_bw_bytes_per_s(const hw_gpu *g);
double hw_peak_flops(const hw_gpu *g, hw_dtype d); /* FLOP/s, NAN when unsupported */
/* Link used for tensor-parallel collectives within a node: NVLink when present, PCIe otherwise. */
double hw_link_bytes_per_s(const hw_gpu *g, bool *is_nvlink);

#endif
