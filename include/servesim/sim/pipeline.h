/* pipeline.h: pipeline parallelism with micro-batches, as vLLM runs it (one scheduler per micro-batch,
 * pp of them per replica: the replica's "lanes"). A lane's step passes through the pp stages one after
 * another, so alone it takes its full forward time t (perf_step_time over all layers, stage hops
 * included) and leaves the other stages idle: the pipeline bubble. Lanes in flight together share the
 * stages: each stage works on one micro-batch at a time, so a lane's step takes
 * max(t, t / pp + sum of the other in-flight lanes' t / pp). One host loop drives all the lanes of a
 * replica in turn (TensorRT-LLM's PyExecutor runs its micro-batches one after another on each rank, vLLM's
 * engine core schedules every micro-batch of its batch queue), so the host part h of each lane's step
 * (perf_host_time: scheduling, sampling, per-token work) does not divide by the stages: a lane's step
 * also takes at least h + the other in-flight lanes' h.
 * Invariant: equal lanes keep a full pipeline at step time max(t, pp x h) each; a lone lane takes t. */
#ifndef SERVESIM_PIPELINE_H
#define SERVESIM_PIPELINE_H
#include <stdint.h>

#include "base/err.h"
#include "sim/cluster.h"

typedef struct {
  uint32_t pp;
  double *own;  /* per lane: the full forward time of its step in flight */
  double *host; /* per lane: the host-loop part of that step */
} pipeline;

ss_status pipeline_init(pipeline *p, uint32_t lanes, uint32_t pp, ss_err *err);
void pipeline_free(pipeline *p);
/* The step time of lane (pool 0 of c) whose own forward takes own seconds, host of them in the host
 * loop, the other lanes of its replica being as c says. */
double pipeline_step_s(pipeline *p, const cluster *c, uint32_t lane, double own, double host);

#endif
