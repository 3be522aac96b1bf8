/* scenario.h: a scenario file (YAML) parsed through one key table into a study_spec: the values of
 * every key before sweeping (sc_point), the sweep axes, the uncertain inputs and the data files it
 * names (traces, histograms, read once and hashed). A sweep point is the base values with its axis
 * values applied, resolved against hwdb into the sim_config the simulator runs and the cost_config
 * it is billed by.
 * Invariant: a spec that scenario_load accepted has every key inside its bounds, every sweep value and
 * uncertain distribution checked against its key, and every sweep point resolved (hwdb ids bound,
 * layout and memory checked) before any simulation runs. */
#ifndef SERVESIM_SCENARIO_H
#define SERVESIM_SCENARIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "base/hash.h"
#include "base/keytab.h"
#include "config/datafile.h"
#include "hwdb/hwdb.h"
#include "physics/cost.h"
#include "sim/simconfig.h"

typedef enum { UNC_UNIFORM, UNC_NORMAL, UNC_LOGNORMAL, UNC_TRIANGULAR } sc_unc_dist;
/* study.design: how the uncertain inputs of the replicates are sampled (docs/study.md). */
typedef enum { SC_DESIGN_RANDOM, SC_DESIGN_LHS, SC_DESIGN_SOBOL, SC_DESIGN_HALTON } sc_design;
/* sensitivity.method: which indices a study computes, and the replicate structure it needs. */
typedef enum { SC_SENS_PRCC, SC_SENS_SOBOL, SC_SENS_MORRIS } sc_sens_method;
extern const char *const sc_design_names[], *const sc_sens_method_names[];
typedef enum { PLAN_MODE_REPLICAS, PLAN_MODE_POLICY } sc_plan_mode;
extern const char *const sc_plan_mode_names[];

enum {
  SC_MAX_AXES = 8,
  SC_MAX_NOTES = 16,
  SC_MAX_AXIS_VALUES = 64,
  SC_MAX_UNCERTAIN = 16,
  SC_MAX_KEYS = 192,
  SC_MAX_API = 8,
  SC_MAX_POINTS = 1000000, /* sweep points per study: every one is resolved at load */
  SC_MAX_POOL_KEYS = 24,   /* keys a further deployment may set */
  SC_POOL_VALUE_LEN = 256
};

/* The value of every scenario key at one sweep point: the study-level keys, hwdb names and file
 * paths as written, and the simulation and billing configuration they resolve into. */
typedef struct {
  char name[96];
  uint64_t seed;
  uint32_t replicates;
  bool capacity;   /* output.capacity: search each replicate's capacity at the SLO */
  int model_error; /* 0 none, 1 cross_validated: efficiency.step_time_scale sampled from hwdb/model_error.yaml */
  struct {
    uint32_t max_tasks; /* limits.max_tasks: sweep points x replicates */
  } limits;
  struct {
    int design;         /* study.design: sc_design */
    int method;         /* sensitivity.method: sc_sens_method */
    uint32_t samples;   /* sensitivity.samples: Sobol base samples N, or Morris trajectories r */
    uint32_t bootstrap; /* sensitivity.bootstrap: resamples for the 95% CIs of the indices */
  } uq;
  struct {
    double confidence, rate_rel_tol; /* servesim plan (plan.*) */
    uint32_t max_replicas;
    int mode;                /* sc_plan_mode: replicas (fewest per candidate) or policy (cheapest fleet policy) */
    double windows_met_frac; /* policy: share of a replicate's windows that must meet the SLO too */
  } plan;
  char gpu[48], model[48], weights[32], kv_cache[32], engine[32];
  char draft_model[48]; /* speculative decoding's draft (deployment.speculative.draft_model) */
  char trace_file[DATAFILE_PATH_LEN], input_file[DATAFILE_PATH_LEN], output_file[DATAFILE_PATH_LEN];
  char provider[48];
  char price_gpu[48]; /* the GPU an explicit or uncertain price is for ("any": every GPU) */
  char compare_api[SC_MAX_API][64];
  size_t n_compare_api;
  sim_config sim; /* hwdb entries and data bound by resolve_point */
  cost_config cost;
  bool is_pool; /* resolving one of the further deployments (config/pools) */
  struct {
    char gpu[48], provider[48];
    cost_config cost;
  } pool_cost[SIM_MAX_POOLS - 1];          /* how each further deployment is billed */
  uint64_t given[(SC_MAX_KEYS + 63) / 64]; /* bit k: key k set by the file, --set, a sweep or a sample */
} sc_point;

typedef struct {
  long key; /* index into the scenario key table */
  size_t n;
  char values[SC_MAX_AXIS_VALUES][64];
  unsigned line;
} sc_axis;

typedef struct {
  long key;
  int dist; /* sc_unc_dist */
  double min, max, mean, sd, median, sigma, mode;
  unsigned line;
} sc_uncertain;

/* uncertain_correlation: a rank-correlation matrix over some uncertain inputs (the others are
 * uncorrelated with every input), checked symmetric, unit-diagonal and positive definite. */
typedef struct {
  long key[SC_MAX_UNCERTAIN]; /* scenario key index of row i */
  size_t n;
  double rho[SC_MAX_UNCERTAIN][SC_MAX_UNCERTAIN];
  unsigned line;
} sc_correlation;
/* A further deployment of a multi-model fleet, as the scenario's `deployments:` list gives it. */
typedef struct {
  char name[32];
  unsigned line;
  size_t n;
  long key[SC_MAX_POOL_KEYS];
  char value[SC_MAX_POOL_KEYS][SC_POOL_VALUE_LEN]; /* YAML text */
  unsigned key_line[SC_MAX_POOL_KEYS];
} sc_pool_spec;

typedef struct {
  sc_point base; /* before sweeping and sampling */
  sc_axis axes[SC_MAX_AXES];
  size_t n_axes;
  sc_uncertain unc[SC_MAX_UNCERTAIN];
  size_t n_unc;
  sc_correlation corr;                     /* n = 0: every input independent */
  char file[512];                          /* the scenario file, for messages */
  char dir[512];                           /* its directory: relative data-file paths start here */
  char sha256[HASH_HEX_LEN];               /* of the scenario file */
  unsigned line[SC_MAX_KEYS];              /* line where each key was set in the file, 0 = not there */
  datafile trace, input_hist, output_hist; /* loaded when their file keys are set */
  char price_gpu[48];                      /* the GPU a price given in the file (or by --set) was written for */
  char notes[SC_MAX_NOTES][320];           /* what loading decided that the user should hear */
  size_t n_notes;
  sc_pool_spec pools[SIM_MAX_POOLS - 1]; /* deployments besides the main one (config/pools) */
  size_t n_pools;
} study_spec;

const kt_field *scenario_fields(size_t *n);
/* The table index of key, or -1. */
long scenario_key_index(const char *key);

/* Loads path, applies overrides ("key=value", n_set of them), reads the data files and checks every
 * sweep point against db. On failure *spec holds nothing to free. */
ss_status scenario_load(const char *path, const char *const *overrides, size_t n_set, const hwdb *db, study_spec *spec,
                        ss_err *err);
/* The same from YAML text; name stands for the file in messages. */
ss_status scenario_load_string(const char *name, const char *text, const char *const *overrides, size_t n_set,
                               const hwdb *db, study_spec *spec, ss_err *err);
void scenario_free(study_spec *spec);
/* One "key=value" override (value in YAML syntax, e.g. 4, fp8, [1, 2]) of the base values. A value
 * given for a swept or uncertain key pins it (it leaves the sweep or the uncertain inputs, and a note
 * says so); "sweep.KEY=[...]" and "uncertain.KEY={dist: ...}" set an axis or an uncertain input. */
ss_status scenario_set(study_spec *spec, const char *assignment, ss_err *err);
/* One "key=value" on a single point (no sweep or uncertain forms), marked given; where names the
 * source of the text in messages. */
ss_status scenario_point_set(sc_point *pt, const char *assignment, const char *where, ss_err *err);
/* Adds a note (printed before the run and recorded in the output). */
void scenario_note(study_spec *spec, const char *fmt, ...) SS_PRINTF(2, 3);
/* The notes, one per line (malloc'd; "" when none; NULL when out of memory). */
char *scenario_notes_text(const study_spec *spec);

/* Every key at its default (nothing given, nothing bound). */
void scenario_defaults(sc_point *pt);

size_t scenario_points(const study_spec *spec);
/* Points that differ only in keys `ignored` says yes to form one group (pricing and energy keys do
 * not change what is simulated): the index of point p's group, and the number of groups. */
typedef bool (*scenario_key_pred)(const char *key);
size_t scenario_group_index(const study_spec *spec, size_t p, scenario_key_pred ignored);
size_t scenario_group_count(const study_spec *spec, scenario_key_pred ignored);
/* pricing.*, energy.* and compare_api: keys that change the bill, not the simulation. */
bool scenario_is_cost_key(const char *key);
/* The values of sweep point p (axes in file order, the first varying slowest), resolved. */
ss_status scenario_point(const study_spec *spec, size_t p, const hwdb *db, sc_point *out, ss_err *err);
/* Sets an uncertain input's sampled value (clamped to its key's bounds) on a point. */
void scenario_apply_sample(sc_point *pt, const sc_uncertain *u, double value);
/* The value of key k of pt as a number (numeric, bool and enum keys). */
double scenario_get(const sc_point *pt, long k);
/* Whether pt's key k was given (file, --set, sweep or sample) rather than defaulted; marking a key
 * given keeps resolve_point from filling it from the engine profile. */
bool scenario_given(const sc_point *pt, long k);
void scenario_mark_given(sc_point *pt, long k);

/* "file:line" of key k of pt, "file (--set)" for a key set on the command line, or "file". */
void scenario_key_where(const study_spec *spec, const sc_point *pt, long k, char *buf, size_t len);
/* SS_EDATA with "file:line: key 'k': value 'v' <why><detail>" for key of pt (file and line from spec,
 * which may be NULL). */
ss_status scenario_key_err(const study_spec *spec, const sc_point *pt, const char *key, ss_err *err, const char *why,
                           const char *detail);

void scenario_echo(FILE *out, const study_spec *spec);
void scenario_help(FILE *out);

#endif
