/* session.c: conversation slots (recycled through a free list), the choice of shared segments, and the
 * turn, length and think-time draws of session.h. Content keys are 64-bit mixes of the stream key and
 * a serial number, so no two conversations (or single requests) share a key. */
#include "sim/session.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "base/rng.h"

typedef struct {
  prefix_ident ident; /* of the conversation's content (pinned 0) */
  uint32_t context;   /* tokens so far: last prompt + its answer */
  uint32_t turns_left, user, replica, next;
} session;

struct session_set {
  sim_sharing cfg;
  uint32_t max_context;
  wl_gen *wl;
  gsl_rng *share, *in, *out, *think;
  gsl_ran_discrete_t *tpl; /* template popularity */
  uint64_t key, serial;
  session *s;
  uint32_t cap, used, free_head;
};

ss_status session_init(session_set **out, const sim_traffic *w, uint32_t max_context, wl_gen *wl, uint64_t key,
                       ss_err *err) {
  session_set *ss = calloc(1, sizeof *ss);
  *out = NULL;
  if (!ss) return ss_errorf(err, SS_ENOMEM, "out of memory for conversations");
  ss->cfg = w->share, ss->max_context = max_context, ss->wl = wl, ss->key = key, ss->free_head = PREFIX_NONE;
  ss->share = rng_stream(key, RNG_SHARE), ss->in = rng_stream(key, RNG_TURN_INPUT);
  ss->out = rng_stream(key, RNG_TURN_OUTPUT), ss->think = rng_stream(key, RNG_TURN_THINK);
  uint32_t n = ss->cfg.n_templates ? ss->cfg.n_templates : 1;
  double *weight = malloc(n * sizeof *weight);
  if (weight) {
    for (uint32_t j = 0; j < n; j++) weight[j] = pow(j + 1.0, -ss->cfg.template_zipf);
    ss->tpl = gsl_ran_discrete_preproc(n, weight);
    free(weight);
  }
  if (!ss->share || !ss->in || !ss->out || !ss->think || !ss->tpl) {
    session_free(ss);
    return ss_errorf(err, SS_ENOMEM, "out of memory for conversation streams");
  }
  *out = ss;
  return SS_OK;
}

void session_free(session_set *ss) {
  if (!ss) return;
  gsl_rng *rs[] = {ss->share, ss->in, ss->out, ss->think};
  for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
    if (rs[i]) gsl_rng_free(rs[i]);
  if (ss->tpl) gsl_ran_discrete_free(ss->tpl);
  free(ss->s);
  free(ss);
}

static uint64_t fresh_key(session_set *ss) { return rng_splitmix64(ss->key ^ rng_splitmix64(++ss->serial)); }

static uint32_t draw_turns(session_set *ss) {
  double m = ss->cfg.turns_mean;
  if (m <= 1) return 1;
  if (ss->cfg.turns_dist == TURNS_FIXED) return (uint32_t)lround(m);
  return gsl_ran_geometric(ss->share, 1.0 / m);
}

static ss_status new_slot(session_set *ss, uint32_t *slot, ss_err *err) {
  if (ss->free_head != PREFIX_NONE) {
    *slot = ss->free_head;
    ss->free_head = ss->s[*slot].next;
    return SS_OK;
  }
  if (ss->used == ss->cap) {
    uint32_t cap = ss->cap ? 2 * ss->cap : 256;
    session *s = realloc(ss->s, (size_t)cap * sizeof *s);
    if (!s) return ss_errorf(err, SS_ENOMEM, "out of memory for %u conversations", cap);
    ss->s = s, ss->cap = cap;
  }
  *slot = ss->used++;
  return SS_OK;
}

ss_status session_start(session_set *ss, uint32_t in, uint32_t user, prefix_ident *ident, uint32_t *prompt,
                        ss_err *err) {
  const sim_sharing *c = &ss->cfg;
  bool sys = c->system_tokens && gsl_rng_uniform(ss->share) < c->system_frac;
  bool tpl = c->template_tokens && gsl_rng_uniform(ss->share) < c->template_frac;
  uint64_t j = tpl ? gsl_ran_discrete(ss->share, ss->tpl) : 0;
  uint32_t turns = draw_turns(ss), head = (sys ? c->system_tokens : 0) + (tpl ? c->template_tokens : 0);
  /* a template's blocks depend on whether the system prompt precedes it */
  *ident = (prefix_ident){
      .key = {rng_splitmix64(ss->key ^ 0x5157u), rng_splitmix64(ss->key ^ (2 * j + sys + 0x7e3u)), fresh_key(ss)},
      .end = {sys ? c->system_tokens : 0, head},
      .session = PREFIX_NONE};
  *prompt = head + in;
  if (turns <= 1) return SS_OK;
  uint32_t slot;
  ss_status rc = new_slot(ss, &slot, err);
  if (rc) return rc;
  ss->s[slot] = (session){.ident = *ident, .turns_left = turns - 1, .user = user, .replica = PREFIX_NONE};
  ss->s[slot].ident.session = ident->session = slot;
  return SS_OK;
}

void session_end(session_set *ss, uint32_t slot) {
  ss->s[slot].next = ss->free_head;
  ss->free_head = slot;
}

bool session_answered(session_set *ss, const prefix_ident *ident, uint32_t prompt, uint32_t out, double *think_s,
                      uint32_t *user) {
  session *s = &ss->s[ident->session];
  *user = s->user;
  if (!s->turns_left) {
    session_end(ss, ident->session);
    return false;
  }
  s->context = prompt + out;
  *think_s = ss->cfg.think_dist == THINK_LOGNORMAL
                 ? gsl_ran_lognormal(ss->think, log(ss->cfg.think_s), ss->cfg.think_sigma)
                 : gsl_ran_exponential(ss->think, ss->cfg.think_s);
  return true;
}

bool session_turn(session_set *ss, uint32_t slot, prefix_ident *ident, uint32_t *prompt, uint32_t *out,
                  uint32_t *user) {
  session *s = &ss->s[slot];
  uint32_t in;
  wl_lengths_with(ss->wl, ss->in, ss->out, &in, out);
  *user = s->user;
  if ((uint64_t)s->context + in + *out > ss->max_context) {
    session_end(ss, slot);
    return false;
  }
  s->turns_left--;
  *ident = s->ident;
  *prompt = s->context + in;
  return true;
}

uint32_t session_replica(const session_set *ss, uint32_t slot) { return ss->s[slot].replica; }
void session_set_replica(session_set *ss, uint32_t slot, uint32_t replica) { ss->s[slot].replica = replica; }
