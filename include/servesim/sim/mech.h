/* mech.h: the optional serving mechanisms of one replicate, set up and torn down together for the event
 * loop: the prefill pool's step-time model (disaggregated), speculative decoding's drafts, each replica's
 * step-time and power models and GPUs, prefix caches, conversations, KV links and pipeline lanes.
 * Invariant: with every mechanism off, each replica's step costs perf_step_time of the deployment and
 * nothing else is allocated or drawn, so runs are those of the simulator without them. */
#ifndef SERVESIM_MECH_H
#define SERVESIM_MECH_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "physics/perf.h"
#include "physics/specdec.h"
#include "sim/cluster.h"
#include "sim/disagg.h"
#include "sim/pipeline.h"
#include "sim/prefix.h"
#include "sim/result.h"
#include "sim/session.h"
#include "sim/sim.h"
#include "sim/workload.h"

typedef struct {
  perf_ctx perf_prefill; /* the prefill pool's model (disaggregated) */
  specdec_ctx spec[2];   /* speculative decoding's drafts, per pool */
  double (*step_time_s)(const void *ctx, const batch_shape *shape);
  const void **rep_ctx; /* per replica: its step-time model, its power model, its GPUs */
  const perf_ctx **rep_perf;
  double *rep_gpus;
  prefix_idents ids; /* prompts' content, by request id (conversations, prefix caching) */
  prefix_cache *pcs; /* per replica, prefix caching */
  session_set *sess; /* conversations; NULL: every request a lone, unshared prompt */
  disagg dis;        /* KV links of the prefill pool */
  pipeline pipe;     /* pipeline lanes */
  bool pp, prefill_pool;
  uint32_t entry;                /* the cluster pool arrivals go to */
  double spec_seqs, spec_tokens; /* drafting steps in the window: sequences, and the tokens they emitted */
} mech;

/* Before the cluster: the prefill pool's model and the drafts, and the KV blocks per replica they leave
 * (*blocks: the deployment's, updated; *pblocks: the prefill pool's; o->kv_blocks overrides both);
 * *pd receives the prefill pool's deployment. */
ss_status mech_models(mech *m, const sim_config *c, const perf_ctx *perf, const sim_opts *o, sim_deployment *pd,
                      uint64_t *blocks, uint64_t *pblocks, ss_err *err);
/* After the cluster: every replica's models, caches and draws; conversations, links and lanes. */
ss_status mech_replicas(mech *m, const sim_config *c, const perf_ctx *perf, const sim_opts *o, const sim_deployment *pd,
                        cluster *cl, wl_gen *wl, uint64_t key, ss_err *err);
void mech_free(mech *m, cluster *cl);
/* The step time of replica rep for its planned shape (pipeline lanes share their stages). */
double mech_step_s(mech *m, const cluster *cl, uint32_t rep);
/* Counts a planned step of rp whose start lies in the measured window. */
void mech_step_planned(mech *m, const sched_replica *rp);
/* All GPUs when replicas differ in size (a prefill pool), else 0. */
double mech_gpus_total(const mech *m, const cluster *cl);
/* The mechanisms' metrics: NAN when a mechanism is off (or measured nothing). */
void mech_metrics(const mech *m, const cluster *cl, sim_result *out);

#endif
