/* merge.c: the join of shards. First every part's head (attributes, scenario echo, shape) is read and
 * compared with the first's (same points and replicates, seed, scenario echo, hwdb content and split),
 * and the task ranges must tile the study without gap or overlap: all before any data is read or
 * allocated. Then each part is read with studyfile_read (every shape checked) and its tasks copied;
 * the summary is recomputed from the joined replicates.
 * Invariant: a merged file never mixes studies, and never holds a task twice or misses one. */
#include "io/merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/studyfile.h"

/* The first line where two scenario echoes differ, for the error message. */
static void first_difference(const char *a, const char *b, char *buf, size_t len) {
  unsigned line = 1;
  while (*a && *a == *b) line += *a == '\n', a++, b++;
  while (line > 1 && a[-1] != '\n') a--, b--;
  snprintf(buf, len, "line %u: '%.*s' vs '%.*s'", line, (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
}

static ss_status check_same_head(const study *a, const char *pa, const study *b, const char *pb, ss_err *err) {
  char diff[512];
  if (a->n_points != b->n_points || a->n_reps != b->n_reps)
    return ss_errorf(err, SS_EDATA,
                     "cannot merge parts of different shapes: %s has %zu points x %zu replicates, %s "
                     "has %zu x %zu",
                     pa, a->n_points, a->n_reps, pb, b->n_points, b->n_reps);
  if (a->seed != b->seed)
    return ss_errorf(err, SS_EDATA, "cannot merge parts with different seeds: %s has master_seed %llu, %s has %llu", pa,
                     (unsigned long long)a->seed, pb, (unsigned long long)b->seed);
  if (strcmp(a->config_yaml, b->config_yaml)) {
    first_difference(a->config_yaml, b->config_yaml, diff, sizeof diff);
    return ss_errorf(err, SS_EDATA, "cannot merge parts of different scenarios: %s and %s differ in /config_yaml at %s",
                     pa, pb, diff);
  }
  if (strcmp(a->hwdb_sha256, b->hwdb_sha256))
    return ss_errorf(err, SS_EDATA,
                     "cannot merge parts run with different hwdb contents: %s has hwdb_sha256 %.12s, "
                     "%s has %.12s",
                     pa, a->hwdb_sha256, pb, b->hwdb_sha256);
  if (a->shard_count != b->shard_count)
    return ss_errorf(err, SS_EDATA, "cannot merge parts of different splits: %s is a part of %u, %s of %u", pa,
                     a->shard_count, pb, b->shard_count);
  return SS_OK;
}

/* What only the data show: the same datasets in both parts. */
static ss_status check_same_data(const study *a, const char *pa, const study *b, const char *pb, ss_err *err) {
  if (a->n_axes != b->n_axes || a->n_inputs != b->n_inputs || a->n_apis != b->n_apis ||
      a->log_requests != b->log_requests || a->log_timeseries != b->log_timeseries)
    return ss_errorf(err, SS_EDATA, "cannot merge: %s and %s hold different datasets (axes, inputs or logs)", pa, pb);
  return SS_OK;
}

/* Moves the tasks [lo, hi) of part into out (shapes checked equal). */
static void take_tasks(study *out, study *part) {
  for (size_t t = part->task_lo; t < part->task_hi; t++) {
    out->res[t] = part->res[t];
    out->slo_met[t] = part->slo_met[t];
    out->log_windows |= part->log_windows;
    if (out->n_apis) memcpy(study_api(out, t, 0), study_api(part, t, 0), out->n_apis * CA_COUNT * sizeof *out->api);
    for (size_t i = 0; i < out->n_inputs; i++) out->inputs[i].value[t] = part->inputs[i].value[t];
    if (out->logs && part->logs) {
      sim_log_free(&out->logs[t]);
      out->logs[t] = part->logs[t];
      memset(&part->logs[t], 0, sizeof part->logs[t]);
    }
  }
}

/* The parts' task ranges, in order of their start, must tile [0, tasks) exactly. */
static ss_status check_tiling(const study *head, const char *const *paths, size_t n, ss_err *err) {
  size_t *order = malloc(n * sizeof *order), T = study_tasks(&head[0]), next = 0;
  ss_status rc = order ? SS_OK : ss_errorf(err, SS_ENOMEM, "out of memory");
  for (size_t i = 0; order && i < n; i++) { /* insertion sort by task_lo: n is small */
    size_t j = i;
    for (; j > 0 && head[order[j - 1]].task_lo > head[i].task_lo; j--) order[j] = order[j - 1];
    order[j] = i;
  }
  for (size_t k = 0; !rc && k < n; k++) {
    const study *p = &head[order[k]];
    if (p->task_lo < next)
      rc = ss_errorf(err, SS_EDATA, "cannot merge: %s and %s both hold task %zu (the same shard twice?)",
                     paths[order[k - 1]], paths[order[k]], p->task_lo);
    else if (p->task_lo > next)
      rc = ss_errorf(err, SS_EDATA,
                     "cannot merge: tasks %zu to %zu of %zu are in none of the %zu parts (a shard of %u is missing)",
                     next, p->task_lo - 1, T, n, head[0].shard_count);
    next = p->task_hi;
  }
  if (!rc && next < T)
    rc = ss_errorf(err, SS_EDATA,
                   "cannot merge: tasks %zu to %zu of %zu are in none of the %zu parts (a shard of %u is missing)",
                   next, T - 1, T, n, head[0].shard_count);
  free(order);
  return rc;
}

ss_status merge_parts(const char *const *paths, size_t n, study *out, ss_err *err) {
  ss_status rc = SS_OK;
  study part, *head = NULL;
  size_t read = 0;
  memset(out, 0, sizeof *out);
  if (n == 0) return ss_errorf(err, SS_EUSAGE, "merge: no part files given");
  if (!(head = calloc(n, sizeof *head))) return ss_errorf(err, SS_ENOMEM, "out of memory for %zu parts", n);
  for (; read < n && !rc; read++) {
    if ((rc = studyfile_read_head(paths[read], &head[read], err))) break;
    if (read) rc = check_same_head(&head[0], paths[0], &head[read], paths[read], err);
  }
  if (!rc) rc = check_tiling(head, paths, n, err);
  for (size_t i = 0; i < n; i++) study_free(&head[i]);
  free(head);
  if (rc) return rc;
  if ((rc = studyfile_read(paths[0], out, err))) return rc;
  for (size_t i = 1; i < n && !rc; i++) {
    if ((rc = studyfile_read(paths[i], &part, err))) break;
    /* the heads matched; a file changed since is caught here, as are different datasets */
    if (!(rc = check_same_head(out, paths[0], &part, paths[i], err)) &&
        !(rc = check_same_data(out, paths[0], &part, paths[i], err)))
      take_tasks(out, &part);
    study_free(&part);
  }
  if (!rc) {
    out->task_lo = 0, out->task_hi = study_tasks(out), out->shard_index = 1, out->shard_count = 1;
    rc = study_summarise(out, err);
  }
  if (rc) study_free(out);
  return rc;
}
