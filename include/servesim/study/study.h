/* study.h: a Monte Carlo study: the sweep grid x replicates as tasks, uncertain inputs sampled
 * per replicate, tasks run under OpenMP (dynamic schedule) into preallocated slots, then serial
 * reductions in task order. Shards (--shard i/N) and MPI ranks run contiguous task slices.
 * Invariant: task t = point * n_reps + replicate; every per-task value depends only on
 * (study_spec, seed, point, replicate), so the data are bit-identical for any thread count, shard
 * split or rank count. The design (study/design) gives each replicate its inputs and the replicate
 * its traffic is keyed by, the same at every sweep point: common random numbers. */
#ifndef SERVESIM_STUDY_H
#define SERVESIM_STUDY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "base/hash.h"
#include "base/stats.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "sim/result.h"
#include "sim/sim.h"
#include "study/costing.h"
#include "study/provenance.h"
#include "study/design.h"

enum { STUDY_KEY_LEN = 96, STUDY_UNITS_LEN = 16, STUDY_TEXT_LEN = 64 };

/* A sequential-precision target (--precision METRIC=REL, module precision): replicates are added in
 * batches until the 95% CI half-width of the metric's mean is at most rel x |mean| at every point. */
typedef struct {
  result_metric metric;
  double rel;
} study_target;
enum { STUDY_MAX_TARGETS = 4 };

typedef struct {
  int threads;                       /* 0: the OpenMP default */
  uint64_t shard_index, shard_count; /* 1-based i of N (N at most the tasks); 0/0: the whole study */
  FILE *progress;                    /* progress bar here (a terminal), or NULL */
  const study_target *targets;       /* sequential precision (n_targets of them), or none */
  size_t n_targets;
  size_t max_replicates; /* the cap of a sequential run (0: STUDY_DEFAULT_MAX_REPLICATES) */
} study_opts;
enum { STUDY_DEFAULT_MAX_REPLICATES = 1000 };

/* What a sequential run did: its targets, batch, rounds, cap, whether every target was met, and the
 * relative half-width of each target at each point when it stopped. */
typedef struct {
  study_target targets[STUDY_MAX_TARGETS];
  size_t n_targets, batch, rounds, max_replicates;
  bool met;
  double *rel; /* [n_targets][n_points]; NAN where the point has no mean to be relative to (or is saturated) */
} study_precision;

/* One sweep axis: the value of its key at every point. */
typedef struct {
  char key[STUDY_KEY_LEN], units[STUDY_UNITS_LEN];
  bool is_text;
  double *num;                  /* [n_points] when !is_text */
  char (*text)[STUDY_TEXT_LEN]; /* [n_points] when is_text */
} study_axis;

/* One uncertain input: its value (after clamping to the key's bounds) at every task. */
typedef struct {
  char key[STUDY_KEY_LEN], units[STUDY_UNITS_LEN];
  double *value; /* [n_tasks] */
} study_input;

typedef struct {
  char name[96];
  uint64_t seed;
  char *config_yaml;                             /* the resolved scenario (scenario_echo) */
  char hwdb_dir[512], hwdb_sha256[HASH_HEX_LEN]; /* the hwdb the tasks ran with */
  hash_ref input_files[4];                       /* scenario file, trace, histograms: path and content hash */
  size_t n_input_files;
  char *notes; /* the scenario's notes, one per line ("" when none; owned) */
  size_t n_points, n_reps;
  size_t task_lo, task_hi;           /* tasks held: [task_lo, task_hi); others are NAN */
  unsigned shard_index, shard_count; /* 1/1 for a whole study */
  size_t n_axes, n_inputs, n_apis;
  study_axis axes[SC_MAX_AXES];
  study_input inputs[SC_MAX_UNCERTAIN];
  char api_ids[SC_MAX_API][64]; /* the compare_api rows, resolved */
  double *api;                  /* [n_tasks][n_apis][CA_COUNT]: costing_api's rows (NULL when n_apis is 0) */
  stats_summary *api_summary;   /* [n_points][n_apis][CA_COUNT] */
  provenance_point *resolved;   /* [n_points]: what each point resolved to (study/provenance) */
  bool resolved_known;          /* false: not recorded (a file written before servesim kept it) */
  sim_result *res;              /* [n_tasks] */
  double *slo_met;              /* [n_tasks]: 1 when not saturated and both p99 SLOs held */
  study_design design;          /* the inputs per replicate, the replicate structure and the traffic keys */
  study_precision precision;    /* n_targets 0 unless the run was sequential */
  bool log_requests, log_timeseries, log_windows;
  sim_log *logs; /* [n_tasks] when a log or the windows may be on, else NULL */
  /* reductions, per point (study_summarise) */
  stats_summary (*summary)[RM_COUNT];       /* [n_points][RM_COUNT] */
  stats_summary (*fleet_summary)[FM_COUNT]; /* [n_points][FM_COUNT] */
  size_t n_pools;                           /* deployments of a multi-model fleet (0: one, no per-deployment rows) */
  char pool_names[SIM_MAX_POOLS][32];       /* deployment.name, then the deployments: list's names */
  stats_summary *pool_summary;              /* [n_points][n_pools][PM_COUNT] */
  size_t win_max;                           /* most windows of a task (0: no windows) */
  stats_summary *win_summary;               /* [n_points][win_max][WC_COUNT] */
  double *saturated_count, *slo_met_frac, *replicates_used; /* [n_points] */
} study;

static inline size_t study_tasks(const study *st) { return st->n_points * st->n_reps; }

/* Contiguous slice [lo, hi) of n tasks for part i (1-based) of n_parts. */
void study_slice(size_t n, size_t i, size_t n_parts, size_t *lo, size_t *hi);

/* Allocates every array for n_points x n_reps (all NAN), with the given axes/inputs counts. */
ss_status study_init(study *st, size_t n_points, size_t n_reps, bool with_logs, ss_err *err);
void study_free(study *st);

/* Runs the study of a loaded scenario (its shard, or its rank's part under MPI). */
ss_status study_run(const study_spec *spec, const hwdb *db, const study_opts *o, study *st, ss_err *err);
/* The provenance of spec and db (hwdb and input files) into st (study_run does this). */
void study_describe_inputs(const study_spec *spec, const hwdb *db, study *st);
/* Per-point reductions, serial and in replicate order. */
ss_status study_summarise(study *st, ss_err *err);
/* The costing_api row m of API a at task t, and its summary at point p. */
static inline double *study_api(const study *st, size_t t, size_t a) {
  return &st->api[(t * st->n_apis + a) * CA_COUNT];
}
static inline stats_summary *study_api_summary(const study *st, size_t p, size_t a) {
  return &st->api_summary[(p * st->n_apis + a) * CA_COUNT];
}
/* "rate_per_s = 2, replicas = 4" (the last part of each swept key), or "single point". */
const char *study_point_label(const study *st, size_t p, char *buf, size_t len);
/* Replicates the summary statistics use: the design's independent draws (design_independent). */
double study_summary_reps(const study *st);
/* Row m of deployment i at point p, across replicates. */
static inline stats_summary *study_pool_summary(const study *st, size_t p, size_t i) {
  return &st->pool_summary[(p * st->n_pools + i) * PM_COUNT];
}
/* Window k of point p: its columns across replicates (NAN where a replicate has no window k). */
static inline stats_summary *study_win_summary(const study *st, size_t p, size_t k) {
  return &st->win_summary[(p * st->win_max + k) * WC_COUNT];
}
/* Replicates of point p flagged overloaded (a transient backlog beyond the TTFT objective). */
double study_overloaded_count(const study *st, size_t p);
/* Whether most replicates of point p saturated: the point reports no latency (study_summarise). */
bool study_point_saturated(const study *st, size_t p);

#endif
