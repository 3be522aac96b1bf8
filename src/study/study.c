/* study.c: expands a scenario into tasks (sweep point x replicate), samples uncertain inputs,
 * runs the tasks under OpenMP into preallocated slots and reduces them serially in task order.
 * Invariant: nothing inside the parallel loop writes outside its own task's slots, except the
 * progress counter and the per-thread error slot; results never depend on the schedule. */
#include "study/study.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "config/resolve.h"
#include "study/capacity.h"
#include "study/costing.h"
#include "study/dist.h"
#include "study/precision.h"

void study_slice(size_t n, size_t i, size_t n_parts, size_t *lo, size_t *hi) {
  *lo = (size_t)((unsigned long long)n * (i - 1) / n_parts);
  *hi = (size_t)((unsigned long long)n * i / n_parts);
}

/* ---- allocation ---- */

static double *nan_array(size_t n) {
  double *a = malloc((n ? n : 1) * sizeof *a);
  if (!a) return NULL;
  for (size_t i = 0; i < n; i++) a[i] = NAN;
  return a;
}

ss_status study_init(study *st, size_t n_points, size_t n_reps, bool with_logs, ss_err *err) {
  size_t n = n_points * n_reps;
  st->n_points = n_points, st->n_reps = n_reps;
  st->res = malloc(n * sizeof *st->res);
  st->resolved = calloc(n_points ? n_points : 1, sizeof *st->resolved);
  st->slo_met = nan_array(n);
  st->summary = calloc(n_points, sizeof *st->summary);
  st->fleet_summary = calloc(n_points, sizeof *st->fleet_summary);
  st->saturated_count = nan_array(n_points);
  st->slo_met_frac = nan_array(n_points);
  st->replicates_used = nan_array(n_points);
  st->logs = with_logs ? calloc(n, sizeof *st->logs) : NULL;
  bool ok = st->res && st->resolved && st->slo_met && st->summary && st->fleet_summary && st->saturated_count &&
            st->slo_met_frac &&
            st->replicates_used && (!with_logs || st->logs);
  for (size_t i = 0; i < st->n_axes && ok; i++) {
    study_axis *a = &st->axes[i];
    if (a->is_text)
      ok = (a->text = calloc(n_points, sizeof *a->text)) != NULL;
    else
      ok = (a->num = nan_array(n_points)) != NULL;
  }
  for (size_t i = 0; i < st->n_inputs && ok; i++) ok = (st->inputs[i].value = nan_array(n)) != NULL;
  ok = ok && design_alloc(&st->design, st->n_inputs, n_reps, err) == SS_OK; /* a plain design until one is built */
  if (ok && st->n_apis) {
    ok = (st->api = nan_array(n * st->n_apis * CA_COUNT)) != NULL &&
         (st->api_summary = calloc(n_points * st->n_apis * CA_COUNT, sizeof *st->api_summary)) != NULL;
  }
  if (!ok)
    return ss_errorf(err, SS_ENOMEM, "out of memory for a study of %zu points x %zu replicates", n_points, n_reps);
  for (size_t t = 0; t < n; t++) result_clear(&st->res[t]);
  return SS_OK;
}

void study_free(study *st) {
  for (size_t i = 0; i < st->n_axes; i++) free(st->axes[i].num), free(st->axes[i].text);
  for (size_t i = 0; i < st->n_inputs; i++) free(st->inputs[i].value);
  for (size_t t = 0; st->logs && t < study_tasks(st); t++) sim_log_free(&st->logs[t]);
  free(st->logs), free(st->res), free(st->resolved), free(st->slo_met), free(st->summary), free(st->config_yaml),
      free(st->notes);
  free(st->fleet_summary), free(st->win_summary), free(st->pool_summary);
  free(st->api), free(st->api_summary);
  free(st->saturated_count), free(st->slo_met_frac), free(st->replicates_used);
  design_free(&st->design);
  free(st->precision.rel);
  memset(st, 0, sizeof *st);
}

/* ---- setting up from a scenario ---- */

void study_describe_inputs(const study_spec *spec, const hwdb *db, study *st) {
  const struct {
    const char *role, *path, *sha;
  } FILES[] = {{"scenario", spec->file, spec->sha256},
               {"trace", spec->trace.path, spec->trace.sha256},
               {"input_hist", spec->input_hist.path, spec->input_hist.sha256},
               {"output_hist", spec->output_hist.path, spec->output_hist.sha256}};
  snprintf(st->hwdb_dir, sizeof st->hwdb_dir, "%s", db->dir);
  for (size_t a = 0; a < spec->base.n_compare_api && a < SC_MAX_API; a++) {
    const api_price *api = hwdb_api(db, spec->base.compare_api[a]);
    snprintf(st->api_ids[a], sizeof st->api_ids[a], "%s", api ? api->id : spec->base.compare_api[a]);
  }
  snprintf(st->hwdb_sha256, sizeof st->hwdb_sha256, "%s", db->sha256);
  st->n_input_files = 0;
  free(st->notes);
  st->notes = scenario_notes_text(spec);
  for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
    if (!FILES[i].sha[0]) continue;
    hash_ref *h = &st->input_files[st->n_input_files++];
    snprintf(h->role, sizeof h->role, "%s", FILES[i].role);
    snprintf(h->path, sizeof h->path, "%s", FILES[i].path);
    snprintf(h->sha256, sizeof h->sha256, "%s", FILES[i].sha);
  }
}

static ss_status describe(const study_spec *spec, study *st, ss_err *err) {
  size_t nf;
  const kt_field *fields = scenario_fields(&nf);
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  if (!mem) return ss_errorf(err, SS_ENOMEM, "cannot open a memory stream for the scenario echo");
  scenario_echo(mem, spec);
  if (fclose(mem) != 0 || !buf) return free(buf), ss_errorf(err, SS_ENOMEM, "out of memory for the scenario echo");
  st->config_yaml = buf;
  snprintf(st->name, sizeof st->name, "%s", spec->base.name);
  st->seed = spec->base.seed;
  st->n_axes = spec->n_axes, st->n_inputs = spec->n_unc, st->n_apis = spec->base.n_compare_api;
  st->n_pools = spec->n_pools || spec->base.sim.route.cache_hit_frac > 0 ? 1 + spec->n_pools : 0;
  snprintf(st->pool_names[0], sizeof st->pool_names[0], "%s", spec->base.sim.name);
  for (size_t i = 0; i < spec->n_pools; i++)
    snprintf(st->pool_names[i + 1], sizeof st->pool_names[0], "%s", spec->pools[i].name);
  for (size_t i = 0; i < spec->n_axes; i++) {
    const kt_field *f = &fields[spec->axes[i].key];
    snprintf(st->axes[i].key, sizeof st->axes[i].key, "%s", f->key);
    snprintf(st->axes[i].units, sizeof st->axes[i].units, "%s", kt_units(f));
    st->axes[i].is_text = !kt_is_numeric(f);
  }
  for (size_t i = 0; i < spec->n_unc; i++) {
    const kt_field *f = &fields[spec->unc[i].key];
    snprintf(st->inputs[i].key, sizeof st->inputs[i].key, "%s", f->key);
    snprintf(st->inputs[i].units, sizeof st->inputs[i].units, "%s", kt_units(f));
  }
  return SS_OK;
}

/* Resolves every point (serially, once, to fill the axis values) and samples the uncertain inputs.
 * Points are not kept: a task rebuilds its own (a few microseconds), so memory does not grow with
 * the sweep beyond the results themselves. */
static ss_status prepare(const study_spec *spec, const hwdb *db, size_t block, study *st, ss_err *err) {
  ss_status rc = SS_OK;
  sc_point *pt = malloc(sizeof *pt);
  if (!pt) return ss_errorf(err, SS_ENOMEM, "out of memory for a sweep point");
  for (size_t p = 0; p < st->n_points && !rc; p++) {
    if ((rc = scenario_point(spec, p, db, pt, err))) break;
    /* a deployment that does not fit fails here, before any simulation, not when its point runs */
    perf_opts po;
    perf_ctx fit;
    sim_config_perf_opts(&pt->sim, &po);
    double usd_per_gpu_hour; /* and one without a price (pricing.tier, pricing.provider) too */
    if ((rc = perf_init(&fit, &pt->sim.dep.hw, &po, err)) ||
        (rc = cost_price(db, pt->gpu, &pt->cost, pt->provider, &usd_per_gpu_hour, NULL, err))) {
      ss_err_prefix(err, "sweep point %zu: ", p);
      break;
    }
    provenance_fill(spec, db, pt, &fit, &st->resolved[p]);
    for (size_t i = 0, div = st->n_points; i < st->n_axes; i++) {
      const sc_axis *ax = &spec->axes[i];
      div /= ax->n;
      if (st->axes[i].is_text)
        snprintf(st->axes[i].text[p], STUDY_TEXT_LEN, "%s", ax->values[(p / div) % ax->n]);
      else
        st->axes[i].num[p] = scenario_get(pt, ax->key);
    }
  }
  free(pt);
  st->resolved_known = !rc;
  /* the design is built once, serially, and copied to every point (common random numbers) */
  design_free(&st->design);
  if (!rc) rc = design_build(spec, st->n_reps, block, &st->design, err);
  for (size_t i = 0; !rc && i < st->n_inputs; i++)
    for (size_t p = 0; p < st->n_points; p++)
      memcpy(&st->inputs[i].value[p * st->n_reps], &st->design.value[i * st->n_reps],
             st->n_reps * sizeof *st->design.value);
  return rc;
}

/* ---- one task ---- */

/* Capacity is shared by points that differ only in their arrival rate or their cost keys. */
static bool not_capacity_key(const char *key) {
  return scenario_is_cost_key(key) || !strcmp(key, "workload.arrival.rate_per_s");
}

typedef struct {
  const study_spec *spec;
  const hwdb *db;
  study *st;
  size_t r0, r1; /* a sequential run's batch: replicates [r0, r1) of every point */
  size_t n_groups;
  size_t *group_point;   /* [n_groups]: the first point of each capacity group (its rate is the search's guess) */
  capacity *cap;         /* [n_groups][n_reps], when capacity is on */
  unsigned char *needed; /* [n_groups][n_reps]: searched by this process */
  double *log_rows;      /* request-log rows of the tasks run so far (limits.max_log_rows) */
} task_ctx;

/* Point p with replicate r's uncertain samples applied, resolved. */
static ss_status replicate_point(const task_ctx *c, size_t p, size_t r, sc_point *pt, ss_err *err) {
  const study *st = c->st;
  ss_status rc = scenario_point(c->spec, p, c->db, pt, err);
  for (size_t i = 0; !rc && i < st->n_inputs; i++)
    scenario_apply_sample(pt, &c->spec->unc[i], st->inputs[i].value[p * st->n_reps + r]);
  if (!rc && st->n_inputs) rc = resolve_point(c->spec, pt, c->db, err);
  return rc;
}

/* Job j of the capacity phase: group j / n_reps, replicate j % n_reps. */
static ss_status run_capacity(const task_ctx *c, size_t j, sc_point *pt, ss_err *err) {
  size_t R = c->st->n_reps, g = j / R, r = j % R, p = c->group_point[g];
  ss_status rc = replicate_point(c, p, r, pt, err);
  if (!rc && capacity_defined(&pt->sim))
    rc = capacity_search(&pt->sim, c->st->seed, (uint64_t)c->st->design.traffic[r], pt->sim.wl.rate_per_s,
                         pt->plan.rate_rel_tol, &c->cap[j], err);
  if (rc) ss_err_prefix(err, "capacity search (point %zu, replicate %zu): ", p, r);
  return rc;
}

static ss_status run_task(const task_ctx *c, size_t t, sc_point *pt, ss_err *err) {
  study *st = c->st;
  size_t p = t / st->n_reps, r = t % st->n_reps;
  double usd_per_gpu_hour, spot_usd = NAN;
  ss_status rc;
  if ((rc = replicate_point(c, p, r, pt, err)) ||
      (rc = cost_price(c->db, pt->gpu, &pt->cost, pt->provider, &usd_per_gpu_hour, NULL, err)) ||
      (pt->sim.fleet.spot_share > 0 &&
       (rc = cost_spot_price(c->db, pt->sim.dep.hw.gpu->id, &pt->cost, pt->provider, &spot_usd, err))))
    goto fail;
  sim_result *res = &st->res[t];
  uint64_t traffic = (uint64_t)st->design.traffic[r]; /* r itself, except inside Sobol rows and Morris trajectories */
  if ((rc = sim_run(&pt->sim, st->seed, traffic, res, st->logs ? &st->logs[t] : NULL, err))) goto fail;
  if (st->logs && pt->sim.log_requests) { /* the study's whole log stays within the limit too */
    double rows, mine = (double)st->logs[t].n_req;
#pragma omp atomic capture
    rows = *c->log_rows += mine;
    if (rows > pt->sim.log_max_rows) {
      rc = ss_errorf(err, SS_EDATA,
                     "key 'output.requests': the per-request log passed %.0f rows; allowed: at most "
                     "limits.max_log_rows (raise it, shorten the horizon, or set output.requests: false)",
                     pt->sim.log_max_rows);
      goto fail;
    }
  }
  if (c->cap && capacity_defined(&pt->sim)) {
    const capacity *cap = &c->cap[scenario_group_index(c->spec, p, not_capacity_key) * st->n_reps + r];
    res->v[RM_capacity_req_s] = cap->rate_per_s;
    res->v[RM_capacity_output_tok_s] = cap->output_tok_s;
    res->v[RM_utilisation] = cap->rate_per_s > 0 ? pt->sim.wl.rate_per_s / cap->rate_per_s : INFINITY;
  }
  cost_fleet fleet = costing_fleet(pt, res);
  double price = costing_price(pt, &fleet, res, usd_per_gpu_hour, spot_usd); /* spot hours at their price */
  sim_log *log = st->logs ? &st->logs[t] : NULL;
  if (sim_multimodel(&pt->sim) &&
      (rc = costing_pools(c->db, pt, usd_per_gpu_hour, spot_usd, res, log, &fleet, &price, err)))
    goto fail;
  costing_fill(&fleet, price, res);
  if (!sim_multimodel(&pt->sim)) costing_windows(pt, usd_per_gpu_hour, spot_usd, log);
  costing_fill_tco(&pt->cost, &fleet, price, res);
  for (size_t a = 0; a < st->n_apis; a++)
    costing_api(&pt->cost, &fleet, hwdb_api(c->db, pt->compare_api[a]), price, res, study_api(st, t, a));
  st->slo_met[t] = result_meets_slo(res, pt->sim.slo_ttft_s, pt->sim.slo_tpot_s);
  return SS_OK;
fail:
  ss_err_prefix(err, "task %zu (point %zu, replicate %zu): ", t, p, r);
  return rc;
}

/* Job j of a batch: point j / B, replicate r0 + j % B (B = r1 - r0). */
static ss_status run_batch_task(const task_ctx *c, size_t j, sc_point *pt, ss_err *err) {
  size_t B = c->r1 - c->r0;
  return run_task(c, (j / B) * c->st->n_reps + c->r0 + j % B, pt, err);
}

/* ---- progress bar (master thread only) ---- */

static void progress_draw(FILE *f, size_t done, size_t total, double elapsed_s) {
  enum { WIDTH = 28 };
  char bar[WIDTH + 1], eta[32] = "--";
  size_t fill = total ? done * WIDTH / total : WIDTH;
  for (size_t i = 0; i < WIDTH; i++) bar[i] = i < fill ? '#' : '.';
  bar[WIDTH] = '\0';
  double rate = elapsed_s > 0 ? (double)done / elapsed_s : 0;
  if (rate > 0) {
    double left = (double)(total - done) / rate;
    snprintf(eta, sizeof eta, "%dm%02ds", (int)(left / 60), (int)fmod(left, 60));
  }
  fprintf(f, "\r[%s] %zu/%zu tasks  %.1f tasks/s  ETA %s ", bar, done, total, rate, eta);
  fflush(f);
}

typedef struct {
  size_t job;
  ss_status rc;
  ss_err err;
} job_failure;

typedef ss_status (*job_fn)(const task_ctx *c, size_t job, sc_point *scratch, ss_err *err);

/* Runs the jobs in [lo, hi) whose `needed` flag is set (all when needed is NULL) under OpenMP; the
 * failure of the lowest job index is reported, whatever the schedule: after a failure only the jobs
 * above it are skipped, so every job below it still runs and could replace it. */
static ss_status run_jobs(const task_ctx *c, job_fn fn, size_t lo, size_t hi, const unsigned char *needed,
                          const study_opts *o, ss_err *err) {
  int nthreads = o->threads > 0 ? o->threads : omp_get_max_threads();
  job_failure *fail = calloc((size_t)nthreads, sizeof *fail);
  sc_point *scratch = malloc((size_t)nthreads * sizeof *scratch);
  if (!fail || !scratch) return free(fail), free(scratch), ss_errorf(err, SS_ENOMEM, "out of memory");
  size_t done = 0, first_failed = SIZE_MAX; /* lowest failing job so far */
  double t0 = omp_get_wtime(), last = 0;
#pragma omp parallel for schedule(dynamic) num_threads(nthreads)
  for (size_t j = lo; j < hi; j++) {
    int me = omp_get_thread_num();
    size_t stop;
#pragma omp atomic read
    stop = first_failed;
    if (j > stop || (needed && !needed[j])) continue;
    ss_err e = {{0}};
    ss_status rc = fn(c, j, &scratch[me], &e);
    if (rc && (!fail[me].rc || j < fail[me].job)) fail[me] = (job_failure){j, rc, e};
    if (rc) {
#pragma omp critical(study_first_failed)
      if (j < first_failed) first_failed = j;
    }
    size_t now;
#pragma omp atomic capture
    now = ++done;
    if (me == 0 && o->progress && (omp_get_wtime() - last > 0.1 || now == hi - lo)) {
      last = omp_get_wtime();
      progress_draw(o->progress, now, hi - lo, last - t0);
    }
  }
  if (o->progress) progress_draw(o->progress, done, hi - lo, omp_get_wtime() - t0), fputc('\n', o->progress);
  ss_status rc = SS_OK;
  const job_failure *first = NULL;
  for (int i = 0; i < nthreads; i++)
    if (fail[i].rc && (!first || fail[i].job < first->job)) first = &fail[i];
  if (first) *err = first->err, rc = first->rc;
  free(fail), free(scratch);
  return rc;
}

/* The capacity of every (group, replicate) the tasks [lo, hi) with a replicate in [r0, r1) need,
 * before they run (the arrays are allocated on the first call, kept for later batches). */
static ss_status search_capacities(task_ctx *c, size_t lo, size_t hi, size_t r0, size_t r1, const study_opts *o,
                                   ss_err *err) {
  const study *st = c->st;
  size_t R = st->n_reps, P = st->n_points;
  if (!c->cap) {
    c->n_groups = scenario_group_count(c->spec, not_capacity_key);
    c->group_point = malloc(c->n_groups * sizeof *c->group_point);
    c->cap = malloc(c->n_groups * R * sizeof *c->cap);
    c->needed = calloc(c->n_groups * R, 1);
    if (!c->group_point || !c->cap || !c->needed)
      return ss_errorf(err, SS_ENOMEM, "out of memory for capacity searches");
    for (size_t p = P; p-- > 0;) c->group_point[scenario_group_index(c->spec, p, not_capacity_key)] = p;
    for (size_t j = 0; j < c->n_groups * R; j++) c->cap[j] = (capacity){0, NAN, 0};
  }
  memset(c->needed, 0, c->n_groups * R);
  for (size_t t = lo; t < hi; t++)
    if (t % R >= r0 && t % R < r1) c->needed[scenario_group_index(c->spec, t / R, not_capacity_key) * R + t % R] = 1;
  if (o->progress) fprintf(o->progress, "capacity at the SLO (output.capacity: false skips it):\n");
  return run_jobs(c, run_capacity, 0, c->n_groups * R, c->needed, o, err);
}

/* Batches of `batch` replicates at every point until the targets hold or the cap (st->n_reps) is
 * reached; then the arrays shrink to the replicates run. */
static ss_status run_sequential(task_ctx *c, size_t batch, const study_opts *o, ss_err *err) {
  study *st = c->st;
  size_t M = st->n_reps, P = st->n_points, R = 0;
  ss_status rc = SS_OK;
  while (!rc) {
    c->r0 = R, c->r1 = R + batch < M ? R + batch : M;
    if (c->spec->base.capacity) rc = search_capacities(c, 0, P * M, c->r0, c->r1, o, err);
    if (!rc) rc = run_jobs(c, run_batch_task, 0, P * (c->r1 - c->r0), NULL, o, err);
    R = c->r1, st->precision.rounds++;
    if (rc || precision_reached(st, R) || R == M) break;
  }
  return rc ? rc : precision_compact(st, R, err);
}

/* A sequential run's settings into st (after checking they apply); *cap receives the replicates to
 * allocate. */
static ss_status start_sequential(const study_spec *spec, const study_opts *o, study *st, size_t *cap, ss_err *err) {
  study_precision *pr = &st->precision;
  size_t batch = spec->base.replicates, P = scenario_points(spec);
  *cap = batch;
  if (!o->n_targets) return SS_OK;
  if (o->shard_count > 1 || dist_size() > 1)
    return ss_errorf(err, SS_EUSAGE,
                     "--precision decides after each batch from every point: it runs in one process "
                     "(OpenMP threads); allowed: without --shard and mpiexec");
  if (spec->base.uq.method != SC_SENS_PRCC || batch < 2)
    return ss_errorf(err, SS_EUSAGE,
                     "--precision adds batches of the scenario's replicates (%zu) to a plain design; "
                     "allowed: replicates of at least 2 and sensitivity.method: prcc",
                     batch);
  *cap = o->max_replicates ? o->max_replicates : STUDY_DEFAULT_MAX_REPLICATES;
  if (*cap < batch)
    return ss_errorf(err, SS_EUSAGE,
                     "--max-replicates %zu is below the first batch of %zu replicates; allowed: at "
                     "least %zu",
                     *cap, batch, batch);
  pr->n_targets = o->n_targets < STUDY_MAX_TARGETS ? o->n_targets : STUDY_MAX_TARGETS;
  memcpy(pr->targets, o->targets, pr->n_targets * sizeof *pr->targets);
  pr->batch = batch, pr->max_replicates = *cap;
  pr->rel = malloc((pr->n_targets * P + 1) * sizeof *pr->rel);
  return pr->rel ? SS_OK : ss_errorf(err, SS_ENOMEM, "out of memory");
}

ss_status study_run(const study_spec *spec, const hwdb *db, const study_opts *o, study *st, ss_err *err) {
  ss_status rc;
  const sim_config *base = &spec->base.sim;
  memset(st, 0, sizeof *st);
  if ((rc = describe(spec, st, err))) goto fail;
  study_describe_inputs(spec, db, st);
  size_t cap;
  bool windows = base->fleet.windows != WIN_OFF; /* auto is resolved per point: the logs are kept for it */
  if ((rc = start_sequential(spec, o, st, &cap, err)) ||
      (rc = study_init(st, scenario_points(spec), cap, base->log_requests || base->log_timeseries || windows, err)))
    goto fail;
  st->log_requests = base->log_requests, st->log_timeseries = base->log_timeseries;
  if (o->shard_count > study_tasks(st) || o->shard_index > o->shard_count) {
    rc = ss_errorf(err, SS_EUSAGE,
                   "--shard %llu/%llu: the study has %zu tasks (%zu points x %zu replicates); allowed: i <= N <= %zu",
                   (unsigned long long)o->shard_index, (unsigned long long)o->shard_count, study_tasks(st),
                   st->n_points, st->n_reps, study_tasks(st));
    goto fail;
  }
  st->shard_index = o->shard_count ? (unsigned)o->shard_index : 1;
  st->shard_count = o->shard_count ? (unsigned)o->shard_count : 1;
  study_slice(study_tasks(st), st->shard_index, st->shard_count, &st->task_lo, &st->task_hi);
  if ((rc = prepare(spec, db, spec->base.replicates, st, err))) goto fail;
  size_t lo, hi, n = st->task_hi - st->task_lo;
  study_slice(n, (size_t)dist_rank() + 1, (size_t)dist_size(), &lo, &hi);
  double log_rows = 0;
  task_ctx c = {spec, db, st, 0, 0, 0, NULL, NULL, NULL, &log_rows};
  study_opts mine = *o;
  if (dist_rank() != 0) mine.progress = NULL;
  if (st->precision.n_targets) {
    rc = run_sequential(&c, spec->base.replicates, &mine, err);
  } else {
    if (spec->base.capacity) rc = search_capacities(&c, st->task_lo + lo, st->task_lo + hi, 0, st->n_reps, &mine, err);
    if (!rc) rc = run_jobs(&c, run_task, st->task_lo + lo, st->task_lo + hi, NULL, &mine, err);
  }
  free(c.group_point), free(c.cap), free(c.needed);
  if (dist_size() > 1) rc = dist_gather(st, st->task_lo, st->task_hi, rc, err);
  if (rc) goto fail;
  for (size_t t = st->task_lo; st->logs && t < st->task_hi; t++) st->log_windows |= st->logs[t].n_win > 0;
  if (st->shard_count == 1) rc = study_summarise(st, err);
fail:
  if (rc) study_free(st);
  return rc;
}

/* ---- reductions ---- */

static const char *last_part(const char *key) {
  const char *dot = strrchr(key, '.');
  return dot ? dot + 1 : key;
}

const char *study_point_label(const study *st, size_t p, char *buf, size_t len) {
  size_t k = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < st->n_axes && k < len; i++) {
    const study_axis *a = &st->axes[i];
    if (a->is_text)
      k += (size_t)snprintf(buf + k, len - k, "%s%s = %s", i ? ", " : "", last_part(a->key), a->text[p]);
    else
      k += (size_t)snprintf(buf + k, len - k, "%s%s = %.6g", i ? ", " : "", last_part(a->key), a->num[p]);
  }
  if (!st->n_axes) snprintf(buf, len, "single point");
  return buf;
}

double study_summary_reps(const study *st) {
  double n = 0;
  for (size_t r = 0; r < st->n_reps; r++) n += design_independent(&st->design, r);
  return n;
}

double study_overloaded_count(const study *st, size_t p) {
  double n = 0;
  for (size_t r = 0; r < st->n_reps; r++)
    n += design_independent(&st->design, r) && st->res[p * st->n_reps + r].v[RM_overloaded] > 0.5;
  return n;
}

bool study_point_saturated(const study *st, size_t p) { return 2 * st->saturated_count[p] > study_summary_reps(st); }

/* Every window column across replicates, per point and window (the hour-by-hour view). */
static ss_status summarise_windows(study *st, double *x, double *scratch, ss_err *err) {
  size_t R = st->n_reps, W = 0;
  for (size_t t = 0; st->logs && t < study_tasks(st); t++)
    if (st->logs[t].n_win > W) W = st->logs[t].n_win;
  free(st->win_summary);
  st->win_summary = NULL, st->win_max = W;
  if (!W) return SS_OK;
  if (!(st->win_summary = malloc(st->n_points * W * WC_COUNT * sizeof *st->win_summary)))
    return ss_errorf(err, SS_ENOMEM, "out of memory for the summary of %zu windows", W);
  for (size_t p = 0; p < st->n_points; p++)
    for (size_t k = 0; k < W; k++)
      for (int c = 0; c < WC_COUNT; c++) {
        for (size_t r = 0; r < R; r++) {
          const sim_log *l = &st->logs[p * R + r];
          x[r] = k < l->n_win ? win_column_value(&l->win[k], (win_column)c) : NAN;
        }
        stats_summarise(x, R, 1, 0, scratch, &study_win_summary(st, p, k)[c]);
      }
  return SS_OK;
}

/* Every deployment's rows across replicates (multi-model fleets). */
static ss_status summarise_pools(study *st, double *x, double *scratch, ss_err *err) {
  size_t R = st->n_reps;
  free(st->pool_summary);
  st->pool_summary = NULL;
  if (!st->n_pools) return SS_OK;
  if (!(st->pool_summary = malloc(st->n_points * st->n_pools * PM_COUNT * sizeof *st->pool_summary)))
    return ss_errorf(err, SS_ENOMEM, "out of memory for the summary of %zu deployments", st->n_pools);
  for (size_t p = 0; p < st->n_points; p++)
    for (size_t i = 0; i < st->n_pools; i++)
      for (int m = 0; m < PM_COUNT; m++) {
        for (size_t r = 0; r < R; r++) x[r] = st->res[p * R + r].pool[i][m];
        stats_summarise(x, R, 1, 0, scratch, &study_pool_summary(st, p, i)[m]);
      }
  return SS_OK;
}

ss_status study_summarise(study *st, ss_err *err) {
  size_t R = st->n_reps;
  double *x = malloc(R * sizeof *x), *scratch = malloc(R * sizeof *scratch), n = study_summary_reps(st);
  ss_status rc = x && scratch ? SS_OK : ss_errorf(err, SS_ENOMEM, "out of memory for the summary of %zu replicates", R);
  if (rc) goto done;
  for (size_t p = 0; p < st->n_points; p++) {
    const sim_result *res = &st->res[p * R];
    double sat = 0, met = 0;
    for (size_t r = 0; r < R; r++)
      if (design_independent(&st->design, r)) sat += res[r].v[RM_saturated] > 0.5, met += st->slo_met[p * R + r] > 0.5;
    /* A point where most replicates saturated is beyond capacity: the few stable replicates are a
     * biased sample, so the point reports no latency at all rather than their optimistic tail. */
    bool point_saturated = 2 * sat > n;
    st->saturated_count[p] = sat;
    st->replicates_used[p] = point_saturated ? 0 : n - sat;
    st->slo_met_frac[p] = met / n;
    /* the statistics are over the design's independent draws: inside a Sobol row or a Morris
     * trajectory, replicates share their traffic and most inputs */
    for (int m = 0; m < RM_COUNT; m++) {
      bool latency = result_is_latency((result_metric)m);
      for (size_t r = 0; r < R; r++)
        x[r] = !design_independent(&st->design, r) || (latency && (point_saturated || res[r].v[RM_saturated] > 0.5))
                   ? NAN
                   : res[r].v[m];
      stats_summarise(x, R, 1, 0, scratch, &st->summary[p][m]);
    }
    for (int m = 0; m < FM_COUNT; m++) {
      for (size_t r = 0; r < R; r++) x[r] = res[r].f[m];
      stats_summarise(x, R, 1, 0, scratch, &st->fleet_summary[p][m]);
    }
    for (size_t a = 0; a < st->n_apis; a++)
      for (int m = 0; m < CA_COUNT; m++) {
        for (size_t r = 0; r < R; r++) x[r] = design_independent(&st->design, r) ? study_api(st, p * R + r, a)[m] : NAN;
        stats_summarise(x, R, 1, 0, scratch, &study_api_summary(st, p, a)[m]);
      }
  }
  rc = summarise_windows(st, x, scratch, err);
  if (!rc) rc = summarise_pools(st, x, scratch, err);
done:
  free(x), free(scratch);
  return rc;
}
