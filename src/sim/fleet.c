/* fleet.c: the instance lifecycle, the autoscaler's control loop, losses and replacements, the pending
 * buffer, and the accounting (serving and billed replica-time, lifetimes rounded to the billing
 * granularity, windows) of fleet.h. Fleet events carry (kind, slot); an event is acted on only when the
 * slot's state and scheduled time still match it, so events of a replaced instance fall through. */
#include "sim/fleet.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "sim/autoscale.h"

typedef enum { SL_OFF, SL_BOOT, SL_READY, SL_SPARE, SL_DRAIN, SL_NOTICE } slot_state;
typedef enum { FE_TICK, FE_BILL, FE_READY, FE_FAIL, FE_NOTICE, FE_RECLAIM } fleet_event_kind;
#define KIND_SHIFT 28
#define SLOT_MASK  ((1u << KIND_SHIFT) - 1)

typedef struct {
  uint8_t state;
  bool spot, billed, stale; /* stale: a step event of a lost instance is still in the heap */
  double launch_s, bill_from_s, ready_at_s, fail_at_s, notice_at_s, reclaim_at_s;
  double fail_after_s, notice_after_s; /* drawn at launch, counted from readiness */
} fl_slot;

/* Counts of the measured window, by fleet_metric row. */
typedef struct {
  double cold_starts, interruptions, failures, requeued, lost;
} fl_counts;

struct fleet {
  const sim_config *cfg;
  cluster *cl;
  sched_pool *pool;
  fleet_host h;
  bool dynamic;
  fl_slot *slot;
  uint8_t *serving;
  uint32_t n_slots, spec, spares;
  autoscale as;
  bool has_as;
  double tp, prov_s, cold_s, spot_rate_s, fail_rate_s;
  gsl_rng *r_spot, *r_fail;
  uint32_t *pend, pend_cap, pend_head, pend_len;
  double period_arrivals, period_busy_s;
  /* accounting */
  double lo, hi, t_acc;
  uint32_t n_active, n_billed, n_spot, active_at_lo, billed_at_lo, active_max;
  bool active_changed, billed_changed;
  double active_area, billed_area, spot_area, extra_s, extra_spot_s;
  fl_counts c;
  win_set *win;
};

/* ---- accounting ---- */

static double overlap(double a, double b, double lo, double hi) {
  double x = fmax(a, lo), y = fmin(b, hi);
  return y > x ? y - x : 0;
}

/* Integrates the serving and billed counts from the last accounting time to t. */
static void account(fleet *f, double t) {
  double a = f->t_acc, d = overlap(a, t, f->lo, f->hi);
  if (t <= a) return;
  f->active_area += f->n_active * d;
  f->billed_area += f->n_billed * d;
  f->spot_area += f->n_spot * d;
  if (f->win) {
    win_add_interval(f->win, WF_SERVING_S, a, t, f->n_active);
    win_add_interval(f->win, WF_BILLED_S, a, t, f->n_billed);
    win_add_interval(f->win, WF_BILLED_SPOT_S, a, t, f->n_spot);
  }
  f->t_acc = t;
}

static bool is_active(int s) { return s == SL_READY || s == SL_DRAIN || s == SL_NOTICE; }

static void add_counts(fleet *f, const fl_slot *s, int sign) {
  f->n_active += (uint32_t)(sign * is_active(s->state));
  bool billed = s->billed && s->state != SL_OFF;
  f->n_billed += (uint32_t)(sign * billed);
  f->n_spot += (uint32_t)(sign * (billed && s->spot));
}

/* Moves slot i to state `to` at t (billed as `billed`), keeping the counts, the mask and the window's
 * record of whether the counts changed inside it. */
static void set_state(fleet *f, uint32_t i, int to, bool billed, double t) {
  fl_slot *s = &f->slot[i];
  uint32_t active = f->n_active, bill = f->n_billed;
  account(f, t);
  add_counts(f, s, -1);
  s->state = (uint8_t)to, s->billed = billed;
  add_counts(f, s, +1);
  f->serving[i] = to == SL_READY;
  if (t >= f->hi) return;
  if (t <= f->lo) {
    f->active_at_lo = f->n_active, f->billed_at_lo = f->n_billed;
    return;
  }
  f->active_changed |= f->n_active != active, f->billed_changed |= f->n_billed != bill;
  if (f->n_active > f->active_max) f->active_max = f->n_active;
}

static bool in_window(const fleet *f, double t) { return t >= f->lo && t < f->hi; }

/* Counts event `w` (a window field) at t in the windows and, inside the measured window, in *count. */
static void tally(fleet *f, double *n, win_field w, double t) {
  if (in_window(f, t)) ++*n;
  if (f->win) win_add(f->win, w, t, 1);
}

/* The billed lifetime of slot i ends at t; `rounded`: the user stopped it, so the billing granularity
 * applies (a provider's reclaim is billed to the second). */
static void end_billing(fleet *f, uint32_t i, double t, bool rounded) {
  const fl_slot *s = &f->slot[i];
  const sim_fleet *c = &f->cfg->fleet;
  if (!s->billed || !rounded) return;
  double life = t - s->bill_from_s;
  double extra = c->billing == BILL_PER_HOUR ? ceil(life / 3600.0 - 1e-9) * 3600.0 - life : c->billing_min_s - life;
  if (!(extra > 0)) return;
  if (in_window(f, t)) f->extra_s += extra, f->extra_spot_s += s->spot ? extra : 0;
  if (f->win) win_add(f->win, WF_BILLED_S, t, extra), win_add(f->win, WF_BILLED_SPOT_S, t, s->spot ? extra : 0);
}

static void go_off(fleet *f, uint32_t i, double t, bool rounded) {
  end_billing(f, i, t, rounded);
  set_state(f, i, SL_OFF, false, t);
}

/* ---- requests ---- */

ss_status fleet_pend(fleet *f, uint32_t id) {
  if (f->pend_len == f->pend_cap) {
    uint32_t cap = f->pend_cap ? 2 * f->pend_cap : 64, *q = malloc((size_t)cap * sizeof *q);
    if (!q) return SS_ENOMEM;
    for (uint32_t k = 0; k < f->pend_len; k++) q[k] = f->pend[(f->pend_head + k) % f->pend_cap];
    free(f->pend);
    f->pend = q, f->pend_cap = cap, f->pend_head = 0;
  }
  f->pend[(f->pend_head + f->pend_len++) % f->pend_cap] = id;
  return SS_OK;
}

/* A replica started serving: the requests waiting for one are routed (in arrival order). */
static void dispatch_pending(fleet *f, double t) {
  for (uint32_t n = f->pend_len; n > 0; n--) {
    uint32_t id = f->pend[f->pend_head];
    f->pend_head = (f->pend_head + 1) % f->pend_cap, f->pend_len--;
    f->h.place(f->h.ctx, id, t);
  }
}

/* Slot i is lost at t (it is off already): its requests are routed again or fail, in queue order. */
static void evict(fleet *f, uint32_t i, double t) {
  sched_replica *rp = &f->cl->rep[i];
  f->slot[i].stale = f->h.stepping(f->h.ctx, i);
  f->h.queue(f->h.ctx, t, sched_stop(rp, f->pool, t)); /* the running ones wait again */
  bool requeue = f->cfg->fleet.lost_work == LOST_REQUEUE;
  for (uint32_t id; (id = sched_dequeue(rp)) != SCHED_NONE;) {
    if (requeue) {
      if (in_window(f, t)) f->c.requeued++;
      f->h.place(f->h.ctx, id, t);
    } else {
      tally(f, &f->c.lost, WF_LOST, t);
      f->h.lose(f->h.ctx, id, t);
    }
  }
}

/* ---- instances ---- */

static void push(fleet *f, double t, int kind, uint32_t i) {
  if (isfinite(t)) f->h.push(f->h.ctx, t, ((uint32_t)kind << KIND_SHIFT) | i);
}

static uint32_t count_state(const fleet *f, int state) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < f->n_slots; i++) n += f->slot[i].state == state;
  return n;
}

/* Whether the next launch is spot: spot instances make up spot_share of those above the on-demand base
 * (as an AWS Auto Scaling group's mixed-instances policy), among booting and serving ones. */
static bool want_spot(const fleet *f) {
  const sim_fleet *c = &f->cfg->fleet;
  double total = 1, spot = 0;
  for (uint32_t i = 0; i < f->n_slots; i++)
    if (f->slot[i].state == SL_BOOT || f->slot[i].state == SL_READY) total++, spot += f->slot[i].spot;
  return spot < floor(c->spot_share * fmax(0, total - c->on_demand_base) + 1e-9);
}

/* Draws the failure and interruption times of a new instance (from readiness on). */
static void draw_hazards(fleet *f, fl_slot *s) {
  s->fail_after_s = f->fail_rate_s > 0 ? gsl_ran_exponential(f->r_fail, 1.0 / f->fail_rate_s) : INFINITY;
  s->notice_after_s = s->spot && f->spot_rate_s > 0 ? gsl_ran_exponential(f->r_spot, 1.0 / f->spot_rate_s) : INFINITY;
}

/* Slot i starts serving (or standing by) at t; its failure and interruption clocks start. */
static void become_up(fleet *f, uint32_t i, int state, double t) {
  fl_slot *s = &f->slot[i];
  s->fail_at_s = t + s->fail_after_s, s->notice_at_s = t + s->notice_after_s;
  set_state(f, i, state, true, t);
  push(f, s->fail_at_s, FE_FAIL, i);
  push(f, s->notice_at_s, FE_NOTICE, i);
  if (state == SL_READY) dispatch_pending(f, t);
}

/* Launches an instance at t whose provisioning starts after `delay`; false when no slot is free. */
static bool launch(fleet *f, double t, double delay) {
  uint32_t i = 0;
  while (i < f->n_slots && (f->slot[i].state != SL_OFF || f->slot[i].stale)) i++;
  if (i == f->n_slots) return false;
  fl_slot *s = &f->slot[i];
  *s = (fl_slot){.state = SL_OFF, .spot = want_spot(f), .launch_s = t};
  s->bill_from_s = t + delay + f->prov_s, s->ready_at_s = t + delay + f->cold_s;
  draw_hazards(f, s);
  tally(f, &f->c.cold_starts, WF_COLD_STARTS, t);
  set_state(f, i, SL_BOOT, false, t);
  push(f, s->bill_from_s, FE_BILL, i);
  push(f, s->ready_at_s, FE_READY, i);
  return true;
}

/* The serving replica with the fewest requests (the cheapest to drain; ties: the highest slot). */
static uint32_t least_loaded(const fleet *f, int state) {
  uint32_t best = CLUSTER_NONE, load = UINT32_MAX;
  for (uint32_t i = 0; i < f->n_slots; i++) {
    uint32_t l = sched_outstanding(&f->cl->rep[i]);
    if (f->slot[i].state == state && l <= load) best = i, load = l;
  }
  return best;
}

/* A replica stops taking requests at t; it goes off once empty (at once when it already is). */
static void drain(fleet *f, uint32_t i, int state, double t) {
  set_state(f, i, state, true, t);
  if (!sched_outstanding(&f->cl->rep[i]) && !f->h.stepping(f->h.ctx, i)) go_off(f, i, t, true);
}

/* Brings the fleet to spec serving replicas plus the standby ones: standby replicas take over first,
 * launches (after `delay`) make up the rest; booting instances are cancelled, then serving replicas
 * drained, when there are too many. */
static void reconcile(fleet *f, double t, double delay) {
  uint32_t ready = count_state(f, SL_READY), spare = count_state(f, SL_SPARE), boot = count_state(f, SL_BOOT);
  for (uint32_t i = 0; i < f->n_slots && ready < f->spec; i++)
    if (f->slot[i].state == SL_SPARE) set_state(f, i, SL_READY, true, t), ready++, spare--, dispatch_pending(f, t);
  uint32_t want = f->spec + f->spares, have = ready + spare + boot;
  while (have < want && launch(f, t, delay)) have++;
  for (uint32_t i = f->n_slots; i-- > 0 && have > want && boot;) /* the newest booting instances first */
    if (f->slot[i].state == SL_BOOT) go_off(f, i, t, true), have--, boot--;
  for (; ready > f->spec; ready--) drain(f, least_loaded(f, SL_READY), SL_DRAIN, t);
}

/* Slot i is lost at t (failure or reclaim): off, its work requeued or failed, a replacement launched. */
static void lose(fleet *f, uint32_t i, double t, bool rounded, double delay) {
  go_off(f, i, t, rounded);
  evict(f, i, t);
  reconcile(f, t, delay);
}

/* ---- events ---- */

static double metric_total(fleet *f) {
  const sim_autoscale *a = &f->cfg->fleet.as;
  double m = f->pend_len;
  switch (a->metric) {
  case AS_RPS: return f->period_arrivals / a->period_s;
  case AS_UTILISATION: return f->period_busy_s / a->period_s;
  default:
    for (uint32_t i = 0; i < f->n_slots; i++)
      if (f->slot[i].state == SL_READY) {
        const sched_replica *rp = &f->cl->rep[i];
        m += rp->wq_len + (a->metric == AS_CONCURRENCY ? rp->n_running : 0);
      }
    return m;
  }
}

static void on_tick(fleet *f, double t) {
  f->spec = autoscale_decide(&f->as, t, f->spec, metric_total(f));
  f->period_arrivals = f->period_busy_s = 0;
  reconcile(f, t, 0);
  push(f, t + f->cfg->fleet.as.period_s, FE_TICK, 0);
}

static void on_ready(fleet *f, uint32_t i, double t) {
  uint32_t ready = count_state(f, SL_READY), spare = count_state(f, SL_SPARE);
  if (ready < f->spec)
    become_up(f, i, SL_READY, t);
  else if (spare < f->spares)
    become_up(f, i, SL_SPARE, t);
  else
    go_off(f, i, t, true); /* no longer wanted */
}

static void on_notice(fleet *f, uint32_t i, double t) {
  const sim_fleet *c = &f->cfg->fleet;
  fl_slot *s = &f->slot[i];
  tally(f, &f->c.interruptions, WF_INTERRUPTIONS, t);
  s->reclaim_at_s = t + c->spot_notice_s;
  if (s->state == SL_SPARE) {
    go_off(f, i, t, true);
  } else {
    drain(f, i, SL_NOTICE, t);
    if (s->state == SL_NOTICE) push(f, s->reclaim_at_s, FE_RECLAIM, i);
  }
  reconcile(f, t, c->replace_s);
}

void fleet_event(fleet *f, double t, uint32_t arg) {
  uint32_t kind = arg >> KIND_SHIFT, i = arg & SLOT_MASK;
  fl_slot *s = &f->slot[i];
  bool up = s->state == SL_READY || s->state == SL_SPARE || s->state == SL_DRAIN;
  switch (kind) {
  case FE_TICK: on_tick(f, t); break;
  case FE_BILL:
    if (s->state == SL_BOOT && t == s->bill_from_s) set_state(f, i, SL_BOOT, true, t);
    break;
  case FE_READY:
    if (s->state == SL_BOOT && t == s->ready_at_s) on_ready(f, i, t);
    break;
  case FE_FAIL:
    if ((up || s->state == SL_NOTICE) && t == s->fail_at_s) {
      tally(f, &f->c.failures, WF_FAILURES, t);
      lose(f, i, t, true, f->cfg->fleet.mttr_s);
    }
    break;
  case FE_NOTICE:
    if (up && t == s->notice_at_s) on_notice(f, i, t);
    break;
  default: /* FE_RECLAIM */
    if (s->state == SL_NOTICE && t == s->reclaim_at_s) lose(f, i, t, false, 0);
  }
}

/* ---- what the event loop reports ---- */

void fleet_arrival(fleet *f, double t) {
  f->period_arrivals++;
  if (f->win) win_arrival(f->win, t);
}

void fleet_finish(fleet *f, const metrics_req *r) {
  if (f->win) win_finish(f->win, r);
}

void fleet_tokens(fleet *f, double t, double out_tokens) {
  if (f->win) win_add(f->win, WF_OUT_TOKENS, t, out_tokens);
}

void fleet_step(fleet *f, uint32_t rep, double t0, double t1) {
  (void)rep;
  f->period_busy_s += t1 - t0;
  if (f->win) win_add_interval(f->win, WF_BUSY_S, t0, t1, 1);
}

void fleet_idle(fleet *f, uint32_t rep, double t) {
  int st = f->dynamic ? f->slot[rep].state : SL_READY;
  if ((st == SL_DRAIN || st == SL_NOTICE) && !sched_outstanding(&f->cl->rep[rep])) go_off(f, rep, t, true);
}

bool fleet_step_ok(fleet *f, uint32_t rep) {
  fl_slot *s = &f->slot[rep];
  if (!f->dynamic) return true;
  if (s->stale) return s->stale = false, false;
  return is_active(s->state);
}

/* ---- setup and results ---- */

uint32_t fleet_slots(const sim_config *c) {
  const sim_fleet *f = &c->fleet;
  if (!sim_fleet_dynamic(c)) return c->dep.replicas;
  uint32_t most = f->as.policy != AS_NONE && f->as.max_replicas ? f->as.max_replicas : c->dep.replicas;
  if (most < c->dep.replicas) most = c->dep.replicas;
  return 2 * (most + f->spares) + 1; /* the wanted ones, as many draining or under notice, one more */
}

static ss_status setup_dynamic(fleet *f, double weight_bytes, uint64_t key, ss_err *err) {
  const sim_config *c = f->cfg;
  const sim_fleet *fc = &c->fleet;
  f->prov_s = fc->provisioning_s;
  f->cold_s = sim_fleet_cold_start_s(fc, weight_bytes);
  f->spot_rate_s = fc->spot_share > 0 ? fc->spot_per_hour / 3600.0 : 0;
  f->fail_rate_s = fc->mtbf_gpu_h > 0 ? f->tp / (fc->mtbf_gpu_h * 3600.0) : 0;
  f->r_spot = rng_stream(key, RNG_SPOT), f->r_fail = rng_stream(key, RNG_FAILURE);
  if (!f->r_spot || !f->r_fail) return ss_errorf(err, SS_ENOMEM, "out of memory for the fleet's random streams");
  ss_status rc = autoscale_init(&f->as, &fc->as, c->dep.replicas, err);
  if (rc) return rc;
  f->has_as = true;
  f->spares = fc->spares;
  double start = fc->as.policy == AS_SCHEDULE ? autoscale_raw(&f->as, 0, 0, 0) : c->dep.replicas;
  if (fc->as.policy == AS_NONE) f->as.max_replicas = c->dep.replicas;
  f->spec = (uint32_t)fmin(fmax(start, autoscale_floor(&f->as, 0)), f->as.max_replicas);
  f->cl->serving = f->serving;
  for (uint32_t i = 0; i < f->spec + f->spares && i < f->n_slots; i++) { /* warm at t = 0 */
    f->slot[i] = (fl_slot){.spot = want_spot(f)};
    draw_hazards(f, &f->slot[i]);
    become_up(f, i, i < f->spec ? SL_READY : SL_SPARE, 0);
  }
  if (fc->as.policy != AS_NONE) push(f, fc->as.period_s, FE_TICK, 0);
  return SS_OK;
}

ss_status fleet_init(fleet **out, const sim_config *c, cluster *cl, sched_pool *p, double weight_bytes, uint64_t key,
                     double lo_s, double hi_s, const fleet_host *host, ss_err *err) {
  fleet *f = calloc(1, sizeof *f);
  ss_status rc = SS_OK;
  *out = NULL;
  if (!f) return ss_errorf(err, SS_ENOMEM, "out of memory for the fleet");
  *f = (fleet){.cfg = c, .cl = cl, .pool = p, .h = *host, .dynamic = sim_fleet_dynamic(c), .n_slots = cl->n};
  f->tp = c->dep.tp, f->lo = lo_s, f->hi = hi_s;
  f->slot = calloc(f->n_slots, sizeof *f->slot);
  f->serving = calloc(f->n_slots, 1);
  if (!f->slot || !f->serving) {
    rc = ss_errorf(err, SS_ENOMEM, "out of memory for %u replica slots", f->n_slots);
    goto fail;
  }
  if (c->fleet.windows == WIN_ON &&
      (rc = win_init(&f->win, c->fleet.window_s, c->duration_s, c->slo_ttft_s, c->slo_tpot_s, f->tp, err)))
    goto fail;
  if (f->dynamic) {
    if ((rc = setup_dynamic(f, weight_bytes, key, err))) goto fail;
  } else {
    for (uint32_t i = 0; i < f->n_slots; i++) set_state(f, i, SL_READY, true, 0);
  }
  *out = f;
  return SS_OK;
fail:
  fleet_free(f);
  return rc;
}

void fleet_free(fleet *f) {
  if (!f) return;
  if (f->cl && f->cl->serving == f->serving) f->cl->serving = NULL;
  if (f->has_as) autoscale_free(&f->as);
  if (f->r_spot) gsl_rng_free(f->r_spot);
  if (f->r_fail) gsl_rng_free(f->r_fail);
  win_free(f->win);
  free(f->slot), free(f->serving), free(f->pend);
  free(f);
}

void fleet_close(fleet *f, double t_end) { account(f, fmax(t_end, f->hi)); }

double fleet_replicas_mean(const fleet *f) {
  return f->active_changed ? f->active_area / (f->hi - f->lo) : f->active_at_lo;
}

double fleet_replicas_billed_mean(const fleet *f) {
  bool exact = !f->billed_changed && f->extra_s == 0;
  return exact ? f->billed_at_lo : (f->billed_area + f->extra_s) / (f->hi - f->lo);
}

void fleet_rows(const fleet *f, sim_result *out) {
  double *v = out->f;
  v[FM_replicas_mean] = fleet_replicas_mean(f);
  v[FM_replicas_max] = fmax(f->active_max, f->active_at_lo);
  v[FM_replicas_billed_mean] = fleet_replicas_billed_mean(f);
  v[FM_billed_gpu_hours_spot] = (f->spot_area + f->extra_spot_s) * f->tp / 3600.0;
  v[FM_cold_start_s] = f->dynamic ? f->cold_s : NAN;
  v[FM_cold_starts] = f->c.cold_starts;
  v[FM_spot_interruptions] = f->c.interruptions;
  v[FM_failures] = f->c.failures;
  v[FM_requests_requeued] = f->c.requeued;
  v[FM_requests_lost] = f->c.lost;
  v[FM_windows_slo_met_frac] = f->win ? win_slo_met_frac(f->win) : NAN;
}

const win_set *fleet_windows(const fleet *f) { return f->win; }

void fleet_static_rows(const sim_config *c, sim_result *out) {
  double *v = out->f, n = c->dep.replicas;
  v[FM_replicas_mean] = v[FM_replicas_max] = v[FM_replicas_billed_mean] = n;
  v[FM_billed_gpu_hours_spot] = 0;
  v[FM_cold_starts] = v[FM_spot_interruptions] = v[FM_failures] = v[FM_requests_requeued] = v[FM_requests_lost] = 0;
}
