/* main.c: the servesim command line. Each command is a short pipeline (parse, load, run, write)
 * over the library modules; this is the only file that exits. */
#include <stdio.h>
#include <stdlib.h>

#include "servesim/cli.h"
#include "servesim/estimate.h"
#include "servesim/hwdb.h"
#include "servesim/scenario.h"
#include "servesim/validate.h"
#include "servesim/valsim.h"

typedef ss_status (*command_fn)(const cli_args *a, const hwdb *db, ss_err *err);

static ss_status need_inputs(const cli_args *a, size_t lo, size_t hi, ss_err *err) {
  if (a->n_inputs < lo || a->n_inputs > hi)
    return ss_errorf(err, SS_EUSAGE, "%s: expected %zu%s input file%s, got %zu (servesim %s --help)",
                     cli_cmd_name(a->cmd), lo, hi > lo ? " or more" : "", lo == 1 && hi == 1 ? "" : "s",
                     a->n_inputs, cli_cmd_name(a->cmd));
  return SS_OK;
}

static ss_status cmd_list(const cli_args *a, const hwdb *db, ss_err *err) {
  ss_status rc = need_inputs(a, 1, 1, err);
  return rc ? rc : hwdb_print_list(stdout, db, a->inputs[0], err);
}

static ss_status cmd_run(const cli_args *a, const hwdb *db, ss_err *err) {
  scenario sc;
  ss_status rc;
  if ((rc = need_inputs(a, 1, 1, err))) return rc;
  if ((rc = scenario_load(a->inputs[0], a->sets, a->n_set, db, &sc, err))) return rc;
  printf("# servesim %s: resolved scenario %s (%zu sweep point%s x %u replicate%s)\n", SERVESIM_VERSION, sc.file,
         scenario_points(&sc), scenario_points(&sc) == 1 ? "" : "s", sc.replicates, sc.replicates == 1 ? "" : "s");
  scenario_echo(stdout, &sc);
  printf("# not built yet: the event simulator, Monte Carlo study and HDF5 output; the scenario above\n"
         "# was loaded and validated against hwdb, nothing was simulated.\n");
  return SS_OK;
}

static ss_status cmd_estimate(const cli_args *a, const hwdb *db, ss_err *err) {
  estimate_report r;
  estimate_opts o = {a->gpu, a->model, a->weights, a->kv, a->engine, (uint32_t)a->tp, (uint32_t)a->batch,
                     (uint32_t)a->gpus, (double)a->in_tokens, (double)a->out_tokens, a->price, a->tok_s};
  ss_status rc = estimate_run(db, &o, &r, err);
  if (!rc) (a->json ? estimate_print_json : estimate_print)(stdout, &r);
  return rc;
}

static ss_status cmd_validate(const cli_args *a, const hwdb *db, ss_err *err) {
  validate_case *cases = NULL;
  validate_report r = {0};
  /* the event simulator by default; --analytic: the steady-state approximation instead */
  validate_opts o = {.analytic = a->analytic, .sim = a->analytic ? NULL : valsim_predict};
  size_t n;
  ss_status rc;
  if ((rc = need_inputs(a, 1, 1, err))) return rc;
  if ((rc = validate_load(a->inputs[0], &cases, &n, err))) return rc;
  if (!(rc = validate_run(db, cases, n, &o, &r, err))) (a->json ? validate_print_json : validate_print)(stdout, &r);
  validate_free(&r);
  free(cases);
  return rc;
}

static ss_status cmd_not_built(const cli_args *a, const hwdb *db, ss_err *err) {
  (void)db;
  return ss_errorf(err, SS_EINTERNAL, "'%s' is not built yet in this version (%s); see README.md, Status",
                   cli_cmd_name(a->cmd), SERVESIM_VERSION);
}

static const command_fn COMMANDS[CMD_COUNT] = {
    [CMD_RUN] = cmd_run,           [CMD_ESTIMATE] = cmd_estimate, [CMD_PLAN] = cmd_not_built,
    [CMD_VALIDATE] = cmd_validate, [CMD_LIST] = cmd_list,          [CMD_MERGE] = cmd_not_built,
    [CMD_REPORT] = cmd_not_built,
};

int main(int argc, char **argv) {
  cli_args args;
  ss_err err = {{0}};
  hwdb db;
  ss_status rc;
  if ((rc = cli_parse(argc, argv, &args, &err))) return cli_fail(rc, &err);
  if (args.version) return printf("servesim %s (git %s)\n", SERVESIM_VERSION, SERVESIM_GIT_COMMIT), 0;
  if (args.help) return cli_usage(stdout, args.cmd), 0;
  if (args.help_scenario) return scenario_help(stdout), 0;
  if ((rc = hwdb_load(args.hwdb ? args.hwdb : hwdb_default_dir(), &db, &err))) return cli_fail(rc, &err);
  rc = COMMANDS[args.cmd](&args, &db, &err);
  hwdb_free(&db);
  return rc ? cli_fail(rc, &err) : 0;
}
