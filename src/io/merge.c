/* merge.c: the join of shards. Each part is read with studyfile_read (shapes checked against its own
 * point and replicate counts), then checked against the first part (same shape, seed, scenario echo,
 * hwdb content and split) before its tasks are copied; the summary is recomputed from the joined
 * replicates. */
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

static ss_status check_same_study(const study *a, const char *pa, const study *b, const char *pb, ss_err *err) {
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

ss_status merge_parts(const char *const *paths, size_t n, study *out, ss_err *err) {
  ss_status rc;
  study part;
  size_t *owner = NULL;
  if (n == 0) return ss_errorf(err, SS_EUSAGE, "merge: no part files given");
  if ((rc = studyfile_read(paths[0], out, err))) return rc;
  size_t T = study_tasks(out);
  if (!(owner = malloc(T * sizeof *owner))) {
    rc = ss_errorf(err, SS_ENOMEM, "out of memory");
    goto fail;
  }
  for (size_t t = 0; t < T; t++) owner[t] = t >= out->task_lo && t < out->task_hi ? 0 : SIZE_MAX;
  for (size_t i = 1; i < n; i++) {
    if ((rc = studyfile_read(paths[i], &part, err))) goto fail;
    rc = check_same_study(out, paths[0], &part, paths[i], err);
    for (size_t t = part.task_lo; !rc && t < part.task_hi; t++)
      if (owner[t] != SIZE_MAX)
        rc = ss_errorf(err, SS_EDATA, "cannot merge: %s and %s both hold task %zu (the same shard twice?)",
                       paths[owner[t]], paths[i], t);
    for (size_t t = part.task_lo; !rc && t < part.task_hi; t++) owner[t] = i;
    if (!rc) take_tasks(out, &part);
    study_free(&part);
    if (rc) goto fail;
  }
  for (size_t t = 0; t < T; t++)
    if (owner[t] == SIZE_MAX) {
      size_t hi = t;
      while (hi < T && owner[hi] == SIZE_MAX) hi++;
      rc = ss_errorf(err, SS_EDATA,
                     "cannot merge: tasks %zu to %zu of %zu are in none of the %zu parts (a shard of %u "
                     "is missing)",
                     t, hi - 1, T, n, out->shard_count);
      goto fail;
    }
  out->task_lo = 0, out->task_hi = T, out->shard_index = 1, out->shard_count = 1;
  rc = study_summarise(out, err);
fail:
  free(owner);
  if (rc) study_free(out);
  return rc;
}
