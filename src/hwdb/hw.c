/* hw.c: the GPU key table and derived quantities in SI units (bytes, bytes/s, FLOP/s). */
#include "hwdb/hw.h"

#include <math.h>

const char *const hw_dtype_names[] = {"fp16", "bf16", "fp8", "int8", "int4", "fp4", NULL};

#define PEAK(key, dt, h) KT_ROW_F64(hw_gpu, "peak_tflops." key, peak_tflops[dt], NAN, 0, 1e5, 0, h)

static const kt_field FIELDS[] = {
    KT_ROW_STR(hw_gpu, "id", id, "", KT_REQUIRED, "hwdb id, equal to the file name"),
    KT_ROW_STR(hw_gpu, "name", name, "", KT_REQUIRED, "marketing name"),
    KT_ROW_STR(hw_gpu, "vendor", vendor, "", KT_REQUIRED, "nvidia or amd"),
    KT_ROW_STR(hw_gpu, "arch", arch, "", KT_REQUIRED, "architecture (ampere, ada, hopper, ...)"),
    KT_ROW_STRLIST(hw_gpu, "aliases", aliases, n_aliases, 0, "names people type"),
    KT_ROW_F64(hw_gpu, "memory_gb", memory_gb, 0, 1, 1e4, KT_REQUIRED, "device memory on the datasheet, GB"),
    KT_ROW_F64(hw_gpu, "memory_mib", memory_mib, NAN, 1, 1e7, KT_UNSET_OK,
               "device memory as the driver reports it (nvidia-smi, amd-smi), MiB: what engines size the KV cache "
               "from (default: memory_gb x 1e9 bytes; datasheet GB of HBM parts are often GiB)"),
    KT_ROW_F64(hw_gpu, "mem_bw_gb_s", mem_bw_gb_s, 0, 1, 1e5, KT_REQUIRED, "memory bandwidth, GB/s"),
    PEAK("fp16", DT_FP16, "dense FP16 tensor TFLOPS"),
    PEAK("bf16", DT_BF16, "dense BF16 tensor TFLOPS"),
    PEAK("fp8", DT_FP8, "dense FP8 tensor TFLOPS"),
    PEAK("int8", DT_INT8, "dense INT8 tensor TOPS"),
    PEAK("int4", DT_INT4, "dense INT4 tensor TOPS"),
    PEAK("fp4", DT_FP4, "dense FP4 tensor TFLOPS"),
    KT_ROW_F64(hw_gpu, "nvlink_gb_s", nvlink_gb_s, 0, 0, 1e5, KT_REQUIRED, "NVLink/fabric GB/s, 0 = none"),
    KT_ROW_F64(hw_gpu, "pcie_gb_s", pcie_gb_s, 0, 1, 1e4, KT_REQUIRED, "PCIe GB/s per direction"),
    KT_ROW_F64(hw_gpu, "tdp_w", tdp_w, 0, 1, 1e5, KT_REQUIRED, "board power, W"),
    KT_ROW_F64(hw_gpu, "gpus_per_node", gpus_per_node, 8, 1, 1024, 0,
               "GPUs per node (one NVLink or PCIe domain); default 8, the usual server"),
    KT_ROW_F64(hw_gpu, "internode_gb_s", internode_gb_s, 50, 0.1, 1e4, 0,
               "network bandwidth between nodes per GPU per direction, GB/s; default 50 (one 400 Gb/s NIC per GPU)"),
    KT_ROW_F64(hw_gpu, "internode_latency_s", internode_latency_s, 10e-6, 0, 1, 0,
               "latency of one network hop of a collective between nodes, s; default 10 us (NCCL over InfiniBand)"),
    KT_ROW_F64(hw_gpu, "power_idle_w", power_idle_w, NAN, 0, 1e5, KT_UNSET_OK,
               "board power with the model loaded and no step running, W (default: 0.116 x TDP)"),
    KT_ROW_F64(hw_gpu, "power_memory_w", power_memory_w, NAN, 0, 1e5, KT_UNSET_OK,
               "power added per unit of datasheet bandwidth a step streams, W (default: 0.836 x TDP)"),
    KT_ROW_F64(hw_gpu, "power_compute_w", power_compute_w, NAN, 0, 1e5, KT_UNSET_OK,
               "power added per unit of dense peak a step computes, W (default: 1.247 x TDP)"),
    KT_ROW_STR(hw_gpu, "power_source", power_source, "", 0, "where the power figures come from"),
    KT_ROW_F64(hw_gpu, "eff_scale_bw", eff_scale_bw, 1, 0.1, 2, 0,
               "the engines' memory efficiencies on this GPU relative to the NVIDIA parts they were fitted on"),
    KT_ROW_F64(hw_gpu, "eff_scale_compute", eff_scale_compute, NAN, 0.1, 2, KT_UNSET_OK,
               "the engines' compute efficiencies on this GPU relative to the H200 they were fitted on (default: "
               "from gemm_tflops, else 1)"),
    KT_ROW_F64(hw_gpu, "layer_cost_scale", layer_cost_scale, 1, 0.1, 10, 0,
               "the engines' fixed per-layer GPU time (overhead_layer_s) and all-reduce latency "
               "(allreduce_latency_s) on this GPU relative to the H200 (small kernels and the gaps between them)"),
    KT_ROW_F64(hw_gpu, "gemm_tflops", gemm_tflops, NAN, 0.1, 1e5, KT_UNSET_OK,
               "measured dense 16-bit GEMM throughput, TFLOP/s (best square bf16 matmul): sets the default "
               "eff_scale_compute to (gemm_tflops / bf16 peak) / the H200's 790.29 / 989"),
    KT_ROW_STR(hw_gpu, "gemm_source", gemm_source, "", 0, "who measured gemm_tflops, how and when"),
    KT_ROW_STR(hw_gpu, "calibration", calibration, "", 0,
               "how eff_scale_bw, eff_scale_compute and layer_cost_scale were fitted"),
    KT_ROW_STR(hw_gpu, "source", source, "", KT_REQUIRED, "where the figures come from"),
    KT_ROW_STR(hw_gpu, "date", date, "", KT_REQUIRED, "date of the source, YYYY-MM-DD"),
    KT_ROW_STR(hw_gpu, "note", note, "", 0, "derivations and caveats"),
};

const kt_field *hw_gpu_fields(size_t *n) {
  *n = sizeof FIELDS / sizeof FIELDS[0];
  return FIELDS;
}

ss_status hw_gpu_finish(void *gpu, const char *file, const unsigned *lines, ss_err *err) {
  hw_gpu *g = gpu;
  unsigned line = lines[kt_index(FIELDS, sizeof FIELDS / sizeof FIELDS[0], "gemm_tflops")];
  double peak = hw_supports(g, DT_BF16) ? g->peak_tflops[DT_BF16] : g->peak_tflops[DT_FP16];
  if (isnan(g->gemm_tflops)) {
    if (isnan(g->eff_scale_compute)) g->eff_scale_compute = 1.0;
    return SS_OK;
  }
  if (!(peak > 0))
    return ss_errorf(err, SS_EDATA,
                     "%s:%u: key 'gemm_tflops': a measured GEMM is read as a fraction of the "
                     "dense 16-bit peak, and this GPU has none; allowed: peak_tflops.bf16 or .fp16 set",
                     file, line);
  if (g->gemm_tflops > 1.5 * peak)
    return ss_errorf(err, SS_EDATA,
                     "%s:%u: key 'gemm_tflops': value %g is over 1.5 x the dense 16-bit peak "
                     "%g (a sparse figure?); allowed: at most %g",
                     file, line, g->gemm_tflops, peak, 1.5 * peak);
  if (isnan(g->eff_scale_compute)) g->eff_scale_compute = g->gemm_tflops / peak / HW_GEMM_REF_FRAC;
  return SS_OK;
}

bool hw_supports(const hw_gpu *g, hw_dtype d) { return !isnan(g->peak_tflops[d]) && g->peak_tflops[d] > 0; }
double hw_mem_bytes(const hw_gpu *g) { return isnan(g->memory_mib) ? g->memory_gb * 1e9 : g->memory_mib * 1048576.0; }
double hw_bw_bytes_per_s(const hw_gpu *g) { return g->mem_bw_gb_s * 1e9; }
double hw_peak_flops(const hw_gpu *g, hw_dtype d) { return hw_supports(g, d) ? g->peak_tflops[d] * 1e12 : NAN; }

void hw_power_model(const hw_gpu *g, hw_power *p) {
  p->measured = !isnan(g->power_idle_w) && !isnan(g->power_memory_w) && !isnan(g->power_compute_w);
  p->idle_w = isnan(g->power_idle_w) ? HW_IDLE_FRAC * g->tdp_w : g->power_idle_w;
  p->memory_w = isnan(g->power_memory_w) ? HW_MEMORY_FRAC * g->tdp_w : g->power_memory_w;
  p->compute_w = isnan(g->power_compute_w) ? HW_COMPUTE_FRAC * g->tdp_w : g->power_compute_w;
  p->max_w = g->tdp_w;
}

double hw_link_bytes_per_s(const hw_gpu *g, bool *is_nvlink) {
  bool nv = g->nvlink_gb_s > 0;
  if (is_nvlink) *is_nvlink = nv;
  return (nv ? g->nvlink_gb_s : g->pcie_gb_s) * 1e9;
}
