/* import_trace.h: public LLM-serving traces read into servesim's trace CSV (arrival_s,input_tokens,
 * output_tokens), the file a scenario's workload.arrival.file names. Formats: the Azure LLM inference
 * traces (CSV TIMESTAMP,ContextTokens,GeneratedTokens), BurstGPT (CSV Timestamp,Request tokens,
 * Response tokens, ...), Mooncake-style JSONL (timestamp in ms, input_length, output_length), vLLM
 * benchmark result JSON (input_lens, output_lens, errors, start_times when saved) and servesim's own.
 * Invariant: rows come out in time order (a stable sort by arrival), arrivals start at 0, every row has
 * at least one input and one output token; rows dropped (failed requests) are counted, never silent;
 * a missing column or a bad value is an error naming the file, line, column and value. */
#ifndef SERVESIM_IMPORT_TRACE_H
#define SERVESIM_IMPORT_TRACE_H
#include <stddef.h>

#include "base/err.h"
#include "sim/simconfig.h"

typedef struct {
  const char *format; /* NULL: detected from the file (see import_trace_detect) */
  double time_scale;  /* arrival times are multiplied by this; 0: 1 */
  double start_s;     /* keep arrivals from start_s (seconds after the first, before scaling) ... */
  double duration_s;  /* ... for duration_s seconds (0: to the end) */
  size_t limit;       /* at most this many requests (0: all) */
} import_trace_opts;

typedef struct {
  char format[16];
  size_t rows_read, rows_written, rows_skipped; /* skipped: no input or output tokens (failed requests) */
  double span_s;                                /* last arrival minus first, as written */
} import_trace_summary;

/* The names of the formats, i = 0, 1, ... (NULL past the last). */
const char *import_trace_format(size_t i);
/* Reads path in the given (or detected) format into *tr (arrivals from 0, scaled, windowed). */
ss_status import_trace_read(const char *path, const import_trace_opts *o, sim_trace *tr, import_trace_summary *sum,
                            ss_err *err);
/* import_trace_read, then writes the servesim trace CSV to out_csv atomically. */
ss_status import_trace(const char *path, const import_trace_opts *o, const char *out_csv, import_trace_summary *sum,
                       ss_err *err);
void import_trace_free(sim_trace *tr);

#endif
