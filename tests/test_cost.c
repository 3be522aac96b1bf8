/* test_cost.c: the cost formulas against hand-computed cases, including the reference posts' own
 * examples (where a post's arithmetic is wrong, the test holds the correct value; see
 * results/reference-arithmetic.md), idle billing, the TCO pieces, the price lookup, and the result
 * rows that study/costing fills from a replicate's measured rows (tokens, modelled power, capacity at
 * the SLO), every compared API priced on the replicate's own mix. Prices come from the frozen hwdb. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "config/scenario.h"
#include "config/resolve.h"
#include "physics/cost.h"
#include "study/costing.h"

static hwdb DB;

static int load_db(void **state) {
  (void)state;
  ss_err err = {{0}};
  return hwdb_load(TEST_HWDB, &DB, &err) == SS_OK ? 0 : -1;
}

static int free_db(void **state) {
  (void)state;
  hwdb_free(&DB);
  return 0;
}

/* Every billing key at its scenario default (on-demand, rented, no N+1, PUE 1, no host power). */
static cost_config default_cost(void) {
  sc_point *pt = malloc(sizeof *pt);
  assert_non_null(pt);
  scenario_defaults(pt);
  cost_config c = pt->cost;
  free(pt);
  return c;
}

/* tp x replicas GPUs drawing gpu_power_w each while serving; a standby GPU draws idle_w. */
static cost_fleet fleet(double tp, double replicas, double gpu_power_w, double idle_w) {
  return (cost_fleet){tp, replicas, gpu_power_w, idle_w};
}

/* Measured rows of a replicate: output and input tokens per second, busy fraction, one hour window;
 * its capacity at the SLO makes out_tok_s / busy output tokens a second (as if the load scaled). */
static sim_result make_result(double out_tok_s, double in_tok_s, double busy, double requests) {
  sim_result r;
  result_clear(&r);
  r.v[RM_output_tok_s] = out_tok_s;
  r.v[RM_total_tok_s] = out_tok_s + in_tok_s;
  r.v[RM_gpu_busy_frac] = busy;
  r.v[RM_requests_finished] = requests;
  r.v[RM_measured_s] = 3600;
  r.v[RM_capacity_output_tok_s] = busy > 0 ? out_tok_s / busy : NAN;
  return r;
}

static void usd_per_1m_reproduces_the_posts_formula(void **state) {
  (void)state;
  /* real-cost-per-token: A100 $0.34/h at 150 tok/s -> $0.63/1M */
  check_near(cost_usd_per_1m(0.34, 150, 1), 0.34 / (150 * 3600.0) * 1e6, 1e-12);
  check_near(cost_usd_per_1m(0.34, 150, 1), 0.6296, 1e-4);
  /* cost-per-token-breakdown: 4 x $2.50 = $10/h at 3400 tok/s -> $0.82; reserved 4 x $1.60 -> $0.52 */
  check_near(cost_usd_per_1m(4 * 2.50, 3400, 1), 0.8170, 1e-4);
  check_near(cost_usd_per_1m(4 * 1.60, 3400, 1), 0.5229, 1e-4);
  /* break-even-tco: H100 x2 at $3/GPU-h and 2500 tok/s -> $0.67 */
  check_near(cost_usd_per_1m(2 * 3.0, 2500, 1), 0.6667, 1e-4);
}

static void idle_billing_divides_by_utilisation(void **state) {
  (void)state;
  double full = cost_usd_per_1m(0.34, 150, 1);
  check_near(cost_usd_per_1m(0.34, 150, 0.5), 2 * full, 1e-12);
  check_near(cost_usd_per_1m(0.34, 150, 0.2), 5 * full, 1e-12);
  check_near(cost_usd_per_1m(0.34, 150, 0.05), 20 * full, 1e-12);
  check_nan(cost_usd_per_1m(0.34, 150, 0));
  check_nan(cost_usd_per_1m(0.34, 0, 1));
}

static void cost_fill_bills_idle_time_from_measured_tokens(void **state) {
  (void)state;
  /* 4 x $2.50 serving half its 3400 tok/s capacity: the measured mean is 1700 tok/s, cost doubles */
  cost_fleet f = fleet(4, 1, 400, 80);
  sim_result r = make_result(1700, 3400, 0.5, 1000);
  costing_fill(&f, 2.50, &r);
  check_near(r.v[RM_usd_per_hour], 10.0, 1e-12);
  check_near(r.v[RM_billed_gpu_hours], 4.0, 1e-12);
  check_near(r.v[RM_usd_per_1m_output_at_capacity], 0.8170, 1e-4); /* the posts' $0.82: utilisation 1 */
  check_near(r.v[RM_usd_per_1m_output], 2 * 0.8170, 1e-3);
  check_near(r.v[RM_usd_per_1m_total], 10.0 / (5100 * 3600.0) * 1e6, 1e-9);
  check_near(r.v[RM_usd_per_request], 0.01, 1e-12);
}

static void cost_fill_leaves_unmeasured_costs_nan(void **state) {
  (void)state;
  cost_config c = default_cost();
  cost_fleet f = fleet(1, 1, NAN, 80); /* nothing ran: no modelled power either */
  api_price api = {.usd_per_1m_input = 1, .usd_per_1m_output = 4};
  sim_result r = make_result(0, 0, 0, 0);
  double v[CA_COUNT];
  costing_fill(&f, 2.0, &r);
  costing_fill_tco(&c, &f, 2.0, &r);
  costing_api(&c, &f, &api, 2.0, &r, v);
  check_nan(r.v[RM_usd_per_1m_output]);
  check_nan(r.v[RM_usd_per_request]);
  check_nan(r.v[RM_usd_per_1m_output_at_capacity]);
  check_nan(r.v[RM_usd_per_1m_output_tco]);
  check_nan(r.v[RM_energy_kwh_per_1m_output]);
  check_nan(v[CA_api_usd_per_1m_output]);
  check_nan(v[CA_tco_over_api]);
  check_nan(v[CA_breakeven_utilisation]);
  check_near(r.v[RM_usd_per_hour_tco], 2.0, 1e-12); /* the bill itself is known */
}

static void breakeven_volume_is_monthly_cost_over_api_price_per_token(void **state) {
  (void)state;
  /* 405b post: Lambda 8xA100 $7,430/month vs $15/M. The post prints ~495K; the formula gives 495M. */
  check_near(cost_breakeven_tokens_per_month(7430, 15), 495.333e6, 1e3);
  check_near(cost_breakeven_tokens_per_month(7430, 3.50), 2.1229e9, 1e5);
  check_near(cost_breakeven_tokens_per_month(7430, 3.00), 2.4767e9, 1e5);
  /* cost-per-token-breakdown: 4 x H100 reserved $4,608/month vs $10/M -> 460.8M (post: 0.46M) */
  check_near(cost_breakeven_tokens_per_month(4608, 10), 460.8e6, 1);
  check_nan(cost_breakeven_tokens_per_month(7430, 0));
}

static void breakeven_utilisation_is_full_cost_over_api(void **state) {
  (void)state;
  /* H100 x2 at $3/GPU-h, 2500 tok/s vs Bedrock Scout $0.66 output: just above 1, never quite */
  check_near(cost_breakeven_utilisation(cost_usd_per_1m(6, 2500, 1), 0.66), 1.0101, 1e-4);
  /* at 5000 tok/s it halves */
  check_near(cost_breakeven_utilisation(cost_usd_per_1m(6, 5000, 1), 0.66), 0.5051, 1e-4);
  /* real-cost-per-token: A100 $0.34/h, 150 tok/s vs GPT-4o $10 output -> 6.3% */
  check_near(cost_breakeven_utilisation(cost_usd_per_1m(0.34, 150, 1), 10), 0.06296, 1e-5);
}

static void api_mix_prices_input_and_output_separately(void **state) {
  (void)state;
  const api_price *gpt = hwdb_api(&DB, "gpt-4o"), *haiku = hwdb_api(&DB, "claude-3.5-haiku");
  assert_non_null(gpt);
  assert_non_null(haiku);
  /* GPT-4o $2.50/$10: 800 in + 400 out = $0.002 + $0.004 */
  check_near(cost_api_usd(gpt, 800, 400), 0.006, 1e-12);
  check_near(cost_api_usd_per_1m_output(gpt, 800, 400), 15.0, 1e-9);
  check_near(cost_api_usd_per_1m_blended(gpt, 800, 400), 5.0, 1e-9);
  /* Haiku $0.80/$4 for 800 in + 400 out: $0.00224 a call (the post rounds to ~$0.0024) */
  check_near(cost_api_usd(haiku, 800, 400), 0.00224, 1e-12);
  check_near(50000 * cost_api_usd(haiku, 800, 400), 112.0, 1e-9);
  check_nan(cost_api_usd_per_1m_output(gpt, 800, 0));
}

static void every_compare_api_is_priced_on_the_measured_mix(void **state) {
  (void)state;
  /* 1 GPU at $2/h making 100 output and 200 input tokens a second for an hour (TCO $5.556 per 1M
   * output), busy half the time: 200 output tokens a second at capacity */
  cost_config c = default_cost();
  cost_fleet f = fleet(1, 1, 400, 80);
  sim_result r = make_result(100, 200, 0.5, 100);
  const char *const names[] = {"gpt-4o", "claude-3.5-haiku"};
  double v[2][CA_COUNT];
  size_t priced = 0;
  for (size_t i = 0; i < 2; i++, priced++) {
    const api_price *api = hwdb_api(&DB, names[i]);
    assert_non_null(api);
    costing_api(&c, &f, api, 2.0, &r, v[i]);
  }
  check_min_cases(priced, 2);
  /* GPT-4o $2.50/$10: 720K in + 360K out = $1.80 + $3.60 for the hour, $15 per 1M output */
  check_near(cost_api_usd(hwdb_api(&DB, "gpt-4o"), 200 * 3600.0, 100 * 3600.0), 5.4, 1e-9);
  check_near(v[0][CA_api_usd_per_1m_output], 15.0, 1e-9);
  check_near(v[0][CA_tco_over_api], 2.0 / 0.36 / 15.0, 1e-9);
  check_near(v[0][CA_breakeven_output_tok_per_month], 2.0 * 730 / 15e-6, 1e-3);
  /* rented: break-even utilisation = cost at full utilisation / API = (2 / 0.72) / 15 */
  check_near(v[0][CA_breakeven_utilisation], 2.0 / 0.72 / 15.0, 1e-12);
  /* Haiku $0.80/$4: 4 + 2 x 0.80 per 1M output; its own break-even */
  check_near(v[1][CA_api_usd_per_1m_output], 5.6, 1e-9);
  check_near(v[1][CA_breakeven_utilisation], 2.0 / 0.72 / 5.6, 1e-12);
  /* every API row has a name, units and a long name for the files */
  for (int m = 0; m < CA_COUNT; m++) {
    check_gt(strlen(costing_api_name((costing_api_metric)m)), 0);
    assert_non_null(costing_api_units((costing_api_metric)m));
    check_gt(strlen(costing_api_long_name((costing_api_metric)m)), 5);
  }
  assert_string_equal(costing_api_name(CA_breakeven_utilisation), "breakeven_utilisation");
}

/* A point bills tp x replicas GPUs drawing the replicate's modelled mean power; a standby GPU draws
 * the bound GPU's idle power (scaled like the modelled power); every compare_api entry is kept. */
static void a_points_fleet_draws_the_modelled_power_and_keeps_every_api(void **state) {
  (void)state;
  ss_err err = {{0}};
  study_spec *spec = calloc(1, sizeof *spec);
  assert_non_null(spec);
  scenario_defaults(&spec->base);
  static const char *const SETS[] = {"compare_api=[claude-3.5-haiku, gpt-4o]",
                                     "deployment.gpu=h100",
                                     "deployment.model=llama-3.1-8b",
                                     "deployment.tp=2",
                                     "deployment.replicas=3",
                                     "energy.gpu_power_scale=0.5"};
  for (size_t i = 0; i < sizeof SETS / sizeof SETS[0]; i++)
    if (scenario_set(spec, SETS[i], &err)) fail_msg("%s: %s", SETS[i], err.msg);
  assert_int_equal(spec->base.n_compare_api, 2);
  assert_string_equal(spec->base.compare_api[0], "claude-3.5-haiku");
  assert_string_equal(spec->base.compare_api[1], "gpt-4o");
  sc_point pt = spec->base;
  if (resolve_point(spec, &pt, &DB, &err)) fail_msg("%s", err.msg);
  sim_result r = make_result(100, 200, 0.5, 100);
  r.v[RM_gpu_power_w_mean] = 333;
  cost_fleet f = costing_fleet(&pt, &r);
  hw_power p;
  hw_power_model(hwdb_gpu(&DB, "h100-sxm-80gb"), &p);
  check_eq(f.tp, 2);
  check_eq(f.replicas, 3);
  check_eq(f.gpu_power_w, 333);
  check_near(f.idle_w, 0.5 * p.idle_w, 1e-12);
  check_lt(p.idle_w, hwdb_gpu(&DB, "h100-sxm-80gb")->tdp_w);
  free(spec);
}

static void power_at_400w_and_15_cents_is_about_43_dollars_a_month(void **state) {
  (void)state;
  check_near(cost_power_usd_per_hour(400, 1.0, 0.15), 0.06, 1e-12);
  check_near(cost_power_usd_per_hour(400, 1.0, 0.15) * COST_HOURS_PER_MONTH, 43.8, 1e-9);
  check_near(cost_power_usd_per_hour(400, 1.5, 0.15) * COST_HOURS_PER_MONTH, 65.7, 1e-9);
  check_near(cost_power_usd_per_hour(400, 1.0, 0.10) * COST_HOURS_PER_MONTH, 29.2, 1e-9);
}

static void capex_is_amortised_straight_line_over_its_life(void **state) {
  (void)state;
  check_near(cost_capex_usd_per_hour(15000, 3), 15000 / 26280.0, 1e-12);
  check_near(cost_capex_usd_per_hour(1800, 2) * COST_HOURS_PER_MONTH, 75.0, 1e-9); /* 1800 / 24 months */
  check_nan(cost_capex_usd_per_hour(1800, 0));
}

static void ops_overhead_adds_a_percentage_and_a_monthly_sum(void **state) {
  (void)state;
  check_near(cost_with_ops(10, 0.30, 0), 13.0, 1e-12);
  check_near(cost_with_ops(10, 0, 7300), 20.0, 1e-12);
  check_near(cost_with_ops(10, 0.30, 7300), 23.0, 1e-12);
  /* cost-per-token-breakdown: +30% on $0.52 and $0.82 -> $0.68 and $1.06 (post: $0.68-1.07) */
  check_near(cost_with_ops(cost_usd_per_1m(6.40, 3400, 1), 0.30, 0), 0.6797, 1e-4);
  check_near(cost_with_ops(cost_usd_per_1m(10.0, 3400, 1), 0.30, 0), 1.0621, 1e-4);
}

static void n_plus_1_bills_one_idle_standby_replica(void **state) {
  (void)state;
  cost_config c = default_cost();
  cost_fleet f = fleet(4, 2, 450, 140);
  cost_tco a, b;
  cost_tco_at(&c, &f, 2.50, &a);
  c.redundancy_n_plus_1 = true;
  cost_tco_at(&c, &f, 2.50, &b);
  check_near(a.usd_per_hour, 20.0, 1e-12);
  check_near(b.usd_per_hour, 30.0, 1e-12);
  check_eq(b.gpus_standby, 4);
  /* the standby draws idle power: 4 x 140 more watts */
  check_near(b.facility_kw - a.facility_kw, 4 * 140 / 1000.0, 1e-12);
  check_near(a.facility_kw, 8 * 450 / 1000.0, 1e-12); /* serving GPUs at their modelled power */
  check_eq(a.power_usd_per_hour, 0);                  /* rented: power is in the price */
}

static void onprem_tco_adds_up_by_hand(void **state) {
  (void)state;
  /* 1 GPU drawing 240 W (modelled), $0.50/h amortised; PUE 1.5, $0.10/kWh -> $0.036/h;
   * +50% ops and $73/month ($0.10/h): 0.536 x 1.5 + 0.1 = $0.904/h. 100 out tok/s = 0.36M/h. */
  cost_config c = default_cost();
  c.onprem = true, c.pue = 1.5, c.usd_per_kwh = 0.10, c.ops_overhead_frac = 0.5, c.ops_usd_per_month = 73;
  c.grid_kg_co2_per_kwh = 0.5;
  cost_fleet f = fleet(1, 1, 240, 80);
  api_price api = {.usd_per_1m_input = 1, .usd_per_1m_output = 4};
  sim_result r = make_result(100, 200, 0.5, 100);
  double v[CA_COUNT];
  costing_fill(&f, 0.50, &r);
  costing_fill_tco(&c, &f, 0.50, &r);
  costing_api(&c, &f, &api, 0.50, &r, v);
  check_near(r.v[RM_usd_per_hour_tco], 0.904, 1e-12);
  check_near(r.v[RM_usd_per_1m_output_tco], 0.904 / 0.36, 1e-9);
  check_near(r.v[RM_energy_kwh_per_1m_output], 1.0, 1e-12); /* 0.36 kW over 0.36M tokens an hour */
  check_near(r.v[RM_co2_kg_per_1m_output], 0.5, 1e-12);
  check_near(r.v[RM_usd_per_1m_output_busy], r.v[RM_usd_per_1m_output] * 0.5, 1e-12);
  check_nan(r.v[RM_gpu_power_w_mean]); /* the simulator's row: costing does not invent it */
  /* API: $4 + 200/100 x $1 = $6 per 1M output of this mix */
  check_near(v[CA_api_usd_per_1m_output], 6.0, 1e-12);
  check_near(v[CA_tco_over_api], 0.904 / 0.36 / 6.0, 1e-9);
  /* at capacity (0.72M output tokens an hour) the TCO is 0.904 / 0.72 per 1M: u = that / 6 */
  check_near(v[CA_breakeven_utilisation], 0.904 / 0.72 / 6.0, 1e-9);
  check_near(v[CA_breakeven_output_tok_per_month], 0.904 * 730 / 6e-6, 1);
}

/* At the break-even utilisation u the TCO per output token, the deployment producing u x its capacity,
 * equals the API's price of the same mix: over random fleets, billing and prices. */
static void breakeven_utilisation_makes_tco_equal_the_api(void **state) {
  (void)state;
  uint64_t s = 12345;
  size_t tested = 0, api_cheaper = 0;
  for (int i = 0; i < 1000; i++) {
    double x[8];
    for (int j = 0; j < 8; j++) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      x[j] = (double)(s >> 11) / 9007199254740992.0;
    }
    cost_config c = default_cost();
    cost_fleet f = fleet(1 + floor(x[0] * 8), 1 + floor(x[1] * 4), 100 + 600 * x[3], 80);
    c.onprem = x[2] < 0.5, c.redundancy_n_plus_1 = x[3] < 0.5, c.ops_overhead_frac = x[4];
    c.ops_usd_per_month = 1000 * x[5], c.pue = 1 + x[6], c.usd_per_kwh = 0.3 * x[7];
    double price = 0.2 + 3 * x[0], cap = 500 + 5000 * x[1];
    api_price api = {.usd_per_1m_input = 0.1 + 5 * x[5], .usd_per_1m_output = 0.2 + 20 * x[2]};
    sim_result r = make_result(cap * (0.05 + 0.9 * x[6]), cap * x[7], 1, 100);
    r.v[RM_capacity_output_tok_s] = cap;
    double v[CA_COUNT];
    costing_api(&c, &f, &api, price, &r, v);
    double u = v[CA_breakeven_utilisation];
    check_finite(u);
    check_gt(u, 0);
    api_cheaper += u > 1; /* the API is cheaper even at full load */
    cost_tco t;
    cost_tco_at(&c, &f, price, &t);
    check_rel(cost_usd_per_1m(t.usd_per_hour, cap, u), v[CA_api_usd_per_1m_output], 1e-9);
    tested++;
  }
  check_min_cases(tested, 1000);
  check_min_cases(api_cheaper, 1); /* both sides of 1 are exercised */
  check_min_cases(tested - api_cheaper, 1);
}

static void tco_never_falls_when_adding_redundancy_ops_or_power(void **state) {
  (void)state;
  cost_config c = default_cost();
  cost_fleet f = fleet(2, 3, 500, 80);
  cost_tco t;
  cost_tco_at(&c, &f, 2.0, &t);
  double prev = t.usd_per_hour;
  c.redundancy_n_plus_1 = true;
  cost_tco_at(&c, &f, 2.0, &t);
  check_gt(t.usd_per_hour, prev);
  prev = t.usd_per_hour;
  c.ops_overhead_frac = 0.1;
  cost_tco_at(&c, &f, 2.0, &t);
  check_gt(t.usd_per_hour, prev);
  prev = t.usd_per_hour;
  c.onprem = true;
  cost_tco_at(&c, &f, 2.0, &t);
  check_gt(t.usd_per_hour, prev);
  prev = t.usd_per_hour;
  f.gpu_power_w = 650; /* busier: more power */
  cost_tco_at(&c, &f, 2.0, &t);
  check_gt(t.usd_per_hour, prev);
}

static void price_prefers_explicit_then_onprem_then_tier(void **state) {
  (void)state;
  ss_err err = {{0}};
  double usd = 0;
  const gpu_price *row = NULL;
  cost_config c = default_cost();
  /* on-prem: the median hwdb purchase row of the RTX 4090, $1,800, over 3 years */
  c.onprem = true;
  assert_int_equal(cost_price(&DB, "rtx-4090-24gb", &c, "", &usd, &row, &err), SS_OK);
  check_near(usd, 1800 / (3 * 8760.0), 1e-12);
  assert_non_null(row);
  assert_int_equal(row->tier, TIER_PURCHASE);
  c.capex_usd_per_gpu = 2200, c.life_years = 2;
  assert_int_equal(cost_price(&DB, "rtx-4090-24gb", &c, "", &usd, &row, &err), SS_OK);
  check_near(usd, 2200 / (2 * 8760.0), 1e-12);
  assert_null(row); /* no hwdb row was used */
  c.usd_per_gpu_hour = 0.44;
  assert_int_equal(cost_price(&DB, "rtx-4090-24gb", &c, "", &usd, &row, &err), SS_OK);
  check_eq(usd, 0.44);
  assert_null(row);
  /* rented: the tier's median row */
  c = default_cost();
  double tier_usd = 0;
  assert_int_equal(cost_gpu_price(&DB, "rtx-4090-24gb", TIER_ON_DEMAND, "", &tier_usd, &row, &err), SS_OK);
  assert_int_equal(row->tier, TIER_ON_DEMAND);
  assert_int_equal(cost_price(&DB, "rtx-4090-24gb", &c, "", &usd, NULL, &err), SS_OK);
  check_eq(usd, tier_usd);
}

static void onprem_without_a_purchase_price_says_which_key_to_set(void **state) {
  (void)state;
  ss_err err = {{0}};
  double usd = 0;
  cost_config c = default_cost();
  c.onprem = true;
  assert_int_equal(cost_price(&DB, "h200-sxm-141gb", &c, "", &usd, NULL, &err), SS_EDATA);
  check_msg(strstr(err.msg, "pricing.capex_usd_per_gpu"), "message: %s", err.msg);
}

static void tco_keys_are_checked_and_may_be_uncertain(void **state) {
  (void)state;
  ss_err err = {{0}};
  study_spec *spec = calloc(1, sizeof *spec);
  assert_non_null(spec);
  scenario_defaults(&spec->base);
  assert_int_equal(scenario_set(spec, "pricing.onprem=true", &err), SS_OK);
  assert_true(spec->base.cost.onprem);
  assert_int_equal(scenario_set(spec, "energy.pue=1.3", &err), SS_OK);
  check_eq(spec->base.cost.pue, 1.3);
  assert_int_equal(scenario_set(spec, "energy.pue=0.5", &err), SS_EDATA);
  assert_int_equal(scenario_set(spec, "pricing.ops_overhead_frac=-1", &err), SS_EDATA);
  free(spec);
  size_t n;
  const kt_field *f = scenario_fields(&n);
  const char *numeric[] = {"pricing.capex_usd_per_gpu", "pricing.life_years",        "pricing.usd_per_kwh",
                           "pricing.ops_overhead_frac", "pricing.ops_usd_per_month", "energy.pue",
                           "energy.gpu_power_scale",    "energy.host_w_per_gpu",     "energy.grid_kg_co2_per_kwh"};
  for (size_t i = 0; i < sizeof numeric / sizeof numeric[0]; i++) {
    const kt_field *k = kt_find(f, n, numeric[i]);
    check_msg(k, "no scenario key %s", numeric[i]);
    check_msg(k->flags & KT_SAMPLE, "key %s may not be uncertain", numeric[i]);
  }
}

static void tier_price_is_the_median_row_and_a_row_id_picks_that_row(void **state) {
  double usd = 0, sorted[64];
  size_t n = 0;
  const gpu_price *row = NULL;
  (void)state;
  for (size_t i = 0; i < DB.n[HWDB_GPU_PRICES] && n < 64; i++) {
    const gpu_price *p = hwdb_at(&DB, HWDB_GPU_PRICES, i);
    if (p->tier == TIER_ON_DEMAND && !strcmp(p->gpu, "a100-sxm-80gb")) sorted[n++] = price_usd_per_gpu_hour(p);
  }
  check_ge(n, 3);
  for (size_t i = 1; i < n; i++) /* insertion sort: the expected median, computed independently */
    for (size_t j = i; j > 0 && sorted[j] < sorted[j - 1]; j--) {
      double t = sorted[j];
      sorted[j] = sorted[j - 1], sorted[j - 1] = t;
    }
  assert_int_equal(cost_gpu_price(&DB, "a100-sxm-80gb", TIER_ON_DEMAND, "", &usd, &row, NULL), SS_OK);
  check_eq(usd, sorted[(n - 1) / 2]);
  check_gt(usd, sorted[0]); /* not the cheapest outlier */
  assert_int_equal(cost_gpu_price(&DB, "a100-sxm-80gb", TIER_ON_DEMAND, "aws-p4d-a100x8-ondemand", &usd, &row, NULL),
                   SS_OK);
  assert_string_equal(row->id, "aws-p4d-a100x8-ondemand");
  check_near(usd, 32.77 / 8, 1e-12);
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
      cmocka_unit_test(a_points_fleet_draws_the_modelled_power_and_keeps_every_api),
      cmocka_unit_test(power_at_400w_and_15_cents_is_about_43_dollars_a_month),
      cmocka_unit_test(capex_is_amortised_straight_line_over_its_life),
      cmocka_unit_test(ops_overhead_adds_a_percentage_and_a_monthly_sum),
      cmocka_unit_test(n_plus_1_bills_one_idle_standby_replica),
      cmocka_unit_test(onprem_tco_adds_up_by_hand),
      cmocka_unit_test(breakeven_utilisation_makes_tco_equal_the_api),
      cmocka_unit_test(tco_never_falls_when_adding_redundancy_ops_or_power),
      cmocka_unit_test(price_prefers_explicit_then_onprem_then_tier),
      cmocka_unit_test(onprem_without_a_purchase_price_says_which_key_to_set),
      cmocka_unit_test(tco_keys_are_checked_and_may_be_uncertain),
      cmocka_unit_test(tier_price_is_the_median_row_and_a_row_id_picks_that_row),
  };
  return cmocka_run_group_tests(tests, load_db, free_db);
}
