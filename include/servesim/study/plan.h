/* plan.h: capacity planning (`servesim plan`): for every candidate deployment (the points of the
 * scenario's sweep) the fewest replicas that meet the SLO in at least plan.confidence of the
 * replicates at the demand (workload.arrival.rate_per_s), and the largest arrival rate one replica
 * sustains (per-replicate bisection, summarised with a confidence interval).
 * Invariant: every decision depends only on (study_spec, seed, replicate), never on the thread count:
 * replicate r of any evaluation is sim_run(seed, r) (common random numbers, as in study), and a
 * pass/fail is a count over replicates. Candidates that differ only in cost keys (pricing.*,
 * energy.*) share one simulation. */
#ifndef SERVESIM_PLAN_H
#define SERVESIM_PLAN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "base/hash.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "sim/result.h"
#include "study/costing.h"

enum { PLAN_LABEL_LEN = 192, PLAN_REASON_LEN = 512 };
struct plan_decision;

/* What the search found for a candidate. */
typedef enum { PLAN_MET, PLAN_NOT_MET, PLAN_NO_FIT } plan_status;

typedef struct {
  int threads;    /* 0: the OpenMP default */
  FILE *progress; /* one line per simulated candidate, or NULL */
} plan_opts;

/* One candidate (sweep point) and its answer. */
typedef struct {
  size_t point;               /* sweep point index */
  char label[PLAN_LABEL_LEN]; /* the swept values, e.g. "h100-sxm-80gb fp8 tp=2 on_demand" */
  char gpu[48], weights[32], engine[32], tier[16];
  uint32_t tp;
  plan_status status;
  char reason[PLAN_REASON_LEN];                             /* PLAN_NO_FIT: perf_init's message; PLAN_NOT_MET: why */
  uint32_t replicas;                                        /* fewest that meet the SLO (0 unless PLAN_MET) */
  double gpus;                                              /* replicas x tp */
  double slo_met_frac;                                      /* at `replicas` */
  double usd_per_gpu_hour, usd_per_hour, usd_per_1m_output; /* means over replicates at `replicas` */
  double ttft_p99_s, tpot_p99_s, output_tok_s;              /* means over replicates at `replicas` */
  double rate_mean_per_s, rate_ci95_lo_per_s, rate_ci95_hi_per_s; /* one replica's sustainable rate */
  double rate_at_confidence_per_s;  /* sustained by at least plan.confidence of the replicates */
  double headroom;                  /* rate_mean x replicas / demand - 1 */
  double utilisation;               /* demand / (rate x replicas), mean over replicates (docs/plan.md) */
  double api[SC_MAX_API][CA_COUNT]; /* costing_api's rows per compare_api entry, means over replicates */
  double *rate_rep_per_s;           /* [n_reps]: each replicate's sustainable rate (in plan.rate_rep) */
} plan_row;

typedef struct {
  char name[96];
  uint64_t seed;
  char *config_yaml; /* the resolved scenario (scenario_echo) */
  char hwdb_dir[512], hwdb_sha256[HASH_HEX_LEN];
  hash_ref input_files[4]; /* scenario file and the data files it names */
  size_t n_input_files;
  char *notes; /* the scenario's notes, one per line (owned) */
  double demand_per_s, slo_ttft_s, slo_tpot_s, confidence, rate_rel_tol;
  uint32_t max_replicas;
  bool model_error; /* model_error: cross_validated (the step-time model's error sampled per replicate) */
  size_t n_reps, n_rows, n_axes, n_apis;
  char axis_keys[SC_MAX_AXES][96];
  char api_ids[SC_MAX_API][64]; /* the compare_api rows, resolved */
  plan_row *rows;               /* ranked: met by $/hour, then not met, then not fitting */
  double *rate_rep;             /* [rows x n_reps]: the rows' rate_rep_per_s */
  uint64_t sim_runs;            /* replicate simulations run (bookkeeping: early stops make it
                                       * depend on the schedule, so it is not a result) */
  /* how sure the answer is (study/decision); NULL when nothing met the SLO */
  struct plan_decision *decision;
} plan;

/* Plans every candidate of a loaded scenario. */
ss_status plan_run(const study_spec *spec, const hwdb *db, const plan_opts *o, plan *out, ss_err *err);
void plan_free(plan *p);

/* ---- the building blocks, for tests ---- */

/* One simulated candidate: a resolved sweep point (its cost keys do not matter), the spec it comes from
 * (its uncertain inputs), and the per-replicate samples (n_unc x n_reps, row-major by input; may be
 * NULL when n_unc is 0). */
typedef struct {
  const study_spec *spec;
  const sc_point *pt;
  const hwdb *db;
  size_t n_reps;
  const double *samples;
  int threads;
  uint64_t *sim_runs; /* incremented per replicate simulated (may be NULL) */
} plan_case;

/* Replicates meeting the SLO with `replicas` replicas at `rate_per_s`; *met receives whether at
 * least need of them did. Stops early once that cannot happen (then *n_met is a lower bound).
 * res (may be NULL) receives each replicate's result when all were run. */
ss_status plan_count_met(const plan_case *c, uint32_t replicas, double rate_per_s, size_t need, size_t *n_met,
                         bool *met, sim_result *res, ss_err *err);
/* Fewest replicas in [1, max_replicas] meeting the SLO in `need` replicates at the scenario's rate
 * (exponential then binary search; assumes more replicas never hurt); 0 when none does. n_met and
 * res (may be NULL; [n_reps]) receive the replicates of the answer's evaluation. */
ss_status plan_min_replicas(const plan_case *c, uint32_t max_replicas, size_t need, uint32_t *replicas, size_t *n_met,
                            sim_result *res, ss_err *err);
/* Each replicate's largest sustainable rate for one replica (bisection to rel_tol from guess_per_s),
 * and (output_tok_s, may be NULL) its output tokens per second at that rate. */
ss_status plan_max_rate(const plan_case *c, double guess_per_s, double rel_tol, double *rate_per_s,
                        double *output_tok_s, ss_err *err);
/* Replicates that must meet the SLO: ceil(confidence x n_reps). */
size_t plan_need(double confidence, size_t n_reps);

#endif
