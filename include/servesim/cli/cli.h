/* cli.h: the command line: one option table (name, argument, commands it belongs to, help)
 * drives parsing, per-command usage text and the errors for misplaced options.
 * Invariant: cli_parse either fills every field it was given or returns SS_EUSAGE with a message. */
#ifndef SERVESIM_CLI_H
#define SERVESIM_CLI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

typedef enum {
  CMD_NONE,
  CMD_RUN,
  CMD_ESTIMATE,
  CMD_PLAN,
  CMD_VALIDATE,
  CMD_LIST,
  CMD_MERGE,
  CMD_REPORT,
  CMD_COMPARE,
  CMD_COUNT
} cli_cmd;

enum { CLI_MAX_SET = 64, CLI_MAX_INPUTS = 1024, CLI_MAX_PRECISION = 4 };

typedef struct {
  cli_cmd cmd;
  bool help, version, help_scenario, quiet, json, verify;
  const char *inputs[CLI_MAX_INPUTS]; /* positional arguments after the command */
  size_t n_inputs;
  const char *out; /* -o */
  const char *sets[CLI_MAX_SET];
  size_t n_set;
  const char *hwdb;         /* --hwdb DIR */
  long replicates, threads; /* 0 = from the scenario / OpenMP default */
  uint64_t seed;
  bool seed_given;
  long shard_index, shard_count;            /* --shard i/N, 1-based i; 0/0 = whole study */
  const char *precision[CLI_MAX_PRECISION]; /* --precision METRIC=REL (run) */
  size_t n_precision;
  long max_replicates; /* --max-replicates N: the cap of a sequential run; 0 = default */
  /* estimate */
  const char *gpu, *model, *weights, *kv, *engine;
  long tp, batch, in_tokens, out_tokens, gpus;
  double price; /* USD per GPU-hour, NAN = from hwdb */
  int argc;     /* the command line as given (provenance in HDF5) */
  char **argv;
  double tok_s;  /* estimate: cost at this throughput instead of the modelled one, NAN = modelled */
  bool analytic; /* validate: offline and closed rows by the steady-state approximation */
} cli_args;

const char *cli_cmd_name(cli_cmd c);
ss_status cli_parse(int argc, char **argv, cli_args *a, ss_err *err);
void cli_usage(FILE *out, cli_cmd c);
/* Prints "servesim: <message>" and returns the status as the exit code. */
int cli_fail(ss_status rc, const ss_err *err);

#endif
