/* validate.h: predicts measured cases (CSV columns id,gpu,gpus,tp,model,weights,kv,engine,mode,load,
 * input_len,output_len,metric,value[,group,trust,input_sigma,output_sigma]) and scores the error, by group and by metric.
 * One handler per mode (single, static, offline, closed, poisson); modes that need the event
 * simulator take validate_opts.sim when it is set, else the row is skipped with the reason.
 * Invariant: every case ends up either predicted or skipped with a reason; none is dropped. */
#ifndef SERVESIM_VALIDATE_H
#define SERVESIM_VALIDATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "physics/perf.h"

/* X(name, kind): kind 0 throughput (higher is better), 1 latency (mean or median), 2 cost, 3 tail latency
 * (p90, p99). itl_fit_*: a source's linear fit of batch-1 ITL against context (intercept at context 0,
 * seconds per context token). */
#define VALIDATE_METRICS(X)                                                                                           \
  X(output_tok_s, 0)                                                                                                  \
  X(output_tok_s_per_gpu, 0)                                                                                          \
  X(decode_tok_s_b1, 0)                                                                                               \
  X(prefill_tok_s, 0)                                                                                                 \
  X(req_s, 0) X(ttft_s_mean, 1) X(ttft_s_p50, 1) X(ttft_s_p90, 3) X(ttft_s_p99, 3) X(tpot_s_mean, 1) X(tpot_s_p50, 1) \
      X(tpot_s_p99, 3) X(itl_s_mean, 1) X(itl_s_p50, 1) X(itl_s_p99, 3) X(e2e_s_mean, 1) X(itl_fit_intercept_s, 1)    \
          X(itl_fit_slope_s, 1) X(usd_per_1m_out, 2)

typedef enum {
#define X(name, kind) VM_##name,
  VALIDATE_METRICS(X)
#undef X
      VM_COUNT
} validate_metric;

enum { VALIDATE_THROUGHPUT, VALIDATE_LATENCY, VALIDATE_COST, VALIDATE_TAIL, VALIDATE_NKINDS };

typedef struct {
  char id[32], gpu[48], model[48], weights[32], kv[32], engine[32], mode[16], metric[32], group[32], trust[16];
  char set[256]; /* optional: the source's own engine settings, "key=value;key=value" (scenario keys) */
  uint32_t gpus, tp;
  double load, input_len, output_len, value;
  double input_sigma, output_sigma; /* optional: lognormal spread of dataset lengths around the means; 0 = fixed */
  double requests;                  /* optional: requests the source sent (poisson: the horizon); 0 = default */
  unsigned line;                    /* in the CSV file */
} validate_case;

/* What a mode handler gets: the case, its bound hwdb entries and an initialised step-time model. */
typedef struct {
  const validate_case *c;
  const hwdb_bound *b;
  const perf_ctx *perf;
  const hwdb *db;
  char *note; /* where a handler says what it assumed beyond the profile */
  size_t note_len;
} validate_env;

/* Fills pred[VM_*] (NAN where the mode does not predict a metric). Returns false and writes a reason
 * when the row cannot be represented. */
typedef bool (*validate_mode_fn)(const validate_env *env, double pred[VM_COUNT], char *reason, size_t len);

typedef struct {
  bool analytic; /* offline and closed rows: steady-state continuous-batching approximation (perf_steady_tok_s) */
  int threads;   /* rows predicted in parallel (0: OpenMP's default) */
  validate_mode_fn
      sim; /* offline, closed and poisson rows through the event simulator; NULL = skip them (or --analytic) */
} validate_opts;

typedef struct {
  validate_case c;
  double predicted, error_pct; /* (predicted - measured) / measured x 100 */
  bool skipped;
  bool approximate; /* predicted by the analytic approximation, not the simulator */
  char reason[256];
  char note[160];   /* a predicted row: what the prediction assumed beyond the profile, "" if nothing */
  char profile[32]; /* the engine profile the case's engine name resolved to ("" if none) */
  bool banded;      /* hwdb has a model-error row for the metric's class (not for cost rows) */
  modelerr_band band;
  bool inside; /* measured lies in [band.lo, band.hi] x predicted */
} validate_row;

typedef struct {
  validate_row *rows;
  size_t n;
} validate_report;

typedef struct {
  size_t n;
  double median_abs_pct, p90_abs_pct;
} validate_stat;

/* The longest input or output a case may state, tokens (the scenario keys' bound); rows beyond their
 * model's context are skipped with the reason. */
#define VALIDATE_MAX_LEN 1e7
/* Reads a case CSV (RFC 4180; the header names the columns, each once; group, trust and the sigmas
 * optional; every row has the header's field count and every value its column's bounds). */
ss_status validate_load(const char *path, validate_case **cases, size_t *n, ss_err *err);
/* The same from len bytes of text; name stands for the file in messages. */
ss_status validate_parse(const char *name, const char *text, size_t len, validate_case **cases, size_t *n,
                         ss_err *err);
ss_status validate_run(const hwdb *db, const validate_case *cases, size_t n, const validate_opts *o, validate_report *r,
                       ss_err *err);
void validate_free(validate_report *r);

/* Rows with a band, and how many of them hold the measured value inside it (kind < 0: all kinds). */
void validate_coverage(const validate_report *r, int kind, size_t *banded, size_t *inside);
/* |error| statistics over predicted rows whose group/metric/mode match (NULL = any) and, when
 * kind >= 0, whose metric is of that kind. */
validate_stat validate_summary(const validate_report *r, const char *group, const char *metric, const char *mode,
                               int kind);
int validate_metric_kind(const char *metric);
/* "throughput", "latency", "cost", "tail latency". */
const char *validate_kind_name(int kind);
/* The scenario point of case c as far as every mode shares it: hwdb names, tp, replicas = gpus / tp,
 * the mode's arrival process, the case's `set` overrides, resolved (engine defaults filled). */
ss_status validate_case_point(const validate_case *c, const hwdb *db, sc_point *pt, ss_err *err);
/* The arrival process (sim_arrival) of a mode the event simulator runs (offline, closed, poisson); -1 for
 * an analytic mode or an unknown one. */
int validate_mode_process(const char *mode);
/* Applies the case's `set` column (key=value;key=value) to pt, each key marked given. */
ss_status validate_case_set(const validate_case *c, sc_point *pt, ss_err *err);

#endif
