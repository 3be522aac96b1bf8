/* main.c: the servesim command line. Each command is a short pipeline (parse, load, run, write)
 * over the library; this is the only file that exits, and the only place that sets process-wide
 * state (GSL's error handler, HDF5's error printing, signal handlers that remove unfinished outputs). */
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/servesim.h"
#include "base/fileio.h"
#include "base/version.h"
#include "cli/cli.h"
#include "cli/clidoc.h"
#include "cli/cmd_import.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"
#include "io/compare_out.h"
#include "io/comparefile.h"
#include "io/estimate_out.h"
#include "io/fleet_out.h"
#include "io/hwdb_out.h"
#include "io/merge.h"
#include "io/plan_out.h"
#include "io/planfile.h"
#include "io/report.h"
#include "io/report_html.h"
#include "io/study_out.h"
#include "io/studyfile.h"
#include "io/validate_out.h"
#include "study/compare.h"
#include "study/dist.h"
#include "study/estimate.h"
#include "study/plan.h"
#include "study/planpolicy.h"
#include "study/precision.h"
#include "study/study.h"
#include "study/validate.h"
#include "study/valsim.h"

typedef ss_status (*command_fn)(const cli_args *a, const hwdb *db, ss_err *err);

static ss_status need_inputs(const cli_args *a, size_t lo, size_t hi, ss_err *err) {
  return cli_need_inputs(a, lo, hi, err);
}

static ss_status cmd_list(const cli_args *a, const hwdb *db, ss_err *err) {
  ss_status rc = need_inputs(a, 1, 1, err);
  return rc ? rc : (a->json ? hwdb_out_json : hwdb_out_list)(stdout, db, a->inputs[0], err);
}

/* --seed, --replicates and --max-tasks become overrides, so the scenario checks them and echoes them. */
static size_t run_overrides(const cli_args *a, const char **sets, char (*buf)[64]) {
  size_t n = 0;
  for (size_t i = 0; i < a->n_set; i++) sets[n++] = a->sets[i];
  if (a->seed_given) snprintf(buf[0], 64, "seed=%llu", (unsigned long long)a->seed), sets[n++] = buf[0];
  if (a->replicates) snprintf(buf[1], 64, "replicates=%ld", a->replicates), sets[n++] = buf[1];
  if (a->max_tasks) snprintf(buf[2], 64, "limits.max_tasks=%ld", a->max_tasks), sets[n++] = buf[2];
  return n;
}

/* The file name of path up to its first dot: "scenarios/default.yaml" -> "default". */
static int stem(const char *path, const char **start) {
  const char *base = strrchr(path, '/');
  *start = base ? base + 1 : path;
  return (int)strcspn(*start, ".");
}

/* -o, else results/<scenario file stem>.h5 (compare: <A stem>_vs_<B stem>.h5; results/ is created
 * for this default only). */
static const char *output_path(const cli_args *a, char *buf, size_t len) {
  const char *s0, *s1;
  if (a->out) return a->out;
  int n0 = stem(a->inputs[0], &s0);
  mkdir("results", 0777);
  if (a->cmd == CMD_COMPARE) {
    int n1 = stem(a->inputs[1], &s1);
    snprintf(buf, len, "results/%.*s_vs_%.*s.h5", n0, s0, n1, s1);
  } else {
    snprintf(buf, len, "results/%.*s.h5", n0, s0);
  }
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
  char buf[3][64];
  const char *sets[CLI_MAX_SET + 3], *in[4];
  ss_status rc;
  if ((rc = need_inputs(a, 1, 1, err))) return rc;
  if ((rc = scenario_load(a->inputs[0], sets, run_overrides(a, sets, buf), db, spec, err))) return rc;
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

/* run goes through the stable C API (api/servesim.h), as an embedding program would. */
static ss_status api_fail(const servesim_error *e, ss_err *err) { return ss_errorf(err, e->status, "%s", e->message); }

/* run --verify: the pinned verification study; exit 0 only when its checksum matches. */
static ss_status cmd_verify(const cli_args *a, const servesim_hwdb *db, ss_err *err) {
  servesim_verify_result v;
  servesim_error e;
  ss_status rc = need_inputs(a, 0, 0, err);
  if (rc) return rc;
  if (servesim_verify(db, (int)a->threads, &v, &e)) return api_fail(&e, err);
  printf("verification study: %zu tasks, results sha256 %s\n  expected           %s (for hwdb %.12s)\n", v.tasks,
         v.sha256, v.expected_sha256, v.hwdb_sha256);
  if (!v.hwdb_matches)
    return ss_errorf(err, SS_EDATA,
                     "--verify: the checksum is pinned for the hwdb with content hash %.12s (tests/hwdb); "
                     "this hwdb (%s) hashes to %.12s: run with --hwdb tests/hwdb",
                     v.hwdb_sha256, servesim_hwdb_dir(db), servesim_hwdb_sha256(db));
  if (!v.passed)
    return ss_errorf(err, SS_EINTERNAL,
                     "--verify: FAIL: the results differ from the pinned ones (RNG keying, sampling, "
                     "scheduling, the step-time model or the metrics changed); if the change is intended, update "
                     "verify_expected_sha256 in src/study/verify.c and say why");
  printf("PASS\n");
  return SS_OK;
}

static void print_run(const servesim_study *st, const char *path) {
  unsigned i, n;
  size_t lo, hi, tasks;
  if (servesim_study_part(st, &i, &n, &lo, &hi, &tasks))
    printf("wrote part %u/%u (tasks %zu to %zu of %zu) to %s; join the parts with: servesim merge PART.h5... -o "
           "ALL.h5\n",
           i, n, lo, hi - 1, tasks, path);
  else
    servesim_study_print(st, stdout), printf("\nwrote %s\n", path);
}

static ss_status run_study(const cli_args *a, const servesim_hwdb *db, ss_err *err) {
  char buf[3][64], path[4096];
  const char *sets[CLI_MAX_SET + 3], *out;
  servesim_scenario *sc = NULL;
  servesim_study *st = NULL;
  servesim_error e;
  ss_status rc = need_inputs(a, 1, 1, err);
  if (rc) return rc;
  if (servesim_scenario_load(db, a->inputs[0], sets, run_overrides(a, sets, buf), &sc, &e)) return api_fail(&e, err);
  const char *notes = servesim_scenario_notes(sc);
  for (const char *p = notes; servesim_mpi_rank() == 0 && *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0))
    fprintf(stderr, "servesim: note: %.*s\n", (int)strcspn(p, "\n"), p);
  out = output_path(a, path, sizeof path);
  servesim_run_options o = SERVESIM_RUN_OPTIONS_INIT;
  o.threads = (int)a->threads, o.shard_index = a->shard_index, o.shard_count = a->shard_count;
  o.progress = !a->quiet && servesim_mpi_rank() == 0 && isatty(STDERR_FILENO);
  o.precision = a->precision, o.n_precision = a->n_precision, o.max_replicates = (size_t)a->max_replicates;
  if (servesim_scenario_check_output(sc, out, &e) || servesim_study_run(sc, &o, &st, &e) ||
      servesim_study_write(st, out, a->argc, a->argv, &e))
    rc = api_fail(&e, err);
  else if (servesim_mpi_rank() == 0)
    print_run(st, out);
  servesim_study_free(st);
  servesim_scenario_free(sc);
  return rc;
}

static ss_status cmd_run(const cli_args *a, const hwdb *unused, ss_err *err) {
  servesim_hwdb *db;
  servesim_error e;
  (void)unused;
  if (servesim_hwdb_load(a->hwdb, &db, &e)) return api_fail(&e, err);
  ss_status rc = a->verify ? cmd_verify(a, db, err) : run_study(a, db, err);
  servesim_hwdb_free(db);
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

/* estimate SCENARIO.yaml: the flags that describe a configuration belong to the scenario, so a flag
 * given with one is refused with the key that sets it (never ignored). */
static ss_status estimate_flags_with_scenario(const cli_args *a, ss_err *err) {
  const struct {
    bool given;
    const char *flag, *key;
  } FLAGS[] = {
      {a->gpu != NULL, "--gpu", "deployment.gpu"},
      {a->model != NULL, "--model", "deployment.model"},
      {a->weights != NULL, "--weights", "deployment.weights"},
      {a->kv != NULL, "--kv", "deployment.kv_cache"},
      {a->engine != NULL, "--engine", "deployment.engine"},
      {a->tp != 0, "--tp", "deployment.tp"},
      {a->gpus != 0, "--gpus", "deployment.replicas"},
      {a->batch != 0, "--batch", "deployment.scheduler.max_num_seqs"},
      {a->in_tokens != 0, "--in", "workload.input_tokens"},
      {a->out_tokens != 0, "--out", "workload.output_tokens"},
      {!isnan(a->price), "--price", "pricing.usd_per_gpu_hour"},
      {a->slo_ttft != 0, "--slo-ttft", "slo.ttft_p99_s"},
      {a->slo_tpot != 0, "--slo-tpot", "slo.tpot_p99_s"},
  };
  for (size_t i = 0; i < sizeof FLAGS / sizeof FLAGS[0]; i++)
    if (FLAGS[i].given)
      return ss_errorf(err, SS_EUSAGE,
                       "estimate: %s does not apply with a scenario file (the scenario sets %s); use --set %s=VALUE",
                       FLAGS[i].flag, FLAGS[i].key, FLAGS[i].key);
  return SS_OK;
}

static ss_status cmd_estimate(const cli_args *a, const hwdb *db, ss_err *err) {
  estimate_report r;
  ss_status rc = a->n_inputs > 1
                     ? ss_errorf(err, SS_EUSAGE, "estimate: expected at most one scenario file, got %zu", a->n_inputs)
                     : SS_OK;
  if (!rc && a->n_inputs) {
    study_spec *spec = malloc(sizeof *spec);
    if (!spec) return ss_errorf(err, SS_ENOMEM, "out of memory for the scenario");
    if (!(rc = estimate_flags_with_scenario(a, err)) &&
        !(rc = scenario_load(a->inputs[0], a->sets, a->n_set, db, spec, err))) {
      for (size_t i = 0; i < spec->n_notes; i++) fprintf(stderr, "servesim: note: %s\n", spec->notes[i]);
      rc = estimate_scenario(db, spec, a->tok_s, &r, err);
      scenario_free(spec);
    }
    free(spec);
  } else if (!rc && a->n_set) {
    rc = ss_errorf(err, SS_EUSAGE,
                   "estimate: --set overrides a scenario key and needs a scenario file "
                   "(servesim estimate SCENARIO.yaml --set KEY=VALUE)");
  } else if (!rc) {
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
                       a->tok_s,
                       a->slo_ttft,
                       a->slo_tpot};
    rc = estimate_run(db, &o, &r, err);
  }
  if (!rc) (a->json ? estimate_out_json : estimate_out_text)(stdout, &r);
  if (!rc && !r.fits) /* the report above says what would fit; the exit status says it does not */
    rc = ss_errorf(err, SS_EDATA, "%s (%s)%s does not fit on %u x %s: see the memory lines above", r.b.model->id,
                   r.b.weights->id, r.po.kv_tokens ? " with deployment.scheduler.kv_cache_tokens" : "", r.o.tp,
                   r.b.gpu->id);
  return rc;
}

static ss_status cmd_validate(const cli_args *a, const hwdb *db, ss_err *err) {
  validate_case *cases = NULL;
  validate_report r = {0};
  /* the event simulator by default; --analytic: the steady-state approximation instead */
  validate_opts o = {.analytic = a->analytic, .threads = (int)a->threads, .sim = a->analytic ? NULL : valsim_predict};
  size_t n = 0;
  ss_status rc;
  if ((rc = need_inputs(a, 1, CLI_MAX_INPUTS, err))) return rc;
  for (size_t i = 0; i < a->n_inputs && !rc; i++) { /* several case files: one report over all their rows */
    validate_case *more;
    size_t m;
    if ((rc = validate_load(a->inputs[i], &more, &m, err))) break;
    validate_case *all = realloc(cases, (n + m ? n + m : 1) * sizeof *all);
    if (!all) {
      free(more);
      rc = ss_errorf(err, SS_ENOMEM, "out of memory for the cases");
      break;
    }
    memcpy(all + n, more, m * sizeof *more);
    cases = all, n += m;
    free(more);
  }
  if (!rc && !(rc = validate_run(db, cases, n, &o, &r, err)))
    (a->json ? validate_out_json : validate_out_text)(stdout, &r);
  size_t predicted = 0;
  for (size_t i = 0; !rc && i < r.n; i++) predicted += !r.rows[i].skipped;
  if (!rc && !predicted) /* nothing was scored: not a pass */
    rc = ss_errorf(err, SS_EDATA, "%s: 0 of %zu rows predicted (every row skipped: reasons above)",
                   a->n_inputs == 1 ? a->inputs[0] : "validate", n);
  validate_free(&r);
  free(cases);
  return rc;
}

static ss_status cmd_report(const cli_args *a, const hwdb *db, ss_err *err) {
  ss_status rc = need_inputs(a, 1, 1, err);
  (void)db;
  if (!rc && !(rc = (a->html ? report_html_write : report_write)(a->inputs[0], a->out, err)) && a->out)
    printf("wrote %s\n", a->out);
  return rc;
}

/* plan.mode: policy: the study of every policy, ranked by daily cost among those meeting the SLO. */
static ss_status plan_policy(const cli_args *a, const hwdb *db, const study_spec *spec, const char *out, ss_err *err) {
  study st;
  policy_plan pp;
  const char *in[4];
  study_opts o = {.threads = (int)a->threads, .progress = !a->quiet && isatty(STDERR_FILENO) ? stderr : NULL};
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
      plan_out_table(stdout, &pl), plan_out_decision(stdout, &pl), printf("\nwrote %s\n", out);
    plan_free(&pl);
  }
  scenario_free(spec);
  free(spec);
  return rc;
}

/* compare A.yaml B.yaml: both scenarios with the same --set, --seed and --replicates, run on common
 * random numbers and paired. */
static ss_status cmd_compare(const cli_args *a, const hwdb *db, ss_err *err) {
  char buf[3][64], path[4096];
  const char *sets[CLI_MAX_SET + 3], *in[8], *out;
  study_spec *spec = calloc(2, sizeof *spec);
  compare c;
  size_t n_set = run_overrides(a, sets, buf), loaded = 0, n_in = 0;
  ss_status rc = spec ? need_inputs(a, 2, 2, err) : ss_errorf(err, SS_ENOMEM, "out of memory for the scenarios");
  for (; !rc && loaded < 2; loaded++)
    if ((rc = scenario_load(a->inputs[loaded], sets, n_set, db, &spec[loaded], err))) break;
  for (size_t k = 0; k < loaded; k++) {
    for (size_t i = 0; dist_rank() == 0 && i < spec[k].n_notes; i++)
      fprintf(stderr, "servesim: note: %s: %s\n", spec[k].file, spec[k].notes[i]);
    n_in += spec_inputs(&spec[k], in + n_in);
  }
  out = rc ? NULL : output_path(a, path, sizeof path);
  if (!rc) rc = compare_check(&spec[0], &spec[1], err);
  if (!rc) rc = dist_agree(dist_rank() == 0 ? probe_output(out, in, n_in, err) : SS_OK, err);
  study_opts o = {.threads = (int)a->threads,
                  .progress = !a->quiet && dist_rank() == 0 && isatty(STDERR_FILENO) ? stderr : NULL};
  if (!rc && !(rc = compare_run(&spec[0], &spec[1], db, &o, &c, err))) {
    if (dist_rank() == 0 && !(rc = comparefile_write(&c, out, a->argc, a->argv, in, n_in, err)))
      compare_out_table(stdout, &c), printf("\nwrote %s\n", out);
    compare_free(&c);
  }
  for (size_t k = 0; k < loaded; k++) scenario_free(&spec[k]);
  free(spec);
  return rc;
}

static const struct {
  command_fn fn;
  bool needs_hwdb;
} COMMANDS[CMD_COUNT] = {
    [CMD_RUN] = {cmd_run, false},
    /* loads its hwdb through the C API */[CMD_ESTIMATE] = {cmd_estimate, true},
    [CMD_PLAN] = {cmd_plan, true},
    [CMD_VALIDATE] = {cmd_validate, true},
    [CMD_LIST] = {cmd_list, true},
    [CMD_MERGE] = {cmd_merge, false},
    [CMD_REPORT] = {cmd_report, false},
    [CMD_IMPORT_TRACE] = {cmd_import_trace, false},
    [CMD_IMPORT_MODEL] = {cmd_import_model, false},
    [CMD_MAN] = {clidoc_man, false},
    [CMD_COMPLETION] = {clidoc_completion, false},
    [CMD_COMPARE] = {cmd_compare, true},
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
  /* HDF5 shuts down only after a success: after a close that failed (a full disk), HDF5 1.10's exit
   * handler closes the half-closed file again and crashes (exit 139 instead of 74). */
  H5dont_atexit();
  gsl_set_error_handler_off();           /* library code reports through statuses, never aborts */
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* HDF5 failures become servesim messages, not stack dumps */
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  ss_status rc = dist_init(&argc, &argv, &err);
  int code = rc ? cli_fail(rc, &err) : dispatch(argc, argv);
  dist_free();
  if (code == 0) H5close();
  return code;
}
