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
  CMD_IMPORT_TRACE, /* ecosystem: src/cli/cmd_import.c */
  CMD_IMPORT_MODEL,
  CMD_MAN, /* generated documentation: src/cli/clidoc.c */
  CMD_COMPLETION,
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
  uint64_t shard_index, shard_count; /* --shard i/N, 1-based i; 0/0 = whole study */
  long max_tasks;                    /* --max-tasks N (limits.max_tasks); 0 = the scenario's */
  const char *precision[CLI_MAX_PRECISION]; /* --precision METRIC=REL (run) */
  size_t n_precision;
  long max_replicates; /* --max-replicates N: the cap of a sequential run; 0 = default */
  /* estimate */
  const char *gpu, *model, *weights, *kv, *engine;
  long tp, batch, in_tokens, out_tokens, gpus;
  double price; /* USD per GPU-hour, NAN = from hwdb */
  int argc;     /* the command line as given (provenance in HDF5) */
  char **argv;
  double tok_s;              /* estimate: cost at this throughput instead of the modelled one, NAN = modelled */
  double slo_ttft, slo_tpot; /* estimate: objectives, 0 = the scenario keys' defaults */
  bool analytic;             /* validate: offline and closed rows by the steady-state approximation */
  bool html;                 /* report: one self-contained HTML file instead of Markdown */
  /* import-trace */
  const char *format;
  double time_scale, start_s, duration_s;
  long limit;
  /* import-model */
  const char *id, *name, *source, *date;
  double params_b, active_params_b; /* active NAN: not given */
} cli_args;

/* An option as documentation sees it (man pages, completion): the rows of the parsing table. */
typedef struct {
  const char *name, *alt, *arg, *help;
  unsigned cmds; /* bit c: applies to command c */
} cli_opt_doc;

const char *cli_cmd_name(cli_cmd c);
ss_status cli_parse(int argc, char **argv, cli_args *a, ss_err *err);
void cli_usage(FILE *out, cli_cmd c);
/* The option table and the command table, for generated documentation. */
size_t cli_opt_count(void);
cli_opt_doc cli_opt_at(size_t i);
const char *cli_cmd_args(cli_cmd c);
const char *cli_cmd_summary(cli_cmd c);
/* SS_EUSAGE with the command's usage unless lo <= a->n_inputs <= hi. */
ss_status cli_need_inputs(const cli_args *a, size_t lo, size_t hi, ss_err *err);
/* Prints "servesim: <message>" and returns the status as the exit code. */
int cli_fail(ss_status rc, const ss_err *err);

#endif
