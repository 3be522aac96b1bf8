/* main.c: the servesim command line. Each command is a short pipeline (parse, load, run, write)
 * over the library; this is the only file that exits, and the only place that sets process-wide
 * state (GSL's error handler, HDF5's error printing, signal handlers that remove unfinished outputs). */
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/version.h"
#include "cli/cli.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "io/estimate_out.h"
#include "io/fleet_out.h"
#include "io/hwdb_out.h"
#include "io/merge.h"
#include "io/plan_out.h"
#include "io/planfile.h"
#include "io/report.h"
#include "io/study_out.h"
#include "io/studyfile.h"
#include "io/validate_out.h"
#include "study/dist.h"
#include "study/estimate.h"
#include "study/plan.h"
#include "study/planpolicy.h"
#include "study/study.h"
#include "study/validate.h"
#include "study/valsim.h"
#include "study/verify.h"

typedef ss_status (*command_fn)(const cli_args *a, const hwdb *db, ss_err *err);

static ss_status need_inputs(const cli_args *a, size_t lo, size_t hi, ss_err *err) {
  if (a->n_inputs < lo || a->n_inputs > hi)
    return ss_errorf(err, SS_EUSAGE, "%s: expected %zu%s input file%s, got %zu (servesim %s --help)",
                     cli_cmd_name(a->cmd), lo, hi > lo ? " or more" : "", lo == 1 && hi == 1 ? "" : "s", a->n_inputs,
                     cli_cmd_name(a->cmd));
  return SS_OK;
}

static ss_status cmd_list(const cli_args *a, const hwdb *db, ss_err *err) {
  ss_status rc = need_inputs(a, 1, 1, err);
  return rc ? rc : (a->json ? hwdb_out_json : hwdb_out_list)(stdout, db, a->inputs[0], err);
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

/* The files an output may not replace: the scenario and the data files it read. */
static size_t spec_inputs(const study_spec *spec, const char **in) {
  size_t n = 0;
  in[n++] = spec->file;
  if (spec->trace.path[0]) in[n++] = spec->trace.path;
  if (spec->input_hist.path[0]) in[n++] = spec->input_hist.path;
  if (spec->output_hist.path[0]) in[n++] = spec->output_hist.path;
  return n;
}

/* Fails early (before a long run) when the output cannot be created where asked. */
static ss_status probe_output(const char *path, const char *const *inputs, size_t n, ss_err *err) {
  fio_out o;
  ss_status rc = fio_out_begin(&o, path, "output", inputs, n, err);
  if (!rc) fio_out_abort(&o);
  return rc;
}

/* The common start of run and plan: one input, --set/--seed/--replicates applied, output checked. */
static ss_status load_scenario(const cli_args *a, const hwdb *db, study_spec *spec, char *path, size_t len,
                               const char **out, ss_err *err) {
  char seed[64], reps[64];
  const char *sets[CLI_MAX_SET + 2], *in[4];
  ss_status rc;
  if ((rc = need_inputs(a, 1, 1, err))) return rc;
  if ((rc = scenario_load(a->inputs[0], sets, run_overrides(a, sets, seed, reps), db, spec, err))) return rc;
  *out = output_path(a, path, len);
  for (size_t i = 0; dist_rank() == 0 && i < spec->n_notes; i++)
    fprintf(stderr, "servesim: note: %s\n", spec->notes[i]);
  if ((rc = dist_agree(dist_rank() == 0 ? probe_output(*out, in, spec_inputs(spec, in), err) : SS_OK, err)))
    scenario_free(spec);
  return rc;
}

static void print_written(const study *st, const char *path) {
  if (st->shard_count > 1)
    printf("wrote part %u/%u (tasks %zu to %zu of %zu) to %s; join the parts with: servesim merge PART.h5... -o "
           "ALL.h5\n",
           st->shard_index, st->shard_count, st->task_lo, st->task_hi - 1, study_tasks(st), path);
  else
    study_out_table(stdout, st), printf("\nwrote %s\n", path);
}

/* run --verify: the pinned verification study; exit 0 only when its checksum matches. */
static ss_status cmd_verify(const cli_args *a, const hwdb *db, ss_err *err) {
  verify_result v;
  ss_status rc = need_inputs(a, 0, 0, err);
  if (rc || (rc = verify_run(db, (int)a->threads, &v, err))) return rc;
  printf("verification study: %zu tasks, results sha256 %s\n  expected           %s (for hwdb %.12s)\n", v.tasks,
         v.sha256, verify_expected_sha256, verify_hwdb_sha256);
  if (!v.hwdb_matches)
    return ss_errorf(err, SS_EDATA,
                     "--verify: the checksum is pinned for the hwdb with content hash %.12s (tests/hwdb); "
                     "this hwdb (%s) hashes to %.12s: run with --hwdb tests/hwdb",
                     verify_hwdb_sha256, db->dir, db->sha256);
  if (!v.passed)
    return ss_errorf(err, SS_EINTERNAL,
                     "--verify: FAIL: the results differ from the pinned ones (RNG keying, sampling, "
                     "scheduling, the step-time model or the metrics changed); if the change is intended, update "
                     "verify_expected_sha256 in src/study/verify.c and say why");
  printf("PASS\n");
  return SS_OK;
}

static ss_status cmd_run(const cli_args *a, const hwdb *db, ss_err *err) {
  if (a->verify) return cmd_verify(a, db, err);
  study_spec *spec = malloc(sizeof *spec);
  study st;
  char path[4096];
  const char *out, *in[4];
  ss_status rc;
  if (!spec) return ss_errorf(err, SS_ENOMEM, "out of memory for the scenario");
  if ((rc = load_scenario(a, db, spec, path, sizeof path, &out, err))) return free(spec), rc;
  study_opts o = {(int)a->threads, (unsigned)a->shard_index, (unsigned)a->shard_count,
                  !a->quiet && dist_rank() == 0 && isatty(STDERR_FILENO) ? stderr : NULL};
  if (!(rc = study_run(spec, db, &o, &st, err))) {
    if (dist_rank() == 0 && !(rc = studyfile_write(&st, out, a->argc, a->argv, in, spec_inputs(spec, in), err)))
      print_written(&st, out);
    study_free(&st);
  }
  scenario_free(spec);
  free(spec);
  return rc;
}

static ss_status cmd_merge(const cli_args *a, const hwdb *db, ss_err *err) {
  study st;
  ss_status rc;
  (void)db;
  if ((rc = need_inputs(a, 1, CLI_MAX_INPUTS, err))) return rc;
  if (!a->out) return ss_errorf(err, SS_EUSAGE, "merge: -o ALL.h5 is required (servesim merge --help)");
  if ((rc = probe_output(a->out, a->inputs, a->n_inputs, err)) || (rc = merge_parts(a->inputs, a->n_inputs, &st, err)))
    return rc;
  if (!(rc = studyfile_write(&st, a->out, a->argc, a->argv, a->inputs, a->n_inputs, err))) print_written(&st, a->out);
  study_free(&st);
  return rc;
}

static ss_status cmd_estimate(const cli_args *a, const hwdb *db, ss_err *err) {
  estimate_report r;
  estimate_opts o = {a->gpu,
                     a->model,
                     a->weights,
                     a->kv,
                     a->engine,
                     (uint32_t)a->tp,
                     (uint32_t)a->batch,
                     (uint32_t)a->gpus,
                     (double)a->in_tokens,
                     (double)a->out_tokens,
                     a->price,
                     a->tok_s};
  ss_status rc = estimate_run(db, &o, &r, err);
  if (!rc) (a->json ? estimate_out_json : estimate_out_text)(stdout, &r);
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
  if (!(rc = validate_run(db, cases, n, &o, &r, err))) (a->json ? validate_out_json : validate_out_text)(stdout, &r);
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

/* plan.mode: policy: the study of every policy, ranked by daily cost among those meeting the SLO. */
static ss_status plan_policy(const cli_args *a, const hwdb *db, const study_spec *spec, const char *out, ss_err *err) {
  study st;
  policy_plan pp;
  const char *in[4];
  study_opts o = {(int)a->threads, 0, 0, !a->quiet && isatty(STDERR_FILENO) ? stderr : NULL};
  ss_status rc = study_run(spec, db, &o, &st, err);
  if (rc) return rc;
  if (!(rc = planpolicy_rank(&st, spec->base.plan.confidence, spec->base.plan.windows_met_frac, &pp, err))) {
    if (!(rc = studyfile_write(&st, out, a->argc, a->argv, in, spec_inputs(spec, in), err)))
      fleet_out_policy_table(stdout, &pp), printf("\nwrote %s\n", out);
    planpolicy_free(&pp);
  }
  study_free(&st);
  return rc;
}

static ss_status cmd_plan(const cli_args *a, const hwdb *db, ss_err *err) {
  study_spec *spec = malloc(sizeof *spec);
  plan pl;
  char path[4096];
  const char *out, *in[4];
  ss_status rc;
  if (!spec) return ss_errorf(err, SS_ENOMEM, "out of memory for the scenario");
  if ((rc = load_scenario(a, db, spec, path, sizeof path, &out, err))) return free(spec), rc;
  if (spec->base.plan.mode == PLAN_MODE_POLICY || spec->n_pools || spec->base.sim.fleet.as.policy != AS_NONE) {
    rc = spec->base.plan.mode == PLAN_MODE_POLICY
             ? plan_policy(a, db, spec, out, err)
             : ss_errorf(err, SS_EDATA,
                         "%s: plan.mode: replicas searches the replica count of one static deployment, but this "
                         "scenario has %s; allowed: plan.mode: policy (sweep the fleet's keys), or servesim run",
                         spec->file, spec->n_pools ? "several deployments (deployments:)" : "an autoscaler");
    scenario_free(spec);
    free(spec);
    return rc;
  }
  plan_opts o = {(int)a->threads, !a->quiet && isatty(STDERR_FILENO) ? stderr : NULL};
  double t0 = omp_get_wtime();
  if (!(rc = plan_run(spec, db, &o, &pl, err))) {
    if (!a->quiet) /* bookkeeping: early stops make the count depend on the schedule, so not in the results */
      fprintf(stderr, "plan: %llu replicate simulations in %.1f s\n", (unsigned long long)pl.sim_runs,
              omp_get_wtime() - t0);
    if (!(rc = planfile_write(&pl, out, a->argc, a->argv, in, spec_inputs(spec, in), err)))
      plan_out_table(stdout, &pl), printf("\nwrote %s\n", out);
    plan_free(&pl);
  }
  scenario_free(spec);
  free(spec);
  return rc;
}

static const struct {
  command_fn fn;
  bool needs_hwdb;
} COMMANDS[CMD_COUNT] = {
    [CMD_RUN] = {cmd_run, true},           [CMD_ESTIMATE] = {cmd_estimate, true}, [CMD_PLAN] = {cmd_plan, true},
    [CMD_VALIDATE] = {cmd_validate, true}, [CMD_LIST] = {cmd_list, true},         [CMD_MERGE] = {cmd_merge, false},
    [CMD_REPORT] = {cmd_report, false},
};

/* SIGINT/SIGTERM: remove unfinished outputs, then die of the signal as usual. */
static void on_signal(int sig) {
  fio_out_unlink_pending();
  signal(sig, SIG_DFL);
  raise(sig);
}

static int dispatch(int argc, char **argv) {
  cli_args args;
  ss_err err = {{0}};
  hwdb db = {0};
  char dir[4096];
  ss_status rc;
  if ((rc = cli_parse(argc, argv, &args, &err))) return cli_fail(rc, &err);
  if (args.version) return printf("servesim %s (git %s)\n", SERVESIM_VERSION, servesim_git_commit()), 0;
  if (args.help) return cli_usage(stdout, args.cmd), 0;
  if (args.help_scenario) return scenario_help(stdout), 0;
  bool load = COMMANDS[args.cmd].needs_hwdb;
  if (load && (rc = hwdb_load(args.hwdb ? args.hwdb : hwdb_default_dir(dir, sizeof dir), &db, &err)))
    return cli_fail(rc, &err);
  rc = COMMANDS[args.cmd].fn(&args, &db, &err);
  if (load) hwdb_free(&db);
  if (rc && dist_rank() != 0) return (int)rc; /* rank 0 prints the agreed message */
  return rc ? cli_fail(rc, &err) : 0;
}

/* MPI (when built) brackets everything, so that every exit path finalizes. */
int main(int argc, char **argv) {
  ss_err err = {{0}};
  gsl_set_error_handler_off();           /* library code reports through statuses, never aborts */
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* HDF5 failures become servesim messages, not stack dumps */
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  ss_status rc = dist_init(&argc, &argv, &err);
  int code = rc ? cli_fail(rc, &err) : dispatch(argc, argv);
  dist_free();
  return code;
}
