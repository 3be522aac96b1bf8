/* dist.c: MPI task distribution (built with -DSERVESIM_MPI=ON), else a single rank.
 * Every rank holds full-size arrays and fills its own slice; rank 0 receives the other slices
 * straight into the same slots, so its arrays equal those of a serial run. A rank that cannot
 * allocate says so through dist_agree before any transfer, so every rank returns the same status and
 * none is left waiting (no MPI_Abort). */
#include "study/dist.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef SERVESIM_HAVE_MPI
#include <mpi.h>

static int active(void) {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return init && !fin;
}

ss_status dist_init(int *argc, char ***argv, ss_err *err) {
  if (MPI_Init(argc, argv) != MPI_SUCCESS) return ss_errorf(err, SS_EINTERNAL, "MPI_Init failed");
  return SS_OK;
}
void dist_free(void) {
  if (active()) MPI_Finalize();
}
int dist_rank(void) {
  int r = 0;
  if (active()) MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int dist_size(void) {
  int n = 1;
  if (active()) MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

ss_status dist_agree(ss_status local, ss_err *err) {
  int me = dist_rank(), mine = local ? me : INT_MAX, first = INT_MAX;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (first == INT_MAX) return SS_OK;
  int code = (int)local;
  MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
  ss_err msg = {{0}};
  if (me == first && err) msg = *err;
  MPI_Bcast(msg.msg, (int)sizeof msg.msg, MPI_CHAR, first, MPI_COMM_WORLD);
  if (err) *err = msg;
  if (me != first) ss_err_prefix(err, "rank %d: ", first);
  return (ss_status)code;
}

/* Gathers count_of(rank) items of `bytes` each, from base + first_of(rank), into rank 0. */
static void gather_slices(void *base, size_t bytes, const size_t *lo, const size_t *hi) {
  int n = dist_size(), me = dist_rank();
  if (me != 0) {
    MPI_Send((char *)base + lo[me] * bytes, (int)((hi[me] - lo[me]) * bytes), MPI_BYTE, 0, 0, MPI_COMM_WORLD);
    return;
  }
  for (int r = 1; r < n; r++)
    MPI_Recv((char *)base + lo[r] * bytes, (int)((hi[r] - lo[r]) * bytes), MPI_BYTE, r, 0, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
}

/* Per-task logs: every task's row counts first, then (once rank 0 has room for all of them) each
 * task's rows, in task order. */
static ss_status gather_logs(study *st, const size_t *lo, const size_t *hi, ss_err *err) {
  int n = dist_size(), me = dist_rank();
  ss_status rc = SS_OK;
  for (int r = 1; r < n; r++)
    for (size_t t = lo[r]; t < hi[r]; t++) {
      sim_log *l = &st->logs[t];
      uint64_t counts[3] = {l->n_req, l->n_ts, l->n_win};
      if (me == r) MPI_Send(counts, 3, MPI_UINT64_T, 0, 1, MPI_COMM_WORLD);
      if (me == 0) {
        MPI_Recv(counts, 3, MPI_UINT64_T, r, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        l->req = malloc((counts[0] ? counts[0] : 1) * sizeof *l->req);
        l->ts = malloc((counts[1] ? counts[1] : 1) * sizeof *l->ts);
        l->win = malloc((counts[2] ? counts[2] : 1) * sizeof *l->win);
        if (!l->req || !l->ts || !l->win)
          rc = ss_errorf(err, SS_ENOMEM, "rank 0: out of memory for the logs of task %zu", t);
        l->n_req = l->cap_req = l->req ? counts[0] : 0, l->n_ts = l->cap_ts = l->ts ? counts[1] : 0;
        l->n_win = l->cap_win = l->win ? counts[2] : 0;
      }
    }
  if ((rc = dist_agree(rc, err))) return rc;
  for (int r = 1; r < n; r++)
    for (size_t t = lo[r]; t < hi[r]; t++) {
      sim_log *l = &st->logs[t];
      uint64_t counts[3] = {l->n_req, l->n_ts, l->n_win};
      if (me == r) {
        MPI_Send(l->req, (int)(l->n_req * sizeof *l->req), MPI_BYTE, 0, 2, MPI_COMM_WORLD);
        MPI_Send(l->ts, (int)(l->n_ts * sizeof *l->ts), MPI_BYTE, 0, 3, MPI_COMM_WORLD);
        MPI_Send(&l->ts_interval_s, 1, MPI_DOUBLE, 0, 4, MPI_COMM_WORLD);
        MPI_Send(l->win, (int)(l->n_win * sizeof *l->win), MPI_BYTE, 0, 5, MPI_COMM_WORLD);
      }
      if (me == 0) {
        MPI_Recv(l->req, (int)(counts[0] * sizeof *l->req), MPI_BYTE, r, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Recv(l->ts, (int)(counts[1] * sizeof *l->ts), MPI_BYTE, r, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Recv(&l->ts_interval_s, 1, MPI_DOUBLE, r, 4, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Recv(l->win, (int)(counts[2] * sizeof *l->win), MPI_BYTE, r, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
    }
  return SS_OK;
}

ss_status dist_gather(study *st, size_t lo, size_t hi, ss_status local_rc, ss_err *err) {
  ss_status rc = dist_agree(local_rc, err);
  if (rc) return rc;
  int n = dist_size();
  size_t *rlo = malloc((size_t)n * sizeof *rlo), *rhi = malloc((size_t)n * sizeof *rhi);
  rc = rlo && rhi ? SS_OK : ss_errorf(err, SS_ENOMEM, "rank %d: out of memory for %d task ranges", dist_rank(), n);
  if ((rc = dist_agree(rc, err))) return free(rlo), free(rhi), rc;
  for (int r = 0; r < n; r++) {
    study_slice(hi - lo, (size_t)r + 1, (size_t)n, &rlo[r], &rhi[r]);
    rlo[r] += lo, rhi[r] += lo;
  }
  gather_slices(st->res, sizeof *st->res, rlo, rhi);
  gather_slices(st->slo_met, sizeof *st->slo_met, rlo, rhi);
  if (st->n_apis) gather_slices(st->api, st->n_apis * CA_COUNT * sizeof *st->api, rlo, rhi);
  if (st->logs) rc = gather_logs(st, rlo, rhi, err);
  free(rlo), free(rhi);
  return rc;
}

#else /* one process */

ss_status dist_init(int *argc, char ***argv, ss_err *err) {
  (void)argc, (void)argv, (void)err;
  return SS_OK;
}
void dist_free(void) {}
int dist_rank(void) { return 0; }
int dist_size(void) { return 1; }
ss_status dist_agree(ss_status local_rc, ss_err *err) {
  (void)err;
  return local_rc;
}
ss_status dist_gather(study *st, size_t lo, size_t hi, ss_status local_rc, ss_err *err) {
  (void)st, (void)lo, (void)hi, (void)err;
  return local_rc;
}
#endif
