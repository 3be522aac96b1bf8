/* mech.c: setup, step time and metrics of the optional serving mechanisms (mech.h). */
#include "sim/mech.h"

#include <math.h>
#include <stdlib.h>

#include "base/rng.h"

static double perf_step(const void *ctx, const batch_shape *b) { return perf_step_time(ctx, b); }
static double spec_step(const void *ctx, const batch_shape *b) { return specdec_step_time(ctx, b); }

ss_status mech_models(mech *m, const sim_config *c, const perf_ctx *perf, const sim_opts *o, sim_deployment *pd,
                      uint64_t *blocks, uint64_t *pblocks, ss_err *err) {
  const sim_deployment *d = &c->dep;
  perf_opts po, pp;
  sim_config_perf_opts(c, &po);
  ss_status rc = SS_OK;
  m->prefill_pool = d->disagg.replicas > 0;
  m->pp = d->pp > 1;
  m->entry = m->prefill_pool ? 1 : 0;
  *pd = *d;
  pd->tp = d->disagg.tp, pd->replicas = d->disagg.replicas, pd->pp = 1, pd->reserve_full_kv = false;
  pp = po;
  pp.tp = pd->tp, pp.pp = 1, pp.kv_tokens = 0; /* the prefill pool's cache is transient: sized from memory */
  if (m->prefill_pool && (rc = perf_init(&m->perf_prefill, &d->hw, &pp, err))) {
    ss_err_prefix(err, "the prefill pool: ");
    return rc;
  }
  *pblocks = o->kv_blocks ? o->kv_blocks : m->perf_prefill.mem.kv_blocks;
  if (d->spec.method == SPEC_NONE) return SS_OK;
  const model_spec *draft = d->spec.method == SPEC_DRAFT ? d->spec.draft : NULL;
  if ((rc = specdec_init(&m->spec[0], perf, &d->hw, &po, draft, d->spec.head_layers, d->spec.k, err)) ||
      (m->prefill_pool &&
       (rc = specdec_init(&m->spec[1], &m->perf_prefill, &d->hw, &pp, draft, d->spec.head_layers, d->spec.k, err))))
    return rc;
  if (!o->kv_blocks) *blocks = specdec_kv_blocks(&m->spec[0], d->block_size);
  if (!o->kv_blocks && m->prefill_pool) *pblocks = specdec_kv_blocks(&m->spec[1], d->block_size);
  return SS_OK;
}

/* Replica i's models and GPUs (pool 0: pipeline lanes of tp GPUs each; pool 1: prefill replicas), its
 * prefix cache and its stream of accepted-token draws. */
static ss_status one_replica(mech *m, const sim_config *c, const perf_ctx *perf, const sim_opts *o,
                             const sim_deployment *pd, cluster *cl, uint32_t i, uint64_t key, ss_err *err) {
  const sim_deployment *d = &c->dep;
  sched_replica *rp = &cl->rep[i];
  bool p1 = i >= cl->pool[1].lo, spec = d->spec.method != SPEC_NONE;
  m->rep_perf[i] = p1 ? &m->perf_prefill : perf;
  m->rep_gpus[i] = p1 ? pd->tp : d->tp;
  m->rep_ctx[i] = o->step_time_s ? o->step_ctx : spec ? (const void *)&m->spec[p1] : (const void *)m->rep_perf[i];
  ss_status rc;
  if (d->prefix_caching) {
    if ((rc = prefix_init(&m->pcs[i], &rp->kv, &m->ids, err))) return rc;
    rp->pc = &m->pcs[i];
  }
  if (!spec) return SS_OK;
  rp->spec_k = d->spec.k, rp->spec_max_batch = d->spec.max_batch, rp->spec_accept = d->spec.accept;
  if (!(rp->spec_rng = rng_stream(rng_splitmix64(key ^ (i + 1)), RNG_SPEC_ACCEPT)))
    return ss_errorf(err, SS_ENOMEM, "out of memory for a random stream");
  return SS_OK;
}

ss_status mech_replicas(mech *m, const sim_config *c, const perf_ctx *perf, const sim_opts *o, const sim_deployment *pd,
                        cluster *cl, wl_gen *wl, uint64_t key, ss_err *err) {
  const sim_deployment *d = &c->dep;
  uint32_t n = cl->n;
  m->rep_ctx = calloc(n, sizeof *m->rep_ctx), m->rep_perf = calloc(n, sizeof *m->rep_perf);
  m->rep_gpus = calloc(n, sizeof *m->rep_gpus);
  if (d->prefix_caching) m->pcs = calloc(n, sizeof *m->pcs);
  if (!m->rep_ctx || !m->rep_perf || !m->rep_gpus || (d->prefix_caching && !m->pcs))
    return ss_errorf(err, SS_ENOMEM, "out of memory for %u replicas", n);
  m->step_time_s = o->step_time_s ? o->step_time_s : d->spec.method != SPEC_NONE ? spec_step : perf_step;
  ss_status rc = SS_OK;
  for (uint32_t i = 0; i < n && !rc; i++) rc = one_replica(m, c, perf, o, pd, cl, i, key, err);
  const sim_sharing *sh = &c->wl.share;
  if (!rc && (sh->system_tokens || sh->template_tokens || sh->turns_mean > 1 || d->prefix_caching))
    rc = session_init(&m->sess, &c->wl, (uint32_t)d->hw.model->max_context, wl, key, err);
  if (!rc && m->prefill_pool) rc = disagg_init(&m->dis, c, cl->pool[1].lo, err);
  if (!rc && m->pp) rc = pipeline_init(&m->pipe, cl->pool[0].n, d->pp, err);
  return rc;
}

void mech_free(mech *m, cluster *cl) {
  for (uint32_t i = 0; cl->rep && i < cl->n; i++) {
    if (cl->rep[i].spec_rng) gsl_rng_free(cl->rep[i].spec_rng);
    cl->rep[i].spec_rng = NULL;
    if (m->pcs) prefix_free(&m->pcs[i]);
  }
  free(m->pcs), free(m->rep_ctx), free(m->rep_perf), free(m->rep_gpus);
  prefix_idents_free(&m->ids);
  session_free(m->sess);
  disagg_free(&m->dis);
  pipeline_free(&m->pipe);
}

double mech_step_s(mech *m, const cluster *cl, uint32_t rep) {
  double dt = m->step_time_s(m->rep_ctx[rep], &cl->rep[rep].shape);
  if (!m->pp || rep >= cl->pool[0].n) return dt;
  return pipeline_step_s(&m->pipe, cl, rep, dt, perf_host_time(m->rep_perf[rep], &cl->rep[rep].shape));
}

void mech_step_planned(mech *m, const sched_replica *rp) {
  if (!rp->shape.spec_tokens) return;
  m->spec_seqs += rp->shape.n_decode;
  m->spec_tokens += (double)rp->shape.n_decode * rp->adv;
}

double mech_gpus_total(const mech *m, const cluster *cl) {
  double gpus = 0;
  for (uint32_t i = 0; m->prefill_pool && i < cl->n; i++) gpus += m->rep_gpus[i];
  return gpus;
}

void mech_metrics(const mech *m, const cluster *cl, sim_result *out) {
  double hit = 0, query = 0;
  for (uint32_t i = 0; m->pcs && i < cl->n; i++)
    hit += (double)m->pcs[i].hit_tokens, query += (double)m->pcs[i].query_tokens;
  out->v[RM_prefix_hit_frac] = query > 0 ? hit / query : NAN;
  out->v[RM_spec_tokens_per_step] = m->spec_seqs > 0 ? m->spec_tokens / m->spec_seqs : NAN;
  out->v[RM_kv_transfer_mean_s] = m->dis.n_measured ? m->dis.wait_sum_s / (double)m->dis.n_measured : NAN;
}
