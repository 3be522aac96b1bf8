/* datafile.h: the data files a scenario names, read once when the scenario loads: a trace (CSV of
 * arrival_s,input_tokens,output_tokens) and empirical length histograms (CSV of tokens,weight).
 * Invariant: a loaded file has at least one row, every row passed its checks (times in order, counts
 * whole and >= 1, weights finite and >= 0 with a positive sum), and its SHA-256 is recorded. */
#ifndef SERVESIM_DATAFILE_H
#define SERVESIM_DATAFILE_H
#include "base/err.h"
#include "base/hash.h"
#include "sim/simconfig.h"

enum { DATAFILE_PATH_LEN = 256 };

typedef struct {
  char path[DATAFILE_PATH_LEN];
  char sha256[HASH_HEX_LEN];
  sim_trace trace; /* a trace file */
  sim_hist hist;   /* a histogram file */
} datafile;

ss_status datafile_load_trace(const char *path, datafile *f, ss_err *err);
ss_status datafile_load_hist(const char *path, datafile *f, ss_err *err);
/* The same from len bytes of text already in memory; name stands for the file (no hash is taken). */
ss_status datafile_parse_trace(const char *name, const void *text, size_t len, datafile *f, ss_err *err);
ss_status datafile_parse_hist(const char *name, const void *text, size_t len, datafile *f, ss_err *err);
void datafile_free(datafile *f);

#endif
