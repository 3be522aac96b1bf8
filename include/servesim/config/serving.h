/* serving.h: the scenario keys of the serving mechanisms (prefix caching and conversations, speculative
 * decoding, disaggregated prefill and decode, pipeline and expert parallelism) and their checks. The
 * keys are rows of scenario.c's key table: SERVING_*_ROWS expand there, among the keys of the same
 * mapping (the echo of a scenario keeps each mapping in one piece).
 * Invariant: every mechanism is off at its defaults, and a key of a mechanism that is off is refused
 * when given (a value the user gave is used or refused, never ignored). */
#ifndef SERVESIM_SERVING_H
#define SERVESIM_SERVING_H
#include "base/err.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"

/* Rows of sc_point (S), flags SW (sweepable) and SWS (also uncertain), as scenario.c defines them. */
#define SERVING_DEPLOYMENT_ROWS                                                                                        \
  KT_ROW_U32(S, "deployment.scheduler.long_prefill_tokens", sim.dep.long_prefill_tokens, 0, 0, 1e7, SW,                \
             "chunked prefill: most tokens one prompt takes of a step, so prompts share the budget (vLLM "             \
             "long_prefill_token_threshold; 0: no cap)"),                                                              \
      KT_ROW_BOOL(S, "deployment.scheduler.prefix_caching", sim.dep.prefix_caching, 0, SW,                             \
                  "automatic prefix caching: full KV blocks shared by content, LRU eviction (vLLM APC)"),              \
      KT_ROW_U32(S, "deployment.pp", sim.dep.pp, 1, 1, 64, SW,                                                         \
                 "pipeline stages per replica (replica GPUs: tp x pp), one micro-batch per stage"),                    \
      KT_ROW_BOOL(                                                                                                     \
          S, "deployment.expert_parallel", sim.dep.expert_parallel, 0, SW,                                             \
          "MoE: experts whole over the tp GPUs, all-to-all dispatch and combine (vLLM --enable-expert-parallel)"),     \
      KT_ROW_BOOL(S, "deployment.attention_dp", sim.dep.attention_dp, 0, SW,                                           \
                  "attention data parallel (TensorRT-LLM enable_attention_dp, SGLang --enable-dp-attention): each "    \
                  "of the tp ranks schedules, attends to and samples its own requests: the host loop's per-request "   \
                  "and per-token work divides by tp, each rank holds the attention weights whole and the attention "   \
                  "block's all-reduce goes (the MLP or experts stay tensor or expert parallel)"),                      \
      KT_ROW_F64(S, "deployment.ep_imbalance", sim.dep.ep_imbalance, 1, 1, 64, SWS,                                    \
                 "expert parallel: the busiest GPU's routed tokens over the mean"),                                    \
      KT_ROW_ENUM(S, "deployment.speculative.method", sim.dep.spec.method, "none", sim_spec_method_names, SW,          \
                  "speculative decoding: none, draft (a second model) or heads (EAGLE/MTP-style drafting layers)"),    \
      KT_ROW_U32(S, "deployment.speculative.k", sim.dep.spec.k, 4, 1, 16, SW, "draft tokens per step"),                \
      KT_ROW_F64(S, "deployment.speculative.acceptance", sim.dep.spec.accept, 0.7, 0, 1, SWS,                          \
                 "probability that each draft token is accepted (given the ones before it were)"),                     \
      KT_ROW_STR(S, "deployment.speculative.draft_model", draft_model, "", SW,                                         \
                 "method draft: the draft model (an hwdb model with the target's vocabulary)"),                        \
      KT_ROW_U32(S, "deployment.speculative.head_layers", sim.dep.spec.head_layers, 1, 1, 16, SW,                      \
                 "method heads: decoder layers of the drafting head (EAGLE: 1)"),                                      \
      KT_ROW_U32(S, "deployment.speculative.max_batch", sim.dep.spec.max_batch, 0, 0, 1e6, SW,                         \
                 "decoding sequences above which a step does not draft (0: always drafts)"),                           \
      KT_ROW_U32(S, "deployment.disagg.prefill_replicas", sim.dep.disagg.replicas, 0, 0, 1e5, SW,                      \
                 "disaggregated prefill: prefill-only replicas (0: prefill and decode co-located)"),                   \
      KT_ROW_U32(S, "deployment.disagg.prefill_tp", sim.dep.disagg.tp, 0, 0, 64, SW,                                   \
                 "GPUs per prefill replica (0: deployment.tp)"),                                                       \
      KT_ROW_F64U(S, "deployment.disagg.link_gb_s", sim.dep.disagg.link_gb_s, NAN, 1e-3, 1e12, SWS | KT_UNSET_OK,      \
                  "GB/s", "bandwidth of one KV transfer, GB/s (default: the GPU's network per GPU x prefill_tp)"),     \
      KT_ROW_F64U(S, "deployment.disagg.link_latency_s", sim.dep.disagg.link_latency_s, NAN, 0, 10, SWS | KT_UNSET_OK, \
                  "s", "latency of one KV transfer, s (default: the GPU's network hop)")

#define SERVING_ROUTER_ROWS                                                                                       \
  KT_ROW_U32(S, "router_balance", sim.dep.router_balance, 32, 0, 1e6, SW,                                         \
             "prefix_affinity: outstanding requests beyond the least loaded replica's that send a request there " \
             "instead (SGLang's balance_abs_threshold)")

#define SERVING_WORKLOAD_ROWS                                                                                         \
  KT_ROW_U32(S, "workload.prefix.system_tokens", sim.wl.share.system_tokens, 0, 0, 1e7, SW,                           \
             "system prompt in front of the conversations that use it, tokens (0: none)"),                            \
      KT_ROW_F64(S, "workload.prefix.system_frac", sim.wl.share.system_frac, 1, 0, 1, SWS,                            \
                 "fraction of conversations that start with the system prompt"),                                      \
      KT_ROW_U32(S, "workload.prefix.template_tokens", sim.wl.share.template_tokens, 0, 0, 1e7, SW,                   \
                 "few-shot template after the system prompt, tokens (0: none)"),                                      \
      KT_ROW_U32(S, "workload.prefix.templates", sim.wl.share.n_templates, 1, 1, 1e6, SW, "distinct templates"),      \
      KT_ROW_F64(S, "workload.prefix.template_frac", sim.wl.share.template_frac, 1, 0, 1, SWS,                        \
                 "fraction of conversations that use a template"),                                                    \
      KT_ROW_F64(S, "workload.prefix.template_zipf", sim.wl.share.template_zipf, 0, 0, 5, SWS,                        \
                 "template popularity: template j drawn with weight 1/(j+1)^zipf (0: uniform)"),                      \
      KT_ROW_F64(S, "workload.session.turns_mean", sim.wl.share.turns_mean, 1, 1, 1e4, SWS,                           \
                 "turns per conversation, mean (1: single requests); each turn resends the conversation so far"),     \
      KT_ROW_ENUM(S, "workload.session.turns_dist", sim.wl.share.turns_dist, "geometric", sim_turns_dist_names, SW,   \
                  "turns per conversation: geometric or fixed"),                                                      \
      KT_ROW_F64U(S, "workload.session.think_s", sim.wl.share.think_s, 10, 0, 1e6, SWS, "s",                          \
                  "time from an answer to the next turn, s (mean; lognormal: median)"),                               \
      KT_ROW_ENUM(S, "workload.session.think_dist", sim.wl.share.think_dist, "exponential", sim_think_dist_names, SW, \
                  "think time distribution: exponential or lognormal"),                                               \
      KT_ROW_F64(S, "workload.session.think_sigma", sim.wl.share.think_sigma, 1, 0, 5, SWS,                           \
                 "log-space sd of the think time, for think_dist: lognormal")

/* Binds the draft model, fills the defaults that come from hwdb (KV link) and checks the mechanisms'
 * keys against each other, the policy and the model. */
ss_status serving_resolve(const study_spec *spec, sc_point *pt, const hwdb *db, ss_err *err);

#endif
