/* main.c: the servesim command line. Each command is a short pipeline (parse, load, run, write)
 * over the library modules; this is the only file that exits. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "study/dist.h"
#include "study/estimate.h"
#include "io/h5out.h"
#include "hwdb/hwdb.h"
#include "io/merge.h"
#include "study/plan.h"
#include "io/planout.h"
#include "io/report.h"
#include "config/scenario.h"
#include "study/study.h"
#include "study/validate.h"
#include "study/valsim.h"
#include "base/version.h"

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

/* --seed and --replicates become overrides, so the scenario checks them and echoes them. */
static size_t run_overrides(const cli_args *a, const char **sets, char *seed, char *reps) {
  size_t n = 0;
  for (size_t i = 0; i < a->n_set; i++) sets[n++] = a->sets[i];
  if (a->seed_given) snprintf(seed, 64, "seed=%llu", (unsigned long long)a->seed), sets[n++] = seed;
  if (a->replicates) snprintf(reps, 64, "replicates=%ld", a->replicates), sets[n++] = reps;
  return n;
}

/* -o, else results/<scenario file stem>.h5 (results/ is created for this default only). */
static const char *output_path(const cli_args *a, char *buf, size_t len) {
  if (a->out) return a->out;
  const char *base = strrchr(a->inputs[0], '/');
  base = base ? base + 1 : a->inputs[0];
  mkdir("results", 0777);
  snprintf(buf, len, "results/%.*s.h5", (int)strcspn(base, "."), base);
  return buf;
}

/* The common start of run and plan: one input, --set/--seed/--replicates applied, output path chosen. */
static ss_status load_scenario(const cli_args *a, const hwdb *db, scenario *sc, char *path, size_t len,
                               const char **out, ss_err *err) {
  char seed[64], reps[64];
  const char *sets[CLI_MAX_SET + 2];
  ss_status rc;
  if ((rc = need_inputs(a, 1, 1, err))) return rc;
  if ((rc = scenario_load(a->inputs[0], sets, run_overrides(a, sets, seed, reps), db, sc, err))) return rc;
  *out = output_path(a, path, len);
  return SS_OK;
}

static void print_written(const study *st, const char *path) {
  if (st->shard_count > 1)
    printf("wrote part %u/%u (tasks %zu to %zu of %zu) to %s; join the parts with: servesim merge PART.h5... -o "
           "ALL.h5\n", st->shard_index, st->shard_count, st->task_lo, st->task_hi - 1, study_tasks(st), path);
  else study_print_summary(stdout, st), printf("\nwrote %s\n", path);
}

static ss_status cmd_run(const cli_args *a, const hwdb *db, ss_err *err) {
  scenario sc;
  study st;
  char path[4096];
  const char *out;
  ss_status rc;
  if ((rc = load_scenario(a, db, &sc, path, sizeof path, &out, err))) return rc;
  if ((rc = dist_agree(dist_rank() == 0 ? h5out_probe(out, err) : SS_OK, err))) return rc;
  study_opts o = {(int)a->threads, (unsigned)a->shard_index, (unsigned)a->shard_count,
                  !a->quiet && dist_rank() == 0 && isatty(STDERR_FILENO) ? stderr : NULL};
  if ((rc = study_run(&sc, db, &o, &st, err))) return rc;
  if (dist_rank() == 0 && !(rc = h5out_write(&st, out, a->argc, a->argv, err))) print_written(&st, out);
  study_free(&st);
  return rc;
}

static ss_status cmd_merge(const cli_args *a, const hwdb *db, ss_err *err) {
  study st;
  ss_status rc;
  (void)db;
  if ((rc = need_inputs(a, 1, CLI_MAX_INPUTS, err))) return rc;
  if (!a->out) return ss_errorf(err, SS_EUSAGE, "merge: -o ALL.h5 is required (servesim merge --help)");
  if ((rc = h5out_probe(a->out, err)) || (rc = merge_parts(a->inputs, a->n_inputs, &st, err))) return rc;
  if (!(rc = h5out_write(&st, a->out, a->argc, a->argv, err))) print_written(&st, a->out);
  study_free(&st);
  return rc;
}

static ss_status cmd_estimate(const cli_args *a, const hwdb *db, ss_err *err) {
  estimate_report r;
  estimate_opts o = {a->gpu, a->model, a->weights, a->kv, a->engine, (uint32_t)a->tp, (uint32_t)a->batch,
                     (uint32_t)a->gpus, (double)a->in_tokens, (double)a->out_tokens, a->price, a->tok_s};
  ss_status rc = estimate_run(db, &o, &r, err);
  if (!rc) (a->json ? estimate_print_json : estimate_print)(stdout, &r);
  if (!rc && !r.fits) /* the report above says what would fit; the exit status says it does not */
    rc = ss_errorf(err, SS_EDATA, "%s (%s) does not fit on %u x %s: see the memory lines above", r.b.model->id,
                   r.b.weights->id, r.o.tp, r.b.gpu->id);
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

static ss_status cmd_report(const cli_args *a, const hwdb *db, ss_err *err) {
  ss_status rc = need_inputs(a, 1, 1, err);
  (void)db;
  if (!rc && !(rc = report_write(a->inputs[0], a->out, err)) && a->out) printf("wrote %s\n", a->out);
  return rc;
}

static ss_status cmd_plan(const cli_args *a, const hwdb *db, ss_err *err) {
  scenario sc;
  plan pl;
  char path[4096];
  const char *out;
  ss_status rc;
  if ((rc = load_scenario(a, db, &sc, path, sizeof path, &out, err))) return rc;
  if ((rc = h5out_probe(out, err))) return rc;
  plan_opts o = {(int)a->threads, !a->quiet && isatty(STDERR_FILENO) ? stderr : NULL};
  double t0 = omp_get_wtime();
  if ((rc = plan_run(&sc, db, &o, &pl, err))) return rc;
  if (!a->quiet) /* bookkeeping: early stops make the count depend on the schedule, so not in the results */
    fprintf(stderr, "plan: %llu replicate simulations in %.1f s\n", (unsigned long long)pl.sim_runs,
            omp_get_wtime() - t0);
  if (!(rc = planout_write(&pl, out, a->argc, a->argv, err))) planout_print(stdout, &pl), printf("\nwrote %s\n", out);
  plan_free(&pl);
  return rc;
}

static const command_fn COMMANDS[CMD_COUNT] = {
    [CMD_RUN] = cmd_run,           [CMD_ESTIMATE] = cmd_estimate, [CMD_PLAN] = cmd_plan,
    [CMD_VALIDATE] = cmd_validate, [CMD_LIST] = cmd_list,          [CMD_MERGE] = cmd_merge,
    [CMD_REPORT] = cmd_report,
};

static int dispatch(int argc, char **argv) {
  cli_args args;
  ss_err err = {{0}};
  hwdb db;
  ss_status rc;
  if ((rc = cli_parse(argc, argv, &args, &err))) return cli_fail(rc, &err);
  if (args.version) return printf("servesim %s (git %s)\n", SERVESIM_VERSION, servesim_git_commit()), 0;
  if (args.help) return cli_usage(stdout, args.cmd), 0;
  if (args.help_scenario) return scenario_help(stdout), 0;
  if ((rc = hwdb_load(args.hwdb ? args.hwdb : hwdb_default_dir(), &db, &err))) return cli_fail(rc, &err);
  rc = COMMANDS[args.cmd](&args, &db, &err);
  hwdb_free(&db);
  if (rc && dist_rank() != 0) return (int)rc; /* rank 0 prints the agreed message */
  return rc ? cli_fail(rc, &err) : 0;
}

/* MPI (when built) brackets everything, so that every exit path finalizes. */
int main(int argc, char **argv) {
  ss_err err = {{0}};
  ss_status rc = dist_init(&argc, &argv, &err);
  int code = rc ? cli_fail(rc, &err) : dispatch(argc, argv);
  dist_finalize();
  return code;
}
