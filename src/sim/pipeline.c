/* pipeline.c: the stage and host-loop sharing of pipeline.h: O(pp) per step. */
#include "sim/pipeline.h"

#include <stdlib.h>

ss_status pipeline_init(pipeline *p, uint32_t lanes, uint32_t pp, ss_err *err) {
  *p = (pipeline){.pp = pp};
  if (!(p->own = calloc(lanes, sizeof *p->own)) || !(p->host = calloc(lanes, sizeof *p->host))) {
    pipeline_free(p);
    return ss_errorf(err, SS_ENOMEM, "out of memory for %u pipeline lanes", lanes);
  }
  return SS_OK;
}

void pipeline_free(pipeline *p) {
  free(p->own), free(p->host);
  p->own = p->host = NULL;
}

double pipeline_step_s(pipeline *p, const cluster *c, uint32_t lane, double own, double host) {
  uint32_t first = lane - lane % p->pp;
  double stages = own, loop = host;
  for (uint32_t j = first; j < first + p->pp; j++)
    if (j != lane && c->rep[j].in_flight) stages += p->own[j], loop += p->host[j];
  p->own[lane] = own, p->host[lane] = host;
  stages /= p->pp;
  double t = stages > own ? stages : own;
  return loop > t ? loop : t;
}
