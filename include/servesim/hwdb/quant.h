/* quant.h: precision formats from hwdb/quant: bytes per weight (with group scales), the dtype the
 * GEMMs run in, the fallback when a GPU lacks that dtype, and whether the format may hold KV cache.
 * Invariant: quant_compute_dtype never returns a dtype the GPU does not support. */
#ifndef SERVESIM_QUANT_H
#define SERVESIM_QUANT_H
#include <stdbool.h>
#include <stddef.h>

#include "base/keytab.h"
#include "hwdb/hw.h"

typedef struct {
  char id[32], name[96];
  char aliases[8][32];
  size_t n_aliases;
  double bits_per_weight;   /* effective, including scales and zeros */
  double group_size;        /* 0 = no groups */
  int compute_dtype;        /* hw_dtype */
  int fallback_dtype;       /* hw_dtype */
  bool weight_only;         /* WxA16: dequantised on the fly */
  bool kv_ok;               /* allowed as KV-cache format */
  double kernel_efficiency; /* weight-only formats: speed of the dequantising kernels relative to fp16 ones */
  bool experts_only;        /* the format holds a MoE model's routed experts; every other weight stays 16-bit */
  char source[1024], date[16], note[1024];
} quant_format;

const kt_field *quant_fields(size_t *n);
double quant_bytes_per_weight(const quant_format *q);
/* Bytes per weight of what is not a routed expert: 2 (16-bit) for an experts-only format, else the format's. */
double quant_dense_bytes_per_weight(const quant_format *q);
/* Dtype the GEMMs run in on this GPU; *fell_back says whether the fallback was taken. */
hw_dtype quant_compute_dtype(const quant_format *q, const hw_gpu *g, bool *fell_back);

#endif
