/* scenario.h: a scenario file (YAML) parsed into a plain struct through one key table, plus its
 * sweep axes and uncertain inputs, `--set` overrides, binding to hwdb entries, and the echo of the
 * resolved scenario.
 * Invariant: a scenario that scenario_load accepted has every key inside its bounds, every hwdb id
 * resolved, and every sweep value and uncertain distribution checked against its key. */
#ifndef SERVESIM_SCENARIO_H
#define SERVESIM_SCENARIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "hwdb/hwdb.h"
#include "base/keytab.h"

typedef enum { ARR_POISSON, ARR_GAMMA, ARR_DIURNAL, ARR_CLOSED, ARR_OFFLINE, ARR_TRACE } sc_arrival;
typedef enum { LEN_FIXED, LEN_UNIFORM, LEN_LOGNORMAL, LEN_EMPIRICAL } sc_len_dist;
typedef enum { ROUTE_ROUND_ROBIN, ROUTE_LEAST_OUTSTANDING, ROUTE_JSQ } sc_router;
typedef enum { UNC_UNIFORM, UNC_NORMAL, UNC_LOGNORMAL, UNC_TRIANGULAR } sc_unc_dist;
typedef enum { PRICE_ON_DEMAND, PRICE_SPOT, PRICE_RESERVED } sc_tier;

enum { SC_MAX_AXES = 8, SC_MAX_AXIS_VALUES = 64, SC_MAX_UNCERTAIN = 16, SC_MAX_KEYS = 96, SC_MAX_API = 8,
       SC_MAX_POINTS = 1000000 /* sweep points per study: every one is resolved at load */ };

typedef struct {
  int dist;                      /* sc_len_dist */
  uint32_t value, min, max;      /* fixed value; uniform bounds; max is also the cap (0 = none) */
  double median, sigma;          /* lognormal */
  char file[256];                /* empirical histogram CSV: tokens,weight */
} sc_lengths;

typedef struct {
  long key;                      /* index into the scenario key table */
  size_t n;
  char values[SC_MAX_AXIS_VALUES][64];
  unsigned line;
} sc_axis;

typedef struct {
  long key;
  int dist;                      /* sc_unc_dist */
  double min, max, mean, sd, median, sigma, mode;
  unsigned line;
} sc_uncertain;

typedef struct {
  char name[96];
  uint64_t seed;
  uint32_t replicates;
  double duration_s, warmup_s;
  struct {
    char gpu[48], model[48], weights[32], kv_cache[32], engine[32];
    uint32_t tp, replicas;
    int policy;                  /* engine_policy; engine default unless given */
    uint32_t max_num_seqs, max_batched_tokens, block_size, parallel_slots, static_batch;
    bool chunked_prefill, reserve_full_kv;
    double gpu_memory_utilization;
  } dep;
  int router;                    /* sc_router */
  struct {
    int process;                 /* sc_arrival */
    double rate_per_s, cv, think_s, time_scale;
    double profile[24];
    size_t n_profile;
    uint32_t users, n;
    char file[256];
  } arrival;
  sc_lengths input, output;
  double correlation;
  double slo_ttft_s, slo_tpot_s;
  struct {
    double confidence, rate_rel_tol; /* servesim plan (plan.*) */
    uint32_t max_replicas;
  } plan;
  int tier;                      /* sc_tier */
  double usd_per_gpu_hour;       /* NAN: from hwdb/prices at the tier */
  char provider[48];
  bool onprem, redundancy_n_plus_1;
  double capex_usd_per_gpu;      /* NAN: hwdb purchase row */
  double life_years, usd_per_kwh, ops_overhead_frac, ops_usd_per_month;
  double pue, idle_power_frac, busy_power_frac, host_w_per_gpu, grid_kg_co2_per_kwh;
  char compare_api[SC_MAX_API][64];
  size_t n_compare_api;
  double eff_hbm, eff_compute, overhead_step_s; /* NAN: calibrated values */
  bool out_requests, out_timeseries;

  /* bookkeeping, not keys */
  char file[512];
  unsigned line[SC_MAX_KEYS];    /* line where each key was set, 0 = default */
  bool given[SC_MAX_KEYS];       /* set in the file, by --set or by a sweep */
  sc_axis axes[SC_MAX_AXES];
  size_t n_axes;
  sc_uncertain unc[SC_MAX_UNCERTAIN];
  size_t n_unc;
} scenario;

/* The deployment's hwdb entries, resolved. */
typedef struct {
  const hw_gpu *gpu;
  const model_spec *model;
  const quant_format *weights, *kv;
  const engine_profile *engine;
} sc_bound;

const kt_field *scenario_fields(size_t *n);

/* Loads path, applies overrides ("key=value", n_set of them), fills engine defaults and checks
 * everything against db. */
ss_status scenario_load(const char *path, const char *const *overrides, size_t n_set, const hwdb *db,
                        scenario *sc, ss_err *err);
/* One "key=value" override (value in YAML syntax, e.g. 4, fp8, [1, 2]). */
ss_status scenario_set(scenario *sc, const char *assignment, ss_err *err);
/* Fills scheduler keys that were not given from the engine profile, then checks and binds. */
ss_status scenario_resolve(scenario *sc, const hwdb *db, sc_bound *bound, ss_err *err);

size_t scenario_points(const scenario *sc);
/* The scenario of sweep point p (axes in file order, the first varying slowest), resolved. */
ss_status scenario_point(const scenario *base, size_t p, const hwdb *db, scenario *out, sc_bound *bound,
                         ss_err *err);
/* Sets an uncertain input's sampled value on a point scenario. */
void scenario_apply_sample(scenario *sc, const sc_uncertain *u, double value);

void scenario_echo(FILE *out, const scenario *sc);
void scenario_help(FILE *out);

#endif
