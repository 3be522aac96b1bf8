/* servesim.h: the stable C API of libservesim, the one public header (installed as
 * <servesim/servesim.h>): load hwdb and a scenario (file or string), override keys, run a study into
 * memory, write it to HDF5, read its summary metrics, import traces and Hugging Face model configs.
 * Invariant: self-contained (only standard headers), opaque handles, no exits or prints except where
 * a function says so; every failing call returns a nonzero status and fills a servesim_error.
 * Versioning: SERVESIM_API_VERSION is the SONAME major (libservesim.so.1); within it, functions are
 * only added, and option structs only grow at the end (their size field tells the library which). */
#ifndef SERVESIM_SERVESIM_H
#define SERVESIM_SERVESIM_H
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SERVESIM_API_VERSION 1 /* the SONAME major: libservesim.so.1 */
#define SERVESIM_ERROR_LEN   1536
#define SERVESIM_SHA256_LEN  65 /* 64 hex digits and the terminator */

/* Status codes: sysexits values (the servesim command exits with them). */
enum {
  SERVESIM_OK = 0,
  SERVESIM_EUSAGE = 64,    /* a bad argument (unknown key, metric or option) */
  SERVESIM_EDATA = 65,     /* bad input data (scenario, hwdb, trace, config.json) */
  SERVESIM_ENOINPUT = 66,  /* an input file is missing */
  SERVESIM_EINTERNAL = 70, /* a bug, or a verification mismatch */
  SERVESIM_ENOMEM = 71,
  SERVESIM_ECREATE = 73, /* an output cannot be created */
  SERVESIM_EIO = 74
};

/* What failed: the status and one line that names file, line, key, bad value and what is allowed. */
typedef struct {
  int status;
  char message[SERVESIM_ERROR_LEN];
} servesim_error;

typedef struct servesim_hwdb servesim_hwdb;         /* the hardware/model/price database */
typedef struct servesim_scenario servesim_scenario; /* a loaded, checked scenario and its overrides */
typedef struct servesim_study servesim_study;       /* the results of a study, in memory */

/* The library's version ("0.1.0") and the API version it implements (SERVESIM_API_VERSION). */
const char *servesim_version(void);
int servesim_api_version(void);

/* ---- hwdb ---- */
/* Loads an hwdb directory; dir NULL: $SERVESIM_HWDB, else the hwdb installed beside the library
 * (LIBDIR/../share/servesim/hwdb), else beside the running program, else the build's source tree. */
int servesim_hwdb_load(const char *dir, servesim_hwdb **out, servesim_error *err);
/* The directory loaded and the SHA-256 of its content (recorded in every output). */
const char *servesim_hwdb_dir(const servesim_hwdb *db);
const char *servesim_hwdb_sha256(const servesim_hwdb *db);
/* Entries of a category ("gpus", "models", "quant", "engines"): their count and ids (NULL past the
 * end or for an unknown category). */
size_t servesim_hwdb_count(const servesim_hwdb *db, const char *category);
const char *servesim_hwdb_id(const servesim_hwdb *db, const char *category, size_t i);
void servesim_hwdb_free(servesim_hwdb *db);

/* ---- scenarios ---- */
/* Loads a scenario file with n_sets overrides ("key=value", the syntax of `servesim run --set`),
 * reads the data files it names and checks every sweep point against db (which must outlive it). */
int servesim_scenario_load(const servesim_hwdb *db, const char *path, const char *const *sets, size_t n_sets,
                           servesim_scenario **out, servesim_error *err);
/* The same from YAML text; name stands for the file in messages, relative data paths start at the
 * current directory. */
int servesim_scenario_load_string(const servesim_hwdb *db, const char *name, const char *yaml, const char *const *sets,
                                  size_t n_sets, servesim_scenario **out, servesim_error *err);
/* One more override: the scenario is loaded again with it and checked; on failure it is unchanged. */
int servesim_scenario_set(servesim_scenario *sc, const char *assignment, servesim_error *err);
const char *servesim_scenario_name(const servesim_scenario *sc);
size_t servesim_scenario_points(const servesim_scenario *sc);
/* What loading decided that the user should hear, one note a line ("" when none). */
const char *servesim_scenario_notes(const servesim_scenario *sc);
/* Fails now, before a long run, when path cannot be created or is one of the scenario's inputs. */
int servesim_scenario_check_output(const servesim_scenario *sc, const char *path, servesim_error *err);
void servesim_scenario_free(servesim_scenario *sc);

/* Scenario keys (the key table `servesim run --help-scenario` prints): count, name and help. */
size_t servesim_scenario_key_count(void);
const char *servesim_scenario_key(size_t i);
const char *servesim_scenario_key_help(size_t i);

/* ---- studies ---- */
typedef struct {
  size_t size;                       /* sizeof(servesim_run_options): set by SERVESIM_RUN_OPTIONS_INIT */
  int threads;                       /* OpenMP threads; 0: the OpenMP default */
  uint64_t shard_index, shard_count; /* run part i (1-based) of N contiguous task slices; 0, 0: all */
  int progress;                      /* nonzero: a progress bar on stderr */
  /* sequential precision: add batches of replicates until the 95% CI half-width of each target's mean
   * is within REL of it at every point ("ttft_p99_s=0.05"; at most 4), up to max_replicates (0: 1000) */
  const char *const *precision;
  size_t n_precision, max_replicates;
} servesim_run_options;
#define SERVESIM_RUN_OPTIONS_INIT \
  { sizeof(servesim_run_options), 0, 0, 0, 0, NULL, 0, 0 }

/* Runs the study (sweep points x replicates); opts NULL: the defaults. The results are the same,
 * bit for bit, for any thread count and shard split. Under MPI every rank calls it and rank 0
 * (servesim_mpi_rank) holds the results. */
int servesim_study_run(const servesim_scenario *sc, const servesim_run_options *opts, servesim_study **out,
                       servesim_error *err);
/* Writes the study as HDF5 (docs/study.md), atomically; argv (argc words, may be NULL) is recorded as
 * the command line. Refuses to replace the scenario or its data files. Rank 0 alone writes. */
int servesim_study_write(const servesim_study *st, const char *path, int argc, char *const *argv, servesim_error *err);
/* Prints the table `servesim run` prints (per point: swept values and headline metrics). */
void servesim_study_print(const servesim_study *st, FILE *out);
const char *servesim_study_name(const servesim_study *st);
size_t servesim_study_points(const servesim_study *st);
size_t servesim_study_replicates(const servesim_study *st);
/* Whether the study holds every task (not a shard), and so has summaries. */
int servesim_study_is_whole(const servesim_study *st);
/* Whether the study is one part of a split run; then its part index (1-based) and count, and the
 * tasks [task_lo, task_hi) of tasks it holds (any pointer may be NULL). */
int servesim_study_part(const servesim_study *st, unsigned *index, unsigned *count, size_t *task_lo, size_t *task_hi,
                        size_t *tasks);
/* Sweep axes: their count, key (e.g. "workload.arrival.rate_per_s"), and value at a point: a number
 * (NAN for a text axis) or text (NULL for a numeric axis). */
size_t servesim_study_axes(const servesim_study *st);
const char *servesim_study_axis_key(const servesim_study *st, size_t axis);
double servesim_study_axis_value(const servesim_study *st, size_t axis, size_t point);
const char *servesim_study_axis_text(const servesim_study *st, size_t axis, size_t point);

/* Metrics (per replicate): how many, and each one's name and CF units. */
size_t servesim_metric_count(void);
const char *servesim_metric_name(size_t m);
const char *servesim_metric_units(size_t m);

/* The summary of a metric across the replicates of a point (what `servesim run` prints and HDF5
 * /summary holds). A latency metric of a point where most replicates saturated is NAN. */
typedef struct {
  double mean, sd, ci95_lo, ci95_hi, p05, p50, p95;
  size_t n; /* replicates used */
} servesim_summary;
int servesim_study_summary(const servesim_study *st, size_t point, const char *metric, servesim_summary *out,
                           servesim_error *err);
/* One replicate's value of a metric (NAN when not held, not measured, or out of range). */
double servesim_study_value(const servesim_study *st, size_t point, size_t replicate, const char *metric);
/* The fraction of a point's replicates that met both p99 SLOs, and whether most saturated. */
double servesim_study_slo_met_fraction(const servesim_study *st, size_t point);
int servesim_study_point_saturated(const servesim_study *st, size_t point);
void servesim_study_free(servesim_study *st);

/* This process's MPI rank (0 without MPI). */
int servesim_mpi_rank(void);

/* ---- verification ---- */
typedef struct {
  size_t tasks;
  char sha256[SERVESIM_SHA256_LEN];          /* of every task's results */
  char expected_sha256[SERVESIM_SHA256_LEN]; /* the pinned one */
  char hwdb_sha256[SERVESIM_SHA256_LEN];     /* the hwdb content it is pinned for (tests/hwdb) */
  int hwdb_matches, passed;
} servesim_verify_result;
/* Runs the built-in verification study and compares its checksum with the pinned one. A mismatch is
 * not an error of this call: read passed and hwdb_matches. */
int servesim_verify(const servesim_hwdb *db, int threads, servesim_verify_result *out, servesim_error *err);

/* ---- importers ---- */
typedef struct {
  size_t size;        /* sizeof(servesim_trace_options): set by SERVESIM_TRACE_OPTIONS_INIT */
  const char *format; /* "azure", "burstgpt", "mooncake", "vllm" or "servesim"; NULL: from the file */
  double time_scale;  /* arrival times are multiplied by this (0.5: twice the rate); 0: 1 */
  double start_s;     /* keep requests arriving from start_s (in the source's seconds) ... */
  double duration_s;  /* ... for duration_s seconds; 0: to the end */
  size_t limit;       /* at most this many requests; 0: all */
} servesim_trace_options;
#define SERVESIM_TRACE_OPTIONS_INIT \
  { sizeof(servesim_trace_options), NULL, 0, 0, 0, 0 }
/* The trace formats servesim_import_trace reads, i = 0, 1, ... (NULL past the last). */
const char *servesim_trace_format(size_t i);
/* What an import read and wrote. */
typedef struct {
  char format[16];
  size_t rows_read, rows_written, rows_skipped; /* skipped: failed requests (no output tokens) */
  double span_s;                                /* last arrival minus first, after scaling */
} servesim_trace_summary;
/* Reads a public LLM-serving trace and writes servesim's trace CSV (arrival_s,input_tokens,
 * output_tokens; arrivals start at 0), atomically; summary may be NULL. */
int servesim_import_trace(const char *in_path, const servesim_trace_options *opts, const char *out_csv,
                          servesim_trace_summary *summary, servesim_error *err);
typedef struct {
  size_t size;            /* sizeof(servesim_model_options): set by SERVESIM_MODEL_OPTIONS_INIT */
  const char *id;         /* hwdb id (required) */
  const char *name;       /* display name; NULL: the id */
  const char *source;     /* where the config came from (required), e.g. "HF config.json of org/model @rev" */
  const char *date;       /* the source's date, YYYY-MM-DD (required) */
  double params_b;        /* the published total parameter count, billions (required) */
  double active_params_b; /* published active parameters per token, billions; NAN: the total (dense only) */
} servesim_model_options;
#define SERVESIM_MODEL_OPTIONS_INIT \
  { sizeof(servesim_model_options), NULL, NULL, NULL, NULL, 0, NAN }
/* Reads a Hugging Face config.json (dense, GQA or MoE: llama, mistral, mixtral, qwen2, qwen2_moe,
 * qwen3, qwen3_moe, llama4, gemma, gemma2, gptj, gpt_neox, gpt2) and writes an hwdb model entry (YAML),
 * atomically, after checking the parameter count derived from the shape against params_b (within 3%);
 * derived_params_b (may be NULL) receives the derived total in billions. */
int servesim_import_model(const char *config_json, const servesim_model_options *opts, const char *out_yaml,
                          double *derived_params_b, servesim_error *err);

#ifdef __cplusplus
}
#endif
#endif
