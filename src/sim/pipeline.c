/* pipeline.c: the stage sharing of pipeline.h: O(pp) per step. */
#include "sim/pipeline.h"

#include <stdlib.h>

ss_status pipeline_init(pipeline *p, uint32_t lanes, uint32_t pp, ss_err *err) {
  *p = (pipeline){.pp = pp};
  if (!(p->own = calloc(lanes, sizeof *p->own)))
    return ss_errorf(err, SS_ENOMEM, "out of memory for %u pipeline lanes", lanes);
  return SS_OK;
}

void pipeline_free(pipeline *p) {
  free(p->own);
  p->own = NULL;
}

double pipeline_step_s(pipeline *p, const cluster *c, uint32_t lane, double own) {
  uint32_t first = lane - lane % p->pp;
  double shared = own;
  for (uint32_t j = first; j < first + p->pp; j++)
    if (j != lane && c->rep[j].in_flight) shared += p->own[j];
  p->own[lane] = own;
  shared /= p->pp;
  return shared > own ? shared : own;
}
