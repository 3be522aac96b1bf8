/* sched.c: the batching policies of sched.h. One plan/commit pair serves all three policies; a
 * table of per-policy switches (reserve the whole context at admission, admit only at batch
 * boundaries, keep finished members as padding) makes the differences explicit.
 * Costs: plan and commit are O(1 + prefill chunks + admissions + completions + preemptions). */
#include "sim/sched.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "physics/specdec.h"

static const struct {
  bool reserve_full, batch_boundary, pad, chunked_always;
} POLICY[] = {
    [POLICY_CONTINUOUS] = {false, false, false, false},
    [POLICY_STATIC] = {true, true, true, false},
    [POLICY_SINGLE] = {true, false, false, true},
};

/* ---- request pool ---- */

ss_status sched_pool_init(sched_pool *p, uint32_t initial, ss_err *err) {
  *p = (sched_pool){.free_head = SCHED_NONE};
  if (initial < 16) initial = 16;
  if (!(p->r = malloc(initial * sizeof *p->r))) return ss_errorf(err, SS_ENOMEM, "out of memory for requests");
  p->cap = initial;
  return SS_OK;
}

void sched_pool_free(sched_pool *p) {
  free(p->r);
  p->r = NULL;
}

uint32_t sched_pool_get(sched_pool *p, uint32_t limit) {
  uint32_t id;
  if (p->free_head != SCHED_NONE) {
    id = p->free_head;
    p->free_head = p->r[id].next;
  } else {
    if (p->used >= limit) return SCHED_NONE;
    if (p->used == p->cap) {
      uint32_t cap = p->cap > UINT32_MAX / 2 ? UINT32_MAX - 1 : 2 * p->cap;
      sched_req *r = realloc(p->r, (size_t)cap * sizeof *r);
      if (!r) return SCHED_NONE;
      p->r = r, p->cap = cap;
    }
    id = p->used++;
  }
  p->r[id] = (sched_req){.arrival_s = NAN,
                         .sched_s = NAN,
                         .first_token_s = NAN,
                         .last_token_s = NAN,
                         .prev = SCHED_NONE,
                         .next = SCHED_NONE,
                         .heap_pos = SCHED_NONE,
                         .state = RQ_WAITING};
  return id;
}

void sched_pool_put(sched_pool *p, uint32_t id) {
  p->r[id].state = RQ_FREE;
  p->r[id].next = p->free_head;
  p->free_head = id;
}

uint32_t sched_generated(const sched_pool *p, uint32_t id, uint64_t step) {
  const sched_req *r = &p->r[id];
  return r->state == RQ_DECODE ? (uint32_t)(r->output_tokens - (r->dend - step)) : r->generated;
}

/* ---- replica state ---- */

ss_status sched_init(sched_replica *rp, const sim_deployment *d, uint64_t kv_blocks, ss_err *err) {
  memset(rp, 0, sizeof *rp);
  int pol = d->policy;
  rp->policy = pol;
  rp->reserve_full = POLICY[pol].reserve_full || d->reserve_full_kv;
  rp->batch_boundary = POLICY[pol].batch_boundary;
  rp->pad = POLICY[pol].pad;
  rp->chunked = POLICY[pol].chunked_always || d->chunked_prefill;
  rp->budget = d->max_batched_tokens;
  rp->max_seqs = d->max_num_seqs;
  rp->chunk_cap = rp->chunked ? d->long_prefill_tokens : 0;
  bool batching = pol == POLICY_CONTINUOUS; /* the admission rules of continuous-batching engines */
  rp->window_steps = batching && d->num_scheduler_steps > 1 ? d->num_scheduler_steps : 1;
  rp->wait_ratio = batching ? d->waiting_served_ratio : 0;
  rp->max_wait_steps = d->max_waiting_tokens;
  if (pol == POLICY_STATIC) rp->max_seqs = d->static_batch, rp->budget = UINT32_MAX;
  if (pol == POLICY_SINGLE) rp->max_seqs = d->parallel_slots;
  /* every running decode needs one token of the budget: more sequences than tokens cannot run */
  if (rp->max_seqs > rp->budget) rp->max_seqs = rp->budget;
  rp->run_head = rp->run_tail = SCHED_NONE;
  rp->wq_cap = 64;
  rp->adv = 1;
  const model_spec *md = d->hw.model;
  rp->local_window = md->local_layers > 0 ? md->local_window : 0;
  ss_status rc = lw_init(&rp->local, md->local_attention, rp->local_window, md->max_context, err);
  if (!rc) rc = kv_init(&rp->kv, kv_blocks, d->block_size, err);
  if (rc) {
    lw_free(&rp->local);
    return rc;
  }
  rp->wq = malloc(rp->wq_cap * sizeof *rp->wq);
  rp->pf = malloc((size_t)rp->max_seqs * sizeof *rp->pf);
  rp->heap = malloc((size_t)rp->max_seqs * sizeof *rp->heap);
  rp->plan = malloc((size_t)rp->max_seqs * sizeof *rp->plan);
  if (!rp->wq || !rp->pf || !rp->heap || !rp->plan) {
    sched_free(rp);
    return ss_errorf(err, SS_ENOMEM, "out of memory for a replica of %u sequences", rp->max_seqs);
  }
  return SS_OK;
}

void sched_free(sched_replica *rp) {
  kv_free(&rp->kv);
  lw_free(&rp->local);
  free(rp->wq), free(rp->pf), free(rp->heap), free(rp->plan);
  rp->wq = rp->pf = rp->heap = NULL;
  rp->plan = NULL;
}

ss_status sched_outcome_init(sched_outcome *o, const sched_replica *rp, ss_err *err) {
  size_t n = (size_t)rp->max_seqs + 1;
  *o = (sched_outcome){0};
  o->first = malloc(n * sizeof *o->first);
  o->resumed = malloc(n * sizeof *o->resumed);
  o->finished = malloc(n * sizeof *o->finished);
  o->resumed_itl_s = malloc(n * sizeof *o->resumed_itl_s);
  if (!o->first || !o->resumed || !o->finished || !o->resumed_itl_s) {
    sched_outcome_free(o);
    return ss_errorf(err, SS_ENOMEM, "out of memory for step outcomes");
  }
  return SS_OK;
}

void sched_outcome_free(sched_outcome *o) {
  free(o->first), free(o->resumed), free(o->finished), free(o->resumed_itl_s);
  o->first = o->resumed = o->finished = NULL;
  o->resumed_itl_s = NULL;
}

bool sched_fits(const sched_replica *rp, uint32_t input_tokens, uint32_t output_tokens) {
  uint64_t context = (uint64_t)input_tokens + (rp->prefill_only ? 1 : output_tokens);
  /* without chunking, a prompt (after a recompute: prompt + output so far) must fit one step's budget */
  return kv_blocks(&rp->kv, context) <= rp->kv.capacity && (rp->chunked || context <= rp->budget);
}

/* ---- waiting queue (ring buffer) ---- */

static ss_status wq_grow(sched_replica *rp) {
  uint32_t cap = 2 * rp->wq_cap;
  uint32_t *q = malloc((size_t)cap * sizeof *q);
  if (!q) return SS_EINTERNAL;
  for (uint32_t i = 0; i < rp->wq_len; i++) q[i] = rp->wq[(rp->wq_head + i) % rp->wq_cap];
  free(rp->wq);
  rp->wq = q, rp->wq_cap = cap, rp->wq_head = 0;
  return SS_OK;
}

/* Room is kept for every request of the replica (waiting or running), so that a preempted request
 * always finds a place at the head without growing the ring. */
ss_status sched_enqueue(sched_replica *rp, sched_pool *p, uint32_t id) {
  if (rp->wq_len + rp->n_running + 1 > rp->wq_cap && wq_grow(rp)) return SS_EINTERNAL;
  rp->wq[(rp->wq_head + rp->wq_len++) % rp->wq_cap] = id;
  p->r[id].state = RQ_WAITING;
  return SS_OK;
}

/* Preempted requests go back to the head (room is guaranteed by sched_enqueue). */
static void wq_push_front(sched_replica *rp, uint32_t id) {
  rp->wq_head = (rp->wq_head + rp->wq_cap - 1) % rp->wq_cap;
  rp->wq[rp->wq_head] = id;
  rp->wq_len++;
}

static uint32_t wq_pop(sched_replica *rp) {
  uint32_t id = rp->wq[rp->wq_head];
  rp->wq_head = (rp->wq_head + 1) % rp->wq_cap;
  rp->wq_len--;
  return id;
}

/* ---- running list (admission order) ---- */

static void run_append(sched_replica *rp, sched_req *R, uint32_t id) {
  R[id].prev = rp->run_tail, R[id].next = SCHED_NONE;
  if (rp->run_tail != SCHED_NONE)
    R[rp->run_tail].next = id;
  else
    rp->run_head = id;
  rp->run_tail = id;
  rp->n_running++;
}

static void run_remove(sched_replica *rp, sched_req *R, uint32_t id) {
  uint32_t a = R[id].prev, b = R[id].next;
  if (a != SCHED_NONE)
    R[a].next = b;
  else
    rp->run_head = b;
  if (b != SCHED_NONE)
    R[b].prev = a;
  else
    rp->run_tail = a;
  rp->n_running--;
}

/* ---- completion heap (decoding set by dend) ---- */

static void heap_set(sched_replica *rp, sched_req *R, uint32_t i, uint32_t id) {
  rp->heap[i] = id;
  R[id].heap_pos = i;
}

static void heap_up(sched_replica *rp, sched_req *R, uint32_t i) {
  uint32_t id = rp->heap[i];
  while (i > 0) {
    uint32_t parent = (i - 1) / 2;
    if (R[rp->heap[parent]].dend <= R[id].dend) break;
    heap_set(rp, R, i, rp->heap[parent]);
    i = parent;
  }
  heap_set(rp, R, i, id);
}

static void heap_down(sched_replica *rp, sched_req *R, uint32_t i) {
  uint32_t id = rp->heap[i], n = rp->n_heap;
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && R[rp->heap[c + 1]].dend < R[rp->heap[c]].dend) c++;
    if (R[rp->heap[c]].dend >= R[id].dend) break;
    heap_set(rp, R, i, rp->heap[c]);
    i = c;
  }
  heap_set(rp, R, i, id);
}

static void heap_remove(sched_replica *rp, sched_req *R, uint32_t id) {
  uint32_t i = R[id].heap_pos, last = rp->heap[--rp->n_heap];
  R[id].heap_pos = SCHED_NONE;
  if (last == id) return;
  heap_set(rp, R, i, last);
  heap_up(rp, R, i);
  heap_down(rp, R, R[last].heap_pos);
}

/* ---- decoding set ---- */

static void decode_enter(sched_replica *rp, sched_req *R, uint32_t id) {
  sched_req *r = &R[id];
  r->state = RQ_DECODE;
  r->kv_off = (int64_t)r->kv_tokens - (int64_t)rp->step;
  r->dend = rp->step + (r->output_tokens - r->generated);
  rp->n_dec++;
  rp->n_dec_measured += r->measured;
  rp->sum_ctx += r->kv_tokens;
  lw_enter(&rp->local, r->kv_tokens, rp->step);
  if (!rp->reserve_full) kv_track(&rp->kv, r->kv_tokens, rp->step, +1);
  heap_set(rp, R, rp->n_heap++, id);
  heap_up(rp, R, rp->n_heap - 1);
}

/* Takes a request out of the decoding set, materialising its tokens; returns the blocks it holds. */
static uint64_t decode_leave(sched_replica *rp, sched_req *R, uint32_t id) {
  sched_req *r = &R[id];
  uint64_t kv = (uint64_t)(r->kv_off + (int64_t)rp->step);
  r->kv_tokens = (uint32_t)kv;
  r->generated = (uint32_t)(r->output_tokens - (r->dend - rp->step));
  rp->n_dec--;
  rp->n_dec_measured -= r->measured;
  rp->sum_ctx -= kv;
  lw_leave(&rp->local, kv, rp->step);
  if (r->heap_pos != SCHED_NONE) heap_remove(rp, R, id);
  if (rp->reserve_full) return r->blocks;
  kv_track(&rp->kv, kv, rp->step, -1);
  /* blocks taken for this step's tokens belong to it too */
  return kv_blocks(&rp->kv, kv + (rp->dec_allocated ? rp->adv : 0));
}

/* A request lets go of its blocks (prefix caching: its full blocks stay cached). */
static void release(sched_replica *rp, const sched_req *r, uint32_t id, uint64_t blocks) {
  if (!rp->pc) {
    kv_release(&rp->kv, blocks);
    return;
  }
  uint32_t last = r->input_tokens + r->output_tokens - 1; /* KV written; speculative overshoot dropped */
  uint32_t written = r->kv_tokens < last ? r->kv_tokens : last;
  prefix_release(rp->pc, id, written / rp->kv.block_size, blocks);
}

/* Recompute preemption of the newest running request: blocks freed, back to the head of the queue. */
static uint32_t preempt_newest(sched_replica *rp, sched_pool *p, double now) {
  sched_req *R = p->r;
  uint32_t id = rp->run_tail;
  sched_req *r = &R[id];
  uint64_t blocks;
  if (r->state == RQ_DECODE) {
    blocks = decode_leave(rp, R, id);
    r->last_token_s = now; /* a decoding request emitted a token when the previous step ended */
  } else {
    blocks = r->blocks;
    rp->n_pf--; /* the newest prefilling request is the last of pf */
  }
  release(rp, r, id, blocks);
  run_remove(rp, R, id);
  r->blocks = 0, r->kv_tokens = 0, r->computed = 0;
  r->state = RQ_WAITING;
  r->preemptions++;
  rp->preemptions++;
  wq_push_front(rp, id);
  return id;
}

/* ---- admission rules of particular engines ---- */

/* Waiting requests (from the head) the admission loop below could take now, without taking them. */
static uint32_t admissible(const sched_replica *rp, const sched_pool *p, uint64_t left) {
  uint64_t free_blocks = kv_free_blocks(&rp->kv);
  uint32_t n = 0;
  for (uint32_t i = 0; i < rp->wq_len && rp->n_running + n < rp->max_seqs && left > 0; i++, n++) {
    const sched_req *r = &p->r[rp->wq[(rp->wq_head + i) % rp->wq_cap]];
    uint32_t prompt = r->input_tokens + r->generated;
    if (!rp->chunked && prompt > left) break;
    uint64_t chunk = prompt < left ? prompt : left;
    uint64_t nb = kv_blocks(&rp->kv, rp->reserve_full ? (uint64_t)r->input_tokens + r->output_tokens : chunk);
    if (nb > free_blocks) break;
    free_blocks -= nb, left -= chunk;
  }
  return n;
}

/* Whether waiting requests may be admitted this step. A multi-step window admits nobody until it ends
 * (vLLM). TGI's router joins a new batch to a running one only when at least floor(ratio x running)
 * requests can join together, or when max_waiting_tokens decode steps ran since the last join. */
static bool may_join(const sched_replica *rp, const sched_pool *p, uint64_t left) {
  if (rp->window_left > 0) return false;
  if (!(rp->wait_ratio > 0) || rp->n_running == 0 || rp->waited_steps >= rp->max_wait_steps) return true;
  return admissible(rp, p, left) >= (uint32_t)floor(rp->n_running * rp->wait_ratio);
}

/* After planning: a decode-only step opens (or continues) a multi-step window; the TGI counter of
 * decode steps since the last join advances or restarts. */
static void after_plan(sched_replica *rp, uint32_t admitted) {
  if (rp->window_steps > 1)
    rp->window_left = rp->n_plan ? 0 : rp->window_left ? rp->window_left - 1 : rp->window_steps - 1;
  if (admitted)
    rp->waited_steps = 1;
  else if (rp->n_dec)
    rp->waited_steps++;
}

static void plan_add(sched_replica *rp, uint32_t id, uint32_t chunk, uint32_t before) {
  rp->plan[rp->n_plan++] = (sched_chunk){id, chunk, before};
}

/* vLLM's long_prefill_token_threshold: one prompt's chunk takes at most chunk_cap tokens of a step. */
static uint32_t cap_chunk(const sched_replica *rp, uint32_t chunk) {
  return rp->chunk_cap && chunk > rp->chunk_cap ? rp->chunk_cap : chunk;
}

/* 0. waiting requests whose prompt KV came from a prefill replica join the decoding set directly. */
static void admit_decodes(sched_replica *rp, sched_req *R) {
  while (rp->wq_len && R[rp->wq[rp->wq_head]].kv_tokens && rp->n_running < rp->max_seqs) {
    uint32_t id = rp->wq[rp->wq_head];
    sched_req *r = &R[id];
    uint64_t nb = kv_blocks(&rp->kv, rp->reserve_full ? (uint64_t)r->input_tokens + r->output_tokens : r->kv_tokens);
    if (!kv_try_alloc(&rp->kv, nb)) return;
    wq_pop(rp);
    r->blocks = nb;
    run_append(rp, R, id);
    decode_enter(rp, R, id);
  }
}

bool sched_plan(sched_replica *rp, sched_pool *p, double now, uint32_t *preempted) {
  sched_req *R = p->r;
  kv_cache *kv = &rp->kv;
  rp->n_plan = 0;
  rp->dec_allocated = false;
  admit_decodes(rp, R);
  /* 1. running decodes, one token each (speculative: the step's accepted tokens + 1); preempt the
   * newest until their blocks fit */
  bool spec = rp->spec_rng && rp->n_dec && (!rp->spec_max_batch || rp->n_dec <= rp->spec_max_batch);
  rp->adv = spec ? 1 + specdec_accepted(gsl_rng_uniform(rp->spec_rng), rp->spec_accept, rp->spec_k) : 1;
  uint64_t need = rp->reserve_full ? 0 : kv_decode_need_n(kv, rp->step, rp->adv);
  while (need > kv_free_blocks(kv) && rp->n_running) {
    preempt_newest(rp, p, now);
    ++*preempted;
    need = kv_decode_need_n(kv, rp->step, rp->adv);
  }
  kv_try_alloc(kv, need);
  rp->dec_allocated = true;
  uint64_t left = rp->budget > rp->n_dec ? rp->budget - rp->n_dec : 0;
  /* 2. running prefills, in admission order */
  for (uint32_t i = 0; i < rp->n_pf && left > 0; i++) {
    uint32_t id = rp->pf[i];
    sched_req *r = &R[id];
    uint32_t chunk = cap_chunk(rp, (uint32_t)fmin((double)(r->prompt_tokens - r->computed), (double)left));
    uint64_t nb = rp->reserve_full ? 0 : kv_blocks(kv, r->computed + chunk) - r->blocks;
    bool self_preempted = false;
    while (!kv_try_alloc(kv, nb)) {
      self_preempted = rp->run_tail == id;
      preempt_newest(rp, p, now);
      ++*preempted;
      if (self_preempted) break;
    }
    if (self_preempted) break;
    r->blocks += nb;
    plan_add(rp, id, chunk, r->computed);
    left -= chunk;
  }
  /* 3. waiting requests, first come first served */
  bool may_admit = (!rp->batch_boundary || (rp->n_running == 0 && rp->pad_n == 0)) && may_join(rp, p, left);
  uint32_t admitted = 0;
  while (may_admit && rp->wq_len && rp->n_running < rp->max_seqs && left > 0) {
    uint32_t id = rp->wq[rp->wq_head];
    sched_req *r = &R[id];
    if (r->kv_tokens) break; /* its KV arrived: it waits for blocks to join the decoding set (step 0) */
    uint32_t prompt = r->input_tokens + r->generated;
    uint32_t hit = 0, unheld = 0; /* prefix caching: cached blocks at the prompt's head */
    if (rp->pc) hit = prefix_probe(rp->pc, &rp->pc->ids->v[id], prompt, &unheld);
    uint32_t cached = hit * kv->block_size;
    if (!rp->chunked && prompt - cached > left) break;
    uint32_t chunk = cap_chunk(rp, (uint32_t)fmin((double)(prompt - cached), (double)left));
    uint64_t nb = kv_blocks(kv, rp->reserve_full ? (uint64_t)r->input_tokens + r->output_tokens : cached + chunk) - hit;
    if (nb + unheld > kv_free_blocks(kv)) break;
    if (rp->pc) prefix_hold(rp->pc, id, hit, prompt, r->measured);
    kv_try_alloc(kv, nb);
    wq_pop(rp);
    r->state = RQ_PREFILL;
    r->prompt_tokens = prompt, r->computed = cached, r->kv_tokens = cached, r->blocks = nb + hit;
    if (isnan(r->sched_s)) r->sched_s = now;
    run_append(rp, R, id);
    rp->pf[rp->n_pf++] = id;
    plan_add(rp, id, chunk, cached);
    left -= chunk;
    admitted++;
  }
  after_plan(rp, admitted);
  /* the shape of the step */
  batch_shape *s = &rp->shape;
  *s = (batch_shape){.n_decode = rp->n_dec + rp->pad_n,
                     .decode_ctx = (double)(rp->sum_ctx + rp->pad_ctx),
                     .decode_ctx_local = (double)(rp->local.window ? rp->local.sum : rp->sum_ctx) + rp->pad_ctx_local,
                     .n_prefill = rp->n_plan,
                     .n_sampled = rp->n_dec + rp->pad_n,
                     .spec_tokens = spec ? rp->spec_k : 0};
  for (uint32_t i = 0; i < rp->n_plan; i++) {
    const sched_chunk *c = &rp->plan[i];
    s->prefill_tokens += c->chunk;
    s->prefill_attn += c->chunk * (c->before + c->chunk / 2.0);
    s->prefill_attn_local += model_local_chunk_attn(rp->local.kind, rp->local_window, c->before, c->chunk);
    s->n_sampled += c->before + c->chunk == R[c->id].prompt_tokens;
  }
  rp->in_flight = s->n_decode + s->n_prefill > 0;
  return rp->in_flight;
}

/* A request emitted its last token: out of the running set; its blocks are freed (or kept as
 * padding of a static batch until the batch ends). */
static void finish(sched_replica *rp, sched_req *R, uint32_t id, sched_outcome *o) {
  sched_req *r = &R[id];
  uint64_t blocks = r->state == RQ_DECODE ? decode_leave(rp, R, id) : r->blocks;
  run_remove(rp, R, id);
  if (rp->pad) {
    rp->pad_n++;
    rp->pad_ctx += r->kv_tokens;
    rp->pad_ctx_local += model_local_ctx(rp->local.kind, rp->local_window, r->kv_tokens);
    rp->pad_blocks += blocks;
  } else {
    release(rp, r, id, blocks);
  }
  r->state = RQ_DONE;
  r->generated = r->output_tokens;
  o->finished[o->n_finished++] = id;
}

void sched_commit(sched_replica *rp, sched_pool *p, double t, sched_outcome *o) {
  sched_req *R = p->r;
  o->n_first = o->n_resumed = o->n_finished = 0;
  o->out_tokens = (double)rp->n_dec * rp->adv;
  o->in_tokens = 0;
  o->itl_zero = (uint64_t)rp->n_dec_measured * (rp->adv - 1);
  rp->in_flight = false;
  lw_advance(&rp->local, rp->step, rp->adv);
  rp->step += rp->adv;
  rp->sum_ctx += (uint64_t)rp->n_dec * rp->adv;
  rp->dec_allocated = false;
  while (rp->n_heap && R[rp->heap[0]].dend <= rp->step) {
    sched_req *r = &R[rp->heap[0]];
    uint64_t past = rp->step - r->dend; /* speculative: tokens accepted beyond the last one are dropped */
    o->out_tokens -= (double)past;
    if (r->measured) o->itl_zero -= past;
    finish(rp, R, rp->heap[0], o);
  }
  uint32_t kept = 0;
  for (uint32_t i = 0; i < rp->n_plan; i++) {
    uint32_t id = rp->plan[i].id;
    sched_req *r = &R[id];
    r->computed += rp->plan[i].chunk;
    r->kv_tokens = r->computed;
    if (rp->pc) prefix_publish(rp->pc, id, r->computed / rp->kv.block_size);
    if (r->computed < r->prompt_tokens) continue;
    r->generated++;
    o->out_tokens++;
    if (isnan(r->first_token_s)) {
      r->first_token_s = t;
      o->first[o->n_first++] = id;
      o->in_tokens += r->input_tokens;
    } else {
      o->resumed_itl_s[o->n_resumed] = t - r->last_token_s;
      o->resumed[o->n_resumed++] = id;
    }
    r->last_token_s = t;
    r->state = RQ_DONE; /* marks it for removal from pf below */
    if (r->generated >= r->output_tokens || rp->prefill_only) {
      r->state = RQ_PREFILL; /* finish() reads the prefill blocks */
      finish(rp, R, id, o);
    } else {
      decode_enter(rp, R, id);
    }
  }
  for (uint32_t i = 0; i < rp->n_pf; i++)
    if (R[rp->pf[i]].state == RQ_PREFILL) rp->pf[kept++] = rp->pf[i];
  rp->n_pf = kept;
  if (rp->n_dec == 0) rp->window_left = 0; /* nothing left to decode: the window ends */
  if (rp->pad && rp->n_running == 0 && rp->pad_n) {
    kv_release(&rp->kv, rp->pad_blocks);
    rp->pad_n = 0, rp->pad_ctx = 0, rp->pad_blocks = 0, rp->pad_ctx_local = 0;
  }
}

uint32_t sched_stop(sched_replica *rp, sched_pool *p, double now) {
  uint32_t running = rp->n_running;
  while (rp->n_running) preempt_newest(rp, p, now);
  if (rp->pad_n) kv_release(&rp->kv, rp->pad_blocks);
  rp->pad_n = 0, rp->pad_ctx = 0, rp->pad_blocks = 0, rp->pad_ctx_local = 0;
  rp->in_flight = false, rp->dec_allocated = false, rp->n_plan = 0;
  return running;
}

uint32_t sched_dequeue(sched_replica *rp) { return rp->wq_len ? wq_pop(rp) : SCHED_NONE; }
