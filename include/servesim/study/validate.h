/* validate.h: predicts measured cases (DESIGN section 9: id,gpu,gpus,tp,model,weights,kv,engine,mode,
 * load,input_len,output_len,metric,value[,group,trust,input_sigma,output_sigma]) and scores the error, by group and by metric.
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
#include "hwdb/hwdb.h"
#include "physics/perf.h"

/* X(name, kind): kind 0 throughput (higher is better), 1 latency, 2 cost */
#define VALIDATE_METRICS(X)                                                                             \
  X(output_tok_s, 0)                                                                                    \
  X(output_tok_s_per_gpu, 0)                                                                            \
  X(decode_tok_s_b1, 0)                                                                                 \
  X(prefill_tok_s, 0) X(req_s, 0) X(ttft_s_mean, 1) X(ttft_s_p50, 1) X(ttft_s_p99, 1) X(tpot_s_mean, 1) \
      X(tpot_s_p50, 1) X(tpot_s_p99, 1) X(itl_s_mean, 1) X(e2e_s_mean, 1) X(usd_per_1m_out, 2)

typedef enum {
#define X(name, kind) VM_##name,
  VALIDATE_METRICS(X)
#undef X
      VM_COUNT
} validate_metric;

enum { VALIDATE_THROUGHPUT, VALIDATE_LATENCY, VALIDATE_COST };

typedef struct {
  char id[32], gpu[48], model[48], weights[32], kv[32], engine[32], mode[16], metric[32], group[32], trust[16];
  uint32_t gpus, tp;
  double load, input_len, output_len, value;
  double input_sigma, output_sigma; /* optional: lognormal spread of dataset lengths around the means; 0 = fixed */
  unsigned line;                    /* in the CSV file */
} validate_case;

/* What a mode handler gets: the case, its bound hwdb entries and an initialised step-time model. */
typedef struct {
  const validate_case *c;
  const hwdb_bound *b;
  const perf_ctx *perf;
  const hwdb *db;
} validate_env;

/* Fills pred[VM_*] (NAN where the mode does not predict a metric). Returns false and writes a reason
 * when the row cannot be represented. */
typedef bool (*validate_mode_fn)(const validate_env *env, double pred[VM_COUNT], char *reason, size_t len);

typedef struct {
  bool analytic; /* offline and closed rows: steady-state continuous-batching approximation (perf_steady_tok_s) */
  validate_mode_fn
      sim; /* offline, closed and poisson rows through the event simulator; NULL = skip them (or --analytic) */
} validate_opts;

typedef struct {
  validate_case c;
  double predicted, error_pct; /* (predicted - measured) / measured x 100 */
  bool skipped;
  bool approximate; /* predicted by the analytic approximation, not the simulator */
  char reason[256];
} validate_row;

typedef struct {
  validate_row *rows;
  size_t n;
} validate_report;

typedef struct {
  size_t n;
  double median_abs_pct, p90_abs_pct;
} validate_stat;

/* Reads a case CSV (header names the columns; group and trust optional). */
ss_status validate_load(const char *path, validate_case **cases, size_t *n, ss_err *err);
ss_status validate_run(const hwdb *db, const validate_case *cases, size_t n, const validate_opts *o, validate_report *r,
                       ss_err *err);
void validate_free(validate_report *r);

/* |error| statistics over predicted rows whose group/metric/mode match (NULL = any) and, when
 * kind >= 0, whose metric is of that kind. */
validate_stat validate_summary(const validate_report *r, const char *group, const char *metric, const char *mode,
                               int kind);
int validate_metric_kind(const char *metric);

#endif
