/* sched.h: batching policies on one replica: continuous batching like vLLM v1 (running decodes
 * first, then chunked prefill FCFS within the token budget and max sequences; paged KV blocks;
 * the newest running request is preempted, by recompute, when blocks run out), static batching
 * (a batch of up to B runs to its longest member) and single-stream slots (llama.cpp style). Two engine
 * mechanisms delay admissions: vLLM's multi-step scheduling (one scheduling call plans a window of
 * num_scheduler_steps decode steps; arrivals wait for its end) and TGI's join rule (waiting requests
 * join a running batch only when at least waiting_served_ratio x its size can be admitted together, or
 * after max_waiting_tokens decode steps without a join).
 * Decoding sequences advance in lockstep, so their state is kept relative to the replica's step
 * counter (tokens = offset + step): a decode step costs O(1) whatever the batch size. Under
 * speculative decoding the counter advances by the step's accepted tokens + 1, one draw shared by the
 * step's sequences. Prefix caching (prefix.h) and disaggregated prefill are optional hooks.
 * Invariant: KV blocks in use never exceed capacity; every request is in exactly one of the
 * waiting queue, the prefilling set or the decoding set (or free). */
#ifndef SERVESIM_SCHED_H
#define SERVESIM_SCHED_H
#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "physics/perf.h"
#include "sim/kvcache.h"
#include "sim/localwin.h"
#include "sim/prefix.h"
#include "sim/simconfig.h"

#define SCHED_NONE UINT32_MAX

typedef enum { RQ_FREE, RQ_WAITING, RQ_PREFILL, RQ_DECODE, RQ_DONE } sched_state;

typedef struct {
  double arrival_s, sched_s, first_token_s, last_token_s; /* NAN until reached */
  int64_t kv_off;                                         /* while decoding: KV tokens = kv_off + step */
  uint64_t dend;   /* while decoding: the step after which the last token is out */
  uint64_t blocks; /* blocks held while prefilling (reserving policies: all the time) */
  uint32_t input_tokens, output_tokens;
  uint32_t kv_tokens;               /* while not decoding */
  uint32_t generated;               /* while not decoding: output tokens emitted so far */
  uint32_t prompt_tokens, computed; /* (re)prefill target and progress */
  uint32_t prev, next;              /* running list in admission order; next is also the free list */
  uint32_t heap_pos;                /* position in the completion heap while decoding */
  uint32_t user, replica, preemptions;
  uint32_t seq;  /* arrival order (sim.h's sim_request_row.seq) */
  uint8_t state; /* sched_state */
  bool measured; /* arrived inside the measured window */
} sched_req;

/* Request slots, recycled through a free list: memory follows requests in flight, not requests served. */
typedef struct {
  sched_req *r;
  uint32_t cap, used, peak, free_head;
} sched_pool;

ss_status sched_pool_init(sched_pool *p, uint32_t initial, ss_err *err);
void sched_pool_free(sched_pool *p);
/* A cleared slot, or SCHED_NONE when out of memory or at limit slots. May move p->r. */
uint32_t sched_pool_get(sched_pool *p, uint32_t limit);
void sched_pool_put(sched_pool *p, uint32_t id);
/* Generated tokens of a request in any state. */
uint32_t sched_generated(const sched_pool *p, uint32_t id, uint64_t step);

typedef struct {
  uint32_t id, chunk, before; /* prefill chunk of `chunk` tokens on top of `before` computed ones */
} sched_chunk;

typedef struct {
  int policy; /* engine_policy */
  uint32_t max_seqs, budget;
  uint32_t chunk_cap; /* chunked prefill: most tokens of one prompt per step (0: the budget) */
  bool chunked, reserve_full, batch_boundary, pad;
  kv_cache kv;
  uint32_t *wq, wq_cap, wq_head, wq_len; /* waiting queue (ring; preempted requests go to the front) */
  uint32_t run_head, run_tail, n_running;
  uint32_t *pf, n_pf;     /* prefilling requests, admission order */
  uint64_t step, sum_ctx; /* step counter; KV tokens of the decoding set */
  uint32_t n_dec, n_dec_measured;
  uint32_t *heap, n_heap; /* decoding set by dend (min-heap) */
  uint32_t pad_n;         /* static: finished members still padding the batch */
  uint64_t pad_ctx, pad_blocks;
  lw_tracker local;     /* what the model's local-attention layers read of the decoding set */
  double local_window;  /* those layers' window, tokens (0: none); local.kind their model_local */
  double pad_ctx_local; /* static: what they read of the padding members */
  sched_chunk *plan;    /* the step in flight */
  uint32_t n_plan;
  bool in_flight, dec_allocated;
  uint32_t window_steps, window_left; /* multi-step: steps per window, steps still to run in this one */
  double wait_ratio;                  /* TGI join rule: waiting_served_ratio (0 = off), max_waiting_tokens */
  uint32_t max_wait_steps, waited_steps;
  batch_shape shape;
  uint64_t preemptions;
  /* optional mechanisms, set by the caller after sched_init (all off: NULL, false) */
  prefix_cache *pc;                     /* automatic prefix caching */
  bool prefill_only;                    /* disaggregated prefill: a request leaves once its prompt is computed */
  gsl_rng *spec_rng;                    /* speculative decoding: draws the accepted draft tokens of each step */
  uint32_t spec_k, spec_max_batch, adv; /* draft tokens; batch cap; tokens each sequence advances this step */
  double spec_accept;
} sched_replica;

/* What a step did, for the caller's metrics (ids stay valid until the caller frees them). */
typedef struct {
  uint32_t *first, *resumed, *finished;
  double *resumed_itl_s; /* gap since the last token before a preemption */
  uint32_t n_first, n_resumed, n_finished;
  double out_tokens, in_tokens;
  uint64_t itl_zero; /* tokens of measured sequences that came in the same step as another (gap 0) */
} sched_outcome;

ss_status sched_init(sched_replica *rp, const sim_deployment *d, uint64_t kv_blocks, ss_err *err);
void sched_free(sched_replica *rp);
/* Outcome buffers large enough for any step of rp. */
ss_status sched_outcome_init(sched_outcome *o, const sched_replica *rp, ss_err *err);
void sched_outcome_free(sched_outcome *o);

/* Whether a request of these lengths can ever run on the replica: its full context fits the cache
 * (and, without chunked prefill, one step's token budget). */
bool sched_fits(const sched_replica *rp, uint32_t input_tokens, uint32_t output_tokens);
/* Queues a new request (at the back). A waiting request that already holds prompt KV (kv_tokens > 0:
 * sent by a prefill replica) joins the decoding set without a prefill. */
ss_status sched_enqueue(sched_replica *rp, sched_pool *p, uint32_t id);
/* Forms the next step at time now: allocates blocks, preempts when needed (count added to
 * *preempted), fills rp->shape and rp->plan. False when there is nothing to run. */
bool sched_plan(sched_replica *rp, sched_pool *p, double now, uint32_t *preempted);
/* Applies the step in flight, which ended at t. */
void sched_commit(sched_replica *rp, sched_pool *p, double t, sched_outcome *o);
/* Stops the replica (it was lost): the step in flight is abandoned and every running request is
 * preempted by recompute (keeping the tokens it emitted) to the head of the waiting queue, so the
 * replica holds no KV block. Returns how many were running. */
uint32_t sched_stop(sched_replica *rp, sched_pool *p, double now);
/* Takes the request at the head of the waiting queue off the replica; SCHED_NONE when none waits. */
uint32_t sched_dequeue(sched_replica *rp);
/* Requests waiting plus running (the router's "outstanding"). */
static inline uint32_t sched_outstanding(const sched_replica *rp) { return rp->wq_len + rp->n_running; }
/* True when the step in flight decodes only (no prefill chunk, no admission). */
static inline bool sched_decode_only(const sched_replica *rp) { return rp->n_plan == 0; }

#endif
