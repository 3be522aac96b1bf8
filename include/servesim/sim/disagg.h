/* disagg.h: disaggregated prefill and decode (DistServe, Splitwise). A prompt computed on a prefill
 * replica (which emits the first token) sends its KV cache to the decode pool over a link: one
 * transfer at a time per prefill replica, first come first served, each taking the link's latency plus
 * KV bytes / bandwidth. The KV of a token is the whole model's: 2 x layers x KV heads x head dim x the
 * KV format's bytes.
 * Invariant: transfers from one prefill replica never overlap, and each starts no earlier than its
 * prompt's completion. */
#ifndef SERVESIM_DISAGG_H
#define SERVESIM_DISAGG_H
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "sim/simconfig.h"

typedef struct {
  double bytes_per_token, bytes_per_s, latency_s;
  double *link_free_s; /* per prefill replica: when its link is next idle */
  uint32_t lo, n;      /* the prefill replicas' indices in the cluster */
  double wait_sum_s;   /* measured requests: prefill end to KV arrival, summed */
  uint64_t n_measured;
} disagg;

/* The links of c's prefill pool, whose replicas are lo .. lo + c->dep.disagg.replicas - 1. */
ss_status disagg_init(disagg *d, const sim_config *c, uint32_t lo, ss_err *err);
void disagg_free(disagg *d);
/* The prompt KV of `tokens` tokens, computed on prefill replica rep by time t, starts on the link when it
 * is free: the time it reaches the decode pool. */
double disagg_send(disagg *d, uint32_t rep, uint32_t tokens, double t);
/* A transfer of a measured request (or not) arrived, wait_s after its prompt completed. */
void disagg_arrived(disagg *d, double wait_s, bool measured);

#endif
