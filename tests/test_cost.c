/* test_cost.c: the cost formulas against hand-computed cases, including the reference posts' own
 * examples (where a post's arithmetic is wrong, the test holds the correct value; see
 * results/reference-arithmetic.md), idle billing, the TCO pieces and the result rows. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "physics/cost.h"

#define assert_near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static hwdb DB;

static int load_db(void **state) {
  (void)state;
  ss_err err = {0};
  return hwdb_load(hwdb_default_dir(), &DB, &err) == SS_OK ? 0 : -1;
}

static int free_db(void **state) {
  (void)state;
  hwdb_free(&DB);
  return 0;
}

/* A scenario with every key at its default and the given deployment. */
static scenario make_scenario(const char *gpu, uint32_t tp, uint32_t replicas) {
  scenario sc;
  size_t n;
  const kt_field *f = scenario_fields(&n);
  memset(&sc, 0, sizeof sc);
  kt_defaults(f, n, &sc);
  snprintf(sc.dep.gpu, sizeof sc.dep.gpu, "%s", gpu);
  sc.dep.tp = tp, sc.dep.replicas = replicas;
  return sc;
}

/* Measured rows of a replicate: output and input tokens per second, busy fraction, one hour window. */
static sim_result make_result(double out_tok_s, double in_tok_s, double busy, double requests) {
  sim_result r;
  result_clear(&r);
  r.v[RM_output_tok_s] = out_tok_s;
  r.v[RM_total_tok_s] = out_tok_s + in_tok_s;
  r.v[RM_gpu_busy_frac] = busy;
  r.v[RM_requests_finished] = requests;
  r.v[RM_measured_s] = 3600;
  return r;
}

static void usd_per_1m_reproduces_the_posts_formula(void **state) {
  (void)state;
  /* real-cost-per-token: A100 $0.34/h at 150 tok/s -> $0.63/1M */
  assert_near(cost_usd_per_1m(0.34, 150, 1), 0.34 / (150 * 3600.0) * 1e6, 1e-12);
  assert_near(cost_usd_per_1m(0.34, 150, 1), 0.6296, 1e-4);
  /* cost-per-token-breakdown: 4 x $2.50 = $10/h at 3400 tok/s -> $0.82; reserved 4 x $1.60 -> $0.52 */
  assert_near(cost_usd_per_1m(4 * 2.50, 3400, 1), 0.8170, 1e-4);
  assert_near(cost_usd_per_1m(4 * 1.60, 3400, 1), 0.5229, 1e-4);
  /* break-even-tco: H100 x2 at $3/GPU-h and 2500 tok/s -> $0.67 */
  assert_near(cost_usd_per_1m(2 * 3.0, 2500, 1), 0.6667, 1e-4);
}

static void idle_billing_divides_by_utilisation(void **state) {
  (void)state;
  double full = cost_usd_per_1m(0.34, 150, 1);
  assert_near(cost_usd_per_1m(0.34, 150, 0.5), 2 * full, 1e-12);
  assert_near(cost_usd_per_1m(0.34, 150, 0.2), 5 * full, 1e-12);
  assert_near(cost_usd_per_1m(0.34, 150, 0.05), 20 * full, 1e-12);
  assert_true(isnan(cost_usd_per_1m(0.34, 150, 0)));
  assert_true(isnan(cost_usd_per_1m(0.34, 0, 1)));
}

static void cost_fill_bills_idle_time_from_measured_tokens(void **state) {
  (void)state;
  /* 4 x $2.50 serving half its 3400 tok/s capacity: the measured mean is 1700 tok/s, cost doubles */
  scenario sc = make_scenario("h100-sxm-80gb", 4, 1);
  sim_result r = make_result(1700, 3400, 0.5, 1000);
  cost_fill(&sc, 2.50, &r);
  assert_near(r.v[RM_usd_per_hour], 10.0, 1e-12);
  assert_near(r.v[RM_billed_gpu_hours], 4.0, 1e-12);
  assert_near(r.v[RM_usd_per_1m_output], 2 * 0.8170, 1e-3);
  assert_near(r.v[RM_usd_per_1m_total], 10.0 / (5100 * 3600.0) * 1e6, 1e-9);
  assert_near(r.v[RM_usd_per_request], 0.01, 1e-12);
}

static void cost_fill_leaves_unmeasured_costs_nan(void **state) {
  (void)state;
  scenario sc = make_scenario("h100-sxm-80gb", 1, 1);
  hw_gpu g = {.tdp_w = 700};
  api_price api = {.usd_per_1m_input = 1, .usd_per_1m_output = 4};
  sim_result r = make_result(0, 0, 0, 0);
  cost_fill(&sc, 2.0, &r);
  cost_fill_tco(&sc, &g, &api, 2.0, &r);
  assert_true(isnan(r.v[RM_usd_per_1m_output]) && isnan(r.v[RM_usd_per_request]));
  assert_true(isnan(r.v[RM_usd_per_1m_output_tco]) && isnan(r.v[RM_energy_kwh_per_1m_output]));
  assert_true(isnan(r.v[RM_api_usd_per_1m_output]) && isnan(r.v[RM_breakeven_busy_frac]));
  assert_near(r.v[RM_usd_per_hour_tco], 2.0, 1e-12); /* the bill itself is known */
}

static void breakeven_volume_is_monthly_cost_over_api_price_per_token(void **state) {
  (void)state;
  /* 405b post: Lambda 8xA100 $7,430/month vs $15/M. The post prints ~495K; the formula gives 495M. */
  assert_near(cost_breakeven_tokens_per_month(7430, 15), 495.333e6, 1e3);
  assert_near(cost_breakeven_tokens_per_month(7430, 3.50), 2.1229e9, 1e5);
  assert_near(cost_breakeven_tokens_per_month(7430, 3.00), 2.4767e9, 1e5);
  /* cost-per-token-breakdown: 4 x H100 reserved $4,608/month vs $10/M -> 460.8M (post: 0.46M) */
  assert_near(cost_breakeven_tokens_per_month(4608, 10), 460.8e6, 1);
  assert_true(isnan(cost_breakeven_tokens_per_month(7430, 0)));
}

static void breakeven_utilisation_is_full_cost_over_api(void **state) {
  (void)state;
  /* H100 x2 at $3/GPU-h, 2500 tok/s vs Bedrock Scout $0.66 output: just above 1, never quite */
  assert_near(cost_breakeven_utilisation(cost_usd_per_1m(6, 2500, 1), 0.66), 1.0101, 1e-4);
  /* at 5000 tok/s it halves */
  assert_near(cost_breakeven_utilisation(cost_usd_per_1m(6, 5000, 1), 0.66), 0.5051, 1e-4);
  /* real-cost-per-token: A100 $0.34/h, 150 tok/s vs GPT-4o $10 output -> 6.3% */
  assert_near(cost_breakeven_utilisation(cost_usd_per_1m(0.34, 150, 1), 10), 0.06296, 1e-5);
}

static void api_mix_prices_input_and_output_separately(void **state) {
  (void)state;
  const api_price *gpt = hwdb_api(&DB, "gpt-4o"), *haiku = hwdb_api(&DB, "claude-3.5-haiku");
  assert_non_null(gpt);
  assert_non_null(haiku);
  /* GPT-4o $2.50/$10: 800 in + 400 out = $0.002 + $0.004 */
  assert_near(cost_api_usd(gpt, 800, 400), 0.006, 1e-12);
  assert_near(cost_api_usd_per_1m_output(gpt, 800, 400), 15.0, 1e-9);
  assert_near(cost_api_usd_per_1m_blended(gpt, 800, 400), 5.0, 1e-9);
  /* Haiku $0.80/$4 for 800 in + 400 out: $0.00224 a call (the post rounds to ~$0.0024) */
  assert_near(cost_api_usd(haiku, 800, 400), 0.00224, 1e-12);
  assert_near(50000 * cost_api_usd(haiku, 800, 400), 112.0, 1e-9);
  assert_true(isnan(cost_api_usd_per_1m_output(gpt, 800, 0)));
}

static void every_compare_api_is_priced_on_the_measured_mix(void **state) {
  (void)state;
  /* 1 GPU at $2/h making 100 output and 200 input tokens a second for an hour: TCO $5.556 per 1M output */
  scenario sc = make_scenario("h100-sxm-80gb", 1, 1);
  ss_err err = {0};
  assert_int_equal(scenario_set(&sc, "compare_api=[gpt-4o, claude-3.5-haiku]", &err), SS_OK);
  hw_gpu g = {.tdp_w = 700};
  sim_result r = make_result(100, 200, 0.5, 100);
  cost_api_row rows[SC_MAX_API];
  assert_int_equal(cost_api_compare(&DB, &sc, &g, 2.0, &r, rows), 2);
  /* GPT-4o $2.50/$10: 720K in + 360K out = $1.80 + $3.60 */
  assert_near(rows[0].usd_window, 5.4, 1e-9);
  assert_near(rows[0].usd_per_1m_output, 15.0, 1e-9);
  assert_near(rows[0].usd_per_1m_blended, 5.0, 1e-9);
  assert_near(rows[0].tco_over_api, 2.0 / 0.36 / 15.0, 1e-9);
  assert_near(rows[0].breakeven_output_tok_per_month, 2.0 * 730 / 15e-6, 1e-3);
  /* rented: break-even busy fraction = full-load cost / API = (2 / 0.72) / 15 */
  assert_near(rows[0].breakeven_busy_frac, 2.0 / 0.72 / 15.0, 1e-12);
  /* Haiku $0.80/$4: 4 + 2 x 0.80 per 1M output */
  assert_near(rows[1].usd_per_1m_output, 5.6, 1e-9);
  /* cost_fill_tco's API rows are the first compare_api's */
  cost_fill_tco(&sc, &g, cost_scenario_api(&DB, &sc), 2.0, &r);
  assert_near(r.v[RM_api_usd_per_1m_output], rows[0].usd_per_1m_output, 0);
  assert_near(r.v[RM_breakeven_busy_frac], rows[0].breakeven_busy_frac, 0);
}

static void power_at_400w_and_15_cents_is_about_43_dollars_a_month(void **state) {
  (void)state;
  assert_near(cost_power_usd_per_hour(400, 1.0, 0.15), 0.06, 1e-12);
  assert_near(cost_power_usd_per_hour(400, 1.0, 0.15) * COST_HOURS_PER_MONTH, 43.8, 1e-9);
  assert_near(cost_power_usd_per_hour(400, 1.5, 0.15) * COST_HOURS_PER_MONTH, 65.7, 1e-9);
  assert_near(cost_power_usd_per_hour(400, 1.0, 0.10) * COST_HOURS_PER_MONTH, 29.2, 1e-9);
}

static void gpu_power_rises_linearly_from_idle_to_busy_draw(void **state) {
  (void)state;
  assert_near(cost_gpu_power_w(400, 0.2, 1.0, 0.0), 80, 1e-12);
  assert_near(cost_gpu_power_w(400, 0.2, 1.0, 0.5), 240, 1e-12);
  assert_near(cost_gpu_power_w(400, 0.2, 1.0, 1.0), 400, 1e-12);
  assert_near(cost_gpu_power_w(700, 0.15, 0.75, 1.0), 525, 1e-12);
}

static void capex_is_amortised_straight_line_over_its_life(void **state) {
  (void)state;
  assert_near(cost_capex_usd_per_hour(15000, 3), 15000 / 26280.0, 1e-12);
  assert_near(cost_capex_usd_per_hour(1800, 2) * COST_HOURS_PER_MONTH, 75.0, 1e-9); /* 1800 / 24 months */
  assert_true(isnan(cost_capex_usd_per_hour(1800, 0)));
}

static void ops_overhead_adds_a_percentage_and_a_monthly_sum(void **state) {
  (void)state;
  assert_near(cost_with_ops(10, 0.30, 0), 13.0, 1e-12);
  assert_near(cost_with_ops(10, 0, 7300), 20.0, 1e-12);
  assert_near(cost_with_ops(10, 0.30, 7300), 23.0, 1e-12);
  /* cost-per-token-breakdown: +30% on $0.52 and $0.82 -> $0.68 and $1.06 (post: $0.68-1.07) */
  assert_near(cost_with_ops(cost_usd_per_1m(6.40, 3400, 1), 0.30, 0), 0.6797, 1e-4);
  assert_near(cost_with_ops(cost_usd_per_1m(10.0, 3400, 1), 0.30, 0), 1.0621, 1e-4);
}

static void n_plus_1_bills_one_idle_standby_replica(void **state) {
  (void)state;
  scenario sc = make_scenario("h100-sxm-80gb", 4, 2);
  cost_tco a, b;
  cost_tco_at(&sc, 700, 2.50, 0.5, &a);
  sc.redundancy_n_plus_1 = true;
  cost_tco_at(&sc, 700, 2.50, 0.5, &b);
  assert_near(a.usd_per_hour, 20.0, 1e-12);
  assert_near(b.usd_per_hour, 30.0, 1e-12);
  assert_near(b.gpus_standby, 4, 0);
  /* the standby draws idle power: 4 x 700 x 0.2 more watts */
  assert_near(b.facility_kw - a.facility_kw, 4 * 700 * 0.2 / 1000, 1e-12);
  assert_near(a.power_usd_per_hour, 0, 0); /* rented: power is in the price */
}

static void onprem_tco_adds_up_by_hand(void **state) {
  (void)state;
  /* 1 GPU of 400 W, $0.50/h amortised, busy half the time: 240 W; PUE 1.5, $0.10/kWh -> $0.036/h;
   * +50% ops and $73/month ($0.10/h): 0.536 x 1.5 + 0.1 = $0.904/h. 100 out tok/s = 0.36M/h. */
  scenario sc = make_scenario("a100-sxm-80gb", 1, 1);
  sc.onprem = true, sc.pue = 1.5, sc.usd_per_kwh = 0.10, sc.ops_overhead_frac = 0.5, sc.ops_usd_per_month = 73;
  sc.idle_power_frac = 0.2, sc.busy_power_frac = 1.0, sc.grid_kg_co2_per_kwh = 0.5;
  hw_gpu g = {.tdp_w = 400};
  api_price api = {.usd_per_1m_input = 1, .usd_per_1m_output = 4};
  sim_result r = make_result(100, 200, 0.5, 100);
  cost_fill(&sc, 0.50, &r);
  cost_fill_tco(&sc, &g, &api, 0.50, &r);
  assert_near(r.v[RM_gpu_power_w_mean], 240, 1e-9);
  assert_near(r.v[RM_usd_per_hour_tco], 0.904, 1e-12);
  assert_near(r.v[RM_usd_per_1m_output_tco], 0.904 / 0.36, 1e-9);
  assert_near(r.v[RM_energy_kwh_per_1m_output], 1.0, 1e-12); /* 0.36 kW over 0.36M tokens an hour */
  assert_near(r.v[RM_co2_kg_per_1m_output], 0.5, 1e-12);
  assert_near(r.v[RM_usd_per_1m_output_busy], r.v[RM_usd_per_1m_output] * 0.5, 1e-12);
  /* API: $4 + 200/100 x $1 = $6 per 1M output of this mix */
  assert_near(r.v[RM_api_usd_per_1m_output], 6.0, 1e-12);
  assert_near(r.v[RM_tco_over_api], 0.904 / 0.36 / 6.0, 1e-9);
  /* TCO(u) = 0.868 + 0.072 u; full-load capacity 0.72M/h: u = 0.868 / (6 x 0.72 - 0.072) */
  assert_near(r.v[RM_breakeven_busy_frac], 0.868 / (4.32 - 0.072), 1e-9);
  assert_near(r.v[RM_breakeven_output_tok_per_month], 0.904 * 730 / 6e-6, 1);
}

static void breakeven_busy_frac_makes_tco_equal_the_api(void **state) {
  (void)state;
  uint64_t s = 12345;
  for (int i = 0; i < 1000; i++) {
    double x[8];
    for (int j = 0; j < 8; j++) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      x[j] = (double)(s >> 11) / 9007199254740992.0;
    }
    scenario sc = make_scenario("h100-sxm-80gb", 1u + (uint32_t)(x[0] * 8), 1u + (uint32_t)(x[1] * 4));
    sc.onprem = x[2] < 0.5, sc.redundancy_n_plus_1 = x[3] < 0.5, sc.ops_overhead_frac = x[4];
    sc.ops_usd_per_month = 1000 * x[5], sc.pue = 1 + x[6], sc.usd_per_kwh = 0.3 * x[7];
    double tdp = 700, price = 0.2 + 3 * x[0], cap = 500 + 5000 * x[1], api = 0.2 + 20 * x[2];
    double u = cost_breakeven_busy_frac(&sc, tdp, price, cap, api);
    if (isinf(u)) continue;
    cost_tco t;
    cost_tco_at(&sc, tdp, price, u, &t);
    assert_near(t.usd_per_hour / (u * cap * 3600) * 1e6, api, 1e-9 * api);
  }
}

static void tco_never_falls_when_adding_redundancy_ops_or_power(void **state) {
  (void)state;
  scenario sc = make_scenario("h100-sxm-80gb", 2, 3);
  cost_tco t;
  cost_tco_at(&sc, 700, 2.0, 0.7, &t);
  double prev = t.usd_per_hour;
  sc.redundancy_n_plus_1 = true;
  cost_tco_at(&sc, 700, 2.0, 0.7, &t);
  assert_true(t.usd_per_hour > prev), prev = t.usd_per_hour;
  sc.ops_overhead_frac = 0.1;
  cost_tco_at(&sc, 700, 2.0, 0.7, &t);
  assert_true(t.usd_per_hour > prev), prev = t.usd_per_hour;
  sc.onprem = true;
  cost_tco_at(&sc, 700, 2.0, 0.7, &t);
  assert_true(t.usd_per_hour > prev), prev = t.usd_per_hour;
  cost_tco_at(&sc, 700, 2.0, 0.9, &t); /* busier: more power */
  assert_true(t.usd_per_hour > prev);
}

static void scenario_price_prefers_explicit_then_onprem_then_tier(void **state) {
  (void)state;
  ss_err err = {0};
  double usd = 0;
  scenario sc = make_scenario("rtx-4090-24gb", 1, 1);
  /* on-prem: the cheapest hwdb purchase row, $1,800, over 3 years */
  sc.onprem = true;
  assert_int_equal(cost_scenario_price(&DB, &sc, &usd, &err), SS_OK);
  assert_near(usd, 1800 / (3 * 8760.0), 1e-12);
  sc.capex_usd_per_gpu = 2200, sc.life_years = 2;
  assert_int_equal(cost_scenario_price(&DB, &sc, &usd, &err), SS_OK);
  assert_near(usd, 2200 / (2 * 8760.0), 1e-12);
  sc.usd_per_gpu_hour = 0.44;
  assert_int_equal(cost_scenario_price(&DB, &sc, &usd, &err), SS_OK);
  assert_near(usd, 0.44, 0);
  /* rented: the tier's cheapest row */
  sc = make_scenario("rtx-4090-24gb", 1, 1);
  const gpu_price *row = NULL;
  double tier_usd = 0;
  assert_int_equal(cost_gpu_price(&DB, "rtx-4090-24gb", TIER_ON_DEMAND, "", &tier_usd, &row, &err), SS_OK);
  assert_int_equal(cost_scenario_price(&DB, &sc, &usd, &err), SS_OK);
  assert_near(usd, tier_usd, 0);
  assert_int_equal(row->tier, TIER_ON_DEMAND);
}

static void onprem_without_a_purchase_price_says_which_key_to_set(void **state) {
  (void)state;
  ss_err err = {0};
  double usd = 0;
  scenario sc = make_scenario("h200-sxm-141gb", 1, 1);
  sc.onprem = true;
  assert_int_equal(cost_scenario_price(&DB, &sc, &usd, &err), SS_EDATA);
  assert_non_null(strstr(err.msg, "pricing.capex_usd_per_gpu"));
}

static void tco_keys_are_checked_and_may_be_uncertain(void **state) {
  (void)state;
  ss_err err = {0};
  scenario sc = make_scenario("h100-sxm-80gb", 1, 1);
  assert_int_equal(scenario_set(&sc, "pricing.onprem=true", &err), SS_OK);
  assert_true(sc.onprem);
  assert_int_equal(scenario_set(&sc, "energy.pue=1.3", &err), SS_OK);
  assert_near(sc.pue, 1.3, 0);
  assert_int_equal(scenario_set(&sc, "energy.pue=0.5", &err), SS_EDATA);
  assert_int_equal(scenario_set(&sc, "pricing.ops_overhead_frac=-1", &err), SS_EDATA);
  size_t n;
  const kt_field *f = scenario_fields(&n);
  const char *numeric[] = {"pricing.capex_usd_per_gpu", "pricing.life_years", "pricing.usd_per_kwh",
                           "pricing.ops_overhead_frac", "pricing.ops_usd_per_month", "energy.pue",
                           "energy.idle_power_frac", "energy.busy_power_frac", "energy.host_w_per_gpu",
                           "energy.grid_kg_co2_per_kwh"};
  for (size_t i = 0; i < sizeof numeric / sizeof numeric[0]; i++) {
    const kt_field *k = kt_find(f, n, numeric[i]);
    assert_non_null(k);
    assert_true(k->flags & KT_SAMPLE);
  }
}

static void tier_price_is_the_median_row_and_a_row_id_picks_that_row(void **state) {
  double usd = 0, sorted[64];
  size_t n = 0;
  const gpu_price *row = NULL;
  (void)state;
  for (size_t i = 0; i < DB.n[HWDB_GPU_PRICES]; i++) {
    const gpu_price *p = hwdb_at(&DB, HWDB_GPU_PRICES, i);
    if (p->tier == TIER_ON_DEMAND && !strcmp(p->gpu, "a100-sxm-80gb")) sorted[n++] = price_usd_per_gpu_hour(p);
  }
  assert_true(n >= 3);
  for (size_t i = 1; i < n; i++) /* insertion sort: the expected median, computed independently */
    for (size_t j = i; j > 0 && sorted[j] < sorted[j - 1]; j--) {
      double t = sorted[j];
      sorted[j] = sorted[j - 1], sorted[j - 1] = t;
    }
  assert_int_equal(cost_gpu_price(&DB, "a100-sxm-80gb", TIER_ON_DEMAND, "", &usd, &row, NULL), SS_OK);
  assert_true(usd == sorted[(n - 1) / 2]);
  assert_true(usd > sorted[0]); /* not the cheapest outlier */
  assert_int_equal(cost_gpu_price(&DB, "a100-sxm-80gb", TIER_ON_DEMAND, "aws-p4d-a100x8-ondemand", &usd, &row, NULL),
                   SS_OK);
  assert_string_equal(row->id, "aws-p4d-a100x8-ondemand");
  assert_true(fabs(usd - 32.77 / 8) < 1e-12);
  assert_int_equal(cost_gpu_price(&DB, "h100-sxm-80gb", TIER_ON_DEMAND, "aws-p4d-a100x8-ondemand", &usd, &row, NULL),
                   SS_EDATA); /* a row of another GPU */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(usd_per_1m_reproduces_the_posts_formula),
      cmocka_unit_test(idle_billing_divides_by_utilisation),
      cmocka_unit_test(cost_fill_bills_idle_time_from_measured_tokens),
      cmocka_unit_test(cost_fill_leaves_unmeasured_costs_nan),
      cmocka_unit_test(breakeven_volume_is_monthly_cost_over_api_price_per_token),
      cmocka_unit_test(breakeven_utilisation_is_full_cost_over_api),
      cmocka_unit_test(api_mix_prices_input_and_output_separately),
      cmocka_unit_test(every_compare_api_is_priced_on_the_measured_mix),
      cmocka_unit_test(power_at_400w_and_15_cents_is_about_43_dollars_a_month),
      cmocka_unit_test(gpu_power_rises_linearly_from_idle_to_busy_draw),
      cmocka_unit_test(capex_is_amortised_straight_line_over_its_life),
      cmocka_unit_test(ops_overhead_adds_a_percentage_and_a_monthly_sum),
      cmocka_unit_test(n_plus_1_bills_one_idle_standby_replica),
      cmocka_unit_test(onprem_tco_adds_up_by_hand),
      cmocka_unit_test(breakeven_busy_frac_makes_tco_equal_the_api),
      cmocka_unit_test(tco_never_falls_when_adding_redundancy_ops_or_power),
      cmocka_unit_test(scenario_price_prefers_explicit_then_onprem_then_tier),
      cmocka_unit_test(onprem_without_a_purchase_price_says_which_key_to_set),
      cmocka_unit_test(tco_keys_are_checked_and_may_be_uncertain),
      cmocka_unit_test(tier_price_is_the_median_row_and_a_row_id_picks_that_row),
  };
  return cmocka_run_group_tests(tests, load_db, free_db);
}
