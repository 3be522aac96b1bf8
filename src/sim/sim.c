/* sim.c: the discrete-event loop of one replicate. Events sit in a binary heap ordered by
 * (time, priority, seq) and are dispatched through a handler table. Fast-forward: a replica whose
 * step ends before the next event in the heap runs its next step at once, without the heap; since
 * decoding requests are kept relative to the replica's step counter (sched.h), a run of decode
 * steps touches no request until one completes. Step times are still summed step by step, so a
 * fast-forwarded run is bit-identical to the same run with every step pushed through the heap.
 * Invariant: requests in system = arrived - finished - rejected, at every event. */
#include "sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "sim/cluster.h"
#include "sim/fleet.h"
#include "sim/mech.h"
#include "sim/metrics.h"
#include "sim/multimodel.h"
#include "sim/sched.h"
#include "sim/workload.h"

/* Saturation rule (docs/sim.md): the waiting queue (requests not running), sampled at SAT_MARKS even
 * points of the measured window, trends upwards over its second half (least-squares slope x half length) by more
 * than max(SAT_GROWTH_MIN, SAT_GROWTH_FRAC x arrivals in that half) with a slope t statistic above
 * SAT_T_MIN (the climb stands out of the queue's own wandering), or more than
 * SAT_UNFINISHED_FRAC of all arrivals are still unfinished when the drain ends. */
#define SAT_MARKS           64
#define SAT_GROWTH_MIN      10.0
#define SAT_GROWTH_FRAC     0.03
#define SAT_UNFINISHED_FRAC 0.001
/* Samples 8 s apart are autocorrelated, so the usual 2 is far too lax: 4 keeps false alarms rare. */
#define SAT_T_MIN           4.0
/* After the horizon, arrivals stop and requests in flight may finish for at most this long. */
#define DRAIN_MIN_S         60.0
#define DRAIN_FRAC          0.5
/* Requests in flight beyond this are refused (counted unfinished): bounded memory in overload. */
#define SIM_MAX_IN_FLIGHT   (1u << 18)
/* A closed-loop user whose request was refused tries again after its think time plus this. */
#define RETRY_BACKOFF_S     1.0
#define TS_ROWS             1000.0

/* EV_USER: a closed-loop user is ready to send; EV_LAUNCH: the serial benchmark client sends its request;
 * EV_TURN: a conversation's next turn; EV_KV: a prompt's KV reaches the decode pool (disaggregated);
 * EV_FLEET: an instance of a changing fleet changes state */
typedef enum {
  EV_MARK,
  EV_HORIZON,
  EV_SAMPLE,
  EV_ARRIVAL,
  EV_USER,
  EV_LAUNCH,
  EV_STEP,
  EV_END,
  EV_TURN,
  EV_KV,
  EV_FLEET,
  EV_COUNT
} ev_type;
/* Same-time order: bookkeeping (a replica that becomes ready included), then arrivals, then replica
 * steps (so simultaneous arrivals all see the first step), then the end. */
static const uint8_t EV_PRIO[EV_COUNT] = {
    [EV_MARK] = 0,   [EV_HORIZON] = 0, [EV_SAMPLE] = 0, [EV_FLEET] = 0, [EV_ARRIVAL] = 1, [EV_USER] = 1,
    [EV_LAUNCH] = 1, [EV_TURN] = 1,    [EV_KV] = 1,     [EV_STEP] = 2,  [EV_END] = 3};

typedef struct {
  double t;
  uint64_t key; /* priority << 56 | seq */
  uint32_t type, arg;
} ev;

typedef struct sim {
  const sim_config *cfg;
  bool fast_forward, offline;
  double gpus_per_replica;
  uint32_t max_in_flight;
  perf_ctx perf;
  mech mx; /* the optional serving mechanisms */
  wl_gen *wl;
  wl_req next; /* the pending open-loop arrival */
  cluster cl;
  bool *active; /* replica has a step in flight or a kick pending */
  sched_pool pool;
  sched_outcome out;
  metrics_acc m;
  ev *heap;
  size_t n_heap, cap_heap;
  uint64_t seq;
  double t_horizon;
  bool arrivals_open, stop;
  bool counted; /* workload.arrival.requests: arrivals stop after a count, and the run ends when it drains */
  double api_s; /* the engine's front end per request (api_latency_s): a closed-loop user's next request
                 * reaches the engine that much later, and every TTFT and end-to-end latency includes it */
  /* workload.arrival.client_s: when the serial client finishes its last preparation */
  double client_free_s;
  uint32_t round_done; /* workload.arrival.rounds: users of the current round answered (or refused) so far */
  uint64_t in_system, arrived_mid, arrived_horizon;
  uint64_t refused_measured; /* refused requests that arrived in the measured window */
  double n_mark[SAT_MARKS], q_total, kv_occ_max, last_finish_s;
  sim_log *log;
  double ts_next;
  fleet *fl; /* a changing fleet or the windows; NULL: neither */
  sim_stats st;
  ss_status rc;
  ss_err *err;
} sim;

/* ---- event heap ---- */

static bool ev_before(const ev *a, const ev *b) { return a->t < b->t || (a->t == b->t && a->key < b->key); }

static void ev_push(sim *s, double t, ev_type type, uint32_t arg) {
  if (s->n_heap == s->cap_heap) {
    size_t cap = s->cap_heap ? 2 * s->cap_heap : 64;
    ev *h = realloc(s->heap, cap * sizeof *h);
    if (!h) {
      s->rc = ss_errorf(s->err, SS_ENOMEM, "out of memory for the event heap");
      s->stop = true;
      return;
    }
    s->heap = h, s->cap_heap = cap;
  }
  ev e = {t, ((uint64_t)EV_PRIO[type] << 56) | s->seq++, type, arg};
  size_t i = s->n_heap++;
  while (i > 0 && ev_before(&e, &s->heap[(i - 1) / 2])) {
    s->heap[i] = s->heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  s->heap[i] = e;
}

static ev ev_pop(sim *s) {
  ev top = s->heap[0], last = s->heap[--s->n_heap];
  size_t i = 0, n = s->n_heap;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && ev_before(&s->heap[c + 1], &s->heap[c])) c++;
    if (!ev_before(&s->heap[c], &last)) break;
    s->heap[i] = s->heap[c];
    i = c;
  }
  if (n) s->heap[i] = last;
  return top;
}

static double next_event_s(const sim *s) { return s->n_heap ? s->heap[0].t : INFINITY; }

/* ---- logs ---- */

/* The log array old with room for row n (capacity doubling from 1024); NULL when out of memory, and
 * then the run stops with an error (old stays valid and is freed with the log). */
static void *log_room(sim *s, void *old, size_t *cap, size_t n, size_t elem) {
  if (n < *cap) return old;
  size_t c = *cap ? 2 * *cap : 1024;
  void *q = realloc(old, c * elem);
  if (!q) {
    s->rc = ss_errorf(s->err, SS_ENOMEM, "out of memory for the request log or time series");
    s->stop = true;
    return NULL;
  }
  *cap = c;
  return q;
}

static void log_request(sim *s, const sched_req *r) {
  sim_log *l = s->log;
  if (!l || !s->cfg->log_requests) return;
  if (s->cfg->log_max_rows > 0 && (double)l->n_req >= s->cfg->log_max_rows) { /* memory stays bounded */
    if (!s->rc)
      s->rc = ss_errorf(s->err, SS_EDATA,
                        "key 'output.requests': the per-request log of this replicate passed %.0f rows; allowed: at "
                        "most limits.max_log_rows (raise it, shorten the horizon, or set output.requests: false)",
                        s->cfg->log_max_rows);
    s->stop = true;
    return;
  }
  sim_request_row *rows = log_room(s, l->req, &l->cap_req, l->n_req, sizeof *l->req);
  if (!rows) return;
  l->req = rows;
  l->req[l->n_req++] =
      (sim_request_row){r->arrival_s,    r->first_token_s, r->state == RQ_DONE ? s->last_finish_s : NAN,
                        r->input_tokens, r->output_tokens, r->replica,
                        r->preemptions,  r->sched_s,       r->seq};
}

static void log_sample(sim *s, double t) {
  sim_log *l = s->log;
  double running = 0, used = 0, cap = 0;
  for (uint32_t i = 0; i < s->cl.n; i++) {
    if (s->cl.serving && !s->cl.serving[i] && !s->cl.rep[i].n_running) continue; /* off or standby */
    running += s->cl.rep[i].n_running;
    used += (double)s->cl.rep[i].kv.used;
    cap += (double)s->cl.rep[i].kv.capacity;
  }
  sim_ts_row *rows = log_room(s, l->ts, &l->cap_ts, l->n_ts, sizeof *l->ts);
  if (!rows) return;
  l->ts = rows;
  l->ts[l->n_ts++] = (sim_ts_row){t, s->q_total, running, cap > 0 ? used / cap : 0};
}

/* The fleet's windows into the log, one row each. */
static void log_windows(sim *s) {
  sim_log *l = s->log;
  const win_set *w = fleet_windows(s->fl);
  if (!l || !w) return;
  for (size_t k = 0; k < win_count(w); k++) {
    sim_window_row *rows = log_room(s, l->win, &l->cap_win, l->n_win, sizeof *l->win);
    if (!rows) return;
    l->win = rows;
    win_row(w, k, &l->win[l->n_win++]);
  }
}

/* ---- requests ---- */

static void queue_changed(sim *s, double t, double delta) {
  if (delta == 0) return;
  s->q_total += delta;
  metrics_queue(&s->m, t, s->q_total);
}

static void kick(sim *s, uint32_t rep, double t) {
  if (s->active[rep]) return;
  s->active[rep] = true;
  ev_push(s, t, EV_STEP, rep);
}

static void fail_oom(sim *s, const char *what) {
  s->rc = ss_errorf(s->err, SS_ENOMEM, "out of memory for %s", what);
  s->stop = true;
}

/* The replica a request goes to: its conversation's (session affinity, while that replica serves),
 * the one caching most of its prompt (prefix affinity), or the router's choice, in the pool arrivals
 * go to; CLUSTER_NONE when no replica of a changing fleet serves. */
static uint32_t route(sim *s, const prefix_ident *ident, uint32_t prompt) {
  int router = s->cfg->dep.router;
  uint32_t slot = ident ? ident->session : PREFIX_NONE;
  uint32_t held = slot != PREFIX_NONE ? session_replica(s->mx.sess, slot) : PREFIX_NONE;
  if (router == ROUTE_SESSION_AFFINITY && held != PREFIX_NONE && cluster_serves(&s->cl, held)) return held;
  uint32_t rep = router == ROUTE_PREFIX_AFFINITY
                     ? cluster_route_prefix(&s->cl, s->mx.entry, ident, prompt, s->cfg->dep.router_balance)
                     : cluster_route(&s->cl, s->mx.entry);
  if (slot != PREFIX_NONE && rep != CLUSTER_NONE) session_set_replica(s->mx.sess, slot, rep);
  return rep;
}

/* A closed-loop user is ready to send again at t: at once, or, when the client runs rounds
 * (workload.arrival.rounds), every user together once the round's last request is answered or refused. */
static void user_ready(sim *s, double t, uint32_t user) {
  if (!s->cfg->wl.rounds) {
    ev_push(s, t, EV_USER, user);
    return;
  }
  if (++s->round_done < s->cfg->wl.users) return;
  s->round_done = 0;
  for (uint32_t u = 0; u < s->cfg->wl.users; u++) ev_push(s, t, EV_USER, u);
}

/* A request arrives with a prompt of `in` tokens (ident: what the prompt holds, or NULL). */
static void enqueue_request(sim *s, double t, uint32_t in, uint32_t out, uint32_t user, const prefix_ident *ident) {
  s->st.arrived++;
  metrics_arrival(&s->m, t);
  if (s->counted && s->st.arrived >= s->cfg->wl.requests) { /* the client sent its last request */
    s->arrivals_open = false;
    s->arrived_horizon = s->st.arrived;
  }
  if (s->fl) fleet_arrival(s->fl, t);
  uint32_t rep = route(s, ident, in); /* CLUSTER_NONE: no replica serves, the fleet holds it */
  const sched_replica *fit = &s->cl.rep[rep == CLUSTER_NONE ? 0 : rep];
  bool fits = sched_fits(fit, in, out) && (!s->mx.prefill_pool || sched_fits(&s->cl.rep[0], in, out));
  uint32_t id = fits ? sched_pool_get(&s->pool, s->max_in_flight) : SCHED_NONE;
  if (id == SCHED_NONE) { /* can never fit the KV cache, or too many in flight */
    s->st.rejected++;
    if (ident && ident->session != PREFIX_NONE) session_end(s->mx.sess, ident->session);
    s->refused_measured += metrics_in_window(&s->m, t);
    if (user != SCHED_NONE) user_ready(s, t + wl_think_s(s->wl) + RETRY_BACKOFF_S, user);
    return;
  }
  if (ident && prefix_idents_set(&s->mx.ids, id, ident, s->err)) {
    s->rc = SS_ENOMEM, s->stop = true;
    return;
  }
  sched_req *r = &s->pool.r[id];
  r->arrival_s = t, r->input_tokens = in, r->output_tokens = out, r->user = user, r->replica = rep;
  r->seq = (uint32_t)(s->st.arrived - 1);
  r->measured = metrics_in_window(&s->m, t);
  if (rep == CLUSTER_NONE ? fleet_pend(s->fl, id) : sched_enqueue(&s->cl.rep[rep], &s->pool, id)) {
    fail_oom(s, "the waiting queue");
    return;
  }
  s->in_system++;
  metrics_in_system(&s->m, t, (double)s->in_system);
  queue_changed(s, t, 1);
  if (rep != CLUSTER_NONE) kick(s, rep, t);
}

/* A new request (a new conversation's first turn when conversations or prefix caching are on). */
static void new_request(sim *s, double t, uint32_t in, uint32_t out, uint32_t user) {
  prefix_ident ident;
  uint32_t prompt = in;
  if (s->mx.sess && session_start(s->mx.sess, in, user, &ident, &prompt, s->err)) {
    s->rc = SS_ENOMEM, s->stop = true;
    return;
  }
  enqueue_request(s, t, prompt, out, user, s->mx.sess ? &ident : NULL);
}

/* A turn finished: its conversation's next turn follows a think time; a closed-loop user whose
 * conversation ended sends again after its own think time. */
static void next_request(sim *s, const sched_req *r, uint32_t id, double t) {
  uint32_t user = r->user, slot = s->mx.sess ? s->mx.ids.v[id].session : PREFIX_NONE;
  double think_s;
  if (slot != PREFIX_NONE &&
      session_answered(s->mx.sess, &s->mx.ids.v[id], r->input_tokens, r->output_tokens, &think_s, &user))
    ev_push(s, t + think_s + s->api_s, EV_TURN, slot);
  else if (user != SCHED_NONE)
    user_ready(s, t + wl_think_s(s->wl) + s->api_s, user);
}

/* ---- the fleet's requests (fleet.h): waiting ones routed again, lost ones failed ---- */

static void place_request(void *ctx, uint32_t id, double t) {
  sim *s = ctx;
  uint32_t rep = cluster_route(&s->cl, s->mx.entry);
  s->pool.r[id].replica = rep;
  if (rep == CLUSTER_NONE ? fleet_pend(s->fl, id) : sched_enqueue(&s->cl.rep[rep], &s->pool, id)) {
    fail_oom(s, "the waiting queue");
    return;
  }
  if (rep != CLUSTER_NONE) kick(s, rep, t);
}

static void lose_request(void *ctx, uint32_t id, double t) {
  sim *s = ctx;
  sched_req *r = &s->pool.r[id];
  queue_changed(s, t, -1);
  s->st.rejected++, s->st.lost++;
  s->refused_measured += r->measured; /* unfinished, in the window's bookkeeping */
  uint32_t slot = s->mx.sess ? s->mx.ids.v[id].session : PREFIX_NONE;
  if (slot != PREFIX_NONE) session_end(s->mx.sess, slot);
  s->in_system--;
  metrics_in_system(&s->m, t, (double)s->in_system);
  log_request(s, r);
  if (r->user != SCHED_NONE) user_ready(s, t + wl_think_s(s->wl) + RETRY_BACKOFF_S, r->user);
  sched_pool_put(&s->pool, id);
}

static void fleet_push(void *ctx, double t, uint32_t arg) { ev_push(ctx, t, EV_FLEET, arg); }
static void fleet_queue(void *ctx, double t, double delta) { queue_changed(ctx, t, delta); }
static bool fleet_stepping(const void *ctx, uint32_t rep) { return ((const sim *)ctx)->active[rep]; }

static void request_done(sim *s, uint32_t id, double t) {
  sched_req *r = &s->pool.r[id];
  metrics_req mr = {r->arrival_s, r->sched_s, r->first_token_s, t, r->output_tokens, s->api_s};
  metrics_finish(&s->m, &mr);
  if (s->fl) fleet_finish(s->fl, &mr);
  s->st.finished++;
  s->st.tokens_of_finished += r->output_tokens;
  if (r->measured) s->st.itl_expected += r->output_tokens - 1;
  s->last_finish_s = t;
  log_request(s, r);
  s->in_system--;
  metrics_in_system(&s->m, t, (double)s->in_system);
  next_request(s, r, id, t);
  sched_pool_put(&s->pool, id);
}

/* Disaggregated: a prompt computed on prefill replica rep sends its KV to the decode pool. */
static void hand_off(sim *s, uint32_t id, uint32_t rep, double t) {
  sched_req *r = &s->pool.r[id];
  r->state = RQ_WAITING, r->generated = 1, r->kv_tokens = r->input_tokens;
  ev_push(s, disagg_send(&s->mx.dis, rep, r->input_tokens, t), EV_KV, id);
}

/* ---- replica steps ---- */

static void step_outcome(sim *s, uint32_t rep, double t) {
  const sched_outcome *o = &s->out;
  metrics_tokens(&s->m, t, o->out_tokens, o->in_tokens);
  if (s->fl) fleet_tokens(s->fl, t, o->out_tokens);
  s->st.tokens_emitted += (uint64_t)o->out_tokens;
  for (uint32_t i = 0; i < o->n_resumed; i++)
    if (s->pool.r[o->resumed[i]].measured) metrics_hist_add(&s->m.itl, o->resumed_itl_s[i], 1);
  if (o->itl_zero) metrics_hist_add(&s->m.itl, 0, o->itl_zero); /* tokens that came with another */
  bool prefill_only = s->cl.rep[rep].prefill_only;
  for (uint32_t i = 0; i < o->n_finished; i++) {
    uint32_t id = o->finished[i];
    if (prefill_only && s->pool.r[id].output_tokens > 1)
      hand_off(s, id, rep, t);
    else
      request_done(s, id, t);
  }
}

/* Commits the step that ended at t (if any) and starts the next; steps that end before the next
 * event are run inline (fast-forward). */
static void run_replica(sim *s, uint32_t rep, double t) {
  sched_replica *rp = &s->cl.rep[rep];
  for (;;) {
    if (rp->in_flight) {
      sched_commit(rp, &s->pool, t, &s->out);
      step_outcome(s, rep, t);
    }
    uint32_t preempted = 0, waiting = rp->wq_len;
    bool any = sched_plan(rp, &s->pool, t, &preempted);
    queue_changed(s, t, (double)rp->wq_len - (double)waiting);
    s->st.preemptions += preempted;
    if (metrics_in_window(&s->m, t)) s->m.preemptions += preempted;
    if (!any) {
      s->active[rep] = false;
      if (s->fl) fleet_idle(s->fl, rep, t);
      return;
    }
    double t_end = t + mech_step_s(&s->mx, &s->cl, rep), gpus = s->mx.rep_gpus[rep];
    s->st.steps++;
    if (s->fl) fleet_step(s->fl, rep, t, t_end);
    metrics_step(&s->m, t, t_end, (double)rp->kv.used,
                 gpus * perf_step_power_w(s->mx.rep_perf[rep], &rp->shape, t_end - t), gpus, (double)rp->kv.capacity);
    if (metrics_in_window(&s->m, t)) mech_step_planned(&s->mx, rp);
    if (rp->n_dec_measured) metrics_hist_add(&s->m.itl, t_end - t, rp->n_dec_measured);
    double occ = (double)rp->kv.used / (double)rp->kv.capacity;
    if (occ > s->kv_occ_max && t_end > s->m.lo_s && t < s->m.hi_s) s->kv_occ_max = occ;
    if (s->fast_forward && t_end < next_event_s(s) && !s->stop) {
      s->st.inline_steps++;
      t = t_end;
      continue;
    }
    ev_push(s, t_end, EV_STEP, rep);
    return;
  }
}

/* ---- handlers ---- */

static void on_arrival(sim *s, const ev *e) {
  if (!s->arrivals_open) return;
  new_request(s, e->t, s->next.input_tokens, s->next.output_tokens, SCHED_NONE);
  if (wl_next(s->wl, &s->next)) ev_push(s, s->next.t_s, EV_ARRIVAL, 0);
}

static void on_launch(sim *s, const ev *e) {
  if (!s->arrivals_open) return;
  uint32_t in, out;
  wl_lengths(s->wl, &in, &out);
  new_request(s, e->t, in, out, e->arg);
}

/* A ready user's request goes out at once, or, behind a serial client (workload.arrival.client_s), when
 * the client has prepared it: users are served first come, first served, client_s each. */
static void on_user(sim *s, const ev *e) {
  double prep = s->cfg->wl.client_s;
  if (prep <= 0) {
    on_launch(s, e);
    return;
  }
  s->client_free_s = fmax(e->t, s->client_free_s) + prep;
  ev_push(s, s->client_free_s, EV_LAUNCH, e->arg);
}

static void on_step(sim *s, const ev *e) {
  if (s->fl && !fleet_step_ok(s->fl, e->arg)) { /* the replica was lost while this step ran */
    s->active[e->arg] = false;
    return;
  }
  run_replica(s, e->arg, e->t);
}

static void on_fleet(sim *s, const ev *e) { fleet_event(s->fl, e->t, e->arg); }

static void on_turn(sim *s, const ev *e) {
  prefix_ident ident;
  uint32_t prompt, out, user;
  if (!s->arrivals_open)
    session_end(s->mx.sess, e->arg);
  else if (session_turn(s->mx.sess, e->arg, &ident, &prompt, &out, &user))
    enqueue_request(s, e->t, prompt, out, user, &ident);
  else if (user != SCHED_NONE) /* the conversation outgrew the context: the user starts another */
    user_ready(s, e->t + wl_think_s(s->wl), user);
}

/* A prompt's KV reached the decode pool: the request waits there to join the decoding set. */
static void on_kv(sim *s, const ev *e) {
  sched_req *r = &s->pool.r[e->arg];
  disagg_arrived(&s->mx.dis, e->t - r->first_token_s, r->measured);
  uint32_t rep = cluster_route(&s->cl, 0);
  r->replica = rep;
  if (sched_enqueue(&s->cl.rep[rep], &s->pool, e->arg)) {
    fail_oom(s, "the waiting queue");
    return;
  }
  queue_changed(s, e->t, 1);
  kick(s, rep, e->t);
}

static double mark_s(const sim *s, uint32_t k) { return s->m.lo_s + (k + 1) * (s->t_horizon - s->m.lo_s) / SAT_MARKS; }

static void on_mark(sim *s, const ev *e) {
  s->n_mark[e->arg] = s->q_total;
  if (e->arg == SAT_MARKS / 2 - 1) s->arrived_mid = s->st.arrived;
  if (e->arg + 1 < SAT_MARKS) ev_push(s, mark_s(s, e->arg + 1), EV_MARK, e->arg + 1);
}

static void on_horizon(sim *s, const ev *e) {
  (void)e;
  s->arrivals_open = false;
  s->arrived_horizon = s->st.arrived;
}

/* Growth of the waiting queue over the second half of the measured window (least-squares
 * slope x half length), and the slope's t statistic against the residual noise: a stable queue
 * with heavy-tailed lengths wanders a lot, a saturated one climbs steadily. (The queue, not the
 * requests in system: a stable batch holds a wandering number of requests, an overloaded one makes
 * arrivals wait in ever greater numbers.) */
static double second_half_growth(const sim *s, double *t_stat) {
  double n = SAT_MARKS / 2, st = 0, sn = 0, stt = 0, stn = 0;
  for (uint32_t k = SAT_MARKS / 2; k < SAT_MARKS; k++) {
    double t = mark_s(s, k);
    st += t, sn += s->n_mark[k], stt += t * t, stn += t * s->n_mark[k];
  }
  double sxx = stt - st * st / n, slope = (stn - st * sn / n) / sxx, rss = 0;
  for (uint32_t k = SAT_MARKS / 2; k < SAT_MARKS; k++) {
    double r = s->n_mark[k] - (sn / n + slope * (mark_s(s, k) - st / n));
    rss += r * r;
  }
  double se = sqrt(rss / (n - 2) / sxx);
  *t_stat = se > 0 ? slope / se : (slope > 0 ? INFINITY : 0);
  return slope * 0.5 * (s->t_horizon - s->m.lo_s);
}

static void on_sample(sim *s, const ev *e) {
  log_sample(s, e->t);
  double next = e->t + s->log->ts_interval_s;
  if (next <= s->t_horizon) ev_push(s, next, EV_SAMPLE, 0);
}

static void on_end(sim *s, const ev *e) {
  (void)e;
  s->stop = true;
}

typedef void (*ev_handler)(sim *s, const ev *e);
static const ev_handler HANDLERS[EV_COUNT] = {
    [EV_MARK] = on_mark, [EV_HORIZON] = on_horizon, [EV_SAMPLE] = on_sample, [EV_ARRIVAL] = on_arrival,
    [EV_USER] = on_user, [EV_LAUNCH] = on_launch,   [EV_STEP] = on_step,     [EV_END] = on_end,
    [EV_TURN] = on_turn, [EV_KV] = on_kv,           [EV_FLEET] = on_fleet,
};

/* ---- setup, loop, results ---- */

static ss_status sim_setup(sim *s, const sim_config *c, uint64_t seed, uint64_t replicate, const sim_opts *o,
                           sim_log *log) {
  ss_status rc;
  perf_opts po;
  sim_config_perf_opts(c, &po);
  if ((rc = perf_init(&s->perf, &c->dep.hw, &po, s->err))) return rc;
  s->fast_forward = !o->no_fast_forward;
  s->api_s = c->dep.hw.engine->api_latency_s;
  s->gpus_per_replica = c->dep.tp;
  s->max_in_flight = o->max_in_flight ? o->max_in_flight : SIM_MAX_IN_FLIGHT;
  uint64_t blocks = o->kv_blocks ? o->kv_blocks : s->perf.mem.kv_blocks, pblocks, key = rng_key(seed, 0, replicate);
  sim_deployment pd, slots = c->dep;
  slots.replicas = fleet_slots(c); /* a changing fleet needs room for replicas coming and going */
  if ((rc = mech_models(&s->mx, c, &s->perf, o, &pd, &blocks, &pblocks, s->err)) ||
      (rc = wl_init(&s->wl, &c->wl, key, s->err)) ||
      (rc = cluster_init(&s->cl, &slots, blocks, s->mx.prefill_pool ? &pd : NULL, pblocks, s->err)) ||
      (rc = mech_replicas(&s->mx, c, &s->perf, o, &pd, &s->cl, s->wl, key, s->err)))
    return rc;
  if ((rc = sched_outcome_init(&s->out, &s->cl.rep[0], s->err))) return rc;
  if ((rc = sched_pool_init(&s->pool, 1024, s->err))) return rc;
  if (!(s->active = calloc(s->cl.n, sizeof *s->active))) return ss_errorf(s->err, SS_ENOMEM, "out of memory");
  s->offline = c->wl.process == ARR_OFFLINE;
  s->counted = c->wl.requests > 0 && !s->offline && c->wl.process != ARR_TRACE;
  double lo = s->offline ? 0 : c->warmup_s; /* offline: everything arrives at t = 0 */
  s->t_horizon = c->duration_s;
  metrics_init(&s->m, lo, s->t_horizon, c->slo_ttft_s, c->slo_tpot_s);
  s->arrivals_open = true;
  s->log = log;
  double drain = s->offline ? 0 : fmax(DRAIN_MIN_S, DRAIN_FRAC * (s->t_horizon - lo));
  if (sim_fleet_dynamic(c) || c->fleet.windows == WIN_ON) {
    fleet_host h = {s, fleet_push, place_request, lose_request, fleet_queue, fleet_stepping};
    double weights = s->perf.mem.weight_bytes * c->dep.tp;
    if ((rc = fleet_init(&s->fl, c, &s->cl, &s->pool, weights, rng_key(seed, 0, replicate), lo, s->t_horizon, &h,
                         s->err)))
      return rc;
  }
  ev_push(s, mark_s(s, 0), EV_MARK, 0);
  double close = c->arrivals_until_s > s->t_horizon ? c->arrivals_until_s : s->t_horizon; /* arrivals stop */
  ev_push(s, close, EV_HORIZON, 0);
  ev_push(s, close + drain, EV_END, 0);
  if (log && c->log_timeseries) {
    log->ts_interval_s = c->duration_s / TS_ROWS;
    ev_push(s, 0, EV_SAMPLE, 0);
  }
  if (wl_is_closed(s->wl))
    for (uint32_t u = 0; u < c->wl.users; u++) ev_push(s, 0, EV_USER, u);
  else if (wl_next(s->wl, &s->next))
    ev_push(s, s->next.t_s, EV_ARRIVAL, 0);
  return s->rc;
}

static void sim_teardown(sim *s) {
  fleet_free(s->fl);
  mech_free(&s->mx, &s->cl);
  wl_free(s->wl);
  if (s->cl.rep) cluster_free(&s->cl);
  sched_outcome_free(&s->out);
  sched_pool_free(&s->pool);
  free(s->active);
  free(s->heap);
}

static void sim_finish(sim *s, sim_result *out) {
  /* requests still in the system: tokens so far, and the log; those that arrived in the measured
   * window are unfinished in the window's bookkeeping, with the refused ones */
  uint64_t unfinished_measured = s->refused_measured;
  for (uint32_t id = 0; id < s->pool.used; id++) {
    const sched_req *r = &s->pool.r[id];
    if (r->state == RQ_FREE) continue;
    s->st.tokens_of_unfinished +=
        sched_generated(&s->pool, id, r->replica < s->cl.n ? s->cl.rep[r->replica].step : 0); /* or pending */
    unfinished_measured += r->measured;
    log_request(s, r);
  }
  uint64_t kv_peak = 0;
  for (uint32_t i = 0; i < s->cl.n; i++)
    if (s->cl.rep[i].kv.peak > kv_peak) kv_peak = s->cl.rep[i].kv.peak;
  s->st.unfinished = s->in_system + s->st.rejected;
  s->st.kv_peak_blocks = kv_peak;
  s->st.kv_capacity_blocks = s->cl.rep[0].kv.capacity;
  s->st.peak_in_flight = s->pool.used;
  s->st.itl_samples = s->m.itl.n;
  double t_stat, growth = second_half_growth(s, &t_stat), half_arrivals = (double)(s->arrived_horizon - s->arrived_mid);
  bool grew = !s->offline && growth > fmax(SAT_GROWTH_MIN, SAT_GROWTH_FRAC * half_arrivals) && t_stat > SAT_T_MIN;
  /* requests lost with a replica (fleet.lost_work: fail) are unfinished, but not a sign of overload */
  bool left = (double)(s->st.unfinished - s->st.lost) > SAT_UNFINISHED_FRAC * (double)s->st.arrived;
  double T = s->t_horizon - s->m.lo_s;
  if ((s->offline || s->counted) && !s->st.unfinished && s->last_finish_s > 0) T = fmin(T, s->last_finish_s);
  bool dynamic = s->fl && sim_fleet_dynamic(s->cfg);
  if (s->fl) fleet_close(s->fl, s->st.end_s);
  double served = dynamic ? fleet_replicas_mean(s->fl) : s->cl.n;
  metrics_final f = {.replicas = served,
                     .replicas_billed = dynamic ? fleet_replicas_billed_mean(s->fl) : served,
                     .gpus_per_replica = s->gpus_per_replica,
                     .gpus_total = mech_gpus_total(&s->mx, &s->cl),
                     .idle_w = s->perf.power.idle_w,
                     .kv_capacity_blocks = (double)s->st.kv_capacity_blocks,
                     .kv_occupancy_max = s->kv_occ_max,
                     .measured_s = T,
                     .unfinished = unfinished_measured,
                     .saturated = grew || left};
  s->st.mean_in_system = metrics_mean_in_system(&s->m, T);
  metrics_finalize(&s->m, &f, out);
  mech_metrics(&s->mx, &s->cl, out);
  if (s->fl)
    fleet_rows(s->fl, out), log_windows(s);
  else
    fleet_static_rows(s->cfg, out);
}

ss_status sim_run_opts(const sim_config *c, uint64_t seed, uint64_t replicate, const sim_opts *opts, sim_result *out,
                       sim_log *log, sim_stats *stats, ss_err *err) {
  static const sim_opts defaults = {0};
  sim *s = calloc(1, sizeof *s);
  if (!s) return ss_errorf(err, SS_ENOMEM, "out of memory for the simulator");
  s->cfg = c;
  s->err = err;
  result_clear(out);
  ss_status rc = sim_setup(s, c, seed, replicate, opts ? opts : &defaults, log);
  if (rc) goto fail;
  while (s->n_heap && !s->stop) {
    ev e = ev_pop(s);
    s->st.heap_events++;
    HANDLERS[e.type](s, &e);
    s->st.end_s = e.t;
    if (!s->arrivals_open && s->in_system == 0) break; /* drained */
  }
  if ((rc = s->rc)) goto fail;
  sim_finish(s, out);
  if ((rc = s->rc)) goto fail;
  if (stats) *stats = s->st;
  if (opts && opts->metrics_out) *opts->metrics_out = s->m;
fail:
  sim_teardown(s);
  free(s);
  return rc;
}

ss_status sim_run(const sim_config *c, uint64_t seed, uint64_t replicate, sim_result *out, sim_log *log, ss_err *err) {
  if (sim_multimodel(c)) return mm_run(c, seed, replicate, out, log, err); /* several deployments or a cache */
  return sim_run_opts(c, seed, replicate, NULL, out, log, NULL, err);
}

void sim_log_free(sim_log *log) {
  if (!log) return;
  free(log->req);
  free(log->ts);
  free(log->win);
  free(log->win_pool_gpu_h);
  *log = (sim_log){0};
}
