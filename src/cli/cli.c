/* cli.c: command-line parsing through one option table; usage text comes from the same table. */
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/keytab.h"

#define M(c)    (1u << (c))
#define ALL     (M(CMD_COUNT) - 2u)                                      /* every command (bit 0 is CMD_NONE) */
#define NO_HWDB (M(CMD_IMPORT_TRACE) | M(CMD_IMPORT_MODEL) | M(CMD_MAN)) /* commands that read no hwdb */
#define IMPORTS (M(CMD_IMPORT_TRACE) | M(CMD_IMPORT_MODEL))
#define STUDIES (M(CMD_RUN) | M(CMD_PLAN) | M(CMD_COMPARE)) /* commands that load and run scenarios */

typedef enum { OPT_FLAG, OPT_STR, OPT_LONG, OPT_F64, OPT_SET, OPT_SEED, OPT_SHARD, OPT_PRECISION } opt_kind;

typedef struct {
  const char *name, *alt, *arg; /* long name, short alias, argument placeholder */
  opt_kind kind;
  size_t off;
  unsigned cmds;
  double min, max;
  const char *help;
} cli_opt;

#define O(f) offsetof(cli_args, f)
static const cli_opt OPTS[] = {
    {"--help", "-h", NULL, OPT_FLAG, O(help), ALL, 0, 0, "show this help"},
    {"--hwdb", NULL, "DIR", OPT_STR, O(hwdb), ALL & ~NO_HWDB, 0, 0,
     "hwdb directory (default: $SERVESIM_HWDB or the source tree's)"},
    {"--output", "-o", "FILE", OPT_STR, O(out), STUDIES | M(CMD_MERGE) | M(CMD_REPORT) | IMPORTS, 0, 0,
     "output file (HDF5 for run/plan/compare/merge, Markdown or HTML for report, CSV or YAML for import-*)"},
    {"--set", NULL, "KEY=VALUE", OPT_SET, 0, STUDIES | M(CMD_ESTIMATE), 0, 0,
     "override a scenario key (repeatable; compare: in both scenarios)"},
    {"--replicates", NULL, "N", OPT_LONG, O(replicates), STUDIES, 1, 1e6, "replicates per sweep point"},
    {"--threads", NULL, "N", OPT_LONG, O(threads), STUDIES | M(CMD_VALIDATE), 1, 4096, "OpenMP threads"},
    {"--seed", NULL, "S", OPT_SEED, 0, STUDIES, 0, 0, "master seed (overrides the scenario's)"},
    {"--shard", NULL, "i/N", OPT_SHARD, 0, M(CMD_RUN), 0, 0,
     "run the i-th of N contiguous task slices (N at most the study's tasks)"},
    {"--max-tasks", NULL, "N", OPT_LONG, O(max_tasks), STUDIES, 1, 4294967295.0,
     "allow a study of up to N tasks (sweep points x replicates; default 100000: limits.max_tasks)"},
    {"--precision", NULL, "METRIC=REL", OPT_PRECISION, 0, M(CMD_RUN), 0, 0,
     "add batches of replicates until the 95% CI of METRIC's mean is within +-REL of it at every point "
     "(repeatable; e.g. ttft_p99_s=0.05)"},
    {"--max-replicates", NULL, "N", OPT_LONG, O(max_replicates), M(CMD_RUN), 2, 1e6,
     "cap of a --precision run (default 1000)"},
    {"--quiet", "-q", NULL, OPT_FLAG, O(quiet), STUDIES | M(CMD_VALIDATE), 0, 0, "no progress bar"},
    {"--json", NULL, NULL, OPT_FLAG, O(json), M(CMD_ESTIMATE) | M(CMD_VALIDATE) | M(CMD_LIST), 0, 0,
     "machine-readable output (JSON)"},
    {"--help-scenario", NULL, NULL, OPT_FLAG, O(help_scenario), STUDIES, 0, 0,
     "list every scenario key with its type, default and bounds"},
    {"--verify", NULL, NULL, OPT_FLAG, O(verify), M(CMD_RUN), 0, 0,
     "run the built-in verification study and compare its checksum with the pinned one (use --hwdb tests/hwdb)"},
    {"--gpu", NULL, "G", OPT_STR, O(gpu), M(CMD_ESTIMATE), 0, 0, "GPU id or alias (required without a scenario file)"},
    {"--model", NULL, "M", OPT_STR, O(model), M(CMD_ESTIMATE), 0, 0,
     "model id or alias (required without a scenario file)"},
    {"--weights", NULL, "Q", OPT_STR, O(weights), M(CMD_ESTIMATE), 0, 0, "weight format (default fp16)"},
    {"--kv", NULL, "Q", OPT_STR, O(kv), M(CMD_ESTIMATE), 0, 0, "KV-cache format (default fp16)"},
    {"--engine", NULL, "E", OPT_STR, O(engine), M(CMD_ESTIMATE), 0, 0, "engine profile (default vllm)"},
    {"--tp", NULL, "N", OPT_LONG, O(tp), M(CMD_ESTIMATE), 1, 64, "tensor-parallel degree (default 1)"},
    {"--batch", NULL, "B", OPT_LONG, O(batch), M(CMD_ESTIMATE), 1, 1e5,
     "batch cap: most sequences running at once, as max_num_seqs (default: the engine's)"},
    {"--in", NULL, "N", OPT_LONG, O(in_tokens), M(CMD_ESTIMATE), 1, 1e7, "input tokens (default 512)"},
    {"--out", NULL, "N", OPT_LONG, O(out_tokens), M(CMD_ESTIMATE), 1, 1e7, "output tokens (default 256)"},
    {"--price", NULL, "USD", OPT_F64, O(price), M(CMD_ESTIMATE), 0, 1e5, "USD per GPU-hour (default: hwdb on-demand)"},
    {"--gpus", NULL, "N", OPT_LONG, O(gpus), M(CMD_ESTIMATE), 1, 1e5, "GPUs billed (default: tp)"},
    {"--tok-s", NULL, "N", OPT_F64, O(tok_s), M(CMD_ESTIMATE), 1e-6, 1e9,
     "cost at this output tok/s (utilisation 1) instead of the modelled capacity (check a rule of thumb)"},
    {"--slo-ttft", NULL, "S", OPT_F64, O(slo_ttft), M(CMD_ESTIMATE), 1e-6, 1e6,
     "objective on time to first token, s (default: slo.ttft_p99_s's)"},
    {"--slo-tpot", NULL, "S", OPT_F64, O(slo_tpot), M(CMD_ESTIMATE), 1e-6, 1e6,
     "objective on time per output token, s (default: slo.tpot_p99_s's)"},
    {"--analytic", NULL, NULL, OPT_FLAG, O(analytic), M(CMD_VALIDATE), 0, 0,
     "predict offline and closed rows by the steady-state continuous-batching approximation (not the simulator)"},
    /* report --html, import-trace, import-model */
    {"--html", NULL, NULL, OPT_FLAG, O(html), M(CMD_REPORT), 0, 0,
     "one self-contained HTML file (inline SVG plots, sortable tables) instead of Markdown"},
    {"--format", NULL, "F", OPT_STR, O(format), M(CMD_IMPORT_TRACE), 0, 0,
     "azure, burstgpt, mooncake, vllm or servesim (default: from the file name and header)"},
    {"--time-scale", NULL, "X", OPT_F64, O(time_scale), M(CMD_IMPORT_TRACE), 1e-6, 1e6,
     "multiply arrival times by X (0.5: twice the rate; default 1)"},
    {"--start", NULL, "S", OPT_F64, O(start_s), M(CMD_IMPORT_TRACE), 0, 1e12,
     "keep requests from S seconds after the first (default 0)"},
    {"--duration", NULL, "S", OPT_F64, O(duration_s), M(CMD_IMPORT_TRACE), 1e-6, 1e12,
     "keep S seconds of requests (default: to the end)"},
    {"--limit", NULL, "N", OPT_LONG, O(limit), M(CMD_IMPORT_TRACE), 1, 1e12, "keep at most N requests"},
    {"--id", NULL, "ID", OPT_STR, O(id), M(CMD_IMPORT_MODEL), 0, 0, "hwdb id of the model (required)"},
    {"--name", NULL, "NAME", OPT_STR, O(name), M(CMD_IMPORT_MODEL), 0, 0, "display name (default: the id)"},
    {"--source", NULL, "TEXT", OPT_STR, O(source), M(CMD_IMPORT_MODEL), 0, 0,
     "where config.json came from, e.g. 'HF config.json of org/model @rev' (required)"},
    {"--date", NULL, "YYYY-MM-DD", OPT_STR, O(date), M(CMD_IMPORT_MODEL), 0, 0, "date of the source (required)"},
    {"--params-b", NULL, "B", OPT_F64, O(params_b), M(CMD_IMPORT_MODEL), 1e-3, 1e5,
     "published total parameters in billions, checked against the derived count (required)"},
    {"--active-params-b", NULL, "B", OPT_F64, O(active_params_b), M(CMD_IMPORT_MODEL), 1e-3, 1e5,
     "published active parameters per token in billions (required for MoE)"},
};
#define NOPTS (sizeof OPTS / sizeof OPTS[0])

static const struct {
  const char *name, *args, *summary;
} CMDS[CMD_COUNT] = {
    [CMD_RUN] = {"run", "SCENARIO.yaml", "simulate a scenario: sweep points x replicates"},
    [CMD_ESTIMATE] = {"estimate", "--gpu G --model M | SCENARIO.yaml",
                      "back-of-envelope memory fit, speed, capacity at the SLO and cost"},
    [CMD_PLAN] = {"plan", "SCENARIO.yaml", "cheapest deployment meeting the SLO at the demand"},
    [CMD_VALIDATE] = {"validate", "CASES.csv [MORE.csv ...]", "predict measured cases and score the error"},
    [CMD_LIST] = {"list", "gpus|models|quant|engines|prices", "print an hwdb table"},
    [CMD_MERGE] = {"merge", "PART.h5... -o ALL.h5", "join the shards of a study"},
    [CMD_REPORT] = {"report", "OUT.h5 [-o report.md] [--html]", "Markdown or HTML report of a study or a comparison"},
    [CMD_IMPORT_TRACE] = {"import-trace", "TRACE -o trace.csv", "public LLM trace to servesim's trace CSV"},
    [CMD_IMPORT_MODEL] = {"import-model", "config.json -o model.yaml", "Hugging Face config to an hwdb model"},
    [CMD_MAN] = {"man", "[COMMAND]", "print a manual page (roff, for man -l -)"},
    [CMD_COMPLETION] = {"completion", "bash|zsh", "print a shell completion script"},
    [CMD_COMPARE] = {"compare", "A.yaml B.yaml", "B - A on common random numbers, with paired 95% CIs"},
};

const char *cli_cmd_name(cli_cmd c) { return c > CMD_NONE && c < CMD_COUNT ? CMDS[c].name : "servesim"; }

void cli_usage(FILE *out, cli_cmd c) {
  if (c == CMD_NONE) {
    fprintf(out,
            "servesim %s: discrete-event simulator of LLM inference serving\n\nusage: servesim COMMAND [options]\n\n"
            "commands:\n",
            SERVESIM_VERSION);
    for (int i = 1; i < CMD_COUNT; i++) fprintf(out, "  %-12s %-36s %s\n", CMDS[i].name, CMDS[i].args, CMDS[i].summary);
    fprintf(out, "\n  servesim COMMAND --help   options of one command\n  servesim --version\n\n"
                 "Exit codes (sysexits): 0 ok, 64 usage, 65 bad data, 66 missing input, 70 internal error,\n"
                 "73 cannot create output, 74 I/O error.\n");
    return;
  }
  fprintf(out, "usage: servesim %s %s [options]\n%s\n\noptions:\n", CMDS[c].name, CMDS[c].args, CMDS[c].summary);
  for (size_t i = 0; i < NOPTS; i++) {
    if (!(OPTS[i].cmds & M(c))) continue;
    char head[64];
    snprintf(head, sizeof head, "%s%s%s%s%s", OPTS[i].alt ? OPTS[i].alt : "", OPTS[i].alt ? ", " : "", OPTS[i].name,
             OPTS[i].arg ? " " : "", OPTS[i].arg ? OPTS[i].arg : "");
    fprintf(out, "  %-26s %s\n", head, OPTS[i].help);
  }
}

static ss_status parse_long(const cli_opt *o, const char *v, long *out, ss_err *err) {
  double d;
  if (kt_parse_f64(v, &d) || d != floor(d) || d < o->min || d > o->max)
    return ss_errorf(err, SS_EUSAGE, "%s '%s': expected a whole number from %.0f to %.0f", o->name, v, o->min, o->max);
  *out = (long)d;
  return SS_OK;
}

static ss_status apply(const cli_opt *o, const char *v, cli_args *a, ss_err *err) {
  char *base = (char *)a;
  double d;
  switch (o->kind) {
  case OPT_FLAG: *(bool *)(base + o->off) = true; return SS_OK;
  case OPT_STR: *(const char **)(base + o->off) = v; return SS_OK;
  case OPT_LONG: return parse_long(o, v, (long *)(base + o->off), err);
  case OPT_F64:
    if (kt_parse_f64(v, &d) || d < o->min || d > o->max)
      return ss_errorf(err, SS_EUSAGE, "%s '%s': expected a number from %g to %g", o->name, v, o->min, o->max);
    *(double *)(base + o->off) = d;
    return SS_OK;
  case OPT_SET:
    if (a->n_set == CLI_MAX_SET) return ss_errorf(err, SS_EUSAGE, "--set: at most %d overrides", CLI_MAX_SET);
    a->sets[a->n_set++] = v;
    return SS_OK;
  case OPT_PRECISION:
    if (a->n_precision == CLI_MAX_PRECISION)
      return ss_errorf(err, SS_EUSAGE, "--precision: at most %d targets", CLI_MAX_PRECISION);
    a->precision[a->n_precision++] = v;
    return SS_OK;
  case OPT_SEED: {
    char *end;
    errno = 0;
    if (*v) a->seed = strtoull(v, &end, 10);
    if (!*v || strspn(v, "0123456789") != strlen(v) || errno == ERANGE)
      return ss_errorf(err, SS_EUSAGE, "--seed '%s': expected a whole number from 0 to 18446744073709551615 (2^64-1)",
                       v);
    a->seed_given = true;
    return SS_OK;
  }
  case OPT_SHARD: { /* digits only, each part in 64 bits: a count is never truncated or wrapped */
    uint64_t part[2] = {0, 0};
    const char *p = v;
    bool ok = true;
    for (int k = 0; k < 2 && ok; k++) {
      char *end;
      errno = 0;
      ok = *p >= '0' && *p <= '9';
      if (ok) part[k] = strtoull(p, &end, 10);
      ok = ok && errno != ERANGE && *end == (k ? '\0' : '/');
      if (ok) p = end + 1;
    }
    if (!ok || part[1] < 1 || part[0] < 1 || part[0] > part[1])
      return ss_errorf(err, SS_EUSAGE,
                       "--shard '%s': expected i/N, whole numbers with 1 <= i <= N < 2^64, e.g. --shard 2/8", v);
    a->shard_index = part[0], a->shard_count = part[1];
    return SS_OK;
  }
  }
  return SS_EINTERNAL;
}

ss_status cli_parse(int argc, char **argv, cli_args *a, ss_err *err) {
  memset(a, 0, sizeof *a);
  a->price = NAN;
  a->argc = argc, a->argv = argv;
  a->tok_s = NAN;
  a->active_params_b = NAN;
  int i = 1;
  if (argc < 2) return ss_errorf(err, SS_EUSAGE, "no command given; try servesim --help");
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) return a->help = true, SS_OK;
  if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) return a->version = true, SS_OK;
  for (int c = 1; c < CMD_COUNT && !a->cmd; c++)
    if (!strcmp(argv[1], CMDS[c].name)) a->cmd = (cli_cmd)c;
  if (!a->cmd) {
    const char *names[CMD_COUNT] = {NULL};
    char hint[64] = "", allowed[256] = "";
    for (int c = 1; c < CMD_COUNT; c++) {
      names[c] = CMDS[c].name;
      snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed), "%s%s", c > 1 ? ", " : "", CMDS[c].name);
    }
    const char *near = kt_closest_name(argv[1], names, CMD_COUNT);
    if (near) snprintf(hint, sizeof hint, " (did you mean %s?)", near);
    return ss_errorf(err, SS_EUSAGE, "unknown command '%s'%s; allowed: %s (servesim --help)", argv[1], hint, allowed);
  }
  for (i = 2; i < argc; i++) {
    const char *arg = argv[i], *val = NULL;
    if (arg[0] != '-' || !arg[1]) {
      if (a->n_inputs == CLI_MAX_INPUTS) return ss_errorf(err, SS_EUSAGE, "too many input files");
      a->inputs[a->n_inputs++] = arg;
      continue;
    }
    size_t len = strcspn(arg, "=");
    const cli_opt *o = NULL;
    for (size_t k = 0; k < NOPTS && !o; k++)
      if ((strlen(OPTS[k].name) == len && !strncmp(OPTS[k].name, arg, len)) ||
          (OPTS[k].alt && strlen(OPTS[k].alt) == len && !strncmp(OPTS[k].alt, arg, len)))
        o = &OPTS[k];
    if (!o) {
      const char *names[NOPTS];
      char word[64], hint[96] = "";
      for (size_t k = 0; k < NOPTS; k++) names[k] = OPTS[k].cmds & M(a->cmd) ? OPTS[k].name : NULL;
      snprintf(word, sizeof word, "%.*s", (int)len, arg);
      const char *near = kt_closest_name(word, names, NOPTS);
      if (near) snprintf(hint, sizeof hint, "; did you mean %s?", near);
      return ss_errorf(err, SS_EUSAGE, "%s: unknown option '%s'%s (servesim %s --help)", CMDS[a->cmd].name, word, hint,
                       CMDS[a->cmd].name);
    }
    if (!(o->cmds & M(a->cmd)))
      return ss_errorf(err, SS_EUSAGE, "%s: option %s does not apply to this command (servesim %s --help)",
                       CMDS[a->cmd].name, o->name, CMDS[a->cmd].name);
    if (o->kind != OPT_FLAG) {
      if (arg[len] == '=')
        val = arg + len + 1;
      else if (i + 1 < argc)
        val = argv[++i];
      else
        return ss_errorf(err, SS_EUSAGE, "%s needs a value (%s)", o->name, o->arg);
    } else if (arg[len] == '=') {
      return ss_errorf(err, SS_EUSAGE, "%s takes no value", o->name);
    }
    ss_status rc = apply(o, val, a, err);
    if (rc) return rc;
  }
  return SS_OK;
}

int cli_fail(ss_status rc, const ss_err *err) {
  fprintf(stderr, "servesim: %s\n", err && err->msg[0] ? err->msg : ss_status_text(rc));
  return (int)rc;
}

size_t cli_opt_count(void) { return NOPTS; }
cli_opt_doc cli_opt_at(size_t i) {
  return (cli_opt_doc){OPTS[i].name, OPTS[i].alt, OPTS[i].arg, OPTS[i].help, OPTS[i].cmds};
}
const char *cli_cmd_args(cli_cmd c) { return c > CMD_NONE && c < CMD_COUNT ? CMDS[c].args : "COMMAND [options]"; }
const char *cli_cmd_summary(cli_cmd c) {
  return c > CMD_NONE && c < CMD_COUNT ? CMDS[c].summary : "discrete-event simulator of LLM inference serving";
}

ss_status cli_need_inputs(const cli_args *a, size_t lo, size_t hi, ss_err *err) {
  if (a->n_inputs >= lo && a->n_inputs <= hi) return SS_OK;
  return ss_errorf(err, SS_EUSAGE, "%s: expected %zu%s input file%s, got %zu (servesim %s --help)",
                   cli_cmd_name(a->cmd), lo, hi > lo ? " or more" : "", lo == 1 && hi == 1 ? "" : "s", a->n_inputs,
                   cli_cmd_name(a->cmd));
}
