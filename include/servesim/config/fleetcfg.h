/* fleetcfg.h: the scenario keys of a changing fleet (autoscaling, cold start, billing, spot, failures,
 * standby replicas, the hour-by-hour windows; docs/fleet.md), as rows of the scenario key table, and
 * the checks that involve several of them or hwdb.
 * Invariant: the defaults leave the fleet static and the windows off for the arrival processes that
 * have no time of day, so a scenario that names none of these keys simulates exactly as before. */
#ifndef SERVESIM_FLEETCFG_H
#define SERVESIM_FLEETCFG_H
#include <math.h>

#include "base/err.h"
#include "base/keytab.h"
#include "config/scenario.h"
#include "hwdb/hwdb.h"

/* Rows of the key table over the point type T (sc_point), with its sweep (SW) and sample (SWS) flags. */
#define FLEETCFG_ROWS(T, SW, SWS)                                                                                    \
  KT_ROW_ENUM(T, "fleet.autoscale.policy", sim.fleet.as.policy, "none", sim_autoscale_policy_names, SW,              \
              "none (deployment.replicas throughout), target (track a metric, as Kubernetes HPA/KEDA) or schedule "  \
              "(replicas per hour of day)"),                                                                         \
      KT_ROW_ENUM(T, "fleet.autoscale.metric", sim.fleet.as.metric, "concurrency", sim_autoscale_metric_names, SW,   \
                  "what target tracking watches, per replica: queue (waiting requests), concurrency (waiting + "     \
                  "running), utilisation (busy fraction), rps (arrivals per second)"),                               \
      KT_ROW_F64(T, "fleet.autoscale.target", sim.fleet.as.target, NAN, 1e-6, 1e6, SWS | KT_UNSET_OK,                \
                 "the metric's target value per replica (policy: target)"),                                          \
      KT_ROW_F64(T, "fleet.autoscale.tolerance", sim.fleet.as.tolerance, 0.1, 0, 10, SWS,                            \
                 "no change while metric / (replicas x target) is within 1 +- tolerance (HPA default 0.1)"),         \
      KT_ROW_F64U(T, "fleet.autoscale.period_s", sim.fleet.as.period_s, 15, 0.1, 86400, SWS, "s",                    \
                  "control period (HPA's sync period, default 15 s)"),                                               \
      KT_ROW_F64U(T, "fleet.autoscale.scale_up_window_s", sim.fleet.as.up_window_s, 0, 0, 86400, SWS, "s",           \
                  "scale-up stabilisation: scale up to the lowest recommendation of this window (HPA default 0)"),   \
      KT_ROW_F64U(T, "fleet.autoscale.scale_down_window_s", sim.fleet.as.down_window_s, 300, 0, 86400, SWS, "s",     \
                  "scale-down stabilisation and cooldown: scale down to the highest recommendation of this window "  \
                  "(HPA default 300 s)"),                                                                            \
      KT_ROW_U32(T, "fleet.autoscale.min_replicas", sim.fleet.as.min_replicas, 1, 0, 1e5, SW,                        \
                 "fewest replicas; 0 scales to zero (requests then wait for a cold start)"),                         \
      KT_ROW_U32(T, "fleet.autoscale.max_replicas", sim.fleet.as.max_replicas, 0, 0, 1e5, SW,                        \
                 "most replicas (0: deployment.replicas, which is also the count at t = 0)"),                        \
      KT_ROW_F64LIST(T, "fleet.autoscale.schedule", sim.fleet.as.schedule, sim.fleet.as.n_schedule, 0, 1e5, 0,       \
                     "24 replica counts, one per hour of day: the schedule (policy: schedule) or a floor (target)"), \
      KT_ROW_F64U(T, "fleet.cold_start.provisioning_s", sim.fleet.provisioning_s, 180, 0, 1e5, SWS, "s",             \
                  "scale-up decision to a running instance, not billed (assumption; docs/fleet.md)"),                \
      KT_ROW_F64U(T, "fleet.cold_start.load_gb_s", sim.fleet.load_gb_s, 1.0, 1e-3, 1e9, SWS, "GB/s",                 \
                  "bandwidth at which a new replica reads its weights (all GPUs together), GB/s (docs/fleet.md)"),   \
      KT_ROW_F64U(T, "fleet.cold_start.engine_warmup_s", sim.fleet.engine_warmup_s, 50, 0, 1e5, SWS, "s",            \
                  "engine start after the weights are loaded: compilation, CUDA graphs (docs/fleet.md)"),            \
      KT_ROW_ENUM(T, "fleet.billing", sim.fleet.billing, "per_second", sim_billing_names, SW,                        \
                  "billing granularity of an instance's lifetime: per_second (with a minimum) or per_hour"),         \
      KT_ROW_F64U(T, "fleet.billing_min_s", sim.fleet.billing_min_s, 60, 0, 86400, SWS, "s",                         \
                  "per_second billing: shortest billed lifetime (AWS EC2 and GCE: 60 s)"),                           \
      KT_ROW_F64(T, "fleet.spot.share", sim.fleet.spot_share, 0, 0, 1, SWS,                                          \
                 "fraction of the instances above the on-demand base that run on spot"),                             \
      KT_ROW_U32(T, "fleet.spot.on_demand_base", sim.fleet.on_demand_base, 0, 0, 1e5, SW,                            \
                 "instances always on demand before the spot share applies"),                                        \
      KT_ROW_F64U(T, "fleet.spot.interruptions_per_hour", sim.fleet.spot_per_hour, 7e-5, 0, 100, SWS, "1/h",         \
                  "hazard of an interruption per spot instance-hour (7e-5: AWS Spot Advisor's 5% a month; "          \
                  "docs/fleet.md)"),                                                                                 \
      KT_ROW_F64U(T, "fleet.spot.notice_s", sim.fleet.spot_notice_s, 120, 0, 86400, SWS, "s",                        \
                  "interruption notice: the replica drains this long, then its work is lost (AWS 120 s, GCP 30 s)"), \
      KT_ROW_F64U(T, "fleet.spot.replace_s", sim.fleet.replace_s, 0, 0, 86400, SWS, "s",                             \
                  "a replacement for an interrupted instance starts provisioning this much after the notice"),       \
      KT_ROW_F64U(T, "fleet.failures.mtbf_gpu_h", sim.fleet.mtbf_gpu_h, 0, 0, 1e15, SWS, "h",                        \
                  "mean time between failures of one GPU, hours (0: none; Llama 3 training: about 50,700)"),         \
      KT_ROW_F64U(T, "fleet.failures.mttr_s", sim.fleet.mttr_s, 300, 0, 1e6, SWS, "s",                               \
                  "a failed replica's replacement starts provisioning this much later (detection and swap)"),        \
      KT_ROW_U32(T, "fleet.spares", sim.fleet.spares, 0, 0, 1e4, SW,                                                 \
                 "hot standby replicas (N+1: 1): loaded and billed, not routed to; one takes over a lost replica"),  \
      KT_ROW_ENUM(T, "fleet.lost_work", sim.fleet.lost_work, "requeue", sim_lost_work_names, SW,                     \
                  "requests on a replica that is lost: requeue (routed again, restarting by recompute) or fail")

/* The multi-model routing keys (models.*; the further deployments are the top-level deployments: list). */
#define FLEETCFG_MODELS_ROWS(T, SW, SWS)                                                                          \
  KT_ROW_ENUM(T, "models.routing", sim.route.mode, "class", sim_model_routing_names, SW,                          \
              "how requests reach the deployments: class (by prompt length) or cascade (each to the first, a "    \
              "share escalated to the next)"),                                                                    \
      KT_ROW_F64LIST(T, "models.class_input_tokens", sim.route.class_tokens, sim.route.n_class_tokens, 1, 1e7, 0, \
                     "class: prompts longer than the i-th length go past deployment i (one per further one)"),    \
      KT_ROW_F64(T, "models.escalate_frac", sim.route.escalate_frac, 0, 0, 1, SWS,                                \
                 "cascade: share of a deployment's answers escalated to the next"),                               \
      KT_ROW_F64(T, "models.cache_hit_frac", sim.route.cache_hit_frac, 0, 0, 1, SWS,                              \
                 "share of requests answered from a response cache, with no GPU work"),                           \
      KT_ROW_F64U(T, "models.cache_latency_s", sim.route.cache_latency_s, 0.05, 0, 100, SWS, "s",                 \
                  "time to first (and last) token of a cached answer (assumption; docs/fleet.md)")

/* The rows of the output: and pricing: groups (the echo keeps each group of keys together). */
#define FLEETCFG_OUTPUT_ROWS(T)                                                                                 \
  KT_ROW_ENUM(T, "output.windows", sim.fleet.windows, "auto", sim_windows_mode_names, 0,                        \
              "the hour-by-hour view: auto (on for diurnal and trace traffic and changing fleets), on or off"), \
      KT_ROW_F64U(T, "output.window_s", sim.fleet.window_s, 3600, 1, 1e7, 0, "s",                               \
                  "length of a window of the hour-by-hour view, s")
#define FLEETCFG_PRICING_ROWS(T, SWS)                                                                                  \
  KT_ROW_F64U(T, "pricing.spot_usd_per_gpu_hour", cost.spot_usd_per_gpu_hour, NAN, 0, 1e4, SWS | KT_UNSET_OK, "USD/h", \
              "spot price per GPU-hour for fleet.spot.share (default: hwdb's median spot row of the GPU)")

/* Checks of a bound point's fleet keys (a target for target tracking, 24 hours in a schedule, bounds in
 * order, a spot price, the window count) and resolves output.windows: auto. spec may be NULL. */
ss_status fleetcfg_resolve(const study_spec *spec, sc_point *pt, const hwdb *db, ss_err *err);

/* A changing fleet starts and stops whole replicas of tp GPUs behind one router, and a multi-model
 * fleet replays each deployment's share of the traffic as a trace: the serving mechanisms that need
 * more (pipeline lanes, a prefill pool, conversations and shared prefixes) are refused with them
 * (after the point's further deployments are resolved). */
ss_status fleetcfg_check_mechanisms(const study_spec *spec, const sc_point *pt, ss_err *err);

#endif
