/* quant.c: the quantisation-format key table and the compute-dtype choice per GPU. */
#include "hwdb/quant.h"

static const kt_field FIELDS[] = {
    KT_ROW_STR(quant_format, "id", id, "", KT_REQUIRED, "format id"),
    KT_ROW_STR(quant_format, "name", name, "", KT_REQUIRED, "display name"),
    KT_ROW_STRLIST(quant_format, "aliases", aliases, n_aliases, 0, "names people type"),
    KT_ROW_F64(quant_format, "bits_per_weight", bits_per_weight, 0, 1, 64, KT_REQUIRED,
               "effective bits per weight including scales"),
    KT_ROW_F64(quant_format, "group_size", group_size, 0, 0, 1e6, 0, "quantisation group size, 0 = none"),
    KT_ROW_ENUM(quant_format, "compute_dtype", compute_dtype, "fp16", hw_dtype_names, KT_REQUIRED,
                "tensor-core dtype of the GEMMs"),
    KT_ROW_ENUM(quant_format, "fallback_dtype", fallback_dtype, "fp16", hw_dtype_names, 0,
                "dtype used where the GPU lacks compute_dtype"),
    KT_ROW_BOOL(quant_format, "weight_only", weight_only, 0, 0, "weights dequantised to fp16 on the fly"),
    KT_ROW_BOOL(quant_format, "kv_ok", kv_ok, 0, 0, "may be used for the KV cache"),
    KT_ROW_F64(quant_format, "kernel_efficiency", kernel_efficiency, 1, 0.05, 1, 0,
               "dequantising kernels' speed relative to fp16 ones (weight-only formats and fallbacks)"),
    KT_ROW_BOOL(quant_format, "experts_only", experts_only, 0, 0,
                "the format holds a MoE model's routed experts only (as gpt-oss ships MXFP4): attention, "
                "router, shared experts, dense MLPs, embeddings and LM head stay 16-bit; refused for dense models"),
    KT_ROW_STR(quant_format, "source", source, "", KT_REQUIRED, "where the format is defined"),
    KT_ROW_STR(quant_format, "date", date, "", KT_REQUIRED, "date of the source"),
    KT_ROW_STR(quant_format, "note", note, "", 0, "caveats"),
};

const kt_field *quant_fields(size_t *n) {
  *n = sizeof FIELDS / sizeof FIELDS[0];
  return FIELDS;
}

double quant_bytes_per_weight(const quant_format *q) { return q->bits_per_weight / 8.0; }

double quant_dense_bytes_per_weight(const quant_format *q) {
  return q->experts_only ? 2.0 : quant_bytes_per_weight(q);
}

hw_dtype quant_compute_dtype(const quant_format *q, const hw_gpu *g, bool *fell_back) {
  hw_dtype want = (hw_dtype)q->compute_dtype;
  bool fb = !hw_supports(g, want);
  hw_dtype d = fb ? (hw_dtype)q->fallback_dtype : want;
  /* every GPU in hwdb runs fp16; bf16-only gaps (none today) fall to fp16 too */
  if (!hw_supports(g, d)) d = DT_FP16;
  if (fell_back) *fell_back = fb;
  return d;
}
