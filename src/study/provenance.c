/* provenance.c: a sweep point's resolved ids, price row and applied efficiencies, from the point and
 * its step-time context (one table of fields drives the writer and the reader in io/studyfile). */
#include "study/provenance.h"

#include <math.h>
#include <string.h>

#include "physics/cost.h"

#define F(m, t, u, l) \
  { #m, t, offsetof(provenance_point, m), sizeof(((provenance_point *)0)->m), u, l }
static const provenance_field FIELDS[] = {
    F(gpu, true, "", "GPU of the point: hwdb id (aliases resolved)"),
    F(model, true, "", "model of the point: hwdb id (aliases resolved)"),
    F(weights, true, "", "weight format of the point: hwdb quant id (aliases resolved)"),
    F(kv_cache, true, "", "KV-cache format of the point: hwdb quant id"),
    F(engine, true, "", "engine profile of the point: hwdb id"),
    F(price_origin, true, "", "where the GPU price of the point came from (hwdb row, scenario key, capex, uncertain)"),
    F(price_row, true, "", "hwdb/prices/gpu.yaml row id of the price (empty: no row was used)"),
    F(price_provider, true, "", "provider of the price row"),
    F(price_tier, true, "", "tier of the price row (on_demand, spot, reserved, purchase)"),
    F(price_date, true, "", "date of the price row"),
    F(price_source, true, "", "source of the price row"),
    F(usd_per_gpu_hour, false, "USD/h",
      "price of one GPU-hour at the point (NaN when uncertain: per replicate in /input_pricing.usd_per_gpu_hour)"),
    F(eff_weights, false, "1",
      "fraction of peak memory bandwidth reached streaming weights, as applied at the nominal point (an uncertain "
      "efficiency.hbm varies per replicate: /input_efficiency.hbm)"),
    F(eff_kv, false, "1", "fraction of peak memory bandwidth reached reading the KV cache, as applied"),
    F(eff_compute, false, "1", "fraction of the dense peak FLOPS reached by the linear layers, as applied"),
    F(kernel_efficiency, false, "1", "weight-only dequantisation kernel factor on the linears (1: none), as applied"),
    F(overhead_step_s, false, "s", "engine overhead per step, per-layer launches included, as applied"),
    F(overhead_request_s, false, "s",
      "engine overhead per request per step (its share of a scheduling call included), as applied"),
    F(overhead_token_s, false, "s", "engine overhead per output token, as applied"),
};
#undef F

const provenance_field *provenance_fields(size_t *n) {
  *n = sizeof FIELDS / sizeof FIELDS[0];
  return FIELDS;
}

static bool uncertain(const study_spec *spec, const char *key) {
  long k = scenario_key_index(key);
  for (size_t i = 0; i < spec->n_unc; i++)
    if (spec->unc[i].key == k) return true;
  return false;
}

static void price(const study_spec *spec, const hwdb *db, const sc_point *pt, provenance_point *o) {
  const gpu_price *row = NULL;
  ss_err why = {{0}};
  o->usd_per_gpu_hour = NAN;
  if (uncertain(spec, "pricing.usd_per_gpu_hour")) {
    snprintf(o->price_origin, sizeof o->price_origin, "uncertain input pricing.usd_per_gpu_hour (per replicate)");
    return;
  }
  if (cost_price(db, pt->gpu, &pt->cost, pt->provider, &o->usd_per_gpu_hour, &row, &why)) {
    snprintf(o->price_origin, sizeof o->price_origin, "none: %.150s", why.msg);
    return;
  }
  const char *what = !isnan(pt->cost.usd_per_gpu_hour) ? "scenario key pricing.usd_per_gpu_hour"
                     : !pt->cost.onprem                ? "hwdb price row"
                     : row                             ? "hwdb purchase row, amortised over pricing.life_years"
                           : "scenario key pricing.capex_usd_per_gpu, amortised over pricing.life_years";
  snprintf(o->price_origin, sizeof o->price_origin, "%s", what);
  if (!row) return;
  snprintf(o->price_row, sizeof o->price_row, "%s", row->id);
  snprintf(o->price_provider, sizeof o->price_provider, "%s", row->provider);
  snprintf(o->price_tier, sizeof o->price_tier, "%s", price_tier_names[row->tier]);
  snprintf(o->price_date, sizeof o->price_date, "%s", row->date);
  snprintf(o->price_source, sizeof o->price_source, "%s", row->source);
}

void provenance_fill(const study_spec *spec, const hwdb *db, const sc_point *pt, const perf_ctx *ctx,
                     provenance_point *o) {
  const hwdb_bound *b = &pt->sim.dep.hw;
  memset(o, 0, sizeof *o);
  snprintf(o->gpu, sizeof o->gpu, "%s", b->gpu->id);
  snprintf(o->model, sizeof o->model, "%s", b->model->id);
  snprintf(o->weights, sizeof o->weights, "%s", b->weights->id);
  snprintf(o->kv_cache, sizeof o->kv_cache, "%s", b->kv->id);
  snprintf(o->engine, sizeof o->engine, "%s", b->engine->id);
  price(spec, db, pt, o);
  o->eff_weights = ctx->eff_weights, o->eff_kv = ctx->eff_kv, o->eff_compute = ctx->eff_compute;
  o->kernel_efficiency = ctx->kernel_efficiency;
  o->overhead_step_s = ctx->ovh_step_s, o->overhead_request_s = ctx->ovh_request_s;
  o->overhead_token_s = ctx->ovh_token_s;
}
