/* serving.c: the checks of the serving mechanisms' keys: keys of a mechanism that is off are refused
 * (one table), the mechanisms run under continuous batching only, and the draft model, the prefill
 * pool's layout and the prompt's shared head are checked against hwdb. */
#include "config/serving.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static bool ep_on(const sc_point *p) { return p->sim.dep.expert_parallel; }
static bool tp_on(const sc_point *p) { return p->sim.dep.tp > 1; }
static bool chunked_on(const sc_point *p) { return p->sim.dep.chunked_prefill || p->sim.dep.policy == POLICY_SINGLE; }
static bool prefix_on(const sc_point *p) { return p->sim.dep.prefix_caching; }
static bool pp_on(const sc_point *p) { return p->sim.dep.pp > 1; }
static bool eager_costs(const sc_point *p) { return p->sim.dep.hw.engine->eager_layer_s > 0; }
static bool spec_on(const sc_point *p) { return p->sim.dep.spec.method != SPEC_NONE; }
static bool spec_draft(const sc_point *p) { return p->sim.dep.spec.method == SPEC_DRAFT; }
static bool spec_heads(const sc_point *p) { return p->sim.dep.spec.method == SPEC_HEADS; }
static bool disagg_on(const sc_point *p) { return p->sim.dep.disagg.replicas > 0; }
static bool prefix_router(const sc_point *p) { return p->sim.dep.router == ROUTE_PREFIX_AFFINITY; }
static bool system_on(const sc_point *p) { return p->sim.wl.share.system_tokens > 0; }
static bool template_on(const sc_point *p) { return p->sim.wl.share.template_tokens > 0; }
static bool sessions_on(const sc_point *p) { return p->sim.wl.share.turns_mean > 1; }
static bool closed_on(const sc_point *p) { return p->sim.wl.process == ARR_CLOSED; }
static bool think_lognormal(const sc_point *p) {
  return sessions_on(p) && p->sim.wl.share.think_dist == THINK_LOGNORMAL;
}

/* A key given (other than at its default) while what it tunes is off, unless the key that turns it on
 * is swept (then the value is used at the points where it is on). */
static const struct {
  const char *key;
  bool (*on)(const sc_point *);
  const char *switch_key, *needs;
} DEPENDS[] = {
    {"deployment.ep_imbalance", ep_on, "deployment.expert_parallel", "deployment.expert_parallel: true"},
    {"deployment.attention_dp", tp_on, "deployment.tp", "deployment.tp of 2 or more"},
    {"deployment.scheduler.cuda_graph_max_batch", eager_costs, "deployment.engine",
     "an engine whose eager steps cost launch time (eager_layer_s above 0 in its hwdb/engines file: the "
     "engines that launch kernels from Python)"},
    {"deployment.scheduler.long_prefill_tokens", chunked_on, "deployment.scheduler.chunked_prefill",
     "deployment.scheduler.chunked_prefill: true"},
    {"deployment.speculative.k", spec_on, "deployment.speculative.method",
     "deployment.speculative.method: draft or heads"},
    {"deployment.speculative.acceptance", spec_on, "deployment.speculative.method",
     "deployment.speculative.method: draft or heads"},
    {"deployment.speculative.max_batch", spec_on, "deployment.speculative.method",
     "deployment.speculative.method: draft or heads"},
    {"deployment.speculative.draft_model", spec_draft, "deployment.speculative.method",
     "deployment.speculative.method: draft"},
    {"deployment.speculative.head_layers", spec_heads, "deployment.speculative.method",
     "deployment.speculative.method: heads"},
    {"deployment.disagg.prefill_tp", disagg_on, "deployment.disagg.prefill_replicas",
     "deployment.disagg.prefill_replicas of 1 or more"},
    {"deployment.disagg.link_gb_s", disagg_on, "deployment.disagg.prefill_replicas",
     "deployment.disagg.prefill_replicas of 1 or more"},
    {"deployment.disagg.link_latency_s", disagg_on, "deployment.disagg.prefill_replicas",
     "deployment.disagg.prefill_replicas of 1 or more"},
    {"router_balance", prefix_router, "router", "router: prefix_affinity"},
    {"workload.prefix.system_frac", system_on, "workload.prefix.system_tokens",
     "workload.prefix.system_tokens of 1 or more"},
    {"workload.prefix.templates", template_on, "workload.prefix.template_tokens",
     "workload.prefix.template_tokens of 1 or more"},
    {"workload.prefix.template_frac", template_on, "workload.prefix.template_tokens",
     "workload.prefix.template_tokens of 1 or more"},
    {"workload.prefix.template_zipf", template_on, "workload.prefix.template_tokens",
     "workload.prefix.template_tokens of 1 or more"},
    {"workload.arrival.think_s", closed_on, "workload.arrival.process", "workload.arrival.process: closed"},
    {"workload.arrival.client_s", closed_on, "workload.arrival.process", "workload.arrival.process: closed"},
    {"workload.arrival.rounds", closed_on, "workload.arrival.process", "workload.arrival.process: closed"},
    {"workload.session.turns_dist", sessions_on, "workload.session.turns_mean", "workload.session.turns_mean above 1"},
    {"workload.session.think_s", sessions_on, "workload.session.turns_mean", "workload.session.turns_mean above 1"},
    {"workload.session.think_dist", sessions_on, "workload.session.turns_mean", "workload.session.turns_mean above 1"},
    {"workload.session.think_sigma", think_lognormal, "workload.session.think_dist",
     "workload.session.think_dist: lognormal (and turns_mean > 1)"},
};

static bool swept(const study_spec *spec, const char *key) {
  long k = scenario_key_index(key);
  for (size_t i = 0; spec && i < spec->n_axes; i++)
    if (spec->axes[i].key == k) return true;
  return false;
}

/* An uncertain input is a value given, whatever it is sampled to. */
static const sc_uncertain *uncertain(const study_spec *spec, long k) {
  for (size_t i = 0; spec && i < spec->n_unc; i++)
    if (spec->unc[i].key == k) return &spec->unc[i];
  return NULL;
}

/* Mechanisms modelled for continuous batching only, and when each is on. */
static const struct {
  const char *key;
  bool (*on)(const sc_point *);
} CONTINUOUS_ONLY[] = {{"deployment.scheduler.prefix_caching", prefix_on},
                       {"deployment.speculative.method", spec_on},
                       {"deployment.disagg.prefill_replicas", disagg_on},
                       {"deployment.pp", pp_on}};

/* Whether key k of pt holds other than its default (a default given is the same as none given). */
static bool off_default(const sc_point *pt, long k) {
  size_t n;
  const kt_field *f = &scenario_fields(&n)[k];
  if (f->type == KT_STR) return strcmp((const char *)pt + f->off, f->def_str) != 0;
  double v = kt_get_f64(f, pt), def = f->def;
  if (f->type == KT_ENUM)
    for (def = 0; f->names[(size_t)def] && strcmp(f->names[(size_t)def], f->def_str); def++) continue;
  return !(v == def || (isnan(v) && isnan(def)));
}

static ss_status check_depends(const study_spec *spec, const sc_point *pt, ss_err *err) {
  char detail[200];
  for (size_t i = 0; i < sizeof DEPENDS / sizeof DEPENDS[0]; i++) {
    long k = scenario_key_index(DEPENDS[i].key);
    const sc_uncertain *u = uncertain(spec, k);
    if ((!u && !(scenario_given(pt, k) && off_default(pt, k))) || DEPENDS[i].on(pt) ||
        swept(spec, DEPENDS[i].switch_key))
      continue;
    snprintf(detail, sizeof detail, "; allowed: only with %s (or leave the key out)", DEPENDS[i].needs);
    if (u) {
      char where[600];
      snprintf(where, sizeof where, u->line ? "%s:%u" : "%s (--set)", spec->file, u->line);
      return ss_errorf(err, SS_EDATA, "%s: key 'uncertain.%s' is sampled but has no effect here%s", where,
                       DEPENDS[i].key, detail);
    }
    return scenario_key_err(spec, pt, DEPENDS[i].key, err, "has no effect here", detail);
  }
  for (size_t i = 0; i < sizeof CONTINUOUS_ONLY / sizeof CONTINUOUS_ONLY[0]; i++)
    if (CONTINUOUS_ONLY[i].on(pt) && pt->sim.dep.policy != POLICY_CONTINUOUS)
      return scenario_key_err(spec, pt, CONTINUOUS_ONLY[i].key, err, "is modelled for continuous batching only",
                              "; allowed: deployment.scheduler.policy: continuous");
  return SS_OK;
}

static ss_status check_router(const study_spec *spec, const sc_point *pt, ss_err *err) {
  if (prefix_router(pt) && !pt->sim.dep.prefix_caching)
    return scenario_key_err(spec, pt, "router", err, "routes by cached prefixes, but no replica caches them",
                            "; allowed: with deployment.scheduler.prefix_caching: true");
  if (pt->sim.dep.router == ROUTE_SESSION_AFFINITY && !sessions_on(pt))
    return scenario_key_err(spec, pt, "router", err, "keeps conversations together, but there are none",
                            "; allowed: with workload.session.turns_mean above 1");
  return SS_OK;
}

static ss_status check_spec(const study_spec *spec, sc_point *pt, const hwdb *db, ss_err *err) {
  sim_spec *s = &pt->sim.dep.spec;
  const model_spec *m = pt->sim.dep.hw.model;
  char detail[300];
  s->draft = NULL;
  if (s->method == SPEC_NONE) return SS_OK;
  if (pt->sim.dep.kv_cache_tokens)
    return scenario_key_err(spec, pt, "deployment.scheduler.kv_cache_tokens", err,
                            "is not modelled with speculative decoding",
                            "; allowed: 0 (the draft's weights and KV then come out of the memory fit), or "
                            "deployment.speculative.method: none");
  if (pt->sim.dep.pp > 1)
    return scenario_key_err(spec, pt, "deployment.speculative.method", err, "is not modelled with pipeline stages",
                            "; allowed: none, or deployment.pp: 1");
  if (s->method != SPEC_DRAFT) return SS_OK;
  if (!(s->draft = hwdb_model(db, pt->draft_model))) {
    snprintf(detail, sizeof detail, "; allowed: a model of hwdb (servesim list models) with the vocabulary of %s",
             m->id);
    return scenario_key_err(spec, pt, "deployment.speculative.draft_model", err, "is not in hwdb", detail);
  }
  if (s->draft->vocab != m->vocab) {
    snprintf(detail, sizeof detail, " (vocabulary %g, %s has %g); allowed: a model of the same tokenizer",
             s->draft->vocab, m->id, m->vocab);
    return scenario_key_err(spec, pt, "deployment.speculative.draft_model", err, "cannot draft: another tokenizer",
                            detail);
  }
  return SS_OK;
}

/* The prefill pool: its tp splits the heads, and the KV link defaults to the GPU's network. */
static ss_status check_disagg(const study_spec *spec, sc_point *pt, ss_err *err) {
  sim_disagg *g = &pt->sim.dep.disagg;
  const model_spec *m = pt->sim.dep.hw.model;
  const hw_gpu *gpu = pt->sim.dep.hw.gpu;
  if (!g->replicas) return SS_OK;
  if (!g->tp) g->tp = pt->sim.dep.tp;
  if (fmod(m->heads, g->tp) != 0 || (fmod(m->kv_heads, g->tp) != 0 && fmod(g->tp, m->kv_heads) != 0))
    return scenario_key_err(spec, pt, "deployment.disagg.prefill_tp", err,
                            "does not split the attention and KV heads evenly", "; allowed: as deployment.tp");
  if (isnan(g->link_gb_s)) g->link_gb_s = gpu->internode_gb_s * g->tp;
  if (isnan(g->link_latency_s)) g->link_latency_s = gpu->internode_latency_s;
  return SS_OK;
}

/* Stages, experts and the prompt's shared head must fit the model. */
static ss_status check_model(const study_spec *spec, const sc_point *pt, ss_err *err) {
  const model_spec *m = pt->sim.dep.hw.model;
  const sim_traffic *w = &pt->sim.wl;
  char detail[300];
  if (pt->sim.dep.pp > m->layers) {
    snprintf(detail, sizeof detail, "; allowed: at most the %g layers of %s", m->layers, m->id);
    return scenario_key_err(spec, pt, "deployment.pp", err, "has more stages than layers", detail);
  }
  if (pt->sim.dep.hw.weights->experts_only && !model_is_moe(m)) {
    snprintf(detail, sizeof detail, " (%s has no experts); allowed: a mixture-of-experts model, or another format", m->id);
    return scenario_key_err(spec, pt, "deployment.weights", err, "quantizes a MoE model's routed experts only", detail);
  }
  if (pt->sim.dep.expert_parallel && !model_is_moe(m)) {
    snprintf(detail, sizeof detail, " (%s has no experts); allowed: false", m->id);
    return scenario_key_err(spec, pt, "deployment.expert_parallel", err, "needs a mixture-of-experts model", detail);
  }
  double head = w->share.system_tokens + (double)w->share.template_tokens;
  double in = w->input.dist == LEN_FIXED ? w->input.value : w->input.max;
  double out = w->output.dist == LEN_FIXED ? w->output.value : w->output.max;
  if (head > 0 && head + in + out > m->max_context) {
    snprintf(detail, sizeof detail,
             " plus a system prompt and template of %g tokens and outputs up to %g exceed the context of %s (%g); "
             "allowed: head + input + output at most the context",
             head, out, m->id, m->max_context);
    return scenario_key_err(spec, pt,
                            w->input.dist == LEN_FIXED ? "workload.input_tokens.value" : "workload.input_tokens.max",
                            err, "as the longest new input,", detail);
  }
  return SS_OK;
}

ss_status serving_resolve(const study_spec *spec, sc_point *pt, const hwdb *db, ss_err *err) {
  ss_status rc;
  if ((rc = check_depends(spec, pt, err)) || (rc = check_router(spec, pt, err)) ||
      (rc = check_spec(spec, pt, db, err)) || (rc = check_disagg(spec, pt, err)) || (rc = check_model(spec, pt, err)))
    return rc;
  return SS_OK;
}
