/* disagg.c: the KV-transfer links of a disaggregated deployment (one FIFO link per prefill replica). */
#include "sim/disagg.h"

#include <stdlib.h>

ss_status disagg_init(disagg *d, const sim_config *c, uint32_t lo, ss_err *err) {
  const model_spec *m = c->dep.hw.model;
  const sim_disagg *g = &c->dep.disagg;
  *d = (disagg){.bytes_per_token = 2 * m->layers * m->kv_heads * m->head_dim * quant_bytes_per_weight(c->dep.hw.kv),
                .bytes_per_s = g->link_gb_s * 1e9,
                .latency_s = g->link_latency_s,
                .lo = lo,
                .n = g->replicas};
  if (!(d->link_free_s = calloc(d->n, sizeof *d->link_free_s)))
    return ss_errorf(err, SS_ENOMEM, "out of memory for %u KV links", d->n);
  return SS_OK;
}

void disagg_free(disagg *d) {
  free(d->link_free_s);
  d->link_free_s = NULL;
}

double disagg_send(disagg *d, uint32_t rep, uint32_t tokens, double t) {
  double *free_s = &d->link_free_s[rep - d->lo], start = *free_s > t ? *free_s : t;
  *free_s = start + d->latency_s + tokens * d->bytes_per_token / d->bytes_per_s;
  return *free_s;
}

void disagg_arrived(disagg *d, double wait_s, bool measured) {
  if (!measured) return;
  d->wait_sum_s += wait_s;
  d->n_measured++;
}
