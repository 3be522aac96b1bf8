/* price.c: key tables of the GPU and API price rows. */
#include "hwdb/price.h"

const char *const price_tier_names[] = {"on_demand", "spot", "reserved", "purchase", NULL};

static const kt_field GPU_FIELDS[] = {
    KT_ROW_STR(gpu_price, "id", id, "", KT_REQUIRED, "unique row id"),
    KT_ROW_STR(gpu_price, "gpu", gpu, "", KT_REQUIRED, "hwdb gpu id"),
    KT_ROW_STR(gpu_price, "provider", provider, "", KT_REQUIRED, "who sells it"),
    KT_ROW_STR(gpu_price, "offering", offering, "", 0, "instance or product name"),
    KT_ROW_ENUM(gpu_price, "tier", tier, "on_demand", price_tier_names, KT_REQUIRED, "pricing tier"),
    KT_ROW_F64(gpu_price, "gpus", gpus, 1, 1, 1024, KT_REQUIRED, "GPUs in the priced unit"),
    KT_ROW_F64(gpu_price, "usd_per_hour", usd_per_hour, 0, 0, 1e5, KT_REQUIRED, "USD per hour for the unit"),
    KT_ROW_F64(gpu_price, "usd_purchase", usd_purchase, 0, 0, 1e8, 0, "purchase price of the unit, USD"),
    KT_ROW_STR(gpu_price, "source", source, "", KT_REQUIRED, "where the price comes from"),
    KT_ROW_STR(gpu_price, "date", date, "", KT_REQUIRED, "date of the price"),
    KT_ROW_STR(gpu_price, "note", note, "", 0, "caveats"),
};

static const kt_field API_FIELDS[] = {
    KT_ROW_STR(api_price, "id", id, "", KT_REQUIRED, "unique row id"),
    KT_ROW_STR(api_price, "model", model, "", KT_REQUIRED, "name used in compare_api"),
    KT_ROW_STR(api_price, "provider", provider, "", KT_REQUIRED, "who sells it"),
    KT_ROW_F64(api_price, "usd_per_1m_input", usd_per_1m_input, 0, 0, 1e4, KT_REQUIRED, "USD per 1M input tokens"),
    KT_ROW_F64(api_price, "usd_per_1m_output", usd_per_1m_output, 0, 0, 1e4, KT_REQUIRED, "USD per 1M output tokens"),
    KT_ROW_STR(api_price, "source", source, "", KT_REQUIRED, "where the price comes from"),
    KT_ROW_STR(api_price, "date", date, "", KT_REQUIRED, "date of the price"),
    KT_ROW_STR(api_price, "note", note, "", 0, "caveats"),
};

const kt_field *gpu_price_fields(size_t *n) {
  *n = sizeof GPU_FIELDS / sizeof GPU_FIELDS[0];
  return GPU_FIELDS;
}
const kt_field *api_price_fields(size_t *n) {
  *n = sizeof API_FIELDS / sizeof API_FIELDS[0];
  return API_FIELDS;
}

double price_usd_per_gpu_hour(const gpu_price *p) { return p->usd_per_hour / p->gpus; }
